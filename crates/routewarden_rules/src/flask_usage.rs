//! Project-wide facts about Flask usage that session and CSRF rules share.

use rayon::prelude::*;
use routewarden_model::security::walk_exprs;
use routewarden_model::{ProjectModel, SourceModule};
use routewarden_python::ast::{Expr, ExprKind, Stmt};

/// Whether any file outside test code uses one of `qualified` names (imported and referenced).
pub fn uses_any(model: &ProjectModel, qualified: &[&str]) -> bool {
    model
        .files
        .par_iter()
        .any(|file| !is_test_file(file) && file_uses(file, qualified))
}

/// Whether a file uses one of `qualified` names: imported by name and referenced
/// (`from flask import session`), or reached through an imported module (`import flask` then
/// `flask.session`).
pub fn file_uses(file: &SourceModule, qualified: &[&str]) -> bool {
    file.imports.iter().any(|(local, q)| {
        if qualified.contains(&q) {
            return references(file.body(), local);
        }
        let through_module = qualified.iter().any(|name| {
            name.len() > q.len() && name.starts_with(q) && name[q.len()..].starts_with('.')
        });
        through_module && {
            let mut found = false;
            walk_exprs(file.body(), &mut |e| {
                found |= e.any(&mut |x| {
                    matches!(x.kind, ExprKind::Attribute { .. })
                        && file
                            .imports
                            .resolve(x)
                            .is_some_and(|r| qualified.contains(&r.as_str()))
                })
            });
            found
        }
    })
}

/// Whether `name` is referenced in `body`, class bases and decorators included.
pub fn references(body: &[Stmt], name: &str) -> bool {
    let mut found = false;
    walk_exprs(body, &mut |e| {
        found |= e.any(&mut |x| x.as_name() == Some(name))
    });
    found
        || body.iter().any(|s| match s {
            Stmt::ClassDef(c) => {
                c.bases.iter().any(|b| mentions(b, name)) || references(&c.body, name)
            }
            Stmt::FunctionDef(f) => {
                f.decorators.iter().any(|d| mentions(d, name)) || references(&f.body, name)
            }
            other => other.child_bodies().any(|b| references(b, name)),
        })
}

fn mentions(expr: &Expr, name: &str) -> bool {
    expr.any(&mut |x| x.as_name() == Some(name))
}

/// An application that keeps users in Flask's cookie session: it uses `session` or Flask-Login.
pub fn uses_cookie_sessions(model: &ProjectModel) -> bool {
    uses_any(
        model,
        &[
            "flask.session",
            "flask_login.LoginManager",
            "flask_login.login_user",
            "flask_login.current_user",
        ],
    )
}

/// Whether a project sets, outside test code, the configuration keys and attributes the
/// session and secret-key rules ask about, in any form: `KEY = ...`, `config["KEY"] = ...`,
/// `update(KEY=...)`, `setdefault("KEY", ...)`, `environ.get("KEY")`, `{"KEY": ...}`, and
/// `obj.attribute = ...`. Built once, in parallel, for every rule that asks. Only the names in
/// [`KNOWN_KEYS`] and [`KNOWN_ATTRIBUTES`] are collected: every string of the project would
/// otherwise go through a hash set.
#[derive(Default)]
pub struct SetKeys {
    keys: u32,
    attributes: u32,
}

/// The keys [`SetKeys::sets_key`] answers for.
pub const KNOWN_KEYS: &[&str] = &["SECRET_KEY", "SESSION_TYPE", "session_interface"];

/// The attributes [`SetKeys::assigns_attribute`] answers for.
pub const KNOWN_ATTRIBUTES: &[&str] = &["secret_key", "session_interface"];

fn bit(known: &[&str], name: &str) -> u32 {
    known.iter().position(|k| *k == name).map_or(0, |i| 1 << i)
}

impl SetKeys {
    pub fn build(model: &ProjectModel) -> Self {
        model
            .files
            .par_iter()
            // Every key and attribute collected is a name, keyword, attribute or short string
            // of the file, so the word filter rules out most files without a walk.
            .filter(|f| {
                !is_test_file(f)
                    && KNOWN_KEYS
                        .iter()
                        .chain(KNOWN_ATTRIBUTES)
                        .any(|w| f.may_mention(w))
            })
            .map(|f| {
                let mut found = SetKeys::default();
                collect_set_keys(f.body(), &mut found);
                found
            })
            .reduce(SetKeys::default, |a, b| SetKeys {
                keys: a.keys | b.keys,
                attributes: a.attributes | b.attributes,
            })
    }

