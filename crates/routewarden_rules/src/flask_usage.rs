//! Project-wide facts about Flask usage that session and CSRF rules share.

use rayon::prelude::*;
use routewarden_model::ProjectModel;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Expr, ExprKind, Stmt};
use rustc_hash::FxHashSet as HashSet;

/// Whether any file outside test code uses one of `qualified` names (imported and referenced).
pub fn uses_any(model: &ProjectModel, qualified: &[&str]) -> bool {
    model.files.par_iter().any(|file| {
        !is_test_file(file)
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

/// The configuration keys and attributes a project sets outside test code, in any form:
/// `KEY = ...`, `config["KEY"] = ...`, `update(KEY=...)`, `setdefault("KEY", ...)`,
/// `environ.get("KEY")`, `{"KEY": ...}`, and `obj.attribute = ...`. Built once, in parallel,
/// for every rule that asks.
#[derive(Default)]
pub struct SetKeys<'a> {
    keys: HashSet<&'a str>,
    attributes: HashSet<&'a str>,
}

impl<'a> SetKeys<'a> {
    pub fn build(model: &'a ProjectModel) -> Self {
        let per_file: Vec<(Vec<&'a str>, Vec<&'a str>)> = model
            .files
            .par_iter()
            .filter(|f| !is_test_file(f))
            .map(|f| {
                let mut keys = Vec::new();
                let mut attributes = Vec::new();
                collect_set_keys(f.body(), &mut keys, &mut attributes);
                (keys, attributes)
            })
            .collect();
        let mut out = SetKeys::default();
        for (keys, attributes) in per_file {
            out.keys.extend(keys);
            out.attributes.extend(attributes);
        }
        out
    }

    /// Whether a configuration key or a class/module attribute named `key` is set.
    pub fn sets_key(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    /// Whether an attribute named `attribute` is assigned (`app.secret_key = ...`).
    pub fn assigns_attribute(&self, attribute: &str) -> bool {
        self.attributes.contains(attribute)
    }
}

fn collect_set_keys<'a>(body: &'a [Stmt], keys: &mut Vec<&'a str>, attributes: &mut Vec<&'a str>) {
    for stmt in body {
        if let Stmt::Assign { targets, .. } = stmt {
            for target in targets {
                match &target.kind {
                    ExprKind::Name(n) => keys.push(n),
                    ExprKind::Subscript { slice, .. } => keys.extend(slice.as_str()),
                    ExprKind::Attribute { attr, .. } => attributes.push(attr),
                    _ => {}
                }
            }
        }
        for_each_stmt_expr(stmt, &mut |e| collect_expr_keys(e, keys));
        for child in stmt.child_bodies() {
            collect_set_keys(child, keys, attributes);
        }
    }
}

fn collect_expr_keys<'a>(expr: &'a Expr, keys: &mut Vec<&'a str>) {
    match &expr.kind {
        ExprKind::Call(c) => {
            keys.extend(c.keywords.iter().filter_map(|k| k.arg.as_deref()));
            keys.extend(c.args.iter().filter_map(Expr::as_str));
        }
        ExprKind::Dict(entries) => {
            keys.extend(
                entries
                    .iter()
                    .filter_map(|en| en.key.as_ref().and_then(|k| k.as_str())),
            );
        }
        _ => {}
    }
    expr.for_each_child(|child| collect_expr_keys(child, keys));
}

/// The expressions a statement holds itself, not those of nested bodies.
fn for_each_stmt_expr<'a>(stmt: &'a Stmt, f: &mut impl FnMut(&'a Expr)) {
    match stmt {
        Stmt::FunctionDef(func) => {
            func.decorators.iter().for_each(&mut *f);
            for p in &func.params {
                p.annotation.iter().chain(&p.default).for_each(&mut *f);
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
            annotation.iter().chain(value).for_each(f);
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
        Stmt::Raise { exc, cause, .. } => exc.iter().chain(cause).for_each(f),
        Stmt::Import { .. } | Stmt::ImportFrom { .. } | Stmt::Other { .. } => {}
    }
}

/// Test code: see [`routewarden_model::SourceModule::is_test`].
pub fn is_test_file(file: &routewarden_model::SourceModule) -> bool {
    file.is_test()
}
