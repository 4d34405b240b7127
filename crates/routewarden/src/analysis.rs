//! The pipeline: walk, read, parse and check in parallel, then filter, locate and sort.

use crate::selection::Selection;
use crate::suppress;
use crate::walk::{self, Excludes};
use globset::{Glob, GlobMatcher};
use rayon::prelude::*;
use routewarden_model::{InputFile, ProjectModel};
use routewarden_python::ast::Span;
use routewarden_python::source::Position;
use routewarden_rules::rules::meta::{
    SYNTAX_ERROR, UNDECODABLE_FILE, UNKNOWN_SUPPRESSION_CODE, UNREADABLE_FILE, UNUSED_SUPPRESSION,
};
use routewarden_rules::{
    Confidence, Finding, Findings, Rule, RuleMeta, RuleSettings, Severity, checker, registry,
};
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// Everything that decides what an analysis does, merged from configuration and flags.
#[derive(Clone, Debug)]
pub struct Settings {
    pub selection: Selection,
    pub fail_on: Severity,
    pub excludes: Vec<String>,
    /// `(glob, codes)`: findings of these codes are dropped in matching files.
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    /// Import roots, absolute.
    pub src: Vec<PathBuf>,
    pub rules: RuleSettings,
    pub report_unused_suppressions: bool,
    /// Worker threads; 0 for one per core.
    pub threads: usize,
    /// The folder exclude and per-file-ignore globs are relative to.
    pub base: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            selection: Selection::default(),
            fail_on: Severity::Low,
            excludes: Vec::new(),
            per_file_ignores: Vec::new(),
            src: Vec::new(),
            rules: RuleSettings::default(),
            report_unused_suppressions: false,
            threads: 0,
            base: std::env::current_dir().unwrap_or_default(),
        }
    }
}

/// A finding ready to print.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub filename: String,
    pub file: usize,
    pub span: Span,
    pub location: Position,
    pub end_location: Position,
    pub fingerprint: String,
}

pub struct Analysis {
    pub model: ProjectModel,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum AnalysisError {
    MissingPath(PathBuf),
    BadGlob(String),
    ThreadPool(String),
    /// A failure of routewarden itself outside any rule.
    Internal(String),
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnalysisError::MissingPath(p) => write!(f, "path does not exist: {}", p.display()),
            AnalysisError::BadGlob(e) => write!(f, "bad glob: {e}"),
            AnalysisError::ThreadPool(e) => write!(f, "could not start worker threads: {e}"),
            AnalysisError::Internal(e) => write!(
                f,
                "internal error: {e} (please report it with the file that caused it)"
            ),
        }
    }
}

/// The number of worker threads for a requested count (0: one per core). Idle workers of the
/// walker and of rayon spin while looking for work, so far more threads than cores makes a run
/// slower by orders of magnitude: the count is capped at four per core (at least 8). The
/// output does not depend on it.
pub fn effective_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if requested == 0 {
        cores
    } else {
        requested.min((cores * 4).max(8))
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Stack for worker threads: parsing deeply nested code recurses, and a dropped syntax tree of
/// a pathological file is freed recursively. The memory is reserved, not committed.
const WORKER_STACK: usize = 256 * 1024 * 1024;

/// Runs a closure on a pool of `threads` workers with large stacks.
pub fn with_pool<T: Send>(
    threads: usize,
    f: impl FnOnce() -> T + Send,
) -> Result<T, AnalysisError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|e| AnalysisError::ThreadPool(e.to_string()))?;
    Ok(pool.install(f))
}

