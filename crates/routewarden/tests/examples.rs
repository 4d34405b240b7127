//! The demo applications under `examples/`: each vulnerable app must report exactly the lines
//! annotated `# expect: CODE` with every rule enabled, each fixed app must come out clean, and
//! every code-checking rule must be demonstrated by at least one vulnerable app. A new rule
//! therefore adds its pattern to a vulnerable app (and the fix to the matching fixed app).

mod common;

use common::{check_fixture, expectations, findings, python_files, workspace_root};
use routewarden_rules::registry;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each vulnerable app and the fixed version of it.
const PAIRS: &[(&str, &str)] = &[
    ("fastapi_vulnerable", "fastapi_fixed"),
    ("flask_vulnerable", "flask_fixed"),
];

fn examples_root() -> PathBuf {
    workspace_root().join("examples")
}

fn relative_files(dir: &Path) -> BTreeSet<String> {
    python_files(dir)
        .iter()
        .map(|f| f.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn vulnerable_examples_report_exactly_their_annotations() {
    let mut failures = Vec::new();
    for (vulnerable, _) in PAIRS {
        let dir = examples_root().join(vulnerable);
        assert!(
            python_files(&dir).len() >= 5,
            "{vulnerable} should be a small multi-module application"
        );
        match check_fixture(&dir, &[]) {
            Ok(0) => failures.push(format!("{vulnerable}: no `# expect:` annotation")),
            Ok(_) => {}
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "the vulnerable examples disagree with their `# expect:` annotations \
         (annotate what a new rule finds, or fix the rule):\n{}",
        failures.join("\n")
    );
}

#[test]
fn fixed_examples_are_clean() {
    let mut failures = Vec::new();
    for (_, fixed) in PAIRS {
        let dir = examples_root().join(fixed);
        let annotated = expectations(&dir);
        if !annotated.is_empty() {
            failures.push(format!(
                "{fixed} carries `# expect:` annotations: {annotated:?}"
            ));
        }
        for (file, line, code) in findings(&dir, &[], 0) {
            failures.push(format!("{fixed}/{file}:{line} {code}"));
        }
    }
    assert!(
        failures.is_empty(),
        "the fixed examples must produce no finding with every rule enabled:\n{}",
        failures.join("\n")
    );
}

#[test]
fn fixed_examples_mirror_the_vulnerable_ones() {
    for (vulnerable, fixed) in PAIRS {
        let vulnerable_files = relative_files(&examples_root().join(vulnerable));
        let fixed_files = relative_files(&examples_root().join(fixed));
        let missing: Vec<_> = vulnerable_files.difference(&fixed_files).collect();
        assert!(
            missing.is_empty(),
            "{fixed} lacks the fixed version of {missing:?} from {vulnerable}"
        );
    }
}

#[test]
fn every_rule_is_demonstrated_by_a_vulnerable_example() {
    let demonstrated: BTreeSet<String> = PAIRS
        .iter()
        .flat_map(|(vulnerable, _)| expectations(&examples_root().join(vulnerable)))
        .map(|(_, _, code)| code)
        .collect();
    let missing: Vec<&str> = registry::rules()
        .iter()
        .map(|r| r.meta().code)
        .filter(|code| !demonstrated.contains(*code))
        .collect();
    assert!(
        missing.is_empty(),
        "no vulnerable example under examples/ shows {missing:?}: add the rule's pattern, \
         in a realistic form, to examples/fastapi_vulnerable or examples/flask_vulnerable \
         with `# expect: CODE` on the flagged line, and its fix to the fixed app"
    );
}

/// What `routewarden check examples/<app>` does through the real binary: exit 1 with exactly
/// the annotated findings for a vulnerable app, exit 0 with none for a fixed one. Each app is
/// checked on its own: the apps share package names (`app`, `helpdesk`), and one run treats
/// all its paths as a single project.
#[test]
fn the_binary_reports_each_example_as_annotated() {
    let root = workspace_root();
    for (vulnerable, fixed) in PAIRS {
        for (app, expected_exit) in [(vulnerable, 1), (fixed, 0)] {
            let path = format!("examples/{app}");
            let output = Command::new(env!("CARGO_BIN_EXE_routewarden"))
                .current_dir(&root)
                .args(["check", &path, "--format", "json"])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(expected_exit),
                "routewarden check {path}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            let actual: BTreeSet<(String, u32, String)> = report
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["filename"].as_str().unwrap().replace('\\', "/"),
                        f["location"]["row"].as_u64().unwrap() as u32,
                        f["code"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let expected: BTreeSet<(String, u32, String)> =
                expectations(&examples_root().join(app))
                    .into_iter()
                    .map(|(file, line, code)| {
                        (format!("{path}/{}", file.replace('\\', "/")), line, code)
                    })
                    .collect();
            assert_eq!(actual, expected, "routewarden check {path}");
        }
    }
}
