use crate::context::FileContext;
use crate::credentials::{
    REQUEST_PARTS, binds, is_credential_name, is_request_object, is_route_value_param,
};
use crate::declare_rule;
use crate::findings::Findings;
use crate::flask_usage::is_test_file;
use crate::helpers::{
    identifier_words, is_falsy_literal, mapping_items, resolve_value_in_blocks, setdefault_item,
    subscript_key,
};
use crate::rule::{Rule, RuleMeta, Severity};
use crate::rules::sess::cookie_transport::transport_flag;
use routewarden_model::config::any_identifier_word;
use routewarden_model::values::settings_field_default;
use routewarden_python::ast::{Call, Expr, ExprKind, FStringPart, Function, Stmt};

declare_rule! {
    /// ## What it finds
    /// `set_cookie(...)` on a Flask/Werkzeug or Starlette/FastAPI response (from
    /// `make_response`, `Response`, `JSONResponse`, `redirect`, or the injected
    /// `response: Response` parameter) without `secure=True`, without `httponly=True`, or
    /// without a `samesite` value (or with `samesite="none"`); the message names what is
    /// missing, and says when `samesite="none"` sends the cookie on cross-site requests. High severity when the
    /// cookie's name or value looks like a session, token or credential (also a name read from
    /// a setting such as `app.session_cookie_name`, a value such as `session.sid`, or one a
    /// call named for minting a token or session returns: `encrypt_token(claims)`,
    /// `create_access_token(...)`); low for
    /// other cookies (preferences, UI state, download markers), which carry nothing to steal
    /// and are reported for review only. Starlette's default `samesite="lax"` counts as set;
    /// non-literal flags (`secure=settings.cookie_secure`) are trusted, except one copied from a
    /// fastapi-users `CookieTransport` (`secure=transport.cookie_secure`), which is the value the
    /// transport was built with, and a settings field (also through a local copy) whose default
    /// is `False` or `None` when the settings object is built without it
    /// (`httponly=settings.session.http_only` with `http_only: bool = False`): the flag is off
    /// unless the deployment configures it. Flags passed as `set_cookie(**params)` are read
    /// from the mapping the function builds: a literal (`{...}`, `dict(...)`) and the
    /// `setdefault`, `params["k"] = v` and `update(...)` writes before the call; a mapping bound
    /// otherwise (`for params in queued:`) is reported only when the code gives it some flags
    /// itself (`params.setdefault("httponly", True)` but no `secure`), and one from a parameter,
    /// merged from another mapping or handed to another call is trusted; test files and
    /// `set_cookie` methods of the project's own classes are skipped. A cookie whose value is
    /// written in the code (any literal: a flag `"true"`, a marker `"done"`, `""` when clearing
    /// it; or a string built only from literals) or not given at all (`set_cookie(key,
    /// expires=0)`, which stores `""`; `flask.Response.set_cookie(self, key, ...)` in a
    /// subclass is read with the response first) carries nothing to steal and is not reported,
    /// whatever the cookie's name. Nor is a cookie that stores what the client sent in the same
    /// request, as sent or only reshaped (`set_cookie("sort", request.args.get("sort"))`, the
    /// language from the query, its own cookie or `Accept-Language`, a path parameter of the
    /// route handler), when neither the cookie's name nor the request field's names a session
    /// or credential (`api_key`, `code`, `state`, `nonce`, the `Cookie` header): whoever reads
    /// it learns only what the client itself sent. A double-submit CSRF cookie (`csrf_token`,
    /// `XSRF-TOKEN`, or a name read from a setting or constant named for one,
    /// `settings.XSRF_COOKIE_NAME`) is asked only for Secure: not HttpOnly, since the page's
    /// script must read it, nor SameSite, since a forged request needs the token itself, which
    /// another site cannot read. Flags that the response class's own `set_cookie` override fills
    /// in unconditionally (`kwargs["secure"] = ...` in a project `flask.Response` subclass, the
    /// response built from it or, for `make_response(...)` and responses handed in, installed as
    /// the application's `response_class`) count as set.
    ///
    /// ## Why is this dangerous
    /// A cookie without `Secure` travels over plain HTTP and can be copied on the network;
    /// without `HttpOnly` injected scripts read it; without `SameSite` browsers attach it to
    /// cross-site requests. For a session or token cookie each of these is an account takeover.
    ///
    /// ## Example
    /// ```python
    /// response.set_cookie("access_token", token)
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// response.set_cookie(
    ///     "access_token", token, secure=True, httponly=True, samesite="lax",
    /// )
    /// ```
    pub static INSECURE_COOKIE = {
        code: "SESS003",
        name: "insecure-cookie",
        severity: Medium,
        confidence: High,
        cwe: 614,
        fix: "Set secure=True, httponly=True and samesite on the cookie",
    }
}

