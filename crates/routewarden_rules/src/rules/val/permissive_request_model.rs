use crate::data_models::{ModelKind, allows_extra, model_kind};
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use crate::untrusted::{Sink, Untrusted, Whole, raw_body_params};
use routewarden_model::ProjectModel;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Class, Expr, ExprKind, Param, Span, Stmt};
use rustc_hash::FxHashMap as HashMap;

declare_rule! {
    /// ## What it finds
    /// A Pydantic model that receives request data, accepts unknown fields, and has its
    /// fields written by their names. Accepts unknown fields: `extra="allow"` in a v2
    /// `model_config = ConfigDict(...)` or dict, a v1 `class Config: extra = Extra.allow`, or
    /// the class keyword `class M(BaseModel, extra="allow")`, also inherited from a base model
    /// (reported at the base's setting). Receives request data: a route handler takes it as a
    /// parameter (body, form or query model; not a `Depends(...)` result), or validates the
    /// raw request into it (`Model(**await request.json())`, `Model.model_validate(...)`);
    /// annotations are followed across modules. Written by name: in that handler the model,
    /// or its dump (`model_dump()`, `dict()`, `jsonable_encoder(...)`, `vars(...)`), is
    /// spread into a table class or a write through one (`User(**m.model_dump())`,
    /// `query.update(m.dict())`), applied by a `setattr` loop or `obj.__dict__.update(...)`,
    /// directly or in a project helper one call away (`crud.create(db, obj_in=m)`).
    ///
    /// Not reported: a permissive model whose extra fields are forwarded to another service
    /// (vendor parameters for a model provider, JSON-RPC members), stored whole as one JSON
    /// value (`user.settings = form.model_dump()`: the extras set no attribute), read field
    /// by field, or validated again into a strict model; a model only named like a request
    /// (`...Request`, `...Payload`) that no route receives; models nested in a request
    /// model's fields (free-form metadata by design, most often). Where extras do not choose
    /// what is set, accepting them is a design choice, not a hole. Where they do, VAL002 also
    /// reports the write when it sees it in the handler. Handlers written in test code are not
    /// reported.
    ///
    /// ## Why is this dangerous
    /// Extra fields are kept on the model and come back out of `model_dump()`: a validated
    /// payload then carries `is_admin` or `owner_id` into `Model(**payload.model_dump())`, which
    /// is mass assignment through the front door that validation was meant to close.
    ///
    /// ## Example
    /// ```python
    /// class UserUpdate(BaseModel):
    ///     model_config = ConfigDict(extra="allow")
    ///     display_name: str | None = None
    /// ```
    ///
    /// ## Fix
    /// Leave `extra` at its default (`"ignore"`) or make it `"forbid"` to reject unknown fields.
    pub static PERMISSIVE_REQUEST_MODEL = {
        code: "VAL003",
        name: "permissive-request-model",
        severity: Medium,
        confidence: High,
        cwe: 915,
        fix: "Set extra to \"forbid\" (or leave the default) on request models",
    }
}

pub struct PermissiveRequestModel;

/// Project classes an annotation names anywhere: `Item`, `list[Item]`, `Item | None`,
/// `Annotated[Item, Body()]`, `dict[str, Item]`.
fn annotation_classes<'a>(
    model: &'a ProjectModel,
    file: usize,
    annotation: &Expr,
    out: &mut Vec<(usize, &'a Class)>,
) {
    match &annotation.kind {
        ExprKind::Subscript { value, slice } => {
            annotation_classes(model, file, value, out);
            match slice.elements() {
                Some(items) => {
                    for item in items {
                        annotation_classes(model, file, item, out);
                    }
                }
                None => annotation_classes(model, file, slice, out),
            }
        }
        ExprKind::BinOp { left, right, .. } => {
            annotation_classes(model, file, left, out);
            annotation_classes(model, file, right, out);
        }
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            for item in items {
                annotation_classes(model, file, item, out);
            }
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            if let Some((f, Some(Stmt::ClassDef(c)), _)) =
                model.resolve_definition(file, annotation)
            {
                out.push((f, c));
            }
        }
        _ => {}
    }
}

