//! Data classes the rules reason about: Pydantic and SQLModel models, SQLAlchemy and other ORM
//! models, dataclasses; their fields through project base classes and their `extra` policy.

use routewarden_model::ProjectModel;
use routewarden_python::ast::{Class, Expr, ExprKind, Span, Stmt};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    Pydantic,
    /// SQLAlchemy, SQLModel tables, Django, Tortoise, peewee, Flask-SQLAlchemy.
    Orm,
    Dataclass,
}

const PYDANTIC_BASES: &[&str] = &[
    "pydantic.BaseModel",
    "pydantic.main.BaseModel",
    "pydantic.v1.BaseModel",
    "sqlmodel.SQLModel",
];
const ORM_MARKERS: &[&str] = &[
    "declarative_base",
    "DeclarativeBase",
    "Model",
    "Base",
    "Document",
];

/// A class defined inside module-level `if`/`try` blocks rather than by a statement of its
/// own (a compatibility shim defines it in each branch), in the module that names it or the
/// project module it is imported from: the first definition.
fn block_class<'m>(
    model: &'m ProjectModel,
    file: usize,
    expr: &Expr,
) -> Option<(usize, &'m Class)> {
    let (file, name) = match model.files[file].imports.resolve(expr) {
        Some(q) => {
            let (module, name) = q.rsplit_once('.')?;
            (model.module(module)?.0, name.to_string())
        }
        None => (file, expr.as_name()?.to_string()),
    };
    let module = &model.files[file];
    if module.top_level(&name).is_some() {
        return None;
    }
    module.body().iter().find_map(|stmt| match stmt {
        Stmt::If { .. } | Stmt::Try { .. } => stmt.child_bodies().find_map(|body| {
            body.iter().find_map(|s| match s {
                Stmt::ClassDef(c) if c.name == name => Some((file, c.as_ref())),
                _ => None,
            })
        }),
        _ => None,
    })
}

/// What kind of data model a project class is, following its bases.
pub fn model_kind(model: &ProjectModel, file: usize, class: &Class) -> Option<ModelKind> {
    model_kind_at(model, file, class, 0)
}

fn model_kind_at(
    model: &ProjectModel,
    file: usize,
    class: &Class,
    depth: u32,
) -> Option<ModelKind> {
    if class
        .decorators
        .iter()
        .any(|d| d.last_name() == Some("dataclass"))
    {
        return Some(ModelKind::Dataclass);
    }
    let table = class
        .keywords
        .iter()
        .any(|k| k.arg.as_deref() == Some("table") && k.value.as_bool() == Some(true));
    let q = class.bases.iter().find_map(|b| model.class_name(file, b));
    match q.as_deref() {
        Some("sqlmodel.SQLModel") if table => Some(ModelKind::Orm),
        Some(q) if PYDANTIC_BASES.contains(&q) => Some(ModelKind::Pydantic),
        Some(q)
            if q.starts_with("sqlalchemy")
                || q.starts_with("flask_sqlalchemy")
                || q.starts_with("django.db")
                || q.starts_with("tortoise")
                || q.starts_with("peewee")
                || q.starts_with("mongoengine")
                || q.starts_with("beanie") =>
        {
            Some(ModelKind::Orm)
        }
        // A base defined in each branch of a compatibility shim (`if PYDANTIC_V2: class
        // Base(BaseModel): ... else: ...`): the kind of its first definition.
        _ if depth < 3
            && let Some(kind) = class.bases.iter().find_map(|b| {
                let (f, base) = block_class(model, file, b)?;
                (!std::ptr::eq(base, class))
                    .then(|| model_kind_at(model, f, base, depth + 1))
                    .flatten()
            }) =>
        {
            Some(kind)
        }
        // `Base = declarative_base()`, `db.Model`: bases that are project variables.
        _ => {
            let orm_like = class.bases.iter().any(|b| {
                b.last_name().is_some_and(|n| ORM_MARKERS.contains(&n))
                    || matches!(model.resolve_definition(file, b), Some((_, Some(Stmt::Assign { value: Some(v), .. }), _))
                        if v.as_call().and_then(|c| c.func.last_name()).is_some_and(|n| n == "declarative_base"))
            });
            let has_columns = class.body.iter().any(|s| matches!(s, Stmt::Assign { value: Some(v), .. }
                if v.as_call().and_then(|c| c.func.last_name()).is_some_and(|n| matches!(n, "Column" | "mapped_column" | "CharField" | "TextField"))));
            (orm_like || has_columns).then_some(ModelKind::Orm)
        }
    }
}

