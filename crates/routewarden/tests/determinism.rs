//! The same input gives byte-identical reports whatever the number of threads.

mod support;

use support::*;

/// Many files in nested folders, several findings each, some on the same row, some files
/// broken or undecodable, and suppressions.
fn big_project() -> Project {
    let p = Project::new();
    for i in 0..60 {
        let dir = match i % 4 {
            0 => "app",
            1 => "app/routers",
            2 => "services/internal",
            _ => "",
        };
        let mut source =
            String::from("import os\nfrom fastapi import FastAPI\nfrom flask import Flask\n");
        for j in 0..(i % 7 + 1) {
            source.push_str(&format!(
                "app_{j} = FastAPI(debug=True); key_{j} = os.environ.get(\"SECRET_KEY\", \"v{i}\")\n"
            ));
            source.push_str(&format!(
                "web_{j} = Flask(__name__)\nweb_{j}.secret_key = \"k{i}{j}\"\n"
            ));
        }
        if i % 5 == 0 {
            source.push_str("safe = FastAPI(debug=True)  # noqa: DEBUG001\n");
            source.push_str("stale = 1  # routewarden: ignore[SECRET001, NOPE001]\n");
        }
        if i % 11 == 0 {
            source.push_str("def broken(:\n");
        }
        let name = if dir.is_empty() {
            format!("m{i:02}.py")
        } else {
            format!("{dir}/m{i:02}.py")
        };
        p.write(&name, source);
    }
    p.write("app/latin.py", b"x = '\xe9'\n");
    p
}

#[test]
fn reports_are_identical_for_every_thread_count() {
    let p = big_project();
    for format in ["json", "text", "sarif"] {
        let mut reports = Vec::new();
        for threads in ["1", "2", "8", "2"] {
            let run = p.check(&[
                "--format",
                format,
                "--threads",
                threads,
                "--report-unused-suppressions",
                ".",
            ]);
            run.assert_code(1);
            reports.push((threads, run.stdout));
        }
        let (_, first) = &reports[0];
        if format == "json" {
            let findings: Vec<serde_json::Value> = serde_json::from_str(first).unwrap();
            assert!(findings.len() > 300, "{} findings", findings.len());
            for code in [
                "DEBUG001",
                "SECRET001",
                "SECRET002",
                "PARSE001",
                "PARSE002",
                "NOQA001",
                "NOQA002",
            ] {
                assert!(
                    findings.iter().any(|f| f["code"] == code),
                    "{code} is exercised"
                );
            }
        }
        for (threads, report) in &reports[1..] {
            assert!(
                report == first,
                "{format} with --threads {threads} differs from --threads 1"
            );
        }
    }
    let stats: Vec<String> = ["1", "8"]
        .iter()
        .map(|n| p.check(&["--statistics", "--threads", n, "."]).stdout)
        .collect();
    assert_eq!(stats[0], stats[1]);
}

/// More threads than cores cost nothing and change nothing: the count is capped (idle workers
/// spin, and thousands of them once made a run take minutes).
#[test]
fn an_absurd_thread_count_is_harmless() {
    let p = Project::new();
    for i in 0..20 {
        p.write(&format!("m{i}.py"), FASTAPI_DEBUG);
    }
    let expected = p.check(&["--format", "json", "--threads", "1", "."]).stdout;
    let started = std::time::Instant::now();
    let run = p.check(&["--format", "json", "--threads", "5000", "."]);
    run.assert_code(1);
    assert_eq!(run.stdout, expected);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

/// Many applications judged side by side, whose dependencies and guards call each other in
/// cycles: a verdict reached through a cycle depends on where the cycle was entered, so
/// the route judgements must not depend on which thread judged what first.
#[test]
fn route_judgements_are_identical_for_every_thread_count() {
    let p = Project::new();
    p.write("shared/__init__.py", "");
    p.write(
        "shared/guards.py",
        r#"from fastapi import Depends, HTTPException, Request


def check_a(request: Request):
    if not request.headers.get("x-token"):
        return check_b(request)
    return True


def check_b(request: Request):
    if request.query_params.get("debug"):
        return check_a(request)
    raise HTTPException(status_code=401)


def current_user(ok=Depends(check_a)):
    return ok


def maybe_user(user=Depends(current_user)):
    return check_b(user)
"#,
    );
    for i in 0..12 {
        let mut source = String::from(
            "from fastapi import APIRouter, Depends, FastAPI, Request\n\
             from shared.guards import check_a, check_b, current_user, maybe_user\n\n\
             app = FastAPI()\nrouter = APIRouter(dependencies=[Depends(maybe_user)])\n\n",
        );
        for j in 0..8 {
            let (decorator, dependency) = match (i + j) % 4 {
                0 => ("app.get", "user=Depends(current_user)"),
                1 => ("router.post", "request: Request"),
                2 => ("app.post", "request: Request"),
                _ => ("app.delete", "ok=Depends(check_b)"),
            };
            // Odd handlers call a guard of the cycle; even ones rely on their dependency
            // alone, so that plain `app.post` handlers are unauthenticated.
            let guard_call = if j % 2 == 1 {
                "    check_a(None)\n"
            } else {
                ""
            };
            source.push_str(&format!(
                "@{decorator}(\"/items/{j}\")\nasync def handler_{j}({dependency}):\n\
                 {guard_call}    return {{}}\n\n"
            ));
        }
        source.push_str("app.include_router(router, prefix=\"/r\")\n");
        p.write(&format!("app{i:02}/main.py"), source);
    }
    let mut checks = Vec::new();
    let mut inventories = Vec::new();
    for threads in ["1", "2", "8", "3"] {
        let run = p.check(&["--format", "json", "--threads", threads, "."]);
        run.assert_ran();
        checks.push(run.stdout);
        let routes = p.run(&["routes", "--format", "json", "--threads", threads, "."]);
        routes.assert_code(0);
        inventories.push(routes.stdout);
    }
    let routes: Vec<serde_json::Value> = serde_json::from_str(&inventories[0]).unwrap();
    assert_eq!(routes.len(), 12 * 8, "every route is in the inventory");
    assert!(
        checks[0].contains("AUTH001"),
        "some routes are reported: {}",
        checks[0]
    );
    for i in 1..checks.len() {
        assert_eq!(
            checks[i], checks[0],
            "check output differs between thread counts"
        );
        assert_eq!(
            inventories[i], inventories[0],
            "routes output differs between thread counts"
        );
    }
}
