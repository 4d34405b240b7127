//! What protects each route: authentication at every level the frameworks offer, role checks,
//! rate limits. Computed once for every mounted route; rules and `routewarden routes` read it.

use crate::apps::{AppModel, HookKind, MountedRoute, ObjectId, RouteDecl};
use crate::frameworks::{
    FLASK_AUTH_DECORATORS, HTTPAUTH_CLASSES, ObjectKind, ROLE_DECORATORS, SECURITY_SCHEMES,
    is_auth_function_name,
};
use crate::project::ProjectModel;
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Function, Span, Stmt};
use std::collections::HashMap;
use std::sync::Mutex;

/// The user's own names for authentication mechanisms.
#[derive(Clone, Debug, Default)]
pub struct SecurityNames {
    pub auth_decorators: Vec<String>,
    pub auth_dependencies: Vec<String>,
}

/// Where a protection applies from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Parameter,
    Decorator,
    Route,
    Body,
    View,
    Router,
    Include,
    App,
    Middleware,
    Hook,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Parameter => "parameter",
            Level::Decorator => "decorator",
            Level::Route => "route",
            Level::Body => "handler",
            Level::View => "view",
            Level::Router => "router",
            Level::Include => "include",
            Level::App => "app",
            Level::Middleware => "middleware",
            Level::Hook => "hook",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Protection {
    /// What protects: `Depends(get_current_user)`, `@login_required`, `before_request require_login`.
    pub mechanism: String,
    pub level: Level,
    /// The object or function it is attached to, for levels above the handler.
    pub via: Option<String>,
    pub checks_role: bool,
}

#[derive(Clone, Debug, Default)]
pub struct RouteSecurity {
    pub auth: Vec<Protection>,
    pub rate_limits: Vec<Protection>,
    /// `@limiter.exempt` on the handler or its blueprint.
    pub rate_limit_exempt: bool,
    /// An authentication decorator placed above the route decorator: its span.
    pub misordered_auth: Option<(Span, String)>,
    /// A limiter decorator placed above the route decorator.
    pub misordered_limit: Option<Span>,
    /// The handler's body or dependencies check a role, permission, scope or superuser flag.
    pub role_in_body: bool,
}

impl RouteSecurity {
    pub fn is_authenticated(&self) -> bool {
        !self.auth.is_empty()
    }

    pub fn checks_role(&self) -> bool {
        self.role_in_body || self.auth.iter().any(|p| p.checks_role)
    }

    pub fn is_rate_limited(&self) -> bool {
        !self.rate_limit_exempt && !self.rate_limits.is_empty()
    }
}

/// The application model with every route's security worked out.
pub struct AttackSurface<'a> {
    pub apps: AppModel<'a>,
    pub mounted: Vec<MountedRoute>,
    pub security: Vec<RouteSecurity>,
}

impl<'a> AttackSurface<'a> {
    pub fn build(
        model: &'a ProjectModel,
        names: &SecurityNames,
        skip_file: &(dyn Fn(usize) -> bool + Sync),
    ) -> Self {
        let apps = AppModel::build(model, skip_file);
        let mounted = apps.mounted_routes();
        let judge = Judge {
            model,
            apps: &apps,
            names,
            memo: Mutex::new(HashMap::new()),
        };
        let security = mounted.iter().map(|m| judge.route_security(m)).collect();
        AttackSurface {
            apps,
            mounted,
            security,
        }
    }

    pub fn route(&self, mounted: &MountedRoute) -> &RouteDecl<'a> {
        &self.apps.routes[mounted.route]
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Verdict {
    authenticates: bool,
    checks_role: bool,
}

struct Judge<'a, 'm> {
    model: &'a ProjectModel,
    apps: &'m AppModel<'a>,
    names: &'m SecurityNames,
    /// Judgements of project functions by (file, start); `None` while one is being judged.
    memo: Mutex<HashMap<(usize, u32), Option<Verdict>>>,
}

fn is_depends(q: &str) -> bool {
    matches!(
        q,
        "fastapi.Depends" | "fastapi.params.Depends" | "fastapi.param_functions.Depends"
    )
}

fn is_security(q: &str) -> bool {
    matches!(
        q,
        "fastapi.Security" | "fastapi.params.Security" | "fastapi.param_functions.Security"
    )
}

const RATE_LIMITER_DEPENDENCIES: &[&str] = &[
    "fastapi_limiter.depends.RateLimiter",
    "fastapi_limiter.RateLimiter",
];

impl<'a> Judge<'a, '_> {
    fn text(&self, file: usize, span: Span) -> String {
        let text = &self.model.files[file].text;
        let s = text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        let mut out: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if out.chars().count() > 60 {
            out = out.chars().take(57).collect::<String>() + "...";
        }
        out
    }

