use crate::credentials::{is_constant_name, is_credential_name};
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::route_paths::{
    has_object_parameter, is_public_route, is_webhook, may_change_state, names_only_files,
    names_only_settings, names_protected_resource, only_searches,
};
use crate::rule::{Confidence, ProjectContext, Rule, RuleMeta};
use crate::untrusted::resolve_callee;
use routewarden_model::apps::RouteDecl;
use routewarden_model::config::any_identifier_word;
use routewarden_model::security::{credential_evidence, walk_exprs, walk_stmts};
use routewarden_model::target_names;
use routewarden_model::{ProjectModel, SourceModule};
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Function, Stmt, code_statements};
use routewarden_python::names::Imports;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

declare_rule! {
    /// ## What it finds
    /// A sensitive route that no authentication reaches. Sensitive means a state-changing method
    /// (POST, PUT, PATCH, DELETE; methods registered through a value the analysis cannot read,
    /// `add_url_rule(rule, view_func=view, methods=verbs)`, `@app.route(path, methods=verbs)`,
    /// `Route(path, endpoint, methods=verbs)`, shown as `<dynamic>`, may be one),
    /// a path naming a protected resource (users, accounts, orders,
    /// invoices, payments, admin, profiles, ...), a path with an object id (not a file path,
    /// `{path:path}` or `<path:filename>`, nor a size; and read by the handler: a page that
    /// takes the id and never reads it, `def share(token): return render_template(...)`,
    /// addresses nothing on the server) while other routes of
    /// the same router are protected, or any route of a router, blueprint or app whose other
    /// routes (two or more) are all protected (by a login: a token the handler checks or a
    /// per-object access check does not make a route's siblings look protected, since it lets
    /// anyone reach public objects). The last two compare a read-only route with the
    /// router's other read-only pages (GET routes whose path takes no POST, PUT, PATCH or DELETE,
    /// so not the GET half of a form): they apply only when none of those is public or most of
    /// them are protected. A
    /// router whose members' forms and actions are protected but whose other pages are public
    /// (a forum's index, categories, posts and user profiles; a public catalogue) serves public
    /// reads by design; a read-only route reported there only for a word of its path (an
    /// open-data portal's `GET /organizations/<org>/`, its writes behind a login) is reported
    /// at low confidence, the word alone telling no public record from a private one, and so is
    /// an open `GET /api/settings` whose path names nothing else (often the configuration a
    /// client reads before anyone logs in); not a path naming a credential (`/api_key`). A route
    /// whose handler only redirects (`return RedirectResponse(url=...)`,
    /// whatever its method: an old endpoint sending clients on to its replacement, which answers
    /// for itself; also after reading request parameters into the URL, with `url_for` or a
    /// project helper named `url_for_*`, and refusing a missing one) is not sensitive, nor is a transparent reverse proxy that catches every path
    /// (`/{path:path}`, also under a prefix the analysis cannot read, and that prefix itself) and
    /// hands the request's method or the request on to the service behind
    /// it, which answers for itself; a search form posted with POST (`POST /search`) changes
    /// no state, nor does a POST (also beside GET, or with methods the analysis cannot read)
    /// whose handler provably writes nothing and reads the application's data (a `POST
    /// /worker_get_status` that aggregates the controller's table): no database write, no
    /// assignment to anything but values it built, no `del` or `global`, no file opened for
    /// writing, no outbound request with a body, and no call into project code it cannot
    /// follow (a stub, a project decorator) or into the outside world it knows no reading for;
    /// such a route is judged as a GET would be (reported for a protected resource in its
    /// path), nor is a method the handler, or the wrapper of a project decorator (factory)
    /// around it, refuses first thing under a setting that holds with the project's declared
    /// defaults (beets' `@resource("items")` wrapper: `if get_method() == "DELETE": if
    /// app.config.get("READONLY", True): return flask.abort(405)`), as a guard under a switch
    /// on by default protects; and neither does a POST or PUT to a fixed path whose handler only logs, reads
    /// and validates the request (`jsonschema.validate`) and answers a literal, a module
    /// constant, a setting or what the caller posted, calling nothing else (the handshake of a
    /// plugin protocol, Docker's `POST /Plugin.Activate`; a bare `return {"ok": True}` is
    /// taken for a sketch's stand-in and still counts), nor a handler that only reads the
    /// request and answers it, whatever its method (an echo service's `POST /post`, `DELETE
    /// /delete`, `/anything/<path:rest>`: its body and the project helpers it calls read the
    /// request, also a `request: Request` parameter's body, headers and query, and build and
    /// answer values of their own; not when it reads a path value, reaches module state or the
    /// application's (`request.app.state`), saves an upload, calls anything else, takes a
    /// `Depends(...)` or is wrapped in a project decorator), nor a handler that only serves files
    /// (every answer a `send_from_directory`/`send_file`/`FileResponse`, the rest computing and testing paths
    /// and refusing with `abort(404)` or `raise HTTPException(404)`, also in methods it calls on
    /// `self` that do only that: a single-page app's host taking `GET,POST
    /// /<path:path>`); a route whose path names files only (`/api/media_file`) and whose
    /// handler only serves files under a folder the server chose (`send_from_directory`, a
    /// `FileResponse` of `ROOT / filename` or of a `self.` helper returning one), in a router
    /// where no other route requires a login, is not reported for its path: the word says
    /// what it answers (a local tool's gallery); a file the caller names whole
    /// (`FileResponse(path)` of a parameter), or served beside routes that require a login (a
    /// member's uploads), still is; a read-only route that answers a list built from data the code itself
    /// defines (a module constant that nothing changes, `[... for key, role in
    /// ORG_ROLES.items()]`) has nothing to protect. Login, logout, probes read with GET, HEAD
    /// or OPTIONS (health, liveness and readiness checks, `/ping`; a `POST /live` that starts
    /// a job is judged like any other route), the version (`/api/version`, also a `POST` that
    /// checks the client's version against the server's), OAuth callbacks and authorization endpoints
    /// (`/authorize`, `/oauth/authorize`), an identity provider's sign-in code callback (a `code`
    /// segment right after `provider`, `oauth` or `auth`: `/auth/provider/{name}/code`), Content-Security-Policy report
    /// endpoints (`/__csp__`, `/csp-report`: browsers post them without credentials), public
    /// key sets read with GET (`/.well-known/jwks.json`, `/v1/jwks/public/<environment>`:
    /// clients need them to verify tokens) and account sign-up are public by design (a handler named `register` or `register_user` at
    /// an account path; not `register_worker`, nor `register` at `/worker/{name}`, which let
    /// anyone add a worker; also a POST to a fixed path whose handler, or a project function
    /// or method it calls, builds a new object of a project class with a hashed password,
    /// whatever the resource is called: ihatemoney's `POST /api/projects`, whose project is
    /// the login; not one made with a role, `User(..., is_admin=True)`). So are a password reminder (`/password-reminder`, `def
    /// remind_password()`; not `/events/{id}/reminder`) and the first step of a passkey login
    /// (a handler asking fido2's `Fido2Server.authenticate_begin` or py_webauthn's
    /// `generate_authentication_options` for the challenge, whatever the path: not the
    /// registration of a new key). A read-only "who am I" page that answers data only under
    /// Flask-Login's `current_user.is_authenticated`, made of `current_user`'s own attributes,
    /// and a fixed value to everyone else (`jsonify(logged_in=False)`) tells an anonymous
    /// caller nothing and is not reported.
    ///
    /// Authentication is looked for at every level and across modules: `Depends` and `Security`
    /// parameters (also inside `Annotated` and module-level type aliases, and through nested
    /// dependencies, closures and dependency factories), a parameter default or `dependencies`
    /// item calling a project function that returns `Depends(x)` (`user=get_user(role="admin")`,
    /// judged by `x`), `dependencies=[...]` on the route (also a
    /// list kept in a constant, or built up with `append`/`extend` in the function or module that
    /// makes the router, or by a project router class or decorator object for a keyword of its
    /// route decorators, `@endpoint.get(path, role="admin")`), the `APIRouter`, each `include_router` and the `FastAPI` app; a `Security(...)`
    /// parameter whose callable cannot be judged (a provider chosen from the configuration at
    /// runtime) authenticates by its declaration, unless the callable lets anonymous callers
    /// through or is named optional, and so does an instance of a class from outside the
    /// analysed code named for it (`Depends(authenticator)` with `authenticator =
    /// JWTAuthenticator(signer)`, also handed to a router factory);
    /// FastAPI security schemes, fastapi-users, Starlette's `@requires`, Flask-Login,
    /// Flask-JWT-Extended, Flask-HTTPAuth, Flask-Security, Flask-AppBuilder (views and APIs
    /// registered with `appbuilder.add_view`/`add_api` are protected only where decorated with
    /// `@has_access`/`@protect()` or checked in the body), Flask-Allows, Flask-Principal
    /// (`@admin_permission.require(403)`, also a permission kept as a class attribute or taken
    /// from a copy of the library vendored into the project, and `with
    /// permission.require(403):` closing the handler), Flask-BasicAuth (`@basic_auth.required`,
    /// and `BasicAuth(app)`/`init_app(app)` for every route of the app while its
    /// `BASIC_AUTH_FORCE` is true in code: a config write to that app, `update`, or a
    /// configuration class or module loaded with `from_object`; conditional when installed or
    /// set under a runtime condition or from a value read at run time), Flask-RESTful resources
    /// (`method_decorators`, also on an `Api` wrapped by flask-restful-swagger's
    /// `swagger.docs(Api(app), ...)`); a blueprint's or app's `url_value_preprocessor` that refuses
    /// (for the routes whose path has the value it reads: `values.pop("project_id")` guards
    /// `/<project_id>/delete`, not `/wipe`); `before_request` hooks of the blueprint, a parent
    /// blueprint or the
    /// app (also registered in helpers such as `register_hooks(app)` or pluggy hooks) and HTTP
    /// middleware that refuse anonymous requests; Starlette's `AuthenticationMiddleware` whose
    /// backend raises for anonymous callers instead of returning `None` (added with
    /// `add_middleware`, or wrapped around a mounted application: `mount("/api",
    /// AuthenticationMiddleware(api, backend=...))`, also through `functools.partial`; a
    /// library's backend protects on the condition that it refuses anonymous callers);
    /// checks in the handler itself (also in a function it defines and runs, or a method it
    /// hands a thread pool: `to_thread.run_sync(self.check_key, headers)`,
    /// `run_in_threadpool`, `asyncio.to_thread`, `loop.run_in_executor`), also in the methods
    /// of a request-handler class or of the class whose bound method is the endpoint
    /// (`add_api_route(path, self.delete_item)` calling `self._check_access()`; a pluggable
    /// provider's `self.provider.authenticate_or_raise(headers)` counts only after `if not
    /// self.provider: return`, so conditionally), in the `__init__` of a project class
    /// the handler builds (`handler = SubmitHandler(request)`), and in a function chosen by name
    /// from the module's globals (`globals().get("get_user_{0}".format(conf.auth_method))`) when
    /// every function of that module whose name starts so authenticates (none imported or bound
    /// otherwise); a token the caller presents, verified
    /// in the handler before anything else happens (a signed download link, an activation or
    /// password-reset token handed to `jwt.decode`, to `serializer.loads(token, max_age=...)` or
    /// to a project function that checks it, a record looked up by the token and refused when
    /// there is none, or a path value compared with an HMAC of the server's secret and answered
    /// with an error when it differs, as webhooks do), though not a CSRF token, a page cursor, a CAPTCHA answer or a one-time
    /// code typed by the user; a credential field the request sends (query, form, cookie or
    /// header: `key`, `api_key`, `X-Node-Key`), read directly, through a local or through a
    /// project helper handed the request and the field's name, compared with a value of the
    /// server's configuration (`if app.config["API_KEY"] != get_value(request, "key"):
    /// abort(401)`, also in a project helper the handler calls first), whatever the names; a
    /// per-object access check whose denial is answered as if the
    /// object did not exist (`except NotAuthorized: abort(404)`, also in a method the view
    /// calls on `self`); the lookup of whom the session names, refused when it finds nobody
    /// (`member = find_member(session.get("sid"))`, also through a local or a project helper
    /// returning the session value, then `if member is None: abort(403)`, whatever the names;
    /// Starlette's `request.session` counts where `request` is a parameter annotated with the
    /// request class, the first parameter of a Starlette endpoint or the request of a
    /// `BaseHTTPMiddleware`'s `dispatch`; so does a project helper, of any module, returning
    /// such a lookup or None, refused in place (`if current_member() is None: abort(403)`) or
    /// through a local; a lookup keyed by a path, query or form value is an ordinary not-found,
    /// and a 404 refuses no one); a project predicate answering `True` or `False` that reads the key the request
    /// presents and answers `False` while it is missing or unknown, then looks it up or logs
    /// the caller in (`if not api_verify(): return jsonify_with_status("denied", 403)`,
    /// whatever the names; a role when the call passes the roles it tests), though not one
    /// reading a setting, a counter or only whether a key was sent, and not a key that is
    /// only sent on as a header to another service; a field of what a project function
    /// handed the presented credential decided (`decision = decide_auth(header=request.
    /// headers.get("Authorization"))`, then `if not decision.allowed:` answering 401, also with
    /// `status_code=decision.status` where the decision's class declares `status: int = 401`),
    /// whatever the names; a webhook that checks the payload's
    /// signature against its secret (`stripe.Webhook.construct_event`); a test of the address
    /// the connection came from (`request.remote_addr`, `environ["REMOTE_ADDR"]`, Starlette's
    /// `request.client.host`) against loopback literals or a value the caller does not send,
    /// `ipaddress.ip_address(peer).is_loopback`, or a project predicate answering such a test
    /// (a decorator calling the view only for local peers and refusing the others), though not
    /// the `Host` or `X-Forwarded-For` header, which the caller writes; and the names configured in
    /// `[tool.routewarden.auth]`. A guard refuses with a status (`abort(401)`, `raise
    /// HTTPException(403)`, a project exception class deriving from Werkzeug's or Starlette's
    /// `HTTPException` with `code = 403`, a redirect to a login page, Eve's
    /// `auth.authenticate()`, or a WebSocket closed with 4401, 4403 or 1008 before it is
    /// accepted), or, in a middleware or hook, with a builtin exception it does not catch
    /// (`raise Exception("Missing auth token.")`, answered 500). A FastAPI dependency refuses only by raising: one that answers the callers it
    /// turns away with a response it returns (`if not user: return RedirectResponse("/login")`,
    /// also in a sub-dependency or the `__call__` of a dependency object) and neither raises a
    /// refusal nor calls a guard that does refuses no one, since FastAPI hands the returned
    /// value to the handler and runs it; the route is judged by the dependencies it relies on,
    /// or protected when the handler returns that value before anything else (`if
    /// isinstance(user, Response): return user`), and the message names the dependency (in a
    /// Flask decorator or `before_request` hook a returned response does refuse). Decorators that are methods of a project object (`@api.secure` on a subclass
    /// of flask-restx's `Api`) are judged by the method's body, and instances of a project
    /// class (`@api_login(require_role=[...])`, or the bare class `@session_required`) by its
    /// `__call__`, following `self.` calls into the class and its project bases (an instance
    /// built with its refusal switched off, `@login_check(optional=True)`, protects nothing);
    /// a decorator whose wrapper only calls the view protects nothing, whatever its name. A refusal under a test of an argument
    /// the caller chooses to send (`if args.get("private") is not None:`) protects only those
    /// callers; one in a handler under a test of the caller joined with a test of data
    /// (`if "lock" in split_group(project.get("group")) and not current_user.is_active():`,
    /// `if note.private and not user:`, a path value) refuses anonymous callers only for the
    /// records that test picks, and anyone may call the route for the others: it protects
    /// nothing, and the route is judged by its other guards (reported when it has none).
    /// Joined with a test of the request method or of a setting it still counts (conditional
    /// under the setting), and so does `if note is None or not user:`, which refuses anonymous
    /// callers always. A 401 answered when another service refuses the key the caller forwarded
    /// is not the caller's authentication. A CSRF check is not
    /// authentication, and a guard whose failure is
    /// caught and ignored protects nothing. A sub-application attached with `mount()` does not
    /// inherit its parent's `dependencies=`, so it must protect itself. A route that a guard hook
    /// lets through by name or path (`if request.endpoint in PUBLIC: return`, also through a
    /// project helper that strips a prefix from the path) is public by the
    /// developer's decision and reported only when its path names a protected resource.
    ///
    /// Protection installed only under a runtime condition (`if auth_string is not None:
    /// app.add_middleware(...)`, a guard that `if not settings.AUTH_ENABLED: return await
    /// call_next(request)`, `deps.append(Depends(auth))` under `if authentication_enabled:`,
    /// `dependencies=[...] if auth_enabled else []`; a view chosen under one, `handler =
    /// handler_authed` under `if is_auth:` and `handler = handler_anon` in the `else`, or `def
    /// handler` in each branch, protected by the guarded view's dependencies only when its
    /// branch is taken), by a guard whose checks run only under a
    /// test of the settings or of the server's state (a dependency that refuses only `if
    /// settings.api_keys:`, or only `if sm is not None:` after `sm = get_security_manager()`,
    /// or only `if session is not None:` on a parameter bound to a dependency taking no
    /// arguments, `session=Depends(session_holder)`, whatever the parameter is called; a
    /// decorator that `if not current_app.config["AUTH_REQUIRED"]: return f(*args, **kwargs)`;
    /// a permission check that returns `True` for everyone under a setting, `if
    /// config["WRITE_ACCESS"] == "ANONYMOUS": return True`; a pluggable authentication object
    /// whose default lets everyone in, `def __init__(self, auth=NoAuth())` with `NoAuth.
    /// is_logged_in` returning `True`; a guard under a module flag, bound at module level only
    /// to literals or other such flags and by no function, whatever its name, also one
    /// imported from another project module: `if has_login and not session.get("user"):`
    /// after `from .addons import has_login`), or by a guard whose covered paths cannot be
    /// worked out (`any(request.path.startswith(f"/api{ns.path}") for ns in namespaces)`), is
    /// conditional: when it is a route's only protection the route is still reported, at low
    /// confidence (whether the switch is on in production is the operator's), naming the
    /// condition. Conditions known for production are not: protection
    /// installed under `if not settings.TESTING:` or `if ENV == "production":` counts, and so
    /// does protection installed under a switch that holds when the operator configures
    /// nothing, by the defaults the project itself declares (`if not app.config.get("NO_AUTH")`
    /// with `NO_AUTH = False` in the configuration module loaded with `from_object`,
    /// `dependencies=[...] if settings.secret else []` with a non-empty default for the settings
    /// field, an environment read's fallback: authentication the operator opts out of); and
    /// protection installed only under `if app.debug:` or `if settings.TESTING:` (or switched off
    /// by Flask-Login's test switch `LOGIN_DISABLED`) does not exist in production and is ignored.
    /// But Flask-Login's `@login_required` in a project whose own code sets `LOGIN_DISABLED =
    /// True` under a runtime condition (`if config["auth"] == "none":`) protects only when that
    /// condition fails.
    /// A middleware that only guards some paths (`if not request.url.path.startswith("/admin"):
    /// return await call_next(request)`, also through a predicate such as
    /// `_is_metrics_route(scope)`) protects only those; one that checks the requests whose
    /// method and path are in a list (`[request.method, request.url.path] in PROTECTED`) protects
    /// the routes a constant list names, and every route only conditionally when the list is a
    /// setting; one that checks them only `if settings.require_auth and <path test>:` protects
    /// the selected paths only while the setting is on. An application built by a factory and
    /// extended by another factory (an opt-in plugin adding its middleware) is a separate
    /// application: what the plugin adds does not protect the default one. Optional authentication
    /// is no authentication: a security scheme with `auto_error=False` (a project subclass of
    /// one that defines `__call__` is judged by that method: `if self.api_key and not valid:
    /// raise HTTPException(401)` protects only when the key it was built with is set), a
    /// dependency that returns
    /// None to anonymous callers instead of refusing them, a check that refuses an invalid token
    /// only when one is presented. Neither is a guard that turns away logged-in users (`if
    /// current_user.is_authenticated: return redirect(...)`, an anonymous-only view).
    ///
    /// The steps of an OAuth 2.0 device authorization login (RFC 8628) are public by design, by
    /// what the handler does: answering a `device_code` and a `user_code`, or taking the
    /// `user_code` and checking the user's credentials.
    ///
    /// An application served only through a PasteDeploy pipeline (built in a PasteDeploy
    /// factory, `def factory(cls, global_config, **local_config)`, or only called from one, or
    /// called by nothing in a project that loads its application with `paste.deploy.loadapp`
    /// or oslo.service's `Loader.load_app`) is authenticated by the pipeline's filters
    /// (OpenStack's keystonemiddleware `auth_token`) if the configuration file, which the
    /// analysis does not read, puts one in front: its routes are reported at low confidence.
    ///
    /// Login, logout, token, token refresh (a `refresh` step at the root or after token,
    /// session or auth segments: `/refresh`, `/auth/refresh`; not `/api/bookmarks/refresh`),
    /// registration (a bare `/register` only when the handler signs a user up: it takes an
    /// e-mail, a user name or a password, makes an account or issues a token, or takes nothing
    /// from the caller at all, a sign-up page or its stand-in; a service registry's `POST
    /// /register` storing what a node sends is not), password reset and recovery, e-mail verification,
    /// OAuth callbacks, health, version, documentation, static files, webhooks and hooks other
    /// services call (`/webhook`, `/register/spamcheck-hook`) that check their sender (a
    /// signature or `hmac` check, a shared token or secret read from the request or compared,
    /// a verifier such as `construct_event`, in the handler, a dependency, a decorator or a
    /// project function it calls, or a secret in the URL, `/hooks/<webhook_token>`; a webhook
    /// that checks nothing is reported, at low confidence), the index (`/` read with GET, also
    /// a landing page whose form posts back to it, `GET,POST /`; `/` registered only for
    /// POST, PUT, PATCH or DELETE, a service's `POST /` storing what it is sent or a resource
    /// router's `PATCH /`, is judged like any other path), the
    /// configured `public-paths`, and routes declared public that check what they serve is
    /// (`public` in the path or the handler's name, and a call such as
    /// `authorize_public_flow_access(flow)` in the handler) are public by design and never
    /// reported, recognised by path and by
    /// the view's name, and so is a login whatever its path: a handler that receives credentials
    /// and issues a session or a token for them (itself, through the project function it hands
    /// them to, or by answering what a project function issuing one returns: `token =
    /// _token_dict(user)`, `return token`), or is named for it (`authenticate_user`,
    /// `login`) and answers with the caller's identity, or an OAuth redirect target (a `callback`
    /// segment and a handler taking `code` and `state`), or that verifies an identity provider's token
    /// (`id_token.verify_oauth2_token`, `authorize_access_token()`) and signs the caller in.
    /// Neither are stubs, handlers whose whole body
    /// answers with an error (`raise HTTPException(status_code=501)`, a `410 Gone` left for old
    /// clients, Flask's `abort(405)` as a statement, `return "gone", 410`), nor catch-all routes (`/<path:path>`) whose handler's whole body returns a
    /// fixed answer (a literal, a module constant, `jsonify` of literals: the page of a
    /// single-page app served for every path, a catch-all saying "not ported yet"). Routes whose protection cannot be known are not reported either: a router that
    /// reaches no application when some `include_router` could not be followed, a router built by a
    /// factory that no analysed code mounts, a blueprint registered on the `app` parameter of an
    /// extension's `init_app`, a Flask-AppBuilder view that no analysed
    /// `appbuilder.add_view`/`add_api` registers. Nor are the routes of a throw-away local server,
    /// an application only served on a random port of the loopback interface (`uvicorn.Config(app,
    /// port=0)`, as a CLI does to receive a browser login callback), or a sidecar: an
    /// application a function builds and serves with uvicorn on the loopback interface (no
    /// `host`, or a literal `127.0.0.1`), handing it to nothing else (`remote = Starlette(...)`,
    /// then `uvicorn.Config(remote, port=REMOTE_PORT)` for the process's own worker): nobody
    /// else can reach it. A host from a parameter, a setting or the command line, a
    /// module-level application, or one the function returns or passes on is still checked.
    /// Nor are routes registered only in debug, development or test mode (a blueprint
    /// registered under `if app.debug:`, a router included under `if settings.TESTING:` or a
    /// product's own `*_DEV_MODE` switch): production does not serve them. A route registered
    /// under any other setting is reported with the setting named (`the route exists only if
    /// settings.enable_oidc`), as `routewarden routes` shows it.
    /// Nor is test scaffolding: a handler written in test code (`tests/`, `test_*.py`,
    /// `conftest.py`) on an application created in test code. The project's own views mounted on
    /// a test application are still checked. A route whose endpoint is a function imported from
    /// a library outside the analysed code (`Route("/purge", endpoint=purge_sessions)`) is not
    /// reported either: its code, which usually checks the caller itself, is not analysed
    /// (`routewarden routes` lists it, with the library's name).
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
            if apps.context_unknown(mounted)
                || apps.is_throwaway(mounted)
                || apps.is_development_only(mounted, &surface.mounted)
            {
                continue;
            }
            let path = &mounted.full_path;
            // The view's endpoint name (`endpoint="refresh_token"`) names it as well as its
            // function does.
            let endpoint = route.keyword("endpoint").and_then(|e| e.as_str());
            // A bare `/register` is a sign-up only when the handler shows it signs a user up.
            let mut sign_up: Option<bool> = None;
            let mut signs_up = || {
                *sign_up.get_or_insert_with(|| {
                    crate::route_paths::signs_up(cx.model, route.handler_file, route.handler)
                        || takes_nothing(&cx.model.files[route.handler_file].imports, route.handler)
                })
            };
            // A webhook is public by design when it checks who sent it.
            let mut verified: Option<bool> = None;
            let mut verifies = || *verified.get_or_insert_with(|| verifies_sender(cx, route));
            // A probe's handler that also answers GET (`@router.post("/ping")` stacked on
            // `@router.get("/ping")`) is read whatever the method.
            let mut reads: Option<bool> = None;
            let mut handler_reads = || {
                *reads.get_or_insert_with(|| {
                    surface.mounted.iter().any(|m| {
                        let other = surface.route(m);
                        std::ptr::eq(other.handler, route.handler)
                            && other.methods.iter().any(|m| m == "GET")
                    })
                })
            };
            if is_public_route(
                path,
                &route.handler.name,
                &route.methods,
                &cx.settings.public_paths,
                &mut signs_up,
                &mut verifies,
                &mut handler_reads,
            ) || endpoint.is_some_and(|e| {
                is_public_route(
                    path,
                    e,
                    &route.methods,
                    &cx.settings.public_paths,
                    &mut signs_up,
                    &mut verifies,
                    &mut handler_reads,
                )
            }) || only_redirects(&cx.model.files[route.handler_file].imports, route.handler)
                // A redirect written by hand: a 3xx status and a `Location` header.
                || redirects_by_hand(route.handler) && reads_and_answers(cx, route).is_some()
                || forwards_every_request(path, route.handler)
                || only_fails(&cx.model.files[route.handler_file], route.handler)
                || (catches_all(path) || only_reads(route) && answers_listing(route))
                    && answers_constant(cx, route)
                || is_login(cx, route)
                || is_oauth_redirect_target(path, route.handler)
                || is_device_flow_step(cx, route)
                || is_passkey_login_start(cx, route)
                || only_reads(route) && answers_own_identity(cx, route)
            {
                continue;
            }
            // Other routes of the same router or blueprint, each counted once, and which of
            // them are pages that only read (no state-changing method at the same path: not the
            // GET half of a form).
            let mut siblings: HashMap<usize, bool> = HashMap::default();
            let mut written: HashSet<&str> = HashSet::default();
            for (j, m) in surface.mounted.iter().enumerate() {
                if m.chain.first() != mounted.chain.first() {
                    continue;
                }
                if may_change_state(&surface.route(m).methods) {
                    written.insert(m.full_path.as_str());
                }
                if m.route != mounted.route {
                    *siblings.entry(m.route).or_default() |= surface.security[j].requires_login();
                }
            }
            // `read_open`: the public ones that no protection reaches at all (neither a token,
            // a per-object check nor a guard under a setting).
            let (mut read_protected, mut read_public, mut read_open) = (0usize, 0usize, 0usize);
            for (j, m) in surface.mounted.iter().enumerate() {
                if m.route == mounted.route
                    || m.chain.first() != mounted.chain.first()
                    || may_change_state(&surface.route(m).methods)
                    || written.contains(m.full_path.as_str())
                {
                    continue;
                }
                if surface.security[j].requires_login() {
                    read_protected += 1;
                } else {
                    read_public += 1;
                    if surface.security[j].auth.is_empty() {
                        read_open += 1;
                    }
                }
            }
            let protected_siblings = siblings.values().filter(|&&p| p).count();
            // A read-only page is out of line with its router only when none or fewer than half
            // of the router's other read-only pages are public: a router that serves public pages beside its
            // members' forms and actions (a forum's index, categories and profiles; a public
            // catalogue) reads publicly by design.
            let reads_mostly_protected = read_public == 0 || read_protected > read_public;
            // A read-only route reported only for a word of its path, in a router that requires
            // a login for some routes but serves half or more of its other read-only pages to
            // everyone (an open-data portal's `GET /organizations/<org>/`, its writes under
            // `@api.secure`): the developer chose public reads, and the word alone cannot tell
            // a public record from a private one. So with settings read with GET: a client's
            // configuration as often as a secret.
            let mut public_reads = false;
            // A POST (or unread methods) whose handler provably writes nothing (a status query
            // sent with POST) is judged as a GET would be; found only when it would be reported.
            let mut writes_nothing: Option<bool> = None;
            // The state-changing methods the handler refuses with the declared defaults.
            let mut refused: Option<Vec<&str>> = None;
            // A route its app's guard deliberately lets through is public by decision; report
            // it only when it exposes a protected resource.
            let reason = if security.hook_exempt {
                names_protected_resource(path).map(|resource| {
                    format!("its path names a protected resource (`{resource}`) and the authentication hook lets it through")
                })
            } else if may_change_state(&route.methods)
                && !only_searches(path, route, &route.methods)
                && !only_serves_files(&SelfMethods::new(cx, route))
                && !answers_without_effect(cx, route, path)
                && !echoes_request(cx, route)
                && !*writes_nothing
                    .get_or_insert_with(|| crate::effects::handler_writes_nothing(cx.model, route))
                && {
                    // Writes refused unless the operator turns a switch off are refused in the
                    // default deployment, as a guard under a switch on by default protects.
                    let refused = refused.insert(refused_by_default(cx, route));
                    let mut changing = changing_methods(route);
                    changing.peek().is_none() || changing.any(|m| !refused.contains(&m))
                }
            {
                // `GET,POST /x`: only the methods that change state are said to.
                let refused = refused.as_deref().unwrap_or_default();
                let changing: Vec<&str> = changing_methods(route)
                    .filter(|m| !refused.contains(m))
                    .collect();
                Some(if changing.is_empty() {
                    "its methods are not known and may change state".to_string()
                } else if changing.len() > 1 {
                    format!("{} change state", changing.join("/"))
                } else {
                    format!("{} changes state", changing.join("/"))
                })
            } else if let Some(resource) = names_protected_resource(path).filter(|_| {
                // `GET /api/media_file` of a gallery whose router asks no one to log in: the
                // word names what it answers, files under a folder the server chose, and
                // the application tells no one's files apart.
                !(protected_siblings == 0 && names_only_files(path) && {
                    let methods = SelfMethods::new(cx, route);
                    only_serves_files(&methods) && serves_under_folder(&methods)
                })
            }) {
                // Only a read-only route with no protection at all (one protected under a
                // condition has siblings under the same one), and not one whose path names a
                // credential (`/users/{id}/api_key`, `/secret/conversations`), which no
                // catalogue publishes and no client needs before logging in.
                let open_read = (!may_change_state(&route.methods) || writes_nothing == Some(true))
                    && security.auth.is_empty()
                    && !crate::route_paths::literal_segments(path).iter().any(|s| {
                        is_credential_name(s) || s.strip_suffix('s').is_some_and(is_credential_name)
                    });
                let catalogue = open_read
                    && protected_siblings > 0
                    && read_open > 0
                    && read_open
                        >= read_protected.saturating_add(read_public.saturating_sub(read_open));
                let settings = open_read && names_only_settings(path);
                public_reads = catalogue || settings;
                Some(if catalogue {
                    format!(
                        "its path names a protected resource (`{resource}`), though its router \
                         requires a login for {protected_siblings} other routes and serves \
                         {read_open} of its other read-only pages to everyone: its reads may \
                         be public by design"
                    )
                } else if settings {
                    format!(
                        "its path names a protected resource (`{resource}`), though settings \
                         read with GET are often the configuration a client needs before anyone \
                         logs in"
                    )
                } else {
                    format!("its path names a protected resource (`{resource}`)")
                })
            } else if has_object_parameter(path)
                && protected_siblings > 0
                && reads_mostly_protected
                && !ignores_path_values(path, route.handler)
            {
                Some(
                    "it addresses an object by id while other routes of its router are protected"
                        .to_string(),
                )
            } else if siblings.len() >= 2
                && protected_siblings == siblings.len()
                && reads_mostly_protected
            {
                Some(format!(
                    "the {} other routes of its router all require authentication",
                    siblings.len()
                ))
            } else {
                None
            };
            let Some(reason) = reason else { continue };
            let reason = reason + &crate::helpers::registration_note(surface, mounted);
            // `Depends(require_login)` whose function returns `RedirectResponse("/login")`
            // for anonymous callers: it looks like authentication and is none.
            let reason = match security.returned_answers.as_slice() {
                [] => reason,
                deps => format!(
                    "{reason}; {}: FastAPI hands what a dependency returns to the handler as \
                     a value and runs the handler (raise HTTPException(401) instead, or return \
                     that response from the handler first thing)",
                    deps.join("; "),
                ),
            };
            // Public by design, though it takes a closer look at the handler.
            if is_federated_login(cx, route)
                || declared_public(path, route.handler)
                || computes_only(cx, route)
                || crate::route_paths::creates_account(cx.model, path, route)
            {
                continue;
            }
            if !reported.insert(mounted.route) {
                continue;
            }
            let mut f = Findings::new(route.file);
            // Protected only when a setting holds, or by a guard whose paths are unclear.
            let conditional = security.conditional_auth();
            // A webhook that checks nothing about its sender: public by design for its
            // sender, but anyone can trigger it; how much that matters depends on its work.
            let webhook = is_webhook(path, &route.handler.name)
                || endpoint.is_some_and(|e| is_webhook(path, e));
            if conditional.is_empty() && webhook {
                f.report_with(
                    &ROUTE_WITHOUT_AUTH,
                    route.span,
                    format!(
                        "{} {} is a webhook that verifies nothing about its sender (no \
                         signature or shared-token check): {reason}",
                        route.methods.join(","),
                        path
                    ),
                    ROUTE_WITHOUT_AUTH.severity,
                    Confidence::Low,
                );
            } else if cx.model.files[route.handler_file].is_imported_stand_in(route.handler) {
                // `Route("/purge", endpoint=purge)` with `purge` imported from a library: its
                // code, which usually checks the caller itself (Flask-Security's views), is not
                // analysed. `routes` lists it; a finding would be a guess.
            } else if public_reads || conditional.is_empty() {
                f.report_with(
                    &ROUTE_WITHOUT_AUTH,
                    route.span,
                    format!(
                        "{} {} can be called without authentication: {reason}",
                        route.methods.join(","),
                        path
                    ),
                    ROUTE_WITHOUT_AUTH.severity,
                    if public_reads {
                        Confidence::Low
                    } else {
                        ROUTE_WITHOUT_AUTH.confidence
                    },
                );
            } else {
                let unless = conditional
                    .iter()
                    .map(|p| {
                        format!(
                            "{} (only {})",
                            p.mechanism,
                            p.condition.as_deref().unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                f.report_with(
                    &ROUTE_WITHOUT_AUTH,
                    route.span,
                    format!(
                        "{} {} is authenticated only conditionally, by {unless}: {reason}",
                        route.methods.join(","),
                        path
                    ),
                    ROUTE_WITHOUT_AUTH.severity,
                    Confidence::Low,
                );
            }
            out.extend(f.into_vec());
        }
    }
}

/// The route's methods that may change state.
fn changing_methods<'r>(
    route: &'r RouteDecl,
) -> std::iter::Peekable<impl Iterator<Item = &'r str>> {
    route
        .methods
        .iter()
        .map(String::as_str)
        .filter(|m| matches!(*m, "POST" | "PUT" | "PATCH" | "DELETE"))
        .peekable()
}

