//! Whether a route's handler changes state: a conservative answer shared by the rules that
//! treat a state-changing method as the reason to report (AUTH001, CSRF002). A handler that
//! provably writes nothing (a `POST /worker_get_status` that aggregates what it reads, a
//! `GET,POST` listing filtered by form values) is judged as a GET would be.
//!
//! Writes are: a database session's `add`/`commit`/`delete`, `execute` of anything but a
//! `select(...)` or a `SELECT` string, an ORM `save`/`update`/`delete`/`create` (any method not
//! known to read), an assignment to an attribute or item of a value the function did not build
//! (`self.cache[key] = v`, `session["x"] = 1`, `g.user = u`), `del`, `global`, a file opened
//! for writing, any call into the outside world not known to read, and any call into project
//! code that does one of these or that the analysis cannot follow. When unsure, it writes.
//!
//! The same walk, with one list of calls known to read, answers AUTH001's narrower question of
//! a handler that only reads the request and answers it (an echo service's `POST /post`):
//! [`only_answers`]. The analysis is costly: call it only for a finding about to be reported.

use crate::helpers::is_logging_call;
use crate::untrusted::resolve_callee;
use routewarden_model::apps::{RouteDecl, class_of_method, find_method};
use routewarden_model::{ProjectModel, SourceModule, target_names};
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Function, OtherKind, Stmt};

/// How deep project calls are followed.
const MAX_DEPTH: u32 = 4;
/// How many project functions one handler's judgement may read.
const MAX_FUNCTIONS: usize = 32;

/// Calls of the outside world that only convert a value, read a setting or build a response,
/// by qualified name: all an answer ([`only_answers`]) may call, beside [`ANSWER_PREFIXES`].
/// Each entry of this list and the three below stands once; the writes walk accepts all four.
const ANSWER_CALLS: &[&str] = &[
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.bytes",
    "builtins.len",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.set",
    "builtins.frozenset",
    "builtins.sorted",
    "builtins.reversed",
    "builtins.map",
    "builtins.all",
    "builtins.any",
    "builtins.isinstance",
    "builtins.hasattr",
    "builtins.getattr",
    "builtins.min",
    "builtins.max",
    "builtins.sum",
    "builtins.abs",
    "builtins.round",
    "builtins.zip",
    "builtins.enumerate",
    "builtins.range",
    "builtins.repr",
    // Writes to the server's own output, which no caller reads.
    "builtins.print",
    "json.loads",
    "json.dumps",
    "flask.jsonify",
    "flask.json.jsonify",
    "flask.json.dumps",
    "flask.json.loads",
    "flask.make_response",
    "flask.Response",
    "flask.current_app.config.get",
    "os.getenv",
    "os.environ.get",
    "fastapi.responses.JSONResponse",
    "fastapi.responses.PlainTextResponse",
    "fastapi.responses.Response",
    "starlette.responses.JSONResponse",
    "starlette.responses.PlainTextResponse",
    "starlette.responses.Response",
];

/// Modules and objects of the outside world whose every function only reads the request,
/// converts or parses.
const ANSWER_PREFIXES: &[&str] = &[
    "flask.request.",
    "flask.globals.request.",
    "urllib.parse.",
    "six.moves.urllib.parse.",
    "base64.",
    "werkzeug.datastructures.",
];

/// Further calls of the outside world that only read, compute or answer, by qualified name.
const READ_CALLS: &[&str] = &[
    "builtins.filter",
    "builtins.issubclass",
    "builtins.callable",
    "builtins.divmod",
    "builtins.format",
    "builtins.ord",
    "builtins.chr",
    "builtins.hash",
    "builtins.id",
    "builtins.type",
    "builtins.iter",
    "builtins.next",
    "builtins.object",
    "builtins.super",
    "flask.render_template",
    "flask.render_template_string",
    "flask.url_for",
    "flask.abort",
    "flask.redirect",
    "flask.send_file",
    "flask.send_from_directory",
    "sqlalchemy.select",
    "sqlalchemy.and_",
    "sqlalchemy.or_",
    "sqlalchemy.not_",
    "sqlalchemy.desc",
    "sqlalchemy.asc",
    "sqlalchemy.text",
    "sqlalchemy.sql.select",
    "sqlalchemy.sql.expression.select",
    "sqlalchemy.future.select",
    "sqlmodel.select",
    "os.listdir",
    "os.scandir",
    "os.stat",
    "time.time",
    "time.monotonic",
    "time.perf_counter",
    "time.strftime",
    "time.localtime",
    "time.gmtime",
    "html.escape",
];

/// Further modules and objects of the outside world whose every function only reads or
/// computes.
const READ_PREFIXES: &[&str] = &[
    "werkzeug.exceptions.",
    "fastapi.HTTPException",
    "fastapi.exceptions.",
    "fastapi.responses.",
    "starlette.responses.",
    "starlette.exceptions.",
    "sqlalchemy.func.",
    "binascii.",
    "hashlib.",
    "re.",
    "math.",
    "datetime.",
    "os.path.",
    "posixpath.",
    "collections.",
    "itertools.",
    "functools.",
    "operator.",
    "copy.",
    "string.",
    "textwrap.",
    "uuid.",
    "markupsafe.",
    "logging.",
];

/// Calls of [`READ_CALLS`] that read the application's data (its files), not only
/// compute, answer or read the request or a setting.
const DATA_READS: &[&str] = &[
    "flask.send_file",
    "flask.send_from_directory",
    "os.listdir",
    "os.scandir",
    "os.stat",
];

/// What the caller brings or is: reading it alone makes no query.
const CALLER_STATE: &[&str] = &[
    "flask.request",
    "flask.globals.request",
    "flask.g",
    "flask.globals.g",
    "flask.session",
    "flask.globals.session",
    "flask_login.current_user",
    "quart.request",
];

/// Outbound HTTP clients: a call asks another service, which answers for itself; it reads
/// when it sends nothing (GET, HEAD, or a POST with no body).
const HTTP_CLIENTS: &[&str] = &["requests.", "httpx."];

