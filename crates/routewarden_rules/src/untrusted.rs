//! Request data that no model validated, followed through a function's local assignments.

use crate::data_models::{ModelKind, allows_extra, model_kind, named_class};
use routewarden_model::ProjectModel;
use routewarden_python::ast::{
    BoolOp, Call, CmpOp, Expr, ExprKind, Function, Param, ParamKind, Span, Stmt, UnaryOp,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Annotations that accept any JSON body: `dict`, `Dict[...]`, `Any`, `object`, `Mapping`.
pub fn is_raw_annotation(model: &ProjectModel, file: usize, annotation: &Expr) -> bool {
    let base = match &annotation.kind {
        ExprKind::Subscript { value, .. } => value.as_ref(),
        _ => annotation,
    };
    if let Some(q) = model.files[file].imports.resolve(base) {
        if is_annotated(&q) {
            return annotated_parts(annotation)
                .is_some_and(|(inner, _)| is_raw_annotation(model, file, inner));
        }
        return matches!(
            q.as_str(),
            "builtins.dict"
                | "typing.Dict"
                | "typing.Any"
                | "typing.Mapping"
                | "typing.MutableMapping"
                | "collections.abc.Mapping"
                | "typing_extensions.Any"
        );
    }
    matches!(base.as_name(), Some("dict" | "object"))
}

fn is_annotated(qualified: &str) -> bool {
    matches!(
        qualified,
        "typing.Annotated" | "typing_extensions.Annotated"
    )
}

/// `Annotated[T, meta...]`: the type and the metadata.
fn annotated_parts(annotation: &Expr) -> Option<(&Expr, &[Expr])> {
    let ExprKind::Subscript { slice, .. } = &annotation.kind else {
        return None;
    };
    let (first, rest) = slice.elements()?.split_first()?;
    Some((first, rest))
}

/// `Depends(...)`, `Query()`, ...: a value FastAPI takes from somewhere other than the body.
fn is_injected(expr: &Expr) -> bool {
    expr.as_call().is_some_and(|c| {
        matches!(
            c.func.last_name(),
            Some("Depends" | "Security" | "Query" | "Header" | "Cookie" | "Path")
        )
    })
}

/// A parameter FastAPI fills from somewhere other than the body: `Depends(...)`, `Query()`,
/// also through `Annotated[T, Depends(...)]`.
pub fn is_injected_param(p: &Param) -> bool {
    p.default.as_deref().is_some_and(is_injected)
        || p.annotation
            .as_deref()
            .and_then(|a| annotated_parts(a))
            .is_some_and(|(_, meta)| meta.iter().any(is_injected))
}

/// Parameters that take the body as an unvalidated mapping.
pub fn raw_body_params<'f>(
    model: &ProjectModel,
    file: usize,
    function: &'f Function,
    path: &str,
) -> Vec<&'f Param> {
    function
        .params
        .iter()
        .filter(|p| {
            let in_path = path.contains(&format!("{{{}}}", p.name))
                || path.contains(&format!("{{{}:", p.name));
            let injected = is_injected_param(p);
            !in_path
                && !injected
                && p.annotation
                    .as_deref()
                    .is_some_and(|a| is_raw_annotation(model, file, a))
        })
        .collect()
}

/// Where each untrusted local came from, for one function.
pub struct Untrusted<'m> {
    model: &'m ProjectModel,
    file: usize,
    function: &'m Function,
    /// Whether the function is a route handler, whose model-typed parameters are request
    /// bodies (elsewhere a parameter typed with a model may hold the application's own data).
    handler: bool,
    pub names: HashMap<String, String>,
}

impl<'m> Untrusted<'m> {
    /// `raw_params` are parameters already known to carry raw bodies; `handler` says whether
    /// `function` is a route handler.
    pub fn new(
        model: &'m ProjectModel,
        file: usize,
        function: &'m Function,
        raw_params: &[&Param],
        handler: bool,
    ) -> Self {
        let mut u = Untrusted {
            model,
            file,
            function,
            handler,
            names: raw_params
                .iter()
                .map(|p| (p.name.to_string(), format!("parameter `{}`", p.name)))
                .collect(),
        };
        // A second pass sees names the first bound after their use (in a loop); it can only
        // learn something when the first changed what is known.
        if u.learn(&function.body) {
            u.learn(&function.body);
        }
        u
    }

