use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::ProjectModel;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{BoolOp, Call, CmpOp, Expr, ExprKind, Function, Span, Stmt, UnaryOp};
use routewarden_python::names::Imports;
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A lookup that raises when the row is missing, inside a route handler with nothing to
    /// handle that error: SQLAlchemy's `.one()` and `.scalar_one()`, Django-style
    /// `Model.objects.get(...)`, Tortoise and peewee `Model.get(...)`, in the handler itself or
    /// in a project helper function it calls directly (reported at the call in the handler;
    /// helpers of helpers are not followed, their rows are often written by the caller first).
    ///
    /// Not reported inside a `try` that catches `NoResultFound`/`DoesNotExist` (or a broader
    /// exception), nor when the project registers an exception handler for those errors
    /// (`exception_handler`, `errorhandler`, `add_exception_handler`, `register_error_handler`),
    /// nor for queries that always return exactly one row (an aggregate
    /// `select(func.count(...))`, `query(func.sum(...))`, `with_only_columns(func.count(...))` or
    /// `select(exists(...))` without `group_by`, SQLAlchemy's `func` and `exists` recognised by
    /// qualified name whatever they are imported as, also when the statement is built in a variable
    /// and refined later, and when the result variable is reused for another query after the
    /// lookup; scalar subqueries and the columns of such a one-row subquery count as
    /// aggregates: `select(counts.c.ok, counts.c.failed).select_from(counts)`), nor for lookups
    /// after the function built an INSERT or upsert, or after a `try` whose `except
    /// NoResultFound` creates the row and goes on (get-or-create): they read back the row just
    /// written. Nor is a lookup whose only condition is `Model.column == value` (in the handler or
    /// in the helper, for the value the handler passes) when the handler already looked the same
    /// row up, in statements that always run before it, inside a `try` whose `except
    /// NoResultFound` raises or returns (`except NoResultFound: raise NotFound(...)`): the row
    /// exists. Nor is a lookup that compares a column with an attribute of an object the
    /// function built with a project class or function and added to the session before it
    /// (`board = Board(...)`, `db.add(board)`, then `.filter(Board.id ==
    /// board.id).scalar_one()`): it reads back the row just written.
    ///
    /// Nor is a lookup of a row the handler has already shown to exist on every path before
    /// it, for the same model, column and value (a condition `Model.column == value` or
    /// `filter_by(column=value)`; the value a local name or an attribute of one):
    /// `.first()`/`.scalar()`/`.one_or_none()` followed by `abort`, `raise` or `return` when it
    /// is `None` (`if not team or not team.active: abort(404)`); a project helper that raises
    /// on a miss (`if team_id is None: raise ValueError`) whose exception the handler answers
    /// with `abort`, `raise` or `return` (or does not catch); a helper that returns `None` on a
    /// miss, checked by the handler; a value a helper returns that is a column of a row it
    /// found (`name = name_of(team_id)` reading `query(Team.name)`, also as an element of a
    /// returned tuple, also from a method of the handler's view class); a row object the
    /// handler holds (`team = team_for_token(token)`, then a lookup by `team.name`). Helpers
    /// are followed three calls deep; a call that never returns is `flask.abort` or a function
    /// annotated `NoReturn`/`Never` or one that always raises. The same raising lookup (same
    /// model, conditions and values, written alike) after one that always runs before it is
    /// reported once, at the first. These checks run only for lookups about to be reported.
    ///
    /// Nor is a lookup whose conditions hold no value from the request: every condition
    /// compares a column with a constant (`Option.get(Option.type == "config")`). It reads a
    /// fixed row, such as a settings row created at set-up; a 404 would mean nothing and no id
    /// can be enumerated, so it is left out rather than reported with a lower confidence. A
    /// lookup with no condition at all (`query(Settings).one()`) is still reported.
    ///
    /// Handlers written in test code are not reported.
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

/// Exception names that cover a missing row, also through a broader class.
fn catches_lookup(name: &str) -> bool {
    names_missing_row(name)
        || matches!(
            name,
            "Exception"
                | "BaseException"
                | "SQLAlchemyError"
                | "NotFound"
                | "InvalidRequestError"
                | "MultipleResultsFound"
        )
}

/// The exception a raising lookup throws for a missing row: `NoResultFound`, `DoesNotExist`,
/// `User.DoesNotExist`.
fn names_missing_row(name: &str) -> bool {
    name == "NoResultFound" || name.ends_with("DoesNotExist")
}

fn handler_catches(type_: Option<&Expr>) -> bool {
    let Some(t) = type_ else { return true };
    t.elements_or_self()
        .iter()
        .any(|i| i.last_name().is_some_and(catches_lookup))
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

/// Aggregates that make a query return exactly one row when it has no `GROUP BY`.
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "max",
    "min",
    "avg",
    "coalesce",
    "bool_and",
    "bool_or",
    "array_agg",
    "string_agg",
    "group_concat",
    "json_agg",
    "jsonb_agg",
    "every",
    "exists",
];

/// Where SQLAlchemy and SQLModel keep `func`, whose attributes are SQL functions.
const SQL_FUNC: &[&str] = &[
    "sqlalchemy.func",
    "sqlalchemy.sql.func",
    "sqlalchemy.sql.expression.func",
    "sqlalchemy.sql.functions.func",
    "sqlalchemy.sql.functions",
    "sqlmodel.func",
];

/// The modules that export `exists`.
const SQL_EXISTS: &[&str] = &[
    "sqlalchemy.exists",
    "sqlalchemy.sql.exists",
    "sqlalchemy.sql.expression.exists",
    "sqlmodel.exists",
];

/// Whether a callee is an SQL aggregate, by qualified name: `func.count`, `sa.func.sum`, `func`
/// imported under another name (`from sqlalchemy import func as safunc`), `exists`.
fn is_aggregate_function(imports: &Imports, callee: &Expr) -> bool {
    let Some(q) = imports.resolve(callee) else {
        return false;
    };
    SQL_EXISTS.contains(&q.as_str())
        || q.rsplit_once('.').is_some_and(|(namespace, name)| {
            AGGREGATES.contains(&name) && SQL_FUNC.contains(&namespace)
        })
}

/// `func.count(...)`, `func.coalesce(func.sum(x), 0)`, `func.count().label("n")`, `exists(...)`.
fn is_aggregate(expr: &Expr, imports: &Imports) -> bool {
    let ExprKind::Call(call) = &expr.kind else {
        return false;
    };
    match &call.func.kind {
        // `func.count(...).label("n")`, `exists().where(...)`
        ExprKind::Attribute { value, attr }
            if matches!(
                attr.as_str(),
                "label" | "where" | "filter" | "scalar_subquery"
            ) && is_aggregate(value, imports) =>
        {
            true
        }
        _ => is_aggregate_function(imports, &call.func),
    }
}