    /// Whether a configuration key or a class/module attribute named `key` is set. `key` must
    /// be one of [`KNOWN_KEYS`].
    pub fn sets_key(&self, key: &str) -> bool {
        debug_assert!(KNOWN_KEYS.contains(&key), "{key} is not collected");
        self.keys & bit(KNOWN_KEYS, key) != 0
    }

    /// Whether an attribute named `attribute` is assigned (`app.secret_key = ...`).
    /// `attribute` must be one of [`KNOWN_ATTRIBUTES`].
    pub fn assigns_attribute(&self, attribute: &str) -> bool {
        debug_assert!(
            KNOWN_ATTRIBUTES.contains(&attribute),
            "{attribute} is not collected"
        );
        self.attributes & bit(KNOWN_ATTRIBUTES, attribute) != 0
    }

    fn key(&mut self, key: &str) {
        self.keys |= bit(KNOWN_KEYS, key);
    }
}

fn collect_set_keys(body: &[Stmt], found: &mut SetKeys) {
    for stmt in body {
        if let Stmt::Assign { targets, .. } = stmt {
            for target in targets {
                match &target.kind {
                    ExprKind::Name(n) => found.key(n),
                    ExprKind::Subscript { slice, .. } => {
                        if let Some(k) = slice.as_str() {
                            found.key(k);
                        }
                    }
                    ExprKind::Attribute { attr, .. } => {
                        found.attributes |= bit(KNOWN_ATTRIBUTES, attr);
                    }
                    _ => {}
                }
            }
        }
        for_each_stmt_expr(stmt, &mut |e| collect_expr_keys(e, found));
        for child in stmt.child_bodies() {
            collect_set_keys(child, found);
        }
    }
}

fn collect_expr_keys(expr: &Expr, found: &mut SetKeys) {
    match &expr.kind {
        ExprKind::Call(c) => {
            for k in c.keywords.iter().filter_map(|k| k.arg.as_deref()) {
                found.key(k);
            }
            for a in c.args.iter().filter_map(Expr::as_str) {
                found.key(a);
            }
        }
        ExprKind::Dict(entries) => {
            for k in entries
                .iter()
                .filter_map(|en| en.key.as_ref().and_then(|k| k.as_str()))
            {
                found.key(k);
            }
        }
        _ => {}
    }
    expr.for_each_child(|child| collect_expr_keys(child, found));
}

/// The expressions a statement holds itself, not those of nested bodies.
fn for_each_stmt_expr<'a>(stmt: &'a Stmt, f: &mut impl FnMut(&'a Expr)) {
    match stmt {
        Stmt::FunctionDef(func) => {
            func.decorators.iter().for_each(&mut *f);
            for p in &func.params {
                p.annotation
                    .as_deref()
                    .into_iter()
                    .chain(p.default.as_deref())
                    .for_each(&mut *f);
            }
            func.returns.iter().for_each(&mut *f);
        }
        Stmt::ClassDef(class) => {
            class
                .decorators
                .iter()
                .chain(&class.bases)
                .for_each(&mut *f);
            class.keywords.iter().for_each(|k| f(&k.value));
        }
        Stmt::Return { value, .. } => value.iter().for_each(f),
        Stmt::Assign {
            targets,
            annotation,
            value,
            ..
        } => {
            targets.iter().for_each(&mut *f);
            annotation.as_deref().into_iter().chain(value).for_each(f);
        }
        Stmt::AugAssign { target, value, .. } => {
            f(target);
            f(value);
        }
        Stmt::Expr { value, .. } => f(value),
        Stmt::If { test, .. } | Stmt::While { test, .. } => f(test),
        Stmt::For { target, iter, .. } => {
            f(target);
            f(iter);
        }
        Stmt::With { items, .. } => {
            for i in items {
                f(&i.context);
                i.target.iter().for_each(&mut *f);
            }
        }
        Stmt::Try { handlers, .. } => handlers.iter().filter_map(|h| h.type_.as_ref()).for_each(f),
        Stmt::Match { subject, .. } => f(subject),
        Stmt::Raise { exc, cause, .. } => exc.iter().chain(cause.as_deref()).for_each(f),
        Stmt::Import { .. } | Stmt::ImportFrom { .. } | Stmt::Other { .. } => {}
    }
}

