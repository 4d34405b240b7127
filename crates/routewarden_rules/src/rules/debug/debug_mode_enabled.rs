use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::{
    FLASK_APP_CLASSES, field_default, for_each_call, host_binds_public, instance_class_in_blocks,
    is_enabled, is_flask_app, is_flask_config, is_non_production_module, is_non_production_name,
    is_settings_class, is_truthy_literal, loads_itself_as_config, mapping_items_in,
    production_value, resolve_value_in_blocks, setdefault_item, subscript_key, under_debug_guard,
};
use crate::rule::{Rule, RuleMeta, Severity};
use routewarden_model::ProjectModel;
use routewarden_model::apps::ObjectId;
use routewarden_model::config::ConfigTarget;
use routewarden_model::security::walk_stmts;
use routewarden_python::ast::{Call, Expr, ExprKind, Function, ParamKind, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// Debug mode switched on in code. Forms: `FastAPI(debug=True)` and `Starlette(debug=True)` (also
    /// of a subclass), Flask's `app.run(debug=True)` (also positional) and Flask-SocketIO's
    /// `socketio.run(app, debug=True)`, `app.debug = True`, `app.config["DEBUG"] = True`,
    /// `app.config.update(DEBUG=True)`, `from_mapping(DEBUG=True)` and `setdefault("DEBUG", True)`
    /// (also with a mapping bound to a name), `DEBUG = True` in a configuration class
    /// production loads (loaded with `config.from_object`, or named `*Config`/`*Settings`;
    /// reported where it is assigned, also when a production subclass inherits it) or at the top
    /// of a module loaded with `from_object`/`from_pyfile`, a pydantic settings field `debug` that
    /// defaults to `True`, and `FLASK_DEBUG` or `FLASK_ENV=development` set through
    /// `os.environ[...]`, `setdefault`, `update` or `os.putenv`. The application object may have
    /// any name, come from a factory or another module (also when bound inside `if __name__ ==
    /// "__main__":`, as in `app = create_app(); app.run(debug=True)`), be an instance of a
    /// project subclass of `Flask` or of Eve's `Eve` (a Flask subclass), and the framework may
    /// be imported under any alias, also be kept on an instance
    /// (`self.flask_app.run(debug=self.debug)`, where the constructor's `debug` parameter
    /// defaults to `True`); `True` (or a truthy string such as `"True"`) may come through a
    /// constant or a variable, or be a parameter of the function that runs or builds the
    /// application: reported when every call of that function in the project (outside test
    /// code) turns the parameter on, a call that leaves it out giving its default
    /// (`def serve(debug=True)` called as `serve()`; `Runner(use_debug=debug)` called by a
    /// function whose own `debug` defaults to `"True"`), or, when the project never calls the
    /// function, when its default does. A parameter set again only under an `if` (`if
    /// config.has_section("app"): debug = ...`) keeps its value where the `if` is not entered.
    ///
    /// The finding is critical when the `run` call binds every interface (`host="0.0.0.0"`, also
    /// held in a variable, or a command-line option whose default is `"0.0.0.0"`: argparse's
    /// `add_argument`, optparse's `add_option`, a click option's parameter; an environment
    /// variable read with that default, `os.environ.get("HOST", "0.0.0.0")` or `os.getenv`,
    /// which applies while the variable is unset, or given it with `or "0.0.0.0"`; a parameter whose default is `"0.0.0.0"`,
    /// followed to the callers as the debug switch is: `def serve(host="0.0.0.0")` called
    /// without a host, or never called), or, for the other
    /// forms, when the same file starts a server on every interface, or when any `run` in the
    /// project serves on every interface the application whose configuration is set: the one
    /// `app.config["DEBUG"]`/`app.debug` belong to, or one that loads the configuration module
    /// or class with `from_object` (`app.run(host=opts.host)` in a launcher module, `--host`
    /// defaulting to `"0.0.0.0"`). Development runs under `if __name__ == "__main__":` are reported like any
    /// other: the block runs whenever the module is started with `python app.py`, which is how
    /// such servers end up on shared hosts and containers.
    ///
    /// Not reported: configuration classes and modules named for development, testing or local
    /// use (`DevelopmentConfig`, `config/local.py`), a base class whose production subclasses
    /// all assign `DEBUG` again, and code in an `if` that runs only when debug is already on
    /// (`if app.debug:`, `if settings.DEBUG:`, `if in_debug_mode():`), and `config["DEBUG"] =
    /// True` in a function that also sets `config["TESTING"] = True` (an application built for
    /// a test suite), and an application created with `debug=True` that the module binds to
    /// another application before anything reads it (`APP = Starlette(debug=True)`, later
    /// `APP = Starlette(routes=routes)`: the first is never served), and a Flask application's
    /// switch (`app.debug = True`, its `DEBUG` setting) when the project serves the application
    /// with another WSGI server (gevent's `pywsgi.WSGIServer`, `waitress.serve` without
    /// `expose_tracebacks`, cheroot, `cherrypy.tree.graft`, also of each application a module's
    /// registry dict was given: `for path, (app, _) in _registry.items(): graft(app, path)`)
    /// and never runs it with Werkzeug
    /// (`app.run`, `run_simple`): the switch starts the debugger only through `run`, and those
    /// servers answer an unhandled error with a bare 500. Other test code is analysed like any other; silence it with
    /// `per-file-ignores`.
    ///
    /// ## Why is this dangerous
    /// In debug mode Starlette and FastAPI send the full traceback of every unhandled error,
    /// with source lines and local values, to whoever made the request. Flask's debug mode also
    /// starts the Werkzeug debugger, which lets anyone who can reach it and guess or read its PIN
    /// run arbitrary Python on the server. Bound to `0.0.0.0`, that is anyone on the network.
    ///
    /// ## Example
    /// ```python
    /// from flask import Flask
    ///
    /// app = Flask(__name__)
    ///
    /// if __name__ == "__main__":
    ///     app.run(host="0.0.0.0", debug=True)
    /// ```
    ///
    /// ## Fix
    /// Leave debug off in code and turn it on only for local development, from the environment:
    /// ```python
    /// app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
    /// ```
    /// or run with `flask --app app run --debug` on a developer machine. For FastAPI, read the
    /// flag from settings whose default is `False`.
    pub static DEBUG_MODE_ENABLED = {
        code: "DEBUG001",
        name: "debug-mode-enabled",
        severity: High,
        confidence: High,
        cwe: 489,
        fix: "Turn debug mode off in code; enable it only from the environment on a developer machine",
    }
}

