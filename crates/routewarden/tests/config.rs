//! Configuration: `[tool.routewarden]` in the nearest `pyproject.toml`, or `routewarden.toml`,
//! searched upwards from the first path; errors that name the key and the file; flags that
//! override the file.

mod support;

use support::*;

/// `src/app.py` (SECRET001 at 4), `src/api.py` (DEBUG001 at 2), `tests/test_app.py` (SECRET002
/// at 2).
fn project() -> Project {
    let p = Project::new();
    p.write("src/app.py", FLASK_SECRET);
    p.write("src/api.py", FASTAPI_DEBUG);
    p.write("tests/test_app.py", ENV_FALLBACK);
    p
}

/// `check --format json <args>` with configuration discovery on.
fn found(p: &Project, args: &[&str]) -> Vec<(String, u64, String)> {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = p.run(&all);
    run.assert_ran();
    triples(&run.json())
}

fn found_codes(p: &Project, args: &[&str]) -> Vec<String> {
    let mut c: Vec<String> = found(p, args).into_iter().map(|(_, _, c)| c).collect();
    c.sort();
    c
}

#[test]
fn pyproject_is_found_by_searching_upwards_from_the_first_path() {
    let p = project();
    p.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.routewarden]\nselect = [\"SECRET\"]\n",
    );
    assert_eq!(found_codes(&p, &["."]), ["SECRET001", "SECRET002"]);
    // From a folder below, and from a file below.
    assert_eq!(found_codes(&p, &["src"]), ["SECRET001"]);
    assert_eq!(found_codes(&p, &["src/api.py"]), Vec::<String>::new());
    let run = run_in(&p.path("src"), &["check", "--format", "json", "."]);
    assert_eq!(codes(&run.json()), ["SECRET001"]);
    // `--no-config` ignores it.
    assert_eq!(
        found_codes(&p, &["--no-config", "."]),
        ["DEBUG001", "SECRET001", "SECRET002"]
    );
}

#[test]
fn routewarden_toml_holds_the_same_keys_at_top_level() {
    let p = project();
    p.write("routewarden.toml", "select = [\"DEBUG\"]\n");
    assert_eq!(found_codes(&p, &["src"]), ["DEBUG001"]);
}

#[test]
fn the_nearest_configuration_wins() {
    let p = project();
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nselect = [\"SECRET\"]\n",
    );
    p.write(
        "src/pyproject.toml",
        "[tool.routewarden]\nselect = [\"DEBUG\"]\n",
    );
    assert_eq!(found_codes(&p, &["src"]), ["DEBUG001"]);
    assert_eq!(found_codes(&p, &["tests"]), ["SECRET002"]);
    // A pyproject.toml without a [tool.routewarden] table is passed over.
    p.write("tests/pyproject.toml", "[project]\nname = \"tests\"\n");
    assert_eq!(found_codes(&p, &["tests"]), ["SECRET002"]);
    p.write(
        "tests/pyproject.toml",
        "[tool.routewarden]\nignore = [\"SECRET002\"]\n",
    );
    assert!(found_codes(&p, &["tests"]).is_empty());
}

fn assert_config_error(p: &Project, file: &str, contents: &str, needles: &[&str]) {
    p.write(file, contents);
    let run = p.run(&["check", "src"]);
    run.assert_code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains(&p.path(file).display().to_string()),
        "the file is named: {}",
        run.stderr
    );
    for needle in needles {
        assert!(run.stderr.contains(needle), "`{needle}` in: {}", run.stderr);
    }
    std::fs::remove_file(p.path(file)).unwrap();
}

#[test]
fn unknown_keys_and_bad_values_are_errors_that_name_the_key_and_the_file() {
    let p = project();
    assert_config_error(
        &p,
        "pyproject.toml",
        "[tool.routewarden]\nselec = [\"DEBUG\"]\n",
        &["selec", "line 2"],
    );
    assert_config_error(
        &p,
        "pyproject.toml",
        "[tool.routewarden.auth]\ndecorator = [\"my_auth\"]\n",
        &["decorator"],
    );
    assert_config_error(
        &p,
        "routewarden.toml",
        "per_file_ignores = {}\n",
        &["per_file_ignores"],
    );
    assert_config_error(
        &p,
        "pyproject.toml",
        "[tool.routewarden]\nseverity = \"urgent\"\n",
        &["severity", "urgent"],
    );
    assert_config_error(
        &p,
        "pyproject.toml",
        "[tool.routewarden]\nfail-on = \"never\"\n",
        &["fail-on", "never"],
    );
    assert_config_error(
        &p,
        "pyproject.toml",
        "[tool.routewarden]\nselect = \"DEBUG\"\n",
        &["select"],
    );
    assert_config_error(
        &p,
        "pyproject.toml",
        "[tool.routewarden]\nselect = [\"DEBUG\", \"SECRET999\"]\n",
        &["select", "SECRET999"],
    );
    assert_config_error(
        &p,
        "pyproject.toml",
        "[tool.routewarden]\nper-file-ignores = { \"tests/[\" = [\"SECRET\"] }\n",
        &["per-file-ignores", "tests/["],
    );
    assert_config_error(
        &p,
        "pyproject.toml",
        "[tool.routewarden\nselect = []\n",
        &["line 1"],
    );
    // Case does not matter in values, as on the command line.
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nseverity = \"CRITICAL\"\n",
    );
    assert_eq!(found_codes(&p, &["src"]), ["SECRET001"]);
}

