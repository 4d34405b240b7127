use crate::context::FileContext;
use crate::credentials::{
    credential_label, is_caller_supplied, is_class_member, is_constant_name,
    is_extracted_from_request, is_request_supplied, is_test_module,
};
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::place_of;
use crate::rule::{Rule, RuleMeta};
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{BoolOp, CmpOp, Expr, ExprKind, Span};

declare_rule! {
    /// ## What it finds
    /// A credential a caller supplies compared with a string literal: `token == "admin123"`,
    /// `x_api_key != "sk-live-..."`, `request.headers.get("X-API-Key") == "..."`,
    /// `password in ("a", "b")`, with the literal on either side, also held in a module-level
    /// name and compared with what the request carries (`request.headers.get("X-Channel-Token")
    /// != WATCH_TOKEN` with `WATCH_TOKEN = "..."` in the module or imported; a parameter of a
    /// helper compared with a named constant is a sentinel check: `api_key ==
    /// UNATTRIBUTED_API_KEY`). Credentials are recognised by
    /// the name of the variable, parameter, attribute, header or key (`token`, `password`,
    /// `api_key`, `authorization`, `secret`, `signature`, ...); the compared value must be what
    /// a caller sends: request data, a string parameter, an entry of a mapping parameter, a
    /// local holding one of these or computed from the request (`token =
    /// extract_token(request)`). A credential-named attribute of a configuration or record
    /// object (`cfg.api_key != "ollama"`, `server.token_exchange_profile == "entra_obo"`) or
    /// the result of another call (`credential = await lookup(...)`, compared with a status
    /// word such as `"unavailable"`) is the server's own value: comparing it with a literal
    /// tests a placeholder, a mode or a status, not a caller.
    ///
    /// Also not reported: names that only look like credentials (`token_type == "bearer"`,
    /// `grant_type`, `TOKEN_URL`, `password_length`, `credential_provider`, a lexer's or a
    /// language model's `main_token`, `next_token`, `eos_token`), constants compared
    /// with literals, model columns and enum members (`User.api_key == "..."` builds a query),
    /// literals made of digits only (`token in ["200", "404", "403"]`: status codes), unless
    /// the value compared is what the request carries (`request.headers["X-Pin"] == "4321"`,
    /// or a route handler's parameter), literals that are not secrets: schemes and kinds (`"bearer"`, `"basic"`, `""`), hash
    /// algorithm names (`"SHA1"`, `"SHA512"`), literals shorter than three characters,
    /// placeholders (`"fake-api-key"`, `"dummy"`, `"test-token"`, `"mypassword"`,
    /// `"invalid-api-key"`, `"your-api-key-here"`, `"<redacted>"`, `"sk-..."`), masks (`"********"`),
    /// bracketed markup (a tokenizer's special tokens `"<pad>"`, `"[CLS]"`) and sentinels
    /// (`credential == "present"`, `"none"`, `"unavailable"`); a literal refused beside the real
    /// check (`token != "ChangeMePlease" and token == config.admin_secret`, `token ==
    /// "ChangeMe" or token != secret`): a deny-list of sample values, never accepted; a
    /// variable the function compares
    /// with string literals in three or more places (`elif token_v == "from": ... elif token_v
    /// in ("table", "view"):`), a dispatch on what kind of value it holds (a lexer token, a
    /// command word), not a check of a secret; and test modules
    /// (`test_*.py`, `*_test.py`, `conftest.py`, files under `tests/`), whose literals are
    /// fixtures compared with mocks.
    ///
    /// ## Why is this dangerous
    /// The credential is in the source code, so everyone with the repository, a leaked wheel or
    /// an image knows it; it is the same in every deployment, cannot be rotated without a
    /// release, and usually grants administrative access. The comparison is also not constant
    /// time.
    ///
    /// ## Example
    /// ```python
    /// @app.get("/admin")
    /// def admin(token: str = Header()):
    ///     if token == "admin123":
    ///         return {"admin": True}
    /// ```
    ///
    /// ## Fix
    /// Authenticate through a real mechanism (a user lookup, a signed token). Where a shared
    /// secret is unavoidable, read it from the environment and compare in constant time:
    /// ```python
    /// if not secrets.compare_digest(token, os.environ["ADMIN_TOKEN"]):
    ///     raise HTTPException(status_code=401)
    /// ```
    pub static HARDCODED_CREDENTIAL_CHECK = {
        code: "AUTH002",
        name: "hardcoded-credential-check",
        severity: Critical,
        confidence: High,
        cwe: 798,
        fix: "Check credentials against a user store or a secret from the environment, in constant time",
    }
}

pub struct HardcodedCredentialCheck;

