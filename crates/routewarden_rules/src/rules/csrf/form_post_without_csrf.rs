use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::flask_usage::{
    file_uses, is_test_file, reads_caller_state, uses_any, uses_cookie_sessions,
};
use crate::provider_callback::authenticates_provider_callback;
use crate::route_paths::{form_can_post, is_recovery_step, methods_unread, only_searches};
use crate::rule::{Confidence, ProjectContext, Rule, RuleMeta};
use routewarden_model::apps::{Hook, HookKind, ObjectId, When};
use routewarden_model::frameworks::ObjectKind;
use routewarden_model::security::{AttackSurface, Level, Protection, walk_exprs};
use routewarden_python::ast::{Call, Expr, ExprKind, Function, Stmt};
use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A Flask application that keeps users in cookie sessions (Flask's `session` or
    /// Flask-Login, also imported by its old name `flask.ext.login`, which Flask before 1.0
    /// redirected to `flask_login`, as in `try: import flask_login as login` / `except
    /// ImportError: from flask.ext import login`) and has POST routes reading form data (`request.form`, `request.values`,
    /// `request.files`, also returned by a project function the handler calls:
    /// `data = get_request_data()`), while CSRF protection is not enabled for that application: no
    /// `CSRFProtect`/Flask-SeaSurf/Flask-Security attached to it (directly or with
    /// `init_app`), and no Flask-WTF form anywhere (`FlaskForm`, which checks its own token).
    /// Each such route is reported, unless a `before_request` hook of its application or
    /// blueprint (or a project function it calls) refuses a forged request: one the browser
    /// labels as made by another site (`Sec-Fetch-Site: cross-site`, Fetch Metadata), one whose
    /// token does not match (the cookie or session value compared with a header or form field,
    /// with `==`, `hmac.compare_digest` or a project function that compares: a double-submit
    /// cookie, a synchronizer token), or one whose `Origin` or `Referer` is checked and found
    /// foreign; or a project decorator of the view does the same in its wrapper
    /// (`@same_origin_required`). A hook that only logs a mismatch protects nothing. Routes
    /// that accept only PUT, PATCH or DELETE are
    /// not: an HTML form cannot send those methods, and a page on another site can send them
    /// only from a script, which the browser lets through after a CORS preflight the
    /// application approves. Nor is a post whose handler provably writes nothing and reads the
    /// application's data (a wiki's index filtered by `request.values`, judged as AUTH001
    /// judges a read-only POST): a forged post changes nothing. A route whose methods the analysis cannot read
    /// (`@app.route(path, methods=verbs)`, shown as `<dynamic>`) may take a POST: reported at
    /// low confidence, saying the methods could not be read.
    ///
    /// The SameSite label of the cookie that carries the login is read from the configuration
    /// written in the code (`app.config[...]`, `config.update(...)`, configuration classes and
    /// modules loaded with `from_object`, files loaded with `from_pyfile`, also by a path
    /// computed at run time such as `os.path.join(config_dir, "wikiconfig.py")`, looked up by
    /// the file names it may end with, the fallback of an environment read such as
    /// `os.getenv("SESSION_COOKIE_SAMESITE", "Lax")`): `SESSION_COOKIE_SAMESITE`, also
    /// `REMEMBER_COOKIE_SAMESITE` when Flask-Login's remember-me cookie is used
    /// (`login_user(user, remember=...)`), and `JWT_COOKIE_SAMESITE` when the login is a
    /// flask-jwt-extended cookie (`JWT_TOKEN_LOCATION` naming `"cookies"`; the session cookie
    /// then counts only with Flask-Login); the weakest applies. `"Strict"` everywhere it is
    /// written: nothing is reported, since browsers never send the cookie on a request another
    /// site starts. `"Lax"`: still reported, at low confidence, naming the setting (browsers
    /// keep the cookie off cross-site form posts, but SameSite is defence in depth, not a token,
    /// and a same-site subdomain can still post). Set only inside an `if`: reported as before,
    /// the message naming the innermost condition. Unset, `None`/`"None"` anywhere, or a value
    /// that cannot be read: reported as before. The setting is read for the whole project, not
    /// per application.
    ///
    /// Applications are judged one by one: in a project with several Flask applications, one
    /// protected application does not cover the others, and an application counts as keeping
    /// cookie sessions when Flask-Login is attached to it or its route modules use `session` or
    /// Flask-Login. An extension attached to an application the analysis cannot identify is
    /// taken to protect every application.
    ///
    /// In an application whose other routes require a login, a route no guard protects is
    /// reported only when its handler reads or sets what the browser carries for its user
    /// (`session`, `g`, cookies, `current_user`, `login_user`), itself or through the project
    /// functions and decorators it calls: a public form that identifies nobody by the
    /// browser's credentials gives a forged post nothing to ride (a response helper that pops
    /// bookkeeping keys from the session, `session.pop("quota_user", None)` in a function
    /// returning `make_response(...)`, reads nobody's login). Nor is a public
    /// password-recovery step (`/forgot-password`, `/password/reset/<token>`, `/+lostpass`):
    /// it acts on the account the form or the mailed token names. The same holds for a route
    /// whose guard is a `before_request` hook that takes the caller's credentials from the
    /// request itself (parameters, the body, a header; HTTP Basic credentials too, unless the
    /// project asks the browser for them with `WWW-Authenticate`, after which the browser
    /// resends them on its own) and reads nothing the browser carries (the session, cookies,
    /// Flask-Login, `g`): a page on another site cannot add those credentials to its post.
    ///
    /// Nor are the callbacks another service posts cross-site by design, protected by what the
    /// view (or a project function it calls or is decorated with) calls rather than by a CSRF
    /// token: a SAML assertion consumer (python3-saml's `process_response()` on
    /// `OneLogin_Saml2_Auth`, which checks the signed response), a webhook that verifies the
    /// provider's signature (Twilio's `RequestValidator(...).validate(...)`,
    /// `stripe.Webhook.construct_event`), an OAuth redirect callback that exchanges the code
    /// (authlib's `authorize_access_token()`, requests-oauthlib's `OAuth2Session.fetch_token`).
    ///
    /// ## Why is this dangerous
    /// Browsers attach the session cookie to form posts from any site. Without a CSRF token the
    /// application cannot tell a user's own submission from one a malicious page made on their
    /// behalf: password and email changes, transfers, deletions.
    ///
    /// ## Example
    /// ```python
    /// @app.route("/settings/password", methods=["POST"])
    /// @login_required
    /// def change_password():
    ///     current_user.set_password(request.form["password"])
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// from flask_wtf.csrf import CSRFProtect
    ///
    /// csrf = CSRFProtect(app)
    /// ```
    /// and render `{{ csrf_token() }}` in every form.
    pub static FORM_POST_WITHOUT_CSRF = {
        code: "CSRF002",
        name: "form-post-without-csrf",
        severity: Medium,
        confidence: Medium,
        cwe: 352,
        fix: "Enable CSRFProtect (Flask-WTF) and include the token in every form",
    }
}

