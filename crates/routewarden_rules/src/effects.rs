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
//! The analysis is costly: call it only for a finding about to be reported.

use crate::helpers::is_logging_call;
use crate::untrusted::resolve_callee;
use routewarden_model::ProjectModel;
use routewarden_model::apps::{RouteDecl, class_of_method, find_method};
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Function, OtherKind, Stmt};

/// How deep project calls are followed.
const MAX_DEPTH: u32 = 4;
/// How many project functions one handler's judgement may read.
const MAX_FUNCTIONS: usize = 32;

/// Calls of the outside world that only read, compute or answer, by qualified name.
const READ_CALLS: &[&str] = &[
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
    "builtins.filter",
    "builtins.all",
    "builtins.any",
    "builtins.isinstance",
    "builtins.issubclass",
    "builtins.hasattr",
    "builtins.getattr",
    "builtins.callable",
    "builtins.min",
    "builtins.max",
    "builtins.sum",
    "builtins.abs",
    "builtins.round",
    "builtins.divmod",
    "builtins.zip",
    "builtins.enumerate",
    "builtins.range",
    "builtins.repr",
    "builtins.format",
    "builtins.ord",
    "builtins.chr",
    "builtins.hash",
    "builtins.id",
    "builtins.type",
    "builtins.iter",
    "builtins.next",
    "builtins.print",
    "builtins.object",
    "builtins.super",
    "json.loads",
    "json.dumps",
    "flask.jsonify",
    "flask.json.jsonify",
    "flask.json.dumps",
    "flask.json.loads",
    "flask.render_template",
    "flask.render_template_string",
    "flask.url_for",
    "flask.abort",
    "flask.redirect",
    "flask.make_response",
    "flask.Response",
    "flask.current_app.config.get",
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
    "os.getenv",
    "os.environ.get",
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

/// Modules and objects of the outside world whose every function only reads or computes.
const READ_PREFIXES: &[&str] = &[
    "flask.request.",
    "flask.globals.request.",
    "werkzeug.exceptions.",
    "werkzeug.datastructures.",
    "fastapi.HTTPException",
    "fastapi.exceptions.",
    "fastapi.responses.",
    "starlette.responses.",
    "starlette.exceptions.",
    "sqlalchemy.func.",
    "urllib.parse.",
    "six.moves.urllib.parse.",
    "base64.",
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

/// Calls among [`READ_CALLS`] that read the application's data (its files), not only
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
    let mut walk = Walk {
        model,
        visited: vec![handler as *const Function],
        reads: false,
    };
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
    let mut frame = Frame {
        file,
        function: handler,
        class,
        fresh: Vec::new(),
        self_fresh: false,
    };
    // A handler that reads none of the application's data (`return {"ok": True}`, `pass`,
    // an echo of the request) is a sketch's stand-in for the write its method announces, not
    // a query.
    walk.block(&handler.body, &mut frame, 0) && walk.reads
}

struct Walk<'a> {
    model: &'a ProjectModel,
    /// Functions already judged or being judged (a recursion is taken as judged).
    visited: Vec<*const Function>,
    /// Whether the application's data is read (not only the request), or another service.
    reads: bool,
}

/// The function being read.
struct Frame<'a> {
    file: usize,
    function: &'a Function,
    /// The class whose method this is, for `self.method(...)`.
    class: Option<(usize, &'a Class)>,
    /// Locals bound to values the function built (a literal, a comprehension, a new
    /// container): changing them changes nothing that outlives the call.
    fresh: Vec<&'a str>,
    /// `self` is the object being built (a constructor the function's caller called).
    self_fresh: bool,
}

impl<'a> Walk<'a> {
    fn block(&mut self, body: &'a [Stmt], frame: &mut Frame<'a>, depth: u32) -> bool {
        body.iter().all(|s| self.stmt(s, frame, depth))
    }

