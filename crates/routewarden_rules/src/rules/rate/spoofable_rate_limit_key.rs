use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::rule::{Rule, RuleMeta};
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, Expr, ExprKind, Stmt};

declare_rule! {
    /// ## What it finds
    /// A rate limit keyed on a value the client controls: a `key_func` (of a slowapi or
    /// Flask-Limiter `Limiter`, or of one `@limiter.limit(...)`) or a fastapi-limiter
    /// `identifier` that reads `X-Forwarded-For`, `X-Real-IP` or Flask's `request.access_route`,
    /// itself or through the helpers it calls, in any module; the helpers that do so (`get_ipaddr`
    /// of slowapi and older Flask-Limiter); `FastAPILimiter.init(...)` without an `identifier`,
    /// whose default keys on `X-Forwarded-For`; and proxy headers trusted from any host
    /// (`forwarded_allow_ips="*"` for uvicorn or in a gunicorn configuration file,
    /// `ProxyHeadersMiddleware(trusted_hosts="*")`).
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
const FASTAPI_LIMITER_INIT: &[&str] = &[
    "fastapi_limiter.FastAPILimiter.init",
    "fastapi_limiter.limiter.FastAPILimiter.init",
];
const FASTAPI_RATE_LIMITERS: &[&str] = &[
    "fastapi_limiter.depends.RateLimiter",
    "fastapi_limiter.depends.WebSocketRateLimiter",
    "fastapi_limiter.RateLimiter",
];

/// A proxy header named in a string (`"X-Forwarded-For"`, `"HTTP_X_REAL_IP"`), or Flask's
/// `request.access_route`, which is built from `X-Forwarded-For`.
fn reads_forwarded_header(expr: &Expr) -> bool {
    expr.any(&mut |e| match &e.kind {
        ExprKind::Str(s) => {
            let lower = s.to_ascii_lowercase();
            matches!(
                lower.as_str(),
                "x-forwarded-for"
                    | "x-real-ip"
                    | "forwarded"
                    | "http_x_forwarded_for"
                    | "http_x_real_ip"
                    | "http_forwarded"
            )
        }
        ExprKind::Attribute { attr, .. } => attr == "access_route",
        _ => false,
    })
}

/// `"*"` or `["*"]`.
fn is_wildcard(expr: &Expr) -> bool {
    expr.as_str() == Some("*")
        || expr
            .elements()
            .is_some_and(|items| items.iter().any(|i| i.as_str() == Some("*")))
}

impl SpoofableRateLimitKey {
    /// Whether a key function reads a proxy header from the request: a lambda, a project
    /// function (in any module, also through the helpers it calls), or a known helper.
    fn spoofable_key(&self, cx: &FileContext, file: usize, key: &Expr, depth: u32) -> bool {
        if depth > 3 {
            return false;
        }
        let imports = &cx.model.files[file].imports;
        if imports
            .resolve(key)
            .is_some_and(|q| SPOOFABLE_HELPERS.contains(&q.as_str()))
        {
            return true;
        }
        match &key.kind {
            ExprKind::Lambda(function) => {
                function.lambda_value().is_some_and(reads_forwarded_header)
            }
            _ => match cx.model.resolve_definition(file, key) {
                Some((def_file, Some(Stmt::FunctionDef(f)), _)) => {
                    let mut found = false;
                    walk_exprs(&f.body, &mut |e| {
                        if found {
                            return;
                        }
                        found = reads_forwarded_header(e)
                            || e.any(&mut |x| {
                                x.as_call().is_some_and(|c| {
                                    self.spoofable_key(cx, def_file, &c.func, depth + 1)
                                })
                            });
                    });
                    found
                }
                _ => false,
            },
        }
    }
}

impl Rule for SpoofableRateLimitKey {
    fn meta(&self) -> &'static RuleMeta {
        &SPOOFABLE_RATE_LIMIT_KEY
    }

    /// gunicorn's configuration file: `forwarded_allow_ips = "*"`.
    fn on_stmt(&self, cx: &FileContext, stmt: &Stmt, out: &mut Findings) {
        let Stmt::Assign {
            targets,
            value: Some(value),
            span,
            ..
        } = stmt
        else {
            return;
        };
        if cx.function().is_none()
            && targets
                .iter()
                .any(|t| t.as_name() == Some("forwarded_allow_ips"))
            && is_wildcard(value)
        {
            out.report(
                &SPOOFABLE_RATE_LIMIT_KEY,
                *span,
                "forwarded_allow_ips = \"*\" trusts X-Forwarded-For from any host",
            );
        }
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &SPOOFABLE_RATE_LIMIT_KEY;
        if call.keyword("forwarded_allow_ips").is_some_and(is_wildcard) {
            out.report(
                meta,
                expr.span,
                "forwarded_allow_ips=\"*\" trusts X-Forwarded-For from any host",
            );
            return;
        }
        // `ProxyHeadersMiddleware(app, trusted_hosts="*")`, also through `add_middleware`.
        let middleware_class = match &call.func.kind {
            ExprKind::Attribute { attr, .. } if attr == "add_middleware" => call.args.first(),
            _ => Some(&call.func),
        };
        if middleware_class
            .and_then(|c| cx.resolve(c))
            .is_some_and(|q| q.ends_with("ProxyHeadersMiddleware"))
        {
            if call.keyword("trusted_hosts").is_some_and(is_wildcard) {
                out.report(
                    meta,
                    expr.span,
                    "ProxyHeadersMiddleware trusts proxy headers from any host",
                );
            }
            return;
        }
        let callee = cx.resolve(&call.func);
        let key = match callee.as_deref() {
            Some(q) if LIMITERS.contains(&q) => call.argument("key_func", 0),
            Some(q) if FASTAPI_LIMITER_INIT.contains(&q) => match call.keyword("identifier") {
                Some(identifier) => Some(identifier),
                None => {
                    out.report(
                        meta,
                        expr.span,
                        "fastapi-limiter's default identifier keys on X-Forwarded-For; pass an identifier that does not",
                    );
                    return;
                }
            },
            Some(q) if FASTAPI_RATE_LIMITERS.contains(&q) => call.keyword("identifier"),
            _ => match &call.func.kind {
                // `@limiter.limit("5/minute", key_func=...)`
                ExprKind::Attribute { value, attr }
                    if matches!(attr.as_str(), "limit" | "shared_limit")
                        && cx.instance_class(value).is_some_and(|c| {
                            c.starts_with("slowapi.") || c.starts_with("flask_limiter.")
                        }) =>
                {
                    call.keyword("key_func")
                }
                _ => None,
            },
        };
        let Some(key) = key else { return };
        if cx
            .resolve(key)
            .is_some_and(|q| SPOOFABLE_HELPERS.contains(&&*q))
        {
            out.report(
                meta,
                expr.span,
                "the limit keys on get_ipaddr, which trusts X-Forwarded-For",
            );
        } else if self.spoofable_key(cx, cx.file_index, key, 0) {
            out.report(
                meta,
                expr.span,
                "the limit's key function reads X-Forwarded-For from the request, which the client controls",
            );
        }
    }
}
