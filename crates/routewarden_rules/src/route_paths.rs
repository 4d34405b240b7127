//! What a route's path and handler say about it: public by design, credential-handling,
//! administrative, about a protected resource.

use routewarden_model::apps::RouteDecl;

/// The literal segments of a path, lower-case, without parameters (`{id}`, `<int:id>`).
pub fn literal_segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| {
            !s.is_empty() && !s.starts_with('{') && !s.starts_with('<') && !s.starts_with(':')
        })
        .map(|s| s.to_ascii_lowercase())
        .collect()
}

pub fn has_parameter(path: &str) -> bool {
    path.split('/')
        .any(|s| s.starts_with('{') || s.starts_with('<'))
}

/// Words of a segment: `reset-password` gives `reset`, `password`.
fn words(segment: &str) -> impl Iterator<Item = &str> {
    segment.split(['-', '_', '.']).filter(|w| !w.is_empty())
}

const PUBLIC_SEGMENTS: &[&str] = &[
    "login",
    "logout",
    "signin",
    "sign-in",
    "sign_in",
    "signout",
    "sign-out",
    "log-in",
    "log-out",
    "token",
    "refresh",
    "register",
    "registration",
    "signup",
    "sign-up",
    "sign_up",
    "forgot-password",
    "forgot_password",
    "reset-password",
    "reset_password",
    "password-reset",
    "password_reset",
    "recover",
    "recovery",
    "verify",
    "verify-email",
    "verify_email",
    "verification",
    "confirm",
    "confirm-email",
    "activate",
    "callback",
    "oauth",
    "oauth2",
    "authorize",
    "sso",
    "saml",
    "oidc",
    "health",
    "healthz",
    "healthcheck",
    "health-check",
    "livez",
    "readyz",
    "ready",
    "readiness",
    "live",
    "liveness",
    "ping",
    "version",
    "docs",
    "redoc",
    "openapi.json",
    "openapi",
    "swagger",
    "swagger.json",
    "static",
    "assets",
    "favicon.ico",
    "robots.txt",
    "webhook",
    "webhooks",
];

/// Public by design: authentication flows, health checks, documentation, static files, the
/// index, and the user's `public-paths`.
pub fn is_public(path: &str, handler: &str, extra: &[String]) -> bool {
    if extra
        .iter()
        .any(|p| p == path || (p.ends_with('*') && path.starts_with(p.trim_end_matches('*'))))
    {
        return true;
    }
    let segments = literal_segments(path);
    if segments.is_empty() && !has_parameter(path) {
        return true;
    }
    if segments
        .iter()
        .any(|s| PUBLIC_SEGMENTS.contains(&s.as_str()))
    {
        return true;
    }
    let lower = handler.to_ascii_lowercase();
    [
        "login",
        "logout",
        "signup",
        "register",
        "health",
        "healthcheck",
        "readiness",
        "liveness",
        "index",
        "home",
    ]
    .iter()
    .any(|w| {
        lower == *w || lower.starts_with(&format!("{w}_")) || lower.ends_with(&format!("_{w}"))
    })
}

const SENSITIVE_WORDS: &[&str] = &[
    "user",
    "users",
    "account",
    "accounts",
    "customer",
    "customers",
    "order",
    "orders",
    "invoice",
    "invoices",
    "payment",
    "payments",
    "admin",
    "profile",
    "profiles",
    "billing",
    "card",
    "cards",
    "transaction",
    "transactions",
    "me",
    "member",
    "members",
    "employee",
    "employees",
    "patient",
    "patients",
    "credential",
    "credentials",
    "secret",
    "secrets",
    "apikey",
    "api-key",
    "api-keys",
    "apikeys",
    "wallet",
    "wallets",
    "subscription",
    "subscriptions",
    "tenant",
    "tenants",
    "organization",
    "organizations",
    "role",
    "roles",
    "permission",
    "permissions",
    "settings",
    "export",
    "exports",
    "upload",
    "uploads",
    "file",
    "files",
];

