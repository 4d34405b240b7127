pub mod debug_mode_enabled;
pub mod interactive_debugger_exposed;
