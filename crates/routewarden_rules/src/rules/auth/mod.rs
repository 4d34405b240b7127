pub mod admin_route_without_role_check;
pub mod auth_decorator_order;
pub mod route_without_auth;
