use crate::context::FileContext;
use crate::cors_policy::{allow_origin_set_by_call, allow_origin_set_by_stmt, policies};
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::for_each_call;
use crate::rule::{Confidence, Rule, RuleMeta, Severity};
use crate::switches::opt_in_switch;
use routewarden_model::last_assignment;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{CmpOp, Expr, ExprKind, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// `Access-Control-Allow-Origin` set by hand to the request's own `Origin` header, directly
    /// or through a local variable, with no allow-list check of that value in the same function
    /// (`if origin in ALLOWED_ORIGINS`, a regex match, a comparison, also of the header itself:
    /// `allowed = request.headers.get("Origin") in config["cors_whitelist"]`, or a project
    /// helper that matches its first parameter against the list it is given:
    /// `match_regex_list(origin, app.config["CORS_DOMAINS"])`; that check is still reported,
    /// saying so, when the configured list holds a pattern matching every origin, `[".*"]`). Covers
    /// `response.headers["Access-Control-Allow-Origin"] = ...`, `headers.set/add(...)`, header
    /// dicts passed to responses or bound to a name and the headers of a Flask `return body,
    /// status, headers` tuple; the header name is also read from a module constant.
    /// When the module never sends `Access-Control-Allow-Credentials` (nor configures CORS with
    /// credentials), browsers keep cookies out of the exchange and the echo acts as `*`: it is
    /// reported at low severity. An echo written only under an operator's opt-in switch that is
    /// off when nothing is configured (an environment read with a falsy fallback, a settings
    /// read by key path whose default the project's settings schema declares false:
    /// `settings().getBoolean(["api", "allowCrossOrigin"])`), also in a function called only
    /// under one, is reported at low confidence naming the switch.
    ///
    /// ## Why is this dangerous
    /// Echoing the caller's origin is "allow every origin", written so that it also works with
    /// credentials: any website can read the responses with the user's cookies.
    ///
    /// ## Example
    /// ```python
    /// @app.after_request
    /// def add_cors(response):
    ///     response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")
    ///     response.headers["Access-Control-Allow-Credentials"] = "true"
    ///     return response
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// origin = request.headers.get("Origin")
    /// if origin in ALLOWED_ORIGINS:
    ///     response.headers["Access-Control-Allow-Origin"] = origin
    ///     response.headers["Vary"] = "Origin"
    /// ```
    /// or use `CORSMiddleware`/flask-cors with an explicit list.
    pub static CORS_REFLECTED_ORIGIN = {
        code: "CORS002",
        name: "cors-reflected-origin",
        severity: High,
        confidence: High,
        cwe: 942,
        fix: "Check the Origin against an allow-list before echoing it",
    }
}

pub struct CorsReflectedOrigin;

/// `request.headers.get("Origin")`, `request.headers["origin"]`, `environ["HTTP_ORIGIN"]`.
fn reads_origin(expr: &Expr) -> bool {
    expr.any(&mut |e| match &e.kind {
        ExprKind::Subscript { slice, .. } => slice.as_str().is_some_and(is_origin_key),
        ExprKind::Call(c) => {
            matches!(c.func.last_name(), Some("get"))
                && c.args
                    .first()
                    .and_then(Expr::as_str)
                    .is_some_and(is_origin_key)
        }
        _ => false,
    })
}

fn is_origin_key(k: &str) -> bool {
    k.eq_ignore_ascii_case("origin") || k == "HTTP_ORIGIN"
}

/// Whether `value` is the request's Origin, directly or through a local variable.
fn origin_source<'a>(
    function: Option<&'a routewarden_python::ast::Function>,
    value: &'a Expr,
) -> Option<Option<&'a str>> {
    if reads_origin(value) {
        return Some(None);
    }
    let name = value.as_name()?;
    let assigned = last_assignment(&function?.body, name)?;
    reads_origin(assigned).then_some(Some(name))
}

/// Whether the function checks `name` against something before use.
fn checked(function: &routewarden_python::ast::Function, name: &str) -> bool {
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| match &x.kind {
            ExprKind::Compare { left, ops, comparators } => {
                let mentions = left.as_name() == Some(name) || comparators.iter().any(|c| c.as_name() == Some(name));
                mentions && ops.iter().any(|op| matches!(op, CmpOp::In | CmpOp::Eq | CmpOp::NotIn | CmpOp::NotEq))
            }
            ExprKind::Call(c) => {
                matches!(c.func.last_name(), Some("match" | "fullmatch" | "search" | "endswith" | "startswith" | "is_allowed_origin" | "is_allowed"))
                    && (c.argument_values().any(|a| a.as_name() == Some(name))
                        || matches!(&c.func.kind, ExprKind::Attribute { value, .. } if value.as_name() == Some(name)))
            }
            _ => false,
        });
    });
    found
}