pub struct DebugModeEnabled;

const ASGI_APPS: &[&str] = &[
    "fastapi.FastAPI",
    "fastapi.applications.FastAPI",
    "starlette.applications.Starlette",
    "starlette.Starlette",
];

/// Classes whose `run(app, debug=True)` starts Flask's development server in debug mode.
const FLASK_RUNNERS: &[&str] = &["flask_socketio.SocketIO"];

const ASGI_SERVERS: &[&str] = &["uvicorn.run", "uvicorn.main.run"];

/// WSGI servers other than Werkzeug's, which answer an unhandled error with a bare 500: the
/// callee, and the name and position of the application argument. Waitress counts only while
/// its `expose_tracebacks` is off.
const PLAIN_WSGI_SERVERS: &[(&str, &str, usize)] = &[
    ("gevent.pywsgi.WSGIServer", "application", 1),
    ("waitress.serve", "app", 0),
    ("cheroot.wsgi.Server", "wsgi_app", 1),
    ("cheroot.wsgi.WSGIServer", "wsgi_app", 1),
    ("cherrypy.tree.graft", "wsgi_callable", 0),
];

impl Rule for DebugModeEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &DEBUG_MODE_ENABLED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        // Following the callee to a class costs more than the keyword test: do it last.
        let debug_keyword = call.keyword("debug");
        if debug_keyword.is_some()
            && cx
                .model
                .class_name(cx.file_index, &call.func)
                .is_some_and(|q| ASGI_APPS.contains(&q.as_str()))
        {
            let through = debug_keyword.and_then(|d| {
                if is_enabled(cx, d) {
                    return Some(String::new());
                }
                on_by_default(cx.model, cx.file_index, &cx.functions, d, 0)
                    .map(|how| how.map(|how| format!(" ({how})")).unwrap_or_default())
            });
            if let Some(through) = through
                && !replaced_unused(cx, expr)
            {
                report(
                    cx,
                    expr.span,
                    format!(
                        "application created with debug=True{through}: tracebacks are sent to clients"
                    ),
                    out,
                );
            }
            return;
        }
        if cx.resolves_to(&call.func, &["os.putenv"]) {
            if let Some(message) = setdefault_item(call).and_then(|(k, v)| flask_env_message(k, v))
            {
                report(cx, expr.span, message, out);
            }
            return;
        }
        let Some((receiver, attr)) = call.method() else {
            return;
        };
        match attr {
            "run" => check_run(cx, expr, receiver, call, out),
            "update" | "from_mapping" | "setdefault" if is_flask_config(cx, receiver) => {
                let items: Vec<(&str, &Expr)> = if attr == "setdefault" {
                    setdefault_item(call).into_iter().collect()
                } else {
                    mapping_items_in(cx, call)
                        .into_iter()
                        .map(|(k, v, _)| (k, v))
                        .collect()
                };
                if items
                    .iter()
                    .any(|(key, value)| *key == "DEBUG" && is_enabled(cx, value))
                {
                    report_served(
                        cx,
                        expr.span,
                        format!("configuration sets DEBUG=True through {attr}()"),
                        || config_owner(cx, receiver),
                        out,
                    );
                }
            }
            "setdefault" | "update" if is_os_environ(cx, receiver) => {
                let items: Vec<(&str, &Expr)> = if attr == "setdefault" {
                    setdefault_item(call).into_iter().collect()
                } else {
                    mapping_items_in(cx, call)
                        .into_iter()
                        .map(|(k, v, _)| (k, v))
                        .collect()
                };
                if let Some(message) = items.iter().find_map(|(k, v)| flask_env_message(k, v)) {
                    report(cx, expr.span, message, out);
                }
            }
            _ => {}
        }
    }

    fn on_stmt(&self, cx: &FileContext, stmt: &Stmt, out: &mut Findings) {
        let Stmt::Assign {
            targets,
            value: Some(value),
            span,
            ..
        } = stmt
        else {
            return;
        };
        for target in targets {
            match &target.kind {
                ExprKind::Attribute { value: app, attr } if attr == "debug" => {
                    let is_app = is_flask_app(cx, app)
                        || cx
                            .instance_class(app)
                            .is_some_and(|c| ASGI_APPS.contains(&c.as_str()));
                    if is_app && is_enabled(cx, value) {
                        report_served(
                            cx,
                            *span,
                            "application debug attribute set to True".into(),
                            || object_of(cx, app),
                            out,
                        );
                    }
                }
                ExprKind::Subscript { .. } => {
                    let Some((mapping, key)) = subscript_key(target) else {
                        continue;
                    };
                    if key == "DEBUG"
                        && is_flask_config(cx, mapping)
                        && is_enabled(cx, value)
                        && !configured_for_testing(cx)
                    {
                        report_served(
                            cx,
                            *span,
                            "configuration sets DEBUG=True".into(),
                            || config_owner(cx, mapping),
                            out,
                        );
                    } else if is_os_environ(cx, mapping)
                        && let Some(message) = flask_env_message(key, value)
                    {
                        report(cx, *span, message, out);
                    }
                }
                ExprKind::Name(name) => {
                    if let Some((message, loaded)) = config_debug(cx, *span, name, value) {
                        report_served(cx, *span, message, || loading_apps(cx, &loaded), out);
                    }
                }
                _ => {}
            }
        }
    }
}

