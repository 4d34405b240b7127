//! Baselines: the findings an old codebase already has, so that only new ones are reported.
//! Entries are matched by code, file and fingerprint (never by line); each entry absorbs one
//! finding. A file renamed with `git mv` keeps its baseline: the rename is read from git.

use crate::analysis::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub code: String,
    pub filename: String,
    pub fingerprint: String,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

pub fn write(path: &Path, diagnostics: &[Diagnostic]) -> Result<(), String> {
    let mut findings: Vec<Entry> = diagnostics
        .iter()
        .map(|d| Entry {
            code: d.rule.code.to_string(),
            filename: d.filename.clone(),
            fingerprint: d.fingerprint.clone(),
        })
        .collect();
    findings.sort();
    let text = serde_json::to_string_pretty(&Baseline {
        version: 1,
        findings,
    })
    .map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n")
        .map_err(|e| format!("cannot write baseline {}: {e}", path.display()))
}

pub fn read(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let baseline: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("invalid baseline {}: {e}", path.display()))?;
    if baseline.version != 1 {
        return Err(format!(
            "baseline {} has unsupported version {}",
            path.display(),
            baseline.version
        ));
    }
    Ok(baseline)
}

/// Drops the findings the baseline absorbs. `renamed` maps a baseline file name to the name the
/// file has now, when it was renamed.
pub fn filter(
    diagnostics: Vec<Diagnostic>,
    baseline: &Baseline,
    renamed: &BTreeMap<String, String>,
) -> Vec<Diagnostic> {
    let mut entries: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for e in &baseline.findings {
        let filename = renamed.get(&e.filename).unwrap_or(&e.filename).clone();
        *entries
            .entry((e.code.clone(), filename, e.fingerprint.clone()))
            .or_default() += 1;
    }
    diagnostics
        .into_iter()
        .filter(|d| {
            let key = (
                d.rule.code.to_string(),
                d.filename.clone(),
                d.fingerprint.clone(),
            );
            match entries.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        })
        .collect()
}

/// Renames git recorded for the baseline's files that no longer exist: committed (`git mv`
/// then commit) and staged. File names are relative to `cwd`, as in reports. Without git, or
/// outside a repository, nothing is renamed.
pub fn git_renames(baseline: &Baseline, cwd: &Path) -> BTreeMap<String, String> {
    let missing: BTreeSet<&str> = baseline
        .findings
        .iter()
        .map(|e| e.filename.as_str())
        .filter(|f| !cwd.join(f).exists())
        .collect();
    let mut out = BTreeMap::new();
    if missing.is_empty() {
        return out;
    }
    let git = |args: &[&str]| -> Option<String> {
        let o = std::process::Command::new("git")
            .args(args)
            .current_dir(cwd)
            .output()
            .ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let Some(top) = git(&["rev-parse", "--show-toplevel"]) else {
        return out;
    };
    let top = std::path::PathBuf::from(top.trim());
    let Ok(cwd_abs) = cwd.canonicalize() else {
        return out;
    };
    let Ok(prefix) = cwd_abs.strip_prefix(&top) else {
        return out;
    };
    // Oldest first, so chains of renames resolve to the newest name.
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(log) = git(&[
        "log",
        "--reverse",
        "--no-color",
        "-M",
        "--diff-filter=R",
        "--name-status",
        "--format=",
    ]) {
        for line in log.lines() {
            let parts: Vec<&str> = line.split('\t').collect();
            if parts.len() == 3 && parts[0].starts_with('R') {
                pairs.push((parts[1].to_string(), parts[2].to_string()));
            }
        }
    }
    if let Some(status) = git(&["status", "--porcelain=v1", "-M"]) {
        for line in status.lines() {
            if let Some((old, new)) = line.get(3..).and_then(|rest| rest.split_once(" -> "))
                && line.starts_with('R')
            {
                pairs.push((old.to_string(), new.to_string()));
            }
        }
    }
    for name in missing {
        let mut current = prefix.join(name).to_string_lossy().into_owned();
        for (old, new) in &pairs {
            if *old == current {
                current = new.clone();
            }
        }
        if let Ok(rel) = Path::new(&current).strip_prefix(prefix) {
            let rel = rel.to_string_lossy().into_owned();
            if rel != name {
                out.insert(name.to_string(), rel);
            }
        }
    }
    out
}
