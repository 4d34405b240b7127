//! Report formats. Each takes the sorted diagnostics and writes one document.

pub mod github;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use crate::analysis::Diagnostic;
use routewarden_rules::Severity;

/// Where a rule's documentation is published; `routewarden rule CODE` prints the same text.
pub const RULE_URL_BASE: &str = "https://routewarden.readthedocs.io/en/latest/rules/";

pub fn rule_url(code: &str) -> String {
    format!("{RULE_URL_BASE}{code}")
}

/// Counts by severity, most severe first.
pub fn severity_counts(diagnostics: &[Diagnostic]) -> [(Severity, usize); 4] {
    Severity::ALL.map(|s| (s, diagnostics.iter().filter(|d| d.severity == s).count()))
}
