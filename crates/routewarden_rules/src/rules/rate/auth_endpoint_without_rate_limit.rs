use crate::credentials::assigned_values;
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::route_paths::{credential_endpoint, methods_unread};
use crate::rule::{Confidence, ProjectContext, Rule, RuleMeta};
use crate::rules::auth::route_without_auth::{only_fails, only_redirects};
use crate::untrusted::resolve_callee;
use routewarden_model::ProjectModel;
use routewarden_model::security::{credential_evidence, walk_exprs, walk_stmts};
use routewarden_python::ast::{
    BinOp, BoolOp, Call, CmpOp, Expr, ExprKind, Function, Stmt, UnaryOp, code_statements,
};
use routewarden_python::names::Imports;
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
    /// blueprint; the decorators of a limiter never attached limit nothing, as Flask-Limiter
    /// checks no limit before `init_app`), the project's own limiter as a dependency of the route, router, include or
    /// app (`Depends(login_rate_limiter)`, a callable named for rate limiting or throttling), a
    /// decorator handed such a callable (`@prepolicy(auth_timelimit, request)`) and
    /// limits enforced by hand in the handler (`login_limiter.is_limited(key)`) or, in a login,
    /// in the project functions it calls up to two calls deep (`login_user()` calling
    /// `login_rate_limiter.check(username)`, or raising `TooManyRequests`/429), a
    /// `before_request` hook of the app or of the route's blueprint (or an HTTP middleware
    /// function) that applies such a limiter itself or in the project functions it calls
    /// (`apply_rate_limit_for_request()` hitting a `limits` limiter and raising
    /// `TooManyRequests`), unless it lets the route through by name or path, a project
    /// decorator factory returning an attached limiter's `limit(...)` (`@limit("3/minute")`
    /// with `def limit(*args, **kwargs): return server.limiter.limit(*args, **kwargs)`, also
    /// when `server.limiter` is a module-level `None` slot that a function of its module fills
    /// with `Limiter(app=app)`), and failed attempts counted by hand: an `if` comparing a
    /// counter read from a store with a threshold that refuses (`raise`, `abort(...)`,
    /// `return`) before the credential is checked, in the handler or in a project function or
    /// method it calls first (a form's `validate`), where the same function adds one to that
    /// counter (`r.incr(key)`, `account.failed_logins += 1`) or pushes onto a queue whose length
    /// is compared (`if fails.length() >= max_failures: raise ...`, then `fails.push(...)` on
    /// a failure), or an account locked out: a method of the account's project class compares
    /// `self`'s failure count with a maximum (`is_blocked, _ = user.is_blocked(max_attempts)`)
    /// and the login is refused while it holds (`if blocked: return ..., 401` before the check,
    /// or `if user.check_password(pw) and not is_blocked:` granting it), while the function or
    /// a project function it calls or hands on (`Thread(target=handle_failed_login)`) adds one
    /// to that count (`user.failed_login_attempts += 1`); a counter never compared, a
    /// threshold on a counter never increased, or a lockout tested only after the password
    /// check limits nothing. `@limiter.exempt` removes a limit. A handler that reads nothing
    /// the client sends and answers with a redirect (a `POST /login` that only sends the browser on to an identity
    /// provider) offers nothing to guess, nor does one that starts a login with a third party:
    /// it takes only path parameters naming no credential, reads nothing of the request, and
    /// answers an authorization URL built by an OAuth client library (authlib's
    /// `create_authorization_url`, requests-oauthlib's `authorization_url`, oauthlib's
    /// `prepare_request_uri`) or by a project method calling one, nor an alias whose one
    /// statement returns a redirect built from path parameters naming no credential
    /// (`return redirect(url_for("api.change_password_for_user", username=username), code=307)`:
    /// the route it sends the client to is judged on its own), nor a retired route that only
    /// fails (`return "Obsolete API", 404`, or `abort(404)` before code that never runs).
    /// Neither does a page at a login path whose handler renders a page or redirects and (with
    /// the project functions it calls) takes nothing submitted: no parameter, no read of the
    /// body, form, headers or cookies, no form object, no login or password call, only query
    /// keys that say where to go next (a page listing identity providers).
    /// A handler that passes what the client submitted (the form, the body, a form object) to
    /// a project function that reads a password from it (`handle_login_form(request.form)`
    /// reading `form["password"]`) handles credentials through that function. Methods that
    /// submit credentials (POST, PUT, PATCH) are considered (also methods the analysis cannot
    /// read, `methods=verbs` shown as `<dynamic>`, which may include POST: reported at low
    /// confidence, saying so, unless the handler is a target as a GET), and GET when the handler itself
    /// exchanges a password the caller sends (a header, a query parameter) for a credential it
    /// hands back (a token, an API key, a session, a cookie holding a value made at run time;
    /// a constant marker cookie is none), unless that password is the caller's own choice (a
    /// path parameter set against the credentials the same request carries, as in
    /// `/check/<user>/<passwd>`: no secret on the server's side), and only routes open
    /// to anonymous callers (an authenticated route that issues or changes credentials is not a
    /// brute-force target) whose router is mounted in an application the analysis sees, other
    /// than a throw-away one (served only on a random loopback port, or created in test code for
    /// a handler written in test code), and not registered only in debug, development or test
    /// mode (a route registered only under another setting is reported with the setting
    /// named). A
    /// handler that receives credentials (a password-like parameter or body-model field, a
    /// password read from the request, an `OAuth2PasswordRequestForm`, a call to a password
    /// check) is open to anonymous callers even when it answers a bad password with 401: that
    /// refusal is the login itself, not an authentication requirement; so is one whose helpers
    /// read the password it was sent (`login()` → `login_user_session()` → `login_user()`
    /// reading `request.json["password"]`), unless the handler's own test refuses. Optional authentication
    /// (`HTTPBearer(auto_error=False)`) does not close the door either, and neither does
    /// authentication installed only under a runtime condition, nor a token the handler checks
    /// (a password-reset or activation token): that token is what an attacker guesses. Unless
    /// the token is signed: when the only secret the handler checks is a value the client sends
    /// that goes into a signature check (an itsdangerous serializer's `loads`/`loads_salted`,
    /// `jwt.decode`, flask-jwt-extended's `decode_token`, Flask-Security's
    /// `check_and_get_token_status`), in the handler or in project functions it hands the
    /// value to (`User.verify_hash(hash)` → `confirm_email_token(hash)` →
    /// `serializer.loads(hash)`), a guess fails that check however fast it comes, and the
    /// route is not reported; a code looked up in a table or compared with `==`, or a signed
    /// token sent with a password that is checked too, stays reported.
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
            let submits = route
                .methods
                .iter()
                .any(|m| matches!(m.as_str(), "POST" | "PUT" | "PATCH"));
            // Methods that cannot be read may include POST.
            let unread = !submits && methods_unread(&route.methods);
            let submits = submits || unread;
            if !submits && !route.methods.iter().any(|m| m == "GET") {
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
                || surface.apps.is_development_only(mounted, &surface.mounted)
            {
                continue;
            }
            // A GET that only shows a login page is no target: only one whose handler itself
            // checks a password the caller sends and hands back a credential for it.
            let as_get = || {
                if caller_chosen_password(
                    cx.model,
                    route.handler_file,
                    route.handler,
                    &mounted.full_path,
                ) {
                    None
                } else {
                    get_credential_exchange(route.handler)
                }
            };
            let as_submit = || {
                credential_endpoint(
                    cx.model,
                    route,
                    &mounted.full_path,
                    &cx.settings.login_paths,
                )
                .or_else(|| helper_reads_password(cx.model, route.handler_file, route.handler))
            };
            // Unread methods: a target as a GET whatever the method; else only if it takes a
            // POST, which is not known (lower confidence).
            let (why, unread) = if unread {
                match as_get() {
                    Some(why) => (Some(why), false),
                    None => (as_submit(), true),
                }
            } else if submits {
                (as_submit(), false)
            } else {
                (as_get(), false)
            };
            let Some(why) = why else {
                continue;
            };
            // `POST /login` that only sends the browser on to an identity provider, or a login
            // page listing the providers: nothing submitted, nothing to guess.
            if only_redirects_to_provider(route.handler)
                || starts_provider_login(
                    cx.model,
                    route.handler_file,
                    route.handler,
                    &mounted.full_path,
                )
                || (answers_page(route.handler)
                    && credential_evidence(cx.model, route.handler_file, route.handler).is_none()
                    && !submits_anything(cx.model, route.handler_file, route.handler, true, 2))
            {
                continue;
            }
            // A retired route that only fails (`return "Obsolete API", 404`, or `abort(404)`
            // before code that never runs), or an alias that only sends the client on to
            // another address (a 307 resends the submission there, and that route is judged on
            // its own): neither checks anything submitted.
            let module = &cx.model.files[route.handler_file];
            let imports = &module.imports;
            if only_fails(module, route.handler)
                || redirect_alias(imports, route.handler, &mounted.full_path)
            {
                continue;
            }
            // A reset or activation link whose token is checked by its signature: a guess
            // fails the check whatever the rate, so a limit protects nothing.
            if only_signed_token(cx.model, route.handler_file, route.handler) {
                continue;
            }
            // Failed attempts counted by hand and refused past a threshold before the
            // credential is checked: a limit written in the project.
            if counts_attempts(cx.model, route.handler_file, route.handler, 2) {
                continue;
            }
            if !reported.insert(mounted.route) {
                continue;
            }
            let mut f = Findings::new(route.file);
            let message = format!(
                "{} {} handles credentials ({why}) but has no rate limit",
                route.methods.join(","),
                mounted.full_path
            );
            let note = crate::helpers::registration_note(surface, mounted);
            if unread {
                f.report_with(
                    &AUTH_ENDPOINT_WITHOUT_RATE_LIMIT,
                    route.span,
                    format!("{message}: its methods could not be read and may include POST{note}"),
                    AUTH_ENDPOINT_WITHOUT_RATE_LIMIT.severity,
                    Confidence::Low,
                );
            } else {
                f.report(
                    &AUTH_ENDPOINT_WITHOUT_RATE_LIMIT,
                    route.span,
                    message + &note,
                );
            }
            out.extend(f.into_vec());
        }
    }
}