    fn route_security(&self, mounted: &MountedRoute) -> RouteSecurity {
        let route = &self.apps.routes[mounted.route];
        let mut sec = RouteSecurity::default();
        let hf = route.handler_file;
        let handler = route.handler;
        let scope = &route.handler_scope;

        // Parameters: `Depends(...)`, `Security(...)`, `Annotated[..., Depends(...)]`.
        for param in &handler.params {
            let mut deps: Vec<&Expr> = Vec::new();
            if let Some(default) = &param.default {
                deps.push(default);
            }
            if let Some(annotation) = &param.annotation {
                self.annotated_dependencies(hf, scope, annotation, &mut deps, 0);
            }
            for dep in deps {
                self.dependency(
                    hf,
                    scope,
                    dep,
                    Level::Parameter,
                    None,
                    param.annotation.as_ref(),
                    &mut sec,
                );
            }
        }
        // `dependencies=[...]` on the route decorator or `add_api_route`.
        if let Some(list) = route.keyword("dependencies").and_then(Expr::elements) {
            for dep in list {
                self.dependency(route.file, scope, dep, Level::Route, None, None, &mut sec);
            }
        }
        // Decorators of the handler, and of a class-based view.
        let route_index = route.decorator_index;
        for (i, decorator) in handler.decorators.iter().enumerate() {
            if Some(i) == route_index {
                continue;
            }
            let above_route = route_index.is_some_and(|r| i < r);
            if let Some(v) = self.auth_decorator(hf, scope, decorator) {
                if above_route && !self.registration_deferred(hf, handler, route_index) {
                    sec.misordered_auth = Some((decorator.span, self.text(hf, decorator.span)));
                    continue;
                }
                sec.auth.push(Protection {
                    mechanism: format!("@{}", self.text(hf, decorator.span)),
                    level: Level::Decorator,
                    via: None,
                    checks_role: v.checks_role,
                });
            }
            match self.limit_decorator(hf, scope, decorator) {
                Some(LimitDecorator::Limit) => {
                    if above_route {
                        sec.misordered_limit = Some(decorator.span);
                    } else {
                        sec.rate_limits.push(Protection {
                            mechanism: format!("@{}", self.text(hf, decorator.span)),
                            level: Level::Decorator,
                            via: None,
                            checks_role: false,
                        });
                    }
                }
                Some(LimitDecorator::Exempt) => sec.rate_limit_exempt = true,
                None => {}
            }
        }
        for decorator in &route.view_decorators {
            if let Some(v) = self.auth_decorator(route.file, &[], decorator) {
                sec.auth.push(Protection {
                    mechanism: format!("{} in decorators", self.text(route.file, decorator.span)),
                    level: Level::View,
                    via: route.view_class.map(|c| c.name.clone()),
                    checks_role: v.checks_role,
                });
            }
        }
        if let Some(class) = route.view_class {
            self.view_class_security(route, class, &mut sec);
        }
        // The handler's own body.
        let body = self.body_verdict(hf, &handler.body, 0);
        if body.authenticates {
            sec.auth.push(Protection {
                mechanism: "checks in the handler body".to_string(),
                level: Level::Body,
                via: None,
                checks_role: body.checks_role,
            });
        }
        sec.role_in_body |= body.checks_role;

        // Every object along the mount chain: its dependencies, hooks, middleware, limits.
        for (level, object) in mounted.chain.iter().enumerate() {
            let via = Some(self.apps.display_object(object));
            let kind = self.apps.kind(object);
            let object_level = if kind.is_some_and(ObjectKind::is_app) {
                Level::App
            } else {
                Level::Router
            };
            if let Some(o) = self.apps.objects.get(object) {
                for dep in &o.dependencies {
                    self.dependency(
                        object.file,
                        &o.scope,
                        dep,
                        object_level,
                        via.clone(),
                        None,
                        &mut sec,
                    );
                }
            }
            if let Some(&inc) = mounted.includes.get(level) {
                let include = &self.apps.includes[inc];
                for dep in &include.dependencies {
                    self.dependency(
                        include.file,
                        &include.scope,
                        dep,
                        Level::Include,
                        via.clone(),
                        None,
                        &mut sec,
                    );
                }
            }
            for hook in self.apps.hooks.iter().filter(|h| &h.owner == object) {
                self.hook(
                    hook.function_file,
                    hook.function,
                    hook.kind,
                    via.clone(),
                    &mut sec,
                );
            }
            if kind.is_some_and(ObjectKind::is_app) {
                self.app_level(object, mounted, &mut sec);
            }
            for call in self.apps.calls.iter() {
                // `limiter.limit("...")(bp)` and `limiter.exempt(bp)`.
                let targets_object = call
                    .call
                    .args
                    .first()
                    .and_then(|a| self.apps.resolve_object(call.file, &call.scope, a))
                    .is_some_and(|id| &id == object);
                if !targets_object
                    || !self
                        .apps
                        .kind(&call.receiver)
                        .is_some_and(ObjectKind::is_limiter)
                {
                    continue;
                }
                if call.method.starts_with("limit") || call.method.starts_with("shared_limit") {
                    sec.rate_limits.push(Protection {
                        mechanism: format!("{} on the blueprint", self.text(call.file, call.span)),
                        level: object_level,
                        via: via.clone(),
                        checks_role: false,
                    });
                } else if call.method == "exempt" {
                    sec.rate_limit_exempt = true;
                }
            }
        }
        sec
    }

