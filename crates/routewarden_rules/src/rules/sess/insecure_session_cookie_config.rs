use crate::config_writes::config_writes;
use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::helpers::is_falsy_literal;
use crate::rule::{ProjectContext, Rule, RuleMeta, Severity};
use crate::rules::sess::cookie_transport::{COOKIE_TRANSPORT, FLAGS};
use crate::switches::{Lit, opt_in_switch, pinned_literals, unset_value};
use routewarden_model::ProjectModel;
use routewarden_python::ast::{Call, Expr, ExprKind, Span};

declare_rule! {
    /// ## What it finds
    /// Session and remember-me cookie settings that switch a protection off:
    /// `SESSION_COOKIE_SECURE = False`, `SESSION_COOKIE_HTTPONLY = False`,
    /// `SESSION_COOKIE_SAMESITE = None` or `"None"`, and the same for `REMEMBER_COOKIE_*`
    /// (Flask-Login), in every configuration form: `app.config[...]`, `config.update(...)`,
    /// `from_mapping(...)`, `setdefault`, and configuration classes loaded with `from_object`
    /// (inherited values included). A value read from the environment is judged by its fallback,
    /// the value that applies when the variable is not set:
    /// `os.getenv("SESSION_COOKIE_SECURE", "false").lower() == "true"`,
    /// `os.environ.get("REMEMBER_COOKIE_HTTPONLY", False)`, `env.bool(...)`/decouple
    /// `config(..., default=False)`, also through a module constant. Also fastapi-users'
    /// `CookieTransport(cookie_secure=False)`, `cookie_httponly=False` or
    /// `cookie_samesite="none"`: the library sets the authentication cookie with them; and
    /// Starlette's `SessionMiddleware` (direct, through `add_middleware` or `Middleware`), which
    /// keeps the whole session in its cookie, given `same_site="none"` or an explicit
    /// `https_only=False` (also by their environment fallback; Starlette's default
    /// `https_only=False` is not reported). Classes
    /// named for development or testing and test files are not reported. A name written inside
    /// a test that pins it to literals (`if SAMESITE in ["Strict", "Lax"]:` or
    /// `if SAMESITE == "Lax":`) holds one of them there, whatever the environment gave it: the
    /// write is judged by those literals. A setting written only under an operator's opt-in
    /// switch that is off when nothing is configured (`if AL_UNSECURED_UI:` with
    /// `AL_UNSECURED_UI = os.environ.get("AL_UNSECURED_UI", "false").lower() == "true"`, `if
    /// config.get("allow embedding", "Lax") is True:`, a settings read by key path whose
    /// default the project's settings schema declares false, also through a local; or the
    /// `else` of a comparison that holds then, `if app_settings == "app.ProductionConfig":`
    /// with that environment fallback) is reported
    /// at low severity, naming the switch.
    ///
    /// ## Why is this dangerous
    /// Without `Secure` the session cookie is sent over plain HTTP, where anyone on the network
    /// path can copy it and log in as the user. Without `HttpOnly` any injected script can read
    /// it. `SameSite=None` sends it on cross-site requests, which is what CSRF needs.
    ///
    /// ## Example
    /// ```python
    /// class ProductionConfig(Config):
    ///     SESSION_COOKIE_SECURE = False
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// class ProductionConfig(Config):
    ///     SESSION_COOKIE_SECURE = True
    ///     SESSION_COOKIE_HTTPONLY = True
    ///     SESSION_COOKIE_SAMESITE = "Lax"
    /// ```
    pub static INSECURE_SESSION_COOKIE_CONFIG = {
        code: "SESS002",
        name: "insecure-session-cookie-config",
        severity: Medium,
        confidence: High,
        cwe: 614,
        fix: "Set SESSION_COOKIE_SECURE and HTTPONLY to True and SAMESITE to Lax or Strict",
    }
}

pub struct InsecureSessionCookieConfig;

fn insecure(key: &str, value: &Expr) -> bool {
    if key.ends_with("_SAMESITE") {
        matches!(value.kind, ExprKind::NoneLiteral)
            || value
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("none"))
    } else {
        is_falsy_literal(value) && !matches!(value.kind, ExprKind::NoneLiteral)
    }
}

/// Starlette's session middleware, which keeps the session in a signed cookie.
const SESSION_MIDDLEWARE: &[&str] = &["starlette.middleware.sessions.SessionMiddleware"];

/// Whether a cookie option passed to a call switches its protection off: a false flag, or
/// SameSite `"none"` when `samesite`; an environment read is judged by its fallback, as for
/// the Flask settings. `Some(" unless the environment sets it")` for such a fallback,
/// `Some("")` for a literal, `None` when the protection stays on.
fn switched_off(cx: &FileContext, value: &Expr, samesite: bool) -> Option<&'static str> {
    let fallback = if Lit::of(value).is_none() {
        unset_value(cx.model, cx.file_index, value)
    } else {
        None
    };
    let insecure = match (&fallback, samesite) {
        (Some(v), false) => !v.truthy(),
        (Some(v), true) => insecure("_SAMESITE", &v.as_expr()),
        (None, false) => is_falsy_literal(value) && !matches!(value.kind, ExprKind::NoneLiteral),
        (None, true) => value
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("none")),
    };
    match (insecure, fallback.is_some()) {
        (false, _) => None,
        (true, true) => Some(" unless the environment sets it"),
        (true, false) => Some(""),
    }
}