pub struct FormPostWithoutCsrf;

/// Extensions that protect every form post of the application they are attached to.
const CSRF_EXTENSIONS: &[&str] = &[
    "flask_wtf.CSRFProtect",
    "flask_wtf.csrf.CSRFProtect",
    "flask_seasurf.SeaSurf",
    "flask_security.Security",
];

/// Forms and helpers that check or issue their own token.
const FORM_PROTECTION: &[&str] = &[
    "flask_wtf.FlaskForm",
    "flask_wtf.Form",
    "flask_wtf.form.FlaskForm",
    "flask_wtf.form.Form",
    "flask_wtf.csrf.generate_csrf",
];

const LOGIN_MANAGERS: &[&str] = &["flask_login.LoginManager"];

const SESSION_NAMES: &[&str] = &[
    "flask.session",
    "flask_login.LoginManager",
    "flask_login.login_user",
    "flask_login.current_user",
    "flask_login.login_required",
];

/// The applications an extension is attached to: `Ext(app)`, `Ext(app=app)`,
/// `ext.init_app(app)`; `unknown` when an attachment's application cannot be identified or the
/// extension is never seen attached.
#[derive(Default)]
struct Attachments {
    apps: Vec<ObjectId>,
    unknown: bool,
}

impl Attachments {
    fn collect(surface: &AttackSurface, extensions: &[&str]) -> Attachments {
        let model = surface.apps.model;
        let mut out = Attachments::default();
        for (index, file) in model.files.iter().enumerate() {
            // Only files that can hold a construction or an `init_app` call.
            if is_test_file(file)
                || !(file.parsed.attributes.may_contain("init_app")
                    || file.imports.iter().any(|(_, q)| extensions.contains(&q)))
            {
                continue;
            }
            let mut scope: Vec<&Function> = Vec::new();
            visit(file.body(), &mut scope, &mut |scope, call| {
                let callee = file.imports.resolve(&call.func);
                let target = if callee.as_deref().is_some_and(|q| extensions.contains(&q)) {
                    call.argument("app", 0)
                } else if let ExprKind::Attribute { value, attr } = &call.func.kind
                    && attr == "init_app"
                    && is_extension(model, index, scope, value, extensions)
                {
                    call.argument("app", 0)
                } else {
                    return;
                };
                if let Some(target) = target {
                    match surface.apps.resolve_object(index, scope, target) {
                        Some(id) => out.apps.push(id),
                        None => out.unknown = true,
                    }
                }
            });
        }
        // Used, but attached nowhere the analysis can see.
        if out.apps.is_empty() && uses_any(model, extensions) {
            out.unknown = true;
        }
        out
    }

    /// Whether an extension is attached to `app`; one attached to none of the known
    /// applications (a parameter no analysed code passes an application to) may be on any.
    fn covers(&self, surface: &AttackSurface, app: &ObjectId, apps: &HashSet<&ObjectId>) -> bool {
        self.unknown
            || self.apps.iter().any(|id| {
                surface.apps.denotes(id, app) || !apps.iter().any(|a| surface.apps.denotes(id, a))
            })
    }
}

/// Whether `expr` holds an extension object: `csrf` after `csrf = CSRFProtect()`.
fn is_extension(
    model: &routewarden_model::ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
    extensions: &[&str],
) -> bool {
    let origin = model.resolve_value(file, scope, expr);
    origin.expr.as_call().is_some_and(|c| {
        model.files[origin.file]
            .imports
            .resolve(&c.func)
            .is_some_and(|q| extensions.contains(&q.as_str()))
    })
}

/// Calls `f` with every call of `body` and the functions enclosing it.
fn visit<'a>(
    body: &'a [Stmt],
    scope: &mut Vec<&'a Function>,
    f: &mut impl FnMut(&[&'a Function], &'a Call),
) {
    for stmt in body {
        if let Stmt::FunctionDef(function) = stmt {
            scope.push(function);
            visit(&function.body, scope, f);
            scope.pop();
            continue;
        }
        let mut calls: Vec<&'a Call> = Vec::new();
        let mut push = |e: &'a Expr| {
            collect_calls(e, &mut calls);
        };
        match stmt {
            Stmt::Expr { value, .. } => push(value),
            Stmt::Assign {
                value: Some(value), ..
            }
            | Stmt::Return {
                value: Some(value), ..
            } => push(value),
            _ => {}
        }
        for call in calls {
            f(scope, call);
        }
        if !matches!(stmt, Stmt::ClassDef(_)) {
            for child in stmt.child_bodies() {
                visit(child, scope, f);
            }
        }
    }
}

/// A `before_request` hook, registered unconditionally, that refuses a request another site
/// forged before any handler runs:
/// - when the browser's Fetch Metadata says another site made it: `if
///   request.headers.get("Sec-Fetch-Site") == "cross-site": abort(403)`. Browsers set the
///   header themselves and a page cannot forge it;
/// - when the token the page must add to the request does not match the one the browser keeps,
///   or the request's Origin or Referer is not the site's ([`refuses_on_token_mismatch`]).
fn refuses_cross_site(model: &routewarden_model::ProjectModel, hook: &Hook) -> bool {
    matches!(
        hook.kind,
        HookKind::BeforeRequest | HookKind::BeforeAppRequest
    ) && hook.when == When::Always
        && (refuses_on_fetch_metadata(model, hook.function_file, &hook.function.body)
            || refuses_on_token_mismatch(
                model,
                hook.function_file,
                hook.function,
                &HashMap::default(),
                HOOK_DEPTH,
                &mut Vec::new(),
            ))
}

/// How many project calls deep a hook's token check is looked for.
const HOOK_DEPTH: u32 = 3;

