use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::rule::{Rule, RuleMeta};
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, Expr, ExprKind, Stmt};

declare_rule! {
    /// ## What it finds
    /// A rate limit keyed on a value the client controls: a limiter `key_func` that reads
    /// `X-Forwarded-For` or `X-Real-IP` from the request itself, the helpers that do so
    /// (`get_ipaddr` of slowapi and older Flask-Limiter), and proxy headers trusted from any
    /// host (`forwarded_allow_ips="*"` for uvicorn, `ProxyHeadersMiddleware(trusted_hosts="*")`).
    ///
    /// ## Why is this dangerous
    /// A client sets `X-Forwarded-For` to anything it likes. Keyed on it, every request can claim
    /// a new address and the limit never triggers: brute force goes on at full speed. Trusting
    /// proxy headers from every host makes the "client address" itself attacker-chosen.
    ///
    /// ## Example
    /// ```python
    /// def client_ip(request):
    ///     return request.headers.get("X-Forwarded-For", request.client.host)
    ///
    /// limiter = Limiter(key_func=client_ip)
    /// ```
    ///
    /// ## Fix
    /// Key on the connection's address (`get_remote_address`) and let the proxy layer rewrite it
    /// only for trusted proxies: uvicorn `--forwarded-allow-ips` set to the proxies' addresses,
    /// Werkzeug's `ProxyFix(x_for=1)` for exactly one trusted proxy.
    pub static SPOOFABLE_RATE_LIMIT_KEY = {
        code: "RATE003",
        name: "spoofable-rate-limit-key",
        severity: Medium,
        confidence: High,
        cwe: 290,
        fix: "Key the limit on the connection address and trust proxy headers only from known proxies",
    }
}

pub struct SpoofableRateLimitKey;

const LIMITERS: &[&str] = &[
    "slowapi.Limiter",
    "slowapi.extension.Limiter",
    "flask_limiter.Limiter",
    "flask_limiter.extension.Limiter",
];
const SPOOFABLE_HELPERS: &[&str] = &["slowapi.util.get_ipaddr", "flask_limiter.util.get_ipaddr"];

fn reads_forwarded_header(expr: &Expr) -> bool {
    expr.clone().any(&mut |e| {
        e.as_str().is_some_and(|s| {
            let lower = s.to_ascii_lowercase();
            lower == "x-forwarded-for"
                || lower == "x-real-ip"
                || lower == "http_x_forwarded_for"
                || lower == "http_x_real_ip"
        })
    })
}

impl Rule for SpoofableRateLimitKey {
    fn meta(&self) -> &'static RuleMeta {
        &SPOOFABLE_RATE_LIMIT_KEY
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &SPOOFABLE_RATE_LIMIT_KEY;
        if call.keyword("forwarded_allow_ips").and_then(Expr::as_str) == Some("*") {
            out.report(
                meta,
                expr.span,
                "forwarded_allow_ips=\"*\" trusts X-Forwarded-For from any host",
            );
            return;
        }
        let Some(callee) = cx.resolve(&call.func) else {
            return;
        };
        if callee.ends_with("ProxyHeadersMiddleware") {
            if call.keyword("trusted_hosts").and_then(Expr::as_str) == Some("*") {
                out.report(
                    meta,
                    expr.span,
                    "ProxyHeadersMiddleware trusts proxy headers from any host",
                );
            }
            return;
        }
        if !LIMITERS.contains(&callee.as_str()) {
            return;
        }
        let Some(key_func) = call.argument("key_func", 0) else {
            return;
        };
        if cx
            .resolve(key_func)
            .is_some_and(|q| SPOOFABLE_HELPERS.contains(&q.as_str()))
        {
            out.report(
                meta,
                expr.span,
                "the limiter keys on get_ipaddr, which trusts X-Forwarded-For",
            );
            return;
        }
        let spoofable = match &key_func.kind {
            ExprKind::Lambda { body } => reads_forwarded_header(body),
            _ => match cx.model.resolve_definition(cx.file_index, key_func) {
                Some((_, Some(Stmt::FunctionDef(f)), _)) => {
                    let mut found = false;
                    walk_exprs(&f.body, &mut |e| found |= reads_forwarded_header(e));
                    found
                }
                _ => false,
            },
        };
        if spoofable {
            out.report(meta, expr.span, "the limiter's key_func reads X-Forwarded-For from the request, which the client controls");
        }
    }
}
