//! Recognising credentials by name: variables, parameters, attributes, header and dict keys.

use crate::context::FileContext;
use crate::helpers::identifier_words;
use routewarden_model::SourceModule;
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Function, Param, ParamKind, Stmt};
use routewarden_python::names::Imports;

/// Words that make a name a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "apikey",
    "authorization",
    "credential",
    "credentials",
    "signature",
    "hmac",
    "otp",
    "totp",
];

/// Words that make a credential-looking name describe something else: `token_type`,
/// `password_length`, `TOKEN_URL`.
const DESCRIPTIVE_WORDS: &[&str] = &[
    "type",
    "types",
    "url",
    "uri",
    "endpoint",
    "name",
    "names",
    "id",
    "ids",
    "length",
    "len",
    "expire",
    "expires",
    "expiry",
    "exp",
    "prefix",
    "header",
    "headers",
    "field",
    "fields",
    "kind",
    "format",
    "location",
    "scheme",
    "method",
    "mode",
    "hint",
    "label",
    "count",
    "policy",
    "required",
    "enabled",
    "usage",
    "source",
    "path",
    "file",
    "dir",
    "env",
    "var",
    "lifetime",
    "ttl",
    "age",
    "timeout",
    "version",
    "algorithm",
    "alg",
    "strength",
    "min",
    "max",
    "regex",
    "pattern",
    "placeholder",
    "help",
    "message",
    "error",
    "status",
    "changed",
    "reset",
    "hash_method",
    // Pagination cursors and cache fingerprints: `next_page_token`, `options_signature`.
    "page",
    "cursor",
    "continuation",
    "options",
    "option",
];

/// Words that make a `token` a lexer's or a language model's, named by its place in the stream
/// or its role in the vocabulary: `main_token`, `next_token`, `eos_token`.
const LEXICAL_TOKEN_WORDS: &[&str] = &["main", "next", "eos", "bos", "pad", "unk", "vocab"];

fn is_lexical_token(words: &[String]) -> bool {
    words.iter().any(|w| w == "token")
        && words
            .iter()
            .any(|w| LEXICAL_TOKEN_WORDS.contains(&w.as_str()))
}

/// `api_key`, `x-api-key`, `secret_key`, `access_key`: keys that are credentials.
fn key_compound(words: &[String]) -> bool {
    words.windows(2).any(|w| {
        w[1] == "key"
            && matches!(
                w[0].as_str(),
                "api" | "secret" | "access" | "private" | "auth" | "admin" | "master" | "signing"
            )
    })
}

/// True for identifiers such as `token`, `x_api_key`, `X-API-Key`, `admin_password`; false for
/// `token_type`, `grant_type`, `TOKEN_URL`, `password_length`.
pub fn is_credential_name(name: &str) -> bool {
    credential_words(&identifier_words(name))
}

/// Credential words that end a compound written without a separator: `refilltoken`,
/// `authtoken`, `adminpassword`, `clientsecret`.
const COMPOUND_CREDENTIAL_ENDINGS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "passphrase",
    "secret",
    "signature",
];

/// True for names whose credential word is glued to the word before it (`refilltoken`,
/// `authtoken`, `user_adminpassword`), judged as if written with a separator (`refill_token`),
/// so that `pagetoken` (`page_token`), `nexttoken` and `maxtoken` are not credentials; a word
/// that only starts with one (`tokentype`, `tokenlen`, `passwordcount`) is not split. Names
/// [`is_credential_name`] already accepts are not compounds.
pub fn is_compound_credential_name(name: &str) -> bool {
    let words = identifier_words(name);
    let mut split: Vec<String> = Vec::with_capacity(words.len() + 1);
    let mut compound = false;
    for word in words {
        let glued = COMPOUND_CREDENTIAL_ENDINGS.iter().find_map(|end| {
            let prefix = word.strip_suffix(end)?;
            // `stoken`, `xpassword`: too short to be a word of its own.
            (prefix.len() >= 3 && prefix.bytes().all(|b| b.is_ascii_lowercase()))
                .then(|| (prefix.to_string(), end.to_string()))
        });
        match glued {
            Some((prefix, end)) => {
                compound = true;
                split.push(prefix);
                split.push(end);
            }
            None => split.push(word),
        }
    }
    compound && credential_words(&split)
}

/// [`credential_label`] also of a compound name ([`is_compound_credential_name`]).
pub fn compound_credential_label(expr: &Expr) -> Option<String> {
    credential_label(expr).or_else(|| {
        let label = label_of(expr)?;
        is_compound_credential_name(label).then(|| label.to_string())
    })
}

/// The words of a credential name (see [`is_credential_name`]).
fn credential_words(words: &[String]) -> bool {
    if words.is_empty() {
        return false;
    }
    let credential =
        words.iter().any(|w| CREDENTIAL_WORDS.contains(&w.as_str())) || key_compound(words);
    // `header_api_key` holds the key a header carried; `api_key_header` names the header.
    let carried_in = |i: usize, w: &String| i == 0 && matches!(w.as_str(), "header" | "headers");
    credential
        && !is_lexical_token(words)
        && !words
            .iter()
            .enumerate()
            .any(|(i, w)| DESCRIPTIVE_WORDS.contains(&w.as_str()) && !carried_in(i, w))
}