/// Whether the function tests the Origin header itself against an allow-list before the
/// variable is set from it: `whitelisted = request.headers.get("Origin") in allowed`,
/// `if request.headers["Origin"] == settings.FRONTEND_ORIGIN:`. A test against `None` or an
/// empty string only asks whether the header is there.
fn checks_origin_header(function: &routewarden_python::ast::Function) -> bool {
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| {
            let Some((left, op, right)) = x.single_compare() else {
                return false;
            };
            let presence = |e: &Expr| {
                matches!(e.kind, ExprKind::NoneLiteral) || e.as_str().is_some_and(str::is_empty)
            };
            let other = if reads_origin(left) {
                right
            } else if reads_origin(right) {
                left
            } else {
                return false;
            };
            match op {
                CmpOp::In | CmpOp::NotIn => !presence(other),
                CmpOp::Eq | CmpOp::NotEq => !presence(other) && !reads_origin(other),
                _ => false,
            }
        });
    });
    found
}

impl CorsReflectedOrigin {
    fn judge(
        &self,
        cx: &FileContext,
        value: &Expr,
        span: routewarden_python::ast::Span,
        out: &mut Findings,
    ) {
        let function = cx.function();
        let Some(variable) = origin_source(function, value) else {
            return;
        };
        if let (Some(name), Some(f)) = (variable, function)
            && checked(f, name)
        {
            return;
        }
        if function.is_some_and(checks_origin_header) {
            return;
        }
        // Checked by a project helper against a configured list
        // (`match_regex_list(origin, app.config["CORS_DOMAINS"])`): an allow-list, reported
        // only when the list's configured value matches every origin.
        if let (Some(name), Some(f)) = (variable, function)
            && let Some(list) = helper_checked_list(cx, f, name)
        {
            if let Some((key, pattern)) = match_all_setting(cx, list) {
                let severity = if allows_credentials(cx) {
                    CORS_REFLECTED_ORIGIN.severity
                } else {
                    Severity::Low
                };
                report(
                    cx,
                    span,
                    format!(
                        "Access-Control-Allow-Origin echoes the request's Origin after an \
                         allow-list check, but the list (`{key}`) is configured as \
                         `{pattern}`, which matches every origin"
                    ),
                    severity,
                    out,
                );
            }
            return;
        }
        if allows_credentials(cx) {
            report(
                cx,
                span,
                "Access-Control-Allow-Origin echoes the request's Origin without an allow-list check".to_string(),
                CORS_REFLECTED_ORIGIN.severity,
                out,
            );
        } else {
            // Browsers expose a credentialed response only with Allow-Credentials: without it
            // the echo is `*`, which lets other sites read only what anyone may fetch.
            report(
                cx,
                span,
                "Access-Control-Allow-Origin echoes the request's Origin without an allow-list check; this module sends no Access-Control-Allow-Credentials, so it acts as `*`".to_string(),
                Severity::Low,
                out,
            );
        }
    }
}

/// Reports an echo, at low confidence naming the switch when it is written only under an
/// operator's opt-in switch that is off when nothing is configured (see SESS002), or in a
/// top-level function every caller calls only under such a switch.
fn report(cx: &FileContext, span: Span, message: String, severity: Severity, out: &mut Findings) {
    let switch = opt_in_switch(cx.model, cx.file_index, span).or_else(|| callers_switch(cx));
    match switch {
        Some(switch) => out.report_with(
            &CORS_REFLECTED_ORIGIN,
            span,
            format!(
                "{message}, only when the operator turns on `{switch}` (off unless configured)"
            ),
            severity,
            Confidence::Low,
        ),
        None => out.report_with_severity(&CORS_REFLECTED_ORIGIN, span, message, severity),
    }
}

/// The opt-in switch every caller of the enclosing top-level function calls it under, when
/// the function is only ever called (never passed around) and each call is under one.
fn callers_switch(cx: &FileContext) -> Option<String> {
    let [function] = cx.functions.as_slice() else {
        return None;
    };
    let top_level = matches!(
        cx.file.top_level(&function.name),
        Some(Stmt::FunctionDef(f)) if std::ptr::eq(f.as_ref(), *function)
    );
    if !top_level {
        return None;
    }
    let qualified = format!("{}.{}", cx.file.module_name, function.name);
    let names_it = |i: usize, e: &Expr| {
        if i == cx.file_index {
            e.as_name() == Some(function.name.as_str())
        } else {
            matches!(e.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                && cx.model.files[i].imports.resolve(e).as_deref() == Some(qualified.as_str())
        }
    };
    let mut switch: Option<String> = None;
    for (i, file) in cx.model.files_naming(cx.file_index, &function.name) {
        // Every mention must be the callee of a call made under a switch.
        let mut mentions = 0usize;
        walk_exprs(file.body(), &mut |top| {
            top.any(&mut |e| {
                if names_it(i, e) {
                    mentions = mentions.saturating_add(1);
                }
                false
            });
        });
        let mut calls = 0usize;
        let mut unswitched = false;
        for_each_call(file.body(), &mut Vec::new(), &mut |_, expr, call| {
            if unswitched || !names_it(i, &call.func) {
                return;
            }
            calls = calls.saturating_add(1);
            match opt_in_switch(cx.model, i, expr.span) {
                Some(s) => {
                    switch.get_or_insert(s);
                }
                None => unswitched = true,
            }
        });
        if unswitched || mentions != calls {
            return None;
        }
    }
    switch
}

/// The list a project helper checks the origin `name` against: `match_regex_list(origin,
/// ALLOWED)` where the helper compares or matches its parameter (see [`checked`]).
fn helper_checked_list<'e>(
    cx: &FileContext,
    function: &'e routewarden_python::ast::Function,
    name: &str,
) -> Option<&'e Expr> {
    let mut found = None;
    walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            if found.is_none()
                && let ExprKind::Call(call) = &x.kind
                && call.keywords.is_empty()
                && let [first, second] = call.args.as_slice()
                && first.as_name() == Some(name)
                && let Some((_, Some(Stmt::FunctionDef(helper)), _)) =
                    cx.model.resolve_definition(cx.file_index, &call.func)
                && let Some(param) = helper.params.first()
                && checks_against(helper, &param.name)
            {
                found = Some(second);
            }
            false
        });
    });
    found
}

