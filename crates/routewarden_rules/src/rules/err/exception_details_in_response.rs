use crate::context::FileContext;
use crate::data_models::{ModelKind, model_kind};
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::{FLASK_APP_CLASSES, project_class_of};
use crate::rule::{Rule, RuleMeta};
use routewarden_model::ProjectModel;
use routewarden_model::config::any_identifier_word;
use routewarden_model::security::{walk_exprs, walk_functions, walk_stmts};
use routewarden_model::values::attribute_assignments;
use routewarden_python::ast::{
    BoolOp, Call, Class, CmpOp, Expr, ExprKind, FStringPart, Function, Param, ParamKind, Span,
    Stmt, UnaryOp,
};
use rustc_hash::FxHashMap as HashMap;

declare_rule! {
    /// ## What it finds
    /// Exception details sent to the client: the exception object, its text (`str(e)`, an
    /// f-string), `repr`, `args`, or a traceback (`traceback.format_exc()`, `format_exception`,
    /// `sys.exc_info()`), or its frames (`traceback.extract_tb(e.__traceback__)`,
    /// `extract_stack()`, `walk_tb`, `StackSummary.extract`, `format_list`,
    /// `TracebackException.from_exception(e)` and its `format()` or `stack`, also as
    /// `[str(frame) for frame in ...]`), followed through local variables and into lists, tuples, dict
    /// literals, `dict(...)` calls and FastAPI's `jsonable_encoder(...)`, through string methods
    /// that keep the text (`str(e).strip()`, `"".join(format_tb(tb)).rstrip("\n")`), into a local dict by
    /// subscript (`report["disk"]["usage"] = str(e)`, then `return report` or
    /// `Response(json.dumps(report))`), through either branch of a conditional expression
    /// (`e.message if hasattr(e, "message") else str(e)`; only the other branch when the test
    /// is an opt-in such as `DEBUG`, a setting such as `settings.API_DOCS`, or the caught
    /// exception's class, and neither when it compares a status, `str(e) if status < 500
    /// else "error"`) and the operands of `or` (`getattr(e, "detail", None) or repr(e)`), into the project's Pydantic models (built with it,
    /// `Response(status=False, message=str(e))`, or given it by an attribute write,
    /// `response.message = str(e)`, also in an `except` clause before a later `return response`;
    /// or by a method of its project class that keeps what it is given on `self`,
    /// `status.set_exception(ex)` writing `self.description = repr(ex)`, then
    /// `return status.to_dict()`;
    /// nested models and models serialised with `.model_dump()` or `.dict()` too, and project
    /// classes with their own serialiser: `jsonify(ServiceError(message=str(e)).to_dict())`),
    /// through the project's helpers, also one defined beside the handler in the function that
    /// builds the application, whose return value carries the text they are given (an
    /// f-string or concatenation, a dict, list or tuple, the traceback or frames of the
    /// exception or of one it keeps, `error.inner.__traceback__`, the text escaped with `html.escape`,
    /// a response built from it, also with Flask's `current_app.response_class(...)` or an
    /// application's `app.response_class(...)`, or another such helper, also one taking
    /// `*args`/`**kwargs`, as a project's own `jsonify(*args, **kwargs)` backport does:
    /// `page = render_error_page(message=f"login failed: {e}")`; escaping stops script
    /// injection, not the disclosure; a branch that fills in a parameter the call gives,
    /// `if message is None: message = str(exc)`, does not run), returned from a route handler,
    /// put in `HTTPException(detail=...)`, `abort(...)` or the description of a raised
    /// werkzeug server-error exception (`raise ServiceUnavailable("..." % e)`), passed
    /// to `JSONResponse`, `jsonify`, `make_response` or `Response`, returned as a variable of
    /// Flask's `render_template` (`render_template("500.html", traceback=format_exc())`, also
    /// through `**context`: the page shows what it is given), sent over the route's
    /// WebSocket (`await websocket.send_json({"error": str(e)})`, also serialised with
    /// `json.dumps` and from a function nested in the WebSocket handler; also the WebSocket an
    /// object keeps, `self.websocket = websocket` from a parameter annotated `WebSocket`,
    /// written directly or through a method of its class that sends what it is given,
    /// `await self.send(error)`), returned by the
    /// wrapper of a project decorator applied to route handlers (`@handle_errors` whose
    /// `wrapper` catches `Exception` and returns `jsonify({"trace": traceback.format_exc()})`,
    /// reported once, at the wrapper), returned by a project helper one call away whose
    /// result the route handler returns (`obj, status = service.run(...)` then `return obj,
    /// status`, where `run` answers `except Exception as err:` with `{"error": str(err)},
    /// 400`, also converted, `return jsonable_encoder(run_job(...))`; also a helper the
    /// handler defines itself whose result it stores into a dict it returns, `result[key] =
    /// size_of(probe)` where `size_of` answers `except Exception as e:` with `"%r" % e`;
    /// reported once, at the helper), put by a helper in an `HTTPException` it raises
    /// with the exception a caller catches and passes it (`except Exception as error:
    /// return self.error_execute_sql(error)`; judged with the callers' exceptions, unless
    /// the caller also chooses the status), unpacked from a helper's tuple (`status, body =
    /// self.format_error(exc)` in an `APIRoute` subclass's handler), or returned by an
    /// exception handler (decorated with `exception_handler`/`errorhandler`, or registered with
    /// `add_exception_handler`/`register_error_handler`), also through FastAPI's own
    /// `http_exception_handler(request, HTTPException(500, detail=repr(exc)))`, which sends
    /// the `detail`. Also put in a project exception that the project sends
    /// (`raise InternalServerErrorException(message=f"failed: {e}")`, where an
    /// `exception_handler(ApiError)`, or an `except ApiError as exc:` clause of a route or a
    /// middleware, answers with `exc.message`, `str(exc)` or another field of it): the class
    /// or a base of it, also one a factory makes (`type(name, (ApiError,), {...})`), keeps an
    /// HTTP status (`status_code`, `code`), and the status is the one the call, the class or
    /// the factory gives; looked for in request-handling modules (they use the web framework,
    /// have routes, or a module with routes imports what encloses the `raise` and does more
    /// with it than test a value's class, `isinstance(t, CronMixin)`), since a
    /// project's error classes also serve its command-line tools; a handler or clause that
    /// answers with a fixed 5xx is judged itself. The exception an error wraps counts as any
    /// exception (`str(error.inner_error)`, `e.__cause__`), and so do the `args` of what a
    /// Flask status handler is given (werkzeug's exception has none: a handler reading them
    /// expects the unhandled exception itself). A value an `except` clause keeps in a local
    /// that the handler returns after the `try` (`ret = {"msg": str(e)}` in the clause,
    /// `return ret` after it, also a dict the clause took before storing the text in it,
    /// `result = body` then `result["header"] = error_header(err)`; also through another
    /// local, `text = json.dumps(report)`, but
    /// not from a local whose class the function tests, `isinstance(outcome, Exception)`: it
    /// holds a result or an error, and the code branches on which) is reported where the
    /// clause builds it, unless the clause leaves; a response built and
    /// never returned nor read (`ret = Response(...)` then `return {"success": True}`) sends
    /// nothing. Locals are followed in the order the statements run: a local holds the text
    /// from the statement that gives it, so an early branch answering with a literal held in
    /// the same local (`result = {"logs": "bad json"}; return json.dumps(result)`) is not
    /// reported because a later `except` clause stores a traceback in it. Helpers are followed through `await`, `or` fallbacks and regular-expression
    /// substitutions (`_KEY_RE.sub("sk-***", text)`: the rest of the text still goes out).
    ///
    /// Logging calls are never sinks, and the steps of background jobs (functions decorated
    /// as Celery, Dramatiq or Huey tasks, Hatchet workflow steps, and methods of a class
    /// decorated as a workflow) send nothing to a client: the worker runs them, and the
    /// route only enqueues them; nor does a module without routes that only task modules
    /// import, directly or through other such modules (a report executor the Celery task
    /// runs, and the notifiers it reaches through their package). Not reported for deliberate client-error messages:
    /// - an exception of a named class answered with a 4xx status, even from a library the
    ///   analysis cannot read (`except ModelInputError as e:` then a 400 with its text): not
    ///   `Exception`, `BaseException`, `RuntimeError` or `OSError`, nor a project name bound to
    ///   one (`AnyError = Exception`), a catch-all by its name (`UnknownError`,
    ///   `InternalError`), or a class of a library known to put server data in its text
    ///   (database drivers and ORMs, search engines, HTTP and network clients, `subprocess`);
    ///   a library class from a module or with a name of a data store (`assemblyline.datastore.
    ///   exceptions.SearchException`, a `db` package, `DatabaseError`) is still reported, with low
    ///   confidence: the message is likely deliberate, but its text may be the store's own;
    ///   a cause tested for its class counts as that class (`if isinstance(e.__cause__,
    ///   NotFoundError): raise HTTPException(404, str(e.__cause__))`);
    /// - a narrow exception (`ValueError`, `TypeError`, `OverflowError`, `AttributeError`,
    ///   `LookupError`, `KeyError`, `IndexError`, `NotImplementedError`, `SyntaxError`,
    ///   validation and decoding errors (XML's too: `xml.etree.ElementTree.ParseError`, expat's
    ///   `ExpatError`, lxml's `XMLSyntaxError`), jsonschema's `SchemaError`, oauthlib's protocol
    ///   errors (`OAuth2Error` and its subclasses, `OAuth1Error`: the RFC's error code and a
    ///   description written for the client, also the client's own `?error=` shown on an
    ///   error page), also
    ///   third-party codecs' such as `zstandard.ZstdError` and libraries' "no such value"
    ///   errors such as babel's
    ///   `UnknownLocaleError`, and named for a refused request such as an RPC client's
    ///   `BadRequest`, the project's own exception classes, those a helper makes at
    ///   run time with `globals()[name] = type(name, (AppError,), {})` included) answered with
    ///   a 4xx status, whether the status is a literal, an imported constant
    ///   (`HTTP_422_UNPROCESSABLE_ENTITY`, `status.HTTP_400_...`, `HTTPStatus.BAD_REQUEST`) or
    ///   a project constant, or put in an error field of a normal
    ///   answer (no status: `return {"error": str(e)}`). The status is the one the response
    ///   is sent with: a response constructor's (`Response(body, status)`,
    ///   `make_response(body, status)`, `JSONResponse(content, status_code=...)`), the second
    ///   item of a returned tuple, the one the `except` clause sets on the FastAPI handler's
    ///   `Response` parameter (`response.status_code = status.HTTP_500_INTERNAL_SERVER_ERROR`,
    ///   then the body returned from the clause or after the `try`; of several set in its
    ///   branches, a generic 500 first), or the one a project helper that builds the response is
    ///   given (`make_api_response("", str(e), 403)` returning `make_response(jsonify(...),
    ///   status_code)`; its default when the call gives none, a status the helper writes
    ///   itself); `jsonify`'s arguments, `status="error"` included, are fields of the JSON body;
    /// - an exception of a specific class (the project's, or a library's: not `Exception`,
    ///   `RuntimeError` or `OSError`) answered with the status it carries itself
    ///   (`status_code=e.status_code`, `e.get_http_status_code()`) or one the code computes
    ///   from it (`http_status = status_for_error(exc)`): an API error designed for clients
    ///   (an HTTP client's error-status exception still counts: `str(e)` names the URL called);
    /// - the branch of `if isinstance(exc, SomeValidationError):` (also `isinstance(...) and
    ///   ...`, `issubclass(exc.__class__, ...)`, `type(exc) is ...`) judged by the class tested, as if it had its own `except` clause;
    ///   an `or` of such tests (`isinstance(e, ShopError) or isinstance(e.args[0], ShopError)`,
    ///   the second testing the error the exception wraps) by all the classes tested, like a
    ///   tuple; in a Flask 500 handler, a test of the exception werkzeug wraps
    ///   (`if isinstance(e.original_exception, AccessDenied): return handle_403(e.
    ///   original_exception)`) hands on one of that class, and the 4xx handler is judged once,
    ///   with what Flask gives it; a local holding only the exception's text taken before the test (`message =
    ///   str(e)`) is judged by the branch it is used in; an `except`
    ///   of a tuple bound to a name (`except CLIENT_ERRORS as e:`) is judged by the classes in
    ///   the tuple;
    /// - text passed through the project's own cleaning helpers, named for it (`redact_*`,
    ///   `scrub_*`, `sanitize_*`, `mask_*`), and, for an exception caught by a specific class,
    ///   through a helper that answers the classes it knows with a fixed message
    ///   (`if isinstance(exc, IntegrityError): return "conflict"`, then `return str(exc)`);
    /// - a narrow exception answered with a status chosen for it other than the generic 500
    ///   (`502` for "the source could not be reached" or "the upstream sent invalid JSON",
    ///   `503`);
    /// - any exception, even `except Exception`, when the `try` block does nothing but read and
    ///   validate input (`await request.json()`, `json.loads`, also of a `json` that a
    ///   compatibility package re-exports, `Model(**body)`,
    ///   `Model.model_validate(...)`, `Query.from_dict(...)`, `base64.b64decode`, `uuid.UUID`,
    ///   conversions such as `int(...)` and `list(cast(Iterable[Message], body["messages"]))`,
    ///   Flask-RESTful's `parse_args()` on a `reqparse.RequestParser` (also kept on the
    ///   resource, `self.reqparse.parse_args()`),
    ///   the project's `validate_*`/`parse_*` functions or helpers that only do such steps
    ///   (three calls deep; also with an inner `try` of such steps whose clauses raise the
    ///   project's own error, return or log: `except ValueError: raise InvalidUrl(url=url)`),
    ///   also methods called on its classes (`User.parse(request.json)`),
    ///   a project helper that takes a value out of the request and raises only narrow
    ///   exceptions with its own messages (`raise ValueError(f"'{key}' not found")`),
    ///   a library object's `validate_*` method, an early `return jsonify(...), 400` for a
    ///   missing body, a redirect to the parsed value (`RedirectResponse(url=...)`); a lazy `import` of the validator in the `try` does not change that, nor
    ///   does a step in an inner `try` whose clauses catch every exception and turn it into an
    ///   HTTP exception or an answer, `except Exception as e: raise HTTPException(400, ...)`,
    ///   judged itself: what it raises reaches the outer clause only as that HTTP exception)
    ///   and the answer is not a 5xx: the text describes what was wrong with the client's own input;
    /// - an exception of one project class (a clause or handler naming that class alone) that
    ///   every construction in the project gives literal text, whatever the status: literals,
    ///   module-level string constants, or f-strings and formatting of literals and values
    ///   other than an exception (`raise PatchRefused(f"at most {MAX_OPS} operations")`), also
    ///   under another name (`import ... as`) and for each project subclass; the text is a
    ///   message the project wrote. Still reported when some construction gives it another
    ///   exception's text (`raise Failed(f"fetch failed: {e}")`, `str(e)`, a local made from
    ///   it) or any other value, when the class is passed on other than to be raised, caught,
    ///   tested or subclassed, or never made in the project (code elsewhere, a plugin, may make
    ///   it with any text), and for its traceback;
    /// - the framework's own HTTP exceptions: re-raised or returned `HTTPException`s, and a
    ///   werkzeug/Starlette `HTTPException` (or a 4xx status code) given to an error handler,
    ///   which may return it as is (it is the prepared error response); so is what a Flask
    ///   handler registered for any status code gets (`@app.errorhandler(500)` is handed
    ///   werkzeug's `InternalServerError`, whose text is fixed; Starlette's
    ///   `exception_handler(500)` gets the exception itself); its `original_exception` still
    ///   counts;
    /// - code that runs only while the application is set up: a module-level function called
    ///   only directly from functions that build a router or an application
    ///   (`validator = build_validator(config)` where the `APIRouter` is made);
    /// - a message the code recognised by its text before answering with a 4xx
    ///   (`if "not found" in str(e).lower(): raise HTTPException(404, str(e))`): the known,
    ///   deliberate message, not whatever the exception happens to say;
    /// - details sent only in the branch of an operator's opt-in (`if settings.DEBUG:`,
    ///   `if conf.get("api", "expose_stacktrace") == "True":`), also after `if not
    ///   debug_enabled: return fallback` in a handler or a helper;
    /// - an upstream service's reply relayed by a gateway: the reason phrase (`e.message` of
    ///   aiohttp's `ClientResponseError`), status and body of the upstream response. The
    ///   exception's own text (`str(e)`), which names the URL the server called, is still
    ///   reported;
    /// - `except` clauses that cannot run: the `try` only reads a mapping by a key checked
    ///   just before (`if key not in data: raise ...`, then `try: value = data[key]`);
    /// - test code, which answers only the test client.
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

/// Flask's page renderers: their keywords are the template's variables.
const TEMPLATE_RENDERERS: &[&str] = &[
    "flask.render_template",
    "flask.render_template_string",
    "flask.templating.render_template",
    "flask.templating.render_template_string",
];

const HTTP_EXCEPTIONS: &[&str] = &[
    "fastapi.HTTPException",
    "fastapi.exceptions.HTTPException",
    "starlette.exceptions.HTTPException",
    "werkzeug.exceptions.HTTPException",
];

/// HTTP clients' "the upstream answered with an error status" exceptions.
const UPSTREAM_STATUS_ERRORS: &[&str] = &[
    "aiohttp.ClientResponseError",
    "aiohttp.client_exceptions.ClientResponseError",
    "requests.HTTPError",
    "requests.exceptions.HTTPError",
    "httpx.HTTPStatusError",
];

const TRACEBACK_CALLS: &[&str] = &[
    "traceback.format_exc",
    "traceback.format_exception",
    "traceback.format_exception_only",
    "traceback.format_tb",
    "traceback.format_stack",
    "traceback.format_list",
    "traceback.print_exc",
    // Frames rather than text: each `FrameSummary` (`str(frame)`, `frame.filename`,
    // `frame.line`) names a file, a line number and its source.
    "traceback.extract_tb",
    "traceback.extract_stack",
    "traceback.walk_tb",
    "traceback.walk_stack",
    "traceback.StackSummary",
    "traceback.StackSummary.extract",
    "traceback.StackSummary.from_list",
    // The exception and its frames, ready to format (`"".join(te.format())`, `te.stack`).
    "traceback.TracebackException",
    "traceback.TracebackException.from_exception",
    "sys.exc_info",
];

/// Methods by which a project class gives its fields as a response body.
const SERIALISERS: &[&str] = &["to_dict", "as_dict", "to_json", "serialize", "serialise"];

/// Exception types whose messages are written for clients, or describe the client's input.
const NARROW: &[&str] = &[
    "ValueError",
    "TypeError",
    // A number out of range ("int too large to convert to float"): the client's own input.
    "OverflowError",
    // Like `TypeError`'s, its built-in text names only a type and an attribute, never server
    // data; raised on purpose (`AttributeError(f"Field {name} not found in model")`) it names
    // the field the client asked for.
    "AttributeError",
    "KeyError",
    // `LookupError` is `KeyError`'s and `IndexError`'s base: a key or an index the client
    // asked for.
    "LookupError",
    "IndexError",
    "ValidationError",
    // jsonschema's complaint about a schema the client sent.
    "SchemaError",
    "RequestValidationError",
    "JSONDecodeError",
    "DecodeError",
    "UnicodeError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "BadZipFile",
    "YAMLError",
    "MarkedYAMLError",
    "ScannerError",
    "TOMLDecodeError",
    "InvalidToken",
    "ExpiredSignatureError",
    "InvalidTokenError",
    // Python's complaint about source compiled at run time: an expression or code the client
    // sent (a test endpoint for custom code), named by its line.
    "SyntaxError",
    // Jinja2's complaints about a template the client wrote: its syntax, by line, and what the
    // sandbox refused to let it touch.
    "TemplateSyntaxError",
    "SecurityError",
    // Written by whoever raised it to say what is not supported, though it derives from
    // `RuntimeError`.
    "NotImplementedError",
    // The base of JMESPath's complaints about a query expression (its syntax, a function's
    // arity or argument types): the expression a client passes to select data.
    "JMESPathError",
    // pyparsing's complaint about the text it was asked to parse, by line and column.
    "ParseException",
    // Third-party codecs' complaints about the bytes they were given.
    "ZstdError",
    "LZ4FrameError",
    "ExtraData",
    "UnpackValueError",
];

/// XML parsers' complaints about the document they were given ("not well-formed (invalid
/// token): line 1, column 0"): decoding errors, like the JSON ones in [`NARROW`], by qualified
/// name since `ParseError` and `error` say nothing alone.
const XML_SYNTAX_ERRORS: &[&str] = &[
    "xml.etree.ElementTree.ParseError",
    "xml.etree.cElementTree.ParseError",
    "xml.parsers.expat.ExpatError",
    "xml.parsers.expat.error",
    "pyexpat.ExpatError",
    "lxml.etree.XMLSyntaxError",
    "defusedxml.ElementTree.ParseError",
];

/// What a name holding exception data came from.
#[derive(Clone, Copy, Default)]
struct Taint {
    /// A narrow exception: its text is written for clients when answered with a 4xx.
    narrow: bool,
    /// Raised only by reading and validating input: its text describes that input.
    input_error: bool,
    /// An HTTP client's error-status exception: its reason phrase and status are the
    /// upstream's reply.
    upstream: bool,
    /// A framework HTTP exception handed to an error handler: it is the prepared response.
    framework_http: bool,
    /// Caught by a named class more specific than `Exception`, `RuntimeError` or `OSError`:
    /// code that takes its status from it knows what the error is.
    specific: bool,
    /// Caught by a named class that is neither a broad built-in nor one whose text is known to
    /// carry server data (a database driver's, an HTTP client's): answered with a 4xx, its
    /// message is the one chosen for the client, whether or not the class can be read.
    named: bool,
    /// Caught by a library class whose text may come from a data store the library talks to
    /// (`assemblyline.datastore.exceptions.SearchException`): answered with a 4xx it is likely
    /// the message chosen for the client, but may still show the store's internals.
    backend: bool,
    /// Caught by one project class (its file and start), to be asked when a finding would be
    /// reported whether every construction in the project gives it literal text
    /// ([`literal_exception`]): the text is then the project's own message. Not its traceback.
    literal: Option<(usize, u32)>,
}

/// The status a response is sent with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Status {
    /// No status given: the framework's 200.
    Unspecified,
    Unknown,
    Code(i64),
    /// Taken from the caught exception itself (`e.status_code`).
    FromException,
}

impl Status {
    fn or(self, other: Status) -> Status {
        if self == Status::Unspecified {
            other
        } else {
            self
        }
    }
}

struct Analysis<'c, 'a> {
    cx: &'c FileContext<'a>,
    /// The parameters of the function analysed.
    params: &'c [Param],
    /// The function analysed and those enclosing it, innermost last.
    scope: Vec<&'c Function>,
    tainted: HashMap<String, Taint>,
    /// Locals computed from the caught exception without carrying its text:
    /// `http_status = status_for_error(exc)`.
    derived: HashMap<String, ()>,
    /// Locals holding only the text of one caught exception (`message = str(e)`), by that
    /// exception's name: a later test of its class judges them too.
    sole_source: HashMap<String, String>,
    /// Response models given the exception text by an attribute write
    /// (`response.message = str(e)`) in the `except` clause being learnt: the object keeps it
    /// after the clause.
    written_models: Vec<(String, Taint)>,
    /// The causes of caught exceptions (`e.__cause__`) in the branch of a test of their class
    /// (`if isinstance(e.__cause__, NotFoundError):`), by the caught exception's name; the
    /// exception a Flask 500 handler's error wraps (`e.original_exception`) by
    /// [`cause_key`].
    causes: HashMap<String, Taint>,
    /// Where each tainted local was last given the text.
    origins: HashMap<String, Span>,
    /// Locals an `except` clause gave the text, read after the `try` (`ret = {"msg": str(e)}`
    /// in the clause, `return ret` after it), with where the clause did so: reported there.
    carried: HashMap<String, Span>,
    /// The `except` clauses that set the status of the handler's FastAPI/Starlette `Response`
    /// parameter (`response.status_code = 500`), with that status: what the handler returns
    /// from the clause, or a local the clause gave the text, is sent with it.
    clause_statuses: Vec<(Span, Status)>,
    /// Locals given a value without the text before the statement that gives them the text
    /// (learnt for the whole function up front): untainted from there, tainted again when
    /// [`ExceptionDetailsInResponse::check_body`] reaches that statement.
    rebound: Vec<String>,
}

impl<'c, 'a> Analysis<'c, 'a> {
    /// An analysis of a function with nothing learnt yet but `tainted`.
    fn new(
        cx: &'c FileContext<'a>,
        params: &'c [Param],
        scope: Vec<&'c Function>,
        tainted: HashMap<String, Taint>,
    ) -> Self {
        Analysis {
            cx,
            params,
            scope,
            tainted,
            derived: HashMap::default(),
            sole_source: HashMap::default(),
            written_models: Vec::new(),
            causes: HashMap::default(),
            origins: HashMap::default(),
            carried: HashMap::default(),
            clause_statuses: Vec::new(),
            rebound: Vec::new(),
        }
    }
}