/// Whether a query expression returns exactly one row: an aggregate `select(...)`/`query(...)`
/// with no `group_by`, followed down the method chain, into `execute(statement)`, and through a
/// local variable holding the statement.
fn always_one_row(expr: &Expr, body: &[Stmt], imports: &Imports, depth: u32) -> bool {
    if depth > 3 {
        return false;
    }
    let aggregate_args = |call: &Call| {
        !call.args.is_empty() && call.args.iter().all(|a| one_value(a, body, imports, depth))
    };
    let mut current = expr;
    loop {
        match &current.kind {
            ExprKind::Await(inner) => current = inner,
            ExprKind::Attribute { value, .. } => current = value,
            ExprKind::Name(n) => {
                // Every assignment of the statement variable builds a one-row query; those that
                // refine it (`query = query.where(...)`, `query = await apply_filters(query)`)
                // keep it one row unless they group it. Assignments after the use reach it
                // only from a later turn of a loop (`res` reused for the next query).
                let mut values = Vec::new();
                assignments(body, n, false, &mut values);
                let use_at = current.span.start;
                values.retain(|(v, in_loop)| v.span.start < use_at || *in_loop);
                let mut builds = 0;
                for (v, _) in values {
                    let refines = v.any(&mut |x| x.as_name() == Some(n.as_str()));
                    if refines {
                        if v.any(&mut |x| matches!(&x.kind, ExprKind::Attribute { attr, .. } if attr == "group_by")) {
                            return false;
                        }
                    } else if always_one_row(v, body, imports, depth + 1) {
                        builds += 1;
                    } else {
                        return false;
                    }
                }
                return builds > 0;
            }
            ExprKind::Call(call) => match &call.func.kind {
                ExprKind::Attribute { value, attr } => match attr.as_str() {
                    "group_by" => return false,
                    "select" | "query" | "with_only_columns" => return aggregate_args(call),
                    "execute" | "exec" => {
                        return call
                            .args
                            .first()
                            .is_some_and(|s| always_one_row(s, body, imports, depth + 1));
                    }
                    _ => current = value,
                },
                ExprKind::Name(n) if n == "select" => return aggregate_args(call),
                _ => return false,
            },
            _ => return false,
        }
    }
}

/// A column expression with one value for the whole query: an aggregate, a scalar subquery
/// (`select(func.count()).where(...).scalar_subquery().label("n")`), or a column of a one-row
/// subquery (`counts.c.failed` where `counts = select(func.sum(...)).subquery()`).
fn one_value(expr: &Expr, body: &[Stmt], imports: &Imports, depth: u32) -> bool {
    if is_aggregate(expr, imports) {
        return true;
    }
    match &expr.kind {
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { attr, .. } if attr == "scalar_subquery" => true,
            ExprKind::Attribute { value, attr } if attr == "label" => {
                one_value(value, body, imports, depth)
            }
            _ => false,
        },
        ExprKind::Attribute { value, .. } => {
            let ExprKind::Attribute {
                value: table,
                attr: columns,
            } = &value.kind
            else {
                return false;
            };
            let Some(name) = table.as_name() else {
                return false;
            };
            if !matches!(columns.as_str(), "c" | "columns") || depth > 3 {
                return false;
            }
            let mut values = Vec::new();
            assignments(body, name, false, &mut values);
            !values.is_empty()
                && values.iter().all(|(v, _)| {
                    matches!(&v.kind, ExprKind::Call(c) if matches!(&c.func.kind,
                        ExprKind::Attribute { attr, .. } if matches!(attr.as_str(), "subquery" | "cte")))
                        && always_one_row(v, body, imports, depth + 1)
                })
        }
        _ => false,
    }
}

/// The values assigned to `name` in `body`, in order, not looking into nested functions, each
/// with whether it is inside a loop.
fn assignments<'a>(body: &'a [Stmt], name: &str, in_loop: bool, out: &mut Vec<(&'a Expr, bool)>) {
    for stmt in body {
        match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.iter().any(|t| t.as_name() == Some(name)) => out.push((value, in_loop)),
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other => {
                let in_loop = in_loop || matches!(other, Stmt::For { .. } | Stmt::While { .. });
                for child in other.child_bodies() {
                    assignments(child, name, in_loop, out);
                }
            }
        }
    }
}

