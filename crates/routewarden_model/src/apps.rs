//! The application model: framework objects (apps, routers, blueprints, limiters), the routes
//! registered on them, how they are mounted into each other, and the hooks and middleware
//! attached. Extracted from each file in parallel, then linked across files.

use crate::frameworks::{ObjectKind, object_kind, route_method};
use crate::project::ProjectModel;
use crate::values::{for_each_return, last_assignment};
use rayon::prelude::*;
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Function, Span, Stmt};
use std::collections::BTreeMap;

/// A framework object: the variable it is bound to, in a file and a function (or the module).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub file: usize,
    /// The start of the enclosing function, `None` at module level.
    pub scope: Option<u32>,
    pub name: String,
}

#[derive(Debug)]
pub struct FrameworkObject<'a> {
    pub id: ObjectId,
    pub kind: ObjectKind,
    pub call: Option<&'a Call>,
    pub span: Span,
    /// `APIRouter(prefix=...)`, `Blueprint(url_prefix=...)`.
    pub prefix: String,
    /// `dependencies=[...]` of `FastAPI(...)`/`APIRouter(...)`.
    pub dependencies: Vec<&'a Expr>,
    pub scope: Vec<&'a Function>,
}

/// A route as registered: by a decorator, `add_api_route`, `add_url_rule` or a class view.
#[derive(Debug)]
pub struct RouteDecl<'a> {
    pub file: usize,
    pub handler: &'a Function,
    /// The file the handler is defined in (differs for `add_url_rule(view_func=imported)`).
    pub handler_file: usize,
    /// Functions enclosing the handler.
    pub handler_scope: Vec<&'a Function>,
    pub owner: Option<ObjectId>,
    pub methods: Vec<String>,
    pub path: String,
    /// Index of the registering decorator in `handler.decorators`.
    pub decorator_index: Option<usize>,
    /// The registering call: the decorator call or `add_api_route(...)`.
    pub call: Option<&'a Call>,
    /// Decorators that apply to the view besides the handler's own (`decorators = [...]` of a
    /// class-based view).
    pub view_decorators: Vec<&'a Expr>,
    pub view_class: Option<&'a Class>,
    /// Where findings about the route are reported: the route decorator, or the registering call.
    pub span: Span,
}

impl RouteDecl<'_> {
    /// The keyword argument `name` of the registering call.
    pub fn keyword(&self, name: &str) -> Option<&Expr> {
        self.call.and_then(|c| c.keyword(name))
    }
}

/// `parent.include_router(child, ...)`, `parent.register_blueprint(child, ...)`, `parent.mount(...)`.
#[derive(Debug)]
pub struct Include<'a> {
    pub parent: ObjectId,
    pub child: ObjectId,
    /// `None` when the call gives none, so the child's own prefix applies (Flask replaces it).
    pub prefix: Option<String>,
    pub dependencies: Vec<&'a Expr>,
    pub file: usize,
    pub scope: Vec<&'a Function>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookKind {
    /// `before_request` on an app or blueprint.
    BeforeRequest,
    /// `before_app_request` on a blueprint: applies to the whole app.
    BeforeAppRequest,
    /// `@app.middleware("http")`.
    HttpMiddleware,
}

#[derive(Debug)]
pub struct Hook<'a> {
    pub owner: ObjectId,
    pub kind: HookKind,
    pub function: &'a Function,
    pub function_file: usize,
    pub span: Span,
}

/// `app.add_middleware(Class, ...)` or `Middleware(Class, ...)` in `FastAPI(middleware=[...])`.
#[derive(Debug)]
pub struct MiddlewareReg<'a> {
    pub owner: Option<ObjectId>,
    pub class: &'a Expr,
    pub call: &'a Call,
    pub file: usize,
    pub span: Span,
}

/// A call made on a framework object that rules care about (`limiter.init_app(app)`,
/// `limiter.limit(...)(bp)`, `app.state.limiter = limiter`).
#[derive(Debug)]
pub struct ObjectCall<'a> {
    pub receiver: ObjectId,
    pub method: String,
    pub call: &'a Call,
    pub file: usize,
    pub scope: Vec<&'a Function>,
    pub span: Span,
}