pub struct InsecureCookie;

const WEB_MODULES: &[&str] = &["flask", "werkzeug", "starlette", "fastapi", "quart"];

/// The response classes whose `set_cookie` a subclass calls unbound.
const RESPONSE_CLASSES: &[&str] = &[
    "flask.Response",
    "flask.wrappers.Response",
    "werkzeug.Response",
    "werkzeug.wrappers.Response",
    "werkzeug.wrappers.response.Response",
    "werkzeug.sansio.response.Response",
    "quart.Response",
    "quart.wrappers.Response",
    "starlette.responses.Response",
    "fastapi.Response",
    "fastapi.responses.Response",
];

/// Words of a cookie name that make it a session or authentication cookie.
fn session_words(name: &str) -> bool {
    identifier_words(name).iter().any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "session" | "sid" | "sessionid" | "auth" | "jwt" | "remember" | "refresh" | "access"
        )
    })
}

fn sensitive_cookie(cx: &FileContext, name: Option<&Expr>, value: Option<&Expr>) -> bool {
    let name_sensitive = name.is_some_and(|n| match &n.kind {
        ExprKind::Str(n) => is_credential_name(n) || session_words(n),
        // `app.session_cookie_name`, `settings.login_session_cookie_name`: the setting's name
        // says what the cookie is (a variable merely called `token` does not).
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => session_words(n),
        _ => false,
    });
    let value_sensitive = value.is_some_and(|v| match &v.kind {
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => {
            is_credential_name(n)
                || identifier_words(n)
                    .iter()
                    .any(|w| matches!(w.to_ascii_lowercase().as_str(), "sid" | "sessionid"))
        }
        // `self.encrypt_token(claims)`, `create_access_token(identity=...)`,
        // `jwt.encode(...)`: a call that mints a token or a session.
        ExprKind::Call(c) => mints(cx, c),
        ExprKind::Await(inner) => inner.as_call().is_some_and(|c| mints(cx, c)),
        _ => false,
    });
    name_sensitive || value_sensitive
}

/// A call that mints a token or a session: a JWT library's `encode`, or a function named for
/// it ([`mints_credential`]).
fn mints(cx: &FileContext, call: &Call) -> bool {
    cx.resolves_to(&call.func, JWT_ENCODERS) || call.func.last_name().is_some_and(mints_credential)
}

const JWT_ENCODERS: &[&str] = &["jwt.encode", "jose.jwt.encode", "authlib.jose.jwt.encode"];

/// A function named for minting a token or a session (`encrypt_token`, `create_access_token`,
/// `encode_jwt`, `new_session_id`); not a CSRF
/// token's (`generate_csrf_token`), which the page's script reads anyway.
fn mints_credential(name: &str) -> bool {
    let words = identifier_words(name);
    let words: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    !words.iter().any(|w| matches!(w.as_str(), "csrf" | "xsrf"))
        && words.iter().any(|w| {
            matches!(
                w.as_str(),
                "token" | "jwt" | "session" | "sid" | "sessionid" | "credential" | "credentials"
            )
        })
        && words.iter().any(|w| {
            matches!(
                w.as_str(),
                "encode"
                    | "encrypt"
                    | "sign"
                    | "create"
                    | "generate"
                    | "issue"
                    | "new"
                    | "make"
                    | "mint"
                    | "build"
                    | "dumps"
            )
        })
}

