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
