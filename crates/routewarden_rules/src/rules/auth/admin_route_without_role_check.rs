use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::helpers::{identifier_words, project_class_of, without_not};
use crate::route_paths::is_admin;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use crate::untrusted::resolve_callee;
use routewarden_model::apps::find_method;
use routewarden_model::security::{Level, walk_exprs};
use routewarden_model::{ProjectModel, for_each_return};
use routewarden_python::ast::{Call, Class, CmpOp, Expr, ExprKind, Function, Stmt};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// An administrative route (an `admin` path segment or a handler named for administration)
    /// that authenticates the caller but never checks a role, permission, scope or superuser
    /// flag: not in its dependencies (followed transitively), not in its decorators
    /// (`roles_required`, `@auth.login_required(role=...)`, `Security(..., scopes=[...])`,
    /// fastapi-users' `current_user(superuser=True)`, Flask-OAuthlib's
    /// `@oauth2.require_oauth("scope")`, a project decorator factory whose wrapper refuses
    /// unless the caller holds what its arguments name, `@requires_capabilities(Caps.manage)`
    /// testing `g.user.has_rights(cap)`), not in a router- or app-level guard and not
    /// in the handler body (`user.is_superuser`, `has_role(...)`, `.permissions`), nor by the
    /// verifying call of the handler or of a dependency it names, given the permission it
    /// requires (`validate_access_token(token, required_permissions=[ADMIN])`, `roles=`,
    /// `scopes=`; an OAuth callback that mints an admin session only for admins). Routes whose
    /// only authentication is an app-wide middleware (a shared API token) are not reported: no
    /// user is identified whose role could be checked. Nor are routes whose router reaches no
    /// application the analysis sees: a role check may be where it is mounted, nor test
    /// scaffolding (an application created in test code serving a handler written there), nor
    /// routes registered only in debug, development or test mode, nor a first-run set-up route
    /// that ends the request at its top whenever an account exists (`if not
    /// auth.needs_setup(): raise ...`, `needs_setup` returning `self.db.user_count() == 0`;
    /// `if User.query.count() > 0: abort(403)`): until then nobody holds a role to check. A
    /// route registered only under another setting is reported with the setting named.
    ///
    /// ## Why is this dangerous
    /// Authentication answers who the caller is, not what they may do. Every registered user can
    /// call an admin route that only checks for a logged-in user: list all users, change roles,
    /// read the audit log. This vertical privilege escalation is one of the most common findings
    /// of API penetration tests.
    ///
    /// ## Example
    /// ```python
    /// @router.delete("/admin/users/{user_id}")
    /// def delete_user(user_id: int, user: User = Depends(get_current_user)): ...
    /// ```
    ///
    /// ## Fix
    /// Depend on a guard that checks the role:
    /// ```python
    /// def get_current_admin(user: User = Depends(get_current_user)) -> User:
    ///     if not user.is_superuser:
    ///         raise HTTPException(status_code=403)
    ///     return user
    ///
    /// @router.delete("/admin/users/{user_id}")
    /// def delete_user(user_id: int, admin: User = Depends(get_current_admin)): ...
    /// ```
    pub static ADMIN_ROUTE_WITHOUT_ROLE_CHECK = {
        code: "AUTH005",
        name: "admin-route-without-role-check",
        severity: High,
        confidence: Medium,
        cwe: 285,
        fix: "Check the caller's role or permission in a dependency or decorator of the admin route",
    }
}

pub struct AdminRouteWithoutRoleCheck;

impl Rule for AdminRouteWithoutRoleCheck {
    fn meta(&self) -> &'static RuleMeta {
        &ADMIN_ROUTE_WITHOUT_ROLE_CHECK
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let mut reported = HashSet::default();
        for (i, mounted) in surface.mounted.iter().enumerate() {
            let route = surface.route(mounted);
            let security = &surface.security[i];
            if !security.is_authenticated()
                || security.checks_role()
                || surface.apps.context_unknown(mounted)
                || surface.apps.is_throwaway(mounted)
                || surface.apps.is_development_only(mounted, &surface.mounted)
            {
                continue;
            }
            // An app-wide middleware (a shared API token, an SSO proxy header) identifies no user
            // whose role the route could check.
            if security.auth.iter().all(|p| p.level == Level::Middleware) {
                continue;
            }
            if !is_admin(&mounted.full_path, &route.handler.name) || !reported.insert(mounted.route)
            {
                continue;
            }
            if requires_permission(cx.model, route.handler_file, route.handler, route.call, 0)
                || serves_only_before_first_account(cx.model, route.handler_file, route.handler)
            {
                continue;
            }
            let how = security
                .auth
                .iter()
                .map(|p| p.mechanism.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let mut f = Findings::new(route.file);
            f.report(
                &ADMIN_ROUTE_WITHOUT_ROLE_CHECK,
                route.span,
                format!(
                    "admin route {} {} authenticates ({how}) but checks no role or permission{}",
                    route.methods.join(","),
                    mounted.full_path,
                    crate::helpers::registration_note(surface, mounted)
                ),
            );
            out.extend(f.into_vec());
        }
    }
}

