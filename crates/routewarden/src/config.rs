//! Configuration from `[tool.routewarden]` in `pyproject.toml` or from `routewarden.toml`,
//! found by searching upwards from the first analysed path.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    pub severity: Option<String>,
    pub confidence: Option<String>,
    pub fail_on: Option<String>,
    pub src: Option<Vec<PathBuf>>,
    pub report_unused_suppressions: Option<bool>,
    pub auth: Option<AuthConfig>,
    pub rate: Option<RateConfig>,
    pub secret: Option<SecretConfig>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuthConfig {
    #[serde(default)]
    pub decorators: Vec<String>,
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default)]
    pub public_paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RateConfig {
    #[serde(default)]
    pub login_paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretConfig {
    #[serde(default)]
    pub key_names: Vec<String>,
}

#[derive(Debug)]
pub struct ConfigError {
    pub file: PathBuf,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid configuration in {}: {}",
            self.file.display(),
            self.message
        )
    }
}

/// A loaded configuration and the folder it came from (relative `src` and globs resolve there).
#[derive(Debug, Default, Clone)]
pub struct LoadedConfig {
    pub config: FileConfig,
    pub root: Option<PathBuf>,
    pub file: Option<PathBuf>,
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<PyProjectTool>,
}

#[derive(Deserialize)]
struct PyProjectTool {
    routewarden: Option<FileConfig>,
}

/// Parses one configuration file: a `pyproject.toml` (its `[tool.routewarden]` table, `None` when
/// it has none) or a `routewarden.toml`.
pub fn load_file(path: &Path) -> Result<Option<FileConfig>, ConfigError> {
    let err = |message: String| ConfigError {
        file: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    // Deserialised straight from the text, so that an error carries the place it was found.
    let config = if is_pyproject {
        let pyproject: PyProject =
            toml::from_str(&text).map_err(|e| err(describe_toml_error(&e, &text)))?;
        match pyproject.tool.and_then(|t| t.routewarden) {
            Some(config) => config,
            None => return Ok(None),
        }
    } else {
        toml::from_str::<FileConfig>(&text).map_err(|e| err(describe_toml_error(&e, &text)))?
    };
    validate(&config).map_err(err)?;
    Ok(Some(config))
}

/// The parser's message on one line, with the line number and the offending line's text.
fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else {
        return message;
    };
    let start = span.start.min(text.len());
    let row = text[..start].matches('\n').count() + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[line_start..line_end].trim();
    if line.is_empty() {
        format!("{message} (line {row})")
    } else {
        format!("{message} (line {row}: `{line}`)")
    }
}

fn validate(config: &FileConfig) -> Result<(), String> {
    for (key, value) in [("severity", &config.severity), ("fail-on", &config.fail_on)] {
        if let Some(v) = value
            && routewarden_rules::Severity::parse(&v.to_ascii_lowercase()).is_none()
        {
            return Err(format!(
                "`{key}` must be one of critical, high, medium, low; found `{v}`"
            ));
        }
    }
    if let Some(v) = &config.confidence
        && routewarden_rules::Confidence::parse(&v.to_ascii_lowercase()).is_none()
    {
        return Err(format!(
            "`confidence` must be one of high, medium, low; found `{v}`"
        ));
    }
    let selectors = [
        ("select", &config.select),
        ("ignore", &config.ignore),
        ("extend-select", &config.extend_select),
    ];
    for (key, list) in selectors {
        for code in list.iter().flatten() {
            if !crate::selection::is_known_selector(code) {
                return Err(format!(
                    "`{key}` names `{code}`, which is neither a rule code nor a family"
                ));
            }
        }
    }
    for (glob, codes) in config.per_file_ignores.iter().flatten() {
        globset::Glob::new(glob)
            .map_err(|e| format!("`per-file-ignores` has a bad glob `{glob}`: {e}"))?;
        for code in codes {
            if !crate::selection::is_known_selector(code) {
                return Err(format!(
                    "`per-file-ignores` names `{code}`, which is neither a rule code nor a family"
                ));
            }
        }
    }
    for glob in config
        .exclude
        .iter()
        .chain(&config.extend_exclude)
        .flatten()
    {
        globset::Glob::new(glob).map_err(|e| format!("bad exclude glob `{glob}`: {e}"))?;
    }
    Ok(())
}

/// Finds the nearest configuration above `start`: in each folder, `routewarden.toml` first,
/// then a `pyproject.toml` that has a `[tool.routewarden]` table.
pub fn discover(start: &Path) -> Result<LoadedConfig, ConfigError> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in ["routewarden.toml", "pyproject.toml"] {
            let candidate = d.join(name);
            if candidate.is_file()
                && let Some(config) = load_file(&candidate)?
            {
                return Ok(LoadedConfig {
                    config,
                    root: Some(d.to_path_buf()),
                    file: Some(candidate),
                });
            }
        }
        dir = d.parent();
    }
    Ok(LoadedConfig::default())
}

/// Loads an explicitly named configuration file.
pub fn load_explicit(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let config = load_file(path)?.ok_or_else(|| ConfigError {
        file: path.to_path_buf(),
        message: "no [tool.routewarden] table".to_string(),
    })?;
    let root = std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    Ok(LoadedConfig {
        config,
        root,
        file: Some(path.to_path_buf()),
    })
}
