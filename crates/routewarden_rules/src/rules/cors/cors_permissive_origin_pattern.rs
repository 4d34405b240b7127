use crate::context::FileContext;
use crate::cors_policy::{pattern_problems, policies};
use crate::declare_rule;
use crate::findings::Findings;
use crate::rule::{Rule, RuleMeta, Severity};
use routewarden_python::ast::{Call, Expr};

declare_rule! {
    /// ## What it finds
    /// Origins that admit attacker-controlled sites: an `allow_origin_regex` or flask-cors regex
    /// origin with an unescaped dot (`https://app.example.com` matches `https://appxexample.com`),
    /// a wildcard running into the domain (`https://.*example.com` matches
    /// `https://evilexample.com`), a flask-cors pattern without a `$` anchor; the `null` origin;
    /// `http://` origins (any network attacker can act as them) when credentials are allowed,
    /// other than the local machine's (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`; not
    /// `localhost.example.com`). Patterns and origins read from settings or the environment
    /// are judged by the value that applies when nothing is configured (a settings field's
    /// default, `os.getenv("ORIGIN_REGEX", "https://.*example.com")`), and those of
    /// `CORSMiddleware` subclasses as CORS001 describes. flask-cors origins set in the app configuration
    /// (`CORS_ORIGINS`) are checked where a `CORS(...)` or `@cross_origin(...)` call uses them;
    /// a decorator using the same configured origins as a `CORS(...)` call is not reported again
    /// for them.
    /// Severity is high when credentials are allowed.
    ///
    /// ## Why is this dangerous
    /// An attacker registers a domain the pattern accepts, or uses a sandboxed iframe (which
    /// sends `Origin: null`), and reads the API's responses from a victim's browser as if it were
    /// the trusted front end.
    ///
    /// ## Example
    /// ```python
    /// app.add_middleware(
    ///     CORSMiddleware,
    ///     allow_origin_regex=r"https://.*example.com",
    ///     allow_credentials=True,
    /// )
    /// ```
    ///
    /// ## Fix
    /// Escape dots, anchor the pattern and require a dot before the parent domain:
    /// `allow_origin_regex=r"https://([a-z0-9-]+\.)*example\.com"`. Never allow `null`; use
    /// `https://` origins only.
    pub static CORS_PERMISSIVE_ORIGIN_PATTERN = {
        code: "CORS004",
        name: "cors-permissive-origin-pattern",
        severity: Medium,
        confidence: High,
        cwe: 942,
        fix: "Escape dots, anchor origin patterns, and never allow null or http:// origins",
    }
}

pub struct CorsPermissiveOriginPattern;

impl Rule for CorsPermissiveOriginPattern {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_PERMISSIVE_ORIGIN_PATTERN
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &CORS_PERMISSIVE_ORIGIN_PATTERN;
        for policy in policies(cx, call) {
            let severity = if policy.credentials {
                Severity::High
            } else {
                meta.severity
            };
            let mut problems: Vec<String> = Vec::new();
            // Only the plain-http check below depends on the call's own credentials.
            let origins_reported = policy.origins_reported_elsewhere;
            let source = if policy.origins_from_config {
                " (CORS_ORIGINS of the app configuration)"
            } else {
                ""
            };
            for regex in policy.regexes.iter().filter(|_| !origins_reported) {
                for p in pattern_problems(regex, policy.library) {
                    problems.push(format!("origin pattern `{regex}`{source}: {p}"));
                }
            }
            if !origins_reported
                && policy
                    .origins
                    .iter()
                    .any(|o| o.text.eq_ignore_ascii_case("null"))
            {
                problems.push(
                    "the `null` origin is allowed, which sandboxed iframes of any site send"
                        .to_string(),
                );
            }
            if policy.credentials
                && let Some(o) = policy.origins.iter().find(|o| {
                    o.text
                        .strip_prefix("http://")
                        .is_some_and(|rest| !is_loopback(rest))
                })
            {
                problems.push(format!(
                    "`{}` is a plain-http origin trusted with credentials",
                    o.text
                ));
            }
            if let Some(first) = problems.first() {
                out.report_with_severity(meta, expr.span, first.clone(), severity);
                return;
            }
        }
    }
}

/// Whether the authority of an origin (`localhost:3000`, `app.localhost`, `127.0.0.1:8080`,
/// `[::1]:5173`) names the local machine: no network attacker stands between the browser and
/// it. `localhost.example.com` is somebody's domain.
fn is_loopback(authority: &str) -> bool {
    let authority = authority.split('/').next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        authority.split(']').next().map_or("", |h| &h[1..])
    } else {
        authority.split(':').next().unwrap_or_default()
    }
    .to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3 && rest.split('.').all(|p| p.parse::<u8>().is_ok())
        })
}

#[cfg(test)]
mod loopback_tests {
    use super::is_loopback;

    #[test]
    fn loopback_origins() {
        assert!(is_loopback("localhost:3000"));
        assert!(is_loopback("letta.localhost"));
        assert!(is_loopback("127.0.0.1:8080"));
        assert!(is_loopback("[::1]:5173"));
        assert!(!is_loopback("localhost.example.com"));
        assert!(!is_loopback("127.0.0.1.example.com"));
        assert!(!is_loopback("app.example.com"));
    }
}
