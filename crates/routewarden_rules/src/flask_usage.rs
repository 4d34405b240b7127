//! Project-wide facts about Flask usage that session and CSRF rules share.

use routewarden_model::ProjectModel;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Expr, ExprKind, Stmt};

/// Whether any file outside test code uses one of `qualified` names (imported and referenced).
pub fn uses_any(model: &ProjectModel, qualified: &[&str]) -> bool {
    model.files.iter().any(|file| {
        !is_test_file(&file.path)
            && file
                .imports
                .iter()
                .any(|(local, q)| qualified.contains(&q) && references(file.body(), local))
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
            other => other.child_bodies().iter().any(|b| references(b, name)),
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

/// Whether any statement assigns `value` to a configuration key `key` in any form, or a
/// class/module attribute named `key`, anywhere in the project outside test code.
pub fn sets_key_anywhere(model: &ProjectModel, key: &str) -> bool {
    model
        .files
        .iter()
        .any(|f| !is_test_file(&f.path) && sets_key_in(f.body(), key))
}

/// Whether any non-test statement assigns an attribute named `attribute`
/// (`app.secret_key = ...`, `app.session_interface = ...`).
pub fn assigns_attribute_anywhere(model: &ProjectModel, attribute: &str) -> bool {
    model
        .files
        .iter()
        .any(|f| !is_test_file(&f.path) && assigns_attribute(f.body(), attribute))
}

fn assigns_attribute(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|s| {
        matches!(s, Stmt::Assign { targets, .. } if targets.iter().any(|t| matches!(&t.kind, ExprKind::Attribute { attr, .. } if attr == name)))
            || s.child_bodies().iter().any(|b| assigns_attribute(b, name))
    })
}

fn sets_key_in(body: &[Stmt], key: &str) -> bool {
    for stmt in body {
        if let Stmt::Assign { targets, .. } = stmt {
            let hit = targets.iter().any(|t| match &t.kind {
                ExprKind::Name(n) => n == key,
                ExprKind::Subscript { slice, .. } => slice.as_str() == Some(key),
                _ => false,
            });
            if hit {
                return true;
            }
        }
        if stmt.child_bodies().iter().any(|b| sets_key_in(b, key)) {
            return true;
        }
    }
    let mut found = false;
    walk_exprs(body, &mut |e| {
        found |= e.any(&mut |x| match &x.kind {
            // `update(KEY=...)`, `setdefault("KEY", ...)`, `environ.get("KEY")`
            ExprKind::Call(c) => {
                c.keywords.iter().any(|k| k.arg.as_deref() == Some(key))
                    || c.args.iter().any(|a| a.as_str() == Some(key))
            }
            ExprKind::Dict(entries) => entries
                .iter()
                .any(|en| en.key.as_ref().and_then(|k| k.as_str()) == Some(key)),
            _ => false,
        });
    });
    found
}

/// Test code: files under a `tests` folder, `test_*.py`, `*_test.py`, `conftest.py`.
pub fn is_test_file(path: &std::path::Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || path
            .components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test" | "testing")))
}