const NOT_SECRETS: &[&str] = &[
    "",
    "bearer",
    "basic",
    "digest",
    "token",
    "none",
    "null",
    "undefined",
    "true",
    "false",
    "access",
    "refresh",
    "password",
    "jwt",
    "api_key",
    "apikey",
    "session",
    "cookie",
    "header",
    "query",
    "oauth",
    "oauth2",
    "hmac",
    "sha256",
    "hs256",
    "rs256",
    "secret",
    "unset",
    "changeme",
    "***",
    "******",
    "********",
    "-",
    "n/a",
    "sha1",
    "sha224",
    "sha384",
    "sha512",
    "sha3_256",
    "sha3_512",
    "md5",
    "hs384",
    "hs512",
    "rs384",
    "rs512",
    "es256",
    "es384",
    "es512",
];

/// Words that open a placeholder: `fake-api-key`, `dummy`, `test-token`, `your-api-key-here`.
const PLACEHOLDER_PREFIXES: &[&str] = &[
    "fake",
    "dummy",
    "test",
    "example",
    "sample",
    "placeholder",
    "mock",
    "your",
    "redacted",
    "xxx",
    "insert",
    "replace",
    "todo",
    "invalid",
];

/// Sentinels that say whether a credential is there, not what it is.
const STATE_WORDS: &[&str] = &[
    "present",
    "missing",
    "set",
    "not-set",
    "not_set",
    "notset",
    "configured",
    "empty",
    "default",
    "masked",
    "hidden",
    "invalid",
    "expired",
    "revoked",
    "anonymous",
    "unavailable",
    "unknown",
    "error",
    "pending",
];

/// A literal that only stands in for a credential: a placeholder, a mask, a sentinel.
fn is_placeholder(lower: &str) -> bool {
    // `mypassword`, `my-api-key`: the value a documentation example tells you to replace.
    let documented_example = lower.strip_prefix("my").is_some_and(|rest| {
        let rest = rest.trim_start_matches(['-', '_', ' ']);
        ["password", "pass", "secret", "token", "key", "api"]
            .iter()
            .any(|w| rest.starts_with(w))
    });
    documented_example
        || STATE_WORDS.contains(&lower)
        || PLACEHOLDER_PREFIXES.iter().any(|p| lower.starts_with(p))
        || lower.contains("...")
        || lower.contains('\u{2026}')
        || lower.starts_with('<') && lower.ends_with('>')
        // `[CLS]`, `[@BOS@]`, `[REDACTED]`: a tokenizer's special token or a mask.
        || lower.starts_with('[') && lower.ends_with(']')
        || lower.starts_with('{') && lower.ends_with('}')
        || lower.starts_with("${")
        || lower
            .chars()
            .all(|c| matches!(c, '*' | 'x' | '\u{2022}' | '#' | '-' | '.'))
}

/// A literal that could be a secret: not empty, not a scheme, placeholder or sentinel word.
pub fn secret_like_literal(expr: &Expr) -> Option<&str> {
    let s = expr.as_str()?;
    let trimmed = s.trim();
    let lower = trimmed.to_ascii_lowercase();
    if trimmed.chars().count() < 3
        || NOT_SECRETS.contains(&lower.as_str())
        || is_placeholder(&lower)
        || lower.starts_with("bearer ") && trimmed.len() < 10
    {
        return None;
    }
    Some(s)
}

/// How many comparisons with different literals make a function a dispatch on the value.
const DISPATCH_BRANCHES: usize = 3;

/// True when the function holding the comparison compares the same variable with string
/// literals in several places (`if token_v == "from": ... elif token_v == "truncate": ...
/// elif token_v in ("table", "view"): ...`): the code branches on what kind of value it holds
/// (a lexer token, a keyword, a command), it does not check a secret. A backdoor compares a
/// credential with one or two literals.
fn dispatches_on(cx: &FileContext, value: &Expr) -> bool {
    let Some(name) = value.as_name() else {
        return false;
    };
    let Some(function) = cx.function() else {
        return false;
    };
    let is_literal_set = |e: &Expr| {
        e.as_str().is_some()
            || e.elements()
                .is_some_and(|items| items.iter().all(|i| i.as_str().is_some()))
    };
    let mut literals: Vec<Span> = Vec::new();
    walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            if let Some((left, _, right)) = x.single_compare() {
                let other = if left.as_name() == Some(name) {
                    Some(right)
                } else if right.as_name() == Some(name) {
                    Some(left)
                } else {
                    None
                };
                if let Some(other) = other
                    && is_literal_set(other)
                    && !literals.contains(&other.span)
                {
                    literals.push(other.span);
                }
            }
            false
        });
    });
    literals.len() >= DISPATCH_BRANCHES
}

