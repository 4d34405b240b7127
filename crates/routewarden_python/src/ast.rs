//! routewarden's own syntax tree: a simplified, owned copy of the parts of Python that the
//! rules look at. Every other crate sees only these types, never ruff's.

pub use thin_vec::ThinVec;

/// A byte range in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The text the span covers in `source`, the text it was parsed from; empty if the span
    /// does not fit it.
    pub fn text(self, source: &str) -> &str {
        source
            .get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// A name in the code: stored inline up to 24 bytes, which is nearly every name, so a tree
/// holds no separate allocation per name.
pub type Identifier = compact_str::CompactString;

#[derive(Clone, Debug, Default)]
pub struct Module {
    pub body: Vec<Stmt>,
}

/// Rare or large parts are boxed, and the lists of the widest variants (an `if`'s and a
/// `while`'s body, an assignment's targets, a `try`'s handlers, a `match`'s cases) are one
/// pointer wide (`ThinVec`): `Stmt` is 72 bytes instead of 88, on half a million statements.
#[derive(Clone, Debug)]
pub enum Stmt {
    FunctionDef(Box<Function>),
    ClassDef(Box<Class>),
    Return {
        value: Option<Expr>,
        span: Span,
    },
    /// `a = b = value`; also `target: T = value` with its annotation.
    Assign {
        targets: ThinVec<Expr>,
        annotation: Option<Box<Expr>>,
        value: Option<Expr>,
        span: Span,
    },
    AugAssign {
        target: Box<Expr>,
        op: BinOp,
        value: Expr,
        span: Span,
    },
    Expr {
        value: Expr,
        span: Span,
    },
    /// `elif` chains are nested `If`s in `orelse`. `else` and `finally` bodies are mostly empty:
    /// they are one pointer wide (`ThinVec`), like the body.
    If {
        test: Expr,
        body: ThinVec<Stmt>,
        orelse: ThinVec<Stmt>,
        span: Span,
    },
    For {
        target: Box<Expr>,
        iter: Box<Expr>,
        body: Vec<Stmt>,
        orelse: ThinVec<Stmt>,
        span: Span,
    },
    While {
        test: Expr,
        body: ThinVec<Stmt>,
        orelse: ThinVec<Stmt>,
        span: Span,
    },
    With {
        items: Vec<WithItem>,
        body: Vec<Stmt>,
        span: Span,
    },
    Try {
        body: Vec<Stmt>,
        handlers: ThinVec<ExceptHandler>,
        orelse: ThinVec<Stmt>,
        finalbody: ThinVec<Stmt>,
        span: Span,
    },
    Match {
        subject: Expr,
        cases: ThinVec<Vec<Stmt>>,
        span: Span,
    },
    Raise {
        exc: Option<Expr>,
        cause: Option<Box<Expr>>,
        span: Span,
    },
    Import {
        names: Vec<ImportAlias>,
        span: Span,
    },
    ImportFrom {
        module: Option<String>,
        level: u32,
        names: Vec<ImportAlias>,
        span: Span,
    },
    /// `pass`, `del`, `global`, `assert` and anything deeper than the nesting limit.
    Other {
        span: Span,
        kind: OtherKind,
    },
}

/// What a [`Stmt::Other`] is: enough to tell a statement that changes nothing (`pass`,
/// `assert`, `break`) from one that may change a value the function does not own (`del
/// self.cache[key]`, `global counter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherKind {
    /// `pass`, `break`, `continue`, `assert`.
    Inert,
    /// `del target`.
    Delete,
    /// `global name`, `nonlocal name`.
    Global,
    /// Anything else, and statements beyond the nesting limit.
    Unknown,
}

/// The statements of a body that do something: all but bare string literals (docstrings).
pub fn code_statements(body: &[Stmt]) -> Vec<&Stmt> {
    body.iter()
        .filter(|s| !matches!(s, Stmt::Expr { value, .. } if value.is_string_literal()))
        .collect()
}