/// The state-changing methods the handler, or the wrapper a project decorator (factory) puts
/// around it, refuses first thing under a setting that holds with the project's declared
/// defaults: beets' `@resource("items")`, whose `responder` does `if get_method() ==
/// "DELETE": if app.config.get("READONLY", True): return flask.abort(405)` (the plugin's
/// `readonly: True`). Asked only when a write is about to be reported.
fn refused_by_default(cx: &ProjectContext, route: &RouteDecl) -> Vec<&'static str> {
    let model = cx.model;
    let file = route.handler_file;
    // Each function that runs for the request, with the functions around it.
    let mut functions: Vec<(usize, Vec<&Function>)> = vec![(file, vec![route.handler])];
    for decorator in &route.handler.decorators {
        let head = match &decorator.kind {
            ExprKind::Call(c) => &c.func,
            _ => decorator,
        };
        let Some((f, outer, _)) = resolve_callee(model, file, head) else {
            continue;
        };
        // The decorator's wrapper, or the wrapper of the decorator a factory returns.
        for inner in nested_functions(outer) {
            functions.push((f, vec![outer, inner]));
            for wrapper in nested_functions(inner) {
                functions.push((f, vec![outer, inner, wrapper]));
            }
        }
    }
    let mut out = Vec::new();
    for (f, scope) in &functions {
        if let Some(function) = scope.last() {
            refusals_in(cx, *f, scope, &function.body, &mut out);
        }
    }
    out
}