impl Analysis<'_, '_> {
    /// The taint of an expression: the exception, its text, args, repr, or a traceback.
    fn taint(&self, expr: &Expr) -> Option<Taint> {
        match &expr.kind {
            ExprKind::Name(n) => self
                .tainted
                .get(n.as_str())
                .copied()
                .filter(|t| !t.framework_http),
            ExprKind::Attribute { value, attr } => {
                // The exception a framework error wraps, or the one that caused this one.
                if matches!(
                    attr.as_str(),
                    "original_exception" | "__cause__" | "__context__"
                ) && let Some(n) = value.as_name()
                    && self.tainted.contains_key(n)
                {
                    // Unless a test of its class selected the branch (`isinstance(e.__cause__,
                    // NotFoundError)`, `isinstance(e.original_exception, AccessDenied)`).
                    let tested = if self.causes.is_empty() {
                        None
                    } else {
                        self.causes.get(&cause_key(n, attr))
                    };
                    return match tested {
                        Some(t) => (!t.framework_http).then_some(*t),
                        None => Some(Taint::default()),
                    };
                }
                // The exception a wrapping error keeps for its handler (`WorkflowError(
                // public_message, inner_error=e)`): any exception, whatever was caught.
                if matches!(
                    attr.as_str(),
                    "inner_error" | "inner_exception" | "original_error"
                ) && value
                    .as_name()
                    .is_some_and(|n| self.tainted.contains_key(n))
                {
                    return Some(Taint::default());
                }
                // `error.args` in a Flask status handler: werkzeug's `HTTPException` has none;
                // only the exception it is handed otherwise (Flask before 1.1 passed the
                // unhandled exception itself) fills them, with its text.
                if attr == "args"
                    && let Some(t) = value.as_name().and_then(|n| self.tainted.get(n))
                    && t.framework_http
                {
                    // Judged as that exception: a client-error status is the description
                    // chosen for the client.
                    return Some(Taint {
                        framework_http: false,
                        narrow: false,
                        named: true,
                        ..*t
                    });
                }
                // `error.og_exception.__traceback__`: only an exception has a traceback, so
                // one reached from the caught exception is the traceback of one it keeps.
                if attr == "__traceback__" {
                    let mut root = value.as_ref();
                    while let ExprKind::Attribute { value, .. } = &root.kind {
                        root = value;
                    }
                    if root.as_name().is_some() && !std::ptr::eq(root, value.as_ref()) {
                        return self.taint(root).map(|t| Taint { literal: None, ..t });
                    }
                }
                if matches!(
                    attr.as_str(),
                    "args"
                        | "message"
                        | "msg"
                        | "orig"
                        | "statement"
                        | "params"
                        | "__traceback__"
                        // A `TracebackException`'s frames.
                        | "stack"
                ) {
                    let t = self.taint(value)?;
                    // aiohttp's `message` is the upstream's reason phrase.
                    if t.upstream && matches!(attr.as_str(), "message" | "msg") {
                        return None;
                    }
                    // Where the code raised it: not a message the project wrote.
                    let literal = t
                        .literal
                        .filter(|_| !matches!(attr.as_str(), "__traceback__" | "stack"));
                    Some(Taint { literal, ..t })
                } else {
                    None
                }
            }
            ExprKind::Call(call) => {
                let q = self.cx.resolve(&call.func);
                if q.as_deref().is_some_and(|q| TRACEBACK_CALLS.contains(&q)) {
                    return Some(Taint::default());
                }
                // `json.dumps({"error": str(e)})`, `jsonable_encoder(result)`: the same text,
                // serialised or converted for JSON.
                if matches!(
                    q.as_deref(),
                    Some(
                        "builtins.str"
                            | "builtins.repr"
                            | "builtins.format"
                            | "json.dumps"
                            | "flask.json.dumps"
                            | JSONABLE_ENCODER
                    )
                ) {
                    return call.args.first().and_then(|a| self.taint(a));
                }
                // `dict(error=str(e), traceback=tb)`, `dict(detail, extra=...)`.
                if q.as_deref() == Some("builtins.dict") {
                    return call.argument_values().find_map(|a| self.taint(a));
                }
                // `"".join(format_tb(trace)).rstrip("\n")`, `str(e).strip()`: the same text.
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && TEXT_KEEPING_METHODS.contains(&attr.as_str())
                    && let Some(t) = self.taint(value)
                {
                    return Some(t);
                }
                // `"".join(te.format())` of a `TracebackException`: its text.
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && matches!(attr.as_str(), "format" | "format_exception_only")
                    && call.args.is_empty()
                    && let Some(t) = self.taint(value)
                {
                    return Some(t);
                }
                // `"...".format(e)`, `"; ".join(e.args)`
                if matches!(call.func.last_name(), Some("format" | "join")) {
                    return call.argument_values().find_map(|a| self.taint(a));
                }
                // `ErrorResponse(message=str(e)).model_dump()`: the model's fields as a dict.
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && (matches!(
                        attr.as_str(),
                        "model_dump" | "model_dump_json" | "dict" | "json"
                    ) || SERIALISERS.contains(&attr.as_str()))
                    && call.args.is_empty()
                {
                    return self.taint(value);
                }
                // `create_error_html(message=f"failed: {e}")`: a project helper that builds
                // its result (HTML, a dict, a response) from the text it is given.
                if let Some(t) = self.through_helper(call, None) {
                    return Some(t);
                }
                // `Response(status=False, message=str(e))`: a Pydantic model is serialised
                // field by field like a dict. Its fields are keywords; `**fields` too. So is
                // a project class with its own serialiser (`ServiceError(message=str(e))`,
                // then `error.to_dict()`).
                call.keywords
                    .iter()
                    .find_map(|k| self.taint(&k.value))
                    .filter(|_| {
                        self.is_pydantic_class(&call.func) || self.is_serialisable_class(&call.func)
                    })
            }
            ExprKind::FString(parts) => parts.iter().find_map(|p| match p {
                FStringPart::Value(v) => self.taint(v),
                FStringPart::Literal(_) => None,
            }),
            ExprKind::BinOp { left, right, .. } => self.taint(left).or_else(|| self.taint(right)),
            // `e.message if hasattr(e, "message") else str(e)`: either branch may be the
            // answer, unless the test is the operator's opt-in (`str(e) if DEBUG else "x"`).
            ExprKind::IfExp { test, body, orelse } => {
                // The branch an opt-in, a setting or a class test selects is a deliberate
                // choice; a choice by status (`str(e) if status < 500 else "error"`) too.
                match exposure_switch(test)
                    .or_else(|| self.setting_switch(test))
                    .or_else(|| self.class_test(test))
                {
                    Some(false) => self.taint(orelse),
                    Some(true) => self.taint(body),
                    None if compares_status(test) => None,
                    None => self.taint(body).or_else(|| self.taint(orelse)),
                }
            }
            // `getattr(e, "detail", None) or repr(e)`: the text when the first is empty.
            ExprKind::BoolOp {
                op: BoolOp::Or,
                values,
            } => values.iter().find_map(|v| self.taint(v)),
            ExprKind::Dict(entries) => entries.iter().find_map(|e| self.taint(&e.value)),
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                items.iter().find_map(|i| self.taint(i))
            }
            ExprKind::Subscript { value, .. } => self.taint(value),
            // `return await handle_failure(exception)`
            ExprKind::Await(inner) => self.taint(inner),
            // `[str(frame) for frame in traceback.extract_tb(e.__traceback__)]`: an element
            // built from what a tainted iterable yields, or from the exception itself.
            ExprKind::Comprehension { .. } => comprehension_carries(expr, |e| self.taint(e)),
            _ => None,
        }
    }

    /// A test of a setting, not of anything the handler computed: `settings.API_DOCS`,
    /// `not config.verbose_errors`, rooted in an imported or module-level name. `Some(negated)`.
    fn setting_switch(&self, test: &Expr) -> Option<bool> {
        let (negated, test) = crate::helpers::without_not(test);
        let mut root = test;
        while let ExprKind::Attribute { value, .. } = &root.kind {
            root = value;
        }
        let name = root.as_name()?;
        let module_level =
            self.cx.file.imports.get(name).is_some() || self.cx.file.top_level(name).is_some();
        let local = self.scope.iter().any(|f| {
            f.params.iter().any(|p| p.name == name)
                || !crate::credentials::assigned_values(&f.body, name).is_empty()
        });
        (module_level && !local && !self.tainted.contains_key(name)).then_some(negated)
    }

    /// A test of the caught exception's class (`isinstance(exc, ValueError)`, `type(exc) is
    /// ValueError`): the branch it selects answers the classes the code knows.
    /// `Some(negated)`.
    fn class_test(&self, test: &Expr) -> Option<bool> {
        let (negated, test) = crate::helpers::without_not(test);
        if isinstance_test(self, test).is_some() {
            return Some(negated);
        }
        let ExprKind::Compare {
            left,
            ops,
            comparators,
        } = &test.kind
        else {
            return None;
        };
        let type_of_caught = left.as_call().is_some_and(|c| {
            self.cx.resolve(&c.func).as_deref() == Some("builtins.type")
                && c.args
                    .first()
                    .and_then(Expr::as_name)
                    .is_some_and(|n| self.tainted.contains_key(n))
        });
        match (ops.as_slice(), comparators.len()) {
            ([CmpOp::Is | CmpOp::Eq], 1) if type_of_caught => Some(negated),
            ([CmpOp::IsNot | CmpOp::NotEq], 1) if type_of_caught => Some(!negated),
            _ => None,
        }
    }

    /// The taint of an argument of a call to a project function whose return value carries
    /// that parameter's text; with `position`, in that item of the tuples it returns
    /// (`status, body = self.format_error(exc)`).
    fn through_helper(&self, call: &Call, position: Option<usize>) -> Option<Taint> {
        // Cheap test first: most calls get no exception data.
        let passes_taint = call.argument_values().any(|a| self.taint(a).is_some());
        if !passes_taint
            || call
                .args
                .iter()
                .any(|a| matches!(a.kind, ExprKind::Starred(_)))
        {
            return None;
        }
        let (file, function, bound_self) = project_callee(self.cx, &call.func)?;
        if names_a_scrubber(&function.name) {
            return None;
        }
        let bound = bound_parameters(function, call, bound_self);
        let passed: Vec<&str> = bound.iter().map(|(p, _)| *p).collect();
        bound.iter().find_map(|(param, arg)| {
            let taint = self.taint(arg)?;
            // A helper that answers the exception classes it knows with a fixed message
            // (`if isinstance(exc, IntegrityError): return "conflict"`) is trusted with an
            // exception caught by a specific class; a broad `except Exception` still reaches
            // its fall-through `str(exc)`.
            if taint.specific && sorts_by_type(self.cx.model, file, function, param) {
                return None;
            }
            returns_parameter_text(self.cx.model, file, function, param, &passed, position, 0)
                .then_some(taint)
        })
    }

    /// The status an expression gives: `400`, `status.HTTP_400_BAD_REQUEST`, an imported
    /// `HTTP_422_UNPROCESSABLE_ENTITY`, `HTTPStatus.BAD_REQUEST(.value)`, a project constant,
    /// `404 if missing else 400`, or the caught exception's own status.
    fn status_of(&self, expr: &Expr) -> Status {
        self.status_at(expr, 0)
    }

    fn status_at(&self, expr: &Expr, depth: u32) -> Status {
        if depth > 4 {
            return Status::Unknown;
        }
        match &expr.kind {
            ExprKind::Int(Some(n)) => Status::Code(*n),
            ExprKind::IfExp { body, orelse, .. } => {
                match (
                    self.status_at(body, depth + 1),
                    self.status_at(orelse, depth + 1),
                ) {
                    (Status::Code(a), Status::Code(b)) => Status::Code(a.max(b)),
                    (a, b) if a == b => a,
                    _ => Status::Unknown,
                }
            }
            ExprKind::Call(call) => {
                // `HTTPStatus(400)`
                if self
                    .cx
                    .resolve(&call.func)
                    .is_some_and(|q| q == "http.HTTPStatus")
                    && let Some(a) = call.args.first()
                {
                    return self.status_at(a, depth + 1);
                }
                // `getattr(e, "status_code", 500)`, `e.get_http_status_code()`
                if self.mentions_exception(expr) {
                    return Status::FromException;
                }
                Status::Unknown
            }
            ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                if self.mentions_exception(expr)
                    || expr.as_name().is_some_and(|n| self.derived.contains_key(n))
                {
                    return Status::FromException;
                }
                if let ExprKind::Attribute { value, attr } = &expr.kind
                    && matches!(attr.as_str(), "value")
                {
                    return self.status_at(value, depth + 1);
                }
                let name = self
                    .cx
                    .resolve(expr)
                    .map(|q| q.rsplit('.').next().map(str::to_string).unwrap_or_default());
                let name = name.as_deref().or_else(|| expr.last_name());
                if let Some(code) = name.and_then(status_name) {
                    return Status::Code(code);
                }
                // `BAD_REQUEST = 400` in the project.
                let origin = self.cx.resolve_value(expr);
                if !std::ptr::eq(origin.expr, expr)
                    && let ExprKind::Int(Some(n)) = origin.expr.kind
                {
                    return Status::Code(n);
                }
                Status::Unknown
            }
            _ => Status::Unknown,
        }
    }

    /// The exception variables whose text a test recognises as a known message:
    /// `if "not found" in str(e).lower():`, `if str(e) == "quota exceeded":`.
    fn recognised_messages(&self, test: &Expr) -> Vec<String> {
        let mut names = Vec::new();
        test.any(&mut |x| {
            if let Some((left, op, right)) = x.single_compare()
                && matches!(op, CmpOp::In | CmpOp::Eq)
            {
                let literal = |e: &Expr| e.as_str().is_some_and(|t| !t.trim().is_empty());
                let text = if literal(left) {
                    Some(right)
                } else if literal(right) && op == CmpOp::Eq {
                    Some(left)
                } else {
                    None
                };
                if let Some(text) = text.map(strip_case_methods)
                    && self.taint(text).is_some()
                {
                    text.any(&mut |n| {
                        if let Some(n) = n.as_name()
                            && self.tainted.contains_key(n)
                        {
                            names.push(n.to_string());
                        }
                        false
                    });
                }
            }
            false
        });
        names
    }

    /// Whether `expr` names a project class that turns its fields into a response body
    /// (`def to_dict(self): return {"info": self.message}`).
    fn is_serialisable_class(&self, expr: &Expr) -> bool {
        matches!(
            self.cx.model.resolve_definition(self.cx.file_index, expr),
            Some((_, Some(Stmt::ClassDef(class)), _))
                if class.body.iter().any(|s| matches!(s, Stmt::FunctionDef(f)
                    if SERIALISERS.contains(&f.name.as_str())))
        )
    }

    /// Whether `expr` names a project class that is a Pydantic model.
    fn is_pydantic_class(&self, expr: &Expr) -> bool {
        matches!(
            self.cx.model.resolve_definition(self.cx.file_index, expr),
            Some((f, Some(Stmt::ClassDef(class)), _))
                if model_kind(self.cx.model, f, class) == Some(ModelKind::Pydantic)
        )
    }

    /// Whether a name holds an instance of a project Pydantic model: a local
    /// (`response = Response(...)`) or a parameter annotated with the class.
    fn holds_pydantic_model(&self, name: &Expr) -> bool {
        name.as_name().is_some()
            && project_class_of(self.cx.model, self.cx.file_index, &self.scope, name).is_some_and(
                |(f, class)| model_kind(self.cx.model, f, class) == Some(ModelKind::Pydantic),
            )
    }

    /// Whether an expression reads the caught exception (`e.status_code`).
    fn mentions_exception(&self, expr: &Expr) -> bool {
        expr.any(&mut |x| x.as_name().is_some_and(|n| self.tainted.contains_key(n)))
    }

    /// A response-carrying expression: its taint and status code.
    fn response_taint(&self, expr: &Expr) -> Option<(Taint, Status)> {
        if let Some(found) = self.delegated_http_exception(expr) {
            return Some(found);
        }
        match &expr.kind {
            ExprKind::Tuple(items) if items.len() >= 2 => {
                let status = self.status_of(&items[1]);
                self.response_taint(&items[0])
                    .map(|(t, s)| (t, s.or(status)))
            }
            // `render_template("500.html", traceback=traceback.format_exc())`: the page shows
            // what the template is given, also through `**context`.
            ExprKind::Call(call)
                if self
                    .cx
                    .resolve(&call.func)
                    .is_some_and(|q| TEMPLATE_RENDERERS.contains(&&*q)) =>
            {
                call.keywords
                    .iter()
                    .find_map(|k| self.taint(&k.value))
                    .map(|t| (t, Status::Unspecified))
            }
            ExprKind::Call(call) if self.is_response_builder(call) => {
                let status = self
                    .status_argument(call)
                    .map_or(Status::Unspecified, |s| self.status_of(s));
                // `make_response(jsonify(...), 500)`: the inner response's body, the outer status.
                if let Some(inner) = call.args.first()
                    && inner.as_call().is_some_and(|c| self.is_response_builder(c))
                {
                    return self.response_taint(inner).map(|(t, s)| (t, status.or(s)));
                }
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
            _ => {
                let taint = self.taint(expr)?;
                // `make_api_response("", str(e), 400)`: a project helper that builds the
                // response answers with the status it is given.
                let call = match &expr.kind {
                    ExprKind::Await(inner) => inner.as_call(),
                    _ => expr.as_call(),
                };
                let status = call.map_or(Status::Unspecified, |c| self.helper_status(c));
                Some((taint, status))
            }
        }
    }

    /// The status a project helper that builds a response answers with: the argument its
    /// status parameter is given (`make_api_response(data, err, status_code=400)` returning
    /// `make_response(jsonify(...), status_code)`), else that parameter's default, or a status
    /// the helper writes itself (`return jsonify(...), 403`). `Unspecified` when the helper
    /// builds no response whose status can be told, or when its returns disagree.
    fn helper_status(&self, call: &Call) -> Status {
        let Some((file, function, bound_self)) = project_callee(self.cx, &call.func) else {
            return Status::Unspecified;
        };
        let model = self.cx.model;
        let mut found: Option<Status> = None;
        let mut agree = true;
        walk_stmts(&function.body, &mut |stmt| {
            let Stmt::Return {
                value: Some(value), ..
            } = stmt
            else {
                return;
            };
            // `resp = make_response(...)`, then `return resp`.
            let value = value
                .as_name()
                .and_then(|n| routewarden_model::last_assignment(&function.body, n))
                .unwrap_or(value);
            let Some(status) = returned_status(model, file, value) else {
                return;
            };
            let param = status
                .as_name()
                .and_then(|n| function.params.iter().find(|p| p.name == n));
            let status = match param {
                Some(p) => match bound_parameters(function, call, bound_self)
                    .into_iter()
                    .find(|(name, _)| *name == p.name)
                {
                    Some((_, arg)) => self.status_of(arg),
                    None => p
                        .default
                        .as_deref()
                        .and_then(|d| status_constant(model, file, d))
                        .map_or(Status::Unknown, Status::Code),
                },
                None => status_constant(model, file, status).map_or(Status::Unknown, Status::Code),
            };
            match found {
                None => found = Some(status),
                Some(s) if s != status => agree = false,
                _ => {}
            }
        });
        // Only a status the analysis can tell changes the judgement.
        match found {
            Some(s @ (Status::Code(_) | Status::FromException)) if agree => s,
            _ => Status::Unspecified,
        }
    }

    /// `await http_exception_handler(request, HTTPException(500, detail=repr(exc)))`: FastAPI's
    /// own handler answers with the exception's `detail` as the body and its status.
    fn delegated_http_exception(&self, expr: &Expr) -> Option<(Taint, Status)> {
        let expr = match &expr.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => expr,
        };
        let call = expr.as_call()?;
        if !matches!(
            self.cx.resolve(&call.func).as_deref(),
            Some("fastapi.exception_handlers.http_exception_handler")
        ) {
            return None;
        }
        let exception = call.argument("exc", 1)?.as_call()?;
        if !self
            .cx
            .resolve(&exception.func)
            .is_some_and(|q| HTTP_EXCEPTIONS.contains(&&*q))
        {
            return None;
        }
        let taint = self.taint(exception.argument("detail", 1)?)?;
        let status = exception
            .argument("status_code", 0)
            .map_or(Status::Unknown, |s| self.status_of(s));
        Some((taint, status))
    }

    /// Where a response constructor takes its status: `Response(body, status)` or `status=`,
    /// `JSONResponse(content, status_code)` or `status_code=`, `make_response(body, status)`.
    /// `jsonify` has none: its arguments, `status=` included, are fields of the JSON body, and
    /// the status comes from the tuple it is returned in.
    fn status_argument<'e>(&self, call: &'e Call) -> Option<&'e Expr> {
        let callee = self.cx.resolve(&call.func)?;
        match &*callee {
            "flask.jsonify" => None,
            "flask.make_response" => call.args.get(1),
            "flask.Response"
            | "flask.wrappers.Response"
            | "werkzeug.Response"
            | "werkzeug.wrappers.Response" => call.argument("status", 1),
            _ => call.argument("status_code", 1),
        }
    }

    /// A parameter annotated as Starlette's or FastAPI's `WebSocket`: of the function analysed,
    /// or of a function enclosing it (a helper nested in the WebSocket handler sends on the
    /// handler's socket). The innermost function with a parameter of that name decides.
    ///
    /// Also `self.websocket` in a method of a class that keeps such a parameter there
    /// (`def __init__(self, websocket: WebSocket): self.websocket = websocket`).
    fn is_websocket(&self, expr: &Expr) -> bool {
        if let ExprKind::Attribute { value, attr } = &expr.kind
            && value.as_name() == Some("self")
        {
            return self
                .enclosing_class()
                .is_some_and(|class| self.keeps_websocket(class, attr));
        }
        let Some(name) = expr.as_name() else {
            return false;
        };
        std::iter::once(self.params)
            .chain(self.scope.iter().rev().map(|f| &f.params[..]))
            .find_map(|params| params.iter().find(|p| p.name == name))
            .is_some_and(|p| self.is_websocket_param(p))
    }

    fn is_websocket_param(&self, p: &Param) -> bool {
        p.annotation
            .as_deref()
            .and_then(|a| self.cx.resolve(a))
            .is_some_and(|q| {
                matches!(
                    &*q,
                    "fastapi.WebSocket"
                        | "fastapi.websockets.WebSocket"
                        | "starlette.websockets.WebSocket"
                )
            })
    }

    /// The class whose method is analysed.
    fn enclosing_class(&self) -> Option<&Class> {
        let class = *self.cx.classes.last()?;
        let method = self.scope.last()?;
        (method.span.start >= class.span.start && method.span.end <= class.span.end)
            .then_some(class)
    }

    /// Whether a method of `class` stores one of its WebSocket parameters in `self.<attr>`.
    fn keeps_websocket(&self, class: &Class, attr: &str) -> bool {
        class.body.iter().any(|s| {
            let Stmt::FunctionDef(m) = s else {
                return false;
            };
            m.self_attributes.may_contain(attr)
                && attribute_assignments(&m.body, attr)
                    .into_iter()
                    .any(|(receiver, value)| {
                        receiver.as_name() == Some("self")
                            && value.as_name().is_some_and(|n| {
                                m.params
                                    .iter()
                                    .any(|p| p.name == n && self.is_websocket_param(p))
                            })
                    })
        })
    }

    /// `self.send(error)` in a method of a class whose method `send` writes its parameter to
    /// the WebSocket it keeps (`await self.websocket.send_text(json.dumps(payload))`): the
    /// taint of the argument so sent.
    fn sent_through_websocket_method(&self, call: &Call) -> Option<Taint> {
        let ExprKind::Attribute { value, attr } = &call.func.kind else {
            return None;
        };
        if value.as_name() != Some("self") {
            return None;
        }
        // Cheap test first: most calls get no exception data.
        call.args.iter().find_map(|a| self.taint(a))?;
        let class = self.enclosing_class()?;
        let method = class.body.iter().find_map(|s| match s {
            Stmt::FunctionDef(m) if m.name == *attr => Some(m.as_ref()),
            _ => None,
        })?;
        let mut sent: Vec<&str> = Vec::new();
        walk_exprs(&method.body, &mut |e| {
            e.any(&mut |x| {
                if let ExprKind::Call(c) = &x.kind
                    && let ExprKind::Attribute { value, attr } = &c.func.kind
                    && matches!(attr.as_str(), "send_json" | "send_text" | "send_bytes")
                    && let ExprKind::Attribute {
                        value: owner,
                        attr: kept,
                    } = &value.kind
                    && owner.as_name() == Some("self")
                    && self.keeps_websocket(class, kept)
                    && let Some(message) = c.args.first()
                {
                    message.any(&mut |y| {
                        if let Some(n) = y.as_name() {
                            sent.push(n);
                        }
                        false
                    });
                }
                false
            });
        });
        call.args.iter().enumerate().find_map(|(i, a)| {
            // The method's parameters after `self`.
            let param = method.params.get(i + 1)?;
            if sent.contains(&param.name.as_str()) {
                self.taint(a)
            } else {
                None
            }
        })
    }

    fn is_response_builder(&self, call: &Call) -> bool {
        self.cx.resolves_to(&call.func, RESPONSE_BUILDERS)
    }

    /// The status a raised project exception is sent with, when some exception handler or
    /// `except` clause of the project sends its fields to the client (`@app.exception_handler(
    /// ApiError)` returning `JSONResponse({"message": exc.message}, exc.status_code)`); the
    /// class may be made by a factory (`type(name, (ApiError,), {...})`). The status comes
    /// from the call (`status_code=500`), the class (`super().__init__(500, ...)`, `code =
    /// 404`, the factory's `http_exception_factory(status.HTTP_404_NOT_FOUND, ...)`), or else
    /// is the one the exception carries.
    fn sent_exception_status(&self, call: &Call) -> Option<Status> {
        let model = self.cx.model;
        let (file, stmt) = model.project_definition(self.cx.file_index, &call.func)?;
        if !matches!(stmt, Stmt::ClassDef(_) | Stmt::Assign { .. }) || !handles_requests(self.cx) {
            return None;
        }
        let lineage = exception_lineage(model, file, stmt);
        if !lineage
            .iter()
            .any(|&(f, s)| is_sent_exception(self.cx, f, s))
        {
            return None;
        }
        // The status the call gives a parameter of the nearest `__init__` (not past a class a
        // factory makes, whose constructor the factory defines).
        let init = lineage
            .iter()
            .map_while(|&(f, s)| match s {
                Stmt::ClassDef(class) => Some((f, class)),
                _ => None,
            })
            .find_map(|(f, class)| {
                class.body.iter().find_map(|m| match m {
                    Stmt::FunctionDef(m) if m.name == "__init__" => Some((f, m.as_ref())),
                    _ => None,
                })
            });
        if let Some((_, init)) = init {
            for (param, arg) in bound_parameters(init, call, true) {
                if names_a_status(param) {
                    return Some(self.status_of(arg));
                }
            }
        }
        if let Some(code) = lineage.iter().find_map(|&(f, s)| class_status(model, f, s)) {
            return Some(Status::Code(code));
        }
        // Only an HTTP error, one that carries its status (`self.status_code = status_code`):
        // a general error class the project also answers requests with is raised by code that
        // runs outside requests too.
        lineage
            .iter()
            .any(|&(_, s)| carries_status(s))
            .then_some(Status::FromException)
    }

    /// Whether `expr` is (an `await` of) a response constructor's call.
    fn builds_response(&self, expr: &Expr) -> bool {
        let expr = match &expr.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => expr,
        };
        expr.as_call().is_some_and(|c| self.is_response_builder(c))
    }

    /// Whether the function analysed reads local `name` anywhere (not counting the plain
    /// assignments that give it a value), also from a nested function.
    fn reads_local(&self, name: &str) -> bool {
        let Some(f) = self.scope.last() else {
            return true;
        };
        let mut found = false;
        walk_exprs_reading(&f.body, &mut |e| {
            found = found || e.any(&mut |x| x.as_name() == Some(name));
        });
        found
    }

    /// Whether the function tests the class of local `name` (`isinstance(result, Exception)`):
    /// it holds a result or an error, and the code after the `try` branches on which.
    fn tests_class_of(&self, name: &str) -> bool {
        let Some(f) = self.scope.last() else {
            return false;
        };
        let mut found = false;
        walk_exprs(&f.body, &mut |e| {
            found = found
                || e.any(&mut |x| {
                    x.as_call().is_some_and(|c| {
                        self.cx.resolves_to(&c.func, &["builtins.isinstance"])
                            && c.args.first().and_then(Expr::as_name) == Some(name)
                    })
                });
        });
        found
    }

    /// Whether `value` reads a carried local whose class the function tests.
    fn carries_tested_local(&self, value: &Expr) -> bool {
        value.any(&mut |x| {
            x.as_name()
                .is_some_and(|n| self.carried.contains_key(n) && self.tests_class_of(n))
        })
    }

    /// The status an `except` clause sets on the handler's `Response` parameter
    /// (`response.status_code = status.HTTP_500_INTERNAL_SERVER_ERROR`): FastAPI sends the
    /// returned body with it. Of several (`503` in one branch, `500` in another), the one
    /// that says least about what failed: a generic 500 before a chosen 501-504, before a
    /// client error.
    fn response_parameter_status(&self, body: &[Stmt]) -> Option<Status> {
        // Cheap test first: a parameter annotated at all.
        if !self.params.iter().any(|p| p.annotation.is_some()) {
            return None;
        }
        let mut found: Option<Status> = None;
        walk_stmts(body, &mut |stmt| {
            let Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } = stmt
            else {
                return;
            };
            for t in targets {
                let ExprKind::Attribute {
                    value: object,
                    attr,
                } = &t.kind
                else {
                    continue;
                };
                if attr != "status_code"
                    || !object.as_name().is_some_and(|n| self.is_response_param(n))
                {
                    continue;
                }
                let status = self.status_of(value);
                let rank = |s: Status| match s {
                    Status::Code(501..=504) => 3,
                    Status::Code(500..) => 4,
                    Status::Code(_) | Status::Unspecified => 1,
                    Status::Unknown | Status::FromException => 2,
                };
                if found.is_none_or(|f| rank(status) > rank(f)) {
                    found = Some(status);
                }
            }
        });
        found
    }

    /// Whether `name` is a parameter of the handler annotated as the response FastAPI sends
    /// (`response: Response`, from `fastapi` or `starlette.responses`).
    fn is_response_param(&self, name: &str) -> bool {
        self.params.iter().any(|p| {
            p.name.as_str() == name
                && p.annotation.as_deref().is_some_and(|a| {
                    self.cx.resolve(a).is_some_and(|q| {
                        matches!(
                            &*q,
                            "fastapi.Response"
                                | "fastapi.responses.Response"
                                | "starlette.responses.Response"
                        )
                    })
                })
        })
    }

    /// The status the innermost `except` clause containing `at` set on the handler's
    /// `Response` parameter.
    fn clause_status(&self, at: Span) -> Option<Status> {
        self.clause_statuses
            .iter()
            .filter(|(clause, _)| clause.start <= at.start && at.end <= clause.end)
            .min_by_key(|(clause, _)| clause.end - clause.start)
            .map(|(_, status)| *status)
    }

    /// Where the clause gave the text to a local that `value` carries after the `try`.
    fn carried_origin(&self, value: &Expr) -> Option<Span> {
        if self.carried.is_empty() {
            return None;
        }
        let mut origin = None;
        value.any(&mut |x| {
            origin = origin.or_else(|| x.as_name().and_then(|n| self.carried.get(n)).copied());
            origin.is_some()
        });
        origin
    }

    /// The local a subscript assignment stores into: `report` in `report["disk"]["usage"] =
    /// ...`, when the function binds it itself (not a module-level cache, nor Flask's
    /// `session`).
    fn local_container<'e>(&self, target: &'e Expr) -> Option<&'e str> {
        let ExprKind::Subscript { value, .. } = &target.kind else {
            return None;
        };
        let mut root = value.as_ref();
        while let ExprKind::Subscript { value, .. } = &root.kind {
            root = value;
        }
        let name = root.as_name()?;
        let f = self.scope.last()?;
        routewarden_model::values::local_assignment(f, name).map(|_| name)
    }

    /// The taint of the locals an assignment binds, in the order the statements run: what the
    /// function learnt up front holds from the assignment that gives the text, not before it.
    /// `result = {"logs": "bad json"}; return json.dumps(result)` in an early branch sends a
    /// literal even though `result = {"logs": traceback.format_exc()}` comes later.
    fn follow_assignment_order(&mut self, stmt: &Stmt, targets: &[Expr], value: &Expr, at: Span) {
        let later_origin = |a: &Self, n: &str| a.origins.get(n).is_some_and(|o| o.start > at.end);
        fn root(t: &Expr) -> Option<&str> {
            let mut root = t;
            while let ExprKind::Subscript { value, .. } = &root.kind {
                root = value;
            }
            root.as_name()
        }
        for t in targets {
            if let Some(n) = t.as_name()
                && later_origin(self, n)
                && !self.carried.contains_key(n)
                && self.tainted.contains_key(n)
                && self.taint(value).is_none()
            {
                self.tainted.remove(n);
                self.sole_source.remove(n);
                self.rebound.push(n.to_string());
            }
        }
        // The statement that gives a rebound local the text: tainted again from here.
        if !self.rebound.is_empty()
            && targets
                .iter()
                .filter_map(root)
                .any(|n| self.rebound.iter().any(|r| r == n))
            && self.taint(value).is_some()
        {
            self.learn_assignments(std::slice::from_ref(stmt));
        }
    }

    /// `status.set_exception(ex)` on a local rebound before it (see
    /// [`Analysis::follow_assignment_order`]): tainted again from here.
    fn follow_method_order(&mut self, stmt: &Stmt, value: &Expr) {
        if !self.rebound.is_empty()
            && let Some((n, _)) = self.written_by_method(value)
            && self.rebound.iter().any(|r| r == n)
        {
            self.learn_assignments(std::slice::from_ref(stmt));
        }
    }

    fn learn_assignments(&mut self, body: &[Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    span,
                    ..
                } => {
                    if let Some(t) = self.taint(value) {
                        let source = self.sole_source_of(value);
                        for target in targets {
                            if let Some(n) = target.as_name() {
                                match &source {
                                    Some(s) => self.sole_source.insert(n.to_string(), s.clone()),
                                    None => self.sole_source.remove(n),
                                };
                                self.tainted.insert(n.to_string(), t);
                                self.origins.insert(n.to_string(), *span);
                                // Given the text again here: reported where it is returned.
                                self.carried.remove(n);
                            }
                            self.learn_unpacking(target, value);
                            // `report["disk"]["usage"] = str(e)` into a local dict: the dict
                            // now carries the text, sent when it is returned or serialised.
                            if let Some(n) = self.local_container(target) {
                                self.tainted.insert(n.to_string(), t);
                                self.origins.insert(n.to_string(), *span);
                                self.carried.remove(n);
                            }
                            // `response.message = str(e)` on a response model: the model now
                            // carries the text.
                            if let ExprKind::Attribute { value: object, .. } = &target.kind
                                && let Some(n) = object.as_name()
                                && self.holds_pydantic_model(object)
                            {
                                self.tainted.insert(n.to_string(), t);
                                self.written_models.push((n.to_string(), t));
                            }
                        }
                    } else if self.mentions_exception(value) {
                        for target in targets {
                            if let Some(n) = target.as_name() {
                                self.derived.insert(n.to_string(), ());
                            }
                            self.learn_unpacking(target, value);
                        }
                    }
                }
                // `status.set_exception(ex)`, a method of the object's project class that
                // keeps the text on `self`: the object now carries it, sent when it is
                // returned or serialised (`return status.to_dict()`), also after the `try`.
                Stmt::Expr { value, span } => {
                    if let Some((n, t)) = self.written_by_method(value) {
                        self.tainted.insert(n.to_string(), t);
                        self.origins.insert(n.to_string(), *span);
                        self.carried.remove(n);
                        self.written_models.push((n.to_string(), t));
                    }
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::If {
                    test, body, orelse, ..
                } if exposure_switch(test).is_some() => {
                    if let Some(branch) = unexposed_branch(test, body, orelse) {
                        self.learn_assignments(branch);
                    }
                }
                other => {
                    for child in other.child_bodies() {
                        self.learn_assignments(child);
                    }
                }
            }
        }
    }
}