/// Reports a weak setting, at low severity naming the switch when an opt-in switch that is off
/// by default guards it.
fn report(model: &ProjectModel, span: Span, switched: String, what: &str, out: &mut Findings) {
    let meta = &INSECURE_SESSION_COOKIE_CONFIG;
    match opt_in_switch(model, out.file(), span) {
        Some(switch) => out.report_with_severity(
            meta,
            span,
            format!("{switched}, only when the operator turns on `{switch}` (off unless configured): {what}"),
            Severity::Low,
        ),
        None => out.report(meta, span, format!("{switched}: {what}")),
    }
}

const KEYS: &[&str] = &[
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "REMEMBER_COOKIE_SECURE",
    "REMEMBER_COOKIE_HTTPONLY",
    "REMEMBER_COOKIE_SAMESITE",
];

impl Rule for InsecureSessionCookieConfig {
    fn meta(&self) -> &'static RuleMeta {
        &INSECURE_SESSION_COOKIE_CONFIG
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        if cx.file.is_test() {
            return;
        }
        if cx.resolves_to(&call.func, COOKIE_TRANSPORT) {
            for (flag, position) in FLAGS {
                let Some(value) = call.argument(flag, *position) else {
                    continue;
                };
                let samesite = *flag == "cookie_samesite";
                let Some(unless) = switched_off(cx, value, samesite) else {
                    continue;
                };
                let what = match *flag {
                    "cookie_samesite" => {
                        "SameSite=None sends the authentication cookie on cross-site requests"
                    }
                    "cookie_secure" => "the authentication cookie is sent over plain HTTP",
                    _ => "scripts in the page can read the authentication cookie",
                };
                report(
                    cx.model,
                    expr.span,
                    format!("CookieTransport's `{flag}` is switched off{unless}"),
                    what,
                    out,
                );
            }
            return;
        }
        // Starlette keeps the whole session in its cookie: `SessionMiddleware(app, ...)`,
        // `app.add_middleware(SessionMiddleware, ...)`, `Middleware(SessionMiddleware, ...)`.
        let direct = cx.resolves_to(&call.func, SESSION_MIDDLEWARE);
        if !direct
            && !call.args.first().is_some_and(|a| {
                matches!(a.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                    && cx.resolves_to(a, SESSION_MIDDLEWARE)
            })
        {
            return;
        }
        for (flag, position) in [("same_site", 5), ("https_only", 6)] {
            // Positions only in the direct call: the others pass the options by keyword.
            let value = if direct {
                call.argument(flag, position)
            } else {
                call.keyword(flag)
            };
            let Some(value) = value else {
                continue;
            };
            let Some(unless) = switched_off(cx, value, flag == "same_site") else {
                continue;
            };
            let what = if flag == "same_site" {
                "SameSite=None sends the session cookie on cross-site requests"
            } else {
                "the session cookie is sent over plain HTTP"
            };
            report(
                cx.model,
                expr.span,
                format!("Starlette's SessionMiddleware `{flag}` is switched off{unless}"),
                what,
                out,
            );
        }
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        for write in config_writes(cx, &|k| KEYS.contains(&k)) {
            // Read from the environment: judged by the value that applies when it is not set.
            let fallback = if Lit::of(write.value).is_none() {
                unset_value(cx.model, write.file, write.value)
            } else {
                None
            };
            let insecure = match &fallback {
                // The raw string `"false"` is truthy to Flask: only a falsy Python value counts.
                Some(value) if !write.key.ends_with("_SAMESITE") => !value.truthy(),
                Some(value) => insecure(&write.key, &value.as_expr()),
                None => insecure(&write.key, write.value),
            };
            // A name tested against literals before the write holds one of them there.
            if !insecure
                || pinned_literals(cx.model, write.file, write.value).is_some_and(|lits| {
                    !lits
                        .iter()
                        .any(|l| self::insecure(&write.key, &l.as_expr()))
                })
            {
                continue;
            }
            let unless = if fallback.is_some() {
                " unless the environment sets it"
            } else {
                ""
            };
            let what = if write.key.ends_with("_SAMESITE") {
                "SameSite=None sends the cookie on cross-site requests"
            } else if write.key.ends_with("_SECURE") {
                "the cookie is sent over plain HTTP"
            } else {
                "scripts in the page can read the cookie"
            };
            let mut f = Findings::new(write.file);
            let switched = format!("{} is switched off{unless}", write.place);
            report(cx.model, write.span, switched, what, &mut f);
            out.extend(f.into_vec());
        }
    }
}