/// Whether a project decorator of the view refuses a forged request before the view runs, as
/// a hook would: `@same_origin_required`, whose wrapper does `if not is_same_origin(): return
/// jsonify(...), 403` (also the wrapper of a decorator factory's decorator).
fn decorator_refuses_forgeries(
    model: &routewarden_model::ProjectModel,
    file: usize,
    handler: &Function,
    view_decorators: &[(usize, &Expr)],
) -> bool {
    fn wrapper_refuses(
        model: &routewarden_model::ProjectModel,
        file: usize,
        def: &Function,
        nesting: u32,
    ) -> bool {
        def.body.iter().any(|s| match s {
            Stmt::FunctionDef(wrapper) => {
                refuses_on_token_mismatch(
                    model,
                    file,
                    wrapper,
                    &HashMap::default(),
                    HOOK_DEPTH,
                    &mut Vec::new(),
                ) || (nesting > 0 && wrapper_refuses(model, file, wrapper, nesting - 1))
            }
            _ => false,
        })
    }
    handler
        .decorators
        .iter()
        .map(|d| (file, d))
        .chain(view_decorators.iter().copied())
        .any(|(file, decorator)| {
            let head = match &decorator.kind {
                ExprKind::Call(c) => &c.func,
                _ => decorator,
            };
            crate::untrusted::resolve_callee(model, file, head)
                .is_some_and(|(f, def, _)| wrapper_refuses(model, f, def, 1))
        })
}

/// What an expression holds of the request, for telling a CSRF check from other hooks.
mod held {
    /// Flask's request object itself (also a parameter a caller passed it to).
    pub const REQUEST: u8 = 1;
    /// `request.headers`, before a key is read.
    pub const HEADERS: u8 = 1 << 1;
    /// What the browser keeps and sends by itself: a cookie, the session.
    pub const KEPT: u8 = 1 << 2;
    /// What the page must put in the request itself: a header it sets, a form field, the
    /// query, the body.
    pub const SUPPLIED: u8 = 1 << 3;
    /// The request's `Origin` or `Referer`, which the browser sets.
    pub const ORIGIN: u8 = 1 << 4;
    /// The objects, not values: they do not flow into what a call or an operator makes.
    pub const OBJECTS: u8 = REQUEST | HEADERS;
}

/// What `expr` holds of the request (a set of [`held`] flags), `locals` giving the names bound
/// in the function (its assignments and the parameters its caller filled).
fn held_by(
    imports: &routewarden_python::names::Imports,
    locals: &HashMap<&str, u8>,
    expr: &Expr,
) -> u8 {
    let header = |key: &Expr| match key.as_str() {
        Some(k) if k.eq_ignore_ascii_case("origin") || k.eq_ignore_ascii_case("referer") => {
            held::ORIGIN
        }
        Some(k) if k.eq_ignore_ascii_case("cookie") => held::KEPT,
        Some(_) => held::SUPPLIED,
        None => 0,
    };
    let children = |expr: &Expr| {
        let mut out = 0;
        expr.for_each_child(|c| out |= held_by(imports, locals, c));
        out & !held::OBJECTS
    };
    match &expr.kind {
        ExprKind::Name(name) if let Some(h) = locals.get(name.as_str()) => *h,
        // `req = req or request`: either object.
        ExprKind::BoolOp { values, .. } => values
            .iter()
            .fold(0, |h, v| h | held_by(imports, locals, v)),
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            match imports.resolve(expr).as_deref() {
                Some("flask.request" | "flask.globals.request") => return held::REQUEST,
                Some("flask.session" | "flask.globals.session") => return held::KEPT,
                _ => {}
            }
            let ExprKind::Attribute { value, attr } = &expr.kind else {
                return 0;
            };
            let base = held_by(imports, locals, value);
            if base & held::REQUEST != 0 {
                match attr.as_str() {
                    "cookies" => held::KEPT,
                    "headers" => held::HEADERS,
                    "form" | "values" | "args" | "json" | "get_json" | "data" | "get_data"
                    | "files" => held::SUPPLIED,
                    "origin" | "referrer" => held::ORIGIN,
                    _ => 0,
                }
            } else if base & held::HEADERS != 0 {
                // `request.headers.get`: the key is read where it is called.
                if attr == "get" { held::HEADERS } else { 0 }
            } else {
                base & !held::OBJECTS
            }
        }
        // The callee and the base are read once: a long method chain stays linear.
        ExprKind::Call(call) => {
            let func = held_by(imports, locals, &call.func);
            if func == held::HEADERS {
                return call.args.first().map_or(0, header);
            }
            let args = call
                .args
                .iter()
                .chain(call.keywords.iter().map(|k| &k.value))
                .fold(func, |h, a| h | held_by(imports, locals, a));
            args & !held::OBJECTS
        }
        ExprKind::Subscript { value, slice } => {
            let base = held_by(imports, locals, value);
            if base & held::HEADERS != 0 {
                header(slice)
            } else {
                (base | held_by(imports, locals, slice)) & !held::OBJECTS
            }
        }
        _ => children(expr),
    }
}

/// Whether `function` (or a project function it calls, `depth` calls deep) refuses a request
/// whose CSRF token does not match: an `if` whose test compares what the browser keeps (a
/// cookie or the session: the double-submit cookie, the synchronizer token) with what the page
/// must put in the request itself (a header, a form field), with `==`/`!=`,
/// `hmac.compare_digest` or a project function that compares, or that checks the request's
/// Origin or Referer (`origin not in allowed`, `urlparse(referer).netloc != request.host`),
/// and whose body answers the request (`abort(400)`, a raise, or in the hook itself a
/// response; a project function's `return` only answers its caller). A page on another
/// site can neither read the cookie to copy it nor set the header, and the browser sets the
/// Origin. `locals` holds what the caller passed for the parameters.
fn refuses_on_token_mismatch<'m>(
    model: &'m routewarden_model::ProjectModel,
    file: usize,
    function: &'m Function,
    params: &HashMap<&'m str, u8>,
    depth: u32,
    seen: &mut Vec<usize>,
) -> bool {
    let key = function as *const Function as usize;
    if seen.contains(&key) {
        return false;
    }
    seen.push(key);
    let imports = &model.files[file].imports;
    let locals = bound_names(imports, function, params);
    // The hook's own return value is the response; a callee's only answers its caller.
    let hook = depth == HOOK_DEPTH;
    let answers =
        |s: &Stmt| answers_request(imports, s) && (hook || !matches!(s, Stmt::Return { .. }));
    let mut refuses = false;
    let mut calls: Vec<&'m Call> = Vec::new();
    routewarden_model::security::walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::If { test, body, .. } = stmt
            && body.iter().any(answers)
            && compares_token(model, file, &locals, test, depth)
        {
            refuses = true;
        }
        stmt.for_each_own_expr(&mut |e| collect_calls(e, &mut calls));
    });
    if refuses || depth == 0 {
        return refuses;
    }
    calls.into_iter().any(|call| {
        passed_to(model, file, &locals, call).is_some_and(|(f, def, passed)| {
            refuses_on_token_mismatch(model, f, def, &passed, depth - 1, seen)
        })
    })
}

