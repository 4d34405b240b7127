//! The fixture harness: runs the real analysis on a folder and compares the exact set of
//! (file, line, code) with the `# expect: CODE[, CODE...]` annotations in its files.

#![allow(dead_code)]

use routewarden::analysis::{self, Settings};
use routewarden::config;
use routewarden::selection::Selection;
use routewarden_rules::registry;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub type Expectation = (String, u32, String);

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn fixtures_root() -> PathBuf {
    workspace_root().join("crates/routewarden_rules/fixtures")
}

/// Every `.py` file below `dir`, sorted.
pub fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() && p.extension().is_some_and(|x| x == "py") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The annotations of the files below `dir`, with paths relative to `dir`.
pub fn expectations(dir: &Path) -> BTreeSet<Expectation> {
    let mut set = BTreeSet::new();
    for file in python_files(dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let rel = file
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find("# expect:") else {
                continue;
            };
            let codes = &line[at + "# expect:".len()..];
            for code in codes
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|c| !c.is_empty())
            {
                if !code.chars().all(|c| c.is_ascii_alphanumeric()) {
                    break;
                }
                set.insert((rel.clone(), i as u32 + 1, code.to_string()));
            }
        }
    }
    set
}

/// Runs the analysis on `dir` with `select` (all rules when empty) and returns what it found,
/// with paths relative to `dir`. A `routewarden.toml` in `dir` is honoured.
pub fn findings(dir: &Path, select: &[&str], threads: usize) -> BTreeSet<Expectation> {
    findings_listed(dir, select, threads)
        .into_iter()
        .map(|(e, _)| e)
        .collect()
}

/// Like [`findings`], one entry per finding reported with its message, in report order.
pub fn findings_listed(dir: &Path, select: &[&str], threads: usize) -> Vec<(Expectation, String)> {
    let mut settings = Settings::default();
    let config_file = dir.join("routewarden.toml");
    if config_file.is_file() {
        let loaded = config::load_explicit(&config_file).unwrap();
        let args = routewarden::cli::CheckArgs::default();
        settings = routewarden::cli::settings_for(&args, &loaded).unwrap().0;
    }
    if !select.is_empty() {
        settings.selection = Selection {
            select: select.iter().map(|s| s.to_string()).collect(),
            ..settings.selection
        };
    }
    settings.threads = threads;
    settings.base = dir.to_path_buf();
    let analysis = analysis::analyze(&[dir.to_path_buf()], &settings, registry::rules()).unwrap();
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let path = Path::new(&d.filename);
            let abs = if path.is_absolute() {
                path.to_path_buf()
            } else {
                std::env::current_dir().unwrap().join(path)
            };
            let rel = abs
                .canonicalize()
                .unwrap_or(abs.clone())
                .strip_prefix(dir.canonicalize().unwrap())
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| d.filename.clone());
            (
                (rel, d.location.row, d.rule.code.to_string()),
                d.message.clone(),
            )
        })
        .collect()
}

/// Compares the findings on `dir` with its annotations; the error names every missing and
/// every unexpected finding.
pub fn check_fixture(dir: &Path, select: &[&str]) -> Result<usize, String> {
    let expected = expectations(dir);
    let listed = findings_listed(dir, select, 0);
    let actual: BTreeSet<Expectation> = listed.iter().map(|(e, _)| e.clone()).collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    // Two findings of one code on one line with one message say the same thing twice.
    let distinct: BTreeSet<&(Expectation, String)> = listed.iter().collect();
    let repeated = listed.len() - distinct.len();
    if missing.is_empty() && extra.is_empty() && repeated == 0 {
        return Ok(expected.len());
    }
    let mut msg = format!("fixture {}:\n", dir.display());
    if repeated > 0 {
        msg.push_str(&format!(
            "  {repeated} finding(s) reported twice on one line\n"
        ));
    }
    for (f, l, c) in missing {
        msg.push_str(&format!("  missing  {f}:{l} {c}\n"));
    }
    for (f, l, c) in extra {
        msg.push_str(&format!("  extra    {f}:{l} {c}\n"));
    }
    Err(msg)
}