impl Rule for InsecureCookie {
    fn meta(&self) -> &'static RuleMeta {
        &INSECURE_COOKIE
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let ExprKind::Attribute {
            attr,
            value: receiver,
        } = &call.func.kind
        else {
            return;
        };
        if attr != "set_cookie" {
            return;
        }
        if !WEB_MODULES.iter().any(|m| cx.file.imports_module(m)) || is_test_file(cx.file) {
            return;
        }
        // A project class of its own (`Jar().set_cookie(...)`), not a response.
        if cx.instance_class(receiver).is_some_and(|c| {
            !c.ends_with("Response")
                && !WEB_MODULES
                    .iter()
                    .any(|m| c == *m || c.starts_with(&format!("{m}.")))
        }) {
            return;
        }
        // `set_cookie(**params)`: the flags are known only from a mapping the function builds.
        let spread = if call.has_kwargs_spread() {
            match cx.function().and_then(|f| spread_mapping(f, expr, call)) {
                Some(spread) => Some(spread),
                None => return,
            }
        } else {
            None
        };
        // `flask.Response.set_cookie(self, key, ...)` in a subclass's method: the class's
        // function called with the response first, so every position moves by one.
        let shift = usize::from(cx.resolves_to(receiver, RESPONSE_CLASSES));
        let argument = |name: &str, position: usize| {
            call.argument(name, position + shift)
                .or_else(|| spread.as_ref().and_then(|s| s.get(name)))
        };
        // Positions follow Werkzeug and Starlette alike:
        // set_cookie(key, value, max_age, expires, path, domain, secure, httponly, samesite).
        // A value written in the code (a flag `"true"`, a marker `"done"`, `""` when clearing
        // the cookie) carries nothing to steal or replay, whatever the cookie's name. So does
        // no value at all, which both libraries default to `""` (`set_cookie(key, expires=0)`
        // deleting a cookie), when every argument is in sight.
        let all_in_sight = spread.as_ref().is_none_or(|s| s.whole)
            && !call
                .args
                .iter()
                .any(|a| matches!(a.kind, ExprKind::Starred(_)));
        match argument("value", 1) {
            Some(value) if is_flag_value(value) => return,
            None if all_in_sight => return,
            _ => {}
        }
        // A double-submit CSRF cookie is read by the page's own script, which echoes it in a
        // header: it must not be HttpOnly. Nor does its SameSite label matter: a forged request
        // needs the token itself in a header or field, which another site cannot read. It
        // still wants Secure, or the token travels in clear.
        let csrf_cookie = argument("key", 0).is_some_and(|k| names_csrf_cookie(cx, k));
        let mut missing = Vec::new();
        // A flag copied from fastapi-users' transport (`secure=transport.cookie_secure`) is the
        // value the transport was built with.
        let flag = |name: &str, position: usize| {
            argument(name, position)
                .map(|v| transport_flag(cx.model, cx.file_index, v).unwrap_or(v))
        };
        // Settings fields that leave a flag off by default, named in the message.
        let defaults = std::cell::RefCell::new(Vec::new());
        let set = |name: &str, position: usize| {
            flag(name, position).is_some_and(|v| {
                if is_falsy_literal(v) {
                    return false;
                }
                match off_by_default(cx, v) {
                    Some(field) => {
                        defaults.borrow_mut().push(format!("`{field}`"));
                        false
                    }
                    None => true,
                }
            })
        };
        if !set("secure", 6) {
            missing.push("secure");
        }
        if !set("httponly", 7) && !csrf_cookie {
            missing.push("httponly");
        }
        // Starlette defaults `samesite` to "lax"; Werkzeug sends none.
        let starlette = !cx.file.imports_module("flask")
            && !cx.file.imports_module("werkzeug")
            && !cx.file.imports_module("quart");
        // `samesite="none"` is set, but to the value that sends the cookie cross-site: the
        // message says so, since "without samesite" reads as false next to the call.
        let mut cross_site = false;
        match flag("samesite", 8) {
            _ if csrf_cookie => {}
            None if starlette => {}
            None => missing.push("samesite"),
            Some(v) if matches!(v.kind, ExprKind::NoneLiteral) => missing.push("samesite"),
            Some(v) if v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("none")) => {
                cross_site = true
            }
            Some(_) => {}
        }
        if missing.is_empty() && !cross_site {
            return;
        }
        // The response's own `set_cookie` override fills some flags in itself (octoprint's
        // `OctoPrintFlaskResponse` sets `samesite` and `secure` from its settings).
        let filled = override_flags(cx, receiver);
        missing.retain(|m| !filled.contains(m));
        cross_site &= !filled.contains(&"samesite");
        if missing.is_empty() && !cross_site {
            return;
        }
        let sensitive =
            !csrf_cookie && sensitive_cookie(cx, argument("key", 0), argument("value", 1));
        // A preference the client sent in this same request (the list's `sort` from the
        // query, the language from its own cookie or Accept-Language, a path parameter),
        // stored back as sent or only normalised: whoever reads the cookie learns only what
        // the client itself sent.
        if !sensitive && argument("value", 1).is_some_and(|v| echoes_request(cx, v, 0)) {
            return;
        }

        let defaults = defaults.into_inner();
        let defaults = if defaults.is_empty() {
            String::new()
        } else {
            format!(
                " (read from settings that are off unless configured: {})",
                defaults.join(", ")
            )
        };
        let name = argument("key", 0)
            .and_then(Expr::as_str)
            .map(|n| format!(" `{n}`"))
            .unwrap_or_default();
        // A mapping filled in here: the flags it is given are the code's own choice.
        let given = spread
            .as_ref()
            .filter(|s| !s.whole)
            .map(|s| {
                let flags: Vec<&str> = s
                    .items
                    .iter()
                    .map(|(k, _)| *k)
                    .filter(|k| COOKIE_FLAGS.contains(k))
                    .collect();
                format!(" (`**{}` is given only {} here)", s.name, flags.join(", "))
            })
            .unwrap_or_default();
        out.report_with_severity(
            &INSECURE_COOKIE,
            expr.span,
            match (missing.is_empty(), cross_site) {
                (true, _) => format!("cookie{name} is set with samesite=\"none\", which sends it on cross-site requests"),
                (false, true) => format!(
                    "cookie{name} is set without {} and with samesite=\"none\", which sends it on cross-site requests",
                    missing.join(", ")
                ),
                (false, false) => {
                    format!(
                        "cookie{name} is set without {}{defaults}{given}",
                        missing.join(", ")
                    )
                }
            },
            if sensitive {
                Severity::High
            } else {
                // A preference or UI-state cookie: for review.
                Severity::Low
            },
        );
    }
}

