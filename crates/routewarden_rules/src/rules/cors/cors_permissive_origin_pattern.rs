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
    /// `http://` origins (any network attacker can act as them) when credentials are allowed.
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
            for regex in &policy.regexes {
                for p in pattern_problems(regex, policy.library) {
                    problems.push(format!("origin pattern `{regex}`: {p}"));
                }
            }
            if policy
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
                    o.text.starts_with("http://")
                        && !o.text.starts_with("http://localhost")
                        && !o.text.starts_with("http://127.0.0.1")
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
