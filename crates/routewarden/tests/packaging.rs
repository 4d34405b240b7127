//! The Python package and the pre-commit hooks, exercised with the real tools from PyPI:
//! maturin builds the wheel and pip installs it into a fresh virtual environment; pre-commit
//! installs this repository as a hook source (pip builds it through the maturin backend) and
//! runs the hooks on a temporary git repository.
//!
//! These tests need python3 with its `venv` module, git, and access to PyPI. A machine without
//! them fails here, loudly, rather than skipping the tests. The Rust build is shared between
//! the tests and between runs (a folder under the cargo target directory), so only the first
//! build of a checkout compiles the dependencies. It is the release profile, as users get it,
//! but without optimisation (`CARGO_PROFILE_RELEASE_OPT_LEVEL=0`): what is tested here is the
//! packaging, and a cold optimised build takes longer than the rest of the test suite.

mod common;

use common::{expectations, workspace_root};
use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The tools, pinned to versions verified to work here.
const MATURIN: &str = "maturin==1.16.0";
const PRE_COMMIT: &str = "pre-commit==4.7.0";

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The cargo target directory of every build these tests start (maturin's, and the one pip
/// runs for pre-commit), kept between runs.
fn packaging_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("packaging-target")
}

/// What a run of an external tool gave.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn output(&self) -> String {
        format!("stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr)
    }
}

/// The environment of every tool these tests start: the shared cargo target directory, the
/// cargo that runs the tests first on the PATH, pip without prompts, and the maturin version
/// pinned also for the isolated build environments pip makes (a constraints file in the
/// environment reaches them). Cargo's variables describing this test crate are removed so that
/// they cannot leak into the nested builds.
fn command(program: impl AsRef<OsStr>, scratch: &Path) -> Command {
    let mut cmd = Command::new(program);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_BIN_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "PYTHONHOME",
                "PYTHONPATH",
                "VIRTUAL_ENV",
                "PIP_REQUIRE_VIRTUALENV",
                "SKIP",
            ]
            .contains(&key.as_str())
        {
            cmd.env_remove(&key);
        }
    }
    let constraints = scratch.join("constraints.txt");
    if !constraints.is_file() {
        std::fs::write(&constraints, format!("{MATURIN}\n")).unwrap();
    }
    cmd.env("PATH", path_with(&[]))
        .env("CARGO_TARGET_DIR", packaging_target())
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("PIP_CONSTRAINT", &constraints)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

/// Held by a test while it builds: maturin moves the binary cargo built out of the shared
/// target directory to stage it, so two builds at once would take it from each other.
static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn build_lock() -> std::sync::MutexGuard<'static, ()> {
    BUILD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The PATH for the tools: `first`, then the folder of the cargo running the tests, then the
/// PATH of the tests.
fn path_with(first: &[&Path]) -> std::ffi::OsString {
    let cargo_dir = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .filter(|cargo| cargo.is_absolute())
        .and_then(|cargo| cargo.parent().map(Path::to_path_buf));
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(
        first
            .iter()
            .map(|p| p.to_path_buf())
            .chain(cargo_dir)
            .chain(std::env::split_paths(&inherited)),
    )
    .unwrap()
}

/// Runs a command to its end, printing how long it took.
fn run(what: &str, cmd: &mut Command) -> Ran {
    let started = Instant::now();
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start {:?}: {e}", cmd.get_program()));
    eprintln!("{what}: {:.1}s", started.elapsed().as_secs_f64());
    Ran {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a command that must succeed.
fn ok(what: &str, cmd: &mut Command) -> Ran {
    let ran = run(what, cmd);
    assert_eq!(ran.code, Some(0), "{what} failed\n{}", ran.output());
    ran
}

/// A scratch folder for one test.
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("routewarden-{name}-"))
        .tempdir()
        .unwrap()
}

/// python3 is required: CI has it. Missing, the test fails and says what to install.
fn python3() -> &'static str {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "python3 is needed to test the Python package and the pre-commit hooks: install \
         python3 with its venv module and pip (Debian: apt-get install python3-venv python3-pip)"
    );
    "python3"
}

/// Creates a virtual environment and returns its `bin` folder.
fn venv(dir: &Path, scratch: &Path) -> PathBuf {
    ok(
        "python3 -m venv",
        command(python3(), scratch).args(["-m", "venv"]).arg(dir),
    );
    let bin = dir.join("bin");
    assert!(
        bin.join("pip").is_file(),
        "the virtual environment {} has no pip: install python3's ensurepip (Debian: \
         apt-get install python3-venv)",
        dir.display()
    );
    bin
}

