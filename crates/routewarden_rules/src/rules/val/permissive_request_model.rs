use crate::data_models::{ModelKind, allows_extra, model_kind, named_class};
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::helpers::identifier_words;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_python::ast::{ExprKind, Stmt};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A Pydantic request model that accepts unknown fields: `extra="allow"` in a v2
    /// `model_config = ConfigDict(...)` or dict, a v1 `class Config: extra = Extra.allow`, or the
    /// class keyword `class M(BaseModel, extra="allow")`, also inherited from a base model. A
    /// model counts as a request model when a route handler takes it as a parameter, or when its
    /// name says so (`...Create`, `...Update`, `...In`, `...Request`, `...Input`, `...Payload`).
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

fn request_named(name: &str) -> bool {
    identifier_words(name).last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "create"
                | "update"
                | "in"
                | "request"
                | "input"
                | "payload"
                | "body"
                | "form"
                | "patch"
        )
    })
}

impl Rule for PermissiveRequestModel {
    fn meta(&self) -> &'static RuleMeta {
        &PERMISSIVE_REQUEST_MODEL
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let mut used: HashSet<(usize, u32)> = HashSet::default();
        for route in &cx.surface.apps.routes {
            for p in &route.handler.params {
                let Some(annotation) = &p.annotation else {
                    continue;
                };
                let mut candidates = vec![annotation];
                if let ExprKind::Subscript { slice, .. } = &annotation.kind {
                    candidates.extend(slice.elements().into_iter().flatten());
                }
                for c in candidates {
                    if let Some((f, class)) = named_class(cx.model, route.handler_file, c) {
                        used.insert((f, class.span.start));
                    }
                }
            }
        }
        let mut reported = HashSet::default();
        for (file, module) in cx.model.files.iter().enumerate() {
            for stmt in module.body() {
                let Stmt::ClassDef(class) = stmt else {
                    continue;
                };
                if model_kind(cx.model, file, class) != Some(ModelKind::Pydantic) {
                    continue;
                }
                if !used.contains(&(file, class.span.start)) && !request_named(&class.name) {
                    continue;
                }
                let Some((at_file, span)) = allows_extra(cx.model, file, class) else {
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
                        "request model {} accepts unknown fields (extra=\"allow\")",
                        class.name
                    ),
                );
                out.extend(f.into_vec());
            }
        }
    }
}