/// A cookie name that says it holds a CSRF token: a literal (`"csrf_token"`, `"XSRF-TOKEN"`),
/// or a setting or constant named for one (`settings.XSRF_COOKIE_NAME`, `CSRF_COOKIE_NAME`),
/// also through a local copy.
fn names_csrf_cookie(cx: &FileContext, key: &Expr) -> bool {
    let csrf = |name: &str| any_identifier_word(name, |w| matches!(w, "csrf" | "xsrf"));
    let named = |e: &Expr| match &e.kind {
        ExprKind::Str(n) => csrf(n),
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => csrf(n),
        _ => false,
    };
    if named(key) {
        return true;
    }
    // `cookie_name = settings.XSRF_COOKIE_NAME`: the local's every value names one.
    if let ExprKind::Name(local) = &key.kind
        && let Some(function) = cx.function()
    {
        let values = crate::credentials::assigned_values(&function.body, local);
        if !values.is_empty() {
            return values.into_iter().all(named);
        }
    }
    matches!(key.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
        && named(cx.resolve_value(key).expr)
}

/// The flags (`secure`, `httponly`, `samesite`) a project response class's `set_cookie`
/// override sets itself, unconditionally, in the keyword arguments it hands on
/// (`kwargs["secure"] = ...`, `kwargs.setdefault("samesite", "lax")`; a falsy literal sets
/// nothing). The response is an instance of the project class it is built from, or else (a
/// parameter, `make_response(...)`, a hook's response) of the class the project installs as
/// the application's `response_class`. Asked only for a cookie about to be reported.
fn override_flags(cx: &FileContext, receiver: &Expr) -> Vec<&'static str> {
    let model = cx.model;
    let origin = cx.resolve_value(receiver);
    let class = match origin
        .expr
        .as_call()
        .map(|c| model.resolve_definition(origin.file, &c.func))
    {
        Some(Some((file, Some(Stmt::ClassDef(class)), _))) => Some((file, class.as_ref())),
        // Built explicitly from a class of a library: that class's own `set_cookie`.
        Some(Some((_, None, Some(q)))) if q.ends_with("Response") => None,
        _ => cx.surface.apps.installed_response_class(),
    };
    let Some((file, class)) = class else {
        return Vec::new();
    };
    let Some((_, _, method)) =
        routewarden_model::apps::find_method(model, file, class, "set_cookie")
    else {
        return Vec::new();
    };
    let Some(kwargs) = method
        .params
        .iter()
        .find(|p| matches!(p.kind, routewarden_python::ast::ParamKind::VarKeywords))
    else {
        return Vec::new();
    };
    let mut filled = Vec::new();
    for stmt in &method.body {
        let (key, value) = match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => match targets.as_slice() {
                [target] => match subscript_key(target) {
                    Some((owner, key)) if owner.as_name() == Some(kwargs.name.as_str()) => {
                        (key, value)
                    }
                    _ => continue,
                },
                _ => continue,
            },
            Stmt::Expr { value, .. } => match value.as_call() {
                Some(call)
                    if call.method().is_some_and(|(owner, m)| {
                        m == "setdefault" && owner.as_name() == Some(kwargs.name.as_str())
                    }) =>
                {
                    match setdefault_item(call) {
                        Some(item) => item,
                        None => continue,
                    }
                }
                _ => continue,
            },
            _ => continue,
        };
        if let Some(flag) = COOKIE_FLAGS.iter().find(|f| **f == key)
            && !is_falsy_literal(value)
        {
            filled.push(*flag);
        }
    }
    filled
}