/// The path names a protected resource.
pub fn names_protected_resource(path: &str) -> Option<String> {
    literal_segments(path).into_iter().find(|s| {
        SENSITIVE_WORDS.contains(&s.as_str())
            || words(s).any(|w| SENSITIVE_WORDS.contains(&w) && w.len() > 3)
    })
}

pub fn is_state_changing(methods: &[String]) -> bool {
    methods
        .iter()
        .any(|m| matches!(m.as_str(), "POST" | "PUT" | "PATCH" | "DELETE"))
}

/// An administrative route: an `admin` segment or a handler named for administration.
pub fn is_admin(path: &str, handler: &str) -> bool {
    literal_segments(path)
        .iter()
        .any(|s| words(s).any(|w| w == "admin" || w == "admin_"))
        || handler
            .to_ascii_lowercase()
            .split('_')
            .any(|w| w == "admin")
}

const CREDENTIAL_SEGMENTS: &[&str] = &[
    "login",
    "signin",
    "sign-in",
    "sign_in",
    "log-in",
    "token",
    "access-token",
    "access_token",
    "jwt",
    "forgot-password",
    "forgot_password",
    "reset-password",
    "reset_password",
    "password-reset",
    "password_reset",
    "recover",
    "recovery",
    "otp",
    "2fa",
    "mfa",
    "totp",
    "verify-otp",
    "register",
    "signup",
    "sign-up",
    "sign_up",
    "registration",
    "authenticate",
    "password",
];

/// Handler calls that reveal credential checking.
const CREDENTIAL_CALLS: &[&str] = &[
    "check_password_hash",
    "verify_password",
    "authenticate",
    "authenticate_user",
    "login_user",
    "check_password",
    "verify_totp",
    "verify_otp",
];

/// A credential-handling endpoint, by path, the user's `login-paths`, its form parameter or what
/// the handler calls. Returns why.
pub fn credential_endpoint(
    route: &RouteDecl,
    full_path: &str,
    login_paths: &[String],
    resolve: &dyn Fn(&routewarden_python::ast::Expr) -> Option<String>,
) -> Option<String> {
    if login_paths.iter().any(|p| p == full_path) {
        return Some(format!("{full_path} is configured as a login path"));
    }
    if let Some(seg) = literal_segments(full_path)
        .into_iter()
        .find(|s| CREDENTIAL_SEGMENTS.contains(&s.as_str()))
    {
        return Some(format!("its path has a `{seg}` segment"));
    }
    for p in &route.handler.params {
        if p.annotation
            .as_ref()
            .and_then(|a| resolve(a))
            .is_some_and(|q| {
                q.ends_with("OAuth2PasswordRequestForm")
                    || q.ends_with("OAuth2PasswordRequestFormStrict")
            })
        {
            return Some("it takes an OAuth2PasswordRequestForm".to_string());
        }
    }
    let mut found = None;
    routewarden_model::security::walk_exprs(&route.handler.body, &mut |e| {
        if found.is_some() {
            return;
        }
        e.any(&mut |x| {
            if let routewarden_python::ast::ExprKind::Call(c) = &x.kind {
                if let Some(name) = c.func.last_name() {
                    if CREDENTIAL_CALLS.contains(&name) {
                        found = Some(format!("the handler calls {name}()"));
                        return true;
                    }
                }
            }
            false
        });
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_sensitive_paths() {
        assert!(is_public("/auth/login", "do_login", &[]));
        assert!(is_public("/", "root", &[]));
        assert!(is_public("/healthz", "x", &[]));
        assert!(!is_public("/users/{id}", "get_user", &[]));
        assert!(is_public("/status", "s", &["/status".to_string()]));
        assert_eq!(
            names_protected_resource("/api/v1/users/{id}").as_deref(),
            Some("users")
        );
        assert_eq!(names_protected_resource("/items"), None);
        assert!(is_admin("/admin/stats", "stats"));
        assert!(is_admin("/x", "admin_dashboard"));
        assert!(!is_admin("/administration-guide", "guide"));
    }
}
