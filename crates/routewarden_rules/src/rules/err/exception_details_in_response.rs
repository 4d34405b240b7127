use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::rule::{Rule, RuleMeta};
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, Expr, ExprKind, FStringPart, Function, Span, Stmt};
use rustc_hash::FxHashMap as HashMap;

declare_rule! {
    /// ## What it finds
    /// Exception details sent to the client: the exception object, its text (`str(e)`, an
    /// f-string), `repr`, `args`, or a traceback (`traceback.format_exc()`, `format_exception`,
    /// `sys.exc_info()`), followed through local variables, returned from a route handler, put in
    /// `HTTPException(detail=...)` or `abort(...)`, passed to `JSONResponse`, `jsonify`,
    /// `make_response` or `Response`, or returned by an exception handler (decorated with
    /// `exception_handler`/`errorhandler`, or registered with `add_exception_handler`/
    /// `register_error_handler`).
    /// Logging calls are never sinks. Not reported for deliberate client-error messages: a
    /// narrow exception (`ValueError`, validation errors, the project's own exception classes)
    /// answered with a 4xx status; re-raised `HTTPException`s are not reported either.
    ///
    /// ## Why is this dangerous
    /// Exception text carries what the server knows: SQL statements and table names from the
    /// database driver, file paths, host names, library versions, sometimes credentials from a
    /// connection string. It maps the attack surface for the next request.
    ///
    /// ## Example
    /// ```python
    /// @app.post("/orders")
    /// def create_order(order: OrderIn):
    ///     try:
    ///         return service.create(order)
    ///     except Exception as e:
    ///         raise HTTPException(status_code=500, detail=str(e))
    /// ```
    ///
    /// ## Fix
    /// Log the exception and send a generic message with a reference:
    /// ```python
    ///     except Exception:
    ///         logger.exception("order creation failed")
    ///         raise HTTPException(status_code=500, detail="Internal error")
    /// ```
    pub static EXCEPTION_DETAILS_IN_RESPONSE = {
        code: "ERR001",
        name: "exception-details-in-response",
        severity: Medium,
        confidence: Medium,
        cwe: 209,
        fix: "Log the exception server-side and return a generic error message",
    }
}

pub struct ExceptionDetailsInResponse;

const RESPONSE_BUILDERS: &[&str] = &[
    "flask.jsonify",
    "flask.make_response",
    "flask.Response",
    "flask.wrappers.Response",
    "werkzeug.Response",
    "werkzeug.wrappers.Response",
    "fastapi.responses.JSONResponse",
    "fastapi.responses.PlainTextResponse",
    "fastapi.responses.HTMLResponse",
    "fastapi.responses.Response",
    "fastapi.Response",
    "fastapi.responses.ORJSONResponse",
    "fastapi.responses.UJSONResponse",
    "starlette.responses.JSONResponse",
    "starlette.responses.PlainTextResponse",
    "starlette.responses.HTMLResponse",
    "starlette.responses.Response",
];

const HTTP_EXCEPTIONS: &[&str] = &[
    "fastapi.HTTPException",
    "fastapi.exceptions.HTTPException",
    "starlette.exceptions.HTTPException",
    "werkzeug.exceptions.HTTPException",
];

const TRACEBACK_CALLS: &[&str] = &[
    "traceback.format_exc",
    "traceback.format_exception",
    "traceback.format_tb",
    "traceback.format_stack",
    "traceback.print_exc",
    "sys.exc_info",
];

/// Exception types whose messages are written for clients.
const NARROW: &[&str] = &[
    "ValueError",
    "KeyError",
    "ValidationError",
    "RequestValidationError",
    "JSONDecodeError",
    "DecodeError",
    "UnicodeDecodeError",
    "InvalidToken",
    "ExpiredSignatureError",
    "InvalidTokenError",
];

/// What a name holding exception data came from.
#[derive(Clone, Copy)]
struct Taint {
    narrow: bool,
}

struct Analysis<'c, 'a> {
    cx: &'c FileContext<'a>,
    tainted: HashMap<String, Taint>,
}

