//! Small judgements several rules share.

use crate::context::FileContext;
use routewarden_model::config::ConfigValue;
use routewarden_model::{ProjectModel, ValueOrigin, for_each_return};
use routewarden_python::ast::{BoolOp, Call, Class, Expr, ExprKind, Function, Span, Stmt, UnaryOp};

pub use routewarden_model::config::{identifier_words, is_non_production_name};

/// Starlette's request class, also as FastAPI re-exports it.
const STARLETTE_REQUEST: &[&str] = &[
    "fastapi.Request",
    "fastapi.requests.Request",
    "starlette.requests.Request",
];

/// Whether `param` is annotated as Starlette's request (`request: Request`), the annotation
/// resolved through `imports`.
pub fn is_starlette_request_param(
    imports: &routewarden_python::names::Imports,
    param: &routewarden_python::ast::Param,
) -> bool {
    param
        .annotation
        .as_deref()
        .is_some_and(|a| imports.resolves_to(a, STARLETTE_REQUEST))
}

/// The names of `function`'s parameters annotated as Starlette's request.
pub fn starlette_request_params<'f>(
    imports: &routewarden_python::names::Imports,
    function: &'f Function,
) -> Vec<&'f str> {
    function
        .params
        .iter()
        .filter(|p| is_starlette_request_param(imports, p))
        .map(|p| p.name.as_str())
        .collect()
}

pub fn is_non_production_module(model: &ProjectModel, file: usize) -> bool {
    let module = &model.files[file];
    let last = module.module_name.rsplit('.').next().unwrap_or_default();
    is_non_production_name(last)
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
    let origin = resolve_value_in_blocks(cx.model, cx.file_index, &cx.functions, expr);
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

/// Whether `name` holds `secret`, `key` or `salt` in any case: one pass over the bytes, since
/// this is asked of every assignment target and most hold none of them.
fn mentions_key_word(name: &[u8]) -> bool {
    (0..name.len()).any(|i| {
        let rest = &name[i..];
        match name[i] | 0x20 {
            b's' => {
                rest.get(..6)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"secret"))
                    || rest
                        .get(..4)
                        .is_some_and(|w| w.eq_ignore_ascii_case(b"salt"))
            }
            b'k' => rest
                .get(..3)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"key")),
            _ => false,
        }
    })
}

/// Configuration keys and setting names that hold signing keys: `SECRET_KEY`, `JWT_SECRET`,
/// `SECURITY_PASSWORD_SALT`, `*_SIGNING_KEY`, ... and the user's own names. A name whose last
/// word describes the secret rather than holding it (`SECRET_KEY_FILE`, `SECRETS_DIR`,
/// `SECRET_STORE_DIRECTORY`, `JWT_SECRET_HEADER`) is not one.
pub fn is_signing_key_name(name: &str, extra: &[String]) -> bool {
    if extra.iter().any(|e| e.eq_ignore_ascii_case(name)) {
        return true;
    }
    // Every name this accepts has a word holding `secret`, `key` or `salt`; most names have
    // none, and splitting them into words is what costs.
    if !mentions_key_word(name.as_bytes()) {
        return false;
    }
    let words = identifier_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if matches!(
        last.as_str(),
        "name"
            | "names"
            | "file"
            | "files"
            | "filename"
            | "filepath"
            | "path"
            | "paths"
            | "dir"
            | "dirs"
            | "dirname"
            | "directory"
            | "directories"
            | "folder"
            | "folders"
            | "mount"
            | "length"
            | "len"
            | "size"
            | "bytes"
            | "header"
            | "env"
            | "var"
            | "id"
            | "url"
            | "uri"
            | "prefix"
            | "suffix"
            | "backend"
            | "manager"
            | "arn"
            | "type"
            | "location"
            | "algorithm"
            | "algorithms"
            | "expires"
            | "expiry"
            | "ttl"
            | "field"
            | "fields"
            | "store"
            | "provider"
            | "version"
            | "enabled"
            | "mask"
            | "placeholder"
            | "pattern"
            | "regex"
            | "label"
            | "hint"
            | "message"
            | "msg"
            | "template"
            | "format"
            | "route"
            | "endpoint"
            | "param"
            | "question"
            | "count"
            | "days"
            | "hours"
            | "minutes"
            | "seconds"
            | "timeout"
            | "policy"
            | "mode"
            | "scheme"
    ) {
        return false;
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    let ends = |tail: &[&str]| {
        words.len() >= tail.len() && words[words.len() - tail.len()..].iter().eq(tail.iter())
    };
    has("secret")
        || has("secrets")
        || has("secretkey")
        || ends(&["signing", "key"])
        || ends(&["jwt", "key"])
        || ends(&["session", "key"])
        || ends(&["private", "key"])
        || ends(&["password", "salt"])
        || words.len() == 1 && last == "salt"
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
    "some-random-string",
    "development key",
    "dev key",
    "secret key",
    "my secret key",
    "super secret key",
    "super-secret-key",
    "topsecret",
    "top-secret",
    "secret123",
    "password123",
    "123456789",
];

/// The example keys of the FastAPI and Flask documentation, copied into many projects.
const DOCUMENTATION_KEYS: &[&str] = &[
    "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",
    "_5#y2L\"F4Q8z\n\u{fffd}]/",
];

/// True for the placeholder values that tutorials, templates and defaults use.
pub fn is_weak_secret(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    DOCUMENTATION_KEYS.contains(&value)
        || WEAK_SECRETS.contains(&lower.as_str())
        || lower.contains("change") && lower.contains("me")
        || lower.starts_with("your") && lower.contains("secret")
        || lower.contains("insecure")
}

/// How a message describes a literal secret without repeating a real one.
pub fn describe_secret(value: &str) -> String {
    if value.is_empty() {
        "an empty string".to_string()
    } else if DOCUMENTATION_KEYS.contains(&value) {
        "the example key of the framework's documentation, known to everyone".to_string()
    } else if is_weak_secret(value) {
        format!("{value:?}, a well-known weak value")
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

/// Where a value is kept, as an expression reads or writes it: a name or attribute chain
/// (`user.token`), or a constant key of one (`session["token"]`, read also as
/// `session.get("token")`). Expressions with equal places read or write the same value.
#[derive(Debug, PartialEq, Eq)]
pub struct Place<'a> {
    pub path: Vec<&'a str>,
    pub key: Option<&'a str>,
}

/// The [`Place`] an expression reads or writes, if it names one.
pub fn place_of(expr: &Expr) -> Option<Place<'_>> {
    if let Some(path) = expr.dotted_parts() {
        return Some(Place { path, key: None });
    }
    let (owner, key) = match &expr.kind {
        ExprKind::Subscript { value, slice } => (value.as_ref(), slice.as_str()?),
        ExprKind::Call(call) => match call.method()? {
            (receiver, "get") => (receiver, call.args.first()?.as_str()?),
            _ => return None,
        },
        _ => return None,
    };
    Some(Place {
        path: owner.dotted_parts()?,
        key: Some(key),
    })
}

/// Classes whose instances are Flask-style applications with a `config` mapping. Eve's
/// application class derives from `flask.Flask`.
pub const FLASK_APP_CLASSES: &[&str] = &[
    "flask.Flask",
    "flask.app.Flask",
    "quart.Quart",
    "apiflask.APIFlask",
    "eve.Eve",
    "eve.flaskapp.Eve",
];

/// True when `expr` is an application object of one of the Flask-like classes.
pub fn is_flask_app(cx: &FileContext, expr: &Expr) -> bool {
    instance_class_in_blocks(cx.model, cx.file_index, &cx.functions, expr)
        .is_some_and(|c| FLASK_APP_CLASSES.contains(&c.as_str()))
}

/// The class `expr` is an instance of, as [`ProjectModel::instance_class`], also when a name is
/// bound inside a module-level block (`if __name__ == "__main__": app = create_app()`).
pub fn instance_class_in_blocks(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
) -> Option<String> {
    model.instance_class(file, scope, expr).or_else(|| {
        let value = module_block_value_of(model, file, scope, expr)?;
        model.instance_class(file, &[], value)
    })
}

/// The value `expr` holds after following names, as [`ProjectModel::resolve_value`], also into
/// module-level blocks: `host = "0.0.0.0"` under `if __name__ == "__main__":`.
pub fn resolve_value_in_blocks<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
) -> ValueOrigin<'a> {
    let mut origin = model.resolve_value(file, scope, expr);
    // Each step leaves a block for the module level, so a few suffice.
    for _ in 0..4 {
        let Some(value) = module_block_value_of(model, origin.file, &origin.scope, origin.expr)
        else {
            break;
        };
        origin = model.resolve_value(origin.file, &[], value);
    }
    origin
}