/// Methods that read or compute on whatever value they are called on: containers, strings,
/// query builders and results, responses, matches, dates.
const READ_METHODS: &[&str] = &[
    "get",
    "getlist",
    "keys",
    "values",
    "items",
    "copy",
    "count",
    "index",
    "find",
    "rfind",
    "startswith",
    "endswith",
    "split",
    "rsplit",
    "splitlines",
    "partition",
    "join",
    "strip",
    "lstrip",
    "rstrip",
    "lower",
    "upper",
    "title",
    "casefold",
    "format",
    "encode",
    "decode",
    "replace",
    "isdigit",
    "isnumeric",
    "isalpha",
    "isalnum",
    "isspace",
    "filter",
    "filter_by",
    "order_by",
    "group_by",
    "having",
    "limit",
    "offset",
    "all",
    "first",
    "one",
    "one_or_none",
    "scalar",
    "scalars",
    "scalar_one",
    "scalar_one_or_none",
    "unique",
    "fetchone",
    "fetchall",
    "fetchmany",
    "mappings",
    "query",
    "select",
    "where",
    "outerjoin",
    "options",
    "exclude",
    "exists",
    "distinct",
    "values_list",
    "select_related",
    "prefetch_related",
    "annotate",
    "aggregate",
    "get_or_404",
    "first_or_404",
    "one_or_404",
    "paginate",
    "json",
    "form",
    "body",
    "read",
    "readline",
    "readlines",
    "search",
    "match",
    "fullmatch",
    "findall",
    "finditer",
    "group",
    "groups",
    "groupdict",
    "isoformat",
    "strftime",
    "timestamp",
    "total_seconds",
    "to_dict",
    "model_dump",
    "model_dump_json",
    "tolist",
    "hexdigest",
    "digest",
    "close",
    // A logger's, whatever made it (`logger = build_logger(...)`): a log line is no state the
    // application serves.
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
];

/// Whether the route's handler provably changes nothing: no write in its body, its
/// dependencies, its project decorators or the project code it calls (see the module).
pub fn handler_writes_nothing<'a>(model: &'a ProjectModel, route: &RouteDecl<'a>) -> bool {
    let handler = route.handler;
    let file = route.handler_file;
    // Only POST, with reads (`GET,POST`) or methods the analysis cannot read: a DELETE or
    // PUT names its write.
    if !route.methods.iter().all(|m| {
        matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS" | "POST")
            || m == routewarden_model::apps::DYNAMIC_METHODS
    }) {
        return false;
    }
    // A decorator of the project (or one the analysis cannot resolve: `@self.requires_auth`)
    // wraps the view in code of its own, not judged here; a library's is taken as is.
    let library = |f: usize, d: &Expr| {
        let callee = d.as_call().map_or(d, |c| &c.func);
        // Another route registration stacked on the view (`@bp.route("/+index/<name>")`).
        let registers = d.as_call().is_some()
            && callee.last_name().is_some_and(|n| {
                matches!(
                    n,
                    "route" | "get" | "post" | "put" | "patch" | "delete" | "api_route"
                )
            });
        // A library's: the chain's head resolves outside the project (not
        // `@PageView.logged`, a method of a project class).
        let mut head = callee;
        while let ExprKind::Attribute { value, .. } = &head.kind {
            head = value;
        }
        registers
            || model.files[f].imports.resolve(callee).is_some()
                && model.project_definition(f, head).is_none()
    };
    if handler
        .decorators
        .iter()
        .enumerate()
        .any(|(i, d)| Some(i) != route.decorator_index && !library(file, d))
        || route.view_decorators.iter().any(|(f, d)| !library(*f, d))
    {
        return false;
    }
    let mut walk = Walk::new(model, Question::Writes, handler);
    // `db: Session = Depends(get_db)`: a dependency runs code of its own before the handler.
    for p in &handler.params {
        for e in p.default.iter().chain(p.annotation.iter()) {
            let mut ok = true;
            e.any(&mut |x| {
                if let ExprKind::Call(c) = &x.kind
                    && model.files[file]
                        .imports
                        .resolves_to(&c.func, &["fastapi.Depends", "fastapi.Security"])
                {
                    // What a dependency reads (the caller's key) makes no query of the handler.
                    let reads = walk.reads;
                    ok &= c
                        .args
                        .first()
                        .and_then(|dep| resolve_callee(model, file, dep))
                        .is_some_and(|(f, def, _)| walk.follow(f, def, None, false, 1));
                    walk.reads = reads;
                }
                !ok
            });
            if !ok {
                return false;
            }
        }
    }
    let class = match route.view_class {
        Some(c) => Some((route.view_class_file, c)),
        None => class_of_method(model.files[file].body(), handler).map(|c| (file, c)),
    };
    // A class-based view is built for each request: its constructor runs first.
    if let Some(view) = route.view_class
        && !walk.construct(route.view_class_file, view, 0)
    {
        return false;
    }
    let mut frame = Frame::new(file, handler, class);
    // A handler that reads none of the application's data (`return {"ok": True}`, `pass`,
    // an echo of the request) is a sketch's stand-in for the write its method announces, not
    // a query.
    walk.block(&handler.body, &mut frame, 0) && walk.reads
}

/// What the walk asks of a handler besides whether it changes anything.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Question {
    /// [`handler_writes_nothing`]: project code followed through classes and bases, the
    /// application's data read (and noted), only values the function built changed.
    Writes,
    /// [`only_answers`]: no parameter read, no project object's method, helpers followed three
    /// calls deep; what the request gave is the function's own, and reading it is noted.
    Answers,
}

/// Whether the route's handler only reads the request and answers, through project helpers
/// too (`return jsonify(get_dict("args", "form"))` with `get_dict` building a dict from
/// `request`): whatever its method, it changes nothing on the server. Every call must be a
/// read of the request, a call known to read (not the application's files), a method of a
/// value the function built itself, or a project function or class that passes the same test
/// (three calls deep at most); every assignment binds a local or changes a value the function
/// built. The handler reads none of its parameters (a path value would address an object).
/// Gives whether the request is read (an echo); `None` when anything else happens.
pub fn only_answers<'a>(model: &'a ProjectModel, route: &RouteDecl<'a>) -> Option<bool> {
    let handler = route.handler;
    let file = route.handler_file;
    let mut frame = Frame::new(file, handler, None);
    frame.request = crate::helpers::starlette_request_params(&model.files[file].imports, handler);
    frame.forbidden = handler
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| !matches!(*n, "self" | "cls") && !frame.request.contains(n))
        .collect();
    let mut walk = Walk::new(model, Question::Answers, handler);
    walk.block(&handler.body, &mut frame, 0)
        .then_some(walk.reads_request)
}

