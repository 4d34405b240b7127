pub mod auth;
pub mod debug;
pub mod meta;
pub mod rate;
pub mod secret;
