//! The rule table: every rule, in code order.

use crate::rule::{Rule, RuleMeta};
use crate::rules::{auth, cors, csrf, debug, err, jwt, meta, rate, resp, secret, sess, val};

/// Every family prefix of the catalogue; part of the public interface.
pub const FAMILIES: &[&str] = &[
    "AUTH", "JWT", "SECRET", "VAL", "RESP", "SESS", "CORS", "RATE", "DEBUG", "ERR", "CSRF",
    "PARSE", "NOQA", "INTERNAL",
];

static RULES: &[&dyn Rule] = &[
    &auth::route_without_auth::RouteWithoutAuth,
    &auth::hardcoded_credential_check::HardcodedCredentialCheck,
    &auth::non_constant_time_secret_compare::NonConstantTimeSecretCompare,
    &auth::auth_decorator_order::AuthDecoratorOrder,
    &auth::admin_route_without_role_check::AdminRouteWithoutRoleCheck,
    &cors::cors_any_origin_with_credentials::CorsAnyOriginWithCredentials,
    &cors::cors_reflected_origin::CorsReflectedOrigin,
    &cors::cors_any_origin::CorsAnyOrigin,
    &cors::cors_permissive_origin_pattern::CorsPermissiveOriginPattern,
    &csrf::csrf_protection_disabled::CsrfProtectionDisabled,
    &csrf::form_post_without_csrf::FormPostWithoutCsrf,
    &debug::debug_mode_enabled::DebugModeEnabled,
    &debug::interactive_debugger_exposed::InteractiveDebuggerExposed,
    &err::exception_details_in_response::ExceptionDetailsInResponse,
    &err::unhandled_lookup_in_route::UnhandledLookupInRoute,
    &jwt::jwt_signature_not_verified::JwtSignatureNotVerified,
    &jwt::jwt_unsafe_algorithms::JwtUnsafeAlgorithms,
    &jwt::jwt_claims_not_verified::JwtClaimsNotVerified,
    &resp::sensitive_field_in_response::SensitiveFieldInResponse,
    &secret::hardcoded_secret_key::HardcodedSecretKey,
    &secret::secret_with_literal_fallback::SecretWithLiteralFallback,
    &secret::missing_secret_key::MissingSecretKey,
    &rate::auth_endpoint_without_rate_limit::AuthEndpointWithoutRateLimit,
    &rate::ineffective_rate_limit::IneffectiveRateLimit,
    &rate::spoofable_rate_limit_key::SpoofableRateLimitKey,
    &sess::sensitive_data_in_client_session::SensitiveDataInClientSession,
    &sess::insecure_session_cookie_config::InsecureSessionCookieConfig,
    &sess::insecure_cookie::InsecureCookie,
    &val::unvalidated_request_body::UnvalidatedRequestBody,
    &val::mass_assignment::MassAssignment,
    &val::permissive_request_model::PermissiveRequestModel,
];

/// Rules whose findings come from the pipeline itself (parsing, suppressions, panics).
static PIPELINE_RULES: &[&RuleMeta] = &[
    &meta::SYNTAX_ERROR,
    &meta::UNDECODABLE_FILE,
    &meta::UNREADABLE_FILE,
    &meta::UNKNOWN_SUPPRESSION_CODE,
    &meta::UNUSED_SUPPRESSION,
    &meta::INTERNAL_ERROR,
];

/// The rules that check code.
pub fn rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// Every rule's metadata, checking rules and pipeline rules, sorted by family then code.
pub fn all_metas() -> Vec<&'static RuleMeta> {
    let mut metas: Vec<&'static RuleMeta> = RULES
        .iter()
        .map(|r| r.meta())
        .chain(PIPELINE_RULES.iter().copied())
        .collect();
    metas.sort_by_key(|m| m.code);
    metas
}

pub fn find(code: &str) -> Option<&'static RuleMeta> {
    all_metas()
        .into_iter()
        .find(|m| m.code.eq_ignore_ascii_case(code))
}