/// Whether a helper compares or matches its parameter `name` with something: `name in
/// allowed`, `regex.match(name)`.
fn checks_against(helper: &routewarden_python::ast::Function, name: &str) -> bool {
    checked(helper, name) || {
        let mut found = false;
        walk_exprs(&helper.body, &mut |e| {
            found |= e.any(&mut |x| {
                matches!(&x.kind, ExprKind::Call(c)
                        if matches!(c.func.last_name(), Some("match" | "fullmatch" | "search"))
                            && c.args.first().and_then(Expr::as_name) == Some(name))
            });
        });
        found
    }
}

/// A configuration key read as `app.config["KEY"]` or `config.get("KEY")` whose production
/// value is a list with a pattern that matches every origin (`[".*"]`, `["*"]`): the key
/// and the pattern.
fn match_all_setting(cx: &FileContext, list: &Expr) -> Option<(String, String)> {
    let key = match &list.kind {
        ExprKind::Subscript { slice, .. } => slice.as_str()?,
        ExprKind::Call(c) if c.func.last_name() == Some("get") => c.args.first()?.as_str()?,
        _ => return None,
    };
    cx.config.production_values(key).iter().find_map(|v| {
        let (ExprKind::List(items) | ExprKind::Tuple(items)) = &v.value.kind else {
            return None;
        };
        items.iter().find_map(|i| {
            let p = i.as_str()?;
            matches!(p, ".*" | "^.*$" | "^.*" | ".+" | "*" | "^.+$")
                .then(|| (key.to_string(), format!("[\"{p}\"]")))
        })
    })
}

/// Whether the module that echoes the origin sends `Access-Control-Allow-Credentials` (a header
/// key written as a literal) or configures a CORS policy with credentials anywhere, classes
/// included: the headers of a CORS policy are written together.
fn allows_credentials(cx: &FileContext) -> bool {
    fn in_body(cx: &FileContext, body: &[Stmt]) -> bool {
        body.iter().any(|stmt| {
            let mut found = false;
            stmt.for_each_own_expr(&mut |e| {
                found |= e.any(&mut |x| match &x.kind {
                    ExprKind::Str(s) => s.eq_ignore_ascii_case("Access-Control-Allow-Credentials"),
                    ExprKind::Call(c) => policies(cx, c).iter().any(|p| p.credentials),
                    _ => false,
                });
            });
            found || stmt.child_bodies().any(|child| in_body(cx, child))
        })
    }
    in_body(cx, cx.file.body())
}

impl Rule for CorsReflectedOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_REFLECTED_ORIGIN
    }

    fn on_stmt(&self, cx: &FileContext, stmt: &Stmt, out: &mut Findings) {
        for value in allow_origin_set_by_stmt(cx, stmt) {
            self.judge(cx, value, stmt.span(), out);
        }
    }

    fn on_call(
        &self,
        cx: &FileContext,
        expr: &Expr,
        call: &routewarden_python::ast::Call,
        out: &mut Findings,
    ) {
        for value in allow_origin_set_by_call(cx, call) {
            self.judge(cx, value, expr.span, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::test_support::findings_of;

    fn severity_of(source: &str) -> Vec<Severity> {
        findings_of(&CorsReflectedOrigin, &[("app.py", source)])
            .iter()
            .map(|f| f.severity)
            .collect()
    }

    #[test]
    fn an_echo_without_credentials_acts_as_a_wildcard() {
        let echo = r#"from flask import Flask, request

app = Flask(__name__)


@app.after_request
def cors(response):
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")
    return response
"#;
        assert_eq!(severity_of(echo), vec![Severity::Low]);
        let with_credentials = echo.replace(
            "    return response",
            "    response.headers[\"Access-Control-Allow-Credentials\"] = \"true\"\n    return response",
        );
        assert_eq!(severity_of(&with_credentials), vec![Severity::High]);
    }
}
