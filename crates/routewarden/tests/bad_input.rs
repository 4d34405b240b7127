//! Bad input never stops the run: every file that cannot be analysed is a finding, and every
//! other file is still analysed.

mod support;

use routewarden::analysis::{self, Settings};
use routewarden_python::ast::{Call, Expr};
use routewarden_rules::context::FileContext;
use routewarden_rules::{Findings, Rule, RuleMeta, registry};
use std::path::PathBuf;
use std::process::Command;
use support::*;

#[test]
fn an_empty_file_is_analysed_and_reports_nothing() {
    let p = Project::new();
    p.write("empty.py", "");
    p.write("app.py", FASTAPI_DEBUG);
    let run = p.check(&["--format", "json", "."]);
    run.assert_code(1);
    assert_eq!(triples(&run.json()), vec![t("app.py", 2, "DEBUG001")]);
    let text = p.check(&["."]);
    assert!(text.stdout.contains("in 2 files"), "{}", text.stdout);

    let only_empty = Project::new();
    only_empty.write("empty.py", "");
    let run = only_empty.check(&["."]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("No findings in 1 file"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_syntax_error_is_a_finding_and_the_rest_is_still_analysed() {
    let p = Project::new();
    // The valid part of the broken file still yields its finding.
    p.write(
        "broken.py",
        "from fastapi import FastAPI\napp = FastAPI(debug=True)\n\ndef handler(:\n    return 1\n",
    );
    p.write("other.py", FLASK_SECRET);
    let run = p.check(&["--format", "json", "."]);
    run.assert_code(1);
    let findings = run.json();
    assert_eq!(
        triples(&findings),
        vec![
            t("broken.py", 2, "DEBUG001"),
            t("broken.py", 4, "PARSE001"),
            t("other.py", 4, "SECRET001"),
        ]
    );
    let parse = with_code(&findings, "PARSE001")[0];
    assert_eq!(parse["severity"], "low");
    assert!(
        parse["message"]
            .as_str()
            .unwrap()
            .starts_with("syntax error"),
        "{parse}"
    );
}

#[test]
fn a_syntax_error_alone_fails_the_run_but_does_not_stop_it() {
    let p = Project::new();
    p.write("broken.py", "def f(:\n");
    let run = p.check(&["."]);
    // PARSE001 is a (low) finding: exit 1 with the default `--fail-on low`, not 2.
    run.assert_code(1);
    assert!(run.stdout.contains("PARSE001"), "{}", run.stdout);
    p.check(&["--fail-on", "medium", "."]).assert_code(0);
}

#[test]
fn invalid_utf8_is_a_parse002_finding() {
    let p = Project::new();
    p.write(
        "bad.py",
        b"from fastapi import FastAPI\nname = '\xff\xfe caf\xe9'\napp = FastAPI(debug=True)\n",
    );
    p.write("good.py", FASTAPI_DEBUG);
    let run = p.check(&["--format", "json", "."]);
    run.assert_code(1);
    let findings = run.json();
    assert_eq!(
        triples(&findings),
        vec![t("bad.py", 1, "PARSE002"), t("good.py", 2, "DEBUG001")]
    );
    assert!(
        findings[0]["message"].as_str().unwrap().contains("UTF-8"),
        "{}",
        findings[0]
    );
}

#[test]
fn a_latin1_file_with_a_coding_line_is_analysed() {
    let p = Project::new();
    let mut source = b"# -*- coding: latin-1 -*-\nimport os\n".to_vec();
    // `\xe9` is one character: the finding's column counts characters, not bytes.
    source.extend_from_slice(b"K = (\"caf\xe9\", os.environ.get(\"SECRET_KEY\", \"dev\"))\n");
    p.write("legacy.py", source);
    let findings = p.json(&["."]);
    assert_eq!(triples(&findings), vec![t("legacy.py", 3, "SECRET002")]);
    assert_eq!(findings[0]["location"]["column"], 14);

    // The same bytes without the declaration are not Python.
    let q = Project::new();
    let body = b"K = (\"caf\xe9\", os.environ.get(\"SECRET_KEY\", \"dev\"))\n";
    q.write("legacy.py", [b"import os\n".as_slice(), body].concat());
    assert_eq!(codes(&q.json(&["."])), vec!["PARSE002"]);
    // Other spellings of the declaration, on line 1 or on line 2 after a comment.
    for header in [
        b"# vim: set fileencoding=iso-8859-1 :\nimport os\n".as_slice(),
        b"#!/usr/bin/env python\n# coding=latin_1\nimport os\n",
        b"# -*- coding: cp1252 -*-\nimport os\n",
    ] {
        q.write("legacy.py", [header, body].concat());
        assert_eq!(
            codes(&q.json(&["."])),
            vec!["SECRET002"],
            "{}",
            String::from_utf8_lossy(header)
        );
    }
    // Windows-1252 is decoded as such: 0x80 is the euro sign, one character.
    q.write(
        "legacy.py",
        b"# coding: windows-1252\nimport os\nK = (\"\x80\x93\", os.environ.get(\"SECRET_KEY\", \"dev\"))\n",
    );
    let findings = q.json(&["."]);
    assert_eq!(triples(&findings), vec![t("legacy.py", 3, "SECRET002")]);
    assert_eq!(findings[0]["location"]["column"], 12);
    // Not a declaration: after code on line 1, or on line 2 after a line of code.
    for header in [
        b"import os  # coding: latin-1\n".as_slice(),
        b"import os\n# coding: latin-1\n",
    ] {
        q.write("legacy.py", [header, body].concat());
        assert_eq!(codes(&q.json(&["."])), vec!["PARSE002"]);
    }
    // An encoding routewarden cannot decode is named in the message.
    q.write(
        "legacy.py",
        [b"# coding: shift_jis\nimport os\n".as_slice(), body].concat(),
    );
    let findings = q.json(&["."]);
    assert_eq!(codes(&findings), vec!["PARSE002"]);
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("shift-jis"),
        "{}",
        findings[0]
    );
}

#[test]
fn a_nul_byte_is_a_parse002_finding() {
    let p = Project::new();
    p.write("nul.py", b"x = 1\x00\nfrom fastapi import FastAPI\n");
    p.write("ok.py", ENV_FALLBACK);
    let findings = p.json(&["."]);
    assert_eq!(
        triples(&findings),
        vec![t("nul.py", 1, "PARSE002"), t("ok.py", 2, "SECRET002")]
    );
    assert!(findings[0]["message"].as_str().unwrap().contains("NUL"));
}

#[test]
fn a_utf8_bom_does_not_shift_columns() {
    let p = Project::new();
    p.write(
        "bom.py",
        b"\xef\xbb\xbffrom fastapi import FastAPI\napp = FastAPI(debug=True)\n",
    );
    let findings = p.json(&["."]);
    assert_eq!(triples(&findings), vec![t("bom.py", 2, "DEBUG001")]);
    assert_eq!(findings[0]["location"]["column"], 7);
}

#[test]
fn a_five_megabyte_file_is_analysed() {
    let p = Project::new();
    // A suppression comment makes every finding look for the statement that contains it.
    let mut source =
        String::from("from flask import Flask\napp = Flask(__name__)  # noqa: DEBUG001\n");
    let mut i = 0;
    while source.len() < 5 * 1024 * 1024 {
        source.push_str(&format!(
            "def handler_{i}(request):\n    value_{i} = compute(request, {i}, \"a string literal {i}\")\n    return value_{i}\n"
        ));
        // Thousands of findings too: the cost of each must not grow with the size of the
        // file (locating a finding's statement once scanned every statement of the file).
        if i % 10 == 0 {
            source.push_str(&format!("app.secret_key = \"dev{i}\"\n"));
        }
        i += 1;
    }
    let last_row = source.lines().count() as u64 + 1;
    source.push_str("app.secret_key = \"changeme\"\n");
    source.push_str("app.secret_key = (\n    \"hidden\"  # noqa: SECRET001\n)\n");
    source.push_str("app.secret_key = (  # noqa: SECRET001\n    \"suppressed\"\n)\n");
    p.write("big.py", &source);
    let started = std::time::Instant::now();
    let findings = p.json(&["."]);
    let elapsed = started.elapsed();
    let secrets = with_code(&findings, "SECRET001");
    assert!(secrets.len() > 4000, "{} findings", secrets.len());
    // The comment inside the statement does not suppress it; the one on its first line does.
    let rows: Vec<u64> = secrets
        .iter()
        .rev()
        .take(2)
        .map(|f| f["location"]["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [last_row + 1, last_row]);
    assert!(
        elapsed < std::time::Duration::from_secs(45),
        "took {elapsed:?}"
    );
}

#[test]
fn deeply_nested_expressions_do_not_overflow_the_stack() {
    let p = Project::new();
    let depth = 10_000;
    let after = "from fastapi import FastAPI\napp = FastAPI(debug=True)\n";
    p.write(
        "parens.py",
        format!("x = {}1{}\n{after}", "(".repeat(depth), ")".repeat(depth)),
    );
    p.write(
        "lists.py",
        format!("x = {}{}\n{after}", "[".repeat(depth), "]".repeat(depth)),
    );
    p.write(
        "binops.py",
        format!("x = {}\n{after}", vec!["1"; depth].join(" + ")),
    );
    p.write(
        "calls.py",
        format!("x = {}{}\n{after}", "f(".repeat(depth), ")".repeat(depth)),
    );
    p.write("unclosed.py", format!("x = {}\n{after}", "[".repeat(depth)));
    let run = p.check(&["--format", "json", "."]);
    run.assert_ran();
    let findings = run.json();
    for file in ["binops.py", "calls.py", "lists.py", "parens.py"] {
        assert!(
            triples(&findings).contains(&t(file, 3, "DEBUG001")),
            "{file}: {findings:?}"
        );
    }
    assert!(
        triples(&findings)
            .iter()
            .any(|(f, _, c)| f == "unclosed.py" && c == "PARSE001"),
        "{findings:?}"
    );
}

/// A list that holds its own name (valid syntax that fails only at run time) once sent the
/// middleware's skip-list reading around in a circle until the stack overflowed (found by the
/// `analyze_project` fuzz target in session 32).
#[test]
fn a_list_holding_its_own_name_does_not_overflow_the_stack() {
    let p = Project::new();
    p.write(
        "app.py",
        r#"from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()


@app.middleware("http")
async def check_token(request, call_next):
    skip = ["/login", skip]
    for prefix in skip:
        if request.url.path.startswith(prefix):
            return await call_next(request)
    if not request.headers.get("X-Auth-Token"):
        return JSONResponse({"message": "Unauthorized"}, status_code=401)
    return await call_next(request)


@app.post("/orders")
def create_order():
    return {}
"#,
    );
    let run = p.check(&["--format", "json", "."]);
    run.assert_ran();
    assert!(
        triples(&run.json()).contains(&t("app.py", 18, "AUTH001")),
        "{:?}",
        run.json()
    );
}

/// Names, bases, decorators and dependencies that refer to themselves or to each other in a
/// circle (valid syntax; Python fails only when it runs them): every reading that follows a name
/// must stop. Class bases in a circle once overflowed the stack.
#[test]
fn circular_names_and_bases_do_not_overflow_the_stack() {
    let p = Project::new();
    p.write("pkg/__init__.py", "");
    p.write(
        "pkg/app.py",
        r#"import os
from flask import Flask, request, jsonify, session
from flask_cors import CORS
from fastapi import FastAPI, Depends
from fastapi.middleware.cors import CORSMiddleware
from pkg.conf import Config, Other

app = Flask(__name__)
origins = origins + ["https://a.example"]
a = b
b = a
SECRET_KEY = SECRET_KEY or "dev"
app.config["SECRET_KEY"] = a
app.secret_key = os.environ.get("KEY", app.secret_key)
app.config.from_object(Config)
CORS(app, origins=origins, supports_credentials=b)
api = FastAPI(debug=b)
api.add_middleware(CORSMiddleware, allow_origins=[origins, "*"], allow_credentials=a)
paths = {"/x", *paths}
deps = [Depends(deps)]


class Loop(Loop):
    pass


class Pair(Twin):
    x = Pair


class Twin(Pair):
    def __init__(self):
        self.skip = self.skip + ["/a"]


def check(f):
    return check(check(f))


@app.before_request
def guard():
    prefixes = prefixes
    if request.path in paths or request.path in prefixes:
        return None
    if not session.get(token):
        return jsonify({}), 401
    token = token


@app.route("/login", methods=["POST"])
@check
def login():
    data = data or request.form
    password = data.get("password")
    user = user
    return jsonify(user)


@api.post("/items", dependencies=deps)
def items(x=Depends(items)):
    try:
        return items()
    except Exception as e:
        return {"e": str(e)}, e


@api.get("/r")
def r(q: str = r):
    resp = resp
    resp.set_cookie("session", q)
    return resp
"#,
    );
    p.write(
        "pkg/conf.py",
        r#"from pkg.conf import Other as Config
class Other(Config):
    SECRET_KEY = Other.SECRET_KEY
    DEBUG = Config.DEBUG
    SESSION_COOKIE_SECURE = SESSION_COOKIE_SECURE
"#,
    );
    let run = p.check(&["--format", "json", "--select", "ALL", "."]);
    run.assert_ran();
    let found = triples(&run.json());
    for expected in [
        t("pkg/app.py", 50, "RATE001"),
        t("pkg/app.py", 59, "AUTH001"),
        t("pkg/app.py", 64, "ERR001"),
        t("pkg/app.py", 70, "SESS003"),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_not_followed() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    p.mkdir("pkg");
    p.write("pkg/mod.py", ENV_FALLBACK);
    std::os::unix::fs::symlink("..", p.path("pkg/loop")).unwrap();
    std::os::unix::fs::symlink(".", p.path("self")).unwrap();
    let findings = p.json(&["."]);
    // Each file once: the loop was not walked.
    assert_eq!(
        triples(&findings),
        vec![t("app.py", 2, "DEBUG001"), t("pkg/mod.py", 2, "SECRET002")]
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_tree_are_not_analysed() {
    let outside = Project::new();
    outside.write("secret_app.py", FLASK_SECRET);
    let p = Project::new();
    p.write("app.py", "x = 1\n");
    std::os::unix::fs::symlink(outside.path("secret_app.py"), p.path("linked.py")).unwrap();
    std::os::unix::fs::symlink(outside.root(), p.path("linked_dir")).unwrap();
    let run = p.check(&["--format", "json", "."]);
    run.assert_code(0);
    assert_eq!(run.json(), Vec::<serde_json::Value>::new());
    let text = p.check(&["."]);
    assert!(
        text.stdout.contains("No findings in 1 file"),
        "{}",
        text.stdout
    );
}

/// A file that cannot be read is reported (PARSE003) and the others are analysed. Root reads
/// every file whatever its mode, so as root the binary runs as `nobody` through `setpriv`.
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_parse003_finding() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    std::fs::set_permissions(p.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
    p.write("ok.py", FASTAPI_DEBUG);
    let locked = p.write("locked.py", FLASK_SECRET);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let args = ["check", "--no-config", "--format", "json", "."];
    let run = if std::fs::read(&locked).is_err() {
        run_in(&p.root(), &args)
    } else {
        // Running as root: drop to an unprivileged user for the run, if the system allows it.
        let drop = [
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ];
        let probe = Command::new("setpriv")
            .args(drop)
            .arg(binary())
            .arg("--version")
            .output();
        if !probe.is_ok_and(|o| o.status.success()) {
            eprintln!(
                "note: running as root and `setpriv` cannot drop privileges here; \
                 the unreadable-file assertion is skipped"
            );
            return;
        }
        run_command(
            Command::new("setpriv")
                .args(drop)
                .arg(binary())
                .args(args)
                .current_dir(p.root()),
        )
    };
    run.assert_code(1);
    let findings = run.json();
    assert_eq!(
        triples(&findings),
        vec![t("locked.py", 1, "PARSE003"), t("ok.py", 2, "DEBUG001")]
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("could not be read")
    );
}

/// Things that look like Python files but are not regular files: a folder named `x.py` is
/// walked as a folder, and a FIFO is skipped rather than read (reading it would block).
#[cfg(unix)]
#[test]
fn folders_and_fifos_named_like_python_files_do_not_stop_the_run() {
    let p = Project::new();
    p.write("pkg.py/inner.py", FASTAPI_DEBUG);
    p.write("app.py", ENV_FALLBACK);
    let fifo = p.path("pipe.py");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let findings = p.json(&["."]);
    assert_eq!(
        triples(&findings),
        vec![
            t("app.py", 2, "SECRET002"),
            t("pkg.py/inner.py", 2, "DEBUG001")
        ]
    );
    // Named explicitly, too.
    let run = p.check(&["--format", "json", "pkg.py", "app.py"]);
    run.assert_code(1);
    assert_eq!(run.json().len(), 2);
    if made.is_ok_and(|s| s.success()) {
        let run = p.check(&["--format", "json", "pipe.py", "app.py"]);
        run.assert_code(1);
        assert_eq!(triples(&run.json()), vec![t("app.py", 2, "SECRET002")]);
    } else {
        eprintln!("note: mkfifo is unavailable; the FIFO case is skipped");
    }
}

#[test]
fn a_missing_path_is_an_error_with_exit_2() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    for args in [
        vec!["does_not_exist.py"],
        vec!["app.py", "does_not_exist.py"],
        vec!["--format", "json", "does_not_exist.py"],
    ] {
        let run = p.check(&args);
        run.assert_code(2);
        assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
        assert!(
            run.stderr.contains("does_not_exist.py") && run.stderr.contains("does not exist"),
            "stderr: {}",
            run.stderr
        );
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(p.path("gone.py"), p.path("dangling.py")).unwrap();
        let run = p.check(&["dangling.py"]);
        run.assert_code(2);
        assert!(run.stderr.contains("dangling.py"), "{}", run.stderr);
    }
}

// A rule that panics on one file: the run goes on, and the panic becomes INTERNAL001.

routewarden_rules::declare_rule! {
    /// ## What it finds
    /// Every call; panics on the second call of a file named `boom.py`.
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
    static FRAGILE = {
        code: "DEBUG990",
        name: "fragile-test-rule",
        severity: Medium,
        confidence: High,
        cwe: 1,
        fix: "Nothing",
    }
}

struct Fragile;

impl Rule for Fragile {
    fn meta(&self) -> &'static RuleMeta {
        &FRAGILE
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, _call: &Call, out: &mut Findings) {
        out.report(&FRAGILE, expr.span, "a call");
        if cx.file.path.ends_with("boom.py") && out.len() >= 2 {
            panic!("fragile rule gave up");
        }
    }
}

#[test]
fn a_panicking_rule_is_reported_and_the_run_continues() {
    let p = Project::new();
    p.write(
        "boom.py",
        "from fastapi import FastAPI\nf()\napp = FastAPI(debug=True)\ng()\n",
    );
    p.write("fine.py", "h()\n");
    let mut settings = Settings {
        base: p.root(),
        threads: 2,
        ..Settings::default()
    };
    settings.selection.select = vec!["DEBUG".to_string()];
    let rules: Vec<&dyn Rule> = registry::rules()
        .iter()
        .copied()
        .chain([&Fragile as &dyn Rule])
        .collect();
    let paths: Vec<PathBuf> = vec![p.root()];
    let analysis = analysis::analyze(&paths, &settings, &rules).expect("the analysis runs");
    let found: Vec<(String, u32, &str)> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            let name = std::path::Path::new(&d.filename)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, d.location.row, d.rule.code)
        })
        .collect();
    // boom.py: the other rule's finding is kept; every finding of the fragile rule on that
    // file is dropped, also the one reported before it panicked.
    assert!(
        found.contains(&("boom.py".into(), 3, "DEBUG001")),
        "{found:?}"
    );
    assert!(
        !found.contains(&("boom.py".into(), 2, "DEBUG990")),
        "{found:?}"
    );
    assert!(
        !found.contains(&("boom.py".into(), 3, "DEBUG990")),
        "{found:?}"
    );
    assert!(
        !found.contains(&("boom.py".into(), 4, "DEBUG990")),
        "{found:?}"
    );
    // fine.py: the fragile rule still runs on other files.
    assert!(
        found.contains(&("fine.py".into(), 1, "DEBUG990")),
        "{found:?}"
    );
    let internal: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "INTERNAL001")
        .collect();
    assert_eq!(internal.len(), 1, "{found:?}");
    assert!(internal[0].filename.ends_with("boom.py"));
    assert!(
        internal[0].message.contains("DEBUG990")
            && internal[0].message.contains("fragile rule gave up"),
        "{}",
        internal[0].message
    );
}

/// A rule that cannot even say what it is: the failure is outside the per-file hooks.
struct Nameless;

impl Rule for Nameless {
    fn meta(&self) -> &'static RuleMeta {
        panic!("no metadata today")
    }
}