/// `app.run(debug=True)` on a Flask-style app or a Flask-SocketIO server.
fn check_run(cx: &FileContext, expr: &Expr, receiver: &Expr, call: &Call, out: &mut Findings) {
    let (debug, host) = if is_flask_app(cx, receiver) {
        (call.argument("debug", 2), call.argument("host", 0))
    } else if instance_class_in_blocks(cx.model, cx.file_index, &cx.functions, receiver)
        .is_some_and(|c| FLASK_RUNNERS.contains(&c.as_str()))
    {
        (call.keyword("debug"), call.argument("host", 1))
    } else {
        return;
    };
    let Some(debug) = debug else {
        return;
    };
    // The parameters followed last: they may lead to the function's callers.
    let through = if is_enabled(cx, debug) {
        String::new()
    } else {
        match on_by_default(cx.model, cx.file_index, &cx.functions, debug, 0) {
            Some(how) => how.map(|how| format!(" ({how})")).unwrap_or_default(),
            None => return,
        }
    };
    if !reported_here(cx, expr.span) {
        return;
    }
    // The host followed as the switch is: a parameter defaulting to every interface
    // (`def serve(host="0.0.0.0")`), which callers may leave out.
    if let Some(how) =
        host.and_then(|h| public_by_default(cx.model, cx.file_index, &cx.functions, h))
    {
        let how = how.map(|how| format!(" ({how})")).unwrap_or_default();
        out.report_with_severity(
            &DEBUG_MODE_ENABLED,
            expr.span,
            format!("server runs with debug=True{through} on every interface{how}: the Werkzeug debugger is reachable from the network"),
            Severity::Critical,
        );
    } else {
        out.report(
            &DEBUG_MODE_ENABLED,
            expr.span,
            format!("server runs with debug=True{through}: the Werkzeug debugger is enabled"),
        );
    }
}

/// How many levels of callers a parameter is followed through.
const MAX_CALLER_LEVELS: u32 = 3;

/// Whether `value`, written in `file` within the functions `scope`, is on when nothing is
/// configured: `Some(None)` for a truthy literal (also through names), `Some(Some(how))` for a
/// parameter that is on (`def serve(debug=True)`, also one a constructor keeps on `self`), and
/// `None` otherwise. A parameter is on when every call of its function in the project gives
/// it a value that is on, a call that leaves it out giving its default; when the project never
/// calls the function (an entry point, a method called on an instance), its default decides.
/// A parameter set again only under an `if` keeps its value on the path that does not enter
/// it (`if config.has_section("app"): debug = ...`).
fn on_by_default<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &[&'m Function],
    value: &'m Expr,
    depth: u32,
) -> Option<Option<String>> {
    holds_by_default(
        model,
        file,
        scope,
        value,
        depth,
        &|model, file, scope, value| {
            is_truthy_literal(resolve_value_in_blocks(model, file, scope, value).expr)
        },
    )
}

/// Whether `host`, written in `file` within `scope`, binds every interface when nothing is
/// configured: as [`host_binds_public`] (a literal, an option or environment variable
/// defaulting to one), or a parameter whose default or every caller gives such a host
/// (`def serve(host="0.0.0.0")` called as `serve()`), as [`on_by_default`] follows `debug`.
fn public_by_default<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &[&'m Function],
    host: &'m Expr,
) -> Option<Option<String>> {
    holds_by_default(model, file, scope, host, 0, &|model, file, scope, value| {
        host_binds_public(model, file, scope, value)
    })
}

/// A test of a value written in a file within its enclosing functions.
type ValueTest<'m> = dyn Fn(&'m ProjectModel, usize, &[&'m Function], &'m Expr) -> bool;

/// A value `holds` of by itself (after following names), or a parameter it holds of by
/// default: see [`on_by_default`].
fn holds_by_default<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &[&'m Function],
    value: &'m Expr,
    depth: u32,
    holds: &ValueTest<'m>,
) -> Option<Option<String>> {
    if holds(model, file, scope, value) {
        return Some(None);
    }
    let origin = resolve_value_in_blocks(model, file, scope, value);
    let (origin_scope, name) = match origin.expr.as_name() {
        Some(name) => (origin.scope, name),
        // Assigned again in the function: only under an `if`, the parameter's value remains.
        None => {
            let name = value.as_name()?;
            let function = scope.last()?;
            if !function.params.iter().any(|p| p.name == name)
                || !assigned_only_under_if(&function.body, name)
            {
                return None;
            }
            (scope.to_vec(), name)
        }
    };
    let index = origin_scope
        .iter()
        .rposition(|f| f.params.iter().any(|p| p.name == name))?;
    let function = origin_scope[index];
    let param = function.params.iter().find(|p| p.name == name)?;
    if matches!(param.kind, ParamKind::VarArgs | ParamKind::VarKeywords) {
        return None;
    }
    let default_on = param
        .default
        .as_deref()
        .is_some_and(|d| holds(model, origin.file, &origin_scope[..index], d));
    let default_text = param
        .default
        .as_deref()
        .map(literal_text)
        .unwrap_or_default();
    let callee = callable_of(model, origin.file, function);
    let calls = match &callee {
        Some(callee) if depth < MAX_CALLER_LEVELS => {
            calls_of(model, origin.file, function, callee, name, param.kind)?
        }
        _ => Vec::new(),
    };
    let label = callee.as_ref().map_or(function.name.as_str(), |c| c.name);
    let defaults = format!("`{name}` of {label}() defaults to {default_text}");
    if calls.is_empty() {
        return default_on.then_some(Some(defaults));
    }
    let all_on = calls.iter().all(|call| match call.argument {
        None => default_on,
        Some(arg) => {
            holds_by_default(model, call.file, &call.scope, arg, depth + 1, holds).is_some()
        }
    });
    let how = if calls.iter().all(|call| call.argument.is_none()) {
        format!("{defaults} and no call changes it")
    } else {
        format!("every call of {label}() turns `{name}` on")
    };
    all_on.then_some(Some(how))
}

/// The source text of a simple literal, as written in Python: `True`, `'True'`, `1`.
fn literal_text(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Bool(true) => "True".into(),
        ExprKind::Bool(false) => "False".into(),
        ExprKind::Int(Some(i)) => i.to_string(),
        ExprKind::Str(s) => format!("{s:?}"),
        _ => "a truthy value".into(),
    }
}

/// Whether every assignment of `name` in `body` is inside an `if` (not in nested functions).
fn assigned_only_under_if(body: &[Stmt], name: &str) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::If { .. } | Stmt::FunctionDef(_) | Stmt::ClassDef(_) => true,
        Stmt::Assign { targets, .. } => !targets.iter().any(|t| binds(t, name)),
        Stmt::AugAssign { target, .. } => target.as_name() != Some(name),
        Stmt::For { target, .. } if binds(target, name) => false,
        other => other
            .child_bodies()
            .all(|child| assigned_only_under_if(child, name)),
    })
}

fn binds(target: &Expr, name: &str) -> bool {
    target.any(&mut |x| x.as_name() == Some(name))
}

