use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::jwt_calls::{JwtLibrary, decoder, encode_algorithm, encoder, is_false, options};
use crate::rule::{Rule, RuleMeta};
use crate::token_origin::decodes_fetched_token;
use routewarden_python::ast::{Call, Expr, ExprKind};

declare_rule! {
    /// ## What it finds
    /// JWT algorithm choices an attacker can exploit: `none` accepted in `algorithms` or used to
    /// sign (the `algorithm` of PyJWT's and python-jose's `encode`, the `alg` of the header
    /// authlib's `jwt.encode(header, payload, key)` takes first); the algorithm list taken from
    /// the token's own header
    /// (`algorithms=[header["alg"]]` after `get_unverified_header`); `decode` with a key but
    /// without an `algorithms` list: python-jose then accepts any algorithm the key allows, and
    /// PyJWT 1.x the algorithm the token's own header names (PyJWT 2 refuses the call, so there
    /// the finding marks a decode that fails, or code written for 1.x); and symmetric (`HS*`)
    /// and asymmetric (`RS*`, `ES*`, `PS*`, `EdDSA`) algorithms allowed together for one key.
    /// PyJWT decodes without a key or with `verify=False` are JWT001's. The algorithms may be
    /// given by keyword or third, as both libraries allow (`jwt.decode(token, key, ["HS256"])`).
    /// Test code is not checked. Nor is a decode of a token the server fetched itself from the
    /// identity provider (the JSON of its own call to the token endpoint, also through a project
    /// helper or a response bound in several branches, an OAuth client's `fetch_token` or
    /// `authorize_access_token`, or a parameter every caller fills with such a token; the
    /// provenance JWT001 exempts): the attacker chooses neither its header nor its signature.
    ///
    /// ## Why is this dangerous
    /// With `none` a token needs no signature at all. Taking the algorithm from the token lets
    /// the attacker choose it. Allowing HS256 next to RS256 enables algorithm confusion: the
    /// attacker signs with HMAC using the public key, which is public, as the secret.
    ///
    /// ## Example
    /// ```python
    /// header = jwt.get_unverified_header(token)
    /// claims = jwt.decode(token, key, algorithms=[header["alg"]])
    /// ```
    ///
    /// ## Fix
    /// Pin the one algorithm you issue:
    /// ```python
    /// claims = jwt.decode(token, key, algorithms=["RS256"])
    /// ```
    pub static JWT_UNSAFE_ALGORITHMS = {
        code: "JWT002",
        name: "jwt-unsafe-algorithms",
        severity: High,
        confidence: High,
        cwe: 327,
        fix: "Pin the algorithms list to the single algorithm you issue tokens with",
    }
}

pub struct JwtUnsafeAlgorithms;

fn is_alg_from_header(expr: &Expr) -> bool {
    expr.any(&mut |e| match &e.kind {
        ExprKind::Subscript { slice, .. } => slice.as_str() == Some("alg"),
        ExprKind::Call(c) => {
            matches!(c.func.last_name(), Some("get"))
                && c.args.first().and_then(Expr::as_str) == Some("alg")
        }
        _ => false,
    })
}

fn family(alg: &str) -> Option<bool> {
    let upper = alg.to_ascii_uppercase();
    if upper.starts_with("HS") {
        Some(true)
    } else if upper.starts_with("RS")
        || upper.starts_with("ES")
        || upper.starts_with("PS")
        || upper == "EDDSA"
    {
        Some(false)
    } else {
        None
    }
}

impl Rule for JwtUnsafeAlgorithms {
    fn meta(&self) -> &'static RuleMeta {
        &JWT_UNSAFE_ALGORITHMS
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &JWT_UNSAFE_ALGORITHMS;
        if let Some(library) = encoder(cx, call) {
            // authlib names the algorithm in its header: its third argument is the key.
            let alg = encode_algorithm(cx, library, call);
            if alg.is_some_and(|a| a.eq_ignore_ascii_case("none")) {
                out.report(
                    meta,
                    expr.span,
                    "token signed with algorithm \"none\": it carries no signature",
                );
            }
            return;
        }
        let Some(library) = decoder(cx, call) else {
            return;
        };
        if options(cx, call)
            .iter()
            .any(|(k, v)| k == "verify_signature" && is_false(v))
        {
            return;
        }
        let before = out.len();
        judge_decode(cx, expr, call, library, out);
        // A token the server fetched itself from the identity provider: the attacker chooses
        // neither its header nor its signature. Asked only when something is found, since
        // following the token to its callers is dear.
        if out.len() > before && decodes_fetched_token(cx.model, cx.file_index, cx.function(), call)
        {
            out.truncate(before);
        }
    }
}

/// The algorithm choices of a verifying decode.
fn judge_decode(
    cx: &FileContext,
    expr: &Expr,
    call: &Call,
    library: JwtLibrary,
    out: &mut Findings,
) {
    let meta = &JWT_UNSAFE_ALGORITHMS;
    // PyJWT and python-jose both take the list third: `decode(token, key, ["HS256"])`.
    let Some(algorithms) = call.argument("algorithms", 2) else {
        if library == JwtLibrary::Jose {
            out.report(
                meta,
                expr.span,
                "python-jose decode without algorithms accepts any algorithm the key allows",
            );
        } else if library == JwtLibrary::PyJwt
            && call.argument("key", 1).is_some()
            && !call.keyword("verify").is_some_and(is_false)
            && !call.has_kwargs_spread()
        {
            out.report(
                    meta,
                    expr.span,
                    "PyJWT decode without algorithms: PyJWT 1.x accepts the algorithm the token's header names (PyJWT 2 raises)",
                );
        }
        return;
    };
    let origin = cx.resolve_value(algorithms);
    if is_alg_from_header(algorithms) || is_alg_from_header(origin.expr) {
        out.report(
            meta,
            expr.span,
            "the accepted algorithm is taken from the token's own header",
        );
        return;
    }
    let names: Vec<&str> = match origin.expr.elements() {
        Some(items) => items
            .iter()
            .filter_map(|i| cx.resolve_value(i).expr.as_str())
            .collect(),
        None => origin.expr.as_str().into_iter().collect(),
    };
    if names.iter().any(|a| a.eq_ignore_ascii_case("none")) {
        out.report(
            meta,
            expr.span,
            "algorithm \"none\" is accepted: unsigned tokens pass",
        );
        return;
    }
    let families: Vec<bool> = names.iter().filter_map(|a| family(a)).collect();
    if families.contains(&true) && families.contains(&false) {
        out.report(
            meta,
            expr.span,
            format!(
                "HMAC and public-key algorithms are accepted together ({}): algorithm confusion",
                names.join(", ")
            ),
        );
    }
}
