//! The options of `check` that decide what is shown and how the run exits.

mod support;

use routewarden::analysis;
use routewarden::cli::{Cli, Command};
use routewarden::config::LoadedConfig;
use routewarden_python::ast::{Call, Expr};
use routewarden_rules::context::FileContext;
use routewarden_rules::{Confidence, Findings, Rule, RuleMeta};
use support::*;

/// SECRET001 (critical), DEBUG001 and SECRET002 (high) and PARSE001 (low).
fn mixed() -> Project {
    let p = Project::new();
    p.write("app.py", FLASK_SECRET);
    p.write("api.py", FASTAPI_DEBUG);
    p.write("config.py", ENV_FALLBACK);
    p.write("broken.py", "def f(:\n");
    p
}

#[test]
fn exit_codes_follow_fail_on() {
    let p = mixed();
    p.check(&["."]).assert_code(1);
    p.check(&["--fail-on", "low", "."]).assert_code(1);
    p.check(&["--fail-on", "high", "."]).assert_code(1);
    p.check(&["--fail-on", "critical", "."]).assert_code(1);
    let q = Project::new();
    q.write("api.py", FASTAPI_DEBUG);
    q.write("broken.py", "def f(:\n");
    // Only high and low findings: below critical, so exit 0; but they are still reported.
    let run = q.check(&["--fail-on", "critical", "."]);
    run.assert_code(0);
    assert!(run.stdout.contains("DEBUG001") && run.stdout.contains("PARSE001"));
    q.check(&["--fail-on", "HIGH", "."]).assert_code(1);
    q.check(&["--fail-on", "medium", "."]).assert_code(1);
    let clean = Project::new();
    clean.write("ok.py", "x = 1\n");
    clean.check(&["."]).assert_code(0);
    let run = q.check(&["--fail-on", "urgent", "."]);
    run.assert_code(2);
    assert!(run.stderr.contains("urgent"), "{}", run.stderr);
}

#[test]
fn exit_zero_exits_zero_whatever_is_found_but_not_when_the_run_fails() {
    let p = mixed();
    let run = p.check(&["--exit-zero", "."]);
    run.assert_code(0);
    assert!(run.stdout.contains("SECRET001"));
    p.check(&["--exit-zero", "missing.py"]).assert_code(2);
    p.check(&["--exit-zero", "--select", "NOPE", "."])
        .assert_code(2);
}

#[test]
fn severity_floor_hides_what_is_below_it() {
    let p = mixed();
    let all = p.json(&["."]);
    assert_eq!(
        codes(&all).len(),
        4,
        "{:?}",
        codes(&all) // SECRET001, DEBUG001, SECRET002, PARSE001
    );
    assert_eq!(
        codes(&p.json(&["--severity", "critical", "."])),
        ["SECRET001"]
    );
    let high = p.json(&["--severity", "high", "."]);
    let mut high_codes = codes(&high);
    high_codes.sort();
    assert_eq!(high_codes, ["DEBUG001", "SECRET001", "SECRET002"]);
    assert_eq!(p.json(&["--severity", "medium", "."]).len(), 3);
    assert_eq!(p.json(&["--severity", "low", "."]).len(), 4);
    // What is hidden does not fail the run.
    let q = Project::new();
    q.write("broken.py", "def f(:\n");
    q.check(&["--severity", "medium", "."]).assert_code(0);
    q.check(&["--severity", "bogus", "."]).assert_code(2);
}

#[test]
fn confidence_floor_is_parsed_and_rejects_bad_values() {
    let p = mixed();
    // Every finding here is high confidence.
    assert_eq!(p.json(&["--confidence", "high", "."]).len(), 4);
    let run = p.check(&["--confidence", "certain", "."]);
    run.assert_code(2);
    assert!(run.stderr.contains("certain"), "{}", run.stderr);
}

routewarden_rules::declare_rule! {
    /// ## What it finds
    /// Every call, with low confidence.
    ///
    /// ## Why is this dangerous
    /// It is a test.
    ///
    /// ## Example
    /// ```python
    /// f()
    /// ```
    ///
    /// ## Fix
    /// None.
    static UNSURE = {
        code: "DEBUG991",
        name: "unsure-test-rule",
        severity: High,
        confidence: Low,
        cwe: 1,
        fix: "Nothing",
    }
}

struct Unsure;

impl Rule for Unsure {
    fn meta(&self) -> &'static RuleMeta {
        &UNSURE
    }
    fn on_call(&self, _cx: &FileContext, expr: &Expr, _call: &Call, out: &mut Findings) {
        out.report(&UNSURE, expr.span, "a call");
    }
}