/// How a project function is called: by its own name (a module-level function) or by its
/// class's (a module-level class's `__init__`, whose `self` the call does not pass).
struct Callable<'m> {
    name: &'m str,
    /// The statement the call's name resolves to.
    definition: Span,
    bound: bool,
}

fn callable_of<'m>(
    model: &'m ProjectModel,
    file: usize,
    function: &Function,
) -> Option<Callable<'m>> {
    for stmt in model.files[file].body() {
        match stmt {
            Stmt::FunctionDef(f) if f.span == function.span => {
                return Some(Callable {
                    name: f.name.as_str(),
                    definition: f.span,
                    bound: false,
                });
            }
            Stmt::ClassDef(c)
                if function.name == "__init__"
                    && c.body
                        .iter()
                        .any(|s| matches!(s, Stmt::FunctionDef(m) if m.span == function.span)) =>
            {
                return Some(Callable {
                    name: c.name.as_str(),
                    definition: c.span,
                    bound: true,
                });
            }
            _ => {}
        }
    }
    None
}

/// One call of a function: where it is, and the argument it gives the parameter followed
/// (`None` when it leaves it out).
struct CallSite<'m> {
    file: usize,
    scope: Vec<&'m Function>,
    argument: Option<&'m Expr>,
}

/// The calls of `callee` outside test code, with the argument each gives `param`; `None` when
/// a call spreads `*args`/`**kwargs` that may hold it.
fn calls_of<'m>(
    model: &'m ProjectModel,
    def_file: usize,
    function: &Function,
    callee: &Callable,
    param: &str,
    kind: ParamKind,
) -> Option<Vec<CallSite<'m>>> {
    let position = function
        .params
        .iter()
        .position(|p| p.name == param)?
        .checked_sub(usize::from(callee.bound));
    let mut sites = Vec::new();
    let mut unknown = false;
    for (file, source) in model.files_naming(def_file, callee.name) {
        if source.is_test() {
            continue;
        }
        for_each_call(source.body(), &mut Vec::new(), &mut |scope, _, call| {
            if unknown || call.func.last_name() != Some(callee.name) {
                return;
            }
            let Some((at, definition)) = model.project_definition(file, &call.func) else {
                return;
            };
            if at != def_file || definition.span() != callee.definition {
                return;
            }
            let argument = match (kind, position) {
                (ParamKind::Positional, Some(i)) => call.argument(param, i),
                (ParamKind::PositionalOnly, Some(i)) => call
                    .args
                    .iter()
                    .take_while(|a| !matches!(a.kind, ExprKind::Starred(_)))
                    .nth(i),
                _ => call.keyword(param),
            };
            let spread = call.has_kwargs_spread()
                || call
                    .args
                    .iter()
                    .any(|a| matches!(a.kind, ExprKind::Starred(_)));
            if argument.is_none() && spread {
                unknown = true;
                return;
            }
            sites.push(CallSite {
                file,
                scope: scope.to_vec(),
                argument,
            });
        });
        if unknown {
            return None;
        }
    }
    Some(sites)
}

/// `APP = Starlette(debug=True)` at module level, bound again to another application before
/// anything reads it: the debug instance is never served.
fn replaced_unused(cx: &FileContext, construction: &Expr) -> bool {
    let body = cx.file.body();
    let Some(index) = body.iter().position(
        |stmt| matches!(stmt, Stmt::Assign { value: Some(v), .. } if v.span == construction.span),
    ) else {
        return false;
    };
    let Stmt::Assign { targets, .. } = &body[index] else {
        return false;
    };
    let [target] = targets.as_slice() else {
        return false;
    };
    let Some(name) = target.as_name() else {
        return false;
    };
    for stmt in &body[index + 1..] {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && targets.iter().any(|t| t.as_name() == Some(name))
        {
            return !value.any(&mut |x| x.as_name() == Some(name));
        }
        let mentions = |e: &Expr| e.any(&mut |x| x.as_name() == Some(name));
        let reads = match stmt {
            Stmt::Assign { .. } | Stmt::Expr { .. } => {
                let mut reads = false;
                stmt.for_each_own_expr(&mut |e| reads |= mentions(e));
                reads
            }
            // Decorators and bases run when the statement does; bodies run later.
            Stmt::FunctionDef(f) => f.decorators.iter().any(mentions),
            Stmt::ClassDef(c) => c.decorators.iter().chain(c.bases.iter()).any(mentions),
            Stmt::Import { .. } | Stmt::ImportFrom { .. } => false,
            // A block: read anywhere inside it.
            _ => {
                let mut reads = false;
                routewarden_model::security::walk_exprs(std::slice::from_ref(stmt), &mut |e| {
                    reads |= mentions(e)
                });
                reads
            }
        };
        if reads {
            return false;
        }
    }
    false
}

/// Whether the enclosing function also sets `config["TESTING"] = True`: it builds an
/// application for a test suite (a pytest fixture), which never serves other people.
fn configured_for_testing(cx: &FileContext) -> bool {
    let Some(function) = cx.functions.last() else {
        return false;
    };
    let mut testing = false;
    walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        {
            testing |= targets.iter().any(|t| {
                subscript_key(t).is_some_and(|(mapping, key)| {
                    key == "TESTING" && is_flask_config(cx, mapping) && is_enabled(cx, value)
                })
            });
        }
    });
    testing
}

/// Not in a branch that runs only in debug mode.
fn reported_here(cx: &FileContext, span: Span) -> bool {
    !under_debug_guard(cx, span)
}