    /// Flask-AppBuilder registers `@expose` methods after the class is built, so decorators
    /// above `@expose` still wrap the registered view.
    fn registration_deferred(
        &self,
        file: usize,
        handler: &Function,
        route_index: Option<usize>,
    ) -> bool {
        let Some(i) = route_index else { return false };
        let Some(ExprKind::Call(call)) = handler.decorators.get(i).map(|d| &d.kind) else {
            return false;
        };
        self.model.files[file]
            .imports
            .resolve(&call.func)
            .is_some_and(|q| q.starts_with("flask_appbuilder"))
            || call.func.last_name() == Some("expose")
    }

    /// Authentication and limits that apply to every route of an application: hooks registered
    /// by blueprints for the whole app, middleware, limiter defaults.
    fn app_level(&self, app: &ObjectId, mounted: &MountedRoute, sec: &mut RouteSecurity) {
        let via = Some(self.apps.display_object(app));
        // `before_app_request` of any blueprint registered (at any depth) in this app.
        for hook in self
            .apps
            .hooks
            .iter()
            .filter(|h| h.kind == HookKind::BeforeAppRequest)
        {
            if self.is_within(&hook.owner, app) && !mounted.chain.contains(&hook.owner) {
                self.hook(
                    hook.function_file,
                    hook.function,
                    hook.kind,
                    via.clone(),
                    sec,
                );
            }
        }
        for mw in self
            .apps
            .middleware
            .iter()
            .filter(|m| m.owner.as_ref() == Some(app))
        {
            let qualified = self.model.files[mw.file].imports.resolve(mw.class);
            if qualified
                .as_deref()
                .is_some_and(|q| q.starts_with("slowapi.middleware"))
            {
                if self.limiter_has_defaults_for(app) {
                    sec.rate_limits.push(Protection {
                        mechanism: "slowapi default_limits with SlowAPIMiddleware".to_string(),
                        level: Level::Middleware,
                        via: via.clone(),
                        checks_role: false,
                    });
                }
                continue;
            }
            if let Some((file, class)) = self.project_class(mw.file, mw.class) {
                let v = self.class_verdict(file, class);
                if v.authenticates {
                    sec.auth.push(Protection {
                        mechanism: format!("middleware {}", class.name),
                        level: Level::Middleware,
                        via: via.clone(),
                        checks_role: v.checks_role,
                    });
                }
            }
        }
        // Flask-Limiter attached to this app with default limits.
        for (id, object) in &self.apps.objects {
            if object.kind != ObjectKind::FlaskLimiter {
                continue;
            }
            let Some(call) = object.call else { continue };
            let has_defaults = ["default_limits", "application_limits"].iter().any(|k| {
                call.keyword(k)
                    .is_some_and(|v| v.elements().is_none_or(|e| !e.is_empty()))
            });
            if has_defaults && self.limiter_attached_to(id, app) {
                sec.rate_limits.push(Protection {
                    mechanism: format!("{} default_limits", id.name),
                    level: Level::App,
                    via: via.clone(),
                    checks_role: false,
                });
            }
        }
    }