/// Why a GET handler exchanges a password for a credential: it takes a password the caller
/// sends (a password-like parameter, `request.headers.get("X-Password")`,
/// `request.args["password"]`) or hands one to a password check (`check_password(user, pw)`),
/// and hands back a credential (`issue_api_key(user)`, `create_access_token(...)`,
/// `login_user(user)`, a `session[...]` write, a cookie holding a value made at run time, a
/// `token` or `api_key` key or keyword of the answer or of its headers). A cookie holding a
/// constant (`set_cookie("probe", value="seen")`) is a marker, not a credential: a check
/// against a password the caller chose itself (`/check/<user>/<passwd>` comparing the Basic
/// credentials with the path) that sets one hands back nothing. A password check alone may be the per-request Basic authentication of an
/// ordinary page.
fn get_credential_exchange(handler: &Function) -> Option<String> {
    let mut password: Option<String> = handler
        .params
        .iter()
        .find(|p| is_password_key(&p.name))
        .map(|p| format!("it takes a `{}` parameter", p.name));
    let mut issues = false;
    walk_exprs(&handler.body, &mut |e| {
        e.any(&mut |x| {
            match &x.kind {
                ExprKind::Call(c) => {
                    let name = c.func.last_name().unwrap_or_default().to_ascii_lowercase();
                    if password.is_none()
                        && PASSWORD_CHECKS.contains(&name.as_str())
                        && !c.args.is_empty()
                    {
                        password = Some(format!("the handler calls {name}()"));
                    }
                    if password.is_none()
                        && let ExprKind::Attribute { value, attr } = &c.func.kind
                        && attr == "get"
                        && rooted_in_request(value)
                        && let Some(key) = c.args.first().and_then(Expr::as_str)
                        && is_password_key(key)
                    {
                        password = Some(format!("it reads `{key}` from the request"));
                    }
                    issues |= names_credential(&name)
                        || c.keywords
                            .iter()
                            .filter_map(|k| k.arg.as_deref())
                            .any(names_credential)
                        || name == "login_user"
                        || name == "set_cookie" && !constant_cookie(c)
                        || name == "encode"
                            && c.func.dotted_parts().is_some_and(|p| p.contains(&"jwt"));
                }
                ExprKind::Subscript { value, slice } => {
                    if password.is_none()
                        && rooted_in_request(value)
                        && let Some(key) = slice.as_str().filter(|k| is_password_key(k))
                    {
                        password = Some(format!("it reads `{key}` from the request"));
                    }
                    issues |= value.as_name() == Some("session")
                        || slice.as_str().is_some_and(names_credential);
                }
                ExprKind::Dict(entries) => {
                    issues |= entries
                        .iter()
                        .filter_map(|d| d.key.as_ref().and_then(Expr::as_str))
                        .any(names_credential);
                }
                _ => {}
            }
            false
        });
    });
    password.filter(|_| issues)
}

/// Whether a `set_cookie` call stores a constant (`set_cookie("probe", value="seen")`, or no
/// value at all): a marker anyone could set themselves, not a credential handed back.
fn constant_cookie(call: &Call) -> bool {
    let value = call.args.get(1).or_else(|| call.keyword("value"));
    value.is_none_or(|v| {
        matches!(
            v.kind,
            ExprKind::Str(_)
                | ExprKind::Bytes(_)
                | ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Bool(_)
                | ExprKind::NoneLiteral
        )
    })
}

