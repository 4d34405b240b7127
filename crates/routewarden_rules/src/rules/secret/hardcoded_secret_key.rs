use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::flask_usage::is_test_file;
use crate::helpers::{
    LiteralSecret, SecretSource, class_attribute, describe_secret, identifier_words,
    is_config_mapping, is_key_setting, is_non_production_module, is_non_production_name,
    is_signing_key_name, literal_secret, literal_secret_in, loads_itself_as_config,
    mapping_items_in, production_value, setdefault_item, subscript_key,
};
use crate::jwt_calls::imported_key_material;
use crate::rule::{Rule, RuleMeta};
use crate::rules::secret::secret_with_literal_fallback::{sent_to_another_service, siblings};
use routewarden_python::ast::{Call, Expr, ExprKind, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// A string or bytes literal used as a signing key. Forms: Flask's `app.secret_key`,
    /// `app.config["SECRET_KEY"]` (and `JWT_SECRET_KEY`, `SECURITY_PASSWORD_SALT`,
    /// `WTF_CSRF_SECRET_KEY` and other signing-key names, plus the configured ones),
    /// `config.update(...)` (also of a mapping a loader returns as a copy of its defaults,
    /// `cfg = DEFAULTS.copy()` ... `return cfg`), `config.from_mapping(...)`,
    /// `config.setdefault(...)`, a signing-key
    /// constant of a configuration production loads (a class loaded with `config.from_object` or
    /// named `*Config`/`*Settings`, a module loaded with `from_object`/`from_pyfile` or
    /// `from_object(__name__)`, also when `from_object` is given a factory parameter whose
    /// default names it: `def create_app(config="pkg.settings.Defaults")`; reported where it is
    /// assigned, also when a production subclass inherits it), the key argument of `jwt.encode`/`jwt.decode` (PyJWT, python-jose,
    /// authlib, joserfc, whose key object is followed to the material it is imported from:
    /// `OctKey.import_key(secret)`, `jwk.import_key(secret, "oct")`), itsdangerous serializers and signers, Starlette's
    /// `SessionMiddleware(secret_key=...)` (direct, through `add_middleware` or `Middleware`),
    /// and a signing key written into `os.environ`.
    ///
    /// The key may come through a local variable, a module constant (also imported from another
    /// module), a class attribute, the constant of a defaults module read through a
    /// configuration object that answers attributes itself (`config.JWT_SECRET` where `Config`
    /// defines `__getattr__` and its methods pass the module `defaults` on), or the default of a pydantic settings field reached through
    /// an instance, a factory such as `get_settings()` or a parameter annotated with the settings
    /// class. A literal already reported where it is defined (a configuration constant by this
    /// rule, a settings field named for a key by SECRET002) is not reported again at its uses.
    /// The message says when the value is a well-known weak one such as `dev`, `changeme` or a
    /// documentation example; other values are not repeated.
    ///
    /// Not reported: empty Flask keys (Flask then refuses to sign), placeholders the
    /// application refuses to start with (`if app.config["SECRET_KEY"] == "CHANGE ME":
    /// sys.exit(1)`, also `if PRODUCTION and app.secret_key == "CHANGE ME": raise`, anywhere in
    /// the project: the literal never signs, also when a configuration class holds it), PEM public keys and
    /// certificates, `jwt.decode` with `verify_signature` off, `jwt.encode` with
    /// `algorithm="none"` (an unsigned token: JWT002's finding), names that describe a key rather
    /// than hold it (`SECRET_KEY_FILE`, `SECRETS_DIR`), configuration classes and modules named
    /// for development or testing (`TestingConfig`, `config/local.py`), a base class whose
    /// production subclasses all assign the key again, and pydantic settings classes (their
    /// defaults are SECRET002's), a key a class only inherits from a testing configuration
    /// (`class AltUIConfig(TestingConfig)` is a test fixture too; development configurations
    /// are not excused), upper-case literals that name the key itself (`class ConfigKey:
    /// SECRET_KEY = "SECRET_KEY"`, a table of configuration key names), an OAuth client's secret
    /// in a configuration class or module (`SWAN_CLIENT_SECRET`, presented to the provider, as
    /// SECRET002 judges it) that no call signs or verifies with, and keys written in test
    /// modules (`test_*.py`, `*_test.py`, `conftest.py`, modules under a `tests` package or
    /// folder): the key of an application built by a test signs nothing a deployment trusts.
    /// A key the application's own modules hold is still reported, even when a test calls
    /// them, and so are sample data and fixtures kept outside test modules.
    ///
    /// ## Why is this dangerous
    /// Whoever knows the signing key can forge what it signs: Flask and Starlette session cookies
    /// (log in as any user, set `is_admin`), JWTs, password-reset and email-confirmation links. A
    /// key in the source is known to everyone with the repository, its history, a leaked wheel or
    /// a container image, and placeholder keys are the first an attacker tries.
    ///
    /// ## Example
    /// ```python
    /// app = Flask(__name__)
    /// app.config["SECRET_KEY"] = "dev"
    ///
    /// token = jwt.encode({"sub": user.id}, "my-secret", algorithm="HS256")
    /// ```
    ///
    /// ## Fix
    /// Read the key from the environment or a secret manager, with no fallback, so a missing key
    /// stops the application instead of weakening it:
    /// ```python
    /// app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    /// ```
    /// Generate keys with `python -c "import secrets; print(secrets.token_hex(32))"` and rotate
    /// any key that was ever committed.
    pub static HARDCODED_SECRET_KEY = {
        code: "SECRET001",
        name: "hardcoded-secret-key",
        severity: Critical,
        confidence: High,
        cwe: 798,
        fix: "Read the signing key from the environment or a secret manager, without a literal fallback",
    }
}

