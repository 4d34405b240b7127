//! Recognising credentials by name: variables, parameters, attributes, header and dict keys.

use crate::helpers::identifier_words;
use routewarden_python::ast::{Expr, ExprKind};

/// Words that make a name a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "apikey",
    "authorization",
    "credential",
    "credentials",
    "signature",
    "hmac",
    "otp",
    "totp",
];

/// Words that make a credential-looking name describe something else: `token_type`,
/// `password_length`, `TOKEN_URL`.
const DESCRIPTIVE_WORDS: &[&str] = &[
    "type",
    "types",
    "url",
    "uri",
    "endpoint",
    "name",
    "names",
    "id",
    "ids",
    "length",
    "len",
    "expire",
    "expires",
    "expiry",
    "exp",
    "prefix",
    "header",
    "headers",
    "field",
    "fields",
    "kind",
    "format",
    "location",
    "scheme",
    "method",
    "mode",
    "hint",
    "label",
    "count",
    "policy",
    "required",
    "enabled",
    "usage",
    "source",
    "path",
    "file",
    "dir",
    "env",
    "var",
    "lifetime",
    "ttl",
    "age",
    "timeout",
    "version",
    "algorithm",
    "alg",
    "strength",
    "min",
    "max",
    "regex",
    "pattern",
    "placeholder",
    "help",
    "message",
    "error",
    "status",
    "changed",
    "reset",
    "hash_method",
    // Pagination cursors and cache fingerprints: `next_page_token`, `options_signature`.
    "page",
    "cursor",
    "continuation",
    "options",
    "option",
];

/// `api_key`, `x-api-key`, `secret_key`, `access_key`: keys that are credentials.
fn key_compound(words: &[String]) -> bool {
    words.windows(2).any(|w| {
        w[1] == "key"
            && matches!(
                w[0].as_str(),
                "api" | "secret" | "access" | "private" | "auth" | "admin" | "master" | "signing"
            )
    })
}

/// True for identifiers such as `token`, `x_api_key`, `X-API-Key`, `admin_password`; false for
/// `token_type`, `grant_type`, `TOKEN_URL`, `password_length`.
pub fn is_credential_name(name: &str) -> bool {
    let words = identifier_words(name);
    if words.is_empty() {
        return false;
    }
    let credential =
        words.iter().any(|w| CREDENTIAL_WORDS.contains(&w.as_str())) || key_compound(&words);
    credential
        && !words
            .iter()
            .any(|w| DESCRIPTIVE_WORDS.contains(&w.as_str()))
}

/// True for names with a credential word that say they hold something else: `token_type`,
/// `next_page_token`, `options_signature`. A value compared with one of these is of the same
/// non-secret kind.
pub fn is_descriptive_credential_name(expr: &Expr) -> bool {
    let name = match &expr.kind {
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => n,
        _ => return false,
    };
    let words = identifier_words(name);
    (words.iter().any(|w| CREDENTIAL_WORDS.contains(&w.as_str())) || key_compound(&words))
        && !is_credential_name(name)
}

/// The name an expression is known by: a variable, an attribute, a subscript or `.get()` key.
pub fn credential_label(expr: &Expr) -> Option<String> {
    let label = match &expr.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Attribute { attr, .. } => attr.clone(),
        ExprKind::Subscript { slice, .. } => slice.as_str()?.to_string(),
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { attr, .. } if attr == "get" || attr == "getenv" => {
                call.args.first()?.as_str()?.to_string()
            }
            _ => return None,
        },
        ExprKind::Await(inner) => return credential_label(inner),
        _ => return None,
    };
    is_credential_name(&label).then_some(label)
}

/// `User.api_key`, `Client.client_secret`, `MCPAuth.token`, `models.User.token`: a member of
/// a class named in the code. Comparing a model column builds a query (`filter(User.api_key ==
/// key)`), comparing an enum member checks a kind; neither compares secret values.
pub fn is_class_member(expr: &Expr) -> bool {
    let ExprKind::Attribute { value, .. } = &expr.kind else {
        return false;
    };
    if !matches!(value.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
        return false;
    }
    value.last_name().is_some_and(|n| {
        n.starts_with(|c: char| c.is_ascii_uppercase()) && n.chars().any(|c| c.is_ascii_lowercase())
    })
}

/// True for ALL_CAPS names: constants, not values from a request.
pub fn is_constant_name(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => {
            n.chars().any(|c| c.is_ascii_alphabetic()) && !n.chars().any(|c| c.is_ascii_lowercase())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for yes in [
            "token",
            "x_api_key",
            "X-API-Key",
            "admin_password",
            "authorization",
            "apiKey",
            "signature",
            "password_hash",
        ] {
            assert!(is_credential_name(yes), "{yes}");
        }
        for no in [
            "token_type",
            "grant_type",
            "TOKEN_URL",
            "password_length",
            "key",
            "monkey",
            "tokenizer",
            "user",
            "next_page_token",
            "options_signature",
        ] {
            assert!(!is_credential_name(no), "{no}");
        }
    }
}
