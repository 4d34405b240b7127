//! What protects each route: authentication at every level the frameworks offer, role checks,
//! rate limits. Computed once for every mounted route; rules and `routewarden routes` read it.

use crate::apps::{
    AppModel, HookKind, MountedRoute, ObjectId, RouteDecl, When, class_hierarchy, find_method,
};
use crate::config::any_identifier_word;
use crate::frameworks::{
    ObjectKind, auth_decorator, is_auth_function_name, is_auth_object_class,
    is_authenticator_class_name, is_library_access_check, is_oauth_provider_class,
    is_permission_object_class, is_principal_permission_class, is_security_scheme,
};
use crate::project::{ProjectModel, SourceModule};
use crate::words::{StaticWordList, WordList};
use rayon::prelude::*;
use routewarden_python::ast::{
    BinOp, BoolOp, Call, Class, CmpOp, Expr, ExprKind, FStringPart, Function, Param, ParamKind,
    Span, Stmt, UnaryOp, code_statements,
};
use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

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
    /// A token the caller presents, verified in the handler (a signed link, an activation
    /// token).
    Token,
    /// A per-object access check in the handler whose denial is answered as "not found": the
    /// object may well be public.
    ObjectAccess,
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
            Level::Token => "token",
            Level::ObjectAccess => "object access",
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
    /// The runtime condition under which it is installed (`auth_string is not None`), or the
    /// paths it covers when they cannot be worked out: it may not protect the route.
    pub condition: Option<String>,
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
    /// FastAPI dependencies of the route (as written) that answer the callers they turn away
    /// with a response they return instead of raising: not authentication, since FastAPI
    /// hands the returned response to the handler as a value and runs the handler.
    pub returned_answers: Vec<String>,
}

impl RouteSecurity {
    /// Authenticated whatever the settings: some protection is installed unconditionally.
    pub fn is_authenticated(&self) -> bool {
        self.auth.iter().any(|p| p.condition.is_none())
    }

    /// Requires a logged-in caller, whatever the settings: protection other than a token the
    /// caller presents (itself what a brute-force attack guesses) or a per-object access check
    /// (which lets anyone see public objects).
    pub fn requires_login(&self) -> bool {
        self.auth.iter().any(|p| {
            p.condition.is_none() && !matches!(p.level, Level::Token | Level::ObjectAccess)
        })
    }

    /// Requires a logged-in caller whatever the settings, or by a guard on the route itself
    /// that a setting may switch off (`@login_required` while `LOGIN_DISABLED` may be set):
    /// either way the route is more than a login form. A middleware or hook that a setting
    /// switches on also covers the login form itself.
    pub fn guarded_by_login(&self) -> bool {
        self.requires_login()
            || self.auth.iter().any(|p| {
                matches!(
                    p.level,
                    Level::Parameter | Level::Decorator | Level::Route | Level::View
                )
            })
    }

    /// The protections when all of them are conditional (installed only when a setting holds,
    /// or covering paths that could not be worked out); empty otherwise.
    pub fn conditional_auth(&self) -> Vec<&Protection> {
        if self.is_authenticated() {
            return Vec::new();
        }
        self.auth.iter().collect()
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
        let limiter_calls = limiter_calls(&apps);
        let hook_owner_stands_for_others: Vec<bool> = apps
            .hooks
            .iter()
            .map(|h| apps.stands_for_others(&h.owner))
            .collect();
        // Judged in parallel, one application at a time: the routes of an application share
        // one set of memos, as they share dependencies, hooks and helpers. A verdict reached
        // through a cycle depends on where the cycle was entered, so applications never share
        // memos: the result is the same whatever the thread count.
        let mut by_root: BTreeMap<Option<&ObjectId>, Vec<usize>> = BTreeMap::new();
        for (i, m) in mounted.iter().enumerate() {
            by_root.entry(m.chain.last()).or_default().push(i);
        }
        let groups: Vec<Vec<usize>> = by_root.into_values().collect();
        let handler_bodies: HashSet<usize> = apps
            .routes
            .iter()
            .map(|r| r.handler.body.as_ptr() as usize)
            .collect();
        let hook_bodies: HashSet<usize> = apps
            .hooks
            .iter()
            .map(|h| h.function.body.as_ptr() as usize)
            .collect();
        let websocket_accepts = websocket_accepts(&apps);
        // Where production code sets `BASIC_AUTH_FORCE`: asked only where Flask-BasicAuth is.
        let basic_auth_force = if apps.basic_auth.is_empty() {
            Vec::new()
        } else {
            basic_auth_force(model, &apps)
        };
        let login_switch = std::sync::OnceLock::new();
        let config = std::sync::OnceLock::new();
        let anonymous_user = std::sync::OnceLock::new();
        let endpoint_flags = std::sync::OnceLock::new();
        let methods_by_name = std::sync::OnceLock::new();
        let config_flags_memo = std::sync::Mutex::new(ConfigFlagsMemo::default());
        let starlette_endpoint_files = std::sync::OnceLock::new();
        let middleware_bodies = std::sync::OnceLock::new();
        let handled_exceptions = std::sync::OnceLock::new();
        // What each production `dependency_overrides[dep]` replaces, resolved once.
        let override_keys: Vec<Option<DefinitionKey>> = apps
            .dependency_overrides
            .iter()
            .map(|o| definition_key(model, o.file, o.key))
            .collect();
        let judged: Vec<Vec<(usize, RouteSecurity)>> = groups
            .par_iter()
            .map(|group| {
                let judge = Judge {
                    model,
                    apps: &apps,
                    names,
                    memo: RefCell::new(HashMap::default()),
                    guard_memo: RefCell::new(HashMap::default()),
                    helper_memo: RefCell::new(HashMap::default()),
                    wrapped_memo: RefCell::new(HashMap::default()),
                    hook_memo: RefCell::new(HashMap::default()),
                    hook_limit_memo: RefCell::new(HashMap::default()),
                    limit_wrapper_memo: RefCell::new(HashMap::default()),
                    method_memo: RefCell::new(HashMap::default()),
                    limiter_calls: &limiter_calls,
                    hook_owner_stands_for_others: &hook_owner_stands_for_others,
                    call_summaries: RefCell::new(HashMap::default()),
                    gate_memo: RefCell::new(HashMap::default()),
                    peer_predicates: RefCell::new(HashMap::default()),
                    peer_reading_roots: RefCell::new(HashMap::default()),
                    submission_reads: RefCell::new(HashMap::default()),
                    local_constructions: RefCell::new(HashMap::default()),
                    login_switch: &login_switch,
                    anonymous_user: &anonymous_user,
                    endpoint_flags: &endpoint_flags,
                    handler_bodies: &handler_bodies,
                    hook_bodies: &hook_bodies,
                    websocket_accepts: &websocket_accepts,
                    methods_by_name: &methods_by_name,
                    scheme_parameters: RefCell::new(Default::default()),
                    injected_parameters: RefCell::new(Default::default()),
                    paste_memo: RefCell::new(HashMap::default()),
                    override_keys: &override_keys,
                    active_overrides: RefCell::new(Vec::new()),
                    starlette_endpoint_files: &starlette_endpoint_files,
                    middleware_bodies: &middleware_bodies,
                    handled_exceptions: &handled_exceptions,
                    override_conditions: RefCell::new(Vec::new()),
                    basic_auth_force: &basic_auth_force,
                    flag_memo: RefCell::new(HashMap::default()),
                    returning_memo: RefCell::new(HashMap::default()),
                    config: &config,
                    default_memo: RefCell::new(HashMap::default()),
                    config_flags_memo: &config_flags_memo,
                };
                group
                    .iter()
                    .map(|&i| {
                        judge.select_overrides(&mounted[i]);
                        (i, judge.route_security(&mounted[i]))
                    })
                    .collect()
            })
            .collect();
        let mut security: Vec<Option<RouteSecurity>> = (0..mounted.len()).map(|_| None).collect();
        for (i, sec) in judged.into_iter().flatten() {
            security[i] = Some(sec);
        }
        let security: Vec<RouteSecurity> = security.into_iter().flatten().collect();
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

/// Whether a handler's first statements test `name` and return it (`if isinstance(user,
/// Response): return user`, `if not isinstance(user, User): return user`), before doing
/// anything else; tests of other names that return them may come before.
fn returns_parameter_first(handler: &Function, name: &str) -> bool {
    for stmt in code_statements(&handler.body) {
        let Stmt::If {
            test, body: then, ..
        } = stmt
        else {
            return false;
        };
        let Some(Stmt::Return {
            value: Some(returned),
            ..
        }) = code_statements(then).last()
        else {
            return false;
        };
        let Some(returned) = returned.as_name() else {
            return false;
        };
        if !test.any(&mut |x| x.as_name() == Some(returned)) {
            return false;
        }
        if returned == name {
            return true;
        }
    }
    false
}

/// Where each WebSocket handler first accepts the connection, by the address of its body:
/// `await websocket.accept()` on one of its parameters.
fn websocket_accepts(apps: &AppModel) -> HashMap<usize, u32> {
    let mut accepts = HashMap::default();
    for route in &apps.routes {
        if route.methods.is_empty() || !route.methods.iter().all(|m| m == "WS") {
            continue;
        }
        let handler = route.handler;
        let mut first: Option<u32> = None;
        walk_exprs(&handler.body, &mut |top| {
            top.any(&mut |e| {
                if let ExprKind::Call(call) = &e.kind
                    && let ExprKind::Attribute { value, attr } = &call.func.kind
                    && attr == "accept"
                    && value
                        .as_name()
                        .is_some_and(|n| handler.params.iter().any(|p| p.name == n))
                {
                    first = Some(first.map_or(e.span.start, |f| f.min(e.span.start)));
                }
                false
            });
        });
        if let Some(at) = first {
            accepts.insert(handler.body.as_ptr() as usize, at);
        }
    }
    accepts
}

fn limiter_calls(apps: &AppModel) -> HashMap<ObjectId, Vec<usize>> {
    let mut by_target: HashMap<ObjectId, Vec<usize>> = HashMap::default();
    for (i, call) in apps.calls.iter().enumerate() {
        // Asked of every call on an object: only built objects are limiters.
        if !apps
            .built_kind(&call.receiver)
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
    /// The function lets anonymous callers through on purpose (`if token is None: return
    /// None`): optional authentication.
    lets_anonymous: bool,
    /// It authenticates only when the server is configured to: every refusal is under a
    /// test of settings or server state (`if settings.api_keys:`, `if sm is not None:`).
    switch: Option<Switch>,
    /// Its only refusals whatever the settings answer callers who presented credentials (`if
    /// key: ... raise ApiError("Missing scope", 403)`): whether the others are refused is
    /// decided by a switch, if one is found.
    presented_only: bool,
    /// It authenticates only because `Security(...)` declares it does, the callable being
    /// out of reach.
    vouched: bool,
    /// A dependency it relies on (or itself) is replaced through the application's
    /// `dependency_overrides`: the index of that override.
    overridden: Option<u32>,
    /// The condition to show for `switch`, when the switch alone does not say it (an
    /// override installed under a setting): an index in `Judge::override_conditions`.
    condition: Option<u32>,
    /// A FastAPI dependency (or one it relies on) that answers the callers it turns away with
    /// a response it returns instead of raising: FastAPI hands that value to the handler and
    /// runs it, so it refuses no one (see [`Judge::answered_by_returning`]): the file and
    /// `def` of the function that returns.
    returns_answer: Option<(usize, Span)>,
    /// `returns_answer` is the dependency judged itself, not one it relies on.
    returns_directly: bool,
}

impl Verdict {
    /// Records that the caller is authenticated, only when `switch` holds if one is given.
    /// Authentication whatever the settings wins over authentication under a switch.
    fn grant(&mut self, switch: Option<Switch>) {
        self.grant_as(switch, false);
    }

    /// Like [`Verdict::grant`], for a refusal that only callers who `presented` credentials
    /// meet: it decides nothing for the others, so a switch that refuses them wins over it.
    fn grant_as(&mut self, switch: Option<Switch>, presented: bool) {
        let presented = presented && switch.is_none();
        if !self.authenticates {
            self.authenticates = true;
            self.switch = switch;
            self.presented_only = presented;
        } else if switch.is_none() && !presented {
            self.switch = None;
            self.presented_only = false;
        } else if switch.is_some() && self.presented_only {
            self.switch = switch;
            self.presented_only = false;
        }
    }

    /// Adds what a guard this one relies on decides.
    fn absorb(&mut self, other: &Verdict) {
        if other.authenticates {
            self.grant_as(other.switch, other.presented_only);
            // Shown only while `switch` is still the one it was written for.
            self.condition = self.condition.or(other.condition);
            self.overridden = self.overridden.or(other.overridden);
        }
        self.checks_role |= other.checks_role;
        self.returns_answer = self.returns_answer.or(other.returns_answer);
    }
}

/// A test of the server's settings or state that decides whether refusals happen at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Switch {
    file: usize,
    test: Span,
    /// The refusals happen when the test fails (`else:`, after `if not enabled: return`).
    negated: bool,
    /// `test` is a parameter whose default lets everyone in (`auth=NoAuth()`): the refusals
    /// happen only when the caller passes something else.
    parameter: bool,
}

impl Switch {
    fn negate(self) -> Switch {
        Switch {
            negated: !self.negated,
            ..self
        }
    }
}

/// A limit applied by hand: the file and the function holding it, and its span.
type HandLimit<'a> = (usize, &'a Function, Span);

/// What a project function called from a handler does for a login: the project functions it
/// calls, whether it reads the password the caller sent, and a limit on attempts it applies.
struct HelperFacts<'a> {
    function: &'a Function,
    callees: Vec<(usize, &'a Function)>,
    reads_password: bool,
    limit: Option<Span>,
}

/// See [`Judge::config_flags_memo`].
type ConfigFlagsMemo = HashMap<(usize, usize, u32, u32, bool), (bool, bool)>;

struct Judge<'a, 'm> {
    model: &'a ProjectModel,
    apps: &'m AppModel<'a>,
    names: &'m SecurityNames,
    /// Judgements of project functions by (file, start); `None` while one is being judged.
    memo: RefCell<HashMap<(usize, u32), Option<Verdict>>>,
    /// Whether project functions called from handler bodies refuse unauthenticated callers.
    guard_memo: RefCell<HashMap<(usize, u32), Verdict>>,
    /// What a login's project helpers do (see [`HelperFacts`]), by (file, start).
    helper_memo: RefCell<HashMap<(usize, u32), Rc<HelperFacts<'a>>>>,
    /// The library or project guard each project decorator hands its product to (see
    /// [`Judge::wrapped_guard`]).
    wrapped_memo: RefCell<HashMap<(usize, u32), Option<Verdict>>>,
    /// What each hook function checks, whatever the route: hooks are judged once per route.
    hook_memo: RefCell<HashMap<(usize, u32), Verdict>>,
    /// The limit each hook function applies (see [`Judge::hook_limit`]).
    hook_limit_memo: RefCell<HashMap<(usize, u32), Option<HandLimit<'a>>>>,
    /// Whether each project decorator factory returns a limiter's decorator (see
    /// [`Judge::limit_wrapper`]).
    limit_wrapper_memo: RefCell<HashMap<(usize, u32), bool>>,
    /// Methods of class-based views, by (file, start) of the method and of the view's class.
    method_memo: RefCell<HashMap<(usize, u32, usize, u32), Verdict>>,
    /// Calls on limiters that take an object (`limiter.limit("5/minute")(bp)`), by that object.
    limiter_calls: &'m HashMap<ObjectId, Vec<usize>>,
    /// For each hook, whether its owner is a parameter standing for other objects.
    hook_owner_stands_for_others: &'m [bool],
    /// The calls of each body judged, resolved once: a method inherited by many views is
    /// judged once per view class, and its calls resolve the same way each time.
    call_summaries: RefCell<HashMap<(usize, usize), BodyCalls<'a>>>,
    /// What the conditional refusals of a body decide, by (file, body, chain depth up to
    /// [`REFUSAL_DEPTH`]): the same for every view class.
    gate_memo: RefCell<HashMap<(usize, usize, u32), Verdict>>,
    /// Whether a project predicate answers only a test of the peer address (see
    /// [`Judge::peer_address_test`]), by (file, start, parameters bound to the peer as bits).
    peer_predicates: RefCell<HashMap<(usize, u32, u64), bool>>,
    /// Whether a function body (its address) reads the peer address anywhere: only there can
    /// a local hold it.
    peer_reading_roots: RefCell<HashMap<usize, bool>>,
    /// Handler bodies (their addresses) that read what the caller submits (`request.json`,
    /// `request.form`, ...): only there can a tested local be a submitted record.
    submission_reads: RefCell<HashMap<usize, bool>>,
    /// The calls each judged body last assigns to its names (`page = Page(path)`), by body:
    /// looked up for every method called on a local.
    local_constructions: RefCell<HashMap<usize, Rc<HashMap<&'a str, &'a Expr>>>>,
    /// Where production code sets Flask-Login's `LOGIN_DISABLED`, worked out when a route
    /// first uses Flask-Login: the condition under which `@login_required` still protects.
    login_switch: &'m std::sync::OnceLock<Option<String>>,
    /// The project class configured as Flask-Login's anonymous user, when it answers login
    /// or role checks for anonymous callers (worked out when a route first uses them).
    anonymous_user: &'m std::sync::OnceLock<AnonymousUser>,
    /// Flags set on views by endpoint name (`app.view_functions["api.AgentView:post"].
    /// is_public = True`), worked out when a hook first reads one.
    endpoint_flags: &'m std::sync::OnceLock<Vec<(String, String)>>,
    /// The bodies of route handlers (their addresses): a bare `return` there ends the
    /// request, while in a helper or dependency it lets the caller go on.
    handler_bodies: &'m HashSet<usize>,
    /// The bodies of `before_request` hooks and HTTP middleware functions.
    hook_bodies: &'m HashSet<usize>,
    /// The bodies of WebSocket handlers, with where they first accept the connection
    /// (`await websocket.accept()`): a handler that returns before it refuses the caller.
    websocket_accepts: &'m HashMap<usize, u32>,
    /// The project's methods by name, built when a call on an object of unknown class is
    /// first judged (`authenticator.authenticate_request(request)` on what a dependency
    /// returned): what the method does decides, not what it is called.
    methods_by_name: &'m std::sync::OnceLock<MethodsByName<'a>>,
    /// Parameters bound to a security scheme, by the body of the function they belong to:
    /// what the caller presented (`creds: HTTPAuthorizationCredentials = Security(bearer)`);
    /// and handler parameters bound to a dependency that answers anonymous callers with None.
    scheme_parameters: RefCell<rustc_hash::FxHashSet<(usize, &'a str)>>,
    /// Parameters bound to a dependency that takes no arguments (`store = Depends(
    /// session_store)` where `session_store()` hands back what start-up set): an object of the
    /// server, which nothing of the request can choose, by the body of the function they
    /// belong to.
    injected_parameters: RefCell<rustc_hash::FxHashSet<(usize, &'a str)>>,
    /// The PasteDeploy factories each application is served through, if it is only served
    /// through them (see [`paste_factories`]).
    paste_memo: RefCell<HashMap<ObjectId, Option<String>>>,
    /// What each of `apps.dependency_overrides` replaces (see [`definition_key`]).
    override_keys: &'m [Option<DefinitionKey>],
    /// The files defining functions Starlette calls with an unannotated request (see
    /// [`Judge::starlette_endpoint_module`]), found when first asked, once for all judges.
    starlette_endpoint_files: &'m std::sync::OnceLock<HashSet<usize>>,
    /// The bodies of hooks and of the `dispatch`/`__call__` of project middleware classes
    /// the applications install, built when a plain exception is first raised under a test
    /// of the caller: see [`Judge::raised_in_middleware`].
    middleware_bodies: &'m std::sync::OnceLock<HashSet<usize>>,
    /// The exception classes the project's error handlers answer with 401 or 403 (see
    /// [`handled_exceptions`]), found when a raised class declares no status of its own.
    handled_exceptions: &'m std::sync::OnceLock<HandledExceptions>,
    /// The overrides of the application serving the route being judged.
    active_overrides: RefCell<Vec<usize>>,
    /// Conditions of verdicts changed by a conditional override, with the switch each was
    /// written for (see [`Verdict::condition`]).
    override_conditions: RefCell<Vec<(Switch, String)>>,
    /// The values production code gives Flask-BasicAuth's `BASIC_AUTH_FORCE`.
    basic_auth_force: &'m [ForceSetting],
    /// Whether a module binds a name as a flag, by module and name (see
    /// [`Judge::flag_of_module`]).
    flag_memo: RefCell<HashMap<(usize, String), bool>>,
    /// Whether a dependency function answers instead of raising, by (file, start) (see
    /// [`Judge::answered_by_returning`]).
    returning_memo: RefCell<HashMap<(usize, u32), bool>>,
    /// The production configuration, built when a condition first reads it.
    config: &'m std::sync::OnceLock<crate::config::ConfigModel<'a>>,
    /// Whether each `if` test of an installation condition takes its branch with every
    /// setting at its declared default (see [`Judge::on_by_default`]).
    default_memo: RefCell<HashMap<crate::apps::Test, Option<bool>>>,
    /// What [`Judge::configuration_flags`] answered, by (file, address and span of the
    /// expression, `modules`), for all judges: the same `if` tests are asked about for every
    /// route. An address names one expression for the whole run, since every tree is kept.
    config_flags_memo: &'m std::sync::Mutex<ConfigFlagsMemo>,
}

/// A project definition (its statement's address) or, outside the project, a qualified name:
/// what a dependency names, whatever it is called where it is used.
#[derive(Clone, Debug, PartialEq, Eq)]
enum DefinitionKey {
    Project(usize),
    Outside(String),
}

fn definition_key(model: &ProjectModel, file: usize, e: &Expr) -> Option<DefinitionKey> {
    match model.resolve_definition(file, e)? {
        (_, Some(stmt), _) => Some(DefinitionKey::Project(stmt as *const Stmt as usize)),
        (_, None, Some(q)) => Some(DefinitionKey::Outside(q)),
        _ => None,
    }
}

/// Methods of the project's module-level classes (tests excluded), by name.
type MethodsByName<'a> = HashMap<&'a str, Vec<(usize, &'a Class, &'a Function)>>;

/// The calls of a body, shared between the judgements of the view classes it serves.
type BodyCalls<'a> = Rc<[CallSummary<'a>]>;

/// A call in a judged body, with what can be known of it without the view class it runs for.
struct CallSummary<'a> {
    call: &'a Call,
    /// One of [`VERIFYING_CALLS`], not made optional.
    verifies: bool,
    /// Named as a role guard (`require_role("admin")`).
    role_guard: bool,
    /// Named as a credential check (`verify_password(...)`).
    credential_check: bool,
    /// A method call (`Base._check_access(self)`): followed in a class-based view.
    on_attribute: bool,
    /// Unresolved, a bare name, or a project function or method: followed as a guard.
    followed: bool,
    /// Project functions handed to the call (`run_in_threadpool(check_access, user)`).
    functions_passed: Vec<&'a Expr>,
    /// The bound method a thread-pool runner is handed and runs (`to_thread.run_sync(
    /// self.check_key, headers)`): followed in the class of the method making the call.
    method_run: Option<&'a Expr>,
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
        crate::apps::source_text(self.model, file, span)
    }

    /// Flask-Login's `@login_required` lets everyone through while `LOGIN_DISABLED` is set.
    /// Set by production code under a runtime condition (`if config["auth"] == "none":
    /// app.config["LOGIN_DISABLED"] = True`), it protects only when that condition fails.
    fn login_disabled_condition(&self, file: usize, decorator: &Expr) -> Option<String> {
        let q = self.model.files[file].imports.resolve(decorator)?;
        if !matches!(
            q.as_str(),
            "flask_login.login_required" | "flask_login.fresh_login_required"
        ) {
            return None;
        }
        self.login_switch
            .get_or_init(|| login_disabled_switch(self.model))
            .clone()
    }

    /// Whether a project class configured as the anonymous user (`Security(app, datastore,
    /// anonymous_user=FreeUser)`, `login_manager.anonymous_user = FreeUser`) lets anonymous
    /// callers past a Flask-Login or Flask-Security decorator: `Some(None)` always (the
    /// decorator protects nothing), `Some(Some(condition))` unless the setting that chooses
    /// the class holds, `None` when the decorator is unaffected.
    fn anonymous_admission(&self, file: usize, decorator: &Expr) -> Option<Option<String>> {
        let (callee, call) = match &decorator.kind {
            ExprKind::Call(call) => (&call.func, Some(call)),
            _ => (decorator, None),
        };
        let q = self.model.files[file].imports.resolve(callee)?;
        let (package, name) = q
            .split_once('.')
            .map(|(p, _)| p)
            .zip(q.rsplit('.').next())?;
        // `auth_required("token")` checks the token, not the session's user.
        let session_checked = call.is_none_or(|c| {
            c.args.is_empty() || c.args.iter().any(|a| a.as_str() == Some("session"))
        });
        let roles = match (package, name) {
            ("flask_login", "login_required" | "fresh_login_required")
            | ("flask_security", "login_required") => false,
            ("flask_security", "auth_required") if session_checked => false,
            ("flask_security", "roles_required" | "roles_accepted") => true,
            _ => return None,
        };
        let anonymous = self
            .anonymous_user
            .get_or_init(|| permissive_anonymous_user(self.model));
        if roles {
            anonymous.all_roles.clone()
        } else {
            anonymous.authenticated.clone()
        }
    }

    /// The condition under which a protection installed when `when` holds protects: none
    /// when it holds in the default deployment (see [`Judge::on_by_default`]).
    fn installed_condition<'w>(&self, when: &'w When) -> Option<&'w str> {
        when.condition().filter(|_| !self.on_by_default(when))
    }

    /// Whether a runtime condition holds with every setting at the default the project
    /// declares: an authentication switch the operator turns off (`if not
    /// app.config.get("NO_AUTH")` with `NO_AUTH = False`, `[Depends(auth)] if settings.secret
    /// else []` with a non-empty default secret). A switch off by default, or whose default is
    /// unknown, keeps the condition. Asked only of conditional protections, once per test.
    fn on_by_default(&self, when: &When) -> bool {
        let When::If(_, tests) = when else {
            return false;
        };
        !tests.0.is_empty() && tests.0.iter().all(|&test| self.holds_by_default(test))
    }

    /// Whether the branch `test` names is taken with every setting at the default the
    /// project declares (see [`crate::defaults::branch_by_default`]), once per test.
    fn holds_by_default(&self, test: crate::apps::Test) -> bool {
        if let Some(known) = self.default_memo.borrow().get(&test) {
            return *known == Some(true);
        }
        let taken = crate::defaults::branch_by_default(self.model, self.apps, self.config, test);
        self.default_memo.borrow_mut().insert(test, taken);
        taken == Some(true)
    }

    /// Adds the condition of `when` (unless it holds by default) to each of `protections`.
    fn set_condition(&self, protections: &mut [Protection], when: &When) {
        if let Some(c) = self.installed_condition(when) {
            for p in protections {
                p.condition = Some(match p.condition.take() {
                    Some(existing) => format!("if {c}, {existing}"),
                    None => format!("if {c}"),
                });
            }
        }
    }

    fn condition_of(&self, when: &When, coverage: Option<String>) -> Option<String> {
        let parts: Vec<String> = self
            .installed_condition(when)
            .map(|c| format!("if {c}"))
            .into_iter()
            .chain(coverage)
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// When a verdict authenticates only under a switch, the condition: `if settings.api_keys`,
    /// `if settings.auth_required` after `if not settings.auth_required: return f()`; none
    /// when the switch refuses with the project's declared defaults.
    fn switch_condition(&self, v: &Verdict) -> Option<String> {
        let s = v.switch.filter(|_| v.authenticates)?;
        if let Some(i) = v.condition
            && let Some((written_for, text)) = self.override_conditions.borrow().get(i as usize)
            && *written_for == s
        {
            return Some(text.clone());
        }
        // A switch in the guard's own body that refuses with the project's declared defaults
        // (`if not settings.AUTH_ENABLED: return await call_next(request)` with `AUTH_ENABLED:
        // bool = True`) protects the default deployment, as one the guard is installed under.
        if !s.parameter
            && self.holds_by_default(crate::apps::Test {
                file: s.file,
                span: s.test,
                then: !s.negated,
            })
        {
            return None;
        }
        let test = self.text(s.file, s.test);
        // A permission hook whose default answers `True` (see [`Judge::permissive_hook`]).
        if s.parameter {
            let mut hook = None;
            walk_functions(self.model.files[s.file].body(), &mut |f| {
                if f.def_span == s.test {
                    hook = Some(f.name.to_string());
                }
            });
            if let Some(name) = hook {
                if self.is_import_fallback(s.file, s.test) {
                    return Some(format!(
                        "if `{name}` is imported: its local fallback allows everyone"
                    ));
                }
                return Some(format!(
                    "if `{name}` is overridden: an overridable permission hook, allows everyone by default"
                ));
            }
        }
        if s.parameter {
            return Some(format!("if the default `{test}` is replaced"));
        }
        Some(match (s.negated, test.strip_prefix("not ")) {
            (false, _) => format!("if {test}"),
            (true, Some(positive))
                if positive.starts_with('(') && positive.ends_with(')')
                    || !positive.contains(" or ") && !positive.contains(" and ") =>
            {
                format!("if {}", positive.trim_start())
            }
            (true, _) if test.contains(' ') => format!("if not ({test})"),
            (true, _) => format!("if not {test}"),
        })
    }

    /// Whether the function defined at `def_span` is defined in an `except` of a module-level
    /// `try` or in a branch of a module-level `if` (see [`Judge::permissive_fallback`]).
    fn is_import_fallback(&self, file: usize, def_span: Span) -> bool {
        let defines = |body: &[Stmt]| {
            body.iter()
                .any(|s| matches!(s, Stmt::FunctionDef(f) if f.def_span == def_span))
        };
        self.model.files[file].body().iter().any(|s| match s {
            Stmt::Try { handlers, .. } => handlers.iter().any(|h| defines(&h.body)),
            Stmt::If { body, orelse, .. } => defines(body) || defines(orelse),
            _ => false,
        })
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
                let verdict = self.dependency(
                    pd.file,
                    &pd.scope,
                    pd.dep,
                    Level::Parameter,
                    None,
                    pd.annotation,
                    Some(pd.shown),
                    &mut sec,
                );
                // `caller=Depends(caller_if_any)`, None for anonymous callers: the handler's
                // `if caller is None: raise` asks whether the caller presented credentials.
                if verdict.is_some_and(|v| v.lets_anonymous) {
                    self.scheme_parameters
                        .borrow_mut()
                        .insert((handler.body.as_ptr() as usize, param.name.as_str()));
                }
                // `if isinstance(user, Response): return user` first thing in the handler:
                // the response the dependency answered with is sent, the handler's work not
                // done.
                if verdict.is_some_and(|v| v.returns_answer.is_some() && !v.authenticates)
                    && returns_parameter_first(handler, &param.name)
                    && let Some(mechanism) = sec.returned_answers.pop()
                {
                    sec.auth.push(Protection {
                        mechanism,
                        level: Level::Parameter,
                        via: None,
                        checks_role: false,
                        condition: None,
                    });
                }
            }
        }
        // `handler = handler_authed` under `if is_auth:`, `handler = handler_anon` in the
        // `else`: the other view's dependencies protect the route when its branch is taken.
        if let Some(alternative) = &route.alternative {
            let mut other = RouteSecurity::default();
            for param in &alternative.handler.params {
                for pd in self.param_dependencies(alternative.file, &alternative.scope, param) {
                    self.dependency(
                        pd.file,
                        &pd.scope,
                        pd.dep,
                        Level::Parameter,
                        None,
                        pd.annotation,
                        Some(pd.shown),
                        &mut other,
                    );
                }
            }
            self.set_condition(&mut other.auth, &alternative.when);
            sec.auth.append(&mut other.auth);
        }
        // fastapi-utils' class-based view (`@cbv(router) class Views: user: User =
        // Depends(get_user)`): class attributes are dependencies of every endpoint method.
        if handler.params.first().is_some_and(|p| p.name == "self")
            && let Some(class) = innermost_class(self.model.files[hf].body(), handler.span)
            && class
                .decorators
                .iter()
                .any(|d| self.is_cbv_decorator(hf, d))
        {
            for stmt in &class.body {
                let Stmt::Assign {
                    targets,
                    annotation,
                    value,
                    ..
                } = stmt
                else {
                    continue;
                };
                if !matches!(targets.as_slice(), [t] if t.as_name().is_some()) {
                    continue;
                }
                let mut deps = Vec::new();
                if let Some(value) = value {
                    let (f, dep_scope, dep) = self.bound_dependency(hf, &[], value);
                    deps.push(ParamDep {
                        file: f,
                        scope: dep_scope,
                        dep,
                        annotation: annotation.as_deref(),
                        shown: (hf, value.span),
                    });
                }
                if let Some(annotation) = annotation {
                    self.annotated_dependencies(hf, &[], annotation, None, &mut deps, 0);
                }
                for pd in deps {
                    self.dependency(
                        pd.file,
                        &pd.scope,
                        pd.dep,
                        Level::View,
                        Some(class.name.to_string()),
                        pd.annotation,
                        Some(pd.shown),
                        &mut sec,
                    );
                }
            }
        }
        // `@router.post(..., require_admin=True)` of a router subclass that turns the flag
        // into a route dependency.
        if let Some(i) = route.decorator_index
            && let Some(call) = handler.decorators.get(i).and_then(Expr::as_call)
        {
            for (dep_file, dep) in self.router_flag_dependencies(hf, scope, call) {
                let (f, dep_scope, dep) = self.bound_dependency(dep_file, &[], dep);
                self.dependency(f, &dep_scope, dep, Level::Route, None, None, None, &mut sec);
            }
        }
        // `dependencies=[...]` on the route decorator or `add_api_route`, also a constant.
        let route_scope: &[&Function] = if route.decorator_index.is_some() {
            scope
        } else {
            &route.call_scope
        };
        for dep in crate::apps::dependency_list(
            self.model,
            route.file,
            route_scope,
            route.keyword("dependencies"),
        ) {
            if matches!(dep.when, When::DevOnly(_)) {
                continue;
            }
            let before = sec.auth.len();
            self.dependency(
                dep.file,
                &dep.scope,
                dep.expr,
                Level::Route,
                None,
                None,
                None,
                &mut sec,
            );
            self.set_condition(&mut sec.auth[before..], &dep.when);
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
                // An anonymous user that passes the check makes it protect nothing, or only
                // while the setting that chooses that user does not hold.
                let anonymous = self.anonymous_admission(hf, decorator);
                if !matches!(anonymous, Some(None)) {
                    sec.auth.push(Protection {
                        mechanism: format!("@{}", self.text(hf, decorator.span)),
                        level: Level::Decorator,
                        via: None,
                        checks_role: v.checks_role,
                        condition: self
                            .switch_condition(&v)
                            .or_else(|| self.login_disabled_condition(hf, decorator))
                            .or(anonymous.flatten()),
                    });
                }
            }
            match self.limit_decorator(hf, scope, decorator) {
                Some(LimitDecorator::Limit) => {
                    if above_route {
                        sec.misordered_limit = Some(decorator.span);
                    } else if !self.unattached_flask_limiter(hf, scope, decorator) {
                        sec.rate_limits.push(Protection {
                            mechanism: format!("@{}", self.text(hf, decorator.span)),
                            level: Level::Decorator,
                            via: None,
                            checks_role: false,
                            condition: None,
                        });
                    }
                }
                Some(LimitDecorator::Exempt) => sec.rate_limit_exempt = true,
                None => {}
            }
        }
        for &(file, decorator) in &route.view_decorators {
            if let Some(v) = self.auth_decorator(file, &[], decorator) {
                let anonymous = self.anonymous_admission(file, decorator);
                if !matches!(anonymous, Some(None)) {
                    sec.auth.push(Protection {
                        mechanism: format!("@{}", self.text(file, decorator.span)),
                        level: Level::View,
                        via: route.view_class.map(|c| c.name.to_string()),
                        checks_role: v.checks_role,
                        condition: self
                            .switch_condition(&v)
                            .or_else(|| self.login_disabled_condition(file, decorator))
                            .or(anonymous.flatten()),
                    });
                }
            }
        }
        if let Some(class) = route.view_class {
            self.view_class_security(route, class, &mut sec);
        }
        // The handler's own body, with `self.method()` calls of a class-based view followed in
        // its class. In a handler that receives credentials (a login), refusals answer bad
        // credentials: only guards it calls count.
        // A bound method registered as the endpoint (`add_api_route(path, self.delete_item)`)
        // is a method of its class too: `self.check_key(headers)` runs that class's method.
        let ctx = match route.view_class {
            Some(class) => Some(SelfCtx {
                file: route.view_class_file,
                class,
                current: Some(handler),
            }),
            None if handler.params.first().is_some_and(|p| p.name == "self") => {
                innermost_class(self.model.files[hf].body(), handler.span).map(|class| SelfCtx {
                    file: hf,
                    class,
                    current: Some(handler),
                })
            }
            None => None,
        };
        let credentials = self.handles_credentials(hf, handler);
        let mut body = self.body_verdict_in(hf, &handler.body, 0, ctx, credentials);
        // Project helpers the handler calls (`login()` → `login_user_session()` →
        // `login_user()`), read only when they may change the verdict.
        let mut helpers: Option<Vec<(usize, Rc<HelperFacts<'a>>)>> = None;
        // Credentials are submitted (POST, PUT, PATCH, or methods that cannot be read): only
        // then are the helpers read, which keeps the many reading routes cheap.
        let submits = route
            .methods
            .iter()
            .any(|m| matches!(m.as_str(), "POST" | "PUT" | "PATCH") || m.starts_with('<'));
        // A handler whose helper reads the password it was sent is a login: the helpers'
        // refusals (401 on a bad password) answer the credentials, they do not prove a
        // logged-in caller. Not when the handler's own test refuses (`if no session: return
        // login()` serves the login form instead).
        if body.authenticates
            && !credentials
            && submits
            && helpers
                .get_or_insert_with(|| self.called_helpers(hf, &handler.body))
                .iter()
                .any(|(_, h)| h.reads_password)
            && !self.gates_verdict(hf, &handler.body, 0).authenticates
        {
            body = self.body_verdict_in(hf, &handler.body, 0, ctx, true);
        }
        if body.authenticates {
            // A check on the user a dependency returns (`if not auth_user.is_superuser:
            // raise 403`, `await authorize_collection_action(auth_user, id, ...)`) is worth
            // what that dependency is: one that lets everyone in as a default user unless a
            // setting is on makes the check pass for anonymous callers too.
            let inherited = || {
                let by_parameter: Vec<&Protection> = sec
                    .auth
                    .iter()
                    .filter(|p| p.level == Level::Parameter)
                    .collect();
                if by_parameter.iter().all(|p| p.condition.is_some()) {
                    by_parameter.first().and_then(|p| p.condition.clone())
                } else {
                    None
                }
            };
            let condition = self.switch_condition(&body).or_else(inherited);
            sec.auth.push(Protection {
                mechanism: "checks in the handler body".to_string(),
                level: Level::Body,
                via: None,
                checks_role: body.checks_role,
                condition,
            });
        }
        sec.role_in_body |= body.checks_role;
        let permission_block = if body.authenticates {
            None
        } else {
            self.permission_block(hf, scope, handler)
        };
        if let Some(context) = permission_block {
            sec.auth.push(Protection {
                mechanism: format!("with {} in the handler body", self.text(hf, context.span)),
                level: Level::Body,
                via: None,
                checks_role: true,
                condition: None,
            });
            sec.role_in_body = true;
        }
        if !body.authenticates
            && permission_block.is_none()
            && let Some(check) = self.presented_token_check(hf, handler)
        {
            sec.auth.push(Protection {
                mechanism: format!(
                    "{}() on a token the caller presents",
                    self.text(hf, check.func.span)
                ),
                level: Level::Token,
                via: None,
                checks_role: false,
                condition: None,
            });
        } else if !body.authenticates
            && permission_block.is_none()
            && let Some((store, issued_file, call)) = self.issued_key_lookup(hf, handler)
        {
            sec.auth.push(Protection {
                mechanism: format!(
                    "key the caller presents, looked up in {} (keys issued with {}())",
                    self.text(hf, store.span),
                    self.text(issued_file, call.func.span)
                ),
                level: Level::Token,
                via: None,
                checks_role: false,
                condition: None,
            });
        }
        if let Some(call) = body_rate_limit(&handler.body) {
            sec.rate_limits.push(Protection {
                mechanism: format!("{} in the handler body", self.text(hf, call)),
                level: Level::Body,
                via: None,
                checks_role: false,
                condition: None,
            });
        } else if let Some((file, function, span)) =
            // Only in a login (the handler or a helper takes the password it was sent): a
            // queue's 429 when full, or a client for a rate-limited service, limits no guessing.
            (submits || credentials)
                .then(|| helpers.get_or_insert_with(|| self.called_helpers(hf, &handler.body)))
                .filter(|h| credentials || h.iter().any(|(_, h)| h.reads_password))
                .and_then(|h| {
                    h.iter()
                        .find_map(|(f, h)| h.limit.map(|span| (*f, h.function, span)))
                })
        {
            // A limiter a login's helpers apply by hand (`login_user()` calling
            // `login_rate_limiter.check(username)`, or raising `TooManyRequests`).
            sec.rate_limits.push(Protection {
                mechanism: format!(
                    "{} in {}(), called by the handler",
                    self.text(file, span),
                    function.name
                ),
                level: Level::Body,
                via: None,
                checks_role: false,
                condition: None,
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
                    if matches!(dep.when, When::DevOnly(_)) {
                        continue;
                    }
                    let before = sec.auth.len();
                    self.dependency(
                        dep.file,
                        &dep.scope,
                        dep.expr,
                        object_level,
                        via.clone(),
                        None,
                        None,
                        &mut sec,
                    );
                    self.set_condition(&mut sec.auth[before..], &dep.when);
                }
                // Flask-RESTful's `Api(app, decorators=[auth.login_required])`, flask-restx's
                // `Namespace(..., decorators=[...])`.
                if o.kind.is_restful()
                    && let Some(items) = o
                        .call
                        .and_then(|c| c.keyword("decorators"))
                        .and_then(Expr::elements)
                {
                    for decorator in items {
                        if let Some(v) = self.auth_decorator(object.file, &o.scope, decorator) {
                            sec.auth.push(Protection {
                                mechanism: format!("@{}", self.text(object.file, decorator.span)),
                                level: Level::Router,
                                via: via.clone(),
                                checks_role: v.checks_role,
                                condition: self.switch_condition(&v),
                            });
                        }
                    }
                }
            }
            if let Some(&inc) = mounted.includes.get(level) {
                let include = &self.apps.includes[inc];
                let parent = Some(self.apps.display_object(&include.parent));
                for dep in include.dependencies.iter().filter(|_| !beyond_mount) {
                    let when = include.when.and(&dep.when);
                    if matches!(when, When::DevOnly(_)) {
                        continue;
                    }
                    let before = sec.auth.len();
                    self.dependency(
                        dep.file,
                        &dep.scope,
                        dep.expr,
                        Level::Include,
                        parent.clone(),
                        None,
                        None,
                        &mut sec,
                    );
                    self.set_condition(&mut sec.auth[before..], &when);
                }
            }
            // A parameter standing for the app it is passed is judged once, as that app:
            // what is registered on any of the app's parameters applies there.
            let alias_of_next = mounted
                .includes
                .get(level)
                .is_some_and(|&i| self.apps.includes[i].is_parameter);
            for (hook, &stands_for_others) in self
                .apps
                .hooks
                .iter()
                .zip(self.hook_owner_stands_for_others)
                .filter(|_| !alias_of_next)
                .filter(|(h, _)| !beyond_mount || h.kind == HookKind::HttpMiddleware)
                // `@app.middleware("http")` never sees a websocket connection.
                .filter(|(h, _)| {
                    !(h.kind == HookKind::HttpMiddleware
                        && self.apps.routes[mounted.route]
                            .methods
                            .iter()
                            .all(|m| m == "WS"))
                })
            {
                // Most hooks are registered on the object itself: no parameters to follow.
                let link = if stands_for_others {
                    self.apps.denotes_when(&hook.owner, object)
                } else {
                    (hook.owner == *object).then_some(When::Always)
                };
                let Some(link) = link else {
                    continue;
                };
                self.hook(
                    hook.function_file,
                    hook.function,
                    hook.kind,
                    via.clone(),
                    &hook.when.and(&link),
                    mounted,
                    &mut sec,
                );
            }
            // A `Mount(routes=..., middleware=[...])` is an application of its own to the
            // middleware it is given.
            let mount_with_middleware = kind == Some(ObjectKind::StarletteRouter)
                && self
                    .apps
                    .middleware
                    .iter()
                    .any(|m| m.owner.as_ref() == Some(object));
            if (kind.is_some_and(ObjectKind::is_app) || mount_with_middleware) && !alias_of_next {
                self.app_level(object, mounted, &mut sec);
            }
            // `limiter.limit("...")(bp)` and `limiter.exempt(bp)`.
            for &c in self.limiter_calls.get(object).into_iter().flatten() {
                let Some(call) = self.apps.calls.get(c) else {
                    continue;
                };
                if call.method.starts_with("limit") || call.method.starts_with("shared_limit") {
                    sec.rate_limits.push(Protection {
                        mechanism: format!("{} on the blueprint", self.text(call.file, call.span)),
                        level: object_level,
                        via: via.clone(),
                        checks_role: false,
                        condition: None,
                    });
                } else if call.method == "exempt" {
                    sec.rate_limit_exempt = true;
                }
            }
            if let Some(&inc) = mounted.includes.get(level) {
                beyond_mount |= self.apps.includes[inc].is_mount;
            }
        }
        // In a class-based view, also in the methods it calls on `self` (`self._prepare(id)`).
        let helper_denies = || {
            let Some(class) = route.view_class else {
                return false;
            };
            let mut found = false;
            walk_exprs(&handler.body, &mut |e| {
                e.any(&mut |x| {
                    if let ExprKind::Call(c) = &x.kind
                        && let ExprKind::Attribute { value, attr } = &c.func.kind
                        && value.as_name() == Some("self")
                        && let Some((_, _, m)) =
                            find_method(self.model, route.view_class_file, class, attr)
                    {
                        found |= denies_as_not_found(&m.body);
                    }
                    found
                });
            });
            found
        };
        if !sec.is_authenticated() && (denies_as_not_found(&handler.body) || helper_denies()) {
            sec.auth.push(Protection {
                mechanism: "access check in the handler body, denials answered 404".to_string(),
                level: Level::ObjectAccess,
                via: None,
                checks_role: false,
                condition: None,
            });
        }
        sec
    }

    /// A handler that only serves whoever holds a token it sent them (a password-reset link,
    /// an activation code, an e-mail change confirmation): it passes a token from the request to
    /// a verification that raises when the token is forged or expired (`jwt.decode(token, key)`,
    /// `serializer.loads(token, max_age=3600)`, a project function such as
    /// `decode_password_reset_token(token)`), unconditionally: at the top of the body, or in a
    /// `try` whose handlers refuse. Holding the token is the authentication. The call, if any.
    fn presented_token_check(&self, file: usize, handler: &'a Function) -> Option<&'a Call> {
        let from_request = request_values(handler);
        let imports = &self.model.files[file].imports;
        let mut found = None;
        unconditional_calls(&handler.body, &mut |call| {
            if found.is_some() {
                return;
            }
            let presented = |call: &Call| {
                call.args
                    .iter()
                    .any(|a| is_presented_token(a, None, &from_request))
                    || call
                        .keywords
                        .iter()
                        .any(|k| is_presented_token(&k.value, k.arg.as_deref(), &from_request))
            };
            if !is_token_verification(call) {
                // `_tokens.pop(token)` on a module-level object whose method checks the
                // signature (`URLSafeTimedSerializer(...).loads(token, max_age=60)`).
                if presented(call)
                    && let Some((method_file, method, _)) =
                        self.instance_method(file, &handler.body, &call.func)
                    && verifies_its_parameter(&self.model.files[method_file].imports, method)
                {
                    found = Some(call);
                }
                return;
            }
            let q = imports.resolve(&call.func).unwrap_or_default();
            let known_library = ["jwt.", "jose.", "itsdangerous.", "authlib."]
                .iter()
                .any(|p| q.starts_with(p));
            let timed_loads = matches!(call.func.last_name(), Some("loads" | "unsign"))
                && call.keyword("max_age").is_some();
            // A project function, or a method of a project class called on the class
            // (`User.verify_set_password_token(token)`).
            let project = self.project_callable(file, &call.func).is_some();
            if !(known_library || timed_loads || project) {
                return;
            }
            if presented(call) {
                found = Some(call);
            }
        });
        found
            .or_else(|| {
                token_lookup(&handler.body, &from_request, &|c: &Call| {
                    self.project_callable(file, &c.func).is_some()
                })
            })
            .or_else(|| self.mac_comparison(file, &handler.body, &from_request))
    }

    /// A project function, or a method of a project class called on the class itself (a static
    /// or class method: `User.verify_set_password_token(token)`): its file and definition.
    fn project_callable(&self, file: usize, func: &Expr) -> Option<(usize, &'a Function)> {
        if let Some((f, Some(Stmt::FunctionDef(d)), _)) = self.model.resolve_definition(file, func)
        {
            return Some((f, d));
        }
        let ExprKind::Attribute { value, attr } = &func.kind else {
            return None;
        };
        let (class_file, class) = self.project_class(file, value)?;
        find_method(self.model, class_file, class, attr).map(|(f, _, m)| (f, m))
    }

    /// A handler that goes on only when a value the caller presents is a key of a store whose
    /// keys the server issues itself with an unguessable value (`self._pending[token] =
    /// future` after `token = secrets.token_urlsafe()`): the key is a capability, whatever
    /// client error answers an unknown one. At the top of the handler, after assignments only:
    /// `try: future = self._pending.pop(token)` with `except KeyError:` answering a 4xx; `if
    /// token not in PENDING:` answering a 4xx; or `if session_id in self._sessions:` ending the
    /// request, followed only by a 4xx answer. The store, and the file and call that make its
    /// keys.
    fn issued_key_lookup(
        &self,
        file: usize,
        handler: &'a Function,
    ) -> Option<(&'a Expr, usize, &'a Call)> {
        let from_request = request_values(handler);
        let block = handler.body.as_slice();
        for (i, stmt) in block.iter().enumerate() {
            // Before the check, the handler only reads what it was sent: work done earlier
            // is done for every caller.
            let only_reads = block[..i].iter().all(|s| match s {
                Stmt::Assign { .. } => true,
                Stmt::Expr { value, .. } => value.is_string_literal(),
                _ => false,
            });
            if !only_reads {
                break;
            }
            let store = match stmt {
                Stmt::Try { body, handlers, .. } => {
                    let refuses_unknown = handlers.iter().any(|h| {
                        h.type_
                            .as_ref()
                            .is_some_and(|t| t.last_name() == Some("KeyError"))
                            && ends_with_client_error(&h.body)
                    });
                    if !refuses_unknown {
                        continue;
                    }
                    match code_statements(body).first() {
                        Some(Stmt::Assign { value: Some(v), .. } | Stmt::Expr { value: v, .. }) => {
                            keyed_read(v, &from_request)
                        }
                        _ => None,
                    }
                }
                Stmt::If {
                    test,
                    body: then,
                    orelse,
                    ..
                } => {
                    let [(key, op, store)] = test.comparisons()[..] else {
                        continue;
                    };
                    if !mentions_any(key, &from_request) || mentions_any(store, &from_request) {
                        continue;
                    }
                    let refused = match op {
                        CmpOp::NotIn => ends_with_client_error(then),
                        CmpOp::In => {
                            // `with session_context(session): return await ...`
                            let ends = never_falls_through(then)
                                || matches!(then.last(), Some(Stmt::With { body, .. })
                                        if never_falls_through(body));
                            orelse.is_empty()
                                && ends
                                && code_statements(&block[i + 1..]).len() == 1
                                && ends_with_client_error(&block[i + 1..])
                        }
                        _ => false,
                    };
                    refused.then_some(store)
                }
                _ => None,
            };
            if let Some(store) = store
                && let Some((issued_file, call)) = self.issued_keys(file, handler, store)
            {
                return Some((store, issued_file, call));
            }
        }
        None
    }

    /// Where the server writes a key it makes unguessable into `store` (`self._sessions[id] =
    /// session` after `id = secrets.token_hex(32)` in a method of the handler's class or its
    /// project bases; `PENDING[token] = b""` in a function of the module, for a module-level
    /// `PENDING`): the file and the call that makes the key.
    fn issued_keys(
        &self,
        file: usize,
        handler: &'a Function,
        store: &Expr,
    ) -> Option<(usize, &'a Call)> {
        let bodies: Vec<(usize, &'a [Stmt])> = match &store.kind {
            ExprKind::Attribute { value, .. } if value.as_name() == Some("self") => {
                let class = innermost_class(self.model.files[file].body(), handler.span)?;
                class_hierarchy(self.model, file, class)
                    .into_iter()
                    .map(|(f, c)| (f, c.body.as_slice()))
                    .collect()
            }
            ExprKind::Name(name) => {
                // A module-level store, not a local of the handler.
                self.model.files[file].top_level(name)?;
                if handler.assigned.may_contain(name) {
                    return None;
                }
                vec![(file, self.model.files[file].body())]
            }
            _ => return None,
        };
        let same_store = |e: &Expr| match (&e.kind, &store.kind) {
            (
                ExprKind::Attribute { value, attr },
                ExprKind::Attribute {
                    attr: store_attr, ..
                },
            ) => value.as_name() == Some("self") && attr == store_attr,
            (ExprKind::Name(n), ExprKind::Name(store_name)) => n == store_name,
            _ => false,
        };
        for (f, body) in bodies {
            let imports = &self.model.files[f].imports;
            let mut found = None;
            walk_functions(body, &mut |function| {
                if found.is_some() {
                    return;
                }
                walk_stmts(&function.body, &mut |stmt| {
                    let Stmt::Assign { targets, .. } = stmt else {
                        return;
                    };
                    for t in targets {
                        if found.is_some() {
                            return;
                        }
                        let ExprKind::Subscript { value, slice } = &t.kind else {
                            continue;
                        };
                        if !same_store(value) {
                            continue;
                        }
                        found = match slice.as_name() {
                            Some(key) => {
                                let mut call = None;
                                nested_assignments(&function.body, key, &mut |v| {
                                    call = call.or_else(|| secret_key_call(imports, v));
                                });
                                call
                            }
                            None => secret_key_call(imports, slice),
                        };
                    }
                });
            });
            if let Some(call) = found {
                return Some((f, call));
            }
        }
        None
    }

    /// A value from the request compared with a MAC of the server's secret and refused when it
    /// differs, at the top of the handler: `if webhook_hash != hmac.new(key, url,
    /// sha256).hexdigest(): abort(404)` (also through a local, or `not hmac.compare_digest(...)`).
    /// The MAC's call.
    fn mac_comparison(
        &self,
        file: usize,
        body: &'a [Stmt],
        from_request: &[&str],
    ) -> Option<&'a Call> {
        let mac_of = |e: &'a Expr| -> Option<&'a Call> {
            let value = match e.as_name() {
                Some(name) => crate::values::last_assignment(body, name)?,
                None => e,
            };
            keyed_mac(&self.model.files[file].imports, value)
        };
        body.iter().find_map(|stmt| {
            let Stmt::If {
                test, body: then, ..
            } = stmt
            else {
                return None;
            };
            // Any answer ends the request there: a wrong link is often answered 404.
            let ends = never_falls_through(then)
                || matches!(then.last(), Some(Stmt::Expr { value, .. })
                    if value.as_call().is_some_and(|c| c.func.last_name() == Some("abort")));
            if !ends {
                return None;
            }
            let (presented, expected) = match &test.kind {
                ExprKind::Compare { .. } => match test.comparisons().as_slice() {
                    [(left, CmpOp::NotEq, right)] => (*left, *right),
                    _ => return None,
                },
                ExprKind::UnaryOp {
                    op: UnaryOp::Not,
                    operand,
                } => {
                    let call = operand.as_call()?;
                    if call.func.last_name() != Some("compare_digest") {
                        return None;
                    }
                    match call.args.as_slice() {
                        [left, right] => (left, right),
                        _ => return None,
                    }
                }
                _ => return None,
            };
            [(presented, expected), (expected, presented)]
                .into_iter()
                .find_map(|(p, e)| {
                    (mentions_any(p, from_request) && !mentions_any(e, from_request))
                        .then(|| mac_of(e))
                        .flatten()
                })
        })
    }

    /// `with admin_permission.require(403):` (Flask-Principal) closing an unconditional block
    /// of the handler, followed at most by `return CONSTANT`: what the handler does at the end
    /// runs only for identities holding the permission. The context expression.
    fn permission_block(
        &self,
        file: usize,
        scope: &[&'a Function],
        handler: &'a Function,
    ) -> Option<&'a Expr> {
        let mut found = None;
        unconditional_blocks(&handler.body, &mut |block| {
            // What follows the block may only hand back a value already made (`return
            // NO_CONTENT`).
            let trailing = block
                .iter()
                .rev()
                .take_while(|s| {
                    matches!(s, Stmt::Return { value, .. } if value.as_ref().is_none_or(|v| {
                        !v.any(&mut |x| !matches!(
                            x.kind,
                            ExprKind::Name(_)
                                | ExprKind::Attribute { .. }
                                | ExprKind::Tuple(_)
                                | ExprKind::Str(_)
                                | ExprKind::Int(_)
                                | ExprKind::Bool(_)
                                | ExprKind::NoneLiteral
                        ))
                    }))
                })
                .count();
            if let Some(Stmt::With { items, .. }) = block.iter().rev().nth(trailing) {
                found = found.or_else(|| {
                    items.iter().map(|i| &i.context).find(|context| {
                        context
                            .as_call()
                            .is_some_and(|call| self.principal_requirement(file, scope, &call.func))
                    })
                });
            }
        });
        found
    }

    /// `admin_permission.require`: the callee of a Flask-Principal permission's requirement,
    /// which refuses identities that lack the permission's needs.
    fn principal_requirement(&self, file: usize, scope: &[&Function], callee: &Expr) -> bool {
        self.principal_permission_method(file, scope, callee, "require")
    }

    /// `callee` is `method` of a Flask-Principal permission (`admin_permission.can`: a test
    /// of the caller's identity; `.require`: a requirement).
    fn principal_permission_method(
        &self,
        file: usize,
        scope: &[&Function],
        callee: &Expr,
        method: &str,
    ) -> bool {
        matches!(&callee.kind, ExprKind::Attribute { value, attr }
            if attr == method
                && self
                    .model
                    .instance_class(file, scope, value)
                    .is_some_and(|c| is_principal_permission_class(&c)))
    }

    /// A handler that receives credentials: a login, not an authenticated route.
    fn handles_credentials(&self, file: usize, handler: &Function) -> bool {
        credential_evidence(self.model, file, handler).is_some()
    }

    /// The project functions a body calls, each once.
    fn callees_of(&self, file: usize, body: &'a [Stmt]) -> Vec<(usize, &'a Function)> {
        let mut out: Vec<(usize, &'a Function)> = Vec::new();
        walk_exprs(body, &mut |e| {
            e.any(&mut |x| {
                if let Some(call) = x.as_call()
                    && let Some((df, Stmt::FunctionDef(function))) =
                        self.model.project_definition(file, &call.func)
                    && !out
                        .iter()
                        .any(|(of, g)| *of == df && std::ptr::eq(*g, function.as_ref()))
                {
                    out.push((df, function));
                }
                false
            });
        });
        out
    }

    /// [`HelperFacts`] of a project function, memoised.
    fn helper_facts(&self, file: usize, function: &'a Function) -> Rc<HelperFacts<'a>> {
        let key = (file, function.span.start);
        if let Some(known) = self.helper_memo.borrow().get(&key) {
            return known.clone();
        }
        let facts = Rc::new(HelperFacts {
            function,
            callees: self.callees_of(file, &function.body),
            reads_password: reads_submitted_password(function),
            limit: helper_rate_limit(&function.body)
                .or_else(|| refuses_too_many(&self.model.files[file].imports, &function.body)),
        });
        self.helper_memo.borrow_mut().insert(key, facts.clone());
        facts
    }

    /// The limit a hook applies by hand, in its body or in the project functions it calls (two
    /// calls deep): the function holding it and its span. Memoised: hooks are judged for
    /// every route they may cover.
    fn hook_limit(&self, file: usize, hook: &'a Function) -> Option<HandLimit<'a>> {
        let key = (file, hook.span.start);
        if let Some(known) = self.hook_limit_memo.borrow().get(&key) {
            return *known;
        }
        let found = self
            .helper_facts(file, hook)
            .limit
            .map(|span| (file, hook, span))
            .or_else(|| {
                self.called_helpers(file, &hook.body)
                    .iter()
                    .find_map(|(f, h)| h.limit.map(|span| (*f, h.function, span)))
            });
        self.hook_limit_memo.borrow_mut().insert(key, found);
        found
    }

    /// Project functions a body calls, and the project functions those call, up to two calls
    /// deep (`login()` → `login_user_session()` → `login_user()`), each once, with what they do.
    fn called_helpers(&self, file: usize, body: &'a [Stmt]) -> Vec<(usize, Rc<HelperFacts<'a>>)> {
        let first = self.callees_of(file, body);
        let mut seen: Vec<(usize, &'a Function)> = first.clone();
        let mut out = Vec::new();
        for (f, function) in first {
            let facts = self.helper_facts(f, function);
            for &(cf, callee) in &facts.callees {
                if !seen
                    .iter()
                    .any(|(of, g)| *of == cf && std::ptr::eq(*g, callee))
                {
                    seen.push((cf, callee));
                    out.push((cf, self.helper_facts(cf, callee)));
                }
            }
            out.push((f, facts));
        }
        out
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
    /// The PasteDeploy factories an application built in a function is served through, when
    /// it is served only through them (see [`paste_factories`]), memoised by application.
    fn paste_factories(&self, app: &ObjectId) -> Option<String> {
        let start = app.scope?;
        if let Some(known) = self.paste_memo.borrow().get(app) {
            return known.clone();
        }
        let found = paste_factories(self.model, app.file, start);
        self.paste_memo
            .borrow_mut()
            .insert(app.clone(), found.clone());
        found
    }

    fn app_level(&self, app: &ObjectId, mounted: &MountedRoute, sec: &mut RouteSecurity) {
        let via = Some(self.apps.display_object(app));
        // An application served only through a PasteDeploy pipeline (OpenStack's
        // `api-paste.ini` putting keystonemiddleware's `auth_token` in front): the pipeline's
        // filters, configured outside the analysed code, may authenticate every route.
        // Once: an application built from another (`app = build_app()`) is served by the
        // same pipeline.
        const PASTE: &str = "PasteDeploy pipeline around";
        if !sec.auth.iter().any(|p| p.mechanism.starts_with(PASTE))
            && let Some(factories) = self.paste_factories(app)
        {
            sec.auth.push(Protection {
                mechanism: format!("{PASTE} {factories}"),
                level: Level::Middleware,
                via: via.clone(),
                checks_role: false,
                condition: Some(
                    "if its filters authenticate: the pipeline is configured outside the analysed code"
                        .to_string(),
                ),
            });
        }
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
                    &hook.when,
                    mounted,
                    sec,
                );
            }
        }
        for (mw, link) in self.apps.middleware.iter().filter_map(|m| {
            let link = self.apps.denotes_when(m.owner.as_ref()?, app)?;
            Some((m, link))
        }) {
            let when = mw.when.and(&link);
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
                        condition: None,
                    });
                }
                continue;
            }
            // OpenStack's keystonemiddleware `auth_token` wrapping the WSGI application
            // (`auth_token.filter_factory(conf)(app.wsgi_app)`, `AuthProtocol(app.wsgi_app,
            // conf)`): refuses requests without a valid Keystone token unless the operator
            // sets `delay_auth_decision`.
            let wsgi_factory = mw
                .class
                .as_call()
                .and_then(|c| self.model.files[mw.file].imports.resolve(&c.func));
            if qualified
                .as_deref()
                .or(wsgi_factory.as_deref())
                .is_some_and(|q| q.starts_with("keystonemiddleware.auth_token."))
            {
                if !matches!(when, When::DevOnly(_))
                    && !delays_auth_decision(self.model.files[mw.file].body(), mw.span)
                {
                    sec.auth.push(Protection {
                        mechanism: "keystonemiddleware auth_token".to_string(),
                        level: Level::Middleware,
                        via: via.clone(),
                        checks_role: false,
                        condition: self.condition_of(&when, None),
                    });
                }
                continue;
            }
            const AUTHENTICATION_MIDDLEWARE: &str =
                "starlette.middleware.authentication.AuthenticationMiddleware";
            // Also a project subclass that lets some paths through before calling it
            // (`class ConditionalAuthenticationMiddleware(AuthenticationMiddleware)`).
            if qualified.as_deref() == Some(AUTHENTICATION_MIDDLEWARE)
                || self
                    .project_class(mw.file, mw.class)
                    .is_some_and(|(f, class)| {
                        crate::apps::class_hierarchy(self.model, f, class)
                            .iter()
                            .any(|(cf, c)| {
                                c.bases.iter().any(|b| {
                                    self.model.files[*cf].imports.resolve(b).as_deref()
                                        == Some(AUTHENTICATION_MIDDLEWARE)
                                })
                            })
                    })
            {
                if let Some((backend, known)) = self.authentication_backend(mw)
                    && !matches!(when, When::DevOnly(_))
                {
                    let picked = mw
                        .call
                        .keyword("backend")
                        .or_else(|| mw.call.args.get(1))
                        .and_then(Expr::as_call)
                        .is_some_and(|c| {
                            matches!(
                                self.model.resolve_definition(mw.file, &c.func),
                                Some((_, Some(Stmt::FunctionDef(_)), _))
                            )
                        });
                    let refuses = (!known).then(|| {
                        if picked {
                            format!("if the backend {backend}() returns refuses anonymous callers")
                        } else {
                            format!(
                                "if {backend} refuses anonymous callers (its code is not analysed)"
                            )
                        }
                    });
                    sec.auth.push(Protection {
                        mechanism: format!("AuthenticationMiddleware({backend})"),
                        level: Level::Middleware,
                        via: via.clone(),
                        checks_role: false,
                        condition: self.condition_of(&when, refuses),
                    });
                }
                continue;
            }
            if let Some((file, class)) = self.project_class(mw.file, mw.class) {
                let v = self.class_verdict(file, class);
                if v.authenticates && !matches!(when, When::DevOnly(_)) {
                    // What it covers: the paths its `dispatch`/`__call__` lets through.
                    let entry = ["dispatch", "__call__"]
                        .iter()
                        .find_map(|name| find_method(self.model, file, class, name));
                    let coverage = match entry {
                        Some((f, _, method)) => self.coverage(
                            f,
                            method,
                            Some(SelfCtx {
                                file,
                                class,
                                current: Some(method),
                            }),
                            mounted,
                        ),
                        None => Coverage::Applies,
                    };
                    let condition = match coverage {
                        Coverage::Applies => self.condition_of(&when, None),
                        Coverage::Exempt { deliberate } => {
                            sec.hook_exempt |= deliberate;
                            continue;
                        }
                        Coverage::Only(c) => self.condition_of(&when, Some(c)),
                    };
                    sec.auth.push(Protection {
                        mechanism: format!("middleware {}", class.name),
                        level: Level::Middleware,
                        via: via.clone(),
                        checks_role: v.checks_role,
                        condition: condition.or_else(|| self.switch_condition(&v)),
                    });
                }
            }
        }
        // Flask-BasicAuth installed on this app: its `before_request` hook challenges every
        // request without the configured credentials while `BASIC_AUTH_FORCE` is true (it
        // defaults to false: then it protects only the views marked `@basic_auth.required`).
        for install in &self.apps.basic_auth {
            let Some(link) = self.apps.denotes_when(&install.owner, app) else {
                continue;
            };
            let when = install.when.and(&link);
            if matches!(when, When::DevOnly(_)) {
                continue;
            }
            let Some(force) = self.basic_auth_forced(app) else {
                continue;
            };
            sec.auth.push(Protection {
                mechanism: "Flask-BasicAuth (BASIC_AUTH_FORCE)".to_string(),
                level: Level::App,
                via: via.clone(),
                checks_role: false,
                condition: self.condition_of(&when, force),
            });
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
                    condition: None,
                });
            }
        }
    }

    /// The backend of Starlette's `AuthenticationMiddleware`, when it refuses anonymous
    /// callers: the middleware answers an `AuthenticationError` raised by the backend with an
    /// error, while a backend that returns `None` lets the caller in as an unauthenticated user
    /// (then only `@requires` protects). A project backend refuses when its `authenticate`
    /// raises somewhere and never returns `None` (no bare `return`, no falling off the end).
    /// The backend's class name, and whether its code was judged (a library's backend is
    /// taken at its word unless it is told to let anonymous callers through).
    fn authentication_backend(
        &self,
        mw: &crate::apps::MiddlewareReg<'a>,
    ) -> Option<(String, bool)> {
        let expr = mw.call.keyword("backend").or_else(|| mw.call.args.get(1))?;
        let origin = self.model.follow(mw.file, &[], expr);
        let (file, value) = origin
            .as_ref()
            .map_or((mw.file, expr), |o| (o.file, o.expr));
        let backend = value.as_call()?;
        let name = backend.func.last_name()?.to_string();
        if let Some((cf, class)) = self.project_class(file, &backend.func) {
            let (_, _, method) = find_method(self.model, cf, class, "authenticate")?;
            let mut raises = false;
            let mut returns_none = false;
            walk_stmts(&method.body, &mut |stmt| match stmt {
                Stmt::Raise { .. } => raises = true,
                Stmt::Return { value, .. } => {
                    returns_none |= value
                        .as_ref()
                        .is_none_or(|v| matches!(v.kind, ExprKind::NoneLiteral));
                }
                _ => {}
            });
            return (raises && !returns_none && never_falls_through(&method.body))
                .then_some((name, true));
        }
        let lets_anonymous_in = backend.keywords.iter().any(|k| {
            k.arg.as_deref().is_some_and(|a| {
                a.contains("unauthenticated") || a.contains("anonymous") || a.contains("optional")
            }) && matches!(k.value.kind, ExprKind::Bool(true))
        });
        if lets_anonymous_in {
            return None;
        }
        // piccolo_api's session backend raises for a missing or bad session cookie unless
        // `allow_unauthenticated=True`.
        let known = self.model.files[file]
            .imports
            .resolve(&backend.func)
            .is_some_and(|q| q == "piccolo_api.session_auth.middleware.SessionsAuthBackend");
        Some((name, known))
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

    /// Whether `BASIC_AUTH_FORCE` is true in the configuration of `app`: `Some(None)` when
    /// every value production code gives it is true, `Some(Some(condition))` when some value
    /// may be true (a setting read at run time, a write under an `if`, or values that
    /// disagree), `None` when none can be (or none is written: Flask-BasicAuth's default is
    /// false). Writes to another application's `config` do not count.
    fn basic_auth_forced(&self, app: &ObjectId) -> Option<Option<String>> {
        let settings: Vec<&ForceSetting> = self
            .basic_auth_force
            .iter()
            .filter(|f| f.owner.as_ref().is_none_or(|o| self.apps.denotes(o, app)))
            .collect();
        if settings.iter().all(|f| f.value == Some(false)) {
            return None;
        }
        if settings
            .iter()
            .all(|f| f.value == Some(true) && f.condition.is_none())
        {
            return Some(None);
        }
        let first = settings
            .iter()
            .find(|f| f.value != Some(false))
            .expect("some value may be true");
        Some(Some(match &first.condition {
            Some(c) => format!("if BASIC_AUTH_FORCE is set (to {} {c})", first.text),
            None => format!("if BASIC_AUTH_FORCE is true (set to {})", first.text),
        }))
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

    #[allow(clippy::too_many_arguments)]
    fn hook(
        &self,
        file: usize,
        function: &'a Function,
        kind: HookKind,
        via: Option<String>,
        when: &When,
        mounted: &MountedRoute,
        sec: &mut RouteSecurity,
    ) {
        // Registered only in debug or test mode: absent in production.
        if matches!(when, When::DevOnly(_)) {
            return;
        }
        // A hook that applies a limiter to every request it sees (`apply_rate_limit()` calling
        // `limiter.hit(...)` and raising `TooManyRequests`) limits the routes it covers.
        if kind != HookKind::UrlValuePreprocessor
            && let Some((limit_file, limiter, span)) = self.hook_limit(file, function)
            && matches!(
                self.coverage(file, function, None, mounted),
                Coverage::Applies
            )
        {
            let mechanism = if std::ptr::eq(limiter, function) {
                format!("{} in hook {}", self.text(limit_file, span), function.name)
            } else {
                format!(
                    "{} in {}(), called by hook {}",
                    self.text(limit_file, span),
                    limiter.name,
                    function.name
                )
            };
            sec.rate_limits.push(Protection {
                mechanism,
                level: if kind == HookKind::HttpMiddleware {
                    Level::Middleware
                } else {
                    Level::Hook
                },
                via: via.clone(),
                checks_role: false,
                condition: None,
            });
        }
        let key = (file, function.span.start);
        let known = self.hook_memo.borrow_mut().get(&key).copied();
        let v = known.unwrap_or_else(|| {
            let ctx = self.enclosing_instance(file, function);
            let mut v = self.body_verdict_in(file, &function.body, 0, ctx, false);
            for d in &function.decorators {
                if let Some(dv) = self.auth_decorator(file, &[], d) {
                    // A decorator that refuses only under a setting guards the hook so too.
                    v.grant(dv.switch);
                    v.checks_role |= dv.checks_role;
                }
            }
            self.hook_memo.borrow_mut().insert(key, v);
            v
        });
        if !v.authenticates
            || kind == HookKind::UrlValuePreprocessor
                && !reads_path_value(function, &mounted.full_path)
        {
            return;
        }
        let condition = match self.coverage(file, function, None, mounted) {
            Coverage::Applies => self.condition_of(when, None),
            Coverage::Exempt { deliberate } => {
                sec.hook_exempt |= deliberate;
                return;
            }
            Coverage::Only(c) => self.condition_of(when, Some(c)),
        };
        let what = match kind {
            HookKind::HttpMiddleware => "http middleware",
            HookKind::UrlValuePreprocessor => "url_value_preprocessor",
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
            condition: condition.or_else(|| self.switch_condition(&v)),
        });
    }

    /// The instance whose method defines a hook (`@self.app.middleware("http")` on a function
    /// nested in `def register_authorization(self):`): `self.get_username(request)` in the
    /// hook runs that class's method. `None` for a hook that is itself a method.
    fn enclosing_instance(&self, file: usize, function: &'a Function) -> Option<SelfCtx<'a>> {
        if function.params.first().is_some_and(|p| p.name == "self") {
            return None;
        }
        let body = self.model.files[file].body();
        let mut scope = Vec::new();
        functions_enclosing(body, function.span, &mut scope);
        let method = scope
            .iter()
            .rev()
            .find(|f| !std::ptr::eq(**f, function))
            .copied()?;
        method.params.first().filter(|p| p.name == "self")?;
        Some(SelfCtx {
            file,
            class: innermost_class(body, method.span)?,
            current: Some(method),
        })
    }

    /// Which requests a guard (a `before_request` hook, an HTTP middleware's function, a
    /// middleware class's `dispatch`/`__call__`) refuses, for one route, from the `if`s at its
    /// top that test the request's path, endpoint or blueprint: `if request.endpoint in PUBLIC:
    /// return`, `if request.path not in OPEN and not user: abort(401)`, `if scope["type"] !=
    /// "http" or not _is_metrics_route(scope): await self.app(...); return` (a helper predicate
    /// is followed one level). A route let through by name is public by the developer's
    /// decision (`Exempt { deliberate: true }`); one outside the paths a guard covers is simply
    /// not protected by it. When the paths cannot be worked out, or the guard is switched off
    /// by a setting (`if not settings.AUTH_ENABLED: return await call_next(request)`), the
    /// guard covers the route only under a condition.
    fn coverage(
        &self,
        file: usize,
        function: &'a Function,
        ctx: Option<SelfCtx<'a>>,
        mounted: &MountedRoute,
    ) -> Coverage {
        let route = &self.apps.routes[mounted.route];
        let names = self.endpoint_names(mounted);
        let mut view_flags = self.view_flags(route);
        let by_endpoint = self
            .endpoint_flags
            .get_or_init(|| endpoint_flags(self.model));
        view_flags.extend(
            by_endpoint
                .iter()
                .filter(|(endpoint, _)| names.contains(endpoint))
                .map(|(_, flag)| flag.clone()),
        );
        let cx = EvalCx {
            file,
            function,
            ctx,
            path: &mounted.full_path,
            names: &names,
            methods: &route.methods,
            targets: Vec::new(),
            subst: Vec::new(),
            depth: 0,
            view_flags: &view_flags,
        };
        let own = self.coverage_in(&cx, &function.body);
        if !matches!(own, Coverage::Applies) {
            return own;
        }
        // `unauthorized = await require_api_auth(request)`, then `if unauthorized is not None:
        // return unauthorized`: the helper decides, answering `None` to let a request through.
        match self.delegated_guard(&cx, function) {
            Some((helper_file, helper)) => {
                let inner = EvalCx {
                    file: helper_file,
                    function: helper,
                    depth: 1,
                    ..cx.clone()
                };
                self.coverage_in(&inner, &helper.body)
            }
            None => own,
        }
    }

    /// The project function a guard hands the request to and whose answer it returns: one
    /// called at the top of the guard with the request, that refuses somewhere.
    fn delegated_guard(
        &self,
        cx: &EvalCx<'_, 'a>,
        guard: &'a Function,
    ) -> Option<(usize, &'a Function)> {
        guard.body.iter().find_map(|stmt| {
            let value = match stmt {
                Stmt::Assign {
                    value: Some(value), ..
                } => value,
                Stmt::Return {
                    value: Some(value), ..
                } => value,
                _ => return None,
            };
            let value = match &value.kind {
                ExprKind::Await(inner) => &**inner,
                _ => value,
            };
            let call = value.as_call()?;
            if !call.args.iter().any(is_request_name) {
                return None;
            }
            let (file, helper) = self.predicate(cx, &call.func)?;
            self.branch_refuses(file, &helper.body, &helper.body)
                .then_some((file, helper))
        })
    }

    fn coverage_in(&self, cx: &EvalCx<'_, 'a>, body: &'a [Stmt]) -> Coverage {
        let mut switches: Vec<String> = Vec::new();
        match self.exemptions(cx, body, &mut switches) {
            Some(exempt) => exempt,
            None if switches.is_empty() => Coverage::Applies,
            None => Coverage::Only(format!("if {}", switches.join(" and "))),
        }
    }

    /// The first exemption (by path or name) that decides the route, also in nested `if`s;
    /// settings that switch the guard off are collected in `switches` on the way.
    fn exemptions(
        &self,
        cx: &EvalCx<'_, 'a>,
        body: &'a [Stmt],
        switches: &mut Vec<String>,
    ) -> Option<Coverage> {
        for stmt in body {
            let (test, then, orelse, ev) = match stmt {
                Stmt::If {
                    test,
                    body: then,
                    orelse,
                    ..
                } => (test, then, orelse.as_slice(), self.eval_test(cx, test)),
                // `for prefix in skip: if path.startswith(prefix): return await call_next(...)`
                // is `if any(path.startswith(prefix) for prefix in skip)`.
                Stmt::For {
                    target,
                    iter,
                    body: looped,
                    ..
                } => match (target.as_name(), looped.first()) {
                    (
                        Some(var),
                        Some(Stmt::If {
                            test,
                            body: then,
                            orelse,
                            ..
                        }),
                    ) if orelse.is_empty() => {
                        let Some(ev) = self.items_ev(cx, var, iter, test, false) else {
                            continue;
                        };
                        (test, then, &[][..], ev)
                    }
                    _ => continue,
                },
                // `try: if path in ALLOW_LIST: ... else: await check(request)`, then `except
                // Denied: return JSONResponse(..., 401)`.
                Stmt::Try { body: tried, .. } => {
                    if let Some(decided) = self.exemptions(cx, tried, switches) {
                        return Some(decided);
                    }
                    continue;
                }
                _ => continue,
            };
            // `if request.url.path != "/alive": verify_api_key(...)`: a branch that calls a
            // guard refuses as the guard does.
            let refuses = self.branch_refuses(cx.file, &cx.function.body, then)
                || ev.about_target && self.body_verdict(cx.file, then, 0).authenticates;
            let passes = !refuses && passes_through(then);
            // `if path in ALLOW_LIST: request.state.auth = {}` with `else: credentials = await
            // check(request)`: only the `else` refuses, the selected paths go on unchecked.
            let only_else_refuses = ev.about_target
                && !refuses
                && !orelse.is_empty()
                && !self.body_verdict(cx.file, then, 0).authenticates
                && (self.branch_refuses(cx.file, &cx.function.body, orelse)
                    || self.body_verdict(cx.file, orelse, 0).authenticates);
            if ev.about_target {
                match (passes || only_else_refuses, refuses, ev.value) {
                    (true, _, Tv::True) | (_, true, Tv::False) => {
                        return Some(Coverage::Exempt {
                            deliberate: ev.matched,
                        });
                    }
                    // The selected paths are let through: the guard covers the others.
                    (true, _, Tv::Unknown) => {
                        return Some(Coverage::Only(format!(
                            "for the paths `{}` does not let through",
                            self.text(cx.file, test.span)
                        )));
                    }
                    (_, true, Tv::Unknown) => {
                        return Some(Coverage::Only(format!(
                            "for the paths `{}` selects",
                            self.text(cx.file, test.span)
                        )));
                    }
                    // `if settings.require_auth and path in PROTECTED: refuse`: the selected
                    // paths are refused only while the setting holds.
                    (false, true, Tv::Free) => {
                        if let Some(on) = self.setting_operands(cx, test, BoolOp::And) {
                            switches.extend(on.iter().map(|v| self.text(cx.file, v.span)));
                            return Some(Coverage::Only(format!("if {}", switches.join(" and "))));
                        }
                    }
                    // `if not settings.require_auth or path not in PROTECTED: return await
                    // call_next(request)`: the other paths are checked only while it holds.
                    (true, _, Tv::Free) => {
                        if let Some(off) = self.setting_operands(cx, test, BoolOp::Or) {
                            let text = |e: &Expr| self.text(cx.file, e.span);
                            switches.extend(off.iter().map(|v| crate::apps::negation(&text, v)));
                        }
                    }
                    _ => {}
                }
            } else if passes && ev.config {
                // A setting that switches the guard off: it protects only when it is not set.
                match crate::apps::production_value(self.model, cx.file, test) {
                    Some(true) => return Some(Coverage::Exempt { deliberate: false }),
                    Some(false) => {}
                    // Not set by default (`if not settings.AUTH_ENABLED:` with `AUTH_ENABLED:
                    // bool = True`): the guard protects the default deployment.
                    None if self.holds_by_default(crate::apps::Test {
                        file: cx.file,
                        span: test.span,
                        then: false,
                    }) => {}
                    None => {
                        let text = |e: &Expr| self.text(cx.file, e.span);
                        switches.push(crate::apps::negation(&text, test));
                    }
                }
            }
            for inner in [then.as_slice(), orelse] {
                if let Some(decided) = self.exemptions(cx, inner, switches) {
                    return Some(decided);
                }
            }
        }
        None
    }

    /// The operands of a `test` joined by `op` that are settings left open for the route (the
    /// others read its path or name), as written; `None` when another operand is left open.
    fn setting_operands(
        &self,
        cx: &EvalCx<'_, 'a>,
        test: &'a Expr,
        op: BoolOp,
    ) -> Option<Vec<&'a Expr>> {
        let ExprKind::BoolOp { op: found, values } = &test.kind else {
            return None;
        };
        let mut settings = Vec::new();
        for v in values.iter().filter(|_| *found == op) {
            let ev = self.eval_test(cx, v);
            if ev.value != Tv::Free {
                continue;
            }
            if !ev.config || crate::apps::production_value(self.model, cx.file, v).is_some() {
                return None;
            }
            settings.push(v);
        }
        (!settings.is_empty()).then_some(settings)
    }

    /// A test about the route's path or name evaluated once per literal item `var` stands
    /// for (`for p in PREFIXES`): true when it holds for any item (for every item, with
    /// `all`); `None` when it is about something else.
    fn items_ev(
        &self,
        cx: &EvalCx<'_, 'a>,
        var: &'a str,
        iter: &'a Expr,
        test: &'a Expr,
        all: bool,
    ) -> Option<Ev> {
        let (items, complete) = self.literals(cx, iter)?;
        let evs: Vec<Ev> = items
            .iter()
            .map(|item| {
                let mut inner = cx.clone();
                inner.subst.push((var, item.clone()));
                self.eval_test(&inner, test)
            })
            .collect();
        if !evs.iter().any(|e| e.about_target) {
            return None;
        }
        let values = evs.iter().map(|e| e.value);
        let mut value = if all {
            Tv::all(values)
        } else {
            Tv::any(values)
        };
        if !complete && value == Tv::False {
            value = Tv::Unknown;
        }
        Some(Ev {
            value,
            matched: evs.iter().any(|e| e.matched),
            about_target: true,
            config: false,
        })
    }

    /// Whether a branch refuses the request (`abort(401)`, `return JSONResponse(..., 401)`,
    /// `await send({"type": "http.response.start", "status": 401})`).
    fn branch_refuses(&self, file: usize, root: &[Stmt], then: &[Stmt]) -> bool {
        let mut refuses = false;
        walk_stmts(then, &mut |st| {
            let e = match st {
                Stmt::Raise { exc: Some(e), .. }
                | Stmt::Return { value: Some(e), .. }
                | Stmt::Expr { value: e, .. } => e,
                _ => return,
            };
            refuses |= self
                .refusal(file, root, e, 0)
                .is_some_and(|r| !matches!(r, Refusal::Away))
                || matches!(st, Stmt::Raise { .. }) && self.raised_in_middleware(file, root, e);
        });
        refuses
    }

    /// Evaluates an `if` test of a guard for the route being judged.
    fn eval_test(&self, cx: &EvalCx<'_, 'a>, e: &'a Expr) -> Ev {
        // `skip_check = request.method not in [...] or path in [...]`, then `if skip_check:`:
        // the test the flag holds.
        // Set to `True` afterwards under further tests (`if path in OPTIONAL: if
        // request.method == "GET": skip_check = True`): it holds when any of them does.
        if let ExprKind::Name(name) = &e.kind
            && let Some((value, raised)) = assigned_test(&cx.function.body, name)
            && self.target(cx, e, 0).is_none()
        {
            let mut evs = vec![self.eval_test(cx, value)];
            for path in raised {
                let conds: Vec<Ev> = path
                    .iter()
                    .map(|&(test, holds)| {
                        let mut ev = self.eval_test(cx, test);
                        if !holds {
                            ev.value = ev.value.not();
                        }
                        ev
                    })
                    .collect();
                evs.push(Ev {
                    value: Tv::all(conds.iter().map(|c| c.value)),
                    matched: conds.iter().any(|c| c.matched),
                    about_target: conds.iter().any(|c| c.about_target),
                    config: false,
                });
            }
            return Ev {
                value: Tv::any(evs.iter().map(|e| e.value)),
                matched: evs.iter().any(|e| e.matched && e.value == Tv::True),
                about_target: evs.iter().any(|e| e.about_target),
                config: evs.iter().all(|e| e.config),
            };
        }
        match &e.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => {
                let mut ev = self.eval_test(cx, operand);
                ev.value = ev.value.not();
                ev
            }
            ExprKind::BoolOp { op, values } => {
                let evs: Vec<Ev> = values.iter().map(|v| self.eval_test(cx, v)).collect();
                let value = match op {
                    BoolOp::And => Tv::all(evs.iter().map(|e| e.value)),
                    BoolOp::Or => Tv::any(evs.iter().map(|e| e.value)),
                };
                Ev {
                    value,
                    matched: evs.iter().any(|e| e.matched),
                    about_target: evs.iter().any(|e| e.about_target),
                    config: evs.iter().all(|e| e.config),
                }
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1 => self.eval_compare(cx, left, ops[0], &comparators[0]),
            ExprKind::Call(call) => self.eval_call(cx, e, call),
            ExprKind::Bool(b) => Ev {
                value: if *b { Tv::True } else { Tv::False },
                matched: false,
                about_target: false,
                config: true,
            },
            // `request.endpoint and ...`: a route has a path and an endpoint.
            _ if self.target(cx, e, 0).is_some() => Ev {
                value: Tv::True,
                matched: false,
                about_target: false,
                config: false,
            },
            _ => Ev::free(self.is_config(cx.file, e)),
        }
    }

    fn eval_compare(&self, cx: &EvalCx<'_, 'a>, left: &'a Expr, op: CmpOp, right: &'a Expr) -> Ev {
        // `request.path == "/x"`, `request.endpoint in PUBLIC`, `request.path not in OPEN`.
        if let Some(target) = self.target(cx, left, 0)
            && let Some((literals, complete)) = self.literals(cx, right)
            && matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn)
        {
            let hit = literals.iter().any(|l| cx.equals(target, l));
            // `<dynamic>/admin/settings` is none of `/health`, `/ready`, whatever its prefix.
            let excluded = !hit && literals.iter().all(|l| !cx.may_equal(target, l));
            let complete = complete || !hit && self.unread_items_exclude(cx, right, target);
            return Ev::target_test(
                hit,
                complete && (cx.known(target) || excluded),
                matches!(op, CmpOp::NotEq | CmpOp::NotIn),
            );
        }
        // `"/admin" in request.path`: a substring.
        if let (CmpOp::In | CmpOp::NotIn, Some(target)) = (op, self.target(cx, right, 0))
            && let Some((literals, _)) = self.literals(cx, left)
        {
            let hit = literals.iter().any(|l| cx.contains(target, l));
            return Ev::target_test(hit, cx.known(target), op == CmpOp::NotIn);
        }
        // `request.method == "OPTIONS"`, `scope["type"] != "http"`: known for the route.
        if let Some(actual) = self.request_property(cx, left)
            && let Some((literals, true)) = self.literals(cx, right)
            && matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn)
        {
            let hits = actual
                .iter()
                .filter(|a| literals.iter().any(|l| l.eq_ignore_ascii_case(a)))
                .count();
            let value = if hits == actual.len() {
                Tv::True
            } else if hits == 0 {
                Tv::False
            } else {
                Tv::Free
            };
            let value = if matches!(op, CmpOp::NotEq | CmpOp::NotIn) {
                value.not()
            } else {
                value
            };
            return Ev {
                value,
                matched: false,
                about_target: false,
                config: false,
            };
        }
        // `[request.method, request.url.path] in PROTECTED`: the route's method and path
        // looked up among pairs.
        if matches!(op, CmpOp::In | CmpOp::NotIn)
            && let Some(parts) = left.elements()
            && parts.iter().any(|p| self.target(cx, p, 0).is_some())
        {
            let mut ev = self.eval_pair_in(cx, parts, right);
            if op == CmpOp::NotIn {
                ev.value = ev.value.not();
            }
            return ev;
        }
        let any_target = self.target(cx, left, 0).is_some() || self.target(cx, right, 0).is_some();
        if any_target {
            return Ev {
                value: Tv::Unknown,
                matched: false,
                about_target: true,
                config: false,
            };
        }
        // `settings.AUTH_TYPE == "none"`: a setting compared with a value.
        let side = |e: &Expr| self.is_config(cx.file, e) || is_literal(e);
        Ev::free(
            side(left)
                && side(right)
                && (self.is_config(cx.file, left) || self.is_config(cx.file, right)),
        )
    }

    /// Whether the route's request (`parts`: its path, endpoint, method) is one of the tuples of
    /// the collection `items`; unknown when the collection or an item cannot be read (a
    /// settings list, whose value is the deployment's).
    fn eval_pair_in(&self, cx: &EvalCx<'_, 'a>, parts: &'a [Expr], items: &'a Expr) -> Ev {
        let origin = self.model.resolve_value(cx.file, &[cx.function], items);
        let Some(items) = origin.expr.elements() else {
            return Ev::unknown_target();
        };
        let mut matched = false;
        let values: Vec<Tv> = items
            .iter()
            .map(|item| {
                let Some(fields) = item.elements().filter(|f| f.len() == parts.len()) else {
                    return Tv::Unknown;
                };
                Tv::all(parts.iter().zip(fields).map(|(part, field)| {
                    let Some(text) = field.as_str() else {
                        return Tv::Unknown;
                    };
                    if let Some(target) = self.target(cx, part, 0) {
                        let hit = cx.equals(target, text);
                        matched |= hit;
                        return if hit {
                            Tv::True
                        } else if cx.known(target) || !cx.may_equal(target, text) {
                            Tv::False
                        } else {
                            Tv::Unknown
                        };
                    }
                    match self.request_property(cx, part) {
                        Some(actual) if actual.iter().all(|m| m.eq_ignore_ascii_case(text)) => {
                            Tv::True
                        }
                        Some(actual) if actual.iter().all(|m| !m.eq_ignore_ascii_case(text)) => {
                            Tv::False
                        }
                        _ => Tv::Unknown,
                    }
                }))
            })
            .collect();
        Ev {
            value: Tv::any(values.into_iter()),
            matched,
            about_target: true,
            config: false,
        }
    }

    fn eval_call(&self, cx: &EvalCx<'_, 'a>, e: &'a Expr, call: &'a Call) -> Ev {
        // `request.path.startswith("/admin")`, `path.endswith((".js", ".css"))`.
        if let ExprKind::Attribute { value, attr } = &call.func.kind
            && matches!(attr.as_str(), "startswith" | "endswith")
            && let Some(target) = self.target(cx, value, 0)
        {
            let Some((literals, complete)) = call.args.first().and_then(|a| self.literals(cx, a))
            else {
                return Ev::unknown_target();
            };
            let hit = literals.iter().any(|l| {
                if attr == "startswith" {
                    cx.starts_with(target, l)
                } else {
                    cx.ends_with(target, l)
                }
            });
            return Ev::target_test(hit, complete && cx.known(target), false);
        }
        let name = call.func.last_name().unwrap_or("");
        // `getattr(view, "is_public", False)` with `view = app.view_functions.get(request.
        // endpoint)`: whether the route's view carries the flag.
        if matches!(name, "getattr" | "hasattr")
            && call.func.as_name().is_some()
            && let [subject, flag, ..] = &call.args[..]
            && let Some(flag) = flag.as_str()
            && self.is_view_function(cx, subject)
        {
            let set = cx.view_flags.iter().any(|f| f == flag);
            return Ev {
                value: if set { Tv::True } else { Tv::False },
                matched: set,
                about_target: true,
                config: false,
            };
        }
        // `any(path.startswith(p) for p in PREFIXES)`
        if matches!(name, "any" | "all")
            && let Some(arg) = call.args.first()
            && let ExprKind::Comprehension {
                element,
                generators,
                value: None,
            } = &arg.kind
            && let [generator] = &generators[..]
            && generator.ifs.is_empty()
            && let Some(var) = generator.target.as_name()
            && let Some(ev) = self.items_ev(cx, var, &generator.iter, element, name == "all")
        {
            return ev;
        }
        // `any(request.path.startswith(f"/api{ns.path}") for ns in namespaces)` over objects
        // whose paths cannot be listed: the paths it selects are unknown.
        if matches!(name, "any" | "all")
            && let Some(ExprKind::Comprehension { element, .. }) =
                call.args.first().map(|a| &a.kind)
            && element.any(&mut |x| {
                x.as_call().is_some_and(|c| {
                    matches!(&c.func.kind, ExprKind::Attribute { value, attr }
                        if matches!(attr.as_str(), "startswith" | "endswith")
                            && self.target(cx, value, 0).is_some())
                })
            })
        {
            return Ev::unknown_target();
        }
        // A project predicate given the request, its scope or its path: `_is_metrics_route(scope)`.
        let passes_request = call
            .argument_values()
            .any(|a| self.target(cx, a, 0).is_some() || is_request_name(a));
        if passes_request && cx.depth < 2 {
            if let Some((f, helper)) = self.predicate(cx, &call.func) {
                let mut inner = EvalCx {
                    file: f,
                    function: helper,
                    ctx: cx.ctx,
                    path: cx.path,
                    names: cx.names,
                    methods: cx.methods,
                    targets: Vec::new(),
                    subst: Vec::new(),
                    depth: cx.depth + 1,
                    view_flags: cx.view_flags,
                };
                // The helper's parameters that receive the path.
                let positional = helper
                    .params
                    .iter()
                    .filter(|p| p.name != "self" && p.name != "cls");
                for (p, a) in positional.zip(call.args.iter()) {
                    if let Some(t) = self.target(cx, a, 0) {
                        inner.targets.push((p.name.as_str(), t));
                    }
                }
                // `self.needs_token(method=request.method, path=request.url.path)`
                for k in &call.keywords {
                    if let Some(t) = self.target(cx, &k.value, 0)
                        && let Some(p) = helper
                            .params
                            .iter()
                            .find(|p| k.arg.as_deref() == Some(&p.name))
                    {
                        inner.targets.push((p.name.as_str(), t));
                    }
                }
                if let Some(ev) = self.eval_predicate(&inner, &helper.body)
                    && ev.about_target
                {
                    return ev;
                }
            }
            // `re.match(pattern, request.url.path)`, an unresolved predicate of the path.
            if call
                .argument_values()
                .any(|a| self.target(cx, a, 0).is_some())
            {
                return Ev::unknown_target();
            }
        }
        let _ = e;
        Ev::free(self.is_config(cx.file, e))
    }

    /// The value a predicate's body returns: `if test: return a` statements followed by
    /// `return b` read as `test and a or not test and b`; other shapes only when every return
    /// agrees.
    fn eval_predicate(&self, cx: &EvalCx<'_, 'a>, body: &'a [Stmt]) -> Option<Ev> {
        let body: Vec<&'a Stmt> = body
            .iter()
            .filter(|s| {
                !matches!(s, Stmt::Expr { value, .. } if value.is_string_literal())
                    && !matches!(s, Stmt::Assign { .. })
            })
            .collect();
        let (last, early) = body.split_last()?;
        let Stmt::Return {
            value: Some(last), ..
        } = last
        else {
            return self.eval_returns(cx, &body);
        };
        let mut ev = self.eval_test(cx, last);
        for stmt in early.iter().rev() {
            let Stmt::If {
                test,
                body: then,
                orelse,
                ..
            } = stmt
            else {
                return self.eval_returns(cx, &body);
            };
            let [
                Stmt::Return {
                    value: Some(ret), ..
                },
            ] = then.as_slice()
            else {
                return self.eval_returns(cx, &body);
            };
            if !orelse.is_empty() {
                return self.eval_returns(cx, &body);
            }
            let t = self.eval_test(cx, test);
            let r = self.eval_test(cx, ret);
            let value = Tv::any(
                [
                    Tv::all([t.value, r.value].into_iter()),
                    Tv::all([t.value.not(), ev.value].into_iter()),
                ]
                .into_iter(),
            );
            ev = Ev {
                value,
                matched: ev.matched || t.matched || r.matched,
                about_target: ev.about_target || t.about_target || r.about_target,
                config: false,
            };
        }
        Some(ev)
    }

    /// Every return of a predicate, when they agree.
    fn eval_returns(&self, cx: &EvalCx<'_, 'a>, body: &[&'a Stmt]) -> Option<Ev> {
        let mut returns: Vec<&'a Expr> = Vec::new();
        for stmt in body {
            crate::values::for_each_return(std::slice::from_ref(*stmt), &mut |r| returns.push(r));
        }
        let evs: Vec<Ev> = returns.iter().map(|r| self.eval_test(cx, r)).collect();
        let first = evs.first()?.value;
        let value = if evs.iter().all(|e| e.value == first) {
            first
        } else {
            Tv::Unknown
        };
        Some(Ev {
            value,
            matched: evs.iter().any(|e| e.matched),
            about_target: evs.iter().any(|e| e.about_target),
            config: false,
        })
    }

    /// The project function a predicate call names: a function, or a method of the guard's
    /// class (`self._is_public(path)`).
    fn predicate(&self, cx: &EvalCx<'_, 'a>, func: &Expr) -> Option<(usize, &'a Function)> {
        if let ExprKind::Attribute { value, attr } = &func.kind
            && value.as_name() == Some("self")
            && let Some(ctx) = cx.ctx
        {
            return find_method(self.model, ctx.file, ctx.class, attr).map(|(f, _, m)| (f, m));
        }
        match self.model.resolve_definition(cx.file, func)? {
            (f, Some(Stmt::FunctionDef(function)), _) => Some((f, function.as_ref())),
            _ => None,
        }
    }

    /// What part of the request an expression is: its path (`request.url.path`, `scope["path"]`,
    /// `get_route_path(scope)`, a variable assigned one), endpoint or blueprint name.
    fn target(&self, cx: &EvalCx<'_, 'a>, e: &'a Expr, depth: u32) -> Option<Target> {
        if depth > 3 {
            return None;
        }
        match &e.kind {
            ExprKind::Attribute { value, attr } => match attr.as_str() {
                "path" | "full_path" | "raw_path" | "url_rule" | "rule" | "path_info" => {
                    let q = self.model.files[cx.file].imports.resolve(e);
                    (q.as_deref() != Some("os.path") && value.as_name() != Some("os"))
                        .then_some(Target::Path)
                }
                "endpoint" => Some(Target::Endpoint),
                "blueprint" => Some(Target::Blueprint),
                _ => None,
            },
            ExprKind::Subscript { slice, .. } => match slice.as_str() {
                Some("path" | "raw_path" | "PATH_INFO") => Some(Target::Path),
                _ => None,
            },
            ExprKind::Call(call) => {
                let name = call.func.last_name().unwrap_or("");
                if matches!(name, "get_route_path" | "get_path" | "get_request_path") {
                    return Some(Target::Path);
                }
                // `request.path.rstrip("/")`, `str(request.url.path)`, `path.lower()`
                if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && matches!(
                        attr.as_str(),
                        "rstrip"
                            | "lstrip"
                            | "strip"
                            | "lower"
                            | "casefold"
                            | "removeprefix"
                            | "removesuffix"
                    )
                {
                    return self.target(cx, value, depth + 1);
                }
                if name == "str" {
                    return call
                        .args
                        .first()
                        .and_then(|a| self.target(cx, a, depth + 1));
                }
                // `_strip_service_prefix(request.url.path)`: a project helper answering the
                // path it is given or a string made from it stands for the path, as
                // `removeprefix` does.
                if let [arg] = call.args.as_slice()
                    && call.keywords.is_empty()
                    && let Some(t) = self.target(cx, arg, depth + 1)
                    && t == Target::Path
                    && self.rewrites_path(cx.file, &call.func)
                {
                    return Some(t);
                }
                None
            }
            ExprKind::Name(name) => {
                if let Some(&(_, t)) = cx.targets.iter().find(|(n, _)| n == name) {
                    return Some(t);
                }
                let value = crate::values::last_assignment(&cx.function.body, name)?;
                if std::ptr::eq(value, e) {
                    return None;
                }
                self.target(cx, value, depth + 1)
            }
            _ => None,
        }
    }

    /// A project function of one parameter that returns that parameter unchanged somewhere,
    /// and otherwise only strings: a path normaliser (`return path`, `return "/"`, `return
    /// f"/{remainder}"`).
    fn rewrites_path(&self, file: usize, func: &Expr) -> bool {
        let Some((_, Some(Stmt::FunctionDef(f)), _)) = self.model.resolve_definition(file, func)
        else {
            return false;
        };
        let [param] = f.params.as_slice() else {
            return false;
        };
        let (mut unchanged, mut strings_only) = (false, true);
        crate::values::for_each_return(&f.body, &mut |r| match &r.kind {
            ExprKind::Name(n) if *n == param.name => unchanged = true,
            ExprKind::Str(_) | ExprKind::FString(_) => {}
            _ => strings_only = false,
        });
        unchanged && strings_only
    }

    /// Whether none of the items of `items` that [`Judge::literals`] could not read is the
    /// route's path: `f"{RUNTIME_PREFIX}/health"` ends with a literal the path does not end
    /// with, whatever the setting in front of it holds.
    fn unread_items_exclude(&self, cx: &EvalCx<'_, 'a>, items: &'a Expr, target: Target) -> bool {
        if target != Target::Path || !cx.known(target) {
            return false;
        }
        let origin = self.model.resolve_value(cx.file, &[cx.function], items);
        let Some(elements) = origin.expr.elements() else {
            return false;
        };
        let inner = EvalCx {
            file: origin.file,
            ..cx.clone()
        };
        elements.iter().all(|item| match &item.kind {
            ExprKind::Str(_) => true,
            ExprKind::FString(parts) => matches!(parts.last(),
                Some(FStringPart::Literal(tail)) if tail.starts_with('/')
                    && !cx.ends_with(target, tail.trim_end_matches('/'))),
            _ => self
                .literals_at(&inner, item, 1)
                .is_some_and(|(values, complete)| complete && values.len() == 1),
        })
    }

    /// `request.method` (the route's methods) and `scope["type"]` (`http`, or `websocket`).
    fn request_property(&self, cx: &EvalCx<'_, 'a>, e: &Expr) -> Option<Vec<String>> {
        let websocket = cx.methods.iter().all(|m| m == "WS");
        // Methods registered through a value the analysis cannot read: any of them.
        let methods = || {
            if cx.methods.iter().any(|m| m == crate::apps::DYNAMIC_METHODS) {
                ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
                    .map(str::to_string)
                    .to_vec()
            } else {
                cx.methods.to_vec()
            }
        };
        match &e.kind {
            ExprKind::Attribute { attr, value } if attr == "method" && is_request_name(value) => {
                Some(methods())
            }
            ExprKind::Call(call)
                if matches!(&call.func.kind, ExprKind::Attribute { value, attr }
                    if attr == "get" && is_request_name(value)) =>
            {
                match call.args.first()?.as_str()? {
                    "method" => Some(methods()),
                    "type" => Some(vec![
                        if websocket { "websocket" } else { "http" }.to_string(),
                    ]),
                    _ => None,
                }
            }
            ExprKind::Subscript { value, slice } if is_request_name(value) => {
                match slice.as_str()? {
                    "method" => Some(methods()),
                    "type" => Some(vec![
                        if websocket { "websocket" } else { "http" }.to_string(),
                    ]),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The strings an expression stands for (a literal, a constant, a collection of them, a
    /// concatenation), and whether all of them were read.
    fn literals(&self, cx: &EvalCx<'_, 'a>, e: &'a Expr) -> Option<(Vec<String>, bool)> {
        self.literals_at(cx, e, 0)
    }

    /// [`Judge::literals`] `depth` names or parts down: a name may hold a list holding the
    /// name itself (`skip = ["/login", skip]`).
    fn literals_at(
        &self,
        cx: &EvalCx<'_, 'a>,
        e: &'a Expr,
        depth: u32,
    ) -> Option<(Vec<String>, bool)> {
        if depth > 16 {
            return None;
        }
        let next = depth + 1;
        if let ExprKind::Name(n) = &e.kind
            && let Some((_, v)) = cx.subst.iter().find(|(name, _)| name == n)
        {
            return Some((vec![v.clone()], true));
        }
        // The guard may be nested in the function that registers it (`def create_app(
        // health_path="/health"): paths = {health_path, "/ready"}; @app.middleware("http")
        // async def check(...)`): its names are read in the enclosing functions too.
        let mut scope = vec![cx.function];
        let mut origin = self.model.resolve_value(cx.file, &scope, e);
        if matches!(origin.expr.kind, ExprKind::Name(_)) {
            scope = crate::apps::enclosing_functions(self.model.files[cx.file].body(), cx.function);
            scope.push(cx.function);
            origin = self.model.resolve_value(cx.file, &scope, e);
        }
        let (file, expr) = (origin.file, origin.expr);
        // A parameter of an enclosing function: its default, the value when the caller
        // passes none.
        if let ExprKind::Name(n) = &expr.kind
            && file == cx.file
            && let Some(default) = crate::values::parameter_default(&origin.scope, n)
            && let Some(text) = default.as_str()
        {
            return Some((vec![text.to_string()], true));
        }
        // `self.skip_prefixes`, set to a literal list in `__init__` of the guard's class.
        if let ExprKind::Attribute { value, attr } = &expr.kind
            && value.as_name() == Some("self")
            && let Some(ctx) = cx.ctx
            && let Some(assigned) = crate::apps::instance_attribute_value(ctx.class, attr)
            && assigned.elements().is_some()
        {
            let inner = EvalCx {
                file: ctx.file,
                ..cx.clone()
            };
            return self.literals_at(&inner, assigned, next);
        }
        match &expr.kind {
            ExprKind::Str(s) => Some((vec![s.clone()], true)),
            ExprKind::BinOp {
                left,
                op: routewarden_python::ast::BinOp::Add,
                right,
            } => {
                let inner = EvalCx { file, ..cx.clone() };
                let (l, lc) = self.literals_at(&inner, left, next)?;
                let (r, rc) = self.literals_at(&inner, right, next)?;
                if l.len() != 1 || r.len() != 1 {
                    return None;
                }
                Some((vec![format!("{}{}", l[0], r[0])], lc && rc))
            }
            ExprKind::Call(call)
                if matches!(
                    call.func.last_name(),
                    Some("frozenset" | "set" | "tuple" | "list")
                ) =>
            {
                let inner = EvalCx { file, ..cx.clone() };
                self.literals_at(&inner, call.args.first()?, next)
            }
            _ => {
                let items = expr.elements()?;
                let mut strings = Vec::new();
                let mut complete = true;
                for item in items {
                    match &item.kind {
                        ExprKind::Str(text) => strings.push(text.clone()),
                        // `{health_path, "/ready"}`: a name holding one path.
                        ExprKind::Name(_) if file == cx.file => {
                            match self.literals_at(cx, item, next) {
                                Some((values, item_complete)) if values.len() == 1 => {
                                    strings.extend(values);
                                    complete &= item_complete;
                                }
                                _ => complete = false,
                            }
                        }
                        _ => complete = false,
                    }
                }
                Some((strings, complete))
            }
        }
    }

    /// A test about the configuration: settings, constants, environment variables, not the
    /// request.
    fn is_config(&self, file: usize, e: &Expr) -> bool {
        self.reads_configuration(file, e, true)
    }

    /// [`Judge::is_config`]; `modules`: a module the file imports counts as configuration
    /// (`if version.parse(...)`, `if cron.valid(...)`).
    fn reads_configuration(&self, file: usize, e: &Expr, modules: bool) -> bool {
        let (config, request) = self.configuration_flags(file, e, modules);
        config && !request
    }

    /// Whether `e` reads the configuration, and whether it reads the request.
    fn configuration_flags(&self, file: usize, e: &Expr, modules: bool) -> (bool, bool) {
        // The answer depends only on the expression and where it is: an expression of the
        // model keeps its address; a synthetic one (a literal) answers (false, false).
        let key = (
            file,
            std::ptr::from_ref(e) as usize,
            e.span.start,
            e.span.end,
            modules,
        );
        // A poisoned lock only means another judge panicked: its entries are still answers.
        let memo = || {
            self.config_flags_memo
                .lock()
                .unwrap_or_else(|p| p.into_inner())
        };
        if let Some(&known) = memo().get(&key) {
            return known;
        }
        // Not locked while working: the answer may ask about other expressions.
        let flags = self.configuration_flags_with(file, e, modules, &[]);
        memo().insert(key, flags);
        flags
    }

    /// [`Judge::configuration_flags`], where `locals` are variables holding settings.
    fn configuration_flags_with(
        &self,
        file: usize,
        e: &Expr,
        modules: bool,
        locals: &[&str],
    ) -> (bool, bool) {
        let mut request = false;
        let mut config = false;
        // Every name of `e` is used in the same functions: found once, when first asked.
        let mut scope: Option<Vec<&'a Function>> = None;
        let enclosing = || {
            let mut scope = Vec::new();
            functions_enclosing(self.model.files[file].body(), e.span, &mut scope);
            scope
        };
        // `wiki.auth.has_permission("ADMIN")` after `import wiki.auth`: a project function
        // reached through its module's name, not a module's settings.
        let calls_project_function = |head: &Expr| {
            e.any(&mut |x| {
                matches!(&x.kind, ExprKind::Call(call)
                if chain_head(&call.func).is_some_and(|h| h.span == head.span)
                    && matches!(call.func.kind, ExprKind::Attribute { .. })
                    && matches!(
                        self.model.resolve_definition(file, &call.func),
                        Some((_, Some(Stmt::FunctionDef(_)), _))
                    ))
            })
        };
        e.any(&mut |x| {
            match &x.kind {
                ExprKind::Name(n) if locals.contains(&n.as_str()) => config = true,
                ExprKind::Name(n) => {
                    let lower = lowercased(n);
                    if REQUEST_STATE_NAMES.contains(&&*lower)
                        || lower.contains("token")
                        || lower.contains("header")
                        || !is_constant_name(n) && holds_presented_credential(&lower)
                    {
                        request = true;
                    } else if is_constant_name(n)
                        || names_settings(n)
                        // `from octoprint.settings import settings as s`: what the alias
                        // stands for is named.
                        || self.model.files[file]
                            .imports
                            .get(n)
                            .and_then(|q| q.rsplit('.').next())
                            .is_some_and(|real| real != n && names_settings(real))
                        || modules
                            && self.model.files[file].imports.get(n) == Some(n.as_str())
                            && !calls_project_function(x)
                        || self.is_settings_object(file, x)
                        || self.is_settings_parameter_in(
                            file,
                            scope.get_or_insert_with(enclosing),
                            n,
                        )
                    {
                        config = true;
                    }
                }
                ExprKind::Attribute { value, attr } => {
                    let lower = lowercased(attr);
                    // `mlrun.mlconf`, `os.environ`: what the name resolves to.
                    if self.is_settings_object(file, x) {
                        config = true;
                    }
                    if lower.contains("header") || lower == "headers" || lower == "cookies" {
                        request = true;
                    }
                    // `flask.session`, `flask.g` after `import flask`: the request's, not a
                    // module's settings.
                    if matches!(attr.as_str(), "session" | "request" | "g" | "current_user")
                        && value.as_name().is_some_and(|module| {
                            self.model.files[file]
                                .imports
                                .get(module)
                                .is_some_and(|q| REQUEST_CONTEXT_MODULES.contains(&q))
                        })
                    {
                        request = true;
                    }
                    if lower == "config" || lower == "settings" || is_constant_name(attr) {
                        config = true;
                    }
                    // `current_app.cfg.auth`; the WSGI `environ` is the request's.
                    if !matches!(&*lower, "environ" | "env") && names_settings(attr) {
                        config = true;
                    }
                    // `auth.credentials not in settings.api_keys`: the credentials of the
                    // caller (a variable, not a class or module constant) checked against the
                    // configuration.
                    if IDENTITY.found_in(attr)
                        && value.as_name().is_some_and(|n| {
                            n.starts_with(|c: char| c.is_ascii_lowercase())
                                && !n.contains("settings")
                                && !n.contains("config")
                                && self.model.files[file].imports.get(n).is_none()
                        })
                        // `opts.api_key` where `opts: ServerOptions = Depends(get_settings)`.
                        && !self.is_settings_parameter(file, value)
                    {
                        request = true;
                    }
                }
                ExprKind::Call(call)
                    if self.model.files[file]
                        .imports
                        .resolves_to(&call.func, &["os.getenv"]) =>
                {
                    config = true;
                }
                // `Permissions.ADMIN.can()` (Flask-Principal): asks whether the caller's
                // identity holds the permission, whatever the constant it is kept in.
                ExprKind::Call(call)
                    if call.func.last_name() == Some("can")
                        && self.principal_permission_method(
                            file,
                            scope.get_or_insert_with(enclosing),
                            &call.func,
                            "can",
                        ) =>
                {
                    request = true;
                }
                // A constant-time comparison compares what the caller presented.
                ExprKind::Call(call)
                    if is_constant_time_compare(&self.model.files[file].imports, call) =>
                {
                    request = true;
                }
                _ => {}
            }
            false
        });
        (config, request)
    }

    /// A name or attribute chain that resolves through imports and re-exports to the
    /// environment or to a module-level settings object, whatever it is called here:
    /// `mlrun.mlconf` where `mlrun/__init__.py` has `from .config import config as mlconf`,
    /// `appconf` after `from .config import config as appconf`, `settings = Settings()`.
    fn is_settings_object(&self, file: usize, e: &Expr) -> bool {
        let imports = &self.model.files[file].imports;
        // Only names bound by imports: local spellings are judged by the rules above.
        if chain_head(e)
            .and_then(Expr::as_name)
            .is_none_or(|n| imports.get(n).is_none())
        {
            return false;
        }
        match self.model.resolve_definition(file, e) {
            Some((_, None, Some(q))) => q == "os.environ",
            Some((
                f,
                Some(Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                }),
                _,
            )) => {
                targets.iter().filter_map(Expr::as_name).any(names_settings)
                    || self.builds_settings(f, value)
            }
            _ => false,
        }
    }

    /// `Settings()`, `Config.from_dict(defaults)`, an instance of a pydantic `BaseSettings`.
    fn builds_settings(&self, file: usize, value: &Expr) -> bool {
        let Some(call) = value.as_call() else {
            return false;
        };
        // `Config.from_dict(...)`: a class method building an instance of its class.
        let class = match &call.func.kind {
            ExprKind::Attribute { value, .. } => value,
            _ => &call.func,
        };
        // A project class only: `BaseSettings()` itself builds nothing the project configures.
        matches!(
            self.model.resolve_definition(file, class),
            Some((_, Some(Stmt::ClassDef(_)), _))
        ) && self.is_settings_class(file, class)
    }

    /// A parameter of the function using the name `e` that receives the settings, whatever it
    /// is called: annotated with a settings class (`opts: ServerOptions`, a pydantic
    /// `BaseSettings`), or injected by `Depends(get_settings)` whose provider is annotated to
    /// return one or returns a settings object.
    fn is_settings_parameter(&self, file: usize, e: &Expr) -> bool {
        let Some(name) = e.as_name() else {
            return false;
        };
        let mut scope = Vec::new();
        functions_enclosing(self.model.files[file].body(), e.span, &mut scope);
        self.is_settings_parameter_in(file, &scope, name)
    }

    /// [`Judge::is_settings_parameter`] for `name`, used inside `scope` (the enclosing
    /// functions, outermost first).
    fn is_settings_parameter_in(&self, file: usize, scope: &[&'a Function], name: &str) -> bool {
        // The innermost function binding the name; one assigning it holds something else.
        for (i, function) in scope.iter().enumerate().rev() {
            if let Some(param) = function.params.iter().find(|p| p.name == name) {
                if function.assigned.may_contain(name) {
                    return false;
                }
                let scope = &scope[..=i];
                return param
                    .annotation
                    .as_deref()
                    .is_some_and(|a| self.settings_annotation(file, scope, a, 0))
                    || param
                        .default
                        .as_deref()
                        .is_some_and(|d| self.provides_settings(file, scope, d));
            }
            if function.assigned.may_contain(name) {
                return false;
            }
        }
        false
    }

    /// `ServerOptions` (a settings class), `Annotated[ServerOptions, ...]` or
    /// `Annotated[..., Depends(get_settings)]`.
    fn settings_annotation(
        &self,
        file: usize,
        scope: &[&'a Function],
        annotation: &'a Expr,
        depth: u32,
    ) -> bool {
        if depth > 2 {
            return false;
        }
        match &annotation.kind {
            ExprKind::Subscript { value, slice } => {
                let q = self.model.files[file].imports.resolve(value);
                if !q.as_deref().is_some_and(|q| q.ends_with("Annotated")) {
                    return false;
                }
                let Some(items) = slice.elements() else {
                    return false;
                };
                items
                    .first()
                    .is_some_and(|t| self.is_settings_class(file, t))
                    || items
                        .iter()
                        .skip(1)
                        .any(|d| self.provides_settings(file, scope, d))
            }
            ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                if self.is_settings_class(file, annotation) {
                    return true;
                }
                // `SettingsDep = Annotated[Settings, Depends(get_settings)]`.
                let origin = self.model.resolve_value(file, scope, annotation);
                !std::ptr::eq(origin.expr, annotation)
                    && matches!(origin.expr.kind, ExprKind::Subscript { .. })
                    && self.settings_annotation(origin.file, &origin.scope, origin.expr, depth + 1)
            }
            _ => false,
        }
    }

    /// A project class judged a settings class as [`Judge::builds_settings`] does, or
    /// pydantic's `BaseSettings` itself.
    fn is_settings_class(&self, file: usize, class: &Expr) -> bool {
        match self.model.resolve_definition(file, class) {
            Some((_, Some(Stmt::ClassDef(c)), _)) => {
                ["Config", "Settings", "Configuration"]
                    .iter()
                    .any(|w| c.name.ends_with(w))
                    || self
                        .model
                        .class_name(file, class)
                        .is_some_and(|q| q.ends_with(".BaseSettings"))
            }
            Some((_, None, Some(q))) => q.ends_with(".BaseSettings"),
            _ => false,
        }
    }

    /// `Depends(get_settings)` whose provider is annotated to return a settings class, or
    /// returns only settings objects (`return settings` after `settings = Settings()`,
    /// `return Settings()`).
    fn provides_settings(&self, file: usize, scope: &[&'a Function], dep: &'a Expr) -> bool {
        let (dep_file, _, dep) = self.bound_dependency(file, scope, dep);
        let Some(call) = dep.as_call() else {
            return false;
        };
        if !self.model.files[dep_file]
            .imports
            .resolve(&call.func)
            .is_some_and(|q| is_depends(&q))
        {
            return false;
        }
        let Some(provider) = call.argument("dependency", 0) else {
            return false;
        };
        let Some((pf, Some(Stmt::FunctionDef(function)), _)) =
            self.model.resolve_definition(dep_file, provider)
        else {
            return false;
        };
        if function
            .returns
            .as_ref()
            .is_some_and(|r| self.is_settings_class(pf, r))
        {
            return true;
        }
        let inner = [function.as_ref()];
        let mut any = false;
        let mut all = true;
        crate::values::for_each_return(&function.body, &mut |value| {
            any = true;
            let origin = self.model.resolve_value(pf, &inner, value);
            all &= self.builds_settings(origin.file, origin.expr);
        });
        any && all
    }

    /// `app.view_functions[request.endpoint]`, `app.view_functions.get(request.endpoint)`, or
    /// a variable of the guard assigned one: the view function of the route being served.
    fn is_view_function(&self, cx: &EvalCx<'_, 'a>, e: &'a Expr) -> bool {
        let reads_views = |v: &Expr| {
            let container = match &v.kind {
                ExprKind::Subscript { value, .. } => Some(&**value),
                ExprKind::Call(c) => match &c.func.kind {
                    ExprKind::Attribute { value, attr } if attr == "get" => Some(&**value),
                    _ => None,
                },
                _ => None,
            };
            container.is_some_and(
                |c| matches!(&c.kind, ExprKind::Attribute { attr, .. } if attr == "view_functions"),
            )
        };
        if reads_views(e) {
            return true;
        }
        e.as_name().is_some_and(|name| {
            let mut assigned = false;
            nested_assignments(&cx.function.body, name, &mut |value| {
                assigned |= reads_views(value);
            });
            assigned
        })
    }

    /// Attributes set to a true constant on a route's view function: in its class body or
    /// module (`post.is_public = True`), or by a project decorator on it (`def public(f):
    /// f.is_public = True; return f`).
    fn view_flags(&self, route: &RouteDecl<'a>) -> Vec<String> {
        let handler = route.handler;
        let mut flags = Vec::new();
        let mut collect = |body: &[Stmt], subject: &str| {
            for stmt in body {
                for (object, attr) in flags_set(stmt) {
                    if object.as_name() == Some(subject) {
                        flags.push(attr.to_string());
                    }
                }
            }
        };
        let owner_body = match route.view_class {
            Some(class) => crate::apps::class_hierarchy(self.model, route.view_class_file, class)
                .into_iter()
                .find(|(_, c)| {
                    c.body.iter().any(
                        |s| matches!(s, Stmt::FunctionDef(f) if std::ptr::eq(f.as_ref(), handler)),
                    )
                })
                .map(|(_, c)| c.body.as_slice()),
            None => Some(self.model.files[route.handler_file].body()),
        };
        if let Some(body) = owner_body {
            collect(body, &handler.name);
        }
        for decorator in &handler.decorators {
            if let Some((_, Some(Stmt::FunctionDef(f)), _)) =
                self.model.resolve_definition(route.handler_file, decorator)
                && let Some(param) = f.params.first()
            {
                collect(&f.body, &param.name);
            }
        }
        flags
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
            .or_else(|| route.endpoint.clone())
            .unwrap_or_else(|| route.handler.name.to_string());
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

    fn view_class_security(&self, route: &RouteDecl, class: &'a Class, sec: &mut RouteSecurity) {
        self.flask_admin_access(route, class, sec);
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
                        condition: self.switch_condition(&v),
                    });
                }
            }
        }
    }

    /// Flask-Admin runs `_handle_view` before every view of a class: `if not
    /// self.is_accessible(): return self.inaccessible_callback(...)` (403 by default). An
    /// `is_accessible` the class or a project base overrides is the view's guard when it lets
    /// in only callers with an identity; an overridden `_handle_view` is judged as a guard body.
    fn flask_admin_access(&self, route: &RouteDecl, class: &'a Class, sec: &mut RouteSecurity) {
        let file = route.view_class_file;
        if crate::flask_admin::view_base(self.model, file, class).is_none() {
            return;
        }
        let mut push = |mechanism: String, checks_role: bool, condition: Option<String>| {
            sec.auth.push(Protection {
                mechanism,
                level: Level::View,
                via: None,
                checks_role,
                condition,
            });
        };
        let mut consults_accessible = true;
        if let Some((f, _, handle)) = find_method(self.model, file, class, "_handle_view") {
            let v = self.body_verdict(f, &handle.body, 0);
            if v.authenticates {
                push(
                    format!("{}._handle_view", class.name),
                    v.checks_role,
                    self.switch_condition(&v),
                );
            }
            // Without `super()._handle_view(...)` or `self.is_accessible()`, nothing asks it.
            let mut asks = false;
            walk_all_exprs(&handle.body, &mut |e| {
                if let ExprKind::Attribute { attr, .. } = &e.kind {
                    asks |= attr == "is_accessible" || attr == "_handle_view";
                }
            });
            consults_accessible = asks;
        }
        if !consults_accessible {
            return;
        }
        // An `inaccessible_callback` that answers nothing lets the view run.
        if let Some((_, _, callback)) =
            find_method(self.model, file, class, "inaccessible_callback")
        {
            let mut refuses = false;
            walk_all_stmts(&callback.body, &mut |s| {
                refuses |= matches!(s, Stmt::Raise { .. } | Stmt::Return { value: Some(_), .. });
            });
            walk_all_exprs(&callback.body, &mut |e| {
                refuses |= e
                    .as_call()
                    .is_some_and(|c| c.func.last_name() == Some("abort"));
            });
            if !refuses {
                return;
            }
        }
        let Some((f, _, accessible)) = find_method(self.model, file, class, "is_accessible") else {
            return;
        };
        let mut check = AccessCheck::default();
        self.access_returns(f, &accessible.body, false, &mut check);
        if check.identity && !check.lets_anyone_in {
            push(format!("{}.is_accessible", class.name), check.role, None);
        }
    }

    /// What the returns of an `is_accessible` let through: `True` counts only under a test
    /// that the caller has an identity (`if current_user.is_authenticated:`, after `if not
    /// current_user.is_authenticated: return False`); another returned value only when it is
    /// such a test (`return current_user.is_authenticated and current_user.is_admin`).
    fn access_returns(&self, file: usize, body: &[Stmt], guarded: bool, check: &mut AccessCheck) {
        let mut guarded = guarded;
        for stmt in body {
            match stmt {
                Stmt::Return { value, .. } => match value.as_ref().map(|v| &v.kind) {
                    None | Some(ExprKind::NoneLiteral) | Some(ExprKind::Bool(false)) => {}
                    Some(ExprKind::Bool(true)) => check.lets_anyone_in |= !guarded,
                    Some(_) => {
                        let Some(v) = value else { continue };
                        let g = self.gate_of(file, v);
                        let identity = g.identity && g.polarity == Polarity::Has;
                        let role = g.role && g.role_polarity == Polarity::Has;
                        if identity || role || guarded {
                            check.identity |= identity || role;
                            check.role |= role;
                        } else {
                            check.lets_anyone_in = true;
                        }
                    }
                },
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    let g = self.gate_of(file, test);
                    let has = g.identity && g.polarity == Polarity::Has
                        || g.role && g.role_polarity == Polarity::Has;
                    let lacks = g.identity && g.polarity == Polarity::Lacks;
                    check.identity |= has || lacks;
                    check.role |= g.role;
                    self.access_returns(file, body, guarded || has, check);
                    self.access_returns(file, orelse, guarded || lacks, check);
                    // `if not current_user.is_authenticated: return False`: what follows
                    // runs only for callers with an identity.
                    if lacks && matches!(body.last(), Some(Stmt::Return { .. })) {
                        guarded = true;
                    }
                }
                other => {
                    for child in other.child_bodies() {
                        self.access_returns(file, child, guarded, check);
                    }
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
            let (dep_file, dep_scope, dep) = self.bound_dependency(file, scope, default);
            out.push(ParamDep {
                file: dep_file,
                scope: dep_scope,
                dep,
                annotation: param.annotation.as_deref(),
                shown: (file, default.span),
            });
        }
        if let Some(annotation) = &param.annotation {
            self.annotated_dependencies(file, scope, annotation, None, &mut out, 0);
        }
        out
    }

    /// The `Depends(...)`/`Security(...)` a dependency written as a name stands for:
    /// `CurrentUser = Depends(get_user)` or `cast(User, Depends(get_user))` (so that type
    /// checkers see a `User`), then `def h(user=CurrentUser)`. Anything else is kept as written.
    fn bound_dependency(
        &self,
        file: usize,
        scope: &[&'a Function],
        expr: &'a Expr,
    ) -> (usize, Vec<&'a Function>, &'a Expr) {
        let origin = self.model.resolve_value(file, scope, expr);
        let value = crate::apps::uncast(self.model, origin.file, origin.expr);
        let is_marker = value.as_call().is_some_and(|c| {
            self.model.files[origin.file]
                .imports
                .resolve(&c.func)
                .is_some_and(|q| is_depends(&q) || is_security(&q))
        });
        if is_marker && !std::ptr::eq(value, expr) {
            (origin.file, origin.scope, value)
        } else {
            (file, scope.to_vec(), expr)
        }
    }

    /// The dependencies a project router class adds for a keyword its route decorator is
    /// given as `True` (`@router.post(path, require_admin=True)`) or another set literal
    /// (`@endpoint.get(path, role="authenticated")`): a method of the class, or a decorator it
    /// defines, reads the flag from the keywords (`flag = kwd.pop("require_admin", False)`
    /// then `if flag:` or `if flag is not None:`, or `if kwd.pop(...):`) and adds to
    /// `kwd["dependencies"]` (`append`, `= [...]`, `setdefault("dependencies", []).append(...)`)
    /// or to a local list it passes as `dependencies=` (`add_api_route(..., dependencies=deps)`)
    /// a value, `self.<attribute>` being read on the router's own class.
    fn router_flag_dependencies(
        &self,
        file: usize,
        scope: &[&'a Function],
        decorator: &Call,
    ) -> Vec<(usize, &'a Expr)> {
        let mut out = Vec::new();
        // `True`, `"admin"`, `["admin", "editor"]`: a value that is set (not None, False, "").
        let set = |e: &Expr| match &e.kind {
            ExprKind::List(items) | ExprKind::Tuple(items) => !items.is_empty(),
            _ => e.as_bool() == Some(true) || e.as_str().is_some_and(|s| !s.is_empty()),
        };
        let flags: Vec<&str> = decorator
            .keywords
            .iter()
            .filter(|k| set(&k.value))
            .filter_map(|k| k.arg.as_deref())
            .collect();
        let ExprKind::Attribute {
            value: receiver, ..
        } = &decorator.func.kind
        else {
            return out;
        };
        if flags.is_empty() {
            return out;
        }
        let origin = self.model.resolve_value(file, scope, receiver);
        let Some((class_file, Some(Stmt::ClassDef(class)), _)) = origin
            .expr
            .as_call()
            .and_then(|c| self.model.resolve_definition(origin.file, &c.func))
        else {
            return out;
        };
        // `kwd.pop("flag", False)`, `kwd.get("flag")`: the flag's value.
        let reads_flag = |e: &Expr| {
            e.as_call().is_some_and(|c| {
                matches!(&c.func.kind, ExprKind::Attribute { attr, .. }
                    if attr == "pop" || attr == "get")
                    && c.args
                        .first()
                        .and_then(Expr::as_str)
                        .is_some_and(|k| flags.contains(&k))
            })
        };
        let added =
            |f: usize, body: &'a [Stmt], lists: &[&str], out: &mut Vec<(usize, &'a Expr)>| {
                walk_all_exprs(body, &mut |e| {
                    // `kwd["dependencies"].append(dep)`, `kwd.setdefault("dependencies", []).append(dep)`,
                    // `deps.append(dep)` of a list passed as `dependencies=deps`.
                    if let Some(c) = e.as_call()
                        && let ExprKind::Attribute { value, attr } = &c.func.kind
                        && attr == "append"
                        && (names_dependencies(value)
                            || value.as_name().is_some_and(|n| lists.contains(&n)))
                        && let Some(dep) = c.args.first()
                    {
                        out.push((f, dep));
                    }
                });
                walk_all_stmts(body, &mut |stmt| {
                    // `kwd["dependencies"] = [dep]`.
                    if let Stmt::Assign {
                        targets,
                        value: Some(value),
                        ..
                    } = stmt
                        && targets.iter().any(names_dependencies)
                        && let Some(items) = value.elements()
                    {
                        out.extend(items.iter().map(|d| (f, d)));
                    }
                });
            };
        for (f, c) in class_hierarchy(self.model, class_file, class) {
            for stmt in &c.body {
                let Stmt::FunctionDef(method) = stmt else {
                    continue;
                };
                // Local lists handed on as `dependencies=deps` or `kwd["dependencies"] = deps`.
                let mut lists: Vec<&str> = Vec::new();
                walk_all_exprs(&method.body, &mut |e| {
                    if let Some(c) = e.as_call()
                        && let Some(n) = c.keyword("dependencies").and_then(Expr::as_name)
                    {
                        lists.push(n);
                    }
                });
                walk_all_stmts(&method.body, &mut |stmt| {
                    if let Stmt::Assign {
                        targets,
                        value: Some(value),
                        ..
                    } = stmt
                        && targets.iter().any(names_dependencies)
                        && let Some(n) = value.as_name()
                    {
                        lists.push(n);
                    }
                });
                // The method's own statements, and those of a decorator it defines (`def
                // _wrap(...): def decorator(func): role = kwargs.pop("role", None) ...`).
                let bodies =
                    std::iter::once(&method.body[..]).chain(method.body.iter().filter_map(|s| {
                        match s {
                            Stmt::FunctionDef(inner) => Some(&inner.body[..]),
                            _ => None,
                        }
                    }));
                for body in bodies {
                    let mut flag_names: Vec<&str> = Vec::new();
                    // `if flag:`, `if flag is not None:`.
                    let tests_flag = |test: &Expr, flag_names: &[&str]| {
                        let tested = match test.comparisons().as_slice() {
                            [(left, CmpOp::IsNot, right)]
                                if matches!(right.kind, ExprKind::NoneLiteral) =>
                            {
                                *left
                            }
                            _ => test,
                        };
                        reads_flag(tested)
                            || tested.as_name().is_some_and(|n| flag_names.contains(&n))
                    };
                    for s in body {
                        match s {
                            Stmt::Assign {
                                targets,
                                value: Some(value),
                                ..
                            } if reads_flag(value) => {
                                flag_names.extend(targets.iter().filter_map(Expr::as_name));
                            }
                            Stmt::If { test, body, .. } if tests_flag(test, &flag_names) => {
                                added(f, body, &lists, &mut out);
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        // `self.admin_dependency`: the attribute of the router's own class.
        let mut deps: Vec<(usize, &'a Expr)> = Vec::new();
        for (f, dep) in out {
            let dep = match &dep.kind {
                ExprKind::Attribute { value, attr } if value.as_name() == Some("self") => {
                    crate::apps::class_attribute(self.model, class_file, class, attr)
                }
                _ => Some((f, dep)),
            };
            // `if "dependencies" in kwd: ...append(x) else: ... = [x]`: one dependency.
            if let Some(dep) = dep
                && !deps.iter().any(|d| std::ptr::eq(d.1, dep.1))
            {
                deps.push(dep);
            }
        }
        deps
    }

    /// `@cbv(router)` of fastapi-utils / fastapi-restful or a project copy of it, or
    /// `@router.cbv`, a method of the project's router class that applies it.
    fn is_cbv_decorator(&self, file: usize, decorator: &Expr) -> bool {
        let func = decorator.as_call().map_or(decorator, |c| &c.func);
        if decorator.as_call().is_some() {
            if func.last_name() != Some("cbv") {
                return false;
            }
            return match self.model.resolve_definition(file, func) {
                Some((_, None, Some(q))) => {
                    matches!(
                        q.as_str(),
                        "fastapi_utils.cbv.cbv" | "fastapi_restful.cbv.cbv"
                    )
                }
                Some((_, Some(Stmt::FunctionDef(_)), _)) => true,
                _ => false,
            };
        }
        let ExprKind::Attribute { value, attr } = &func.kind else {
            return false;
        };
        if attr != "cbv" {
            return false;
        }
        // `router = Router(...)`, a project class (or a subclass) defining `cbv`.
        let origin = self.model.resolve_value(file, &[], value);
        origin.expr.as_call().is_some_and(|c| {
            matches!(self.model.resolve_definition(origin.file, &c.func),
                Some((cf, Some(Stmt::ClassDef(class)), _))
                    if find_method(self.model, cf, class, "cbv").is_some())
        })
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
                    let (dep_file, dep_scope, dep) = self.bound_dependency(file, scope, item);
                    out.push(ParamDep {
                        file: dep_file,
                        scope: dep_scope,
                        dep,
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
        scope: &[&'a Function],
        dep: &Expr,
        level: Level,
        via: Option<String>,
        annotation: Option<&Expr>,
        shown: Option<(usize, Span)>,
        sec: &mut RouteSecurity,
    ) -> Option<Verdict> {
        let (shown_file, shown_span) = shown.unwrap_or((file, dep.span));
        if self.is_rate_limit_dependency(file, dep) {
            sec.rate_limits.push(Protection {
                mechanism: self.text(shown_file, shown_span),
                level,
                via,
                checks_role: false,
                condition: None,
            });
            return None;
        }
        let verdict = self.dependency_verdict(file, scope, dep, annotation, 0);
        if let Some(v) = verdict
            && v.authenticates
        {
            let mut mechanism = self.text(shown_file, shown_span);
            if let Some(i) = v.overridden {
                mechanism.push_str(&self.override_label(i as usize, file, dep));
            }
            sec.auth.push(Protection {
                mechanism,
                level,
                via,
                checks_role: v.checks_role,
                condition: self.switch_condition(&v),
            });
        } else if let Some(v) = verdict
            && let Some((ff, def)) = v.returns_answer
        {
            let shown = self.text(shown_file, shown_span);
            sec.returned_answers.push(if v.returns_directly {
                format!("{shown} returns a response instead of raising")
            } else {
                let text = self.text(ff, def);
                let mut name = text.rsplit(' ').next().unwrap_or_default().to_string();
                if let Some(class) = innermost_class(self.model.files[ff].body(), def) {
                    name = format!("{}.{name}", class.name);
                }
                format!("{shown} relies on {name}(), which returns a response instead of raising")
            });
        }
        verdict
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
        let Some(target) = call.argument("dependency", 0) else {
            return false;
        };
        if target
            .as_call()
            .and_then(|c| imports.resolve(&c.func))
            .is_some_and(|q| RATE_LIMITER_DEPENDENCIES.contains(&q.as_str()))
        {
            return true;
        }
        // The project's own limiter: `Depends(login_rate_limiter)`,
        // `Depends(RateLimiter(times=5))`, `Depends(throttle_logins)`.
        let callee = target.as_call().map_or(target, |c| &c.func);
        callee.last_name().is_some_and(|n| {
            let lower = n.to_ascii_lowercase();
            ["rate_limit", "ratelimit", "throttl"]
                .iter()
                .any(|w| lower.contains(w))
        })
    }

    /// Judges a dependency expression: `Depends(x)`, `Security(x, scopes=...)`, or an annotation
    /// alias already known to authenticate.
    fn dependency_verdict(
        &self,
        file: usize,
        scope: &[&'a Function],
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
                    return self.returned_dependency_verdict(file, call, annotation, depth);
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
                // `return RedirectResponse("/login")` in the dependency: FastAPI hands the
                // response to the handler as the parameter's value and runs the handler.
                if v.authenticates
                    && let Some(t) = target
                    && let Some(answered) = self.answered_by_returning(file, scope, t, depth)
                {
                    v = answered;
                }
                v.checks_role |= scopes;
                // `Security(authorize)`: FastAPI's marker for a security dependency. When the
                // callable cannot be judged (a provider picked at runtime from the
                // configuration), the declaration vouches for it; not when the callable lets
                // anonymous callers through or is named optional.
                if is_security(&q)
                    && !v.authenticates
                    && !v.lets_anonymous
                    && v.returns_answer.is_none()
                    && !target
                        .and_then(Expr::last_name)
                        .is_some_and(is_optional_name)
                {
                    v.grant(None);
                    v.vouched = true;
                }
                // `Security(check_scopes, scopes=["read:data"])` where anonymous callers hold
                // `read:data` while a setting says so: refused only when it does not.
                if scopes
                    && v.authenticates
                    && v.switch.is_none()
                    && let Some(t) = target
                    && let Some(required) = call.keyword("scopes")
                    && let Some(s) = self.anonymous_scopes_switch(file, t, required)
                {
                    v.switch = Some(s);
                    v.presented_only = false;
                }
                // `Security(current_principal, scopes=[])` where the dependency lets anonymous
                // callers in and refuses them only for lacking a requested scope: none is
                // requested, so nobody is refused.
                if scopes
                    && v.authenticates
                    && v.switch.is_none()
                    && call
                        .keyword("scopes")
                        .and_then(Expr::elements)
                        .is_some_and(<[Expr]>::is_empty)
                    && let Some(t) = target
                    && self.admits_anonymous_without_scopes(file, t, depth)
                {
                    v = Verdict {
                        lets_anonymous: true,
                        ..Verdict::default()
                    };
                }
                // `app.dependency_overrides[dep] = other`: FastAPI calls `other` instead.
                if !self.active_overrides.borrow().is_empty()
                    && let Some(i) = target
                        .or(annotation)
                        .and_then(|t| self.override_of(file, t))
                {
                    v = self.overridden_verdict(i, v, depth);
                }
                Some(v)
            }
            _ => None,
        }
    }

    /// What a FastAPI dependency `target` decides when it answers the callers it turns away
    /// with a response it returns (`if not user: return RedirectResponse("/login")`) and
    /// raises no refusal of its own, nor calls a guard that does: FastAPI hands whatever a
    /// dependency returns to the handler as the parameter's value (or drops it, in
    /// `dependencies=[...]`) and runs the handler, so only the dependencies it relies on
    /// refuse anyone. `None` when it refuses by raising, or returns no refusal. In a Flask
    /// decorator or `before_request` hook a returned response does refuse: only dependencies
    /// are asked (project functions, nested ones, and `__call__` of a project class's
    /// instance).
    fn answered_by_returning(
        &self,
        file: usize,
        scope: &[&'a Function],
        target: &Expr,
        depth: u32,
    ) -> Option<Verdict> {
        let local = target.as_name().and_then(|name| {
            scope
                .iter()
                .rev()
                .find_map(|f| crate::apps::nested_function(f, name))
        });
        let (ff, function): (usize, &'a Function) = match local {
            Some(nested) => (file, nested),
            None => match self.model.resolve_definition(file, target) {
                Some((f, Some(Stmt::FunctionDef(function)), _)) => (f, function),
                // A class is called to build its instance: its `__init__` returns nothing.
                Some((_, Some(Stmt::ClassDef(_)), _)) => return None,
                _ => {
                    let class = self.model.instance_class(file, scope, target)?;
                    let Some((cf, Stmt::ClassDef(c))) = self.model.definition(&class) else {
                        return None;
                    };
                    let (mf, _, m) = find_method(self.model, cf, c, "__call__")?;
                    (mf, m)
                }
            },
        };
        let key = (ff, function.span.start);
        let known = self.returning_memo.borrow().get(&key).copied();
        let answers = match known {
            Some(a) => a,
            None => {
                let a = self.answers_instead_of_raising(ff, function);
                self.returning_memo.borrow_mut().insert(key, a);
                a
            }
        };
        if !answers {
            return None;
        }
        let inner: Vec<&'a Function> = scope.iter().copied().chain([function]).collect();
        let inner = if local.is_some() {
            inner.as_slice()
        } else {
            std::slice::from_ref(inner.last()?)
        };
        let mut v = Verdict::default();
        for param in &function.params {
            for pd in self.param_dependencies(ff, inner, param) {
                if let Some(dv) =
                    self.dependency_verdict(pd.file, &pd.scope, pd.dep, pd.annotation, depth + 1)
                {
                    v.absorb(&dv);
                }
            }
        }
        v.returns_answer = (!v.authenticates).then_some((ff, function.def_span));
        v.returns_directly = true;
        Some(v)
    }

    /// Whether a function returns a refusal (`return RedirectResponse("/login")`, `return
    /// JSONResponse(..., status_code=401)`) and never raises one, nor calls a guard.
    fn answers_instead_of_raising(&self, ff: usize, function: &'a Function) -> bool {
        let root = function.body.as_slice();
        let (mut returns, mut raises) = (false, false);
        walk_stmts(root, &mut |stmt| match stmt {
            Stmt::Return { value: Some(e), .. } if !returns => {
                returns = self
                    .refusal(ff, root, e, 0)
                    .is_some_and(|r| !matches!(r, Refusal::Away));
            }
            // `raise HTTPException(401)`, `abort(401)`; a bare `raise` re-raises what a
            // call refused with.
            Stmt::Raise { exc: None, .. } => raises = true,
            Stmt::Raise { exc: Some(e), .. } | Stmt::Expr { value: e, .. } if !raises => {
                raises = self.refusal(ff, root, e, 0).is_some();
            }
            _ => {}
        });
        if !returns || raises {
            return false;
        }
        // `user = await get_current_user(token)`, a guard that raises, before the answer.
        !self.call_summary(ff, root).iter().any(|c| {
            c.verifies
                || c.followed
                    && self
                        .called_guard(ff, &c.call.func, Some(c.call), 0, None, false)
                        .is_some()
        })
    }

    /// `user=get_user(role="admin")`, `dependencies=[get_user()]`: a call to a project
    /// function that returns `Depends(x)`/`Security(x)` (built from its arguments, often of a
    /// function it defines) is that dependency. Every `return` must hand back such a marker,
    /// and all must authenticate; a factory returning a plain value is no dependency.
    fn returned_dependency_verdict(
        &self,
        file: usize,
        call: &Call,
        annotation: Option<&Expr>,
        depth: u32,
    ) -> Option<Verdict> {
        if !matches!(
            call.func.kind,
            ExprKind::Name(_) | ExprKind::Attribute { .. }
        ) {
            return None;
        }
        let (ff, Some(Stmt::FunctionDef(factory)), _) =
            self.model.resolve_definition(file, &call.func)?
        else {
            return None;
        };
        let factory: &'a Function = factory;
        let mut scope = crate::apps::enclosing_functions(self.model.files[ff].body(), factory);
        scope.push(factory);
        let mut returned: Vec<&'a Expr> = Vec::new();
        let mut plain = false;
        walk_stmts(&factory.body, &mut |stmt| {
            if let Stmt::Return { value, .. } = stmt {
                match value {
                    Some(v) => returned.push(v),
                    None => plain = true,
                }
            }
        });
        if plain || returned.is_empty() || returned.len() > 4 {
            return None;
        }
        let mut markers = Vec::new();
        for value in returned {
            // `gate = Depends(Gate(level)); return gate`.
            let origin = self.model.resolve_value(ff, &scope, value);
            let is_marker = origin.expr.as_call().is_some_and(|c| {
                self.model.files[origin.file]
                    .imports
                    .resolve(&c.func)
                    .is_some_and(|q| is_depends(&q) || is_security(&q))
            });
            if !is_marker {
                return None;
            }
            markers.push(origin);
        }
        let mut all = Verdict::default();
        for origin in &markers {
            let v = self.dependency_verdict(
                origin.file,
                &origin.scope,
                origin.expr,
                annotation,
                depth + 1,
            )?;
            if !v.authenticates {
                return Some(v);
            }
            all.absorb(&v);
        }
        // `get_user()` of `def get_user(role=None)`: a role check on the factory's arguments
        // checks none when every one of them is None or a flag.
        let flag = |e: &Expr| matches!(e.kind, ExprKind::NoneLiteral) || e.as_bool().is_some();
        if !factory.params.is_empty()
            && call.argument_values().all(flag)
            && factory
                .params
                .iter()
                .all(|p| p.default.as_deref().is_some_and(flag))
        {
            all.checks_role = false;
        }
        Some(all)
    }

    /// Chooses the overrides that apply to `mounted`: those of the applications it is
    /// included into, up to the first mount (a mounted application has its own). Verdicts
    /// remembered under other overrides are forgotten.
    fn select_overrides(&self, mounted: &MountedRoute) {
        let overrides = &self.apps.dependency_overrides;
        if overrides.is_empty() {
            return;
        }
        let mut active = Vec::new();
        for (level, object) in mounted.chain.iter().enumerate() {
            active.extend(
                overrides
                    .iter()
                    .enumerate()
                    .filter(|(i, o)| o.owner == *object && self.override_keys[*i].is_some())
                    .map(|(i, _)| i),
            );
            if mounted
                .includes
                .get(level)
                .is_some_and(|&inc| self.apps.includes[inc].is_mount)
            {
                break;
            }
        }
        if *self.active_overrides.borrow() != active {
            self.memo.borrow_mut().clear();
            self.guard_memo.borrow_mut().clear();
            self.wrapped_memo.borrow_mut().clear();
            self.hook_memo.borrow_mut().clear();
            self.method_memo.borrow_mut().clear();
            self.gate_memo.borrow_mut().clear();
            *self.active_overrides.borrow_mut() = active;
        }
    }

    /// The active override replacing the callable `target` names, if any (the last one
    /// written wins, as the assignments run in order).
    fn override_of(&self, file: usize, target: &Expr) -> Option<usize> {
        let key = definition_key(self.model, file, target)?;
        self.active_overrides
            .borrow()
            .iter()
            .rev()
            .copied()
            .find(|&i| self.override_keys[i].as_ref() == Some(&key))
    }

    /// What a dependency judged `original` does once `dependency_overrides` replaces it:
    /// what the replacement does, and when the override is installed only under a condition,
    /// either under that condition or the original otherwise.
    fn overridden_verdict(&self, index: usize, original: Verdict, depth: u32) -> Verdict {
        let ov = &self.apps.dependency_overrides[index];
        let mut replaced = self.callable_verdict(ov.file, &ov.scope, ov.replacement, depth + 1);
        // Shown only where it matters: not for a settings provider swapped for another.
        if replaced.authenticates || original.authenticates {
            replaced.overridden = Some(index as u32);
        }
        let Some(c) = ov.when.condition() else {
            return replaced;
        };
        // When each side protects: `None` never, `Some(None)` always, `Some(Some(t))` if `t`.
        let side = |v: &Verdict| {
            v.authenticates.then(|| {
                self.switch_condition(v)
                    .map(|t| t.strip_prefix("if ").map_or(t.clone(), str::to_string))
            })
        };
        let (installed, otherwise) = (side(&replaced), side(&original));
        match (&installed, &otherwise) {
            (Some(None), Some(None)) => {
                return Verdict {
                    overridden: Some(index as u32),
                    ..original
                };
            }
            (None, None) => return replaced,
            _ => {}
        }
        // `c and t or not c` is `t or not c`: a side that always protects makes the other's
        // test of `c` redundant.
        let not_c = crate::apps::negated(c);
        let mut parts = Vec::new();
        if let Some(t) = &installed {
            parts.push(match (t, &otherwise) {
                (None, _) => c.to_string(),
                (Some(t), Some(None)) => t.clone(),
                (Some(t), _) => format!("{c} and {t}"),
            });
        }
        if let Some(t) = &otherwise {
            parts.push(match (t, &installed) {
                (None, _) => not_c.clone(),
                (Some(t), Some(None)) => t.clone(),
                (Some(t), _) => format!("{not_c} and {t}"),
            });
        }
        // The override's innermost `if`, standing for the whole condition in the switch; the
        // condition shown is the whole one.
        let (test, then) = ov.test.unwrap_or((ov.key.span, true));
        let holds = Switch {
            file: ov.file,
            test,
            negated: !then,
            parameter: false,
        };
        let (mut v, switch) = if installed.is_some() {
            (replaced, holds)
        } else {
            (original, holds.negate())
        };
        v.authenticates = true;
        v.switch = Some(switch);
        v.presented_only = false;
        v.overridden = Some(index as u32);
        let mut conditions = self.override_conditions.borrow_mut();
        v.condition = Some(conditions.len() as u32);
        conditions.push((switch, format!("if {}", parts.join(", or "))));
        v
    }

    /// How a protection shows the override `index` it went through: `replaced by x` after a
    /// dependency it replaces, `, dep replaced by x` after one that relies on it.
    fn override_label(&self, index: usize, file: usize, dep: &Expr) -> String {
        let ov = &self.apps.dependency_overrides[index];
        let replacement = self.text(ov.file, ov.replacement.span);
        let direct = dep
            .as_call()
            .and_then(|c| c.argument("dependency", 0))
            .and_then(|t| definition_key(self.model, file, t))
            .is_some_and(|k| self.override_keys[index].as_ref() == Some(&k));
        if direct {
            format!(" replaced by {replacement}")
        } else {
            format!(
                ", {} replaced by {replacement}",
                self.text(ov.file, ov.key.span)
            )
        }
    }

    /// The setting under which anonymous callers hold every scope in `required` (literal
    /// strings): a dependency of the scope check `target` that answers `PUBLIC_SCOPES if
    /// settings.allow_anonymous_access else NO_SCOPES`, the public set naming them. The
    /// check refuses anonymous callers only while that setting is off.
    fn anonymous_scopes_switch(
        &self,
        file: usize,
        target: &Expr,
        required: &Expr,
    ) -> Option<Switch> {
        let required: Vec<&str> = required
            .elements()?
            .iter()
            .map(Expr::as_str)
            .collect::<Option<_>>()?;
        if required.is_empty() {
            return None;
        }
        let Some((check_file, Stmt::FunctionDef(check))) =
            self.model.project_definition(file, target)
        else {
            return None;
        };
        for param in &check.params {
            for pd in self.param_dependencies(check_file, &[check], param) {
                let Some(dep) = pd.dep.as_call().and_then(|c| c.argument("dependency", 0)) else {
                    continue;
                };
                let Some((dep_file, Stmt::FunctionDef(scopes_of))) =
                    self.model.project_definition(pd.file, dep)
                else {
                    continue;
                };
                let mut found = None;
                walk_stmts(&scopes_of.body, &mut |stmt| {
                    let Stmt::Return {
                        value: Some(value), ..
                    } = stmt
                    else {
                        return;
                    };
                    let ExprKind::IfExp { test, body, .. } = &value.kind else {
                        return;
                    };
                    if found.is_none()
                        && self.is_server_switch(dep_file, &scopes_of.body, test)
                        && required
                            .iter()
                            .all(|r| self.scope_set_names(dep_file, body).contains(r))
                    {
                        found = Some(Switch {
                            file: dep_file,
                            test: test.span,
                            negated: true,
                            parameter: false,
                        });
                    }
                });
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }

    /// Whether the project dependency `target`, taking FastAPI's `SecurityScopes`, lets a caller
    /// who presents no credentials through when no scope is requested: its other parameters'
    /// dependencies authenticate nobody, and every refusal (a `raise`, or a call of a project
    /// guard) on the path of a caller whose optional credentials are None either sits under a
    /// test that a credential is there (`if api_key is not None:`) or tests the requested
    /// scopes (`if not set(security_scopes.scopes).issubset(scopes): raise`, `for scope in
    /// security_scopes.scopes:`), which passes for an empty list.
    fn admits_anonymous_without_scopes(&self, file: usize, target: &Expr, depth: u32) -> bool {
        let Some((dep_file, Stmt::FunctionDef(check))) =
            self.model.project_definition(file, target)
        else {
            return false;
        };
        let imports = &self.model.files[dep_file].imports;
        let Some(requested) = check.params.iter().find(|p| {
            p.annotation
                .as_deref()
                .and_then(|a| imports.resolve(a))
                .is_some_and(|q| q.ends_with(".SecurityScopes") && q.starts_with("fastapi"))
        }) else {
            return false;
        };
        let mut credentials: Vec<&str> = Vec::new();
        for param in &check.params {
            for pd in self.param_dependencies(dep_file, &[check], param) {
                let Some(dv) =
                    self.dependency_verdict(pd.file, &pd.scope, pd.dep, pd.annotation, depth + 1)
                else {
                    continue;
                };
                // `api_key = Depends(get_api_key)` whose body ends `return None` once no scheme
                // found a key: whatever its schemes refuse (a malformed header), a caller
                // presenting nothing gets None.
                let answers_none = || {
                    pd.dep
                        .as_call()
                        .and_then(|c| c.argument("dependency", 0))
                        .and_then(|t| self.model.project_definition(pd.file, t))
                        .is_some_and(|(_, d)| {
                            matches!(d, Stmt::FunctionDef(f) if matches!(
                                code_statements(&f.body).last(),
                                Some(Stmt::Return { value: None, .. })
                                    | Some(Stmt::Return { value: Some(Expr {
                                        kind: ExprKind::NoneLiteral, ..
                                    }), .. })
                            ))
                        })
                };
                if dv.lets_anonymous || dv.presented_only || answers_none() {
                    credentials.push(param.name.as_str());
                } else if dv.authenticates {
                    return false;
                }
            }
        }
        if credentials.is_empty() {
            return false;
        }
        // `security_scopes.scopes`.
        let reads_requested = |e: &Expr| {
            e.any(&mut |x| {
                matches!(&x.kind, ExprKind::Attribute { value, attr }
                    if attr == "scopes" && value.as_name() == Some(requested.name.as_str()))
            })
        };
        // A test that holds for an empty requested list: `not set(requested).issubset(held)`,
        // `not held.issuperset(requested)`, `not all(... for s in requested)`,
        // `any(... for s in requested)`.
        let passes_empty = |test: &Expr| {
            let (negated, inner) = match &test.kind {
                ExprKind::UnaryOp {
                    op: UnaryOp::Not,
                    operand,
                } => (true, &**operand),
                _ => (false, test),
            };
            let Some(c) = inner.as_call() else {
                return false;
            };
            match &c.func.kind {
                ExprKind::Attribute { value, attr } if negated && attr == "issubset" => {
                    reads_requested(value)
                }
                ExprKind::Attribute { attr, .. } if negated && attr == "issuperset" => {
                    c.args.first().is_some_and(reads_requested)
                }
                ExprKind::Name(n) if negated && n == "all" || !negated && n == "any" => {
                    c.args.first().is_some_and(reads_requested)
                }
                _ => false,
            }
        };
        // Which branch of `if <test>` runs for a caller without credentials: `Some(true)` the
        // `else` only (`api_key is not None`, `api_key`), `Some(false)` the body only.
        let presence = |test: &Expr| -> Option<bool> {
            if let Some(n) = test.as_name() {
                return credentials.contains(&n).then_some(true);
            }
            match test.single_compare() {
                Some((l, CmpOp::IsNot, r)) if matches!(r.kind, ExprKind::NoneLiteral) => l
                    .as_name()
                    .filter(|n| credentials.contains(n))
                    .map(|_| true),
                Some((l, CmpOp::Is, r)) if matches!(r.kind, ExprKind::NoneLiteral) => l
                    .as_name()
                    .filter(|n| credentials.contains(n))
                    .map(|_| false),
                _ => match &test.kind {
                    ExprKind::UnaryOp {
                        op: UnaryOp::Not,
                        operand,
                    } => operand
                        .as_name()
                        .filter(|n| credentials.contains(n))
                        .map(|_| false),
                    _ => None,
                },
            }
        };
        fn refuses<'s>(
            body: &'s [Stmt],
            skip_if: &dyn Fn(&Expr) -> Option<Option<bool>>,
            loops_requested: &dyn Fn(&Expr) -> bool,
            refusing: &mut dyn FnMut(&'s Stmt) -> bool,
        ) -> bool {
            body.iter().any(|stmt| match stmt {
                Stmt::If {
                    test, body, orelse, ..
                } => match skip_if(test) {
                    // The scope test: its body never runs.
                    None => refuses(orelse, skip_if, loops_requested, refusing),
                    Some(Some(true)) => refuses(orelse, skip_if, loops_requested, refusing),
                    Some(Some(false)) => refuses(body, skip_if, loops_requested, refusing),
                    Some(None) => {
                        refusing(stmt)
                            || refuses(body, skip_if, loops_requested, refusing)
                            || refuses(orelse, skip_if, loops_requested, refusing)
                    }
                },
                Stmt::For { iter, orelse, .. } if loops_requested(iter) => {
                    refuses(orelse, skip_if, loops_requested, refusing)
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
                Stmt::Raise { .. } => true,
                other => {
                    refusing(other)
                        || other
                            .child_bodies()
                            .any(|b| refuses(b, skip_if, loops_requested, refusing))
                }
            })
        }
        let skip_if = |test: &Expr| -> Option<Option<bool>> {
            if passes_empty(test) {
                None
            } else {
                Some(presence(test))
            }
        };
        let loops_requested = |iter: &Expr| reads_requested(iter);
        // A call in the statement's own expressions to a project function that authenticates.
        let mut refusing = |stmt: &'a Stmt| {
            let mut found = false;
            stmt.for_each_own_expr(&mut |e: &'a Expr| {
                found = found
                    || e.any(&mut |x| {
                        let ExprKind::Call(c) = &x.kind else {
                            return false;
                        };
                        matches!(c.func.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                            && self
                                .called_guard(dep_file, &c.func, Some(c), depth + 1, None, false)
                                .is_some_and(|g| g.authenticates)
                    });
            });
            found
        };
        !refuses(&check.body, &skip_if, &loops_requested, &mut refusing)
    }

    /// The scope names a set of scopes holds: string literals, and members of a project enum
    /// given as literals (`frozenset({Scope.read_data})`), also through a module-level name.
    fn scope_set_names(&self, file: usize, set: &'a Expr) -> Vec<&'a str> {
        let (file, set) = match self.model.project_definition(file, set) {
            Some((
                f,
                Stmt::Assign {
                    value: Some(value), ..
                },
            )) if set.as_name().is_some() => (f, value),
            _ => (file, set),
        };
        let mut names = Vec::new();
        set.any(&mut |e| {
            if let Some(s) = e.as_str() {
                names.push(s);
            } else if let ExprKind::Attribute { value, attr } = &e.kind
                && let Some((_, Stmt::ClassDef(class))) = self.model.project_definition(file, value)
            {
                names.extend(class.body.iter().find_map(|stmt| match stmt {
                    Stmt::Assign {
                        targets,
                        value: Some(v),
                        ..
                    } if targets.iter().any(|t| t.as_name() == Some(attr.as_str())) => v.as_str(),
                    _ => None,
                }));
            }
            false
        });
        names
    }

    /// Judges the callable a dependency names.
    fn callable_verdict(
        &self,
        file: usize,
        scope: &[&'a Function],
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
                if let Some(nested) = crate::apps::nested_function(function, name) {
                    // Its own `Depends(authenticator)` may name the factory's parameter.
                    return self.function_verdict_in(file, Some(function), nested, depth + 1);
                }
                if let Some(value) = crate::values::local_assignment(function, name) {
                    if std::ptr::eq(value, target) {
                        break;
                    }
                    // `scheme = OAuth2PasswordBearer(tokenUrl="login", auto_error=False)` in a
                    // dependency factory: a scheme, optional or not.
                    if let Some(call) = value.as_call()
                        && self.model.files[file]
                            .imports
                            .resolve(&call.func)
                            .is_some_and(|q| is_security_scheme(&q))
                    {
                        v.authenticates =
                            call.keyword("auto_error").and_then(Expr::as_bool) != Some(false);
                        return v;
                    }
                    return self.callable_verdict(file, &scope[..=i], value, depth + 1);
                }
            }
        }
        // `Depends(self.admin_auth)` in a method that registers routes: a method of the same
        // class (or a base).
        if let ExprKind::Attribute { value, attr } = &target.kind
            && value.as_name() == Some("self")
            && let Some(method) = scope.first()
            && let Some(class) = innermost_class(self.model.files[file].body(), method.span)
            && let Some((mf, _, m)) = find_method(self.model, file, class, attr)
        {
            return self.function_verdict(mf, m, depth + 1);
        }
        // An instance of a security scheme; with `auto_error=False` it lets requests without
        // credentials through (the dependency is None), so it authenticates nothing by itself.
        if let Some(class) = self.model.instance_class(file, scope, target) {
            if is_security_scheme(&class) {
                // `class APIKeyAuth(APIKeyHeader)` with its own `__call__`: what it does.
                if let Some(own) = self.scheme_subclass_verdict(file, scope, target, depth) {
                    return own;
                }
                let optional = self.scheme_is_optional(file, scope, target);
                v.authenticates = !optional;
                // Also through `Security(...)`, whose marker vouches only for what cannot be
                // judged: an optional scheme lets callers without credentials through.
                v.lets_anonymous = optional;
                return v;
            }
            // `authenticator: JWTAuthenticator` handed to a router factory, its class from a
            // package the analysis does not see.
            if self.model.definition(&class).is_none()
                && is_authenticator_class_name(class.rsplit('.').next().unwrap_or(""))
            {
                v.grant(None);
                return v;
            }
            // `authenticator: SessionAuthenticator`, a project class: FastAPI calls the
            // instance, so its `__call__` decides.
            if let ExprKind::Name(name) = &target.kind
                && scope.iter().any(|f| {
                    f.params
                        .iter()
                        .any(|p| p.name == *name && p.annotation.is_some())
                })
                && let Some((class_file, Stmt::ClassDef(c))) = self.model.definition(&class)
            {
                return self.class_verdict(class_file, c);
            }
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
                    // `optional=True` answers anonymous callers with None.
                    let optional = call.keyword("optional");
                    if optional.and_then(Expr::as_bool) == Some(true) {
                        v.lets_anonymous = true;
                        return v;
                    }
                    // `optional=not REQUIRE_AUTHENTICATION`: anonymous callers are refused
                    // only while the setting is on.
                    let root = scope
                        .last()
                        .map_or(self.model.files[file].body(), |f| f.body.as_slice());
                    let switch = optional
                        .filter(|o| o.as_bool().is_none() && self.is_server_switch(file, root, o))
                        .map(|o| Switch {
                            file,
                            test: o.span,
                            negated: true,
                            parameter: false,
                        });
                    v.grant(switch);
                    v.checks_role = call
                        .keyword("superuser")
                        .and_then(Expr::as_bool)
                        .unwrap_or(false);
                    return v;
                }
            }
            if let Some(v) = self.record_field_factory_verdict(file, scope, call, depth) {
                return v;
            }
            if let Some(v) = self.factory_product_verdict(file, call, depth) {
                return v;
            }
            // A factory such as `require_role("admin")`: judge what it builds.
            let mut inner = self.callable_verdict(file, scope, &call.func, depth + 1);
            // `IdentityFactory(optional=False)`: an instance whose refusals depend on a flag
            // its constructor stores (`if not self.optional: raise`), given as a literal.
            if inner.authenticates
                && let Some((class_file, Some(Stmt::ClassDef(class)), _)) =
                    self.model.resolve_definition(file, &call.func)
            {
                self.bind_constructor_flag(class_file, class, call, &mut inner);
                // An instance built never to refuse (`IdentityFactory(optional=True)`).
                v.lets_anonymous = !inner.authenticates;
            }
            if inner.authenticates {
                v = inner;
                // Flags (`optional=False`) name no role.
                v.checks_role |= call.argument_values().any(|a| a.as_bool().is_none());
            }
            return v;
        }
        if self.is_user_name(target, &self.names.auth_dependencies, file) {
            v.grant(None);
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
                // The host framework's access checks (`requires_access_view(...)` of Airflow,
                // which plugins and providers use): they refuse whom the check does not allow.
                let access_check = is_library_access_check(last);
                v.authenticates = is_auth_function_name(last)
                    || is_authenticator_class_name(last)
                    || access_check;
                v.checks_role = access_check || v.authenticates && self.role_name(last);
                v
            }
            None => {
                // `if settings.token: def validate_token(...): ...`: a guard defined in a
                // module-level block; where it is used says under which condition.
                if let Some(function) = target
                    .as_name()
                    .and_then(|n| block_function(self.model.files[file].body(), n))
                {
                    return self.function_verdict(file, function, depth + 1);
                }
                let name = target.last_name().unwrap_or("");
                v.authenticates = is_auth_function_name(name);
                v.checks_role = v.authenticates && self.role_name(name);
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

    /// `Depends(backend.current_user(...))` with `backend = get_backend(config)`, where
    /// `get_backend` returns a record of functions it defines (`Backend(current_user=
    /// current_user)`): the factory is that nested function, and the dependency what it
    /// builds, judged by what it does (a role only if its body checks one).
    fn record_field_factory_verdict(
        &self,
        file: usize,
        scope: &[&'a Function],
        call: &Call,
        depth: u32,
    ) -> Option<Verdict> {
        let ExprKind::Attribute { value, attr } = &call.func.kind else {
            return None;
        };
        let name = value.as_name()?;
        let assigned: &'a Expr = match scope
            .iter()
            .rev()
            .find_map(|f| crate::values::local_assignment(f, name))
        {
            Some(v) => v,
            None => match self.model.files[file].top_level(name)? {
                Stmt::Assign { value: Some(v), .. } => v,
                _ => return None,
            },
        };
        let built = assigned.as_call()?;
        let (builder_file, Some(Stmt::FunctionDef(builder)), _) =
            self.model.resolve_definition(file, &built.func)?
        else {
            return None;
        };
        // `return Backend(current_user=current_user)`: the field names a nested function.
        let mut field = None;
        walk_stmts(&builder.body, &mut |stmt| {
            if let Stmt::Return {
                value: Some(returned),
                ..
            } = stmt
                && let Some(record) = returned.as_call()
                && let Some(n) = record.keyword(attr).and_then(Expr::as_name)
            {
                field = Some(n);
            }
        });
        let factory = crate::apps::nested_function(builder, field?)?;
        let product = returned_nested_function(factory)?;
        Some(self.function_verdict_in(builder_file, Some(factory), product, depth + 1))
    }

    /// `Depends(user_dependency())`, `Depends(self.providers.auth.auth_wrapper())`: a factory
    /// that returns a function it defines. The dependency is that function, judged by what
    /// it does; a method on an object of unknown class stands for every project method of
    /// its name, and all must authenticate.
    fn factory_product_verdict(&self, file: usize, call: &Call, depth: u32) -> Option<Verdict> {
        let candidates: Vec<(usize, &'a Function)> =
            match self.model.resolve_definition(file, &call.func) {
                Some((f, Some(Stmt::FunctionDef(function)), _)) => vec![(f, function.as_ref())],
                Some(_) => return None,
                None => match &call.func.kind {
                    ExprKind::Attribute { attr, .. } => self
                        .methods_named(attr)
                        .iter()
                        .map(|&(f, _, m)| (f, m))
                        .collect(),
                    _ => return None,
                },
            };
        let products: Vec<(usize, &'a Function, &'a Function)> = candidates
            .iter()
            .filter_map(|&(f, factory)| Some((f, factory, returned_nested_function(factory)?)))
            .collect();
        if products.is_empty() || products.len() != candidates.len() || products.len() > 4 {
            return None;
        }
        let mut all = Verdict::default();
        for (f, factory, product) in products {
            let v = self.function_verdict_in(f, Some(factory), product, depth + 1);
            if !v.authenticates {
                return Some(v);
            }
            all.absorb(&v);
        }
        Some(all)
    }

    /// Folds a class verdict's switch that tests an instance attribute the constructor sets
    /// from a parameter (`self.optional = optional`, then `if user is None and not
    /// self.optional: raise`) when the construction passes that parameter a literal (or
    /// leaves its literal default): the instance either always refuses or never does.
    fn bind_constructor_flag(
        &self,
        class_file: usize,
        class: &'a Class,
        call: &Call,
        v: &mut Verdict,
    ) {
        let Some(switch) = v.switch.filter(|s| !s.parameter) else {
            return;
        };
        if call
            .args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || call.keywords.iter().any(|k| k.arg.is_none())
        {
            return;
        }
        let Some((_, _, init)) = find_method(self.model, class_file, class, "__init__") else {
            return;
        };
        // `self.<attr> = <parameter>`, assigned once in `__init__`'s own body.
        let flag = |attr: &str| -> Option<bool> {
            let mut values = init.body.iter().filter_map(|stmt| match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } if targets.iter().any(|t| {
                    matches!(&t.kind, ExprKind::Attribute { value, attr: a }
                        if value.as_name() == Some("self") && a == attr)
                }) =>
                {
                    Some(value)
                }
                _ => None,
            });
            let value = values.next()?;
            if values.next().is_some() {
                return None;
            }
            let name = value.as_name()?;
            let (index, param) = init
                .params
                .iter()
                .enumerate()
                .find(|(_, p)| p.name == name)?;
            let passed = call.keyword(name).or_else(|| {
                matches!(
                    param.kind,
                    ParamKind::Positional | ParamKind::PositionalOnly
                )
                .then(|| index.checked_sub(1).and_then(|i| call.args.get(i)))
                .flatten()
            });
            passed.or(param.default.as_deref())?.as_bool()
        };
        fn holds(e: &Expr, flag: &impl Fn(&str) -> Option<bool>) -> Option<bool> {
            match &e.kind {
                ExprKind::UnaryOp {
                    op: UnaryOp::Not,
                    operand,
                } => holds(operand, flag).map(|b| !b),
                ExprKind::Attribute { value, attr } if value.as_name() == Some("self") => {
                    flag(attr)
                }
                _ => None,
            }
        }
        // The switch's test, in a method of the class.
        let mut test = None;
        for (f, c) in class_hierarchy(self.model, class_file, class) {
            if f != switch.file {
                continue;
            }
            for stmt in &c.body {
                if let Stmt::FunctionDef(m) = stmt {
                    walk_all_exprs(&m.body, &mut |e| {
                        e.any(&mut |x| {
                            if x.span == switch.test && test.is_none() {
                                test = holds(x, &flag);
                            }
                            false
                        });
                    });
                }
            }
        }
        let Some(holds) = test else {
            return;
        };
        if holds != switch.negated {
            v.switch = None;
        } else {
            // The refusals never happen: optional authentication.
            v.authenticates = false;
            v.switch = None;
            v.lets_anonymous = true;
        }
    }

    /// An instance of a project subclass of a security scheme that defines `__call__`: the
    /// verdict of that method. The scheme's own check (a 403 without credentials) counts
    /// when the method calls it (`await super().__call__(request)`) and `auto_error` is not
    /// switched off, in the construction or in `super().__init__(...)`.
    fn scheme_subclass_verdict(
        &self,
        file: usize,
        scope: &[&'a Function],
        target: &Expr,
        depth: u32,
    ) -> Option<Verdict> {
        let origin = self.model.resolve_value(file, scope, target);
        let call = origin.expr.as_call()?;
        let Some((class_file, Some(Stmt::ClassDef(class)), _)) =
            self.model.resolve_definition(origin.file, &call.func)
        else {
            return None;
        };
        // Only project classes are searched: without a `__call__` of its own the subclass is
        // judged as the scheme it derives from.
        let (_, _, method) = find_method(self.model, class_file, class, "__call__")?;
        let optional_init =
            find_method(self.model, class_file, class, "__init__").is_some_and(|(_, _, init)| {
                let mut optional = false;
                walk_exprs(&init.body, &mut |e| {
                    optional |= e.any(&mut |x| {
                        x.as_call().is_some_and(|c| {
                            c.keyword("auto_error").and_then(Expr::as_bool) == Some(false)
                        })
                    });
                });
                optional
            });
        let optional =
            optional_init || call.keyword("auto_error").and_then(Expr::as_bool) == Some(false);
        let ctx = SelfCtx {
            file: class_file,
            class,
            current: None,
        };
        let mut v = self
            .method_guard(class_file, method, depth + 1, ctx)
            .unwrap_or_default();
        // `if self.auto_error: raise ...`: the scheme's own switch, on unless the construction
        // turns it off, so it decides the verdict rather than standing as a condition.
        if let Some(switch) = v.switch
            && switch.file == class_file
            && tests_auto_error(&method.body, switch.test)
        {
            let refuses = optional == switch.negated;
            if refuses {
                v.switch = None;
            } else {
                v = Verdict {
                    lets_anonymous: true,
                    checks_role: v.checks_role,
                    ..Verdict::default()
                };
            }
        }
        let mut calls_base = false;
        walk_exprs(&method.body, &mut |e| {
            calls_base |= e.any(&mut |x| {
                x.as_call().is_some_and(|c| {
                    matches!(&c.func.kind, ExprKind::Attribute { value, attr }
                        if attr == "__call__"
                            && matches!(&value.kind, ExprKind::Call(s)
                                if s.func.as_name() == Some("super")))
                })
            });
        });
        if calls_base && !optional {
            v.grant(None);
        }
        Some(v)
    }

    /// `HTTPBearer(auto_error=False)`, reached through the variable holding it.
    fn scheme_is_optional(&self, file: usize, scope: &[&Function], target: &Expr) -> bool {
        let origin = self.model.resolve_value(file, scope, target);
        origin
            .expr
            .as_call()
            .and_then(|c| c.keyword("auto_error"))
            .and_then(Expr::as_bool)
            == Some(false)
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
    fn function_verdict(&self, file: usize, function: &'a Function, depth: u32) -> Verdict {
        self.function_verdict_in(file, None, function, depth)
    }

    /// [`Judge::function_verdict`] of a function defined in `outer` (a dependency factory's
    /// product), whose parameters' dependencies may name the factory's locals.
    fn function_verdict_in(
        &self,
        file: usize,
        outer: Option<&'a Function>,
        function: &'a Function,
        depth: u32,
    ) -> Verdict {
        if depth > MAX_CHAIN {
            // Not memoised: a judgement cut short is not the function's verdict.
            return Verdict {
                authenticates: is_auth_function_name(&function.name),
                checks_role: false,
                ..Default::default()
            };
        }
        let key = (file, function.span.start);
        {
            let memo = self.memo.borrow_mut();
            match memo.get(&key) {
                Some(Some(v)) => return *v,
                Some(None) => return Verdict::default(),
                None => {}
            }
        }
        self.memo.borrow_mut().insert(key, None);
        let scope: Vec<&'a Function> = outer.into_iter().chain([function]).collect();
        let mut v = Verdict::default();
        let mut vouched = Verdict::default();
        // Parameters that are None for anonymous callers (`k = Depends(APIKeyQuery(
        // auto_error=False))`, or a dependency forwarding one): the body decides what they get.
        let mut optional_credentials: Vec<&str> = Vec::new();
        // Whether every parameter is a principal that a dependency authenticates only under a
        // setting (see below).
        let mut only_switched_principals = !function.params.is_empty();
        for param in &function.params {
            let mut switched_principal = false;
            for pd in self.param_dependencies(file, &scope, param) {
                if let Some(dv) =
                    self.dependency_verdict(pd.file, &pd.scope, pd.dep, pd.annotation, depth + 1)
                {
                    switched_principal |=
                        dv.authenticates && dv.switch.is_some() && !dv.presented_only;
                    if dv.vouched {
                        vouched.absorb(&dv);
                    } else {
                        v.absorb(&dv);
                    }
                    // `if api_key is None: raise 401` on it asks whether the caller presented
                    // credentials, as in a handler.
                    if dv.lets_anonymous && !dv.authenticates {
                        optional_credentials.push(param.name.as_str());
                        self.scheme_parameters
                            .borrow_mut()
                            .insert((function.body.as_ptr() as usize, param.name.as_str()));
                    }
                }
                // `creds = Depends(bearer)`: what the caller presented, for the body's tests.
                let bound_to_scheme = pd.dep.as_call().is_some_and(|c| {
                    c.argument("dependency", 0).is_some_and(|t| {
                        self.model
                            .instance_class(pd.file, &pd.scope, t)
                            .is_some_and(|class| is_security_scheme(&class))
                    })
                });
                if bound_to_scheme {
                    self.scheme_parameters
                        .borrow_mut()
                        .insert((function.body.as_ptr() as usize, param.name.as_str()));
                }
                // `session: SessionStore = Depends(session_store)` with `session_store()`
                // taking nothing: `if session is not None:` tests the server's state, whatever
                // the parameter is called.
                if let Some(call) = pd.dep.as_call()
                    && self.model.files[pd.file]
                        .imports
                        .resolve(&call.func)
                        .is_some_and(|q| is_depends(&q))
                    && let Some(target) = call.argument("dependency", 0)
                    && self.takes_no_arguments(pd.file, &pd.scope, target)
                {
                    self.injected_parameters
                        .borrow_mut()
                        .insert((function.body.as_ptr() as usize, param.name.as_str()));
                }
            }
            only_switched_principals &= switched_principal;
        }
        let body = self.body_verdict(file, &function.body, 0);
        // A name such as `get_current_user` vouches for a body the analysis cannot judge, not
        // for one that returns None to anonymous callers, nor for `get_optional_user`.
        // A body given an optional credential and not refusing its absence was judged: no
        // name vouches for it. When it returns that credential (`def get_api_key(k=Depends(
        // APIKeyQuery(auto_error=False))): return k`), its users get None for anonymous callers.
        let unrefused_credential = !optional_credentials.is_empty() && !body.authenticates;
        let optional = body.lets_anonymous
            || is_optional_name(&function.name)
            || unrefused_credential && returns_any_of(&function.body, &optional_credentials);
        // `Security(...)` vouches for what cannot be judged, not against a body that refuses
        // only under a setting (`if not self.config.require_auth and token is None: return
        // default_user`): then the body says what the dependency does.
        // Nor for one that answers anonymous callers itself (`if creds is None: return None`).
        if !(body.lets_anonymous || body.authenticates && body.switch.is_some()) {
            v.absorb(&vouched);
        }
        let mut body = body;
        if body.authenticates
            && body.switch.is_none()
            && let Some(test) = injected_object_gate(&self.model.files[file].imports, function)
        {
            body.switch = Some(Switch {
                file,
                test: test.span,
                negated: false,
                parameter: false,
            });
        }
        // `if not user and config.mode == "noauth": user = create_guest()`, then `if user:
        // return user`: anonymous callers are let in as a default user under that setting,
        // as with `return default_admin`. That opening decides over another switch of the
        // refusals (`elif config.login_url: raise Redirect(...)`): the route is conditional.
        if body.authenticates
            && let Some(s) = self.default_user_admission(file, &function.body)
        {
            body.switch = Some(s);
        }
        // `def require_admin_or_default(user=Depends(current_user_or_default)): if not
        // user.is_admin: raise 403` where that dependency lets everyone in as a default user
        // unless a setting is on: given nothing but that user, the body's refusals are worth
        // what the dependency is, as a handler's checks on such a user are (see
        // [`Judge::route_security`]).
        if body.authenticates
            && body.switch.is_none()
            && only_switched_principals
            && v.authenticates
            && v.switch.is_some()
        {
            body.switch = v.switch;
            body.presented_only = false;
        }
        if body.authenticates {
            v.grant_as(body.switch, body.presented_only);
        } else if is_auth_function_name(&function.name)
            // Its name vouches for what cannot be judged, not over a dependency of its own
            // that was (`user = Depends(current_user(optional=not REQUIRE_AUTH))`).
            && !v.authenticates
            && !optional
            && !unrefused_credential
            && !is_transparent_decorator(function)
            && !answers_signed_in_callers_first(function)
            && !self.feature_gate(file, function)
        {
            v.grant(None);
        }
        v.lets_anonymous = optional && !v.authenticates;
        // Its name (`require_admin`) says it checks a role only when the body could not be
        // judged: a body seen refusing callers, none for lacking a role, checks none
        // (`get_admin_session_token` refusing a missing cookie).
        v.checks_role |= body.checks_role
            || (v.authenticates && !body.authenticates && self.role_name(&function.name));
        self.memo.borrow_mut().insert(key, Some(v));
        v
    }

    /// [`Judge::wrapped_guard`] of a project function used as a decorator, once per function
    /// (`None` while it is being judged: decorators handing the view to each other).
    fn decorator_wrapped_guard(&self, file: usize, function: &'a Function) -> Option<Verdict> {
        let key = (file, function.span.start);
        if let Some(known) = self.wrapped_memo.borrow().get(&key) {
            return *known;
        }
        self.wrapped_memo.borrow_mut().insert(key, None);
        let v = self.wrapped_guard(file, &[function], function, 0);
        self.wrapped_memo.borrow_mut().insert(key, v);
        v
    }

    /// The guard a project decorator hands its product to: every `return` gives back
    /// `guard(fn)` for a guard decorator `guard` (`jwt_required()`, `login_required`, another
    /// project decorator) and the decorated function or a wrapper defined here, or a wrapper
    /// defined here that carries such a decorator, or (a factory) a decorator defined here
    /// that does either. `scope` ends with `function`.
    fn wrapped_guard(
        &self,
        file: usize,
        scope: &[&'a Function],
        function: &'a Function,
        hops: u32,
    ) -> Option<Verdict> {
        if hops > 2 {
            return None;
        }
        let mut all: Option<Verdict> = None;
        let mut every = true;
        crate::values::for_each_return(&function.body, &mut |value| {
            if !every {
                return;
            }
            let found = match &value.kind {
                // `return jwt_required()(fn)`: the view (or a wrapper of it) under the guard.
                ExprKind::Call(call) => match (call.args.as_slice(), call.keywords.is_empty()) {
                    ([arg], true)
                        if arg.as_name().is_some_and(|n| {
                            function.params.iter().any(|p| p.name == n)
                                || crate::apps::nested_function(function, n).is_some()
                        }) =>
                    {
                        self.auth_decorator(file, scope, &call.func)
                    }
                    _ => None,
                },
                // `return inner`, a wrapper decorated `@jwt_required()`; or, in a factory, the
                // decorator it defines.
                ExprKind::Name(n) => crate::apps::nested_function(function, n).and_then(|nested| {
                    let inner: Vec<&'a Function> = scope.iter().copied().chain([nested]).collect();
                    nested
                        .decorators
                        .iter()
                        .find_map(|d| self.auth_decorator(file, scope, d))
                        .or_else(|| self.wrapped_guard(file, &inner, nested, hops + 1))
                }),
                _ => None,
            };
            match found {
                Some(v) => all.get_or_insert_with(Verdict::default).absorb(&v),
                None => every = false,
            }
        });
        all.filter(|v| every && v.authenticates)
    }

    /// A decorator whose wrapper calls the view only under a test of the server's settings
    /// (`if config.remote_login_enabled: return f(*args, **kwargs)`, then `abort(403)`), and
    /// calls nothing before that test: a feature switch, which decides the same for every
    /// caller, whatever the decorator is called (`remote_login_required`).
    fn feature_gate(&self, file: usize, function: &'a Function) -> bool {
        let Some(wrapper) = returned_nested_function(function) else {
            return false;
        };
        let calls_view = |e: &Expr| calls_wrapped(e) && !is_call_next(e);
        let mut gated = false;
        for stmt in code_statements(&wrapper.body) {
            if let Stmt::If {
                test,
                body: then,
                orelse,
                ..
            } = stmt
                && orelse.is_empty()
                && matches!(code_statements(then).as_slice(),
                    [Stmt::Return { value: Some(v), .. }] if calls_view(v))
            {
                if !self.is_server_switch(file, &wrapper.body, test)
                    || test.any(&mut |x| x.as_call().is_some())
                {
                    return false;
                }
                gated = true;
                continue;
            }
            // Past the switch: what the others get. Before it: nothing that could check.
            let mut calls = false;
            walk_all_exprs(std::slice::from_ref(stmt), &mut |e| {
                calls |= if gated {
                    calls_view(e)
                } else {
                    e.any(&mut |x| x.as_call().is_some())
                };
            });
            if calls || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) && !gated {
                return false;
            }
        }
        gated
    }

    /// The switch under which a dependency admits anonymous callers as a default user it
    /// assigns to the variable it returns: `if not user and config.mode == "noauth": user =
    /// create_guest(...)`, anywhere in the body, with `return user` in it. The refusals
    /// happen only while the switch is off.
    fn default_user_admission(&self, file: usize, body: &'a [Stmt]) -> Option<Switch> {
        let mut found = None;
        walk_stmts(body, &mut |stmt| {
            let Stmt::If {
                test, body: then, ..
            } = stmt
            else {
                return;
            };
            if found.is_some() {
                return;
            }
            let ExprKind::BoolOp {
                op: BoolOp::And,
                values,
            } = &test.kind
            else {
                return;
            };
            // The variable tested for absence (`not user`, `user is None`).
            let Some(name) = values
                .iter()
                .filter(|v| tests_absent_value(v))
                .find_map(|v| tested_value(v).as_name())
            else {
                return;
            };
            // The other operands are settings tests that say nothing of the caller
            // (`config.mode == "noauth"`, where `auth` is a word of the setting's name).
            let mut switch = None;
            for v in values {
                if tests_absent_value(v) && tested_value(v).as_name() == Some(name) {
                    continue;
                }
                if v.any(&mut |x| x.as_name() == Some(name))
                    || !self.is_server_switch(file, body, v)
                {
                    return;
                }
                switch.get_or_insert(v);
            }
            let Some(switch) = switch else {
                return;
            };
            // Assigned a value, unconditionally in the branch, which does not refuse.
            let admits = then.iter().any(|s| {
                matches!(s, Stmt::Assign { targets, value: Some(value), .. }
                    if targets.iter().any(|t| t.as_name() == Some(name))
                        && !matches!(value.kind, ExprKind::NoneLiteral)
                        && value.as_bool() != Some(false))
            }) && !then.iter().any(|s| matches!(s, Stmt::Raise { .. }));
            if !admits {
                return;
            }
            let mut returned = false;
            walk_stmts(body, &mut |s| {
                returned |=
                    matches!(s, Stmt::Return { value: Some(v), .. } if v.as_name() == Some(name));
            });
            if returned {
                // The refusals happen when the setting does not hold.
                found = Some(Switch {
                    file,
                    test: switch.span,
                    negated: true,
                    parameter: false,
                });
            }
        });
        found
    }

    /// A class used as a dependency (`__call__`) or middleware (`dispatch`, `__call__`).
    fn class_verdict(&self, file: usize, class: &'a Class) -> Verdict {
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
                if fv.authenticates && f.name != "__init__" {
                    v.grant_as(fv.switch, fv.presented_only);
                }
                v.checks_role |= fv.checks_role;
            }
        }
        // Likewise for the class's name (`AdminAuthMiddleware`), when its methods were judged.
        let judged = v.authenticates;
        if !v.authenticates && is_auth_function_name(&class.name) {
            v.grant(None);
        }
        v.checks_role |= v.authenticates && !judged && self.role_name(&class.name);
        v
    }

    fn project_class(&self, file: usize, expr: &Expr) -> Option<(usize, &'a Class)> {
        match self.model.resolve_definition(file, expr) {
            Some((f, Some(Stmt::ClassDef(c)), _)) => Some((f, c)),
            // `ENFORCER = rbac_enforcer.RBACEnforcer`: a module-level alias of a class.
            Some((
                f,
                Some(Stmt::Assign {
                    value: Some(value), ..
                }),
                _,
            )) if matches!(value.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                && !std::ptr::eq(value, expr) =>
            {
                match self.model.resolve_definition(f, value) {
                    Some((cf, Some(Stmt::ClassDef(c)), _)) => Some((cf, c)),
                    _ => None,
                }
            }
            // `def add_key_middleware(app): class _KeyMiddleware(...): ...;
            // app.add_middleware(_KeyMiddleware)`: a class defined in the registering function.
            None => Some((file, self.model.files[file].local_class(expr.as_name()?)?)),
            _ => None,
        }
    }

    /// Whether a handler body reads what the caller submits: the body, the form, the query.
    fn reads_submission(&self, root: &[Stmt]) -> bool {
        let key = root.as_ptr() as usize;
        if let Some(&known) = self.submission_reads.borrow().get(&key) {
            return known;
        }
        let mut found = false;
        walk_exprs(root, &mut |e| {
            found = found
                || e.any(&mut |x| {
                    matches!(&x.kind, ExprKind::Attribute { value, attr }
                        if value.as_name() == Some("request") && is_submission_attribute(attr))
                });
        });
        self.submission_reads.borrow_mut().insert(key, found);
        found
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
                    ..Default::default()
                });
            }
            if let Some(checks_role) = auth_decorator(&q) {
                return Some(Verdict {
                    authenticates: true,
                    checks_role,
                    ..Default::default()
                });
            }
        }
        if self.is_user_name(callee, &self.names.auth_decorators, file) {
            return Some(Verdict {
                authenticates: true,
                checks_role: has_args || self.role_name(callee.last_name().unwrap_or("")),
                ..Default::default()
            });
        }
        // `@allows.requires(IsAdmin)` (Flask-Allows), `@admin_permission.require(403)`
        // (Flask-Principal).
        let allows_requires = matches!(&callee.kind, ExprKind::Attribute { value, attr }
            if attr == "requires"
                && self
                    .model
                    .instance_class(file, scope, value)
                    .is_some_and(|c| is_permission_object_class(&c)));
        if allows_requires || self.principal_requirement(file, scope, callee) {
            return Some(Verdict {
                authenticates: true,
                checks_role: true,
                ..Default::default()
            });
        }
        // `@basic_auth.required` (Flask-BasicAuth): answers 401 with a Basic challenge unless
        // the request carries the configured credentials, whatever `BASIC_AUTH_FORCE` says.
        if call.is_none()
            && let ExprKind::Attribute { value, attr } = &callee.kind
            && attr == "required"
            && let Some(origin) = self.model.follow(file, scope, value)
            && let Some(built) = origin.expr.as_call()
            && crate::apps::builds_basic_auth(self.model, origin.file, &built.func)
        {
            return Some(Verdict {
                authenticates: true,
                ..Default::default()
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
                    ..Default::default()
                });
            }
        }
        // `@oauth2.require_oauth("scope")` on a Flask-OAuthlib `OAuth2Provider`: a bearer-token
        // guard; the scopes it names are the permissions it checks.
        if let ExprKind::Attribute { value, attr } = &callee.kind
            && attr == "require_oauth"
            && self
                .model
                .instance_class(file, scope, value)
                .is_some_and(|c| is_oauth_provider_class(&c))
        {
            return Some(Verdict {
                authenticates: true,
                checks_role: has_args,
                ..Default::default()
            });
        }
        // `@self.requires_auth` on a route defined in a method: the class's own decorator,
        // judged by its body rather than its name.
        if let ExprKind::Attribute { value, attr } = &callee.kind
            && value.as_name() == Some("self")
            && let Some((method_file, _, method)) = scope
                .iter()
                .rev()
                .find_map(|f| crate::apps::class_of_method(self.model.files[file].body(), f))
                .and_then(|class| find_method(self.model, file, class, attr))
        {
            let v = self.function_verdict(method_file, method, 0);
            return v.authenticates.then_some(Verdict {
                authenticates: true,
                checks_role: v.checks_role || has_args && self.role_name(&method.name),
                switch: v.switch,
                presented_only: v.presented_only,
                ..Default::default()
            });
        }
        // `@api.secure` or `@api.secure(admin_permission)`, where `api` is an instance of a
        // project class (a subclass of flask-restx's `Api`): the method, judged with `self`
        // standing for that class.
        if let ExprKind::Attribute { value, attr } = &callee.kind
            && value.as_name() != Some("self")
            && let Some(origin) = self.model.follow(file, scope, value)
            && let Some(built) = origin.expr.as_call()
            && let Some((class_file, class)) = self.project_class(origin.file, &built.func)
            && let Some((method_file, _, method)) = find_method(self.model, class_file, class, attr)
        {
            let ctx = SelfCtx {
                file: class_file,
                class,
                current: Some(method),
            };
            let v = self.method_guard(method_file, method, 0, ctx)?;
            return Some(Verdict {
                authenticates: true,
                // `@api.secure(admin_permission)`: a role handed to the guard.
                checks_role: v.checks_role
                    || has_args
                        && (self.role_name(&method.name)
                            || call.is_some_and(|c| {
                                c.argument_values()
                                    .filter_map(Expr::last_name)
                                    .any(|n| self.role_name(n))
                            })),
                switch: v.switch,
                presented_only: v.presented_only,
                ..Default::default()
            });
        }
        // A decorator named for authenticating (`require_login`), judged by nothing else.
        let by_name = || {
            let name = callee.last_name().unwrap_or("");
            is_auth_function_name(name).then_some(Verdict {
                authenticates: true,
                checks_role: self.role_name(name),
                ..Default::default()
            })
        };
        match self.model.resolve_definition(file, callee) {
            // `@api_login(require_role=[...])`: an instance of a project class, which Python
            // calls with the view.
            Some((class_file, Some(Stmt::ClassDef(class)), _)) => {
                match self.decorator_class_verdict(class_file, class, call) {
                    Some(v) => v.authenticates.then_some(v),
                    None => {
                        let name = callee.last_name().unwrap_or("");
                        is_auth_function_name(name).then_some(Verdict {
                            authenticates: true,
                            checks_role: self.role_name(name),
                            ..Default::default()
                        })
                    }
                }
            }
            Some((def_file, Some(Stmt::FunctionDef(function)), _)) => {
                let mut v = self.function_verdict(def_file, function, 0);
                // `def requires_page(p): return _no_details(lambda: ...)`: the decorator is
                // the one the other project factory builds.
                if !v.authenticates
                    && call.is_some()
                    && let Some((ff, factory)) = self.delegated_factory(def_file, function)
                {
                    v = self.function_verdict(ff, factory, 0);
                }
                // `def token_needed(fn): return jwt_required()(fn)`, a wrapper decorated with
                // `@jwt_required()`, or a factory returning such a decorator: what it hands
                // back is the guard's product, whatever its own body does.
                if !v.authenticates
                    && let Some(w) = self.decorator_wrapped_guard(def_file, function)
                {
                    v = w;
                }
                v.authenticates.then_some(Verdict {
                    authenticates: true,
                    checks_role: v.checks_role
                        || has_args
                            && (self.role_name(&function.name)
                                || refuses_caller_lacking_arguments(function)),
                    switch: v.switch,
                    presented_only: v.presented_only,
                    ..Default::default()
                })
            }
            Some((_, None, Some(q))) => {
                let last = q.rsplit('.').next().unwrap_or("");
                is_auth_function_name(last).then_some(Verdict {
                    authenticates: true,
                    checks_role: self.role_name(last),
                    ..Default::default()
                })
            }
            // `with_user = only_for(("user",))` at module level, used as `@with_user`: the
            // decorator that call builds. (The call is judged as a decorator written with
            // arguments, so this does not come back here.)
            Some((
                def_file,
                Some(Stmt::Assign {
                    value: Some(value), ..
                }),
                _,
            )) if call.is_none() && matches!(value.kind, ExprKind::Call(_)) => {
                self.auth_decorator(def_file, &[], value).or_else(by_name)
            }
            _ => by_name(),
        }
    }

    /// A project class used as a decorator, judged as a decorator function is, by what its
    /// `__call__` does: with arguments (`@api_login(require_role=[...])`) the instance is
    /// called with the view and `__call__` returns the wrapper; bare (`@session_required`)
    /// the constructor keeps the view and `__call__` is the wrapper itself. `self.method()`
    /// calls are followed into the class and its project bases (`self.get_logged_in_user()`
    /// of a base renderer). A refusal under a flag the constructor stores (`if not
    /// self.optional`) is decided by the literal the decorator passes, as for a class
    /// instance used as a dependency. None when the class defines no `__call__` or its
    /// wrapper refuses no one: its name may still vouch for it.
    fn decorator_class_verdict(
        &self,
        class_file: usize,
        class: &'a Class,
        call: Option<&Call>,
    ) -> Option<Verdict> {
        let (method_file, _, method) = find_method(self.model, class_file, class, "__call__")?;
        let ctx = SelfCtx {
            file: class_file,
            class,
            current: Some(method),
        };
        let mut v = self.method_guard(method_file, method, 0, ctx)?;
        if let Some(call) = call {
            self.bind_constructor_flag(class_file, class, call, &mut v);
        }
        if !v.authenticates {
            // An instance built never to refuse (`@login_check(optional=True)`).
            return Some(v);
        }
        // A role handed to the guard: `require_role=[ROLES.admin]`, `@guard(admin_role)`;
        // flags (`audit=False`) and empty values name none.
        let names_role = |e: &Expr| {
            e.as_bool().is_none()
                && !matches!(&e.kind, ExprKind::NoneLiteral)
                && e.elements().is_none_or(|items| !items.is_empty())
        };
        v.checks_role |= call.is_some_and(|c| {
            c.keywords.iter().any(|k| {
                k.arg.as_deref().is_some_and(|a| self.role_name(a)) && names_role(&k.value)
            }) || c
                .args
                .iter()
                .any(|a| a.last_name().is_some_and(|n| self.role_name(n)))
        });
        Some(Verdict {
            authenticates: true,
            checks_role: v.checks_role,
            switch: v.switch,
            presented_only: v.presented_only,
            ..Default::default()
        })
    }

    /// The project decorator factory whose product a factory returns: `_no_details` for `def
    /// requires_page(page): return _no_details(lambda: can_see(page))`, followed through a
    /// few such hops.
    fn delegated_factory(
        &self,
        file: usize,
        function: &'a Function,
    ) -> Option<(usize, &'a Function)> {
        let (mut file, mut function) = (file, function);
        for _ in 0..3 {
            let Some(Stmt::Return {
                value: Some(value), ..
            }) = code_statements(&function.body).last().copied()
            else {
                return None;
            };
            let call = value.as_call()?;
            let Some((f, Some(Stmt::FunctionDef(next)), _)) =
                self.model.resolve_definition(file, &call.func)
            else {
                return None;
            };
            if std::ptr::eq(next.as_ref(), function) {
                return None;
            }
            (file, function) = (f, next);
            if returned_nested_function(function).is_some() {
                return Some((file, function));
            }
        }
        None
    }

    /// Whether a limit decorator belongs to a Flask-Limiter limiter never attached to an
    /// application. Flask-Limiter checks no limit, decorators' included, until `init_app` (or
    /// `Limiter(app=...)`) has initialised it, so such a decorator limits nothing; slowapi's
    /// decorators check through the limiter itself.
    fn unattached_flask_limiter(&self, file: usize, scope: &[&Function], decorator: &Expr) -> bool {
        self.apps
            .decorator_receiver(file, scope, decorator)
            .is_some_and(|(id, _)| {
                self.apps.kind(&id) == Some(ObjectKind::FlaskLimiter)
                    && !self.apps.limiter_is_attached(&id)
            })
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
            // `@prepolicy(auth_timelimit, request)`: a policy decorator handed a limiting
            // callable.
            let limiting_argument = matches!(&decorator.kind, ExprKind::Call(call)
            if call.args.iter().any(|a| {
                matches!(a.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                    && a.last_name().is_some_and(names_limit)
            }));
            return (name.contains("rate_limit")
                || name.contains("ratelimit")
                || name.contains("throttle")
                || limiting_argument
                || is_call && self.limit_wrapper(file, callee))
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
            return (is_call && self.limit_wrapper(file, callee)).then_some(LimitDecorator::Limit);
        }
        match attr.as_str() {
            "limit" | "shared_limit" if is_call => Some(LimitDecorator::Limit),
            "exempt" => Some(LimitDecorator::Exempt),
            _ => None,
        }
    }

    /// Whether `callee`, called as a decorator factory, is a project function that returns the
    /// decorator of a limiter attached to an application: `def limit(*args, **kwargs): if
    /// server.limiter: return server.limiter.limit(*args, **kwargs)`, also when the limiter is
    /// a module-level slot (`limiter = None`) that a function of its module fills with
    /// `Limiter(app=app)` (through `global limiter`). Memoised by the wrapper's definition.
    fn limit_wrapper(&self, file: usize, callee: &Expr) -> bool {
        let Some((def_file, Stmt::FunctionDef(wrapper))) =
            self.model.project_definition(file, callee)
        else {
            return false;
        };
        let key = (def_file, wrapper.span.start);
        if let Some(&known) = self.limit_wrapper_memo.borrow().get(&key) {
            return known;
        }
        let scope = [wrapper.as_ref()];
        let mut found = false;
        crate::values::for_each_return(&wrapper.body, &mut |value| {
            if found {
                return;
            }
            let Some(call) = value.as_call() else { return };
            let ExprKind::Attribute {
                value: receiver,
                attr,
            } = &call.func.kind
            else {
                return;
            };
            if !matches!(attr.as_str(), "limit" | "shared_limit") {
                return;
            }
            let limiter = self
                .apps
                .resolve_object(def_file, &scope, receiver)
                .filter(|id| self.apps.kind(id).is_some_and(ObjectKind::is_limiter))
                .or_else(|| self.limiter_filling_slot(def_file, receiver));
            found = limiter.is_some_and(|id| self.apps.limiter_is_attached(&id));
        });
        self.limit_wrapper_memo.borrow_mut().insert(key, found);
        found
    }

    /// The limiter a module-level slot holds at run time: `limiter = None` at the top of a
    /// module, filled by a function of that module (`global limiter; limiter = Limiter(...)`),
    /// which the application model keeps under the same name in that function.
    fn limiter_filling_slot(&self, file: usize, slot: &Expr) -> Option<ObjectId> {
        let (slot_file, Some(Stmt::Assign { value: Some(v), .. }), _) =
            self.model.resolve_definition(file, slot)?
        else {
            return None;
        };
        if !matches!(v.kind, ExprKind::NoneLiteral) {
            return None;
        }
        let name = slot.last_name()?;
        let mut filled = self.apps.objects.iter().filter(|(id, o)| {
            id.file == slot_file && id.scope.is_some() && id.name == name && o.kind.is_limiter()
        });
        // Only one: two functions building limiters under that name leave it unknown.
        let (id, _) = filled.next()?;
        filled.next().is_none().then(|| id.clone())
    }

    /// Whether a body (with nested functions, such as a decorator's wrapper) refuses
    /// unauthenticated requests or checks roles. A refusal counts when it is conditional on
    /// the caller's identity: `if not current_user.is_authenticated: abort(401)`,
    /// `except JWTError: raise credentials_exception`, `if "user_id" not in session: return
    /// redirect(url_for("auth.login"))`. Calls that verify by themselves
    /// (`verify_jwt_in_request()`, a project guard such as `require_login()`) count anywhere.
    fn body_verdict(&self, file: usize, body: &'a [Stmt], depth: u32) -> Verdict {
        self.body_verdict_in(file, body, depth, None, false)
    }

    /// [`Judge::body_verdict`] for a method of a class-based view (`ctx`: `self.check()` is
    /// followed in the class), and for a handler that receives credentials (`credentials`: its
    /// own refusals answer bad credentials, so only the guards it calls count, not the
    /// credential checks it calls).
    fn body_verdict_in(
        &self,
        file: usize,
        body: &'a [Stmt],
        depth: u32,
        ctx: Option<SelfCtx<'a>>,
        credentials: bool,
    ) -> Verdict {
        let mut v = Verdict::default();
        if depth > MAX_CHAIN {
            return v;
        }
        if !credentials {
            v = self.gates_verdict(file, body, depth);
        } else {
            // A handler that checks the current password (a password change) after refusing
            // anonymous sessions re-authenticates a logged-in user: that gate counts.
            // So does `if not api_verify(roles=["admin"]): return refuse(403)` first in an
            // API that creates accounts: the caller's own key, not the password it submits.
            let mut role = false;
            v.authenticates = body.iter().any(|stmt| match stmt {
                Stmt::If {
                    test,
                    body: then,
                    orelse,
                    ..
                } => match session_login_test(test) {
                    Some(Polarity::Lacks) => self.branch_refuses(file, body, then),
                    Some(Polarity::Has) => self.branch_refuses(file, body, orelse),
                    _ => match self.credential_predicate(file, test) {
                        Some((Polarity::Lacks, r)) if self.branch_refuses(file, body, then) => {
                            role = r;
                            true
                        }
                        _ => false,
                    },
                },
                _ => false,
            });
            v.checks_role = role;
        }
        let switched = self.switched_guard_calls(file, body);
        let mut early: Option<Option<(u32, Switch)>> = None;
        let mut branches: Option<Vec<(u32, u32, Switch)>> = None;
        for summary in self.call_summary(file, body).iter() {
            let call = summary.call;
            // `if config.auth_enabled: return auth.login_required(view)(...)` with `else:
            // return view(...)`: the guard runs only while the setting holds.
            // `if not config.multiuser: return default_user` first, then `return
            // validate(token)`: likewise, the guard runs only while the setting holds.
            // (Worked out once a guard is found.)
            let switch = switched
                .iter()
                .find(|(c, _)| std::ptr::eq(*c, call))
                .map(|(_, s)| *s);
            let mut local = Verdict::default();
            let target = &mut local;
            if summary.verifies {
                target.grant(None);
            }
            if summary.role_guard {
                // A permission check that lets everyone through under a setting protects
                // only while the setting does not say so.
                target.grant(self.permissive_call(
                    file,
                    body,
                    &call.func,
                    &LiteralArgs::of(call),
                    0,
                ));
                target.checks_role = true;
            }
            if credentials && summary.credential_check {
                if switch.is_none() {
                    v.absorb(&local);
                }
                continue;
            }
            let method_of_view = ctx.is_some() && summary.on_attribute;
            if (summary.followed || method_of_view)
                && let Some(cv) =
                    self.called_guard(file, &call.func, Some(call), depth, ctx, credentials)
            {
                target.absorb(&cv);
            } else if (summary.followed || summary.on_attribute)
                && !credentials
                && let Some((method_file, method, instance_ctx)) =
                    self.instance_method(file, body, &call.func)
                && let Some(cv) = self.method_guard(method_file, method, depth, instance_ctx)
            {
                // `Page(path).save(content)` or a module-level `server.receive_pack(...)`
                // whose method checks the caller; also `dashboard.overview()` on an instance
                // imported from the module building it, whose qualified name resolves to no
                // definition.
                target.absorb(&cv);
            } else if !credentials
                && let ExprKind::Attribute { attr, .. } = &call.func.kind
                && self.record_presented_arguments(body, call, attr)
                && let Some(Some(cv)) = self.named_method_guard(attr, Some(call), depth, false)
            {
                // `auth_service().check_key(query_key, header_key)` on what optional schemes
                // presented: the project's methods of that name decide.
                target.absorb(&cv);
            } else if summary.followed
                && !credentials
                // Only a class handed the request can check who sent it (and most calls are
                // no construction: no lookup for them).
                && call.argument_values().any(is_request_name)
                && let Some((init_file, init, instance_ctx)) = self.constructor(file, &call.func)
                && let Some(cv) = self.method_guard(init_file, init, depth, instance_ctx)
            {
                // `handler = SubmitHandler(request)` whose `__init__` authenticates the
                // caller it is handed (`self.user = auth.get_user(req)`): building it runs the
                // check.
                target.absorb(&cv);
            } else if summary.followed
                && let Some(cv) = self.globals_dispatch(file, body, &call.func, depth, credentials)
            {
                target.absorb(&cv);
            } else if summary.followed
                && !credentials
                && let ExprKind::Attribute { value, attr } = &call.func.kind
                && is_provider_authentication_name(attr)
                && value.as_name() != Some("self")
                && let Some((end, sw)) = *early.get_or_insert_with(|| self.early_switch(file, body))
                && call.func.span.start >= end
                && let Some(Some(cv)) = self.named_method_guard(attr, Some(call), depth, false)
            {
                // `if not self.authn_provider: return` first, then
                // `self.authn_provider.authenticate_or_raise(headers)`: a pluggable provider,
                // judged by the project's methods of that name, that runs only once one is
                // configured (never trusted without that switch: whether one is set is
                // unknown).
                target.absorb(&cv);
                target.switch.get_or_insert(sw);
            }
            for arg in &summary.functions_passed {
                if let Some(cv) = self.called_guard(file, arg, None, depth, None, credentials) {
                    target.absorb(&cv);
                }
            }
            if let (Some(method), Some(ctx)) = (summary.method_run, ctx)
                && let Some(cv) =
                    self.called_guard(file, method, None, depth, Some(ctx), credentials)
            {
                target.absorb(&cv);
            }
            let switch = switch.or_else(|| {
                if !local.authenticates {
                    return None;
                }
                let (end, s) = (*early.get_or_insert_with(|| self.early_switch(file, body)))?;
                (call.func.span.start >= end).then_some(s)
            });
            // `if AppConfig.api_key is not None: user = await self.check(request)`: see
            // [`Judge::setting_branches`].
            let switch = switch.or_else(|| {
                if !local.authenticates {
                    return None;
                }
                let at = call.func.span.start;
                branches
                    .get_or_insert_with(|| self.setting_branches(file, body))
                    .iter()
                    .rev()
                    .find(|(start, end, _)| (*start..=*end).contains(&at))
                    .map(|(_, _, s)| *s)
            });
            match switch {
                Some(sw) if local.authenticates => {
                    if local.switch.is_none() {
                        local.switch = Some(sw);
                    }
                    v.absorb(&local);
                }
                Some(_) => {}
                None => v.absorb(&local),
            }
        }
        v
    }

    /// The bodies of the `if`s of `body` (nested ones after those enclosing them) whose test
    /// is a server setting, or an `and` with a setting conjunct, and whose `else` does not
    /// refuse: a guard called there (`if request.method != "OPTIONS" and AppConfig.api_key is
    /// not None: await self.check(request)`, then `return await call_next(request)`) runs
    /// only while the setting holds. Each as the span of the body and the switch.
    fn setting_branches(&self, file: usize, body: &'a [Stmt]) -> Vec<(u32, u32, Switch)> {
        let mut out = Vec::new();
        // In a handler or a dependency, an `if` around a check more often picks the data or
        // the caller it is about than the server's mode.
        if !self.hook_bodies.contains(&(body.as_ptr() as usize)) {
            return out;
        }
        walk_all_stmts(body, &mut |stmt| {
            let Stmt::If {
                test,
                body: then,
                orelse,
                ..
            } = stmt
            else {
                return;
            };
            let (Some(first), Some(last)) = (then.first(), then.last()) else {
                return;
            };
            if self.branch_refuses(file, body, orelse) {
                return;
            }
            // `AppConfig.api_key is not None` reads the server's key (an attribute of a settings
            // object), `api_key is not None` on a local the caller's.
            let setting = |v: &Expr| {
                self.is_server_switch(file, body, v)
                    && (!(matches!(v.kind, ExprKind::Compare { .. })
                        && (mentions_identity(v) || mentions_role(v)))
                        || self.reads_configuration(file, v, false))
                    || self.configured_setting_test(file, body, v)
            };
            let switch_test = match &test.kind {
                ExprKind::BoolOp {
                    op: BoolOp::And,
                    values,
                } => values.iter().find(|v| setting(v)),
                _ => setting(test).then_some(test),
            };
            if let Some(t) = switch_test {
                let switch = Switch {
                    file,
                    test: t.span,
                    negated: false,
                    parameter: false,
                };
                out.push((first.span().start, last.span().end, switch));
            }
        });
        out
    }

    /// Calls made only in one branch of an `if` on a setting whose other branch calls the
    /// wrapped view: `if config.auth_enabled: return auth.login_required(view)(*a, **kw)`,
    /// `else: return view(*a, **kw)`. Each with the switch under which it runs.
    fn switched_guard_calls(&self, file: usize, body: &'a [Stmt]) -> Vec<(&'a Call, Switch)> {
        // `return view(*args, **kwargs)`, not `return guard(view)(*args, **kwargs)`.
        let calls_view = |b: &[Stmt]| {
            matches!(code_statements(b).last(), Some(Stmt::Return { value: Some(v), .. })
                if calls_wrapped(v)
                    && v.as_call().is_some_and(|c| matches!(c.func.kind, ExprKind::Name(_))))
        };
        let mut out = Vec::new();
        // Whether any `if` answers with the view and has no `else`: only then can the block
        // pass below find anything (this walk visits every statement that one does).
        let mut view_returned_early = false;
        walk_all_stmts(body, &mut |stmt| {
            let Stmt::If {
                test,
                body: then,
                orelse,
                ..
            } = stmt
            else {
                return;
            };
            view_returned_early |= orelse.is_empty() && calls_view(then);
            let (guarded, negated): (&'a [Stmt], bool) = if calls_view(orelse) {
                (then, false)
            } else if calls_view(then) && !orelse.is_empty() {
                (orelse, true)
            } else {
                return;
            };
            if !self.is_server_switch(file, body, test) {
                return;
            }
            let switch = Switch {
                file,
                test: test.span,
                negated,
                parameter: false,
            };
            walk_all_exprs(guarded, &mut |e| {
                e.any(&mut |x| {
                    if let ExprKind::Call(c) = &x.kind {
                        out.push((&**c, switch));
                    }
                    false
                });
            });
        });
        // `if conf.auth_backend == "noauth": return f(*args, **kwargs)` with no `else`, then
        // `return login_required(f)(*args, **kwargs)`: what follows in the block runs only
        // while the setting does not hold.
        fn blocks<'b>(body: &'b [Stmt], each: &mut dyn FnMut(&'b [Stmt])) {
            each(body);
            for stmt in body {
                if !matches!(stmt, Stmt::ClassDef(_)) {
                    for child in stmt.child_bodies() {
                        blocks(child, each);
                    }
                }
            }
        }
        if !view_returned_early {
            return out;
        }
        blocks(body, &mut |block| {
            for (i, stmt) in block.iter().enumerate() {
                let Stmt::If {
                    test,
                    body: then,
                    orelse,
                    ..
                } = stmt
                else {
                    continue;
                };
                if !(orelse.is_empty()
                    && calls_view(then)
                    && self.is_server_switch(file, body, test))
                {
                    continue;
                }
                let switch = Switch {
                    file,
                    test: test.span,
                    negated: true,
                    parameter: false,
                };
                walk_all_exprs(&block[i + 1..], &mut |e| {
                    e.any(&mut |x| {
                        if let ExprKind::Call(c) = &x.kind
                            && !out.iter().any(|(o, _)| std::ptr::eq(*o, &**c))
                        {
                            out.push((&**c, switch));
                        }
                        false
                    });
                });
                break;
            }
        });
        out
    }

    /// The switch set by an `if` on a setting at the top level of `body` that lets everyone
    /// through (`if not config.multiuser: return default_user`), with where that `if` ends:
    /// what follows runs only while the switch is off, as [`Judge::gates`] has it for the
    /// refusals there. The first such `if`. Not in a route handler: there the early answer
    /// (`if not config.titles_enabled: return "disabled"`) skips the work for everyone.
    fn early_switch(&self, file: usize, body: &'a [Stmt]) -> Option<(u32, Switch)> {
        if self.handler_bodies.contains(&(body.as_ptr() as usize)) {
            return None;
        }
        body.iter().find_map(|stmt| {
            let Stmt::If {
                test,
                body: then,
                orelse,
                span,
            } = stmt
            else {
                return None;
            };
            // `log.debug("Authorization is disabled.")` before the `return` changes nothing.
            let told = then
                .iter()
                .take_while(|s| matches!(s, Stmt::Expr { value, .. } if value.as_call().is_some()))
                .count();
            (orelse.is_empty()
                && lets_through(&then[told..])
                && !answers_error_status(then)
                && self.is_server_switch(file, body, test)
                && !self.branch_refuses(file, body, then))
            .then_some((
                span.end,
                Switch {
                    file,
                    test: test.span,
                    negated: true,
                    parameter: false,
                },
            ))
        })
    }

    /// Records that the parameters of the project's methods named `method` receiving what a
    /// security scheme presented to `body`'s function hold it too; false, recording nothing,
    /// when `call` passes none of it.
    fn record_presented_arguments(&self, body: &'a [Stmt], call: &Call, method: &str) -> bool {
        let held = |e: &Expr| {
            e.as_name().is_some_and(|name| {
                self.scheme_parameters
                    .borrow()
                    .contains(&(body.as_ptr() as usize, name))
            })
        };
        if !call.argument_values().any(held) {
            return false;
        }
        for &(_, _, m) in self.methods_named(method) {
            let own = m.params.iter().skip(1).filter(|p| {
                matches!(
                    p.kind,
                    routewarden_python::ast::ParamKind::Positional
                        | routewarden_python::ast::ParamKind::PositionalOnly
                )
            });
            let positional = own.zip(&call.args).map(|(p, a)| (p.name.as_str(), a));
            let by_keyword = call.keywords.iter().filter_map(|k| {
                let name = k.arg.as_deref()?;
                m.params
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| (p.name.as_str(), &k.value))
            });
            for (param, arg) in positional.chain(by_keyword) {
                if held(arg) {
                    self.scheme_parameters
                        .borrow_mut()
                        .insert((m.body.as_ptr() as usize, param));
                }
            }
        }
        true
    }

    /// A name `test` asks about (`creds`, `not query_key and not header_key`) that holds
    /// what a security scheme presented.
    fn presented_scheme_parameter<'t>(&self, root: &[Stmt], test: &'t Expr) -> Option<&'t str> {
        if let ExprKind::BoolOp { values, .. } = &test.kind {
            return values
                .iter()
                .find_map(|v| self.presented_scheme_parameter(root, v));
        }
        let name = tested_value(test).as_name()?;
        self.scheme_parameters
            .borrow()
            .contains(&(root.as_ptr() as usize, name))
            .then_some(name)
    }

    /// Whether `test` only asks whether a parameter of the function whose body is `root`,
    /// bound to a dependency taking no arguments, is set (`if store is not None:`, `if not
    /// store:`): a switch of the server's state (see [`Judge::injected_parameters`]).
    fn tests_injected_parameter(&self, root: &[Stmt], test: &Expr) -> bool {
        let set = self.injected_parameters.borrow();
        !set.is_empty()
            && tested_value(test)
                .as_name()
                .is_some_and(|n| set.contains(&(root.as_ptr() as usize, n)))
    }

    /// Whether a dependency callable takes no arguments, so that FastAPI hands it nothing of
    /// the request: a function without parameters, or an instance whose `__call__` has only
    /// `self`.
    fn takes_no_arguments(&self, file: usize, scope: &[&'a Function], target: &'a Expr) -> bool {
        let local = target.as_name().and_then(|name| {
            scope
                .iter()
                .rev()
                .find_map(|f| crate::apps::nested_function(f, name))
        });
        let function: &Function = match local {
            Some(nested) => nested,
            None => match self.model.resolve_definition(file, target) {
                Some((_, Some(Stmt::FunctionDef(function)), _)) => function,
                // A class is built anew for each request: what its `__init__` is given.
                Some((_, Some(Stmt::ClassDef(_)), _)) => return false,
                _ => {
                    // `session_store = OneTimeDependency[SessionStore]()`: the class built,
                    // through a generic's parameters (its first external base, `Generic`,
                    // is not what is called).
                    let origin = self.model.resolve_value(file, scope, target);
                    let Some(built) = origin.expr.as_call() else {
                        return false;
                    };
                    let class = match &built.func.kind {
                        ExprKind::Subscript { value, .. } => &**value,
                        _ => &built.func,
                    };
                    let Some((cf, Some(Stmt::ClassDef(c)), _)) =
                        self.model.resolve_definition(origin.file, class)
                    else {
                        return false;
                    };
                    let Some((_, _, m)) = find_method(self.model, cf, c, "__call__") else {
                        return false;
                    };
                    return m.params.len() == 1 && m.params[0].name == "self";
                }
            },
        };
        function.params.is_empty()
    }

    /// The refusals under conditions in `body` ([`Judge::gates`]), memoised.
    fn gates_verdict(&self, file: usize, body: &'a [Stmt], depth: u32) -> Verdict {
        // Past REFUSAL_DEPTH the depth no longer changes what `refusal` follows.
        let key = (file, body.as_ptr() as usize, depth.min(REFUSAL_DEPTH + 1));
        if let Some(v) = self.gate_memo.borrow().get(&key) {
            return *v;
        }
        let mut v = Verdict::default();
        self.gates(file, body, body, None, depth, &mut v);
        // The view called only under tests of the peer address, refused otherwise (nested
        // under a test of something else, which the gates above do not follow out of).
        // Of a decorator, its wrapper's body decides.
        if !v.authenticates
            && (self.peer_admission(file, body)
                || body
                    .iter()
                    .rev()
                    .find_map(|stmt| match stmt {
                        Stmt::Return {
                            value: Some(value), ..
                        } => crate::apps::local_function(body, value.as_name()?),
                        _ => None,
                    })
                    .is_some_and(|wrapper| self.peer_admission(file, &wrapper.body)))
        {
            v.grant(None);
        }
        self.gate_memo.borrow_mut().insert(key, v);
        v
    }

    /// Every call in `body` (outside `try` blocks whose handlers swallow errors, with nested
    /// functions), in source order, with its resolution.
    fn call_summary(&self, file: usize, body: &'a [Stmt]) -> BodyCalls<'a> {
        let key = (file, body.as_ptr() as usize);
        if let Some(known) = self.call_summaries.borrow().get(&key) {
            return Rc::clone(known);
        }
        let imports = &self.model.files[file].imports;
        let mut calls = Vec::new();
        walk_unswallowed_exprs(body, &mut |e| {
            e.any(&mut |x| {
                let ExprKind::Call(call) = &x.kind else {
                    return false;
                };
                let q = imports.resolve(&call.func).unwrap_or_default();
                let last = call.func.last_name().unwrap_or("");
                let functions_passed = call
                    .args
                    .iter()
                    .filter(|arg| {
                        matches!(arg.kind, ExprKind::Name(_))
                            && match self.model.resolve_definition(file, arg) {
                                Some((_, Some(Stmt::FunctionDef(_)), _)) => true,
                                Some((_, None, Some(q))) => {
                                    self.conditional_definition(&q).is_some()
                                }
                                _ => false,
                            }
                    })
                    .collect();
                calls.push(CallSummary {
                    call,
                    verifies: VERIFYING_CALLS.contains(&q.as_str())
                        && call.keyword("optional").and_then(Expr::as_bool) != Some(true),
                    role_guard: is_role_guard_name(last),
                    credential_check: CREDENTIAL_CALL_NAMES.contains(&last),
                    on_attribute: matches!(call.func.kind, ExprKind::Attribute { .. }),
                    followed: q.is_empty()
                        || !q.contains('.')
                        || self.model.definition(&q).is_some()
                        || self.class_method(file, &call.func).is_some()
                        || self.conditional_definition(&q).is_some(),
                    functions_passed,
                    method_run: thread_pool_callable(imports, body, call, &q).filter(|f| {
                        matches!(&f.kind, ExprKind::Attribute { value, .. }
                            if value.as_name() == Some("self"))
                    }),
                });
                false
            });
        });
        let calls: BodyCalls<'a> = calls.into();
        self.call_summaries
            .borrow_mut()
            .insert(key, Rc::clone(&calls));
        calls
    }

    /// A project function called in a body that authenticates by itself (raises or aborts when
    /// there is no user): `user = get_current_user()`, `require_admin()`; in a class-based
    /// view, its methods (`self._check_access()`, `super()._check_access()`,
    /// `Base._check_access(self)`), resolved in the view's class.
    fn called_guard(
        &self,
        file: usize,
        func: &Expr,
        call: Option<&Call>,
        depth: u32,
        ctx: Option<SelfCtx<'a>>,
        credentials: bool,
    ) -> Option<Verdict> {
        if let Some(ctx) = ctx
            && let ExprKind::Attribute { value, attr } = &func.kind
        {
            let is_self = value.as_name() == Some("self");
            let is_super =
                matches!(&value.kind, ExprKind::Call(c) if c.func.as_name() == Some("super"));
            let method = if is_self {
                find_method(self.model, ctx.file, ctx.class, attr)
            } else if is_super {
                ctx.super_method(self.model, attr)
            } else {
                match self.model.project_definition(file, value) {
                    Some((cf, Stmt::ClassDef(class))) => find_method(self.model, cf, class, attr),
                    _ => None,
                }
            };
            if let Some((mf, _, method)) = method {
                if credentials && !is_guard_call_name(&method.name) {
                    return None;
                }
                return self.method_guard(mf, method, depth, ctx);
            }
        }
        // `requires_access_dag(method, entity)(request, user)`: the function a factory returns,
        // called on the spot.
        if let ExprKind::Call(inner) = &func.kind {
            let Some((def_file, Stmt::FunctionDef(factory))) =
                self.model.project_definition(file, &inner.func)
            else {
                // `return flask_login.login_required(f)(*args, **kwargs)` in a wrapper: the
                // view run under a guard decorator applied on the spot.
                if !credentials
                    && inner.keywords.is_empty()
                    && matches!(inner.args.as_slice(), [a] if a.as_name().is_some())
                    && call.is_some_and(|c| {
                        c.args
                            .iter()
                            .any(|a| matches!(a.kind, ExprKind::Starred(_)))
                            || c.keywords.iter().any(|k| k.arg.is_none())
                    })
                {
                    return self
                        .auth_decorator(file, &[], &inner.func)
                        .filter(|v| v.authenticates);
                }
                return None;
            };
            let product = returned_nested_function(factory)?;
            if credentials && !is_guard_call_name(&factory.name) {
                return None;
            }
            let key = (def_file, product.span.start);
            return memoised_guard(&self.guard_memo, key, depth, || {
                self.body_verdict(def_file, &product.body, depth + 1)
            });
        }
        let resolved = self.model.resolve_definition(file, func);
        let function = match resolved {
            Some((f, Some(Stmt::FunctionDef(function)), _)) => Some((f, function.as_ref())),
            // A function defined under `if FEATURE:` at module level, here or imported.
            Some((_, None, Some(ref q))) => self
                .conditional_definition(q)
                .or_else(|| self.class_method(file, func)),
            None if func.as_name().is_some() => {
                self.conditional_definition_in(file, func.as_name().unwrap_or_default())
            }
            // `Handler.process_request(scope)`: a static or class method of a project class.
            _ => self.class_method(file, func),
        };
        match (function, resolved) {
            (Some((def_file, function)), _) => {
                self.function_guard(def_file, function, depth, credentials)
            }
            (None, Some((_, None, Some(_)))) => None,
            _ => {
                let name = func.last_name().unwrap_or("");
                // Only a name that would be trusted is checked against the project's methods
                // of that name: `.get(...)` on an unknown object is not every `get` there is.
                // `verifier.verify(request)` on what `provider.webhook_verifier()` returned: a
                // verification, judged by the project's methods of that name alone.
                if let ExprKind::Attribute { attr, .. } = &func.kind
                    && (is_guard_call_name(attr)
                        || is_authorization_call_name(attr)
                        || is_verification_method_name(attr))
                    && let Some(v) = self.named_method_guard(attr, call, depth, credentials)
                {
                    return v;
                }
                is_guard_call_name(name).then(|| Verdict {
                    authenticates: true,
                    checks_role: self.role_name(name),
                    ..Default::default()
                })
            }
        }
    }

    /// A project function called as a guard: its verdict when it authenticates.
    fn function_guard(
        &self,
        def_file: usize,
        function: &'a Function,
        depth: u32,
        credentials: bool,
    ) -> Option<Verdict> {
        // In a login, the helpers it calls check the submitted credentials; only a
        // guard named as one (`require_login()`) says the caller must be logged in.
        if credentials && !is_guard_call_name(&function.name) {
            return None;
        }
        let key = (def_file, function.span.start);
        memoised_guard(&self.guard_memo, key, depth, || {
            // A helper handed the submitted credentials (`create_token(body)` with a
            // password in its body model) checks them: its refusals answer a bad
            // password, they do not prove a logged-in caller.
            // So does one that reads the password from the request itself, or one
            // named as a login (`cas_login()` checking a ticket).
            // `ingestor = simple_ingestion_factory(service)` builds and returns the
            // functions it defines: calling it runs none of their checks.
            if returns_own_functions(function) {
                return Verdict::default();
            }
            if !is_guard_call_name(&function.name)
                && (credential_parameter(self.model, def_file, function).is_some()
                    || reads_submitted_password(function)
                    || is_login_name(&function.name))
            {
                return Verdict::default();
            }
            self.body_verdict(def_file, &function.body, depth + 1)
        })
    }

    /// `func(request)` after `func = globals().get("get_user_{0}".format(conf.auth_method))`:
    /// the function is chosen by name among the module's own, so the call authenticates when
    /// every module-level function whose name starts with the literal part does (with the
    /// weakest of their verdicts). Not when another binding of the module could match (an
    /// import, an assignment, a definition under a condition, a star import): its checks
    /// are unknown. A name found nowhere raises (500): no caller gets through either.
    fn globals_dispatch(
        &self,
        file: usize,
        root: &'a [Stmt],
        func: &Expr,
        depth: u32,
        credentials: bool,
    ) -> Option<Verdict> {
        let source = &self.model.files[file];
        // Most files never call `globals()`.
        if !source.may_mention("globals") || source.imports.get("globals").is_some() {
            return None;
        }
        let name = func.as_name()?;
        // The prefix of the name each value assigned to `name` looks up.
        let mut prefix: Option<String> = None;
        let mut all = true;
        nested_assignments(root, name, &mut |v| {
            let looked_up = match &v.kind {
                ExprKind::Call(c) => match &c.func.kind {
                    ExprKind::Attribute { value, attr } if attr == "get" => {
                        Some((&**value, c.args.first()))
                    }
                    _ => None,
                },
                ExprKind::Subscript { value, slice } => Some((&**value, Some(&**slice))),
                _ => None,
            };
            let p = looked_up
                .filter(|(container, _)| {
                    container
                        .as_call()
                        .is_some_and(|g| g.func.as_name() == Some("globals") && g.args.is_empty())
                })
                .and_then(|(_, key)| name_prefix(root, key?, 0))
                .filter(|p| !p.is_empty());
            match p {
                Some(p) if prefix.as_ref().is_none_or(|q| *q == p) => prefix = Some(p),
                _ => all = false,
            }
        });
        let prefix = prefix.filter(|_| all)?;
        // Every module-level binding that may match: plain functions only.
        if !source.imports.star_modules().is_empty()
            || source
                .imports
                .iter()
                .any(|(local, _)| local.starts_with(prefix.as_str()))
        {
            return None;
        }
        let mut candidates = Vec::new();
        for stmt in source.body() {
            match stmt {
                Stmt::FunctionDef(f) if f.name.starts_with(prefix.as_str()) => {
                    candidates.push(&**f)
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                other => {
                    if binds_name_with_prefix(other, &prefix) {
                        return None;
                    }
                }
            }
        }
        let mut verdicts = candidates
            .iter()
            .map(|f| self.function_guard(file, f, depth, credentials));
        let mut out: Verdict = verdicts.next()??;
        for v in verdicts {
            let v = v?;
            let role = out.checks_role && v.checks_role;
            // The weakest: a switched guard decides when the others do not.
            if out.switch.is_none() && v.switch.is_some() {
                out = v;
            }
            out.checks_role = role;
        }
        Some(out)
    }

    /// A setting under which a predicate called in `test` answers `True` for everyone
    /// (`if app.config["WRITE_ACCESS"] == "ANONYMOUS": return True`), as a switch that holds
    /// when the setting does not. Branches for other values of a parameter the call passes
    /// as a literal (`if permission == "READ":` for `has_permission("WRITE")`) are skipped,
    /// and a predicate that only returns another's result is followed.
    fn permissive_predicate(&self, file: usize, root: &'a [Stmt], test: &Expr) -> Option<Switch> {
        let mut found = None;
        test.any(&mut |x| {
            if let Some(call) = x.as_call() {
                found = self.permissive_call(file, root, &call.func, &LiteralArgs::of(call), 0);
            }
            found.is_some()
        });
        found
    }

    fn permissive_call(
        &self,
        file: usize,
        root: &'a [Stmt],
        func: &Expr,
        args: &LiteralArgs,
        depth: u32,
    ) -> Option<Switch> {
        if depth > 2 {
            return None;
        }
        if let Some(hook) = self.permissive_hook(file, func) {
            return Some(hook);
        }
        let resolved = match self.model.resolve_definition(file, func) {
            Some((f, Some(Stmt::FunctionDef(function)), _)) => Some((f, function.as_ref())),
            // `self.authenticate(key)` with `self.authenticate = check_key` in `__init__`.
            _ => self.bound_function(file, func).or_else(|| {
                // `self.check_permission("READ")`: the method of the class making the call.
                let ExprKind::Attribute { value, attr } = &func.kind else {
                    return None;
                };
                if value.as_name() != Some("self") {
                    return None;
                }
                let class = innermost_class(self.model.files[file].body(), func.span)?;
                find_method(self.model, file, class, attr).map(|(f, _, m)| (f, m))
            }),
        };
        let (def_file, function) = match resolved {
            Some(found) => found,
            None => match self.instance_method(file, root, func) {
                Some((f, method, _)) => (f, method),
                // `auth_manager.has_permission(...)` with `auth_manager` chosen at module level
                // by the settings: permissive if any of the choices is.
                None => {
                    return self
                        .block_instance_methods(file, func)
                        .into_iter()
                        .find_map(|(f, method)| self.permissive_function(f, method, args, depth));
                }
            },
        };
        self.permissive_function(def_file, function, args, depth)
    }

    /// `self.has_delete_permission(request)` where the method, in the calling class (or its
    /// nearest project base) or in an override of a project subclass, answers `True` to
    /// everyone: a hook left for the classes built on it to override, which refuses nobody
    /// until one does. The switch points at that method's `def`.
    fn permissive_hook(&self, file: usize, func: &Expr) -> Option<Switch> {
        let ExprKind::Attribute { value, attr } = &func.kind else {
            return None;
        };
        if value.as_name() != Some("self") {
            return None;
        }
        let class = innermost_class(self.model.files[file].body(), func.span)?;
        let (method_file, _, method) = find_method(self.model, file, class, attr)?;
        let (hook_file, hook) = if allows_everyone(method) || admits_on_own_state(method) {
            (method_file, method)
        } else {
            self.methods_named(attr)
                .iter()
                .find(|&&(sub_file, sub, other)| {
                    allows_everyone(other)
                        && class_hierarchy(self.model, sub_file, sub)
                            .iter()
                            .any(|(_, c)| std::ptr::eq(*c, class))
                })
                .map(|&(sub_file, _, other)| (sub_file, other))?
        };
        Some(Switch {
            file: hook_file,
            test: hook.def_span,
            negated: false,
            parameter: true,
        })
    }

    /// The project function an instance attribute is set to in the class's methods:
    /// `self.authenticate` after `self.authenticate = check_key`.
    fn bound_function(&self, file: usize, func: &Expr) -> Option<(usize, &'a Function)> {
        let ExprKind::Attribute { value, attr } = &func.kind else {
            return None;
        };
        if value.as_name() != Some("self") {
            return None;
        }
        let class = innermost_class(self.model.files[file].body(), func.span)?;
        let assigned = crate::apps::instance_attribute_value(class, attr)?;
        assigned.as_name()?;
        match self.model.resolve_definition(file, assigned)? {
            (f, Some(Stmt::FunctionDef(function)), _) => Some((f, function.as_ref())),
            _ => None,
        }
    }

    /// `if not self.auth.is_logged_in(user):` where `self.auth` holds a constructor parameter
    /// whose default is a project object answering `True` to everyone (`auth=NoAuth()`, whose
    /// `is_logged_in` returns `True`): the refusal happens only when the caller passes another.
    fn permissive_default(&self, file: usize, test: &Expr) -> Option<Switch> {
        let mut found = None;
        test.any(&mut |x| {
            let Some(call) = x.as_call() else {
                return false;
            };
            let ExprKind::Attribute {
                value,
                attr: method,
            } = &call.func.kind
            else {
                return false;
            };
            let ExprKind::Attribute {
                value: receiver,
                attr,
            } = &value.kind
            else {
                return false;
            };
            if receiver.as_name() != Some("self") {
                return false;
            }
            found = self.permissive_parameter(file, call.func.span, attr, method);
            found.is_some()
        });
        found
    }

    fn permissive_parameter(
        &self,
        file: usize,
        at: Span,
        attr: &str,
        method: &str,
    ) -> Option<Switch> {
        // The class whose body holds the test, and the method that assigns `self.<attr>`.
        let class = innermost_class(self.model.files[file].body(), at)?;
        let (init, value) = class.body.iter().find_map(|stmt| {
            let Stmt::FunctionDef(m) = stmt else {
                return None;
            };
            if !m.self_attributes.may_contain(attr) {
                return None;
            }
            crate::values::attribute_assignments(&m.body, attr)
                .into_iter()
                .find(|(receiver, _)| receiver.as_name() == Some("self"))
                .map(|(_, value)| (m, value))
        })?;
        let name = value.as_name()?;
        let param = init.params.iter().find(|p| p.name == name)?;
        let default = param.default.as_deref()?.as_call()?;
        let (class_file, Some(Stmt::ClassDef(default_class)), _) =
            self.model.resolve_definition(file, &default.func)?
        else {
            return None;
        };
        let (_, _, answer) = find_method(self.model, class_file, default_class, method)?;
        let body = code_statements(&answer.body);
        matches!(body.as_slice(), [Stmt::Return { value: Some(v), .. }] if v.as_bool() == Some(true))
            .then_some(Switch {
                file,
                test: param.span,
                negated: false,
                parameter: true,
            })
    }

    /// The methods `name.method` may call when a module-level block binds `name` to instances
    /// of project classes (`if ...: auth_manager = SimpleAuth() elif ...: auth_manager =
    /// ProxyHeaderAuth(...)`).
    fn block_instance_methods(&self, file: usize, func: &Expr) -> Vec<(usize, &'a Function)> {
        let mut out = Vec::new();
        let ExprKind::Attribute { value, attr } = &func.kind else {
            return out;
        };
        let Some(name) = value.as_name() else {
            return out;
        };
        let Some(block) = self.model.files[file].block_binding(name) else {
            return out;
        };
        walk_stmts(std::slice::from_ref(block), &mut |stmt| {
            if let Stmt::Assign {
                targets,
                value: Some(v),
                ..
            } = stmt
                && targets.iter().any(|t| t.as_name() == Some(name))
                && let Some(c) = v.as_call()
                && let Some((cf, Some(Stmt::ClassDef(class)), _)) =
                    self.model.resolve_definition(file, &c.func)
                && let Some((mf, _, method)) = find_method(self.model, cf, class, attr)
            {
                out.push((mf, method));
            }
        });
        out
    }

    /// [`Judge::permissive_call`] of a function already found.
    fn permissive_function(
        &self,
        def_file: usize,
        function: &'a Function,
        args: &LiteralArgs,
        depth: u32,
    ) -> Option<Switch> {
        // Literal arguments by parameter name (`self` is not passed).
        let params: Vec<&Param> = function
            .params
            .iter()
            .filter(|p| p.name != "self" && p.name != "cls")
            .collect();
        let literals: Vec<(&str, &str)> = params
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((p.name.as_str(), args.get(&p.name, i)?)))
            .collect();
        let body = code_statements(&function.body);
        // A parameter passed on carries its literal; a literal stays itself.
        let carried = |a: &Expr| match a.as_name() {
            Some(n) => literals
                .iter()
                .find(|(name, _)| *name == n)
                .map(|(_, text)| text.to_string()),
            None => a.as_str().map(str::to_string),
        };
        let handed_on = |inner: &Call| LiteralArgs {
            positional: inner.args.iter().map(carried).collect(),
            keywords: inner
                .keywords
                .iter()
                .filter_map(|k| Some((k.arg.as_deref()?.to_string(), carried(&k.value)?)))
                .collect(),
        };
        // `def has_permission(p, user=current_user): return auth_manager.has_permission(p, user)`:
        // the literals it is given, handed on.
        if let [
            Stmt::Return {
                value: Some(value), ..
            },
        ] = body.as_slice()
            && let Some(inner) = value.as_call()
            && inner.args.iter().all(|a| match a.as_name() {
                Some(n) => params.iter().any(|p| p.name == n),
                None => a.as_str().is_some(),
            })
        {
            return self.permissive_call(
                def_file,
                &function.body,
                &inner.func,
                &handed_on(inner),
                depth + 1,
            );
        }
        if let Some(found) =
            self.permissive_branch(def_file, &function.body, &function.body, &literals)
        {
            return Some(found);
        }
        // `def check_permission(self, permission): if not has_permission(permission, user):
        // abort(403)`: a check that refuses only when a permission predicate it asks fails is
        // as permissive as that predicate, for the literals handed on.
        body.iter().find_map(|stmt| {
            let Stmt::If {
                test, body: then, ..
            } = stmt
            else {
                return None;
            };
            if !self.branch_refuses(def_file, &function.body, then) {
                return None;
            }
            let mut found = None;
            test.any(&mut |x| {
                if let Some(inner) = x.as_call() {
                    found = self.permissive_call(
                        def_file,
                        &function.body,
                        &inner.func,
                        &handed_on(inner),
                        depth + 1,
                    );
                }
                found.is_some()
            });
            found
        })
    }

    fn permissive_branch(
        &self,
        file: usize,
        root: &'a [Stmt],
        body: &'a [Stmt],
        literals: &[(&str, &str)],
    ) -> Option<Switch> {
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
            // `if permission.upper() == "READ":` for another permission than the one asked.
            if let Some(matches) = literal_parameter_test(test, literals) {
                let branch: &[Stmt] = if matches { then } else { orelse };
                if let Some(found) = self.permissive_branch(file, root, branch, literals) {
                    return Some(found);
                }
                continue;
            }
            // `logging.debug("auth is off"); return True`: what it logs changes nothing.
            let grants_all = matches!(then.split_last(), Some((Stmt::Return { value: Some(v), .. }, before))
                if v.as_bool() == Some(true)
                    && before.iter().all(|s| matches!(s, Stmt::Expr { .. })));
            // About the settings, not the caller: `app.config["WRITE_ACCESS"] == "ANONYMOUS"`
            // names the anonymous in a setting's value.
            let about_caller = test.any(&mut |x| match &x.kind {
                ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => IDENTITY.found_in(n),
                _ => false,
            });
            // `api_key = os.getenv("SERVICE_API_KEY")` then `if api_key is None: return
            // True`: the variable holds a setting, whatever it is called.
            let setting_variable = tested_value(test).as_name().is_some_and(|n| {
                let mut values = root_assignments(root, n).peekable();
                values.peek().is_some() && values.all(|v| self.reads_configuration(file, v, false))
            });
            if grants_all
                && (setting_variable
                    || !about_caller && self.reads_configuration(file, test, false))
            {
                return Some(Switch {
                    file,
                    test: test.span,
                    negated: true,
                    parameter: false,
                });
            }
            // `if not auth_enabled(): return True`, where the helper reads only the settings:
            // its name mentions authentication, its body says it is a switch.
            if grants_all && let Some(switch) = self.settings_predicate(file, test) {
                return Some(switch.negate());
            }
            for inner in [then.as_slice(), orelse.as_slice()] {
                if let Some(found) = self.permissive_branch(file, root, inner, literals) {
                    return Some(found);
                }
            }
        }
        None
    }

    /// `if not container.auth_service.validate(request.headers):` where `container` is a local
    /// annotated with (or built from) a project class whose methods set `self.auth_service =
    /// AuthService(...)`, and the validator, one call deep, opens with `if not
    /// self.is_auth_enabled: return True`, the flag set in `__init__` from constructor
    /// parameters that default to nothing (`auth_token: Optional[str] = None`): it admits
    /// everyone until a token is configured. The refusal happens only while the flag holds.
    fn validator_off_by_default(
        &self,
        file: usize,
        root: &'a [Stmt],
        test: &Expr,
    ) -> Option<Switch> {
        let call = without_not(test).as_call()?;
        let ExprKind::Attribute {
            value: holder,
            attr: method,
        } = &call.func.kind
        else {
            return None;
        };
        let ExprKind::Attribute {
            value: owner,
            attr: service,
        } = &holder.kind
        else {
            return None;
        };
        let owner = owner.as_name().filter(|n| *n != "self")?;
        // `container: Container = blueprint.container`, or `container = Container(...)`.
        let annotated = root.iter().find_map(|stmt| match stmt {
            Stmt::Assign {
                targets,
                annotation: Some(annotation),
                ..
            } if targets.iter().any(|t| t.as_name() == Some(owner)) => Some(&**annotation),
            _ => None,
        });
        let constructions = self.local_constructions(root);
        let class_expr = match annotated {
            Some(a) => a,
            None => &constructions.get(owner)?.as_call()?.func,
        };
        let (owner_file, Stmt::ClassDef(owner_class)) =
            self.model.project_definition(file, class_expr)?
        else {
            return None;
        };
        let built = crate::apps::instance_attribute_value(owner_class, service)?.as_call()?;
        let (service_file, Stmt::ClassDef(service_class)) =
            self.model.project_definition(owner_file, &built.func)?
        else {
            return None;
        };
        // A literal key given at construction turns the check on for good.
        if built
            .argument_values()
            .any(|a| is_literal(a) && !matches!(a.kind, ExprKind::NoneLiteral))
        {
            return None;
        }
        let (validator_file, _, validator) =
            find_method(self.model, service_file, service_class, method)?;
        let Some(Stmt::If {
            test: opening,
            body: then,
            ..
        }) = code_statements(&validator.body).first().copied()
        else {
            return None;
        };
        // `logger.debug("auth is off"); return True`: what it logs changes nothing.
        let grants_all = matches!(then.split_last(), Some((Stmt::Return { value: Some(v), .. }, before))
            if v.as_bool() == Some(true)
                && before.iter().all(|s| matches!(s, Stmt::Expr { .. })));
        if !grants_all || !tests_absent_value(opening) {
            return None;
        }
        let ExprKind::Attribute {
            value: receiver,
            attr: flag,
        } = &tested_value(opening).kind
        else {
            return None;
        };
        if receiver.as_name() != Some("self") {
            return None;
        }
        // The flag: set once in `__init__`, from parameters that default to nothing.
        let (_, _, init) = find_method(self.model, service_file, service_class, "__init__")?;
        let assignments: Vec<&Expr> = crate::values::attribute_assignments(&init.body, flag)
            .into_iter()
            .filter(|(r, _)| r.as_name() == Some("self"))
            .map(|(_, v)| v)
            .collect();
        let [value] = assignments.as_slice() else {
            return None;
        };
        let unset = |p: &Param| {
            p.default.as_deref().is_some_and(|d| {
                matches!(d.kind, ExprKind::NoneLiteral)
                    || d.as_str() == Some("")
                    || d.as_bool() == Some(false)
            })
        };
        let mut from_unset_parameter = false;
        let mut other_names = false;
        value.any(&mut |x| {
            if let Some(n) = x.as_name() {
                match init.params.iter().find(|p| p.name == n) {
                    Some(p) if unset(p) => from_unset_parameter = true,
                    _ if n == "len" => {}
                    _ => other_names = true,
                }
            }
            false
        });
        (from_unset_parameter && !other_names).then_some(Switch {
            file: validator_file,
            test: opening.span,
            negated: true,
            parameter: false,
        })
    }

    /// The method `name.method` calls when `name` holds an instance of a project class built
    /// in `root` (`page = Page(path)`) or at module level (`server = GitHttpServer()`).
    fn instance_method(
        &self,
        file: usize,
        root: &'a [Stmt],
        func: &Expr,
    ) -> Option<(usize, &'a Function, SelfCtx<'a>)> {
        // `checker = KeyChecker(api_key=key)` then `await checker(request)`: its `__call__`.
        let (value, attr) = match &func.kind {
            ExprKind::Attribute { value, attr } => (&**value, attr.as_str()),
            ExprKind::Name(_) => (func, "__call__"),
            _ => return None,
        };
        let (built_in, call) = match &value.kind {
            // `Page(path).purge()`
            ExprKind::Call(call) => (file, &**call),
            _ => {
                let name = value.as_name().filter(|n| *n != "self")?;
                // `from admin import dashboard` with `dashboard = Dashboard()` at the top of
                // the project module `admin`: that construction, read in its module.
                // `db.session.add(...)`, `logger.info(...)`: other imported names are no
                // project class's instance.
                if self.model.files[file].imports.get(name).is_some() {
                    let (def_file, Stmt::Assign { value: Some(v), .. }) =
                        self.model.project_definition(file, value)?
                    else {
                        return None;
                    };
                    (def_file, v.as_call()?)
                } else {
                    let local = self.local_constructions(root).get(name).copied();
                    let value = match local {
                        Some(v) => v,
                        None => match self.model.files[file].top_level(name)? {
                            Stmt::Assign { value: Some(v), .. } => v,
                            _ => return None,
                        },
                    };
                    (file, value.as_call()?)
                }
            }
        };
        let (class_file, Stmt::ClassDef(class)) =
            self.model.project_definition(built_in, &call.func)?
        else {
            return None;
        };
        let (method_file, _, method) = find_method(self.model, class_file, class, attr)?;
        Some((
            method_file,
            method,
            SelfCtx {
                file: class_file,
                class,
                current: None,
            },
        ))
    }

    /// The `__init__` of the project class `func` names (its own or a project base's), with
    /// the class for `self.` calls: what calling the class runs.
    fn constructor(&self, file: usize, func: &Expr) -> Option<(usize, &'a Function, SelfCtx<'a>)> {
        let (class_file, Stmt::ClassDef(class)) = self.model.project_definition(file, func)? else {
            return None;
        };
        let (method_file, _, init) = find_method(self.model, class_file, class, "__init__")?;
        Some((
            method_file,
            init,
            SelfCtx {
                file: class_file,
                class,
                current: Some(init),
            },
        ))
    }

    /// The calls `root` last assigns to simple names, not looking into nested functions.
    fn local_constructions(&self, root: &'a [Stmt]) -> Rc<HashMap<&'a str, &'a Expr>> {
        let key = root.as_ptr() as usize;
        if let Some(known) = self.local_constructions.borrow().get(&key) {
            return Rc::clone(known);
        }
        let mut found: HashMap<&'a str, &'a Expr> = HashMap::default();
        walk_stmts(root, &mut |stmt| {
            if let Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } = stmt
                && let [target] = targets.as_slice()
                && let Some(name) = target.as_name()
            {
                if value.as_call().is_some() {
                    found.insert(name, value);
                } else {
                    found.remove(name);
                }
            }
        });
        let found = Rc::new(found);
        self.local_constructions
            .borrow_mut()
            .insert(key, Rc::clone(&found));
        found
    }

    /// A project function defined at module level under a feature check or an import guard
    /// (`if MCP_AVAILABLE: def handle(...)`, `try: ... def f(...)`): Python binds it when the
    /// module is imported, though it is not a top-level statement.
    fn conditional_definition(&self, qualified: &str) -> Option<(usize, &'a Function)> {
        let (module, name) = qualified.rsplit_once('.')?;
        let (index, _) = self.model.module(module)?;
        self.conditional_definition_in(index, name)
    }

    fn conditional_definition_in(&self, index: usize, name: &str) -> Option<(usize, &'a Function)> {
        let source = &self.model.files[index];
        fn find<'s>(body: &'s [Stmt], name: &str, depth: u32) -> Option<&'s Function> {
            body.iter().rev().find_map(|stmt| match stmt {
                Stmt::FunctionDef(f) if depth > 0 && f.name == name => Some(f.as_ref()),
                Stmt::If { .. } | Stmt::Try { .. } if depth < 3 => stmt
                    .child_bodies()
                    .find_map(|child| find(child, name, depth + 1)),
                _ => None,
            })
        }
        find(source.body(), name, 0).map(|f| (index, f))
    }

    /// `Class.method` where `Class` is a project class: the method, from the class or its
    /// project bases (a static or class method called on the class).
    fn class_method(&self, file: usize, func: &Expr) -> Option<(usize, &'a Function)> {
        let ExprKind::Attribute { value, attr } = &func.kind else {
            return None;
        };
        if !matches!(value.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
            return None;
        }
        let (class_file, class) = self.project_class(file, value)?;
        find_method(self.model, class_file, class, attr).map(|(f, _, m)| (f, m))
    }

    /// A method of a class-based view judged for that view's class.
    /// The project's methods named `name`, stubs left out.
    fn methods_named(&self, name: &str) -> &[(usize, &'a Class, &'a Function)] {
        let index = self.methods_by_name.get_or_init(|| {
            let mut index: MethodsByName<'a> = HashMap::default();
            for (i, module) in self.model.files.iter().enumerate() {
                if module.is_test() {
                    continue;
                }
                for stmt in module.body() {
                    let Stmt::ClassDef(class) = stmt else {
                        continue;
                    };
                    for s in &class.body {
                        if let Stmt::FunctionDef(m) = s
                            && !is_stub(m)
                        {
                            index.entry(m.name.as_str()).or_default().push((
                                i,
                                class.as_ref(),
                                m.as_ref(),
                            ));
                        }
                    }
                }
            }
            index
        });
        index.get(name).map_or(&[], Vec::as_slice)
    }

    /// A method called on an object whose class the analysis cannot tell (what a dependency
    /// or `request.state` holds), judged by the project methods of that name: `None` when
    /// the project defines none (the name is all there is), otherwise a guard only when
    /// every one of them refuses the caller. A method that refuses only when the caller
    /// passes a flag (`def authenticate_request(self, request, require=False)` raising under
    /// `if require and ...`) refuses only at calls that pass it.
    fn named_method_guard(
        &self,
        name: &str,
        call: Option<&Call>,
        depth: u32,
        credentials: bool,
    ) -> Option<Option<Verdict>> {
        let candidates = self.methods_named(name);
        if candidates.is_empty() || candidates.len() > 4 {
            return None;
        }
        let mut all = Verdict::default();
        for &(cf, class, method) in candidates {
            if credentials && !is_guard_call_name(&method.name) {
                return Some(None);
            }
            let flag = refusal_flag(method);
            let insisted = match flag {
                Some(flag) if !call.is_some_and(|c| passes_true(c, method, flag)) => {
                    return Some(None);
                }
                Some(_) => true,
                None => false,
            };
            let ctx = SelfCtx {
                file: cf,
                class,
                current: None,
            };
            match self.method_guard(cf, method, depth + 1, ctx) {
                Some(v) => {
                    all.absorb(&v);
                    all.checks_role |= insisted && is_authorization_call_name(name);
                }
                // `auth.authorize_request(request, resource, {Permission.DELETE},
                // require=True)`: the caller insists, and every refusal of the method is
                // under that flag, so the one it raises is an answer to the check it is
                // named for.
                None if insisted && is_authorization_call_name(name) => {
                    all.grant(None);
                    all.checks_role = true;
                }
                None => return Some(None),
            }
        }
        Some(Some(all))
    }

    fn method_guard(
        &self,
        file: usize,
        method: &'a Function,
        depth: u32,
        ctx: SelfCtx<'a>,
    ) -> Option<Verdict> {
        let key = (file, method.span.start, ctx.file, ctx.class.span.start);
        memoised_guard(&self.method_memo, key, depth, || {
            let inner = SelfCtx {
                current: Some(method),
                ..ctx
            };
            self.body_verdict_in(file, &method.body, depth + 1, Some(inner), false)
        })
    }

    /// Walks statements looking for refusals under a condition (`gate` is the test of the
    /// innermost enclosing `if`, or the exception type of an `except`). A refusal counts when
    /// the condition is about the caller lacking an identity (`if not current_user.is_authenticated`,
    /// `if token is None`, an `except` around a verification), not when it turns away callers
    /// who have one (`if current_user.is_authenticated: return redirect(...)`, an
    /// anonymous-only view). After `if user: return f(...)`, the rest of the body runs for
    /// anonymous callers only.
    fn gates(
        &self,
        file: usize,
        root: &'a [Stmt],
        body: &'a [Stmt],
        gate: Option<Gate>,
        depth: u32,
        v: &mut Verdict,
    ) {
        let mut gate = gate;
        for stmt in body {
            match stmt {
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    // Conditions accumulate: an `else` deep in an `elif` chain under
                    // `if not current_user.is_authenticated:` is still about identity.
                    // `all_admins = conf.getboolean(...)` then `if not all_admins: raise`: a
                    // switch of the configuration, whatever its name says.
                    // `if self._basic_auth_configured():` where the helper returns a test of
                    // the settings: a switch, whatever the helper is called.
                    let helper_switch = self.settings_predicate(file, test);
                    // `if has_login and "session" in ws.scope:` where `has_login` is a module
                    // flag: only the rest asks about the caller.
                    let caller_part = self.without_module_flags(file, test);
                    // `if SERVER_TOKEN is not None:` on a setting: a switch, whatever the
                    // name says about tokens or users.
                    let mut own =
                        if helper_switch.is_some() || self.is_config_variable(file, root, test) {
                            Gate::default()
                        } else if caller_part.is_none()
                            || self.configured_setting_test(file, root, test)
                            || self.tests_injected_parameter(root, test)
                        {
                            // The guards under it run only while the flag holds.
                            Gate {
                                switch: Some(Switch {
                                    file,
                                    test: test.span,
                                    negated: false,
                                    parameter: false,
                                }),
                                ..Gate::default()
                            }
                        } else if let Some(switch) = self.anonymous_under_switch(file, root, test) {
                            // `needs_auth = not has_credentials and not settings.anonymous`:
                            // the branch runs for callers who presented nothing, while the
                            // setting holds.
                            Gate {
                                identity: true,
                                polarity: Polarity::Lacks,
                                switch: Some(switch),
                                ..Gate::default()
                            }
                        } else {
                            self.gate_of(file, caller_part.unwrap_or(test))
                        };
                    // `user = User.query.filter(User.login == body["login"]).first()`, then
                    // `if user is None: raise Forbidden`: the record the submission names, not
                    // the caller, whatever the local is called. The checks below that follow
                    // where a value comes from may still find the caller in it.
                    if own.identity
                        && own.switch.is_none()
                        && self.handler_bodies.contains(&(root.as_ptr() as usize))
                        && self.reads_submission(root)
                        && {
                            // `if current_app.config["VERIFY"] and not user.verified:`: the
                            // setting only switches the test of the record.
                            let tested = caller_part.unwrap_or(test);
                            let parts: Vec<&Expr> = match &tested.kind {
                                ExprKind::BoolOp { values, .. } => {
                                    values.iter().filter(|v| !self.is_config(file, v)).collect()
                                }
                                _ => vec![tested],
                            };
                            !parts.is_empty()
                                && parts.iter().all(|p| {
                                    tests_only_submitted_records(root, p, &|callee| {
                                        self.project_class(file, callee).map(|(cf, class)| {
                                            declares_credential_field(self.model, cf, class)
                                        })
                                    })
                                })
                        }
                    {
                        own.identity = false;
                        own.role = false;
                    }
                    // `if has_login and ...:`: the guards under it run only while the flag holds.
                    if own.switch.is_none()
                        && caller_part.is_some_and(|c| c.span != test.span)
                        && let ExprKind::BoolOp { values, .. } = &test.kind
                        && let Some(flag) =
                            values.iter().find(|v| self.module_flag(file, v, test.span))
                    {
                        own.switch = Some(Switch {
                            file,
                            test: flag.span,
                            negated: false,
                            parameter: false,
                        });
                    }
                    // `allowed = policy.evaluate(g.role, resource, action)`, then `if allowed !=
                    // "allow": abort(403)`: the local holds the answer of a check of the caller,
                    // and comparing it with a value tests that check, as written inline.
                    let mut local_checked = false;
                    if !own.identity
                        && !own.role
                        && helper_switch.is_none()
                        && let Some((name, g)) = self.checked_local(file, root, test)
                    {
                        // The values it is compared with are answers, not settings.
                        local_checked = true;
                        let p = polarity_of(test, &|e| e.any(&mut |x| x.as_name() == Some(name)));
                        own.identity = g.identity;
                        own.role = g.role;
                        own.polarity = p;
                        own.role_polarity = p;
                    }
                    // `decision = decide_auth(header=request.headers.get("Authorization"))`,
                    // then `if not decision.allowed:`: see [`Judge::credential_decision_test`].
                    if !own.identity
                        && !own.role
                        && helper_switch.is_none()
                        && let Some(polarity) = self.credential_decision_test(file, root, test)
                    {
                        own.identity = true;
                        own.polarity = polarity;
                    }
                    // `key = request.headers["X-API-Key"]` then `if key:`.
                    // `if creds is None: raise 401` where `creds` is a parameter bound to a
                    // security scheme (`Security(HTTPBearer(auto_error=False))`).
                    // `if not caller_allowed():` where the predicate answers `True` for a
                    // caller with an identity and `False` at its end: a test of the caller,
                    // whatever the predicate is called.
                    if !own.identity
                        && helper_switch.is_none()
                        && let Some(polarity) = self.identity_predicate(file, test)
                    {
                        own.identity = true;
                        own.polarity = polarity;
                    }
                    // `if request.remote_addr not in LOOPBACK: abort(403)`: only callers on
                    // the server's own machine (or the addresses it names) come in, whatever
                    // they present: see [`Judge::peer_address_test`].
                    let mut peer_checked = false;
                    if !own.identity
                        && helper_switch.is_none()
                        && let Some(polarity) = self.peer_address_test(file, root, test, &[], 0)
                    {
                        own.identity = true;
                        own.polarity = polarity;
                        peer_checked = true;
                    }
                    // `if not api_verify(): return refuse(403)`: see
                    // [`Judge::credential_predicate`].
                    if !own.identity
                        && helper_switch.is_none()
                        && let Some((polarity, role)) = self.credential_predicate(file, test)
                    {
                        own.identity = true;
                        own.polarity = polarity;
                        if role {
                            own.role = true;
                            own.role_polarity = polarity;
                        }
                    }
                    // `if not permitted(): abort(401)`: see [`Judge::ambient_access_check`].
                    if !own.identity
                        && helper_switch.is_none()
                        && self.ambient_access_check(file, root, test, body)
                    {
                        own.identity = true;
                        own.polarity = Polarity::Lacks;
                    }
                    // `commit = await latest_commit(repo, request.headers.get("authorization"))`
                    // forwarding the header upstream: `if commit is None:` tests no credential.
                    let presented = presented_credential_variable(root, test)
                        .filter(|n| !self.forwarded_credential(file, root, n))
                        .or_else(|| self.presented_scheme_parameter(root, test));
                    if !own.identity
                        && let Some(name) = presented
                    {
                        own.identity = true;
                        // `creds is None` mentions the name inside a comparison.
                        own.polarity =
                            polarity_of(test, &|e| e.any(&mut |x| x.as_name() == Some(name)));
                    }
                    // `if request.headers.get("X-Node") is None: abort(401)`, then `if
                    // request.headers["X-Node"] not in NODES: abort(401)`: see
                    // [`Judge::refused_header_check`].
                    // The stored keys it is compared with are no setting of the server.
                    let mut header_checked = false;
                    if !own.identity
                        && presented.is_none()
                        && helper_switch.is_none()
                        && let Some(polarity) = self.refused_header_check(file, root, test)
                    {
                        own.identity = true;
                        own.polarity = polarity;
                        header_checked = true;
                    }
                    // `if app.config["API_KEY"] != get_value(request, "key"): abort(401)`:
                    // see [`Judge::configured_key_check`]. The configured side makes it no
                    // switch of the server.
                    if !own.identity
                        && presented.is_none()
                        && helper_switch.is_none()
                        && let Some(polarity) = self.configured_key_check(file, root, test)
                    {
                        own.identity = true;
                        own.polarity = polarity;
                        own.compared = true;
                        own.switch = None;
                        header_checked = true;
                    }
                    // `if EXPORT_KEY != key: raise 403` in a handler that refuses to serve
                    // while the server has no key configured: a shared secret, whatever the
                    // names (see [`configured_secret_operand`]).
                    if !own.identity
                        && presented.is_none()
                        && matches!(test.kind, ExprKind::Compare { .. })
                        && self.handler_bodies.contains(&(root.as_ptr() as usize))
                        && let Some(handler) = self
                            .apps
                            .routes
                            .iter()
                            .find(|r| std::ptr::eq(r.handler.body.as_ptr(), root.as_ptr()))
                            .map(|r| r.handler)
                        && configured_secret_operand(self.model, file, handler, test).is_some()
                    {
                        own.identity = true;
                        own.polarity = match test.comparisons().as_slice() {
                            [(_, CmpOp::NotEq, _)] => Polarity::Lacks,
                            _ => Polarity::Has,
                        };
                    }
                    // `allowed, protocol = authenticate_websocket(websocket)`, then `if not
                    // allowed:`: the verdict of a check of the caller, whatever its name.
                    // Only `if not allowed:` or `if allowed:` read the verdict itself; `if
                    // error is not None:` after `error = authenticate_request(...)` reads
                    // something else.
                    // `if record is None:` after `record = verify_token(...)` reads the
                    // verdict too: nothing was verified.
                    let verdict = match &test.kind {
                        ExprKind::UnaryOp {
                            op: UnaryOp::Not,
                            operand,
                        } => operand.as_name(),
                        _ => match test.comparisons().as_slice() {
                            [(left, CmpOp::Is, right)]
                                if matches!(right.kind, ExprKind::NoneLiteral) =>
                            {
                                left.as_name()
                            }
                            _ => test.as_name(),
                        },
                    };
                    // `if member is None:` after `member = find_member(session.get("sid"))`: the
                    // lookup of whom the session names found nobody.
                    let checked = verdict.filter(|n| {
                        !own.identity
                            && presented.is_none()
                            && verdict_of_identity_check(&self.model.files[file].imports, root, n)
                    });
                    let session_checked = verdict.filter(|n| {
                        checked.is_none()
                            && !own.identity
                            && presented.is_none()
                            && self.session_keyed_lookup(file, root, n)
                    });
                    // `caller = ctx(request)`, then `if caller is None: raise HTTPException(403)`
                    // where the helper returns what it made of the presented token, or None.
                    let context_checked = verdict.filter(|n| {
                        checked.is_none()
                            && session_checked.is_none()
                            && !own.identity
                            && presented.is_none()
                            && self.caller_context_local(file, root, n)
                    });
                    // Whom the session names is the caller, not the server's state, whatever
                    // the local's name (`member = current_member()` is no setting).
                    let mut by_session = session_checked.is_some() || context_checked.is_some();
                    if let Some(name) = checked.or(session_checked).or(context_checked) {
                        own.identity = true;
                        own.polarity = polarity_of(test, &|e| e.as_name() == Some(name));
                    }
                    // `if current_member() is None:` where the helper (of this module or
                    // another) returns whom the session names, or None.
                    let subject = tested_value(test);
                    if !own.identity
                        && presented.is_none()
                        && matches!(subject.kind, ExprKind::Call(_) | ExprKind::Await(_))
                        && self.session_lookup_call(file, subject)
                    {
                        by_session = true;
                        own.identity = true;
                        own.polarity =
                            polarity_of(test, &|e| e.any(&mut |x| x.span == subject.span));
                    }
                    // `must_login = True`, cleared only where the session holds a user, then
                    // `if must_login and request.endpoint != "web.login": return redirect(...)`:
                    // the flag stands for the identity test that clears it, whatever its name.
                    if let Some(polarity) = self.identity_flag_polarity(file, root, test) {
                        own.identity = true;
                        own.polarity = polarity;
                    }
                    // `member = Members.find(request.values["u"], request.values["p"])`, then
                    // `if member is None: abort(401)` in a hook: a lookup keyed on a name and a
                    // secret the request presents, refused when it finds nobody, authenticates
                    // the caller whatever the names.
                    if !own.identity
                        && self.hook_bodies.contains(&(root.as_ptr() as usize))
                        && let Some(name) = tested_value(test).as_name()
                        && lookup_on_presented_credentials(
                            &self.model.files[file].imports,
                            root,
                            name,
                        )
                    {
                        own.identity = true;
                        own.polarity =
                            polarity_of(test, &|e| e.any(&mut |x| x.as_name() == Some(name)));
                    }
                    // `response = await client.get(PERMISSIONS_URL, headers={"Authorization":
                    // authorization})`, then `if response.status_code == 401: raise Denied(401)`:
                    // another service's verdict on the credentials the caller presented.
                    if !own.identity
                        && let Some(polarity) = remote_verdict_on_credentials(root, test)
                    {
                        own.identity = true;
                        own.polarity = polarity;
                        own.compared = true;
                    }
                    // `check_password(header)` on what the request's credential header carries
                    // is HTTP authentication, not a login form checking what it was sent.
                    if presented.is_some() {
                        own.credentials = false;
                    }
                    // `if authenticate(api_key):` with `api_key = request.headers.get(
                    // "X-API-KEY")`: what it checks is the credential the request carries, so
                    // it authenticates the caller, whatever the helper is called.
                    if own.credentials && checks_presented_argument(root, test) {
                        own.credentials = false;
                    }
                    // `if not await authenticator.authenticate(websocket):` before the
                    // WebSocket handler accepts the connection: handed the connection, not a
                    // name and password it was sent, it checks what the handshake carries.
                    if own.credentials
                        && self
                            .websocket_accepts
                            .contains_key(&(root.as_ptr() as usize))
                        && checks_whole_request(test)
                    {
                        own.credentials = false;
                    }
                    if presented.is_none()
                        && !by_session
                        && !header_checked
                        && !local_checked
                        && !peer_checked
                        && self.is_server_switch(file, root, test)
                    {
                        own.switch = Some(Switch {
                            file,
                            test: test.span,
                            negated: false,
                            parameter: false,
                        });
                    }
                    if own.switch.is_none() {
                        own.switch = helper_switch;
                    }
                    // `elif logged_in and not can_view(DEFAULT_AREA): return 403 elif not
                    // logged_in: return redirect(login)`: both sides refuse, so the test only
                    // chooses which refusal is returned and switches nothing off.
                    let chooses_refusal = !orelse.is_empty()
                        && never_falls_through(body)
                        && self.branch_refuses(file, root, body)
                        && self.branch_refuses(file, root, orelse);
                    if chooses_refusal {
                        own.switch = None;
                    }
                    // `if not has_permission("WRITE"): abort(403)` where `has_permission`
                    // lets everyone through when a setting says so: the refusal happens only
                    // while the setting does not.
                    let mut permissive = false;
                    if own.switch.is_none() && (own.identity || own.role) {
                        own.switch = self
                            .permissive_predicate(file, root, test)
                            .or_else(|| self.permissive_default(file, test))
                            .or_else(|| self.validator_off_by_default(file, root, test))
                            .or_else(|| self.permissive_fallback(file, test));
                        permissive = own.switch.is_some();
                    }
                    // `if SESSION_API_KEY and api_key != SESSION_API_KEY: raise`: the body
                    // runs only when the server has a key, as under `if SESSION_API_KEY:`. Not
                    // a switch for the `else`, which also runs for a matching key, nor for a
                    // test about callers who have an identity: under `if AUTH_PROXY and header
                    // in request.headers:` the refusals answer those who presented the header.
                    // `if self.api_key and not valid:`: the configured key says nothing about
                    // the caller; the other operands decide whom the branch refuses, and a
                    // failed check (`not valid`) is a caller without credentials.
                    if own.switch.is_none()
                        && own.identity
                        && let ExprKind::BoolOp {
                            op: BoolOp::And,
                            values,
                        } = &test.kind
                        && let Some(setting) = values.iter().find(|v| {
                            self.is_server_switch(file, root, v)
                                && !matches!(v.kind, ExprKind::Compare { .. })
                                || self.configured_setting_test(file, root, v)
                        })
                    {
                        let rest: Vec<&Expr> =
                            values.iter().filter(|v| v.span != setting.span).collect();
                        let polarities: Vec<Polarity> =
                            rest.iter().map(|v| identity_polarity(v)).collect();
                        own.polarity = if polarities.contains(&Polarity::Lacks) {
                            Polarity::Lacks
                        } else if polarities.contains(&Polarity::Has) {
                            Polarity::Has
                        } else if !rest.is_empty()
                            && rest.iter().all(|v| {
                                matches!(
                                    v.kind,
                                    ExprKind::UnaryOp {
                                        op: UnaryOp::Not,
                                        ..
                                    }
                                )
                            })
                        {
                            Polarity::Lacks
                        } else {
                            Polarity::Unknown
                        };
                    }
                    // `if not Permissions.SETTINGS_READ.can() and not first_run:` likewise
                    // refuses callers without the permission only while the setting holds.
                    let conjunct = if own.switch.is_none()
                        && !chooses_refusal
                        && (own.identity && own.polarity == Polarity::Lacks
                            || own.role && own.role_polarity == Polarity::Lacks)
                    {
                        self.conjunct_switch(file, root, test)
                    } else {
                        None
                    };
                    // An `else` after `if not password or auth_matches:` runs only when the
                    // password is set, and then for callers whose credentials do not match.
                    let disjunct = if own.switch.is_none() && own.identity && !chooses_refusal {
                        self.disjunct_switch(file, root, test)
                    } else {
                        None
                    };
                    if let (Some(d), ExprKind::BoolOp { values, .. }) = (disjunct, &test.kind) {
                        let rest: Vec<Polarity> = values
                            .iter()
                            .filter(|v| v.span != d.test)
                            .map(identity_polarity)
                            .collect();
                        own.polarity = if rest.contains(&Polarity::Lacks) {
                            Polarity::Lacks
                        } else if rest.contains(&Polarity::Has) {
                            Polarity::Has
                        } else {
                            Polarity::Unknown
                        };
                    }
                    // `if creds is None:` on what a security scheme presented is the check
                    // of the credential itself, whatever status constant answers it.
                    own.compared = own.identity
                        && (checks_presented_argument(root, test)
                            || checked.is_some()
                            || compares_value(test)
                            || self.presented_scheme_parameter(root, test).is_some());
                    // `if settings.require_auth and policy.needs_token(path=request.url.path):`
                    // picks the paths the refusals under it answer, while a setting holds:
                    // nothing about the caller, whatever the predicate is called.
                    if let ExprKind::BoolOp {
                        op: BoolOp::And,
                        values,
                    } = &test.kind
                        && values.iter().any(selects_paths)
                        && let Some(setting) = values
                            .iter()
                            .find(|v| !selects_paths(v) && self.is_server_switch(file, root, v))
                        && values
                            .iter()
                            .all(|v| selects_paths(v) || self.is_server_switch(file, root, v))
                    {
                        own = Gate {
                            switch: Some(Switch {
                                file,
                                test: setting.span,
                                negated: false,
                                parameter: false,
                            }),
                            ..Gate::default()
                        };
                    }
                    let mut g = own;
                    if let Some(outer) = gate {
                        g.compared |= outer.compared;
                        g.identified_only = outer.identified_only;
                        g.tested = outer.tested;
                        g.switch = own.switch.or(outer.switch);
                        g.identity |= outer.identity;
                        g.role |= outer.role;
                        g.credentials |= outer.credentials;
                        // Under `if token:` every refusal answers credentials the caller chose
                        // to present: without them the request goes through (optional auth).
                        if own.polarity == Polarity::Unknown || outer.polarity == Polarity::Has {
                            g.polarity = outer.polarity;
                        }
                        if own.role_polarity == Polarity::Unknown {
                            g.role_polarity = outer.role_polarity;
                        }
                    }
                    let about_request = own.identity && tests_request_state(test);
                    let mut then_gate = Gate {
                        tested: about_request || g.tested,
                        switch: conjunct.or(g.switch),
                        identified_only: g.identified_only
                            || own.identity
                                && (own.polarity == Polarity::Has
                                    || self.requires_identity(file, root, test)),
                        ..g
                    };
                    // `if user.is_superadmin: return user`, then `if not user.is_active: raise
                    // 401`: the refusal answers the account's state, not the role; only some of
                    // the callers lacking the role are refused, and for something else.
                    if own.identity && !own.role && gate.is_some_and(|o| o.role) {
                        then_gate.role = false;
                        then_gate.role_polarity = Polarity::Unknown;
                    }
                    // `if "lock" in split_group(project.get("group")) and not
                    // current_user.is_active(): abort(401)` in a handler: anonymous callers are
                    // refused only for the records the other operand picks, and anyone may
                    // call the route for the others, so it checks no caller. Not under a
                    // setting (conditional, above) nor for `request.method == "POST"`.
                    if own.identity
                        && !own.role
                        && own.polarity == Polarity::Lacks
                        && own.switch.is_none()
                        && conjunct.is_none()
                        && matches!(
                            test.kind,
                            ExprKind::BoolOp {
                                op: BoolOp::And,
                                ..
                            }
                        )
                        && self.handler_bodies.contains(&(root.as_ptr() as usize))
                        && self.data_conjunct(file, root, test)
                    {
                        then_gate.identified_only = true;
                    }
                    // `url = request.args.get("url")`, then `if url.startswith("gAAAAA"):` and a
                    // 401 when it fails to decrypt: only callers who chose to send such a value
                    // are refused there.
                    if !own.identity
                        && !own.role
                        && own.switch.is_none()
                        && g.polarity == Polarity::Unknown
                        && tests_caller_choice(root, test)
                    {
                        then_gate.polarity = Polarity::Has;
                    }
                    self.gates(file, root, body, Some(then_gate), depth, v);
                    let mut otherwise = g;
                    otherwise.tested |= about_request;
                    if own.polarity != Polarity::Unknown
                        && gate.is_none_or(|o| o.polarity != Polarity::Has)
                    {
                        otherwise.polarity = own.polarity.flip();
                    }
                    if own.role_polarity != Polarity::Unknown {
                        otherwise.role_polarity = own.role_polarity.flip();
                    }
                    // A predicate that lets everyone in under a setting refuses in its `else`
                    // too only while the setting does not hold.
                    if let Some(s) = own.switch.or(disjunct) {
                        otherwise.switch = Some(if permissive { s } else { s.negate() });
                    }
                    self.gates(file, root, orelse, Some(otherwise), depth, v);
                    // `if not settings.auth_required: return f(*args)`: what follows runs only
                    // when the server is configured to check. So too after `if not password or
                    // auth_matches: return f(*args)`, where one alternative is the setting.
                    // `if not auth_enabled and not authenticated: return ""` likewise: past it,
                    // the refusals run only while the switch is on.
                    // Not after `if not notes_enabled: return jsonify(...), 503`: with the
                    // feature off nobody gets through either, so the refusals that follow
                    // decide for every caller who reaches the view.
                    if let Some(s) = own.switch.or(disjunct).or(conjunct)
                        && orelse.is_empty()
                        && lets_through(body)
                        && !self.branch_refuses(file, root, body)
                        && !answers_error_status(body)
                    {
                        // Of two switches in a row the first decides most: `if not
                        // AUTH_REQUIRED: return f()` then `if ALLOW_READONLY: return f()`.
                        let outer = gate.unwrap_or_default();
                        gate = Some(Gate {
                            switch: outer.switch.or(Some(s.negate())),
                            ..outer
                        });
                    }
                    // `if current_user.is_authenticated: return f(*args)`: what follows
                    // runs for anonymous callers.
                    // `if logged_in: if is_admin: return f(*args)`: what follows also runs
                    // for callers without the role.
                    // So too after an `else:` that only flashes a message, or an `elif`
                    // chain that never calls the view: `else: flash("denied")` then `return
                    // redirect(login)`.
                    if own.identity
                        && own.polarity == Polarity::Has
                        && never_calls_wrapped(orelse)
                        && !self.branch_refuses(file, root, body)
                        && let Some(role) = self.grant_by_return(file, body)
                    {
                        gate = Some(Gate {
                            polarity: Polarity::Lacks,
                            // Not after `if is_admin or bypassed:`, which lets others in too.
                            past_admission: !matches!(test.kind, ExprKind::BoolOp { .. })
                                && matches!(code_statements(body).last(),
                                    Some(Stmt::Return { value: Some(v), .. }) if calls_wrapped(v)),
                            role: own.role || role,
                            role_polarity: if role {
                                Polarity::Lacks
                            } else {
                                own.role_polarity
                            },
                            ..g
                        });
                    }
                    // `if key: ...` where every path returns or raises, refusing a bad key
                    // or letting the caller in: what follows runs for callers who presented
                    // none.
                    // So too when some path of the branch falls out of it, as long as it
                    // lets callers in only by returning after a verification (`if token:
                    // user = verify(token); if user is not None: return user`, or a `try`
                    // whose `except` refuses): those who fall out failed the check, so what
                    // follows answers them and anonymous callers alike. Not after `if
                    // is_admin: return f()`, which keeps the role the rule above records.
                    let falls_out_unverified = || {
                        !never_falls_through(body)
                            && self.grant_by_return(file, body).is_none()
                            && (self.branch_refuses(file, root, body)
                                || self.returns_after_verification(file, root, body))
                    };
                    if own.identity
                        && own.polarity == Polarity::Has
                        && orelse.is_empty()
                        && (never_falls_through(body) && self.branch_refuses(file, root, body)
                            || falls_out_unverified())
                        && (lets_caller_in_somewhere(body)
                            || self.returns_admission(file, root, body))
                    {
                        gate = Some(Gate {
                            polarity: Polarity::Lacks,
                            role: false,
                            role_polarity: Polarity::Unknown,
                            credentials: false,
                            ..g
                        });
                    }
                    // `if {"admin", "keys:manage"} & scopes: return True` then `raise
                    // HTTPException(403)`: what follows runs for callers without the role. Not
                    // an ASGI `if scope["type"] != "http": return await self.app(...)`.
                    if !own.identity
                        && own.role
                        && own.role_polarity == Polarity::Has
                        && never_calls_wrapped(orelse)
                        && matches!(body.last(), Some(Stmt::Return { .. }))
                        && names_role_outside_asgi_scope(test)
                        && !self.branch_refuses(file, root, body)
                    {
                        gate = Some(Gate {
                            role_polarity: Polarity::Lacks,
                            ..own
                        });
                    }
                    // `if not token: return error(400, "Token must be set.")` in a hook: a
                    // missing credential answered with a client error refuses anonymous
                    // callers as a 401 does. Only in a hook: in a handler or a helper it
                    // calls, a 400 for a missing value is input validation.
                    let refuses_missing = own.identity
                        && own.polarity == Polarity::Lacks
                        && !own.role
                        && !own.credentials
                        && own.switch.is_none()
                        && then_gate.switch.is_none()
                        && gate.is_none_or(|o| o.polarity != Polarity::Has)
                        && tests_presented_value(test)
                        && words_in(test, &mut |w| MISSING_CREDENTIAL.found_in(w))
                        && self.hook_bodies.contains(&(root.as_ptr() as usize))
                        && answers_client_error(body);
                    if refuses_missing {
                        v.grant_as(None, false);
                    }
                    // `if not header: return await call_next(request)`: what follows runs only
                    // for callers who presented a credential, so its refusals answer bad ones
                    // and anonymous callers are let through.
                    if own.identity
                        && own.polarity == Polarity::Lacks
                        && !own.role
                        && own.switch.is_none()
                        && tests_presented_value(test)
                        && orelse.is_empty()
                        && lets_through(body)
                        && !refuses_missing
                        && !self.branch_refuses(file, root, body)
                    {
                        v.lets_anonymous = true;
                        gate = Some(Gate {
                            polarity: Polarity::Has,
                            credentials: false,
                            ..g
                        });
                    }
                    // `if not token: return None`: anonymous callers are let through.
                    let returns_nothing = |s: &Stmt| {
                        matches!(s, Stmt::Return { value: None, .. })
                            || matches!(
                                s,
                                Stmt::Return {
                                    value: Some(Expr {
                                        kind: ExprKind::NoneLiteral,
                                        ..
                                    }),
                                    ..
                                }
                            )
                    };
                    if own.identity
                        && own.polarity == Polarity::Lacks
                        && body.iter().any(returns_nothing)
                    {
                        v.lets_anonymous = true;
                        // `if user_id is None: return` in a guard: what follows (ownership
                        // or scope checks) refuses only callers who have an identity. In
                        // the handler itself, the return skips the work instead.
                        if !self.handler_bodies.contains(&(root.as_ptr() as usize))
                            && own.switch.is_none()
                            && orelse.is_empty()
                            && body.len() == 1
                            && tests_absent_value(test)
                            && !self.is_server_switch(file, root, test)
                        {
                            gate = Some(Gate {
                                polarity: Polarity::Has,
                                credentials: false,
                                identified_only: true,
                                ..g
                            });
                        }
                    }
                }
                Stmt::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => {
                    self.gates(file, root, body, gate, depth, v);
                    // A refusal in an `except` answers a failed verification only when the
                    // `try` is about the caller (`decode(token)`, `get_user(...)`): a 401 after
                    // `deploy(target)` fails reports the server's own credentials.
                    let mut about_caller =
                        gate.is_some_and(|g| g.switch.is_none() || g.identity || g.role);
                    if !about_caller {
                        // `verify_token(SERVER_TOKEN)` checks the server's own setting: whether
                        // it fails decides nothing about the caller, who sends nothing it reads.
                        walk_exprs(body, &mut |e| {
                            about_caller |=
                                checks_caller(e) && !self.checks_only_settings(file, root, e)
                        });
                    }
                    for h in handlers {
                        // `except NotAuthorized: abort(403)` after an action that checks.
                        let catches_refusal = h.type_.as_ref().is_some_and(names_denied_access);
                        if !about_caller && !catches_refusal {
                            self.gates(file, root, &h.body, gate, depth, v);
                            continue;
                        }
                        // A failed verification; under `if token:` only for callers who
                        // presented a token.
                        let presented = gate.is_some_and(|o| o.polarity == Polarity::Has);
                        let g = Gate {
                            identity: true,
                            role: false,
                            credentials: false,
                            polarity: if presented {
                                Polarity::Has
                            } else {
                                Polarity::Lacks
                            },
                            role_polarity: Polarity::Unknown,
                            switch: gate.and_then(|o| o.switch),
                            business_failure: !catches_refusal
                                && h.type_.as_ref().is_some_and(names_business_failure),
                            identified_only: gate.is_some_and(|o| o.identified_only),
                            tested: false,
                            compared: false,
                            past_admission: false,
                        };
                        self.gates(file, root, &h.body, Some(g), depth, v);
                    }
                    self.gates(file, root, orelse, gate, depth, v);
                    self.gates(file, root, finalbody, gate, depth, v);
                }
                Stmt::FunctionDef(f) => self.gates(file, &f.body, &f.body, None, depth, v),
                Stmt::ClassDef(_) => {}
                Stmt::Raise { exc: Some(e), .. } | Stmt::Return { value: Some(e), .. } => {
                    let Some(g) = gate else {
                        // `return await self.has_permission(request) or self.deny(request)`.
                        if matches!(stmt, Stmt::Return { .. })
                            && let Some((switch, role)) =
                                self.short_circuit_guard(file, root, e, depth)
                        {
                            v.grant(switch);
                            v.checks_role |= role;
                        }
                        continue;
                    };
                    if g.credentials {
                        continue;
                    }
                    // `JSONResponse(status_code=HTTP_403_FORBIDDEN)` with the status imported
                    // from `starlette.status`: a refusal only after a comparison of what the
                    // caller presented.
                    let refusal = self
                        .refusal(file, root, e, depth)
                        .or_else(|| {
                            g.compared
                                .then(|| {
                                    imported_status_refusal(&self.model.files[file].imports, e)
                                })
                                .flatten()
                        })
                        .or_else(|| self.websocket_refusal(root, body, stmt, g))
                        .or_else(|| {
                            (matches!(stmt, Stmt::Raise { .. })
                                && self.raised_in_middleware(file, root, e))
                            .then_some(Refusal::Unauthorized)
                        });
                    if let Some(refusal) = refusal {
                        let counts = match refusal {
                            Refusal::Unauthorized => g.identity || g.role,
                            Refusal::Forbidden => (g.identity || g.role) && !g.business_failure,
                            // `if sm.has_access(...): return f()` then `return
                            // redirect(login_url)`: a caller without the permission is sent
                            // to log in.
                            Refusal::ToLogin => {
                                g.identity || g.role && g.role_polarity == Polarity::Lacks
                            }
                            Refusal::ServesLogin => {
                                g.identity && g.tested && g.polarity == Polarity::Lacks
                            }
                            // `else: flash("denied"); return redirect(".")` after a failed
                            // permission check.
                            // `if auth.is_authenticated(): return f()` then `return
                            // redirect(url_for("goodbye"))`: anonymous callers are sent away.
                            Refusal::Away => {
                                g.role && g.role_polarity == Polarity::Lacks
                                    || g.identity
                                        && g.past_admission
                                        && g.polarity == Polarity::Lacks
                            }
                        };
                        if counts && !g.identified_only && (g.role || g.polarity != Polarity::Has) {
                            v.grant_as(g.switch, g.polarity == Polarity::Has);
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
                    if let Some(refusal) = self.refusal(file, root, value, depth).or_else(|| {
                        g.compared
                            .then(|| {
                                imported_status_refusal(&self.model.files[file].imports, value)
                            })
                            .flatten()
                    }) && !matches!(
                        refusal,
                        Refusal::ToLogin | Refusal::Away | Refusal::ServesLogin
                    ) && !(matches!(refusal, Refusal::Forbidden) && g.business_failure)
                        && (g.identity || g.role)
                        && !g.identified_only
                        && (g.role || g.polarity != Polarity::Has)
                    {
                        v.grant_as(g.switch, g.polarity == Polarity::Has);
                        v.checks_role |= g.role;
                    }
                }
                // `if not valid(token): return` before `await websocket.accept()`.
                Stmt::Return { value: None, .. } => {
                    let Some(g) = gate else { continue };
                    if !g.credentials
                        && self.websocket_refusal(root, body, stmt, g).is_some()
                        && !g.identified_only
                        && g.polarity != Polarity::Has
                    {
                        v.grant_as(g.switch, false);
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

    /// `raise Exception("Missing auth token.")` in the body of a hook or of a project
    /// middleware's `dispatch`/`__call__`, outside any `try`: a builtin exception nobody
    /// answers, so the server answers 500 and the route is never reached, a refusal as a 401
    /// is. Not in a helper the guard calls, whose caller may catch it.
    fn raised_in_middleware(&self, file: usize, root: &[Stmt], e: &Expr) -> bool {
        let func = match &e.kind {
            ExprKind::Call(call) => &call.func,
            _ => e,
        };
        let builtin = func.as_name().is_some_and(|n| {
            matches!(
                n,
                "Exception" | "RuntimeError" | "ValueError" | "PermissionError"
            )
        }) && self.model.files[file].imports.resolve(func).is_none()
            && self.model.resolve_definition(file, func).is_none();
        if !builtin {
            return false;
        }
        let key = root.as_ptr() as usize;
        let in_guard = self.hook_bodies.contains(&key)
            || self
                .middleware_bodies
                .get_or_init(|| {
                    self.apps
                        .middleware
                        .iter()
                        .filter_map(|m| self.project_class(m.file, m.class))
                        .flat_map(|(f, class)| {
                            ["dispatch", "__call__"]
                                .into_iter()
                                .filter_map(move |name| {
                                    find_method(self.model, f, class, name)
                                        .map(|(_, _, method)| method.body.as_ptr() as usize)
                                })
                        })
                        .collect()
                })
                .contains(&key);
        // A `try` around the raise may catch it and hand the request on.
        let mut caught = false;
        walk_stmts(root, &mut |st| {
            if let Stmt::Try { body, .. } = st {
                caught |= body.iter().any(|b| {
                    let span = b.span();
                    span.start <= e.span.start && e.span.end <= span.end
                });
            }
        });
        in_guard && !caught
    }

    /// `return <check> or <refusal>`, unconditionally (`return await self.has_permission(
    /// request) or self.error_no_permission(request)`, `return bool(session.get("user_id")) or
    /// deny()`): the refusal runs for every caller the check fails, as under `if not check:`.
    /// The switch under which it refuses (a check that lets everyone in under a setting), and
    /// whether the check is about a role. Not a test of the settings alone, nor a login
    /// checking the password it was sent.
    fn short_circuit_guard(
        &self,
        file: usize,
        root: &'a [Stmt],
        e: &'a Expr,
        depth: u32,
    ) -> Option<(Option<Switch>, bool)> {
        let ExprKind::BoolOp {
            op: BoolOp::Or,
            values,
        } = &e.kind
        else {
            return None;
        };
        let [check, refuse] = values.as_slice() else {
            return None;
        };
        // A helper that raises the refusal: a response returned from a dependency (`or
        // RedirectResponse("/login")`) does not stop the request.
        let helper = match &refuse.kind {
            ExprKind::Await(inner) => inner,
            _ => refuse,
        }
        .as_call()
        .and_then(|call| match &call.func.kind {
            ExprKind::Attribute { value, attr }
                if matches!(value.as_name(), Some("self" | "cls")) =>
            {
                let class = innermost_class(self.model.files[file].body(), call.func.span)?;
                find_method(self.model, file, class, attr).map(|(_, _, m)| m)
            }
            _ => match self.model.resolve_definition(file, &call.func) {
                Some((_, Some(Stmt::FunctionDef(f)), _)) => Some(f.as_ref()),
                _ => None,
            },
        });
        if !helper
            .is_some_and(|f| matches!(code_statements(&f.body).last(), Some(Stmt::Raise { .. })))
        {
            return None;
        }
        let refusal = self.refusal(file, root, refuse, depth)?;
        if !matches!(
            refusal,
            Refusal::Unauthorized | Refusal::Forbidden | Refusal::ToLogin
        ) {
            return None;
        }
        if self.settings_predicate(file, check).is_some()
            || self.is_server_switch(file, root, check)
        {
            return None;
        }
        let mut g = self.gate_of(file, check);
        if !g.identity
            && let Some(polarity) = self.identity_predicate(file, check)
        {
            g.identity = true;
            g.polarity = polarity;
        }
        // `await self.is_signed_in(request)` where the predicate is `return <test>`: what it
        // tests, whatever it is called.
        let called = match &check.kind {
            ExprKind::Await(inner) => inner,
            _ => check,
        };
        if !g.identity
            && !g.role
            && let Some(call) = called.as_call()
            && let Some((hf, helper)) = self.predicate_helper(file, &call.func)
            && let [
                Stmt::Return {
                    value: Some(tested),
                    ..
                },
            ] = code_statements(&helper.body).as_slice()
        {
            if self.is_server_switch(hf, &helper.body, tested) {
                return None;
            }
            g = self.gate_of(hf, tested);
        }
        // The check must hold for callers who have the identity or the role it tests, so
        // that the refusal answers those who lack it.
        let fails_for_lacking = if g.role {
            g.role_polarity == Polarity::Has
        } else {
            g.identity && g.polarity == Polarity::Has
        };
        if g.credentials || !fails_for_lacking {
            return None;
        }
        let switch = self
            .permissive_predicate(file, root, check)
            .or_else(|| self.permissive_default(file, check));
        Some((switch, g.role))
    }

    /// A WebSocket handler that returns or raises before it accepts the connection refuses
    /// it (Starlette closes the handshake), as `await websocket.close(code=1008)` does: under
    /// a test of the caller's identity, not of what the request asks for (`if "v2" not in
    /// websocket.scope["subprotocols"]: return`). A branch that closes the connection itself
    /// answers with the code it gives (`close(code=1011)` for a server fault), not with the
    /// return that follows.
    fn websocket_refusal(
        &self,
        root: &[Stmt],
        branch: &[Stmt],
        stmt: &Stmt,
        g: Gate,
    ) -> Option<Refusal> {
        let accept = self.websocket_accepts.get(&(root.as_ptr() as usize))?;
        let closes = branch.iter().any(|s| {
            matches!(s, Stmt::Expr { value, .. } if value.any(&mut |x| {
                x.as_call().is_some_and(|c| c.func.last_name() == Some("close"))
            }))
        });
        (g.identity && !closes && stmt.span().start < *accept).then_some(Refusal::Forbidden)
    }

    /// `if user_id is not None and note.owner is None:`: the branch runs only for callers
    /// who have an identity, whatever the other operands test.
    fn requires_identity(&self, file: usize, root: &[Stmt], test: &Expr) -> bool {
        let ExprKind::BoolOp {
            op: BoolOp::And,
            values,
        } = &test.kind
        else {
            return false;
        };
        // A module-level flag (`auth_configured`) or one named for a setting is the
        // server's, not the caller's; so is a module flag bound in a module-level block or
        // imported from another module (`has_login`, see [`Judge::module_flag`]).
        let setting = |v: &Expr| match v.as_name() {
            Some(n) => {
                self.model.files[file].top_level(n).is_some()
                    || ["configured", "enabled", "required"]
                        .iter()
                        .any(|w| n.ends_with(w))
                    || self.module_flag(file, v, test.span)
            }
            None => false,
        };
        values.iter().any(|v| {
            // `must_login and ...`, with a flag cleared for identified callers: for anonymous
            // ones.
            if let Some(p) = self.identity_flag_polarity(file, root, v) {
                return p == Polarity::Has;
            }
            identity_polarity(v) == Polarity::Has
                && self.gate_of(file, v).identity
                && !setting(v)
                && !self.is_server_switch(file, root, v)
                && !self.is_config_variable(file, root, v)
                && !self.configured_setting_test(file, root, v)
        })
    }

    /// `userManager.has_been_customized()`, `octoprint.server.userManager.enabled()`: a method
    /// of an object a project module keeps at its level (its user store, a service), asked
    /// about the server's state, whatever the object is called; not a request-bound proxy
    /// (`current_user = LocalProxy(...)`), nor a method named for the caller or handed the
    /// request.
    fn asks_project_global(&self, file: usize, test: &Expr) -> bool {
        let Some(call) = without_not(test).as_call() else {
            return false;
        };
        let ExprKind::Attribute { value, attr } = &call.func.kind else {
            return false;
        };
        // `auth.current_user()`, `login_manager.is_logged_in()`: the method asks about the
        // caller; so does one handed the caller's token or the request.
        if IDENTITY.found_in(attr)
            || call
                .argument_values()
                .any(|a| mentions_identity(a) || is_request_name(a))
        {
            return false;
        }
        let Some(qualified) = self.model.files[file].imports.resolve(value) else {
            return false;
        };
        let Some((module, name)) = qualified.rsplit_once('.') else {
            return false;
        };
        if REQUEST_STATE_NAMES.contains(&name) {
            return false;
        }
        let Some((_, source)) = self.model.module(module) else {
            return false;
        };
        matches!(source.top_level(name), Some(Stmt::Assign { value: Some(v), .. })
            if v.as_call().is_none_or(|c| c.func.last_name() != Some("LocalProxy")))
    }

    /// Whether a branch ends by returning (letting the caller through), directly or in a
    /// nested `if` without `else`; `Some(true)` when such a nested test checks a role the
    /// caller has (`if session.get("admin"): return f(*args)`).
    fn grant_by_return(&self, file: usize, body: &[Stmt]) -> Option<bool> {
        match body.last()? {
            Stmt::Return { .. } => Some(false),
            // Only a nested branch that calls the wrapped view: one ending in
            // `return redirect(...)` refuses instead.
            Stmt::If {
                test, body, orelse, ..
            } if orelse.is_empty()
                && (matches!(body.last(), Some(Stmt::Return { value: Some(v), .. }) if calls_wrapped(v))
                    || matches!(body.last(), Some(Stmt::If { .. }))) =>
            {
                let inner = self.grant_by_return(file, body)?;
                let g = self.gate_of(file, test);
                Some(inner || g.role && g.role_polarity == Polarity::Has)
            }
            _ => None,
        }
    }

    /// Whether some path of a branch returns a value that is no refusal and no error answer:
    /// in a dependency, `try: return check_key(api_key)` under `except: raise 401` hands the
    /// caller's identity on, letting them in as `return f(*args)` does in a decorator.
    fn returns_admission(&self, file: usize, root: &[Stmt], body: &[Stmt]) -> bool {
        let mut found = false;
        walk_stmts(body, &mut |stmt| {
            if found {
                return;
            }
            if let Stmt::Return { value: Some(v), .. } = stmt
                && !matches!(v.kind, ExprKind::NoneLiteral)
                && v.as_bool().is_none()
                && !answers_error_status(std::slice::from_ref(stmt))
                && self.refusal(file, root, v, 0).is_none()
            {
                found = true;
            }
        });
        found
    }

    /// A test of the server's settings or state rather than of the caller, deciding whether
    /// a guard checks at all: `if settings.api_keys:`, `if not AUTH_ENABLED:`, `if sm is not
    /// None:` after `sm = get_security_manager()`.
    fn is_server_switch(&self, file: usize, root: &[Stmt], test: &Expr) -> bool {
        // `if app.testing:`, `if ENV == "production":`: decided in production.
        crate::apps::production_value(self.model, file, test).is_none()
            && (self.reads_configuration(file, test, false)
                || self.is_config_variable(file, root, test)
                || is_server_state_variable(root, test)
                || is_instance_setting(test)
                || self.is_factory_flag(file, root, test))
            && !tests_request_copy(root, test)
    }

    /// The first operand of an `and` that is a server switch, when the others are not: the
    /// test holds only while the switch does.
    fn conjunct_switch(&self, file: usize, root: &[Stmt], test: &Expr) -> Option<Switch> {
        let ExprKind::BoolOp {
            op: BoolOp::And,
            values,
        } = &test.kind
        else {
            return None;
        };
        // `requesting_user_role not in [Role.ADMIN, ...]` compares the caller's role with
        // constants: not a setting.
        // `gui_user is not None` on a setting is one, whatever the variable is called.
        let switch = values.iter().find(|v| {
            self.is_server_switch(file, root, v)
                && !(matches!(v.kind, ExprKind::Compare { .. })
                    && (mentions_identity(v) || mentions_role(v)))
                || self.configured_setting_test(file, root, v)
        })?;
        values
            .iter()
            .any(|v| !self.is_server_switch(file, root, v))
            .then_some(Switch {
                file,
                test: switch.span,
                negated: false,
                parameter: false,
            })
    }

    /// Whether an operand of the `and` of a handler's `test` is about data: a field of a
    /// record the handler looked up or a path value (`"lock" in split_group(project.get(
    /// "group"))`, `note.private`, `name.startswith("_")`), not the caller, the request or the
    /// server's settings. Not whether a record exists (`if note and not user:` refuses for
    /// every record there is).
    fn data_conjunct(&self, file: usize, root: &[Stmt], test: &'a Expr) -> bool {
        let ExprKind::BoolOp {
            op: BoolOp::And,
            values,
        } = &test.kind
        else {
            return false;
        };
        let mut handler = None;
        values.iter().any(|v| {
            let bare = without_not(v);
            // A local flag (`found_one_mfa is True`) may stand for anything, the caller's
            // own account included.
            let presence = bare.as_name().is_some()
                || matches!(bare.comparisons().as_slice(),
                    [(left, CmpOp::Is | CmpOp::IsNot | CmpOp::Eq | CmpOp::NotEq, right)]
                        if left.as_name().is_some()
                            && matches!(right.kind, ExprKind::NoneLiteral | ExprKind::Bool(_)));
            // `not (self.r.d_org.can() and org_id in study.organizations)`: one alternative
            // of a permission check, not a choice of records.
            if presence || matches!(bare.kind, ExprKind::BoolOp { .. }) {
                return false;
            }
            let g = self.gate_of(file, v);
            if g.identity
                || g.role
                || g.credentials
                || tests_request_state(v)
                || tests_request_copy(root, v)
                || tests_caller_choice(root, v)
                || selects_paths(v)
            {
                return false;
            }
            // The names, and whether each is the object a method is called on (`projectdb`
            // of `projectdb.split_group(...)`).
            let mut receivers = Vec::new();
            let mut names = Vec::new();
            v.any(&mut |x| {
                match &x.kind {
                    ExprKind::Call(call) => {
                        if let ExprKind::Attribute { .. } = call.func.kind
                            && let Some(head) = chain_head(&call.func)
                        {
                            receivers.push(head.span.start);
                        }
                    }
                    ExprKind::Name(n) => names.push((n.as_str(), x.span.start)),
                    _ => {}
                }
                false
            });
            let mut data = false;
            for (name, at) in names {
                // What the view object knows (`self.obtain_organization_id()`) may be the
                // caller's.
                if matches!(name, "self" | "cls") {
                    return false;
                }
                let mut assigned = false;
                let mut clean = true;
                nested_assignments(root, name, &mut |value| {
                    assigned = true;
                    let g = self.gate_of(file, value);
                    // A record looked up by a value the request names is data; a copy of
                    // the request's state is not.
                    clean &= !(g.identity
                        || g.role
                        || g.credentials
                        || copies_request_state(value)
                        || self.is_config(file, value));
                });
                if assigned {
                    // A local holding the caller, the request's values or a setting; a
                    // service kept in the settings (`projectdb = app.config["projectdb"]`) only
                    // answers the question asked of the data.
                    if !clean {
                        if receivers.contains(&at) {
                            continue;
                        }
                        return false;
                    }
                    data = true;
                    continue;
                }
                // A path value: a parameter of the handler without a default.
                let handler = *handler.get_or_insert_with(|| {
                    self.apps
                        .routes
                        .iter()
                        .find(|r| std::ptr::eq(r.handler.body.as_ptr(), root.as_ptr()))
                        .map(|r| r.handler)
                });
                data |= handler.is_some_and(|h| {
                    h.params
                        .iter()
                        .any(|p| p.name.as_str() == name && p.default.is_none())
                });
            }
            data && !self.is_server_switch(file, root, v)
                && !self.configured_setting_test(file, root, v)
                && !self.module_flag(file, v, test.span)
                && !self.is_config(file, v)
                && self.settings_predicate(file, v).is_none()
        })
    }

    /// An alternative of an `or` made of server switches only: `not user or not password` in
    /// `if (not user or not password) or auth_matches:`, where both come from the settings.
    fn disjunct_switch(&self, file: usize, root: &[Stmt], test: &Expr) -> Option<Switch> {
        let ExprKind::BoolOp {
            op: BoolOp::Or,
            values,
        } = &test.kind
        else {
            return None;
        };
        let switch = values.iter().find(|v| self.only_switches(file, root, v))?;
        Some(Switch {
            file,
            test: switch.span,
            negated: false,
            parameter: false,
        })
    }

    fn only_switches(&self, file: usize, root: &[Stmt], e: &Expr) -> bool {
        match &e.kind {
            ExprKind::BoolOp { values, .. } => {
                values.iter().all(|v| self.only_switches(file, root, v))
            }
            _ => self.is_server_switch(file, root, e),
        }
    }

    /// A test that is (the negation of) a variable of the function assigned from the
    /// configuration: `enabled = conf.getboolean("core", "all_admins")`.
    /// `not auth_enabled` where `auth_enabled` is a flag of the factory that built the guard
    /// (`def make_guard(auth_enabled=True): async def guard(...): ...`): neither assigned in
    /// the guard nor a module name, and named for switching something on.
    fn is_factory_flag(&self, file: usize, root: &[Stmt], test: &Expr) -> bool {
        let Some(name) = tested_value(test).as_name() else {
            return false;
        };
        let lower = name.to_ascii_lowercase();
        ["enabled", "required", "configured"]
            .iter()
            .any(|w| lower.ends_with(w))
            && root_assignments(root, name).next().is_none()
            && self.model.files[file].top_level(name).is_none()
            && self.model.files[file].imports.get(name).is_none()
    }

    /// The call an `if` test makes under any number of `not`s, when it is handed only literals
    /// and settings (what decides a predicate's answer): whether the `not`s negate it, the
    /// call's expression, and the call.
    fn predicate_call(&self, file: usize, test: &'a Expr) -> Option<(bool, &'a Expr, &'a Call)> {
        let mut negated = false;
        let mut subject = test;
        while let ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } = &subject.kind
        {
            negated = !negated;
            subject = operand;
        }
        let call = subject.as_call()?;
        call.argument_values()
            .all(|a| is_literal(a) || self.is_config(file, a))
            .then_some((negated, subject, call))
    }

    /// `if not permitted(): abort(401)`: a predicate called by name with no arguments (it reads
    /// the request context itself: `flask.request`, the session) and not a test of the
    /// settings, whose failure the branch answers first with a 401 or 403. The status says
    /// what the predicate decided, whatever it is called or wherever it comes from: the caller
    /// may not come in.
    fn ambient_access_check(&self, file: usize, root: &[Stmt], test: &Expr, then: &[Stmt]) -> bool {
        let ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } = &test.kind
        else {
            return false;
        };
        let call = match &operand.kind {
            ExprKind::Await(inner) => inner.as_call(),
            _ => operand.as_call(),
        };
        let Some(call) = call else {
            return false;
        };
        if !call.args.is_empty() || !call.keywords.is_empty() || call.func.as_name().is_none() {
            return false;
        }
        // A predicate the project defines is judged by its body (an origin check refused with
        // 403 is not an identity check); only one out of reach, or a local fallback that lets
        // everyone in standing for one, is judged by the refusal.
        match self.model.resolve_definition(file, &call.func) {
            Some((_, None, _)) | None => {}
            Some((_, Some(Stmt::FunctionDef(f)), _))
                if allows_everyone(f) && self.is_import_fallback(file, f.def_span) => {}
            _ => return false,
        }
        let first = match code_statements(then).first() {
            Some(
                Stmt::Raise { exc: Some(e), .. }
                | Stmt::Return { value: Some(e), .. }
                | Stmt::Expr { value: e, .. },
            ) => e,
            _ => return false,
        };
        matches!(
            self.refusal(file, root, first, 0),
            Some(Refusal::Unauthorized | Refusal::Forbidden)
        )
    }

    /// `if not permitted():` where `permitted` is imported in a module-level `try` and defined
    /// in its `except ImportError:` as a function answering `True`: without the package that
    /// provides it every caller is let in. The switch points at that fallback (see
    /// [`Judge::switch_condition`]).
    fn permissive_fallback(&self, file: usize, test: &Expr) -> Option<Switch> {
        let mut name = None;
        test.any(&mut |x| {
            if let Some(call) = x.as_call()
                && let Some(n) = call.func.as_name()
            {
                name = Some(n);
            }
            name.is_some()
        });
        let name = name?;
        // Module-level blocks only: few, and asked only for a refusal after such a predicate.
        let imports_it = |body: &[Stmt]| {
            body.iter().any(|s| match s {
                Stmt::ImportFrom { names, .. } | Stmt::Import { names, .. } => {
                    names.iter().any(|a| {
                        a.asname.as_deref().unwrap_or(&a.name).rsplit('.').next() == Some(name)
                    })
                }
                _ => false,
            })
        };
        let fallback = |body: &[Stmt]| {
            body.iter().find_map(|s| match s {
                Stmt::FunctionDef(f) if f.name.as_str() == name && allows_everyone(f) => {
                    Some(Switch {
                        file,
                        test: f.def_span,
                        negated: false,
                        parameter: true,
                    })
                }
                _ => None,
            })
        };
        self.model.files[file].body().iter().find_map(|s| match s {
            Stmt::Try { body, handlers, .. } if imports_it(body) => {
                handlers.iter().find_map(|h| fallback(&h.body))
            }
            Stmt::If { body, orelse, .. } if imports_it(body) => fallback(orelse),
            Stmt::If { body, orelse, .. } if imports_it(orelse) => fallback(body),
            _ => None,
        })
    }

    /// `if request.remote_addr not in ("127.0.0.1", "::1"): abort(403)`: a test of the
    /// address the connection came from (Flask's `request.remote_addr` or `environ[
    /// "REMOTE_ADDR"]`, Starlette's `request.client.host`), which the caller cannot choose,
    /// against what the caller does not send either (loopback literals, the server's own
    /// address), `ipaddress.ip_address(peer).is_loopback`, or a project predicate answering
    /// such a test or `False` (`is_loopback_request()`). `Has` when the test holds for the
    /// peers it admits. The `Host` and `X-Forwarded-For` headers are the caller's choice: no
    /// such test. `peers` are parameters of a predicate bound to the peer address.
    fn peer_address_test(
        &self,
        file: usize,
        root: &[Stmt],
        test: &Expr,
        peers: &[&str],
        depth: u32,
    ) -> Option<Polarity> {
        let is_peer = |e: &Expr| is_peer_address(root, e, peers);
        // Most modules and functions never read a peer address: skip the search for locals
        // assigned one.
        let direct = || {
            !peers.is_empty()
                || (may_read_peer_address(&self.model.files[file]) && self.reads_peer_address(root))
        };
        match &test.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => self
                .peer_address_test(file, root, operand, peers, depth)
                .map(Polarity::flip),
            // `request.client is None or request.client.host not in LOOPBACK`: a missing
            // peer is refused along with the others; `remote_addr and is_loopback(...)`.
            ExprKind::BoolOp { op, values } => {
                let wanted = match op {
                    BoolOp::Or => Polarity::Lacks,
                    BoolOp::And => Polarity::Has,
                };
                let mut found = false;
                for v in values {
                    match self.peer_address_test(file, root, v, peers, depth) {
                        Some(p) if p == wanted => found = true,
                        // `client is None or ...` refuses a missing peer too; `remote_addr
                        // and ...` admits only a present one.
                        _ if direct() && peer_presence(root, v, peers) == Some(wanted) => {}
                        _ => return None,
                    }
                }
                found.then_some(wanted)
            }
            ExprKind::Compare { .. } if direct() => {
                let comparisons = test.comparisons();
                let [(left, op, right)] = comparisons.as_slice() else {
                    return None;
                };
                let other = if is_peer(left) {
                    *right
                } else if is_peer(right) && matches!(op, CmpOp::Eq | CmpOp::NotEq) {
                    *left
                } else {
                    return None;
                };
                if mentions_caller(root, other) || matches!(other.kind, ExprKind::NoneLiteral) {
                    return None;
                }
                match op {
                    CmpOp::Eq | CmpOp::In => Some(Polarity::Has),
                    CmpOp::NotEq | CmpOp::NotIn => Some(Polarity::Lacks),
                    _ => None,
                }
            }
            // `ipaddress.ip_address(request.remote_addr).is_loopback`.
            // `addr = ipaddress.ip_address(value)`, then `addr.is_loopback` (with `addr`
            // perhaps replaced by the IPv4 address it embeds).
            ExprKind::Attribute { value, attr } if attr == "is_loopback" && direct() => {
                let parses_peer = |e: &Expr| {
                    e.as_call().is_some_and(|call| {
                        self.model.files[file]
                            .imports
                            .resolve(&call.func)
                            .is_some_and(|q| {
                                matches!(
                                    q.as_str(),
                                    "ipaddress.ip_address" | "ipaddress.ip_interface"
                                )
                            })
                            && call.argument("address", 0).is_some_and(is_peer)
                    })
                };
                let parsed = match &value.kind {
                    ExprKind::Name(n) => {
                        let mut parsed = false;
                        walk_stmts(root, &mut |st| {
                            if let Stmt::Assign {
                                targets,
                                value: Some(v),
                                ..
                            } = st
                                && targets.iter().any(|t| t.as_name() == Some(n.as_str()))
                            {
                                parsed |= parses_peer(v);
                            }
                        });
                        parsed
                    }
                    _ => parses_peer(value),
                };
                parsed.then_some(Polarity::Has)
            }
            // `is_loopback_request()`, `is_local(request.remote_addr)`: a project predicate
            // answering only such a test, or `False`.
            ExprKind::Call(call) if depth < 3 => {
                let Some((hf, Some(Stmt::FunctionDef(helper)), _)) =
                    self.model.resolve_definition(file, &call.func)
                else {
                    return None;
                };
                let bound: Vec<&str> = helper
                    .params
                    .iter()
                    .enumerate()
                    .filter(|(i, p)| call.argument(&p.name, *i).is_some_and(is_peer))
                    .map(|(_, p)| p.name.as_str())
                    .collect();
                if bound.is_empty() && !may_read_peer_address(&self.model.files[hf]) {
                    return None;
                }
                let bits = helper
                    .params
                    .iter()
                    .take(64)
                    .enumerate()
                    .filter(|(_, p)| bound.contains(&p.name.as_str()))
                    .fold(0u64, |acc, (i, _)| acc | (1u64 << i));
                let key = (hf, helper.span.start, bits);
                if let Some(&known) = self.peer_predicates.borrow().get(&key) {
                    return known.then_some(Polarity::Has);
                }
                // Not a peer test while it is being judged (recursive predicates).
                self.peer_predicates.borrow_mut().insert(key, false);
                let (mut admits, mut other) = (false, false);
                crate::values::for_each_return(&helper.body, &mut |r| {
                    if other || r.as_bool() == Some(false) {
                        return;
                    }
                    match self.peer_address_test(hf, &helper.body, r, &bound, depth + 1) {
                        Some(Polarity::Has) => admits = true,
                        _ => other = true,
                    }
                });
                self.peer_predicates
                    .borrow_mut()
                    .insert(key, admits && !other);
                (admits && !other).then_some(Polarity::Has)
            }
            _ => None,
        }
    }

    /// A wrapper that calls the view only where a test of the peer address admits it and
    /// refuses at its end: pyload's `local_check`, `if http_host in LOCAL_HOSTS:` then `if
    /// local_addr == remote_addr: return func(...)`, `else: if is_loopback_request(): return
    /// func(...)`, then `return "Forbidden", 403`. Every other way out refuses.
    fn peer_admission(&self, file: usize, body: &[Stmt]) -> bool {
        // Only an `if` at the wrapper's top level admits (see [`Judge::peer_admitted_only`]);
        // only a wrapper calls the view; and it refuses at its end.
        if !self.tests_peer_in_ifs(file, body, body) || never_calls_wrapped(body) {
            return false;
        }
        let Some(last) = code_statements(body).last().copied() else {
            return false;
        };
        if !self.branch_refuses(file, body, std::slice::from_ref(last)) {
            return false;
        }
        let mut admitted_calls = false;
        self.peer_admitted_only(file, body, body, false, &mut admitted_calls) && admitted_calls
    }

    /// Whether `root` reads the peer address itself (not through a local), memoised.
    fn reads_peer_address(&self, root: &[Stmt]) -> bool {
        let key = root.as_ptr() as usize;
        if let Some(&known) = self.peer_reading_roots.borrow().get(&key) {
            return known;
        }
        let mut reads = false;
        walk_all_exprs(root, &mut |e| {
            reads = reads
                || e.any(&mut |x| {
                    !matches!(x.kind, ExprKind::Name(_)) && is_peer_address(root, x, &[])
                });
        });
        self.peer_reading_roots.borrow_mut().insert(key, reads);
        reads
    }

    /// Whether an `if` of `body`, or one nested in its branches, tests the peer address.
    fn tests_peer_in_ifs(&self, file: usize, root: &[Stmt], body: &[Stmt]) -> bool {
        body.iter().any(|stmt| match stmt {
            Stmt::If {
                test,
                body: then,
                orelse,
                ..
            } => {
                self.peer_address_test(file, root, test, &[], 0).is_some()
                    || self.tests_peer_in_ifs(file, root, then)
                    || self.tests_peer_in_ifs(file, root, orelse)
            }
            _ => false,
        })
    }

    /// [`Judge::peer_admission`] of one block: `admitted` when a test of the peer admitted
    /// it. Outside such blocks the view is never called and every `return` refuses.
    fn peer_admitted_only(
        &self,
        file: usize,
        root: &[Stmt],
        body: &[Stmt],
        admitted: bool,
        calls: &mut bool,
    ) -> bool {
        let calls_view = |stmt: &Stmt| {
            let mut wrapped = false;
            walk_all_exprs(std::slice::from_ref(stmt), &mut |e| {
                wrapped |= e.any(&mut |x| calls_wrapped(x) || is_call_next(x));
            });
            wrapped
        };
        for stmt in body {
            if admitted {
                *calls |= calls_view(stmt);
                continue;
            }
            match stmt {
                Stmt::If {
                    test,
                    body: then,
                    orelse,
                    ..
                } => {
                    let p = self.peer_address_test(file, root, test, &[], 0);
                    if calls_view_in_test(test)
                        || !self.peer_admitted_only(
                            file,
                            root,
                            then,
                            p == Some(Polarity::Has),
                            calls,
                        )
                        || !self.peer_admitted_only(
                            file,
                            root,
                            orelse,
                            p == Some(Polarity::Lacks),
                            calls,
                        )
                    {
                        return false;
                    }
                }
                Stmt::Return { .. } => {
                    if calls_view(stmt)
                        || !self.branch_refuses(file, root, std::slice::from_ref(stmt))
                    {
                        return false;
                    }
                }
                Stmt::Raise { .. } | Stmt::Expr { .. } | Stmt::Assign { .. } => {
                    if calls_view(stmt) {
                        return false;
                    }
                }
                _ => {
                    let mut returns = false;
                    crate::values::for_each_return(std::slice::from_ref(stmt), &mut |_| {
                        returns = true
                    });
                    if returns || calls_view(stmt) || matches!(stmt, Stmt::FunctionDef(_)) {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// A call in an `if` test to a project predicate that judges the caller by its branches
    /// (`caller_allowed()`: `if current_user.is_authenticated: return True`, ending `return
    /// False`): for which callers the test holds, `Has` for those with an identity. Its
    /// returns must all be `True` or `False`; branches granting everyone under a setting are
    /// the switch [`Judge::permissive_predicate`] finds.
    fn identity_predicate(&self, file: usize, test: &'a Expr) -> Option<Polarity> {
        let (negated, _, call) = self.predicate_call(file, test)?;
        let (hf, helper) = self.predicate_helper(file, &call.func)?;
        let body = code_statements(&helper.body);
        let ends_refusing = matches!(body.last(), Some(Stmt::Return { value: Some(v), .. })
            if v.as_bool() == Some(false));
        if !ends_refusing {
            return None;
        }
        let mut literal_returns = true;
        crate::values::for_each_return(&helper.body, &mut |r| {
            literal_returns &= r.as_bool().is_some();
        });
        if !literal_returns {
            return None;
        }
        // `if current_user.is_authenticated: return True`, at the top of the body.
        let admits_identified = body.iter().any(|stmt| {
            let Stmt::If {
                test: inner, body: then, ..
            } = stmt
            else {
                return false;
            };
            let grants = matches!(then.split_last(), Some((Stmt::Return { value: Some(v), .. }, before))
                if v.as_bool() == Some(true)
                    && before.iter().all(|s| matches!(s, Stmt::Expr { .. })));
            let g = self.gate_of(hf, inner);
            grants && g.identity && g.polarity == Polarity::Has && !g.role
        });
        if !admits_identified {
            return None;
        }
        Some(if negated {
            Polarity::Lacks
        } else {
            Polarity::Has
        })
    }

    /// `if not api_verify(): return jsonify_with_status("Access denied.", 403)`: a call in an
    /// `if` test to a project predicate answering only `True` and `False` that reads the
    /// credential the request presents (a header, query argument or cookie named as one,
    /// directly or through a project helper returning it), answers `False` while it is absent
    /// before answering `True` anywhere, and then judges it: answers `False` on a test of what
    /// is derived from it (the lookup keyed on it found nobody) or logs the caller in with
    /// Flask-Login. A check of the caller whatever it is called; for which callers the test
    /// holds, and whether the call also asks for a role (see [`Judge::role_argument`]). A
    /// predicate on a setting or a counter reads no presented credential and is not one.
    fn credential_predicate(&self, file: usize, test: &'a Expr) -> Option<(Polarity, bool)> {
        let (negated, _, call) = self.predicate_call(file, test)?;
        let (hf, helper) = self.predicate_helper(file, &call.func)?;
        let (mut admits, mut refuses, mut other) = (false, false, false);
        crate::values::for_each_return(&helper.body, &mut |r| match r.as_bool() {
            Some(true) => admits = true,
            Some(false) => refuses = true,
            None => other = true,
        });
        if other || !admits || !refuses {
            return None;
        }
        let imports = &self.model.files[hf].imports;
        let refuses_with_false = |then: &[Stmt]| {
            matches!(code_statements(then).last(), Some(Stmt::Return { value: Some(v), .. })
                if v.as_bool() == Some(false))
        };
        // Names holding the credential, then what is derived from it.
        let mut held: Vec<&str> = Vec::new();
        let mentions_held = |e: &Expr, held: &[&str]| {
            e.any(&mut |x| x.as_name().is_some_and(|n| held.contains(&n)))
        };
        let (mut absent_refused, mut judged) = (false, false);
        for stmt in code_statements(&helper.body) {
            match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    let value = match &value.kind {
                        ExprKind::Await(inner) => &**inner,
                        _ => value,
                    };
                    let holds = mentions_held(value, &held)
                        || carries_presented_credential(&helper.body, value, 0)
                        || !absent_refused
                            && value
                                .as_call()
                                .is_some_and(|c| self.returns_presented_credential(hf, c));
                    if holds {
                        held.extend(targets.iter().filter_map(Expr::as_name));
                    }
                }
                Stmt::If {
                    test: inner,
                    body: then,
                    ..
                } if refuses_with_false(then) && mentions_held(inner, &held) => {
                    let absent = |e: &Expr| tests_absent_value(e) && mentions_held(e, &held);
                    let tests_absence = match &inner.kind {
                        ExprKind::BoolOp {
                            op: BoolOp::Or,
                            values,
                        } => values.iter().any(absent),
                        _ => absent(inner),
                    };
                    if absent_refused {
                        judged = true;
                    } else if tests_absence {
                        absent_refused = true;
                        continue;
                    }
                }
                Stmt::Expr { value, .. }
                    if absent_refused
                        && value.as_call().is_some_and(|c| {
                            matches!(
                                imports.resolve(&c.func).as_deref(),
                                Some("flask_login.login_user" | "flask_login.utils.login_user")
                            )
                        }) =>
                {
                    judged = true;
                }
                _ => {}
            }
            // A `True` before the credential is asked for admits callers without one.
            if !absent_refused {
                let mut admits_early = false;
                crate::values::for_each_return(std::slice::from_ref(stmt), &mut |r| {
                    admits_early |= r.as_bool() == Some(true);
                });
                if admits_early {
                    return None;
                }
            }
        }
        if !(absent_refused && judged) {
            return None;
        }
        let polarity = if negated {
            Polarity::Lacks
        } else {
            Polarity::Has
        };
        Some((polarity, self.role_argument(hf, helper, call)))
    }

    /// Whether a call of a project function returns what the request presents as a
    /// credential: `get_api_key()` returning `request.headers["X-API-Key"]` or the query's
    /// `key`.
    fn returns_presented_credential(&self, file: usize, call: &Call) -> bool {
        let Some((_, Some(Stmt::FunctionDef(f)), _)) =
            self.model.resolve_definition(file, &call.func)
        else {
            return false;
        };
        let mut found = false;
        crate::values::for_each_return(&f.body, &mut |r| {
            found |= carries_presented_credential(&f.body, r, 0);
        });
        found
    }

    /// `api_verify(roles=["admin"])`: the call gives a value (not `None`, not empty) to a
    /// parameter of the predicate under whose test it answers `False` after a test of a role
    /// (`if roles: ... if not current_user.has_role(role): return False`).
    fn role_argument(&self, file: usize, helper: &'a Function, call: &Call) -> bool {
        let given = |e: &Expr| {
            !matches!(e.kind, ExprKind::NoneLiteral)
                && e.elements().is_none_or(|items| !items.is_empty())
        };
        let own = helper
            .params
            .iter()
            .filter(|p| p.name != "self" && p.name != "cls");
        let positional = own.zip(&call.args).map(|(p, a)| (p.name.as_str(), a));
        let by_keyword = call
            .keywords
            .iter()
            .filter_map(|k| Some((k.arg.as_deref()?, &k.value)));
        let params: Vec<&str> = positional
            .chain(by_keyword)
            .filter(|(_, a)| given(a))
            .map(|(p, _)| p)
            .collect();
        if params.is_empty() {
            return false;
        }
        let mut found = false;
        walk_stmts(&helper.body, &mut |stmt| {
            let Stmt::If { test, body, .. } = stmt else {
                return;
            };
            if found || !test.any(&mut |x| x.as_name().is_some_and(|n| params.contains(&n))) {
                return;
            }
            let (mut role_test, mut refuses) = (false, false);
            walk_stmts(body, &mut |s| {
                if let Stmt::If { test: t, .. } | Stmt::While { test: t, .. } = s {
                    role_test |= self.gate_of(file, t).role;
                }
            });
            crate::values::for_each_return(body, &mut |r| refuses |= r.as_bool() == Some(false));
            found = role_test && refuses;
        });
        found
    }

    /// Whether `name` holds only what project functions made of the credential the request
    /// presents when all they did with it was to send it on as a header of an outbound request
    /// (`commit = await latest_commit(repo, request.headers.get("authorization"))` forwarding
    /// it to the upstream): the caller's credential is judged by that other service, which
    /// may serve anonymous callers too; nothing here checks it.
    fn forwarded_credential(&self, file: usize, root: &'a [Stmt], name: &str) -> bool {
        let mut calls = 0usize;
        let mut other = false;
        nested_assignments(root, name, &mut |value| {
            let value = match &value.kind {
                ExprKind::Await(inner) => &**inner,
                _ => value,
            };
            let forwarded = value.as_call().is_some_and(|call| {
                !carries_presented_credential(root, &call.func, 0)
                    && self.forwards_arguments(
                        file,
                        call,
                        &|a: &Expr| carries_presented_credential(root, a, 0),
                        0,
                    )
            });
            if forwarded {
                calls += 1;
            } else {
                other = true;
            }
        });
        calls > 0 && !other
    }

    /// Whether `call` is of a project function, and every argument `carries` picks (at least
    /// one) is a parameter the function only forwards (see [`Judge::only_forwards`]).
    fn forwards_arguments(
        &self,
        file: usize,
        call: &Call,
        carries: &dyn Fn(&Expr) -> bool,
        depth: u32,
    ) -> bool {
        let Some((def_file, Some(Stmt::FunctionDef(f)), _)) =
            self.model.resolve_definition(file, &call.func)
        else {
            return false;
        };
        let own: Vec<&str> = f
            .params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|n| *n != "self" && *n != "cls")
            .collect();
        let mut any = false;
        for (i, a) in call.args.iter().enumerate() {
            if carries(a) {
                any = true;
                match own.get(i) {
                    Some(p) if self.only_forwards(def_file, f, p, depth) => {}
                    _ => return false,
                }
            }
        }
        for k in &call.keywords {
            if carries(&k.value) {
                any = true;
                match k.arg.as_deref() {
                    Some(p) if own.contains(&p) && self.only_forwards(def_file, f, p, depth) => {}
                    _ => return false,
                }
            }
        }
        any
    }

    /// Whether all `function` does with its parameter `param` is to send it as a header of an
    /// outbound request: put in a mapping (`headers = {"authorization": authorization}`,
    /// `headers["authorization"] = authorization`) passed as `headers=`, tested for presence,
    /// or handed on to another project function that does the same (a few calls deep).
    /// Anything else (a comparison, a decode, a lookup, a return) may check it.
    fn only_forwards(&self, file: usize, function: &'a Function, param: &str, depth: u32) -> bool {
        if depth >= 3 {
            return false;
        }
        // A value that only carries it: the name, a mapping, a formatted string.
        fn carrier(e: &Expr, mentions: &dyn Fn(&Expr) -> bool) -> bool {
            match &e.kind {
                ExprKind::Name(_) | ExprKind::FString(_) | ExprKind::Str(_) => true,
                ExprKind::Dict(entries) => entries.iter().all(|d| {
                    d.key.as_ref().is_none_or(|k| !mentions(k)) && carrier(&d.value, mentions)
                }),
                ExprKind::IfExp { test, body, orelse } => {
                    presence(test) && carrier(body, mentions) && carrier(orelse, mentions)
                }
                ExprKind::BinOp { left, right, .. } => {
                    carrier(left, mentions) && carrier(right, mentions)
                }
                _ => !mentions(e),
            }
        }
        // `if authorization`, `authorization is not None`, `not authorization`.
        fn presence(test: &Expr) -> bool {
            test.as_name().is_some()
                || tests_absent_value(test)
                || matches!(test.single_compare(), Some((left, CmpOp::IsNot, right))
                    if left.as_name().is_some() && matches!(right.kind, ExprKind::NoneLiteral))
        }
        // The parameter and the local mappings holding it.
        let mut tracked: Vec<&str> = vec![param];
        loop {
            let before = tracked.len();
            walk_stmts(&function.body, &mut |stmt| {
                let Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } = stmt
                else {
                    return;
                };
                // Not what a call made of it (`response = client.get(url, headers=headers)`).
                let held =
                    |e: &Expr| e.any(&mut |x| x.as_name().is_some_and(|n| tracked.contains(&n)));
                if !held(value) || !carrier(value, &held) {
                    return;
                }
                for t in targets {
                    let base = match &t.kind {
                        ExprKind::Subscript { value, .. } => value.as_name(),
                        _ => t.as_name(),
                    };
                    if let Some(n) = base
                        && !tracked.contains(&n)
                    {
                        tracked.push(n);
                    }
                }
            });
            if tracked.len() == before {
                break;
            }
        }
        let mentions = |e: &Expr| e.any(&mut |x| x.as_name().is_some_and(|n| tracked.contains(&n)));
        // A use in a call: sent as its `headers=`, or handed to a project function that only
        // forwards it.
        let used_in_call = |e: &Expr| -> bool {
            let e = match &e.kind {
                ExprKind::Await(inner) => &**inner,
                _ => e,
            };
            let Some(call) = e.as_call() else {
                return false;
            };
            if mentions(&call.func) {
                return false;
            }
            let headers_only = call.args.iter().all(|a| !mentions(a))
                && call.keywords.iter().all(|k| {
                    !mentions(&k.value)
                        || k.arg.as_deref() == Some("headers") && carrier(&k.value, &mentions)
                });
            headers_only
                || self.forwards_arguments(
                    file,
                    call,
                    &|a: &Expr| a.as_name().is_some_and(|n| tracked.contains(&n)),
                    depth + 1,
                ) && call
                    .argument_values()
                    .all(|a| !mentions(a) || a.as_name().is_some())
        };
        let mut ok = true;
        walk_stmts(&function.body, &mut |stmt| {
            if !ok {
                return;
            }
            ok = match stmt {
                Stmt::Assign {
                    value: Some(value), ..
                } => !mentions(value) || carrier(value, &mentions) || used_in_call(value),
                Stmt::If { test, .. } | Stmt::While { test, .. } => {
                    !mentions(test) || presence(test)
                }
                // `return await fetch(..., authorization=authorization)`: what the
                // forwarding call answers.
                Stmt::Expr { value, .. }
                | Stmt::Return {
                    value: Some(value), ..
                } => !mentions(value) || used_in_call(value),
                Stmt::With { items, .. } => items
                    .iter()
                    .all(|i| !mentions(&i.context) || used_in_call(&i.context)),
                _ => {
                    let mut clean = true;
                    stmt.for_each_own_expr(&mut |e| clean &= !mentions(e));
                    clean
                }
            };
        });
        ok
    }

    /// A call in an `if` test to a project predicate that reads the settings and nothing of
    /// the request (`if self._basic_auth_configured():`, `if not _using_builtin_auth():`):
    /// the switch it stands for. A predicate whose body is `return <test>` is shown as that
    /// test (`config.auth.mode == "basic"`), a longer one as the call.
    fn settings_predicate(&self, file: usize, test: &'a Expr) -> Option<Switch> {
        let (negated, subject, call) = self.predicate_call(file, test)?;
        let (hf, helper) = self.predicate_helper(file, &call.func)?;
        let body = code_statements(&helper.body);
        if let [
            Stmt::Return {
                value: Some(value), ..
            },
        ] = body.as_slice()
        {
            return self
                .is_server_switch(hf, &helper.body, value)
                .then_some(Switch {
                    file: hf,
                    test: value.span,
                    negated,
                    parameter: false,
                });
        }
        self.reads_settings_only(hf, helper).then_some(Switch {
            file,
            test: subject.span,
            negated,
            parameter: false,
        })
    }

    /// The project function or static, class or instance method a call in a test names:
    /// `helper()`, `Class.helper()`, `self.helper()` in a method of the class.
    fn predicate_helper(&self, file: usize, func: &Expr) -> Option<(usize, &'a Function)> {
        if let ExprKind::Attribute { value, attr } = &func.kind
            && value.as_name() == Some("self")
        {
            let class = innermost_class(self.model.files[file].body(), func.span)?;
            return find_method(self.model, file, class, attr).map(|(f, _, m)| (f, m));
        }
        match self.model.resolve_definition(file, func) {
            Some((f, Some(Stmt::FunctionDef(function)), _)) => Some((f, function.as_ref())),
            Some((_, None, Some(q))) => self
                .conditional_definition(&q)
                .or_else(|| self.class_method(file, func)),
            None if func.as_name().is_some() => {
                self.conditional_definition_in(file, func.as_name().unwrap_or_default())
            }
            _ => self.class_method(file, func),
        }
    }

    /// A predicate of several statements that reads the settings and nothing the caller
    /// sends, taking no parameter but `self`/`cls`, and returns only literals and settings
    /// (`for backend in app.config["AUTH_BACKENDS"]: if backend == "builtin": return True`).
    fn reads_settings_only(&self, file: usize, helper: &'a Function) -> bool {
        if helper
            .params
            .iter()
            .any(|p| p.name != "self" && p.name != "cls")
        {
            return false;
        }
        // Its variables must hold settings too: `for backend in app.config["BACKENDS"]`.
        let mut locals: Vec<&str> = Vec::new();
        let mut other_locals = false;
        walk_stmts(&helper.body, &mut |stmt| {
            let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
                Stmt::For { target, iter, .. } => (vec![&**target], &**iter),
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => (targets.iter().collect(), value),
                _ => return,
            };
            let (c, r) = self.configuration_flags_with(file, value, false, &locals);
            for t in targets {
                for n in crate::project::target_names(t) {
                    if c && !r {
                        locals.push(n);
                    } else {
                        other_locals = true;
                    }
                }
            }
        });
        if other_locals {
            return false;
        }
        let (mut config, mut request) = (false, false);
        walk_exprs(&helper.body, &mut |e| {
            let (c, r) = self.configuration_flags_with(file, e, false, &locals);
            config |= c;
            request |= r;
        });
        let mut returns = true;
        crate::values::for_each_return(&helper.body, &mut |r| {
            let (c, req) = self.configuration_flags_with(file, r, false, &locals);
            returns &= r.as_bool().is_some() || c && !req;
        });
        config && !request && returns
    }

    /// Whether the function assigns `name` only lookups keyed by a value of the caller's
    /// session: `member = find_member(session.get("sid"))`, `Member.query.filter_by(sid=
    /// session["sid"]).first()`, through a local holding the value or a project helper
    /// returning it (see [`Judge::session_value`]), in a module that imports the session
    /// (Flask's or Quart's `session`, or Starlette's request, whose `request.session` is the
    /// signed session cookie). Also the result of a project helper, in this module or another,
    /// that returns such a lookup or None (`member = current_member()`; see
    /// [`Judge::session_lookup_call`]). Tested for nobody found (`if member is None:`) and
    /// refused, it is the check of who the session says the caller is, whatever the names. A
    /// lookup keyed by a path parameter, a query argument or a form field is not.
    fn session_keyed_lookup(&self, file: usize, root: &[Stmt], name: &str) -> bool {
        // Cheap first: the walks below run for every test of a name, so the session is read in
        // place only in a module that imports it (a helper returning its value is usually
        // beside it); a helper elsewhere is asked only for a call assigned to the name.
        let direct = self.reads_sessions(file);
        let mut lookups = 0usize;
        let mut other = false;
        nested_assignments(root, name, &mut |value| {
            let keyed = (direct && self.session_keyed_value(file, root, value))
                || self.session_lookup_call(file, value);
            if keyed {
                lookups += 1;
            } else {
                other = true;
            }
        });
        lookups > 0 && !other
    }

    /// Whether `file` imports a session the judge reads: Flask's or Quart's `session`, or
    /// Starlette's (FastAPI's) request or connection classes.
    fn reads_sessions(&self, file: usize) -> bool {
        ["flask.session", "quart.session"]
            .iter()
            .chain(STARLETTE_CONNECTIONS)
            .any(|q| self.model.importers_of(q).binary_search(&file).is_ok())
            || self.starlette_endpoint_module(file)
    }

    /// Whether `file` defines a function that Starlette calls with the request as an
    /// unannotated parameter: an endpoint of `Route(...)`, an `@app.middleware("http")`
    /// function, or a `BaseHTTPMiddleware` subclass (see [`Judge::starlette_request`]).
    fn starlette_endpoint_module(&self, file: usize) -> bool {
        // Found once for the whole model: asked for every test of a name in a module without
        // imports that say so.
        self.starlette_endpoint_files
            .get_or_init(|| {
                let mut files: HashSet<usize> = self
                    .model
                    .importers_of("starlette.middleware.base.BaseHTTPMiddleware")
                    .iter()
                    .copied()
                    .collect();
                files.extend(
                    self.apps
                        .hooks
                        .iter()
                        .filter(|h| h.kind == HookKind::HttpMiddleware)
                        .map(|h| h.function_file),
                );
                files.extend(
                    self.apps
                        .routes
                        .iter()
                        .filter(|r| self.starlette_endpoint(r))
                        .map(|r| r.handler_file),
                );
                files
            })
            .contains(&file)
    }

    /// Whether `value` (awaited or not) is a lookup keyed by a value of the caller's session
    /// read in `root` of `file`: the session value itself, or a call of the chain with it as
    /// an argument (`Member.query.filter_by(sid=session["sid"]).first()`).
    fn session_keyed_value(&self, file: usize, root: &[Stmt], value: &Expr) -> bool {
        let value = match &value.kind {
            ExprKind::Await(inner) => &**inner,
            _ => value,
        };
        self.session_value(file, root, value, 1)
            || matches!(value.kind, ExprKind::Call(_))
                && value.any(&mut |x| {
                    x.as_call().is_some_and(|c| {
                        c.argument_values()
                            .any(|a| self.session_value(file, root, a, 0))
                    })
                })
    }

    /// Whether `value` calls a project helper (of this module or another) that returns whom
    /// the caller's session names, or None: `current_member()` returning `find_member(session.
    /// get("sid"))` (directly, or through a local assigned only such lookups) or `None` when
    /// the session holds no id. The call passes nothing, or only the caller's Starlette
    /// request (`member_of(request)` where the helper reads `request.session`), so the helper
    /// reads the session of the request being answered.
    fn session_lookup_call(&self, file: usize, value: &Expr) -> bool {
        let value = match &value.kind {
            ExprKind::Await(inner) => &**inner,
            _ => value,
        };
        let Some(call) = value.as_call() else {
            return false;
        };
        if !call.keywords.is_empty()
            || !call
                .args
                .iter()
                .all(|a| a.as_name().is_some_and(|_| self.starlette_request(file, a)))
        {
            return false;
        }
        let Some((helper_file, Some(Stmt::FunctionDef(helper)), _)) =
            self.model.resolve_definition(file, &call.func)
        else {
            return false;
        };
        if !self.reads_sessions(helper_file) {
            return false;
        }
        let body = &helper.body;
        let (mut found, mut all) = (false, true);
        crate::values::for_each_return(body, &mut |v| {
            if !all || matches!(v.kind, ExprKind::NoneLiteral) {
                return;
            }
            let keyed = match v.as_name() {
                // `member = find_member(sid)` then `return member`.
                Some(n) => {
                    let (mut seen, mut each) = (false, true);
                    nested_assignments(body, n, &mut |a| {
                        seen = true;
                        each = each && self.session_keyed_value(helper_file, body, a);
                    });
                    seen && each
                }
                None => self.session_keyed_value(helper_file, body, v),
            };
            found |= keyed;
            all &= keyed;
        });
        found && all
    }

    /// A test of a request header's value (`request.headers["X-Node"] not in NODES`,
    /// `request.headers.get("X-Node") != expected`, or `node is None` after `node =
    /// NODES.get(request.headers["X-Node"])`) after an earlier `if` of the same function that
    /// refuses with 401 or 403 when the header is missing (`if request.headers.get("X-Node") is
    /// None: return jsonify(...), 401`, `if "X-Node" not in request.headers: abort(401)`): the
    /// missing header is refused as missing credentials, so comparing or looking up its value
    /// checks the caller, whatever the header is called. For which callers the test holds.
    /// A test of presence alone, or a header only sent on, checks nobody.
    fn refused_header_check(&self, file: usize, root: &[Stmt], test: &Expr) -> Option<Polarity> {
        // Most guards' files read no header at all: no walk for them.
        if !self.model.files[file].may_mention("headers") {
            return None;
        }
        let imports = &self.model.files[file].imports;
        // `request.headers`, the request's by name or Flask's/Quart's imported one.
        let request_headers = |e: &Expr| {
            matches!(&e.kind, ExprKind::Attribute { value, attr }
            if attr == "headers"
                && (value.as_name() == Some("request")
                    || matches!(
                        imports.resolve(value).as_deref(),
                        Some("flask.request" | "quart.request")
                    )))
        };
        // `request.headers[K]`, `request.headers.get(K)`: the key.
        let header_read = |e: &Expr| -> Option<String> {
            let (container, key) = mapping_read(e)?;
            request_headers(container)
                .then(|| key.as_str().map(str::to_string))
                .flatten()
        };
        // The header read, directly or through a local assigned only that read.
        let header_value = |e: &Expr| -> Option<String> {
            if let Some(k) = header_read(e) {
                return Some(k);
            }
            let n = e.as_name()?;
            let (mut key, mut all) = (None, true);
            nested_assignments(root, n, &mut |v| match header_read(v) {
                Some(k) if key.as_ref().is_none_or(|x| *x == k) => key = Some(k),
                _ => all = false,
            });
            key.filter(|_| all)
        };
        let none = |e: &Expr| matches!(e.kind, ExprKind::NoneLiteral) || e.as_str() == Some("");
        let (key, polarity) = match test.comparisons().as_slice() {
            // `X not in NODES`, not `"X" not in request.headers`.
            [(left, op @ (CmpOp::In | CmpOp::NotIn), right)] => {
                let k = header_value(left)?;
                if matches!(&right.kind, ExprKind::Attribute { attr, .. } if attr == "headers") {
                    return None;
                }
                (
                    k,
                    if matches!(op, CmpOp::NotIn) {
                        Polarity::Lacks
                    } else {
                        Polarity::Has
                    },
                )
            }
            [(left, op @ (CmpOp::Eq | CmpOp::NotEq), right)] if !none(left) && !none(right) => {
                let k = header_value(left).or_else(|| header_value(right))?;
                (
                    k,
                    if matches!(op, CmpOp::NotEq) {
                        Polarity::Lacks
                    } else {
                        Polarity::Has
                    },
                )
            }
            _ => {
                // `node is None` / `not node` after `node = NODES.get(request.headers["X-Node"])`.
                let subject = tested_value(test);
                let name = subject.as_name()?;
                let (mut key, mut all) = (None, true);
                nested_assignments(root, name, &mut |v| {
                    let v = match &v.kind {
                        ExprKind::Await(inner) => &**inner,
                        _ => v,
                    };
                    let keyed = mapping_read(v)
                        .filter(|(_, k)| !matches!(k.kind, ExprKind::Str(_)))
                        .and_then(|(_, k)| header_value(k))
                        .or_else(|| {
                            // `Key.query.filter_by(value=header).first()`: a method of a
                            // lookup chain handed the header, not a project function that
                            // only sends it on.
                            let mut found = None;
                            v.any(&mut |x| {
                                if let Some(call) = x.as_call()
                                    && matches!(call.func.kind, ExprKind::Attribute { .. })
                                    && found.is_none()
                                {
                                    found = call.argument_values().find_map(header_value);
                                    if found.is_some()
                                        && self.forwards_arguments(
                                            file,
                                            call,
                                            &|a: &Expr| header_value(a).is_some(),
                                            0,
                                        )
                                    {
                                        found = None;
                                    }
                                }
                                found.is_some()
                            });
                            found
                        });
                    match keyed {
                        Some(k) if key.as_ref().is_none_or(|x| *x == k) => key = Some(k),
                        _ => all = false,
                    }
                });
                let k = key.filter(|_| all)?;
                (
                    k,
                    polarity_of(test, &|e| e.any(&mut |x| x.as_name() == Some(name))),
                )
            }
        };
        if polarity == Polarity::Unknown {
            return None;
        }
        // An earlier `if` refusing callers without the header, with 401 or 403.
        let mut refused = false;
        walk_stmts(root, &mut |stmt| {
            let Stmt::If { test: t, body, .. } = stmt else {
                return;
            };
            if refused || t.span.start >= test.span.start {
                return;
            }
            let missing = match t.comparisons().as_slice() {
                [(left, CmpOp::NotIn, right)] => {
                    left.as_str() == Some(key.as_str()) && request_headers(right)
                }
                _ => {
                    let subject = tested_value(t);
                    subject.span != t.span
                        && header_value(subject).as_deref() == Some(key.as_str())
                        && polarity_of(t, &|e| e.any(&mut |x| x.span == subject.span))
                            == Polarity::Lacks
                }
            };
            // The branch ends in the refusal (`abort(401)` raises).
            if missing
                && let Some(
                    Stmt::Raise { exc: Some(e), .. }
                    | Stmt::Return { value: Some(e), .. }
                    | Stmt::Expr { value: e, .. },
                ) = code_statements(body).last()
            {
                refused = matches!(
                    self.refusal(file, root, e, 0),
                    Some(Refusal::Unauthorized | Refusal::Forbidden)
                );
            }
        });
        refused.then_some(polarity)
    }

    /// `app.config["API_KEY"] != request.args.get("key")`, or the same through a local assigned
    /// only that read or a project helper handed the request and the field's name
    /// (`get_value(request, "key")` returning `req.args.get(name) or req.cookies.get(name)`):
    /// a credential field of the request compared with a value of the server's configuration
    /// (settings, `app.config`, module constants). A shared-secret check of the caller, whatever
    /// the helpers are called; a refusal under it answers callers who sent another key. For
    /// which callers the test holds.
    fn configured_key_check(&self, file: usize, root: &[Stmt], test: &Expr) -> Option<Polarity> {
        let [(left, op @ (CmpOp::Eq | CmpOp::NotEq), right)] = test.comparisons()[..] else {
            return None;
        };
        let empty = |e: &Expr| matches!(e.kind, ExprKind::NoneLiteral) || e.as_str() == Some("");
        if empty(left) || empty(right) {
            return None;
        }
        // The request (by name, Flask's or Quart's imported one) or a parameter of the function
        // the test is in (a helper handed the request: `req.args.get("key")`).
        let mut params: Option<Vec<&str>> = None;
        let mut is_request = |e: &Expr| {
            let Some(n) = e.as_name() else {
                return false;
            };
            n == "request"
                || matches!(
                    self.model.files[file].imports.resolve(e).as_deref(),
                    Some("flask.request" | "quart.request")
                )
                || params
                    .get_or_insert_with(|| {
                        let mut scope = Vec::new();
                        functions_enclosing(self.model.files[file].body(), test.span, &mut scope);
                        scope
                            .last()
                            .map(|f| f.params.iter().map(|p| p.name.as_str()).collect())
                            .unwrap_or_default()
                    })
                    .contains(&n)
        };
        let configured = if self.presented_key(file, left, &mut is_request) {
            right
        } else if self.presented_key(file, right, &mut is_request) {
            left
        } else {
            return None;
        };
        // Directly or through a local assigned only such values (`expected =
        // app.config["NODE_KEY"]`).
        let configured_value = |e: &Expr| reads_configured_value(e) && self.is_config(file, e);
        if !configured_value(configured) {
            let name = configured.as_name()?;
            let (mut seen, mut all) = (false, true);
            nested_assignments(root, name, &mut |v| {
                seen = true;
                all &= configured_value(v);
            });
            if !(seen && all) {
                return None;
            }
        }
        Some(if matches!(op, CmpOp::NotEq) {
            Polarity::Lacks
        } else {
            Polarity::Has
        })
    }

    /// Whether `e` reads a credential field the caller sends (see
    /// [`Judge::configured_key_check`]): `request.args.get("key")`, `dict(request.cookies)
    /// ["api_key"]`, or a project helper handed the request and such a field's name whose
    /// every return reads that field of the request it is handed (or is a literal).
    fn presented_key(
        &self,
        file: usize,
        e: &Expr,
        is_request: &mut impl FnMut(&Expr) -> bool,
    ) -> bool {
        if let Some((base, key)) = request_mapping_read(e) {
            return key.as_str().is_some_and(names_credential_field) && is_request(base);
        }
        let Some(call) = e.as_call() else {
            return false;
        };
        // The helper's parameters for the field's name and for the request.
        let Some(key_at) = call
            .args
            .iter()
            .position(|a| a.as_str().is_some_and(names_credential_field))
        else {
            return false;
        };
        let Some(request_at) = call.args.iter().position(&mut *is_request) else {
            return false;
        };
        let Some((_, Some(Stmt::FunctionDef(helper)), _)) =
            self.model.resolve_definition(file, &call.func)
        else {
            return false;
        };
        let (Some(key_param), Some(request_param)) =
            (helper.params.get(key_at), helper.params.get(request_at))
        else {
            return false;
        };
        if !call.keywords.is_empty() || helper.params.iter().any(|p| p.name == "self") {
            return false;
        }
        let (mut reads, mut all) = (false, true);
        crate::values::for_each_return(&helper.body, &mut |v| {
            let alternatives: Vec<&Expr> = match &v.kind {
                ExprKind::BoolOp {
                    op: BoolOp::Or,
                    values,
                } => values.iter().collect(),
                _ => vec![v],
            };
            for alt in alternatives {
                match request_mapping_read(alt) {
                    Some((base, key))
                        if base.as_name() == Some(request_param.name.as_str())
                            && key.as_name() == Some(key_param.name.as_str()) =>
                    {
                        reads = true
                    }
                    _ => all &= is_literal(alt),
                }
            }
        });
        reads && all
    }

    /// Whether the function assigns `name` only calls of project helpers that return what they
    /// make of the credential the request presents, or of the caller's session, or None (see
    /// [`Judge::caller_context_call`]): `caller = ctx(request)`, then `if caller is None:
    /// raise HTTPException(403)` refuses callers who presented nothing valid, whatever the
    /// names.
    fn caller_context_local(&self, file: usize, root: &'a [Stmt], name: &str) -> bool {
        let (mut calls, mut other) = (0usize, false);
        nested_assignments(root, name, &mut |value| {
            if !other && self.caller_context_call(file, value) {
                calls += 1;
            } else {
                other = true;
            }
        });
        calls > 0 && !other
    }

    /// Whether `value` (awaited or not) calls a project helper, passing nothing or only the
    /// request, that answers None on some path and otherwise only values made of a credential
    /// it reads from the request (a header, query argument or cookie named as one: `token =
    /// request.headers.get("Authorization")`, then `return Context(subject=decode(token))`) or
    /// of the caller's session (`session.get("uid")`, `request.session`), through its locals.
    /// A value made of a field that is no credential (`request.query_params.get("page")`), or a
    /// credential the helper only sends on to another service, is not.
    fn caller_context_call(&self, file: usize, value: &Expr) -> bool {
        let value = match &value.kind {
            ExprKind::Await(inner) => &**inner,
            _ => value,
        };
        let Some(call) = value.as_call() else {
            return false;
        };
        // Cheap first: handed nothing, or only the request being answered.
        let imports = &self.model.files[file].imports;
        if !call.keywords.is_empty()
            || !call.args.iter().all(|a| {
                a.as_name().is_some()
                    && (self.starlette_request(file, a)
                        || matches!(
                            imports.resolve(a).as_deref(),
                            Some("flask.request" | "quart.request")
                        ))
            })
        {
            return false;
        }
        let Some((helper_file, Some(Stmt::FunctionDef(helper)), _)) =
            self.model.resolve_definition(file, &call.func)
        else {
            return false;
        };
        let body = &helper.body;
        let sessions = self.reads_sessions(helper_file);
        // A value made of the credential or the session, through the helper's locals.
        fn made_of(
            judge: &Judge<'_, '_>,
            file: usize,
            body: &[Stmt],
            e: &Expr,
            sessions: bool,
            depth: u32,
        ) -> bool {
            e.any(&mut |x| {
                reads_request_field(x, true)
                    || sessions && judge.session_value(file, body, x, 2)
                    || depth < 3
                        && x.as_name().is_some_and(|n| {
                            let mut found = false;
                            nested_assignments(body, n, &mut |v| {
                                found |= !std::ptr::eq(v, e)
                                    && made_of(judge, file, body, v, sessions, depth + 1);
                            });
                            found
                        })
            })
        }
        let (mut none, mut made, mut all) = (false, false, true);
        crate::values::for_each_return(body, &mut |r| {
            if matches!(r.kind, ExprKind::NoneLiteral) {
                none = true;
                return;
            }
            if !all {
                return;
            }
            let inner = match &r.kind {
                ExprKind::Await(inner) => &**inner,
                _ => r,
            };
            // `return fetch_profile(token)` where the function only sends it upstream.
            let forwarded = inner.as_call().is_some_and(|c| {
                self.forwards_arguments(
                    helper_file,
                    c,
                    &|a: &Expr| carries_presented_credential(body, a, 0),
                    0,
                )
            }) || inner
                .as_name()
                .is_some_and(|n| self.forwarded_credential(helper_file, body, n));
            let ok =
                !is_literal(r) && !forwarded && made_of(self, helper_file, body, r, sessions, 0);
            made |= ok;
            all &= ok;
        });
        none && made && all
    }

    /// Whether `e` is a value read from the caller's session: Flask's or Quart's (`session.
    /// get("sid")`, `session["sid"]`), or Starlette's `request.session` of a request parameter
    /// (see [`Judge::starlette_request`]); a local of `root` assigned only such values; or a
    /// call, without arguments, of a project function returning only such values
    /// (`current_sid()`).
    fn session_value(&self, file: usize, root: &[Stmt], e: &Expr, depth: u32) -> bool {
        let imports = &self.model.files[file].imports;
        if mapping_read(e).is_some_and(|(container, _)| {
            container
                .as_name()
                .and_then(|n| imports.get(n))
                .is_some_and(|q| matches!(q, "flask.session" | "quart.session"))
                || matches!(&container.kind, ExprKind::Attribute { value, attr }
                    if attr == "session" && self.starlette_request(file, value))
        }) {
            return true;
        }
        if depth >= 2 {
            return false;
        }
        if let Some(n) = e.as_name() {
            let (mut seen, mut all) = (false, true);
            nested_assignments(root, n, &mut |v| {
                seen = true;
                all = all && self.session_value(file, root, v, depth + 1);
            });
            return seen && all;
        }
        let Some(call) = e.as_call() else {
            return false;
        };
        if !call.args.is_empty() || !call.keywords.is_empty() {
            return false;
        }
        let Some((helper_file, Some(Stmt::FunctionDef(helper)), _)) =
            self.model.resolve_definition(file, &call.func)
        else {
            return false;
        };
        let (mut seen, mut all) = (false, true);
        crate::values::for_each_return(&helper.body, &mut |v| {
            seen = true;
            all = all && self.session_value(helper_file, &helper.body, v, depth + 1);
        });
        seen && all
    }

    /// Whether the name `e` is a parameter holding Starlette's request (or connection) in the
    /// function of `file` it is read in (the innermost enclosing one that has a parameter so
    /// named): annotated with the request
    /// class (`request: Request`, also as FastAPI exports it), or, unannotated, where Starlette
    /// passes the request by position: the first parameter (after `self`) of an endpoint of a
    /// Starlette route ([`Judge::starlette_endpoint`]), of an `@app.middleware("http")`
    /// function, or the one after `self` of a `BaseHTTPMiddleware` subclass's `dispatch`. A
    /// FastAPI handler's unannotated parameter is a query value, and a name alone says nothing.
    fn starlette_request(&self, file: usize, e: &Expr) -> bool {
        let Some(name) = e.as_name() else {
            return false;
        };
        let source = &self.model.files[file];
        let mut scope = Vec::new();
        functions_enclosing(source.body(), e.span, &mut scope);
        let Some((function, index)) = scope.iter().rev().find_map(|f| {
            f.params
                .iter()
                .position(|p| p.name == name)
                .map(|i| (*f, i))
        }) else {
            return false;
        };
        let param = &function.params[index];
        if let Some(annotation) = &param.annotation {
            return source
                .imports
                .resolves_to(annotation, STARLETTE_CONNECTIONS);
        }
        let after_self = usize::from(function.params.first().is_some_and(|p| p.name == "self"));
        if index != after_self {
            return false;
        }
        if after_self == 1 && function.name == "dispatch" {
            return innermost_class(source.body(), function.span).is_some_and(|class| {
                crate::apps::class_lineage(self.model, file, class)
                    .iter()
                    .any(|q| q == "starlette.middleware.base.BaseHTTPMiddleware")
            });
        }
        self.apps
            .hooks
            .iter()
            .any(|h| h.kind == HookKind::HttpMiddleware && std::ptr::eq(h.function, function))
            || self
                .apps
                .routes
                .iter()
                .any(|r| std::ptr::eq(r.handler, function) && self.starlette_endpoint(r))
    }

    /// Whether Starlette calls the route's handler with the request: registered by
    /// `Route(path, endpoint)` or `WebSocketRoute(...)`, or by `add_route`/`route` of a
    /// Starlette (or FastAPI) application or router, not by FastAPI's `@app.get(...)`, whose
    /// handler parameters are what the request's path, query and body give.
    fn starlette_endpoint(&self, route: &RouteDecl) -> bool {
        let Some(call) = route.call else {
            return false;
        };
        if crate::apps::route_class(self.model, route.file, &call.func).is_some_and(|q| {
            matches!(
                q.as_str(),
                "starlette.routing.Route" | "starlette.routing.WebSocketRoute"
            )
        }) {
            return true;
        }
        matches!(&call.func.kind, ExprKind::Attribute { attr, .. }
            if matches!(attr.as_str(), "add_route" | "route" | "add_websocket_route" | "websocket_route"))
            && route
                .owner
                .as_ref()
                .and_then(|o| self.apps.objects.get(o))
                .is_some_and(|o| {
                    matches!(
                        o.kind,
                        ObjectKind::StarletteApp
                            | ObjectKind::StarletteRouter
                            | ObjectKind::FastApiApp
                            | ObjectKind::ApiRouter
                    )
                })
    }

    /// Whether `test` (under any `not`s) names a module flag at `at`: a name that the enclosing
    /// functions neither bind nor receive, bound at the module's level only to literals (`True`,
    /// `False`, `None`, numbers, strings) or to other such flags, and by no function or class of
    /// the module (a function may rebind it under `global`). `has_login = True` in the branch of
    /// a module-level `if` that imports an optional add-on and `False` in its `else`, or `True`
    /// in a `try` and `False` in its `except ImportError`: how the server was set up at import,
    /// not who the caller is, whatever the name says. Its value is not folded to one of the
    /// literals: the branches make it undecidable. A flag imported from a project module (`from
    /// .settings import has_login`, or `settings.has_login` after `from . import settings`) is
    /// judged where that module binds it, provided the importing module does not bind it again
    /// and no module assigns it as an attribute (`settings.has_login = True`); one imported from
    /// outside the analysed code is not a flag.
    fn module_flag(&self, file: usize, test: &Expr, at: Span) -> bool {
        let model = self.model;
        let source = &model.files[file];
        let test = without_not(test);
        // `settings.has_login` where `settings` is a project module.
        if let ExprKind::Attribute { value, attr } = &test.kind {
            let Some(alias) = value.as_name() else {
                return false;
            };
            let Some((index, _)) = source.imports.get(alias).and_then(|m| model.module(m)) else {
                return false;
            };
            return !shadowed_at(source, at, alias) && self.flag_of_module(index, attr, 0);
        }
        let Some(name) = test.as_name() else {
            return false;
        };
        // Cheap first: a module-level assignment of that name, or an import of it from a project
        // module.
        let bound_here = match source.imports.get(name) {
            Some(q) => q
                .rsplit_once('.')
                .is_some_and(|(m, _)| model.module(m).is_some()),
            None => {
                matches!(source.top_level(name), Some(Stmt::Assign { .. }))
                    || source.block_binding(name).is_some()
            }
        };
        bound_here && !shadowed_at(source, at, name) && self.flag_of_module(file, name, 0)
    }

    /// Whether module `file` binds `name` as a flag (see [`Judge::module_flag`]): only at its
    /// level, only to literals or other such flags, or by importing a flag of another project
    /// module; and no module assigns it as an attribute of this one.
    fn flag_of_module(&self, file: usize, name: &str, depth: u32) -> bool {
        if depth > 4 {
            return false;
        }
        let model = self.model;
        let source = &model.files[file];
        // Cheap first: bound by an import, or at the module's level by an assignment whose value
        // may be a flag's.
        if source.imports.get(name).is_none() {
            let may_be_flag = match source.top_level(name) {
                Some(Stmt::Assign { value: Some(v), .. }) => {
                    literal_truth(v).is_some() || v.as_name().is_some()
                }
                Some(Stmt::Assign { .. }) => false,
                _ => source.block_binding(name).is_some(),
            };
            if !may_be_flag {
                return false;
            }
        }
        // Asked for every test of such a name: the module is walked once per name.
        let key = (file, name.to_string());
        if let Some(&known) = self.flag_memo.borrow().get(&key) {
            return known;
        }
        let flag = self.flag_of_module_walk(file, name, depth);
        self.flag_memo.borrow_mut().insert(key, flag);
        flag
    }

    /// [`Judge::flag_of_module`] without its memo.
    fn flag_of_module_walk(&self, file: usize, name: &str, depth: u32) -> bool {
        let model = self.model;
        let source = &model.files[file];
        let mut bound = false;
        let mut literal = true;
        module_bindings(source.body(), name, false, &mut |value, nested| {
            bound = true;
            literal &= !nested
                && value.is_some_and(|v| {
                    literal_truth(v).is_some()
                        || v.as_name()
                            .is_some_and(|n| n != name && self.flag_of_module(file, n, depth + 1))
                });
        });
        let flag = match source.imports.get(name) {
            // `from .settings import has_login`, not bound again here.
            Some(q) => {
                !bound
                    && q.rsplit_once('.').is_some_and(|(m, n)| {
                        model
                            .module(m)
                            .is_some_and(|(index, _)| self.flag_of_module(index, n, depth + 1))
                    })
            }
            None => bound && literal,
        };
        flag && !assigned_as_attribute(model, file, name)
    }

    /// `test` without the module flags (see [`Judge::module_flag`]) among the operands of an `and`:
    /// the part that may ask about the caller. `None` when the test is a module flag or an
    /// `and` of them only: a switch of how the server was set up, decided alike for every
    /// caller, which leaves the guards under it in place (conditional on it, not dead).
    fn without_module_flags<'t>(&self, file: usize, test: &'t Expr) -> Option<&'t Expr> {
        match &test.kind {
            ExprKind::BoolOp {
                op: BoolOp::And,
                values,
            } => {
                let mut rest = values
                    .iter()
                    .filter(|v| !self.module_flag(file, v, test.span));
                match (rest.next(), rest.next()) {
                    (None, _) => None,
                    (Some(only), None) => Some(only),
                    _ => Some(test),
                }
            }
            _ if self.module_flag(file, test, test.span) => None,
            _ => Some(test),
        }
    }

    /// Whether `body` returns from under a test of a verification's verdict (`user =
    /// verify_token(token)`, then `if user is not None: return user`).
    fn returns_after_verification(&self, file: usize, root: &[Stmt], body: &[Stmt]) -> bool {
        let imports = &self.model.files[file].imports;
        let mut found = false;
        walk_stmts(body, &mut |stmt| {
            if let Stmt::If { test, body, .. } = stmt
                && !found
                && matches!(body.last(), Some(Stmt::Return { value: Some(_), .. }))
                && tested_value(test)
                    .as_name()
                    .is_some_and(|n| verdict_of_identity_check(imports, root, n))
            {
                found = true;
            }
        });
        found
    }

    /// A call whose every argument is a setting (`verify_token(SERVER_TOKEN)` with
    /// `SERVER_TOKEN = os.environ.get(...)`, `check(token=os.environ.get("HF_TOKEN"))`): it
    /// checks the server's configuration, not anything the request carries.
    fn checks_only_settings(&self, file: usize, root: &[Stmt], e: &Expr) -> bool {
        let e = match &e.kind {
            ExprKind::Await(inner) => &**inner,
            _ => e,
        };
        // `return SERVER_TOKEN`: the setting itself.
        if matches!(e.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
            return self.setting_value(file, root, e);
        }
        let Some(call) = e.as_call() else {
            return false;
        };
        let mut args = call.argument_values().peekable();
        args.peek().is_some() && args.all(|a| self.setting_value(file, root, a))
    }

    /// A test that a variable of the function read from the configuration is set
    /// (`gui_user = app.config.get("GUI_USER")`, then `if gui_user is not None and (not auth
    /// or not valid(auth)):`): as an operand of an `and`, the refusal under it happens only
    /// while the setting is configured, and the guard lets everyone in without it (it fails
    /// open), whatever the variable is called.
    fn configured_setting_test(&self, file: usize, root: &[Stmt], operand: &Expr) -> bool {
        let configured = match &operand.kind {
            ExprKind::Name(_) => true,
            ExprKind::Compare { .. } => matches!(
                operand.comparisons().as_slice(),
                [(_, CmpOp::IsNot | CmpOp::NotEq, right)]
                    if matches!(right.kind, ExprKind::NoneLiteral)
            ),
            _ => false,
        };
        configured && self.setting_value(file, root, tested_value(operand))
    }

    /// A value read from the configuration: directly, through a variable of the function
    /// (`gui_user = app.config.get(...)`) or through a module-level name (`SERVER_TOKEN =
    /// os.environ.get(...)`).
    fn setting_value(&self, file: usize, root: &[Stmt], e: &Expr) -> bool {
        self.is_config(file, e)
            || self.is_config_variable(file, root, e)
            || e.as_name().is_some_and(|n| {
                matches!(
                    self.model.files[file].top_level(n),
                    Some(Stmt::Assign { value: Some(v), .. }) if self.is_config(file, v)
                )
            })
    }

    fn is_config_variable(&self, file: usize, root: &[Stmt], test: &Expr) -> bool {
        let test = without_not(test);
        let Some(name) = test.as_name() else {
            return false;
        };
        root_assignments(root, name).any(|value| self.is_config(file, value))
    }

    /// A flag `test` names, bound once in `root` to `not <presence> and <setting test>`
    /// (`needs_auth = not has_credentials and not settings.allow_anonymous_access`, with
    /// `has_credentials = api_key is not None` on what a security scheme or the request
    /// presented): true for anonymous callers while the setting test holds. That test.
    fn anonymous_under_switch(&self, file: usize, root: &[Stmt], test: &Expr) -> Option<Switch> {
        let name = test.as_name()?;
        let mut values = root_assignments(root, name);
        let value = values.next()?;
        if values.next().is_some() {
            return None;
        }
        let ExprKind::BoolOp {
            op: BoolOp::And,
            values: operands,
        } = &value.kind
        else {
            return None;
        };
        let mut lacks = false;
        let mut switch = None;
        for operand in operands {
            // `not has_credentials`, `api_key is None`.
            let presence = match &operand.kind {
                ExprKind::UnaryOp {
                    op: UnaryOp::Not,
                    operand: inner,
                } => inner.as_name().and_then(|n| {
                    let mut bound = root_assignments(root, n);
                    let v = bound.next()?;
                    bound.next().is_none().then_some(v)
                }),
                _ => None,
            };
            let presented = |e: &Expr| {
                is_presence_test(e)
                    && (self.presented_scheme_parameter(root, e).is_some()
                        || presented_credential_variable(root, e).is_some())
            };
            // `api_key is not None or token is not None`: any credential presented.
            let any_presented = |e: &Expr| match &e.kind {
                ExprKind::BoolOp {
                    op: BoolOp::Or,
                    values,
                } => values.iter().all(presented),
                _ => presented(e),
            };
            if presence.is_some_and(any_presented) {
                lacks = true;
            } else if self.is_server_switch(file, root, operand) && switch.is_none() {
                switch = Some(Switch {
                    file,
                    test: operand.span,
                    negated: false,
                    parameter: false,
                });
            } else {
                return None;
            }
        }
        if lacks { switch } else { None }
    }

    fn gate_of(&self, file: usize, test: &Expr) -> Gate {
        let imports = &self.model.files[file].imports;
        let mut g = Gate::default();
        let mut routing_names = routing_name_literals(test);
        routing_names.extend(asgi_scope_keys(test));
        let field_keys = presence_tested_keys(test);
        test.any(&mut |e| {
            // `request.endpoint not in ("web.login", "static")` names routes, not credentials.
            if routing_names.contains(&e.span.start) {
                return false;
            }
            // ASGI header names are bytes: `b"authorization" not in headers`.
            let bytes = match &e.kind {
                ExprKind::Bytes(b) => Some(String::from_utf8_lossy(b)),
                _ => None,
            };
            let word = match &e.kind {
                ExprKind::Name(n) => Some(n.as_str()),
                ExprKind::Attribute { attr, .. } => Some(attr.as_str()),
                ExprKind::Str(s) => Some(s.as_str()),
                _ => bytes.as_deref(),
            };
            if let Some(word) = word {
                // A CSRF token proves where a request comes from, not who sends it.
                g.identity |= !FORGERY_TOKEN.found_in(word) && IDENTITY.found_in(word);
                // The ASGI connection `scope` is not an OAuth scope.
                let asgi_scope = matches!(&e.kind, ExprKind::Name(n) if n == "scope");
                g.role |= !asgi_scope && !field_keys.contains(&e.span.start) && ROLE.found_in(word);
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
        // `if app.config.get("LOGIN_DISABLED")` is about the configuration, not the caller.
        // Nor is `if stored is None and check_xsrf and stored_token != sent_token:` about
        // who the caller is or what they hold: it refuses a forged request, whatever the
        // other conjuncts read.
        if self.is_config(file, test) || forgery_conjunct(test) {
            g.identity = false;
            g.role = false;
        }
        // `not first_run and userManager.has_been_customized() and not Permissions.ADMIN.can()`:
        // the user store a module keeps asks whether accounts were set up, not who calls.
        if g.identity
            && let ExprKind::BoolOp {
                op: BoolOp::And,
                values,
            } = &test.kind
            && values.iter().any(|v| self.asks_project_global(file, v))
            && !values
                .iter()
                .any(|v| !self.asks_project_global(file, v) && self.gate_of(file, v).identity)
        {
            g.identity = false;
        }
        if g.identity {
            g.polarity = identity_polarity(test);
        }
        if g.role {
            g.role_polarity = polarity_of(test, &mentions_role);
        }
        g
    }

    /// `allowed != "allow"`, `verdict not in (Decision.ALLOW, Decision.MAYBE)`: a comparison of a
    /// local with values other than None or False, the local bound once in the function, at
    /// its top, to the answer of a call handed the caller's identity or role
    /// (`policy.evaluate(g.role, ...)`), not the credentials of a login. The local and what the
    /// call tests.
    fn checked_local<'t>(
        &self,
        file: usize,
        root: &[Stmt],
        test: &'t Expr,
    ) -> Option<(&'t str, Gate)> {
        let (left, op, right) = test.single_compare()?;
        if !matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn) {
            return None;
        }
        // Compared with values that stand for an answer: literals and constants.
        let answer = |e: &Expr| {
            matches!(e.kind, ExprKind::Attribute { .. } | ExprKind::Name(_))
                || e.as_str().is_some_and(|s| !s.is_empty())
        };
        if !right.elements().map_or(answer(right), |items| {
            !items.is_empty() && items.iter().all(answer)
        }) {
            return None;
        }
        let name = left.as_name()?;
        let (value, call) = single_call_assignment(root, name)?;
        let g = self.gate_of(file, value);
        ((g.identity || g.role) && !g.credentials && !call.args.is_empty()).then_some((name, g))
    }

    /// `if not decision.allowed:` where `decision` is bound once in the function to the answer
    /// of a project function handed the credential the request presents (`decision =
    /// decide_request_auth(authorization_header=request.headers.get("Authorization"), ...)`):
    /// a field of what that function decided about the presented credential, as `if not
    /// allowed:` after `allowed = authenticate(...)` is, whatever the names. Not when all the
    /// function does with the credential is to send it on (see
    /// [`Judge::forwarded_credential`]). For which callers the test holds.
    fn credential_decision_test(
        &self,
        file: usize,
        root: &'a [Stmt],
        test: &Expr,
    ) -> Option<Polarity> {
        let (negated, operand) = match &test.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => (true, &**operand),
            _ => (false, test),
        };
        let ExprKind::Attribute { value, .. } = &operand.kind else {
            return None;
        };
        let name = value.as_name()?;
        let (_, call) = single_call_assignment(root, name)?;
        if !call
            .argument_values()
            .any(|a| carries_presented_credential(root, a, 0))
        {
            return None;
        }
        if !matches!(
            self.model.resolve_definition(file, &call.func),
            Some((_, Some(Stmt::FunctionDef(_)), _))
        ) || self.forwarded_credential(file, root, name)
        {
            return None;
        }
        Some(if negated {
            Polarity::Lacks
        } else {
            Polarity::Has
        })
    }

    /// Whether `test` asks about a local flag that stands for the caller's identity (see
    /// [`Judge::identity_flag`]), and for which callers it holds.
    fn identity_flag_polarity(&self, file: usize, root: &[Stmt], test: &Expr) -> Option<Polarity> {
        let mut flags = Vec::new();
        flag_names(test, &mut flags);
        flags.into_iter().find_map(|name| {
            let identified = self.identity_flag(file, root, name)?;
            match flag_polarity(test, name, identified) {
                Polarity::Unknown => None,
                p => Some(p),
            }
        })
    }

    /// The value a local flag holds for an identified caller: `name` is assigned only `True`
    /// and `False`, one of them at the top of the function, the other only under a test that
    /// the caller has an identity (`if session.get("user_id"):`, in a `try` there too), or
    /// only under a test that the caller lacks one (`status = None`, then `if user in (False,
    /// None): status = 401`): literals whose truth is known, `None` and numbers too.
    fn identity_flag(&self, file: usize, root: &[Stmt], name: &str) -> Option<bool> {
        let assigned = |stmt: &Stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.len() == 1 && targets[0].as_name() == Some(name) => {
                Some(literal_truth(value))
            }
            _ => None,
        };
        // The default: assigned at the top of the function.
        let default = root.iter().find_map(|s| assigned(s).flatten())?;
        // Cheap first: every other assignment is a literal, one of them the other value.
        let mut literal = true;
        let mut changed = false;
        walk_all_stmts(root, &mut |stmt| match assigned(stmt) {
            Some(Some(v)) => changed |= v != default,
            Some(None) => literal = false,
            None => {}
        });
        if !literal || !changed {
            return None;
        }
        let (mut identified, mut anonymous) = (0usize, 0usize);
        let mut other = false;
        self.flag_assignments(
            file,
            root,
            Some(Polarity::Unknown),
            &assigned,
            &mut |value, under| match (value, under) {
                (Some(v), _) if v == default => {}
                (Some(_), Polarity::Has) => identified += 1,
                (Some(_), Polarity::Lacks) => anonymous += 1,
                _ => other = true,
            },
        );
        match (identified > 0, anonymous > 0) {
            _ if other => None,
            (true, false) => Some(!default),
            (false, true) => Some(default),
            _ => None,
        }
    }

    /// Calls `f` with the value (a literal's truth or not) of each assignment `assigned`
    /// recognises in `body`, and whether it is under a test that the caller has an identity
    /// (`Has`) or lacks one (`Lacks`). `under`: `None` under a test of a role or permission
    /// (`if has_supervisor_permissions():`), where the flag says what the caller may do, not
    /// who they are.
    fn flag_assignments(
        &self,
        file: usize,
        body: &[Stmt],
        under: Option<Polarity>,
        assigned: &impl Fn(&Stmt) -> Option<Option<bool>>,
        f: &mut impl FnMut(Option<bool>, Polarity),
    ) {
        for stmt in body {
            if let Some(value) = assigned(stmt) {
                f(value, under.unwrap_or_default());
                continue;
            }
            match stmt {
                // A nested function's flag is its own.
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    let gate = self.gate_of(file, test);
                    let branch = |flip: bool| {
                        if gate.role {
                            None
                        } else {
                            under.map(|u| match u {
                                Polarity::Unknown if gate.identity && flip => gate.polarity.flip(),
                                Polarity::Unknown if gate.identity => gate.polarity,
                                u => u,
                            })
                        }
                    };
                    self.flag_assignments(file, body, branch(false), assigned, f);
                    self.flag_assignments(file, orelse, branch(true), assigned, f);
                }
                Stmt::Try {
                    body: tried,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => {
                    self.flag_assignments(file, tried, under, assigned, f);
                    self.flag_assignments(file, orelse, under, assigned, f);
                    // An `except` runs when the lookup of the caller failed.
                    let outside = under.map(|_| Polarity::Unknown);
                    for h in handlers {
                        self.flag_assignments(file, &h.body, outside, assigned, f);
                    }
                    self.flag_assignments(file, finalbody, outside, assigned, f);
                }
                _ => {
                    for child in stmt.child_bodies() {
                        // Elsewhere (a loop, a `with`): not known to be about the caller.
                        self.flag_assignments(
                            file,
                            child,
                            under.map(|_| Polarity::Unknown),
                            assigned,
                            f,
                        );
                    }
                }
            }
        }
    }

    /// `status_code=decision.error_status_code` where `decision` was last bound in `root` to
    /// what a project function returned, an instance of a project class that declares the
    /// field with a default of 401 or 403 (`error_status_code: int = 401` in a dataclass): the
    /// status the answer refuses with.
    fn declared_status_field(&self, file: usize, root: &[Stmt], e: &Expr) -> Option<Refusal> {
        let ExprKind::Attribute { value, attr } = &e.kind else {
            return None;
        };
        let bound = crate::values::last_assignment(root, value.as_name()?)?;
        let bound = match &bound.kind {
            ExprKind::Await(inner) => &**inner,
            _ => bound,
        };
        bound.as_call()?;
        let class = self.model.instance_class(file, &[], bound)?;
        let Some((_, Stmt::ClassDef(c))) = self.model.definition(&class) else {
            return None;
        };
        c.body.iter().find_map(|stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(default),
                ..
            } if targets.len() == 1 && targets[0].as_name() == Some(attr.as_str()) => {
                status_of(default)
            }
            _ => None,
        })
    }

    /// What a raised or returned expression does to the request, if it refuses it.
    fn refusal(&self, file: usize, root: &[Stmt], expr: &Expr, depth: u32) -> Option<Refusal> {
        match &expr.kind {
            ExprKind::Await(inner) => self.refusal(file, root, inner, depth),
            ExprKind::Call(call) => {
                // ASGI: `await send({"type": "http.response.start", "status": 401})`.
                if let Some(r) = call.args.iter().find_map(|a| match &a.kind {
                    ExprKind::Dict(entries) => entries.iter().find_map(|entry| {
                        entry
                            .key
                            .as_ref()
                            .and_then(Expr::as_str)
                            .filter(|k| matches!(*k, "status" | "status_code"))
                            .and_then(|_| status_of(&entry.value))
                    }),
                    _ => None,
                }) {
                    return Some(r);
                }
                let last = call.func.last_name().unwrap_or("");
                if last == "redirect" || last == "RedirectResponse" {
                    let target = call.args.first().or(call.keyword("url"));
                    if target.is_some_and(names_login_page) {
                        return Some(Refusal::ToLogin);
                    }
                    // `redirect(url_for("home"))` to the view serving the sign-in form under
                    // another name: a refusal only under a test of the request's session,
                    // as serving that form in place is.
                    if target.is_some_and(|t| self.endpoint_serves_login(file, root, t)) {
                        return Some(Refusal::ServesLogin);
                    }
                    return Some(Refusal::Away);
                }
                // WSGI: `start_response("401 Unauthorized", headers)`.
                if last == "start_response"
                    && let Some(status) = call.args.first().and_then(Expr::as_str)
                {
                    if status.starts_with("401") {
                        return Some(Refusal::Unauthorized);
                    }
                    if status.starts_with("403") {
                        return Some(Refusal::Forbidden);
                    }
                }
                // Flask-Login's `login_manager.unauthorized()` and `needs_refresh()`.
                if last == "unauthorized" || last == "needs_refresh" {
                    return Some(Refusal::Unauthorized);
                }
                // A WebSocket closed before it is accepted, with an application code (the
                // 4000-4999 range, 4001 and 4401 for 401) or the policy-violation code:
                // `await websocket.close(code=4401)`. Under a test of the caller, as any
                // refusal.
                if last == "close"
                    && let Some(code) = call.keyword("code").or(call.args.first())
                {
                    match code.kind {
                        ExprKind::Int(Some(4001 | 4401)) => return Some(Refusal::Unauthorized),
                        ExprKind::Int(Some(1008 | 4000..=4999)) => {
                            return Some(Refusal::Forbidden);
                        }
                        _ => {}
                    }
                }
                // Flask-HTTPAuth's error answer, called by hand (`return auth.
                // auth_error_callback(status)`): the 401 challenge its decorators send.
                if last == "auth_error_callback"
                    && let ExprKind::Attribute { value, .. } = &call.func.kind
                    && self
                        .model
                        .instance_class(file, &[], value)
                        .is_some_and(|c| is_auth_object_class(&c))
                {
                    return Some(Refusal::Unauthorized);
                }
                // Eve's and Flask-BasicAuth's auth objects answer 401 with a challenge:
                // `return app.auth.authenticate()`, `return basic_auth.challenge()`.
                if matches!(last, "authenticate" | "challenge")
                    && call.args.is_empty()
                    && call.keywords.is_empty()
                    && matches!(call.func.kind, ExprKind::Attribute { .. })
                {
                    return Some(Refusal::Unauthorized);
                }
                // `redirect_to_login()`, `redirect_to_signin(next=...)`.
                let lower = last.to_ascii_lowercase();
                let names_login = lower.contains("login") || lower.contains("signin");
                if names_login && lower.contains("redirect") {
                    return Some(Refusal::ToLogin);
                }
                // `login(page)`: the login view, called to serve its form in place of the page.
                if names_login
                    && let Some((_, Some(Stmt::FunctionDef(view)), _)) =
                        self.model.resolve_definition(file, &call.func)
                    && self.handler_bodies.contains(&(view.body.as_ptr() as usize))
                {
                    return Some(Refusal::ServesLogin);
                }
                // `return home()` where `home` is the view that answers callers without a
                // session with the sign-in form.
                if !names_login
                    && depth < REFUSAL_DEPTH
                    && let Some((view_file, Some(Stmt::FunctionDef(view)), _)) =
                        self.model.resolve_definition(file, &call.func)
                    && !std::ptr::eq(view.body.as_ptr(), root.as_ptr())
                    && self.serves_login_form(view_file, view)
                {
                    return Some(Refusal::ServesLogin);
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
                        k.arg
                            .as_deref()
                            .is_some_and(names_status)
                            .then_some(&k.value)
                    }))
                    .find_map(status_of);
                if let Some(r) = status {
                    return Some(r);
                }
                // `status_code=decision.error_status_code`: see
                // [`Judge::declared_status_field`].
                if let Some(r) = call
                    .keywords
                    .iter()
                    .filter(|k| k.arg.as_deref().is_some_and(names_status))
                    .find_map(|k| self.declared_status_field(file, root, &k.value))
                {
                    return Some(r);
                }
                if let Some(r) = refusal_class(last) {
                    return Some(r);
                }
                // `return jsonify({"type": "not_logged_in", "html": login_form()})`: an answer
                // in place of the view that tells the caller to log in, whatever its status.
                if matches!(last, "jsonify" | "JSONResponse" | "make_response")
                    && call.argument_values().any(|a| {
                        a.any(&mut |x| {
                            x.as_str().is_some_and(|t| {
                                let lower = t.to_ascii_lowercase();
                                [
                                    "not_logged_in",
                                    "not logged in",
                                    "login required",
                                    "unauthenticated",
                                ]
                                .iter()
                                .any(|w| lower.contains(w))
                            })
                        })
                    })
                {
                    return Some(Refusal::Unauthorized);
                }
                // ASGI: `return JSONResponse(..., status_code=401)(scope, receive, send)`.
                if call.args.len() == 3
                    && let ExprKind::Call(_) = call.func.kind
                {
                    return self.refusal(file, root, &call.func, depth + 1);
                }
                // ASGI: `response = JSONResponse(..., status_code=401)` then `await
                // response(scope, receive, send)`.
                if call.args.len() == 3
                    && let Some(name) = call.func.as_name()
                    && depth < REFUSAL_DEPTH
                    && let Some(value) = crate::values::last_assignment(root, name)
                {
                    return self.refusal(file, root, value, depth + 1);
                }
                // `return _unauthorized("no key")`, a function defined in the guard itself
                // that answers 401.
                if depth < REFUSAL_DEPTH
                    && let Some(name) = call.func.as_name()
                    && let Some(local) = crate::apps::local_function(root, name)
                {
                    let mut found = None;
                    crate::values::for_each_return(&local.body, &mut |r| {
                        if found.is_none() {
                            found = self.refusal(file, &local.body, r, depth + 1);
                        }
                    });
                    if found.is_some() {
                        return found;
                    }
                }
                match self.model.resolve_definition(file, &call.func) {
                    // `raise Redirect303(url_for(".login"))`: the project's own HTTP exception,
                    // answered with the status its class declares.
                    Some((class_file, Some(Stmt::ClassDef(class)), _))
                        if self
                            .model
                            .class_name(file, &call.func)
                            .is_some_and(|q| HTTP_EXCEPTIONS.contains(&q.as_str())) =>
                    {
                        let code =
                            crate::apps::class_attribute(self.model, class_file, class, "code");
                        match code.map(|(_, v)| &v.kind) {
                            Some(ExprKind::Int(Some(300..=399))) => {
                                Some(if call.args.iter().any(names_login_page) {
                                    Refusal::ToLogin
                                } else {
                                    Refusal::Away
                                })
                            }
                            _ => code.and_then(|(_, v)| status_of(v)),
                        }
                    }
                    // `raise AuthenticationRequired("...")`: the project's own exception class,
                    // answered with the 401/403 its class declares.
                    Some((class_file, Some(Stmt::ClassDef(class)), _)) => {
                        self.declared_refusal(class_file, class)
                    }
                    // `raise exceptions.AuthenticationRequired(...)` of a package out of reach.
                    Some((_, None, Some(q))) => {
                        login_required_class(&q).or_else(|| self.handled_outside(&q))
                    }
                    // `return auth_error()`: a project helper that refuses; or
                    // `_forbidden(reason)`, a helper whose body ends raising the refusal.
                    Some((def_file, Some(Stmt::FunctionDef(f)), _)) if depth < REFUSAL_DEPTH => {
                        if let Some(Stmt::Raise { exc: Some(e), .. }) = f.body.last() {
                            return self.refusal(def_file, &f.body, e, depth + 1);
                        }
                        let mut found = None;
                        crate::values::for_each_return(&f.body, &mut |r| {
                            if found.is_none() {
                                found = self.refusal(def_file, &f.body, r, depth + 1);
                            }
                        });
                        found
                    }
                    // `self.error_no_permission(request)`: a method of the class making the
                    // call that refuses whenever it is called.
                    // `auth.redirect_to_goodbye()` on a module-level instance of a project
                    // class: likewise, its method.
                    _ => self
                        .own_method_refusal(file, &call.func, depth)
                        .or_else(|| {
                            if depth >= REFUSAL_DEPTH
                                || !matches!(&call.func.kind, ExprKind::Attribute { value, .. }
                                if value.as_name().is_some_and(|n| n != "self" && n != "cls"))
                            {
                                return None;
                            }
                            let top = self.model.files[file].body();
                            let (mf, method, _) = self.instance_method(file, top, &call.func)?;
                            self.always_refuses(mf, method, depth + 1)
                        }),
                }
            }
            // `return jsonify(error="..."), 401`
            ExprKind::Tuple(items) => items.iter().skip(1).find_map(status_of).or_else(|| {
                // `return False, None, (jsonify(error="..."), 401)` or `return None,
                // _refuse("...", 401)` from a helper whose callers return that element
                // (`ok, user, err = check(); if not ok: return err`). Not in a response
                // tuple (`jsonify(...), 200`), whose second item is the status.
                if items
                    .get(1)
                    .is_some_and(|i| matches!(i.kind, ExprKind::Int(_)))
                {
                    return None;
                }
                items.iter().find_map(|item| match &item.kind {
                    ExprKind::Tuple(_) => self.refusal(file, root, item, depth + 1),
                    ExprKind::Call(_) => self
                        .refusal(file, root, item, depth + 1)
                        .filter(|r| !matches!(r, Refusal::Away | Refusal::ServesLogin)),
                    _ => None,
                })
            }),
            // `raise credentials_exception`, assigned earlier in the function.
            ExprKind::Name(name) => {
                if let Some(r) = refusal_class(name) {
                    return Some(r);
                }
                // `raise UserRequiredException`: the class, instantiated by `raise`.
                if let Some(r) = self.exception_class_refusal(file, expr) {
                    return Some(r);
                }
                let value = crate::values::last_assignment(root, name)?;
                if std::ptr::eq(value, expr) || depth > REFUSAL_DEPTH {
                    return None;
                }
                self.refusal(file, root, value, depth + 1)
            }
            ExprKind::Attribute { value, attr } => refusal_class(attr)
                .or_else(|| self.exception_class_refusal(file, expr))
                .or_else(|| self.stored_refusal(file, value, attr, depth)),
            _ => None,
        }
    }

    /// `return app.login_response` where the project stores a refusal on that object at the
    /// top level of a module that can name it (`app.login_response = Response("need auth.",
    /// 401)`): the refusal stored. Every such store must be one.
    fn stored_refusal(
        &self,
        file: usize,
        receiver: &Expr,
        attr: &str,
        depth: u32,
    ) -> Option<Refusal> {
        if depth >= REFUSAL_DEPTH || receiver.as_name().is_none_or(|n| n == "self" || n == "cls") {
            return None;
        }
        let (def_file, Some(def @ Stmt::Assign { targets, .. }), _) =
            self.model.resolve_definition(file, receiver)?
        else {
            return None;
        };
        let name = targets.iter().find_map(Expr::as_name)?;
        let mut found = None;
        for (f, module) in self.model.files_naming(def_file, name) {
            for (r, stored) in crate::values::attribute_assignments(module.body(), attr) {
                let same = matches!(self.model.resolve_definition(f, r),
                    Some((_, Some(d), _)) if std::ptr::eq(d, def));
                if !same {
                    continue;
                }
                found = Some(self.refusal(f, module.body(), stored, depth + 1)?);
            }
        }
        found
    }

    /// `self.deny(request)` or `cls.deny(request)` in a method: the method of the calling
    /// class (or of its nearest project base) when it refuses whenever it is called, and so do
    /// the overrides of the class's project subclasses, any of which `self` may be.
    fn own_method_refusal(&self, file: usize, func: &Expr, depth: u32) -> Option<Refusal> {
        let ExprKind::Attribute { value, attr } = &func.kind else {
            return None;
        };
        if !matches!(value.as_name(), Some("self" | "cls")) || depth >= REFUSAL_DEPTH {
            return None;
        }
        let class = innermost_class(self.model.files[file].body(), func.span)?;
        let (method_file, _, method) = find_method(self.model, file, class, attr)?;
        let refusal = self.always_refuses(method_file, method, depth)?;
        for &(sub_file, sub, other) in self.methods_named(attr) {
            if std::ptr::eq(other, method) {
                continue;
            }
            let overrides = class_hierarchy(self.model, sub_file, sub)
                .iter()
                .any(|(_, c)| std::ptr::eq(*c, class));
            if overrides && self.always_refuses(sub_file, other, depth).is_none() {
                return None;
            }
        }
        Some(refusal)
    }

    /// The refusal a function makes whenever it is called: its body ends raising or returning
    /// one, and every value it returns on the way is one too (`def error_no_permission(self,
    /// request): raise HTTPException(401)`).
    fn always_refuses(&self, file: usize, function: &'a Function, depth: u32) -> Option<Refusal> {
        let body = code_statements(&function.body);
        let last = match body.last()? {
            Stmt::Raise { exc: Some(e), .. } | Stmt::Return { value: Some(e), .. } => e,
            _ => return None,
        };
        let mut every = true;
        walk_stmts(&function.body, &mut |stmt| {
            if let Stmt::Return { value, .. } = stmt {
                every &= value
                    .as_ref()
                    .is_some_and(|v| self.refusal(file, &function.body, v, depth + 1).is_some());
            }
        });
        if !every {
            return None;
        }
        self.refusal(file, &function.body, last, depth + 1)
    }

    /// `url_for("home")` (also `url_for("main.home")`) where the project view of that name, in
    /// this module or imported into it, serves the sign-in form to callers without a session.
    /// Not from the login view itself (`return redirect(url_for("home"))` once it has signed
    /// the caller in).
    fn endpoint_serves_login(&self, file: usize, root: &[Stmt], target: &Expr) -> bool {
        let Some(call) = target.as_call() else {
            return false;
        };
        let imports = &self.model.files[file].imports;
        if imports.resolve(&call.func).as_deref() != Some("flask.url_for") {
            return false;
        }
        let Some(endpoint) = call.args.first().and_then(Expr::as_str) else {
            return false;
        };
        let name = endpoint.rsplit('.').next().unwrap_or(endpoint);
        let found = match self.model.files[file].top_level(name) {
            Some(stmt) => Some((file, stmt)),
            None => imports.get(name).and_then(|q| self.model.definition(q)),
        };
        matches!(found, Some((f, Stmt::FunctionDef(view)))
            if !std::ptr::eq(view.body.as_ptr(), root.as_ptr()) && self.serves_login_form(f, view))
    }

    /// A view that answers callers without a signed-in session with the sign-in form: under
    /// `if "username" not in session:` it ends rendering a template named for a login, or one
    /// given a password setting, or it signs the caller in there (`session["username"] =
    /// worker`). Not a page that merely looks different to anonymous callers.
    fn serves_login_form(&self, file: usize, view: &Function) -> bool {
        if !self.handler_bodies.contains(&(view.body.as_ptr() as usize)) {
            return false;
        }
        let imports = &self.model.files[file].imports;
        code_statements(&view.body).iter().any(|stmt| {
            let Stmt::If { test, body, .. } = stmt else {
                return false;
            };
            if !lacks_session_user(imports, test) {
                return false;
            }
            let Some(Stmt::Return {
                value: Some(value), ..
            }) = body.last()
            else {
                return false;
            };
            let Some(render) = value.as_call() else {
                return false;
            };
            if imports.resolve(&render.func).as_deref() != Some("flask.render_template") {
                return false;
            }
            let login_template = render
                .args
                .first()
                .and_then(Expr::as_str)
                .is_some_and(names_login_template);
            let password_setting = render.keywords.iter().any(|k| {
                k.arg.as_deref().is_some_and(|a| {
                    let lower = a.to_ascii_lowercase();
                    lower.contains("password") || lower.contains("login")
                })
            });
            let mut signs_in = false;
            walk_stmts(body, &mut |st| {
                if let Stmt::Assign { targets, .. } = st {
                    signs_in |= targets.iter().any(|t| {
                        matches!(&t.kind, ExprKind::Subscript { value, .. }
                            if matches!(imports.resolve(value).as_deref(), Some("flask.session")))
                    });
                }
            });
            login_template || password_setting || signs_in
        })
    }

    /// A raised exception class that answers 401/403: a project class declaring that status,
    /// or a class out of reach whose name says a login is required.
    fn exception_class_refusal(&self, file: usize, class: &Expr) -> Option<Refusal> {
        match self.model.resolve_definition(file, class)? {
            (class_file, Some(Stmt::ClassDef(c)), _) => self.declared_refusal(class_file, c),
            (_, None, Some(q)) => login_required_class(&q).or_else(|| self.handled_outside(&q)),
            _ => None,
        }
    }

    /// The 401/403 an error handler of the project answers a project exception class with,
    /// registered for the class or one of its bases (see [`handled_exceptions`]).
    fn handled_refusal(&self, file: usize, class: &'a Class) -> Option<Refusal> {
        let handled = self
            .handled_exceptions
            .get_or_init(|| handled_exceptions(self.model));
        if handled.project.is_empty() && handled.outside.is_empty() {
            return None;
        }
        for (f, c) in class_hierarchy(self.model, file, class) {
            if let Some(r) = handled.project.get(&(c as *const Class as usize)) {
                return Some(*r);
            }
            if handled.outside.is_empty() {
                continue;
            }
            for base in &c.bases {
                if let Some((_, None, Some(q))) = self.model.resolve_definition(f, base)
                    && let Some(r) = handled.outside.get(&q)
                {
                    return Some(*r);
                }
            }
        }
        None
    }

    /// The 401/403 an error handler of the project answers an exception class from outside
    /// the project with (`@app.errorhandler(qcportal.exceptions.AuthorizationFailure)`).
    fn handled_outside(&self, qualified: &str) -> Option<Refusal> {
        self.handled_exceptions
            .get_or_init(|| handled_exceptions(self.model))
            .outside
            .get(qualified)
            .copied()
    }

    /// The 401/403 a project exception class declares, itself or through its bases: a class
    /// attribute (`status_code = 403`), the status it hands its base's constructor
    /// (`super().__init__(status_code=401, ...)`), or a base out of reach named for a
    /// required login (`class SessionExpired(galaxy.exceptions.AuthenticationRequired)`).
    fn declared_refusal(&self, file: usize, class: &'a Class) -> Option<Refusal> {
        for (f, c) in class_hierarchy(self.model, file, class) {
            for stmt in &c.body {
                match stmt {
                    Stmt::Assign {
                        targets,
                        value: Some(value),
                        ..
                    } if targets
                        .iter()
                        .any(|t| t.as_name().is_some_and(names_status)) =>
                    {
                        // A status other than 401/403 decides too; `code = "E_AUTH"` does not.
                        if let Some(r) = status_of(value) {
                            return Some(r);
                        }
                        if matches!(value.kind, ExprKind::Int(_)) {
                            return None;
                        }
                    }
                    Stmt::FunctionDef(init) if init.name == "__init__" => {
                        let mut found = None;
                        walk_exprs(&init.body, &mut |e| {
                            if found.is_none()
                                && let Some(call) = e.as_call()
                                && let ExprKind::Attribute { value, attr } = &call.func.kind
                                && attr == "__init__"
                                && value
                                    .as_call()
                                    .is_some_and(|s| s.func.as_name() == Some("super"))
                            {
                                found = STATUS_NAMES
                                    .iter()
                                    .find_map(|n| call.keyword(n))
                                    .or(call.args.first())
                                    .and_then(status_of);
                            }
                        });
                        if found.is_some() {
                            return found;
                        }
                    }
                    _ => {}
                }
            }
            for base in &c.bases {
                if let Some((_, None, Some(q))) = self.model.resolve_definition(f, base)
                    && let Some(r) = login_required_class(&q)
                {
                    return Some(r);
                }
            }
        }
        // `raise AuthorizationFailure(...)` of a class declaring nothing, answered 403 by
        // `@app.errorhandler(AuthorizationFailure)`: what the handler answers, whatever the
        // class is called.
        self.handled_refusal(file, class)
    }
}

/// A keyword or class attribute that carries an exception's HTTP status: `status_code=`,
/// `status=`, `code=`, or the `http_`-prefixed names project exception classes use so as not
/// to clash with their own `code` (`http_status_code = HTTPStatus.UNAUTHORIZED`).
pub fn names_status(name: &str) -> bool {
    STATUS_NAMES.contains(&name)
}

/// The names [`names_status`] accepts, in the order a call's keywords are tried.
const STATUS_NAMES: &[&str] = &[
    "status_code",
    "status",
    "code",
    "http_status_code",
    "http_status",
    "http_code",
];

/// `kwd["dependencies"]`, `kwd.setdefault("dependencies", [])`.
fn names_dependencies(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Subscript { slice, .. } => slice.as_str() == Some("dependencies"),
        ExprKind::Call(c) => {
            matches!(&c.func.kind, ExprKind::Attribute { attr, .. } if attr == "setdefault")
                && c.args.first().and_then(Expr::as_str) == Some("dependencies")
        }
        _ => false,
    }
}

/// An exception class named for a caller who must log in first: `AuthenticationRequired`,
/// `LoginRequired`, `UserRequiredException`, `NotLoggedIn`; or be an administrator:
/// `AdminRequiredException`.
fn login_required_class(qualified: &str) -> Option<Refusal> {
    let last = qualified.rsplit('.').next().unwrap_or(qualified);
    let lower = last.to_ascii_lowercase();
    if lower.starts_with("adminrequired") {
        return Some(Refusal::Forbidden);
    }
    [
        "authenticationrequired",
        "authrequired",
        "loginrequired",
        "userrequired",
        "notloggedin",
    ]
    .iter()
    .any(|w| lower.starts_with(w))
    .then_some(Refusal::Unauthorized)
}

/// What an `is_accessible` override lets through ([`Judge::access_returns`]).
#[derive(Default)]
struct AccessCheck {
    /// It tests the caller's identity or role.
    identity: bool,
    role: bool,
    /// Some return lets callers in whatever their identity.
    lets_anyone_in: bool,
}

/// The memoised verdict for `key`, judged by `judge` the first time. While a judgement runs,
/// a recursive visit of the same key sees the default verdict; past the chain limit an
/// unjudged key gives `None`.
fn memoised<K: std::hash::Hash + Eq + Copy>(
    memo: &RefCell<HashMap<K, Verdict>>,
    key: K,
    depth: u32,
    judge: impl FnOnce() -> Verdict,
) -> Option<Verdict> {
    let known = memo.borrow_mut().get(&key).copied();
    if let Some(v) = known {
        return Some(v);
    }
    if depth >= MAX_CHAIN {
        return None;
    }
    memo.borrow_mut().insert(key, Verdict::default());
    let v = judge();
    memo.borrow_mut().insert(key, v);
    Some(v)
}

/// A memoised judgement of a callee kept only when it authenticates: what a guard call
/// contributes.
fn memoised_guard<K: std::hash::Hash + Eq + Copy>(
    memo: &RefCell<HashMap<K, Verdict>>,
    key: K,
    depth: u32,
    judge: impl FnOnce() -> Verdict,
) -> Option<Verdict> {
    memoised(memo, key, depth, judge).filter(|v| v.authenticates)
}

/// How deep chains of dependencies, guards and helpers are followed. Judgements are memoised
/// and cycles cut by an in-progress mark, so this only bounds the stack.
const MAX_CHAIN: u32 = 48;

/// How deep `refusal` follows helpers that build the refusal (`return auth_error()`) and
/// names assigned one.
const REFUSAL_DEPTH: u32 = 3;

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
    /// Whether the condition holds for callers who lack an identity or for those who have one.
    polarity: Polarity,
    /// The same for the role or permission the condition checks.
    role_polarity: Polarity,
    /// The innermost test of the server's settings or state the statements are under.
    switch: Option<Switch>,
    /// An `except` of a specific exception that says nothing about the caller (`except
    /// NoCustomerMatch:`): a 403 there refuses an operation, not a caller.
    business_failure: bool,
    /// Only callers who have an identity get here (`if user_id is None: return` before, or
    /// under `if user_id is not None and ...`): an ownership or scope refusal answers them,
    /// and anonymous callers go through.
    identified_only: bool,
    /// Under an `if` about the caller, not an `except` after an action that may be about
    /// them: a redirect away there turns the caller back.
    tested: bool,
    /// The condition compares what the caller presented (`key != settings.api_key`, `key not
    /// in KEYS`) or checks it with a call (`if authenticate(api_key):` on a header), rather
    /// than testing that a value is there (`if not user_id:`).
    compared: bool,
    /// Right after `if current_user.is_authenticated: return f(*args)` in a decorator's
    /// wrapper: the view is reached only through that test, so whatever answers in its place
    /// here (a redirect away included) turns anonymous callers back.
    past_admission: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Polarity {
    #[default]
    Unknown,
    /// `not current_user.is_authenticated`, `token is None`, `"user" not in session`.
    Lacks,
    /// `current_user.is_authenticated`, `session.get("user_id")`, `token is not None`.
    Has,
}

impl Polarity {
    fn flip(self) -> Self {
        match self {
            Polarity::Lacks => Polarity::Has,
            Polarity::Has => Polarity::Lacks,
            Polarity::Unknown => Polarity::Unknown,
        }
    }
}

/// Words that turn an identity test around: a token that is expired, a user who is anonymous.
const LACKING_WORDS: &[&str] = &[
    "anonymous",
    "anon",
    "unauth",
    "expired",
    "invalid",
    "revoked",
    "blacklist",
    "denylist",
    "blocklist",
    "missing",
    "banned",
    "blocked",
    "disabled",
    "inactive",
    "locked",
    "unverified",
];

/// Whether any name, attribute or string in `e` passes `f` (which must ignore ASCII case).
/// The `hmac.new(...)` call of a keyed MAC's digest, `hmac.new(key, msg, sha256).hexdigest()`.
pub fn keyed_mac<'e>(
    imports: &routewarden_python::names::Imports,
    value: &'e Expr,
) -> Option<&'e Call> {
    if !matches!(
        value.as_call()?.func.last_name(),
        Some("hexdigest" | "digest")
    ) {
        return None;
    }
    let mut keyed = None;
    value.any(&mut |x| {
        if let Some(c) = x.as_call()
            && imports
                .resolve(&c.func)
                .is_some_and(|q| q == "hmac.new" || q == "hmac.HMAC")
        {
            keyed = Some(c);
        }
        keyed.is_some()
    });
    keyed
}

/// The functions whose bodies enclose `at`, outermost first.
fn functions_enclosing<'s>(body: &'s [Stmt], at: Span, out: &mut Vec<&'s Function>) {
    // A body's statements are in source order and do not overlap: the only one that can
    // enclose `at` is the first that ends at or after it.
    let first = body.partition_point(|s| s.span().end < at.end);
    let Some(stmt) = body.get(first).filter(|s| s.span().start <= at.start) else {
        return;
    };
    if let Stmt::FunctionDef(f) = stmt {
        out.push(f);
    }
    for child in stmt.child_bodies() {
        functions_enclosing(child, at, out);
    }
}

/// The innermost class whose body encloses `at`.
fn innermost_class(body: &[Stmt], at: Span) -> Option<&Class> {
    body.iter().find_map(|stmt| {
        let span = stmt.span();
        if span.start > at.start || span.end < at.end {
            return None;
        }
        let inner = stmt
            .child_bodies()
            .find_map(|child| innermost_class(child, at));
        match stmt {
            Stmt::ClassDef(c) => inner.or(Some(c.as_ref())),
            _ => inner,
        }
    })
}

/// The string literals a call passes, by position and by keyword; `None` for other values.
struct LiteralArgs {
    positional: Vec<Option<String>>,
    keywords: Vec<(String, String)>,
}

impl LiteralArgs {
    fn of(call: &Call) -> Self {
        LiteralArgs {
            positional: call
                .args
                .iter()
                .map(|a| a.as_str().map(str::to_string))
                .collect(),
            keywords: call
                .keywords
                .iter()
                .filter_map(|k| {
                    Some((k.arg.as_deref()?.to_string(), k.value.as_str()?.to_string()))
                })
                .collect(),
        }
    }

    /// The literal passed for parameter `name` at `index`.
    fn get(&self, name: &str, index: usize) -> Option<&str> {
        self.keywords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| self.positional.get(index)?.as_deref())
    }
}

/// Whether a test comparing a parameter with a literal (`permission.upper() == "READ"`) holds
/// for the literal the call passes; `None` for any other test.
fn literal_parameter_test(test: &Expr, literals: &[(&str, &str)]) -> Option<bool> {
    let comparisons = test.comparisons();
    let [(left, CmpOp::Eq, right)] = comparisons.as_slice() else {
        return None;
    };
    let expected = right.as_str()?;
    let mut subject = *left;
    while let ExprKind::Call(c) = &subject.kind
        && let ExprKind::Attribute { value, attr } = &c.func.kind
        && matches!(attr.as_str(), "upper" | "lower" | "strip" | "casefold")
    {
        subject = value;
    }
    let name = subject.as_name()?;
    let (_, passed) = literals.iter().find(|(n, _)| *n == name)?;
    Some(passed.eq_ignore_ascii_case(expected))
}

/// The name an attribute chain starts from: `wiki` of `wiki.auth.has_permission`.
/// A test that reads the current request's state (`request.cookies.get("sid")`,
/// `session["user"]`, `current_user`), not the server's (`User.query...`).
fn tests_request_state(test: &Expr) -> bool {
    test.any(&mut |x| {
        chain_head(x)
            .and_then(Expr::as_name)
            .is_some_and(|head| REQUEST_STATE_NAMES.contains(&head) && head != "user")
    })
}

/// A test of a local copy of the request's data (`path = request.url.path`, then
/// `path.startswith(API_PREFIX)`): about the request, whatever constants it compares with.
fn tests_request_copy(root: &[Stmt], test: &Expr) -> bool {
    test.any(&mut |x| {
        let ExprKind::Name(n) = &x.kind else {
            return false;
        };
        crate::values::last_assignment(root, n)
            .filter(|value| !std::ptr::eq(*value, x))
            .and_then(chain_head)
            .and_then(Expr::as_name)
            .is_some_and(|head| REQUEST_STATE_NAMES.contains(&head))
    })
}

/// A name for settings: `settings`, `config`, `app_conf`, `env`.
fn names_settings(name: &str) -> bool {
    [
        "settings",
        "config",
        "configuration",
        "conf",
        "cfg",
        "environ",
        "env",
        "options",
    ]
    .iter()
    .any(|w| {
        let Some(split) = name.len().checked_sub(w.len()) else {
            return false;
        };
        let (Some(rest), Some(last)) = (name.get(..split), name.get(split..)) else {
            return false;
        };
        last.eq_ignore_ascii_case(w)
            && (rest.is_empty()
                || rest.ends_with('_')
                // `AppConfig`, `ServerSettings`: the last word of a CamelCase name.
                || last.starts_with(|c: char| c.is_ascii_uppercase())
                    && rest.ends_with(|c: char| c.is_ascii_lowercase()))
    })
}

/// Whether a value reads the request's state itself (`request.form["pk"]`,
/// `session.get("uid")`, `await request.json()`), not through a call it is handed to
/// (`projects.get(request.form["pk"])`).
fn copies_request_state(mut e: &Expr) -> bool {
    loop {
        e = match &e.kind {
            ExprKind::Await(inner) => inner,
            ExprKind::Call(call) => &call.func,
            ExprKind::Subscript { value, .. } | ExprKind::Attribute { value, .. } => value,
            ExprKind::Name(n) => return REQUEST_STATE_NAMES.contains(&n.as_str()),
            _ => return false,
        };
    }
}

fn chain_head(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Attribute { value, .. } => chain_head(value),
        ExprKind::Name(_) => Some(e),
        _ => None,
    }
}

fn words_in(e: &Expr, f: &mut impl FnMut(&str) -> bool) -> bool {
    e.any(&mut |x| match &x.kind {
        ExprKind::Name(n) => f(n),
        ExprKind::Attribute { attr, .. } => f(attr),
        ExprKind::Str(s) => f(s),
        ExprKind::Bytes(b) => f(&String::from_utf8_lossy(b)),
        _ => false,
    })
}

static IDENTITY: StaticWordList = StaticWordList::new(|| WordList::new(IDENTITY_WORDS));
static PRESENTED_VALUE: StaticWordList = StaticWordList::new(|| {
    WordList::new(&[
        "api_key",
        "apikey",
        "credential",
        "password",
        "passwd",
        "signature",
        "bearer",
        "secret",
    ])
});
static ROLE: StaticWordList = StaticWordList::new(|| WordList::new(ROLE_WORDS));
static LACKING: StaticWordList = StaticWordList::new(|| WordList::new(LACKING_WORDS));
static FORGERY_TOKEN: StaticWordList = StaticWordList::new(|| WordList::new(&["csrf", "xsrf"]));
static CSRF: StaticWordList = StaticWordList::new(|| WordList::new(&["csrf"]));

fn mentions_identity(e: &Expr) -> bool {
    words_in(e, &mut |w| !CSRF.found_in(w) && IDENTITY.found_in(w))
}

/// Whether an expression of a `try` body is about the caller's identity or role: a call whose
/// callee names them or verifies (`jwt.decode(token)`, `get_user(...)`,
/// `serializer.loads(token)`), or a credential compared or looked up (`KEYS[key]`). Not a
/// credential only handed on to another service (`provider.get_quota(api_key=key)`): a 401
/// there is the other service refusing the key the caller brought.
fn checks_caller(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call(call) => {
            mentions_identity(&call.func)
                || mentions_role(&call.func)
                || call.func.last_name().is_some_and(|n| {
                    let lower = n.to_ascii_lowercase();
                    [
                        "verify",
                        "validate",
                        "decode",
                        "check",
                        "authenticate",
                        "loads",
                        "unsign",
                    ]
                    .iter()
                    .any(|w| lower.contains(w))
                })
                || call.argument_values().any(|a| {
                    !matches!(a.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                        && checks_caller(a)
                })
        }
        ExprKind::Str(_) => false,
        _ => {
            if matches!(e.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
                return mentions_identity(e) || mentions_role(e);
            }
            let mut found = false;
            e.for_each_child(|child| found |= !found && checks_caller(child));
            found
        }
    }
}

/// Whether a test names a role other than through the ASGI connection `scope` (whose name is
/// also a word for OAuth scopes).
fn names_role_outside_asgi_scope(e: &Expr) -> bool {
    e.any(&mut |x| match &x.kind {
        ExprKind::Name(n) => n != "scope" && ROLE.found_in(n),
        ExprKind::Attribute { attr, .. } => ROLE.found_in(attr),
        ExprKind::Str(s) => ROLE.found_in(s),
        _ => false,
    })
}

fn mentions_role(e: &Expr) -> bool {
    words_in(e, &mut |w| ROLE.found_in(w))
}

fn mentions_lacking(e: &Expr) -> bool {
    words_in(e, &mut |w| LACKING.found_in(w))
}

/// Whether an identity test holds for callers lacking an identity or for those having one.
fn identity_polarity(e: &Expr) -> Polarity {
    polarity_of(e, &mentions_identity)
}

/// Whether a test holds for callers lacking what `mentions` is about (an identity, a role) or
/// for those having it.
fn polarity_of(e: &Expr, mentions: &impl Fn(&Expr) -> bool) -> Polarity {
    match &e.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => polarity_of(operand, mentions).flip(),
        ExprKind::BoolOp { values, .. } => {
            let ps: Vec<Polarity> = values.iter().map(|v| polarity_of(v, mentions)).collect();
            if ps.contains(&Polarity::Lacks) {
                Polarity::Lacks
            } else if ps.contains(&Polarity::Has) {
                Polarity::Has
            } else {
                Polarity::Unknown
            }
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => {
            if !mentions(e) {
                return Polarity::Unknown;
            }
            if mentions_lacking(e) {
                return Polarity::Lacks;
            }
            let (Some(op), Some(right)) = (ops.first(), comparators.first()) else {
                return Polarity::Unknown;
            };
            let none = matches!(right.kind, ExprKind::NoneLiteral)
                || matches!(left.kind, ExprKind::NoneLiteral);
            let falsy = matches!(&right.kind, ExprKind::Bool(false) | ExprKind::Int(Some(0)))
                || right.as_str() == Some("");
            let truthy = matches!(right.kind, ExprKind::Bool(true));
            // `user in (False, None)`: one of the values that mean nobody.
            let falsy_set = right.elements().is_some_and(|items| {
                !items.is_empty() && items.iter().all(|i| literal_truth(i) == Some(false))
            });
            match op {
                CmpOp::In if falsy_set => Polarity::Lacks,
                CmpOp::NotIn if falsy_set => Polarity::Has,
                CmpOp::Is | CmpOp::Eq if none || falsy => Polarity::Lacks,
                CmpOp::IsNot | CmpOp::NotEq if none || falsy => Polarity::Has,
                CmpOp::Is | CmpOp::Eq if truthy => Polarity::Has,
                CmpOp::IsNot | CmpOp::NotEq if truthy => Polarity::Lacks,
                CmpOp::NotIn | CmpOp::NotEq => Polarity::Lacks,
                // `if request.headers.get("Authorization") == expected: return await
                // call_next(request)`: the caller presented the credential.
                CmpOp::In | CmpOp::Eq => Polarity::Has,
                _ => Polarity::Unknown,
            }
        }
        // `{"admin", "keys:manage"} & user_scopes`: a non-empty intersection.
        ExprKind::Name(_)
        | ExprKind::Attribute { .. }
        | ExprKind::Call(_)
        | ExprKind::Subscript { .. }
        | ExprKind::Await(_)
        | ExprKind::BinOp {
            op: BinOp::BitAnd, ..
        } => {
            if mentions_lacking(e) {
                Polarity::Lacks
            } else if mentions(e) {
                Polarity::Has
            } else {
                Polarity::Unknown
            }
        }
        _ => Polarity::Unknown,
    }
}

/// Whether the function assigns `name` only from calls handed what the request presents as
/// credentials: a name and a secret (two arguments read from the request's fields, directly or
/// through variables), a field named as a credential, or the HTTP credentials
/// (`request.authorization`).
fn lookup_on_presented_credentials(
    imports: &routewarden_python::names::Imports,
    root: &[Stmt],
    name: &str,
) -> bool {
    let mut lookups = 0usize;
    let mut other = false;
    nested_assignments(root, name, &mut |value| {
        let value = match &value.kind {
            ExprKind::Await(inner) => &**inner,
            _ => value,
        };
        let Some(call) = value.as_call() else {
            other = true;
            return;
        };
        let arguments = || call.argument_values();
        let from_request = |a: &Expr| {
            reads_request_field(a, false)
                || reads_request_field(a, true)
                || a.as_name().is_some_and(|n| {
                    assigned_from_request_field(root, n, false)
                        || assigned_from_request_field(root, n, true)
                })
        };
        let credential = |a: &Expr| {
            reads_request_field(a, true)
                || a.as_name()
                    .is_some_and(|n| assigned_from_request_field(root, n, true))
                || a.any(&mut |x| {
                    imports.resolve(x).is_some_and(|q| {
                        q.strip_prefix("flask.request.authorization")
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                    })
                })
        };
        if arguments().any(credential) || arguments().filter(|a| from_request(a)).count() >= 2 {
            lookups += 1;
        } else {
            other = true;
        }
    });
    lookups > 0 && !other
}

/// For which callers a test of the status another service answered holds, when the request
/// was sent with the credentials the caller presented: `response.status_code != 200` after
/// `response = await client.get(url, headers=headers)` where `headers = {"Authorization":
/// authorization}` and `authorization = request.headers.get("authorization")`. A success
/// status means the caller was accepted.
fn remote_verdict_on_credentials(root: &[Stmt], test: &Expr) -> Option<Polarity> {
    let comparisons = test.comparisons();
    let [(left, op, right)] = comparisons.as_slice() else {
        return None;
    };
    let ExprKind::Attribute { value, attr } = &left.kind else {
        return None;
    };
    let ExprKind::Int(Some(status)) = right.kind else {
        return None;
    };
    if !matches!(attr.as_str(), "status_code" | "status") {
        return None;
    }
    let success = (200..300).contains(&status);
    let polarity = match op {
        CmpOp::Eq if success => Polarity::Has,
        CmpOp::NotEq if success => Polarity::Lacks,
        CmpOp::Eq if (400..500).contains(&status) => Polarity::Lacks,
        _ => return None,
    };
    let response = value.as_name()?;
    let mut sent = false;
    let mut other = false;
    nested_assignments(root, response, &mut |v| {
        let v = match &v.kind {
            ExprKind::Await(inner) => &**inner,
            _ => v,
        };
        match v.as_call() {
            Some(call) if matches!(call.func.kind, ExprKind::Attribute { .. }) => {
                sent |= call
                    .argument_values()
                    .any(|a| carries_presented_credential(root, a, 0));
            }
            _ => other = true,
        }
    });
    (sent && !other).then_some(polarity)
}

/// The test a flag of the function holds: the value first assigned to `name` at the top of
/// `body`, a test (a comparison, `not`, `and`/`or`) that does not read the flag itself; and,
/// for each later assignment, all `True` under `if`s (not in loops), the tests leading to it
/// with whether each holds there (`False` in an `else`).
#[allow(clippy::type_complexity)]
fn assigned_test<'s>(
    body: &'s [Stmt],
    name: &str,
) -> Option<(&'s Expr, Vec<Vec<(&'s Expr, bool)>>)> {
    fn raised<'s>(
        body: &'s [Stmt],
        name: &str,
        path: &mut Vec<(&'s Expr, bool)>,
        out: &mut Vec<Vec<(&'s Expr, bool)>>,
    ) -> bool {
        for stmt in body {
            match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } if targets.iter().any(|t| t.as_name() == Some(name)) => {
                    if !matches!(value.kind, ExprKind::Bool(true)) {
                        return false;
                    }
                    out.push(path.clone());
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    path.push((test, true));
                    let ok = raised(body, name, path, out);
                    path.pop();
                    path.push((test, false));
                    let ok = ok && raised(orelse, name, path, out);
                    path.pop();
                    if !ok {
                        return false;
                    }
                }
                Stmt::For { .. } | Stmt::While { .. } => {
                    let mut assigns = false;
                    walk_stmts(std::slice::from_ref(stmt), &mut |s| {
                        assigns |= matches!(s, Stmt::Assign { targets, .. }
                            if targets.iter().any(|t| t.as_name() == Some(name)));
                    });
                    if assigns {
                        return false;
                    }
                }
                other => {
                    for child in other.child_bodies() {
                        if !raised(child, name, path, out) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }
    let at = body.iter().position(|stmt| {
        matches!(stmt, Stmt::Assign { targets, value: Some(_), .. }
            if targets.iter().any(|t| t.as_name() == Some(name)))
    })?;
    let Stmt::Assign {
        value: Some(value), ..
    } = &body[at]
    else {
        return None;
    };
    let is_test = matches!(
        value.kind,
        ExprKind::Compare { .. }
            | ExprKind::BoolOp { .. }
            | ExprKind::UnaryOp {
                op: UnaryOp::Not,
                ..
            }
    );
    if !is_test || value.any(&mut |x| x.as_name() == Some(name)) {
        return None;
    }
    let mut out = Vec::new();
    raised(&body[at + 1..], name, &mut Vec::new(), &mut out).then_some((value, out))
}

/// Whether `e` holds a credential read from the request (`request.headers.get(
/// "authorization")`), directly or through the function's variables (a few hops).
fn carries_presented_credential(root: &[Stmt], e: &Expr, depth: u32) -> bool {
    reads_request_field(e, true)
        || depth < 3
            && e.any(&mut |x| {
                x.as_name().is_some_and(|n| {
                    let mut found = false;
                    nested_assignments(root, n, &mut |v| {
                        found |=
                            !std::ptr::eq(v, e) && carries_presented_credential(root, v, depth + 1);
                    });
                    found
                })
            })
}

/// Names a test may use as flags: the test itself, under `not`, or an operand of `and`/`or`.
fn flag_names<'t>(test: &'t Expr, out: &mut Vec<&'t str>) {
    match &test.kind {
        ExprKind::Name(n) => out.push(n),
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => flag_names(operand, out),
        ExprKind::BoolOp { values, .. } => values.iter().for_each(|v| flag_names(v, out)),
        _ => {}
    }
}

/// Whether a literal is true: `True`, `False`, `None`, numbers and strings; `None` for other
/// expressions.
fn literal_truth(e: &Expr) -> Option<bool> {
    match &e.kind {
        ExprKind::Bool(b) => Some(*b),
        ExprKind::NoneLiteral => Some(false),
        ExprKind::Int(Some(n)) => Some(*n != 0),
        ExprKind::Str(s) => Some(!s.is_empty()),
        _ => None,
    }
}

/// For which callers `test` holds, through a flag `name` that is `identified` for callers who
/// have an identity.
fn flag_polarity(test: &Expr, name: &str, identified: bool) -> Polarity {
    match &test.kind {
        ExprKind::Name(n) if n == name => {
            if identified {
                Polarity::Has
            } else {
                Polarity::Lacks
            }
        }
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => flag_polarity(operand, name, identified).flip(),
        ExprKind::BoolOp { values, .. } => {
            let ps: Vec<Polarity> = values
                .iter()
                .map(|v| flag_polarity(v, name, identified))
                .collect();
            if ps.contains(&Polarity::Lacks) {
                Polarity::Lacks
            } else if ps.contains(&Polarity::Has) {
                Polarity::Has
            } else {
                Polarity::Unknown
            }
        }
        _ => Polarity::Unknown,
    }
}

/// The value a test asks about, through `not` and comparisons with `None` or `""`: `sm` in
/// `sm is not None`, `token` in `not token` and `token == ""`.
fn tested_value(test: &Expr) -> &Expr {
    let mut subject = test;
    loop {
        match &subject.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => subject = operand,
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1
                && matches!(ops[0], CmpOp::Is | CmpOp::IsNot | CmpOp::Eq | CmpOp::NotEq)
                && (matches!(comparators[0].kind, ExprKind::NoneLiteral)
                    || comparators[0].as_str() == Some("")) =>
            {
                subject = left
            }
            _ => return subject,
        }
    }
}

/// Words naming a credential the caller presents, whose absence a guard may answer with a
/// 400 (`if not auth_token: return error(400, "Token must be set.")`).
static MISSING_CREDENTIAL: StaticWordList = StaticWordList::new(|| {
    WordList::new(&[
        "token",
        "auth",
        "api_key",
        "apikey",
        "api-key",
        "credential",
        "creds",
        "bearer",
        "jwt",
        "signature",
    ])
});

/// A branch that answers with a client error other than 401/403 before anything else:
/// `return error(400, "...")`, `abort(400)`, `return "...", 400`, `raise BadRequest(...)`.
fn answers_client_error(then: &[Stmt]) -> bool {
    let client_error = |e: &Expr| match &e.kind {
        ExprKind::Int(Some(n)) => (400..500).contains(n) && !matches!(n, 404 | 405),
        ExprKind::Attribute { attr, .. } => {
            matches!(attr.as_str(), "HTTP_400_BAD_REQUEST" | "BAD_REQUEST")
        }
        _ => false,
    };
    let first = then
        .iter()
        .find(|s| !matches!(s, Stmt::Expr { value, .. } if value.is_string_literal()));
    let answer = match first {
        Some(Stmt::Return { value: Some(e), .. } | Stmt::Raise { exc: Some(e), .. }) => e,
        Some(Stmt::Expr { value, .. }) if value.as_call().is_some() => value,
        _ => return false,
    };
    match &answer.kind {
        ExprKind::Tuple(items) => items.iter().skip(1).any(client_error),
        ExprKind::Call(call) => {
            call.func.last_name() == Some("BadRequest")
                || call
                    .args
                    .iter()
                    .chain(call.keywords.iter().filter_map(|k| {
                        k.arg
                            .as_deref()
                            .is_some_and(names_status)
                            .then_some(&k.value)
                    }))
                    .any(client_error)
        }
        _ => false,
    }
}

/// Whether a test is about a value the caller may present, not a setting: `not header`,
/// `token is None`, `not request.user`, `not request.headers.get("Authorization")`; not
/// `not get_auth_settings()["active"]` nor `not request.app.state.authentication_enabled`.
fn tests_presented_value(test: &Expr) -> bool {
    let subject = tested_value(test);
    match &subject.kind {
        // `not wants_token and not has_bearer_token`.
        ExprKind::BoolOp { values, .. } => values.iter().all(tests_presented_value),
        ExprKind::Name(n) => !is_constant_name(n),
        // Not `users.enabled`: whether a feature is on is the server's, not something the
        // caller presents.
        ExprKind::Attribute { value, attr } => {
            matches!(value.kind, ExprKind::Name(_))
                && !["enabled", "disabled", "configured", "required"]
                    .iter()
                    .any(|w| attr.to_ascii_lowercase().ends_with(w))
        }
        // `request.headers.get("Authorization")`, `request.cookies.get("session")`.
        ExprKind::Call(call) => matches!(&call.func.kind, ExprKind::Attribute { value, attr }
            if attr == "get" && matches!(&value.kind, ExprKind::Attribute { attr, .. }
                if matches!(attr.as_str(), "headers" | "cookies" | "query_params" | "args"))),
        _ => false,
    }
}

/// `policy.needs_token(method=request.method, path=request.url.path)`: a predicate given only
/// the request's method and path selects routes, whatever it is called.
fn is_path_predicate_call(call: &Call) -> bool {
    !(call.args.is_empty() && call.keywords.is_empty())
        && call.argument_values().all(|a| {
            matches!(&a.kind, ExprKind::Attribute { attr, .. }
                    if matches!(attr.as_str(), "method" | "path" | "endpoint" | "url_rule"))
        })
}

/// Whether a test only selects requests by their path or endpoint: `request.url.path in
/// PROTECTED`, `[request.method, request.url.path] in settings.paths`, `path.startswith("/api")`,
/// `policy.needs_token(path=request.url.path)`.
fn selects_paths(test: &Expr) -> bool {
    let routing = |x: &Expr| {
        x.elements()
            .unwrap_or(std::slice::from_ref(x))
            .iter()
            .any(|x| {
                matches!(&x.kind, ExprKind::Attribute { attr, .. }
                if matches!(attr.as_str(), "endpoint" | "path" | "blueprint" | "url_rule"))
            })
    };
    match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => selects_paths(operand),
        ExprKind::Compare {
            left, comparators, ..
        } => routing(left) || comparators.iter().any(routing),
        ExprKind::Call(call) => {
            is_path_predicate_call(call)
                || matches!(&call.func.kind, ExprKind::Attribute { value, attr }
                    if matches!(attr.as_str(), "startswith" | "endswith") && routing(value))
        }
        _ => false,
    }
}

/// Where the string literals of a test that are compared with the request's endpoint,
/// path or blueprint start: `request.endpoint in ("auth.login", "static")`; also the names of
/// predicates given only the request's method and path.
/// The string literals a test only looks up as keys (`"roles_limit" not in session`): it asks
/// whether a record has that field, not what the caller holds, so the key's words name no
/// role. The container's own words still count (`"admin" in user.roles`). Starts of spans.
fn presence_tested_keys(test: &Expr) -> Vec<u32> {
    let mut starts = Vec::new();
    test.any(&mut |e| {
        if let Some((left, CmpOp::In | CmpOp::NotIn, container)) = e.single_compare()
            && matches!(left.kind, ExprKind::Str(_))
            && !words_in(container, &mut |w| ROLE.found_in(w))
        {
            starts.push(left.span.start);
        }
        false
    });
    starts
}

/// Whether a test is a conjunction one of whose operands compares a forgery token
/// (`session.get("xsrf_token") != request.headers.get("X-XSRF-Token")`): whatever else it
/// requires, it refuses only a request whose token does not match.
fn forgery_conjunct(test: &Expr) -> bool {
    let ExprKind::BoolOp {
        op: BoolOp::And,
        values,
    } = &test.kind
    else {
        return false;
    };
    values.iter().any(|v| {
        matches!(v.kind, ExprKind::Compare { .. })
            && v.any(&mut |x| {
                matches!(&x.kind, ExprKind::Str(s) if FORGERY_TOKEN.found_in(s))
                    || matches!(&x.kind, ExprKind::Name(n) if FORGERY_TOKEN.found_in(n))
                    || matches!(&x.kind, ExprKind::Attribute { attr, .. } if FORGERY_TOKEN.found_in(attr))
            })
    })
}

fn routing_name_literals(test: &Expr) -> Vec<u32> {
    let mut starts = Vec::new();
    test.any(&mut |e| {
        if let ExprKind::Call(call) = &e.kind
            && is_path_predicate_call(call)
        {
            starts.push(call.func.span.start);
        }
        if let ExprKind::Compare {
            left, comparators, ..
        } = &e.kind
        {
            let routing = |x: &Expr| {
                matches!(&x.kind, ExprKind::Attribute { attr, .. }
                    if matches!(attr.as_str(), "endpoint" | "path" | "blueprint" | "url_rule"))
            };
            let operands = || std::iter::once(&**left).chain(comparators.iter());
            if operands().any(routing) {
                for operand in operands() {
                    operand.any(&mut |x| {
                        if matches!(x.kind, ExprKind::Str(_)) {
                            starts.push(x.span.start);
                        }
                        false
                    });
                }
            }
        }
        false
    });
    starts
}

/// Where the keys start that a test looks for in an ASGI connection's scope: `"session" in
/// ws.scope`, `"user" not in scope`. Starlette's session and authentication middlewares set
/// them for every caller, signed in or not: their presence says which middleware is
/// installed, not who calls.
fn asgi_scope_keys(test: &Expr) -> Vec<u32> {
    let mut starts = Vec::new();
    test.any(&mut |e| {
        if let Some((left, CmpOp::In | CmpOp::NotIn, right)) = e.single_compare()
            && matches!(left.as_str(), Some("session" | "user" | "auth"))
            && match &right.kind {
                ExprKind::Attribute { attr, .. } => attr == "scope",
                ExprKind::Name(n) => n == "scope",
                _ => false,
            }
        {
            starts.push(left.span.start);
        }
        false
    });
    starts
}

/// A lowercase variable named for a credential value (`x_api_key`, `signature`, `password`)
/// rather than for a setting about one (`api_key_required`, `password_mode`): compared with the
/// configuration, it is what the caller presented.
/// `text` in ASCII lower case, copied only when it has an upper-case letter: most names
/// have none, and [`Judge::configuration_flags`] lowers every name of a condition.
fn lowercased(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(text.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn holds_presented_credential(lower: &str) -> bool {
    const SETTINGS: &[&str] = &[
        "enabled",
        "required",
        "mode",
        "type",
        "configured",
        "set",
        "enforced",
        "disabled",
    ];
    PRESENTED_VALUE.found_in(lower)
        && !lower
            .rsplit('_')
            .next()
            .is_some_and(|last| SETTINGS.contains(&last))
}

/// A class-based view's class, for following `self.method()` calls; `current` is the method
/// being judged, for `super()`.
#[derive(Clone, Copy)]
struct SelfCtx<'a> {
    file: usize,
    class: &'a Class,
    current: Option<&'a Function>,
}

impl<'a> SelfCtx<'a> {
    /// `super().name`: the next definition of `name` after the class defining the current
    /// method, in the view class's hierarchy.
    fn super_method(
        &self,
        model: &'a ProjectModel,
        name: &str,
    ) -> Option<(usize, &'a Class, &'a Function)> {
        let hierarchy = class_hierarchy(model, self.file, self.class);
        let current = self.current?;
        let at = hierarchy.iter().position(|(_, c)| {
            c.body
                .iter()
                .any(|s| matches!(s, Stmt::FunctionDef(f) if std::ptr::eq(f.as_ref(), current)))
        })?;
        hierarchy[at + 1..].iter().find_map(|&(f, c)| {
            c.body.iter().find_map(|s| match s {
                Stmt::FunctionDef(m) if m.name == name => Some((f, c, m.as_ref())),
                _ => None,
            })
        })
    }
}

/// How much of the traffic a guard covers for one route.
enum Coverage {
    Applies,
    /// The guard lets the route through: by name (`deliberate`), or because the route is
    /// outside the paths it guards.
    Exempt {
        deliberate: bool,
    },
    /// Only under this condition.
    Only(String),
}

/// A truth value for one route: known, depending on the caller or a setting (`Free`), or
/// depending on the path in a way the analysis cannot work out (`Unknown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tv {
    True,
    False,
    Free,
    Unknown,
}

impl Tv {
    fn not(self) -> Self {
        match self {
            Tv::True => Tv::False,
            Tv::False => Tv::True,
            other => other,
        }
    }

    fn all(values: impl Iterator<Item = Tv>) -> Tv {
        let values: Vec<Tv> = values.collect();
        if values.contains(&Tv::False) {
            Tv::False
        } else if values.contains(&Tv::Unknown) {
            Tv::Unknown
        } else if values.contains(&Tv::Free) {
            Tv::Free
        } else {
            Tv::True
        }
    }

    fn any(values: impl Iterator<Item = Tv>) -> Tv {
        let values: Vec<Tv> = values.collect();
        if values.contains(&Tv::True) {
            Tv::True
        } else if values.contains(&Tv::Unknown) {
            Tv::Unknown
        } else if values.contains(&Tv::Free) {
            Tv::Free
        } else {
            Tv::False
        }
    }
}

/// A guard's test evaluated for a route.
#[derive(Clone, Copy, Debug)]
struct Ev {
    value: Tv,
    /// The route's path or name equals, starts with or contains one of the test's literals.
    matched: bool,
    /// The test reads the request's path, endpoint or blueprint.
    about_target: bool,
    /// The test reads only settings and constants.
    config: bool,
}

impl Ev {
    fn free(config: bool) -> Self {
        Ev {
            value: Tv::Free,
            matched: false,
            about_target: false,
            config,
        }
    }

    fn unknown_target() -> Self {
        Ev {
            value: Tv::Unknown,
            matched: false,
            about_target: true,
            config: false,
        }
    }

    /// A test of the route's path or endpoint against literals: true on a hit, false when the
    /// literals and the target are both known (`decided`) and miss, unknown otherwise; turned
    /// over for `!=`, `not in`.
    fn target_test(hit: bool, decided: bool, negated: bool) -> Self {
        let value = if hit {
            Tv::True
        } else if decided {
            Tv::False
        } else {
            Tv::Unknown
        };
        Ev {
            value: if negated { value.not() } else { value },
            matched: hit,
            about_target: true,
            config: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Path,
    Endpoint,
    Blueprint,
}

/// The route a guard's tests are evaluated for, and where they are written.
#[derive(Clone)]
struct EvalCx<'c, 'a> {
    file: usize,
    function: &'a Function,
    ctx: Option<SelfCtx<'a>>,
    path: &'c str,
    names: &'c [String],
    methods: &'c [String],
    /// Parameters of a followed predicate that receive the path.
    targets: Vec<(&'a str, Target)>,
    /// Loop variables of `any(... for p in PREFIXES)`, bound to one item.
    subst: Vec<(&'a str, String)>,
    depth: u32,
    /// Attributes the route's view function carries (`post.is_public = True`), which a hook
    /// reads from `app.view_functions[request.endpoint]`.
    view_flags: &'c [String],
}

impl EvalCx<'_, '_> {
    /// Whether the target's value is fully known (a path without unreadable parts).
    fn known(&self, target: Target) -> bool {
        match target {
            Target::Path => !self.path.contains("<dynamic>") && !self.path.contains('…'),
            _ => true,
        }
    }

    fn equals(&self, target: Target, literal: &str) -> bool {
        match target {
            Target::Path => {
                let l = literal.trim_end_matches('/');
                let p = self.path.trim_end_matches('/');
                l == p
            }
            _ => self.names.iter().any(|n| n == literal),
        }
    }

    /// Whether a path with unreadable parts may still be `literal`: its text after the last
    /// unreadable part ends the literal.
    fn may_equal(&self, target: Target, literal: &str) -> bool {
        if target != Target::Path || self.known(target) {
            return self.equals(target, literal);
        }
        let after = |marker: &str| self.path.rfind(marker).map(|i| i + marker.len());
        let start = after("<dynamic>").max(after("…")).unwrap_or(0);
        let tail = self.path[start..].trim_end_matches('/');
        tail.is_empty() || literal.trim_end_matches('/').ends_with(tail)
    }

    fn contains(&self, target: Target, literal: &str) -> bool {
        match target {
            Target::Path => self.path.contains(literal),
            _ => self.names.iter().any(|n| n.contains(literal)),
        }
    }

    fn starts_with(&self, target: Target, literal: &str) -> bool {
        match target {
            Target::Path => {
                self.path.starts_with(literal)
                    || self.path == literal.trim_end_matches('/') && !literal.is_empty()
            }
            _ => self.names.iter().any(|n| n.starts_with(literal)),
        }
    }

    fn ends_with(&self, target: Target, literal: &str) -> bool {
        match target {
            Target::Path => self.path.ends_with(literal),
            _ => self.names.iter().any(|n| n.ends_with(literal)),
        }
    }
}

/// `f(*args, **kwargs)`, possibly awaited: a decorator calling the view it wraps.
fn calls_wrapped(e: &Expr) -> bool {
    let e = match &e.kind {
        ExprKind::Await(inner) => inner,
        _ => e,
    };
    e.as_call().is_some_and(|call| {
        call.args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || call.keywords.iter().any(|k| k.arg.is_none())
    })
}

/// Whether no statement of `body` calls the wrapped view (`f(*args, **kwargs)`) or hands
/// the request on: what follows an `if` whose `else` is `body` runs only for callers the
/// test turned away.
fn never_calls_wrapped(body: &[Stmt]) -> bool {
    let mut calls = false;
    walk_all_exprs(body, &mut |e| {
        calls |= e.any(&mut |x| calls_wrapped(x) || is_call_next(x));
    });
    !calls
}

/// A decorator whose wrapper does nothing but call the function it wraps (`def
/// require_auth(f): @wraps(f) def decorated(*a, **kw): return f(*a, **kw); return
/// decorated`): a placeholder, whatever its name says.
fn is_transparent_decorator(function: &Function) -> bool {
    let Some(wrapped) = function.params.first().map(|p| p.name.as_str()) else {
        return false;
    };
    let is_docstring =
        |stmt: &Stmt| matches!(stmt, Stmt::Expr { value, .. } if value.as_str().is_some());
    let mut wrappers = 0;
    let outer_plain = function.body.iter().all(|stmt| match stmt {
        Stmt::FunctionDef(inner) => {
            wrappers += 1;
            inner.body.iter().all(|s| {
                is_docstring(s)
                    || matches!(s, Stmt::Return { value: Some(v), .. } if {
                        let v = match &v.kind {
                            ExprKind::Await(inner) => &**inner,
                            _ => v,
                        };
                        v.as_call().is_some_and(|c| c.func.as_name() == Some(wrapped))
                    })
            })
        }
        Stmt::Return { value: Some(v), .. } => v.as_name().is_some(),
        other => is_docstring(other),
    });
    outer_plain && wrappers == 1
}

/// A decorator whose wrapper answers callers who are already signed in itself and calls the
/// view for everyone else (`if current_user.is_authenticated: return jsonify(...)`, then
/// `return f(*args, **kwargs)`), as login and sign-up pages do: it lets anonymous callers in,
/// whatever it is called (`user_already_authenticated`).
fn answers_signed_in_callers_first(function: &Function) -> bool {
    let Some(wrapped) = function.params.first().map(|p| p.name.as_str()) else {
        return false;
    };
    let calls_view = |v: &Expr| {
        let v = match &v.kind {
            ExprKind::Await(inner) => &**inner,
            _ => v,
        };
        v.as_call()
            .is_some_and(|c| c.func.as_name() == Some(wrapped))
    };
    let mut wrappers = function.body.iter().filter_map(|stmt| match stmt {
        Stmt::FunctionDef(inner) => Some(inner),
        _ => None,
    });
    let (Some(wrapper), None) = (wrappers.next(), wrappers.next()) else {
        return false;
    };
    let body = code_statements(&wrapper.body);
    let [
        Stmt::If {
            test,
            body: then,
            orelse,
            ..
        },
        Stmt::Return {
            value: Some(last), ..
        },
    ] = body.as_slice()
    else {
        return false;
    };
    let negated = matches!(
        test.kind,
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            ..
        }
    );
    !negated
        && mentions_identity(test)
        && orelse.is_empty()
        && never_falls_through(then)
        && !then.iter().any(|s| {
            let mut calls = false;
            s.for_each_own_expr(&mut |e| calls |= e.any(&mut |x| calls_view(x)));
            calls
        })
        && calls_view(last)
}

/// Whether control never leaves `body` at its end: every path returns or raises.
fn never_falls_through(body: &[Stmt]) -> bool {
    match body.last() {
        Some(Stmt::Return { .. } | Stmt::Raise { .. }) => true,
        Some(Stmt::If { body, orelse, .. }) => {
            never_falls_through(body) && never_falls_through(orelse)
        }
        Some(Stmt::Try {
            body,
            handlers,
            orelse,
            finalbody,
            ..
        }) => {
            never_falls_through(finalbody)
                || (if orelse.is_empty() {
                    never_falls_through(body)
                } else {
                    never_falls_through(orelse)
                }) && handlers.iter().all(|h| never_falls_through(&h.body))
        }
        _ => false,
    }
}

/// Whether some path of `body` lets the caller in: `return f(*args, **kwargs)`, `return await
/// call_next(request)`.
fn lets_caller_in_somewhere(body: &[Stmt]) -> bool {
    let mut found = false;
    walk_stmts(body, &mut |stmt| {
        if let Stmt::Return { value: Some(v), .. } = stmt {
            found |= calls_wrapped(v) || is_call_next(v);
        }
    });
    found
}

/// `if key:` where the function assigns `key` from a request header, query parameter or
/// cookie named as a credential (`key = request.headers["X-API-Key"]`, `key =
/// request.args.get("api-key")`): a test that the caller presented one. The variable.
fn presented_credential_variable<'t>(root: &[Stmt], test: &'t Expr) -> Option<&'t str> {
    // `if not header or not check_password(header):`
    if let ExprKind::BoolOp { values, .. } = &test.kind {
        return values
            .iter()
            .find_map(|v| presented_credential_variable(root, v));
    }
    // `if key not in settings.api_keys:` with `key = request.headers.get("X-API-Key")`.
    let subject = match &test.kind {
        ExprKind::Compare { left, ops, .. }
            if ops.len() == 1 && matches!(ops[0], CmpOp::In | CmpOp::NotIn) =>
        {
            left
        }
        // `if req_secret != NOTIFY_SECRET:` with `req_secret = request.headers.get(
        // "X-Reload-Secret")`: the presented value compared with the one expected.
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if ops.len() == 1
            && matches!(ops[0], CmpOp::Eq | CmpOp::NotEq)
            && !matches!(comparators[0].kind, ExprKind::NoneLiteral)
            && comparators[0].as_str() != Some("") =>
        {
            return [&**left, &comparators[0]].into_iter().find_map(|side| {
                side.as_name()
                    .filter(|n| assigned_from_request_field(root, n, true))
            });
        }
        _ => tested_value(test),
    };
    let name = subject.as_name()?;
    assigned_from_request_field(root, name, true).then_some(name)
}

/// `authenticate(api_key)`, `not check_key(request.headers["X-Key"])`: a call handed a
/// credential read from a request header, query parameter or cookie.
fn checks_presented_argument(root: &[Stmt], test: &Expr) -> bool {
    let Some(call) = tested_value(test).as_call() else {
        return false;
    };
    call.args.iter().any(|a| {
        reads_request_field(a, true)
            || a.as_name()
                .is_some_and(|n| assigned_from_request_field(root, n, true))
    })
}

/// `if EXPORT_KEY != key:` in a function that first refuses to go on while the module-level
/// `EXPORT_KEY` is empty (`if EXPORT_KEY == "": raise HTTPException(403)`, `if not EXPORT_KEY:
/// abort(401)`), `key` being one of its parameters with no dependency behind it: what the
/// caller sends compared with a secret the server is configured with and never serves
/// without, whatever either is called. The operand holding that secret.
pub fn configured_secret_operand<'e>(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    test: &'e Expr,
) -> Option<&'e Expr> {
    let (a, op, b) = test.single_compare()?;
    if !matches!(op, CmpOp::Eq | CmpOp::NotEq) {
        return None;
    }
    let (an, bn) = (a.as_name()?, b.as_name()?);
    let supplied = |n: &str| {
        function
            .params
            .iter()
            .any(|p| p.name == n && p.default.as_deref().is_none_or(is_literal))
    };
    let (secret, name) = match (supplied(an), supplied(bn)) {
        (true, false) => (b, bn),
        (false, true) => (a, an),
        _ => return None,
    };
    if crate::values::local_assignment(function, name).is_some()
        || !matches!(model.files[file].top_level(name), Some(Stmt::Assign { .. }))
    {
        return None;
    }
    // `secret == ""`, `not secret`, `secret is None`: the server has none configured.
    let unset = |t: &Expr| match &t.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => operand.as_name() == Some(name),
        _ => match t.comparisons().as_slice() {
            [(l, CmpOp::Eq | CmpOp::Is, r)] => {
                let empty =
                    |e: &Expr| matches!(e.kind, ExprKind::NoneLiteral) || e.as_str() == Some("");
                l.as_name() == Some(name) && empty(r) || r.as_name() == Some(name) && empty(l)
            }
            _ => false,
        },
    };
    function
        .body
        .iter()
        .take_while(|s| s.span().end <= test.span.start)
        .any(|s| {
            matches!(s, Stmt::If { test: t, body, .. }
                if unset(t) && never_falls_through(body) && answers_error_status(body))
        })
        .then_some(secret)
}

/// Whether `test` calls a check handed the request itself and nothing else
/// (`authenticate(websocket)`, `not await auth.authenticate(request)`).
fn checks_whole_request(test: &Expr) -> bool {
    let mut subject = test;
    loop {
        match &subject.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => subject = operand,
            ExprKind::Await(inner) => subject = inner,
            _ => break,
        }
    }
    subject.as_call().is_some_and(|call| {
        !call.args.is_empty() && call.args.iter().all(is_request_name) && call.keywords.is_empty()
    })
}

/// Whether `e` reads a field of the request (`request.headers["X-API-Key"]`,
/// `request.args.get("url")`) whose key names a credential, or one whose key does not.
fn reads_request_field(e: &Expr, credential: bool) -> bool {
    e.any(&mut |x| {
        request_field_key(x).is_some_and(|key| names_credential_field(key) == credential)
    })
}

/// `request.json`, `request.form`, `request.args`...: what the caller submits.
fn is_submission_attribute(attr: &str) -> bool {
    matches!(
        attr,
        "json" | "get_json" | "form" | "args" | "values" | "data" | "get_data" | "files"
    )
}

/// A decorator factory whose wrapper refuses the caller unless a test of the caller's identity
/// holds for what the factory's arguments name: `def requires_capabilities(*caps)` with `for
/// cap in caps: if not g.auth_user.has_rights(cap): raise Forbidden()`. A permission check,
/// whatever the names. The arguments must be handed to the test (as a call's argument or a
/// compared operand): `if not optional and not g.user:` only switches the check.
fn refuses_caller_lacking_arguments(function: &Function) -> bool {
    fn visit<'s>(body: &'s [Stmt], names: &mut Vec<&'s str>, found: &mut bool) {
        for stmt in body {
            if *found {
                return;
            }
            match stmt {
                Stmt::FunctionDef(f) => visit(&f.body, names, found),
                Stmt::For { target, iter, .. } if mentions_any(iter, names) => {
                    names.extend(crate::project::target_names(target));
                }
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } if mentions_any(value, names) => {
                    names.extend(targets.iter().flat_map(crate::project::target_names));
                }
                Stmt::If { test, body, .. } => {
                    let handed = test.any(&mut |x| match &x.kind {
                        ExprKind::Call(c) => c.argument_values().any(|a| mentions_any(a, names)),
                        ExprKind::Compare { .. } => x
                            .comparisons()
                            .iter()
                            .any(|(l, _, r)| mentions_any(l, names) || mentions_any(r, names)),
                        _ => false,
                    });
                    let refuses = match code_statements(body).last() {
                        Some(Stmt::Raise { .. } | Stmt::Return { .. }) => true,
                        Some(Stmt::Expr { value, .. }) => value
                            .as_call()
                            .is_some_and(|c| c.func.last_name() == Some("abort")),
                        _ => false,
                    };
                    *found = handed && refuses && mentions_identity(test);
                }
                _ => {}
            }
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                for child in stmt.child_bodies() {
                    visit(child, names, found);
                }
            }
        }
    }
    let mut names: Vec<&str> = function
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| *n != "self" && *n != "cls")
        .collect();
    let mut found = false;
    visit(&function.body, &mut names, &mut found);
    found
}

/// Whether every name `test` reads is a local holding a record looked up from what the request
/// submits, with no credential among it: `user = User.query.filter(User.login ==
/// body["login"]).first()` after `body = request.get_json()`. Refusing such a record (missing,
/// or lacking a right) validates the submission; it says nothing about who is calling. A lookup
/// keyed on a token, key, password or signature the request carries, or on the session, `g`
/// or `current_user`, is not one. `class_fields` answers, for a called name that is a project
/// class, whether the class declares a credential field (see [`declares_credential_field`]).
fn tests_only_submitted_records(
    root: &[Stmt],
    test: &Expr,
    class_fields: &dyn Fn(&Expr) -> Option<bool>,
) -> bool {
    let mut names = Vec::new();
    test.any(&mut |x| {
        if let Some(n) = x.as_name() {
            names.push(n);
        }
        false
    });
    if names.is_empty() {
        return false;
    }
    // The function's assignments, gathered once.
    let mut assignments: Vec<(&str, &Expr)> = Vec::new();
    walk_stmts(root, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        {
            for t in targets {
                if let Some(n) = t.as_name() {
                    assignments.push((n, value));
                }
            }
        }
    });
    let assigned = |n: &str| assignments.iter().any(|(t, _)| *t == n);
    // Names the function does not assign (`Capabilities`, `len`) only qualify the test,
    // unless they stand for the caller (`g`, `current_user`, the session).
    names.iter().any(|n| assigned(n))
        && names.iter().all(|n| {
            if assigned(n) {
                assignments
                    .iter()
                    .filter(|(t, _)| t == n)
                    .all(|(_, v)| {
                        from_request_without_credential(&assignments, v, 0, class_fields)
                            == Some(true)
                    })
            } else {
                !matches!(*n, "g" | "request" | "session") && !IDENTITY.found_in(n)
            }
        })
        // `if "session" not in post_data:` asks for a credential the caller submits.
        && from_request_without_credential(&assignments, test, 0, class_fields).is_some()
}

/// Whether a project class, or one of its project bases, declares a field whose name is a
/// credential: `password = fields.Str()` in a marshmallow schema, `token: str` in a model. What
/// a schema loads is what its fields name, whatever the class is called
/// (`AuthRecoverPasswordRequestSchema` loads a login and an e-mail).
fn declares_credential_field(model: &ProjectModel, file: usize, class: &Class) -> bool {
    class_hierarchy(model, file, class).iter().any(|(_, c)| {
        c.body.iter().any(|stmt| match stmt {
            Stmt::Assign { targets, .. } => targets
                .iter()
                .filter_map(|t| t.as_name())
                .any(names_presented_credential),
            _ => false,
        })
    })
}

/// A word naming a credential the caller may present: a password, token, key or signature.
fn names_presented_credential(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    holds_presented_credential(&lower)
        || is_token_name(word)
        || lower == "key"
        || lower.ends_with("_key")
        || lower.ends_with("-key")
}

/// `Some(true)` when `e` reads what the caller submits, `Some(false)` when it reads nothing of
/// the request, `None` when it names a credential (a key, a word or a local naming a token,
/// key or password), reads another part of the request, or hands the whole request on; locals
/// are followed through `assignments`, a few deep.
fn from_request_without_credential(
    assignments: &[(&str, &Expr)],
    e: &Expr,
    depth: u32,
    class_fields: &dyn Fn(&Expr) -> Option<bool>,
) -> Option<bool> {
    if depth > 3 {
        return None;
    }
    let mut reads = false;
    let mut credential = false;
    let mut unknown = false;
    // The functions called in `e` (a call is visited before its callee).
    let mut callees: Vec<*const Expr> = Vec::new();
    e.any(&mut |x| {
        let word = match &x.kind {
            ExprKind::Name(n) => Some(n.as_str()),
            ExprKind::Attribute { attr, .. } => Some(attr.as_str()),
            ExprKind::Str(s) => Some(s.as_str()),
            _ => None,
        };
        if let Some(w) = word {
            let lower = w.to_ascii_lowercase();
            let named = names_presented_credential(w)
                || matches!(lower.as_str(), "session" | "g" | "current_user" | "cookies");
            // `schema = AuthRecoverPasswordRequestSchema()`: a project class is judged by the
            // fields it declares, not by its name.
            credential |= if callees.contains(&(x as *const Expr)) {
                class_fields(x).unwrap_or(named)
            } else {
                named
            };
        }
        if let ExprKind::Call(c) = &x.kind {
            callees.push(&c.func as *const Expr);
            credential |= c.keywords.iter().any(|k| {
                k.arg
                    .as_deref()
                    .is_some_and(|a| holds_presented_credential(a) || is_token_name(a))
            });
            // `authenticate(request)`: the whole request handed to a function that may read
            // its credentials.
            unknown |= c.argument_values().any(|a| a.as_name() == Some("request"));
        }
        // What the caller submits: the body, the form, the query. Anything else of the request
        // (headers, cookies, `request.state.user` a middleware set, `request.user`) may carry
        // or stand for the caller's identity.
        if let ExprKind::Attribute { value, attr } = &x.kind
            && value.as_name() == Some("request")
        {
            if is_submission_attribute(attr) {
                reads = true;
            } else {
                unknown = true;
            }
        }
        // Locals are followed; module names, classes and builtins add nothing.
        if let Some(n) = x.as_name()
            && n != "request"
        {
            for (_, v) in assignments
                .iter()
                .filter(|(t, v)| *t == n && !std::ptr::eq(*v, e))
            {
                match from_request_without_credential(assignments, v, depth + 1, class_fields) {
                    Some(r) => reads |= r,
                    None => unknown = true,
                }
            }
        }
        false
    });
    (!credential && !unknown).then_some(reads)
}

/// The literal start of a name built in `e`: `"get_user_{0}".format(m)`, `"get_user_" + m`,
/// `"get_user_%s" % m`, `f"get_user_{m}"`, or a local assigned one of those once.
fn name_prefix(root: &[Stmt], e: &Expr, depth: u32) -> Option<String> {
    let upto = |s: &str, stop: char| s.split(stop).next().unwrap_or("").to_string();
    match &e.kind {
        ExprKind::Call(c) => match &c.func.kind {
            ExprKind::Attribute { value, attr } if attr == "format" => {
                value.as_str().map(|s| upto(s, '{'))
            }
            _ => None,
        },
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            ..
        } => left
            .as_str()
            .map(str::to_string)
            .or_else(|| name_prefix(root, left, depth)),
        ExprKind::BinOp {
            left,
            op: BinOp::Mod,
            ..
        } => left.as_str().map(|s| upto(s, '%')),
        ExprKind::FString(parts) => {
            let mut out = String::new();
            for part in parts {
                match part {
                    FStringPart::Literal(l) => out.push_str(l),
                    FStringPart::Value(_) => break,
                }
            }
            Some(out)
        }
        ExprKind::Name(n) if depth == 0 => {
            let mut values = Vec::new();
            nested_assignments(root, n, &mut |v| values.push(v));
            match values.as_slice() {
                [v] => name_prefix(root, v, depth + 1),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a module-level statement (not a plain `def` or `class`) binds a name starting
/// with `prefix`, in its nested blocks too: an assignment, a definition under `if`, an import.
fn binds_name_with_prefix(stmt: &Stmt, prefix: &str) -> bool {
    let matches = |n: &str| n.starts_with(prefix);
    match stmt {
        Stmt::FunctionDef(f) => matches(&f.name),
        Stmt::ClassDef(c) => matches(&c.name),
        Stmt::Assign { targets, .. } => targets
            .iter()
            .any(|t| t.any(&mut |x| x.as_name().is_some_and(matches))),
        Stmt::AugAssign { target, .. } => target.as_name().is_some_and(matches),
        Stmt::Import { names, .. } | Stmt::ImportFrom { names, .. } => names.iter().any(|a| {
            matches(
                a.asname
                    .as_deref()
                    .unwrap_or_else(|| a.name.split('.').next().unwrap_or("")),
            )
        }),
        Stmt::For {
            target,
            body,
            orelse,
            ..
        } => {
            target.any(&mut |x| x.as_name().is_some_and(matches))
                || body
                    .iter()
                    .chain(orelse.iter())
                    .any(|s| binds_name_with_prefix(s, prefix))
        }
        other => other
            .child_bodies()
            .any(|body| body.iter().any(|s| binds_name_with_prefix(s, prefix))),
    }
}

/// `request.args.get(K)`, `request.cookies[K]`, `dict(request.form).get(K)`: a read of a field
/// the caller sends, as the object read (`request`) and the key.
fn request_mapping_read(e: &Expr) -> Option<(&Expr, &Expr)> {
    let (container, key) = mapping_read(e)?;
    // `dict(request.args)`: a copy of the same fields.
    let container = match container.as_call() {
        Some(c)
            if c.func.as_name() == Some("dict") && c.args.len() == 1 && c.keywords.is_empty() =>
        {
            &c.args[0]
        }
        _ => container,
    };
    let ExprKind::Attribute { value, attr } = &container.kind else {
        return None;
    };
    matches!(
        attr.as_str(),
        "headers" | "args" | "cookies" | "query_params" | "values" | "form"
    )
    .then_some((&**value, key))
}

/// Whether `e` reads a value held by the server's configuration, not a flag: a subscript
/// (`app.config["SERVICE"]["access_key"]`), an attribute (`settings.api_key`) or a name
/// (`API_KEY`), not a call or a literal.
fn reads_configured_value(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Subscript { .. } | ExprKind::Attribute { .. } | ExprKind::Name(_)
    )
}

/// `X-API-Key`, `Authorization`, `X-Admin-Key`: a request field that carries a credential.
fn names_credential_field(key: &str) -> bool {
    // `X-Reload-Secret`: a shared secret presented in a header is a credential too.
    IDENTITY.found_in(key) || any_identifier_word(key, |w| w == "secret") || {
        let lower = key.to_ascii_lowercase();
        lower == "key" || lower.ends_with("-key") || lower.ends_with("_key")
    }
}

/// Whether the function assigns `name` from such a field, in nested blocks too.
fn assigned_from_request_field(root: &[Stmt], name: &str, credential: bool) -> bool {
    let mut found = false;
    nested_assignments(root, name, &mut |value| {
        found |= reads_request_field(value, credential);
    });
    found
}

/// Calls `f` with each value assigned to `name` in `body`, in nested blocks too (not in
/// nested functions): `key = request.headers["X-API-Key"]` under an `if`.
/// The callable a call runs in a worker thread and waits for: the first argument of
/// `anyio.to_thread.run_sync`, `asyncio.to_thread` and Starlette's (or FastAPI's)
/// `run_in_threadpool`, `qualified` being the call's qualified name; the second of
/// `loop.run_in_executor(None, f, ...)` on the loop `asyncio.get_running_loop()` or
/// `asyncio.get_event_loop()` returns, called there or assigned to the local `loop` in `root`.
fn thread_pool_callable<'c>(
    imports: &routewarden_python::names::Imports,
    root: &[Stmt],
    call: &'c Call,
    qualified: &str,
) -> Option<&'c Expr> {
    if matches!(
        qualified,
        "anyio.to_thread.run_sync"
            | "asyncio.to_thread"
            | "asyncio.threads.to_thread"
            | "starlette.concurrency.run_in_threadpool"
            | "fastapi.concurrency.run_in_threadpool"
    ) {
        return call.args.first();
    }
    let ExprKind::Attribute { value, attr } = &call.func.kind else {
        return None;
    };
    if attr != "run_in_executor" {
        return None;
    }
    let is_loop = |e: &Expr| {
        e.as_call().is_some_and(|c| {
            matches!(
                imports.resolve(&c.func).as_deref(),
                Some("asyncio.get_running_loop" | "asyncio.get_event_loop")
            )
        })
    };
    let loop_value = match value.as_name() {
        Some(name) => {
            let mut all = true;
            let mut any = false;
            nested_assignments(root, name, &mut |v| {
                any = true;
                all &= is_loop(v);
            });
            any && all
        }
        None => is_loop(value),
    };
    loop_value.then(|| call.args.get(1)).flatten()
}

fn nested_assignments<'s>(body: &'s [Stmt], name: &str, f: &mut impl FnMut(&'s Expr)) {
    walk_stmts(body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && targets.iter().any(|t| t.as_name() == Some(name))
        {
            f(value);
        }
    });
}

/// Whether `name` is assigned the result of a call that checks the caller, alone or first of
/// a tuple: `ok = verify_token(token)`, `allowed, protocol = authenticate_websocket(ws)`.
fn verdict_of_identity_check(
    imports: &routewarden_python::names::Imports,
    root: &[Stmt],
    name: &str,
) -> bool {
    let mut found = false;
    walk_stmts(root, &mut |stmt| {
        let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        else {
            return;
        };
        let binds = targets.iter().any(|t| match &t.kind {
            ExprKind::Name(n) => n == name,
            ExprKind::Tuple(items) => items.first().and_then(Expr::as_name) == Some(name),
            _ => false,
        });
        let value = match &value.kind {
            ExprKind::Await(inner) => &**inner,
            _ => value,
        };
        // `client = restore_session_client(current_app, session)`: what a helper makes of
        // the caller's session stands for the caller's login, whatever the helper's name.
        let from_session = |c: &Call| {
            c.argument_values().any(|a| {
                matches!(
                    imports.resolve(a).as_deref(),
                    Some("flask.session" | "quart.session")
                )
            })
        };
        found |= binds
            && value.as_call().is_some_and(|c| {
                from_session(c)
                    // `is_correct_password = secrets.compare_digest(password, expected)`.
                    || is_constant_time_compare(imports, c)
                    || c.func.last_name().is_some_and(|n| {
                        let lower = n.to_ascii_lowercase();
                        [
                            "authenticate",
                            "authorize",
                            "verify",
                            "check_auth",
                            "validate_token",
                        ]
                        .iter()
                        .any(|w| lower.starts_with(w))
                    })
            });
    });
    found
}

/// `hmac.compare_digest(a, b)`, `secrets.compare_digest(a, b)`: a comparison of secrets.
fn is_constant_time_compare(imports: &routewarden_python::names::Imports, call: &Call) -> bool {
    call.func.last_name() == Some("compare_digest")
        && imports
            .resolve(&call.func)
            .is_some_and(|q| q == "hmac.compare_digest" || q == "secrets.compare_digest")
}

/// A read of a mapping by key, `container[key]` or `container.get(key, ...)`: the container
/// and the key.
fn mapping_read(e: &Expr) -> Option<(&Expr, &Expr)> {
    match &e.kind {
        ExprKind::Subscript { value, slice } => Some((value, slice)),
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { value, attr } if attr == "get" => {
                Some((value, call.args.first()?))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The key of a read of the request's headers, query parameters or cookies:
/// `request.headers["X-API-Key"]`, `request.args.get("api-key")`.
fn request_field_key(e: &Expr) -> Option<&str> {
    let (container, key) = mapping_read(e)?;
    let ExprKind::Attribute { value, attr } = &container.kind else {
        return None;
    };
    (value.as_name() == Some("request")
        && matches!(
            attr.as_str(),
            "headers" | "args" | "cookies" | "query_params" | "values"
        ))
    .then(|| key.as_str())
    .flatten()
}

/// Whether a test reads a value of the request that the caller chooses to send and that is
/// no credential (`request.args.get("url")`, directly or through a variable of the function):
/// what runs under it runs only for callers who sent it.
fn tests_caller_choice(root: &[Stmt], test: &Expr) -> bool {
    reads_request_field(test, false)
        || test.any(&mut |x| {
            x.as_name()
                .is_some_and(|name| assigned_from_request_field(root, name, false))
                || parsed_argument_key(root, x).is_some_and(|key| !names_credential_field(key))
        })
}

/// `args.get("private")`, `args["private"]`: a value of the request's arguments as parsed
/// for the handler (`args = parser.parse_args()`, Flask-RESTful's and flask-restx's request
/// parsers, or a helper's `args`/`params`/`filters` parameter fed from them). The key.
fn parsed_argument_key<'e>(root: &[Stmt], e: &'e Expr) -> Option<&'e str> {
    let (container, key) = mapping_read(e)?;
    let name = container.as_name()?;
    let parsed = matches!(name, "args" | "params" | "filters" | "query_args") || {
        let mut found = false;
        nested_assignments(root, name, &mut |value| {
            found |= value.as_call().is_some_and(|c| {
                    matches!(&c.func.kind, ExprKind::Attribute { attr, .. } if attr == "parse_args")
                });
        });
        found
    };
    parsed.then(|| key.as_str()).flatten()
}

/// A branch that ends by letting the caller in: `return None`, `return f(*args, **kwargs)`,
/// `return await call_next(request)`, also after other statements.
fn lets_through(then: &[Stmt]) -> bool {
    passes_through(then)
        || match then.last() {
            Some(Stmt::Return { value: None, .. }) => true,
            Some(Stmt::Return { value: Some(v), .. }) => {
                matches!(v.kind, ExprKind::NoneLiteral) || calls_wrapped(v) || is_call_next(v)
            }
            _ => false,
        }
}

/// A branch ending in an answer with an error status to whoever reaches it: `return
/// jsonify(...), 503`, `return None, _refuse("disabled", 404)`, `abort(404)`.
fn answers_error_status(then: &[Stmt]) -> bool {
    fn errs(e: &Expr) -> bool {
        let status = |e: &Expr| matches!(e.kind, ExprKind::Int(Some(400..=599)));
        match &e.kind {
            ExprKind::Call(c) => {
                c.args.iter().any(status)
                    || c.keywords
                        .iter()
                        .any(|k| k.arg.as_deref().is_some_and(names_status) && status(&k.value))
            }
            ExprKind::Tuple(items) => {
                items.iter().skip(1).any(status)
                    || items.iter().any(|i| {
                        matches!(i.kind, ExprKind::Tuple(_) | ExprKind::Call(_)) && errs(i)
                    })
            }
            _ => false,
        }
    }
    match code_statements(then).last() {
        Some(
            Stmt::Return { value: Some(e), .. }
            | Stmt::Raise { exc: Some(e), .. }
            | Stmt::Expr { value: e, .. },
        ) => errs(e),
        _ => false,
    }
}

/// `call_next(request)`, awaited or not: a middleware handing the request on.
fn is_call_next(e: &Expr) -> bool {
    let e = match &e.kind {
        ExprKind::Await(inner) => inner,
        _ => e,
    };
    e.as_call()
        .is_some_and(|c| c.func.last_name() == Some("call_next"))
}

/// A branch that lets the request through: `return`, `pass`, `return await call_next(request)`,
/// `await self.app(scope, receive, send); return`.
fn passes_through(then: &[Stmt]) -> bool {
    let body = code_statements(then);
    match body.first() {
        Some(Stmt::Return { .. } | Stmt::Other { .. }) => true,
        Some(Stmt::Expr { value, .. }) if matches!(value.kind, ExprKind::Await(_)) => {
            body.len() == 1 || matches!(body.last(), Some(Stmt::Return { .. }))
        }
        // `response = await call_next(request)`, then `return response`.
        Some(Stmt::Assign {
            targets,
            value: Some(value),
            ..
        }) if matches!(value.kind, ExprKind::Await(_)) && is_call_next(value) => {
            let name = targets.first().and_then(Expr::as_name);
            matches!(body.last(), Some(Stmt::Return { value: Some(v), .. })
                if name.is_some() && v.as_name() == name)
        }
        _ => false,
    }
}

/// `request`, `scope`, `request.scope`: the request a guard is given.
fn is_request_name(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(n) => matches!(
            n.as_str(),
            "request" | "scope" | "req" | "environ" | "websocket" | "conn"
        ),
        ExprKind::Attribute { value, .. } => is_request_name(value),
        _ => false,
    }
}

/// `request`, `flask.request`, `websocket`: the request a guard reads.
fn is_request_like(e: &Expr) -> bool {
    is_request_name(e) || matches!(&e.kind, ExprKind::Attribute { attr, .. } if attr == "request")
}

/// Whether `module` may read a peer address (see [`is_peer_address`]) or parse one for
/// `is_loopback`: a quick filter, "no" is certain.
fn may_read_peer_address(module: &SourceModule) -> bool {
    module.may_mention("remote_addr")
        || module.may_mention("REMOTE_ADDR")
        || module.may_mention("is_loopback")
        || (module.may_mention("client") && module.may_mention("host"))
}

/// The address the connection came from, which the caller cannot choose: Flask's
/// `request.remote_addr`, WSGI's `environ["REMOTE_ADDR"]` (also `.get(...)`), Starlette's
/// `request.client.host`; a local assigned one, or one of `peers`.
fn is_peer_address(root: &[Stmt], e: &Expr, peers: &[&str]) -> bool {
    let environ = |e: &Expr| match &e.kind {
        ExprKind::Name(n) => n == "environ",
        ExprKind::Attribute { value, attr } => attr == "environ" && is_request_like(value),
        _ => false,
    };
    match &e.kind {
        ExprKind::Name(n) => {
            peers.contains(&n.as_str())
                || crate::values::last_assignment(root, n).is_some_and(|v| {
                    !matches!(v.kind, ExprKind::Name(_)) && is_peer_address(root, v, &[])
                })
        }
        ExprKind::Attribute { value, attr } => match attr.as_str() {
            "remote_addr" => is_request_like(value),
            "host" => matches!(&value.kind, ExprKind::Attribute { value: r, attr: c }
                if c == "client" && is_request_like(r)),
            _ => false,
        },
        ExprKind::Subscript { value, slice } => {
            environ(value) && slice.as_str() == Some("REMOTE_ADDR")
        }
        ExprKind::Call(call) => {
            call.method()
                .is_some_and(|(recv, m)| m == "get" && environ(recv))
                && call.args.first().and_then(Expr::as_str) == Some("REMOTE_ADDR")
        }
        _ => false,
    }
}

/// `remote_addr`, `request.client is not None` (`Has`) or `not remote_addr`,
/// `request.client is None` (`Lacks`): whether there is a peer address at all.
fn peer_presence(root: &[Stmt], e: &Expr, peers: &[&str]) -> Option<Polarity> {
    let subject = |x: &Expr| {
        is_peer_address(root, x, peers)
            || matches!(&x.kind, ExprKind::Attribute { value, attr }
                if attr == "client" && is_request_like(value))
    };
    match &e.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => peer_presence(root, operand, peers).map(Polarity::flip),
        ExprKind::Compare { .. } => match e.comparisons().as_slice() {
            [(x, CmpOp::Is, n)] if subject(x) && matches!(n.kind, ExprKind::NoneLiteral) => {
                Some(Polarity::Lacks)
            }
            [(x, CmpOp::IsNot, n)] if subject(x) && matches!(n.kind, ExprKind::NoneLiteral) => {
                Some(Polarity::Has)
            }
            _ => None,
        },
        _ => subject(e).then_some(Polarity::Has),
    }
}

/// Whether a value may come from what the caller sends: it reads the request, the session or
/// headers, directly or through a local.
fn mentions_caller(root: &[Stmt], e: &Expr) -> bool {
    let reads = |x: &Expr| {
        x.any(&mut |y| {
            is_request_like(y)
                || matches!(&y.kind, ExprKind::Name(n)
                    if matches!(n.as_str(), "session" | "headers" | "cookies"))
        })
    };
    match &e.kind {
        ExprKind::Name(n) => crate::values::last_assignment(root, n).is_some_and(reads),
        _ => reads(e),
    }
}

/// Whether a test itself calls the wrapped view (`if f(*args, **kwargs):`).
fn calls_view_in_test(test: &Expr) -> bool {
    test.any(&mut |x| calls_wrapped(x) || is_call_next(x))
}

/// `AUTH_ENABLED`, `DEBUG`: a module constant by Python's naming convention.
fn is_constant_name(name: &str) -> bool {
    name.chars().filter(|c| c.is_ascii_alphabetic()).count() > 1
        && !name.chars().any(|c| c.is_ascii_lowercase())
}

/// A literal value: `"none"`, `0`, `None`, `("a", "b")`.
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Str(_) | ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::NoneLiteral => true,
        _ => e
            .elements()
            .is_some_and(|items| items.iter().all(is_literal)),
    }
}

/// Where non-test code of a Flask project sets `app.config["LOGIN_DISABLED"] = True` under a
/// runtime condition: the condition under which Flask-Login still checks, `if not (...)`. A
/// condition known in production (`if app.testing:`) does not count.
/// A value production code gives a Flask configuration key (Flask-BasicAuth's
/// `BASIC_AUTH_FORCE`).
pub(crate) struct ForceSetting {
    /// Its truth, when the code decides it.
    pub(crate) value: Option<bool>,
    /// The value as written.
    text: String,
    /// The `if` it is written under (`if args.auth`), when one is.
    pub(crate) condition: Option<String>,
    /// The application whose `config` is written (`app.config["BASIC_AUTH_FORCE"] = True`);
    /// `None` for a configuration class or module loaded with `from_object`.
    pub(crate) owner: Option<ObjectId>,
}

/// Every value production code gives `BASIC_AUTH_FORCE`: in configuration classes and modules
/// production may load (`from_object`), and written to an application's `config`
/// (`config["BASIC_AUTH_FORCE"] = v`, `config.update(BASIC_AUTH_FORCE=v)` or with a dict,
/// `from_mapping(...)`, `setdefault("BASIC_AUTH_FORCE", v)`).
fn basic_auth_force(model: &ProjectModel, apps: &AppModel) -> Vec<ForceSetting> {
    let config = crate::config::ConfigModel::build(model);
    config_settings(model, apps, &config, "BASIC_AUTH_FORCE")
}

/// Every value production code gives the configuration key `key`, as [`basic_auth_force`].
pub(crate) fn config_settings(
    model: &ProjectModel,
    apps: &AppModel,
    config: &crate::config::ConfigModel,
    key: &str,
) -> Vec<ForceSetting> {
    let mut out: Vec<ForceSetting> = config
        .production_values(key)
        .into_iter()
        .map(|v| ForceSetting {
            value: crate::apps::production_value(model, v.file, v.value),
            text: crate::apps::source_text(model, v.file, v.value.span),
            condition: None,
            owner: None,
        })
        .collect();
    struct Walk<'w, 'a> {
        key: &'w str,
        model: &'a ProjectModel,
        apps: &'w AppModel<'a>,
        file: usize,
        scope: Vec<&'a Function>,
        /// The `if`s enclosing the statement, with the branch taken.
        tests: Vec<(&'a Expr, bool)>,
        out: &'w mut Vec<ForceSetting>,
    }
    impl<'a> Walk<'_, 'a> {
        fn write(&mut self, config: &'a Expr, value: &'a Expr) {
            let ExprKind::Attribute { value: owner, attr } = &config.kind else {
                return;
            };
            if attr != "config" {
                return;
            }
            let mut condition = None;
            for &(test, then) in &self.tests {
                match crate::apps::production_value(self.model, self.file, test) {
                    Some(v) if v == then => {}
                    // A branch production never takes (`if app.debug:`).
                    Some(_) => return,
                    None => {
                        let text =
                            |e: &Expr| crate::apps::source_text(self.model, self.file, e.span);
                        condition = Some(if then {
                            format!("if {}", text(test))
                        } else {
                            format!("if {}", crate::apps::negation(&text, test))
                        });
                    }
                }
            }
            self.out.push(ForceSetting {
                value: crate::apps::production_value(self.model, self.file, value),
                text: crate::apps::source_text(self.model, self.file, value.span),
                condition,
                owner: self.apps.resolve_object(self.file, &self.scope, owner),
            });
        }

        fn stmts(&mut self, body: &'a [Stmt]) {
            for stmt in body {
                match stmt {
                    Stmt::Assign {
                        targets,
                        value: Some(value),
                        ..
                    } => {
                        for t in targets {
                            if let ExprKind::Subscript {
                                value: config,
                                slice,
                            } = &t.kind
                                && slice.as_str() == Some(self.key)
                            {
                                self.write(config, value);
                            }
                        }
                    }
                    Stmt::Expr { value, .. } => {
                        let Some(call) = value.as_call() else {
                            continue;
                        };
                        let Some((config, method)) = call.method() else {
                            continue;
                        };
                        match method {
                            "setdefault" => {
                                if let [key, v] = call.args.as_slice()
                                    && key.as_str() == Some(self.key)
                                {
                                    self.write(config, v);
                                }
                            }
                            "update" | "from_mapping" => {
                                let mut values: Vec<&'a Expr> = call
                                    .keywords
                                    .iter()
                                    .filter(|k| k.arg.as_deref() == Some(self.key))
                                    .map(|k| &k.value)
                                    .collect();
                                for arg in &call.args {
                                    match &arg.kind {
                                        ExprKind::Dict(entries) => values.extend(
                                            entries
                                                .iter()
                                                .filter(|e| {
                                                    e.key.as_ref().and_then(Expr::as_str)
                                                        == Some(self.key)
                                                })
                                                .map(|e| &e.value),
                                        ),
                                        ExprKind::Call(c) if c.func.as_name() == Some("dict") => {
                                            values.extend(
                                                c.keywords
                                                    .iter()
                                                    .filter(|k| k.arg.as_deref() == Some(self.key))
                                                    .map(|k| &k.value),
                                            )
                                        }
                                        _ => {}
                                    }
                                }
                                for v in values {
                                    self.write(config, v);
                                }
                            }
                            _ => {}
                        }
                    }
                    Stmt::If {
                        test, body, orelse, ..
                    } => {
                        self.tests.push((test, true));
                        self.stmts(body);
                        self.tests.pop();
                        self.tests.push((test, false));
                        self.stmts(orelse);
                        self.tests.pop();
                    }
                    Stmt::FunctionDef(f) => {
                        self.scope.push(f);
                        self.stmts(&f.body);
                        self.scope.pop();
                    }
                    other => {
                        for child in other.child_bodies() {
                            self.stmts(child);
                        }
                    }
                }
            }
        }
    }
    for (file, module) in model.files.iter().enumerate() {
        if module.is_test() || !module.parsed.attributes.may_contain("config") {
            continue;
        }
        let mut walk = Walk {
            key,
            model,
            apps,
            file,
            scope: Vec::new(),
            tests: Vec::new(),
            out: &mut out,
        };
        walk.stmts(module.body());
    }
    out
}

fn login_disabled_switch(model: &ProjectModel) -> Option<String> {
    fn find<'s>(body: &'s [Stmt], tests: &mut Vec<&'s Expr>, out: &mut Option<&'s Expr>) {
        for stmt in body {
            if out.is_some() {
                return;
            }
            match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } if matches!(value.kind, ExprKind::Bool(true))
                    && targets.iter().any(sets_login_disabled) =>
                {
                    *out = tests.last().copied();
                }
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    tests.push(test);
                    find(body, tests, out);
                    tests.pop();
                    find(orelse, tests, out);
                }
                Stmt::ClassDef(_) => {}
                Stmt::FunctionDef(f) => find(&f.body, tests, out),
                other => {
                    for child in other.child_bodies() {
                        find(child, tests, out);
                    }
                }
            }
        }
    }
    model.files.iter().enumerate().find_map(|(i, file)| {
        if file.is_test()
            || !file.parsed.attributes.may_contain("config")
            || !file.imports_module("flask")
        {
            return None;
        }
        let mut test = None;
        find(file.body(), &mut Vec::new(), &mut test);
        let test = test?;
        crate::apps::production_value(model, i, test)
            .is_none()
            .then(|| format!("if not ({})", crate::apps::source_text(model, i, test.span)))
    })
}

/// What a project class configured as Flask-Login's anonymous user answers: for each of
/// the login and role checks, `None` when it refuses anonymous callers as the library's
/// does, `Some(None)` when it lets them in always, `Some(Some(condition))` when the setting
/// that chooses it must not hold for the check to protect.
#[derive(Clone, Debug, Default)]
struct AnonymousUser {
    /// `is_authenticated` is `True`: `@login_required`, `@auth_required()` let them in.
    authenticated: Option<Option<String>>,
    /// `has_role` answers `True` too: `@roles_required(...)` lets them in.
    all_roles: Option<Option<String>>,
}

/// The anonymous user production code configures: `Security(app, datastore,
/// anonymous_user=Cls)`, `security.init_app(app, datastore, **options)` after
/// `options["anonymous_user"] = Cls`, or `login_manager.anonymous_user = Cls`, where `Cls`
/// is a project class whose `is_authenticated` is `True` (and, for role checks, whose
/// `has_role` returns `True`). Chosen under `if not settings.auth:`, the checks protect
/// only `if settings.auth`.
fn permissive_anonymous_user(model: &ProjectModel) -> AnonymousUser {
    /// The classes assigned as the anonymous user, with the `if` branches around each.
    fn find<'s>(
        body: &'s [Stmt],
        spread: &[&str],
        branches: &mut Vec<(&'s Expr, bool)>,
        out: &mut Vec<(&'s Expr, Vec<(&'s Expr, bool)>)>,
    ) {
        for stmt in body {
            match stmt {
                Stmt::If {
                    test, body, orelse, ..
                } => {
                    branches.push((test, true));
                    find(body, spread, branches, out);
                    branches.pop();
                    branches.push((test, false));
                    find(orelse, spread, branches, out);
                    branches.pop();
                }
                Stmt::ClassDef(_) => {}
                Stmt::FunctionDef(f) => find(&f.body, spread, branches, out),
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    // `lm.anonymous_user = Cls`; `options["anonymous_user"] = Cls` with
                    // `options` handed to `Security(..., **options)`.
                    let assigns = targets.iter().any(|t| match &t.kind {
                        ExprKind::Attribute { attr, .. } => attr == "anonymous_user",
                        ExprKind::Subscript { value, slice } => {
                            slice.as_str() == Some("anonymous_user")
                                && value.as_name().is_some_and(|n| spread.contains(&n))
                        }
                        _ => false,
                    });
                    if assigns {
                        out.push((value, branches.clone()));
                    }
                    keyword_sites(value, branches, out);
                }
                Stmt::Expr { value, .. } => keyword_sites(value, branches, out),
                other => {
                    for child in other.child_bodies() {
                        find(child, spread, branches, out);
                    }
                }
            }
        }
    }
    fn keyword_sites<'s>(
        e: &'s Expr,
        branches: &[(&'s Expr, bool)],
        out: &mut Vec<(&'s Expr, Vec<(&'s Expr, bool)>)>,
    ) {
        e.any(&mut |x| {
            if let Some(call) = x.as_call()
                && matches!(call.func.last_name(), Some("Security" | "init_app"))
                && let Some(class) = call.keyword("anonymous_user")
            {
                out.push((class, branches.to_vec()));
            }
            false
        });
    }
    /// Whether the class (or the nearest project base defining it) answers `True` for
    /// `member`: `is_authenticated = True`, or a method or property returning only `True`.
    fn answers_true(model: &ProjectModel, file: usize, class: &Class, member: &str) -> bool {
        for (_, c) in class_hierarchy(model, file, class) {
            for stmt in &c.body {
                match stmt {
                    Stmt::Assign {
                        targets,
                        value: Some(value),
                        ..
                    } if targets.iter().any(|t| t.as_name() == Some(member)) => {
                        return value.as_bool() == Some(true);
                    }
                    Stmt::FunctionDef(f) if f.name == member => {
                        let mut returns = 0;
                        let mut all_true = true;
                        crate::values::for_each_return(&f.body, &mut |r| {
                            returns += 1;
                            all_true &= r.as_bool() == Some(true);
                        });
                        return returns > 0 && all_true;
                    }
                    _ => {}
                }
            }
        }
        false
    }
    let mut out = AnonymousUser::default();
    // Always wins over a condition.
    fn merge(slot: &mut Option<Option<String>>, found: &Option<String>) {
        match (slot.as_ref(), found) {
            (Some(None), _) => {}
            (_, None) => *slot = Some(None),
            (None, Some(_)) => *slot = Some(found.clone()),
            (Some(Some(_)), Some(_)) => {}
        }
    }
    for (i, file) in model.files.iter().enumerate() {
        // The attribute, keyword or key must be spelled out: skip the other files unparsed.
        if file.is_test() || !file.may_mention("anonymous_user") {
            continue;
        }
        // Names handed to `Security(...)`/`init_app(...)` as `**options`.
        let mut spread: Vec<&str> = Vec::new();
        walk_all_exprs(file.body(), &mut |e| {
            e.any(&mut |x| {
                if let Some(call) = x.as_call()
                    && matches!(call.func.last_name(), Some("Security" | "init_app"))
                {
                    spread.extend(
                        call.keywords
                            .iter()
                            .filter(|k| k.arg.is_none())
                            .filter_map(|k| k.value.as_name()),
                    );
                }
                false
            });
        });
        let mut sites = Vec::new();
        find(file.body(), &spread, &mut Vec::new(), &mut sites);
        for (class_expr, branches) in sites {
            let Some((cf, Some(Stmt::ClassDef(class)), _)) =
                model.resolve_definition(i, class_expr)
            else {
                continue;
            };
            if !answers_true(model, cf, class, "is_authenticated") {
                continue;
            }
            // The branches' tests, each as it holds there; a test production never (or
            // always) passes decides alone.
            let mut holds: Vec<String> = Vec::new();
            let mut reachable = true;
            for (test, then) in branches {
                match crate::apps::production_value(model, i, test) {
                    Some(v) => reachable &= v == then,
                    None => {
                        let text = crate::apps::source_text(model, i, test.span);
                        holds.push(if then { text } else { format!("not ({text})") });
                    }
                }
            }
            if !reachable {
                continue;
            }
            // The checks protect only while the choice's condition fails.
            let condition = match holds.as_slice() {
                [] => None,
                [one] => Some(match one.strip_prefix("not ") {
                    Some(positive) => format!("if {}", positive.trim()),
                    None => format!("if not ({one})"),
                }),
                many => Some(format!("if not ({})", many.join(" and "))),
            };
            merge(&mut out.authenticated, &condition);
            if answers_true(model, cf, class, "has_role") {
                merge(&mut out.all_roles, &condition);
            }
        }
    }
    out
}

/// `app.view_functions["agent_api.AgentView:post"].is_public = True` anywhere in production
/// code: (endpoint, flag) pairs.
fn endpoint_flags(model: &ProjectModel) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for file in &model.files {
        if file.is_test() || !file.parsed.attributes.may_contain("view_functions") {
            continue;
        }
        walk_all_stmts(file.body(), &mut |stmt| {
            for (view, attr) in flags_set(stmt) {
                if let ExprKind::Subscript {
                    value: views,
                    slice,
                } = &view.kind
                    && let Some(endpoint) = slice.as_str()
                    && matches!(&views.kind, ExprKind::Attribute { attr, .. } if attr == "view_functions")
                {
                    out.push((endpoint.to_string(), attr.to_string()));
                }
            }
        });
    }
    out
}

/// The (object, attribute) pairs a statement sets to `True`: `post.is_public = True`.
fn flags_set(stmt: &Stmt) -> Vec<(&Expr, &str)> {
    match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } if matches!(value.kind, ExprKind::Bool(true)) => targets
            .iter()
            .filter_map(|t| match &t.kind {
                ExprKind::Attribute { value, attr } => Some((&**value, attr.as_str())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `app.config["LOGIN_DISABLED"]` as an assignment target.
fn sets_login_disabled(target: &Expr) -> bool {
    matches!(&target.kind, ExprKind::Subscript { value, slice }
        if slice.as_str() == Some("LOGIN_DISABLED")
            && matches!(&value.kind, ExprKind::Attribute { attr, .. } if attr == "config"))
}

/// `sm is not None`, `not manager`, where the function assigned the variable from a call
/// without arguments (`sm = get_security_manager()`): state of the server, not of the request.
/// Not a user or token fetched from the request context (`user = get_current_user()`).
fn is_server_state_variable(root: &[Stmt], test: &Expr) -> bool {
    let test = tested_value(test);
    let Some(name) = test.as_name() else {
        return false;
    };
    if mentions_identity(test) || mentions_role(test) {
        return false;
    }
    root_assignments(root, name).any(|value| {
        value.as_call().is_some_and(|call| {
            matches!(call.func.kind, ExprKind::Name(_))
                && call.args.is_empty()
                && call.keywords.is_empty()
                && !mentions_identity(&call.func)
                && !mentions_role(&call.func)
        })
    })
}

/// `self.api_key`, `not self.enabled`: what a guard object was configured with when it was
/// built (`APIKeyAuth(settings.api_key)`), not what the request brings.
fn is_instance_setting(test: &Expr) -> bool {
    let ExprKind::Attribute { value, attr } = &tested_value(test).kind else {
        return false;
    };
    value.as_name() == Some("self")
        && !REQUEST_STATE_NAMES.contains(&attr.as_str())
        && !matches!(attr.as_str(), "headers" | "cookies")
}

/// Names that stand for the request being served or the caller behind it.
const REQUEST_STATE_NAMES: &[&str] = &[
    "request",
    "req",
    "scope",
    "session",
    "g",
    "current_user",
    "user",
];

/// The values `name = ...` statements of a function's own top level give `name`.
fn root_assignments<'s>(root: &'s [Stmt], name: &'s str) -> impl Iterator<Item = &'s Expr> {
    root.iter().filter_map(move |stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } if targets.iter().any(|t| t.as_name() == Some(name)) => Some(value),
        _ => None,
    })
}

/// A protection's condition, read after "only": `if auth_string is not None`, `for the paths
/// ... selects`.
/// The PasteDeploy factories through which the application built in the function at `start`
/// of `file` is served, when it is served only through them: the function is itself a
/// PasteDeploy factory (`def factory(cls, global_config, **local_config)`, `app_factory(
/// global_conf, **local_conf)`), or every call of it in production code, up to three calls
/// away, is in one (`cls.app = build_app()`), or nothing analysed calls it and the project
/// loads its application with PasteDeploy (`paste.deploy.loadapp(...)`, oslo.service's
/// `wsgi.Loader(conf).load_app(name)`), naming the factory in a configuration file. Their
/// names, `Router.factory, RouterV2.factory`.
fn paste_factories(model: &ProjectModel, file: usize, start: u32) -> Option<String> {
    // The module-level function or class method the application is built in.
    let (function, class) = model.files[file].body().iter().find_map(|stmt| {
        let span = stmt.span();
        if !(span.start <= start && start < span.end) {
            return None;
        }
        match stmt {
            Stmt::FunctionDef(f) => Some((f.as_ref(), None)),
            Stmt::ClassDef(c) => c.body.iter().find_map(|s| match s {
                Stmt::FunctionDef(m) if m.span.start <= start && start < m.span.end => {
                    Some((m.as_ref(), Some(c.as_ref())))
                }
                _ => None,
            }),
            _ => None,
        }
    })?;
    let mut loads = None;
    let mut names = Vec::new();
    paste_served(model, file, function, class, 0, &mut loads, &mut names).then_some(())?;
    names.sort_unstable();
    names.dedup();
    Some(names.join(", "))
}

/// Whether `function` (a method of `class` if given) is a PasteDeploy factory or called only
/// from them (see [`paste_factories`]); collects their names into `names`.
fn paste_served<'a>(
    model: &'a ProjectModel,
    file: usize,
    function: &'a Function,
    class: Option<&'a Class>,
    depth: u32,
    loads: &mut Option<bool>,
    names: &mut Vec<String>,
) -> bool {
    if is_paste_factory(function) {
        names.push(match class {
            Some(c) => format!("{}.{}", c.name, function.name),
            None => function.name.to_string(),
        });
        return true;
    }
    // The callers of a method are out of reach; a deep chain is unlikely to be a factory's.
    if class.is_some() || depth >= 3 {
        return false;
    }
    let mut callers: Vec<(usize, &'a Function, Option<&'a Class>)> = Vec::new();
    let mut at_module_level = false;
    for (caller_file, source) in model.files_naming(file, &function.name) {
        if source.is_test() {
            continue;
        }
        let calls = |body: &'a [Stmt]| {
            let mut found = false;
            walk_all_exprs(body, &mut |e| {
                found |= e.any(&mut |x| {
                    x.as_call().is_some_and(|call| {
                        call.func.last_name() == Some(function.name.as_str())
                            && matches!(model.resolve_definition(caller_file, &call.func),
                                Some((_, Some(Stmt::FunctionDef(f)), _))
                                    if std::ptr::eq(f.as_ref(), function))
                    })
                });
            });
            found
        };
        for stmt in source.body() {
            match stmt {
                Stmt::FunctionDef(f) => {
                    if !std::ptr::eq(f.as_ref(), function) && calls(&f.body) {
                        callers.push((caller_file, f, None));
                    }
                }
                Stmt::ClassDef(c) => {
                    for s in &c.body {
                        match s {
                            Stmt::FunctionDef(m) => {
                                if calls(&m.body) {
                                    callers.push((caller_file, m, Some(c.as_ref())));
                                }
                            }
                            other => at_module_level |= calls(std::slice::from_ref(other)),
                        }
                    }
                }
                other => at_module_level |= calls(std::slice::from_ref(other)),
            }
        }
    }
    if at_module_level {
        return false;
    }
    if callers.is_empty() {
        // Named only in a PasteDeploy configuration file, if the project loads one.
        let loads = *loads.get_or_insert_with(|| loads_paste_app(model));
        if loads {
            names.push(function.name.to_string());
        }
        return loads;
    }
    callers
        .into_iter()
        .all(|(f, caller, c)| paste_served(model, f, caller, c, depth + 1, loads, names))
}

/// A PasteDeploy factory's signature: `(global_config, **local_config)` after `self` or `cls`,
/// or after the `loader` of a composite factory.
fn is_paste_factory(function: &Function) -> bool {
    let mut params = function
        .params
        .iter()
        .filter(|p| !matches!(p.kind, ParamKind::VarKeywords))
        .map(|p| p.name.as_str())
        .skip_while(|n| matches!(*n, "self" | "cls" | "loader"));
    matches!(params.next(), Some("global_conf" | "global_config"))
        && params.next().is_none()
        && function
            .params
            .iter()
            .any(|p| matches!(p.kind, ParamKind::VarKeywords))
}

/// The project's production code loads an application with PasteDeploy:
/// `paste.deploy.loadapp("config:...")`, or oslo.service's `wsgi.Loader(conf).load_app(name)`.
fn loads_paste_app(model: &ProjectModel) -> bool {
    const MODULES: &[&str] = &[
        "paste.deploy",
        "paste.deploy.loadapp",
        "paste.deploy.loadwsgi",
        "paste.deploy.loadwsgi.loadapp",
        "oslo_service.wsgi",
        "oslo_service.wsgi.Loader",
    ];
    let mut files: Vec<usize> = MODULES
        .iter()
        .flat_map(|m| model.importers_of(m).iter().copied())
        .collect();
    files.sort_unstable();
    files.dedup();
    files.into_iter().any(|i| {
        let source = &model.files[i];
        if source.is_test() {
            return false;
        }
        let (mut loadapp, mut loader, mut load_app) = (false, false, false);
        walk_all_exprs(source.body(), &mut |e| {
            e.any(&mut |x| {
                if let Some(call) = x.as_call() {
                    match source.imports.resolve(&call.func).as_deref() {
                        Some("paste.deploy.loadapp" | "paste.deploy.loadwsgi.loadapp") => {
                            loadapp = true
                        }
                        Some("oslo_service.wsgi.Loader") => loader = true,
                        _ => {}
                    }
                    load_app |= matches!(&call.func.kind,
                        ExprKind::Attribute { attr, .. } if attr == "load_app");
                }
                false
            });
        });
        loadapp || loader && load_app
    })
}

#[derive(Clone, Copy)]
enum Refusal {
    /// A redirect elsewhere than a login page: a refusal only after a failed permission check.
    Away,
    Unauthorized,
    Forbidden,
    ToLogin,
    /// The login view called to answer in place of the page (`return login(page)`): a
    /// refusal only where the caller was found to have no session.
    ServesLogin,
}

/// Exception classes the project's error handlers answer with 401 or 403: project classes
/// by the address of their definition, classes from outside the project by qualified name.
#[derive(Default)]
struct HandledExceptions {
    project: HashMap<usize, Refusal>,
    outside: HashMap<String, Refusal>,
}

/// The exception classes for which the project registers an error handler whose every answer
/// is 401 or 403: `@app.errorhandler(Cls)`, a blueprint's `@bp.app_errorhandler(Cls)`,
/// Starlette's and FastAPI's `@app.exception_handler(Cls)`, or `app.register_error_handler(
/// Cls, handler)`/`app.add_exception_handler(Cls, handler)` with a module-level handler.
/// Raising such a class refuses the request as raising an HTTP 401/403 does.
fn handled_exceptions(model: &ProjectModel) -> HandledExceptions {
    let mut out = HandledExceptions::default();
    let mut add = |file: usize, caught: &Expr, refusal: Refusal| {
        for class in caught.elements_or_self() {
            match model.resolve_definition(file, class) {
                Some((_, Some(Stmt::ClassDef(c)), _)) => {
                    out.project
                        .insert(c.as_ref() as *const Class as usize, refusal);
                }
                Some((_, None, Some(q))) => {
                    out.outside.insert(q, refusal);
                }
                _ => {}
            }
        }
    };
    for (file, module) in model.files.iter().enumerate() {
        walk_all_stmts(module.body(), &mut |stmt| match stmt {
            Stmt::FunctionDef(f) => {
                for d in &f.decorators {
                    if let Some(call) = d.as_call()
                        && let ExprKind::Attribute { attr, .. } = &call.func.kind
                        && matches!(
                            attr.as_str(),
                            "errorhandler" | "app_errorhandler" | "exception_handler"
                        )
                        && let Some(caught) = call.args.first()
                        && let Some(r) = handler_refusal(f)
                    {
                        add(file, caught, r);
                    }
                }
            }
            Stmt::Expr { value, .. } => {
                if let Some(call) = value.as_call()
                    && let ExprKind::Attribute { attr, .. } = &call.func.kind
                    && matches!(
                        attr.as_str(),
                        "register_error_handler" | "add_exception_handler"
                    )
                    && let [caught, handler] = call.args.as_slice()
                    && let Some((_, Some(Stmt::FunctionDef(f)), _)) =
                        model.resolve_definition(file, handler)
                    && let Some(r) = handler_refusal(f)
                {
                    add(file, caught, r);
                }
            }
            _ => {}
        });
    }
    out
}

/// The 401 or 403 every answer of an error handler carries: `return jsonify(...), 403`,
/// `return JSONResponse(status_code=401, content=...)`, `make_response(body, 403)`.
fn handler_refusal(handler: &Function) -> Option<Refusal> {
    let mut found = None;
    let mut other = false;
    crate::values::for_each_return(&handler.body, &mut |r| {
        let status = match &r.kind {
            ExprKind::Tuple(items) => items.get(1).and_then(status_of),
            ExprKind::Call(call) => call
                .args
                .iter()
                .chain(call.keywords.iter().filter_map(|k| {
                    k.arg
                        .as_deref()
                        .is_some_and(|a| matches!(a, "status_code" | "status"))
                        .then_some(&k.value)
                }))
                .find_map(status_of),
            _ => None,
        };
        match status {
            Some(s) if found.is_none() => found = Some(s),
            Some(_) => {}
            None => other = true,
        }
    });
    if other { None } else { found }
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

/// A call answering 401 or 403 with a status constant imported by name (`from starlette.status
/// import HTTP_403_FORBIDDEN`), positional or as `status_code=`/`status=`/`code=`.
fn imported_status_refusal(
    imports: &routewarden_python::names::Imports,
    e: &Expr,
) -> Option<Refusal> {
    let e = match &e.kind {
        ExprKind::Await(inner) => inner,
        _ => e,
    };
    let call = e.as_call()?;
    call.args
        .iter()
        .chain(call.keywords.iter().filter_map(|k| {
            k.arg
                .as_deref()
                .is_some_and(names_status)
                .then_some(&k.value)
        }))
        .find_map(|a| {
            let ExprKind::Name(_) = a.kind else {
                return None;
            };
            let q = imports.resolve(a)?;
            let (module, name) = q.rsplit_once('.')?;
            if !matches!(
                module,
                "starlette.status" | "fastapi.status" | "http.HTTPStatus"
            ) {
                return None;
            }
            match name {
                "HTTP_401_UNAUTHORIZED" | "UNAUTHORIZED" => Some(Refusal::Unauthorized),
                "HTTP_403_FORBIDDEN" | "FORBIDDEN" => Some(Refusal::Forbidden),
                _ => None,
            }
        })
}

/// Whether a test compares a value with another (`key != settings.api_key`, `key not in
/// KEYS`), not with `None`, `""`, a bool or zero, nor looks a literal key up in a mapping
/// (`"user_id" not in session`): more than the presence of a value.
fn compares_value(test: &Expr) -> bool {
    test.any(&mut |x| {
        let Some((left, op, right)) = x.single_compare() else {
            return false;
        };
        let blank = |e: &Expr| {
            matches!(
                e.kind,
                ExprKind::NoneLiteral | ExprKind::Bool(_) | ExprKind::Int(Some(0))
            ) || e.as_str() == Some("")
        };
        match op {
            CmpOp::Eq | CmpOp::NotEq => !blank(left) && !blank(right),
            CmpOp::In | CmpOp::NotIn => !left.is_string_literal(),
            _ => false,
        }
    })
}

/// `try: check_access(...) except NotAuthorized: abort(404)` in a body: a failed access check
/// answered as if the object did not exist, so as not to reveal it.
fn denies_as_not_found(body: &[Stmt]) -> bool {
    let mut found = false;
    walk_stmts(body, &mut |stmt| {
        if let Stmt::Try { handlers, .. } = stmt {
            found |= handlers.iter().any(|h| {
                h.type_.as_ref().is_some_and(names_denied_access) && answers_not_found(&h.body)
            });
        }
    });
    found
}

/// An exception class (or a tuple of them) raised when access is denied: `NotAuthorized`,
/// `PermissionDenied`, `Forbidden`; not the built-in `PermissionError` of the file system.
/// An exception class, named specifically, that is neither a catch-all nor about identity,
/// tokens or their verification: `NoCustomerMatch`, `QuotaExceeded`; not `Exception`,
/// `JWTError`, `UserNotFound`, `BadSignature`, `ExpiredToken`.
fn names_business_failure(t: &Expr) -> bool {
    t.elements_or_self().iter().all(|item| {
        item.last_name().is_some_and(|n| {
            !matches!(n, "Exception" | "BaseException")
                && !IDENTITY.found_in(n)
                && !ROLE.found_in(n)
                && !VERIFICATION_FAILURE.found_in(n)
        })
    })
}

/// Words in an exception's name that say a verification failed.
static VERIFICATION_FAILURE: StaticWordList = StaticWordList::new(|| {
    WordList::new(&[
        "invalid",
        "expired",
        "decode",
        "verif",
        "denied",
        "forbidden",
        "unauthori",
        "signature",
        "credential",
        "permission",
        "access",
        "allowed",
        "security",
        "owner",
        "privilege",
        "scope",
    ])
});

fn names_denied_access(t: &Expr) -> bool {
    t.elements_or_self().iter().any(|item| {
        item.last_name().is_some_and(|n| {
            let lower = n.to_ascii_lowercase();
            [
                "notauthori",
                "unauthori",
                "forbidden",
                "permissiondenied",
                "accessdenied",
                "authorizationerror",
                "authorisationerror",
                "notauthenticated",
            ]
            .iter()
            .any(|w| lower.contains(w))
        })
    })
}

/// A handler body that ends the request with 404: `abort(404)`, `raise NotFound()`, `return
/// jsonify(...), 404`, `raise HTTPException(status_code=404)`.
fn answers_not_found(body: &[Stmt]) -> bool {
    let is_404 = |e: &Expr| matches!(e.kind, ExprKind::Int(Some(404)));
    let not_found = |e: &Expr| match &e.kind {
        ExprKind::Call(c) => {
            c.args.first().is_some_and(is_404)
                || c.keywords
                    .iter()
                    .any(|k| k.arg.as_deref().is_some_and(names_status) && is_404(&k.value))
                || c.func
                    .last_name()
                    .is_some_and(|n| matches!(n, "NotFound" | "Http404" | "HTTPNotFound"))
        }
        ExprKind::Name(n) => matches!(n.as_str(), "NotFound" | "Http404" | "HTTPNotFound"),
        ExprKind::Tuple(items) => items.iter().skip(1).any(is_404),
        _ => false,
    };
    body.iter().any(|stmt| match stmt {
        Stmt::Raise { exc: Some(e), .. }
        | Stmt::Return { value: Some(e), .. }
        | Stmt::Expr { value: e, .. } => not_found(e),
        _ => false,
    })
}

/// A callable named for limiting attempts: `auth_timelimit`, `check_rate_limit`,
/// `throttle_logins`, `login_lockout`.
fn names_limit(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["rate_limit", "ratelimit", "throttl", "timelimit", "lockout"]
        .iter()
        .any(|w| lower.contains(w))
}

/// A `url_value_preprocessor(endpoint, values)` that reads one of the route's path variables
/// (`values.pop("project_id")` for `/<project_id>/settle`): Flask hands it only the values of
/// the matched rule, so it guards nothing on routes without them.
fn reads_path_value(function: &Function, path: &str) -> bool {
    let Some(values) = function.params.get(1).map(|p| p.name.as_str()) else {
        return false;
    };
    let in_path = |key: &str| {
        path.split('<').skip(1).any(|part| {
            part.split('>')
                .next()
                .is_some_and(|var| var.rsplit(':').next() == Some(key))
        })
    };
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| {
            let key = match &x.kind {
                ExprKind::Call(c) => match &c.func.kind {
                    // `values.pop("project_id")`, `(values or {}).get("project_id")`.
                    ExprKind::Attribute { value, attr }
                        if matches!(attr.as_str(), "pop" | "get")
                            && value.any(&mut |v| v.as_name() == Some(values)) =>
                    {
                        c.args.first().and_then(Expr::as_str)
                    }
                    _ => None,
                },
                ExprKind::Subscript { value, slice } if value.as_name() == Some(values) => {
                    slice.as_str()
                }
                _ => None,
            };
            key.is_some_and(in_path)
        });
    });
    found
}

/// Whether a condition about the session's login holds for anonymous sessions (`Lacks`:
/// `current_user.is_anonymous`, `not current_user.is_authenticated`, either in an `or`) or only
/// for logged-in ones (`Has`: the opposites, either in an `and`).
fn session_login_test(test: &Expr) -> Option<Polarity> {
    match &test.kind {
        ExprKind::Attribute { attr, .. } => match attr.as_str() {
            "is_anonymous" => Some(Polarity::Lacks),
            "is_authenticated" => Some(Polarity::Has),
            _ => None,
        },
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } if matches!(operand.kind, ExprKind::Attribute { .. }) => {
            session_login_test(operand).map(Polarity::flip)
        }
        ExprKind::BoolOp { op, values } => {
            let wanted = match op {
                BoolOp::Or => Polarity::Lacks,
                BoolOp::And => Polarity::Has,
            };
            values
                .iter()
                .any(|v| session_login_test(v) == Some(wanted))
                .then_some(wanted)
        }
        _ => None,
    }
}

/// `"username" not in session`, `not session.get("user_id")`, `session.get("user") is None`
/// (Flask's session), or `not current_user.is_authenticated`: the caller has no signed-in
/// session.
fn lacks_session_user(imports: &routewarden_python::names::Imports, test: &Expr) -> bool {
    let is_session = |e: &Expr| matches!(imports.resolve(e).as_deref(), Some("flask.session"));
    let read = |e: &Expr| match &e.kind {
        ExprKind::Call(c) => {
            matches!(&c.func.kind, ExprKind::Attribute { value, attr } if attr == "get" && is_session(value))
        }
        ExprKind::Subscript { value, .. } => is_session(value),
        _ => false,
    };
    if session_login_test(test) == Some(Polarity::Lacks) {
        return true;
    }
    match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => read(operand),
        _ => match test.comparisons().as_slice() {
            [(left, CmpOp::NotIn, right)] => left.as_str().is_some() && is_session(right),
            [(left, CmpOp::Is, right)] => read(left) && matches!(right.kind, ExprKind::NoneLiteral),
            _ => false,
        },
    }
}

/// A template file name for a sign-in form: `login.html`, `auth/signin.html`.
fn names_login_template(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["login", "signin", "sign_in", "log_in"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Exception classes that the frameworks answer with their own status code.
const HTTP_EXCEPTIONS: &[&str] = &[
    "werkzeug.exceptions.HTTPException",
    "werkzeug.routing.RoutingException",
    "starlette.exceptions.HTTPException",
    "fastapi.HTTPException",
    "fastapi.exceptions.HTTPException",
];

/// A redirect target that is a login page: `"/login"`, `url_for("auth.signin")`,
/// `url_for(".authenticate")`.
fn names_login_page(target: &Expr) -> bool {
    let names_login = |s: &str| {
        let lower = s.to_ascii_lowercase();
        lower.contains("login") || lower.contains("signin") || lower.contains("authenticate")
    };
    target.any(&mut |x| match &x.kind {
        // `f"{url_for('.index')}?next={request.full_path}"`: sent somewhere to come back
        // after logging in.
        ExprKind::FString(parts) => parts.iter().any(|p| match p {
            FStringPart::Literal(s) => s.contains("?next=") || names_login(s),
            FStringPart::Value(_) => false,
        }),
        // `sm.get_url_login(next_url=request.url)`: a function named for building the login
        // page's URL (not `auth.login()`, which starts a login flow).
        ExprKind::Call(call) => call.func.last_name().is_some_and(|n| {
            let lower = n.to_ascii_lowercase();
            (lower.contains("login") || lower.contains("signin")) && lower.contains("url")
        }),
        _ => x.as_str().is_some_and(names_login),
    })
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

/// Starlette's request and connection classes, also as FastAPI exports them: `.session` of one
/// is the signed session Starlette's `SessionMiddleware` keeps.
const STARLETTE_CONNECTIONS: &[&str] = &[
    "fastapi.Request",
    "fastapi.requests.Request",
    "fastapi.WebSocket",
    "fastapi.websockets.WebSocket",
    "starlette.requests.Request",
    "starlette.requests.HTTPConnection",
    "starlette.websockets.WebSocket",
];

/// Modules whose `session`, `request`, `g` and `current_user` are the current request's.
const REQUEST_CONTEXT_MODULES: &[&str] = &["flask", "quart", "flask_login"];

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
    // `g.gss_creds`: the credentials a front server delegated for the caller.
    "creds",
    "jwt",
    "anonymous",
    "signature",
    "hmac",
    "bearer",
];

/// Why a handler receives credentials (a login, a password reset, a one-time code check), or
/// `None`: it takes an `OAuth2PasswordRequestForm`, a password-like parameter or a body model
/// with a password-like field, reads a password-like key from the request's data (`request.form
/// ["password"]`, `get_param(data, "password")` where `data = request.get_json()`, `form.password`
/// of a parameter; not a setting, `config.get("require_password")`, nor rows the handler parsed
/// itself), or calls a credential check (`verify_password`, `authenticate`,
/// `check_password_hash`).
pub fn credential_evidence(
    model: &ProjectModel,
    file: usize,
    handler: &Function,
) -> Option<String> {
    if let Some(why) = credential_parameter(model, file, handler) {
        return Some(why);
    }
    let params: Vec<&str> = handler.params.iter().map(|p| p.name.as_str()).collect();
    let sockets: Vec<&str> = handler
        .params
        .iter()
        .filter(|p| {
            p.annotation
                .as_deref()
                .and_then(Expr::last_name)
                .is_some_and(|n| n == "WebSocket")
        })
        .map(|p| p.name.as_str())
        .collect();
    let mut found: Option<String> = None;
    walk_exprs(&handler.body, &mut |e| {
        if found.is_some() {
            return;
        }
        e.any(&mut |x| {
            found = match &x.kind {
                ExprKind::Call(c) => {
                    // `app.auth.authenticate()` without arguments answers 401 (Eve's auth
                    // object); a login's `authenticate(username, password)` checks what the
                    // caller submitted.
                    let challenge = c.args.is_empty()
                        && c.keywords.is_empty()
                        && matches!(&c.func.kind, ExprKind::Attribute { value, .. }
                            if value.last_name().is_some_and(|n| n == "auth" || n.ends_with("_auth")));
                    // `authenticator.authenticate(websocket)`: handed the connection itself
                    // before any message, it checks what the handshake carries (a header, a
                    // cookie), as a guard does. (A request handed over may carry a login form.)
                    let whole_request = !c.args.is_empty()
                        && c.args.iter().all(|a| a.as_name().is_some_and(|n| sockets.contains(&n)))
                        && c.keywords.is_empty();
                    if let Some(n) = c
                        .func
                        .last_name()
                        .filter(|n| CREDENTIAL_CALL_NAMES.contains(n))
                        .filter(|_| !challenge && !whole_request)
                    {
                        Some(format!("the handler calls {n}()"))
                    } else {
                        submitted_password_read(model, file, handler, x)
                            .map(|k| format!("it reads `{k}` from the request"))
                    }
                }
                ExprKind::Subscript { .. } => submitted_password_read(model, file, handler, x)
                    .map(|k| format!("it reads `{k}` from the request")),
                ExprKind::Attribute { value, attr } => value
                    .as_name()
                    .filter(|n| params.contains(n) && *n != "self")
                    .filter(|_| is_password_word(attr))
                    .map(|n| format!("it reads `{n}.{attr}`")),
                _ => None,
            };
            found.is_some()
        });
    });
    found
}

/// A function named as a login that signs the caller in (`login`, `cas_login`,
/// `ldap_signin`), not one that checks a login already made (`check_login`, `is_logged_in`).
fn is_login_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split('_').filter(|w| !w.is_empty()).collect();
    words
        .last()
        .is_some_and(|w| matches!(*w, "login" | "signin"))
        && !words.first().is_some_and(|w| {
            matches!(
                *w,
                "check" | "require" | "requires" | "ensure" | "verify" | "is" | "has" | "needs"
            )
        })
}

/// A password-like key read from a mapping: `data["password"]`, `form.get("password")`,
/// `get_param(body, "otp")`.
fn password_key_read(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Call(c) => c
            .args
            .iter()
            .filter_map(Expr::as_str)
            .find(|k| is_password_key(k)),
        ExprKind::Subscript { slice, .. } => slice.as_str().filter(|k| is_password_key(k)),
        _ => None,
    }
}

/// A password-like key read (see [`password_key_read`]) from the request's data, not from a
/// setting (`config.get("require_password", True)`) or rows the handler parsed itself
/// (`dict(zip(headers, values))["password"]`, a password to set): the mapping read, or an
/// argument handed with the key (`get_param(data, "pass")`), is request data (see
/// [`is_request_data`]). A helper handed the key alone (`get_arg("password")`) reads
/// whatever it reads, the request as likely as anything.
fn submitted_password_read<'e>(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    e: &'e Expr,
) -> Option<&'e str> {
    let from_request = |x: &Expr| is_request_data(model, file, function, function, x, 0);
    let key = password_key_read(e)?;
    let read = match &e.kind {
        ExprKind::Call(c) => {
            let mut mappings = c
                .args
                .iter()
                .filter(|a| {
                    matches!(
                        a.kind,
                        ExprKind::Name(_)
                            | ExprKind::Attribute { .. }
                            | ExprKind::Call(_)
                            | ExprKind::Subscript { .. }
                            | ExprKind::Await(_)
                    )
                })
                .peekable();
            match &c.func.kind {
                // `form.get("password")`, `utils.get_param(data, "pass")`.
                ExprKind::Attribute { value, .. } => {
                    from_request(value) || mappings.any(&from_request)
                }
                _ => mappings.peek().is_none() || mappings.any(&from_request),
            }
        }
        ExprKind::Subscript { value, .. } => from_request(value),
        _ => false,
    };
    read.then_some(key)
}

/// Whether `e` is the request or data read from it within `function` (of `file`): `request`
/// (also `self.request`), a parameter of `top`, the function judged (a body model, a
/// submitted form, a request object), a part of one (`request.form`, `await request.json()`,
/// `request.get_json() or request.form`), what a call makes of one (`json.loads(body)`,
/// `schema.load(request.json)`), what a project function returns that reads it
/// (`parameters = json_parameters()` returning `json.loads(flask.request.get_data())`), or a
/// local bound to such; not a module's setting nor a value the function built otherwise.
fn is_request_data(
    model: &ProjectModel,
    file: usize,
    top: &Function,
    function: &Function,
    e: &Expr,
    depth: u32,
) -> bool {
    if depth > 12 {
        return false;
    }
    let next = depth.saturating_add(1);
    let within = |x: &Expr| is_request_data(model, file, top, function, x, next);
    match &e.kind {
        ExprKind::Name(n) => {
            if matches!(n.as_str(), "request" | "req") {
                return true;
            }
            // A helper's parameter is whatever its caller passes.
            if function.params.iter().any(|p| p.name == *n) {
                return std::ptr::eq(function, top) && !matches!(n.as_str(), "self" | "cls");
            }
            crate::values::local_assignment(function, n).is_some_and(&within)
        }
        ExprKind::Attribute { value, attr } => attr == "request" || within(value),
        ExprKind::Subscript { value, .. } | ExprKind::Await(value) => within(value),
        ExprKind::BoolOp { values, .. } => values.iter().any(&within),
        ExprKind::Call(c) => {
            let receiver = match &c.func.kind {
                ExprKind::Attribute { value, .. } => Some(value.as_ref()),
                _ => None,
            };
            receiver.is_some_and(&within)
                || c.args.iter().any(&within)
                || matches!(
                    model.project_definition(file, &c.func),
                    Some((f, Stmt::FunctionDef(callee)))
                        if !std::ptr::eq(callee.as_ref(), function) && {
                            let mut found = false;
                            crate::values::for_each_return(&callee.body, &mut |r| {
                                found = found
                                    || is_request_data(model, f, top, callee, r, next.saturating_add(2));
                            });
                            found
                        }
                )
        }
        _ => false,
    }
}

/// A function that reads a submitted password from the request itself
/// (`request.json["password"]`): a login helper (`return basic.login()`), whose refusals
/// answer a bad password.
fn reads_submitted_password(function: &Function) -> bool {
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| password_key_read(x).is_some() && mentions_any(x, &["request"]));
    });
    found
}

/// A function whose parameters carry credentials: an `OAuth2PasswordRequestForm`, a
/// password-like name, or a project model with a password-like field.
fn credential_parameter(model: &ProjectModel, file: usize, function: &Function) -> Option<String> {
    let imports = &model.files[file].imports;
    for p in &function.params {
        if is_password_word(&p.name) {
            return Some(format!("it takes a `{}` parameter", p.name));
        }
        let Some(annotation) = &p.annotation else {
            continue;
        };
        let form = annotation.any(&mut |x| {
            matches!(x.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                && imports
                    .resolve(x)
                    .is_some_and(|q| q.contains("OAuth2PasswordRequestForm"))
        });
        if form {
            return Some("it takes an OAuth2PasswordRequestForm".to_string());
        }
        // A request body is a parameter without a dependency default; `user: User =
        // Depends(...)` is the logged-in user, whose model may well have a password field.
        let dependency = p.default.as_deref().is_some_and(|d| {
            d.as_call()
                .and_then(|c| c.func.last_name())
                .is_some_and(|n| matches!(n, "Depends" | "Security"))
        });
        if dependency {
            continue;
        }
        let mut why = None;
        annotation.any(&mut |x| {
            if !matches!(x.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
                return false;
            }
            if let Some((cf, Some(Stmt::ClassDef(class)), _)) = model.resolve_definition(file, x) {
                let field = class_hierarchy(model, cf, class).iter().find_map(|(_, c)| {
                    c.body.iter().find_map(|s| match s {
                        Stmt::Assign { targets, .. } => targets
                            .iter()
                            .filter_map(Expr::as_name)
                            .find(|n| is_password_word(n)),
                        _ => None,
                    })
                });
                if let Some(field) = field {
                    why = Some(format!("its `{}` body has a `{field}` field", class.name));
                    return true;
                }
            }
            false
        });
        if why.is_some() {
            return why;
        }
    }
    None
}

/// A name for a submitted password, passphrase or one-time code: `password`, `new_password`,
/// `otp`; not a stored hash (`hashed_password`) nor a setting (`enable_password_change`).
fn is_password_word(name: &str) -> bool {
    // Asked of most names of judged bodies: words compared in place, not lowered into copies.
    const PASSWORD: &[&str] = &[
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "passcode",
        "otp",
        "totp",
        "hotp",
    ];
    const STORED: &[&str] = &["hash", "hashed", "salt", "encrypted"];
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return false;
    }
    let among = |word: &str, list: &[&str]| list.iter().any(|w| word.eq_ignore_ascii_case(w));
    let mut last = None;
    for word in name.split(['_', '-']).filter(|w| !w.is_empty()) {
        if among(word, STORED) {
            return false;
        }
        last = Some(word);
    }
    last.is_some_and(|word| among(word, PASSWORD))
}

/// A request key holding a password or a one-time code (`"password"`, `"pass"`, `"otp"`).
fn is_password_key(key: &str) -> bool {
    key == "pass" || is_password_word(key)
}

/// A dependency named for optional authentication: `get_optional_user`, `maybe_current_user`.
fn is_optional_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("optional") || lower.starts_with("maybe_") || lower.starts_with("try_")
}

/// Words in a condition that show it checks a role or permission.
const ROLE_WORDS: &[&str] = &[
    "has_access",
    "can_access",
    "check_access",
    "is_authorized",
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
    "flask_jwt_extended.verify_fresh_jwt_in_request",
    "flask_jwt_extended.view_decorators.verify_fresh_jwt_in_request",
    // Flask-JWT's check behind `@jwt_required()`, raising `JWTError` without a valid token.
    "flask_jwt._jwt_required",
    "flask_praetorian.current_user",
    // A webhook whose payload signature is checked against the shared secret: the call raises
    // for any other caller.
    "stripe.Webhook.construct_event",
    "stripe.WebhookSignature.verify_header",
];

/// Unresolved calls whose names say they refuse a caller without a role: `require_role("x")`.
/// `x is None` or `not x` on a variable or attribute: a value that is absent.
fn tests_absent_value(test: &Expr) -> bool {
    let variable = |e: &Expr| matches!(e.kind, ExprKind::Name(_) | ExprKind::Attribute { .. });
    match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => variable(operand),
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => {
            variable(left)
                && matches!(ops.as_slice(), [CmpOp::Is])
                && matches!(
                    comparators.as_slice(),
                    [Expr {
                        kind: ExprKind::NoneLiteral,
                        ..
                    }]
                )
        }
        _ => false,
    }
}

fn is_role_guard_name(name: &str) -> bool {
    // Asked of every call of every judged body: compared in place, not lowered into a copy.
    [
        "require_role",
        "require_permission",
        "check_permission",
        "check_role",
        "ensure_admin",
    ]
    .iter()
    .any(|w| starts_with_ignoring_case(name, w))
}

/// Whether `name` starts with `prefix` (lower-case ASCII) in any case.
fn starts_with_ignoring_case(name: &str, prefix: &str) -> bool {
    name.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// A method named for deciding whether the caller may do something: `authorize_request`,
/// `authorize(request, action)`.
fn is_authorization_call_name(name: &str) -> bool {
    name.get(..9).is_some_and(|head| {
        head.eq_ignore_ascii_case("authorize") || head.eq_ignore_ascii_case("authorise")
    })
}

/// Methods named for verifying what the caller sent (`verify`, `verify_signature`): on an
/// object of unknown class, worth judging by the project's methods of that name, never
/// trusted for the name. Not `authenticate_or_raise` of a pluggable provider, which a
/// handler may call only when one is configured.
fn is_verification_method_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "verify" || lower.starts_with("verify_")
}

/// Methods a pluggable authentication provider is called by (`authenticate`,
/// `authenticate_or_raise`): on an object of unknown class, judged by the project's methods of
/// that name only after a switch that lets everyone through while no provider is configured.
fn is_provider_authentication_name(name: &str) -> bool {
    name.strip_prefix("authenticate")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
}

/// Unresolved calls whose names say they authenticate: `require_login()`, `verify_token(t)`.
fn is_guard_call_name(name: &str) -> bool {
    // Asked of every call of every judged body: compared in place, not lowered into a copy.
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
    .any(|w| starts_with_ignoring_case(name, w))
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
            // `limiter.limiter.clear(...)`, `limiter.reset()`: undoing a limit is none.
            let undoes = matches!(
                name.as_str(),
                "clear" | "clear_all" | "reset" | "reset_all" | "exempt" | "remove" | "delete"
            );
            let limits = ["rate_limit", "ratelimit", "throttle", "is_limited"]
                .iter()
                .any(|w| name.contains(w))
                || !undoes
                    && ["limiter", "ratelimit", "rate_limit", "throttl"]
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

/// A limiter enforced in a helper's body: a check on a limiter (`login_rate_limiter.check(name)`,
/// `limiter.hit(item, key)`, `throttle.consume(key)`), not the bookkeeping around it
/// (`record_failure`, `reset`). Its span.
fn helper_rate_limit(body: &[Stmt]) -> Option<Span> {
    let mut found = None;
    walk_exprs(body, &mut |e| {
        if found.is_some() {
            return;
        }
        e.any(&mut |x| {
            let Some(call) = x.as_call() else {
                return false;
            };
            let ExprKind::Attribute { value, attr } = &call.func.kind else {
                return false;
            };
            let receiver = value.last_name().unwrap_or("").to_ascii_lowercase();
            let method = attr.to_ascii_lowercase();
            let limits = ["limiter", "ratelimit", "rate_limit", "throttl"]
                .iter()
                .any(|w| receiver.contains(w))
                && (matches!(
                    method.as_str(),
                    "check" | "hit" | "test" | "consume" | "acquire" | "limit" | "enforce"
                ) || ["is_limited", "check_", "raise_if", "enforce_"]
                    .iter()
                    .any(|w| method.starts_with(w)));
            if limits {
                found = Some(x.span);
            }
            limits
        });
    });
    found
}

/// A refusal with 429 Too Many Requests in a body: `raise TooManyRequests(...)` (Werkzeug),
/// `abort(429)`, `raise HTTPException(status_code=429)`. Its span.
fn refuses_too_many(imports: &routewarden_python::names::Imports, body: &[Stmt]) -> Option<Span> {
    let mut found = None;
    walk_exprs(body, &mut |e| {
        if found.is_some() {
            return;
        }
        e.any(&mut |x| {
            let Some(call) = x.as_call() else {
                return false;
            };
            let q = imports.resolve(&call.func).unwrap_or_default();
            let status = || {
                call.args
                    .first()
                    .or_else(|| call.keyword("status_code").or_else(|| call.keyword("code")))
                    .is_some_and(|a| matches!(a.kind, ExprKind::Int(Some(429))))
            };
            let refuses = q.ends_with("exceptions.TooManyRequests")
                || matches!(q.as_str(), "flask.abort" | "werkzeug.exceptions.abort") && status()
                || q.ends_with("HTTPException") && status();
            if refuses {
                found = Some(x.span);
            }
            refuses
        });
    });
    found
}

/// A call named as a verification or decoding of a token (`decode_token`, `verify_reset_token`,
/// `authenticate_credentials`, `loads`), not one that skips the check (`get_unverified_claims`,
/// `jwt.decode(..., options={"verify_signature": False})`).
/// A method that checks the signature of a value it is given: a known library's verification
/// (`jwt.decode`, itsdangerous' `loads(token, max_age=60)`) of one of its parameters.
fn verifies_its_parameter(imports: &routewarden_python::names::Imports, method: &Function) -> bool {
    let params: Vec<&str> = method
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| *n != "self" && *n != "cls")
        .collect();
    let mut found = false;
    walk_exprs(&method.body, &mut |e| {
        found = found
            || e.any(&mut |x| {
                x.as_call().is_some_and(|call| {
                    let q = imports.resolve(&call.func).unwrap_or_default();
                    let trusted = ["jwt.", "jose.", "itsdangerous.", "authlib."]
                        .iter()
                        .any(|p| q.starts_with(p))
                        || matches!(call.func.last_name(), Some("loads" | "unsign"))
                            && call.keyword("max_age").is_some();
                    trusted
                        && is_token_verification(call)
                        && call.args.iter().any(|a| mentions_any(a, &params))
                })
            });
    });
    found
}

fn is_token_verification(call: &Call) -> bool {
    let Some(name) = call.func.last_name() else {
        return false;
    };
    if any_identifier_word(name, |w| matches!(w, "unverified" | "unsafe" | "insecure")) {
        return false;
    }
    let skips_signature = call
        .keyword("options")
        .and_then(|o| o.dict_value("verify_signature"))
        .and_then(Expr::as_bool)
        == Some(false);
    !skips_signature
        && any_identifier_word(name, |w| {
            matches!(
                w,
                "decode"
                    | "verify"
                    | "validate"
                    | "check"
                    | "authenticate"
                    | "confirm"
                    | "loads"
                    | "unsign"
            )
        })
}

/// A token from the request (`token`, `body.activation_token`, `data.get("token")`, or a
/// keyword argument `activation_token=...` fed from the request), not a page cursor, a CSRF
/// token or a CAPTCHA answer, which prove nothing about who is calling, nor a one-time code
/// typed from an authenticator or a text message.
fn is_presented_token(e: &Expr, keyword: Option<&str>, from_request: &[&str]) -> bool {
    if !mentions_any(e, from_request) {
        return false;
    }
    let named = match &e.kind {
        ExprKind::Name(n) => Some(n.as_str()),
        ExprKind::Attribute { attr, .. } => Some(attr.as_str()),
        ExprKind::Subscript { slice, .. } => slice.as_str(),
        ExprKind::Call(c) if c.func.last_name() == Some("get") => {
            c.args.first().and_then(Expr::as_str)
        }
        _ => None,
    };
    named.is_some_and(is_token_name) || keyword.is_some_and(is_token_name)
}

fn is_token_name(name: &str) -> bool {
    any_identifier_word(name, |w| matches!(w, "token" | "jwt"))
        && !any_identifier_word(name, |w| {
            matches!(
                w,
                "csrf"
                    | "xsrf"
                    | "page"
                    | "next"
                    | "continuation"
                    | "cursor"
                    | "captcha"
                    | "recaptcha"
                    | "hcaptcha"
                    | "turnstile"
                    | "push"
                    | "device"
                    | "fcm"
                    | "apns"
                    // A one-time code the user types is short enough to guess: it is a
                    // credential to rate-limit, not a link only its holder can follow.
                    | "otp"
                    | "totp"
                    | "hotp"
                    | "mfa"
                    | "2fa"
                    | "sms"
                    | "pin"
                    | "code"
            )
        })
}

/// The handler's parameters and the request, with the locals assigned from them a few
/// assignments deep (`data = request.get_json()`, `token = data.get("token")`): the values
/// the caller chooses.
fn request_values(handler: &Function) -> Vec<&str> {
    let mut from_request: Vec<&str> = handler
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| *n != "self" && *n != "cls")
        .collect();
    from_request.push("request");
    // Locals assigned from the request, a few assignments deep (`data =
    // request.get_json()`, `token = data.get("token")`).
    for _ in 0..3 {
        walk_stmts(&handler.body, &mut |stmt| {
            if let Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } = stmt
                && mentions_any(value, &from_request)
            {
                for t in targets {
                    if let Some(n) = t.as_name()
                        && !from_request.contains(&n)
                    {
                        from_request.push(n);
                    }
                }
            }
        });
    }
    from_request
}

/// A branch that ends the request with a client error, whatever its status: `raise
/// HTTPException(status_code=400)`, `return JSONResponse(..., status_code=404)`, `abort(404)`,
/// `return "...", 404`.
fn ends_with_client_error(body: &[Stmt]) -> bool {
    let client_error = |e: &Expr| match &e.kind {
        ExprKind::Int(Some(n)) => (400..500).contains(n),
        ExprKind::Name(name) | ExprKind::Attribute { attr: name, .. } => name.starts_with("HTTP_4"),
        _ => false,
    };
    let answer = match code_statements(body).last() {
        Some(Stmt::Return { value: Some(e), .. } | Stmt::Raise { exc: Some(e), .. }) => e,
        Some(Stmt::Expr { value, .. })
            if value
                .as_call()
                .is_some_and(|c| c.func.last_name() == Some("abort")) =>
        {
            value
        }
        _ => return false,
    };
    match &answer.kind {
        ExprKind::Tuple(items) => items.iter().skip(1).any(client_error),
        ExprKind::Call(call) => call
            .args
            .iter()
            .chain(call.keywords.iter().filter_map(|k| {
                k.arg
                    .as_deref()
                    .is_some_and(names_status)
                    .then_some(&k.value)
            }))
            .any(client_error),
        _ => false,
    }
}

/// The store a read keyed on a value the caller chooses reads: `self._pending.pop(token)`
/// (without a default, so an unknown key raises), `SESSIONS[session_id]`.
fn keyed_read<'e>(e: &'e Expr, from_request: &[&str]) -> Option<&'e Expr> {
    let e = match &e.kind {
        ExprKind::Await(inner) => inner,
        _ => e,
    };
    match &e.kind {
        ExprKind::Subscript { value, slice } if mentions_any(slice, from_request) => Some(value),
        ExprKind::Call(call)
            if call.keywords.is_empty()
                && matches!(call.args.as_slice(), [key] if mentions_any(key, from_request)) =>
        {
            match &call.func.kind {
                ExprKind::Attribute { value, attr } if attr == "pop" => Some(value),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A call that makes an unguessable key: `secrets.token_urlsafe()`, `secrets.token_hex(32)`,
/// `uuid.uuid4().hex`, `str(uuid4())`. The call.
fn secret_key_call<'e>(
    imports: &routewarden_python::names::Imports,
    e: &'e Expr,
) -> Option<&'e Call> {
    let is_uuid4 = |c: &Call| imports.resolve(&c.func).as_deref() == Some("uuid.uuid4");
    match &e.kind {
        ExprKind::Call(call) => {
            let q = imports.resolve(&call.func).unwrap_or_default();
            if matches!(
                q.as_str(),
                "secrets.token_hex" | "secrets.token_urlsafe" | "secrets.token_bytes"
            ) {
                return Some(call);
            }
            // `str(uuid4())`
            match (call.func.as_name(), call.args.as_slice()) {
                (Some("str"), [inner]) => inner.as_call().filter(|c| is_uuid4(c)),
                _ => None,
            }
        }
        // `uuid4().hex`
        ExprKind::Attribute { value, attr } if attr == "hex" => {
            value.as_call().filter(|c| is_uuid4(c))
        }
        _ => None,
    }
}

/// A lookup of the record that holds a presented token, refused when there is none:
/// `user = User.query.filter_by(confirmation_token=token).first()` (or `filter(User.token ==
/// token)`, or a project function or class method handed the token, `File.by_download_token(
/// access_token)`, as `project` says), then `if not user: return error` in the same block. The
/// token opens only what it was issued for: the lookup's call.
fn token_lookup<'e>(
    body: &'e [Stmt],
    from_request: &[&str],
    project: &dyn Fn(&Call) -> bool,
) -> Option<&'e Call> {
    let mut blocks = Vec::new();
    unconditional_blocks(body, &mut |block| blocks.push(block));
    for body in blocks {
        for (i, stmt) in body.iter().enumerate() {
            let Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } = stmt
            else {
                continue;
            };
            let [target] = targets.as_slice() else {
                continue;
            };
            let Some(name) = target.as_name() else {
                continue;
            };
            let mut lookup = None;
            value.any(&mut |x| {
                let by_keyword = x.as_call().is_some_and(|c| {
                    c.keywords
                        .iter()
                        .any(|k| is_presented_token(&k.value, k.arg.as_deref(), from_request))
                });
                let by_position = || {
                    x.as_call().is_some_and(|c| {
                        c.args
                            .iter()
                            .any(|a| is_presented_token(a, None, from_request))
                            && project(c)
                    })
                };
                if by_keyword || compares_token(x, from_request) || by_position() {
                    lookup = x.as_call().or(lookup);
                }
                false
            });
            let Some(call) = lookup else { continue };
            let refused = body[i + 1..].iter().any(|later| match later {
                Stmt::If { test, body, .. } => {
                    refuses_absence(test, name)
                        && body
                            .iter()
                            .any(|s| matches!(s, Stmt::Return { .. } | Stmt::Raise { .. }))
                }
                _ => false,
            });
            if refused {
                return Some(call);
            }
        }
    }
    None
}

/// A call whose argument compares a column with a presented token: `filter(User.token ==
/// token)`.
fn compares_token(e: &Expr, from_request: &[&str]) -> bool {
    let ExprKind::Call(c) = &e.kind else {
        return false;
    };
    c.args.iter().any(|a| {
        a.comparisons().iter().any(|(l, op, r)| {
            matches!(op, CmpOp::Eq)
                && [(l, r), (r, l)].iter().any(|(column, value)| {
                    column.last_name().is_some_and(is_token_name)
                        && value.as_name().is_some_and(|n| from_request.contains(&n))
                })
        })
    })
}

/// `not name` or `name is None`.
fn refuses_absence(test: &Expr, name: &str) -> bool {
    match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => operand.as_name() == Some(name),
        _ => test.comparisons().first().is_some_and(|(l, op, r)| {
            matches!(op, CmpOp::Is)
                && l.as_name() == Some(name)
                && matches!(r.kind, ExprKind::NoneLiteral)
        }),
    }
}

fn mentions_any(e: &Expr, names: &[&str]) -> bool {
    e.any(&mut |x| x.as_name().is_some_and(|n| names.contains(&n)))
}

/// Calls `f` with the calls of `body` that always run: in its top-level statements, and in
/// `with` blocks and `try` blocks whose handlers do not swallow the error; not under `if`,
/// loops or nested functions.
fn unconditional_calls<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Call)) {
    unconditional_blocks(body, &mut |block| {
        for stmt in block {
            let mut visit = |e: &'e Expr| {
                e.any(&mut |x| {
                    if let ExprKind::Call(c) = &x.kind {
                        f(c);
                    }
                    false
                });
            };
            match stmt {
                Stmt::Expr { value, .. }
                | Stmt::Return {
                    value: Some(value), ..
                }
                | Stmt::Assign {
                    value: Some(value), ..
                } => visit(value),
                Stmt::With { items, .. } => items.iter().for_each(|i| visit(&i.context)),
                _ => {}
            }
        }
    });
}

/// Calls `f` with `body` and the blocks inside it that run whenever it does: `with` bodies,
/// and `try` bodies whose handlers do not swallow the error.
fn unconditional_blocks<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e [Stmt])) {
    f(body);
    for stmt in body {
        match stmt {
            Stmt::With { body, .. } => unconditional_blocks(body, f),
            Stmt::Try { body, handlers, .. } if !swallows(handlers) => {
                unconditional_blocks(body, f)
            }
            _ => {}
        }
    }
}

/// Calls `f` with every function defined in `body`: at module level, in classes, and nested
/// in other functions.
pub fn walk_functions<'s>(body: &'s [Stmt], f: &mut impl FnMut(&'s Function)) {
    for stmt in body {
        if let Stmt::FunctionDef(function) = stmt {
            f(function);
        }
        if stmt.has_child_bodies() {
            for child in stmt.child_bodies() {
                walk_functions(child, f);
            }
        }
    }
}

/// Whether the function that wraps an application in keystonemiddleware's `auth_token` at
/// `at` turns on `delay_auth_decision` (`conf["delay_auth_decision"] = True`, a dict entry or
/// keyword of that name not literally false): the middleware then lets anonymous requests
/// through and leaves the decision to the application.
fn delays_auth_decision(body: &[Stmt], at: Span) -> bool {
    const KEY: &str = "delay_auth_decision";
    fn innermost(body: &[Stmt], at: Span) -> Option<&Function> {
        body.iter().find_map(|s| match s {
            Stmt::FunctionDef(f) if f.span.start <= at.start && at.end <= f.span.end => {
                Some(f.as_ref())
            }
            _ => None,
        })
    }
    let mut scope = body;
    while let Some(f) = innermost(scope, at) {
        scope = &f.body;
    }
    let truthy = |v: &Expr| !matches!(v.kind, ExprKind::Bool(false) | ExprKind::NoneLiteral);
    let mut found = false;
    walk_stmts(scope, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && truthy(value)
            && targets.iter().any(|t| {
                matches!(&t.kind, ExprKind::Subscript { slice, .. } if slice.as_str() == Some(KEY))
            })
        {
            found = true;
        }
    });
    walk_exprs(scope, &mut |top| {
        found |= top.any(&mut |e| match &e.kind {
            ExprKind::Dict(entries) => entries
                .iter()
                .any(|d| d.key.as_ref().and_then(Expr::as_str) == Some(KEY) && truthy(&d.value)),
            ExprKind::Call(call) => call.keyword(KEY).is_some_and(truthy),
            _ => false,
        });
    });
    found
}

/// Calls `f` with every statement in `body` and in the statements nested in it, not in nested
/// functions or classes.
pub fn walk_stmts<'s>(body: &'s [Stmt], f: &mut impl FnMut(&'s Stmt)) {
    for stmt in body {
        f(stmt);
        if stmt.has_child_bodies() && !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            for child in stmt.child_bodies() {
                walk_stmts(child, f);
            }
        }
    }
}

/// Like [`walk_exprs`], but skips the body of a `try` whose handlers all swallow the error
/// (none raises or returns): a guard called there only identifies the caller when it can.
/// `token`, `request.user`, `api_key is not None`: a test that a credential was presented.
fn is_presence_test(test: &Expr) -> bool {
    let subject = match &test.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } => test,
        ExprKind::Compare { .. } => match test.comparisons().as_slice() {
            [(left, CmpOp::IsNot, right)] if matches!(right.kind, ExprKind::NoneLiteral) => left,
            _ => return false,
        },
        _ => return false,
    };
    matches!(subject.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
        && mentions_identity(subject)
}

fn walk_unswallowed_exprs<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr)) {
    walk_exprs_in(body, f, true);
}

fn swallows(handlers: &[routewarden_python::ast::ExceptHandler]) -> bool {
    !handlers.is_empty()
        && handlers.iter().all(|h| {
            let mut exits = false;
            walk_stmts(&h.body, &mut |s| {
                exits |= match s {
                    // `except HTTPException: return await call_next(request)`: the request
                    // goes on as if nothing had been raised (the guard fails open).
                    Stmt::Return { value: Some(v), .. } => !hands_request_on(&h.body, v),
                    Stmt::Raise { .. } | Stmt::Return { .. } => true,
                    // `abort(404)`: Flask's, Flask-RESTful's and Flask-Smorest's all raise.
                    Stmt::Expr { value, .. } => value
                        .as_call()
                        .is_some_and(|c| c.func.last_name() == Some("abort")),
                    _ => false,
                };
            });
            !exits
        })
}

/// A returned value that hands the request on: `await call_next(request)`, or a local of
/// `body` bound to it (`response = await call_next(request)`).
fn hands_request_on(body: &[Stmt], value: &Expr) -> bool {
    is_call_next(value)
        || value
            .as_name()
            .and_then(|n| crate::values::last_assignment(body, n))
            .is_some_and(is_call_next)
}

/// Every statement of a body, in functions and in class bodies, methods included.
pub fn walk_all_stmts<'s>(body: &'s [Stmt], f: &mut impl FnMut(&'s Stmt)) {
    for stmt in body {
        f(stmt);
        if stmt.has_child_bodies() {
            for child in stmt.child_bodies() {
                walk_all_stmts(child, f);
            }
        }
    }
}

/// Every expression of a body, in functions and in class bodies, methods included.
pub fn walk_all_exprs<'e>(body: &'e [Stmt], f: &mut impl FnMut(&'e Expr)) {
    for stmt in body {
        stmt.for_each_own_expr(f);
        if stmt.has_child_bodies() {
            for child in stmt.child_bodies() {
                walk_all_exprs(child, f);
            }
        }
    }
}

/// Calls `f` with every top-level expression in `body`, including nested functions' bodies.
/// The function named `name` defined last inside a module-level block (`if`, `try`, `with`)
/// of `module`, not at its top level.
fn block_function<'s>(module: &'s [Stmt], name: &str) -> Option<&'s Function> {
    let mut found = None;
    for stmt in module {
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        for child in stmt.child_bodies() {
            walk_stmts(child, &mut |s| {
                if let Stmt::FunctionDef(f) = s
                    && f.name == name
                {
                    found = Some(&**f);
                }
            });
        }
    }
    found
}

/// Whether `body` returns one of `names` as it is: `return key`, also through a loop over
/// them (`for key in (query_key, cookie_key): if key is not None: return key`) or `return a or
/// b`.
fn returns_any_of(body: &[Stmt], names: &[&str]) -> bool {
    let mut held: Vec<&str> = names.to_vec();
    walk_stmts(body, &mut |stmt| {
        if let Stmt::For { target, iter, .. } = stmt
            && let Some(var) = target.as_name()
            && iter.elements().is_some_and(|items| {
                items
                    .iter()
                    .any(|i| i.as_name().is_some_and(|n| names.contains(&n)))
            })
        {
            held.push(var);
        }
    });
    let forwarded = |e: &Expr| match &e.kind {
        ExprKind::BoolOp {
            op: BoolOp::Or,
            values,
        } => values
            .iter()
            .any(|v| v.as_name().is_some_and(|n| held.contains(&n))),
        _ => e.as_name().is_some_and(|n| held.contains(&n)),
    };
    let mut found = false;
    walk_stmts(body, &mut |stmt| {
        if let Stmt::Return {
            value: Some(value), ..
        } = stmt
        {
            found |= forwarded(value);
        }
    });
    found
}

/// Whether the expression at `span` in `body` is `self.auto_error`.
fn tests_auto_error(body: &[Stmt], span: Span) -> bool {
    let mut found = false;
    walk_exprs(body, &mut |e| {
        found |= e.any(&mut |x| {
            x.span == span
                && matches!(&x.kind, ExprKind::Attribute { value, attr }
                    if attr == "auto_error" && value.as_name() == Some("self"))
        });
    });
    found
}

/// Whether a function enclosing `at` binds `name` or receives it as a parameter.
fn shadowed_at(source: &crate::project::SourceModule, at: Span, name: &str) -> bool {
    let mut scope = Vec::new();
    functions_enclosing(source.body(), at, &mut scope);
    scope
        .iter()
        .any(|f| f.assigned.may_contain(name) || f.params.iter().any(|p| p.name.as_str() == name))
}

/// Whether some module assigns `name` as an attribute of module `file` (`settings.has_login =
/// True`, anywhere, in functions too): a value set at run time. Only the modules that can name
/// it are read.
fn assigned_as_attribute(model: &ProjectModel, file: usize, name: &str) -> bool {
    fn visit(body: &[Stmt], f: &mut impl FnMut(&Expr) -> bool) -> bool {
        body.iter().any(|stmt| {
            let own = match stmt {
                Stmt::Assign { targets, .. } => targets.iter().any(&mut *f),
                Stmt::AugAssign { target, .. } => f(target),
                _ => false,
            };
            own || stmt.child_bodies().any(|child| visit(child, f))
        })
    }
    let module = model.files[file].module_name.as_str();
    model
        .files_naming(file, name)
        .filter(|&(i, _)| i != file)
        .any(|(_, other)| {
            visit(other.body(), &mut |target| {
                target.any(&mut |x| {
                    matches!(&x.kind, ExprKind::Attribute { value, attr }
                        if attr == name
                            && value
                                .as_name()
                                .and_then(|m| other.imports.get(m))
                                .is_some_and(|q| q == module))
                })
            })
        })
}

/// Calls `f` with the value of each assignment of `name` in `body` (`None` when it is not a
/// plain `name = value`: a tuple target, `+=`), and whether it is inside a function or class.
fn module_bindings<'s>(
    body: &'s [Stmt],
    name: &str,
    nested: bool,
    f: &mut impl FnMut(Option<&'s Expr>, bool),
) {
    for stmt in body {
        match stmt {
            Stmt::Assign { targets, value, .. } => {
                for t in targets {
                    if t.as_name() == Some(name) {
                        f(value.as_ref(), nested);
                    } else if t.any(&mut |x| x.as_name() == Some(name)) {
                        f(None, nested);
                    }
                }
            }
            Stmt::AugAssign { target, .. } if target.as_name() == Some(name) => f(None, nested),
            _ => {}
        }
        let inner = nested || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_));
        for child in stmt.child_bodies() {
            module_bindings(child, name, inner, f);
        }
    }
}

/// `test` without the `not`s around it: `not not x` and `not x` are both about `x`.
fn without_not(mut test: &Expr) -> &Expr {
    while let ExprKind::UnaryOp {
        op: UnaryOp::Not,
        operand,
    } = &test.kind
    {
        test = operand;
    }
    test
}

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
            // `if token: verify(token)`: a check made only for callers who present
            // credentials lets the others through.
            Stmt::If { test, orelse, .. }
                if skip_swallowed && orelse.is_empty() && is_presence_test(test) =>
            {
                f(test);
                continue;
            }
            Stmt::Try {
                body: tried,
                handlers,
                orelse,
                finalbody,
                ..
            } if skip_swallowed => {
                stmt.for_each_own_expr(f);
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
            _ => stmt.for_each_own_expr(f),
        }
        if stmt.has_child_bodies() {
            for child in stmt.child_bodies() {
                walk_exprs_in(child, f, skip_swallowed);
            }
        }
    }
}

/// A method with nothing to judge: a docstring, `pass`, `...` or `raise NotImplementedError`.
/// A function whose whole body is `return True`: it admits every caller.
fn allows_everyone(function: &Function) -> bool {
    matches!(code_statements(&function.body).as_slice(),
        [Stmt::Return { value: Some(v), .. }] if v.as_bool() == Some(true))
}

/// A predicate whose whole body is `return <state> or <check>`, with an alternative that
/// tests only the object's own state (`return self.app is self or await
/// self.app.has_page_permission(request)`): whenever that holds, every caller is admitted.
/// The alternative calls nothing, reads none of the parameters and names no identity or role.
fn admits_on_own_state(function: &Function) -> bool {
    let [
        Stmt::Return {
            value: Some(value), ..
        },
    ] = code_statements(&function.body).as_slice()
    else {
        return false;
    };
    let ExprKind::BoolOp {
        op: BoolOp::Or,
        values,
    } = &value.kind
    else {
        return false;
    };
    let params: Vec<&str> = function
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| *n != "self" && *n != "cls")
        .collect();
    values.iter().any(|v| {
        !v.any(&mut |x| matches!(x.kind, ExprKind::Call(_)))
            && !mentions_any(v, &params)
            && !mentions_identity(v)
            && !mentions_role(v)
    })
}

fn is_stub(function: &Function) -> bool {
    function.body.iter().all(|stmt| match stmt {
        // `pass` (and `global`, `del`: nothing a guard is made of).
        Stmt::Other { .. } => true,
        Stmt::Expr { value, .. } => {
            value.is_string_literal() || matches!(value.kind, ExprKind::Ellipsis)
        }
        Stmt::Raise { exc: Some(e), .. } => {
            let callee = e.as_call().map_or(e, |c| &c.func);
            callee.last_name() == Some("NotImplementedError")
        }
        _ => false,
    })
}

/// A parameter whose default is `False` or `None` that every `raise` of the function is
/// under (`if require and entity is None: raise ...`): the function refuses only when its
/// caller passes the flag.
fn refusal_flag(function: &Function) -> Option<&Param> {
    function.params.iter().find(|p| {
        p.default
            .as_deref()
            .is_some_and(|d| d.as_bool() == Some(false) || matches!(d.kind, ExprKind::NoneLiteral))
            && {
                let (mut raises, mut all_under) = (0usize, true);
                raises_under_flag(&function.body, &p.name, false, &mut raises, &mut all_under);
                raises > 0 && all_under
            }
    })
}

fn raises_under_flag(
    body: &[Stmt],
    flag: &str,
    under: bool,
    raises: &mut usize,
    all_under: &mut bool,
) {
    let gated = |test: &Expr| {
        test.as_name() == Some(flag)
            || matches!(&test.kind, ExprKind::BoolOp { op: BoolOp::And, values }
                if values.iter().any(|v| v.as_name() == Some(flag)))
    };
    raises_under(body, &gated, under, raises, all_under);
}

/// Counts the `raise` statements of `body` (not of nested definitions), and whether all of
/// them are in the `then` branch of an `if` whose test `gated` accepts.
fn raises_under(
    body: &[Stmt],
    gated: &dyn Fn(&Expr) -> bool,
    under: bool,
    raises: &mut usize,
    all_under: &mut bool,
) {
    for stmt in body {
        match stmt {
            Stmt::Raise { .. } => {
                *raises += 1;
                *all_under &= under;
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::If {
                test, body, orelse, ..
            } => {
                raises_under(body, gated, under || gated(test), raises, all_under);
                raises_under(orelse, gated, under, raises, all_under);
            }
            other => {
                for child in other.child_bodies() {
                    raises_under(child, gated, under, raises, all_under);
                }
            }
        }
    }
}

/// `def check(authorization=Header(None), store=Depends(session_store)): if store is not
/// None: ... raise`: every refusal waits for an object the server injects (a store set up
/// at start-up when a setting enables it), not for anything about the caller. The test.
fn injected_object_gate<'f>(
    imports: &routewarden_python::names::Imports,
    function: &'f Function,
) -> Option<&'f Expr> {
    function.params.iter().find_map(|p| {
        let default = p.default.as_deref()?.as_call()?;
        if !imports
            .resolve(&default.func)
            .is_some_and(|q| is_depends(&q))
        {
            return None;
        }
        let name = p.name.as_str();
        let tests_object = |test: &Expr| match &test.kind {
            ExprKind::Name(n) => n == name,
            ExprKind::Compare { .. } => matches!(
                test.comparisons().as_slice(),
                [(left, CmpOp::IsNot, right)]
                    if left.as_name() == Some(name)
                        && matches!(right.kind, ExprKind::NoneLiteral)
            ),
            _ => false,
        };
        let (mut raises, mut all_under) = (0usize, true);
        raises_under(
            &function.body,
            &tests_object,
            false,
            &mut raises,
            &mut all_under,
        );
        if raises == 0 || !all_under {
            return None;
        }
        let mut found = None;
        walk_stmts(&function.body, &mut |stmt| {
            if let Stmt::If { test, .. } = stmt
                && found.is_none()
                && tests_object(test)
            {
                found = Some(test);
            }
        });
        found
    })
}

/// Whether `call` passes `flag` (a parameter of `method`, after `self`) as `True`.
fn passes_true(call: &Call, method: &Function, flag: &Param) -> bool {
    if let Some(v) = call.keyword(&flag.name) {
        return v.as_bool() == Some(true);
    }
    let skip = usize::from(method.params.first().is_some_and(|p| p.name == "self"));
    method
        .params
        .iter()
        .position(|p| std::ptr::eq(p, flag))
        .and_then(|i| call.args.get(i.checked_sub(skip)?))
        .is_some_and(|a| a.as_bool() == Some(true))
}

/// The function a factory defines and returns (`def deco(): def _dep(...): ...; return _dep`).
fn returned_nested_function(factory: &Function) -> Option<&Function> {
    factory.body.iter().rev().find_map(|stmt| match stmt {
        Stmt::Return {
            value: Some(value), ..
        } => crate::apps::nested_function(factory, value.as_name()?),
        _ => None,
    })
}

/// A factory of functions: every `return` hands back functions it defines, alone or as the
/// values of a dict (`return {"ingest": ingest, "update": update}`).
fn returns_own_functions(function: &Function) -> bool {
    let own = |e: &Expr| {
        e.as_name()
            .is_some_and(|n| crate::apps::nested_function(function, n).is_some())
    };
    let mut any = false;
    let mut all = true;
    crate::values::for_each_return(&function.body, &mut |value| {
        any = true;
        all &= match &value.kind {
            ExprKind::Dict(entries) => {
                !entries.is_empty() && entries.iter().all(|entry| own(&entry.value))
            }
            _ => own(value),
        };
    });
    any && all
}

/// The one assignment of `name` in `root` and the call it binds (`x = f(...)`, `x = await
/// f(...)`), when nothing else assigns the name there.
fn single_call_assignment<'a>(root: &'a [Stmt], name: &'a str) -> Option<(&'a Expr, &'a Call)> {
    let mut values = root_assignments(root, name);
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let mut assignments = 0;
    walk_stmts(root, &mut |s| {
        if let Stmt::Assign { targets, .. } = s
            && targets
                .iter()
                .any(|t| t.any(&mut |x| x.as_name() == Some(name)))
        {
            assignments += 1;
        }
    });
    if assignments != 1 {
        return None;
    }
    let call = match &value.kind {
        ExprKind::Await(inner) => inner,
        _ => value,
    }
    .as_call()?;
    Some((value, call))
}

#[cfg(test)]
mod tests {
    use super::{AttackSurface, SecurityNames};

    /// `(path, source)` of a file of an AUTH001 fixture case, for the tests that judge the
    /// same projects the fixture test does.
    macro_rules! auth001_fixture {
        ($case:literal, $path:literal) => {
            (
                $path,
                include_str!(concat!(
                    "../../routewarden_rules/fixtures/AUTH001/",
                    $case,
                    "/",
                    $path
                )),
            )
        };
    }

    /// Each route of a project made of the given modules (path in the project, source):
    /// `"METHODS /path app: protection"`, the protection being `NONE`, `AUTH` (whatever the
    /// settings), or `CONDITIONAL <condition>` for each conditional one, sorted.
    fn routes(files: &[(&str, &str)]) -> Vec<String> {
        let model = crate::ProjectModel::build(
            files
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::PathBuf::from("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut out: Vec<String> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .map(|(m, sec)| {
                let app = m
                    .chain
                    .last()
                    .map(|o| surface.apps.display_object(o))
                    .unwrap_or_default();
                let protection = if sec.is_authenticated() {
                    "AUTH".to_string()
                } else if sec.auth.is_empty() {
                    "NONE".to_string()
                } else {
                    sec.auth
                        .iter()
                        .map(|p| format!("CONDITIONAL {}", p.condition.as_deref().unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                format!(
                    "{} {} {app}: {protection}",
                    surface.route(m).methods.join(","),
                    m.full_path
                )
            })
            .collect();
        out.sort();
        out
    }

    /// A 401 stored on the app and returned by a conditional hook; a redirect
    /// away through an auth object's method after an admission test; a project
    /// `login_required` skipped under a setting; `Security(dep, scopes=[])` on a dependency
    /// that admits anonymous callers.
    #[test]
    fn stored_refusals_redirects_away_and_empty_scopes() {
        let hook = routes(&[
            auth001_fixture!("hook_stored_refusal_response", "web/__init__.py"),
            auth001_fixture!("hook_stored_refusal_response", "web/app.py"),
            auth001_fixture!("hook_stored_refusal_response", "web/auth.py"),
            auth001_fixture!("hook_stored_refusal_response", "web/views.py"),
        ]);
        assert_eq!(
            hook,
            [
                "POST /admin/users/<name>/delete web.app.app: CONDITIONAL if app.config.get(\"need_auth\", False)",
                "POST /jobs/<name>/run web.app.app: CONDITIONAL if app.config.get(\"need_auth\", False)",
            ]
        );
        let redirect = routes(&[auth001_fixture!("redirect_away_by_auth_object", "app.py")]);
        assert_eq!(
            redirect,
            [
                "GET /loggedout app.app: NONE",
                "POST /notes app.app: AUTH",
                "POST /notes/clear app.app: NONE",
            ]
        );
        let scopes = routes(&[auth001_fixture!(
            "security_empty_scopes_admit_anonymous",
            "app.py"
        )]);
        assert_eq!(
            scopes,
            [
                "POST /queue/clear app.app: AUTH",
                "POST /queue/items app.app: NONE",
                "POST /queue/pause app.app: AUTH",
            ]
        );
    }

    /// A view chosen by an `if` between a guarded handler and an open one (an alias bound in
    /// each branch, or `def` in each) is protected only under the branch taking the guarded
    /// one; always when production takes it; two open views protect nothing.
    #[test]
    fn views_chosen_under_an_auth_switch() {
        let notes = routes(&[
            auth001_fixture!("view_chosen_under_auth_switch", "notes/__init__.py"),
            auth001_fixture!("view_chosen_under_auth_switch", "notes/auth.py"),
            auth001_fixture!("view_chosen_under_auth_switch", "notes/main.py"),
            auth001_fixture!("view_chosen_under_auth_switch", "notes/routes.py"),
            auth001_fixture!("view_chosen_under_auth_switch", "notes/settings.py"),
            auth001_fixture!("view_chosen_under_auth_switch", "notes/store.py"),
        ]);
        assert_eq!(
            notes,
            [
                "DELETE /notes/{name} notes.main.create_app().app: CONDITIONAL if is_auth",
                "POST /notes notes.main.create_app().app: CONDITIONAL if is_auth",
                "POST /notes/{name}/archive notes.main.create_app().app: AUTH",
                "POST /notes/{name}/wipe notes.main.create_app().app: NONE",
            ]
        );
    }

    /// A router bound with a guard in one branch of an `if` and bare in the other serves its
    /// routes guarded only when the guarded branch is taken: conditional on a command-line
    /// password, always when production takes the branch; a guarded binding replaced by a
    /// later unconditional one does not protect.
    #[test]
    fn routers_chosen_under_an_auth_switch() {
        let monitor = routes(&[
            auth001_fixture!("router_chosen_under_auth_switch", "monitor/__init__.py"),
            auth001_fixture!("router_chosen_under_auth_switch", "monitor/server.py"),
            auth001_fixture!("router_chosen_under_auth_switch", "monitor/settings.py"),
        ]);
        assert_eq!(
            monitor,
            [
                "GET /api/4/status monitor.server.RestfulApi._app: CONDITIONAL if self.args.password",
                "POST /api/4/events/clear/all monitor.server.RestfulApi._app: CONDITIONAL if self.args.password",
                "POST /api/4/processes/extended/{pid} monitor.server.RestfulApi._app: CONDITIONAL if self.args.password",
                "POST /maintenance/purge monitor.server.RestfulApi._app: NONE",
                "POST /ops/stats/reset monitor.server.RestfulApi._app: AUTH",
            ]
        );
    }

    /// A refusal of anonymous callers joined with a test of data (a looked-up project's
    /// group, a record's field, a path value) checks no caller; joined with the request
    /// method, a setting or another test of the caller, or in a disjunction, it still does.
    #[test]
    fn refusals_conditioned_on_data() {
        let open = routes(&[
            auth001_fixture!("refusal_conditioned_on_data", "open/__init__.py"),
            auth001_fixture!("refusal_conditioned_on_data", "open/store.py"),
            auth001_fixture!("refusal_conditioned_on_data", "open/views.py"),
            auth001_fixture!("refusal_conditioned_on_data", "hooked/__init__.py"),
        ]);
        assert_eq!(
            open,
            [
                "DELETE /notes/<int:note_id> open.views.app: NONE",
                "POST /folders/<name>/purge open.views.app: NONE",
                "POST /projects/<int:project_id>/archive open.views.app: AUTH",
                "POST /projects/<int:project_id>/share open.views.app: AUTH",
                "POST /projects/pause open.views.app: CONDITIONAL if app.config.get(\"AUTH_ENABLED\")",
                "POST /projects/run open.views.app: AUTH",
                "POST /projects/stop open.views.app: AUTH",
                "POST /projects/update open.views.app: NONE",
                "POST /tasks/run hooked.app: CONDITIONAL if app.config.get(\"need_auth\", False)",
                "POST /tasks/stop hooked.app: AUTH",
            ]
        );
    }

    /// A Flask-Principal permission test in the handler (`if not Permissions.SETTINGS.can():
    /// abort(403)`) checks the caller's role, whatever constant keeps the permission; joined
    /// with a test of the server's state (the first-run flag, read through an alias of the
    /// settings accessor; whether the user store was set up) it refuses only while that
    /// state holds.
    #[test]
    fn permission_refusals_under_first_run() {
        let printer = routes(&[
            auth001_fixture!("permission_refusal_under_first_run", "printer/__init__.py"),
            auth001_fixture!(
                "permission_refusal_under_first_run",
                "printer/permissions.py"
            ),
            auth001_fixture!("permission_refusal_under_first_run", "printer/settings.py"),
            auth001_fixture!("permission_refusal_under_first_run", "printer/users.py"),
            auth001_fixture!(
                "permission_refusal_under_first_run",
                "printer/vendor/__init__.py"
            ),
            auth001_fixture!(
                "permission_refusal_under_first_run",
                "printer/vendor/flask_principal.py"
            ),
        ]);
        assert_eq!(
            printer,
            [
                "POST /printer/command printer.app: NONE",
                "POST /settings printer.app: AUTH",
                "POST /settings/export printer.app: CONDITIONAL if not (settings().getBoolean([\"server\", \"firstRun\"]) or not...",
                "POST /settings/reset printer.app: AUTH",
                "POST /setup/wizard printer.app: CONDITIONAL if not s().getBoolean([\"server\", \"firstRun\"])",
            ]
        );
    }

    /// A middleware refusing on a field of what a project function decided about the
    /// presented header (with the status the decision's class declares) protects its app, only
    /// while the helper installing it is called; one deciding on the path alone does not. A
    /// dependency parameter called `session` but injected by a holder taking no arguments
    /// switches the token check like any server state.
    #[test]
    fn decision_objects_and_injected_session_parameters() {
        let decision = routes(&[
            auth001_fixture!("middleware_decision_object", "gateway/__init__.py"),
            auth001_fixture!("middleware_decision_object", "gateway/policy.py"),
            auth001_fixture!("middleware_decision_object", "gateway/always.py"),
            auth001_fixture!("middleware_decision_object", "gateway/optional.py"),
            auth001_fixture!("middleware_decision_object", "gateway/paths.py"),
        ]);
        assert_eq!(
            decision,
            [
                "POST /jobs gateway.always.app: AUTH",
                "POST /jobs gateway.optional.app: CONDITIONAL if SERVICE_KEY",
                "POST /jobs gateway.paths.app: NONE",
            ]
        );
        let injected = routes(&[
            auth001_fixture!("injected_parameter_named_session", "console/__init__.py"),
            auth001_fixture!("injected_parameter_named_session", "console/session.py"),
            auth001_fixture!("injected_parameter_named_session", "console/deps.py"),
            auth001_fixture!("injected_parameter_named_session", "console/api.py"),
        ]);
        assert_eq!(
            injected,
            [
                "POST /v1/bots/restart console.api.app: CONDITIONAL if session is not None",
                "POST /v1/bots/stop console.api.app: AUTH",
            ]
        );
    }

    /// A dependency that lets everyone in as a default user unless a setting is on decides
    /// for the role check built on it and for the helper making its final refusal.
    #[test]
    fn a_switched_default_user_is_conditional_through_role_checks_and_helpers() {
        let deps = r#"
from fastapi import Depends, HTTPException

from cfg import Registry


def check(token):
    token_data = decode(token)
    if token_data is None:
        raise HTTPException(status_code=401)
    return token_data


def decode(token):
    return None


def user_or_default(authorization: str | None = None):
    if not Registry.configuration.multiuser:
        return {"admin": True}
    return check(authorization or "")


def admin_or_default(user=Depends(user_or_default)):
    if not user["admin"]:
        raise HTTPException(status_code=403)
    return user


def current_user(authorization: str | None = None):
    return check(authorization or "")


def admin(user=Depends(current_user)):
    if not user["admin"]:
        raise HTTPException(status_code=403)
    return user
"#;
        let main = r#"
from fastapi import Depends, FastAPI

from deps import admin, admin_or_default, user_or_default

app = FastAPI()


@app.post("/items")
def create(user=Depends(user_or_default)):
    return {}


@app.post("/install")
def install(user=Depends(admin_or_default)):
    return {}


@app.post("/remove")
def remove(user=Depends(admin)):
    return {}
"#;
        let cfg = "class Registry:\n    configuration = None\n";
        assert_eq!(
            routes(&[("cfg.py", cfg), ("deps.py", deps), ("main.py", main)]),
            [
                "POST /install main.app: CONDITIONAL if Registry.configuration.multiuser",
                "POST /items main.app: CONDITIONAL if Registry.configuration.multiuser",
                "POST /remove main.app: AUTH",
            ]
        );
    }

    /// A project decorator whose product is a library guard's (`return jwt_required()(fn)`,
    /// `return login_required(fn)`, a wrapper decorated `@jwt_required()`), a factory returning
    /// such a decorator, called in place or bound to a module-level name first, gives the
    /// guard's protection; one wrapping with a decorator that is no guard gives none.
    #[test]
    fn project_decorators_delegating_to_library_guards_authenticate() {
        let guards = r#"
from functools import lru_cache, wraps

from flask import g
from flask_jwt_extended import get_jwt, jwt_required
from flask_login import login_required


def token_needed(fn):
    return jwt_required()(fn)


def session_needed(fn):
    return login_required(fn)


def token_needed_logged(fn):
    @wraps(fn)
    @jwt_required()
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)

    return inner


def kinds(allowed=("member",)):
    def protect(fn):
        @wraps(fn)
        def inner(*args, **kwargs):
            g.kind = get_jwt()["kind"]
            return fn(*args, **kwargs)

        return jwt_required()(inner)

    return protect


def memoised(fn):
    return lru_cache(maxsize=None)(fn)


def labelled(label):
    def decorate(fn):
        @wraps(fn)
        def inner(*args, **kwargs):
            return fn(*args, **kwargs)

        return inner

    return decorate


for_members = kinds(("member",))
tagged = labelled("x")
"#;
        let app = r#"
from flask import Flask
from flask_restful import Api, Resource

from guards import for_members, kinds, memoised, session_needed, tagged, token_needed
from guards import token_needed_logged

app = Flask(__name__)
api = Api(app)


@app.route("/a", methods=["POST"])
@token_needed
def a():
    return ""


@app.route("/b", methods=["POST"])
@session_needed
def b():
    return ""


@app.route("/c", methods=["POST"])
@token_needed_logged
def c():
    return ""


@app.route("/d", methods=["POST"])
@memoised
def d():
    return ""


@app.route("/e", methods=["POST"])
@tagged
def e():
    return ""


class Members(Resource):
    @for_members
    def post(self):
        return {}

    @kinds(("member", "device"))
    def delete(self):
        return {}


api.add_resource(Members, "/members")
"#;
        assert_eq!(
            routes(&[("guards.py", guards), ("app.py", app)]),
            [
                "DELETE /members app.app: AUTH",
                "POST /a app.app: AUTH",
                "POST /b app.app: AUTH",
                "POST /c app.app: AUTH",
                "POST /d app.app: NONE",
                "POST /e app.app: NONE",
                "POST /members app.app: AUTH",
            ]
        );
    }

    /// A Flask-HTTPAuth check written by hand in a decorator authenticates; a decorator named
    /// for logins that only checks a feature setting does not.
    #[test]
    fn project_decorators_are_judged_by_their_wrappers() {
        let app = r#"
from functools import wraps

from flask import Flask, abort
from flask_httpauth import HTTPBasicAuth

app = Flask(__name__)
auth = HTTPBasicAuth()
ENABLED = False


def basic_required(f):
    @wraps(f)
    def inner(*args, **kwargs):
        status = None
        user = auth.authenticate(auth.get_auth(), "")
        if user in (False, None):
            status = 401
        if status:
            return auth.auth_error_callback(status)
        return f(*args, **kwargs)
    return inner


def remote_login_required(f):
    @wraps(f)
    def inner(*args, **kwargs):
        if ENABLED:
            return f(*args, **kwargs)
        abort(403)
    return inner


@app.route("/feed")
@basic_required
def feed():
    return ""


@app.route("/remote", methods=["POST"])
@remote_login_required
def remote():
    return ""
"#;
        assert_eq!(
            routes(&[("app.py", app)]),
            ["GET /feed app.app: AUTH", "POST /remote app.app: NONE"]
        );
    }

    /// A middleware refusing unless another service, sent the caller's credentials, accepts
    /// them authenticates every path but those it lets through first.
    #[test]
    fn a_middleware_deferring_to_a_permission_service_authenticates() {
        let app = r#"
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware


class Denied(Exception):
    status_code = 401


async def check(request):
    headers = {"Authorization": request.headers.get("authorization")}
    async with httpx.AsyncClient() as client:
        response = await client.get("https://auth/check", headers=headers)
    if response.status_code != 200:
        raise Denied()
    return response.json()


class Guard(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        try:
            if request.url.path in ["/health"]:
                request.state.auth = None
            else:
                request.state.auth = await check(request)
            return await call_next(request)
        except Denied:
            return JSONResponse({}, status_code=401)


app = FastAPI()
app.add_middleware(Guard)


@app.get("/health")
def health():
    return {}


@app.post("/run")
def run():
    return {}
"#;
        assert_eq!(
            routes(&[("app.py", app)]),
            ["GET /health app.app: NONE", "POST /run app.app: AUTH"]
        );
    }

    /// A middleware defined in a method, refusing through `self.get_username(request)` inside
    /// a `try` whose `except` answers the caught status: conditional on the key setting when
    /// installed under it, authentication when not; failing open (`except: return await
    /// call_next(request)`) protects nothing.
    #[test]
    fn a_middleware_refusal_answered_in_except() {
        let case = |path| {
            routes(&[
                auth001_fixture!(
                    "middleware_refusal_answered_in_except",
                    "chatapi/__init__.py"
                ),
                auth001_fixture!("middleware_refusal_answered_in_except", "chatapi/config.py"),
                path,
            ])
        };
        assert_eq!(
            case(auth001_fixture!(
                "middleware_refusal_answered_in_except",
                "chatapi/api.py"
            )),
            [
                "POST /v1/chat/completions chatapi.api.create_app().app: CONDITIONAL if AppConfig.api_key is not None"
            ]
        );
        assert_eq!(
            case(auth001_fixture!(
                "middleware_refusal_answered_in_except",
                "chatapi/admin.py"
            )),
            ["DELETE /admin/users/{user_id} chatapi.admin.create_admin().app: AUTH"]
        );
        assert_eq!(
            case(auth001_fixture!(
                "middleware_refusal_answered_in_except",
                "chatapi/lenient.py"
            )),
            ["POST /v1/jobs chatapi.lenient.app: NONE"]
        );
    }

    /// An HTTP middleware's skip list held in a flag (raised further down for some requests),
    /// and its refusals returned through a function it defines.
    #[test]
    fn a_middleware_skip_flag_and_local_refusal_helper() {
        let app = r#"
import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
KEYED = os.environ.get("KEYED")

if KEYED:

    @app.middleware("http")
    async def keyed(request: Request, call_next):
        path = request.scope["path"]
        skip = request.method not in ["GET", "POST"] or path in ["/healthz"]
        if path == "/describe":
            if request.method == "GET":
                skip = True
        if skip:
            return await call_next(request)

        def refuse():
            return JSONResponse(status_code=401, content={})

        if request.headers.get("x-api-key") != KEYED:
            return refuse()
        return await call_next(request)


@app.get("/healthz")
def healthz():
    return {}


@app.get("/describe")
def describe():
    return {}


@app.post("/describe")
def describe_post():
    return {}


@app.delete("/items/{item_id}")
def delete(item_id: str):
    return {}
"#;
        assert_eq!(
            routes(&[("app.py", app)]),
            [
                "DELETE /items/{item_id} app.app: NONE",
                "GET /describe app.app: NONE",
                "GET /healthz app.app: NONE",
                "POST /describe app.app: CONDITIONAL if KEYED",
            ]
        );
    }

    /// A WebSocket closed with an application code after an authenticator object refuses the
    /// connection, before accepting it.
    #[test]
    fn a_websocket_refused_by_an_authenticator_object_is_authenticated() {
        let app = r#"
from fastapi import Depends, FastAPI, WebSocket


class Authenticator:
    async def authenticate(self, websocket: WebSocket) -> bool:
        return websocket.headers.get("authorization") == "Bearer x"


def get_authenticator(websocket: WebSocket) -> Authenticator:
    return websocket.app.state.authenticator


app = FastAPI()


@app.websocket("/connect")
async def connect(websocket: WebSocket, authenticator: Authenticator = Depends(get_authenticator)):
    if not await authenticator.authenticate(websocket):
        await websocket.close(code=4001)
        return
    await websocket.accept()
"#;
        assert_eq!(routes(&[("app.py", app)]), ["WS /connect app.app: AUTH"]);
    }

    /// "admin" in a dependency's name checks no role when its body was judged.
    #[test]
    fn an_admin_name_checks_no_role_over_a_judged_body() {
        let app = r#"
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import APIKeyCookie

cookie = APIKeyCookie(name="s", auto_error=False)


async def get_admin_session_token(token=Depends(cookie)):
    if token is None:
        raise HTTPException(401)
    return token


app = FastAPI()


@app.get("/admin/users")
async def users(t=Depends(get_admin_session_token)):
    return []
"#;
        let model = crate::ProjectModel::build(
            vec![crate::InputFile {
                path: std::path::PathBuf::from("/project/app.py"),
                display: "app.py".to_string(),
                text: app.to_string(),
            }],
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        assert_eq!(surface.security.len(), 1);
        assert!(surface.security[0].is_authenticated());
        assert!(!surface.security[0].checks_role());
    }

    /// A credential branch returning a stricter check's answer from inside `try`, with a 401
    /// in the `except` and at the end: every caller is refused unless a check admits them.
    #[test]
    fn a_try_in_a_credential_branch_still_refuses() {
        let app = include_str!(
            "../../routewarden_rules/fixtures/AUTH001/try_in_credential_branch/app.py"
        );
        assert_eq!(
            routes(&[("app.py", app)]),
            vec![
                "DELETE /notes/{note_id} app.app: AUTH",
                "GET /notes app.app: AUTH",
                "GET /notes/{note_id} app.app: AUTH",
                "POST /notes/drafts app.app: NONE",
                "POST /notes/import app.app: NONE",
                "POST /notes/merge app.app: AUTH",
                "PUT /notes/{note_id} app.app: AUTH",
            ]
        );
    }

    /// `if user.is_superadmin: return user` admits early; the refusal of inactive accounts
    /// that follows is no role check. A refusal of everyone left over is one.
    #[test]
    fn an_early_admission_of_admins_checks_no_role() {
        let app = include_str!(
            "../../routewarden_rules/fixtures/AUTH005/early_admission_is_no_role_check/app.py"
        );
        let model = crate::ProjectModel::build(
            vec![crate::InputFile {
                path: std::path::PathBuf::from("/project/app.py"),
                display: "app.py".to_string(),
                text: app.to_string(),
            }],
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut found: Vec<(String, bool, bool)> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .map(|(m, sec)| {
                (
                    m.full_path.clone(),
                    sec.is_authenticated(),
                    sec.checks_role(),
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            vec![
                ("/admin/purge".to_string(), true, true),
                ("/admin/reindex".to_string(), true, true),
                ("/admin/restart".to_string(), true, false),
                ("/me".to_string(), true, false),
            ]
        );
    }

    /// `app.dependency_overrides[dep] = other` in production code: the routes of that
    /// application are judged by `other` wherever they depend on `dep`, directly or through
    /// another dependency; under a condition when the override is installed under one. Not the
    /// other application's routes, nor through an override in test code.
    #[test]
    fn dependency_overrides_judge_routes_by_the_replacement() {
        let files = [
            auth001_fixture!("dependency_overrides_in_production", "shop/__init__.py"),
            auth001_fixture!("dependency_overrides_in_production", "shop/guards.py"),
            auth001_fixture!("dependency_overrides_in_production", "shop/main.py"),
            auth001_fixture!("dependency_overrides_in_production", "shop/routes.py"),
            auth001_fixture!("dependency_overrides_in_production", "shop/admin.py"),
            auth001_fixture!("dependency_overrides_in_production", "tests/test_routes.py"),
        ];
        let switched = "CONDITIONAL if not (os.environ.get(\"AUTH_MODE\", \"none\") == \"none\"), \
                        or DEPLOY == \"hosted\"";
        assert_eq!(
            routes(&files),
            vec![
                "POST /keys/rotate shop.main.app: AUTH".to_string(),
                format!("POST /orders shop.main.app: {switched}"),
                format!("POST /orders/{{order_id}}/cancel shop.main.app: {switched}"),
                "POST /partners/sync shop.main.app: AUTH".to_string(),
                "POST /purge shop.admin.admin_app: AUTH".to_string(),
                "POST /refunds shop.main.app: NONE".to_string(),
                "POST /reindex shop.admin.admin_app: AUTH".to_string(),
            ]
        );
    }

    /// Flask-BasicAuth: `BasicAuth(app)` or `init_app(app)` (also of a project subclass)
    /// guards every route of that application while its `BASIC_AUTH_FORCE` is true, also when
    /// installed under a setting that holds by default (opt-out); without the setting (here
    /// written to another application's config) only `@guard.required` views are protected.
    #[test]
    fn flask_basicauth_guards_by_force_setting_and_decorator() {
        let extension = [
            auth001_fixture!("flask_basicauth_extension", "panel/__init__.py"),
            auth001_fixture!("flask_basicauth_extension", "panel/site.py"),
            auth001_fixture!("flask_basicauth_extension", "panel/kiosk.py"),
        ];
        assert_eq!(
            routes(&extension),
            vec![
                "POST /shelf panel.site.site: AUTH",
                "POST /shelf/<code>/remove panel.site.site: AUTH",
                "POST /visits panel.kiosk.kiosk: AUTH",
                "POST /visits/clear panel.kiosk.kiosk: NONE",
            ]
        );
        let switched = [
            auth001_fixture!("flask_basicauth_switched_off", "desk/__init__.py"),
            auth001_fixture!("flask_basicauth_switched_off", "desk/settings.py"),
            auth001_fixture!("flask_basicauth_switched_off", "desk/web/__init__.py"),
            auth001_fixture!("flask_basicauth_switched_off", "desk/web/views.py"),
            auth001_fixture!("flask_basicauth_switched_off", "desk/main.py"),
        ];
        // Installed unless `NO_AUTH`, which the loaded settings module declares `False`.
        assert_eq!(
            routes(&switched),
            vec![
                "POST /desk/reset desk.web.app: AUTH",
                "POST /ticket/<title>/close desk.web.app: AUTH",
                "POST /ticket/open desk.web.app: AUTH",
            ]
        );
    }

    /// `api = swagger.docs(Api(app), ...)` (flask-restful-swagger) is the `Api` it wraps: its
    /// resources are routes of `app`, under its hooks.
    #[test]
    fn restful_api_wrapped_by_swagger_docs_keeps_its_application() {
        let files = [
            auth001_fixture!("restful_swagger_wrapped_api", "shop/__init__.py"),
            auth001_fixture!("restful_swagger_wrapped_api", "shop/resources.py"),
            auth001_fixture!("restful_swagger_wrapped_api", "shop/partners.py"),
        ];
        assert_eq!(
            routes(&files),
            vec![
                "GET /api/orders shop.app: AUTH",
                "POST /api/orders shop.app: AUTH",
                "POST /feeds shop.partners.partner_app: NONE",
                "PUT /api/orders/<order_id> shop.app: AUTH",
            ]
        );
    }

    /// A handler that refuses while the server has no key configured, then unless the
    /// caller's parameter equals it, authenticates by a shared secret whatever the names; a
    /// comparison with a setting not first required, or required only afterwards, does not.
    #[test]
    fn a_configured_key_compared_after_refusing_without_one_authenticates() {
        let server =
            include_str!("../../routewarden_rules/fixtures/AUTH001/configured_key_guard/server.py");
        assert_eq!(
            routes(&[("server.py", server)]),
            vec![
                "GET /archive/export server.app: AUTH",
                "POST /archive/move server.app: NONE",
                "POST /archive/purge server.app: AUTH",
                "POST /archive/shelve server.app: NONE",
            ]
        );
    }

    /// A module flag set True and False in the two branches of a module-level `if` keeps the
    /// guards under it, conditional on it, whatever its name says.
    #[test]
    fn a_guard_under_a_module_flag_of_both_branches_is_conditional() {
        let app = include_str!(
            "../../routewarden_rules/fixtures/AUTH001/module_flag_branches_guard/shop/app.py"
        );
        assert_eq!(
            routes(&[("shop/__init__.py", ""), ("shop/app.py", app)]),
            vec![
                "POST /orders shop.app.app: CONDITIONAL if has_signin",
                "POST /orders/cancel shop.app.app: NONE",
            ]
        );
    }

    /// `if not permitted(): abort(401)` with a predicate out of reach is a check, conditional
    /// when its local fallback lets everyone in; a 400 after it is not.
    #[test]
    fn a_refusal_after_an_ambient_predicate_is_a_check() {
        let app = include_str!(
            "../../routewarden_rules/fixtures/AUTH001/ambient_predicate_refusal/views.py"
        );
        assert_eq!(
            routes(&[("views.py", app)]),
            vec![
                "DELETE /files/<name> views.app: CONDITIONAL if `permitted` is imported: its local fallback allows everyone",
                "POST /comments views.app: NONE",
                "POST /drafts views.app: AUTH",
                "POST /notes views.app: NONE",
            ]
        );
    }

    /// Middleware guarding only the requests whose method and path are in a list, or only
    /// while a setting is on: a settings list leaves every route conditional, a constant list
    /// protects the routes it names, and `settings.X and <path test>` is conditional on `X`.
    #[test]
    fn a_middleware_scoped_by_a_path_list_or_a_switch_covers_only_those_paths() {
        let app = r#"
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic_settings import BaseSettings
from starlette.middleware.base import BaseHTTPMiddleware

PROTECTED = [("POST", "/pay/charge")]


class Settings(BaseSettings):
    require_auth: bool = False
    protected_paths: list = [["POST", "/v1/spend"]]


settings = Settings()


class Policy:
    def needs_token(self, method, path):
        for m, p in settings.protected_paths:
            if m == method and p == path:
                return True
        return False


policy = Policy()


class ListGuard(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if [request.method, request.url.path] in settings.protected_paths:
            if not request.headers.get("x-token"):
                return JSONResponse({}, status_code=401)
        return await call_next(request)


class PairGuard(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if (request.method, request.url.path) in PROTECTED:
            if not request.headers.get("x-token"):
                return JSONResponse({}, status_code=401)
        return await call_next(request)


class SwitchedGuard(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if settings.require_auth and request.url.path == "/keys/rotate":
            if not request.headers.get("x-token"):
                return JSONResponse({}, status_code=401)
        return await call_next(request)


class PolicyGuard(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if settings.require_auth and policy.needs_token(method=request.method, path=request.url.path):
            if not request.headers.get("x-token"):
                return JSONResponse({}, status_code=401)
        return await call_next(request)


wallet = FastAPI()
wallet.add_middleware(ListGuard)
pay = FastAPI()
pay.add_middleware(PairGuard)
keys = FastAPI()
keys.add_middleware(SwitchedGuard)
swaps = FastAPI()
swaps.add_middleware(PolicyGuard)


@wallet.post("/v1/spend")
def spend():
    return {}


@pay.post("/pay/charge")
def charge():
    return {}


@pay.get("/pay/charge")
def charge_status():
    return {}


@pay.post("/pay/refund")
def refund():
    return {}


@keys.post("/keys/rotate")
def rotate():
    return {}


@keys.post("/keys/export")
def export():
    return {}


@swaps.post("/v1/swap")
def swap():
    return {}
"#;
        let list = "CONDITIONAL for the paths `[request.method, request.url.path] in settings.protected_...` selects";
        let policy = "CONDITIONAL for the paths `settings.require_auth and policy.needs_token(method=reque...` selects";
        assert_eq!(
            routes(&[("app.py", app)]),
            [
                "GET /pay/charge app.pay: NONE".to_string(),
                "POST /keys/export app.keys: NONE".to_string(),
                "POST /keys/rotate app.keys: CONDITIONAL if settings.require_auth".to_string(),
                "POST /pay/charge app.pay: AUTH".to_string(),
                "POST /pay/refund app.pay: NONE".to_string(),
                format!("POST /v1/spend app.wallet: {list}"),
                format!("POST /v1/swap app.swaps: {policy}"),
            ]
        );
    }

    /// `member = find_member(session.get("sid"))` refused when nobody is found checks the
    /// caller, in a handler, a hook and a decorator, whatever the names; a lookup keyed by the
    /// path, the query or a form is not, nor a 404 after the session lookup.
    #[test]
    fn a_refused_lookup_keyed_by_the_session_authenticates() {
        let app = include_str!(
            "../../routewarden_rules/fixtures/AUTH001/session_keyed_lookup_refused/club/app.py"
        );
        let members = include_str!(
            "../../routewarden_rules/fixtures/AUTH001/session_keyed_lookup_refused/club/members.py"
        );
        assert_eq!(
            routes(&[
                ("club/__init__.py", ""),
                ("club/app.py", app),
                ("club/members.py", members)
            ]),
            vec![
                "DELETE /items/<item_id> club.app.app: AUTH",
                "GET /login club.app.app: NONE",
                "POST /board/posts club.app.app: AUTH",
                "POST /items club.app.app: AUTH",
                "POST /items/<item_id>/archive club.app.app: NONE",
                "POST /items/<item_id>/rename club.app.app: AUTH",
                "POST /items/archive club.app.app: NONE",
                "POST /items/hide club.app.app: NONE",
                "POST /items/restore club.app.app: NONE",
            ]
        );
    }

    /// Starlette's `request.session` is the caller's session when `request` is a parameter
    /// annotated with the request class, the first parameter of a Starlette endpoint or the
    /// request of a `BaseHTTPMiddleware`'s `dispatch`: a lookup keyed by it and refused checks
    /// the caller, also through a helper of another module handed the request. A body model
    /// called `request`, a value only recorded, a 404 and a lookup keyed by the path do not.
    #[test]
    fn a_refused_lookup_keyed_by_a_starlette_session_authenticates() {
        let file = |name: &str| match name {
            "api" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/starlette_session_lookup_refused/shop/api.py"
            ),
            "auth" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/starlette_session_lookup_refused/shop/auth.py"
            ),
            "board" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/starlette_session_lookup_refused/shop/board.py"
            ),
            "members_only" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/starlette_session_lookup_refused/shop/members_only.py"
            ),
            _ => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/starlette_session_lookup_refused/shop/store.py"
            ),
        };
        assert_eq!(
            routes(&[
                ("shop/__init__.py", ""),
                ("shop/api.py", file("api")),
                ("shop/auth.py", file("auth")),
                ("shop/board.py", file("board")),
                ("shop/members_only.py", file("members_only")),
                ("shop/store.py", file("store")),
            ]),
            vec![
                "DELETE /orders/{order_id} shop.api.app: AUTH",
                "GET /login shop.api.app: NONE",
                "GET /login shop.members_only.admin: NONE",
                "POST /notes shop.board.app: AUTH",
                "POST /notes/drop shop.board.app: AUTH",
                "POST /notes/edit shop.board.app: AUTH",
                "POST /notes/pin shop.board.app: NONE",
                "POST /orders shop.api.app: AUTH",
                "POST /orders/{order_id}/archive shop.api.app: NONE",
                "POST /orders/{order_id}/hide shop.api.app: NONE",
                "POST /orders/{order_id}/repeat shop.api.app: AUTH",
                "POST /preferences shop.api.app: NONE",
                "POST /transfers shop.api.app: NONE",
                "POST /wipe shop.members_only.admin: AUTH",
                "PUT /orders/{order_id} shop.api.app: AUTH",
            ]
        );
    }

    /// `current_member()` of another module, returning whom Flask's session names or None,
    /// refused when it returns nobody (tested in place or through a local) checks the caller in
    /// a handler and a hook; refused with 404, only recorded, or a helper keyed by the query
    /// string does not.
    #[test]
    fn a_refused_session_helper_of_another_module_authenticates() {
        let file = |name: &str| match name {
            "views" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/session_helper_in_other_module/club/views.py"
            ),
            "auth" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/session_helper_in_other_module/club/auth.py"
            ),
            _ => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/session_helper_in_other_module/club/members.py"
            ),
        };
        assert_eq!(
            routes(&[
                ("club/__init__.py", ""),
                ("club/views.py", file("views")),
                ("club/auth.py", file("auth")),
                ("club/members.py", file("members")),
            ]),
            vec![
                "DELETE /items/<item_id> club.views.app: AUTH",
                "GET /login club.views.app: NONE",
                "POST /board/posts club.views.app: AUTH",
                "POST /items club.views.app: AUTH",
                "POST /items/<item_id>/claim club.views.app: NONE",
                "POST /items/<item_id>/hide club.views.app: NONE",
                "POST /items/<item_id>/rename club.views.app: AUTH",
                "POST /items/<item_id>/star club.views.app: NONE",
            ]
        );
    }

    /// A module flag imported from another project module, by name or through the module,
    /// keeps the guards under it, conditional on it; one the defining module rebinds in a
    /// function, one assigned as another module's attribute, or one from outside does not.
    #[test]
    fn a_guard_under_an_imported_module_flag_is_conditional() {
        let file = |name: &str| match name {
            "app" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/imported_module_flag_guard/shop/app.py"
            ),
            "addons" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/imported_module_flag_guard/shop/addons.py"
            ),
            "members" => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/imported_module_flag_guard/shop/members.py"
            ),
            _ => include_str!(
                "../../routewarden_rules/fixtures/AUTH001/imported_module_flag_guard/shop/cli.py"
            ),
        };
        assert_eq!(
            routes(&[
                ("shop/__init__.py", ""),
                ("shop/app.py", file("app")),
                ("shop/addons.py", file("addons")),
                ("shop/members.py", file("members")),
                ("shop/cli.py", file("cli")),
            ]),
            vec![
                "POST /orders shop.app.app: CONDITIONAL if has_login",
                "POST /orders/cancel shop.app.app: CONDITIONAL if addons.has_signin",
                "POST /orders/gift shop.app.app: AUTH",
                "POST /orders/notes shop.app.app: AUTH",
                "POST /orders/refund shop.app.app: AUTH",
            ]
        );
    }

    /// A login whose password check and limiter live in helpers (handler -> helper ->
    /// helper) is public and limited; a cross-site check in a helper that reads a credential
    /// header still protects an ordinary route.
    #[test]
    fn login_helpers_check_the_password_and_limit_attempts() {
        let app = r#"
from flask import Flask, jsonify, request
from werkzeug.security import check_password_hash

app = Flask(__name__)
HASHES = {}


class AuthorizationFailure(Exception):
    pass


@app.errorhandler(AuthorizationFailure)
def refused(error):
    return jsonify(msg=str(error)), 403


class Limiter:
    def check(self, name):
        pass


attempt_limiter = Limiter()


def same_site_only():
    if request.headers.get("Authorization"):
        return
    if not request.headers.get("X-Requested-With"):
        raise AuthorizationFailure("cross-site")


def verify_user():
    name = request.json["username"]
    attempt_limiter.check(name)
    if not check_password_hash(HASHES.get(name, ""), request.json["password"]):
        return jsonify(msg="wrong"), 401
    return name


def start_session():
    same_site_only()
    return verify_user()


@app.route("/auth/session_login", methods=["POST"])
def session_login():
    return jsonify(user=start_session())


@app.route("/api/items", methods=["POST"])
def add_item():
    same_site_only()
    return jsonify(ok=True)
"#;
        let model = crate::ProjectModel::build(
            vec![crate::InputFile {
                path: std::path::PathBuf::from("/project/web.py"),
                display: "web.py".to_string(),
                text: app.to_string(),
            }],
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut seen: Vec<String> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .map(|(m, sec)| {
                format!(
                    "{} {} auth={} limited={}",
                    surface.route(m).methods.join(","),
                    m.full_path,
                    !sec.auth.is_empty(),
                    sec.is_rate_limited()
                )
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                "POST /api/items auth=true limited=false",
                "POST /auth/session_login auth=false limited=true",
            ]
        );
    }

    /// Flask-Limiter checks no limit before `init_app`: the decorators of a limiter attached
    /// in the factory limit their routes, those of a limiter never attached do not; slowapi's
    /// decorators limit attached or not.
    #[test]
    fn decorators_of_a_flask_limiter_never_attached_limit_nothing() {
        let ext = r#"
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
spare = Limiter(key_func=get_remote_address)
"#;
        let app = r#"
from flask import Flask, request
from fastapi import FastAPI, Request
from slowapi import Limiter as SlowLimiter
from slowapi.util import get_remote_address

from ext import limiter, spare

slow = SlowLimiter(key_func=get_remote_address)


def create_app():
    app = Flask(__name__)
    limiter.init_app(app)

    @app.route("/login", methods=["POST"])
    @limiter.limit("5 per minute")
    def login():
        return request.form["password"]

    @app.route("/staff", methods=["POST"])
    @spare.limit("5 per minute")
    def staff():
        return request.form["password"]

    return app


api = FastAPI()


@api.post("/token")
@slow.limit("5/minute")
async def token(request: Request):
    return {}
"#;
        let model = crate::ProjectModel::build(
            [("ext.py", ext), ("web.py", app)]
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::PathBuf::from("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut limited: Vec<String> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .map(|(m, sec)| format!("{} {}", m.full_path, sec.is_rate_limited()))
            .collect();
        limited.sort();
        assert_eq!(limited, ["/login true", "/staff false", "/token true"]);
    }

    /// A project class used as a decorator is judged by its `__call__`: with arguments the
    /// wrapper it returns refuses through a method of a base class in another module (reached
    /// by `self.`), bare it is the wrapper itself; an instance built with its refusal switched
    /// off, and one that only logs, protect nothing. A role handed to the instance is a role
    /// check.
    #[test]
    fn class_instance_decorators_are_judged_by_their_call() {
        let renderer = r#"
from flask import abort, session


class Renderer:
    def __init__(self, require_role=None, optional=False):
        self.require_role = require_role or []
        self.optional = optional

    def logged_in_user(self):
        if "uid" not in session and not self.optional:
            abort(401, "Session not found")
        return session.get("uid")
"#;
        let api = r#"
import functools
import logging

from flask import Blueprint, Flask, abort, session

from renderer import Renderer

app = Flask(__name__)
bp = Blueprint("reports", __name__, url_prefix="/api/reports")


class api_login(Renderer):
    def __call__(self, func):
        @functools.wraps(func)
        def base(*args, **kwargs):
            kwargs["user"] = self.logged_in_user()
            return func(*args, **kwargs)
        return base


class session_required:
    def __init__(self, func):
        self.func = func

    def __call__(self, *args, **kwargs):
        if "uid" not in session:
            abort(401)
        return self.func(*args, **kwargs)


class logged:
    def __call__(self, func):
        def wrapper(*args, **kwargs):
            logging.info("call")
            return func(*args, **kwargs)
        return wrapper


@bp.route("/", methods=["POST"])
@api_login(require_role=["report_write"])
def create(user):
    return ""


@bp.route("/<rid>/", methods=["GET"])
@api_login()
def show(rid, user):
    return ""


@bp.route("/<rid>/", methods=["DELETE"])
@session_required
def remove(rid):
    return ""


@bp.route("/<rid>/", methods=["PATCH"])
@api_login(optional=True)
def edit(rid, user):
    return ""


@bp.route("/<rid>/", methods=["PUT"])
@logged()
def replace(rid):
    return ""


app.register_blueprint(bp)
"#;
        let files = [("renderer.py", renderer), ("api.py", api)];
        assert_eq!(
            routes(&files),
            [
                "DELETE /api/reports/<rid>/ api.app: AUTH",
                "GET /api/reports/<rid>/ api.app: AUTH",
                "PATCH /api/reports/<rid>/ api.app: NONE",
                "POST /api/reports/ api.app: AUTH",
                "PUT /api/reports/<rid>/ api.app: NONE",
            ]
        );
        let model = crate::ProjectModel::build(
            files
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::PathBuf::from("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut roles: Vec<String> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter(|(_, sec)| sec.is_authenticated())
            .map(|(m, sec)| {
                format!(
                    "{} {}: {}",
                    surface.route(m).methods.join(","),
                    m.full_path,
                    sec.checks_role()
                )
            })
            .collect();
        roles.sort();
        assert_eq!(
            roles,
            [
                "DELETE /api/reports/<rid>/: false",
                "GET /api/reports/<rid>/: false",
                "POST /api/reports/: true",
            ]
        );
    }

    /// A class decorator whose session check refuses a session without a `"roles_limit"`
    /// field, or with a forged XSRF token, checks no role: built without roles
    /// (`@api_login()`, `require_role=None`, `[]`) it only authenticates; built with roles it
    /// checks one.
    #[test]
    fn session_field_and_forgery_tests_are_no_role_checks() {
        let api = r#"
import functools

from flask import Blueprint, Flask, abort, request
from flask import session as flask_session

SESSIONS = {}
app = Flask(__name__)
bp = Blueprint("admin", __name__, url_prefix="/api/admin")


class api_login:
    def __init__(self, require_role=None, check_xsrf_token=True):
        self.require_role = require_role or []
        self.check_xsrf_token = check_xsrf_token

    def extra_session_checks(self, session):
        if "roles_limit" not in session:
            abort(401)
        if session.get("roles_limit") is None and self.check_xsrf_token and session.get("xsrf_token") != request.headers.get("X-XSRF-Token"):
            abort(403)

    def test_require_role(self, user):
        if not self.require_role:
            return
        for role in self.require_role:
            if role in user["roles"]:
                return
        abort(403)

    def __call__(self, func):
        @functools.wraps(func)
        def base(*args, **kwargs):
            session = SESSIONS.get(flask_session.get("session_id"))
            if not session:
                abort(401)
            self.extra_session_checks(session)
            self.test_require_role({"roles": session.get("roles_limit") or []})
            return func(*args, **kwargs)
        return base


@bp.route("/users/")
@api_login()
def users():
    return ""


@bp.route("/jobs/")
@api_login(require_role=None)
def jobs():
    return ""


@bp.route("/users/<uid>/", methods=["DELETE"])
@api_login(require_role=["administration"])
def remove(uid):
    return ""


app.register_blueprint(bp)
"#;
        let files = [("api.py", api)];
        assert_eq!(
            routes(&files),
            [
                "DELETE /api/admin/users/<uid>/ api.app: AUTH",
                "GET /api/admin/jobs/ api.app: AUTH",
                "GET /api/admin/users/ api.app: AUTH",
            ]
        );
        let model = crate::ProjectModel::build(
            files
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::PathBuf::from("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut roles: Vec<String> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .map(|(m, sec)| format!("{}: {}", m.full_path, sec.checks_role()))
            .collect();
        roles.sort();
        assert_eq!(
            roles,
            [
                "/api/admin/jobs/: false",
                "/api/admin/users/: false",
                "/api/admin/users/<uid>/: true",
            ]
        );
    }

    /// `if not key_ok(): return refuse(..., 403)` where `key_ok` reads the key the request
    /// presents, answers `False` when it is missing or nobody holds it and logs the member in:
    /// a check of the caller, with the role it is given. A predicate on a setting, on a
    /// counter keyed on the client's address or on the mere presence of a key is not; nor
    /// is a 404 after the check.
    #[test]
    fn oauth_provider_guards_class_method_tokens_and_submitted_records() {
        let models = r#"
import jwt

class Account:
    query = None

    @staticmethod
    def verify_reset_token(token):
        return jwt.decode(token, "k", algorithms=["HS256"])

    @staticmethod
    def by_download_token(download_token):
        return jwt.decode(download_token, "k", algorithms=["HS256"])
"#;
        let app = r#"
from functools import wraps
from flask import Flask, g, request
from flask_oauthlib.provider import OAuth2Provider
from werkzeug.exceptions import Forbidden
from models import Account

app = Flask(__name__)
oauth2 = OAuth2Provider(app)

def holding(*rights):
    def decorator(f):
        @wraps(f)
        def wrapper(*args, **kwargs):
            for right in rights:
                if not g.user.has_rights(right):
                    raise Forbidden()
            return f(*args, **kwargs)
        return wrapper
    return decorator

@app.route("/notes", methods=["POST"])
@oauth2.require_oauth("notes:write")
def notes():
    return "ok"

@app.route("/password", methods=["POST"])
def password():
    body = request.get_json()
    account = Account.verify_reset_token(body["token"])
    if account is None:
        raise Forbidden()
    return "ok"

@app.route("/download/<access_token>")
def download(access_token):
    blob = Account.by_download_token(access_token)
    if not blob:
        raise Forbidden()
    return "ok"

@app.route("/recover", methods=["POST"])
def recover():
    body = request.get_json()
    user = Account.query.filter_by(email=body["email"]).first()
    if user is None:
        raise Forbidden()
    return "ok"

@app.route("/admin/users")
@holding("manage_users")
def admin_users():
    return "ok"
"#;
        let files = [("models.py", models), ("app.py", app)];
        assert_eq!(
            routes(&files),
            [
                "GET /admin/users app.app: AUTH",
                "GET /download/<access_token> app.app: AUTH",
                "POST /notes app.app: AUTH",
                "POST /password app.app: AUTH",
                "POST /recover app.app: NONE",
            ]
        );
        let model = crate::ProjectModel::build(
            files
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::PathBuf::from("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut roles: Vec<(String, bool)> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter(|(_, sec)| sec.is_authenticated())
            .map(|(m, sec)| (m.full_path.clone(), sec.checks_role()))
            .collect();
        roles.sort();
        assert_eq!(
            roles,
            [
                ("/admin/users".to_string(), true),
                ("/download/<access_token>".to_string(), false),
                ("/notes".to_string(), true),
                ("/password".to_string(), false),
            ]
        );
    }

    #[test]
    fn a_boolean_helper_judging_the_presented_key_authenticates() {
        let guards = r#"
from flask import request, jsonify
from flask_login import current_user, login_user
from store import FLAGS, HITS, find_member

def presented_key():
    key = request.args.get("key", None)
    if key is None and "X-Member-Key" in request.headers:
        key = request.headers["X-Member-Key"]
    return key

def key_ok(roles=None):
    key = presented_key()
    if key is None:
        return False
    member = find_member(key)
    if member is None:
        return False
    login_user(member)
    if roles:
        allowed = False
        for role in roles:
            if current_user.has_role(role):
                allowed = True
        if not allowed:
            return False
    return True

def uploads_on():
    if not FLAGS["uploads"]:
        return False
    return True

def under_quota():
    used = HITS.get(request.remote_addr)
    if used is None:
        return False
    return True

def has_key():
    key = presented_key()
    if key is None:
        return False
    return True

def refuse(message, code):
    answer = jsonify({"error": message})
    answer.status_code = code
    return answer
"#;
        let app = r#"
from flask import Flask
from guards import has_key, key_ok, refuse, under_quota, uploads_on

app = Flask(__name__)

@app.route("/notes", methods=["POST"])
def notes():
    if not key_ok():
        return refuse("denied", 403)
    return "ok"

@app.route("/members", methods=["POST"])
def members():
    if not key_ok(roles=["admin"]):
        return refuse("denied", 403)
    return "ok"

@app.route("/uploads", methods=["POST"])
def uploads():
    if not uploads_on():
        return refuse("off", 403)
    return "ok"

@app.route("/visits", methods=["POST"])
def visits():
    if not under_quota():
        return refuse("slow down", 403)
    return "ok"

@app.route("/drafts", methods=["POST"])
def drafts():
    if not has_key():
        return refuse("denied", 403)
    return "ok"

@app.route("/archive", methods=["POST"])
def archive():
    if not key_ok():
        return refuse("no such thing", 404)
    return "ok"
"#;
        let files = [
            ("guards.py", guards),
            (
                "store.py",
                "FLAGS = {}\nHITS = {}\ndef find_member(key):\n    return None\n",
            ),
            ("app.py", app),
        ];
        assert_eq!(
            routes(&files),
            [
                "POST /archive app.app: NONE",
                "POST /drafts app.app: NONE",
                "POST /members app.app: AUTH",
                "POST /notes app.app: AUTH",
                "POST /uploads app.app: NONE",
                "POST /visits app.app: NONE",
            ]
        );
        let model = crate::ProjectModel::build(
            files
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::PathBuf::from("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut roles: Vec<(String, bool)> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter(|(_, sec)| sec.is_authenticated())
            .map(|(m, sec)| (m.full_path.clone(), sec.checks_role()))
            .collect();
        roles.sort();
        assert_eq!(
            roles,
            [
                ("/members".to_string(), true),
                ("/notes".to_string(), false)
            ]
        );
    }

    /// A handler passing the request's Authorization header to a project function that only
    /// sends it on as a header of an outbound request, and answering 401 when nothing comes
    /// back, checks nobody; one whose function looks the token up or decodes it does.
    #[test]
    fn a_forwarded_authorization_header_is_no_check() {
        let upstream = r#"
import httpx
import jwt
TOKENS = {}

async def hub_sha(repo, authorization=None):
    headers = {}
    if authorization is not None:
        headers["authorization"] = authorization
    async with httpx.AsyncClient() as client:
        r = await client.get("https://hub/api/" + repo, headers=headers)
    if r.status_code != 200:
        return None
    return r.json()["sha"]

async def fetch_sha(repo, authorization):
    return await hub_sha(repo, authorization=authorization)

def member_for(token):
    return TOKENS.get(token)

def claims_of(authorization):
    try:
        return jwt.decode(authorization, "k", algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
"#;
        let server = r#"
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from upstream import claims_of, fetch_sha, member_for

app = FastAPI()

def not_found():
    return JSONResponse({"error": "not found"}, status_code=401)

@app.get("/api/{repo}")
async def meta(repo: str, request: Request):
    sha = await fetch_sha(repo, request.headers.get("authorization", None))
    if sha is None:
        return not_found()
    return {"sha": sha}

@app.post("/notes/{repo}")
def add_note(repo: str, request: Request):
    member = member_for(request.headers.get("authorization"))
    if member is None:
        return JSONResponse({}, status_code=401)
    return {}

@app.delete("/notes/{repo}")
def drop_note(repo: str, request: Request):
    claims = claims_of(request.headers.get("authorization"))
    if claims is None:
        return JSONResponse({}, status_code=401)
    return {}
"#;
        assert_eq!(
            routes(&[("upstream.py", upstream), ("server.py", server)]),
            [
                "DELETE /notes/{repo} server.app: AUTH",
                "GET /api/{repo} server.app: NONE",
                "POST /notes/{repo} server.app: AUTH",
            ]
        );
    }

    /// A project function returning `Depends(checker)` is that dependency when called as a
    /// parameter default or in `dependencies=[...]`; a factory of plain values, or of a
    /// dependency that checks nothing, protects nothing. The `role=` keyword of a project
    /// decorator object that appends the factory's product to `dependencies` protects too.
    #[test]
    fn dependency_factories_called_as_defaults_and_decorator_role_keywords() {
        let deps = r#"
import logging

from fastapi import Depends, HTTPException


def ctx_user():
    return None


def get_user(role=None):
    def checker():
        user = ctx_user()
        if user is None:
            raise HTTPException(status_code=403)
        if role is not None and role not in user.roles:
            raise HTTPException(status_code=403)
        return user

    return Depends(checker)


def traced(tag):
    def record():
        logging.info(tag)

    return Depends(record)


def page_size(n=20):
    return n
"#;
        let deco = r#"
from fastapi import APIRouter


class Endpoints:
    def _wrap(self, method, path, **kwargs):
        def decorator(func):
            role = kwargs.pop("role", None)
            dependencies = list(kwargs.pop("dependencies", []))
            if role is not None:
                from deps import get_user

                dependencies.append(get_user(role=role))
            router = APIRouter()
            router.add_api_route(path, func, methods=[method.upper()], dependencies=dependencies)
            return router

        return decorator

    def post(self, path, **kwargs):
        return self._wrap("post", path, **kwargs)


endpoint = Endpoints()
"#;
        let main = r#"
from fastapi import APIRouter, FastAPI

from deco import endpoint
from deps import get_user, page_size, traced

router = APIRouter()


@router.get("/me")
def me(user=get_user()):
    return user


@router.put("/settings")
def settings(user=get_user(role="admin")):
    return {}


@router.delete("/settings", dependencies=[get_user(role="admin")])
def reset():
    return {}


@router.post("/pin")
def pin(_=traced("pin")):
    return {}


@router.post("/copy")
def copy(n: int = page_size(5)):
    return {}


@endpoint.post("/plugin/notes", role="authenticated")
def note():
    return {}


@endpoint.post("/plugin/open", role=None)
def open_note():
    return {}


app = FastAPI()
app.include_router(router)
"#;
        assert_eq!(
            routes(&[("deps.py", deps), ("deco.py", deco), ("main.py", main)]),
            [
                "DELETE /settings main.app: AUTH",
                "GET /me main.app: AUTH",
                "POST /copy main.app: NONE",
                "POST /pin main.app: NONE",
                "POST /plugin/notes deco.endpoint: AUTH",
                "POST /plugin/open deco.endpoint: NONE",
                "PUT /settings main.app: AUTH",
            ]
        );
        // The role is checked only where one is given.
        let model = crate::ProjectModel::build(
            [("deps.py", deps), ("deco.py", deco), ("main.py", main)]
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::PathBuf::from("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut roles: Vec<String> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter(|(_, sec)| sec.is_authenticated())
            .map(|(m, sec)| {
                format!(
                    "{} {}: {}",
                    surface.route(m).methods.join(","),
                    m.full_path,
                    sec.auth.iter().any(|p| p.checks_role)
                )
            })
            .collect();
        roles.sort();
        assert_eq!(
            roles,
            [
                "DELETE /settings: true",
                "GET /me: false",
                "POST /plugin/notes: true",
                "PUT /settings: true",
            ]
        );
    }

    /// `caller = ctx(request)`, then `if caller is None: raise HTTPException(403)`, where the
    /// project helper returns what it made of the presented token or None, authenticates;
    /// the same shape on a helper reading a page number, or one sending the header upstream,
    /// does not.
    #[test]
    fn a_refused_caller_context_from_a_project_helper_authenticates() {
        let context = r#"
import httpx
import jwt
from fastapi import Request

KEY = open("/run/key").read()


class Context:
    def __init__(self, subject):
        self.subject = subject


def ctx(request: Request):
    token = request.headers.get("Authorization")
    if not token:
        return None
    return Context(jwt.decode(token, KEY, algorithms=["HS256"])["sub"])


def page_of(request: Request):
    page = request.query_params.get("page")
    if page is None:
        return None
    return int(page)


async def send_on(authorization):
    async with httpx.AsyncClient() as client:
        r = await client.get("https://hub/me", headers={"authorization": authorization})
    return r.json()


async def hub(request: Request):
    token = request.headers.get("Authorization")
    if token is None:
        return None
    return await send_on(token)
"#;
        let app = r#"
from fastapi import Depends, FastAPI, HTTPException, Request

from context import ctx, hub, page_of

app = FastAPI()


def need_caller(request: Request):
    caller = ctx(request)
    if caller is None:
        raise HTTPException(status_code=403)
    return caller


def need_any(request: Request):
    c = ctx(request)
    if not c:
        raise HTTPException(status_code=401)
    return c


def need_page(request: Request):
    page = page_of(request)
    if page is None:
        raise HTTPException(status_code=403)
    return page


async def need_hub(request: Request):
    p = await hub(request)
    if p is None:
        raise HTTPException(status_code=401)
    return p


@app.post("/items")
def items(c=Depends(need_caller)):
    return {}


@app.put("/items")
def put_items(c=Depends(need_any)):
    return {}


@app.post("/pages")
def pages(p=Depends(need_page)):
    return {}


@app.post("/mirror")
async def mirror(p=Depends(need_hub)):
    return {}
"#;
        assert_eq!(
            routes(&[("context.py", context), ("app.py", app)]),
            [
                "POST /items app.app: AUTH",
                "POST /mirror app.app: NONE",
                "POST /pages app.app: NONE",
                "PUT /items app.app: AUTH",
            ]
        );
    }

    /// A project decorator that answers 401 when a header is missing, then looks its value up
    /// or compares it, authenticates whatever the header is called; one that only refuses
    /// the missing header does not.
    #[test]
    fn a_refused_missing_header_then_compared_authenticates() {
        let guards = r#"
from functools import wraps
from flask import abort, jsonify, request

NODES = {"n1": "alpha"}


def from_node(f):
    @wraps(f)
    def wrapper(*args, **kwargs):
        if request.headers.get("X-Node") is None:
            return jsonify({"error": "missing"}), 401
        node = NODES.get(request.headers["X-Node"])
        if node is None:
            abort(401)
        return f(*args, **kwargs)
    return wrapper


def from_peer(f):
    @wraps(f)
    def wrapper(*args, **kwargs):
        if "X-Peer" not in request.headers:
            abort(401)
        if request.headers["X-Peer"] not in NODES:
            abort(403)
        return f(*args, **kwargs)
    return wrapper


def traced(f):
    @wraps(f)
    def wrapper(*args, **kwargs):
        if request.headers.get("X-Trace") is None:
            abort(401)
        return f(*args, **kwargs)
    return wrapper
"#;
        let app = r#"
from flask import Flask
from guards import from_node, from_peer, traced

app = Flask(__name__)


@app.route("/jobs", methods=["POST"])
@from_node
def jobs():
    return "ok"


@app.route("/peers", methods=["POST"])
@from_peer
def peers():
    return "ok"


@app.route("/traces", methods=["POST"])
@traced
def traces():
    return "ok"
"#;
        assert_eq!(
            routes(&[("guards.py", guards), ("app.py", app)]),
            [
                "POST /jobs app.app: AUTH",
                "POST /peers app.app: AUTH",
                "POST /traces app.app: NONE",
            ]
        );
    }

    #[test]
    fn a_schema_is_judged_by_its_fields_not_its_name() {
        let schemas = r#"
from marshmallow import Schema, fields

class RecoverPasswordRequestSchema(Schema):
    login = fields.Str()
    email = fields.Email()

class KeyLookupSchema(Schema):
    login = fields.Str()
    api_key = fields.Str()
"#;
        let app = r#"
from flask import Flask, request
from werkzeug.exceptions import Forbidden
from schemas import KeyLookupSchema, RecoverPasswordRequestSchema
from models import User, digest

app = Flask(__name__)

def loads_schema(data, schema):
    return schema.loads(data)

@app.route("/auth/recover_password", methods=["POST"])
def recover_password():
    schema = RecoverPasswordRequestSchema()
    obj = loads_schema(request.get_data(as_text=True), schema)
    user = User.query.filter(User.login == obj["login"]).first()
    if not user.has_rights("manage_profile"):
        raise Forbidden()
    return "sent"

@app.route("/keys/rotate", methods=["POST"])
def rotate():
    schema = KeyLookupSchema()
    obj = loads_schema(request.get_data(as_text=True), schema)
    user = User.query.filter(User.login == obj["login"], User.key == digest(obj)).first()
    if user is None:
        raise Forbidden()
    return "rotated"
"#;
        let models = r#"
class User:
    query = None

def digest(obj):
    return obj
"#;
        assert_eq!(
            routes(&[
                ("schemas.py", schemas),
                ("app.py", app),
                ("models.py", models)
            ]),
            [
                "POST /auth/recover_password app.app: NONE",
                "POST /keys/rotate app.app: AUTH",
            ]
        );
    }

    /// A FastAPI dependency that returns a response to the callers it turns away refuses
    /// nobody: the route is public and says which dependency, unless the dependency raises,
    /// relies on one that raises, or the handler returns the value first thing.
    #[test]
    fn dependency_returning_a_response_is_not_authentication() {
        let files = [
            auth001_fixture!("dependency_returns_response", "fastapi_app.py"),
            auth001_fixture!("dependency_returns_response", "users.py"),
            auth001_fixture!("dependency_returns_response", "flask_app.py"),
        ];
        assert_eq!(
            routes(&files),
            vec![
                "DELETE /items/{item_id} fastapi_app.app: NONE",
                "POST /admin/purge flask_app.app: AUTH",
                "POST /drafts fastapi_app.app: NONE",
                "POST /jobs fastapi_app.app: NONE",
                "POST /notes fastapi_app.app: NONE",
                "POST /notes flask_app.app: AUTH",
                "POST /notes/{note_id}/pin fastapi_app.app: AUTH",
                "POST /orders fastapi_app.app: AUTH",
                "POST /payments fastapi_app.app: AUTH",
                "POST /profile fastapi_app.app: AUTH",
                "POST /settings/reset fastapi_app.app: NONE",
                "PUT /items/{item_id} fastapi_app.app: AUTH",
            ]
        );
        let model = crate::ProjectModel::build(
            files
                .iter()
                .map(|(path, text)| crate::InputFile {
                    path: std::path::PathBuf::from("/project").join(path),
                    display: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            &[],
        );
        let surface = AttackSurface::build(&model, &SecurityNames::default(), &|_| false);
        let mut notes: Vec<String> = surface
            .security
            .iter()
            .flat_map(|s| s.returned_answers.iter().cloned())
            .collect();
        notes.sort();
        assert_eq!(
            notes,
            vec![
                "Depends(admin_user) relies on require_login(), which returns a response instead of raising",
                "Depends(api_key_guard) returns a response instead of raising",
                "Depends(require_login) returns a response instead of raising",
                "Depends(session_gate) returns a response instead of raising",
                "Security(require_login) returns a response instead of raising",
            ]
        );
    }

    /// A helper called first that compares the key the request sends with the configured key
    /// and aborts 401 guards the handler; the same comparison on a field that is no
    /// credential does not.
    #[test]
    fn a_helper_comparing_the_presented_key_with_the_configured_one_authenticates() {
        let core = r#"
from flask import abort

def read_value(req, name):
    return dict(req.args).get(name) or req.cookies.get(name) or ""

def key_is_valid(app, req):
    if app.config["SERVICE"]["access_key"] != read_value(req, "key"):
        abort(401)

def region_is_valid(app, req):
    if app.config["REGION"] != read_value(req, "region"):
        abort(403)
"#;
        let app = r#"
from flask import Flask, request
from core import key_is_valid, region_is_valid

app = Flask(__name__)

@app.route("/scan/new", methods=["POST"])
def new_scan():
    key_is_valid(app, request)
    return "started"

@app.route("/scan/move", methods=["POST"])
def move_scan():
    region_is_valid(app, request)
    return "moved"
"#;
        assert_eq!(
            routes(&[("core.py", core), ("app.py", app)]),
            [
                "POST /scan/move app.app: NONE",
                "POST /scan/new app.app: AUTH",
            ]
        );
    }

    /// A handler building a project object whose `__init__` authenticates, and a guard picking
    /// its check from the module's globals by name, after logging and letting everyone in
    /// while a setting says so: authenticated, and conditional on that setting.
    #[test]
    fn guards_reached_through_constructors_and_globals_lookups() {
        let auth = r#"
import logging
from flask import g
from config import conf

log = logging.getLogger(__name__)

class Unauthorized(ValueError):
    pass

def get_user_token(request):
    if "authorization" not in request.headers:
        raise Unauthorized("no header")
    return request.headers["authorization"]

def get_user(request):
    if conf.no_auth is True:
        log.debug("Authorization is disabled.")
        return "anonymous"
    if "user" not in g:
        name = "get_user_{0}".format(conf.auth_method)
        func = globals().get(name)
        if not func:
            raise RuntimeError(name)
        g.user = func(request)
    return g.user
"#;
        let config = r#"
class Conf:
    no_auth = False
    auth_method = "token"

conf = Conf()
"#;
        let app = r#"
from flask import Flask, jsonify, request
import auth

app = Flask(__name__)

class Handler:
    def __init__(self, req):
        self.user = auth.get_user(req)

@app.errorhandler(auth.Unauthorized)
def unauthorized(e):
    return jsonify(message=str(e)), 401

@app.route("/builds", methods=["POST"])
def submit():
    handler = Handler(request)
    return jsonify(owner=handler.user)

@app.route("/builds/<int:id>", methods=["PATCH"])
def cancel(id):
    user = auth.get_user(request)
    return jsonify(user=user)
"#;
        assert_eq!(
            routes(&[("auth.py", auth), ("config.py", config), ("app.py", app)]),
            // `no_auth = False` by default: the switch leaves the check on.
            [
                "PATCH /builds/<int:id> app.app: AUTH",
                "POST /builds app.app: AUTH",
            ]
        );
    }
}