/// A field of a model: its name, where it is declared, whether it is kept out of output
/// (`Field(exclude=True)`, `SecretStr`, `repr=False` is not enough), and whether its declared
/// type holds no text (`bool`, numbers, dates: `require_password_change: bool`).
#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub span: Span,
    pub file: usize,
    pub hidden: bool,
    pub non_text: bool,
}

impl Field {
    /// Whether what the field sends may be a secret's text: not hidden, not a flag, number or
    /// date (whatever its name says: `strict_password_checking: bool`,
    /// `inter_token_latency_mean: float`).
    pub fn may_hold_secret(&self) -> bool {
        !self.hidden && !self.non_text
    }
}

/// Types that hold no secret text: flags, numbers, dates and times.
const NON_TEXT_TYPES: &[&str] = &[
    "bool",
    "int",
    "float",
    "datetime",
    "date",
    "time",
    "timedelta",
    "Decimal",
    "StrictBool",
    "StrictInt",
    "StrictFloat",
    "PositiveInt",
    "NonNegativeInt",
    "PositiveFloat",
    "NonNegativeFloat",
];

/// Column types (SQLAlchemy) and ORM field classes (Django, peewee, Tortoise) that hold no
/// text.
const NON_TEXT_COLUMNS: &[&str] = &[
    "Boolean",
    "BOOLEAN",
    "Integer",
    "INTEGER",
    "BigInteger",
    "BIGINT",
    "SmallInteger",
    "SMALLINT",
    "Float",
    "FLOAT",
    "Numeric",
    "NUMERIC",
    "DECIMAL",
    "DateTime",
    "DATETIME",
    "TIMESTAMP",
    "Date",
    "DATE",
    "Time",
    "Interval",
    "BooleanField",
    "NullBooleanField",
    "IntegerField",
    "IntField",
    "BigIntegerField",
    "BigIntField",
    "SmallIntegerField",
    "SmallIntField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "AutoField",
    "FloatField",
    "DecimalField",
    "DateTimeField",
    "DatetimeField",
    "DateField",
    "TimeField",
    "TimestampField",
    "DurationField",
];

/// Whether an annotation names only non-text types: `bool`, `Optional[int]`, `float | None`,
/// `Mapped[datetime | None]`, `Annotated[bool, Field(...)]`.
fn non_text_annotation(annotation: &Expr, depth: u32) -> bool {
    if depth > 6 {
        return false;
    }
    match &annotation.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } => annotation
            .last_name()
            .is_some_and(|n| NON_TEXT_TYPES.contains(&n)),
        ExprKind::BinOp { left, right, .. } => {
            let side = |e: &Expr| {
                matches!(e.kind, ExprKind::NoneLiteral)
                    || e.as_name() == Some("None")
                    || non_text_annotation(e, depth + 1)
            };
            side(left) && side(right) && !(is_none_type(left) && is_none_type(right))
        }
        ExprKind::Subscript { value, slice } => match value.last_name() {
            Some("Optional" | "Mapped") => non_text_annotation(slice, depth + 1),
            Some("Annotated") => slice
                .elements()
                .and_then(|items| items.first())
                .is_some_and(|first| non_text_annotation(first, depth + 1)),
            Some("Union") => slice.elements().is_some_and(|items| {
                items.iter().any(|i| !is_none_type(i))
                    && items
                        .iter()
                        .all(|i| is_none_type(i) || non_text_annotation(i, depth + 1))
            }),
            _ => false,
        },
        _ => false,
    }
}

fn is_none_type(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::NoneLiteral) || e.as_name() == Some("None")
}

/// Whether a column's declaration gives it a non-text type: `Column(Boolean)`,
/// `Column("name", Integer())`, `mapped_column(Float)`, `db.Column(db.DateTime)`,
/// `models.BooleanField(default=False)`.
fn non_text_column(value: &Expr) -> bool {
    let Some(call) = value.as_call() else {
        return false;
    };
    let type_name = |e: &Expr| match &e.kind {
        ExprKind::Call(c) => c.func.last_name().map(str::to_string),
        _ => e.last_name().map(str::to_string),
    };
    match call.func.last_name() {
        Some("Column" | "mapped_column") => call
            .args
            .iter()
            .find(|a| !matches!(a.kind, ExprKind::Str(_)))
            .and_then(type_name)
            .is_some_and(|n| NON_TEXT_COLUMNS.contains(&n.as_str())),
        Some(n) => n.ends_with("Field") && NON_TEXT_COLUMNS.contains(&n),
        None => false,
    }
}

