use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::rule::{Rule, RuleMeta};
use crate::untrusted::{
    Untrusted, WRITERS, helper_sink, is_orm_class, is_query, orm_receiver, raw_body_params,
    sets_unlisted_attributes,
};
use routewarden_python::ast::{Call, Expr, ExprKind, Function, Stmt};

declare_rule! {
    /// ## What it finds
    /// An untrusted mapping written into database rows: spread into a table class
    /// (`Model(**data)`), into a write through a table class, its manager or a query on it
    /// (`Model.objects.create(**data)`, `insert(Model).values(**data)`, `query.update(data)`),
    /// into `obj.__dict__.update(data)`, or applied by `setattr(obj, key, value)` in a loop over
    /// the data, or merged with `record.update(data)` into a stored record the function loads
    /// by a value it is passed (`record = STORE.get(record_id)`, `STORAGE.items[item_id]`) and
    /// then saves (stores it in a subscript or attribute, passes it to another object's method,
    /// or returns it); also when the data is passed whole to a project helper (a function, a class's
    /// method, or a method of a module-level instance) whose parameter is written so, or spread
    /// into a helper's `**fields` that it writes so (`Manager.add(name, pw, **form)` then
    /// `User.create(name=name, **fields)`), reported at the call. SQLAlchemy `update(...)`/`insert(...)` statements write a table whatever
    /// expression names it (`sa.update(db.Account).values(**data)`). Untrusted: `dict`/`Any`
    /// body parameters of route handlers, Flask `request.json`, `get_json()`, `form`, `args`,
    /// `values` and the raw body decoded as JSON (`json.loads(request.data)`,
    /// `json.loads(request.get_data())`), Starlette `await request.json()`/`form()`, and dumps
    /// of a route handler's body parameter whose Pydantic model accepts extra fields, followed
    /// through local assignments, `dict(...)`, `.copy()`, `{**data}`, `data or {}` and either
    /// branch of `request.form if request.form else json.loads(request.data)`.
    ///
    /// Not reported: constructing a Pydantic model from the data (that is validation), a class
    /// the analysis cannot see (a plugin's settings model reached through a module attribute,
    /// a library's object: nothing shows it is a table), calls that are not writes to a table
    /// (`client.chat.completions.create(**data)`, `dict.update` of a dict the function builds
    /// itself, `{}`, `{"ok": True}`, `dict(...)`, or of a record it never saves), data passed through a project
    /// function that builds a new mapping of the fields it checks (`new = validate_user(data)`,
    /// `{k: v for k, v in data.items() if k in EDITABLE}`) before a `setattr` loop, a `setattr`
    /// loop that sets only keys found in a declared list of writable fields (`if key in
    /// EDITABLE_FIELDS:`, `if key not in ("name", "bio"): continue`, `field =
    /// obj.__write_fields__.get(key)` then `if field is not None:`; the list is a literal, a
    /// constant holding one, or named for writable fields; `hasattr(obj, key)` and a table's
    /// columns admit every attribute and are no such list), `model_dump(exclude_unset=True)`
    /// of a strict model, and dumps of models outside route handlers or of dependency
    /// parameters (the application's own objects, not request bodies). Test code is not
    /// reported.
    ///
    /// ## Why is this dangerous
    /// The client chooses which attributes are set. A sign-up form that also posts
    /// `"is_admin": true`, `"role": "owner"`, `"balance": 1e9` or another user's `"id"` gets it
    /// written to the database.
    ///
    /// ## Example
    /// ```python
    /// @bp.route("/profile", methods=["POST"])
    /// def update_profile():
    ///     for key, value in request.get_json().items():
    ///         setattr(current_user, key, value)
    /// ```
    ///
    /// ## Fix
    /// Validate into a model that lists the writable fields, and copy only those:
    /// ```python
    /// data = ProfileUpdate.model_validate(request.get_json())
    /// current_user.display_name = data.display_name
    /// ```
    pub static MASS_ASSIGNMENT = {
        code: "VAL002",
        name: "mass-assignment",
        severity: High,
        confidence: Medium,
        cwe: 915,
        fix: "Validate the input into a model of writable fields and assign those explicitly",
    }
}

pub struct MassAssignment;