/// The value a module-level `if`/`try`/`with` block last gives the name `expr`, when no
/// enclosing function may bind that name and no top-level statement binds it (the model's
/// following already answers those).
fn module_block_value_of<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
) -> Option<&'a Expr> {
    let name = expr.as_name()?;
    let local = scope
        .iter()
        .any(|f| f.assigned.may_contain(name) || f.params.iter().any(|p| p.name == name));
    if local || model.files[file].top_level(name).is_some() {
        return None;
    }
    module_block_value(model, file, name).filter(|v| !std::ptr::eq(*v, expr))
}

/// The value a module-level `if`/`try`/`with` block last gives `name`.
pub fn module_block_value<'a>(
    model: &'a ProjectModel,
    file: usize,
    name: &str,
) -> Option<&'a Expr> {
    let block = model.files[file].block_binding(name)?;
    routewarden_model::last_assignment(std::slice::from_ref(block), name)
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
pub fn mapping_items(call: &Call) -> Vec<(&str, &Expr, Span)> {
    let mut items = keyword_items(call);
    for arg in &call.args {
        dict_items(arg, &mut items);
    }
    items
}

/// [`mapping_items`], also through a name bound to a mapping (`config.update(defaults)`).
pub fn mapping_items_in<'e>(cx: &'e FileContext, call: &'e Call) -> Vec<(&'e str, &'e Expr, Span)> {
    let mut items = keyword_items(call);
    for arg in &call.args {
        let mut origin = cx.resolve_value(arg);
        // `config = load()` where the loader returns `cfg = DEFAULTS.copy()` (then overridden
        // from a file, if one exists): the copied mapping's entries apply when nothing
        // overrides them.
        for _ in 0..3 {
            let Some(call) = origin.expr.as_call() else {
                break;
            };
            let next = if call.args.is_empty()
                && let Some((receiver, "copy")) = call.method()
            {
                Some(cx.model.resolve_value(origin.file, &origin.scope, receiver))
            } else if call.args.is_empty()
                && call.keywords.is_empty()
                && let Some((def_file, Some(Stmt::FunctionDef(loader)), _)) =
                    cx.model.resolve_definition(origin.file, &call.func)
                && let Some(returned) = single_return(loader)
            {
                Some(
                    cx.model
                        .resolve_value(def_file, &[loader.as_ref()], returned),
                )
            } else {
                None
            };
            match next {
                Some(n) => origin = n,
                None => break,
            }
        }
        dict_items(origin.expr, &mut items);
    }
    items
}

