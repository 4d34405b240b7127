use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::{
    describe_secret, is_config_mapping, is_non_production_name, is_settings_class,
    is_signing_key_name, literal_secret, mapping_items, subscript_key,
};
use crate::rule::{Rule, RuleMeta};
use routewarden_python::ast::{Call, Expr, ExprKind, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// A string or bytes literal used as a signing key: Flask's `app.secret_key`,
    /// `app.config["SECRET_KEY"]` (and `JWT_SECRET_KEY`, `SECURITY_PASSWORD_SALT` and other
    /// signing-key names), `config.update(...)`, `config.from_mapping(...)`, `SECRET_KEY` in a
    /// configuration class not named for development or testing, the key argument of
    /// `jwt.encode`/`jwt.decode` (PyJWT, python-jose), itsdangerous serializers and signers, and
    /// Starlette's `SessionMiddleware(secret_key=...)`. A key passed through a module constant,
    /// also one imported from another module, counts. The message says when the value is a
    /// well-known weak one such as `dev` or `changeme`; other values are not repeated.
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

const JWT_FUNCTIONS: &[&str] = &[
    "jwt.encode",
    "jwt.decode",
    "jwt.api_jwt.encode",
    "jwt.api_jwt.decode",
    "jose.jwt.encode",
    "jose.jwt.decode",
    "jwt.PyJWT.encode",
];

const SIGNERS: &[&str] = &[
    "itsdangerous.URLSafeTimedSerializer",
    "itsdangerous.URLSafeSerializer",
    "itsdangerous.TimedSerializer",
    "itsdangerous.Serializer",
    "itsdangerous.TimestampSigner",
    "itsdangerous.Signer",
    "itsdangerous.url_safe.URLSafeTimedSerializer",
    "itsdangerous.url_safe.URLSafeSerializer",
    "itsdangerous.serializer.Serializer",
    "itsdangerous.timed.TimedSerializer",
    "itsdangerous.timed.TimestampSigner",
    "itsdangerous.signer.Signer",
];

const SESSION_MIDDLEWARE: &[&str] = &["starlette.middleware.sessions.SessionMiddleware"];

impl HardcodedSecretKey {
    fn check_value(
        &self,
        cx: &FileContext,
        value: &Expr,
        span: Span,
        what: &str,
        out: &mut Findings,
    ) {
        let Some((text, _)) = literal_secret(cx, value) else {
            return;
        };
        out.report(
            &HARDCODED_SECRET_KEY,
            span,
            format!("{what} is hard-coded: {}", describe_secret(&text)),
        );
    }
}

impl Rule for HardcodedSecretKey {
    fn meta(&self) -> &'static RuleMeta {
        &HARDCODED_SECRET_KEY
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        if let Some(callee) = cx.resolve(&call.func) {
            if JWT_FUNCTIONS.contains(&callee.as_str()) {
                if let Some(key) = call.argument("key", 1) {
                    self.check_value(
                        cx,
                        key,
                        expr.span,
                        &format!("the key passed to {callee}"),
                        out,
                    );
                }
                return;
            }
            if SIGNERS.contains(&callee.as_str()) {
                if let Some(key) = call.argument("secret_key", 0) {
                    self.check_value(
                        cx,
                        key,
                        expr.span,
                        &format!("the secret key of {callee}"),
                        out,
                    );
                }
                return;
            }
            if SESSION_MIDDLEWARE.contains(&callee.as_str()) {
                if let Some(key) = call.argument("secret_key", 1) {
                    self.check_value(
                        cx,
                        key,
                        expr.span,
                        "the session middleware's secret_key",
                        out,
                    );
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
                self.check_value(
                    cx,
                    key,
                    expr.span,
                    "the session middleware's secret_key",
                    out,
                );
            }
            return;
        }
        let ExprKind::Attribute {
            value: receiver,
            attr,
        } = &call.func.kind
        else {
            return;
        };
        if matches!(attr.as_str(), "update" | "from_mapping") && is_config_mapping(cx, receiver) {
            for (key, value, _) in mapping_items(call) {
                if is_signing_key_name(key, &cx.settings.secret_key_names) {
                    self.check_value(
                        cx,
                        value,
                        expr.span,
                        &format!("configuration key {key}"),
                        out,
                    );
                }
            }
        }
    }

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
        for target in targets {
            match &target.kind {
                ExprKind::Attribute { attr, .. } if attr == "secret_key" => {
                    self.check_value(cx, value, *span, "the application's secret_key", out);
                }
                ExprKind::Subscript { .. } => {
                    if let Some((mapping, key)) = subscript_key(target) {
                        if is_signing_key_name(key, &cx.settings.secret_key_names)
                            && is_config_mapping(cx, mapping)
                        {
                            self.check_value(
                                cx,
                                value,
                                *span,
                                &format!("configuration key {key}"),
                                out,
                            );
                        }
                    }
                }
                ExprKind::Name(name) => {
                    let Some(class) = cx.in_class_body() else {
                        continue;
                    };
                    let upper_key = name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
                    if upper_key
                        && is_signing_key_name(name, &cx.settings.secret_key_names)
                        && is_config_class_name(&class.name)
                        && !is_non_production_name(&class.name)
                        && !is_settings_class(cx, class)
                    {
                        self.check_value(cx, value, *span, &format!("{}.{name}", class.name), out);
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_config_class_name(name: &str) -> bool {
    crate::helpers::identifier_words(name)
        .iter()
        .any(|w| w == "config" || w == "configuration" || w == "settings")
}