/// True for names with a credential word that say they hold something else: `token_type`,
/// `next_page_token`, `options_signature`. A value compared with one of these is of the same
/// non-secret kind.
pub fn is_descriptive_credential_name(expr: &Expr) -> bool {
    let name = match &expr.kind {
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => n,
        _ => return false,
    };
    let words = identifier_words(name);
    (words.iter().any(|w| CREDENTIAL_WORDS.contains(&w.as_str())) || key_compound(&words))
        && !is_credential_name(name)
}

/// The name an expression is known by: a variable, an attribute, a subscript or `.get()` key.
pub fn credential_label(expr: &Expr) -> Option<String> {
    let label = label_of(expr)?;
    is_credential_name(label).then(|| label.to_string())
}

/// The name an expression is known by (see [`credential_label`]).
fn label_of(expr: &Expr) -> Option<&str> {
    let label: &str = match &expr.kind {
        ExprKind::Name(n) => n,
        ExprKind::Attribute { attr, .. } => attr,
        ExprKind::Subscript { slice, .. } => slice.as_str()?,
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { attr, .. } if attr == "get" || attr == "getenv" => {
                call.args.first()?.as_str()?
            }
            _ => return None,
        },
        ExprKind::Await(inner) => return label_of(inner),
        _ => return None,
    };
    Some(label)
}

/// `User.api_key`, `Client.client_secret`, `MCPAuth.token`, `models.User.token`: a member of
/// a class named in the code. Comparing a model column builds a query (`filter(User.api_key ==
/// key)`), comparing an enum member checks a kind; neither compares secret values.
pub fn is_class_member(expr: &Expr) -> bool {
    let ExprKind::Attribute { value, .. } = &expr.kind else {
        return false;
    };
    if !matches!(value.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
        return false;
    }
    value.last_name().is_some_and(|n| {
        n.starts_with(|c: char| c.is_ascii_uppercase()) && n.chars().any(|c| c.is_ascii_lowercase())
    })
}

/// True for ALL_CAPS names: constants, not values from a request.
pub fn is_constant_name(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => {
            n.chars().any(|c| c.is_ascii_alphabetic()) && !n.chars().any(|c| c.is_ascii_lowercase())
        }
        _ => false,
    }
}

/// A test module: `test_*.py`, `*_test.py`, `conftest.py`, or a file under a `test`, `tests`
/// or `testing` package or directory. Its comparisons check mocks and fixtures, not callers.
pub fn is_test_module(cx: &FileContext) -> bool {
    cx.test_module
}

/// [`is_test_module`] for a file, decided once when its rules start.
pub(crate) fn names_test_module(file: &SourceModule) -> bool {
    let segment_is_test = |s: &str| {
        let s = s.strip_suffix(".py").unwrap_or(s);
        matches!(s, "test" | "tests" | "testing" | "conftest")
            || s.starts_with("test_")
            || s.ends_with("_test")
            || s.ends_with("_tests")
    };
    file.module_name.split('.').any(segment_is_test)
        || file.display.split(['/', '\\']).any(segment_is_test)
}

/// How a parameter's value reaches the function, as far as its declaration tells.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ParamRole {
    /// A string-like value (unannotated, `str`, `bytes`, `Optional[str]`, ...) or a
    /// non-injected parameter of a route handler: what the caller sent.
    Value,
    /// A mapping (`dict`, `Mapping[...]`): its entries are what the caller sent.
    Mapping,
    /// The request object itself (`request: Request`, an unannotated `request`).
    Request,
    /// An object of a class, a number, an injected dependency: something the server built.
    Other,
}

const STRING_TYPES: &[&str] = &[
    "str",
    "bytes",
    "Any",
    "AnyStr",
    "SecretStr",
    "SecretBytes",
    "Optional",
    "Union",
    "Final",
    "Annotated",
    "None",
];

const MAPPING_TYPES: &[&str] = &[
    "dict",
    "Dict",
    "Mapping",
    "MutableMapping",
    "MultiDict",
    "ImmutableMultiDict",
    "QueryParams",
    "Headers",
];

/// HTTP client libraries: their `Request` objects are requests the application sends.
const OUTGOING_CLIENTS: &[&str] = &[
    "httpx.",
    "httpx2.",
    "requests.",
    "aiohttp.client",
    "aiohttp.ClientRequest",
    "urllib.",
    "urllib3.",
    "botocore.",
];

const REQUEST_TYPES: &[&str] = &["Request", "HTTPConnection", "WebSocket", "LocalProxy"];

fn annotation_role(annotation: &Expr) -> ParamRole {
    match &annotation.kind {
        ExprKind::Str(_) => ParamRole::Other,
        ExprKind::NoneLiteral => ParamRole::Value,
        ExprKind::BinOp { left, right, .. } => {
            let (l, r) = (annotation_role(left), annotation_role(right));
            if matches!(left.kind, ExprKind::NoneLiteral) {
                r
            } else if matches!(right.kind, ExprKind::NoneLiteral) || l == r {
                l
            } else {
                ParamRole::Other
            }
        }
        ExprKind::Subscript { value, slice } => {
            let Some(base) = value.last_name() else {
                return ParamRole::Other;
            };
            if MAPPING_TYPES.contains(&base) {
                return ParamRole::Mapping;
            }
            if matches!(base, "Optional" | "Final" | "Annotated") {
                let first = slice.elements().and_then(<[Expr]>::first).unwrap_or(slice);
                return annotation_role(first);
            }
            if base == "Union" {
                let roles: Vec<ParamRole> = slice
                    .elements()
                    .unwrap_or(std::slice::from_ref(slice))
                    .iter()
                    .filter(|e| !matches!(e.kind, ExprKind::NoneLiteral))
                    .map(annotation_role)
                    .collect();
                return match roles.split_first() {
                    Some((first, rest)) if rest.iter().all(|r| r == first) => *first,
                    _ => ParamRole::Other,
                };
            }
            ParamRole::Other
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            let Some(name) = annotation.last_name() else {
                return ParamRole::Other;
            };
            if MAPPING_TYPES.contains(&name) {
                ParamRole::Mapping
            } else if REQUEST_TYPES.contains(&name) {
                ParamRole::Request
            } else if STRING_TYPES.contains(&name) {
                ParamRole::Value
            } else {
                ParamRole::Other
            }
        }
        _ => ParamRole::Other,
    }
}

