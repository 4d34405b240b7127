use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::identifier_words;
use crate::jwt_calls::{decoder, is_false, options};
use crate::rule::{Rule, RuleMeta};
use crate::token_origin::fetched_from_provider;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, Expr, ExprKind, Function, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// A JWT decoded without checking its signature whose claims the code then relies on:
    /// PyJWT and python-jose `decode(..., options={"verify_signature": False})` (the options
    /// given inline or through a variable or constant), PyJWT 1.x `decode(..., verify=False)`,
    /// python-jose's `get_unverified_claims(...)`, and python_jwt's `process_jwt(...)` in a
    /// function that never calls `verify_jwt`.
    ///
    /// Not reported, because no claim of the unverified token decides anything: a peek
    /// followed by a verifying decode of the same token in the same function (reading `iss` or
    /// `kid` to choose the key, then verifying); a peek that reads only the token's time claims
    /// (`exp`, `iat`, `nbf`: `jwt.decode(t, options=...).get("exp")` to cap a session's
    /// lifetime can only shorten it); and helpers whose name says they return unverified
    /// claims (`get_unverified_claims`, `peek_claims`), like the libraries' own
    /// `get_unverified_header`. Nor is a token the server fetched itself from the identity
    /// provider: the JSON of its own call to the token endpoint (`token_response.json()
    /// ["id_token"]`), the result of a token exchange (`fetch_token`,
    /// `authorize_access_token`), the `id_token` of an SSO client object the code built, an
    /// access token requested with the server's own credential (azure-identity's
    /// `AzureCliCredential().get_token(scope).token`, or a helper given such a credential,
    /// `get_arm_token(credential=AzureCliCredential())`), or a helper's parameter that every
    /// call in the project fills with such a token. OpenID
    /// Connect lets a client trust an ID token received straight from the token endpoint over
    /// TLS. Claims that are returned, passed on, or read beyond the time claims are reported.
    /// Test code, which inspects tokens on purpose, is not checked.
    ///
    /// ## Why is this dangerous
    /// Without the signature check a token is just base64 that anyone can write: an attacker
    /// sets `"sub": "admin"` or any user id and is trusted. Code that "only reads the claims
    /// first" tends to end up making decisions on them.
    ///
    /// ## Example
    /// ```python
    /// payload = jwt.decode(token, options={"verify_signature": False})
    /// user = db.get(payload["sub"])
    /// ```
    ///
    /// ## Fix
    /// Always verify, with the key and an explicit algorithm list:
    /// ```python
    /// payload = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    /// ```
    /// To pick a key by `kid`, read only the header (`get_unverified_header`) and then verify.
    pub static JWT_SIGNATURE_NOT_VERIFIED = {
        code: "JWT001",
        name: "jwt-signature-not-verified",
        severity: Critical,
        confidence: High,
        cwe: 347,
        fix: "Decode JWTs with signature verification, the key and an explicit algorithms list",
    }
}

pub struct JwtSignatureNotVerified;

/// Claims that only say when a token is valid: reading them cannot widen anyone's access.
const TIME_CLAIMS: &[&str] = &["exp", "iat", "nbf"];

/// The token a decode call reads: its first argument, or `token=`/`jwt=`.
fn token_argument(call: &Call) -> Option<&Expr> {
    call.args
        .first()
        .or_else(|| call.keyword("token"))
        .or_else(|| call.keyword("jwt"))
}

/// True when a decoder call verifies the signature.
fn verifies(cx: &FileContext, call: &Call) -> bool {
    !options(cx, call)
        .iter()
        .any(|(k, v)| k == "verify_signature" && is_false(v))
        && !call.keyword("verify").is_some_and(is_false)
}

/// True when the same token is decoded again, with verification, after `at` in `function`.
fn verified_later(cx: &FileContext, function: &Function, at: Span, token: &Expr) -> bool {
    let Some(token) = token.dotted_parts() else {
        return false;
    };
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| {
            let ExprKind::Call(c) = &x.kind else {
                return false;
            };
            x.span.start > at.end
                && decoder(cx, c).is_some()
                && verifies(cx, c)
                && token_argument(c).and_then(Expr::dotted_parts).as_ref() == Some(&token)
        });
    });
    found
}