fn nested_functions(function: &Function) -> impl Iterator<Item = &Function> {
    function.body.iter().filter_map(|s| match s {
        Stmt::FunctionDef(f) => Some(f.as_ref()),
        _ => None,
    })
}

/// [`refused_by_default`] in one body: `if <method> == "DELETE":` (also `elif`, and joined
/// with `and`) whose branch starts with `if <setting>:` answered by `abort(...)`.
fn refusals_in<'a>(
    cx: &ProjectContext<'a>,
    file: usize,
    scope: &[&'a Function],
    body: &'a [Stmt],
    out: &mut Vec<&'static str>,
) {
    let imports = &cx.model.files[file].imports;
    for stmt in body {
        let Stmt::If {
            test, body, orelse, ..
        } = stmt
        else {
            continue;
        };
        if let Some(method) = tested_method(cx.model, file, test)
            && let Some(Stmt::If {
                test: switch,
                body: refusal,
                ..
            }) = code_statements(body).first()
            && matches!(refusal.first(),
                Some(Stmt::Return { value: Some(v), .. } | Stmt::Expr { value: v, .. })
                    if v.as_call().is_some_and(|c| imports.resolves_to(&c.func, ABORTS)))
            && routewarden_model::defaults::holds_by_default(
                cx.model,
                &cx.surface.apps,
                cx.config,
                file,
                scope,
                switch,
            ) == Some(true)
        {
            out.push(method);
        }
        refusals_in(cx, file, scope, orelse, out);
    }
}

