use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// An authentication decorator placed above the route decorator, such as `@login_required`
    /// over `@app.route(...)` or `@jwt_required()` over `@bp.post(...)`. Not reported where the
    /// route decorator only tags the method and registration happens later from the fully
    /// decorated function, as with Flask-AppBuilder's `@expose` under `@has_access` or
    /// `@protect()`.
    ///
    /// ## Why is this dangerous
    /// Decorators apply bottom-up. The route decorator registers the function it receives, so
    /// when it sits below the authentication decorator it registers the undecorated function:
    /// the route is public, while the code reads as protected and passes review.
    ///
    /// ## Example
    /// ```python
    /// @login_required
    /// @app.route("/settings", methods=["POST"])
    /// def update_settings(): ...
    /// ```
    ///
    /// ## Fix
    /// Put the route decorator first (outermost):
    /// ```python
    /// @app.route("/settings", methods=["POST"])
    /// @login_required
    /// def update_settings(): ...
    /// ```
    pub static AUTH_DECORATOR_ORDER = {
        code: "AUTH004",
        name: "auth-decorator-order",
        severity: High,
        confidence: High,
        cwe: 306,
        fix: "Place the route decorator above the authentication decorator",
    }
}

pub struct AuthDecoratorOrder;

impl Rule for AuthDecoratorOrder {
    fn meta(&self) -> &'static RuleMeta {
        &AUTH_DECORATOR_ORDER
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let mut reported = HashSet::default();
        for (i, mounted) in surface.mounted.iter().enumerate() {
            let Some((_, decorator)) = &surface.security[i].misordered_auth else {
                continue;
            };
            if !reported.insert(mounted.route) {
                continue;
            }
            let route = surface.route(mounted);
            let mut f = Findings::new(route.file);
            f.report(
                &AUTH_DECORATOR_ORDER,
                route.span,
                format!(
                    "@{decorator} is above the route decorator, so {} {} is registered without it",
                    route.methods.join(","),
                    mounted.full_path
                ),
            );
            out.extend(f.into_vec());
        }
    }
}