/// Whether the route's handler is a pure computation over the request's own values (lnbits'
/// `GET /uuidv4/{hex}` turning a hex string into a UUID): [`only_answers`] with the handler's
/// parameters taken as the caller's values, and stricter: no setting read (`os.getenv`,
/// `current_app.config`), no module state or project object read (`settings.fee`, `CACHE`),
/// and besides what an answer may call only [`COMPUTING_CALLS`] and [`ANSWERING_CALLS`] (a conversion, an error, a
/// response). It must compute: call a project helper or a computing library (`uuid`,
/// `hashlib`); `return {"id": item_id}` is a sketch's stand-in. Only a module's own function:
/// a nested one may read its enclosing function's objects (`getattr(interpreter, name)`).
pub fn only_computes<'a>(model: &'a ProjectModel, route: &RouteDecl<'a>) -> bool {
    let handler = route.handler;
    let file = route.handler_file;
    if !matches!(model.files[file].top_level(&handler.name),
        Some(Stmt::FunctionDef(f)) if std::ptr::eq(f.as_ref(), handler))
    {
        return false;
    }
    let mut frame = Frame::new(file, handler, None);
    frame.request = crate::helpers::starlette_request_params(&model.files[file].imports, handler);
    frame.fresh = handler
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| !matches!(*n, "self" | "cls") && !frame.request.contains(n))
        .collect();
    let takes_values = !frame.fresh.is_empty();
    let mut walk = Walk::new(model, Question::Answers, handler);
    walk.pure = true;
    walk.block(&handler.body, &mut frame, 0)
        && (takes_values || walk.reads_request)
        && walk.computes
}

/// Calls of the outside world a pure computation ([`only_computes`]) may make besides what an
/// answer may, by qualified name or below a
/// prefix ending in `.`; none reads a file, a setting or a service. These compute a value.
const COMPUTING_CALLS: &[&str] = &[
    "binascii.",
    "hashlib.",
    "re.",
    "math.",
    "uuid.",
    "string.",
    "html.escape",
];

/// Calls a pure computation may make to answer or refuse, as in [`COMPUTING_CALLS`].
const ANSWERING_CALLS: &[&str] = &[
    "fastapi.HTTPException",
    "fastapi.exceptions.",
    "fastapi.responses.",
    "starlette.responses.",
    "starlette.exceptions.",
    "werkzeug.exceptions.",
    "flask.abort",
    "flask.redirect",
];

/// Whether `q` is one of `listed`: the name itself, or below a listed prefix ending in `.`.
fn among(listed: &[&str], q: &str) -> bool {
    !q.is_empty()
        && listed.iter().any(|p| {
            q.strip_prefix(p)
                .is_some_and(|rest| p.ends_with('.') || rest.is_empty() || rest.starts_with('.'))
        })
}

/// Answers' calls that read a setting: not a pure computation's.
const SETTING_READS: &[&str] = &[
    "os.getenv",
    "os.environ.get",
    "flask.current_app.config.get",
];

/// The request object of a Flask-like framework, read as a global.
const REQUEST_GLOBALS: &[&str] = &["flask.request", "flask.globals.request", "quart.request"];

struct Walk<'a> {
    model: &'a ProjectModel,
    question: Question,
    /// Functions already judged or being judged (a recursion is taken as judged).
    visited: Vec<*const Function>,
    /// Whether the application's data is read (not only the request), or another service.
    reads: bool,
    /// Whether the request is read ([`Question::Answers`]).
    reads_request: bool,
    /// [`only_computes`]: an answer that reads no setting and no module state either.
    pure: bool,
    /// Whether a project helper or a computing library is called ([`only_computes`]).
    computes: bool,
}

/// The function being read.
struct Frame<'a> {
    file: usize,
    function: &'a Function,
    /// The class whose method this is, for `self.method(...)`.
    class: Option<(usize, &'a Class)>,
    /// Locals bound to values the function built (a literal, a comprehension, a new
    /// container; for [`Question::Answers`] also what the request gave and a helper's
    /// parameters): changing them changes nothing that outlives the call.
    fresh: Vec<&'a str>,
    /// `self` is the object being built (a constructor the function's caller called).
    self_fresh: bool,
    /// The handler's parameters, when reading one addresses an object.
    forbidden: Vec<&'a str>,
    /// The handler's Starlette request parameters (`request: Request`).
    request: Vec<&'a str>,
}

impl<'a> Frame<'a> {
    fn new(file: usize, function: &'a Function, class: Option<(usize, &'a Class)>) -> Self {
        Frame {
            file,
            function,
            class,
            fresh: Vec::new(),
            self_fresh: false,
            forbidden: Vec::new(),
            request: Vec::new(),
        }
    }
}

impl<'a> Walk<'a> {
    fn new(model: &'a ProjectModel, question: Question, handler: &'a Function) -> Self {
        Walk {
            model,
            question,
            visited: vec![handler as *const Function],
            reads: false,
            reads_request: false,
            pure: false,
            computes: false,
        }
    }

    fn block(&mut self, body: &'a [Stmt], frame: &mut Frame<'a>, depth: u32) -> bool {
        body.iter().all(|s| self.stmt(s, frame, depth))
    }

