use crate::data_models::{ModelKind, model_kind};
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{Confidence, ProjectContext, Rule, RuleMeta};
use crate::untrusted::{Sink, SinkKind, Whole, has_typed_values, is_untyped_type, raw_body_params};
use routewarden_model::ProjectModel;
use routewarden_model::frameworks::ObjectKind;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, Expr, ExprKind, Function, Span, Stmt};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A FastAPI handler that takes its request body without a Pydantic model and writes it
    /// somewhere it is kept. The body: a parameter annotated `dict`, `Dict[str, Any]`, `Any`,
    /// `object` or `Mapping` (not a path parameter, not a dependency), or a raw read through
    /// the Starlette request (`await request.json()`, `await request.form()`, or `await
    /// request.body()` decoded with `json.loads`/`orjson.loads`). Written: the body as a whole
    /// (also copied, merged as `{**old, **data}` or nested as `{"info": data}`) spread into a
    /// table class or a write through one (`User(**data)`, `User.objects.create(**data)`,
    /// `query.update(data)`, SQLAlchemy `update(...)`/`insert(...).values(...)`), applied by a
    /// `setattr` loop or `obj.__dict__.update(data)`, set on a row attribute of a handler that
    /// commits, or put in a module-level store (`STORE[key] = data`, `EVENTS.append(data)`);
    /// directly or in a project helper one call away (a function, a class's method, or a
    /// method of a module-level instance such as `Users.update_user_by_id(id, data)`).
    /// A body whose keys choose what is set (spread, a `setattr` loop, `__dict__.update`, the
    /// mapping itself given to a write, `insert(T).values(data)`, `query.update(data)`) is
    /// reported at high confidence; one kept only as a value (a column's value,
    /// `values(labels=data)`, `row.info = data`, nested as `{"info": data}`, a module-level
    /// store) at medium: the client then picks keys inside a free-form document, not columns.
    ///
    /// Not reported, because the body is checked: a body that the handler validates as a
    /// whole (`Model(**data)`, `Model(**reshape(raw))`, `Model.model_validate(...)`,
    /// `TypeAdapter(T).validate_python(...)` with a concrete `T`, also into a class the
    /// analysis cannot see, such as a plugin's settings model), checks against a JSON schema
    /// (`jsonschema`, directly or in a project helper), or parses as protobuf; mappings whose
    /// values are typed (`dict[str, str]`), which FastAPI checks value by value. Not reported,
    /// because nothing of the body is kept as sent: a body that is only echoed, forwarded to
    /// another service (an upstream API or a model provider, which defines and checks its
    /// shape), or of which the handler picks single fields (`data.get("text")`,
    /// `form["username"]`), checking or converting each itself; raw bytes never decoded as
    /// JSON (uploads, protobuf, signed webhooks) and a read whose value is discarded. A free-
    /// form body is a documentation gap there, not a hole: a reviewer wants the bodies that
    /// end up in rows and stores unchecked. Handlers written in test code (stub routers of a
    /// test) are not reported.
    ///
    /// ## Why is this dangerous
    /// Nothing checks the shape, types, sizes or allowed fields of what is stored: unexpected
    /// keys become columns and attributes (mass assignment), arbitrarily large or oddly typed
    /// documents land in rows that other code reads back assuming a shape, and the API
    /// documentation says nothing about what is accepted.
    ///
    /// ## Example
    /// ```python
    /// @app.post("/users")
    /// def create_user(data: dict):
    ///     return crud.create_user(**data)      # User(**data) inside the helper
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

/// How many project helper calls deep a body is followed to where it is written.
const HELPER_DEPTH: u32 = 1;

/// The request data one parameter or one body read carries through a handler: the names it
/// was assigned to (also through calls such as `json.loads(body)` or `reshape(raw)`).
struct Flow<'a> {
    model: &'a ProjectModel,
    file: usize,
    read: Option<Span>,
    names: HashSet<String>,
}

