use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::route_paths::{has_parameter, is_public, is_state_changing, names_protected_resource};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::frameworks::ObjectKind;
use std::collections::HashSet;

declare_rule! {
    /// ## What it finds
    /// A sensitive route that no authentication reaches. Sensitive means a state-changing method
    /// (POST, PUT, PATCH, DELETE), a path naming a protected resource (users, accounts, orders,
    /// invoices, payments, admin, profiles, ...), a path with an object id while other routes of
    /// the same router are protected, or any route of a router whose other routes are all
    /// protected. Authentication is looked for at every level and across modules: `Depends` and
    /// `Security` parameters (also inside `Annotated` and type aliases, and through nested
    /// dependencies), `dependencies=[...]` on the route, the `APIRouter`, each `include_router`
    /// and the `FastAPI` app, FastAPI security schemes, fastapi-users, Starlette's `@requires`,
    /// Flask-Login, Flask-JWT-Extended, Flask-HTTPAuth, Flask-Security, Flask-AppBuilder,
    /// `before_request` hooks of the blueprint or app that refuse anonymous requests, HTTP
    /// middleware that does, checks in the handler itself, and the names configured in
    /// `[tool.routewarden.auth]`. Login, logout, token, registration, password reset, email
    /// verification, OAuth callbacks, health, version, documentation, static files, the index
    /// and the configured `public-paths` are public by design and never reported.
    ///
    /// ## Why is this dangerous
    /// Anyone who can reach the server can call the route: read other people's records by
    /// changing an id, change or delete data, trigger payments. Missing authentication is the
    /// first item of every API security list because a single forgotten dependency exposes a
    /// whole resource, and nothing in the framework warns about it.
    ///
    /// ## Example
    /// ```python
    /// router = APIRouter(prefix="/invoices")
    ///
    /// @router.delete("/{invoice_id}")
    /// def delete_invoice(invoice_id: int): ...
    /// ```
    ///
    /// ## Fix
    /// Require the authenticated user, on the route or once for the whole router:
    /// ```python
    /// router = APIRouter(prefix="/invoices", dependencies=[Depends(get_current_user)])
    /// ```
    /// In Flask, decorate the view with `@login_required` (below the route decorator) or
    /// register a `before_request` guard on its blueprint. If the route is public by design,
    /// add its path to `public-paths` under `[tool.routewarden.auth]`.
    pub static ROUTE_WITHOUT_AUTH = {
        code: "AUTH001",
        name: "route-without-auth",
        severity: High,
        confidence: Medium,
        cwe: 306,
        fix: "Require authentication on the route, its router or its app",
    }
}

pub struct RouteWithoutAuth;

impl Rule for RouteWithoutAuth {
    fn meta(&self) -> &'static RuleMeta {
        &ROUTE_WITHOUT_AUTH
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let apps = &surface.apps;
        let mut reported = HashSet::new();
        for (i, mounted) in surface.mounted.iter().enumerate() {
            let route = surface.route(mounted);
            let security = &surface.security[i];
            if security.is_authenticated() || security.misordered_auth.is_some() {
                continue;
            }
            if route
                .methods
                .iter()
                .all(|m| matches!(m.as_str(), "HEAD" | "OPTIONS"))
            {
                continue;
            }
            // A router that reaches no application may be mounted where we cannot see, with
            // dependencies we cannot see.
            let reaches_app = apps.app_of(mounted).is_some();
            if !reaches_app && (apps.unresolved_mounts > 0 || mounted.chain.is_empty()) {
                continue;
            }
            if !reaches_app
                && mounted
                    .chain
                    .last()
                    .and_then(|id| apps.kind(id))
                    .is_some_and(|k| k == ObjectKind::ParameterApp)
            {
                continue;
            }
            let path = &mounted.full_path;
            if is_public(path, &route.handler.name, &cx.settings.public_paths) {
                continue;
            }
            let siblings: Vec<usize> = surface
                .mounted
                .iter()
                .enumerate()
                .filter(|(j, m)| {
                    *j != i && m.route != mounted.route && m.chain.first() == mounted.chain.first()
                })
                .map(|(j, _)| j)
                .collect();
            let protected_siblings = siblings
                .iter()
                .filter(|&&j| surface.security[j].is_authenticated())
                .count();
            let reason = if is_state_changing(&route.methods) {
                Some(format!("{} changes state", route.methods.join("/")))
            } else if let Some(resource) = names_protected_resource(path) {
                Some(format!(
                    "its path names a protected resource (`{resource}`)"
                ))
            } else if has_parameter(path) && protected_siblings > 0 {
                Some(
                    "it addresses an object by id while other routes of its router are protected"
                        .to_string(),
                )
            } else if siblings.len() >= 2 && protected_siblings == siblings.len() {
                Some("every other route of its router is protected".to_string())
            } else {
                None
            };
            let Some(reason) = reason else { continue };
            if !reported.insert(mounted.route) {
                continue;
            }
            let mut f = Findings::new(route.file);
            f.report(
                &ROUTE_WITHOUT_AUTH,
                route.span,
                format!(
                    "{} {} can be called without authentication: {reason}",
                    route.methods.join(","),
                    path
                ),
            );
            out.extend(f.into_vec());
        }
    }
}
