//! Lowering of ruff's syntax tree into routewarden's own (`crate::ast`).

use crate::ast::*;
use ruff_python_ast as ra;
use ruff_text_size::{Ranged, TextRange};

/// Deeper expressions and statements become `Other`: no rule needs them, and a bound keeps
/// every later recursion over our tree shallow.
const MAX_DEPTH: u32 = 200;

fn span(r: TextRange) -> Span {
    Span::new(r.start().to_u32(), r.end().to_u32())
}

pub(crate) struct Lowerer<'src> {
    source: &'src str,
    depth: u32,
    /// Every attribute name read or written in the module.
    pub(crate) attributes: AttributeFilter,
    /// Every other name, keyword argument and short string literal of the module.
    pub(crate) words: WordsFilter,
    /// Where each decorator's `@` is, by the start of its expression.
    pub(crate) decorator_ats: Vec<(u32, u32)>,
}

impl<'src> Lowerer<'src> {
    pub(crate) fn new(source: &'src str) -> Self {
        Self {
            source,
            depth: 0,
            attributes: AttributeFilter::default(),
            words: WordsFilter::default(),
            decorator_ats: Vec::new(),
        }
    }

    /// From the start of the line holding a `def`/`class` name to the name's end.
    fn header_span(&self, name: TextRange) -> Span {
        let start = name.start().to_usize();
        let line_start = self.source[..start].rfind('\n').map_or(0, |i| i + 1);
        Span::new(line_start as u32, name.end().to_u32())
    }

    pub(crate) fn module(&mut self, module: &ra::ModModule) -> Module {
        Module {
            body: self.suite(&module.body),
        }
    }

    fn suite<C: FromIterator<Stmt>>(&mut self, stmts: &[ra::Stmt]) -> C {
        stmts.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, stmt: &ra::Stmt) -> Stmt {
        if self.depth >= MAX_DEPTH {
            return Stmt::Other {
                span: span(stmt.range()),
                kind: OtherKind::Unknown,
            };
        }
        self.depth += 1;
        let lowered = self.stmt_inner(stmt);
        self.depth -= 1;
        lowered
    }