    /// Learns the names `body` binds to untrusted values; whether anything known changed.
    fn learn(&mut self, body: &[Stmt]) -> bool {
        let mut changed = false;
        for stmt in body {
            match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    if let Some(why) = self.source(value) {
                        for t in targets {
                            if let Some(n) = t.as_name() {
                                changed |= self.names.insert(n.to_string(), why.clone()).as_ref()
                                    != Some(&why);
                            }
                        }
                    }
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                other => {
                    for child in other.child_bodies() {
                        changed |= self.learn(child);
                    }
                }
            }
        }
        changed
    }

    fn resolve(&self, expr: &Expr) -> Option<String> {
        self.model.files[self.file].imports.resolve(expr)
    }

    fn is_starlette_request(&self, expr: &Expr) -> bool {
        let Some(name) = expr.as_name() else {
            return false;
        };
        let imports = &self.model.files[self.file].imports;
        self.function
            .params
            .iter()
            .any(|p| p.name == name && crate::helpers::is_starlette_request_param(imports, p))
    }

    /// Why an expression is untrusted request data, if it is.
    pub fn source(&self, expr: &Expr) -> Option<String> {
        match &expr.kind {
            ExprKind::Name(n) => self.names.get(n.as_str()).cloned(),
            ExprKind::Attribute { value, attr } => {
                if matches!(attr.as_str(), "json" | "form" | "args" | "values")
                    && self.resolve(value).as_deref() == Some("flask.request")
                {
                    return Some(format!("request.{attr}"));
                }
                None
            }
            ExprKind::Await(inner) => {
                let call = inner.as_call()?;
                let ExprKind::Attribute { value, attr } = &call.func.kind else {
                    return None;
                };
                (matches!(attr.as_str(), "json" | "form" | "body")
                    && self.is_starlette_request(value))
                .then(|| format!("await request.{attr}()"))
            }
            ExprKind::Call(call) => {
                if let ExprKind::Attribute { value, attr } = &call.func.kind {
                    if attr == "get_json" && self.resolve(value).as_deref() == Some("flask.request")
                    {
                        return Some("request.get_json()".to_string());
                    }
                    if matches!(attr.as_str(), "copy" | "to_dict" | "dict" | "model_dump") {
                        if let Some(why) = self.source(value) {
                            return Some(why);
                        }
                        if matches!(attr.as_str(), "dict" | "model_dump") {
                            return self.permissive_model_dump(value, call);
                        }
                    }
                }
                // Asked of every call: compared in place, without building the name.
                let imports = &self.model.files[self.file].imports;
                if imports.resolves_to(&call.func, &["builtins.dict"]) {
                    return call.args.first().and_then(|a| self.source(a));
                }
                // `json.loads(request.data)`, `json.loads(await request.body())`: the raw body
                // decoded as JSON is the body as a whole.
                if imports.resolves_to(
                    &call.func,
                    &[
                        "json.loads",
                        "orjson.loads",
                        "ujson.loads",
                        "simplejson.loads",
                    ],
                ) {
                    let arg = call.args.first()?;
                    return self.raw_flask_body(arg).or_else(|| self.source(arg));
                }
                None
            }
            ExprKind::Dict(entries) => entries
                .iter()
                .filter(|e| e.key.is_none())
                .find_map(|e| self.source(&e.value)),
            // `request.form if request.form else json.loads(request.data)`,
            // `request.get_json() or {}`: request data whichever branch is taken.
            ExprKind::IfExp { body, orelse, .. } => {
                self.source(body).or_else(|| self.source(orelse))
            }
            ExprKind::BoolOp { values, .. } => values.iter().find_map(|v| self.source(v)),
            _ => None,
        }
    }

    /// Flask's raw request body: `request.data`, `request.get_data(...)`, also `.decode()`d.
    fn raw_flask_body(&self, expr: &Expr) -> Option<String> {
        let expr = match &expr.kind {
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Attribute { value, attr } if attr == "decode" => value.as_ref(),
                _ => expr,
            },
            _ => expr,
        };
        let (value, attr) = match &expr.kind {
            ExprKind::Attribute { value, attr } if attr == "data" => (value, "request.data"),
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Attribute { value, attr } if attr == "get_data" => {
                    (value, "request.get_data()")
                }
                _ => return None,
            },
            _ => return None,
        };
        (self.resolve(value).as_deref() == Some("flask.request"))
            .then(|| format!("json.loads({attr})"))
    }

    /// `payload.model_dump()` of a parameter whose model accepts extra fields.
    fn permissive_model_dump(
        &self,
        value: &Expr,
        _call: &routewarden_python::ast::Call,
    ) -> Option<String> {
        if !self.handler {
            return None;
        }
        let name = value.as_name()?;
        let param = self.function.params.iter().find(|p| p.name == name)?;
        let dependency = |e: &Expr| {
            e.as_call()
                .is_some_and(|c| matches!(c.func.last_name(), Some("Depends" | "Security")))
        };
        if param.default.as_deref().is_some_and(dependency) {
            return None;
        }
        let (f, class) = named_class(self.model, self.file, param.annotation.as_deref()?)?;
        allows_extra(self.model, f, class)
            .map(|_| format!("`{name}`, a {} that accepts extra fields", class.name))
    }
}