/// The claims read from the decoded value at `at`, when it is only ever read claim by claim
/// (`decode(...).get("exp")`, `claims = decode(...)` then `claims["iss"]`); `None` when the
/// value is returned, passed on or used whole.
fn claims_read(function: &Function, at: Span) -> Option<Vec<String>> {
    fn claim_of(e: &Expr, target: &dyn Fn(&Expr) -> bool) -> Option<Option<String>> {
        match &e.kind {
            ExprKind::Subscript { value, slice } if target(value) => {
                Some(slice.as_str().map(String::from))
            }
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Attribute { value, attr } if attr == "get" && target(value) => {
                    Some(c.args.first().and_then(Expr::as_str).map(String::from))
                }
                _ => None,
            },
            _ => None,
        }
    }
    let is_call = |e: &Expr| e.span == at;
    // `decode(...).get("exp")`, `decode(...)["exp"]`
    let mut direct = None;
    walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            if let Some(claim) = claim_of(x, &is_call) {
                direct = Some(claim);
                return true;
            }
            false
        });
    });
    if let Some(claim) = direct {
        return claim.map(|c| vec![c]);
    }
    // `claims = decode(...)`, then only `claims[...]` / `claims.get(...)`.
    let name = assigned_name(&function.body, at)?;
    let is_name = |e: &Expr| e.as_name() == Some(name);
    let mut claims = Vec::new();
    let mut whole_uses = 0usize;
    let mut claim_uses = 0usize;
    let mut unknown = false;
    walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            if is_name(x) {
                whole_uses += 1;
            }
            match claim_of(x, &is_name) {
                Some(Some(c)) => {
                    claim_uses += 1;
                    claims.push(c);
                }
                Some(None) => unknown = true,
                None => {}
            }
            false
        });
    });
    // Every mention of the name other than its assignments is a claim read.
    let assignments = count_assignments(&function.body, name);
    (!unknown && whole_uses == claim_uses + assignments).then_some(claims)
}

/// `name = <call at span>` (also `name: T = ...`): the variable the decoded claims go to.
fn assigned_name(body: &[Stmt], at: Span) -> Option<&str> {
    for stmt in body {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        {
            let value = match &value.kind {
                ExprKind::Await(inner) => inner.as_ref(),
                _ => value,
            };
            if value.span == at
                && let [target] = targets.as_slice()
            {
                return target.as_name();
            }
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        for child in stmt.child_bodies() {
            if let Some(found) = assigned_name(child, at) {
                return Some(found);
            }
        }
    }
    None
}

fn count_assignments(body: &[Stmt], name: &str) -> usize {
    let mut n = 0;
    for stmt in body {
        if let Stmt::Assign { targets, .. } = stmt {
            n += targets.iter().filter(|t| t.as_name() == Some(name)).count();
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        for child in stmt.child_bodies() {
            n += count_assignments(child, name);
        }
    }
    n
}

/// True when the claims of the unverified decode at `expr` can decide something.
fn claims_are_trusted(cx: &FileContext, expr: &Expr, call: &Call) -> bool {
    let Some(function) = cx.function() else {
        return true;
    };
    let words = identifier_words(&function.name);
    if words.iter().any(|w| w == "unverified" || w == "peek") {
        return false;
    }
    if token_argument(call).is_some_and(|t| verified_later(cx, function, expr.span, t)) {
        return false;
    }
    let relied_on = match claims_read(function, expr.span) {
        Some(claims) => !claims.iter().all(|c| TIME_CLAIMS.contains(&c.as_str())),
        None => true,
    };
    // Following the token to its callers is the dearest question: asked last.
    relied_on
        && !token_argument(call)
            .is_some_and(|t| fetched_from_provider(cx.model, cx.file_index, function, t))
}

impl Rule for JwtSignatureNotVerified {
    fn meta(&self) -> &'static RuleMeta {
        &JWT_SIGNATURE_NOT_VERIFIED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &JWT_SIGNATURE_NOT_VERIFIED;
        if decoder(cx, call).is_some() {
            if verifies(cx, call) || !claims_are_trusted(cx, expr, call) {
                return;
            }
            let message = if call.keyword("verify").is_some_and(is_false) {
                "JWT decoded with verify=False: any forged token is accepted"
            } else {
                "JWT decoded with verify_signature=False: any forged token is accepted"
            };
            out.report(meta, expr.span, message);
            return;
        }
        let Some(callee) = cx.resolve(&call.func) else {
            return;
        };
        match &*callee {
            "jose.jwt.get_unverified_claims" if claims_are_trusted(cx, expr, call) => {
                out.report(
                    meta,
                    expr.span,
                    "get_unverified_claims returns claims whose signature was never checked",
                );
            }
            "python_jwt.process_jwt" => {
                let verified_nearby = cx.function().is_some_and(|f| {
                    let mut found = false;
                    walk_exprs(&f.body, &mut |e| {
                        found |= e.any(&mut |x| {
                            matches!(&x.kind, ExprKind::Call(c) if cx.resolve(&c.func).as_deref() == Some("python_jwt.verify_jwt"))
                        });
                    });
                    found
                });
                if !verified_nearby {
                    out.report(meta, expr.span, "process_jwt parses a token without verifying it, and verify_jwt is never called here");
                }
            }
            _ => {}
        }
    }
}
