use super::rule_url;
use crate::analysis::Diagnostic;
use serde::Serialize;

#[derive(Serialize)]
struct Location {
    row: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    family: &'a str,
    severity: &'a str,
    confidence: &'a str,
    cwe: u32,
    message: &'a str,
    fix: &'a str,
    filename: &'a str,
    location: Location,
    end_location: Location,
    fingerprint: &'a str,
    url: String,
}

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let findings: Vec<JsonFinding> = diagnostics
        .iter()
        .map(|d| JsonFinding {
            code: d.rule.code,
            name: d.rule.name,
            family: d.rule.family(),
            severity: d.severity.as_str(),
            confidence: d.confidence.as_str(),
            cwe: d.rule.cwe,
            message: &d.message,
            fix: d.rule.fix,
            filename: &d.filename,
            location: Location {
                row: d.location.row,
                column: d.location.column,
            },
            end_location: Location {
                row: d.end_location.row,
                column: d.end_location.column,
            },
            fingerprint: &d.fingerprint,
            url: rule_url(d.rule.code),
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}