/// `--confidence` as the command line builds it, applied to a rule of low confidence.
#[test]
fn confidence_floor_hides_less_confident_findings() {
    let p = Project::new();
    p.write("app.py", "f()\n");
    let run_with = |flags: &[&str]| -> Vec<&'static str> {
        let mut argv = vec!["routewarden", "check", "--no-config"];
        argv.extend_from_slice(flags);
        let cli = <Cli as clap::Parser>::try_parse_from(argv).unwrap();
        let Command::Check(args) = cli.command else {
            panic!("not check")
        };
        let (mut settings, _) =
            routewarden::cli::settings_for(&args, &LoadedConfig::default()).unwrap();
        settings.base = p.root();
        let analysis = analysis::analyze(&[p.root()], &settings, &[&Unsure]).unwrap();
        analysis.diagnostics.iter().map(|d| d.rule.code).collect()
    };
    assert_eq!(run_with(&[]), ["DEBUG991"]);
    assert_eq!(run_with(&["--confidence", "low"]), ["DEBUG991"]);
    assert!(run_with(&["--confidence", "medium"]).is_empty());
    assert!(run_with(&["--confidence", "high"]).is_empty());
    assert_eq!(UNSURE.confidence, Confidence::Low);
}

#[test]
fn select_ignore_and_extend_select_by_code_and_family() {
    let p = mixed();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        sorted(codes(&p.json(&["--select", "SECRET", "."]))),
        ["SECRET001", "SECRET002"]
    );
    assert_eq!(
        codes(&p.json(&["--select", "SECRET001", "."])),
        ["SECRET001"]
    );
    assert_eq!(
        sorted(codes(&p.json(&["--select", "secret001,debug", "."]))),
        ["DEBUG001", "SECRET001"]
    );
    assert_eq!(
        sorted(codes(
            &p.json(&["--select", "SECRET", "--select", "PARSE", "."])
        )),
        ["PARSE001", "SECRET001", "SECRET002"]
    );
    assert_eq!(
        sorted(codes(&p.json(&["--ignore", "SECRET", "."]))),
        ["DEBUG001", "PARSE001"]
    );
    assert_eq!(
        sorted(codes(&p.json(&["--ignore", "SECRET002,PARSE", "."]))),
        ["DEBUG001", "SECRET001"]
    );
    assert_eq!(
        sorted(codes(&p.json(&[
            "--select",
            "DEBUG",
            "--extend-select",
            "SECRET002",
            "."
        ]))),
        ["DEBUG001", "SECRET002"]
    );
    // The more specific selector wins.
    assert_eq!(
        codes(&p.json(&["--ignore", "SECRET", "--select", "SECRET002", "."])),
        ["SECRET002"]
    );
    assert_eq!(
        codes(&p.json(&["--select", "SECRET", "--ignore", "SECRET001", "."])),
        ["SECRET002"]
    );
    assert_eq!(
        sorted(codes(
            &p.json(&["--select", "ALL", "--ignore", "PARSE", "."])
        )),
        ["DEBUG001", "SECRET001", "SECRET002"]
    );
    // Ignored findings do not fail the run.
    p.check(&["--ignore", "SECRET,DEBUG,PARSE", "."])
        .assert_code(0);
}

#[test]
fn an_unknown_selector_is_an_error() {
    let p = mixed();
    for flag in ["--select", "--ignore", "--extend-select"] {
        for selector in ["NOPE", "SECRET999", "SECRET0001", "SECRET001X", "S105"] {
            let run = p.check(&[flag, selector, "."]);
            run.assert_code(2);
            assert!(
                run.stderr.contains(selector),
                "{flag} {selector}: {}",
                run.stderr
            );
            assert!(run.stdout.is_empty());
        }
    }
}

