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
    // `# noqa: A, B` may follow other text in the same comment (`# type: ignore  # noqa: X`),
    // and free text may follow the codes (`# noqa: DEBUG001 reviewed`): the list ends at the
    // first word that is not a code (letters then digits).
    let lower = body.to_ascii_lowercase();
    let at = lower.find("noqa")?;
    let rest = body[at + 4..].trim_start();
    let rest = rest.strip_prefix(':')?;
    let codes = rest
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .take_while(|c| looks_like_code(c))
        .map(|c| c.to_ascii_uppercase())
        .collect::<Vec<_>>();
    Some((codes, false))
}

/// Letters followed by at least one digit: `E501`, `SECRET001`.
fn looks_like_code(word: &str) -> bool {
    let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
    letters.len() < word.len()
        && !letters.is_empty()
        && letters.chars().all(|c| c.is_ascii_alphabetic())
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
    for comment in &file.suppression_comments {
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
        let row = file.lines().row(comment.span.start);
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

/// For every row, the first row of the innermost statement that contains it: where a
/// suppression comment for a finding on that row may also stand. Built in one pass over the
/// statements, so a file with many findings costs no more than one with a few.
pub struct StatementStarts {
    /// Indexed by row; 0 where no statement covers the row.
    start_of: Vec<u32>,
}

impl StatementStarts {
    pub fn new(file: &SourceModule) -> Self {
        let mut start_of = vec![0u32; file.lines().line_count() + 2];
        // Sorted by start: an inner statement comes after the one containing it and wins.
        for span in &file.parsed.statement_spans() {
            let start = file.lines().row(span.start);
            let end = file.lines().row(span.end.max(span.start));
            let last = (end as usize).min(start_of.len() - 1);
            for slot in start_of.iter_mut().take(last + 1).skip(start as usize) {
                if *slot <= start {
                    *slot = start;
                }
            }
        }
        Self { start_of }
    }

    /// The first row of the innermost statement containing `row`, if it starts earlier.
    pub fn earlier_start(&self, row: u32) -> Option<u32> {
        self.start_of
            .get(row as usize)
            .copied()
            .filter(|&s| s != 0 && s != row)
    }
}

/// The first row of the innermost statement containing `row`, if it starts earlier.
pub fn statement_start_row(file: &SourceModule, row: u32) -> Option<u32> {
    StatementStarts::new(file).earlier_start(row)
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
        assert_eq!(
            parse_comment("# noqa: DEBUG001 reviewed by ops2")
                .unwrap()
                .0,
            vec!["DEBUG001"]
        );
        assert_eq!(
            parse_comment("# noqa:DEBUG001,SECRET002").unwrap().0,
            vec!["DEBUG001", "SECRET002"]
        );
    }
}
