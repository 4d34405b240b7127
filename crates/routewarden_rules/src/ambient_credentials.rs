//! Whether a project gives browsers credentials they attach by themselves: cookies (a session,
//! a login cookie, any cookie the project sets or reads) and HTTP authentication the browser
//! remembers (Basic, Digest, Negotiate). A cross-origin policy that allows credentials hands
//! exactly these to other sites; a token the front end writes into an `Authorization` header is
//! never attached by the browser on another site's behalf.

use crate::context::FileContext;
use crate::flask_usage::is_test_file;
use routewarden_model::security::{walk_all_exprs, walk_all_stmts, walk_exprs, walk_functions};
use routewarden_python::ast::{Expr, ExprKind, FStringPart, Stmt};
use routewarden_python::names::Imports;

/// Names whose use means cookies or remembered HTTP authentication.
const AMBIENT_NAMES: &[&str] = &[
    "flask.session",
    "flask.globals.session",
    "quart.session",
    "starlette.middleware.sessions.SessionMiddleware",
    "fastapi.Cookie",
    "fastapi.params.Cookie",
    "fastapi.param_functions.Cookie",
    "fastapi.security.APIKeyCookie",
    "fastapi.security.api_key.APIKeyCookie",
    "fastapi.security.HTTPBasic",
    "fastapi.security.http.HTTPBasic",
    "fastapi.security.HTTPBasicCredentials",
    "fastapi.security.http.HTTPBasicCredentials",
    "fastapi.security.HTTPDigest",
    "fastapi.security.http.HTTPDigest",
    "fastapi_users.authentication.CookieTransport",
    "fastapi_users.authentication.transport.CookieTransport",
    "fastapi_users.authentication.transport.cookie.CookieTransport",
    "flask_jwt_extended.set_access_cookies",
    "flask_jwt_extended.set_refresh_cookies",
    "http.cookies.SimpleCookie",
    "werkzeug.http.dump_cookie",
    "werkzeug.http.parse_cookie",
];

/// Packages whose every use means cookies or remembered HTTP authentication: login managers,
/// server-side and cookie sessions, HTTP authentication, form CSRF tokens (kept in the
/// session), OAuth clients (which keep their state in the session).
const AMBIENT_PACKAGES: &[&str] = &[
    "flask_login",
    "flask_security",
    "flask_session",
    "flask_kvsession",
    "flask_httpauth",
    "flask_wtf",
    "flask_appbuilder",
    "flask_oidc",
    "flask_dance",
    "starsessions",
    "starlette_session",
    "fastapi_sessions",
    "fastapi_login",
    "authlib.integrations.flask_client",
    "authlib.integrations.starlette_client",
];

/// The incoming request's cookies, session and parsed Basic/Digest credentials, read through
/// Flask's or Quart's request proxy.
const REQUEST_STATE: &[&str] = &[
    "flask.request.cookies",
    "flask.request.authorization",
    "quart.request.cookies",
    "quart.request.authorization",
];

/// Authentication schemes the browser asks the user for once and then sends by itself.
const REMEMBERED_SCHEMES: &[&str] = &["basic", "digest", "negotiate", "ntlm"];

/// Whether any file outside test code sets or reads a cookie, uses a session or a login
/// manager, or asks for or reads HTTP Basic, Digest or Negotiate credentials. Asked only when
/// a finding depends on it; anything that might be such a use counts.
pub fn uses_ambient_credentials(cx: &FileContext) -> bool {
    (0..cx.model.files.len()).any(|index| {
        let file = &cx.model.files[index];
        !is_test_file(file) && file_uses_ambient_credentials(cx, index)
    })
}

