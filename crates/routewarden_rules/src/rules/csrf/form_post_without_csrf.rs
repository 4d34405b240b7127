use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::flask_usage::{uses_any, uses_cookie_sessions};
use crate::route_paths::is_state_changing;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::frameworks::ObjectKind;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::ExprKind;
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A Flask application that keeps users in cookie sessions (Flask's `session` or
    /// Flask-Login) and has state-changing routes reading form data (`request.form`,
    /// `request.values`, `request.files`), while CSRF protection is enabled nowhere: no
    /// `CSRFProtect`, no Flask-WTF form (`FlaskForm`, which checks its own token), no
    /// Flask-SeaSurf. Each such route is reported.
    ///
    /// ## Why is this dangerous
    /// Browsers attach the session cookie to form posts from any site. Without a CSRF token the
    /// application cannot tell a user's own submission from one a malicious page made on their
    /// behalf: password and email changes, transfers, deletions.
    ///
    /// ## Example
    /// ```python
    /// @app.route("/settings/password", methods=["POST"])
    /// @login_required
    /// def change_password():
    ///     current_user.set_password(request.form["password"])
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// from flask_wtf.csrf import CSRFProtect
    ///
    /// csrf = CSRFProtect(app)
    /// ```
    /// and render `{{ csrf_token() }}` in every form.
    pub static FORM_POST_WITHOUT_CSRF = {
        code: "CSRF002",
        name: "form-post-without-csrf",
        severity: Medium,
        confidence: Medium,
        cwe: 352,
        fix: "Enable CSRFProtect (Flask-WTF) and include the token in every form",
    }
}

pub struct FormPostWithoutCsrf;

const CSRF_PROVIDERS: &[&str] = &[
    "flask_wtf.CSRFProtect",
    "flask_wtf.csrf.CSRFProtect",
    "flask_wtf.FlaskForm",
    "flask_wtf.Form",
    "flask_seasurf.SeaSurf",
    "flask_wtf.csrf.generate_csrf",
    "flask_security.Security",
];

impl Rule for FormPostWithoutCsrf {
    fn meta(&self) -> &'static RuleMeta {
        &FORM_POST_WITHOUT_CSRF
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let flask = surface
            .apps
            .objects
            .values()
            .any(|o| o.kind == ObjectKind::FlaskApp);
        if !flask || !uses_cookie_sessions(cx.model) || uses_any(cx.model, CSRF_PROVIDERS) {
            return;
        }
        let mut seen = HashSet::default();
        for mounted in &surface.mounted {
            let route = surface.route(mounted);
            if !is_state_changing(&route.methods) || !seen.insert(mounted.route) {
                continue;
            }
            let imports = &cx.model.files[route.handler_file].imports;
            let mut reads_form = false;
            walk_exprs(&route.handler.body, &mut |e| {
                reads_form |= e.any(&mut |x| match &x.kind {
                    ExprKind::Attribute { value, attr } => {
                        matches!(attr.as_str(), "form" | "values" | "files")
                            && imports.resolve(value).as_deref() == Some("flask.request")
                    }
                    _ => false,
                });
            });
            if reads_form {
                let mut f = Findings::new(route.file);
                f.report(
                    &FORM_POST_WITHOUT_CSRF,
                    route.span,
                    format!(
                        "{} {} accepts a form post in a cookie-session app with no CSRF protection",
                        route.methods.join(","),
                        mounted.full_path
                    ),
                );
                out.extend(f.into_vec());
            }
        }
    }
}