/// `Depends(...)`, `Security(...)`, also inside `Annotated[...]`: a value the framework
/// builds, not one the caller sends.
fn is_injected_param(param: &Param) -> bool {
    let injected = |e: &Expr| {
        e.as_call()
            .is_some_and(|c| matches!(c.func.last_name(), Some("Depends" | "Security")))
    };
    param.default.as_deref().is_some_and(injected)
        || param.annotation.as_deref().is_some_and(|a| match &a.kind {
            ExprKind::Subscript { value, slice } if value.last_name() == Some("Annotated") => slice
                .elements()
                .is_some_and(|items| items.iter().any(injected)),
            _ => false,
        })
}

/// What a FastAPI security scheme injected into a parameter hands it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SchemeValue {
    /// An object whose `credentials` (`HTTPBearer`) or `username`/`password` (`HTTPBasic`)
    /// the caller sent.
    Credentials,
    /// The caller's key or token itself (`APIKeyHeader`, `OAuth2PasswordBearer`).
    Token,
}

/// Schemes whose value is the token the caller presented.
const TOKEN_SCHEMES: &[&str] = &[
    "APIKeyHeader",
    "APIKeyQuery",
    "APIKeyCookie",
    "OAuth2PasswordBearer",
    "OAuth2AuthorizationCodeBearer",
    "OpenIdConnect",
];

/// Schemes, and the classes of what they hand over, whose object carries the caller's
/// credentials.
const CREDENTIAL_SCHEMES: &[&str] = &[
    "HTTPBearer",
    "HTTPBasic",
    "HTTPDigest",
    "HTTPAuthorizationCredentials",
    "HTTPBasicCredentials",
];

fn scheme_value(qualified: &str) -> Option<SchemeValue> {
    let name = qualified
        .strip_prefix("fastapi.security.")?
        .rsplit('.')
        .next()?;
    if TOKEN_SCHEMES.contains(&name) {
        Some(SchemeValue::Token)
    } else if CREDENTIAL_SCHEMES.contains(&name) {
        Some(SchemeValue::Credentials)
    } else {
        None
    }
}

/// The value a FastAPI security scheme gives the parameter: `Depends(bearer)` with `bearer =
/// HTTPBearer(...)`, `Security(APIKeyHeader(name=...))` (also inside `Annotated[...]`), or a
/// parameter annotated `HTTPAuthorizationCredentials`/`HTTPBasicCredentials`. The framework
/// fills it from the request, whatever the function is called.
fn security_scheme(cx: &FileContext, param: &Param) -> Option<SchemeValue> {
    let annotated = param.annotation.as_deref().and_then(|a| {
        let mut found = None;
        a.any(&mut |x| {
            if matches!(x.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
                found = found.or_else(|| cx.resolve(x).and_then(|q| scheme_value(&q)));
            }
            found.is_some()
        });
        found
    });
    if annotated.is_some() {
        return annotated;
    }
    let injection = |e: &'_ Expr| -> Option<SchemeValue> {
        let call = e.as_call()?;
        if !matches!(call.func.last_name(), Some("Depends" | "Security")) {
            return None;
        }
        let scheme = call.args.first().or_else(|| call.keyword("dependency"))?;
        scheme_value(&cx.instance_class(scheme)?)
    };
    param.default.as_deref().and_then(injection).or_else(|| {
        match &param.annotation.as_deref()?.kind {
            ExprKind::Subscript { value, slice } if value.last_name() == Some("Annotated") => {
                slice.elements()?.iter().find_map(injection)
            }
            _ => None,
        }
    })
}

/// `request`, `req`, also named for the framework or the transport that delivers it
/// (`flask_request`, `http_request`): the incoming request, when nothing annotates it.
fn is_request_param_name(name: &str) -> bool {
    match name {
        "request" | "req" => true,
        _ => name.strip_suffix("_request").is_some_and(|prefix| {
            matches!(
                prefix,
                "flask" | "quart" | "http" | "web" | "incoming" | "current" | "raw" | "starlette"
            )
        }),
    }
}

fn param_role(cx: &FileContext, function: &Function, param: &Param) -> ParamRole {
    if matches!(param.name.as_str(), "self" | "cls") {
        return ParamRole::Other;
    }
    let annotated = param.annotation.as_deref().map(annotation_role);
    if annotated.is_none() && is_request_param_name(&param.name) {
        return ParamRole::Request;
    }
    if annotated == Some(ParamRole::Request) {
        // An incoming request; `httpx.Request` and the like are requests we send.
        let base = param.annotation.as_deref().map(|a| match &a.kind {
            ExprKind::Subscript { value, .. } => value.as_ref(),
            _ => a,
        });
        let outgoing = base
            .and_then(|b| cx.resolve(b))
            .is_some_and(|q| OUTGOING_CLIENTS.iter().any(|c| q.starts_with(c)));
        return if outgoing {
            ParamRole::Other
        } else {
            ParamRole::Request
        };
    }
    if cx.handlers.contains(&(cx.file_index, function.span.start)) {
        // Path, query, header, cookie and body parameters of a route: all the caller's.
        return if is_injected_param(param) {
            ParamRole::Other
        } else {
            ParamRole::Value
        };
    }
    annotated.unwrap_or(ParamRole::Value)
}