/// A mapping annotation whose values are typed (`Dict[str, str]`, `dict[str, int | float]`):
/// FastAPI checks every value, so the body is a validated free-form map, not an unvalidated
/// one. `Dict[str, Any]`, `dict[str, object]`, `dict[str, JsonValue]`, bare `dict` are not.
pub fn has_typed_values(model: &ProjectModel, file: usize, annotation: &Expr) -> bool {
    let annotation = match annotated_parts(annotation) {
        Some((inner, _))
            if model.files[file]
                .imports
                .resolve(match &annotation.kind {
                    ExprKind::Subscript { value, .. } => value,
                    _ => annotation,
                })
                .is_some_and(|q| is_annotated(&q)) =>
        {
            inner
        }
        _ => annotation,
    };
    let ExprKind::Subscript { slice, .. } = &annotation.kind else {
        return false;
    };
    let Some([_, value]) = slice.elements() else {
        return false;
    };
    !is_untyped(model, file, value)
}

/// A type that accepts any mapping or value: `Any`, `dict[str, Any]`, `Mapping[str, JsonValue]`.
pub fn is_untyped_type(model: &ProjectModel, file: usize, t: &Expr) -> bool {
    is_untyped(model, file, t)
}

/// `Any`, `object`, `JsonValue`, `dict`, `list` without arguments, or a union containing one.
fn is_untyped(model: &ProjectModel, file: usize, t: &Expr) -> bool {
    match &t.kind {
        ExprKind::BinOp { left, right, .. } => {
            is_untyped(model, file, left) || is_untyped(model, file, right)
        }
        ExprKind::Subscript { value, slice } => {
            let q = model.files[file].imports.resolve(value);
            match q.as_deref() {
                Some("typing.Union" | "typing.Optional") => slice
                    .elements()
                    .is_none_or(|items| items.iter().any(|i| is_untyped(model, file, i))),
                _ => is_raw_annotation(model, file, t) && !has_typed_values(model, file, t),
            }
        }
        _ => {
            let q = model.files[file].imports.resolve(t);
            matches!(
                q.as_deref(),
                Some(
                    "typing.Any"
                        | "typing_extensions.Any"
                        | "builtins.object"
                        | "builtins.dict"
                        | "builtins.list"
                        | "typing.Dict"
                        | "typing.List"
                        | "pydantic.JsonValue"
                        | "pydantic.types.JsonValue"
                )
            ) || matches!(
                t.as_name(),
                Some("object" | "dict" | "list" | "Any" | "JsonValue")
            )
        }
    }
}

/// Methods that write rows when called on a table class, its manager or a query on it.
pub const WRITERS: &[&str] = &[
    "create",
    "update",
    "insert",
    "values",
    "get_or_create",
    "update_or_create",
    "create_user",
    "bulk_create",
    "add",
];

/// A table class: a project ORM model, or Django's user model.
pub fn is_orm_class(model: &ProjectModel, file: usize, func: &Expr) -> bool {
    if !matches!(func.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
        return false;
    }
    match model.resolve_definition(file, func) {
        Some((f, Some(Stmt::ClassDef(class)), _)) => {
            model_kind(model, f, class) == Some(ModelKind::Orm)
        }
        Some((_, None, Some(q))) => q.starts_with("django.contrib.auth.models."),
        _ => false,
    }
}

/// A receiver that writes rows: `User.objects`, `User`, `db.query(User).filter(...)`,
/// `insert(User)`, `update(User).where(...)`.
pub fn orm_receiver(model: &ProjectModel, file: usize, expr: &Expr, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    match &expr.kind {
        ExprKind::Name(_) => is_orm_class(model, file, expr),
        ExprKind::Attribute { value, attr } => {
            attr == "objects"
                || is_orm_class(model, file, expr)
                || orm_receiver(model, file, value, depth + 1)
        }
        ExprKind::Call(c) => {
            is_sql_write(model, file, &c.func)
                || orm_receiver(model, file, &c.func, depth + 1)
                || c.args.iter().any(|a| is_orm_class(model, file, a))
        }
        ExprKind::Await(inner) => orm_receiver(model, file, inner, depth + 1),
        _ => false,
    }
}

/// SQLAlchemy's `update(table)`/`insert(table)` statement builders: a write to a table even
/// when the table is reached through an object the analysis cannot follow (`db.FlowRun`).
fn is_sql_write(model: &ProjectModel, file: usize, func: &Expr) -> bool {
    model.files[file].imports.resolve(func).is_some_and(|q| {
        matches!(
            q.as_str(),
            "sqlalchemy.update"
                | "sqlalchemy.insert"
                | "sqlalchemy.sql.update"
                | "sqlalchemy.sql.insert"
                | "sqlalchemy.sql.expression.update"
                | "sqlalchemy.sql.expression.insert"
                | "sqlalchemy.dialects.postgresql.insert"
                | "sqlalchemy.dialects.sqlite.insert"
                | "sqlalchemy.dialects.mysql.insert"
        )
    })
}

/// `query.update(...)`: an update through `filter`, `filter_by`, `where`, `query`, `objects`
/// or `select`.
pub fn is_query(expr: &Expr) -> bool {
    expr.as_call()
        .and_then(|c| c.func.last_name())
        .is_some_and(|n| {
            matches!(
                n,
                "filter" | "filter_by" | "where" | "query" | "objects" | "select"
            )
        })
}

