use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::route_paths::{has_parameter, is_public, is_state_changing, names_protected_resource};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_python::ast::{Function, Stmt};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

declare_rule! {
    /// ## What it finds
    /// A sensitive route that no authentication reaches. Sensitive means a state-changing method
    /// (POST, PUT, PATCH, DELETE), a path naming a protected resource (users, accounts, orders,
    /// invoices, payments, admin, profiles, ...), a path with an object id while other routes of
    /// the same router are protected, or any route of a router, blueprint or app whose other
    /// routes (two or more) are all protected. A read-only route whose handler only redirects is
    /// not sensitive.
    ///
    /// Authentication is looked for at every level and across modules: `Depends` and `Security`
    /// parameters (also inside `Annotated` and module-level type aliases, and through nested
    /// dependencies, closures and dependency factories), `dependencies=[...]` on the route, the
    /// `APIRouter`, each `include_router` and the `FastAPI` app; FastAPI security schemes,
    /// fastapi-users, Starlette's `@requires`, Flask-Login, Flask-JWT-Extended, Flask-HTTPAuth,
    /// Flask-Security, Flask-AppBuilder; `before_request` hooks of the blueprint, a parent
    /// blueprint or the app (also registered in helpers such as `register_hooks(app)`) and HTTP
    /// middleware that refuse anonymous requests; checks in the handler itself; and the names
    /// configured in `[tool.routewarden.auth]`. A CSRF check is not authentication, and a guard
    /// whose failure is caught and ignored protects nothing. A sub-application attached with
    /// `mount()` does not inherit its parent's `dependencies=`, so it must protect itself. A
    /// route that a guard hook lets through by name or path (`if request.endpoint in PUBLIC:
    /// return`) is public by the developer's decision and reported only when its path names a
    /// protected resource.
    ///
    /// Login, logout, token, registration, password reset and recovery, e-mail verification,
    /// OAuth callbacks, health, version, documentation, static files, webhooks, the index and the
    /// configured `public-paths` are public by design and never reported, recognised by path and
    /// by the view's name. Routes whose protection cannot be known are not reported either: a
    /// router that reaches no application when some `include_router` could not be followed, a
    /// router built by a factory that no analysed code mounts, a blueprint registered on the
    /// `app` parameter of an extension's `init_app`.
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
        let mut reported = HashSet::default();
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
            if apps.context_unknown(mounted) {
                continue;
            }
            let path = &mounted.full_path;
            // The view's endpoint name (`endpoint="refresh_token"`) names it as well as its
            // function does.
            let endpoint = route.keyword("endpoint").and_then(|e| e.as_str());
            if is_public(path, &route.handler.name, &cx.settings.public_paths)
                || endpoint.is_some_and(|e| is_public(path, e, &cx.settings.public_paths))
                || !is_state_changing(&route.methods) && only_redirects(route.handler)
            {
                continue;
            }
            // Other routes of the same router or blueprint, each counted once.
            let mut siblings: HashMap<usize, bool> = HashMap::default();
            for (j, m) in surface.mounted.iter().enumerate() {
                if m.route != mounted.route && m.chain.first() == mounted.chain.first() {
                    *siblings.entry(m.route).or_default() |= surface.security[j].is_authenticated();
                }
            }
            let protected_siblings = siblings.values().filter(|&&p| p).count();
            // A route its app's guard deliberately lets through is public by decision; report
            // it only when it exposes a protected resource.
            let reason = if security.hook_exempt {
                names_protected_resource(path).map(|resource| {
                    format!("its path names a protected resource (`{resource}`) and the authentication hook lets it through")
                })
            } else if is_state_changing(&route.methods) {
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
                Some(format!(
                    "the {} other routes of its router all require authentication",
                    siblings.len()
                ))
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

/// A handler whose body (after its docstring) is a single `return redirect(...)` or
/// `return RedirectResponse(...)`: it reveals nothing.
fn only_redirects(handler: &Function) -> bool {
    let body: Vec<&Stmt> = handler
        .body
        .iter()
        .filter(|s| !matches!(s, Stmt::Expr { value, .. } if value.is_string_literal()))
        .collect();
    match body.as_slice() {
        [Stmt::Return { value: Some(v), .. }] => v
            .as_call()
            .and_then(|c| c.func.last_name())
            .is_some_and(|n| matches!(n, "redirect" | "RedirectResponse")),
        _ => false,
    }
}