/// Whether the password a GET handler takes is the caller's own choice: a path parameter
/// (`/check/<user>/<passwd>`) that the handler, or a project function it calls, sets against
/// the credentials the same request carries (`request.authorization`, the `Authorization`
/// header). The caller sends both sides of the comparison and the server holds no secret:
/// there is nothing to guess.
fn caller_chosen_password(
    model: &ProjectModel,
    file: usize,
    handler: &Function,
    path: &str,
) -> bool {
    let in_path = |name: &str| {
        path.split('/').any(|segment| {
            let inner = segment
                .strip_prefix('<')
                .and_then(|r| r.strip_suffix('>'))
                .map(|r| r.rsplit(':').next().unwrap_or(r))
                .or_else(|| {
                    segment
                        .strip_prefix('{')
                        .and_then(|r| r.strip_suffix('}'))
                        .map(|r| r.split(':').next().unwrap_or(r))
                });
            inner == Some(name)
        })
    };
    handler
        .params
        .iter()
        .any(|p| is_password_key(&p.name) && in_path(&p.name))
        && reads_request_credentials(model, file, handler, 2)
}

/// Whether a function (with the project functions it calls, `depth` levels) reads the
/// credentials of the request: `request.authorization`, the `Authorization` header.
fn reads_request_credentials(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    depth: u32,
) -> bool {
    let mut found = false;
    let mut helpers: Vec<&Expr> = Vec::new();
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| match &x.kind {
            ExprKind::Attribute { value, attr } => {
                rooted_in_request(value) && attr == "authorization"
            }
            ExprKind::Call(c) => {
                if let ExprKind::Attribute { value, attr } = &c.func.kind
                    && attr == "get"
                    && value
                        .dotted_parts()
                        .is_some_and(|p| p.last() == Some(&"headers"))
                    && rooted_in_request(value)
                {
                    return c
                        .args
                        .first()
                        .and_then(Expr::as_str)
                        .is_some_and(|k| k.eq_ignore_ascii_case("authorization"));
                }
                helpers.push(&c.func);
                false
            }
            ExprKind::Subscript { value, slice } => {
                value
                    .dotted_parts()
                    .is_some_and(|p| p.last() == Some(&"headers"))
                    && rooted_in_request(value)
                    && slice
                        .as_str()
                        .is_some_and(|k| k.eq_ignore_ascii_case("authorization"))
            }
            _ => false,
        });
    });
    found
        || depth > 0
            && helpers.into_iter().any(|func| {
                resolve_callee(model, file, func)
                    .is_some_and(|(f, def, _)| reads_request_credentials(model, f, def, depth - 1))
            })
}

/// Calls that check a password or one-time code.
const PASSWORD_CHECKS: &[&str] = &[
    "check_password",
    "check_password_hash",
    "verify_password",
    "verify_otp",
    "verify_totp",
];

/// Whether an attribute chain starts at the request (`request.headers`, `req.args`).
fn rooted_in_request(e: &Expr) -> bool {
    e.dotted_parts()
        .and_then(|p| p.first().copied())
        .is_some_and(|n| n == "request" || n == "req")
}

/// A name for a credential handed out: a token, a JWT or an API key (`access_token`,
/// `X-Auth-Token`, `issue_api_key`, `apikey`).
fn names_credential(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .any(|w| matches!(*w, "token" | "jwt" | "apikey"))
        || words.windows(2).any(|w| w == ["api", "key"])
}

/// A handler that takes nothing from the client (no parameter but the request, no read of
/// its body, form, query or headers) and answers with a redirect (`return await
/// oauth.google.authorize_redirect(request, uri)`, `return RedirectResponse(url)`).
fn only_redirects_to_provider(handler: &Function) -> bool {
    let redirects = final_call_name(handler).is_some_and(|n| n.contains("redirect"));
    redirects && !takes_client_input(handler)
}

/// Parameters of a handler that carry nothing the client chose.
const PLUMBING: &[&str] = &["self", "cls", "request", "req", "response"];

/// Whether a handler reads anything the client sends: a parameter other than the request or
/// the response (a dependency may parse the body), or the request's body, form, query or
/// headers.
fn takes_client_input(handler: &Function) -> bool {
    handler
        .params
        .iter()
        .any(|p| !PLUMBING.contains(&p.name.as_str()))
        || reads_request_input(handler)
}

/// A handler that starts a login with a third party: it takes from the client nothing but
/// path parameters that name no credential (`/oauth/<provider_name>/authenticate`), reads
/// nothing of the request, and answers an authorization URL built by an OAuth client library
/// (authlib's `create_authorization_url`, requests-oauthlib's `authorization_url`, oauthlib's
/// `prepare_request_uri`), called in the handler or in a project method it calls. The browser
/// is sent on with that URL; nothing the caller submits is checked, so there is nothing to
/// guess.
fn starts_provider_login(
    model: &ProjectModel,
    file: usize,
    handler: &Function,
    path: &str,
) -> bool {
    if !takes_only_path_parameters(handler, path) {
        return false;
    }
    // The names the builder's result is bound to, and whether a return carries them.
    let mut urls: Vec<&str> = Vec::new();
    let mut returned = false;
    let scope = [handler];
    let builds = |call: &Call| builds_authorization_url(model, file, &scope, call, 0);
    routewarden_model::security::walk_stmts(&handler.body, &mut |stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } if value.any(&mut |x| x.as_call().is_some_and(&builds)) => {
            for t in targets {
                t.any(&mut |x| {
                    if let Some(n) = x.as_name() {
                        urls.push(n);
                    }
                    false
                });
            }
        }
        Stmt::Return { value: Some(v), .. } => {
            returned |= v.any(&mut |x| {
                x.as_name().is_some_and(|n| urls.contains(&n)) || x.as_call().is_some_and(&builds)
            });
        }
        _ => {}
    });
    returned
}

/// Whether a handler takes from the client nothing but path parameters that name no credential
/// (`provider_name` of `/oauth/<provider_name>/authenticate`), and reads nothing of the request.
fn takes_only_path_parameters(handler: &Function, path: &str) -> bool {
    let path_parameters = path_parameter_names(path);
    !handler.params.iter().any(|p| {
        let name = p.name.as_str();
        !PLUMBING.contains(&name)
            && (!path_parameters.contains(&name) || names_credential(name) || is_password_key(name))
    }) && !reads_request_input(handler)
}

/// An alias route: its one statement returns a redirect built only from its path parameters
/// (`return redirect(url_for("api.change_password_for_user", username=username), code=307)`),
/// which name no credential, and it reads nothing of the request. It checks nothing itself.
fn redirect_alias(imports: &Imports, handler: &Function, path: &str) -> bool {
    code_statements(&handler.body).len() == 1
        && only_redirects(imports, handler)
        && takes_only_path_parameters(handler, path)
}