/// A project function or method a call reaches: a function, `Class.method`, or
/// `instance.method` of a module-level `instance = Class()`; with whether its first parameter
/// is the bound `self`/`cls`.
pub fn resolve_callee<'m>(
    model: &'m ProjectModel,
    file: usize,
    func: &Expr,
) -> Option<(usize, &'m Function, bool)> {
    if let Some((f, Stmt::FunctionDef(def))) = model.project_definition(file, func) {
        return Some((f, def, false));
    }
    let ExprKind::Attribute { value, attr } = &func.kind else {
        return None;
    };
    let (class_file, class) = match model.resolve_definition(file, value)? {
        (f, Some(Stmt::ClassDef(c)), _) => (f, c.as_ref()),
        (
            f,
            Some(Stmt::Assign {
                value: Some(v),
                targets,
                ..
            }),
            _,
        ) if targets.len() == 1 => match model.resolve_definition(f, &v.as_call()?.func)? {
            (cf, Some(Stmt::ClassDef(c)), _) => (cf, c.as_ref()),
            _ => return None,
        },
        _ => return None,
    };
    class.body.iter().find_map(|s| match s {
        Stmt::FunctionDef(m) if m.name == *attr => {
            let bound = m
                .params
                .first()
                .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"));
            Some((class_file, m.as_ref(), bound))
        }
        _ => None,
    })
}

/// What a sink does with the data it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// The data's keys choose the attributes or columns set: `Model(**data)`, a `setattr`
    /// loop, `obj.__dict__.update(data)`, `query.update(data)`.
    Keys,
    /// The data is stored as a value: a column of a written row, a module-level store.
    Stored,
}

/// Where a whole value ends up.
#[derive(Clone, Debug)]
pub struct Sink {
    /// The statement in the function followed (a call into a helper for a helper's sink).
    pub span: Span,
    pub kind: SinkKind,
    /// What happens there, e.g. "is spread into User()".
    pub what: String,
}

/// One value followed as a whole through a function's local assignments (`data = dict(raw)`,
/// `merged = {**old, **data}`, `payload = body.model_dump()`), and where it is written:
/// into a table (as the keys of a row or as a column value), into `setattr` loops, into
/// module-level stores, or into a project helper whose parameter is written so.
pub struct Whole<'m> {
    model: &'m ProjectModel,
    file: usize,
    function: &'m Function,
    seed: Option<Span>,
    names: HashSet<String>,
    /// Whether the function commits or saves, so that attributes it sets are stored.
    persists: bool,
    /// Whether this follows the value inside a project function it was passed to (one level
    /// only: calls there are not looked into).
    nested: bool,
}

impl<'m> Whole<'m> {
    /// Follows parameter `name` or the expression at `seed` through `function`.
    pub fn new(
        model: &'m ProjectModel,
        file: usize,
        function: &'m Function,
        name: Option<&str>,
        seed: Option<Span>,
    ) -> Self {
        Self::build(model, file, function, name, seed, false)
    }

    fn build(
        model: &'m ProjectModel,
        file: usize,
        function: &'m Function,
        name: Option<&str>,
        seed: Option<Span>,
        nested: bool,
    ) -> Self {
        let mut whole = Whole {
            model,
            file,
            function,
            seed,
            names: name.into_iter().map(str::to_string).collect(),
            persists: false,
            nested,
        };
        for _ in 0..3 {
            let before = whole.names.len();
            whole.learn(&function.body);
            if whole.names.len() == before {
                break;
            }
        }
        crate::untrusted_walk(&function.body, &mut |e| {
            if let Some(call) = e.as_call()
                && let ExprKind::Attribute { attr, .. } = &call.func.kind
                && matches!(
                    attr.as_str(),
                    "commit" | "flush" | "save" | "add" | "add_all" | "merge"
                )
            {
                whole.persists = true;
            }
        });
        whole
    }

