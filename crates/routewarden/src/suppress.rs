//! Suppression comments: `# routewarden: ignore[CODE, ...] reason` and `# noqa: CODE, ...`,
//! on the reported line or on the first line of the statement that contains it.

use routewarden_model::SourceModule;
use routewarden_python::ast::Span;
use routewarden_rules::registry;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Suppression {
    pub row: u32,
    pub codes: Vec<String>,
    pub span: Span,
    /// Codes named that are routewarden-style but not rules.
    pub unknown: Vec<String>,
}

/// Parses one comment; `None` when it is not a suppression.
pub fn parse_comment(text: &str) -> Option<(Vec<String>, bool)> {
    let body = text.trim_start_matches('#').trim();
    if let Some(rest) = body.strip_prefix("routewarden:") {
        let rest = rest.trim_start();
        let rest = rest.strip_prefix("ignore")?.trim_start();
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        return Some((split_codes(&inner[..end]), true));
    }
    // `# noqa: A, B` may follow other text in the same comment (`# type: ignore  # noqa: X`).
    let lower = body.to_ascii_lowercase();
    let at = lower.find("noqa")?;
    let rest = body[at + 4..].trim_start();
    let rest = rest.strip_prefix(':')?;
    let codes = rest
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .take_while(|c| c.is_empty() || c.chars().all(|ch| ch.is_ascii_alphanumeric()))
        .filter(|c| !c.is_empty())
        .map(|c| c.to_ascii_uppercase())
        .collect::<Vec<_>>();
    Some((codes, false))
}

fn split_codes(list: &str) -> Vec<String> {
    list.split(',')
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect()
}

/// True when `code` looks like one of ours: a known family and digits.
fn is_our_style(code: &str) -> bool {
    let family = code.trim_end_matches(|c: char| c.is_ascii_digit());
    family.len() < code.len() && registry::FAMILIES.contains(&family)
}

/// Every suppression comment of a file, by row.
pub fn collect(file: &SourceModule) -> HashMap<u32, Suppression> {
    let mut by_row = HashMap::new();
    for comment in &file.parsed.comments {
        let Some((codes, ours)) = parse_comment(&comment.text) else {
            continue;
        };
        let unknown = codes
            .iter()
            .filter(|c| (ours || is_our_style(c)) && registry::find(c).is_none())
            .cloned()
            .collect();
        let codes: Vec<String> = codes
            .into_iter()
            .filter(|c| registry::find(c).is_some())
            .collect();
        let row = file.lines.row(comment.span.start);
        by_row.insert(
            row,
            Suppression {
                row,
                codes,
                span: comment.span,
                unknown,
            },
        );
    }
    by_row
}

/// The first row of the innermost statement containing `row`, if it starts earlier.
pub fn statement_start_row(file: &SourceModule, row: u32) -> Option<u32> {
    let mut best: Option<(u32, u32)> = None;
    for span in &file.parsed.statement_spans {
        let start = file.lines.row(span.start);
        if start > row {
            break;
        }
        let end = file.lines.row(span.end.max(span.start));
        if end >= row && best.is_none_or(|(s, _)| start >= s) {
            best = Some((start, end));
        }
    }
    best.map(|(s, _)| s).filter(|&s| s != row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        assert_eq!(
            parse_comment("# routewarden: ignore[CORS001, debug001] reviewed")
                .unwrap()
                .0,
            vec!["CORS001", "DEBUG001"]
        );
        assert_eq!(
            parse_comment("# noqa: S105, SECRET001").unwrap().0,
            vec!["S105", "SECRET001"]
        );
        assert_eq!(parse_comment("# noqa").map(|p| p.0.len()), None);
        assert!(parse_comment("# an ordinary comment").is_none());
        assert_eq!(
            parse_comment("# type: ignore  # noqa: DEBUG001").unwrap().0,
            vec!["DEBUG001"]
        );
    }
}
