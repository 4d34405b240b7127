use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::route_paths::is_admin;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::security::Level;
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// An administrative route (an `admin` path segment or a handler named for administration)
    /// that authenticates the caller but never checks a role, permission, scope or superuser
    /// flag: not in its dependencies (followed transitively), not in its decorators
    /// (`roles_required`, `@auth.login_required(role=...)`, `Security(..., scopes=[...])`,
    /// fastapi-users' `current_user(superuser=True)`), not in a router- or app-level guard and not
    /// in the handler body (`user.is_superuser`, `has_role(...)`, `.permissions`). Routes whose
    /// only authentication is an app-wide middleware (a shared API token) are not reported: no
    /// user is identified whose role could be checked. Nor are routes whose router reaches no
    /// application the analysis sees: a role check may be where it is mounted, nor test
    /// scaffolding (an application created in test code serving a handler written there).
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
                    "admin route {} {} authenticates ({how}) but checks no role or permission",
                    route.methods.join(","),
                    mounted.full_path
                ),
            );
            out.extend(f.into_vec());
        }
    }
}