impl Analysis<'_, '_> {
    /// The taint of an expression: the exception, its text, args, repr, or a traceback.
    fn taint(&self, expr: &Expr) -> Option<Taint> {
        match &expr.kind {
            ExprKind::Name(n) => self.tainted.get(n).copied(),
            ExprKind::Attribute { value, attr } => {
                if matches!(
                    attr.as_str(),
                    "args" | "message" | "msg" | "orig" | "statement" | "params" | "__traceback__"
                ) {
                    self.taint(value)
                } else {
                    None
                }
            }
            ExprKind::Call(call) => {
                let q = self.cx.resolve(&call.func);
                if q.as_deref().is_some_and(|q| TRACEBACK_CALLS.contains(&q)) {
                    return Some(Taint { narrow: false });
                }
                if matches!(
                    q.as_deref(),
                    Some("builtins.str" | "builtins.repr" | "builtins.format")
                ) {
                    return call.args.first().and_then(|a| self.taint(a));
                }
                // `"...".format(e)`, `"; ".join(e.args)`
                if matches!(call.func.last_name(), Some("format" | "join")) {
                    return call
                        .args
                        .iter()
                        .chain(call.keywords.iter().map(|k| &k.value))
                        .find_map(|a| self.taint(a));
                }
                None
            }
            ExprKind::FString(parts) => parts.iter().find_map(|p| match p {
                FStringPart::Value(v) => self.taint(v),
                FStringPart::Literal(_) => None,
            }),
            ExprKind::BinOp { left, right, .. } => self.taint(left).or_else(|| self.taint(right)),
            ExprKind::Dict(entries) => entries.iter().find_map(|e| self.taint(&e.value)),
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                items.iter().find_map(|i| self.taint(i))
            }
            ExprKind::Subscript { value, .. } => self.taint(value),
            _ => None,
        }
    }

    /// A response-carrying expression: its taint and status code, if literal.
    fn response_taint(&self, expr: &Expr) -> Option<(Taint, Option<i64>)> {
        match &expr.kind {
            ExprKind::Tuple(items) if items.len() >= 2 => {
                let status = status_of(&items[1]);
                self.response_taint(&items[0])
                    .map(|(t, s)| (t, s.or(status)))
            }
            ExprKind::Call(call) if self.is_response_builder(call) => {
                let status = call
                    .keyword("status_code")
                    .or_else(|| call.keyword("status"))
                    .or_else(|| call.args.get(1))
                    .and_then(status_of);
                let args = call.args.first().into_iter().chain(
                    call.keywords
                        .iter()
                        .filter(|k| {
                            matches!(
                                k.arg.as_deref(),
                                Some("content" | "response" | "body") | None
                            )
                        })
                        .map(|k| &k.value),
                );
                let taint = args
                    .clone()
                    .find_map(|a| self.taint(a))
                    // `jsonify(error=str(e))`
                    .or_else(|| call.keywords.iter().find_map(|k| self.taint(&k.value)));
                taint.map(|t| (t, status))
            }
            _ => self.taint(expr).map(|t| (t, None)),
        }
    }

    fn is_response_builder(&self, call: &Call) -> bool {
        self.cx
            .resolve(&call.func)
            .is_some_and(|q| RESPONSE_BUILDERS.contains(&&*q))
    }

    fn learn_assignments(&mut self, body: &[Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    if let Some(t) = self.taint(value) {
                        for target in targets {
                            if let Some(n) = target.as_name() {
                                self.tainted.insert(n.to_string(), t);
                            }
                        }
                    }
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                other => {
                    for child in other.child_bodies() {
                        self.learn_assignments(child);
                    }
                }
            }
        }
    }
}

