//! Positions in a source file: rows and columns for a byte offset.

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

/// A 1-based row and a 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub row: u32,
    pub column: u32,
}

#[derive(Debug)]
pub struct LineMap {
    index: LineIndex,
}

impl LineMap {
    pub fn new(text: &str) -> Self {
        Self {
            index: LineIndex::from_source_text(text),
        }
    }

    pub fn position(&self, text: &str, offset: u32) -> Position {
        // Clamped to a character of `text`: a file read again may have changed since parsing.
        let offset = text.floor_char_boundary((offset as usize).min(text.len()));
        let lc = self.index.line_column(TextSize::new(offset as u32), text);
        Position {
            row: lc.line.get() as u32,
            column: lc.column.get() as u32,
        }
    }

    pub fn row(&self, offset: u32) -> u32 {
        self.index.line_index(TextSize::new(offset)).get() as u32
    }

    pub fn line_count(&self) -> usize {
        self.index.line_count()
    }

    /// The text of 1-based `row`, without its line ending.
    pub fn line_text<'a>(&self, text: &'a str, row: u32) -> &'a str {
        let starts = self.index.line_starts();
        let Some(start) = starts.get(row.saturating_sub(1) as usize) else {
            return "";
        };
        let end = starts
            .get(row as usize)
            .map_or(text.len(), |e| e.to_usize());
        text.get(start.to_usize()..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}