    fn stmt(&mut self, stmt: &'a Stmt, frame: &mut Frame<'a>, depth: u32) -> bool {
        let answers = self.question == Question::Answers;
        match stmt {
            // A nested function is judged where it is defined, as if it ran.
            Stmt::FunctionDef(f) if !answers => {
                let mut inner = Frame::new(frame.file, f, frame.class);
                f.decorators.is_empty() && self.block(&f.body, &mut inner, depth)
            }
            Stmt::Return { value, .. } => value.as_ref().is_none_or(|v| self.expr(v, frame, depth)),
            Stmt::Raise { exc, cause, .. } => {
                exc.as_ref().is_none_or(|v| self.expr(v, frame, depth))
                    && cause.as_ref().is_none_or(|v| self.expr(v, frame, depth))
            }
            Stmt::Expr { value, .. } => value.is_string_literal() || self.expr(value, frame, depth),
            Stmt::Assign { targets, value, .. } => {
                let Some(value) = value else {
                    return !answers;
                };
                if !self.expr(value, frame, depth) {
                    return false;
                }
                targets.iter().all(|t| match (&t.kind, &value.kind) {
                    // `dirs, files = [], []`: each name takes its own value.
                    (
                        ExprKind::Tuple(names) | ExprKind::List(names),
                        ExprKind::Tuple(values) | ExprKind::List(values),
                    ) if !answers && names.len() == values.len() => {
                        names.iter().zip(values.iter()).all(|(n, v)| {
                            let fresh = self.fresh_value(v, frame);
                            self.target(n, frame, fresh, depth)
                        })
                    }
                    _ => {
                        let fresh = self.own_value(value, frame);
                        self.target(t, frame, fresh, depth)
                    }
                })
            }
            Stmt::AugAssign { target, value, .. } => {
                // `total += n` on a local keeps what it was; on a part, the part's owner counts.
                let fresh = answers || target.as_name().is_some_and(|n| frame.fresh.contains(&n));
                self.expr(value, frame, depth) && self.target(target, frame, fresh, depth)
            }
            Stmt::If {
                test, body, orelse, ..
            }
            | Stmt::While {
                test, body, orelse, ..
            } => {
                self.expr(test, frame, depth)
                    && self.block(body, frame, depth)
                    && self.block(orelse, frame, depth)
            }
            Stmt::For {
                target,
                iter,
                body,
                orelse,
                ..
            } => {
                // The loop's names hold what it iterates, which the function may not own; an
                // answer owns them when it iterates what it built or the request.
                self.expr(iter, frame, depth)
                    && {
                        let fresh = answers && self.built_or_request(iter, frame);
                        self.target(target, frame, fresh, depth)
                    }
                    && self.block(body, frame, depth)
                    && self.block(orelse, frame, depth)
            }
            Stmt::With { items, body, .. } if !answers => {
                items.iter().all(|i| {
                    self.expr(&i.context, frame, depth)
                        && i.target
                            .as_ref()
                            .is_none_or(|t| self.target(t, frame, false, depth))
                }) && self.block(body, frame, depth)
            }
            Stmt::Try {
                body,
                handlers,
                orelse,
                finalbody,
                ..
            } => {
                self.block(body, frame, depth)
                    && handlers.iter().all(|h| {
                        h.type_.as_ref().is_none_or(|t| self.expr(t, frame, depth))
                            && self.block(&h.body, frame, depth)
                    })
                    && self.block(orelse, frame, depth)
                    && self.block(finalbody, frame, depth)
            }
            Stmt::Match { subject, cases, .. } if !answers => {
                self.expr(subject, frame, depth)
                    && cases.iter().all(|c| self.block(c, frame, depth))
            }
            Stmt::Import { .. } | Stmt::ImportFrom { .. } => true,
            // `pass`, `assert`; an answer's `del` of a local.
            Stmt::Other { kind, .. } => answers || *kind == OtherKind::Inert,
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) | Stmt::With { .. } | Stmt::Match { .. } => {
                false
            }
        }
    }

    /// An assignment target: a local, or a part of a value the function built.
    fn target(&mut self, t: &'a Expr, frame: &mut Frame<'a>, fresh: bool, depth: u32) -> bool {
        let answers = self.question == Question::Answers;
        match &t.kind {
            ExprKind::Name(n) => {
                // A module global written under `global` (an answer's `global` passes).
                if answers && self.model.files[frame.file].top_level(n).is_some() {
                    return false;
                }
                frame.fresh.retain(|f| f != n);
                if fresh {
                    frame.fresh.push(n);
                }
                true
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => items
                .iter()
                .all(|i| self.target(i, frame, answers && fresh, depth)),
            ExprKind::Starred(inner) if !answers => self.target(inner, frame, false, depth),
            ExprKind::Attribute { value, .. } => self.owned(value, frame),
            ExprKind::Subscript { value, slice } => {
                self.owned(value, frame) && self.expr(slice, frame, depth)
            }
            _ => false,
        }
    }

    /// A value rooted in one the function built: `result["k"]`, `self.x` in a constructor.
    fn owned(&self, e: &Expr, frame: &Frame) -> bool {
        match e.root_name() {
            Some("self") => frame.self_fresh,
            Some(r) => frame.fresh.contains(&r),
            None => false,
        }
    }

    /// A value rooted in the application's data: not one the function built, nor the caller's
    /// (a parameter, the request, `g`, the session, the logged-in user). Reading one makes
    /// the handler a query rather than a stand-in.
    fn stored(&self, e: &Expr, frame: &Frame) -> bool {
        let Some(root) = e.root_name() else {
            return false;
        };
        let model = self.model;
        let module = &model.files[frame.file];
        // `self` of a method (its object's state), a module-level object, or one imported
        // from another module of the project (`db`, `storage`); not a local, whose value was
        // counted where it was read, nor a library module.
        let held = if root == "self" {
            !frame.self_fresh
        } else if module.imports.get(root).is_some() {
            model
                .project_definition(frame.file, e.chain_head())
                .is_some()
        } else {
            module.top_level(root).is_some()
        };
        if !held {
            return false;
        }
        // `flask.session.get(...)`, `flask.g.user`: the caller's own state.
        let mut cur = e;
        loop {
            if module.imports.resolves_to(cur, CALLER_STATE) {
                return false;
            }
            cur = match &cur.kind {
                ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } => value,
                ExprKind::Call(c) => &c.func,
                _ => return true,
            };
        }
    }

    /// A value the expression makes anew: a literal, a comprehension, an operation's result, a
    /// new container or response, an alias of such a local.
    fn fresh_value(&self, e: &Expr, frame: &Frame) -> bool {
        match &e.kind {
            ExprKind::List(_)
            | ExprKind::Tuple(_)
            | ExprKind::Set(_)
            | ExprKind::Dict(_)
            | ExprKind::Comprehension { .. }
            | ExprKind::Str(_)
            | ExprKind::Bytes(_)
            | ExprKind::FString(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::NoneLiteral
            | ExprKind::BinOp { .. }
            | ExprKind::Compare { .. }
            | ExprKind::UnaryOp { .. } => true,
            ExprKind::Name(n) => frame.fresh.contains(&n.as_str()),
            ExprKind::IfExp { body, orelse, .. } => {
                self.fresh_value(body, frame) && self.fresh_value(orelse, frame)
            }
            ExprKind::Call(c) => {
                let module = &self.model.files[frame.file];
                let builtin_container = c.func.as_name().is_some_and(|n| {
                    module.top_level(n).is_none()
                        && module.imports.resolves_to(
                            &c.func,
                            &[
                                "builtins.list",
                                "builtins.dict",
                                "builtins.set",
                                "builtins.tuple",
                                "builtins.sorted",
                                "builtins.str",
                            ],
                        )
                });
                // A response the function makes. Not an object of a project class: its methods
                // may store it (`User(...).save()`), and are judged as any object's.
                builtin_container
                    || module.imports.resolves_to(
                        &c.func,
                        &["flask.make_response", "flask.jsonify", "flask.Response"],
                    )
            }
            _ => false,
        }
    }

    /// Whether the value a local is bound to is the function's own (see [`Frame::fresh`]).
    fn own_value(&self, value: &Expr, frame: &Frame) -> bool {
        if self.question == Question::Writes {
            return self.fresh_value(value, frame);
        }
        // `x = OTHER` aliases module state, and what a project function or class answers
        // (`finder = JobFinder(id)`) may be an object whose methods write: the name reads it,
        // but is not the function's own value. Parts of module state
        // (`current_app.extensions["services"]`) are not either.
        match &value.kind {
            ExprKind::Name(_) => false,
            ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {
                self.built_or_request(value, frame)
            }
            // A response the function makes (`app.make_response("")`) is its own.
            ExprKind::Call(c) if c.func.last_name() == Some("make_response") => true,
            ExprKind::Call(c) => {
                self.model
                    .resolve_definition(frame.file, &c.func)
                    .is_none_or(|(_, def, _)| def.is_none())
                    && (c.func.as_name().is_some() || self.built_or_request(value, frame))
            }
            _ => true,
        }
    }

    /// An expression rooted in the function's own values or the request.
    fn built_or_request(&self, e: &Expr, frame: &Frame) -> bool {
        let imports = &self.model.files[frame.file].imports;
        let root = e.chain_head();
        match &root.kind {
            ExprKind::Name(n) if frame.request.contains(&n.as_str()) => {
                reads_request_data(e, &frame.request)
            }
            ExprKind::Name(n) => {
                frame.fresh.contains(&n.as_str()) || imports.resolves_to(root, REQUEST_GLOBALS)
            }
            _ => true,
        }
    }

    /// An expression whose calls all change nothing; for an answer, one that reads no
    /// parameter and no value of the path.
    fn expr(&mut self, e: &'a Expr, frame: &Frame<'a>, depth: u32) -> bool {
        let answers = self.question == Question::Answers;
        let model = self.model;
        let imports = &model.files[frame.file].imports;
        let mut calls: Vec<&Call> = Vec::new();
        // Names bound inside comprehensions are the comprehension's own.
        let mut bound: Vec<&str> = Vec::new();
        let (mut reads, mut reads_request, mut ok) = (false, false, true);
        e.any(&mut |x| {
            match &x.kind {
                ExprKind::Call(c) => calls.push(c),
                ExprKind::Comprehension { generators, .. } if answers => {
                    for g in generators.iter() {
                        bound.extend(target_names(&g.target));
                    }
                }
                ExprKind::Name(n) if answers => {
                    // Module state (`CACHE`, `counter`), not a constant, function or class.
                    let state = self.pure
                        && !constant_name(n)
                        && !frame.fresh.contains(&n.as_str())
                        && !bound.contains(&n.as_str())
                        && matches!(
                            self.model.files[frame.file].top_level(n),
                            Some(Stmt::Assign { .. } | Stmt::AugAssign { .. })
                        );
                    if frame.forbidden.contains(&n.as_str()) || state {
                        ok = false;
                    } else if frame.request.contains(&n.as_str())
                        || imports.resolves_to(x, REQUEST_GLOBALS)
                    {
                        reads_request = true;
                    }
                }
                ExprKind::Named { .. } | ExprKind::Yield(_) | ExprKind::Lambda(_) if answers => {
                    ok = false;
                }
                // The path's values read from the request (`request.path_params["id"]`,
                // Flask's `request.view_args`) address an object, as a parameter would.
                ExprKind::Attribute { value, attr } if answers => {
                    // A project object's value (`settings.fee_reserve`) is stored data.
                    ok &= !(self.pure
                        && value.as_name().is_some()
                        && !constant_name(attr)
                        && self.stored(value, frame));
                    ok &= !(matches!(attr.as_str(), "path_params" | "view_args")
                        && (value.as_name().is_some_and(|n| frame.request.contains(&n))
                            || imports.resolves_to(value, REQUEST_GLOBALS)));
                }
                // `worker.context_len`, `request.form["q"]`: a value from outside the function.
                // Not a module constant (`const.RESULTS["OK"]`): a fixed answer.
                ExprKind::Attribute { value, attr } => {
                    reads |= value.as_name().is_some()
                        && !constant_name(attr)
                        && self.stored(value, frame);
                }
                ExprKind::Subscript { value, .. } if !answers => {
                    reads |= value
                        .as_name()
                        .is_some_and(|n| !constant_name(n) && self.stored(value, frame));
                }
                _ => {}
            }
            !ok
        });
        self.reads |= reads;
        self.reads_request |= reads_request;
        ok && calls.into_iter().all(|c| match self.question {
            Question::Writes => self.call(c, frame, depth),
            Question::Answers => self.answer_call(c, frame, &bound, depth),
        })
    }

    fn call(&mut self, call: &'a Call, frame: &Frame<'a>, depth: u32) -> bool {
        let model = self.model;
        let file = frame.file;
        let module = &model.files[file];
        let imports = &module.imports;
        let func = &call.func;
        // A function defined in the function itself: judged where it is defined.
        if let Some(n) = func.as_name()
            && nested_function(&frame.function.body, n)
        {
            return true;
        }
        // Project code: followed.
        if let Some((f, stmt)) = model.project_definition(file, func) {
            return match stmt {
                Stmt::FunctionDef(def) => self.follow(f, def, None, false, depth + 1),
                Stmt::ClassDef(class) => self.construct(f, class, depth),
                // A name bound to something else of the project (`controller =
                // Controller()`): its methods below, or unknown.
                _ => self.method_call(call, frame, depth),
            };
        }
        if let Some((f, def, bound)) = resolve_callee(model, file, func) {
            let class = if bound {
                class_of_method(model.files[f].body(), def).map(|c| (f, c))
            } else {
                None
            };
            return self.follow(f, def, class, false, depth + 1);
        }
        if let Some(q) = imports.resolve(func) {
            let shadowed = func
                .as_name()
                .is_some_and(|n| module.top_level(n).is_some());
            if !shadowed {
                if q == "builtins.open" {
                    self.reads = true;
                    return opens_for_reading(call);
                }
                if listed_read(&q, false) {
                    self.reads |= DATA_READS.contains(&q.as_str());
                    return true;
                }
                if HTTP_CLIENTS.iter().any(|p| q.starts_with(p)) {
                    self.reads = true;
                    return asks_only(&q, call);
                }
            }
        }
        if bare_read_builtin(module, func, false) || is_logging_call(module, call) {
            return true;
        }
        self.method_call(call, frame, depth)
    }

    /// A call in a handler that only answers: a read of the request, a call known to read
    /// (below [`READ_CALLS`], not of the application's files), a method of a value the
    /// function built, or a project function or class passing the same test (three calls
    /// deep at most).
    fn answer_call(
        &mut self,
        call: &'a Call,
        frame: &Frame<'a>,
        bound: &[&str],
        depth: u32,
    ) -> bool {
        let model = self.model;
        let file = frame.file;
        let module = &model.files[file];
        let imports = &module.imports;
        let resolved = imports.resolve(&call.func);
        if let Some(q) = &resolved {
            self.reads_request |= reads_request_global(q);
        }
        if self.pure {
            let q = resolved.as_deref().unwrap_or_default();
            if SETTING_READS.contains(&q) {
                return false;
            }
            let builtin_error = call.func.as_name().is_some_and(|n| {
                imports.get(n).is_none()
                    && module.top_level(n).is_none()
                    && matches!(n, "ValueError" | "TypeError" | "KeyError" | "Exception")
            });
            let computing = among(COMPUTING_CALLS, q);
            self.computes |= computing;
            if builtin_error || computing || among(ANSWERING_CALLS, q) {
                return true;
            }
        }
        if answer_callee(module, &call.func) {
            return true;
        }
        // `await request.json()`, `request.headers.get(...)` on a Starlette request; not
        // `request.app.state.store.append(...)`.
        if call
            .func
            .root_name()
            .is_some_and(|r| frame.request.contains(&r))
        {
            return reads_request_data(&call.func, &frame.request);
        }
        // A method of a value the function built, of a literal (`b"".join(...)`), or of a
        // comprehension's own name.
        if let ExprKind::Attribute { value, attr } = &call.func.kind {
            // A file the caller uploaded writes itself to disk (`request.files["f"].save(p)`).
            if attr == "save" {
                return false;
            }
            // A method of what a conversion answered, a new string or container
            // (`b"".join(parts).decode()`, `json.dumps(d).encode()`).
            if let ExprKind::Call(inner) = &value.kind
                && answers_new_value(module, &inner.func)
            {
                return true;
            }
            match value.root_name() {
                Some(r) if frame.fresh.contains(&r) || bound.contains(&r) => return true,
                None if !matches!(value.kind, ExprKind::Call(_)) => return true,
                // `app.make_response("")` on the Flask application.
                Some(r) if attr == "make_response" => {
                    if matches!(module.top_level(r), Some(Stmt::Assign { value: Some(v), .. })
                        if v.as_call().is_some_and(|c| imports.resolves_to(&c.func, &["flask.Flask"])))
                    {
                        return true;
                    }
                }
                _ => {}
            }
        }
        // A project function, or a project class's constructor, judged the same way.
        if depth >= 3 || self.visited.len() >= 24 {
            return false;
        }
        // The callee takes its parameters for its own values: module state handed to it
        // (`remember(NOTES, value)`) is not.
        let module_state = |a: &Expr| {
            let mut root = a;
            while let ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } =
                &root.kind
            {
                root = value;
            }
            root.as_name().is_some_and(|r| {
                !frame.fresh.contains(&r)
                    && !bound.contains(&r)
                    && !frame.request.contains(&r)
                    && (module.top_level(r).is_some() || imports.get(r).is_some())
                    && !REQUEST_GLOBALS.iter().any(|g| imports.get(r) == Some(*g))
            })
        };
        if call.argument_values().any(module_state) {
            return false;
        }
        let (f, def) = if let Some((f, def, _)) = resolve_callee(model, file, &call.func) {
            (f, def)
        } else if let Some((f, Some(Stmt::ClassDef(class)), _)) =
            model.resolve_definition(file, &call.func)
        {
            match class.body.iter().find_map(|s| match s {
                Stmt::FunctionDef(m) if m.name == "__init__" => Some(m.as_ref()),
                _ => None,
            }) {
                Some(init) => (f, init),
                // A subclass of a plain container with no constructor of its own.
                None => {
                    return class.bases.iter().all(|b| {
                        model.files[f]
                            .imports
                            .resolves_to(b, &["builtins.dict", "builtins.list", "builtins.object"])
                    });
                }
            }
        } else {
            return false;
        };
        if def.is_async || !def.decorators.is_empty() {
            return false;
        }
        let key = def as *const Function;
        if self.visited.contains(&key) {
            return true;
        }
        self.visited.push(key);
        self.computes = true;
        // A helper's parameters hold what its caller passed: values the caller was allowed.
        // Not `self`: its methods are judged, not taken on trust.
        let mut inner = Frame::new(f, def, None);
        inner.fresh = def
            .params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|n| !matches!(*n, "self" | "cls"))
            .collect();
        self.block(&def.body, &mut inner, depth + 1)
    }

    /// `receiver.method(...)`: a method of a value the function built, of a project object
    /// (followed), `execute` of a query, or a method known to read.
    fn method_call(&mut self, call: &'a Call, frame: &Frame<'a>, depth: u32) -> bool {
        let Some((receiver, attr)) = call.method() else {
            return false;
        };
        let model = self.model;
        // Cookies are the browser's state.
        if matches!(attr, "set_cookie" | "delete_cookie") {
            return false;
        }
        // A method of a container the function built (`names.append(n)`), or of an attribute
        // of the object a constructor builds (`self.items.append(x)` in `__init__`).
        let own_container = match &receiver.kind {
            ExprKind::Attribute { value, .. } => {
                value.as_name() == Some("self") && frame.self_fresh
            }
            _ => self.fresh_value(receiver, frame),
        };
        if own_container {
            return true;
        }
        // `self.helper(...)`: the method of the function's class or a project base.
        if receiver.as_name() == Some("self")
            && let Some((f, class)) = frame.class
        {
            if let Some((mf, mc, m)) = find_method(model, f, class, attr) {
                return self.follow(mf, m, Some((mf, mc)), frame.self_fresh, depth + 1);
            }
        } else if let Some((f, class)) =
            crate::helpers::project_class_of(model, frame.file, &[frame.function], receiver)
                .or_else(|| {
                    receiver
                        .as_name()
                        .and_then(|n| module_object_class(model, frame.file, n))
                })
            && let Some((mf, mc, m)) = find_method(model, f, class, attr)
        {
            return self.follow(mf, m, Some((mf, mc)), false, depth + 1);
        }
        self.reads |= self.stored(receiver, frame);
        if matches!(attr, "execute" | "exec_driver_sql") {
            return call.args.first().is_some_and(|q| self.selects(q, frame));
        }
        READ_METHODS.contains(&attr) || self.every_definition_reads(receiver, attr, frame, depth)
    }

    /// `worker.get_status()` on an object whose class is set at run time (a module slot filled
    /// under `global`, an entry of a module-level registry): the method reads only when every
    /// project class defining it only reads. Not a library object's (its receiver resolves
    /// through an import) and not a name the project does not define.
    fn every_definition_reads(
        &mut self,
        receiver: &'a Expr,
        attr: &str,
        frame: &Frame<'a>,
        depth: u32,
    ) -> bool {
        let model = self.model;
        let module = &model.files[frame.file];
        let Some(root) = receiver.as_name() else {
            return false;
        };
        if attr.starts_with("__")
            || module.imports.get(root).is_some()
            || module.imports.resolve(receiver).is_some()
        {
            return false;
        }
        let mut found = 0usize;
        for (f, source) in model.files.iter().enumerate() {
            for stmt in source.body() {
                let Stmt::ClassDef(class) = stmt else {
                    continue;
                };
                for m in &class.body {
                    let Stmt::FunctionDef(def) = m else {
                        continue;
                    };
                    if def.name != attr {
                        continue;
                    }
                    found = found.saturating_add(1);
                    if found > 4 || !self.follow(f, def, Some((f, class)), false, depth + 1) {
                        return false;
                    }
                }
            }
        }
        found > 0
    }

    /// A query that only reads: `select(...)` (also refined: `select(User).where(...)`), or a
    /// `SELECT` statement's text.
    fn selects(&self, q: &Expr, frame: &Frame) -> bool {
        let imports = &self.model.files[frame.file].imports;
        let mut root = q;
        while let ExprKind::Call(c) = &root.kind {
            match &c.func.kind {
                ExprKind::Attribute { value, .. } if value.as_call().is_some() => root = value,
                _ => break,
            }
        }
        let select_text = |e: &Expr| {
            e.as_str().is_some_and(|s| {
                let s = s.trim_start();
                s.get(..6).is_some_and(|w| w.eq_ignore_ascii_case("select"))
            })
        };
        match &root.kind {
            ExprKind::Call(c) => {
                imports.resolves_to(
                    &c.func,
                    &[
                        "sqlalchemy.select",
                        "sqlalchemy.sql.select",
                        "sqlalchemy.sql.expression.select",
                        "sqlalchemy.future.select",
                        "sqlmodel.select",
                    ],
                ) || imports.resolves_to(&c.func, &["sqlalchemy.text", "sqlalchemy.sql.text"])
                    && c.args.first().is_some_and(select_text)
            }
            _ => select_text(root),
        }
    }

    /// A project class built: its constructor (from the class or a project base) is followed
    /// with `self` the new object; a class with none builds a plain object.
    fn construct(&mut self, file: usize, class: &'a Class, depth: u32) -> bool {
        match find_method(self.model, file, class, "__init__") {
            Some((f, c, init)) => self.follow(f, init, Some((f, c)), true, depth + 1),
            None => true,
        }
    }

    /// A project function or method, judged like the handler; its parameters hold its
    /// caller's values, not its own.
    fn follow(
        &mut self,
        file: usize,
        def: &'a Function,
        class: Option<(usize, &'a Class)>,
        self_fresh: bool,
        depth: u32,
    ) -> bool {
        let key = def as *const Function;
        if self.visited.contains(&key) {
            return true;
        }
        if depth > MAX_DEPTH || self.visited.len() >= MAX_FUNCTIONS || stub_body(&def.body) {
            return false;
        }
        // Only decorators that change no behaviour; another wraps it in code not judged here.
        let imports = &self.model.files[file].imports;
        if def.decorators.iter().any(|d| {
            !imports.resolves_to(
                d,
                &[
                    "builtins.staticmethod",
                    "builtins.classmethod",
                    "builtins.property",
                    "functools.cache",
                    "functools.lru_cache",
                    "functools.cached_property",
                ],
            )
        }) {
            return false;
        }
        self.visited.push(key);
        let mut frame = Frame::new(file, def, class);
        frame.self_fresh = self_fresh;
        self.block(&def.body, &mut frame, depth)
    }
}

