//! Finding the Python files to analyse: a parallel walk that honours ignore files and
//! excludes, skips virtual environments and caches, and never follows symlinks.

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folder names never descended into.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".direnv",
    ".eggs",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".pytype",
    "__pycache__",
    "__pypackages__",
    "node_modules",
    "site-packages",
    "dist-packages",
    "_build",
    "buck-out",
];

pub struct Excludes {
    set: GlobSet,
}

impl Excludes {
    pub fn new(globs: &[String]) -> Result<Self, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        for g in globs {
            // Globs are relative to the configuration's folder: `./build` means `build`.
            let g = g.strip_prefix("./").unwrap_or(g);
            builder.add(Glob::new(g)?);
            // A bare name or folder glob also excludes everything below it.
            if !g.ends_with("/**") {
                builder.add(Glob::new(&format!("{}/**", g.trim_end_matches('/')))?);
                if !g.contains('/') {
                    builder.add(Glob::new(&format!("**/{g}"))?);
                    builder.add(Glob::new(&format!("**/{g}/**"))?);
                }
            }
        }
        Ok(Self {
            set: builder.build()?,
        })
    }

    pub fn is_excluded(&self, relative: &Path) -> bool {
        !self.set.is_empty() && self.set.is_match(relative)
    }
}

/// A folder that is a virtual environment even under another name.
fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

/// The `.py` files under `paths`, sorted. `base` is the folder exclude globs are relative to.
/// Files named explicitly are kept even when ignore files would skip them, but not when an
/// exclude glob matches them.
pub fn python_files(
    paths: &[PathBuf],
    excludes: &Excludes,
    base: &Path,
    threads: usize,
) -> Vec<PathBuf> {
    let relative = |p: &Path| -> PathBuf {
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        abs.strip_prefix(base).map(Path::to_path_buf).unwrap_or(abs)
    };
    let found = Mutex::new(Vec::new());
    let mut dirs = Vec::new();
    for p in paths {
        if p.is_file() {
            // Named explicitly, a file is read whatever its extension, except a stub: `.pyi`
            // files hold no code that runs.
            let stub = p.extension().is_some_and(|e| e == "pyi");
            if !stub && !excludes.is_excluded(&relative(p)) {
                found
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(p.clone());
            }
        } else if p.is_dir() {
            dirs.push(p.clone());
        }
        // Anything else named explicitly (a FIFO, a socket, a device) is not source: reading
        // a FIFO would block the run.
    }
    if let Some((first, rest)) = dirs.split_first() {
        let mut builder = WalkBuilder::new(first);
        for d in rest {
            builder.add(d);
        }
        builder
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .ignore(true)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            .threads(threads)
            .filter_entry(|entry| {
                let Some(ft) = entry.file_type() else {
                    return true;
                };
                if ft.is_dir() && entry.depth() > 0 {
                    let name = entry.file_name().to_string_lossy();
                    return !SKIPPED_DIRS.contains(&name.as_ref()) && !is_virtualenv(entry.path());
                }
                true
            });
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return WalkState::Continue;
                };
                let path = entry.path();
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if entry.file_type().is_some_and(|t| t.is_dir())
                    && entry.depth() > 0
                    && excludes.is_excluded(&relative(path))
                {
                    return WalkState::Skip;
                }
                if is_file
                    && path.extension().is_some_and(|e| e == "py")
                    && !excludes.is_excluded(&relative(path))
                {
                    found
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(path.to_path_buf());
                }
                WalkState::Continue
            })
        });
    }
    let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
    files.par_sort();
    // Overlapping arguments (`check . app.py`, `check .. .`) name one file under several
    // paths: analyse it once, under the first of them.
    if !may_overlap(paths) {
        return files;
    }
    let canonical: Vec<PathBuf> = files
        .par_iter()
        .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    files
        .into_iter()
        .zip(canonical)
        .filter_map(|(f, key)| seen.insert(key).then_some(f))
        .collect()
}

/// Whether two of `paths` can reach the same file. The walk follows no symlink below the
/// folders it is given, so folders whose real paths are not nested reach disjoint files; a file
/// named explicitly, or a folder that cannot be resolved, may repeat one. Resolving every file
/// instead costs a `readlink` per path component of each.
fn may_overlap(paths: &[PathBuf]) -> bool {
    if paths.len() < 2 {
        return false;
    }
    let mut roots = Vec::with_capacity(paths.len());
    for p in paths {
        if !p.is_dir() {
            return true;
        }
        match std::fs::canonicalize(p) {
            Ok(root) => roots.push(root),
            Err(_) => return true,
        }
    }
    roots.iter().enumerate().any(|(i, a)| {
        roots
            .iter()
            .enumerate()
            .any(|(j, b)| i != j && b.starts_with(a))
    })
}
