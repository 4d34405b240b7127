use crate::context::FileContext;
use crate::cors_policy::policies;
use crate::declare_rule;
use crate::findings::Findings;
use crate::rule::{Rule, RuleMeta};
use routewarden_python::ast::{Call, Expr};

declare_rule! {
    /// ## What it finds
    /// A CORS policy that allows any origin without credentials: `CORSMiddleware` with
    /// `allow_origins=["*"]`, flask-cors `CORS(app)` with its defaults or `origins="*"`. Options
    /// spread into the call (`CORS(app, **options)`) are read when they are a dict literal or a
    /// constant holding one, and the default dict of `**(options or {})` or `**(x if cond else
    /// {})` is what applies when nothing is configured; options the analysis cannot read are
    /// not taken for the default.
    /// Origins a flask-cors call does not pass come from the app configuration's `CORS_ORIGINS`
    /// (config classes and modules loaded with `from_object`/`from_pyfile`, `app.config[...]`,
    /// `config.update(...)`), as flask-cors reads them: judged when literal, not taken for `*`
    /// when read from the environment or otherwise unknown; only a project that sets no
    /// `CORS_ORIGINS` (or sets `None`) gets flask-cors's default `*`. A `@cross_origin()` that
    /// passes no origins or credentials of its own is reported at the `CORS(...)` call reading
    /// the same configuration, not once per route. Project subclasses of `CORSMiddleware` are
    /// judged as CORS001 describes: at their `super().__init__(...)` call when they fix the
    /// policy, else where they are registered with the options they are given.
    /// Reported at low severity, for review.
    ///
    /// ## Why is this dangerous
    /// Without credentials a browser sends no cookies, so the damage is limited to what the
    /// API serves anonymously. It still lets any site script the API from its visitors'
    /// browsers, which matters for APIs reachable only from an internal network or authenticated
    /// by IP, and it becomes CORS001 the day someone adds credentials.
    ///
    /// ## Example
    /// ```python
    /// CORS(app)
    /// ```
    ///
    /// ## Fix
    /// Allow the origins that need the API: `CORS(app, origins=["https://app.example.com"])`.
    /// For a deliberately public API, suppress the finding with a reason.
    pub static CORS_ANY_ORIGIN = {
        code: "CORS003",
        name: "cors-any-origin",
        severity: Low,
        confidence: High,
        cwe: 942,
        fix: "Allow only the origins that need the API, or suppress with a reason if it is public",
    }
}

pub struct CorsAnyOrigin;

impl Rule for CorsAnyOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_ANY_ORIGIN
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        for policy in policies(cx, call) {
            if policy.credentials || policy.origins_reported_elsewhere {
                continue;
            }
            if policy.any_origin().is_some() || policy.regex_matches_everything().is_some() {
                let resource = policy
                    .resource
                    .as_deref()
                    .map(|r| format!(" for {r}"))
                    .unwrap_or_default();
                out.report(
                    &CORS_ANY_ORIGIN,
                    expr.span,
                    format!("CORS allows any origin{resource} (without credentials)"),
                );
                return;
            }
        }
    }
}