impl Analysis<'_, '_> {
    /// `obj.method(ex)` on a local `obj` holding an instance of a project class whose
    /// `method` keeps the text of what it is given on `self` (`self.description = repr(ex)`,
    /// `self.proto.stacks.extend(traceback.format_exception(...))`): `obj` and the taint.
    fn written_by_method<'e>(&self, value: &'e Expr) -> Option<(&'e str, Taint)> {
        let call = match &value.kind {
            ExprKind::Await(inner) => inner.as_call()?,
            _ => value.as_call()?,
        };
        let ExprKind::Attribute {
            value: object,
            attr,
        } = &call.func.kind
        else {
            return None;
        };
        let n = object.as_name()?;
        // Cheap tests first: most calls get no exception data.
        if n == "self"
            || call
                .args
                .iter()
                .any(|a| matches!(a.kind, ExprKind::Starred(_)))
        {
            return None;
        }
        let taint = call.argument_values().find_map(|a| self.taint(a))?;
        let f = self.scope.last()?;
        routewarden_model::values::local_assignment(f, n)?;
        let model = self.cx.model;
        let (file, class) = project_class_of(model, self.cx.file_index, &self.scope, object)?;
        let (file, _, method) = routewarden_model::apps::find_method(model, file, class, attr)?;
        let bound = bound_parameters(method, call, true);
        let this = positional_param(method, 0)?.name.as_str();
        bound
            .iter()
            .any(|(param, arg)| {
                self.taint(arg).is_some() && keeps_on_self(model, file, method, this, param)
            })
            .then_some((n, taint))
    }

    /// The caught exception whose text alone `value` carries (`str(e)`, `f"failed: {e}"`,
    /// another local holding only it): the one tainted name it reads, which carries the
    /// exception's text only through that name (no traceback call beside it).
    fn sole_source_of(&self, value: &Expr) -> Option<String> {
        let mut read: Option<&str> = None;
        let mut several = false;
        value.any(&mut |x| {
            if let Some(n) = x.as_name()
                && self.tainted.contains_key(n)
            {
                several |= read.is_some_and(|r| r != n);
                read = Some(n);
            }
            false
        });
        let read = read.filter(|_| !several)?;
        let mut without = self.tainted.clone();
        without.remove(read);
        let rest = Analysis::new(self.cx, self.params, self.scope.clone(), without);
        if rest.taint(value).is_some() {
            return None;
        }
        Some(
            self.sole_source
                .get(read)
                .cloned()
                .unwrap_or_else(|| read.to_string()),
        )
    }

    /// `status, body = self.format_error(exc)`, `msg, code = str(e), 500`: each name gets the
    /// taint of the item it is given; the others are computed from the exception.
    fn learn_unpacking(&mut self, target: &Expr, value: &Expr) {
        let (ExprKind::Tuple(names) | ExprKind::List(names)) = &target.kind else {
            return;
        };
        let value = match &value.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => value,
        };
        for (i, name) in names.iter().enumerate() {
            let Some(n) = name.as_name() else { continue };
            let taint = match &value.kind {
                ExprKind::Tuple(items) if items.len() == names.len() => self.taint(&items[i]),
                ExprKind::Call(call) => self.through_helper(call, Some(i)),
                _ => None,
            };
            match taint {
                Some(t) => {
                    self.tainted.insert(n.to_string(), t);
                }
                // `msg, code = str(e), 400`: the literal status is no part of the exception.
                None if matches!(&value.kind, ExprKind::Tuple(items)
                    if items.get(i).is_some_and(|item| !self.mentions_exception(item))) => {}
                None => {
                    self.derived.insert(n.to_string(), ());
                }
            }
        }
    }
}

/// Whether a method keeps the text of its parameter `param` on the instance `this`: an
/// attribute or item of it given the text (`self.description = repr(ex)`,
/// `self.proto.description = ...`), or a container on it given the text by a method
/// (`self.proto.exception.stacks.extend(traceback.format_exception(...))`).
fn keeps_on_self(
    model: &ProjectModel,
    file: usize,
    method: &Function,
    this: &str,
    param: &str,
) -> bool {
    let names = [param.to_string()];
    let on_self = |target: &Expr| {
        let mut root = target;
        while let ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } = &root.kind
        {
            root = value;
        }
        !std::ptr::eq(root, target) && root.as_name() == Some(this)
    };
    let mut keeps = false;
    walk_stmts(&method.body, &mut |stmt| {
        keeps = keeps
            || match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => targets.iter().any(on_self) && carries_text(model, file, value, &names, 0),
                Stmt::Expr { value, .. } => value.as_call().is_some_and(|c| {
                    matches!(&c.func.kind, ExprKind::Attribute { value, attr }
                        if matches!(attr.as_str(), "append" | "extend" | "insert" | "update")
                            && on_self(value))
                        && c.args
                            .iter()
                            .any(|a| carries_text(model, file, a, &names, 0))
                }),
                _ => false,
            };
    });
    keeps
}

/// The parameter that the `index`-th positional argument binds.
fn positional_param(function: &Function, index: usize) -> Option<&Param> {
    function
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional))
        .nth(index)
}

/// Library calls whose result holds the text of their argument.
const TEXT_KEEPING_CALLS: &[&str] = &[
    "builtins.str",
    "builtins.repr",
    "builtins.format",
    "html.escape",
    "markupsafe.escape",
    "markupsafe.Markup",
    "flask.Markup",
    "json.dumps",
    "flask.json.dumps",
    JSONABLE_ENCODER,
    "builtins.dict",
];

/// FastAPI's converter of a value into JSON-compatible data: it keeps every string.
const JSONABLE_ENCODER: &str = "fastapi.encoders.jsonable_encoder";

/// String methods whose result holds the text of the string they are called on.
const TEXT_KEEPING_METHODS: &[&str] = &[
    "strip",
    "lstrip",
    "rstrip",
    "lower",
    "upper",
    "title",
    "capitalize",
    "replace",
    "encode",
    "decode",
];

/// Whether a project function returns the text of its parameter `param`: in an f-string, a
/// concatenation, a dict, list or tuple, escaped (`html.escape(message)`), in a response it
/// builds, or through a local built from it or another such helper. `passed` are the
/// parameters the call gives: a branch that fills one in when it is missing (`if message is
/// None: message = str(exc)`) does not run. With `position`, only that item of a returned
/// tuple counts (`return 500, {"message": str(error)}` carries it in item 1, not item 0).
fn returns_parameter_text(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    param: &str,
    passed: &[&str],
    position: Option<usize>,
    depth: u32,
) -> bool {
    if depth > 3 {
        return false;
    }
    let mut carrying = vec![param.to_string()];
    let mut found = false;
    // Locals built from the parameter (`page = f"<p>{message}</p>"`), in statement order.
    walk_run_statements(&function.body, passed, &mut |stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } if carries_text(model, file, value, &carrying, depth) => {
            carrying.extend(
                targets
                    .iter()
                    .filter_map(|t| t.as_name().map(str::to_string)),
            );
        }
        Stmt::Return {
            value: Some(value), ..
        } => {
            let value = match (&value.kind, position) {
                (ExprKind::Tuple(items), Some(i)) => match items.get(i) {
                    Some(item) => item,
                    None => return,
                },
                _ => value,
            };
            found |= carries_text(model, file, value, &carrying, depth);
        }
        _ => {}
    });
    found
}

/// Whether a helper answers some classes of the exception in its parameter `param` with a
/// value that does not carry its text: `if isinstance(exc, StatementError): return "..."`.
fn sorts_by_type(model: &ProjectModel, file: usize, function: &Function, param: &str) -> bool {
    let names = [param.to_string()];
    let mut sorts = false;
    walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::If { test, body, .. } = stmt
            && let Some(call) = test.as_call()
            && model.files[file]
                .imports
                .resolves_to(&call.func, &["builtins.isinstance"])
            && call.args.first().and_then(Expr::as_name) == Some(param)
        {
            routewarden_model::for_each_return(body, &mut |value| {
                sorts |= !carries_text(model, file, value, &names, 0);
            });
        }
    });
    sorts
}

/// Every statement of a function body that can run when the parameters `passed` are given
/// and the operator has not opted in to exposing details: not in nested functions or classes,
/// nor in `if x is None:`/`if not x:` for a given `x`, nor in `if expose_details:`.
fn walk_run_statements<'s>(body: &'s [Stmt], passed: &[&str], f: &mut impl FnMut(&'s Stmt)) {
    for stmt in body {
        f(stmt);
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            // First: an opt-in the caller passes (`debug_enabled=settings.debug`) is still one.
            Stmt::If {
                test, body, orelse, ..
            } if exposure_switch(test).is_some() => {
                if let Some(branch) = unexposed_branch(test, body, orelse) {
                    walk_run_statements(branch, passed, f);
                }
                // `if not debug_enabled: return fallback`: what follows runs only with the
                // opt-in.
                if leaves_unless_opted_in(stmt) {
                    return;
                }
            }
            Stmt::If { test, orelse, .. } if fills_default(test, passed) => {
                walk_run_statements(orelse, passed, f);
            }
            other => {
                for child in other.child_bodies() {
                    walk_run_statements(child, passed, f);
                }
            }
        }
    }
}

/// `if not settings.DEBUG: return ...` (or `raise`), without an `else`: the statements after
/// it run only when the operator opted in to exposing details.
fn leaves_unless_opted_in(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::If { test, body, orelse, .. }
        if orelse.is_empty()
            && exposure_switch(test) == Some(true)
            && matches!(body.last(), Some(Stmt::Return { .. } | Stmt::Raise { .. })))
}

/// `x is None` or `not x` for one of the `passed` parameters.
fn fills_default(test: &Expr, passed: &[&str]) -> bool {
    let subject = match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => operand.as_ref(),
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if matches!(ops.as_slice(), [CmpOp::Is])
            && matches!(comparators.as_slice(), [c] if matches!(c.kind, ExprKind::NoneLiteral)) =>
        {
            left.as_ref()
        }
        _ => return false,
    };
    subject.as_name().is_some_and(|n| passed.contains(&n))
}

/// The parameters of `function` that `call` gives a value, with the argument for each;
/// `bound_self` when the call goes through an instance or class (`self.helper(exc)`), whose
/// first parameter the call does not give. Arguments past the named parameters go to
/// `*args` and `**kwargs` (`def jsonify(*args, **kwargs)`), which hold them.
fn bound_parameters<'f, 'c>(
    function: &'f Function,
    call: &'c Call,
    bound_self: bool,
) -> Vec<(&'f str, &'c Expr)> {
    let skip = usize::from(bound_self);
    let rest = |kind: ParamKind| function.params.iter().find(|p| p.kind == kind);
    let positional = call.args.iter().enumerate().filter_map(|(i, a)| {
        let param = positional_param(function, i + skip).or_else(|| rest(ParamKind::VarArgs))?;
        Some((param.name.as_str(), a))
    });
    let keywords = call.keywords.iter().filter_map(|k| {
        let name = k.arg.as_deref()?;
        let param = function
            .params
            .iter()
            .find(|p| {
                p.name == name && matches!(p.kind, ParamKind::Positional | ParamKind::KeywordOnly)
            })
            .or_else(|| rest(ParamKind::VarKeywords))?;
        Some((param.name.as_str(), &k.value))
    });
    positional.chain(keywords).collect()
}