/// Test code: see [`routewarden_model::SourceModule::is_test`].
pub fn is_test_file(file: &routewarden_model::SourceModule) -> bool {
    file.is_test()
}

/// What ties a request to the browser's logged-in user: the cookie session, Flask-Login's user
/// and login calls, `g` (where hooks keep the user they loaded), cookies and the browser's
/// cached basic-auth credentials.
const CALLER_STATE: &[&str] = &[
    "flask.session",
    "flask.g",
    "flask.request.cookies",
    "flask.request.authorization",
    "flask_login.current_user",
    "flask_login.login_user",
    "flask_login.logout_user",
    "flask_login.login_required",
    "flask_login.fresh_login_required",
    "flask_login.utils.current_user",
    "flask_login.utils.login_user",
];

/// Whether a Flask handler (its body, its decorators, the decorators the view is registered
/// with, and project functions they call, a few levels deep) reads or sets state the browser
/// carries for its user. A handler that reads none acts the same whoever's browser sends the
/// post, so a forged cross-site post gains nothing the attacker cannot do directly. Calls
/// that cannot be followed into project code count as nothing (library code); a decorator
/// that cannot be resolved counts as reading state, since it may load the user.
pub fn reads_caller_state(
    model: &ProjectModel,
    file: usize,
    function: &routewarden_python::ast::Function,
    extra_decorators: &[(usize, &Expr)],
) -> bool {
    let mut seen = Vec::new();
    let decorators = function
        .decorators
        .iter()
        .map(|d| (file, d))
        .chain(extra_decorators.iter().copied());
    for (f, decorator) in decorators {
        if decorator_reads_state(model, f, decorator, &mut seen) {
            return true;
        }
    }
    function_reads_state(model, file, function, 3, false, &mut seen)
}

fn decorator_reads_state(
    model: &ProjectModel,
    file: usize,
    decorator: &Expr,
    seen: &mut Vec<usize>,
) -> bool {
    let imports = &model.files[file].imports;
    let head = match &decorator.kind {
        ExprKind::Call(c) => &c.func,
        _ => decorator,
    };
    if imports.resolves_to(head, CALLER_STATE) {
        return true;
    }
    // The route's own registration (`@app.route`, `@bp.post`) and library decorators that
    // are not Flask-Login's read nothing of the caller.
    if is_route_registration(head) {
        return false;
    }
    match crate::untrusted::resolve_callee(model, file, head) {
        Some((f, def, _)) => function_reads_state(model, f, def, 3, false, seen),
        None => imports.resolve(head).is_none(),
    }
}

/// `@<app or blueprint>.route(...)`, `.get(...)`, `.post(...)`, ... on a local object.
fn is_route_registration(head: &Expr) -> bool {
    matches!(&head.kind, ExprKind::Attribute { attr, .. } if matches!(
        attr.as_str(),
        "route" | "get" | "post" | "put" | "patch" | "delete" | "api_route" | "websocket"
    ))
}

/// A project name bound, at module level, to Flask's or Flask-Login's caller state, also
/// inside a module-level block and through `typing.cast`: `flaskg = g` after `if
/// TYPE_CHECKING: g = cast(Globals, flask.g) else: g = flask.g`, imported from the package that
/// defines it.
fn aliases_caller_state(model: &ProjectModel, file: usize, expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Name(name) => name_holds_caller_state(model, file, name, 0),
        _ => false,
    }
}