/// What a local name is bound to where it is used: a parameter of an enclosing function, a
/// local assignment (with the function that makes it), or something outside.
enum Binding<'a> {
    Param(&'a Function, &'a Param),
    Local(&'a Function),
    Outside,
}

fn binding<'a>(cx: &FileContext<'a>, name: &str) -> Binding<'a> {
    for function in cx.functions.iter().rev() {
        if let Some(p) = function.params.iter().find(|p| p.name == name) {
            return Binding::Param(function, p);
        }
        if !assigned_values(&function.body, name).is_empty() {
            return Binding::Local(function);
        }
    }
    Binding::Outside
}

/// Every value a function's own statements assign to `name` (the whole right-hand side for a
/// tuple target, the context of a `with ... as name`). Nested functions and classes are
/// not entered.
pub fn assigned_values<'a>(body: &'a [Stmt], name: &str) -> Vec<&'a Expr> {
    fn walk<'a>(body: &'a [Stmt], name: &str, out: &mut Vec<&'a Expr>) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => continue,
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } if targets.iter().any(|t| binds(t, name)) => out.push(value),
                Stmt::With { items, .. } => {
                    for item in items {
                        if item.target.as_ref().is_some_and(|t| binds(t, name)) {
                            out.push(&item.context);
                        }
                    }
                }
                _ => {}
            }
            if stmt.has_child_bodies() {
                for child in stmt.child_bodies() {
                    walk(child, name, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(body, name, &mut out);
    out
}

/// Whether the assignment target `target` binds `name` (also inside a tuple or list target).
pub fn binds(target: &Expr, name: &str) -> bool {
    match &target.kind {
        ExprKind::Name(n) => n == name,
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().any(|t| binds(t, name)),
        ExprKind::Starred(inner) => binds(inner, name),
        _ => false,
    }
}

/// Calls that hand back (part of) their argument: `str(x)`, `unquote(x)`.
const PASSTHROUGH_FUNCTIONS: &[&str] = &[
    "str",
    "bytes",
    "unquote",
    "unquote_plus",
    // HTTP Basic credentials: `base64.b64decode(data).decode().split(":", 1)`.
    "b64decode",
    "urlsafe_b64decode",
    // `dict(request.args).get(key)`: a copy of what the request carries.
    "dict",
];

/// Helpers that read a parameter of the call being served: `get_required(params, "otp")`.
const PARAMETER_GETTERS: &[&str] = &[
    "get_required",
    "get_optional",
    "getParam",
    "get_param",
    "get_query_parameter",
    "get_query_param",
    "get_request_param",
];

/// Methods that hand back (part of) their receiver: `token.strip()`, `params.get("key")`.
const PASSTHROUGH_METHODS: &[&str] = &[
    "get",
    "getlist",
    "pop",
    "strip",
    "lstrip",
    "rstrip",
    "lower",
    "upper",
    "casefold",
    "encode",
    "decode",
    "split",
    "rsplit",
    "partition",
    "rpartition",
    "removeprefix",
    "removesuffix",
    "replace",
    "get_json",
    "get_data",
];

/// Module-level request proxies (`from flask import request`).
const REQUEST_PROXIES: &[&str] = &[
    "flask.request",
    "flask.globals.request",
    "quart.request",
    "werkzeug.local.request",
];

/// The name an attribute, subscript or method-call chain starts from: `request` for
/// `request.headers.get("X")["a"]`.
fn chain_root(expr: &Expr) -> Option<&Expr> {
    match &expr.kind {
        ExprKind::Name(_) => Some(expr),
        ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } => chain_root(value),
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { value, .. } => chain_root(value),
            _ => None,
        },
        ExprKind::Await(inner) => chain_root(inner),
        _ => None,
    }
}

/// True when `expr` reads the incoming request: `request.headers.get(...)`, `request.args`,
/// `await request.json()`, an attribute of a non-injected route-handler parameter.
pub fn is_request_data(cx: &FileContext, expr: &Expr) -> bool {
    let Some(root) = chain_root(expr) else {
        return false;
    };
    if std::ptr::eq(root, expr) || reads_application(expr, root) {
        return false;
    }
    if cx.resolves_to(root, REQUEST_PROXIES) {
        return true;
    }
    let Some(name) = root.as_name() else {
        return false;
    };
    match binding(cx, name) {
        Binding::Param(function, param) => {
            let role = param_role(cx, function, param);
            role == ParamRole::Request
                || role == ParamRole::Value
                    && cx.handlers.contains(&(cx.file_index, function.span.start))
                || reads_held_request(cx, expr, param)
        }
        _ => false,
    }
}

/// `request.app.state.token`, `request.app.config["KEY"]`: the application the request is
/// served by, which the server configured; nothing of it comes from the caller.
fn reads_application(expr: &Expr, root: &Expr) -> bool {
    let mut node = expr;
    loop {
        node = match &node.kind {
            ExprKind::Attribute { value, attr } => {
                if std::ptr::eq(value.as_ref(), root) {
                    return attr == "app";
                }
                value
            }
            ExprKind::Subscript { value, .. } | ExprKind::Await(value) => value,
            ExprKind::Call(call) => match &call.func.kind {
                ExprKind::Attribute { value, .. } => value,
                _ => return false,
            },
            _ => return false,
        };
    }
}