    fn stmt_inner(&mut self, stmt: &ra::Stmt) -> Stmt {
        let sp = span(stmt.range());
        match stmt {
            ra::Stmt::FunctionDef(f) => Stmt::FunctionDef(Box::new(self.function(f))),
            ra::Stmt::ClassDef(c) => Stmt::ClassDef(Box::new(self.class(c))),
            ra::Stmt::Return(r) => Stmt::Return {
                value: r.value.as_deref().map(|v| self.expr(v)),
                span: sp,
            },
            ra::Stmt::Assign(a) => Stmt::Assign {
                targets: a.targets.iter().map(|t| self.expr(t)).collect(),
                annotation: None,
                value: Some(self.expr(&a.value)),
                span: sp,
            },
            ra::Stmt::AnnAssign(a) => Stmt::Assign {
                targets: thin_vec::thin_vec![self.expr(&a.target)],
                annotation: Some(self.boxed(&a.annotation)),
                value: a.value.as_deref().map(|v| self.expr(v)),
                span: sp,
            },
            ra::Stmt::AugAssign(a) => Stmt::AugAssign {
                target: self.boxed(&a.target),
                op: bin_op(a.op),
                value: self.expr(&a.value),
                span: sp,
            },
            ra::Stmt::TypeAlias(t) => Stmt::Assign {
                targets: thin_vec::thin_vec![self.expr(&t.name)],
                annotation: None,
                value: Some(self.expr(&t.value)),
                span: sp,
            },
            // A bare string is a docstring or dead text: no analysis reads it, and its text is
            // a seventh of a project's source, so only an empty literal stands in its place.
            ra::Stmt::Expr(e) if e.value.is_string_literal_expr() => Stmt::Expr {
                value: Expr {
                    kind: ExprKind::Str(String::new()),
                    span: span(e.value.range()),
                },
                span: sp,
            },
            ra::Stmt::Expr(e) => Stmt::Expr {
                value: self.expr(&e.value),
                span: sp,
            },
            ra::Stmt::If(i) => {
                self.if_chain(&i.test, &i.body, &i.elif_else_clauses, sp.start, sp.end)
            }
            ra::Stmt::For(f) => Stmt::For {
                target: self.boxed(&f.target),
                iter: self.boxed(&f.iter),
                body: self.suite(&f.body),
                orelse: self.suite(&f.orelse),
                span: sp,
            },
            ra::Stmt::While(w) => Stmt::While {
                test: self.expr(&w.test),
                body: self.suite(&w.body),
                orelse: self.suite(&w.orelse),
                span: sp,
            },
            ra::Stmt::With(w) => Stmt::With {
                items: w
                    .items
                    .iter()
                    .map(|item| WithItem {
                        context: self.expr(&item.context_expr),
                        target: item.optional_vars.as_deref().map(|v| self.expr(v)),
                    })
                    .collect(),
                body: self.suite(&w.body),
                span: sp,
            },
            ra::Stmt::Try(t) => Stmt::Try {
                body: self.suite(&t.body),
                handlers: t
                    .handlers
                    .iter()
                    .map(|h| {
                        let ra::ExceptHandler::ExceptHandler(h) = h;
                        ExceptHandler {
                            type_: h.type_.as_deref().map(|e| self.expr(e)),
                            name: h.name.as_ref().map(|n| n.id.as_str().to_owned()),
                            body: self.suite(&h.body),
                            span: span(h.range),
                        }
                    })
                    .collect(),
                orelse: self.suite(&t.orelse),
                finalbody: self.suite(&t.finalbody),
                span: sp,
            },
            ra::Stmt::Match(m) => Stmt::Match {
                subject: self.expr(&m.subject),
                cases: m.cases.iter().map(|c| self.suite(&c.body)).collect(),
                span: sp,
            },
            ra::Stmt::Raise(r) => Stmt::Raise {
                exc: r.exc.as_deref().map(|e| self.expr(e)),
                cause: r.cause.as_deref().map(|e| self.boxed(e)),
                span: sp,
            },
            ra::Stmt::Import(i) => Stmt::Import {
                names: i.names.iter().map(alias).collect(),
                span: sp,
            },
            ra::Stmt::ImportFrom(i) => Stmt::ImportFrom {
                module: i.module.as_ref().map(|m| m.id.as_str().to_owned()),
                level: i.level,
                names: i.names.iter().map(alias).collect(),
                span: sp,
            },
            ra::Stmt::Pass(_)
            | ra::Stmt::Break(_)
            | ra::Stmt::Continue(_)
            | ra::Stmt::Assert(_) => Stmt::Other {
                span: sp,
                kind: OtherKind::Inert,
            },
            ra::Stmt::Delete(_) => Stmt::Other {
                span: sp,
                kind: OtherKind::Delete,
            },
            ra::Stmt::Global(_) | ra::Stmt::Nonlocal(_) => Stmt::Other {
                span: sp,
                kind: OtherKind::Global,
            },
            _ => Stmt::Other {
                span: sp,
                kind: OtherKind::Unknown,
            },
        }
    }

    fn if_chain(
        &mut self,
        test: &ra::Expr,
        body: &[ra::Stmt],
        clauses: &[ra::ElifElseClause],
        start: u32,
        end: u32,
    ) -> Stmt {
        let orelse = match clauses.split_first() {
            None => ThinVec::new(),
            Some((first, rest)) => match &first.test {
                Some(elif_test) => {
                    thin_vec::thin_vec![self.if_chain(
                        elif_test,
                        &first.body,
                        rest,
                        first.range.start().to_u32(),
                        end,
                    )]
                }
                None => self.suite(&first.body),
            },
        };
        Stmt::If {
            test: self.expr(test),
            body: self.suite(body),
            orelse,
            span: Span::new(start, end),
        }
    }