/// A flag read from a settings object whose field defaults to off (`httponly=
/// settings.session.http_only` with `http_only: bool = False`, also through a local copy), the
/// object being built without a value for that field: the flag is off unless the deployment
/// configures it. Other non-literal flags are trusted.
/// Gives the field's name.
fn off_by_default(cx: &FileContext, flag: &Expr) -> Option<String> {
    if !matches!(flag.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
        return None;
    }
    let origin = resolve_value_in_blocks(cx.model, cx.file_index, &cx.functions, flag);
    let ExprKind::Attribute {
        value: receiver,
        attr,
    } = &origin.expr.kind
    else {
        return None;
    };
    let (_, default) = settings_field_default(cx.model, origin.file, &origin.scope, origin.expr)?;
    if !is_falsy_literal(default) {
        return None;
    }
    // `SessionSettings(cookie_http_only=True)`: the call, not the class, gives the value.
    let built = cx.model.resolve_value(origin.file, &origin.scope, receiver);
    built
        .expr
        .as_call()
        .is_none_or(|call| {
            call.args.is_empty() && !call.has_kwargs_spread() && call.keyword(attr).is_none()
        })
        .then(|| attr.to_string())
}

const COOKIE_FLAGS: &[&str] = &["secure", "httponly", "samesite"];

/// The arguments a `set_cookie(**name)` call gets from a mapping its function builds.
struct SpreadMapping<'a> {
    name: &'a str,
    /// The items the function gives it, in order; later ones win.
    items: Vec<(&'a str, &'a Expr)>,
    /// Bound to a literal mapping here (`{...}`, `dict(...)`), so these are all its items;
    /// otherwise (a loop variable, a call's result) only the items written here are known.
    whole: bool,
}

impl<'a> SpreadMapping<'a> {
    fn get(&self, key: &str) -> Option<&'a Expr> {
        self.items
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    fn set(&mut self, key: &'a str, value: &'a Expr) {
        self.items.push((key, value));
    }
}

/// What `set_cookie(**name)` receives, when the enclosing function shows it: `name` bound to a
/// literal mapping there, or bound otherwise (`for params in queued:`) and then given at least
/// one cookie flag there (`params.setdefault("httponly", True)`): code that fills in the flags
/// names the ones it sets. Items come from the literal, `setdefault`, `name["k"] = v` and
/// `update(...)` before the call. A mapping from a parameter or from elsewhere, one merged from
/// another mapping, or one handed to another call (which may fill it) is unknown.
fn spread_mapping<'a>(
    function: &'a Function,
    expr: &Expr,
    call: &'a Call,
) -> Option<SpreadMapping<'a>> {
    let mut spreads = call.keywords.iter().filter(|k| k.arg.is_none());
    let name = spreads.next()?.value.as_name()?;
    if spreads.next().is_some()
        || call
            .args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Starred(_)))
    {
        return None;
    }
    let mut state = Binding::Unbound;
    walk_mapping(&function.body, name, expr.span.start, &mut state);
    match state {
        Binding::Known(mapping)
            if mapping.whole || mapping.items.iter().any(|(k, _)| COOKIE_FLAGS.contains(k)) =>
        {
            Some(mapping)
        }
        _ => None,
    }
}

enum Binding<'a> {
    Unbound,
    Known(SpreadMapping<'a>),
    Unknown,
}