/// The parts of a request a caller fills.
pub(crate) const REQUEST_PARTS: &[&str] = &[
    "headers",
    "cookies",
    "args",
    "form",
    "query_params",
    "values",
];

/// `conn.request.headers.get(...)`: a part of the request that a server connection handed to
/// the function holds (the `websockets` server API). The parameter is unannotated or a
/// `websockets` object; a client's response (`response.request.headers`) holds the request
/// the application sent.
fn reads_held_request(cx: &FileContext, expr: &Expr, param: &Param) -> bool {
    if matches!(param.name.as_str(), "self" | "cls") {
        return false;
    }
    let server_side = param
        .annotation
        .as_deref()
        .is_none_or(|a| cx.resolve(a).is_some_and(|q| q.starts_with("websockets.")));
    if !server_side {
        return false;
    }
    let mut node = expr;
    loop {
        let inner = match &node.kind {
            ExprKind::Attribute { value, attr } => {
                if REQUEST_PARTS.contains(&attr.as_str())
                    && matches!(&value.kind, ExprKind::Attribute { value: holder, attr: r }
                        if r == "request" && holder.as_name() == Some(param.name.as_str()))
                {
                    return true;
                }
                value.as_ref()
            }
            ExprKind::Subscript { value, .. } => value.as_ref(),
            ExprKind::Call(call) => match &call.func.kind {
                ExprKind::Attribute { value, .. } => value.as_ref(),
                _ => return false,
            },
            ExprKind::Await(inner) => inner.as_ref(),
            _ => return false,
        };
        node = inner;
    }
}

/// True when a compared value is what a caller supplied: request data, a string parameter
/// (whose value a caller chooses), an entry of a mapping parameter, a WTForms field's `data`,
/// or a local holding one of these, directly or through a pass-through call (`.strip()`,
/// `.get(...)`, `str(...)`). An attribute of an object parameter (`session.token`,
/// `user.password_hash`) is a record the server built; computed values (digests, MACs, OTPs)
/// are not the caller's either.
pub fn is_caller_supplied(cx: &FileContext, expr: &Expr) -> bool {
    caller_supplied_at(cx, expr, 0, true)
}

/// Like [`is_caller_supplied`], but parameters of ordinary functions do not count: only the
/// request, route-handler parameters, request-parameter getters (`get_required(params,
/// "otp")`) and WTForms field data, and locals holding them.
pub fn is_request_supplied(cx: &FileContext, expr: &Expr) -> bool {
    caller_supplied_at(cx, expr, 0, false)
}

fn caller_supplied_at(cx: &FileContext, expr: &Expr, depth: u32, params: bool) -> bool {
    if depth > 8 {
        return false;
    }
    if is_request_data(cx, expr) {
        return true;
    }
    match &expr.kind {
        ExprKind::Name(name) => match binding(cx, name) {
            Binding::Param(function, param) => {
                param_role(cx, function, param) == ParamRole::Value
                    && (params || cx.handlers.contains(&(cx.file_index, function.span.start)))
                    || security_scheme(cx, param) == Some(SchemeValue::Token)
            }
            Binding::Local(function) => assigned_values(&function.body, name)
                .into_iter()
                .any(|v| caller_supplied_at(cx, v, depth + 1, params)),
            Binding::Outside => false,
        },
        // `auth.password` of `auth = request.authorization`: HTTP Basic credentials.
        ExprKind::Attribute { value, attr }
            if matches!(attr.as_str(), "password" | "username" | "token") =>
        {
            caller_supplied_at(cx, value, depth + 1, false) || scheme_credentials(cx, value)
        }
        // `authorization.credentials` of `authorization = Depends(HTTPBearer())`.
        ExprKind::Attribute { value, attr } if attr == "credentials" => {
            scheme_credentials(cx, value)
        }
        // `field.data` of a WTForms field passed to an inline validator.
        ExprKind::Attribute { value, attr } => {
            attr == "data"
                && value
                    .as_name()
                    .is_some_and(|n| n == "field" || n.ends_with("_field"))
                && matches!(
                    binding(cx, value.as_name().unwrap_or_default()),
                    Binding::Param(..)
                )
        }
        ExprKind::Subscript { value, .. } => {
            params && is_mapping_value(cx, value)
                || caller_supplied_at(cx, value, depth + 1, params)
        }
        ExprKind::Call(call) => {
            if let ExprKind::Attribute { value, attr } = &call.func.kind
                && PASSTHROUGH_METHODS.contains(&attr.as_str())
                && (params && is_mapping_value(cx, value)
                    || caller_supplied_at(cx, value, depth + 1, params))
            {
                return true;
            }
            if call
                .func
                .last_name()
                .is_some_and(|f| PARAMETER_GETTERS.contains(&f))
            {
                return true;
            }
            if call
                .func
                .last_name()
                .is_some_and(|f| PASSTHROUGH_FUNCTIONS.contains(&f))
                && call.args.iter().any(|a| {
                    params && is_mapping_value(cx, a)
                        || caller_supplied_at(cx, a, depth + 1, params)
                })
            {
                return true;
            }
            // `username, password = parse_basic(header)`: a project helper handing back what
            // the request carries. Only request data counts here: a parameter given to a
            // helper is as often the server's own record (`stored_provider(info)`).
            // A credential-named entry of a mapping parameter (`headers.get("Authorization")`
            // in a validator) stays the caller's through the helper, and so does the request
            // whose headers the helper reads (`bearer_token(request)`).
            // A helper that only converts its argument to text or bytes (`text(value)`
            // returning `value.decode("utf8") if isinstance(value, bytes) else value`) hands
            // it back unchanged: the argument is judged as if written in its place.
            passed_through_helper(cx, call).is_some_and(|(a, converts)| {
                caller_supplied_at(
                    cx,
                    a,
                    depth + 1,
                    params && (converts || credential_label(a).is_some()),
                ) || is_request_object(cx, a)
            })
        }
        ExprKind::Await(inner) => caller_supplied_at(cx, inner, depth + 1, params),
        ExprKind::BoolOp { values, .. } => values
            .iter()
            .any(|v| caller_supplied_at(cx, v, depth + 1, params)),
        ExprKind::IfExp { body, orelse, .. } => {
            caller_supplied_at(cx, body, depth + 1, params)
                || caller_supplied_at(cx, orelse, depth + 1, params)
        }
        _ => false,
    }
}