/// The state-changing method a test compares the request's method with: `request.method ==
/// "DELETE"`, also read through a project helper that returns it (`get_method()`), and as an
/// operand of `and`.
fn tested_method(model: &ProjectModel, file: usize, test: &Expr) -> Option<&'static str> {
    if let ExprKind::BoolOp {
        op: routewarden_python::ast::BoolOp::And,
        values,
    } = &test.kind
    {
        return values.iter().find_map(|v| tested_method(model, file, v));
    }
    let ExprKind::Compare {
        left,
        ops,
        comparators,
    } = &test.kind
    else {
        return None;
    };
    if !matches!(ops.as_slice(), [routewarden_python::ast::CmpOp::Eq]) {
        return None;
    }
    let method = ["POST", "PUT", "PATCH", "DELETE"]
        .into_iter()
        .find(|m| comparators.first().and_then(|c| c.as_str()) == Some(*m))?;
    let is_method = |f: usize, e: &Expr| {
        model.files[f]
            .imports
            .resolves_to(e, &["flask.request.method"])
    };
    let reads_method = is_method(file, left)
        || left.as_call().is_some_and(|c| {
            c.args.is_empty()
                && resolve_callee(model, file, &c.func).is_some_and(|(f, helper, _)| {
                    matches!(code_statements(&helper.body).as_slice(),
                        [Stmt::Return { value: Some(v), .. }] if is_method(f, v))
                })
        });
    reads_method.then_some(method)
}

/// Whether a webhook's handler checks who sent it: in its own body, a dependency, a decorator
/// or a project function it calls (one call away), a call to `hmac`/`secrets.compare_digest`
/// or one named for verifying (`verify_signature`, `construct_event`, `authenticate`), a
/// request value read by a signature, token or secret key (`X-Hub-Signature-256`,
/// `X-Gitlab-Token`), or a comparison with a token, secret, signature or key.
fn verifies_sender(cx: &ProjectContext, route: &RouteDecl) -> bool {
    let model = cx.model;
    let file = route.handler_file;
    let handler = route.handler;
    // A secret in the URL the sender was given (`/webhooks/chatbots/<webhook_token>`), which
    // the handler takes: whoever knows the URL is the sender.
    let url_secret = route.path.split('/').any(|s| {
        // `{name:path}` in FastAPI, `<converter:name>` in Flask.
        let name = s
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .and_then(|v| v.split(':').next())
            .or_else(|| {
                s.strip_prefix('<')
                    .and_then(|s| s.strip_suffix('>'))
                    .and_then(|v| v.rsplit(':').next())
            });
        name.is_some_and(|n| {
            names_sender_credential(n) && handler.params.iter().any(|p| p.name == n)
        })
    });
    if url_secret {
        return true;
    }
    // The handler, and the project functions it names: its dependencies
    // (`Depends(check_signature)`), decorators and callees.
    let mut bodies: Vec<(usize, &Function)> = vec![(file, handler)];
    let mut named: Vec<&Expr> = Vec::new();
    for p in &handler.params {
        named.extend(p.default.as_deref());
    }
    named.extend(handler.decorators.iter());
    walk_exprs(&handler.body, &mut |e| named.push(e));
    for e in named {
        e.any(&mut |x| {
            let target = match &x.kind {
                ExprKind::Call(call) => &call.func,
                ExprKind::Name(_) | ExprKind::Attribute { .. } => x,
                _ => return false,
            };
            if bodies.len() < 32
                && let Some((f, def, _)) = resolve_callee(model, file, target)
                && !bodies.iter().any(|(_, b)| std::ptr::eq(*b, def))
            {
                bodies.push((f, def));
            }
            false
        });
    }
    bodies
        .iter()
        .any(|(f, function)| checks_sender(&model.files[*f].imports, function))
}

/// Words of a credential a sender proves itself with.
fn names_sender_credential(text: &str) -> bool {
    any_identifier_word(text, |w| {
        matches!(
            w,
            "signature" | "signed" | "sig" | "hmac" | "token" | "secret" | "key" | "apikey"
        )
    })
}

/// The evidence [`verifies_sender`] looks for, in one function's body or decorators.
fn checks_sender(imports: &Imports, function: &Function) -> bool {
    let mut found = false;
    let mut visit = |e: &Expr| {
        found = found
            || e.any(&mut |x| match &x.kind {
                ExprKind::Call(call) => {
                    let qualified = imports.resolve(&call.func);
                    qualified.as_deref().is_some_and(|q| {
                        q.starts_with("hmac.") || q == "secrets.compare_digest"
                    }) || call.func.last_name().is_some_and(|n| {
                        n == "construct_event"
                            || any_identifier_word(n, |w| {
                                matches!(
                                    w,
                                    "verify"
                                        | "verified"
                                        | "verification"
                                        | "authenticate"
                                        | "signature"
                                        | "hmac"
                                )
                            })
                    })
                        // `request.headers.get("X-Gitlab-Token")`
                        || matches!(&call.func.kind, ExprKind::Attribute { attr, .. }
                            if attr == "get")
                            && call
                                .args
                                .first()
                                .and_then(Expr::as_str)
                                .is_some_and(names_sender_credential)
                }
                // `request.headers["X-Hub-Signature-256"]`
                ExprKind::Subscript { slice, .. } => {
                    slice.as_str().is_some_and(names_sender_credential)
                }
                // `if token != settings.WEBHOOK_TOKEN:`
                ExprKind::Compare {
                    left, comparators, ..
                } => std::iter::once(&**left).chain(comparators.iter()).any(|c| {
                    matches!(&c.kind, ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. }
                        if names_sender_credential(n))
                }),
                _ => false,
            });
    };
    walk_exprs(&function.body, &mut visit);
    for d in &function.decorators {
        visit(d);
    }
    found
}

/// The first step of a passkey (WebAuthn) login, by what the handler does: it asks a WebAuthn
/// library for the challenge of an authentication (fido2's `Fido2Server.authenticate_begin`,
/// py_webauthn's `generate_authentication_options`), which the browser signs with the
/// caller's key in the next step. The caller has no session yet: that step is how they get
/// one, so it is public by design whatever the path calls it (`/authenticate/begin/<user>`).
/// Not the registration of a new key (`register_begin`), which needs a logged-in user.
fn is_passkey_login_start(cx: &ProjectContext, route: &RouteDecl) -> bool {
    let file = route.handler_file;
    let imports = &cx.model.files[file].imports;
    let scope = [route.handler];
    let mut found = false;
    walk_exprs(&route.handler.body, &mut |e| {
        found |= e.any(&mut |x| {
            let Some(call) = x.as_call() else {
                return false;
            };
            match &call.func.kind {
                ExprKind::Attribute { value, attr } if attr == "authenticate_begin" => cx
                    .model
                    .instance_class(file, &scope, value)
                    .is_some_and(|c| {
                        matches!(
                            c.as_str(),
                            "fido2.server.Fido2Server" | "fido2.server.U2FFido2Server"
                        )
                    }),
                _ => imports.resolve(&call.func).as_deref().is_some_and(|q| {
                    matches!(
                        q,
                        "webauthn.generate_authentication_options"
                            | "webauthn.authentication.generate_authentication_options.generate_authentication_options"
                    )
                }),
            }
        });
    });
    found
}

