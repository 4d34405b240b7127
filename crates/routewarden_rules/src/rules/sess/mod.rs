pub mod cookie_transport;
pub mod insecure_cookie;
pub mod insecure_session_cookie_config;
pub mod sensitive_data_in_client_session;
