//! The report formats of `check`: JSON as INTERFACE.md specifies it, SARIF that validates
//! against the SARIF 2.1.0 schema, and the text report.

mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use support::*;

/// A project with findings in several files, two on one row, and a non-ASCII line.
fn sample() -> Project {
    let p = Project::new();
    p.write("b.py", FASTAPI_DEBUG);
    p.write("a.py", FLASK_SECRET);
    p.write("a/x.py", ENV_FALLBACK);
    p.write(
        "same_row.py",
        "import os\nfrom fastapi import FastAPI\n\
         app = FastAPI(debug=True); KEY = os.environ.get(\"SECRET_KEY\", \"dev\")\n",
    );
    p.write(
        "wide.py",
        "import os\nx = (\"é€😀\", os.environ.get(\"SECRET_KEY\", \"dev\"))\n",
    );
    p
}

const FIELDS: [&str; 13] = [
    "code",
    "name",
    "family",
    "severity",
    "confidence",
    "cwe",
    "message",
    "fix",
    "filename",
    "location",
    "end_location",
    "fingerprint",
    "url",
];

fn assert_position(v: &Value) {
    let obj = v.as_object().expect("a position is an object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["column", "row"]);
    assert!(v["row"].as_u64().is_some_and(|r| r >= 1), "{v}");
    assert!(v["column"].as_u64().is_some_and(|c| c >= 1), "{v}");
}

#[test]
fn json_has_every_field_with_its_type_and_is_sorted() {
    let p = sample();
    let findings = p.json(&["."]);
    assert_eq!(findings.len(), 6, "{findings:#?}");
    for f in &findings {
        let obj = f.as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort();
        let mut expected = FIELDS.to_vec();
        expected.sort();
        assert_eq!(keys, expected, "{f}");
        let code = f["code"].as_str().unwrap();
        let family = f["family"].as_str().unwrap();
        assert!(
            code.starts_with(family) && code.len() == family.len() + 3,
            "{f}"
        );
        assert!(code[family.len()..].chars().all(|c| c.is_ascii_digit()));
        let name = f["name"].as_str().unwrap();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{name}"
        );
        assert!(
            ["critical", "high", "medium", "low"].contains(&f["severity"].as_str().unwrap()),
            "{f}"
        );
        assert!(["high", "medium", "low"].contains(&f["confidence"].as_str().unwrap()));
        assert!(f["cwe"].as_u64().is_some_and(|c| c > 0), "{f}");
        assert!(!f["message"].as_str().unwrap().is_empty());
        assert!(!f["fix"].as_str().unwrap().is_empty());
        assert!(!f["filename"].as_str().unwrap().is_empty());
        assert_position(&f["location"]);
        assert_position(&f["end_location"]);
        let fp = f["fingerprint"].as_str().unwrap();
        assert!(
            fp.len() == 16 && fp.chars().all(|c| c.is_ascii_hexdigit()),
            "{fp}"
        );
        assert!(f["url"].as_str().unwrap().starts_with("https://"));
        assert!(f["url"].as_str().unwrap().ends_with(code));
    }
    let key = |f: &Value| {
        (
            f["filename"].as_str().unwrap().to_string(),
            f["location"]["row"].as_u64().unwrap(),
            f["location"]["column"].as_u64().unwrap(),
            f["code"].as_str().unwrap().to_string(),
        )
    };
    let keys: Vec<_> = findings.iter().map(key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(
        triples(&findings),
        vec![
            t("a.py", 4, "SECRET001"),
            t("a/x.py", 2, "SECRET002"),
            t("b.py", 2, "DEBUG001"),
            t("same_row.py", 3, "DEBUG001"),
            t("same_row.py", 3, "SECRET002"),
            t("wide.py", 2, "SECRET002"),
        ]
    );
    // Two findings on one row: ordered by column.
    assert_eq!(findings[3]["location"]["column"], 7);
    assert_eq!(findings[4]["location"]["column"], 34);
    // Columns count characters: `x = ("é€😀", ` is 12 characters and 18 bytes.
    assert_eq!(findings[5]["location"]["column"], 13);
    assert_eq!(findings[5]["end_location"]["column"], 48);
}

#[test]
fn an_empty_report_is_an_empty_json_array() {
    let p = Project::new();
    p.write("clean.py", "x = 1\n");
    let run = p.check(&["--format", "json", "."]);
    run.assert_code(0);
    assert_eq!(run.stdout.trim(), "[]");
}

#[test]
fn filenames_are_relative_below_the_current_folder_and_absolute_otherwise() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    p.write("sub/inner.py", ENV_FALLBACK);
    let sub = p.path("sub");
    let names = |cwd: &Path, args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--no-config", "--format", "json"];
        all.extend_from_slice(args);
        let run = run_in(cwd, &all);
        run.assert_ran();
        run.json()
            .iter()
            .map(|f| f["filename"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&p.root(), &["."]), ["app.py", "sub/inner.py"]);
    assert_eq!(names(&p.root(), &["./sub/../app.py"]), ["app.py"]);
    let absolute_inner = p.path("sub/inner.py");
    assert_eq!(
        names(&p.root(), &[absolute_inner.to_str().unwrap()]),
        ["sub/inner.py"]
    );
    let absolute_app = p.path("app.py").to_string_lossy().into_owned();
    assert_eq!(
        names(&sub, &["../app.py"]),
        std::slice::from_ref(&absolute_app)
    );
    assert_eq!(
        names(&sub, &["..", "."]),
        [absolute_app, "inner.py".to_string()]
    );
}