/// Fields declared in the class and its project bases.
/// A field rewritten on the way out by a validator or serializer of the class or a base
/// (`@field_validator("password")` that returns a mask, `@field_serializer("token")`), and every
/// field of a class with a `@model_serializer`, counts as hidden.
pub fn fields(model: &ProjectModel, file: usize, class: &Class) -> Vec<Field> {
    let mut out = Vec::new();
    let mut masked = Vec::new();
    collect_fields(model, file, class, &mut out, &mut masked, 0);
    let everything = masked.iter().any(|m| m == "*");
    for f in &mut out {
        if everything || masked.contains(&f.name) {
            f.hidden = true;
        }
    }
    out
}

/// Fields whose value a validator or serializer of `class` replaces: `@field_serializer(...)`
/// always decides the output; a `@field_validator`/`@validator` does when one of its `return`s
/// gives something other than the value it received (or `None`). `*` for a `@model_serializer`.
fn rewritten_fields(class: &Class) -> Vec<String> {
    let mut out = Vec::new();
    for stmt in &class.body {
        let Stmt::FunctionDef(function) = stmt else {
            continue;
        };
        for decorator in &function.decorators {
            let (name, call) = match &decorator.kind {
                ExprKind::Call(c) => (c.func.last_name(), Some(c.as_ref())),
                _ => (decorator.last_name(), None),
            };
            let rewrites = match name {
                Some("field_serializer" | "model_serializer" | "serializer") => true,
                Some("field_validator" | "validator") => rewrites_value(function),
                _ => false,
            };
            if !rewrites {
                continue;
            }
            if name == Some("model_serializer") {
                out.push("*".to_string());
                continue;
            }
            for arg in call.map(|c| c.args.as_slice()).unwrap_or_default() {
                if let Some(field) = arg.as_str() {
                    out.push(field.to_string());
                }
            }
        }
    }
    out
}

/// Whether a validator returns something other than the value it was given.
fn rewrites_value(function: &routewarden_python::ast::Function) -> bool {
    // The value is the first parameter after `cls`/`self`.
    let Some(value) = function
        .params
        .iter()
        .find(|p| p.name != "cls" && p.name != "self")
        .map(|p| p.name.as_str())
    else {
        return false;
    };
    let mut rewrites = false;
    routewarden_model::values::for_each_return(&function.body, &mut |v| {
        // `v`, `None`, `v.strip()`, `str(v)`: the value itself, normalised at most.
        let itself = v.as_name() == Some(value)
            || matches!(v.kind, ExprKind::NoneLiteral)
            || v.as_call().is_some_and(|c| match &c.func.kind {
                ExprKind::Attribute {
                    value: receiver, ..
                } => receiver.as_name() == Some(value),
                ExprKind::Name(f) => {
                    matches!(f.as_str(), "str" | "bytes")
                        && c.args.first().and_then(Expr::as_name) == Some(value)
                }
                _ => false,
            });
        rewrites |= !itself;
    });
    rewrites
}

