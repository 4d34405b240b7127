//! What protects each route: authentication at every level the frameworks offer, role checks,
//! rate limits. Computed once for every mounted route; rules and `routewarden routes` read it.

use crate::apps::{AppModel, HookKind, MountedRoute, ObjectId, RouteDecl};
use crate::frameworks::{
    ObjectKind, auth_decorator, is_auth_function_name, is_auth_object_class, is_security_scheme,
};
use crate::project::ProjectModel;
use routewarden_python::ast::{
    Call, Class, CmpOp, Expr, ExprKind, Function, Param, Span, Stmt, UnaryOp,
};
use rustc_hash::FxHashMap as HashMap;
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
    /// A guard hook that would protect the route lets it through by name or path
    /// (`if request.endpoint in PUBLIC: return`): public by the developer's decision.
    pub hook_exempt: bool,
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
            memo: Mutex::new(HashMap::default()),
            guard_memo: Mutex::new(HashMap::default()),
            hook_memo: Mutex::new(HashMap::default()),
            limiter_calls: limiter_calls(&apps),
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

fn limiter_calls(apps: &AppModel) -> HashMap<ObjectId, Vec<usize>> {
    let mut by_target: HashMap<ObjectId, Vec<usize>> = HashMap::default();
    for (i, call) in apps.calls.iter().enumerate() {
        if !apps
            .kind(&call.receiver)
            .is_some_and(ObjectKind::is_limiter)
        {
            continue;
        }
        if let Some(target) = call
            .call
            .args
            .first()
            .and_then(|a| apps.resolve_object(call.file, &call.scope, a))
        {
            by_target.entry(target).or_default().push(i);
        }
    }
    by_target
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
    /// Whether project functions called from handler bodies refuse unauthenticated callers.
    guard_memo: Mutex<HashMap<(usize, u32), Verdict>>,
    /// What each hook function checks, whatever the route: hooks are judged once per route.
    hook_memo: Mutex<HashMap<(usize, u32), Verdict>>,
    /// Calls on limiters that take an object (`limiter.limit("5/minute")(bp)`), by that object.
    limiter_calls: HashMap<ObjectId, Vec<usize>>,
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
            for pd in self.param_dependencies(hf, scope, param) {
                self.dependency(
                    pd.file,
                    &pd.scope,
                    pd.dep,
                    Level::Parameter,
                    None,
                    pd.annotation,
                    Some(pd.shown),
                    &mut sec,
                );
            }
        }
        // `dependencies=[...]` on the route decorator or `add_api_route`.
        if let Some(list) = route.keyword("dependencies").and_then(Expr::elements) {
            for dep in list {
                self.dependency(
                    route.file,
                    scope,
                    dep,
                    Level::Route,
                    None,
                    None,
                    None,
                    &mut sec,
                );
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
        for &(file, decorator) in &route.view_decorators {
            if let Some(v) = self.auth_decorator(file, &[], decorator) {
                sec.auth.push(Protection {
                    mechanism: format!("@{}", self.text(file, decorator.span)),
                    level: Level::View,
                    via: route.view_class.map(|c| c.name.clone()),
                    checks_role: v.checks_role,
                });
            }
        }
        if let Some(class) = route.view_class {
            self.view_class_security(route, class, &mut sec);
        }
        // The handler's own body; in a login handler, refusals answer bad credentials.
        let body = if self.handles_credentials(hf, handler) {
            Verdict::default()
        } else {
            self.body_verdict(hf, &handler.body, 0)
        };
        if body.authenticates {
            sec.auth.push(Protection {
                mechanism: "checks in the handler body".to_string(),
                level: Level::Body,
                via: None,
                checks_role: body.checks_role,
            });
        }
        sec.role_in_body |= body.checks_role;
        if let Some(call) = body_rate_limit(&handler.body) {
            sec.rate_limits.push(Protection {
                mechanism: format!("{} in the handler body", self.text(hf, call)),
                level: Level::Body,
                via: None,
                checks_role: false,
            });
        }

        // Every object along the mount chain: its dependencies, hooks, middleware, limits.
        // Above a `mount`, only what wraps the whole application (middleware) still applies.
        let mut beyond_mount = false;
        for (level, object) in mounted.chain.iter().enumerate() {
            let via = Some(self.apps.display_object(object));
            let kind = self.apps.kind(object);
            let object_level = if kind.is_some_and(ObjectKind::is_app) {
                Level::App
            } else {
                Level::Router
            };
            if let Some(o) = self.apps.objects.get(object).filter(|_| !beyond_mount) {
                for dep in &o.dependencies {
                    self.dependency(
                        object.file,
                        &o.scope,
                        dep,
                        object_level,
                        via.clone(),
                        None,
                        None,
                        &mut sec,
                    );
                }
            }
            if let Some(&inc) = mounted.includes.get(level) {
                let include = &self.apps.includes[inc];
                let parent = Some(self.apps.display_object(&include.parent));
                for dep in include.dependencies.iter().filter(|_| !beyond_mount) {
                    self.dependency(
                        include.file,
                        &include.scope,
                        dep,
                        Level::Include,
                        parent.clone(),
                        None,
                        None,
                        &mut sec,
                    );
                }
            }
            // A parameter standing for the app it is passed is judged once, as that app:
            // what is registered on any of the app's parameters applies there.
            let alias_of_next = mounted
                .includes
                .get(level)
                .is_some_and(|&i| self.apps.includes[i].is_parameter);
            for hook in self
                .apps
                .hooks
                .iter()
                .filter(|_| !alias_of_next)
                .filter(|h| self.apps.denotes(&h.owner, object))
                .filter(|h| !beyond_mount || h.kind == HookKind::HttpMiddleware)
            {
                self.hook(
                    hook.function_file,
                    hook.function,
                    hook.kind,
                    via.clone(),
                    mounted,
                    &mut sec,
                );
            }
            if kind.is_some_and(ObjectKind::is_app) && !alias_of_next {
                self.app_level(object, mounted, &mut sec);
            }
            // `limiter.limit("...")(bp)` and `limiter.exempt(bp)`.
            for &c in self.limiter_calls.get(object).into_iter().flatten() {
                let call = &self.apps.calls[c];
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
            if let Some(&inc) = mounted.includes.get(level) {
                beyond_mount |= self.apps.includes[inc].is_mount;
            }
        }
        sec
    }

    /// A handler that checks submitted credentials: a login, not an authenticated route.
    fn handles_credentials(&self, file: usize, handler: &Function) -> bool {
        let imports = &self.model.files[file].imports;
        let form = handler.params.iter().any(|p| {
            p.annotation.as_ref().is_some_and(|a| {
                a.any(&mut |x| {
                    imports
                        .resolve(x)
                        .is_some_and(|q| q.ends_with("OAuth2PasswordRequestForm"))
                })
            })
        });
        let mut checks = false;
        walk_exprs(&handler.body, &mut |e| {
            checks |= e.any(&mut |x| {
                x.as_call()
                    .and_then(|c| c.func.last_name())
                    .is_some_and(|n| CREDENTIAL_CALL_NAMES.contains(&n))
            });
        });
        form || checks
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
                    mounted,
                    sec,
                );
            }
        }
        for mw in self
            .apps
            .middleware
            .iter()
            .filter(|m| m.owner.as_ref().is_some_and(|o| self.apps.denotes(o, app)))
        {
            let qualified = self.model.files[mw.file].imports.resolve(mw.class);
            if qualified
                .as_deref()
                .is_some_and(|q| q.starts_with("slowapi.middleware"))
            {
                if let Some((file, limits)) = self.slowapi_defaults_for(app) {
                    sec.rate_limits.push(Protection {
                        mechanism: format!(
                            "default_limits={} with SlowAPIMiddleware",
                            self.text(file, limits.span)
                        ),
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
            let defaults = ["default_limits", "application_limits"]
                .iter()
                .find_map(|k| {
                    call.keyword(k)
                        .filter(|v| v.elements().is_none_or(|e| !e.is_empty()))
                        .map(|v| (k, v))
                });
            let Some((key, limits)) = defaults else {
                continue;
            };
            if self.limiter_attached_to(id, app) {
                sec.rate_limits.push(Protection {
                    mechanism: format!("{} {key}={}", id.name, self.text(id.file, limits.span)),
                    level: Level::App,
                    via: via.clone(),
                    checks_role: false,
                });
            }
        }
    }

    /// The `default_limits` of a slowapi limiter stored in `app.state.limiter`.
    fn slowapi_defaults_for(&self, app: &ObjectId) -> Option<(usize, &'a Expr)> {
        self.apps
            .state_limiters
            .iter()
            .filter(|(a, _)| self.apps.denotes(a, app))
            .find_map(|(_, l)| {
                let object = self.apps.objects.get(l)?;
                let limits = object.call?.keyword("default_limits")?;
                Some((l.file, limits))
            })
    }

    /// `Limiter(app=app)`, `Limiter(app)` (Flask-Limiter before 3.0) or `limiter.init_app(app)`.
    pub fn limiter_attached_to(&self, limiter: &ObjectId, app: &ObjectId) -> bool {
        let object = &self.apps.objects[limiter];
        let names_app = |file: usize, scope: &[&'a Function], e: &'a Expr| {
            self.apps
                .resolve_object(file, scope, e)
                .is_some_and(|id| self.apps.denotes(&id, app))
        };
        let by_argument = object.call.is_some_and(|c| {
            c.keyword("app")
                .into_iter()
                .chain(c.args.iter())
                .any(|a| names_app(limiter.file, &object.scope, a))
        });
        by_argument
            || self.apps.calls.iter().any(|call| {
                &call.receiver == limiter
                    && call.method == "init_app"
                    && call
                        .call
                        .argument("app", 0)
                        .is_some_and(|a| names_app(call.file, &call.scope, a))
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
        function: &'a Function,
        kind: HookKind,
        via: Option<String>,
        mounted: &MountedRoute,
        sec: &mut RouteSecurity,
    ) {
        let key = (file, function.span.start);
        let known = self
            .hook_memo
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .copied();
        let v = known.unwrap_or_else(|| {
            let mut v = self.body_verdict(file, &function.body, 0);
            for d in &function.decorators {
                if let Some(dv) = self.auth_decorator(file, &[], d) {
                    v.authenticates = true;
                    v.checks_role |= dv.checks_role;
                }
            }
            self.hook_memo
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key, v);
            v
        });
        if !v.authenticates {
            return;
        }
        if !self.hook_applies(file, function, mounted) {
            sec.hook_exempt = true;
            return;
        }
        {
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

    /// Whether a guard hook covers a route, given the exemptions written at its top:
    /// `if request.endpoint in PUBLIC: return`, `if request.path not in OPEN and not user:
    /// abort(401)`, or a guard limited to `request.path.startswith("/admin")`.
    fn hook_applies(&self, file: usize, function: &'a Function, mounted: &MountedRoute) -> bool {
        let names = self.endpoint_names(mounted);
        let mut applies = true;
        self.hook_exemptions(
            file,
            function,
            &function.body,
            &names,
            mounted,
            &mut applies,
        );
        applies
    }

    /// Looks at every `if` of a hook (also down `elif` chains) that tests the request's
    /// endpoint, path or blueprint, and clears `applies` when the route is let through.
    fn hook_exemptions(
        &self,
        file: usize,
        function: &'a Function,
        body: &[Stmt],
        names: &[String],
        mounted: &MountedRoute,
        applies: &mut bool,
    ) {
        for stmt in body {
            let Stmt::If {
                test,
                body: then,
                orelse,
                ..
            } = stmt
            else {
                continue;
            };
            if self.exempts(file, function, test, then, names, &mounted.full_path) {
                *applies = false;
                return;
            }
            self.hook_exemptions(file, function, then, names, mounted, applies);
            self.hook_exemptions(file, function, orelse, names, mounted, applies);
        }
    }

    fn exempts(
        &self,
        file: usize,
        function: &'a Function,
        test: &Expr,
        then: &[Stmt],
        names: &[String],
        path: &str,
    ) -> bool {
        let about_target = test.any(&mut |e| {
            matches!(&e.kind, ExprKind::Attribute { attr, .. }
                if matches!(attr.as_str(), "endpoint" | "path" | "blueprint" | "url_rule" | "full_path"))
        });
        if !about_target {
            return false;
        }
        let scope = [function];
        // Each literal, and whether it is tested as a substring (`"login" in request.endpoint`).
        let mut literals: Vec<(String, bool)> = Vec::new();
        test.any(&mut |e| {
            match &e.kind {
                ExprKind::Compare {
                    left,
                    ops,
                    comparators,
                } => {
                    if let (Some(lit), [CmpOp::In | CmpOp::NotIn]) = (left.as_str(), ops.as_slice())
                        && !comparators.iter().any(|c| c.as_str().is_some())
                    {
                        literals.push((lit.to_string(), true));
                    }
                }
                ExprKind::Str(s) if !literals.iter().any(|(l, sub)| *sub && l == s) => {
                    literals.push((s.clone(), false));
                }
                ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                    let origin = self.model.resolve_value(file, &scope, e);
                    if !std::ptr::eq(origin.expr, e)
                        && let Some(items) = origin.expr.elements()
                    {
                        literals.extend(
                            items
                                .iter()
                                .filter_map(Expr::as_str)
                                .map(|s| (s.to_string(), false)),
                        );
                    }
                }
                _ => {}
            }
            false
        });
        if literals.is_empty() {
            return false;
        }
        let negated = test.any(&mut |e| match &e.kind {
            ExprKind::Compare { ops, .. } => ops
                .iter()
                .any(|op| matches!(op, CmpOp::NotIn | CmpOp::NotEq)),
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => matches!(operand.kind, ExprKind::Call(_)),
            _ => false,
        });
        let matches = literals.iter().any(|(l, substring)| {
            if *substring {
                names.iter().any(|n| n.contains(l.as_str()))
            } else {
                names.iter().any(|n| n == l)
                    || l.starts_with('/')
                        && (path == l.as_str()
                            || path.starts_with(&format!("{}/", l.trim_end_matches('/'))))
            }
        });
        let mut refuses = false;
        walk_stmts(then, &mut |st| {
            let e = match st {
                Stmt::Raise { exc: Some(e), .. }
                | Stmt::Return { value: Some(e), .. }
                | Stmt::Expr { value: e, .. } => e,
                _ => return,
            };
            refuses |= self.refusal(file, &function.body, e, 0).is_some();
        });
        // `return`, `pass`, `return await call_next(request)`: let the request through.
        let early_return =
            !refuses && matches!(then.first(), Some(Stmt::Return { .. } | Stmt::Other { .. }));
        match (early_return, negated) {
            (true, false) => matches,
            (true, true) => !matches,
            (false, true) => refuses && matches,
            (false, false) => refuses && !matches,
        }
    }

    /// The endpoint names Flask gives a route (`view`, `bp.view`, `parent.child.view`) and the
    /// names of the blueprints it is in, for matching `request.endpoint` and `request.blueprint`.
    fn endpoint_names(&self, mounted: &MountedRoute) -> Vec<String> {
        let route = &self.apps.routes[mounted.route];
        let view = route
            .keyword("endpoint")
            .and_then(Expr::as_str)
            .map(str::to_string)
            .or_else(|| {
                route
                    .call
                    .filter(|_| route.decorator_index.is_none())
                    .and_then(|c| c.args.get(1))
                    .and_then(Expr::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| route.handler.name.clone());
        let blueprints: Vec<String> = mounted
            .chain
            .iter()
            .filter_map(|id| self.apps.objects.get(id))
            .filter(|o| o.kind == ObjectKind::Blueprint)
            .filter_map(|o| o.call?.args.first()?.as_str().map(str::to_string))
            .collect();
        let mut names = blueprints.clone();
        let mut qualified = view.clone();
        for bp in &blueprints {
            qualified = format!("{bp}.{qualified}");
        }
        names.push(qualified);
        names.push(view);
        names
    }

    fn view_class_security(&self, route: &RouteDecl, class: &Class, sec: &mut RouteSecurity) {
        // Flask-AppBuilder and similar: a `dispatch_request` or base class that checks.
        for stmt in &class.body {
            if let Stmt::FunctionDef(f) = stmt
                && f.name == "dispatch_request"
            {
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

    /// A parameter's dependencies: its default (`= Depends(...)`) and those inside
    /// `Annotated[T, Depends(...)]`, also through type aliases defined in other modules.
    fn param_dependencies(
        &self,
        file: usize,
        scope: &[&'a Function],
        param: &'a Param,
    ) -> Vec<ParamDep<'a>> {
        let mut out = Vec::new();
        if let Some(default) = &param.default {
            out.push(ParamDep {
                file,
                scope: scope.to_vec(),
                dep: default,
                annotation: param.annotation.as_ref(),
                shown: (file, default.span),
            });
        }
        if let Some(annotation) = &param.annotation {
            self.annotated_dependencies(file, scope, annotation, None, &mut out, 0);
        }
        out
    }

    /// `shown` is the alias the dependencies were reached through, printed instead of them.
    fn annotated_dependencies(
        &self,
        file: usize,
        scope: &[&'a Function],
        annotation: &'a Expr,
        shown: Option<(usize, Span)>,
        out: &mut Vec<ParamDep<'a>>,
        depth: u32,
    ) {
        if depth > 4 {
            return;
        }
        match &annotation.kind {
            ExprKind::Subscript { value, slice } => {
                let q = self.model.files[file].imports.resolve(value);
                if !q.as_deref().is_some_and(|q| q.ends_with("Annotated")) {
                    return;
                }
                let Some(items) = slice.elements() else {
                    return;
                };
                for item in items.iter().skip(1) {
                    out.push(ParamDep {
                        file,
                        scope: scope.to_vec(),
                        dep: item,
                        annotation: items.first(),
                        shown: shown.unwrap_or((file, item.span)),
                    });
                }
            }
            ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                let origin = self.model.resolve_value(file, scope, annotation);
                if !std::ptr::eq(origin.expr, annotation) {
                    self.annotated_dependencies(
                        origin.file,
                        &origin.scope,
                        origin.expr,
                        Some(shown.unwrap_or((file, annotation.span))),
                        out,
                        depth + 1,
                    );
                }
            }
            _ => {}
        }
    }

    /// Judges one dependency and records it as authentication or a rate limit. `shown` is what
    /// to print for it (an alias), the dependency itself by default.
    #[allow(clippy::too_many_arguments)]
    fn dependency(
        &self,
        file: usize,
        scope: &[&Function],
        dep: &Expr,
        level: Level,
        via: Option<String>,
        annotation: Option<&Expr>,
        shown: Option<(usize, Span)>,
        sec: &mut RouteSecurity,
    ) {
        let (shown_file, shown_span) = shown.unwrap_or((file, dep.span));
        if self.is_rate_limit_dependency(file, dep) {
            sec.rate_limits.push(Protection {
                mechanism: self.text(shown_file, shown_span),
                level,
                via,
                checks_role: false,
            });
            return;
        }
        if let Some(v) = self.dependency_verdict(file, scope, dep, annotation, 0)
            && v.authenticates
        {
            sec.auth.push(Protection {
                mechanism: self.text(shown_file, shown_span),
                level,
                via,
                checks_role: v.checks_role,
            });
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
        if depth > MAX_CHAIN {
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
        if depth > MAX_CHAIN {
            return v;
        }
        // A name bound inside an enclosing function (a router factory): a nested `def`, or
        // `combined_auth = get_combined_auth_dependency(api_key)`.
        if let ExprKind::Name(name) = &target.kind {
            for (i, function) in scope.iter().enumerate().rev() {
                if let Some(nested) = crate::apps::local_function(&function.body, name) {
                    return self.function_verdict(file, nested, depth + 1);
                }
                if let Some(value) = crate::values::local_assignment(function, name) {
                    if std::ptr::eq(value, target) {
                        break;
                    }
                    return self.callable_verdict(file, &scope[..=i], value, depth + 1);
                }
            }
        }
        // An instance of a security scheme.
        if let Some(class) = self.model.instance_class(file, scope, target)
            && is_security_scheme(&class)
        {
            v.authenticates = true;
            return v;
        }
        let imports = &self.model.files[file].imports;
        if let ExprKind::Call(call) = &target.kind {
            // fastapi-users: `fastapi_users.current_user(active=True, superuser=True)`.
            if let ExprKind::Attribute { value, attr } = &call.func.kind
                && (attr == "current_user" || attr == "current_user_token")
            {
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
        ["admin", "superuser", "role", "permission", "scope", "staff"]
            .iter()
            .any(|w| lower.contains(w))
    }

    /// Judges a project function used as a dependency or decorator: its own dependencies, its
    /// body (and nested wrappers), its name.
    fn function_verdict(&self, file: usize, function: &Function, depth: u32) -> Verdict {
        if depth > MAX_CHAIN {
            // Not memoised: a judgement cut short is not the function's verdict.
            return Verdict {
                authenticates: is_auth_function_name(&function.name),
                checks_role: false,
            };
        }
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
            for pd in self.param_dependencies(file, &scope, param) {
                if let Some(dv) =
                    self.dependency_verdict(pd.file, &pd.scope, pd.dep, pd.annotation, depth + 1)
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
        let lower = class.name.to_ascii_lowercase();
        if lower.contains("csrf") || lower.contains("xsrf") {
            return v;
        }
        for stmt in &class.body {
            if let Stmt::FunctionDef(f) = stmt
                && matches!(f.name.as_str(), "__call__" | "dispatch" | "__init__")
            {
                let fv = self.function_verdict(file, f, 0);
                v.authenticates |= fv.authenticates && f.name != "__init__";
                v.checks_role |= fv.checks_role;
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
            if let Some(checks_role) = auth_decorator(&q) {
                return Some(Verdict {
                    authenticates: true,
                    checks_role,
                });
            }
        }
        if self.is_user_name(callee, &self.names.auth_decorators, file) {
            return Some(Verdict {
                authenticates: true,
                checks_role: has_args || self.role_name(callee.last_name().unwrap_or("")),
            });
        }
        // `@auth.login_required(role="admin")` (Flask-HTTPAuth, APIFlask), `@oidc.require_login`
        // (Flask-OIDC), `@app.auth_required(auth)` (APIFlask).
        if let ExprKind::Attribute { value, attr } = &callee.kind
            && matches!(
                attr.as_str(),
                "login_required" | "require_login" | "accept_token" | "auth_required"
            )
        {
            let class = self.model.instance_class(file, scope, value);
            let framework_object = self
                .apps
                .resolve_object(file, scope, value)
                .and_then(|id| self.apps.kind(&id))
                .is_some_and(|k| k.is_app() || k.is_flask());
            if class.as_deref().is_none_or(is_auth_object_class) || framework_object {
                let role = call
                    .is_some_and(|c| c.keyword("role").is_some() || c.keyword("roles").is_some());
                return Some(Verdict {
                    authenticates: true,
                    checks_role: role,
                });
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

    /// Whether a body (with nested functions, such as a decorator's wrapper) refuses
    /// unauthenticated requests or checks roles. A refusal counts when it is conditional on
    /// the caller's identity: `if not current_user.is_authenticated: abort(401)`,
    /// `except JWTError: raise credentials_exception`, `if "user_id" not in session: return
    /// redirect(url_for("auth.login"))`. Calls that verify by themselves
    /// (`verify_jwt_in_request()`, a project guard such as `require_login()`) count anywhere.
    fn body_verdict(&self, file: usize, body: &[Stmt], depth: u32) -> Verdict {
        let mut v = Verdict::default();
        if depth > MAX_CHAIN {
            return v;
        }
        self.gates(file, body, body, None, depth, &mut v);
        let imports = &self.model.files[file].imports;
        walk_unswallowed_exprs(body, &mut |e| {
            e.any(&mut |x| {
                let ExprKind::Call(call) = &x.kind else {
                    return false;
                };
                let q = imports.resolve(&call.func).unwrap_or_default();
                if VERIFYING_CALLS.contains(&q.as_str())
                    && call.keyword("optional").and_then(Expr::as_bool) != Some(true)
                {
                    v.authenticates = true;
                }
                let last = call.func.last_name().unwrap_or("");
                if is_role_guard_name(last) {
                    v.authenticates = true;
                    v.checks_role = true;
                }
                if (q.is_empty() || !q.contains('.') || self.model.definition(&q).is_some())
                    && let Some(cv) = self.called_guard(file, &call.func, depth)
                {
                    v.authenticates |= cv.authenticates;
                    v.checks_role |= cv.checks_role;
                }
                false
            });
        });
        v
    }

    /// A project function called in a body that authenticates by itself (raises or aborts when
    /// there is no user): `user = get_current_user()`, `require_admin()`.
    fn called_guard(&self, file: usize, func: &Expr, depth: u32) -> Option<Verdict> {
        match self.model.resolve_definition(file, func) {
            Some((def_file, Some(Stmt::FunctionDef(function)), _)) => {
                let key = (def_file, function.span.start);
                let known = self
                    .guard_memo
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&key)
                    .copied();
                let v = match known {
                    Some(v) => v,
                    None if depth >= MAX_CHAIN => return None,
                    None => {
                        self.guard_memo
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(key, Verdict::default());
                        let v = self.body_verdict(def_file, &function.body, depth + 1);
                        self.guard_memo
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(key, v);
                        v
                    }
                };
                v.authenticates.then_some(v)
            }
            Some((_, None, Some(_))) => None,
            _ => {
                let name = func.last_name().unwrap_or("");
                is_guard_call_name(name).then(|| Verdict {
                    authenticates: true,
                    checks_role: self.role_name(name),
                })
            }
        }
    }

    /// Walks statements looking for refusals under a condition (`gate` is the test of the
    /// innermost enclosing `if`, or the exception type of an `except`).
    fn gates(
        &self,
        file: usize,
        root: &[Stmt],
        body: &[Stmt],
        gate: Option<Gate>,
        depth: u32,
        v: &mut Verdict,
    ) {
        for stmt in body {
            match stmt {
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    // Conditions accumulate: an `else` deep in an `elif` chain under
                    // `if not current_user.is_authenticated:` is still about identity.
                    let mut g = self.gate_of(file, test);
                    if let Some(outer) = gate {
                        g.identity |= outer.identity;
                        g.role |= outer.role;
                        g.credentials |= outer.credentials;
                    }
                    self.gates(file, root, body, Some(g), depth, v);
                    self.gates(file, root, orelse, Some(g), depth, v);
                }
                Stmt::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => {
                    self.gates(file, root, body, gate, depth, v);
                    for h in handlers {
                        let g = Gate {
                            identity: true,
                            role: false,
                            credentials: false,
                        };
                        self.gates(file, root, &h.body, Some(g), depth, v);
                    }
                    self.gates(file, root, orelse, gate, depth, v);
                    self.gates(file, root, finalbody, gate, depth, v);
                }
                Stmt::FunctionDef(f) => self.gates(file, &f.body, &f.body, None, depth, v),
                Stmt::ClassDef(_) => {}
                Stmt::Raise { exc: Some(e), .. } | Stmt::Return { value: Some(e), .. } => {
                    let Some(g) = gate else { continue };
                    if g.credentials {
                        continue;
                    }
                    if let Some(refusal) = self.refusal(file, root, e, depth) {
                        let counts = match refusal {
                            Refusal::Unauthorized | Refusal::Forbidden => g.identity || g.role,
                            Refusal::ToLogin => g.identity,
                        };
                        if counts {
                            v.authenticates = true;
                            v.checks_role |= g.role;
                        }
                    }
                }
                Stmt::Expr { value, .. } => {
                    // `abort(401)` as a statement.
                    let Some(g) = gate else { continue };
                    if g.credentials {
                        continue;
                    }
                    if let Some(refusal) = self.refusal(file, root, value, depth)
                        && !matches!(refusal, Refusal::ToLogin)
                        && (g.identity || g.role)
                    {
                        v.authenticates = true;
                        v.checks_role |= g.role;
                    }
                }
                other => {
                    for child in other.child_bodies() {
                        self.gates(file, root, child, gate, depth, v);
                    }
                }
            }
        }
    }

    fn gate_of(&self, file: usize, test: &Expr) -> Gate {
        let imports = &self.model.files[file].imports;
        let mut g = Gate::default();
        test.any(&mut |e| {
            let word = match &e.kind {
                ExprKind::Name(n) => Some(n.as_str()),
                ExprKind::Attribute { attr, .. } => Some(attr.as_str()),
                ExprKind::Str(s) => Some(s.as_str()),
                _ => None,
            };
            if let Some(word) = word {
                let lower = word.to_ascii_lowercase();
                // A CSRF token proves where a request comes from, not who sends it.
                let csrf = lower.contains("csrf") || lower.contains("xsrf");
                g.identity |= !csrf && IDENTITY_WORDS.iter().any(|w| lower.contains(w));
                g.role |= ROLE_WORDS.iter().any(|w| lower.contains(w));
            }
            if let ExprKind::Call(call) = &e.kind {
                let q = imports.resolve(&call.func);
                if q.as_deref().is_some_and(|q| CREDENTIAL_CHECKS.contains(&q))
                    || call
                        .func
                        .last_name()
                        .is_some_and(|n| CREDENTIAL_CALL_NAMES.contains(&n))
                {
                    g.credentials = true;
                }
            }
            false
        });
        g
    }

    /// What a raised or returned expression does to the request, if it refuses it.
    fn refusal(&self, file: usize, root: &[Stmt], expr: &Expr, depth: u32) -> Option<Refusal> {
        match &expr.kind {
            ExprKind::Call(call) => {
                let last = call.func.last_name().unwrap_or("");
                if last == "redirect" || last == "RedirectResponse" {
                    let to_login = call.args.first().or(call.keyword("url")).is_some_and(|a| {
                        a.any(&mut |x| {
                            x.as_str().is_some_and(|s| {
                                let lower = s.to_ascii_lowercase();
                                lower.contains("login") || lower.contains("signin")
                            })
                        })
                    });
                    return to_login.then_some(Refusal::ToLogin);
                }
                if last == "unauthorized" {
                    return Some(Refusal::Unauthorized);
                }
                // `HTTPException(307, headers={"Location": url_for("auth:login")})`
                let location_to_login = call.keyword("headers").is_some_and(|h| {
                    h.any(&mut |x| {
                        x.as_str().is_some_and(|s| {
                            let lower = s.to_ascii_lowercase();
                            lower.contains("login") || lower.contains("signin")
                        })
                    })
                });
                if location_to_login {
                    return Some(Refusal::ToLogin);
                }
                let status = call
                    .args
                    .iter()
                    .chain(call.keywords.iter().filter_map(|k| {
                        matches!(k.arg.as_deref(), Some("status_code" | "status" | "code"))
                            .then_some(&k.value)
                    }))
                    .find_map(status_of);
                if let Some(r) = status {
                    return Some(r);
                }
                if let Some(r) = refusal_class(last) {
                    return Some(r);
                }
                // `return auth_error()`: a project helper that refuses.
                if let Some((def_file, Some(Stmt::FunctionDef(f)), _)) =
                    self.model.resolve_definition(file, &call.func)
                    && depth < 3
                {
                    let mut found = None;
                    crate::values::for_each_return(&f.body, &mut |r| {
                        if found.is_none() {
                            found = self.refusal(def_file, &f.body, r, depth + 1);
                        }
                    });
                    return found;
                }
                None
            }
            // `return jsonify(error="..."), 401`
            ExprKind::Tuple(items) => items.iter().skip(1).find_map(status_of),
            // `raise credentials_exception`, assigned earlier in the function.
            ExprKind::Name(name) => {
                if let Some(r) = refusal_class(name) {
                    return Some(r);
                }
                let value = crate::values::last_assignment(root, name)?;
                if std::ptr::eq(value, expr) || depth > 3 {
                    return None;
                }
                self.refusal(file, root, value, depth + 1)
            }
            ExprKind::Attribute { attr, .. } => refusal_class(attr),
            _ => None,
        }
    }
}

/// How deep chains of dependencies, guards and helpers are followed. Judgements are memoised
/// and cycles cut by an in-progress mark, so this only bounds the stack.
const MAX_CHAIN: u32 = 48;

/// A dependency of a parameter, with the file and scope it is written in.
struct ParamDep<'a> {
    file: usize,
    scope: Vec<&'a Function>,
    dep: &'a Expr,
    /// The parameter's type, which `Depends()` without an argument instantiates.
    annotation: Option<&'a Expr>,
    shown: (usize, Span),
}

#[derive(Clone, Copy, Debug, Default)]
struct Gate {
    /// The condition is about who the caller is.
    identity: bool,
    /// The condition is about a role, permission, scope or superuser flag.
    role: bool,
    /// The condition checks a submitted password: a login handler, not a guard.
    credentials: bool,
}

enum Refusal {
    Unauthorized,
    Forbidden,
    ToLogin,
}

/// A 401 or 403 status: a literal, `status.HTTP_401_UNAUTHORIZED`, `HTTPStatus.FORBIDDEN`.
fn status_of(expr: &Expr) -> Option<Refusal> {
    match &expr.kind {
        ExprKind::Int(Some(401)) => Some(Refusal::Unauthorized),
        ExprKind::Int(Some(403)) => Some(Refusal::Forbidden),
        ExprKind::Attribute { attr, .. } => match attr.as_str() {
            "HTTP_401_UNAUTHORIZED" | "UNAUTHORIZED" => Some(Refusal::Unauthorized),
            "HTTP_403_FORBIDDEN" | "FORBIDDEN" => Some(Refusal::Forbidden),
            _ => None,
        },
        _ => None,
    }
}

/// Exception classes that refuse a request by their name.
fn refusal_class(name: &str) -> Option<Refusal> {
    if name.contains("Unauthorized")
        || name.contains("NotAuthenticated")
        || name.contains("AuthenticationFailed")
        || name.contains("InvalidToken")
        || name == "AuthError"
    {
        Some(Refusal::Unauthorized)
    } else if name.contains("Forbidden") || name.contains("PermissionDenied") {
        Some(Refusal::Forbidden)
    } else {
        None
    }
}

/// Words in a condition that show it is about the caller's identity.
const IDENTITY_WORDS: &[&str] = &[
    "user",
    "session",
    "auth",
    "token",
    "login",
    "logged",
    "identity",
    "principal",
    "api_key",
    "apikey",
    "api-key",
    "credential",
    "jwt",
    "anonymous",
    "signature",
    "hmac",
    "bearer",
];

/// Words in a condition that show it checks a role or permission.
const ROLE_WORDS: &[&str] = &[
    "admin",
    "superuser",
    "is_staff",
    "role",
    "permission",
    "scope",
    "has_perm",
    "privilege",
    "is_owner",
];

/// Calls that check a submitted password: the condition of a login handler.
const CREDENTIAL_CHECKS: &[&str] = &[
    "werkzeug.security.check_password_hash",
    "django.contrib.auth.hashers.check_password",
];

/// Calls that check submitted credentials: what a login handler does.
const CREDENTIAL_CALL_NAMES: &[&str] = &[
    "authenticate",
    "authenticate_user",
    "verify_password",
    "check_password",
    "check_password_hash",
    "login_user",
    "verify_otp",
    "verify_totp",
];

/// Calls that authenticate the request by themselves, raising when it is not.
const VERIFYING_CALLS: &[&str] = &[
    "flask_jwt_extended.verify_jwt_in_request",
    "flask_jwt_extended.view_decorators.verify_jwt_in_request",
    "flask_praetorian.current_user",
];

/// Unresolved calls whose names say they refuse a caller without a role: `require_role("x")`.
fn is_role_guard_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "require_role",
        "require_permission",
        "check_permission",
        "check_role",
        "ensure_admin",
    ]
    .iter()
    .any(|w| lower.starts_with(w))
}

/// Unresolved calls whose names say they authenticate: `require_login()`, `verify_token(t)`.
fn is_guard_call_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "require_login",
        "require_auth",
        "require_user",
        "require_admin",
        "login_required",
        "verify_token",
        "verify_jwt",
        "verify_api_key",
        "authenticate_request",
    ]
    .iter()
    .any(|w| lower.starts_with(w))
}

enum LimitDecorator {
    Limit,
    Exempt,
}

/// A call in a handler body that enforces a rate limit by hand: `limiter.is_limited(key)`,
/// `login_rate_limiter.reserve_attempt(key)`, `check_rate_limit(request)`, `throttle(user)`.
/// Its span.
fn body_rate_limit(body: &[Stmt]) -> Option<Span> {
    let mut found = None;
    walk_exprs(body, &mut |e| {
        if found.is_some() {
            return;
        }
        e.any(&mut |x| {
            let Some(call) = x.as_call() else {
                return false;
            };
            let name = call.func.last_name().unwrap_or("").to_ascii_lowercase();
            let receiver = match &call.func.kind {
                ExprKind::Attribute { value, .. } => {
                    value.last_name().unwrap_or("").to_ascii_lowercase()
                }
                _ => String::new(),
            };
            let limits = ["rate_limit", "ratelimit", "throttle", "is_limited"]
                .iter()
                .any(|w| name.contains(w))
                || ["limiter", "ratelimit", "rate_limit", "throttl"]
                    .iter()
                    .any(|w| receiver.contains(w));
            if limits {
                found = Some(x.span);
            }
            limits
        });
    });
    found
}

/// Calls `f` with every statement in `body` and in the statements nested in it, not in nested
/// functions or classes.
fn walk_stmts<'s>(body: &'s [Stmt], f: &mut impl FnMut(&'s Stmt)) {
    for stmt in body {
        f(stmt);
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            for child in stmt.child_bodies() {
                walk_stmts(child, f);
            }
        }
    }
}

/// Like [`walk_exprs`], but skips the body of a `try` whose handlers all swallow the error
/// (none raises or returns): a guard called there only identifies the caller when it can.
fn walk_unswallowed_exprs<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr)) {
    walk_exprs_in(body, f, true);
}

fn swallows(handlers: &[routewarden_python::ast::ExceptHandler]) -> bool {
    !handlers.is_empty()
        && handlers.iter().all(|h| {
            let mut exits = false;
            walk_stmts(&h.body, &mut |s| {
                exits |= matches!(s, Stmt::Raise { .. } | Stmt::Return { .. });
            });
            !exits
        })
}

/// Calls `f` with every top-level expression in `body`, including nested functions' bodies.
pub fn walk_exprs<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr)) {
    walk_exprs_in(body, f, false);
}

fn walk_exprs_in<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr), skip_swallowed: bool) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(func) => {
                walk_exprs_in(&func.body, f, skip_swallowed);
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
            Stmt::Try {
                body: tried,
                handlers,
                orelse,
                finalbody,
                ..
            } => {
                for h in handlers {
                    if let Some(t) = &h.type_ {
                        f(t);
                    }
                }
                if skip_swallowed {
                    if !swallows(handlers) {
                        walk_exprs_in(tried, f, skip_swallowed);
                    }
                    for h in handlers {
                        walk_exprs_in(&h.body, f, skip_swallowed);
                    }
                    walk_exprs_in(orelse, f, skip_swallowed);
                    walk_exprs_in(finalbody, f, skip_swallowed);
                    continue;
                }
            }
            _ => {}
        }
        for child in stmt.child_bodies() {
            walk_exprs_in(child, f, skip_swallowed);
        }
    }
}
