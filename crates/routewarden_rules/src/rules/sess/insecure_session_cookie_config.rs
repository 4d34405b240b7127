use crate::config_writes::config_writes;
use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::helpers::is_falsy_literal;
use crate::rule::{ProjectContext, Rule, RuleMeta, Severity};
use crate::rules::sess::cookie_transport::{COOKIE_TRANSPORT, FLAGS};
use routewarden_model::ProjectModel;
use routewarden_python::ast::{BoolOp, Call, Class, CmpOp, Expr, ExprKind, Function, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// Session and remember-me cookie settings that switch a protection off:
    /// `SESSION_COOKIE_SECURE = False`, `SESSION_COOKIE_HTTPONLY = False`,
    /// `SESSION_COOKIE_SAMESITE = None` or `"None"`, and the same for `REMEMBER_COOKIE_*`
    /// (Flask-Login), in every configuration form: `app.config[...]`, `config.update(...)`,
    /// `from_mapping(...)`, `setdefault`, and configuration classes loaded with `from_object`
    /// (inherited values included). A value read from the environment is judged by its fallback,
    /// the value that applies when the variable is not set:
    /// `os.getenv("SESSION_COOKIE_SECURE", "false").lower() == "true"`,
    /// `os.environ.get("REMEMBER_COOKIE_HTTPONLY", False)`, `env.bool(...)`/decouple
    /// `config(..., default=False)`, also through a module constant. Also fastapi-users'
    /// `CookieTransport(cookie_secure=False)`, `cookie_httponly=False` or
    /// `cookie_samesite="none"`: the library sets the authentication cookie with them; and
    /// Starlette's `SessionMiddleware` (direct, through `add_middleware` or `Middleware`), which
    /// keeps the whole session in its cookie, given `same_site="none"` or an explicit
    /// `https_only=False` (also by their environment fallback; Starlette's default
    /// `https_only=False` is not reported). Classes
    /// named for development or testing and test files are not reported. A name written inside
    /// a test that pins it to literals (`if SAMESITE in ["Strict", "Lax"]:` or
    /// `if SAMESITE == "Lax":`) holds one of them there, whatever the environment gave it: the
    /// write is judged by those literals. A setting written only under an operator's opt-in
    /// switch that is off when nothing is configured (`if AL_UNSECURED_UI:` with
    /// `AL_UNSECURED_UI = os.environ.get("AL_UNSECURED_UI", "false").lower() == "true"`, `if
    /// config.get("allow embedding", "Lax") is True:`, a settings read by key path whose
    /// default the project's settings schema declares false, also through a local; or the
    /// `else` of a comparison that holds then, `if app_settings == "app.ProductionConfig":`
    /// with that environment fallback) is reported
    /// at low severity, naming the switch.
    ///
    /// ## Why is this dangerous
    /// Without `Secure` the session cookie is sent over plain HTTP, where anyone on the network
    /// path can copy it and log in as the user. Without `HttpOnly` any injected script can read
    /// it. `SameSite=None` sends it on cross-site requests, which is what CSRF needs.
    ///
    /// ## Example
    /// ```python
    /// class ProductionConfig(Config):
    ///     SESSION_COOKIE_SECURE = False
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// class ProductionConfig(Config):
    ///     SESSION_COOKIE_SECURE = True
    ///     SESSION_COOKIE_HTTPONLY = True
    ///     SESSION_COOKIE_SAMESITE = "Lax"
    /// ```
    pub static INSECURE_SESSION_COOKIE_CONFIG = {
        code: "SESS002",
        name: "insecure-session-cookie-config",
        severity: Medium,
        confidence: High,
        cwe: 614,
        fix: "Set SESSION_COOKIE_SECURE and HTTPONLY to True and SAMESITE to Lax or Strict",
    }
}

pub struct InsecureSessionCookieConfig;

/// A literal value a setting can take.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Bool(bool),
    Int(i64),
    Str(String),
    None,
}

