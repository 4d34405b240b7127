//! The qualified names that identify framework objects and security mechanisms.

/// What a constructor call builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    FastApiApp,
    StarletteApp,
    FlaskApp,
    ApiRouter,
    Blueprint,
    SlowapiLimiter,
    FlaskLimiter,
    /// A function parameter used as an application (`def init_app(app): ...`).
    ParameterApp,
}

impl ObjectKind {
    pub fn is_app(self) -> bool {
        matches!(
            self,
            ObjectKind::FastApiApp
                | ObjectKind::StarletteApp
                | ObjectKind::FlaskApp
                | ObjectKind::ParameterApp
        )
    }

    pub fn is_flask(self) -> bool {
        matches!(self, ObjectKind::FlaskApp | ObjectKind::Blueprint)
    }

    pub fn is_limiter(self) -> bool {
        matches!(self, ObjectKind::SlowapiLimiter | ObjectKind::FlaskLimiter)
    }

    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::FastApiApp => "FastAPI app",
            ObjectKind::StarletteApp => "Starlette app",
            ObjectKind::FlaskApp => "Flask app",
            ObjectKind::ApiRouter => "APIRouter",
            ObjectKind::Blueprint => "Blueprint",
            ObjectKind::SlowapiLimiter => "slowapi Limiter",
            ObjectKind::FlaskLimiter => "Flask-Limiter Limiter",
            ObjectKind::ParameterApp => "app parameter",
        }
    }
}

pub fn object_kind(qualified: &str) -> Option<ObjectKind> {
    Some(match qualified {
        "fastapi.FastAPI" | "fastapi.applications.FastAPI" => ObjectKind::FastApiApp,
        "starlette.applications.Starlette" | "starlette.Starlette" => ObjectKind::StarletteApp,
        "flask.Flask" | "flask.app.Flask" | "apiflask.APIFlask" | "quart.Quart" => {
            ObjectKind::FlaskApp
        }
        "fastapi.APIRouter" | "fastapi.routing.APIRouter" => ObjectKind::ApiRouter,
        "flask.Blueprint"
        | "flask.blueprints.Blueprint"
        | "apiflask.APIBlueprint"
        | "quart.Blueprint"
        | "flask_smorest.Blueprint" => ObjectKind::Blueprint,
        "slowapi.Limiter" | "slowapi.extension.Limiter" => ObjectKind::SlowapiLimiter,
        "flask_limiter.Limiter" | "flask_limiter.extension.Limiter" => ObjectKind::FlaskLimiter,
        _ => return None,
    })
}

/// Decorator methods that register a route, with the HTTP methods they imply (`None`: from
/// the `methods=` argument, GET by default).
pub fn route_method(attr: &str) -> Option<Option<&'static str>> {
    Some(match attr {
        "get" => Some("GET"),
        "post" => Some("POST"),
        "put" => Some("PUT"),
        "patch" => Some("PATCH"),
        "delete" => Some("DELETE"),
        "head" => Some("HEAD"),
        "options" => Some("OPTIONS"),
        "trace" => Some("TRACE"),
        "websocket" | "websocket_route" => Some("WS"),
        "route" | "api_route" => None,
        _ => return None,
    })
}

/// FastAPI's security scheme classes: a dependency on an instance authenticates.
pub const SECURITY_SCHEMES: &[&str] = &[
    "fastapi.security.OAuth2PasswordBearer",
    "fastapi.security.OAuth2AuthorizationCodeBearer",
    "fastapi.security.OAuth2",
    "fastapi.security.HTTPBearer",
    "fastapi.security.HTTPBasic",
    "fastapi.security.HTTPDigest",
    "fastapi.security.APIKeyHeader",
    "fastapi.security.APIKeyQuery",
    "fastapi.security.APIKeyCookie",
    "fastapi.security.OpenIdConnect",
    "fastapi.security.oauth2.OAuth2PasswordBearer",
    "fastapi.security.http.HTTPBearer",
    "fastapi.security.http.HTTPBasic",
    "fastapi.security.api_key.APIKeyHeader",
];

/// Flask decorators that authenticate, by qualified name.
pub const FLASK_AUTH_DECORATORS: &[&str] = &[
    "flask_login.login_required",
    "flask_login.fresh_login_required",
    "flask_login.utils.login_required",
    "flask_jwt_extended.jwt_required",
    "flask_jwt_extended.fresh_jwt_required",
    "flask_jwt_extended.view_decorators.jwt_required",
    "flask_security.auth_required",
    "flask_security.login_required",
    "flask_security.roles_required",
    "flask_security.roles_accepted",
    "flask_security.permissions_required",
    "flask_security.permissions_accepted",
    "flask_security.http_auth_required",
    "flask_security.auth_token_required",
    "flask_security.decorators.auth_required",
    "flask_appbuilder.security.decorators.protect",
    "flask_appbuilder.security.decorators.has_access",
    "flask_appbuilder.security.decorators.has_access_api",
    "flask_appbuilder.security.decorators.permission_name",
    "flask_praetorian.auth_required",
    "flask_praetorian.roles_required",
    "flask_praetorian.roles_accepted",
    "flask_user.login_required",
    "flask_user.roles_required",
    "flask_oidc.OpenIDConnect.require_login",
    "starlette.authentication.requires",
];

/// Flask decorators (and arguments) that check a role or permission, not only identity.
pub const ROLE_DECORATORS: &[&str] = &[
    "flask_security.roles_required",
    "flask_security.roles_accepted",
    "flask_security.permissions_required",
    "flask_security.permissions_accepted",
    "flask_appbuilder.security.decorators.protect",
    "flask_appbuilder.security.decorators.has_access",
    "flask_appbuilder.security.decorators.has_access_api",
    "flask_praetorian.roles_required",
    "flask_praetorian.roles_accepted",
    "flask_user.roles_required",
];

/// Flask-HTTPAuth classes: `@auth.login_required` on an instance authenticates.
pub const HTTPAUTH_CLASSES: &[&str] = &[
    "flask_httpauth.HTTPBasicAuth",
    "flask_httpauth.HTTPTokenAuth",
    "flask_httpauth.HTTPDigestAuth",
    "flask_httpauth.MultiAuth",
];

/// Names of project functions that, by convention, authenticate. Used only for project
/// functions whose bodies could not be judged.
pub fn is_auth_function_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "current_user",
        "current_active_user",
        "login_required",
        "auth_required",
        "token_required",
        "jwt_required",
        "require_auth",
        "requires_auth",
        "require_login",
        "authenticated",
        "verify_token",
        "verify_jwt",
        "validate_token",
        "check_token",
        "api_key_required",
        "require_api_key",
        "verify_api_key",
        "get_api_key",
        "require_user",
        "get_user_from_token",
        "admin_required",
        "require_admin",
        "get_current_admin",
        "get_current_superuser",
        "superuser_required",
    ]
    .iter()
    .any(|n| lower.contains(n))
}
