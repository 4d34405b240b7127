use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::ProjectModel;
use routewarden_model::frameworks::ObjectKind;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Class, Expr, ExprKind, Function, Stmt};

declare_rule! {
    /// ## What it finds
    /// A Flask application that relies on a secret key (it uses `session`, `flash`, Flask-Login,
    /// Flask-WTF forms or `CSRFProtect`) while nothing in the project sets `SECRET_KEY` or
    /// `secret_key` and no configuration is loaded that could: `from_envvar`, `from_pyfile`,
    /// `from_prefixed_env`, `from_file`, or a `from_object` that routewarden cannot follow all
    /// count as possible sources and silence the rule. A key set only by test code (`tests/`,
    /// `conftest.py`, `test_*.py`) does not count: production still runs without one.
    /// `session` used only in Flask-SocketIO event handlers (methods of a
    /// `flask_socketio.Namespace` subclass, functions decorated with `@socketio.on(...)` or
    /// `@socketio.event`) does not count either: with the default `manage_session=True`
    /// Flask-SocketIO keeps that session on the server and signs no cookie. A `manage_session`
    /// argument other than `True` anywhere in the project keeps such uses counted. Methods of a
    /// namespace other than its `on_*` handlers count as handlers only when nothing outside the
    /// class names them.
    ///
    /// ## Why is this dangerous
    /// Without a key Flask refuses to sign sessions, so the first login fails in production;
    /// the usual "quick fix" under pressure is a literal key in the code. The finding asks for
    /// the key to be supplied properly before that happens.
    ///
    /// ## Example
    /// ```python
    /// app = Flask(__name__)
    /// login_manager = LoginManager(app)
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// app = Flask(__name__)
    /// app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    /// ```
    /// or `app.config.from_prefixed_env()` with `FLASK_SECRET_KEY` set in the environment.
    pub static MISSING_SECRET_KEY = {
        code: "SECRET003",
        name: "missing-secret-key",
        severity: Medium,
        confidence: Medium,
        cwe: 321,
        fix: "Configure SECRET_KEY from the environment or a secret manager",
    }
}

pub struct MissingSecretKey;

const KEY_USERS: &[&str] = &[
    "flask.session",
    "flask.flash",
    "flask_login.LoginManager",
    "flask_login.login_user",
    "flask_wtf.CSRFProtect",
    "flask_wtf.csrf.CSRFProtect",
    "flask_wtf.FlaskForm",
    "flask_wtf.Form",
    "flask_wtf.form.FlaskForm",
    "flask_wtf.form.Form",
    "flask_security.Security",
];

/// What in the project needs a secret key, if anything.
fn key_user(cx: &ProjectContext) -> Option<String> {
    // Asked only for a file whose `session` is used: whether Flask-SocketIO manages sessions.
    let mut server_side = None;
    for (index, file) in cx.model.files.iter().enumerate() {
        for (local, qualified) in file.imports.iter() {
            if !KEY_USERS.contains(&qualified) || !name_is_used(file.body(), local) {
                continue;
            }
            if qualified == "flask.session"
                && *server_side.get_or_insert_with(|| socketio_manages_sessions(cx.model))
                && !used_outside_socket_handlers(
                    cx.model,
                    index,
                    file.body(),
                    local,
                    &mut Vec::new(),
                )
            {
                continue;
            }
            return Some(qualified.to_string());
        }
    }
    None
}

/// Every expression of a body, nested functions, classes and decorators included.
fn each_expr<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Expr) -> bool) -> bool {
    body.iter().any(|stmt| {
        let mut hit = false;
        match stmt {
            Stmt::FunctionDef(func) => hit = func.decorators.iter().any(|d| d.any(f)),
            Stmt::ClassDef(class) => {
                hit = class
                    .bases
                    .iter()
                    .chain(&class.decorators)
                    .any(|d| d.any(f))
            }
            _ => stmt.for_each_own_expr(&mut |e| hit = hit || e.any(f)),
        }
        hit || stmt.child_bodies().any(|b| each_expr(b, f))
    })
}

/// Flask-SocketIO is used and keeps its sessions on the server: no `manage_session=` other than
/// `True` is passed anywhere (`SocketIO(app, manage_session=False)`, `init_app(...)`).
fn socketio_manages_sessions(model: &ProjectModel) -> bool {
    let uses_socketio = model.files.iter().any(|file| {
        file.imports
            .iter()
            .any(|(_, q)| q == "flask_socketio" || q.starts_with("flask_socketio."))
    });
    uses_socketio
        && !model.files.iter().any(|file| {
            each_expr(file.body(), &mut |e| {
                e.as_call()
                    .and_then(|c| c.keyword("manage_session"))
                    .is_some_and(|v| v.as_bool() != Some(true))
            })
        })
}

