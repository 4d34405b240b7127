//! What a runtime condition evaluates to when the operator configures nothing: each setting it
//! reads takes the default the project itself declares (a configuration module or class value
//! loaded into the Flask config, a settings class field's default, an environment read's
//! fallback). Asked only of a route authenticated under a condition: an authentication
//! switch that is on by default (`if not app.config.get("NO_AUTH")` with `NO_AUTH = False`)
//! protects the route in the default deployment.

use crate::apps::{AppModel, Test};
use crate::config::ConfigModel;
use crate::frameworks::ObjectKind;
use crate::project::ProjectModel;
use crate::values::settings_field_default;
use routewarden_python::ast::{
    BoolOp, Class, CmpOp, Expr, ExprKind, Function, OtherKind, ParamKind, Stmt, UnaryOp,
};

/// A literal value a setting can take.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Bool(bool),
    Int(i64),
    Str(String),
    None,
}

impl Lit {
    pub fn of(expr: &Expr) -> Option<Lit> {
        Some(match &expr.kind {
            ExprKind::Bool(b) => Lit::Bool(*b),
            ExprKind::Int(Some(n)) => Lit::Int(*n),
            ExprKind::Str(s) => Lit::Str(s.clone()),
            ExprKind::NoneLiteral => Lit::None,
            _ => return None,
        })
    }

    pub fn truthy(&self) -> bool {
        match self {
            Lit::Bool(b) => *b,
            Lit::Int(n) => *n != 0,
            Lit::Str(s) => !s.is_empty(),
            Lit::None => false,
        }
    }

    pub fn as_expr(&self) -> Expr {
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

/// Whether the branch `test` names is taken when every setting its test reads has its
/// declared default. `None` when some value is unknown (a parameter, a call, a setting
/// without a literal default).
pub(crate) fn branch_by_default<'a>(
    model: &'a ProjectModel,
    apps: &AppModel<'a>,
    config: &std::sync::OnceLock<ConfigModel<'a>>,
    test: Test,
) -> Option<bool> {
    let (scope, expr) = expr_at(model, test)?;
    let (value, _) = Defaults {
        model,
        flask: Some((apps, Settings::Lazy(config))),
        frame: None,
    }
    .value(test.file, &scope, expr, 0)?;
    Some(value.truthy() == test.then)
}

/// Whether `expr`, inside the functions `scope` (outermost first), is true when every setting
/// it reads has its declared default, `app.config` reads included (`app.config.get("READONLY",
/// True)`). `None` when some value is unknown.
pub fn holds_by_default<'a>(
    model: &'a ProjectModel,
    apps: &AppModel<'a>,
    config: &ConfigModel<'a>,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
) -> Option<bool> {
    let (value, _) = Defaults {
        model,
        flask: Some((apps, Settings::Built(config))),
        frame: None,
    }
    .value(file, scope, expr, 0)?;
    Some(value.truthy())
}

/// The production configuration, built on first use or already built.
#[derive(Clone, Copy)]
enum Settings<'m, 'a> {
    Lazy(&'m std::sync::OnceLock<ConfigModel<'a>>),
    Built(&'m ConfigModel<'a>),
}

/// The expression at `test.span` and the functions around it, outermost first.
fn expr_at(model: &ProjectModel, test: Test) -> Option<(Vec<&Function>, &Expr)> {
    let span = test.span;
    let within = |s: routewarden_python::ast::Span| s.start <= span.start && span.end <= s.end;
    let mut scope = Vec::new();
    let mut stmts = model.files.get(test.file)?.body();
    loop {
        let stmt = stmts.iter().find(|s| within(s.span()))?;
        if let Some(child) = stmt
            .child_bodies()
            .find(|b| b.iter().any(|s| within(s.span())))
        {
            if let Stmt::FunctionDef(f) = stmt {
                scope.push(f.as_ref());
            }
            stmts = child;
            continue;
        }
        let mut found = None;
        stmt.for_each_own_expr(&mut |e| {
            if found.is_none() {
                e.any(&mut |x| {
                    let hit = x.span == span;
                    if hit {
                        found = Some(x);
                    }
                    hit
                });
            }
        });
        return found.map(|e| (scope, e));
    }
}