impl<'a> Flow<'a> {
    fn new(
        model: &'a ProjectModel,
        file: usize,
        function: &Function,
        name: Option<&str>,
        read: Option<Span>,
    ) -> Self {
        let mut flow = Flow {
            model,
            file,
            read,
            names: name.into_iter().map(str::to_string).collect(),
        };
        for _ in 0..3 {
            flow.learn(&function.body);
        }
        flow
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
                        t.any(&mut |x| {
                            if let ExprKind::Name(n) = &x.kind {
                                self.names.insert(n.to_string());
                            }
                            false
                        });
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

    /// Whether an expression evaluates to the data as a whole (not a field of it): the read,
    /// a name bound to it, `dict(data)`, `{**data}`, `data.copy()`, `data or {}`,
    /// `data | extra`, or the result of a call that takes it (`json.loads(body)`,
    /// `reshape(raw)`). `data.get("model")` and `data["model"]` are fields, not the data.
    fn carries(&self, expr: &Expr) -> bool {
        if Some(expr.span) == self.read {
            return true;
        }
        match &expr.kind {
            ExprKind::Name(n) => self.names.contains(n.as_str()),
            ExprKind::Await(inner) => self.carries(inner),
            ExprKind::Call(call) => {
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && self.carries(value)
                {
                    return matches!(attr.as_str(), "copy" | "to_dict" | "dict" | "decode");
                }
                call.args.iter().any(|a| self.carries(a))
                    || call.keywords.iter().any(|k| self.carries(&k.value))
            }
            ExprKind::Dict(entries) => entries
                .iter()
                .any(|e| e.key.is_none() && self.carries(&e.value)),
            ExprKind::Starred(inner) => self.carries(inner),
            ExprKind::IfExp { body, orelse, .. } => self.carries(body) || self.carries(orelse),
            ExprKind::BoolOp { values, .. } => values.iter().any(|v| self.carries(v)),
            ExprKind::BinOp { left, right, .. } => self.carries(left) || self.carries(right),
            _ => false,
        }
    }

    fn any_arg(&self, call: &Call) -> bool {
        call.args.iter().any(|a| self.carries(a))
            || call.keywords.iter().any(|k| self.carries(&k.value))
    }

    /// The arguments of a call and of the calls it is chained on:
    /// `Draft202012Validator(schema).iter_errors(values)` gives `schema` and `values`.
    fn chain_carries(&self, call: &Call) -> bool {
        self.any_arg(call)
            || matches!(&call.func.kind, ExprKind::Attribute { value, .. }
                if value.as_call().is_some_and(|inner| self.chain_carries(inner)))
    }

    /// How the handler checks or hands on the data, if it does: validation into a Pydantic
    /// model, a JSON-schema check, protobuf parsing, or forwarding to an upstream HTTP API.
    fn checked(&self, function: &Function) -> bool {
        let mut checked = false;
        walk_exprs(&function.body, &mut |e| {
            if checked {
                return;
            }
            e.any(&mut |x| {
                if let Some(call) = x.as_call() {
                    checked |= self.checks(call);
                }
                checked
            });
        });
        checked
    }

    fn checks(&self, call: &Call) -> bool {
        let kind = self.check_kind(call);
        match kind {
            Check::None => false,
            Check::Chain => self.chain_carries(call),
            Check::Args => self.any_arg(call),
            Check::Spread => call
                .keywords
                .iter()
                .any(|k| k.arg.is_none() && self.carries(&k.value)),
            Check::Body => call.keywords.iter().any(|k| {
                matches!(k.arg.as_deref(), Some("content" | "data" | "json" | "body"))
                    && self.carries(&k.value)
            }),
        }
    }

    fn check_kind(&self, call: &Call) -> Check {
        let imports = &self.model.files[self.file].imports;
        if let ExprKind::Attribute { attr, .. } = &call.func.kind {
            match attr.as_str() {
                // Pydantic validation, protobuf parsing.
                "model_validate"
                | "model_validate_json"
                | "parse_obj"
                | "parse_raw"
                | "ParseFromString"
                | "FromString"
                | "MergeFromString" => return Check::Args,
                // `TypeAdapter(T).validate_python(data)`, unless `T` is itself free-form
                // (`TypeAdapter(dict[str, Any])` checks nothing).
                "validate_python" | "validate_json" | "validate_strings" => {
                    return if self.free_form_adapter(&call.func) {
                        Check::None
                    } else {
                        Check::Args
                    };
                }
                // `client.post(url, content=body)`: a pass-through to the API that defines it.
                "request" | "post" | "put" | "patch" | "send" | "stream" | "build_request" => {
                    return Check::Body;
                }
                _ => {}
            }
        }
        if schema_validation(self.model, self.file, call) {
            return Check::Chain;
        }
        if let Some(q) = imports.resolve(&call.func)
            && matches!(
                q.as_str(),
                "google.protobuf.json_format.Parse" | "google.protobuf.json_format.ParseDict"
            )
        {
            return Check::Args;
        }
        // `Model(**data)`, `Model(**reshape(raw))` with a Pydantic model of the project, or with
        // a class the analysis cannot see (a star import, a plugin's `Valves`, a library
        // model): possibly validation, so not reported. A project class that is not a
        // Pydantic model (an ORM table, a dataclass) validates nothing.
        if matches!(
            call.func.kind,
            ExprKind::Name(_) | ExprKind::Attribute { .. }
        ) && call
            .func
            .last_name()
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            return match self.model.resolve_definition(self.file, &call.func) {
                Some((f, Some(Stmt::ClassDef(class)), _)) => {
                    if model_kind(self.model, f, class) == Some(ModelKind::Pydantic) {
                        Check::Args
                    } else {
                        Check::None
                    }
                }
                Some((_, Some(_), _)) => Check::None,
                _ => Check::Spread,
            };
        }
        Check::None
    }