/// A file that could not be analysed: its index, the rule that reports it, and why.
pub type FileProblem = (usize, &'static RuleMeta, String);

/// Reads, parses and models the Python files under `paths`. `problems` receives the files that
/// could not be read or decoded, by index.
pub fn build_model(
    paths: &[PathBuf],
    settings: &Settings,
) -> Result<(ProjectModel, Vec<FileProblem>), AnalysisError> {
    for p in paths {
        // `exists` follows symlinks: a dangling link is as missing as a misspelt path.
        if !p.exists() {
            return Err(AnalysisError::MissingPath(p.clone()));
        }
    }
    let excludes =
        Excludes::new(&settings.excludes).map_err(|e| AnalysisError::BadGlob(e.to_string()))?;
    let threads = effective_threads(settings.threads);
    let files = walk::python_files(paths, &excludes, &settings.base, threads);
    let cwd = std::env::current_dir().unwrap_or_default();
    let loaded: Vec<(InputFile, Option<(&'static RuleMeta, String)>)> = files
        .into_par_iter()
        .map(|path| {
            let display = display_name(&path, &cwd);
            let (text, problem) = read_source(&path);
            (
                InputFile {
                    path,
                    display,
                    text,
                },
                problem,
            )
        })
        .collect();
    let mut problems = Vec::new();
    let mut inputs = Vec::with_capacity(loaded.len());
    for (i, (input, problem)) in loaded.into_iter().enumerate() {
        if let Some((rule, message)) = problem {
            problems.push((i, rule, message));
        }
        inputs.push(input);
    }
    let model = ProjectModel::build_with_reader(inputs, &settings.src, Some(read_again));
    Ok((model, problems))
}

/// The whole analysis. Runs on its own thread pool.
pub fn analyze(
    paths: &[PathBuf],
    settings: &Settings,
    rules: &[&dyn Rule],
) -> Result<Analysis, AnalysisError> {
    let threads = effective_threads(settings.threads);
    // A panic outside the rules (which catch their own) ends the analysis with an error that
    // says so, rather than unwinding through the caller.
    with_pool(threads, || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analyze_in_pool(paths, settings, rules)
        }))
        .unwrap_or_else(|payload| Err(AnalysisError::Internal(panic_message(payload.as_ref()))))
    })?
}

fn analyze_in_pool(
    paths: &[PathBuf],
    settings: &Settings,
    rules: &[&dyn Rule],
) -> Result<Analysis, AnalysisError> {
    let (model, problems) = build_model(paths, settings)?;
    let skipped: HashSet<usize> = problems.iter().map(|(i, _, _)| *i).collect();
    let enabled: Vec<&dyn Rule> = rules
        .iter()
        .copied()
        .filter(|r| settings.selection.is_enabled(r.meta()))
        .collect();
    let mut findings =
        checker::check_project(&model, &enabled, &settings.rules, &|i| skipped.contains(&i));
    for (i, rule, message) in problems {
        let mut f = Findings::new(i);
        f.report(rule, Span::default(), message);
        findings.extend(f.into_vec());
    }
    for (i, file) in model.files.iter().enumerate() {
        if let Some(first) = file.parsed.syntax_errors.first() {
            let more = file.parsed.syntax_errors.len() - 1;
            let message = if more > 0 {
                format!("syntax error: {} (and {more} more)", first.message)
            } else {
                format!("syntax error: {}", first.message)
            };
            let mut f = Findings::new(i);
            f.report(&SYNTAX_ERROR, first.span, message);
            findings.extend(f.into_vec());
        }
    }
    let diagnostics = finish(&model, findings, settings)?;
    Ok(Analysis { model, diagnostics })
}

