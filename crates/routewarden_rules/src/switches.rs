//! What a setting is when the operator configures nothing: environment reads judged by their
//! fallback, settings read by key path judged by the project's declared defaults, and the
//! opt-in switches (`if ENABLE_X:`) under which a weak setting is only written when someone
//! turns it on. Shared by the rules that lower such writes to low severity (SESS002, CORS002,
//! CORS003, CSRF001).

use routewarden_model::ProjectModel;
use routewarden_python::ast::{BoolOp, Class, CmpOp, Expr, ExprKind, Function, Span, Stmt};

pub(crate) use routewarden_model::defaults::Lit;

/// `"false"`, `"0"`, `"no"`, `"off"` as a boolean setting string (strtobool, decouple).
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "f" | "" => Some(false),
        _ => None,
    }
}

/// The value a setting read from the environment takes when the variable is not set:
/// `os.getenv("K", "false").lower() == "true"`, `os.environ.get("K", False)`,
/// `bool(int(os.getenv("K", "0")))`, `env.bool("K", False)`, `config("K", default=False,
/// cast=bool)`, also through module constants. `None` when no environment read with an explicit
/// default is involved.
pub(crate) fn unset_value(
    model: &ProjectModel,
    file: usize,
    expr: &Expr,
    depth: u32,
) -> Option<Lit> {
    if depth > 8 {
        return None;
    }
    let imports = &model.files[file].imports;
    match &expr.kind {
        ExprKind::Name(_) => {
            let origin = model.resolve_value(file, &[], expr);
            if std::ptr::eq(origin.expr, expr) {
                return None;
            }
            let value = unset_value(model, origin.file, origin.expr, depth + 1)?;
            Some(value)
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => {
            let ([op], [right]) = (&ops[..], comparators.as_slice()) else {
                return None;
            };
            let value = unset_value(model, file, left, depth + 1)?;
            let result = match op {
                CmpOp::Eq | CmpOp::NotEq => {
                    let other = Lit::of(right)?;
                    (value == other) == (*op == CmpOp::Eq)
                }
                CmpOp::In | CmpOp::NotIn => {
                    let items = right.elements()?;
                    let mut found = false;
                    for item in items {
                        found |= Lit::of(item)? == value;
                    }
                    found == (*op == CmpOp::In)
                }
                _ => return None,
            };
            Some(Lit::Bool(result))
        }
        ExprKind::Call(call) => {
            // `bool`, `int`: builtins unless the module binds the name itself.
            let q = match call.func.as_name() {
                Some(n @ ("bool" | "int"))
                    if imports.get(n).is_none() && model.files[file].top_level(n).is_none() =>
                {
                    Some(format!("builtins.{n}"))
                }
                _ => imports.resolve(&call.func),
            };
            match q.as_deref() {
                Some("os.getenv" | "os.environ.get") => {
                    let default = call.argument("default", 1)?;
                    Lit::of(default).or_else(|| unset_value(model, file, default, depth + 1))
                }
                Some("builtins.bool") => {
                    let v = unset_value(model, file, call.args.first()?, depth + 1)?;
                    Some(Lit::Bool(v.truthy()))
                }
                Some("builtins.int") => {
                    match unset_value(model, file, call.args.first()?, depth + 1)? {
                        Lit::Str(s) => s.trim().parse().ok().map(Lit::Int),
                        Lit::Bool(b) => Some(Lit::Int(i64::from(b))),
                        other @ Lit::Int(_) => Some(other),
                        Lit::None => None,
                    }
                }
                Some("distutils.util.strtobool" | "str2bool.str2bool") => {
                    match unset_value(model, file, call.args.first()?, depth + 1)? {
                        Lit::Str(s) => parse_bool(&s).map(Lit::Bool),
                        other => Some(other),
                    }
                }
                // python-decouple: `config("K", default="False", cast=bool)`
                Some("decouple.config") => {
                    let default = Lit::of(call.argument("default", 1)?)?;
                    let cast_bool = call
                        .keyword("cast")
                        .and_then(Expr::as_name)
                        .is_some_and(|n| n == "bool");
                    match default {
                        Lit::Str(s) if cast_bool => parse_bool(&s).map(Lit::Bool),
                        other => Some(other),
                    }
                }
                _ => {
                    let ExprKind::Attribute { value, attr } = &call.func.kind else {
                        return None;
                    };
                    match attr.as_str() {
                        "lower" | "upper" | "strip" | "casefold" => {
                            match unset_value(model, file, value, depth + 1)? {
                                Lit::Str(s) => Some(Lit::Str(match attr.as_str() {
                                    "lower" | "casefold" => s.to_lowercase(),
                                    "upper" => s.to_uppercase(),
                                    _ => s.trim().to_string(),
                                })),
                                _ => None,
                            }
                        }
                        // A settings manager read by key path, `settings().getBoolean(["api",
                        // "allowCrossOrigin"])`: the default the project's settings schema declares.
                        "get" | "getBoolean" if call.args.len() == 1 => {
                            let keys: Option<Vec<&str>> =
                                call.args[0].elements()?.iter().map(Expr::as_str).collect();
                            match keys? {
                                keys if keys.len() > 1 => settings_path_default(model, &keys),
                                _ => None,
                            }
                        }
                        // environs: `env.bool("K", False)`, `env.bool("K", default=False)`
                        "bool" if call.args.first().is_some_and(Expr::is_string_literal) => {
                            match Lit::of(call.argument("default", 1)?)? {
                                Lit::Str(s) => parse_bool(&s).map(Lit::Bool),
                                other => Some(other),
                            }
                        }
                        _ => None,
                    }
                }
            }
        }
        _ => None,
    }
}

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

/// The default a project settings schema declares for a key path: a class declaring the last
/// key as a field with a literal default (`allowCrossOrigin: bool = False`), reached through
/// classes declaring each earlier key as a field of the next class's type (`api: ApiConfig =
/// ApiConfig()`). `None` unless every such chain gives the same default. Asked only when a
/// finding is about to be reported.
fn settings_path_default(model: &ProjectModel, keys: &[&str]) -> Option<Lit> {
    let (last, parents) = keys.split_last()?;
    let classes = || {
        model.files.iter().enumerate().flat_map(|(i, f)| {
            f.body().iter().filter_map(move |s| match s {
                Stmt::ClassDef(c) => Some((i, c.as_ref())),
                _ => None,
            })
        })
    };
    // Each class declaring `key` as a field: the field's type annotation and value.
    fn field<'c>(class: &'c Class, key: &str) -> Option<(Option<&'c Expr>, &'c Expr)> {
        class.body.iter().rev().find_map(|s| match s {
            Stmt::Assign {
                targets,
                annotation,
                value: Some(value),
                ..
            } if targets.len() == 1 && targets[0].as_name() == Some(key) => {
                Some((annotation.as_deref(), value))
            }
            _ => None,
        })
    }
    let mut level: Vec<(usize, &Class, Lit)> = classes()
        .filter_map(|(i, class)| {
            let (_, value) = field(class, last)?;
            let default = crate::helpers::field_default(model, i, value)?;
            Some((i, class, Lit::of(default)?))
        })
        .collect();
    for key in parents.iter().rev() {
        level = classes()
            .filter_map(|(i, class)| {
                let (annotation, value) = field(class, key)?;
                let typed = [annotation, value.as_call().map(|c| &c.func)];
                let (_, _, lit) = level.iter().find(|(_, child, _)| {
                    typed.iter().flatten().any(|t| {
                        matches!(model.project_definition(i, t),
                            Some((_, Stmt::ClassDef(c))) if std::ptr::eq(c.as_ref(), *child))
                    })
                })?;
                Some((i, class, lit.clone()))
            })
            .collect();
    }
    let (_, _, first) = level.first()?;
    level
        .iter()
        .all(|(_, _, lit)| lit == first)
        .then(|| first.clone())
}