/// Whether a keyword names what a verifying call requires of the caller:
/// `required_permissions`, `roles`, `scopes`, `superuser`.
fn names_permission(keyword: &str) -> bool {
    identifier_words(keyword).iter().any(|w| {
        matches!(
            w.as_str(),
            "permission" | "permissions" | "role" | "roles" | "scope" | "scopes" | "superuser"
        )
    })
}

/// A value that asks for something: not `None`, `False`, an empty string or collection.
fn asks_for_something(value: &Expr) -> bool {
    match &value.kind {
        ExprKind::NoneLiteral => false,
        ExprKind::Bool(b) => *b,
        ExprKind::Str(s) => !s.is_empty(),
        ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => !items.is_empty(),
        ExprKind::Dict(entries) => !entries.is_empty(),
        _ => value.as_name() != Some("None"),
    }
}

/// A verifying call given the permission it must find: `validate_access_token(token,
/// required_permissions=[ADMIN])`, `verify(token, scopes=[...])`. The keyword says the value
/// is required, or the function is named for a check; `create_user(permissions=[...])` grants
/// permissions, it does not ask for them.
fn passes_permission(call: &Call) -> bool {
    let checks = || {
        call.func.last_name().is_some_and(|n| {
            identifier_words(n).iter().any(|w| {
                matches!(
                    w.as_str(),
                    "validate"
                        | "verify"
                        | "check"
                        | "authorize"
                        | "authorise"
                        | "require"
                        | "requires"
                        | "ensure"
                        | "enforce"
                        | "assert"
                )
            })
        })
    };
    call.keywords.iter().any(|k| {
        k.arg.as_deref().is_some_and(|arg| {
            names_permission(arg)
                && (identifier_words(arg)
                    .iter()
                    .any(|w| matches!(w.as_str(), "required" | "require" | "requires"))
                    || checks())
        }) && asks_for_something(&k.value)
    })
}

/// `Depends(f)`, `Security(f, ...)`, `Depends(dependency=f)`: `f`.
fn dependency_target(expr: &Expr) -> Option<&Expr> {
    let call = expr.as_call()?;
    if !matches!(call.func.last_name(), Some("Depends" | "Security")) {
        return None;
    }
    call.args.first().or_else(|| call.keyword("dependency"))
}

/// Whether the handler, or a project function it depends on (`Depends(f)` in a parameter,
/// also in `Annotated[...]`, or in the route's `dependencies=[...]`; followed a few levels),
/// calls something with the permission it requires:
/// `validate_access_token(token, required_permissions=[ADMIN])`.
fn requires_permission(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    route_call: Option<&Call>,
    depth: u32,
) -> bool {
    if depth > 3 {
        return false;
    }
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| x.as_call().is_some_and(passes_permission));
    });
    if found {
        return true;
    }
    let mut targets: Vec<&Expr> = Vec::new();
    for p in &function.params {
        targets.extend(p.default.as_deref().and_then(dependency_target));
        if let Some(ExprKind::Subscript { slice, .. }) = p.annotation.as_deref().map(|a| &a.kind)
            && let Some(items) = slice.elements()
        {
            targets.extend(items.iter().skip(1).filter_map(dependency_target));
        }
    }
    if let Some(ExprKind::List(items) | ExprKind::Tuple(items)) = route_call
        .and_then(|c| c.keyword("dependencies"))
        .map(|d| &d.kind)
    {
        targets.extend(items.iter().filter_map(dependency_target));
    }
    targets.into_iter().any(|target| {
        if target.as_call().is_some_and(passes_permission) {
            return true;
        }
        matches!(
            model.resolve_definition(file, target),
            Some((f, Some(Stmt::FunctionDef(dependency)), _))
                if requires_permission(model, f, dependency, None, depth + 1)
        )
    })
}

/// A first-run set-up handler: at its top it ends the request (`raise`, `return`, `abort(...)`)
/// whenever an account exists (`if not auth.needs_setup(): raise HTTPException(403)`, where
/// `needs_setup` returns `self.db.user_count() == 0`). It only ever serves while nobody holds a
/// role that could be checked: it creates the first one.
fn serves_only_before_first_account(model: &ProjectModel, file: usize, handler: &Function) -> bool {
    let scope = [handler];
    // At its top: after a docstring, local assignments and other such refusals only.
    for stmt in &handler.body {
        match stmt {
            Stmt::If {
                test, body, orelse, ..
            } if orelse.is_empty() && matches!(body.as_slice(), [only] if ends_request(only)) => {
                if accounts_exist(model, file, &scope, None, test, 0) == Some(true) {
                    return true;
                }
            }
            Stmt::Assign { .. } => {}
            Stmt::Expr { value, .. } if value.as_str().is_some() => {}
            _ => return false,
        }
    }
    false
}

/// `raise ...`, `return ...`, `abort(...)`.
fn ends_request(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Raise { .. } | Stmt::Return { .. } => true,
        Stmt::Expr { value, .. } => value
            .as_call()
            .is_some_and(|c| c.func.last_name() == Some("abort")),
        _ => false,
    }
}

