//! Command-line parsing and the commands.

use crate::analysis::{self, Settings};
use crate::config::{self, LoadedConfig};
use crate::output;
use crate::selection::{Selection, is_known_selector};
use clap::{Parser, Subcommand, ValueEnum};
use routewarden_rules::registry;
use routewarden_rules::{Confidence, RuleSettings, Severity};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "routewarden",
    version,
    about = "Finds the security holes of FastAPI, Starlette and Flask applications"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Analyse files and folders (default: the current folder).
    Check(CheckArgs),
    /// Print one rule's documentation.
    Rule {
        /// The rule code, such as CORS001.
        code: String,
    },
    /// List every route with what protects it: the attack surface.
    Routes(RoutesArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

#[derive(clap::Args, Debug, Default)]
pub struct RoutesArgs {
    /// Files and folders to analyse.
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = RoutesFormat::Table)]
    pub format: RoutesFormat,
    /// Read this configuration file instead of searching for one.
    #[arg(long, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long)]
    pub no_config: bool,
    /// Worker threads (default: one per core). Output is identical for every value.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Also list routes in test code (applications built in `test_*.py`, `conftest.py` or a
    /// `tests` package, and routes registered or handled there), left out by default.
    #[arg(long)]
    pub include_tests: bool,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum RoutesFormat {
    /// One block per route, grouped by application (also accepted as `text`, as for `check`)
    #[default]
    #[value(alias = "text")]
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
    Junit,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug, Default)]