/// Whether `expr` holds the text of one of the `names`, in a place where it reaches the value
/// (not a test, a length or a status).
fn carries_text(
    model: &ProjectModel,
    file: usize,
    expr: &Expr,
    names: &[String],
    depth: u32,
) -> bool {
    let carries = |e: &Expr| carries_text(model, file, e, names, depth);
    match &expr.kind {
        ExprKind::Name(n) => names.iter().any(|m| m == n.as_str()),
        ExprKind::Attribute { value, attr } => match attr.as_str() {
            "args" | "message" | "msg" => carries(value),
            // The traceback of the exception given, or of one it keeps
            // (`error.og_exception.__traceback__`): only an exception has one.
            "__traceback__" => {
                let mut root = value.as_ref();
                while let ExprKind::Attribute { value, .. } = &root.kind {
                    root = value;
                }
                carries(root)
            }
            _ => false,
        },
        ExprKind::FString(parts) => parts.iter().any(|p| match p {
            FStringPart::Value(v) => carries(v),
            FStringPart::Literal(_) => false,
        }),
        // `[str(x) for x in traceback.extract_tb(error.__traceback__)]`
        ExprKind::Comprehension { .. } => {
            comprehension_carries(expr, |e| carries(e).then_some(())).is_some()
        }
        ExprKind::BinOp { left, right, .. } => carries(left) || carries(right),
        ExprKind::Dict(entries) => entries.iter().any(|e| carries(&e.value)),
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().any(carries),
        ExprKind::Subscript { value, .. } => carries(value),
        ExprKind::IfExp { body, orelse, .. } => carries(body) || carries(orelse),
        // `strip_keys(str(exc)) or "Internal Server Error"`
        ExprKind::BoolOp { values, .. } => values.iter().any(carries),
        ExprKind::Await(inner) => carries(inner),
        ExprKind::Call(call) => {
            let args = || call.argument_values();
            let imports = &model.files[file].imports;
            if let Some(q) = imports.resolve(&call.func)
                && (TEXT_KEEPING_CALLS.contains(&q.as_str())
                    || RESPONSE_BUILDERS.contains(&q.as_str())
                    // `traceback.format_tb(error.__traceback__)`: the given exception's frames.
                    || TRACEBACK_CALLS.contains(&q.as_str()))
            {
                return args().any(carries);
            }
            // `re.sub(pattern, "***", text)`: the text with some parts replaced.
            if imports.resolves_to(&call.func, &["re.sub", "re.subn"]) {
                return call.args.get(2).is_some_and(carries);
            }
            if let ExprKind::Attribute { value, attr } = &call.func.kind {
                // `"<p>{}</p>".format(message)`, `"; ".join(parts)`
                if matches!(attr.as_str(), "format" | "join") && args().any(carries) {
                    return true;
                }
                if TEXT_KEEPING_METHODS.contains(&attr.as_str()) {
                    return carries(value);
                }
                // `current_app.response_class(body, mimetype=...)`: Flask's response class,
                // which a project's own `jsonify` builds its answer with.
                if attr == "response_class" && is_flask_application(model, file, value) {
                    return args().any(carries);
                }
                // `_KEY_RE.sub("sk-***", text)` on a compiled pattern.
                if matches!(attr.as_str(), "sub" | "subn")
                    && call.args.get(1).is_some_and(carries)
                    && is_compiled_pattern(model, file, value)
                {
                    return true;
                }
            }
            // Another project helper, given the text.
            match model.resolve_definition(file, &call.func) {
                Some((f, Some(Stmt::FunctionDef(helper)), _))
                    if !names_a_scrubber(&helper.name) =>
                {
                    let bound = bound_parameters(helper, call, false);
                    let passed: Vec<&str> = bound.iter().map(|(p, _)| *p).collect();
                    bound.iter().any(|(p, a)| {
                        carries(a)
                            && returns_parameter_text(model, f, helper, p, &passed, None, depth + 1)
                    })
                }
                // `ErrorResponse(message=str(error))`: a project model, dataclass, `TypedDict`
                // or class with its own serialiser is sent field by field.
                Some((f, Some(Stmt::ClassDef(class)), _)) => {
                    sent_field_by_field(model, f, class) && args().any(carries)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether `expr` is a Flask application: `flask.current_app`, or an instance of a Flask
/// application class (`app = Flask(__name__)`, also imported from another module).
fn is_flask_application(model: &ProjectModel, file: usize, expr: &Expr) -> bool {
    model.files[file]
        .imports
        .resolves_to(expr, &["flask.current_app", "quart.current_app"])
        || model
            .instance_class(file, &[], expr)
            .is_some_and(|c| FLASK_APP_CLASSES.contains(&c.as_str()))
}

/// Whether `expr` holds a regular expression compiled with `re.compile`: a module-level
/// pattern (`_KEY_RE = re.compile(...)`), also one item of a tuple or list of them
/// (`_KEY_RES[0]`).
fn is_compiled_pattern(model: &ProjectModel, file: usize, expr: &Expr) -> bool {
    let (expr, item) = match &expr.kind {
        ExprKind::Subscript { value, .. } => (value.as_ref(), true),
        _ => (expr, false),
    };
    let origin = model.resolve_value(file, &[], expr);
    let compiled = |e: &Expr| {
        e.as_call().is_some_and(|c| {
            model.files[origin.file]
                .imports
                .resolves_to(&c.func, &["re.compile"])
        })
    };
    match &origin.expr.kind {
        ExprKind::List(items) | ExprKind::Tuple(items) if item => items.iter().any(compiled),
        _ => !item && compiled(origin.expr),
    }
}

/// Whether instances of a project class are sent as their fields: a Pydantic model, a
/// dataclass, a `TypedDict` (a plain dict at run time), or a class with its own serialiser.
fn sent_field_by_field(
    model: &ProjectModel,
    file: usize,
    class: &routewarden_python::ast::Class,
) -> bool {
    matches!(
        model_kind(model, file, class),
        Some(ModelKind::Pydantic | ModelKind::Dataclass)
    ) || class.bases.iter().any(|b| {
        matches!(
            model.files[file].imports.resolve(b).as_deref(),
            Some("typing.TypedDict" | "typing_extensions.TypedDict")
        )
    }) || class
        .body
        .iter()
        .any(|s| matches!(s, Stmt::FunctionDef(f) if SERIALISERS.contains(&f.name.as_str())))
}

/// The project function a call reaches, with whether the call binds its first parameter: a
/// function, `Class.method`, `instance.method` of a module-level instance, or `self.method`
/// of the class enclosing the code checked (also a method of one of its project bases).
fn project_callee<'m>(cx: &FileContext<'m>, func: &Expr) -> Option<(usize, &'m Function, bool)> {
    if let Some(found) = crate::untrusted::resolve_callee(cx.model, cx.file_index, func) {
        return Some(found);
    }
    // A helper defined beside the handler in the function that builds the application
    // (`def _generate_exception_header(error):` in `get_fastapi_app`), innermost first.
    if let Some(name) = func.as_name() {
        return cx.functions.iter().rev().find_map(|&f: &&'m Function| {
            f.body.iter().find_map(|s| match s {
                Stmt::FunctionDef(h) if h.name == name => Some((cx.file_index, h.as_ref(), false)),
                _ => None,
            })
        });
    }
    let ExprKind::Attribute { value, attr } = &func.kind else {
        return None;
    };
    if !matches!(value.as_name(), Some("self" | "cls")) {
        return None;
    }
    let class = *cx.classes.last()?;
    let own = |class: &'m routewarden_python::ast::Class| {
        class.body.iter().find_map(|s| match s {
            Stmt::FunctionDef(m) if m.name == *attr => Some(m.as_ref()),
            _ => None,
        })
    };
    if let Some(m) = own(class) {
        return Some((cx.file_index, m, true));
    }
    class
        .bases
        .iter()
        .find_map(|b| match cx.model.resolve_definition(cx.file_index, b)? {
            (f, Some(Stmt::ClassDef(base)), _) => own(base).map(|m| (f, m, true)),
            _ => None,
        })
}

/// A test that switches on exposing error details, the operator's opt-in: `if settings.DEBUG:`,
/// `if conf.get("api", "expose_stacktrace") == "True":`; `Some(negated)` for `if not ...:`.
fn exposure_switch(test: &Expr) -> Option<bool> {
    let (negated, test) = crate::helpers::without_not(test);
    let opt_in = |text: &str| {
        any_identifier_word(text, |w| {
            matches!(w, "debug" | "expose" | "stacktrace" | "traceback")
        })
    };
    test.any(&mut |e| match &e.kind {
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => opt_in(n),
        ExprKind::Str(n) => opt_in(n),
        _ => false,
    })
    .then_some(negated)
}

/// `isinstance(exc, (A, B))` on a caught exception: its name and the classes tested.
/// Also one operand of an `and` (`isinstance(e, AuthError) and from_provider(e)`): the branch
/// runs only for that class. The same test spelled on the exception's class narrows alike:
/// `issubclass(e.__class__, A)`, `issubclass(type(e), A)`, `type(e) is A`, `e.__class__ == A`,
/// `type(e) in (A, B)`.
///
/// An `or` of such tests of one caught exception (`isinstance(e, ShopError) or
/// isinstance(e.args[0], ShopError)`) selects the union of their classes, like a tuple; an
/// operand may test the exception's first argument (an exception wrapping the project's
/// error, whose text is that error's) when another tests the exception itself.
fn isinstance_test<'e>(analysis: &Analysis, test: &'e Expr) -> Option<(String, Vec<&'e Expr>)> {
    match &test.kind {
        ExprKind::BoolOp {
            op: BoolOp::And,
            values,
        } => return values.iter().find_map(|v| isinstance_test(analysis, v)),
        ExprKind::BoolOp {
            op: BoolOp::Or,
            values,
        } => {
            let mut name: Option<String> = None;
            let mut classes = Vec::new();
            let mut direct = false;
            for v in values {
                let (n, mut c) = match isinstance_test(analysis, v) {
                    Some(found) => {
                        direct = true;
                        found
                    }
                    None => wrapped_isinstance_test(analysis, v)?,
                };
                if name.as_ref().is_some_and(|m| *m != n) {
                    return None;
                }
                name = Some(n);
                classes.append(&mut c);
            }
            return name.filter(|_| direct).map(|n| (n, classes));
        }
        _ => {}
    }
    if let ExprKind::Compare {
        left,
        ops,
        comparators,
    } = &test.kind
    {
        let ([CmpOp::Is | CmpOp::Eq | CmpOp::In], [classes]) =
            (ops.as_slice(), comparators.as_slice())
        else {
            return None;
        };
        return class_of_caught(analysis, left).map(|name| (name, vec![classes]));
    }
    let call = test.as_call()?;
    let [subject, classes] = call.args.as_slice() else {
        return None;
    };
    let name = match analysis.cx.resolve(&call.func).as_deref() {
        Some("builtins.isinstance") => subject.as_name()?.to_string(),
        // The name binder does not map `issubclass`: the builtin unless the module binds it.
        None if call.func.as_name() == Some("issubclass")
            && analysis.cx.file.top_level("issubclass").is_none() =>
        {
            class_of_caught(analysis, subject)?
        }
        _ => return None,
    };
    analysis
        .tainted
        .contains_key(&name)
        .then(|| (name, vec![classes]))
}

/// `isinstance(e.args[0], A)` on a caught exception `e`: its name and the class tested.
fn wrapped_isinstance_test<'e>(
    analysis: &Analysis,
    test: &'e Expr,
) -> Option<(String, Vec<&'e Expr>)> {
    let call = test.as_call()?;
    let [subject, classes] = call.args.as_slice() else {
        return None;
    };
    let ExprKind::Subscript { value, .. } = &subject.kind else {
        return None;
    };
    let ExprKind::Attribute { value, attr } = &value.kind else {
        return None;
    };
    if attr != "args" || analysis.cx.resolve(&call.func).as_deref() != Some("builtins.isinstance") {
        return None;
    }
    let name = value.as_name()?;
    analysis
        .tainted
        .contains_key(name)
        .then(|| (name.to_string(), vec![classes]))
}

/// The key of [`Analysis::causes`] for the exception `attr` of caught exception `name`: the
/// cause (`__cause__`, `__context__`) by the name, the one a Flask 500 handler's werkzeug
/// error wraps (`original_exception`) apart.
fn cause_key(name: &str, attr: &str) -> String {
    if attr == "original_exception" {
        format!("{name}.{attr}")
    } else {
        name.to_string()
    }
}

/// `isinstance(e.__cause__, A)` (or `__context__`, also one operand of an `and`) on a caught
/// exception `e`: its key in [`Analysis::causes`] and the classes tested. Also
/// `isinstance(e.original_exception, A)` in a Flask 500 handler: the branch runs for the
/// unhandled exception of that class (`return handle_403(e.original_exception)` hands it to
/// the 403 handler, judged by that class).
fn cause_test<'e>(analysis: &Analysis, test: &'e Expr) -> Option<(String, &'e Expr)> {
    if let ExprKind::BoolOp {
        op: BoolOp::And,
        values,
    } = &test.kind
    {
        return values.iter().find_map(|v| cause_test(analysis, v));
    }
    let call = test.as_call()?;
    let [subject, classes] = call.args.as_slice() else {
        return None;
    };
    let ExprKind::Attribute { value, attr } = &subject.kind else {
        return None;
    };
    if !matches!(
        attr.as_str(),
        "__cause__" | "__context__" | "original_exception"
    ) || analysis.cx.resolve(&call.func).as_deref() != Some("builtins.isinstance")
    {
        return None;
    }
    let name = value.as_name()?;
    analysis
        .tainted
        .contains_key(name)
        .then(|| (cause_key(name, attr), classes))
}

/// `type(e)` or `e.__class__` of a caught exception `e`: its name.
fn class_of_caught(analysis: &Analysis, expr: &Expr) -> Option<String> {
    let subject = match &expr.kind {
        ExprKind::Attribute { value, attr } if attr == "__class__" => value,
        ExprKind::Call(call)
            if analysis.cx.resolve(&call.func).as_deref() == Some("builtins.type") =>
        {
            match call.args.as_slice() {
                [one] if call.keywords.is_empty() => one,
                _ => return None,
            }
        }
        _ => return None,
    };
    let name = subject.as_name()?;
    analysis
        .tainted
        .contains_key(name)
        .then(|| name.to_string())
}

/// A comparison with an HTTP status (`status_code < 500`, `code >= 400`): the code chose what
/// to answer for which status.
fn compares_status(test: &Expr) -> bool {
    let ExprKind::Compare {
        left, comparators, ..
    } = &test.kind
    else {
        return false;
    };
    std::iter::once(&**left)
        .chain(comparators.iter())
        .any(|e| matches!(e.kind, ExprKind::Int(Some(n)) if (100..600).contains(&n)))
}

/// The branch of an `if` that runs without the opt-in, when the test is one.
fn unexposed_branch<'s>(test: &Expr, body: &'s [Stmt], orelse: &'s [Stmt]) -> Option<&'s [Stmt]> {
    exposure_switch(test).map(|negated| if negated { body } else { orelse })
}

/// `str(e).lower().strip()` → `str(e)`.
fn strip_case_methods(expr: &Expr) -> &Expr {
    match &expr.kind {
        ExprKind::Call(call)
            if call.args.is_empty()
                && matches!(
                    call.func.last_name(),
                    Some("lower" | "upper" | "casefold" | "strip")
                ) =>
        {
            match &call.func.kind {
                ExprKind::Attribute { value, .. } => strip_case_methods(value),
                _ => expr,
            }
        }
        _ => expr,
    }
}

/// The code of a status constant's name: `HTTP_422_UNPROCESSABLE_ENTITY`, `BAD_REQUEST`.
fn status_name(name: &str) -> Option<i64> {
    if let Some(rest) = name.strip_prefix("HTTP_") {
        return rest.get(..3).and_then(|d| d.parse().ok());
    }
    Some(match name {
        "BAD_REQUEST" => 400,
        "UNAUTHORIZED" => 401,
        "PAYMENT_REQUIRED" => 402,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "METHOD_NOT_ALLOWED" => 405,
        "NOT_ACCEPTABLE" => 406,
        "REQUEST_TIMEOUT" => 408,
        "CONFLICT" => 409,
        "GONE" => 410,
        "LENGTH_REQUIRED" => 411,
        "PRECONDITION_FAILED" => 412,
        "REQUEST_ENTITY_TOO_LARGE" | "CONTENT_TOO_LARGE" => 413,
        "UNSUPPORTED_MEDIA_TYPE" => 415,
        "UNPROCESSABLE_ENTITY" | "UNPROCESSABLE_CONTENT" => 422,
        "LOCKED" => 423,
        "FAILED_DEPENDENCY" => 424,
        "PRECONDITION_REQUIRED" => 428,
        "TOO_MANY_REQUESTS" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "NOT_IMPLEMENTED" => 501,
        "BAD_GATEWAY" => 502,
        "SERVICE_UNAVAILABLE" => 503,
        "GATEWAY_TIMEOUT" => 504,
        _ => return None,
    })
}

/// Functions that read, decode or validate a value and raise on bad input.
const PARSE_FUNCTIONS: &[&str] = &[
    "json.loads",
    "orjson.loads",
    "ujson.loads",
    "simplejson.loads",
    "yaml.safe_load",
    "yaml.load",
    "tomllib.loads",
    "tomli.loads",
    "ast.literal_eval",
    "base64.b64decode",
    "base64.urlsafe_b64decode",
    "base64.standard_b64decode",
    "base64.b32decode",
    "base64.b16decode",
    "base64.decodebytes",
    "binascii.unhexlify",
    "binascii.a2b_base64",
    "zlib.decompress",
    "gzip.decompress",
    "uuid.UUID",
    "datetime.datetime.fromisoformat",
    "datetime.datetime.strptime",
    "datetime.date.fromisoformat",
    "datetime.time.fromisoformat",
    "datetime.datetime.fromtimestamp",
    "dateutil.parser.parse",
    "dateutil.parser.isoparse",
    "decimal.Decimal",
    "fractions.Fraction",
    "ipaddress.ip_address",
    "ipaddress.ip_network",
    "ipaddress.ip_interface",
    "urllib.parse.urlparse",
    "urllib.parse.urlsplit",
    "urllib.parse.parse_qs",
    "urllib.parse.parse_qsl",
    "urllib.parse.unquote",
    "httpx.URL",
    "yarl.URL",
    "re.compile",
    "re.match",
    "re.fullmatch",
    "re.search",
    "shlex.split",
    "packaging.version.Version",
    "pydantic.TypeAdapter",
    "pydantic.HttpUrl",
    "pydantic.AnyHttpUrl",
    "pydantic.AnyUrl",
    "pydantic.parse_obj_as",
    "jsonschema.validate",
    "email_validator.validate_email",
    "bson.ObjectId",
    "bson.objectid.ObjectId",
];

/// `loads` of a JSON module a compatibility package re-exports (`from dagster_shared.seven
/// import json`): `<package>.json.loads`.
fn is_reexported_json_loads(qualified: &str) -> bool {
    qualified
        .strip_suffix(".loads")
        .and_then(|module| module.rsplit_once('.'))
        .is_some_and(|(_, last)| matches!(last, "json" | "simplejson" | "ujson" | "orjson"))
}

/// Validation entry points of model classes and type adapters.
const VALIDATE_METHODS: &[&str] = &[
    "model_validate",
    "model_validate_json",
    "model_validate_strings",
    "parse_obj",
    "parse_raw",
    "validate_python",
    "validate_json",
    "validate_strings",
];

/// Flask-RESTful's request-argument parsers and their forks.
const REQUEST_PARSERS: &[&str] = &[
    "flask_restful.reqparse.RequestParser",
    "flask_restx.reqparse.RequestParser",
    "flask_restplus.reqparse.RequestParser",
];

/// Request reads: the client's own body.
const REQUEST_READS: &[&str] = &["json", "body", "form", "get_json", "get_data"];

/// Builtins without side effects.
const PURE_BUILTINS: &[&str] = &[
    "int",
    "float",
    "str",
    "bool",
    "bytes",
    "bytearray",
    "dict",
    "list",
    "tuple",
    "set",
    "frozenset",
    "len",
    "isinstance",
    "issubclass",
    "enumerate",
    "zip",
    "range",
    "sorted",
    "reversed",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "abs",
    "round",
    "repr",
    "hasattr",
    "getattr",
    "type",
    "iter",
    "next",
    "map",
    "filter",
    "ord",
    "chr",
];

/// Methods of strings, bytes, lists, dicts and regex matches that only compute.
const PURE_METHODS: &[&str] = &[
    "decode",
    "decompress",
    "encode",
    "strip",
    "lstrip",
    "rstrip",
    "lower",
    "upper",
    "casefold",
    "title",
    "capitalize",
    "split",
    "rsplit",
    "splitlines",
    "partition",
    "rpartition",
    "join",
    "replace",
    "startswith",
    "endswith",
    "format",
    "isdigit",
    "isnumeric",
    "isdecimal",
    "isalpha",
    "isalnum",
    "isidentifier",
    "isspace",
    "find",
    "rfind",
    "removeprefix",
    "removesuffix",
    "zfill",
    "items",
    "keys",
    "values",
    "copy",
    "append",
    "extend",
    "match",
    "fullmatch",
    "search",
    "group",
    "groups",
    "groupdict",
    "errors",
    "model_dump",
    "model_dump_json",
];

/// Prefixes of project functions whose purpose is checking or decoding a value, and the
/// alternate constructors that build an object from data (`SpanQuery.from_dict(body)`).
/// Builtins that convert a value to a type and raise on values of the wrong shape: parsing
/// steps when applied to what the client sent.
fn is_converting_builtin(name: &str) -> bool {
    matches!(
        name,
        "int" | "float" | "complex" | "list" | "tuple" | "dict" | "set"
    )
}

/// A project function named for cleaning text for clients (`redact_string`,
/// `sanitize_database_error`, `_scrub_credentials`): the project's declared boundary, trusted
/// like its validators.
fn names_a_scrubber(name: &str) -> bool {
    any_identifier_word(name, |w| {
        matches!(
            w,
            "redact"
                | "redacted"
                | "scrub"
                | "scrubbed"
                | "sanitize"
                | "sanitized"
                | "sanitise"
                | "sanitised"
                | "censor"
                | "mask"
                | "masked"
        )
    })
}

fn names_a_validator(name: &str) -> bool {
    let n = name.trim_start_matches('_');
    [
        "validate",
        "parse",
        "decode",
        "deserialize",
        "from_dict",
        "from_json",
    ]
    .iter()
    .any(|p| n.starts_with(p))
}

/// Whether a `try` block does nothing but read and validate input: each statement only
/// computes, and at least one call parses or validates. Project helpers are followed.
struct InputOnly<'m> {
    model: &'m ProjectModel,
    /// The functions enclosing the `try` (the handler last): what its names are bound to.
    scope: &'m [&'m Function],
}