pub struct HardcodedSecretKey;

/// Functions that sign or verify with a key, and the position of the key argument.
pub(crate) const KEY_FUNCTIONS: &[(&str, usize)] = &[
    ("jwt.encode", 1),
    ("jwt.decode", 1),
    ("jwt.api_jwt.encode", 1),
    ("jwt.api_jwt.decode", 1),
    ("jwt.api_jws.encode", 1),
    ("jwt.api_jws.decode", 1),
    ("jose.jwt.encode", 1),
    ("jose.jwt.decode", 1),
    ("jose.jws.sign", 1),
    ("jose.jws.verify", 1),
    ("authlib.jose.jwt.encode", 2),
    ("authlib.jose.jwt.decode", 1),
    ("joserfc.jwt.encode", 2),
    ("joserfc.jwt.decode", 1),
];

pub(crate) const SIGNERS: &[&str] = &[
    "itsdangerous.URLSafeTimedSerializer",
    "itsdangerous.URLSafeSerializer",
    "itsdangerous.TimedSerializer",
    "itsdangerous.Serializer",
    "itsdangerous.TimestampSigner",
    "itsdangerous.Signer",
    "itsdangerous.TimedJSONWebSignatureSerializer",
    "itsdangerous.JSONWebSignatureSerializer",
    "itsdangerous.url_safe.URLSafeTimedSerializer",
    "itsdangerous.url_safe.URLSafeSerializer",
    "itsdangerous.serializer.Serializer",
    "itsdangerous.timed.TimedSerializer",
    "itsdangerous.timed.TimestampSigner",
    "itsdangerous.signer.Signer",
    "itsdangerous.jws.TimedJSONWebSignatureSerializer",
    "itsdangerous.jws.JSONWebSignatureSerializer",
];

const SESSION_MIDDLEWARE: &[&str] = &["starlette.middleware.sessions.SessionMiddleware"];

/// What an empty literal means where the key is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Empty {
    /// Flask treats an empty secret key as none and refuses to sign.
    Unset,
    /// Signing libraries sign with the empty key.
    Weak,
}

fn check_value(
    cx: &FileContext,
    value: &Expr,
    span: Span,
    what: &str,
    empty: Empty,
    out: &mut Findings,
) {
    if let Some(secret) = literal_secret(cx, value) {
        check_secret(cx, secret, span, what, empty, out);
    }
}

/// The key argument of a signing call: a literal, or a joserfc key object built from one
/// (`OctKey.import_key(FALLBACK_KEY)`), followed where the key object is built.
fn check_key(cx: &FileContext, key: &Expr, span: Span, what: &str, out: &mut Findings) {
    let secret = match imported_key_material(cx.model, cx.file_index, &cx.functions, key) {
        Some(material) => {
            literal_secret_in(cx.model, material.file, &material.scope, material.expr)
        }
        None => literal_secret(cx, key),
    };
    if let Some(secret) = secret {
        check_secret(cx, secret, span, what, Empty::Weak, out);
    }
}

fn check_secret(
    cx: &FileContext,
    secret: LiteralSecret,
    span: Span,
    what: &str,
    empty: Empty,
    out: &mut Findings,
) {
    let skip = if secret.text.is_empty() {
        empty == Empty::Unset
    } else {
        reported_at_definition(cx, &secret.source) || cx.refused_at_startup(&secret.text)
    };
    if skip {
        return;
    }
    let described = describe_secret(&secret.text);
    let message = match secret.source {
        SecretSource::ClassAttribute {
            class,
            name,
            settings: true,
            ..
        } => format!(
            "{what} is the default of settings field {}.{name}, hard-coded: {described}",
            class.name
        ),
        SecretSource::ClassAttribute { class, name, .. } => {
            format!("{what} is {}.{name}, hard-coded: {described}", class.name)
        }
        SecretSource::ModuleConstant { name, .. } => {
            format!("{what} is the constant {name}, hard-coded: {described}")
        }
        SecretSource::Inline => format!("{what} is hard-coded: {described}"),
    };
    out.report(&HARDCODED_SECRET_KEY, span, message);
}

