//! The floor under any analysis built on this parser: reads every `.py` file under the given
//! folders and parses it, nothing else. `bench/run.py` times it beside routewarden and ruff.
//!
//! `parse_floor MODE THREADS PATH...`, MODE one of:
//! - `parse`: ruff's parser only, each tree dropped at once;
//! - `lower`: parsing and lowering to routewarden's tree, each tree dropped at once;
//! - `keep`: parsing and lowering, every tree kept to the end (what a cross-file model holds).

use rayon::prelude::*;
use std::path::{Path, PathBuf};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        // `file_type` does not follow symlinks: a link is neither a file nor a folder here.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            python_files(&path, out);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(threads)) = (args.first(), args.get(1)) else {
        eprintln!("usage: parse_floor parse|lower|keep THREADS PATH...");
        std::process::exit(2);
    };
    let threads: usize = threads.parse().unwrap_or(0);
    let mut files = Vec::new();
    for root in &args[2..] {
        python_files(Path::new(root), &mut files);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(256 * 1024 * 1024)
        .build()
        .expect("thread pool");
    let read = |p: &PathBuf| std::fs::read(p).map(|b| String::from_utf8_lossy(&b).into_owned());
    let statements: usize = pool.install(|| match mode.as_str() {
        "parse" => files
            .par_iter()
            .filter_map(|p| read(p).ok())
            .map(|text| {
                ruff_python_parser::parse_unchecked_source(
                    &text,
                    ruff_python_ast::PySourceType::Python,
                )
                .syntax()
                .body
                .len()
            })
            .sum(),
        "lower" => files
            .par_iter()
            .filter_map(|p| read(p).ok())
            .map(|text| routewarden_python::parse(&text).module.body.len())
            .sum(),
        "keep" => {
            let kept: Vec<_> = files
                .par_iter()
                .filter_map(|p| read(p).ok())
                .map(|text| (routewarden_python::parse(&text), text))
                .collect();
            kept.iter().map(|(m, _)| m.module.body.len()).sum()
        }
        _ => {
            eprintln!("unknown mode {mode}");
            std::process::exit(2);
        }
    });
    println!("{} files, {statements} top-level statements", files.len());
}