/// OAuth client libraries, whose objects' URL builders make the provider's authorization URL.
const OAUTH_CLIENT_PACKAGES: &[&str] = &["authlib.", "requests_oauthlib.", "oauthlib."];

/// Methods of those objects that build the authorization URL a login starts at.
const AUTHORIZATION_URL_BUILDERS: &[&str] = &[
    "create_authorization_url",
    "authorization_url",
    "prepare_request_uri",
];

/// Whether `call` builds an OAuth authorization URL: a builder method of an OAuth client
/// library's object (the receiver's class, or for `oauth.google` the registry's), or a
/// project method that calls one. A method on a receiver whose class is not known counts
/// when every project method of that name calls a library builder.
fn builds_authorization_url(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    call: &Call,
    depth: u32,
) -> bool {
    let Some(name) = call.func.last_name() else {
        return false;
    };
    if !AUTHORIZATION_URL_BUILDERS.contains(&name) {
        return false;
    }
    if let Some((receiver, _)) = call.method() {
        let library = |e: &Expr| {
            model
                .instance_class(file, scope, e)
                .is_some_and(|c| OAUTH_CLIENT_PACKAGES.iter().any(|p| c.starts_with(p)))
        };
        if library(receiver)
            || matches!(&receiver.kind, ExprKind::Attribute { value, .. } if library(value))
        {
            return true;
        }
    }
    if depth > 0 {
        return false;
    }
    // A project method of that name: the one the call reaches, else every one the project
    // defines (the receiver's class is not known).
    let calls_builder = |f: usize, method: &Function| {
        let mut found = false;
        walk_exprs(&method.body, &mut |e| {
            found = found
                || e.any(&mut |x| {
                    x.as_call()
                        .is_some_and(|c| builds_authorization_url(model, f, &[method], c, 1))
                });
        });
        found
    };
    if let Some((f, def, _)) = resolve_callee(model, file, &call.func) {
        return calls_builder(f, def);
    }
    let mut methods = 0;
    let mut all = true;
    for (f, module) in model.files.iter().enumerate() {
        for stmt in module.body() {
            let Stmt::ClassDef(class) = stmt else {
                continue;
            };
            for s in &class.body {
                if let Stmt::FunctionDef(m) = s
                    && m.name == name
                {
                    methods += 1;
                    all = all && calls_builder(f, m);
                }
            }
        }
    }
    methods > 0 && all
}

/// The names of a path's parameters: `provider` for `<provider>`, `<string:provider>` and
/// `{provider}` or `{provider:path}`.
fn path_parameter_names(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| {
            let inner = s
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .map(|r| r.split(':').next().unwrap_or(r))
                .or_else(|| {
                    s.strip_prefix('<')
                        .and_then(|r| r.strip_suffix('>'))
                        .map(|r| r.rsplit(':').next().unwrap_or(r))
                })?;
            (!inner.is_empty() && inner != "dynamic").then_some(inner)
        })
        .collect()
}

/// Whether a handler reads the request's body, form, query, headers or cookies.
fn reads_request_input(handler: &Function) -> bool {
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

/// A handler that ends by rendering a page or redirecting (`return render_template(...)`,
/// `return templates.TemplateResponse(...)`, `return redirect(...)`): what it does can be
/// seen, unlike a stub.
fn answers_page(handler: &Function) -> bool {
    final_call_name(handler).is_some_and(|n| {
        n.contains("template") || n.starts_with("render") || n.contains("redirect")
    })
}

/// The name, lower-cased, of the call a handler's last statement returns (`return await
/// oauth.google.authorize_redirect(...)` gives `authorize_redirect`).
fn final_call_name(handler: &Function) -> Option<String> {
    let Some(Stmt::Return { value: Some(v), .. }) = handler.body.last() else {
        return None;
    };
    let v = match &v.kind {
        ExprKind::Await(inner) => inner.as_ref(),
        _ => v,
    };
    Some(v.as_call()?.func.last_name()?.to_ascii_lowercase())
}

/// Query keys that only say where to send the browser after the login.
const REDIRECT_KEYS: &[&str] = &[
    "next",
    "next_url",
    "redirect",
    "redirect_to",
    "redirect_url",
    "redirect_uri",
    "return_to",
    "return_url",
    "came_from",
    "url",
];

/// Request attributes that carry what the client submits (the query aside).
const SUBMITTED: &[&str] = &[
    "form",
    "json",
    "get_json",
    "data",
    "get_data",
    "values",
    "files",
    "body",
    "stream",
    "headers",
    "cookies",
    "authorization",
    "path_params",
    "query_params",
];

/// Words of a called function's name that make it handle a login or parse the submission
/// (`do_login()`, `authenticate(...)`, `parser.parse_args()`, `form.validate_on_submit()`).
const SUBMISSION_CALL_WORDS: &[&str] = &[
    "login",
    "signin",
    "logon",
    "authenticate",
    "password",
    "verify",
    "check",
    "parse",
    "validate",
    "submit",
    "token",
    "credentials",
];

/// Whether a handler (`depth` levels of project functions it calls included) takes anything
/// the client submits: a parameter other than the request, the body, form, headers or
/// cookies, a query key other than where to go next, a form object (`LoginForm()` reads the
/// posted form itself), the request handed to anything but a template, or a call named for
/// a login or a parse. Project functions it calls are looked into (a called function's
/// parameters are what the handler passed, so only what it reads itself counts there); other
/// calls are taken for library code that reads nothing of a request it is not handed.
fn submits_anything(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    handler: bool,
    depth: u32,
) -> bool {
    const PLUMBING: &[&str] = &["self", "cls", "request", "req", "response"];
    if handler
        && function
            .params
            .iter()
            .any(|p| !PLUMBING.contains(&p.name.as_str()))
    {
        return true;
    }
    let is_request = |e: &Expr| e.as_name().is_some_and(|n| n == "request" || n == "req");
    let mut found = false;
    let mut helpers: Vec<&Expr> = Vec::new();
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| match &x.kind {
            ExprKind::Attribute { value, attr } => {
                is_request(value)
                    && (SUBMITTED.contains(&attr.as_str())
                        || attr == "args" && !redirect_read_in(e, x))
            }
            ExprKind::Call(c) => {
                let name = c.func.last_name().unwrap_or_default().to_ascii_lowercase();
                let template = name.contains("template") || name.contains("render");
                let hands_request = c.argument_values().any(is_request);
                if hands_request && !template
                    || name.ends_with("form")
                    || name.split('_').any(|w| SUBMISSION_CALL_WORDS.contains(&w))
                {
                    return true;
                }
                helpers.push(&c.func);
                false
            }
            _ => false,
        });
    });
    found
        || helpers
            .into_iter()
            .any(|func| match resolve_callee(model, file, func) {
                Some((f, def, _)) if depth > 0 => {
                    credential_evidence(model, f, def).is_some()
                        || submits_anything(model, f, def, false, depth - 1)
                }
                Some(_) => true,
                None => false,
            })
}