/// The value a function returns, when it has one `return` statement.
fn single_return(function: &Function) -> Option<&Expr> {
    let mut returns = Vec::new();
    routewarden_model::values::for_each_return(&function.body, &mut |v| returns.push(v));
    match returns.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

fn keyword_items(call: &Call) -> Vec<(&str, &Expr, Span)> {
    call.keywords
        .iter()
        .filter_map(|k| Some((k.arg.as_deref()?, &k.value, k.span)))
        .collect()
}

fn dict_items<'a>(expr: &'a Expr, items: &mut Vec<(&'a str, &'a Expr, Span)>) {
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

/// `mapping.get("key", default)` with both arguments positional: the mapping, the key and the
/// default (what a settings mapping gives when the operator leaves the key out).
pub fn literal_key_get(call: &Call) -> Option<(&Expr, &str, &Expr)> {
    let ExprKind::Attribute {
        value: mapping,
        attr,
    } = &call.func.kind
    else {
        return None;
    };
    let [key, default] = &call.args[..] else {
        return None;
    };
    if attr != "get" || !call.keywords.is_empty() {
        return None;
    }
    Some((mapping, key.as_str()?, default))
}

/// The `(key, value)` a `setdefault(K, v)` call sets.
pub fn setdefault_item(call: &Call) -> Option<(&str, &Expr)> {
    Some((call.args.first()?.as_str()?, call.args.get(1)?))
}

/// True when `expr` is a Flask-style configuration mapping: `<anything>.config`.
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

pub fn is_settings_class(cx: &FileContext, class: &Class) -> bool {
    is_settings_class_in(cx.model, cx.file_index, class)
}

/// [`is_settings_class`] for a class of any file.
pub fn is_settings_class_in(model: &ProjectModel, file: usize, class: &Class) -> bool {
    class.bases.iter().any(|b| {
        model
            .class_name(file, b)
            .is_some_and(|q| SETTINGS_BASES.contains(&q.as_str()))
    })
}

const PYDANTIC_FIELD: &[&str] = &["pydantic.Field", "pydantic.fields.Field"];
const PYDANTIC_SECRETS: &[&str] = &[
    "pydantic.SecretStr",
    "pydantic.SecretBytes",
    "pydantic.types.SecretStr",
    "pydantic.types.SecretBytes",
];

/// The default a pydantic field declaration gives: the value itself, `Field(default)`,
/// `Field(default=...)`, and the wrapped value of `SecretStr(...)`. `None` for required
/// fields (`Field(...)`, `Field(default_factory=...)`).
pub fn field_default<'a>(model: &ProjectModel, file: usize, value: &'a Expr) -> Option<&'a Expr> {
    let ExprKind::Call(call) = &value.kind else {
        return Some(value);
    };
    let callee = model.files[file].imports.resolve(&call.func);
    let callee = callee.as_deref().unwrap_or_default();
    let default = if PYDANTIC_FIELD.contains(&callee) {
        call.argument("default", 0)?
    } else if PYDANTIC_SECRETS.contains(&callee) {
        call.args.first()?
    } else {
        return Some(value);
    };
    if matches!(default.kind, ExprKind::Ellipsis) {
        return None;
    }
    field_default(model, file, default)
}

/// True when a pydantic settings field holds a signing key: its name or its alias
/// (`Field(..., alias="JWT_SECRET")`) is named for one.
pub fn is_key_setting(name: &str, value: &Expr, extra: &[String]) -> bool {
    is_signing_key_name(name, extra)
        || value.as_call().is_some_and(|call| {
            ["alias", "validation_alias", "env"].iter().any(|k| {
                call.keyword(k)
                    .and_then(Expr::as_str)
                    .is_some_and(|alias| is_signing_key_name(alias, extra))
            })
        })
}

const MAX_CLASS_DEPTH: u32 = 8;

/// The configuration value that the assignment at `span` of `file` gives `key` in a
/// configuration production can load: a class loaded with `config.from_object` or named for
/// configuration (not for development or testing), also when a subclass inherits it, or a
/// module loaded with `from_object`/`from_pyfile`. `None` when production never sees it, for
/// instance because every production subclass assigns the key again.
pub fn production_value<'a>(
    cx: &FileContext<'a>,
    key: &str,
    file: usize,
    span: Span,
) -> Option<ConfigValue<'a>> {
    cx.config
        .production_values(key)
        .into_iter()
        .find(|v| v.file == file && v.span == span)
}

/// True when the module loads itself as configuration: `app.config.from_object(__name__)`.
pub fn loads_itself_as_config(model: &ProjectModel, file: usize) -> bool {
    let mut found = false;
    for_each_call(
        model.files[file].body(),
        &mut Vec::new(),
        &mut |_, _, call| {
            found |= matches!(&call.func.kind, ExprKind::Attribute { attr, .. } if attr == "from_object")
                && call.args.first().and_then(Expr::as_name) == Some("__name__");
        },
    );
    found
}

/// The last assignment of `attr` in the class body (`NAME = v` or `NAME: T = v`): the
/// statement's span and the value.
pub fn class_attribute<'a>(class: &'a Class, attr: &str) -> Option<(Span, &'a Expr)> {
    class.body.iter().rev().find_map(|stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            span,
            ..
        } if targets.iter().any(|t| t.as_name() == Some(attr)) => Some((*span, value)),
        _ => None,
    })
}

/// `attr` looked up on `class` and then on its project bases: the file and class that assign
/// it, the assignment's span and the value.
pub fn lookup_class_attribute<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
    attr: &str,
) -> Option<ClassAttribute<'a>> {
    lookup_class_attribute_at(model, file, class, attr, 0)
}

/// Where a class attribute is assigned.
#[derive(Clone, Copy, Debug)]
pub struct ClassAttribute<'a> {
    pub file: usize,
    pub class: &'a Class,
    pub span: Span,
    pub value: &'a Expr,
}

fn lookup_class_attribute_at<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
    attr: &str,
    depth: u32,
) -> Option<ClassAttribute<'a>> {
    if let Some((span, value)) = class_attribute(class, attr) {
        return Some(ClassAttribute {
            file,
            class,
            span,
            value,
        });
    }
    if depth > MAX_CLASS_DEPTH {
        return None;
    }
    class
        .bases
        .iter()
        .find_map(|base| match model.resolve_definition(file, base) {
            Some((f, Some(Stmt::ClassDef(parent)), _)) if !std::ptr::eq(&**parent, class) => {
                lookup_class_attribute_at(model, f, parent, attr, depth + 1)
            }
            _ => None,
        })
}