    fn function(&mut self, f: &ra::StmtFunctionDef) -> Function {
        let params = self.parameters(&f.parameters);
        let decorators = self.decorators(&f.decorator_list);
        let body: Vec<Stmt> = self.suite(&f.body);
        let (assigned, self_attributes, defined) = crate::ast::NameFilter::assignments_in(&body);
        Function {
            name: Identifier::new(f.name.id.as_str()),
            is_async: f.is_async,
            params,
            returns: f.returns.as_deref().map(|r| self.expr(r)),
            assigned,
            self_attributes,
            defined,
            body,
            span: span(f.range),
            def_span: self.header_span(f.name.range),
            decorators,
        }
    }

    /// `lambda params: value` as a function `<lambda>` whose body is `return value`.
    fn lambda(&mut self, l: &ra::ExprLambda) -> Function {
        let params = match &l.parameters {
            Some(p) => self.parameters(p),
            None => Vec::new(),
        };
        let whole = span(l.range);
        let value = self.expr(&l.body);
        let body = vec![Stmt::Return {
            span: value.span,
            value: Some(value),
        }];
        let (assigned, self_attributes, defined) = crate::ast::NameFilter::assignments_in(&body);
        Function {
            name: Identifier::new(Function::LAMBDA),
            is_async: false,
            params,
            returns: None,
            assigned,
            self_attributes,
            defined,
            body,
            span: whole,
            def_span: whole,
            decorators: Vec::new(),
        }
    }

    fn parameters(&mut self, p: &ra::Parameters) -> Vec<Param> {
        // Exactly sized: a growing vector would hold four 56-byte slots for one `self`.
        let mut params = Vec::with_capacity(p.len());
        let mut push = |this: &mut Self, pd: &ra::ParameterWithDefault, kind| {
            params.push(Param {
                name: Identifier::new(pd.parameter.name.id.as_str()),
                kind,
                annotation: pd
                    .parameter
                    .annotation
                    .as_deref()
                    .map(|a| Box::new(this.expr(a))),
                default: pd.default.as_deref().map(|d| Box::new(this.expr(d))),
                span: span(pd.range),
            })
        };
        for pd in &p.posonlyargs {
            push(self, pd, ParamKind::PositionalOnly);
        }
        for pd in &p.args {
            push(self, pd, ParamKind::Positional);
        }
        for pd in &p.kwonlyargs {
            push(self, pd, ParamKind::KeywordOnly);
        }
        for (v, kind) in [
            (&p.vararg, ParamKind::VarArgs),
            (&p.kwarg, ParamKind::VarKeywords),
        ] {
            if let Some(v) = v {
                params.push(Param {
                    name: Identifier::new(v.name.id.as_str()),
                    kind,
                    annotation: v.annotation.as_deref().map(|a| Box::new(self.expr(a))),
                    default: None,
                    span: span(v.range),
                });
            }
        }
        params
    }