/// Whether the `request.args` node `args` is read in the expression `e` only for one of
/// [`REDIRECT_KEYS`]: `request.args.get("next")`, `request.args["next"]`.
fn redirect_read_in(e: &Expr, args: &Expr) -> bool {
    let mut redirect = false;
    e.any(&mut |x| {
        let (target, key) = match &x.kind {
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Attribute { value, attr } if attr == "get" => {
                    (value.as_ref(), c.args.first().and_then(Expr::as_str))
                }
                _ => return false,
            },
            ExprKind::Subscript { value, slice } => (value.as_ref(), slice.as_str()),
            _ => return false,
        };
        if std::ptr::eq(target, args) {
            redirect = key.is_some_and(|k| REDIRECT_KEYS.contains(&k));
            return true;
        }
        false
    });
    redirect
}

/// Why a handler handles credentials through a project function it hands something to:
/// `handle_login_form(request.form)` whose parameter `form` is read for a password
/// (`form["password"]`, `form.get("password")`, `form.password.data`).
fn helper_reads_password(model: &ProjectModel, file: usize, handler: &Function) -> Option<String> {
    let mut found = None;
    walk_exprs(&handler.body, &mut |e| {
        if found.is_some() {
            return;
        }
        e.any(&mut |x| {
            let ExprKind::Call(c) = &x.kind else {
                return false;
            };
            if c.args.is_empty() && c.keywords.is_empty() {
                return false;
            }
            let Some((_, def, bound)) = resolve_callee(model, file, &c.func) else {
                return false;
            };
            let params = &def.params[usize::from(bound).min(def.params.len())..];
            // Only what the client submitted: the form, the body, a form object.
            let given = params
                .iter()
                .zip(&c.args)
                .filter(|(_, a)| is_submission(handler, a, 0))
                .map(|(p, _)| p.name.as_str())
                .chain(
                    c.keywords
                        .iter()
                        .filter(|k| is_submission(handler, &k.value, 0))
                        .filter_map(|k| k.arg.as_deref()),
                )
                .filter(|n| params.iter().any(|p| p.name == *n));
            found = given.into_iter().find_map(|p| {
                reads_password_of(&def.body, p).map(|key| {
                    format!(
                        "it hands `{p}` to {}(), which reads `{key}` from it",
                        def.name
                    )
                })
            });
            found.is_some()
        });
    });
    found
}

/// Whether `expr`, in `handler`, holds what the client submitted: the request's form, body or
/// values (`request.form`, `await request.json()`, `request.get_json()`), a form object
/// (`LoginForm()`, which reads the posted form), a body parameter (no dependency default), or
/// a local variable assigned one of these.
fn is_submission(handler: &Function, expr: &Expr, depth: u32) -> bool {
    let is_request = |e: &Expr| e.as_name().is_some_and(|n| n == "request" || n == "req");
    let expr = match &expr.kind {
        ExprKind::Await(inner) => inner.as_ref(),
        _ => expr,
    };
    match &expr.kind {
        ExprKind::Attribute { value, attr } => {
            is_request(value)
                && matches!(
                    attr.as_str(),
                    "form" | "json" | "values" | "data" | "get_json" | "body"
                )
        }
        ExprKind::Call(c) => {
            is_submission(handler, &c.func, depth)
                || c.func.last_name().is_some_and(|n| n.ends_with("Form"))
        }
        ExprKind::Name(n) => {
            let parameter = handler.params.iter().any(|p| {
                p.name == *n
                    && !matches!(p.name.as_str(), "self" | "cls" | "request" | "req")
                    && p.default.as_deref().is_none_or(|d| {
                        !d.as_call()
                            .and_then(|c| c.func.last_name())
                            .is_some_and(|f| matches!(f, "Depends" | "Security"))
                    })
            });
            parameter
                || depth < 3
                    && assigned_values(&handler.body, n)
                        .iter()
                        .any(|v| is_submission(handler, v, depth + 1))
        }
        _ => false,
    }
}

/// A password-like key or attribute read from the variable `name`: `name["password"]`,
/// `name.get("password")`, `name.password`.
fn reads_password_of(body: &[Stmt], name: &str) -> Option<String> {
    let mut key = None;
    walk_exprs(body, &mut |e| {
        if key.is_some() {
            return;
        }
        e.any(&mut |x| {
            key = match &x.kind {
                ExprKind::Subscript { value, slice } if value.as_name() == Some(name) => slice
                    .as_str()
                    .filter(|k| is_password_key(k))
                    .map(str::to_string),
                ExprKind::Call(c) => match &c.func.kind {
                    ExprKind::Attribute { value, attr }
                        if value.as_name() == Some(name) && attr == "get" =>
                    {
                        c.args
                            .first()
                            .and_then(Expr::as_str)
                            .filter(|k| is_password_key(k))
                            .map(str::to_string)
                    }
                    _ => None,
                },
                ExprKind::Attribute { value, attr } if value.as_name() == Some(name) => {
                    is_password_key(attr).then(|| format!("{name}.{attr}"))
                }
                _ => None,
            };
            key.is_some()
        });
    });
    key
}

/// A name for a submitted password or one-time code (`password`, `new_password`, `otp`,
/// `pass`), not a stored hash (`password_hash`): the model's own word test is private to it.
fn is_password_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['_', '-']).filter(|w| !w.is_empty()).collect();
    lower == "pass"
        || words.last().is_some_and(|w| {
            matches!(
                *w,
                "password" | "passwd" | "passphrase" | "pwd" | "passcode" | "otp" | "totp" | "hotp"
            )
        }) && !words
            .iter()
            .any(|w| matches!(*w, "hash" | "hashed" | "salt" | "encrypted"))
}

/// Signature checks of a token: PyJWT, python-jose, authlib and joserfc `jwt.decode`,
/// flask-jwt-extended's `decode_token` and Flask-Security's token status checks. (itsdangerous
/// serializers' `loads` are recognised by their receiver's class.)
const SIGNATURE_VERIFIERS: &[&str] = &[
    "flask_jwt_extended.decode_token",
    "flask_jwt_extended.utils.decode_token",
    // Flask-Security's token checks: `loads` of its itsdangerous serializers, with a maximum age.
    "flask_security.check_and_get_token_status",
    "flask_security.utils.check_and_get_token_status",
    "flask_security.recoverable.reset_password_token_status",
    "flask_security.confirmable.confirm_email_token_status",
];

