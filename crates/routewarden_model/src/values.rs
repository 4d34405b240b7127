//! Following a name to the value it was given: what class an object was made from, what a
//! constant holds. Within a function, its module, and across imports into other project files.

use crate::project::ProjectModel;
use routewarden_python::ast::{Expr, ExprKind, Function, Stmt};

/// The functions enclosing a point in a file, outermost first.
pub type Scope<'a> = [&'a Function];

/// Where a followed value was found: the expression, the file it is in, and the functions that
/// enclose it (so it can be followed further).
#[derive(Clone, Debug)]
pub struct ValueOrigin<'a> {
    pub file: usize,
    pub expr: &'a Expr,
    pub scope: Vec<&'a Function>,
}

const MAX_FOLLOW: u32 = 12;

/// Whether `expr` is known to be a `configparser` parser (an instance of one of its classes,
/// also of a project subclass such as airflow's `conf`, or a parameter annotated with one),
/// whose `get(section, option)` takes no fallback as its second argument.
pub fn is_config_parser(model: &ProjectModel, file: usize, scope: &Scope, expr: &Expr) -> bool {
    model
        .instance_class(file, scope, expr)
        .is_some_and(|c| c.starts_with("configparser."))
}

impl ProjectModel {
    /// The qualified class an object was instantiated from: `flask.Flask` for `app` after
    /// `app = Flask(__name__)`, also when `app` comes from a factory or another module.
    /// A project class is reported as its first base that resolves outside the project.
    pub fn instance_class(&self, file: usize, scope: &Scope, expr: &Expr) -> Option<String> {
        self.instance_class_at(file, scope, expr, 0)
    }

