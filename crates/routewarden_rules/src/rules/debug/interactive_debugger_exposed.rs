use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::{
    binds_public, is_enabled, is_falsy_literal, is_flask_app, mapping_items_in, setdefault_item,
    subscript_key, under_debug_guard,
};
use crate::rule::{Rule, RuleMeta, Severity};
use routewarden_python::ast::{Call, Expr, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// The Werkzeug interactive debugger turned on directly, outside Flask's debug switch. Forms:
    /// `DebuggedApplication(app, evalex=True)`, `run_simple(..., use_debugger=True)` with the
    /// console left on (`use_evalex` defaults to `True`), Flask's `app.run(use_debugger=True)`
    /// without debug mode, and the debugger PIN switched off with `WERKZEUG_DEBUG_PIN=off` set
    /// through `os.environ`. Critical when `run_simple` or `app.run` binds every interface (also
    /// through a command-line option or an environment variable whose default is `"0.0.0.0"`).
    /// Code in an `if` that runs only in debug mode (`if app.debug:`,
    /// `if app.config["DEBUG"]:`, `if settings.DEBUG:`, also a local copy of the switch,
    /// `use_debugger = self.debug` then `if use_debugger:`) is not reported.
    ///
    /// ## Why is this dangerous
    /// The interactive debugger is a Python console in the browser: on any error page, whoever
    /// sees it can evaluate code in the server process, protected only by a PIN that can be
    /// derived from machine details an attacker can often read, and by nothing when the PIN is
    /// switched off.
    ///
    /// ## Example
    /// ```python
    /// from werkzeug.debug import DebuggedApplication
    ///
    /// app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
    /// ```
    ///
    /// ## Fix
    /// Remove the wrapper from deployed code; use the debugger only on a developer machine,
    /// bound to `127.0.0.1`, behind a check of an environment variable that is never set in
    /// production.
    pub static INTERACTIVE_DEBUGGER_EXPOSED = {
        code: "DEBUG002",
        name: "interactive-debugger-exposed",
        severity: High,
        confidence: High,
        cwe: 94,
        fix: "Remove the interactive debugger from deployed code",
    }
}

pub struct InteractiveDebuggerExposed;

const DEBUGGED_APPLICATION: &[&str] = &[
    "werkzeug.debug.DebuggedApplication",
    "werkzeug.DebuggedApplication",
];

const RUN_SIMPLE: &[&str] = &["werkzeug.serving.run_simple", "werkzeug.run_simple"];

impl Rule for InteractiveDebuggerExposed {
    fn meta(&self) -> &'static RuleMeta {
        &INTERACTIVE_DEBUGGER_EXPOSED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &INTERACTIVE_DEBUGGER_EXPOSED;
        if cx.resolves_to(&call.func, DEBUGGED_APPLICATION) {
            if call
                .argument("evalex", 1)
                .is_some_and(|e| is_enabled(cx, e))
                && reported_here(cx, expr.span)
            {
                out.report(
                    meta,
                    expr.span,
                    "DebuggedApplication wraps the app with evalex=True: an in-browser Python console",
                );
            }
            return;
        }
        if cx.resolves_to(&call.func, RUN_SIMPLE) {
            let host = call.argument("hostname", 0);
            if debugger_on(cx, call, 4, 5) {
                report_server(cx, expr.span, "run_simple", host, out);
            }
            return;
        }
        if cx.resolves_to(&call.func, &["os.putenv"]) {
            if setdefault_item(call).is_some_and(|(k, v)| disables_pin(k, v)) {
                report_pin(cx, expr.span, out);
            }
            return;
        }
        let Some((receiver, attr)) = call.method() else {
            return;
        };
        match attr {
            // Flask's `run` passes these options to `run_simple`; with `debug=True` it is
            // DEBUG001's finding.
            "run" if is_flask_app(cx, receiver) => {
                let debug = call.argument("debug", 2).is_some_and(|d| is_enabled(cx, d));
                if !debug && debugger_on(cx, call, usize::MAX, usize::MAX) {
                    report_server(cx, expr.span, "app.run", call.argument("host", 0), out);
                }
            }
            "setdefault" | "update" if is_os_environ(cx, receiver) => {
                let disabled = if attr == "setdefault" {
                    setdefault_item(call).is_some_and(|(k, v)| disables_pin(k, v))
                } else {
                    mapping_items_in(cx, call)
                        .into_iter()
                        .any(|(k, v, _)| disables_pin(k, v))
                };
                if disabled {
                    report_pin(cx, expr.span, out);
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
        let pin_off = targets.iter().any(|t| {
            subscript_key(t).is_some_and(|(mapping, key)| {
                is_os_environ(cx, mapping) && disables_pin(key, value)
            })
        });
        if pin_off {
            report_pin(cx, *span, out);
        }
    }
}

/// `use_debugger` enabled and `use_evalex` not switched off (it defaults to on).
fn debugger_on(cx: &FileContext, call: &Call, debugger_at: usize, evalex_at: usize) -> bool {
    call.argument("use_debugger", debugger_at)
        .is_some_and(|e| is_enabled(cx, e))
        && !call
            .argument("use_evalex", evalex_at)
            .is_some_and(is_falsy_literal)
}

/// Not in a branch that runs only in debug mode.
fn reported_here(cx: &FileContext, span: Span) -> bool {
    !under_debug_guard(cx, span)
}

fn report_server(
    cx: &FileContext,
    span: Span,
    what: &str,
    host: Option<&Expr>,
    out: &mut Findings,
) {
    let meta = &INTERACTIVE_DEBUGGER_EXPOSED;
    if !reported_here(cx, span) {
        return;
    }
    if host.is_some_and(|h| binds_public(cx, h)) {
        out.report_with_severity(
            meta,
            span,
            format!("{what} serves the interactive debugger on every interface"),
            Severity::Critical,
        );
    } else {
        out.report(
            meta,
            span,
            format!("{what} enables the interactive debugger console"),
        );
    }
}

fn report_pin(cx: &FileContext, span: Span, out: &mut Findings) {
    if !reported_here(cx, span) {
        return;
    }
    out.report(
        &INTERACTIVE_DEBUGGER_EXPOSED,
        span,
        "WERKZEUG_DEBUG_PIN=off removes the PIN that guards the debugger console",
    );
}

fn is_os_environ(cx: &FileContext, expr: &Expr) -> bool {
    cx.resolves_to(expr, &["os.environ"])
}

fn disables_pin(key: &str, value: &Expr) -> bool {
    key == "WERKZEUG_DEBUG_PIN"
        && value
            .as_str()
            .is_some_and(|v| v.eq_ignore_ascii_case("off"))
}

#[cfg(test)]
mod tests {
    use crate::helpers::test_support::findings_of;
    use crate::rule::Severity;

    #[test]
    fn public_run_simple_is_critical() {
        let found = findings_of(
            &super::InteractiveDebuggerExposed,
            &[(
                "serve.py",
                "from werkzeug.serving import run_simple\nfrom app import app\nrun_simple('0.0.0.0', 80, app, use_debugger=True)\nrun_simple('localhost', 80, app, use_debugger=True)\n",
            )],
        );
        let severities: Vec<_> = found.iter().map(|f| (f.line, f.severity)).collect();
        assert_eq!(severities, [(3, Severity::Critical), (4, Severity::High)]);
    }
}
