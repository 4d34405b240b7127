//! The application model: framework objects (apps, routers, blueprints, limiters), the routes
//! registered on them, how they are mounted into each other, and the hooks and middleware
//! attached. Extracted from each file in parallel, then linked across files.

use crate::frameworks::{ObjectKind, is_basic_auth_class, object_kind, route_method};
use crate::project::{ProjectModel, SourceModule};
use crate::values::{ValueOrigin, for_each_return};
use rayon::prelude::*;
use routewarden_python::ast::{
    BinOp, BoolOp, Call, Class, CmpOp, DictEntry, Expr, ExprKind, FStringPart, Function, Generator,
    ParamKind, Span, Stmt, ThinVec, UnaryOp, WithItem, code_statements,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// Under which runtime condition something is registered: always, only when an operator's
/// setting holds (`if auth_string is not None:`), or only in development and tests
/// (`if app.debug:`, never in production).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum When {
    #[default]
    Always,
    /// The condition, as written (`auth_string is not None`), and the `if` tests it is made of.
    If(String, Tests),
    /// Registered only when the application runs in debug, development or test mode.
    DevOnly(String),
}

/// The `if` tests a runtime condition is made of, each with the branch taken: the condition
/// holds when every one of them does. Kept so that the route judge can ask, of a route
/// authenticated only under a condition, whether the condition holds with every setting at the
/// default the project declares (see `Judge::holds_by_default`); empty when the condition is
/// no such conjunction (`a or b`, from two registrations), which is then never judged so.
/// One pointer wide, and no allocation when empty, so that `When` stays at 32 bytes: every
/// include (two of them each), route and dependency holds one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tests(pub ThinVec<Test>);

/// An `if` test (or a conditional expression's) in a file, and the branch taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Test {
    pub file: usize,
    pub span: Span,
    pub then: bool,
}

impl Tests {
    /// One test, taken in one branch here and in the other there: the two branches of an `if`.
    fn complements(&self, other: &Tests) -> bool {
        match (self.0.as_slice(), other.0.as_slice()) {
            ([a], [b]) => a.file == b.file && a.span == b.span && a.then != b.then,
            _ => false,
        }
    }
}

impl When {
    /// Both conditions: development-only wins, then the runtime conditions joined.
    pub fn and(&self, other: &When) -> When {
        match (self, other) {
            (When::DevOnly(a), _) => When::DevOnly(a.clone()),
            (_, When::DevOnly(b)) => When::DevOnly(b.clone()),
            (When::Always, x) | (x, When::Always) => x.clone(),
            (When::If(a, t), When::If(b, _)) if a == b => When::If(a.clone(), t.clone()),
            (When::If(a, t), When::If(b, u)) => When::If(
                format!("{a} and {b}"),
                // Unknown either side: unknown together.
                if t.0.is_empty() || u.0.is_empty() {
                    Tests::default()
                } else {
                    Tests(t.0.iter().chain(&u.0).copied().collect())
                },
            ),
        }
    }

    /// Either condition: what exists under one of two registrations. `x` or `not x` is
    /// always; development-only yields to any production condition.
    pub fn or(&self, other: &When) -> When {
        match (self, other) {
            (When::Always, _) | (_, When::Always) => When::Always,
            (When::DevOnly(_), x) | (x, When::DevOnly(_)) if !matches!(x, When::DevOnly(_)) => {
                x.clone()
            }
            (When::DevOnly(a), When::DevOnly(b)) | (When::If(a, _), When::If(b, _)) if a == b => {
                self.clone()
            }
            (When::If(a, t), When::If(b, u))
                if negated(a) == *b || negated(b) == *a || t.complements(u) =>
            {
                When::Always
            }
            (When::If(a, _), When::If(b, _)) => When::If(format!("{a} or {b}"), Tests::default()),
            (When::DevOnly(a), When::DevOnly(b)) => When::DevOnly(format!("{a} or {b}")),
            _ => When::Always,
        }
    }

    /// The runtime condition, when registration depends on one.
    pub fn condition(&self) -> Option<&str> {
        match self {
            When::If(c, _) => Some(c),
            _ => None,
        }
    }
}

/// A dependency expression (`Depends(get_user)`) with the file and functions it is written in:
/// `dependencies=` may name a list kept in a constant of another module.
#[derive(Clone, Debug)]
pub struct Dep<'a> {
    pub file: usize,
    pub scope: Vec<&'a Function>,
    pub expr: &'a Expr,
    /// The condition under which the dependency is in the list: `deps.append(Depends(auth))`
    /// under `if auth_enabled:`, `[Depends(auth)] if auth_enabled else []`.
    pub when: When,
}

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
    pub dependencies: Vec<Dep<'a>>,
    pub scope: Vec<&'a Function>,
    /// The innermost `if` the binding is written under (its test) and the branch, when the
    /// object is built by `name = Kind(...)` there: the other branch may bind the name too.
    pub branch: Option<(Span, bool)>,
}

/// The methods of a route registered with a `methods=` argument that cannot be read
/// (`add_url_rule(rule, view_func=view, methods=verbs)`), shown like an unknown path.
pub const DYNAMIC_METHODS: &str = "<dynamic>";

/// A route as registered: by a decorator, `add_api_route`, `add_url_rule` or a class view.
#[derive(Clone, Debug)]
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
    /// Functions enclosing a registering call that is not a decorator (`add_api_route` in
    /// `register_routes(api)`), where its keyword arguments' local variables live.
    pub call_scope: Vec<&'a Function>,
    /// Decorators that apply to the view besides the handler's own, with the file each is
    /// written in: `decorators = [...]` of a class-based view, `login_required(view)` wrapped
    /// around the view where it is registered.
    pub view_decorators: Vec<(usize, &'a Expr)>,
    pub view_class: Option<&'a Class>,
    /// The file `view_class` is defined in (its methods may come from bases elsewhere).
    pub view_class_file: usize,
    /// Where findings about the route are reported: the route decorator, or the registering call.
    pub span: Span,
    /// The endpoint name the framework gives the view when neither the call nor the handler's
    /// name gives it (Flask-Classful's `UserView:index`).
    pub endpoint: Option<String>,
    /// Under which condition the registration itself runs: a route declared or added under
    /// `if settings.enable_oidc:` exists only when that holds.
    pub when: When,
    /// The other view the registered name may be (see [`AlternativeView`]).
    pub alternative: Option<AlternativeView<'a>>,
}

/// The view a name registered as the endpoint is bound to in the other branch of an `if`
/// before the registration (`handler = handler_authed` under `if is_auth:`, `handler =
/// handler_anon` in the `else`; or `def handler` in each branch): the route's handler is the
/// last binding, this one serves instead when `when` holds.
#[derive(Clone, Debug)]
pub struct AlternativeView<'a> {
    pub file: usize,
    pub handler: &'a Function,
    pub scope: Vec<&'a Function>,
    pub when: When,
}

impl<'a> RouteDecl<'a> {
    /// The keyword argument `name` of the registering call.
    pub fn keyword(&self, name: &str) -> Option<&'a Expr> {
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
    pub dependencies: Vec<Dep<'a>>,
    /// `mount(...)`/`Mount(...)`: a separate ASGI application, which the parent's route
    /// dependencies do not reach (its middleware does).
    pub is_mount: bool,
    /// `register_blueprints(app)`: the child is the parameter of a project function that the
    /// parent object is passed to, the same object under another name.
    pub is_parameter: bool,
    /// `_add_router(app, notes_router)` where the helper includes its `router` parameter:
    /// the child is the object passed, the parent the parameter. Above it, the parameter's
    /// other arguments are not the child's parents.
    pub is_argument: bool,
    /// `app = create_app(); app.add_middleware(...); return app` in another factory: the parent
    /// is one more application built from the child's factory, with additions of its own.
    pub is_instance: bool,
    /// Under which condition the include (and what it adds) is made.
    pub when: When,
    /// The part of `when` that reads configuration: what the include's routes need to exist.
    pub exists: When,
    pub file: usize,
    pub scope: Vec<&'a Function>,
    pub span: Span,
}

impl<'a> Include<'a> {
    /// A Starlette `Mount` item of a route list: `child` mounted under `path`, always.
    fn mount(
        parent: &ObjectId,
        child: ObjectId,
        path: String,
        file: usize,
        scope: &[&'a Function],
        span: Span,
    ) -> Self {
        Include {
            parent: parent.clone(),
            child,
            prefix: Some(path),
            dependencies: Vec::new(),
            is_mount: true,
            is_parameter: false,
            is_instance: false,
            is_argument: false,
            when: When::Always,
            exists: When::Always,
            file,
            scope: scope.to_vec(),
            span,
        }
    }
}

/// A parameter link (see [`Include::is_parameter`]) as the per-file results hold it, without
/// an include's prefix, dependencies and flags: tens of thousands on large projects, and
/// `AppModel::link_parameters` keeps only the few that lead to a registration, as includes.
#[derive(Debug)]
struct ParameterLink<'a> {
    parent: ObjectId,
    child: ObjectId,
    when: When,
    exists: When,
    file: usize,
    scope: Box<[&'a Function]>,
    span: Span,
}

impl<'a> ParameterLink<'a> {
    fn into_include(self) -> Include<'a> {
        Include {
            parent: self.parent,
            child: self.child,
            prefix: None,
            dependencies: Vec::new(),
            is_mount: false,
            is_parameter: true,
            is_instance: false,
            is_argument: false,
            when: self.when,
            exists: self.exists,
            file: self.file,
            scope: self.scope.into_vec(),
            span: self.span,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookKind {
    /// `before_request` on an app or blueprint.
    BeforeRequest,
    /// `before_app_request` on a blueprint: applies to the whole app.
    BeforeAppRequest,
    /// `@app.middleware("http")`.
    HttpMiddleware,
    /// `url_value_preprocessor` on an app or blueprint: runs before the view with the values
    /// of the matched rule, so a guard there covers the routes whose path has those values.
    UrlValuePreprocessor,
}

impl HookKind {
    fn of_registration(method: &str) -> Option<HookKind> {
        Some(match method {
            "before_request" => HookKind::BeforeRequest,
            "before_app_request" => HookKind::BeforeAppRequest,
            "url_value_preprocessor" => HookKind::UrlValuePreprocessor,
            _ => return None,
        })
    }
}

#[derive(Debug)]
pub struct Hook<'a> {
    pub owner: ObjectId,
    pub kind: HookKind,
    pub function: &'a Function,
    pub function_file: usize,
    pub span: Span,
    pub when: When,
}

/// Flask-BasicAuth installed on an application: `BasicAuth(app)` or `basic_auth.init_app(app)`
/// (also of a project subclass). Its `before_request` hook challenges every request without
/// the configured credentials, but only while the application's `BASIC_AUTH_FORCE` is true.
#[derive(Debug)]
pub struct BasicAuthInstall {
    pub owner: ObjectId,
    pub file: usize,
    pub span: Span,
    pub when: When,
}

/// `app.add_middleware(Class, ...)` or `Middleware(Class, ...)` in `FastAPI(middleware=[...])`.
#[derive(Debug)]
pub struct MiddlewareReg<'a> {
    pub owner: Option<ObjectId>,
    pub class: &'a Expr,
    pub call: &'a Call,
    pub file: usize,
    pub span: Span,
    pub when: When,
}

/// A call made on a framework object that rules care about (`limiter.init_app(app)`,
/// `limiter.limit(...)(bp)`, `app.state.limiter = limiter`).
#[derive(Debug)]
pub struct ObjectCall<'a> {
    pub receiver: ObjectId,
    /// The method's name, borrowed from the tree (`init_app`); `attr()` for a call of what
    /// the method returns.
    pub method: std::borrow::Cow<'a, str>,
    pub call: &'a Call,
    pub file: usize,
    /// Boxed: one word less than a vector on each of tens of thousands of calls.
    pub scope: Box<[&'a Function]>,
    pub span: Span,
}

#[derive(Debug, Default)]
struct FileApps<'a> {
    objects: Vec<FrameworkObject<'a>>,
    routes: Vec<RouteDecl<'a>>,
    includes: Vec<Include<'a>>,
    parameter_links: Vec<ParameterLink<'a>>,
    hooks: Vec<Hook<'a>>,
    middleware: Vec<MiddlewareReg<'a>>,
    calls: Vec<ObjectCall<'a>>,
    state_limiters: Vec<(ObjectId, ObjectId)>,
    unresolved_mounts: usize,
    local_servers: Vec<ObjectId>,
    plain_instances: Vec<ObjectId>,
    hook_calls: Vec<PluginHookCall<'a>>,
    instance_views: Vec<InstanceView<'a>>,
    dependency_overrides: Vec<DependencyOverride<'a>>,
    basic_auth: Vec<BasicAuthInstall>,
}

/// `app.dependency_overrides[dep] = replacement` (or `.update({dep: replacement})`) in
/// production code: FastAPI calls the replacement instead of `dep` wherever a route of that
/// application depends on it, directly or through another dependency.
#[derive(Debug)]
pub struct DependencyOverride<'a> {
    /// The application whose `dependency_overrides` is written.
    pub owner: ObjectId,
    pub file: usize,
    pub scope: Vec<&'a Function>,
    pub key: &'a Expr,
    pub replacement: &'a Expr,
    /// When the override is installed: the `if`s around it and around the calls of the
    /// module-level function it is written in.
    pub when: When,
    /// The innermost `if` test around it in its function, and whether it is in the `then`
    /// branch.
    pub test: Option<(Span, bool)>,
}

/// The router of the instances of one project class (`TileFactory().router`), included from
/// outside the class, and the router object its methods declare routes on (named for the class
/// that builds it, shared by every subclass).
#[derive(Debug)]
struct InstanceView<'a> {
    view: ObjectId,
    base: ObjectId,
    class_file: usize,
    class: &'a Class,
}

/// `app.pluggy.hook.load_blueprints(app=app)`: pluggy calls every plugin function of that name
/// with these keyword arguments.
#[derive(Debug)]
struct PluginHookCall<'a> {
    name: String,
    arguments: Vec<(String, ObjectId)>,
    when: When,
    file: usize,
    scope: Vec<&'a Function>,
    span: Span,
}

/// The calls made on framework objects, in file order. Kept as the vectors the files were
/// extracted into: one merged copy was a second 7 MB at the run's peak of memory.
#[derive(Debug, Default)]
pub struct ObjectCalls<'a> {
    parts: Vec<Vec<ObjectCall<'a>>>,
    /// Where each part starts in the order of all calls.
    starts: Vec<usize>,
}

impl<'a> ObjectCalls<'a> {
    fn new(parts: Vec<Vec<ObjectCall<'a>>>) -> Self {
        let parts: Vec<_> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        let mut starts = Vec::with_capacity(parts.len());
        let mut at = 0usize;
        for p in &parts {
            starts.push(at);
            at = at.saturating_add(p.len());
        }
        Self { parts, starts }
    }

    pub fn iter(&self) -> impl Iterator<Item = &ObjectCall<'a>> {
        self.parts.iter().flatten()
    }

    /// The call at `index` in the order of [`ObjectCalls::iter`].
    pub fn get(&self, index: usize) -> Option<&ObjectCall<'a>> {
        let part = self
            .starts
            .partition_point(|&s| s <= index)
            .checked_sub(1)?;
        let start = *self.starts.get(part)?;
        self.parts.get(part)?.get(index.checked_sub(start)?)
    }
}

impl<'s, 'a> IntoIterator for &'s ObjectCalls<'a> {
    type Item = &'s ObjectCall<'a>;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'s, Vec<ObjectCall<'a>>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.parts.iter().flatten()
    }
}

/// `v` without its spare capacity, copied: a vector grown by doubling leaves up to half its
/// slots unused, and `shrink_to_fit` keeps mimalloc's block when it shrinks by less than half.
fn exactly_sized<T>(v: Vec<T>) -> Vec<T> {
    if v.capacity() == v.len() {
        return v;
    }
    let mut exact = Vec::with_capacity(v.len());
    exact.extend(v);
    exact
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
    pub calls: ObjectCalls<'a>,
    /// `(app, limiter)` for `app.state.limiter = limiter`.
    pub state_limiters: Vec<(ObjectId, ObjectId)>,
    /// `include_router`/`register_blueprint` calls whose router could not be followed (built
    /// in a loop, returned by a library): routers that look unmounted may be mounted there.
    pub unresolved_mounts: usize,
    /// Applications served only on a random port of the loopback interface
    /// (`uvicorn.Config(app, port=0)`): throw-away local servers such as a CLI's login callback.
    pub local_servers: Vec<ObjectId>,
    /// Factory applications also used as built, at module level (`app = create_app()`).
    pub plain_instances: Vec<ObjectId>,
    pub dependency_overrides: Vec<DependencyOverride<'a>>,
    /// Flask-BasicAuth extensions and the applications they are installed on.
    pub basic_auth: Vec<BasicAuthInstall>,
    /// The parameter links by the parameter they bind (`child`): asked for every route and
    /// hook, so built once.
    parameter_parents: std::sync::OnceLock<HashMap<ObjectId, Vec<usize>>>,
    /// See [`AppModel::installed_response_class`]: a pass over every module, asked for each
    /// cookie about to be reported, so found once. Kept as the class's file and start, since a
    /// reference in a cell would make the model invariant in `'a`.
    response_class: std::sync::OnceLock<Option<(usize, u32)>>,
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
        // Calls are tested for Flask-BasicAuth only in projects that import it.
        let basic_auth_used = model
            .files
            .iter()
            .any(|f| f.imports_module("flask_basicauth"));
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
                        loops: Vec::new(),
                        gathered: Vec::new(),
                        unpacked: Vec::new(),
                        conditions: Vec::new(),
                        classes: Vec::new(),
                        names: std::cell::RefCell::default(),
                        caller_conditions: std::cell::RefCell::default(),
                        module_calls: std::cell::OnceCell::new(),
                        included: HashMap::default(),
                        module_instances: HashMap::default(),
                        basic_auth_used,
                        out: FileApps::default(),
                    };
                    x.stmts(model.files[i].body());
                    let mut out = x.out;
                    // Kept (the calls) or held until every file is extracted (the links).
                    out.calls = exactly_sized(out.calls);
                    out.parameter_links = exactly_sized(out.parameter_links);
                    out
                }
            })
            .collect();
        let mut apps = AppModel {
            model,
            objects: BTreeMap::new(),
            // Exactly sized: grown by doubling, the calls alone left 3 MB unused on large
            // projects.
            routes: Vec::with_capacity(per_file.iter().map(|f| f.routes.len()).sum()),
            includes: Vec::new(),
            hooks: Vec::with_capacity(per_file.iter().map(|f| f.hooks.len()).sum()),
            middleware: Vec::new(),
            calls: ObjectCalls::default(),
            state_limiters: Vec::new(),
            unresolved_mounts: 0,
            local_servers: Vec::new(),
            plain_instances: Vec::new(),
            dependency_overrides: Vec::new(),
            basic_auth: Vec::new(),
            parameter_parents: std::sync::OnceLock::new(),
            response_class: std::sync::OnceLock::new(),
        };
        // Tens of thousands of links on large projects: kept in the files' vectors, not
        // copied into one, like the calls.
        let mut parameter_links = Vec::with_capacity(per_file.len().saturating_add(1));
        let mut calls = Vec::with_capacity(per_file.len());
        let mut hook_calls = Vec::new();
        let mut instance_views = Vec::new();
        for f in per_file {
            hook_calls.extend(f.hook_calls);
            instance_views.extend(f.instance_views);
            for o in f.objects {
                apps.objects.insert(o.id.clone(), o);
            }
            apps.routes.extend(f.routes);
            apps.includes.extend(f.includes);
            parameter_links.push(f.parameter_links);
            apps.hooks.extend(f.hooks);
            apps.middleware.extend(f.middleware);
            calls.push(f.calls);
            apps.state_limiters.extend(f.state_limiters);
            apps.unresolved_mounts += f.unresolved_mounts;
            apps.local_servers.extend(f.local_servers);
            apps.plain_instances.extend(f.plain_instances);
            apps.dependency_overrides.extend(f.dependency_overrides);
            apps.basic_auth.extend(f.basic_auth);
        }
        apps.calls = ObjectCalls::new(calls);
        parameter_links.push(plugin_links(model, hook_calls));
        apps.link_parameters(parameter_links);
        apps.drop_self_mounts();
        apps.keep_used_instances();
        apps.split_instance_routers(instance_views);
        apps
    }

    /// Gives the router of each included instance (`cog.router` with `cog = TileFactory()`)
    /// the routes its class's own and inherited methods declare on `self.router`: the routes
    /// are extracted on the router object of the class that builds it, shared by every
    /// subclass, and each subclass may add or override route methods. When the class has
    /// every route of that object, the include is of the object itself.
    fn split_instance_routers(&mut self, views: Vec<InstanceView<'a>>) {
        let mut done: HashSet<ObjectId> = HashSet::default();
        let mut copied: HashSet<usize> = HashSet::default();
        let mut split_bases: HashSet<ObjectId> = HashSet::default();
        for v in views {
            if !done.insert(v.view.clone()) {
                continue;
            }
            let owned: Vec<usize> = (0..self.routes.len())
                .filter(|&r| self.routes[r].owner.as_ref() == Some(&v.base))
                .collect();
            let selected: Vec<usize> = owned
                .iter()
                .copied()
                .filter(|&r| self.declared_for(r, v.class_file, v.class))
                .collect();
            // `APIRouter(prefix=self.router_prefix)`, `add_api_route(self.form_path,
            // self.route_delete)`: what differs for instances of this class.
            let prefix = self.objects.get(&v.base).and_then(|o| {
                let expr = o.call?.keyword("prefix")?;
                if !mentions_self_attribute(expr) {
                    return None;
                }
                let text = instance_path_text(
                    self.model,
                    o.id.file,
                    &o.scope,
                    expr,
                    (v.class_file, v.class),
                    0,
                )?;
                (text != o.prefix).then_some(text)
            });
            let adapted: Vec<Option<RouteDecl<'a>>> = selected
                .iter()
                .map(|&r| self.route_for_instance(r, v.class_file, v.class))
                .collect();
            if selected.len() == owned.len()
                && prefix.is_none()
                && adapted.iter().all(Option::is_none)
            {
                for include in &mut self.includes {
                    if include.child == v.view {
                        include.child = v.base.clone();
                    }
                }
                continue;
            }
            split_bases.insert(v.base.clone());
            if let Some(o) = self.objects.get(&v.base) {
                let copy = FrameworkObject {
                    id: v.view.clone(),
                    kind: o.kind,
                    call: o.call,
                    span: o.span,
                    prefix: prefix.unwrap_or_else(|| o.prefix.clone()),
                    dependencies: o.dependencies.clone(),
                    scope: o.scope.clone(),
                    branch: o.branch,
                };
                self.objects.insert(v.view.clone(), copy);
            }
            let hooks: Vec<Hook<'a>> = self
                .hooks
                .iter()
                .filter(|h| h.owner == v.base)
                .map(|h| Hook {
                    owner: v.view.clone(),
                    kind: h.kind,
                    function: h.function,
                    function_file: h.function_file,
                    span: h.span,
                    when: h.when.clone(),
                })
                .collect();
            self.hooks.extend(hooks);
            for (r, adapted) in selected.into_iter().zip(adapted) {
                let mut route = adapted.unwrap_or_else(|| self.routes[r].clone());
                route.owner = Some(v.view.clone());
                self.routes.push(route);
                copied.insert(r);
            }
        }
        // A route now on the instances' routers is not also on the class's router, unless
        // that router is itself included somewhere.
        let included: HashSet<&ObjectId> = self.includes.iter().map(|i| &i.child).collect();
        let dropped: HashSet<usize> = copied
            .into_iter()
            .filter(|&r| {
                self.routes[r]
                    .owner
                    .as_ref()
                    .is_some_and(|o| split_bases.contains(o) && !included.contains(o))
            })
            .collect();
        if dropped.is_empty() {
            return;
        }
        let mut index = 0;
        self.routes.retain(|_| {
            let keep = !dropped.contains(&index);
            index += 1;
            keep
        });
    }

    /// A route declared in a method of a project class, as registered for instances of
    /// `class` (a subclass): its path read with `self` an instance of that class, and an
    /// endpoint given as a bound method (`self.route_delete`) looked up from that class, a
    /// `@property` standing for the function it returns. `None` when nothing differs.
    fn route_for_instance(
        &self,
        r: usize,
        class_file: usize,
        class: &'a Class,
    ) -> Option<RouteDecl<'a>> {
        let route = &self.routes[r];
        let call = route.call?;
        let mut out = route.clone();
        let mut changed = false;
        if let Some(path) = call.args.first().or_else(|| call.keyword("path"))
            && mentions_self_attribute(path)
            && let Some(text) = instance_path_text(
                self.model,
                route.file,
                &route.call_scope,
                path,
                (class_file, class),
                0,
            )
            && text != route.path
        {
            out.path = text;
            changed = true;
        }
        let registers_endpoint = matches!(&call.func.kind, ExprKind::Attribute { attr, .. }
            if matches!(attr.as_str(), "add_api_route" | "add_route" | "add_api_websocket_route"
                | "add_websocket_route"));
        if route.decorator_index.is_none()
            && registers_endpoint
            && let Some(endpoint) = call.argument("endpoint", 1)
            && let ExprKind::Attribute { value, attr } = &endpoint.kind
            && value.as_name() == Some("self")
            && let Some((f, _, method)) = find_method(self.model, class_file, class, attr)
        {
            let (function, scope) = match property_endpoint(method) {
                Some(inner) => (inner, vec![method]),
                None => (method, Vec::new()),
            };
            if !std::ptr::eq(function, route.handler) {
                out.handler = function;
                out.handler_file = f;
                out.handler_scope = scope;
                changed = true;
            }
        }
        changed.then_some(out)
    }

    /// Whether a route declared on an instance's router in a method of a project class
    /// (`@self.router.get(...)` in `TileFactory.info`) is declared for instances of `class`:
    /// the method is the class's own or the one it inherits, not one a subclass overrides.
    fn declared_for(&self, route: usize, class_file: usize, class: &Class) -> bool {
        let route = &self.routes[route];
        let Some(method) = route.call_scope.first() else {
            return true;
        };
        let Some(declaring) = class_of_method(self.model.files[route.file].body(), method) else {
            return true;
        };
        class_hierarchy(self.model, class_file, class)
            .iter()
            .any(|(_, c)| std::ptr::eq(*c, declaring))
            && find_method(self.model, class_file, class, &method.name)
                .is_some_and(|(_, _, m)| std::ptr::eq(m, *method))
    }

    /// Drops the links of factory results that nothing is registered on: such an instance is
    /// the factory's application itself, not a variant of it.
    fn keep_used_instances(&mut self) {
        use rustc_hash::FxHashSet as HashSet;
        let mut used: HashSet<&ObjectId> = HashSet::default();
        used.extend(self.routes.iter().filter_map(|r| r.owner.as_ref()));
        used.extend(
            self.includes
                .iter()
                .filter(|i| !i.is_instance)
                .map(|i| &i.parent),
        );
        used.extend(self.hooks.iter().map(|h| &h.owner));
        used.extend(self.middleware.iter().filter_map(|m| m.owner.as_ref()));
        used.extend(self.state_limiters.iter().map(|(a, _)| a));
        let unused: Vec<ObjectId> = self
            .includes
            .iter()
            .filter(|i| i.is_instance && !used.contains(&i.parent))
            .map(|i| i.parent.clone())
            .collect();
        if unused.is_empty() {
            return;
        }
        self.includes
            .retain(|i| !(i.is_instance && unused.contains(&i.parent)));
    }

    /// Whether an application is only ever served on a random port of the loopback interface.
    fn is_local_only(&self, app: &ObjectId) -> bool {
        self.local_servers.iter().any(|s| self.denotes(s, app))
    }

    /// Whether a mounted route belongs to an application nobody deploys: one only served on a
    /// random loopback port, or test scaffolding (an application created in test code serving
    /// a handler written in test code). A project's own views mounted on a test application
    /// are not scaffolding.
    pub fn is_throwaway(&self, mounted: &MountedRoute) -> bool {
        let Some(app) = self.app_of(mounted) else {
            return false;
        };
        let handler_file = self.routes[mounted.route].handler_file;
        self.is_local_only(app)
            || (self.model.files[app.file].is_test() && self.model.files[handler_file].is_test())
    }

    /// Keeps the parameter links that matter: those whose parameter has routes, blueprints,
    /// hooks or middleware registered on it, passed a framework object (or another such
    /// parameter, for helpers that call helpers).
    fn link_parameters(&mut self, links: Vec<Vec<ParameterLink<'a>>>) {
        use rustc_hash::FxHashSet as HashSet;
        let mut used: HashSet<ObjectId> = HashSet::default();
        used.extend(self.routes.iter().filter_map(|r| r.owner.clone()));
        used.extend(self.includes.iter().map(|i| i.parent.clone()));
        used.extend(self.hooks.iter().map(|h| h.owner.clone()));
        used.extend(self.middleware.iter().filter_map(|m| m.owner.clone()));
        used.extend(self.calls.iter().map(|c| c.receiver.clone()));
        used.extend(self.state_limiters.iter().map(|(a, _)| a.clone()));
        // `limiter.init_app(app)`, `db.init_app(app)` in a `register_extensions(app)` helper.
        used.extend(
            self.calls
                .iter()
                .filter(|c| c.method == "init_app")
                .filter_map(|c| {
                    let arg = c.call.argument("app", 0)?;
                    resolve_object(self.model, c.file, &c.scope, arg, 0)
                }),
        );
        // Backwards: a parameter passed on to a used parameter is used.
        loop {
            let before = used.len();
            for l in links.iter().flatten() {
                if used.contains(&l.child) {
                    used.insert(l.parent.clone());
                }
            }
            if used.len() == before {
                break;
            }
        }
        // Forwards: from framework objects through the parameters they reach.
        let mut reached: HashSet<ObjectId> = self.objects.keys().cloned().collect();
        let mut kept: Vec<ParameterLink<'a>> = Vec::new();
        let mut pending: Vec<ParameterLink<'a>> = links
            .into_iter()
            .flatten()
            .filter(|l| used.contains(&l.child))
            .collect();
        loop {
            let (take, rest): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|l| reached.contains(&l.parent));
            if take.is_empty() {
                break;
            }
            reached.extend(take.iter().map(|l| l.child.clone()));
            kept.extend(take);
            pending = rest;
        }
        self.includes
            .extend(kept.into_iter().map(ParameterLink::into_include));
    }

    /// Drops the includes of an object into a parameter that stands for that same object: a
    /// factory's application stands for every instance it builds, so `sub_app = create_app()`
    /// mounted into `self.mount_root = app or default_app` (with `default_app = create_app()`)
    /// is another instance, not the application mounted into itself.
    fn drop_self_mounts(&mut self) {
        let stands_for: HashSet<(&ObjectId, &ObjectId)> = self
            .includes
            .iter()
            .filter(|i| i.is_parameter)
            .map(|i| (&i.child, &i.parent))
            .collect();
        if stands_for.is_empty() {
            return;
        }
        let self_mounts: Vec<usize> = self
            .includes
            .iter()
            .enumerate()
            // Not the link of an object handed to a helper that includes its parameter.
            .filter(|(_, i)| !i.is_parameter && !i.is_argument)
            .filter(|(_, i)| stands_for.contains(&(&i.parent, &i.child)))
            .map(|(index, _)| index)
            .collect();
        for index in self_mounts.into_iter().rev() {
            self.includes.remove(index);
        }
    }

    /// The kind of a framework object the project builds: [`AppModel::kind`] without its
    /// fallback for function parameters (a pass over every include), for a kind no parameter
    /// has (limiters).
    pub fn built_kind(&self, id: &ObjectId) -> Option<ObjectKind> {
        self.objects.get(id).map(|o| o.kind)
    }

    pub fn kind(&self, id: &ObjectId) -> Option<ObjectKind> {
        if let Some(kind) = self.built_kind(id) {
            return Some(kind);
        }
        // Objects known only as function parameters act as applications.
        self.includes
            .iter()
            .any(|i| &i.parent == id)
            .then_some(ObjectKind::ParameterApp)
    }

    /// Under which condition a chain of mounts serves its route: the route's own
    /// registration's, and that of every include along it (`if settings.enable_admin:
    /// app.include_router(admin)`).
    fn chain_when(&self, mounted: &MountedRoute) -> When {
        mounted
            .includes
            .iter()
            .fold(self.routes[mounted.route].when.clone(), |acc, &i| {
                acc.and(&self.includes[i].exists)
            })
    }

    /// Under which condition the application at the root of `mounted` serves its route: by
    /// any of the chains in `all` from the same route to the same root (a router included
    /// under `if x:` and again under `else:` is always served).
    pub fn registered_when(&self, mounted: &MountedRoute, all: &[MountedRoute]) -> When {
        // Nearly every route is served always by its chain: no need to look for others.
        let own = self.chain_when(mounted);
        if own == When::Always {
            return own;
        }
        all.iter()
            .filter(|m| m.route == mounted.route && m.chain.last() == mounted.chain.last())
            .fold(None, |acc: Option<When>, m| {
                let when = self.chain_when(m);
                Some(match acc {
                    None => when,
                    Some(acc) => acc.or(&when),
                })
            })
            .unwrap_or_else(|| self.chain_when(mounted))
    }

    /// Whether a mounted route exists only in debug, development or test mode (registered
    /// under `if app.debug:`, `if settings.TESTING:`): not part of what production serves.
    pub fn is_development_only(&self, mounted: &MountedRoute, all: &[MountedRoute]) -> bool {
        matches!(self.registered_when(mounted, all), When::DevOnly(_))
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
        let arrived_as_argument = includes
            .last()
            .is_some_and(|&i| self.includes[i].is_argument);
        let parents: Vec<usize> = self
            .includes
            .iter()
            .enumerate()
            .filter(|(_, inc)| &inc.child == current && !chain.contains(&inc.parent))
            .filter(|(_, inc)| !(inc.is_parameter && arrived_as_argument))
            .map(|(i, _)| i)
            .collect();
        if parents.is_empty() || chain.len() > 16 {
            out.push((chain.clone(), includes.clone()));
            return;
        }
        // A factory's application is served as built where a module calls the factory plainly,
        // besides the variants other factories derive from it and the apps tests mount it in.
        if parents.iter().all(|&i| {
            let include = &self.includes[i];
            include.is_instance || self.model.files[include.file].is_test()
        }) && self.plain_instances.contains(current)
        {
            out.push((chain.clone(), includes.clone()));
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
            let flask =
                own.is_some_and(|o| o.kind.is_flask() || o.kind == ObjectKind::RestxNamespace);
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

    /// Whether what protects a route cannot be known: its router reaches no application and
    /// may be mounted where the analysis cannot see, with dependencies it cannot see. That is
    /// the case for routes registered on nothing known (Flask-AppBuilder views, registered by
    /// `appbuilder.add_view`), for routers built and returned by a factory function that no
    /// analysed code mounts (a library's `get_auth_router()`), for blueprints registered on a
    /// function's `app` parameter that no analysed code passes an application to (an
    /// extension's `init_app`), and for every unmounted router when some `include_router` could
    /// not be followed.
    pub fn context_unknown(&self, mounted: &MountedRoute) -> bool {
        let Some(root) = mounted.chain.last() else {
            return true;
        };
        match self.kind(root) {
            // A Flask-AppBuilder view that no analysed `add_view`/`add_api` registers.
            Some(ObjectKind::AppBuilderView) => true,
            // A Flask-Admin view no analysed `add_view` registers, or an `Admin` no analysed
            // code gives an application.
            Some(ObjectKind::FlaskAdminView | ObjectKind::FlaskAdmin) => true,
            // `def init_app(app): app.register_blueprint(bp)` that no analysed code calls with
            // an application: an extension's views, whose app is the user's.
            Some(ObjectKind::ParameterApp) => true,
            Some(kind) if kind.is_app() => false,
            // `self.router = APIRouter()`, `router = field(factory=APIRouter)`: the router of
            // a class's instances that no analysed code includes, which a library's users
            // build and mount themselves.
            _ if root.scope.is_none() && root.name.contains('.') => true,
            _ => self.unresolved_mounts > 0 || root.scope.is_some(),
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
                m.route != of.route && !m.chain.is_empty() && m.chain.first() == of.chain.first()
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether `id` denotes `target`: the same object, or a parameter that `target` is passed to
    /// (through any number of helper functions).
    pub fn denotes(&self, id: &ObjectId, target: &ObjectId) -> bool {
        self.denotes_when(id, target).is_some()
    }

    /// Whether `id` is a parameter that some object is passed to: only then can it denote an
    /// object other than itself.
    pub fn stands_for_others(&self, id: &ObjectId) -> bool {
        self.parameter_parents(id).next().is_some()
    }

    /// The objects `id` is a parameter for, through one helper call, with the condition of
    /// that call.
    fn parameter_parents(&self, id: &ObjectId) -> impl Iterator<Item = &Include<'a>> {
        self.parameter_parents
            .get_or_init(|| {
                let mut by_child: HashMap<ObjectId, Vec<usize>> = HashMap::default();
                for (i, include) in self.includes.iter().enumerate() {
                    if include.is_parameter {
                        by_child.entry(include.child.clone()).or_default().push(i);
                    }
                }
                by_child
            })
            .get(id)
            .into_iter()
            .flatten()
            .map(|&i| &self.includes[i])
    }

    /// Whether `id` denotes `target` (see [`AppModel::denotes`]) and under which condition:
    /// a helper called under `if settings.AUTH:` registers on the object only then.
    pub fn denotes_when(&self, id: &ObjectId, target: &ObjectId) -> Option<When> {
        if id == target {
            return Some(When::Always);
        }
        // Asked for every route and middleware: the objects are borrowed, not cloned.
        let mut frontier: Vec<(&ObjectId, When)> = self
            .parameter_parents(id)
            .map(|i| (&i.parent, i.when.clone()))
            .collect();
        if frontier.is_empty() {
            return None;
        }
        let mut seen: Vec<&ObjectId> = vec![id];
        let mut best: Option<When> = None;
        while let Some((current, when)) = frontier.pop() {
            if current == target {
                best = Some(match (best, when) {
                    (None, w) => w,
                    (Some(When::Always), _) | (_, When::Always) => When::Always,
                    (Some(When::If(a, t)), _) => When::If(a, t),
                    (Some(_), w) => w,
                });
                if best == Some(When::Always) {
                    return best;
                }
                continue;
            }
            if seen.contains(&current) || seen.len() > 32 {
                continue;
            }
            frontier.extend(
                self.parameter_parents(current)
                    .map(|i| (&i.parent, when.and(&i.when))),
            );
            seen.push(current);
        }
        best
    }

    /// The project class installed as the application's response class (`app.response_class =
    /// OctoPrintFlaskResponse`, or `response_class = ...` in a `Flask` subclass), when the project
    /// (test files aside) installs exactly one. Found when first asked.
    pub fn installed_response_class(&self) -> Option<(usize, &'a Class)> {
        let model = self.model;
        let (file, start) = (*self.response_class.get_or_init(|| {
            let mut found: Option<(usize, &'a Class)> = None;
            for (file, module) in model.files.iter().enumerate() {
                if !module.may_mention("response_class") || module.is_test() {
                    continue;
                }
                let mut other = false;
                crate::security::walk_all_stmts(module.body(), &mut |stmt| {
                    if let Stmt::Assign {
                        targets,
                        value: Some(value),
                        ..
                    } = stmt
                        && targets
                            .iter()
                            .any(|t| t.last_name() == Some("response_class"))
                    {
                        match model.resolve_definition(file, value) {
                            Some((f, Some(Stmt::ClassDef(class)), _)) => match found {
                                Some((g, c)) if g != f || !std::ptr::eq(c, class.as_ref()) => {
                                    other = true;
                                }
                                _ => found = Some((f, class.as_ref())),
                            },
                            _ => other = true,
                        }
                    }
                });
                if other {
                    return None;
                }
            }
            found.map(|(f, c)| (f, c.span.start))
        }))?;
        class_starting_at(model.files[file].body(), start).map(|c| (file, c))
    }

    /// Whether a limiter is attached to an application: slowapi's through `app.state.limiter`,
    /// Flask-Limiter's through `Limiter(app=app)`, `Limiter(app)` (before 3.0) or
    /// `limiter.init_app(app)`.
    pub fn limiter_is_attached(&self, limiter: &ObjectId) -> bool {
        let Some(object) = self.objects.get(limiter) else {
            return true;
        };
        match object.kind {
            ObjectKind::SlowapiLimiter => {
                self.state_limiters.iter().any(|(_, l)| l == limiter) || self.escapes(limiter)
            }
            ObjectKind::FlaskLimiter => {
                let by_argument = object.call.is_some_and(|c| {
                    c.keyword("app")
                        .is_some_and(|a| !matches!(a.kind, ExprKind::NoneLiteral))
                        || c.args.iter().any(|a| {
                            self.resolve_object(limiter.file, &object.scope, a)
                                .and_then(|id| self.kind(&id))
                                .is_some_and(ObjectKind::is_app)
                        })
                });
                by_argument
                    || limiter.name.ends_with(UNBOUND_SUFFIX)
                        && object
                            .call
                            .is_some_and(|c| self.unbound_limiter_given_app(limiter, c))
                    || self
                        .calls
                        .iter()
                        .any(|c| &c.receiver == limiter && c.method == "init_app")
                    || self.escapes(limiter)
            }
            _ => true,
        }
    }

    /// Whether a `Limiter(...)` statement no name holds is handed an application: `app=`, or a
    /// first positional argument that is not a key function (Flask-Limiter before 3.0 took the
    /// application first, later versions the key function). The application need not be one
    /// the analysis places; nothing else can attach such a limiter later.
    fn unbound_limiter_given_app(&self, limiter: &ObjectId, call: &Call) -> bool {
        if let Some(app) = call.keyword("app") {
            return !matches!(app.kind, ExprKind::NoneLiteral);
        }
        let Some(first) = call.args.first() else {
            return false;
        };
        let key_function = match &first.kind {
            ExprKind::Lambda(_) => true,
            _ => match self.model.resolve_definition(limiter.file, first) {
                Some((_, Some(Stmt::FunctionDef(_)), _)) => true,
                Some((_, _, Some(q))) => {
                    q.starts_with("flask_limiter.util.") || q.starts_with("slowapi.util.")
                }
                _ => false,
            },
        };
        !key_function
    }

    /// Whether an object is handed to code the analysis does not follow, which may attach it:
    /// passed as an argument (`GatewayAPI(limiter=limiter)`), stored in an attribute or a
    /// subscript (`self.limiter = limiter`), or returned.
    fn escapes(&self, id: &ObjectId) -> bool {
        let defining = &self.model.files[id.file];
        let qualified = format!("{}.{}", defining.module_name, id.name);
        for (index, file) in self.model.files.iter().enumerate() {
            let body: &[Stmt] = if index == id.file {
                match id.scope.and_then(|start| find_function(file.body(), start)) {
                    Some(function) => &function.body,
                    None => file.body(),
                }
            } else if id.scope.is_none()
                && file.imports.iter().any(|(_, q)| {
                    q == qualified
                        || qualified.starts_with(q) && qualified[q.len()..].starts_with('.')
                })
            {
                file.body()
            } else {
                continue;
            };
            let is_ref = |e: &Expr| match &e.kind {
                ExprKind::Name(n) if index == id.file && n == id.name => true,
                ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                    file.imports.resolve(e).as_deref() == Some(qualified.as_str())
                }
                _ => false,
            };
            let mut found = false;
            visit_stmts(body, &mut |stmt| match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    found |= is_ref(value)
                        && targets.iter().any(|t| {
                            matches!(
                                t.kind,
                                ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
                            )
                        });
                    found |= passes(value, &is_ref);
                }
                Stmt::Return { value: Some(v), .. } => found |= is_ref(v) || passes(v, &is_ref),
                Stmt::Expr { value, .. } => found |= passes(value, &is_ref),
                _ => {}
            });
            if found {
                return true;
            }
        }
        false
    }

    /// `pkg.module.router`, or `pkg.create_app().app` for an object made inside a function.
    pub fn display_object(&self, id: &ObjectId) -> String {
        let file = &self.model.files[id.file];
        let mut parts: Vec<String> = Vec::new();
        if !file.module_name.is_empty() {
            parts.push(file.module_name.clone());
        }
        if let Some(function) = id.scope.and_then(|start| find_function(file.body(), start)) {
            // The instance of an application class: `webui.WebUI`.
            match class_of_method(file.body(), function).filter(|_| id.name == "self") {
                Some(class) => {
                    parts.push(class.name.to_string());
                    return parts.join(".");
                }
                None => parts.push(format!("{}()", function.name)),
            }
        }
        if id.name != RETURNED {
            parts.push(id.name.clone());
        }
        parts.join(".")
    }

    /// The object whose method a decorator calls, with the method's name:
    /// `@limiter.limit("5/minute")` gives `limiter` and `limit`.
    pub fn decorator_receiver(
        &self,
        file: usize,
        scope: &[&'a Function],
        decorator: &'a Expr,
    ) -> Option<(ObjectId, &'a str)> {
        let ExprKind::Call(call) = &decorator.kind else {
            return None;
        };
        let ExprKind::Attribute { value, attr } = &call.func.kind else {
            return None;
        };
        Some((self.resolve_object(file, scope, value)?, attr.as_str()))
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

/// The parameters of the plugin functions a pluggy hook call reaches: project functions of the
/// hook's name with a decorator (`@hookimpl`), each keyword argument bound to the parameter of
/// the same name.
fn plugin_links<'a>(
    model: &'a ProjectModel,
    calls: Vec<PluginHookCall<'a>>,
) -> Vec<ParameterLink<'a>> {
    let mut out = Vec::new();
    for call in calls {
        for (index, file) in model.files.iter().enumerate() {
            let Some(Stmt::FunctionDef(function)) = file.top_level(&call.name) else {
                continue;
            };
            if function.decorators.is_empty() {
                continue;
            }
            for (keyword, object) in &call.arguments {
                if !function.params.iter().any(|p| p.name == *keyword) {
                    continue;
                }
                out.push(ParameterLink {
                    parent: object.clone(),
                    child: ObjectId {
                        file: index,
                        scope: Some(function.span.start),
                        name: keyword.clone(),
                    },
                    when: call.when.clone(),
                    exists: call.when.clone(),
                    file: call.file,
                    scope: call.scope.as_slice().into(),
                    span: call.span,
                });
            }
        }
    }
    out
}

/// What Flask-Classful's `FlaskView` itself defines: not routes of a subclass.
const CLASSFUL_VIEW_MEMBERS: &[&str] = &[
    "register",
    "make_proxy_method",
    "build_rule",
    "get_route_base",
    "default_route_base",
    "build_route_name",
    "route_base",
    "route_prefix",
    "trailing_slash",
    "decorators",
    "base_args",
    "excluded_methods",
    "special_methods",
    "method_dashified",
    "representations",
    "default_methods",
    "init_argument",
];

/// The variable names of a URL rule: `/ws/<workspace_name>/<int:id>` gives `workspace_name`
/// and `id`.
fn rule_arguments(rule: &str) -> Vec<String> {
    rule.split('<')
        .skip(1)
        .filter_map(|part| part.split_once('>'))
        .map(|(var, _)| var.rsplit(':').next().unwrap_or(var).trim().to_string())
        .collect()
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
/// Flask's proxy for the application whose context is active.
const CURRENT_APP: &str = "flask.current_app";

/// What `current_app` stands for in a module: the application in whose context the module is
/// imported (`with app.app_context(): from . import views`), linked like a parameter.
fn current_app_of(file: usize) -> ObjectId {
    ObjectId {
        file,
        scope: None,
        name: CURRENT_APP.to_string(),
    }
}

/// The application or router a function builds from its parameter `param` as its route list
/// (`return Starlette(routes=routes)`, or `app = Starlette(routes=routes)`): its id.
fn built_with_routes(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    param: &str,
) -> Option<ObjectId> {
    let takes_param = |call: &Call| {
        call.keyword("routes").and_then(Expr::as_name) == Some(param)
            && constructed_kind(model, file, &call.func).is_some()
    };
    function.body.iter().find_map(|stmt| {
        let (name, value) = match stmt {
            Stmt::Return {
                value: Some(value), ..
            } => (RETURNED, value),
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => (targets.first()?.as_name()?, value),
            _ => return None,
        };
        value
            .as_call()
            .filter(|c| takes_param(c))
            .map(|_| ObjectId {
                file,
                scope: Some(function.span.start),
                name: name.to_string(),
            })
    })
}

/// A decorator that registers the wrapper it returns as a route: `def api_endpoint(func):`
/// with `@bp.route(...)` on a nested `def _wrapper()` that calls `func`, then `return
/// _wrapper`.
struct RouteTemplate<'a> {
    wrapper: &'a Function,
    call: &'a Call,
    receiver: &'a Expr,
    attr: &'a str,
}

fn route_template(d: &Function) -> Option<RouteTemplate<'_>> {
    let wrapped = d.params.first()?.name.as_str();
    let returned = d.body.iter().rev().find_map(|stmt| match stmt {
        Stmt::Return { value: Some(v), .. } => v.as_name(),
        _ => None,
    })?;
    d.body.iter().find_map(|stmt| {
        let Stmt::FunctionDef(w) = stmt else {
            return None;
        };
        if w.name != returned {
            return None;
        }
        let calls_wrapped = {
            let mut found = false;
            crate::security::walk_all_exprs(&w.body, &mut |e| {
                found |= e.any(&mut |x| {
                    x.as_call()
                        .is_some_and(|c| c.func.as_name() == Some(wrapped))
                });
            });
            found
        };
        if !calls_wrapped {
            return None;
        }
        w.decorators.iter().find_map(|dec| {
            let call = dec.as_call()?;
            let (receiver, attr) = call.method()?;
            route_method(attr)?;
            Some(RouteTemplate {
                wrapper: w,
                call,
                receiver,
                attr,
            })
        })
    })
}

/// Whether a function of the file returns `partial(name, ...)` and is used as a decorator
/// factory: `@presenter("raw")` with `def presenter(view): return partial(add_presenter,
/// view=view)`.
fn used_through_partial(model: &ProjectModel, file: usize, name: &str) -> bool {
    let body = model.files[file].body();
    let returns_partial = |factory: &Function| {
        factory.body.iter().any(|stmt| {
            let Stmt::Return { value: Some(v), .. } = stmt else {
                return false;
            };
            v.as_call().is_some_and(|c| {
                c.args.first().and_then(Expr::as_name) == Some(name)
                    && model.files[file].imports.resolve(&c.func).as_deref()
                        == Some("functools.partial")
            })
        })
    };
    body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(factory) => {
            returns_partial(factory) && used_as_decorator_call(body, &factory.name)
        }
        _ => false,
    })
}

/// Whether a function or method of `body` carries `@name(...)`.
fn used_as_decorator_call(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(f) => f
            .decorators
            .iter()
            .any(|d| d.as_call().is_some_and(|c| c.func.as_name() == Some(name))),
        Stmt::ClassDef(c) => used_as_decorator_call(&c.body, name),
        _ => false,
    })
}

/// A path in a decorator factory, read with the texts its parameters take at one use:
/// `f"{endpoint}.view"` with `endpoint` given `"/ping"`, also through a local `viewendpoint =
/// f"{endpoint}.view"`.
fn bound_path_text(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
    bound: &[(&str, String)],
    depth: u32,
) -> String {
    match &expr.kind {
        ExprKind::Name(name) => {
            if let Some((_, text)) = bound.iter().find(|(p, _)| p == name) {
                return text.clone();
            }
            if depth < 6
                && let Some(value) = scope
                    .last()
                    .and_then(|f| crate::values::local_assignment(f, name))
            {
                return bound_path_text(model, file, scope, value, bound, depth + 1);
            }
            path_text(model, file, scope, Some(expr))
        }
        ExprKind::FString(parts) if depth < 6 => fstring_path(parts, |v| {
            Some(bound_path_text(model, file, scope, v, bound, depth + 1))
                .filter(|text| text != "<dynamic>")
        }),
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } if depth < 6 => {
            bound_path_text(model, file, scope, left, bound, depth + 1)
                + &bound_path_text(model, file, scope, right, bound, depth + 1)
        }
        _ => path_text(model, file, scope, Some(expr)),
    }
}

/// Whether a function or method of `body` carries `@name`.
fn used_as_decorator(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(f) => f.decorators.iter().any(|d| d.as_name() == Some(name)),
        Stmt::ClassDef(c) => used_as_decorator(&c.body, name),
        _ => false,
    })
}

/// The local names a decorator derives from the decorated function's name, for `function`:
/// `name = func.__name__`, `method, _, name = func.__name__.partition("_")` (or `rpartition`).
fn name_parts(d: &Function, function: &str) -> Vec<(String, String)> {
    let Some(wrapped) = d.params.first().map(|p| p.name.as_str()) else {
        return Vec::new();
    };
    let is_name_of_wrapped = |e: &Expr| {
        matches!(&e.kind, ExprKind::Attribute { value, attr }
            if attr == "__name__" && value.as_name() == Some(wrapped))
    };
    let mut out = Vec::new();
    for stmt in &d.body {
        let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        else {
            continue;
        };
        let Some(target) = targets.first() else {
            continue;
        };
        if is_name_of_wrapped(value) {
            if let Some(n) = target.as_name() {
                out.push((n.to_string(), function.to_string()));
            }
            continue;
        }
        let (Some(call), ExprKind::Tuple(items)) = (value.as_call(), &target.kind) else {
            continue;
        };
        let Some((receiver, attr)) = call.method() else {
            continue;
        };
        let Some(sep) = call.args.first().and_then(Expr::as_str) else {
            continue;
        };
        if !is_name_of_wrapped(receiver) || items.len() != 3 || sep.is_empty() {
            continue;
        }
        let split = match attr {
            "partition" => function.split_once(sep),
            "rpartition" => function.rsplit_once(sep),
            _ => continue,
        };
        let (head, tail) = split.unwrap_or(if attr == "partition" {
            (function, "")
        } else {
            ("", function)
        });
        for (item, value) in items.iter().zip([head, sep, tail]) {
            if let Some(n) = item.as_name() {
                out.push((n.to_string(), value.to_string()));
            }
        }
    }
    out
}

/// An ASGI middleware wrapped around an application where it is mounted:
/// `AuthenticationMiddleware(private_app, backend=...)`, or `auth(private_app)` after `auth =
/// functools.partial(AuthenticationMiddleware, backend=...)`.
struct MiddlewareWrapper<'a> {
    wrapped: &'a Expr,
    class: &'a Expr,
    /// The call that holds the middleware's options (the `partial(...)` call for a partial).
    options: &'a Call,
    /// The file `class` and `options` are written in.
    file: usize,
}

impl<'a> MiddlewareWrapper<'a> {
    /// The middleware, registered on the application it wraps.
    fn registration(&self, app: &ObjectId, span: Span, when: When) -> MiddlewareReg<'a> {
        MiddlewareReg {
            owner: Some(app.clone()),
            class: self.class,
            call: self.options,
            file: self.file,
            span,
            when,
        }
    }
}

fn middleware_wrapper<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
) -> Option<MiddlewareWrapper<'a>> {
    let call = expr.as_call()?;
    let wrapped = call.argument("app", 0)?;
    let partial = model
        .follow(file, scope, &call.func)
        .filter(|origin| !std::ptr::eq(origin.expr, &call.func))
        .and_then(|origin| {
            let inner = origin.expr.as_call()?;
            let q = model.files[origin.file].imports.resolve(&inner.func)?;
            (q == "functools.partial").then_some((origin.file, inner))
        });
    let (class, options, class_file) = match partial {
        Some((f, inner)) => (inner.args.first()?, inner, f),
        None => (&call.func, call, file),
    };
    // Only a middleware class: `mount("/v1", create_app(settings))` builds an application.
    let named_middleware = class.last_name().is_some_and(|n| n.ends_with("Middleware"));
    named_middleware.then_some(MiddlewareWrapper {
        wrapped,
        class,
        options,
        file: class_file,
    })
}

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
                if let Some(value) = object_assignment(f, name) {
                    let id = ObjectId {
                        file,
                        scope: Some(f.span.start),
                        name: name.to_string(),
                    };
                    if is_derived_instance(model, file, f, name, value, depth) {
                        return Some(id);
                    }
                    return object_from_value(model, file, &scope[..=i], value, id, depth);
                }
                if f.params.iter().any(|p| p.name == name) {
                    return Some(ObjectId {
                        file,
                        scope: Some(f.span.start),
                        name: name.to_string(),
                    });
                }
                // `app, api = initialize_flask()` where the factory ends `return app, api`.
                if f.assigned.may_contain(name)
                    && let Some((index, call)) = unpacked_call(&f.body, name)
                {
                    return unpacked_factory_result(model, file, &call.func, index, depth + 1);
                }
            }
            let module = &model.files[file];
            if let Some(stmt) = module.top_level(name) {
                match stmt {
                    // `bp = None` before `try: from .sync import bp`: the other binding.
                    Stmt::Assign {
                        value: Some(value), ..
                    } if matches!(value.kind, ExprKind::NoneLiteral) => {}
                    Stmt::Assign {
                        value: Some(value), ..
                    } => {
                        let id = ObjectId {
                            file,
                            scope: None,
                            name: name.to_string(),
                        };
                        return object_from_value(model, file, &[], value, id, depth);
                    }
                    _ => return None,
                }
            }
            if module.imports.get(name) == Some(CURRENT_APP) {
                return Some(current_app_of(file));
            }
            let Some(qualified) = module.imports.get(name) else {
                module.block_binding(name)?;
                // `if limiter_present: limiter = Limiter(...) else: limiter = None`: a module
                // object bound only under a module-level `if` or `try`.
                return conditional_module_object(
                    model,
                    file,
                    &module.parsed.module.body,
                    name,
                    depth,
                );
            };
            let qualified = qualified.to_string();
            resolve_qualified(model, &qualified, depth)
        }
        ExprKind::Attribute { value, attr } => {
            // `self.router = APIRouter()` in one method, `self.router.add_api_route(...)` in
            // another: the instance's router, before `app.router` standing for the app.
            if let Some(id) = instance_attribute_object(model, file, scope, value, attr) {
                return Some(id);
            }
            if attr == "router"
                && let Some(id) = resolve_object(model, file, scope, value, depth + 1)
            {
                return Some(id);
            }
            // `app.register_blueprint(api.blueprint)`: the blueprint a Flask-RESTful or
            // flask-restx `Api(bp)` was built on.
            if attr == "blueprint"
                && let Some(api) = resolve_object(model, file, scope, value, depth + 1)
                && let Some(blueprint) = api_blueprint(model, &api, depth + 1)
            {
                // `resources = notes_api(bp)`: the factory's parameter is the caller's `bp`.
                let factory_call = value
                    .as_name()
                    .and_then(|n| {
                        scope
                            .iter()
                            .rev()
                            .find_map(|f| crate::values::local_assignment(f, n))
                    })
                    .or(Some(&**value))
                    .and_then(Expr::as_call);
                let passed = factory_call.and_then(|call| {
                    let (_, stmt, _) = model.resolve_definition(file, &call.func)?;
                    let Some(Stmt::FunctionDef(factory)) = stmt else {
                        return None;
                    };
                    if blueprint.scope != Some(factory.span.start) {
                        return None;
                    }
                    let index = factory
                        .params
                        .iter()
                        .position(|p| p.name == blueprint.name)?;
                    let arg = call.argument(&blueprint.name, index)?;
                    resolve_object(model, file, scope, arg, depth + 1)
                });
                return Some(passed.unwrap_or(blueprint));
            }
            // `app.include_router(self.authentication.router)`: what a `@property` of the
            // instance's class builds and returns.
            if let ExprKind::Attribute { attr, .. } = &expr.kind
                && model.may_be_property(attr)
                && let Some((def_file, method)) = bound_method(model, file, scope, expr)
                && method
                    .decorators
                    .iter()
                    .any(|d| d.as_name() == Some("property"))
                && let Some(id) = returned_object_of(model, def_file, method, None, depth + 1)
            {
                return Some(id);
            }
            if let Some(qualified) = model.files[file].imports.resolve(expr)
                && let Some(id) = resolve_qualified(model, &qualified, depth)
            {
                return Some(id);
            }
            // `app_state.api.include_router(...)` after `app_state.api = FastAPI()`.
            module_instance_attribute(model, file, scope, value, attr)
        }
        // `self._app.include_router(self._router())`: what a method of the instance returns.
        ExprKind::Call(call) => {
            let value = uncast(model, file, expr);
            if !std::ptr::eq(value, expr) {
                return resolve_object(model, file, scope, value, depth + 1);
            }
            call_result(model, file, scope, call, depth).or_else(|| {
                let (def_file, method) = bound_method(model, file, scope, &call.func)?;
                returned_object_of(model, def_file, method, None, depth + 1)
            })
        }
        ExprKind::Await(inner) => resolve_object(model, file, scope, inner, depth + 1),
        _ => None,
    }
}

/// The value of the last `name = value` in a function's body that may hold an object: `bp =
/// None` (in `except ImportError:`, or a reset) binds nothing that routes are registered on, so
/// the name's other bindings (an earlier value, an import in `try:`) are what it is used as.
fn object_assignment<'a>(function: &'a Function, name: &str) -> Option<&'a Expr> {
    let value = crate::values::local_assignment(function, name)?;
    if !matches!(value.kind, ExprKind::NoneLiteral) {
        return Some(value);
    }
    crate::values::last_assignment_where(&function.body, name, &|v| {
        !matches!(v.kind, ExprKind::NoneLiteral)
    })
}

/// The first framework object bound to `name` inside the module-level `if`/`try` blocks of
/// `body` (not in functions or classes).
fn conditional_module_object(
    model: &ProjectModel,
    file: usize,
    body: &[Stmt],
    name: &str,
    depth: u32,
) -> Option<ObjectId> {
    for stmt in body {
        match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.iter().any(|t| t.as_name() == Some(name)) => {
                let id = ObjectId {
                    file,
                    scope: None,
                    name: name.to_string(),
                };
                if let Some(found) = object_from_value(model, file, &[], value, id, depth + 1) {
                    return Some(found);
                }
            }
            Stmt::If { .. } | Stmt::Try { .. } | Stmt::With { .. } => {
                for child in stmt.child_bodies() {
                    if let Some(found) = conditional_module_object(model, file, child, name, depth)
                    {
                        return Some(found);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// `a, name = factory(...)` among a function's top-level statements: the position of `name`
/// in the target tuple and the call.
fn unpacked_call<'a>(body: &'a [Stmt], name: &str) -> Option<(usize, &'a Call)> {
    body.iter().rev().find_map(|stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } => {
            let call = value.as_call()?;
            targets.iter().find_map(|t| match &t.kind {
                ExprKind::Tuple(items) | ExprKind::List(items) => items
                    .iter()
                    .position(|i| i.as_name() == Some(name))
                    .map(|index| (index, call)),
                _ => None,
            })
        }
        _ => None,
    })
}

/// The object at `index` of the tuple a project factory returns (`return app, api`).
fn unpacked_factory_result(
    model: &ProjectModel,
    file: usize,
    func: &Expr,
    index: usize,
    depth: u32,
) -> Option<ObjectId> {
    returned_object(model, file, func, Some(index), depth)
}

/// Whether `function` returns the variable `name`.
fn returns_name(function: &Function, name: &str) -> bool {
    let mut found = false;
    for_each_return(&function.body, &mut |v| found |= v.as_name() == Some(name));
    found
}

/// `app = create_app()` in a function that returns `app`, where `create_app` is another
/// project factory: the function builds its own variant of that application.
fn is_derived_instance(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    name: &str,
    value: &Expr,
    depth: u32,
) -> bool {
    let Some(call) = value.as_call() else {
        return false;
    };
    if !matches!(
        call.func.kind,
        ExprKind::Name(_) | ExprKind::Attribute { .. }
    ) || constructed_kind(model, file, &call.func).is_some()
        || !returns_name(function, name)
    {
        return false;
    }
    factory_result(model, file, &call.func, depth + 1)
        .is_some_and(|base| base.file != file || base.scope != Some(function.span.start))
}

fn resolve_qualified(model: &ProjectModel, qualified: &str, depth: u32) -> Option<ObjectId> {
    let Some((def_file, stmt)) = model.definition(qualified) else {
        // `with warnings.catch_warnings(): bp = Blueprint(...)` in the defining module.
        let (module, name) = qualified.rsplit_once('.')?;
        let (file, source) = model.module(module)?;
        if source.imports.get(name).is_some() {
            return None;
        }
        let block = std::slice::from_ref(source.block_binding(name)?);
        return conditional_module_object(model, file, block, name, depth + 1);
    };
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

/// `typing.cast(T, value)` is `value` at run time: `app = cast(MyFastAPI, FastAPI())`. So is
/// the object a library wrapper patches and hands back: flask-restful-swagger's
/// `swagger.docs(Api(app), apiVersion="1.0")` returns the `Api` it is given, with its own
/// `add_resource` that still registers on it.
pub(crate) fn uncast<'a>(model: &ProjectModel, file: usize, value: &'a Expr) -> &'a Expr {
    let mut value = value;
    while let Some(call) = value.as_call() {
        let (callee, inner) = match (&call.func.kind, call.args.as_slice()) {
            (ExprKind::Name(n), [_, inner]) if n == "cast" => ("typing.cast", inner),
            (ExprKind::Attribute { attr, .. }, [_, inner]) if attr == "cast" => {
                ("typing.cast", inner)
            }
            (ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. }, _) if n == "docs" => {
                match call.argument("api", 0) {
                    Some(inner) => ("flask_restful_swagger.swagger.docs", inner),
                    None => break,
                }
            }
            _ => break,
        };
        if model.files[file].imports.resolve(&call.func).as_deref() != Some(callee) {
            break;
        }
        value = inner;
    }
    value
}

fn object_from_value<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    value: &'a Expr,
    id: ObjectId,
    depth: u32,
) -> Option<ObjectId> {
    match &uncast(model, file, value).kind {
        ExprKind::Call(call) => {
            if constructed_kind(model, file, &call.func).is_some() {
                return Some(id);
            }
            if let Some(target) = import_string_target(model, file, call) {
                return resolve_qualified(model, &target, depth + 1).or(Some(id));
            }
            // `tenant_router = include_routers(APIRouter(...))`: each such call builds its own
            // router, named by the variable; so does `report_api = make_blueprint("report")`.
            if built_for_returned_parameter(model, file, scope, call).is_some()
                || per_call_blueprint(model, file, scope, call).is_some()
            {
                return Some(id);
            }
            // `fastapi_app = self._make_app()`: a method of the class that builds one.
            if let ExprKind::Attribute { value, .. } = &call.func.kind
                && value.as_name() == Some("self")
            {
                return bound_method(model, file, scope, &call.func)
                    .and_then(|(def_file, method)| {
                        returned_object_of(model, def_file, method, None, depth + 1)
                    })
                    .or(Some(id));
            }
            // `app = info.load_app()` in a command of a `FlaskGroup(create_app=...)`.
            if let Some((factory_file, factory)) = script_info_factory(model, file, scope, call) {
                return factory_result(model, factory_file, factory, depth + 1).or(Some(id));
            }
            call_result(model, file, scope, call, depth + 1)
                // `notes = NotesRouter(s).get_router()`: what the instance's method returns,
                // as for the call written in place.
                .or_else(|| {
                    let (def_file, method) = bound_method(model, file, scope, &call.func)?;
                    returned_object_of(model, def_file, method, None, depth + 1)
                })
                .or(Some(id))
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            resolve_object(model, file, scope, value, depth + 1).or(Some(id))
        }
        _ => Some(id),
    }
}

/// The application factory behind `info.load_app()`: `info` is the `ScriptInfo` that
/// `@pass_script_info` hands a command of a click group built with Flask's `FlaskGroup` and
/// `create_app=factory` (`@click.group(cls=FlaskGroup, create_app=create_app)` or `cli =
/// FlaskGroup(create_app=create_app)`), and `load_app()` returns what that factory builds.
/// The factory's file and expression.
fn script_info_factory<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    call: &'a Call,
) -> Option<(usize, &'a Expr)> {
    let ExprKind::Attribute { value, attr } = &call.func.kind else {
        return None;
    };
    if attr != "load_app" || !call.args.is_empty() {
        return None;
    }
    let command = scope.last()?;
    let info = value.as_name()?;
    if !command.params.iter().any(|p| p.name == info) {
        return None;
    }
    let imports = &model.files[file].imports;
    let is = |e: &Expr, q: &str| imports.resolve(e).is_some_and(|r| r == q);
    if !command
        .decorators
        .iter()
        .any(|d| is(d, "flask.cli.pass_script_info"))
    {
        return None;
    }
    command.decorators.iter().find_map(|d| {
        let func = d.as_call().map_or(d, |c| &c.func);
        let ExprKind::Attribute { value: group, attr } = &func.kind else {
            return None;
        };
        if attr != "command" {
            return None;
        }
        let (group_file, Some(stmt), _) = model.resolve_definition(file, group)? else {
            return None;
        };
        let group_imports = &model.files[group_file].imports;
        let flask_group = |e: &Expr| {
            group_imports
                .resolve(e)
                .is_some_and(|q| q == "flask.cli.FlaskGroup")
        };
        let factory = match stmt {
            // `@click.group(cls=FlaskGroup, create_app=create_app) def cli(): ...`
            Stmt::FunctionDef(g) => g.decorators.iter().find_map(|d| {
                let c = d.as_call()?;
                c.keyword("cls")
                    .is_some_and(flask_group)
                    .then(|| c.keyword("create_app"))
                    .flatten()
            }),
            // `cli = FlaskGroup(create_app=create_app)`
            Stmt::Assign {
                value: Some(value), ..
            } => value
                .as_call()
                .filter(|c| flask_group(&c.func))
                .and_then(|c| c.keyword("create_app")),
            _ => None,
        }?;
        Some((group_file, factory))
    })
}

/// `importlib.import_module(name, package)`'s absolute module name: `.items` with package
/// `app.v1` is `app.v1.items`, `..items` is `app.items`. `None` for a relative name without a
/// package.
fn absolute_import_name(name: &str, package: Option<&str>) -> Option<String> {
    let rest = name.trim_start_matches('.');
    let level = name.len() - rest.len();
    if level == 0 {
        return Some(name.to_string());
    }
    let mut base: Vec<&str> = package?.split('.').collect();
    base.truncate(base.len().checked_sub(level - 1)?);
    if base.is_empty() {
        return None;
    }
    if !rest.is_empty() {
        base.push(rest);
    }
    Some(base.join("."))
}

/// The literal strings a collection of names can hold, for a loop that imports a module per
/// name: a literal list, tuple or set, through `set(...)`/`list(...)`/`tuple(...)`, `+` and `|`
/// (both sides), the left side of `-` (removals the settings may ask for), every assignment of
/// a name (`if not endpoints: endpoints = DEFAULT_ENDPOINTS - removed`), and a module-level
/// function's parameter through that function's calls in its module. Values the code reads
/// from settings add nothing: what is listed is the code's default.
fn literal_names<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    out: &mut Vec<String>,
    depth: u32,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match &expr.kind {
        ExprKind::Str(s) => out.push(s.to_string()),
        ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
            for item in items {
                let item = match &item.kind {
                    ExprKind::Starred(inner) => inner,
                    _ => item,
                };
                literal_names(model, file, scope, item, out, depth + 1);
            }
        }
        ExprKind::BinOp { left, op, right } => match op {
            BinOp::Add | BinOp::BitOr => {
                literal_names(model, file, scope, left, out, depth + 1);
                literal_names(model, file, scope, right, out, depth + 1);
            }
            BinOp::Sub => literal_names(model, file, scope, left, out, depth + 1),
            _ => {}
        },
        ExprKind::Call(call)
            if call.args.len() == 1
                && call.keywords.is_empty()
                && matches!(
                    model.files[file].imports.resolve(&call.func).as_deref(),
                    Some(
                        "builtins.set"
                            | "builtins.list"
                            | "builtins.tuple"
                            | "builtins.frozenset"
                            | "builtins.sorted"
                    )
                ) =>
        {
            literal_names(model, file, scope, &call.args[0], out, depth + 1);
        }
        ExprKind::Name(name) => {
            let assigned_in = |body: &'a [Stmt]| {
                let mut values = Vec::new();
                crate::security::walk_stmts(body, &mut |stmt| {
                    if let Stmt::Assign {
                        targets,
                        value: Some(value),
                        ..
                    } = stmt
                        && targets.iter().any(|t| t.as_name() == Some(name.as_str()))
                    {
                        values.push(value);
                    }
                });
                values
            };
            for (i, f) in scope.iter().enumerate().rev() {
                let values = assigned_in(&f.body);
                if !values.is_empty() {
                    for value in values {
                        literal_names(model, file, &scope[..=i], value, out, depth + 1);
                    }
                    return;
                }
                if let Some(index) = f.params.iter().position(|p| p.name == *name) {
                    // `def apply_endpoints(app, modules)`, called as
                    // `apply_endpoints(application, endpoints)` in its module.
                    for (call_scope, call) in module_function_calls(model, file, f) {
                        if let Some(argument) = call.argument(name, index) {
                            literal_names(model, file, &call_scope, argument, out, depth + 1);
                        }
                    }
                    return;
                }
            }
            let values = assigned_in(model.files[file].body());
            if !values.is_empty() {
                for value in values {
                    literal_names(model, file, &[], value, out, depth + 1);
                }
                return;
            }
            // `from app.settings import DEFAULT_ENDPOINTS`
            let origin = model.resolve_value(file, &[], expr);
            if origin.file != file {
                literal_names(
                    model,
                    origin.file,
                    &origin.scope,
                    origin.expr,
                    out,
                    depth + 1,
                );
            }
        }
        _ => {}
    }
}

/// The calls of module-level function `function` by name in its own module, with the scope
/// each is written in (module level, or a module-level function).
fn module_function_calls<'a>(
    model: &'a ProjectModel,
    file: usize,
    function: &Function,
) -> Vec<(Vec<&'a Function>, &'a Call)> {
    let body = model.files[file].body();
    let module_level = body
        .iter()
        .any(|s| matches!(s, Stmt::FunctionDef(f) if std::ptr::eq(f.as_ref(), function)));
    if !module_level {
        return Vec::new();
    }
    let mut found = Vec::new();
    for stmt in body {
        let (scope, stmts): (Vec<&'a Function>, &'a [Stmt]) = match stmt {
            Stmt::FunctionDef(f) => (vec![f.as_ref()], &f.body),
            Stmt::ClassDef(_) => continue,
            other => (Vec::new(), std::slice::from_ref(other)),
        };
        crate::security::walk_all_exprs(stmts, &mut |e| {
            e.any(&mut |x| {
                if let Some(call) = x.as_call()
                    && call.func.as_name() == Some(function.name.as_str())
                {
                    found.push((scope.clone(), call));
                }
                false
            });
        });
    }
    found
}

/// The tuples of a literal list of rows, through names, imports and `+`: `ROUTES = TagRoutes +
/// [("/tag", Tag)]`. Each with the file and scope it is written in.
fn literal_rows<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    list: &'a Expr,
    out: &mut Vec<(usize, Vec<&'a Function>, Vec<&'a Expr>)>,
    depth: u32,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let origin = model.resolve_value(file, scope, list);
    match &origin.expr.kind {
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } => {
            for side in [left, right] {
                literal_rows(model, origin.file, &origin.scope, side, out, depth + 1);
            }
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            for item in items {
                if let ExprKind::Starred(inner) = &item.kind {
                    literal_rows(model, origin.file, &origin.scope, inner, out, depth + 1);
                } else if let Some(parts) = item.elements() {
                    out.push((origin.file, origin.scope.clone(), parts.iter().collect()));
                }
            }
        }
        _ => {}
    }
}

/// The Starlette or FastAPI route class a call builds: `Route`, `APIRoute`, `Mount`, or a
/// project class derived from one (`class APIRoute(fastapi.routing.APIRoute)` that only changes
/// how requests are read).
pub(crate) fn route_class(model: &ProjectModel, file: usize, func: &Expr) -> Option<String> {
    let is_route = |q: &str| {
        matches!(
            q,
            "starlette.routing.Route"
                | "starlette.routing.WebSocketRoute"
                | "starlette.routing.Mount"
                | "fastapi.routing.APIRoute"
                | "fastapi.routing.APIWebSocketRoute"
        )
    };
    let resolved = model.files[file].imports.resolve(func);
    if let Some(q) = resolved.filter(|q| is_route(q)) {
        return Some(q);
    }
    callee_lineage(model, file, func)?
        .into_iter()
        .find(|q| is_route(q))
}

/// The lineage ([`class_lineage`]) of the project class a call builds: one defined at module
/// level, or inside the function that uses it (`def create_app(): class CustomFlask(Flask)`).
fn callee_lineage(model: &ProjectModel, file: usize, func: &Expr) -> Option<Vec<String>> {
    match model.resolve_definition(file, func) {
        Some((class_file, Some(Stmt::ClassDef(class)), _)) => {
            Some(class_lineage(model, class_file, class))
        }
        Some(_) => None,
        None => {
            let class = model.files[file].local_class(func.as_name()?)?;
            Some(class_lineage(model, file, class))
        }
    }
}

/// `import_from_string("service.main:app")`: the qualified name of the object that uvicorn's
/// and werkzeug's import-string helpers load, `service.main.app`, when the string is literal.
fn import_string_target(model: &ProjectModel, file: usize, call: &Call) -> Option<String> {
    let helper = model.files[file].imports.resolve(&call.func)?;
    let text = call.args.first()?.as_str()?;
    let target = match helper.as_str() {
        "uvicorn.importer.import_from_string" => {
            text.split_once(':').map(|(m, a)| format!("{m}.{a}"))?
        }
        "werkzeug.utils.import_string" | "werkzeug.import_string" => text.replacen(':', ".", 1),
        _ => return None,
    };
    Some(target)
}

/// `views["me"]` where `views = {k: obj_or_import_string(v) for k, v in
/// app.config.get("VIEWS", config.VIEWS).items()}`: the class the import string of the default
/// dict's `"me"` entry names (`"accounts.views:MeView"`). The settings may name another class;
/// the default is what runs unless they do.
fn import_string_view<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    receiver: &'a Expr,
) -> Option<(usize, &'a Class)> {
    let ExprKind::Subscript { value, slice } = &receiver.kind else {
        return None;
    };
    let key = slice.as_str()?;
    let origin = model.resolve_value(file, scope, value);
    let ExprKind::Comprehension {
        element,
        value: Some(loaded),
        generators,
    } = &origin.expr.kind
    else {
        return None;
    };
    let ([generator], Some(loaded)) = (generators.as_slice(), loaded.as_call()) else {
        return None;
    };
    let ExprKind::Tuple(targets) = &generator.target.kind else {
        return None;
    };
    let ([key_name, value_name], [argument]) = (targets.as_slice(), loaded.args.as_slice()) else {
        return None;
    };
    if element.as_name().is_none()
        || element.as_name() != key_name.as_name()
        || argument.as_name().is_none()
        || argument.as_name() != value_name.as_name()
        || !loads_import_string(model, origin.file, &loaded.func)
    {
        return None;
    }
    // `mapping.items()`, or `settings.get("KEY", default).items()`: the default.
    let items = generator.iter.as_call()?;
    let ExprKind::Attribute {
        value: mapping,
        attr,
    } = &items.func.kind
    else {
        return None;
    };
    if attr != "items" || !items.args.is_empty() {
        return None;
    }
    let (setting, mapping) = match mapping.as_call() {
        Some(get)
            if get.args.len() == 2
                && matches!(&get.func.kind, ExprKind::Attribute { attr, .. } if attr == "get") =>
        {
            (get.args[0].as_str(), &get.args[1])
        }
        _ => (None, mapping.as_ref()),
    };
    let dict = model.resolve_value(origin.file, &origin.scope, mapping);
    let mut entries = match &dict.expr.kind {
        ExprKind::Dict(entries) => entries,
        _ => return None,
    };
    // `app.config.get("VIEWS", {})`, the extension filling the setting in from its config
    // module: the one module-level `VIEWS = {...}` of the project.
    if entries.is_empty() {
        let mut defaults = model
            .files
            .iter()
            .filter_map(|f| match f.top_level(setting?)? {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } if targets.len() == 1 => match &value.kind {
                    ExprKind::Dict(entries) => Some(entries),
                    _ => None,
                },
                _ => None,
            });
        entries = defaults.next()?;
        if defaults.next().is_some() {
            return None;
        }
    }
    let text = entries
        .iter()
        .find(|e| e.key.as_ref().and_then(Expr::as_str) == Some(key))?
        .value
        .as_str()?;
    match model.lookup(&text.replacen(':', ".", 1)) {
        Ok((f, Stmt::ClassDef(class))) => Some((f, class)),
        _ => None,
    }
}

/// werkzeug's `import_string`, or a project function that hands its first parameter to it
/// (`def obj_or_import_string(value): if isinstance(value, str): return import_string(value)`).
fn loads_import_string(model: &ProjectModel, file: usize, func: &Expr) -> bool {
    const LOADERS: &[&str] = &["werkzeug.utils.import_string", "werkzeug.import_string"];
    if model.files[file].imports.resolves_to(func, LOADERS) {
        return true;
    }
    let Some((def_file, Some(Stmt::FunctionDef(function)), _)) =
        model.resolve_definition(file, func)
    else {
        return false;
    };
    let Some(param) = function.params.first().map(|p| p.name.as_str()) else {
        return false;
    };
    let imports = &model.files[def_file].imports;
    let mut found = false;
    crate::values::for_each_return(&function.body, &mut |value| {
        found |= value.as_call().is_some_and(|call| {
            imports.resolves_to(&call.func, LOADERS)
                && call.args.first().and_then(Expr::as_name) == Some(param)
        });
    });
    found
}

/// [`factory_result`] of a call; when the function returns one of its parameters
/// (`def attach_routes(router): ...; return router`), the object the call passes for it.
fn call_result<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    call: &'a Call,
    depth: u32,
) -> Option<ObjectId> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (def_file, Stmt::FunctionDef(function)) = model.project_definition(file, &call.func)?
    else {
        return None;
    };
    let result = returned_object_of(model, def_file, function, None, depth)?;
    if result.scope != Some(function.span.start)
        || call.args.is_empty() && call.keywords.is_empty()
        || !function.params.iter().any(|p| p.name == result.name)
    {
        return Some(result);
    }
    let argument = call.keyword(&result.name).or_else(|| {
        let position = function
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional))
            .position(|p| p.name == result.name)?;
        positional_args(&call.args).nth(position)
    });
    match argument {
        Some(argument) => resolve_object(model, file, scope, argument, depth + 1).or(Some(result)),
        None => Some(result),
    }
}

/// `report_api = make_subapi_blueprint(SUB_API, api_version=4)`, where the project function
/// only returns `Blueprint(name, name, url_prefix=EXPR)` and EXPR reads its parameters: each
/// call builds a blueprint of its own, whose prefix its arguments give (see
/// [`per_call_blueprint_prefix`]). The function's file, the function and the construction.
fn per_call_blueprint<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    call: &'a Call,
) -> Option<(usize, &'a Function, &'a Call)> {
    // Most calls are of no such helper: test the name before resolving it.
    if !call
        .func
        .last_name()
        .is_some_and(|n| model.may_build_prefixed_object(n))
    {
        return None;
    }
    let (def_file, function, _) = function_in(model, file, scope, &call.func)?;
    let mut returned = Vec::new();
    for_each_return(&function.body, &mut |v| returned.push(v));
    let [value] = returned[..] else {
        return None;
    };
    let inner = value.as_call()?;
    let prefix = inner.keyword("url_prefix")?;
    let reads_parameter = prefix.any(&mut |e| {
        e.as_name()
            .is_some_and(|n| function.params.iter().any(|p| p.name == n))
    });
    (reads_parameter
        && constructed_kind(model, def_file, &inner.func) == Some(ObjectKind::Blueprint))
    .then_some((def_file, function, inner))
}

/// The prefix of the blueprint a [`per_call_blueprint`] call builds: the function's
/// `url_prefix` expression with the parameters it reads bound to the call's arguments (literals
/// or constants, read where the call is) or to their defaults. `None` when a part is unknown
/// (an argument computed at run time, a `*args` or `**kwargs` spread).
fn per_call_blueprint_prefix(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    call: &Call,
    (def_file, function, inner): (usize, &Function, &Call),
) -> Option<String> {
    if call.has_kwargs_spread()
        || call
            .args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Starred(_)))
    {
        return None;
    }
    let value = inner.keyword("url_prefix")?;
    let mut args: Vec<(&str, String)> = Vec::new();
    for (name, arg) in call_bindings(function, call, false) {
        let read = value.any(&mut |e| e.as_name() == Some(name));
        if !read {
            continue;
        }
        let origin = model.resolve_value(file, scope, arg);
        let text = match &origin.expr.kind {
            ExprKind::Int(Some(n)) => n.to_string(),
            _ => path_text_at(model, file, scope, arg, 0),
        };
        if text.contains("<dynamic>") || text.contains("{…}") {
            return None;
        }
        args.push((name, text));
    }
    prefix_value_with_texts(model, def_file, None, function, value, &args, 0)
}

/// `tenant_router = include_routers(APIRouter(prefix="/{tenant}"))`, where the project function
/// returns the parameter it is given (after including routers into it): the construction the
/// call passes for that parameter, its kind, and the parameter. Each such call builds an object
/// of its own, which the parameter stands for.
fn built_for_returned_parameter<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    call: &'a Call,
) -> Option<(&'a Call, ObjectKind, ObjectId)> {
    // Only a call handed a call: most calls are not.
    if !positional_args(&call.args)
        .chain(call.keywords.iter().map(|k| &k.value))
        .any(|a| matches!(a.kind, ExprKind::Call(_)))
    {
        return None;
    }
    let (def_file, function, _) = function_in(model, file, scope, &call.func)?;
    let mut returned: Option<&str> = None;
    let mut other = false;
    for_each_return(&function.body, &mut |value| match value
        .as_name()
        .and_then(|n| function.params.iter().find(|p| p.name == n))
    {
        Some(p) if returned.is_none_or(|r| r == p.name) => returned = Some(p.name.as_str()),
        _ => other = true,
    });
    let param = returned.filter(|p| !other && !function.assigned.may_contain(p))?;
    let inner = parameter_argument(function, call, param)?.as_call()?;
    let kind = constructed_kind(model, file, &inner.func)?;
    Some((inner, kind, parameter_id(def_file, function, param)))
}

/// The object a project factory function returns: `create_app()` → the `app` it builds.
fn factory_result(model: &ProjectModel, file: usize, func: &Expr, depth: u32) -> Option<ObjectId> {
    returned_object(model, file, func, None, depth)
}

/// The object the first `return` of project function `func` gives that resolves to one: the
/// value itself, or its item at `index` when it returns a tuple.
fn returned_object(
    model: &ProjectModel,
    file: usize,
    func: &Expr,
    index: Option<usize>,
    depth: u32,
) -> Option<ObjectId> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (def_file, stmt, _) = model.resolve_definition(file, func)?;
    let Some(Stmt::FunctionDef(factory)) = stmt else {
        return None;
    };
    returned_object_of(model, def_file, factory, index, depth)
}

/// [`returned_object`] of a function already found.
fn returned_object_of(
    model: &ProjectModel,
    def_file: usize,
    factory: &Function,
    index: Option<usize>,
    depth: u32,
) -> Option<ObjectId> {
    let scope = [factory];
    let mut result = None;
    for_each_return(&factory.body, &mut |value| {
        if result.is_some() {
            return;
        }
        let value = match (index, &value.kind) {
            (None, _) => value,
            (Some(i), ExprKind::Tuple(items)) => match items.get(i) {
                Some(item) => item,
                None => return,
            },
            (Some(_), _) => return,
        };
        result = if is_construction(model, def_file, value) {
            Some(ObjectId {
                file: def_file,
                scope: Some(factory.span.start),
                name: RETURNED.to_string(),
            })
        } else {
            resolve_object(model, def_file, &scope, value, depth + 1)
        };
    });
    result
}

/// The text of an f-string path, each value's text given by `value` (`None` when unknown,
/// shown `{…}`). A value between escaped braces (`f"/{{{key_name}}}/"`) names a path
/// parameter: an unknown one is `…` inside the braces the literals already give, so the
/// path reads `/{…}/` as the framework serves it, not `/{{…}}/`.
fn fstring_path<'e>(
    parts: &'e [FStringPart],
    mut value: impl FnMut(&'e Expr) -> Option<String>,
) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        match part {
            FStringPart::Literal(l) => out.push_str(l),
            FStringPart::Value(v) => match value(v) {
                Some(text) => out.push_str(&text),
                None => {
                    let literal = |at: Option<usize>| match at.and_then(|at| parts.get(at)) {
                        Some(FStringPart::Literal(l)) => Some(l.as_str()),
                        _ => None,
                    };
                    let braced = literal(i.checked_sub(1)).is_some_and(|l| l.ends_with('{'))
                        && literal(Some(i + 1)).is_some_and(|l| l.starts_with('}'));
                    out.push_str(if braced { "…" } else { "{…}" });
                }
            },
        }
    }
    out
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
    path_text_at(model, file, scope, expr, 0)
}

/// A path's text; constants joined with `+` or in an f-string (`API + VERSION_1 + USERS`,
/// `f"{API}{VERSION_1}"`) are followed to their values, anything else is `<dynamic>`.
fn path_text_at(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
    depth: u32,
) -> String {
    let origin = model.resolve_value(file, scope, expr);
    match &origin.expr.kind {
        ExprKind::Str(s) => s.clone(),
        ExprKind::FString(parts) => fstring_path(parts, |v| {
            if depth >= 6 {
                return None;
            }
            if let Some(text) = enum_member_text(model, origin.file, v) {
                return Some(text.to_string());
            }
            Some(path_text_at(
                model,
                origin.file,
                &origin.scope,
                v,
                depth + 1,
            ))
            .filter(|text| text != "<dynamic>")
        }),
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } if depth < 6 => {
            let left = path_text_at(model, origin.file, &origin.scope, left, depth + 1);
            let right = path_text_at(model, origin.file, &origin.scope, right, depth + 1);
            if left == "<dynamic>" && right == "<dynamic>" {
                left
            } else {
                left + &right
            }
        }
        // `"/api/{0}".format(API_VERSION)`, `"/api/%s" % API_VERSION`: the template filled
        // with the constants' texts; unknown when any argument is.
        ExprKind::Call(call)
            if depth < 6
                && let ExprKind::Attribute { value, attr } = &call.func.kind
                && attr == "format"
                && let Some(template) = value.as_str() =>
        {
            constant_template_text(
                |value| format_template(call, template, value),
                |e| format_argument_text(model, origin.file, &origin.scope, e, depth),
            )
        }
        ExprKind::BinOp {
            left,
            op: BinOp::Mod,
            right,
        } if depth < 6
            && let Some(template) = left.as_str() =>
        {
            constant_template_text(
                |value| percent_template(template, right, value),
                |e| format_argument_text(model, origin.file, &origin.scope, e, depth),
            )
        }
        // `os.environ.get("CHAT_ROUTE", "/api/chat")`: the path unless the deployment sets
        // another.
        ExprKind::Call(call)
            if matches!(
                model.files[origin.file]
                    .imports
                    .resolve(&call.func)
                    .as_deref(),
                Some("os.getenv" | "os.environ.get")
            ) && depth < 6 =>
        {
            match call.argument("default", 1) {
                Some(default) => {
                    path_text_at(model, origin.file, &origin.scope, default, depth + 1)
                }
                None => "<dynamic>".to_string(),
            }
        }
        // `params.get("endpoint", "/classify")` of a settings mapping (a dict read from a JSON
        // file, a dict literal, a Flask application's `config`): the path unless the settings
        // give another, as for the environment. Never a request's data or a parameter.
        ExprKind::Call(call)
            if depth < 6
                && matches!(&call.func.kind, ExprKind::Attribute { attr, .. }
                    if attr == "get" || attr == "setdefault")
                && call.args.len() == 2 =>
        {
            let ExprKind::Attribute { value: mapping, .. } = &call.func.kind else {
                return "<dynamic>".to_string();
            };
            if is_settings_mapping(model, origin.file, &origin.scope, mapping, 0) {
                path_text_at(model, origin.file, &origin.scope, &call.args[1], depth + 1)
            } else {
                "<dynamic>".to_string()
            }
        }
        // `"/".join([api_base, module_name])`: the items joined, an unknown item shown as
        // `<dynamic>` (`<dynamic>/token`); nothing known is `<dynamic>`.
        ExprKind::Call(call)
            if depth < 6
                && call.keywords.is_empty()
                && matches!(&call.func.kind, ExprKind::Attribute { value, attr }
                    if attr == "join" && value.as_str().is_some())
                && let [items] = call.args.as_slice()
                && let Some(items) = model
                    .resolve_value(origin.file, &origin.scope, items)
                    .expr
                    .elements()
                    .filter(|items| !items.is_empty()) =>
        {
            let ExprKind::Attribute { value, .. } = &call.func.kind else {
                return "<dynamic>".to_string();
            };
            let separator = value.as_str().unwrap_or_default();
            let parts: Vec<String> = items
                .iter()
                .map(|item| path_text_at(model, origin.file, &origin.scope, item, depth + 1))
                .collect();
            // An item partly known (`f"v{api_version}"` of a helper's parameter) is read per
            // call where the helper is called (`per_call_blueprint_prefix`); here it leaves the
            // whole join unknown.
            if parts.iter().all(|p| p == "<dynamic>") || parts.iter().any(|p| p.contains("{…}")) {
                "<dynamic>".to_string()
            } else {
                parts.join(separator)
            }
        }
        // `module_name = __name__.split(".")[-1]`: the last part of the module's own name.
        ExprKind::Subscript { value, slice }
            if matches!(slice.kind, ExprKind::UnaryOp { op: UnaryOp::Neg, ref operand }
                    if matches!(operand.kind, ExprKind::Int(Some(1))))
                && value.as_call().is_some_and(|c| {
                    matches!(&c.func.kind, ExprKind::Attribute { value, attr }
                        if attr == "split" && value.as_name() == Some("__name__"))
                        && c.keywords.is_empty()
                        && matches!(c.args.as_slice(), [sep] if sep.as_str() == Some("."))
                }) =>
        {
            let module = &model.files[origin.file].module_name;
            module.rsplit('.').next().unwrap_or(module).to_string()
        }
        // `params["endpoint"]`, where the settings mapping `params` (or the project function
        // that returns it) sets the key: `params["endpoint"] = params.get("endpoint", "/x")`,
        // `{"endpoint": "/x"}`.
        ExprKind::Subscript { value, slice } if depth < 6 => {
            match slice
                .as_str()
                .and_then(|key| mapping_entry(model, origin.file, &origin.scope, value, key, 0))
            {
                Some(entry) => path_text_at(model, entry.file, &entry.scope, entry.expr, depth + 1),
                None => "<dynamic>".to_string(),
            }
        }
        // `url_prefix="/" if standalone else "/ping"` in `def blueprint(standalone=False)`:
        // the branch the parameter's default picks, as for a path that is the parameter.
        ExprKind::IfExp { test, body, orelse } if depth < 6 => {
            let truth = parameter_default_truth(&origin.scope, test)
                .or_else(|| unset_environment_truth(model, origin.file, &origin.scope, test));
            match truth {
                Some(true) => path_text_at(model, origin.file, &origin.scope, body, depth + 1),
                Some(false) => path_text_at(model, origin.file, &origin.scope, orelse, depth + 1),
                None => "<dynamic>".to_string(),
            }
        }
        // `@app.get(app.swagger_ui_oauth2_redirect_url)`: FastAPI's documentation URLs.
        ExprKind::Attribute { value, attr } if fastapi_url_default(attr).is_some() => {
            fastapi_url_attribute(model, origin.file, &origin.scope, value, attr)
                .unwrap_or_else(|| "<dynamic>".to_string())
        }
        // `def create_callback_app(callback_path: str = "/callback")`: the path unless the
        // caller passes another.
        ExprKind::Name(name) => match crate::values::parameter_default(&origin.scope, name) {
            Some(default) if default.as_str().is_some() => {
                path_text_at(model, origin.file, &origin.scope, default, depth + 1)
            }
            _ => "<dynamic>".to_string(),
        },
        _ => "<dynamic>".to_string(),
    }
}

/// A template filled by `fill` with each argument's text from `text`: `<dynamic>` when the
/// template does not fit its arguments or any argument is unknown.
fn constant_template_text<'e>(
    fill: impl FnOnce(&mut dyn FnMut(&'e Expr) -> String) -> Option<String>,
    mut text: impl FnMut(&'e Expr) -> String,
) -> String {
    let mut known = true;
    let filled = fill(&mut |e| {
        let t = text(e);
        known &= !t.contains("<dynamic>") && !t.contains('…');
        t
    });
    match filled {
        Some(filled) if known => filled,
        _ => "<dynamic>".to_string(),
    }
}

/// The text of a formatting argument: a path text, or an integer constant's digits
/// (`API_VERSION = 1`).
fn format_argument_text(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
    depth: u32,
) -> String {
    let origin = model.resolve_value(file, scope, expr);
    match origin.expr.kind {
        ExprKind::Int(Some(n)) => n.to_string(),
        _ => path_text_at(model, file, scope, expr, depth + 1),
    }
}

/// `'/{}/<sort>'.format(d)`: the template with `{}`, `{0}` and `{name}` fields replaced by
/// `value`'s text of the argument (no format specs). `None` when a field has no argument or
/// the call spreads its arguments.
fn format_template<'e>(
    call: &'e Call,
    template: &str,
    value: &mut dyn FnMut(&'e Expr) -> String,
) -> Option<String> {
    let positional: Vec<&'e Expr> = positional_args(&call.args).collect();
    if positional.len() != call.args.len() || call.has_kwargs_spread() {
        return None;
    }
    let mut out = String::new();
    let mut next = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let field: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let arg = if field.is_empty() {
                    next += 1;
                    positional.get(next - 1).copied()
                } else if let Ok(index) = field.parse::<usize>() {
                    positional.get(index).copied()
                } else {
                    call.keyword(&field)
                };
                out.push_str(&value(arg?));
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// `'/<int:node>/%s' % url`, `'/%s/%s' % (a, b)`: the template with each `%s` or `%d`
/// replaced by `value`'s text of the next argument, `%%` by `%`. `None` for other
/// conversions or a count of arguments that does not fit.
fn percent_template<'e>(
    template: &str,
    right: &'e Expr,
    value: &mut dyn FnMut(&'e Expr) -> String,
) -> Option<String> {
    let values: &'e [Expr] = match &right.kind {
        ExprKind::Tuple(items) => items,
        _ => std::slice::from_ref(right),
    };
    let mut values = values.iter();
    let mut out = String::new();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s' | 'd') => out.push_str(&value(values.next()?)),
            _ => return None,
        }
    }
    values.next().is_none().then_some(out)
}

/// The project modules `module` stands for when it is bound by `__import__(...)` or
/// `importlib.import_module(...)` of `"<package>." + name` (`%`, `.format()` or an f-string
/// alike) inside `for name in os.listdir(os.path.dirname(__file__))`, where `<package>` is
/// the package whose folder that is (the package of the file itself): every module of the
/// folder, read from the project, never imported. Empty otherwise.
fn folder_walk_modules(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    module: &Expr,
) -> Vec<usize> {
    let Some(name) = module.as_name() else {
        return Vec::new();
    };
    let source = &model.files[file];
    let body = match scope.last() {
        Some(function) => function.body.as_slice(),
        None => source.body(),
    };
    let Some(call) = crate::values::last_assignment(body, name)
        .and_then(Expr::as_call)
        .filter(|c| {
            matches!(
                source.imports.resolve(&c.func).as_deref(),
                Some("importlib.import_module" | "builtins.__import__")
            )
        })
    else {
        return Vec::new();
    };
    let Some((head, variable)) = call.args.first().and_then(module_name_template) else {
        return Vec::new();
    };
    // The folder `os.path.dirname(__file__)` names is this file's package.
    let package = if source.is_package {
        source.module_name.as_str()
    } else {
        match source.module_name.rsplit_once('.') {
            Some((package, _)) => package,
            None => return Vec::new(),
        }
    };
    if head.strip_suffix('.') != Some(package) {
        return Vec::new();
    }
    // The import runs in a loop over the folder's entries, on the entry's name.
    let mut walked = false;
    crate::security::walk_stmts(body, &mut |stmt| {
        if let Stmt::For {
            target,
            iter,
            body: loop_body,
            ..
        } = stmt
            && let Some(entry) = target.as_name()
            && lists_own_folder(source, iter)
            && variable.any(&mut |e| e.as_name() == Some(entry))
            && crate::values::last_assignment(loop_body, name)
                .is_some_and(|v| std::ptr::eq(v.as_call().unwrap_or(call), call))
        {
            walked = true;
        }
    });
    if !walked {
        return Vec::new();
    }
    model
        .submodules(package, false, false)
        .into_iter()
        .filter_map(|m| model.module(m).map(|(f, _)| f))
        .collect()
}

/// `"pkg.views.%s" % name`, `"pkg.views." + name`, `f"pkg.views.{name}"`,
/// `"pkg.views.{}".format(name)`: the literal head and the expression appended.
fn module_name_template(arg: &Expr) -> Option<(&str, &Expr)> {
    match &arg.kind {
        ExprKind::BinOp {
            left,
            op: BinOp::Mod,
            right,
        } => Some((left.as_str()?.strip_suffix("%s")?, right)),
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } => Some((left.as_str()?, right)),
        ExprKind::FString(parts) => match parts.as_slice() {
            [FStringPart::Literal(head), FStringPart::Value(v)] => Some((head.as_str(), v)),
            _ => None,
        },
        ExprKind::Call(call) => match (&call.func.kind, call.args.as_slice()) {
            (ExprKind::Attribute { value, attr }, [v]) if attr == "format" => {
                Some((value.as_str()?.strip_suffix("{}")?, v))
            }
            _ => None,
        },
        _ => None,
    }
}

/// `os.listdir(os.path.dirname(__file__))` (the file's path made absolute or real first,
/// alike): the entries of the file's own folder.
fn lists_own_folder(source: &crate::project::SourceModule, iter: &Expr) -> bool {
    fn call_of<'e>(
        source: &crate::project::SourceModule,
        e: &'e Expr,
        names: &[&str],
    ) -> Option<&'e Call> {
        e.as_call().filter(|c| {
            c.keywords.is_empty()
                && c.args.len() == 1
                && source
                    .imports
                    .resolve(&c.func)
                    .is_some_and(|q| names.contains(&q.as_str()))
        })
    }
    let call_of = |e, names| call_of(source, e, names);
    let Some(listed) = call_of(iter, &["os.listdir"]) else {
        return false;
    };
    let Some(folder) = call_of(&listed.args[0], &["os.path.dirname"]) else {
        return false;
    };
    let mut path = &folder.args[0];
    if let Some(made) = call_of(path, &["os.path.abspath", "os.path.realpath"]) {
        path = &made.args[0];
    }
    path.as_name() == Some("__file__")
}

/// Readers whose result is a plain mapping of settings read from a file or text.
pub const SETTINGS_FILE_READERS: &[&str] = &[
    "json.load",
    "json.loads",
    "yaml.safe_load",
    "yaml.load",
    "yaml.full_load",
    "toml.load",
    "toml.loads",
    "tomllib.load",
    "tomllib.loads",
    "tomli.load",
    "tomli.loads",
];

/// Whether `expr` is a mapping of settings the program holds: a dict literal, `dict(...)`, what
/// a JSON/YAML/TOML reader returns (also through a project function returning it:
/// `read_json(path)`), an entry of one (`json.loads(text)["defaults"]`), or a Flask
/// application's `config`. A parameter or a request's data (`request.args`,
/// `request.get_json()`) is none: a caller chooses what those hold.
fn is_settings_mapping(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
    depth: u32,
) -> bool {
    if depth > 6 {
        return false;
    }
    let origin = model.resolve_value(file, scope, expr);
    match &origin.expr.kind {
        ExprKind::Dict(_) => true,
        ExprKind::Subscript { value, .. } => {
            is_settings_mapping(model, origin.file, &origin.scope, value, depth + 1)
        }
        ExprKind::Attribute { value, attr } if attr == "config" => {
            model
                .instance_class(origin.file, &origin.scope, value)
                .as_deref()
                == Some("flask.Flask")
        }
        ExprKind::Call(call) => {
            if model.files[origin.file]
                .imports
                .resolve(&call.func)
                .is_some_and(|q| {
                    q == "builtins.dict" || SETTINGS_FILE_READERS.contains(&q.as_str())
                })
            {
                return true;
            }
            every_return_of_called(model, origin.file, &call.func, &mut |file, scope, value| {
                is_settings_mapping(model, file, scope, value, depth + 1)
            })
        }
        _ => false,
    }
}

/// Whether `func` names a project function that returns something and whose every returned
/// value passes `test` (given the function's file, the function as scope, and the value):
/// `read_json(path)` returning what `json.load` gives.
pub fn every_return_of_called(
    model: &ProjectModel,
    file: usize,
    func: &Expr,
    test: &mut dyn FnMut(usize, &[&Function], &Expr) -> bool,
) -> bool {
    let Some((def_file, Some(Stmt::FunctionDef(function)), _)) =
        model.resolve_definition(file, func)
    else {
        return false;
    };
    let scope = [function.as_ref()];
    let (mut any, mut all) = (false, true);
    for_each_return(&function.body, &mut |value| {
        any = true;
        all = all && test(def_file, &scope, value);
    });
    any && all
}

/// The value a settings mapping gives `key`: the last `mapping[key] = value` (or
/// `mapping.setdefault(key, value)`) of the function (or module) that binds the name, a dict
/// literal's entry, or the same in the project function that returns the mapping
/// (`params = get_server_params()`).
fn mapping_entry<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    mapping: &'a Expr,
    key: &str,
    depth: u32,
) -> Option<ValueOrigin<'a>> {
    if depth > 4 {
        return None;
    }
    if let Some(name) = mapping.as_name() {
        let index = scope.iter().rposition(|f| f.assigned.may_contain(name));
        let body = match index {
            Some(i) => &scope[i].body[..],
            None => model.files[file].body(),
        };
        if let Some(value) = key_assignment(body, name, key) {
            return Some(ValueOrigin {
                file,
                expr: value,
                scope: index.map_or_else(Vec::new, |i| scope[..=i].to_vec()),
            });
        }
    }
    let origin = model.resolve_value(file, scope, mapping);
    match &origin.expr.kind {
        ExprKind::Dict(_) => origin.expr.dict_value(key).map(|v| ValueOrigin {
            file: origin.file,
            expr: v,
            scope: origin.scope.clone(),
        }),
        ExprKind::Call(call) => {
            let (def_file, Some(Stmt::FunctionDef(builder)), _) =
                model.resolve_definition(origin.file, &call.func)?
            else {
                return None;
            };
            let scope = [builder.as_ref()];
            let mut found = None;
            for_each_return(&builder.body, &mut |value| {
                if found.is_none() {
                    found = mapping_entry(model, def_file, &scope, value, key, depth + 1);
                }
            });
            found
        }
        _ => None,
    }
}

/// The value of the last `name[key] = value` or `name.setdefault(key, value)` in `body`, not
/// in nested functions or classes.
fn key_assignment<'a>(body: &'a [Stmt], name: &str, key: &str) -> Option<&'a Expr> {
    let mut found = None;
    crate::security::walk_stmts(body, &mut |stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } if targets.iter().any(|t| {
            matches!(&t.kind, ExprKind::Subscript { value, slice }
                if value.as_name() == Some(name) && slice.as_str() == Some(key))
        }) =>
        {
            found = Some(value);
        }
        Stmt::Expr { value, .. } => {
            if let Some(call) = value.as_call()
                && let ExprKind::Attribute {
                    value: target,
                    attr,
                } = &call.func.kind
                && attr == "setdefault"
                && target.as_name() == Some(name)
                && call.args.first().and_then(Expr::as_str) == Some(key)
                && let Some(default) = call.args.get(1)
            {
                found = Some(default);
            }
        }
        _ => {}
    });
    found
}

/// The literal paths an expression may hold, pushed to `out`: a literal; each side of a
/// conditional expression; a name's values when the enclosing function (or else the module)
/// assigns it only such values, in the branches of `if`/`try` (a later assignment in the same
/// block replaces the earlier ones). `false` when some value is not a literal path.
fn literal_path_choices<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    out: &mut Vec<String>,
    depth: u32,
) -> bool {
    if depth > 4 {
        return false;
    }
    match &expr.kind {
        ExprKind::IfExp { body, orelse, .. } => {
            literal_path_choices(model, file, scope, body, out, depth + 1)
                && literal_path_choices(model, file, scope, orelse, out, depth + 1)
        }
        ExprKind::Name(name) => {
            let body = match scope.iter().rev().find(|f| f.assigned.may_contain(name)) {
                Some(f) if f.params.iter().any(|p| p.name == *name) => return false,
                Some(f) => &f.body[..],
                None if scope
                    .iter()
                    .any(|f| f.params.iter().any(|p| p.name == *name)) =>
                {
                    return false;
                }
                None => model.files[file].body(),
            };
            let values = values_left_in(body, name);
            // The name's own scope holds what is read: a value from an enclosing function or
            // the module is looked at from there.
            let scope = match scope.iter().rposition(|f| std::ptr::eq(&f.body[..], body)) {
                Some(i) => &scope[..=i],
                None => &[],
            };
            !values.is_empty()
                && values
                    .into_iter()
                    .all(|v| literal_path_choices(model, file, scope, v, out, depth + 1))
        }
        _ => {
            let text = path_text(model, file, scope, Some(expr));
            let literal = !text.contains("<dynamic>") && !text.contains('…');
            if literal {
                out.push(text);
            }
            literal
        }
    }
}

/// The values a block may leave in `name`: its last plain assignment, with the assignments in
/// the branches of compound statements after it (`if`/`else`, `try`/`except`), not those of
/// nested functions or classes.
fn values_left_in<'a>(body: &'a [Stmt], name: &str) -> Vec<&'a Expr> {
    let mut values = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.iter().any(|t| t.as_name() == Some(name)) => {
                values.clear();
                values.push(value);
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other => {
                for child in other.child_bodies() {
                    values.extend(values_left_in(child, name));
                }
            }
        }
    }
    values
}

/// FastAPI's default for the documentation URL held in an application attribute.
fn fastapi_url_default(attr: &str) -> Option<&'static str> {
    Some(match attr {
        "docs_url" => "/docs",
        "redoc_url" => "/redoc",
        "openapi_url" => "/openapi.json",
        "swagger_ui_oauth2_redirect_url" => "/docs/oauth2-redirect",
        _ => return None,
    })
}

/// `app.docs_url` (and the other documentation URLs) of an application built here by
/// `FastAPI(...)`: the constructor's literal keyword, or FastAPI's default when it gives none
/// (and no `**kwargs` may give one). `None` when unknown or switched off (`docs_url=None`).
fn fastapi_url_attribute(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    app: &Expr,
    attr: &str,
) -> Option<String> {
    let id = resolve_object(model, file, scope, app, 0)?;
    let call = definition_value(model, &id)?.as_call()?;
    if model.files[id.file].imports.resolve(&call.func).as_deref() != Some("fastapi.FastAPI") {
        return None;
    }
    match call.keyword(attr) {
        Some(value) => value.as_str().map(str::to_string),
        None if call.keywords.iter().any(|k| k.arg.is_none()) => None,
        None => fastapi_url_default(attr).map(str::to_string),
    }
}

/// The truth of a test on a parameter (`standalone`, `not standalone`) when the parameter
/// keeps its literal default (`standalone=False`) and the function does not rebind it.
fn parameter_default_truth(scope: &[&Function], test: &Expr) -> Option<bool> {
    match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => parameter_default_truth(scope, operand).map(|b| !b),
        ExprKind::Name(name) => {
            let function = scope
                .iter()
                .rev()
                .find(|f| f.params.iter().any(|p| p.name == *name))?;
            if crate::values::local_assignment(function, name).is_some() {
                return None;
            }
            let default = crate::values::parameter_default(std::slice::from_ref(function), name)?;
            match &default.kind {
                ExprKind::Bool(b) => Some(*b),
                ExprKind::NoneLiteral => Some(false),
                ExprKind::Int(Some(n)) => Some(*n != 0),
                ExprKind::Str(s) => Some(!s.is_empty()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The value of a test on a variable read from the environment without a default
/// (`env = os.getenv("SOCKET_PATH")`, then `"ws" if not env else env.strip("/")`) when the
/// deployment does not set it: the path a conditional expression gives by default, as
/// `os.getenv("SOCKET_PATH", "ws")` does.
fn unset_environment_truth(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    test: &Expr,
) -> Option<bool> {
    match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => unset_environment_truth(model, file, scope, operand).map(|b| !b),
        ExprKind::Name(_) => {
            let origin = model.resolve_value(file, scope, test);
            let call = origin.expr.as_call()?;
            let read = model.files[origin.file].imports.resolve(&call.func);
            (matches!(read.as_deref(), Some("os.getenv" | "os.environ.get"))
                && call.argument("default", 1).is_none())
            .then_some(false)
        }
        _ => None,
    }
}

/// `Endpoint.search` in an f-string, where `Endpoint` is a project `Enum` whose members format
/// as their values: a `str` mix-in (`class Endpoint(str, Enum)`, `StrEnum`) or a `__str__`
/// returning `self.value`. The member's literal value.
fn enum_member_text<'a>(model: &'a ProjectModel, file: usize, expr: &Expr) -> Option<&'a str> {
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return None;
    };
    let (_, Some(Stmt::ClassDef(class)), _) = model.resolve_definition(file, value)? else {
        return None;
    };
    let base_names: Vec<&str> = class.bases.iter().filter_map(Expr::last_name).collect();
    if !base_names.iter().any(|b| b.ends_with("Enum")) {
        return None;
    }
    let str_valued = base_names.iter().any(|b| *b == "str" || *b == "StrEnum")
        || class.body.iter().any(|stmt| {
            let Stmt::FunctionDef(f) = stmt else {
                return false;
            };
            f.name == "__str__"
                && matches!(f.body.last(), Some(Stmt::Return { value: Some(v), .. })
                    if matches!(&v.kind, ExprKind::Attribute { value, attr }
                        if attr == "value" && value.as_name() == Some("self")))
        });
    if !str_valued {
        return None;
    }
    class.body.iter().find_map(|stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(v),
            ..
        } if targets.iter().any(|t| t.as_name() == Some(attr.as_str())) => v.as_str(),
        _ => None,
    })
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

/// One item of `methods=`: a string, or a member of `http.HTTPMethod` or of a project enum
/// whose members stand for their values (`HTTPMethod.GET`, `HTTPMethod.GET.value`).
fn method_member(model: &ProjectModel, file: usize, expr: &Expr) -> Option<String> {
    if let Some(s) = expr.as_str() {
        return Some(s.to_ascii_uppercase());
    }
    let member = match &expr.kind {
        ExprKind::Attribute { value, attr } if attr == "value" => value,
        _ => expr,
    };
    let ExprKind::Attribute { value: class, attr } = &member.kind else {
        return None;
    };
    // The standard library's enum, also re-exported by a project module
    // (`if sys.version_info >= (3, 11): from http import HTTPMethod`).
    if let Some((_, None, Some(q))) = model.resolve_definition(file, class)
        && q == "http.HTTPMethod"
    {
        return route_method(&attr.to_ascii_lowercase())
            .flatten()
            .map(str::to_string);
    }
    enum_member_text(model, file, member).map(|m| m.to_ascii_uppercase())
}

/// `methods=` given through a constant, here or imported (`methods=_METHODS`), also wrapped
/// in `sorted(...)`, `list(...)`, `tuple(...)` or `set(...)`.
fn methods_value(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: Option<&Expr>,
    depth: u32,
) -> Option<Vec<String>> {
    let expr = expr?;
    // `methods=[HTTPMethod.GET.value, HTTPMethod.POST]`: members of `http.HTTPMethod` or of a
    // project enum stand for their values.
    if let Some(items) = expr.elements()
        && items.iter().any(|e| e.as_str().is_none())
    {
        let methods: Vec<String> = items
            .iter()
            .filter_map(|e| method_member(model, file, e))
            .collect();
        if !methods.is_empty() {
            return Some(methods);
        }
    }
    if let Some(methods) = methods_argument(Some(expr)) {
        return Some(methods);
    }
    if depth > 3 {
        return None;
    }
    let origin = model.resolve_value(file, scope, expr);
    if let Some(call) = origin.expr.as_call()
        && call.args.len() == 1
        && call.keywords.is_empty()
        && matches!(
            call.func.as_name(),
            Some("sorted" | "list" | "tuple" | "set" | "frozenset")
        )
    {
        return methods_value(
            model,
            origin.file,
            &origin.scope,
            call.args.first(),
            depth + 1,
        );
    }
    methods_argument(Some(origin.expr))
}

/// `methods=` of a route registration: the methods [`methods_value`] reads, or
/// [`DYNAMIC_METHODS`] when the value cannot be read (a parameter, an attribute, a call): the
/// route answers some methods, not known which, and not the framework's default, which the
/// argument replaces. Absent or `None`: `None` (the default applies).
fn registered_methods(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: Option<&Expr>,
) -> Option<Vec<String>> {
    let expr = expr.filter(|e| !matches!(e.kind, ExprKind::NoneLiteral))?;
    Some(
        methods_value(model, file, scope, Some(expr), 0)
            .unwrap_or_else(|| vec![DYNAMIC_METHODS.to_string()]),
    )
}

/// A keyword argument of a route registration, also passed through `**name`.
enum RouteKeyword<'a> {
    /// Written in the call, or read from the mapping a `**` argument spreads.
    Given(ValueOrigin<'a>),
    /// A `**` argument that cannot be read may carry it: not the framework's default.
    Unknown,
    /// Not passed: the framework's default applies.
    Absent,
}

/// The argument `key` of a route registration: its keyword, or the entry of the mapping that
/// a `**name` argument spreads. The mapping is read where the name is bound: the last
/// `name[key] = value` of that function (or module), else a dict literal or `dict(k=v)` it is
/// assigned. A parameter (`**kwargs` of the enclosing function, filled by its callers), a
/// call's result, or a literal that spreads another mapping may hold any key: [`Unknown`].
///
/// [`Unknown`]: RouteKeyword::Unknown
fn route_keyword<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    call: &'a Call,
    keys: &[&str],
) -> RouteKeyword<'a> {
    let here = |expr| {
        RouteKeyword::Given(ValueOrigin {
            file,
            expr,
            scope: scope.to_vec(),
        })
    };
    if let Some(expr) = keys.iter().find_map(|k| call.keyword(k)) {
        return here(expr);
    }
    let mut unknown = false;
    for spread in call.keywords.iter().filter(|k| k.arg.is_none()) {
        if let Some(name) = spread.value.as_name() {
            let index = scope.iter().rposition(|f| {
                f.assigned.may_contain(name) || f.params.iter().any(|p| p.name == name)
            });
            let body = match index {
                Some(i) => &scope[i].body[..],
                None => model.files[file].body(),
            };
            if let Some(value) = keys.iter().find_map(|k| key_assignment(body, name, k)) {
                // `kwargs["methods"] = kwargs.get("methods", ["POST"])`: the caller's value,
                // or the default.
                let own_default = value.as_call().is_some_and(|c| {
                    c.method()
                        .is_some_and(|(r, m)| m == "get" && r.as_name() == Some(name))
                });
                if own_default {
                    unknown = true;
                    continue;
                }
                return RouteKeyword::Given(ValueOrigin {
                    file,
                    expr: value,
                    scope: index.map_or_else(Vec::new, |i| scope[..=i].to_vec()),
                });
            }
        }
        let origin = model.resolve_value(file, scope, &spread.value);
        match &origin.expr.kind {
            ExprKind::Dict(entries) => {
                if let Some(value) = keys.iter().find_map(|k| origin.expr.dict_value(k)) {
                    return RouteKeyword::Given(ValueOrigin {
                        file: origin.file,
                        expr: value,
                        scope: origin.scope.clone(),
                    });
                }
                unknown |= entries.iter().any(|e| e.key.is_none());
            }
            // `dict(path=..., methods=[...])`, the built-in.
            ExprKind::Call(c)
                if c.func.as_name() == Some("dict")
                    && model.files[origin.file].imports.get("dict").is_none() =>
            {
                if let Some(value) = keys.iter().find_map(|k| c.keyword(k)) {
                    return RouteKeyword::Given(ValueOrigin {
                        file: origin.file,
                        expr: value,
                        scope: origin.scope.clone(),
                    });
                }
                unknown |= !c.args.is_empty() || c.has_kwargs_spread();
            }
            _ => unknown = true,
        }
    }
    if unknown {
        RouteKeyword::Unknown
    } else {
        RouteKeyword::Absent
    }
}

/// The methods of a route registration whose decorator or method implies none: `methods=`
/// (also through `**`, see [`route_keyword`]) read by [`registered_methods`], or
/// [`DYNAMIC_METHODS`] when a `**` argument that cannot be read may carry it; `None` when
/// absent (the framework's default).
fn keyword_methods(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    call: &Call,
) -> Option<Vec<String>> {
    match route_keyword(model, file, scope, call, &["methods"]) {
        RouteKeyword::Given(o) => registered_methods(model, o.file, &o.scope, Some(o.expr)),
        RouteKeyword::Unknown => Some(vec![DYNAMIC_METHODS.to_string()]),
        RouteKeyword::Absent => None,
    }
}

/// The items of a `dependencies=` argument: a list or tuple, also kept in a constant (here or
/// in another module) or made of several joined with `+`.
pub fn dependency_list<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: Option<&'a Expr>,
) -> Vec<Dep<'a>> {
    let mut out = Vec::new();
    if let Some(expr) = expr {
        dependency_items(model, file, scope, expr, &When::Always, &mut out, 0);
    }
    out
}

fn dependency_items<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    when: &When,
    out: &mut Vec<Dep<'a>>,
    depth: u32,
) {
    if depth > 6 {
        return;
    }
    // `deps = [...]` then `deps.append(Depends(auth))` under `if auth_enabled:` in the
    // function that builds the router, or at module level for a module's list: what is
    // appended counts too, under its condition.
    if let Some(name) = expr.as_name() {
        match scope.last() {
            Some(function) if function.assigned.may_contain(name) => {
                added_dependencies(model, file, scope, name, &function.body, when, out, depth);
            }
            _ => {
                let body = model.files[file].body();
                added_dependencies(model, file, &[], name, body, when, out, depth);
            }
        }
    }
    let origin = model.resolve_value(file, scope, expr);
    match &origin.expr.kind {
        // `dependencies=[Depends(auth)] if auth_enabled else []`: each branch under its
        // condition.
        ExprKind::IfExp { test, body, orelse } => {
            let value = production_value(model, origin.file, test);
            for (branch, then) in [(body, true), (orelse, false)] {
                let w = when.and(&branch_condition(model, value, origin.file, test, then));
                dependency_items(
                    model,
                    origin.file,
                    &origin.scope,
                    branch,
                    &w,
                    out,
                    depth + 1,
                );
            }
        }
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } => {
            dependency_items(
                model,
                origin.file,
                &origin.scope,
                left,
                when,
                out,
                depth + 1,
            );
            dependency_items(
                model,
                origin.file,
                &origin.scope,
                right,
                when,
                out,
                depth + 1,
            );
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            for item in items {
                match &item.kind {
                    ExprKind::Starred(inner) => dependency_items(
                        model,
                        origin.file,
                        &origin.scope,
                        inner,
                        when,
                        out,
                        depth + 1,
                    ),
                    // `dependencies=(_auth_dep,)` with `_auth_dep = Depends(auth)`.
                    _ => {
                        let value = model.resolve_value(origin.file, &origin.scope, item);
                        out.push(Dep {
                            file: value.file,
                            scope: value.scope,
                            expr: value.expr,
                            when: when.clone(),
                        });
                    }
                }
            }
        }
        _ => {}
    }
}

/// Dependencies added to a local list by `name.append(dep)`, `name.extend([...])` or
/// `name += [...]` in a function body (nested functions and classes excluded).
#[allow(clippy::too_many_arguments)]
fn added_dependencies<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    name: &str,
    body: &'a [Stmt],
    when: &When,
    out: &mut Vec<Dep<'a>>,
    depth: u32,
) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::If {
                test, body, orelse, ..
            } => {
                let value = production_value(model, file, test);
                for (branch, then) in [(&body[..], true), (&orelse[..], false)] {
                    let w = when.and(&branch_condition(model, value, file, test, then));
                    added_dependencies(model, file, scope, name, branch, &w, out, depth);
                }
            }
            Stmt::Expr { value, .. } => {
                let Some(call) = value.as_call() else {
                    continue;
                };
                let ExprKind::Attribute { value: list, attr } = &call.func.kind else {
                    continue;
                };
                if list.as_name() != Some(name) {
                    continue;
                }
                match (attr.as_str(), call.args.first()) {
                    ("append", Some(item)) => {
                        let value = model.resolve_value(file, scope, item);
                        out.push(Dep {
                            file: value.file,
                            scope: value.scope,
                            expr: value.expr,
                            when: when.clone(),
                        });
                    }
                    ("extend", Some(items)) => {
                        dependency_items(model, file, scope, items, when, out, depth + 1)
                    }
                    _ => {}
                }
            }
            Stmt::AugAssign { target, value, .. } if target.as_name() == Some(name) => {
                dependency_items(model, file, scope, value, when, out, depth + 1)
            }
            other => {
                for child in other.child_bodies() {
                    added_dependencies(model, file, scope, name, child, when, out, depth);
                }
            }
        }
    }
}

/// The `dependencies=` a project router or application class passes to its framework base
/// in `__init__` (`super().__init__(*args, dependencies=[Depends(auth)], **kwargs)`), through
/// every project base whose constructor hands on to the next: every instance carries them.
fn constructor_dependencies<'a>(model: &'a ProjectModel, file: usize, call: &Call) -> Vec<Dep<'a>> {
    let mut out = Vec::new();
    let Some((file, Some(Stmt::ClassDef(class)), _)) = model.resolve_definition(file, &call.func)
    else {
        return out;
    };
    for (class_file, class) in class_hierarchy(model, file, class) {
        let Some(init) = class.body.iter().find_map(|stmt| match stmt {
            Stmt::FunctionDef(f) if f.name == "__init__" => Some(f.as_ref()),
            _ => None,
        }) else {
            continue;
        };
        // Only the constructor's own statements: a call under an `if` depends on the
        // arguments. A constructor that does not call its base's ends the chain.
        let base_init = init.body.iter().find_map(|stmt| {
            let Stmt::Expr { value, .. } = stmt else {
                return None;
            };
            let c = value.as_call()?;
            let (receiver, "__init__") = c.method()? else {
                return None;
            };
            let is_base = match &receiver.kind {
                ExprKind::Call(s) => s.func.as_name() == Some("super"),
                // `APIRouter.__init__(self, ...)`
                _ => c.args.first().and_then(Expr::as_name) == Some("self"),
            };
            is_base.then_some(c)
        });
        let Some(base_init) = base_init else {
            break;
        };
        let mut scope = enclosing_functions(model.files[class_file].body(), init);
        scope.push(init);
        out.extend(dependency_list(
            model,
            class_file,
            &scope,
            base_init.keyword("dependencies"),
        ));
    }
    out
}

/// The items of the list `expr` stands for, followed through names, `+`, both branches of a
/// conditional expression, and what the list's function (or the module, for a module-level
/// list) adds to it with `+=`, `.append` and `.extend`.
fn gather_items<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    out: &mut Vec<LoopItem<'a>>,
    depth: u32,
) {
    if depth > 6 || out.len() > 64 {
        return;
    }
    if let Some(name) = expr.as_name() {
        let (body, growth_scope): (&'a [Stmt], &[&'a Function]) = match scope.last() {
            Some(function) if function.assigned.may_contain(name) => (&function.body, scope),
            _ => (model.files[file].body(), &[]),
        };
        for stmt in body {
            // A module's own statements only: a function's local of the same name is another list.
            if growth_scope.is_empty() && matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                continue;
            }
            let (items, lists) = list_growth(std::slice::from_ref(stmt), &[name]);
            for item in items {
                out.push((file, growth_scope.to_vec(), item));
            }
            for list in lists {
                gather_items(model, file, growth_scope, list, out, depth + 1);
            }
        }
    }
    // `for extra in getattr(authenticator, "include_routers", []):` over a plugin object the
    // configuration picks: the list the one project class keeping that attribute builds.
    if let Some(call) = expr.as_call()
        && let Some((kept_file, method, value)) = kept_attribute_list(model, file, call)
    {
        gather_items(model, kept_file, &[method], value, out, depth + 1);
        return;
    }
    let origin = model.resolve_value(file, scope, expr);
    match &origin.expr.kind {
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            for item in items {
                match &item.kind {
                    ExprKind::Starred(inner) => {
                        gather_items(model, origin.file, &origin.scope, inner, out, depth + 1)
                    }
                    _ => out.push((origin.file, origin.scope.clone(), item)),
                }
            }
        }
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } => {
            gather_items(model, origin.file, &origin.scope, left, out, depth + 1);
            gather_items(model, origin.file, &origin.scope, right, out, depth + 1);
        }
        ExprKind::IfExp { body, orelse, .. } => {
            gather_items(model, origin.file, &origin.scope, body, out, depth + 1);
            gather_items(model, origin.file, &origin.scope, orelse, out, depth + 1);
        }
        _ => {}
    }
}

/// `getattr(obj, "include_routers", [])` (the builtin, with a literal name and a default)
/// where the project has exactly one module-level class whose methods set
/// `self.include_routers = [...]` to a list or tuple: its file, the method and that value.
/// The object is whatever the configuration hands over, so the one class that can give the
/// attribute is what it holds; with several the choice is unknown.
fn kept_attribute_list<'a>(
    model: &'a ProjectModel,
    file: usize,
    call: &Call,
) -> Option<(usize, &'a Function, &'a Expr)> {
    let [_, name, default] = call.args.as_slice() else {
        return None;
    };
    if call.func.as_name() != Some("getattr")
        || !call.keywords.is_empty()
        || !matches!(default.kind, ExprKind::List(_) | ExprKind::Tuple(_))
        || matches!(
            model.resolve_definition(file, &call.func),
            Some((_, Some(_), _))
        )
    {
        return None;
    }
    let ExprKind::Str(attr) = &name.kind else {
        return None;
    };
    let mut found = None;
    for (i, module) in model.files.iter().enumerate() {
        if !module.may_mention(attr) {
            continue;
        }
        for stmt in module.body() {
            let Stmt::ClassDef(class) = stmt else {
                continue;
            };
            for s in &class.body {
                let Stmt::FunctionDef(method) = s else {
                    continue;
                };
                if !method.self_attributes.may_contain(attr) {
                    continue;
                }
                for (receiver, value) in crate::values::attribute_assignments(&method.body, attr) {
                    if receiver.as_name() != Some("self") {
                        continue;
                    }
                    if found.is_some()
                        || !matches!(value.kind, ExprKind::List(_) | ExprKind::Tuple(_))
                    {
                        return None;
                    }
                    found = Some((i, method.as_ref(), value));
                }
            }
        }
    }
    found
}

/// The `Middleware(cls, ...)` entries of a Starlette `middleware=` list, followed through
/// names, `+` and both branches of a conditional expression, with the file each is in.
fn starlette_middleware<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: Option<&'a Expr>,
    out: &mut Vec<(usize, &'a Call, Span)>,
    depth: u32,
) {
    let Some(expr) = expr else {
        return;
    };
    if depth > 6 {
        return;
    }
    let origin = model.resolve_value(file, scope, expr);
    let (file, scope, value) = (origin.file, &origin.scope[..], origin.expr);
    match &value.kind {
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            for item in items {
                starlette_middleware(model, file, scope, Some(item), out, depth + 1);
            }
        }
        ExprKind::BinOp {
            op: BinOp::Add,
            left,
            right,
        } => {
            starlette_middleware(model, file, scope, Some(left), out, depth + 1);
            starlette_middleware(model, file, scope, Some(right), out, depth + 1);
        }
        ExprKind::IfExp { body, orelse, .. } => {
            starlette_middleware(model, file, scope, Some(body), out, depth + 1);
            starlette_middleware(model, file, scope, Some(orelse), out, depth + 1);
        }
        ExprKind::Call(call)
            if model.files[file]
                .imports
                .resolve(&call.func)
                .is_some_and(|q| {
                    q == "starlette.middleware.Middleware" || q == "fastapi.middleware.Middleware"
                }) =>
        {
            out.push((file, call, value.span));
        }
        _ => {}
    }
}

/// A route a Flask-Admin `@expose(url, methods)` declares on a view class that `owner`
/// stands for: the handler with its file, the `expose(...)` call with its file.
fn exposed_route<'a>(
    model: &'a ProjectModel,
    file: usize,
    owner: &ObjectId,
    class: &'a Class,
    (handler_file, handler): (usize, &'a Function),
    (expose_file, expose): (usize, &'a Call),
    span: Span,
) -> RouteDecl<'a> {
    let path = path_text(model, expose_file, &[], expose.argument("url", 0));
    RouteDecl {
        alternative: None,
        file,
        handler,
        handler_file,
        handler_scope: Vec::new(),
        owner: Some(owner.clone()),
        methods: methods_argument(expose.argument("methods", 1))
            .unwrap_or_else(|| vec!["GET".to_string()]),
        path: if path.is_empty() {
            "/".to_string()
        } else {
            path
        },
        decorator_index: None,
        call: Some(expose),
        call_scope: Vec::new(),
        view_decorators: Vec::new(),
        view_class: Some(class),
        view_class_file: file,
        span,
        endpoint: None,
        when: When::Always,
    }
}

fn list_items(expr: Option<&Expr>) -> Vec<&Expr> {
    expr.and_then(Expr::elements)
        .map(|e| e.iter().collect())
        .unwrap_or_default()
}

/// The calls of plain names in a module, by name: for each, the start of the module-level
/// function it is made in (`None` at module level) and the `if`s around it within that function.
type ModuleCalls<'a> = HashMap<&'a str, Vec<(Option<u32>, Vec<Branch<'a>>)>>;

/// Every statement's calls of the module's own functions by name (`install_auth(app)`), walked
/// once for the whole module: a call in an `if` test, an expression statement, an assignment's
/// value or a `return`; a name called twice in one statement is one site.
fn module_calls(body: &[Stmt]) -> ModuleCalls<'_> {
    fn visit<'b>(
        body: &'b [Stmt],
        functions: &[&str],
        function: Option<u32>,
        branches: &mut Vec<Branch<'b>>,
        out: &mut ModuleCalls<'b>,
    ) {
        let record = |e: &'b Expr, branches: &Vec<Branch<'b>>, out: &mut ModuleCalls<'b>| {
            let mut names: Vec<&'b str> = Vec::new();
            e.any(&mut |x| {
                if let Some(name) = x.as_call().and_then(|c| c.func.as_name())
                    && functions.contains(&name)
                    && !names.contains(&name)
                {
                    names.push(name);
                }
                false
            });
            for name in names {
                out.entry(name)
                    .or_default()
                    .push((function, branches.clone()));
            }
        };
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(f) => visit(
                    &f.body,
                    functions,
                    function.or(Some(f.span.start)),
                    &mut Vec::new(),
                    out,
                ),
                Stmt::ClassDef(c) => visit(&c.body, functions, function, &mut Vec::new(), out),
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    record(test, branches, out);
                    branches.push(Branch { test, then: true });
                    visit(body, functions, function, branches, out);
                    branches.pop();
                    branches.push(Branch { test, then: false });
                    visit(orelse, functions, function, branches, out);
                    branches.pop();
                }
                Stmt::Expr { value, .. }
                | Stmt::Assign {
                    value: Some(value), ..
                }
                | Stmt::Return {
                    value: Some(value), ..
                } => record(value, branches, out),
                other if other.has_child_bodies() => {
                    for child in other.child_bodies() {
                        visit(child, functions, function, branches, out);
                    }
                }
                _ => {}
            }
        }
    }
    let functions: Vec<&str> = body
        .iter()
        .filter_map(|s| match s {
            Stmt::FunctionDef(f) => Some(f.name.as_str()),
            _ => None,
        })
        .collect();
    let mut out = HashMap::default();
    visit(body, &functions, None, &mut Vec::new(), &mut out);
    out
}

struct Extractor<'a> {
    model: &'a ProjectModel,
    file: usize,
    scope: Vec<&'a Function>,
    /// `for name in [a, b]:` loops enclosing the current statement: the name, and the items
    /// with the file and scope they are written in.
    loops: Vec<LoopBinding<'a>>,
    /// Each enclosing `for name in iter:` loop with a plain name: the name, the iterable and
    /// the scope it is read in, its items gathered only when a registration asks
    /// ([`gather_items`]).
    gathered: Vec<(&'a str, Vec<&'a Function>, &'a Expr)>,
    /// Each enclosing `for a, b in iter:` loop that unpacks its items: each name with its
    /// position, the scope and the iterable ([`Extractor::folder_module_children`]).
    unpacked: Vec<UnpackedName<'a>>,
    /// The `if`s enclosing the current statement in the current function, with the branch
    /// taken. Their text is written out only when something is registered under them.
    conditions: Vec<Branch<'a>>,
    /// The classes whose bodies enclose the current statement, innermost last: `self.method(app)`
    /// calls the method of the innermost.
    classes: Vec<&'a Class>,
    /// [`Extractor::caller_condition`] by the start of the module-level function it was asked
    /// for: every route a `register_routes(app)` adds asks it.
    caller_conditions: std::cell::RefCell<HashMap<u32, When>>,
    /// [`module_calls`] of the file, made when a registration inside a module-level function
    /// first asks where that function is called.
    module_calls: std::cell::OnceCell<ModuleCalls<'a>>,
    /// Names already resolved, by innermost enclosing function (its start, as in
    /// [`ObjectId::scope`]): the same receivers (`db`, `logger`, `self`) come back on most lines
    /// of a function.
    names: std::cell::RefCell<HashMap<ScopedName<'a>, Option<ObjectId>>>,
    /// The names each helper includes in another object ([`included_names`]), by the
    /// helper's address: asked for every object passed to it.
    included: HashMap<usize, Vec<&'a str>>,
    /// The project class of each module-level instance whose method is called
    /// ([`module_instance_class`]): `logger`, `db` and `app` are called on throughout a file.
    module_instances: HashMap<&'a str, Option<(usize, &'a Class)>>,
    /// Some file of the project imports `flask_basicauth`.
    basic_auth_used: bool,
    out: FileApps<'a>,
}

/// An item of a list a loop iterates, with the file and scope it is written in.
type LoopItem<'a> = (usize, Vec<&'a Function>, &'a Expr);

/// A name a `for` loop unpacks from each item: the name, its position, the scope the loop is
/// in and the iterable.
type UnpackedName<'a> = (&'a str, usize, Vec<&'a Function>, &'a Expr);

/// A name read in a function (its start; `None` at module level).
type ScopedName<'a> = (Option<u32>, &'a str);

/// One branch of an enclosing `if`: its test, and whether the statement is in the body or the
/// `else`.
#[derive(Clone, Copy)]
struct Branch<'a> {
    test: &'a Expr,
    then: bool,
}

/// Where an unpacked loop variable comes from: its position in the items it iterates, and
/// the expression read from it (the name, or `val["options"]["methods"]`, see [`row_entry`]).
type ItemPosition<'a> = Option<(usize, LoopRows<'a>, &'a Expr)>;

/// `val["options"]["methods"]`: the name a chain of subscripts by literal strings reads, and
/// the keys, outermost last (none for a plain name).
fn subscript_chain(expr: &Expr) -> Option<(&str, Vec<&str>)> {
    let mut keys = Vec::new();
    let mut e = expr;
    while let ExprKind::Subscript { value, slice } = &e.kind {
        keys.push(slice.as_str()?);
        e = value;
    }
    keys.reverse();
    Some((e.as_name()?, keys))
}

/// The part of a row that `read` (a loop variable, or a subscript chain of one) stands for:
/// the part itself, or the entries its keys select through dict literals written in the row
/// (`{"url": "/jobs/", "options": {"methods": ["GET"]}}`). `None` when a key is missing or
/// a value is not a literal dict.
fn row_entry<'a>(part: &'a Expr, read: &Expr) -> Option<&'a Expr> {
    let (_, keys) = subscript_chain(read)?;
    keys.iter()
        .try_fold(part, |value, key| value.dict_value(key))
}

/// What a loop that unpacks its items iterates: a literal list of tuples, or a literal dict's
/// `.items()` (each entry a key and a value).
#[derive(Clone, Copy)]
enum LoopRows<'a> {
    Items(&'a [Expr]),
    Entries(&'a [DictEntry]),
}

impl<'a> LoopRows<'a> {
    fn same(self, other: LoopRows<'_>) -> bool {
        match (self, other) {
            (LoopRows::Items(a), LoopRows::Items(b)) => std::ptr::eq(a, b),
            (LoopRows::Entries(a), LoopRows::Entries(b)) => std::ptr::eq(a, b),
            _ => false,
        }
    }

    /// Each row's parts, with the row's span.
    fn rows(self) -> Vec<(Span, Vec<&'a Expr>)> {
        match self {
            LoopRows::Items(items) => items
                .iter()
                .filter_map(|item| Some((item.span, item.elements()?.iter().collect())))
                .collect(),
            LoopRows::Entries(entries) => entries
                .iter()
                .filter_map(|e| Some((e.key.as_ref()?.span, vec![e.key.as_ref()?, &e.value])))
                .collect(),
        }
    }
}

struct LoopBinding<'a> {
    name: &'a str,
    file: usize,
    scope: Vec<&'a Function>,
    /// The position in each item, for a target that unpacks (`for path, view in routes`);
    /// a dict's entries are key and value (`.values()` binds the value, 1).
    index: Option<usize>,
    /// What the loop iterates.
    rows: LoopRows<'a>,
}

impl<'a> LoopBinding<'a> {
    /// The items a whole-item variable stands for, one at a time (none for a dict's entries).
    fn items(&self) -> &'a [Expr] {
        match self.rows {
            LoopRows::Items(items) => items,
            LoopRows::Entries(_) => &[],
        }
    }
}

/// Where and how a view is registered: what [`Extractor::target_routes`] needs besides the view.
struct RouteSite<'a, 's> {
    file: usize,
    scope: &'s [&'a Function],
    owner: Option<ObjectId>,
    path: String,
    call: &'a Call,
    methods: Option<Vec<String>>,
    default_method: &'s str,
    span: Span,
}

/// `getattr(receiver, name)` with the builtin (not a project function of that name): the two
/// arguments.
fn builtin_getattr<'e>(
    model: &ProjectModel,
    file: usize,
    call: &'e Call,
) -> Option<(&'e Expr, &'e Expr)> {
    if call.func.as_name() != Some("getattr")
        || !call.keywords.is_empty()
        || matches!(
            model.resolve_definition(file, &call.func),
            Some((_, Some(_), _))
        )
    {
        return None;
    }
    match call.args.as_slice() {
        [receiver, name] => Some((receiver, name)),
        _ => None,
    }
}

/// What a view expression registers: a function or a class-based view, and the decorators
/// wrapped around it at registration (`login_required(view)`).
enum ViewTarget<'a> {
    Function {
        file: usize,
        function: &'a Function,
        scope: Vec<&'a Function>,
    },
    Class {
        file: usize,
        class: &'a Class,
        /// The class itself, not `Class.as_view(...)`: a framework subclass (a Blueprint's
        /// `add_url_rule` override) turns it into a view.
        direct: bool,
    },
}

/// Methods that run a request for a handler class registered as a view by itself, in the
/// order they are looked for: Flask's `View`, request-handler classes (`RH.process`), others.
const ENTRY_METHODS: &[&str] = &[
    "dispatch_request",
    "process",
    "dispatch",
    "handle",
    "__call__",
];

const HTTP_VERBS: &[&str] = &["get", "post", "put", "patch", "delete"];

impl<'a> Extractor<'a> {
    fn resolve(&self, expr: &'a Expr) -> Option<ObjectId> {
        // A name's object depends only on the enclosing functions, not on where in them it
        // is read.
        let Some(name) = expr.as_name() else {
            return resolve_object(self.model, self.file, &self.scope, expr, 0);
        };
        let innermost = self.scope.last().map(|f| f.span.start);
        if let Some(known) = self.names.borrow().get(&(innermost, name)) {
            return known.clone();
        }
        let found = resolve_object(self.model, self.file, &self.scope, expr, 0);
        self.names
            .borrow_mut()
            .insert((innermost, name), found.clone());
        found
    }

    /// The condition under which the current statement runs, within its function.
    fn when(&self) -> When {
        self.branches_when(&self.conditions, None)
    }

    /// The condition of `branches` taken together. With `configuration_in`, the scope the
    /// tests are read in, only the tests that read configuration count: each is necessary
    /// for the statement to run, so what remains is still a condition of it, and one a reader
    /// can act on (`settings.enable_oidc`, not `self.path == "/"`).
    fn branches_when(
        &self,
        branches: &[Branch<'a>],
        configuration_in: Option<&[&'a Function]>,
    ) -> When {
        branches.iter().fold(When::Always, |acc, b| {
            let value = production_value(self.model, self.file, b.test);
            if value.is_none()
                && configuration_in.is_some_and(|scope| !self.reads_configuration(b.test, scope))
            {
                return acc;
            }
            acc.and(&branch_condition(
                self.model, value, self.file, b.test, b.then,
            ))
        })
    }

    /// Whether a test reads only configuration: every name in it is bound at module level (an
    /// import, a constant, a module function) and is no parameter or local of the functions
    /// around it. `app_config.enable_oidc`, `metrics_enabled()`, `os.environ.get("X")`; not
    /// `self.path == "/"`, `hasattr(module, "router")` or a flag computed in the function.
    fn reads_configuration(&self, test: &Expr, scope: &[&'a Function]) -> bool {
        let file = &self.model.files[self.file];
        // A module global set to `None` is a slot filled at run time (`if not APP: APP =
        // create_app()`), not a setting.
        let module_bound = |name: &str| {
            file.imports.get(name).is_some()
                || file.top_level(name).is_some_and(|stmt| {
                    !matches!(stmt, Stmt::Assign { value: Some(v), .. }
                        if matches!(v.kind, ExprKind::NoneLiteral))
                })
                || file.block_binding(name).is_some()
        };
        let local = |name: &str| {
            scope.iter().any(|f| {
                f.params.iter().any(|p| p.name == name)
                    || crate::values::last_assignment(&f.body, name).is_some()
            })
        };
        !test.any(&mut |x| x.as_name().is_some_and(|n| !module_bound(n) || local(n)))
    }

    /// When a hook registered here is installed: the `if`s around it, and those around every
    /// call of the module-level function it is registered in.
    fn hook_when(&self) -> When {
        self.when().and(&self.caller_condition())
    }

    /// When a route registered here exists: as [`Extractor::hook_when`], with the callers'
    /// condition worked out once per function.
    fn registration_when(&self) -> When {
        let callers = match self.scope.first() {
            None => When::Always,
            Some(outer) => self
                .caller_conditions
                .borrow_mut()
                .entry(outer.span.start)
                .or_insert_with(|| self.caller_condition_of(true))
                .clone(),
        };
        self.branches_when(&self.conditions, Some(&self.scope))
            .and(&callers)
    }

    /// `def install_auth_handler(password): app.before_request(check)`, called only `if
    /// password: install_auth_handler(password)`: what the function registers exists only under
    /// the condition of its calls in the module. Always when it is called unconditionally
    /// somewhere, or from nowhere in the module.
    fn caller_condition(&self) -> When {
        self.caller_condition_of(false)
    }

    /// [`Extractor::caller_condition`], counting only the tests that read configuration when
    /// `configuration_only`.
    fn caller_condition_of(&self, configuration_only: bool) -> When {
        let Some(&outer) = self.scope.first() else {
            return When::Always;
        };
        let body = self.model.files[self.file].body();
        let module_level = body
            .iter()
            .any(|s| matches!(s, Stmt::FunctionDef(f) if std::ptr::eq(f.as_ref(), outer)));
        if !module_level {
            return When::Always;
        }
        let calls = self.module_calls.get_or_init(|| module_calls(body));
        let sites: Vec<&Vec<Branch<'a>>> = calls
            .get(outer.name.as_str())
            .into_iter()
            .flatten()
            .filter(|(function, _)| *function != Some(outer.span.start))
            .map(|(_, branches)| branches)
            .collect();
        let whens: Vec<When> = sites
            .iter()
            .map(|branches| self.branches_when(branches, configuration_only.then_some(&[])))
            .collect();
        if configuration_only {
            return whens
                .iter()
                .fold(None, |acc: Option<When>, w| {
                    Some(acc.map_or_else(|| w.clone(), |acc| acc.or(w)))
                })
                .unwrap_or(When::Always);
        }
        let Some(first) = whens.first() else {
            return When::Always;
        };
        if whens.contains(&When::Always) {
            return When::Always;
        }
        if whens.iter().all(|w| w == first) {
            return first.clone();
        }
        let mut texts: Vec<&str> = whens.iter().filter_map(When::condition).collect();
        texts.dedup();
        if texts.is_empty() {
            return first.clone();
        }
        When::If(texts.join(" or "), Tests::default())
    }

    /// Records that `child` is mounted into `parent` by the current statement: no dependencies,
    /// not a mount, an argument or an instance unless the caller says so on what is returned.
    fn include(
        &mut self,
        parent: ObjectId,
        child: ObjectId,
        prefix: Option<String>,
        span: Span,
    ) -> &mut Include<'a> {
        let when = self.when();
        let exists = self.registration_when();
        self.out.includes.push(Include {
            parent,
            child,
            prefix,
            dependencies: Vec::new(),
            is_mount: false,
            is_parameter: false,
            is_argument: false,
            is_instance: false,
            when,
            exists,
            file: self.file,
            scope: self.scope.clone(),
            span,
        });
        self.out.includes.last_mut().expect("just pushed")
    }

    /// Links `child`, a parameter of a project function, to `parent`, the object passed to it
    /// (see [`Include::is_parameter`]).
    fn parameter_link(&mut self, parent: ObjectId, child: ObjectId, span: Span) {
        let when = self.when();
        let exists = self.registration_when();
        self.out.parameter_links.push(ParameterLink {
            parent,
            child,
            when,
            exists,
            file: self.file,
            scope: self.scope.as_slice().into(),
            span,
        });
    }

    /// The items of the innermost loop over a plain name `name`, gathered through names, `+`,
    /// `+=`/`.append`/`.extend` and both branches of a conditional expression (`endpoints =
    /// INDEX if index else MAIN; endpoints += [versions]`), when there are any.
    fn gathered_items(&self, name: &str) -> Option<Vec<LoopItem<'a>>> {
        let (_, scope, iter) = self.gathered.iter().rev().find(|(n, _, _)| *n == name)?;
        let mut items = Vec::new();
        gather_items(self.model, self.file, scope, iter, &mut items, 0);
        (!items.is_empty()).then_some(items)
    }

    /// `endpoint.router` where `endpoint` is a loop variable over project modules
    /// (`for endpoint in [info, links]:`): the module-level object `router` of each.
    fn looped_module_objects(&self, expr: &Expr) -> Vec<ObjectId> {
        let ExprKind::Attribute { value, attr } = &expr.kind else {
            return Vec::new();
        };
        let Some(items) = value.as_name().and_then(|n| self.gathered_items(n)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (file, _, item) in items {
            let Some(module) = self.model.files[file].imports.resolve(item) else {
                continue;
            };
            if self.model.module(&module).is_none() {
                continue;
            }
            if let Some(id) = resolve_qualified(self.model, &format!("{module}.{attr}"), 0)
                && !out.contains(&id)
            {
                out.push(id);
            }
        }
        out
    }

    /// The innermost loop variable named `name`, when it stands for whole items.
    /// The texts of an f-string path whose parts are variables of one enclosing loop over a
    /// literal, once per row, when every part is a literal string in every row.
    fn looped_paths(&self, path: Option<&'a Expr>) -> Option<Vec<String>> {
        let ExprKind::FString(parts) = &path?.kind else {
            return self.looped_path_texts(path?);
        };
        let mut binding: Option<&LoopBinding<'a>> = None;
        for part in parts {
            let routewarden_python::ast::FStringPart::Value(v) = part else {
                continue;
            };
            let name = v.as_name()?;
            let b = self.loops.iter().rev().find(|b| b.name == name)?;
            match binding {
                Some(first) if !first.rows.same(b.rows) => return None,
                _ => binding = Some(b),
            }
        }
        let binding = binding?;
        // A loop target is a name (whole items) or a tuple (each row's parts).
        let rows: Vec<Vec<&Expr>> = match (binding.index, binding.rows) {
            (None, LoopRows::Items(items)) => items.iter().map(|i| vec![i]).collect(),
            (None, LoopRows::Entries(_)) => return None,
            (Some(_), rows) => rows.rows().into_iter().map(|(_, row)| row).collect(),
        };
        let mut texts = Vec::new();
        for row in rows {
            let mut text = String::new();
            for part in parts {
                match part {
                    routewarden_python::ast::FStringPart::Literal(l) => text.push_str(l),
                    routewarden_python::ast::FStringPart::Value(v) => {
                        let name = v.as_name()?;
                        let b = self.loops.iter().rev().find(|b| b.name == name)?;
                        let value = match b.index {
                            Some(i) => row.get(i).copied()?,
                            None => row.first().copied()?,
                        };
                        text.push_str(value.as_str()?);
                    }
                }
            }
            texts.push(text);
        }
        (!texts.is_empty()).then_some(texts)
    }

    /// The path a route's path expression gives, or each path it may give when it is chosen
    /// by a condition the analysis cannot decide (`path = "/legacy" if old else "/"`, or
    /// `path` assigned a literal in each branch of an `if`): one route per alternative, as for
    /// a loop over a literal list.
    /// The path of a registration that writes none but spreads a mapping (`**route_kwargs`):
    /// the mapping's entry, or `<dynamic>` when the spread cannot be read. `None` when no
    /// spread may carry it.
    fn spread_path(&self, call: &'a Call, keys: &[&str]) -> Option<Vec<String>> {
        if !call.has_kwargs_spread() {
            return None;
        }
        match route_keyword(self.model, self.file, &self.scope, call, keys) {
            RouteKeyword::Given(o) => {
                Some(vec![path_text(self.model, o.file, &o.scope, Some(o.expr))])
            }
            RouteKeyword::Unknown => Some(vec!["<dynamic>".to_string()]),
            RouteKeyword::Absent => None,
        }
    }

    fn path_alternatives(&self, path: Option<&'a Expr>) -> Vec<String> {
        let text = path_text(self.model, self.file, &self.scope, path);
        if text != "<dynamic>" {
            return vec![text];
        }
        let mut out = Vec::new();
        if let Some(path) = path
            && literal_path_choices(self.model, self.file, &self.scope, path, &mut out, 0)
            && out.len() > 1
        {
            out.dedup();
            return out;
        }
        vec![text]
    }

    /// A path built with `.format()`, `%` or `+` from the variables of one enclosing loop over
    /// a literal (`for d in ["rated", "hot"]: bp.add_url_rule('/{}/<sort>'.format(d), ...)`):
    /// its text once per row, read by the helper evaluator with the variables bound to the
    /// row's parts.
    fn looped_path_texts(&self, path: &'a Expr) -> Option<Vec<String>> {
        if self.loops.is_empty() {
            return None;
        }
        let mut binding: Option<&LoopBinding<'a>> = None;
        let mut mixed = false;
        path.any(&mut |e| {
            if let Some(name) = e.as_name()
                && let Some(b) = self.loops.iter().rev().find(|b| b.name == name)
            {
                match binding {
                    Some(first) if !first.rows.same(b.rows) => mixed = true,
                    _ => binding = Some(b),
                }
            }
            false
        });
        let binding = binding.filter(|_| !mixed)?;
        let rows: Vec<Vec<&'a Expr>> = match (binding.index, binding.rows) {
            (None, LoopRows::Items(items)) => items.iter().map(|i| vec![i]).collect(),
            (None, LoopRows::Entries(_)) => return None,
            (Some(_), rows) => rows.rows().into_iter().map(|(_, row)| row).collect(),
        };
        let variables: Vec<&LoopBinding<'a>> = self
            .loops
            .iter()
            .filter(|b| b.rows.same(binding.rows))
            .collect();
        let mut frame = HelperFrame {
            model: self.model,
            def_file: self.file,
            def_scope: self.scope.clone(),
            function: None,
            call_file: self.file,
            call_scope: &self.scope,
            bound: &[],
            loop_values: Vec::new(),
            item_file: binding.file,
            item_scope: &binding.scope,
            locals: Vec::new(),
        };
        let mut paths: Vec<String> = Vec::new();
        for row in rows {
            frame.loop_values.clear();
            for b in &variables {
                let part = match b.index {
                    None => row.first(),
                    Some(i) => row.get(i),
                };
                frame.loop_values.push((b.name, part.copied()?));
            }
            let path = frame.text(path, 0);
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        (!paths.is_empty()).then_some(paths)
    }

    fn loop_item(&self, name: &str) -> Option<&LoopBinding<'a>> {
        self.loops
            .iter()
            .rev()
            .find(|b| b.name == name)
            .filter(|b| b.index.is_none())
    }

    /// The arguments of a call in a loop over a literal list, once per row: `f(*row)` over the
    /// rows' items, or `f(cls, path)` with names the loop unpacks. With the file and scope the
    /// list is written in.
    #[allow(clippy::type_complexity)]
    fn looped_arguments(
        &self,
        args: &'a [Expr],
    ) -> Option<(usize, Vec<&'a Function>, Vec<Vec<&'a Expr>>)> {
        if let [only] = args
            && let ExprKind::Starred(inner) = &only.kind
        {
            let binding = self.loop_item(inner.as_name()?)?;
            let rows = binding
                .items()
                .iter()
                .filter_map(|item| Some(item.elements()?.iter().collect()))
                .collect();
            return Some((binding.file, binding.scope.clone(), rows));
        }
        let unpacked = |e: &Expr| {
            let name = e.as_name()?;
            let b = self.loops.iter().rev().find(|b| b.name == name)?;
            Some((b.index?, b))
        };
        let (_, binding) = args.iter().find_map(unpacked)?;
        // Other arguments are read in the list's file: only when the two are the same.
        if binding.file != self.file && !args.iter().all(|a| unpacked(a).is_some()) {
            return None;
        }
        let rows = binding
            .rows
            .rows()
            .into_iter()
            .map(|(_, parts)| {
                args.iter()
                    .map(|arg| match unpacked(arg) {
                        Some((i, b)) if b.rows.same(binding.rows) => parts.get(i).copied(),
                        _ => Some(arg),
                    })
                    .collect::<Option<Vec<&'a Expr>>>()
            })
            .collect::<Option<Vec<_>>>()?;
        Some((binding.file, binding.scope.clone(), rows))
    }

    /// The literal list a property or method of the enclosing class returns (`for path,
    /// method, func in self.routes:` with `@property def routes(self): return [(...), ...]`),
    /// with the file and the method it is written in.
    #[allow(clippy::type_complexity)]
    fn class_route_table(&self, iter: &'a Expr) -> Option<(usize, Vec<&'a Function>, &'a [Expr])> {
        let attribute = match &iter.kind {
            ExprKind::Call(c) if c.args.is_empty() && c.keywords.is_empty() => &c.func,
            _ => iter,
        };
        let ExprKind::Attribute { value, attr } = &attribute.kind else {
            return None;
        };
        if value.as_name() != Some("self") {
            return None;
        }
        let class = self.classes.last()?;
        let (method_file, _, method) = find_method(self.model, self.file, class, attr)?;
        let mut returns: Vec<&'a Expr> = Vec::new();
        for_each_return(&method.body, &mut |r| returns.push(r));
        let [only] = returns.as_slice() else {
            return None;
        };
        let items = match &only.kind {
            ExprKind::List(items) | ExprKind::Tuple(items) => items.as_slice(),
            _ => return None,
        };
        Some((method_file, vec![method], items))
    }

    /// `for path, method, func in self.routes: getattr(router, method)(path, name=...)(func)`:
    /// the route decorator named by an unpacked item of a literal list in this file, one route
    /// per item, reported at the item. Rows whose method is not a literal route verb are
    /// skipped. Whether the call was one.
    fn getattr_route_rows(&mut self, decorator: &'a Call, call: &'a Call) -> bool {
        let ExprKind::Call(getattr) = &decorator.func.kind else {
            return false;
        };
        let Some((receiver, method)) = builtin_getattr(self.model, self.file, getattr) else {
            return false;
        };
        let position = |e: Option<&Expr>| {
            let name = e?.as_name()?;
            let b = self.loops.iter().rev().find(|b| b.name == name)?;
            Some((b.index?, b.rows, b.file, b.scope.clone()))
        };
        let Some((method_at, rows, file, scope)) = position(Some(method)) else {
            return false;
        };
        // The routes are reported at their items: only when the list is beside the call.
        if file != self.file {
            return true;
        }
        let Some(owner) = self.resolve(receiver).filter(|o| self.could_route(o)) else {
            return true;
        };
        let path_arg = decorator.argument("path", 0);
        let view_arg = call.args.first();
        let (path_at, view_at) = (position(path_arg), position(view_arg));
        for (item_span, parts) in rows.rows() {
            let pick =
                |e: Option<&'a Expr>,
                 at: &Option<(usize, LoopRows<'a>, usize, Vec<&'a Function>)>| {
                    match at {
                        Some((i, from, ..)) if from.same(rows) => parts.get(*i).copied(),
                        _ => e,
                    }
                };
            let Some(implied) = parts
                .get(method_at)
                .and_then(|m| m.as_str())
                .and_then(|m| route_method(&m.to_ascii_lowercase()))
            else {
                continue;
            };
            let Some(view) = pick(view_arg, &view_at) else {
                continue;
            };
            let methods = match implied {
                Some(m) => Some(vec![m.to_string()]),
                None => registered_methods(self.model, file, &scope, decorator.keyword("methods")),
            };
            let path = path_text(self.model, file, &scope, pick(path_arg, &path_at));
            self.view_routes(
                file,
                &scope,
                Some(owner.clone()),
                path,
                view,
                decorator,
                methods,
                "GET",
                item_span,
            );
        }
        true
    }

    /// `for path, endpoint, methods in (("/run", run, ["POST"]), ...): router.add_api_route(
    /// path, endpoint, methods=methods)`: one route per item of a literal list in this file,
    /// each argument taken from its position in the item, reported at the item. Whether the
    /// call was one. Over a literal dict's entries, an argument may also read the value's
    /// entries (`for key, val in API.items(): app.add_url_rule(val["url"], view_func=view,
    /// **val["options"])`, with `view = val["view_class"].as_view(key)` in the loop): the
    /// methods come from the spread entry's `"methods"`.
    fn unpacked_route_items(
        &mut self,
        owner: Option<&ObjectId>,
        path_arg: Option<&'a Expr>,
        view: Option<&'a Expr>,
        call: &'a Call,
        attr: &str,
    ) -> bool {
        let position = |e: Option<&'a Expr>| {
            let e = e?;
            let name = match &e.kind {
                ExprKind::Subscript { .. } => subscript_chain(e)?.0,
                _ => e.as_name()?,
            };
            let b = self.loops.iter().rev().find(|b| b.name == name)?;
            Some((b.index?, b.rows, e))
        };
        let methods_arg = call.keyword("methods");
        // `_translate_errors(endpoint, name)` around an unpacked name: the name, wrapped.
        let mut view = view;
        let mut outer_wrappers: Vec<(usize, &'a Expr)> = Vec::new();
        while let Some(wrapping) = view.and_then(Expr::as_call)
            && let Some(first) = wrapping.args.first()
            && position(Some(first)).is_some()
        {
            outer_wrappers.push((self.file, &wrapping.func));
            view = Some(first);
        }
        // `view_func=getattr(views, endpoint)` with `endpoint` unpacked: the attribute of the
        // project module named in each row.
        let mut getattr_module: Option<&'a Expr> = None;
        if let Some(c) = view.and_then(Expr::as_call)
            && let Some((module, name)) = builtin_getattr(self.model, self.file, c)
            && position(Some(name)).is_some()
        {
            getattr_module = Some(module);
            view = Some(name);
        }
        // `view_func = val["view_class"].as_view(key)` in the loop: the class each row names.
        let mut as_view = false;
        if position(view).is_none()
            && let (Some(v), Some(function)) = (view, self.scope.last())
            && let Some(class) = local_as_view_receiver(function, v)
            && position(Some(class)).is_some()
        {
            view = Some(class);
            as_view = true;
        }
        // `**val["options"]` without `methods=`: the methods the spread row entry holds.
        let spread_at = call
            .keywords
            .iter()
            .filter(|k| k.arg.is_none() && methods_arg.is_none())
            .find_map(|k| position(Some(&k.value)));
        let positions = [position(path_arg), position(view), position(methods_arg)];
        // `methods=[method]`: the list's unpacked names.
        let listed_methods: Option<Vec<(&'a Expr, ItemPosition<'a>)>> = methods_arg
            .and_then(Expr::elements)
            .map(|elems| elems.iter().map(|e| (e, position(Some(e)))).collect());
        let Some(rows) = positions
            .iter()
            .chain(listed_methods.iter().flatten().map(|(_, at)| at))
            .chain(std::iter::once(&spread_at))
            .flatten()
            .map(|&(_, rows, _)| rows)
            .next()
        else {
            return false;
        };
        // An argument read off the rows' dicts that some row does not give (not a literal
        // dict, a missing key): the registration is read as written, not per row.
        let keyed: Vec<(usize, &'a Expr)> = positions[..2]
            .iter()
            .flatten()
            .filter(|(_, from, e)| from.same(rows) && matches!(e.kind, ExprKind::Subscript { .. }))
            .map(|&(i, _, e)| (i, e))
            .collect();
        if !keyed.is_empty()
            && !rows.rows().iter().all(|(_, parts)| {
                keyed
                    .iter()
                    .all(|&(i, e)| parts.get(i).and_then(|p| row_entry(p, e)).is_some())
            })
        {
            return false;
        }
        let binding = self
            .loops
            .iter()
            .rev()
            .find(|b| b.rows.same(rows) && b.index.is_some());
        let Some((file, scope)) = binding.map(|b| (b.file, b.scope.clone())) else {
            return false;
        };
        // The routes are reported at the registering call: only when the list is beside it.
        if file != self.file {
            return keyed.is_empty();
        }
        let default_method = if matches!(attr, "add_api_websocket_route" | "add_websocket_route") {
            "WS"
        } else {
            "GET"
        };
        let row_values = self.row_values(rows, file, &scope, path_arg, positions[0].is_none());
        // An argument from the row is read where the rows are written, any other where the
        // call is (`view = ItemAPI.as_view("items")` before a loop over a module's dict).
        let here = self.scope.clone();
        let scope_of = |at: &ItemPosition<'a>| match at {
            Some((_, from, _)) if from.same(rows) => &scope,
            _ => &here,
        };
        for ((item_span, parts), (built_path, excluded)) in rows.rows().into_iter().zip(row_values)
        {
            if excluded {
                continue;
            }
            // An argument that is one of the unpacked names comes from the item.
            let pick = |e: Option<&'a Expr>, at: ItemPosition<'a>| match at {
                Some((i, from, read)) if from.same(rows) => {
                    parts.get(i).copied().and_then(|p| row_entry(p, read))
                }
                _ => e,
            };
            let Some(view) = pick(view, positions[1]) else {
                continue;
            };
            let path = built_path.unwrap_or_else(|| {
                path_text(
                    self.model,
                    file,
                    scope_of(&positions[0]),
                    pick(path_arg, positions[0]),
                )
            });
            let methods = match &listed_methods {
                Some(elems) => Some(
                    elems
                        .iter()
                        .filter_map(|&(e, at)| pick(Some(e), at).and_then(Expr::as_str))
                        .map(str::to_ascii_uppercase)
                        .collect(),
                ),
                None if spread_at.is_some() => match pick(None, spread_at) {
                    Some(
                        options @ Expr {
                            kind: ExprKind::Dict(entries),
                            ..
                        },
                    ) => match options.dict_value("methods") {
                        Some(m) => registered_methods(self.model, file, &scope, Some(m)),
                        None if entries.iter().any(|e| e.key.is_none()) => {
                            Some(vec![DYNAMIC_METHODS.to_string()])
                        }
                        None => None,
                    },
                    _ => Some(vec![DYNAMIC_METHODS.to_string()]),
                },
                None => registered_methods(
                    self.model,
                    file,
                    scope_of(&positions[2]),
                    pick(methods_arg, positions[2]),
                ),
            };
            let view_scope = scope_of(&positions[1]);
            let before = self.out.routes.len();
            match getattr_module {
                Some(module) => {
                    let mut wrappers = Vec::new();
                    let target = view.as_str().and_then(|name| {
                        self.module_attribute_view(file, module, name, &mut wrappers, 0)
                    });
                    let site = RouteSite {
                        file,
                        scope: &scope,
                        owner: owner.cloned(),
                        path,
                        call,
                        methods,
                        default_method,
                        span: item_span,
                    };
                    self.target_routes(site, target, wrappers, None);
                }
                None if as_view => {
                    // The class made a view by `as_view`: its HTTP methods, else
                    // `dispatch_request` only.
                    let mut wrappers = Vec::new();
                    let target = match self.view_of(file, view_scope, view, &mut wrappers, 0) {
                        Some(ViewTarget::Class { file, class, .. }) => Some(ViewTarget::Class {
                            file,
                            class,
                            direct: false,
                        }),
                        _ => None,
                    };
                    let site = RouteSite {
                        file,
                        scope: view_scope,
                        owner: owner.cloned(),
                        path,
                        call,
                        methods,
                        default_method,
                        span: item_span,
                    };
                    self.target_routes(site, target, wrappers, None);
                }
                None => self.view_routes(
                    file,
                    view_scope,
                    owner.cloned(),
                    path,
                    view,
                    call,
                    methods,
                    default_method,
                    item_span,
                ),
            }
            for route in &mut self.out.routes[before..] {
                route.view_decorators.extend(outer_wrappers.iter().copied());
            }
        }
        true
    }

    /// For each row of a loop's literal rows: the path a registration's path expression builds
    /// from the row's unpacked names (`"/~<namespace>" + rule`; with `built` only, when the
    /// path is not one of the names itself), and whether an `if` inside the loop that tests
    /// them rules the row out (`if "<repo>" in rule:`).
    fn row_values(
        &self,
        rows: LoopRows<'a>,
        file: usize,
        scope: &[&'a Function],
        path_arg: Option<&'a Expr>,
        built: bool,
    ) -> Vec<(Option<String>, bool)> {
        let variables: Vec<&LoopBinding<'a>> = self
            .loops
            .iter()
            .filter(|b| b.index.is_some() && b.rows.same(rows))
            .collect();
        let mentions = |e: &Expr| {
            e.any(&mut |x| {
                x.as_name()
                    .is_some_and(|n| variables.iter().any(|b| b.name == n))
            })
        };
        let built_path = path_arg.filter(|p| built && mentions(p));
        let tests: Vec<&Branch<'a>> = self
            .conditions
            .iter()
            .filter(|b| mentions(b.test))
            .collect();
        let all_rows = rows.rows();
        if built_path.is_none() && tests.is_empty() {
            return vec![(None, false); all_rows.len()];
        }
        let mut frame = HelperFrame {
            model: self.model,
            def_file: self.file,
            def_scope: self.scope.clone(),
            function: None,
            call_file: self.file,
            call_scope: &self.scope,
            bound: &[],
            loop_values: Vec::new(),
            item_file: file,
            item_scope: scope,
            locals: Vec::new(),
        };
        all_rows
            .iter()
            .map(|(_, parts)| {
                frame.loop_values.clear();
                for b in &variables {
                    if let Some(part) = b.index.and_then(|i| parts.get(i)) {
                        frame.loop_values.push((b.name, part));
                    }
                }
                let path = built_path.map(|p| frame.text(p, 0));
                let excluded = tests
                    .iter()
                    .any(|b| frame.truth(b.test).is_some_and(|t| t != b.then));
                (path, excluded)
            })
            .collect()
    }

    /// The objects a call receiver denotes: one, or each item of an enclosing
    /// `for ext in (db, limiter): ext.init_app(app)` loop.
    fn resolve_receivers(&self, receiver: &'a Expr) -> Vec<ObjectId> {
        if let Some(binding) = receiver.as_name().and_then(|name| self.loop_item(name)) {
            return binding
                .items()
                .iter()
                .filter_map(|item| {
                    resolve_object(self.model, binding.file, &binding.scope, item, 0)
                })
                .collect();
        }
        self.resolve(receiver).into_iter().collect()
    }

    /// `module.blueprint` (or `module.blueprint()`, the object the module's factory returns)
    /// where the function bound `module` with `importlib.import_module(...)` of a literal name,
    /// of an f-string or `"." + name` over the names of an enclosing `for` loop (`package=` for
    /// relative names): the module-level object of that name in each project module imported.
    fn imported_module_objects(&self, expr: &Expr) -> Vec<ObjectId> {
        // `module.blueprint()`: the factory's result rather than the attribute.
        let (target, called) = match &expr.kind {
            ExprKind::Call(call) if call.args.is_empty() && call.keywords.is_empty() => {
                (&call.func, true)
            }
            _ => (expr, false),
        };
        let ExprKind::Attribute { value, attr } = &target.kind else {
            return Vec::new();
        };
        if self.scope.is_empty() {
            return Vec::new();
        }
        self.imported_modules(value)
            .into_iter()
            .filter_map(|file| {
                if !called {
                    return Some(ObjectId {
                        file,
                        scope: None,
                        name: attr.to_string(),
                    });
                }
                // A module without the factory (`if hasattr(module, "blueprint_legacy")`)
                // contributes nothing.
                let Some(Stmt::FunctionDef(factory)) = self.model.files[file].top_level(attr)
                else {
                    return None;
                };
                returned_object_of(self.model, file, factory, None, 0)
            })
            .collect()
    }

    /// The project modules `module` stands for where it is bound (in the current function, or
    /// at module level) with `importlib.import_module(...)` of a literal name, of an f-string
    /// or `"prefix." + name` over the names of an enclosing `for` loop, or of the modules
    /// `werkzeug.utils.find_modules` lists (`package=` for relative names); or is that call.
    fn imported_modules(&self, module: &Expr) -> Vec<usize> {
        let body = match self.scope.last() {
            Some(function) => function.body.as_slice(),
            None => self.model.files[self.file].body(),
        };
        let imported = match &module.kind {
            ExprKind::Name(module_var) => match self.scope.last() {
                Some(function) => crate::values::local_assignment(function, module_var),
                None => crate::values::last_assignment(body, module_var),
            },
            _ => Some(module),
        };
        let Some(call) = imported.and_then(Expr::as_call).filter(|c| {
            matches!(
                self.qualified(&c.func).as_deref(),
                Some("importlib.import_module" | "builtins.__import__")
            )
        }) else {
            return Vec::new();
        };
        let names: Vec<String> = match call.args.first().map(|a| &a.kind) {
            Some(ExprKind::Str(name)) => vec![name.to_string()],
            Some(ExprKind::Name(name)) => {
                let found = self.found_modules(body, name.as_str());
                if found.is_empty() {
                    self.iterated_names(body, name.as_str())
                } else {
                    found
                }
            }
            // `importlib.import_module("." + name, package="app.endpoints")`
            Some(ExprKind::BinOp {
                left,
                op: BinOp::Add,
                right,
            }) => match (left.as_str(), right.as_name()) {
                (Some(head), Some(var)) => self
                    .iterated_names(body, var)
                    .into_iter()
                    .map(|name| format!("{head}{name}"))
                    .collect(),
                _ => Vec::new(),
            },
            Some(ExprKind::FString(parts)) => {
                let loop_items = parts.iter().find_map(|p| match p {
                    FStringPart::Value(e) => e
                        .as_name()
                        .and_then(|n| self.loop_item(n))
                        .map(|b| b.items()),
                    FStringPart::Literal(_) => None,
                });
                loop_items
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Expr::as_str)
                    .map(|item| {
                        parts
                            .iter()
                            .map(|p| match p {
                                FStringPart::Literal(l) => l.as_str(),
                                FStringPart::Value(_) => item,
                            })
                            .collect()
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let package = call.argument("package", 1).and_then(Expr::as_str);
        names
            .iter()
            .filter_map(|name| absolute_import_name(name, package))
            .filter_map(|name| self.model.module(&name).map(|(file, _)| file))
            .collect()
    }

    /// The objects a registration's child stands for when it is an attribute of the modules a
    /// package imports by walking its own folder ([`folder_walk_modules`]), each with its
    /// prefix: `view.blueprint` read where the module is imported, or a name a loop unpacks
    /// from rows such as `(view.blueprint, view.routes)`. A prefix read from the same rows
    /// (`for prefix in prefixes`, or `view.prefix` unpacked) is the module's own value, one
    /// registration per path it lists; any other prefix is `prefix`. Only modules that
    /// define the attribute register something. Empty when the child is none of these.
    fn folder_module_children(
        &self,
        child: &'a Expr,
        prefix_expr: Option<&'a Expr>,
        prefix: &Option<String>,
    ) -> Vec<(ObjectId, Option<String>)> {
        // Each module attribute the child reads, where it is written, and the row it is
        // part of (for a child a loop unpacks).
        let mut parts: Vec<(usize, Vec<&'a Function>, &'a Expr, Option<&'a Expr>)> = Vec::new();
        let mut rows_iter: Option<&'a Expr> = None;
        match &child.kind {
            ExprKind::Attribute { value, .. } if value.as_name().is_some() => {
                parts.push((self.file, self.scope.clone(), child, None));
            }
            ExprKind::Name(name) => {
                let Some((_, index, scope, iter)) =
                    self.unpacked.iter().rev().find(|(n, ..)| n == name)
                else {
                    return Vec::new();
                };
                rows_iter = Some(iter);
                for (file, row_scope, row) in self.model_list_items(scope, iter) {
                    if let Some(part) = row.elements().and_then(|e| e.get(*index)) {
                        parts.push((file, row_scope, part, Some(row)));
                    }
                }
            }
            _ => return Vec::new(),
        }
        let mut out = Vec::new();
        for (file, scope, part, row) in parts {
            let ExprKind::Attribute {
                value: module,
                attr,
            } = &part.kind
            else {
                continue;
            };
            for module_file in folder_walk_modules(self.model, file, &scope, module) {
                if self.model.files[module_file].top_level(attr).is_none() {
                    continue;
                }
                let id = ObjectId {
                    file: module_file,
                    scope: None,
                    name: attr.to_string(),
                };
                let own = row.and_then(|row| {
                    self.row_prefixes(prefix_expr?, rows_iter?, row, module, module_file)
                });
                for prefix in own.unwrap_or_else(|| vec![prefix.clone()]) {
                    out.push((id.clone(), prefix));
                }
            }
        }
        out
    }

    /// The prefixes a registration's prefix takes for one module when it is read from the
    /// same row as the child: a name unpacked from the row (`for bp, prefix in rows`), or
    /// the variable of a loop over one (`for bp, prefixes in rows: for prefix in prefixes`),
    /// where the row's part is the module's attribute (`view.routes`). `None` otherwise.
    fn row_prefixes(
        &self,
        prefix_expr: &'a Expr,
        rows_iter: &'a Expr,
        row: &'a Expr,
        module: &Expr,
        module_file: usize,
    ) -> Option<Vec<Option<String>>> {
        let name = prefix_expr.as_name()?;
        let unpacked_index = |name: &str| {
            self.unpacked
                .iter()
                .rev()
                .find(|(n, ..)| *n == name)
                .filter(|(.., iter)| std::ptr::eq(*iter, rows_iter))
                .map(|(_, i, ..)| *i)
        };
        let (index, each) = match unpacked_index(name) {
            Some(i) => (i, false),
            None => {
                let (_, _, iter) = self.gathered.iter().rev().find(|(n, ..)| *n == name)?;
                (unpacked_index(iter.as_name()?)?, true)
            }
        };
        let ExprKind::Attribute { value, attr } = &row.elements()?.get(index)?.kind else {
            return None;
        };
        if value.as_name() != module.as_name() {
            return None;
        }
        let Some(Stmt::Assign {
            value: Some(value), ..
        }) = self.model.files[module_file].top_level(attr)
        else {
            return None;
        };
        let text = |e: &Expr| Some(path_text(self.model, module_file, &[], Some(e)));
        match value.elements() {
            Some(items) if each => Some(items.iter().map(text).collect()),
            None if !each => Some(vec![text(value)]),
            _ => None,
        }
    }

    /// The items of the list a loop iterates ([`gather_items`]), and, for a list imported
    /// from another project module, those its module appends (`blueprints = []` filled by a
    /// loop in `views/__init__.py`).
    fn model_list_items(&self, scope: &[&'a Function], iter: &'a Expr) -> Vec<LoopItem<'a>> {
        let mut items = Vec::new();
        gather_items(self.model, self.file, scope, iter, &mut items, 0);
        if !items.is_empty() || iter.as_name().is_none() {
            return items;
        }
        let Some(qualified) = self.qualified(iter) else {
            return items;
        };
        let Some((module, name)) = qualified.rsplit_once('.') else {
            return items;
        };
        let Some((file, source)) = self.model.module(module) else {
            return items;
        };
        for stmt in source.body() {
            if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                continue;
            }
            let (appended, _) = list_growth(std::slice::from_ref(stmt), &[name]);
            items.extend(appended.into_iter().map(|item| (file, Vec::new(), item)));
        }
        items
    }

    /// The literal names `var` takes in a loop of `body`: the items of an enclosing loop
    /// over a literal, or of `for var in names` where `names` comes to literal names
    /// ([`literal_names`]).
    fn iterated_names(&self, body: &'a [Stmt], var: &str) -> Vec<String> {
        if let Some(binding) = self.loop_item(var) {
            return binding
                .items()
                .iter()
                .filter_map(Expr::as_str)
                .map(str::to_string)
                .collect();
        }
        let mut iterated = None;
        crate::security::walk_stmts(body, &mut |stmt| {
            if let Stmt::For { target, iter, .. } = stmt
                && target.as_name() == Some(var)
            {
                iterated = Some(iter);
            }
        });
        let mut out = Vec::new();
        if let Some(iter) = iterated {
            literal_names(self.model, self.file, &self.scope, iter, &mut out, 0);
        }
        out.sort();
        out.dedup();
        out
    }

    /// The project modules a loop variable stands for when an enclosing loop walks a literal
    /// list of imported modules (`for module in [pages, items]:`, or over a name bound to one):
    /// the file of each item that names a project module (other items, such as objects, are
    /// left to the other cases), when some do.
    fn looped_modules(&self, var: &Expr) -> Option<Vec<usize>> {
        let name = var.as_name()?;
        let binding = self.loops.iter().rev().find(|b| b.name == name)?;
        if binding.index.is_some() {
            return None;
        }
        let imports = &self.model.files[binding.file].imports;
        let modules: Vec<usize> = binding
            .items()
            .iter()
            .filter(|item| matches!(item.kind, ExprKind::Name(_)))
            .filter_map(|item| Some(self.model.module(&imports.resolve(item)?)?.0))
            .collect();
        (!modules.is_empty()).then_some(modules)
    }

    /// The modules `name` stands for when the function loops over
    /// `werkzeug.utils.find_modules(package)` with it (`for module in find_modules(__name__)`).
    fn found_modules(&self, body: &'a [Stmt], name: &str) -> Vec<String> {
        let mut iterated = None;
        crate::security::walk_stmts(body, &mut |stmt| {
            if let Stmt::For { target, iter, .. } = stmt
                && target.as_name() == Some(name)
            {
                iterated = iter.as_call();
            }
        });
        let Some(call) = iterated
            .filter(|c| self.qualified(&c.func).as_deref() == Some("werkzeug.utils.find_modules"))
        else {
            return Vec::new();
        };
        let source = &self.model.files[self.file];
        let package = match call.argument("import_path", 0).map(|a| &a.kind) {
            Some(ExprKind::Str(package)) => package.as_str(),
            Some(ExprKind::Name(n)) if n == "__name__" && source.is_package => {
                source.module_name.as_str()
            }
            _ => return Vec::new(),
        };
        let flag = |keyword: &str, position: usize| {
            call.argument(keyword, position)
                .is_some_and(|e| matches!(e.kind, ExprKind::Bool(true)))
        };
        self.model
            .submodules(package, flag("include_packages", 1), flag("recursive", 2))
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// `with app.app_context(): from .endpoints import controller`: `current_app` in the
    /// modules imported there is `app`.
    fn modules_imported_in_context(&mut self, items: &'a [WithItem], body: &'a [Stmt], span: Span) {
        let Some(app) = items.iter().find_map(|item| {
            let call = item.context.as_call()?;
            match &call.func.kind {
                ExprKind::Attribute { value, attr } if attr == "app_context" => {
                    let receiver: &'a Expr = value;
                    self.resolve(receiver)
                }
                _ => None,
            }
        }) else {
            return;
        };
        let source = &self.model.files[self.file];
        let mut modules = Vec::new();
        crate::security::walk_stmts(body, &mut |stmt| match stmt {
            Stmt::Import { names, .. } => {
                modules.extend(names.iter().map(|alias| alias.name.to_string()));
            }
            Stmt::ImportFrom {
                module: from,
                level,
                names,
                ..
            } => {
                let Some(base) = routewarden_python::names::absolute_module(
                    &source.module_name,
                    source.is_package,
                    from.as_deref(),
                    *level,
                ) else {
                    return;
                };
                for alias in names {
                    let submodule = routewarden_python::names::dotted(&base, &alias.name);
                    modules.push(if self.model.module(&submodule).is_some() {
                        submodule
                    } else {
                        base.clone()
                    });
                }
            }
            _ => {}
        });
        for module in modules {
            if let Some((file, _)) = self.model.module(&module) {
                self.parameter_link(app.clone(), current_app_of(file), span);
            }
        }
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
                self.application_self(f);
                self.scope.push(f);
                // A function's body runs when it is called, not under the `if` around its `def`.
                let outer = std::mem::take(&mut self.conditions);
                self.stmts(&f.body);
                self.conditions = outer;
                self.scope.pop();
            }
            Stmt::If {
                test, body, orelse, ..
            } => {
                self.conditions.push(Branch { test, then: true });
                self.stmts(body);
                self.conditions.pop();
                self.conditions.push(Branch { test, then: false });
                self.stmts(orelse);
                self.conditions.pop();
            }
            Stmt::ClassDef(c) => {
                self.appbuilder_view(c);
                self.flask_admin_view(c);
                self.decorated_resource(c);
                self.classes.push(c);
                self.stmts(&c.body);
                self.classes.pop();
            }
            Stmt::Assign {
                targets,
                value: Some(value),
                span,
                ..
            } => {
                for target in targets {
                    self.assignment(target, value, *span);
                    self.dependency_override(target, value);
                }
                self.expr(value, *span);
            }
            Stmt::Expr { value, span } => {
                self.unbound_limiter(value, *span);
                self.dependency_overrides_update(value);
                self.expr(value, *span);
            }
            // `return Starlette(routes=...)` in a factory: the application is its result.
            Stmt::Return {
                value: Some(value),
                span,
            } if !self.scope.is_empty() => {
                if let Some(call) = value.as_call()
                    && let Some(kind) = constructed_kind(self.model, self.file, &call.func)
                {
                    self.constructed(self.local_id(RETURNED), kind, call, *span);
                }
                // `return attach_routes(router=router)`, `return app.get("/")(index)`: what the
                // returned call registers.
                self.returned_calls(value, *span);
            }
            Stmt::With { items, body, .. } => {
                for item in items {
                    self.expr(&item.context, stmt.span());
                }
                self.modules_imported_in_context(items, body, stmt.span());
                self.stmts(body);
            }
            Stmt::For {
                target,
                iter,
                body,
                orelse,
                ..
            } => {
                // `for path, endpoint in route_mapping.items()` over a literal dict; `for
                // route in route_mapping.values()` binds each entry's value.
                let dict_items = iter.as_call().and_then(|c| match &c.func.kind {
                    ExprKind::Attribute { value, attr }
                        if matches!(attr.as_str(), "items" | "values") && c.args.is_empty() =>
                    {
                        let origin = self.model.resolve_value(self.file, &self.scope, value);
                        match &origin.expr.kind {
                            ExprKind::Dict(entries) => Some((origin, entries.as_slice())),
                            _ => None,
                        }
                    }
                    _ => None,
                });
                let before = self.loops.len();
                let gathered_before = self.gathered.len();
                let unpacked_before = self.unpacked.len();
                if let Some(name) = target.as_name() {
                    self.gathered.push((name, self.scope.clone(), iter));
                } else if let ExprKind::Tuple(parts) | ExprKind::List(parts) = &target.kind {
                    for (i, part) in parts.iter().enumerate() {
                        if let Some(name) = part.as_name() {
                            self.unpacked.push((name, i, self.scope.clone(), iter));
                        }
                    }
                }
                let values_only = iter.as_call().is_some_and(|c| {
                    matches!(&c.func.kind, ExprKind::Attribute { attr, .. } if attr == "values")
                });
                if let Some((origin, entries)) = dict_items {
                    if values_only {
                        if let Some(name) = target.as_name() {
                            self.loops.push(LoopBinding {
                                name,
                                file: origin.file,
                                scope: origin.scope.clone(),
                                index: Some(1),
                                rows: LoopRows::Entries(entries),
                            });
                        }
                    } else if let ExprKind::Tuple(parts) | ExprKind::List(parts) = &target.kind {
                        for (i, part) in parts.iter().enumerate().take(2) {
                            if let Some(name) = part.as_name() {
                                self.loops.push(LoopBinding {
                                    name,
                                    file: origin.file,
                                    scope: origin.scope.clone(),
                                    index: Some(i),
                                    rows: LoopRows::Entries(entries),
                                });
                            }
                        }
                    }
                } else {
                    let origin = self.model.resolve_value(self.file, &self.scope, iter);
                    let listed = match origin.expr.elements() {
                        Some(items) => Some((origin.file, origin.scope.clone(), items)),
                        None => self.class_route_table(iter),
                    };
                    if let Some((list_file, list_scope, items)) = listed {
                        let bind = |name, index| LoopBinding {
                            name,
                            file: list_file,
                            scope: list_scope.clone(),
                            index,
                            rows: LoopRows::Items(items),
                        };
                        match &target.kind {
                            ExprKind::Name(name) => self.loops.push(bind(name, None)),
                            ExprKind::Tuple(parts) | ExprKind::List(parts) => {
                                for (i, part) in parts.iter().enumerate() {
                                    if let Some(name) = part.as_name() {
                                        self.loops.push(bind(name, Some(i)));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                self.stmts(body);
                self.loops.truncate(before);
                self.gathered.truncate(gathered_before);
                self.unpacked.truncate(unpacked_before);
                self.stmts(orelse);
            }
            other => {
                for child in other.child_bodies() {
                    self.stmts(child);
                }
            }
        }
    }

    /// `app.dependency_overrides[dep] = replacement` outside test code.
    fn dependency_override(&mut self, target: &'a Expr, value: &'a Expr) {
        if let ExprKind::Subscript {
            value: mapping,
            slice,
        } = &target.kind
        {
            self.record_dependency_override(mapping, slice, value);
        }
    }

    /// `app.dependency_overrides.update({dep: replacement, ...})` outside test code.
    fn dependency_overrides_update(&mut self, value: &'a Expr) {
        if let Some(call) = value.as_call()
            && let ExprKind::Attribute {
                value: mapping,
                attr,
            } = &call.func.kind
            && attr == "update"
            && let [arg] = call.args.as_slice()
            && let ExprKind::Dict(entries) = &arg.kind
        {
            for entry in entries {
                if let Some(key) = &entry.key {
                    self.record_dependency_override(mapping, key, &entry.value);
                }
            }
        }
    }

    fn record_dependency_override(
        &mut self,
        mapping: &'a Expr,
        key: &'a Expr,
        replacement: &'a Expr,
    ) {
        let ExprKind::Attribute { value: app, attr } = &mapping.kind else {
            return;
        };
        // Tests swap dependencies for their own stand-ins; production never runs them.
        if attr != "dependency_overrides" || self.model.files[self.file].is_test() {
            return;
        }
        let Some(owner) = self.resolve(app) else {
            return;
        };
        let when = self.hook_when();
        if matches!(when, When::DevOnly(_)) {
            return;
        }
        let test = self.conditions.last().map(|b| (b.test.span, b.then));
        self.out.dependency_overrides.push(DependencyOverride {
            owner,
            file: self.file,
            scope: self.scope.clone(),
            key,
            replacement,
            when,
            test,
        });
    }

    fn assignment(&mut self, target: &'a Expr, value: &'a Expr, span: Span) {
        let value = uncast(self.model, self.file, value);
        match &target.kind {
            ExprKind::Name(name) => {
                // `router: APIRouter = field(factory=APIRouter)` in an attrs class or dataclass:
                // an object of every instance, as `self.router = APIRouter()` is.
                if let Some(class) = self.classes.last()
                    && self
                        .scope
                        .last()
                        .is_none_or(|f| f.span.start < class.span.start)
                    && let Some((func, call)) = field_construction(self.model, self.file, value)
                    && let Some(kind) = constructed_kind(self.model, self.file, func)
                {
                    let id = ObjectId {
                        file: self.file,
                        scope: None,
                        name: instance_attribute_name(class, name),
                    };
                    self.constructed(id, kind, call, span);
                    return;
                }
                let Some(call) = value.as_call() else { return };
                let Some(kind) = constructed_kind(self.model, self.file, &call.func) else {
                    // `report_api = make_subapi_blueprint("report", api_version=4)`: the
                    // blueprint this call builds, with the prefix its arguments give.
                    if let Some(built) =
                        per_call_blueprint(self.model, self.file, &self.scope, call)
                    {
                        let prefix = per_call_blueprint_prefix(
                            self.model,
                            self.file,
                            &self.scope,
                            call,
                            built,
                        )
                        // Unknown arguments: what the helper's own text tells
                        // (`/pages/<dynamic>`).
                        .unwrap_or_else(|| {
                            let (def_file, function, inner) = built;
                            path_text(
                                self.model,
                                def_file,
                                &[function],
                                inner.keyword("url_prefix"),
                            )
                        });
                        self.out.objects.push(FrameworkObject {
                            id: self.local_id(name),
                            kind: ObjectKind::Blueprint,
                            call: Some(built.2),
                            span,
                            prefix,
                            dependencies: Vec::new(),
                            scope: self.scope.clone(),
                            branch: None,
                        });
                        return;
                    }
                    // `tenant_router = include_routers(APIRouter(prefix="/{tenant}"))`: the
                    // router built for this call, standing for the helper's parameter.
                    if let Some((inner, kind, param)) =
                        built_for_returned_parameter(self.model, self.file, &self.scope, call)
                    {
                        let id = self.local_id(name);
                        self.constructed(id.clone(), kind, inner, span);
                        self.parameter_link(id, param, span);
                        return;
                    }
                    if !self.api_namespace(name, call, span) {
                        self.factory_instance(name, call, span);
                    }
                    return;
                };
                self.constructed(self.local_id(name), kind, call, span);
            }
            // `self._app = FastAPI()` in a method: an object of every instance.
            ExprKind::Attribute {
                value: receiver,
                attr,
            } if receiver.as_name() == Some("self") && !self.scope.is_empty() => {
                if let Some(options) = alternatives(value) {
                    self.fallback_objects(&options, span);
                    return;
                }
                let (Some(class), Some(call)) = (self.classes.last(), value.as_call()) else {
                    return;
                };
                if let Some(kind) = constructed_kind(self.model, self.file, &call.func) {
                    let id = ObjectId {
                        file: self.file,
                        scope: None,
                        name: instance_attribute_name(class, attr),
                    };
                    self.constructed(id, kind, call, span);
                }
            }
            // `app.wsgi_app = AuthMiddleware(app.wsgi_app)`, `app.wsgi_app =
            // auth_token.filter_factory(conf)(app.wsgi_app)`: WSGI middleware around the
            // whole application, registered like `add_middleware`.
            ExprKind::Attribute { value: app, attr } if attr == "wsgi_app" => {
                let Some(call) = value.as_call() else {
                    return;
                };
                let wraps_app = call.args.iter().any(|a| {
                    matches!(&a.kind, ExprKind::Attribute { value: inner, attr }
                        if attr == "wsgi_app" && inner.as_name().is_some()
                            && inner.as_name() == app.as_name())
                });
                if !wraps_app {
                    return;
                }
                let Some(owner) = self.resolve(app) else {
                    return;
                };
                let when = self.when();
                self.out.middleware.push(MiddlewareReg {
                    owner: Some(owner),
                    class: &call.func,
                    call,
                    file: self.file,
                    span,
                    when,
                });
            }
            // `app_state.api = FastAPI()` in a function, on a module-level instance whose
            // class declares `api: FastAPI`.
            ExprKind::Attribute {
                value: receiver,
                attr,
            } if receiver.as_name().is_some()
                && let Some(call) = value.as_call()
                && let Some(kind) = constructed_kind(self.model, self.file, &call.func)
                && let Some(id) = module_instance_attribute(
                    self.model,
                    self.file,
                    &self.scope,
                    receiver,
                    attr,
                ) =>
            {
                self.constructed(id, kind, call, span);
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

    /// `self.mount_root = app or default_app` in a constructor: the parameter (what the
    /// instance registers on) stands for the module's object when the caller passes none, as
    /// for an object passed: linked to each alternative that is a framework object.
    fn fallback_objects(&mut self, options: &[&'a Expr], span: Span) {
        let Some(&init) = self.scope.last() else {
            return;
        };
        if init.name != "__init__" || self.classes.is_empty() {
            return;
        }
        let Some(param) = options
            .iter()
            .find_map(|o| o.as_name().filter(|n| init_parameter(init, n)))
        else {
            return;
        };
        let objects: Vec<ObjectId> = options
            .iter()
            .filter(|o| o.as_name().is_some_and(|n| n != param))
            .filter_map(|&o| {
                self.resolve(o)
                    .filter(|id| self.object_kind_at_definition(id).is_some())
            })
            .collect();
        // Only when some instance may be built without the parameter; the project-wide search
        // for constructions is made only when an alternative is a framework object.
        if objects.is_empty()
            || self.classes.last().is_some_and(|&class| {
                every_construction_passes(self.model, self.file, class, init, param)
            })
        {
            return;
        }
        let child = parameter_id(self.file, init, param);
        for object in objects {
            self.parameter_link(object, child.clone(), span);
        }
    }

    /// The id of an object bound to `name` where the extractor is.
    fn local_id(&self, name: &str) -> ObjectId {
        ObjectId {
            file: self.file,
            scope: self.scope.last().map(|f| f.span.start),
            name: name.to_string(),
        }
    }

    /// `Limiter(app, default_limits=[...])` as a statement of its own (Flask-Limiter before
    /// 3.0 took the application first): the limiter is attached to the application though
    /// no name holds it. It is kept under the name `Limiter(...)`, which no code can read, and
    /// counts as attached when it is handed an application, whatever the analysis makes of
    /// it; without one (`Limiter(key_func=..., default_limits=[...])`, Flask-Limiter or
    /// slowapi) nothing can attach it later.
    fn unbound_limiter(&mut self, value: &'a Expr, span: Span) {
        let Some(call) = value.as_call() else { return };
        // Without an application nor limits of its own there is nothing to attach.
        if !matches!(
            call.func.kind,
            ExprKind::Name(_) | ExprKind::Attribute { .. }
        ) || call.args.is_empty()
            && ["app", "default_limits", "application_limits"]
                .iter()
                .all(|k| call.keyword(k).is_none())
        {
            return;
        }
        let kind = constructed_kind(self.model, self.file, &call.func);
        if !kind.is_some_and(ObjectKind::is_limiter) {
            return;
        }
        let name = format!(
            "{}{UNBOUND_SUFFIX}",
            call.func.last_name().unwrap_or("Limiter")
        );
        self.constructed(
            self.local_id(&name),
            kind.unwrap_or(ObjectKind::FlaskLimiter),
            call,
            span,
        );
    }

    /// A framework object built by `name = Kind(...)` (or returned: `return Starlette(...)`, or
    /// kept on the instance: `self._app = FastAPI()`).
    fn constructed(&mut self, id: ObjectId, kind: ObjectKind, call: &'a Call, span: Span) {
        // `AppBuilder(app, db.session)`, `Api(app)`, `Api(blueprint)`, `Admin(app)`.
        if matches!(
            kind,
            ObjectKind::AppBuilder | ObjectKind::RestfulApi | ObjectKind::FlaskAdmin
        ) && let Some(app) = call.argument("app", 0)
            && let Some(parent) = self.resolve(app)
        {
            self.include(parent, id.clone(), None, span);
        }
        // `Admin(app, index_view=HomeView(url="/"))`: the admin's home page.
        if kind == ObjectKind::FlaskAdmin
            && let Some(index) = call.argument("index_view", 4)
        {
            let admin_url = crate::flask_admin::admin_url(self.model, self.file, call);
            self.flask_admin_registered(id.clone(), index, &admin_url, span);
        }
        let prefix = match kind {
            ObjectKind::RestxNamespace => self.namespace_path(call),
            _ => {
                let keyword = match kind {
                    ObjectKind::Blueprint => "url_prefix",
                    _ => "prefix",
                };
                match call.keyword(keyword) {
                    Some(prefix) => path_text(self.model, self.file, &self.scope, Some(prefix)),
                    // A project subclass may compute one for itself (a framework class
                    // itself, most constructions, is not looked up).
                    None if self.model.files[self.file]
                        .imports
                        .resolve(&call.func)
                        .as_deref()
                        .and_then(crate::frameworks::object_kind)
                        .is_none() =>
                    {
                        subclass_default_prefix(self.model, self.file, &self.scope, call, keyword)
                            .unwrap_or_default()
                    }
                    None => String::new(),
                }
            }
        };
        if let Some(mw) = call.keyword("middleware") {
            for item in list_items(Some(mw)) {
                self.middleware_item(Some(id.clone()), item);
            }
        }
        if let Some(routes) = call.keyword("routes") {
            let scope = self.scope.clone();
            self.route_list(&id, "", self.file, &scope, routes, 0);
        }
        // `FastAPI(lifespan=lifespan)`: the framework calls `lifespan(app)` with this
        // application, so what it registers on its parameter is registered here.
        if kind.is_app()
            && let Some(lifespan) = call.keyword("lifespan")
            && let Some((def_file, function, _)) =
                function_in(self.model, self.file, &self.scope, lifespan)
            && let Some(param) = function.params.first()
        {
            let child = ObjectId {
                file: def_file,
                scope: Some(function.span.start),
                name: param.name.to_string(),
            };
            self.parameter_link(id.clone(), child, span);
        }
        if kind == ObjectKind::Blueprint {
            self.constructor_hooks(&id, call, span);
        }
        if matches!(
            kind,
            ObjectKind::RestfulApi
                | ObjectKind::ApiRouter
                | ObjectKind::StarletteRouter
                | ObjectKind::Blueprint
                | ObjectKind::RestxNamespace
        ) {
            self.instance_self(&id, call, span);
        }
        let mut dependencies = dependency_list(
            self.model,
            self.file,
            &self.scope,
            call.keyword("dependencies"),
        );
        dependencies.extend(constructor_dependencies(self.model, self.file, call));
        let branch = self.conditions.last().map(|b| (b.test.span, b.then));
        self.alternative_binding(&id, &mut dependencies);
        self.out.objects.push(FrameworkObject {
            id,
            kind,
            call: Some(call),
            span,
            prefix,
            dependencies,
            scope: self.scope.clone(),
            branch,
        });
    }

    /// `if args.password: router = APIRouter(dependencies=[Depends(auth)])` with `router =
    /// APIRouter()` in the `else`: the object serving the routes later added to `router` is
    /// the one of the branch taken, so each binding's dependencies hold only under its branch's
    /// condition. The other branch's (already read: it comes first) join this binding's.
    fn alternative_binding(&mut self, id: &ObjectId, dependencies: &mut Vec<Dep<'a>>) {
        let Some(&last) = self.conditions.last() else {
            return;
        };
        let Some(other) = self.out.objects.iter().rposition(|o| o.id == *id) else {
            return;
        };
        if self.out.objects[other].branch != Some((last.test.span, !last.then)) {
            return;
        }
        // Only the innermost test tells the two apart: the `if`s around both hold for either.
        let here = self.branches_when(&[last], None);
        let there = self.branches_when(
            &[Branch {
                test: last.test,
                then: !last.then,
            }],
            None,
        );
        for d in dependencies.iter_mut() {
            d.when = here.and(&d.when);
        }
        let earlier = std::mem::take(&mut self.out.objects[other].dependencies);
        dependencies.extend(earlier.into_iter().map(|mut d| {
            d.when = there.and(&d.when);
            d
        }));
    }

    /// `MyApi(app, PREFIX="/api/v4")` of a project subclass of a framework class whose methods
    /// register on `self` (`self.add_resource(Notes, "/notes")` in its `__init__`): inside the
    /// class's methods `self` is this instance, so what they register is registered here,
    /// under the instance's application and prefix. (Application subclasses are the
    /// application themselves: [`Extractor::application_self`].)
    fn instance_self(&mut self, id: &ObjectId, call: &'a Call, span: Span) {
        // A framework class itself (`APIRouter(...)`, most constructions) has no project
        // methods: only a project class is looked up.
        if self.model.files[self.file]
            .imports
            .resolve(&call.func)
            .as_deref()
            .and_then(crate::frameworks::object_kind)
            .is_some()
        {
            return;
        }
        let Some((file, Some(Stmt::ClassDef(class)), _)) =
            self.model.resolve_definition(self.file, &call.func)
        else {
            return;
        };
        for (class_file, c) in class_hierarchy(self.model, file, class) {
            for stmt in &c.body {
                let Stmt::FunctionDef(method) = stmt else {
                    continue;
                };
                if method.params.first().is_some_and(|p| p.name == "self")
                    && registers_on_self(method)
                {
                    let child = parameter_id(class_file, method, "self");
                    self.parameter_link(id.clone(), child, span);
                }
            }
        }
    }

    /// `SecuredBlueprint("accounts", __name__)` where the project class's `__init__` (or a
    /// project base's) runs `self.before_request(require_token)`: the hook is installed on
    /// every instance. The hook may be a method of the class (`self.auth_filter`,
    /// `self.__class__.auth_filter`, `type(self).auth_filter`) or a function the constructor
    /// defines with `@self.before_request`; one installed under `if require_authentication:`
    /// is installed on the instances whose argument (or the parameter's default) is true.
    fn constructor_hooks(&mut self, id: &ObjectId, call: &'a Call, span: Span) {
        let Some((file, Some(Stmt::ClassDef(class)), _)) =
            self.model.resolve_definition(self.file, &call.func)
        else {
            return;
        };
        for (class_file, base) in class_hierarchy(self.model, file, class) {
            let Some(init) = base.body.iter().find_map(|stmt| match stmt {
                Stmt::FunctionDef(f) if f.name == "__init__" => Some(f.as_ref()),
                _ => None,
            }) else {
                continue;
            };
            let mut found = Vec::new();
            constructor_hook_statements(&init.body, init, call, &mut found);
            for (kind, source) in found {
                let resolved = match source {
                    ConstructorHook::Registered(func_expr) => {
                        function_in(self.model, class_file, &[init], func_expr)
                            .map(|(f, function, _)| (f, function))
                            .or_else(|| {
                                // A method looked up on the instance's class, where Python
                                // finds it: the constructed class first, then its bases.
                                let attr = own_method_name(func_expr)?;
                                find_method(self.model, file, class, attr)
                                    .map(|(f, _, function)| (f, function))
                            })
                    }
                    ConstructorHook::Defined(function) => Some((class_file, function)),
                };
                let Some((function_file, function)) = resolved else {
                    continue;
                };
                let when = self.when();
                self.out.hooks.push(Hook {
                    owner: id.clone(),
                    kind,
                    function,
                    function_file,
                    span,
                    when,
                });
            }
        }
    }

    /// Whether the code being read is in a method of a project class that subclasses
    /// Flask's `Blueprint`, directly or through project bases.
    fn in_blueprint_subclass(&self) -> bool {
        let Some(class) = self.classes.last() else {
            return false;
        };
        class_hierarchy(self.model, self.file, class)
            .into_iter()
            .any(|(file, c)| {
                c.bases.iter().any(|base| {
                    self.model.files[file]
                        .imports
                        .resolve(base)
                        .and_then(|q| crate::frameworks::object_kind(&q))
                        == Some(ObjectKind::Blueprint)
                })
            })
    }

    /// `self` in a method of a class that subclasses the framework's application class
    /// (`class WebUI(Flask)`): the application itself, as what the method registers on it
    /// (`register_modules(self)` in `__init__`) shows.
    fn application_self(&mut self, method: &'a Function) {
        let Some(class) = self.classes.last() else {
            return;
        };
        if method.params.first().is_none_or(|p| p.name != "self") {
            return;
        }
        let Some(kind) = class
            .bases
            .iter()
            .filter_map(|base| crate::frameworks::object_kind(&self.qualified(base)?))
            .find(|kind| kind.is_app())
        else {
            return;
        };
        self.out.objects.push(FrameworkObject {
            id: ObjectId {
                file: self.file,
                scope: Some(method.span.start),
                name: "self".to_string(),
            },
            kind,
            call: None,
            span: method.def_span,
            prefix: String::new(),
            dependencies: Vec::new(),
            scope: self.scope.clone(),
            branch: None,
        });
    }

    /// The path of a flask-restx `Namespace(name, description, path)`: `path=`, or `/name`.
    fn namespace_path(&self, call: &'a Call) -> String {
        match call.argument("path", 2) {
            Some(path) => path_text(self.model, self.file, &self.scope, Some(path)),
            None => match call.argument("name", 0) {
                Some(name) => {
                    let name = path_text(self.model, self.file, &self.scope, Some(name));
                    format!("/{}", name.trim_start_matches('/'))
                }
                None => String::new(),
            },
        }
    }

    /// `ns = api.namespace("users", path="/users", decorators=[...])` (flask-restx): a
    /// namespace made by and added to an `Api`.
    fn api_namespace(&mut self, name: &str, call: &'a Call, span: Span) -> bool {
        let Some(receiver) = namespace_receiver(call) else {
            return false;
        };
        let Some(api) = self
            .resolve(receiver)
            .filter(|id| self.object_kind_at_definition(id) == Some(ObjectKind::RestfulApi))
        else {
            return false;
        };
        let id = ObjectId {
            file: self.file,
            scope: self.scope.last().map(|f| f.span.start),
            name: name.to_string(),
        };
        let prefix = self.namespace_path(call);
        self.out.objects.push(FrameworkObject {
            id: id.clone(),
            kind: ObjectKind::RestxNamespace,
            call: Some(call),
            span,
            prefix,
            dependencies: Vec::new(),
            scope: self.scope.clone(),
            branch: None,
        });
        self.include(api, id, None, span);
        true
    }

    /// A flask-restx or Flask-RESTful resource registered by a class decorator:
    /// `@ns.route("/a", "/b")`, `@api.route(...)`, `@api.resource(...)`.
    fn decorated_resource(&mut self, class: &'a Class) {
        for decorator in &class.decorators {
            let Some(call) = decorator.as_call() else {
                self.resource_added_by_decorator(class, decorator);
                continue;
            };
            let Some((receiver, attr)) = call.method() else {
                continue;
            };
            if !matches!(attr, "route" | "resource") {
                continue;
            }
            let Some(owner) = self.resolve(receiver).filter(|id| {
                self.object_kind_at_definition(id)
                    .is_some_and(ObjectKind::is_restful)
            }) else {
                continue;
            };
            let span = self.decorator_span(decorator);
            let paths = positional_args(&call.args)
                .map(|url| path_text(self.model, self.file, &self.scope, Some(url)))
                .collect();
            self.resource_at_paths(&owner, paths, (self.file, class), call, span);
        }
    }

    /// A Flask-RESTful or flask-restx resource class added to `owner` at each of `paths`.
    fn resource_at_paths(
        &mut self,
        owner: &ObjectId,
        paths: Vec<String>,
        (class_file, class): (usize, &'a Class),
        call: &'a Call,
        span: Span,
    ) {
        for path in paths {
            self.class_view_routes(ClassView {
                file: self.file,
                owner: Some(owner.clone()),
                path,
                class_file,
                class,
                call,
                methods: None,
                wrappers: Vec::new(),
                span,
                direct: false,
            });
        }
    }

    /// `@rest_resource` on a resource class, where the project decorator registers the class
    /// it is given: `def rest_resource(cls): api.add_resource(cls, *cls.endpoints)`, the paths
    /// listed by the class (`endpoints = ["/wallets/<alias>/"]`) or given by the call.
    fn resource_added_by_decorator(&mut self, class: &'a Class, decorator: &'a Expr) {
        let Some((def_file, Some(Stmt::FunctionDef(function)), _)) =
            self.model.resolve_definition(self.file, decorator)
        else {
            return;
        };
        let Some(param) = function.params.first().map(|p| p.name.as_str()) else {
            return;
        };
        let mut registrations: Vec<&'a Call> = Vec::new();
        visit_stmts(&function.body, &mut |stmt| {
            if let Stmt::Expr { value, .. } = stmt
                && let Some(call) = value.as_call()
                && matches!(&call.func.kind, ExprKind::Attribute { attr, .. } if attr == "add_resource")
                && call.args.first().and_then(Expr::as_name) == Some(param)
            {
                registrations.push(call);
            }
        });
        let span = self.decorator_span(decorator);
        for call in registrations {
            let ExprKind::Attribute {
                value: receiver, ..
            } = &call.func.kind
            else {
                continue;
            };
            // The API object the decorator's module holds.
            let Some(owner) = resolve_object(self.model, def_file, &[], receiver, 0) else {
                continue;
            };
            let mut paths = Vec::new();
            for arg in call.args.iter().skip(1) {
                match &arg.kind {
                    ExprKind::Starred(inner) => {
                        let ExprKind::Attribute { value, attr } = &inner.kind else {
                            continue;
                        };
                        if value.as_name() != Some(param) {
                            continue;
                        }
                        let Some((f, listed)) = class_attribute(self.model, self.file, class, attr)
                        else {
                            continue;
                        };
                        for item in listed.elements().unwrap_or_default() {
                            paths.push(path_text(self.model, f, &[], Some(item)));
                        }
                    }
                    _ => paths.push(path_text(self.model, def_file, &[], Some(arg))),
                }
            }
            self.resource_at_paths(&owner, paths, (self.file, class), call, span);
        }
    }

    /// Flask-Classful: `UserView.register(bp)` on a `FlaskView` subclass adds a rule for each
    /// public method of the class and its project bases: `index` and `post` at the base,
    /// `get`, `put`, `patch` and `delete` at the base followed by their arguments, methods with
    /// `@route(...)` at their own rules, and any other method at `<base>/<name>`, for GET. The
    /// base is `route_prefix` (of the call or the class), then `route_base` (or the class
    /// name without `View`). Whether the call was one.
    fn classful_routes(&mut self, receiver: &'a Expr, call: &'a Call, span: Span) -> bool {
        let Some((class_file, class)) = class_in(self.model, self.file, receiver) else {
            return false;
        };
        let hierarchy = class_hierarchy(self.model, class_file, class);
        let is_view = hierarchy.iter().any(|&(f, c)| {
            c.bases.iter().any(|b| {
                self.model.files[f].imports.resolve(b).as_deref()
                    == Some("flask_classful.FlaskView")
            })
        });
        if !is_view {
            return false;
        }
        let Some(owner) = call.argument("app", 0).and_then(|a| self.resolve(a)) else {
            return true;
        };
        let setting = |name: &str| -> Option<(usize, &'a Expr)> {
            call.keyword(name)
                .map(|v| (self.file, v))
                .or_else(|| class_attribute(self.model, class_file, class, name))
        };
        let text = |at: Option<(usize, &'a Expr)>| {
            at.filter(|(_, v)| !matches!(v.kind, ExprKind::NoneLiteral))
                .map(|(f, v)| path_text(self.model, f, &[], Some(v)))
        };
        let prefix = text(setting("route_prefix")).unwrap_or_default();
        let explicit_base = text(setting("route_base"));
        let base = explicit_base.clone().unwrap_or_else(|| {
            let name = class.name.as_str();
            name.strip_suffix("View")
                .unwrap_or(name)
                .to_ascii_lowercase()
        });
        let trailing_slash = !matches!(
            setting("trailing_slash").map(|(_, v)| &v.kind),
            Some(ExprKind::Bool(false))
        );
        // Arguments the base already has (`route_prefix = "/ws/<workspace_name>/"`, or
        // `base_args`) are not added again.
        let mut base_args: Vec<String> = [prefix.as_str(), base.as_str()]
            .iter()
            .flat_map(|p| rule_arguments(p))
            .collect();
        if let Some((_, listed)) = class_attribute(self.model, class_file, class, "base_args") {
            base_args.extend(
                listed
                    .elements()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Expr::as_str)
                    .map(str::to_string),
            );
        }
        let excluded: Vec<&str> =
            class_attribute(self.model, class_file, class, "excluded_methods")
                .and_then(|(_, v)| v.elements())
                .map(|items| items.iter().filter_map(Expr::as_str).collect())
                .unwrap_or_default();
        let mut view_decorators: Vec<(usize, &'a Expr)> = Vec::new();
        if let Some((f, value)) = class_attribute(self.model, class_file, class, "decorators") {
            view_decorators.extend(value.elements().unwrap_or_default().iter().map(|d| (f, d)));
        }
        let build = |rule: &str, args: &[String]| {
            let mut parts: Vec<&str> = vec![prefix.as_str(), base.as_str(), rule];
            parts.extend(args.iter().map(String::as_str));
            parts.retain(|p| !p.is_empty());
            let joined = format!("/{}", parts.join("/"));
            let mut out = String::with_capacity(joined.len());
            for c in joined.chars() {
                if !(c == '/' && out.ends_with('/')) {
                    out.push(c);
                }
            }
            out
        };
        let mut seen: Vec<&str> = Vec::new();
        let mut routes: Vec<(Vec<String>, String, usize, &'a Function)> = Vec::new();
        for &(f, c) in &hierarchy {
            for stmt in &c.body {
                let Stmt::FunctionDef(method) = stmt else {
                    continue;
                };
                let name = method.name.as_str();
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name);
                if name.starts_with('_')
                    || name.starts_with("before_")
                    || name.starts_with("after_")
                    || excluded.contains(&name)
                    || CLASSFUL_VIEW_MEMBERS.contains(&name)
                    || method
                        .decorators
                        .iter()
                        .any(|d| matches!(d.as_name(), Some("classmethod" | "property")))
                {
                    continue;
                }
                let imports = &self.model.files[f].imports;
                let mut decorated = false;
                for d in &method.decorators {
                    let Some(route) = d.as_call() else { continue };
                    if imports.resolve(&route.func).as_deref() != Some("flask_classful.route") {
                        continue;
                    }
                    decorated = true;
                    let rule = route
                        .argument("rule", 0)
                        .map(|r| path_text(self.model, f, &[], Some(r)))
                        .unwrap_or_default();
                    let methods = methods_argument(route.keyword("methods"))
                        .unwrap_or_else(|| vec!["GET".to_string()]);
                    routes.push((methods, build(&rule, &[]), f, method));
                }
                if decorated {
                    continue;
                }
                let args: Vec<String> = method
                    .params
                    .iter()
                    .skip_while(|p| p.name == "self")
                    .filter(|p| {
                        matches!(p.kind, ParamKind::Positional | ParamKind::PositionalOnly)
                            && p.default.is_none()
                            && !base_args.iter().any(|b| b == p.name.as_str())
                    })
                    .map(|p| match p.annotation.as_deref().and_then(Expr::as_name) {
                        Some(converter @ ("int" | "float")) => format!("<{converter}:{}>", p.name),
                        _ => format!("<{}>", p.name),
                    })
                    .collect();
                let (methods, mut rule) = match name {
                    "index" | "get" => (vec!["GET".to_string()], build("/", &args)),
                    "post" | "put" | "patch" | "delete" => {
                        (vec![name.to_ascii_uppercase()], build("/", &args))
                    }
                    _ => (vec!["GET".to_string()], build(&format!("/{name}/"), &args)),
                };
                if !trailing_slash && rule.len() > 1 {
                    rule = rule.trim_end_matches('/').to_string();
                }
                routes.push((methods, rule, f, method));
            }
        }
        for (methods, path, handler_file, handler) in routes {
            self.out.routes.push(RouteDecl {
                alternative: None,
                file: self.file,
                handler,
                handler_file,
                handler_scope: Vec::new(),
                owner: Some(owner.clone()),
                methods,
                path,
                decorator_index: None,
                call: Some(call),
                call_scope: self.scope.clone(),
                view_decorators: view_decorators.clone(),
                view_class: Some(class),
                view_class_file: class_file,
                span,
                endpoint: Some(format!("{}:{}", class.name, handler.name)),
                when: self.registration_when(),
            });
        }
        true
    }

    /// `app = create_app()` inside another factory that adds to it and returns it: one more
    /// application, built from the first factory's (a derived instance).
    fn factory_instance(&mut self, name: &str, call: &'a Call, span: Span) {
        let Some(function) = self.scope.last().copied() else {
            // `app = create_app()` at module level: the factory's application is served as
            // built (what a server imports).
            if let Some(base) = factory_result(self.model, self.file, &call.func, 0) {
                self.out.plain_instances.push(base);
            }
            return;
        };
        if !returns_name(function, name) {
            return;
        }
        let Some(base) = factory_result(self.model, self.file, &call.func, 0) else {
            return;
        };
        let id = ObjectId {
            file: self.file,
            scope: Some(function.span.start),
            name: name.to_string(),
        };
        if base == id {
            return;
        }
        let Some(kind) = self.object_kind_at_definition(&base) else {
            return;
        };
        self.out.objects.push(FrameworkObject {
            id: id.clone(),
            kind,
            call: None,
            span,
            prefix: String::new(),
            dependencies: Vec::new(),
            scope: self.scope.clone(),
            branch: None,
        });
        let include = self.include(id, base, None, span);
        include.is_instance = true;
        include.when = When::Always;
        include.exists = When::Always;
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
        let when = self.when();
        self.out.middleware.push(MiddlewareReg {
            owner,
            class,
            call,
            file: self.file,
            span: item.span,
            when,
        });
    }

    /// Calls on framework objects anywhere in an expression statement or assignment value.
    fn expr(&mut self, expr: &'a Expr, stmt_span: Span) {
        let mut calls = Vec::new();
        collect_calls(expr, &mut calls);
        for (call_expr, call) in calls {
            self.inline_apps(call, stmt_span);
            self.call(call_expr, call, stmt_span);
            self.passed_objects(call, stmt_span);
        }
    }

    /// `uvicorn.run(Starlette(routes=routes))`, `app.mount("/v1", FastAPI())`: an application
    /// built as an argument of another call and never bound to a name is an application all
    /// the same, with its routes (see [`inline_app`]).
    fn inline_apps(&mut self, call: &'a Call, span: Span) {
        for arg in positional_args(&call.args).chain(call.keywords.iter().map(|k| &k.value)) {
            if let Some((id, kind, inner)) = inline_app(self.model, self.file, &self.scope, arg) {
                self.constructed(id, kind, inner, span);
            }
        }
    }

    /// The calls of a returned value: registrations (`return app.get("/")(index)`), and
    /// helpers handed a framework object (`return attach_routes(router=router)`). Other
    /// calls in `return` pass nothing the model follows.
    fn returned_calls(&mut self, value: &'a Expr, span: Span) {
        let mut calls = Vec::new();
        collect_calls(value, &mut calls);
        for (call_expr, call) in calls {
            // Only the call form of a route decorator: `app.get("/")(index)`.
            if matches!(call.func.kind, ExprKind::Call(_)) {
                self.call(call_expr, call, span);
            }
            // Most returned calls pass values to library functions: look at the arguments
            // only of a project function's call.
            let passes_framework_object = positional_args(&call.args)
                .chain(call.keywords.iter().map(|k| &k.value))
                .any(|a| matches!(a.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }))
                && function_in(self.model, self.file, &self.scope, &call.func).is_some()
                && (call
                    .keyword("routes")
                    .is_some_and(|r| r.as_name().is_some())
                    || positional_args(&call.args)
                        .chain(call.keywords.iter().map(|k| &k.value))
                        .any(|a| {
                            matches!(a.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                                && self
                                    .resolve(a)
                                    .is_some_and(|id| self.object_kind_at_definition(&id).is_some())
                        }));
            // `return ServiceApp(**routers)`: a project class handed routers it keeps. The
            // constructor found here is handed on, not looked up again.
            if passes_framework_object {
                self.passed_objects(call, span);
            } else if let Some(constructor) = self.project_constructor(call) {
                self.passed_objects_with(call, span, Some(Some(constructor)));
            }
        }
    }

    /// `register_blueprints(app)`: the project function's parameter is this object, so what
    /// the function registers on its parameter is registered on the object.
    fn passed_objects(&mut self, call: &'a Call, span: Span) {
        self.passed_objects_with(call, span, None);
    }

    /// [`Extractor::passed_objects`], for a caller that has asked
    /// [`Extractor::project_constructor`] already (`constructor`).
    fn passed_objects_with(
        &mut self,
        call: &'a Call,
        span: Span,
        constructor: Option<Option<(usize, &'a Function)>>,
    ) {
        let project_constructor =
            |this: &Self| constructor.unwrap_or_else(|| this.project_constructor(call));
        // Only a name or an attribute can pass an object on.
        let passes_names = positional_args(&call.args)
            .chain(
                call.keywords
                    .iter()
                    .filter(|k| k.arg.is_some())
                    .map(|k| &k.value),
            )
            .any(|a| {
                matches!(a.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                    // `register("/items", ItemView.as_view("item"))`: a view for a helper.
                    || a.as_call().is_some_and(|c| {
                        matches!(&c.func.kind, ExprKind::Attribute { attr, .. } if attr == "as_view")
                    })
            });
        // `ServiceApp(**routers)`, `ServiceApp(notes_router=NotesRouter(s).get_router())`: a
        // project class may keep routers built by calls or gathered in a dict.
        let passes_built = !passes_names
            && call
                .func
                .last_name()
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
            && call
                .argument_values()
                .any(|a| matches!(a.kind, ExprKind::Call(_)))
            || call.keywords.iter().any(|k| k.arg.is_none());
        if !passes_names && !passes_built {
            return;
        }
        if !passes_names {
            if let Some((def_file, init)) = project_constructor(self) {
                self.bind_parameters(call, def_file, init, true, span);
            }
            return;
        }
        let (def_file, function, bound_self) =
            match function_in(self.model, self.file, &self.scope, &call.func) {
                Some((def_file, function, _)) => (def_file, function, false),
                // `ServiceApi(app)`: a project class whose `__init__` keeps the application
                // (`self.app = app`) or registers routes on it.
                None if let Some((def_file, init)) = project_constructor(self) => {
                    (def_file, init, true)
                }
                None => {
                    // `self._configure_routes(app)` in a method: the class's own method, whose
                    // first parameter is the instance.
                    let ExprKind::Attribute { value, attr } = &call.func.kind else {
                        return;
                    };
                    // `module = importlib.import_module("pkg.resources." + name)` for each name
                    // of a literal list, then `module.setup(api, base)`: a call of `setup` in
                    // each project module named.
                    // (At module level, only in a loop: finding the binding walks the module.)
                    if matches!(value.kind, ExprKind::Name(_))
                        && (!self.scope.is_empty() || !self.loops.is_empty())
                        && self.model.files[self.file].may_mention("import_module")
                    {
                        let modules = self.imported_modules(value);
                        if !modules.is_empty() {
                            for def_file in modules {
                                if let Some(Stmt::FunctionDef(function)) =
                                    self.model.files[def_file].top_level(attr)
                                {
                                    self.bind_parameters(call, def_file, function, false, span);
                                }
                            }
                            return;
                        }
                    }
                    // `for module in [pages, items]: module.setup(app, config)` (or over a
                    // name bound to such a list): a call of the function in each imported
                    // project module the loop walks.
                    if let Some(modules) = self.looped_modules(value) {
                        for def_file in modules {
                            if let Some(Stmt::FunctionDef(function)) =
                                self.model.files[def_file].top_level(attr)
                            {
                                self.bind_parameters(call, def_file, function, false, span);
                            }
                        }
                        return;
                    }
                    // `ImageViews.register_endpoints(router)`: a class or static method of a
                    // project class, called on the class (named in CapWords).
                    if let Some(name) = value.as_name()
                        && name.starts_with(|c: char| c.is_ascii_uppercase())
                        && let Some((class_file, class)) = class_in(self.model, self.file, value)
                        && let Some((def_file, _, method)) =
                            find_method(self.model, class_file, class, attr)
                        && let Some(bound_cls) =
                            method.decorators.iter().find_map(|d| match d.as_name() {
                                Some("classmethod") => Some(true),
                                Some("staticmethod") => Some(false),
                                _ => None,
                            })
                    {
                        self.bind_parameters(call, def_file, method, bound_cls, span);
                        return;
                    }
                    // `_proxy.register(app)` with `_proxy = GatewayProxy(...)`: a method of
                    // the instance's project class.
                    if let Some(name) = value.as_name()
                        && !matches!(name, "self" | "cls")
                        && !self.scope.iter().any(|f| {
                            f.assigned.may_contain(name) || f.params.iter().any(|p| p.name == name)
                        })
                        && let Some((class_file, class)) = *self
                            .module_instances
                            .entry(name)
                            .or_insert_with(|| module_instance_class(self.model, self.file, value))
                        // A project subclass of a framework class (`class APIRouter(Router)`):
                        // its registrations are the framework's, followed as such.
                        && !class_lineage(self.model, class_file, class)
                            .iter()
                            .any(|q| crate::frameworks::object_kind(q).is_some())
                        && self.passes_framework_object(call)
                        && let Some((def_file, _, method)) =
                            find_method(self.model, class_file, class, attr)
                    {
                        self.bind_parameters(call, def_file, method, true, span);
                        return;
                    }
                    // `for p in providers: p.register(self)` with `providers:
                    // List[Provider]`: the method of the annotated project class and its
                    // overrides in the project subclasses, each handed the object.
                    if let Some(name) = value.as_name()
                        && !matches!(name, "self" | "cls")
                        && let Some((class_file, class)) = self.annotated_item_class(name)
                        && !class_lineage(self.model, class_file, class)
                            .iter()
                            .any(|q| crate::frameworks::object_kind(q).is_some())
                        && (self.passes_framework_object(call)
                            || self.passes_application_self(call))
                    {
                        let mut methods: Vec<(usize, &'a Function)> =
                            find_method(self.model, class_file, class, attr)
                                .map(|(f, _, m)| (f, m))
                                .into_iter()
                                .collect();
                        methods.extend(overrides(self.model, class_file, class, attr));
                        for (def_file, method) in methods {
                            self.bind_parameters(call, def_file, method, true, span);
                        }
                        return;
                    }
                    // `cls._configure_blueprints(app)` in a class method, likewise.
                    let (Some("self" | "cls"), Some(class)) =
                        (value.as_name(), self.classes.last())
                    else {
                        return;
                    };
                    // `self.add_api_route("/api/x", self.api_x, methods=["POST"])` where the
                    // class's method forwards to `self.app.add_api_route(path, endpoint,
                    // **kwargs)`: the call registers on the object the instance keeps. Only
                    // the class's own methods, a forwarder sits beside its callers (no walk
                    // of the hierarchy).
                    if value.as_name() == Some("self")
                        && let Some(method) = forwarding_method(class, attr)
                    {
                        self.bind_parameters(call, self.file, method, true, span);
                        return;
                    }
                    // Only an application handed to the method (`self._configure_routes(app)`):
                    // most such calls pass none, and looking the method up in the class
                    // hierarchy is the costly part.
                    let passes_app = call.argument_values().any(|a| {
                        matches!(a.kind, ExprKind::Name(_))
                            && (self.resolve(a).is_some_and(|id| {
                                self.object_kind_at_definition(&id)
                                    .is_some_and(ObjectKind::is_app)
                            }) || self.annotated_app_parameter(a))
                    });
                    if !passes_app {
                        return;
                    }
                    let Some((def_file, _, method)) =
                        find_method(self.model, self.file, class, attr)
                    else {
                        return;
                    };
                    (def_file, method, true)
                }
            };
        self.bind_parameters(call, def_file, function, bound_self, span);
    }

    /// Whether the call hands over `self` in a method of a project subclass of an
    /// application class (`p.register(self)` in `class AdminApp(FastAPI)`).
    fn passes_application_self(&self, call: &'a Call) -> bool {
        let Some(class) = self.classes.last() else {
            return false;
        };
        positional_args(&call.args)
            .chain(call.keywords.iter().map(|k| &k.value))
            .any(|a| a.as_name() == Some("self"))
            && class.bases.iter().any(|base| {
                self.qualified(base)
                    .and_then(|q| crate::frameworks::object_kind(&q))
                    .is_some_and(ObjectKind::is_app)
            })
    }

    /// The project class a parameter of the enclosing functions is annotated with
    /// (`provider: Provider`), or whose items a loop variable of the current function walks
    /// (`for p in providers or []:` with `providers: Optional[List[Provider]]`).
    fn annotated_item_class(&self, name: &str) -> Option<(usize, &'a Class)> {
        let current = self.scope.last()?;
        let mut param = name;
        let mut item = false;
        if !current.params.iter().any(|p| p.name == name) {
            // An item of a parameter is typed only by a container annotation (`List[...]`):
            // without one, the walk for the loop could find nothing of use.
            if !current.params.iter().any(|p| {
                p.annotation
                    .as_ref()
                    .is_some_and(|a| matches!(a.kind, ExprKind::Subscript { .. }))
            }) {
                return None;
            }
            {
                let mut iterated = None;
                crate::security::walk_stmts(&current.body, &mut |stmt| {
                    if let Stmt::For { target, iter, .. } = stmt
                        && target.as_name() == Some(name)
                    {
                        let list = match &iter.kind {
                            ExprKind::BoolOp { values, .. } => values.first(),
                            _ => Some(&**iter),
                        };
                        iterated = list.and_then(Expr::as_name);
                    }
                });
                param = iterated?;
                item = true;
            }
        }
        let mut annotation = current
            .params
            .iter()
            .find(|p| p.name == param)?
            .annotation
            .as_deref()?;
        // `Optional[List[Provider]]`: the class inside the containers.
        while let ExprKind::Subscript { value, slice } = &annotation.kind {
            let container = value.last_name()?;
            if container == "Optional" {
                annotation = slice;
                continue;
            }
            if !item
                || !matches!(
                    container,
                    "List" | "list" | "Sequence" | "Iterable" | "Tuple" | "tuple" | "Set" | "set"
                )
            {
                return None;
            }
            item = false;
            annotation = match &slice.kind {
                ExprKind::Tuple(parts) => parts.first()?,
                _ => slice,
            };
        }
        if item {
            return None;
        }
        annotated_class(self.model, self.file, annotation)
    }

    /// Whether the helper includes its parameter `param` in another object.
    fn includes_parameter(&mut self, function: &'a Function, param: &str) -> bool {
        self.included
            .entry(function as *const Function as usize)
            .or_insert_with(|| included_names(function))
            .contains(&param)
    }

    /// The `__init__` a call of a project class runs, when the call passes it a framework
    /// object.
    fn project_constructor(&self, call: &'a Call) -> Option<(usize, &'a Function)> {
        // Classes are named in CapWords: most calls are not worth a look-up.
        if !call
            .func
            .last_name()
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            return None;
        }
        let (class_file, Some(Stmt::ClassDef(class)), _) =
            self.model.resolve_definition(self.file, &call.func)?
        else {
            return None;
        };
        if !self.passes_framework_object(call) {
            return None;
        }
        find_method(self.model, class_file, class, "__init__").map(|(f, _, init)| (f, init))
    }

    /// Whether a call passes a name or attribute that denotes a framework object, also a
    /// router a call builds (`NotesRouter(s).get_router()`), directly or as a value of a dict
    /// it unpacks (`**routers`).
    fn passes_framework_object(&self, call: &'a Call) -> bool {
        positional_args(&call.args)
            .chain(
                call.keywords
                    .iter()
                    .filter(|k| k.arg.is_some())
                    .map(|k| &k.value),
            )
            .chain(
                call.keywords
                    .iter()
                    .filter(|k| k.arg.is_none())
                    .flat_map(|k| self.unpacked_keywords(&k.value))
                    .map(|(_, v)| v),
            )
            .any(|a| {
                if matches!(a.kind, ExprKind::Call(_)) {
                    return resolve_object(self.model, self.file, &self.scope, a, 0).is_some_and(
                        |id| {
                            self.object_kind_at_definition(&id)
                                .is_some_and(|kind| !kind.is_app())
                        },
                    );
                }
                matches!(a.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                    && (self
                        .resolve(a)
                        .is_some_and(|id| self.object_kind_at_definition(&id).is_some())
                        // `app = make_flask()`: what a project factory builds and returns.
                        || self
                            .model
                            .instance_class(self.file, &self.scope, a)
                            .is_some_and(|q| crate::frameworks::object_kind(&q).is_some()))
            })
    }

    /// The literal keys and values of a dict a call unpacks (`**routers` with `routers =
    /// {"notes_router": ..., ...}` in the calling function or module, or `**{...}`).
    fn unpacked_keywords(&self, value: &'a Expr) -> Vec<(&'a str, &'a Expr)> {
        let dict = match &value.kind {
            ExprKind::Dict(_) => value,
            ExprKind::Name(_) => {
                let origin = self.model.resolve_value(self.file, &self.scope, value);
                // Read where the call is: its values are resolved there.
                if origin.file != self.file {
                    return Vec::new();
                }
                origin.expr
            }
            _ => return Vec::new(),
        };
        let ExprKind::Dict(entries) = &dict.kind else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|e| Some((e.key.as_ref()?.as_str()?, &e.value)))
            .collect()
    }

    /// A parameter of the current function annotated with an application class
    /// (`def _add_built_in_routes(self, app: FastAPI)`).
    fn annotated_app_parameter(&self, arg: &Expr) -> bool {
        let (Some(name), Some(function)) = (arg.as_name(), self.scope.last()) else {
            return false;
        };
        function
            .params
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.annotation.as_deref())
            .and_then(|t| self.qualified(t))
            .and_then(|q| crate::frameworks::object_kind(&q))
            .is_some_and(ObjectKind::is_app)
    }

    /// Binds the parameters of the project function a call reaches to the objects it passes.
    fn bind_parameters(
        &mut self,
        call: &'a Call,
        def_file: usize,
        function: &'a Function,
        bound_self: bool,
        span: Span,
    ) {
        let mut bound = call_bindings(function, call, bound_self);
        for k in &call.keywords {
            // `ServiceApp(**routers)` with `routers = {"notes_router": ..., ...}`.
            if k.arg.is_none() && bound_self {
                for (key, value) in self.unpacked_keywords(&k.value) {
                    if let Some(p) = function.params.iter().find(|p| p.name == key) {
                        bound.push((p.name.as_str(), value));
                    }
                }
            }
        }
        let mut passes_object = false;
        // `ServiceApp(notes_router=...)` whose `__init__` keeps the router (`self.notes_router =
        // notes_router`) for another method to include: the parameter stands for the router
        // wherever the class includes it.
        let keeps_param = |param: &str| {
            bound_self
                && function.name == "__init__"
                && kept_and_included(self.model, def_file, function, param)
        };
        for &(param, arg) in &bound {
            let keeps = keeps_param(param);
            // `create_base_app(routes=server_routes)`, where the helper returns
            // `Starlette(routes=routes)`: the caller's list is the application's.
            if arg.as_name().is_some()
                && let Some(owner) = built_with_routes(self.model, def_file, function, param)
            {
                let scope = self.scope.clone();
                self.route_list(&owner, "", self.file, &scope, arg, 0);
            }
            // `self._add_router(app, get_health_router())`: a router a factory builds, handed
            // to a helper that includes it.
            if let ExprKind::Call(_) = arg.kind {
                if self.includes_parameter(function, param)
                    && let Some(object) = resolve_object(self.model, self.file, &self.scope, arg, 0)
                {
                    self.included_argument(def_file, function, param, &object, span);
                }
                // `ServiceApp(notes_router=NotesRouter(s).get_router())`: a router a call
                // builds, kept by the class (`self.notes_router = notes_router`) and included
                // in another of its methods.
                else if keeps
                    && let Some(object) = resolve_object(self.model, self.file, &self.scope, arg, 0)
                {
                    self.included_argument(def_file, function, param, &object, span);
                }
                continue;
            }
            if !matches!(arg.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
                continue;
            }
            // `for router in [build_a(), build_b()]: self._add_router(app, router)`: each item.
            let objects: Vec<ObjectId> = match self.resolve(arg) {
                Some(object) => vec![object],
                None => match arg.as_name().and_then(|n| self.loop_item(n)) {
                    Some(binding) => {
                        let mut objects: Vec<ObjectId> = binding
                            .items()
                            .iter()
                            .filter_map(|item| {
                                resolve_object(self.model, binding.file, &binding.scope, item, 0)
                            })
                            .collect();
                        // `routers.append(get_products_router(...))` before the loop.
                        if let (Some(var), Some(current)) =
                            (arg.as_name(), self.scope.last().copied())
                            && self.includes_parameter(function, param)
                        {
                            for item in appended_to_iterated(current, var) {
                                objects.extend(resolve_object(
                                    self.model,
                                    self.file,
                                    &self.scope,
                                    item,
                                    0,
                                ));
                            }
                        }
                        objects
                    }
                    None => Vec::new(),
                },
            };
            for object in objects {
                passes_object = true;
                if keeps || self.includes_parameter(function, param) {
                    self.included_argument(def_file, function, param, &object, span);
                }
                let child = parameter_id(def_file, function, param);
                self.parameter_link(object, child, span);
            }
        }
        // `register_endpt(NotesResource, "/notes/", "notes")` where the helper registers the
        // class it is given on a module-level blueprint: only such receivers when the call
        // passes no framework object.
        self.helper_routes(call, def_file, function, &bound, !passes_object, span);
        if !passes_object && def_file == self.file {
            self.closure_resources(function, &bound, span);
        }
    }

    /// A router or blueprint handed to a helper that includes its parameter (`def
    /// _add_router(app, router): app.include_router(router)`) is included wherever the
    /// parameter is.
    fn included_argument(
        &mut self,
        def_file: usize,
        function: &'a Function,
        param: &str,
        object: &ObjectId,
        span: Span,
    ) {
        if self
            .object_kind_at_definition(object)
            .is_some_and(|kind| !kind.is_app())
        {
            let child = parameter_id(def_file, function, param);
            self.include(child, object.clone(), None, span).is_argument = true;
        }
    }

    /// `def add_resource(resource, url): api.add_resource(resource, url)` nested where `api` is
    /// bound, then `add_resource(Notes, "/notes")`: the resources the helper adds to the
    /// object it closes over, with its parameters bound to the call's arguments.
    fn closure_resources(
        &mut self,
        function: &'a Function,
        bound: &[(&'a str, &'a Expr)],
        span: Span,
    ) {
        let arg_of = |e: &'a Expr| -> &'a Expr {
            e.as_name()
                .and_then(|n| bound.iter().find(|(p, _)| *p == n))
                .map_or(e, |&(_, a)| a)
        };
        for stmt in &function.body {
            let Stmt::Expr { value, .. } = stmt else {
                continue;
            };
            let Some(inner) = value.as_call() else {
                continue;
            };
            let Some((receiver, attr)) = inner.method() else {
                continue;
            };
            if attr != "add_resource"
                || function
                    .params
                    .iter()
                    .any(|p| Some(p.name.as_str()) == receiver.as_name())
            {
                continue;
            }
            let Some(api) = self.resolve(receiver) else {
                continue;
            };
            let Some((resource, urls)) = inner.args.split_first() else {
                continue;
            };
            let scope = self.scope.clone();
            let urls = positional_args(urls).map(arg_of);
            self.resource_added(&api, self.file, &scope, arg_of(resource), urls, inner, span);
        }
    }

    /// The framework object an instance of a project class registers on in its own method
    /// `method` (`def add_resource(self, resource, *urls): ... self.blueprint.add_url_rule(
    /// rule=url, view_func=view)`), when `receiver` is such an instance: the object the
    /// instance keeps in that attribute (`self.blueprint = Blueprint(..., url_prefix="/api")`).
    fn kept_registration_object(&self, receiver: &'a Expr, method: &str) -> Option<ObjectId> {
        let (class_file, class) = receiver_class(self.model, self.file, &self.scope, receiver)
            .or_else(|| module_instance_class(self.model, self.file, receiver))?;
        let (_, _, function) = find_method(self.model, class_file, class, method)?;
        let mut kept = None;
        crate::security::walk_exprs(&function.body, &mut |e| {
            e.any(&mut |x| {
                if kept.is_none()
                    && let Some((inner, name)) = x.as_call().and_then(Call::method)
                    && matches!(name, "add_url_rule" | "add_resource")
                    && let ExprKind::Attribute { value, attr } = &inner.kind
                    && value.as_name() == Some("self")
                {
                    kept = class_instance_object(self.model, class_file, class, attr)
                        .filter(|id| self.object_kind_at_definition(id).is_some());
                }
                false
            });
        });
        kept
    }

    /// `api.add_resource(Resource, "/a", "/b")` once its arguments are known, read in `file`
    /// and `scope`: the class's routes at each path.
    #[allow(clippy::too_many_arguments)]
    fn resource_added(
        &mut self,
        api: &ObjectId,
        file: usize,
        scope: &[&'a Function],
        resource: &Expr,
        urls: impl Iterator<Item = &'a Expr>,
        call: &'a Call,
        span: Span,
    ) {
        let Some(class) = class_in(self.model, file, resource) else {
            return;
        };
        let paths = urls
            .map(|url| path_text(self.model, file, scope, Some(url)))
            .collect();
        self.resource_at_paths(api, paths, class, call, span);
    }

    /// `register_view(bp, routes=["/a"], view_func=View.as_view("v"))`: a project helper that
    /// registers the view it is given on the object it is given (`bp_or_app.add_url_rule(route,
    /// view_func=view_func)`, also in a loop over a parameter). Each call registers its own
    /// route, reported at the call; the helper's parameters are bound to the call's arguments.
    fn helper_routes(
        &mut self,
        call: &'a Call,
        def_file: usize,
        function: &'a Function,
        bound: &[(&'a str, &'a Expr)],
        globals_only: bool,
        span: Span,
    ) {
        let arg_of = |name: &str| bound.iter().find(|(p, _)| *p == name).map(|&(_, a)| a);
        // `self.register(...)` reaching a method of the instance's class.
        let self_call = function.params.first().is_some_and(|p| p.name == "self")
            && matches!(&call.func.kind, ExprKind::Attribute { value, .. }
                if value.as_name() == Some("self"));
        let mut registrations: Vec<Registration<'a>> = Vec::new();
        collect_registrations(&function.body, &arg_of, &mut Vec::new(), &mut registrations);
        // Keywords of the call the helper does not take, forwarded through `**kwargs`.
        let forwards = function
            .params
            .iter()
            .any(|p| p.kind == ParamKind::VarKeywords);
        for (inner, attr, loops) in registrations {
            let ExprKind::Attribute {
                value: receiver, ..
            } = &inner.func.kind
            else {
                continue;
            };
            let owner = match receiver.as_name().and_then(&arg_of) {
                Some(_) if globals_only => None,
                Some(a) => self.resolve(a),
                // `self.app.add_api_route(path, ...)` in a method the call reaches on `self`
                // (`self.add_api_route(...)`): the same instance, so its attribute is read
                // where the call is.
                None if self_call && instance_attribute(receiver).is_some() => self
                    .resolve(receiver)
                    .filter(|owner| self.could_route(owner)),
                None => self.helper_global_receiver(def_file, function, receiver),
            };
            let Some(owner) = owner else {
                continue;
            };
            let (path_key, view_key, view_at) = if attr == "add_url_rule" {
                ("rule", "view_func", 2)
            } else {
                ("path", "endpoint", 1)
            };
            let methods = methods_argument(inner.keyword("methods")).or_else(|| {
                forwards
                    .then(|| methods_argument(call.keyword("methods")))
                    .flatten()
            });
            let scope = self.scope.clone();
            let Some(path_arg) = inner.argument(path_key, 0) else {
                continue;
            };
            let view_arg = inner.argument(view_key, view_at);
            let loop_var = |e: &Expr| {
                let name = e.as_name()?;
                loops.iter().rev().find(|l| l.name == name).copied()
            };
            // `for path, resource in routes: bp.add_url_rule(path, view_func=view)` with `view
            // = resource.as_view(...)`: one route per `(path, Class)` item of the list passed.
            let class_var = view_arg.and_then(|v| {
                let e = local_as_view_receiver(function, v).unwrap_or(v);
                loop_var(e).filter(|l| l.index.is_some())
            });
            if let Some(class_var) = class_var {
                // `for decorator in decorators or []: view_func = decorator(view_func)`: the
                // decorators the call passes wrap every view.
                let wrappers: Vec<(usize, &'a Expr)> = view_arg
                    .and_then(Expr::as_name)
                    .and_then(|view| wrapping_parameter(function, view))
                    .and_then(&arg_of)
                    .and_then(|arg| {
                        let origin = self.model.resolve_value(self.file, &scope, arg);
                        let file = origin.file;
                        origin
                            .expr
                            .elements()
                            .map(|items| items.iter().map(|d| (file, d)).collect())
                    })
                    .unwrap_or_default();
                let Some(path_var) = loop_var(path_arg)
                    .filter(|l| l.index.is_some() && std::ptr::eq(l.iterated, class_var.iterated))
                else {
                    continue;
                };
                let origin = self
                    .model
                    .resolve_value(self.file, &scope, class_var.iterated);
                // The routes are reported at their items: only when the list is in this file.
                if origin.file != self.file {
                    continue;
                }
                for item in origin.expr.elements().unwrap_or_default() {
                    let Some(parts) = item.elements() else {
                        continue;
                    };
                    let (Some(path), Some(class)) = (
                        path_var.index.and_then(|i| parts.get(i)),
                        class_var.index.and_then(|i| parts.get(i)),
                    ) else {
                        continue;
                    };
                    let Some((class_file, class)) = class_in(self.model, origin.file, class) else {
                        continue;
                    };
                    self.class_view_routes(ClassView {
                        file: self.file,
                        owner: Some(owner.clone()),
                        path: path_text(self.model, origin.file, &origin.scope, Some(path)),
                        class_file,
                        class,
                        call,
                        methods: methods.clone(),
                        wrappers: wrappers.clone(),
                        span: item.span,
                        direct: false,
                    });
                }
                continue;
            }
            // `view_func=resource.as_view(name)` on the class the call gives (flask-smorest
            // also takes the class itself, `view_func=resource`, and makes the view), also
            // through a local, `view_func = view.as_view(endpoint)`.
            let view_arg = view_arg.map(|v| {
                let receiver = match v.as_call().map(|c| &c.func.kind) {
                    Some(ExprKind::Attribute { value, attr }) if attr == "as_view" => {
                        Some(&**value)
                    }
                    _ if v.as_name().and_then(&arg_of).is_none() => {
                        local_as_view_receiver(function, v)
                    }
                    _ => None,
                };
                match receiver {
                    Some(r) if r.as_name().and_then(&arg_of).is_some() => r,
                    _ => v,
                }
            });
            // Only views the call gives: a view of the helper's own is registered on the
            // parameter, which stands for every object passed.
            let Some(view) = view_arg.and_then(Expr::as_name).and_then(&arg_of) else {
                continue;
            };
            // A path that is none of the parameters or loop variables is the helper's own
            // or built from them (`rule = '/%s' % url`); it is kept only when its text is
            // fully known.
            let derived = path_arg
                .as_name()
                .is_some_and(|n| arg_of(n).is_some() || loop_var(path_arg).is_some());
            let Some(paths) = self.helper_paths(def_file, function, bound, inner, path_arg, &loops)
            else {
                continue;
            };
            let paths: Vec<String> = paths
                .into_iter()
                .filter(|p| derived || !(p.contains(DYNAMIC) || p.contains("{…}")))
                .collect();
            for path in paths {
                self.view_routes(
                    self.file,
                    &scope,
                    Some(owner.clone()),
                    path,
                    view,
                    call,
                    methods.clone(),
                    "GET",
                    span,
                );
            }
        }
    }

    /// The paths a registration in a helper gets at one call: its path argument read with
    /// the helper's parameters bound to the call's arguments (or their defaults), once per item
    /// of the list the call passes when the registration is in a loop over it, after the
    /// helper's statements before it (`rule = '/<int:node>/%s' % url`, `if trailing_slash:
    /// rule += '/'`). None when the registration cannot be found in the helper's body.
    fn helper_paths(
        &self,
        def_file: usize,
        function: &'a Function,
        bound: &[(&'a str, &'a Expr)],
        registration: &'a Call,
        path_arg: &'a Expr,
        loops: &[LoopVar<'a>],
    ) -> Option<Vec<String>> {
        let mut at = None;
        crate::security::walk_stmts(&function.body, &mut |stmt| {
            if let Stmt::Expr { value, span }
            | Stmt::Return {
                value: Some(value),
                span,
            } = stmt
                && value
                    .as_call()
                    .is_some_and(|c| std::ptr::eq(c, registration))
            {
                at = Some(*span);
            }
        });
        let at = at?;
        let scope = self.scope.clone();
        // The innermost loop over a list the call passes gives the items; the variables of
        // any other loop stay unknown.
        let list = loops.last().map(|l| l.iterated);
        let origin = list.map(|list| self.model.resolve_value(self.file, &scope, list));
        let (item_file, item_scope) = match &origin {
            Some(origin) => (origin.file, origin.scope.clone()),
            None => (self.file, scope.clone()),
        };
        let items: Vec<Option<&'a Expr>> = match &origin {
            Some(origin) => origin
                .expr
                .elements()
                .unwrap_or_default()
                .iter()
                .map(Some)
                .collect(),
            None => vec![None],
        };
        let mut frame = HelperFrame {
            model: self.model,
            def_file,
            def_scope: enclosing_functions(self.model.files[def_file].body(), function),
            function: Some(function),
            call_file: self.file,
            call_scope: &scope,
            bound,
            loop_values: Vec::new(),
            item_file,
            item_scope: &item_scope,
            locals: Vec::new(),
        };
        let mut paths: Vec<String> = Vec::new();
        for item in items {
            frame.locals.clear();
            frame.loop_values.clear();
            let mut complete = true;
            if let Some(item) = item {
                for l in loops
                    .iter()
                    .filter(|l| list.is_some_and(|list| std::ptr::eq(l.iterated, list)))
                {
                    let part = match l.index {
                        None => Some(item),
                        Some(i) => item.elements().and_then(|parts| parts.get(i)),
                    };
                    match part {
                        Some(part) => frame.loop_values.push((l.name, part)),
                        None => complete = false,
                    }
                }
            }
            if !complete {
                continue;
            }
            // A registration in a branch the call's arguments rule out registers nothing.
            if frame.run_to(&function.body, at) != Some(true) {
                continue;
            }
            let path = frame.text(path_arg, 0);
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        Some(paths)
    }

    /// The module-level object, or the object of an enclosing function it closes over, a
    /// helper registers on when it is none of its parameters nor its own variables
    /// (`api_blueprint.add_url_rule(url, view_func=resource)` in `def register_endpt(resource,
    /// url)`), read where the helper is defined.
    fn helper_global_receiver(
        &self,
        def_file: usize,
        function: &'a Function,
        receiver: &'a Expr,
    ) -> Option<ObjectId> {
        let name = receiver.as_name()?;
        if function.assigned.may_contain(name) || function.params.iter().any(|p| p.name == name) {
            return None;
        }
        let scope = enclosing_functions(self.model.files[def_file].body(), function);
        let closure = scope
            .iter()
            .any(|f| f.assigned.may_contain(name) || f.params.iter().any(|p| p.name == name));
        let id = resolve_object(self.model, def_file, &scope, receiver, 0)?;
        // `def register_view(view, url): app.add_url_rule(url, ...)` nested in the function
        // that builds or receives `app`: the object it closes over, also a parameter of the
        // enclosing function, which stands for what its callers pass.
        let enclosing_parameter = closure
            && scope
                .iter()
                .any(|f| id.scope == Some(f.span.start) && f.params.iter().any(|p| p.name == name));
        (enclosing_parameter || self.object_kind_at_definition(&id).is_some()).then_some(id)
    }

    fn call(&mut self, call_expr: &'a Expr, call: &'a Call, stmt_span: Span) {
        // `limiter.limit("5/minute")(bp)`: a limit applied to a blueprint.
        if let ExprKind::Call(inner) = &call.func.kind {
            if self.getattr_route_rows(inner, call) {
                return;
            }
            if let ExprKind::Attribute {
                value: receiver,
                attr,
            } = &inner.func.kind
            {
                // `bp.route("/login", methods=["GET", "POST"])(login)`: a route decorator
                // applied by hand.
                if let (Some(implied), Some(view)) = (route_method(attr), call.args.first())
                    && let Some(owner) = self.resolve(receiver).filter(|o| self.could_route(o))
                {
                    let methods = match implied {
                        Some(m) => Some(vec![m.to_string()]),
                        None => registered_methods(
                            self.model,
                            self.file,
                            &self.scope,
                            inner.keyword("methods"),
                        ),
                    };
                    let path = path_text(
                        self.model,
                        self.file,
                        &self.scope,
                        inner.argument("path", 0).or(inner.keyword("rule")),
                    );
                    let scope = self.scope.clone();
                    self.view_routes(
                        self.file,
                        &scope,
                        Some(owner),
                        path,
                        view,
                        inner,
                        methods,
                        "GET",
                        stmt_span,
                    );
                    return;
                }
                if let Some(id) = self.resolve(receiver) {
                    self.out.calls.push(ObjectCall {
                        receiver: id,
                        method: format!("{attr}()").into(),
                        call,
                        file: self.file,
                        scope: self.scope.as_slice().into(),
                        span: stmt_span,
                    });
                }
            }
            return;
        }
        if call
            .func
            .last_name()
            .is_some_and(|n| matches!(n, "run" | "Config" | "run_simple" | "make_server"))
        {
            self.local_server(call);
        }
        // `BasicAuth(app)`: Flask-BasicAuth's constructor installs itself on the application.
        if self.basic_auth_used && builds_basic_auth(self.model, self.file, &call.func) {
            self.basic_auth_installed(call, call_expr.span);
        }
        let Some((receiver, attr)) = call.method() else {
            return;
        };
        let span = call_expr.span;
        // `app.pluggy.hook.load_blueprints(app=app)`
        if let ExprKind::Attribute { attr: hook, .. } = &receiver.kind
            && hook == "hook"
            && !call.keywords.is_empty()
        {
            let arguments: Vec<(String, ObjectId)> = call
                .keywords
                .iter()
                .filter_map(|k| {
                    let name = k.arg.as_deref()?.to_string();
                    if !matches!(k.value.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
                        return None;
                    }
                    Some((name, self.resolve(&k.value)?))
                })
                .collect();
            if !arguments.is_empty() {
                let when = self.when();
                self.out.hook_calls.push(PluginHookCall {
                    name: attr.to_string(),
                    arguments,
                    when,
                    file: self.file,
                    scope: self.scope.clone(),
                    span,
                });
            }
            return;
        }
        if attr == "register" && self.classful_routes(receiver, call, span) {
            return;
        }
        match attr {
            // Flask-AppBuilder: `appbuilder.add_view(View, "Name")`, `add_api(Api)`.
            "add_view" | "add_view_no_menu" | "add_api" | "add_views" => {
                // Flask-Admin: `admin.add_view(NoteView(Note, db.session))`.
                if let Some(admin) = self
                    .resolve(receiver)
                    .filter(|id| self.object_kind_at_definition(id) == Some(ObjectKind::FlaskAdmin))
                {
                    let admin_url = definition_value(self.model, &admin)
                        .and_then(Expr::as_call)
                        .map(|c| crate::flask_admin::admin_url(self.model, admin.file, c))
                        .unwrap_or_else(|| "/admin".to_string());
                    let views = match attr {
                        "add_views" => positional_args(&call.args).collect::<Vec<_>>(),
                        _ => call.args.first().into_iter().collect(),
                    };
                    for view in views {
                        self.flask_admin_registered(admin.clone(), view, &admin_url, span);
                    }
                    return;
                }
                let Some(builder) = self.resolve(receiver).filter(|id| {
                    self.object_kind_at_definition(id) == Some(ObjectKind::AppBuilder)
                }) else {
                    return;
                };
                let Some(view) = call.args.first() else {
                    return;
                };
                // `add_view(View(), ...)` takes an instance too.
                let view = match &view.kind {
                    ExprKind::Call(c) if c.args.is_empty() => &c.func,
                    _ => view,
                };
                let Some((class_file, class)) = class_in(self.model, self.file, view) else {
                    return;
                };
                let child = ObjectId {
                    file: class_file,
                    scope: None,
                    name: class.name.to_string(),
                };
                self.include(builder, child, None, span);
            }
            // Flask-RESTful and flask-restx: `api.add_resource(Resource, "/a", "/b")`.
            "add_resource" => {
                let Some(mut api) = self.resolve(receiver) else {
                    return;
                };
                // `api.add_resource(Notes, "/notes")` where `api = Service(app)` is an instance
                // of a project class whose own `add_resource` registers on a framework object
                // the instance keeps (`self.blueprint.add_url_rule(...)`): that object's routes.
                if self.object_kind_at_definition(&api).is_none()
                    && let Some(kept) = self.kept_registration_object(receiver, attr)
                {
                    api = kept;
                }
                // `for route in API_ROUTES: api.add_resource(*route)`, `for cls, path in
                // API_ROUTES: api.add_resource(cls, path)`: each row of the list.
                if let Some((file, scope, rows)) = self.looped_arguments(&call.args) {
                    for row in rows {
                        if let Some((&resource, urls)) = row.split_first() {
                            let urls = urls.iter().copied();
                            self.resource_added(&api, file, &scope, resource, urls, call, span);
                        }
                    }
                    return;
                }
                if let Some((resource, urls)) = call.args.split_first() {
                    let scope = self.scope.clone();
                    let urls = positional_args(urls);
                    self.resource_added(&api, self.file, &scope, resource, urls, call, span);
                }
            }
            // flask-restx: `api.add_namespace(ns, path="/users")`, the path replacing the
            // namespace's own.
            "add_namespace" => {
                let Some(api) = self.resolve(receiver) else {
                    return;
                };
                // `for ns in protected_namespaces: api.add_namespace(ns)`: each of the list.
                let Some(ns) = call.argument("ns", 0) else {
                    return;
                };
                let prefix = call
                    .argument("path", 1)
                    .map(|p| path_text(self.model, self.file, &self.scope, Some(p)));
                for child in self.resolve_receivers(ns) {
                    self.include(api.clone(), child, prefix.clone(), span);
                }
            }
            "include_router" | "register_blueprint" | "mount" => {
                self.included(receiver, attr, call, span);
            }
            "add_api_route"
            | "add_route"
            | "add_url_rule"
            | "add_api_websocket_route"
            | "add_websocket_route" => {
                self.registered_route(receiver, attr, call, span);
            }
            "add_middleware" => {
                let Some(class) = call.args.first() else {
                    return;
                };
                let owner = self.resolve(receiver);
                let when = self.when();
                self.out.middleware.push(MiddlewareReg {
                    owner,
                    class,
                    call,
                    file: self.file,
                    span,
                    when,
                });
            }
            "before_request" | "before_app_request" | "url_value_preprocessor" => {
                let Some(owner) = self.resolve(receiver) else {
                    return;
                };
                let Some(func_expr) = call.args.first() else {
                    return;
                };
                let Some((function_file, function)) = self.function_of(func_expr) else {
                    return;
                };
                let Some(kind) = HookKind::of_registration(attr) else {
                    return;
                };
                let when = self.hook_when();
                self.out.hooks.push(Hook {
                    owner,
                    kind,
                    function,
                    function_file,
                    span,
                    when,
                });
            }
            _ => {
                // `basic_auth.init_app(app)` on a `BasicAuth()` built without one.
                if attr == "init_app" && self.basic_auth_used {
                    let built = match receiver.as_call() {
                        Some(c) => Some((self.file, c)),
                        None => self
                            .model
                            .follow(self.file, &self.scope, receiver)
                            .and_then(|o| Some((o.file, o.expr.as_call()?))),
                    };
                    if built.is_some_and(|(f, c)| builds_basic_auth(self.model, f, &c.func)) {
                        self.basic_auth_installed(call, span);
                    }
                }
                for id in self.resolve_receivers(receiver) {
                    // `appbuilder.init_app(app, db.session)`, `api.init_app(app)`.
                    if attr == "init_app"
                        && matches!(
                            self.object_kind_at_definition(&id),
                            Some(
                                ObjectKind::AppBuilder
                                    | ObjectKind::RestfulApi
                                    | ObjectKind::FlaskAdmin
                            )
                        )
                        && let Some(app) = call.argument("app", 0)
                        && let Some(parent) = self.resolve(app)
                    {
                        self.include(parent, id.clone(), None, span);
                    }
                    self.out.calls.push(ObjectCall {
                        receiver: id,
                        method: attr.into(),
                        call,
                        file: self.file,
                        scope: self.scope.as_slice().into(),
                        span,
                    });
                }
            }
        }
    }

    /// Flask-BasicAuth installed on the application its call is given (`BasicAuth(app)`,
    /// `init_app(app)`), under the conditions a hook registered here would be.
    fn basic_auth_installed(&mut self, call: &'a Call, span: Span) {
        let Some(app) = call
            .argument("app", 0)
            .filter(|a| !matches!(a.kind, ExprKind::NoneLiteral))
        else {
            return;
        };
        let Some(owner) = self.resolve(app) else {
            return;
        };
        let when = self.hook_when();
        self.out.basic_auth.push(BasicAuthInstall {
            owner,
            file: self.file,
            span,
            when,
        });
    }

    /// `parent.include_router(child, ...)`, `parent.register_blueprint(child, ...)`,
    /// `parent.mount(path, child)`: the child (or each child a loop gives) is mounted.
    fn included(&mut self, receiver: &'a Expr, attr: &str, call: &'a Call, span: Span) {
        let (child_key, prefix_key) = match attr {
            "include_router" => ("router", "prefix"),
            "register_blueprint" => ("blueprint", "url_prefix"),
            _ => ("app", "path"),
        };
        let child_expr = match attr {
            "mount" => call.argument("app", 1),
            _ => call.argument(child_key, 0),
        };
        let Some(child_expr) = child_expr else {
            if attr != "mount" && call.has_kwargs_spread() {
                self.included_from_rows(receiver, attr, call, span);
            }
            return;
        };
        let Some(parent) = self.resolve(receiver) else {
            self.out.unresolved_mounts += 1;
            return;
        };
        let prefix_expr = if attr == "mount" {
            call.argument("path", 0)
        } else {
            call.keyword(prefix_key)
        };
        // `def register_blueprints(app, url_prefix): app.register_blueprint(bp,
        // url_prefix=url_prefix)`: the literal every call of the helper passes.
        let from_callers = prefix_expr
            .and_then(Expr::as_name)
            .zip(self.scope.last())
            .filter(|(name, f)| crate::values::local_assignment(f, name).is_none())
            .and_then(|(name, f)| argument_literal(self.model, self.file, f, name));
        let prefix = from_callers.or_else(|| {
            prefix_expr.map(|e| path_text(self.model, self.file, &self.scope, Some(e)))
        });
        if attr == "include_router" && self.library_router(&parent, child_expr, call, &prefix, span)
        {
            return;
        }
        let dependencies = dependency_list(
            self.model,
            self.file,
            &self.scope,
            call.keyword("dependencies"),
        );
        // `for router in [a.router, b.router]: app.include_router(router)`
        let looped = child_expr.as_name().and_then(|name| {
            self.loop_item(name)
                .map(|b| (b.file, b.scope.clone(), b.items()))
        });
        // `module = importlib.import_module(f"app.blueprints.{name}")` in a loop over
        // names, then `app.register_blueprint(module.blueprint)`.
        let imported = self.imported_module_objects(child_expr);
        if !imported.is_empty() {
            for child in imported {
                let include = self.include(parent.clone(), child, prefix.clone(), span);
                include.dependencies = dependencies.clone();
            }
            return;
        }
        // `for endpoint in ENDPOINTS: app.include_router(endpoint.router)` over a list of
        // project modules: the object of that name in each module.
        let module_objects = self.looped_module_objects(child_expr);
        if !module_objects.is_empty() {
            for child in module_objects {
                let include = self.include(parent.clone(), child, prefix.clone(), span);
                include.dependencies = dependencies.clone();
            }
            return;
        }
        // `for name in os.listdir(os.path.dirname(__file__)): view = __import__("pkg.views."
        // + name)` and `view.blueprint` registered (directly, or through rows a loop unpacks):
        // the attribute in each module of the package's folder.
        let from_folder = self.folder_module_children(child_expr, prefix_expr, &prefix);
        if !from_folder.is_empty() {
            for (child, prefix) in from_folder {
                let include = self.include(parent.clone(), child, prefix, span);
                include.dependencies = dependencies.clone();
            }
            return;
        }
        let gathered = child_expr
            .as_name()
            .and_then(|name| self.gathered_items(name))
            .filter(|items| looped.as_ref().is_none_or(|l| items.len() > l.2.len()));
        let mut children: Vec<(usize, Vec<&'a Function>, &'a Expr)> = match (gathered, looped) {
            (Some(items), _) => items,
            (None, Some((file, scope, items))) => items
                .iter()
                .map(|item| (file, scope.clone(), item))
                .collect(),
            (None, None) => vec![(self.file, self.scope.clone(), child_expr)],
        };
        // `self._blueprints.append(bp)`, then `for b in self._blueprints:
        // app.register_blueprint(b)`: each item appended in the function.
        if let (Some(var), Some(function)) = (child_expr.as_name(), self.scope.last()) {
            children.extend(
                appended_to_iterated(function, var)
                    .into_iter()
                    .map(|item| (self.file, self.scope.clone(), item)),
            );
        }
        self.include_children(&parent, attr, children, &prefix, &dependencies, span);
    }

    /// `app.include_router(GraphQLRouter(schema), prefix="/graphql")`: a router a library class
    /// builds, whose routes the library declares. They are listed at the prefix (joined with
    /// the router's own `path=`) with a stand-in handler named for the import, as other library
    /// endpoints are; the include's `dependencies=` protect them. Whether it was one.
    fn library_router(
        &mut self,
        parent: &ObjectId,
        child: &'a Expr,
        include: &'a Call,
        prefix: &Option<String>,
        span: Span,
    ) -> bool {
        let Some(built) = child.as_call() else {
            return false;
        };
        let Some(qualified) = self.qualified(&built.func) else {
            return false;
        };
        // strawberry's router answers queries by GET and POST, subscriptions over WebSocket.
        let routes: &[&[&str]] = match qualified.as_str() {
            "strawberry.fastapi.GraphQLRouter" | "strawberry.fastapi.router.GraphQLRouter" => {
                &[&["GET", "POST"], &["WS"]]
            }
            _ => return false,
        };
        let own = path_text(self.model, self.file, &self.scope, built.keyword("path"));
        let path = join_paths(prefix.as_deref().unwrap_or_default(), &own);
        let scope = self.scope.clone();
        for methods in routes {
            self.view_routes(
                self.file,
                &scope,
                Some(parent.clone()),
                path.clone(),
                &built.func,
                include,
                Some(methods.iter().map(|m| m.to_string()).collect()),
                "GET",
                span,
            );
        }
        true
    }

    /// `for row in ROUTERS: app.include_router(**row)` over a list of dict literals (joined
    /// with `+`, kept in another module), or `include_router(**ROW)` with one: each dict's
    /// literal keys are the call's keyword arguments, read where the dict is written.
    fn included_from_rows(&mut self, receiver: &'a Expr, attr: &str, call: &'a Call, span: Span) {
        let (child_key, prefix_key) = match attr {
            "include_router" => ("router", "prefix"),
            _ => ("blueprint", "url_prefix"),
        };
        let Some(spread) = call.keywords.iter().find(|k| k.arg.is_none()) else {
            return;
        };
        let items = match spread.value.as_name().and_then(|n| self.gathered_items(n)) {
            Some(items) => items,
            None => vec![(self.file, self.scope.clone(), &spread.value)],
        };
        let mut rows = Vec::new();
        for (file, scope, item) in items {
            let origin = self.model.resolve_value(file, &scope, item);
            let ExprKind::Dict(entries) = &origin.expr.kind else {
                continue;
            };
            let value = |key: &str| {
                entries
                    .iter()
                    .find(|e| e.key.as_ref().and_then(|k| k.as_str()) == Some(key))
                    .map(|e| &e.value)
            };
            let Some(child) = value(child_key) else {
                continue;
            };
            let (file, scope) = (origin.file, origin.scope);
            // The call's own keywords complete the row's (Python refuses a key given twice).
            let prefix = match value(prefix_key) {
                Some(p) => Some(path_text(self.model, file, &scope, Some(p))),
                None => call
                    .keyword(prefix_key)
                    .map(|p| path_text(self.model, self.file, &self.scope, Some(p))),
            };
            let mut dependencies = dependency_list(self.model, file, &scope, value("dependencies"));
            dependencies.extend(dependency_list(
                self.model,
                self.file,
                &self.scope,
                call.keyword("dependencies"),
            ));
            rows.push((file, scope, child, prefix, dependencies));
        }
        if rows.is_empty() {
            return;
        }
        let Some(parent) = self.resolve(receiver) else {
            self.out.unresolved_mounts += 1;
            return;
        };
        for (file, scope, child, prefix, dependencies) in rows {
            self.include_children(
                &parent,
                attr,
                vec![(file, scope, child)],
                &prefix,
                &dependencies,
                span,
            );
        }
    }

    /// Mounts each child expression (with the file and scope it is read in) into `parent`.
    fn include_children(
        &mut self,
        parent: &ObjectId,
        attr: &str,
        children: Vec<(usize, Vec<&'a Function>, &'a Expr)>,
        prefix: &Option<String>,
        dependencies: &[Dep<'a>],
        span: Span,
    ) {
        for (file, scope, child_expr) in children {
            // `mount("/api", AuthenticationMiddleware(private_app, backend=...))`: the
            // application inside, with the middleware on it.
            let wrapper = (attr == "mount")
                .then(|| middleware_wrapper(self.model, file, &scope, child_expr))
                .flatten();
            let target = wrapper.as_ref().map_or(child_expr, |w| w.wrapped);
            // `app.include_router(cog.router, prefix="/cog")`: the router of that
            // instance's class, whose routes are chosen once every file is read.
            if attr != "mount"
                && let Some(view) = instance_router(self.model, file, &scope, target)
            {
                let child = view.view.clone();
                self.out.instance_views.push(view);
                let include = self.include(parent.clone(), child, prefix.clone(), span);
                include.dependencies = dependencies.to_vec();
                continue;
            }
            match resolve_object(self.model, file, &scope, target, 0)
                .or_else(|| inline_app(self.model, file, &scope, target).map(|(id, ..)| id))
            {
                Some(child) => {
                    if let Some(w) = wrapper {
                        let when = self.when();
                        self.out.middleware.push(w.registration(&child, span, when));
                    }
                    let include = self.include(parent.clone(), child, prefix.clone(), span);
                    include.dependencies = dependencies.to_vec();
                    include.is_mount = attr == "mount";
                }
                None if self.could_be_project_router(file, child_expr) => {
                    self.out.unresolved_mounts += 1;
                }
                None => {}
            }
        }
    }

    /// `uvicorn.run(app, port=0)`, `uvicorn.Config(app, port=0)`, `app.run(port=0)`,
    /// `make_server("127.0.0.1", 0, app)`: served on a random port of the loopback interface
    /// (the default host of uvicorn and Flask), a throw-away local server.
    fn local_server(&mut self, call: &'a Call) {
        let qualified = self.qualified(&call.func);
        let (app, host, port) = match qualified.as_deref() {
            Some(
                "uvicorn.run" | "uvicorn.main.run" | "uvicorn.Config" | "uvicorn.config.Config",
            ) => (
                call.argument("app", 0),
                call.keyword("host"),
                call.keyword("port"),
            ),
            Some("werkzeug.serving.run_simple" | "werkzeug.serving.make_server") => (
                call.argument("application", 2),
                call.argument("hostname", 0).or(call.keyword("host")),
                call.argument("port", 1),
            ),
            _ => match &call.func.kind {
                ExprKind::Attribute { value, attr } if attr == "run" => (
                    Some(value.as_ref()),
                    call.argument("host", 0),
                    call.argument("port", 1),
                ),
                _ => return,
            },
        };
        let random_port = port.is_some_and(|p| matches!(p.kind, ExprKind::Int(Some(0))));
        let loopback = host.is_none_or(|h| {
            h.as_str()
                .is_some_and(|h| matches!(h, "127.0.0.1" | "localhost" | "::1"))
        });
        if !loopback {
            return;
        }
        if !random_port {
            // On a fixed port, loopback-only only as a sidecar: uvicorn serving an application
            // this function builds and hands to nothing else (`remote = Starlette(...)`, then
            // `uvicorn.Config(remote, port=REMOTE_PORT)`), so no other server can serve it.
            let Some(Some(name)) = app.map(Expr::as_name) else {
                return;
            };
            if !qualified
                .as_deref()
                .is_some_and(|q| q.starts_with("uvicorn."))
                || !self.sidecar_application(name, call)
            {
                return;
            }
        }
        if let Some(id) = app.and_then(|a| self.resolve(a))
            && self
                .object_kind_at_definition(&id)
                .is_some_and(ObjectKind::is_app)
        {
            self.out.local_servers.push(id);
        } else if let Some((id, ..)) =
            app.and_then(|a| inline_app(self.model, self.file, &self.scope, a))
        {
            self.out.local_servers.push(id);
        }
    }

    /// Whether `name` is an application the current function builds (`remote =
    /// Starlette(routes=[...])`) whose only use as a value is the server call `served`: not
    /// returned, yielded, stored elsewhere, put in a container nor handed to any other call.
    fn sidecar_application(&self, name: &str, served: &Call) -> bool {
        use crate::security::{walk_all_exprs, walk_all_stmts};
        let Some(function) = self.scope.last() else {
            return false;
        };
        let named = |v: &Expr| v.as_name() == Some(name);
        let mut built = false;
        let mut escapes = false;
        walk_all_stmts(&function.body, &mut |stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => {
                if targets.iter().any(named) {
                    built = targets.len() == 1
                        && value.as_call().is_some_and(|c| {
                            constructed_kind(self.model, self.file, &c.func)
                                .is_some_and(ObjectKind::is_app)
                        });
                }
                // `self.app = remote`
                escapes |= named(value) && targets.iter().any(|t| t.as_name().is_none());
            }
            Stmt::Return { value: Some(v), .. } => escapes |= v.any(&mut |x| named(x)),
            _ => {}
        });
        walk_all_exprs(&function.body, &mut |e| {
            escapes |= e.any(&mut |x| match &x.kind {
                ExprKind::Call(c) if !std::ptr::eq(c.as_ref(), served) => c
                    .argument_values()
                    .any(|a| named(a) || matches!(&a.kind, ExprKind::Starred(v) if named(v))),
                ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
                    items.iter().any(named)
                }
                ExprKind::Dict(entries) => entries.iter().any(|d| named(&d.value)),
                ExprKind::Yield(Some(v)) => named(v),
                _ => false,
            });
        });
        built && !escapes
    }

    /// The project function an expression names (in this file or imported).
    fn function_of(&self, expr: &'a Expr) -> Option<(usize, &'a Function)> {
        function_in(self.model, self.file, &self.scope, expr).map(|(f, func, _)| (f, func))
    }

    /// An `include_router`/`register_blueprint` argument that could not be followed but may be
    /// a project router: anything but a call to a library (`fastapi_users.get_auth_router()`,
    /// `StaticFiles(...)`).
    fn could_be_project_router(&self, file: usize, expr: &Expr) -> bool {
        match &expr.kind {
            ExprKind::Call(call) => matches!(
                self.model.resolve_definition(file, &call.func),
                Some((_, Some(_), _))
            ),
            _ => true,
        }
    }

    /// The function or class a view expression registers, through variables, `as_view()` and
    /// wrapping decorators, which are collected in `wrappers`.
    fn view_of(
        &self,
        file: usize,
        scope: &[&'a Function],
        expr: &'a Expr,
        wrappers: &mut Vec<(usize, &'a Expr)>,
        depth: u32,
    ) -> Option<ViewTarget<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        match &expr.kind {
            // `add_api_route("/docs", lambda: RedirectResponse(url="/"))`: the lambda is the
            // handler, its value what the handler returns.
            ExprKind::Lambda(function) => Some(ViewTarget::Function {
                file,
                function,
                scope: scope.to_vec(),
            }),
            ExprKind::Call(call) => {
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && attr == "as_view"
                {
                    let (file, class) = class_in(self.model, file, value)
                        .or_else(|| import_string_view(self.model, file, scope, value))?;
                    return Some(ViewTarget::Class {
                        file,
                        class,
                        direct: false,
                    });
                }
                // `WebSocketRoute("/rpc", RpcFactory())`: an instance whose `__call__` builds
                // the endpoint class the framework then runs.
                if let Some((class_file, class)) = class_in(self.model, file, &call.func)
                    && let Some((method_file, _, method)) =
                        find_method(self.model, class_file, class, "__call__")
                    && let Some((file, class)) = built_class(self.model, method_file, method)
                {
                    return Some(ViewTarget::Class {
                        file,
                        class,
                        direct: true,
                    });
                }
                // `getattr(views, "home")`: the project module's attribute of that name.
                if let Some((module, name)) = builtin_getattr(self.model, file, call)
                    && let Some(name) = name.as_str()
                {
                    return self.module_attribute_view(file, module, name, wrappers, depth);
                }
                // `login_required(view)`, `jwt_required()(view)`
                if call.args.len() == 1 && call.keywords.is_empty() {
                    wrappers.push((file, &call.func));
                    return self
                        .view_of(file, scope, &call.args[0], wrappers, depth + 1)
                        .or_else(|| self.built_endpoint(file, call, wrappers));
                }
                // `_translate_errors(endpoint, name)`: a project function wrapping the view
                // it is given first.
                if let Some(first) = call.args.first()
                    && matches!(
                        self.model.resolve_definition(file, &call.func),
                        Some((_, Some(Stmt::FunctionDef(_)), _))
                    )
                {
                    wrappers.push((file, &call.func));
                    return self
                        .view_of(file, scope, first, wrappers, depth + 1)
                        .or_else(|| self.built_endpoint(file, call, wrappers));
                }
                None
            }
            ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                if let Some((file, function, scope)) = function_in(self.model, file, scope, expr) {
                    return Some(ViewTarget::Function {
                        file,
                        function,
                        scope,
                    });
                }
                // `Route("/info", self.info)`: a method of the class building the routes; a
                // `@property` returning the endpoint function it defines stands for it.
                if let Some((file, function)) = bound_method(self.model, file, scope, expr) {
                    if let Some(inner) = property_endpoint(function) {
                        return Some(ViewTarget::Function {
                            file,
                            function: inner,
                            scope: vec![function],
                        });
                    }
                    return Some(ViewTarget::Function {
                        file,
                        function,
                        scope: Vec::new(),
                    });
                }
                // `add_url_rule(rule, view_func=server.handle_request)`: a method of a
                // module-level instance, or of a parameter the calls give instances for.
                if let Some((file, function)) = instance_method(self.model, file, scope, expr) {
                    return Some(ViewTarget::Function {
                        file,
                        function,
                        scope: Vec::new(),
                    });
                }
                if let Some((file, class)) = class_in(self.model, file, expr) {
                    return Some(ViewTarget::Class {
                        file,
                        class,
                        direct: true,
                    });
                }
                let origin = self.model.resolve_value(file, scope, expr);
                if std::ptr::eq(origin.expr, expr) {
                    return None;
                }
                self.view_of(origin.file, &origin.scope, origin.expr, wrappers, depth + 1)
            }
            // `endpoint=self.check if iscoroutinefunction(self.check) else sync_to_async(
            // self.check)`: either branch is the same view, adapted.
            // Two different views chosen by the test (`public_view if auth == "public" else
            // private_view`) are not followed.
            ExprKind::IfExp { body, orelse, .. } => {
                let before = wrappers.len();
                let first = self.view_of(file, scope, body, wrappers, depth + 1);
                let after_first = wrappers.len();
                let second = self.view_of(file, scope, orelse, wrappers, depth + 1);
                match (first, second) {
                    (Some(view), None) => {
                        wrappers.truncate(after_first);
                        Some(view)
                    }
                    (None, Some(view)) => {
                        wrappers.drain(before..after_first);
                        Some(view)
                    }
                    (
                        Some(ViewTarget::Function { function: a, .. }),
                        Some(ViewTarget::Function {
                            function: b,
                            file,
                            scope,
                        }),
                    ) if std::ptr::eq(a, b) => {
                        wrappers.truncate(after_first);
                        Some(ViewTarget::Function {
                            file,
                            function: b,
                            scope,
                        })
                    }
                    _ => {
                        wrappers.truncate(before);
                        None
                    }
                }
            }
            _ => None,
        }
    }

    /// The view `getattr(module, name)` gives when `module` names a project module: the
    /// function, class or module-level value (`show = ShowView.as_view("show")`) it defines.
    fn module_attribute_view(
        &self,
        file: usize,
        module: &Expr,
        name: &str,
        wrappers: &mut Vec<(usize, &'a Expr)>,
        depth: u32,
    ) -> Option<ViewTarget<'a>> {
        let qualified = self.model.files[file].imports.resolve(module)?;
        self.model.module(&qualified)?;
        let (def_file, stmt) = self.model.definition(&format!("{qualified}.{name}"))?;
        match stmt {
            Stmt::FunctionDef(function) => Some(ViewTarget::Function {
                file: def_file,
                function,
                scope: Vec::new(),
            }),
            Stmt::ClassDef(class) => Some(ViewTarget::Class {
                file: def_file,
                class,
                direct: true,
            }),
            Stmt::Assign {
                value: Some(value), ..
            } => self.view_of(def_file, &[], value, wrappers, depth + 1),
            _ => None,
        }
    }

    /// `add_api_route(path, endpoint=create_endpoint(self.client.create_item, Model))` where
    /// the view the project function is given cannot be followed (a method of an injected
    /// object of unknown class): the function the factory defines and returns
    /// (`async def _endpoint(request, data=Depends(model))`) is what the framework calls.
    /// The factory is then not a wrapper around a known view.
    fn built_endpoint(
        &self,
        file: usize,
        call: &'a Call,
        wrappers: &mut Vec<(usize, &'a Expr)>,
    ) -> Option<ViewTarget<'a>> {
        let (def_file, Some(Stmt::FunctionDef(factory)), _) =
            self.model.resolve_definition(file, &call.func)?
        else {
            return None;
        };
        let factory: &'a Function = factory;
        let mut returned: Vec<&str> = Vec::new();
        for_each_return(&factory.body, &mut |v| returned.extend(v.as_name()));
        // `def make_view_func(obj): ... return wrapper ... return obj`: an adapter of the view
        // it is given (inside a registration template whose view is a parameter), not a
        // builder of its own.
        if returned
            .iter()
            .any(|n| factory.params.iter().any(|p| p.name == *n))
        {
            return None;
        }
        let function = nested_function(factory, returned.first()?)?;
        if wrappers
            .last()
            .is_some_and(|(_, w)| std::ptr::eq(*w, &call.func))
        {
            wrappers.pop();
        }
        Some(ViewTarget::Function {
            file: def_file,
            function,
            scope: vec![factory],
        })
    }

    /// Routes for a view registered by a call (`add_url_rule`, `add_api_route`, `Route(...)`).
    #[allow(clippy::too_many_arguments)]
    fn view_routes(
        &mut self,
        file: usize,
        scope: &[&'a Function],
        owner: Option<ObjectId>,
        path: String,
        view: &'a Expr,
        call: &'a Call,
        methods: Option<Vec<String>>,
        default_method: &str,
        span: Span,
    ) {
        let mut wrappers = Vec::new();
        let target = self.view_of(file, scope, view, &mut wrappers, 0);
        let site = RouteSite {
            file,
            scope,
            owner,
            path,
            call,
            methods,
            default_method,
            span,
        };
        self.target_routes(site, target, wrappers, Some(view));
    }

    /// Routes for the view a registration resolved to; `view` is the expression, for a
    /// handler imported from outside the analysed code when nothing was resolved.
    fn target_routes(
        &mut self,
        site: RouteSite<'a, '_>,
        target: Option<ViewTarget<'a>>,
        wrappers: Vec<(usize, &'a Expr)>,
        view: Option<&'a Expr>,
    ) {
        let RouteSite {
            file,
            scope,
            owner,
            path,
            call,
            methods,
            default_method,
            span,
        } = site;
        let (handler, handler_file, handler_scope) = match target {
            Some(ViewTarget::Function {
                file: handler_file,
                function,
                scope: handler_scope,
            }) => (function, handler_file, handler_scope),
            Some(ViewTarget::Class {
                file: class_file,
                class,
                direct,
            }) => {
                let view = ClassView {
                    file,
                    owner,
                    path,
                    class_file,
                    class,
                    call,
                    methods,
                    wrappers,
                    span,
                    direct,
                };
                self.class_view_routes(view);
                return;
            }
            // `Route("/sso/login", endpoint=sso_login)` with `from sso_addon import
            // sso_login` outside the analysed code: the route exists; its handler, with no
            // code to read, is a stand-in named for the import (as for Flask-Admin's
            // library views).
            None => match view.and_then(|v| self.imported_endpoint(file, scope, v)) {
                Some(handler) => (handler, file, Vec::new()),
                None => return,
            },
        };
        let alternative = view.and_then(|v| self.alternative_view(file, scope, v, handler));
        self.out.routes.push(RouteDecl {
            alternative,
            file,
            handler,
            handler_file,
            handler_scope,
            owner,
            methods: methods.unwrap_or_else(|| vec![default_method.to_string()]),
            path,
            decorator_index: None,
            call: Some(call),
            call_scope: scope.to_vec(),
            view_decorators: wrappers,
            view_class: None,
            view_class_file: 0,
            span,
            endpoint: None,
            when: self.registration_when(),
        });
    }

    /// The view `view` (a name) is bound to in the other branch of an `if` of the registering
    /// function, before the registration, when the two branches bind it to different
    /// functions and `handler` is one of them (see [`AlternativeView`]). Not when production
    /// never takes the other branch (`if settings.TESTING:`).
    fn alternative_view(
        &self,
        file: usize,
        scope: &[&'a Function],
        view: &'a Expr,
        handler: &'a Function,
    ) -> Option<AlternativeView<'a>> {
        let name = view.as_name()?;
        let function = scope.last()?;
        function.body.iter().rev().find_map(|stmt| {
            let Stmt::If {
                test,
                body,
                orelse,
                span,
            } = stmt
            else {
                return None;
            };
            if span.end > view.span.start {
                return None;
            }
            let then = self.branch_view(file, scope, body, name)?;
            let other = self.branch_view(file, scope, orelse, name)?;
            let (alternative, taken) = if std::ptr::eq(other.1, handler) {
                (then, true)
            } else if std::ptr::eq(then.1, handler) {
                (other, false)
            } else {
                return None;
            };
            if std::ptr::eq(alternative.1, handler) {
                return None;
            }
            let value = production_value(self.model, file, test);
            let when = branch_condition(self.model, value, file, test, taken);
            (!matches!(when, When::DevOnly(_))).then_some(AlternativeView {
                file: alternative.0,
                handler: alternative.1,
                scope: alternative.2,
                when,
            })
        })
    }

    /// The function a branch last binds `name` to: `def name`, or `name = f` for a project
    /// function `f`.
    fn branch_view(
        &self,
        file: usize,
        scope: &[&'a Function],
        branch: &'a [Stmt],
        name: &str,
    ) -> Option<(usize, &'a Function, Vec<&'a Function>)> {
        let mut found = None;
        for stmt in branch {
            match stmt {
                Stmt::FunctionDef(f) if f.name == name => {
                    found = Some((file, f.as_ref(), scope.to_vec()));
                }
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } if matches!(targets.as_slice(), [t] if t.as_name() == Some(name)) => {
                    found = function_in(self.model, file, scope, value);
                }
                _ => {}
            }
        }
        found
    }

    /// The stand-in handler of an endpoint named by a module-level import from outside the
    /// analysed code (not rebound in the enclosing functions, its module not a project module).
    fn imported_endpoint(
        &self,
        file: usize,
        scope: &[&'a Function],
        view: &'a Expr,
    ) -> Option<&'a Function> {
        let name = view.as_name()?;
        let module = &self.model.files[file];
        let qualified = module.imports.get(name)?;
        if scope.iter().any(|f| {
            crate::values::local_assignment(f, name).is_some()
                || f.params.iter().any(|p| p.name == name)
        }) {
            return None;
        }
        let outside = match self.model.lookup(qualified) {
            Ok(_) => false,
            Err(Some(_)) => true,
            Err(None) => qualified.rsplit_once('.').is_none_or(|(m, _)| {
                self.model.module(m).is_none() && self.model.module(qualified).is_none()
            }),
        };
        if !outside {
            return None;
        }
        module.imported_stand_in(name)
    }

    fn registered_route(&mut self, receiver: &'a Expr, attr: &str, call: &'a Call, span: Span) {
        let owner = self.resolve(receiver);
        let path_arg = call.argument(
            if attr == "add_url_rule" {
                "rule"
            } else {
                "path"
            },
            0,
        );
        let view = match attr {
            "add_url_rule" => call.argument("view_func", 2),
            _ => call.argument("endpoint", 1),
        };
        if self.unpacked_route_items(owner.as_ref(), path_arg, view, call, attr) {
            return;
        }
        // `for rule in [A, B]: app.add_url_rule(rule, ...)` registers each path.
        let looped = path_arg.and_then(Expr::as_name).and_then(|name| {
            self.loop_item(name)
                .map(|b| (b.file, b.scope.clone(), b.items()))
        });
        let paths: Vec<String> = match looped {
            Some((file, scope, items)) => items
                .iter()
                .map(|item| path_text(self.model, file, &scope, Some(item)))
                .collect(),
            // `app.add_api_route(endpoint=f, **route_kwargs)`: the path the mapping holds.
            None if path_arg.is_none()
                && let Some(paths) = self.spread_path(call, &["rule", "path"]) =>
            {
                paths
            }
            // `for m in methods: api.add_url_rule(f"/{m}", ...)` over a literal: one path per row.
            None => self
                .looped_paths(path_arg)
                .unwrap_or_else(|| self.path_alternatives(path_arg)),
        };
        let Some(view) = view else { return };
        // `self.add_api_route(path, endpoint)` reaching the class's own method that forwards
        // to `self.app.add_api_route(...)`: followed as a call of that method
        // ([`Self::passed_objects`]), not a registration on the instance.
        if receiver.as_name() == Some("self")
            && self
                .classes
                .last()
                .is_some_and(|class| forwarding_method(class, attr).is_some())
        {
            return;
        }
        // `self.add_url_rule(rule, endpoint, handler)` in an overridden `route()` of a project
        // `Blueprint` subclass, with the rule its caller gives: the class's registration
        // template, not a route. The routes are its callers' `@bp.route("/things")`.
        if receiver.as_name() == Some("self")
            && paths.iter().all(|p| p.contains("<dynamic>"))
            && self.in_blueprint_subclass()
        {
            return;
        }
        // Starlette's `add_route(path, endpoint, methods=None, ...)` (also on FastAPI's
        // routers) takes the methods third; the others take them by keyword only.
        let methods = if attr == "add_route" && owner.is_some() {
            registered_methods(
                self.model,
                self.file,
                &self.scope,
                call.argument("methods", 2),
            )
        } else {
            keyword_methods(self.model, self.file, &self.scope, call)
        };
        let default_method = if matches!(attr, "add_api_websocket_route" | "add_websocket_route") {
            "WS"
        } else {
            "GET"
        };
        let scope = self.scope.clone();
        for path in paths {
            self.view_routes(
                self.file,
                &scope,
                owner.clone(),
                path,
                view,
                call,
                methods.clone(),
                default_method,
                span,
            );
        }
    }

    /// One route per HTTP method a class-based view defines (`MethodView`, `HTTPEndpoint`,
    /// Flask-RESTful's `Resource`), also in its project bases, or one for `dispatch_request` of
    /// a plain `View`; for a handler class registered by itself, one for the method that runs
    /// it (`process`). `methods=` of the registration narrows them. `decorators = [...]` and
    /// Flask-RESTful's `method_decorators = [...]` wrap every method.
    fn class_view_routes(&mut self, view: ClassView<'a>) {
        let hierarchy = class_hierarchy(self.model, view.class_file, view.class);
        let mut view_decorators: Vec<(usize, &'a Expr)> = Vec::new();
        // `method_decorators = {"get": [cache], "post": [login_required]}` wraps each method
        // with its own list.
        let mut per_method: Vec<(String, usize, &'a Expr)> = Vec::new();
        for attr in ["decorators", "method_decorators"] {
            let Some((f, value)) = class_attribute(self.model, view.class_file, view.class, attr)
            else {
                continue;
            };
            if let Some(items) = value.elements() {
                view_decorators.extend(items.iter().map(|d| (f, d)));
            } else if let ExprKind::Dict(entries) = &value.kind {
                for entry in entries {
                    let (Some(key), Some(items)) = (
                        entry.key.as_ref().and_then(Expr::as_str),
                        entry.value.elements(),
                    ) else {
                        continue;
                    };
                    per_method.extend(items.iter().map(|d| (key.to_ascii_uppercase(), f, d)));
                }
            }
        }
        view_decorators.extend(view.wrappers.iter().copied());
        let mut handlers: Vec<(Vec<String>, usize, &'a Function)> = Vec::new();
        for verb in HTTP_VERBS {
            let upper = verb.to_ascii_uppercase();
            // Unknown methods narrow nothing: each method the class defines may be registered.
            if view
                .methods
                .as_ref()
                .is_some_and(|m| !m.contains(&upper) && !m.iter().any(|m| m == DYNAMIC_METHODS))
            {
                continue;
            }
            let method = hierarchy.iter().find_map(|&(f, c)| {
                c.body.iter().find_map(|s| match s {
                    Stmt::FunctionDef(m) if m.name == *verb => Some((f, m.as_ref())),
                    _ => None,
                })
            });
            if let Some((f, method)) = method {
                handlers.push((vec![upper], f, method));
            }
        }
        // `WebSocketRoute("/chat", ChatSocket)` with a `WebSocketEndpoint` subclass: one
        // WebSocket route, handled from `on_connect` (where a guard closes the socket), else
        // the first of the other callbacks the class defines.
        if handlers.is_empty()
            && class_lineage(self.model, view.class_file, view.class)
                .iter()
                .any(|q| q == "starlette.endpoints.WebSocketEndpoint")
        {
            let entry = ["on_connect", "on_receive", "on_disconnect"]
                .iter()
                .find_map(|name| find_method(self.model, view.class_file, view.class, name));
            if let Some((f, _, method)) = entry {
                handlers.push((vec!["WS".to_string()], f, method));
            }
        }
        if handlers.is_empty() {
            let entries: &[&str] = if view.direct {
                ENTRY_METHODS
            } else {
                &ENTRY_METHODS[..1]
            };
            let entry = entries.iter().find_map(|name| {
                find_method(self.model, view.class_file, view.class, name).map(|(f, _, m)| (f, m))
            });
            if let Some((f, method)) = entry {
                let class_methods =
                    class_attribute(self.model, view.class_file, view.class, "methods")
                        .and_then(|(_, v)| methods_argument(Some(v)));
                let methods = view
                    .methods
                    .clone()
                    .or(class_methods)
                    .unwrap_or_else(|| vec!["GET".to_string()]);
                handlers.push((methods, f, method));
            }
        }
        for (methods, handler_file, handler) in handlers {
            let mut view_decorators = view_decorators.clone();
            view_decorators.extend(
                per_method
                    .iter()
                    .filter(|(m, _, _)| methods.contains(m))
                    .map(|&(_, f, d)| (f, d)),
            );
            self.out.routes.push(RouteDecl {
                alternative: None,
                file: view.file,
                handler,
                handler_file,
                handler_scope: Vec::new(),
                owner: view.owner.clone(),
                methods,
                path: view.path.clone(),
                decorator_index: None,
                call: Some(view.call),
                call_scope: Vec::new(),
                view_decorators,
                view_class: Some(view.class),
                view_class_file: view.class_file,
                span: view.span,
                endpoint: None,
                when: self.registration_when(),
            });
        }
    }

    /// The items of a Starlette `routes=[...]` list (also through variables, `+` and `*rest`).
    fn route_list(
        &mut self,
        owner: &ObjectId,
        prefix: &str,
        file: usize,
        scope: &[&'a Function],
        list: &'a Expr,
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let list_name = list.as_name();
        if let Some(name) = list_name {
            self.added_routes(owner, prefix, file, scope, name, depth);
        }
        let origin = self.model.resolve_value(file, scope, list);
        let (file, scope, list) = (origin.file, origin.scope, origin.expr);
        // `admin_routes = []`, then `if ADMIN_TOOLS: admin_routes = [Route(...), ...]`: the
        // value found is one binding; the lists bound under an `if` in the same body hold
        // routes too, registered when their test holds.
        if let Some(name) = list_name {
            let body = match scope.last() {
                Some(function) => &function.body,
                None => self.model.files[file].body(),
            };
            let mut rebound = Vec::new();
            conditional_list_bindings(body, name, false, &mut rebound);
            for value in rebound {
                if !std::ptr::eq(value, list) {
                    self.route_list(owner, prefix, file, &scope, value, depth + 1);
                }
            }
        }
        match &list.kind {
            ExprKind::BinOp {
                left,
                op: BinOp::Add,
                right,
            } => {
                self.route_list(owner, prefix, file, &scope, left, depth + 1);
                self.route_list(owner, prefix, file, &scope, right, depth + 1);
            }
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                for item in items {
                    self.route_item(owner, prefix, file, &scope, item, depth + 1);
                }
            }
            // `[Route(path, endpoint) for path, endpoint in routes]` over rows of a literal
            // list, also imported and concatenated.
            ExprKind::Comprehension {
                element,
                value: None,
                generators,
            } => {
                if let [generator] = generators.as_slice()
                    && let Some(call) = element.as_call()
                {
                    self.comprehended_routes(owner, prefix, file, &scope, call, generator, depth);
                }
            }
            // `routes=build_routes()`, `routes=self.build_routes()`: what the function returns.
            ExprKind::Call(call) => {
                for (def_file, function, mut inner) in
                    called_functions(self.model, file, &scope, &call.func)
                {
                    inner.push(function);
                    let mut returned = Vec::new();
                    for_each_return(&function.body, &mut |value| returned.push(value));
                    // `if prefix: return [Mount(prefix, routes=routes)]` then `return routes`:
                    // the same routes under two prefixes are one route each, listed under the
                    // last return's, usually the plain one.
                    let before = self.out.routes.len();
                    for value in returned.into_iter().rev() {
                        // `*apply_middleware(meta_routes, [])` where the helper returns the
                        // routes it is given (or a list of each of them): the caller's list.
                        if let Some(arg) = returned_parameter(function, value)
                            .and_then(|param| parameter_argument(function, call, param))
                        {
                            self.route_list(owner, prefix, file, &scope, arg, depth + 1);
                            continue;
                        }
                        self.route_list(owner, prefix, def_file, &inner, value, depth + 1);
                    }
                    let mut seen = HashSet::default();
                    let mut index = 0;
                    self.out.routes.retain(|r| {
                        index += 1;
                        index <= before || seen.insert((r.span.start, r.methods.clone()))
                    });
                }
            }
            _ => {}
        }
    }

    /// The routes added to a list variable after it is bound, in the function (or module) that
    /// binds it: `routes += [...]`, `routes.append(Route(...))`, `routes.extend(more)`.
    fn added_routes(
        &mut self,
        owner: &ObjectId,
        prefix: &str,
        file: usize,
        scope: &[&'a Function],
        name: &str,
        depth: u32,
    ) {
        let module = &self.model.files[file];
        let body: &'a [Stmt] = match scope.last() {
            Some(function) if crate::values::local_assignment(function, name).is_some() => {
                &function.body
            }
            Some(_) => return,
            None => match module.top_level(name) {
                Some(Stmt::Import { .. } | Stmt::ImportFrom { .. }) | None => {
                    // `from svc.routes import api_routes`, grown with `extend` in the module
                    // that binds it.
                    if let Some((def_file, Stmt::Assign { targets, .. })) = module
                        .imports
                        .get(name)
                        .and_then(|q| self.model.definition(q))
                        && def_file != file
                        && let [target] = targets.as_slice()
                        && let Some(defined) = target.as_name()
                        && depth <= MAX_DEPTH
                    {
                        self.added_routes(owner, prefix, def_file, &[], defined, depth + 1);
                    }
                    return;
                }
                Some(_) => module.body(),
            },
        };
        let (items, lists) = list_growth(body, &[name]);
        for more in lists {
            self.route_list(owner, prefix, file, scope, more, depth + 1);
        }
        for item in items {
            self.route_item(owner, prefix, file, scope, item, depth + 1);
        }
    }

    /// The routes of `[Route(path, endpoint, methods=m) for path, endpoint, m in rows]`: one per
    /// row, each argument the loop unpacks taken from the row, found and reported in the file
    /// the row is written in.
    #[allow(clippy::too_many_arguments)]
    fn comprehended_routes(
        &mut self,
        owner: &ObjectId,
        prefix: &str,
        file: usize,
        scope: &[&'a Function],
        call: &'a Call,
        generator: &'a Generator,
        depth: u32,
    ) {
        let Some(q) = route_class(self.model, file, &call.func) else {
            return;
        };
        let default_method = match q.as_str() {
            "starlette.routing.Route" | "fastapi.routing.APIRoute" => "GET",
            "starlette.routing.WebSocketRoute" | "fastapi.routing.APIWebSocketRoute" => "WS",
            _ => return,
        };
        let names: Vec<Option<&str>> = match &generator.target.kind {
            ExprKind::Tuple(parts) | ExprKind::List(parts) => {
                parts.iter().map(Expr::as_name).collect()
            }
            _ => return,
        };
        let mut rows = Vec::new();
        literal_rows(self.model, file, scope, &generator.iter, &mut rows, depth);
        for (row_file, row_scope, row) in rows {
            // An argument the loop unpacks comes from the row; any other must not depend on
            // the comprehension's own file, since it is read in the row's.
            let pick = |arg: Option<&'a Expr>| -> Option<Option<&'a Expr>> {
                let Some(arg) = arg else { return Some(None) };
                match arg
                    .as_name()
                    .and_then(|n| names.iter().position(|m| *m == Some(n)))
                {
                    Some(i) => row.get(i).copied().map(Some),
                    None if row_file == file => Some(Some(arg)),
                    None => None,
                }
            };
            let (Some(path), Some(Some(endpoint)), Some(methods)) = (
                pick(call.argument("path", 0)),
                pick(call.argument("endpoint", 1)),
                pick(call.keyword("methods")),
            ) else {
                continue;
            };
            let path = join_paths(prefix, &path_text(self.model, row_file, &row_scope, path));
            let span = endpoint.span;
            self.view_routes(
                row_file,
                &row_scope,
                Some(owner.clone()),
                path,
                endpoint,
                call,
                registered_methods(self.model, row_file, &row_scope, methods),
                default_method,
                span,
            );
        }
    }

    /// `Route(path, endpoint, methods=[...])`, `WebSocketRoute(...)`, `Mount(path, routes=...)`
    /// and `Mount(path, app=...)`.
    fn route_item(
        &mut self,
        owner: &ObjectId,
        prefix: &str,
        file: usize,
        scope: &[&'a Function],
        item: &'a Expr,
        depth: u32,
    ) {
        if let ExprKind::Starred(inner) = &item.kind {
            self.route_list(owner, prefix, file, scope, inner, depth + 1);
            return;
        }
        // `protected_mount = Mount("", routes=...)`, then `routes=[..., protected_mount]`.
        if matches!(item.kind, ExprKind::Name(_)) {
            let origin = self.model.resolve_value(file, scope, item);
            if origin.expr.as_call().is_some() && depth <= MAX_DEPTH {
                self.route_item(
                    owner,
                    prefix,
                    origin.file,
                    &origin.scope,
                    origin.expr,
                    depth + 1,
                );
            }
            return;
        }
        let Some(call) = item.as_call() else { return };
        let Some(q) = route_class(self.model, file, &call.func) else {
            return;
        };
        match q.as_str() {
            "starlette.routing.Route"
            | "starlette.routing.WebSocketRoute"
            | "fastapi.routing.APIRoute"
            | "fastapi.routing.APIWebSocketRoute" => {
                let path = join_paths(
                    prefix,
                    &path_text(self.model, file, scope, call.argument("path", 0)),
                );
                let Some(endpoint) = call.argument("endpoint", 1) else {
                    return;
                };
                let default_method = if q.ends_with("WebSocketRoute") {
                    "WS"
                } else {
                    "GET"
                };
                let methods = registered_methods(self.model, file, scope, call.keyword("methods"));
                self.view_routes(
                    file,
                    scope,
                    Some(owner.clone()),
                    path,
                    endpoint,
                    call,
                    methods,
                    default_method,
                    item.span,
                );
            }
            "starlette.routing.Mount" => {
                let path = join_paths(
                    prefix,
                    &path_text(self.model, file, scope, call.argument("path", 0)),
                );
                let mut middleware = Vec::new();
                starlette_middleware(
                    self.model,
                    file,
                    scope,
                    call.keyword("middleware"),
                    &mut middleware,
                    0,
                );
                // Both branches of a conditional may list the same entries.
                middleware.sort_by_key(|(f, _, span)| (*f, span.start));
                middleware.dedup_by_key(|(f, _, span)| (*f, span.start));
                if let Some(routes) = call.keyword("routes")
                    && !middleware.is_empty()
                {
                    // `Mount("", routes=protected, middleware=[Middleware(AuthMiddleware,
                    // ...)])`: the middleware wraps only these routes, so they get a router of
                    // their own, mounted where the `Mount` is.
                    let mount = ObjectId {
                        file,
                        scope: scope.last().map(|f| f.span.start),
                        name: format!(
                            "<Mount at line {}>",
                            self.model.files[file].position(item.span.start).row
                        ),
                    };
                    self.out.objects.push(FrameworkObject {
                        id: mount.clone(),
                        kind: ObjectKind::StarletteRouter,
                        call: Some(call),
                        span: item.span,
                        prefix: String::new(),
                        dependencies: Vec::new(),
                        scope: scope.to_vec(),
                        branch: None,
                    });
                    for (mw_file, mw_call, mw_span) in middleware {
                        let Some(class) = mw_call.args.first() else {
                            continue;
                        };
                        self.out.middleware.push(MiddlewareReg {
                            owner: Some(mount.clone()),
                            class,
                            call: mw_call,
                            file: mw_file,
                            span: mw_span,
                            when: When::Always,
                        });
                    }
                    self.route_list(&mount, "", file, scope, routes, depth + 1);
                    self.out
                        .includes
                        .push(Include::mount(owner, mount, path, file, scope, item.span));
                } else if let Some(routes) = call.keyword("routes") {
                    self.route_list(owner, &path, file, scope, routes, depth + 1);
                } else if let Some(app) = call.argument("app", 1) {
                    let wrapper = middleware_wrapper(self.model, file, scope, app);
                    let target = wrapper.as_ref().map_or(app, |w| w.wrapped);
                    let Some(child) = resolve_object(self.model, file, scope, target, 0)
                        .or_else(|| inline_app(self.model, file, scope, target).map(|(id, ..)| id))
                    else {
                        return;
                    };
                    if let Some(w) = wrapper {
                        self.out
                            .middleware
                            .push(w.registration(&child, item.span, When::Always));
                    }
                    self.out
                        .includes
                        .push(Include::mount(owner, child, path, file, scope, item.span));
                }
            }
            _ => {}
        }
    }

    fn function(&mut self, f: &'a Function) {
        // The wrapper a registering decorator returns is registered where the decorator is
        // used, once per decorated function, not here.
        // So is the wrapper of the decorator a factory returns (`def api(path): def
        // outer(func): @app.route(path) def wrapper(...)`), used as `@api("/x")`.
        let body = self.model.files[self.file].body();
        let returned_by_factory = |d: &Function| {
            self.scope.len() >= 2
                && self.scope[self.scope.len() - 2].body.iter().any(|stmt| {
                    matches!(stmt, Stmt::Return { value: Some(v), .. } if v.as_name() == Some(d.name.as_str()))
                })
                && used_as_decorator_call(body, &self.scope[self.scope.len() - 2].name)
        };
        if !f.decorators.is_empty()
            && self.scope.last().is_some_and(|d| {
                route_template(d).is_some_and(|t| std::ptr::eq(t.wrapper, f))
                    && (used_as_decorator(body, &d.name)
                        || used_through_partial(self.model, self.file, &d.name)
                        || returned_by_factory(d))
            })
        {
            return;
        }
        for (index, decorator) in f.decorators.iter().enumerate() {
            match &decorator.kind {
                ExprKind::Name(name) => self.registering_decorator_route(f, decorator, name),
                ExprKind::Call(call) => {
                    // `@route("/", app=app)` with `class route`: the instance built for the
                    // function is handed the objects the call passes.
                    if call.method().is_none()
                        && self.passes_framework_object(call)
                        && let Some((class_file, Some(Stmt::ClassDef(class)), _)) =
                            self.model.resolve_definition(self.file, &call.func)
                        && let Some((def_file, _, init)) =
                            find_method(self.model, class_file, class, "__init__")
                    {
                        self.bind_parameters(call, def_file, init, true, decorator.span);
                    }
                    let Some((receiver, attr)) = call.method() else {
                        self.factory_decorator_routes(f, index, decorator, call);
                        continue;
                    };
                    if let Some(implied) = route_method(attr) {
                        let Some(owner) = self.resolve(receiver) else {
                            continue;
                        };
                        if !self.could_route(&owner) {
                            continue;
                        }
                        // `@sock.route("/echo")` of flask-sock: a WebSocket route of the
                        // application or blueprint the extension is bound to.
                        let sock = self.flask_sock_target(&owner);
                        let owner = match &sock {
                            Some(Some(target)) => target.clone(),
                            _ => owner,
                        };
                        let methods = match implied {
                            _ if sock.is_some() => vec!["WS".to_string()],
                            Some(m) => vec![m.to_string()],
                            None => keyword_methods(self.model, self.file, &self.scope, call)
                                .unwrap_or_else(|| vec!["GET".to_string()]),
                        };
                        let path_arg = call.argument("path", 0).or(call.keyword("rule"));
                        // `for name, kind in (("Hybrid", "hybrid"), ...): @app.post(f"/chunk/
                        // {kind}")`: one route per row of the literal the loop walks.
                        let paths = match path_arg {
                            Some(_) => None,
                            None => self.spread_path(call, &["path", "rule"]),
                        }
                        .unwrap_or_else(|| {
                            self.looped_paths(path_arg)
                                .unwrap_or_else(|| self.path_alternatives(path_arg))
                        });
                        for path in paths {
                            self.out.routes.push(RouteDecl {
                                alternative: None,
                                file: self.file,
                                handler: f,
                                handler_file: self.file,
                                handler_scope: self.scope.clone(),
                                owner: Some(owner.clone()),
                                methods: methods.clone(),
                                path,
                                decorator_index: Some(index),
                                call: Some(call),
                                call_scope: self.scope.clone(),
                                view_decorators: Vec::new(),
                                view_class: None,
                                view_class_file: 0,
                                span: self.decorator_span(decorator),
                                endpoint: None,
                                when: self.registration_when(),
                            });
                        }
                    } else if attr == "middleware"
                        && let Some(owner) = self.resolve(receiver)
                    {
                        let when = self.hook_when();
                        self.out.hooks.push(Hook {
                            owner,
                            kind: HookKind::HttpMiddleware,
                            function: f,
                            function_file: self.file,
                            span: decorator.span,
                            when,
                        });
                    } else {
                        // `@views.api_routing("/ping")`: a factory reached through its module.
                        self.factory_decorator_routes(f, index, decorator, call);
                    }
                }
                ExprKind::Attribute {
                    value: receiver,
                    attr,
                } => {
                    if let Some(kind) = HookKind::of_registration(attr)
                        && let Some(owner) = self.resolve(receiver)
                    {
                        let when = self.hook_when();
                        self.out.hooks.push(Hook {
                            owner,
                            kind,
                            function: f,
                            function_file: self.file,
                            span: decorator.span,
                            when,
                        });
                    }
                }
                _ => {}
            }
        }
    }

    /// flask-sock's `sock = Sock(app)`, or `sock = Sock()` then `sock.init_app(bp)` where the
    /// extension is bound: `Some` for such an extension, with the application or blueprint
    /// its `@sock.route(path)` routes belong to when the model can follow it.
    fn flask_sock_target(&self, id: &ObjectId) -> Option<Option<ObjectId>> {
        let module = &self.model.files[id.file];
        if !module.imports_module("flask_sock") {
            return None;
        }
        let call = definition_value(self.model, id)?.as_call()?;
        if module.imports.resolve(&call.func).as_deref() != Some("flask_sock.Sock") {
            return None;
        }
        let function = id
            .scope
            .and_then(|start| find_function(module.body(), start));
        let scope: Vec<&Function> = function.into_iter().collect();
        if let Some(app) = call.argument("app", 0) {
            return Some(resolve_object(self.model, id.file, &scope, app, 0));
        }
        let body = function.map_or(module.body(), |f| f.body.as_slice());
        let mut target = None;
        visit_stmts(body, &mut |stmt| {
            if let Stmt::Expr { value, .. } = stmt
                && let Some(init) = value.as_call()
                && let Some((receiver, "init_app")) = init.method()
                && receiver.as_name() == Some(id.name.as_str())
                && let Some(app) = init.argument("app", 0)
                && target.is_none()
            {
                target = resolve_object(self.model, id.file, &scope, app, 0);
            }
        });
        Some(target)
    }

    /// `@api_endpoint` on `def put_source(...)`, where `api_endpoint(func)`, defined in this
    /// file, applies `@bp.route(f"/{name}", methods=[method])` to a wrapper it returns, with
    /// `method, _, name = func.__name__.partition("_")`: a route for the decorated function,
    /// its path and methods read with the decorated function's name.
    fn registering_decorator_route(&mut self, f: &'a Function, decorator: &'a Expr, name: &str) {
        let Some(Stmt::FunctionDef(template)) = self.model.files[self.file].top_level(name) else {
            return;
        };
        let template: &'a Function = template;
        let Some(t) = route_template(template) else {
            return;
        };
        let scope = vec![template];
        let Some(owner) = resolve_object(self.model, self.file, &scope, t.receiver, 0) else {
            return;
        };
        let parts = name_parts(template, &f.name);
        let text_of = |e: &Expr| -> Option<String> {
            match &e.kind {
                ExprKind::Str(s) => Some(s.clone()),
                ExprKind::Name(n) => parts.iter().find(|(p, _)| p == n).map(|(_, v)| v.clone()),
                _ => None,
            }
        };
        let methods = match route_method(t.attr) {
            Some(Some(m)) => vec![m.to_string()],
            _ => {
                let listed: Vec<String> = t
                    .call
                    .keyword("methods")
                    .and_then(Expr::elements)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(&text_of)
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                if listed.is_empty() {
                    vec!["GET".to_string()]
                } else {
                    listed
                }
            }
        };
        let path_arg = t.call.argument("path", 0).or(t.call.keyword("rule"));
        let path = match path_arg.map(|p| &p.kind) {
            Some(ExprKind::FString(pieces)) => fstring_path(pieces, &text_of),
            Some(_) => path_arg
                .and_then(&text_of)
                .unwrap_or_else(|| path_text(self.model, self.file, &scope, path_arg)),
            None => String::new(),
        };
        self.out.routes.push(RouteDecl {
            alternative: None,
            file: self.file,
            handler: f,
            handler_file: self.file,
            handler_scope: self.scope.clone(),
            owner: Some(owner),
            methods,
            path,
            // Not the route decorator itself: what its wrapper checks protects the route.
            decorator_index: None,
            call: Some(t.call),
            call_scope: scope,
            view_decorators: Vec::new(),
            view_class: None,
            view_class_file: 0,
            span: self.decorator_span(decorator),
            endpoint: None,
            when: self.registration_when(),
        });
    }

    /// `@api_routing("/ping")` on `def ping()`: a project decorator factory whose decorator
    /// registers the function it is given (`def decorator(func): api.add_url_rule(endpoint,
    /// view_func=func); return func`, also `bp.route(path)(func)`), or that returns
    /// `partial(add_presenter, view=view)` where `add_presenter(wrapped, view)` registers a
    /// wrapper of the function under `@bp.route(f"/+{view}/...")`. One route per registration,
    /// its path read with the factory's arguments at this use.
    fn factory_decorator_routes(
        &mut self,
        f: &'a Function,
        index: usize,
        decorator: &'a Expr,
        call: &'a Call,
    ) {
        let Some((def_file, Some(Stmt::FunctionDef(factory)), _)) =
            self.model.resolve_definition(self.file, &call.func)
        else {
            return;
        };
        let factory: &'a Function = factory;
        let Some(returned) = factory.body.iter().rev().find_map(|stmt| match stmt {
            Stmt::Return { value: Some(v), .. } => Some(v),
            _ => None,
        }) else {
            return;
        };
        // The factory's parameters, as the texts of this use's arguments.
        let text = |e: &Expr| path_text(self.model, self.file, &self.scope, Some(e));
        let positional = factory
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional));
        let mut bound: Vec<(&'a str, String)> = positional
            .zip(positional_args(&call.args))
            .map(|(p, a)| (p.name.as_str(), text(a)))
            .collect();
        for k in &call.keywords {
            if let Some(name) = &k.arg
                && let Some(p) = factory.params.iter().find(|p| p.name == *name)
            {
                bound.push((p.name.as_str(), text(&k.value)));
            }
        }
        let mut def_scope = enclosing_functions(self.model.files[def_file].body(), factory);
        def_scope.push(factory);
        // The decorator the factory returns, the file and enclosing functions of its body,
        // and the texts of its names.
        let (inner, inner_file, mut scope, bound) = match &returned.kind {
            ExprKind::Name(name) => {
                let Some(inner) = nested_function(factory, name) else {
                    return;
                };
                (inner, def_file, def_scope, bound)
            }
            ExprKind::Call(partial)
                if self.model.files[def_file]
                    .imports
                    .resolve(&partial.func)
                    .as_deref()
                    == Some("functools.partial") =>
            {
                let Some(target) = partial.args.first() else {
                    return;
                };
                let Some((g_file, g, g_scope)) =
                    function_in(self.model, def_file, &def_scope, target)
                else {
                    return;
                };
                let mut g_bound = Vec::new();
                for k in &partial.keywords {
                    let Some(name) = &k.arg else { continue };
                    let Some(p) = g.params.iter().find(|p| p.name == *name) else {
                        continue;
                    };
                    let given = k
                        .value
                        .as_name()
                        .and_then(|n| bound.iter().find(|(b, _)| *b == n));
                    let value = match given {
                        Some((_, t)) => t.clone(),
                        None => path_text(self.model, def_file, &def_scope, Some(&k.value)),
                    };
                    g_bound.push((p.name.as_str(), value));
                }
                let g_scope = if g_scope.is_empty() {
                    enclosing_functions(self.model.files[g_file].body(), g)
                } else {
                    g_scope
                };
                (g, g_file, g_scope, g_bound)
            }
            _ => return,
        };
        let Some(wrapped) = inner.params.first().map(|p| p.name.as_str()) else {
            return;
        };
        scope.push(inner);
        let path_of = |e: Option<&Expr>| {
            e.map(|e| bound_path_text(self.model, inner_file, &scope, e, &bound, 0))
        };
        // `def api(path, **flask_kwargs)` whose route takes `**flask_kwargs`: the `methods=`
        // of this use.
        let forwarded = factory
            .params
            .iter()
            .find(|p| p.kind == ParamKind::VarKeywords)
            .map(|p| p.name.as_str());
        let methods_of = |attr: &str, c: &Call| match route_method(attr) {
            Some(Some(m)) => vec![m.to_string()],
            _ => {
                let spread = c.keywords.iter().any(|k| {
                    k.arg.is_none() && k.value.as_name().is_some_and(|n| Some(n) == forwarded)
                });
                let listed = match c.keyword("methods") {
                    Some(m) => methods_value(self.model, inner_file, &scope, Some(m), 0),
                    None if spread => methods_value(
                        self.model,
                        self.file,
                        &self.scope,
                        call.keyword("methods"),
                        0,
                    ),
                    None => None,
                };
                listed.unwrap_or_else(|| vec!["GET".to_string()])
            }
        };
        let mut found: Vec<(&'a Call, Option<ObjectId>, Vec<String>, String)> = Vec::new();
        let wrapper_registered = route_template(inner).map(|t| t.wrapper);
        if let Some(wrapper) = wrapper_registered {
            // The wrapper the decorator returns is the view, under each route decorator.
            for d in &wrapper.decorators {
                let Some(dcall) = d.as_call() else { continue };
                let Some((receiver, attr)) = dcall.method() else {
                    continue;
                };
                if route_method(attr).is_none() {
                    continue;
                }
                let owner = resolve_object(self.model, inner_file, &scope, receiver, 0);
                let path = path_of(dcall.argument("path", 0).or(dcall.keyword("rule")));
                found.push((
                    dcall,
                    owner,
                    methods_of(attr, dcall),
                    path.unwrap_or_default(),
                ));
            }
        } else {
            crate::security::walk_stmts(&inner.body, &mut |stmt| {
                let Stmt::Expr { value, .. } = stmt else {
                    return;
                };
                let Some(c) = value.as_call() else { return };
                // `api.add_url_rule(endpoint, view_func=func)`
                if let Some((receiver, attr)) = c.method()
                    && matches!(attr, "add_url_rule" | "add_api_route" | "add_route")
                {
                    let (path_key, view_key, view_at) = if attr == "add_url_rule" {
                        ("rule", "view_func", 2)
                    } else {
                        ("path", "endpoint", 1)
                    };
                    if c.argument(view_key, view_at).and_then(Expr::as_name) == Some(wrapped) {
                        let owner = resolve_object(self.model, inner_file, &scope, receiver, 0);
                        let path = path_of(c.argument(path_key, 0));
                        found.push((c, owner, methods_of("route", c), path.unwrap_or_default()));
                    }
                    return;
                }
                // `bp.route(path, methods=[...])(func)`
                if let [arg] = c.args.as_slice()
                    && arg.as_name() == Some(wrapped)
                    && let Some(dcall) = c.func.as_call()
                    && let Some((receiver, attr)) = dcall.method()
                    && route_method(attr).is_some()
                {
                    let owner = resolve_object(self.model, inner_file, &scope, receiver, 0);
                    let path = path_of(dcall.argument("path", 0).or(dcall.keyword("rule")));
                    found.push((
                        dcall,
                        owner,
                        methods_of(attr, dcall),
                        path.unwrap_or_default(),
                    ));
                }
            });
        }
        for (reg, owner, methods, path) in found {
            let Some(owner) = owner else { continue };
            self.out.routes.push(RouteDecl {
                alternative: None,
                file: self.file,
                handler: f,
                handler_file: self.file,
                handler_scope: self.scope.clone(),
                owner: Some(owner),
                methods,
                path,
                // The function itself is the view, under the decorators below the factory's;
                // a registered wrapper's checks are those of the factory's decorator.
                decorator_index: wrapper_registered.is_none().then_some(index),
                call: Some(reg),
                call_scope: scope.clone(),
                view_decorators: Vec::new(),
                view_class: None,
                view_class_file: 0,
                span: self.decorator_span(decorator),
                endpoint: None,
                when: self.registration_when(),
            });
        }
    }

    /// Flask-AppBuilder views and APIs: `@expose(url, methods=[...])` methods under the class's
    /// `route_base` (a view: `/<class name>`; an API: `/api/v1/<resource_name>`). The class is
    /// the routes' owner, mounted where `appbuilder.add_view`/`add_api` registers it. Methods
    /// left out by literal `include_route_methods`/`exclude_route_methods` are not routes.
    fn appbuilder_view(&mut self, class: &'a Class) {
        // `@expose` methods of the class and of its project bases (the nearest definition of
        // each name wins, as in Python's attribute lookup), with the file each is written in.
        let model = self.model;
        let is_expose = |file: usize, call: &Call| {
            model.files[file]
                .imports
                .resolve(&call.func)
                .is_some_and(|q| q.starts_with("flask_appbuilder") && q.ends_with(".expose"))
        };
        let hierarchy = class_hierarchy(model, self.file, class);
        let mut seen: Vec<&str> = Vec::new();
        let mut exposed: Vec<(usize, &'a Function, usize, &'a Expr, &'a Call)> = Vec::new();
        for &(f, c) in &hierarchy {
            for stmt in &c.body {
                let Stmt::FunctionDef(method) = stmt else {
                    continue;
                };
                if seen.contains(&method.name.as_str()) {
                    continue;
                }
                seen.push(&method.name);
                for (i, d) in method.decorators.iter().enumerate() {
                    if let Some(call) = d.as_call().filter(|call| is_expose(f, call)) {
                        exposed.push((f, method, i, d, call));
                    }
                }
            }
        }
        if exposed.is_empty() {
            return;
        }
        let lineage = class_lineage(self.model, self.file, class);
        let is_api = lineage.iter().any(|q| {
            q.starts_with("flask_appbuilder")
                && matches!(q.rsplit('.').next(), Some("BaseApi" | "ModelRestApi"))
        });
        let class_attr = |name: &str| class_attribute(self.model, self.file, class, name);
        let lower_name = class.name.to_ascii_lowercase();
        let route_base = match class_attr("route_base").and_then(|(_, e)| e.as_str()) {
            Some(b) => b.to_string(),
            None if is_api => format!(
                "/api/{}/{}",
                class_attr("version")
                    .and_then(|(_, e)| e.as_str())
                    .unwrap_or("v1"),
                class_attr("resource_name")
                    .and_then(|(_, e)| e.as_str())
                    .unwrap_or(&lower_name)
            ),
            None => format!("/{lower_name}"),
        };
        let names_of = |name: &str| -> Option<Vec<String>> {
            let (_, e) = class_attr(name)?;
            let items = e.elements()?;
            items
                .iter()
                .map(|i| match &i.kind {
                    ExprKind::Str(s) => Some(s.clone()),
                    // `RouteMethod.LIST` is the string "list".
                    ExprKind::Attribute { attr, .. } => Some(attr.as_str().to_ascii_lowercase()),
                    _ => None,
                })
                .collect()
        };
        let included = names_of("include_route_methods");
        let excluded = names_of("exclude_route_methods").unwrap_or_default();
        let owner = ObjectId {
            file: self.file,
            scope: self.scope.last().map(|f| f.span.start),
            name: class.name.to_string(),
        };
        let mut any = false;
        for (method_file, method, index, decorator, call) in exposed {
            if excluded.iter().any(|e| *e == method.name)
                || included
                    .as_ref()
                    .is_some_and(|i| !i.iter().any(|e| *e == method.name))
            {
                continue;
            }
            any = true;
            let own = method_file == self.file
                && class
                    .body
                    .iter()
                    .any(|s| matches!(s, Stmt::FunctionDef(m) if std::ptr::eq(m.as_ref(), method)));
            let path = path_text(self.model, method_file, &[], call.argument("url", 0));
            self.out.routes.push(RouteDecl {
                alternative: None,
                file: self.file,
                handler: method,
                handler_file: method_file,
                handler_scope: Vec::new(),
                owner: Some(owner.clone()),
                methods: methods_argument(call.keyword("methods"))
                    .unwrap_or_else(|| vec!["GET".to_string()]),
                path: join_paths(&route_base, &path),
                decorator_index: Some(index),
                call: Some(call),
                call_scope: Vec::new(),
                view_decorators: Vec::new(),
                view_class: Some(class),
                view_class_file: self.file,
                // An inherited route is reported at the class that registers it.
                span: if own {
                    self.decorator_span(decorator)
                } else {
                    class.def_span
                },
                endpoint: None,
                when: self.registration_when(),
            });
        }
        if any {
            self.out.objects.push(FrameworkObject {
                id: owner,
                kind: ObjectKind::AppBuilderView,
                call: None,
                span: class.def_span,
                prefix: String::new(),
                dependencies: Vec::new(),
                scope: self.scope.clone(),
                branch: None,
            });
        }
    }

    /// `admin.add_view(NoteView(Note, db.session))` (or `Admin(index_view=...)`): the view
    /// class's routes, at the view's URL under the admin.
    fn flask_admin_registered(
        &mut self,
        admin: ObjectId,
        view: &'a Expr,
        admin_url: &str,
        span: Span,
    ) {
        // `add_view(View(...))` takes an instance; `view = View(...)` then `add_view(view)`.
        let origin = self.model.resolve_value(self.file, &self.scope, view);
        let Some(built) = origin.expr.as_call() else {
            return;
        };
        let Some((class_file, class)) = class_in(self.model, origin.file, &built.func) else {
            return;
        };
        let Some(base) = crate::flask_admin::view_base(self.model, class_file, class) else {
            return;
        };
        let url = crate::flask_admin::view_url(
            self.model,
            origin.file,
            Some(built),
            class_file,
            class,
            base,
            admin_url,
        );
        let child = ObjectId {
            file: class_file,
            scope: None,
            name: class.name.to_string(),
        };
        // Flask gives a blueprint at `/` no prefix.
        let prefix = if url == "/" { String::new() } else { url };
        self.include(admin, child, Some(prefix), span);
    }

    /// Flask-Admin views: `@expose(url, methods=...)` methods of the class and of its project
    /// bases (also `name = expose(url)(function)` in the class body), and the views the
    /// library declares for the class (a model view's CRUD views, an index view's `index`)
    /// unless the project redefines the method. A library view's handler is a stand-in named
    /// for the method, at the `class` line, without a body. The class owns the routes, with
    /// paths relative to the view's URL, which `add_view` gives.
    fn flask_admin_view(&mut self, class: &'a Class) {
        let model = self.model;
        let Some(base) = crate::flask_admin::view_base(model, self.file, class) else {
            return;
        };
        let owner = ObjectId {
            file: self.file,
            scope: self.scope.last().map(|f| f.span.start),
            name: class.name.to_string(),
        };
        let hierarchy = class_hierarchy(model, self.file, class);
        let mut seen: Vec<&str> = Vec::new();
        let mut any = false;
        for &(f, c) in &hierarchy {
            let own = f == self.file && std::ptr::eq(c, class);
            for stmt in &c.body {
                // `last_page = expose("/last-page")(last_page)`: a module function exposed.
                if let Stmt::Assign {
                    targets,
                    value: Some(value),
                    span,
                    ..
                } = stmt
                    && let [target] = targets.as_slice()
                    && let Some(name) = target.as_name()
                {
                    if seen.contains(&name) {
                        continue;
                    }
                    seen.push(name);
                    if let Some(outer) = value.as_call()
                        && let ExprKind::Call(expose) = &outer.func.kind
                        && crate::flask_admin::is_expose(model, f, &expose.func)
                        && let Some(arg) = outer.args.first()
                        && let Some((hf, Some(Stmt::FunctionDef(handler)), _)) =
                            model.resolve_definition(f, arg)
                    {
                        any = true;
                        let mut route = exposed_route(
                            model,
                            self.file,
                            &owner,
                            class,
                            (hf, handler),
                            (f, expose),
                            if own { *span } else { class.def_span },
                        );
                        route.endpoint = Some(name.to_string());
                        route.when = self.registration_when();
                        self.out.routes.push(route);
                    }
                    continue;
                }
                let Stmt::FunctionDef(method) = stmt else {
                    continue;
                };
                if seen.contains(&method.name.as_str()) {
                    continue;
                }
                seen.push(&method.name);
                for (i, d) in method.decorators.iter().enumerate() {
                    let Some(call) = d
                        .as_call()
                        .filter(|call| crate::flask_admin::is_expose(model, f, &call.func))
                    else {
                        continue;
                    };
                    any = true;
                    // An inherited route is reported at the class that registers it.
                    let span = if own {
                        self.decorator_span(d)
                    } else {
                        class.def_span
                    };
                    let mut route = exposed_route(
                        model,
                        self.file,
                        &owner,
                        class,
                        (f, method),
                        (f, call),
                        span,
                    );
                    route.decorator_index = Some(i);
                    route.when = self.registration_when();
                    self.out.routes.push(route);
                }
            }
        }
        for &(name, rule, methods) in crate::flask_admin::library_routes(base) {
            if seen.contains(&name)
                || !crate::flask_admin::library_route_enabled(model, self.file, class, name)
            {
                continue;
            }
            let Some(handler) = model.files[self.file].library_method(class, name) else {
                continue;
            };
            any = true;
            self.out.routes.push(RouteDecl {
                alternative: None,
                file: self.file,
                handler,
                handler_file: self.file,
                handler_scope: Vec::new(),
                owner: Some(owner.clone()),
                methods: methods.iter().map(|m| m.to_string()).collect(),
                path: rule.to_string(),
                decorator_index: None,
                call: None,
                call_scope: Vec::new(),
                view_decorators: Vec::new(),
                view_class: Some(class),
                view_class_file: self.file,
                span: class.def_span,
                endpoint: Some(name.to_string()),
                when: self.registration_when(),
            });
        }
        if any {
            self.out.objects.push(FrameworkObject {
                id: owner,
                kind: ObjectKind::FlaskAdminView,
                call: None,
                span: class.def_span,
                prefix: String::new(),
                dependencies: Vec::new(),
                scope: self.scope.clone(),
                branch: None,
            });
        }
    }

    /// A decorator's span including its `@`.
    fn decorator_span(&self, decorator: &Expr) -> Span {
        self.model.files[self.file]
            .parsed
            .decorator_span(decorator.span)
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
        let call = definition_value(self.model, id)?.as_call()?;
        if let Some(kind) = constructed_kind(self.model, id.file, &call.func) {
            return Some(kind);
        }
        let file = &self.model.files[id.file];
        let scope: Vec<&Function> = id
            .scope
            .and_then(|start| find_function(file.body(), start))
            .into_iter()
            .collect();
        // `report_api = make_subapi_blueprint("report")`: the blueprint the helper builds.
        if per_call_blueprint(self.model, id.file, &scope, call).is_some() {
            return Some(ObjectKind::Blueprint);
        }
        let receiver = namespace_receiver(call)?;
        let api = resolve_object(self.model, id.file, &scope, receiver, 0)?;
        (api != *id && constructed_kind_of(self.model, &api) == Some(ObjectKind::RestfulApi))
            .then_some(ObjectKind::RestxNamespace)
    }
}

/// The object an `Api(bp)` of Flask-RESTful or flask-restx was built on.
fn api_blueprint(model: &ProjectModel, api: &ObjectId, depth: u32) -> Option<ObjectId> {
    let call = definition_value(model, api)?.as_call()?;
    if constructed_kind(model, api.file, &call.func) != Some(ObjectKind::RestfulApi) {
        return None;
    }
    let target = call.argument("app", 0)?;
    let file = &model.files[api.file];
    let scope: Vec<&Function> = api
        .scope
        .and_then(|start| find_function(file.body(), start))
        .into_iter()
        .collect();
    resolve_object(model, api.file, &scope, target, depth + 1)
}

/// `api` in `api.namespace(...)` (flask-restx), which may be the `Api` making the namespace.
fn namespace_receiver(call: &Call) -> Option<&Expr> {
    match &call.func.kind {
        ExprKind::Attribute { value, attr } if attr == "namespace" => Some(value),
        _ => None,
    }
}

/// The source text of a span, on one line, shortened to 60 characters.
pub(crate) fn source_text(model: &ProjectModel, file: usize, span: Span) -> String {
    let mut out = one_line(&model.files[file].span_text(span));
    if out.chars().count() > 60 {
        out = out.chars().take(57).collect::<String>() + "...";
    }
    out
}

/// Source text on one line: runs of whitespace become one space, none after an opening
/// bracket or before a closing one, so `Depends(\n    deps.user\n)` reads `Depends(deps.user)`.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let after_open = out.ends_with(['(', '[', '{']);
        if !out.is_empty() && !after_open && !word.starts_with([')', ']', '}']) {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// What registering under one branch of an `if` means: `value` is the test's value in
/// production, when known (`not app.debug` holds there, `settings.TESTING` does not).
fn branch_condition(
    model: &ProjectModel,
    value: Option<bool>,
    file: usize,
    test: &Expr,
    then: bool,
) -> When {
    let text = || {
        let text = |e: &Expr| source_text(model, file, e.span);
        if then {
            text(test)
        } else {
            negation(&text, test)
        }
    };
    let tests = || {
        Tests(
            std::iter::once(Test {
                file,
                span: test.span,
                then,
            })
            .collect(),
        )
    };
    match value {
        Some(v) if v == then => When::Always,
        Some(_) => When::DevOnly(text()),
        None => When::If(text(), tests()),
    }
}

/// `test` negated, as one line of text written by `text`: `C` for `not C`, the opposite
/// operator for one comparison (`x != "a"` for `x == "a"`, `x not in S`, `x is not None`),
/// `not (C)` otherwise. Names the condition an `else` runs under. An `and`/`or` made
/// positive keeps its brackets (`(a or b)`), as it may be joined with other conditions.
pub fn negation(text: &dyn Fn(&Expr) -> String, test: &Expr) -> String {
    if let ExprKind::UnaryOp {
        op: UnaryOp::Not,
        operand,
    } = &test.kind
    {
        return match operand.kind {
            ExprKind::BoolOp { .. } => format!("({})", text(operand)),
            _ => text(operand),
        };
    }
    let opposite = test.single_compare().and_then(|(left, op, right)| {
        let op = match op {
            CmpOp::Eq => "!=",
            CmpOp::NotEq => "==",
            CmpOp::In => "not in",
            CmpOp::NotIn => "in",
            CmpOp::Is => "is not",
            CmpOp::IsNot => "is",
            _ => return None,
        };
        Some(format!("{} {op} {}", text(left), text(right)))
    });
    opposite.unwrap_or_else(|| format!("not ({})", text(test)))
}

/// `not (x)` for a condition's text, simplified for the usual shapes: for a condition kept only
/// as text (one joined by [`When::or`], an override's); with the expression, [`negation`].
pub(crate) fn negated(text: &str) -> String {
    for (a, b) in [
        (" is not None", " is None"),
        (" is None", " is not None"),
        (" not in ", " in "),
        (" != ", " == "),
        (" == ", " != "),
    ] {
        if let Some((left, right)) = text.split_once(a)
            && !left.contains(" and ")
            && !left.contains(" or ")
            && !right.contains(" and ")
            && !right.contains(" or ")
        {
            return format!("{left}{b}{right}");
        }
    }
    match text.strip_prefix("not ") {
        Some(rest) if !rest.contains(' ') => rest.to_string(),
        _ => format!("not ({text})"),
    }
}

/// Environment names that mean production, and those that mean development or tests.
fn environment_kind(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "production" | "prod" | "live" => Some(true),
        "development" | "dev" | "develop" | "test" | "testing" | "local" | "debug" | "ci" => {
            Some(false)
        }
        _ => None,
    }
}

/// A flag that is on only in debug, development or test mode: `app.debug`, `settings.TESTING`,
/// `os.environ.get("FLASK_DEBUG")`, `app.config["TESTING"]`.
fn is_dev_flag(model: &ProjectModel, file: usize, expr: &Expr) -> bool {
    let key: Option<&str> = match &expr.kind {
        ExprKind::Name(n) => Some(n),
        ExprKind::Attribute { attr, .. } => Some(attr),
        ExprKind::Subscript { slice, .. } => slice.as_str(),
        ExprKind::Call(call) => {
            let name = call.func.last_name().unwrap_or("");
            if matches!(name, "bool" | "strtobool" | "str_to_bool" | "int") {
                return call
                    .args
                    .first()
                    .is_some_and(|a| is_dev_flag(model, file, a));
            }
            if !matches!(
                name,
                "get" | "getenv" | "get_bool" | "getboolean" | "get_env" | "env" | "bool_env"
            ) {
                return false;
            }
            call.args.first().and_then(Expr::as_str)
        }
        _ => None,
    };
    let Some(key) = key else { return false };
    // Flask-Login's `LOGIN_DISABLED` switch is documented for unit tests.
    if model.files[file]
        .imports
        .resolves_to(expr, &["typing.TYPE_CHECKING"])
        || key == "TYPE_CHECKING"
        || key == "LOGIN_DISABLED"
    {
        return true;
    }
    let lower = key.to_ascii_lowercase();
    let mut core = lower.as_str();
    for prefix in ["flask_", "fastapi_", "app_", "is_", "in_", "run_"] {
        core = core.strip_prefix(prefix).unwrap_or(core);
    }
    for suffix in ["_mode", "_enabled", "_env"] {
        core = core.strip_suffix(suffix).unwrap_or(core);
    }
    if matches!(
        core,
        "debug" | "testing" | "test" | "tests" | "dev" | "development" | "unittest" | "pytest"
    ) {
        return true;
    }
    // A product's own switch ending in the word (`VLLM_SERVER_DEV_MODE`, `API_DEBUG`), unless
    // another word turns it round (`NO_DEBUG`, `DISABLE_DEV`).
    let words: Vec<&str> = core.split('_').collect();
    words.len() > 1
        && words
            .last()
            .is_some_and(|w| matches!(*w, "debug" | "dev" | "development" | "testing"))
        && !words.iter().any(|w| crate::config::is_negating_word(w))
}

/// The value of an `if` test in production, when the test says: `not settings.DEBUG` and
/// `ENV == "production"` hold there; `app.testing` and `if TYPE_CHECKING:` do not. `None` for
/// tests that depend on the operator's settings.
pub(crate) fn production_value(model: &ProjectModel, file: usize, test: &Expr) -> Option<bool> {
    match &test.kind {
        ExprKind::Bool(b) => Some(*b),
        ExprKind::Int(Some(n)) => Some(*n != 0),
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => production_value(model, file, operand).map(|b| !b),
        ExprKind::BoolOp { op, values } => {
            let values: Vec<Option<bool>> = values
                .iter()
                .map(|v| production_value(model, file, v))
                .collect();
            let (decisive, other) = match op {
                BoolOp::And => (false, true),
                BoolOp::Or => (true, false),
            };
            if values.contains(&Some(decisive)) {
                Some(decisive)
            } else if values.iter().all(|v| *v == Some(other)) {
                Some(other)
            } else {
                None
            }
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if ops.len() == 1 => {
            let right = &comparators[0];
            let op = ops[0];
            if left.as_name() == Some("__name__") {
                return Some(true);
            }
            if let (Some(lit), CmpOp::In | CmpOp::NotIn) = (left.as_str(), op)
                && matches!(lit, "pytest" | "unittest")
            {
                return Some(op == CmpOp::NotIn);
            }
            let literals: Vec<&str> = match &right.kind {
                ExprKind::Str(s) => vec![s.as_str()],
                _ => right
                    .elements()
                    .map(|items| items.iter().filter_map(Expr::as_str).collect())
                    .unwrap_or_default(),
            };
            if !literals.is_empty() {
                let kinds: Vec<Option<bool>> =
                    literals.iter().map(|l| environment_kind(l)).collect();
                let equal = if kinds.iter().all(|k| *k == Some(true)) {
                    Some(true)
                } else if kinds.iter().all(|k| *k == Some(false)) {
                    Some(false)
                } else {
                    None
                };
                return match op {
                    CmpOp::Eq | CmpOp::In => equal,
                    CmpOp::NotEq | CmpOp::NotIn => equal.map(|b| !b),
                    _ => None,
                };
            }
            if let Some(b) = right.as_bool()
                && is_dev_flag(model, file, left)
            {
                return match op {
                    CmpOp::Eq | CmpOp::Is => Some(!b),
                    CmpOp::NotEq | CmpOp::IsNot => Some(b),
                    _ => None,
                };
            }
            None
        }
        ExprKind::Name(_)
        | ExprKind::Attribute { .. }
        | ExprKind::Subscript { .. }
        | ExprKind::Call(_) => is_dev_flag(model, file, test).then_some(false),
        _ => None,
    }
}

/// What calling `func` builds: a framework class, or a project class derived from one
/// (`class GatewayAPI(FastAPI)`, `class AirflowRouter(APIRouter)`).
/// The value an object's variable is bound to where it is defined.
fn definition_value<'a>(model: &'a ProjectModel, id: &ObjectId) -> Option<&'a Expr> {
    definition_value_as_written(model, id).map(|v| uncast(model, id.file, v))
}

fn definition_value_as_written<'a>(model: &'a ProjectModel, id: &ObjectId) -> Option<&'a Expr> {
    let file = &model.files[id.file];
    match id.scope {
        None => match file.top_level(&id.name) {
            Some(Stmt::Assign { value: Some(v), .. }) => Some(v),
            Some(_) => None,
            None if id.name.contains('.') => {
                let (class, attr) = id.name.split_once('.')?;
                let Some(Stmt::ClassDef(class)) = file.top_level(class) else {
                    return None;
                };
                instance_attribute_value(class, attr)
            }
            // Bound under a module-level `if`, `try` or `with`.
            None => crate::values::last_assignment(
                std::slice::from_ref(file.block_binding(&id.name)?),
                &id.name,
            ),
        },
        Some(start) => {
            let function = find_function(file.body(), start)?;
            if id.name == RETURNED {
                return returned_construction(model, id.file, function);
            }
            crate::values::local_assignment(function, &id.name)
        }
    }
}

/// The project class whose instance a method returns: `return RpcSocket(...)`, or `sock =
/// RpcSocket(...); ...; return sock`.
fn built_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    method: &'a Function,
) -> Option<(usize, &'a Class)> {
    let mut returned = Vec::new();
    for_each_return(&method.body, &mut |value| returned.push(value));
    returned.into_iter().find_map(|value| {
        let value = match value.as_name() {
            Some(name) => crate::values::local_assignment(method, name)?,
            None => value,
        };
        class_in(model, file, &value.as_call()?.func)
    })
}

/// The list literals `name` is bound to under an `if` (or its `else`) of `body`, at any depth
/// of blocks but not inside nested functions or classes.
fn conditional_list_bindings<'a>(
    body: &'a [Stmt],
    name: &str,
    under_if: bool,
    out: &mut Vec<&'a Expr>,
) {
    for stmt in body {
        match stmt {
            Stmt::If { body, orelse, .. } => {
                conditional_list_bindings(body, name, true, out);
                conditional_list_bindings(orelse, name, true, out);
            }
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if under_if
                && targets.iter().any(|t| t.as_name() == Some(name))
                && matches!(value.kind, ExprKind::List(_) | ExprKind::Tuple(_)) =>
            {
                out.push(value);
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other => {
                for child in other.child_bodies() {
                    conditional_list_bindings(child, name, under_if, out);
                }
            }
        }
    }
}

/// An application constructor call written as an argument (`uvicorn.run(Starlette(...))`,
/// `Mount("/v1", app=FastAPI())`): its id, named for the constructor and its line
/// (`<Starlette at line 28>`) in the function it is written in, its kind and the call.
fn inline_app<'a>(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &'a Expr,
) -> Option<(ObjectId, ObjectKind, &'a Call)> {
    let call = expr.as_call()?;
    let kind = constructed_kind(model, file, &call.func).filter(|k| k.is_app())?;
    let id = ObjectId {
        file,
        scope: scope.last().map(|f| f.span.start),
        name: format!(
            "<{} at line {}>",
            source_text(model, file, call.func.span),
            model.files[file].position(expr.span.start).row
        ),
    };
    Some((id, kind, call))
}

/// The name of an object a function builds in its `return` statement (`return
/// Starlette(...)`): the function's result, printed as `module.create_app()`.
pub const RETURNED: &str = "<returned>";

/// The end of the name of an object built by a call whose result no name holds
/// (`Limiter(app, ...)` as a statement): `Limiter(...)`.
pub const UNBOUND_SUFFIX: &str = "(...)";

/// The first framework constructor call a function returns directly.
fn returned_construction<'a>(
    model: &ProjectModel,
    file: usize,
    function: &'a Function,
) -> Option<&'a Expr> {
    let mut found = None;
    for_each_return(&function.body, &mut |value| {
        if found.is_none() && is_construction(model, file, value) {
            found = Some(value);
        }
    });
    found
}

/// What the constructor call bound to an object builds.
fn constructed_kind_of(model: &ProjectModel, id: &ObjectId) -> Option<ObjectKind> {
    constructed_kind(
        model,
        id.file,
        &definition_value(model, id)?.as_call()?.func,
    )
}

/// A router class of a library built on FastAPI (`airflow.api_fastapi.common.router.
/// AirflowRouter`, a subclass of `APIRouter`): the project's routes on it take its `prefix=`
/// and `dependencies=` as FastAPI's would. Routers of other web frameworks are not.
fn library_api_router(qualified: &str) -> bool {
    let (package, name) = qualified.rsplit_once('.').unwrap_or(("", qualified));
    let top = package.split('.').next().unwrap_or("");
    name.ends_with("Router")
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && !top.is_empty()
        && !matches!(
            top,
            "ninja"
                | "litestar"
                | "starlite"
                | "rest_framework"
                | "django"
                | "aiohttp"
                | "sanic"
                | "falcon"
                | "tornado"
                | "werkzeug"
                | "flask"
                | "starlette"
                | "fastapi"
                | "strawberry"
                | "graphene"
                | "ariadne"
                | "langchain"
                | "langgraph"
                | "llama_index"
                | "semantic_router"
                | "vllm"
                | "sglang"
        )
}

/// A call of a framework constructor: `Starlette(...)`, `APIRouter(...)`.
fn is_construction(model: &ProjectModel, file: usize, expr: &Expr) -> bool {
    expr.as_call()
        .is_some_and(|call| constructed_kind(model, file, &call.func).is_some())
}

fn constructed_kind(model: &ProjectModel, file: usize, func: &Expr) -> Option<ObjectKind> {
    let imported = model.files[file].imports.resolve(func);
    if let Some(kind) = imported.as_deref().and_then(object_kind) {
        return Some(kind);
    }
    let Some(definition) = model.resolved_definition(file, func, imported) else {
        if let Some(kind) = func
            .as_name()
            .and_then(|n| class_alias_kind(model, file, n))
        {
            return Some(kind);
        }
        if let Some(kind) = func
            .as_name()
            .and_then(|n| local_class_alias_kind(model, file, n))
        {
            return Some(kind);
        }
        // `class CustomFlask(Flask)` defined in the factory that builds the app with it.
        let class = model.files[file].local_class(func.as_name()?)?;
        return class_lineage(model, file, class)
            .iter()
            .find_map(|q| object_kind(q));
    };
    match definition {
        // A project class is its own framework kind when it derives from one: `class
        // SwaggerApi(flask_restx.Api)` builds an `Api`, `class App(Flask)` an application.
        (class_file, Some(Stmt::ClassDef(class)), _) => model
            .class_name(file, func)
            .as_deref()
            .and_then(object_kind)
            .or_else(|| {
                class_lineage(model, class_file, class)
                    .iter()
                    .find_map(|q| object_kind(q))
            }),
        (_, None, Some(qualified)) if library_api_router(&qualified) => Some(ObjectKind::ApiRouter),
        // `proj.Blueprint`, where the project package re-exports `flask.Blueprint`.
        (_, None, Some(qualified)) => object_kind(&qualified),
        (def_file, Some(Stmt::Assign { targets, .. }), _) => targets
            .iter()
            .find_map(Expr::as_name)
            .and_then(|n| class_alias_kind(model, def_file, n)),
        _ => None,
    }
}

/// A module-level name bound to a framework class (`AppClass = Flask`), also in one branch of
/// an `if` whose other branch picks a class the settings name: what calling it builds by
/// default.
fn class_alias_kind(model: &ProjectModel, file: usize, name: &str) -> Option<ObjectKind> {
    let module = &model.files[file];
    let mut statements: Vec<&Stmt> = Vec::new();
    match module.top_level(name) {
        Some(stmt) => statements.push(stmt),
        None => crate::security::walk_stmts(
            std::slice::from_ref(module.block_binding(name)?),
            &mut |stmt| statements.push(stmt),
        ),
    }
    statements.into_iter().find_map(|stmt| {
        let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        else {
            return None;
        };
        if !targets.iter().any(|t| t.as_name() == Some(name))
            || !matches!(value.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
        {
            return None;
        }
        let q = module.imports.resolve(value)?;
        object_kind(&q).filter(|kind| kind.is_app() || *kind == ObjectKind::Blueprint)
    })
}

/// A name bound inside the module's functions to a framework class, on its own line or element
/// by element (`FastAPI, Request = (fastapi.FastAPI, fastapi.Request)`, after a lazy import of
/// the framework): what calling it builds. Every such binding in the module must agree, since
/// the caller's function is not known here.
fn local_class_alias_kind(model: &ProjectModel, file: usize, name: &str) -> Option<ObjectKind> {
    let module = &model.files[file];
    // Walked once per file: the question comes for every call of a name defined nowhere.
    module
        .local_class_aliases
        .get_or_init(|| local_class_aliases(module))
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, kind)| *kind)
}

/// Every name the module's functions bind to an application or blueprint class, with the
/// kind, unless another binding of the name in the module's functions disagrees.
fn local_class_aliases(module: &SourceModule) -> Vec<(String, ObjectKind)> {
    let mut bindings: Vec<(&str, Option<ObjectKind>)> = Vec::new();
    let mut framework_names: Vec<&str> = Vec::new();
    crate::security::walk_functions(module.body(), &mut |function| {
        for stmt in &function.body {
            let Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } = stmt
            else {
                continue;
            };
            for target in targets {
                let pairs: Vec<(&str, &Expr)> = match (&target.kind, &value.kind) {
                    (ExprKind::Name(n), _) => vec![(n.as_str(), value)],
                    (ExprKind::Tuple(names), ExprKind::Tuple(values))
                        if names.len() == values.len() =>
                    {
                        names
                            .iter()
                            .zip(values.iter())
                            .filter_map(|(t, v)| Some((t.as_name()?, v)))
                            .collect()
                    }
                    _ => Vec::new(),
                };
                for (name, bound) in pairs {
                    let kind = module
                        .imports
                        .resolve(bound)
                        .as_deref()
                        .and_then(object_kind)
                        .filter(|kind| kind.is_app() || *kind == ObjectKind::Blueprint);
                    if kind.is_some() {
                        framework_names.push(name);
                    }
                    bindings.push((name, kind));
                }
            }
        }
    });
    framework_names.sort_unstable();
    framework_names.dedup();
    framework_names
        .into_iter()
        .filter_map(|name| {
            let mut kinds = bindings.iter().filter(|(n, _)| *n == name).map(|(_, k)| *k);
            let first = kinds.next()??;
            kinds
                .all(|k| k == Some(first))
                .then(|| (name.to_string(), first))
        })
        .collect()
}

/// The class of a base written with type arguments: `Server` of `Server[Context]`.
pub fn generic_origin(base: &Expr) -> &Expr {
    match &base.kind {
        ExprKind::Subscript { value, .. } => value,
        _ => base,
    }
}

/// The qualified names of every class a project class derives from, its project bases' bases
/// included: `app.base.BaseApi`, `flask_appbuilder.api.ModelRestApi`.
/// Whether calling `func` builds Flask-BasicAuth's `BasicAuth` or a project subclass of it.
pub fn builds_basic_auth(model: &ProjectModel, file: usize, func: &Expr) -> bool {
    match model.resolve_definition(file, func) {
        Some((_, None, Some(q))) => is_basic_auth_class(&q),
        Some((class_file, Some(Stmt::ClassDef(class)), _)) => {
            class_lineage(model, class_file, class)
                .iter()
                .any(|q| is_basic_auth_class(q))
        }
        _ => false,
    }
}

pub fn class_lineage(model: &ProjectModel, file: usize, class: &Class) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, &Class, u32)> = vec![(file, class, 0)];
    while let Some((f, c, depth)) = stack.pop() {
        if depth > 8 || out.len() > 48 {
            continue;
        }
        for base in &c.bases {
            match model.resolve_definition(f, generic_origin(base)) {
                Some((bf, Some(Stmt::ClassDef(bc)), q)) => {
                    out.extend(q);
                    if !std::ptr::eq(bc.as_ref(), c) {
                        stack.push((bf, bc, depth + 1));
                    }
                }
                Some((_, None, Some(q))) => out.push(q),
                _ => {}
            }
        }
    }
    out
}

/// The project classes of a class's hierarchy in method resolution order (depth first, as
/// Python does for the usual single-inheritance and mixin hierarchies), the class first.
pub fn class_hierarchy<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
) -> Vec<(usize, &'a Class)> {
    let mut out: Vec<(usize, &'a Class)> = Vec::new();
    fn visit<'a>(
        model: &'a ProjectModel,
        file: usize,
        class: &'a Class,
        out: &mut Vec<(usize, &'a Class)>,
        depth: u32,
    ) {
        if depth > 10 || out.len() > 32 || out.iter().any(|(_, c)| std::ptr::eq(*c, class)) {
            return;
        }
        out.push((file, class));
        for base in &class.bases {
            if let Some((bf, Stmt::ClassDef(bc))) =
                model.project_definition(file, generic_origin(base))
            {
                visit(model, bf, bc, out, depth + 1);
            }
        }
    }
    visit(model, file, class, &mut out, 0);
    out
}

/// The method `name` of a class or of its nearest project base that defines it.
pub fn find_method<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
    name: &str,
) -> Option<(usize, &'a Class, &'a Function)> {
    class_hierarchy(model, file, class)
        .into_iter()
        .find_map(|(f, c)| {
            c.body.iter().find_map(|s| match s {
                Stmt::FunctionDef(m) if m.name == name => Some((f, c, m.as_ref())),
                _ => None,
            })
        })
}

/// The value of a class attribute `name = value`, from the class or its nearest project base.
pub fn class_attribute<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
    name: &str,
) -> Option<(usize, &'a Expr)> {
    class_hierarchy(model, file, class)
        .into_iter()
        .find_map(|(f, c)| {
            c.body.iter().rev().find_map(|s| match s {
                Stmt::Assign {
                    targets,
                    value: Some(v),
                    ..
                } if targets.iter().any(|t| t.as_name() == Some(name)) => Some((f, v)),
                _ => None,
            })
        })
}

/// The function starting at `start`, searched through nested bodies.
/// The functions enclosing `function` in a module's body, outermost first.
pub fn enclosing_functions<'a>(body: &'a [Stmt], function: &Function) -> Vec<&'a Function> {
    fn visit<'a>(body: &'a [Stmt], start: u32, chain: &mut Vec<&'a Function>) -> bool {
        for stmt in body {
            let span = stmt.span();
            if span.start > start || span.end < start {
                continue;
            }
            if let Stmt::FunctionDef(f) = stmt {
                if f.span.start == start {
                    return true;
                }
                chain.push(f);
                if visit(&f.body, start, chain) {
                    return true;
                }
                chain.pop();
                continue;
            }
            if stmt.child_bodies().any(|child| visit(child, start, chain)) {
                return true;
            }
        }
        false
    }
    let mut chain = Vec::new();
    if !visit(body, function.span.start, &mut chain) {
        chain.clear();
    }
    chain
}

pub fn find_function(body: &[Stmt], start: u32) -> Option<&Function> {
    for stmt in body {
        let span = stmt.span();
        if span.start > start || span.end < start {
            continue;
        }
        if let Stmt::FunctionDef(f) = stmt
            && f.span.start == start
        {
            return Some(f);
        }
        for child in stmt.child_bodies() {
            if let Some(f) = find_function(child, start) {
                return Some(f);
            }
        }
    }
    None
}

/// A loop variable of a helper over one of its parameters: `for path in paths`, or an element
/// of a tuple target, `for path, resource in routes` (`index` 0 and 1).
#[derive(Clone, Copy)]
struct LoopVar<'a> {
    name: &'a str,
    index: Option<usize>,
    /// The argument the parameter is bound to.
    iterated: &'a Expr,
}

/// A registration call in a helper, its method name, and the enclosing loops over the helper's
/// parameters.
type Registration<'a> = (&'a Call, &'a str, Vec<LoopVar<'a>>);

/// `x.add_url_rule(...)`, `x.add_api_route(...)` or `x.add_route(...)`: a registration call
/// and its method's name.
fn registration_call(value: &Expr) -> Option<(&Call, &str)> {
    let call = value.as_call()?;
    match &call.func.kind {
        ExprKind::Attribute { attr, .. }
            if matches!(
                attr.as_str(),
                "add_url_rule" | "add_api_route" | "add_route"
            ) =>
        {
            Some((call, attr.as_str()))
        }
        _ => None,
    }
}

/// `self.app` (or any `self.<name>`): the name of the instance's attribute.
fn instance_attribute(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Attribute { value, attr } if value.as_name() == Some("self") => {
            Some(attr.as_str())
        }
        _ => None,
    }
}

/// The class's own method `name` when it registers on an object the instance keeps
/// ([`registers_on_instance`]).
fn forwarding_method<'c>(class: &'c Class, name: &str) -> Option<&'c Function> {
    class
        .body
        .iter()
        .find_map(|s| match s {
            Stmt::FunctionDef(m) if m.name == name => Some(m.as_ref()),
            _ => None,
        })
        .filter(|m| registers_on_instance(m))
}

/// A method that registers on an object the instance keeps, at its top level (`def
/// add_api_route(self, path, endpoint, **kwargs): return self.app.add_api_route(path,
/// endpoint, **kwargs)`).
fn registers_on_instance(method: &Function) -> bool {
    method.params.first().is_some_and(|p| p.name == "self")
        && method.body.iter().any(|stmt| match stmt {
            Stmt::Expr { value, .. }
            | Stmt::Return {
                value: Some(value), ..
            } => registration_call(value).is_some_and(|(call, _)| {
                matches!(&call.func.kind, ExprKind::Attribute { value, .. }
                    if instance_attribute(value).is_some())
            }),
            _ => false,
        })
}

/// Route registrations in a helper's body (`param.add_url_rule(...)`, `add_api_route`,
/// `add_route`), with the loops over the helper's parameters that enclose each: the loop
/// variable and the argument it iterates over.
fn collect_registrations<'a>(
    body: &'a [Stmt],
    arg_of: &impl Fn(&str) -> Option<&'a Expr>,
    loops: &mut Vec<LoopVar<'a>>,
    out: &mut Vec<Registration<'a>>,
) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            // Also `return self.app.add_api_route(path, endpoint, **kwargs)`, a forwarder.
            Stmt::Expr { value, .. }
            | Stmt::Return {
                value: Some(value), ..
            } => {
                if let Some((call, attr)) = registration_call(value) {
                    out.push((call, attr, loops.clone()));
                }
            }
            Stmt::For {
                target, iter, body, ..
            } => {
                let before = loops.len();
                if let Some(iterated) = iter.as_name().and_then(&arg_of) {
                    match &target.kind {
                        ExprKind::Name(name) => loops.push(LoopVar {
                            name,
                            index: None,
                            iterated,
                        }),
                        ExprKind::Tuple(items) | ExprKind::List(items) => {
                            for (i, item) in items.iter().enumerate() {
                                if let Some(name) = item.as_name() {
                                    loops.push(LoopVar {
                                        name,
                                        index: Some(i),
                                        iterated,
                                    });
                                }
                            }
                        }
                        _ => {}
                    }
                }
                collect_registrations(body, arg_of, loops, out);
                loops.truncate(before);
            }
            other => {
                for child in other.child_bodies() {
                    collect_registrations(child, arg_of, loops, out);
                }
            }
        }
    }
}

/// What a helper's names stand for at one of its calls, to read the path it registers:
/// the call's arguments, the parameters' literal defaults, the parts of the current item of a
/// list the call passes (`for url, defaults in url_list:`), and the helper's own string
/// locals as its statements build them (`rule = '/<int:node>/%s' % url`, then `rule += '/'`
/// under `if trailing_slash:`).
struct HelperFrame<'a, 's> {
    model: &'a ProjectModel,
    def_file: usize,
    /// The functions enclosing the helper, where its free names are read.
    def_scope: Vec<&'a Function>,
    /// The helper; `None` for a loop outside any helper call, whose names are read in
    /// `def_scope`.
    function: Option<&'a Function>,
    call_file: usize,
    call_scope: &'s [&'a Function],
    bound: &'s [(&'a str, &'a Expr)],
    /// Loop variables bound to their part of the current item, read in `item_file` and
    /// `item_scope`.
    loop_values: Vec<(&'a str, &'a Expr)>,
    item_file: usize,
    item_scope: &'s [&'a Function],
    /// The helper's locals so far; `<dynamic>` when unknown.
    locals: Vec<(&'a str, String)>,
}

const DYNAMIC: &str = "<dynamic>";

impl<'a> HelperFrame<'a, '_> {
    fn local(&self, name: &str) -> Option<&str> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of a string expression of the helper: literals, `+`, `%s` formatting,
    /// f-strings and `a if flag else b` on the names above; `<dynamic>` otherwise.
    fn text(&self, expr: &'a Expr, depth: u32) -> String {
        if depth > 8 {
            return DYNAMIC.to_string();
        }
        match &expr.kind {
            ExprKind::Str(s) => s.clone(),
            ExprKind::Name(name) => {
                if let Some(value) = self.local(name) {
                    return value.to_string();
                }
                if let Some(&(_, part)) = self.loop_values.iter().rev().find(|(n, _)| n == name) {
                    return path_text(self.model, self.item_file, self.item_scope, Some(part));
                }
                if let Some(&(_, arg)) = self.bound.iter().find(|(p, _)| p == name) {
                    return path_text(self.model, self.call_file, self.call_scope, Some(arg));
                }
                if let Some(function) = self.function {
                    if let Some(param) = function.params.iter().find(|p| p.name == *name) {
                        return match param.default.as_deref().and_then(Expr::as_str) {
                            Some(s) => s.to_string(),
                            None => DYNAMIC.to_string(),
                        };
                    }
                    if function.assigned.may_contain(name) {
                        return DYNAMIC.to_string();
                    }
                }
                path_text_at(self.model, self.def_file, &self.def_scope, expr, 0)
            }
            ExprKind::BinOp {
                left,
                op: BinOp::Add,
                right,
            } => {
                let left = self.text(left, depth + 1);
                let right = self.text(right, depth + 1);
                if left == DYNAMIC && right == DYNAMIC {
                    left
                } else {
                    left + &right
                }
            }
            // `'/<int:node>/%s' % url`, `'/%s/%s' % (a, b)`.
            ExprKind::BinOp {
                left,
                op: BinOp::Mod,
                right,
            } => left
                .as_str()
                .and_then(|template| {
                    percent_template(template, right, &mut |v| self.text(v, depth + 1))
                })
                .unwrap_or_else(|| DYNAMIC.to_string()),
            ExprKind::FString(parts) => fstring_path(parts, |v| {
                Some(self.text(v, depth + 1)).filter(|text| text != DYNAMIC)
            }),
            // `'/{}/<sort_param>'.format(d)`.
            ExprKind::Call(call)
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && attr == "format"
                    && let Some(template) = value.as_str() =>
            {
                format_template(call, template, &mut |v| self.text(v, depth + 1))
                    .unwrap_or_else(|| DYNAMIC.to_string())
            }
            ExprKind::IfExp { test, body, orelse } => match self.truth(test) {
                Some(true) => self.text(body, depth + 1),
                Some(false) => self.text(orelse, depth + 1),
                None => DYNAMIC.to_string(),
            },
            _ => DYNAMIC.to_string(),
        }
    }

    /// The truth of a test on a parameter (`with_node`, `not trailing_slash`): the literal
    /// the call passes, else the parameter's literal default.
    fn truth(&self, test: &'a Expr) -> Option<bool> {
        match &test.kind {
            // `"<repo>" in rule` with both texts known (a loop variable bound to its row).
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if matches!(ops.as_slice(), [CmpOp::In | CmpOp::NotIn]) => {
                let needle = self.text(left, 0);
                let haystack = self.text(comparators.first()?, 0);
                if needle.contains(DYNAMIC) || haystack.contains(DYNAMIC) {
                    return None;
                }
                Some(haystack.contains(&needle) == matches!(ops[0], CmpOp::In))
            }
            // `key == "import_module"` with both texts known.
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if matches!(ops.as_slice(), [CmpOp::Eq | CmpOp::NotEq]) => {
                let left = self.text(left, 0);
                let right = self.text(comparators.first()?, 0);
                if left.contains(DYNAMIC) || right.contains(DYNAMIC) {
                    return None;
                }
                Some((left == right) == matches!(ops[0], CmpOp::Eq))
            }
            // `key.startswith("component_build")` with both texts known.
            ExprKind::Call(call)
                if call.keywords.is_empty()
                    && let Some((receiver, method)) = call.method()
                    && matches!(method, "startswith" | "endswith")
                    && let [prefix] = call.args.as_slice() =>
            {
                let text = self.text(receiver, 0);
                let prefix = self.text(prefix, 0);
                if text.contains(DYNAMIC) || prefix.contains(DYNAMIC) {
                    return None;
                }
                Some(if method == "startswith" {
                    text.starts_with(&prefix)
                } else {
                    text.ends_with(&prefix)
                })
            }
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => self.truth(operand).map(|b| !b),
            ExprKind::Name(name) => {
                if self.local(name).is_some() || self.loop_values.iter().any(|(n, _)| n == name) {
                    return None;
                }
                let param = self.function?.params.iter().find(|p| p.name == *name)?;
                let value = match self.bound.iter().find(|(p, _)| p == name) {
                    Some(&(_, arg)) => arg,
                    None => param.default.as_deref()?,
                };
                match &value.kind {
                    ExprKind::Bool(b) => Some(*b),
                    ExprKind::NoneLiteral => Some(false),
                    ExprKind::Int(Some(n)) => Some(*n != 0),
                    ExprKind::Str(s) => Some(!s.is_empty()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Runs `body` up to the statement `target` (by its span), keeping the string locals it
    /// builds. `Some(false)` when the statement sits in a branch the call's arguments rule
    /// out, `None` when `body` does not hold it.
    fn run_to(&mut self, body: &'a [Stmt], target: Span) -> Option<bool> {
        for stmt in body {
            let span = stmt.span();
            if span.start <= target.start && target.end <= span.end {
                return match stmt {
                    Stmt::If {
                        test, body, orelse, ..
                    } => {
                        let in_body = body.iter().any(|s| {
                            let s = s.span();
                            s.start <= target.start && target.end <= s.end
                        });
                        match self.truth(test) {
                            Some(taken) if taken != in_body => Some(false),
                            _ => self.run_to(if in_body { body } else { orelse }, target),
                        }
                    }
                    Stmt::For { target: var, .. } => {
                        // The loop over the list the call passes binds its variables to the
                        // item; any other loop's are unknown.
                        let looped: Vec<&str> = self.loop_values.iter().map(|(n, _)| *n).collect();
                        self.locals.retain(|(n, _)| !looped.contains(n));
                        self.forget_targets(var, &looped);
                        let bodies: Vec<&'a [Stmt]> = stmt.child_bodies().collect();
                        bodies.into_iter().find_map(|b| self.run_to(b, target))
                    }
                    Stmt::FunctionDef(_) | Stmt::ClassDef(_) => None,
                    _ if stmt.child_bodies().next().is_some() => {
                        let bodies: Vec<&'a [Stmt]> = stmt.child_bodies().collect();
                        bodies.into_iter().find_map(|b| self.run_to(b, target))
                    }
                    _ => Some(true),
                };
            }
            self.step(stmt);
        }
        None
    }

    /// The effect of one statement on the string locals.
    fn step(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => {
                let text = match value.kind {
                    ExprKind::Str(_)
                    | ExprKind::FString(_)
                    | ExprKind::BinOp { .. }
                    | ExprKind::IfExp { .. }
                    | ExprKind::Call(_)
                    | ExprKind::Name(_) => self.text(value, 0),
                    _ => DYNAMIC.to_string(),
                };
                for t in targets {
                    match t.as_name() {
                        Some(name) => self.locals.push((name, text.clone())),
                        None => self.forget_targets(t, &[]),
                    }
                }
            }
            Stmt::AugAssign {
                target, op, value, ..
            } => {
                let Some(name) = target.as_name() else {
                    return;
                };
                let text = if *op == BinOp::Add {
                    let before = self.text(target, 0);
                    let added = self.text(value, 0);
                    if before == DYNAMIC && added == DYNAMIC {
                        before
                    } else {
                        before + &added
                    }
                } else {
                    DYNAMIC.to_string()
                };
                self.locals.push((name, text));
            }
            Stmt::If {
                test, body, orelse, ..
            } => match self.truth(test) {
                Some(taken) => {
                    for s in if taken { &body[..] } else { &orelse[..] } {
                        self.step(s);
                    }
                }
                None => self.forget_assigned(std::slice::from_ref(stmt)),
            },
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            _ if stmt.child_bodies().next().is_some() => {
                self.forget_assigned(std::slice::from_ref(stmt))
            }
            _ => {}
        }
    }

    /// Every name the statements bind, also in nested blocks, becomes unknown.
    fn forget_assigned(&mut self, body: &'a [Stmt]) {
        crate::security::walk_stmts(body, &mut |s| match s {
            Stmt::Assign { targets, .. } => {
                for t in targets {
                    self.forget_targets(t, &[]);
                }
            }
            Stmt::AugAssign { target, .. } => self.forget_targets(target, &[]),
            Stmt::For { target, .. } => self.forget_targets(target, &[]),
            _ => {}
        });
    }

    /// The names of an assignment target, except `keep`, become unknown.
    fn forget_targets(&mut self, target: &'a Expr, keep: &[&str]) {
        match &target.kind {
            ExprKind::Name(name) if !keep.contains(&name.as_str()) => {
                self.locals.push((name, DYNAMIC.to_string()));
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for item in items {
                    self.forget_targets(item, keep);
                }
            }
            ExprKind::Starred(inner) => self.forget_targets(inner, keep),
            _ => {}
        }
    }
}

/// The parameter of a helper whose items wrap `view`: `for decorator in decorators or []:
/// view = decorator(view)`.
fn wrapping_parameter<'a>(function: &'a Function, view: &str) -> Option<&'a str> {
    let mut found = None;
    crate::security::walk_stmts(&function.body, &mut |stmt| {
        let Stmt::For {
            target, iter, body, ..
        } = stmt
        else {
            return;
        };
        let (Some(var), Some(param)) = (
            target.as_name(),
            match &iter.kind {
                ExprKind::BoolOp { values, .. } => values.first().and_then(Expr::as_name),
                _ => iter.as_name(),
            },
        ) else {
            return;
        };
        let wraps = body.iter().any(|s| {
            matches!(s, Stmt::Assign { targets, value: Some(value), .. }
            if targets.iter().any(|t| t.as_name() == Some(view))
                && value.as_call().is_some_and(|c| {
                    c.func.as_name() == Some(var)
                        && c.args.first().and_then(Expr::as_name) == Some(view)
                }))
        });
        if wraps && let Some(p) = function.params.iter().find(|p| p.name == param) {
            found = Some(p.name.as_str());
        }
    });
    found
}

/// `view` when a helper assigned it `resource.as_view(...)` (also inside `if`s): `resource`.
fn local_as_view_receiver<'a>(function: &'a Function, view: &Expr) -> Option<&'a Expr> {
    let name = view.as_name()?;
    let mut found = None;
    crate::security::walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && targets.iter().any(|t| t.as_name() == Some(name))
            && let Some(call) = value.as_call()
            && let ExprKind::Attribute { value, attr } = &call.func.kind
            && attr == "as_view"
        {
            found = Some(&**value);
        }
    });
    found
}

/// Calls in an expression, outermost first, not descending into lambdas.
fn collect_calls<'a>(expr: &'a Expr, out: &mut Vec<(&'a Expr, &'a Call)>) {
    if let ExprKind::Call(call) = &expr.kind {
        out.push((expr, call));
    }
    if matches!(expr.kind, ExprKind::Lambda(_)) {
        return;
    }
    expr.for_each_child(|child| collect_calls(child, out));
}

/// A class-based view being registered.
struct ClassView<'a> {
    file: usize,
    owner: Option<ObjectId>,
    path: String,
    class_file: usize,
    class: &'a Class,
    call: &'a Call,
    methods: Option<Vec<String>>,
    wrappers: Vec<(usize, &'a Expr)>,
    span: Span,
    direct: bool,
}

/// The prefix a project subclass's constructor hands its base (`keyword`: `url_prefix` of a
/// `Blueprint`, `prefix` of an `Api` or router) when the construction gives none:
/// `url_prefix = kwargs.pop("url_prefix", self.default_prefix(name))` then
/// `super().__init__(name, *args, url_prefix=url_prefix, **kwargs)`, where `default_prefix`
/// returns `f"/api/v1/{name}"` and the construction passes `name` as a literal; a
/// parameter's default (`def __init__(self, name, url_prefix="/api")`); or an item of its
/// keyword arguments (`super().__init__(app=app, prefix=kwargs["PREFIX"])`), the value the
/// construction passes (`MyApi(app, PREFIX="/api/v4")`, a literal or a constant read where
/// the call is).
fn subclass_default_prefix(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    call: &Call,
    keyword: &str,
) -> Option<String> {
    let (cf, Some(Stmt::ClassDef(class)), _) = model.resolve_definition(file, &call.func)? else {
        return None;
    };
    let (init_file, _, init) = find_method(model, cf, class, "__init__")?;
    let handed = init.body.iter().find_map(|stmt| {
        let Stmt::Expr { value, .. } = stmt else {
            return None;
        };
        let base_call = value.as_call()?;
        let ExprKind::Attribute { value: sup, attr } = &base_call.func.kind else {
            return None;
        };
        (attr == "__init__"
            && sup
                .as_call()
                .is_some_and(|c| c.func.as_name() == Some("super")))
        .then_some(base_call)
    })?;
    let mut value = handed.keyword(keyword)?;
    // A local assigned once in the constructor: `url_prefix = kwargs.pop("url_prefix", d)`.
    if let Some(local) = value.as_name()
        && !init.params.iter().any(|p| p.name == local)
    {
        let mut assigned = init.body.iter().filter_map(|stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(v),
                ..
            } if targets.len() == 1 && targets[0].as_name() == Some(local) => Some(v),
            _ => None,
        });
        let v = assigned.next()?;
        if assigned.next().is_some() {
            return None;
        }
        value = v;
    }
    // `kwargs["PREFIX"]`, `kwargs.pop("url_prefix", d)`: the construction's keyword of that
    // name, else the default.
    if let Some((key, default)) = keyword_item(init, value) {
        return match call.keyword(key) {
            Some(passed) => {
                let text = path_text(model, file, scope, Some(passed));
                (!text.contains("<dynamic>") && !text.contains("{…}")).then_some(text)
            }
            None => prefix_value(
                model,
                init_file,
                Some((cf, class)),
                init,
                default?,
                &call_bindings(init, call, true),
                0,
            ),
        };
    }
    let bindings = call_bindings(init, call, true);
    let text = prefix_value(
        model,
        init_file,
        Some((cf, class)),
        init,
        value,
        &bindings,
        0,
    )?;
    Some(text)
}

/// An item of a function's `**kwargs` read by key: `kwargs["PREFIX"]` (no default),
/// `kwargs.get("prefix", d)`, `kwargs.pop("prefix", d)`.
fn keyword_item<'e>(function: &Function, expr: &'e Expr) -> Option<(&'e str, Option<&'e Expr>)> {
    let is_kwargs = |e: &Expr| {
        e.as_name().is_some_and(|r| {
            function
                .params
                .iter()
                .any(|p| p.name == r && p.kind == ParamKind::VarKeywords)
        })
    };
    match &expr.kind {
        ExprKind::Subscript { value, slice } if is_kwargs(value) => Some((slice.as_str()?, None)),
        ExprKind::Call(c) => {
            let (receiver, m) = c.method()?;
            if !matches!(m, "pop" | "get") || !is_kwargs(receiver) || !c.keywords.is_empty() {
                return None;
            }
            Some((c.args.first()?.as_str()?, c.args.get(1)))
        }
        _ => None,
    }
}

/// The parameters of a constructor, method or function bound to the expressions a call passes
/// by position or keyword (`self` skipped when `bound_self`).
pub fn call_bindings<'e>(
    function: &'e Function,
    call: &'e Call,
    bound_self: bool,
) -> Vec<(&'e str, &'e Expr)> {
    let positional = function
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional))
        .skip(usize::from(bound_self));
    let mut bound: Vec<(&str, &Expr)> = positional
        .zip(positional_args(&call.args))
        .map(|(p, a)| (p.name.as_str(), a))
        .collect();
    for k in &call.keywords {
        if let Some(name) = &k.arg
            && let Some(p) = function.params.iter().find(|p| p.name == *name)
        {
            bound.push((p.name.as_str(), &k.value));
        }
    }
    bound
}

/// [`prefix_value`] with each parameter bound to the text a caller's argument was read as.
fn prefix_value_with_texts(
    model: &ProjectModel,
    file: usize,
    class: Option<(usize, &Class)>,
    function: &Function,
    expr: &Expr,
    args: &[(&str, String)],
    depth: u32,
) -> Option<String> {
    let literals: Vec<Expr> = args
        .iter()
        .map(|(_, text)| Expr {
            kind: ExprKind::Str(text.clone()),
            span: expr.span,
        })
        .collect();
    let bindings: Vec<(&str, &Expr)> = args.iter().map(|(n, _)| *n).zip(literals.iter()).collect();
    prefix_value(model, file, class, function, expr, &bindings, depth)
}

/// The text of a prefix expression in `function` (a method of `class`, or a plain function
/// when `class` is `None`), with its parameters bound: literals, parameters (given or
/// defaulted), module constants, f-strings, `+`, `"/".join([...])` of a list or tuple, and
/// calls of the class's own methods that return one (`self.default_prefix(name)`).
fn prefix_value(
    model: &ProjectModel,
    file: usize,
    class: Option<(usize, &Class)>,
    function: &Function,
    expr: &Expr,
    bindings: &[(&str, &Expr)],
    depth: u32,
) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let again = |e: &Expr| prefix_value(model, file, class, function, e, bindings, depth + 1);
    match &expr.kind {
        ExprKind::Str(s) => Some(s.clone()),
        ExprKind::Int(Some(n)) => Some(n.to_string()),
        ExprKind::FString(parts) => parts
            .iter()
            .map(|p| match p {
                FStringPart::Literal(l) => Some(l.clone()),
                FStringPart::Value(v) => again(v),
            })
            .collect(),
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } => Some(again(left)? + &again(right)?),
        ExprKind::Name(n) => {
            // Bound by the caller: its literal, read where the call is.
            if let Some((_, value)) = bindings.iter().find(|(p, _)| *p == n.as_str()) {
                return match &value.kind {
                    ExprKind::Str(s) => Some(s.clone()),
                    ExprKind::Int(Some(i)) => Some(i.to_string()),
                    _ => None,
                };
            }
            if let Some(p) = function.params.iter().find(|p| p.name == *n) {
                return again(p.default.as_deref()?);
            }
            let origin = model.resolve_value(file, &[], expr);
            match &origin.expr.kind {
                ExprKind::Str(s) => Some(s.clone()),
                ExprKind::Int(Some(i)) => Some(i.to_string()),
                _ => None,
            }
        }
        ExprKind::Call(c) => {
            let ExprKind::Attribute { value, attr } = &c.func.kind else {
                return None;
            };
            // `'/'.join([API_PREFIX, f"v{api_version}", name])`: the items joined.
            if attr == "join"
                && let Some(separator) = value.as_str()
            {
                let ([items], []) = (c.args.as_slice(), c.keywords.as_slice()) else {
                    return None;
                };
                let (ExprKind::List(items) | ExprKind::Tuple(items)) = &items.kind else {
                    return None;
                };
                return items
                    .iter()
                    .map(again)
                    .collect::<Option<Vec<String>>>()
                    .map(|parts| parts.join(separator));
            }
            // `self.default_prefix(name)`, `cls.default_prefix(name)`: a method of the class.
            let (class_file, class) = class?;
            let on_class = matches!(value.as_name(), Some("self" | "cls"))
                || value.as_name() == Some(class.name.as_str());
            if !on_class {
                return None;
            }
            let (mf, _, method) = find_method(model, class_file, class, attr)?;
            let [
                Stmt::Return {
                    value: Some(returned),
                    ..
                },
            ] = code_statements(&method.body).as_slice()
            else {
                return None;
            };
            let bound_self = method
                .params
                .first()
                .is_some_and(|p| p.name == "self" || p.name == "cls");
            // The caller's arguments, each read where the call is made.
            let mut args: Vec<(&str, String)> = Vec::new();
            for (name, arg) in call_bindings(method, c, bound_self) {
                args.push((name, again(arg)?));
            }
            prefix_value_with_texts(
                model,
                mf,
                Some((class_file, class)),
                method,
                returned,
                &args,
                depth + 1,
            )
        }
        _ => None,
    }
}

/// A hook a project `Blueprint` subclass's constructor installs.
enum ConstructorHook<'a> {
    /// `self.before_request(check)`: the expression naming the hook.
    Registered(&'a Expr),
    /// `@self.before_request def check(): ...` inside the constructor.
    Defined(&'a Function),
}

/// The hooks a constructor's statements install on `self` for the construction `call`:
/// statements of its body, and of `if` blocks whose test is a flag parameter the call sets
/// (or leaves at its default), `if require_authentication:`. Other `if`s depend on what the
/// model cannot tell, so their hooks are left out.
fn constructor_hook_statements<'a>(
    body: &'a [Stmt],
    init: &Function,
    call: &Call,
    out: &mut Vec<(HookKind, ConstructorHook<'a>)>,
) {
    for stmt in body {
        match stmt {
            Stmt::Expr { value, .. } => {
                let Some(hook_call) = value.as_call() else {
                    continue;
                };
                let Some((receiver, attr)) = hook_call.method() else {
                    continue;
                };
                let Some(kind) = HookKind::of_registration(attr) else {
                    continue;
                };
                if receiver.as_name() != Some("self") {
                    continue;
                }
                if let Some(func_expr) = hook_call.args.first() {
                    out.push((kind, ConstructorHook::Registered(func_expr)));
                }
            }
            Stmt::FunctionDef(f) => {
                for decorator in &f.decorators {
                    let target = decorator.as_call().map_or(decorator, |c| &c.func);
                    if let ExprKind::Attribute { value, attr } = &target.kind
                        && value.as_name() == Some("self")
                        && let Some(kind) = HookKind::of_registration(attr)
                    {
                        out.push((kind, ConstructorHook::Defined(f)));
                    }
                }
            }
            Stmt::If {
                test, body, orelse, ..
            } => match constructor_flag(test, init, call) {
                Some(true) => constructor_hook_statements(body, init, call, out),
                Some(false) => constructor_hook_statements(orelse, init, call, out),
                None => {}
            },
            _ => {}
        }
    }
}

/// The value of a constructor's flag test for one construction: `if require_auth:` or `if
/// not require_auth:` where the parameter gets a literal `True`/`False` from the call or its
/// default. `None` when the value cannot be told (a variable, `**options`).
fn constructor_flag(test: &Expr, init: &Function, call: &Call) -> Option<bool> {
    if let ExprKind::UnaryOp {
        op: UnaryOp::Not,
        operand,
    } = &test.kind
    {
        return constructor_flag(operand, init, call).map(|b| !b);
    }
    let name = test.as_name()?;
    let (index, param) = init
        .params
        .iter()
        .enumerate()
        .find(|(_, p)| p.name == name)?;
    let positional = matches!(
        param.kind,
        ParamKind::Positional | ParamKind::PositionalOnly
    );
    let passed = call.keyword(name).or_else(|| {
        positional
            .then(|| {
                index
                    .checked_sub(1)
                    .and_then(|i| positional_args(&call.args).nth(i))
            })
            .flatten()
    });
    if let Some(passed) = passed {
        return passed.as_bool();
    }
    // Not passed by name or position: the default, unless `*args`/`**kwargs` may carry it.
    let spread = call.keywords.iter().any(|k| k.arg.is_none())
        || positional
            && call
                .args
                .iter()
                .any(|a| matches!(a.kind, ExprKind::Starred(_)));
    if spread {
        return None;
    }
    param.default.as_deref()?.as_bool()
}

/// `self.check`, `self.__class__.check`, `type(self).check`, `cls.check`: a method looked
/// up on the instance's class.
fn own_method_name(expr: &Expr) -> Option<&str> {
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return None;
    };
    let on_class = match &value.kind {
        ExprKind::Name(n) => n == "self" || n == "cls",
        ExprKind::Attribute { value, attr } => {
            attr == "__class__" && value.as_name() == Some("self")
        }
        ExprKind::Call(c) => {
            c.func.as_name() == Some("type")
                && c.args.len() == 1
                && c.args[0].as_name() == Some("self")
        }
        _ => false,
    };
    on_class.then_some(attr.as_str())
}

/// The project function a name denotes: one defined in an enclosing function (with the scope
/// it is defined in), at module level, or imported.
fn function_in<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &Expr,
) -> Option<(usize, &'a Function, Vec<&'a Function>)> {
    if let ExprKind::Name(name) = &expr.kind {
        for (i, f) in scope.iter().enumerate().rev() {
            if let Some(inner) = nested_function(f, name) {
                return Some((file, inner, scope[..=i].to_vec()));
            }
        }
    }
    match model.project_definition(file, expr)? {
        (f, Stmt::FunctionDef(function)) => Some((f, function, Vec::new())),
        _ => None,
    }
}

/// [`local_function`] in `function`'s body, which says first whether it may define `name`.
pub(crate) fn nested_function<'a>(function: &'a Function, name: &str) -> Option<&'a Function> {
    if !function.defined.may_contain(name) {
        return None;
    }
    local_function(&function.body, name)
}

/// The last `def name` in a function body, also inside `if`/`try`, not in nested functions.
pub(crate) fn local_function<'a>(body: &'a [Stmt], name: &str) -> Option<&'a Function> {
    let mut found = None;
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(f) if f.name == name => found = Some(f.as_ref()),
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other => {
                for child in other.child_bodies() {
                    if let Some(f) = local_function(child, name) {
                        found = Some(f);
                    }
                }
            }
        }
    }
    found
}

/// The name of an object kept on instances of a class: `RESTfulAPI._app`.
fn instance_attribute_name(class: &Class, attr: &str) -> String {
    format!("{}.{attr}", class.name)
}

/// The object kept in attribute `attr` of a module-level instance of a project class
/// (`app_state = ApplicationState()`, read here or imported) whose class declares the
/// attribute with a framework type (`api: FastAPI`): `app_state.api = FastAPI(...)` in a
/// function builds it, `app_state.api.include_router(...)` elsewhere mounts on it; or whose
/// class builds it in a method (`self.blueprint = Blueprint(...)`). Named for the class, as
/// `self.api` is: the instances share it.
fn module_instance_attribute(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    receiver: &Expr,
    attr: &str,
) -> Option<ObjectId> {
    let name = receiver.as_name()?;
    if name == "self"
        || scope
            .iter()
            .any(|f| f.assigned.may_contain(name) || f.params.iter().any(|p| p.name == name))
    {
        return None;
    }
    let module = &model.files[file];
    if module.top_level(name).is_none() && module.imports.get(name).is_none() {
        return None;
    }
    let (class_file, class) = module_instance_class(model, file, receiver)?;
    let declared = class.body.iter().any(|stmt| match stmt {
        Stmt::Assign {
            targets,
            annotation: Some(annotation),
            ..
        } => {
            targets.iter().any(|t| t.as_name() == Some(attr))
                && constructed_kind(model, class_file, unwrapped_optional(annotation)).is_some()
        }
        _ => false,
    });
    if declared {
        return Some(ObjectId {
            file: class_file,
            scope: None,
            name: instance_attribute_name(class, attr),
        });
    }
    // `api = Service(app)` whose class keeps `self.blueprint = Blueprint(...)`: `api.blueprint`
    // is that blueprint, the one its own methods register on (`@api.blueprint.before_request`).
    class_hierarchy(model, class_file, class)
        .into_iter()
        .find_map(|(f, c)| {
            instance_attribute_value(c, attr)
                .filter(|v| is_construction(model, f, v))
                .map(|_| ObjectId {
                    file: f,
                    scope: None,
                    name: instance_attribute_name(c, attr),
                })
        })
}

/// The value of the first `self.attr = value` in a class's own methods. `self.api_app = None`
/// (a placeholder in `__init__`) binds nothing the instance is used as: the next assignment is
/// what the attribute holds.
pub(crate) fn instance_attribute_value<'a>(class: &'a Class, attr: &str) -> Option<&'a Expr> {
    instance_attribute_values(class, attr).next()
}

/// The values of every `self.attr = value` in a class's own methods but `None`, in order.
fn instance_attribute_values<'a, 's>(
    class: &'a Class,
    attr: &'s str,
) -> impl Iterator<Item = &'a Expr> + use<'a, 's> {
    class
        .body
        .iter()
        .filter_map(move |stmt| match stmt {
            Stmt::FunctionDef(method) if method.self_attributes.may_contain(attr) => Some(
                crate::values::attribute_assignments(&method.body, attr)
                    .into_iter()
                    .filter(|(receiver, value)| {
                        receiver.as_name() == Some("self")
                            && !matches!(value.kind, ExprKind::NoneLiteral)
                    })
                    .map(|(_, value)| value),
            ),
            _ => None,
        })
        .flatten()
}

/// The object `self.attr` denotes in a method of a project class (or of a class a parameter
/// is annotated with: `api: "RESTfulAPI"`), when the class or a base builds it in a method
/// (`self._app = FastAPI()`).
fn instance_attribute_object(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    receiver: &Expr,
    attr: &str,
) -> Option<ObjectId> {
    let (class_file, class) = receiver_class(model, file, scope, receiver)?;
    class_instance_object(model, class_file, class, attr)
}

/// The object instances of a project class keep in `attr`, built by the class or a base in a
/// method (`self._app = FastAPI()`), by an attrs or dataclass field's factory, or handed to
/// the constructor (`self.app = app`, the `__init__` parameter).
fn class_instance_object(
    model: &ProjectModel,
    class_file: usize,
    class: &Class,
    attr: &str,
) -> Option<ObjectId> {
    class_hierarchy(model, class_file, class)
        .into_iter()
        .find_map(|(f, c)| {
            // `router: APIRouter = field(factory=APIRouter)`: each instance builds its own.
            if class_field_value(c, attr)
                .and_then(|v| field_construction(model, f, v))
                .is_some_and(|(func, _)| constructed_kind(model, f, func).is_some())
            {
                return Some(ObjectId {
                    file: f,
                    scope: None,
                    name: instance_attribute_name(c, attr),
                });
            }
            let value = instance_attribute_value(c, attr)?;
            if is_construction(model, f, value) {
                return Some(ObjectId {
                    file: f,
                    scope: None,
                    name: instance_attribute_name(c, attr),
                });
            }
            // `self.router = self.get_router()` where the getter builds the router if missing
            // and returns it: the router the getter builds.
            if let Some(id) = getter_built_object(model, class_file, class, value, attr) {
                return Some(id);
            }
            let init = c.body.iter().find_map(|stmt| match stmt {
                Stmt::FunctionDef(m) if m.name == "__init__" => Some(m),
                _ => None,
            });
            // `self.mount_root = app or default_app`: the constructor's parameter, which the
            // extractor also links to the fallback ([`Extractor::fallback_objects`]); without
            // one, the first alternative that is a module's object.
            if let Some(options) = alternatives(value) {
                if let Some(init) = init
                    && let Some(name) = options
                        .iter()
                        .find_map(|o| o.as_name().filter(|n| init_parameter(init, n)))
                {
                    return Some(parameter_id(f, init, name));
                }
                return options
                    .iter()
                    .filter(|o| o.as_name().is_some())
                    .find_map(|o| resolve_object(model, f, &[], o, 1));
            }
            // `def __init__(self, app): self.app = app`: the constructor's parameter, which
            // stands for what each `ServiceApi(app)` passes.
            let name = value.as_name()?;
            let init = init?;
            let param = init.params.iter().skip(1).find(|p| p.name == name)?;
            // `api_app: Optional[FastAPI] = None`, then `if not self.api_app: self.api_app =
            // FastAPI()` in a method: without an argument the instance builds its own, the
            // application of the code analysed.
            if param
                .default
                .as_deref()
                .is_some_and(|d| matches!(d.kind, ExprKind::NoneLiteral))
                && instance_attribute_values(c, attr).any(|v| is_construction(model, f, v))
            {
                return Some(ObjectId {
                    file: f,
                    scope: None,
                    name: instance_attribute_name(c, attr),
                });
            }
            Some(parameter_id(f, init, name))
        })
}

/// Whether the project builds module-level class `class` somewhere and every call of it
/// (decorators included: `@route("/", app=app)`) passes its constructor's parameter `param`.
fn every_construction_passes(
    model: &ProjectModel,
    class_file: usize,
    class: &Class,
    init: &Function,
    param: &str,
) -> bool {
    fn visit<'s>(body: &'s [Stmt], f: &mut impl FnMut(&'s Expr)) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(function) => function.decorators.iter().for_each(&mut *f),
                Stmt::ClassDef(c) => c.decorators.iter().for_each(&mut *f),
                other => other.for_each_own_expr(f),
            }
            for child in stmt.child_bodies() {
                visit(child, f);
            }
        }
    }
    let module_level = model.files[class_file]
        .body()
        .iter()
        .any(|s| matches!(s, Stmt::ClassDef(c) if std::ptr::eq(c.as_ref(), class)));
    let Some(index) = init
        .params
        .iter()
        .position(|p| p.name == param)
        .filter(|&i| i > 0)
    else {
        return false;
    };
    if !module_level {
        return false;
    }
    let (mut calls, mut passing) = (0, 0);
    for (file, source) in model.files_naming(class_file, &class.name) {
        visit(source.body(), &mut |e| {
            e.any(&mut |x| {
                if let Some(call) = x.as_call()
                    && call.func.last_name() == Some(class.name.as_str())
                    && matches!(model.resolve_definition(file, &call.func),
                        Some((_, Some(Stmt::ClassDef(c)), _)) if std::ptr::eq(c.as_ref(), class))
                {
                    calls += 1;
                    // After `self`, which the call does not pass.
                    if call.argument(param, index - 1).is_some() {
                        passing += 1;
                    }
                }
                false
            });
        });
    }
    calls > 0 && calls == passing
}

/// Whether `name` is a parameter of a constructor, after `self`.
fn init_parameter(init: &Function, name: &str) -> bool {
    init.params.iter().skip(1).any(|p| p.name == name)
}

/// The values an expression may take: the operands of `a or b`, the branches of `a if c else
/// b`.
fn alternatives(expr: &Expr) -> Option<Vec<&Expr>> {
    match &expr.kind {
        ExprKind::BoolOp {
            op: BoolOp::Or,
            values,
        } => Some(values.iter().collect()),
        ExprKind::IfExp { body, orelse, .. } => Some(vec![body, orelse]),
        _ => None,
    }
}

/// `self.get_router()` assigned to `self.attr`, where the method (looked up from the
/// instance's class) keeps a router it builds in the same attribute and returns that
/// attribute (`if self.router is None: self.router = APIRouter(...)`, `return self.router`):
/// the object the getter builds, named for the class defining the getter.
fn getter_built_object(
    model: &ProjectModel,
    class_file: usize,
    class: &Class,
    value: &Expr,
    attr: &str,
) -> Option<ObjectId> {
    let call = value.as_call()?;
    let ExprKind::Attribute {
        value: receiver,
        attr: getter,
    } = &call.func.kind
    else {
        return None;
    };
    if receiver.as_name() != Some("self") || !call.args.is_empty() || !call.keywords.is_empty() {
        return None;
    }
    let (method_file, method_class, method) = find_method(model, class_file, class, getter)?;
    let mut returns = 0;
    let mut returns_attr = true;
    for_each_return(&method.body, &mut |v| {
        returns += 1;
        returns_attr &= matches!(&v.kind, ExprKind::Attribute { value, attr: a }
            if a == attr && value.as_name() == Some("self"));
    });
    if returns == 0 || !returns_attr {
        return None;
    }
    crate::values::attribute_assignments(&method.body, attr)
        .into_iter()
        .any(|(receiver, value)| {
            receiver.as_name() == Some("self") && is_construction(model, method_file, value)
        })
        .then(|| ObjectId {
            file: method_file,
            scope: None,
            name: instance_attribute_name(method_class, attr),
        })
}

/// The function a `@property` returns as an endpoint (`def route_delete(self): async def
/// route(...): ...; return route`).
fn property_endpoint(method: &Function) -> Option<&Function> {
    if !method
        .decorators
        .iter()
        .any(|d| d.as_name() == Some("property"))
    {
        return None;
    }
    let mut returned = Vec::new();
    for_each_return(&method.body, &mut |v| returned.push(v.as_name()));
    match returned[..] {
        [Some(name)] => nested_function(method, name),
        _ => None,
    }
}

/// Whether an expression reads an attribute of `self` (`self.router_prefix`).
fn mentions_self_attribute(expr: &Expr) -> bool {
    expr.any(&mut |e| {
        matches!(&e.kind, ExprKind::Attribute { value, .. } if value.as_name() == Some("self"))
    })
}

/// The text of a path or prefix written in a method of a project class, for the instances of
/// `class`, the class actually instantiated (a subclass may set `router_prefix = "/file"`):
/// `self.attr` is what such an instance holds (see `instance_attribute_text`). `None` when a
/// part is unknown.
fn instance_path_text(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
    (class_file, class): (usize, &Class),
    depth: u32,
) -> Option<String> {
    if depth > 6 {
        return None;
    }
    let text = |e: &Expr| instance_path_text(model, file, scope, e, (class_file, class), depth + 1);
    match &expr.kind {
        ExprKind::Str(s) => Some(s.clone()),
        ExprKind::FString(parts) => parts
            .iter()
            .map(|p| match p {
                FStringPart::Literal(l) => Some(l.clone()),
                FStringPart::Value(v) => text(v),
            })
            .collect(),
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } => Some(text(left)? + &text(right)?),
        // `self.__class__.__name__`
        ExprKind::Attribute { value, attr } if attr == "__name__" => match &value.kind {
            ExprKind::Attribute { value: inner, attr } if attr == "__class__" => {
                (inner.as_name() == Some("self")).then(|| class.name.to_string())
            }
            _ => None,
        },
        ExprKind::Attribute { value, attr } if value.as_name() == Some("self") => {
            instance_attribute_text(model, class_file, class, attr, depth + 1)
        }
        _ if mentions_self_attribute(expr) => None,
        _ => {
            let text = path_text_at(model, file, scope, expr, depth);
            (!text.contains("<dynamic>") && !text.contains("{…}")).then_some(text)
        }
    }
}

/// The path text instances of `class` hold in `self.attr`: the class attribute of the class or
/// its nearest base (or a `@property` returning a path), unless an `__init__` rewrites it
/// (`self.form_path = self.form_path or f"{self.page_path}/api"`, the fallback taken when the
/// class gives `""` or `None`) or a method sets it when unset (`if self.prefix is None:
/// self.prefix = ...`). `None` when any other assignment may change it, or when unknown.
fn instance_attribute_text(
    model: &ProjectModel,
    class_file: usize,
    class: &Class,
    attr: &str,
    depth: u32,
) -> Option<String> {
    if depth > 6 {
        return None;
    }
    let is_self_attr = |e: &Expr| {
        matches!(&e.kind, ExprKind::Attribute { value, attr: a }
            if a == attr && value.as_name() == Some("self"))
    };
    let eval = |f: usize, scope: &[&Function], v: &Expr| {
        instance_path_text(model, f, scope, v, (class_file, class), depth + 1)
    };
    // What the class declares: `None` for `attr = None`, `Some(None)` when unknown.
    let hierarchy = class_hierarchy(model, class_file, class);
    let declared: Option<Option<String>> = hierarchy
        .iter()
        .find_map(|&(f, c)| {
            c.body.iter().rev().find_map(|s| match s {
                Stmt::Assign {
                    targets,
                    value: Some(v),
                    ..
                } if targets.iter().any(|t| t.as_name() == Some(attr)) => Some(match v.kind {
                    ExprKind::NoneLiteral => None,
                    _ => Some(eval(f, &[], v)),
                }),
                Stmt::FunctionDef(m) if m.name == attr => {
                    if !m.decorators.iter().any(|d| d.as_name() == Some("property")) {
                        return Some(Some(None));
                    }
                    let mut returned = Vec::new();
                    for_each_return(&m.body, &mut |v| returned.push(v));
                    Some(Some(match returned[..] {
                        [v] => eval(f, &[m], v),
                        _ => None,
                    }))
                }
                _ => None,
            })
        })
        .unwrap_or(Some(None));
    // The assignments of the methods: in `__init__` outside any block, or in a block run only
    // while the attribute is unset (`is None`, or also `""` for `not self.attr`).
    let mut init_values: Vec<(usize, &Function, &Expr)> = Vec::new();
    let mut unset_values: Vec<(usize, &Function, &Expr, bool)> = Vec::new();
    for &(f, c) in &hierarchy {
        for stmt in &c.body {
            let Stmt::FunctionDef(m) = stmt else { continue };
            if !m.self_attributes.may_contain(attr) {
                continue;
            }
            let all = crate::values::attribute_assignments(&m.body, attr)
                .into_iter()
                .filter(|(r, _)| r.as_name() == Some("self"))
                .count();
            let mut known = 0;
            if m.name == "__init__" {
                for s in &m.body {
                    if let Stmt::Assign {
                        targets,
                        value: Some(v),
                        ..
                    } = s
                        && targets.iter().any(is_self_attr)
                    {
                        init_values.push((f, m, v));
                        known += 1;
                    }
                }
            }
            let mut guarded = Vec::new();
            unset_guarded_assignments(&m.body, attr, &mut guarded);
            known += guarded.len();
            unset_values.extend(
                guarded
                    .into_iter()
                    .map(|(v, falsy)| (f, m.as_ref(), v, falsy)),
            );
            if known != all {
                return None;
            }
        }
    }
    let mut value: Option<Option<String>> = match init_values[..] {
        [] => declared,
        [(f, init, v)] => {
            // A value the constructor is given is the caller's.
            let from_parameter = v.any(&mut |e| {
                e.as_name()
                    .is_some_and(|n| init.params.iter().skip(1).any(|p| p.name == n))
            });
            if from_parameter {
                return None;
            }
            match &v.kind {
                ExprKind::BoolOp {
                    op: BoolOp::Or,
                    values,
                } if values.len() == 2 && is_self_attr(&values[0]) => match declared {
                    Some(Some(text)) if !text.is_empty() => Some(Some(text)),
                    None | Some(Some(_)) => Some(eval(f, &[init], &values[1])),
                    Some(None) => return None,
                },
                _ => Some(eval(f, &[init], v)),
            }
        }
        _ => return None,
    };
    let runs: Vec<_> = unset_values
        .iter()
        .filter(|(_, _, _, falsy)| match &value {
            None => true,
            Some(Some(text)) => *falsy && text.is_empty(),
            Some(None) => true,
        })
        .collect();
    match runs[..] {
        [] => {}
        // The value depends on whether the unknown value is set.
        _ if value == Some(None) => return None,
        [&(f, m, v, _)] => value = Some(eval(f, &[m], v)),
        _ => return None,
    }
    value.flatten()
}

/// The values assigned to `self.attr` in blocks that run only while it is unset (`if
/// self.attr is None:`, or `if not self.attr:`, which also counts `""` as unset: the flag).
fn unset_guarded_assignments<'a>(body: &'a [Stmt], attr: &str, out: &mut Vec<(&'a Expr, bool)>) {
    let is_self_attr = |e: &Expr| {
        matches!(&e.kind, ExprKind::Attribute { value, attr: a }
            if a == attr && value.as_name() == Some("self"))
    };
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::If {
                test, body, orelse, ..
            } if orelse.is_empty() => {
                let falsy = match &test.kind {
                    ExprKind::UnaryOp {
                        op: UnaryOp::Not,
                        operand,
                    } if is_self_attr(operand) => Some(true),
                    ExprKind::Compare {
                        left,
                        ops,
                        comparators,
                    } if is_self_attr(left)
                        && matches!(ops[..], [CmpOp::Is])
                        && matches!(
                            comparators.first().map(|c| &c.kind),
                            Some(ExprKind::NoneLiteral)
                        ) =>
                    {
                        Some(false)
                    }
                    _ => None,
                };
                let Some(falsy) = falsy else {
                    unset_guarded_assignments(body, attr, out);
                    continue;
                };
                for inner in body {
                    if let Stmt::Assign {
                        targets,
                        value: Some(v),
                        ..
                    } = inner
                        && targets.iter().any(is_self_attr)
                    {
                        out.push((v, falsy));
                    }
                }
            }
            other => {
                for child in other.child_bodies() {
                    unset_guarded_assignments(child, attr, out);
                }
            }
        }
    }
}

/// The value a class body gives `attr` (`router: APIRouter = field(factory=APIRouter)`).
fn class_field_value<'a>(class: &'a Class, attr: &str) -> Option<&'a Expr> {
    class.body.iter().find_map(|stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } if targets.iter().any(|t| t.as_name() == Some(attr)) => Some(value),
        _ => None,
    })
}

/// An attrs or dataclass field whose default a factory builds for each instance
/// (`field(factory=APIRouter)`, `attr.ib(default=attr.Factory(APIRouter))`,
/// `attr.Factory(lambda self: FastAPI(...), takes_self=True)`,
/// `dataclasses.field(default_factory=APIRouter)`): the factory callable (or the callable a
/// lambda calls) and the call whose keywords describe the object built.
fn field_construction<'a>(
    model: &ProjectModel,
    file: usize,
    value: &'a Expr,
) -> Option<(&'a Expr, &'a Call)> {
    let call = value.as_call()?;
    let imports = &model.files[file].imports;
    let factory = match imports.resolve(&call.func)?.as_str() {
        "attr.ib" | "attr.attrib" | "attr.field" | "attrs.field" => {
            call.keyword("factory").or_else(|| {
                let default = call.keyword("default")?.as_call()?;
                matches!(
                    imports.resolve(&default.func).as_deref(),
                    Some("attr.Factory" | "attrs.Factory")
                )
                .then(|| default.argument("factory", 0))
                .flatten()
            })?
        }
        "dataclasses.field" => call.keyword("default_factory")?,
        _ => return None,
    };
    match &factory.kind {
        ExprKind::Lambda(function) => {
            let inner = function.lambda_value()?.as_call()?;
            Some((&inner.func, inner))
        }
        _ => Some((factory, call)),
    }
}

/// `app.include_router(cog.router, prefix="/cog")` where `cog` is an instance of a project
/// class built here (`cog = TileFactory()` in the module or the function, or
/// `TileFactory().router`) that keeps a router it builds on the instance: the router object
/// the class's methods declare routes on (`@self.router.get(...)`), and the router of the
/// instances of this class, which has only the routes of the class's own and inherited methods.
fn instance_router<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &Expr,
) -> Option<InstanceView<'a>> {
    let ExprKind::Attribute {
        value: receiver,
        attr,
    } = &expr.kind
    else {
        return None;
    };
    let (class_file, class) = match &receiver.kind {
        ExprKind::Call(_) => receiver_class(model, file, scope, receiver)?,
        ExprKind::Name(name) if name != "self" => {
            let binder = scope.iter().rev().find(|f| {
                f.params.iter().any(|p| p.name == name)
                    || crate::values::local_assignment(f, name).is_some()
            });
            match binder {
                // `cog = TileFactory()`; not `main = group.pop(0)`, an item of an annotated
                // container, which may be an instance of any subclass.
                Some(f)
                    if crate::values::local_assignment(f, name)
                        .and_then(Expr::as_call)
                        .is_some_and(|c| {
                            matches!(
                                model.resolve_definition(file, &c.func),
                                Some((_, Some(Stmt::ClassDef(_)), _))
                            )
                        }) =>
                {
                    receiver_class(model, file, scope, receiver)?
                }
                // A parameter may be an instance of any subclass.
                Some(_) => return None,
                None => module_instance_class(model, file, receiver).or_else(|| {
                    // `if not settings.disable_cog: cog = TilerFactory(...)`: bound in a
                    // module-level block, included under the same test.
                    let module = &model.files[file];
                    if module.top_level(name).is_some() || module.imports.get(name).is_some() {
                        return None;
                    }
                    let block = std::slice::from_ref(module.block_binding(name)?);
                    let built = crate::values::last_assignment(block, name)?.as_call()?;
                    class_in(model, file, &built.func)
                })?,
            }
        }
        _ => return None,
    };
    let base = class_instance_object(model, class_file, class, attr)?;
    if base.scope.is_some() {
        return None;
    }
    Some(InstanceView {
        view: ObjectId {
            file: class_file,
            scope: None,
            name: format!("{}().{attr}", class.name),
        },
        base,
        class_file,
        class,
    })
}

/// The project class a parameter annotation names: `RESTfulAPI`, `"RESTfulAPI"`.
fn annotated_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    annotation: &Expr,
) -> Option<(usize, &'a Class)> {
    if let Some(text) = annotation.as_str() {
        let Some(Stmt::ClassDef(class)) = model.files[file].top_level(text) else {
            let qualified = model.files[file].imports.get(text)?.to_string();
            return match model.definition(&qualified)? {
                (f, Stmt::ClassDef(class)) => Some((f, class)),
                _ => None,
            };
        };
        return Some((file, class));
    }
    class_in(model, file, annotation)
}

/// The items appended to the list a `for var in list:` loop of the function iterates
/// (`routers.append(x)`, `routers.extend([y, z])` with a literal list).
fn appended_to_iterated<'a>(function: &'a Function, var: &str) -> Vec<&'a Expr> {
    let mut list = None;
    crate::security::walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::For { target, iter, .. } = stmt
            && target.as_name() == Some(var)
        {
            list = iter.dotted_parts();
        }
    });
    let Some(list) = list else {
        return Vec::new();
    };
    let (mut items, lists) = list_growth(&function.body, &list);
    items.extend(
        lists
            .into_iter()
            .flat_map(|l| l.elements().unwrap_or_default()),
    );
    items
}

/// What a body adds to the list a dotted name holds (`routes`, `self._blueprints`): the items
/// appended or inserted, and the lists it is extended with (`.extend(more)`, `+= more`).
fn list_growth<'a>(body: &'a [Stmt], list: &[&str]) -> (Vec<&'a Expr>, Vec<&'a Expr>) {
    let is_list = |e: &Expr| e.dotted_parts().is_some_and(|parts| parts == list);
    let mut items = Vec::new();
    let mut lists = Vec::new();
    crate::security::walk_stmts(body, &mut |stmt| match stmt {
        Stmt::AugAssign { target, value, .. } if is_list(target) => lists.push(value),
        Stmt::Expr { value, .. } => {
            let Some(call) = value.as_call() else { return };
            let Some((receiver, attr)) = call.method() else {
                return;
            };
            if !is_list(receiver) {
                return;
            }
            match (attr, call.args.as_slice()) {
                ("append", [item]) | ("insert", [_, item]) => items.push(item),
                ("extend", [more]) => lists.push(more),
                _ => {}
            }
        }
        _ => {}
    });
    (items, lists)
}

/// Whether a method registers routes, resources or other objects on its instance:
/// `self.add_resource(Notes, "/notes")`, `self.include_router(health)`, also from a function
/// it defines (`@self.route("/")`). Hooks are not counted: a `Blueprint` subclass's
/// constructor hooks are read per construction ([`Extractor::constructor_hooks`]). Nor is a
/// registration template, whose arguments are the parameters of the method or of a function
/// in it (an overridden `def get(self, path)` that runs `self.add_route(self.prefix + path,
/// ...)`): its callers' registrations are the routes.
fn registers_on_self(method: &Function) -> bool {
    let mut params: Vec<&str> = method
        .params
        .iter()
        .skip(1)
        .map(|p| p.name.as_str())
        .collect();
    fn nested_params<'f>(body: &'f [Stmt], out: &mut Vec<&'f str>) {
        crate::security::walk_stmts(body, &mut |stmt| {
            if let Stmt::FunctionDef(inner) = stmt {
                out.extend(inner.params.iter().map(|p| p.name.as_str()));
                nested_params(&inner.body, out);
            }
        });
    }
    nested_params(&method.body, &mut params);
    let registration = |x: &Expr| {
        let Some(call) = x.as_call() else {
            return false;
        };
        let Some((receiver, attr)) = call.method() else {
            return false;
        };
        receiver.as_name() == Some("self")
            && matches!(
                attr,
                "add_resource"
                    | "add_namespace"
                    | "include_router"
                    | "register_blueprint"
                    | "mount"
                    | "add_api_route"
                    | "add_route"
                    | "add_url_rule"
                    | "add_api_websocket_route"
                    | "add_websocket_route"
                    | "route"
                    | "api_route"
                    | "get"
                    | "post"
                    | "put"
                    | "patch"
                    | "delete"
            )
            && !call
                .argument_values()
                .any(|a| a.any(&mut |n| n.as_name().is_some_and(|n| params.contains(&n))))
    };
    let mut found = false;
    crate::security::walk_stmts(&method.body, &mut |stmt| {
        if let Stmt::FunctionDef(inner) = stmt {
            found |= inner
                .decorators
                .iter()
                .any(|d| d.any(&mut |x| registration(x)));
        }
    });
    if !found {
        crate::security::walk_exprs(&method.body, &mut |e| {
            found |= e.any(&mut |x| registration(x));
        });
    }
    found
}

/// The object a function's parameter stands for inside the function.
fn parameter_id(file: usize, function: &Function, param: &str) -> ObjectId {
    ObjectId {
        file,
        scope: Some(function.span.start),
        name: param.to_string(),
    }
}

/// The names a function includes in another object (`app.include_router(router)`,
/// `app.register_blueprint(bp)`, `app.mount(path, sub)`): which of its parameters it
/// includes, when they are.
/// Whether a class's `__init__` keeps its parameter on the instance (`self.notes_router =
/// notes_router`) and one of the class's methods includes that attribute in another object
/// (`self.app.include_router(self.notes_router, prefix="/v3")`): the parameter is a router or
/// blueprint the class mounts, not an application it registers on.
fn kept_and_included(model: &ProjectModel, file: usize, init: &Function, param: &str) -> bool {
    let kept: Vec<&str> = init
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if value.as_name() == Some(param) => targets.iter().find_map(|t| match &t.kind {
                ExprKind::Attribute { value, attr } if value.as_name() == Some("self") => {
                    Some(attr.as_str())
                }
                _ => None,
            }),
            _ => None,
        })
        .collect();
    if kept.is_empty() {
        return false;
    }
    let Some(class) = class_of_method(model.files[file].body(), init) else {
        return false;
    };
    class.body.iter().any(|stmt| {
        let Stmt::FunctionDef(method) = stmt else {
            return false;
        };
        let mut found = false;
        crate::security::walk_exprs(&method.body, &mut |e| {
            e.any(&mut |x| {
                if let Some(call) = x.as_call()
                    && let ExprKind::Attribute { attr, .. } = &call.func.kind
                    && let Some(ExprKind::Attribute { value, attr: child }) = match attr.as_str() {
                        "include_router" => call.argument("router", 0),
                        "register_blueprint" => call.argument("blueprint", 0),
                        _ => None,
                    }
                    .map(|c| &c.kind)
                    && value.as_name() == Some("self")
                    && kept.contains(&child.as_str())
                {
                    found = true;
                }
                false
            });
        });
        found
    })
}

fn included_names(function: &Function) -> Vec<&str> {
    let mut names = Vec::new();
    crate::security::walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            if let Some(call) = x.as_call()
                && let ExprKind::Attribute { attr, .. } = &call.func.kind
            {
                let child = match attr.as_str() {
                    "include_router" => call.argument("router", 0),
                    "register_blueprint" => call.argument("blueprint", 0),
                    "mount" => call.argument("app", 1),
                    _ => None,
                };
                names.extend(child.and_then(Expr::as_name));
            }
            false
        });
    });
    names
}

/// The method `self.name` denotes inside a method (`scope`'s innermost function) of a project
/// class, or `api.name` for a parameter annotated with one: the class's own or the nearest
/// base's.
fn bound_method<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &Expr,
) -> Option<(usize, &'a Function)> {
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return None;
    };
    let (class_file, class) = receiver_class(model, file, scope, value)?;
    find_method(model, class_file, class, attr).map(|(f, _, m)| (f, m))
}

/// The method a bound method of an instance stands for, when the instance is a module-level
/// instance of a project class (`service = JobService()`, then `service.submit`) or a
/// parameter of a module-level function that every call gives an instance of one project
/// class (`def create_app(server)` called as `create_app(TAXIIServer(config))`).
fn instance_method<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &Expr,
) -> Option<(usize, &'a Function)> {
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return None;
    };
    let name = value.as_name()?;
    let binder = scope.iter().rev().find(|f| {
        f.params.iter().any(|p| p.name == name)
            || crate::values::local_assignment(f, name).is_some()
    });
    let (class_file, class) = match binder {
        // A local variable: `receiver_class` reads what it is bound to.
        Some(f) if crate::values::local_assignment(f, name).is_some() => return None,
        Some(f) => argument_class(model, file, f, name)?,
        None => module_instance_class(model, file, value)?,
    };
    find_method(model, class_file, class, attr).map(|(f, _, m)| (f, m))
}

/// The project class of the instances the calls of module-level function `function` pass for
/// `param`, from its own module and the modules that import it: `create_app(server)` with
/// `server = TAXIIServer(config)` or `create_app(TAXIIServer(config))`. `None` unless every
/// call passes an instance of the same class.
fn argument_class<'a>(
    model: &'a ProjectModel,
    def_file: usize,
    function: &Function,
    param: &str,
) -> Option<(usize, &'a Class)> {
    let index = function.params.iter().position(|p| p.name == param)?;
    let calls = project_calls_of(model, def_file, function)?;
    let mut found: Option<(usize, &'a Class)> = None;
    for (file, caller, call) in calls {
        let arg = call.argument(param, index)?;
        let built = match arg.as_name() {
            Some(name) => match caller.and_then(|f| crate::values::local_assignment(f, name)) {
                Some(value) => value.as_call().map(|c| (file, c)),
                None => {
                    let origin = model.follow(file, &[], arg)?;
                    origin.expr.as_call().map(|c| (origin.file, c))
                }
            },
            None => arg.as_call().map(|c| (file, c)),
        };
        let (built_file, built) = built?;
        let Some((class_file, Stmt::ClassDef(class))) = model
            .resolve_definition(built_file, &built.func)
            .and_then(|(f, stmt, _)| Some((f, stmt?)))
        else {
            return None;
        };
        match found {
            Some((_, c)) if !std::ptr::eq(c, class.as_ref()) => return None,
            _ => found = Some((class_file, class)),
        }
    }
    found
}

/// The string every call of module-level function `function` passes for `param` (or leaves
/// at its literal default), from its own module and the modules that import it:
/// `register_blueprints(app, url_prefix="/v2")`. `None` unless there are calls and they
/// agree.
fn argument_literal(
    model: &ProjectModel,
    def_file: usize,
    function: &Function,
    param: &str,
) -> Option<String> {
    let index = function.params.iter().position(|p| p.name == param)?;
    let default = function.params[index].default.as_deref();
    let mut found: Option<&str> = None;
    for (_, _, call) in project_calls_of(model, def_file, function)? {
        let text = call.argument(param, index).or(default)?.as_str()?;
        match found {
            Some(f) if f != text => return None,
            _ => found = Some(text),
        }
    }
    found.map(str::to_string)
}

/// The calls of module-level function `function` in its own module and the modules that
/// import it, with the file and the module-level function each is made in. `None` when the
/// function is not defined at module level.
fn project_calls_of<'a>(
    model: &'a ProjectModel,
    def_file: usize,
    function: &Function,
) -> Option<Vec<(usize, Option<&'a Function>, &'a Call)>> {
    let module_level = model.files[def_file]
        .body()
        .iter()
        .any(|s| matches!(s, Stmt::FunctionDef(f) if std::ptr::eq(f.as_ref(), function)));
    if !module_level {
        return None;
    }
    let mut calls: Vec<(usize, Option<&'a Function>, &'a Call)> = Vec::new();
    for (file, source) in model.files_naming(def_file, &function.name) {
        for stmt in source.body() {
            let (caller, stmts): (Option<&'a Function>, &'a [Stmt]) = match stmt {
                Stmt::FunctionDef(f) => (Some(f.as_ref()), &f.body),
                Stmt::ClassDef(_) => continue,
                other => (None, std::slice::from_ref(other)),
            };
            crate::security::walk_all_exprs(stmts, &mut |e| {
                e.any(&mut |x| {
                    if let Some(call) = x.as_call()
                        && call.func.last_name() == Some(function.name.as_str())
                        && matches!(model.resolve_definition(file, &call.func),
                            Some((_, Some(Stmt::FunctionDef(f)), _))
                                if std::ptr::eq(f.as_ref(), function))
                    {
                        calls.push((file, caller, call));
                    }
                    false
                });
            });
        }
    }
    Some(calls)
}

/// The project class of a module-level instance, here or imported: `_proxy =
/// GatewayProxy("desktop")`.
fn module_instance_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    receiver: &Expr,
) -> Option<(usize, &'a Class)> {
    let origin = model.follow(file, &[], receiver)?;
    let built = origin.expr.as_call()?;
    match model.resolve_definition(origin.file, &built.func)? {
        (class_file, Some(Stmt::ClassDef(class)), _) => Some((class_file, class)),
        _ => None,
    }
}

/// The project class of an object handed to a class's constructor and kept on the instance:
/// `self.web` after `def __init__(self, web): self.web = web` (in the class or a project base),
/// when every construction of the class passes an instance of one project class,
/// `UploadModeWeb(self)` in a method of `Web` or `UploadModeWeb(Web())`.
fn injected_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
    attr: &str,
) -> Option<(usize, &'a Class)> {
    let (found_file, start) = model
        .injected_class_memo((file, class.span.start, attr.to_string()), || {
            injected_class_scan(model, file, class, attr).map(|(f, c)| (f, c.span.start))
        })?;
    class_starting_at(model.files[found_file].body(), start).map(|c| (found_file, c))
}

/// The class defined at `start` in `body`, at any depth.
fn class_starting_at(body: &[Stmt], start: u32) -> Option<&Class> {
    body.iter().find_map(|stmt| match stmt {
        Stmt::ClassDef(c) if c.span.start == start => Some(c.as_ref()),
        other if other.span().start <= start && start < other.span().end => other
            .child_bodies()
            .find_map(|child| class_starting_at(child, start)),
        _ => None,
    })
}

fn injected_class_scan<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
    attr: &str,
) -> Option<(usize, &'a Class)> {
    let (param, index) = class_hierarchy(model, file, class)
        .into_iter()
        .find_map(|(_, c)| {
            let name = instance_attribute_value(c, attr)?.as_name()?;
            let init = c.body.iter().find_map(|stmt| match stmt {
                Stmt::FunctionDef(m) if m.name == "__init__" => Some(m),
                _ => None,
            })?;
            let index = init.params.iter().position(|p| p.name == name)?;
            Some((name, index.checked_sub(1)?))
        })?;
    // Only top-level classes can be named from other modules.
    let top_level = model.files[file]
        .body()
        .iter()
        .any(|s| matches!(s, Stmt::ClassDef(c) if std::ptr::eq(c.as_ref(), class)));
    if !top_level {
        return None;
    }
    let mut found: Option<(usize, &'a Class)> = None;
    let mut constructions = 0;
    for (caller_file, source) in model.files_naming(file, &class.name) {
        for stmt in source.body() {
            // The class whose methods make the calls: what `self` is there.
            let (caller_class, stmts): (Option<&'a Class>, &'a [Stmt]) = match stmt {
                Stmt::ClassDef(c) => (Some(c.as_ref()), &c.body),
                other => (None, std::slice::from_ref(other)),
            };
            let mut agree = true;
            crate::security::walk_all_exprs(stmts, &mut |e| {
                e.any(&mut |x| {
                    let Some(call) = x.as_call() else {
                        return false;
                    };
                    if call.func.last_name() != Some(class.name.as_str())
                        || !matches!(model.resolve_definition(caller_file, &call.func),
                            Some((_, Some(Stmt::ClassDef(c)), _)) if std::ptr::eq(c.as_ref(), class))
                    {
                        return false;
                    }
                    constructions += 1;
                    let passed = match call.argument(param, index) {
                        Some(arg) if arg.as_name() == Some("self") => {
                            caller_class.map(|c| (caller_file, c))
                        }
                        Some(arg) => arg.as_call().and_then(|built| {
                            match model.resolve_definition(caller_file, &built.func)? {
                                (f, Some(Stmt::ClassDef(c)), _) => Some((f, c.as_ref())),
                                _ => None,
                            }
                        }),
                        None => None,
                    };
                    match (passed, found) {
                        (Some((_, p)), Some((_, f))) if !std::ptr::eq(p, f) => agree = false,
                        (Some(p), _) => found = Some(p),
                        (None, _) => agree = false,
                    }
                    false
                });
            });
            if !agree {
                return None;
            }
        }
    }
    found.filter(|_| constructions > 0)
}

/// The project class of `self` in a method, or of a parameter annotated with a class
/// (`api: "RESTfulAPI"`).
fn receiver_class<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    receiver: &Expr,
) -> Option<(usize, &'a Class)> {
    // `UserAPI().blueprint`: an instance built where it is used.
    if let Some(call) = receiver.as_call() {
        return match model.resolve_definition(file, &call.func)? {
            (class_file, Some(Stmt::ClassDef(class)), _) => Some((class_file, class)),
            _ => None,
        };
    }
    // `self._server`, set to `Holder()` in `__init__`: an instance of that class.
    if let ExprKind::Attribute { value, attr } = &receiver.kind
        && value.as_name() == Some("self")
    {
        let class = class_of_method(model.files[file].body(), scope.last()?)?;
        let Some(built) = instance_attribute_value(class, attr).and_then(Expr::as_call) else {
            return injected_class(model, file, class, attr);
        };
        // `self.authentication = self.authentication_class(...)` with `authentication_class =
        // Type(default_value=DummyAuthentication, config=True)`: the class a traitlets setting
        // holds when nothing is configured.
        let (class_file, callee) = match &built.func.kind {
            ExprKind::Attribute { value, attr } if value.as_name() == Some("self") => {
                let (f, declared) = class_attribute(model, file, class, attr)?;
                let setting = declared.as_call()?;
                if !model.files[f]
                    .imports
                    .resolve(&setting.func)
                    .is_some_and(|q| q.starts_with("traitlets."))
                {
                    return None;
                }
                (f, setting.argument("default_value", 0)?)
            }
            _ => (file, &built.func),
        };
        return match model.resolve_definition(class_file, callee)? {
            (class_file, Some(Stmt::ClassDef(class)), _) => Some((class_file, class)),
            _ => None,
        };
    }
    let name = receiver.as_name()?;
    if name == "self" {
        return Some((
            file,
            class_of_method(model.files[file].body(), scope.last()?)?,
        ));
    }
    // `endpoints = V2Endpoints(dataplane)`: a local instance of a project class.
    let local = scope
        .iter()
        .rev()
        .find_map(|f| crate::values::local_assignment(f, name));
    if let Some(call) = local.and_then(Expr::as_call)
        && let Some((class_file, Some(Stmt::ClassDef(class)), _)) =
            model.resolve_definition(file, &call.func)
    {
        return Some((class_file, class));
    }
    // A parameter annotated with the class, or an item of an annotated container.
    annotated_class(
        model,
        file,
        name_annotation(model, file, scope, name, local, 0)?,
    )
}

/// The annotation of what `expr` holds in a function: a parameter's own (`resource:
/// Resource`); for `self.attr` set from an `__init__` parameter (`self.resources =
/// resources`), that parameter's; for a container's item, the item type of the container's
/// (`for prefix, group in self.resources.items()` with `resources: dict[str, list[Resource]]`
/// gives `list[Resource]`, then `main = group.pop(0)` and `for r in group:` `Resource`).
fn held_annotation<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    depth: u32,
) -> Option<&'a Expr> {
    if depth > 4 {
        return None;
    }
    match &expr.kind {
        ExprKind::Name(name) => {
            let local = scope
                .iter()
                .rev()
                .find_map(|f| crate::values::local_assignment(f, name));
            name_annotation(model, file, scope, name, local, depth)
        }
        // `self.resources`, assigned an `__init__` parameter of the class.
        ExprKind::Attribute { value, attr } if value.as_name() == Some("self") => {
            let class = class_of_method(model.files[file].body(), scope.last()?)?;
            let param = instance_attribute_value(class, attr)?.as_name()?;
            let init = class.body.iter().find_map(|stmt| match stmt {
                Stmt::FunctionDef(m) if m.name == "__init__" => Some(m),
                _ => None,
            })?;
            init.params
                .iter()
                .find(|p| p.name == param)?
                .annotation
                .as_deref()
        }
        _ => None,
    }
}

/// [`held_annotation`] of a name, given its local assignment in the enclosing functions.
fn name_annotation<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    name: &str,
    local: Option<&'a Expr>,
    depth: u32,
) -> Option<&'a Expr> {
    if let Some(value) = local {
        // `main = group.pop(0)`, `first = group[0]`: an item of the container.
        let container = match &value.kind {
            ExprKind::Call(call) => match call.method() {
                Some((receiver, "pop" | "popleft")) => receiver,
                _ => return None,
            },
            ExprKind::Subscript { value, .. } => value,
            ExprKind::Name(_) => return held_annotation(model, file, scope, value, depth + 1),
            _ => return None,
        };
        return container_item(held_annotation(model, file, scope, container, depth + 1)?);
    }
    if let Some(param) = scope
        .iter()
        .rev()
        .flat_map(|f| f.params.iter())
        .find(|p| p.name == name)
    {
        return param.annotation.as_deref();
    }
    // A loop variable of the current function.
    let current = scope.last()?;
    let module = &model.files[file];
    if module.imports.get(name).is_some() || module.top_level(name).is_some() {
        return None;
    }
    let mut looped = None;
    crate::security::walk_stmts(&current.body, &mut |stmt| {
        if looped.is_none()
            && let Stmt::For { target, iter, .. } = stmt
        {
            let index = match &target.kind {
                ExprKind::Name(n) if n == name => Some(None),
                ExprKind::Tuple(parts) | ExprKind::List(parts) => parts
                    .iter()
                    .position(|p| p.as_name() == Some(name))
                    .map(Some),
                _ => None,
            };
            looped = index.map(|i| (i, &**iter));
        }
    });
    let (index, iter) = looped?;
    // `.items()`, `.values()`, `.keys()` of a mapping; else the items.
    if let Some(call) = iter.as_call()
        && call.args.is_empty()
        && let Some((mapping, view @ ("items" | "values" | "keys"))) = call.method()
    {
        let held = held_annotation(model, file, scope, mapping, depth + 1)?;
        let (key, value) = mapping_types(held)?;
        return match (view, index) {
            ("items", Some(0)) | ("keys", None) => Some(key),
            ("items", Some(1)) | ("values", None) => Some(value),
            _ => None,
        };
    }
    if index.is_some() {
        return None;
    }
    container_item(held_annotation(model, file, scope, iter, depth + 1)?)
}

/// `Optional[X]`: `X`; any other annotation as it is.
fn unwrapped_optional(mut annotation: &Expr) -> &Expr {
    while let ExprKind::Subscript { value, slice } = &annotation.kind
        && value.last_name() == Some("Optional")
    {
        annotation = slice;
    }
    annotation
}

/// The item type of a sequence annotation: `list[Resource]`, `Sequence[Resource]`.
fn container_item(annotation: &Expr) -> Option<&Expr> {
    let ExprKind::Subscript { value, slice } = &unwrapped_optional(annotation).kind else {
        return None;
    };
    matches!(
        value.last_name()?,
        "List"
            | "list"
            | "Sequence"
            | "MutableSequence"
            | "Iterable"
            | "Collection"
            | "Set"
            | "set"
            | "FrozenSet"
            | "frozenset"
            | "Deque"
            | "deque"
    )
    .then_some(&**slice)
}

/// The key and value types of a mapping annotation: `dict[str, list[Resource]]`.
fn mapping_types(annotation: &Expr) -> Option<(&Expr, &Expr)> {
    let ExprKind::Subscript { value, slice } = &unwrapped_optional(annotation).kind else {
        return None;
    };
    if !matches!(
        value.last_name()?,
        "Dict"
            | "dict"
            | "Mapping"
            | "MutableMapping"
            | "OrderedDict"
            | "DefaultDict"
            | "defaultdict"
    ) {
        return None;
    }
    match &slice.kind {
        ExprKind::Tuple(parts) if parts.len() == 2 => Some((&parts[0], &parts[1])),
        _ => None,
    }
}

/// The functions a call may run, with the enclosing functions of each: a project function, or a
/// method called on `self`. A method without a `return` value in the class (an abstract
/// `def build_routes(self): ...`) stands for the project subclasses' overrides.
fn called_functions<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    func: &Expr,
) -> Vec<(usize, &'a Function, Vec<&'a Function>)> {
    if let Some(found) = function_in(model, file, scope, func) {
        return vec![found];
    }
    let Some((def_file, method)) = bound_method(model, file, scope, func) else {
        return Vec::new();
    };
    let mut returns_value = false;
    for_each_return(&method.body, &mut |_| returns_value = true);
    if returns_value {
        return vec![(def_file, method, Vec::new())];
    }
    let Some(class) = class_of_method(model.files[def_file].body(), method) else {
        return Vec::new();
    };
    overrides(model, def_file, class, &method.name)
        .into_iter()
        .map(|(f, m)| (f, m, Vec::new()))
        .collect()
}

/// The parameter whose items a function returns: `return routes` with `routes` a parameter it
/// never rebinds, or a local list that only ever gets each item of one parameter appended
/// (`wrapped = []; for route in routes: ...; wrapped.append(route)`; `return wrapped`).
fn returned_parameter<'a>(function: &'a Function, value: &Expr) -> Option<&'a str> {
    let name = value.as_name()?;
    let param = |n: &str| function.params.iter().find(|p| p.name == n);
    if let Some(p) = param(name) {
        return (!function.assigned.may_contain(name)).then_some(p.name.as_str());
    }
    let initial = crate::values::local_assignment(function, name)?;
    if !matches!(&initial.kind, ExprKind::List(items) if items.is_empty()) {
        return None;
    }
    let (items, lists) = list_growth(&function.body, &[name]);
    if !lists.is_empty() || items.is_empty() {
        return None;
    }
    // The loop variables of `for item in param:` loops, with the parameter each walks.
    let mut loops: Vec<(&str, &str)> = Vec::new();
    crate::security::walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::For { target, iter, .. } = stmt
            && let (Some(var), Some(walked)) = (target.as_name(), iter.as_name())
            && let Some(p) = param(walked)
        {
            loops.push((var, p.name.as_str()));
        }
    });
    let mut walked = items.iter().map(|item| {
        item.as_name()
            .and_then(|n| loops.iter().find(|(var, _)| *var == n))
            .map(|&(_, p)| p)
    });
    let first = walked.next()??;
    walked.all(|p| p == Some(first)).then_some(first)
}

/// The argument a call passes for a parameter of the function it calls, by keyword or by
/// position (after `self` for a method called on an object).
pub(crate) fn parameter_argument<'a>(
    function: &Function,
    call: &'a Call,
    param: &str,
) -> Option<&'a Expr> {
    if let Some(k) = call
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a == param))
    {
        return Some(&k.value);
    }
    let bound_self = matches!(call.func.kind, ExprKind::Attribute { .. })
        && function
            .params
            .first()
            .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"));
    let index = function
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional))
        .skip(usize::from(bound_self))
        .position(|p| p.name == param)?;
    positional_args(&call.args).nth(index)
}

/// The methods `name` of the project's module-level subclasses of `class`.
fn overrides<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
    name: &str,
) -> Vec<(usize, &'a Function)> {
    let mut out = Vec::new();
    for (f, module) in model.files.iter().enumerate() {
        for stmt in module.body() {
            let Stmt::ClassDef(sub) = stmt else { continue };
            if std::ptr::eq(sub.as_ref(), class) || sub.bases.is_empty() {
                continue;
            }
            let derives = class_hierarchy(model, f, sub)
                .iter()
                .skip(1)
                .any(|(bf, c)| *bf == file && std::ptr::eq(*c, class));
            if !derives {
                continue;
            }
            out.extend(sub.body.iter().filter_map(|s| match s {
                Stmt::FunctionDef(m) if m.name == name => Some((f, m.as_ref())),
                _ => None,
            }));
        }
    }
    out
}

/// The class whose body defines `method`, found by position in a module's statements.
pub fn class_of_method<'a>(body: &'a [Stmt], method: &Function) -> Option<&'a Class> {
    let start = method.span.start;
    for stmt in body {
        let span = stmt.span();
        if span.start > start || span.end < start {
            continue;
        }
        if let Stmt::ClassDef(c) = stmt
            && c.body
                .iter()
                .any(|s| matches!(s, Stmt::FunctionDef(m) if m.span.start == start))
        {
            return Some(c);
        }
        for child in stmt.child_bodies() {
            if let Some(c) = class_of_method(child, method) {
                return Some(c);
            }
        }
    }
    None
}

/// The positional arguments before the first `*args`.
fn positional_args(args: &[Expr]) -> impl Iterator<Item = &Expr> {
    args.iter()
        .take_while(|a| !matches!(a.kind, ExprKind::Starred(_)))
}

fn class_in<'a>(model: &'a ProjectModel, file: usize, expr: &Expr) -> Option<(usize, &'a Class)> {
    match model.resolve_definition(file, expr)? {
        (f, Some(Stmt::ClassDef(class)), _) => Some((f, class)),
        _ => None,
    }
}

/// Calls `f` with every statement in `body` and nested in it, nested functions included.
fn visit_stmts<'s>(body: &'s [Stmt], f: &mut impl FnMut(&'s Stmt)) {
    for stmt in body {
        f(stmt);
        for child in stmt.child_bodies() {
            visit_stmts(child, f);
        }
    }
}

/// Whether a call in `expr` takes something `is_ref` accepts as an argument.
fn passes(expr: &Expr, is_ref: &impl Fn(&Expr) -> bool) -> bool {
    expr.any(&mut |e| {
        e.as_call().is_some_and(|c| {
            c.args.iter().any(is_ref) || c.keywords.iter().any(|k| is_ref(&k.value))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::one_line;

    /// The model of a project made of one module, `app.py`.
    fn one_file_model(source: &str) -> crate::ProjectModel {
        crate::ProjectModel::build(
            vec![crate::InputFile {
                path: std::path::PathBuf::from("/project/app.py"),
                display: "app.py".to_string(),
                text: source.to_string(),
            }],
            &[],
        )
    }

    /// The model of a project made of several modules, each `(path, source)` with the path
    /// relative to the project folder.
    fn project_model(files: &[(&str, &str)]) -> crate::ProjectModel {
        crate::ProjectModel::build(
            files
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::Path::new("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        )
    }

    /// Every route reached from an application: `app METHODS path auth`, the auth being the
    /// mechanisms that protect it (`-` for none), sorted.
    fn attached_routes(model: &crate::ProjectModel) -> Vec<String> {
        let surface = crate::security::AttackSurface::build(model, &Default::default(), &|_| false);
        let mut out: Vec<String> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter_map(|(m, sec)| {
                let app = surface.apps.app_of(m)?;
                let route = surface.route(m);
                let mut auth: Vec<&str> = sec.auth.iter().map(|p| p.mechanism.as_str()).collect();
                auth.sort();
                let auth = if auth.is_empty() {
                    "-".to_string()
                } else {
                    auth.join("+")
                };
                Some(format!(
                    "{} {} {} {auth}",
                    surface.apps.display_object(app),
                    route.methods.join(","),
                    m.full_path
                ))
            })
            .collect();
        out.sort();
        out
    }

    /// `uvicorn.Config(remote, port=N)` with no host on an application the function builds and
    /// hands to nothing else is a loopback sidecar; with a host from a parameter it is not.
    #[test]
    fn loopback_sidecar_servers_are_throwaway() {
        let model = one_file_model(
            r#"
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route


async def put(request):
    return None


async def run_bridge():
    bridge = Starlette(routes=[Route("/bridge_put", put, methods=["POST"])])
    await uvicorn.Server(uvicorn.Config(bridge, port=7311)).serve()


def run_open(host):
    opened = Starlette(routes=[Route("/open_put", put, methods=["POST"])])
    uvicorn.run(opened, host=host, port=7312)
"#,
        );
        let apps = super::AppModel::build(&model, &|_| false);
        let mounted = apps.mounted_routes();
        let throwaway: Vec<(&str, bool)> = mounted
            .iter()
            .map(|m| (m.full_path.as_str(), apps.is_throwaway(m)))
            .collect();
        assert!(throwaway.contains(&("/bridge_put", true)), "{throwaway:?}");
        assert!(throwaway.contains(&("/open_put", false)), "{throwaway:?}");
    }

    /// `module = importlib.import_module("pkg.resources." + name)` for each name of a literal
    /// tuple kept in another module (in a function, or at module level over a list), then
    /// `module.setup(api, base)`: each named module's `setup` is handed the `Api`, so its
    /// resources are the application's routes; a module the list does not name is not loaded.
    #[test]
    fn setup_of_modules_imported_by_name_over_a_literal_list() {
        let model = project_model(&[
            ("shop/__init__.py", ""),
            ("shop/resources/__init__.py", ""),
            ("shop/settings.py", "RESOURCES = (\"basket\", \"login\")\n"),
            (
                "shop/server.py",
                r#"
import importlib

from flask import Flask
from flask_restful import Api

from shop.settings import RESOURCES

app = Flask(__name__)
api = Api(app)


def load_resources(api, base):
    for name in RESOURCES:
        module = importlib.import_module("shop.resources." + name)
        module.setup(api, base)


load_resources(api, "/api")

for extra in ["stock"]:
    extension = importlib.import_module("shop.resources." + extra)
    extension.setup(api, "/api")
"#,
            ),
            (
                "shop/resources/basket.py",
                r#"
from flask_jwt_extended import jwt_required
from flask_restful import Resource


def setup(api, base):
    api.add_resource(Basket, base + "/basket")


class Basket(Resource):
    @jwt_required()
    def post(self):
        return {}
"#,
            ),
            (
                "shop/resources/login.py",
                r#"
from flask_restful import Resource


def setup(api, base):
    api.add_resource(Login, base + "/token")


class Login(Resource):
    def post(self):
        return {}
"#,
            ),
            (
                "shop/resources/stock.py",
                r#"
from flask_restful import Resource


def setup(api, base):
    api.add_resource(Stock, "/api/stock")


class Stock(Resource):
    def delete(self):
        return {}
"#,
            ),
            (
                "shop/resources/archive.py",
                r#"
from flask_restful import Resource


def setup(api, base):
    api.add_resource(Archive, "/api/archive")


class Archive(Resource):
    def delete(self):
        return {}
"#,
            ),
        ]);
        let routes = attached_routes(&model);
        assert!(
            routes.contains(&"shop.server.app DELETE /api/stock -".to_string()),
            "{routes:?}"
        );
        assert!(
            routes.iter().any(|r| r.starts_with("shop.server.app POST ")
                && r.ends_with("/basket @jwt_required()")),
            "{routes:?}"
        );
        assert!(
            routes
                .iter()
                .any(|r| r.starts_with("shop.server.app POST ") && r.ends_with("/token -")),
            "{routes:?}"
        );
        assert!(!routes.iter().any(|r| r.contains("archive")), "{routes:?}");
        assert_eq!(routes.len(), 3, "{routes:?}");
    }

    /// `path = "/".join([api_base, module_name])` with `module_name = __name__.split(".")[-1]`:
    /// the module's last name is known, a base read from the deployment's configuration stays
    /// `<dynamic>` (`<dynamic>/token/device`), and a module constant is read
    /// (`/api/v2/inventory`). The node login is public, the other routes are not protected.
    #[test]
    fn resource_paths_joined_with_the_module_name() {
        let model = project_model(&[
            ("grid/__init__.py", ""),
            ("grid/resources/__init__.py", ""),
            (
                "grid/settings.py",
                "RESOURCES = [\"token\", \"device\", \"inventory\"]\n",
            ),
            (
                "grid/server.py",
                r#"
import importlib
import json
import os

from flask import Flask
from flask_restful import Api

from grid.settings import RESOURCES

app = Flask(__name__)
api = Api(app)
config = json.load(open(os.environ["GRID_CONFIG"]))


def load_resources():
    for name in RESOURCES:
        module = importlib.import_module("grid.resources." + name)
        module.setup(api, config["api_path"])


load_resources()
"#,
            ),
            (
                "grid/resources/token.py",
                r#"
from flask_restful import Resource

module_name = __name__.split(".")[-1]


def setup(api, api_base):
    path = "/".join([api_base, module_name])
    api.add_resource(DeviceToken, path + "/device", methods=("POST",))


class DeviceToken(Resource):
    def post(self):
        return {}
"#,
            ),
            (
                "grid/resources/device.py",
                r#"
from flask_jwt_extended import jwt_required
from flask_restful import Resource

module_name = __name__.split(".")[-1]


def setup(api, api_base):
    path = "/".join([api_base, module_name])
    api.add_resource(Device, path + "/<int:id>", methods=("DELETE",))


class Device(Resource):
    @jwt_required()
    def delete(self, id):
        return {}
"#,
            ),
            (
                "grid/resources/inventory.py",
                r#"
from flask_restful import Resource

API_ROOT = "/api/v2"
module_name = __name__.split(".")[-1]


def setup(api, api_base):
    path = "/".join([API_ROOT, module_name])
    api.add_resource(Inventory, path, methods=("POST",))


class Inventory(Resource):
    def post(self):
        return {}
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "grid.server.app DELETE <dynamic>/device/<int:id> @jwt_required()",
                "grid.server.app POST /api/v2/inventory -",
                "grid.server.app POST <dynamic>/token/device -",
            ]
        );
    }

    /// Routes registered under a test that reads configuration exist only when it holds: the
    /// route's own registration and each include on its way to the app count, an `if`/`else`
    /// pair including the same router is always, a development switch is development-only,
    /// and a test of anything else (a parameter, `self`, a lazily filled global) is no
    /// condition anyone can act on, so none is shown.
    /// The condition of an `else` is the test's negation read from the expression: a
    /// comparison inside a call is not turned round (`not (enabled(MODE == "open"))`, not
    /// `enabled(MODE != "open")`), and a negated `or` keeps its brackets.
    #[test]
    fn else_branches_name_the_negated_test() {
        let model = project_model(&[
            (
                "svc/settings.py",
                "import os\nMODE = os.environ.get(\"MODE\")\nA = os.environ.get(\"A\")\nB = os.environ.get(\"B\")\n",
            ),
            (
                "svc/app.py",
                r#"
from fastapi import APIRouter, FastAPI

from svc import settings
from svc.settings import MODE

app = FastAPI()
admin = APIRouter()
tools = APIRouter()
extra = APIRouter()


def enabled(flag):
    return bool(flag)


@admin.post("/admin/reset")
def reset():
    return {}


@tools.post("/tools/run")
def run():
    return {}


@extra.post("/extra/run")
def run_extra():
    return {}


if enabled(MODE == "open"):
    pass
else:
    app.include_router(admin)

if not (settings.A or settings.B):
    pass
else:
    app.include_router(tools)

if settings.MODE == "open":
    pass
else:
    app.include_router(extra)
"#,
            ),
        ]);
        let surface =
            crate::security::AttackSurface::build(&model, &Default::default(), &|_| false);
        let mut seen: Vec<String> = surface
            .mounted
            .iter()
            .map(|m| {
                let when = match surface.apps.registered_when(m, &surface.mounted) {
                    super::When::If(c, _) => c,
                    other => format!("{other:?}"),
                };
                format!("{} {when}", m.full_path)
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                "/admin/reset not (enabled(MODE == \"open\"))",
                "/extra/run settings.MODE != \"open\"",
                "/tools/run (settings.A or settings.B)",
            ]
        );
    }

    #[test]
    fn routes_registered_under_a_setting_exist_only_when_it_holds() {
        let model = project_model(&[
            (
                "svc/settings.py",
                "import os\nENABLE_OIDC = os.environ.get(\"ENABLE_OIDC\") == \"1\"\nMETRICS = True\n",
            ),
            (
                "svc/app.py",
                r#"
from fastapi import APIRouter, FastAPI

from svc import settings

app = FastAPI()
oidc = APIRouter()
metrics = APIRouter()
debug = APIRouter()
plugins = APIRouter()
APP = None


@oidc.post("/oidc/authenticate")
def authenticate():
    return {}


@metrics.get("/metrics")
def read_metrics():
    return {}


@debug.post("/debug/reset")
def reset():
    return {}


@plugins.get("/plugins")
def list_plugins():
    return {}


if settings.ENABLE_OIDC:
    app.include_router(oidc)

if settings.METRICS:
    app.include_router(metrics)
else:
    app.include_router(metrics)

if app.debug:
    app.include_router(debug)


def mount_plugins(target, wanted):
    if wanted:
        target.include_router(plugins)


mount_plugins(app, True)

if settings.ENABLE_OIDC:

    @app.get("/oidc/callback")
    def callback():
        return {}


def get_app():
    global APP
    if not APP:
        APP = app
    return APP
"#,
            ),
        ]);
        let surface =
            crate::security::AttackSurface::build(&model, &Default::default(), &|_| false);
        let mut seen: Vec<String> = surface
            .mounted
            .iter()
            .map(|m| {
                let when = match surface.apps.registered_when(m, &surface.mounted) {
                    super::When::If(c, _) => format!("If({c:?})"),
                    other => format!("{other:?}"),
                };
                format!("{} {when}", m.full_path)
            })
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(
            seen,
            [
                "/debug/reset DevOnly(\"app.debug\")",
                "/metrics Always",
                "/oidc/authenticate If(\"settings.ENABLE_OIDC\")",
                "/oidc/callback If(\"settings.ENABLE_OIDC\")",
                "/plugins Always",
            ]
        );
    }

    /// A path read from a settings mapping with a literal default is that default, as for
    /// `os.environ.get(K, "/lit")`: `params.get(k, "/lit")` of a dict read from JSON (also
    /// set into the dict by the helper that returns it, then read as `params[k]`), of a
    /// module-level dict literal, of a Flask application's `config`. A `.get` of a parameter
    /// or of the request's data stays `<dynamic>`.
    #[test]
    fn settings_mapping_defaults_are_paths() {
        let model = project_model(&[
            (
                "server.py",
                r#"
import json
from pathlib import Path

from fastapi import FastAPI

app = FastAPI()
ROUTES = {"probe": "/probe"}


def read_settings(path):
    with open(path) as f:
        return json.load(f)


def get_server_params():
    params = read_settings(Path("settings.json"))["defaults"]
    params["endpoint"] = params.get("endpoint", "/classify")
    return params


def start_server():
    params = get_server_params()
    endpoint = params["endpoint"]

    @app.post(endpoint)
    async def classify():
        return []

    @app.get(ROUTES.get("status", "/status"))
    async def status():
        return {}

    @app.get(ROUTES["probe"])
    async def probe():
        return {}


def register(options: dict):
    @app.post(options.get("path", "/from-parameter"))
    async def submitted():
        return {}
"#,
            ),
            (
                "panel.py",
                r#"
from flask import Flask, request

app = Flask(__name__)


def admin():
    return "admin"


def install():
    app.add_url_rule(app.config.get("ADMIN_PATH", "/admin"), view_func=admin, methods=["POST"])
    app.add_url_rule(request.args.get("next", "/from-request"), view_func=admin, methods=["POST"])
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "panel.app POST /admin -",
                "panel.app POST <dynamic> -",
                "server.app GET /probe -",
                "server.app GET /status -",
                "server.app POST /classify -",
                "server.app POST <dynamic> -",
            ]
        );
    }

    #[test]
    fn one_line_closes_up_brackets() {
        assert_eq!(
            one_line("Depends(\n    deps.authenticate_request\n)"),
            "Depends(deps.authenticate_request)"
        );
        assert_eq!(
            one_line("Security(\n  user,\n  scopes=[\n    \"admin\" ]\n)"),
            "Security(user, scopes=[\"admin\"])"
        );
        assert_eq!(one_line("a  ==\tb"), "a == b");
    }

    /// Lambdas registered as handlers (`add_api_route`, `add_url_rule`, Starlette's `Route`)
    /// are routes, with the default methods of each registration and the lambda as handler.
    #[test]
    fn lambda_handlers_are_routes() {
        let source = r#"
from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from flask import Flask, redirect
from starlette.applications import Starlette
from starlette.routing import Route


class Server:
    def __init__(self):
        self.app = FastAPI()
        router = APIRouter()
        router.add_api_route("/docs", lambda: RedirectResponse(url="/"))
        router.add_api_route("/items", lambda: [], methods=["POST"])
        self.app.include_router(router)


site = Flask(__name__)
site.add_url_rule("/home", "home", lambda: redirect("/"))
panel = Starlette(routes=[Route("/health", lambda request: "ok")])
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.Server.app GET /docs -",
                "app.Server.app POST /items -",
                "app.panel GET /health -",
                "app.site GET /home -",
            ]
        );
        let apps = super::AppModel::build(&model, &|_| false);
        assert!(apps.routes.iter().all(|r| r.handler.name == "<lambda>"));
        let health = apps.routes.iter().find(|r| r.path == "/health").unwrap();
        assert_eq!(health.handler.params[0].name, "request");
    }

    /// A path chosen by a condition the analysis cannot decide is each of its literal
    /// alternatives: a module variable assigned in both branches of an `if`, a conditional
    /// expression in a local variable. A later plain assignment replaces earlier ones, and a
    /// parameter stays `<dynamic>`.
    #[test]
    fn paths_chosen_by_a_condition_are_one_route_each() {
        let source = r#"
from flask import Flask

try:
    import extra
except ImportError:
    extra = None

app = Flask(__name__)

if extra:
    landing = "/legacy"
else:
    landing = "/"

replaced = "/old"
if extra:
    replaced = "/new-a"
replaced = "/final"


@app.route(landing)
def landing_page():
    return "hi"


@app.route(replaced)
def replaced_page():
    return "hi"


def register(debug, prefix):
    entry = "/debug" if debug else "/status"
    app.add_url_rule(entry, "entry", landing_page, methods=["POST"])
    app.add_url_rule(prefix, "given", landing_page)
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.app GET / -",
                "app.app GET /final -",
                "app.app GET /legacy -",
                "app.app GET <dynamic> -",
                "app.app POST /debug -",
                "app.app POST /status -",
            ]
        );
    }

    /// `add_url_rule(rule, view_func=..., methods=verbs)` with methods that cannot be read
    /// (taken from a tag a decorator put on the function): the methods are unknown, shown as
    /// `<dynamic>` like an unknown path, not Flask's default GET. Readable methods, and a
    /// call without `methods=`, keep theirs; a `MethodView` keeps each method it defines.
    #[test]
    fn unreadable_methods_are_unknown() {
        let source = r#"
from inspect import getmembers, ismethod

from flask import Flask
from flask.views import MethodView, View
from flask_login import login_required

app = Flask(__name__)


class HookView(View):
    def __init__(self, func):
        self.func = func

    def dispatch_request(self, *args, **kwargs):
        return self.func(**kwargs)


class ItemsView(MethodView):
    def get(self):
        return "items"

    def post(self):
        return "added"


def register(obj):
    for name, func in getmembers(obj, ismethod):
        verbs = func._hook_methods
        app.add_url_rule(func._hook_rule, view_func=HookView.as_view(name, func), methods=verbs)
        app.add_url_rule("/guarded", view_func=login_required(HookView.as_view(name, func)), methods=verbs)
        app.add_url_rule("/items", view_func=ItemsView.as_view("items"), methods=verbs)
        app.add_url_rule("/plain", view_func=HookView.as_view(name + "_plain", func))
        app.add_url_rule("/listed", view_func=HookView.as_view(name + "_listed", func), methods=["PUT"])
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.app <dynamic> /guarded @login_required",
                "app.app <dynamic> <dynamic> -",
                "app.app GET /items -",
                "app.app GET /plain -",
                "app.app POST /items -",
                "app.app PUT /listed -",
            ]
        );
    }

    /// Route decorators and Starlette's `Route` with `methods=` a parameter, an attribute or a
    /// call's result: `<dynamic>` methods, as for `add_url_rule`. Literal lists, module
    /// constants, `methods=None` and no `methods=` keep what they say (the default GET).
    #[test]
    fn unreadable_decorator_methods_are_unknown() {
        let source = r#"
from fastapi import FastAPI
from flask import Blueprint, Flask
from flask_login import login_required
from starlette.applications import Starlette
from starlette.routing import Route

app = Flask(__name__)
bp = Blueprint("bp", __name__)
api = FastAPI()
WRITES = ("POST", "DELETE")


class Settings:
    verbs = load()


def install(verbs):
    @app.route("/param", methods=verbs)
    def param():
        return ""

    @app.route("/guarded", methods=verbs)
    @login_required
    def guarded():
        return ""

    @app.route("/none", methods=None)
    def none():
        return ""

    @api.api_route("/fast", methods=verbs)
    async def fast():
        return {}

    async def star(request):
        return None

    return Starlette(routes=[Route("/star", star, methods=verbs), Route("/read", star, methods=["GET"])])


@bp.route("/attr", methods=Settings.verbs)
def attr():
    return ""


@bp.route("/called", methods=load())
def called():
    return ""


@bp.route("/constant", methods=WRITES)
def constant():
    return ""


@bp.route("/plain")
def plain():
    return ""


app.register_blueprint(bp)
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.api <dynamic> /fast -",
                "app.app <dynamic> /attr -",
                "app.app <dynamic> /called -",
                "app.app <dynamic> /guarded @login_required",
                "app.app <dynamic> /param -",
                "app.app GET /none -",
                "app.app GET /plain -",
                "app.app POST,DELETE /constant -",
                "app.install() <dynamic> /star -",
                "app.install() GET /read -",
            ]
        );
    }

    /// A project `Blueprint` subclass whose overridden `route()` registers the view with
    /// `self.add_url_rule(rule, ...)` under the rule its callers give: only the callers'
    /// routes are routes, not the template's `<dynamic>` rules.
    #[test]
    fn a_blueprint_subclass_registration_template_is_not_a_route() {
        let source = r#"
import flask


class Rest(flask.Blueprint):
    def route(self, rule, **options):
        def decorator(func):
            def handler(**kwargs):
                return func(**kwargs)

            self.add_url_rule(rule, func.__name__, handler, **options)
            self.add_url_rule("/<tenant_id>" + rule, func.__name__, handler, **options)
            return func

        return decorator


rest = Rest("v1", __name__)


@rest.route("/things", methods=["POST"])
def things_create():
    return {}


app = flask.Flask(__name__)
app.register_blueprint(rest, url_prefix="/v1")
"#;
        let model = one_file_model(source);
        let apps = super::AppModel::build(&model, &|_| false);
        let paths: Vec<&str> = apps.routes.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/things"]);
    }

    /// A registration helper nested in the function that receives the application, looping
    /// over the `(rule, defaults)` list each call passes: one route per item, its path built
    /// with `%s`, a trailing slash added under a flag the call may turn off, a registration
    /// under a flag only the call that sets it reaches, and the methods of the view class
    /// the call gives (its own `methods`, or its base's).
    #[test]
    fn a_nested_helper_registers_each_item_of_the_list_its_caller_passes() {
        let source = r#"
import flask
from flask.views import View


class Base(View):
    methods = ["GET", "POST"]


class Items(Base):
    methods = ["GET"]

    def dispatch_request(self, **kwargs):
        return ""


class Hook(Base):
    def dispatch_request(self, **kwargs):
        return ""


def add_routes(app):
    def add_view(view, name, rules, scoped=True, slash=True, legacy=False):
        view_func = view.as_view(name)
        for rule, defaults in rules:
            url = "/<int:site>/%s" % rule if scoped else "/%s" % rule
            if slash:
                url += "/"
            app.add_url_rule(url, defaults=defaults, view_func=view_func)
            if legacy:
                app.add_url_rule("/old" + url, view_func=view_func)

    add_view(Items, "items", [("items/<sku>", None), ("items", {"sku": None})])
    add_view(Hook, "hook", [("hook/<c>", None)], scoped=False, slash=False, legacy=True)


app = flask.Flask(__name__)
add_routes(app)
"#;
        let model = one_file_model(source);
        let apps = super::AppModel::build(&model, &|_| false);
        let mut routes: Vec<String> = apps
            .routes
            .iter()
            .map(|r| format!("{} {}", r.methods.join(","), r.path))
            .collect();
        routes.sort();
        assert_eq!(
            routes,
            [
                "GET /<int:site>/items/",
                "GET /<int:site>/items/<sku>/",
                "GET,POST /hook/<c>",
                "GET,POST /old/hook/<c>",
            ]
        );
    }

    #[test]
    fn instance_routers_take_paths_from_the_class_instantiated() {
        let source = r#"
from fastapi import APIRouter, FastAPI


class RouterMixin:
    router: APIRouter = None
    router_prefix = None

    def __init__(self):
        self.router = self.get_router()

    def get_router(self):
        if self.router is None:
            if self.router_prefix is None:
                self.router_prefix = f"/{self.__class__.__name__}"
            self.router = APIRouter(prefix=self.router_prefix)
        return self.router


class Page(RouterMixin):
    page_path = ""
    form_path = ""

    def __init__(self):
        super().__init__()
        self.form_path = self.form_path or f"{self.page_path}/api"

    def register(self):
        self.router.add_api_route(self.form_path, self.submit, methods=["POST"])

    async def submit(self, data: dict):
        return data


class Settings(Page):
    router_prefix = "/form"
    page_path = "/settings"


class Profile(Page):
    form_path = "/save"


app = FastAPI()
settings = Settings()
settings.register()
app.include_router(settings.router)
profile = Profile()
profile.register()
app.include_router(profile.router)
"#;
        let model = one_file_model(source);
        let apps = super::AppModel::build(&model, &|_| false);
        let mut routes: Vec<String> = apps
            .mounted_routes()
            .iter()
            .filter(|m| !m.chain.is_empty())
            .map(|m| m.full_path.clone())
            .collect();
        routes.sort();
        assert_eq!(routes, ["/Profile/save", "/form/settings/api"]);
    }

    #[test]
    fn fastapi_documentation_urls_used_as_paths_are_the_constructor_values() {
        let source = r#"
from fastapi import FastAPI

app = FastAPI(docs_url=None, redoc_url="/reference")


@app.get(app.swagger_ui_oauth2_redirect_url, include_in_schema=False)
async def redirect():
    return ""


@app.get(app.redoc_url, include_in_schema=False)
async def redoc():
    return ""


@app.get(app.docs_url, include_in_schema=False)
async def docs():
    return ""


def build(**options):
    other = FastAPI(**options)

    @other.get(other.openapi_url)
    async def schema():
        return {}

    return other
"#;
        let model = one_file_model(source);
        let apps = super::AppModel::build(&model, &|_| false);
        let mut routes: Vec<String> = apps
            .routes
            .iter()
            .map(|r| format!("{} {}", r.handler.name, r.path))
            .collect();
        routes.sort();
        // Switched off, or possibly set by the caller's options: unknown.
        assert_eq!(
            routes,
            [
                "docs <dynamic>",
                "redirect /docs/oauth2-redirect",
                "redoc /reference",
                "schema <dynamic>",
            ]
        );
    }

    /// `include_router(**row)` in loops over lists of dicts (joined with `+`, one kept in
    /// another module): each row's router is included with the row's prefix and dependencies.
    #[test]
    fn routers_included_from_rows_of_keyword_arguments() {
        let model = project_model(&[
            ("svc/__init__.py", ""),
            (
                "svc/auth.py",
                r#"
from fastapi import HTTPException, Request


async def user(request: Request):
    if not request.headers.get("x-user"):
        raise HTTPException(status_code=401)


async def admin(request: Request):
    if request.headers.get("x-user") != "root":
        raise HTTPException(status_code=403)
"#,
            ),
            (
                "svc/items.py",
                r#"
from fastapi import APIRouter

router = APIRouter()


@router.get("/")
async def listing():
    return []


@router.delete("/{item_id}")
async def remove(item_id: int):
    return {}
"#,
            ),
            (
                "svc/tables.py",
                r#"
from svc import items

BASE = [{"router": items.router, "prefix": "/items", "tags": ["Items"]}]
"#,
            ),
            (
                "svc/main.py",
                r#"
from fastapi import APIRouter, Depends, FastAPI

from svc import items
from svc.auth import admin, user
from svc.tables import BASE

ADMIN_ONLY = [Depends(admin)]
rows = BASE + [
    {"router": items.router, "prefix": "/admin/items", "dependencies": ADMIN_ONLY},
]
users = APIRouter(dependencies=[Depends(user)])
for row in rows:
    users.include_router(**row)

app = FastAPI()
app.include_router(users, prefix="/v2")
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "svc.main.app DELETE /v2/admin/items/{item_id} Depends(admin)+Depends(user)",
                "svc.main.app DELETE /v2/items/{item_id} Depends(user)",
                "svc.main.app GET /v2/admin/items/ Depends(admin)+Depends(user)",
                "svc.main.app GET /v2/items/ Depends(user)",
            ]
        );
    }

    /// A helper that includes pages into the router it is given and returns it, called once
    /// per prefix with a router built in the call: each call's router is an object of its own,
    /// with its own prefix and dependencies.
    #[test]
    fn a_router_built_for_each_call_of_a_returning_helper_is_its_own() {
        let source = r#"
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request


async def user(request: Request):
    if not request.headers.get("x-user"):
        raise HTTPException(status_code=401)


pages = APIRouter()


@pages.post("/login")
async def login():
    return {}


def include_pages(router: APIRouter) -> APIRouter:
    router.include_router(pages)
    return router


default_router = include_pages(APIRouter())
tenant_router = include_pages(APIRouter(prefix="/{tenant}", dependencies=[Depends(user)]))

app = FastAPI()
app.include_router(default_router)
app.include_router(tenant_router)
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.app POST /login -",
                "app.app POST /{tenant}/login Depends(user)",
            ]
        );
    }

    /// `report_api = make_subapi_blueprint(SUB_API, api_version=3)`, where the project helper
    /// returns `Blueprint(name, name, url_prefix="/".join([API_PREFIX, f"v{api_version}",
    /// name]))`: each call builds its own blueprint, whose prefix its arguments (literals,
    /// constants of the calling module, the helper's defaults) give; an argument computed at run
    /// time leaves the prefix unknown.
    #[test]
    fn a_blueprint_built_by_a_helper_takes_the_prefix_its_arguments_give() {
        let model = project_model(&[
            ("svc/__init__.py", ""),
            (
                "svc/base.py",
                r#"
from flask import Blueprint

API_PREFIX = "/api"


def make_subapi_blueprint(name, api_version=4):
    return Blueprint(name, name, url_prefix="/".join([API_PREFIX, f"v{api_version}", name]))
"#,
            ),
            (
                "svc/report.py",
                r#"
from flask_login import login_required

from svc.base import make_subapi_blueprint

SUB_API = "report"
report_api = make_subapi_blueprint(SUB_API, api_version=3)


@report_api.route("/list/", methods=["GET"])
@login_required
def list_reports():
    return []
"#,
            ),
            (
                "svc/auth.py",
                r#"
import os

from svc.base import make_subapi_blueprint

auth_api = make_subapi_blueprint("auth")
tenant_api = make_subapi_blueprint(os.environ["TENANT"])


@auth_api.route("/reset_pwd/", methods=["POST"])
def reset_pwd():
    return {}


@tenant_api.route("/notes/", methods=["POST"])
def add_note():
    return {}
"#,
            ),
            (
                "svc/app.py",
                r#"
from flask import Flask

from svc.auth import auth_api, tenant_api
from svc.report import report_api

app = Flask(__name__)
app.register_blueprint(report_api)
app.register_blueprint(auth_api)
app.register_blueprint(tenant_api)
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "svc.app.app GET /api/v3/report/list/ @login_required",
                "svc.app.app POST /api/v4/auth/reset_pwd/ -",
                "svc.app.app POST <dynamic>/notes/ -",
            ]
        );
    }

    /// A blueprint imported in `try:` and bound to `None` in `except ImportError:` (in the
    /// factory, or before the `try` at module level) is the imported blueprint wherever it is
    /// registered, and its limit is the blueprint's.
    #[test]
    fn a_blueprint_bound_to_none_when_its_import_fails_is_the_imported_one() {
        let model = project_model(&[
            ("shop/__init__.py", ""),
            (
                "shop/parts.py",
                r#"
from flask import Blueprint

sync_bp = Blueprint("sync", __name__, url_prefix="/sync")
feed_bp = Blueprint("feed", __name__, url_prefix="/feed")


@sync_bp.route("/orders/<int:order_id>", methods=["DELETE"])
def delete_order(order_id):
    return "", 204


@feed_bp.route("/items")
def items():
    return []
"#,
            ),
            (
                "shop/app.py",
                r#"
from flask import Flask
from flask_limiter import Limiter

limiter = Limiter(key_func=lambda: "")

feed_bp = None
try:
    from .parts import feed_bp
except ImportError:
    pass


def create_app():
    app = Flask(__name__)
    limiter.init_app(app)
    try:
        from .parts import sync_bp
        sync_available = True
    except ImportError:
        sync_available = False
        sync_bp = None
    if sync_available:
        limiter.limit("3/minute")(sync_bp)
        app.register_blueprint(sync_bp)
    if feed_bp:
        app.register_blueprint(feed_bp)
    return app
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "shop.app.create_app().app DELETE /sync/orders/<int:order_id> -",
                "shop.app.create_app().app GET /feed/items -",
            ]
        );
        let surface =
            crate::security::AttackSurface::build(&model, &Default::default(), &|_| false);
        let limited: Vec<&str> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter(|(_, sec)| sec.is_rate_limited())
            .map(|(m, _)| m.full_path.as_str())
            .collect();
        assert_eq!(limited, ["/sync/orders/<int:order_id>"]);
    }

    /// `self.mount_root = app or default_app` in a decorator class's constructor: routes the
    /// instance registers go on the module's application when some use passes none, on the
    /// application a use passes (`@expose("/x", app=app)`), and not on the fallback of a class
    /// every use of which passes one.
    #[test]
    fn an_instance_registers_on_the_app_given_or_the_module_default() {
        let source = r#"
from fastapi import Depends, FastAPI, HTTPException, Request


async def key(request: Request):
    if not request.headers.get("x-user"):
        raise HTTPException(status_code=401)


default_app = FastAPI()
keyed_app = FastAPI(dependencies=[Depends(key)])


class expose:
    def __init__(self, path="/invoke", app=None):
        self.path = path
        self.mount_root = app or default_app

    def __call__(self, func):
        async def invoke(request: Request):
            return func()

        self.mount_root.add_api_route("/invoke", invoke, methods=["POST"])
        return func


class internal:
    def __init__(self, app=None):
        self.target = app if app is not None else default_app

    def __call__(self, func):
        async def run(request: Request):
            return func()

        self.target.add_api_route("/run", run, methods=["POST"])
        return func


@expose("/x", app=keyed_app)
def x():
    return 1


@expose()
def y():
    return 2


@internal(app=keyed_app)
def z():
    return 3
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.default_app POST /invoke -",
                "app.keyed_app POST /invoke Depends(key)",
                "app.keyed_app POST /run Depends(key)",
            ]
        );
    }

    /// The module's default application and the sub-applications mounted into it come from
    /// one factory, so the model has one object for them: a sub-application mounted into the
    /// parameter that stands for the default is not that application mounted into itself.
    #[test]
    fn a_factory_instance_mounted_into_the_default_it_stands_for_is_not_a_root() {
        let source = r#"
from fastapi import FastAPI


def create_app():
    app = FastAPI()

    @app.get("/health")
    async def health():
        return {}

    return app


default_app = create_app()


class route:
    def __init__(self, path="/", app=None):
        self.path = path
        self.mount_root = app or default_app

    def __call__(self, func):
        async def invoke():
            return func()

        if self.path == "/":
            self.mount_root.add_api_route("/invoke", invoke, methods=["POST"])
            return func
        sub_app = create_app()
        sub_app.add_api_route("/run", invoke, methods=["POST"])
        self.mount_root.mount(self.path, sub_app)
        return func
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.create_app().app GET /health -",
                "app.create_app().app POST /invoke -",
                "app.create_app().app POST /run -",
            ]
        );
    }

    /// A blueprint prefix formatted from constants (`"/api/{0}".format(API_VERSION)`, `%d` of
    /// an integer, a keyword field) is the constants' text; one formatted from the
    /// environment stays `<dynamic>`.
    #[test]
    fn prefixes_formatted_from_constants_are_their_text() {
        let model = project_model(&[
            ("inv/__init__.py", ""),
            (
                "inv/app.py",
                r#"
import os

from flask import Flask
from flask_login import login_required

from inv.views import bp, notes, pages

API_VERSION = "1"
PAGES_VERSION = 3
SECTION = "docs"


def create_app():
    app = Flask(__name__)
    app.register_blueprint(bp, url_prefix="/api/{0}".format(API_VERSION))
    app.register_blueprint(pages, url_prefix="/%s/v%d" % (SECTION, PAGES_VERSION))
    app.register_blueprint(notes, url_prefix="/n/{}/{kind}".format(os.environ["N"], kind="x"))
    return app
"#,
            ),
            (
                "inv/views.py",
                r#"
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("advisors", __name__)
pages = Blueprint("pages", __name__)
notes = Blueprint("notes", __name__)


@bp.route("/advisors")
def advisors():
    return "[]"


@bp.route("/advisors", methods=["POST"])
@login_required
def search():
    return "[]"


@pages.route("/page")
def page():
    return ""


@notes.route("/note", methods=["PUT"])
def note():
    return ""
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            vec![
                "inv.app.create_app().app GET /api/1/advisors -",
                "inv.app.create_app().app GET /docs/v3/page -",
                "inv.app.create_app().app POST /api/1/advisors @login_required",
                "inv.app.create_app().app PUT <dynamic>/note -",
            ]
        );
    }

    /// A package that imports every module of its own folder by name (`os.listdir` of
    /// `os.path.dirname(__file__)`, `__import__("pkg.views.%s" % name)`) and collects
    /// `(view.blueprint, view.routes)` rows: each module of that folder defining the attribute
    /// is registered once per prefix it lists, by the nested loop of the factory. A module of
    /// another folder, or without the attribute, is not. The same for a registration of
    /// `module.bp` in the walking loop itself (`importlib.import_module("pkg.x." + name)`).
    #[test]
    fn blueprints_of_modules_walked_in_the_package_folder() {
        let model = project_model(&[
            ("shop/__init__.py", ""),
            (
                "shop/views/__init__.py",
                r#"
import os

blueprints = []

for fname in os.listdir(os.path.dirname(__file__)):
    if fname.endswith(".py") and not fname.startswith("__init__"):
        view = __import__("shop.views.%s" % fname.rstrip(".py"), globals(), locals(), ["blueprint"])
        blueprints.append((view.blueprint, view.routes))
"#,
            ),
            ("shop/views/util.py", "def helper():\n    return 1\n"),
            (
                "shop/views/api.py",
                r#"
from flask import Blueprint
from flask_login import login_required

blueprint = Blueprint("api", __name__)
routes = ["/api", "/api/v1"]


@blueprint.route("/node", methods=["POST"])
def node_post():
    return ""


@blueprint.route("/node/<name>", methods=["DELETE"])
@login_required
def node_delete(name):
    return ""
"#,
            ),
            (
                "shop/views/index.py",
                r#"
from flask import Blueprint

blueprint = Blueprint("index", __name__)
routes = ["/"]


@blueprint.route("/")
def index():
    return ""
"#,
            ),
            (
                "shop/other/extra.py",
                r#"
from flask import Blueprint

blueprint = Blueprint("extra", __name__)
routes = ["/extra"]


@blueprint.route("/data", methods=["DELETE"])
def clear():
    return ""
"#,
            ),
            (
                "shop/app.py",
                r#"
import flask

from shop.views import blueprints


def create_app():
    app = flask.Flask("shop")
    for blueprint, prefixes in blueprints:
        for prefix in prefixes:
            app.register_blueprint(blueprint, url_prefix=prefix)
    return app
"#,
            ),
            ("panel/__init__.py", ""),
            ("panel/pages/__init__.py", ""),
            (
                "panel/pages/home.py",
                r#"
from flask import Blueprint

bp = Blueprint("home", __name__, url_prefix="/home")


@bp.route("/save", methods=["POST"])
def save():
    return ""
"#,
            ),
            (
                "panel/pages/setup.py",
                r#"
import importlib
import os

from flask import Flask


def build():
    app = Flask(__name__)
    for name in os.listdir(os.path.dirname(os.path.abspath(__file__))):
        module = importlib.import_module("panel.pages." + name[:-3])
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
    return app
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            vec![
                "panel.pages.setup.build().app POST /home/save -",
                "shop.app.create_app().app DELETE /api/node/<name> @login_required",
                "shop.app.create_app().app DELETE /api/v1/node/<name> @login_required",
                "shop.app.create_app().app GET / -",
                "shop.app.create_app().app POST /api/node -",
                "shop.app.create_app().app POST /api/v1/node -",
            ]
        );
    }

    /// `add_url_rule` in a loop over a literal list, the rule built with `str.format()`
    /// (positional, numbered and named fields), `%` or `+` from the loop's variables: one route
    /// per row.
    #[test]
    fn looped_rules_built_with_format_are_one_route_per_row() {
        let source = r#"
import flask

bp = flask.Blueprint("web", __name__)
KINDS = ["rated", "hot"]


def books(data, sort, page=1):
    return ""


for d in KINDS:
    bp.add_url_rule("/{}/<sort>".format(d), view_func=books, defaults={"data": d})
    bp.add_url_rule("/{0}/<sort>/{p}".format(d, p="<int:page>"), view_func=books)

for kind, suffix in [("a", "x"), ("b", "y")]:
    bp.add_url_rule("/%s/" % kind + suffix, view_func=books, methods=["POST"])

app = flask.Flask(__name__)
app.register_blueprint(bp, url_prefix="/web")
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.app GET /web/hot/<sort> -",
                "app.app GET /web/hot/<sort>/<int:page> -",
                "app.app GET /web/rated/<sort> -",
                "app.app GET /web/rated/<sort>/<int:page> -",
                "app.app POST /web/a/x -",
                "app.app POST /web/b/y -",
            ]
        );
    }

    /// `@app.api_route(**options)`: the methods and path the spread mapping holds (a `dict(...)`
    /// call, a dict literal and a later `options["methods"] = ...` store), Flask's
    /// `route(rule, **OPTIONS)` with a module constant, and `<dynamic>` methods (not GET) for
    /// the enclosing function's `**kwargs`, which its callers fill.
    #[test]
    fn route_keywords_through_a_spread_mapping() {
        let source = r#"
from fastapi import FastAPI
from flask import Flask


def build(name):
    api = FastAPI()
    options = dict(path=f"/{name}", methods=["POST"])

    @api.api_route(**options)
    async def write():
        return {}

    listed = {"path": "/all"}
    listed["methods"] = ["DELETE"]

    @api.api_route(**listed)
    async def purge():
        return {}

    def expose(path, **kwargs):
        kwargs["methods"] = kwargs.get("methods", ["POST"])

        @api.api_route(path=path, **kwargs)
        async def handler():
            return {}

    expose("/index", methods=["PUT"])
    plain = dict(path="/version")

    @api.api_route(**plain)
    async def version():
        return {}

    return api


web = Flask(__name__)
SAVE = {"methods": ["POST"]}


@web.route("/save", **SAVE)
def save():
    return "ok"
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.build().api <dynamic> <dynamic> -",
                "app.build().api DELETE /all -",
                "app.build().api GET /version -",
                "app.build().api POST /{…} -",
                "app.web POST /save -",
            ]
        );
    }

    /// `for key, val in API.items(): app.add_url_rule(val["url"], view_func=view,
    /// **val["options"])` over a dict literal (local, or a module constant read from a
    /// function): one route per entry at its `"url"`, with the `"methods"` of its `"options"`;
    /// `view = val["view_class"].as_view(key)` in the loop is the class each entry names; an
    /// `if key.startswith(...)`/`elif key == ...` chain sends each entry to one view (none
    /// for `"about"`); `.values()` binds each entry's value.
    #[test]
    fn flask_routes_from_dict_rows() {
        let source = r#"
from flask import Flask
from flask.views import MethodView
from flask_login import login_required

app = Flask(__name__)


class Jobs(MethodView):
    def get(self):
        return "jobs"

    def post(self):
        return "added"


class Job(MethodView):
    def get(self, id):
        return "job"

    @login_required
    def delete(self, id):
        return "", 204


def register_jobs():
    jobs_api = {
        "jobs": {"url": "/api/jobs/", "options": {"methods": ["GET", "POST"]}, "view_class": Jobs},
        "job": {"url": "/api/jobs/<int:id>", "options": {"methods": ["DELETE"]}, "view_class": Job},
    }
    for key, val in jobs_api.items():
        view_func = val["view_class"].as_view(key)
        app.add_url_rule(val["url"], endpoint=key, view_func=view_func, **val["options"])


NOTES = {
    "notes_list": {"url": "/notes/", "options": {"defaults": {"id": None}, "methods": ["GET"]}},
    "note": {"url": "/notes/<int:id>", "options": {"methods": ["PATCH"]}},
    "about": {"url": "/about", "options": {}},
}


def register_notes():
    notes = Jobs.as_view("notes")
    note = Job.as_view("note")
    for key, val in NOTES.items():
        if key.startswith("notes"):
            app.add_url_rule(val["url"], endpoint=key, view_func=notes, **val["options"])
        elif key == "note":
            app.add_url_rule(val["url"], endpoint=key, view_func=note, **val["options"])


PINGS = {"ping": {"url": "/ping"}, "ready": {"url": "/ready"}}


def register_pings():
    view = Jobs.as_view("ping")
    for entry in PINGS.values():
        app.add_url_rule(entry["url"], view_func=view)


register_jobs()
register_notes()
register_pings()
"#;
        let model = one_file_model(source);
        assert_eq!(
            attached_routes(&model),
            [
                "app.app DELETE /api/jobs/<int:id> @login_required",
                "app.app GET /api/jobs/ -",
                "app.app GET /notes/ -",
                "app.app GET /ping -",
                "app.app GET /ready -",
                "app.app POST /api/jobs/ -",
                // No `methods`: a `MethodView`'s own.
                "app.app POST /ping -",
                "app.app POST /ready -",
            ]
        );
    }

    /// `app.include_router(main.router, prefix=...)` with `main = group.pop(0)` and `group` a
    /// value of `self.resources.items()`, `resources: dict[str, list[Resource]]` an `__init__`
    /// parameter: the router `Resource` instances build, with the routes its subclasses
    /// declare on it (an item may be of any subclass), is the production application's, not
    /// only the test runner's that `run()` builds.
    #[test]
    fn routers_of_annotated_container_items() {
        let model = project_model(&[
            ("mapi/__init__.py", ""),
            (
                "mapi/resource.py",
                r#"
from fastapi import APIRouter, FastAPI


class Resource:
    def __init__(self):
        self.router = APIRouter()
        self.prepare_endpoint()

    def prepare_endpoint(self):
        async def ping():
            return {}

        self.router.get("/ping")(ping)

    def run(self):
        import uvicorn

        app = FastAPI()
        app.include_router(self.router, prefix="")
        uvicorn.run(app)


class PostResource(Resource):
    def prepare_endpoint(self):
        async def post_data(kind: str):
            return {"kind": kind}

        self.router.post("/")(post_data)
"#,
            ),
            (
                "mapi/api.py",
                r#"
from fastapi import FastAPI

from mapi.resource import Resource


class API:
    def __init__(self, resources: dict[str, list[Resource]]):
        self.resources = resources

    @property
    def app(self):
        app = FastAPI()
        for prefix, resource_list in self.resources.items():
            main_resource = resource_list.pop(0)
            for resource in resource_list:
                main_resource.router.include_router(resource.router)
            app.include_router(main_resource.router, prefix=f"/{prefix}")
        return app
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "mapi.api.app().app GET /{…}/ping -",
                "mapi.api.app().app POST /{…}/ -",
                "mapi.resource.run().app GET /ping -",
                "mapi.resource.run().app POST / -",
            ]
        );
    }

    /// `include_router(GraphQLRouter(schema), prefix="/graphql")`: strawberry's router is
    /// listed at the prefix (with its own `path=`) as library routes, GET and POST and a
    /// WebSocket, protected by the include's `dependencies=`.
    #[test]
    fn library_graphql_router_is_listed_at_its_prefix() {
        let source = r#"
import strawberry
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer
from strawberry.fastapi import GraphQLRouter

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[str]:
        return []


schema = strawberry.Schema(query=Query)
app = FastAPI()
app.include_router(GraphQLRouter(schema), prefix="/graphql")
app.include_router(GraphQLRouter(schema, path="/v2"), prefix="/private", dependencies=[Depends(oauth2_scheme)])
"#;
        let model = one_file_model(source);
        let routes = attached_routes(&model);
        assert_eq!(routes.len(), 4, "{routes:?}");
        assert!(
            routes.contains(&"app.app GET,POST /graphql -".to_string()),
            "{routes:?}"
        );
        assert!(
            routes.contains(&"app.app WS /graphql -".to_string()),
            "{routes:?}"
        );
        assert!(
            routes
                .iter()
                .any(|r| r.starts_with("app.app GET,POST /private/v2 ") && !r.ends_with(" -")),
            "{routes:?}"
        );
        let surface =
            crate::security::AttackSurface::build(&model, &Default::default(), &|_| false);
        assert!(
            surface
                .mounted
                .iter()
                .all(|m| surface.route(m).handler.name.as_str()
                    == "strawberry.fastapi.GraphQLRouter"),
        );
    }

    /// `for endpoint, rule in [...]: self.add_url_rule(rule, view_func=getattr(views,
    /// endpoint))` in a Flask subclass: each row's view is the project module's attribute of
    /// that name (a function, or a module-level `View.as_view(...)`), a path built from the
    /// row (`"/~<ns>" + rule`) is read with the row bound, and an `if` inside the loop that
    /// tests the row (`if "<repo>" in rule:`) leaves out the rows it rules out.
    #[test]
    fn getattr_of_a_module_names_each_rows_view() {
        let model = project_model(&[
            ("pkg/__init__.py", ""),
            (
                "pkg/views.py",
                r#"
from flask.views import View
from flask_login import login_required


def home():
    return "home"


class FileView(View):
    def dispatch_request(self, repo, path):
        return path


blob = FileView.as_view("blob")


@login_required
def purge(repo):
    return "purged"
"#,
            ),
            (
                "pkg/app.py",
                r#"
import flask

from pkg import views


class Site(flask.Flask):
    def __init__(self):
        flask.Flask.__init__(self, __name__)
        self.setup_routes()

    def setup_routes(self):
        for endpoint, rule, methods in [
            ("home", "/", ["GET"]),
            ("blob", "/<repo>/blob/<path:path>", ["GET"]),
            ("purge", "/<repo>/purge", ["POST"]),
        ]:
            self.add_url_rule(rule, view_func=getattr(views, endpoint), methods=methods)
            if "<repo>" in rule:
                self.add_url_rule("/~<ns>" + rule, view_func=getattr(views, endpoint))
        self.add_url_rule("/one", view_func=getattr(views, "home"))
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "pkg.app.Site GET / -",
                "pkg.app.Site GET /<repo>/blob/<path:path> -",
                "pkg.app.Site GET /one -",
                "pkg.app.Site GET /~<ns>/<repo>/blob/<path:path> -",
                "pkg.app.Site GET /~<ns>/<repo>/purge @login_required",
                "pkg.app.Site POST /<repo>/purge @login_required",
            ]
        );
    }

    /// A project class keeps a blueprint (`self.blueprint = Blueprint(..., url_prefix="/api")`),
    /// its own `add_resource` registers the resources it is given on it, and `register()`
    /// registers the blueprint on the application the constructor was given: the resources
    /// added through a module-level instance are the blueprint's routes, served under its
    /// prefix by that application.
    #[test]
    fn resources_added_through_a_wrapper_are_its_blueprints() {
        let model = project_model(&[
            ("svc/__init__.py", ""),
            (
                "svc/service.py",
                r#"
from flask import Blueprint
from flask.views import MethodView


class Resource(MethodView):
    pass


class Service:
    def __init__(self, app):
        self.app = app
        self.blueprint = Blueprint("api", __name__, url_prefix="/api")

    def add_resource(self, resource, *urls):
        view = resource.as_view(resource.__name__)
        for url in urls:
            self.blueprint.add_url_rule(rule=url, view_func=view)

    def register(self):
        self.app.register_blueprint(self.blueprint)
"#,
            ),
            (
                "svc/core.py",
                r#"
from flask import Flask

from .service import Service

app = Flask(__name__)
api = Service(app)
"#,
            ),
            (
                "svc/main.py",
                r#"
from flask_login import login_required

from .core import api
from .service import Resource


class Ping(Resource):
    def get(self):
        return "ok"


class Note(Resource):
    @login_required
    def get(self, note_id):
        return note_id

    def delete(self, note_id):
        return note_id


api.add_resource(Ping, "/ping")
api.add_resource(Note, "/note/<int:note_id>", "/notes/<int:note_id>")
api.register()
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "svc.core.app DELETE /api/note/<int:note_id> -",
                "svc.core.app DELETE /api/notes/<int:note_id> -",
                "svc.core.app GET /api/note/<int:note_id> @login_required",
                "svc.core.app GET /api/notes/<int:note_id> @login_required",
                "svc.core.app GET /api/ping -",
            ]
        );
    }

    /// `for module in web_modules: module.setup(app, config)` with `web_modules = [pages,
    /// items]` (imported project modules), and a loop over a literal list of modules: each
    /// module's `setup` is handed the application, so its blueprint is the application's. A
    /// module with a `setup` outside every list keeps its stand-in application.
    #[test]
    fn setup_of_modules_walked_by_a_loop() {
        let model = project_model(&[
            ("board/__init__.py", ""),
            ("board/web/__init__.py", ""),
            (
                "board/main.py",
                r#"
from flask import Flask

from board.web import charts, items, pages

app = Flask(__name__)
runner = object()
web_modules = [pages, items, runner]


def start():
    for module in web_modules:
        module.setup(app, {})
    for extra in [charts]:
        extra.setup(app, {})
"#,
            ),
            (
                "board/web/pages.py",
                r#"
from flask import Blueprint
from flask_login import login_required

pages = Blueprint("pages", __name__)


@pages.route("/jobs/stop", methods=["POST"])
def stop_jobs():
    return "stopped"


@pages.route("/settings", methods=["PUT"])
@login_required
def update_settings():
    return "saved"


def setup(app, config):
    app.register_blueprint(pages)
"#,
            ),
            (
                "board/web/items.py",
                r#"
from flask import Blueprint

items = Blueprint("items", __name__, url_prefix="/api")


@items.route("/item/<item_id>", methods=["DELETE"])
def delete_item(item_id):
    return "deleted"


def setup(app, config):
    app.register_blueprint(items)
"#,
            ),
            (
                "board/web/charts.py",
                r#"
from flask import Blueprint

charts = Blueprint("charts", __name__)


@charts.route("/chart")
def chart():
    return "chart"


def setup(app, config):
    app.register_blueprint(charts)
"#,
            ),
            (
                "board/web/drafts.py",
                r#"
from flask import Blueprint

drafts = Blueprint("drafts", __name__)


@drafts.route("/draft", methods=["DELETE"])
def delete_draft():
    return "deleted"


def setup(app, config):
    app.register_blueprint(drafts)
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            vec![
                "board.main.app DELETE /api/item/<item_id> -",
                "board.main.app GET /chart -",
                "board.main.app POST /jobs/stop -",
                "board.main.app PUT /settings @login_required",
                // Its own stand-in application, as before: no call reaches its `setup`.
                "board.web.drafts.setup().app DELETE /draft -",
            ]
        );
    }

    /// `self.add_api_route("/api/brush", self.pick_brush, methods=["POST"])` where the class's
    /// own `add_api_route` forwards to `self.app.add_api_route(path, endpoint, **kwargs)`: the
    /// routes are the application's the class is handed, with the keywords the call forwards
    /// (methods, dependencies); a same-named method that only records its arguments registers
    /// nothing on the application.
    #[test]
    fn method_forwarding_to_the_kept_application() {
        let model = project_model(&[
            ("studio/__init__.py", ""),
            (
                "studio/engine.py",
                r#"
import hmac
import os

from fastapi import Depends, FastAPI, Header, HTTPException


def require_token(x_token: str = Header(...)):
    if not hmac.compare_digest(x_token, os.environ["STUDIO_TOKEN"]):
        raise HTTPException(status_code=401)


class Canvas:
    def __init__(self, app: FastAPI):
        self.app = app
        self.add_api_route("/api/brush", self.current_brush, methods=["GET"])
        self.add_api_route("/api/brush", self.pick_brush, methods=["POST"])
        self.add_api_route(
            "/api/layers", self.add_layer, methods=["POST"], dependencies=[Depends(require_token)]
        )

    def add_api_route(self, path: str, endpoint, **kwargs):
        return self.app.add_api_route(path, endpoint, **kwargs)

    def current_brush(self):
        return {}

    def pick_brush(self, name: str):
        return {}

    def add_layer(self, name: str):
        return {}


class Palette:
    def __init__(self, app: FastAPI):
        self.app = app
        self.rows = []
        self.add_api_route("/api/colors", self.pick_color, methods=["POST"])

    def add_api_route(self, path: str, endpoint, **kwargs):
        self.rows.append((path, endpoint, kwargs))

    def pick_color(self, name: str):
        return {}


def start():
    app = FastAPI()
    Canvas(app)
    Palette(app)
    return app
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            vec![
                "studio.engine.start().app GET /api/brush -",
                "studio.engine.start().app POST /api/brush -",
                "studio.engine.start().app POST /api/layers Depends(require_token)",
            ]
        );
    }

    /// `f"{sub_path}{{{key_name}}}/"`: the escaped braces around a value make a path
    /// parameter; a value that cannot be read is the parameter's unknown name, `/{…}/`, not
    /// `/{{…}}/`. A known value gives the parameter's name, and a value outside braces is
    /// `{…}` as before.
    #[test]
    fn unknown_value_between_escaped_braces_of_an_fstring_path() {
        let model = project_model(&[(
            "tasks.py",
            r#"
from fastapi import APIRouter, FastAPI

KEY = "task_id"


class Reader:
    def __init__(self, store, sub_path: str = "/"):
        self.store = store
        self.sub_path = sub_path
        self.router = APIRouter()
        key_name = self.store.key

        def by_key(key: str):
            return {}

        def by_prefix(key: str):
            return {}

        def by_name(key: str):
            return {}

        self.router.get(f"{self.sub_path}{{{key_name}}}/")(by_key)
        self.router.get(f"/prefix/{self.store.prefix}/list")(by_prefix)
        self.router.get(f"/named/{{{KEY}}}")(by_name)

    def run(self):
        app = FastAPI()
        app.include_router(self.router)
        return app
"#,
        )]);
        assert_eq!(
            attached_routes(&model),
            vec![
                "tasks.run().app GET /named/{task_id} -",
                "tasks.run().app GET /prefix/{…}/list -",
                "tasks.run().app GET /{…}/ -",
            ]
        );
    }

    /// `from shop import app` names the package `shop/`, not the loose `conf.d/shop.py` (a
    /// config folder whose name is not an identifier) that comes first; `billing.py` next to
    /// the package `billing/` loses to the package too, as in Python.
    #[test]
    fn a_package_wins_over_a_loose_file_of_the_same_name() {
        let model = project_model(&[
            ("billing.py", "app = None\n"),
            ("conf.d/shop.py", "config = {}\n"),
            (
                "billing/__init__.py",
                "from flask import Flask\n\napp = Flask(__name__)\n",
            ),
            (
                "billing/routes.py",
                r#"
from billing import app


@app.route("/invoices", methods=["POST"])
def create_invoice():
    return {}
"#,
            ),
            (
                "shop/__init__.py",
                "from flask import Flask\n\napp = Flask(__name__)\n",
            ),
            (
                "shop/views.py",
                r#"
from flask.views import MethodView

from shop import app


class OrderAPI(MethodView):
    def post(self):
        return {}


app.add_url_rule("/orders/", view_func=OrderAPI.as_view("orders"), methods=["POST"])
"#,
            ),
        ]);
        assert_eq!(
            model.module("shop").map(|(_, f)| f.display.as_str()),
            Some("shop/__init__.py")
        );
        assert_eq!(
            attached_routes(&model),
            vec!["billing.app POST /invoices -", "shop.app POST /orders/ -"]
        );
    }

    /// A project subclass of Flask-RESTful's `Api` that adds its resources itself
    /// (`self.add_resource(...)` in `__init__` and in a method `__init__` calls) and hands its
    /// base the application and `prefix=kwargs["PREFIX"]`: each construction serves them on
    /// the application it is given, under the prefix it passes (a literal, a constant, or
    /// none when the value is unknown). The same for a FastAPI `APIRouter` subclass whose
    /// constructor adds routes and includes another router on `self`, but not the
    /// registration template of its `json_route(path)`. A subclass never built serves nothing.
    #[test]
    fn registrations_on_self_in_a_framework_subclass_are_each_instances() {
        let model = project_model(&[
            ("svc/__init__.py", ""),
            (
                "svc/api.py",
                r#"
import os

from flask import Flask
from flask_login import login_required
from flask_restful import Api, Resource

V2 = "/api/v2"


class Notes(Resource):
    method_decorators = [login_required]

    def get(self):
        return []


class Ping(Resource):
    def get(self):
        return "ok"


class NotesApi(Api):
    def __init__(self, app=None, **kwargs):
        super().__init__(app=app, prefix=kwargs["PREFIX"])
        self.add_resource(Ping, "/ping")
        self.more()

    def more(self):
        self.add_resource(Notes, "/notes")


class UnusedApi(Api):
    def __init__(self, app=None):
        super().__init__(app=app)
        self.add_resource(Ping, "/unused")


public = Flask(__name__)
internal = Flask("internal")
other = Flask("other")
v1 = NotesApi(public, PREFIX="/api/v1")
v2 = NotesApi(internal, PREFIX=V2)
anywhere = NotesApi(other, PREFIX=os.environ["PREFIX"])
"#,
            ),
            (
                "svc/routers.py",
                r#"
from fastapi import APIRouter, Depends, FastAPI
from fastapi.security import HTTPBearer

bearer = HTTPBearer()
health = APIRouter()


@health.get("/health")
def check():
    return "ok"


def list_items():
    return []


class ItemsRouter(APIRouter):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_api_route("/items", list_items, methods=["GET"])
        self.include_router(health)

    def json_route(self, path):
        def decorator(func):
            self.add_api_route(self.prefix + path, func, methods=["GET"])
            return func

        return decorator


app = FastAPI()
shop = ItemsRouter(prefix="/shop")
admin = ItemsRouter(prefix="/admin", dependencies=[Depends(bearer)])
app.include_router(shop)
app.include_router(admin)
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            [
                "svc.api.internal GET /api/v2/notes @login_required",
                "svc.api.internal GET /api/v2/ping -",
                "svc.api.other GET /notes @login_required",
                "svc.api.other GET /ping -",
                "svc.api.public GET /api/v1/notes @login_required",
                "svc.api.public GET /api/v1/ping -",
                "svc.routers.app GET /admin/health Depends(bearer)",
                "svc.routers.app GET /admin/items Depends(bearer)",
                "svc.routers.app GET /shop/health -",
                "svc.routers.app GET /shop/items -",
            ]
        );
    }

    /// Applications kept on an object's attribute and created where they are used:
    /// `panel_state.api = FastAPI()` on a module-level instance whose class declares `api:
    /// FastAPI`; `self.api_app`, handed to `__init__` (default `None`) or set to `None` there,
    /// and created in a method, with the outer router's prefix (`self.router =
    /// APIRouter(prefix=prefix)`, `prefix="/v1"`); and a router a plugin class keeps in
    /// `self.extra_routers`, included through `getattr(plugin, "extra_routers", [])`.
    #[test]
    fn applications_created_on_attributes_and_routers_kept_on_plugins() {
        let model = project_model(&[
            ("panel/__init__.py", ""),
            (
                "panel/state.py",
                r#"
from fastapi import FastAPI


class PanelState:
    api: FastAPI


panel_state = PanelState()
"#,
            ),
            (
                "panel/server.py",
                r#"
from fastapi import APIRouter, FastAPI

from panel.state import panel_state

router = APIRouter()


@router.post("/api/jobs")
def queue_job(url: str):
    return {}


def serve():
    panel_state.api = FastAPI()
    panel_state.api.include_router(router)
"#,
            ),
            (
                "host.py",
                r#"
from typing import Optional

from fastapi import APIRouter, FastAPI


def make_router():
    router = APIRouter(prefix="/things")

    @router.post("/run")
    def run_thing(name: str):
        return {}

    return router


class Host:
    def __init__(self, api_app: Optional[FastAPI] = None):
        self.api_app = api_app
        self.router = None

    def get_app(self, prefix: str = "/v1") -> FastAPI:
        if not self.api_app:
            self.api_app = FastAPI()
        if not self.router:
            self.router = APIRouter(prefix=prefix)
        self.router.include_router(make_router())
        self.api_app.include_router(self.router)
        return self.api_app


class Runner:
    def __init__(self):
        self.api_app = None

    def start(self) -> FastAPI:
        self.api_app = FastAPI()
        self.api_app.include_router(make_router(), prefix="/jobs")
        return self.api_app
"#,
            ),
            (
                "plugins.py",
                r#"
from fastapi import APIRouter


class SingleSignOn:
    def __init__(self):
        router = APIRouter()

        @router.get("/login")
        async def sso_login():
            return {}

        self.extra_routers = [router]
"#,
            ),
            (
                "app.py",
                r#"
from fastapi import APIRouter, FastAPI


def build_app(providers):
    app = FastAPI()
    auth_router = APIRouter()
    for name, authenticator in providers:
        for extra in getattr(authenticator, "extra_routers", []):
            auth_router.include_router(extra, prefix=f"/provider/{name}")
    app.include_router(auth_router, prefix="/api/auth")
    return app
"#,
            ),
        ]);
        assert_eq!(
            attached_routes(&model),
            vec![
                "app.build_app().app GET /api/auth/provider/{…}/login -",
                "host.Host.api_app POST /v1/things/run -",
                "host.Runner.api_app POST /jobs/things/run -",
                "panel.state.PanelState.api POST /api/jobs -",
            ]
        );
    }
}