    fn learn(&mut self, body: &[Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } if self.carries(value) => {
                    for t in targets {
                        if let Some(n) = t.as_name() {
                            self.names.insert(n.to_string());
                        }
                    }
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                other => {
                    for child in other.child_bodies() {
                        self.learn(child);
                    }
                }
            }
        }
    }

    /// Whether an expression evaluates to the value as a whole (not one field of it): the
    /// value, a name bound to it, `dict(x)`, `vars(x)`, `x.__dict__`, `{**x}`, `x.copy()`,
    /// `x.model_dump()`, `json.loads(x)`, `jsonable_encoder(x)`, `x or {}`, `x | y`, or a
    /// project function that takes it and gives it back (`reshape(x)` returning `x`).
    pub fn carries(&self, expr: &Expr) -> bool {
        if Some(expr.span) == self.seed {
            return true;
        }
        match &expr.kind {
            ExprKind::Name(n) => self.names.contains(n.as_str()),
            ExprKind::Await(inner) | ExprKind::Starred(inner) => self.carries(inner),
            ExprKind::Named { value, .. } => self.carries(value),
            ExprKind::Attribute { value, attr } => attr == "__dict__" && self.carries(value),
            ExprKind::Call(call) => {
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && self.carries(value)
                {
                    return matches!(
                        attr.as_str(),
                        "copy" | "to_dict" | "dict" | "model_dump" | "decode"
                    );
                }
                // `ANY_JSON.validate_python(data)` with a free-form adapter gives the data back
                // (a concrete adapter validates: VAL001 checks that before following).
                if let ExprKind::Attribute { attr, .. } = &call.func.kind
                    && matches!(attr.as_str(), "validate_python" | "validate_json")
                {
                    return call.args.first().is_some_and(|a| self.carries(a));
                }
                let Some(first) = call.args.first() else {
                    return false;
                };
                let imports = &self.model.files[self.file].imports;
                if let Some(q) = imports.resolve(&call.func)
                    && matches!(
                        q.as_str(),
                        "builtins.dict"
                            | "builtins.vars"
                            | "json.loads"
                            | "orjson.loads"
                            | "ujson.loads"
                            | "simplejson.loads"
                            | "copy.copy"
                            | "copy.deepcopy"
                            | "dataclasses.asdict"
                            | "fastapi.encoders.jsonable_encoder"
                    )
                {
                    return self.carries(first);
                }
                match self.model.resolve_definition(self.file, &call.func) {
                    Some((f, Some(Stmt::FunctionDef(callee)), _)) => {
                        self.returned_by(call, f, callee)
                    }
                    _ => false,
                }
            }
            ExprKind::Dict(entries) => entries
                .iter()
                .any(|e| e.key.is_none() && self.carries(&e.value)),
            ExprKind::IfExp { body, orelse, .. } => self.carries(body) || self.carries(orelse),
            ExprKind::BoolOp { values, .. } => values.iter().any(|v| self.carries(v)),
            ExprKind::BinOp { left, right, .. } => self.carries(left) || self.carries(right),
            _ => false,
        }
    }

    /// Whether project function `callee`, called with the value, gives it back as a whole:
    /// `reshape(data)` that returns `data` or a copy of it does; `validate_user(data)` that
    /// builds a new mapping of the fields it picks and checks does not (that is a whitelist).
    /// Inside the callee, further project calls are taken to give the value back.
    fn returned_by(&self, call: &Call, callee_file: usize, callee: &'m Function) -> bool {
        if self.nested {
            return call.args.iter().any(|a| self.carries(a));
        }
        let positional: Vec<&Param> = callee
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional))
            .collect();
        let mut received: Vec<&str> = Vec::new();
        for (i, a) in call.args.iter().enumerate() {
            if !self.carries(a) {
                continue;
            }
            match positional.get(i) {
                Some(p) if !matches!(a.kind, ExprKind::Starred(_)) => received.push(&p.name),
                // Unpacked or caught by `*args`: where it goes is not known.
                _ => return true,
            }
        }
        for k in &call.keywords {
            if self.carries(&k.value) {
                match &k.arg {
                    Some(name) => received.push(name),
                    None => return true,
                }
            }
        }
        received.into_iter().any(|name| {
            let inner = Whole::build(self.model, callee_file, callee, Some(name), None, true);
            let mut back = false;
            routewarden_model::values::for_each_return(&callee.body, &mut |v| {
                back |= inner.carries(v);
            });
            back
        })
    }

    /// Whether the value is somewhere inside an expression as a whole: `{"info": data}`,
    /// `[data]`, `json.dumps(data)`; not a field picked out of it (`data["name"]`,
    /// `data.get("name")`) nor a measure of it (`len(data)`).
    fn contains(&self, expr: &Expr) -> bool {
        if self.carries(expr) {
            return true;
        }
        match &expr.kind {
            ExprKind::Dict(entries) => entries.iter().any(|e| self.contains(&e.value)),
            ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
                items.iter().any(|i| self.contains(i))
            }
            ExprKind::Await(inner) | ExprKind::Starred(inner) => self.contains(inner),
            ExprKind::IfExp { body, orelse, .. } => self.contains(body) || self.contains(orelse),
            ExprKind::BoolOp { values, .. } => values.iter().any(|v| self.contains(v)),
            ExprKind::Call(call) => {
                if let ExprKind::Attribute { value, .. } = &call.func.kind
                    && self.carries(value)
                {
                    return false;
                }
                let measure = self.model.files[self.file]
                    .imports
                    .resolve(&call.func)
                    .is_some_and(|q| {
                        matches!(
                            q.as_str(),
                            "builtins.len"
                                | "builtins.bool"
                                | "builtins.int"
                                | "builtins.isinstance"
                                | "builtins.type"
                                | "builtins.hash"
                        )
                    });
                !measure
                    && (call.args.iter().any(|a| self.contains(a))
                        || call.keywords.iter().any(|k| self.contains(&k.value)))
            }
            _ => false,
        }
    }

    /// A name neither a parameter nor assigned in the function: a module-level object.
    fn is_global(&self, expr: &Expr) -> bool {
        let mut root = expr;
        while let ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } = &root.kind
        {
            root = value;
        }
        root.as_name().is_some_and(|n| {
            !self.function.params.iter().any(|p| p.name == n)
                && !self.function.assigned.may_contain(n)
                && !self.names.contains(n)
                && !matches!(n, "self" | "cls" | "request")
        })
    }

    /// The first place the value is written to, looking into project helpers `depth` calls
    /// deep. `keys_only` keeps only sinks where the value's keys choose what is set.
    pub fn sink(&self, depth: u32, keys_only: bool) -> Option<Sink> {
        self.sink_in(&self.function.body, depth, keys_only)
    }

    fn sink_in(&self, body: &[Stmt], depth: u32, keys_only: bool) -> Option<Sink> {
        for stmt in body {
            let span = stmt.span();
            let found = match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => continue,
                Stmt::For {
                    target,
                    iter,
                    body: inner,
                    ..
                } => {
                    let iterable = match iter.as_call().map(|c| &c.func.kind) {
                        Some(ExprKind::Attribute { value, attr })
                            if matches!(attr.as_str(), "items" | "keys") =>
                        {
                            value.as_ref()
                        }
                        _ => iter,
                    };
                    let sets = self.carries(iterable)
                        && sets_unlisted_attributes(
                            self.model,
                            self.file,
                            self.function,
                            target,
                            inner,
                        );
                    if sets {
                        Some(Sink {
                            span,
                            kind: SinkKind::Keys,
                            what: "is applied with setattr() key by key".to_string(),
                        })
                    } else {
                        self.calls_sink(iter, span, depth, keys_only)
                    }
                }
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    let stored = !keys_only
                        && self.contains(value)
                        && targets.iter().any(|t| match &t.kind {
                            ExprKind::Subscript { value: base, .. } => self.is_global(base),
                            ExprKind::Attribute { value: base, .. } => {
                                self.is_global(base) || (self.persists && base.as_name().is_some())
                            }
                            _ => false,
                        });
                    if stored {
                        Some(Sink {
                            span,
                            kind: SinkKind::Stored,
                            what: "is stored as is".to_string(),
                        })
                    } else {
                        self.calls_sink(value, span, depth, keys_only)
                    }
                }
                Stmt::Expr { value, .. }
                | Stmt::Return {
                    value: Some(value), ..
                }
                | Stmt::AugAssign { value, .. } => self.calls_sink(value, span, depth, keys_only),
                Stmt::With { items, .. } => items
                    .iter()
                    .find_map(|i| self.calls_sink(&i.context, span, depth, keys_only)),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
            for child in stmt.child_bodies() {
                if let Some(s) = self.sink_in(child, depth, keys_only) {
                    return Some(s);
                }
            }
        }
        None
    }

    fn calls_sink(&self, expr: &Expr, span: Span, depth: u32, keys_only: bool) -> Option<Sink> {
        let mut found = None;
        expr.any(&mut |x| {
            if let Some(call) = x.as_call() {
                found = self.call_sink(call, span, depth, keys_only);
            }
            found.is_some()
        });
        found
    }

    fn call_sink(&self, call: &Call, span: Span, depth: u32, keys_only: bool) -> Option<Sink> {
        let (model, file) = (self.model, self.file);
        let target = call.func.last_name().unwrap_or("the call");
        let table_write = is_orm_class(model, file, &call.func)
            || matches!(&call.func.kind, ExprKind::Attribute { value, attr }
                if WRITERS.contains(&attr.as_str()) && orm_receiver(model, file, value, 0));
        if table_write {
            if call
                .keywords
                .iter()
                .any(|k| k.arg.is_none() && self.carries(&k.value))
            {
                return Some(Sink {
                    span,
                    kind: SinkKind::Keys,
                    what: format!("is spread into {target}()"),
                });
            }
            // The mapping itself as an argument of the write (`insert(T).values(data)`,
            // `query.update(data)`) names the columns by its keys; as a keyword's value
            // (`values(labels=data)`) or inside another value it fills one column.
            if call.args.iter().any(|a| self.carries(a)) {
                return Some(Sink {
                    span,
                    kind: SinkKind::Keys,
                    what: format!("is written into a row by {target}()"),
                });
            }
            if !keys_only
                && (call.args.iter().any(|a| self.contains(a))
                    || call.keywords.iter().any(|k| self.contains(&k.value)))
            {
                return Some(Sink {
                    span,
                    kind: SinkKind::Stored,
                    what: format!("is written into a row by {target}()"),
                });
            }
        }
        if let ExprKind::Attribute { value, attr } = &call.func.kind {
            if attr == "update" && call.args.first().is_some_and(|a| self.carries(a)) {
                let object_dict =
                    matches!(&value.kind, ExprKind::Attribute { attr, .. } if attr == "__dict__");
                if object_dict || is_query(value) {
                    return Some(Sink {
                        span,
                        kind: SinkKind::Keys,
                        what: if object_dict {
                            "is written into an object's __dict__".to_string()
                        } else {
                            "is written by a query's update()".to_string()
                        },
                    });
                }
            }
            if !keys_only
                && matches!(
                    attr.as_str(),
                    "update" | "append" | "extend" | "setdefault" | "add" | "insert"
                )
                && self.is_global(value)
                && (call.args.iter().any(|a| self.contains(a))
                    || call.keywords.iter().any(|k| self.contains(&k.value)))
            {
                return Some(Sink {
                    span,
                    kind: SinkKind::Stored,
                    what: "is stored as is".to_string(),
                });
            }
        }
        if depth == 0 {
            return None;
        }
        helper_sink(
            model,
            file,
            call,
            span,
            &|e| {
                if self.carries(e) {
                    Some(true)
                } else {
                    (!keys_only && self.contains(e)).then_some(false)
                }
            },
            depth - 1,
            keys_only,
        )
    }
}

