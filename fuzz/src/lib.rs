//! What the fuzz targets share: a project of fuzzed files is written to a scratch folder of
//! this process (on tmpfs when there is one), analysed with every rule through the public API
//! of `routewarden` as `routewarden check` does, and every report is rendered. Anything that is
//! a bug of routewarden panics, which libFuzzer reports as a crash:
//!
//! - a panic anywhere (libfuzzer-sys aborts on every panic, even one a rule's guard catches);
//! - an `INTERNAL001` finding (a rule that panicked) or a `PARSE003` one (a file of ours that
//!   could not be read);
//! - any `AnalysisError`: the paths exist and the settings are valid, so none is expected;
//! - a finding whose span is not inside its file's text or not on character boundaries;
//! - a report that is not well formed: JSON and SARIF that do not parse, GitHub annotations
//!   that are not one line per finding, JUnit XML with characters XML cannot carry;
//! - a baseline of the findings that does not absorb them all again;
//! - `routewarden routes` (the attack surface) failing on the same project.

use routewarden::analysis::{self, Analysis, Settings};
use routewarden::output::{self, text::TextOptions};
use routewarden::{baseline, routes};
use routewarden_rules::{RuleSettings, registry};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// At most this many files in a project input; later headers are ordinary text.
pub const MAX_FILES: usize = 16;

/// The line that starts a new file in a project input: `#> pkg/views.py`.
pub const HEADER: &[u8] = b"#> ";

/// The file that text before the first header goes to, and the single file's name.
pub const DEFAULT_FILE: &str = "app.py";

static SCRATCH: OnceLock<PathBuf> = OnceLock::new();

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> i32;
}

extern "C" fn remove_scratch() {
    if let Some(dir) = SCRATCH.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// This process's scratch folder, made on first use and removed when the process exits
/// normally (a crash leaves it, with the input that crashed, for inspection).
fn scratch() -> &'static Path {
    SCRATCH.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("routewarden-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cannot create the scratch folder");
        // SAFETY: `atexit` only stores the pointer of a function that lives as long as the
        // program.
        unsafe {
            atexit(remove_scratch);
        }
        dir
    })
}

/// Splits a project input into files. A line `#> NAME` starts the file `NAME` (a relative
/// path of ASCII letters, digits, `_`, `-` and `.`, at most six parts; `.py` is added when
/// missing); a bad or repeated name becomes `mN.py`. Text before the first header is
/// `app.py`. Contents are bytes, as fuzzed: they need not be UTF-8.
pub fn split_project(data: &[u8]) -> Vec<(String, &[u8])> {
    let mut files: Vec<(String, &[u8])> = Vec::new();
    let mut name = DEFAULT_FILE.to_string();
    let mut start = 0;
    let mut line_start = 0;
    while line_start < data.len() {
        let line_end = data[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| line_start + i);
        let line = &data[line_start..line_end];
        if files.len() + 1 < MAX_FILES
            && let Some(header) = line.strip_prefix(HEADER)
        {
            if line_start > start || start > 0 {
                files.push((name, &data[start..line_start]));
            }
            let index = files.len();
            name = sanitize(header)
                .filter(|n| files.iter().all(|(f, _)| f != n))
                .unwrap_or_else(|| format!("m{index}.py"));
            start = (line_end + 1).min(data.len());
        }
        line_start = line_end + 1;
    }
    files.push((name, &data[start.min(data.len())..]));
    files
}