impl Stmt {
    pub fn span(&self) -> Span {
        match self {
            Stmt::FunctionDef(f) => f.span,
            Stmt::ClassDef(c) => c.span,
            Stmt::Return { span, .. }
            | Stmt::Assign { span, .. }
            | Stmt::AugAssign { span, .. }
            | Stmt::Expr { span, .. }
            | Stmt::If { span, .. }
            | Stmt::For { span, .. }
            | Stmt::While { span, .. }
            | Stmt::With { span, .. }
            | Stmt::Try { span, .. }
            | Stmt::Match { span, .. }
            | Stmt::Raise { span, .. }
            | Stmt::Import { span, .. }
            | Stmt::ImportFrom { span, .. }
            | Stmt::Other { span, .. } => *span,
        }
    }

    /// Whether the statement holds bodies of its own (a definition, `if`, a loop, `with`,
    /// `try`, `match`): walkers test it before building [`Stmt::child_bodies`], which is
    /// empty for every other statement and would cost an iterator for each of them.
    #[inline]
    pub fn has_child_bodies(&self) -> bool {
        matches!(
            self,
            Stmt::FunctionDef(_)
                | Stmt::ClassDef(_)
                | Stmt::If { .. }
                | Stmt::For { .. }
                | Stmt::While { .. }
                | Stmt::With { .. }
                | Stmt::Try { .. }
                | Stmt::Match { .. }
        )
    }

    /// Calls `f` with the expressions the statement holds itself, not those of the statements
    /// nested in it: an assignment's targets and value, a returned or raised value, a test, a
    /// loop's iterable, `with` items, a match subject, a `try`'s exception types.
    pub fn for_each_own_expr<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        match self {
            Stmt::Return { value: Some(v), .. } | Stmt::Expr { value: v, .. } => f(v),
            Stmt::Assign { targets, value, .. } => {
                targets.iter().for_each(&mut *f);
                if let Some(v) = value {
                    f(v);
                }
            }
            Stmt::AugAssign { target, value, .. } => {
                f(target);
                f(value);
            }
            Stmt::If { test, .. } | Stmt::While { test, .. } => f(test),
            Stmt::For { iter, .. } => f(iter),
            Stmt::With { items, .. } => items.iter().for_each(|i| f(&i.context)),
            Stmt::Raise { exc: Some(e), .. } => f(e),
            Stmt::Match { subject, .. } => f(subject),
            Stmt::Try { handlers, .. } => handlers
                .iter()
                .filter_map(|h| h.type_.as_ref())
                .for_each(&mut *f),
            _ => {}
        }
    }

    /// The statements nested directly inside this one, in source order.
    #[inline]
    pub fn child_bodies(&self) -> ChildBodies<'_> {
        let none: &[Stmt] = &[];
        let (first, second, handlers, rest, cases): (_, _, &[ExceptHandler], _, &[Vec<Stmt>]) =
            match self {
                Stmt::FunctionDef(f) => (Some(&f.body[..]), None, &[], [none; 2], &[]),
                Stmt::ClassDef(c) => (Some(&c.body[..]), None, &[], [none; 2], &[]),
                Stmt::If { body, orelse, .. } | Stmt::While { body, orelse, .. } => {
                    (Some(&body[..]), Some(&orelse[..]), &[], [none; 2], &[])
                }
                Stmt::For { body, orelse, .. } => {
                    (Some(&body[..]), Some(&orelse[..]), &[], [none; 2], &[])
                }
                Stmt::With { body, .. } => (Some(&body[..]), None, &[], [none; 2], &[]),
                Stmt::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                    ..
                } => (
                    Some(&body[..]),
                    None,
                    &handlers[..],
                    [&orelse[..], &finalbody[..]],
                    &[],
                ),
                Stmt::Match { cases, .. } => (None, None, &[], [none; 2], &cases[..]),
                _ => (None, None, &[], [none; 2], &[]),
            };
        let tail = usize::from(matches!(self, Stmt::Try { .. })) * 2;
        ChildBodies {
            head: [first, second],
            head_at: 0,
            handlers: handlers.iter(),
            tail: rest,
            tail_at: 2 - tail,
            cases: cases.iter(),
        }
    }
}

