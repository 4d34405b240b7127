//! Helpers for the tests that run the real `routewarden` binary on small throw-away projects.

#![allow(dead_code)]

use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long one run of the binary may take before the test fails (and the child is killed).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Code that triggers known rules (line numbers matter to the tests that use them).
pub const FLASK_SECRET: &str =
    "from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = \"dev\"\n";
/// DEBUG001 (high) on line 2.
pub const FASTAPI_DEBUG: &str = "from fastapi import FastAPI\napp = FastAPI(debug=True)\n";
/// SECRET002 (high) on line 2.
pub const ENV_FALLBACK: &str = "import os\nKEY = os.environ.get(\"SECRET_KEY\", \"dev\")\n";

/// A project in a temporary folder.
pub struct Project {
    dir: TempDir,
}

impl Project {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("routewarden-test-")
            .tempdir()
            .expect("temporary folder");
        Self { dir }
    }

    /// The project's root, canonical (so that comparisons with printed paths hold).
    pub fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes a file, creating its folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// Runs `routewarden <args>` in the project's root.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(&self.root(), args)
    }

    /// Runs `routewarden check --no-config <args>` in the project's root.
    pub fn check(&self, args: &[&str]) -> Run {
        let mut all = vec!["check", "--no-config"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// `check --no-config --format json <args>`, asserting the analysis ran.
    pub fn json(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let run = self.check(&all);
        run.assert_ran();
        run.json()
    }
}

impl Default for Project {
    fn default() -> Self {
        Self::new()
    }
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_routewarden")
}

/// The result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit 0 or 1: the analysis finished (with or without findings).
    pub fn assert_ran(&self) {
        assert!(
            matches!(self.code, Some(0 | 1)),
            "routewarden did not finish its analysis: exit {:?}\nstderr:\n{}\nstdout:\n{}",
            self.code,
            self.stderr,
            self.stdout
        );
    }

    pub fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code,
            Some(code),
            "unexpected exit code\nstderr:\n{}\nstdout:\n{}",
            self.stderr,
            self.stdout
        );
    }

    pub fn json(&self) -> Vec<Value> {
        match serde_json::from_str::<Value>(&self.stdout) {
            Ok(Value::Array(items)) => items,
            other => panic!(
                "stdout is not a JSON array: {other:?}\n{}\nstderr: {}",
                self.stdout, self.stderr
            ),
        }
    }
}

/// Runs the binary with a timeout: a run that hangs fails the test instead of hanging it.
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    run_command(Command::new(binary()).args(args).current_dir(cwd))
}

pub fn run_command(command: &mut Command) -> Run {
    let mut child = command
        .env_remove("NO_COLOR")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("routewarden starts");
    // Drain both pipes on threads so a large report cannot block the child.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("routewarden did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = Output {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    };
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `(filename, row, code)` of each finding of a JSON report.
pub fn triples(findings: &[Value]) -> Vec<(String, u64, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["filename"].as_str().unwrap().to_string(),
                f["location"]["row"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The codes of a JSON report, in order.
pub fn codes(findings: &[Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

pub fn t(file: &str, row: u64, code: &str) -> (String, u64, String) {
    (file.to_string(), row, code.to_string())
}

/// Findings of one code.
pub fn with_code<'a>(findings: &'a [Value], code: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["code"] == code).collect()
}