#[derive(Debug, Default)]
struct FileApps<'a> {
    objects: Vec<FrameworkObject<'a>>,
    routes: Vec<RouteDecl<'a>>,
    includes: Vec<Include<'a>>,
    hooks: Vec<Hook<'a>>,
    middleware: Vec<MiddlewareReg<'a>>,
    calls: Vec<ObjectCall<'a>>,
    state_limiters: Vec<(ObjectId, ObjectId)>,
    unresolved_mounts: usize,
}

/// Every application of the project and what is registered on it.
#[derive(Debug)]
pub struct AppModel<'a> {
    pub model: &'a ProjectModel,
    pub objects: BTreeMap<ObjectId, FrameworkObject<'a>>,
    pub routes: Vec<RouteDecl<'a>>,
    pub includes: Vec<Include<'a>>,
    pub hooks: Vec<Hook<'a>>,
    pub middleware: Vec<MiddlewareReg<'a>>,
    pub calls: Vec<ObjectCall<'a>>,
    /// `(app, limiter)` for `app.state.limiter = limiter`.
    pub state_limiters: Vec<(ObjectId, ObjectId)>,
    /// `include_router`/`register_blueprint` calls whose router could not be followed (built
    /// in a loop, returned by a library): routers that look unmounted may be mounted there.
    pub unresolved_mounts: usize,
}

/// Where a route ends up: one per chain of mounts from its router to an application.
#[derive(Debug, Clone)]
pub struct MountedRoute {
    pub route: usize,
    /// Owner first, then each object it is mounted into; the last is the root.
    pub chain: Vec<ObjectId>,
    /// The include calls along the chain, aligned with `chain[1..]`.
    pub includes: Vec<usize>,
    pub full_path: String,
}

impl<'a> AppModel<'a> {
    pub fn build(model: &'a ProjectModel, skip_file: &(dyn Fn(usize) -> bool + Sync)) -> Self {
        let per_file: Vec<FileApps<'a>> = (0..model.files.len())
            .into_par_iter()
            .map(|i| {
                if skip_file(i) {
                    FileApps::default()
                } else {
                    let mut x = Extractor {
                        model,
                        file: i,
                        scope: Vec::new(),
                        out: FileApps::default(),
                    };
                    x.stmts(model.files[i].body());
                    x.out
                }
            })
            .collect();
        let mut apps = AppModel {
            model,
            objects: BTreeMap::new(),
            routes: Vec::new(),
            includes: Vec::new(),
            hooks: Vec::new(),
            middleware: Vec::new(),
            calls: Vec::new(),
            state_limiters: Vec::new(),
            unresolved_mounts: 0,
        };
        for f in per_file {
            for o in f.objects {
                apps.objects.insert(o.id.clone(), o);
            }
            apps.routes.extend(f.routes);
            apps.includes.extend(f.includes);
            apps.hooks.extend(f.hooks);
            apps.middleware.extend(f.middleware);
            apps.calls.extend(f.calls);
            apps.state_limiters.extend(f.state_limiters);
            apps.unresolved_mounts += f.unresolved_mounts;
        }
        apps
    }

    pub fn kind(&self, id: &ObjectId) -> Option<ObjectKind> {
        if let Some(o) = self.objects.get(id) {
            return Some(o.kind);
        }
        // Objects known only as function parameters act as applications.
        self.includes
            .iter()
            .any(|i| &i.parent == id)
            .then_some(ObjectKind::ParameterApp)
    }