fn collect_fields(
    model: &ProjectModel,
    file: usize,
    class: &Class,
    out: &mut Vec<Field>,
    masked: &mut Vec<String>,
    depth: u32,
) {
    if depth > 10 {
        return;
    }
    for stmt in &class.body {
        let Stmt::Assign {
            targets,
            annotation,
            value,
            span,
        } = stmt
        else {
            continue;
        };
        let Some(name) = targets.first().and_then(Expr::as_name) else {
            continue;
        };
        if name.starts_with('_') || name == "model_config" || out.iter().any(|f| f.name == name) {
            continue;
        }
        let is_field = annotation.is_some()
            || value
                .as_ref()
                .and_then(|v| v.as_call())
                .and_then(|c| c.func.last_name())
                .is_some_and(|n| {
                    matches!(
                        n,
                        "Column"
                            | "mapped_column"
                            | "Field"
                            | "CharField"
                            | "TextField"
                            | "relationship"
                    ) || n.ends_with("Field")
                });
        if !is_field {
            continue;
        }
        let secret_type = annotation.as_ref().is_some_and(|a| {
            a.any(&mut |x| {
                x.last_name()
                    .is_some_and(|n| n == "SecretStr" || n == "SecretBytes")
            })
        });
        let excluded = value
            .as_ref()
            .and_then(|v| v.as_call())
            .is_some_and(|c| c.keyword("exclude").and_then(Expr::as_bool) == Some(true));
        let non_text = annotation
            .as_ref()
            .is_some_and(|a| non_text_annotation(a, 0))
            || value.as_ref().is_some_and(non_text_column);
        out.push(Field {
            name: name.to_string(),
            span: *span,
            file,
            hidden: secret_type || excluded,
            non_text,
        });
    }
    for name in rewritten_fields(class) {
        if !masked.contains(&name) {
            masked.push(name);
        }
    }
    for base in &class.bases {
        if let Some((f, Some(Stmt::ClassDef(b)), _)) = model.resolve_definition(file, base)
            && !std::ptr::eq(b.as_ref(), class)
        {
            collect_fields(model, f, b, out, masked, depth + 1);
        } else if let Some(columns) = model
            .class_name(file, routewarden_model::apps::generic_origin(base))
            .and_then(|q| library_table_columns(&q))
        {
            for name in columns {
                if !out.iter().any(|f| f.name == *name) {
                    out.push(Field {
                        name: name.to_string(),
                        span: base.span,
                        file,
                        hidden: false,
                        non_text: false,
                    });
                }
            }
        }
    }
}

/// The columns a library's base table gives the project's subclass: fastapi-users' SQLAlchemy
/// user tables (also re-exported as `fastapi_users.db`) keep the password hash.
fn library_table_columns(qualified: &str) -> Option<&'static [&'static str]> {
    const USER_TABLE: &[&str] = &[
        "id",
        "email",
        "hashed_password",
        "is_active",
        "is_superuser",
        "is_verified",
    ];
    let (module, class) = qualified.rsplit_once('.')?;
    let fastapi_users = matches!(module, "fastapi_users_db_sqlalchemy" | "fastapi_users.db");
    (fastapi_users
        && matches!(
            class,
            "SQLAlchemyBaseUserTable" | "SQLAlchemyBaseUserTableUUID"
        ))
    .then_some(USER_TABLE)
}

/// What kind of secret a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    /// A stored verifier or personal secret that no endpoint hands out: a password or its
    /// hash, a salt, a private key, an OTP seed, a card or social-security number.
    Verifier,
    /// A token, API key, client or signing secret, credentials: values that endpoints do issue
    /// (login, API-key creation, webhook secrets), so a field of this kind in a response is a
    /// leak only when the value is shown to come from storage.
    Token,
}

/// Words that make a credential-looking field name describe something else in a response:
/// prices and limits per token (`input_cost_per_token`, `TOKEN_THRESHOLD`), counts
/// (`num_items_in_user_api_key_cache`), an already masked value (`api_key_masked`), scopes and
/// aliases of a key.
const NON_SECRET_WORDS: &[&str] = &[
    "cost",
    "costs",
    "price",
    "prices",
    "pricing",
    "per",
    "threshold",
    "thresholds",
    "limit",
    "limits",
    "budget",
    "quota",
    "masked",
    "redacted",
    "obfuscated",
    "preview",
    "last4",
    "num",
    "estimate",
    "scope",
    "scopes",
    "alias",
];

/// The same, as the last word only (the thing the name denotes): the servers that issue tokens
/// (`authorization_servers`), timestamps (`token_created_at`), totals.
const NON_SECRET_HEADS: &[&str] = &[
    "server",
    "servers",
    "created",
    "updated",
    "rotated",
    "at",
    "date",
    "time",
    "timestamp",
    "total",
    "supported",
];

/// Field names that hold secrets and must not be sent to clients.
pub fn is_sensitive_field(name: &str) -> bool {
    secret_kind(name).is_some()
}