    fn instance_class_at(
        &self,
        file: usize,
        scope: &Scope,
        expr: &Expr,
        depth: u32,
    ) -> Option<String> {
        if depth > MAX_FOLLOW {
            return None;
        }
        match &expr.kind {
            ExprKind::Call(call) => self.call_result_class(file, &call.func, depth + 1),
            ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                if let Some(q) = self.files[file].imports.resolve(expr)
                    && q == "flask.current_app"
                {
                    return Some("flask.Flask".into());
                }
                if let ExprKind::Name(name) = &expr.kind
                    && let Some(annotation) = param_annotation(scope, name)
                    && let Some(q) = self.class_name(file, annotation)
                {
                    return Some(q);
                }
                let Some(origin) = self.follow_at(file, scope, expr, depth + 1) else {
                    let (f, value) = self.class_level_value(file, expr)?;
                    return self.instance_class_at(f, &[], value, depth + 1);
                };
                if std::ptr::eq(origin.expr, expr) {
                    return None;
                }
                self.instance_class_at(origin.file, &origin.scope, origin.expr, depth + 1)
            }
            ExprKind::Await(inner) => self.instance_class_at(file, scope, inner, depth + 1),
            _ => None,
        }
    }

    /// `Permissions.ADMIN`: the value a project class assigns to the attribute in its body (or
    /// its nearest project base's).
    fn class_level_value(&self, file: usize, expr: &Expr) -> Option<(usize, &Expr)> {
        let ExprKind::Attribute { value: owner, attr } = &expr.kind else {
            return None;
        };
        let (f, Some(Stmt::ClassDef(class)), _) = self.resolve_definition(file, owner)? else {
            return None;
        };
        crate::apps::class_attribute(self, f, class, attr)
    }

    /// The class a callee builds: a class itself, or a project factory function's return value.
    fn call_result_class(&self, file: usize, func: &Expr, depth: u32) -> Option<String> {
        if depth > MAX_FOLLOW {
            return None;
        }
        // `FastAPIUsers[User, uuid.UUID](...)`: a generic class's parameters name no other class.
        if let ExprKind::Subscript { value, .. } = &func.kind {
            return self.call_result_class(file, value, depth + 1);
        }
        let (def_file, stmt, qualified) = self.resolve_definition(file, func)?;
        match stmt {
            None => qualified,
            Some(Stmt::ClassDef(class)) => {
                for base in &class.bases {
                    if let Some(q) = self.class_name(def_file, base) {
                        return Some(q);
                    }
                }
                qualified
            }
            Some(Stmt::FunctionDef(factory)) => {
                let scope = [factory.as_ref()];
                let mut result = None;
                for_each_return(&factory.body, &mut |value| {
                    if result.is_none() {
                        result = self.instance_class_at(def_file, &scope, value, depth + 1);
                    }
                });
                result
            }
            Some(_) => None,
        }
    }

    /// The qualified class an annotation or base names, through project classes to their
    /// first external base.
    pub fn class_name(&self, file: usize, expr: &Expr) -> Option<String> {
        self.class_name_at(file, expr, 0)
    }

    /// [`ProjectModel::class_name`], `depth` bases up: bases may form a circle (`class A(B)`,
    /// `class B(A)`), which Python refuses only when it runs the module.
    fn class_name_at(&self, file: usize, expr: &Expr, depth: u32) -> Option<String> {
        let (def_file, stmt, qualified) = self.resolve_definition(file, expr)?;
        match stmt {
            None => qualified,
            Some(Stmt::ClassDef(class)) if depth < 32 => class
                .bases
                .iter()
                .find_map(|b| {
                    // A class is never its own base; guard against `class A(A)` loops.
                    if b.as_name() == Some(class.name.as_str()) {
                        None
                    } else {
                        self.class_name_at(def_file, b, depth + 1)
                    }
                })
                .or(qualified),
            Some(Stmt::ClassDef(_)) => qualified,
            Some(_) => None,
        }
    }

    /// What a name or attribute chain in `file` refers to: `(file, Some(statement), qualified)`
    /// for a project definition, `(file, None, Some(qualified))` for an outside one.
    pub fn resolve_definition<'a>(
        &'a self,
        file: usize,
        expr: &Expr,
    ) -> Option<(usize, Option<&'a Stmt>, Option<String>)> {
        self.resolved_definition(file, expr, self.files[file].imports.resolve(expr))
    }

    /// [`ProjectModel::resolve_definition`], for a caller that has resolved `expr` through the
    /// file's imports already (`imported`).
    pub fn resolved_definition<'a>(
        &'a self,
        file: usize,
        expr: &Expr,
        imported: Option<String>,
    ) -> Option<(usize, Option<&'a Stmt>, Option<String>)> {
        let module = &self.files[file];
        if let Some(q) = imported {
            return Some(match self.lookup(&q) {
                Ok((f, stmt)) => (f, Some(stmt), Some(q)),
                Err(outside) => (file, None, Some(outside.unwrap_or(q))),
            });
        }
        let name = expr.as_name()?;
        let Some(stmt) = module.top_level(name) else {
            // `from .errors import *` then `raise NotFoundError(...)`.
            let (f, stmt) = self.star_definition(module, name, 0)?;
            let qualified = routewarden_python::names::dotted(&self.files[f].module_name, name);
            return Some((f, Some(stmt), Some(qualified)));
        };
        let qualified = if module.module_name.is_empty() {
            name.to_string()
        } else {
            routewarden_python::names::dotted(&module.module_name, name)
        };
        Some((file, Some(stmt), Some(qualified)))
    }

    /// The project statement that defines a name or attribute chain in `file`: what
    /// [`ProjectModel::resolve_definition`] finds in the project, without building the
    /// qualified name, which most callers do not read.
    pub fn project_definition<'a>(&'a self, file: usize, expr: &Expr) -> Option<(usize, &'a Stmt)> {
        thread_local! {
            static QUALIFIED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let module = &self.files[file];
        let imported = QUALIFIED.with_borrow_mut(|q| {
            module
                .imports
                .resolve_into(expr, q)
                .then(|| self.lookup(q).ok())
        });
        if let Some(found) = imported {
            return found;
        }
        let name = expr.as_name()?;
        match module.top_level(name) {
            Some(stmt) => Some((file, stmt)),
            None => self.star_definition(module, name, 0),
        }
    }

    /// The expression a name was last given: a local assignment of an enclosing function, a
    /// module-level assignment, or one in the module it was imported from.
    pub fn follow<'a>(
        &'a self,
        file: usize,
        scope: &Scope<'a>,
        expr: &'a Expr,
    ) -> Option<ValueOrigin<'a>> {
        self.follow_at(file, scope, expr, 0)
    }

    fn follow_at<'a>(
        &'a self,
        file: usize,
        scope: &Scope<'a>,
        expr: &Expr,
        depth: u32,
    ) -> Option<ValueOrigin<'a>> {
        if depth > MAX_FOLLOW {
            return None;
        }
        let name = match &expr.kind {
            ExprKind::Name(name) => name.as_str(),
            ExprKind::Attribute { value, attr } => {
                // `cls.BLUEPRINTS`, `self.ROUTES` in a method: the class attribute, also an
                // inherited one.
                if matches!(value.as_name(), Some("cls" | "self"))
                    && let Some(method) = scope.last()
                    && let Some(class) =
                        crate::apps::class_of_method(self.files[file].body(), method)
                {
                    let declared = crate::apps::class_attribute(self, file, class, attr);
                    // `flask_app = None` in the class body only declares the attribute.
                    if let Some((f, value)) = declared
                        && !matches!(value.kind, ExprKind::NoneLiteral)
                    {
                        return Some(ValueOrigin {
                            file: f,
                            expr: value,
                            scope: Vec::new(),
                        });
                    }
                    // `self.flask_app = Flask(__name__)` in `__init__`: the value, read in the
                    // method that assigns it.
                    if value.as_name() == Some("self")
                        && let Some((assigning, value)) = class.body.iter().find_map(|stmt| {
                            let Stmt::FunctionDef(m) = stmt else {
                                return None;
                            };
                            if !m.self_attributes.may_contain(attr) {
                                return None;
                            }
                            attribute_assignments(&m.body, attr)
                                .into_iter()
                                .find(|(receiver, _)| receiver.as_name() == Some("self"))
                                .map(|(_, value)| (m.as_ref(), value))
                        })
                    {
                        return Some(ValueOrigin {
                            file,
                            expr: value,
                            scope: vec![assigning],
                        });
                    }
                    if let Some((f, value)) = declared {
                        return Some(ValueOrigin {
                            file: f,
                            expr: value,
                            scope: Vec::new(),
                        });
                    }
                }
                // `module.CONSTANT` where `module` is an imported project module.
                let q = self.files[file].imports.resolve(expr)?;
                let (f, stmt) = self.definition(&q)?;
                let value = assigned_value(stmt)?;
                return Some(ValueOrigin {
                    file: f,
                    expr: value,
                    scope: Vec::new(),
                });
            }
            _ => return None,
        };
        for (i, function) in scope.iter().enumerate().rev() {
            if let Some(value) = local_assignment(function, name) {
                return Some(ValueOrigin {
                    file,
                    expr: value,
                    scope: scope[..=i].to_vec(),
                });
            }
        }
        let module = &self.files[file];
        if let Some(stmt) = module.top_level(name) {
            let value = assigned_value(stmt)?;
            return Some(ValueOrigin {
                file,
                expr: value,
                scope: Vec::new(),
            });
        }
        let q = module.imports.get(name)?;
        let (f, stmt) = self.definition(q)?;
        let value = assigned_value(stmt)?;
        Some(ValueOrigin {
            file: f,
            expr: value,
            scope: Vec::new(),
        })
    }

    /// Follows names until a non-name expression (a literal, a call, ...) is reached.
    pub fn resolve_value<'a>(
        &'a self,
        file: usize,
        scope: &Scope<'a>,
        expr: &'a Expr,
    ) -> ValueOrigin<'a> {
        let mut current = ValueOrigin {
            file,
            expr,
            scope: scope.to_vec(),
        };
        for _ in 0..MAX_FOLLOW {
            if !matches!(
                current.expr.kind,
                ExprKind::Name(_) | ExprKind::Attribute { .. }
            ) {
                break;
            }
            match self.follow(current.file, &current.scope, current.expr) {
                Some(next) if !std::ptr::eq(next.expr, current.expr) => current = next,
                _ => break,
            }
        }
        current
    }
}

