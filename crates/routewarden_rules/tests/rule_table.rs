//! Keeps the rule table honest: unique codes and names in the catalogue's format, every family
//! known, every rule documented in all sections, and fix lines written in one style.

use routewarden_rules::registry::{self, FAMILIES};
use routewarden_rules::rule::DOC_SECTIONS;
use std::collections::BTreeMap;

/// Collects every problem instead of stopping at the first, so one run names them all.
fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

#[test]
fn codes_and_names_are_unique() {
    let mut problems = Vec::new();
    let mut codes = BTreeMap::new();
    let mut names = BTreeMap::new();
    for meta in registry::all_metas() {
        if let Some(other) = codes.insert(meta.code, meta.name) {
            problems.push(format!(
                "{} is declared twice ({other} and {})",
                meta.code, meta.name
            ));
        }
        if let Some(other) = names.insert(meta.name, meta.code) {
            problems.push(format!(
                "the name {} is used by {other} and {}",
                meta.name, meta.code
            ));
        }
    }
    let mut checking: Vec<&str> = registry::rules().iter().map(|r| r.meta().code).collect();
    let before = checking.len();
    checking.sort_unstable();
    checking.dedup();
    if checking.len() != before {
        problems.push("a rule is listed twice in registry::rules()".to_string());
    }
    assert_no_problems("duplicate codes or names", problems);
}

#[test]
fn codes_are_a_known_family_and_three_digits() {
    let mut problems = Vec::new();
    for meta in registry::all_metas() {
        let family = meta.family();
        let digits = &meta.code[family.len()..];
        if !FAMILIES.contains(&family) {
            problems.push(format!(
                "{}: family {family} is not in registry::FAMILIES",
                meta.code
            ));
        }
        if digits.len() != 3 || !digits.chars().all(|c| c.is_ascii_digit()) {
            problems.push(format!(
                "{}: a code is the family and three digits",
                meta.code
            ));
        }
        if registry::find(meta.code).map(|m| m.code) != Some(meta.code) {
            problems.push(format!("{}: registry::find does not find it", meta.code));
        }
    }
    assert_no_problems("malformed codes", problems);
}

fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|word| {
            word.starts_with(|c: char| c.is_ascii_lowercase())
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[test]
fn names_are_kebab_case() {
    let problems = registry::all_metas()
        .into_iter()
        .filter(|m| !is_kebab_case(m.name))
        .map(|m| format!("{}: `{}` is not kebab-case", m.code, m.name))
        .collect();
    assert_no_problems("rule names", problems);
}

#[test]
fn kebab_case_check_itself() {
    assert!(is_kebab_case("cors-any-origin-with-credentials"));
    assert!(is_kebab_case("jwt-signature-not-verified"));
    assert!(!is_kebab_case("Cors-any-origin"));
    assert!(!is_kebab_case("cors_any_origin"));
    assert!(!is_kebab_case("cors--origin"));
    assert!(!is_kebab_case("-cors"));
    assert!(!is_kebab_case(""));
}

#[test]
fn every_rule_is_documented_in_every_section_in_order() {
    let mut problems = Vec::new();
    for meta in registry::all_metas() {
        let mut last = 0;
        for heading in DOC_SECTIONS {
            let marker = format!("## {heading}\n");
            let Some(at) = meta.doc.find(&marker) else {
                problems.push(format!("{}: no `## {heading}` section", meta.code));
                continue;
            };
            if at < last {
                problems.push(format!("{}: `## {heading}` is out of order", meta.code));
            }
            last = at;
            if meta.doc_section(heading).is_none_or(str::is_empty) {
                problems.push(format!("{}: `## {heading}` is empty", meta.code));
            }
        }
        if !meta
            .doc_section(DOC_SECTIONS[2])
            .is_some_and(|example| example.contains("```"))
        {
            problems.push(format!(
                "{}: `## {}` has no code block",
                meta.code, DOC_SECTIONS[2]
            ));
        }
        if meta.cwe == 0 {
            problems.push(format!("{}: no CWE id", meta.code));
        }
    }
    assert_no_problems("rule documentation", problems);
}

#[test]
fn fix_lines_are_written_in_one_style() {
    let mut problems = Vec::new();
    for meta in registry::all_metas() {
        let fix = meta.fix;
        if !fix.starts_with(|c: char| c.is_ascii_uppercase()) {
            problems.push(format!(
                "{}: the fix line starts with a capital letter: `{fix}`",
                meta.code
            ));
        }
        if fix.ends_with('.') {
            problems.push(format!(
                "{}: the fix line ends without a period: `{fix}`",
                meta.code
            ));
        }
        if fix.contains('\n') || fix.trim() != fix {
            problems.push(format!(
                "{}: the fix is one line without surrounding spaces",
                meta.code
            ));
        }
    }
    assert_no_problems("fix lines", problems);
}

#[test]
fn the_table_is_sorted_and_includes_every_checking_rule() {
    let metas = registry::all_metas();
    let codes: Vec<&str> = metas.iter().map(|m| m.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted, "registry::all_metas() is sorted by code");
    for rule in registry::rules() {
        assert!(
            codes.contains(&rule.meta().code),
            "{} is missing from registry::all_metas()",
            rule.meta().code
        );
    }
}
