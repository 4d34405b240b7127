//! The qualified names that identify framework objects and security mechanisms.

/// What a constructor call builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    FastApiApp,
    StarletteApp,
    FlaskApp,
    ApiRouter,
    /// `starlette.routing.Router`.
    StarletteRouter,
    Blueprint,
    SlowapiLimiter,
    FlaskLimiter,
    /// A function parameter used as an application (`def init_app(app): ...`).
    ParameterApp,
    /// Flask-AppBuilder's `AppBuilder`: the registry of an application's views and APIs.
    AppBuilder,
    /// A Flask-AppBuilder view or API class: its `@expose` methods are routes once
    /// `appbuilder.add_view`/`add_api` registers it.
    AppBuilderView,
    /// Flask-Admin's `Admin`: the views `add_view` registers, each a blueprint of the app.
    FlaskAdmin,
    /// A Flask-Admin view class: its `@expose` methods (and a model view's library CRUD
    /// views) are routes once `admin.add_view` registers it.
    FlaskAdminView,
    /// Flask-RESTful's or flask-restx's `Api`: resources added with `add_resource`.
    RestfulApi,
    /// flask-restx's (and flask-restplus's) `Namespace`: a group of resources under a path,
    /// added to an `Api` with `api.add_namespace(ns)` or made by `api.namespace(...)`.
    RestxNamespace,
}

impl ObjectKind {
    pub fn is_app(self) -> bool {
        matches!(
            self,
            ObjectKind::FastApiApp
                | ObjectKind::StarletteApp
                | ObjectKind::FlaskApp
                | ObjectKind::ParameterApp
                | ObjectKind::AppBuilder
        )
    }

    pub fn is_flask(self) -> bool {
        matches!(self, ObjectKind::FlaskApp | ObjectKind::Blueprint)
    }