/// Applies selection, per-file ignores and suppressions, then locates and sorts.
fn finish(
    model: &ProjectModel,
    findings: Vec<Finding>,
    settings: &Settings,
) -> Result<Vec<Diagnostic>, AnalysisError> {
    // A pattern without a slash (`test_*.py`) names files in any folder, as in `.gitignore`;
    // one with a slash is matched against the path relative to the configuration's folder.
    let per_file: Vec<(GlobMatcher, bool, &Vec<String>)> = settings
        .per_file_ignores
        .iter()
        .map(|(g, codes)| {
            let basename_only = !g.contains('/');
            Glob::new(g.trim_start_matches("./"))
                .map(|glob| (glob.compile_matcher(), basename_only, codes))
                .map_err(|e| AnalysisError::BadGlob(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let mut by_file: Vec<Vec<Finding>> = vec![Vec::new(); model.files.len().max(1)];
    for f in findings {
        let slot = f.file.min(by_file.len() - 1);
        by_file[slot].push(f);
    }
    let selection = &settings.selection;
    let mut diagnostics: Vec<Diagnostic> = by_file
        .into_par_iter()
        .enumerate()
        .flat_map_iter(|(index, findings)| {
            let Some(file) = model.files.get(index) else {
                return Vec::new();
            };
            let relative = std::path::absolute(&file.path)
                .ok()
                .and_then(|p| p.strip_prefix(&settings.base).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| file.path.clone());
            let file_name = file.path.file_name().map(Path::new);
            let ignored_here: Vec<&String> = per_file
                .iter()
                .filter(|(m, basename_only, _)| {
                    if *basename_only {
                        file_name.is_some_and(|n| m.is_match(n))
                    } else {
                        m.is_match(&relative) || m.is_match(&file.display)
                    }
                })
                .flat_map(|(_, _, codes)| codes.iter())
                .collect();
            let suppressions = suppress::collect(file);
            let statement_starts =
                (!suppressions.is_empty()).then(|| suppress::StatementStarts::new(file));
            let mut used_rows = HashSet::new();
            let mut kept = Vec::new();
            for finding in findings {
                if finding.rule.code != "INTERNAL001"
                    && (!selection.is_enabled(finding.rule)
                        || ignored_here.iter().any(|c| {
                            finding
                                .rule
                                .code
                                .starts_with(c.to_ascii_uppercase().as_str())
                        }))
                {
                    continue;
                }
                let suppressed_at = statement_starts.as_ref().and_then(|starts| {
                    let row = file.lines().row(finding.span.start);
                    [Some(row), starts.earlier_start(row)]
                        .into_iter()
                        .flatten()
                        .find(|r| {
                            suppressions
                                .get(r)
                                .is_some_and(|s| s.codes.iter().any(|c| c == finding.rule.code))
                        })
                });
                if let Some(r) = suppressed_at {
                    used_rows.insert((r, finding.rule.code));
                    continue;
                }
                kept.push(finding);
            }
            let mut extra = Findings::new(index);
            let mut rows: Vec<&suppress::Suppression> = suppressions.values().collect();
            rows.sort_by_key(|s| s.row);
            for s in rows {
                if selection.is_enabled(&UNKNOWN_SUPPRESSION_CODE) {
                    for code in &s.unknown {
                        extra.report(
                            &UNKNOWN_SUPPRESSION_CODE,
                            s.span,
                            format!("suppression names {code}, which is not a routewarden rule"),
                        );
                    }
                }
                if settings.report_unused_suppressions && selection.is_enabled(&UNUSED_SUPPRESSION)
                {
                    for code in &s.codes {
                        // A rule that did not run cannot have been suppressed: say nothing.
                        let ran = registry::find(code).is_some_and(|m| selection.is_enabled(m));
                        if ran && !used_rows.contains(&(s.row, code.as_str())) {
                            extra.report(
                                &UNUSED_SUPPRESSION,
                                s.span,
                                format!("suppression of {code} suppresses nothing"),
                            );
                        }
                    }
                }
            }
            kept.extend(extra.into_vec());
            kept.into_iter()
                .filter(|f| selection.shows(f.severity, f.confidence))
                .map(|f| locate(file, f))
                .collect()
        })
        .collect();
    diagnostics.sort_by(|a, b| {
        (
            &a.filename,
            a.location,
            a.rule.code,
            &a.message,
            a.end_location,
        )
            .cmp(&(
                &b.filename,
                b.location,
                b.rule.code,
                &b.message,
                b.end_location,
            ))
    });
    // A route reached from two applications (one route list built into both) is judged twice;
    // the same finding at the same code is one finding to the user, and to a baseline.
    diagnostics.dedup_by(|later, kept| {
        later.filename == kept.filename
            && later.span == kept.span
            && later.rule.code == kept.rule.code
            && later.message == kept.message
    });
    Ok(diagnostics)
}

fn locate(file: &routewarden_model::SourceModule, f: Finding) -> Diagnostic {
    let location = file.position(f.span.start);
    let end_location = file.position(f.span.end.max(f.span.start));
    let fingerprint = fingerprint(f.rule.code, f.span.text(file.text()), &f.message);
    Diagnostic {
        rule: f.rule,
        severity: f.severity,
        confidence: f.confidence,
        filename: file.display.clone(),
        file: f.file,
        span: f.span,
        location,
        end_location,
        fingerprint,
        message: f.message,
    }
}

/// A hash of the rule and the flagged code with white space folded: stable when other lines
/// move, different when the flagged code changes. Empty spans (file-level findings) hash the
/// message instead.
pub fn fingerprint(code: &str, flagged: &str, message: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(code.as_bytes());
    feed(&[0]);
    if flagged.trim().is_empty() {
        feed(message.as_bytes());
    } else {
        for word in flagged.split_whitespace().take(400) {
            feed(word.as_bytes());
            feed(b" ");
        }
    }
    format!("{hash:016x}")
}

/// The name a file is printed under: relative to the current folder when below it, absolute
/// otherwise (`../lib/app.py` is printed as an absolute path).
pub fn display_name(path: &Path, cwd: &Path) -> String {
    let absolute = normalize(&if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    });
    let shown = match absolute.strip_prefix(normalize(cwd)) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => absolute,
    };
    shown.to_string_lossy().into_owned()
}

/// Removes `.` and resolves `..` lexically (without touching the file system).
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The file's text read again after parsing dropped it, for findings' positions and snippets.
fn read_again(path: &Path) -> Option<String> {
    let (text, problem) = read_source(path);
    problem.is_none().then_some(text)
}

/// The file's text, or the finding that says why it cannot be analysed.
fn read_source(path: &Path) -> (String, Option<(&'static RuleMeta, String)>) {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return (
                String::new(),
                Some((&UNREADABLE_FILE, format!("file could not be read: {e}"))),
            );
        }
    };
    if bytes.contains(&0) {
        return (
            String::new(),
            Some((
                &UNDECODABLE_FILE,
                "file contains a NUL byte; Python refuses such source".to_string(),
            )),
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let bytes = e.into_bytes();
            let declared = declared_encoding(&bytes);
            let decoded = declared.as_deref().and_then(|name| decode(name, &bytes));
            match (decoded, declared) {
                (Some(text), _) => (text, None),
                (None, Some(name)) if !is_utf8_name(&name) => (
                    String::new(),
                    Some((
                        &UNDECODABLE_FILE,
                        format!(
                            "file declares the encoding `{name}`, which routewarden cannot decode \
                             (or its bytes are not valid in it)"
                        ),
                    )),
                ),
                _ => (
                    String::new(),
                    Some((
                        &UNDECODABLE_FILE,
                        "file is not valid UTF-8 and declares no encoding routewarden can read"
                            .to_string(),
                    )),
                ),
            }
        }
    }
}