#[test]
fn bad_arguments_exit_2_and_help_exits_0() {
    let p = mixed();
    let run = p.check(&["--format", "yaml", "."]);
    run.assert_code(2);
    assert!(run.stderr.contains("yaml"), "{}", run.stderr);
    p.run(&["check", "--no-such-flag"]).assert_code(2);
    p.run(&["check", "--config", "x.toml", "--no-config"])
        .assert_code(2);
    let help = p.run(&["check", "--help"]);
    help.assert_code(0);
    assert!(help.stdout.contains("--fail-on"));
    let version = p.run(&["--version"]);
    version.assert_code(0);
    assert!(version.stdout.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_default_path_is_the_current_folder() {
    let p = mixed();
    let run = p.check(&["--format", "json"]);
    run.assert_code(1);
    assert_eq!(run.json().len(), 4);
}

#[test]
fn rule_and_rules_describe_the_catalogue() {
    let p = Project::new();
    let run = p.run(&["rule", "SECRET001"]);
    run.assert_code(0);
    assert!(run.stdout.starts_with("SECRET001 hardcoded-secret-key"));
    for section in [
        "## What it finds",
        "## Why is this dangerous",
        "## Example",
        "## Fix",
    ] {
        assert!(run.stdout.contains(section), "{section}");
    }
    p.run(&["rule", "secret001"]).assert_code(0);
    let run = p.run(&["rule", "NOPE001"]);
    run.assert_code(2);
    assert!(run.stderr.contains("NOPE001"));
    let run = p.run(&["rules", "--format", "json"]);
    run.assert_code(0);
    let rules = run.json();
    assert!(rules.iter().any(|r| r["code"] == "DEBUG001"));
    for r in &rules {
        for key in ["code", "name", "family", "severity", "confidence", "cwe"] {
            assert!(!r[key].is_null(), "{key} in {r}");
        }
    }
}

#[test]
fn context_is_analysed_but_only_the_named_files_are_reported() {
    let p = Project::new();
    p.write(
        "app/main.py",
        "from fastapi import Depends, FastAPI\n\
         from app.auth import current_user\n\
         from app import admin\n\
         app = FastAPI()\n\
         app.include_router(admin.router, dependencies=[Depends(current_user)])\n",
    );
    p.write("app/__init__.py", "");
    p.write(
        "app/auth.py",
        "from fastapi import HTTPException, Request\n\
         def current_user(request: Request):\n    \
             if not request.headers.get(\"authorization\"):\n        \
                 raise HTTPException(status_code=401)\n",
    );
    p.write(
        "app/admin.py",
        "from fastapi import APIRouter\n\
         router = APIRouter()\n\
         @router.delete(\"/users/{user_id}\")\n\
         def delete_user(user_id: int):\n    \
             return None\n",
    );
    p.write("app/config.py", FLASK_SECRET);
    // Alone, the router looks unprotected: its authentication is set up in another module.
    let alone = p.json(&["--select", "AUTH001", "app/admin.py"]);
    assert_eq!(alone.len(), 1, "{alone:?}");
    // With the project as context the router is known to be mounted behind `current_user`.
    let run = p.check(&["--context", ".", "app/admin.py"]);
    run.assert_code(0);
    assert!(!run.stdout.contains("AUTH001"), "{}", run.stdout);
    // Findings of context files are not reported, but those of named files are.
    assert!(!run.stdout.contains("SECRET001"), "{}", run.stdout);
    let named = p.json(&["--context", ".", "app/config.py"]);
    assert!(
        named
            .iter()
            .all(|f| f["filename"].as_str().unwrap().ends_with("config.py"))
    );
    assert!(named.iter().any(|f| f["code"] == "SECRET001"), "{named:?}");
}

#[test]
fn folders_above_the_project_do_not_make_it_test_code() {
    // A checkout under `~/test/`: its files are not test code, so session rules still apply.
    let p = Project::new();
    p.write(
        "test/shop/app.py",
        "import secrets\n\
         from flask import Flask, make_response\n\
         app = Flask(__name__)\n\
         @app.route(\"/\")\n\
         def index():\n    \
             response = make_response(\"hi\")\n    \
             response.set_cookie(\"session_id\", secrets.token_hex(16))\n    \
             return response\n",
    );
    let elsewhere = Project::new();
    let project = p.path("test/shop");
    let run = run_in(
        &elsewhere.root(),
        &[
            "check",
            "--no-config",
            "--select",
            "SESS003",
            project.to_str().unwrap(),
        ],
    );
    assert!(
        run.stdout.contains("SESS003"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

/// A route protected only when a setting is on is reported at the rule's severity but at low
/// confidence, in JSON and SARIF, and `--confidence medium` hides it.
#[test]
fn conditional_protection_lowers_a_findings_confidence() {
    let p = Project::new();
    p.write(
        "app.py",
        r#"import hmac
import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

API_TOKEN = os.environ.get("API_TOKEN")


def create_app() -> FastAPI:
    app = FastAPI()
    if API_TOKEN is not None:

        @app.middleware("http")
        async def check_token(request: Request, call_next):
            given = request.headers.get("x-token", "")
            if not hmac.compare_digest(given, API_TOKEN):
                return JSONResponse({"detail": "Unauthorized"}, status_code=401)
            return await call_next(request)

    @app.delete("/accounts/{account_id}")
    async def delete_account(account_id: int):
        return {"deleted": account_id}

    return app
"#,
    );
    let findings = p.json(&["--select", "AUTH001", "."]);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["severity"], "high");
    assert_eq!(findings[0]["confidence"], "low");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("only conditionally"),
        "{}",
        findings[0]["message"]
    );
    assert!(
        p.json(&["--select", "AUTH001", "--confidence", "medium", "."])
            .is_empty()
    );
    let sarif = p.check(&["--select", "AUTH001", "--format", "sarif", "."]);
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(
        doc["runs"][0]["results"][0]["properties"]["confidence"],
        "low"
    );
}

/// A slowapi limiter never attached but whose `.limit(...)` decorators guard routes loses only
/// its default limits: reported at low confidence and saying so; one that decorates nothing
/// keeps the rule's confidence.
#[test]
fn an_unattached_slowapi_limiter_used_by_decorators_is_a_low_confidence_finding() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../routewarden_rules/fixtures/RATE002/slowapi_decorators_of_an_unattached_limiter");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_routewarden"))
        .args(["check", "--no-config", "--exit-zero", "--format", "json"])
        .arg(&fixture)
        .output()
        .expect("the routewarden binary runs");
    let findings: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("JSON output");
    let seen: Vec<(u64, &str, bool)> = findings
        .iter()
        .map(|f| {
            (
                f["location"]["row"].as_u64().unwrap_or(0),
                f["confidence"].as_str().unwrap_or(""),
                f["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("decorators still do"),
            )
        })
        .collect();
    assert_eq!(seen, vec![(5, "low", true), (6, "high", false)]);
}
