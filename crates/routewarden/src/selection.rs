//! Which rules run and which findings are shown: selectors, severity and confidence floors.

use routewarden_rules::registry;
use routewarden_rules::{Confidence, RuleMeta, Severity};

/// A code (`CORS001`), a family (`CORS`), or `ALL`.
pub fn is_known_selector(selector: &str) -> bool {
    let s = selector.to_ascii_uppercase();
    if s == "ALL" {
        return true;
    }
    let family = s.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = s.len() - family.len();
    match digits {
        // A family or a code prefix (`SECRET`, `SECRET00`).
        0..=2 => registry::FAMILIES.contains(&family),
        // A whole code must name a rule: `SECRET999` is a typo, not a selection of nothing.
        3 => registry::find(&s).is_some(),
        _ => false,
    }
}

fn matches(selector: &str, meta: &RuleMeta) -> bool {
    let s = selector.to_ascii_uppercase();
    s == "ALL" || meta.code.starts_with(&s)
}

/// The resolved selection: the set of enabled codes plus output floors.
#[derive(Clone, Debug)]
pub struct Selection {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub min_severity: Severity,
    pub min_confidence: Confidence,
}

impl Default for Selection {
    fn default() -> Self {
        Self {
            select: vec!["ALL".into()],
            extend_select: Vec::new(),
            ignore: Vec::new(),
            min_severity: Severity::Low,
            min_confidence: Confidence::Low,
        }
    }
}

impl Selection {
    /// A rule is enabled when selected (or extend-selected) and not ignored; the more specific
    /// selector wins when both match, so `--ignore AUTH --select AUTH001` keeps AUTH001.
    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        // Failures of the analysis itself are always shown.
        if meta.code == "INTERNAL001" {
            return true;
        }
        let best = |list: &[String]| {
            list.iter()
                .filter(|s| matches(s, meta))
                .map(|s| specificity(s))
                .max()
        };
        let selected = best(&self.select).max(best(&self.extend_select));
        let ignored = best(&self.ignore);
        match (selected, ignored) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            _ => false,
        }
    }

    pub fn shows(&self, severity: Severity, confidence: Confidence) -> bool {
        severity >= self.min_severity && confidence >= self.min_confidence
    }
}

fn specificity(selector: &str) -> usize {
    if selector.eq_ignore_ascii_case("ALL") {
        0
    } else {
        selector.len()
    }
}