/// Where a project helper writes what a call passes it: the parameters that receive an
/// argument for which `passes` says `Some(whole)` (the value itself, or `Some(false)`: the
/// value inside another, such as `{"info": data}`) are followed through the helper with
/// [`Whole`], `depth` further helper calls deep.
pub fn helper_sink(
    model: &ProjectModel,
    file: usize,
    call: &Call,
    span: Span,
    passes: &dyn Fn(&Expr) -> Option<bool>,
    depth: u32,
    keys_only: bool,
) -> Option<Sink> {
    let (helper_file, helper, bound) = resolve_callee(model, file, &call.func)?;
    let positional: Vec<&Param> = helper
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional))
        .skip(usize::from(bound))
        .collect();
    let mut params: Vec<(&str, bool)> = Vec::new();
    for (i, a) in call.args.iter().enumerate() {
        if matches!(a.kind, ExprKind::Starred(_)) {
            break;
        }
        if let Some(whole) = passes(a)
            && let Some(p) = positional.get(i)
        {
            params.push((&p.name, whole));
        }
    }
    for k in &call.keywords {
        let Some(whole) = passes(&k.value) else {
            continue;
        };
        match &k.arg {
            Some(name) if helper.params.iter().any(|p| p.name == *name) => {
                params.push((name, whole));
            }
            // `helper(**data)` into `def helper(name, **fields)`: `fields` holds the client's
            // keys, less the named parameters.
            None if whole => {
                if let Some(p) = helper
                    .params
                    .iter()
                    .find(|p| p.kind == ParamKind::VarKeywords)
                {
                    params.push((&p.name, true));
                }
            }
            _ => {}
        }
    }
    params.into_iter().find_map(|(p, whole)| {
        let inner = Whole::new(model, helper_file, helper, Some(p), None).sink(depth, keys_only)?;
        Some(if whole {
            Sink {
                span,
                kind: inner.kind,
                what: format!("is passed to {}(), where it {}", helper.name, inner.what),
            }
        } else {
            // Inside another value the data's own keys choose nothing: it is stored whole.
            Sink {
                span,
                kind: SinkKind::Stored,
                what: format!(
                    "is passed within another value to {}(), which writes that value",
                    helper.name
                ),
            }
        })
    })
}