/// Follows `name` through the statements of `body` that start before `until`, in order.
fn walk_mapping<'a>(body: &'a [Stmt], name: &'a str, until: u32, state: &mut Binding<'a>) {
    for stmt in body {
        if stmt.span().start >= until || matches!(state, Binding::Unknown) {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => continue,
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => {
                for target in targets {
                    if target.as_name() == Some(name) {
                        *state = literal_mapping(name, value).map_or_else(
                            || {
                                Binding::Known(SpreadMapping {
                                    name,
                                    items: Vec::new(),
                                    whole: false,
                                })
                            },
                            Binding::Known,
                        );
                    } else if let Some((owner, key)) = subscript_key(target)
                        && owner.as_name() == Some(name)
                        && let Binding::Known(mapping) = state
                    {
                        mapping.set(key, value);
                    } else if target.any(&mut |e| e.as_name() == Some(name)) {
                        *state = Binding::Unknown;
                    }
                }
                if let Some(call) = value.as_call() {
                    mapping_call(call, name, state);
                }
            }
            Stmt::For { target, .. } if target.any(&mut |e| e.as_name() == Some(name)) => {
                *state = Binding::Known(SpreadMapping {
                    name,
                    items: Vec::new(),
                    whole: false,
                });
            }
            Stmt::Expr { value, .. } => {
                if let Some(call) = value.as_call() {
                    mapping_call(call, name, state);
                }
            }
            Stmt::With { items, .. }
                if items.iter().any(|i| {
                    i.target
                        .as_ref()
                        .is_some_and(|t| t.any(&mut |e| e.as_name() == Some(name)))
                }) =>
            {
                *state = Binding::Unknown;
            }
            _ => {
                // Bound some other way (`params |= other`), or handed to a call.
                let mut used = false;
                stmt.for_each_own_expr(&mut |e| {
                    used |= e.any(&mut |e| e.as_name() == Some(name));
                });
                if used
                    && !matches!(
                        stmt,
                        Stmt::If { .. } | Stmt::While { .. } | Stmt::For { .. }
                    )
                {
                    *state = Binding::Unknown;
                }
            }
        }
        for child in stmt.child_bodies() {
            walk_mapping(child, name, until, state);
        }
    }
}

/// The items of a literal mapping: `{"k": v}` or `dict(k=v)`, without spreads.
fn literal_mapping<'a>(name: &'a str, value: &'a Expr) -> Option<SpreadMapping<'a>> {
    let mut items = Vec::new();
    match &value.kind {
        ExprKind::Dict(entries) => {
            for entry in entries {
                items.push((entry.key.as_ref()?.as_str()?, &entry.value));
            }
        }
        ExprKind::Call(call) if call.func.as_name() == Some("dict") && call.args.is_empty() => {
            for k in &call.keywords {
                items.push((k.arg.as_deref()?, &k.value));
            }
        }
        _ => return None,
    }
    Some(SpreadMapping {
        name,
        items,
        whole: true,
    })
}

/// A call statement's effect on the mapping: `setdefault`, `update`, or handing it to a call
/// that may fill it.
fn mapping_call<'a>(call: &'a Call, name: &'a str, state: &mut Binding<'a>) {
    if let Some((receiver, method)) = call.method()
        && receiver.as_name() == Some(name)
    {
        let Binding::Known(mapping) = state else {
            return;
        };
        match method {
            "setdefault" => {
                if let Some((key, value)) = setdefault_item(call)
                    && mapping.get(key).is_none()
                {
                    mapping.set(key, value);
                }
            }
            "update" => {
                let literal = call.args.iter().all(|a| {
                    matches!(a.kind, ExprKind::Dict(_))
                        || a.as_call()
                            .is_some_and(|c| c.func.as_name() == Some("dict"))
                });
                if !literal || call.has_kwargs_spread() {
                    *state = Binding::Unknown;
                    return;
                }
                for (key, value, _) in mapping_items(call) {
                    mapping.set(key, value);
                }
            }
            "pop" | "clear" | "popitem" => *state = Binding::Unknown,
            _ => {}
        }
        return;
    }
    if call
        .argument_values()
        .any(|a| a.any(&mut |e| e.as_name() == Some(name)))
    {
        *state = Binding::Unknown;
    }
}