/// `DEBUG = True` in a configuration class or module production loads, or a pydantic settings
/// field `debug` defaulting to `True`: the message, and the classes or module whose loading
/// brings the value into an application.
fn config_debug(
    cx: &FileContext,
    span: Span,
    name: &str,
    value: &Expr,
) -> Option<(String, Vec<ConfigTarget>)> {
    // Every branch below is about a name spelt `debug` in some case: ask that first.
    if !name.eq_ignore_ascii_case("debug") || is_non_production_module(cx.model, cx.file_index) {
        return None;
    }
    match cx.in_class_body() {
        Some(class) if is_settings_class(cx, class) => {
            let default = field_default(cx.model, cx.file_index, value)?;
            (name.eq_ignore_ascii_case("debug")
                && !is_non_production_name(&class.name)
                && is_enabled(cx, default))
            .then(|| {
                (format!(
                    "settings field {}.{name} defaults to True: debug mode is on wherever the variable is unset",
                    class.name
                ), Vec::new())
            })
        }
        Some(class) => {
            if name != "DEBUG" || !is_enabled(cx, value) {
                return None;
            }
            let used = production_value(cx, name, cx.file_index, span)?;
            let loaded = loaded_classes(cx, class, &used.used_by);
            let message = if used.used_by == used.defined_in {
                format!("configuration class {} sets DEBUG = True", used.defined_in)
            } else {
                format!(
                    "configuration class {} sets DEBUG = True, which {} inherits",
                    used.defined_in, used.used_by
                )
            };
            Some((message, loaded))
        }
        None => {
            let top_level = cx.functions.is_empty();
            let loaded = top_level
                && name == "DEBUG"
                && is_enabled(cx, value)
                && (loads_itself_as_config(cx.model, cx.file_index)
                    || production_value(cx, name, cx.file_index, span).is_some());
            loaded.then(|| {
                (
                    format!(
                        "module {} is loaded as configuration and sets DEBUG = True",
                        cx.file.module_name
                    ),
                    vec![ConfigTarget::Module(cx.file_index)],
                )
            })
        }
    }
}

/// Reports a debug switch; critical when the same file also serves on every interface.
fn report(cx: &FileContext, span: Span, message: String, out: &mut Findings) {
    report_served(cx, span, message, Vec::new, out);
}

/// Reports a debug switch of the applications `apps` gives (the one whose configuration is
/// written, the ones that load a configuration module or class); critical when the same file
/// serves on every interface, or when a `run` anywhere in the project serves one of those
/// applications on every interface (`app.run(host=opts.host)` in the launcher, with the
/// option's default `"0.0.0.0"`).
fn report_served(
    cx: &FileContext,
    span: Span,
    message: String,
    apps: impl FnOnce() -> Vec<ObjectId>,
    out: &mut Findings,
) {
    if !reported_here(cx, span) {
        return;
    }
    let apps = apps();
    if served_without_werkzeug(cx, &apps) {
        return;
    }
    if file_binds_public(cx) {
        out.report_with_severity(
            &DEBUG_MODE_ENABLED,
            span,
            format!("{message}; the server binds every interface"),
            Severity::Critical,
        );
        return;
    }
    if let Some((file, at)) = public_run_of(cx, &apps) {
        let module = &cx.model.files[file];
        out.report_with_severity(
            &DEBUG_MODE_ENABLED,
            span,
            format!(
                "{message}; the application is served on every interface ({}:{})",
                module.display,
                module.position(at.start).row
            ),
            Severity::Critical,
        );
        return;
    }
    out.report(&DEBUG_MODE_ENABLED, span, message);
}

/// The application object `expr` denotes where the rule runs.
fn object_of(cx: &FileContext, expr: &Expr) -> Vec<ObjectId> {
    cx.surface
        .apps
        .resolve_object(cx.file_index, &cx.functions, expr)
        .into_iter()
        .collect()
}

/// The application whose configuration `mapping` is: `app` of `app.config`.
fn config_owner(cx: &FileContext, mapping: &Expr) -> Vec<ObjectId> {
    match &mapping.kind {
        ExprKind::Attribute { value, attr } if attr == "config" => object_of(cx, value),
        _ => Vec::new(),
    }
}

/// The loaded configuration classes through which `class` reaches production: itself, or the
/// loaded subclass `used_by` that inherits its value.
fn loaded_classes(
    cx: &FileContext,
    class: &routewarden_python::ast::Class,
    used_by: &str,
) -> Vec<ConfigTarget> {
    let mut targets = vec![ConfigTarget::Class(cx.file_index, class.span.start)];
    if used_by != class.name.as_str() {
        targets.extend(cx.config.loaded.iter().filter(|t| match t {
            ConfigTarget::Class(file, start) => cx.model.files[*file].body().iter().any(
                |s| matches!(s, Stmt::ClassDef(c) if c.span.start == *start && c.name.as_str() == used_by),
            ),
            ConfigTarget::Module(_) => false,
        }).cloned());
    }
    targets
}

/// The applications that load one of `targets` as configuration: the owners of the
/// `app.config.from_object(...)` calls (also through `config = app.config`).
fn loading_apps(cx: &FileContext, targets: &[ConfigTarget]) -> Vec<ObjectId> {
    let mut apps = Vec::new();
    for load in &cx.config.loads {
        if !load.targets.iter().any(|t| targets.contains(t)) {
            continue;
        }
        let model = cx.model;
        for_each_call(
            model.files[load.file].body(),
            &mut Vec::new(),
            &mut |scope, expr, call| {
                if expr.span != load.span {
                    return;
                }
                let ExprKind::Attribute { value: config, .. } = &call.func.kind else {
                    return;
                };
                let origin = model.resolve_value(load.file, scope, config);
                if let ExprKind::Attribute { value: owner, attr } = &origin.expr.kind
                    && attr == "config"
                    && let Some(id) =
                        cx.surface
                            .apps
                            .resolve_object(origin.file, &origin.scope, owner)
                {
                    apps.push(id);
                }
            },
        );
    }
    apps
}

