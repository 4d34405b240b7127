//! Small judgements several rules share.

use crate::context::FileContext;
use routewarden_python::ast::{Expr, ExprKind};

/// The lower-case words of an identifier: `DevelopmentConfig` and `dev_config` both give
/// `["development", "config"]`-style lists.
pub fn identifier_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Class and module names that mark development, testing or local configuration.
pub fn is_non_production_name(name: &str) -> bool {
    identifier_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "dev"
                | "devel"
                | "develop"
                | "development"
                | "test"
                | "tests"
                | "testing"
                | "unittest"
                | "local"
                | "debug"
                | "ci"
                | "example"
                | "sample"
                | "demo"
                | "mock"
                | "fake"
        )
    })
}

/// A literal that is truthy as a Python value or as an environment string.
pub fn is_truthy_literal(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Bool(b) => *b,
        ExprKind::Int(Some(i)) => *i != 0,
        ExprKind::Str(s) => matches!(s.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"),
        _ => false,
    }
}

/// The literal `True` (or a truthy literal) after following names in the current scope.
pub fn is_enabled(cx: &FileContext, expr: &Expr) -> bool {
    if is_truthy_literal(expr) {
        return true;
    }
    // Only names are followed; the origin must itself be a literal.
    let origin = cx.model.resolve_value(cx.file_index, &cx.functions, expr);
    is_truthy_literal(origin.expr) && !std::ptr::eq(origin.expr, expr)
}

/// A literal that is falsy as a Python value or as an environment string.
pub fn is_falsy_literal(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Bool(b) => !*b,
        ExprKind::Int(Some(i)) => *i == 0,
        ExprKind::NoneLiteral => true,
        ExprKind::Str(s) => matches!(
            s.to_ascii_lowercase().as_str(),
            "0" | "false" | "no" | "off"
        ),
        _ => false,
    }
}

/// Host strings that bind every interface.
pub fn is_public_host(expr: &Expr) -> bool {
    matches!(expr.as_str(), Some("0.0.0.0" | "::" | "[::]" | ""))
}

/// Configuration keys and setting names that hold signing keys.
pub fn is_signing_key_name(name: &str, extra: &[String]) -> bool {
    let upper = name.to_ascii_uppercase();
    if extra.iter().any(|e| e.eq_ignore_ascii_case(name)) {
        return true;
    }
    let upper = upper.trim_start_matches('_');
    // Names that describe a secret without being one.
    if upper.ends_with("_NAME")
        || upper.ends_with("_FILE")
        || upper.ends_with("_PATH")
        || upper.ends_with("_LENGTH")
        || upper.ends_with("_HEADER")
        || upper.ends_with("_ENV")
        || upper.ends_with("_VAR")
        || upper.ends_with("_ID")
        || upper.ends_with("_URL")
    {
        return false;
    }
    upper.contains("SECRET")
        || upper.ends_with("SIGNING_KEY")
        || upper.ends_with("JWT_KEY")
        || upper.ends_with("SESSION_KEY")
        || upper.ends_with("PRIVATE_KEY")
        || upper.ends_with("PASSWORD_SALT")
        || upper == "SALT"
}

const WEAK_SECRETS: &[&str] = &[
    "",
    "dev",
    "development",
    "secret",
    "secret-key",
    "secret_key",
    "secretkey",
    "changeme",
    "change-me",
    "change_me",
    "changethis",
    "change-this",
    "changeit",
    "default",
    "test",
    "testing",
    "key",
    "password",
    "supersecret",
    "super-secret",
    "super_secret",
    "mysecret",
    "my-secret",
    "my_secret",
    "my-secret-key",
    "mysecretkey",
    "your-secret-key",
    "your_secret_key",
    "yoursecretkey",
    "s3cr3t",
    "replace-me",
    "replaceme",
    "xxx",
    "abc123",
    "123456",
    "12345",
    "please-change",
    "insecure",
    "notsecret",
    "not-secret",
    "dev-secret",
    "dev_secret",
    "dev-key",
    "devkey",
    "flask",
    "fastapi",
    "jwt-secret",
    "jwt_secret",
    "jwtsecret",
    "hard to guess string",
    "hard-to-guess",
    "you-will-never-guess",
    "keyboard cat",
    "qwerty",
];

/// True for the placeholder values that tutorials, templates and defaults use.
pub fn is_weak_secret(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    WEAK_SECRETS.contains(&lower.as_str())
        || lower.contains("change") && lower.contains("me")
        || lower.starts_with("your") && lower.contains("secret")
        || lower.contains("insecure")
}

/// How a message describes a literal secret without repeating a real one.
pub fn describe_secret(value: &str) -> String {
    if is_weak_secret(value) {
        if value.is_empty() {
            "an empty string, a well-known weak value".to_string()
        } else {
            format!("\"{value}\", a well-known weak value")
        }
    } else {
        format!("a literal of {} characters", value.chars().count())
    }
}