/// Whether the only secret a handler checks is a signed token the client sends: a value the
/// client sends (a parameter, a read of the request, a local made from them) goes into a
/// signature verifier (an itsdangerous serializer's `loads`/`loads_salted`, `jwt.decode`,
/// flask-jwt-extended's `decode_token`, Flask-Security's `check_and_get_token_status`), in the
/// handler or in a project function it hands the value to (three calls deep: `User.verify_hash(hash)` → `confirm_email_token(token)` →
/// `serializer.loads(token)`), and no password or one-time code is checked there. A guess
/// fails the signature check; a code looked up in a table or compared with `==` does not.
fn only_signed_token(model: &ProjectModel, file: usize, handler: &Function) -> bool {
    let seeds: Vec<&str> = handler
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| !PLUMBING.contains(n))
        .collect();
    let mut signed = false;
    let mut checks = false;
    follow_signed(
        model,
        file,
        handler,
        &seeds,
        true,
        3,
        &mut signed,
        &mut checks,
    );
    signed && !checks
}

/// Calls that check a password or a one-time code (the last name of the callee).
const SECRET_CHECKS: &[&str] = &[
    "authenticate",
    "authenticate_user",
    "check_password",
    "check_password_hash",
    "verify_password",
    "verify_otp",
    "verify_totp",
];

/// The walk of [`only_signed_token`] through `function`, whose parameters `seeds` hold what
/// the client sent (and, in the handler, the request's reads): sets `signed` when a client
/// value reaches a signature verifier, `checks` when a password or code check is called.
#[allow(clippy::too_many_arguments)]
fn follow_signed(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    seeds: &[&str],
    handler: bool,
    depth: u32,
    signed: &mut bool,
    checks: &mut bool,
) {
    // The names holding client values: the seeds, then locals assigned from them.
    let mut names: Vec<&str> = seeds.to_vec();
    let from_client = |names: &[&str], e: &Expr| {
        e.any(&mut |x| match &x.kind {
            ExprKind::Name(n) => names.contains(&n.as_str()),
            ExprKind::Attribute { .. } => handler && rooted_in_request(x),
            _ => false,
        })
    };
    for _ in 0..3 {
        let before = names.len();
        routewarden_model::security::walk_stmts(&function.body, &mut |stmt| {
            if let Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } = stmt
                && from_client(&names, value)
            {
                for t in targets {
                    t.any(&mut |x| {
                        if let Some(n) = x.as_name()
                            && !names.contains(&n)
                        {
                            names.push(n);
                        }
                        false
                    });
                }
            }
        });
        if names.len() == before {
            break;
        }
    }
    let scope = [function];
    walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            let Some(c) = x.as_call() else {
                return false;
            };
            if c.func
                .last_name()
                .is_some_and(|n| SECRET_CHECKS.contains(&n) && !c.args.is_empty())
            {
                *checks = true;
            }
            let token = c.args.first().or_else(|| c.keyword("token"));
            if token.is_some_and(|t| from_client(&names, t))
                && is_signature_verifier(model, file, &scope, c)
            {
                *signed = true;
                return false;
            }
            if depth == 0 || *checks {
                return false;
            }
            let Some((f, def, bound)) = resolve_callee(model, file, &c.func) else {
                return false;
            };
            if std::ptr::eq(def, function) {
                return false;
            }
            // The callee's parameters that receive a client value.
            let params = &def.params[usize::from(bound).min(def.params.len())..];
            let given: Vec<&str> = params
                .iter()
                .zip(&c.args)
                .filter(|(_, a)| from_client(&names, a))
                .map(|(p, _)| p.name.as_str())
                .chain(
                    c.keywords
                        .iter()
                        .filter(|k| from_client(&names, &k.value))
                        .filter_map(|k| k.arg.as_deref())
                        .filter(|n| params.iter().any(|p| p.name == *n)),
                )
                .collect();
            if !given.is_empty() {
                follow_signed(model, f, def, &given, false, depth - 1, signed, checks);
            }
            false
        });
    });
}

/// Whether `call` checks a token's signature: `jwt.decode(...)` of a JWT library,
/// flask-jwt-extended's `decode_token(...)`, or `loads`/`loads_salted` of an itsdangerous
/// serializer.
fn is_signature_verifier(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    call: &Call,
) -> bool {
    if let Some(q) = model.files[file].imports.resolve(&call.func)
        && (SIGNATURE_VERIFIERS.contains(&q.as_str())
            || crate::jwt_calls::DECODERS.iter().any(|(n, _)| *n == q))
    {
        return true;
    }
    let Some((receiver, method)) = call.method() else {
        return false;
    };
    matches!(method, "loads" | "loads_salted")
        && model
            .instance_class(file, scope, receiver)
            .is_some_and(|c| c.starts_with("itsdangerous."))
}

/// Methods that add one to a counter kept in a store (redis, a cache).
const INCREMENTS: &[&str] = &[
    "incr",
    "incrby",
    "incr_by",
    "increment",
    "hincrby",
    "inc_by",
];

/// Whether a function limits attempts by hand, itself or in the project functions and
/// methods it calls before checking a credential (`depth` calls deep, `form.validate()` of a
/// form class the handler builds): an `if` that compares a counter read from a store with a
/// threshold and refuses (`raise`, `abort(...)`, `return`) before any credential check of
/// its function, while the same function adds one to that counter (`r.incr(key)`,
/// `account.failed_logins += 1`, `cache.set(key, count + 1)`), on each failure or on each
/// attempt. A counter nobody compares, a threshold on a counter nobody increments, and a
/// lockout tested only after the password was checked limit nothing.
fn counts_attempts(model: &ProjectModel, file: usize, function: &Function, depth: u32) -> bool {
    let check = first_credential_check(&function.body);
    if refuses_counted_attempts(function, check) || locks_out(model, file, function, check) {
        return true;
    }
    if depth == 0 {
        return false;
    }
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found = found
            || e.any(&mut |x| {
                let Some(call) = x.as_call() else {
                    return false;
                };
                if check.is_some_and(|at| x.span.start >= at) {
                    return false;
                }
                called_function(model, file, function, call).is_some_and(|(f, def)| {
                    !std::ptr::eq(def, function) && counts_attempts(model, f, def, depth - 1)
                })
            });
    });
    found
}

/// The project function or method a call in `function` runs: a function, a method of a
/// module-level instance or class ([`resolve_callee`]), or a method of an instance of a project
/// class the function builds (`form = LoginForm(request.form)`, then `form.validate()`;
/// Flask-WTF's `validate_on_submit()` runs the class's `validate`).
fn called_function<'m>(
    model: &'m ProjectModel,
    file: usize,
    function: &Function,
    call: &Call,
) -> Option<(usize, &'m Function)> {
    if let Some((f, def, _)) = resolve_callee(model, file, &call.func) {
        return Some((f, def));
    }
    let ExprKind::Attribute { value, attr } = &call.func.kind else {
        return None;
    };
    let local = value.as_name()?;
    let built = assigned_values(&function.body, local)
        .into_iter()
        .find_map(Expr::as_call)?;
    let (class_file, Stmt::ClassDef(class)) = model.project_definition(file, &built.func)? else {
        return None;
    };
    let method = |name: &str| routewarden_model::apps::find_method(model, class_file, class, name);
    let found = match attr.as_str() {
        "validate_on_submit" => method("validate"),
        name => method(name),
    };
    found.map(|(f, _, m)| (f, m))
}

