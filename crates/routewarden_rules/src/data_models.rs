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

/// What kind of data model a project class is, following its bases.
pub fn model_kind(model: &ProjectModel, file: usize, class: &Class) -> Option<ModelKind> {
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

/// A field of a model: its name, where it is declared, and whether it is kept out of output
/// (`Field(exclude=True)`, `SecretStr`, `repr=False` is not enough).
#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub span: Span,
    pub file: usize,
    pub hidden: bool,
}

/// Fields declared in the class and its project bases.
pub fn fields(model: &ProjectModel, file: usize, class: &Class) -> Vec<Field> {
    let mut out = Vec::new();
    collect_fields(model, file, class, &mut out, 0);
    out
}

fn collect_fields(
    model: &ProjectModel,
    file: usize,
    class: &Class,
    out: &mut Vec<Field>,
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
        out.push(Field {
            name: name.to_string(),
            span: *span,
            file,
            hidden: secret_type || excluded,
        });
    }
    for base in &class.bases {
        if let Some((f, Some(Stmt::ClassDef(b)), _)) = model.resolve_definition(file, base)
            && !std::ptr::eq(b.as_ref(), class)
        {
            collect_fields(model, f, b, out, depth + 1);
        }
    }
}

/// Field names that hold secrets and must not be sent to clients.
pub fn is_sensitive_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // Flags about a credential, not the credential: `has_api_key`, `password_set`.
    let words = crate::helpers::identifier_words(name);
    let flag = words.first().is_some_and(|w| {
        matches!(
            w.as_str(),
            "has" | "is" | "needs" | "requires" | "uses" | "use" | "can" | "should" | "must"
        )
    }) || words.last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "set" | "configured" | "present" | "exists" | "missing" | "valid" | "verified"
        )
    });
    if flag {
        return false;
    }
    crate::credentials::is_credential_name(name)
        || [
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
        .any(|w| lower == *w || lower.ends_with(&format!("_{w}")))
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
