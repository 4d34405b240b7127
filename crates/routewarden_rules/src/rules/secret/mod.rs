pub mod hardcoded_secret_key;
pub mod missing_secret_key;
pub mod secret_with_literal_fallback;

pub use secret_with_literal_fallback::startup_refusals;