impl InputOnly<'_> {
    /// `Some(steps)` when `body` only computes; `steps` counts the parsing calls.
    fn body(&self, file: usize, params: &[Param], body: &[Stmt], depth: u32) -> Option<usize> {
        let mut steps = 0;
        for stmt in body {
            steps += match stmt {
                Stmt::Assign { targets, value, .. } => {
                    let mut n = 0;
                    for t in targets {
                        n += self.expr(file, params, t, depth)?;
                    }
                    n + value
                        .as_ref()
                        .map_or(Some(0), |v| self.expr(file, params, v, depth))?
                }
                Stmt::AugAssign { value, .. } => self.expr(file, params, value, depth)?,
                Stmt::Expr { value, .. } => self.expr(file, params, value, depth)?,
                Stmt::Return { value, .. } => value
                    .as_ref()
                    .map_or(Some(0), |v| self.expr(file, params, v, depth))?,
                Stmt::If {
                    test, body, orelse, ..
                }
                | Stmt::While {
                    test, body, orelse, ..
                } => {
                    self.expr(file, params, test, depth)?
                        + self.body(file, params, body, depth)?
                        + self.body(file, params, orelse, depth)?
                }
                Stmt::For {
                    iter, body, orelse, ..
                } => {
                    self.expr(file, params, iter, depth)?
                        + self.body(file, params, body, depth)?
                        + self.body(file, params, orelse, depth)?
                }
                // An inner `try` that turns every exception into an HTTP exception (or an
                // answer) sends nothing else on: what its statements raise reaches an outer
                // clause only as the framework's HTTP exception, judged at the inner clause.
                Stmt::Try {
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } if self.converts_every_exception(file, params, handlers, depth) => {
                    self.body(file, params, orelse, depth)?
                        + self.body(file, params, finalbody, depth)?
                }
                // An inner `try` whose every part only reads and validates, its clauses
                // raising the developer's own error, returning or logging (`except
                // ValueError: raise InvalidUrl(url=url)`, lnbits' `int(user_id, 16)` turned into
                // `ValueError("Invalid hex string for User ID.")`): what leaves it comes from
                // input-only steps or is the project's message.
                Stmt::Try {
                    body: inner,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => {
                    let mut n = self.body(file, params, inner, depth)?;
                    for h in handlers {
                        if !self.only_computes_or_logs(file, params, &h.body, depth) {
                            return None;
                        }
                    }
                    n += self.body(file, params, orelse, depth)?;
                    n + self.body(file, params, finalbody, depth)?
                }
                // The developer's own message; a lazy import of the validator.
                Stmt::Raise { .. }
                | Stmt::Other { .. }
                | Stmt::Import { .. }
                | Stmt::ImportFrom { .. } => 0,
                _ => return None,
            };
        }
        Some(steps)
    }

    fn expr(&self, file: usize, params: &[Param], expr: &Expr, depth: u32) -> Option<usize> {
        let mut steps = 0;
        let impure = expr.any(&mut |x| {
            let ExprKind::Call(call) = &x.kind else {
                return matches!(x.kind, ExprKind::Lambda(_) | ExprKind::Yield(_));
            };
            match self.call(file, params, call, depth) {
                Some(n) => {
                    steps += n;
                    false
                }
                None => true,
            }
        });
        (!impure).then_some(steps)
    }

    /// `Some(1)` for a parsing step, `Some(0)` for a pure computation, `None` otherwise.
    fn call(&self, file: usize, params: &[Param], call: &Call, depth: u32) -> Option<usize> {
        let imports = &self.model.files[file].imports;
        // Builtins the name table does not list (`int`, `enumerate`, `ValueError`), unless the
        // module binds the name itself.
        if let Some(n) = call.func.as_name()
            && imports.get(n).is_none()
            && self.model.files[file].top_level(n).is_none()
            && !params.iter().any(|p| p.name == n)
            && (PURE_BUILTINS.contains(&n) || n.ends_with("Error") || n == "Exception")
        {
            // `int(value)`, `float(value)`, `list(body["messages"])` parse.
            return Some(usize::from(is_converting_builtin(n)));
        }
        if let Some(q) = imports.resolve(&call.func) {
            if PARSE_FUNCTIONS.contains(&q.as_str()) || is_reexported_json_loads(&q) {
                return Some(1);
            }
            // `cast(Iterable[Message], body["messages"])` only tells the type checker; a URL
            // put back together from its parsed parts.
            if matches!(
                q.as_str(),
                "typing.cast"
                    | "typing_extensions.cast"
                    | "urllib.parse.urlunsplit"
                    | "urllib.parse.urlunparse"
            ) {
                return Some(0);
            }
            if let Some(b) = q.strip_prefix("builtins.") {
                return (PURE_BUILTINS.contains(&b) || b.ends_with("Error") || b == "Exception")
                    .then_some(usize::from(is_converting_builtin(b)));
            }
            if matches!(
                q.as_str(),
                "flask.request.get_json" | "quart.request.get_json"
            ) {
                return Some(1);
            }
            // `return jsonify({"error": "JSON body required"}), 400` before the parsing ends;
            // a redirect built from the parsed value.
            if matches!(
                q.as_str(),
                "flask.jsonify"
                    | "flask.make_response"
                    | "flask.redirect"
                    | "fastapi.responses.JSONResponse"
                    | "starlette.responses.JSONResponse"
                    | "fastapi.responses.RedirectResponse"
                    | "starlette.responses.RedirectResponse"
            ) {
                return Some(0);
            }
            if let ExprKind::Attribute { attr, .. } = &call.func.kind
                && VALIDATE_METHODS.contains(&attr.as_str())
            {
                return Some(1);
            }
        }
        match &call.func.kind {
            ExprKind::Attribute { value, attr } => {
                let attr = attr.as_str();
                if VALIDATE_METHODS.contains(&attr) {
                    return Some(1);
                }
                if REQUEST_READS.contains(&attr) && is_request(imports, params, value) {
                    return Some(1);
                }
                // `self.reqparse.parse_args()` on a Flask-RESTful / Flask-RESTX
                // `RequestParser` (kept on the resource or at module level): it reads only the
                // request's arguments. The scope is the handler's, so only its own calls.
                if attr == "parse_args"
                    && depth == 0
                    && self
                        .model
                        .instance_class(file, self.scope, value)
                        .is_some_and(|q| REQUEST_PARSERS.contains(&q.as_str()))
                {
                    return Some(1);
                }
                // An alternate constructor building an object from data: `Query.from_dict(d)`.
                if matches!(attr, "from_dict" | "from_json")
                    && value
                        .last_name()
                        .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
                {
                    return Some(1);
                }
                if imports.resolve(&call.func).is_none() {
                    if PURE_METHODS.contains(&attr) {
                        return Some(0);
                    }
                    // `data.get("key")`, not `client.get("/path")`.
                    if attr == "get"
                        && call
                            .args
                            .first()
                            .and_then(Expr::as_str)
                            .is_some_and(|k| !k.contains('/') && !k.contains(':'))
                    {
                        return Some(0);
                    }
                    // `self._validate_payload(...)`
                    if matches!(value.kind, ExprKind::Name(ref n) if n == "self" || n == "cls")
                        && names_a_validator(attr)
                    {
                        return Some(1);
                    }
                    // `policy.target_factory.validate_config(body["target"])`: a library
                    // object's check of what it is given.
                    if attr.trim_start_matches('_').starts_with("validate") {
                        return Some(1);
                    }
                }
            }
            // `model_class(**body)` with `model_class: type[BaseModel]`.
            ExprKind::Name(n) if params.iter().any(|p| p.name == n) => {
                let p = params.iter().find(|p| p.name == n)?;
                let ann = p.annotation.as_deref()?;
                if let ExprKind::Subscript { value, slice } = &ann.kind
                    && matches!(value.last_name(), Some("type" | "Type"))
                    && self.is_data_model(file, slice)
                {
                    return Some(1);
                }
                return None;
            }
            _ => {}
        }
        let (f, function) = match self.model.resolve_definition(file, &call.func) {
            Some((f, Some(Stmt::ClassDef(class)), _)) => {
                if matches!(
                    model_kind(self.model, f, class),
                    Some(ModelKind::Pydantic | ModelKind::Dataclass)
                ) {
                    return Some(1);
                }
                // A project exception built for a `raise`.
                return self
                    .model
                    .class_name(f, &call.func)
                    .is_some_and(|q| q.ends_with("Error") || q.ends_with("Exception"))
                    .then_some(0);
            }
            Some((f, Some(Stmt::FunctionDef(function)), _)) => (f, function.as_ref()),
            // A method called on its project class, which no name binds: an alternate
            // constructor or a static check (`User.parse(request.json)`, alerta), judged like a
            // function. Not a method of a module-level instance: a service object's methods do
            // the work (`TILES.remove(key)`).
            _ => {
                let ExprKind::Attribute { value, .. } = &call.func.kind else {
                    return None;
                };
                if !matches!(
                    self.model.project_definition(file, value),
                    Some((_, Stmt::ClassDef(_)))
                ) {
                    return None;
                }
                let (f, function, _) =
                    crate::untrusted::resolve_callee(self.model, file, &call.func)?;
                (f, function)
            }
        };
        if names_a_validator(&function.name) {
            return Some(1);
        }
        // Three calls deep: a validator built of helpers (skyvern's
        // `prepend_scheme_and_validate_url` → `_prepend_scheme` → `collapse_duplicate_www_prefix`).
        if depth >= 3 {
            return None;
        }
        // A helper that itself only reads and validates: a step if it parses or raises its own
        // errors (`if m.role == "admin" and not premium: raise ValueError(...)`), not one that
        // only computes.
        let Some(steps) = self.body(f, &function.params, &function.body, depth + 1) else {
            return extracts_request_input(self.model, f, function).then_some(1);
        };
        let mut raises = false;
        walk_stmts(&function.body, &mut |s| {
            raises |= matches!(s, Stmt::Raise { .. })
        });
        Some(usize::from(steps > 0 || raises))
    }

    /// Whether the clauses of a `try` catch every exception (a bare `except`, `Exception`,
    /// `BaseException`) and each ends by raising an HTTP exception (`raise HTTPException(...)`,
    /// `abort(...)`) or by returning, after steps that only compute or log.
    fn converts_every_exception(
        &self,
        file: usize,
        params: &[Param],
        handlers: &[routewarden_python::ast::ExceptHandler],
        depth: u32,
    ) -> bool {
        let module = &self.model.files[file];
        let imports = &module.imports;
        let catch_all = |t: &Expr| {
            t.elements_or_self()
                .iter()
                .any(|item| match imports.resolve(item) {
                    Some(q) => {
                        matches!(q.as_str(), "builtins.Exception" | "builtins.BaseException")
                    }
                    None => item.as_name().is_some_and(|n| {
                        matches!(n, "Exception" | "BaseException") && module.top_level(n).is_none()
                    }),
                })
        };
        if !handlers
            .iter()
            .any(|h| h.type_.as_ref().is_none_or(catch_all))
        {
            return false;
        }
        let is_http = |func: &Expr| {
            let q = imports.resolve(func);
            if q.as_deref().is_some_and(|q| {
                matches!(
                    q,
                    "flask.abort" | "quart.abort" | "werkzeug.exceptions.abort"
                )
            }) {
                return true;
            }
            [q, self.model.class_name(file, func)]
                .into_iter()
                .flatten()
                .any(|q| {
                    HTTP_EXCEPTIONS.contains(&q.as_str()) || q.starts_with("werkzeug.exceptions.")
                })
        };
        handlers.iter().all(|h| {
            let Some((last, steps)) = h.body.split_last() else {
                return false;
            };
            let leaves = match last {
                Stmt::Return { .. } => true,
                Stmt::Raise { exc: Some(exc), .. } => {
                    exc.as_call().is_some_and(|c| is_http(&c.func))
                }
                Stmt::Expr { value, .. } => value.as_call().is_some_and(|c| {
                    imports.resolve(&c.func).is_some_and(|q| {
                        matches!(
                            q.as_str(),
                            "flask.abort" | "quart.abort" | "werkzeug.exceptions.abort"
                        )
                    })
                }),
                _ => false,
            };
            leaves && self.only_computes_or_logs(file, params, steps, depth)
        })
    }

    /// Whether each statement of an `except` clause only logs or computes.
    fn only_computes_or_logs(
        &self,
        file: usize,
        params: &[Param],
        stmts: &[Stmt],
        depth: u32,
    ) -> bool {
        let module = &self.model.files[file];
        stmts.iter().all(|s| match s {
            Stmt::Expr { value, .. } => {
                value
                    .as_call()
                    .is_some_and(|c| crate::helpers::is_logging_call(module, c))
                    || self.expr(file, params, value, depth).is_some()
            }
            other => self
                .body(file, params, std::slice::from_ref(other), depth)
                .is_some(),
        })
    }

    fn is_data_model(&self, file: usize, expr: &Expr) -> bool {
        match self.model.resolve_definition(file, expr) {
            Some((f, Some(Stmt::ClassDef(class)), _)) => matches!(
                model_kind(self.model, f, class),
                Some(ModelKind::Pydantic | ModelKind::Dataclass)
            ),
            Some((_, None, Some(q))) => q.starts_with("pydantic.") && q.ends_with("BaseModel"),
            _ => false,
        }
    }
}

/// Whether a project helper takes a value out of the request and refuses what it cannot use
/// with its own messages: it reads the request, raises only narrow exceptions it makes itself
/// (`raise ValueError(f"'{key}' not found in form data")`), at least one, and catches nothing.
/// What its caller catches from it describes the client's request.
fn extracts_request_input(model: &ProjectModel, file: usize, function: &Function) -> bool {
    let imports = &model.files[file].imports;
    let mut reads_request = false;
    walk_exprs(&function.body, &mut |e| {
        reads_request = reads_request
            || e.any(&mut |x| {
                matches!(x.kind, ExprKind::Name(_)) && is_request(imports, &function.params, x)
            });
    });
    if !reads_request {
        return false;
    }
    let mut raises = 0;
    let mut other = false;
    walk_stmts(&function.body, &mut |s| match s {
        Stmt::Try { .. } => other = true,
        Stmt::Raise { exc, .. } => {
            let narrow = exc.as_ref().and_then(Expr::as_call).is_some_and(|call| {
                let class = match imports.resolve(&call.func) {
                    Some(q) => q.strip_prefix("builtins.").map(str::to_string),
                    None => call
                        .func
                        .as_name()
                        .filter(|n| model.files[file].top_level(n).is_none())
                        .map(str::to_string),
                };
                class.is_some_and(|c| NARROW.contains(&c.as_str()))
                    && call.keywords.is_empty()
                    && call
                        .args
                        .iter()
                        .all(|a| matches!(a.kind, ExprKind::Str(_) | ExprKind::FString(_)))
            });
            if narrow {
                raises += 1;
            } else {
                other = true;
            }
        }
        _ => {}
    });
    raises > 0 && !other
}

/// The incoming request: Flask's `request`, or a `request`/`Request`-typed parameter.
fn is_request(imports: &routewarden_python::names::Imports, params: &[Param], expr: &Expr) -> bool {
    if let Some(q) = imports.resolve(expr) {
        return matches!(q.as_str(), "flask.request" | "quart.request");
    }
    let Some(name) = expr.as_name() else {
        return false;
    };
    name == "request"
        || params.iter().any(|p| {
            p.name == name
                && p.annotation
                    .as_deref()
                    .and_then(|a| a.last_name())
                    .is_some_and(|n| n == "Request")
        })
}

/// What an `except` clause or error-handler registration catches.
#[derive(Clone, Copy, Default)]
struct Caught {
    narrow: bool,
    /// Only the framework's HTTP exceptions.
    http: bool,
    /// Some of it is an HTTP framework exception (an `except` clause then drops the name).
    any_http: bool,
    upstream: bool,
    /// Every type named is more specific than the broad built-ins.
    specific: bool,
    /// Every type named is [`Taint::named`].
    named: bool,
    /// Some type named is [`Taint::backend`].
    backend: bool,
    /// The one type named, a project class: [`Taint::literal`].
    literal: Option<(usize, u32)>,
}

impl Caught {
    /// What catching either `self` or `other` catches: narrow, HTTP-only and the like only when
    /// both are.
    fn union(self, other: Caught) -> Caught {
        Caught {
            narrow: self.narrow && other.narrow,
            http: self.http && other.http,
            any_http: self.any_http || other.any_http,
            upstream: self.upstream && other.upstream,
            specific: self.specific && other.specific,
            named: self.named && other.named,
            backend: self.backend || other.backend,
            literal: if self.literal == other.literal {
                self.literal
            } else {
                None
            },
        }
    }
}

/// Built-in exception types too broad to say what went wrong.
const BROAD: &[&str] = &[
    "Exception",
    "BaseException",
    "RuntimeError",
    "OSError",
    "IOError",
    "EnvironmentError",
];