/// A value written in the code: a literal (`"true"`, `"done"`, `1`, `""`), or a string built
/// only from literals (`"a" + "b"`, an f-string without placeholders). Whoever reads such a
/// cookie learns only what the source says.
fn is_flag_value(value: &Expr) -> bool {
    match &value.kind {
        ExprKind::Int(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLiteral
        | ExprKind::Str(_)
        | ExprKind::Bytes(_)
        | ExprKind::Float(_) => true,
        ExprKind::BinOp { left, right, .. } => is_flag_value(left) && is_flag_value(right),
        ExprKind::FString(parts) => parts.iter().all(|p| match p {
            FStringPart::Literal(_) => true,
            FStringPart::Value(v) => is_flag_value(v),
        }),
        _ => false,
    }
}

/// Whether `value` is only what the client sent in the request being served: a field of the
/// query, form, headers or cookies read by a literal key that names no credential
/// (`request.args.get("sort")`, `request.cookies.get("language")`), a parameter of the route
/// handler that the caller fills (`/cookies/set/<name>/<value>`), literals, text methods and
/// indexes applied to these (`accept.split(",")[0].replace("-", "_")`), or a local every
/// assignment of which is one of these.
fn echoes_request(cx: &FileContext, value: &Expr, depth: u32) -> bool {
    if depth > 6 {
        return false;
    }
    if is_flag_value(value) {
        return true;
    }
    if let Some(key) = request_field(cx, value) {
        return !names_secret(key);
    }
    match &value.kind {
        ExprKind::Name(name) => echoed_name(cx, name, depth),
        ExprKind::Subscript { value, slice } => {
            is_flag_value(slice) && echoes_request(cx, value, depth + 1)
        }
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { value, attr } => {
                TEXT_METHODS.contains(&attr.as_str())
                    && call.args.iter().all(is_flag_value)
                    && call.keywords.iter().all(|k| is_flag_value(&k.value))
                    && echoes_request(cx, value, depth + 1)
            }
            ExprKind::Name(f) if f == "str" && call.keywords.is_empty() => {
                matches!(call.args.as_slice(), [a] if echoes_request(cx, a, depth + 1))
            }
            _ => false,
        },
        ExprKind::BinOp { left, right, .. } => {
            echoes_request(cx, left, depth + 1) && echoes_request(cx, right, depth + 1)
        }
        ExprKind::FString(parts) => parts.iter().all(|p| match p {
            FStringPart::Literal(_) => true,
            FStringPart::Value(v) => echoes_request(cx, v, depth + 1),
        }),
        ExprKind::IfExp { body, orelse, .. } => {
            echoes_request(cx, body, depth + 1) && echoes_request(cx, orelse, depth + 1)
        }
        ExprKind::BoolOp { values, .. } => values.iter().all(|v| echoes_request(cx, v, depth + 1)),
        _ => false,
    }
}

/// String methods that only reshape the text they are called on.
const TEXT_METHODS: &[&str] = &[
    "split",
    "rsplit",
    "strip",
    "lstrip",
    "rstrip",
    "lower",
    "upper",
    "casefold",
    "replace",
    "title",
    "capitalize",
];

/// The literal key of a field read from the part of the incoming request the client fills:
/// `request.args.get("sort")`, `request.args["sort"]`, `request.cookies.get("lang", "en")`.
fn request_field<'e>(cx: &FileContext, expr: &'e Expr) -> Option<&'e str> {
    let (part, key) = match &expr.kind {
        ExprKind::Subscript { value, slice } => (value.as_ref(), slice.as_str()?),
        ExprKind::Call(call) => {
            let (receiver, method) = call.method()?;
            if method != "get"
                || !call.keywords.is_empty()
                || call.args.len() > 2
                || !call.args.iter().skip(1).all(is_flag_value)
            {
                return None;
            }
            (receiver, call.args.first()?.as_str()?)
        }
        _ => return None,
    };
    let ExprKind::Attribute {
        value: request,
        attr,
    } = &part.kind
    else {
        return None;
    };
    (REQUEST_PARTS.contains(&attr.as_str()) && is_request_object(cx, request)).then_some(key)
}

/// A request field or parameter name that says it carries a credential or what stands for
/// one (`api_key`, `session`, an OAuth `code` or `state`, a `nonce`, the `Cookie` header).
fn names_secret(name: &str) -> bool {
    is_credential_name(name)
        || session_words(name)
        || any_identifier_word(name, |w| {
            matches!(w, "key" | "code" | "state" | "nonce" | "cookie" | "cookies")
        })
}

/// Whether the local or parameter `name` holds only what the client sent: bound in the
/// innermost enclosing function that binds it only by plain assignments of such values, and as
/// a parameter only when the route handler's caller fills it.
fn echoed_name(cx: &FileContext, name: &str, depth: u32) -> bool {
    for function in cx.functions.iter().rev() {
        let param = function.params.iter().any(|p| p.name == name);
        let mut values = Vec::new();
        let plain = plain_assignments(&function.body, name, &mut values);
        if !param && plain && values.is_empty() {
            continue;
        }
        return plain
            && (!param || is_route_value_param(cx, name) && !names_secret(name))
            && values.iter().all(|v| echoes_request(cx, v, depth + 1));
    }
    false
}