/// The bodies nested directly in a statement, in source order, without allocating.
#[derive(Clone, Debug)]
pub struct ChildBodies<'a> {
    head: [Option<&'a [Stmt]>; 2],
    head_at: usize,
    handlers: std::slice::Iter<'a, ExceptHandler>,
    tail: [&'a [Stmt]; 2],
    tail_at: usize,
    cases: std::slice::Iter<'a, Vec<Stmt>>,
}

impl<'a> Iterator for ChildBodies<'a> {
    type Item = &'a [Stmt];

    #[inline]
    fn next(&mut self) -> Option<&'a [Stmt]> {
        while self.head_at < 2 {
            self.head_at += 1;
            if let Some(body) = self.head[self.head_at - 1] {
                return Some(body);
            }
        }
        if let Some(h) = self.handlers.next() {
            return Some(&h.body);
        }
        if self.tail_at < 2 {
            self.tail_at += 1;
            return Some(self.tail[self.tail_at - 1]);
        }
        self.cases.next().map(Vec::as_slice)
    }
}

#[derive(Clone, Debug)]
pub struct ImportAlias {
    pub name: String,
    pub asname: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct WithItem {
    pub context: Expr,
    pub target: Option<Expr>,
}

#[derive(Clone, Debug)]
pub struct ExceptHandler {
    pub type_: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: Identifier,
    pub is_async: bool,
    pub decorators: Vec<Expr>,
    pub params: Vec<Param>,
    pub returns: Option<Expr>,
    pub body: Vec<Stmt>,
    /// From the first decorator (or `def`) to the end of the body.
    pub span: Span,
    /// The `def` line: from `def`/`async` to the name's end.
    pub def_span: Span,
    /// The names the body assigns (`name = ...`, `a, name = ...`), outside nested functions
    /// and classes.
    pub assigned: NameFilter,
    /// The attributes the body assigns on `self` (`self._app = ...`), likewise.
    pub self_attributes: NameFilter,
    /// The names of the functions the body defines (`def name`), likewise: a call of a local
    /// name looks for such a definition, and nearly always there is none.
    pub defined: NameFilter,
}

impl Function {
    /// The name given to a lambda's function.
    pub const LAMBDA: &'static str = "<lambda>";

    /// What a lambda returns: the `value` of `lambda params: value`.
    pub fn lambda_value(&self) -> Option<&Expr> {
        match self.body.as_slice() {
            [Stmt::Return { value: Some(v), .. }] if self.name == Self::LAMBDA => Some(v),
            _ => None,
        }
    }
}

/// A Bloom filter of `64 * N` bits over words of a module. [`AttributeFilter`]: the attribute
/// names it uses (`x.config`, `app.route`), so whole-module searches for a method call skip the
/// modules that never name it; 1024 bits, so a module with a hundred distinct attributes answers
/// "maybe" for about 3 % of others. [`WordsFilter`]: its other names (variables, keyword
/// arguments, short string literals), which stand in for the source text once it is dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordFilter<const N: usize>([u64; N]);

pub type AttributeFilter = WordFilter<16>;
pub type WordsFilter = WordFilter<32>;

impl<const N: usize> Default for WordFilter<N> {
    fn default() -> Self {
        Self([0; N])
    }
}

impl<const N: usize> WordFilter<N> {
    fn positions(name: &str) -> [u32; 2] {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        name.hash(&mut h);
        let h = h.finish();
        // The high bits of the hash mix all of the word; its low bits less so.
        const { assert!((N * 64).is_power_of_two() && N <= 64) };
        let k = (N * 64).trailing_zeros();
        [
            (h >> (64 - k)) as u32,
            ((h >> (64 - 2 * k)) as u32) & ((N * 64 - 1) as u32),
        ]
    }

    pub fn insert(&mut self, name: &str) {
        for p in Self::positions(name) {
            self.0[(p / 64) as usize] |= 1 << (p % 64);
        }
    }

    pub fn may_contain(&self, name: &str) -> bool {
        Self::positions(name)
            .iter()
            .all(|p| self.0[(p / 64) as usize] & (1 << (p % 64)) != 0)
    }
}

/// A 64-bit Bloom filter of names: following a local variable asks whether a function assigns
/// it for nearly every name it meets, and nearly always the answer is no.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NameFilter(u64);

impl NameFilter {
    fn bits(name: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        name.hash(&mut h);
        let h = h.finish();
        (1 << (h & 63)) | (1 << ((h >> 6) & 63))
    }

    /// The names assigned by `name = ...` statements in `body`, also as part of a tuple
    /// (`a, name = ...`), at any depth outside nested functions and classes.
    pub fn assigned_in(body: &[Stmt]) -> Self {
        Self::assignments_in(body).0
    }