/// The kind of secret a field name says it holds, if any.
pub fn secret_kind(name: &str) -> Option<SecretKind> {
    let lower = name.to_ascii_lowercase();
    let words = crate::helpers::identifier_words(name);
    // Flags about a credential, not the credential: `has_api_key`, `password_set`; capability
    // names: `changePassword` (SCIM's "password change is supported").
    let flag = words.first().is_some_and(|w| {
        matches!(
            w.as_str(),
            "has"
                | "is"
                | "needs"
                | "requires"
                | "uses"
                | "use"
                | "can"
                | "should"
                | "must"
                | "change"
        )
    }) || words.last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "set" | "configured" | "present" | "exists" | "missing" | "valid" | "verified"
        )
    });
    if flag
        || words.iter().any(|w| NON_SECRET_WORDS.contains(&w.as_str()))
        || words
            .last()
            .is_some_and(|w| NON_SECRET_HEADS.contains(&w.as_str()))
    {
        return None;
    }
    let compound = |a: &str, b: &str| words.windows(2).any(|w| w[0] == a && w[1] == b);
    let verifier = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "password" | "passwd" | "pwd" | "passphrase" | "salt" | "ssn" | "cvv"
        )
    }) || compound("private", "key")
        || compound("card", "number")
        || compound("credit", "card")
        || ["otp", "totp", "mfa"].iter().any(|w| compound(w, "secret"));
    let extra = [
        "ssn",
        "card_number",
        "credit_card",
        "cvv",
        "private_key",
        "salt",
        "otp_secret",
        "totp_secret",
        "mfa_secret",
    ]
    .iter()
    .any(|w| lower == *w || lower.ends_with(&format!("_{w}")));
    if !(crate::credentials::is_credential_name(name) || extra) {
        return None;
    }
    Some(if verifier {
        SecretKind::Verifier
    } else {
        SecretKind::Token
    })
}

/// The project class an annotation or expression names: `User`, `List[User]`, `Optional[User]`,
/// `list[User]`, `User | None`.
pub fn named_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    expr: &'a Expr,
) -> Option<(usize, &'a Class)> {
    match &expr.kind {
        ExprKind::Subscript { slice, .. } => {
            let inner: &Expr = match slice.elements() {
                Some(items) => items.first()?,
                None => slice,
            };
            named_class(model, file, inner)
        }
        ExprKind::BinOp { left, right, .. } => {
            named_class(model, file, left).or_else(|| named_class(model, file, right))
        }
        ExprKind::Str(_) => None,
        _ => match model.resolve_definition(file, expr)? {
            (f, Some(Stmt::ClassDef(c)), _) => Some((f, c)),
            _ => None,
        },
    }
}

/// Whether a Pydantic model accepts unknown fields; returns the span of the setting.
pub fn allows_extra(model: &ProjectModel, file: usize, class: &Class) -> Option<(usize, Span)> {
    allows_extra_at(model, file, class, 0)
}

fn is_allow(expr: &Expr) -> bool {
    expr.as_str() == Some("allow")
        || matches!(&expr.kind, ExprKind::Attribute { attr, .. } if attr == "allow")
}

fn allows_extra_at(
    model: &ProjectModel,
    file: usize,
    class: &Class,
    depth: u32,
) -> Option<(usize, Span)> {
    if depth > 10 {
        return None;
    }
    if let Some(k) = class
        .keywords
        .iter()
        .find(|k| k.arg.as_deref() == Some("extra"))
    {
        return is_allow(&k.value).then_some((file, class.def_span));
    }
    for stmt in &class.body {
        match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                span,
                ..
            } if targets.iter().any(|t| t.as_name() == Some("model_config")) => {
                let extra = match &value.kind {
                    ExprKind::Call(c) => c.keyword("extra"),
                    ExprKind::Dict(entries) => entries
                        .iter()
                        .find(|e| e.key.as_ref().and_then(|k| k.as_str()) == Some("extra"))
                        .map(|e| &e.value),
                    _ => None,
                };
                if let Some(extra) = extra {
                    return is_allow(extra).then_some((file, *span));
                }
            }
            Stmt::ClassDef(inner) if inner.name == "Config" => {
                for s in &inner.body {
                    if let Stmt::Assign {
                        targets,
                        value: Some(v),
                        span,
                        ..
                    } = s
                        && targets.iter().any(|t| t.as_name() == Some("extra"))
                    {
                        return is_allow(v).then_some((file, *span));
                    }
                }
            }
            _ => {}
        }
    }
    class
        .bases
        .iter()
        .find_map(|b| match model.resolve_definition(file, b) {
            Some((f, Some(Stmt::ClassDef(base)), _)) if !std::ptr::eq(base.as_ref(), class) => {
                allows_extra_at(model, f, base, depth + 1)
            }
            _ => None,
        })
}
