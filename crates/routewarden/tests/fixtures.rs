//! Every rule's fixtures: `fixtures/<CODE>/positive` and `fixtures/<CODE>/negative` are small
//! projects; the rule must report exactly the annotated lines and nothing else.

mod common;

use common::{check_fixture, expectations, fixtures_root};
use routewarden_rules::registry;

#[test]
fn every_fixture_matches_its_annotations() {
    let root = fixtures_root();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut rule_dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    rule_dirs.sort();
    for rule_dir in rule_dirs {
        let code = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            registry::find(&code).is_some(),
            "fixture folder {code} names no rule"
        );
        let mut cases: Vec<_> = std::fs::read_dir(&rule_dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        cases.sort();
        for case in cases.into_iter().filter(|c| c.is_dir()) {
            match check_fixture(&case, &[code.as_str()]) {
                Ok(n) => checked += n,
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 0, "no expectation was checked");
}

/// Rules whose findings cannot come from a source file in a fixture folder.
const WITHOUT_FIXTURES: &[&str] = &["INTERNAL001", "PARSE003", "NOQA002"];

#[test]
fn every_rule_has_positive_and_negative_fixtures() {
    let root = fixtures_root();
    let mut problems = Vec::new();
    for meta in registry::all_metas() {
        if WITHOUT_FIXTURES.contains(&meta.code) {
            continue;
        }
        let positive = root.join(meta.code).join("positive");
        let negative = root.join(meta.code).join("negative");
        let flagged = expectations(&positive)
            .iter()
            .filter(|(_, _, c)| c == meta.code)
            .count();
        if flagged == 0 {
            problems.push(format!("{}: no positive fixture flags it", meta.code));
        }
        if meta.family() != "PARSE" && meta.family() != "NOQA" {
            if common::python_files(&negative).is_empty() {
                problems.push(format!("{}: no negative fixture", meta.code));
            } else if expectations(&negative)
                .iter()
                .any(|(_, _, c)| c == meta.code)
            {
                problems.push(format!(
                    "{}: the negative fixture expects the rule",
                    meta.code
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
