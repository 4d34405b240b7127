use crate::context::FileContext;
use crate::cors_policy::{
    allow_origin_in_asgi_start, allow_origin_set_by_call, allow_origin_set_by_stmt,
    operator_chose_wildcard, policies,
};
use crate::declare_rule;
use crate::findings::Findings;
use crate::flask_usage::is_test_file;
use crate::helpers::{for_each_call, under_debug_guard};
use crate::rule::{Confidence, Rule, RuleMeta};
use crate::switches::opt_in_switch;
use routewarden_python::ast::{Call, Expr, ExprKind, Function, Param, ParamKind, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// A CORS policy that allows any origin without credentials: `CORSMiddleware` with
    /// `allow_origins=["*"]`, flask-cors `CORS(app)` with its defaults or `origins="*"` (also in
    /// a `resources={...}` entry, whose path pattern may be computed: `{prefix + "/*": {"origins":
    /// "*"}}`). Options
    /// spread into the call (`CORS(app, **options)`) are read when they are a dict literal or a
    /// constant holding one, and the default dict of `**(options or {})` or `**(x if cond else
    /// {})` is what applies when nothing is configured; options the analysis cannot read are
    /// not taken for the default. An extension created empty (`cors = CORS()`) whose every
    /// `init_app` passes options of its own is judged at `cors.init_app(app, origins=...)`
    /// with those options (origins read from configuration are not taken for `*`); given
    /// none there, at `CORS()`. Origins read from a mapping the code does not show with a
    /// default (`config.get("cors_allowed_origins", "*")`, on a parameter or a loaded
    /// configuration; not on a `configparser` parser or a dict the code writes) are judged by
    /// the default, which applies when nothing is configured, like `os.environ.get(k, "*")`.
    /// Origins a flask-cors call does not pass come from the app configuration's `CORS_ORIGINS`
    /// (config classes and modules loaded with `from_object`/`from_pyfile`, `app.config[...]`,
    /// `config.update(...)`), as flask-cors reads them: judged when literal, not taken for `*`
    /// when read from the environment or otherwise unknown; only a project that sets no
    /// `CORS_ORIGINS` (or sets `None`) gets flask-cors's default `*`. A `@cross_origin()` that
    /// passes no origins or credentials of its own is reported at the `CORS(...)` call reading
    /// the same configuration, not once per route; so is one on routes whose every application
    /// (a blueprint registered under a condition included) is given a `CORS(app)` passing no
    /// option of its own, whose defaults it shares. Project subclasses of `CORSMiddleware` are
    /// judged as CORS001 describes: at their `super().__init__(...)` call when they fix the
    /// policy, else where they are registered with the options they are given.
    /// The header written by hand to `*` is the same policy, in a module that uses a supported
    /// framework: `response.headers["Access-Control-Allow-Origin"] = "*"` (in a middleware, an
    /// `after_request` hook, a `StaticFiles` subclass), `headers.set/add(...)`, header dicts passed
    /// to a response or bound to a name, a Flask `return body, status, headers` tuple; header name
    /// and value are also read from module constants, and the value from a parameter of a
    /// module-level function whose default is `*` when some call in the project leaves it to
    /// the default or passes `*` (a decorator factory `def cors_header(allow="*")` used as
    /// `@cors_header()`). Raw header lists of name/value pairs
    /// with the name written out are read too: `(b"access-control-allow-origin", b"*")` in
    /// the `headers` of an ASGI `http.response.start` message (also in a module that imports
    /// no framework: a pure ASGI application needs none), appended to a message's `headers`
    /// or assigned to them, or in a list given to `start_response`. Not reported when the code
    /// writes `*` only because the configured origins are `*` (`if allowed == "*":`) and they
    /// are not `*` when nothing is configured, nor in a branch that runs only in debug mode
    /// (`if self.debug: app.add_middleware(CORSMiddleware, allow_origins=["*"])`, `if
    /// settings.DEBUG:`), which is for local testing, as DEBUG001 treats such branches. A `*`
    /// written only under an operator's opt-in switch that is off when nothing is configured,
    /// or in the `else` of a test that holds then (`if app_settings == "app.ProductionConfig":
    /// ... else:  # dev config` with that environment fallback), is low confidence naming the
    /// switch, as SESS002 treats such writes. An origin echoed from the request is CORS002's.
    /// Reported at low severity, for review.
    ///
    /// ## Why is this dangerous
    /// Without credentials a browser sends no cookies, so the damage is limited to what the
    /// API serves anonymously. It still lets any site script the API from its visitors'
    /// browsers, which matters for APIs reachable only from an internal network or authenticated
    /// by IP, and it becomes CORS001 the day someone adds credentials.
    ///
    /// ## Example
    /// ```python
    /// CORS(app)
    /// response.headers["Access-Control-Allow-Origin"] = "*"
    /// ```
    ///
    /// ## Fix
    /// Allow the origins that need the API: `CORS(app, origins=["https://app.example.com"])`.
    /// For a deliberately public API, suppress the finding with a reason.
    pub static CORS_ANY_ORIGIN = {
        code: "CORS003",
        name: "cors-any-origin",
        severity: Low,
        confidence: High,
        cwe: 942,
        fix: "Allow only the origins that need the API, or suppress with a reason if it is public",
    }
}

