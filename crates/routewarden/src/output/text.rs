//! The terminal report: one block per finding with a code frame and the fix, then a summary.

use super::severity_counts;
use crate::analysis::Diagnostic;
use routewarden_model::ProjectModel;
use routewarden_rules::Severity;
use std::fmt::Write;

/// The width the report is laid out for: every line of a finding's block fits in it for
/// ordinary code (a long file path is the exception).
pub const WIDTH: usize = 80;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, codes: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{codes}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
        };
        self.paint(code, s.as_str())
    }
}

pub struct TextOptions {
    pub color: bool,
    pub quiet: bool,
    pub files_analysed: usize,
}

pub fn render(diagnostics: &[Diagnostic], model: &ProjectModel, options: &TextOptions) -> String {
    let style = Style {
        color: options.color,
    };
    let mut out = String::new();
    for d in diagnostics {
        // `CODE [severity] message`, the message wrapped under a small indent.
        let head = format!("{} [{}] ", d.rule.code, d.severity.as_str());
        let styled_head = format!(
            "{} [{}] ",
            style.paint("1", d.rule.code),
            style.severity(d.severity)
        );
        write_wrapped(
            &mut out,
            &styled_head,
            head.chars().count(),
            "    ",
            &d.message,
        );
        let _ = writeln!(
            out,
            "  {} {}:{}:{}",
            style.paint("34", "-->"),
            d.filename,
            d.location.row,
            d.location.column
        );
        if let Some(file) = model.files.get(d.file) {
            frame(
                &mut out,
                &style,
                file.lines().line_text(file.text(), d.location.row),
                d,
            );
        }
        let fix_head = "  = fix: ";
        let styled_fix = format!("  {} ", style.paint("32", "= fix:"));
        write_wrapped(
            &mut out,
            &styled_fix,
            fix_head.len(),
            &" ".repeat(fix_head.len()),
            d.rule.fix,
        );
        out.push('\n');
    }
    if !options.quiet {
        out.push_str(&summary(diagnostics, options.files_analysed));
    }
    out
}

/// Writes `head` then `text` word-wrapped to `WIDTH`, continuation lines starting with
/// `indent`. `head_width` is the printed width of `head` (which may hold colour codes). A word
/// longer than a line is not broken.
fn write_wrapped(out: &mut String, head: &str, head_width: usize, indent: &str, text: &str) {
    out.push_str(head);
    let mut column = head_width;
    let mut line_start = true;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if !line_start && column + 1 + len > WIDTH {
            out.push('\n');
            out.push_str(indent);
            column = indent.len();
            line_start = true;
        }
        if !line_start {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += len;
        line_start = false;
    }
    out.push('\n');
}

fn frame(out: &mut String, style: &Style, line: &str, d: &Diagnostic) {
    if line.trim().is_empty() {
        return;
    }
    let gutter = d.location.row.to_string();
    let pad = " ".repeat(gutter.len());
    // `  12 | ` precedes the source text.
    let avail = WIDTH.saturating_sub(gutter.len() + 5).max(20);
    let chars: Vec<char> = line
        .trim_end()
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let start = (d.location.column as usize)
        .saturating_sub(1)
        .min(chars.len());
    let end = if d.end_location.row == d.location.row {
        (d.end_location.column as usize)
            .saturating_sub(1)
            .clamp(start + 1, chars.len().max(start + 1))
    } else {
        chars.len().max(start + 1)
    };
    // Keep the frame within the width, starting near the flagged column when the line is long;
    // an ellipsis marks each side that was cut.
    let (offset, visible_end) = if chars.len() <= avail {
        (0, chars.len())
    } else if end < avail || start <= 8 {
        (0, avail - 1)
    } else {
        let offset = (start - 8).min(chars.len().saturating_sub(avail - 1));
        let room = if offset + avail > chars.len() {
            avail - 1
        } else {
            avail - 2
        };
        (offset, (offset + room).min(chars.len()))
    };
    let mut shown: String = chars[offset..visible_end].iter().collect();
    if offset > 0 {
        shown.insert(0, '…');
    }
    if visible_end < chars.len() {
        shown.push('…');
    }
    let lead = usize::from(offset > 0);
    let caret_start = start.saturating_sub(offset) + lead;
    let more = match d.end_location.row.saturating_sub(d.location.row) {
        0 => String::new(),
        1 => " (+1 line)".to_string(),
        n => format!(" (+{n} lines)"),
    };
    let caret_len = end
        .min(visible_end)
        .saturating_sub(start)
        .min(avail.saturating_sub(caret_start + more.len()))
        .max(1);
    let bar = style.paint("34", "|");
    let _ = writeln!(out, "  {pad} {bar}");
    let _ = writeln!(
        out,
        "  {} {bar} {}",
        style.paint("34", &gutter),
        shown.trim_end()
    );
    let _ = writeln!(
        out,
        "  {pad} {bar} {}{}{}",
        " ".repeat(caret_start),
        style.paint("1;31", &"^".repeat(caret_len)),
        more
    );
}

pub fn summary(diagnostics: &[Diagnostic], files: usize) -> String {
    let files_word = if files == 1 { "file" } else { "files" };
    if diagnostics.is_empty() {
        return format!("No findings in {files} {files_word}.\n");
    }
    let counts = severity_counts(diagnostics)
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let findings_word = if diagnostics.len() == 1 {
        "finding"
    } else {
        "findings"
    };
    format!(
        "Found {} {findings_word} in {files} {files_word}: {counts}.\n",
        diagnostics.len()
    )
}

/// `--statistics`: counts by code, most frequent first.
pub fn statistics(diagnostics: &[Diagnostic]) -> String {
    let mut counts: std::collections::BTreeMap<&str, (usize, &str, Severity)> = Default::default();
    for d in diagnostics {
        let e = counts
            .entry(d.rule.code)
            .or_insert((0, d.rule.name, d.rule.severity));
        e.0 += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let mut out = String::new();
    for (code, (n, name, severity)) in rows {
        let _ = writeln!(out, "{n:>5}  {code:<12} {:<9} {name}", severity.as_str());
    }
    out
}