/// The test of the outermost `if` whose body (not its `else`) holds the statement at `span` and
/// that is false when nothing is configured: the operator's opt-in switch (the operand of an
/// `and` that is off, the read a local copies), as source text. Also the `else` of a comparison
/// that holds when nothing is configured (`if app_settings == "app.ProductionConfig": ...
/// else:  # dev or tests config`, where `app_settings = os.getenv("APP_SETTINGS",
/// "app.ProductionConfig")`, also bound in an enclosing function), named as its negation.
pub(crate) fn opt_in_switch(model: &ProjectModel, file: usize, span: Span) -> Option<String> {
    let module = &model.files[file];
    let within = |s: Span| s.start <= span.start && span.end <= s.end;
    let mut stmts = module.body();
    let mut scope: Vec<&Function> = Vec::new();
    loop {
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
                return Some(routewarden_model::apps::one_line(
                    &module.span_text(switch.span),
                ));
            }
            if orelse.iter().any(|s| within(s.span()))
                && compares_true_by_default(model, file, &scope, test)
            {
                return Some(negation(module, test));
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

/// Whether `test` is a comparison `x == "literal"` (or `in`) that holds when nothing is
/// configured: `x` (a name followed through the enclosing functions of `scope`) falls back to
/// that literal (see [`unset_value`]).
fn compares_true_by_default(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    test: &Expr,
) -> bool {
    let ExprKind::Compare {
        left,
        ops,
        comparators,
    } = &test.kind
    else {
        return false;
    };
    let ([op @ (CmpOp::Eq | CmpOp::In)], [right]) = (&ops[..], comparators.as_slice()) else {
        return false;
    };
    let origin = model.resolve_value(file, scope, left);
    let Some(value) = unset_value(model, origin.file, origin.expr, 0) else {
        return false;
    };
    match op {
        CmpOp::Eq => Lit::of(right).is_some_and(|r| r == value),
        _ => right
            .elements()
            .is_some_and(|items| items.iter().any(|i| Lit::of(i).is_some_and(|r| r == value))),
    }
}

/// `test` negated, as one line of source text: `x != "a"` for `x == "a"`.
fn negation(module: &routewarden_model::SourceModule, test: &Expr) -> String {
    let text = |e: &Expr| routewarden_model::apps::one_line(&module.span_text(e.span));
    match &test.kind {
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if matches!(ops[..], [CmpOp::Eq]) && comparators.len() == 1 => {
            format!("{} != {}", text(left), text(&comparators[0]))
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if matches!(ops[..], [CmpOp::In]) && comparators.len() == 1 => {
            format!("{} not in {}", text(left), text(&comparators[0]))
        }
        _ => format!("not ({})", text(test)),
    }
}

/// The part of a test that makes it false when the operator configures nothing: an
/// environment read whose fallback is falsy (see [`unset_value`]), `x is True`/`x == True`
/// where `x` falls back to something else (also a configuration mapping's `get("key",
/// default)`), a local of `function` every assignment of which is such a test, or such an
/// operand of an `and`.
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
    if let Some(value) = unset_value(model, file, test, 0) {
        return (!value.truthy()).then_some(test);
    }
    match &test.kind {
        ExprKind::BoolOp {
            op: BoolOp::And,
            values,
        } => values
            .iter()
            .find_map(|v| off_by_default(model, file, function, v, depth + 1)),
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
            let fallback = unset_value(model, file, left, 0).or_else(|| {
                let call = left.as_call()?;
                let (_, _, default) = crate::helpers::literal_key_get(call)?;
                crate::cors_policy::is_mapping_get_with_default(model, file, &[], call)
                    .then(|| Lit::of(default))
                    .flatten()
            });
            fallback
                .is_some_and(|v| v != Lit::Bool(true))
                .then_some(test)
        }
        _ => None,
    }
}