/// What an unset value is: `app.config` reads are judged when `flask` gives the project's
/// Flask applications and their production configuration, unknown otherwise.
struct Defaults<'m, 'a> {
    model: &'a ProjectModel,
    flask: Option<(&'m AppModel<'a>, Settings<'m, 'a>)>,
    /// Inside a project helper being evaluated: its parameters and locals.
    frame: Option<&'m Frame<'a>>,
}

/// The locals of a project helper evaluated for one call: each name's value with nothing
/// configured, `None` when unknown; the last binding wins.
struct Frame<'a> {
    function: &'a Function,
    names: Vec<(&'a str, Option<(Lit, Basis)>)>,
    /// Helpers being evaluated around this one, this one included.
    calls: u32,
}

impl<'a> Frame<'a> {
    /// The value of a parameter or local, `Some(None)` for one that is unknown (not yet
    /// bound, or bound to an unknown value): never the module's value of the same name.
    fn local(&self, name: &str) -> Option<Option<(Lit, Basis)>> {
        if let Some((_, v)) = self.names.iter().rev().find(|(n, _)| *n == name) {
            return Some(v.clone());
        }
        let local = self.function.assigned.may_contain(name)
            || self.function.params.iter().any(|p| p.name == name);
        local.then_some(None)
    }

    fn bind(&mut self, name: &'a str, value: Option<(Lit, Basis)>) {
        self.names.push((name, value));
    }
}

/// How a project helper's body ends with nothing configured.
enum Flow {
    /// On to the next statement.
    Next,
    /// `return` with this value; `true` when it is a parameter's (the caller's default).
    Return(Lit, Basis, bool),
}

/// Helpers evaluated inside one another at most (a helper calling a helper), and the size
/// of a helper's body: only small ones are read.
const MAX_HELPER_CALLS: u32 = 2;
const MAX_HELPER_STATEMENTS: usize = 24;

/// The value an expression takes when the operator configures nothing, read from the
/// environment or a settings schema: `os.getenv("K", "false").lower() == "true"`,
/// `os.environ.get("K", False)`, `bool(int(os.getenv("K", "0")))`, `env.bool("K", False)`,
/// `config("K", default=False, cast=bool)`, `settings().getBoolean(["api", "allowCrossOrigin"])`,
/// a settings class field's default, also through module constants and small project helpers
/// (`bool_env("USE_AUTH", True)`, its body run on the call's arguments). `None` when the value
/// is unknown or does not depend on such a read (a literal).
pub fn unset_value<'a>(model: &'a ProjectModel, file: usize, expr: &'a Expr) -> Option<Lit> {
    unset_value_in(model, file, &[], expr)
}

/// [`unset_value`] of an expression inside the functions `scope` (outermost first), whose
/// locals it follows to their only assignment.
pub fn unset_value_in<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
) -> Option<Lit> {
    let (value, basis) = Defaults {
        model,
        flask: None,
        frame: None,
    }
    .value(file, scope, expr, 0)?;
    (basis == Basis::Declared).then_some(value)
}

/// What a value with nothing configured rests on, from the least to the most left to the
/// operator; a value built from several takes the last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Basis {
    /// Literals alone.
    Literal,
    /// A default the project declares: an environment read's fallback, a settings field's
    /// default, the application's configuration.
    Declared,
    /// An environment variable read without a fallback (`None` when unset): no default the
    /// project chose.
    Implicit,
}

/// `"false"`, `"0"`, `"no"`, `"off"` as a boolean setting string (strtobool, decouple).
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "f" | "" => Some(false),
        _ => None,
    }
}

