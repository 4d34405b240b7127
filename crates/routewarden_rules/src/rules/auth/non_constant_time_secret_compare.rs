use crate::context::FileContext;
use crate::credentials::{
    credential_label, is_class_member, is_constant_name, is_descriptive_credential_name,
};
use crate::declare_rule;
use crate::findings::Findings;
use crate::rule::{Rule, RuleMeta};
use routewarden_python::ast::{CmpOp, Expr, ExprKind};

declare_rule! {
    /// ## What it finds
    /// A secret (token, API key, signature, HMAC, digest, password hash) compared with `==` or
    /// `!=` against another non-literal value, instead of with `hmac.compare_digest` or
    /// `secrets.compare_digest`: `if signature != expected`, `if api_key == settings.api_key`,
    /// `hmac.new(...).hexdigest() == received`. Comparisons with a literal are AUTH002;
    /// comparisons with `None`, numbers, booleans and lengths are not reported, nor are
    /// comparisons with a constant holding a literal (`password == PASSWORD_MASK`), SQLAlchemy
    /// column expressions and enum members (`where(Client.client_secret == secret)`,
    /// `auth_type == MCPAuth.token`: they build queries or check kinds), two password fields
    /// of a form, and names that only contain a credential word (`next_page_token`,
    /// `options_signature`, `token_type`).
    ///
    /// ## Why is this dangerous
    /// `==` on strings stops at the first differing character, so the response time leaks how
    /// much of a guess was right. Over many requests an attacker can recover a signature or API
    /// key byte by byte. Webhook signature checks and API-key middleware are the classic targets.
    ///
    /// ## Example
    /// ```python
    /// expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    /// if request.headers["X-Signature"] != expected:
    ///     abort(401)
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// if not hmac.compare_digest(request.headers["X-Signature"], expected):
    ///     abort(401)
    /// ```
    pub static NON_CONSTANT_TIME_SECRET_COMPARE = {
        code: "AUTH003",
        name: "non-constant-time-secret-compare",
        severity: Medium,
        confidence: Medium,
        cwe: 208,
        fix: "Compare secrets with hmac.compare_digest or secrets.compare_digest",
    }
}

pub struct NonConstantTimeSecretCompare;

/// `x.hexdigest()`, `x.digest()`: computed MACs and hashes.
fn is_digest_call(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Call(c) if matches!(c.func.last_name(), Some("hexdigest" | "digest")))
}

/// An ALL_CAPS constant that holds a literal: a mask or sentinel (`PASSWORD_MASK =
/// "********"`). A hard-coded credential behind a constant is AUTH002's and SECRET001's.
fn is_literal_constant(cx: &FileContext, expr: &Expr) -> bool {
    is_constant_name(expr) && is_plain_value(cx.resolve_value(expr).expr)
}

/// Values that cannot be secrets: literals, `None`, numbers, lengths, booleans.
fn is_plain_value(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Str(_)
        | ExprKind::Bytes(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLiteral
        | ExprKind::FString(_)
        | ExprKind::List(_)
        | ExprKind::Tuple(_)
        | ExprKind::Dict(_) => true,
        ExprKind::Call(c) => matches!(
            c.func.last_name(),
            Some("len" | "int" | "bool" | "type" | "isinstance")
        ),
        _ => false,
    }
}

impl Rule for NonConstantTimeSecretCompare {
    fn meta(&self) -> &'static RuleMeta {
        &NON_CONSTANT_TIME_SECRET_COMPARE
    }

    fn on_compare(&self, cx: &FileContext, expr: &Expr, out: &mut Findings) {
        for (lhs, op, rhs) in expr.comparisons() {
            if matches!(op, CmpOp::Eq | CmpOp::NotEq)
                && !is_plain_value(lhs)
                && !is_plain_value(rhs)
                && !is_class_member(lhs)
                && !is_class_member(rhs)
                && !is_literal_constant(cx, lhs)
                && !is_literal_constant(cx, rhs)
                && !is_descriptive_credential_name(lhs)
                && !is_descriptive_credential_name(rhs)
            {
                let secret = credential_label(lhs)
                    .or_else(|| credential_label(rhs))
                    .or_else(|| {
                        (is_digest_call(lhs) || is_digest_call(rhs)).then(|| "a digest".to_string())
                    });
                let both_constants = is_constant_name(lhs) && is_constant_name(rhs);
                // `password == confirm_password`: a form's two fields, not a secret check. A
                // stored hash (`user.password_hash == password_hash`) is a secret.
                let is_password = |e: &Expr| {
                    credential_label(e).is_some_and(|l| {
                        let l = l.to_ascii_lowercase();
                        (l.contains("password") || l.contains("passwd") || l.contains("pwd"))
                            && !l.contains("hash")
                    })
                };
                if is_password(lhs) && is_password(rhs) {
                    continue;
                }
                if let Some(secret) = secret.filter(|_| !both_constants) {
                    out.report(
                        &NON_CONSTANT_TIME_SECRET_COMPARE,
                        expr.span,
                        format!(
                            "`{secret}` is compared with {}, which leaks timing",
                            if op == CmpOp::Eq { "==" } else { "!=" }
                        ),
                    );
                    return;
                }
            }
        }
    }
}