    fn class(&mut self, c: &ra::StmtClassDef) -> Class {
        let (bases, keywords) = match &c.arguments {
            Some(args) => (
                args.args.iter().map(|a| self.expr(a)).collect(),
                args.keywords.iter().map(|k| self.keyword(k)).collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        Class {
            name: Identifier::new(c.name.id.as_str()),
            decorators: self.decorators(&c.decorator_list),
            bases,
            keywords,
            body: self.suite(&c.body),
            span: span(c.range),
            def_span: self.header_span(c.name.range),
        }
    }

    fn decorators(&mut self, list: &[ra::Decorator]) -> Vec<Expr> {
        list.iter()
            .map(|d| {
                let expr = self.expr(&d.expression);
                self.decorator_ats
                    .push((expr.span.start, d.range.start().to_u32()));
                expr
            })
            .collect()
    }

    fn keyword(&mut self, k: &ra::Keyword) -> Keyword {
        if let Some(arg) = &k.arg {
            self.words.insert(arg.id.as_str());
        }
        Keyword {
            arg: k.arg.as_ref().map(|a| Identifier::new(a.id.as_str())),
            value: self.expr(&k.value),
            span: span(k.range),
        }
    }

    fn exprs<C: FromIterator<Expr>>(&mut self, exprs: &[ra::Expr]) -> C {
        exprs.iter().map(|e| self.expr(e)).collect()
    }

    fn boxed(&mut self, e: &ra::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    pub(crate) fn expr(&mut self, e: &ra::Expr) -> Expr {
        let sp = span(e.range());
        if self.depth >= MAX_DEPTH {
            return Expr {
                kind: ExprKind::Other,
                span: sp,
            };
        }
        self.depth += 1;
        let kind = self.expr_kind(e);
        self.depth -= 1;
        Expr { kind, span: sp }
    }

    fn expr_kind(&mut self, e: &ra::Expr) -> ExprKind {
        match e {
            ra::Expr::Name(n) => {
                self.words.insert(n.id.as_str());
                ExprKind::Name(Identifier::new(n.id.as_str()))
            }
            ra::Expr::Attribute(a) => {
                self.attributes.insert(a.attr.id.as_str());
                ExprKind::Attribute {
                    value: self.boxed(&a.value),
                    attr: Identifier::new(a.attr.id.as_str()),
                }
            }
            ra::Expr::Call(c) => ExprKind::Call(Box::new(Call {
                func: self.expr(&c.func),
                args: self.exprs(&c.arguments.args),
                keywords: c
                    .arguments
                    .keywords
                    .iter()
                    .map(|k| self.keyword(k))
                    .collect(),
            })),
            ra::Expr::StringLiteral(s) => {
                let value = s.value.to_str();
                // Keys and attribute names spelled as strings (`{"anonymous_user": ...}`,
                // `setattr(app, "session_interface", ...)`); long texts are never such words.
                if value.len() <= 48 {
                    self.words.insert(value);
                }
                ExprKind::Str(value.to_string())
            }
            ra::Expr::BytesLiteral(b) => ExprKind::Bytes(b.value.bytes().collect()),
            ra::Expr::FString(f) => {
                let mut parts = Vec::new();
                for part in f.value.as_slice() {
                    match part {
                        ra::FStringPart::Literal(l) => {
                            parts.push(FStringPart::Literal(String::from(&*l.value)))
                        }
                        ra::FStringPart::FString(fs) => {
                            for el in &fs.elements {
                                match el {
                                    ra::InterpolatedStringElement::Literal(l) => {
                                        parts.push(FStringPart::Literal(String::from(&*l.value)))
                                    }
                                    ra::InterpolatedStringElement::Interpolation(i) => {
                                        parts.push(FStringPart::Value(self.expr(&i.expression)))
                                    }
                                }
                            }
                        }
                    }
                }
                ExprKind::FString(parts)
            }
            ra::Expr::NumberLiteral(n) => match &n.value {
                ra::Number::Int(i) => ExprKind::Int(i.as_i64()),
                ra::Number::Float(f) => ExprKind::Float(*f),
                ra::Number::Complex { .. } => ExprKind::Other,
            },
            ra::Expr::BooleanLiteral(b) => ExprKind::Bool(b.value),
            ra::Expr::NoneLiteral(_) => ExprKind::NoneLiteral,
            ra::Expr::EllipsisLiteral(_) => ExprKind::Ellipsis,
            ra::Expr::List(l) => ExprKind::List(self.exprs(&l.elts)),
            ra::Expr::Tuple(t) => ExprKind::Tuple(self.exprs(&t.elts)),
            ra::Expr::Set(s) => ExprKind::Set(self.exprs(&s.elts)),
            ra::Expr::Dict(d) => ExprKind::Dict(
                d.items
                    .iter()
                    .map(|item| DictEntry {
                        key: item.key.as_ref().map(|k| self.expr(k)),
                        value: self.expr(&item.value),
                    })
                    .collect(),
            ),
            ra::Expr::Compare(c) => ExprKind::Compare {
                left: self.boxed(&c.left),
                ops: c.ops.iter().map(|op| cmp_op(*op)).collect(),
                comparators: self.exprs(&c.comparators),
            },
            ra::Expr::BoolOp(b) => ExprKind::BoolOp {
                op: match b.op {
                    ra::BoolOp::And => BoolOp::And,
                    ra::BoolOp::Or => BoolOp::Or,
                },
                values: self.exprs(&b.values),
            },
            ra::Expr::BinOp(b) => ExprKind::BinOp {
                left: self.boxed(&b.left),
                op: bin_op(b.op),
                right: self.boxed(&b.right),
            },
            ra::Expr::UnaryOp(u) => ExprKind::UnaryOp {
                op: match u.op {
                    ra::UnaryOp::Not => UnaryOp::Not,
                    ra::UnaryOp::USub => UnaryOp::Neg,
                    _ => UnaryOp::Other,
                },
                operand: self.boxed(&u.operand),
            },
            ra::Expr::Subscript(s) => ExprKind::Subscript {
                value: self.boxed(&s.value),
                slice: self.boxed(&s.slice),
            },
            ra::Expr::Await(a) => ExprKind::Await(self.boxed(&a.value)),
            ra::Expr::Starred(s) => ExprKind::Starred(self.boxed(&s.value)),
            ra::Expr::If(i) => ExprKind::IfExp {
                test: self.boxed(&i.test),
                body: self.boxed(&i.body),
                orelse: self.boxed(&i.orelse),
            },
            ra::Expr::Lambda(l) => ExprKind::Lambda(Box::new(self.lambda(l))),
            ra::Expr::ListComp(c) => self.comprehension(&c.elt, None, &c.generators),
            ra::Expr::SetComp(c) => self.comprehension(&c.elt, None, &c.generators),
            ra::Expr::Generator(c) => self.comprehension(&c.elt, None, &c.generators),
            ra::Expr::DictComp(c) => match c.key.as_deref() {
                Some(key) => self.comprehension(key, Some(&c.value), &c.generators),
                None => self.comprehension(&c.value, None, &c.generators),
            },
            ra::Expr::Named(n) => ExprKind::Named {
                target: self.boxed(&n.target),
                value: self.boxed(&n.value),
            },
            ra::Expr::Yield(y) => ExprKind::Yield(y.value.as_deref().map(|v| self.boxed(v))),
            ra::Expr::YieldFrom(y) => ExprKind::Yield(Some(self.boxed(&y.value))),
            _ => ExprKind::Other,
        }
    }

    fn comprehension(
        &mut self,
        element: &ra::Expr,
        value: Option<&ra::Expr>,
        generators: &[ra::Comprehension],
    ) -> ExprKind {
        ExprKind::Comprehension {
            element: self.boxed(element),
            value: value.map(|v| self.boxed(v)),
            generators: generators
                .iter()
                .map(|g| Generator {
                    target: self.expr(&g.target),
                    iter: self.expr(&g.iter),
                    ifs: self.exprs(&g.ifs),
                })
                .collect(),
        }
    }
}

fn alias(a: &ra::Alias) -> ImportAlias {
    ImportAlias {
        name: a.name.id.as_str().to_owned(),
        asname: a.asname.as_ref().map(|n| n.id.as_str().to_owned()),
        span: span(a.range),
    }
}

fn cmp_op(op: ra::CmpOp) -> CmpOp {
    match op {
        ra::CmpOp::Eq => CmpOp::Eq,
        ra::CmpOp::NotEq => CmpOp::NotEq,
        ra::CmpOp::Lt => CmpOp::Lt,
        ra::CmpOp::LtE => CmpOp::LtE,
        ra::CmpOp::Gt => CmpOp::Gt,
        ra::CmpOp::GtE => CmpOp::GtE,
        ra::CmpOp::Is => CmpOp::Is,
        ra::CmpOp::IsNot => CmpOp::IsNot,
        ra::CmpOp::In => CmpOp::In,
        ra::CmpOp::NotIn => CmpOp::NotIn,
    }
}

fn bin_op(op: ra::Operator) -> BinOp {
    match op {
        ra::Operator::Add => BinOp::Add,
        ra::Operator::Sub => BinOp::Sub,
        ra::Operator::Mult => BinOp::Mult,
        ra::Operator::Div => BinOp::Div,
        ra::Operator::Mod => BinOp::Mod,
        ra::Operator::BitOr => BinOp::BitOr,
        ra::Operator::BitAnd => BinOp::BitAnd,
        _ => BinOp::Other,
    }
}