/// Flask-Login's `current_user` proxy, imported from it or from a package built on it that
/// re-exports it (`flask_user`, `docassemble_flask_user`): a qualified name, not a local.
fn is_login_proxy(qualified: &str) -> bool {
    qualified
        .rsplit_once('.')
        .is_some_and(|(package, name)| name == "current_user" && !package.is_empty())
}

/// A "who am I" page (`GET /me`): the handler answers data only under a test that the caller
/// is logged in (Flask-Login's `current_user.is_authenticated`, `not
/// current_user.is_anonymous`), made only of `current_user`'s own attributes, and answers a
/// fixed value (`jsonify(logged_in=False)`) to everyone else. An anonymous caller learns
/// nothing; a logged-in one only who they are.
fn answers_own_identity<'a>(cx: &ProjectContext<'a>, route: &RouteDecl<'a>) -> bool {
    let imports = &cx.model.files[route.handler_file].imports;
    if imports.get("current_user").is_none() {
        return false;
    }
    // What an answer is made of: a call's arguments (`jsonify(...)`), or the value itself.
    let parts = |e: &'a Expr| -> Vec<&'a Expr> {
        match e.as_call() {
            Some(call) => call.argument_values().collect(),
            None => vec![e],
        }
    };
    // Literals, and calls of anything on literals only (`jsonify(logged_in=False)`).
    let fixed = |e: &'a Expr| {
        !parts(e)
            .iter()
            .any(|v| v.any(&mut |x| matches!(x.kind, ExprKind::Name(_) | ExprKind::Call(_))))
    };
    // Only `current_user`'s attributes, and names a comprehension binds over them.
    let own = |e: &'a Expr| {
        let values = parts(e);
        let mut bound: Vec<&str> = Vec::new();
        for v in &values {
            v.any(&mut |x| {
                if let ExprKind::Comprehension { generators, .. } = &x.kind {
                    bound.extend(generators.iter().flat_map(|g| target_names(&g.target)));
                }
                false
            });
        }
        let mut reads_user = false;
        let foreign = values.iter().any(|v| {
            v.any(&mut |x| match &x.kind {
                ExprKind::Call(_) => true,
                ExprKind::Name(n) if bound.contains(&n.as_str()) => false,
                ExprKind::Name(_) => {
                    let user = imports.resolve(x).is_some_and(|q| is_login_proxy(&q));
                    reads_user |= user;
                    !user
                }
                _ => false,
            })
        });
        reads_user && !foreign
    };
    let statements = code_statements(&route.handler.body);
    let Some((
        Stmt::If {
            test, body, orelse, ..
        },
        rest,
    )) = statements.split_first()
    else {
        return false;
    };
    let otherwise = if orelse.is_empty() {
        rest.to_vec()
    } else if rest.is_empty() {
        code_statements(orelse)
    } else {
        return false;
    };
    crate::helpers::tests_logged_in(imports, test, &is_login_proxy)
        && matches!(code_statements(body).as_slice(),
            [Stmt::Return { value: Some(v), .. }] if own(v))
        && matches!(otherwise.as_slice(), [Stmt::Return { value: Some(v), .. }] if fixed(v))
}

/// A step of an OAuth 2.0 device authorization login (RFC 8628), by what the handler does: the
/// device authorization endpoint answers the `device_code` and `user_code` a device starts
/// its login with; the verification step takes the `user_code` and signs the user in with the
/// identity provider (`await authenticator.authenticate(request)`, a credential check RATE001
/// also sees). Anonymous callers use them to become authenticated.
fn is_device_flow_step(cx: &ProjectContext, route: &RouteDecl) -> bool {
    let handler = route.handler;
    if handler.params.iter().any(|p| p.name == "user_code")
        && credential_evidence(cx.model, route.handler_file, handler).is_some()
    {
        return true;
    }
    let mut device_codes = false;
    routewarden_model::values::for_each_return(&handler.body, &mut |value| {
        if let ExprKind::Dict(entries) = &value.kind {
            let keys: Vec<&str> = entries
                .iter()
                .filter_map(|e| e.key.as_ref().and_then(|k| k.as_str()))
                .collect();
            device_codes |= keys.contains(&"device_code") && keys.contains(&"user_code");
        }
    });
    device_codes
}

/// A handler that takes every object id of its path as a parameter and never reads one
/// (`def share(token): return render_template("share.html")`): the page addresses no object
/// on the server, whatever the URL carries for the browser's code.
fn ignores_path_values(path: &str, handler: &Function) -> bool {
    let names: Vec<&str> = path
        .split('/')
        .filter(|s| has_object_parameter(s))
        .filter_map(|s| {
            let inner = s
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .or_else(|| s.strip_prefix('<').and_then(|r| r.strip_suffix('>')))?;
            Some(match inner.split_once(':') {
                Some((name, _)) if s.starts_with('{') => name,
                Some((_, name)) => name,
                None => inner,
            })
        })
        .collect();
    if names.is_empty()
        || !names
            .iter()
            .all(|n| handler.params.iter().any(|p| p.name == *n))
    {
        return false;
    }
    let mut read = false;
    walk_exprs(&handler.body, &mut |e| {
        read |= e.any(&mut |x| x.as_name().is_some_and(|n| names.contains(&n)));
    });
    !read
}

/// A handler whose body (after its docstring) only builds a URL and returns `redirect(...)` or
/// `RedirectResponse(...)` with it: `url = URL(str(request.url)); return RedirectResponse(url.
/// replace(path=url.path + "/"))`. Every call is one that builds or reads a URL, so it reveals
/// and changes nothing, whatever its method (a `POST` kept only to send old clients on with a
/// 307, where the target route answers for itself).
/// A transparent reverse proxy: the route catches every path (`/{path:path}`, `/<path:p>`)
/// and the handler passes the request's method on to another call (`client.request(
/// request.method, url, ...)`) or the request to a helper named for forwarding. The service
/// behind it answers, and authenticates, for itself.
fn forwards_every_request(path: &str, handler: &Function) -> bool {
    let catch_all = |segment: &str| {
        (segment.starts_with('{') && segment.ends_with(":path}"))
            || (segment.starts_with("<path:") && segment.ends_with('>'))
    };
    // A prefix the analysis could not read (`<dynamic>`, `{…}`) is the proxy's mount point:
    // `f"{prefix}/{{path:path}}"`, and `prefix` itself for the proxied root.
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "<dynamic>" && !s.contains('…'))
        .collect();
    let unreadable_root = segments.is_empty() && path != "/" && !path.is_empty();
    if !(unreadable_root || matches!(segments.as_slice(), [only] if catch_all(only))) {
        return false;
    }
    let mut forwards = false;
    walk_exprs(&handler.body, &mut |e| {
        forwards |= e.any(&mut |x| {
            let ExprKind::Call(call) = &x.kind else {
                return false;
            };
            // `self._proxy_request_to(url, request)`: a helper named for forwarding, given
            // the request.
            let forwarder = call.func.last_name().is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n.contains("proxy") || n.contains("forward")
            });
            call.argument_values().any(|a| match &a.kind {
                ExprKind::Attribute { value, attr } => {
                    attr == "method" && value.as_name().is_some()
                }
                ExprKind::Name(n) => forwarder && handler.params.iter().any(|p| p.name == *n),
                _ => false,
            })
        });
    });
    forwards
}

/// A handler that only sends the client on: it may read the request's parameters, build a
/// URL from them (also with a project helper named for it, `url_for_item`) and refuse a
/// missing one, and ends by returning a redirect to that URL.
pub(crate) fn only_redirects(imports: &Imports, handler: &Function) -> bool {
    let body = code_statements(&handler.body);
    let Some((Stmt::Return { value: Some(v), .. }, before)) = body.split_last() else {
        return false;
    };
    let Some(call) = v.as_call() else {
        return false;
    };
    if !call
        .func
        .last_name()
        .is_some_and(|n| matches!(n, "redirect" | "RedirectResponse"))
    {
        return false;
    }
    let builds_url_only = |e: &Expr| builds_url_only(imports, e);
    before.iter().all(|stmt| only_builds_url(imports, stmt))
        && call.argument_values().all(builds_url_only)
}

/// An expression whose calls only build a URL or read the request's parameters.
fn builds_url_only(imports: &Imports, e: &Expr) -> bool {
    !e.any(&mut |x| {
        x.as_call().is_some_and(|c| {
            let url = c
                .func
                .last_name()
                .is_some_and(|n| URL_BUILDERS.contains(&n) || n.starts_with("url_for"));
            !url && !reads_request_parameter(imports, c)
        })
    })
}

/// `request.form.get("name")`, `request.values.get(...)`, `request.args.get(...)` (Flask).
fn reads_request_parameter(imports: &Imports, call: &Call) -> bool {
    imports.resolve(&call.func).is_some_and(|q| {
        q.strip_prefix("flask.request.")
            .and_then(|rest| rest.strip_suffix(".get"))
            .is_some_and(|part| matches!(part, "args" | "form" | "values"))
    })
}

/// A statement before a redirect that does nothing else: a local bound to a URL or a request
/// parameter, a refusal (`abort(404)`), or an `if` on those choosing among them.
fn only_builds_url(imports: &Imports, stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } => targets.iter().all(|t| t.as_name().is_some()) && builds_url_only(imports, value),
        Stmt::If {
            test, body, orelse, ..
        } => {
            builds_url_only(imports, test)
                && body
                    .iter()
                    .chain(orelse.iter())
                    .all(|s| only_builds_url(imports, s))
        }
        Stmt::Expr { value, .. } => value.as_call().is_some_and(|c| {
            c.func.last_name() == Some("abort")
                && c.args.iter().all(|a| builds_url_only(imports, a))
        }),
        Stmt::Raise { exc, .. } => exc.as_ref().is_none_or(|e| builds_url_only(imports, e)),
        _ => false,
    }
}

/// Calls that build or read a URL and do nothing else.
const URL_BUILDERS: &[&str] = &[
    "url_for",
    "str",
    "URL",
    "replace",
    "include_query_params",
    "replace_query_params",
    "remove_query_params",
    "urljoin",
    "urlencode",
    "quote",
    "quote_plus",
    "format",
    "join",
    "strip",
    "rstrip",
    "lstrip",
];

/// Calls that answer with a file from the server's disk.
const FILE_SERVERS: &[&str] = &[
    "send_from_directory",
    "send_file",
    "send_static_file",
    "FileResponse",
    "static_file",
];

/// The methods of the class defining a handler, looked up only when the handler calls one on
/// `self` (`file_path = self._get_file(tab, filename)`).
struct SelfMethods<'a> {
    model: &'a ProjectModel,
    file: usize,
    handler: &'a Function,
    class: std::cell::OnceCell<Option<&'a Class>>,
}

impl<'a> SelfMethods<'a> {
    fn new(cx: &ProjectContext<'a>, route: &RouteDecl<'a>) -> Self {
        SelfMethods {
            model: cx.model,
            file: route.handler_file,
            handler: route.handler,
            class: std::cell::OnceCell::new(),
        }
    }

