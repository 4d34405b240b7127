//! Configuration values set in code, in every form: `app.config["K"] = v`,
//! `config.update(K=v)`/`update({"K": v})`, `from_mapping(...)`, `config.setdefault("K", v)`,
//! attributes of configuration classes production may load, and loaded modules.

use crate::flask_usage::is_test_file;
use crate::helpers::mapping_items;
use crate::rule::ProjectContext;
use routewarden_model::ProjectModel;
use routewarden_model::config::ConfigModel;
use routewarden_python::ast::{Expr, ExprKind, Function, Span, Stmt};

/// One configuration value found in code.
pub struct ConfigWrite<'a> {
    pub file: usize,
    pub span: Span,
    pub key: String,
    pub value: &'a Expr,
    /// `Config.KEY` or `config["KEY"]`, for messages.
    pub place: String,
    /// For `app.config[...]` and `app.config.update(...)`: the object whose configuration is
    /// written (`app`) and the functions enclosing the write, to tell one application's
    /// configuration from another's.
    pub owner: Option<(&'a Expr, Vec<&'a Function>)>,
}

/// The object of a configuration receiver `app.config`.
fn config_owner(expr: &Expr) -> Option<&Expr> {
    match &expr.kind {
        ExprKind::Attribute { value, attr } if attr == "config" => Some(value),
        _ => None,
    }
}

fn is_config_receiver(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Attribute { attr, .. } if attr == "config")
        || expr
            .as_name()
            .is_some_and(|n| n == "config" || n.ends_with("_config"))
}

/// Every write of a key accepted by `wanted`, outside test files; class attributes only from
/// production configuration classes.
pub fn config_writes<'a>(
    cx: &ProjectContext<'a>,
    wanted: &dyn Fn(&str) -> bool,
) -> Vec<ConfigWrite<'a>> {
    project_config_writes(cx.model, cx.config, wanted)
}

/// [`config_writes`] for callers that hold the models rather than a [`ProjectContext`].
pub fn project_config_writes<'a>(
    model: &'a ProjectModel,
    config: &ConfigModel<'a>,
    wanted: &dyn Fn(&str) -> bool,
) -> Vec<ConfigWrite<'a>> {
    let mut out = Vec::new();
    for (index, file) in model.files.iter().enumerate() {
        if is_test_file(file) {
            continue;
        }
        direct_writes(index, file.body(), wanted, &mut Vec::new(), &mut out);
    }
    for key in [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "REMEMBER_COOKIE_SECURE",
        "REMEMBER_COOKIE_HTTPONLY",
        "REMEMBER_COOKIE_SAMESITE",
        "JWT_COOKIE_SAMESITE",
        "JWT_TOKEN_LOCATION",
        "WTF_CSRF_ENABLED",
        "SESSION_TYPE",
        "WTF_CSRF_CHECK_DEFAULT",
        "CORS_ORIGINS",
        "CORS_SUPPORTS_CREDENTIALS",
    ] {
        if !wanted(key) {
            continue;
        }
        for v in config.production_values(key) {
            if is_test_file(&model.files[v.file]) {
                continue;
            }
            out.push(ConfigWrite {
                file: v.file,
                span: v.span,
                key: key.to_string(),
                value: v.value,
                place: if v.defined_in == v.used_by {
                    format!("{}.{key}", v.defined_in)
                } else {
                    format!("{}.{key} (used by {})", v.defined_in, v.used_by)
                },
                owner: None,
            });
        }
    }
    out
}

fn direct_writes<'a>(
    file: usize,
    body: &'a [Stmt],
    wanted: &dyn Fn(&str) -> bool,
    scope: &mut Vec<&'a Function>,
    out: &mut Vec<ConfigWrite<'a>>,
) {
    for stmt in body {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            span,
            ..
        } = stmt
        {
            for t in targets {
                if let ExprKind::Subscript {
                    value: mapping,
                    slice,
                } = &t.kind
                    && let Some(key) = slice.as_str().filter(|k| wanted(k))
                    && is_config_receiver(mapping)
                {
                    out.push(ConfigWrite {
                        file,
                        span: *span,
                        key: key.to_string(),
                        value,
                        place: format!("config[\"{key}\"]"),
                        owner: config_owner(mapping).map(|o| (o, scope.clone())),
                    });
                }
            }
        }
        if let Stmt::Expr { value, span } = stmt {
            collect_calls(file, value, *span, wanted, scope, out);
        }
        // A class body's attributes count only for production configuration classes (below),
        // but its methods write configuration like any function.
        if let Stmt::ClassDef(class) = stmt {
            for method in &class.body {
                if let Stmt::FunctionDef(f) = method {
                    scope.push(f);
                    direct_writes(file, &f.body, wanted, scope, out);
                    scope.pop();
                }
            }
            continue;
        }
        if let Stmt::FunctionDef(f) = stmt {
            scope.push(f);
            direct_writes(file, &f.body, wanted, scope, out);
            scope.pop();
            continue;
        }
        for child in stmt.child_bodies() {
            direct_writes(file, child, wanted, scope, out);
        }
    }
}

fn collect_calls<'a>(
    file: usize,
    expr: &'a Expr,
    span: Span,
    wanted: &dyn Fn(&str) -> bool,
    scope: &[&'a Function],
    out: &mut Vec<ConfigWrite<'a>>,
) {
    let Some(call) = expr.as_call() else { return };
    let Some((receiver, attr)) = call.method() else {
        return;
    };
    if !is_config_receiver(receiver) {
        return;
    }
    let owner = || config_owner(receiver).map(|o| (o, scope.to_vec()));
    match attr {
        "update" | "from_mapping" => {
            for (key, value, _) in mapping_items(call) {
                if wanted(key) {
                    out.push(ConfigWrite {
                        file,
                        span,
                        key: key.to_string(),
                        value,
                        place: format!("config.{attr}({key}=...)"),
                        owner: owner(),
                    });
                }
            }
        }
        "setdefault" => {
            if let (Some(key), Some(value)) =
                (call.args.first().and_then(Expr::as_str), call.args.get(1))
                && wanted(key)
            {
                out.push(ConfigWrite {
                    file,
                    span,
                    key: key.to_string(),
                    value,
                    place: format!("config.setdefault(\"{key}\")"),
                    owner: owner(),
                });
            }
        }
        _ => {}
    }
}