/// A parameter a FastAPI security scheme fills with an object carrying the caller's
/// credentials (`HTTPAuthorizationCredentials`, `HTTPBasicCredentials`).
fn scheme_credentials(cx: &FileContext, value: &Expr) -> bool {
    value.as_name().is_some_and(|n| match binding(cx, n) {
        Binding::Param(_, param) => security_scheme(cx, param) == Some(SchemeValue::Credentials),
        _ => false,
    })
}

/// Whether `name`, where `cx` stands, is a parameter of the route handler that binds it which
/// the caller fills (a path, query, header, cookie or body parameter; not one the framework
/// injects with `Depends(...)` or a security scheme).
pub(crate) fn is_route_value_param(cx: &FileContext, name: &str) -> bool {
    match binding(cx, name) {
        Binding::Param(function, param) => {
            cx.handlers.contains(&(cx.file_index, function.span.start))
                && param_role(cx, function, param) == ParamRole::Value
        }
        _ => false,
    }
}

/// The incoming request itself: a request parameter or the framework's request proxy.
pub(crate) fn is_request_object(cx: &FileContext, expr: &Expr) -> bool {
    cx.resolves_to(expr, REQUEST_PROXIES)
        || expr.as_name().is_some_and(|n| match binding(cx, n) {
            Binding::Param(f, p) => param_role(cx, f, p) == ParamRole::Request,
            _ => false,
        })
}

/// The argument of `call` that a project helper hands back, in part or whole, through the
/// pass-through steps above: `parse_basic(header)` whose body returns
/// `b64decode(header[6:]).decode().split(":", 1)`. The helper is a function of the project or
/// a method of the enclosing class called through `self`/`cls`. With it, whether every return
/// of the helper is that argument converted to text or bytes (see [`converts_text`]).
fn passed_through_helper<'e>(cx: &FileContext, call: &'e Call) -> Option<(&'e Expr, bool)> {
    let (helper, bound_first, helper_file) = match &call.func.kind {
        ExprKind::Attribute { value, attr } if matches!(value.as_name(), Some("self" | "cls")) => {
            let class = cx.classes.last()?;
            let method = class.body.iter().find_map(|stmt| match stmt {
                Stmt::FunctionDef(f) if f.name == *attr => Some(&**f),
                _ => None,
            })?;
            let is_static = method
                .decorators
                .iter()
                .any(|d| d.as_name() == Some("staticmethod"));
            (method, !is_static, cx.file_index)
        }
        _ => match cx.model.resolve_definition(cx.file_index, &call.func)? {
            (file, Some(Stmt::FunctionDef(f)), _) => (&**f, false, file),
            _ => return None,
        },
    };
    let mut returned: Vec<&str> = Vec::new();
    routewarden_model::values::for_each_return(&helper.body, &mut |value| {
        returned_parameters(helper, value, 0, &mut returned);
    });
    let positional: Vec<&Param> = helper
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional))
        .skip(usize::from(bound_first))
        .collect();
    returned.into_iter().find_map(|name| {
        let argument = call.keyword(name).or_else(|| {
            let index = positional.iter().position(|p| p.name == name)?;
            call.args
                .iter()
                .take_while(|a| !matches!(a.kind, ExprKind::Starred(_)))
                .nth(index)
        })?;
        let imports = &cx.model.files[helper_file].imports;
        let mut converts = true;
        routewarden_model::values::for_each_return(&helper.body, &mut |value| {
            converts &= converts_text(imports, value, name);
        });
        Some((argument, converts))
    })
}

/// Whether a returned value is the parameter `name` itself or converted to text or bytes:
/// `value`, `value.decode("utf8")`, `str(value)`, `six.text_type(value)`, either branch of
/// `value.decode() if isinstance(value, bytes) else value`. `imports` are the helper's.
fn converts_text(imports: &Imports, value: &Expr, name: &str) -> bool {
    match &value.kind {
        ExprKind::Name(n) => n == name,
        ExprKind::IfExp { body, orelse, .. } => {
            converts_text(imports, body, name) && converts_text(imports, orelse, name)
        }
        ExprKind::Call(call) => {
            if let ExprKind::Attribute { value, attr } = &call.func.kind
                && matches!(attr.as_str(), "decode" | "encode")
            {
                return converts_text(imports, value, name);
            }
            call.args.len() == 1
                && imports.resolve(&call.func).is_some_and(|q| {
                    matches!(
                        q.as_str(),
                        "builtins.str"
                            | "builtins.bytes"
                            | "six.text_type"
                            | "six.binary_type"
                            | "six.ensure_str"
                            | "six.ensure_text"
                            | "six.ensure_binary"
                    )
                })
                && converts_text(imports, &call.args[0], name)
        }
        _ => false,
    }
}