pub struct CorsAnyOrigin;

impl CorsAnyOrigin {
    /// Reports hand-set `Access-Control-Allow-Origin` values that are `*`.
    fn judge_hand_set(&self, cx: &FileContext, values: &[&Expr], span: Span, out: &mut Findings) {
        if values.is_empty() || is_test_file(cx.file) || under_debug_guard(cx, span) {
            return;
        }
        if values.iter().any(|v| is_wildcard(cx, v)) && !operator_chose_wildcard(cx, span) {
            let message = "Access-Control-Allow-Origin is set to `*` by hand: any origin may read the response (without credentials)";
            report(cx, span, message.to_string(), out);
        }
    }
}

/// Reports a `*` policy; one only for a set-up the operator must choose (`if
/// CONFIG["server"].get("cors", False):`, `else:  # dev or tests config` of `if app_settings ==
/// "app.ProductionConfig"`, the default) is low confidence naming the switch, for review.
fn report(cx: &FileContext, span: Span, message: String, out: &mut Findings) {
    match opt_in_switch(cx.model, cx.file_index, span) {
        Some(switch) => out.report_with(
            &CORS_ANY_ORIGIN,
            span,
            format!(
                "{message}, only when the operator turns on `{switch}` (off unless configured)"
            ),
            CORS_ANY_ORIGIN.severity,
            Confidence::Low,
        ),
        None => out.report(&CORS_ANY_ORIGIN, span, message),
    }
}

/// The literal `*`, also through a name or a module constant, or a parameter of a module-level
/// function whose default is `*` and that some call leaves to it (or passes `*`).
fn is_wildcard(cx: &FileContext, value: &Expr) -> bool {
    match &value.kind {
        ExprKind::Str(s) => s == "*",
        ExprKind::Bytes(b) => b == b"*",
        ExprKind::Name(n) if let Some((function, param)) = parameter_of(cx, n) => {
            param
                .default
                .as_deref()
                .is_some_and(|d| literal_wildcard(cx, d))
                && some_call_gives_wildcard(cx, function, param)
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            let origin = crate::helpers::resolve_value_in_blocks(
                cx.model,
                cx.file_index,
                &cx.functions,
                value,
            );
            match &origin.expr.kind {
                ExprKind::Str(s) => s == "*",
                ExprKind::Bytes(b) => b == b"*",
                _ => false,
            }
        }
        _ => false,
    }
}

/// The literal `*` (text or bytes), also through a module constant.
fn literal_wildcard(cx: &FileContext, value: &Expr) -> bool {
    let origin = cx.model.resolve_value(cx.file_index, &[], value);
    match &origin.expr.kind {
        ExprKind::Str(s) => s == "*",
        ExprKind::Bytes(b) => b == b"*",
        _ => false,
    }
}

/// The module-level function of this file whose parameter `name` is, seen from where the
/// hook runs (also inside functions it defines, as a decorator factory's `wrapper`): the
/// innermost enclosing function that binds `name` must be that one, by its parameter only.
fn parameter_of<'a>(cx: &FileContext<'a>, name: &str) -> Option<(&'a Function, &'a Param)> {
    let function = *cx
        .functions
        .iter()
        .rev()
        .find(|f| f.assigned.may_contain(name) || f.params.iter().any(|p| p.name == name))?;
    if function.assigned.may_contain(name) {
        return None;
    }
    let param = function.params.iter().find(|p| {
        p.name == name && matches!(p.kind, ParamKind::Positional | ParamKind::KeywordOnly)
    })?;
    let top_level = matches!(
        cx.file.top_level(&function.name),
        Some(Stmt::FunctionDef(f)) if std::ptr::eq(f.as_ref(), function)
    );
    top_level.then_some((function, param))
}