/// The project class `expr` names or is an instance of: `Config`, `settings` after
/// `settings = Settings()` or `settings = get_settings()`, a parameter annotated
/// `config: Settings` (also `Annotated[Settings, Depends(...)]`).
pub fn project_class_of<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
) -> Option<(usize, &'a Class)> {
    project_class_at(model, file, scope, expr, 0)
}

fn project_class_at<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    depth: u32,
) -> Option<(usize, &'a Class)> {
    if depth > MAX_CLASS_DEPTH {
        return None;
    }
    if let ExprKind::Name(name) = &expr.kind {
        let annotation = scope
            .iter()
            .rev()
            .flat_map(|f| f.params.iter())
            .find(|p| p.name == name)
            .map(|p| p.annotation.as_deref());
        if let Some(annotation) = annotation {
            return project_class_at(model, file, scope, annotation?, depth + 1);
        }
    }
    match &expr.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            if let Some((f, Some(Stmt::ClassDef(class)), _)) = model.resolve_definition(file, expr)
            {
                return Some((f, &**class));
            }
            let origin = model.follow(file, scope, expr)?;
            if std::ptr::eq(origin.expr, expr) {
                return None;
            }
            project_class_at(model, origin.file, &origin.scope, origin.expr, depth + 1)
        }
        ExprKind::Call(call) => match model.resolve_definition(file, &call.func)? {
            (f, Some(Stmt::ClassDef(class)), _) => Some((f, &**class)),
            (f, Some(Stmt::FunctionDef(factory)), _) => {
                if let Some(found) = factory
                    .returns
                    .as_ref()
                    .and_then(|r| project_class_at(model, f, &[], r, depth + 1))
                {
                    return Some(found);
                }
                let scope = [&**factory];
                let mut found = None;
                for_each_return(&factory.body, &mut |value| {
                    if found.is_none() {
                        found = project_class_at(model, f, &scope, value, depth + 1);
                    }
                });
                found
            }
            _ => None,
        },
        // `Annotated[Settings, Depends(get_settings)]`
        ExprKind::Subscript { value, slice } => {
            let first = slice.elements().and_then(|e| e.first())?;
            let annotated = model.files[file]
                .imports
                .resolve(value)
                .is_some_and(|q| q == "typing.Annotated" || q == "typing_extensions.Annotated");
            annotated
                .then(|| project_class_at(model, file, scope, first, depth + 1))
                .flatten()
        }
        ExprKind::Await(inner) => project_class_at(model, file, scope, inner, depth + 1),
        _ => None,
    }
}

/// Where the literal of a signing key was written.
#[derive(Clone, Copy, Debug)]
pub enum SecretSource<'a> {
    /// At the use, or in a local variable.
    Inline,
    /// A module-level constant.
    ModuleConstant {
        file: usize,
        name: &'a str,
        /// The assignment statement.
        span: Span,
    },
    /// A class attribute; `settings` when the class is a pydantic settings class, whose value is
    /// the default of an environment variable.
    ClassAttribute {
        file: usize,
        class: &'a Class,
        name: &'a str,
        /// The assignment statement.
        span: Span,
        settings: bool,
    },
}

/// A literal secret and where it was written.
#[derive(Clone, Debug)]
pub struct LiteralSecret<'a> {
    pub text: String,
    pub source: SecretSource<'a>,
}

/// The literal a signing key holds: a string or bytes literal, `"...".encode()`, or a name that
/// leads to one: a local variable, a module constant (also of another module), a class
/// attribute or a pydantic settings default reached through the class, an instance, a factory
/// or an annotated parameter. Public keys and certificates are not secrets.
pub fn literal_secret<'a>(cx: &'a FileContext, expr: &'a Expr) -> Option<LiteralSecret<'a>> {
    let secret = literal_secret_at(cx.model, cx.file_index, &cx.functions, expr, 0)?;
    (!is_public_key_text(&secret.text)).then_some(secret)
}

/// [`literal_secret`] of an expression written in `file` within the functions `scope`: a
/// value found by following another value there (the key material of a key object).
pub fn literal_secret_in<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
) -> Option<LiteralSecret<'a>> {
    let secret = literal_secret_at(model, file, scope, expr, 0)?;
    (!is_public_key_text(&secret.text)).then_some(secret)
}

fn literal_secret_at<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    depth: u32,
) -> Option<LiteralSecret<'a>> {
    if depth > MAX_CLASS_DEPTH {
        return None;
    }
    let origin = model.resolve_value(file, scope, expr);
    if let Some(text) = literal_text_of(origin.expr) {
        let constant = (origin.scope.is_empty() && !std::ptr::eq(origin.expr, expr))
            .then(|| module_constant_name(model, origin.file, origin.expr))
            .flatten();
        let source = match constant {
            Some((name, span)) => SecretSource::ModuleConstant {
                file: origin.file,
                name,
                span,
            },
            None => SecretSource::Inline,
        };
        return Some(LiteralSecret { text, source });
    }
    let ExprKind::Attribute {
        value: object,
        attr,
    } = &origin.expr.kind
    else {
        return None;
    };
    let (class_file, class) = project_class_of(model, origin.file, &origin.scope, object)?;
    let Some(found) = lookup_class_attribute(model, class_file, class, attr) else {
        return copied_module_constant(model, class_file, class, attr, depth);
    };
    let settings = is_settings_class_in(model, found.file, found.class);
    let value = if settings {
        field_default(model, found.file, found.value)?
    } else {
        found.value
    };
    let inner = literal_secret_at(model, found.file, &[], value, depth + 1)?;
    Some(LiteralSecret {
        text: inner.text,
        source: SecretSource::ClassAttribute {
            file: found.file,
            class: found.class,
            name: attr,
            span: found.span,
            settings,
        },
    })
}

