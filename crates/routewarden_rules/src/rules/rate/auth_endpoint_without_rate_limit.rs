use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::route_paths::credential_endpoint;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{ExprKind, Function, Stmt};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A credential-handling endpoint without a rate limit. Credential-handling: login, token,
    /// password reset and recovery, OTP and two-factor verification, registration; recognised by
    /// path (a `token` word alone or beside words of issuing, refreshing or verifying one:
    /// `/token`, `access_token`, `get-token`, `verify_token`; beside other words it names
    /// something else done with tokens, `/store_token` keeping one obtained elsewhere,
    /// `/count_token` or `/token_check` of a language-model server, and only what the handler
    /// takes or calls can make it one), by the configured `login-paths`, by an
    /// `OAuth2PasswordRequestForm` parameter, and by
    /// what the handler calls (`check_password_hash`, `verify_password`, `authenticate`,
    /// `login_user`). Limits are recognised from slowapi (`@limiter.limit`, `default_limits`
    /// with `SlowAPIMiddleware`), fastapi-limiter (a `RateLimiter` dependency on the route,
    /// router, include or app), Flask-Limiter (`@limiter.limit`, `default_limits` of a limiter
    /// attached to the app, also with `init_app` in a factory or helper, a limit applied to the
    /// blueprint), the project's own limiter as a dependency of the route, router, include or
    /// app (`Depends(login_rate_limiter)`, a callable named for rate limiting or throttling), a
    /// decorator handed such a callable (`@prepolicy(auth_timelimit, request)`) and
    /// limits enforced by hand in the handler (`login_limiter.is_limited(key)`);
    /// `@limiter.exempt` removes a limit. A handler that reads nothing the client sends and
    /// answers with a redirect (a `POST /login` that only sends the browser on to an identity
    /// provider) offers nothing to guess. Only
    /// methods that submit credentials (POST, PUT, PATCH) are considered, and only routes open
    /// to anonymous callers (an authenticated route that issues or changes credentials is not a
    /// brute-force target) whose router is mounted in an application the analysis sees, other
    /// than a throw-away one (served only on a random loopback port, or created in test code for
    /// a handler written in test code). A
    /// handler that receives credentials (a password-like parameter or body-model field, a
    /// password read from the request, an `OAuth2PasswordRequestForm`, a call to a password
    /// check) is open to anonymous callers even when it answers a bad password with 401: that
    /// refusal is the login itself, not an authentication requirement. Optional authentication
    /// (`HTTPBearer(auto_error=False)`) does not close the door either, and neither does
    /// authentication installed only under a runtime condition, nor a token the handler checks
    /// (a password-reset or activation token): that token is what an attacker guesses.
    ///
    /// ## Why is this dangerous
    /// Without a limit an attacker can try passwords, one-time codes or reset tokens as fast as
    /// the server answers: a six-digit code falls in minutes, and leaked password lists are
    /// tried against every account (credential stuffing).
    ///
    /// ## Example
    /// ```python
    /// @app.post("/login")
    /// def login(form: OAuth2PasswordRequestForm = Depends()): ...
    /// ```
    ///
    /// ## Fix
    /// Limit attempts per client and per account:
    /// ```python
    /// limiter = Limiter(key_func=get_remote_address)
    /// app.state.limiter = limiter
    ///
    /// @app.post("/login")
    /// @limiter.limit("5/minute")
    /// def login(request: Request, form: OAuth2PasswordRequestForm = Depends()): ...
    /// ```
    pub static AUTH_ENDPOINT_WITHOUT_RATE_LIMIT = {
        code: "RATE001",
        name: "auth-endpoint-without-rate-limit",
        severity: Medium,
        confidence: Medium,
        cwe: 307,
        fix: "Apply a rate limit to the endpoint (slowapi, fastapi-limiter or Flask-Limiter)",
    }
}

pub struct AuthEndpointWithoutRateLimit;

impl Rule for AuthEndpointWithoutRateLimit {
    fn meta(&self) -> &'static RuleMeta {
        &AUTH_ENDPOINT_WITHOUT_RATE_LIMIT
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let mut reported = HashSet::default();
        for (i, mounted) in surface.mounted.iter().enumerate() {
            let route = surface.route(mounted);
            if !route
                .methods
                .iter()
                .any(|m| matches!(m.as_str(), "POST" | "PUT" | "PATCH"))
            {
                continue;
            }
            let security = &surface.security[i];
            // Brute force needs an open door: an authenticated route that mints or changes
            // credentials is not one. A token the handler checks (a reset link) is the very
            // thing guessed. Nor is one behind a login that a setting can switch off.
            if security.is_rate_limited()
                || security.misordered_limit.is_some()
                || security.guarded_by_login()
                || surface.apps.context_unknown(mounted)
                || surface.apps.is_throwaway(mounted)
            {
                continue;
            }
            let Some(why) = credential_endpoint(
                cx.model,
                route,
                &mounted.full_path,
                &cx.settings.login_paths,
            ) else {
                continue;
            };
            // `POST /login` that only sends the browser on to an identity provider: nothing
            // submitted, nothing to guess.
            if only_redirects_to_provider(route.handler) {
                continue;
            }
            if !reported.insert(mounted.route) {
                continue;
            }
            let mut f = Findings::new(route.file);
            f.report(
                &AUTH_ENDPOINT_WITHOUT_RATE_LIMIT,
                route.span,
                format!(
                    "{} {} handles credentials ({why}) but has no rate limit",
                    route.methods.join(","),
                    mounted.full_path
                ),
            );
            out.extend(f.into_vec());
        }
    }
}

/// A handler that takes nothing from the client (no parameter but the request, no read of
/// its body, form, query or headers) and answers with a redirect (`return await
/// oauth.google.authorize_redirect(request, uri)`, `return RedirectResponse(url)`).
fn only_redirects_to_provider(handler: &Function) -> bool {
    let redirects = handler.body.last().is_some_and(|s| match s {
        Stmt::Return { value: Some(v), .. } => {
            let v = match &v.kind {
                ExprKind::Await(inner) => inner.as_ref(),
                _ => v,
            };
            v.as_call()
                .and_then(|c| c.func.last_name())
                .is_some_and(|n| n.to_ascii_lowercase().contains("redirect"))
        }
        _ => false,
    });
    redirects && !takes_client_input(handler)
}

/// Whether a handler reads anything the client sends: a parameter other than the request or
/// the response (a dependency may parse the body), or the request's body, form, query or
/// headers.
fn takes_client_input(handler: &Function) -> bool {
    const PLUMBING: &[&str] = &["self", "cls", "request", "req", "response"];
    if handler
        .params
        .iter()
        .any(|p| !PLUMBING.contains(&p.name.as_str()))
    {
        return true;
    }
    let mut reads = false;
    walk_exprs(&handler.body, &mut |e| {
        reads |= e.any(&mut |x| match &x.kind {
            ExprKind::Attribute { value, attr } => {
                value
                    .as_name()
                    .is_some_and(|n| n == "request" || n == "req")
                    && matches!(
                        attr.as_str(),
                        "form"
                            | "json"
                            | "get_json"
                            | "get_data"
                            | "data"
                            | "args"
                            | "values"
                            | "files"
                            | "body"
                            | "stream"
                            | "query_params"
                            | "path_params"
                            | "headers"
                            | "cookies"
                            | "authorization"
                    )
            }
            _ => false,
        });
    });
    reads
}
