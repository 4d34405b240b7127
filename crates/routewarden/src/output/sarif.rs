//! SARIF 2.1.0, shaped for GitHub code scanning: rules with `security-severity`, CWE tags and
//! precision; results with `partialFingerprints`.

use super::rule_url;
use crate::analysis::Diagnostic;
use routewarden_rules::{Confidence, RuleMeta, Severity};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// The number GitHub maps to its severity labels (9.0+ critical, 7.0+ high, 4.0+ medium).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn precision(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

fn rule_descriptor(meta: &RuleMeta) -> Value {
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": { "text": meta.summary() },
        "fullDescription": { "text": meta.doc_section("What it finds").unwrap_or(meta.name) },
        "help": {
            "text": format!("{}\n\nFix: {}", meta.doc_section("Why is this dangerous").unwrap_or(""), meta.fix),
            "markdown": meta.documentation(),
        },
        "helpUri": rule_url(meta.code),
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "security-severity": security_severity(meta.severity),
            "precision": precision(meta.confidence),
            "tags": ["security", format!("external/cwe/cwe-{}", meta.cwe)],
        }
    })
}

/// SARIF URIs use forward slashes and percent-encode what is not allowed in a URI reference.
fn artifact_uri(filename: &str) -> String {
    let mut out = String::new();
    for b in filename.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut rules: BTreeMap<&str, &RuleMeta> = BTreeMap::new();
    for d in diagnostics {
        rules.insert(d.rule.code, d.rule);
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    // Code scanning takes results with equal fingerprints for one alert, so a copy of a flagged
    // statement elsewhere in the file (the same code, the same fingerprint) would vanish: the
    // second and later copies, in file order, carry their rank (`3f9c0b1e5d2a4c77:2`).
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let copies = seen
                .entry((d.filename.as_str(), d.rule.code, d.fingerprint.as_str()))
                .or_insert(0);
            *copies += 1;
            let fingerprint = match *copies {
                1 => d.fingerprint.clone(),
                n => format!("{}:{n}", d.fingerprint),
            };
            let absolute = std::path::Path::new(&d.filename).is_absolute();
            let mut artifact = json!({ "uri": artifact_uri(&d.filename) });
            if !absolute {
                artifact["uriBaseId"] = json!("%SRCROOT%");
            } else {
                artifact["uri"] = json!(format!("file://{}", artifact_uri(&d.filename)));
            }
            json!({
                "ruleId": d.rule.code,
                "ruleIndex": index[d.rule.code],
                "level": level(d.severity),
                "message": { "text": format!("{} ({})", d.message, d.rule.fix) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {
                            "startLine": d.location.row,
                            "startColumn": d.location.column,
                            "endLine": d.end_location.row,
                            "endColumn": d.end_location.column,
                        }
                    }
                }],
                "partialFingerprints": { "routewarden/v1": fingerprint },
                "properties": {
                    "security-severity": security_severity(d.severity),
                    "confidence": d.confidence.as_str(),
                },
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "routewarden",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://pypi.org/project/routewarden/",
                    "rules": rules.values().map(|m| rule_descriptor(m)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The folder routewarden ran in" } } },
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
