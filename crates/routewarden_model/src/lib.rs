//! The project model: every analysed file with its module name, syntax tree and imports, and
//! the lookups that follow names across files.

mod modules;
mod project;
mod values;

pub use modules::module_name;
pub use project::{InputFile, ProjectModel, SourceModule};
pub use values::{Scope, ValueOrigin};