/// Where a function first writes the row it may look up later: an INSERT or upsert, or a
/// `try` whose handler for the missing row recovers instead of raising (get-or-create:
/// `except NoResultFound: session.add(Row())`). Lookups after it read back a row that exists.
fn written_at(body: &[Stmt]) -> Option<u32> {
    match (first_insert(body), first_recovery(body)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The first `try` with a handler that catches a missing row by name and goes on (neither
/// raises nor returns).
fn first_recovery(body: &[Stmt]) -> Option<u32> {
    let mut first: Option<u32> = None;
    routewarden_model::security::walk_stmts(body, &mut |stmt| {
        if let Stmt::Try { handlers, span, .. } = stmt
            && handlers.iter().any(|h| {
                h.type_.as_ref().is_some_and(|t| {
                    t.elements_or_self()
                        .iter()
                        .filter_map(Expr::last_name)
                        .any(names_missing_row)
                }) && !leaves(&h.body)
            })
        {
            first = Some(first.map_or(span.start, |f| f.min(span.start)));
        }
    });
    first
}

/// Whether a handler raises or returns: it answers the missing row instead of creating it.
fn leaves(body: &[Stmt]) -> bool {
    let mut found = false;
    routewarden_model::security::walk_stmts(body, &mut |stmt| {
        found |= matches!(stmt, Stmt::Raise { .. } | Stmt::Return { .. });
    });
    found
}

/// The names a function binds to a new instance of a project class (`board = Board(...)`) or
/// to what a project function builds (`row = row_from_form(form)`) and then adds to a session
/// (`db.add(board)`, `session.add_all([board])`), with where each is added.
fn created_rows(model: &ProjectModel, file: usize, body: &[Stmt]) -> Vec<(String, u32)> {
    let mut built: Vec<&str> = Vec::new();
    routewarden_model::security::walk_stmts(body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && let [target] = targets.as_slice()
            && let Some(name) = target.as_name()
            && let Some(call) = value.as_call()
            && matches!(
                model.resolve_definition(file, &call.func),
                Some((_, Some(Stmt::ClassDef(_) | Stmt::FunctionDef(_)), _))
            )
        {
            built.push(name);
        }
    });
    let mut out = Vec::new();
    if built.is_empty() {
        return out;
    }
    walk_exprs(body, &mut |e| {
        e.any(&mut |x| {
            if let ExprKind::Call(call) = &x.kind
                && let ExprKind::Attribute { attr, .. } = &call.func.kind
                && matches!(attr.as_str(), "add" | "add_all")
                && let Some(arg) = call.args.first()
            {
                for item in arg.elements_or_self() {
                    if let Some(n) = item.as_name().filter(|n| built.contains(n)) {
                        out.push((n.to_string(), x.span.start));
                    }
                }
            }
            false
        });
    });
    out
}

/// Where a function first builds an INSERT (or upsert): lookups after it read back the row it
/// wrote, which exists.
fn first_insert(body: &[Stmt]) -> Option<u32> {
    let mut first: Option<u32> = None;
    walk_exprs(body, &mut |e| {
        e.any(&mut |x| {
            if let ExprKind::Call(call) = &x.kind
                && matches!(
                    call.func.last_name(),
                    Some(
                        "insert"
                            | "on_conflict_do_nothing"
                            | "on_conflict_do_update"
                            | "on_duplicate_key_update"
                    )
                )
            {
                first = Some(first.map_or(x.span.start, |f| f.min(x.span.start)));
            }
            false
        });
    });
    first
}

/// A raising lookup call: `.one()`, `.scalar_one()`, `X.objects.get(...)`, `await Model.get(...)`.
fn raising_lookup(
    expr: &Expr,
    body: &[Stmt],
    imports: &Imports,
    model_classes: &dyn Fn(&Expr) -> bool,
) -> Option<&'static str> {
    let ExprKind::Call(call) = &expr.kind else {
        return None;
    };
    let ExprKind::Attribute { value, attr } = &call.func.kind else {
        return None;
    };
    match attr.as_str() {
        "one" | "scalar_one" if call.args.is_empty() && always_one_row(value, body, imports, 0) => {
            None
        }
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

const MODEL_BASES: &[&str] = &["tortoise.models.Model", "tortoise.Model", "peewee.Model"];

/// How deep project helpers called from a route are followed.
const MAX_HELPER_DEPTH: u32 = 1;

/// An unhandled raising lookup, and the helper it is in when it is not in the route itself.
struct Found {
    span: Span,
    what: &'static str,
    helper: Option<String>,
    /// The row it selects, in the searched function's names.
    key: Option<RowKey>,
}

/// The row a lookup selects when its only condition is `Model.column == name`: the project
/// model class, the column, and the name holding the value.
#[derive(Clone, PartialEq, Eq)]
struct RowKey {
    model: (usize, u32),
    column: String,
    value: String,
}

/// The key of a lookup call (`query(M).filter(M.id == x).one()`, `query.filter_by(name=name)
/// .scalar()` with `query = session.query(User)`): `None` unless the query has exactly one
/// condition and it compares a column of a project class with a local name or an attribute of
/// one (`user.name`).
fn row_key(model: &ProjectModel, file: usize, body: &[Stmt], lookup: &Expr) -> Option<RowKey> {
    let ExprKind::Call(call) = &lookup.kind else {
        return None;
    };
    let ExprKind::Attribute { value: query, .. } = &call.func.kind else {
        return None;
    };
    // A query kept in a variable: its one assignment must add no condition of its own.
    let mut root = query.as_ref();
    while let ExprKind::Call(c) = &root.kind {
        let ExprKind::Attribute { value, .. } = &c.func.kind else {
            break;
        };
        root = value;
    }
    if let Some(n) = root.as_name()
        && !is_project_class(model, file, root)
        && let Some(v) = assigned_before(body, n, root.span.start)
        && v.any(&mut |x| match &x.kind {
            ExprKind::Compare { .. } => true,
            ExprKind::Call(c) => matches!(
                c.func.last_name(),
                Some("filter" | "filter_by" | "where" | "join" | "get")
            ),
            _ => false,
        })
    {
        return None;
    }
    let mut compares = Vec::new();
    let mut by_keyword: Vec<&routewarden_python::ast::Keyword> = Vec::new();
    let mut other_filters = false;
    query.any(&mut |x| {
        match &x.kind {
            ExprKind::Compare { .. } => compares.push(x),
            // Conditions that are not comparisons (`filter(M.active)`).
            ExprKind::Call(c) => {
                if let ExprKind::Attribute { attr, .. } = &c.func.kind {
                    if attr == "filter_by" {
                        other_filters |= !c.args.is_empty();
                        by_keyword.extend(c.keywords.iter());
                    }
                    other_filters |= matches!(attr.as_str(), "filter" | "where")
                        && c.args
                            .iter()
                            .any(|a| !matches!(a.kind, ExprKind::Compare { .. }));
                }
            }
            _ => {}
        }
        false
    });
    if other_filters {
        return None;
    }
    let local = |e: &Expr| {
        let path = value_path(e)?;
        let mut r = e;
        while let ExprKind::Attribute { value, .. } = &r.kind {
            r = value;
        }
        // A name of the function, not a class or module (`AccessToken.user_id == User.id`).
        model.resolve_definition(file, r).is_none().then_some(path)
    };
    match (&compares[..], &by_keyword[..]) {
        ([compare], []) => {
            let (left, CmpOp::Eq, right) = compare.single_compare()? else {
                return None;
            };
            let (column, value) = match (&left.kind, &right.kind) {
                (ExprKind::Attribute { .. }, ExprKind::Name(_)) => (left, local(right)?),
                (ExprKind::Name(_), ExprKind::Attribute { .. }) => (right, local(left)?),
                _ => return None,
            };
            let ExprKind::Attribute { value: class, attr } = &column.kind else {
                return None;
            };
            let (class_file, Some(class_stmt @ Stmt::ClassDef(_)), _) =
                model.resolve_definition(file, class)?
            else {
                return None;
            };
            Some(RowKey {
                model: (class_file, class_stmt.span().start),
                column: attr.to_string(),
                value,
            })
        }
        ([], [keyword]) => {
            let column = keyword.arg.as_ref()?;
            let (entity, _) = query_entity(model, file, body, lookup, 0)?;
            Some(RowKey {
                model: entity,
                column: column.to_string(),
                value: local(&keyword.value)?,
            })
        }
        _ => None,
    }
}

/// The value last assigned to `name` before `at`, when no loop assigns it (a query kept in a
/// variable: `query = session.query(User)`, reassigned later for another model).
fn assigned_before<'b>(body: &'b [Stmt], name: &str, at: u32) -> Option<&'b Expr> {
    let mut values = Vec::new();
    assignments(body, name, false, &mut values);
    if values.iter().any(|(_, in_loop)| *in_loop) {
        return None;
    }
    values
        .into_iter()
        .filter(|(v, _)| v.span.end <= at)
        .max_by_key(|(v, _)| v.span.start)
        .map(|(v, _)| v)
}

/// The names a body assigns (targets, loop variables, `with ... as`), outside nested
/// functions: facts about them do not survive into a handler or the next turn of a loop.
fn assigned_names(body: &[Stmt]) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |t: &Expr| {
        for e in t.elements_or_self() {
            if let Some(p) = value_path(e) {
                out.push(root(&p).to_string());
            }
        }
    };
    routewarden_model::security::walk_stmts(body, &mut |s| match s {
        Stmt::Assign { targets, .. } => targets.iter().for_each(&mut add),
        Stmt::AugAssign { target, .. } | Stmt::For { target, .. } => add(target),
        Stmt::With { items, .. } => items
            .iter()
            .filter_map(|i| i.target.as_ref())
            .for_each(&mut add),
        _ => {}
    });
    out
}

fn is_project_class(model: &ProjectModel, file: usize, expr: &Expr) -> bool {
    project_class(model, file, expr).is_some()
}

/// The project class an expression names, as `(file, start of the class)`.
fn project_class(model: &ProjectModel, file: usize, expr: &Expr) -> Option<(usize, u32)> {
    match model.project_definition(file, expr)? {
        (f, stmt @ Stmt::ClassDef(_)) => Some((f, stmt.span().start)),
        _ => None,
    }
}

/// The model a query reads, and the column when it reads one column (`query(User.name)`):
/// followed down the method chain, into `execute(statement)`, and through a local variable
/// holding the query.
fn query_entity(
    model: &ProjectModel,
    file: usize,
    body: &[Stmt],
    expr: &Expr,
    depth: u32,
) -> Option<((usize, u32), Option<String>)> {
    let of_argument = |arg: &Expr| match &arg.kind {
        ExprKind::Attribute { value, attr } => {
            project_class(model, file, value).map(|c| (c, Some(attr.to_string())))
        }
        _ => project_class(model, file, arg).map(|c| (c, None)),
    };
    let mut current = expr;
    loop {
        match &current.kind {
            ExprKind::Await(inner) => current = inner,
            ExprKind::Call(call) => match &call.func.kind {
                ExprKind::Attribute { value, attr } => match attr.as_str() {
                    "query" | "select" => return call.args.first().and_then(of_argument),
                    "execute" | "exec" | "scalars" if !call.args.is_empty() => {
                        current = call.args.first()?;
                    }
                    _ => current = value,
                },
                ExprKind::Name(n) if n == "select" => {
                    return call.args.first().and_then(of_argument);
                }
                _ => return None,
            },
            ExprKind::Attribute { value, attr } => {
                if attr == "query"
                    && let Some(c) = project_class(model, file, value)
                {
                    return Some((c, None));
                }
                current = value;
            }
            ExprKind::Name(n) => {
                if let Some(c) = project_class(model, file, current) {
                    return Some((c, None));
                }
                if depth > 2 {
                    return None;
                }
                let v = assigned_before(body, n, current.span.start)?;
                return query_entity(model, file, body, v, depth + 1);
            }
            _ => return None,
        }
    }
}