/// A `run` call of the project (outside test code) that serves one of `apps` on every
/// interface: `app.run(host=...)` of a Flask-style application, `socketio.run(app, host=...)`.
/// Its file and span.
fn public_run_of(cx: &FileContext, apps: &[ObjectId]) -> Option<(usize, Span)> {
    if apps.is_empty() {
        return None;
    }
    let model = cx.model;
    let objects = &cx.surface.apps;
    let same = |id: &ObjectId| {
        apps.iter()
            .any(|a| a == id || objects.denotes(a, id) || objects.denotes(id, a))
    };
    for (file, module) in model.files.iter().enumerate() {
        // Most modules call no `run`.
        if module.is_test() || !module.parsed.attributes.may_contain("run") {
            continue;
        }
        let mut found = None;
        for_each_call(module.body(), &mut Vec::new(), &mut |scope, expr, call| {
            if found.is_some() {
                return;
            }
            let ExprKind::Attribute { value, attr } = &call.func.kind else {
                return;
            };
            if attr != "run" {
                return;
            }
            let (app, host) = match instance_class_in_blocks(model, file, scope, value) {
                Some(c) if FLASK_APP_CLASSES.contains(&c.as_str()) => {
                    (Some(value.as_ref()), call.argument("host", 0))
                }
                Some(c) if FLASK_RUNNERS.contains(&c.as_str()) => {
                    (call.argument("app", 0), call.argument("host", 1))
                }
                _ => return,
            };
            let (Some(app), Some(host)) = (app, host) else {
                return;
            };
            if public_by_default(model, file, scope, host).is_some()
                && objects
                    .resolve_object(file, scope, app)
                    .is_some_and(|id| same(&id))
            {
                found = Some((file, expr.span));
            }
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Whether each of `apps` (not empty) is served by one of [`PLAIN_WSGI_SERVERS`] in the
/// project's non-test code, and nothing runs it with Werkzeug: no `app.run`,
/// `socketio.run(app)`, `run_simple(host, port, app)` or `DebuggedApplication(app)` of it, nor
/// such a call on an application the analysis cannot name. Flask's debug switch starts the
/// debugger only through `run`; under another server it only lets errors reach that server,
/// which answers with a bare 500. Asked only for a switch about to be reported.
fn served_without_werkzeug<'m>(cx: &FileContext<'m>, apps: &[ObjectId]) -> bool {
    if apps.is_empty() {
        return false;
    }
    let model = cx.model;
    let objects = &cx.surface.apps;
    let same =
        |a: &ObjectId, id: &ObjectId| a == id || objects.denotes(a, id) || objects.denotes(id, a);
    let mut served = vec![false; apps.len()];
    for (file, module) in model.files.iter().enumerate() {
        // Most modules start no server.
        if module.is_test()
            || ![
                "run",
                "run_simple",
                "DebuggedApplication",
                "WSGIServer",
                "Server",
                "serve",
                "graft",
            ]
            .iter()
            .any(|w| module.may_mention(w))
        {
            continue;
        }
        // The application an argument names; `self.app` read in a method, followed to what
        // `__init__` stored there.
        let object = |scope: &[&'m Function], app: &'m Expr| {
            objects.resolve_object(file, scope, app).or_else(|| {
                let origin = model.follow(file, scope, app)?;
                objects.resolve_object(origin.file, &origin.scope, origin.expr)
            })
        };
        let mut werkzeug = false;
        for_each_call(module.body(), &mut Vec::new(), &mut |scope, _, call| {
            if werkzeug {
                return;
            }
            let callee = module.imports.resolve(&call.func);
            if let Some(&(server, name, position)) = callee
                .as_deref()
                .and_then(|q| PLAIN_WSGI_SERVERS.iter().find(|(s, ..)| *s == q))
            {
                let exposes = server == "waitress.serve"
                    && call
                        .keyword("expose_tracebacks")
                        .is_some_and(|v| !matches!(v.kind, ExprKind::Bool(false)));
                if !exposes && let Some(app) = call.argument(name, position) {
                    let ids: Vec<ObjectId> = match object(scope, app) {
                        Some(id) => vec![id],
                        // `for path, (app, _) in _registry.items(): cherrypy.tree.graft(app,
                        // path)`: the applications the registry was given.
                        None => registered_apps(model, file, scope, app)
                            .into_iter()
                            .filter_map(|(f, s, e)| objects.resolve_object(f, &s, e))
                            .collect(),
                    };
                    for id in &ids {
                        for (flag, app) in served.iter_mut().zip(apps) {
                            *flag |= same(app, id);
                        }
                    }
                }
                return;
            }
            let app = match callee.as_deref() {
                Some("werkzeug.serving.run_simple" | "werkzeug.run_simple") => {
                    call.argument("application", 2)
                }
                Some("werkzeug.debug.DebuggedApplication" | "werkzeug.DebuggedApplication") => {
                    call.argument("app", 0)
                }
                _ => match &call.func.kind {
                    ExprKind::Attribute { value, attr } if attr == "run" => {
                        match instance_class_in_blocks(model, file, scope, value) {
                            Some(c) if FLASK_APP_CLASSES.contains(&c.as_str()) => {
                                Some(value.as_ref())
                            }
                            Some(c) if FLASK_RUNNERS.contains(&c.as_str()) => {
                                call.argument("app", 0)
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                },
            };
            if let Some(app) = app {
                werkzeug = object(scope, app).is_none_or(|id| apps.iter().any(|a| same(a, &id)));
            }
        });
        if werkzeug {
            return false;
        }
    }
    served.iter().all(|s| *s)
}

/// The applications a loop variable of the function `scope` ends in stands for when the loop
/// walks a module-level registry dict, `for path, (app, _name) in _app_register.items():` (also
/// `.values()`): the values a function of the module stores in it (`_app_register[path] =
/// (application, name)`), each with its file and scope; a value that is a parameter of that
/// function (`def register_app(path, application, name)`) stands for the matching argument of
/// every call of it in the project (`register_app("/api", api_app, "API")`). Empty for any
/// other shape. Asked only for a server's argument the analysis could not name.
fn registered_apps<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &[&'m Function],
    var: &'m Expr,
) -> Vec<(usize, Vec<&'m Function>, &'m Expr)> {
    let mut out = Vec::new();
    let (Some(name), Some(function)) = (var.as_name(), scope.last()) else {
        return out;
    };
    // The registry and where the variable sits in each of its values: `None` for the whole
    // value, `Some(i)` for item `i` of a tuple value.
    let mut walked: Option<(&str, Option<usize>)> = None;
    walk_stmts(&function.body, &mut |stmt| {
        let Stmt::For { target, iter, .. } = stmt else {
            return;
        };
        let Some((receiver, method)) = iter
            .as_call()
            .filter(|c| c.args.is_empty())
            .and_then(|c| c.method())
        else {
            return;
        };
        let value = match (method, target.elements()) {
            ("items", Some([_, value])) => value,
            ("values", _) => target.as_ref(),
            _ => return,
        };
        let position = if value.as_name() == Some(name) {
            Some(None)
        } else {
            value
                .elements()
                .and_then(|items| items.iter().position(|i| i.as_name() == Some(name)))
                .map(Some)
        };
        if let (Some(position), Some(registry)) = (position, receiver.as_name()) {
            walked = Some((registry, position));
        }
    });
    let Some((registry, position)) = walked else {
        return out;
    };
    let module = &model.files[file];
    if !matches!(module.top_level(registry), Some(Stmt::Assign { .. })) {
        return out;
    }
    for stmt in module.body() {
        let Stmt::FunctionDef(registrar) = stmt else {
            continue;
        };
        walk_stmts(&registrar.body, &mut |stmt| {
            let Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } = stmt
            else {
                return;
            };
            if !targets.iter().any(|t| {
                matches!(&t.kind, ExprKind::Subscript { value, .. } if value.as_name() == Some(registry))
            }) {
                return;
            }
            let Some(stored) = (match position {
                None => Some(value),
                Some(i) => value.elements().and_then(|items| items.get(i)),
            }) else {
                return;
            };
            let Some(param) = stored
                .as_name()
                .and_then(|n| registrar.params.iter().find(|p| p.name == n))
            else {
                out.push((file, vec![registrar.as_ref()], stored));
                return;
            };
            // The registrar's callers, with what each passes for the stored parameter.
            let sites = callable_of(model, file, registrar).and_then(|callee| {
                calls_of(model, file, registrar, &callee, &param.name, param.kind)
            });
            out.extend(
                sites
                    .into_iter()
                    .flatten()
                    .filter_map(|site| Some((site.file, site.scope, site.argument?))),
            );
        });
    }
    out
}

/// True when the file starts a server on every interface: `run(host="0.0.0.0")` on a
/// Flask-style app or Flask-SocketIO, `uvicorn.run(..., host="0.0.0.0")`.
fn file_binds_public(cx: &FileContext) -> bool {
    let mut public = false;
    for_each_call(cx.file.body(), &mut Vec::new(), &mut |scope, _, call| {
        if public {
            return;
        }
        let host = if cx.resolves_to(&call.func, ASGI_SERVERS) {
            call.keyword("host")
        } else if let ExprKind::Attribute { value, attr } = &call.func.kind {
            if attr != "run" {
                return;
            }
            match instance_class_in_blocks(cx.model, cx.file_index, scope, value) {
                Some(c) if FLASK_APP_CLASSES.contains(&c.as_str()) => call.argument("host", 0),
                Some(c) if FLASK_RUNNERS.contains(&c.as_str()) => call.argument("host", 1),
                _ => None,
            }
        } else {
            None
        };
        public =
            host.is_some_and(|h| public_by_default(cx.model, cx.file_index, scope, h).is_some());
    });
    public
}

fn is_os_environ(cx: &FileContext, expr: &Expr) -> bool {
    cx.resolves_to(expr, &["os.environ"])
}

fn flask_env_message(key: &str, value: &Expr) -> Option<String> {
    match key {
        "FLASK_DEBUG" if is_truthy_literal(value) => {
            Some("FLASK_DEBUG enabled from code".to_string())
        }
        "FLASK_ENV" if value.as_str() == Some("development") => {
            Some("FLASK_ENV set to development from code".to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::helpers::test_support::findings_of;
    use crate::rule::Severity;

    #[test]
    fn public_bind_is_critical() {
        let found = findings_of(
            &super::DebugModeEnabled,
            &[(
                "app.py",
                "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\napp.run(debug=True)\n",
            )],
        );
        let severities: Vec<_> = found.iter().map(|f| (f.line, f.severity)).collect();
        assert_eq!(severities, [(3, Severity::Critical), (4, Severity::High)]);
    }

    #[test]
    fn debug_app_in_a_file_that_binds_every_interface_is_critical() {
        let found = findings_of(
            &super::DebugModeEnabled,
            &[(
                "main.py",
                "import uvicorn\nfrom fastapi import FastAPI\nHOST = '0.0.0.0'\napp = FastAPI(debug=True)\nuvicorn.run(app, host=HOST)\n",
            )],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Critical);
    }

    #[test]
    fn factory_app_run_in_main_block_with_host_variable_is_critical() {
        let found = findings_of(
            &super::DebugModeEnabled,
            &[(
                "run.py",
                "import eve
class Portal(eve.Eve):
    pass
def make():
    return Portal()
if __name__ == '__main__':
    host = '0.0.0.0'
    app = make()
    app.run(host=host, debug=True)
    app.run(debug=True)
",
            )],
        );
        let severities: Vec<_> = found.iter().map(|f| (f.line, f.severity)).collect();
        assert_eq!(severities, [(9, Severity::Critical), (10, Severity::High)]);
    }

    fn severities_of(files: &[(&str, &str)]) -> Vec<(String, u32, Severity)> {
        findings_of(&super::DebugModeEnabled, files)
            .into_iter()
            .map(|f| (f.file, f.line, f.severity))
            .collect()
    }

    const BOARD_WEB: (&str, &str) = (
        "board/web.py",
        "from flask import Flask\nfrom board import settings\napp = Flask(__name__)\napp.config.from_object(settings)\n",
    );

    #[test]
    fn settings_module_of_an_app_run_on_an_option_defaulting_to_every_interface_is_critical() {
        let found = severities_of(&[
            ("board/__init__.py", ""),
            ("board/settings.py", "DEBUG = True\n"),
            BOARD_WEB,
            (
                "board/run.py",
                "from optparse import OptionParser
from board.web import app
def main():
    parser = OptionParser()
    parser.add_option('--host', dest='host', default='0.0.0.0')
    opts, _ = parser.parse_args()
    app.run(host=opts.host)
",
            ),
        ]);
        assert_eq!(
            found,
            [("board/settings.py".to_string(), 1, Severity::Critical)]
        );
    }

    #[test]
    fn options_parsed_by_a_helper_keep_their_default() {
        let found = severities_of(&[
            ("board/__init__.py", ""),
            ("board/settings.py", "DEBUG = True\n"),
            BOARD_WEB,
            (
                "board/run.py",
                "from optparse import OptionParser
from board.web import app
def main():
    opts, args = parse_opts(app.config)
    app.run(host=opts.host, port=opts.port)
def parse_opts(config):
    parser = OptionParser()
    parser.add_option('--host', dest='host', default='0.0.0.0')
    parser.add_option('--port', dest='port', type='int', default=5000)
    return parser.parse_args()
",
            ),
        ]);
        assert_eq!(
            found,
            [("board/settings.py".to_string(), 1, Severity::Critical)]
        );
    }

    #[test]
    fn settings_module_of_an_app_run_on_every_interface_in_another_module_is_critical() {
        let found = severities_of(&[
            ("board/__init__.py", ""),
            ("board/settings.py", "DEBUG = True\n"),
            BOARD_WEB,
            (
                "board/run.py",
                "from board.web import app\nif __name__ == '__main__':\n    app.run(host='0.0.0.0')\n",
            ),
        ]);
        assert_eq!(
            found,
            [("board/settings.py".to_string(), 1, Severity::Critical)]
        );
    }

    #[test]
    fn settings_module_of_an_app_run_on_loopback_stays_high() {
        // The other application binds every interface but never loads the settings; the one
        // that does listens on an argparse option defaulting to the loopback address.
        let found = severities_of(&[
            ("board/__init__.py", ""),
            ("board/settings.py", "DEBUG = True\n"),
            BOARD_WEB,
            (
                "board/run.py",
                "import argparse
from flask import Flask
from board.web import app
status = Flask('status')
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--host', default='127.0.0.1')
    args = parser.parse_args()
    app.run(host=args.host)
    status.run(host='0.0.0.0')
",
            ),
        ]);
        assert_eq!(
            found,
            [("board/settings.py".to_string(), 1, Severity::High)]
        );
    }

    #[test]
    fn config_class_of_a_factory_app_run_by_a_click_command_is_critical() {
        let found = severities_of(&[
            ("panel/__init__.py", ""),
            (
                "panel/config.py",
                "class ProductionConfig:\n    DEBUG = True\n",
            ),
            (
                "panel/app.py",
                "from flask import Flask
from panel.config import ProductionConfig
def create_app():
    app = Flask(__name__)
    app.config.from_object(ProductionConfig)
    return app
",
            ),
            (
                "panel/cli.py",
                "import click
from panel.app import create_app
@click.command()
@click.option('--host', default='0.0.0.0')
def serve(host):
    create_app().run(host=host)
",
            ),
        ]);
        assert_eq!(
            found,
            [("panel/config.py".to_string(), 2, Severity::Critical)]
        );
    }

    #[test]
    fn debug_config_item_of_an_app_run_on_every_interface_elsewhere_is_critical() {
        let found = severities_of(&[
            (
                "web.py",
                "from flask import Flask\napp = Flask(__name__)\napp.config['DEBUG'] = True\n",
            ),
            (
                "serve.py",
                "from web import app\nHOST = '0.0.0.0'\napp.run(host=HOST)\n",
            ),
        ]);
        assert_eq!(found, [("web.py".to_string(), 3, Severity::Critical)]);
    }

    #[test]
    fn run_with_debug_on_an_option_defaulting_to_every_interface_is_critical() {
        let found = severities_of(&[(
            "app.py",
            "import argparse
from flask import Flask
app = Flask(__name__)
parser = argparse.ArgumentParser()
parser.add_argument('--bind-host', default='0.0.0.0')
args = parser.parse_args()
app.run(host=args.bind_host, debug=True)
",
        )]);
        assert_eq!(found, [("app.py".to_string(), 7, Severity::Critical)]);
    }

    #[test]
    fn run_on_a_host_parameter_defaulting_to_every_interface_is_critical() {
        let found = severities_of(&[(
            "app.py",
            "from flask import Flask
app = Flask(__name__)
def serve(port=5000, host='0.0.0.0'):
    app.run(host=host, port=port, debug=True)
def serve_public(host='0.0.0.0'):
    app.run(host=host, debug=True)
def serve_local(host='0.0.0.0'):
    app.run(host=host, debug=True)
def serve_loopback(host='127.0.0.1'):
    app.run(host=host, debug=True)
serve(8080)
serve_local(host='127.0.0.1')
",
        )]);
        assert_eq!(
            found,
            [
                ("app.py".to_string(), 4, Severity::Critical),
                ("app.py".to_string(), 6, Severity::Critical),
                ("app.py".to_string(), 8, Severity::High),
                ("app.py".to_string(), 10, Severity::High),
            ]
        );
    }

    #[test]
    fn run_on_a_host_from_the_environment_is_critical_only_with_a_public_default() {
        let found = severities_of(&[(
            "app.py",
            "import os
from os import environ
from flask import Flask
PUBLIC = '0.0.0.0'
app = Flask(__name__)
app.run(host=os.environ.get('HOST', '0.0.0.0'), debug=True)
host = os.getenv('HOST', PUBLIC)
app.run(host=host, debug=True)
app.run(host=environ.get('HOST', default='0.0.0.0'), debug=True)
app.run(host=os.environ.get('HOST', '127.0.0.1'), debug=True)
app.run(host=os.getenv('HOST'), debug=True)
app.run(host=os.environ.get('HOST') or '0.0.0.0', debug=True)
bind = os.getenv('BIND_HOST') or PUBLIC
app.run(host=bind, debug=True)
app.run(host=os.environ.get('HOST') or '127.0.0.1', debug=True)
app.run(host='127.0.0.1' or '0.0.0.0', debug=True)
",
        )]);
        assert_eq!(
            found,
            [
                ("app.py".to_string(), 6, Severity::Critical),
                ("app.py".to_string(), 8, Severity::Critical),
                ("app.py".to_string(), 9, Severity::Critical),
                ("app.py".to_string(), 10, Severity::High),
                ("app.py".to_string(), 11, Severity::High),
                ("app.py".to_string(), 12, Severity::Critical),
                ("app.py".to_string(), 14, Severity::Critical),
                ("app.py".to_string(), 15, Severity::High),
                ("app.py".to_string(), 16, Severity::High),
            ]
        );
    }

    #[test]
    fn settings_module_of_an_app_run_by_a_function_whose_host_defaults_to_every_interface_is_critical()
     {
        let run = |call: &str| -> Vec<(String, u32, Severity)> {
            let text = format!(
                "from board.web import app\ndef main(host='0.0.0.0'):\n    app.run(host=host)\n{call}\n"
            );
            severities_of(&[
                ("board/__init__.py", ""),
                ("board/settings.py", "DEBUG = True\n"),
                BOARD_WEB,
                ("board/run.py", &text),
            ])
        };
        assert_eq!(
            run("main()"),
            [("board/settings.py".to_string(), 1, Severity::Critical)]
        );
        assert_eq!(
            run("main(host='127.0.0.1')"),
            [("board/settings.py".to_string(), 1, Severity::High)]
        );
    }
}