impl Lit {
    fn of(expr: &Expr) -> Option<Lit> {
        Some(match &expr.kind {
            ExprKind::Bool(b) => Lit::Bool(*b),
            ExprKind::Int(Some(n)) => Lit::Int(*n),
            ExprKind::Str(s) => Lit::Str(s.clone()),
            ExprKind::NoneLiteral => Lit::None,
            _ => return None,
        })
    }

    fn truthy(&self) -> bool {
        match self {
            Lit::Bool(b) => *b,
            Lit::Int(n) => *n != 0,
            Lit::Str(s) => !s.is_empty(),
            Lit::None => false,
        }
    }

    fn as_expr(&self) -> Expr {
        let kind = match self {
            Lit::Bool(b) => ExprKind::Bool(*b),
            Lit::Int(n) => ExprKind::Int(Some(*n)),
            Lit::Str(s) => ExprKind::Str(s.clone()),
            Lit::None => ExprKind::NoneLiteral,
        };
        Expr {
            kind,
            span: Default::default(),
        }
    }
}

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
fn pinned_literals(model: &ProjectModel, file: usize, value: &Expr) -> Option<Vec<Lit>> {
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
                pinned = (!assigns_name(body, name)).then_some(lits);
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

/// Whether `body` assigns `name` anywhere outside nested functions and classes.
fn assigns_name(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|s| match s {
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::Assign { targets, .. } => targets
            .iter()
            .any(|t| t.any(&mut |x| x.as_name() == Some(name))),
        Stmt::AugAssign { target, .. } => target.as_name() == Some(name),
        Stmt::For { target, .. } if target.any(&mut |x| x.as_name() == Some(name)) => true,
        _ => s.child_bodies().any(|b| assigns_name(b, name)),
    })
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

fn insecure(key: &str, value: &Expr) -> bool {
    if key.ends_with("_SAMESITE") {
        matches!(value.kind, ExprKind::NoneLiteral)
            || value
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("none"))
    } else {
        is_falsy_literal(value) && !matches!(value.kind, ExprKind::NoneLiteral)
    }
}

/// Starlette's session middleware, which keeps the session in a signed cookie.
const SESSION_MIDDLEWARE: &[&str] = &["starlette.middleware.sessions.SessionMiddleware"];

/// Whether a cookie option passed to a call switches its protection off: a false flag, or
/// SameSite `"none"` when `samesite`; an environment read is judged by its fallback, as for
/// the Flask settings. `Some(" unless the environment sets it")` for such a fallback,
/// `Some("")` for a literal, `None` when the protection stays on.
fn switched_off(cx: &FileContext, value: &Expr, samesite: bool) -> Option<&'static str> {
    let fallback = if Lit::of(value).is_none() {
        unset_value(cx.model, cx.file_index, value, 0)
    } else {
        None
    };
    let insecure = match (&fallback, samesite) {
        (Some(v), false) => !v.truthy(),
        (Some(v), true) => insecure("_SAMESITE", &v.as_expr()),
        (None, false) => is_falsy_literal(value) && !matches!(value.kind, ExprKind::NoneLiteral),
        (None, true) => value
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("none")),
    };
    match (insecure, fallback.is_some()) {
        (false, _) => None,
        (true, true) => Some(" unless the environment sets it"),
        (true, false) => Some(""),
    }
}

/// Reports a weak setting, at low severity naming the switch when an opt-in switch that is off
/// by default guards it.
fn report(model: &ProjectModel, span: Span, switched: String, what: &str, out: &mut Findings) {
    let meta = &INSECURE_SESSION_COOKIE_CONFIG;
    match opt_in_switch(model, out.file(), span) {
        Some(switch) => out.report_with_severity(
            meta,
            span,
            format!("{switched}, only when the operator turns on `{switch}` (off unless configured): {what}"),
            Severity::Low,
        ),
        None => out.report(meta, span, format!("{switched}: {what}")),
    }
}

