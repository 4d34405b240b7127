//! The only crate that touches ruff's parser: it parses Python source into routewarden's own
//! syntax tree (`ast`), binds imported names (`names`) and maps offsets to positions (`source`).

pub mod ast;
mod lower;
pub mod names;
pub mod source;

use ast::{AttributeFilter, Module, Span, Stmt, WordsFilter};
use ruff_python_ast::token::TokenKind;
use ruff_text_size::Ranged;

#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// A `#` comment, by its place in the source.
#[derive(Clone, Copy, Debug)]
pub struct Comment {
    pub span: Span,
}

impl Comment {
    /// The comment's text, `#` included, in `source` (the text it was parsed from).
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        self.span.text(source)
    }
}

#[derive(Debug)]
pub struct ParsedModule {
    pub module: Module,
    pub syntax_errors: Vec<SyntaxError>,
    pub comments: Vec<Comment>,
    /// The attribute names the module uses (`x.config`, `app.route`): most whole-module
    /// searches for a method call can skip most modules.
    pub attributes: AttributeFilter,
    /// The module's other names, keyword arguments and short string literals.
    pub words: WordsFilter,
    /// `(start of the decorator's expression, start of its `@`)`, sorted.
    pub decorator_ats: Vec<(u32, u32)>,
}

impl ParsedModule {
    /// Whether the module may spell `word` as a name, attribute, keyword argument or short
    /// string literal. "No" is certain; "yes" may be wrong.
    pub fn may_mention(&self, word: &str) -> bool {
        self.words.may_contain(word) || self.attributes.may_contain(word)
    }

    /// The span of a decorator from its `@`, given its expression's span.
    pub fn decorator_span(&self, expr: Span) -> Span {
        match self
            .decorator_ats
            .binary_search_by_key(&expr.start, |&(start, _)| start)
        {
            Ok(i) => Span::new(self.decorator_ats[i].1, expr.end),
            Err(_) => expr,
        }
    }

    /// Spans of simple statements and of compound-statement headers, in source order: the
    /// "statement" a suppression comment on its first line applies to. Computed when asked:
    /// only files with suppression comments need them.
    pub fn statement_spans(&self) -> Vec<Span> {
        let mut spans = Vec::new();
        collect_statement_spans(&self.module.body, &mut spans);
        spans.sort();
        spans
    }
}

/// Parses with error recovery: a syntax error yields `syntax_errors` and whatever tree could be
/// built around it.
pub fn parse(source: &str) -> ParsedModule {
    let parsed =
        ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python);
    let syntax_errors = parsed
        .errors()
        .iter()
        .map(|e| SyntaxError {
            message: e.error.to_string(),
            span: Span::new(e.location.start().to_u32(), e.location.end().to_u32()),
        })
        .collect();
    let comments = parsed
        .tokens()
        .iter()
        .filter(|t| t.kind() == TokenKind::Comment)
        .map(|t| {
            let r = t.range();
            Comment {
                span: Span::new(r.start().to_u32(), r.end().to_u32()),
            }
        })
        .collect();
    let mut lowerer = lower::Lowerer::new(source);
    let module = lowerer.module(parsed.syntax());
    let mut decorator_ats = lowerer.decorator_ats;
    decorator_ats.sort_unstable();
    decorator_ats.shrink_to_fit();
    ParsedModule {
        module,
        syntax_errors,
        comments,
        attributes: lowerer.attributes,
        words: lowerer.words,
        decorator_ats,
    }
}

fn collect_statement_spans(body: &[Stmt], out: &mut Vec<Span>) {
    for stmt in body {
        let header = match stmt {
            Stmt::FunctionDef(f) => Span::new(f.span.start, f.def_span.end),
            Stmt::ClassDef(c) => Span::new(c.span.start, c.def_span.end),
            Stmt::If { test, span, .. } | Stmt::While { test, span, .. } => {
                Span::new(span.start, test.span.end)
            }
            Stmt::For { iter, span, .. } => Span::new(span.start, iter.span.end),
            Stmt::With { items, span, .. } => Span::new(
                span.start,
                items.last().map_or(span.start, |i| i.context.span.end),
            ),
            Stmt::Match { subject, span, .. } => Span::new(span.start, subject.span.end),
            Stmt::Try { span, .. } => Span::new(span.start, span.start),
            other => other.span(),
        };
        out.push(header);
        for child in stmt.child_bodies() {
            collect_statement_spans(child, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{CmpOp, ExprKind};

    #[test]
    fn bare_strings_keep_their_place_but_not_their_text() {
        let parsed = parse("\"\"\"Module text.\"\"\"\nx = \"kept\"\n\"dead text\"\n");
        let texts: Vec<Option<&str>> = parsed
            .module
            .body
            .iter()
            .map(|s| match s {
                Stmt::Expr { value, .. }
                | Stmt::Assign {
                    value: Some(value), ..
                } => value.as_str(),
                _ => None,
            })
            .collect();
        assert_eq!(texts, [Some(""), Some("kept"), Some("")]);
        assert_eq!(ast::code_statements(&parsed.module.body).len(), 1);
    }

    #[test]
    fn single_comparisons_but_not_chains() {
        let parsed = parse("a == b\na < b < c\n");
        let [
            Stmt::Expr { value: one, .. },
            Stmt::Expr { value: chain, .. },
        ] = parsed.module.body.as_slice()
        else {
            panic!("two expressions")
        };
        let (left, op, right) = one.single_compare().expect("one comparison");
        assert_eq!(
            (left.as_name(), op, right.as_name()),
            (Some("a"), CmpOp::Eq, Some("b"))
        );
        assert!(chain.single_compare().is_none());
    }

    #[test]
    fn comparison_chains_split_into_pairs() {
        let parsed = parse("a < b <= c\n");
        let Stmt::Expr { value, .. } = &parsed.module.body[0] else {
            panic!("an expression")
        };
        let pairs: Vec<(&str, CmpOp, &str)> = value
            .comparisons()
            .into_iter()
            .map(|(l, op, r)| (l.as_name().unwrap(), op, r.as_name().unwrap()))
            .collect();
        assert_eq!(pairs, vec![("a", CmpOp::Lt, "b"), ("b", CmpOp::LtE, "c")]);
        assert!(matches!(value.kind, ExprKind::Compare { .. }));
        let parsed = parse("x + 1\n");
        let Stmt::Expr { value, .. } = &parsed.module.body[0] else {
            panic!("an expression")
        };
        assert!(value.comparisons().is_empty());
    }

    #[test]
    fn has_child_bodies_is_whether_child_bodies_yields_one() {
        let source = "import os\nfrom a import b\nx = 1\nx += 1\ny: int\nf()\ndel x\nassert x\n\
                      def f():\n    return 1\nclass C:\n    pass\nif x:\n    pass\n\
                      for i in x:\n    break\nwhile x:\n    continue\nwith x as y:\n    pass\n\
                      try:\n    pass\nexcept E:\n    raise\nfinally:\n    pass\n\
                      match x:\n    case 1:\n        pass\nraise E\nglobal g\n";
        let parsed = parse(source);
        assert!(parsed.syntax_errors.is_empty());
        assert_eq!(parsed.module.body.len(), 18);
        for stmt in &parsed.module.body {
            assert_eq!(
                stmt.has_child_bodies(),
                stmt.child_bodies().next().is_some(),
                "{stmt:?}"
            );
        }
    }
}
