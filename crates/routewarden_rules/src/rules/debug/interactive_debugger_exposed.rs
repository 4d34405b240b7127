use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::{is_enabled, is_falsy_literal, is_public_host};
use crate::rule::{Rule, RuleMeta, Severity};
use routewarden_python::ast::{Call, Expr};

declare_rule! {
    /// ## What it finds
    /// The Werkzeug interactive debugger turned on directly, outside Flask's debug switch:
    /// `DebuggedApplication(app, evalex=True)` and `run_simple(..., use_debugger=True)` with the
    /// console left on (`use_evalex` defaults to `True`). Critical when `run_simple` binds every
    /// interface.
    ///
    /// ## Why is this dangerous
    /// The interactive debugger is a Python console in the browser: on any error page, whoever
    /// sees it can evaluate code in the server process, protected only by a PIN that can be
    /// derived from machine details an attacker can often read.
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

impl Rule for InteractiveDebuggerExposed {
    fn meta(&self) -> &'static RuleMeta {
        &INTERACTIVE_DEBUGGER_EXPOSED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &INTERACTIVE_DEBUGGER_EXPOSED;
        let Some(callee) = cx.resolve(&call.func) else {
            return;
        };
        match callee.as_str() {
            "werkzeug.debug.DebuggedApplication" | "werkzeug.DebuggedApplication" => {
                if call
                    .argument("evalex", 1)
                    .is_some_and(|e| is_enabled(cx, e))
                {
                    out.report(meta, expr.span, "DebuggedApplication wraps the app with evalex=True: an in-browser Python console");
                }
            }
            "werkzeug.serving.run_simple" | "werkzeug.run_simple" => {
                let debugger = call
                    .argument("use_debugger", 4)
                    .is_some_and(|e| is_enabled(cx, e));
                let evalex_off = call.argument("use_evalex", 5).is_some_and(is_falsy_literal);
                if debugger && !evalex_off {
                    let public = call.argument("hostname", 0).is_some_and(is_public_host);
                    let severity = if public {
                        Severity::Critical
                    } else {
                        meta.severity
                    };
                    out.report_with_severity(
                        meta,
                        expr.span,
                        if public {
                            "run_simple serves the interactive debugger on every interface"
                        } else {
                            "run_simple enables the interactive debugger console"
                        },
                        severity,
                    );
                }
            }
            _ => {}
        }
    }
}