/// Words that name a declared list of the fields a client may set: `__write_fields__`,
/// `EDITABLE_FIELDS`, `allowed_keys`, `PATCHABLE`.
const ALLOW_LIST_WORDS: &[&str] = &[
    "write",
    "writable",
    "writeable",
    "editable",
    "edit",
    "allowed",
    "allow",
    "allowlist",
    "whitelist",
    "whitelisted",
    "permitted",
    "updatable",
    "updateable",
    "mutable",
    "settable",
    "patchable",
    "safe",
];

/// Whether a `for` loop over client data applies its keys with `setattr` without an
/// allow-list: some `setattr(...)` in `body` runs for any key. A `setattr` runs only for listed
/// keys behind a test that the loop's key is in a declared list of writable fields (`if key
/// in EDITABLE:`, `if key not in ("name", "email"): continue`), or that a lookup of the key in
/// such a list found it (`field = obj.__write_fields__.get(key)`, then `if field is not
/// None:`). Not a list of every attribute: `hasattr(obj, key)`, `key in obj.__table__.columns`
/// admit `is_admin` as well.
pub fn sets_unlisted_attributes(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    target: &Expr,
    body: &[Stmt],
) -> bool {
    let key = match &target.kind {
        ExprKind::Name(n) => Some(n.as_str()),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.first().and_then(Expr::as_name),
        _ => None,
    };
    let mut guard = KeyGuard {
        model,
        file,
        scope: [function],
        key,
        lookups: HashSet::default(),
    };
    guard.unlisted(body, false)
}

struct KeyGuard<'m> {
    model: &'m ProjectModel,
    file: usize,
    scope: [&'m Function; 1],
    key: Option<&'m str>,
    /// Names holding a lookup of the key in an allow-list (`field` after `field =
    /// WRITABLE.get(key)`).
    lookups: HashSet<&'m str>,
}

