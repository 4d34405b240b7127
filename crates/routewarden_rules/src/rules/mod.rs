pub mod debug;
pub mod meta;
pub mod secret;