/// True when the comparison `compare` of `value` with a literal is a deny-list beside the
/// real check: `token != "ChangeMePlease" and token == config.admin_secret` (also `not in`,
/// and the negated form `token == "ChangeMe" or token != secret`). Whatever the `and` means,
/// it holds only for values equal to the other operand, so the literal is never accepted: a
/// refused sample value, not a credential.
fn is_denylist(cx: &FileContext, compare: &Expr, op: CmpOp, value: &Expr) -> bool {
    let Some(place) = place_of(value) else {
        return false;
    };
    let (joined, accepting) = match op {
        CmpOp::NotEq | CmpOp::NotIn => (BoolOp::And, CmpOp::Eq),
        CmpOp::Eq | CmpOp::In => (BoolOp::Or, CmpOp::NotEq),
        _ => return false,
    };
    let body = match cx.function() {
        Some(f) => &f.body,
        None => &cx.file.parsed.module.body,
    };
    let mut found = false;
    walk_exprs(body, &mut |e| {
        found |= e.any(&mut |x| {
            let ExprKind::BoolOp { op, values } = &x.kind else {
                return false;
            };
            *op == joined
                && values.iter().any(|v| v.span == compare.span)
                && values.iter().any(|v| {
                    let Some((left, o, right)) = v.single_compare() else {
                        return false;
                    };
                    let other = if place_of(left).as_ref() == Some(&place) {
                        right
                    } else if place_of(right).as_ref() == Some(&place) {
                        left
                    } else {
                        return false;
                    };
                    o == accepting
                        && other.as_str().is_none()
                        && !matches!(other.kind, ExprKind::NoneLiteral)
                })
        });
    });
    found
}

/// The string literal a module-level name holds (`WATCH_CALLBACK_TOKEN = "target=app"`, also
/// imported from another module): a credential written in the code behind a constant.
fn module_literal<'e>(cx: &'e FileContext, expr: &'e Expr) -> Option<&'e Expr> {
    let origin = cx.resolve_value(expr);
    (origin.scope.is_empty() && !std::ptr::eq(origin.expr, expr) && origin.expr.as_str().is_some())
        .then_some(origin.expr)
}

/// True when every secret-like literal of `expr` is made of digits only (`"200"`, `["200",
/// "404"]`): HTTP status codes, counts, numeric ids. Such a literal is a credential only
/// against what the request itself carries (`request.headers["X-Pin"] == "4321"`); a
/// parameter of a helper compared with it (`token in ["200", "404"]` over the words of a
/// page) tests a number, not a caller.
fn only_digits(expr: &Expr) -> bool {
    literals(expr)
        .iter()
        .all(|l| l.trim().chars().all(|c| c.is_ascii_digit()))
}

fn literals(expr: &Expr) -> Vec<&str> {
    match expr.elements() {
        Some(items) => items.iter().filter_map(secret_like_literal).collect(),
        None => secret_like_literal(expr).into_iter().collect(),
    }
}

impl Rule for HardcodedCredentialCheck {
    fn meta(&self) -> &'static RuleMeta {
        &HARDCODED_CREDENTIAL_CHECK
    }

    fn on_compare(&self, cx: &FileContext, expr: &Expr, out: &mut Findings) {
        if is_test_module(cx) {
            return;
        }
        // What a caller sends, not the server's own configuration or records.
        let supplied = |e: &Expr| is_caller_supplied(cx, e) || is_extracted_from_request(cx, e);
        let from_request =
            |e: &Expr| is_request_supplied(cx, e) || is_extracted_from_request(cx, e);
        for (lhs, op, rhs) in expr.comparisons() {
            let pair = match op {
                CmpOp::Eq | CmpOp::NotEq => {
                    [(lhs, rhs), (rhs, lhs)]
                        .into_iter()
                        .find_map(|(value, literal)| {
                            // Cheapest tests first: whether the value is supplied follows
                            // its data through the function.
                            let literal = match literal.kind {
                                ExprKind::Str(_) => literal,
                                // Behind a name, only against what the request carries:
                                // helpers compare their parameters with named sentinels
                                // (`api_key == UNATTRIBUTED_API_KEY`, `secret == CENSORED`).
                                ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                                    credential_label(value)?;
                                    let held = module_literal(cx, literal)?;
                                    (is_request_supplied(cx, value)
                                        || is_extracted_from_request(cx, value))
                                    .then_some(held)?
                                }
                                _ => return None,
                            };
                            if literals(literal).is_empty()
                                || only_digits(literal) && !from_request(value)
                            {
                                return None;
                            }
                            let label = credential_label(value)?;
                            (!is_class_member(value) && supplied(value)).then_some((label, value))
                        })
                }
                CmpOp::In | CmpOp::NotIn => credential_label(lhs)
                    .filter(|_| {
                        rhs.elements().is_some()
                            && !literals(rhs).is_empty()
                            && (!only_digits(rhs) || from_request(lhs))
                            && !is_class_member(lhs)
                            && supplied(lhs)
                    })
                    .map(|label| (label, lhs)),
                _ => None,
            };
            if let Some((label, value)) = pair
                && !dispatches_on(cx, value)
                && !is_denylist(cx, expr, op, value)
            {
                let value_side_constant = is_constant_name(lhs) && is_constant_name(rhs)
                    || is_constant_name(lhs) && rhs.as_str().is_some()
                    || is_constant_name(rhs) && lhs.as_str().is_some();
                if !value_side_constant {
                    out.report(
                        &HARDCODED_CREDENTIAL_CHECK,
                        expr.span,
                        format!("`{label}` is compared with a hard-coded credential"),
                    );
                    return;
                }
            }
        }
    }
}
