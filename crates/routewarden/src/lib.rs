//! The routewarden command line: configuration, file walking, the analysis pipeline and the
//! report formats. The library is what the tests and the binary share.

pub mod analysis;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod output;
pub mod routes;
pub mod selection;
pub mod suppress;
pub mod walk;