fn assigned_value(stmt: &Stmt) -> Option<&Expr> {
    match stmt {
        Stmt::Assign { value, .. } => value.as_ref(),
        _ => None,
    }
}

/// The default of the parameter `name` of the innermost function of `scope` that declares it:
/// the value it holds when the caller passes none (`def serve(allow_origins=["*"])`).
pub fn parameter_default<'a>(scope: &[&'a Function], name: &str) -> Option<&'a Expr> {
    scope
        .iter()
        .rev()
        .find_map(|f| f.params.iter().find(|p| p.name == name))?
        .default
        .as_deref()
}

fn param_annotation<'a>(scope: &Scope<'a>, name: &str) -> Option<&'a Expr> {
    scope
        .iter()
        .rev()
        .flat_map(|f| f.params.iter())
        .find(|p| p.name == name)
        .and_then(|p| p.annotation.as_deref())
}

/// The value of the last `name = value` in a function's body, not looking into nested
/// functions/classes.
pub fn local_assignment<'a>(function: &'a Function, name: &str) -> Option<&'a Expr> {
    if !function.assigned.may_contain(name) {
        return None;
    }
    last_assignment(&function.body, name)
}

/// The receiver and value of every `receiver.attr = value` in `body`, not looking into nested
/// functions/classes.
pub fn attribute_assignments<'a>(body: &'a [Stmt], attr: &str) -> Vec<(&'a Expr, &'a Expr)> {
    let mut out = Vec::new();
    crate::security::walk_stmts(body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        {
            for t in targets {
                if let ExprKind::Attribute {
                    value: receiver,
                    attr: a,
                } = &t.kind
                    && a == attr
                {
                    out.push((receiver.as_ref(), value));
                }
            }
        }
    });
    out
}

/// The value of the last `name = value` in `body`, not looking into nested functions/classes.
pub fn last_assignment<'a>(body: &'a [Stmt], name: &str) -> Option<&'a Expr> {
    last_assignment_where(body, name, &|_| true)
}