impl<'a> Defaults<'_, 'a> {
    /// The value of `expr` with nothing configured, and what it rests on.
    fn value(
        &self,
        file: usize,
        scope: &[&'a Function],
        expr: &'a Expr,
        depth: u32,
    ) -> Option<(Lit, Basis)> {
        if depth > 8 {
            return None;
        }
        if let Some(lit) = Lit::of(expr) {
            return Some((lit, Basis::Literal));
        }
        match &expr.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => {
                let (v, basis) = self.value(file, scope, operand, depth + 1)?;
                Some((Lit::Bool(!v.truthy()), basis))
            }
            // Known when an operand decides it, or every operand is known: Python's value,
            // the deciding operand (`os.getenv("K") or "true"` is `"true"`), else the last;
            // only its truth after an unknown operand.
            ExprKind::BoolOp { op, values } => {
                let decisive = matches!(op, BoolOp::Or);
                let mut known = true;
                let mut basis = Basis::Literal;
                let mut last = None;
                for v in values {
                    match self.value(file, scope, v, depth + 1) {
                        Some((l, b)) => {
                            basis = basis.max(b);
                            if l.truthy() == decisive {
                                let l = if known { l } else { Lit::Bool(decisive) };
                                return Some((l, basis));
                            }
                            last = Some(l);
                        }
                        None => known = false,
                    }
                }
                Some((last.filter(|_| known)?, basis))
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                let ([op], [right]) = (&ops[..], comparators.as_slice()) else {
                    return None;
                };
                let (value, basis) = self.value(file, scope, left, depth + 1)?;
                let equal = match op {
                    CmpOp::Is | CmpOp::IsNot | CmpOp::Eq | CmpOp::NotEq => value == Lit::of(right)?,
                    CmpOp::In | CmpOp::NotIn => {
                        // Also a constant collection: `in TRUTHY`.
                        let items = right.elements().or_else(|| {
                            self.model.resolve_value(file, scope, right).expr.elements()
                        });
                        let mut found = false;
                        for item in items? {
                            found |= Lit::of(item)? == value;
                        }
                        found
                    }
                    _ => return None,
                };
                let holds = equal == matches!(op, CmpOp::Is | CmpOp::Eq | CmpOp::In);
                Some((Lit::Bool(holds), basis))
            }
            // `app.config["NO_AUTH"]`
            ExprKind::Subscript { value, slice } => {
                let v = self.config_value(file, scope, value, slice.as_str()?, None)?;
                Some((v, Basis::Declared))
            }
            ExprKind::Call(call) => self.call_value(file, scope, call, depth),
            // `'1' if default else '0'`
            ExprKind::IfExp { test, body, orelse } => {
                let (t, test_basis) = self.value(file, scope, test, depth + 1)?;
                let chosen = if t.truthy() { body } else { orelse };
                let (v, basis) = self.value(file, scope, chosen, depth + 1)?;
                Some((v, basis.max(test_basis)))
            }
            // `settings.secret` of a settings class instance: the field's default.
            // Not one built with arguments (`Options(auth=args.auth)`), which may set it.
            ExprKind::Attribute { value, .. } => {
                let built = self.model.resolve_value(file, scope, value);
                let with_arguments = built
                    .expr
                    .as_call()
                    .is_some_and(|c| !c.args.is_empty() || !c.keywords.is_empty());
                if !with_arguments
                    && let Some((_, default)) =
                        settings_field_default(self.model, file, scope, expr)
                {
                    return Some((Lit::of(default)?, Basis::Declared));
                }
                self.followed(file, scope, expr, depth)
            }
            ExprKind::Name(n) => match self.frame.and_then(|f| f.local(n)) {
                Some(local) => local,
                None => self.followed(file, scope, expr, depth),
            },
            _ => None,
        }
    }

    /// The value of a call with nothing configured: an environment or configuration read
    /// gives its fallback, a conversion (`bool`, `int`, `strtobool`, `.lower()`) converts its
    /// argument's value.
    fn call_value(
        &self,
        file: usize,
        scope: &[&'a Function],
        call: &'a routewarden_python::ast::Call,
        depth: u32,
    ) -> Option<(Lit, Basis)> {
        let module = &self.model.files[file];
        // `bool`, `int`: builtins unless the module binds the name itself.
        let q = match call.func.as_name() {
            Some(n @ ("bool" | "int" | "str"))
                if module.imports.get(n).is_none() && module.top_level(n).is_none() =>
            {
                Some(format!("builtins.{n}"))
            }
            _ => module.imports.resolve(&call.func),
        };
        let argument = || self.value(file, scope, call.args.first()?, depth + 1);
        match q.as_deref() {
            // Unset, the variable reads as its fallback, or `None`.
            Some("os.getenv" | "os.environ.get") => match call.argument("default", 1) {
                Some(default) => Some((
                    self.value(file, scope, default, depth + 1)?.0,
                    Basis::Declared,
                )),
                None => Some((Lit::None, Basis::Implicit)),
            },
            Some("builtins.bool") => {
                let (v, basis) = argument()?;
                Some((Lit::Bool(v.truthy()), basis))
            }
            // `os.getenv(name, str(default))`
            Some("builtins.str") => {
                let (v, basis) = argument()?;
                let s = match v {
                    Lit::Str(s) => s,
                    Lit::Bool(b) => (if b { "True" } else { "False" }).to_string(),
                    Lit::Int(n) => n.to_string(),
                    Lit::None => "None".to_string(),
                };
                Some((Lit::Str(s), basis))
            }
            Some("builtins.int") => {
                let (v, basis) = argument()?;
                let n = match v {
                    Lit::Str(s) => Lit::Int(s.trim().parse().ok()?),
                    Lit::Bool(b) => Lit::Int(i64::from(b)),
                    other @ Lit::Int(_) => other,
                    Lit::None => return None,
                };
                Some((n, basis))
            }
            Some("distutils.util.strtobool" | "str2bool.str2bool") => {
                let (v, basis) = argument()?;
                let b = match v {
                    Lit::Str(s) => Lit::Bool(parse_bool(&s)?),
                    other => other,
                };
                Some((b, basis))
            }
            // python-decouple: `config("K", default="False", cast=bool)`
            Some("decouple.config") => {
                let default = Lit::of(call.argument("default", 1)?)?;
                let cast_bool = call
                    .keyword("cast")
                    .and_then(Expr::as_name)
                    .is_some_and(|n| n == "bool");
                let v = match default {
                    Lit::Str(s) if cast_bool => Lit::Bool(parse_bool(&s)?),
                    other => other,
                };
                Some((v, Basis::Declared))
            }
            _ => {
                if let Some(value) = self.helper_value(file, scope, call, depth) {
                    return Some(value);
                }
                let (owner, method) = call.method()?;
                match method {
                    "lower" | "upper" | "strip" | "casefold" => {
                        let (Lit::Str(s), basis) = self.value(file, scope, owner, depth + 1)?
                        else {
                            return None;
                        };
                        let s = match method {
                            "lower" | "casefold" => s.to_lowercase(),
                            "upper" => s.to_uppercase(),
                            _ => s.trim().to_string(),
                        };
                        Some((Lit::Str(s), basis))
                    }
                    // A settings manager read by key path, `settings().getBoolean(["api",
                    // "allowCrossOrigin"])`: the default the project's settings schema declares.
                    "get" | "getBoolean"
                        if call.args.len() == 1
                            && let Some(keys) = call.args[0].elements() =>
                    {
                        let keys: Vec<&str> =
                            keys.iter().map(Expr::as_str).collect::<Option<_>>()?;
                        if keys.len() < 2 {
                            return None;
                        }
                        Some((settings_path_default(self.model, &keys)?, Basis::Declared))
                    }
                    // A `configparser` parser (airflow's `conf`, a subclass): `conf.getboolean(
                    // "api", "enable_experimental_api", fallback=False)` reads as its fallback
                    // when the option is not configured.
                    "get" | "getboolean" | "getint" | "getfloat"
                        if call.args.len() == 2
                            && let Some(fallback) = call.keyword("fallback")
                            && crate::values::is_config_parser(self.model, file, scope, owner) =>
                    {
                        Some((Lit::of(fallback)?, Basis::Declared))
                    }
                    // `app.config.get("NO_AUTH")`, `app.config.get("NO_AUTH", False)`. Only a
                    // Flask app's `config` is read (config_value), so a configparser's
                    // `conf.get(section, option)` never takes the option's name for a default.
                    "get" => {
                        let key = call.args.first()?.as_str()?;
                        let fallback = call.argument("default", 1).and_then(Lit::of);
                        let v = self.config_value(file, scope, owner, key, fallback)?;
                        Some((v, Basis::Declared))
                    }
                    // environs: `env.bool("K", False)`, `env.bool("K", default=False)`
                    "bool" if call.args.first().is_some_and(Expr::is_string_literal) => {
                        let v = match Lit::of(call.argument("default", 1)?)? {
                            Lit::Str(s) => Lit::Bool(parse_bool(&s)?),
                            other => other,
                        };
                        Some((v, Basis::Declared))
                    }
                    _ => None,
                }
            }
        }
    }

    /// The value of a call of a small project function with nothing configured
    /// (`bool_env("USE_AUTH", True)`): the caller's arguments, by position or keyword, and the
    /// parameters' defaults bound to its parameters, then its body run on them. What it
    /// returns rests on the declared default when the path to the `return` was chosen by
    /// an environment read (`if value is None: return default`).
    fn helper_value(
        &self,
        file: usize,
        scope: &[&'a Function],
        call: &'a routewarden_python::ast::Call,
        depth: u32,
    ) -> Option<(Lit, Basis)> {
        let calls = self.frame.map_or(0, |f| f.calls);
        if calls >= MAX_HELPER_CALLS
            || call
                .args
                .iter()
                .any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || call.keywords.iter().any(|k| k.arg.is_none())
        {
            return None;
        }
        let (helper_file, Stmt::FunctionDef(function)) =
            self.model.project_definition(file, &call.func)?
        else {
            return None;
        };
        let function: &'a Function = function;
        if function.is_async
            || !function.decorators.is_empty()
            || function
                .params
                .iter()
                .any(|p| matches!(p.kind, ParamKind::VarArgs | ParamKind::VarKeywords))
            || statement_count(&function.body, MAX_HELPER_STATEMENTS).is_none()
        {
            return None;
        }
        // A keyword the function does not take would be a `TypeError`.
        if call.keywords.iter().any(|k| {
            !function
                .params
                .iter()
                .any(|p| k.arg.as_ref() == Some(&p.name))
        }) {
            return None;
        }
        let mut frame = Frame {
            function,
            names: Vec::with_capacity(function.params.len()),
            calls: calls.saturating_add(1),
        };
        let module_level = Defaults {
            model: self.model,
            flask: self.flask,
            frame: None,
        };
        for param in &function.params {
            let value = match crate::apps::parameter_argument(function, call, &param.name) {
                Some(arg) => self.value(file, scope, arg, depth + 1),
                // Not passed: the parameter's default, read where the function is defined.
                None => module_level.value(helper_file, &[], param.default.as_ref()?, depth + 1),
            };
            frame.bind(&param.name, value);
        }
        let mut path = Basis::Literal;
        let (value, basis, parameter) = match self.run(
            helper_file,
            function,
            &function.body,
            &mut frame,
            &mut path,
            depth,
        )? {
            Flow::Return(value, basis, parameter) => (value, basis, parameter),
            // Falling off the end returns `None`.
            Flow::Next => (Lit::None, Basis::Literal, false),
        };
        // A way chosen by an unset variable (`if value is None:`) that returns the caller's
        // default rests on that default; one that returns the helper's own literal rests on
        // the variable, as the same test written inline would.
        let basis = if parameter && path > Basis::Literal {
            basis.max(Basis::Declared)
        } else {
            path.max(basis)
        };
        Some((value, basis))
    }

    /// Runs a helper's statements on `frame`: assignments bind locals, an `if` whose test is
    /// known takes its branch (raising `path` to what the test rests on), `return` ends.
    /// `None` when the way through is unknown (an unknown test, a loop, a `raise`).
    fn run(
        &self,
        file: usize,
        function: &'a Function,
        body: &'a [Stmt],
        frame: &mut Frame<'a>,
        path: &mut Basis,
        depth: u32,
    ) -> Option<Flow> {
        let scope = [function];
        for stmt in body {
            let inner = Defaults {
                model: self.model,
                flask: self.flask,
                frame: Some(&*frame),
            };
            match stmt {
                Stmt::Return { value, .. } => {
                    let (v, basis) = match value {
                        Some(v) => inner.value(file, &scope, v, depth + 1)?,
                        None => (Lit::None, Basis::Literal),
                    };
                    // A parameter the body never rebinds.
                    let parameter = value.as_ref().and_then(Expr::as_name).is_some_and(|n| {
                        function.params.iter().any(|p| p.name == n)
                            && !function.assigned.may_contain(n)
                    });
                    return Some(Flow::Return(v, basis, parameter));
                }
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    let v = inner.value(file, &scope, value, depth + 1);
                    for target in targets {
                        match target.as_name() {
                            Some(name) => frame.bind(name, v.clone()),
                            // Unpacking: each name bound is unknown.
                            None => {
                                target.any(&mut |x| {
                                    if let Some(name) = x.as_name() {
                                        frame.bind(name, None);
                                    }
                                    false
                                });
                            }
                        }
                    }
                }
                Stmt::AugAssign { target, .. } => {
                    if let Some(name) = target.as_name() {
                        frame.bind(name, None);
                    }
                }
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    let (t, basis) = inner.value(file, &scope, test, depth + 1)?;
                    *path = (*path).max(basis);
                    let branch: &'a [Stmt] = if t.truthy() { body } else { orelse };
                    if let flow @ Flow::Return(..) =
                        self.run(file, function, branch, frame, path, depth)?
                    {
                        return Some(flow);
                    }
                }
                // `try: return strtobool(os.getenv(name, str(default)))`: a body whose value is
                // known raises nothing the handlers would catch.
                Stmt::Try {
                    body,
                    orelse,
                    finalbody,
                    ..
                } if orelse.is_empty() && finalbody.is_empty() => {
                    if let flow @ Flow::Return(..) =
                        self.run(file, function, body, frame, path, depth)?
                    {
                        return Some(flow);
                    }
                }
                // Docstrings, logging calls, `pass`, `global`, imports.
                Stmt::Expr { .. } | Stmt::Import { .. } | Stmt::ImportFrom { .. } => {}
                Stmt::Other { kind, .. } if !matches!(kind, OtherKind::Unknown) => {}
                _ => return None,
            }
        }
        Some(Flow::Next)
    }

    /// A name's (or module constant's) value where it is bound, when that is its only
    /// binding: a local assigned once in its function, or a module global assigned once in
    /// its module and by no function there (`global NO_AUTH` in a command-line entry point
    /// would make the module's value no default). Nothing for a parameter or an attribute of
    /// `self`.
    fn followed(
        &self,
        file: usize,
        scope: &[&'a Function],
        expr: &'a Expr,
        depth: u32,
    ) -> Option<(Lit, Basis)> {
        let name = match &expr.kind {
            ExprKind::Name(n) => n.as_str(),
            ExprKind::Attribute { value, attr }
                if !matches!(value.as_name(), Some("self" | "cls")) =>
            {
                attr.as_str()
            }
            _ => return None,
        };
        let origin = self.model.follow(file, scope, expr)?;
        let only = match origin.scope.last() {
            Some(function) => assignments(&function.body, name) == 1,
            None => {
                let body = self.model.files[origin.file].body();
                let mut rebound = false;
                crate::security::walk_functions(body, &mut |f| {
                    rebound |= f.assigned.may_contain(name)
                });
                !rebound && assignments(body, name) == 1
            }
        };
        if !only {
            return None;
        }
        // Bound outside the helper being evaluated (a module constant): its locals do not
        // reach there.
        Defaults {
            model: self.model,
            flask: self.flask,
            frame: None,
        }
        .value(origin.file, &origin.scope, origin.expr, depth + 1)
    }

    /// The value of `key` in the configuration of the Flask application `config` belongs
    /// to (`app.config`, `current_app.config`): what every production configuration loaded
    /// with `from_object` gives it, when they agree on a literal; the read's own literal
    /// `fallback` when none does (a key the project never declares is unknown).
    fn config_value(
        &self,
        file: usize,
        scope: &[&'a Function],
        config: &'a Expr,
        key: &str,
        fallback: Option<Lit>,
    ) -> Option<Lit> {
        let ExprKind::Attribute { value: owner, attr } = &config.kind else {
            return None;
        };
        if attr != "config" {
            return None;
        }
        let (apps, config) = self.flask?;
        let flask_app = self.model.files[file].imports.resolve(owner).as_deref()
            == Some("flask.current_app")
            || apps
                .resolve_object(file, scope, owner)
                .and_then(|id| apps.objects.get(&id))
                .is_some_and(|o| o.kind == ObjectKind::FlaskApp);
        if !flask_app {
            return None;
        }
        let config = match config {
            Settings::Lazy(lazy) => lazy.get_or_init(|| ConfigModel::build(self.model)),
            Settings::Built(built) => built,
        };
        let values = config.production_values(key);
        let default = match values.first() {
            None => fallback?,
            Some(first) => {
                let first = Lit::of(first.value)?;
                if !values
                    .iter()
                    .all(|v| Lit::of(v.value).as_ref() == Some(&first))
                {
                    return None;
                }
                first
            }
        };
        // A literal the code itself writes to an application's config whatever the operator
        // says (`app.config["NO_AUTH"] = True`) is no default; one written under an `if` or
        // taken from the command line (`NO_AUTH=opts.no_auth`) is the operator's switch.
        let overridden = crate::security::config_settings(self.model, apps, config, key)
            .iter()
            .any(|w| {
                w.owner.is_some()
                    && w.condition.is_none()
                    && w.value.is_some_and(|v| v != default.truthy())
            });
        (!overridden).then_some(default)
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
            let default = crate::values::field_value_default(value)?;
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

/// How many statements `body` holds, nested ones included; `None` beyond `limit`.
fn statement_count(body: &[Stmt], limit: usize) -> Option<usize> {
    let mut n: usize = 0;
    for stmt in body {
        n = n.checked_add(1)?;
        for child in stmt.child_bodies() {
            n = n.checked_add(statement_count(child, limit)?)?;
        }
        if n > limit {
            return None;
        }
    }
    Some(n)
}

/// How many times `body` binds `name` (assignments, augmented assignments, loop targets),
/// outside nested functions and classes.
pub fn assignments(body: &[Stmt], name: &str) -> usize {
    let mut n: usize = 0;
    for stmt in body {
        let binds = match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => continue,
            Stmt::Assign { targets, .. } => targets
                .iter()
                .any(|t| t.any(&mut |x| x.as_name() == Some(name))),
            Stmt::AugAssign { target, .. } => target.as_name() == Some(name),
            Stmt::For { target, .. } => target.any(&mut |x| x.as_name() == Some(name)),
            _ => false,
        };
        n = n.saturating_add(usize::from(binds));
        for child in stmt.child_bodies() {
            n = n.saturating_add(assignments(child, name));
        }
    }
    n
}
