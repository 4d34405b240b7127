use crate::context::FileContext;
use crate::cors_policy::{CorsLibrary, policies};
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::under_debug_guard;
use crate::rule::{Confidence, Rule, RuleMeta};
use routewarden_python::ast::{Call, Expr};

declare_rule! {
    /// ## What it finds
    /// A CORS policy that allows credentials together with any origin: Starlette/FastAPI
    /// `CORSMiddleware` (through `add_middleware`, a `Middleware(...)` list or wrapping the app)
    /// with `allow_origins` containing `"*"` or an `allow_origin_regex` that matches everything,
    /// plus `allow_credentials=True`; flask-cors `CORS(...)` or `@cross_origin(...)` with origins
    /// `"*"` (also when `origins` is omitted, flask-cors's default, and in per-resource
    /// `resources={...}` entries, also under a computed path pattern such as
    /// `r"{}/*".format(prefix)`) plus `supports_credentials=True`. Origins read from settings or
    /// the environment are followed to the value that applies when nothing is configured
    /// (`os.getenv("CORS_ORIGINS", "*")`, a settings field defaulting to `["*"]`, also in another
    /// module, a parameter of the function that installs the middleware defaulting to `["*"]`:
    /// `def serve(allow_origins=["*"], allow_credentials=True)`, options passed as `**params`
    /// after `params.setdefault("allow_origins", ["*"])`, the origins a module-level call passes
    /// to a helper that installs the middleware, also under `if ENABLE_CORS:`, Starlette's
    /// `config("CORS_ORIGINS", default="*")`, a traitlets trait of the class installing the
    /// middleware, `origin_pattern = Unicode(".*", config=True)` read as `self.origin_pattern`,
    /// a name rebound to its own split, `ORIGINS = os.getenv("ORIGINS", "*")` then `ORIGINS =
    /// ORIGINS.split(",")`; an `allow_origin_regex` likewise, from a settings field's default,
    /// also of a settings factory that names its class only in its return annotation), and
    /// `allow_credentials` likewise. Project subclasses of `CORSMiddleware` are CORS
    /// configuration too: options the subclass fixes in its `super().__init__(...)` call
    /// (`allow_origins=["*"], allow_credentials=True`, also under `if USE_CORS:`) are reported
    /// there, once; options it takes from its caller (its parameters, their defaults when the
    /// caller leaves them out, `**kwargs` forwarded) are judged where it is registered, with
    /// `add_middleware`, `Middleware(...)` or wrapping the app; a subclass that decides origins
    /// in `is_allowed_origin` is judged only on a listed `"*"`, which Starlette still answers for
    /// cookie-carrying requests. An origins list read from configuration with no
    /// wildcard default is not reported, nor one the code rejects `*` from before use
    /// (`if "*" in origins: raise ...`, `[o for o in origins if o != "*"]`). flask-cors options
    /// the call does not pass come from the app configuration (`CORS_ORIGINS`,
    /// `CORS_SUPPORTS_CREDENTIALS` in config classes, loaded modules, `app.config[...]`,
    /// `config.update(...)`), so `@cross_origin(supports_credentials=True)` is judged against
    /// the configured origins, and `*` is assumed only when no configuration sets any. A bare
    /// `@cross_origin()` on routes whose every application gets a bare `CORS(app)` is judged
    /// once, at that call. A policy installed in a branch that runs only in debug mode (`if
    /// app.debug:`, `if server_config.app__debug:`) is a developer's set-up and is not
    /// reported, as for CORS003. In a project that sets and reads no cookies (no `set_cookie`, no
    /// `request.cookies`, no `Cookie(...)` parameter), keeps no session (Flask's, Starlette's
    /// `SessionMiddleware`, a login manager) and asks for no HTTP Basic, Digest or Negotiate
    /// login, browsers have nothing of their own to send: authentication, if any, is a token the
    /// front end puts in a header. The finding is then reported at low confidence, saying so;
    /// a login added in front of the application (a proxy's cookie, client certificates) would
    /// still be exposed.
    ///
    /// ## Why is this dangerous
    /// With credentials allowed, both libraries answer a wildcard by reflecting the caller's
    /// `Origin`, so every website a logged-in user visits can send requests with the user's
    /// cookies and read the responses: profile data, CSRF tokens, API keys.
    ///
    /// ## Example
    /// ```python
    /// app.add_middleware(
    ///     CORSMiddleware,
    ///     allow_origins=["*"],
    ///     allow_credentials=True,
    /// )
    /// ```
    ///
    /// ## Fix
    /// List the trusted front-end origins:
    /// ```python
    /// app.add_middleware(
    ///     CORSMiddleware,
    ///     allow_origins=["https://app.example.com"],
    ///     allow_credentials=True,
    /// )
    /// ```
    pub static CORS_ANY_ORIGIN_WITH_CREDENTIALS = {
        code: "CORS001",
        name: "cors-any-origin-with-credentials",
        severity: Critical,
        confidence: High,
        cwe: 942,
        fix: "List the trusted origins explicitly when credentials are allowed",
    }
}

pub struct CorsAnyOriginWithCredentials;

impl Rule for CorsAnyOriginWithCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_ANY_ORIGIN_WITH_CREDENTIALS
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        for policy in policies(cx, call) {
            if !policy.credentials {
                continue;
            }
            let how = if let Some(origin) = policy.any_origin() {
                match (policy.library, origin.via_default) {
                    (CorsLibrary::FlaskCors, true)
                        if policy.origins.len() == 1
                            && !policy.origins_unknown
                            && !policy.origins_from_config =>
                    {
                        "flask-cors allows every origin by default".to_string()
                    }
                    (_, true) => "origins default to \"*\" when none are configured".to_string(),
                    _ => "origins include \"*\"".to_string(),
                }
            } else if let Some(regex) = policy.regex_matches_everything() {
                format!("the origin pattern `{regex}` matches every origin")
            } else {
                continue;
            };
            let resource = policy
                .resource
                .as_deref()
                .map(|r| format!(" for {r}"))
                .unwrap_or_default();
            let meta = &CORS_ANY_ORIGIN_WITH_CREDENTIALS;
            // A policy installed only with debug mode on (`if config.app__debug:`) is a
            // developer's set-up, as for CORS003; debug mode itself is DEBUG001's.
            if under_debug_guard(cx, expr.span) {
                return;
            }
            // Asked last, once per project: a walk of every file.
            if cx.uses_ambient_credentials() {
                out.report(
                    meta,
                    expr.span,
                    format!("CORS allows credentials from any origin{resource} ({how}): any website can read responses with the user's cookies"),
                );
            } else {
                out.report_with(
                    meta,
                    expr.span,
                    format!("CORS allows credentials from any origin{resource} ({how}), but the project sets and reads no cookies, keeps no session and asks for no HTTP Basic or Digest login: any website can call it and read the answers, with the user's credentials only if something in front of it (a proxy's login, client certificates) adds them"),
                    meta.severity,
                    Confidence::Low,
                );
            }
            return;
        }
    }
}