/// What the names of `function` hold of the request ([`held_by`]): the parameters as its
/// caller filled them, then its assignments in order (`cookie = request.cookies.get(...)`).
fn bound_names<'m>(
    imports: &routewarden_python::names::Imports,
    function: &'m Function,
    params: &HashMap<&'m str, u8>,
) -> HashMap<&'m str, u8> {
    let mut locals = params.clone();
    routewarden_model::security::walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        {
            let h = held_by(imports, &locals, value);
            for t in targets {
                if let Some(name) = t.as_name() {
                    *locals.entry(name).or_default() |= h;
                }
            }
        }
    });
    locals
}

/// The project function `call` calls, with what each parameter it fills holds of the request.
fn passed_to<'m>(
    model: &'m routewarden_model::ProjectModel,
    file: usize,
    locals: &HashMap<&str, u8>,
    call: &'m Call,
) -> Option<(usize, &'m Function, HashMap<&'m str, u8>)> {
    let imports = &model.files[file].imports;
    let (f, def, bound) = crate::untrusted::resolve_callee(model, file, &call.func)?;
    let passed = routewarden_model::apps::call_bindings(def, call, bound)
        .into_iter()
        .map(|(name, arg)| (name, held_by(imports, locals, arg)))
        .filter(|(_, h)| *h != 0)
        .collect();
    Some((f, def, passed))
}

/// Whether `call` is a project predicate that checks the token or the Origin itself and
/// answers with a constant (`def is_same_origin(): ... if origin and parse(origin) != ours:
/// return False`): a test `if not is_same_origin(): abort(403)` refuses on its verdict.
fn predicate_checks_token(
    model: &routewarden_model::ProjectModel,
    file: usize,
    locals: &HashMap<&str, u8>,
    call: &Call,
    depth: u32,
) -> bool {
    let Some((f, def, passed)) = passed_to(model, file, locals, call) else {
        return false;
    };
    let imports = &model.files[f].imports;
    let locals = bound_names(imports, def, &passed);
    let mut found = false;
    routewarden_model::security::walk_stmts(&def.body, &mut |stmt| {
        if let Stmt::If { test, body, .. } = stmt
            && body.iter().any(|s| {
                matches!(s, Stmt::Return { value: Some(v), .. }
                    if matches!(v.kind, ExprKind::Bool(_)))
            })
            && compares_token(model, f, &locals, test, depth)
        {
            found = true;
        }
    });
    found
}

/// Whether an `if` test compares the kept token with the supplied one, or checks the Origin:
/// see [`refuses_on_token_mismatch`].
fn compares_token(
    model: &routewarden_model::ProjectModel,
    file: usize,
    locals: &HashMap<&str, u8>,
    test: &Expr,
    depth: u32,
) -> bool {
    let imports = &model.files[file].imports;
    let held = |e: &Expr| held_by(imports, locals, e);
    // Two operands or arguments, one kept and one supplied, or one the Origin.
    let matched = |values: &[u8]| {
        values.iter().any(|h| h & held::ORIGIN != 0)
            || values.iter().enumerate().any(|(i, a)| {
                a & held::KEPT != 0
                    && values
                        .iter()
                        .enumerate()
                        .any(|(j, b)| i != j && b & held::SUPPLIED != 0)
            })
    };
    test.any(&mut |x| match &x.kind {
        ExprKind::Compare { .. } => x.comparisons().iter().any(|(left, op, right)| {
            use routewarden_python::ast::CmpOp;
            match op {
                CmpOp::Eq | CmpOp::NotEq => {
                    !matches!(right.kind, ExprKind::NoneLiteral)
                        && matched(&[held(left), held(right)])
                }
                // `origin not in allowed_origins`; not `"login" in request.referrer`, a
                // test of where the user came from.
                CmpOp::In | CmpOp::NotIn => {
                    !left.is_string_literal() && matched(&[held(left), held(right)])
                }
                _ => false,
            }
        }),
        ExprKind::Call(call) => {
            let values: Vec<u8> = call
                .args
                .iter()
                .chain(call.keywords.iter().map(|k| &k.value))
                .map(held)
                .collect();
            (matched(&values) && compares(model, file, call))
                || (depth > 0 && predicate_checks_token(model, file, locals, call, depth - 1))
        }
        _ => false,
    })
}

/// Whether a call compares: `hmac.compare_digest`/`secrets.compare_digest`, or a project
/// function whose body compares with `==`, `!=`, `in` or one of those.
fn compares(model: &routewarden_model::ProjectModel, file: usize, call: &Call) -> bool {
    const DIGEST: &[&str] = &["hmac.compare_digest", "secrets.compare_digest"];
    if model.files[file].imports.resolves_to(&call.func, DIGEST) {
        return true;
    }
    let Some((f, def, _)) = crate::untrusted::resolve_callee(model, file, &call.func) else {
        return false;
    };
    let imports = &model.files[f].imports;
    let mut found = false;
    walk_exprs(&def.body, &mut |e| {
        found |= e.any(&mut |x| match &x.kind {
            ExprKind::Compare { .. } => x.comparisons().iter().any(|(_, op, _)| {
                use routewarden_python::ast::CmpOp;
                matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn)
            }),
            ExprKind::Call(c) => imports.resolves_to(&c.func, DIGEST),
            _ => false,
        });
    });
    found
}

fn refuses_on_fetch_metadata(
    model: &routewarden_model::ProjectModel,
    file: usize,
    body: &[Stmt],
) -> bool {
    let imports = &model.files[file].imports;
    body.iter().any(|stmt| {
        if let Stmt::If { test, body, .. } = stmt {
            let reads_header = test.any(&mut |e| {
                e.as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("sec-fetch-site"))
            }) && test
                .any(&mut |e| imports.resolve(e).as_deref() == Some("flask.request"));
            let refuses = body.iter().any(|s| answers_request(imports, s));
            if reads_header && refuses {
                return true;
            }
        }
        stmt.child_bodies()
            .any(|child| refuses_on_fetch_metadata(model, file, child))
    })
}