/// Searches upwards from the crate for `shared/data/sarif-schema-2.1.0.json`: the repository
/// may be cloned under any name with `shared/` beside it.
fn sarif_schema() -> Value {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let found = start
        .ancestors()
        .map(|dir| dir.join("shared/data/sarif-schema-2.1.0.json"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "shared/data/sarif-schema-2.1.0.json not found above {}",
                start.display()
            )
        });
    serde_json::from_str(&std::fs::read_to_string(found).unwrap()).unwrap()
}

fn assert_valid_sarif(doc: &Value) {
    let schema = sarif_schema();
    let compiled = jsonschema::JSONSchema::options()
        .should_validate_formats(true)
        .compile(&schema)
        .expect("the SARIF schema compiles");
    if let Err(errors) = compiled.validate(doc) {
        let messages: Vec<String> = errors
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        panic!("SARIF does not validate:\n{}", messages.join("\n"));
    }
}

#[test]
fn the_schema_catches_invalid_sarif() {
    // The validation below would prove nothing if every document passed.
    let schema = sarif_schema();
    let compiled = jsonschema::JSONSchema::compile(&schema).unwrap();
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    assert!(!compiled.is_valid(&bad));
    let bad_level = serde_json::json!({"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "x"}},
        "results": [{"message": {"text": "m"}, "level": "fatal"}]
    }]});
    assert!(!compiled.is_valid(&bad_level));
}