impl MassAssignment {
    fn check_call(
        &self,
        cx: &FileContext,
        untrusted: &Untrusted,
        call: &Call,
        span: routewarden_python::ast::Span,
        out: &mut Findings,
    ) {
        // `X(**data)` and `x.create(**data)`
        if let Some(why) = call
            .keywords
            .iter()
            .filter(|k| k.arg.is_none())
            .find_map(|k| untrusted.source(&k.value))
        {
            // The sink must be established: a constructor of a table class, or a write
            // through a table class, its manager or a query on it. A class the analysis cannot
            // see (a plugin's settings model, a library's response object) may validate.
            let constructor = is_orm_class(cx.model, cx.file_index, &call.func);
            let writer = matches!(&call.func.kind, ExprKind::Attribute { value, attr }
                if WRITERS.contains(&attr.as_str()) && orm_receiver(cx.model, cx.file_index, value, 0));
            if constructor || writer {
                let target = call.func.last_name().unwrap_or("the call");
                out.report(
                    &MASS_ASSIGNMENT,
                    span,
                    format!(
                        "{why} is spread into {target}(): the client chooses which fields are set"
                    ),
                );
                return;
            }
        }
        // `query.update(data)`, `obj.__dict__.update(data)`
        if let ExprKind::Attribute { value, attr } = &call.func.kind
            && attr == "update"
            && let Some(why) = call.args.first().and_then(|a| untrusted.source(a))
        {
            let object_dict =
                matches!(&value.kind, ExprKind::Attribute { attr, .. } if attr == "__dict__");
            let query = is_query(value);
            if object_dict || query {
                out.report(
                    &MASS_ASSIGNMENT,
                    span,
                    format!(
                        "{why} is written into {} as is",
                        if object_dict {
                            "the object's __dict__"
                        } else {
                            "the query's update"
                        }
                    ),
                );
            }
        }
        // `create_user(db, data)` where the project helper spreads or applies its parameter.
        let passed = call.argument_values().find_map(|a| untrusted.source(a));
        if let Some(why) = passed
            && let Some(sink) = helper_sink(
                cx.model,
                cx.file_index,
                call,
                span,
                &|e| untrusted.source(e).is_some().then_some(true),
                0,
                true,
            )
        {
            out.report(
                &MASS_ASSIGNMENT,
                span,
                format!(
                    "{why} {}: the client chooses which fields are set",
                    sink.what
                ),
            );
        }
    }

    fn check_body(
        &self,
        cx: &FileContext,
        untrusted: &Untrusted,
        function: &Function,
        body: &[Stmt],
        out: &mut Findings,
    ) {
        for stmt in body {
            match stmt {
                Stmt::For {
                    target,
                    iter,
                    body: loop_body,
                    span,
                    ..
                } => {
                    let iterable = match &iter.kind {
                        ExprKind::Call(c) => match &c.func.kind {
                            ExprKind::Attribute { value, attr }
                                if matches!(attr.as_str(), "items" | "keys") =>
                            {
                                value.as_ref()
                            }
                            _ => iter,
                        },
                        _ => iter,
                    };
                    if let Some(why) = untrusted.source(iterable) {
                        let sets = sets_unlisted_attributes(
                            cx.model,
                            cx.file_index,
                            function,
                            target,
                            loop_body,
                        );
                        if sets {
                            out.report(&MASS_ASSIGNMENT, *span, format!("setattr() in a loop over {why}: the client chooses which attributes are set"));
                            continue;
                        }
                    }
                    self.check_body(cx, untrusted, function, loop_body, out);
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                other => {
                    let exprs: Vec<&Expr> = match other {
                        Stmt::Expr { value, .. }
                        | Stmt::Return {
                            value: Some(value), ..
                        }
                        | Stmt::Assign {
                            value: Some(value), ..
                        } => vec![value],
                        _ => Vec::new(),
                    };
                    if let Stmt::Expr { value, span } = other
                        && let Some(call) = value.as_call()
                        && let Some(why) = stored_record_update(untrusted, function, call, *span)
                    {
                        out.report(
                            &MASS_ASSIGNMENT,
                            *span,
                            format!("{why} is merged whole into a stored record that is then saved: the client chooses which fields are set"),
                        );
                    }
                    for e in exprs {
                        let span = other.span();
                        e.any(&mut |x| {
                            // Every call, also one under `await`, is visited once.
                            if let Some(call) = x.as_call() {
                                self.check_call(cx, untrusted, call, span, out);
                            }
                            false
                        });
                    }
                    for child in other.child_bodies() {
                        self.check_body(cx, untrusted, function, child, out);
                    }
                }
            }
        }
    }
}

/// `record.update(data)` with the whole request body, where `record` is a local the function
/// loads from storage by a value its caller passes (`record = STORE.get(record_id)`,
/// `db.items.find_one({"_id": item_id})`, `CACHE[key]`) and then saves (stores it
/// somewhere, `STORE[record_id] = record`, passes it to a method, `storage.save(id, record)`,
/// or returns it). A dict the function builds itself (`{}`, `{"ok": True}`, `dict(...)`) is
/// no stored record. Why the data is untrusted, when it is such an update.
fn stored_record_update(
    untrusted: &Untrusted,
    function: &Function,
    call: &Call,
    span: routewarden_python::ast::Span,
) -> Option<String> {
    let (receiver, "update") = call.method()? else {
        return None;
    };
    let [data] = &call.args[..] else {
        return None;
    };
    let why = untrusted.source(data)?;
    let name = receiver.as_name()?;
    if untrusted.source(receiver).is_some() {
        return None;
    }
    let is_param = |n: &str| function.params.iter().any(|p| p.name == n);
    let by_param = |e: &Expr| e.any(&mut |x| x.as_name().is_some_and(is_param));
    // Loaded: every value the name is given is a lookup, by a parameter, in a store that is
    // neither local to the function nor request data.
    let values = crate::credentials::assigned_values(&function.body, name);
    let loaded = |value: &Expr| {
        let (store, keys): (&Expr, Vec<&Expr>) = match &value.kind {
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Attribute { value, .. } => (value, c.argument_values().collect()),
                _ => return false,
            },
            ExprKind::Subscript { value, slice } => (value, vec![slice.as_ref()]),
            _ => return false,
        };
        let root = store
            .dotted_parts()
            .and_then(|parts| parts.first().copied());
        // `self.store.get(record_id)` is the object's store; another parameter or a local
        // is a mapping the caller or the function made.
        let local_root = root.is_some_and(|r| {
            r != "self"
                && (is_param(r)
                    || !crate::credentials::assigned_values(&function.body, r).is_empty())
        });
        root.is_some()
            && !local_root
            && untrusted.source(store).is_none()
            && keys.into_iter().any(by_param)
    };
    if values.is_empty() || !values.into_iter().all(loaded) {
        return None;
    }
    saved_after(&function.body, name, span).then_some(why)
}