/// The project class of the object a module-level name holds, when the module binds it
/// once (`name = None` aside), also under `if __name__ == "__main__":` and from a project
/// factory's returned tuple (`args, controller = create_controller()`, the factory returning
/// `args, controller` with `controller = Controller(...)`).
fn module_object_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    name: &str,
) -> Option<(usize, &'a Class)> {
    fn visit<'a>(body: &'a [Stmt], name: &str, out: &mut Vec<(Option<usize>, &'a Expr)>) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    for t in targets {
                        match &t.kind {
                            ExprKind::Name(n)
                                if n == name && !matches!(value.kind, ExprKind::NoneLiteral) =>
                            {
                                out.push((None, value));
                            }
                            ExprKind::Tuple(items) | ExprKind::List(items) => {
                                if let Some(i) =
                                    items.iter().position(|x| x.as_name() == Some(name))
                                {
                                    out.push((Some(i), value));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                other => {
                    for child in other.child_bodies() {
                        visit(child, name, out);
                    }
                }
            }
        }
    }
    let mut bindings = Vec::new();
    visit(model.files[file].body(), name, &mut bindings);
    let [(index, value)] = bindings.as_slice() else {
        return None;
    };
    let call = value.as_call()?;
    match (index, model.resolve_definition(file, &call.func)?) {
        (None, (f, Some(Stmt::ClassDef(class)), _)) => Some((f, &**class)),
        (Some(i), (f, Some(Stmt::FunctionDef(factory)), _)) => {
            let mut found = None;
            routewarden_model::values::for_each_return(&factory.body, &mut |r| {
                if found.is_none()
                    && let Some(element) = r.elements().and_then(|items| items.get(*i))
                {
                    found = crate::helpers::project_class_of(model, f, &[&**factory], element);
                }
            });
            found
        }
        _ => None,
    }
}

/// `RESULTS`, `DEFAULT_LIMIT`: a constant by its name.
fn constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_ascii_lowercase())
}

