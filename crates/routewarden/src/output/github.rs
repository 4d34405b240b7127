//! GitHub Actions workflow commands: one annotation per finding, shown on the pull request.

use crate::analysis::Diagnostic;
use routewarden_rules::Severity;
use std::fmt::Write;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&d.filename),
            d.location.row,
            d.location.column,
            d.end_location.row,
            d.end_location.column,
            escape_property(&format!(
                "{} {} ({})",
                d.rule.code,
                d.rule.name,
                d.severity.as_str()
            )),
            escape_data(&format!("{}. Fix: {}", d.message, d.rule.fix)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
