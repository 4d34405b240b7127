use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::ProjectModel;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Expr, ExprKind, Stmt};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A lookup that raises when the row is missing, inside a route handler with nothing to
    /// handle that error: SQLAlchemy's `.one()` and `.scalar_one()`, Django-style
    /// `Model.objects.get(...)`, Tortoise and peewee `Model.get(...)`. Not reported inside a
    /// `try` that catches `NoResultFound`/`DoesNotExist` (or a broader exception), nor when the
    /// project registers an exception handler for those errors (`exception_handler`,
    /// `errorhandler`, `add_exception_handler`, `register_error_handler`).
    ///
    /// ## Why is this dangerous
    /// A request for a missing id becomes a 500 instead of a 404: in debug mode with the full
    /// query and traceback, in production with a pattern an attacker can use to enumerate ids
    /// and fill error logs and alerting.
    ///
    /// ## Example
    /// ```python
    /// @app.get("/orders/{order_id}")
    /// def get_order(order_id: int, db: Session = Depends(get_db)):
    ///     return db.execute(select(Order).where(Order.id == order_id)).scalar_one()
    /// ```
    ///
    /// ## Fix
    /// ```python
    ///     order = db.get(Order, order_id)
    ///     if order is None:
    ///         raise HTTPException(status_code=404)
    ///     return order
    /// ```
    /// or `scalar_one_or_none()`, `first_or_404()`, `get_object_or_404()`.
    pub static UNHANDLED_LOOKUP_IN_ROUTE = {
        code: "ERR002",
        name: "unhandled-lookup-in-route",
        severity: Low,
        confidence: Medium,
        cwe: 755,
        fix: "Handle the missing row: use a *_or_none lookup and answer 404",
    }
}

pub struct UnhandledLookupInRoute;

/// Exception names that cover a missing row.
fn catches_lookup(name: &str) -> bool {
    matches!(
        name,
        "NoResultFound"
            | "DoesNotExist"
            | "ObjectDoesNotExist"
            | "Exception"
            | "BaseException"
            | "SQLAlchemyError"
            | "NotFound"
            | "InvalidRequestError"
            | "MultipleResultsFound"
    ) || name.ends_with("DoesNotExist")
}

fn handler_catches(type_: Option<&Expr>) -> bool {
    let Some(t) = type_ else { return true };
    match t.elements() {
        Some(items) => items
            .iter()
            .any(|i| i.last_name().is_some_and(catches_lookup)),
        None => t.last_name().is_some_and(catches_lookup),
    }
}

/// A project-wide exception handler for missing rows.
fn has_global_handler(model: &ProjectModel) -> bool {
    let registers = |call: &routewarden_python::ast::Call| {
        matches!(
            call.func.last_name(),
            Some(
                "exception_handler"
                    | "errorhandler"
                    | "app_errorhandler"
                    | "add_exception_handler"
                    | "register_error_handler"
            )
        ) && call
            .args
            .first()
            .and_then(|a| a.last_name())
            .is_some_and(catches_lookup)
    };
    model.files.iter().any(|file| {
        let mut found = false;
        walk_exprs(file.body(), &mut |e| {
            found |= e.any(&mut |x| matches!(&x.kind, ExprKind::Call(c) if registers(c)));
        });
        found || decorated(file.body(), &registers)
    })
}

fn decorated(body: &[Stmt], registers: &dyn Fn(&routewarden_python::ast::Call) -> bool) -> bool {
    body.iter().any(|s| match s {
        Stmt::FunctionDef(f) => {
            f.decorators
                .iter()
                .any(|d| d.as_call().is_some_and(registers))
                || decorated(&f.body, registers)
        }
        Stmt::ClassDef(c) => decorated(&c.body, registers),
        other => other.child_bodies().any(|b| decorated(b, registers)),
    })
}

/// A raising lookup call: `.one()`, `.scalar_one()`, `X.objects.get(...)`, `await Model.get(...)`.
fn raising_lookup(expr: &Expr, model_classes: &dyn Fn(&Expr) -> bool) -> Option<&'static str> {
    let ExprKind::Call(call) = &expr.kind else {
        return None;
    };
    let ExprKind::Attribute { value, attr } = &call.func.kind else {
        return None;
    };
    match attr.as_str() {
        "one" if call.args.is_empty() => Some(".one()"),
        "scalar_one" if call.args.is_empty() => Some(".scalar_one()"),
        "get" => {
            if matches!(&value.kind, ExprKind::Attribute { attr, .. } if attr == "objects") {
                Some(".objects.get()")
            } else if model_classes(value) {
                Some("Model.get()")
            } else {
                None
            }
        }
        _ => None,
    }
}

struct Search<'a> {
    model_classes: &'a dyn Fn(&Expr) -> bool,
    found: Vec<(routewarden_python::ast::Span, &'static str)>,
}

impl Search<'_> {
    fn body(&mut self, body: &[Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => {
                    if !handlers.iter().any(|h| handler_catches(h.type_.as_ref())) {
                        self.body(body);
                    }
                    for h in handlers {
                        self.body(&h.body);
                    }
                    self.body(orelse);
                    self.body(finalbody);
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                other => {
                    let span = other.span();
                    let exprs: Vec<&Expr> = match other {
                        Stmt::Expr { value, .. }
                        | Stmt::Return {
                            value: Some(value), ..
                        } => vec![value],
                        Stmt::Assign {
                            value: Some(value), ..
                        } => vec![value],
                        Stmt::If { test, .. } | Stmt::While { test, .. } => vec![test],
                        Stmt::For { iter, .. } => vec![iter],
                        _ => Vec::new(),
                    };
                    for e in exprs {
                        let mut what = None;
                        e.any(&mut |x| {
                            what = raising_lookup(x, self.model_classes);
                            what.is_some()
                        });
                        if let Some(w) = what {
                            self.found.push((span, w));
                        }
                    }
                    for child in other.child_bodies() {
                        self.body(child);
                    }
                }
            }
        }
    }
}

const MODEL_BASES: &[&str] = &["tortoise.models.Model", "tortoise.Model", "peewee.Model"];

impl Rule for UnhandledLookupInRoute {
    fn meta(&self) -> &'static RuleMeta {
        &UNHANDLED_LOOKUP_IN_ROUTE
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        if cx.surface.apps.routes.is_empty() || has_global_handler(cx.model) {
            return;
        }
        let mut seen = HashSet::default();
        for route in &cx.surface.apps.routes {
            if !seen.insert((route.handler_file, route.handler.span.start)) {
                continue;
            }
            let file = route.handler_file;
            let is_model = |e: &Expr| {
                cx.model
                    .class_name(file, e)
                    .is_some_and(|q| MODEL_BASES.contains(&q.as_str()))
            };
            let mut search = Search {
                model_classes: &is_model,
                found: Vec::new(),
            };
            search.body(&route.handler.body);
            for (span, what) in search.found {
                let mut f = Findings::new(file);
                f.report(
                    &UNHANDLED_LOOKUP_IN_ROUTE,
                    span,
                    format!("{what} raises when nothing matches, and {}() does not handle it: a 500 instead of a 404", route.handler.name),
                );
                out.extend(f.into_vec());
            }
        }
    }
}
