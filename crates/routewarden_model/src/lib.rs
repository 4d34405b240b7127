//! The project model: every analysed file with its module name, syntax tree and imports, the
//! lookups that follow names across files, and the application model built on them.

pub mod apps;
pub mod config;
pub mod defaults;
pub mod flask_admin;
pub mod frameworks;
mod modules;
mod project;
pub mod security;
pub mod values;
pub mod words;

pub use modules::module_name;
pub use project::{
    InputFile, ProjectModel, SourceModule, SourceReader, SuppressionComment, bound_names,
    target_names,
};
pub use values::{Scope, ValueOrigin, for_each_return, last_assignment};