/// A helper's key in the caller's values: the argument passed for the parameter the lookup
/// compares with, when it is a name or an attribute of one.
fn key_at_call(key: RowKey, helper: &Function, call: &Call) -> Option<RowKey> {
    let skip = usize::from(
        helper
            .params
            .first()
            .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"))
            && matches!(call.func.kind, ExprKind::Attribute { .. }),
    );
    let r = root(&key.value).to_string();
    let position = helper.params.iter().position(|p| p.name == r)?;
    let argument = call.argument(&r, position.checked_sub(skip)?)?;
    Some(RowKey {
        value: rebase(&key.value, &r, &value_path(argument)?)?,
        ..key
    })
}

/// Whether two expressions are written alike (the same names, attributes, constants and
/// shape), whatever their position.
fn same_expr(a: &Expr, b: &Expr) -> bool {
    use ExprKind as K;
    let all = |x: &[Expr], y: &[Expr]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_expr(p, q))
    };
    match (&a.kind, &b.kind) {
        (K::Name(x), K::Name(y)) => x == y,
        (K::Attribute { value: v, attr: x }, K::Attribute { value: w, attr: y }) => {
            x == y && same_expr(v, w)
        }
        (K::Call(c), K::Call(d)) => {
            same_expr(&c.func, &d.func)
                && all(&c.args, &d.args)
                && c.keywords.len() == d.keywords.len()
                && c.keywords
                    .iter()
                    .zip(d.keywords.iter())
                    .all(|(k, l)| k.arg == l.arg && same_expr(&k.value, &l.value))
        }
        (K::Str(x), K::Str(y)) => x == y,
        (K::Int(x), K::Int(y)) => x == y,
        (K::Bool(x), K::Bool(y)) => x == y,
        (K::NoneLiteral, K::NoneLiteral) => true,
        (K::Await(x), K::Await(y)) => same_expr(x, y),
        (K::Tuple(x), K::Tuple(y)) | (K::List(x), K::List(y)) => all(x, y),
        (
            K::Compare {
                left: l,
                ops: o,
                comparators: c,
            },
            K::Compare {
                left: m,
                ops: p,
                comparators: d,
            },
        ) => o == p && same_expr(l, m) && all(c, d),
        (K::BoolOp { op: o, values: v }, K::BoolOp { op: p, values: w }) => o == p && all(v, w),
        (K::UnaryOp { op: o, operand: x }, K::UnaryOp { op: p, operand: y }) => {
            o == p && same_expr(x, y)
        }
        (K::Subscript { value: v, slice: s }, K::Subscript { value: w, slice: t }) => {
            same_expr(v, w) && same_expr(s, t)
        }
        _ => false,
    }
}

/// Whether a lookup's conditions hold no value from the request: every condition compares a
/// column with a constant (`Option.get(Option.type == "config")`), i.e. it reads a fixed row
/// such as the application's settings.
fn constant_lookup(lookup: &Expr) -> bool {
    let constant = |e: &Expr| {
        matches!(
            e.kind,
            ExprKind::Str(_) | ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::NoneLiteral
        )
    };
    let mut conditions = 0;
    let mut variable = false;
    let mut check = |c: &Call| {
        for a in &c.args {
            match a.single_compare() {
                Some((l, _, r))
                    if matches!(l.kind, ExprKind::Attribute { .. }) && constant(r)
                        || matches!(r.kind, ExprKind::Attribute { .. }) && constant(l) =>
                {
                    conditions += 1;
                }
                _ => variable = true,
            }
        }
        for k in &c.keywords {
            if constant(&k.value) {
                conditions += 1;
            } else {
                variable = true;
            }
        }
    };
    let mut current = unawaited(lookup);
    loop {
        let ExprKind::Call(call) = &current.kind else {
            // A query kept in a variable or coming from elsewhere: not known to be fixed.
            return false;
        };
        let ExprKind::Attribute { value, attr } = &call.func.kind else {
            // `select(Model)` at the start of the statement.
            return call.func.as_name() == Some("select") && conditions > 0 && !variable;
        };
        match attr.as_str() {
            "filter" | "where" | "filter_by" | "get" => check(call),
            "one" | "scalar_one" | "first" | "scalar" | "objects" => {}
            "query" | "select" => break,
            "execute" | "exec" | "scalars" => {
                match call.args.first() {
                    Some(statement) => current = statement,
                    None => return false,
                }
                continue;
            }
            _ => return false,
        }
        match &value.kind {
            ExprKind::Call(_) => current = value,
            // `Model.get(...)`, `Model.objects.get(...)`, `Model.query.filter(...)`.
            ExprKind::Name(_) | ExprKind::Attribute { .. } => break,
            _ => return false,
        }
    }
    conditions > 0 && !variable
}

/// The rows a handler has shown to exist before `at`: those looked up in a `try` that answers
/// the missing row (`except NoResultFound: raise NotFound(...)`), among the statements that
/// always run (the handler's own and those of `with` blocks in it).
fn checked_rows(search: &Search, body: &[Stmt], out: &mut Vec<(u32, RowKey)>) {
    for stmt in body {
        match stmt {
            Stmt::Try {
                body: tried,
                handlers,
                span,
                ..
            } if handlers.iter().any(|h| {
                h.type_.as_ref().is_some_and(|t| {
                    t.elements_or_self()
                        .iter()
                        .filter_map(Expr::last_name)
                        .any(names_missing_row)
                }) && leaves(&h.body)
            }) =>
            {
                let mut inner = Search {
                    model: search.model,
                    file: search.file,
                    function_body: search.function_body,
                    inserted_at: None,
                    checked: Vec::new(),
                    created: Vec::new(),
                    depth: search.depth,
                    found: Vec::new(),
                    proofs: None,
                };
                inner.body(tried);
                out.extend(
                    inner
                        .found
                        .into_iter()
                        .filter_map(|f| Some((span.end, f.key?))),
                );
            }
            Stmt::With { body, .. } => checked_rows(search, body, out),
            _ => {}
        }
    }
}

struct Search<'a> {
    model: &'a ProjectModel,
    file: usize,
    /// The function being searched (for local statement variables).
    function_body: &'a [Stmt],
    /// Where the function first writes a row: later lookups read it back.
    inserted_at: Option<u32>,
    /// Rows shown to exist, and from where: a later lookup of the same row finds it.
    checked: Vec<(u32, RowKey)>,
    /// Objects the function built from a project class and added to the session, with
    /// where they were added: a lookup by one of their attributes reads the row back.
    created: Vec<(String, u32)>,
    depth: u32,
    found: Vec<Found>,
    /// For the handler: what its statements have shown before each statement, worked out
    /// the first time a lookup is about to be reported.
    proofs: Option<Proofs<'a>>,
}

/// The handler's proofs of existence, computed on first use.
struct Proofs<'a> {
    prover: &'a Prover<'a>,
    frame: Frame<'a>,
    states: std::cell::OnceCell<Vec<(u32, State<'a>)>>,
}

