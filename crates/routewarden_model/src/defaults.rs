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
use routewarden_python::ast::{BoolOp, CmpOp, Expr, ExprKind, Function, Stmt, UnaryOp};

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
    let value = Defaults {
        model,
        apps,
        config,
    }
    .value(test.file, &scope, expr, 0)?;
    Some(value.truthy() == test.then)
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

struct Defaults<'m, 'a> {
    model: &'a ProjectModel,
    apps: &'m AppModel<'a>,
    /// The production configuration, built when a test first reads an application's config.
    config: &'m std::sync::OnceLock<ConfigModel<'a>>,
}

impl<'a> Defaults<'_, 'a> {
    fn value(
        &self,
        file: usize,
        scope: &[&'a Function],
        expr: &'a Expr,
        depth: u32,
    ) -> Option<Lit> {
        if depth > 8 {
            return None;
        }
        if let Some(lit) = Lit::of(expr) {
            return Some(lit);
        }
        match &expr.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => Some(Lit::Bool(
                !self.value(file, scope, operand, depth + 1)?.truthy(),
            )),
            // Known when an operand decides it, or every operand is known.
            ExprKind::BoolOp { op, values } => {
                let decisive = matches!(op, BoolOp::Or);
                let mut known = true;
                for v in values {
                    match self.value(file, scope, v, depth + 1) {
                        Some(l) if l.truthy() == decisive => return Some(Lit::Bool(decisive)),
                        Some(_) => {}
                        None => known = false,
                    }
                }
                known.then_some(Lit::Bool(!decisive))
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                let ([op], [right]) = (&ops[..], comparators.as_slice()) else {
                    return None;
                };
                let value = self.value(file, scope, left, depth + 1)?;
                let equal = match op {
                    CmpOp::Is | CmpOp::IsNot | CmpOp::Eq | CmpOp::NotEq => value == Lit::of(right)?,
                    CmpOp::In | CmpOp::NotIn => {
                        let mut found = false;
                        for item in right.elements()? {
                            found |= Lit::of(item)? == value;
                        }
                        found
                    }
                    _ => return None,
                };
                Some(Lit::Bool(
                    equal == matches!(op, CmpOp::Is | CmpOp::Eq | CmpOp::In),
                ))
            }
            // `app.config["NO_AUTH"]`
            ExprKind::Subscript { value, slice } => {
                self.config_value(file, scope, value, slice.as_str()?, None)
            }
            ExprKind::Call(call) => {
                let imports = &self.model.files[file].imports;
                match imports.resolve(&call.func).as_deref() {
                    // Unset, the variable reads as its fallback, or `None`.
                    Some("os.getenv" | "os.environ.get") => match call.argument("default", 1) {
                        Some(default) => Lit::of(default),
                        None => Some(Lit::None),
                    },
                    _ if call.func.as_name() == Some("bool")
                        && imports.get("bool").is_none()
                        && self.model.files[file].top_level("bool").is_none() =>
                    {
                        let v = self.value(file, scope, call.args.first()?, depth + 1)?;
                        Some(Lit::Bool(v.truthy()))
                    }
                    // `app.config.get("NO_AUTH")`, `app.config.get("NO_AUTH", False)`
                    _ => {
                        let (config, "get") = call.method()? else {
                            return None;
                        };
                        let key = call.args.first()?.as_str()?;
                        let fallback = call.argument("default", 1).and_then(Lit::of);
                        self.config_value(file, scope, config, key, fallback)
                    }
                }
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
                    return Lit::of(default);
                }
                self.followed(file, scope, expr, depth)
            }
            ExprKind::Name(_) => self.followed(file, scope, expr, depth),
            _ => None,
        }
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
    ) -> Option<Lit> {
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
        self.value(origin.file, &origin.scope, origin.expr, depth + 1)
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
        let flask_app = self.model.files[file].imports.resolve(owner).as_deref()
            == Some("flask.current_app")
            || self
                .apps
                .resolve_object(file, scope, owner)
                .and_then(|id| self.apps.objects.get(&id))
                .is_some_and(|o| o.kind == ObjectKind::FlaskApp);
        if !flask_app {
            return None;
        }
        let config = self.config.get_or_init(|| ConfigModel::build(self.model));
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
        let overridden = crate::security::config_settings(self.model, self.apps, config, key)
            .iter()
            .any(|w| {
                w.owner.is_some()
                    && w.condition.is_none()
                    && w.value.is_some_and(|v| v != default.truthy())
            });
        (!overridden).then_some(default)
    }
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