/// A body that does nothing (`pass`, `...`, a docstring, `raise NotImplementedError`): a stub
/// or an abstract method, whose real code is elsewhere.
fn stub_body(body: &[Stmt]) -> bool {
    body.iter().all(|s| match s {
        Stmt::Expr { value, .. } => {
            value.is_string_literal() || matches!(value.kind, ExprKind::Ellipsis)
        }
        Stmt::Other { kind, .. } => *kind == OtherKind::Inert,
        Stmt::Raise { exc, .. } => exc.as_ref().is_some_and(|e| {
            e.as_call().map_or(e, |c| &c.func).last_name() == Some("NotImplementedError")
        }),
        _ => false,
    })
}

/// Whether `name` is a function defined in `body` (at any depth of its own statements).
fn nested_function(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|s| match s {
        Stmt::FunctionDef(f) => f.name == name,
        Stmt::ClassDef(_) => false,
        other => other.child_bodies().any(|b| nested_function(b, name)),
    })
}

/// `open(path)` or `open(path, "rb")`: no mode that writes.
fn opens_for_reading(call: &Call) -> bool {
    match call.argument("mode", 1) {
        None => true,
        Some(mode) => mode
            .as_str()
            .is_some_and(|m| !m.contains(['w', 'a', 'x', '+'])),
    }
}

