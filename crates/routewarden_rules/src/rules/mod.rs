pub mod auth;
pub mod cors;
pub mod debug;
pub mod err;
pub mod jwt;
pub mod meta;
pub mod rate;
pub mod secret;