/// The literal status of `400`, `status.HTTP_400_BAD_REQUEST`, `HTTPStatus.BAD_REQUEST`.
fn status_of(expr: &Expr) -> Option<i64> {
    match &expr.kind {
        ExprKind::Int(Some(n)) => Some(*n),
        ExprKind::Attribute { attr, .. } => {
            if let Some(rest) = attr.strip_prefix("HTTP_") {
                return rest.get(..3).and_then(|d| d.parse().ok());
            }
            match attr.as_str() {
                "BAD_REQUEST" => Some(400),
                "UNAUTHORIZED" => Some(401),
                "FORBIDDEN" => Some(403),
                "NOT_FOUND" => Some(404),
                "CONFLICT" => Some(409),
                "UNPROCESSABLE_ENTITY" | "UNPROCESSABLE_CONTENT" => Some(422),
                "INTERNAL_SERVER_ERROR" => Some(500),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_client_error(status: Option<i64>) -> bool {
    status.is_some_and(|s| (400..500).contains(&s))
}

impl ExceptionDetailsInResponse {
    /// Exception types a handler catches: `(narrow, is_http_exception)`.
    fn classify(cx: &FileContext, type_: Option<&Expr>) -> (bool, bool) {
        let Some(t) = type_ else {
            return (false, false);
        };
        let items: Vec<&Expr> = match t.elements() {
            Some(items) => items.iter().collect(),
            None => vec![t],
        };
        let mut narrow = true;
        let mut http = false;
        for item in items {
            let q = cx.resolve(item);
            if q.as_deref().is_some_and(|q| HTTP_EXCEPTIONS.contains(&q)) {
                http = true;
                continue;
            }
            let last = item.last_name().unwrap_or("");
            let project = matches!(
                cx.model.resolve_definition(cx.file_index, item),
                Some((_, Some(Stmt::ClassDef(_)), _))
            );
            let named_narrow = NARROW.contains(&last)
                || last.ends_with("ValidationError")
                || last.starts_with("Invalid")
                || last.ends_with("NotFound");
            if !(project || named_narrow) {
                narrow = false;
            }
        }
        (narrow, http)
    }

    fn check_body(
        &self,
        analysis: &mut Analysis,
        body: &[Stmt],
        is_handler: bool,
        out: &mut Findings,
    ) {
        for stmt in body {
            match stmt {
                Stmt::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => {
                    self.check_body(analysis, body, is_handler, out);
                    for h in handlers {
                        let (narrow, http) = Self::classify(analysis.cx, h.type_.as_ref());
                        let saved = analysis.tainted.clone();
                        if let Some(name) = &h.name {
                            if http {
                                analysis.tainted.remove(name);
                            } else {
                                analysis.tainted.insert(name.clone(), Taint { narrow });
                            }
                        }
                        analysis.learn_assignments(&h.body);
                        self.check_body(analysis, &h.body, is_handler, out);
                        analysis.tainted = saved;
                    }
                    self.check_body(analysis, orelse, is_handler, out);
                    self.check_body(analysis, finalbody, is_handler, out);
                }
                Stmt::Return {
                    value: Some(value),
                    span,
                } if is_handler => {
                    if let Some((taint, status)) = analysis.response_taint(value) {
                        self.report(taint, status, *span, "returned to the client", out);
                    }
                }
                Stmt::Raise {
                    exc: Some(exc),
                    span,
                    ..
                } => {
                    if let Some(call) = exc.as_call()
                        && analysis
                            .cx
                            .resolve(&call.func)
                            .is_some_and(|q| HTTP_EXCEPTIONS.contains(&&*q))
                    {
                        let status = call.argument("status_code", 0).and_then(status_of);
                        if let Some(taint) =
                            call.argument("detail", 1).and_then(|d| analysis.taint(d))
                        {
                            self.report(
                                taint,
                                status,
                                *span,
                                "put in the HTTPException detail",
                                out,
                            );
                        }
                    }
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                other => {
                    // Response builders and `abort(...)` anywhere in the statement.
                    if let Stmt::Expr { value, span }
                    | Stmt::Assign {
                        value: Some(value),
                        span,
                        ..
                    } = other
                    {
                        self.check_calls(analysis, value, *span, out);
                    }
                    if let Stmt::Return {
                        value: Some(value),
                        span,
                    } = other
                    {
                        self.check_calls(analysis, value, *span, out);
                    }
                    for child in other.child_bodies() {
                        self.check_body(analysis, child, is_handler, out);
                    }
                }
            }
        }
    }

    fn check_calls(&self, analysis: &Analysis, expr: &Expr, span: Span, out: &mut Findings) {
        let Some(call) = expr.as_call() else { return };
        if analysis.is_response_builder(call) {
            if let Some((taint, status)) = analysis.response_taint(expr) {
                self.report(taint, status, span, "sent in a response", out);
            }
        } else if analysis.cx.resolve(&call.func).as_deref() == Some("flask.abort") {
            let status = call.args.first().and_then(status_of);
            let detail = call.args.get(1).or_else(|| call.keyword("description"));
            if let Some(taint) = detail.and_then(|d| analysis.taint(d)) {
                self.report(taint, status, span, "sent through abort()", out);
            }
        }
    }

    fn report(&self, taint: Taint, status: Option<i64>, span: Span, how: &str, out: &mut Findings) {
        if taint.narrow && is_client_error(status) {
            return;
        }
        out.report(
            &EXCEPTION_DETAILS_IN_RESPONSE,
            span,
            format!("exception details are {how}"),
        );
    }

    /// An `exception_handler`/`errorhandler` function and whether it handles client errors only.
    fn exception_handler(cx: &FileContext, f: &Function) -> Option<bool> {
        for d in &f.decorators {
            let ExprKind::Call(call) = &d.kind else {
                continue;
            };
            if matches!(
                call.func.last_name(),
                Some("exception_handler" | "errorhandler" | "app_errorhandler")
            ) {
                let narrow = call.args.first().is_some_and(|a| match a.kind {
                    ExprKind::Int(Some(n)) => (400..500).contains(&n),
                    _ => Self::classify(cx, Some(a)).0 || Self::classify(cx, Some(a)).1,
                });
                return Some(narrow);
            }
        }
        // `app.add_exception_handler(Exception, handler)`, `app.register_error_handler(500, h)`;
        // only for functions shaped like a handler (last parameter an exception), and only when
        // the file can hold such a call.
        let takes_exception = (1..=3).contains(&f.params.len())
            && f.params.last().is_some_and(|p| {
                matches!(
                    p.name.as_str(),
                    "e" | "ex" | "exc" | "err" | "error" | "exception"
                ) || p
                    .annotation
                    .as_ref()
                    .and_then(|a| a.last_name())
                    .is_some_and(|n| n.ends_with("Exception") || n.ends_with("Error"))
            });
        let text = &cx.file.text;
        if !takes_exception
            || !(text.contains("add_exception_handler") || text.contains("register_error_handler"))
        {
            return None;
        }
        let mut registered = None;
        walk_exprs(cx.file.body(), &mut |e| {
            e.any(&mut |x| {
                if let ExprKind::Call(call) = &x.kind
                    && matches!(
                        call.func.last_name(),
                        Some("add_exception_handler" | "register_error_handler")
                    )
                    && call.args.get(1).and_then(Expr::as_name) == Some(f.name.as_str())
                    && let Some(a) = call.args.first()
                {
                    let narrow = match a.kind {
                        ExprKind::Int(Some(n)) => (400..500).contains(&n),
                        _ => Self::classify(cx, Some(a)).0 || Self::classify(cx, Some(a)).1,
                    };
                    registered = Some(registered.unwrap_or(true) && narrow);
                }
                false
            });
        });
        registered
    }
}

impl Rule for ExceptionDetailsInResponse {
    fn meta(&self) -> &'static RuleMeta {
        &EXCEPTION_DETAILS_IN_RESPONSE
    }

    fn on_function(&self, cx: &FileContext, f: &Function, out: &mut Findings) {
        let is_route = cx.handlers.contains(&(cx.file_index, f.span.start));
        let handler_kind = Self::exception_handler(cx, f);
        let mut analysis = Analysis {
            cx,
            tainted: HashMap::default(),
        };
        if let Some(narrow) = handler_kind {
            // Starlette passes `(request, exc)`, Flask `(error)`.
            if let Some(p) = f.params.iter().rev().find(|p| p.name != "self") {
                analysis.tainted.insert(p.name.clone(), Taint { narrow });
            }
        }
        analysis.learn_assignments(&f.body);
        self.check_body(
            &mut analysis,
            &f.body,
            is_route || handler_kind.is_some(),
            out,
        );
    }
}
