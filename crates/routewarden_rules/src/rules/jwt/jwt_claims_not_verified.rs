use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::jwt_calls::{decoder, dict_entries, encoder, is_false, options, signs_nothing};
use crate::rule::{Rule, RuleMeta};
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, Expr, ExprKind, Stmt};

declare_rule! {
    /// ## What it finds
    /// JWT claim checks switched off or impossible: `options` with `verify_exp`, `verify_aud`,
    /// `verify_iss` or `verify_nbf` set to false, or `require` emptied (PyJWT, python-jose; the
    /// options inline or through a variable or constant); and tokens issued with no `exp` claim
    /// (`jwt.encode` of a payload whose keys are all known and include no `exp`, also when the
    /// payload is built in a local variable and extended before encoding with `payload["exp"] =`,
    /// `payload.update(...)` or `payload |= {...}`; payloads built elsewhere or merged from
    /// other mappings are not judged). An unsigned token (`algorithm="none"`) is JWT002's: an
    /// expiry nobody can trust is not reported.
    ///
    /// Switching off the library's time checks (`verify_exp`, `verify_iat`, `verify_nbf`) is
    /// not reported when the code checks time itself: `exp` is in the `require` list (the
    /// token must carry it, so the code that disabled the library's wall-clock check compares
    /// it, typically against an injected clock), or the function compares the decoded `exp`
    /// (`claims["exp"] < now`). Audience and issuer checks switched off are still reported.
    /// Test code, which forges tokens on purpose, is not checked.
    ///
    /// ## Why is this dangerous
    /// A token that never expires stays valid forever once stolen, from a log, a browser or a
    /// proxy; there is no logout. Skipping the audience or issuer check accepts tokens minted for
    /// another service that shares the key.
    ///
    /// ## Example
    /// ```python
    /// token = jwt.encode({"sub": str(user.id)}, KEY, algorithm="HS256")
    /// claims = jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_exp": False})
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// exp = datetime.now(timezone.utc) + timedelta(minutes=15)
    /// token = jwt.encode({"sub": str(user.id), "exp": exp}, KEY, algorithm="HS256")
    /// claims = jwt.decode(token, KEY, algorithms=["HS256"], audience="api")
    /// ```
    pub static JWT_CLAIMS_NOT_VERIFIED = {
        code: "JWT003",
        name: "jwt-claims-not-verified",
        severity: Medium,
        confidence: High,
        cwe: 613,
        fix: "Issue tokens with an exp claim and keep expiry, audience and issuer verification on",
    }
}

pub struct JwtClaimsNotVerified;

/// Keys a payload variable gains after its creation: `payload["exp"] = ...`,
/// `payload.update(exp=...)`, `payload.update({"exp": ...})`.
fn keys_added_later(body: &[Stmt], name: &str) -> (Vec<String>, bool) {
    let mut keys = Vec::new();
    let mut unknown = false;
    walk_exprs(body, &mut |e| match &e.kind {
        ExprKind::Subscript { value, slice } if value.as_name() == Some(name) => {
            match slice.as_str() {
                Some(k) => keys.push(k.to_string()),
                None => unknown = true,
            }
        }
        ExprKind::Call(call) => {
            if let ExprKind::Attribute { value, attr } = &call.func.kind
                && value.as_name() == Some(name)
                && (attr == "update" || attr == "setdefault")
            {
                keys.extend(
                    call.keywords
                        .iter()
                        .filter_map(|k| k.arg.as_deref().map(str::to_string)),
                );
                for a in &call.args {
                    match &a.kind {
                        ExprKind::Str(s) => keys.push(s.clone()),
                        ExprKind::Dict(_) => {
                            keys.extend(dict_entries(a).into_iter().map(|(k, _)| k))
                        }
                        _ => unknown = true,
                    }
                }
            }
        }
        _ => {}
    });
    augmented_keys(body, name, &mut keys, &mut unknown);
    (keys, unknown)
}

