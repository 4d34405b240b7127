//! Lists of lowercase words looked for inside identifiers and strings, ignoring ASCII case:
//! `IsAuthenticated` contains `auth`. The judge asks this of every name in every condition it
//! reads, so each list is one automaton searched once, not one substring search per word.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::LazyLock;

pub struct WordList(AhoCorasick);

impl WordList {
    /// `words` must be lowercase: a match ignores ASCII case in the text only through them.
    pub fn new(words: &[&str]) -> Self {
        debug_assert!(
            words
                .iter()
                .all(|w| !w.bytes().any(|b| b.is_ascii_uppercase()))
        );
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(words)
            .expect("a few short literal words always build");
        WordList(automaton)
    }

    /// Whether `text` contains any of the words, ignoring ASCII case: the same answer as
    /// `words.iter().any(|w| text.to_ascii_lowercase().contains(w))`.
    pub fn found_in(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

/// A lazily built list, for `static` tables next to the code that reads them.
pub type StaticWordList = LazyLock<WordList>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_a_lowercased_substring_search() {
        let words = ["auth", "user", "api_key", "api-key"];
        let list = WordList::new(&words);
        for text in [
            "current_user",
            "IsAuthenticated",
            "X-API-KEY",
            "headers",
            "",
            "AUTHORIZATION",
            "usr",
            "ApiKey",
            "résumé_user",
        ] {
            let lower = text.to_ascii_lowercase();
            let expected = words.iter().any(|w| lower.contains(w));
            assert_eq!(list.found_in(text), expected, "{text}");
        }
    }
}
