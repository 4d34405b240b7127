pub mod csrf_protection_disabled;
pub mod form_post_without_csrf;