    /// The names assigned (as [`NameFilter::assigned_in`]), the attributes assigned on
    /// `self` (`self.name = ...`) and the names of the functions defined (`def name`) in
    /// `body`, in one walk: [`Function`]'s `assigned`, `self_attributes` and `defined`.
    pub fn assignments_in(body: &[Stmt]) -> (Self, Self, Self) {
        let mut names = NameFilter::default();
        let mut attributes = NameFilter::default();
        let mut defined = NameFilter::default();
        names.add_assigned(body, &mut attributes, &mut defined);
        (names, attributes, defined)
    }

    fn add_assigned(&mut self, body: &[Stmt], attributes: &mut NameFilter, defined: &mut Self) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(f) => defined.0 |= Self::bits(&f.name),
                Stmt::Assign { targets, .. } => {
                    for t in targets {
                        self.add_target(t);
                        if let ExprKind::Attribute { value, attr } = &t.kind
                            && value.as_name() == Some("self")
                        {
                            attributes.0 |= Self::bits(attr);
                        }
                    }
                }
                Stmt::ClassDef(_) => {}
                other => {
                    for child in other.child_bodies() {
                        self.add_assigned(child, attributes, defined);
                    }
                }
            }
        }
    }

    fn add_target(&mut self, target: &Expr) {
        match &target.kind {
            ExprKind::Name(n) => self.0 |= Self::bits(n),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().for_each(|i| self.add_target(i));
            }
            ExprKind::Starred(inner) => self.add_target(inner),
            _ => {}
        }
    }

    /// False only when `name` is certainly not in the filter.
    #[inline]
    pub fn may_contain(&self, name: &str) -> bool {
        let bits = Self::bits(name);
        self.0 & bits == bits
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    Positional,
    VarArgs,
    KeywordOnly,
    VarKeywords,
}

/// A function's parameter. The annotation and the default are boxed: an absent one then takes
/// 8 bytes instead of 40, and half of all parameters have no annotation, four in five no
/// default.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: Identifier,
    pub kind: ParamKind,
    pub annotation: Option<Box<Expr>>,
    pub default: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Class {
    pub name: Identifier,
    pub decorators: Vec<Expr>,
    pub bases: Vec<Expr>,
    pub keywords: Vec<Keyword>,
    pub body: Vec<Stmt>,
    pub span: Span,
    pub def_span: Span,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mult,
    Div,
    Mod,
    BitOr,
    BitAnd,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Other,
}

#[derive(Clone, Debug)]
pub enum FStringPart {
    Literal(String),
    Value(Expr),
}

#[derive(Clone, Debug)]
pub struct DictEntry {
    /// `None` for `**spread`.
    pub key: Option<Expr>,
    pub value: Expr,
}

#[derive(Clone, Debug)]
pub struct Keyword {
    /// `None` for `**kwargs`.
    pub arg: Option<Identifier>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Call {
    pub func: Expr,
    /// One pointer wide, and no allocation when empty: calls are the commonest large node.
    pub args: ThinVec<Expr>,
    pub keywords: ThinVec<Keyword>,
}

impl Call {
    pub fn keyword(&self, name: &str) -> Option<&Expr> {
        self.keywords
            .iter()
            .find(|k| k.arg.as_deref() == Some(name))
            .map(|k| &k.value)
    }

    /// The argument given by keyword `name` or else at `position`.
    pub fn argument(&self, name: &str, position: usize) -> Option<&Expr> {
        self.keyword(name).or_else(|| {
            self.args
                .iter()
                .take_while(|a| !matches!(a.kind, ExprKind::Starred(_)))
                .nth(position)
        })
    }

    /// `receiver.method(...)`: the receiver and the method's name.
    pub fn method(&self) -> Option<(&Expr, &str)> {
        match &self.func.kind {
            ExprKind::Attribute { value, attr } => Some((value, attr.as_str())),
            _ => None,
        }
    }

    pub fn has_kwargs_spread(&self) -> bool {
        self.keywords.iter().any(|k| k.arg.is_none())
    }