/// Whether some call of the module-level `function` in the project leaves `param` to its
/// default or passes `*` (`@cors_header()` for `def cors_header(allow="*")`).
fn some_call_gives_wildcard(cx: &FileContext, function: &Function, param: &Param) -> bool {
    let position = function
        .params
        .iter()
        .take_while(|p| p.kind != ParamKind::KeywordOnly && p.kind != ParamKind::VarArgs)
        .position(|p| std::ptr::eq(p, param));
    let qualified = format!("{}.{}", cx.file.module_name, function.name);
    let mut found = false;
    for (i, file) in cx.model.files_naming(cx.file_index, &function.name) {
        if found {
            break;
        }
        for_each_call(file.body(), &mut Vec::new(), &mut |scope, _, call| {
            if found {
                return;
            }
            let calls_it = if i == cx.file_index {
                call.func.as_name() == Some(function.name.as_str())
            } else {
                file.imports.resolve(&call.func).as_deref() == Some(qualified.as_str())
            };
            if !calls_it
                || call.has_kwargs_spread()
                || call
                    .args
                    .iter()
                    .any(|a| matches!(a.kind, ExprKind::Starred(_)))
            {
                return;
            }
            let argument = match position {
                Some(at) => call.argument(&param.name, at),
                None => call.keyword(&param.name),
            };
            found = match argument {
                None => true,
                Some(arg) => {
                    let origin = cx.model.resolve_value(i, scope, arg);
                    matches!(&origin.expr.kind, ExprKind::Str(s) if s == "*")
                }
            };
        });
    }
    found
}

impl Rule for CorsAnyOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_ANY_ORIGIN
    }

    fn on_stmt(&self, cx: &FileContext, stmt: &Stmt, out: &mut Findings) {
        // Hand-set headers are read only in modules of a web framework's application, and in
        // ASGI response-start messages, which are responses wherever they are.
        let values = if cx.imports_web_framework {
            allow_origin_set_by_stmt(cx, stmt)
        } else {
            match stmt {
                Stmt::Assign {
                    value: Some(value), ..
                } if matches!(value.kind, ExprKind::Dict(_)) => {
                    allow_origin_in_asgi_start(cx, std::iter::once(value))
                }
                _ => return,
            }
        };
        if !values.is_empty() {
            self.judge_hand_set(cx, &values, stmt.span(), out);
        }
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let values = if cx.imports_web_framework {
            allow_origin_set_by_call(cx, call)
        } else {
            allow_origin_in_asgi_start(cx, call.args.iter())
        };
        if !values.is_empty() {
            self.judge_hand_set(cx, &values, expr.span, out);
            return;
        }
        for policy in policies(cx, call) {
            if policy.credentials || policy.origins_reported_elsewhere {
                continue;
            }
            if policy.any_origin().is_some() || policy.regex_matches_everything().is_some() {
                // A policy installed only in debug mode (`if self.debug:
                // app.add_middleware(...)`) is for local testing, as DEBUG001 treats such
                // branches.
                if under_debug_guard(cx, expr.span) {
                    return;
                }
                let resource = policy
                    .resource
                    .as_deref()
                    .map(|r| format!(" for {r}"))
                    .unwrap_or_default();
                report(
                    cx,
                    expr.span,
                    format!("CORS allows any origin{resource} (without credentials)"),
                    out,
                );
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::test_support::findings_of;

    #[test]
    fn a_wildcard_in_the_branch_the_default_configuration_skips_is_low_confidence() {
        let source = r#"import os

from flask import Flask


def create_app():
    app = Flask(__name__)
    with app.app_context():
        app_settings = os.getenv("APP_SETTINGS", "app.config.ProductionConfig")

    @app.after_request
    def after_request(response):
        if app_settings == "app.config.ProductionConfig":
            response.headers["X-Frame-Options"] = "DENY"
        else:  # dev or tests config
            response.headers.add("Access-Control-Allow-Origin", "*")
        return response

    return app
"#;
        let found = findings_of(&CorsAnyOrigin, &[("app.py", source)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Low);
        assert!(
            found[0]
                .message
                .contains("app_settings != \"app.config.ProductionConfig\"")
        );
        // Defaulting to the development set-up, the branch runs unless configured otherwise.
        let development = source.replace(
            "\"APP_SETTINGS\", \"app.config.ProductionConfig\"",
            "\"APP_SETTINGS\", \"app.config.DevelopmentConfig\"",
        );
        let found = findings_of(&CorsAnyOrigin, &[("app.py", &development)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::High);
        // Any comparison the default configuration passes: its `else` is the opt-in.
        let unequal = source.replace(
            "if app_settings == \"app.config.ProductionConfig\":",
            "if app_settings != \"app.config.DevelopmentConfig\":",
        );
        let found = findings_of(&CorsAnyOrigin, &[("app.py", &unequal)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Low);
        assert!(
            found[0]
                .message
                .contains("app_settings == \"app.config.DevelopmentConfig\"")
        );
    }
}
