//! Where users run it: GitHub annotations, JUnit, baselines, several reports from one run.

mod support;

use support::*;

const TWO_SECRETS: &str = "from flask import Flask\napp = Flask(__name__)\napp.secret_key = \"dev\"\napp.config[\"SECRET_KEY\"] = \"changeme\"\n";

#[test]
fn github_annotations() {
    let p = Project::new();
    p.write("app.py", TWO_SECRETS);
    p.write("api.py", FASTAPI_DEBUG);
    let run = p.check(&["--format", "github"]);
    run.assert_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].starts_with("::error file=api.py,line=2,col=7,endLine=2,endColumn="),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("title=DEBUG001 debug-mode-enabled (high)::"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("::error file=app.py,line=3,col=1,"),
        "{}",
        lines[1]
    );
    assert!(
        lines
            .iter()
            .all(|l| l.contains("Fix%3A") || l.contains("Fix:")),
        "{}",
        run.stdout
    );
}

#[test]
fn junit_groups_findings_by_rule() {
    let p = Project::new();
    p.write("app.py", TWO_SECRETS);
    p.write("api.py", FASTAPI_DEBUG);
    let run = p.check(&["--format", "junit"]);
    run.assert_code(1);
    let xml = &run.stdout;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"routewarden\" tests=\"3\" failures=\"3\""), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    assert!(
        xml.contains(
            "<testsuite name=\"SECRET001 hardcoded-secret-key\" tests=\"2\" failures=\"2\""
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"app.py:3:1\" classname=\"app.py\">"),
        "{xml}"
    );
    assert_eq!(xml.matches("<failure ").count(), 3);
    assert_eq!(xml.matches("</testcase>").count(), 3);
    assert!(
        xml.contains("&quot;dev&quot;"),
        "message quotes are escaped: {xml}"
    );
}

#[test]
fn several_reports_from_one_run() {
    let p = Project::new();
    p.write("app.py", TWO_SECRETS);
    let run = p.check(&[
        "--format",
        "text",
        "--format",
        "sarif",
        "--format",
        "json",
        "--output",
        "out.sarif",
        "--output",
        "out.json",
    ]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("SECRET001") && run.stdout.contains("Found 2 findings"),
        "{}",
        run.stdout
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("out.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    // Two reports cannot both go to standard output.
    p.check(&["--format", "json", "--format", "sarif"])
        .assert_code(2);
    p.check(&["--output", "a", "--output", "b"]).assert_code(2);
}

#[test]
fn baseline_absorbs_old_findings_and_reports_new_ones() {
    let p = Project::new();
    p.write("app.py", TWO_SECRETS);
    p.check(&["--write-baseline", "baseline.json", "--exit-zero"])
        .assert_code(0);
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("baseline.json")).unwrap()).unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);
    assert!(p.json(&["--baseline", "baseline.json"]).is_empty());
    p.check(&["--baseline", "baseline.json"]).assert_code(0);

    // Lines moved by an unrelated edit: still absorbed.
    p.write("app.py", format!("import os\n\n\n# moved\n{TWO_SECRETS}"));
    assert!(p.json(&["--baseline", "baseline.json"]).is_empty());

    // A new copy of a baselined finding is reported: each entry absorbs one finding.
    p.write("app.py", format!("{TWO_SECRETS}app.secret_key = \"dev\"\n"));
    let found = p.json(&["--baseline", "baseline.json"]);
    assert_eq!(triples(&found), vec![t("app.py", 5, "SECRET001")]);

    // A changed flagged line is a new finding.
    p.write("app.py", TWO_SECRETS.replace("\"dev\"", "\"other-secret\""));
    assert_eq!(
        triples(&p.json(&["--baseline", "baseline.json"])),
        vec![t("app.py", 3, "SECRET001")]
    );
}

#[test]
fn baseline_survives_a_git_mv() {
    let p = Project::new();
    p.write("app.py", TWO_SECRETS);
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(p.root())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output();
        match status {
            Ok(o) => o.status.success(),
            Err(_) => false,
        }
    };
    if !git(&["init", "-q"]) {
        eprintln!("note: git is not available; rename test skipped");
        return;
    }
    assert!(git(&["add", "app.py"]) && git(&["commit", "-qm", "first"]));
    p.check(&["--write-baseline", "baseline.json", "--exit-zero"])
        .assert_code(0);
    assert!(git(&["mv", "app.py", "web.py"]) && git(&["commit", "-qm", "rename"]));
    assert!(p.json(&["--baseline", "baseline.json"]).is_empty());
    // Another file with the same finding is still new.
    p.write("other.py", TWO_SECRETS);
    assert_eq!(
        triples(&p.json(&["--baseline", "baseline.json"])),
        vec![t("other.py", 3, "SECRET001"), t("other.py", 4, "SECRET001")]
    );
}

#[test]
fn bad_baselines_are_errors() {
    let p = Project::new();
    p.write("app.py", TWO_SECRETS);
    p.check(&["--baseline", "missing.json"]).assert_code(2);
    p.write("bad.json", "{\"version\": 9, \"findings\": []}");
    p.check(&["--baseline", "bad.json"]).assert_code(2);
}

/// GitHub code scanning matches alerts across commits by `partialFingerprints`: inserting
/// lines above a finding moves it but keeps its fingerprints, so the alert is not closed and
/// reopened as a new one; changing the flagged code gives new ones.
#[test]
fn sarif_partial_fingerprints_survive_lines_inserted_above() {
    let p = Project::new();
    let sarif = |p: &Project| -> Vec<(String, u64, serde_json::Value)> {
        let run = p.check(&["--format", "sarif", "."]);
        run.assert_code(1);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let fingerprints = &r["partialFingerprints"];
                assert!(
                    fingerprints.as_object().is_some_and(|o| !o.is_empty()),
                    "{r}"
                );
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                    fingerprints.clone(),
                )
            })
            .collect()
    };
    p.write("app.py", TWO_SECRETS);
    let before = sarif(&p);
    assert_eq!(before.len(), 2);
    assert_ne!(before[0].2, before[1].2, "two findings, two fingerprints");

    p.write(
        "app.py",
        format!("\"\"\"The app.\"\"\"\nimport logging\n\nlog = logging.getLogger(__name__)\n{TWO_SECRETS}"),
    );
    let after = sarif(&p);
    assert_eq!(after.len(), 2);
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.0, new.0);
        assert_eq!(new.1, old.1 + 4, "the finding moved down four lines");
        assert_eq!(old.2, new.2, "{} kept its partialFingerprints", old.0);
    }

    p.write(
        "app.py",
        TWO_SECRETS.replace("\"changeme\"", "\"another-hard-coded-key\""),
    );
    let changed = sarif(&p);
    assert_eq!(
        changed[0].2, before[0].2,
        "the untouched finding keeps its own"
    );
    assert_ne!(
        changed[1].2, before[1].2,
        "a changed flagged line is a new alert"
    );
}