impl<'a> Proofs<'a> {
    /// Whether a lookup of `key` (or this very lookup) at the statement starting at `at` is
    /// known to find its row.
    fn proven(&self, at: u32, key: Option<&RowKey>, lookup: Option<&Expr>) -> bool {
        let states = self
            .states
            .get_or_init(|| self.prover.handler_states(&self.frame));
        let Some((_, state)) = states.iter().rev().find(|(start, _)| *start == at) else {
            return false;
        };
        state.known.iter().any(|f| match f {
            Fact::Key(k) => key == Some(k),
            Fact::Row { model, value } => key.is_some_and(|k| {
                k.model == *model
                    && rebase(&k.value, value, "").as_deref() == Some(&format!(".{}", k.column))
            }),
            Fact::Ran(q) => {
                lookup.is_some_and(|l| !std::ptr::eq(*q, l) && q.span.end <= at && same_expr(q, l))
            }
        })
    }
}

impl<'a> Search<'a> {
    fn is_model(&self, e: &Expr) -> bool {
        self.model
            .class_name(self.file, e)
            .is_some_and(|q| MODEL_BASES.contains(&q.as_str()))
    }

    /// Whether a lookup at `at` compares a column with an attribute of an object added to the
    /// session before it (`M.id == board.id`).
    fn reads_back_created(&self, lookup: &Expr, at: u32) -> bool {
        if self.created.is_empty() {
            return false;
        }
        let created = |e: &Expr| {
            matches!(&e.kind, ExprKind::Attribute { value, .. }
            if value.as_name().is_some_and(|n| {
                self.created.iter().any(|(c, added)| c == n && *added < at)
            }))
        };
        let compares_created = |e: &Expr| {
            e.any(&mut |x| match &x.kind {
                ExprKind::Compare {
                    left,
                    ops,
                    comparators,
                } => {
                    matches!(ops.as_slice(), [CmpOp::Eq])
                        && std::iter::once(left.as_ref())
                            .chain(comparators.iter())
                            .any(&created)
                }
                _ => false,
            })
        };
        // Also a statement built in a variable first: `stmt = select(M).where(...)`.
        compares_created(lookup)
            || lookup.any(&mut |x| {
                x.as_name().is_some_and(|n| {
                    let mut values = Vec::new();
                    assignments(self.function_body, n, false, &mut values);
                    values
                        .iter()
                        .any(|(v, _)| v.span.start < at && compares_created(v))
                })
            })
    }

    /// Whether the row was shown to exist before `at`.
    fn was_checked(&self, at: u32, key: Option<&RowKey>, lookup: Option<&Expr>) -> bool {
        key.is_some_and(|k| self.checked.iter().any(|(end, c)| *end <= at && c == k))
            || self
                .proofs
                .as_ref()
                .is_some_and(|p| p.proven(at, key, lookup))
    }

    /// The first unhandled raising lookup in a project helper called by `call` at `at`, of a
    /// row not already shown to exist.
    fn in_helper(&self, call: &Call, at: u32) -> Option<(&'static str, String, Option<RowKey>)> {
        if self.depth >= MAX_HELPER_DEPTH {
            return None;
        }
        let (file, Some(Stmt::FunctionDef(helper)), _) =
            self.model.resolve_definition(self.file, &call.func)?
        else {
            return None;
        };
        let mut inner = Search {
            model: self.model,
            file,
            function_body: &helper.body,
            inserted_at: written_at(&helper.body),
            checked: Vec::new(),
            created: created_rows(self.model, file, &helper.body),
            depth: self.depth + 1,
            found: Vec::new(),
            proofs: None,
        };
        inner.body(&helper.body);
        let (first, key) = inner
            .found
            .into_iter()
            .map(|f| {
                let key = f.key.clone().and_then(|k| key_at_call(k, helper, call));
                (f, key)
            })
            .find(|(_, key)| !self.was_checked(at, key.as_ref(), None))?;
        // Innermost helper first: `load_order() (called through order_summary())`.
        let name = match first.helper {
            Some(deeper) => format!("{deeper} (called through {}())", helper.name),
            None => format!("{}()", helper.name),
        };
        Some((first.what, name, key))
    }