#[test]
fn per_file_ignores_match_globs_relative_to_the_configuration() {
    let p = project();
    p.write("src/legacy/test_old.py", ENV_FALLBACK);
    p.write(
        "pyproject.toml",
        "[tool.routewarden.per-file-ignores]\n\"tests/**\" = [\"SECRET\"]\n\"src/api.py\" = [\"DEBUG001\"]\n",
    );
    assert_eq!(
        found(&p, &["."]),
        vec![
            t("src/app.py", 4, "SECRET001"),
            t("src/legacy/test_old.py", 2, "SECRET002"),
        ]
    );
    // Globs are relative to the configuration's folder, also when run from elsewhere.
    let run = run_in(&p.path("src"), &["check", "--format", "json", "."]);
    assert_eq!(
        triples(&run.json()),
        vec![
            t("app.py", 4, "SECRET001"),
            t("legacy/test_old.py", 2, "SECRET002")
        ]
    );
    // A pattern without a slash names files in any folder.
    p.write(
        "pyproject.toml",
        "[tool.routewarden.per-file-ignores]\n\"test_*.py\" = [\"SECRET002\"]\n",
    );
    assert_eq!(
        found(&p, &["."]),
        vec![
            t("src/api.py", 2, "DEBUG001"),
            t("src/app.py", 4, "SECRET001")
        ]
    );
}

#[test]
fn exclude_and_extend_exclude_skip_files_and_folders() {
    let p = project();
    p.write("generated/models_pb2.py", FASTAPI_DEBUG);
    p.write("src/schema_pb2.py", FASTAPI_DEBUG);
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nexclude = [\"tests\"]\nextend-exclude = [\"*_pb2.py\", \"./generated/\"]\n",
    );
    assert_eq!(
        found(&p, &["."]),
        vec![
            t("src/api.py", 2, "DEBUG001"),
            t("src/app.py", 4, "SECRET001")
        ]
    );
    // An excluded file named explicitly stays excluded.
    assert!(found(&p, &["src/schema_pb2.py"]).is_empty());
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nexclude = [\"src/api.py\"]\n",
    );
    assert_eq!(
        found(&p, &["."]),
        vec![
            t("generated/models_pb2.py", 2, "DEBUG001"),
            t("src/app.py", 4, "SECRET001"),
            t("src/schema_pb2.py", 2, "DEBUG001"),
            t("tests/test_app.py", 2, "SECRET002"),
        ]
    );
}

#[test]
fn command_line_options_override_the_file() {
    let p = project();
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nselect = [\"DEBUG\"]\nseverity = \"critical\"\nfail-on = \"critical\"\n",
    );
    // The file alone: DEBUG001 selected but below the critical floor.
    let run = p.run(&["check", "--format", "json", "."]);
    run.assert_code(0);
    assert!(run.json().is_empty());
    assert_eq!(found_codes(&p, &["--severity", "high", "."]), ["DEBUG001"]);
    assert_eq!(
        found_codes(&p, &["--severity", "low", "--select", "SECRET", "."]),
        ["SECRET001", "SECRET002"]
    );
    // fail-on from the file, then from the flag.
    p.run(&["check", "--severity", "low", "."]).assert_code(0);
    p.run(&["check", "--severity", "low", "--fail-on", "high", "."])
        .assert_code(1);
    // --ignore adds to the file's selection.
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nignore = [\"SECRET001\"]\nfail-on = \"high\"\n",
    );
    assert_eq!(found_codes(&p, &["--ignore", "DEBUG", "."]), ["SECRET002"]);
    // extend-select from the file and the flag together.
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nselect = [\"DEBUG\"]\nextend-select = [\"SECRET001\"]\n",
    );
    assert_eq!(
        found_codes(&p, &["--extend-select", "SECRET002", "."]),
        ["DEBUG001", "SECRET001", "SECRET002"]
    );
}

#[test]
fn an_explicit_config_file_replaces_discovery() {
    let p = project();
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nselect = [\"DEBUG\"]\n",
    );
    let elsewhere = Project::new();
    let explicit = elsewhere.write("ci.toml", "select = [\"SECRET001\"]\n");
    let explicit_py = elsewhere.write(
        "pyproject.toml",
        "[tool.routewarden]\nselect = [\"SECRET002\"]\n",
    );
    assert_eq!(
        found_codes(&p, &["--config", explicit.to_str().unwrap(), "."]),
        ["SECRET001"]
    );
    assert_eq!(
        found_codes(&p, &["--config", explicit_py.to_str().unwrap(), "."]),
        ["SECRET002"]
    );
    // A missing or table-less explicit file is an error.
    let run = p.run(&["check", "--config", "missing.toml", "."]);
    run.assert_code(2);
    assert!(run.stderr.contains("missing.toml"), "{}", run.stderr);
    let tableless = elsewhere.write("empty/pyproject.toml", "[project]\nname = \"x\"\n");
    let run = p.run(&["check", "--config", tableless.to_str().unwrap(), "."]);
    run.assert_code(2);
    assert!(run.stderr.contains("tool.routewarden"), "{}", run.stderr);
    // --no-config: a broken file is not even read.
    p.write("pyproject.toml", "[tool.routewarden]\nnot-a-key = 1\n");
    p.run(&["check", "."]).assert_code(2);
    let run = p.run(&["check", "--no-config", "--format", "json", "."]);
    run.assert_code(1);
    assert_eq!(run.json().len(), 3);
}

#[test]
fn family_tables_are_accepted() {
    let p = project();
    p.write(
        "pyproject.toml",
        "[tool.routewarden]\nsrc = [\"src\"]\nreport-unused-suppressions = true\n\n\
         [tool.routewarden.auth]\ndecorators = [\"my_auth_required\"]\npublic-paths = [\"/status\"]\n\n\
         [tool.routewarden.secret]\nkey-names = [\"SIGNING_KEY\"]\n",
    );
    let run = p.run(&["check", "--format", "json", "."]);
    run.assert_code(1);
    assert_eq!(run.json().len(), 3);
}