/// Whether `protection`, a `before_request` hook of an object along the route's chain, takes
/// the caller's credentials from what the client puts in each request (query or form
/// parameters, the body, a header) and reads nothing the browser carries by itself for its
/// user: a forged cross-site post lacks those credentials, so the guard refuses it.
fn per_request_guard(
    model: &routewarden_model::ProjectModel,
    surface: &AttackSurface,
    mounted: &routewarden_model::apps::MountedRoute,
    protection: &Protection,
    challenges: &mut Option<bool>,
) -> bool {
    if protection.level != Level::Hook {
        return false;
    }
    let Some(hook) = surface.apps.hooks.iter().find(|h| {
        matches!(h.kind, HookKind::BeforeRequest | HookKind::BeforeAppRequest)
            && protection.mechanism.strip_prefix("before_request ")
                == Some(h.function.name.as_str())
            && mounted
                .chain
                .iter()
                .any(|id| surface.apps.denotes(&h.owner, id))
    }) else {
        return false;
    };
    let mut sources = CredentialSources::default();
    let mut seen = Vec::new();
    credential_sources(
        model,
        hook.function_file,
        hook.function,
        3,
        &mut seen,
        &mut sources,
    );
    if !sources.request || sources.browser {
        return false;
    }
    // HTTP Basic credentials are sent again by the browser on its own only after the
    // application challenged for them (`WWW-Authenticate`); otherwise a client sets the
    // header on each request.
    !sources.authorization || !*challenges.get_or_insert_with(|| challenges_for_credentials(model))
}

#[derive(Default)]
pub(crate) struct CredentialSources {
    /// Reads parameters, the body or headers of the request.
    pub(crate) request: bool,
    /// Reads `request.authorization`.
    authorization: bool,
    /// Reads or sets what the browser carries for its user: the session, cookies, Flask-Login's
    /// user, `g` (where other hooks keep the user they loaded).
    browser: bool,
    /// Reads the user the session holds: `session`, Flask-Login's `current_user`.
    pub(crate) session_user: bool,
    /// Logs a user in (`login_user`): the user it found from the request's credentials.
    pub(crate) logs_in: bool,
}

/// What `function` (and the project functions it calls, `depth` levels deep) reads the
/// caller's credentials from.
pub(crate) fn credential_sources(
    model: &routewarden_model::ProjectModel,
    file: usize,
    function: &Function,
    depth: u32,
    seen: &mut Vec<usize>,
    out: &mut CredentialSources,
) {
    let key = function as *const _ as usize;
    if seen.contains(&key) {
        return;
    }
    seen.push(key);
    let imports = &model.files[file].imports;
    let mut calls = Vec::new();
    walk_stmts_with_targets(&function.body, &mut |e, is_target| {
        // `g.user = user`: keeping the user loaded from the request reads nothing.
        if is_target
            && let ExprKind::Attribute { value, .. } = &e.kind
            && imports.resolve(value).as_deref() == Some("flask.g")
        {
            return;
        }
        classify(imports, e, &mut calls, out);
    });
    if depth == 0 {
        return;
    }
    for func in calls {
        if let Some((f, def, _)) = crate::untrusted::resolve_callee(model, file, func) {
            credential_sources(model, f, def, depth - 1, seen, out);
        }
    }
}

/// Notes in `out` what `e` reads of the request, and collects the calls it makes.
fn classify<'a>(
    imports: &routewarden_python::names::Imports,
    e: &'a Expr,
    calls: &mut Vec<&'a Expr>,
    out: &mut CredentialSources,
) {
    e.any(&mut |x| {
        if let ExprKind::Call(c) = &x.kind {
            calls.push(&c.func);
        }
        if !matches!(x.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
            return false;
        }
        let Some(q) = imports.resolve(x) else {
            return false;
        };
        let under = |prefix: &str| {
            q.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        };
        if under("flask.request.authorization") {
            out.authorization = true;
        } else if [
            "values", "args", "form", "json", "get_json", "data", "headers",
        ]
        .iter()
        .any(|a| q.strip_prefix("flask.request.") == Some(a))
        {
            out.request = true;
        } else if under("flask.session")
            || under("flask.g")
            || under("flask.request.cookies")
            || under("flask_login")
        {
            out.browser = true;
            out.session_user |= under("flask.session") || under("flask_login.current_user");
            out.logs_in |= under("flask_login.login_user");
        }
        false
    });
}

/// Calls `f` with every expression of `body` (nested functions included), telling assignment
/// targets apart.
fn walk_stmts_with_targets<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Expr, bool)) {
    for stmt in body {
        match stmt {
            Stmt::Assign { targets, value, .. } => {
                targets.iter().for_each(|t| f(t, true));
                value.iter().for_each(|v| f(v, false));
            }
            Stmt::ClassDef(_) => continue,
            Stmt::FunctionDef(function) => {
                walk_stmts_with_targets(&function.body, f);
                continue;
            }
            _ => stmt.for_each_own_expr(&mut |e| f(e, false)),
        }
        for child in stmt.child_bodies() {
            walk_stmts_with_targets(child, f);
        }
    }
}

/// Whether the project ever asks the browser for HTTP credentials: a `WWW-Authenticate`
/// header, werkzeug's `www_authenticate=`, or Flask-HTTPAuth (which sends the header).
fn challenges_for_credentials(model: &routewarden_model::ProjectModel) -> bool {
    model.files.iter().filter(|f| !is_test_file(f)).any(|file| {
        if file.imports.iter().any(|(_, q)| {
            q == "flask_httpauth"
                || q.starts_with("flask_httpauth.")
                || q == "werkzeug.datastructures.WWWAuthenticate"
        }) {
            return true;
        }
        let mut found = false;
        routewarden_model::security::walk_all_exprs(file.body(), &mut |e| {
            found |= e.any(&mut |x| match &x.kind {
                ExprKind::Call(c) => c
                    .keywords
                    .iter()
                    .any(|k| k.arg.as_deref().is_some_and(|a| a == "www_authenticate")),
                _ => x
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("www-authenticate")),
            });
        });
        found
    })
}

/// `request.form`, `request.values`, `request.files` of Flask's request.
fn is_form_read(imports: &routewarden_python::names::Imports, expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Attribute { value, attr }
        if matches!(attr.as_str(), "form" | "values" | "files")
            && imports.resolve(value).as_deref() == Some("flask.request"))
}

/// Whether `func`, called in `file`, is a project function that returns the posted form
/// (`return request.form`, `return request.form if request.method == "POST" else
/// request.args`): the handler reads the form through it.
fn returns_form(model: &routewarden_model::ProjectModel, file: usize, func: &Expr) -> bool {
    let Some((def_file, def, _)) = crate::untrusted::resolve_callee(model, file, func) else {
        return false;
    };
    let imports = &model.files[def_file].imports;
    let mut returns = false;
    routewarden_model::for_each_return(&def.body, &mut |value| {
        returns |= value.any(&mut |x| is_form_read(imports, x));
    });
    returns
}