/// Where the first check of a credential starts in a body: a call that checks one
/// (`check_password_hash`, `verify_totp`, `totp.verify(code)`, `bcrypt.checkpw`,
/// `compare_digest`, `authenticate`, `login_user`) or an equality test of a password
/// (`user.password != hashed`).
fn first_credential_check(body: &[Stmt]) -> Option<u32> {
    let names_password = |e: &Expr| {
        e.any(&mut |x| match &x.kind {
            ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => is_password_key(n),
            ExprKind::Subscript { slice, .. } => slice.as_str().is_some_and(is_password_key),
            _ => false,
        })
    };
    let mut first: Option<u32> = None;
    walk_exprs(body, &mut |e| {
        e.any(&mut |x| {
            let checks = match &x.kind {
                ExprKind::Call(c) => c.func.last_name().is_some_and(|n| {
                    SECRET_CHECKS.contains(&n)
                        || PASSWORD_CHECKS.contains(&n)
                        || matches!(n, "verify" | "checkpw" | "compare_digest" | "login_user")
                }),
                ExprKind::Compare { .. } => x.comparisons().into_iter().any(|(l, op, r)| {
                    matches!(op, CmpOp::Eq | CmpOp::NotEq)
                        && (names_password(l) || names_password(r))
                }),
                _ => false,
            };
            if checks {
                first = Some(first.map_or(x.span.start, |f| f.min(x.span.start)));
            }
            false
        });
    });
    first
}

/// A counter a function adds one to: the store's name (`r` for `r.incr(key)`, also through
/// `pipe = r.pipeline()`; `attempts` for `attempts[ip] += 1`; `cache` for `cache.set(key,
/// count + 1)`), and for an attribute, its whole path (`account.failed_logins += 1`). A queue
/// of failures (`fails.push({...})`, `r.rpush(key, ...)`) counts by its length: `queue`.
struct Increment<'a> {
    store: &'a str,
    path: Option<Vec<&'a str>>,
    queue: bool,
}

/// Methods that add an entry to a queue kept in a store (a redis list, a named queue).
const PUSHES: &[&str] = &["push", "rpush", "lpush"];

/// Whether `e` measures a queue's length: `q.length()`, `len(q)`, `r.llen(key)`.
fn measures_length(e: &Expr) -> bool {
    e.any(&mut |x| {
        x.as_call().is_some_and(|c| match &c.func.kind {
            ExprKind::Attribute { attr, .. } => matches!(attr.as_str(), "length" | "llen"),
            ExprKind::Name(n) => n == "len",
            _ => false,
        })
    })
}

fn increments(function: &Function) -> Vec<Increment<'_>> {
    // `pipe = r.pipeline()`: the pipeline writes to `r`.
    fn store_of<'a>(function: &'a Function, receiver: &'a Expr) -> Option<&'a str> {
        let root = receiver.root_name()?;
        let through = assigned_values(&function.body, root)
            .into_iter()
            .find_map(|v| v.as_call().and_then(|c| c.func.root_name()));
        Some(through.unwrap_or(root))
    }
    let mut out = Vec::new();
    walk_stmts(&function.body, &mut |stmt| match stmt {
        Stmt::AugAssign {
            target,
            op: BinOp::Add,
            ..
        } if matches!(
            target.kind,
            ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
        ) =>
        {
            if let Some(store) = target.root_name() {
                out.push(Increment {
                    store,
                    path: matches!(target.kind, ExprKind::Attribute { .. })
                        .then(|| target.dotted_parts())
                        .flatten(),
                    queue: false,
                });
            }
        }
        Stmt::Expr { value, .. } => {
            if let Some(c) = value.as_call()
                && let ExprKind::Attribute {
                    value: receiver,
                    attr,
                } = &c.func.kind
                && (PUSHES.contains(&attr.as_str())
                    || INCREMENTS.contains(&attr.as_str())
                    || matches!(attr.as_str(), "set" | "setex")
                        && c.argument_values()
                            .any(|a| matches!(a.kind, ExprKind::BinOp { op: BinOp::Add, .. })))
                && let Some(store) = store_of(function, receiver)
            {
                out.push(Increment {
                    store,
                    path: None,
                    queue: PUSHES.contains(&attr.as_str()),
                });
            }
        }
        _ => {}
    });
    out
}

/// Whether `function` refuses past a count it keeps (see [`counts_attempts`]), before `check`
/// (the start of its first credential check).
fn refuses_counted_attempts(function: &Function, check: Option<u32>) -> bool {
    let incremented = increments(function);
    if incremented.is_empty() {
        return false;
    }
    let mut refuses = false;
    walk_stmts(&function.body, &mut |stmt| {
        let Stmt::If {
            test, body, span, ..
        } = stmt
        else {
            return;
        };
        if refuses || check.is_some_and(|at| span.start >= at) || !answers_at_once(body) {
            return;
        }
        refuses = high_counts(test).into_iter().any(|counted| {
            incremented.iter().any(|inc| match &inc.path {
                Some(path) => counted.any(&mut |x| x.dotted_parts().as_ref() == Some(path)),
                // A queue counts failures by its length, not by what it holds.
                None if inc.queue && !measures_length(counted) => false,
                None => {
                    let derived = derived_names(function, inc.store);
                    counted.any(&mut |x| x.as_name().is_some_and(|n| derived.contains(&n)))
                }
            })
        });
    });
    refuses
}

/// Whether a branch ends the request at once: a `raise`, `abort(...)`, or a `return` of a
/// value (an answer, or `False` from a form's `validate`; a bare `return` in a helper only
/// skips the rest of the helper).
fn answers_at_once(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::Raise { .. } => true,
        Stmt::Return { value, .. } => value
            .as_ref()
            .is_some_and(|v| !matches!(v.kind, ExprKind::NoneLiteral)),
        Stmt::Expr { value, .. } => value
            .as_call()
            .is_some_and(|c| c.func.last_name() == Some("abort")),
        _ => false,
    })
}

