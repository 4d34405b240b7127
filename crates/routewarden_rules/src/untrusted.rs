//! Request data that no model validated, followed through a function's local assignments.

use crate::data_models::{allows_extra, named_class};
use routewarden_model::ProjectModel;
use routewarden_python::ast::{Expr, ExprKind, Function, Param, Stmt};
use rustc_hash::FxHashMap as HashMap;

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
    p.default.as_ref().is_some_and(is_injected)
        || p.annotation
            .as_ref()
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
                    .as_ref()
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
                .map(|p| (p.name.clone(), format!("parameter `{}`", p.name)))
                .collect(),
        };
        for _ in 0..2 {
            u.learn(&function.body);
        }
        u
    }

    fn learn(&mut self, body: &[Stmt]) {
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
                                self.names.insert(n.to_string(), why.clone());
                            }
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

    fn resolve(&self, expr: &Expr) -> Option<String> {
        self.model.files[self.file].imports.resolve(expr)
    }

    fn is_starlette_request(&self, expr: &Expr) -> bool {
        let Some(name) = expr.as_name() else {
            return false;
        };
        self.function.params.iter().any(|p| {
            p.name == name
                && p.annotation
                    .as_ref()
                    .and_then(|a| self.resolve(a))
                    .is_some_and(|q| {
                        matches!(
                            q.as_str(),
                            "fastapi.Request"
                                | "starlette.requests.Request"
                                | "fastapi.requests.Request"
                        )
                    })
        })
    }

    /// Why an expression is untrusted request data, if it is.
    pub fn source(&self, expr: &Expr) -> Option<String> {
        match &expr.kind {
            ExprKind::Name(n) => self.names.get(n).cloned(),
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
                if self.resolve(&call.func).as_deref() == Some("builtins.dict") {
                    return call.args.first().and_then(|a| self.source(a));
                }
                None
            }
            ExprKind::Dict(entries) => entries
                .iter()
                .filter(|e| e.key.is_none())
                .find_map(|e| self.source(&e.value)),
            _ => None,
        }
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
        if param.default.as_ref().is_some_and(dependency) {
            return None;
        }
        let (f, class) = named_class(self.model, self.file, param.annotation.as_ref()?)?;
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