/// A library's "no such <thing>" for a value it was asked to look up: babel's
/// `UnknownLocaleError` ("unknown locale 'xx'"), pytz's `UnknownTimeZoneError`. Answered with a
/// 4xx, the value is the client's and the text repeats it. The name must say what was looked
/// up: a bare `UnknownError` says nothing, and errors named for a failure rather than a lookup
/// (`SQLAlchemyError`, `OperationalError`, `DataError`, whose text carries SQL) do not match.
fn names_unknown_value(class: &str) -> bool {
    class
        .strip_prefix("Unknown")
        .and_then(|rest| {
            rest.strip_suffix("Error")
                .or_else(|| rest.strip_suffix("Exception"))
        })
        .is_some_and(|thing| thing.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// The status of a werkzeug HTTP exception class (`werkzeug.exceptions.ServiceUnavailable`).
fn werkzeug_exception_status(qualified: &str) -> Option<i64> {
    let class = qualified.strip_prefix("werkzeug.exceptions.")?;
    Some(match class {
        "BadRequest" => 400,
        "Unauthorized" => 401,
        "Forbidden" => 403,
        "NotFound" => 404,
        "MethodNotAllowed" => 405,
        "NotAcceptable" => 406,
        "RequestTimeout" => 408,
        "Conflict" => 409,
        "Gone" => 410,
        "PreconditionFailed" => 412,
        "RequestEntityTooLarge" => 413,
        "UnsupportedMediaType" => 415,
        "UnprocessableEntity" => 422,
        "Locked" => 423,
        "FailedDependency" => 424,
        "TooManyRequests" => 429,
        "InternalServerError" => 500,
        "NotImplemented" => 501,
        "BadGateway" => 502,
        "ServiceUnavailable" => 503,
        "GatewayTimeout" => 504,
        _ => return None,
    })
}

/// What a Flask error handler registered for a status code (`@app.errorhandler(500)`,
/// `register_error_handler(503, h)`) is given: always werkzeug's `HTTPException` for that
/// status, for a 500 the `InternalServerError` wrapping an unhandled exception, whose text is
/// fixed (the exception itself is in its `original_exception`). Starlette's
/// `exception_handler(500)` is handed the unhandled exception itself.
fn flask_status_handler(registration: &str, status: &Expr) -> Option<Caught> {
    let flask = matches!(
        registration,
        "errorhandler" | "app_errorhandler" | "register_error_handler"
    );
    (flask && matches!(status.kind, ExprKind::Int(Some(_)))).then_some(Caught {
        narrow: true,
        http: true,
        any_http: true,
        upstream: false,
        specific: true,
        named: true,
        backend: false,
        literal: None,
    })
}

/// Libraries whose exceptions are known to carry server data in their text: database drivers
/// and ORMs (the SQL statement, its parameters, table and column names), HTTP and network
/// clients (the URL or host the server called), `subprocess` (the command line).
const DETAIL_CARRYING_LIBRARIES: &[&str] = &[
    "sqlalchemy",
    "psycopg2",
    "psycopg",
    "asyncpg",
    "pymysql",
    "MySQLdb",
    "mysql",
    "sqlite3",
    "aiosqlite",
    "aiomysql",
    "pymongo",
    "motor",
    "redis",
    "peewee",
    "tortoise",
    "django.db",
    "cx_Oracle",
    "oracledb",
    "pyodbc",
    "elasticsearch",
    "opensearchpy",
    "pymssql",
    "cassandra",
    "neo4j",
    "clickhouse_driver",
    "clickhouse_connect",
    "snowflake.connector",
    "requests",
    "httpx",
    "aiohttp",
    "urllib3",
    "urllib",
    "http",
    "socket",
    "ssl",
    "subprocess",
    "smtplib",
    "paramiko",
];

/// Whether exception class `item` (written in `file`, resolved to `qualified` when imported)
/// is [`Taint::named`]: not a broad built-in, not a project name bound to one
/// (`AnyError = Exception`), not from a library known to put server data in its text.
fn named_class(
    cx: &FileContext,
    file: usize,
    item: &Expr,
    qualified: Option<&str>,
    last: &str,
) -> bool {
    if last.is_empty() {
        return false;
    }
    // A catch-all by its name (`UnknownError`, `InternalError`, `Error`) says nothing of what
    // went wrong.
    let stem = last
        .strip_suffix("Error")
        .or_else(|| last.strip_suffix("Exception"))
        .unwrap_or(last);
    if matches!(
        stem,
        "" | "Unknown"
            | "Generic"
            | "General"
            | "Base"
            | "Internal"
            | "Unexpected"
            | "Fatal"
            | "Server"
            | "Other"
            | "Any"
    ) {
        return false;
    }
    match qualified {
        // A built-in, or a name the analysis cannot resolve.
        None => !BROAD.contains(&last),
        Some(q) if q.starts_with("builtins.") => !BROAD.contains(&last),
        Some(q) => {
            // A project binding that is not a class: an alias of another class, or a class a
            // factory makes (`NotFound = error_factory(404, ...)`).
            if let Some((_, stmt)) = cx.model.project_definition(file, item)
                && !matches!(stmt, Stmt::ClassDef(_))
            {
                let origin = cx.model.resolve_value(file, &[], item);
                return !origin
                    .expr
                    .last_name()
                    .is_some_and(|n| BROAD.contains(&n) && origin.expr.as_call().is_none());
            }
            !DETAIL_CARRYING_LIBRARIES.iter().any(|lib| {
                q.strip_prefix(lib)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
        }
    }
}

/// Whether a library exception class (`qualified`) belongs to a data-store layer: a module or
/// class named for a database or data store (`assemblyline.datastore.exceptions.SearchException`,
/// `somelib.db.QueryFailed`, `DatabaseError`). Its text may be the store's own (an index or
/// query parser's message), so a 4xx answer with it is reported with low confidence rather
/// than left out; the known drivers are in [`DETAIL_CARRYING_LIBRARIES`] and stay reported.
fn library_backend(qualified: Option<&str>) -> bool {
    let Some(q) = qualified.filter(|q| !q.starts_with("builtins.")) else {
        return false;
    };
    q.split('.').any(|segment| {
        any_identifier_word(segment, |w| {
            matches!(w, "datastore" | "database" | "db" | "sql" | "nosql" | "orm")
        })
    })
}

/// A library's exception named for a refused request (`BadRequest`, `RequestBadRequest`,
/// `Conflict`, `UnprocessableEntity`, with or without `Error`): raised for what the client
/// sent, with a message written for it, like werkzeug's own `BadRequest`.
fn names_client_error(class: &str) -> bool {
    let stem = class
        .strip_suffix("Error")
        .or_else(|| class.strip_suffix("Exception"))
        .unwrap_or(class);
    stem.ends_with("BadRequest") || matches!(stem, "Conflict" | "UnprocessableEntity")
}

/// oauthlib's protocol errors: `OAuth2Error` and its subclasses (`oauthlib.oauth2.rfc6749.
/// errors`, re-exported by `oauthlib.oauth2`), OpenID Connect's, and OAuth 1's `OAuth1Error`.
/// Each is an error response the RFC defines, an error code and a description written for the
/// client developer (`(invalid_request) Missing response_type parameter.`, also the client's
/// own `?error=` given to `raise_from_error`), which the library serialises for the client
/// (`error.json`, `error.in_uri(...)`); its text names no server internals (a request it keeps
/// is shown sanitised). Judged as a narrow class, like werkzeug's `BadRequest`: a 4xx or a page
/// with it is the protocol's answer, a generic 500 with its text is still reported.
fn oauth_protocol_error(qualified: &str) -> bool {
    const MODULES: &[&str] = &[
        "oauthlib.oauth2.rfc6749.errors.",
        "oauthlib.oauth1.rfc5849.errors.",
        "oauthlib.openid.connect.core.exceptions.",
    ];
    const PACKAGES: &[&str] = &["oauthlib.oauth2.", "oauthlib.oauth1."];
    MODULES
        .iter()
        .any(|m| qualified.strip_prefix(m).is_some_and(|c| !c.contains('.')))
        // The packages re-export the error classes, and nothing else named `...Error`.
        || PACKAGES.iter().any(|m| {
            qualified
                .strip_prefix(m)
                .is_some_and(|c| !c.contains('.') && c.ends_with("Error"))
        })
}

impl ExceptionDetailsInResponse {
    /// What the exception types of an `except` clause or a handler registration are.
    fn classify(cx: &FileContext, type_: Option<&Expr>) -> Caught {
        Self::classify_in(cx, cx.file_index, type_)
    }

    /// [`Self::classify`] for exception types written in `at`, which may be another module
    /// than the one being checked (a handler registered where it is imported).
    fn classify_in(cx: &FileContext, at: usize, type_: Option<&Expr>) -> Caught {
        let Some(t) = type_ else {
            return Caught::default();
        };
        // `except CLIENT_ERRORS as e:` with `CLIENT_ERRORS = (NotFound, Conflict)`: the classes
        // of the tuple, resolved in the module that lists them.
        let (file, items) = match &t.kind {
            ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                let origin = if at == cx.file_index {
                    cx.resolve_value(t)
                } else {
                    cx.model.resolve_value(at, &[], t)
                };
                match &origin.expr.kind {
                    ExprKind::Tuple(items) if !items.is_empty() => (origin.file, items.as_slice()),
                    _ => (at, t.elements_or_self()),
                }
            }
            _ => (at, t.elements_or_self()),
        };
        let imports = &cx.model.files[file].imports;
        let mut caught = Caught {
            narrow: true,
            http: true,
            any_http: false,
            upstream: true,
            specific: true,
            named: true,
            backend: false,
            literal: None,
        };
        for item in items {
            if let ExprKind::Int(Some(n)) = item.kind {
                // Both frameworks hand a 4xx handler an `HTTPException`.
                let client = (400..500).contains(&n);
                caught.narrow &= client;
                caught.http &= client;
                caught.any_http |= client;
                caught.upstream = false;
                caught.named &= client;
                continue;
            }
            let q = imports.resolve(item);
            let base = cx.model.class_name(file, item);
            let is_http = [q.as_deref(), base.as_deref()]
                .into_iter()
                .flatten()
                .any(|q| HTTP_EXCEPTIONS.contains(&q) || q.starts_with("werkzeug.exceptions."));
            if is_http {
                caught.any_http = true;
                caught.upstream = false;
                continue;
            }
            caught.http = false;
            caught.upstream &= q
                .as_deref()
                .is_some_and(|q| UPSTREAM_STATUS_ERRORS.contains(&q));
            let last = item.last_name().unwrap_or("");
            caught.specific &= !last.is_empty() && !BROAD.contains(&last);
            // Also an exception class the project makes at run time (`globals()[name] =
            // type(name, (AppError,), {})`).
            let definition = cx.model.resolve_definition(file, item);
            let project = match definition {
                Some((_, Some(Stmt::ClassDef(_)), _)) => true,
                Some((_, None, Some(ref q))) => cx.model.created_through_globals(q),
                _ => false,
            };
            // Judged only when a finding would be reported: it reads the modules that can
            // name the class.
            if let (Some((f, Some(Stmt::ClassDef(class)), _)), [_]) = (&definition, items) {
                caught.literal = Some((*f, class.span.start));
            }
            let named_narrow = NARROW.contains(&last)
                || q.as_deref().is_some_and(|q| XML_SYNTAX_ERRORS.contains(&q))
                || last.ends_with("DecodeError")
                || last.ends_with("ValidationError")
                || last.starts_with("Invalid")
                || last.ends_with("NotFound");
            let library = !project && q.as_deref().is_some_and(|q| !q.starts_with("builtins."));
            let library_lookup = library && names_unknown_value(last);
            let library_client_error = library && names_client_error(last);
            let protocol_error = library && q.as_deref().is_some_and(oauth_protocol_error);
            if !(project
                || named_narrow
                || library_lookup
                || library_client_error
                || protocol_error)
            {
                caught.narrow = false;
            }
            caught.named &= project || named_class(cx, file, item, q.as_deref(), last);
            caught.backend |= !project && library_backend(q.as_deref());
        }
        // A framework HTTP exception's fields are what its raiser gave it.
        if caught.any_http {
            caught.literal = None;
        }
        caught
    }

    fn check_body(
        &self,
        analysis: &mut Analysis,
        body: &[Stmt],
        is_handler: bool,
        out: &mut Findings,
    ) {
        for (i, stmt) in body.iter().enumerate() {
            let preceding = &body[..i];
            // Asked by several arms below; it splits every name of the test into words.
            let switch = match stmt {
                Stmt::If { test, .. } => exposure_switch(test),
                _ => None,
            };
            match stmt {
                Stmt::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => {
                    self.check_body(analysis, body, is_handler, out);
                    let mut input_only: Option<bool> = None;
                    // Nothing in the `try` can raise: its handlers never run.
                    let handlers: &[_] = if only_guarded_lookups(analysis.cx, preceding, body) {
                        &[]
                    } else {
                        handlers
                    };
                    let mut carried: Vec<(String, Taint, Span)> = Vec::new();
                    for h in handlers {
                        let caught = Self::classify(analysis.cx, h.type_.as_ref());
                        if let Some(status) = analysis.response_parameter_status(&h.body) {
                            analysis.clause_statuses.push((h.span, status));
                        }
                        let saved = analysis.tainted.clone();
                        if let Some(name) = &h.name {
                            if caught.any_http {
                                analysis.tainted.remove(name);
                            } else {
                                let input_error = *input_only.get_or_insert_with(|| {
                                    InputOnly {
                                        model: analysis.cx.model,
                                        scope: &analysis.scope,
                                    }
                                    .body(analysis.cx.file_index, analysis.params, body, 0)
                                    .is_some_and(|steps| steps > 0)
                                });
                                analysis.tainted.insert(
                                    name.clone(),
                                    Taint {
                                        narrow: caught.narrow,
                                        input_error,
                                        upstream: caught.upstream,
                                        framework_http: false,
                                        specific: caught.specific,
                                        named: caught.named,
                                        backend: caught.backend,
                                        literal: caught.literal,
                                    },
                                );
                            }
                        }
                        analysis.written_models.clear();
                        analysis.learn_assignments(&h.body);
                        let written = std::mem::take(&mut analysis.written_models);
                        self.check_body(analysis, &h.body, is_handler, out);
                        // The locals the clause gave the text keep it after the `try`, unless
                        // the clause ends by giving them another value, or by leaving. A value
                        // given before the text (`result = body` then `result["header"] =
                        // str(err)`) is the one the text was stored into.
                        let leaves_clause = leaves(analysis.cx, &h.body);
                        for (n, t) in &analysis.tainted {
                            if !leaves_clause
                                && h.name.as_deref() != Some(n.as_str())
                                && let Some(span) = analysis.origins.get(n)
                                && h.span.start <= span.start
                                && span.end <= h.span.end
                                && routewarden_model::last_assignment(&h.body, n).is_none_or(|v| {
                                    v.span.start < span.start || analysis.taint(v).is_some()
                                })
                            {
                                carried.push((n.clone(), *t, *span));
                            }
                        }
                        analysis.tainted = saved;
                        // A model the clause wrote the text into is returned after the `try`.
                        analysis.tainted.extend(written);
                    }
                    self.check_body(analysis, orelse, is_handler, out);
                    for (n, t, span) in carried {
                        analysis.tainted.insert(n.clone(), t);
                        analysis.carried.insert(n, span);
                    }
                    self.check_body(analysis, finalbody, is_handler, out);
                }
                Stmt::Return {
                    value: Some(value),
                    span,
                } if is_handler => {
                    if let Some((taint, status)) = analysis.response_taint(value) {
                        let span = analysis.carried_origin(value).unwrap_or(*span);
                        // A body returned with no status of its own is sent with the one the
                        // clause set on the `Response` parameter (`response.status_code = 500`).
                        let status = if status == Status::Unspecified
                            && !value
                                .as_call()
                                .is_some_and(|c| analysis.is_response_builder(c))
                        {
                            analysis.clause_status(span).unwrap_or(status)
                        } else {
                            status
                        };
                        self.report(
                            analysis.cx,
                            taint,
                            status,
                            span,
                            "returned to the client",
                            out,
                        );
                    } else {
                        // `return abort(400, description=str(e))`.
                        self.check_calls(analysis, value, *span, out);
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
                        let status = call
                            .argument("status_code", 0)
                            .map_or(Status::Unknown, |s| analysis.status_of(s));
                        if let Some(taint) =
                            call.argument("detail", 1).and_then(|d| analysis.taint(d))
                        {
                            self.report(
                                analysis.cx,
                                taint,
                                status,
                                *span,
                                "put in the HTTPException detail",
                                out,
                            );
                        }
                    } else if let Some(call) = exc.as_call()
                        && let Some(code) = analysis
                            .cx
                            .resolve(&call.func)
                            .and_then(|q| werkzeug_exception_status(&q))
                            .filter(|code| *code >= 500)
                    {
                        // `raise ServiceUnavailable("lookup failed: %s" % e)`: the description
                        // is the body of the error page Flask sends. A client-error class
                        // (`raise BadRequest(str(e))`) is the message chosen for the client.
                        if let Some(taint) = call
                            .argument("description", 0)
                            .and_then(|d| analysis.taint(d))
                        {
                            self.report(
                                analysis.cx,
                                taint,
                                Status::Code(code),
                                *span,
                                "put in the HTTP exception's description",
                                out,
                            );
                        }
                    } else if let Some(call) = exc.as_call()
                        && let Some(taint) = call.argument_values().find_map(|a| analysis.taint(a))
                        && let Some(status) = analysis.sent_exception_status(call)
                    {
                        // `raise InternalServerErrorException(message=f"failed: {e}")`: a
                        // project exception whose handler sends its fields.
                        self.report(
                            analysis.cx,
                            taint,
                            status,
                            *span,
                            "put in a project exception that is sent to the client",
                            out,
                        );
                    }
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                // A message the code recognised by its text before sending it on: the known,
                // deliberate one.
                Stmt::If {
                    test, body, orelse, ..
                } if switch.is_none() && !analysis.recognised_messages(test).is_empty() => {
                    let saved = analysis.tainted.clone();
                    for name in analysis.recognised_messages(test) {
                        if let Some(t) = analysis.tainted.get_mut(&name) {
                            t.narrow = true;
                        }
                    }
                    self.check_body(analysis, body, is_handler, out);
                    analysis.tainted = saved;
                    self.check_body(analysis, orelse, is_handler, out);
                }
                // `if isinstance(e.__cause__, NotFoundError): raise HTTPException(404,
                // str(e.__cause__))`: in the branch the cause is of the class tested.
                Stmt::If {
                    test, body, orelse, ..
                } if switch.is_none() && cause_test(analysis, test).is_some() => {
                    let Some((name, classes)) = cause_test(analysis, test) else {
                        continue;
                    };
                    let caught = Self::classify(analysis.cx, Some(classes));
                    let saved = analysis.causes.clone();
                    analysis.causes.insert(
                        name,
                        Taint {
                            narrow: caught.narrow,
                            input_error: false,
                            upstream: caught.upstream,
                            framework_http: caught.any_http,
                            specific: caught.specific,
                            named: caught.named,
                            backend: caught.backend,
                            literal: caught.literal,
                        },
                    );
                    self.check_body(analysis, body, is_handler, out);
                    analysis.causes = saved;
                    self.check_body(analysis, orelse, is_handler, out);
                }
                // `if isinstance(exc, SomeValidationError): raise HTTPException(400, str(exc))`:
                // in the branch the exception is of the class tested.
                Stmt::If {
                    test, body, orelse, ..
                } if switch.is_none() && isinstance_test(analysis, test).is_some() => {
                    let Some((name, classes)) = isinstance_test(analysis, test) else {
                        continue;
                    };
                    // The classes of an `or` of tests, judged like a tuple of them.
                    let caught = classes
                        .iter()
                        .map(|c| Self::classify(analysis.cx, Some(c)))
                        .reduce(Caught::union)
                        .unwrap_or_default();
                    let saved = analysis.tainted.clone();
                    // The exception and the locals holding only its text, taken before the
                    // test (`message = str(e)`): in the branch they are of the class tested.
                    let holders: Vec<String> = std::iter::once(name.clone())
                        .chain(
                            analysis
                                .sole_source
                                .iter()
                                .filter(|(_, source)| **source == name)
                                .map(|(local, _)| local.clone()),
                        )
                        .collect();
                    for holder in &holders {
                        if let Some(t) = analysis.tainted.get_mut(holder) {
                            t.narrow = caught.narrow;
                            t.specific = caught.specific;
                            t.named = caught.named;
                            t.backend = caught.backend;
                            t.upstream = caught.upstream;
                            t.literal = caught.literal;
                        }
                        if caught.any_http {
                            analysis.tainted.remove(holder);
                        }
                    }
                    self.check_body(analysis, body, is_handler, out);
                    analysis.tainted = saved;
                    self.check_body(analysis, orelse, is_handler, out);
                }
                // Details sent only when the operator switched debugging or exposure on.
                Stmt::If {
                    test, body, orelse, ..
                } if switch.is_some() => {
                    if let Some(branch) = unexposed_branch(test, body, orelse) {
                        self.check_body(analysis, branch, is_handler, out);
                    }
                    if leaves_unless_opted_in(stmt) {
                        return;
                    }
                }
                other => {
                    // Response builders and `abort(...)` anywhere in the statement.
                    match other {
                        // A response built and dropped is never sent.
                        Stmt::Expr { value, span } if !analysis.builds_response(value) => {
                            analysis.follow_method_order(stmt, value);
                            self.check_calls(analysis, value, *span, out);
                        }
                        Stmt::Assign {
                            targets,
                            value: Some(value),
                            span,
                            ..
                        } => {
                            let before = out.len();
                            self.check_calls(analysis, value, *span, out);
                            // A response stored in a local that nothing reads is never sent
                            // (`ret = Response(...)` in the clause, `return {"success": True}`
                            // after it).
                            if out.len() > before
                                && targets
                                    .iter()
                                    .all(|t| t.as_name().is_some_and(|n| !analysis.reads_local(n)))
                            {
                                out.truncate(before);
                            }
                            // `text = json.dumps(report)` after the `try`: the new local
                            // carries what the clause stored, reported where it did. Not from
                            // a local holding a result or an error, which the function tells
                            // apart (`isinstance(outcome, Exception)`) before using it.
                            if let Some(origin) = analysis.carried_origin(value)
                                && let Some(taint) = analysis.taint(value)
                                && !analysis.carries_tested_local(value)
                            {
                                for t in targets {
                                    if let Some(n) = t.as_name() {
                                        analysis.tainted.insert(n.to_string(), taint);
                                        analysis.carried.insert(n.to_string(), origin);
                                    }
                                }
                            }
                            // Given a new value without the text.
                            for t in targets {
                                if let Some(n) = t.as_name()
                                    && analysis.carried.contains_key(n)
                                    && analysis.taint(value).is_none()
                                {
                                    analysis.carried.remove(n);
                                    analysis.tainted.remove(n);
                                }
                            }
                            analysis.follow_assignment_order(stmt, targets, value, *span);
                        }
                        _ => {}
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
        let expr = match &expr.kind {
            ExprKind::Await(inner) => inner,
            _ => expr,
        };
        let Some(call) = expr.as_call() else { return };
        // `await websocket.send_json({"message": str(e)})` on the route's WebSocket.
        if let ExprKind::Attribute { value, attr } = &call.func.kind
            && matches!(attr.as_str(), "send_json" | "send_text")
            && analysis.is_websocket(value)
        {
            if let Some(message) = call.args.first()
                && let Some(taint) = analysis.taint(message)
            {
                // `{"code": exc.code, "message": str(exc)}`: an error that carries its own code.
                let carries_code = message.any(&mut |x| {
                    matches!(&x.kind, ExprKind::Attribute { value, attr }
                        if matches!(attr.as_str(), "code" | "status_code" | "error_code")
                            && value.as_name().is_some_and(|n| analysis.tainted.contains_key(n)))
                });
                let status = if carries_code {
                    Status::FromException
                } else {
                    Status::Unspecified
                };
                self.report(
                    analysis.cx,
                    taint,
                    status,
                    span,
                    "sent over the WebSocket",
                    out,
                );
            }
            return;
        }
        // `await self.send(error)`: a method writing it to the WebSocket the object keeps.
        if let Some(taint) = analysis.sent_through_websocket_method(call) {
            self.report(
                analysis.cx,
                taint,
                Status::Unspecified,
                span,
                "sent over the WebSocket",
                out,
            );
            return;
        }
        if analysis.is_response_builder(call) {
            if let Some((taint, status)) = analysis.response_taint(expr) {
                self.report(analysis.cx, taint, status, span, "sent in a response", out);
            }
        } else if analysis.cx.resolve(&call.func).as_deref() == Some("flask.abort") {
            let status = call
                .args
                .first()
                .map_or(Status::Unknown, |s| analysis.status_of(s));
            let detail = call.args.get(1).or_else(|| call.keyword("description"));
            if let Some(taint) = detail.and_then(|d| analysis.taint(d)) {
                self.report(
                    analysis.cx,
                    taint,
                    status,
                    span,
                    "sent through abort()",
                    out,
                );
            }
        }
    }

    fn report(
        &self,
        cx: &FileContext,
        taint: Taint,
        status: Status,
        span: Span,
        how: &str,
        out: &mut Findings,
    ) {
        let server_error = matches!(status, Status::Code(s) if s >= 500);
        let not_server_error = status == Status::Unspecified
            || matches!(status, Status::Code(s) if (200..500).contains(&s));
        // The project's own message, written at every place that makes the exception.
        if let Some((file, start)) = taint.literal
            && literal_exception(cx, file, start)
        {
            return;
        }
        // The client is told what was wrong with its own input.
        if taint.input_error && !server_error {
            return;
        }
        // A deliberate client message (a 4xx, or an error field of a normal answer), or the
        // project's own API error with the status it carries.
        if taint.narrow && not_server_error {
            return;
        }
        // A named class answered with a client-error status: the message chosen for the client,
        // even when the class comes from a library the analysis cannot read.
        if taint.named && matches!(status, Status::Code(400..=499)) {
            // Unless the library is a data store's, whose text may be the store's own: still
            // likely deliberate, so said with low confidence.
            if taint.backend {
                out.report_with(
                    &EXCEPTION_DETAILS_IN_RESPONSE,
                    span,
                    format!(
                        "exception details are {how}: a data-store library's error text, which may show the store's internals"
                    ),
                    EXCEPTION_DETAILS_IN_RESPONSE.severity,
                    crate::rule::Confidence::Low,
                );
            }
            return;
        }
        // An error that carries its HTTP status, or that the project maps to one
        // (`status_code=e.status_code`, `http_status_for(exc)`): an API error designed for
        // clients, whether the project or a library defines its class.
        // An HTTP client's error-status exception is the exception: its text names the URL the
        // server called (its reason phrase is not tainted in the first place).
        if status == Status::FromException && (taint.narrow || taint.specific && !taint.upstream) {
            return;
        }
        // A narrow exception answered with a status chosen for it (an upstream or service
        // failure, 501-504), not the generic 500.
        if taint.narrow && matches!(status, Status::Code(501..=504)) {
            return;
        }
        out.report(
            &EXCEPTION_DETAILS_IN_RESPONSE,
            span,
            format!("exception details are {how}"),
        );
    }

    /// An `exception_handler`/`errorhandler` function and what it handles.
    fn exception_handler(cx: &FileContext, f: &Function) -> Option<Caught> {
        for d in &f.decorators {
            let ExprKind::Call(call) = &d.kind else {
                continue;
            };
            if let Some(name @ ("exception_handler" | "errorhandler" | "app_errorhandler")) =
                call.func.last_name()
            {
                return Some(call.args.first().map_or_else(Caught::default, |a| {
                    flask_status_handler(name, a).unwrap_or_else(|| Self::classify(cx, Some(a)))
                }));
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
                    .as_deref()
                    .and_then(|a| a.last_name())
                    .is_some_and(|n| n.ends_with("Exception") || n.ends_with("Error"))
            });
        const REGISTRATIONS: &[&str] = &[
            "add_exception_handler",
            "register_error_handler",
            "exception_handler",
            "errorhandler",
            "app_errorhandler",
        ];
        if !takes_exception {
            return None;
        }
        let mut registered: Option<Caught> = None;
        if REGISTRATIONS
            .iter()
            .any(|a| cx.file.parsed.attributes.may_contain(a))
        {
            Self::registrations(
                cx,
                cx.file_index,
                &|a| a.as_name() == Some(f.name.as_str()),
                &mut registered,
            );
        }
        // A module-level handler registered by the module that imports it
        // (`app.register_error_handler(requests.ConnectionError, json_error)` in the app
        // factory, `json_error` defined in `utils`): the classes are named, and resolved,
        // there.
        if registered.is_none() && cx.functions.is_empty() && cx.classes.is_empty() {
            for (at, other) in cx.model.files_naming(cx.file_index, &f.name) {
                if at == cx.file_index
                    || !REGISTRATIONS
                        .iter()
                        .any(|a| other.parsed.attributes.may_contain(a))
                {
                    continue;
                }
                let is_handler = |a: &Expr| {
                    matches!(cx.model.resolve_definition(at, a),
                        Some((file, Some(Stmt::FunctionDef(def)), _))
                            if file == cx.file_index && def.span == f.span)
                };
                Self::registrations(cx, at, &is_handler, &mut registered);
            }
        }
        registered
    }

    /// What the registrations in file `at` of the handler that `is_handler` recognises
    /// handle, merged into `registered`.
    fn registrations(
        cx: &FileContext,
        at: usize,
        is_handler: &dyn Fn(&Expr) -> bool,
        registered: &mut Option<Caught>,
    ) {
        let mut visit = |e: &Expr| {
            e.any(&mut |x| {
                let ExprKind::Call(call) = &x.kind else {
                    return false;
                };
                if let Some((a, handler, how)) = handler_registration(call)
                    && is_handler(handler)
                {
                    let c = flask_status_handler(how, a)
                        .unwrap_or_else(|| Self::classify_in(cx, at, Some(a)));
                    *registered = Some(match *registered {
                        None => c,
                        Some(r) => r.union(c),
                    });
                }
                false
            });
        };
        walk_module_and_class_exprs(cx.model.files[at].body(), &mut visit);
    }
}

/// An error handler registered by a call: `app.register_error_handler(Exception, handler)`,
/// `app.add_exception_handler(...)`, or the decorator called by hand,
/// `app.exception_handler(Exception)(handler)`. Gives what is caught, the handler, and the
/// registering method's name.
fn handler_registration(call: &Call) -> Option<(&Expr, &Expr, &str)> {
    if let ExprKind::Call(inner) = &call.func.kind
        && let Some(how @ ("exception_handler" | "errorhandler" | "app_errorhandler")) =
            inner.func.last_name()
    {
        return Some((inner.args.first()?, call.args.first()?, how));
    }
    let how = call.func.last_name()?;
    matches!(how, "add_exception_handler" | "register_error_handler").then_some(())?;
    Some((call.args.first()?, call.args.get(1)?, how))
}

/// The expressions of a module's own statements and of its classes' bodies: handlers are also
/// registered from a method (`class Handlers: def register(self, app): ...`).
fn walk_module_and_class_exprs<'a>(body: &'a [Stmt], visit: &mut impl FnMut(&'a Expr)) {
    walk_exprs(body, &mut *visit);
    for stmt in body {
        if let Stmt::ClassDef(class) = stmt {
            walk_exprs(&class.body, &mut *visit);
        }
    }
}

impl Rule for ExceptionDetailsInResponse {
    fn meta(&self) -> &'static RuleMeta {
        &EXCEPTION_DETAILS_IN_RESPONSE
    }

    fn on_function(&self, cx: &FileContext, f: &Function, out: &mut Findings) {
        // Test code answers only the test client.
        if cx.file.is_test() {
            return;
        }
        let handler_kind = Self::exception_handler(cx, f);
        // A helper that sends what it is given, called with a caught exception:
        // `except Exception as error: return error_execute_sql(error)`.
        let given = if handler_kind.is_none() {
            given_exception(cx, f)
        } else {
            None
        };
        // Exception details come from a caught exception, an error handler's argument, a
        // traceback call, or a caller's exception; a function with none of them has nothing
        // to send.
        if handler_kind.is_none()
            && given.is_none()
            && !binds_caught_exception(&f.body)
            && !mentions_traceback_import(cx, &f.body)
        {
            return;
        }
        let is_route = cx.handlers.contains(&(cx.file_index, f.span.start))
            || wraps_route_handler(cx, f)
            // A helper one call away whose result a route handler returns as its answer.
            || (handler_kind.is_none() && returned_by_route(cx, f));
        let before = out.len();
        let mut scope = cx.functions.clone();
        scope.push(f);
        let mut analysis = Analysis::new(cx, &f.params, scope, HashMap::default());
        if let Some(caught) = handler_kind {
            // Starlette passes `(request, exc)`, Flask `(error)`.
            if let Some(p) = f.params.iter().rev().find(|p| p.name != "self") {
                analysis.tainted.insert(
                    p.name.to_string(),
                    Taint {
                        narrow: caught.narrow || caught.http,
                        input_error: false,
                        upstream: caught.upstream,
                        framework_http: caught.http,
                        specific: caught.specific,
                        named: caught.named,
                        backend: caught.backend,
                        literal: caught.literal,
                    },
                );
            }
        }
        if let Some((param, taint)) = given {
            analysis.tainted.insert(param, taint);
        }
        analysis.learn_assignments(&f.body);
        self.check_body(
            &mut analysis,
            &f.body,
            is_route || handler_kind.is_some(),
            out,
        );
        // A background job's step runs in the worker: no HTTP client sees what it raises; a
        // builder called while the application is set up, before any request. Asked only of
        // functions with findings: finding the callers reads every module that can name `f`.
        if out.len() > before
            && !is_route
            && handler_kind.is_none()
            && (runs_in_worker(cx, f) || runs_at_startup(cx, f) || in_worker_module(cx))
        {
            out.truncate(before);
        }
    }
}

/// Whether `f` is the wrapper of a project decorator applied to a route handler
/// (`@handle_errors` over the view, `def handle_errors(view): def wrapper(*args, **kwargs):
/// ...; return wrapper`, also made by a decorator factory, `@handle_errors(...)`): the wrapper
/// runs in the view's place, and what it returns is the route's answer. Judged once, as the
/// wrapper, for every route it wraps.
fn wraps_route_handler(cx: &FileContext, f: &Function) -> bool {
    let Some(decorator) = cx.functions.last() else {
        return false;
    };
    // The decorator hands the wrapper back in the view's place.
    let returns_wrapper = decorator.body.iter().any(|stmt| {
        matches!(stmt, Stmt::Return { value: Some(v), .. } if v.as_name() == Some(f.name.as_str()))
    });
    if !returns_wrapper {
        return false;
    }
    let enclosing = |name: &str| cx.functions.iter().any(|g| g.name == name);
    cx.surface.apps.routes.iter().any(|route| {
        route.handler.decorators.iter().any(|d| {
            let target = match &d.kind {
                ExprKind::Call(call) => &call.func,
                _ => d,
            };
            // By name first: most decorators are not this one.
            target.last_name().is_some_and(enclosing)
                && matches!(cx.model.resolve_definition(route.handler_file, target),
                    Some((file, Some(Stmt::FunctionDef(def)), _))
                        if file == cx.file_index
                            && cx.functions.iter().any(|g| g.span == def.span))
        })
    })
}

/// Whether a route handler answers with what helper `f` returns, one call away:
/// `return f(...)`, `return await f(...)`, or through a local assigned from the call
/// (`obj, status = service.run(...)`, then `return obj, status`).
fn returned_by_route(cx: &FileContext, f: &Function) -> bool {
    let model = cx.model;
    // The function `f` is defined in, when it is defined directly in its body.
    let enclosing = cx.functions.last().filter(|outer| {
        outer
            .body
            .iter()
            .any(|s| matches!(s, Stmt::FunctionDef(d) if d.span == f.span))
    });
    let is_f = |at: usize, expr: &Expr, handler: &Function| {
        // `return jsonable_encoder(f(...))`, `dict(f(...))`: the same value, converted.
        let mut expr = expr;
        while let Some(call) = expr.as_call()
            && let [arg] = call.args.as_slice()
            && call.keywords.is_empty()
            // By name first: most calls are not these.
            && matches!(call.func.last_name(), Some("jsonable_encoder" | "dict" | "dumps"))
            && model.files[at].imports.resolves_to(
                &call.func,
                &[JSONABLE_ENCODER, "builtins.dict", "json.dumps"],
            )
        {
            expr = arg;
        }
        let expr = match &expr.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => expr,
        };
        expr.as_call().is_some_and(|call| {
            call.func.last_name() == Some(f.name.as_str())
                && (crate::untrusted::resolve_callee(model, at, &call.func)
                    .is_some_and(|(file, def, _)| file == cx.file_index && def.span == f.span)
                    // A helper the handler defines itself, called by its name.
                    || (call.func.as_name().is_some()
                        && at == cx.file_index
                        && enclosing.is_some_and(|outer| outer.span == handler.span)))
        })
    };
    // By name first: most handlers do not answer with a call of that name.
    cx.routes_answering_with(&f.name).iter().any(|&i| {
        let route = &cx.surface.apps.routes[i];
        let (at, handler) = (route.handler_file, route.handler);
        if std::ptr::eq(handler, f) {
            return false;
        }
        let mut names: Vec<String> = Vec::new();
        let mut returned = false;
        walk_stmts(&handler.body, &mut |stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if is_f(at, value, handler) => {
                for t in targets {
                    names.extend(
                        routewarden_model::target_names(t)
                            .into_iter()
                            .map(str::to_string),
                    );
                    // `result[key] = f(...)` into a dict the handler made: the dict carries
                    // it. Only for a helper the handler defines: a project helper given the
                    // handler's exception is reported where the handler stores what it returns.
                    let mut root = t;
                    while let ExprKind::Subscript { value, .. } = &root.kind {
                        root = value;
                    }
                    if !std::ptr::eq(root, t)
                        && enclosing.is_some_and(|outer| outer.span == handler.span)
                        && let Some(n) = root.as_name()
                        && routewarden_model::values::local_assignment(handler, n).is_some()
                    {
                        names.push(n.to_string());
                    }
                }
            }
            Stmt::Return {
                value: Some(value), ..
            } => {
                returned |= is_f(at, value, handler)
                    || (!names.is_empty() && carries_text(model, at, value, &names, 0));
            }
            _ => {}
        });
        returned
    })
}

/// The parameter of helper `f` through which a caller hands it a caught exception, and what
/// that exception is: `except Exception as error: return self.error_execute_sql(error)`,
/// where `f` puts the parameter in an `HTTPException` detail or a response. Only asked of
/// helpers that send a parameter so. Callers that give different exceptions are merged: the
/// exemptions apply when they apply to every caller's.
fn given_exception(cx: &FileContext, f: &Function) -> Option<(String, Taint)> {
    if cx.file.is_test() || cx.handlers.contains(&(cx.file_index, f.span.start)) {
        return None;
    }
    let sending = sending_parameters(cx, f);
    if sending.is_empty() {
        return None;
    }
    let model = cx.model;
    let class = cx.classes.last().copied();
    let mut found: Option<(String, Taint)> = None;
    // The modules that can name `f`: through the function, or through its class (a subclass
    // calls `self.helper(...)`).
    let mut files: Vec<usize> = model
        .files_naming(cx.file_index, &f.name)
        .map(|(at, _)| at)
        .collect();
    if let Some(c) = class {
        files.extend(model.files_naming(cx.file_index, &c.name).map(|(at, _)| at));
    }
    files.sort_unstable();
    files.dedup();
    for at in files {
        let source = &model.files[at];
        if source.is_test() {
            continue;
        }
        // The functions of the file, with the class each is a method of.
        let mut functions: Vec<(&Function, Option<&routewarden_python::ast::Class>)> = Vec::new();
        for stmt in source.body() {
            match stmt {
                Stmt::ClassDef(c) => {
                    walk_functions(&c.body, &mut |g| functions.push((g, Some(c.as_ref()))))
                }
                other => walk_functions(std::slice::from_ref(other), &mut |g| {
                    functions.push((g, None))
                }),
            }
        }
        for (g, g_class) in functions {
            if std::ptr::eq(g, f) {
                continue;
            }
            // `self.helper(...)` in the class of `f` or a subclass of it.
            let self_call_reaches_f = class.zip(g_class).is_some_and(|(c, gc)| {
                gc.name == c.name
                    || gc.bases.iter().any(|b| {
                        // `BaseCrud[SchemaT]`: the generic base itself.
                        let b = match &b.kind {
                            ExprKind::Subscript { value, .. } => value.as_ref(),
                            _ => b,
                        };
                        b.last_name() == Some(c.name.as_str())
                    })
            });
            walk_stmts(&g.body, &mut |stmt| {
                let Stmt::Try { body, handlers, .. } = stmt else {
                    return;
                };
                for h in handlers {
                    let Some(caught_name) = &h.name else { continue };
                    let mut calls: Vec<(&Call, bool)> = Vec::new();
                    walk_exprs(&h.body, &mut |e| {
                        e.any(&mut |x| {
                            if let ExprKind::Call(call) = &x.kind
                                && call.func.last_name() == Some(f.name.as_str())
                            {
                                let via_self = matches!(&call.func.kind,
                                    ExprKind::Attribute { value, .. }
                                        if matches!(value.as_name(), Some("self" | "cls")));
                                if via_self && self_call_reaches_f {
                                    calls.push((call, true));
                                } else if let Some((file, def, bound)) =
                                    crate::untrusted::resolve_callee(model, at, &call.func)
                                    && file == cx.file_index
                                    && def.span == f.span
                                {
                                    calls.push((call, bound));
                                }
                            }
                            false
                        });
                    });
                    if calls.is_empty() {
                        continue;
                    }
                    let caught = ExceptionDetailsInResponse::classify_in(cx, at, h.type_.as_ref());
                    if caught.any_http {
                        continue;
                    }
                    let names = [caught_name.to_string()];
                    for (call, bound) in calls {
                        for (param, arg) in bound_parameters(f, call, bound) {
                            if !sending.contains(&param) || !carries_text(model, at, arg, &names, 0)
                            {
                                continue;
                            }
                            let input_error = InputOnly {
                                model,
                                scope: std::slice::from_ref(&g),
                            }
                            .body(at, &g.params, body, 0)
                            .is_some_and(|steps| steps > 0);
                            let taint = Taint {
                                narrow: caught.narrow,
                                input_error,
                                upstream: caught.upstream,
                                framework_http: false,
                                specific: caught.specific,
                                named: caught.named,
                                backend: caught.backend,
                                literal: caught.literal,
                            };
                            found = Some(match found.take() {
                                None => (param.to_string(), taint),
                                Some((p, t)) => (
                                    p,
                                    Taint {
                                        narrow: t.narrow && taint.narrow,
                                        input_error: t.input_error && taint.input_error,
                                        upstream: t.upstream && taint.upstream,
                                        framework_http: false,
                                        specific: t.specific && taint.specific,
                                        named: t.named && taint.named,
                                        backend: t.backend || taint.backend,
                                        literal: if t.literal == taint.literal {
                                            t.literal
                                        } else {
                                            None
                                        },
                                    },
                                ),
                            });
                        }
                    }
                }
            });
        }
    }
    found
}

/// The parameters of `f` it puts in an `HTTPException`, a werkzeug exception or `abort(...)`:
/// raised, they reach the client past the caller. (A response the helper builds and returns
/// is judged where the caller returns it.)
fn sending_parameters<'f>(cx: &FileContext, f: &'f Function) -> Vec<&'f str> {
    let params: Vec<&str> = f
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| !matches!(*n, "self" | "cls"))
        .collect();
    // The names below resolve through the file's own imports: a file that imports none of
    // these frameworks cannot name them.
    if params.is_empty() || !cx.imports_web_framework {
        return Vec::new();
    }
    let mut sending = Vec::new();
    walk_exprs(&f.body, &mut |e| {
        e.any(&mut |x| {
            let ExprKind::Call(call) = &x.kind else {
                return false;
            };
            if cx.resolve(&call.func).is_some_and(|q| {
                HTTP_EXCEPTIONS.contains(&&*q)
                    || q == "flask.abort"
                    || werkzeug_exception_status(&q).is_some()
            }) {
                for arg in call.argument_values() {
                    arg.any(&mut |y| {
                        if let Some(n) = y.as_name()
                            && let Some(p) = params.iter().find(|p| **p == n)
                            && !sending.contains(p)
                        {
                            sending.push(*p);
                        }
                        false
                    });
                }
            }
            false
        });
    });
    // Most functions send no parameter: the walks for a caller-chosen status are skipped.
    if sending.is_empty() {
        return sending;
    }
    // A wrapper whose caller chooses the status too (`def abort(status_code, detail):
    // flask.abort(status_code, detail)`, `exc.code = status`) answers each caller with its
    // own status: judged at the callers, not here with their exceptions merged.
    let mentions_param =
        |e: &Expr| e.any(&mut |y| y.as_name().is_some_and(|n| params.contains(&n)));
    let mut caller_status = false;
    walk_stmts(&f.body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && targets.iter().any(|t| {
                matches!(&t.kind, ExprKind::Attribute { attr, .. }
                    if matches!(attr.as_str(), "code" | "status_code" | "status"))
            })
            && mentions_param(value)
        {
            caller_status = true;
        }
    });
    walk_exprs(&f.body, &mut |e| {
        e.any(&mut |x| {
            if let ExprKind::Call(call) = &x.kind {
                let status = match cx.resolve(&call.func).as_deref() {
                    Some(q) if HTTP_EXCEPTIONS.contains(&q) => call.argument("status_code", 0),
                    Some("flask.abort") => call.args.first(),
                    Some(
                        "flask.Response"
                        | "flask.wrappers.Response"
                        | "werkzeug.Response"
                        | "werkzeug.wrappers.Response",
                    ) => call.argument("status", 1),
                    Some("flask.make_response") => call.args.get(1),
                    Some(q) if RESPONSE_BUILDERS.contains(&q) => call.argument("status_code", 1),
                    _ => None,
                };
                caller_status |= status.is_some_and(mentions_param);
            }
            false
        });
    });
    if caller_status {
        sending.clear();
    }
    sending
}

/// Decorators that hand a function to a task queue or workflow engine (Celery's `@app.task`
/// and `@shared_task`, Dramatiq's `@actor`, Hatchet's `@hatchet.step()` in a
/// `@hatchet.workflow()` class, Huey's `@huey.task()`), by their last name.
const WORKER_DECORATORS: &[&str] = &[
    "task",
    "shared_task",
    "periodic_task",
    "db_task",
    "db_periodic_task",
    "actor",
    "step",
    "workflow",
    "durable_task",
];

/// Whether module-level function `f` runs only while the application is set up: every use of
/// it in production code is a call made directly (not from a nested function) in a function
/// that builds a router or an application (`validator = build_validator(config)` in
/// `get_router`, which makes the `APIRouter`). What it raises never reaches a client.
fn runs_at_startup(cx: &FileContext, f: &Function) -> bool {
    if !cx.functions.is_empty() || !cx.classes.is_empty() {
        return false;
    }
    let builds_objects: rustc_hash::FxHashSet<(usize, u32)> = cx
        .surface
        .apps
        .objects
        .keys()
        .filter_map(|id| Some((id.file, id.scope?)))
        .collect();
    let mut called = false;
    for (at, source) in cx.model.files_naming(cx.file_index, &f.name) {
        if source.is_test() {
            continue;
        }
        let denotes_f = |e: &Expr| {
            e.last_name() == Some(f.name.as_str())
                && matches!(cx.model.resolve_definition(at, e),
                    Some((file, Some(Stmt::FunctionDef(def)), _))
                        if file == cx.file_index && def.span == f.span)
        };
        // Each use of `f` in the file: at set-up when it is the callee of a call made in the
        // own body of a function that builds a framework object.
        let mut uses = |body: &[Stmt], builder: bool| -> bool {
            let mut ok = true;
            walk_own_exprs(body, &mut |e| {
                e.any(&mut |x| {
                    match &x.kind {
                        ExprKind::Call(call) if denotes_f(&call.func) => {
                            called = true;
                            ok &= builder;
                        }
                        ExprKind::Name(_) | ExprKind::Attribute { .. } if denotes_f(x) => {
                            // A reference that is not a call's callee (`Depends(f)`), unless
                            // seen as the callee above.
                            ok &= builder && is_callee_somewhere(body, x);
                        }
                        _ => {}
                    }
                    false
                });
            });
            ok
        };
        let mut other_uses = false;
        let mut builder_calls_only = true;
        walk_functions(source.body(), &mut |g| {
            if std::ptr::eq(g, f) {
                return;
            }
            // `Depends(f)` in a parameter, `@f` on a function: used per request.
            let mut outer: Vec<&Expr> = g.decorators.iter().collect();
            for p in &g.params {
                outer.extend(
                    p.default
                        .as_deref()
                        .into_iter()
                        .chain(p.annotation.as_deref()),
                );
            }
            other_uses |= outer.iter().any(|e| e.any(&mut |x| denotes_f(x)));
            let builder = builds_objects.contains(&(at, g.span.start));
            builder_calls_only &= uses(&g.body, builder);
        });
        if other_uses || !builder_calls_only || !uses(source.body(), false) {
            return false;
        }
    }
    called
}

/// Whether the expression at `x`'s span is the callee of a call in `body`.
fn is_callee_somewhere(body: &[Stmt], x: &Expr) -> bool {
    let mut found = false;
    walk_own_exprs(body, &mut |e| {
        found |=
            e.any(&mut |c| matches!(&c.kind, ExprKind::Call(call) if call.func.span == x.span));
    });
    found
}

/// Calls `f` with the expressions of `body`'s own statements, not those of nested functions
/// or classes.
fn walk_own_exprs<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr)) {
    for stmt in body {
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        stmt.for_each_own_expr(f);
        for child in stmt.child_bodies() {
            walk_own_exprs(child, f);
        }
    }
}

