//! Keeps README.md true: its rule table is the rule table in the code, its test command is the
//! one CI runs, and its options, configuration keys, configuration example and suppression
//! example match what the program accepts and does.

mod common;

use clap::CommandFactory;
use common::{findings, workspace_root};
use routewarden::cli::Cli;
use routewarden_rules::registry;
use std::collections::BTreeSet;

fn readme() -> String {
    std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md at the root")
}

/// Every fenced block as (info string, body), in order.
fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let fence = trimmed.starts_with("```");
        match (&mut current, fence) {
            (None, true) => current = Some((trimmed[3..].trim().to_string(), String::new())),
            (Some(_), true) => blocks.push(current.take().unwrap()),
            (Some((_, body)), false) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, false) => {}
        }
    }
    blocks
}

/// The bodies of the fenced blocks whose info string is `lang`.
fn blocks_of(text: &str, lang: &str) -> Vec<String> {
    fenced_blocks(text)
        .into_iter()
        .filter(|(info, _)| info == lang)
        .map(|(_, body)| body)
        .collect()
}

#[test]
fn rule_table_matches_the_registry() {
    let text = readme();
    let documented: Vec<String> = text
        .lines()
        .filter(|line| {
            let first_cell = line
                .trim()
                .strip_prefix('|')
                .and_then(|rest| rest.split('|').next())
                .map(str::trim)
                .unwrap_or("");
            let family = first_cell.trim_end_matches(|c: char| c.is_ascii_digit());
            family.len() + 3 == first_cell.len()
                && !family.is_empty()
                && family.chars().all(|c| c.is_ascii_uppercase())
        })
        .map(|line| line.trim().to_string())
        .collect();
    let expected: Vec<String> = registry::all_metas()
        .iter()
        .map(|m| {
            format!(
                "| {} | {} | {} | {} | {} |",
                m.code,
                m.name,
                m.severity.as_str(),
                m.confidence.as_str(),
                m.family()
            )
        })
        .collect();
    assert!(
        documented == expected,
        "the rule table in README.md differs from registry::all_metas(); the rows should be:\n\n\
         | code | name | severity | confidence | family |\n|---|---|---|---|---|\n{}\n\n\
         README.md has:\n{}",
        expected.join("\n"),
        documented.join("\n")
    );
    assert!(
        text.contains("| code | name | severity | confidence | family |"),
        "the rule table's header is missing"
    );
}

/// The README's documented test command: the one line of its `sh` blocks that runs `cargo test`.
fn documented_test_command() -> String {
    let commands: BTreeSet<String> = blocks_of(&readme(), "sh")
        .iter()
        .flat_map(|b| b.lines().map(|l| l.trim().to_string()).collect::<Vec<_>>())
        .filter(|l| l.starts_with("cargo test"))
        .collect();
    assert_eq!(
        commands.len(),
        1,
        "README.md should document exactly one test command in its `sh` blocks: {commands:?}"
    );
    commands.into_iter().next().unwrap()
}

#[test]
fn ci_runs_the_documented_test_command() {
    let command = documented_test_command();
    let ci = std::fs::read_to_string(workspace_root().join(".ci/run")).expect(".ci/run");
    // The command itself, then nothing but a redirection, a pipe or the end of the line, so
    // that `cargo test --workspace --locked` does not match `cargo test --workspace`.
    let runs_it = ci.lines().map(str::trim).any(|line| {
        line.strip_prefix(command.as_str()).is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.is_empty()
                || ["|", ">", "2>", "&&", ";"]
                    .iter()
                    .any(|s| rest.starts_with(s))
        })
    });
    assert!(
        runs_it,
        ".ci/run should run the README's test command `{command}` as a line of its own \
         (optionally followed by a redirection or pipe)"
    );
}

#[test]
fn readme_documents_the_demo_command() {
    let text = readme();
    let sh = blocks_of(&text, "sh").join("\n");
    assert!(
        sh.lines()
            .any(|l| l.trim().starts_with("cargo run") && l.contains("check examples/")),
        "the README's quick start should run `check` on examples/"
    );
    assert!(workspace_root().join("examples").is_dir());
}