    /// `self.name(...)`: the method of the handler's class, or of a project base, it calls.
    fn method(&self, call: &Call) -> Option<&'a Function> {
        let (receiver, name) = call.method()?;
        if receiver.as_name() != Some("self") {
            return None;
        }
        let class = (*self.class.get_or_init(|| {
            routewarden_model::apps::class_of_method(
                self.model.files[self.file].body(),
                self.handler,
            )
        }))?;
        routewarden_model::apps::find_method(self.model, self.file, class, name).map(|(_, _, m)| m)
    }
}

/// How deep `self.` helpers of a file-serving handler are followed.
const PATH_HELPER_DEPTH: u32 = 3;
/// How many locals and `self.` helpers are followed back to the folder of a served path.
const ROOT_DEPTH: u32 = 6;

/// An expression whose calls only compute or test a path, or read a setting, directly or
/// through a method called on `self` that does nothing else (see [`path_helper`]).
fn computes_path(e: &Expr, methods: &SelfMethods, depth: u32) -> bool {
    !e.any(&mut |x| {
        x.as_call().is_some_and(|c| {
            let named = c.func.last_name().is_some_and(|n| {
                matches!(
                    n,
                    "join"
                        | "exists"
                        | "isfile"
                        | "isdir"
                        | "splitext"
                        | "normpath"
                        | "abspath"
                        | "realpath"
                        | "basename"
                        | "dirname"
                        | "safe_join"
                        | "startswith"
                        | "endswith"
                        | "lower"
                        | "strip"
                        | "lstrip"
                        | "rstrip"
                        | "get"
                        | "str"
                        | "Path"
                        | "is_file"
                        | "is_dir"
                        | "resolve"
                )
            });
            // Not a path call, nor a `self.` helper that only computes a path.
            let helper = || {
                depth < PATH_HELPER_DEPTH
                    && methods
                        .method(c)
                        .is_some_and(|m| path_helper(m, methods, depth + 1))
            };
            !named && !helper()
        })
    })
}

/// A method that only computes a path and tests it, refusing with an error (`raise
/// HTTPException(status_code=404)`, `abort(404)`) and returning the path or a folder.
fn path_helper(method: &Function, methods: &SelfMethods, depth: u32) -> bool {
    fn block(body: &[Stmt], methods: &SelfMethods, depth: u32) -> bool {
        body.iter().all(|stmt| match stmt {
            Stmt::Expr { value, .. } => {
                value.is_string_literal()
                    || value
                        .as_call()
                        .is_some_and(|c| c.func.last_name() == Some("abort"))
            }
            Stmt::Raise { .. } => true,
            Stmt::Return {
                value: Some(value), ..
            } => computes_path(value, methods, depth),
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => {
                targets.len() == 1
                    && targets[0].as_name().is_some()
                    && computes_path(value, methods, depth)
            }
            Stmt::If {
                test, body, orelse, ..
            } => {
                computes_path(test, methods, depth)
                    && block(body, methods, depth)
                    && block(orelse, methods, depth)
            }
            _ => false,
        })
    }
    block(&method.body, methods, depth)
}

/// A handler that only serves files, whatever its methods (a single-page app's host
/// answering `GET,POST /<path:path>` with its files or its `index.html`): every return
/// answers with a file (`send_from_directory(...)`, also wrapped by a helper that sets
/// headers on the response), and the rest only computes paths, tests them and refuses
/// (`abort(404)`, `raise HTTPException(status_code=404)`), also in methods it calls on `self`
/// that do only that (`file_path = self._get_file(tab, filename)`). It changes nothing, so
/// its POST is no state change.
fn only_serves_files(methods: &SelfMethods) -> bool {
    /// What a handler's statements have bound: locals holding a file response.
    struct Served<'a> {
        locals: Vec<&'a str>,
        returned: bool,
    }
    impl Served<'_> {
        fn file(&self, e: &Expr) -> bool {
            match &e.kind {
                ExprKind::Name(n) => self.locals.contains(&n.as_str()),
                ExprKind::Call(call) => {
                    call.func
                        .last_name()
                        .is_some_and(|n| FILE_SERVERS.contains(&n))
                        || call.args.len() == 1 && self.file(&call.args[0])
                }
                _ => false,
            }
        }
    }
    fn block<'a>(body: &'a [Stmt], served: &mut Served<'a>, methods: &SelfMethods) -> bool {
        body.iter().all(|stmt| match stmt {
            Stmt::Expr { value, .. } => {
                value.is_string_literal()
                    || value
                        .as_call()
                        .is_some_and(|c| c.func.last_name() == Some("abort"))
                    // `_no_store(response)`: a helper setting headers on the file response.
                    || value
                        .as_call()
                        .is_some_and(|c| c.args.len() == 1 && served.file(&c.args[0]))
            }
            Stmt::Raise { .. } => true,
            Stmt::Return {
                value: Some(value), ..
            } => {
                let file = served.file(value);
                served.returned |= file;
                file
            }
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => {
                let [target] = targets.as_slice() else {
                    return false;
                };
                let Some(name) = target.as_name() else {
                    return false;
                };
                if served.file(value) {
                    served.locals.push(name);
                    true
                } else {
                    computes_path(value, methods, 0)
                }
            }
            Stmt::If {
                test, body, orelse, ..
            } => {
                computes_path(test, methods, 0)
                    && block(body, served, methods)
                    && block(orelse, served, methods)
            }
            _ => false,
        })
    }
    let mut served = Served {
        locals: Vec::new(),
        returned: false,
    };
    block(&methods.handler.body, &mut served, methods) && served.returned
}

/// Whether every file a file-serving handler (see [`only_serves_files`]) answers lies under a
/// folder the server chose: `send_from_directory(FOLDER, name)`, or a `FileResponse`/`send_file`
/// of a path built on a module value or an attribute of `self` (`ROOT / filename`,
/// `os.path.join(self.output_dir, name)`, a `self.` helper returning one). A path the caller
/// names whole (`send_file(path)` of a parameter) may be any file on the disk.
fn serves_under_folder(methods: &SelfMethods) -> bool {
    /// A path rooted in a folder the server chose, in `function` (locals followed once).
    fn rooted(e: &Expr, function: &Function, methods: &SelfMethods, depth: u32) -> bool {
        match &e.kind {
            ExprKind::Name(n) => {
                if function.params.iter().any(|p| p.name == *n) {
                    return false;
                }
                if !function.assigned.may_contain(n) {
                    // A module value: a folder or file the server configured.
                    return true;
                }
                let mut values = Vec::new();
                let mut other = false;
                walk_stmts(&function.body, &mut |s| match s {
                    Stmt::Assign { targets, value, .. }
                        if targets.iter().any(|t| t.as_name() == Some(n.as_str())) =>
                    {
                        match (targets.len(), value) {
                            (1, Some(v)) => values.push(v),
                            _ => other = true,
                        }
                    }
                    _ => {}
                });
                !other
                    && !values.is_empty()
                    && depth < ROOT_DEPTH
                    && values
                        .iter()
                        .all(|v| rooted(v, function, methods, depth + 1))
            }
            ExprKind::Attribute { value, .. } => value.as_name() == Some("self"),
            ExprKind::BinOp {
                left,
                op: routewarden_python::ast::BinOp::Div,
                ..
            } => rooted(left, function, methods, depth),
            ExprKind::Call(call) => {
                if depth < ROOT_DEPTH
                    && let Some(m) = methods.method(call)
                {
                    let mut returns = Vec::new();
                    walk_stmts(&m.body, &mut |s| {
                        if let Stmt::Return { value, .. } = s {
                            returns.push(value.as_ref());
                        }
                    });
                    return !returns.is_empty()
                        && returns
                            .iter()
                            .all(|r| r.is_some_and(|r| rooted(r, m, methods, depth + 1)));
                }
                match call.func.last_name() {
                    Some("join" | "safe_join" | "joinpath") => match call.method() {
                        // `os.path.join(base, name)`, `base.joinpath(name)`.
                        Some((receiver, "joinpath")) => rooted(receiver, function, methods, depth),
                        _ => call
                            .args
                            .first()
                            .is_some_and(|a| rooted(a, function, methods, depth)),
                    },
                    Some("resolve" | "absolute") => call
                        .method()
                        .is_some_and(|(r, _)| rooted(r, function, methods, depth)),
                    Some("Path" | "str" | "abspath" | "realpath" | "normpath") => {
                        call.args.len() == 1 && rooted(&call.args[0], function, methods, depth)
                    }
                    _ => false,
                }
            }
            _ => e.is_string_literal(),
        }
    }
    let handler = methods.handler;
    let mut all = true;
    walk_exprs(&handler.body, &mut |e| {
        e.any(&mut |x| {
            if let Some(call) = x.as_call()
                && let Some(name) = call.func.last_name()
                && FILE_SERVERS.contains(&name)
                && !matches!(name, "send_from_directory" | "send_static_file")
            {
                all &= call
                    .argument("path", 0)
                    .is_some_and(|a| rooted(a, handler, methods, 0));
            }
            false
        });
    });
    all
}

/// A path ending in a catch-all parameter: `/<path:path>`, `/api/{rest:path}`.
fn catches_all(path: &str) -> bool {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    last.starts_with("<path:") || last.starts_with('{') && last.ends_with(":path}")
}

/// A handler whose whole body returns a fixed answer: a literal, a module constant holding one,
/// or a JSON or file response built only from them (`return INDEX_HTML` for every path of a
/// single-page app, `return jsonify({"error": "not ported yet"})`). It reads nothing the
/// caller names and changes nothing.
fn answers_constant(cx: &ProjectContext, route: &RouteDecl) -> bool {
    let body = code_statements(&route.handler.body);
    let [
        Stmt::Return {
            value: Some(value), ..
        },
    ] = body.as_slice()
    else {
        return false;
    };
    let module = &cx.model.files[route.handler_file];
    fn fixed(module: &routewarden_model::SourceModule, e: &Expr, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        match &e.kind {
            // `[{"id": k, "label": v} for k, v in ROLES.items()]` over a module constant.
            ExprKind::Comprehension {
                element,
                value,
                generators,
            } => {
                let bound: Vec<&str> = generators
                    .iter()
                    .flat_map(|g| target_names(&g.target))
                    .collect();
                generators
                    .iter()
                    .all(|g| g.ifs.is_empty() && static_data(module, &g.iter))
                    && std::iter::once(&**element)
                        .chain(value.as_deref())
                        .all(|e| built_from(e, &bound))
            }
            ExprKind::Str(_)
            | ExprKind::Bytes(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::NoneLiteral => true,
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                items.iter().all(|i| fixed(module, i, depth + 1))
            }
            ExprKind::Dict(entries) => entries.iter().all(|entry| {
                entry
                    .key
                    .as_ref()
                    .is_none_or(|k| fixed(module, k, depth + 1))
                    && fixed(module, &entry.value, depth + 1)
            }),
            // A module constant bound to a literal.
            ExprKind::Name(name) => matches!(
                module.top_level(name),
                Some(Stmt::Assign { value: Some(v), .. }) if !matches!(v.kind, ExprKind::Name(_))
                    && fixed(module, v, depth + 1)
            ),
            ExprKind::Call(call) => {
                matches!(
                    call.func.last_name(),
                    Some(
                        "jsonify"
                            | "JSONResponse"
                            | "HTMLResponse"
                            | "PlainTextResponse"
                            | "Response"
                            | "make_response"
                    )
                ) && call.args.iter().all(|a| fixed(module, a, depth + 1))
                    && call
                        .keywords
                        .iter()
                        .all(|k| fixed(module, &k.value, depth + 1))
            }
            _ => false,
        }
    }
    fixed(module, value, 0)
}