    fn stmt(&mut self, stmt: &'a Stmt, frame: &mut Frame<'a>, depth: u32) -> bool {
        match stmt {
            // A nested function is judged where it is defined, as if it ran.
            Stmt::FunctionDef(f) => {
                let mut inner = Frame {
                    file: frame.file,
                    function: f,
                    class: frame.class,
                    fresh: Vec::new(),
                    self_fresh: false,
                };
                f.decorators.is_empty() && self.block(&f.body, &mut inner, depth)
            }
            Stmt::ClassDef(_) => false,
            Stmt::Return { value, .. } => value.as_ref().is_none_or(|v| self.expr(v, frame, depth)),
            Stmt::Raise { exc, cause, .. } => {
                exc.as_ref().is_none_or(|v| self.expr(v, frame, depth))
                    && cause.as_ref().is_none_or(|v| self.expr(v, frame, depth))
            }
            Stmt::Expr { value, .. } => value.is_string_literal() || self.expr(value, frame, depth),
            Stmt::Assign { targets, value, .. } => {
                let Some(value) = value else {
                    return true;
                };
                if !self.expr(value, frame, depth) {
                    return false;
                }
                targets.iter().all(|t| match (&t.kind, &value.kind) {
                    // `dirs, files = [], []`: each name takes its own value.
                    (
                        ExprKind::Tuple(names) | ExprKind::List(names),
                        ExprKind::Tuple(values) | ExprKind::List(values),
                    ) if names.len() == values.len() => {
                        names.iter().zip(values.iter()).all(|(n, v)| {
                            let fresh = self.fresh_value(v, frame);
                            self.target(n, frame, fresh, depth)
                        })
                    }
                    _ => {
                        let fresh = self.fresh_value(value, frame);
                        self.target(t, frame, fresh, depth)
                    }
                })
            }
            Stmt::AugAssign { target, value, .. } => {
                // `total += n` on a local keeps what it was; on a part, the part's owner counts.
                let fresh = target.as_name().is_some_and(|n| frame.fresh.contains(&n));
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
                // The loop's names hold what it iterates, which the function may not own.
                self.expr(iter, frame, depth)
                    && self.target(target, frame, false, depth)
                    && self.block(body, frame, depth)
                    && self.block(orelse, frame, depth)
            }
            Stmt::With { items, body, .. } => {
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
            Stmt::Match { subject, cases, .. } => {
                self.expr(subject, frame, depth)
                    && cases.iter().all(|c| self.block(c, frame, depth))
            }
            Stmt::Import { .. } | Stmt::ImportFrom { .. } => true,
            Stmt::Other { kind, .. } => *kind == OtherKind::Inert,
        }
    }

    /// An assignment target: a local, or a part of a value the function built.
    fn target(&mut self, t: &'a Expr, frame: &mut Frame<'a>, fresh: bool, depth: u32) -> bool {
        match &t.kind {
            ExprKind::Name(n) => {
                frame.fresh.retain(|f| f != n);
                if fresh {
                    frame.fresh.push(n);
                }
                true
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().all(|i| self.target(i, frame, false, depth))
            }
            ExprKind::Starred(inner) => self.target(inner, frame, false, depth),
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
            let mut head = e;
            loop {
                head = match &head.kind {
                    ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } => value,
                    ExprKind::Call(c) => &c.func,
                    _ => break,
                };
            }
            model.project_definition(frame.file, head).is_some()
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

    /// An expression whose calls all change nothing.
    fn expr(&mut self, e: &'a Expr, frame: &Frame<'a>, depth: u32) -> bool {
        let mut calls: Vec<&Call> = Vec::new();
        let mut reads = false;
        e.any(&mut |x| {
            match &x.kind {
                ExprKind::Call(c) => calls.push(c),
                // `worker.context_len`, `request.form["q"]`: a value from outside the function.
                // Not a module constant (`const.RESULTS["OK"]`): a fixed answer.
                ExprKind::Attribute { value, attr } => {
                    reads |= value.as_name().is_some()
                        && !constant_name(attr)
                        && self.stored(value, frame);
                }
                ExprKind::Subscript { value, .. } => {
                    reads |= value
                        .as_name()
                        .is_some_and(|n| !constant_name(n) && self.stored(value, frame));
                }
                _ => {}
            }
            false
        });
        self.reads |= reads;
        calls.into_iter().all(|c| self.call(c, frame, depth))
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
                if READ_CALLS.contains(&q.as_str())
                    || READ_PREFIXES.iter().any(|p| q.starts_with(p))
                {
                    self.reads |= DATA_READS.contains(&q.as_str());
                    return true;
                }
                if HTTP_CLIENTS.iter().any(|p| q.starts_with(p)) {
                    self.reads = true;
                    return asks_only(&q, call);
                }
            }
        }
        // A builtin by its bare name (not every builtin has a qualified name in the import
        // tables).
        if let Some(n) = func.as_name()
            && imports.get(n).is_none()
            && module.top_level(n).is_none()
            && READ_CALLS
                .iter()
                .any(|q| q.strip_prefix("builtins.") == Some(n))
        {
            return true;
        }
        if is_logging_call(module, call) {
            return true;
        }
        self.method_call(call, frame, depth)
    }

    /// `receiver.method(...)`: a method of a value the function built, of a project object
    /// (followed), `execute` of a query, or a method known to read.
    fn method_call(&mut self, call: &'a Call, frame: &Frame<'a>, depth: u32) -> bool {
        let ExprKind::Attribute {
            value: receiver,
            attr,
        } = &call.func.kind
        else {
            return false;
        };
        let model = self.model;
        // Cookies are the browser's state.
        if matches!(attr.as_str(), "set_cookie" | "delete_cookie") {
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
        if matches!(attr.as_str(), "execute" | "exec_driver_sql") {
            return call.args.first().is_some_and(|q| self.selects(q, frame));
        }
        READ_METHODS.contains(&attr.as_str())
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
        let mut frame = Frame {
            file,
            function: def,
            class,
            fresh: Vec::new(),
            self_fresh,
        };
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
