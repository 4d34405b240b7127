pub mod auth_endpoint_without_rate_limit;
pub mod ineffective_rate_limit;
pub mod spoofable_rate_limit_key;