/// A handler that answers a list built in place, `return [... for ... in ...]`, also through
/// `jsonify(...)`: with [`answers_constant`], one built from data the code defines (a handler
/// returning a bare literal is usually a fixture's or a sketch's stand-in, not a listing).
fn answers_listing(route: &RouteDecl) -> bool {
    let mut returned = None;
    for stmt in &route.handler.body {
        match stmt {
            Stmt::Return { value: Some(v), .. } => returned = Some(v),
            Stmt::Expr { value, .. } if value.is_string_literal() => {}
            _ => return false,
        }
    }
    let Some(mut value) = returned else {
        return false;
    };
    if let Some(call) = value.as_call()
        && let [only] = &call.args[..]
    {
        value = only;
    }
    matches!(value.kind, ExprKind::Comprehension { .. })
}

/// A route that only reads: GET, HEAD and OPTIONS.
fn only_reads(route: &RouteDecl) -> bool {
    route
        .methods
        .iter()
        .all(|m| matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS"))
}

/// Data written in the code: a module constant bound to a literal collection, here or
/// imported (`ROLES`, `ROLES.items()`).
fn static_data(module: &routewarden_model::SourceModule, e: &Expr) -> bool {
    let e = match &e.kind {
        ExprKind::Call(call)
            if call.args.is_empty()
                && matches!(call.func.last_name(), Some("items" | "keys" | "values")) =>
        {
            match &call.func.kind {
                ExprKind::Attribute { value, .. } => &**value,
                _ => return false,
            }
        }
        _ => e,
    };
    let Some(name) = e.as_name() else {
        return false;
    };
    // Named as a constant, bound to a literal collection in this module, and never changed
    // here (`USERS.append(...)` makes a store, not a constant).
    let literal = matches!(module.top_level(name), Some(Stmt::Assign { value: Some(v), .. })
            if matches!(v.kind, ExprKind::Dict(_) | ExprKind::List(_) | ExprKind::Tuple(_)));
    let imported = module.imports.get(name).is_some();
    (literal || imported) && is_constant_name(e) && !changed_in(module.body(), name)
}

/// Whether `body` changes the collection `name` holds: `NAME[k] = v`, `NAME.append(x)`.
fn changed_in(body: &[Stmt], name: &str) -> bool {
    let mut changed = false;
    routewarden_model::security::walk_all_stmts(body, &mut |stmt| match stmt {
        Stmt::Assign { targets, .. } => {
            changed |= targets.iter().any(|t| {
                matches!(&t.kind, ExprKind::Subscript { value, .. } if value.as_name() == Some(name))
            });
        }
        Stmt::Expr { value, .. } => {
            changed |= value.as_call().is_some_and(|c| {
                matches!(&c.func.kind, ExprKind::Attribute { value, attr }
                    if value.as_name() == Some(name)
                        && matches!(attr.as_str(),
                            "append" | "extend" | "insert" | "update" | "pop" | "setdefault"
                                | "add" | "remove" | "clear" | "discard"))
            });
        }
        _ => {}
    });
    changed
}

/// An element made of literals, the loop's names and their attributes (`role.label`).
fn built_from(e: &Expr, bound: &[&str]) -> bool {
    match &e.kind {
        ExprKind::Str(_) | ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::NoneLiteral => true,
        ExprKind::Name(n) => bound.contains(&n.as_str()),
        ExprKind::Attribute { value, .. } => built_from(value, bound),
        ExprKind::Subscript { value, slice } => {
            built_from(value, bound) && built_from(slice, bound)
        }
        ExprKind::Dict(entries) => entries.iter().all(|entry| {
            entry.key.as_ref().is_none_or(|k| built_from(k, bound))
                && built_from(&entry.value, bound)
        }),
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            items.iter().all(|i| built_from(i, bound))
        }
        _ => false,
    }
}

/// Functions that raise the HTTP error of the status they are given (`abort(405)`).
const ABORTS: &[&str] = &[
    "flask.abort",
    "werkzeug.exceptions.abort",
    "flask_restful.abort",
    "flask_restx.abort",
];

/// A status a stub answers with: an error, but not a refusal of the caller (401, 403).
fn stub_status(n: i64) -> bool {
    (400..600).contains(&n) && n != 401 && n != 403
}

/// A stub: a handler whose whole body (after its docstring) raises or returns an error status,
/// `raise HTTPException(status_code=501)`, `return error_response(..., 410, ...)`, `abort(405)`
/// as a statement, `return "gone", 410`. It has nothing to protect.
pub(crate) fn only_fails(module: &SourceModule, handler: &Function) -> bool {
    let imports = &module.imports;
    let body = code_statements(&handler.body);
    let value = match body.as_slice() {
        [Stmt::Return { value: Some(v), .. }] | [Stmt::Raise { exc: Some(v), .. }] => v,
        [Stmt::Raise { exc: Some(v), .. }, ..] => v,
        // Flask's `abort` raises: nothing after it runs.
        [Stmt::Expr { value: v, .. }, ..]
            if v.as_call()
                .is_some_and(|c| imports.resolves_to(&c.func, ABORTS)) =>
        {
            v
        }
        _ => return false,
    };
    // `return "gone", 410` (also with headers after the status): a body built without any
    // call but a response builder's, and an error status.
    if let ExprKind::Tuple(items) = &value.kind {
        return matches!(items.as_slice(), [answer, status, ..]
        if matches!(status.kind, ExprKind::Int(Some(n)) if stub_status(n))
            && !answer.any(&mut |x| x.as_call().is_some_and(|c| {
                !crate::effects::answer_callee(module, &c.func)
            })));
    }
    let Some(call) = value.as_call() else {
        return matches!(value.last_name(), Some("NotImplementedError"));
    };
    if call.func.last_name() == Some("NotImplementedError") {
        return true;
    }
    call.keywords
        .iter()
        .filter(|k| {
            k.arg
                .as_deref()
                .is_some_and(routewarden_model::security::names_status)
        })
        .map(|k| &k.value)
        .chain(call.args.iter())
        .find_map(|a| match &a.kind {
            ExprKind::Int(Some(n)) => Some(*n),
            // `status.HTTP_400_BAD_REQUEST`, `HTTPStatus.GONE` is not read.
            ExprKind::Attribute { attr, .. } => attr
                .strip_prefix("HTTP_")
                .and_then(|rest| rest.split('_').next())
                .and_then(|digits| digits.parse().ok()),
            _ => None,
        })
        .is_some_and(stub_status)
}

/// A login: the handler receives credentials (a password, a one-time code, an
/// `OAuth2PasswordRequestForm`) and issues a session or a token for them (returns a `token`,
/// builds a `Token(access_token=...)`, calls `login_user` or `create_access_token`, declares a
/// `*Token`/`*Signin` response model, writes the session) or hands what the caller submitted to
/// a project function that issues one (`return auth.password_to_token(body.password)`), or
/// answers what such a function returns (`token = _token_dict(user)`, `return token`), or is
/// named for it (`authenticate_user`, `login`: it may answer with the caller's identity
/// instead). Public by design whatever its path.
fn is_login(cx: &ProjectContext, route: &RouteDecl) -> bool {
    if credential_evidence(cx.model, route.handler_file, route.handler).is_none() {
        return false;
    }
    let name = route.handler.name.to_ascii_lowercase();
    if writes_session(&route.handler.body)
        || name.starts_with("authenticate")
        || matches!(name.as_str(), "login" | "signin" | "sign_in" | "log_in")
    {
        return true;
    }
    let declares = route.keyword("response_model").is_some_and(|m| {
        m.last_name().is_some_and(|n| {
            ["Token", "Signin", "SignIn", "Login", "Session"]
                .iter()
                .any(|w| n.contains(w))
        })
    });
    if declares {
        return true;
    }
    if issues_credential(&route.handler.body) || returns_issued_credential(cx, route) {
        return true;
    }
    // A login that delegates the work: the handler hands what the caller submitted to a project
    // function that checks it and issues the token (`return auth.password_to_token(
    // body.password)`), whatever that function is named.
    let params: Vec<&str> = route
        .handler
        .params
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| *n != "self")
        .collect();
    let submitted = |a: &Expr| {
        a.dotted_parts()
            .and_then(|parts| parts.first().copied())
            .is_some_and(|root| params.contains(&root))
    };
    let mut delegates = false;
    walk_exprs(&route.handler.body, &mut |e| {
        delegates |= e.any(&mut |x| {
            let ExprKind::Call(call) = &x.kind else {
                return false;
            };
            (call.args.iter().any(&submitted) || call.keywords.iter().any(|k| submitted(&k.value)))
                && resolve_callee(cx.model, route.handler_file, &call.func)
                    .is_some_and(|(_, callee, _)| issues_credential(&callee.body))
        });
    });
    delegates
}

/// A handler that answers with what a project helper issuing a credential returns: `token =
/// _get_token_dict(user)`, whose body builds `{"access_token": create_access_token(user)}`,
/// then `return token, 200` (or the call in the `return` itself).
fn returns_issued_credential(cx: &ProjectContext, route: &RouteDecl) -> bool {
    let body = &route.handler.body;
    let issues = |e: &Expr| {
        e.as_call().is_some_and(|call| {
            resolve_callee(cx.model, route.handler_file, &call.func)
                .is_some_and(|(_, callee, _)| issues_credential(&callee.body))
        })
    };
    let mut found = false;
    routewarden_model::for_each_return(body, &mut |value| {
        found = found
            || value.any(&mut |x| match &x.kind {
                ExprKind::Call(_) => issues(x),
                ExprKind::Name(n) => {
                    routewarden_model::last_assignment(body, n).is_some_and(&issues)
                }
                _ => false,
            });
    });
    found
}

/// A body that issues a credential: a dict with a `token` key, a call with a `token` keyword,
/// `login_user(...)`, `create_access_token(...)`.
fn issues_credential(body: &[Stmt]) -> bool {
    const TOKEN_KEYS: &[&str] = &[
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "jwt",
        "session_token",
        "auth_token",
    ];
    let mut issues = false;
    walk_exprs(body, &mut |e| {
        issues |= e.any(&mut |x| match &x.kind {
            ExprKind::Dict(entries) => entries.iter().any(|entry| {
                entry
                    .key
                    .as_ref()
                    .and_then(|k| k.as_str())
                    .is_some_and(|k| TOKEN_KEYS.contains(&k))
            }),
            ExprKind::Call(call) => {
                let name = call.func.last_name().unwrap_or("").to_ascii_lowercase();
                call.keywords
                    .iter()
                    .any(|k| k.arg.as_deref().is_some_and(|a| TOKEN_KEYS.contains(&a)))
                    || name == "login_user"
                    || name.contains("token")
                        && [
                            "create", "generate", "issue", "encode", "make", "mint", "sign",
                        ]
                        .iter()
                        .any(|w| name.starts_with(w))
            }
            _ => false,
        });
    });
    issues
}

/// An OAuth 2.0 redirect target: a `callback` segment and a handler that takes the
/// authorization response's `code` and `state` (`/integrations/{provider}/callback`). The
/// provider sends the browser there without the app's credentials; the `state` ties the
/// answer to the user who started the flow.
fn is_oauth_redirect_target(path: &str, handler: &Function) -> bool {
    let callback = path.split('/').any(|segment| {
        !segment.starts_with(['{', '<'])
            && segment
                .split(['-', '_', '.'])
                .any(|w| w.eq_ignore_ascii_case("callback"))
    });
    let takes = |name: &str| handler.params.iter().any(|p| p.name == name);
    callback && takes("code") && takes("state")
}