    fn limiter_has_defaults_for(&self, app: &ObjectId) -> bool {
        self.apps
            .state_limiters
            .iter()
            .filter(|(a, _)| a == app)
            .filter_map(|(_, l)| self.apps.objects.get(l))
            .any(|l| {
                l.call
                    .is_some_and(|c| c.keyword("default_limits").is_some())
            })
    }

    /// `Limiter(..., app=app)` or `limiter.init_app(app)`.
    pub fn limiter_attached_to(&self, limiter: &ObjectId, app: &ObjectId) -> bool {
        let object = &self.apps.objects[limiter];
        let by_argument = object.call.is_some_and(|c| {
            c.keyword("app")
                .or_else(|| {
                    if object.kind == ObjectKind::FlaskLimiter {
                        c.args.get(1)
                    } else {
                        None
                    }
                })
                .and_then(|a| self.apps.resolve_object(limiter.file, &object.scope, a))
                .is_some_and(|id| &id == app)
        });
        by_argument
            || self.apps.calls.iter().any(|call| {
                &call.receiver == limiter
                    && call.method == "init_app"
                    && call
                        .call
                        .args
                        .first()
                        .and_then(|a| self.apps.resolve_object(call.file, &call.scope, a))
                        .is_some_and(|id| &id == app)
            })
    }

    fn is_within(&self, object: &ObjectId, app: &ObjectId) -> bool {
        let mut frontier = vec![object.clone()];
        let mut seen = Vec::new();
        while let Some(current) = frontier.pop() {
            if &current == app {
                return true;
            }
            if seen.contains(&current) || seen.len() > 64 {
                continue;
            }
            seen.push(current.clone());
            frontier.extend(
                self.apps
                    .includes
                    .iter()
                    .filter(|i| i.child == current)
                    .map(|i| i.parent.clone()),
            );
        }
        false
    }

    fn hook(
        &self,
        file: usize,
        function: &Function,
        kind: HookKind,
        via: Option<String>,
        sec: &mut RouteSecurity,
    ) {
        let mut v = self.body_verdict(file, &function.body, 0);
        for d in &function.decorators {
            if let Some(dv) = self.auth_decorator(file, &[], d) {
                v.authenticates = true;
                v.checks_role |= dv.checks_role;
            }
        }
        if v.authenticates {
            let what = match kind {
                HookKind::HttpMiddleware => "http middleware",
                _ => "before_request",
            };
            sec.auth.push(Protection {
                mechanism: format!("{what} {}", function.name),
                level: if kind == HookKind::HttpMiddleware {
                    Level::Middleware
                } else {
                    Level::Hook
                },
                via,
                checks_role: v.checks_role,
            });
        }
    }

    fn view_class_security(&self, route: &RouteDecl, class: &Class, sec: &mut RouteSecurity) {
        // Flask-AppBuilder and similar: a `dispatch_request` or base class that checks.
        for stmt in &class.body {
            if let Stmt::FunctionDef(f) = stmt {
                if f.name == "dispatch_request" {
                    let v = self.body_verdict(route.handler_file, &f.body, 0);
                    if v.authenticates {
                        sec.auth.push(Protection {
                            mechanism: format!("{}.dispatch_request", class.name),
                            level: Level::View,
                            via: None,
                            checks_role: v.checks_role,
                        });
                    }
                }
            }
        }
    }