/// True when the literal is reported where it is written, so its uses are not reported again:
/// a signing-key constant of a configuration class or module production loads (by this rule),
/// or the default of a pydantic settings field named for a key (by SECRET002).
fn reported_at_definition(cx: &FileContext, source: &SecretSource) -> bool {
    let model = cx.model;
    let names = &cx.settings.secret_key_names;
    match *source {
        SecretSource::Inline => false,
        SecretSource::ModuleConstant { file, name, span } => {
            module_constant_reported(cx, file, name, span)
        }
        SecretSource::ClassAttribute {
            file,
            class,
            name,
            settings: true,
            ..
        } => {
            class_attribute(class, name).is_some_and(|(_, v)| is_key_setting(name, v, names))
                && !is_non_production_name(&class.name)
                && !is_non_production_module(model, file)
        }
        SecretSource::ClassAttribute {
            file, name, span, ..
        } => config_constant_reported(cx, file, name, span),
    }
}

/// True when the module-level assignment at `span` gives a signing key to a module loaded as
/// configuration (`from_object`, `from_pyfile`, `from_object(__name__)`).
fn module_constant_reported(cx: &FileContext, file: usize, name: &str, span: Span) -> bool {
    config_constant_reported(cx, file, name, span)
        || is_constant_key_name(name, &cx.settings.secret_key_names)
            && !is_non_production_module(cx.model, file)
            && loads_itself_as_config(cx.model, file)
}

/// An upper-case constant named for a signing key: `SECRET_KEY`, `JWT_SECRET`.
fn is_constant_key_name(name: &str, extra: &[String]) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && is_signing_key_name(name, extra)
}

/// True when the assignment at `span` gives a signing key to a configuration class or module
/// that production loads (see [`production_value`]), which this rule reports where it is.
fn config_constant_reported(cx: &FileContext, file: usize, name: &str, span: Span) -> bool {
    is_constant_key_name(name, &cx.settings.secret_key_names)
        && !is_non_production_module(cx.model, file)
        && production_value(cx, name, file, span)
            .is_some_and(|v| !inherited_from_test_config(&v.defined_in, &v.used_by))
}

/// A test configuration's key that a production-looking class only inherits: a class that
/// derives from a testing configuration (`class AltUIConfig(TestingConfig)`) inherits its
/// `TESTING = True` and is a test fixture itself, unless its own name says production.
/// Development configurations are not excused: production classes do derive from them.
fn inherited_from_test_config(defined_in: &str, used_by: &str) -> bool {
    let words = identifier_words(defined_in);
    let testing = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "test" | "tests" | "testing" | "unittest" | "conftest" | "mock" | "fake"
        )
    });
    let production = identifier_words(used_by)
        .iter()
        .any(|w| matches!(w.as_str(), "prod" | "production" | "live" | "release"));
    defined_in != used_by && testing && !production
}

/// `class ConfigKey: SECRET_KEY = "SECRET_KEY"`: an upper-case identifier naming the key
/// itself (its words include the attribute's), as tables of configuration key names hold.
/// Key names are spelled this way; a signing key never is.
fn is_key_name_literal(name: &str, text: &str) -> bool {
    let is_identifier = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let text_words = identifier_words(text);
    is_identifier
        && identifier_words(name)
            .iter()
            .all(|w| text_words.contains(w))
}

