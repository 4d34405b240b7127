//! Module names from paths: package roots are found by `__init__.py` chains.

use rustc_hash::FxHashSet as HashSet;
use std::path::{Path, PathBuf};

/// The dotted module name of `path` and whether it is a package `__init__`.
/// `package_dirs` holds every folder that has an `__init__.py` among the analysed files;
/// `src_roots` are configured import roots, which win when they contain the file.
pub fn module_name(
    path: &Path,
    package_dirs: &HashSet<PathBuf>,
    src_roots: &[PathBuf],
) -> (String, bool) {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let is_package = stem == "__init__";
    let mut parts: Vec<String> = Vec::new();
    if !is_package {
        parts.push(stem.to_string());
    }
    let mut dir = path.parent();
    if let Some(root) = src_roots.iter().find(|r| path.starts_with(r)) {
        while let Some(d) = dir {
            if d == root.as_path() {
                break;
            }
            if let Some(name) = d.file_name().and_then(|n| n.to_str()) {
                parts.push(name.to_string());
            }
            dir = d.parent();
        }
    } else {
        while let Some(d) = dir {
            if !package_dirs.contains(d) {
                break;
            }
            match d.file_name().and_then(|n| n.to_str()) {
                Some(name) => parts.push(name.to_string()),
                None => break,
            }
            dir = d.parent();
        }
    }
    parts.reverse();
    (parts.join("."), is_package)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_src_roots() {
        let dirs: HashSet<PathBuf> = ["p/app", "p/app/api"].iter().map(PathBuf::from).collect();
        assert_eq!(
            module_name(Path::new("p/app/api/users.py"), &dirs, &[]),
            ("app.api.users".to_string(), false)
        );
        assert_eq!(
            module_name(Path::new("p/app/__init__.py"), &dirs, &[]),
            ("app".to_string(), true)
        );
        assert_eq!(
            module_name(Path::new("p/main.py"), &dirs, &[]),
            ("main".to_string(), false)
        );
        assert_eq!(
            module_name(
                Path::new("r/src/pkg/x.py"),
                &dirs,
                &[PathBuf::from("r/src")]
            ),
            ("pkg.x".to_string(), false)
        );
    }
}
