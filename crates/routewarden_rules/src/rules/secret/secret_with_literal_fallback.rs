use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::{describe_secret, is_settings_class, is_signing_key_name};
use crate::rule::{Rule, RuleMeta};
use routewarden_python::ast::{BoolOp, Call, Class, Expr, ExprKind, Stmt};

declare_rule! {
    /// ## What it finds
    /// A signing key read from the environment with a literal to fall back on:
    /// `os.environ.get("SECRET_KEY", "dev")`, `os.getenv("SECRET_KEY", "dev")`,
    /// `os.getenv("SECRET_KEY") or "dev"`, python-decouple's and Starlette's
    /// `config("SECRET_KEY", default="dev")`, and a pydantic `BaseSettings` field named for a
    /// signing key with a literal default. An empty-string or `None` fallback is not reported: it
    /// makes the framework refuse to sign rather than sign with a known key.
    ///
    /// ## Why is this dangerous
    /// The fallback is what runs whenever the variable is missing: a forgotten variable in one
    /// deployment, a renamed secret, a new container. The application then starts normally and
    /// signs sessions and tokens with a key that is published in the source.
    ///
    /// ## Example
    /// ```python
    /// SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret")
    ///
    /// class Settings(BaseSettings):
    ///     jwt_secret: str = "changeme"
    /// ```
    ///
    /// ## Fix
    /// Require the variable, so a missing key stops the application at start-up:
    /// ```python
    /// SECRET_KEY = os.environ["SECRET_KEY"]
    ///
    /// class Settings(BaseSettings):
    ///     jwt_secret: SecretStr  # no default: required
    /// ```
    pub static SECRET_WITH_LITERAL_FALLBACK = {
        code: "SECRET002",
        name: "secret-with-literal-fallback",
        severity: High,
        confidence: High,
        cwe: 1188,
        fix: "Require the signing key from the environment with no literal fallback",
    }
}

pub struct SecretWithLiteralFallback;

const ENV_GETTERS: &[&str] = &[
    "os.environ.get",
    "os.getenv",
    "os.environ.setdefault",
    "decouple.config",
];

/// The variable name a call reads from the environment, if it is an environment read.
fn env_read<'c>(cx: &FileContext, call: &'c Call) -> Option<&'c str> {
    let callee = cx.resolve(&call.func);
    let is_getter = callee.as_deref().is_some_and(|c| ENV_GETTERS.contains(&c))
        || cx
            .instance_class(&call.func)
            .is_some_and(|c| c == "starlette.config.Config" || c == "decouple.AutoConfig");
    if !is_getter {
        return None;
    }
    call.args.first()?.as_str()
}

/// A non-empty literal fallback.
fn literal_fallback(expr: &Expr) -> Option<String> {
    let text = expr.literal_text()?;
    (!text.is_empty()).then_some(text)
}

impl Rule for SecretWithLiteralFallback {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_WITH_LITERAL_FALLBACK
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let Some(var) = env_read(cx, call) else {
            return;
        };
        if !is_signing_key_name(var, &cx.settings.secret_key_names) {
            return;
        }
        if let Some(text) = call.argument("default", 1).and_then(literal_fallback) {
            out.report(
                &SECRET_WITH_LITERAL_FALLBACK,
                expr.span,
                format!(
                    "{var} falls back to {} when the variable is unset",
                    describe_secret(&text)
                ),
            );
        }
    }

    fn on_bool_op(&self, cx: &FileContext, expr: &Expr, out: &mut Findings) {
        let ExprKind::BoolOp {
            op: BoolOp::Or,
            values,
        } = &expr.kind
        else {
            return;
        };
        for pair in values.windows(2) {
            let Some(call) = pair[0].as_call() else {
                continue;
            };
            let Some(var) = env_read(cx, call) else {
                continue;
            };
            if call.argument("default", 1).is_some()
                || !is_signing_key_name(var, &cx.settings.secret_key_names)
            {
                continue;
            }
            if let Some(text) = literal_fallback(&pair[1]) {
                out.report(
                    &SECRET_WITH_LITERAL_FALLBACK,
                    expr.span,
                    format!(
                        "{var} falls back to {} when the variable is unset",
                        describe_secret(&text)
                    ),
                );
            }
        }
    }

    fn on_class(&self, cx: &FileContext, class: &Class, out: &mut Findings) {
        if !is_settings_class(cx, class) {
            return;
        }
        for stmt in &class.body {
            let Stmt::Assign {
                targets,
                value: Some(value),
                span,
                ..
            } = stmt
            else {
                continue;
            };
            let Some(name) = targets.first().and_then(Expr::as_name) else {
                continue;
            };
            if !is_signing_key_name(name, &cx.settings.secret_key_names) {
                continue;
            }
            let default = match &value.kind {
                ExprKind::Call(call) if call.func.last_name() == Some("Field") => {
                    call.argument("default", 0)
                }
                _ => Some(value),
            };
            if let Some(text) = default.and_then(literal_fallback) {
                out.report(
                    &SECRET_WITH_LITERAL_FALLBACK,
                    *span,
                    format!(
                        "settings field {}.{name} defaults to {}, used whenever the variable is unset",
                        class.name,
                        describe_secret(&text)
                    ),
                );
            }
        }
    }
}