fn collect_calls<'a>(expr: &'a Expr, out: &mut Vec<&'a Call>) {
    if let ExprKind::Call(call) = &expr.kind {
        out.push(call);
    }
    expr.for_each_child(|c| collect_calls(c, out));
}

impl Rule for FormPostWithoutCsrf {
    fn meta(&self) -> &'static RuleMeta {
        &FORM_POST_WITHOUT_CSRF
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let flask = surface
            .apps
            .objects
            .values()
            .any(|o| o.kind == ObjectKind::FlaskApp);
        if !flask || !uses_cookie_sessions(cx.model) || uses_any(cx.model, FORM_PROTECTION) {
            return;
        }
        let protection = Attachments::collect(surface, CSRF_EXTENSIONS);
        if protection.unknown {
            return;
        }
        // The Flask applications routes end up in; with several, each is judged on its own.
        let apps: HashSet<&ObjectId> = surface
            .mounted
            .iter()
            .filter_map(|m| surface.apps.app_of(m))
            .filter(|id| surface.apps.kind(id) == Some(ObjectKind::FlaskApp))
            .collect();
        let per_app = apps.len() > 1;
        let login = if per_app {
            Attachments::collect(surface, LOGIN_MANAGERS)
        } else {
            Attachments::default()
        };
        let mut file_uses_sessions: HashMap<usize, bool> = HashMap::default();
        let mut app_sessions: HashMap<ObjectId, bool> = HashMap::default();
        if per_app {
            for app in &apps {
                let mut sessions = login.covers(surface, app, &apps);
                for m in surface
                    .mounted
                    .iter()
                    .filter(|m| surface.apps.app_of(m) == Some(*app))
                {
                    if sessions {
                        break;
                    }
                    let file = surface.route(m).handler_file;
                    sessions = *file_uses_sessions
                        .entry(file)
                        .or_insert_with(|| file_uses(&cx.model.files[file], SESSION_NAMES));
                }
                app_sessions.insert((*app).clone(), sessions);
            }
        }
        // Routes some mounting of which is protected (even conditionally): the browser's
        // credential is what the protection reads. Not when a hook authenticates the caller
        // with credentials the client puts in each request (an API key or password
        // parameter) and the other checks are the handler's and its decorators' (a role
        // check on that caller): whether those read the browser's state is judged below.
        let mut challenges: Option<bool> = None;
        let guarded: HashSet<usize> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter(|(m, security)| {
                let mut per_request = false;
                let handler_checks = security.auth.iter().all(|p| {
                    if per_request_guard(cx.model, surface, m, p, &mut challenges) {
                        per_request = true;
                        return true;
                    }
                    matches!(
                        p.level,
                        Level::Body
                            | Level::Decorator
                            | Level::View
                            | Level::Token
                            | Level::ObjectAccess
                    )
                });
                let by_request_credentials = per_request && handler_checks;
                !security.auth.is_empty() && !by_request_credentials
            })
            .map(|(m, _)| m.route)
            .collect();
        // Applications whose authentication the analysis sees on some route: elsewhere a
        // route may well sit behind a guard it cannot see, and be public in appearance only.
        let authenticating: HashSet<Option<&ObjectId>> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter(|(_, security)| security.requires_login())
            .map(|(m, _)| surface.apps.app_of(m))
            .collect();
        // Objects (applications, blueprints) whose hooks refuse forged cross-site posts (Fetch
        // Metadata, a token or Origin check), found when a route would be reported.
        let mut refusing: Option<Vec<&ObjectId>> = None;
        let mut seen = HashSet::default();
        let mut samesite: Option<SameSite> = None;
        for mounted in &surface.mounted {
            let route = surface.route(mounted);
            // Only a POST can come from a form on another site; a search form posted with
            // POST reads. Methods that cannot be read may include POST.
            let unread = !form_can_post(&route.methods) && methods_unread(&route.methods);
            if !(form_can_post(&route.methods) || unread)
                || only_searches(&mounted.full_path, route, &route.methods)
                || !seen.insert(mounted.route)
            {
                continue;
            }
            match surface.apps.app_of(mounted) {
                Some(app) if per_app && surface.apps.kind(app) == Some(ObjectKind::FlaskApp) => {
                    if protection.covers(surface, app, &apps)
                        || !app_sessions.get(app).copied().unwrap_or(true)
                    {
                        continue;
                    }
                }
                // One application, or one the analysis cannot identify: any attached protection
                // may be its.
                _ => {
                    if !protection.apps.is_empty() {
                        continue;
                    }
                }
            }
            let imports = &cx.model.files[route.handler_file].imports;
            let mut reads_form = false;
            walk_exprs(&route.handler.body, &mut |e| {
                reads_form |= e.any(&mut |x| match &x.kind {
                    ExprKind::Attribute { .. } => is_form_read(imports, x),
                    // `data = get_request_data()` returning `request.form` on a POST.
                    ExprKind::Call(c) => returns_form(cx.model, route.handler_file, &c.func),
                    _ => false,
                });
            });
            // A public handler that reads nothing tying the request to the browser's user acts
            // the same for a forged post as for the attacker's own: nothing to ride. Nor does
            // a public password-recovery step, which acts on the account the form or the
            // mailed token names, whatever else it reads (a flash message, `g.user`).
            let guarded_here = guarded.contains(&mounted.route);
            if !guarded_here && is_recovery_step(&mounted.full_path) {
                continue;
            }
            if reads_form
                && (guarded_here
                    || !authenticating.contains(&surface.apps.app_of(mounted))
                    || reads_caller_state(
                        cx.model,
                        route.handler_file,
                        route.handler,
                        &route.view_decorators,
                    ))
                // A provider's callback (a SAML assertion consumer, a signed webhook, an OAuth
                // code exchange) is posted cross-site by design and protected otherwise.
                && !authenticates_provider_callback(
                    cx.model,
                    route.handler_file,
                    &route.handler_scope,
                    route.handler,
                )
            {
                let refusing = refusing.get_or_insert_with(|| {
                    surface
                        .apps
                        .hooks
                        .iter()
                        .filter(|h| refuses_cross_site(cx.model, h))
                        .map(|h| &h.owner)
                        .collect()
                });
                if mounted
                    .chain
                    .iter()
                    .any(|id| refusing.iter().any(|owner| surface.apps.denotes(owner, id)))
                    || decorator_refuses_forgeries(
                        cx.model,
                        route.handler_file,
                        route.handler,
                        &route.view_decorators,
                    )
                {
                    continue;
                }
                // A handler that provably writes nothing (a listing filtered by form values)
                // gives a forged post nothing to change.
                if crate::effects::handler_writes_nothing(cx.model, route) {
                    continue;
                }
                // The login cookie's SameSite label, read once, when a route would be reported.
                let samesite = samesite.get_or_insert_with(|| login_cookie_samesite(cx));
                let (note, lax) = match &*samesite {
                    // Browsers never send a Strict cookie on a request another site starts.
                    SameSite::Strict => continue,
                    SameSite::Unset => (String::new(), false),
                    SameSite::Lax { key, place } => (
                        format!(
                            " ({key} is \"Lax\" ({place}): browsers keep the cookie off \
                             cross-site form posts, but SameSite is defence in depth, not a \
                             token, and same-site subdomains can still post)"
                        ),
                        true,
                    ),
                    SameSite::Conditional {
                        key,
                        value,
                        condition,
                    } => (
                        format!(" ({key} is \"{value}\" only if {condition})"),
                        false,
                    ),
                };
                let mut f = Findings::new(route.file);
                if unread {
                    f.report_with(
                        &FORM_POST_WITHOUT_CSRF,
                        route.span,
                        format!(
                            "{} {} reads a form in a cookie-session app with no CSRF protection: \
                             its methods could not be read and may include POST{note}",
                            route.methods.join(","),
                            mounted.full_path
                        ),
                        FORM_POST_WITHOUT_CSRF.severity,
                        Confidence::Low,
                    );
                } else {
                    f.report_with(
                        &FORM_POST_WITHOUT_CSRF,
                        route.span,
                        format!(
                            "{} {} accepts a form post in a cookie-session app with no CSRF protection{note}",
                            route.methods.join(","),
                            mounted.full_path
                        ),
                        FORM_POST_WITHOUT_CSRF.severity,
                        if lax {
                            Confidence::Low
                        } else {
                            FORM_POST_WITHOUT_CSRF.confidence
                        },
                    );
                }
                out.extend(f.into_vec());
            }
        }
    }
}

