use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::helpers::is_falsy_literal;
use crate::rule::{Confidence, ProjectContext, Rule, RuleMeta};
use routewarden_model::apps::{ObjectId, UNBOUND_SUFFIX};
use routewarden_model::frameworks::ObjectKind;
use routewarden_python::ast::ExprKind;
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A rate limit that cannot take effect: a limiter decorator placed above the route
    /// decorator (the route registers the unlimited function); a slowapi-limited handler without
    /// a `request` parameter (slowapi needs it to identify the client and fails); a limiter that
    /// is never attached to an application (a slowapi `Limiter` with `default_limits` or
    /// `application_limits` never stored in `app.state.limiter`, a Flask-Limiter `Limiter`
    /// created without the app, positional or `app=`, and never passed to `init_app`, also
    /// through `for ext in (db, limiter): ext.init_app(app)`; a `Limiter(...)` statement whose
    /// result no name keeps, with default or application limits, `Limiter(key_func=...,
    /// default_limits=[...])`, unless it is handed the application, `Limiter(app, ...)` before
    /// Flask-Limiter 3.0, `Limiter(key, app=app)` after). slowapi's `@limiter.limit(...)`
    /// is enforced by the limiter itself, attached or not: an unattached slowapi limiter whose
    /// decorators guard routes loses only its default limits, and is reported at low
    /// confidence. A limiter built with `enabled=False` is switched off on purpose. A limiter
    /// handed to code the analysis does not follow (passed to a custom app class, stored in an
    /// attribute, returned) may be attached there and is not reported.
    ///
    /// ## Why is this dangerous
    /// The code reads as protected against brute force and abuse, reviewers accept it, and the
    /// endpoint is unlimited in production.
    ///
    /// ## Example
    /// ```python
    /// @limiter.limit("5/minute")
    /// @app.route("/login", methods=["POST"])
    /// def login(): ...
    /// ```
    ///
    /// ## Fix
    /// Put the route decorator first, give slowapi handlers a `request: Request` parameter, and
    /// attach the limiter: `app.state.limiter = limiter` (slowapi) or `limiter.init_app(app)`
    /// (Flask-Limiter).
    pub static INEFFECTIVE_RATE_LIMIT = {
        code: "RATE002",
        name: "ineffective-rate-limit",
        severity: Medium,
        confidence: High,
        cwe: 770,
        fix: "Put the route decorator first, pass the request, and attach the limiter to the app",
    }
}

pub struct IneffectiveRateLimit;

impl Rule for IneffectiveRateLimit {
    fn meta(&self) -> &'static RuleMeta {
        &INEFFECTIVE_RATE_LIMIT
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let apps = &surface.apps;
        let mut reported = HashSet::default();
        for (i, mounted) in surface.mounted.iter().enumerate() {
            let route = surface.route(mounted);
            let security = &surface.security[i];
            if security.misordered_limit.is_some() && reported.insert(mounted.route) {
                let mut f = Findings::new(route.file);
                f.report(
                    &INEFFECTIVE_RATE_LIMIT,
                    route.span,
                    format!("the limiter decorator is above the route decorator, so {} {} is registered unlimited", route.methods.join(","), mounted.full_path),
                );
                out.extend(f.into_vec());
            }
        }
        // slowapi handlers need a `request` parameter.
        let mut seen = HashSet::default();
        for route in &apps.routes {
            if !seen.insert(route.handler.span.start as usize + route.handler_file * 1_000_000_007)
            {
                continue;
            }
            let has_request = route
                .handler
                .params
                .iter()
                .any(|p| p.name == "request" || p.name == "websocket");
            if has_request {
                continue;
            }
            for decorator in &route.handler.decorators {
                let ExprKind::Call(call) = &decorator.kind else {
                    continue;
                };
                let ExprKind::Attribute { value, attr } = &call.func.kind else {
                    continue;
                };
                if attr != "limit" && attr != "shared_limit" {
                    continue;
                }
                let kind = apps
                    .resolve_object(route.handler_file, &route.handler_scope, value)
                    .and_then(|id| apps.kind(&id));
                if kind == Some(ObjectKind::SlowapiLimiter) {
                    let mut f = Findings::new(route.handler_file);
                    f.report(
                        &INEFFECTIVE_RATE_LIMIT,
                        decorator.span,
                        format!(
                            "slowapi limit on {}() which has no `request` parameter",
                            route.handler.name
                        ),
                    );
                    out.extend(f.into_vec());
                }
            }
        }
        // Limiters never attached to an application. slowapi's decorator limits are checked
        // by the limiter itself; only its default and application-wide limits need the app.
        // A limiter built with `enabled=False` is switched off on purpose.
        for (id, object) in &apps.objects {
            if !object.kind.is_limiter() || apps.limiter_is_attached(id) {
                continue;
            }
            let keyword = |name: &str| object.call.and_then(|c| c.keyword(name));
            let own_limits =
                keyword("default_limits").is_some() || keyword("application_limits").is_some();
            // A `Limiter(...)` statement no name keeps has no decorators: only its own limits
            // are lost.
            let needs_app = if id.name.ends_with(UNBOUND_SUFFIX) {
                own_limits
            } else {
                object.kind != ObjectKind::SlowapiLimiter || own_limits
            };
            if !needs_app || keyword("enabled").is_some_and(is_falsy_literal) {
                continue;
            }
            let mut f = Findings::new(id.file);
            if id.name.ends_with(UNBOUND_SUFFIX) {
                f.report(
                    &INEFFECTIVE_RATE_LIMIT,
                    object.span,
                    format!(
                        "`{}` is built without an application and no name keeps it, so its limits do nothing",
                        id.name
                    ),
                );
            } else if object.kind == ObjectKind::SlowapiLimiter && limits_routes(cx, id) {
                // Its decorators limit their routes: only its default limits are lost.
                f.report_with(
                    &INEFFECTIVE_RATE_LIMIT,
                    object.span,
                    format!(
                        "limiter `{}` is never attached to an application, so its default limits apply to no route (its `.limit(...)` decorators still do)",
                        id.name
                    ),
                    INEFFECTIVE_RATE_LIMIT.severity,
                    Confidence::Low,
                );
            } else {
                f.report(
                    &INEFFECTIVE_RATE_LIMIT,
                    object.span,
                    format!(
                        "limiter `{}` is never attached to an application, so its limits do nothing",
                        id.name
                    ),
                );
            }
            out.extend(f.into_vec());
        }
    }
}

/// Whether a route handler carries a `.limit(...)`/`.shared_limit(...)` decorator of `limiter`.
fn limits_routes(cx: &ProjectContext, limiter: &ObjectId) -> bool {
    let apps = &cx.surface.apps;
    apps.routes.iter().any(|route| {
        route.handler.decorators.iter().any(|d| {
            apps.decorator_receiver(route.handler_file, &route.handler_scope, d)
                .is_some_and(|(id, method)| {
                    matches!(method, "limit" | "shared_limit") && id == *limiter
                })
        })
    })
}