#[test]
fn a_panic_outside_the_rule_hooks_is_an_error_not_an_unwind() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    let settings = Settings {
        base: p.root(),
        threads: 1,
        ..Settings::default()
    };
    let result = analysis::analyze(&[p.root()], &settings, &[&Nameless]);
    match result {
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("internal error") && message.contains("no metadata today"),
                "{message}"
            );
        }
        Ok(_) => panic!("the analysis cannot succeed without the rule's metadata"),
    }
}

/// The analysis drops each file's text once parsed and reads back what a finding or a route
/// shows: a condition's text read back by its bytes (UTF-8) or through the declared encoding
/// (latin-1, whose byte offsets are not the text's) reads the same.
#[test]
fn texts_read_back_after_parsing_match_the_source() {
    for (name, coding, cafe) in [
        ("utf8.py", b"".as_slice(), "café".as_bytes()),
        (
            "latin.py",
            b"# -*- coding: latin-1 -*-\n".as_slice(),
            b"caf\xe9".as_slice(),
        ),
    ] {
        let p = Project::new();
        let mut source = coding.to_vec();
        source.extend_from_slice(b"import os\nfrom flask import Flask, abort, request\n");
        source.extend_from_slice(b"app = Flask(__name__)\nif os.environ.get(\"MODE\") == \"");
        source.extend_from_slice(cafe);
        source.extend_from_slice(
            b"\":\n    @app.before_request\n    def guard():\n        \
              if not request.headers.get(\"X-Token\"):\n            abort(401)\n\
              @app.route(\"/x\", methods=[\"POST\"])\ndef x():\n    return \"ok\"\n",
        );
        p.write(name, source);
        let findings = p.json(&["."]);
        assert_eq!(codes(&findings), vec!["AUTH001"], "{name}");
        let row = if coding.is_empty() { 9 } else { 10 };
        assert_eq!(findings[0]["location"]["row"], row, "{name}");
        let message = findings[0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(r#"only if os.environ.get("MODE") == "café""#),
            "{name}: {message}"
        );
    }
}