#[test]
fn sarif_validates_and_carries_what_code_scanning_needs() {
    let p = sample();
    p.write("undecodable.py", b"x = '\xff'\n");
    p.write("my app/é.py", FASTAPI_DEBUG);
    let outside = Project::new();
    outside.write("elsewhere.py", FASTAPI_DEBUG);
    let outside_file = outside.path("elsewhere.py");
    let run = p.check(&["--format", "sarif", ".", outside_file.to_str().unwrap()]);
    run.assert_code(1);
    let doc: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_valid_sarif(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
    let results = runs[0]["results"].as_array().unwrap();
    // The JSON report of the same run, for the CWE and fingerprints.
    let json = p.json(&[".", outside_file.to_str().unwrap()]);
    assert_eq!(results.len(), json.len());
    let mut rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut reported: Vec<&str> = json.iter().map(|f| f["code"].as_str().unwrap()).collect();
    reported.sort();
    reported.dedup();
    rule_ids.sort();
    assert_eq!(rule_ids, reported, "one descriptor per reported rule");
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(rule["name"].as_str().is_some_and(|n| !n.is_empty()));
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                rule[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{id} {key}"
            );
        }
        assert!(
            ["error", "warning", "note"]
                .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap())
        );
        let props = &rule["properties"];
        let severity: f64 = props["security-severity"]
            .as_str()
            .expect("security-severity is a string holding a number")
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&severity), "{id}: {severity}");
        let tags: Vec<&str> = props["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let cwe = json.iter().find(|f| f["code"] == id).unwrap()["cwe"]
            .as_u64()
            .unwrap();
        assert!(tags.contains(&"security"), "{id}: {tags:?}");
        assert!(
            tags.contains(&format!("external/cwe/cwe-{cwe}").as_str()),
            "{id}: {tags:?}"
        );
        assert!(
            ["very-high", "high", "medium", "low"].contains(&props["precision"].as_str().unwrap())
        );
    }
    let severity_of = |id: &str| -> f64 {
        rules.iter().find(|r| r["id"] == id).unwrap()["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    // GitHub's bands: 9.0 and above is critical, 7.0 high, below 4.0 low.
    assert!(severity_of("SECRET001") >= 9.0);
    assert!((7.0..9.0).contains(&severity_of("DEBUG001")));
    assert!(severity_of("PARSE002") < 4.0);
    for (result, finding) in results.iter().zip(&json) {
        assert_eq!(result["ruleId"], finding["code"]);
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(
            result["message"]["text"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        let physical = &result["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.contains('\\') && !uri.contains(' '), "{uri}");
        assert_eq!(physical["region"]["startLine"], finding["location"]["row"]);
        assert_eq!(
            physical["region"]["startColumn"],
            finding["location"]["column"]
        );
        let fingerprints = result["partialFingerprints"].as_object().unwrap();
        assert!(!fingerprints.is_empty());
        assert!(fingerprints.values().any(|v| *v == finding["fingerprint"]));
    }
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"a/x.py"), "{uris:?}");
    assert!(uris.contains(&"my%20app/%C3%A9.py"), "{uris:?}");
    assert!(
        uris.iter()
            .any(|u| u.starts_with("file:///") && u.ends_with("/elsewhere.py")),
        "{uris:?}"
    );
}

#[test]
fn sarif_without_findings_validates() {
    let p = Project::new();
    p.write("clean.py", "x = 1\n");
    let run = p.check(&["--format", "sarif", "."]);
    run.assert_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn fingerprints_survive_unrelated_lines_moving_but_not_a_changed_finding() {
    let p = Project::new();
    p.write("app.py", FLASK_SECRET);
    let before = p.json(&["."]);
    p.write(
        "app.py",
        format!("# a comment\nimport os\n\n\n{FLASK_SECRET}\ndef unrelated():\n    return 1\n"),
    );
    let after = p.json(&["."]);
    assert_eq!(before.len(), 1);
    assert_eq!(after.len(), 1);
    assert_ne!(before[0]["location"]["row"], after[0]["location"]["row"]);
    assert_eq!(before[0]["fingerprint"], after[0]["fingerprint"]);
    // Indentation change alone keeps it too.
    p.write(
        "app.py",
        format!("{FLASK_SECRET}if True:\n    app.secret_key = \"dev\"\n"),
    );
    let both = p.json(&["."]);
    assert_eq!(both.len(), 2);
    assert_eq!(both[0]["fingerprint"], both[1]["fingerprint"]);
    // Code scanning merges results with equal fingerprints: in SARIF the second copy carries
    // its rank, and the first keeps the plain fingerprint.
    let run = p.check(&["--format", "sarif", "."]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let sarif: Vec<&Value> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["partialFingerprints"]["routewarden/v1"])
        .collect();
    let plain = both[0]["fingerprint"].as_str().unwrap();
    assert_eq!(sarif, [&json!(plain), &json!(format!("{plain}:2"))]);
    // A different flagged value is a different finding.
    p.write("app.py", FLASK_SECRET.replace("\"dev\"", "\"changeme\""));
    let changed = p.json(&["."]);
    assert_ne!(before[0]["fingerprint"], changed[0]["fingerprint"]);
    // SARIF carries the same fingerprint.
    let run = p.check(&["--format", "sarif", "."]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let sarif_fp = doc["runs"][0]["results"][0]["partialFingerprints"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    assert_eq!(sarif_fp, changed[0]["fingerprint"]);
}

#[test]
fn text_has_a_code_frame_a_fix_line_and_a_summary() {
    let p = Project::new();
    p.write("app.py", FLASK_SECRET);
    p.write("api.py", FASTAPI_DEBUG);
    p.write("broken.py", "def f(:\n");
    let run = p.check(&["."]);
    run.assert_code(1);
    let out = &run.stdout;
    assert!(!out.contains('\x1b'), "no colour into a pipe: {out:?}");
    let expected_block = "  --> app.py:4:1\n    |\n  4 | app.secret_key = \"dev\"\n    | ^^^^^^^^^^^^^^^^^^^^^^\n  = fix: ";
    assert!(out.contains(expected_block), "{out}");
    let debug_frame = "  2 | app = FastAPI(debug=True)\n    |       ^^^^^^^^^^^^^^^^^^^\n";
    assert!(out.contains(debug_frame), "{out}");
    assert!(out.contains("SECRET001 [critical] "), "{out}");
    assert!(out.contains("DEBUG001 [high] "), "{out}");
    assert_eq!(out.matches("= fix: ").count(), 3, "{out}");
    assert!(
        out.trim_end()
            .ends_with("Found 3 findings in 3 files: 1 critical, 1 high, 0 medium, 1 low."),
        "{out}"
    );
    // Sorted like the JSON: api.py, app.py, broken.py.
    let api = out.find("api.py:2").unwrap();
    let app = out.find("app.py:4").unwrap();
    let broken = out.find("broken.py:1").unwrap();
    assert!(api < app && app < broken, "{out}");
}

#[test]
fn text_lines_fit_eighty_columns() {
    let p = Project::new();
    p.write("app.py", FLASK_SECRET);
    let mut long = String::from("import os\nfrom fastapi import FastAPI\n");
    for _ in 0..1200 {
        long.push_str("x = 1\n");
    }
    long.push_str(&format!(
        "values = [{}, FastAPI(debug=True), {}]\n",
        (0..30)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        (0..30)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    long.push_str(
        "app = FastAPI(\n    title=\"a fairly long title for the service\", debug=True,\n)\n",
    );
    long.push_str(&format!(
        "KEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # {}\n",
        "x".repeat(70)
    ));
    p.write("long.py", long);
    let run = p.check(&["."]);
    run.assert_code(1);
    assert_eq!(run.stdout.matches("= fix:").count(), 4, "{}", run.stdout);
    for line in run.stdout.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}\n{}",
            line.chars().count(),
            run.stdout
        );
    }
    // The long line is cut around the flagged code, which stays visible.
    assert!(
        run.stdout.contains("…") && run.stdout.contains("FastAPI(debug=True)"),
        "{}",
        run.stdout
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_without_no_color() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    let plain = p.check(&["."]);
    assert!(!plain.stdout.contains('\x1b'));
    let forced = p.check(&["--color", "always", "."]);
    assert!(forced.stdout.contains("\x1b["), "{:?}", forced.stdout);
    let never = p.check(&["--color", "never", "."]);
    assert!(!never.stdout.contains('\x1b'));

    // A real terminal, through `script`: coloured, unless NO_COLOR is set.
    let on_tty = |env: &str| {
        // The variable is set inside the terminal's shell command: the harness clears
        // NO_COLOR from the environment it passes down.
        let command = format!("{env} {} check --no-config .", binary());
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(p.root());
        let mut run = run_command(&mut cmd);
        run.stdout = run.stdout.replace('\r', "");
        run
    };
    let tty = on_tty("");
    if tty.code.is_none() || !tty.stdout.contains("DEBUG001") {
        eprintln!(
            "note: `script` could not provide a terminal here; the terminal case is skipped: {tty:?}"
        );
        return;
    }
    assert!(tty.stdout.contains("\x1b["), "{:?}", tty.stdout);
    let no_color = on_tty("NO_COLOR=1");
    assert!(no_color.stdout.contains("DEBUG001"));
    assert!(!no_color.stdout.contains('\x1b'), "{:?}", no_color.stdout);
}

#[test]
fn output_writes_the_report_to_a_file() {
    let p = sample();
    let report = p.path("report.json");
    let run = p.check(&[
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
        ".",
    ]);
    run.assert_code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let written = std::fs::read_to_string(&report).unwrap();
    let direct = p.check(&["--format", "json", "."]);
    assert_eq!(written, direct.stdout);
    // Text to a file is never coloured.
    let text = p.path("report.txt");
    let run = p.check(&["--output", text.to_str().unwrap(), "."]);
    run.assert_code(1);
    let written = std::fs::read_to_string(&text).unwrap();
    assert!(written.contains("DEBUG001") && !written.contains('\x1b'));
    // A folder that does not exist: exit 2 with a message.
    let run = p.check(&["--output", "no/such/folder/report.txt", "."]);
    run.assert_code(2);
    assert!(run.stderr.contains("report.txt"), "{}", run.stderr);
}

#[test]
fn statistics_counts_by_code() {
    let p = sample();
    let run = p.check(&["--statistics", "."]);
    run.assert_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    let row = |code: &str| -> Vec<String> {
        lines
            .iter()
            .find(|l| l.contains(code))
            .unwrap()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(row("SECRET002")[0], "3");
    assert_eq!(row("DEBUG001")[0], "2");
    assert_eq!(row("SECRET001")[0], "1");
    // Most frequent first.
    assert!(lines[0].contains("SECRET002"), "{}", run.stdout);
    assert!(!run.stdout.contains("-->"));
}

#[test]
fn quiet_prints_findings_without_the_summary() {
    let p = sample();
    let run = p.check(&["--quiet", "."]);
    run.assert_code(1);
    assert!(run.stdout.contains("DEBUG001"));
    assert!(!run.stdout.contains("Found "), "{}", run.stdout);
    let clean = Project::new();
    clean.write("clean.py", "x = 1\n");
    let run = clean.check(&["--quiet", "."]);
    run.assert_code(0);
    assert_eq!(run.stdout, "");
    let run = clean.check(&["."]);
    assert_eq!(run.stdout, "No findings in 1 file.\n");
}
