//! Findings about the analysis itself rather than about the code's security: files that could
//! not be read or parsed, suppression comments that name no rule, rules that failed.

use crate::declare_rule;

declare_rule! {
    /// ## What it finds
    /// A Python file with a syntax error. The rest of the file is still analysed where the
    /// parser could recover, and every other file is analysed as usual.
    ///
    /// ## Why is this dangerous
    /// Code the parser cannot read is code routewarden cannot check: a route or a secret inside
    /// the broken part goes unseen. A syntax error in a deployed file is usually a sign that the
    /// file is not what runs, or that it targets a Python version the parser does not know.
    ///
    /// ## Example
    /// ```python
    /// @app.get("/users"
    /// def list_users(): ...
    /// ```
    ///
    /// ## Fix
    /// Fix the syntax, or exclude the file (`exclude` in the configuration) if it is not Python
    /// that runs, such as a template.
    pub static SYNTAX_ERROR = {
        code: "PARSE001",
        name: "syntax-error",
        severity: Low,
        confidence: High,
        cwe: 1164,
        fix: "Fix the syntax error or exclude the file from analysis",
    }
}

declare_rule! {
    /// ## What it finds
    /// A `.py` file that is not text Python can read: bytes that are not valid UTF-8 (without a
    /// PEP 263 coding declaration that explains them), or a NUL byte.
    ///
    /// ## Why is this dangerous
    /// Python refuses such a file, so it is either not code that runs or it is corrupt; either way
    /// routewarden cannot analyse it, and anything in it goes unchecked.
    ///
    /// ## Example
    /// ```python
    /// SECRET_KEY = "caf\xe9"   # saved as Latin-1 without a coding line
    /// ```
    ///
    /// ## Fix
    /// Save the file as UTF-8, declare its encoding with `# -*- coding: latin-1 -*-` on one of its
    /// first two lines, or exclude it if it is not Python source.
    pub static UNDECODABLE_FILE = {
        code: "PARSE002",
        name: "undecodable-file",
        severity: Low,
        confidence: High,
        cwe: 1164,
        fix: "Save the file as UTF-8 or declare its encoding",
    }
}

declare_rule! {
    /// ## What it finds
    /// A file that was found while walking the project but could not be read (permissions, a
    /// file removed during the run, an I/O error).
    ///
    /// ## Why is this dangerous
    /// A file routewarden cannot read is a file it cannot check; silence about it would look
    /// like a clean result.
    ///
    /// ## Example
    /// ```python
    /// # app/secrets.py, mode 000: nothing of it can be analysed
    /// ```
    ///
    /// ## Fix
    /// Make the file readable by the user running routewarden, or exclude it.
    pub static UNREADABLE_FILE = {
        code: "PARSE003",
        name: "unreadable-file",
        severity: Low,
        confidence: High,
        cwe: 1164,
        fix: "Make the file readable or exclude it from analysis",
    }
}

declare_rule! {
    /// ## What it finds
    /// A suppression comment (`# routewarden: ignore[CODE]` or `# noqa: CODE`) naming a
    /// routewarden-style code that is not a rule.
    ///
    /// ## Why is this dangerous
    /// A misspelt code suppresses nothing, so the author believes a finding is handled while the
    /// real one either shows up again or, worse, the comment hides a typo in a review.
    ///
    /// ## Example
    /// ```python
    /// app.secret_key = "dev"  # routewarden: ignore[SECRET01]
    /// ```
    ///
    /// ## Fix
    /// Name the exact code (`routewarden rules` lists them), or remove the comment.
    pub static UNKNOWN_SUPPRESSION_CODE = {
        code: "NOQA001",
        name: "unknown-suppression-code",
        severity: Low,
        confidence: High,
        cwe: 1164,
        fix: "Name an existing rule code in the suppression comment",
    }
}

declare_rule! {
    /// ## What it finds
    /// A suppression comment that suppresses no finding. Reported only with
    /// `--report-unused-suppressions`.
    ///
    /// ## Why is this dangerous
    /// Stale suppressions accumulate and later hide a real finding that appears on the same line.
    ///
    /// ## Example
    /// ```python
    /// app = FastAPI()  # routewarden: ignore[DEBUG001]
    /// ```
    ///
    /// ## Fix
    /// Remove the comment.
    pub static UNUSED_SUPPRESSION = {
        code: "NOQA002",
        name: "unused-suppression",
        severity: Low,
        confidence: High,
        cwe: 1164,
        fix: "Remove the suppression comment",
    }
}

declare_rule! {
    /// ## What it finds
    /// A rule that failed (panicked) while analysing a file or the project. The rule's findings
    /// for that file are missing; every other rule and file was analysed.
    ///
    /// ## Why is this dangerous
    /// Findings that a rule could not produce are holes in the report; they are named so that a
    /// clean report is never silently incomplete.
    ///
    /// ## Example
    /// ```python
    /// # any file: the finding names the rule and the panic message
    /// ```
    ///
    /// ## Fix
    /// Report the finding with the file (or a reduced copy of it) to the routewarden maintainers.
    pub static INTERNAL_ERROR = {
        code: "INTERNAL001",
        name: "internal-error",
        severity: Low,
        confidence: High,
        cwe: 1164,
        fix: "Report this to the routewarden maintainers with the file that caused it",
    }
}
