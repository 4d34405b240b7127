use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::jwt_calls::{decoder, is_false, options};
use crate::rule::{Rule, RuleMeta};
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, Expr, ExprKind};

declare_rule! {
    /// ## What it finds
    /// A JWT decoded without checking its signature: PyJWT and python-jose
    /// `decode(..., options={"verify_signature": False})` (the options given inline or through a
    /// variable or constant), PyJWT 1.x `decode(..., verify=False)`, python-jose's
    /// `get_unverified_claims(...)`, and python_jwt's `process_jwt(...)` in a function that never
    /// calls `verify_jwt`.
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

impl Rule for JwtSignatureNotVerified {
    fn meta(&self) -> &'static RuleMeta {
        &JWT_SIGNATURE_NOT_VERIFIED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &JWT_SIGNATURE_NOT_VERIFIED;
        if decoder(cx, call).is_some() {
            if options(cx, call)
                .iter()
                .any(|(k, v)| k == "verify_signature" && is_false(v))
            {
                out.report(
                    meta,
                    expr.span,
                    "JWT decoded with verify_signature=False: any forged token is accepted",
                );
            } else if call.keyword("verify").is_some_and(is_false) {
                out.report(
                    meta,
                    expr.span,
                    "JWT decoded with verify=False: any forged token is accepted",
                );
            }
            return;
        }
        let Some(callee) = cx.resolve(&call.func) else {
            return;
        };
        match &*callee {
            "jose.jwt.get_unverified_claims" => {
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