    /// The value of every argument: the positional ones, then the keyword ones (spreads
    /// included).
    pub fn argument_values(&self) -> impl Iterator<Item = &Expr> {
        self.args
            .iter()
            .chain(self.keywords.iter().map(|k| &k.value))
    }
}

#[derive(Clone, Debug)]
pub struct Generator {
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Name(Identifier),
    Attribute {
        value: Box<Expr>,
        attr: Identifier,
    },
    Call(Box<Call>),
    Str(String),
    Bytes(Vec<u8>),
    FString(Vec<FStringPart>),
    /// Integers too large for `i64` are `None`.
    Int(Option<i64>),
    Float(f64),
    Bool(bool),
    NoneLiteral,
    Ellipsis,
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<DictEntry>),
    // Lists of the rarer nodes are one pointer wide (`ThinVec`), so that no variant is wider
    // than `Attribute` and `Expr`, the most common node, stays at 40 bytes.
    Compare {
        left: Box<Expr>,
        ops: ThinVec<CmpOp>,
        comparators: ThinVec<Expr>,
    },
    BoolOp {
        op: BoolOp,
        values: ThinVec<Expr>,
    },
    BinOp {
        left: Box<Expr>,
        op: BinOp,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Subscript {
        value: Box<Expr>,
        slice: Box<Expr>,
    },
    Await(Box<Expr>),
    Starred(Box<Expr>),
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    /// `lambda params: value`, kept as a function named `<lambda>` whose body is `return
    /// value`, so that a lambda can stand where a function does (a route's handler).
    Lambda(Box<Function>),
    /// List, set, dict comprehensions and generator expressions. `value` holds a dict
    /// comprehension's value; `element` its key or the element.
    Comprehension {
        element: Box<Expr>,
        value: Option<Box<Expr>>,
        generators: ThinVec<Generator>,
    },
    Named {
        target: Box<Expr>,
        value: Box<Expr>,
    },
    Yield(Option<Box<Expr>>),
    /// A slice, an unsupported construct, or an expression beyond the nesting limit.
    Other,
}

// Expressions, statements and parameters are most of a tree's memory: keep an accidental
// widening from going unnoticed.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(
    std::mem::size_of::<Expr>() == 40
        && std::mem::size_of::<Stmt>() == 72
        && std::mem::size_of::<Call>() == 56
        && std::mem::size_of::<Param>() == 56
);

