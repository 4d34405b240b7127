pub mod cors_any_origin;
pub mod cors_any_origin_with_credentials;
pub mod cors_permissive_origin_pattern;
pub mod cors_reflected_origin;