/// An outbound request that sends nothing: `requests.get(url)`, `httpx.head(url)`, or a
/// `requests.post(url, timeout=5)` with no body. What another service does with a question
/// is its own to authenticate; a body may carry a change.
fn asks_only(qualified: &str, call: &Call) -> bool {
    let Some((_, verb)) = qualified.rsplit_once('.') else {
        return false;
    };
    let sends = call.args.len() > 1
        || call.has_kwargs_spread()
        || call.keywords.iter().any(|k| {
            matches!(
                k.arg.as_deref(),
                Some("data" | "json" | "files" | "content" | "params")
            )
        });
    match verb {
        "get" | "head" | "options" => true,
        "post" => !sends,
        _ => false,
    }
}

/// A call of the outside world known to only read, compute or answer, by qualified name; for
/// an answer, only one of [`ANSWER_CALLS`] and [`ANSWER_PREFIXES`].
fn listed_read(q: &str, answers: bool) -> bool {
    ANSWER_CALLS.contains(&q)
        || ANSWER_PREFIXES.iter().any(|p| q.starts_with(p))
        || !answers && (READ_CALLS.contains(&q) || READ_PREFIXES.iter().any(|p| q.starts_with(p)))
}

/// A callee of the outside world an answer may call: one of [`ANSWER_CALLS`] and
/// [`ANSWER_PREFIXES`] by qualified name (a builtin only while the module does not define the
/// name itself). AUTH001's protocol answers take their calls from the same list.
pub(crate) fn answer_callee(module: &SourceModule, func: &Expr) -> bool {
    let shadowed = func
        .as_name()
        .is_some_and(|n| module.top_level(n).is_some());
    !shadowed
        && module
            .imports
            .resolve(func)
            .is_some_and(|q| listed_read(&q, true))
        || bare_read_builtin(module, func, true)
}

