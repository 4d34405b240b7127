//! What every rule declares, and the hooks through which it sees a project.

use crate::context::FileContext;
use crate::findings::Findings;
use crate::settings::RuleSettings;
use routewarden_model::ProjectModel;
use routewarden_model::config::ConfigModel;
use routewarden_model::security::AttackSurface;
use routewarden_python::ast::{Call, Class, Expr, Function, Stmt};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Confidence::High, Confidence::Medium, Confidence::Low]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A rule's declaration: identity, weight and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub cwe: u32,
    /// One line saying how to fix a finding; printed under each finding.
    pub fix: &'static str,
    /// Markdown in four sections: what it finds, why it is dangerous, an insecure example,
    /// the fix. Written as the rule's doc comment.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The family prefix: `CORS` for `CORS001`.
    pub fn family(&self) -> &'static str {
        self.code.trim_end_matches(|c: char| c.is_ascii_digit())
    }

    /// The body of a `## Heading` section of the documentation.
    pub fn doc_section(&self, heading: &str) -> Option<&'static str> {
        let marker = format!("## {heading}");
        let start = self.doc.find(&marker)? + marker.len();
        let rest = &self.doc[start..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        Some(rest[..end].trim())
    }

    /// The documentation as written, without the space `///` leaves at each line's start.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first sentence of "What it finds": the rule's one-line description.
    pub fn summary(&self) -> &'static str {
        let what = self.doc_section(DOC_SECTIONS[0]).unwrap_or(self.name);
        let first_paragraph = what.split("\n\n").next().unwrap_or(what);
        match first_paragraph.find(". ") {
            Some(i) => &first_paragraph[..=i],
            None => first_paragraph,
        }
    }
}

/// The sections every rule's documentation must have, in this order.
pub const DOC_SECTIONS: [&str; 4] = ["What it finds", "Why is this dangerous", "Example", "Fix"];

/// Declares a rule's metadata with its documentation taken from the doc comment, so that what
/// `routewarden rule CODE` prints is the comment above the declaration.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            confidence: $confidence:ident,
            cwe: $cwe:literal,
            fix: $fix:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis static $ident: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::rule::Severity::$severity,
            confidence: $crate::rule::Confidence::$confidence,
            cwe: $cwe,
            fix: $fix,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

thread_local! {
    static HOOK_NOT_IMPLEMENTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the running hook as a default one, so the walker stops calling it for this rule.
fn not_implemented() {
    HOOK_NOT_IMPLEMENTED.with(|c| c.set(true));
}

/// Whether the hook that just returned was a default one; clears the mark.
pub(crate) fn take_not_implemented() -> bool {
    HOOK_NOT_IMPLEMENTED.with(|c| c.replace(false))
}

/// A rule sees the project through hooks: per-file hooks are called during one walk of each
/// file's tree, `check_project` once with the whole model. Every hook defaults to nothing;
/// a rule's default per-file hooks are called once per file and then skipped, since with
/// thirty rules most calls on most nodes would otherwise reach an empty default.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn on_call(&self, _cx: &FileContext, _expr: &Expr, _call: &Call, _out: &mut Findings) {
        not_implemented()
    }
    fn on_stmt(&self, _cx: &FileContext, _stmt: &Stmt, _out: &mut Findings) {
        not_implemented()
    }
    fn on_function(&self, _cx: &FileContext, _function: &Function, _out: &mut Findings) {
        not_implemented()
    }
    fn on_class(&self, _cx: &FileContext, _class: &Class, _out: &mut Findings) {
        not_implemented()
    }
    fn on_compare(&self, _cx: &FileContext, _expr: &Expr, _out: &mut Findings) {
        not_implemented()
    }
    fn on_bool_op(&self, _cx: &FileContext, _expr: &Expr, _out: &mut Findings) {
        not_implemented()
    }

    fn check_project(&self, _cx: &ProjectContext, _out: &mut Vec<crate::Finding>) {}
}

/// What a project hook sees: the files, the applications with every route's security, and the
/// user's settings.
pub struct ProjectContext<'a> {
    pub model: &'a ProjectModel,
    pub surface: &'a AttackSurface<'a>,
    pub config: &'a ConfigModel<'a>,
    pub settings: &'a RuleSettings,
    /// Built on first use, by whichever rule asks first.
    pub(crate) set_keys: std::sync::OnceLock<crate::flask_usage::SetKeys>,
}

impl<'a> ProjectContext<'a> {
    /// The configuration keys and attributes the project sets outside test code.
    pub fn set_keys(&self) -> &crate::flask_usage::SetKeys {
        self.set_keys
            .get_or_init(|| crate::flask_usage::SetKeys::build(self.model))
    }
}