const KEYS: &[&str] = &[
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "REMEMBER_COOKIE_SECURE",
    "REMEMBER_COOKIE_HTTPONLY",
    "REMEMBER_COOKIE_SAMESITE",
];

impl Rule for InsecureSessionCookieConfig {
    fn meta(&self) -> &'static RuleMeta {
        &INSECURE_SESSION_COOKIE_CONFIG
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        if cx.file.is_test() {
            return;
        }
        if cx.resolves_to(&call.func, COOKIE_TRANSPORT) {
            for (flag, position) in FLAGS {
                let Some(value) = call.argument(flag, *position) else {
                    continue;
                };
                let samesite = *flag == "cookie_samesite";
                let Some(unless) = switched_off(cx, value, samesite) else {
                    continue;
                };
                let what = match *flag {
                    "cookie_samesite" => {
                        "SameSite=None sends the authentication cookie on cross-site requests"
                    }
                    "cookie_secure" => "the authentication cookie is sent over plain HTTP",
                    _ => "scripts in the page can read the authentication cookie",
                };
                report(
                    cx.model,
                    expr.span,
                    format!("CookieTransport's `{flag}` is switched off{unless}"),
                    what,
                    out,
                );
            }
            return;
        }
        // Starlette keeps the whole session in its cookie: `SessionMiddleware(app, ...)`,
        // `app.add_middleware(SessionMiddleware, ...)`, `Middleware(SessionMiddleware, ...)`.
        let direct = cx.resolves_to(&call.func, SESSION_MIDDLEWARE);
        if !direct
            && !call.args.first().is_some_and(|a| {
                matches!(a.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                    && cx.resolves_to(a, SESSION_MIDDLEWARE)
            })
        {
            return;
        }
        for (flag, position) in [("same_site", 5), ("https_only", 6)] {
            // Positions only in the direct call: the others pass the options by keyword.
            let value = if direct {
                call.argument(flag, position)
            } else {
                call.keyword(flag)
            };
            let Some(value) = value else {
                continue;
            };
            let Some(unless) = switched_off(cx, value, flag == "same_site") else {
                continue;
            };
            let what = if flag == "same_site" {
                "SameSite=None sends the session cookie on cross-site requests"
            } else {
                "the session cookie is sent over plain HTTP"
            };
            report(
                cx.model,
                expr.span,
                format!("Starlette's SessionMiddleware `{flag}` is switched off{unless}"),
                what,
                out,
            );
        }
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        for write in config_writes(cx, &|k| KEYS.contains(&k)) {
            // Read from the environment: judged by the value that applies when it is not set.
            let fallback = if Lit::of(write.value).is_none() {
                unset_value(cx.model, write.file, write.value, 0)
            } else {
                None
            };
            let insecure = match &fallback {
                // The raw string `"false"` is truthy to Flask: only a falsy Python value counts.
                Some(value) if !write.key.ends_with("_SAMESITE") => !value.truthy(),
                Some(value) => insecure(&write.key, &value.as_expr()),
                None => insecure(&write.key, write.value),
            };
            // A name tested against literals before the write holds one of them there.
            if !insecure
                || pinned_literals(cx.model, write.file, write.value).is_some_and(|lits| {
                    !lits
                        .iter()
                        .any(|l| self::insecure(&write.key, &l.as_expr()))
                })
            {
                continue;
            }
            let unless = if fallback.is_some() {
                " unless the environment sets it"
            } else {
                ""
            };
            let what = if write.key.ends_with("_SAMESITE") {
                "SameSite=None sends the cookie on cross-site requests"
            } else if write.key.ends_with("_SECURE") {
                "the cookie is sent over plain HTTP"
            } else {
                "scripts in the page can read the cookie"
            };
            let mut f = Findings::new(write.file);
            let switched = format!("{} is switched off{unless}", write.place);
            report(cx.model, write.span, switched, what, &mut f);
            out.extend(f.into_vec());
        }
    }
}