/// `(filename, row, code)` of a JSON report.
fn triples(report: &str) -> BTreeSet<(String, u32, String)> {
    let findings: Vec<Value> = serde_json::from_str(report)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{report}"));
    findings
        .iter()
        .map(|f| {
            (
                f["filename"].as_str().unwrap().to_string(),
                f["location"]["row"].as_u64().unwrap() as u32,
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_wheel_installs_a_working_routewarden_command() {
    let tmp = scratch("wheel");
    let scratch = tmp.path();
    let root = workspace_root();

    let build_bin = venv(&scratch.join("build-venv"), scratch);
    ok(
        &format!("pip install {MATURIN}"),
        command(build_bin.join("pip"), scratch).args(["install", "--quiet", MATURIN]),
    );
    let dist = scratch.join("dist");
    let building = build_lock();
    ok(
        "maturin build --release",
        command(build_bin.join("maturin"), scratch)
            .args(["build", "--release", "--out"])
            .arg(&dist)
            .current_dir(&root),
    );
    drop(building);
    let wheels: Vec<PathBuf> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "one wheel: {wheels:?}");
    let wheel = &wheels[0];
    let wheel_name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        wheel_name.starts_with(&format!("routewarden-{VERSION}-py3-none-")),
        "the wheel is named for the crate's version, for any Python 3: {wheel_name}"
    );
    let listing = ok(
        "list the wheel",
        command(python3(), scratch)
            .args(["-m", "zipfile", "-l"])
            .arg(wheel),
    );
    assert!(
        listing
            .stdout
            .contains(&format!("routewarden-{VERSION}.data/scripts/routewarden")),
        "the wheel carries the binary as a script:\n{}",
        listing.stdout
    );

    let metadata = ok(
        "read the wheel's metadata",
        command(python3(), scratch)
            .arg("-c")
            .arg("import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())")
            .arg(wheel)
            .arg(format!("routewarden-{VERSION}.dist-info/METADATA")),
    )
    .stdout;
    for field in [
        "Name: routewarden\n".to_string(),
        format!("Version: {VERSION}\n"),
        "License-Expression: MIT\n".to_string(),
        "Requires-Python: >=3.8\n".to_string(),
        "Summary: A static security analyser for FastAPI, Starlette and Flask applications\n"
            .to_string(),
        "Description-Content-Type: text/markdown".to_string(),
    ] {
        assert!(metadata.contains(&field), "{field:?} not in\n{metadata}");
    }

    // Installed into a fresh environment, from the wheel alone.
    let bin = venv(&scratch.join("venv"), scratch);
    ok(
        "pip install the wheel",
        command(bin.join("pip"), scratch)
            .args(["install", "--quiet", "--no-index"])
            .arg(wheel),
    );
    let show = ok(
        "pip show routewarden",
        command(bin.join("pip"), scratch).args(["show", "routewarden"]),
    );
    assert!(
        show.stdout.contains(&format!("Version: {VERSION}")),
        "{}",
        show.stdout
    );
    let routewarden = bin.join("routewarden");
    assert!(routewarden.is_file(), "no {}", routewarden.display());

    // On the PATH of the environment, it reports the crate's version.
    let version = ok(
        "routewarden --version",
        command("routewarden", scratch)
            .arg("--version")
            .env("PATH", path_with(&[&bin])),
    );
    assert_eq!(version.stdout.trim(), format!("routewarden {VERSION}"));

    // The demo applications, one project per run: each vulnerable one gives exactly its
    // annotated findings and exit code 1, each fixed one nothing and exit code 0.
    let mut codes = BTreeSet::new();
    for app in ["fastapi_vulnerable", "flask_vulnerable"] {
        let ran = run(
            &format!("routewarden check examples/{app}"),
            command(&routewarden, scratch)
                .args(["check", "--format", "json"])
                .arg(format!("examples/{app}"))
                .current_dir(&root),
        );
        assert_eq!(ran.code, Some(1), "{app}\n{}", ran.output());
        let expected: BTreeSet<(String, u32, String)> =
            expectations(&root.join("examples").join(app))
                .into_iter()
                .map(|(file, row, code)| (format!("examples/{app}/{file}"), row, code))
                .collect();
        assert!(!expected.is_empty());
        let found = triples(&ran.stdout);
        assert_eq!(found, expected, "{app}");
        codes.extend(found.into_iter().map(|(_, _, code)| code));
    }
    for code in ["AUTH001", "CORS001", "DEBUG001", "JWT001", "SECRET001"] {
        assert!(codes.contains(code), "{code} not in {codes:?}");
    }
    for app in ["fastapi_fixed", "flask_fixed"] {
        let ran = run(
            &format!("routewarden check examples/{app}"),
            command(&routewarden, scratch)
                .arg("check")
                .arg(format!("examples/{app}"))
                .current_dir(&root),
        );
        assert_eq!(ran.code, Some(0), "{app}\n{}", ran.output());
        assert!(ran.stdout.contains("No findings"), "{}", ran.stdout);
    }
}

/// A copy of this repository as a fresh clone would see it (tracked files and new files that
/// are not ignored, as they are in the working tree), committed in a repository of its own:
/// what pre-commit clones and installs. `pre-commit try-repo` does the same for each call;
/// one copy lets every run below share one installation.
fn hook_repository(dest: &Path, scratch: &Path) -> String {
    let root = workspace_root();
    let listed = ok(
        "git ls-files",
        git(scratch)
            .args([
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ])
            .current_dir(&root),
    );
    let mut copied = 0;
    for rel in listed.stdout.split('\0').filter(|s| !s.is_empty()) {
        let from = root.join(rel);
        // Deleted in the working tree but still in the index: not there for a clone either.
        if !from.is_file() {
            continue;
        }
        let to = dest.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
        copied += 1;
    }
    assert!(
        copied > 10,
        "copied only {copied} files of {}",
        root.display()
    );
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &["commit", "-q", "-m", "routewarden as a fresh clone sees it"],
    ] {
        ok(
            &format!("git {}", args[0]),
            git(scratch).args(args).current_dir(dest),
        );
    }
    ok(
        "git rev-parse",
        git(scratch).args(["rev-parse", "HEAD"]).current_dir(dest),
    )
    .stdout
    .trim()
    .to_string()
}

/// git with an identity, and without the user's or the system's configuration.
fn git(scratch: &Path) -> Command {
    let config = scratch.join("gitconfig");
    if !config.is_file() {
        std::fs::write(
            &config,
            "[user]\n\tname = routewarden tests\n\temail = tests@example.invalid\n\
             [init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
    }
    let mut cmd = command("git", scratch);
    cmd.env("GIT_CONFIG_GLOBAL", &config)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    cmd
}

/// The `.pre-commit-config.yaml` snippet of README.md.
fn readme_pre_commit_config() -> String {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains("repos:") && block.contains("id: routewarden"))
        .expect("README.md shows a .pre-commit-config.yaml with the routewarden hook")
        .to_string()
}

/// The README's configuration pointed at `repo` and `rev`, with `hook` as the hook.
fn pre_commit_config(repo: &Path, rev: &str, hook: &str) -> String {
    readme_pre_commit_config()
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            if let Some(rest) = trimmed.strip_prefix("- repo:") {
                assert!(!rest.trim().is_empty());
                format!("{indent}- repo: {}", repo.display())
            } else if trimmed.starts_with("rev:") {
                format!("{indent}rev: {rev}")
            } else if trimmed.starts_with("- id: routewarden") {
                format!("{indent}- id: {hook}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

const BAD_FLASK: &str = r#"from flask import Flask

app = Flask(__name__)
app.secret_key = "dev"


@app.get("/")
def index():
    return "hello"


if __name__ == "__main__":
    app.run(debug=True)
"#;

const GOOD_FLASK: &str = r#"import os

from flask import Flask

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]


@app.get("/")
def index():
    return "hello"
"#;

/// A router whose authentication is set up in another module (`api/main.py`).
const API_FILES: &[(&str, &str)] = &[
    ("api/__init__.py", ""),
    (
        "api/auth.py",
        "from fastapi import Header, HTTPException\n\n\n\
         def current_user(authorization: str = Header()):\n    \
         if not authorization:\n        raise HTTPException(status_code=401)\n    \
         return authorization\n",
    ),
    (
        "api/users.py",
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n\
         @router.delete(\"/{user_id}\")\ndef delete_user(user_id: int):\n    return None\n",
    ),
    (
        "api/main.py",
        "from fastapi import Depends, FastAPI\n\nfrom api.auth import current_user\n\
         from api.users import router\n\napp = FastAPI()\n\
         app.include_router(router, prefix=\"/users\", dependencies=[Depends(current_user)])\n",
    ),
];

#[test]
fn pre_commit_runs_the_hooks_on_a_git_repository() {
    let tmp = scratch("pre-commit");
    let scratch = tmp.path();
    let hooks_repo = scratch.join("routewarden");
    let rev = hook_repository(&hooks_repo, scratch);

    let bin = venv(&scratch.join("venv"), scratch);
    ok(
        &format!("pip install {PRE_COMMIT}"),
        command(bin.join("pip"), scratch).args(["install", "--quiet", PRE_COMMIT]),
    );
    let pre_commit_home = scratch.join("pre-commit-home");
    let project = scratch.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let write = |rel: &str, text: &str| {
        let path = project.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let pre_commit = |args: &[&str]| {
        let what = format!("pre-commit {}", args.join(" "));
        let mut cmd = command(bin.join("pre-commit"), scratch);
        cmd.args(args)
            .current_dir(&project)
            .env("PRE_COMMIT_HOME", &pre_commit_home)
            .env("PRE_COMMIT_COLOR", "never")
            .env("GIT_CONFIG_GLOBAL", scratch.join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1");
        run(&what, &mut cmd)
    };
    let git_in_project = |args: &[&str]| {
        let mut cmd = git(scratch);
        // The git hook that `pre-commit install` writes runs pre-commit from its venv.
        cmd.args(args)
            .current_dir(&project)
            .env("PATH", path_with(&[&bin]))
            .env("PRE_COMMIT_HOME", &pre_commit_home)
            .env("PRE_COMMIT_COLOR", "never");
        run(&format!("git {}", args.join(" ")), &mut cmd)
    };

    // The project: the README's configuration, its own routewarden configuration excluding
    // `legacy/`, a clean module and a FastAPI package whose router gets its authentication
    // from the module that includes it.
    write(
        ".pre-commit-config.yaml",
        &pre_commit_config(&hooks_repo, &rev, "routewarden"),
    );
    write(
        "project-hooks.yaml",
        &pre_commit_config(&hooks_repo, &rev, "routewarden-project"),
    );
    write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.routewarden]\nextend-exclude = [\"legacy\"]\n",
    );
    write("good.py", GOOD_FLASK);
    write("legacy/old.py", BAD_FLASK);
    for (rel, text) in API_FILES {
        write(rel, text);
    }
    let init = git_in_project(&["init", "-q"]);
    assert_eq!(init.code, Some(0), "{}", init.output());
    let add = git_in_project(&["add", "-A"]);
    assert_eq!(add.code, Some(0), "{}", add.output());
    let first = git_in_project(&["commit", "-q", "-m", "first"]);
    assert_eq!(first.code, Some(0), "{}", first.output());

    // Installing builds routewarden from the hook repository (pip, maturin, cargo).
    let building = build_lock();
    let installed = pre_commit(&["install", "--install-hooks"]);
    drop(building);
    assert_eq!(installed.code, Some(0), "{}", installed.output());

    // The good file passes; an excluded file passes even when pre-commit names it.
    let clean = pre_commit(&["run", "routewarden", "--files", "good.py", "legacy/old.py"]);
    assert_eq!(clean.code, Some(0), "{}", clean.output());
    assert!(clean.stdout.contains("Passed"), "{}", clean.output());

    // The project hook analyses the whole project: the router's authentication is found in
    // api/main.py, and legacy/ is excluded.
    let project_clean = pre_commit(&[
        "run",
        "--config",
        "project-hooks.yaml",
        "routewarden-project",
        "--files",
        "api/users.py",
    ]);
    assert_eq!(project_clean.code, Some(0), "{}", project_clean.output());

    // A bad file fails the hook with its findings; the good one named with it is fine.
    write("app.py", BAD_FLASK);
    let bad = pre_commit(&["run", "routewarden", "--files", "app.py", "good.py"]);
    assert_eq!(bad.code, Some(1), "{}", bad.output());
    for expected in [
        "Failed",
        "- exit code: 1",
        "SECRET001",
        "--> app.py:4:1",
        "DEBUG001",
        "--> app.py:13:5",
        "Found 2 findings",
    ] {
        assert!(
            bad.stdout.contains(expected),
            "`{expected}` missing:\n{}",
            bad.output()
        );
    }
    assert!(!bad.stdout.contains("good.py:"), "{}", bad.output());
    let good = pre_commit(&["run", "routewarden", "--files", "good.py"]);
    assert_eq!(good.code, Some(0), "{}", good.output());
    let project_bad = pre_commit(&[
        "run",
        "--config",
        "project-hooks.yaml",
        "routewarden-project",
        "--files",
        "good.py",
    ]);
    assert_eq!(project_bad.code, Some(1), "{}", project_bad.output());
    assert!(
        project_bad.stdout.contains("--> app.py:4:1") && !project_bad.stdout.contains("legacy/"),
        "{}",
        project_bad.output()
    );

    // As a git hook: committing the bad file is refused, the fixed file goes in.
    assert_eq!(git_in_project(&["add", "app.py"]).code, Some(0));
    let refused = git_in_project(&["commit", "-m", "add app"]);
    assert_ne!(refused.code, Some(0), "{}", refused.output());
    let said = format!("{}{}", refused.stdout, refused.stderr);
    assert!(said.contains("SECRET001"), "{}", refused.output());
    write("app.py", GOOD_FLASK);
    assert_eq!(git_in_project(&["add", "app.py"]).code, Some(0));
    let committed = git_in_project(&["commit", "-m", "add app"]);
    assert_eq!(committed.code, Some(0), "{}", committed.output());
    assert!(
        format!("{}{}", committed.stdout, committed.stderr).contains("Passed"),
        "{}",
        committed.output()
    );
}