/// `payload |= {"exp": ...}`, in any nested block.
fn augmented_keys(body: &[Stmt], name: &str, keys: &mut Vec<String>, unknown: &mut bool) {
    for stmt in body {
        if let Stmt::AugAssign { target, value, .. } = stmt
            && target.as_name() == Some(name)
        {
            match &value.kind {
                ExprKind::Dict(_) => keys.extend(dict_entries(value).into_iter().map(|(k, _)| k)),
                _ => *unknown = true,
            }
        }
        for child in stmt.child_bodies() {
            augmented_keys(child, name, keys, unknown);
        }
    }
}

/// `options={"require": [..., "exp"]}`: the token must carry an expiry.
fn requires_exp(cx: &FileContext, opts: &[(String, &Expr)]) -> bool {
    opts.iter().any(|(k, v)| {
        k == "require"
            && cx
                .resolve_value(v)
                .expr
                .elements()
                .is_some_and(|items| items.iter().any(|i| i.as_str() == Some("exp")))
    })
}

/// The enclosing function compares an `exp` claim: `claims["exp"] < now`,
/// `now < payload.get("exp")`, `claims.exp <= now`.
fn compares_exp(cx: &FileContext) -> bool {
    let Some(function) = cx.function() else {
        return false;
    };
    let is_exp = |e: &Expr| match &e.kind {
        ExprKind::Subscript { slice, .. } => slice.as_str() == Some("exp"),
        ExprKind::Attribute { attr, .. } => attr == "exp",
        ExprKind::Call(c) => {
            c.func.last_name() == Some("get")
                && c.args.first().and_then(Expr::as_str) == Some("exp")
        }
        _ => false,
    };
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| {
            let ExprKind::Compare {
                left, comparators, ..
            } = &x.kind
            else {
                return false;
            };
            std::iter::once(left.as_ref())
                .chain(comparators.iter())
                .any(|o| o.any(&mut |y| is_exp(y)))
        });
    });
    found
}

impl Rule for JwtClaimsNotVerified {
    fn meta(&self) -> &'static RuleMeta {
        &JWT_CLAIMS_NOT_VERIFIED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &JWT_CLAIMS_NOT_VERIFIED;
        if decoder(cx, call).is_some() {
            let opts = options(cx, call);
            if opts
                .iter()
                .any(|(k, v)| k == "verify_signature" && is_false(v))
            {
                return;
            }
            let own_time_checks = requires_exp(cx, &opts) || compares_exp(cx);
            let off: Vec<&str> = opts
                .iter()
                .filter(|(k, v)| {
                    let time = matches!(k.as_str(), "verify_exp" | "verify_nbf" | "verify_iat");
                    (time && !own_time_checks || matches!(k.as_str(), "verify_aud" | "verify_iss"))
                        && is_false(v)
                })
                .map(|(k, _)| k.as_str())
                .collect();
            if !off.is_empty() {
                out.report(
                    meta,
                    expr.span,
                    format!("JWT decoded with {} switched off", off.join(", ")),
                );
            } else if opts
                .iter()
                .any(|(k, v)| k == "require" && v.elements().is_some_and(<[Expr]>::is_empty))
            {
                out.report(meta, expr.span, "JWT decoded with an empty `require` list");
            }
            return;
        }
        if encoder(cx, call).is_none() || signs_nothing(call) {
            return;
        }
        let Some(payload) = call
            .argument("payload", 0)
            .or_else(|| call.keyword("claims"))
        else {
            return;
        };
        let origin = cx.resolve_value(payload);
        let ExprKind::Dict(entries) = &origin.expr.kind else {
            return;
        };
        if entries
            .iter()
            .any(|e| e.key.as_ref().is_none_or(|k| k.as_str().is_none()))
        {
            return;
        }
        let mut keys: Vec<String> = entries
            .iter()
            .filter_map(|e| e.key.as_ref()?.as_str().map(String::from))
            .collect();
        if let (Some(name), Some(function)) = (payload.as_name(), cx.function()) {
            let (later, unknown) = keys_added_later(&function.body, name);
            if unknown {
                return;
            }
            keys.extend(later);
        }
        if !keys.iter().any(|k| k == "exp") {
            out.report(
                meta,
                expr.span,
                "token issued without an `exp` claim: it never expires",
            );
        }
    }
}