/// The value of the last `name = value` in `body` whose value passes `accept`, not looking
/// into nested functions/classes. The body is read from its end: the first match met there
/// is the last one, and the statements before it need no look (most names asked about are
/// assigned, and a function's last assignment of a name is seldom its last statement).
pub fn last_assignment_where<'a>(
    body: &'a [Stmt],
    name: &str,
    accept: &dyn Fn(&Expr) -> bool,
) -> Option<&'a Expr> {
    for stmt in body.iter().rev() {
        match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.iter().any(|t| t.as_name() == Some(name)) && accept(value) => {
                return Some(value);
            }
            // Nested scopes.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other if other.has_child_bodies() => {
                // The last match of the last nested body holding one.
                let mut found = None;
                for child in other.child_bodies() {
                    if let Some(v) = last_assignment_where(child, name, accept) {
                        found = Some(v);
                    }
                }
                if found.is_some() {
                    return found;
                }
            }
            _ => {}
        }
    }
    None
}

/// Calls `f` with each `return` value in `body`, not looking into nested functions.
pub fn for_each_return<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Expr)) {
    for stmt in body {
        match stmt {
            Stmt::Return { value: Some(v), .. } => f(v),
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other if other.has_child_bodies() => {
                for child in other.child_bodies() {
                    for_each_return(child, f);
                }
            }
            _ => {}
        }
    }
}

/// The default of a settings field read as `settings.FIELD`: `settings` is followed to the
/// call that built it (`Settings()`, or a factory such as `get_settings()`), and the field's
/// default is read from the class body (also `Field(default=...)`) or its project bases.
pub fn settings_field_default<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &Scope<'a>,
    expr: &'a Expr,
) -> Option<(usize, &'a Expr)> {
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return None;
    };
    let (class_file, class) = constructed_class(model, file, scope, value, 0)?;
    class_field_default(model, class_file, class, attr, 0)
}

fn constructed_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &Scope<'a>,
    expr: &'a Expr,
    depth: u32,
) -> Option<(usize, &'a routewarden_python::ast::Class)> {
    if depth > MAX_FOLLOW {
        return None;
    }
    let origin = match &expr.kind {
        ExprKind::Call(_) => ValueOrigin {
            file,
            expr,
            scope: scope.to_vec(),
        },
        _ => model.resolve_value(file, scope, expr),
    };
    let ExprKind::Call(call) = &origin.expr.kind else {
        return None;
    };
    match model.resolve_definition(origin.file, &call.func)? {
        (f, Some(Stmt::ClassDef(class)), _) => Some((f, class)),
        (f, Some(Stmt::FunctionDef(factory)), _) => {
            let scope = [factory.as_ref()];
            let mut found = None;
            for_each_return(&factory.body, &mut |v| {
                if found.is_none() {
                    found = constructed_class(model, f, &scope, v, depth + 1);
                }
            });
            // `def get_settings() -> "Settings": ... return SettingsClass()`, the class chosen
            // at run time: the one the factory declares it returns.
            found.or_else(|| annotated_class(model, f, factory.returns.as_ref()?))
        }
        _ => None,
    }
}

/// The project class a return annotation names: `Settings`, `"Settings"` (also imported
/// under `if TYPE_CHECKING:`).
fn annotated_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    annotation: &Expr,
) -> Option<(usize, &'a routewarden_python::ast::Class)> {
    let found = match annotation.as_str() {
        Some(text) => match model.files[file].top_level(text) {
            Some(stmt) => (file, stmt),
            None => model.definition(model.files[file].imports.get(text)?)?,
        },
        None => model.project_definition(file, annotation)?,
    };
    match found {
        (f, Stmt::ClassDef(class)) => Some((f, class)),
        _ => None,
    }
}

/// The default a class field's value declares: `False` for `= False` and `=
/// Field(default=False)` (the factory of `Field(default_factory=...)`).
pub(crate) fn field_value_default(value: &Expr) -> Option<&Expr> {
    Some(match &value.kind {
        ExprKind::Call(c) if c.func.last_name() == Some("Field") => c
            .argument("default", 0)
            .or_else(|| c.keyword("default_factory"))?,
        _ => value,
    })
}

fn class_field_default<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a routewarden_python::ast::Class,
    field: &str,
    depth: u32,
) -> Option<(usize, &'a Expr)> {
    if depth > MAX_FOLLOW {
        return None;
    }
    for stmt in class.body.iter().rev() {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && targets.iter().any(|t| t.as_name() == Some(field))
        {
            return Some((file, field_value_default(value)?));
        }
    }
    class
        .bases
        .iter()
        .find_map(|b| match model.resolve_definition(file, b) {
            Some((f, Some(Stmt::ClassDef(base)), _)) if !std::ptr::eq(base.as_ref(), class) => {
                class_field_default(model, f, base, field, depth + 1)
            }
            _ => None,
        })
}