impl Expr {
    // Asked millions of times across the crates: worth inlining at each call.
    #[inline]
    pub fn as_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_call(&self) -> Option<&Call> {
        match &self.kind {
            ExprKind::Call(c) => Some(c),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            ExprKind::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The one comparison `left op right` of a comparison that is not a chain: `x == 1` gives
    /// `(x, ==, 1)`; nothing for `a < b < c` or other expressions.
    pub fn single_compare(&self) -> Option<(&Expr, CmpOp, &Expr)> {
        match &self.kind {
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => match (ops.as_slice(), comparators.as_slice()) {
                ([op], [right]) => Some((left, *op, right)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The pairwise comparisons of a comparison chain: `a < b <= c` gives `(a, <, b)` and
    /// `(b, <=, c)`; nothing for other expressions.
    pub fn comparisons(&self) -> Vec<(&Expr, CmpOp, &Expr)> {
        let ExprKind::Compare {
            left,
            ops,
            comparators,
        } = &self.kind
        else {
            return Vec::new();
        };
        let lefts = std::iter::once(left.as_ref()).chain(comparators.iter());
        lefts
            .zip(ops.iter().copied())
            .zip(comparators.iter())
            .map(|((l, op), r)| (l, op, r))
            .collect()
    }

    /// `a.b.c` as `["a", "b", "c"]` when the chain is made of names only.
    pub fn dotted_parts(&self) -> Option<Vec<&str>> {
        match &self.kind {
            ExprKind::Name(n) => Some(vec![n.as_str()]),
            ExprKind::Attribute { value, attr } => {
                let mut parts = value.dotted_parts()?;
                parts.push(attr);
                Some(parts)
            }
            _ => None,
        }
    }

    /// The last name of a call target or attribute chain: `limit` for `limiter.limit`.
    pub fn last_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(n) => Some(n),
            ExprKind::Attribute { attr, .. } => Some(attr),
            ExprKind::Call(c) => c.func.last_name(),
            _ => None,
        }
    }

    /// The name an attribute, subscript or call chain starts from: `r` for
    /// `r.pipeline().incr(key)`, `attempts` for `attempts[ip]`.
    pub fn root_name(&self) -> Option<&str> {
        self.chain_head().as_name()
    }

    /// The expression an attribute, subscript or call chain starts from: `db` for
    /// `db.session.query(User)[0]`; the expression itself when it is no such chain.
    pub fn chain_head(&self) -> &Expr {
        let mut e = self;
        loop {
            e = match &e.kind {
                ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } => value,
                ExprKind::Call(c) => &c.func,
                _ => return e,
            };
        }
    }

    pub fn is_string_literal(&self) -> bool {
        matches!(self.kind, ExprKind::Str(_) | ExprKind::Bytes(_))
    }

    /// The text of a `str` or `bytes` literal (bytes decoded lossily).
    pub fn literal_text(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Str(s) => Some(s.clone()),
            ExprKind::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    /// The value a dict literal gives the string key `key` (`{"csrf": False}`), if any.
    pub fn dict_value(&self, key: &str) -> Option<&Expr> {
        match &self.kind {
            ExprKind::Dict(entries) => entries
                .iter()
                .find(|e| e.key.as_ref().and_then(Expr::as_str) == Some(key))
                .map(|e| &e.value),
            _ => None,
        }
    }

    /// Items of a list, tuple or set literal.
    pub fn elements(&self) -> Option<&[Expr]> {
        match &self.kind {
            ExprKind::List(e) | ExprKind::Tuple(e) | ExprKind::Set(e) => Some(e),
            _ => None,
        }
    }

    /// The items of a list, tuple or set, or the expression itself: the classes of `except (A,
    /// B):` and of `except A:` alike.
    pub fn elements_or_self(&self) -> &[Expr] {
        self.elements().unwrap_or(std::slice::from_ref(self))
    }

    /// Calls `f` on each direct sub-expression.
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Attribute { value, .. }
            | ExprKind::Await(value)
            | ExprKind::Starred(value)
            | ExprKind::UnaryOp { operand: value, .. } => f(value),
            // The value only, as before lambdas kept their parameters.
            ExprKind::Lambda(function) => {
                if let Some(value) = function.lambda_value() {
                    f(value);
                }
            }
            ExprKind::Call(call) => {
                f(&call.func);
                call.args.iter().for_each(&mut f);
                call.keywords.iter().for_each(|k| f(&k.value));
            }
            ExprKind::FString(parts) => {
                for p in parts {
                    if let FStringPart::Value(e) = p {
                        f(e);
                    }
                }
            }
            ExprKind::List(e) | ExprKind::Tuple(e) | ExprKind::Set(e) => e.iter().for_each(f),
            ExprKind::Dict(entries) => {
                for entry in entries {
                    if let Some(k) = &entry.key {
                        f(k);
                    }
                    f(&entry.value);
                }
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                f(left);
                comparators.iter().for_each(f);
            }
            ExprKind::BoolOp { values, .. } => values.iter().for_each(f),
            ExprKind::BinOp { left, right, .. } => {
                f(left);
                f(right);
            }
            ExprKind::Subscript { value, slice } => {
                f(value);
                f(slice);
            }
            ExprKind::IfExp { test, body, orelse } => {
                f(test);
                f(body);
                f(orelse);
            }
            ExprKind::Comprehension {
                element,
                value,
                generators,
            } => {
                f(element);
                if let Some(v) = value {
                    f(v);
                }
                for g in generators {
                    f(&g.target);
                    f(&g.iter);
                    g.ifs.iter().for_each(&mut f);
                }
            }
            ExprKind::Named { target, value } => {
                f(target);
                f(value);
            }
            ExprKind::Yield(v) => {
                if let Some(v) = v {
                    f(v);
                }
            }
            ExprKind::Name(_)
            | ExprKind::Str(_)
            | ExprKind::Bytes(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::NoneLiteral
            | ExprKind::Ellipsis
            | ExprKind::Other => {}
        }
    }

    /// True when `pred` holds for this expression or any expression inside it.
    pub fn any<'a>(&'a self, pred: &mut impl FnMut(&'a Expr) -> bool) -> bool {
        if pred(self) {
            return true;
        }
        let mut found = false;
        self.for_each_child(|child| {
            if !found && child.any(pred) {
                found = true;
            }
        });
        found
    }
}