    /// Whether the handler only picks single fields out of the data (`form.get("username")`,
    /// `form["code"]`, `"x" in form`) and never uses it as a whole.
    fn only_fields(&self, function: &Function) -> bool {
        !self.body_uses_whole(&function.body)
    }

    fn body_uses_whole(&self, body: &[Stmt]) -> bool {
        body.iter().any(|stmt| {
            let own = match stmt {
                // `form = await request.form()`: the binding itself is no use.
                Stmt::Assign { targets, value, .. } => {
                    targets
                        .iter()
                        .any(|t| t.as_name().is_none() && self.used_whole(t))
                        || value
                            .as_ref()
                            .is_some_and(|v| Some(v.span) != self.read && self.used_whole(v))
                }
                Stmt::Return { value: Some(v), .. } | Stmt::Expr { value: v, .. } => {
                    self.used_whole(v)
                }
                Stmt::AugAssign { target, value, .. } => {
                    self.used_whole(target) || self.used_whole(value)
                }
                Stmt::If { test, .. } | Stmt::While { test, .. } => self.used_whole(test),
                Stmt::For { iter, .. } => self.used_whole(iter),
                Stmt::With { items, .. } => items.iter().any(|i| self.used_whole(&i.context)),
                Stmt::Raise { exc: Some(e), .. } => self.used_whole(e),
                Stmt::Match { subject, .. } => self.used_whole(subject),
                Stmt::FunctionDef(f) => self.body_uses_whole(&f.body),
                _ => false,
            };
            own || stmt.child_bodies().any(|b| {
                !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) && self.body_uses_whole(b)
            })
        })
    }

    fn used_whole(&self, expr: &Expr) -> bool {
        let tainted = |e: &Expr| {
            Some(e.span) == self.read
                || matches!(&e.kind, ExprKind::Name(n) if self.names.contains(n.as_str()))
        };
        match &expr.kind {
            ExprKind::Call(call) => {
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && tainted(value)
                    && matches!(attr.as_str(), "get" | "getlist" | "getall")
                {
                    return call.args.iter().any(|a| self.used_whole(a));
                }
                self.used_whole(&call.func)
                    || call.args.iter().any(|a| self.used_whole(a))
                    || call.keywords.iter().any(|k| self.used_whole(&k.value))
            }
            ExprKind::Subscript { value, slice } if tainted(value) => self.used_whole(slice),
            ExprKind::Compare {
                left, comparators, ..
            } if comparators.iter().any(&tainted) => self.used_whole(left),
            _ if tainted(expr) => true,
            _ => {
                let mut whole = false;
                expr.for_each_child(|child| whole = whole || self.used_whole(child));
                whole
            }
        }
    }

    /// `TypeAdapter(T).validate_python` where `T` accepts any mapping or value; the adapter
    /// is followed to a module-level `ADAPTER = TypeAdapter(T)`.
    fn free_form_adapter(&self, func: &Expr) -> bool {
        let ExprKind::Attribute {
            value: receiver, ..
        } = &func.kind
        else {
            return false;
        };
        let origin = self.model.resolve_value(self.file, &[], receiver);
        let Some(adapter) = origin.expr.as_call() else {
            return false;
        };
        let imports = &self.model.files[origin.file].imports;
        if !imports
            .resolve(&adapter.func)
            .is_some_and(|q| q.ends_with("TypeAdapter"))
        {
            return false;
        }
        adapter.args.first().is_some_and(|t| {
            matches!(t.as_name(), Some("Any" | "object"))
                || is_untyped_type(self.model, origin.file, t)
        })
    }

    /// Whether raw bytes are decoded as JSON: `json.loads(body)`, `orjson.loads(body)`.
    fn json_decoded(&self, function: &Function) -> bool {
        let imports = &self.model.files[self.file].imports;
        let mut decoded = false;
        walk_exprs(&function.body, &mut |e| {
            e.any(&mut |x| {
                if let Some(call) = x.as_call()
                    && imports.resolve(&call.func).is_some_and(|q| {
                        matches!(
                            q.as_str(),
                            "json.loads"
                                | "orjson.loads"
                                | "ujson.loads"
                                | "simplejson.loads"
                                | "rapidjson.loads"
                        )
                    })
                    && call.args.iter().any(|a| self.carries(a))
                {
                    decoded = true;
                }
                decoded
            });
        });
        decoded
    }
}

enum Check {
    None,
    /// Any argument of the call or of the calls it is chained on.
    Chain,
    /// Any argument of the call.
    Args,
    /// The body argument of an outgoing HTTP request.
    Body,
    /// A `**` argument.
    Spread,
}