    /// Flask-RESTful and flask-restx objects whose `decorators=[...]` wrap every resource.
    pub fn is_restful(self) -> bool {
        matches!(self, ObjectKind::RestfulApi | ObjectKind::RestxNamespace)
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
            ObjectKind::StarletteRouter => "Starlette Router",
            ObjectKind::Blueprint => "Blueprint",
            ObjectKind::SlowapiLimiter => "slowapi Limiter",
            ObjectKind::FlaskLimiter => "Flask-Limiter Limiter",
            ObjectKind::ParameterApp => "app parameter",
            ObjectKind::AppBuilder => "Flask-AppBuilder AppBuilder",
            ObjectKind::AppBuilderView => "Flask-AppBuilder view",
            ObjectKind::FlaskAdmin => "Flask-Admin Admin",
            ObjectKind::FlaskAdminView => "Flask-Admin view",
            ObjectKind::RestfulApi => "Flask-RESTful Api",
            ObjectKind::RestxNamespace => "flask-restx Namespace",
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
        "starlette.routing.Router" => ObjectKind::StarletteRouter,
        "flask.Blueprint"
        | "flask.blueprints.Blueprint"
        | "apiflask.APIBlueprint"
        | "quart.Blueprint"
        | "flask_smorest.Blueprint" => ObjectKind::Blueprint,
        "slowapi.Limiter" | "slowapi.extension.Limiter" => ObjectKind::SlowapiLimiter,
        "flask_limiter.Limiter" | "flask_limiter.extension.Limiter" => ObjectKind::FlaskLimiter,
        "flask_appbuilder.AppBuilder" | "flask_appbuilder.base.AppBuilder" => {
            ObjectKind::AppBuilder
        }
        "flask_admin.Admin" | "flask_admin.base.Admin" => ObjectKind::FlaskAdmin,
        "flask_restful.Api"
        | "flask_restx.Api"
        | "flask_restx.api.Api"
        | "flask_restplus.Api"
        | "flask_restplus.api.Api"
        // flask-smorest's `Api(app)` registers its blueprints on the application it is built
        // on (`api.register_blueprint(bp)`), as these register their resources.
        | "flask_smorest.Api" => ObjectKind::RestfulApi,
        "flask_restx.Namespace"
        | "flask_restx.namespace.Namespace"
        | "flask_restplus.Namespace"
        | "flask_restplus.namespace.Namespace" => ObjectKind::RestxNamespace,
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

/// `pkg.sub.name` is `name` exported by `pkg` from whichever module re-exports it, also from a
/// copy vendored into the project (`octoprint.vendor.flask_principal.Permission`).
fn from_package(qualified: &str, package: &str, name: &str) -> bool {
    let exported = |q: &str| {
        q.strip_prefix(package)
            .is_some_and(|rest| rest.starts_with('.') && rest.ends_with(name))
    };
    qualified.rsplit('.').next() == Some(name)
        && (exported(qualified) || unvendored(qualified).is_some_and(exported))
}

/// The name inside a package that holds third-party code copied into a project:
/// `octoprint.vendor.flask_principal.Permission` gives `flask_principal.Permission`.
fn unvendored(qualified: &str) -> Option<&str> {
    let mut offset = 0;
    for part in qualified.split('.') {
        offset += part.len() + 1;
        if matches!(part, "vendor" | "_vendor" | "vendored" | "third_party") {
            return qualified.get(offset..);
        }
    }
    None
}

/// Security scheme classes: a dependency on an instance authenticates.
const SECURITY_SCHEMES: &[(&str, &str)] = &[
    ("fastapi", "OAuth2PasswordBearer"),
    ("fastapi", "OAuth2AuthorizationCodeBearer"),
    ("fastapi", "OAuth2"),
    ("fastapi", "HTTPBearer"),
    ("fastapi", "HTTPBasic"),
    ("fastapi", "HTTPDigest"),
    ("fastapi", "APIKeyHeader"),
    ("fastapi", "APIKeyQuery"),
    ("fastapi", "APIKeyCookie"),
    ("fastapi", "OpenIdConnect"),
    ("fastapi_login", "LoginManager"),
];

pub fn is_security_scheme(class: &str) -> bool {
    SECURITY_SCHEMES
        .iter()
        .any(|(package, name)| from_package(class, package, name))
}

/// Authentication decorators by package and name, and whether each also checks a role or
/// permission.
const AUTH_DECORATORS: &[(&str, &str, bool)] = &[
    ("flask_login", "login_required", false),
    ("flask_login", "fresh_login_required", false),
    ("flask_jwt_extended", "jwt_required", false),
    ("flask_jwt_extended", "fresh_jwt_required", false),
    ("flask_jwt", "jwt_required", false),
    ("flask_security", "auth_required", false),
    ("flask_security", "login_required", false),
    ("flask_security", "http_auth_required", false),
    ("flask_security", "auth_token_required", false),
    ("flask_security", "roles_required", true),
    ("flask_security", "roles_accepted", true),
    ("flask_security", "permissions_required", true),
    ("flask_security", "permissions_accepted", true),
    ("flask_appbuilder", "has_access", true),
    ("flask_appbuilder", "has_access_api", true),
    ("flask_appbuilder", "protect", true),
    ("flask_praetorian", "auth_required", false),
    ("flask_praetorian", "roles_required", true),
    ("flask_praetorian", "roles_accepted", true),
    ("flask_user", "login_required", false),
    ("flask_user", "roles_required", true),
    ("flask_user", "roles_accepted", true),
    ("flask_simplelogin", "login_required", false),
    ("flask_dance", "login_required", false),
    ("flask_allows", "requires", true),
];

/// `Some(checks_role)` for an authentication decorator of a Flask extension.
pub fn auth_decorator(qualified: &str) -> Option<bool> {
    AUTH_DECORATORS
        .iter()
        .find(|(package, name, _)| from_package(qualified, package, name))
        .map(|&(_, _, role)| role)
}

/// Classes whose instances give `@auth.login_required` (Flask-HTTPAuth and APIFlask) or
/// `@oidc.require_login` (Flask-OIDC).
const AUTH_OBJECT_CLASSES: &[(&str, &str)] = &[
    ("flask_httpauth", "HTTPBasicAuth"),
    ("flask_httpauth", "HTTPTokenAuth"),
    ("flask_httpauth", "HTTPDigestAuth"),
    ("flask_httpauth", "MultiAuth"),
    ("apiflask", "HTTPBasicAuth"),
    ("apiflask", "HTTPTokenAuth"),
    ("flask_oidc", "OpenIDConnect"),
];

/// Classes whose instances give `@allows.requires(IsAdmin)` (Flask-Allows): a permission check.
pub fn is_permission_object_class(class: &str) -> bool {
    from_package(class, "flask_allows", "Allows")
}

/// Flask-Principal's permissions: `@admin_permission.require(http_exception=403)` and `with
/// admin_permission.require():` refuse identities that lack its needs, and an anonymous
/// identity has none.
pub fn is_principal_permission_class(class: &str) -> bool {
    from_package(class, "flask_principal", "Permission")
}

/// Flask-BasicAuth's extension: `@basic_auth.required` challenges for the configured
/// credentials, and with `BASIC_AUTH_FORCE` its `before_request` hook guards every route.
pub fn is_basic_auth_class(class: &str) -> bool {
    from_package(class, "flask_basicauth", "BasicAuth")
}

/// Flask-OAuthlib's provider: `@oauth2.require_oauth(*scopes)` answers 401 unless the request
/// carries a valid bearer token holding those scopes.
pub fn is_oauth_provider_class(class: &str) -> bool {
    from_package(class, "flask_oauthlib", "OAuth2Provider")
}

pub fn is_auth_object_class(class: &str) -> bool {
    AUTH_OBJECT_CLASSES
        .iter()
        .any(|(package, name)| from_package(class, package, name))
}

/// A class named for authenticating (`JWTAuthenticator`, `StaticBearerAuthenticator`): an
/// instance used as a dependency authenticates, when the class is outside the analysed code and
/// its name is all there is to judge.
pub fn is_authenticator_class_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.ends_with("Authenticator")
}

/// Names of project functions that, by convention, authenticate. Used only for project
/// functions whose bodies could not be judged.
/// A library function named for enforcing access (`requires_access_dag`,
/// `require_permission`, `has_access`): trusted for its name only when it is not the project's.
pub fn is_library_access_check(name: &str) -> bool {
    [
        "requires_access",
        "require_access",
        "requires_permission",
        "require_permission",
        "permission_required",
        "has_access",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix))
}

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