fn calls_setattr(e: &Expr) -> bool {
    e.any(&mut |x| {
        x.as_call()
            .is_some_and(|c| c.func.as_name() == Some("setattr"))
    })
}

/// A block that leaves the iteration: `continue`, `raise`, `return`.
fn leaves(body: &[Stmt]) -> bool {
    !body.is_empty()
        && body.iter().all(|s| {
            matches!(
                s,
                Stmt::Other { .. } | Stmt::Raise { .. } | Stmt::Return { .. }
            )
        })
}

impl<'m> KeyGuard<'m> {
    /// A `setattr` in `body` that runs for any key; `listed` says the key is known to be listed.
    fn unlisted(&mut self, body: &'m [Stmt], mut listed: bool) -> bool {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    if !listed && calls_setattr(test) {
                        return true;
                    }
                    let (admits, refuses) = (self.admits(test), self.refuses(test));
                    if self.unlisted(body, listed || admits)
                        || self.unlisted(orelse, listed || refuses)
                    {
                        return true;
                    }
                    // `if key not in WRITABLE: continue`: what follows runs for listed keys.
                    listed |= refuses && leaves(body);
                }
                other => {
                    if let Stmt::Assign {
                        targets,
                        value: Some(value),
                        ..
                    } = other
                        && self.is_lookup(value)
                    {
                        self.lookups
                            .extend(targets.iter().filter_map(Expr::as_name));
                    }
                    let mut sets = false;
                    other.for_each_own_expr(&mut |e| sets |= calls_setattr(e));
                    if sets && !listed {
                        return true;
                    }
                    for child in other.child_bodies() {
                        if self.unlisted(child, listed) {
                            return true;
                        }
                    }
                }
            }
        }
        false
    }

    fn is_key(&self, e: &Expr) -> bool {
        self.key.is_some() && e.as_name() == self.key
    }
    /// A declared list of writable fields: a literal collection of names (directly or through
    /// a constant), or a collection named for one (`obj.__write_fields__`, `EDITABLE.keys()`).
    fn is_allow_list(&self, e: &Expr) -> bool {
        let e = match e.as_call().and_then(Call::method) {
            Some((receiver, "keys")) => receiver,
            _ => e,
        };
        let named = e.last_name().is_some_and(|n| {
            routewarden_model::config::any_identifier_word(n, |w| ALLOW_LIST_WORDS.contains(&w))
        });
        if named {
            return true;
        }
        let value = self.model.resolve_value(self.file, &self.scope, e).expr;
        match &value.kind {
            ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
                !items.is_empty() && items.iter().all(|i| i.as_str().is_some())
            }
            ExprKind::Dict(entries) => {
                !entries.is_empty()
                    && entries
                        .iter()
                        .all(|d| d.key.as_ref().is_some_and(|k| k.as_str().is_some()))
            }
            _ => false,
        }
    }

    /// `WRITABLE.get(key)`, `WRITABLE[key]`: the key looked up in an allow-list.
    fn is_lookup(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Call(call) => matches!(call.method(),
                Some((receiver, "get")) if call.args.first().is_some_and(|a| self.is_key(a))
                    && self.is_allow_list(receiver)),
            ExprKind::Subscript { value, slice } => self.is_key(slice) && self.is_allow_list(value),
            _ => false,
        }
    }

    /// A lookup result or the lookup itself: `field`, `WRITABLE.get(key)`.
    fn is_found(&self, e: &Expr) -> bool {
        e.as_name().is_some_and(|n| self.lookups.contains(n)) || self.is_lookup(e)
    }

    /// True when the test holds only if the key is listed: `key in WRITABLE`, `field is not
    /// None`, `field`, or a conjunction with one of these.
    fn admits(&self, test: &Expr) -> bool {
        match &test.kind {
            ExprKind::BoolOp {
                op: BoolOp::And,
                values,
            } => values.iter().any(|v| self.admits(v)),
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => self.refuses(operand),
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1 => match ops[0] {
                CmpOp::In => self.is_key(left) && self.is_allow_list(&comparators[0]),
                CmpOp::IsNot | CmpOp::NotEq => {
                    self.is_found(left) && matches!(comparators[0].kind, ExprKind::NoneLiteral)
                }
                _ => false,
            },
            _ => self.is_found(test),
        }
    }

    /// True when the test holds whenever the key is not listed: `key not in WRITABLE`, `field
    /// is None`, `not field`, or a disjunction with one of these.
    fn refuses(&self, test: &Expr) -> bool {
        match &test.kind {
            ExprKind::BoolOp {
                op: BoolOp::Or,
                values,
            } => values.iter().any(|v| self.refuses(v)),
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => self.admits(operand),
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1 => match ops[0] {
                CmpOp::NotIn => self.is_key(left) && self.is_allow_list(&comparators[0]),
                CmpOp::Is | CmpOp::Eq => {
                    self.is_found(left) && matches!(comparators[0].kind, ExprKind::NoneLiteral)
                }
                _ => false,
            },
            _ => false,
        }
    }
}
