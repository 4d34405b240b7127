//! The opt-in switches (`if ENABLE_X:`) under which a weak setting is only written when someone
//! turns it on, judged by what the settings they read are when the operator configures nothing
//! (the model's `defaults::unset_value`). Shared by the rules that lower such writes to low severity (SESS002, CORS002,
//! CORS003, CSRF001).

use routewarden_model::ProjectModel;
use routewarden_python::ast::{BoolOp, CmpOp, Expr, ExprKind, Function, Span, Stmt, UnaryOp};

use routewarden_model::defaults::unset_value_in;
pub(crate) use routewarden_model::defaults::{Lit, unset_value};

/// The literals a name written as a setting's value holds at the write: inside
/// `if NAME in ["Strict", "Lax"]:` or `if NAME == "Lax":` (also one operand of an `and`) it is
/// one of them, whatever the environment gave it. The innermost such test of the enclosing `if`
/// bodies (not their `else`) counts, unless that body assigns the name again. `None` when no
/// enclosing test pins it.
pub(crate) fn pinned_literals(model: &ProjectModel, file: usize, value: &Expr) -> Option<Vec<Lit>> {
    let name = value.as_name()?;
    let within = |s: Span| s.start <= value.span.start && value.span.end <= s.end;
    let mut pinned = None;
    let mut stmts = model.files[file].body();
    'descend: loop {
        for stmt in stmts {
            if !within(stmt.span()) {
                continue;
            }
            if let Stmt::If { test, body, .. } = stmt
                && body.iter().any(|s| within(s.span()))
                && let Some(lits) = test_literals(test, name)
            {
                pinned =
                    (routewarden_model::defaults::assignments(body, name) == 0).then_some(lits);
            }
            if let Some(child) = stmt
                .child_bodies()
                .find(|b| b.iter().any(|s| within(s.span())))
            {
                stmts = child;
                continue 'descend;
            }
            // The statement that holds the write: make sure it is this very expression.
            let mut here = false;
            stmt.for_each_own_expr(&mut |e| here |= e.any(&mut |x| std::ptr::eq(x, value)));
            return if here { pinned } else { None };
        }
        return None;
    }
}

/// The literals `test` pins `name` to: `name in [lits]`, `name == lit`, or an `and` with one.
fn test_literals(test: &Expr, name: &str) -> Option<Vec<Lit>> {
    match &test.kind {
        ExprKind::BoolOp {
            op: BoolOp::And,
            values,
        } => values.iter().find_map(|v| test_literals(v, name)),
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if left.as_name() == Some(name) => match (&ops[..], comparators.as_slice()) {
            ([CmpOp::Eq], [right]) => Some(vec![Lit::of(right)?]),
            ([CmpOp::In], [right]) => right.elements()?.iter().map(Lit::of).collect(),
            _ => None,
        },
        _ => None,
    }
}

/// The test of the outermost `if` whose body (not its `else`) holds the statement at `span` and
/// that is false when nothing is configured: the operator's opt-in switch (the operand of an
/// `and` that is off, the read a local copies), as source text. Also the `else` of a comparison
/// that holds when nothing is configured (`if app_settings == "app.ProductionConfig": ...
/// else:  # dev or tests config`, where `app_settings = os.getenv("APP_SETTINGS",
/// "app.ProductionConfig")`, also bound in an enclosing function), named as its negation.
///
/// An early exit before the statement counts like an `if` around it: after `if not
/// conf.getboolean("api", "enable_experimental_api", fallback=False): return` (or `raise`,
/// without an `else`) the rest of the block runs only when the switch is on.
pub(crate) fn opt_in_switch(model: &ProjectModel, file: usize, span: Span) -> Option<String> {
    let module = &model.files[file];
    let within = |s: Span| s.start <= span.start && span.end <= s.end;
    let text = |e: &Expr| routewarden_model::apps::one_line(&module.span_text(e.span));
    let mut stmts = module.body();
    let mut scope: Vec<&Function> = Vec::new();
    loop {
        // `if not SWITCH: return` earlier in the block.
        let early_exit = stmts
            .iter()
            .take_while(|s| s.span().end <= span.start)
            .find_map(|s| match s {
                Stmt::If {
                    test, body, orelse, ..
                } if orelse.is_empty()
                    && matches!(body.last(), Some(Stmt::Return { .. } | Stmt::Raise { .. })) =>
                {
                    let ExprKind::UnaryOp {
                        op: UnaryOp::Not,
                        operand,
                    } = &test.kind
                    else {
                        return None;
                    };
                    off_by_default(model, file, scope.last().copied(), operand, 0)
                }
                _ => None,
            });
        if let Some(switch) = early_exit {
            return Some(text(switch));
        }
        let stmt = stmts
            .iter()
            .find(|s| within(s.span()) && s.span() != span)?;
        if let Stmt::If {
            test, body, orelse, ..
        } = stmt
        {
            if body.iter().any(|s| within(s.span()))
                && let Some(switch) = off_by_default(model, file, scope.last().copied(), test, 0)
            {
                return Some(text(switch));
            }
            if orelse.iter().any(|s| within(s.span()))
                && compares_true_by_default(model, file, &scope, test)
            {
                return Some(crate::helpers::negation(&text, test));
            }
        }
        if let Stmt::FunctionDef(f) = stmt {
            scope.push(f);
        }
        stmts = stmt
            .child_bodies()
            .find(|b| b.iter().any(|s| within(s.span())))?;
    }
}