impl Rule for HardcodedSecretKey {
    fn meta(&self) -> &'static RuleMeta {
        &HARDCODED_SECRET_KEY
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        if is_test_file(cx.file) {
            return;
        }
        if let Some(callee) = cx.resolve(&call.func) {
            if let Some((_, position)) = KEY_FUNCTIONS.iter().find(|(f, _)| *f == callee) {
                if !skips_verification(call)
                    && !crate::jwt_calls::signs_nothing(call)
                    && let Some(key) = call.argument("key", *position)
                {
                    let what = format!("the key passed to {callee}");
                    check_key(cx, key, expr.span, &what, out);
                }
                return;
            }
            if SIGNERS.contains(&&*callee) {
                if let Some(key) = call.argument("secret_key", 0) {
                    let what = format!("the secret key of {callee}");
                    check_value(cx, key, expr.span, &what, Empty::Weak, out);
                }
                return;
            }
            if SESSION_MIDDLEWARE.contains(&&*callee) {
                if let Some(key) = call.argument("secret_key", 1) {
                    let what = "the session middleware's secret_key";
                    check_value(cx, key, expr.span, what, Empty::Weak, out);
                }
                return;
            }
        }
        // `app.add_middleware(SessionMiddleware, secret_key=...)`, `Middleware(SessionMiddleware, ...)`
        if call
            .args
            .first()
            .is_some_and(|a| cx.resolves_to(a, SESSION_MIDDLEWARE))
        {
            if let Some(key) = call.keyword("secret_key") {
                let what = "the session middleware's secret_key";
                check_value(cx, key, expr.span, what, Empty::Weak, out);
            }
            return;
        }
        let Some((receiver, attr)) = call.method() else {
            return;
        };
        if !matches!(attr, "update" | "from_mapping" | "setdefault")
            || !is_config_mapping(cx, receiver)
        {
            return;
        }
        let items: Vec<(&str, &Expr)> = if attr == "setdefault" {
            setdefault_item(call).into_iter().collect()
        } else {
            mapping_items_in(cx, call)
                .into_iter()
                .map(|(k, v, _)| (k, v))
                .collect()
        };
        for (key, value) in items {
            if is_signing_key_name(key, &cx.settings.secret_key_names) {
                let what = format!("configuration key {key}");
                check_value(cx, value, expr.span, &what, Empty::Unset, out);
            }
        }
    }

    fn on_stmt(&self, cx: &FileContext, stmt: &Stmt, out: &mut Findings) {
        if is_test_file(cx.file) {
            return;
        }
        let Stmt::Assign {
            targets,
            value: Some(value),
            span,
            ..
        } = stmt
        else {
            return;
        };
        for target in targets {
            match &target.kind {
                ExprKind::Attribute { attr, .. } if attr == "secret_key" => {
                    let what = "the application's secret_key";
                    check_value(cx, value, *span, what, Empty::Unset, out);
                }
                ExprKind::Subscript { .. } => {
                    let Some((mapping, key)) = subscript_key(target) else {
                        continue;
                    };
                    if !is_signing_key_name(key, &cx.settings.secret_key_names) {
                        continue;
                    }
                    if is_config_mapping(cx, mapping) {
                        let what = format!("configuration key {key}");
                        check_value(cx, value, *span, &what, Empty::Unset, out);
                    } else if cx.resolves_to(mapping, &["os.environ"]) {
                        let what = format!("environment variable {key}, set from code,");
                        check_value(cx, value, *span, &what, Empty::Unset, out);
                    }
                }
                ExprKind::Name(name) => {
                    let reported = match cx.in_class_body() {
                        Some(class) => config_constant_reported(cx, cx.file_index, name, *span)
                            .then(|| {
                                let used = production_value(cx, name, cx.file_index, *span);
                                match used {
                                    Some(v) if v.used_by != v.defined_in => format!(
                                        "{}.{name}, which {} inherits,",
                                        class.name, v.used_by
                                    ),
                                    _ => format!("{}.{name}", class.name),
                                }
                            }),
                        None if cx.functions.is_empty() => {
                            module_constant_reported(cx, cx.file_index, name, *span).then(|| {
                                format!("{name} of configuration module {}", cx.file.module_name)
                            })
                        }
                        None => None,
                    };
                    let Some(what) = reported else {
                        continue;
                    };
                    // A placeholder the application refuses to start with (in production)
                    // never signs there, like at the key's uses; an OAuth client's secret
                    // (`SWAN_CLIENT_SECRET`) is presented to the provider, not signed with.
                    if let Some(secret) = literal_secret(cx, value)
                        && !secret.text.is_empty()
                        && !is_key_name_literal(name, &secret.text)
                        && !cx.refused_at_startup(&secret.text)
                        && !sent_to_another_service(cx, name, &siblings(cx))
                    {
                        out.report(
                            &HARDCODED_SECRET_KEY,
                            *span,
                            format!(
                                "{what} holds a hard-coded signing key: {}",
                                describe_secret(&secret.text)
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// `jwt.decode(token, key, options={"verify_signature": False})`: the key is not used.
fn skips_verification(call: &Call) -> bool {
    call.keyword("options")
        .and_then(|o| o.dict_value("verify_signature"))
        .and_then(Expr::as_bool)
        == Some(false)
}

#[cfg(test)]
mod tests {
    use crate::helpers::test_support::findings_of;

    #[test]
    fn messages_name_weak_values_only() {
        let found = findings_of(
            &super::HardcodedSecretKey,
            &[(
                "app.py",
                "import jwt\nfrom flask import Flask\napp = Flask(__name__)\napp.secret_key = 'changeme'\nKEY = 'f81d4fae7dec11d0a76500a0c91e6bf6'\ndef t():\n    return jwt.encode({}, KEY)\n",
            )],
        );
        assert_eq!(found.len(), 2);
        assert!(
            found[0]
                .message
                .contains("\"changeme\", a well-known weak value")
        );
        assert!(found[1].message.contains("a literal of 32 characters"));
        assert!(!found[1].message.contains("f81d4fae"));
    }
}