fn name_holds_caller_state(model: &ProjectModel, file: usize, name: &str, depth: u32) -> bool {
    if depth > 6 {
        return false;
    }
    let module = &model.files[file];
    if let Some(q) = module.imports.get(name) {
        if CALLER_STATE.contains(&q) {
            // Imported directly: the caller's own check already answers.
            return depth > 0;
        }
        // `from pkg import flaskg`: the name the project module binds.
        let Some((module_name, attr)) = q.rsplit_once('.') else {
            return false;
        };
        return model
            .module(module_name)
            .is_some_and(|(f, _)| f != file && name_holds_caller_state(model, f, attr, depth + 1));
    }
    let value = match module.top_level(name) {
        Some(Stmt::Assign {
            value: Some(value), ..
        }) => value,
        Some(_) => return false,
        None => match crate::helpers::module_block_value(model, file, name) {
            Some(value) => value,
            None => return false,
        },
    };
    value_holds_caller_state(model, file, value, depth + 1)
}

fn value_holds_caller_state(model: &ProjectModel, file: usize, value: &Expr, depth: u32) -> bool {
    if depth > 6 {
        return false;
    }
    let imports = &model.files[file].imports;
    if imports.resolves_to(value, CALLER_STATE) {
        return true;
    }
    match &value.kind {
        ExprKind::Name(name) => name_holds_caller_state(model, file, name, depth + 1),
        // `cast(Globals, flask.g)`: the same object, typed.
        ExprKind::Call(call) if imports.resolve(&call.func).as_deref() == Some("typing.cast") => {
            call.args
                .get(1)
                .is_some_and(|v| value_holds_caller_state(model, file, v, depth + 1))
        }
        _ => false,
    }
}

/// `bookkeeping`: `function` builds the handler's response or is called by a function that
/// does (see [`builds_flask_response`]); there `session.pop("key", ...)` clears what the
/// request's own hooks left in the session (assemblyline's `make_api_response` ending a quota
/// count), which acts for nobody.
fn function_reads_state(
    model: &ProjectModel,
    file: usize,
    function: &routewarden_python::ast::Function,
    depth: u32,
    bookkeeping: bool,
    seen: &mut Vec<usize>,
) -> bool {
    let key = function as *const _ as usize;
    if seen.contains(&key) {
        return false;
    }
    seen.push(key);
    let imports = &model.files[file].imports;
    let mut found = false;
    let mut calls = Vec::new();
    // The sessions of `session.pop("key", ...)` calls in a response builder.
    let mut popped = Vec::new();
    walk_exprs(&function.body, &mut |e| {
        if found {
            return;
        }
        found |= e.any(&mut |x| {
            if let ExprKind::Call(c) = &x.kind {
                calls.push(&c.func);
                if bookkeeping
                    && let Some((receiver, "pop")) = c.method()
                    && c.args.first().and_then(Expr::as_str).is_some()
                    && imports.resolve(receiver).as_deref() == Some("flask.session")
                {
                    popped.push(receiver.span);
                }
            }
            matches!(x.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                && !popped.contains(&x.span)
                && imports.resolves_to(x, CALLER_STATE)
                || aliases_caller_state(model, file, x)
        });
    });
    if found {
        return true;
    }
    if depth == 0 {
        return false;
    }
    calls.into_iter().any(|func| {
        crate::untrusted::resolve_callee(model, file, func).is_some_and(|(f, def, _)| {
            let bookkeeping = bookkeeping || builds_flask_response(model, f, def);
            function_reads_state(model, f, def, depth - 1, bookkeeping, seen)
        })
    })
}

/// Flask's response builders.
const FLASK_RESPONSES: &[&str] = &[
    "flask.make_response",
    "flask.jsonify",
    "flask.Response",
    "flask.wrappers.Response",
];

/// A project function that returns a response it builds with Flask (`resp =
/// make_response(jsonify(...))`, then `return resp`): a response helper.
fn builds_flask_response(
    model: &ProjectModel,
    file: usize,
    function: &routewarden_python::ast::Function,
) -> bool {
    let imports = &model.files[file].imports;
    let built = |value: &Expr| {
        value
            .as_call()
            .is_some_and(|c| imports.resolves_to(&c.func, FLASK_RESPONSES))
    };
    let mut builds = false;
    routewarden_model::for_each_return(&function.body, &mut |value| {
        builds |= built(value)
            || value.as_name().is_some_and(|name| {
                crate::credentials::assigned_values(&function.body, name)
                    .into_iter()
                    .any(built)
            });
    });
    builds
}