/// How the cookies that carry the login are labelled for cross-site requests
/// (`SESSION_COOKIE_SAMESITE`, and `JWT_COOKIE_SAMESITE` for a flask-jwt-extended cookie
/// login), as far as the configuration written in the code says.
#[derive(Clone, Debug, PartialEq)]
enum SameSite {
    /// Not set, `None`, or a value the analysis cannot read: browsers send the cookie on a
    /// cross-site form post (Flask's and flask-jwt-extended's default).
    Unset,
    /// `"Lax"` or `"Strict"` only in some branch: the innermost condition, written out.
    Conditional {
        key: String,
        value: String,
        condition: String,
    },
    /// `"Lax"` everywhere the setting is written: the setting and where it is written.
    Lax { key: String, place: String },
    /// `"Strict"` everywhere.
    Strict,
}

/// The strength of a literal SameSite value: 2 for Strict, 1 for Lax, 0 for anything else.
fn samesite_strength(value: &str) -> u8 {
    if value.eq_ignore_ascii_case("strict") {
        2
    } else if value.eq_ignore_ascii_case("lax") {
        1
    } else {
        0
    }
}

/// The SameSite label of the login cookies: the weakest of the settings that apply.
fn login_cookie_samesite(cx: &ProjectContext) -> SameSite {
    let model = cx.model;
    let jwt_keys = |k: &str| matches!(k, "JWT_TOKEN_LOCATION" | "JWT_COOKIE_SAMESITE");
    let samesite_keys = |k: &str| {
        matches!(
            k,
            "SESSION_COOKIE_SAMESITE" | "REMEMBER_COOKIE_SAMESITE" | "JWT_COOKIE_SAMESITE"
        )
    };
    let writes = crate::config_writes::config_writes(cx, &|k| jwt_keys(k) || samesite_keys(k));
    // A flask-jwt-extended login kept in a cookie (`JWT_TOKEN_LOCATION` naming "cookies"):
    // its cookie is labelled by `JWT_COOKIE_SAMESITE`. The Flask session cookie then carries
    // the login only when Flask-Login keeps the user there.
    let jwt_cookies = uses_any(model, &["flask_jwt_extended.JWTManager"])
        && writes.iter().any(|w| {
            w.key == "JWT_TOKEN_LOCATION"
                && w.value
                    .any(&mut |e| e.as_str().is_some_and(|s| s == "cookies"))
        });
    let flask_login = uses_any(model, LOGIN_NAMES);
    let mut keys: Vec<&str> = Vec::new();
    if !jwt_cookies || flask_login {
        keys.push("SESSION_COOKIE_SAMESITE");
    }
    if jwt_cookies {
        keys.push("JWT_COOKIE_SAMESITE");
    }
    // Flask-Login restores the user from its remember-me cookie when the session has none:
    // that cookie must be labelled too.
    if flask_login && remembers_logins(model) {
        keys.push("REMEMBER_COOKIE_SAMESITE");
    }
    let mut weakest: Option<SameSite> = None;
    for key in keys {
        let state = setting_samesite(cx, key, &writes);
        let rank = |s: &SameSite| match s {
            SameSite::Unset => 0,
            SameSite::Conditional { .. } => 1,
            SameSite::Lax { .. } => 2,
            SameSite::Strict => 3,
        };
        if weakest.as_ref().is_none_or(|w| rank(&state) < rank(w)) {
            weakest = Some(state);
        }
    }
    weakest.unwrap_or(SameSite::Unset)
}

const LOGIN_NAMES: &[&str] = &[
    "flask_login.LoginManager",
    "flask_login.login_user",
    "flask_login.current_user",
    "flask_login.login_required",
];

/// Whether the project logs users in with Flask-Login's remember-me cookie:
/// `login_user(user, remember=...)` with anything but a false literal.
fn remembers_logins(model: &routewarden_model::ProjectModel) -> bool {
    model.files.iter().any(|file| {
        if is_test_file(file) || !file_uses(file, &["flask_login.login_user"]) {
            return false;
        }
        let mut found = false;
        crate::helpers::for_each_call(file.body(), &mut Vec::new(), &mut |_, _, call| {
            found |= file.imports.resolve(&call.func).as_deref() == Some("flask_login.login_user")
                && call
                    .argument("remember", 1)
                    .is_some_and(|v| !crate::helpers::is_falsy_literal(v));
        });
        found
    })
}

