//! fastapi-users' `CookieTransport`: the library sets the authentication cookie with the flags
//! the transport is built with (`cookie_secure`, `cookie_httponly`, `cookie_samesite`; on by
//! default, samesite `"lax"`), and projects copy them into their own `set_cookie` calls.

use routewarden_model::ProjectModel;
use routewarden_python::ast::{Call, Expr, ExprKind, Stmt};

pub const COOKIE_TRANSPORT: &[&str] = &[
    "fastapi_users.authentication.CookieTransport",
    "fastapi_users.authentication.transport.CookieTransport",
    "fastapi_users.authentication.transport.cookie.CookieTransport",
];

/// The transport's flags with their positions in `CookieTransport(cookie_name, cookie_max_age,
/// cookie_path, cookie_domain, cookie_secure, cookie_httponly, cookie_samesite)`.
pub const FLAGS: &[(&str, usize)] = &[
    ("cookie_secure", 4),
    ("cookie_httponly", 5),
    ("cookie_samesite", 6),
];

/// `CookieTransport(...)` of fastapi-users.
fn is_cookie_transport(model: &ProjectModel, file: usize, call: &Call) -> bool {
    model.files[file]
        .imports
        .resolves_to(&call.func, COOKIE_TRANSPORT)
}

/// The value a transport was built with for the flag read as `transport.cookie_secure`, when
/// `transport` is a module-level `CookieTransport(...)` that sets it; `None` otherwise (the
/// library default, or not a transport).
pub fn transport_flag<'m>(model: &'m ProjectModel, file: usize, e: &Expr) -> Option<&'m Expr> {
    let ExprKind::Attribute { value, attr } = &e.kind else {
        return None;
    };
    let position = FLAGS.iter().find(|(n, _)| n == attr)?.1;
    let (
        f,
        Some(Stmt::Assign {
            value: Some(built), ..
        }),
        _,
    ) = model.resolve_definition(file, value)?
    else {
        return None;
    };
    let call = built.as_call()?;
    if !is_cookie_transport(model, f, call) {
        return None;
    }
    call.argument(attr, position)
}