fn is_utf8_name(name: &str) -> bool {
    name == "utf-8" || name == "utf8" || name.starts_with("utf-8-")
}

/// Characters of the bytes 0x80 to 0x9F in Windows-1252; `None` where it defines none.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20AC}'),
    None,
    Some('\u{201A}'),
    Some('\u{0192}'),
    Some('\u{201E}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02C6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017D}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201C}'),
    Some('\u{201D}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02DC}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203A}'),
    Some('\u{0153}'),
    None,
    Some('\u{017E}'),
    Some('\u{0178}'),
];

/// Decodes `bytes` in the single-byte encodings legacy Python source uses: Latin-1 and
/// Windows-1252. `None` for another encoding or a byte the encoding does not define.
fn decode(name: &str, bytes: &[u8]) -> Option<String> {
    // Python's own aliases, and the `-unix`/`-dos` style suffixes its tokenizer accepts.
    let latin1 = matches!(
        name,
        "latin-1" | "latin1" | "latin" | "l1" | "iso-latin-1" | "iso8859-1" | "iso-8859-1"
    ) || ["latin-1-", "iso-8859-1-", "iso-latin-1-"]
        .iter()
        .any(|prefix| name.starts_with(prefix));
    if latin1 {
        return Some(bytes.iter().map(|&b| char::from(b)).collect());
    }
    if matches!(name, "cp1252" | "windows-1252") {
        return bytes
            .iter()
            .map(|&b| match b {
                0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                _ => Some(char::from(b)),
            })
            .collect();
    }
    None
}

/// The PEP 263 encoding named on one of the first two lines (normalised: lower case, `-`):
/// a comment matching `coding[:=]\s*([-\w.]+)`, on line 2 only after a blank or comment line.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|&b| b == b'\n').take(2) {
        let line = String::from_utf8_lossy(line);
        let trimmed = line.trim_start_matches([' ', '\t', '\x0c']);
        if !trimmed.starts_with('#') {
            if trimmed.trim().is_empty() {
                continue;
            }
            return None;
        }
        let mut rest = trimmed;
        while let Some(at) = rest.find("coding") {
            let after = &rest[at + 6..];
            if let Some(value) = after.strip_prefix([':', '=']) {
                let name: String = value
                    .trim_start_matches([' ', '\t'])
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                    .collect();
                if !name.is_empty() {
                    return Some(name.to_ascii_lowercase().replace('_', "-"));
                }
            }
            rest = after;
        }
    }
    None
}
