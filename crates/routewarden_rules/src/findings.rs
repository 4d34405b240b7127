use crate::rule::{Confidence, RuleMeta, Severity};
use routewarden_python::ast::Span;

/// One reported problem, before positions are computed for output.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub file: usize,
    pub span: Span,
    pub message: String,
    pub severity: Severity,
    /// How sure the rule is of this finding: the rule's confidence unless the finding says less.
    pub confidence: Confidence,
}

/// Collects the findings of one file.
#[derive(Debug)]
pub struct Findings {
    file: usize,
    items: Vec<Finding>,
}

impl Findings {
    pub fn new(file: usize) -> Self {
        Self {
            file,
            items: Vec::new(),
        }
    }

    pub fn report(&mut self, rule: &'static RuleMeta, span: Span, message: impl Into<String>) {
        self.report_with_severity(rule, span, message, rule.severity);
    }

    pub fn report_with_severity(
        &mut self,
        rule: &'static RuleMeta,
        span: Span,
        message: impl Into<String>,
        severity: Severity,
    ) {
        self.report_with(rule, span, message, severity, rule.confidence);
    }

    /// A finding with its own severity and confidence.
    pub fn report_with(
        &mut self,
        rule: &'static RuleMeta,
        span: Span,
        message: impl Into<String>,
        severity: Severity,
        confidence: Confidence,
    ) {
        self.items.push(Finding {
            rule,
            file: self.file,
            span,
            message: message.into(),
            severity,
            confidence,
        });
    }

    /// The file the findings are in.
    pub fn file(&self) -> usize {
        self.file
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.items
    }

    /// Drops the findings reported after the first `len`: a check that reports first and
    /// asks a costly exemption only when it has something to report.
    pub fn truncate(&mut self, len: usize) {
        self.items.truncate(len);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
