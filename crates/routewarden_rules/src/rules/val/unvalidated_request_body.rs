use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use crate::untrusted::raw_body_params;
use routewarden_model::frameworks::ObjectKind;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::ExprKind;
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A FastAPI handler that takes its request body without a Pydantic model: a parameter
    /// annotated `dict`, `Dict[...]`, `Any`, `object` or `Mapping` (not a path parameter, not a
    /// dependency), or a raw read of the body through the Starlette request
    /// (`await request.json()`, `await request.form()`, `await request.body()`).
    ///
    /// ## Why is this dangerous
    /// Nothing checks the shape, types, sizes or allowed fields of the input: unexpected keys
    /// flow into models and queries (mass assignment), wrong types reach code that assumes
    /// others, and the API documentation says nothing about what is accepted.
    ///
    /// ## Example
    /// ```python
    /// @app.post("/users")
    /// def create_user(data: dict):
    ///     return crud.create_user(**data)
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// class UserCreate(BaseModel):
    ///     email: EmailStr
    ///     password: str = Field(min_length=12)
    ///
    /// @app.post("/users")
    /// def create_user(data: UserCreate): ...
    /// ```
    pub static UNVALIDATED_REQUEST_BODY = {
        code: "VAL001",
        name: "unvalidated-request-body",
        severity: Medium,
        confidence: High,
        cwe: 20,
        fix: "Declare the body as a Pydantic model with the fields you accept",
    }
}

pub struct UnvalidatedRequestBody;

impl Rule for UnvalidatedRequestBody {
    fn meta(&self) -> &'static RuleMeta {
        &UNVALIDATED_REQUEST_BODY
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let mut seen = HashSet::default();
        for mounted in &surface.mounted {
            let route = surface.route(mounted);
            let fastapi = mounted
                .chain
                .iter()
                .filter_map(|id| surface.apps.kind(id))
                .any(|k| matches!(k, ObjectKind::FastApiApp | ObjectKind::ApiRouter));
            if !fastapi || !seen.insert((route.handler_file, route.handler.span.start)) {
                continue;
            }
            let file = route.handler_file;
            for p in raw_body_params(cx.model, file, route.handler, &route.path) {
                let mut f = Findings::new(file);
                f.report(
                    &UNVALIDATED_REQUEST_BODY,
                    p.span,
                    format!(
                        "{}() takes `{}` as an unvalidated mapping instead of a Pydantic model",
                        route.handler.name, p.name
                    ),
                );
                out.extend(f.into_vec());
            }
            let imports = &cx.model.files[file].imports;
            let request_params: Vec<&str> = route
                .handler
                .params
                .iter()
                .filter(|p| {
                    p.annotation
                        .as_ref()
                        .and_then(|a| imports.resolve(a))
                        .is_some_and(|q| {
                            matches!(
                                q.as_str(),
                                "fastapi.Request"
                                    | "starlette.requests.Request"
                                    | "fastapi.requests.Request"
                            )
                        })
                })
                .map(|p| p.name.as_str())
                .collect();
            if request_params.is_empty() {
                continue;
            }
            let mut reads = Vec::new();
            walk_exprs(&route.handler.body, &mut |e| {
                e.any(&mut |x| {
                    if let ExprKind::Await(inner) = &x.kind
                        && let Some(call) = inner.as_call()
                        && let ExprKind::Attribute { value, attr } = &call.func.kind
                        && matches!(attr.as_str(), "json" | "form" | "body")
                        && value.as_name().is_some_and(|n| request_params.contains(&n))
                    {
                        reads.push((x.span, attr.clone()));
                    }
                    false
                });
            });
            for (span, attr) in reads {
                let mut f = Findings::new(file);
                f.report(
                    &UNVALIDATED_REQUEST_BODY,
                    span,
                    format!(
                        "{}() reads the raw body with request.{attr}() instead of a Pydantic model",
                        route.handler.name
                    ),
                );
                out.extend(f.into_vec());
            }
        }
    }
}