/// A federated login callback: the handler verifies an identity provider's token
/// (`id_token.verify_oauth2_token(credential, ...)`, authlib's `authorize_access_token()`) and
/// signs the caller in (writes the session, calls `login_user`, sets a cookie).
fn is_federated_login(cx: &ProjectContext, route: &RouteDecl) -> bool {
    const VERIFICATIONS: &[&str] = &[
        "google.oauth2.id_token.verify_oauth2_token",
        "google.oauth2.id_token.verify_token",
        "google.oauth2.id_token.verify_firebase_token",
    ];
    let imports = &cx.model.files[route.handler_file].imports;
    let (mut verifies, mut signs_in) = (false, false);
    walk_exprs(&route.handler.body, &mut |e| {
        e.any(&mut |x| {
            if let ExprKind::Call(call) = &x.kind {
                let last = call.func.last_name().unwrap_or("");
                verifies |= matches!(last, "authorize_access_token" | "parse_id_token")
                    || imports
                        .resolve(&call.func)
                        .is_some_and(|q| VERIFICATIONS.contains(&q.as_str()));
                signs_in |= matches!(last, "login_user" | "set_cookie");
            }
            false
        });
    });
    verifies && (signs_in || writes_session(&route.handler.body))
}

/// `session["user_id"] = user.id`, `request.session["user"] = ...`: the handler signs the caller
/// in through the session.
fn writes_session(body: &[Stmt]) -> bool {
    let mut writes = false;
    walk_stmts(body, &mut |stmt| {
        if let Stmt::Assign { targets, .. } = stmt {
            writes |= targets.iter().any(|t| {
                matches!(&t.kind, ExprKind::Subscript { value, .. }
                    if value.last_name() == Some("session"))
            });
        }
    });
    writes
}

/// A route declared public and checking that what it serves is: `public` in its path or its
/// handler's name, and a call in the handler named for verifying public access
/// (`authorize_public_flow_access(flow)`, `_assert_public_job(job_id)`). The name alone is not
/// enough.
fn declared_public(path: &str, handler: &Function) -> bool {
    let is_public = |w: &str| w == "public";
    if !any_identifier_word(path, is_public) && !any_identifier_word(&handler.name, is_public) {
        return false;
    }
    let mut checks = false;
    walk_exprs(&handler.body, &mut |e| {
        checks |= e.any(&mut |x| {
            let Some(name) = x.as_call().and_then(|c| c.func.last_name()) else {
                return false;
            };
            any_identifier_word(name, is_public)
                && any_identifier_word(name, |w| {
                    matches!(
                        w,
                        "assert"
                            | "authorize"
                            | "authorise"
                            | "verify"
                            | "check"
                            | "ensure"
                            | "require"
                    )
                })
        });
    });
    checks
}

/// A handler that takes nothing from its caller: no parameter (but `self`/`cls`), no read of
/// the request. At a bare `/register` it cannot be a registry storing what a node or worker
/// sends: a sign-up page, or its stand-in, public by design.
fn takes_nothing(imports: &Imports, handler: &Function) -> bool {
    if handler
        .params
        .iter()
        .any(|p| !matches!(p.name.as_str(), "self" | "cls"))
    {
        return false;
    }
    let mut reads = false;
    walk_exprs(&handler.body, &mut |e| {
        reads |= e.any(&mut |x| match &x.kind {
            ExprKind::Name(n) => {
                matches!(n.as_str(), "request" | "websocket")
                    || imports.resolve(x).is_some_and(|q| {
                        matches!(
                            q.as_str(),
                            "flask.request"
                                | "flask.globals.request"
                                | "quart.request"
                                | "werkzeug.local.request"
                                | "bottle.request"
                        )
                    })
            }
            _ => false,
        });
    });
    !reads
}

/// A handler of a fixed path (an RPC or plugin-protocol endpoint such as Docker's
/// `POST /Plugin.Activate`) whose body only logs, reads and validates the request and
/// answers a literal, a module constant, a setting or what the caller posted: POST is the
/// protocol's verb, not a state change. Every call must be one that changes nothing (what an
/// answer may call, [`crate::effects::answer_callee`]: a response builder, a request or
/// setting read, a conversion; `jsonschema.validate`, a logger's method);
/// any other call (a database, a client, a project function) or an assignment to anything
/// but a local keeps the method as proof. A path with a value, or a handler reading its
/// parameters, addresses an object: kept, as a sketch's stand-in body usually is.
fn answers_without_effect(cx: &ProjectContext, route: &RouteDecl, path: &str) -> bool {
    if path.contains(['{', '<'])
        || !route
            .methods
            .iter()
            .all(|m| matches!(m.as_str(), "POST" | "PUT" | "GET" | "HEAD" | "OPTIONS"))
    {
        return false;
    }
    let module = &cx.model.files[route.handler_file];
    let imports = &module.imports;
    let handler = route.handler;
    let body = code_statements(&handler.body);
    let Some((
        Stmt::Return {
            value: Some(returned),
            ..
        },
        before,
    )) = body.split_last()
    else {
        return false;
    };
    let logs = |call: &Call| crate::helpers::is_logging_call(module, call);
    let validates = |call: &Call| {
        imports.resolves_to(
            &call.func,
            &["jsonschema.validate", "jsonschema.validators.validate"],
        )
    };
    let params: Vec<&str> = handler.params.iter().map(|p| p.name.as_str()).collect();
    // No call but the effectless ones, no parameter read, no `:=`.
    let effectless = |e: &Expr, locals: &[&str]| {
        !e.any(&mut |x| match &x.kind {
            ExprKind::Name(n) => params.contains(&n.as_str()),
            ExprKind::Named { .. } | ExprKind::Yield(_) => true,
            ExprKind::Call(call) => {
                let known = crate::effects::answer_callee(module, &call.func);
                // `data.get("Options")` on a local holding what was read.
                let local_get = matches!(&call.func.kind, ExprKind::Attribute { value, attr }
                    if attr == "get" && value.as_name().is_some_and(|n| locals.contains(&n)));
                !known && !local_get
            }
            _ => false,
        })
    };
    // A handler that is only `return {"ok": True}` is more often a sketch's stand-in than a
    // protocol's answer: it must log, read or check the request first, or answer a module
    // constant or a setting (`cfg.CONF.scope`, `current_app.config[...]`).
    let names_definition = returned.any(&mut |x| {
        let constant = match &x.kind {
            ExprKind::Name(n) => {
                is_constant_name(x) && (imports.get(n).is_some() || module.top_level(n).is_some())
            }
            ExprKind::Attribute { value, .. } => {
                is_constant_name(x) && value.as_name().is_some_and(|n| imports.get(n).is_some())
            }
            _ => false,
        };
        constant || imports.resolves_to(x, &["oslo_config.cfg.CONF", "flask.current_app.config"])
    });
    if before.is_empty() && !names_definition {
        return false;
    }
    let mut locals: Vec<&str> = Vec::new();
    for stmt in before {
        match stmt {
            Stmt::Expr { value, .. } => {
                let Some(call) = value.as_call() else {
                    return false;
                };
                if !(logs(call) || validates(call))
                    || !call.argument_values().all(|a| effectless(a, &locals))
                {
                    return false;
                }
            }
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => {
                if !effectless(value, &locals) {
                    return false;
                }
                for t in targets {
                    let Some(name) = t.as_name() else {
                        return false;
                    };
                    locals.push(name);
                }
            }
            _ => return false,
        }
    }
    effectless(returned, &locals)
}

/// A handler that only reads the request and answers ([`crate::effects::only_answers`]).
/// Yields whether the request is read (an echo) and whether the answer is a redirect written
/// by hand (a 3xx status and a `Location` header); `None` when anything else happens.
fn reads_and_answers(cx: &ProjectContext, route: &RouteDecl) -> Option<(bool, bool)> {
    crate::effects::only_answers(cx.model, route)
        .map(|reads_request| (reads_request, redirects_by_hand(route.handler)))
}

/// A handler that only reads the request and answers it (an echo service's `POST /post`,
/// `DELETE /delete`, `/anything/<path:rest>`): [`reads_and_answers`] with the request read,
/// whatever the method. A handler that reads nothing and answers a literal is a sketch's
/// stand-in, and one whose dependencies (`Depends(...)`) or project decorators
/// (`@remember_visit`) run code of their own is not judged by its body alone: both still count.
fn echoes_request(cx: &ProjectContext, route: &RouteDecl) -> bool {
    judged_by_body(cx, route) && matches!(reads_and_answers(cx, route), Some((true, _)))
}

/// A read (GET) whose handler is a pure computation over the request's own values
/// ([`crate::effects::only_computes`]: lnbits' `GET /uuidv4/{hex}` turning a hex string into
/// a UUID): it reads no stored data, so there is nothing for a login to protect.
fn computes_only(cx: &ProjectContext, route: &RouteDecl) -> bool {
    !may_change_state(&route.methods)
        && judged_by_body(cx, route)
        && crate::effects::only_computes(cx.model, route)
}

/// Whether the handler's body alone decides what it does: no dependency (`Depends(...)`) and
/// no project decorator (`@remember_visit`) runs code of its own first.
fn judged_by_body(cx: &ProjectContext, route: &RouteDecl) -> bool {
    let model = cx.model;
    let handler = route.handler;
    let request_params =
        crate::helpers::starlette_request_params(&model.files[route.handler_file].imports, handler);
    if handler.params.iter().any(|p| {
        !request_params.contains(&p.name.as_str())
            && p.default.as_deref().is_some_and(|d| d.as_call().is_some())
    }) {
        return false;
    }
    // A decorator written in the project wraps the view in code of its own; the registering
    // one (also a project route factory) only registers it.
    let project_decorator = |file: usize, d: &Expr| {
        let callee = d.as_call().map_or(d, |c| &c.func);
        resolve_callee(model, file, callee).is_some()
    };
    if handler
        .decorators
        .iter()
        .enumerate()
        .any(|(i, d)| Some(i) != route.decorator_index && project_decorator(route.handler_file, d))
        || route
            .view_decorators
            .iter()
            .any(|(f, d)| project_decorator(*f, d))
    {
        return false;
    }
    true
}

/// A 3xx status (`response.status_code = 302`, `Response(..., status=307, ...)`, `return
/// "", 302, {...}`) and a `Location` header (`response.headers["Location"] = url`, a
/// `{"Location": url}` dict) in the handler's body.
fn redirects_by_hand(handler: &Function) -> bool {
    let redirect_status =
        |e: &Expr| matches!(e.kind, ExprKind::Int(Some(n)) if (300..400).contains(&n));
    let (mut status, mut location) = (false, false);
    let mut visit = |e: &Expr| {
        e.any(&mut |x| {
            match &x.kind {
                ExprKind::Call(call) => {
                    status |= call.keywords.iter().any(|k| {
                        matches!(k.arg.as_deref(), Some("status" | "status_code"))
                            && redirect_status(&k.value)
                    });
                }
                ExprKind::Tuple(items) => {
                    status |= items.get(1).is_some_and(redirect_status);
                }
                ExprKind::Dict(entries) => {
                    location |= entries.iter().any(|entry| {
                        entry
                            .key
                            .as_ref()
                            .and_then(Expr::as_str)
                            .is_some_and(|k| k.eq_ignore_ascii_case("location"))
                    });
                }
                _ => {}
            }
            false
        });
    };
    walk_exprs(&handler.body, &mut visit);
    routewarden_model::security::walk_all_stmts(&handler.body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        {
            for t in targets {
                match &t.kind {
                    ExprKind::Attribute { attr, .. } if attr == "status_code" => {
                        status |= redirect_status(value);
                    }
                    ExprKind::Subscript { slice, .. } => {
                        location |= slice
                            .as_str()
                            .is_some_and(|k| k.eq_ignore_ascii_case("location"));
                    }
                    _ => {}
                }
            }
        }
    });
    status && location
}