/// `config.JWT_SECRET` where `config` is an instance of a class that answers unknown
/// attributes itself (`__getattr__`) from the constants of a project module its methods pass
/// on as a value (`values = _uppercase_constants(defaults)`): the module's constant `attr`,
/// the value whenever nothing overrides it.
fn copied_module_constant<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
    attr: &'a str,
    depth: u32,
) -> Option<LiteralSecret<'a>> {
    let dynamic = class
        .body
        .iter()
        .any(|s| matches!(s, Stmt::FunctionDef(f) if f.name == "__getattr__"));
    if !dynamic {
        return None;
    }
    let imports = &model.files[file].imports;
    let mut found = None;
    for_each_call(&class.body, &mut Vec::new(), &mut |_, _, call| {
        if found.is_some() {
            return;
        }
        found = call.args.iter().find_map(|arg| {
            arg.as_name()?;
            let (module_file, module) = model.module(&imports.resolve(arg)?)?;
            match module.top_level(attr)? {
                Stmt::Assign {
                    value: Some(value),
                    span,
                    ..
                } => Some((module_file, value, *span)),
                _ => None,
            }
        });
    });
    let (module_file, value, span) = found?;
    let inner = literal_secret_at(model, module_file, &[], value, depth + 1)?;
    Some(LiteralSecret {
        text: inner.text,
        source: SecretSource::ModuleConstant {
            file: module_file,
            name: attr,
            span,
        },
    })
}

/// The name and statement of the module-level constant whose value is `value`.
fn module_constant_name<'a>(
    model: &'a ProjectModel,
    file: usize,
    value: &Expr,
) -> Option<(&'a str, Span)> {
    model.files[file].body().iter().find_map(|stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(v),
            span,
            ..
        } if std::ptr::eq(v, value) => Some((targets.first()?.as_name()?, *span)),
        _ => None,
    })
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

/// PEM public keys and certificates: verifying with a published key is not a secret in code.
fn is_public_key_text(text: &str) -> bool {
    let text = text.trim_start();
    [
        "-----BEGIN PUBLIC KEY",
        "-----BEGIN RSA PUBLIC KEY",
        "-----BEGIN CERTIFICATE",
        "ssh-rsa ",
        "ssh-ed25519 ",
    ]
    .iter()
    .any(|p| text.starts_with(p))
}

/// Host strings that bind every interface, after following a name to its literal (also one
/// bound in a module-level block such as `if __name__ == "__main__":`), or a command-line
/// option that defaults to one (see [`host_binds_public`]).
pub fn binds_public(cx: &FileContext, host: &Expr) -> bool {
    host_binds_public(cx.model, cx.file_index, &cx.functions, host)
}

/// True when `span` lies in the branch of an `if` that runs only with debug mode on:
/// `if app.debug:`, `if app.config["DEBUG"]:`, `if settings.DEBUG:`, `if config.app__debug:`,
/// `if os.environ.get("FLASK_DEBUG") == "1":`, or the `else` of `if not ...:`; also a local
/// copy of such a switch, `use_debugger = self.debug` then `if use_debugger:`.
pub fn under_debug_guard(cx: &FileContext, span: Span) -> bool {
    let function = cx.function();
    let body = function.map_or(cx.file.body(), |f| f.body.as_slice());
    guarded(body, span, &|test| {
        is_debug_switch(test) || copies_debug_switch(body, function, test)
    })
}

/// Whether `test` is a name of the scope whose every assignment there is a debug switch
/// (`use_debugger = self.debug`), and not a parameter, which a caller may set to anything.
fn copies_debug_switch(body: &[Stmt], function: Option<&Function>, test: &Expr) -> bool {
    let Some(name) = test.as_name() else {
        return false;
    };
    if function.is_some_and(|f| f.params.iter().any(|p| p.name == name)) {
        return false;
    }
    let values = crate::credentials::assigned_values(body, name);
    !values.is_empty() && values.into_iter().all(is_debug_switch)
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn guarded(body: &[Stmt], span: Span, is_switch: &dyn Fn(&Expr) -> bool) -> bool {
    let Some(stmt) = body.iter().find(|s| contains(s.span(), span)) else {
        return false;
    };
    if let Stmt::If {
        test, body, orelse, ..
    } = stmt
    {
        let (negated, test) = without_not(test);
        if is_switch(test) {
            let branch: &[Stmt] = if negated { orelse } else { body };
            if branch.iter().any(|s| contains(s.span(), span)) {
                return true;
            }
        }
    }
    if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
        return false;
    }
    stmt.child_bodies().any(|b| guarded(b, span, is_switch))
}

fn is_debug_switch(test: &Expr) -> bool {
    let is_key = |s: &str| matches!(s, "DEBUG" | "FLASK_DEBUG");
    test.any(&mut |e| match &e.kind {
        ExprKind::Attribute { attr: n, .. } | ExprKind::Name(n) => names_debug_switch(n),
        ExprKind::Subscript { slice, .. } => slice.as_str().is_some_and(is_key),
        // `os.getenv("DEBUG")`, and a helper named for the question: `in_debug_mode()`.
        ExprKind::Call(call) => {
            call.args.first().and_then(Expr::as_str).is_some_and(is_key)
                || call.func.last_name().is_some_and(|n| {
                    routewarden_model::config::any_identifier_word(n, |w| {
                        w == "debug" || w == "debugging"
                    })
                })
        }
        _ => false,
    })
}

/// A name for a debug switch: `debug`, `DEBUG`, or one whose last word is "debug"
/// (`app__debug`, `self._debug`, `insecure_debug`), unless a word turns it around
/// (`no_debug`, `disable_debug`).
fn names_debug_switch(name: &str) -> bool {
    if name == "debug" || name == "DEBUG" {
        return true;
    }
    let mut last_is_debug = false;
    let negated = routewarden_model::config::any_identifier_word(name, |w| {
        last_is_debug = w == "debug";
        routewarden_model::config::is_negating_word(w)
    });
    !negated && last_is_debug
}

