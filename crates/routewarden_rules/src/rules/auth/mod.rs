pub mod admin_route_without_role_check;
pub mod auth_decorator_order;
pub mod hardcoded_credential_check;
pub mod non_constant_time_secret_compare;
pub mod route_without_auth;