    fn body(&mut self, body: &'a [Stmt]) {
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
                        Stmt::With { items, .. } => items.iter().map(|i| &i.context).collect(),
                        _ => Vec::new(),
                    };
                    if self.inserted_at.is_some_and(|at| at < span.start) {
                        // Reading back a row the function wrote.
                        for child in other.child_bodies() {
                            self.body(child);
                        }
                        continue;
                    }
                    for e in exprs {
                        let mut what = None;
                        e.any(&mut |x| {
                            what = raising_lookup(
                                x,
                                self.function_body,
                                &self.model.files[self.file].imports,
                                &|c| self.is_model(c),
                            )
                            .filter(|_| {
                                !self.reads_back_created(x, span.start) && !constant_lookup(x)
                            })
                            .map(|w| (w, row_key(self.model, self.file, self.function_body, x)))
                            .filter(|(_, key)| {
                                !self.was_checked(span.start, key.as_ref(), Some(x))
                            });
                            what.is_some()
                        });
                        if let Some((w, key)) = what {
                            self.found.push(Found {
                                span,
                                what: w,
                                helper: None,
                                key,
                            });
                            continue;
                        }
                        let mut in_helper = None;
                        e.any(&mut |x| {
                            if let ExprKind::Call(call) = &x.kind {
                                in_helper = self.in_helper(call, span.start);
                            }
                            in_helper.is_some()
                        });
                        if let Some((w, helper, key)) = in_helper {
                            self.found.push(Found {
                                span,
                                what: w,
                                helper: Some(helper),
                                key,
                            });
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

impl Rule for UnhandledLookupInRoute {
    fn meta(&self) -> &'static RuleMeta {
        &UNHANDLED_LOOKUP_IN_ROUTE
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        if cx.surface.apps.routes.is_empty() || has_global_handler(cx.model) {
            return;
        }
        let prover = Prover::new(cx.model);
        let mut seen = HashSet::default();
        for route in &cx.surface.apps.routes {
            // A handler written in test code answers only the test client.
            if cx.model.files[route.handler_file].is_test()
                || !seen.insert((route.handler_file, route.handler.span.start))
            {
                continue;
            }
            let file = route.handler_file;
            let mut search = Search {
                model: cx.model,
                file,
                function_body: &route.handler.body,
                inserted_at: written_at(&route.handler.body),
                checked: Vec::new(),
                created: created_rows(cx.model, file, &route.handler.body),
                depth: 0,
                found: Vec::new(),
                proofs: Some(Proofs {
                    prover: &prover,
                    frame: Frame {
                        file,
                        body: &route.handler.body,
                        self_class: route.view_class.map(|c| (route.view_class_file, c)),
                        depth: 0,
                    },
                    states: std::cell::OnceCell::new(),
                }),
            };
            let mut checked = Vec::new();
            checked_rows(&search, &route.handler.body, &mut checked);
            search.checked = checked;
            search.body(&route.handler.body);
            let mut reported = HashSet::default();
            for found in search.found {
                if !reported.insert(found.span.start) {
                    continue;
                }
                let what = match &found.helper {
                    Some(helper) => format!("{} in {helper}", found.what),
                    None => found.what.to_string(),
                };
                let mut f = Findings::new(file);
                f.report(
                    &UNHANDLED_LOOKUP_IN_ROUTE,
                    found.span,
                    format!("{what} raises when nothing matches, and {}() does not handle it: a 500 instead of a 404", route.handler.name),
                );
                out.extend(f.into_vec());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows a handler has shown to exist before a lookup.
//
// Asked only for the lookups the rule would report: a small forward pass over the handler's
// statements keeps what is known at each statement (rows found, rows that the same lookup
// already raised for), following project helpers through a memoised summary of what they
// show on return.

/// A thing known at a point of a function. Values are dotted paths of local names
/// (`user_name`, `user.name`); `$` stands for a helper's return value in its summary.
#[derive(Clone)]
enum Fact<'a> {
    /// A row with `column == value` exists.
    Key(RowKey),
    /// `value` holds a row of the model.
    Row { model: (usize, u32), value: String },
    /// This raising lookup ran and found its row.
    Ran(&'a Expr),
}

impl PartialEq for Fact<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Fact::Key(a), Fact::Key(b)) => a == b,
            (
                Fact::Row { model, value },
                Fact::Row {
                    model: m2,
                    value: v2,
                },
            ) => model == m2 && value == v2,
            (Fact::Ran(a), Fact::Ran(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

fn root(path: &str) -> &str {
    path.split_once('.').map_or(path, |(r, _)| r)
}

/// `path` with its root `from` replaced by `to`, if it is rooted there.
fn rebase(path: &str, from: &str, to: &str) -> Option<String> {
    if path == from {
        Some(to.to_string())
    } else {
        path.strip_prefix(from)
            .filter(|rest| rest.starts_with('.'))
            .map(|rest| format!("{to}{rest}"))
    }
}

impl<'a> Fact<'a> {
    fn value(&self) -> Option<&str> {
        match self {
            Fact::Key(k) => Some(&k.value),
            Fact::Row { value, .. } => Some(value),
            Fact::Ran(_) => None,
        }
    }

    /// Whether reassigning `name` makes the fact stale.
    fn mentions(&self, name: &str) -> bool {
        match self.value() {
            Some(v) => root(v) == name,
            None => match self {
                Fact::Ran(q) => q.any(&mut |x| x.as_name() == Some(name)),
                _ => false,
            },
        }
    }

    /// The fact with its value's root mapped through `map` (`None`: the root has no image).
    fn mapped(&self, map: &dyn Fn(&str) -> Option<String>) -> Option<Fact<'a>> {
        let v = self.value()?;
        let new = map(v)?;
        Some(match self {
            Fact::Key(k) => Fact::Key(RowKey {
                value: new,
                ..k.clone()
            }),
            Fact::Row { model, .. } => Fact::Row {
                model: *model,
                value: new,
            },
            Fact::Ran(_) => return None,
        })
    }
}

/// What holds at a point: facts known, and facts that hold once a name is found not `None`
/// (`team = ...first()` then `if team is None: abort(404)`).
#[derive(Clone, Default)]
struct State<'a> {
    known: Vec<Fact<'a>>,
    pending: Vec<(String, Fact<'a>)>,
}

impl<'a> State<'a> {
    fn add(&mut self, fact: Fact<'a>) {
        if !self.known.contains(&fact) {
            self.known.push(fact);
        }
    }

    fn kill(&mut self, name: &str) {
        self.known.retain(|f| !f.mentions(name));
        self.pending.retain(|(n, f)| n != name && !f.mentions(name));
    }

    /// `name` is not `None`: what was waiting on it is known.
    fn found(&mut self, name: &str) {
        let (now, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(n, _)| n == name);
        self.pending = rest;
        for (_, f) in now {
            self.add(f);
        }
    }

    fn is_empty(&self) -> bool {
        self.known.is_empty() && self.pending.is_empty()
    }
}

/// What holds after two paths join: what holds on both (`None` is a path that does not reach
/// the join).
fn join<'a>(a: Option<State<'a>>, b: Option<State<'a>>) -> Option<State<'a>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(State {
            known: a
                .known
                .into_iter()
                .filter(|f| b.known.contains(f))
                .collect(),
            pending: a
                .pending
                .into_iter()
                .filter(|p| b.pending.contains(p))
                .collect(),
        }),
        (a, b) => a.or(b),
    }
}

/// What a project function shows when it returns, in its own parameter names and `$` for
/// its return value.
#[derive(Default)]
struct Summary<'a> {
    /// It never returns (it always raises or aborts).
    never_returns: bool,
    /// Facts about its parameters on every return.
    exit: Vec<Fact<'a>>,
    /// Facts (about parameters and `$`) on every return of a value other than `None`.
    when_found: Vec<Fact<'a>>,
    /// Facts about `$` on every return.
    returned: Vec<Fact<'a>>,
    /// Facts about each element of a returned tuple, on every return.
    tuple: Vec<Vec<Fact<'a>>>,
}

/// The function being analysed.
struct Frame<'a> {
    file: usize,
    body: &'a [Stmt],
    /// The class whose methods `self.name(...)` calls, for a handler that is a method.
    self_class: Option<(usize, &'a routewarden_python::ast::Class)>,
    depth: u32,
}

/// How deep helpers are summarised.
const MAX_PROOF_DEPTH: u32 = 3;

/// Calls that end the request (they raise).
const NEVER_RETURN: &[&str] = &["flask.abort", "werkzeug.exceptions.abort", "sys.exit"];

struct Prover<'a> {
    model: &'a ProjectModel,
    summaries: std::cell::RefCell<rustc_hash::FxHashMap<(usize, u32), std::rc::Rc<Summary<'a>>>>,
}

/// What the pass keeps while it walks a function.
#[derive(Default)]
struct Record<'a> {
    /// The state at each statement start, for the handler (only non-empty ones).
    at: Option<Vec<(u32, State<'a>)>>,
    returns: Vec<(Option<&'a Expr>, State<'a>)>,
}

/// A dotted path of names: `user`, `user.name`.
fn value_path(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Name(n) => Some(n.to_string()),
        ExprKind::Attribute { value, attr } => Some(format!("{}.{attr}", value_path(value)?)),
        _ => None,
    }
}

/// `await x` is `x`.
fn unawaited(expr: &Expr) -> &Expr {
    match &expr.kind {
        ExprKind::Await(inner) => unawaited(inner),
        _ => expr,
    }
}

/// The names a test says are missing when it holds (`x is None`, `not x`, `a is None or ...`)
/// and present when it holds (`x`, `x is not None`, `a and ...`).
fn tested_names<'e>(test: &'e Expr, missing: &mut Vec<&'e str>, present: &mut Vec<&'e str>) {
    match &test.kind {
        ExprKind::Name(n) => present.push(n),
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => {
            if let Some(n) = operand.as_name() {
                missing.push(n);
            }
        }
        ExprKind::Compare { .. } => {
            if let Some((left, op, right)) = test.single_compare()
                && matches!(right.kind, ExprKind::NoneLiteral)
                && let Some(n) = left.as_name()
            {
                match op {
                    CmpOp::Is | CmpOp::Eq => missing.push(n),
                    CmpOp::IsNot | CmpOp::NotEq => present.push(n),
                    _ => {}
                }
            }
        }
        ExprKind::BoolOp { op, values } => {
            // `a is None or b`: when it is false, every part is false, so `a` is present;
            // `a and b` true: every part is true.
            let (mut m, mut p) = (Vec::new(), Vec::new());
            for v in values {
                tested_names(v, &mut m, &mut p);
            }
            match op {
                BoolOp::Or => missing.extend(m),
                BoolOp::And => present.extend(p),
            }
        }
        _ => {}
    }
}

/// The calls of an expression that always run, innermost first: not the later operands of
/// `and`/`or`, the branches of `x if c else y`, lambdas or comprehensions.
fn sure_calls<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &expr.kind {
        ExprKind::BoolOp { values, .. } => {
            if let Some(first) = values.first() {
                sure_calls(first, out);
            }
        }
        ExprKind::IfExp { test, .. } => sure_calls(test, out),
        ExprKind::Lambda(_) | ExprKind::Comprehension { .. } => {}
        ExprKind::Call(_) => {
            expr.for_each_child(|c| sure_calls(c, out));
            out.push(expr);
        }
        _ => expr.for_each_child(|c| sure_calls(c, out)),
    }
}