/// A JSON-schema check: a `jsonschema` call (also `Validator(schema).iter_errors(obj)`), or a
/// project function whose body makes one.
fn schema_validation(model: &ProjectModel, file: usize, call: &Call) -> bool {
    let is_schema = |q: &str| q.starts_with("jsonschema.") || q.starts_with("fastjsonschema.");
    if let ExprKind::Attribute { value, .. } = &call.func.kind
        && let Some(inner) = value.as_call()
        && schema_validation(model, file, inner)
    {
        return true;
    }
    match model.resolve_definition(file, &call.func) {
        Some((_, None, Some(q))) => is_schema(&q),
        Some((def_file, Some(Stmt::FunctionDef(function)), _)) => {
            let imports = &model.files[def_file].imports;
            let mut found = false;
            walk_exprs(&function.body, &mut |e| {
                e.any(&mut |x| {
                    found |= x
                        .as_call()
                        .and_then(|c| imports.resolve(&c.func))
                        .is_some_and(|q| is_schema(&q));
                    found
                });
            });
            found
        }
        _ => false,
    }
}

/// The statement that binds a body read, if its value is used at all: `await request.body()`
/// alone on a line only buffers the body.
fn read_is_discarded(body: &[Stmt], read: Span) -> bool {
    let mut discarded = false;
    for stmt in body {
        match stmt {
            Stmt::Expr { value, .. } => {
                let inner = match &value.kind {
                    ExprKind::Await(_) => value,
                    _ => continue,
                };
                if inner.span == read {
                    discarded = true;
                }
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other => {
                for child in other.child_bodies() {
                    discarded |= read_is_discarded(child, read);
                }
            }
        }
    }
    discarded
}

/// A body whose keys choose the columns or attributes set is reported at the rule's
/// confidence; one kept only as a value (a JSON column, nested under a key of another
/// document, a module-level store) at medium: the client picks keys inside a free-form
/// document, and whether that is a weakness depends on what reads it back.
fn report(file: usize, span: Span, message: String, sink: &Sink) -> Vec<Finding> {
    let mut f = Findings::new(file);
    let meta = &UNVALIDATED_REQUEST_BODY;
    let confidence = match sink.kind {
        SinkKind::Keys => meta.confidence,
        SinkKind::Stored => Confidence::Medium,
    };
    f.report_with(meta, span, message, meta.severity, confidence);
    f.into_vec()
}

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
            // A handler written in test code is a stub of the test, not the product's input.
            if !fastapi
                || cx.model.files[route.handler_file].is_test()
                || !seen.insert((route.handler_file, route.handler.span.start))
            {
                continue;
            }
            let file = route.handler_file;
            let handler = route.handler;
            for p in raw_body_params(cx.model, file, handler, &route.path) {
                if p.annotation
                    .as_deref()
                    .is_some_and(|a| has_typed_values(cx.model, file, a))
                {
                    continue;
                }
                if Flow::new(cx.model, file, handler, Some(&p.name), None).checked(handler) {
                    continue;
                }
                let Some(sink) = Whole::new(cx.model, file, handler, Some(&p.name), None)
                    .sink(HELPER_DEPTH, false)
                else {
                    continue;
                };
                let message = format!(
                    "{}() takes `{}` as an unvalidated mapping, which {} (line {})",
                    handler.name,
                    p.name,
                    sink.what,
                    cx.model.files[file].lines().row(sink.span.start)
                );
                out.extend(report(file, p.span, message, &sink));
            }
            let imports = &cx.model.files[file].imports;
            let request_params = crate::helpers::starlette_request_params(imports, handler);
            if request_params.is_empty() {
                continue;
            }
            let mut reads = Vec::new();
            walk_exprs(&handler.body, &mut |e| {
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
                if read_is_discarded(&handler.body, span) {
                    continue;
                }
                let flow = Flow::new(cx.model, file, handler, None, Some(span));
                // Raw bytes that are never decoded as JSON are not a JSON body: uploads,
                // protobuf, signed webhook payloads, bodies forwarded as they are.
                if attr == "body" && !flow.json_decoded(handler) {
                    continue;
                }
                // Form values are strings and files: picking the fields it reads is what
                // `Form()` parameters would do.
                if flow.checked(handler) || (attr == "form" && flow.only_fields(handler)) {
                    continue;
                }
                let Some(sink) =
                    Whole::new(cx.model, file, handler, None, Some(span)).sink(HELPER_DEPTH, false)
                else {
                    continue;
                };
                let message = format!(
                    "{}() reads the raw body with request.{attr}() and, unvalidated, it {} (line {})",
                    handler.name,
                    sink.what,
                    cx.model.files[file].lines().row(sink.span.start)
                );
                out.extend(report(file, span, message, &sink));
            }
        }
    }
}