/// Calls `f` with every call in `body` and the functions enclosing it.
pub fn for_each_call<'a>(
    body: &'a [Stmt],
    scope: &mut Vec<&'a Function>,
    f: &mut impl FnMut(&[&'a Function], &'a Expr, &'a Call),
) {
    for stmt in body {
        let mut exprs: Vec<&'a Expr> = Vec::new();
        match stmt {
            Stmt::FunctionDef(function) => {
                exprs.extend(&function.decorators);
                exprs.extend(function.params.iter().filter_map(|p| p.default.as_deref()));
                visit_calls(&exprs, scope, f);
                scope.push(function);
                for_each_call(&function.body, scope, f);
                scope.pop();
                continue;
            }
            Stmt::ClassDef(class) => {
                exprs.extend(class.decorators.iter().chain(&class.bases));
                exprs.extend(class.keywords.iter().map(|k| &k.value));
            }
            Stmt::Return { value, .. } => exprs.extend(value),
            Stmt::Assign { targets, value, .. } => {
                exprs.extend(targets);
                exprs.extend(value);
            }
            Stmt::AugAssign { target, value, .. } => exprs.extend([target, value]),
            Stmt::Expr { value, .. } => exprs.push(value),
            Stmt::If { test, .. } | Stmt::While { test, .. } => exprs.push(test),
            Stmt::For { target, iter, .. } => exprs.extend([&**target, &**iter]),
            Stmt::With { items, .. } => {
                for item in items {
                    exprs.push(&item.context);
                    exprs.extend(&item.target);
                }
            }
            Stmt::Match { subject, .. } => exprs.push(subject),
            Stmt::Raise { exc, cause, .. } => exprs.extend(exc.iter().chain(cause.as_deref())),
            Stmt::Try { handlers, .. } => {
                exprs.extend(handlers.iter().filter_map(|h| h.type_.as_ref()))
            }
            Stmt::Import { .. } | Stmt::ImportFrom { .. } | Stmt::Other { .. } => {}
        }
        visit_calls(&exprs, scope, f);
        if stmt.has_child_bodies() {
            for child in stmt.child_bodies() {
                for_each_call(child, scope, f);
            }
        }
    }
}

fn visit_calls<'a>(
    exprs: &[&'a Expr],
    scope: &[&'a Function],
    f: &mut impl FnMut(&[&'a Function], &'a Expr, &'a Call),
) {
    fn visit<'a>(
        expr: &'a Expr,
        scope: &[&'a Function],
        f: &mut impl FnMut(&[&'a Function], &'a Expr, &'a Call),
    ) {
        if let ExprKind::Call(call) = &expr.kind {
            f(scope, expr, call);
        }
        expr.for_each_child(|child| visit(child, scope, f));
    }
    for expr in exprs {
        visit(expr, scope, f);
    }
}

pub use routewarden_model::apps::negation;

/// The `if`s the statement at `span` is written under, outermost first: each test, and whether
/// the statement is in its body (`true`) or its `else` (`false`).
pub fn enclosing_if_tests(body: &[Stmt], span: Span) -> Vec<(&Expr, bool)> {
    let within = |s: Span| s.start <= span.start && span.end <= s.end;
    let mut out = Vec::new();
    let mut stmts = body;
    loop {
        let Some(stmt) = stmts.iter().find(|s| within(s.span()) && s.span() != span) else {
            return out;
        };
        if let Stmt::If {
            test, body, orelse, ..
        } = stmt
        {
            if body.iter().any(|s| within(s.span())) {
                out.push((test, true));
            } else if orelse.iter().any(|s| within(s.span())) {
                out.push((test, false));
            }
        }
        match stmt
            .child_bodies()
            .find(|b| b.iter().any(|s| within(s.span())))
        {
            Some(child) => stmts = child,
            None => return out,
        }
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
        assert!(is_signing_key_name("SECURITY_PASSWORD_SALT", &[]));
        assert!(is_signing_key_name("jwtSecret", &[]));
        assert!(is_signing_key_name("SESSION_SIGNING_KEY", &[]));
        assert!(!is_signing_key_name("SECRETS_DIR", &[]));
        assert!(!is_signing_key_name("SECRET_MANAGER_DIRECTORY", &[]));
        assert!(!is_signing_key_name("SECRET_STORE_FOLDER", &[]));
        assert!(!is_signing_key_name("SECRET_KEY_FILEPATH", &[]));
        assert!(!is_signing_key_name("SECRETS_MOUNT", &[]));
        assert!(!is_signing_key_name("JWT_SECRET_KEY_ENV", &[]));
        assert!(!is_signing_key_name("SECRET_MASK", &[]));
        assert!(!is_signing_key_name("API_KEY", &[]));
        assert!(!is_signing_key_name("PASSWORD_HASH", &[]));
    }

    #[test]
    fn secret_descriptions() {
        assert_eq!(describe_secret("dev"), "\"dev\", a well-known weak value");
        assert_eq!(describe_secret("Zq81mW0pLx"), "a literal of 10 characters");
        assert!(
            describe_secret("09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7")
                .contains("documentation")
        );
        assert!(is_weak_secret("CHANGE-ME-in-production"));
        assert!(!is_weak_secret("k7#Qz!2mW9"));
    }
}

/// Runs one rule on in-memory files, for rule unit tests that check what fixtures cannot
/// (severities, messages).
#[cfg(test)]
pub(crate) mod test_support {
    use crate::checker::check_project;
    use crate::rule::{Confidence, Rule, Severity};
    use crate::settings::RuleSettings;
    use routewarden_model::{InputFile, ProjectModel};
    use std::path::PathBuf;

    #[derive(Debug)]
    pub struct Found {
        pub file: String,
        pub line: u32,
        pub severity: Severity,
        pub confidence: Confidence,
        pub message: String,
    }

    pub fn findings_of(rule: &dyn Rule, files: &[(&str, &str)]) -> Vec<Found> {
        let inputs = files
            .iter()
            .map(|(path, text)| InputFile {
                path: PathBuf::from("/project").join(path),
                display: path.to_string(),
                text: text.to_string(),
            })
            .collect();
        let model = ProjectModel::build(inputs, &[]);
        let mut found: Vec<Found> =
            check_project(&model, &[rule], &RuleSettings::default(), &|_| false)
                .into_iter()
                .map(|f| {
                    let module = &model.files[f.file];
                    Found {
                        file: module.display.clone(),
                        line: module.position(f.span.start).row,
                        severity: f.severity,
                        confidence: f.confidence,
                        message: f.message,
                    }
                })
                .collect();
        found.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        found
    }
}

/// `not x` as `(true, x)`, anything else as `(false, it)`.
pub fn without_not(test: &Expr) -> (bool, &Expr) {
    match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => (true, operand),
        _ => (false, test),
    }
}

/// Whether `test` holds exactly for a logged-in caller: `current_user.is_authenticated` (also
/// called, as before Flask-Login 0.3) or `not current_user.is_anonymous`, where `is_user` says
/// which qualified names are the proxy for the session's user.
pub fn tests_logged_in(
    imports: &routewarden_python::names::Imports,
    test: &Expr,
    is_user: &dyn Fn(&str) -> bool,
) -> bool {
    let (negated, subject) = without_not(test);
    let subject = match &subject.kind {
        ExprKind::Call(c) if c.args.is_empty() && c.keywords.is_empty() => &c.func,
        _ => subject,
    };
    matches!(&subject.kind, ExprKind::Attribute { value, attr }
        if matches!((attr.as_str(), negated), ("is_authenticated", false) | ("is_anonymous", true))
            && imports.resolve(value).is_some_and(|q| is_user(&q)))
}

/// What a command-line option holds when it is not given.
pub enum ArgDefault<'a> {
    /// The `default=` of its declaration.
    Value(&'a Expr),
    /// A `store_true`/`store_false` flag without one: `False`/`True`.
    Flag(bool),
}

/// The default of the command-line option `expr` reads, when the operator passes nothing:
/// `args.allowed_origins` where `args` is what `parser.parse_args()` returned (also `opts, _ =
/// parser.parse_args()` of optparse, or a parameter annotated `argparse.Namespace`) and the
/// module declares the option once, `parser.add_argument("--allowed-origins", default=["*"])`
/// or `parser.add_option("--host", dest="host", default="0.0.0.0")`; or a parameter of a
/// click command declared by `@click.option("--host", default="0.0.0.0")`. `None` when the
/// option is declared elsewhere, several times or without a default.
pub fn option_default<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &Expr,
) -> Option<ArgDefault<'a>> {
    if let ExprKind::Name(name) = &expr.kind {
        return click_option_default(model, file, scope, name);
    }
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return None;
    };
    let name = value.as_name()?;
    let imports = &model.files[file].imports;
    let annotated = scope
        .last()
        .and_then(|f| f.params.iter().find(|p| p.name == name))
        .and_then(|p| p.annotation.as_deref())
        .is_some_and(|a| imports.resolve(a).as_deref() == Some("argparse.Namespace"));
    let parsed = || {
        let origin = model.resolve_value(file, scope, value);
        if is_parse_args(origin.expr) {
            return Some(file);
        }
        // `opts, args = parser.parse_args()`: optparse returns the options first; also through
        // a project helper that returns what it parsed (`opts, args = parse_opts(config)`).
        let body = scope
            .last()
            .map_or(model.files[file].body(), |f| &f.body[..]);
        let value = unpacked_first(body, name)?;
        if is_parse_args(value) {
            return Some(file);
        }
        let (def_file, Some(Stmt::FunctionDef(helper)), _) =
            model.resolve_definition(file, &value.as_call()?.func)?
        else {
            return None;
        };
        let mut parses = false;
        for_each_return(&helper.body, &mut |returned| {
            let returned = returned
                .as_name()
                .and_then(|n| routewarden_model::last_assignment(&helper.body, n))
                .unwrap_or(returned);
            parses |= is_parse_args(returned);
        });
        parses.then_some(def_file)
    };
    // The module that parses the options declares them.
    let file = if annotated { Some(file) } else { parsed() }?;
    let mut declared: Vec<&'a Call> = Vec::new();
    routewarden_model::security::walk_all_exprs(model.files[file].body(), &mut |e| {
        e.any(&mut |x| {
            if let Some(call) = x.as_call()
                && matches!(&call.func.kind, ExprKind::Attribute { attr: a, .. } if a == "add_argument" || a == "add_option")
                && option_dest(call).as_deref() == Some(attr.as_str())
            {
                declared.push(call);
            }
            false
        });
    });
    let [call] = declared[..] else {
        return None;
    };
    declared_default(call)
}

/// `parser.parse_args()`.
fn is_parse_args(expr: &Expr) -> bool {
    expr.as_call().is_some_and(
        |c| matches!(&c.func.kind, ExprKind::Attribute { attr, .. } if attr == "parse_args"),
    )
}

/// The value of the first of a tuple target, `name, rest = value`, in `body` (not in nested
/// functions).
fn unpacked_first<'a>(body: &'a [Stmt], name: &str) -> Option<&'a Expr> {
    let mut found = None;
    routewarden_model::security::walk_stmts(body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && targets.iter().any(|t| {
                matches!(&t.kind, ExprKind::Tuple(items) if items.first().and_then(Expr::as_name) == Some(name))
            })
        {
            found = Some(value);
        }
    });
    found
}