fn sanitize(header: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(header).ok()?.trim();
    let parts: Vec<&str> = text.split('/').collect();
    let valid = |p: &&str| {
        !p.is_empty()
            && *p != "."
            && *p != ".."
            && p.len() <= 40
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    if parts.len() > 6 || !parts.iter().all(valid) {
        return None;
    }
    let mut name = parts.join("/");
    if !name.ends_with(".py") {
        name.push_str(".py");
    }
    Some(name)
}

/// The settings of the fuzzed analysis: every rule, one worker thread, unused suppressions
/// reported, and a few configured names so that the configured paths of the rules run too.
fn settings(project: &Path) -> Settings {
    Settings {
        base: project.to_path_buf(),
        threads: 1,
        report_unused_suppressions: true,
        src: vec![project.join("src")],
        rules: RuleSettings {
            auth_decorators: vec!["require_session".into(), "svc.security.tenant_guard".into()],
            auth_dependencies: vec!["needs_tenant".into()],
            public_paths: vec!["/status".into(), "/public/*".into()],
            login_paths: vec!["/signin".into()],
            secret_key_names: vec!["SIGNING_KEY".into()],
        },
        ..Settings::default()
    }
}

/// Writes `files` as a fresh project and analyses it; panics on every sign of a bug.
pub fn analyze_project(files: &[(String, &[u8])]) {
    let project = scratch().join("project");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&project).expect("cannot create the project folder");
    for (name, contents) in files {
        let path = project.join(name);
        if let Some(parent) = path.parent() {
            // A name that is also a folder of another name (`a.py` and `a.py/b.py`) cannot
            // be laid out: that file is left out.
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        let _ = std::fs::write(&path, contents);
    }
    let paths = [project.clone()];
    let settings = settings(&project);
    let analysis = match analysis::analyze(&paths, &settings, registry::rules()) {
        Ok(a) => a,
        Err(e) => panic!("the analysis failed: {e}"),
    };
    check_findings(&analysis);
    render_everything(&analysis, &project);
    // Files named like tests are test code: list their routes too.
    match routes::route_rows(&paths, &settings, true) {
        Ok(list) => {
            let rows = &list.rows;
            let json = routes::render_json(rows);
            let parsed: serde_json::Value =
                serde_json::from_str(&json).expect("routes JSON does not parse");
            assert_eq!(parsed.as_array().map(Vec::len), Some(rows.len()));
            assert_eq!(list.test_routes_hidden, 0);
            std::hint::black_box(routes::render_markdown(rows));
            std::hint::black_box(routes::render_table(rows, list.test_routes_hidden));
        }
        Err(e) => panic!("`routes` failed: {e}"),
    }
}

fn check_findings(analysis: &Analysis) {
    for d in &analysis.diagnostics {
        assert!(
            d.rule.code != "INTERNAL001",
            "internal error finding at {}:{}: {}",
            d.filename,
            d.location.row,
            d.message
        );
        assert!(
            d.rule.code != "PARSE003",
            "a file written by the fuzzer could not be read: {}",
            d.message
        );
        let file = &analysis.model.files[d.file];
        let (start, end) = (d.span.start as usize, d.span.end as usize);
        assert!(
            start <= end
                && end <= file.text().len()
                && file.text().is_char_boundary(start)
                && file.text().is_char_boundary(end),
            "{} at {}:{} has the span {start}..{end}, outside the {} bytes of its text or \
             not on character boundaries",
            d.rule.code,
            d.filename,
            d.location.row,
            file.text().len()
        );
        assert!(d.location.row >= 1 && d.end_location.row >= d.location.row);
    }
}

fn render_everything(analysis: &Analysis, project: &Path) {
    let diagnostics = &analysis.diagnostics;
    let n = diagnostics.len();

    let json: serde_json::Value =
        serde_json::from_str(&output::json::render(diagnostics)).expect("JSON does not parse");
    assert_eq!(json.as_array().map(Vec::len), Some(n), "JSON findings");

    let sarif: serde_json::Value =
        serde_json::from_str(&output::sarif::render(diagnostics)).expect("SARIF does not parse");
    assert!(sarif.is_object(), "SARIF is not an object");

    let github = output::github::render(diagnostics);
    assert_eq!(
        github.lines().count(),
        n,
        "GitHub annotations: one line each"
    );
    assert!(github.lines().all(|l| l.starts_with("::")), "{github}");

    let junit = output::junit::render(diagnostics);
    if let Some(c) = junit.chars().find(|&c| !is_xml_char(c)) {
        panic!(
            "JUnit XML carries U+{:04X}, which XML 1.0 does not allow",
            c as u32
        );
    }

    for color in [false, true] {
        let options = TextOptions {
            color,
            quiet: false,
            files_analysed: analysis.model.files.len(),
        };
        std::hint::black_box(output::text::render(diagnostics, &analysis.model, &options));
    }
    std::hint::black_box(output::text::statistics(diagnostics));
    std::hint::black_box(output::text::summary(
        diagnostics,
        analysis.model.files.len(),
    ));

    // A baseline of the findings absorbs every one of them.
    let file = project.parent().unwrap_or(project).join("baseline.json");
    baseline::write(&file, diagnostics).expect("cannot write the baseline");
    let read = baseline::read(&file).expect("the baseline just written does not read");
    let left = baseline::filter(diagnostics.clone(), &read, &BTreeMap::new());
    assert!(
        left.is_empty(),
        "{} findings are not absorbed by their own baseline: {:?}",
        left.len(),
        left.iter()
            .map(|d| (d.rule.code, &d.filename, d.location.row))
            .collect::<Vec<_>>()
    );
}

/// The `Char` production of XML 1.0.
fn is_xml_char(c: char) -> bool {
    matches!(c as u32,
        0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(data: &[u8]) -> Vec<(String, String)> {
        split_project(data)
            .into_iter()
            .map(|(n, c)| (n, String::from_utf8_lossy(c).into_owned()))
            .collect()
    }

    #[test]
    fn splits_on_headers() {
        assert_eq!(names(b"x = 1\n"), vec![("app.py".into(), "x = 1\n".into())]);
        assert_eq!(
            names(b"#> pkg/__init__.py\n#> pkg/views.py\nv = 1\n"),
            vec![
                ("pkg/__init__.py".into(), "".into()),
                ("pkg/views.py".into(), "v = 1\n".into())
            ]
        );
        assert_eq!(
            names(b"a\n#> ../x\nb\n#> views\nc"),
            vec![
                ("app.py".into(), "a\n".into()),
                ("m1.py".into(), "b\n".into()),
                ("views.py".into(), "c".into())
            ]
        );
        // A repeated name is renamed; a name without `.py` gets it.
        assert_eq!(
            names(b"#> a\n1\n#> a.py\n2\n#> b/c\n"),
            vec![
                ("a.py".into(), "1\n".into()),
                ("m1.py".into(), "2\n".into()),
                ("b/c.py".into(), "".into())
            ]
        );
    }

    #[test]
    fn stops_at_max_files() {
        let data: Vec<u8> = (0..40)
            .flat_map(|i| format!("#> f{i}\nx\n").into_bytes())
            .collect();
        let files = split_project(&data);
        assert_eq!(files.len(), MAX_FILES);
        // The last file keeps the rest, headers included.
        assert!(files[MAX_FILES - 1].1.starts_with(b"x\n#> f16\n"));
    }
}