/// Whether the chain `mapping` starts from a name the module binds itself (at its top level or
/// in its blocks), which `function` does not bind: a configuration loaded once, not a request's
/// values or a parameter.
fn bound_in_module(
    model: &ProjectModel,
    file: usize,
    function: Option<&Function>,
    mapping: &Expr,
) -> bool {
    let Some(name) = mapping.root_name() else {
        return false;
    };
    let local = function.is_some_and(|f| {
        f.params.iter().any(|p| p.name == name)
            || routewarden_model::defaults::assignments(&f.body, name) > 0
    });
    !local && routewarden_model::defaults::assignments(model.files[file].body(), name) > 0
}

/// Whether `test` is a comparison (`x == "literal"`, `x in [...]`) that holds when nothing is
/// configured, its names followed through the enclosing functions of `scope` (see
/// [`unset_value`]).
fn compares_true_by_default<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    test: &'a Expr,
) -> bool {
    matches!(test.kind, ExprKind::Compare { .. })
        && unset_value_in(model, file, scope, test) == Some(Lit::Bool(true))
}

/// The part of a test that makes it false when the operator configures nothing: a test on
/// environment reads or settings that is falsy unset (see [`unset_value`]), `x is True`/`x ==
/// True` where `x` is a configuration mapping's `get("key", default)` with another default,
/// a configuration mapping the module binds itself read as a test with a falsy default
/// (`CONFIG["server"].get("cors", False)`), a local of `function` every assignment of which is
/// such a test, or such an operand of an `and`.
fn off_by_default<'e>(
    model: &ProjectModel,
    file: usize,
    function: Option<&'e Function>,
    test: &'e Expr,
    depth: u32,
) -> Option<&'e Expr> {
    if depth > 8 {
        return None;
    }
    // The operand of an `and` that is off names the switch, not the whole test.
    if let ExprKind::BoolOp {
        op: BoolOp::And,
        values,
    } = &test.kind
    {
        return values
            .iter()
            .find_map(|v| off_by_default(model, file, function, v, depth + 1));
    }
    if let Some(value) = unset_value(model, file, test) {
        return (!value.truthy()).then_some(test);
    }
    match &test.kind {
        // `if CONFIG["server"].get("cors", False):` on a configuration the module loads: the
        // default applies when the operator's file leaves the key out.
        ExprKind::Call(call) => {
            let (mapping, _, default) = crate::helpers::literal_key_get(call)?;
            let off = Lit::of(default).is_some_and(|v| !v.truthy())
                && bound_in_module(model, file, function, mapping)
                && crate::cors_policy::is_mapping_get_with_default(model, file, &[], call);
            off.then_some(test)
        }
        // `allow = settings().getBoolean([...])` and then `if ... and allow:`; a parameter is
        // whatever the caller passes.
        ExprKind::Name(name) => {
            let f = function?;
            if f.params.iter().any(|p| p.name == *name) {
                return None;
            }
            let values = crate::credentials::assigned_values(&f.body, name);
            let mut switches = values
                .into_iter()
                .map(|v| off_by_default(model, file, Some(f), v, depth + 1));
            let first = switches.next()??;
            switches.all(|s| s.is_some()).then_some(first)
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => {
            let ([CmpOp::Is | CmpOp::Eq], [right]) = (&ops[..], comparators.as_slice()) else {
                return None;
            };
            if !matches!(right.kind, ExprKind::Bool(true)) {
                return None;
            }
            // An environment read was judged above; a configuration mapping's `get("key",
            // default)` reads as its default.
            let call = left.as_call()?;
            let (_, _, default) = crate::helpers::literal_key_get(call)?;
            let fallback = crate::cors_policy::is_mapping_get_with_default(model, file, &[], call)
                .then(|| Lit::of(default))
                .flatten();
            fallback
                .is_some_and(|v| v != Lit::Bool(true))
                .then_some(test)
        }
        _ => None,
    }
}