/// `default=`, or what a `store_true`/`store_false` flag holds without one.
fn declared_default(call: &Call) -> Option<ArgDefault<'_>> {
    if let Some(default) = call.keyword("default") {
        return Some(ArgDefault::Value(default));
    }
    match call.keyword("action").and_then(Expr::as_str) {
        Some("store_true") => Some(ArgDefault::Flag(false)),
        Some("store_false") => Some(ArgDefault::Flag(true)),
        _ => match call.keyword("is_flag") {
            Some(flag) if matches!(flag.kind, ExprKind::Bool(true)) => {
                Some(ArgDefault::Flag(false))
            }
            _ => None,
        },
    }
}

/// `host` in `@click.option("--host", default="0.0.0.0") def serve(host): ...`: a parameter of
/// the innermost enclosing function that one of its `click.option` decorators declares.
fn click_option_default<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    name: &str,
) -> Option<ArgDefault<'a>> {
    let function = scope.last()?;
    if !function.params.iter().any(|p| p.name == name) {
        return None;
    }
    let imports = &model.files[file].imports;
    function.decorators.iter().find_map(|d| {
        let call = d.as_call()?;
        if !imports.resolves_to(&call.func, &["click.option", "click.decorators.option"]) {
            return None;
        }
        // click names the parameter by a bare identifier among the declarations, else by the
        // first long option, else the first short one.
        let declarations: Vec<&str> = call.args.iter().filter_map(Expr::as_str).collect();
        let parameter = match declarations.iter().find(|d| !d.starts_with('-')) {
            Some(bare) => bare.to_string(),
            None => declarations
                .iter()
                .find(|d| d.starts_with("--"))
                .or_else(|| declarations.first())?
                .trim_start_matches('-')
                .replace('-', "_")
                .to_ascii_lowercase(),
        };
        (parameter == name)
            .then(|| declared_default(call))
            .flatten()
    })
}