/// The SameSite label one setting gives, from every place the code writes it.
fn setting_samesite(
    cx: &ProjectContext,
    key: &str,
    writes: &[crate::config_writes::ConfigWrite],
) -> SameSite {
    use crate::switches::{Lit, unset_value};
    let mut sure: Option<(u8, String)> = None;
    let mut conditional: Option<(u8, String, String)> = None;
    let mut unknown = false;
    for write in writes.iter().filter(|w| w.key == key) {
        // A literal, or the fallback of an environment read (`os.getenv("K", "Lax")`).
        let value = match write.value.as_str() {
            Some(s) => Some(s.to_string()),
            None => match unset_value(cx.model, write.file, write.value) {
                Some(Lit::Str(s)) => Some(s),
                _ => None,
            },
        };
        let strength = value.as_deref().map_or(0, samesite_strength);
        if value.is_some() && strength == 0 {
            // `None`/"None" (or another literal browsers ignore) somewhere: as if unset.
            return SameSite::Unset;
        }
        if strength == 0 {
            unknown = true;
            continue;
        }
        let value = value.unwrap_or_default();
        match enclosing_condition(cx.model, write.file, write.span) {
            Some(condition) => {
                if conditional.as_ref().is_none_or(|c| strength < c.0) {
                    conditional = Some((strength, value, condition));
                }
            }
            None => {
                if sure.as_ref().is_none_or(|s| strength < s.0) {
                    sure = Some((strength, write.place.clone()));
                }
            }
        }
    }
    match (sure, conditional) {
        (Some((strength, place)), cond) if !unknown => {
            // Written unconditionally; a branch may only pick the other protective value.
            let weakest = cond.map_or(strength, |c| c.0.min(strength));
            if weakest >= 2 {
                SameSite::Strict
            } else {
                SameSite::Lax {
                    key: key.to_string(),
                    place,
                }
            }
        }
        (_, Some((_, value, condition))) => SameSite::Conditional {
            key: key.to_string(),
            value,
            condition,
        },
        _ => SameSite::Unset,
    }
}

/// The innermost `if` test the statement at `span` is written under, as source text:
/// `` `test` `` in its body, `` not `test` `` in its `else`. `None` when no `if` encloses it.
fn enclosing_condition(
    model: &routewarden_model::ProjectModel,
    file: usize,
    span: routewarden_python::ast::Span,
) -> Option<String> {
    let module = &model.files[file];
    let (test, then) = *crate::helpers::enclosing_if_tests(module.body(), span).last()?;
    let text = module.span_text(test.span);
    Some(if then {
        format!("`{text}`")
    } else {
        format!("not `{text}`")
    })
}

/// Whether `stmt` answers the request itself: an exception, a response, or Flask's `abort`.
pub(crate) fn answers_request(imports: &routewarden_python::names::Imports, stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Raise { .. } => true,
        Stmt::Return { value: Some(v), .. } => !matches!(v.kind, ExprKind::NoneLiteral),
        Stmt::Expr { value, .. } => value.as_call().is_some_and(|c| {
            matches!(
                imports.resolve(&c.func).as_deref(),
                Some("flask.abort" | "werkzeug.exceptions.abort")
            )
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::test_support::findings_of;

    const ROUTE: &str = r#"

@app.route("/profile", methods=["POST"])
def profile():
    session["nick"] = request.form["nick"]
    return "ok"
"#;

    fn found(config: &str) -> Vec<(Confidence, String)> {
        let text = format!(
            "from flask import Flask, request, session\n\napp = Flask(__name__)\n{config}{ROUTE}"
        );
        findings_of(&FormPostWithoutCsrf, &[("app.py", &text)])
            .into_iter()
            .map(|f| (f.confidence, f.message))
            .collect()
    }

    #[test]
    fn samesite_lax_is_reported_at_low_confidence_naming_the_setting() {
        assert_eq!(
            found("app.config[\"SESSION_COOKIE_SAMESITE\"] = \"Lax\"\n"),
            vec![(
                Confidence::Low,
                "POST /profile accepts a form post in a cookie-session app with no CSRF \
                 protection (SESSION_COOKIE_SAMESITE is \"Lax\" (config[\"SESSION_COOKIE_SAMESITE\"]): \
                 browsers keep the cookie off cross-site form posts, but SameSite is defence in \
                 depth, not a token, and same-site subdomains can still post)"
                    .to_string()
            )]
        );
    }

    #[test]
    fn samesite_strict_silences_and_none_keeps_the_finding() {
        assert!(found("app.config[\"SESSION_COOKIE_SAMESITE\"] = \"Strict\"\n").is_empty());
        for config in [
            "app.config[\"SESSION_COOKIE_SAMESITE\"] = \"None\"\n",
            "app.config[\"SESSION_COOKIE_SAMESITE\"] = None\n",
            "",
            // Strict in one place, None in another: the cookie may be sent cross-site.
            "app.config[\"SESSION_COOKIE_SAMESITE\"] = \"Strict\"\napp.config.update(SESSION_COOKIE_SAMESITE=None)\n",
        ] {
            let found = found(config);
            assert_eq!(found.len(), 1, "{config}");
            assert_eq!(found[0].0, Confidence::Medium, "{config}");
            assert!(!found[0].1.contains("SAMESITE"), "{config}");
        }
    }

    #[test]
    fn samesite_is_read_from_a_pyfile_loaded_by_a_computed_path() {
        let app = format!(
            "import os\nfrom flask import Flask, request, session\n\napp = Flask(__name__)\n\
             app.config.from_pyfile(os.path.join(os.path.dirname(__file__), \"settings.py\"))\n{ROUTE}"
        );
        let found = findings_of(
            &FormPostWithoutCsrf,
            &[
                ("app.py", &app),
                ("settings.py", "SESSION_COOKIE_SAMESITE = \"Lax\"\n"),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Low);
        assert!(
            found[0]
                .message
                .contains("SESSION_COOKIE_SAMESITE is \"Lax\" (settings.SESSION_COOKIE_SAMESITE)"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn samesite_in_a_branch_keeps_medium_and_names_the_condition() {
        assert_eq!(
            found("if not EMBEDDED:\n    app.config[\"SESSION_COOKIE_SAMESITE\"] = \"Lax\"\n"),
            vec![(
                Confidence::Medium,
                "POST /profile accepts a form post in a cookie-session app with no CSRF \
                 protection (SESSION_COOKIE_SAMESITE is \"Lax\" only if `not EMBEDDED`)"
                    .to_string()
            )]
        );
        assert_eq!(
            found("if EMBEDDED:\n    pass\nelse:\n    app.config[\"SESSION_COOKIE_SAMESITE\"] = \"Strict\"\n")[0].1,
            "POST /profile accepts a form post in a cookie-session app with no CSRF \
             protection (SESSION_COOKIE_SAMESITE is \"Strict\" only if not `EMBEDDED`)"
        );
    }
}