fn file_uses_ambient_credentials(cx: &FileContext, index: usize) -> bool {
    let file = &cx.model.files[index];
    let imports = &file.imports;
    if imports.iter().any(|(_, q)| {
        AMBIENT_NAMES.contains(&q)
            || AMBIENT_PACKAGES.iter().any(|p| {
                q.strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
    }) {
        return true;
    }
    let body = file.body();
    let mut seen = Seen::default();
    walk_all_exprs(body, &mut |top| {
        if !seen.ambient {
            top.any(&mut |e| {
                note(imports, body, e, &mut seen);
                seen.ambient
            });
        }
    });
    // A scheme word tested where the Authorization header is read: a Basic login parsed by
    // hand (`scheme.lower() != "basic"`), not a search mode named "basic".
    let mut found = seen.ambient || (seen.scheme_test && seen.authorization_header);
    // `response.headers["WWW-Authenticate"] = 'Basic realm="x"'`.
    walk_all_stmts(body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && targets.iter().any(|t| match &t.kind {
                ExprKind::Subscript { slice, .. } => header_name(slice) == Some(Header::Challenge),
                _ => false,
            })
        {
            found = found || !bearer_challenge(body, value);
        }
    });
    if found {
        return true;
    }
    // `request.cookies`, `request.session`, `request.authorization` of the incoming request:
    // a parameter of the function that reads it, or the framework's request proxy.
    walk_functions(body, &mut |function| {
        if found {
            return;
        }
        walk_exprs(&function.body, &mut |top| {
            found = found
                || top.any(&mut |e| match &e.kind {
                    ExprKind::Attribute { value, attr }
                        if matches!(attr.as_str(), "cookies" | "session" | "authorization") =>
                    {
                        imports.resolves_to(e, REQUEST_STATE)
                            // Only a parameter can be the request: ask no more of `db.session`.
                            || value.as_name().is_some_and(|n| {
                                function.params.iter().any(|p| p.name == n)
                            }) && crate::credentials::is_request_object(
                                &cx.elsewhere(index, vec![function], Vec::new()),
                                value,
                            )
                    }
                    _ => false,
                });
        });
    });
    found
}

/// What the expressions of one file show.
#[derive(Default)]
struct Seen {
    /// A cookie set or read, a remembered login asked for, a session kept.
    ambient: bool,
    /// A Basic/Digest/Negotiate scheme word compared or tested as a prefix.
    scheme_test: bool,
    /// The `Authorization` header named as a key, an index or a tested member.
    authorization_header: bool,
}

/// Notes what one expression shows: a response's `set_cookie(key, ...)`/`delete_cookie(...)`
/// (not a cookie jar's `set_cookie(cookie)`), a `Cookie`/`Set-Cookie` header named as a key, an
/// index or a looked-up name, a `WWW-Authenticate` challenge other than Bearer, Flask-Principal
/// keeping identities in the session (its default); and the parts of a Basic login parsed by
/// hand.
fn note(imports: &Imports, body: &[Stmt], e: &Expr, seen: &mut Seen) {
    let named = |key: &Expr, seen: &mut Seen| match header_name(key) {
        Some(Header::Cookie) => seen.ambient = true,
        Some(Header::Authorization) => seen.authorization_header = true,
        _ => {}
    };
    match &e.kind {
        ExprKind::Call(call) => {
            if let ExprKind::Attribute { attr, .. } = &call.func.kind {
                match attr.as_str() {
                    "set_cookie" => {
                        seen.ambient |= call.args.len() != 1 || !call.keywords.is_empty();
                    }
                    "delete_cookie" | "set_signed_cookie" => seen.ambient = true,
                    "get" | "getlist" | "getall" => {
                        if let Some(key) = call.args.first() {
                            named(key, seen);
                        }
                    }
                    "startswith" => {
                        seen.scheme_test |= call.args.first().is_some_and(remembered_scheme);
                    }
                    _ => {}
                }
            }
            seen.ambient |= imports.resolve(&call.func).as_deref()
                == Some("flask_principal.Principal")
                && !call
                    .keyword("use_sessions")
                    .is_some_and(|v| matches!(v.kind, ExprKind::Bool(false)));
        }
        ExprKind::Subscript { slice, .. } => named(slice, seen),
        ExprKind::Dict(entries) => {
            for entry in entries {
                match entry.key.as_ref().and_then(header_name) {
                    Some(Header::Cookie) => seen.ambient = true,
                    Some(Header::Challenge) => {
                        seen.ambient |= !bearer_challenge(body, &entry.value);
                    }
                    _ => {}
                }
            }
        }
        ExprKind::Tuple(items) => {
            if let [name, value] = items.as_slice() {
                match header_name(name) {
                    Some(Header::Cookie) => seen.ambient = true,
                    Some(Header::Challenge) => seen.ambient |= !bearer_challenge(body, value),
                    _ => {}
                }
            }
        }
        ExprKind::Compare {
            left, comparators, ..
        } => {
            for operand in std::iter::once(&**left).chain(comparators.iter()) {
                seen.scheme_test |= remembered_scheme(operand);
                seen.authorization_header |= header_name(operand) == Some(Header::Authorization);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Header {
    /// `Cookie` or `Set-Cookie`.
    Cookie,
    /// `WWW-Authenticate`.
    Challenge,
    /// `Authorization`.
    Authorization,
}

/// The header a string or bytes literal names, among those this module asks about.
fn header_name(expr: &Expr) -> Option<Header> {
    let name = match &expr.kind {
        ExprKind::Str(s) => s.as_bytes(),
        ExprKind::Bytes(b) => b.as_slice(),
        _ => return None,
    };
    if name.eq_ignore_ascii_case(b"cookie") || name.eq_ignore_ascii_case(b"set-cookie") {
        Some(Header::Cookie)
    } else if name.eq_ignore_ascii_case(b"www-authenticate") {
        Some(Header::Challenge)
    } else if name.eq_ignore_ascii_case(b"authorization") {
        Some(Header::Authorization)
    } else {
        None
    }
}

/// `"basic"`, `"Basic "`, `"Digest"`: a scheme the browser remembers.
fn remembered_scheme(expr: &Expr) -> bool {
    expr.as_str().is_some_and(|s| {
        let s = s.trim();
        REMEMBERED_SCHEMES.iter().any(|w| s.eq_ignore_ascii_case(w))
    })
}

/// Whether a `WWW-Authenticate` value asks for a Bearer token, which the browser never
/// remembers: a literal or f-string starting with `Bearer`, or a name every assignment of the
/// module gives such a value.
fn bearer_challenge(body: &[Stmt], value: &Expr) -> bool {
    fn literal_bearer(value: &Expr) -> bool {
        let text = match &value.kind {
            ExprKind::Str(s) => s.as_str(),
            ExprKind::FString(parts) => match parts.first() {
                Some(FStringPart::Literal(s)) => s.as_str(),
                _ => return false,
            },
            _ => return false,
        };
        text.get(..6)
            .is_some_and(|w| w.eq_ignore_ascii_case("bearer"))
    }
    if literal_bearer(value) {
        return true;
    }
    let Some(name) = value.as_name() else {
        return false;
    };
    let (mut any, mut all) = (false, true);
    walk_all_stmts(body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(assigned),
            ..
        } = stmt
            && targets.iter().any(|t| t.as_name() == Some(name))
        {
            any = true;
            all = all && literal_bearer(assigned);
        }
    });
    any && all
}