/// Whether a statement after `span` saves the record bound to `name`: stores it in a
/// subscript or attribute, passes it to a method of another object, or returns it.
fn saved_after(body: &[Stmt], name: &str, span: routewarden_python::ast::Span) -> bool {
    let is_record = |e: &Expr| e.as_name() == Some(name);
    // `storage.save(record_id, record)`, also as a value (`ok = storage.save(...)`).
    let passed_to_method = |value: &Expr| {
        value.any(&mut |x| {
            x.as_call().is_some_and(|c| {
                matches!(&c.func.kind, ExprKind::Attribute { value, .. } if !is_record(value))
                    && c.argument_values().any(is_record)
            })
        })
    };
    body.iter().any(|stmt| {
        if stmt.span().end <= span.end {
            return false;
        }
        let after = stmt.span().start >= span.end;
        let saves = match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if after => {
                is_record(value)
                    && targets.iter().any(|t| {
                        matches!(
                            t.kind,
                            ExprKind::Subscript { .. } | ExprKind::Attribute { .. }
                        )
                    })
                    || passed_to_method(value)
            }
            Stmt::Return {
                value: Some(value), ..
            } if after => is_record(value) || passed_to_method(value),
            Stmt::Expr { value, .. } if after => passed_to_method(value),
            _ => false,
        };
        saves
            || (!matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_))
                && stmt
                    .child_bodies()
                    .any(|child| saved_after(child, name, span)))
    })
}

impl Rule for MassAssignment {
    fn meta(&self) -> &'static RuleMeta {
        &MASS_ASSIGNMENT
    }

    fn on_function(&self, cx: &FileContext, f: &Function, out: &mut Findings) {
        // Test code writes what the test chose, not what a caller sends.
        if cx.file.is_test() {
            return;
        }
        let is_handler = cx.handlers.contains(&(cx.file_index, f.span.start));
        let raw = if is_handler {
            raw_body_params(cx.model, cx.file_index, f, "")
        } else {
            Vec::new()
        };
        // Every function is checked: besides request reads, a parameter typed with a model that
        // accepts extra fields makes `Model(**payload.model_dump())` untrusted without any read.
        let untrusted = Untrusted::new(cx.model, cx.file_index, f, &raw, is_handler);
        self.check_body(cx, &untrusted, f, &f.body, out);
    }
}