/// A function Flask-SocketIO calls for an event: `@socketio.on("message")`, `@socketio.event`,
/// `@socketio.on_error()`, on a `flask_socketio.SocketIO` object.
fn is_socket_handler(model: &ProjectModel, file: usize, scope: &[&Function], f: &Function) -> bool {
    f.decorators.iter().any(|d| {
        let callee = d.as_call().map_or(d, |c| &c.func);
        matches!(&callee.kind, ExprKind::Attribute { value, attr }
            if matches!(attr.as_str(), "on" | "event" | "on_error" | "on_error_default")
                && model.instance_class(file, scope, value).as_deref()
                    == Some("flask_socketio.SocketIO"))
    })
}

/// A method of a `flask_socketio.Namespace` subclass that runs only while handling an event:
/// an `on_*` handler, or a helper (not a dunder) that nothing outside the class names.
fn is_namespace_handler(model: &ProjectModel, file: usize, class: &Class, f: &Function) -> bool {
    if f.name.starts_with("on_") {
        return true;
    }
    // `__init__` and the like run outside events; `__private` helpers are ordinary methods.
    if f.name.starts_with("__") && f.name.ends_with("__") {
        return false;
    }
    let inside = |e: &Expr| class.span.start <= e.span.start && e.span.end <= class.span.end;
    !model.files.iter().enumerate().any(|(i, other)| {
        each_expr(other.body(), &mut |e| {
            let names = match &e.kind {
                ExprKind::Attribute { attr, .. } => *attr == f.name,
                ExprKind::Name(n) => *n == f.name,
                _ => false,
            };
            names && !(i == file && inside(e))
        })
    })
}

/// Whether `name` is used in `body` outside Flask-SocketIO event handlers.
fn used_outside_socket_handlers<'a>(
    model: &ProjectModel,
    file: usize,
    body: &'a [Stmt],
    name: &str,
    scope: &mut Vec<&'a Function>,
) -> bool {
    let names = &mut |x: &Expr| x.as_name() == Some(name);
    body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(f) => {
            if is_socket_handler(model, file, scope, f) {
                return false;
            }
            scope.push(f);
            let used = used_outside_socket_handlers(model, file, &f.body, name, scope);
            scope.pop();
            used
        }
        Stmt::ClassDef(class) => {
            if class.bases.iter().any(|b| b.any(names)) {
                return true;
            }
            let namespace = class
                .bases
                .iter()
                .any(|b| model.class_name(file, b).as_deref() == Some("flask_socketio.Namespace"));
            class.body.iter().any(|s| match s {
                Stmt::FunctionDef(f)
                    if namespace && is_namespace_handler(model, file, class, f) =>
                {
                    false
                }
                _ => {
                    used_outside_socket_handlers(model, file, std::slice::from_ref(s), name, scope)
                }
            })
        }
        _ => {
            let mut used = false;
            stmt.for_each_own_expr(&mut |e| used = used || e.any(names));
            used || stmt
                .child_bodies()
                .any(|b| used_outside_socket_handlers(model, file, b, name, scope))
        }
    })
}

fn name_is_used(body: &[Stmt], name: &str) -> bool {
    let mut used = false;
    walk_exprs(body, &mut |e| {
        used |= e.any(&mut |x| x.as_name() == Some(name));
    });
    // Class bases (`class LoginForm(FlaskForm)`) are not visited by `walk_exprs`.
    used || body.iter().any(|s| match s {
        Stmt::ClassDef(c) => {
            c.bases.iter().any(|b| b.as_name() == Some(name)) || name_is_used(&c.body, name)
        }
        _ => false,
    })
}

/// Whether any non-test statement sets the key in any form, or configuration is loaded from
/// outside the code. A key only the test suite sets leaves production without one.
fn sets_secret_key(cx: &ProjectContext) -> bool {
    cx.config.loads_external_config()
        || cx.set_keys().sets_key("SECRET_KEY")
        || cx.set_keys().assigns_attribute("secret_key")
}

impl Rule for MissingSecretKey {
    fn meta(&self) -> &'static RuleMeta {
        &MISSING_SECRET_KEY
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let apps: Vec<_> = cx
            .surface
            .apps
            .objects
            .values()
            .filter(|o| o.kind == ObjectKind::FlaskApp)
            .collect();
        if apps.is_empty() {
            return;
        }
        let Some(user) = key_user(cx) else { return };
        if sets_secret_key(cx) {
            return;
        }
        for app in apps {
            let mut f = Findings::new(app.id.file);
            f.report(
                &MISSING_SECRET_KEY,
                app.span,
                format!("the app uses {user}, which needs a secret key, but no SECRET_KEY is configured or loaded anywhere"),
            );
            out.extend(f.into_vec());
        }
    }
}