/// Whether `e` holds exactly when some account exists (`Some(true)`), exactly when none does
/// (`Some(false)`), or says nothing about it (`None`): a count of the users compared with zero
/// (`self.db.user_count() == 0`, `User.query.count() > 0`), its negation, or a call of a
/// project function or method that returns only such a test (`auth.needs_setup()`,
/// `self.initialized()`). `class` is the class whose methods `self` reaches.
fn accounts_exist(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    class: Option<(usize, &Class)>,
    e: &Expr,
    depth: u32,
) -> Option<bool> {
    if depth > 3 {
        return None;
    }
    let (negated, e) = without_not(e);
    let e = match &e.kind {
        ExprKind::Await(inner) => inner.as_ref(),
        _ => e,
    };
    let holds = if let [(left, op, right)] = e.comparisons()[..] {
        let zero = |x: &Expr| matches!(x.kind, ExprKind::Int(Some(0)));
        let one = |x: &Expr| matches!(x.kind, ExprKind::Int(Some(1)));
        match (op, left, right) {
            (CmpOp::Eq, l, r) if zero(r) && counts_accounts(l) => false,
            (CmpOp::Eq, l, r) if zero(l) && counts_accounts(r) => false,
            (CmpOp::NotEq | CmpOp::Gt, l, r) if zero(r) && counts_accounts(l) => true,
            (CmpOp::GtE, l, r) if one(r) && counts_accounts(l) => true,
            _ => return None,
        }
    } else {
        let call = e.as_call()?;
        if counts_accounts(e) {
            true
        } else if !call.args.is_empty() || !call.keywords.is_empty() {
            return None;
        } else {
            let (def_file, def, def_class) = project_callee(model, file, scope, class, &call.func)?;
            let inner = [def];
            let mut answer = None;
            let mut all = true;
            for_each_return(&def.body, &mut |v| {
                let this = accounts_exist(model, def_file, &inner, def_class, v, depth + 1);
                all &= this.is_some() && (answer.is_none() || answer == this);
                answer = this;
            });
            if !all {
                return None;
            }
            answer?
        }
    };
    Some(holds != negated)
}

/// Words naming the accounts a count can be of.
const ACCOUNTS: &[&str] = &["user", "users", "account", "accounts"];

fn names_accounts(name: &str) -> bool {
    identifier_words(name)
        .iter()
        .any(|w| ACCOUNTS.contains(&w.as_str()))
}

/// A call counting the accounts, with no argument: its name says it counts them
/// (`self.db.user_count()`), or it counts (`count`) what it is called on and that is the users
/// (`User.query.count()`, `User.objects.count()`, `session.query(User).count()`; not
/// `user.posts.count()`).
fn counts_accounts(e: &Expr) -> bool {
    let Some(call) = e.as_call() else {
        return false;
    };
    let Some(name) = call.func.last_name() else {
        return false;
    };
    if !call.args.is_empty() || !identifier_words(name).iter().any(|w| w == "count") {
        return false;
    }
    if names_accounts(name) {
        return true;
    }
    match &call.func.kind {
        ExprKind::Attribute { value, .. } => counted_subject(value, 0),
        _ => false,
    }
}

/// Whether the rows `e` stands for are the users: `User`, `User.query`, `User.objects`,
/// `session.query(User)`.
fn counted_subject(e: &Expr, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    match &e.kind {
        ExprKind::Name(n) => names_accounts(n),
        ExprKind::Attribute { value, attr } => {
            if matches!(attr.as_str(), "query" | "objects") {
                counted_subject(value, depth + 1)
            } else {
                names_accounts(attr)
            }
        }
        ExprKind::Call(c) => match c.func.last_name() {
            Some("query" | "select" | "select_from") => c
                .args
                .first()
                .is_some_and(|a| a.last_name().is_some_and(names_accounts)),
            // A filtered count (`filter_by(username=name)`) asks whether one user exists.
            _ => false,
        },
        _ => false,
    }
}

/// A project class and the file that defines it.
type ClassIn<'m> = (usize, &'m Class);

/// The project function or method `func` calls: `self.method` of `class`, a method of the
/// project class of its receiver (`auth.needs_setup` with `auth: AuthService`), or a project
/// function; with its file and the class whose methods its `self` reaches.
fn project_callee<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &[&'m Function],
    class: Option<ClassIn<'m>>,
    func: &'m Expr,
) -> Option<(usize, &'m Function, Option<ClassIn<'m>>)> {
    if let ExprKind::Attribute { value, attr } = &func.kind {
        let owner = if value.as_name() == Some("self") {
            class
        } else {
            project_class_of(model, file, scope, value)
        };
        if let Some((class_file, owner)) = owner {
            return find_method(model, class_file, owner, attr)
                .map(|(f, c, m)| (f, m, Some((f, c))));
        }
    }
    resolve_callee(model, file, func).map(|(f, def, _)| (f, def, None))
}