const FINDING_LOOKUPS: &[&str] = &["first", "scalar", "one_or_none", "scalar_one_or_none"];

impl<'a> Prover<'a> {
    fn new(model: &'a ProjectModel) -> Self {
        Prover {
            model,
            summaries: Default::default(),
        }
    }

    /// The state at each statement of a handler.
    fn handler_states(&self, frame: &Frame<'a>) -> Vec<(u32, State<'a>)> {
        let mut record = Record {
            at: Some(Vec::new()),
            ..Default::default()
        };
        self.flow(frame, frame.body, State::default(), &mut record);
        record.at.unwrap_or_default()
    }

    fn helper(&self, frame: &Frame<'a>, callee: &Expr) -> Option<(usize, &'a Function)> {
        if let ExprKind::Attribute { value, attr } = &callee.kind
            && value.as_name() == Some("self")
        {
            let (file, class) = frame.self_class?;
            let (f, _, method) =
                routewarden_model::apps::find_method(self.model, file, class, attr)?;
            return Some((f, method));
        }
        match self.model.project_definition(frame.file, callee)? {
            (file, Stmt::FunctionDef(f)) => Some((file, f.as_ref())),
            _ => None,
        }
    }

    fn summary(&self, file: usize, function: &'a Function, depth: u32) -> std::rc::Rc<Summary<'a>> {
        let id = (file, function.span.start);
        if let Some(s) = self.summaries.borrow().get(&id) {
            return s.clone();
        }
        // A recursive call sees an empty summary.
        self.summaries
            .borrow_mut()
            .insert(id, std::rc::Rc::new(Summary::default()));
        let frame = Frame {
            file,
            body: &function.body,
            self_class: None,
            depth,
        };
        let mut record = Record::default();
        let end = self.flow(&frame, &function.body, State::default(), &mut record);
        let params: Vec<&str> = function
            .params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|p| !function.assigned.may_contain(p))
            .collect();
        let on_params = |f: &Fact| f.value().is_some_and(|v| params.contains(&root(v)));
        let mut summary = Summary {
            never_returns: end.is_none() && record.returns.is_empty(),
            ..Default::default()
        };
        // Every way out: the returns, and the end of the body (`return None`).
        let mut exits: Vec<(Option<&'a Expr>, State<'a>)> = record.returns;
        if let Some(end) = end {
            exits.push((None, end));
        }
        let mut all: Option<Vec<Fact>> = None;
        let mut found: Option<Vec<Fact>> = None;
        let mut returned: Option<Vec<Fact>> = None;
        let mut tuple: Option<Vec<Vec<Fact>>> = None;
        let intersect = |acc: &mut Option<Vec<Fact<'a>>>, facts: Vec<Fact<'a>>| {
            *acc = Some(match acc.take() {
                None => facts,
                Some(prev) => prev.into_iter().filter(|f| facts.contains(f)).collect(),
            });
        };
        for (value, state) in exits {
            intersect(
                &mut all,
                state
                    .known
                    .iter()
                    .filter(|f| on_params(f))
                    .cloned()
                    .collect(),
            );
            let value = value.filter(|v| !matches!(v.kind, ExprKind::NoneLiteral));
            let about = |state: &State<'a>, name: &str| -> Vec<Fact<'a>> {
                state
                    .known
                    .iter()
                    .filter_map(|f| f.mapped(&|v| rebase(v, name, "$")))
                    .collect()
            };
            match value.map(|v| &v.kind) {
                Some(ExprKind::Tuple(items)) => {
                    let per: Vec<Vec<Fact>> = items
                        .iter()
                        .map(|i| i.as_name().map(|n| about(&state, n)).unwrap_or_default())
                        .collect();
                    tuple = Some(match tuple.take() {
                        None => per,
                        Some(prev) if prev.len() == per.len() => prev
                            .into_iter()
                            .zip(per)
                            .map(|(a, b)| a.into_iter().filter(|f| b.contains(f)).collect())
                            .collect(),
                        Some(_) => Vec::new(),
                    });
                    intersect(&mut returned, Vec::new());
                }
                Some(_) => {
                    let v = value.expect("matched Some");
                    // `return <expr>` is `$ = <expr>; return $`.
                    let mut state = state;
                    match v.as_name() {
                        Some(n) => {
                            let mut renamed = State::default();
                            for f in &state.known {
                                renamed.add(
                                    f.mapped(&|p| rebase(p, n, "$"))
                                        .unwrap_or_else(|| f.clone()),
                                );
                            }
                            for (m, f) in &state.pending {
                                if m == n {
                                    renamed.pending.push((
                                        "$".to_string(),
                                        f.mapped(&|p| rebase(p, n, "$"))
                                            .unwrap_or_else(|| f.clone()),
                                    ));
                                }
                            }
                            state = renamed;
                        }
                        None => {
                            self.assign(&frame, v, Some("$"), &mut state);
                        }
                    }
                    intersect(&mut returned, about(&state, "$"));
                    state.found("$");
                    intersect(
                        &mut found,
                        state
                            .known
                            .iter()
                            .filter(|f| on_params(f) || f.value().is_some_and(|v| root(v) == "$"))
                            .cloned()
                            .collect(),
                    );
                    tuple = Some(Vec::new());
                }
                None => {
                    intersect(&mut returned, Vec::new());
                    tuple = Some(Vec::new());
                }
            }
        }
        summary.exit = all.unwrap_or_default();
        summary.when_found = found.unwrap_or_default();
        summary.returned = returned.unwrap_or_default();
        summary.tuple = tuple.unwrap_or_default();
        let summary = std::rc::Rc::new(summary);
        self.summaries.borrow_mut().insert(id, summary.clone());
        summary
    }