    /// Every chain from each route to a root object, with the full path.
    pub fn mounted_routes(&self) -> Vec<MountedRoute> {
        let mut out = Vec::new();
        for (index, route) in self.routes.iter().enumerate() {
            let Some(owner) = &route.owner else {
                out.push(MountedRoute {
                    route: index,
                    chain: Vec::new(),
                    includes: Vec::new(),
                    full_path: route.path.clone(),
                });
                continue;
            };
            let mut chains = Vec::new();
            self.chains_from(
                owner,
                &mut vec![owner.clone()],
                &mut Vec::new(),
                &mut chains,
            );
            for (chain, includes) in chains {
                let full_path = self.full_path(route, &chain, &includes);
                out.push(MountedRoute {
                    route: index,
                    chain,
                    includes,
                    full_path,
                });
            }
        }
        out
    }

    fn chains_from(
        &self,
        current: &ObjectId,
        chain: &mut Vec<ObjectId>,
        includes: &mut Vec<usize>,
        out: &mut Vec<(Vec<ObjectId>, Vec<usize>)>,
    ) {
        let parents: Vec<usize> = self
            .includes
            .iter()
            .enumerate()
            .filter(|(_, inc)| &inc.child == current && !chain.contains(&inc.parent))
            .map(|(i, _)| i)
            .collect();
        if parents.is_empty() || chain.len() > 16 {
            out.push((chain.clone(), includes.clone()));
            return;
        }
        for i in parents {
            let parent = self.includes[i].parent.clone();
            chain.push(parent.clone());
            includes.push(i);
            self.chains_from(&parent, chain, includes, out);
            chain.pop();
            includes.pop();
        }
    }

    fn full_path(&self, route: &RouteDecl, chain: &[ObjectId], includes: &[usize]) -> String {
        // Each level contributes the include's prefix (Flask: replacing the blueprint's own
        // `url_prefix`; FastAPI: before the router's own prefix).
        let mut path = route.path.clone();
        for (level, object) in chain.iter().enumerate() {
            let own = self.objects.get(object);
            let include = includes.get(level).map(|&i| &self.includes[i]);
            let flask = own.is_some_and(|o| o.kind.is_flask());
            let own_prefix = own.map(|o| o.prefix.as_str()).unwrap_or("");
            let include_prefix = include.and_then(|i| i.prefix.as_deref());
            let segment = match (flask, include_prefix) {
                (true, Some(p)) => p.to_string(),
                (_, Some(p)) => join_paths(p, own_prefix),
                (_, None) => own_prefix.to_string(),
            };
            path = join_paths(&segment, &path);
        }
        if path.is_empty() {
            "/".to_string()
        } else {
            path
        }
    }

    /// The root object of a chain when it is an application.
    pub fn app_of<'m>(&self, mounted: &'m MountedRoute) -> Option<&'m ObjectId> {
        mounted
            .chain
            .last()
            .filter(|id| self.kind(id).is_some_and(ObjectKind::is_app))
    }

    /// The other routes sharing an owner or an application with `route`.
    pub fn siblings(&self, mounted: &[MountedRoute], of: &MountedRoute) -> Vec<usize> {
        mounted
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                m.route != of.route
                    && m.chain.first().is_some()
                    && m.chain.first() == of.chain.first()
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// `pkg.module.router`, or `pkg.create_app().app` for an object made inside a function.
    pub fn display_object(&self, id: &ObjectId) -> String {
        let file = &self.model.files[id.file];
        let mut parts: Vec<String> = Vec::new();
        if !file.module_name.is_empty() {
            parts.push(file.module_name.clone());
        }
        if let Some(function) = id.scope.and_then(|start| find_function(file.body(), start)) {
            parts.push(format!("{}()", function.name));
        }
        parts.push(id.name.clone());
        parts.join(".")
    }

    /// The object an expression denotes at a point of a file, followed through assignments,
    /// imports and factory functions.
    pub fn resolve_object(
        &self,
        file: usize,
        scope: &[&'a Function],
        expr: &'a Expr,
    ) -> Option<ObjectId> {
        resolve_object(self.model, file, scope, expr, 0)
    }
}

/// Joins URL path pieces with exactly one slash between them.
pub fn join_paths(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (_, true) => prefix.to_string(),
        _ => format!(
            "{}/{}",
            prefix.trim_end_matches('/'),
            path.trim_start_matches('/')
        ),
    }
}

const MAX_DEPTH: u32 = 10;