/// A builtin [`listed_read`] by its bare name (not every builtin has a qualified name in the
/// import tables).
fn bare_read_builtin(module: &SourceModule, func: &Expr, answers: bool) -> bool {
    func.as_name().is_some_and(|n| {
        let builtin = |q: &&str| q.strip_prefix("builtins.") == Some(n);
        module.imports.get(n).is_none()
            && module.top_level(n).is_none()
            && (ANSWER_CALLS.iter().any(builtin) || !answers && READ_CALLS.iter().any(builtin))
    })
}

/// Whether a chain on a Starlette request parameter reads what the caller sent: its body
/// (`request.json()`, `body()`, `form()`) or a value of this request alone (`headers`,
/// `query_params`, `cookies`, `url`, `client`, `method`), not the application and state it
/// reaches (`request.app.state`, `request.session`, `request.scope`).
fn reads_request_data(e: &Expr, request: &[&str]) -> bool {
    // The attribute right after the request's name, and whether it is called directly.
    let mut first: Option<&str> = None;
    let mut called = false;
    let mut cur = e;
    loop {
        match &cur.kind {
            ExprKind::Attribute { value, attr } => {
                if value.as_name().is_some() {
                    first = Some(attr);
                }
                cur = value;
            }
            ExprKind::Subscript { value, .. } => cur = value,
            ExprKind::Call(call) => {
                if let ExprKind::Attribute { value, .. } = &call.func.kind
                    && value.as_name().is_some()
                {
                    called = true;
                }
                cur = &call.func;
            }
            ExprKind::Name(n) => {
                if !request.contains(&n.as_str()) {
                    return false;
                }
                break;
            }
            _ => return false,
        }
    }
    // `request.json` itself, as the callee being judged, is a body read.
    let direct_method =
        matches!(&e.kind, ExprKind::Attribute { value, .. } if value.as_name().is_some());
    match first {
        None => false,
        Some("json" | "body" | "form") => called || direct_method,
        Some(a) => matches!(
            a,
            "headers" | "query_params" | "cookies" | "url" | "base_url" | "client" | "method"
        ),
    }
}

/// A callee that answers a new value of its own: a method of a literal (`b"".join`), a
/// conversion (`json.dumps`, `base64.b64encode`, `str`). Not a request read: what it answers
/// (an uploaded file) may have methods that write.
fn answers_new_value(module: &SourceModule, func: &Expr) -> bool {
    if let ExprKind::Attribute { value, .. } = &func.kind
        && value.root_name().is_none()
        && !matches!(value.kind, ExprKind::Call(_))
    {
        return true;
    }
    answer_callee(module, func)
        && !module
            .imports
            .resolve(func)
            .is_some_and(|q| reads_request_global(&q))
}

/// A qualified name below a Flask-like framework's request object (`flask.request.get_json`).
fn reads_request_global(q: &str) -> bool {
    REQUEST_GLOBALS
        .iter()
        .any(|r| q.strip_prefix(r).is_some_and(|rest| rest.starts_with('.')))
}
