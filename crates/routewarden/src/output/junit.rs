//! JUnit XML for CI test tabs: one test suite per rule, one failing test case per finding.

use crate::analysis::Diagnostic;
use std::collections::BTreeMap;
use std::fmt::Write;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut by_rule: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        by_rule.entry(d.rule.code).or_default().push(d);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"routewarden\" tests=\"{0}\" failures=\"{0}\" errors=\"0\">",
        diagnostics.len()
    );
    for (code, items) in by_rule {
        let rule = items[0].rule;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{code} {}\" tests=\"{1}\" failures=\"{1}\" errors=\"0\" skipped=\"0\">",
            escape(rule.name),
            items.len()
        );
        for d in items {
            let _ = writeln!(
                out,
                "    <testcase name=\"{}:{}:{}\" classname=\"{}\">",
                escape(&d.filename),
                d.location.row,
                d.location.column,
                escape(&d.filename)
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{code}\">{} {}:{}:{} [{}]\nFix: {}</failure>",
                escape(&d.message),
                code,
                escape(&d.filename),
                d.location.row,
                d.location.column,
                d.severity.as_str(),
                escape(d.rule.fix)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{FFFD}"
        );
    }
}