/// A project exception class and its project bases, nearest first: `(file, definition)`, the
/// definition a `class` statement or the assignment of a class a factory makes
/// (`NotFound = error_factory(404, ...)`, where the factory returns `type(name, (ApiError,),
/// {...})`).
fn exception_lineage<'m>(
    model: &'m ProjectModel,
    file: usize,
    stmt: &'m Stmt,
) -> Vec<(usize, &'m Stmt)> {
    let mut lineage = vec![(file, stmt)];
    let mut i = 0;
    while i < lineage.len() && lineage.len() < 8 {
        let (f, s) = lineage[i];
        i += 1;
        let bases: Vec<(usize, &Expr)> = match s {
            Stmt::ClassDef(class) => class
                .bases
                .iter()
                .map(|b| match &b.kind {
                    ExprKind::Subscript { value, .. } => (f, value.as_ref()),
                    _ => (f, b),
                })
                .collect(),
            Stmt::Assign {
                value: Some(value), ..
            } => {
                let Some(made) = value.as_call() else {
                    continue;
                };
                let Some((ff, Stmt::FunctionDef(factory))) =
                    model.project_definition(f, &made.func)
                else {
                    continue;
                };
                let mut bases = Vec::new();
                routewarden_model::for_each_return(&factory.body, &mut |r| {
                    if let Some(c) = r.as_call()
                        && model.files[ff]
                            .imports
                            .resolves_to(&c.func, &["builtins.type"])
                        && let Some(ExprKind::Tuple(items)) = c.args.get(1).map(|a| &a.kind)
                    {
                        bases.extend(items.iter().map(|b| (ff, b)));
                    }
                });
                bases
            }
            _ => Vec::new(),
        };
        for (bf, b) in bases {
            if let Some(found @ (_, Stmt::ClassDef(_) | Stmt::Assign { .. })) =
                model.project_definition(bf, b)
                && !lineage
                    .iter()
                    .any(|&(lf, ls)| lf == found.0 && std::ptr::eq(ls, found.1))
            {
                lineage.push(found);
            }
        }
    }
    lineage
}

/// Whether the code checked is request-handling code, where a project exception raised reaches
/// the handler that answers it: a module that uses the web framework itself, has route
/// handlers, or whose enclosing top-level function or class a module with route handlers
/// imports and calls (not one that only tests a value's class with it, `isinstance(timetable,
/// CronMixin)`, which runs none of its code). A project error class also serves command-line
/// tools and background workers, whose modules are none of these.
fn handles_requests(cx: &FileContext) -> bool {
    const FRAMEWORKS: &[&str] = &[
        "fastapi",
        "starlette",
        "flask",
        "werkzeug",
        "quart",
        "aiohttp.web",
    ];
    if FRAMEWORKS.iter().any(|m| cx.file.imports_module(m)) {
        return true;
    }
    let routes = &cx.surface.apps.routes;
    let top = cx
        .classes
        .first()
        .map(|c| c.name.as_str())
        .or_else(|| cx.functions.first().map(|f| f.name.as_str()));
    let Some(top) = top else {
        return routes.iter().any(|r| r.handler_file == cx.file_index);
    };
    cx.model
        .files_naming(cx.file_index, top)
        .any(|(at, source)| {
            routes.iter().any(|r| r.handler_file == at)
                && (at == cx.file_index || !only_class_tests(cx.model, at, source.body(), top))
        })
}

/// Whether module `at` names `name` only as a class to test values against (`isinstance(x,
/// name)`, `issubclass(...)`), besides importing it: it never calls or subclasses it.
fn only_class_tests(model: &ProjectModel, at: usize, body: &[Stmt], name: &str) -> bool {
    let imports = &model.files[at].imports;
    // The class arguments of the class tests, by span.
    let mut tested: Vec<Span> = Vec::new();
    let mut named: Vec<Span> = Vec::new();
    walk_every_expr(body, &mut |e| {
        e.any(&mut |x| {
            match &x.kind {
                ExprKind::Call(call)
                    if imports.resolves_to(
                        &call.func,
                        &["builtins.isinstance", "builtins.issubclass"],
                    ) =>
                {
                    tested.extend(call.args.get(1).map(|a| a.span));
                }
                ExprKind::Name(n) if n.as_str() == name => named.push(x.span),
                ExprKind::Attribute { attr, .. } if attr.as_str() == name => named.push(x.span),
                _ => {}
            }
            false
        });
    });
    named
        .iter()
        .all(|n| tested.iter().any(|t| t.start <= n.start && n.end <= t.end))
}

/// Calls `f` with every expression of `body`, in nested functions and classes too, their
/// decorators, parameter defaults and annotations and class bases included.
fn walk_every_expr<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr)) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(def) => {
                def.decorators.iter().for_each(&mut *f);
                for p in &def.params {
                    p.default
                        .as_deref()
                        .into_iter()
                        .chain(p.annotation.as_deref())
                        .for_each(&mut *f);
                }
                def.returns.iter().for_each(&mut *f);
            }
            Stmt::ClassDef(class) => {
                class.decorators.iter().for_each(&mut *f);
                class.bases.iter().for_each(&mut *f);
                class.keywords.iter().for_each(|k| f(&k.value));
            }
            other => other.for_each_own_expr(f),
        }
        for child in stmt.child_bodies() {
            walk_every_expr(child, f);
        }
    }
}

/// Whether the module checked is only run by background workers: it has no route handlers, and
/// every production module that imports it is a task module (one with a function decorated
/// with one of [`WORKER_DECORATORS`] and no route handlers) or, in turn, such a module
/// (superset's report executor, imported only by the Celery task that runs it, and the
/// notifiers it reaches through their package). A module imported by nothing is an entry
/// point of its own. Asked only of functions with findings.
fn in_worker_module(cx: &FileContext) -> bool {
    let mut seen = vec![cx.file_index];
    let mut task_found = false;
    only_worker_importers(cx, cx.file_index, &mut seen, &mut task_found) && task_found
}

fn only_worker_importers(
    cx: &FileContext,
    file: usize,
    seen: &mut Vec<usize>,
    task_found: &mut bool,
) -> bool {
    let model = cx.model;
    let routes = &cx.surface.apps.routes;
    let has_routes = |at: usize| routes.iter().any(|r| r.handler_file == at);
    if has_routes(file) {
        return false;
    }
    // The modules that import the module or one of its top-level names (defined, or imported
    // into it: a package re-exports its modules' classes).
    let source = &model.files[file];
    let mut names: Vec<&str> = Vec::new();
    walk_stmts(source.body(), &mut |stmt| match stmt {
        Stmt::FunctionDef(def) => names.push(def.name.as_str()),
        other => names.extend(defined_name(other)),
    });
    names.extend(source.imports.iter().map(|(local, _)| local));
    let mut importers: Vec<usize> = names
        .iter()
        .flat_map(|name| model.files_naming(file, name).map(|(at, _)| at))
        .filter(|&at| at != file && !model.files[at].is_test())
        .collect();
    importers.sort_unstable();
    importers.dedup();
    if importers.is_empty() || importers.iter().any(|&at| has_routes(at)) {
        return false;
    }
    for at in importers {
        if seen.contains(&at) {
            continue;
        }
        seen.push(at);
        let mut task_module = false;
        walk_functions(model.files[at].body(), &mut |g| {
            task_module |= g.decorators.iter().any(is_worker_decorator);
        });
        if task_module {
            *task_found = true;
        } else if seen.len() > 32 || !only_worker_importers(cx, at, seen, task_found) {
            return false;
        }
    }
    true
}

/// The name a project class definition binds.
fn defined_name(stmt: &Stmt) -> Option<&str> {
    match stmt {
        Stmt::ClassDef(class) => Some(class.name.as_str()),
        Stmt::Assign { targets, .. } => match targets.as_slice() {
            [t] => t.as_name(),
            _ => None,
        },
        _ => None,
    }
}

fn stmt_start(stmt: &Stmt) -> u32 {
    match stmt {
        Stmt::ClassDef(class) => class.span.start,
        Stmt::Assign { span, .. } => span.start,
        _ => 0,
    }
}

/// Whether the project sends the fields of the exceptions of class `stmt` (defined in `file`)
/// to the client: a handler registered for the class (`@app.exception_handler(ApiError)`,
/// `add_exception_handler(ApiError, handler)`, `exception_handlers={ApiError: handler}`) or an
/// `except ApiError as e:` clause that answers with its text or a field other than its status
/// (`exc.message`, `str(exc)`), in a response, an `HTTPException` or `abort(...)`, or as what
/// a route handler returns. Looked for in the modules that can name the class, once per class.
fn is_sent_exception(cx: &FileContext, file: usize, stmt: &Stmt) -> bool {
    let key = (file, stmt_start(stmt));
    if let Some(known) = cx
        .sent_exceptions
        .lock()
        .ok()
        .and_then(|m| m.get(&key).copied())
    {
        return known;
    }
    let found = defined_name(stmt).is_some_and(|name| find_exception_sender(cx, file, stmt, name));
    if let Ok(mut memo) = cx.sent_exceptions.lock() {
        memo.insert(key, found);
    }
    found
}

fn find_exception_sender(cx: &FileContext, file: usize, stmt: &Stmt, name: &str) -> bool {
    let model = cx.model;
    for (at, source) in model.files_naming(file, name) {
        if source.is_test() {
            continue;
        }
        let names_class = |e: &Expr| {
            e.last_name() == Some(name)
                && model
                    .project_definition(at, e)
                    .is_some_and(|(f, s)| f == file && std::ptr::eq(s, stmt))
        };
        let mut functions: Vec<&Function> = Vec::new();
        walk_functions(source.body(), &mut |g| functions.push(g));
        let mut sent = false;
        for g in &functions {
            // `@app.exception_handler(ApiError)`
            let decorated = g.decorators.iter().any(|d| {
                d.as_call().is_some_and(|c| {
                    matches!(
                        c.func.last_name(),
                        Some("exception_handler" | "errorhandler" | "app_errorhandler")
                    ) && c.args.first().is_some_and(&names_class)
                })
            });
            if decorated && handler_sends_fields(model, at, g) {
                return true;
            }
            // `except ApiError as exc:` answering with its fields.
            walk_stmts(&g.body, &mut |s| {
                let Stmt::Try { handlers, .. } = s else {
                    return;
                };
                for h in handlers {
                    if let (Some(t), Some(n)) = (&h.type_, &h.name)
                        && t.elements_or_self().iter().any(&names_class)
                        && clause_sends_fields(cx, at, g, &h.body, n)
                    {
                        sent = true;
                    }
                }
            });
            if sent {
                return true;
            }
        }
        // `app.add_exception_handler(ApiError, handler)`, `exception_handler(ApiError)(handler)`,
        // `FastAPI(exception_handlers={ApiError: handler})`.
        if ![
            "exception_handler",
            "errorhandler",
            "add_exception_handler",
            "register_error_handler",
            "exception_handlers",
        ]
        .iter()
        .any(|a| source.parsed.attributes.may_contain(a))
        {
            continue;
        }
        let handler_named = |h: &Expr| {
            let by_name = h
                .as_name()
                .and_then(|n| functions.iter().find(|g| g.name == n));
            let found = match model.project_definition(at, h) {
                Some((f, Stmt::FunctionDef(g))) => Some((f, g.as_ref())),
                _ => by_name.map(|g| (at, *g)),
            };
            found.is_some_and(|(f, g)| handler_sends_fields(model, f, g))
        };
        let mut visit = |e: &Expr| {
            e.any(&mut |x| {
                let ExprKind::Call(call) = &x.kind else {
                    return false;
                };
                if let Some((class, handler, _)) = handler_registration(call)
                    && names_class(class)
                    && handler_named(handler)
                {
                    sent = true;
                }
                if let Some(k) = call.keyword("exception_handlers")
                    && let ExprKind::Dict(entries) = &k.kind
                {
                    sent |= entries.iter().any(|entry| {
                        entry.key.as_ref().is_some_and(&names_class) && handler_named(&entry.value)
                    });
                }
                sent
            });
        };
        walk_module_and_class_exprs(source.body(), &mut visit);
        if sent {
            return true;
        }
    }
    false
}