pub struct CheckArgs {
    /// Files and folders to analyse.
    pub paths: Vec<PathBuf>,
    /// Also analyse these files and folders, without reporting their findings: the project
    /// around the changed files a pre-commit hook names (repeatable).
    #[arg(long)]
    pub context: Vec<PathBuf>,
    /// Output format. Repeat it with `--output` to write several reports from one analysis:
    /// formats and outputs pair in order, and a first format without an output goes to
    /// standard output.
    #[arg(long, alias = "output-format", value_enum)]
    pub format: Vec<Format>,
    /// Write the report to this file instead of standard output (repeatable, see `--format`).
    #[arg(long, short)]
    pub output: Vec<PathBuf>,
    /// Report only findings that are not in this baseline file.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write every finding to this baseline file (and report as usual).
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Codes or families to run (replaces the configuration's `select`).
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Codes or families to skip (added to the configuration's `ignore`).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Codes or families to run in addition to the selection.
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// The lowest severity shown: critical, high, medium or low.
    #[arg(long, value_parser = parse_severity)]
    pub severity: Option<Severity>,
    /// The lowest confidence shown: high, medium or low.
    #[arg(long, value_parser = parse_confidence)]
    pub confidence: Option<Confidence>,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Exit 0 whatever is found, when the analysis itself succeeded.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print counts by code instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print findings only, without the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Read this configuration file instead of searching for one.
    #[arg(long, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long)]
    pub no_config: bool,
    /// Report suppression comments that suppress nothing (NOQA002).
    #[arg(long)]
    pub report_unused_suppressions: bool,
    /// Worker threads (default: one per core). Output is identical for every value.
    #[arg(long)]
    pub threads: Option<usize>,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(&s.to_ascii_lowercase())
        .ok_or_else(|| format!("`{s}` is not one of critical, high, medium, low"))
}

fn parse_confidence(s: &str) -> Result<Confidence, String> {
    Confidence::parse(&s.to_ascii_lowercase())
        .ok_or_else(|| format!("`{s}` is not one of high, medium, low"))
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    // A rule that panics is reported as a finding; the default hook would also print to stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Rule { code } => run_rule(&code),
        Command::Routes(args) => run_routes(&args),
        Command::Rules { format } => run_rules(format),
    }
}

fn run_routes(args: &RoutesArgs) -> i32 {
    let check = CheckArgs {
        paths: args.paths.clone(),
        config: args.config.clone(),
        no_config: args.no_config,
        threads: args.threads,
        ..CheckArgs::default()
    };
    let paths = if check.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        check.paths.clone()
    };
    let loaded = match load_config(&check, &paths) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let settings = match settings_for(&check, &loaded) {
        Ok((s, _)) => s,
        Err(e) => return fail(e),
    };
    let list = match crate::routes::route_rows(&paths, &settings, args.include_tests) {
        Ok(list) => list,
        Err(e) => return fail(e),
    };
    let text = match args.format {
        RoutesFormat::Table => crate::routes::render_table(&list.rows, list.test_routes_hidden),
        RoutesFormat::Json => crate::routes::render_json(&list.rows),
        RoutesFormat::Markdown => crate::routes::render_markdown(&list.rows),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    0
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("routewarden: error: {message}");
    2
}

/// Merges the configuration file and the flags into analysis settings.
pub fn settings_for(args: &CheckArgs, loaded: &LoadedConfig) -> Result<(Settings, Format), String> {
    let file = &loaded.config;
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let base = loaded.root.clone().unwrap_or_else(|| cwd.clone());
    for code in args
        .select
        .iter()
        .flatten()
        .chain(&args.ignore)
        .chain(&args.extend_select)
    {
        if !is_known_selector(code) {
            return Err(format!(
                "`{code}` is neither a rule code nor a family (see `routewarden rules`)"
            ));
        }
    }
    let parse_sev = |v: &Option<String>| {
        v.as_deref()
            .and_then(|v| Severity::parse(&v.to_ascii_lowercase()))
    };
    let selection = Selection {
        select: args
            .select
            .clone()
            .or_else(|| file.select.clone())
            .unwrap_or_else(|| vec!["ALL".to_string()]),
        extend_select: file
            .extend_select
            .clone()
            .unwrap_or_default()
            .into_iter()
            .chain(args.extend_select.clone())
            .collect(),
        ignore: file
            .ignore
            .clone()
            .unwrap_or_default()
            .into_iter()
            .chain(args.ignore.clone())
            .collect(),
        min_severity: args
            .severity
            .or(parse_sev(&file.severity))
            .unwrap_or(Severity::Low),
        min_confidence: args
            .confidence
            .or(file
                .confidence
                .as_deref()
                .and_then(|v| Confidence::parse(&v.to_ascii_lowercase())))
            .unwrap_or(Confidence::Low),
    };
    let auth = file.auth.clone().unwrap_or_default();
    let settings = Settings {
        selection,
        fail_on: args
            .fail_on
            .or(parse_sev(&file.fail_on))
            .unwrap_or(Severity::Low),
        excludes: file
            .exclude
            .iter()
            .flatten()
            .chain(file.extend_exclude.iter().flatten())
            .cloned()
            .collect(),
        per_file_ignores: file
            .per_file_ignores
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        src: file.src.iter().flatten().map(|p| base.join(p)).collect(),
        rules: RuleSettings {
            auth_decorators: auth.decorators,
            auth_dependencies: auth.dependencies,
            public_paths: auth.public_paths,
            login_paths: file.rate.clone().unwrap_or_default().login_paths,
            secret_key_names: file.secret.clone().unwrap_or_default().key_names,
        },
        report_unused_suppressions: args.report_unused_suppressions
            || file.report_unused_suppressions.unwrap_or(false),
        threads: args.threads.unwrap_or(0),
        base,
    };
    Ok((
        settings,
        args.format.first().copied().unwrap_or(Format::Text),
    ))
}

fn load_config(args: &CheckArgs, paths: &[PathBuf]) -> Result<LoadedConfig, config::ConfigError> {
    if args.no_config {
        Ok(LoadedConfig::default())
    } else if let Some(path) = &args.config {
        config::load_explicit(path)
    } else {
        config::discover(&paths[0])
    }
}

/// Pairs `--format` and `--output` values: each report and where it goes (`None`: standard
/// output).
pub fn report_targets(args: &CheckArgs) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    let formats = if args.format.is_empty() {
        vec![Format::Text]
    } else {
        args.format.clone()
    };
    let outputs = &args.output;
    if outputs.len() > formats.len() {
        return Err("more --output than --format values".to_string());
    }
    let to_stdout = formats.len() - outputs.len();
    if to_stdout > 1 {
        return Err(format!(
            "{} formats but {} outputs: at most one report can go to standard output",
            formats.len(),
            outputs.len()
        ));
    }
    let mut targets = Vec::new();
    let mut files = outputs.iter();
    for (i, f) in formats.into_iter().enumerate() {
        let target = if i == 0 && to_stdout == 1 {
            None
        } else {
            files.next().cloned()
        };
        targets.push((f, target));
    }
    Ok(targets)
}