/// See [`AppModel::resolve_object`].
pub fn resolve_object<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    depth: u32,
) -> Option<ObjectId> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &expr.kind {
        ExprKind::Name(name) => {
            for (i, f) in scope.iter().enumerate().rev() {
                if let Some(value) = last_assignment(&f.body, name) {
                    let id = ObjectId {
                        file,
                        scope: Some(f.span.start),
                        name: name.clone(),
                    };
                    return object_from_value(model, file, &scope[..=i], value, id, depth);
                }
                if f.params.iter().any(|p| &p.name == name) {
                    return Some(ObjectId {
                        file,
                        scope: Some(f.span.start),
                        name: name.clone(),
                    });
                }
            }
            let module = &model.files[file];
            if let Some(stmt) = module.top_level(name) {
                return match stmt {
                    Stmt::Assign {
                        value: Some(value), ..
                    } => {
                        let id = ObjectId {
                            file,
                            scope: None,
                            name: name.clone(),
                        };
                        object_from_value(model, file, &[], value, id, depth)
                    }
                    _ => None,
                };
            }
            let qualified = module.imports.get(name)?.to_string();
            resolve_qualified(model, &qualified, depth)
        }
        ExprKind::Attribute { value, attr } => {
            if attr == "router" {
                if let Some(id) = resolve_object(model, file, scope, value, depth + 1) {
                    return Some(id);
                }
            }
            let qualified = model.files[file].imports.resolve(expr)?;
            resolve_qualified(model, &qualified, depth)
        }
        ExprKind::Call(call) => factory_result(model, file, &call.func, depth),
        ExprKind::Await(inner) => resolve_object(model, file, scope, inner, depth + 1),
        _ => None,
    }
}

fn resolve_qualified(model: &ProjectModel, qualified: &str, depth: u32) -> Option<ObjectId> {
    let (def_file, stmt) = model.definition(qualified)?;
    let name = qualified.rsplit('.').next()?.to_string();
    match stmt {
        Stmt::Assign {
            value: Some(value),
            targets,
            ..
        } => {
            // The definition may bind the name through a tuple; only plain targets are objects.
            let bound = targets
                .iter()
                .find_map(|t| t.as_name())
                .unwrap_or(&name)
                .to_string();
            let id = ObjectId {
                file: def_file,
                scope: None,
                name: bound,
            };
            object_from_value(model, def_file, &[], value, id, depth + 1)
        }
        _ => None,
    }
}

fn object_from_value<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    value: &'a Expr,
    id: ObjectId,
    depth: u32,
) -> Option<ObjectId> {
    match &value.kind {
        ExprKind::Call(call) => {
            let callee = model.files[file].imports.resolve(&call.func);
            if callee.as_deref().and_then(object_kind).is_some() {
                return Some(id);
            }
            factory_result(model, file, &call.func, depth + 1).or(Some(id))
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            resolve_object(model, file, scope, value, depth + 1).or(Some(id))
        }
        _ => Some(id),
    }
}

/// The object a project factory function returns: `create_app()` → the `app` it builds.
fn factory_result(model: &ProjectModel, file: usize, func: &Expr, depth: u32) -> Option<ObjectId> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (def_file, stmt, _) = model.resolve_definition(file, func)?;
    let Some(Stmt::FunctionDef(factory)) = stmt else {
        return None;
    };
    let scope = [factory.as_ref()];
    let mut result = None;
    for_each_return(&factory.body, &mut |value| {
        if result.is_none() {
            result = resolve_object(model, def_file, &scope, value, depth + 1);
        }
    });
    result
}

/// A literal path, or a constant holding one; `<dynamic>` otherwise.
fn path_text(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: Option<&Expr>,
) -> String {
    let Some(expr) = expr else {
        return String::new();
    };
    let origin = model.resolve_value(file, scope, expr);
    match &origin.expr.kind {
        ExprKind::Str(s) => s.clone(),
        ExprKind::FString(parts) => parts
            .iter()
            .map(|p| match p {
                routewarden_python::ast::FStringPart::Literal(l) => l.clone(),
                routewarden_python::ast::FStringPart::Value(_) => "{…}".to_string(),
            })
            .collect(),
        _ => "<dynamic>".to_string(),
    }
}

