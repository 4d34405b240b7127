use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::ProjectModel;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, CmpOp, Expr, ExprKind, Function, Span, Stmt};
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
    /// board.id).scalar_one()`): it reads back the row just written. Handlers written in test
    /// code are not reported.
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

/// The key of a raising lookup call (`query(M).filter(M.id == x).one()`): `None` unless the
/// query has exactly one condition and it compares a column of a project class with a name.
fn row_key(model: &ProjectModel, file: usize, lookup: &Expr) -> Option<RowKey> {
    let ExprKind::Call(call) = &lookup.kind else {
        return None;
    };
    let ExprKind::Attribute { value: query, .. } = &call.func.kind else {
        return None;
    };
    let mut compares = Vec::new();
    let mut other_filters = false;
    query.any(&mut |x| {
        match &x.kind {
            ExprKind::Compare { .. } => compares.push(x),
            // Conditions that are not comparisons (`filter_by(...)`, `filter(M.active)`).
            ExprKind::Call(c) => {
                if let ExprKind::Attribute { attr, .. } = &c.func.kind {
                    other_filters |= attr == "filter_by"
                        || matches!(attr.as_str(), "filter" | "where")
                            && c.args
                                .iter()
                                .any(|a| !matches!(a.kind, ExprKind::Compare { .. }));
                }
            }
            _ => {}
        }
        false
    });
    let ([compare], false) = (&compares[..], other_filters) else {
        return None;
    };
    let (left, CmpOp::Eq, right) = compare.single_compare()? else {
        return None;
    };
    let (column, value) = match (&left.kind, &right.kind) {
        (ExprKind::Attribute { .. }, ExprKind::Name(n)) => (left, n),
        (ExprKind::Name(n), ExprKind::Attribute { .. }) => (right, n),
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
        value: value.to_string(),
    })
}

/// A helper's key in the caller's names: the argument passed for the parameter the lookup
/// compares with, when it is a name.
fn key_at_call(key: RowKey, helper: &Function, call: &Call) -> Option<RowKey> {
    let skip = usize::from(
        helper
            .params
            .first()
            .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"))
            && matches!(call.func.kind, ExprKind::Attribute { .. }),
    );
    let position = helper.params.iter().position(|p| p.name == key.value)?;
    let argument = call.argument(&key.value, position.checked_sub(skip)?)?;
    Some(RowKey {
        value: argument.as_name()?.to_string(),
        ..key
    })
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
    fn was_checked(&self, at: u32, key: Option<&RowKey>) -> bool {
        key.is_some_and(|k| self.checked.iter().any(|(end, c)| *end <= at && c == k))
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
        };
        inner.body(&helper.body);
        let (first, key) = inner
            .found
            .into_iter()
            .map(|f| {
                let key = f.key.clone().and_then(|k| key_at_call(k, helper, call));
                (f, key)
            })
            .find(|(_, key)| !self.was_checked(at, key.as_ref()))?;
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
                            .filter(|_| !self.reads_back_created(x, span.start))
                            .map(|w| (w, row_key(self.model, self.file, x)))
                            .filter(|(_, key)| !self.was_checked(span.start, key.as_ref()));
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