/// The parameters of `helper` that a returned value carries through pass-through steps
/// (slices, `.decode()`, `.split(...)`, `b64decode(...)`, locals, tuples of them).
fn returned_parameters<'a>(
    helper: &'a Function,
    expr: &'a Expr,
    depth: u32,
    out: &mut Vec<&'a str>,
) {
    if depth > 8 {
        return;
    }
    match &expr.kind {
        ExprKind::Name(name) => {
            if let Some(p) = helper.params.iter().find(|p| p.name == *name) {
                out.push(p.name.as_str());
            } else {
                for value in assigned_values(&helper.body, name) {
                    returned_parameters(helper, value, depth + 1, out);
                }
            }
        }
        ExprKind::Subscript { value, .. } | ExprKind::Await(value) => {
            returned_parameters(helper, value, depth + 1, out);
        }
        // `request.headers.get("Authorization")`: what the request carries.
        ExprKind::Attribute { value, attr } if REQUEST_PARTS.contains(&attr.as_str()) => {
            returned_parameters(helper, value, depth + 1, out);
        }
        // `value.decode() if isinstance(value, bytes) else value`: either branch.
        ExprKind::IfExp { body, orelse, .. } => {
            returned_parameters(helper, body, depth + 1, out);
            returned_parameters(helper, orelse, depth + 1, out);
        }
        // `args.get(key) or cookies.get(key) or ""`: whichever the caller sent.
        ExprKind::BoolOp { values, .. } => {
            for value in values {
                returned_parameters(helper, value, depth + 1, out);
            }
        }
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            for item in items {
                returned_parameters(helper, item, depth + 1, out);
            }
        }
        ExprKind::Call(call) => {
            if let ExprKind::Attribute { value, attr } = &call.func.kind
                && PASSTHROUGH_METHODS.contains(&attr.as_str())
            {
                returned_parameters(helper, value, depth + 1, out);
            } else if call
                .func
                .last_name()
                .is_some_and(|f| PASSTHROUGH_FUNCTIONS.contains(&f))
            {
                for a in &call.args {
                    returned_parameters(helper, a, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

/// True when `expr` is a local computed by a call that is given the request or its data:
/// `token = extract_token(request)`, `key = parse_key(request.headers)`.
pub fn is_extracted_from_request(cx: &FileContext, expr: &Expr) -> bool {
    let Some(name) = expr.as_name() else {
        return false;
    };
    let Binding::Local(function) = binding(cx, name) else {
        return false;
    };
    let is_request = |a: &Expr| {
        is_request_data(cx, a)
            || cx.resolves_to(a, REQUEST_PROXIES)
            || a.as_name().is_some_and(|n| match binding(cx, n) {
                Binding::Param(f, p) => param_role(cx, f, p) == ParamRole::Request,
                _ => false,
            })
    };
    assigned_values(&function.body, name).into_iter().any(|v| {
        let v = match &v.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => v,
        };
        v.as_call().is_some_and(|c| {
            c.args.iter().any(is_request) || c.keywords.iter().any(|k| is_request(&k.value))
        })
    })
}

/// `self.password` in a method of a class whose `__init__` keeps one of its parameters in
/// that attribute (`self.password = password`, no other method assigning it), when some
/// construction of the class in the project hands that parameter what the request carries
/// (`Account(*creds.split(":", 1))` after `creds = b64decode(request.headers[...]).decode()`):
/// the instance is a login attempt and the attribute is the caller's value. Only the request
/// counts at the construction (see [`is_request_supplied`]): an object built from the
/// configuration or from a function's own parameters holds the server's values as often. An
/// ORM model keeps what a form sent as a stored record, not as an attempt, and is left out.
pub fn is_built_from_request(cx: &FileContext, expr: &Expr) -> bool {
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return false;
    };
    let (Some(method), Some(&class)) = (cx.function(), cx.classes.last()) else {
        return false;
    };
    // `self` of the method itself, not of a function nested in it; a top-level class, which
    // other modules can build.
    if value.as_name() != Some("self")
        || method.params.first().is_none_or(|p| p.name != "self")
        || !class
            .body
            .iter()
            .any(|s| matches!(s, Stmt::FunctionDef(f) if std::ptr::eq(f.as_ref(), method)))
        || !cx
            .file
            .body()
            .iter()
            .any(|s| matches!(s, Stmt::ClassDef(c) if std::ptr::eq(c.as_ref(), class)))
    {
        return false;
    }
    let mut kept: Option<&str> = None;
    let mut init: Option<&Function> = None;
    for stmt in &class.body {
        let Stmt::FunctionDef(m) = stmt else {
            continue;
        };
        if !m.self_attributes.may_contain(attr) {
            continue;
        }
        for (receiver, value) in routewarden_model::values::attribute_assignments(&m.body, attr) {
            if receiver.as_name() != Some("self") {
                continue;
            }
            // Set elsewhere than `__init__`, or to anything but one parameter: the attribute
            // may hold the server's value.
            let param = value
                .as_name()
                .filter(|n| m.name == "__init__" && m.params.iter().any(|p| p.name == *n));
            match (param, kept) {
                (Some(p), None) => kept = Some(p),
                (Some(p), Some(k)) if p == k => {}
                _ => return false,
            }
            init = Some(m);
        }
    }
    let (Some(name), Some(init)) = (kept, init) else {
        return false;
    };
    if crate::data_models::model_kind(cx.model, cx.file_index, class)
        == Some(crate::data_models::ModelKind::Orm)
    {
        return false;
    }
    // Its place among the arguments of `Class(...)`, after `self`.
    let position = init
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional))
        .position(|p| p.name == name)
        .and_then(|i| i.checked_sub(1));
    let model = cx.model;
    for (file, source) in model.files_naming(cx.file_index, &class.name) {
        let mut functions = Vec::new();
        let mut classes = Vec::new();
        let found = for_each_call(
            source.body(),
            &mut functions,
            &mut classes,
            &mut |call, f, c| {
                call.func.last_name() == Some(class.name.as_str())
                    && matches!(model.resolve_definition(file, &call.func),
                    Some((_, Some(Stmt::ClassDef(d)), _)) if std::ptr::eq(d.as_ref(), class))
                    && constructor_argument(call, name, position).is_some_and(|arg| {
                        is_request_supplied(&cx.elsewhere(file, f.to_vec(), c.to_vec()), arg)
                    })
            },
        );
        if found {
            return true;
        }
    }
    false
}

/// The argument of a construction that fills the `__init__` parameter `name` at `position`
/// (after `self`): by keyword, by position, or a spread before it (`*creds.split(":", 1)`),
/// whose items fill the parameters from there on.
fn constructor_argument<'e>(
    call: &'e Call,
    name: &str,
    position: Option<usize>,
) -> Option<&'e Expr> {
    if let Some(value) = call.keyword(name) {
        return Some(value);
    }
    let position = position?;
    for (i, arg) in call.args.iter().enumerate() {
        if let ExprKind::Starred(inner) = &arg.kind {
            return Some(inner);
        }
        if i == position {
            return Some(arg);
        }
    }
    None
}