fn methods_argument(expr: Option<&Expr>) -> Option<Vec<String>> {
    let items = expr?.elements()?;
    Some(
        items
            .iter()
            .filter_map(|e| e.as_str())
            .map(|m| m.to_ascii_uppercase())
            .collect(),
    )
}

fn list_items(expr: Option<&Expr>) -> Vec<&Expr> {
    expr.and_then(Expr::elements)
        .map(|e| e.iter().collect())
        .unwrap_or_default()
}

struct Extractor<'a> {
    model: &'a ProjectModel,
    file: usize,
    scope: Vec<&'a Function>,
    out: FileApps<'a>,
}

impl<'a> Extractor<'a> {
    fn resolve(&self, expr: &'a Expr) -> Option<ObjectId> {
        resolve_object(self.model, self.file, &self.scope, expr, 0)
    }

    fn qualified(&self, expr: &Expr) -> Option<String> {
        self.model.files[self.file].imports.resolve(expr)
    }

    fn stmts(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                self.function(f);
                self.scope.push(f);
                self.stmts(&f.body);
                self.scope.pop();
            }
            Stmt::ClassDef(c) => self.stmts(&c.body),
            Stmt::Assign {
                targets,
                value: Some(value),
                span,
                ..
            } => {
                for target in targets {
                    self.assignment(target, value, *span);
                }
                self.expr(value, *span);
            }
            Stmt::Expr { value, span } => self.expr(value, *span),
            other => {
                for child in other.child_bodies() {
                    self.stmts(child);
                }
            }
        }
    }

    fn assignment(&mut self, target: &'a Expr, value: &'a Expr, span: Span) {
        match &target.kind {
            ExprKind::Name(name) => {
                let Some(call) = value.as_call() else { return };
                let Some(kind) = self.qualified(&call.func).as_deref().and_then(object_kind) else {
                    return;
                };
                let prefix_arg = match kind {
                    ObjectKind::Blueprint => call.keyword("url_prefix"),
                    _ => call.keyword("prefix"),
                };
                let prefix = path_text(self.model, self.file, &self.scope, prefix_arg);
                let id = ObjectId {
                    file: self.file,
                    scope: self.scope.last().map(|f| f.span.start),
                    name: name.clone(),
                };
                if let Some(mw) = call.keyword("middleware") {
                    for item in list_items(Some(mw)) {
                        self.middleware_item(Some(id.clone()), item);
                    }
                }
                self.out.objects.push(FrameworkObject {
                    id,
                    kind,
                    call: Some(call),
                    span,
                    prefix,
                    dependencies: list_items(call.keyword("dependencies")),
                    scope: self.scope.clone(),
                });
            }
            // `app.state.limiter = limiter`
            ExprKind::Attribute { value: state, attr } if attr == "limiter" => {
                let ExprKind::Attribute {
                    value: app,
                    attr: state_attr,
                } = &state.kind
                else {
                    return;
                };
                if state_attr != "state" {
                    return;
                }
                if let (Some(app), Some(limiter)) = (self.resolve(app), self.resolve(value)) {
                    self.out.state_limiters.push((app, limiter));
                }
            }
            _ => {}
        }
    }

    /// `Middleware(Class, **options)` inside a `middleware=[...]` list.
    fn middleware_item(&mut self, owner: Option<ObjectId>, item: &'a Expr) {
        let Some(call) = item.as_call() else { return };
        if !self.qualified(&call.func).is_some_and(|q| {
            q == "starlette.middleware.Middleware" || q == "fastapi.middleware.Middleware"
        }) {
            return;
        }
        let Some(class) = call.args.first() else {
            return;
        };
        self.out.middleware.push(MiddlewareReg {
            owner,
            class,
            call,
            file: self.file,
            span: item.span,
        });
    }

    /// Calls on framework objects anywhere in an expression statement or assignment value.
    fn expr(&mut self, expr: &'a Expr, stmt_span: Span) {
        let mut calls = Vec::new();
        collect_calls(expr, &mut calls);
        for (call_expr, call) in calls {
            self.call(call_expr, call, stmt_span);
        }
    }

    fn call(&mut self, call_expr: &'a Expr, call: &'a Call, stmt_span: Span) {
        // `limiter.limit("5/minute")(bp)`: a limit applied to a blueprint.
        if let ExprKind::Call(inner) = &call.func.kind {
            if let ExprKind::Attribute {
                value: receiver,
                attr,
            } = &inner.func.kind
            {
                if let Some(id) = self.resolve(receiver) {
                    self.out.calls.push(ObjectCall {
                        receiver: id,
                        method: format!("{attr}()"),
                        call,
                        file: self.file,
                        scope: self.scope.clone(),
                        span: stmt_span,
                    });
                }
            }
            return;
        }
        let ExprKind::Attribute {
            value: receiver,
            attr,
        } = &call.func.kind
        else {
            return;
        };
        let span = call_expr.span;
        match attr.as_str() {
            "include_router" | "register_blueprint" | "mount" => {
                let (child_expr, prefix_key) = match attr.as_str() {
                    "include_router" => (call.argument("router", 0), "prefix"),
                    "register_blueprint" => (call.argument("blueprint", 0), "url_prefix"),
                    _ => (call.argument("app", 1), "path"),
                };
                let Some(child_expr) = child_expr else { return };
                let (Some(parent), Some(child)) =
                    (self.resolve(receiver), self.resolve(child_expr))
                else {
                    self.out.unresolved_mounts += 1;
                    return;
                };
                let prefix_expr = if attr == "mount" {
                    call.argument("path", 0)
                } else {
                    call.keyword(prefix_key)
                };
                let prefix =
                    prefix_expr.map(|e| path_text(self.model, self.file, &self.scope, Some(e)));
                self.out.includes.push(Include {
                    parent,
                    child,
                    prefix,
                    dependencies: list_items(call.keyword("dependencies")),
                    file: self.file,
                    scope: self.scope.clone(),
                    span,
                });
            }
            "add_api_route" | "add_route" | "add_url_rule" | "add_api_websocket_route" => {
                self.registered_route(receiver, attr, call, span);
            }
            "add_middleware" => {
                let Some(class) = call.args.first() else {
                    return;
                };
                let owner = self.resolve(receiver);
                self.out.middleware.push(MiddlewareReg {
                    owner,
                    class,
                    call,
                    file: self.file,
                    span,
                });
            }
            "before_request" | "before_app_request" => {
                let Some(owner) = self.resolve(receiver) else {
                    return;
                };
                let Some(func_expr) = call.args.first() else {
                    return;
                };
                let Some((function_file, function)) = self.function_of(func_expr) else {
                    return;
                };
                self.out.hooks.push(Hook {
                    owner,
                    kind: if attr == "before_request" {
                        HookKind::BeforeRequest
                    } else {
                        HookKind::BeforeAppRequest
                    },
                    function,
                    function_file,
                    span,
                });
            }
            _ => {
                if let Some(id) = self.resolve(receiver) {
                    self.out.calls.push(ObjectCall {
                        receiver: id,
                        method: attr.clone(),
                        call,
                        file: self.file,
                        scope: self.scope.clone(),
                        span,
                    });
                }
            }
        }
    }

    /// The project function an expression names (in this file or imported).
    fn function_of(&self, expr: &'a Expr) -> Option<(usize, &'a Function)> {
        if let ExprKind::Name(name) = &expr.kind {
            for f in self.scope.iter().rev() {
                for stmt in &f.body {
                    if let Stmt::FunctionDef(inner) = stmt {
                        if &inner.name == name {
                            return Some((self.file, inner));
                        }
                    }
                }
            }
        }
        match self.model.resolve_definition(self.file, expr)? {
            (f, Some(Stmt::FunctionDef(function)), _) => Some((f, function)),
            _ => None,
        }
    }

    fn class_of(&self, expr: &'a Expr) -> Option<(usize, &'a Class)> {
        match self.model.resolve_definition(self.file, expr)? {
            (f, Some(Stmt::ClassDef(class)), _) => Some((f, class)),
            _ => None,
        }
    }

    fn registered_route(&mut self, receiver: &'a Expr, attr: &str, call: &'a Call, span: Span) {
        let owner = self.resolve(receiver);
        let path = path_text(
            self.model,
            self.file,
            &self.scope,
            call.argument(
                if attr == "add_url_rule" {
                    "rule"
                } else {
                    "path"
                },
                0,
            ),
        );
        let view = match attr {
            "add_url_rule" => call.argument("view_func", 2),
            _ => call.argument("endpoint", 1),
        };
        let Some(view) = view else { return };
        let methods = methods_argument(call.keyword("methods"));
        // `SomeView.as_view("name")`: one route per HTTP method the class defines.
        if let ExprKind::Call(as_view) = &view.kind {
            if let ExprKind::Attribute {
                value: class_expr,
                attr,
            } = &as_view.func.kind
            {
                if attr == "as_view" {
                    if let Some((class_file, class)) = self.class_of(class_expr) {
                        self.class_view_routes(owner, path, class_file, class, call, span);
                    }
                }
            }
            return;
        }
        let Some((handler_file, handler)) = self.function_of(view) else {
            return;
        };
        let methods = methods.unwrap_or_else(|| {
            if attr == "add_api_websocket_route" {
                vec!["WS".to_string()]
            } else {
                vec!["GET".to_string()]
            }
        });
        self.out.routes.push(RouteDecl {
            file: self.file,
            handler,
            handler_file,
            handler_scope: if handler_file == self.file {
                self.scope.clone()
            } else {
                Vec::new()
            },
            owner,
            methods,
            path,
            decorator_index: None,
            call: Some(call),
            view_decorators: Vec::new(),
            view_class: None,
            span,
        });
    }

    fn class_view_routes(
        &mut self,
        owner: Option<ObjectId>,
        path: String,
        class_file: usize,
        class: &'a Class,
        call: &'a Call,
        span: Span,
    ) {
        let view_decorators: Vec<&'a Expr> = class
            .body
            .iter()
            .find_map(|s| match s {
                Stmt::Assign {
                    targets,
                    value: Some(v),
                    ..
                } if targets.iter().any(|t| t.as_name() == Some("decorators")) => {
                    v.elements().map(|e| e.iter().collect())
                }
                _ => None,
            })
            .unwrap_or_default();
        for stmt in &class.body {
            let Stmt::FunctionDef(method) = stmt else {
                continue;
            };
            let verb = method.name.to_ascii_uppercase();
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&verb.as_str()) {
                continue;
            }
            self.out.routes.push(RouteDecl {
                file: self.file,
                handler: method,
                handler_file: class_file,
                handler_scope: Vec::new(),
                owner: owner.clone(),
                methods: vec![verb],
                path: path.clone(),
                decorator_index: None,
                call: Some(call),
                view_decorators: view_decorators.clone(),
                view_class: Some(class),
                span,
            });
        }
    }

    fn function(&mut self, f: &'a Function) {
        for (index, decorator) in f.decorators.iter().enumerate() {
            match &decorator.kind {
                ExprKind::Call(call) => {
                    let ExprKind::Attribute {
                        value: receiver,
                        attr,
                    } = &call.func.kind
                    else {
                        continue;
                    };
                    if let Some(implied) = route_method(attr) {
                        let Some(owner) = self.resolve(receiver) else {
                            continue;
                        };
                        if !self.could_route(&owner) {
                            continue;
                        }
                        let methods = match implied {
                            Some(m) => vec![m.to_string()],
                            None => methods_argument(call.keyword("methods"))
                                .unwrap_or_else(|| vec!["GET".to_string()]),
                        };
                        let path = path_text(
                            self.model,
                            self.file,
                            &self.scope,
                            call.argument("path", 0).or(call.keyword("rule")),
                        );
                        self.out.routes.push(RouteDecl {
                            file: self.file,
                            handler: f,
                            handler_file: self.file,
                            handler_scope: self.scope.clone(),
                            owner: Some(owner),
                            methods,
                            path,
                            decorator_index: Some(index),
                            call: Some(call),
                            view_decorators: Vec::new(),
                            view_class: None,
                            span: self.decorator_span(decorator),
                        });
                    } else if attr == "middleware" {
                        if let Some(owner) = self.resolve(receiver) {
                            self.out.hooks.push(Hook {
                                owner,
                                kind: HookKind::HttpMiddleware,
                                function: f,
                                function_file: self.file,
                                span: decorator.span,
                            });
                        }
                    }
                }
                ExprKind::Attribute {
                    value: receiver,
                    attr,
                } if attr == "before_request" || attr == "before_app_request" => {
                    if let Some(owner) = self.resolve(receiver) {
                        self.out.hooks.push(Hook {
                            owner,
                            kind: if attr == "before_request" {
                                HookKind::BeforeRequest
                            } else {
                                HookKind::BeforeAppRequest
                            },
                            function: f,
                            function_file: self.file,
                            span: decorator.span,
                        });
                    }
                }
                _ => {}
            }
        }
    }

    /// A decorator's span including its `@`.
    fn decorator_span(&self, decorator: &Expr) -> Span {
        let text = self.model.files[self.file].text.as_bytes();
        let start = decorator.span.start as usize;
        let at = text[..start.min(text.len())]
            .iter()
            .rposition(|&b| !b.is_ascii_whitespace());
        match at {
            Some(i) if text[i] == b'@' => Span::new(i as u32, decorator.span.end),
            _ => decorator.span,
        }
    }

    /// Whether an object can own routes: a known app, router or blueprint, or an unresolved
    /// object bound in a file that imports a web framework.
    fn could_route(&self, id: &ObjectId) -> bool {
        let file = &self.model.files[id.file];
        match self.object_kind_at_definition(id) {
            Some(kind) => !kind.is_limiter(),
            None => {
                ["fastapi", "flask", "starlette", "apiflask", "quart"]
                    .iter()
                    .any(|m| file.imports_module(m))
                    || self.model.files[self.file].imports.iter().any(|(_, q)| {
                        ["fastapi", "flask", "starlette"]
                            .iter()
                            .any(|m| q.starts_with(m))
                    })
            }
        }
    }

    fn object_kind_at_definition(&self, id: &ObjectId) -> Option<ObjectKind> {
        let file = &self.model.files[id.file];
        let value = match id.scope {
            None => match file.top_level(&id.name)? {
                Stmt::Assign { value: Some(v), .. } => v,
                _ => return None,
            },
            Some(start) => {
                let function = find_function(file.body(), start)?;
                last_assignment(&function.body, &id.name)?
            }
        };
        let call = value.as_call()?;
        file.imports
            .resolve(&call.func)
            .as_deref()
            .and_then(object_kind)
    }
}

/// The function starting at `start`, searched through nested bodies.
pub fn find_function(body: &[Stmt], start: u32) -> Option<&Function> {
    for stmt in body {
        let span = stmt.span();
        if span.start > start || span.end < start {
            continue;
        }
        if let Stmt::FunctionDef(f) = stmt {
            if f.span.start == start {
                return Some(f);
            }
        }
        for child in stmt.child_bodies() {
            if let Some(f) = find_function(child, start) {
                return Some(f);
            }
        }
    }
    None
}

/// Calls in an expression, outermost first, not descending into lambdas.
fn collect_calls<'a>(expr: &'a Expr, out: &mut Vec<(&'a Expr, &'a Call)>) {
    if let ExprKind::Call(call) = &expr.kind {
        out.push((expr, call));
    }
    if matches!(expr.kind, ExprKind::Lambda { .. }) {
        return;
    }
    expr.for_each_child(|child| collect_calls(child, out));
}