/// `Depends(get_x)`/`Security(...)` with a callable: the parameter holds what the dependency
/// returns. `Depends()` alone makes the annotated class itself the dependency, filled from
/// the request's query.
fn holds_dependency_result(p: &Param) -> bool {
    let dependency = |e: &Expr| {
        e.as_call().is_some_and(|c| {
            matches!(c.func.last_name(), Some("Depends" | "Security"))
                && (!c.args.is_empty()
                    || c.keywords
                        .iter()
                        .any(|k| k.arg.as_deref() == Some("dependency")))
        })
    };
    p.default.as_deref().is_some_and(dependency)
        || p.annotation.as_deref().is_some_and(|a| {
            matches!(&a.kind, ExprKind::Subscript { slice, .. }
                if slice.elements().is_some_and(|items| items.iter().skip(1).any(dependency)))
        })
}

impl Rule for PermissiveRequestModel {
    fn meta(&self) -> &'static RuleMeta {
        &PERMISSIVE_REQUEST_MODEL
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Each model whose extra fields reach a write, with the handler and the write.
        let mut received: HashMap<(usize, u32), (String, Sink)> = HashMap::default();
        let mut seen_handlers = rustc_hash::FxHashSet::default();
        for route in &cx.surface.apps.routes {
            let file = route.handler_file;
            let handler = route.handler;
            // A handler written in test code is a stub of the test, not the product's input.
            if cx.model.files[file].is_test() || !seen_handlers.insert((file, handler.span.start)) {
                continue;
            }
            // (class, the parameter or the validating call that holds the request's data)
            let mut found: Vec<(usize, &Class, Option<&str>, Option<Span>)> = Vec::new();
            for p in &handler.params {
                if holds_dependency_result(p) {
                    continue;
                }
                if let Some(annotation) = &p.annotation {
                    let mut classes = Vec::new();
                    annotation_classes(model, file, annotation, &mut classes);
                    found.extend(
                        classes
                            .into_iter()
                            .map(|(f, c)| (f, c, Some(p.name.as_str()), None)),
                    );
                }
            }
            // `Model(**await request.json())`, `Model.model_validate(request.get_json())`.
            let raw = raw_body_params(model, file, handler, &route.path);
            let untrusted = Untrusted::new(model, file, handler, &raw, true);
            walk_exprs(&handler.body, &mut |e| {
                e.any(&mut |x| {
                    let Some(call) = x.as_call() else {
                        return false;
                    };
                    let (class_expr, data) = match &call.func.kind {
                        ExprKind::Attribute { value, attr }
                            if matches!(
                                attr.as_str(),
                                "model_validate"
                                    | "parse_obj"
                                    | "model_validate_json"
                                    | "parse_raw"
                            ) =>
                        {
                            (value.as_ref(), call.args.first())
                        }
                        _ => (
                            &call.func,
                            call.keywords
                                .iter()
                                .find(|k| k.arg.is_none())
                                .map(|k| &k.value),
                        ),
                    };
                    if let Some(data) = data
                        && untrusted.source(data).is_some()
                    {
                        let mut classes = Vec::new();
                        annotation_classes(model, file, class_expr, &mut classes);
                        found.extend(classes.into_iter().map(|(f, c)| (f, c, None, Some(x.span))));
                    }
                    false
                });
            });
            for (f, class, name, seed) in found {
                if received.contains_key(&(f, class.span.start))
                    || model_kind(model, f, class) != Some(ModelKind::Pydantic)
                    || allows_extra(model, f, class).is_none()
                {
                    continue;
                }
                // Only where the model's keys choose what is written do unknown fields matter.
                if let Some(sink) = Whole::new(model, file, handler, name, seed).sink(1, true) {
                    let line = model.files[file].lines().row(sink.span.start);
                    let at = format!(
                        "{}() (line {line} of {})",
                        handler.name, model.files[file].display
                    );
                    received.insert((f, class.span.start), (at, sink));
                }
            }
        }
        let mut reported = rustc_hash::FxHashSet::default();
        for (file, module) in model.files.iter().enumerate() {
            for stmt in module.body() {
                let Stmt::ClassDef(class) = stmt else {
                    continue;
                };
                let Some((handler, sink)) = received.get(&(file, class.span.start)) else {
                    continue;
                };
                let Some((at_file, span)) = allows_extra(model, file, class) else {
                    continue;
                };
                if !reported.insert((at_file, span)) {
                    continue;
                }
                let mut f = Findings::new(at_file);
                f.report(
                    &PERMISSIVE_REQUEST_MODEL,
                    span,
                    format!(
                        "request model {} accepts unknown fields (extra=\"allow\"), and in {handler} the request's data {}",
                        class.name, sink.what
                    ),
                );
                out.extend(f.into_vec());
            }
        }
    }
}
