//! Which files are analysed: ignore files, virtual environments, caches and stubs.

mod support;

use support::*;

fn names(p: &Project, args: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    if all.is_empty() {
        all.push(".");
    }
    let mut files: Vec<String> = p
        .json(&all)
        .iter()
        .map(|f| f["filename"].as_str().unwrap().to_string())
        .collect();
    files.dedup();
    files
}

#[test]
fn gitignore_is_honoured_without_a_git_folder() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    p.write("build/gen.py", FASTAPI_DEBUG);
    p.write("scratch.py", FASTAPI_DEBUG);
    p.write("pkg/local.py", FASTAPI_DEBUG);
    p.write("pkg/kept.py", FASTAPI_DEBUG);
    p.write(".gitignore", "build/\nscratch.py\n");
    p.write("pkg/.gitignore", "local.py\n");
    assert!(!p.path(".git").exists());
    assert_eq!(names(&p, &[]), ["app.py", "pkg/kept.py"]);
    // Inside a repository too.
    p.mkdir(".git");
    assert_eq!(names(&p, &[]), ["app.py", "pkg/kept.py"]);
}

#[test]
fn dot_ignore_is_honoured() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    p.write("vendor/lib.py", FASTAPI_DEBUG);
    p.write(".ignore", "vendor/\n");
    assert_eq!(names(&p, &[]), ["app.py"]);
    // Like a file, a folder named explicitly is analysed even though it is ignored...
    assert_eq!(names(&p, &["vendor"]), ["vendor/lib.py"]);
    // ...but the parent folder's ignore files still apply below it.
    p.write("vendor/.ignore", "");
    p.write("pkg/generated/out.py", FASTAPI_DEBUG);
    p.write("pkg/mod.py", FASTAPI_DEBUG);
    p.write(
        ".ignore",
        "vendor/
generated/
",
    );
    assert_eq!(names(&p, &["pkg"]), ["pkg/mod.py"]);
}

#[test]
fn environments_caches_and_vcs_folders_are_skipped() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    for dir in [
        "venv/lib/python3.12/site-packages/flask",
        ".venv/lib",
        "lib/site-packages/pkg",
        "__pycache__",
        "node_modules/some/pkg",
        ".git/hooks",
        ".tox/py312",
        ".mypy_cache",
        ".hidden",
    ] {
        p.write(&format!("{dir}/mod.py"), FASTAPI_DEBUG);
    }
    // A virtual environment under any name.
    p.write("env-prod/pyvenv.cfg", "home = /usr/bin\n");
    p.write("env-prod/lib/python3.12/site.py", FASTAPI_DEBUG);
    p.write("env-prod/bin/tool.py", FASTAPI_DEBUG);
    // A folder that only looks like one of those is walked.
    p.write("venvs_docs/mod.py", FASTAPI_DEBUG);
    assert_eq!(names(&p, &[]), ["app.py", "venvs_docs/mod.py"]);
}

#[test]
fn stubs_are_never_read() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    p.write("app.pyi", FASTAPI_DEBUG);
    p.write("types/models.pyi", "def broken(:\n");
    p.write("notes.txt", FASTAPI_DEBUG);
    assert_eq!(names(&p, &[]), ["app.py"]);
    // Not even when named explicitly.
    let run = p.check(&["--format", "json", "app.pyi", "types/models.pyi"]);
    run.assert_code(0);
    assert!(run.json().is_empty());
}

#[test]
fn a_file_named_explicitly_is_read_even_if_ignored() {
    let p = Project::new();
    p.write("scratch.py", FASTAPI_DEBUG);
    p.write(".gitignore", "scratch.py\n");
    assert!(names(&p, &["."]).is_empty());
    assert_eq!(names(&p, &["scratch.py"]), ["scratch.py"]);
}

#[test]
fn a_file_given_twice_is_analysed_once() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    p.write("pkg/mod.py", ENV_FALLBACK);
    let findings = p.json(&[".", "app.py", "pkg", "./pkg/mod.py"]);
    assert_eq!(
        triples(&findings),
        vec![t("app.py", 2, "DEBUG001"), t("pkg/mod.py", 2, "SECRET002")]
    );
    let text = p.check(&[".", "app.py"]);
    assert!(text.stdout.contains("in 2 files"), "{}", text.stdout);
}

#[test]
fn folders_that_overlap_are_analysed_once_and_disjoint_ones_in_full() {
    let p = Project::new();
    p.write("app.py", FASTAPI_DEBUG);
    p.write("pkg/mod.py", ENV_FALLBACK);
    p.write("other/app.py", FASTAPI_DEBUG);
    let both = vec![t("app.py", 2, "DEBUG001"), t("pkg/mod.py", 2, "SECRET002")];
    // Nested folders, with no file named: the files under both are read once.
    assert_eq!(triples(&p.json(&[".", "pkg"])), {
        let mut all = both.clone();
        all.insert(1, t("other/app.py", 2, "DEBUG001"));
        all
    });
    assert_eq!(
        triples(&p.json(&["pkg", "other"])),
        vec![
            t("other/app.py", 2, "DEBUG001"),
            t("pkg/mod.py", 2, "SECRET002")
        ]
    );
    // The same folder under a second name, through a symlink given as an argument.
    std::os::unix::fs::symlink(p.path("pkg"), p.path("alias")).unwrap();
    // The sorted-first name is kept.
    let twice = p.json(&["pkg", "alias"]);
    assert_eq!(triples(&twice), vec![t("alias/mod.py", 2, "SECRET002")]);
}