/// Collects the values that `name = value` statements of `body` give `name` (not entering
/// nested functions or classes); false when something else binds it there: a loop or `with`
/// target, part of a tuple target, `+=`, `:=`, an import, `except ... as`, a `match`, a nested
/// definition of that name.
fn plain_assignments<'a>(body: &'a [Stmt], name: &str, out: &mut Vec<&'a Expr>) -> bool {
    for stmt in body {
        let mut walrus = false;
        stmt.for_each_own_expr(&mut |e| {
            walrus |= e.any(
                &mut |x| matches!(&x.kind, ExprKind::Named { target, .. } if binds(target, name)),
            );
        });
        let other = walrus
            || match stmt {
                Stmt::FunctionDef(f) => f.name.as_str() == name,
                Stmt::ClassDef(c) => c.name.as_str() == name,
                Stmt::Assign { targets, value, .. } => {
                    for target in targets {
                        if target.as_name() == Some(name) {
                            out.extend(value.as_ref());
                        }
                    }
                    targets
                        .iter()
                        .any(|t| t.as_name() != Some(name) && binds(t, name))
                }
                Stmt::AugAssign { target, .. } | Stmt::For { target, .. } => binds(target, name),
                Stmt::With { items, .. } => items
                    .iter()
                    .any(|i| i.target.as_ref().is_some_and(|t| binds(t, name))),
                Stmt::Try { handlers, .. } => {
                    handlers.iter().any(|h| h.name.as_deref() == Some(name))
                }
                Stmt::Match { .. } => true,
                Stmt::Import { names, .. } | Stmt::ImportFrom { names, .. } => {
                    names.iter().any(|a| {
                        a.asname
                            .as_deref()
                            .unwrap_or_else(|| a.name.split('.').next().unwrap_or_default())
                            == name
                    })
                }
                _ => false,
            };
        if other {
            return false;
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        for child in stmt.child_bodies() {
            if !plain_assignments(child, name, out) {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::test_support::findings_of;

    #[test]
    fn severity_follows_what_the_cookie_carries() {
        let found = findings_of(
            &InsecureCookie,
            &[(
                "views.py",
                r#"from flask import Flask, make_response, request, session

app = Flask(__name__)


@app.route("/export")
def export():
    resp = make_response("ok")
    resp.set_cookie(request.args["download_token"], "done")
    resp.set_cookie("marker", "dl-" + "done")
    resp.set_cookie("sort", sort_order(request))
    resp.set_cookie(app.session_cookie_name, session.sid, httponly=True, secure=True)
    resp.set_cookie("access_token", token)
    resp.set_cookie(cookie_name, encrypt_token(claims), httponly=True)
    resp.set_cookie(cookie_name, generate_csrf_token(), httponly=True)
    return resp
"#,
            )],
        );
        let severities: Vec<(u32, Severity)> = found.iter().map(|f| (f.line, f.severity)).collect();
        assert_eq!(
            severities,
            vec![
                (11, Severity::Low),
                (12, Severity::High),
                (13, Severity::High),
                (14, Severity::High),
                (15, Severity::Low),
            ]
        );
    }

    #[test]
    fn samesite_none_is_named_not_called_missing() {
        let found = findings_of(
            &InsecureCookie,
            &[(
                "views.py",
                r#"from fastapi.responses import RedirectResponse


def sign_in(token):
    response = RedirectResponse(url="/")
    response.set_cookie("session_token", token, httponly=True, samesite="none", secure=True)
    response.set_cookie("access_token", token, httponly=True, samesite="None")
    return response
"#,
            )],
        );
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "cookie `session_token` is set with samesite=\"none\", which sends it on cross-site requests",
                "cookie `access_token` is set without secure and with samesite=\"none\", which sends it on cross-site requests",
            ]
        );
    }

    #[test]
    fn double_submit_cookies_named_by_a_setting_want_only_secure() {
        let found = findings_of(
            &InsecureCookie,
            &[
                (
                    "settings.py",
                    "import os\nXSRF_COOKIE_NAME = os.environ.get(\"XSRF_COOKIE_NAME\", \"XSRF-TOKEN\")\n",
                ),
                (
                    "auth.py",
                    r#"from flask import session

import settings


def set_csrf_token(resp):
    cookie_name = settings.XSRF_COOKIE_NAME
    resp.set_cookie(cookie_name, session[cookie_name])
    resp.set_cookie(settings.XSRF_COOKIE_NAME, session[cookie_name], secure=True)
"#,
                ),
            ],
        );
        let messages: Vec<(u32, &str)> =
            found.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(messages, vec![(8, "cookie is set without secure")]);
    }
}