/// Calls `f` with every call in `body` (in functions, classes and methods too) and the
/// functions and classes around it, outermost first, until `f` answers true.
fn for_each_call<'a>(
    body: &'a [Stmt],
    functions: &mut Vec<&'a Function>,
    classes: &mut Vec<&'a Class>,
    f: &mut impl FnMut(&'a Call, &[&'a Function], &[&'a Class]) -> bool,
) -> bool {
    for stmt in body {
        let found = match stmt {
            Stmt::FunctionDef(function) => {
                functions.push(function);
                let found = for_each_call(&function.body, functions, classes, f);
                functions.pop();
                found
            }
            Stmt::ClassDef(class) => {
                classes.push(class);
                let found = for_each_call(&class.body, functions, classes, f);
                classes.pop();
                found
            }
            _ => {
                let mut found = false;
                stmt.for_each_own_expr(&mut |e| {
                    found = found
                        || e.any(&mut |x| x.as_call().is_some_and(|c| f(c, functions, classes)));
                });
                found
                    || stmt
                        .child_bodies()
                        .any(|child| for_each_call(child, functions, classes, f))
            }
        };
        if found {
            return true;
        }
    }
    false
}

/// A parameter of an enclosing function that the innermost function reads (`def
/// make_check(api_key): async def check(...): ... api_key`): the value a factory configured
/// its nested guard with.
pub fn is_captured_parameter(cx: &FileContext, expr: &Expr) -> bool {
    expr.as_name().is_some_and(|n| match binding(cx, n) {
        Binding::Param(function, _) => cx
            .function()
            .is_some_and(|inner| !std::ptr::eq(inner, function)),
        _ => false,
    })
}

/// A mapping parameter (`params: dict`, `**kwargs`): its entries are the caller's.
fn is_mapping_value(cx: &FileContext, expr: &Expr) -> bool {
    let Some(name) = expr.as_name() else {
        return false;
    };
    match binding(cx, name) {
        Binding::Param(function, param) => {
            matches!(param.kind, routewarden_python::ast::ParamKind::VarKeywords)
                || param_role(cx, function, param) == ParamRole::Mapping
        }
        _ => false,
    }
}

/// True when `expr` is computed from the local variable `name`, directly or through the
/// local assignments it reads (`b64encode(b64decode(signature))` derives from `signature`).
/// Only assignments made before `before` (the position of the use) count: a cache entry
/// rebuilt from the value after the check (`entry = {"password": digest}`) did not feed it.
pub fn derives_from(cx: &FileContext, expr: &Expr, name: &str, before: u32) -> bool {
    derives_at(cx, expr, name, before, 0)
}

fn derives_at(cx: &FileContext, expr: &Expr, name: &str, before: u32, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    expr.any(&mut |e| match &e.kind {
        ExprKind::Name(n) if n == name => true,
        ExprKind::Name(n) => match binding(cx, n) {
            Binding::Local(function) => assigned_values(&function.body, n)
                .into_iter()
                .filter(|v| v.span.start < before)
                .any(|v| derives_at(cx, v, name, before, depth + 1)),
            _ => false,
        },
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for yes in [
            "token",
            "x_api_key",
            "X-API-Key",
            "admin_password",
            "authorization",
            "apiKey",
            "signature",
            "password_hash",
        ] {
            assert!(is_credential_name(yes), "{yes}");
        }
        for no in [
            "token_type",
            "grant_type",
            "TOKEN_URL",
            "password_length",
            "key",
            "monkey",
            "tokenizer",
            "user",
            "next_page_token",
            "options_signature",
        ] {
            assert!(!is_credential_name(no), "{no}");
        }
    }
}