    /// The effects of `target = value` (or of `value` alone): lookups that run, helpers
    /// called. Returns `false` when the statement never completes (`abort(404)`).
    fn assign(
        &self,
        frame: &Frame<'a>,
        value: &'a Expr,
        target: Option<&str>,
        state: &mut State<'a>,
    ) -> bool {
        let mut calls = Vec::new();
        sure_calls(value, &mut calls);
        let direct = unawaited(value);
        let mut completes = true;
        let mut after: Vec<Fact<'a>> = Vec::new();
        let mut waiting: Vec<Fact<'a>> = Vec::new();
        let model = self.model;
        for call_expr in calls {
            let Some(call) = call_expr.as_call() else {
                continue;
            };
            let is_direct = std::ptr::eq(call_expr, direct);
            if let ExprKind::Attribute { attr, .. } = &call.func.kind {
                let raising = matches!(attr.as_str(), "one" | "scalar_one") && call.args.is_empty();
                let finding = FINDING_LOOKUPS.contains(&attr.as_str()) && call.args.is_empty();
                if raising || finding {
                    let key = row_key(model, frame.file, frame.body, call_expr);
                    let entity = query_entity(model, frame.file, frame.body, call_expr, 0);
                    let mut facts: Vec<Fact<'a>> = Vec::new();
                    if let Some(k) = key {
                        facts.push(Fact::Key(k));
                    }
                    if is_direct && let Some(t) = target {
                        match entity {
                            Some((m, None)) => facts.push(Fact::Row {
                                model: m,
                                value: t.to_string(),
                            }),
                            Some((m, Some(column))) => facts.push(Fact::Key(RowKey {
                                model: m,
                                column,
                                value: t.to_string(),
                            })),
                            None => {}
                        }
                    }
                    if raising {
                        after.push(Fact::Ran(call_expr));
                        after.extend(facts);
                    } else if is_direct && target.is_some() {
                        waiting.extend(facts);
                    }
                    continue;
                }
            }
            if let Some(q) = model.files[frame.file].imports.resolve(&call.func)
                && NEVER_RETURN.contains(&q.as_str())
            {
                completes = false;
                continue;
            }
            if frame.depth >= MAX_PROOF_DEPTH {
                continue;
            }
            let Some((file, helper)) = self.helper(frame, &call.func) else {
                continue;
            };
            if helper
                .returns
                .as_ref()
                .and_then(|r| r.last_name())
                .is_some_and(|r| matches!(r, "NoReturn" | "Never"))
            {
                completes = false;
                continue;
            }
            let summary = self.summary(file, helper, frame.depth + 1);
            if summary.never_returns {
                completes = false;
                continue;
            }
            // The helper's parameters in the caller's values.
            let skip = usize::from(
                helper
                    .params
                    .first()
                    .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"))
                    && matches!(call.func.kind, ExprKind::Attribute { .. }),
            );
            let argument = |path: &str| -> Option<String> {
                let r = root(path);
                let position = helper.params.iter().position(|p| p.name == r)?;
                let arg = call.argument(r, position.checked_sub(skip)?)?;
                rebase(path, r, &value_path(arg)?)
            };
            after.extend(summary.exit.iter().filter_map(|f| f.mapped(&argument)));
            if is_direct && let Some(t) = target {
                let to_target = |path: &str| rebase(path, "$", t).or_else(|| argument(path));
                after.extend(summary.returned.iter().filter_map(|f| f.mapped(&to_target)));
                waiting.extend(
                    summary
                        .when_found
                        .iter()
                        .filter_map(|f| f.mapped(&to_target)),
                );
            }
        }
        if let Some(t) = target {
            state.kill(t);
        }
        for f in after {
            state.add(f);
        }
        if let Some(t) = target {
            for f in waiting {
                if !state.pending.iter().any(|(n, p)| n == t && *p == f) {
                    state.pending.push((t.to_string(), f));
                }
            }
        }
        completes
    }

    /// `a, b = helper(...)`: facts about the returned tuple's elements.
    fn assign_tuple(
        &self,
        frame: &Frame<'a>,
        value: &'a Expr,
        names: &[&Expr],
        state: &mut State<'a>,
    ) -> bool {
        let completes = self.assign(frame, value, None, state);
        for n in names.iter().filter_map(|n| n.as_name()) {
            state.kill(n);
        }
        let direct = unawaited(value);
        if let Some(call) = direct.as_call()
            && frame.depth < MAX_PROOF_DEPTH
            && let Some((file, helper)) = self.helper(frame, &call.func)
        {
            let summary = self.summary(file, helper, frame.depth + 1);
            if summary.tuple.len() == names.len() {
                for (facts, name) in summary.tuple.iter().zip(names) {
                    if let Some(n) = name.as_name() {
                        for f in facts {
                            if let Some(f) = f.mapped(&|p| rebase(p, "$", n)) {
                                state.add(f);
                            }
                        }
                    }
                }
            }
        }
        completes
    }

    /// The state after `stmts` (`None` if they never complete).
    fn flow(
        &self,
        frame: &Frame<'a>,
        stmts: &'a [Stmt],
        mut state: State<'a>,
        record: &mut Record<'a>,
    ) -> Option<State<'a>> {
        for stmt in stmts {
            if let Some(at) = record.at.as_mut()
                && !state.is_empty()
            {
                at.push((stmt.span().start, state.clone()));
            }
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Return { value, .. } => {
                    if let Some(v) = value {
                        self.assign(frame, v, None, &mut state);
                    }
                    record.returns.push((value.as_ref(), state));
                    return None;
                }
                Stmt::Raise { .. } => return None,
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    let completes = match targets.as_slice() {
                        [t] if t.as_name().is_some() => {
                            self.assign(frame, value, t.as_name(), &mut state)
                        }
                        [t] if t.elements().is_some() => {
                            let names: Vec<&Expr> =
                                t.elements().unwrap_or_default().iter().collect();
                            self.assign_tuple(frame, value, &names, &mut state)
                        }
                        _ => {
                            let c = self.assign(frame, value, None, &mut state);
                            for t in targets {
                                if let Some(p) = value_path(t) {
                                    state.kill(root(&p));
                                }
                            }
                            c
                        }
                    };
                    if !completes {
                        return None;
                    }
                }
                Stmt::AugAssign { target, value, .. } => {
                    self.assign(frame, value, None, &mut state);
                    if let Some(p) = value_path(target) {
                        state.kill(root(&p));
                    }
                }
                Stmt::Expr { value, .. } => {
                    if !self.assign(frame, value, None, &mut state) {
                        return None;
                    }
                }
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    if !self.assign(frame, test, None, &mut state) {
                        return None;
                    }
                    let (mut missing, mut present) = (Vec::new(), Vec::new());
                    tested_names(test, &mut missing, &mut present);
                    let mut then_state = state.clone();
                    for n in &present {
                        then_state.found(n);
                    }
                    let mut else_state = state;
                    for n in &missing {
                        else_state.found(n);
                    }
                    let a = self.flow(frame, body, then_state, record);
                    let b = self.flow(frame, orelse, else_state, record);
                    state = join(a, b)?;
                }
                Stmt::With { items, body, .. } => {
                    for item in items {
                        let target = item.target.as_ref().and_then(|t| t.as_name());
                        if !self.assign(frame, &item.context, target, &mut state) {
                            return None;
                        }
                        if let Some(p) = item.target.as_ref().and_then(value_path) {
                            state.kill(root(&p));
                        }
                    }
                    state = self.flow(frame, body, state, record)?;
                }
                Stmt::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => {
                    let mut out = self
                        .flow(frame, body, state.clone(), record)
                        .and_then(|s| self.flow(frame, orelse, s, record));
                    // A handler may start anywhere in the body: what held before the `try`
                    // holds there unless the body assigns its names.
                    let mut start = state;
                    for n in assigned_names(body) {
                        start.kill(&n);
                    }
                    for h in handlers {
                        let mut entry = start.clone();
                        if let Some(n) = &h.name {
                            entry.kill(n);
                        }
                        out = join(out, self.flow(frame, &h.body, entry, record));
                    }
                    let out = out.and_then(|s| self.flow(frame, finalbody, s, record));
                    state = out?;
                }
                other => {
                    // Loops may not run; their bodies and other blocks are walked for their
                    // returns and statements only.
                    other.for_each_own_expr(&mut |e| {
                        self.assign(frame, e, None, &mut state);
                    });
                    let mut kill = Vec::new();
                    if let Stmt::For { target, .. } = other {
                        for t in target.elements_or_self() {
                            if let Some(p) = value_path(t) {
                                kill.push(p);
                            }
                        }
                    }
                    for k in &kill {
                        state.kill(root(k));
                    }
                    // Names a loop or block assigns are stale at its next turn and after.
                    let mut assigned = Vec::new();
                    for child in other.child_bodies() {
                        assigned.extend(assigned_names(child));
                    }
                    for a in &assigned {
                        state.kill(a);
                    }
                    for child in other.child_bodies() {
                        self.flow(frame, child, state.clone(), record);
                    }
                }
            }
        }
        Some(state)
    }
}
