use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::helpers::identifier_words;
use crate::route_paths::is_admin;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::ProjectModel;
use routewarden_model::security::{Level, walk_exprs};
use routewarden_python::ast::{Call, Expr, ExprKind, Function, Stmt};
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
    /// routes registered only in debug, development or test mode. A route registered only
    /// under another setting is reported with the setting named.
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
            if requires_permission(cx.model, route.handler_file, route.handler, route.call, 0) {
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
        targets.extend(p.default.as_ref().and_then(dependency_target));
        if let Some(ExprKind::Subscript { slice, .. }) = p.annotation.as_ref().map(|a| &a.kind)
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