/// Whether every construction of the project exception class `stmt` (defined in `file`) gives
/// it literal text: each call of the class in the project passes only literals, module-level
/// string constants (`raise Refused(_UNADDRESSABLE)`), or f-strings, `%`-formatting and
/// `.format` of literals and values other than an exception (`f"at most {MAX_OPS} allowed"`),
/// and the same holds of its project subclasses, which an `except` of the class also catches.
/// Its text is then a message the project wrote. Not when a construction gives it the text of
/// another exception (`raise Failed(f"...{e}")`, `raise Failed(str(e))`, `reason = f"{e}"`
/// then `raise Failed(reason)`), or any other value (`raise Failed(message)`), nor when the
/// class is referred to other than to call it, catch it, test it, subclass it or `raise` it
/// (`hand_over(Failed, text)`, `ERRORS = (Failed, Other)`): other code, a library's too, may
/// then make it with any text. A library never makes a project subclass of its own exception
/// by itself, so the bases do not matter. Nor when the project never makes it: a plugin or
/// other code outside the project does, with any text. Looked for in the modules that can name the class,
/// once per class, and only for a clause whose every class is the project's.
fn literal_exception(cx: &FileContext, file: usize, start: u32) -> bool {
    if let Some(known) = cx
        .literal_exceptions
        .lock()
        .ok()
        .and_then(|m| m.get(&(file, start)).copied())
    {
        return known;
    }
    let mut class = None;
    walk_all_stmts(cx.model.files[file].body(), &mut |s| {
        if matches!(s, Stmt::ClassDef(c) if c.span.start == start) {
            class = Some(s);
        }
    });
    class.is_some_and(|stmt| literal_exception_at(cx, file, stmt, 0))
}

fn literal_exception_at(cx: &FileContext, file: usize, stmt: &Stmt, depth: u32) -> bool {
    let Stmt::ClassDef(class) = stmt else {
        return false;
    };
    let key = (file, class.span.start);
    if let Some(known) = cx
        .literal_exceptions
        .lock()
        .ok()
        .and_then(|m| m.get(&key).copied())
    {
        return known;
    }
    // Provisional, for a class hierarchy that names itself.
    if let Ok(mut memo) = cx.literal_exceptions.lock() {
        memo.insert(key, false);
    }
    let found = depth < 8 && find_literal_constructions(cx, file, stmt, &class.name, depth);
    if let Ok(mut memo) = cx.literal_exceptions.lock() {
        memo.insert(key, found);
    }
    found
}

fn find_literal_constructions(
    cx: &FileContext,
    file: usize,
    stmt: &Stmt,
    name: &str,
    depth: u32,
) -> bool {
    let model = cx.model;
    // A class whose own methods put a traceback in its text.
    let Stmt::ClassDef(class) = stmt else {
        return false;
    };
    let mut traceback = false;
    walk_every_expr(&class.body, &mut |e| {
        traceback = traceback
            || e.any(&mut |x| {
                x.as_call().is_some_and(|c| {
                    model.files[file].imports.resolve(&c.func).is_some_and(|q| {
                        TRACEBACK_CALLS.contains(&q.as_str()) || q == "sys.exception"
                    })
                })
            });
    });
    if traceback {
        return false;
    }
    // The modules that can name the class: its own, those importing it or its module, and
    // those importing it through a package that re-exports it (`from pkg.errors import
    // Failed` where `pkg/errors/__init__.py` imports it from `.base`).
    // A class the project never makes is made elsewhere (a plugin, a library it is handed
    // to), with any text.
    let mut constructions = 0usize;
    let suffix = format!(".{name}");
    let mut candidates: Vec<usize> = Vec::new();
    let mut seen: rustc_hash::FxHashSet<usize> = rustc_hash::FxHashSet::default();
    let mut reexporters = vec![file];
    while let Some(r) = reexporters.pop() {
        for (at, source) in model.files_naming(r, name) {
            if !seen.insert(at) {
                continue;
            }
            candidates.push(at);
            if at != file && source.imports.get(name).is_some() && candidates.len() < 512 {
                reexporters.push(at);
            }
        }
    }
    candidates.sort_unstable();
    for at in candidates {
        let source = &model.files[at];
        if source.is_test() {
            continue;
        }
        // A name the analysis cannot resolve (`errs.Failed` through a package) counts as
        // the class: wrongly so only makes the answer "no".
        // Also under another name (`from .errors import Failed as UpstreamFailed`).
        let aliases: Vec<&str> = source
            .imports
            .iter()
            .filter(|(local, q)| *local != name && q.ends_with(suffix.as_str()))
            .map(|(local, _)| local)
            .collect();
        let names_class = |e: &Expr| {
            matches!(e.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                && (e.last_name() == Some(name)
                    || !aliases.is_empty() && e.as_name().is_some_and(|n| aliases.contains(&n)))
                && model
                    .project_definition(at, e)
                    .is_none_or(|(f, s)| f == file && std::ptr::eq(s, stmt))
        };
        // The names that hold an exception or its text: those `except` clauses bind, and the
        // locals given a value made from them (`reason = f"write failed: {e}"`).
        let mut exception_names: Vec<&str> = Vec::new();
        let mut assignments: Vec<(&Expr, &[Expr])> = Vec::new();
        let mut references = 0isize;
        let mut ok = true;
        walk_all_stmts(source.body(), &mut |s| match s {
            Stmt::Try { handlers, .. } => {
                for h in handlers {
                    if let Some(n) = &h.name {
                        exception_names.push(n);
                    }
                    if let Some(t) = &h.type_ {
                        references += t
                            .elements_or_self()
                            .iter()
                            .filter(|i| names_class(i))
                            .count() as isize;
                    }
                }
            }
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => assignments.push((value, targets)),
            Stmt::Raise { exc: Some(exc), .. } if names_class(exc) => {
                references += 1;
                constructions += 1;
            }
            Stmt::ClassDef(sub) => {
                for b in &sub.bases {
                    if names_class(b) {
                        references += 1;
                        // A subclass the project makes, always with literal text, makes
                        // the class too.
                        let literal = literal_exception_at(cx, at, s, depth + 1);
                        ok &= literal;
                        constructions += usize::from(literal);
                    }
                }
            }
            _ => {}
        });
        if !ok {
            return false;
        }
        let imports = &source.imports;
        let mentions_exception = |e: &Expr, names: &[&str]| {
            e.any(&mut |x| match &x.kind {
                ExprKind::Name(n) => names.contains(&n.as_str()),
                ExprKind::Attribute { attr, .. } => {
                    matches!(attr.as_str(), "__cause__" | "__context__" | "__traceback__")
                }
                ExprKind::Call(c) => imports
                    .resolve(&c.func)
                    .is_some_and(|q| TRACEBACK_CALLS.contains(&q.as_str()) || q == "sys.exception"),
                _ => false,
            })
        };
        for _ in 0..2 {
            for (value, targets) in &assignments {
                if mentions_exception(value, &exception_names) {
                    for t in *targets {
                        if let Some(n) = t.as_name()
                            && !exception_names.contains(&n)
                        {
                            exception_names.push(n);
                        }
                    }
                }
            }
        }
        let literal_text = |a: &Expr| match &a.kind {
            ExprKind::Str(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::NoneLiteral => true,
            ExprKind::FString(_) => !mentions_exception(a, &exception_names),
            // `"... %s" % value`, `"...".format(value)`.
            ExprKind::BinOp { left, .. } => {
                matches!(left.kind, ExprKind::Str(_) | ExprKind::FString(_))
                    && !mentions_exception(a, &exception_names)
            }
            ExprKind::Call(c) => {
                matches!(&c.func.kind, ExprKind::Attribute { value, attr }
                    if attr == "format" && matches!(value.kind, ExprKind::Str(_)))
                    && !mentions_exception(a, &exception_names)
            }
            // A module-level string constant (`_UNADDRESSABLE_MUTATION`).
            ExprKind::Name(n) => {
                n.trim_start_matches('_')
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    && source.top_level(n).is_some()
                    && matches!(model.resolve_value(at, &[], a).expr.kind, ExprKind::Str(_))
            }
            _ => false,
        };
        walk_every_expr(source.body(), &mut |e| {
            e.any(&mut |x| {
                match &x.kind {
                    ExprKind::Call(call) if names_class(&call.func) => {
                        references += 1;
                        constructions += 1;
                        ok &= call.args.iter().all(literal_text)
                            && call.keywords.iter().all(|k| literal_text(&k.value));
                    }
                    // `isinstance(error, Refused)`
                    ExprKind::Call(call)
                        if matches!(call.func.as_name(), Some("isinstance" | "issubclass")) =>
                    {
                        if let Some(classes) = call.args.get(1) {
                            references += classes
                                .elements_or_self()
                                .iter()
                                .filter(|i| names_class(i))
                                .count() as isize;
                        }
                    }
                    _ => {}
                }
                if names_class(x) {
                    references -= 1;
                }
                !ok
            });
        });
        // Every reference is accounted for: none left over passes the class on.
        if !ok || references != 0 {
            return false;
        }
    }
    constructions > 0
}

/// Calls `f` with every statement of `body`, in nested functions and classes too.
fn walk_all_stmts<'s>(body: &'s [Stmt], f: &mut impl FnMut(&'s Stmt)) {
    for stmt in body {
        f(stmt);
        for child in stmt.child_bodies() {
            walk_all_stmts(child, f);
        }
    }
}

/// A field of an exception other than its status, headers or class: `exc.message`,
/// `exc.detail`, `exc.args`, `exc.to_dict()`.
fn sendable_field(attr: &str) -> bool {
    !attr.starts_with("__")
        && !any_identifier_word(attr, |w| {
            matches!(w, "status" | "code" | "headers" | "log" | "level" | "type")
        })
}

/// Whether `expr` carries the text of exception `exc` or one of its fields, directly or
/// through one of the `carrying` locals.
fn mentions_exception_fields(
    model: &ProjectModel,
    file: usize,
    expr: &Expr,
    exc: &str,
    carrying: &[&str],
) -> bool {
    expr.any(&mut |x| match &x.kind {
        ExprKind::Attribute { value, attr } => value.as_name() == Some(exc) && sendable_field(attr),
        ExprKind::Name(n) => carrying.contains(&n.as_str()),
        ExprKind::Call(c) => {
            c.args.first().and_then(Expr::as_name) == Some(exc)
                && model.files[file].imports.resolves_to(
                    &c.func,
                    &["builtins.str", "builtins.repr", "builtins.format"],
                )
        }
        ExprKind::FString(parts) => parts
            .iter()
            .any(|p| matches!(p, FStringPart::Value(v) if v.as_name() == Some(exc))),
        _ => false,
    })
}

/// The locals of `body` built from exception `exc`'s fields, in statement order, and whether
/// `sends` holds for some statement given them.
fn fields_reach(
    model: &ProjectModel,
    file: usize,
    body: &[Stmt],
    exc: &str,
    sends: &mut impl FnMut(&Stmt, &[&str]) -> bool,
) -> bool {
    let mut carrying: Vec<&str> = Vec::new();
    let mut found = false;
    walk_stmts(body, &mut |s| {
        if found {
            return;
        }
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = s
            && mentions_exception_fields(model, file, value, exc, &carrying)
        {
            carrying.extend(targets.iter().filter_map(Expr::as_name));
        }
        found = sends(s, &carrying);
    });
    found
}

/// Whether an exception handler returns its exception's text or fields.
fn handler_sends_fields(model: &ProjectModel, file: usize, handler: &Function) -> bool {
    let Some(exc) = handler.params.iter().rev().find(|p| p.name != "self") else {
        return false;
    };
    let exc = exc.name.as_str();
    fields_reach(model, file, &handler.body, exc, &mut |s, carrying| {
        // A fixed server-error status is judged at the handler itself.
        matches!(s, Stmt::Return { value: Some(v), .. }
            if mentions_exception_fields(model, file, v, exc, carrying)
                && returned_status(model, file, v)
                    .and_then(|s| status_constant(model, file, s))
                    .is_none_or(|c| c < 500))
    })
}

/// Whether an `except ... as exc:` clause of function `g` answers with the exception's text or
/// fields: in a response it returns (a response constructor's, a project response class's, or
/// anything a route handler returns), or in an `HTTPException` or `abort(...)`.
fn clause_sends_fields(
    cx: &FileContext,
    file: usize,
    g: &Function,
    body: &[Stmt],
    exc: &str,
) -> bool {
    let model = cx.model;
    let imports = &model.files[file].imports;
    let route = cx.handlers.contains(&(file, g.span.start));
    let is_response = |e: &Expr| {
        let e = match &e.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            ExprKind::Tuple(items) if !items.is_empty() => &items[0],
            _ => e,
        };
        e.as_call().is_some_and(|c| {
            imports
                .resolve(&c.func)
                .is_some_and(|q| RESPONSE_BUILDERS.contains(&q.as_str()))
                || model
                    .class_name(file, &c.func)
                    .is_some_and(|q| RESPONSE_BUILDERS.contains(&q.as_str()))
        })
    };
    // A fixed server-error status is judged at the clause itself, with the class caught.
    let server_error = |status: Option<&Expr>| {
        status
            .and_then(|s| status_constant(model, file, s))
            .is_some_and(|c| c >= 500)
    };
    fields_reach(model, file, body, exc, &mut |s, carrying| {
        let carries = |e: &Expr| mentions_exception_fields(model, file, e, exc, carrying);
        match s {
            Stmt::Return { value: Some(v), .. } => {
                (route || is_response(v))
                    && carries(v)
                    && !server_error(returned_status(model, file, v))
            }
            Stmt::Raise {
                exc: Some(raised), ..
            } => raised.as_call().is_some_and(|c| {
                let status = match imports.resolve(&c.func) {
                    Some(q) if HTTP_EXCEPTIONS.contains(&q.as_str()) => {
                        c.argument("status_code", 0)
                    }
                    Some(q) if werkzeug_exception_status(&q).is_some_and(|c| c >= 500) => {
                        return false;
                    }
                    Some(q) if werkzeug_exception_status(&q).is_some() => None,
                    _ => return false,
                };
                !server_error(status) && c.argument_values().any(carries)
            }),
            Stmt::Expr { value, .. } => value.as_call().is_some_and(|c| {
                imports.resolves_to(&c.func, &["flask.abort"])
                    && !server_error(c.args.first())
                    && c.args
                        .iter()
                        .skip(1)
                        .chain(c.keywords.iter().map(|k| &k.value))
                        .any(carries)
            }),
            _ => false,
        }
    })
}

/// The status expression of a returned response: the second item of a tuple, or the status
/// argument of a response constructor (also of a project subclass of one).
fn returned_status<'e>(model: &ProjectModel, file: usize, value: &'e Expr) -> Option<&'e Expr> {
    let value = match &value.kind {
        ExprKind::Await(inner) => inner.as_ref(),
        ExprKind::Tuple(items) if items.len() >= 2 => return items.get(1),
        _ => value,
    };
    let call = value.as_call()?;
    let class = model.files[file]
        .imports
        .resolve(&call.func)
        .filter(|q| RESPONSE_BUILDERS.contains(&q.as_str()))
        .or_else(|| {
            model
                .class_name(file, &call.func)
                .filter(|q| RESPONSE_BUILDERS.contains(&q.as_str()))
        })?;
    match class.as_str() {
        "flask.jsonify" => None,
        "flask.make_response" => call.args.get(1),
        "flask.Response"
        | "flask.wrappers.Response"
        | "werkzeug.Response"
        | "werkzeug.wrappers.Response" => call.argument("status", 1),
        _ => call.argument("status_code", 1),
    }
}

/// Whether a project exception class keeps an HTTP status: a class attribute or a
/// parameter of its `__init__` named for one (`status_code`, `code`).
fn carries_status(stmt: &Stmt) -> bool {
    let Stmt::ClassDef(class) = stmt else {
        return false;
    };
    class.body.iter().any(|s| match s {
        Stmt::Assign { targets, .. } => targets
            .iter()
            .any(|t| t.as_name().is_some_and(names_a_status)),
        Stmt::FunctionDef(init) if init.name == "__init__" => {
            init.params.iter().any(|p| names_a_status(&p.name))
        }
        _ => false,
    })
}

/// Whether a constructor parameter takes the HTTP status: `status_code`, `status`, `code`.
fn names_a_status(param: &str) -> bool {
    param == "code" || any_identifier_word(param, |w| w == "status")
}

/// The status a project exception class fixes itself: a class attribute (`status_code =
/// 404`), the first status its `__init__` gives `super().__init__(500, ...)`, or the first
/// status among the arguments of the factory that makes it.
fn class_status(model: &ProjectModel, file: usize, stmt: &Stmt) -> Option<i64> {
    match stmt {
        Stmt::ClassDef(class) => class.body.iter().find_map(|s| match s {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets
                .iter()
                .any(|t| t.as_name().is_some_and(names_a_status)) =>
            {
                status_constant(model, file, value)
            }
            Stmt::FunctionDef(init) if init.name == "__init__" => {
                let mut found = None;
                walk_exprs(&init.body, &mut |e| {
                    if found.is_none()
                        && let Some(c) = e.as_call()
                        && c.func.last_name() == Some("__init__")
                    {
                        found = c
                            .argument_values()
                            .find_map(|a| status_constant(model, file, a));
                    }
                });
                found
            }
            _ => None,
        }),
        Stmt::Assign {
            value: Some(value), ..
        } => value.as_call().and_then(|c| {
            c.argument_values()
                .find_map(|a| status_constant(model, file, a))
        }),
        _ => None,
    }
}

/// An HTTP status written in `file`: `500`, `status.HTTP_404_NOT_FOUND`, `HTTPStatus.CONFLICT`
/// (`.value`), a project constant holding one.
fn status_constant(model: &ProjectModel, file: usize, expr: &Expr) -> Option<i64> {
    let code = match &expr.kind {
        ExprKind::Int(Some(n)) => Some(*n),
        ExprKind::Attribute { value, attr } if attr == "value" => {
            return status_constant(model, file, value);
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            let resolved = model.files[file].imports.resolve(expr);
            let last = resolved
                .as_deref()
                .and_then(|q| q.rsplit('.').next())
                .or_else(|| expr.last_name());
            last.and_then(status_name).or_else(|| {
                match model.resolve_value(file, &[], expr).expr.kind {
                    ExprKind::Int(Some(n)) => Some(n),
                    _ => None,
                }
            })
        }
        _ => None,
    };
    code.filter(|c| (100..600).contains(c))
}

/// Calls `f` with every expression of `body` that is read: all but the plain names an
/// assignment binds (`x = ...`, `a, b = ...`); nested functions included.
fn walk_exprs_reading<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr)) {
    for stmt in body {
        match stmt {
            Stmt::ClassDef(_) => continue,
            Stmt::FunctionDef(g) => {
                walk_exprs_reading(&g.body, f);
                continue;
            }
            Stmt::Assign { targets, value, .. } => {
                for t in targets {
                    // `obj.attr = ...`, `d[k] = ...` read `obj`, `d` and `k`.
                    if !matches!(
                        t.kind,
                        ExprKind::Name(_) | ExprKind::Tuple(_) | ExprKind::List(_)
                    ) {
                        f(t);
                    }
                }
                if let Some(v) = value {
                    f(v);
                }
            }
            other => other.for_each_own_expr(f),
        }
        for child in stmt.child_bodies() {
            walk_exprs_reading(child, f);
        }
    }
}

/// Whether `f`, or a function or class enclosing it, is a background job's step: decorated
/// with one of [`WORKER_DECORATORS`]. The worker calls it, not a request.
fn runs_in_worker(cx: &FileContext, f: &Function) -> bool {
    let worker = |decorators: &[Expr]| decorators.iter().any(is_worker_decorator);
    worker(&f.decorators)
        || cx.functions.iter().any(|g| worker(&g.decorators))
        || cx.classes.iter().any(|c| worker(&c.decorators))
}

/// Whether decorator `d` hands the function to a task queue: one of [`WORKER_DECORATORS`].
fn is_worker_decorator(d: &Expr) -> bool {
    let head = match &d.kind {
        ExprKind::Call(c) => &c.func,
        _ => d,
    };
    head.last_name()
        .is_some_and(|n| WORKER_DECORATORS.contains(&n))
}

/// Whether a `try` body does nothing but read a mapping by a key the code has just checked
/// with `in`: `if key not in data: raise ...` (or `return`), then `try: value = data[key]`.
/// Such a lookup cannot raise, so nothing reaches the `except` clauses.
fn only_guarded_lookups(cx: &FileContext, preceding: &[Stmt], body: &[Stmt]) -> bool {
    !body.is_empty()
        && body.iter().all(|stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.iter().all(|t| t.as_name().is_some()) => match &value.kind {
                ExprKind::Subscript {
                    value: mapping,
                    slice,
                } => mapping
                    .as_name()
                    .zip(slice.as_name())
                    .is_some_and(|(m, k)| checked_key(cx, preceding, m, k)),
                _ => false,
            },
            _ => false,
        })
}

/// Whether the statements before a lookup leave the block unless `key in mapping`: a guard
/// `if key not in mapping: raise ...` (possibly one of several `or`-ed conditions), with
/// neither name rebound after it.
fn checked_key(cx: &FileContext, preceding: &[Stmt], mapping: &str, key: &str) -> bool {
    for stmt in preceding.iter().rev() {
        match stmt {
            Stmt::If {
                test, body, orelse, ..
            } if orelse.is_empty() && leaves(cx, body) => {
                let conditions = match &test.kind {
                    ExprKind::BoolOp {
                        op: BoolOp::Or,
                        values,
                    } => values.as_slice(),
                    _ => std::slice::from_ref(test),
                };
                if conditions.iter().any(|c| {
                    matches!(c.comparisons().as_slice(), [(k, CmpOp::NotIn, m)]
                        if k.as_name() == Some(key) && m.as_name() == Some(mapping))
                }) {
                    return true;
                }
            }
            _ => {}
        }
        if rebinds(stmt, mapping) || rebinds(stmt, key) {
            return false;
        }
    }
    false
}

/// Whether a block always leaves: it ends in `raise`, `return` or Flask's `abort(...)`.
fn leaves(cx: &FileContext, body: &[Stmt]) -> bool {
    match body.last() {
        Some(Stmt::Raise { .. } | Stmt::Return { .. }) => true,
        Some(Stmt::Expr { value, .. }) => value
            .as_call()
            .is_some_and(|c| cx.resolve(&c.func).as_deref() == Some("flask.abort")),
        _ => false,
    }
}

/// Whether a statement may give `name` a new value (anywhere inside it).
fn rebinds(stmt: &Stmt, name: &str) -> bool {
    let mut found = false;
    walk_stmts(std::slice::from_ref(stmt), &mut |s| {
        found |= match s {
            Stmt::Assign { targets, .. } => targets
                .iter()
                .any(|t| t.any(&mut |x| x.as_name() == Some(name))),
            Stmt::AugAssign { target, .. } => target.as_name() == Some(name),
            Stmt::For { target, .. } => target.any(&mut |x| x.as_name() == Some(name)),
            Stmt::With { items, .. } => items.iter().any(|i| {
                i.target
                    .as_ref()
                    .is_some_and(|t| t.any(&mut |x| x.as_name() == Some(name)))
            }),
            _ => false,
        };
    });
    found
}

/// An `except ... as name` in the function's own statements (not in nested functions).
fn binds_caught_exception(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::Try { handlers, .. } if handlers.iter().any(|h| h.name.is_some()) => true,
        other => other.child_bodies().any(binds_caught_exception),
    })
}

/// Whether the function's own statements name something imported from `traceback` or `sys`:
/// a call resolves to one of [`TRACEBACK_CALLS`] only through such a name.
fn mentions_traceback_import(cx: &FileContext, body: &[Stmt]) -> bool {
    let names: Vec<&str> = ["traceback", "sys"]
        .iter()
        .flat_map(|m| cx.file.names_imported_from(m))
        .collect();
    if names.is_empty() {
        return false;
    }
    let mut found = false;
    walk_exprs(body, &mut |e| {
        found = found || e.any(&mut |x| x.as_name().is_some_and(|n| names.contains(&n)));
    });
    found
}

/// What a comprehension carries, by `carried`: what its element (or a dict comprehension's
/// value) carries itself, else what an iterable carries when the element reads the loop
/// variable bound from it (`[str(f) for f in traceback.extract_tb(tb)]`; a count of the frames
/// carries nothing).
fn comprehension_carries<T>(
    comprehension: &Expr,
    mut carried: impl FnMut(&Expr) -> Option<T>,
) -> Option<T> {
    let ExprKind::Comprehension {
        element,
        value,
        generators,
    } = &comprehension.kind
    else {
        return None;
    };
    let parts = || std::iter::once(element.as_ref()).chain(value.as_deref());
    if let Some(t) = parts().find_map(&mut carried) {
        return Some(t);
    }
    generators.iter().find_map(|g| {
        let t = carried(&g.iter)?;
        let reads_target = |x: &Expr| {
            x.as_name()
                .is_some_and(|n| g.target.any(&mut |b| b.as_name() == Some(n)))
        };
        parts()
            .any(|p| p.any(&mut |x| reads_target(x)))
            .then_some(t)
    })
}