/// The key text of `X["KEY"]` when `KEY` is a string literal.
pub fn subscript_key(expr: &Expr) -> Option<(&Expr, &str)> {
    match &expr.kind {
        ExprKind::Subscript { value, slice } => Some((value, slice.as_str()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_names() {
        assert!(is_non_production_name("DevelopmentConfig"));
        assert!(is_non_production_name("TestingConfig"));
        assert!(is_non_production_name("local_settings"));
        assert!(is_non_production_name("CIConfig") || is_non_production_name("CiConfig"));
        assert!(!is_non_production_name("CityConfig"));
        assert!(!is_non_production_name("ProductionConfig"));
        assert!(!is_non_production_name("Config"));
        assert!(!is_non_production_name("LatestConfig"));
    }

    #[test]
    fn signing_key_names() {
        assert!(is_signing_key_name("SECRET_KEY", &[]));
        assert!(is_signing_key_name("JWT_SECRET_KEY", &[]));
        assert!(is_signing_key_name("secret_key", &[]));
        assert!(!is_signing_key_name("SECRET_KEY_FILE", &[]));
        assert!(!is_signing_key_name("DEBUG", &[]));
        assert!(is_signing_key_name("MY_KEY", &["my_key".to_string()]));
    }
}

/// Classes whose instances are Flask-style applications with a `config` mapping.
pub const FLASK_APP_CLASSES: &[&str] = &[
    "flask.Flask",
    "flask.app.Flask",
    "quart.Quart",
    "apiflask.APIFlask",
];

/// True when `expr` is an application object of one of the Flask-like classes.
pub fn is_flask_app(cx: &FileContext, expr: &Expr) -> bool {
    cx.instance_class(expr)
        .is_some_and(|c| FLASK_APP_CLASSES.contains(&c.as_str()))
}

/// True when `expr` is `<flask app>.config`.
pub fn is_flask_config(cx: &FileContext, expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Attribute { value, attr } if attr == "config" => is_flask_app(cx, value),
        _ => false,
    }
}

/// The `(key, value)` pairs a configuration call sets: `update(K=v)`, `update({"K": v})`,
/// `from_mapping(K=v)`, `from_mapping({"K": v})`, also through `dict(K=v)`.
pub fn mapping_items(
    call: &routewarden_python::ast::Call,
) -> Vec<(&str, &Expr, routewarden_python::ast::Span)> {
    let mut items = Vec::new();
    for k in &call.keywords {
        if let Some(arg) = &k.arg {
            items.push((arg.as_str(), &k.value, k.span));
        }
    }
    for arg in &call.args {
        dict_items(arg, &mut items);
    }
    items
}

fn dict_items<'a>(
    expr: &'a Expr,
    items: &mut Vec<(&'a str, &'a Expr, routewarden_python::ast::Span)>,
) {
    match &expr.kind {
        ExprKind::Dict(entries) => {
            for entry in entries {
                if let Some(key) = entry.key.as_ref().and_then(|k| k.as_str()) {
                    items.push((
                        key,
                        &entry.value,
                        entry
                            .key
                            .as_ref()
                            .map_or(expr.span, |k| k.span.cover(entry.value.span)),
                    ));
                }
            }
        }
        ExprKind::Call(call) if call.func.as_name() == Some("dict") => {
            for k in &call.keywords {
                if let Some(arg) = &k.arg {
                    items.push((arg.as_str(), &k.value, k.span));
                }
            }
        }
        _ => {}
    }
}

/// The text of a literal secret: a string or bytes literal, `"...".encode()`, or a name that
/// leads to one (a module constant, also in another module). Returns the literal's expression.
pub fn literal_secret<'e>(cx: &'e FileContext, expr: &'e Expr) -> Option<(String, &'e Expr)> {
    let origin = cx.resolve_value(expr);
    literal_text_of(origin.expr).map(|t| (t, origin.expr))
}

fn literal_text_of(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Str(_) | ExprKind::Bytes(_) => expr.literal_text(),
        ExprKind::Call(call) if call.args.is_empty() => match &call.func.kind {
            ExprKind::Attribute { value, attr } if attr == "encode" => value.literal_text(),
            _ => None,
        },
        _ => None,
    }
}

/// True when `expr` is `X.config` or a bare `config` mapping (Flask-style configuration).
pub fn is_config_mapping(cx: &FileContext, expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Attribute { attr, .. } if attr == "config" => true,
        _ => is_flask_config(cx, expr),
    }
}

/// Bases that make a class a pydantic settings class, whose field defaults are fallbacks for
/// environment variables.
pub const SETTINGS_BASES: &[&str] = &[
    "pydantic_settings.BaseSettings",
    "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings",
    "pydantic.v1.BaseSettings",
    "pydantic.env_settings.BaseSettings",
];

pub fn is_settings_class(cx: &FileContext, class: &routewarden_python::ast::Class) -> bool {
    class.bases.iter().any(|b| {
        cx.model
            .class_name(cx.file_index, b)
            .is_some_and(|q| SETTINGS_BASES.contains(&q.as_str()))
    })
}