/// A path as the file system names it, to compare paths given in different forms.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

pub fn run_check(args: &CheckArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let loaded = match load_config(args, &paths) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let (settings, _) = match settings_for(args, &loaded) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let reports = match report_targets(args) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let baseline = match &args.baseline {
        Some(path) => match crate::baseline::read(path) {
            Ok(b) => Some(b),
            Err(e) => return fail(e),
        },
        None => None,
    };
    let mut analysed = args.context.clone();
    analysed.extend(paths.iter().cloned());
    let mut analysis = match analysis::analyze(&analysed, &settings, registry::rules()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    if !args.context.is_empty() {
        let reported: Vec<PathBuf> = paths.iter().map(|p| canonical(p)).collect();
        let model = &analysis.model;
        analysis.diagnostics.retain(|d| {
            model
                .files
                .get(d.file)
                .is_some_and(|f| reported.iter().any(|r| canonical(&f.path).starts_with(r)))
        });
    }
    if let Some(path) = &args.write_baseline
        && let Err(e) = crate::baseline::write(path, &analysis.diagnostics)
    {
        return fail(e);
    }
    if let Some(baseline) = &baseline {
        let diagnostics = std::mem::take(&mut analysis.diagnostics);
        let cwd = std::env::current_dir().unwrap_or_default();
        let renamed = crate::baseline::git_renames(baseline, &cwd);
        analysis.diagnostics = crate::baseline::filter(diagnostics, baseline, &renamed);
    }
    let diagnostics = &analysis.diagnostics;
    for (format, target) in reports {
        let to_terminal = target.is_none() && std::io::stdout().is_terminal();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let report = if args.statistics && format == Format::Text {
            output::text::statistics(diagnostics)
        } else {
            match format {
                Format::Text => output::text::render(
                    diagnostics,
                    &analysis.model,
                    &output::text::TextOptions {
                        color,
                        quiet: args.quiet,
                        files_analysed: analysis.model.files.len(),
                    },
                ),
                Format::Json => output::json::render(diagnostics),
                Format::Sarif => output::sarif::render(diagnostics),
                Format::Github => output::github::render(diagnostics),
                Format::Junit => output::junit::render(diagnostics),
            }
        };
        let written = match &target {
            Some(path) => std::fs::write(path, report.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display())),
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(report.as_bytes())
                    .and_then(|_| stdout.flush())
                    .map_err(|e| e.to_string())
            }
        };
        if let Err(e) = written {
            // A closed pipe (`routewarden check | head`) is not a failure of the analysis.
            if !e.contains("Broken pipe") {
                return fail(e);
            }
        }
    }
    let failed = !args.exit_zero && diagnostics.iter().any(|d| d.severity >= settings.fail_on);
    // The process ends right after: freeing every syntax tree one by one would only delay it.
    std::mem::forget(analysis);
    i32::from(failed)
}

fn run_rule(code: &str) -> i32 {
    let Some(meta) = registry::find(code) else {
        return fail(format!("no rule {code} (see `routewarden rules`)"));
    };
    println!("{} {}", meta.code, meta.name);
    println!(
        "severity: {}   confidence: {}   CWE-{}   family: {}",
        meta.severity.as_str(),
        meta.confidence.as_str(),
        meta.cwe,
        meta.family()
    );
    println!();
    print!("{}", meta.documentation().trim_end());
    println!();
    0
}

fn run_rules(format: ListFormat) -> i32 {
    let metas = registry::all_metas();
    match format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "family": m.family(),
                        "severity": m.severity.as_str(),
                        "confidence": m.confidence.as_str(),
                        "cwe": m.cwe,
                        "summary": m.summary(),
                        "fix": m.fix,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
        }
        ListFormat::Text => {
            println!(
                "{:<12} {:<36} {:<9} {:<10} family",
                "code", "name", "severity", "confidence"
            );
            for m in metas {
                println!(
                    "{:<12} {:<36} {:<9} {:<10} {}",
                    m.code,
                    m.name,
                    m.severity.as_str(),
                    m.confidence.as_str(),
                    m.family()
                );
            }
        }
    }
    0
}
