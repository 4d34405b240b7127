use crate::config_writes::config_writes;
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::helpers::is_falsy_literal;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_python::ast::{Expr, ExprKind};

declare_rule! {
    /// ## What it finds
    /// Session and remember-me cookie settings that switch a protection off:
    /// `SESSION_COOKIE_SECURE = False`, `SESSION_COOKIE_HTTPONLY = False`,
    /// `SESSION_COOKIE_SAMESITE = None` or `"None"`, and the same for `REMEMBER_COOKIE_*`
    /// (Flask-Login), in every configuration form: `app.config[...]`, `config.update(...)`,
    /// `from_mapping(...)`, `setdefault`, and configuration classes loaded with `from_object`
    /// (inherited values included). Classes named for development or testing and test files are
    /// not reported.
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

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        for write in config_writes(cx, &|k| KEYS.contains(&k)) {
            if !insecure(&write.key, write.value) {
                continue;
            }
            let what = if write.key.ends_with("_SAMESITE") {
                "SameSite=None sends the cookie on cross-site requests"
            } else if write.key.ends_with("_SECURE") {
                "the cookie is sent over plain HTTP"
            } else {
                "scripts in the page can read the cookie"
            };
            let mut f = Findings::new(write.file);
            f.report(
                &INSECURE_SESSION_COOKIE_CONFIG,
                write.span,
                format!("{} is switched off: {what}", write.place),
            );
            out.extend(f.into_vec());
        }
    }
}