    /// Dependencies inside `Annotated[T, Depends(...)]`, also through a type alias.
    fn annotated_dependencies<'e>(
        &self,
        file: usize,
        scope: &[&'e Function],
        annotation: &'e Expr,
        out: &mut Vec<&'e Expr>,
        depth: u32,
    ) where
        'a: 'e,
    {
        if depth > 4 {
            return;
        }
        match &annotation.kind {
            ExprKind::Subscript { value, slice } => {
                let q = self.model.files[file].imports.resolve(value);
                if q.as_deref().is_some_and(|q| q.ends_with("Annotated")) {
                    if let Some(items) = slice.elements() {
                        out.extend(items.iter().skip(1));
                    }
                }
            }
            ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                let origin = self.model.resolve_value(file, scope, annotation);
                if !std::ptr::eq(origin.expr, annotation) {
                    let scope = origin.scope.clone();
                    let mut inner = Vec::new();
                    self.annotated_dependencies(
                        origin.file,
                        &scope,
                        origin.expr,
                        &mut inner,
                        depth + 1,
                    );
                    // Dependencies found through an alias are judged in the alias's file.
                    for dep in inner {
                        if let Some(v) = self.dependency_verdict(origin.file, &scope, dep, None, 0)
                        {
                            if v.authenticates {
                                out.push(annotation);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn dependency(
        &self,
        file: usize,
        scope: &[&Function],
        dep: &Expr,
        level: Level,
        via: Option<String>,
        annotation: Option<&Expr>,
        sec: &mut RouteSecurity,
    ) {
        if self.is_rate_limit_dependency(file, dep) {
            sec.rate_limits.push(Protection {
                mechanism: self.text(file, dep.span),
                level,
                via,
                checks_role: false,
            });
            return;
        }
        if let Some(v) = self.dependency_verdict(file, scope, dep, annotation, 0) {
            if v.authenticates {
                sec.auth.push(Protection {
                    mechanism: self.text(file, dep.span),
                    level,
                    via,
                    checks_role: v.checks_role,
                });
            }
        }
    }

    fn is_rate_limit_dependency(&self, file: usize, dep: &Expr) -> bool {
        let Some(call) = dep.as_call() else {
            return false;
        };
        let imports = &self.model.files[file].imports;
        if !imports
            .resolve(&call.func)
            .as_deref()
            .is_some_and(|q| is_depends(q) || is_security(q))
        {
            return false;
        }
        call.argument("dependency", 0)
            .and_then(Expr::as_call)
            .and_then(|c| imports.resolve(&c.func))
            .is_some_and(|q| RATE_LIMITER_DEPENDENCIES.contains(&q.as_str()))
    }

    /// Judges a dependency expression: `Depends(x)`, `Security(x, scopes=...)`, or an annotation
    /// alias already known to authenticate.
    fn dependency_verdict(
        &self,
        file: usize,
        scope: &[&Function],
        dep: &Expr,
        annotation: Option<&Expr>,
        depth: u32,
    ) -> Option<Verdict> {
        if depth > 6 {
            return None;
        }
        let imports = &self.model.files[file].imports;
        match &dep.kind {
            ExprKind::Call(call) => {
                let q = imports.resolve(&call.func)?;
                if !(is_depends(&q) || is_security(&q)) {
                    return None;
                }
                let scopes = is_security(&q) && call.keyword("scopes").is_some();
                let target = call.argument("dependency", 0);
                let mut v = match target {
                    Some(t) => self.callable_verdict(file, scope, t, depth + 1),
                    // `x: Model = Depends()`: the annotation is the dependency.
                    None => annotation
                        .map(|a| self.callable_verdict(file, scope, a, depth + 1))
                        .unwrap_or_default(),
                };
                v.checks_role |= scopes;
                Some(v)
            }
            // An alias that resolved to an authenticating `Annotated`.
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {
                Some(Verdict {
                    authenticates: true,
                    checks_role: false,
                })
            }
            _ => None,
        }
    }

    /// Judges the callable a dependency names.
    fn callable_verdict(
        &self,
        file: usize,
        scope: &[&Function],
        target: &Expr,
        depth: u32,
    ) -> Verdict {
        let mut v = Verdict::default();
        if depth > 8 {
            return v;
        }
        // An instance of a security scheme.
        if let Some(class) = self.model.instance_class(file, scope, target) {
            if SECURITY_SCHEMES.contains(&class.as_str()) {
                v.authenticates = true;
                return v;
            }
        }
        let imports = &self.model.files[file].imports;
        if let ExprKind::Call(call) = &target.kind {
            // fastapi-users: `fastapi_users.current_user(active=True, superuser=True)`.
            if let ExprKind::Attribute { value, attr } = &call.func.kind {
                if attr == "current_user" || attr == "current_user_token" {
                    let owner = self.model.instance_class(file, scope, value);
                    if owner
                        .as_deref()
                        .is_some_and(|c| c.starts_with("fastapi_users"))
                        || imports.iter().any(|(_, q)| q.starts_with("fastapi_users"))
                    {
                        v.authenticates = true;
                        v.checks_role = call
                            .keyword("superuser")
                            .and_then(Expr::as_bool)
                            .unwrap_or(false);
                        return v;
                    }
                }
            }
            // A factory such as `require_role("admin")`: judge what it builds.
            let inner = self.callable_verdict(file, scope, &call.func, depth + 1);
            if inner.authenticates {
                v = inner;
                v.checks_role |= !call.args.is_empty() || !call.keywords.is_empty();
            }
            return v;
        }
        if self.is_user_name(target, &self.names.auth_dependencies, file) {
            v.authenticates = true;
            v.checks_role = self.role_name(target.last_name().unwrap_or(""));
            return v;
        }
        match self.model.resolve_definition(file, target) {
            Some((def_file, Some(Stmt::FunctionDef(function)), _)) => {
                self.function_verdict(def_file, function, depth + 1)
            }
            Some((def_file, Some(Stmt::ClassDef(class)), _)) => self.class_verdict(def_file, class),
            Some((
                _,
                Some(Stmt::Assign {
                    value: Some(value), ..
                }),
                _,
            )) => {
                // `current_active_user = fastapi_users.current_user(active=True)`.
                let scope: [&Function; 0] = [];
                let def_file = self
                    .model
                    .resolve_definition(file, target)
                    .map_or(file, |d| d.0);
                self.callable_verdict(def_file, &scope, value, depth + 1)
            }
            Some((_, None, Some(q))) => {
                let last = q.rsplit('.').next().unwrap_or("");
                v.authenticates = is_auth_function_name(last);
                v.checks_role = v.authenticates && self.role_name(last);
                v
            }
            _ => {
                let name = target.last_name().unwrap_or("");
                v.authenticates = is_auth_function_name(name);
                v.checks_role = v.authenticates && self.role_name(name);
                v
            }
        }
    }

    fn is_user_name(&self, expr: &Expr, names: &[String], file: usize) -> bool {
        if names.is_empty() {
            return false;
        }
        let q = self.model.files[file].imports.resolve(expr);
        let last = expr.last_name();
        names
            .iter()
            .any(|n| Some(n.as_str()) == q.as_deref() || Some(n.as_str()) == last)
    }

    fn role_name(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        [
            "admin",
            "superuser",
            "role",
            "permission",
            "scope",
            "staff",
            "owner",
        ]
        .iter()
        .any(|w| lower.contains(w))
    }

    /// Judges a project function used as a dependency or decorator: its own dependencies, its
    /// body (and nested wrappers), its name.
    fn function_verdict(&self, file: usize, function: &Function, depth: u32) -> Verdict {
        let key = (file, function.span.start);
        {
            let memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            match memo.get(&key) {
                Some(Some(v)) => return *v,
                Some(None) => return Verdict::default(),
                None => {}
            }
        }
        self.memo
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, None);
        let scope = [function];
        let mut v = Verdict::default();
        for param in &function.params {
            let mut deps = Vec::new();
            if let Some(d) = &param.default {
                deps.push(d);
            }
            if let Some(a) = &param.annotation {
                self.annotated_dependencies(file, &scope, a, &mut deps, 0);
            }
            for dep in deps {
                if let Some(dv) =
                    self.dependency_verdict(file, &scope, dep, param.annotation.as_ref(), depth + 1)
                {
                    v.authenticates |= dv.authenticates;
                    v.checks_role |= dv.checks_role;
                }
            }
        }
        let body = self.body_verdict(file, &function.body, 0);
        v.authenticates |= body.authenticates || is_auth_function_name(&function.name);
        v.checks_role |= body.checks_role || (v.authenticates && self.role_name(&function.name));
        self.memo
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, Some(v));
        v
    }

    /// A class used as a dependency (`__call__`) or middleware (`dispatch`, `__call__`).
    fn class_verdict(&self, file: usize, class: &Class) -> Verdict {
        let mut v = Verdict::default();
        for stmt in &class.body {
            if let Stmt::FunctionDef(f) = stmt {
                if matches!(f.name.as_str(), "__call__" | "dispatch" | "__init__") {
                    let fv = self.function_verdict(file, f, 0);
                    v.authenticates |= fv.authenticates && f.name != "__init__";
                    v.checks_role |= fv.checks_role;
                }
            }
        }
        if !v.authenticates && is_auth_function_name(&class.name) {
            v.authenticates = true;
        }
        v.checks_role |= v.authenticates && self.role_name(&class.name);
        v
    }

    fn project_class(&self, file: usize, expr: &Expr) -> Option<(usize, &'a Class)> {
        match self.model.resolve_definition(file, expr)? {
            (f, Some(Stmt::ClassDef(c)), _) => Some((f, c)),
            _ => None,
        }
    }

    /// Judges a decorator: a known authentication decorator, a user-configured one, a
    /// Flask-HTTPAuth `login_required`, Starlette's `requires`, or a project decorator that
    /// authenticates.
    fn auth_decorator(
        &self,
        file: usize,
        scope: &[&Function],
        decorator: &Expr,
    ) -> Option<Verdict> {
        let imports = &self.model.files[file].imports;
        let (callee, call): (&Expr, Option<&Call>) = match &decorator.kind {
            ExprKind::Call(call) => (&call.func, Some(call)),
            _ => (decorator, None),
        };
        let has_args = call.is_some_and(|c| !c.args.is_empty() || !c.keywords.is_empty());
        if let Some(q) = imports.resolve(callee) {
            if q == "starlette.authentication.requires" {
                let scopes: Vec<&str> = call
                    .and_then(|c| c.args.first())
                    .map(|a| match a.elements() {
                        Some(items) => items.iter().filter_map(Expr::as_str).collect(),
                        None => a.as_str().into_iter().collect(),
                    })
                    .unwrap_or_default();
                return Some(Verdict {
                    authenticates: true,
                    checks_role: scopes.iter().any(|s| *s != "authenticated"),
                });
            }
            if FLASK_AUTH_DECORATORS.contains(&q.as_str()) {
                return Some(Verdict {
                    authenticates: true,
                    checks_role: ROLE_DECORATORS.contains(&q.as_str()),
                });
            }
        }
        if self.is_user_name(callee, &self.names.auth_decorators, file) {
            return Some(Verdict {
                authenticates: true,
                checks_role: has_args || self.role_name(callee.last_name().unwrap_or("")),
            });
        }
        // `@auth.login_required` / `@auth.login_required(role="admin")` on Flask-HTTPAuth.
        if let ExprKind::Attribute { value, attr } = &callee.kind {
            if attr == "login_required" {
                let class = self.model.instance_class(file, scope, value);
                if class
                    .as_deref()
                    .is_some_and(|c| HTTPAUTH_CLASSES.contains(&c))
                    || class.is_none()
                {
                    return Some(Verdict {
                        authenticates: true,
                        checks_role: call.is_some_and(|c| c.keyword("role").is_some()),
                    });
                }
            }
        }
        match self.model.resolve_definition(file, callee) {
            Some((def_file, Some(Stmt::FunctionDef(function)), _)) => {
                let v = self.function_verdict(def_file, function, 0);
                v.authenticates.then_some(Verdict {
                    authenticates: true,
                    checks_role: v.checks_role || has_args && self.role_name(&function.name),
                })
            }
            Some((_, None, Some(q))) => {
                let last = q.rsplit('.').next().unwrap_or("");
                is_auth_function_name(last).then_some(Verdict {
                    authenticates: true,
                    checks_role: self.role_name(last),
                })
            }
            _ => {
                let name = callee.last_name().unwrap_or("");
                is_auth_function_name(name).then_some(Verdict {
                    authenticates: true,
                    checks_role: self.role_name(name),
                })
            }
        }
    }

    fn limit_decorator(
        &self,
        file: usize,
        scope: &[&Function],
        decorator: &Expr,
    ) -> Option<LimitDecorator> {
        let (callee, is_call) = match &decorator.kind {
            ExprKind::Call(call) => (&call.func, true),
            _ => (decorator, false),
        };
        let ExprKind::Attribute { value, attr } = &callee.kind else {
            let name = callee.last_name().unwrap_or("").to_ascii_lowercase();
            return (name.contains("rate_limit")
                || name.contains("ratelimit")
                || name.contains("throttle"))
            .then_some(LimitDecorator::Limit);
        };
        let is_limiter = self
            .apps
            .resolve_object(file, scope, value)
            .and_then(|id| self.apps.kind(&id))
            .is_some_and(ObjectKind::is_limiter)
            || self
                .model
                .instance_class(file, scope, value)
                .is_some_and(|c| c.starts_with("slowapi") || c.starts_with("flask_limiter"));
        if !is_limiter {
            return None;
        }
        match attr.as_str() {
            "limit" | "shared_limit" if is_call => Some(LimitDecorator::Limit),
            "exempt" => Some(LimitDecorator::Exempt),
            _ => None,
        }
    }

    /// Whether a body (with nested functions) refuses unauthenticated requests or checks roles.
    fn body_verdict(&self, file: usize, body: &[Stmt], depth: u32) -> Verdict {
        let mut v = Verdict::default();
        if depth > 3 {
            return v;
        }
        let imports = &self.model.files[file].imports;
        let mut visit = |e: &Expr| {
            match &e.kind {
                ExprKind::Attribute { attr, .. } => match attr.as_str() {
                    "is_authenticated" | "is_anonymous" => v.authenticates = true,
                    "is_superuser" | "is_admin" | "is_staff" | "role" | "roles" | "permissions"
                    | "scopes" | "has_role" | "has_permission" | "has_roles" | "has_perm"
                    | "can" => v.checks_role = true,
                    "HTTP_401_UNAUTHORIZED"
                    | "HTTP_403_FORBIDDEN"
                    | "UNAUTHORIZED"
                    | "FORBIDDEN" => v.authenticates = true,
                    _ => {}
                },
                ExprKind::Call(call) => {
                    let q = imports.resolve(&call.func).unwrap_or_default();
                    let last = call.func.last_name().unwrap_or("");
                    let status = call
                        .argument("status_code", 0)
                        .or_else(|| call.keyword("code"))
                        .and_then(|a| match a.kind {
                            ExprKind::Int(Some(n)) => Some(n),
                            _ => None,
                        });
                    let refusing = matches!(status, Some(401 | 403));
                    if (last == "abort" || last == "HTTPException") && refusing {
                        v.authenticates = true;
                    }
                    if matches!(
                        q.as_str(),
                        "flask_jwt_extended.verify_jwt_in_request"
                            | "flask_jwt_extended.get_jwt_identity"
                            | "jwt.decode"
                            | "jose.jwt.decode"
                            | "werkzeug.exceptions.Unauthorized"
                            | "werkzeug.exceptions.Forbidden"
                    ) {
                        v.authenticates = true;
                    }
                    if last.contains("Unauthorized")
                        || last.contains("Forbidden")
                        || last.contains("NotAuthenticated")
                        || last.contains("PermissionDenied")
                        || last.contains("AuthenticationFailed")
                    {
                        v.authenticates = true;
                    }
                    if is_auth_function_name(last) {
                        v.authenticates = true;
                    }
                    if last.contains("has_role")
                        || last.contains("has_permission")
                        || last.contains("check_permission")
                        || last.contains("require_role")
                        || last.contains("check_role")
                    {
                        v.checks_role = true;
                    }
                    if last == "redirect" {
                        // `redirect(url_for("auth.login"))`
                        let to_login = call.args.first().is_some_and(|a| {
                            a.any(&mut |x| {
                                x.as_str()
                                    .is_some_and(|s| s.to_ascii_lowercase().contains("login"))
                            })
                        });
                        v.authenticates |= to_login;
                    }
                }
                ExprKind::Tuple(items) => {
                    if items
                        .iter()
                        .any(|i| matches!(i.kind, ExprKind::Int(Some(401 | 403))))
                    {
                        v.authenticates = true;
                    }
                }
                ExprKind::Name(n) if n.contains("Unauthorized") || n.contains("Forbidden") => {
                    v.authenticates = true
                }
                _ => {}
            }
            false
        };
        walk_exprs(body, &mut |e| {
            e.any(&mut visit);
        });
        v
    }
}

enum LimitDecorator {
    Limit,
    Exempt,
}

/// Calls `f` with every top-level expression in `body`, including nested functions' bodies.
pub fn walk_exprs<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr)) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(func) => {
                walk_exprs(&func.body, f);
                continue;
            }
            Stmt::ClassDef(_) => continue,
            Stmt::Return { value: Some(v), .. } | Stmt::Expr { value: v, .. } => f(v),
            Stmt::Assign { targets, value, .. } => {
                targets.iter().for_each(&mut *f);
                if let Some(v) = value {
                    f(v);
                }
            }
            Stmt::AugAssign { target, value, .. } => {
                f(target);
                f(value);
            }
            Stmt::If { test, .. } | Stmt::While { test, .. } => f(test),
            Stmt::For { iter, .. } => f(iter),
            Stmt::With { items, .. } => items.iter().for_each(|i| f(&i.context)),
            Stmt::Raise { exc: Some(e), .. } => f(e),
            Stmt::Match { subject, .. } => f(subject),
            Stmt::Try { handlers, .. } => {
                for h in handlers {
                    if let Some(t) = &h.type_ {
                        f(t);
                    }
                }
            }
            _ => {}
        }
        for child in stmt.child_bodies() {
            walk_exprs(child, f);
        }
    }
}