#[test]
fn every_option_of_check_is_documented() {
    let text = readme();
    let command = Cli::command();
    let check = command
        .find_subcommand("check")
        .expect("a check subcommand");
    let mut missing = Vec::new();
    for arg in check.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if long == "help" {
            continue;
        }
        let flag = format!("`--{long}");
        if !text.contains(&flag) {
            missing.push(format!("--{long}"));
        }
        if !arg.get_action().takes_values() {
            continue;
        }
        for value in arg.get_possible_values() {
            if !value.is_hide_set() && !text.contains(value.get_name()) {
                missing.push(format!("--{long} {}", value.get_name()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "README.md does not document these options of `check`: {missing:?}"
    );
    for sub in command.get_subcommands() {
        let name = sub.get_name();
        if name != "help" {
            assert!(
                text.contains(&format!("`routewarden {name}")),
                "README.md does not document the `{name}` command"
            );
        }
    }
}

/// The configuration keys, read from the `serde` structures of `src/config.rs`: every field of
/// every `*Config` structure, kebab-cased.
fn configuration_keys() -> Vec<String> {
    let source =
        std::fs::read_to_string(workspace_root().join("crates/routewarden/src/config.rs")).unwrap();
    let mut keys = Vec::new();
    let mut in_config_struct = false;
    for line in source.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("pub struct ") && trimmed.ends_with('{') {
            let name = trimmed["pub struct ".len()..].trim_end_matches('{').trim();
            in_config_struct = name.ends_with("Config") && !name.starts_with("Loaded");
            continue;
        }
        if trimmed == "}" {
            in_config_struct = false;
            continue;
        }
        if in_config_struct
            && let Some(field) = trimmed
                .strip_prefix("pub ")
                .and_then(|rest| rest.split(':').next())
        {
            keys.push(field.trim().replace('_', "-"));
        }
    }
    keys
}

#[test]
fn every_configuration_key_is_documented() {
    let text = readme();
    let keys = configuration_keys();
    assert!(
        keys.len() >= 10,
        "could not read the keys from config.rs: {keys:?}"
    );
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| {
            !text.contains(&format!("`{k}`")) && !text.contains(&format!("[tool.routewarden.{k}]"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "README.md does not document these configuration keys: {missing:?}"
    );
}

#[test]
fn the_configuration_example_is_valid() {
    let blocks = blocks_of(&readme(), "toml");
    assert!(!blocks.is_empty(), "README.md has no configuration example");
    for block in blocks {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pyproject.toml");
        std::fs::write(&path, &block).unwrap();
        match routewarden::config::load_file(&path) {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the README's example has no [tool.routewarden] table:\n{block}"),
            Err(e) => panic!("the README's configuration example is rejected: {e}\n{block}"),
        }
    }
}

/// The suppression example suppresses every finding of its code, and every suppression in it
/// is used: without the comments the same code is reported.
#[test]
fn the_suppression_example_works() {
    let block = blocks_of(&readme(), "python")
        .into_iter()
        .find(|b| b.contains("routewarden: ignore[") && b.contains("noqa:"))
        .expect("a python block showing both suppression forms");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("routewarden.toml"),
        "report-unused-suppressions = true\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.py"), &block).unwrap();
    let suppressed = findings(dir.path(), &[], 1);
    assert!(
        suppressed.is_empty(),
        "the README's suppression example still reports {suppressed:?}"
    );
    let stripped: String = block
        .lines()
        .map(|line| match line.find("  # ") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("app.py"), stripped).unwrap();
    let reported: BTreeSet<String> = findings(dir.path(), &[], 1)
        .into_iter()
        .map(|(_, _, code)| code)
        .collect();
    for code in ["DEBUG001", "SECRET001"] {
        assert!(
            reported.contains(code),
            "without its comments the suppression example should report {code}: {reported:?}"
        );
    }
}

/// The sample report is real: running the command the README names gives the same findings
/// (code and location) and the same summary line. The wording of messages may drift; paste
/// the new output when it does.
#[test]
fn the_sample_report_is_what_the_command_prints() {
    let text = readme();
    let intro = text
        .lines()
        .find(|l| l.starts_with("`routewarden check ") && l.ends_with("` prints:"))
        .expect("a line introducing the sample report: `routewarden check ...` prints:");
    let args: Vec<&str> = intro
        .trim_start_matches("`routewarden ")
        .trim_end_matches("` prints:")
        .split_whitespace()
        .collect();
    let sample = text[text.find(intro).unwrap()..]
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the sample report in a text block after its command");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_routewarden"))
        .current_dir(workspace_root())
        .args(&args)
        .args(["--color", "never"])
        .output()
        .unwrap();
    let actual = String::from_utf8(output.stdout).unwrap();
    let shape = |report: &str| -> Vec<String> {
        let mut code = String::new();
        let mut lines = Vec::new();
        for line in report.lines() {
            if let Some(first) = line.split_whitespace().next()
                && line.starts_with(first)
                && first.len() > 3
                && first.chars().all(|c| c.is_ascii_alphanumeric())
                && first.chars().rev().take(3).all(|c| c.is_ascii_digit())
            {
                code = first.to_string();
            }
            if let Some(location) = line.trim_start().strip_prefix("--> ") {
                lines.push(format!("{code} {location}"));
            }
            if line.starts_with("Found ") || line.starts_with("No findings") {
                lines.push(line.to_string());
            }
        }
        lines
    };
    assert_eq!(
        shape(sample),
        shape(&actual),
        "the sample report in README.md no longer matches `routewarden {}`; paste its output:\n{actual}",
        args.join(" ")
    );
}