/// The sides of a test that hold when they are large: `count` in `count > limit`,
/// `count >= limit` or `limit < count`, also as an operand of `and`/`or`.
fn high_counts(test: &Expr) -> Vec<&Expr> {
    match &test.kind {
        ExprKind::BoolOp { values, .. } => values.iter().flat_map(high_counts).collect(),
        ExprKind::Compare { .. } => test
            .comparisons()
            .into_iter()
            .filter_map(|(left, op, right)| match op {
                CmpOp::Gt | CmpOp::GtE => Some(left),
                CmpOp::Lt | CmpOp::LtE => Some(right),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The store's name and the locals holding values read from it, directly or through other
/// such locals (`failed = r.get(key)`, `total += int(val)` with `val = r.get(k)`).
fn derived_names<'a>(function: &'a Function, store: &'a str) -> Vec<&'a str> {
    let mut names = vec![store];
    for _ in 0..3 {
        let before = names.len();
        walk_stmts(&function.body, &mut |stmt| {
            let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => (targets.iter().collect(), value),
                Stmt::AugAssign { target, value, .. } => (vec![target.as_ref()], value),
                Stmt::For { target, iter, .. } => (vec![target.as_ref()], iter.as_ref()),
                _ => return,
            };
            if !value.any(&mut |x| x.as_name().is_some_and(|n| names.contains(&n))) {
                return;
            }
            for t in targets {
                if let Some(n) = t.as_name()
                    && !names.contains(&n)
                {
                    names.push(n);
                }
            }
        });
        if names.len() == before {
            break;
        }
    }
    names
}

/// Whether `function` refuses a login while the account's count of failures is at a maximum,
/// the count kept on the account object: an `if` before the credential check that answers when
/// the account is blocked (`if blocked: return ..., 401`), or the test granting the login that
/// also needs it not blocked (`if user.check_password(pw) and not is_blocked: return user`,
/// every failure answered alike). Blocked: an attribute compared with a threshold
/// (`user.failed_logins >= limit`), or a value a method of the account's project class returns
/// after such a comparison of `self`'s attribute (`is_blocked, _ = user.is_blocked(max, ...)`).
/// The attribute must be added to (`+= 1`) by the function or by a project function it calls
/// or hands on (`Thread(target=handle_failed_login)`, keeping response times alike).
fn locks_out(model: &ProjectModel, file: usize, function: &Function, check: Option<u32>) -> bool {
    // The tests that refuse: cheap, syntactic, and usually none.
    let mut tests: Vec<(&Expr, bool)> = Vec::new();
    walk_stmts(&function.body, &mut |stmt| {
        let Stmt::If {
            test, body, span, ..
        } = stmt
        else {
            return;
        };
        if !answers_at_once(body) {
            return;
        }
        let holds_check = check.is_some_and(|at| test.span.start <= at && at < test.span.end);
        if holds_check {
            tests.push((test, true));
        } else if check.is_none_or(|at| span.start < at) {
            tests.push((test, false));
        }
    });
    if tests.is_empty() {
        return false;
    }
    let counters = counted_attributes(model, file, function);
    if counters.is_empty() {
        return false;
    }
    let blocked = |e: &Expr| blocks_account(model, file, function, e, &counters);
    tests.into_iter().any(|(test, grants)| {
        if grants {
            // `check and not blocked` grants the login only while not blocked; `not check or
            // blocked` refuses it while blocked.
            let ExprKind::BoolOp { op, values } = &test.kind else {
                return false;
            };
            values.iter().any(|v| match (op, &v.kind) {
                (
                    BoolOp::And,
                    ExprKind::UnaryOp {
                        op: UnaryOp::Not,
                        operand,
                    },
                ) => blocked(operand),
                (BoolOp::Or, _) => blocked(v),
                _ => false,
            })
        } else {
            match &test.kind {
                ExprKind::BoolOp { values, .. } => values.iter().any(blocked),
                _ => blocked(test),
            }
        }
    })
}

/// The attributes a function, or a project function it calls or hands on as an argument, adds
/// to: `failed_logins` for `account.failed_logins += 1`.
fn counted_attributes<'m>(
    model: &'m ProjectModel,
    file: usize,
    function: &'m Function,
) -> Vec<&'m str> {
    let mut out: Vec<&str> = Vec::new();
    let mut add = |f: &'m Function| {
        for inc in increments(f) {
            if let Some(attr) = inc.path.as_ref().and_then(|p| p.last()) {
                out.push(attr);
            }
        }
    };
    add(function);
    walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            if let Some(call) = x.as_call() {
                for callee in std::iter::once(&call.func).chain(call.argument_values()) {
                    if matches!(callee.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
                        && let Some((_, def, _)) = resolve_callee(model, file, callee)
                        && !std::ptr::eq(def, function)
                    {
                        add(def);
                    }
                }
            }
            false
        });
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether `e` says an account is blocked by its count of failures (see [`locks_out`]): a
/// comparison of a counted attribute with a threshold, a call to a method of the account's
/// project class making one on `self`, or a local bound from such a call.
fn blocks_account(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    e: &Expr,
    counters: &[&str],
) -> bool {
    let compares = |e: &Expr| {
        e.any(&mut |x| {
            matches!(x.kind, ExprKind::Compare { .. })
                && high_counts(x).into_iter().any(|side| {
                    side.any(&mut |a| match &a.kind {
                        ExprKind::Attribute { attr, .. } => counters.contains(&attr.as_str()),
                        _ => false,
                    })
                })
        })
    };
    if compares(e) {
        return true;
    }
    let calls: Vec<&Call> = match &e.kind {
        ExprKind::Call(c) => vec![c.as_ref()],
        ExprKind::Name(n) => assigned_values(&function.body, n)
            .into_iter()
            .filter_map(Expr::as_call)
            .collect(),
        _ => Vec::new(),
    };
    calls.into_iter().any(|call| {
        let Some((receiver, attr)) = call.method() else {
            return false;
        };
        account_class(model, file, function, receiver)
            .and_then(|(f, class)| routewarden_model::apps::find_method(model, f, class, attr))
            .is_some_and(|(_, _, method)| {
                let mut found = false;
                walk_exprs(&method.body, &mut |x| found = found || compares(x));
                found
            })
    })
}

/// The project class of an object a function got from the class itself: `user` after
/// `user = User.get_by_username(name)` or `User.query.filter_by(...).first()` (either branch
/// of a conditional expression).
fn account_class<'m>(
    model: &'m ProjectModel,
    file: usize,
    function: &Function,
    receiver: &Expr,
) -> Option<(usize, &'m routewarden_python::ast::Class)> {
    let local = receiver.as_name()?;
    let mut values: Vec<&Expr> = assigned_values(&function.body, local);
    let mut i = 0;
    while let Some(v) = values.get(i).copied() {
        i = i.saturating_add(1);
        match &v.kind {
            ExprKind::IfExp { body, orelse, .. } => {
                values.push(body);
                values.push(orelse);
            }
            ExprKind::Call(c) => {
                if let Some((f, Stmt::ClassDef(class))) =
                    model.project_definition(file, c.func.chain_head())
                {
                    return Some((f, class));
                }
            }
            _ => {}
        }
    }
    None
}