/// The attribute an `add_argument`/`add_option` call stores its option in: `dest=`, else the
/// first long option (`--allowed-origins` gives `allowed_origins`), else the first short one.
fn option_dest(call: &Call) -> Option<String> {
    if let Some(dest) = call.keyword("dest") {
        return dest.as_str().map(String::from);
    }
    let names: Vec<&str> = call.args.iter().filter_map(Expr::as_str).collect();
    let chosen = names
        .iter()
        .find(|n| n.starts_with("--"))
        .or_else(|| names.first())?;
    Some(chosen.trim_start_matches('-').replace('-', "_"))
}

/// A host that binds every interface, written in `file` within `scope`: a literal (after
/// following names, also into module-level blocks), or a command-line option whose default is
/// one (`host=opts.host` with `add_option("--host", default="0.0.0.0")`, a click option's
/// parameter): the server listens on every interface unless the operator says otherwise.
pub fn host_binds_public(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    host: &Expr,
) -> bool {
    let origin = resolve_value_in_blocks(model, file, scope, host);
    if is_public_host(origin.expr) {
        return true;
    }
    // `os.environ.get("HOST") or "0.0.0.0"`: the last operand applies whenever the others are
    // empty, unless one of them is a literal that never is.
    if let ExprKind::BoolOp {
        op: BoolOp::Or,
        values,
    } = &origin.expr.kind
        && let Some((last, earlier)) = values.split_last()
    {
        let never_empty =
            |e: &Expr| matches!(&e.kind, ExprKind::Str(s) if !s.is_empty()) || is_truthy_literal(e);
        return !earlier.iter().any(never_empty)
            && host_binds_public(model, origin.file, &origin.scope, last);
    }
    // `os.environ.get("HOST", "0.0.0.0")`: the default applies while the variable is unset.
    if let ExprKind::Call(call) = &origin.expr.kind
        && matches!(
            model.files[origin.file]
                .imports
                .resolve(&call.func)
                .as_deref(),
            Some("os.getenv" | "os.environ.get")
        )
    {
        return call.argument("default", 1).is_some_and(|default| {
            is_public_host(resolve_value_in_blocks(model, origin.file, &origin.scope, default).expr)
        });
    }
    match option_default(model, origin.file, &origin.scope, origin.expr) {
        Some(ArgDefault::Value(default)) => {
            is_public_host(model.resolve_value(origin.file, &[], default).expr)
        }
        _ => false,
    }
}

pub use routewarden_model::values::is_config_parser;

/// For a finding about a route registered only under a runtime condition, the words that say
/// so (`; the route exists only if settings.enable_oidc`); empty for a route always there.
pub fn registration_note(
    surface: &routewarden_model::security::AttackSurface,
    mounted: &routewarden_model::apps::MountedRoute,
) -> String {
    match surface
        .apps
        .registered_when(mounted, &surface.mounted)
        .condition()
    {
        Some(condition) => format!("; the route exists only if {condition}"),
        None => String::new(),
    }
}

/// Functions that return a logger.
const LOGGER_FACTORIES: &[&str] = &[
    "logging.getLogger",
    "oslo_log.log.getLogger",
    "structlog.get_logger",
    "structlog.getLogger",
];

/// A call of a logger's method: `LOG.debug(...)`, `logging.info(...)`,
/// `current_app.logger.warning(...)`, on a module-level logger from a logger factory.
pub fn is_logging_call(module: &routewarden_model::SourceModule, call: &Call) -> bool {
    let ExprKind::Attribute {
        value: receiver,
        attr,
    } = &call.func.kind
    else {
        return false;
    };
    if !matches!(
        attr.as_str(),
        "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical" | "log"
    ) {
        return false;
    }
    let imports = &module.imports;
    if imports.resolves_to(
        receiver,
        &["logging", "loguru.logger", "flask.current_app.logger"],
    ) {
        return true;
    }
    receiver.as_name().is_some_and(|n| {
        imports.get(n).is_none()
            && matches!(module.top_level(n), Some(Stmt::Assign { value: Some(v), .. })
                if v.as_call().is_some_and(|c| imports.resolves_to(&c.func, LOGGER_FACTORIES)))
    })
}
