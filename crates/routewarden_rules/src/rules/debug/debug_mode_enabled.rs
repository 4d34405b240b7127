use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::{
    is_enabled, is_flask_app, is_flask_config, is_non_production_name, is_public_host,
    mapping_items, subscript_key,
};
use crate::rule::{Rule, RuleMeta, Severity};
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Stmt};

declare_rule! {
    /// ## What it finds
    /// Debug mode switched on in code: `FastAPI(debug=True)`, `Starlette(debug=True)`, Flask's
    /// `app.run(debug=True)`, `app.debug = True`, `app.config["DEBUG"] = True`,
    /// `app.config.update(DEBUG=True)` or `from_mapping(DEBUG=True)`, `DEBUG = True` in a
    /// configuration class that is not named for development or testing, and `FLASK_DEBUG` or
    /// `FLASK_ENV=development` set through `os.environ`. The application object may have any
    /// name, come from a factory or another module, and the framework may be imported under
    /// any alias. The finding is critical when the same `run` call binds every interface.
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

/// Classes whose `run(app, debug=True)`-style methods start a debugging server.
const FLASK_RUNNERS: &[&str] = &["flask_socketio.SocketIO"];

impl Rule for DebugModeEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &DEBUG_MODE_ENABLED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &DEBUG_MODE_ENABLED;
        if cx.resolves_to(&call.func, ASGI_APPS) {
            if call.keyword("debug").is_some_and(|d| is_enabled(cx, d)) {
                out.report(
                    meta,
                    expr.span,
                    "application created with debug=True: tracebacks are sent to clients",
                );
            }
            return;
        }
        let ExprKind::Attribute {
            value: receiver,
            attr,
        } = &call.func.kind
        else {
            return;
        };
        match attr.as_str() {
            "run" => {
                let Some(debug) = call.keyword("debug") else {
                    return;
                };
                if !is_enabled(cx, debug) {
                    return;
                }
                let is_runner = is_flask_app(cx, receiver)
                    || cx
                        .instance_class(receiver)
                        .is_some_and(|c| FLASK_RUNNERS.contains(&c.as_str()));
                if !is_runner {
                    return;
                }
                if call.keyword("host").is_some_and(is_public_host) {
                    out.report_with_severity(
                        meta,
                        expr.span,
                        "server runs with debug=True on every interface: the Werkzeug debugger is reachable from the network",
                        Severity::Critical,
                    );
                } else {
                    out.report(
                        meta,
                        expr.span,
                        "server runs with debug=True: the Werkzeug debugger is enabled",
                    );
                }
            }
            "update" | "from_mapping" if is_flask_config(cx, receiver) => {
                for (key, value, _) in mapping_items(call) {
                    if key == "DEBUG" && is_enabled(cx, value) {
                        out.report(
                            meta,
                            expr.span,
                            format!("configuration sets DEBUG=True through {attr}()"),
                        );
                    }
                }
            }
            "setdefault" | "update" if is_os_environ(cx, receiver) => {
                let pairs: Vec<(&str, &Expr)> = if attr == "setdefault" {
                    match (call.args.first().and_then(Expr::as_str), call.args.get(1)) {
                        (Some(k), Some(v)) => vec![(k, v)],
                        _ => Vec::new(),
                    }
                } else {
                    mapping_items(call)
                        .into_iter()
                        .map(|(k, v, _)| (k, v))
                        .collect()
                };
                for (key, value) in pairs {
                    if let Some(message) = flask_env_message(key, value) {
                        out.report(meta, expr.span, message);
                    }
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
        let meta = &DEBUG_MODE_ENABLED;
        for target in targets {
            match &target.kind {
                ExprKind::Attribute { value: app, attr } if attr == "debug" => {
                    let is_app = is_flask_app(cx, app)
                        || cx
                            .instance_class(app)
                            .is_some_and(|c| ASGI_APPS.contains(&c.as_str()));
                    if is_app && is_enabled(cx, value) {
                        out.report(meta, *span, "application debug attribute set to True");
                    }
                }
                ExprKind::Subscript { .. } => {
                    let Some((mapping, key)) = subscript_key(target) else {
                        continue;
                    };
                    if key == "DEBUG" && is_flask_config(cx, mapping) && is_enabled(cx, value) {
                        out.report(meta, *span, "configuration sets DEBUG=True");
                    } else if is_os_environ(cx, mapping) {
                        if let Some(message) = flask_env_message(key, value) {
                            out.report(meta, *span, message);
                        }
                    }
                }
                ExprKind::Name(name) if name == "DEBUG" => {
                    if let Some(class) = cx.in_class_body() {
                        if is_config_class(class)
                            && !is_non_production_name(&class.name)
                            && is_enabled(cx, value)
                        {
                            out.report(
                                meta,
                                *span,
                                format!("configuration class {} sets DEBUG = True", class.name),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_os_environ(cx: &FileContext, expr: &Expr) -> bool {
    cx.resolves_to(expr, &["os.environ"])
}

fn flask_env_message(key: &str, value: &Expr) -> Option<String> {
    match key {
        "FLASK_DEBUG" if crate::helpers::is_truthy_literal(value) => {
            Some("FLASK_DEBUG enabled from code".to_string())
        }
        "FLASK_ENV" if value.as_str() == Some("development") => {
            Some("FLASK_ENV set to development from code".to_string())
        }
        _ => None,
    }
}

/// A class that holds framework configuration: named `*Config`/`*Settings`, or deriving from
/// such a class.
fn is_config_class(class: &Class) -> bool {
    let named = |n: &str| {
        let words = crate::helpers::identifier_words(n);
        words
            .iter()
            .any(|w| w == "config" || w == "settings" || w == "configuration")
    };
    named(&class.name) || class.bases.iter().any(|b| b.last_name().is_some_and(named))
}
