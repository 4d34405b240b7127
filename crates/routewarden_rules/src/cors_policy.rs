//! The CORS policy a call configures: Starlette/FastAPI `CORSMiddleware` in every registration
//! form and flask-cors `CORS(...)`/`@cross_origin(...)`, with origins followed through
//! variables, constants, settings defaults and environment fallbacks. flask-cors options a call
//! does not pass come from the app configuration (`CORS_ORIGINS`, `CORS_SUPPORTS_CREDENTIALS`).

use crate::config_writes::project_config_writes;
use crate::context::FileContext;
use crate::flask_usage::is_test_file;
use crate::helpers::{
    ArgDefault, is_config_parser, literal_key_get, module_block_value, option_default,
};
use routewarden_model::apps::{
    AppModel, ObjectId, class_lineage, enclosing_functions, find_method, generic_origin,
    resolve_object,
};
use routewarden_model::config::ConfigModel;
use routewarden_model::security::{walk_all_exprs, walk_exprs, walk_stmts};
use routewarden_model::values::{parameter_default, settings_field_default};
use routewarden_model::{ProjectModel, SourceModule};
use routewarden_python::ast::{
    BoolOp, Call, CmpOp, Expr, ExprKind, Function, ParamKind, Span, Stmt,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorsLibrary {
    Starlette,
    FlaskCors,
}

/// One origin the policy admits.
#[derive(Clone, Debug)]
pub struct Origin {
    pub text: String,
    /// The literal's position: in the call or in another file.
    pub span: Span,
    /// Reached only through an environment or settings default.
    pub via_default: bool,
}

#[derive(Clone, Debug)]
pub struct CorsPolicy {
    pub library: CorsLibrary,
    /// Literal origins that could be found; empty when none are literal.
    pub origins: Vec<Origin>,
    /// `origins` could not all be followed to literals.
    pub origins_unknown: bool,
    /// Origin regular expressions (`allow_origin_regex`, flask-cors regex-looking origins).
    pub regexes: Vec<String>,
    pub credentials: bool,
    /// flask-cors per-resource dicts each form their own policy; this is the path, if any.
    pub resource: Option<String>,
    /// The origins come from the app configuration's `CORS_ORIGINS`, not from the call.
    pub origins_from_config: bool,
    /// A `@cross_origin(...)` whose origins come from the configuration that a `CORS(...)`
    /// call reads too: what is wrong with the origins alone is reported there, once.
    pub origins_reported_elsewhere: bool,
}

impl CorsPolicy {
    /// flask-cors reads an origin that looks like a regular expression as one.
    fn note_regexes(&mut self) {
        let regexes: Vec<String> = self
            .origins
            .iter()
            .filter(|o| looks_like_regex(&o.text))
            .map(|o| o.text.clone())
            .collect();
        self.regexes.extend(regexes);
    }

    pub fn any_origin(&self) -> Option<&Origin> {
        self.origins.iter().find(|o| o.text == "*")
    }

    /// A regular expression that matches every origin.
    pub fn regex_matches_everything(&self) -> Option<&str> {
        self.regexes
            .iter()
            .map(String::as_str)
            .find(|r| matches_everything(r))
    }
}

const CORS_MIDDLEWARE: &[&str] = &[
    "starlette.middleware.cors.CORSMiddleware",
    "fastapi.middleware.cors.CORSMiddleware",
];
const FLASK_CORS: &[&str] = &[
    "flask_cors.CORS",
    "flask_cors.extension.CORS",
    "flask_cors.cross_origin",
    "flask_cors.decorator.cross_origin",
];

/// The policies a call configures (several for flask-cors `resources={...}`). A wildcard is
/// dropped when the call only runs where the operator configured `*` themselves.
pub fn policies(cx: &FileContext, call: &Call) -> Vec<CorsPolicy> {
    let mut policies = configured_policies(cx, call);
    if policies.iter().any(|p| p.any_origin().is_some())
        && let Some(span) = call_span(call)
        && operator_chose_wildcard(cx, span)
    {
        for p in &mut policies {
            p.origins.retain(|o| o.text != "*");
        }
    }
    policies
}

/// The span of a whole call, from its callee to its last argument.
fn call_span(call: &Call) -> Option<Span> {
    let end = call
        .args
        .iter()
        .map(|a| a.span.end)
        .chain(call.keywords.iter().map(|k| k.value.span.end))
        .max()
        .unwrap_or(call.func.span.end);
    Some(Span::new(call.func.span.start, end))
}

fn encloses(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Whether the statement at `span` runs only in the branch where configured origins contain
/// `*` (`if "*" in allowed: ...`, or the `else` of `if "*" not in allowed`), and those origins
/// are not a wildcard when nothing is configured.
pub fn operator_chose_wildcard(cx: &FileContext, span: Span) -> bool {
    let body = cx.function().map_or(cx.file.body(), |f| &f.body[..]);
    guarded_by_wildcard_test(cx, body, span)
}

fn guarded_by_wildcard_test(cx: &FileContext, body: &[Stmt], span: Span) -> bool {
    let Some(stmt) = body.iter().find(|s| encloses(s.span(), span)) else {
        return false;
    };
    if let Stmt::If {
        test, body, orelse, ..
    } = stmt
    {
        let in_body = body.iter().any(|s| encloses(s.span(), span));
        let in_orelse = orelse.iter().any(|s| encloses(s.span(), span));
        let configured = if in_body {
            wildcard_membership(test, true)
        } else if in_orelse {
            wildcard_membership(test, false)
        } else {
            None
        };
        if let Some(origins) = configured
            && !default_is_wildcard(cx, origins)
        {
            return true;
        }
    }
    stmt.child_bodies()
        .any(|b| guarded_by_wildcard_test(cx, b, span))
}

/// The origins variable a test finds `*` in: with `positive`, a conjunct `"*" in x`/`x == "*"`
/// (the test holds only if it does); otherwise the test is `"*" not in x`/`x != "*"` (its `else`
/// runs only if it does).
fn wildcard_membership(test: &Expr, positive: bool) -> Option<&Expr> {
    if positive
        && let ExprKind::BoolOp {
            op: BoolOp::And,
            values,
        } = &test.kind
    {
        return values.iter().find_map(|v| wildcard_membership(v, true));
    }
    let (left, op, right) = test.single_compare()?;
    let wanted = if positive {
        matches!(op, CmpOp::In | CmpOp::Eq)
    } else {
        matches!(op, CmpOp::NotIn | CmpOp::NotEq)
    };
    if !wanted {
        return None;
    }
    let is_wildcard = |e: &Expr| {
        e.as_str() == Some("*")
            || matches!(&e.kind, ExprKind::List(items) if items.len() == 1 && items[0].as_str() == Some("*"))
    };
    if is_wildcard(left) && !is_wildcard(right) {
        Some(right)
    } else if is_wildcard(right) && !is_wildcard(left) && !matches!(op, CmpOp::In | CmpOp::NotIn) {
        Some(left)
    } else {
        None
    }
}

/// Whether an origins variable holds `*` when nothing is configured.
fn default_is_wildcard(cx: &FileContext, origins: &Expr) -> bool {
    let mut probe = CorsPolicy {
        library: CorsLibrary::Starlette,
        origins: Vec::new(),
        origins_unknown: false,
        regexes: Vec::new(),
        credentials: false,
        resource: None,
        origins_from_config: false,
        origins_reported_elsewhere: false,
    };
    collect_origins(
        cx.model,
        cx.file_index,
        &cx.functions,
        origins,
        false,
        &mut probe,
        0,
    );
    probe.any_origin().is_some()
}

/// Whether the file's imports could name a CORS middleware or flask-cors's `CORS` or
/// `cross_origin`.
pub(crate) fn may_name_cors(file: &SourceModule) -> bool {
    file.imports.may_resolve_to_any(CORS_MIDDLEWARE) || file.imports.may_resolve_to_any(FLASK_CORS)
}

fn configured_policies(cx: &FileContext, call: &Call) -> Vec<CorsPolicy> {
    // Most calls of most files: nothing the file imports is a CORS class, the call is no
    // `init_app`, and the project subclasses no CORS middleware.
    if !cx.may_name_cors
        && !matches!(&call.func.kind, ExprKind::Attribute { attr, .. } if attr == "init_app")
        && cx.cors_subclasses().names.is_empty()
    {
        return Vec::new();
    }
    let callee = cx.resolve(&call.func);
    let is_middleware = callee
        .as_deref()
        .is_some_and(|q| CORS_MIDDLEWARE.contains(&q))
        || call
            .args
            .first()
            .is_some_and(|a| cx.resolves_to(a, CORS_MIDDLEWARE));
    if is_middleware {
        return vec![starlette_policy(cx, call)];
    }
    if let Some(q) = callee.as_deref().filter(|q| FLASK_CORS.contains(q)) {
        let decorator = q.ends_with(".cross_origin");
        // `cors = CORS()` with no application and no options, given one later by
        // `cors.init_app(app, origins=...)`: the policy is the one `init_app` sets, judged there.
        if !decorator
            && call.argument("app", 0).is_none()
            && passes_no_policy_option(call)
            && cors_initialised_later(cx.model)
        {
            return Vec::new();
        }
        return flask_policies(cx, call, decorator);
    }
    // `cors.init_app(app, **options)` of a `CORS()` created with no options: the arguments are
    // those of `CORS(app, **options)`.
    if let ExprKind::Attribute { value, attr } = &call.func.kind
        && attr == "init_app"
        && !passes_no_policy_option(call)
        && let Some(extension) = empty_flask_cors(cx, value)
        && passes_no_policy_option(extension)
        && cors_initialised_later(cx.model)
    {
        return flask_policies(cx, call, false);
    }
    let subclasses = cx.cors_subclasses();
    if subclasses.names.is_empty() {
        return Vec::new();
    }
    subclass_policy(cx, call, subclasses)
        .or_else(|| base_constructor_policy(cx, call, subclasses))
        .into_iter()
        .collect()
}

/// The options of a Starlette policy that decide it.
const STARLETTE_OPTIONS: [&str; 3] = ["allow_origins", "allow_credentials", "allow_origin_regex"];

fn starlette_policy(cx: &FileContext, call: &Call) -> CorsPolicy {
    let [origins, credentials, regex] = STARLETTE_OPTIONS.map(|key| {
        match call.keyword(key).or_else(|| spread_option(cx, call, key)) {
            Some(v) => Source::Here(v),
            None => Source::Absent,
        }
    });
    build_starlette_policy(cx, origins, credentials, regex)
}

/// Where the value of one option of a Starlette policy is written.
#[derive(Clone, Debug)]
enum Source<'c> {
    /// Not passed: Starlette's default (no origins, no credentials).
    Absent,
    /// Passed in a way that cannot be read.
    Unknown,
    /// An argument of the call being checked, read in its context.
    Here(&'c Expr),
    /// An expression written elsewhere (a subclass's constructor), in `file` inside `scope`;
    /// `default` when it is the default of a parameter the caller did not pass.
    At {
        file: usize,
        scope: Vec<&'c Function>,
        expr: &'c Expr,
        default: bool,
    },
    /// Possibly in the mapping a call spreads (`**options`), under this name.
    Spread(&'c str),
}

/// Builds a Starlette policy from where its options are written.
fn build_starlette_policy(
    cx: &FileContext,
    origins: Source,
    credentials: Source,
    regex: Source,
) -> CorsPolicy {
    let model = cx.model;
    let mut policy = CorsPolicy {
        library: CorsLibrary::Starlette,
        origins: Vec::new(),
        origins_unknown: false,
        regexes: Vec::new(),
        credentials: match credentials {
            Source::Here(v) => is_true(cx, v),
            Source::At {
                file, scope, expr, ..
            } => is_true_at(model, file, &scope, expr),
            _ => false,
        },
        resource: None,
        origins_from_config: false,
        origins_reported_elsewhere: false,
    };
    match origins {
        Source::Here(origins) => match trait_default(cx, origins) {
            Some(default) => {
                collect_origins(model, cx.file_index, &[], default, true, &mut policy, 0)
            }
            None => collect_origins_of_call(cx, origins, &mut policy),
        },
        Source::At {
            file,
            scope,
            expr,
            default,
        } => collect_origins(model, file, &scope, expr, default, &mut policy, 0),
        Source::Unknown | Source::Spread(_) => policy.origins_unknown = true,
        Source::Absent => {}
    }
    let regex = match regex {
        Source::Here(regex) => literal_string(cx, regex)
            .or_else(|| {
                trait_default(cx, regex)
                    .and_then(Expr::as_str)
                    .map(String::from)
            })
            .or_else(|| origin_regex_default(model, cx.file_index, &cx.functions, regex)),
        Source::At {
            file, scope, expr, ..
        } => {
            let origin = model.resolve_value(file, &scope, expr);
            origin
                .expr
                .as_str()
                .map(String::from)
                .or_else(|| origin_regex_default(model, file, &scope, expr))
        }
        _ => None,
    };
    policy.regexes.extend(regex);
    policy
}

/// The origin pattern that applies when nothing is configured: the default of a settings
/// field (`allow_origin_regex=settings.origin_regex`), of an environment read
/// (`os.getenv("ORIGIN_REGEX", ".*")`) or of a parameter; the pattern of a `re.compile(...)`.
fn origin_regex_default(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
) -> Option<String> {
    let origin = model.resolve_value(file, scope, expr);
    let literal = |file: usize, scope: &[&Function], e: &Expr| {
        model
            .resolve_value(file, scope, e)
            .expr
            .as_str()
            .map(String::from)
    };
    match &origin.expr.kind {
        ExprKind::Attribute { .. } => {
            let (def_file, default) =
                settings_field_default(model, origin.file, &origin.scope, origin.expr)?;
            literal(def_file, &[], default)
        }
        ExprKind::Call(call) => {
            let callee = model.files[origin.file].imports.resolve(&call.func)?;
            match callee.as_str() {
                "os.getenv" | "os.environ.get" => {
                    literal(origin.file, &origin.scope, call.argument("default", 1)?)
                }
                // Starlette compiles the option itself; a compiled pattern is matched alike.
                "re.compile" => literal(origin.file, &origin.scope, call.argument("pattern", 0)?),
                _ => None,
            }
        }
        ExprKind::Name(name) => literal(
            origin.file,
            &origin.scope,
            parameter_default(&origin.scope, name)?,
        ),
        _ => None,
    }
}

/// `True` where it is written, directly, through a name, or as the default of a parameter or
/// settings field.
fn is_true_at(model: &ProjectModel, file: usize, scope: &[&Function], expr: &Expr) -> bool {
    let origin = crate::helpers::resolve_value_in_blocks(model, file, scope, expr);
    if crate::helpers::is_truthy_literal(origin.expr) {
        return true;
    }
    if let Some(name) = origin.expr.as_name()
        && let Some(default) = parameter_default(&origin.scope, name)
    {
        return matches!(default.kind, ExprKind::Bool(true));
    }
    settings_field_default(model, origin.file, &origin.scope, origin.expr)
        .is_some_and(|(_, default)| matches!(default.kind, ExprKind::Bool(true)))
}

/// The project's subclasses of Starlette's `CORSMiddleware`, also through other project
/// classes: their names (a quick filter for every call) and `(file, class start)`.
#[derive(Default)]
pub struct CorsSubclasses {
    names: rustc_hash::FxHashSet<String>,
    classes: rustc_hash::FxHashSet<(usize, u32)>,
}

impl CorsSubclasses {
    pub fn build(model: &ProjectModel) -> Self {
        let mut found = CorsSubclasses::default();
        let mut queue: Vec<(usize, String)> = Vec::new();
        let derives = |file: usize, class: &routewarden_python::ast::Class| {
            class_lineage(model, file, class)
                .iter()
                .any(|q| CORS_MIDDLEWARE.contains(&q.as_str()))
        };
        // Direct subclasses are in the modules importing the middleware.
        for (i, file) in model.files.iter().enumerate() {
            if !file.imports_module("starlette.middleware.cors")
                && !file.imports_module("fastapi.middleware.cors")
            {
                continue;
            }
            walk_stmts(file.body(), &mut |s| {
                if let Stmt::ClassDef(class) = s
                    && derives(i, class)
                    && found.classes.insert((i, class.span.start))
                {
                    found.names.insert(class.name.to_string());
                    queue.push((i, class.name.to_string()));
                }
            });
        }
        // Their subclasses, in the modules that can name them.
        let mut next = 0;
        while next < queue.len() && queue.len() < 64 {
            let (defined_in, name) = queue[next].clone();
            next += 1;
            for (i, file) in model.files_naming(defined_in, &name) {
                walk_stmts(file.body(), &mut |s| {
                    if let Stmt::ClassDef(class) = s
                        && !found.classes.contains(&(i, class.span.start))
                        && class
                            .bases
                            .iter()
                            .any(|b| generic_origin(b).last_name() == Some(name.as_str()))
                        && derives(i, class)
                    {
                        found.classes.insert((i, class.span.start));
                        found.names.insert(class.name.to_string());
                        queue.push((i, class.name.to_string()));
                    }
                });
            }
        }
        found
    }

    /// The project subclass `expr` names in `file`.
    fn class_named<'m>(
        &self,
        model: &'m ProjectModel,
        file: usize,
        expr: &Expr,
    ) -> Option<(usize, &'m routewarden_python::ast::Class)> {
        if !matches!(expr.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
            || !expr.last_name().is_some_and(|n| self.names.contains(n))
        {
            return None;
        }
        match model.project_definition(file, expr)? {
            (f, Stmt::ClassDef(class)) if self.classes.contains(&(f, class.span.start)) => {
                Some((f, class))
            }
            _ => None,
        }
    }
}

/// What a constructor call builds: Starlette's middleware itself or a project subclass.
#[derive(Clone, Copy)]
enum Target<'c> {
    Starlette,
    Subclass(usize, &'c routewarden_python::ast::Class),
}

/// A call that passes options to a constructor: where it is written.
struct Site<'c> {
    file: usize,
    scope: Vec<&'c Function>,
    call: &'c Call,
}

/// The `__init__` call a constructor makes on its base (`super().__init__(...)`,
/// `CORSMiddleware.__init__(self, ...)`), anywhere in its statements (also under `if`), and
/// the class it reaches: the first base of `class` that is Starlette's middleware or a
/// subclass of it.
fn base_constructor_call<'c>(
    model: &'c ProjectModel,
    subclasses: &CorsSubclasses,
    file: usize,
    class: &'c routewarden_python::ast::Class,
    init: &'c Function,
) -> Option<(&'c Call, Target<'c>)> {
    let mut found = None;
    walk_stmts(&init.body, &mut |s| {
        if found.is_none()
            && let Stmt::Expr { value, .. } = s
            && let Some(call) = value.as_call()
            && is_base_init(call)
        {
            found = Some(call);
        }
    });
    let call = found?;
    let target = class.bases.iter().find_map(|base| {
        let base = generic_origin(base);
        if model.files[file].imports.resolves_to(base, CORS_MIDDLEWARE) {
            return Some(Target::Starlette);
        }
        subclasses
            .class_named(model, file, base)
            .map(|(f, c)| Target::Subclass(f, c))
    })?;
    Some((call, target))
}

/// `super().__init__(...)` or `Base.__init__(self, ...)`.
fn is_base_init(call: &Call) -> bool {
    let Some((receiver, "__init__")) = call.method() else {
        return false;
    };
    match &receiver.kind {
        ExprKind::Call(s) => s.func.as_name() == Some("super"),
        _ => call.args.first().and_then(Expr::as_name) == Some("self"),
    }
}

/// Where the option `key` that `site` passes toward `target` ends up written: in the call
/// itself, in a subclass's constructor (a fixed value, or the default of a parameter the call
/// does not pass), or in a mapping the call spreads.
fn option_source<'c>(
    model: &'c ProjectModel,
    subclasses: &CorsSubclasses,
    target: Target<'c>,
    site: &Site<'c>,
    key: &'c str,
    depth: u32,
) -> Source<'c> {
    if depth > 6 {
        return Source::Unknown;
    }
    let passed = |name: &'c str| match site.call.keyword(name) {
        Some(v) => Source::At {
            file: site.file,
            scope: site.scope.clone(),
            expr: v,
            default: false,
        },
        None if site.call.has_kwargs_spread() => Source::Spread(name),
        None => Source::Absent,
    };
    let Target::Subclass(file, class) = target else {
        return passed(key);
    };
    // A subclass without a constructor of its own hands the arguments to its base's.
    let Some((init_file, init_class, init)) = find_method(model, file, class, "__init__") else {
        return passed(key);
    };
    let Some((base_call, next)) =
        base_constructor_call(model, subclasses, init_file, init_class, init)
    else {
        return Source::Unknown;
    };
    let mut scope = enclosing_functions(model.files[init_file].body(), init);
    scope.push(init);
    let inner = Site {
        file: init_file,
        scope,
        call: base_call,
    };
    let param = |name: &str| {
        init.params.iter().skip(1).find(|p| {
            p.name == name && !matches!(p.kind, ParamKind::VarArgs | ParamKind::VarKeywords)
        })
    };
    match option_source(model, subclasses, next, &inner, key, depth + 1) {
        // `super().__init__(allow_origins=allow_origins)`: the caller's argument, or the
        // parameter's default.
        Source::At { expr, scope, .. }
            if scope.last().is_some_and(|f| std::ptr::eq(*f, init))
                && let Some(p) = expr.as_name().and_then(param) =>
        {
            match passed(p.name.as_str()) {
                Source::Absent => match &p.default {
                    Some(default) => Source::At {
                        file: init_file,
                        scope,
                        expr: default,
                        default: true,
                    },
                    None => Source::Unknown,
                },
                other => other,
            }
        }
        // A default the constructor's own base call leaves is fixed by the class.
        Source::At {
            file, scope, expr, ..
        } => Source::At {
            file,
            scope,
            expr,
            default: false,
        },
        // `super().__init__(*args, **kwargs)`: the caller's keyword arguments.
        Source::Spread(name) => {
            let forwarded = base_call
                .keywords
                .iter()
                .filter(|k| k.arg.is_none())
                .all(|k| {
                    k.value.as_name().is_some_and(|n| {
                        init.params
                            .iter()
                            .any(|p| p.name == n && p.kind == ParamKind::VarKeywords)
                    })
                });
            if forwarded && param(name).is_none() {
                passed(name)
            } else {
                Source::Unknown
            }
        }
        other => other,
    }
}

/// Whether the class, or a project base, decides origins in code (`is_allowed_origin`):
/// Starlette then asks it instead of the listed origins and pattern, except that a listed
/// `"*"` still answers cookie-carrying requests with their own origin.
fn decides_origins_in_code(
    model: &ProjectModel,
    file: usize,
    class: &routewarden_python::ast::Class,
) -> bool {
    find_method(model, file, class, "is_allowed_origin").is_some()
}

fn narrow_to_code_decision(policy: &mut CorsPolicy) {
    policy.origins.retain(|o| o.text == "*");
    policy.regexes.clear();
    policy.origins_unknown = true;
}

/// A project subclass of `CORSMiddleware` registered (`add_middleware(Sub, ...)`,
/// `Middleware(Sub, ...)`) or wrapping the app (`Sub(app, ...)`): the policy its constructor
/// builds from the call's options. `None` when the class fixes every option itself: that
/// policy is judged at its base constructor call, once.
fn subclass_policy(
    cx: &FileContext,
    call: &Call,
    subclasses: &CorsSubclasses,
) -> Option<CorsPolicy> {
    let model = cx.model;
    let registered = call.args.first().filter(|_| {
        call.method().is_some_and(|(_, m)| m == "add_middleware")
            || cx.resolves_to(
                &call.func,
                &[
                    "starlette.middleware.Middleware",
                    "fastapi.middleware.Middleware",
                ],
            )
    });
    let (file, class) = registered
        .and_then(|c| subclasses.class_named(model, cx.file_index, c))
        .or_else(|| subclasses.class_named(model, cx.file_index, &call.func))?;
    let site = Site {
        file: cx.file_index,
        scope: cx.functions.clone(),
        call,
    };
    let span = call_span(call)?;
    let mut from_call = false;
    let [origins, credentials, regex] = STARLETTE_OPTIONS.map(|key| {
        match option_source(
            model,
            subclasses,
            Target::Subclass(file, class),
            &site,
            key,
            0,
        ) {
            Source::At {
                file,
                expr,
                default: false,
                ..
            } if file == cx.file_index && encloses(span, expr.span) => {
                from_call = true;
                Source::Here(expr)
            }
            Source::Spread(name) => {
                from_call = true;
                spread_option(cx, call, name).map_or(Source::Absent, Source::Here)
            }
            other => {
                from_call |= matches!(other, Source::At { default: true, .. });
                other
            }
        }
    });
    if !from_call {
        return None;
    }
    let mut policy = build_starlette_policy(cx, origins, credentials, regex);
    if decides_origins_in_code(model, file, class) {
        narrow_to_code_decision(&mut policy);
    }
    Some(policy)
}

/// The base constructor call in the `__init__` of a `CORSMiddleware` subclass, when the
/// options it passes are all fixed by the class (`super().__init__(app,
/// allow_origins=["*"], allow_credentials=True)`): every registration gets that policy.
fn base_constructor_policy(
    cx: &FileContext,
    call: &Call,
    subclasses: &CorsSubclasses,
) -> Option<CorsPolicy> {
    if !is_base_init(call) {
        return None;
    }
    let model = cx.model;
    let init = cx.function().filter(|f| f.name == "__init__")?;
    let class = *cx.classes.last()?;
    if !subclasses
        .classes
        .contains(&(cx.file_index, class.span.start))
        || !class
            .body
            .iter()
            .any(|s| matches!(s, Stmt::FunctionDef(m) if std::ptr::eq(m.as_ref(), init)))
    {
        return None;
    }
    let (base_call, target) = base_constructor_call(model, subclasses, cx.file_index, class, init)?;
    if !std::ptr::eq(base_call, call) {
        return None;
    }
    let site = Site {
        file: cx.file_index,
        scope: cx.functions.clone(),
        call,
    };
    let span = call_span(call)?;
    let mut decided = true;
    let [origins, credentials, regex] = STARLETTE_OPTIONS.map(|key| {
        match option_source(model, subclasses, target, &site, key, 0) {
            // A parameter of this constructor, or the caller's `**kwargs`: the registration
            // decides.
            Source::At {
                expr, ref scope, ..
            } if scope.last().is_some_and(|f| std::ptr::eq(*f, init))
                && expr
                    .as_name()
                    .is_some_and(|n| init.params.iter().skip(1).any(|p| p.name == n)) =>
            {
                decided = false;
                Source::Unknown
            }
            Source::Spread(_) => {
                decided = false;
                Source::Unknown
            }
            Source::At { file, expr, .. } if file == cx.file_index && encloses(span, expr.span) => {
                Source::Here(expr)
            }
            // The default of a parameter of the base's constructor that this call leaves out
            // is fixed by the class too.
            Source::At {
                file, scope, expr, ..
            } => Source::At {
                file,
                scope,
                expr,
                default: false,
            },
            other => other,
        }
    });
    if !decided {
        return None;
    }
    let mut policy = build_starlette_policy(cx, origins, credentials, regex);
    if decides_origins_in_code(model, cx.file_index, class) {
        narrow_to_code_decision(&mut policy);
    }
    Some(policy)
}

/// `self.cors_origin_regex` where the enclosing class declares `cors_origin_regex =
/// Unicode(".*", config=True)`: a traitlets trait, whose first argument (or `default_value=`)
/// applies when nothing is configured.
fn trait_default<'c>(cx: &FileContext<'c>, expr: &Expr) -> Option<&'c Expr> {
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return None;
    };
    if value.as_name() != Some("self") {
        return None;
    }
    let class = *cx.classes.last()?;
    let (file, declared) =
        routewarden_model::apps::class_attribute(cx.model, cx.file_index, class, attr)?;
    let trait_call = declared.as_call()?;
    let callee = cx.model.files[file].imports.resolve(&trait_call.func)?;
    if !callee.starts_with("traitlets.") {
        return None;
    }
    trait_call.argument("default_value", 0)
}

fn flask_policies(cx: &FileContext, call: &Call, decorator: bool) -> Vec<CorsPolicy> {
    let config = cx.flask_cors_config();
    // A decorator that passes nothing of its own has the policy of the configuration, which the
    // `CORS(...)` call that reads the same configuration already reports.
    if decorator
        && config.sets_policy()
        && config.extension_reads_config
        && passes_no_policy_option(call)
    {
        return Vec::new();
    }
    // Nor does one on routes whose every application is given a `CORS(app)` passing nothing
    // of its own: flask-cors builds both policies from the same defaults and configuration,
    // reported at that call.
    if decorator && passes_no_policy_option(call) && apps_have_bare_cors(cx, call) {
        return Vec::new();
    }
    let apps = &cx.surface.apps;
    // The application `CORS(app)` is given: its own configuration is the one read.
    let app = if decorator {
        None
    } else {
        call.argument("app", 0)
            .and_then(|a| resolve_object(cx.model, cx.file_index, &cx.functions, a, 0))
    };
    let app = app.as_ref();
    let credentials = match call.keyword("supports_credentials") {
        Some(v) => is_true(cx, v),
        None => config.credentials(cx.model, apps, app),
    };
    let base = |origins_expr: Option<&Expr>, credentials: bool, resource: Option<String>| {
        let mut policy = CorsPolicy {
            library: CorsLibrary::FlaskCors,
            origins: Vec::new(),
            origins_unknown: false,
            regexes: Vec::new(),
            credentials,
            resource,
            origins_from_config: false,
            origins_reported_elsewhere: false,
        };
        match origins_expr {
            Some(o) => collect_origins_of_call(cx, o, &mut policy),
            // `CORS(app, **options)`: the origins may be in the mapping; a dict literal without
            // them leaves the default.
            None if call.has_kwargs_spread() => match spread_origins(cx, call) {
                Some(Some(o)) => collect_origins_of_call(cx, o, &mut policy),
                Some(None) => config.origins(cx.model, apps, app, call, &mut policy),
                None => policy.origins_unknown = true,
            },
            None => config.origins(cx.model, apps, app, call, &mut policy),
        }
        policy.note_regexes();
        policy.origins_reported_elsewhere =
            decorator && policy.origins_from_config && config.extension_reads_config;
        policy
    };
    if let Some(resources) = call.keyword("resources") {
        let origin = cx.resolve_value(resources);
        if let ExprKind::Dict(entries) = &origin.expr.kind {
            return entries
                .iter()
                .filter_map(|e| {
                    // A computed path pattern (`r"{}/*".format(prefix)`) still has the
                    // origins its value gives; only the path it covers is unknown.
                    let path = e.key.as_ref()?.as_str().map(str::to_string);
                    let ExprKind::Dict(opts) = &e.value.kind else {
                        return None;
                    };
                    let get = |k: &str| {
                        opts.iter()
                            .find(|o| o.key.as_ref().and_then(|x| x.as_str()) == Some(k))
                            .map(|o| &o.value)
                    };
                    let creds = get("supports_credentials").map_or(credentials, |v| is_true(cx, v));
                    Some(base(
                        get("origins").or(call.keyword("origins")),
                        creds,
                        path,
                    ))
                })
                .collect();
        }
    }
    // `app.config["CORS_RESOURCES"] = {r"/api/*": {"origins": [...]}}`: flask-cors takes the
    // resources of the configuration when the call passes none.
    if !decorator && !call.has_kwargs_spread() {
        let resources: Vec<&CorsSetting> = config
            .resources
            .iter()
            .filter(|s| s.applies_to(apps, app))
            .collect();
        if !resources.is_empty() {
            let mut out = Vec::new();
            for setting in resources {
                out.extend(configured_resources(cx, call, setting, credentials, &base));
            }
            return out;
        }
    }
    vec![base(call.keyword("origins"), credentials, None)]
}

/// Builds a flask-cors policy from an origins expression, credentials and resource path.
type PolicyBuilder<'b> = dyn Fn(Option<&Expr>, bool, Option<String>) -> CorsPolicy + 'b;

/// The policies of a `CORS_RESOURCES` value: one for each path pattern, its origins followed
/// where the value is written; origins it leaves out come from the call (or the configuration's
/// `CORS_ORIGINS`, or the default). A value that is not a dict literal is unknown.
fn configured_resources<'c>(
    cx: &FileContext<'c>,
    call: &Call,
    setting: &CorsSetting<'c>,
    credentials: bool,
    base: &PolicyBuilder,
) -> Vec<CorsPolicy> {
    let origin = cx
        .model
        .resolve_value(setting.file, &setting.scope, setting.value);
    let unknown = || {
        let mut policy = base(call.keyword("origins"), credentials, None);
        policy.origins.clear();
        policy.regexes.clear();
        policy.origins_unknown = true;
        policy
    };
    let ExprKind::Dict(entries) = &origin.expr.kind else {
        return vec![unknown()];
    };
    let mut out = Vec::new();
    for e in entries {
        let path = e.key.as_ref().and_then(|k| k.as_str()).map(str::to_string);
        let ExprKind::Dict(opts) = &e.value.kind else {
            out.push(unknown());
            continue;
        };
        let get = |k: &str| {
            opts.iter()
                .find(|o| o.key.as_ref().and_then(|x| x.as_str()) == Some(k))
                .map(|o| &o.value)
        };
        let creds = get("supports_credentials").map_or(credentials, |v| {
            let v = cx.model.resolve_value(origin.file, &setting.scope, v);
            matches!(v.expr.kind, ExprKind::Bool(true))
        });
        let mut policy = match get("origins") {
            Some(o) => {
                let mut policy = base(None, creds, path.clone());
                policy.origins.clear();
                policy.regexes.clear();
                policy.origins_unknown = false;
                policy.origins_from_config = true;
                collect_origins(
                    cx.model,
                    origin.file,
                    &setting.scope,
                    o,
                    false,
                    &mut policy,
                    0,
                );
                policy.note_regexes();
                policy
            }
            None => base(call.keyword("origins"), creds, path.clone()),
        };
        policy.resource = path;
        out.push(policy);
    }
    out
}

/// Options a call can pass that decide its policy.
const POLICY_OPTIONS: &[&str] = &["origins", "supports_credentials", "resources"];

/// The `CORS(...)` call, without an application, that built the flask-cors extension
/// object `receiver` (`cors = CORS()` in extensions.py).
fn empty_flask_cors<'e>(cx: &'e FileContext, receiver: &'e Expr) -> Option<&'e Call> {
    let origin = cx.resolve_value(receiver);
    let call = origin.expr.as_call()?;
    let q = cx.model.files[origin.file].imports.resolve(&call.func)?;
    (matches!(q.as_str(), "flask_cors.CORS" | "flask_cors.extension.CORS")
        && call.argument("app", 0).is_none())
    .then_some(call)
}

/// Whether the project's non-test modules call `init_app` on a flask-cors extension object,
/// each time with policy options of their own (`cors.init_app(app, origins=...)`): the
/// policies are then those calls', judged there. An `init_app(app)` with none keeps the
/// policy of the constructor and the configuration, judged at `CORS()`. Asked only for a
/// `CORS()` created with no application and no options.
fn cors_initialised_later(model: &ProjectModel) -> bool {
    let (mut with_options, mut without) = (false, false);
    for (index, file) in model.files.iter().enumerate() {
        if is_test_file(file) || !file.may_mention("init_app") {
            continue;
        }
        crate::helpers::for_each_call(file.body(), &mut Vec::new(), &mut |scope, _, call| {
            if matches!(&call.func.kind, ExprKind::Attribute { value, attr }
            if attr == "init_app"
                && model.instance_class(index, scope, value).is_some_and(|q| {
                    matches!(q.as_str(), "flask_cors.CORS" | "flask_cors.extension.CORS")
                }))
            {
                if passes_no_policy_option(call) {
                    without = true;
                } else {
                    with_options = true;
                }
            }
        });
    }
    with_options && !without
}

/// Whether the routes a `@cross_origin(...)` decorates are mounted, and every application
/// they are served by (the root of each mount chain, a blueprint registered under a condition
/// included) is given to a flask-cors `CORS(app)` outside test code that passes no policy
/// option of its own.
fn apps_have_bare_cors(cx: &FileContext, decorator: &Call) -> bool {
    let surface = cx.surface;
    let decorates = |f: &Function| {
        f.decorators
            .iter()
            .any(|d| d.as_call().is_some_and(|c| std::ptr::eq(c, decorator)))
    };
    let roots: Vec<&ObjectId> = surface
        .mounted
        .iter()
        .filter(|m| {
            let route = surface.route(m);
            route.handler_file == cx.file_index && decorates(route.handler)
        })
        .filter_map(|m| m.chain.last())
        .collect();
    if roots.is_empty() {
        return false;
    }
    let model = cx.model;
    let mut bare: Vec<ObjectId> = Vec::new();
    for (index, file) in model.files.iter().enumerate() {
        if is_test_file(file) || !file.imports_module("flask_cors") {
            continue;
        }
        crate::helpers::for_each_call(file.body(), &mut Vec::new(), &mut |scope, _, call| {
            if file.imports.resolves_to(
                &call.func,
                &["flask_cors.CORS", "flask_cors.extension.CORS"],
            ) && passes_no_policy_option(call)
                && let Some(app) = call.argument("app", 0)
                && let Some(id) = resolve_object(model, index, scope, app, 0)
            {
                bare.push(id);
            }
        });
    }
    let apps = &surface.apps;
    roots.iter().all(|root| {
        bare.iter()
            .any(|b| apps.denotes(b, root) || apps.denotes(root, b))
    })
}

fn passes_no_policy_option(call: &Call) -> bool {
    !call.has_kwargs_spread() && POLICY_OPTIONS.iter().all(|k| call.keyword(k).is_none())
}

/// A value given to a `CORS_*` key: its file, the functions enclosing the write, and the
/// application whose configuration it is, when the write names one (`app.config[...]`).
struct CorsSetting<'a> {
    file: usize,
    scope: Vec<&'a Function>,
    value: &'a Expr,
    app: Option<ObjectId>,
}

impl CorsSetting<'_> {
    /// flask-cors reads the configuration of the application it is given: a value written
    /// into another application's configuration does not apply. Values of unknown owner
    /// (configuration classes and modules, a bare `config` mapping) may be anyone's.
    fn applies_to(&self, apps: &AppModel, app: Option<&ObjectId>) -> bool {
        match (&self.app, app) {
            (Some(written), Some(app)) => apps.denotes(written, app) || apps.denotes(app, written),
            _ => true,
        }
    }
}

/// The flask-cors options the app configuration sets. flask-cors builds each policy from its
/// defaults, then the `CORS_*` keys of `app.config` that are not `None`, then the call's own
/// arguments, for `CORS(...)`/`init_app` and `@cross_origin(...)` alike.
pub struct FlaskCorsConfig<'a> {
    /// The values given to `CORS_ORIGINS`.
    origins: Vec<CorsSetting<'a>>,
    /// The values given to `CORS_SUPPORTS_CREDENTIALS`.
    credentials: Vec<CorsSetting<'a>>,
    /// The values given to `CORS_RESOURCES`: path patterns with their own options.
    resources: Vec<CorsSetting<'a>>,
    /// Some `CORS(...)` call passes neither origins nor credentials, so the configured policy
    /// is reported there.
    pub extension_reads_config: bool,
}

impl<'a> FlaskCorsConfig<'a> {
    pub fn build(model: &'a ProjectModel, config: &ConfigModel<'a>, apps: &AppModel<'a>) -> Self {
        let mut origins = Vec::new();
        let mut credentials = Vec::new();
        let mut resources = Vec::new();
        let wanted = |k: &str| {
            matches!(
                k,
                "CORS_ORIGINS" | "CORS_SUPPORTS_CREDENTIALS" | "CORS_RESOURCES"
            )
        };
        for w in project_config_writes(model, config, &wanted) {
            let (app, scope) = match w.owner {
                Some((owner, scope)) => (apps.resolve_object(w.file, &scope, owner), scope),
                None => (None, Vec::new()),
            };
            let setting = CorsSetting {
                file: w.file,
                scope,
                value: w.value,
                app,
            };
            match w.key.as_str() {
                "CORS_ORIGINS" => origins.push(setting),
                "CORS_RESOURCES" => resources.push(setting),
                _ => credentials.push(setting),
            }
        }
        let extension_reads_config = (!origins.is_empty() || !credentials.is_empty())
            && model.files.iter().any(|file| {
                let mut found = false;
                // Only a module that imports flask-cors can call its `CORS`.
                if !is_test_file(file) && file.imports_module("flask_cors") {
                    walk_all_exprs(file.body(), &mut |e| {
                        found |= e.any(&mut |x| {
                            x.as_call().is_some_and(|c| {
                                file.imports.resolves_to(
                                    &c.func,
                                    &["flask_cors.CORS", "flask_cors.extension.CORS"],
                                ) && passes_no_policy_option(c)
                            })
                        });
                    });
                }
                found
            });
        FlaskCorsConfig {
            origins,
            credentials,
            resources,
            extension_reads_config,
        }
    }

    /// The configuration sets origins or credentials.
    fn sets_policy(&self) -> bool {
        !self.origins.is_empty() || !self.credentials.is_empty()
    }

    /// Whether a configuration allows credentials.
    fn credentials(&self, model: &ProjectModel, apps: &AppModel, app: Option<&ObjectId>) -> bool {
        self.credentials
            .iter()
            .filter(|s| s.applies_to(apps, app))
            .any(|s| {
                let origin = model.resolve_value(s.file, &[], s.value);
                matches!(origin.expr.kind, ExprKind::Bool(true))
            })
    }

    /// The origins of a call that names none: those of the configuration, or flask-cors's
    /// default `*` when no configuration sets any (or sets `None`).
    fn origins(
        &self,
        model: &ProjectModel,
        apps: &AppModel,
        app: Option<&ObjectId>,
        call: &Call,
        policy: &mut CorsPolicy,
    ) {
        let settings: Vec<&CorsSetting> = self
            .origins
            .iter()
            .filter(|s| s.applies_to(apps, app))
            .collect();
        let mut default = settings.is_empty();
        for s in settings {
            let origin = model.resolve_value(s.file, &[], s.value);
            if matches!(origin.expr.kind, ExprKind::NoneLiteral) {
                default = true;
                continue;
            }
            policy.origins_from_config = true;
            collect_origins(model, s.file, &[], s.value, false, policy, 0);
        }
        if default {
            policy.origins.push(Origin {
                text: "*".to_string(),
                span: call.func.span,
                via_default: true,
            });
        }
    }
}

/// The `origins` of the mappings spread into a call (`CORS(app, **{"origins": [...]})`):
/// `Some(None)` when every spread mapping is a dict literal without them, `None` when a mapping
/// cannot be read.
/// An option passed through `**options`: the dict literal's entry, or the value the function
/// gives the key before the call (`options.setdefault("allow_origins", ["*"])`, `options[
/// "allow_origins"] = [...]`; the last one).
fn spread_option<'c>(cx: &'c FileContext, call: &'c Call, key: &str) -> Option<&'c Expr> {
    let spread = call.keywords.iter().find(|k| k.arg.is_none())?;
    let name = spread.value.as_name()?;
    let body = cx.function().map_or(cx.file.body(), |f| &f.body[..]);
    let mut found = None;
    walk_exprs(body, &mut |e| {
        if let Some(c) = e.as_call()
            && let ExprKind::Attribute { value, attr } = &c.func.kind
            && attr == "setdefault"
            && value.as_name() == Some(name)
            && c.args.first().and_then(Expr::as_str) == Some(key)
            && e.span.end <= call.func.span.start
        {
            found = c.args.get(1);
        }
    });
    walk_stmts(body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            span,
            ..
        } = stmt
            && span.end <= call.func.span.start
            && targets.iter().any(|t| {
                matches!(&t.kind, ExprKind::Subscript { value, slice }
                    if value.as_name() == Some(name) && slice.as_str() == Some(key))
            })
        {
            found = Some(value);
        }
    });
    found.or_else(|| cx.resolve_value(&spread.value).expr.dict_value(key))
}

fn spread_origins<'c>(cx: &'c FileContext, call: &'c Call) -> Option<Option<&'c Expr>> {
    let mut found = None;
    for k in call.keywords.iter().filter(|k| k.arg.is_none()) {
        let mapping = cx.resolve_value(&k.value).expr;
        // `**(options or {})`, `**(config["cors"] if ... else {})`: the dict literal is what
        // applies when nothing is configured.
        let mapping = match &mapping.kind {
            ExprKind::Dict(_) => mapping,
            ExprKind::BoolOp {
                op: BoolOp::Or,
                values,
            } => values
                .last()
                .filter(|v| matches!(v.kind, ExprKind::Dict(_)))?,
            ExprKind::IfExp { body, orelse, .. } => [&**body, &**orelse]
                .into_iter()
                .find(|v| matches!(v.kind, ExprKind::Dict(_)))?,
            _ => return None,
        };
        found = mapping.dict_value("origins").or(found);
    }
    Some(found)
}

/// `True`, directly, through a name, or as the default of a settings field.
fn is_true(cx: &FileContext, expr: &Expr) -> bool {
    if crate::helpers::is_enabled(cx, expr) {
        return true;
    }
    if let Some(default) = trait_default(cx, expr) {
        return matches!(default.kind, ExprKind::Bool(true));
    }
    let origin = cx.resolve_value(expr);
    if let Some(name) = origin.expr.as_name()
        && let Some(default) = parameter_default(&origin.scope, name)
    {
        return matches!(default.kind, ExprKind::Bool(true));
    }
    if let Some(default) = option_default(cx.model, origin.file, &origin.scope, origin.expr) {
        return match default {
            ArgDefault::Value(v) => matches!(v.kind, ExprKind::Bool(true)),
            ArgDefault::Flag(on) => on,
        };
    }
    settings_field_default(cx.model, origin.file, &origin.scope, origin.expr)
        .is_some_and(|(_, default)| matches!(default.kind, ExprKind::Bool(true)))
}

fn literal_string(cx: &FileContext, expr: &Expr) -> Option<String> {
    let origin = cx.resolve_value(expr);
    origin.expr.as_str().map(String::from)
}

/// Follows the origins expression of the call in `cx`, then drops a wildcard the code rejects.
fn collect_origins_of_call(cx: &FileContext, expr: &Expr, policy: &mut CorsPolicy) {
    collect_origins(
        cx.model,
        cx.file_index,
        &cx.functions,
        expr,
        false,
        policy,
        0,
    );
    if rejects_wildcard(cx, expr) {
        policy.origins.retain(|o| o.text != "*");
    }
}

/// The code compares the origins variable with `"*"` before use (`if "*" in origins: raise`).
fn rejects_wildcard(cx: &FileContext, expr: &Expr) -> bool {
    let Some(name) = expr.as_name() else {
        return false;
    };
    let body = cx.function().map_or(cx.file.body(), |f| &f.body[..]);
    let mut found = false;
    walk_exprs(body, &mut |e| {
        found |= e.any(&mut |x| compares_with_wildcard(x, Some(name)));
    });
    found
}

/// `x != "*"`, `"*" in x`, `x == "*"`; with `name`, only comparisons that mention it.
fn compares_with_wildcard(expr: &Expr, name: Option<&str>) -> bool {
    let ExprKind::Compare {
        left, comparators, ..
    } = &expr.kind
    else {
        return false;
    };
    let operands: Vec<&Expr> = std::iter::once(left.as_ref())
        .chain(comparators.iter())
        .collect();
    operands.iter().any(|o| o.as_str() == Some("*"))
        && name.is_none_or(|n| {
            operands
                .iter()
                .any(|o| o.any(&mut |x| x.as_name() == Some(n)))
        })
}

/// Follows an origins expression to literal origins, resolving names in the file they are in.
fn collect_origins<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    via_default: bool,
    policy: &mut CorsPolicy,
    depth: u32,
) {
    if depth > 8 {
        policy.origins_unknown = true;
        return;
    }
    let origin = model.resolve_value(file, scope, expr);
    let (file, scope, value) = (origin.file, &origin.scope[..], origin.expr);
    match &value.kind {
        ExprKind::Str(s) => {
            // A comma-separated string read from the environment or a default.
            for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                policy.origins.push(Origin {
                    text: part.to_string(),
                    span: value.span,
                    via_default,
                });
            }
        }
        ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
            for item in items {
                collect_origins(model, file, scope, item, via_default, policy, depth + 1);
            }
        }
        ExprKind::Comprehension { generators, .. } => {
            let before = policy.origins.len();
            for g in generators {
                collect_origins(model, file, scope, &g.iter, via_default, policy, depth + 1);
            }
            // `[o for o in origins if o != "*"]`
            let filtered = generators
                .iter()
                .flat_map(|g| &g.ifs)
                .any(|c| c.any(&mut |x| compares_with_wildcard(x, None)));
            if filtered {
                let mut i = 0;
                policy.origins.retain(|o| {
                    i += 1;
                    i <= before || o.text != "*"
                });
            }
        }
        ExprKind::Call(call) => {
            let callee = model.files[file].imports.resolve(&call.func);
            match callee.as_deref() {
                Some("os.getenv" | "os.environ.get") => match call.argument("default", 1) {
                    Some(default) => {
                        collect_origins(model, file, scope, default, true, policy, depth + 1)
                    }
                    None => policy.origins_unknown = true,
                },
                // flask-cors matches a compiled pattern as a regular expression, whatever
                // it looks like.
                Some("re.compile") if policy.library == CorsLibrary::FlaskCors => {
                    match call.args.first().and_then(|p| {
                        model
                            .resolve_value(file, scope, p)
                            .expr
                            .as_str()
                            .map(String::from)
                    }) {
                        Some(pattern) => policy.regexes.push(pattern),
                        None => policy.origins_unknown = true,
                    }
                }
                // `str(origin)`
                Some("builtins.str") if call.args.len() == 1 => collect_origins(
                    model,
                    file,
                    scope,
                    &call.args[0],
                    via_default,
                    policy,
                    depth + 1,
                ),
                // `env = Config()` then `env("CORS_ORIGINS", cast=..., default="*")`:
                // Starlette's settings reader, whose default applies when nothing is set.
                _ if matches!(call.func.kind, ExprKind::Name(_))
                    && model
                        .instance_class(file, scope, &call.func)
                        .is_some_and(|c| c == "starlette.config.Config") =>
                {
                    match call.argument("default", 2) {
                        Some(default) => {
                            collect_origins(model, file, scope, default, true, policy, depth + 1)
                        }
                        None => policy.origins_unknown = true,
                    }
                }
                // `config.get("cors_allowed_origins", "*")` on a mapping whose contents the
                // code does not show (a parameter, a loaded configuration): its default is
                // what applies when nothing is configured, like an environment fallback. A
                // mapping the code writes itself, and a `configparser` parser (whose `get`
                // takes a section and an option), are not read so.
                _ if is_mapping_get_with_default(model, file, scope, call) => {
                    collect_origins(model, file, scope, &call.args[1], true, policy, depth + 1)
                }
                _ => match &call.func.kind {
                    // `os.getenv("ORIGINS", "*").split(",")`, `value.strip()`
                    ExprKind::Attribute {
                        value: receiver,
                        attr,
                    } if matches!(attr.as_str(), "split" | "strip") => {
                        // `ORIGINS = ORIGINS.split(",")`: the receiver is what the name held
                        // before this assignment.
                        let receiver = match receiver.as_name() {
                            Some(name)
                                if std::ptr::eq(
                                    model.resolve_value(file, scope, receiver).expr,
                                    value,
                                ) =>
                            {
                                let body = scope
                                    .last()
                                    .map_or(model.files[file].body(), |f| &f.body[..]);
                                match assignment_before(body, name, value.span.start) {
                                    Some(earlier) => earlier,
                                    None => {
                                        policy.origins_unknown = true;
                                        return;
                                    }
                                }
                            }
                            _ => receiver,
                        };
                        collect_origins(
                            model,
                            file,
                            scope,
                            receiver,
                            via_default,
                            policy,
                            depth + 1,
                        )
                    }
                    _ => policy.origins_unknown = true,
                },
            }
        }
        ExprKind::Attribute { .. } => match settings_field_default(model, file, scope, value) {
            Some((def_file, default)) => {
                collect_origins(model, def_file, &[], default, true, policy, depth + 1)
            }
            None => match option_default(model, file, scope, value) {
                Some(ArgDefault::Value(default)) => {
                    collect_origins(model, file, &[], default, true, policy, depth + 1)
                }
                _ => policy.origins_unknown = true,
            },
        },
        // `def serve(allow_origins: list[str] = ["*"])`: what applies when the caller passes
        // nothing.
        ExprKind::Name(name) => {
            if let Some(default) = parameter_default(scope, name) {
                collect_origins(model, file, scope, default, true, policy, depth + 1);
                return;
            }
            // `if ENABLE_CORS: origins = ALLOWED.split(","); add_cors(app, origins)`: a name
            // bound in a module-level block, or a parameter of a helper given the origins by
            // its callers at module level.
            let values: Vec<&'a Expr> = if scope.is_empty() {
                module_block_value(model, file, name).into_iter().collect()
            } else {
                module_call_arguments(model, file, scope, name)
            };
            if values.is_empty() {
                policy.origins_unknown = true;
            }
            for value in values {
                collect_origins(model, file, &[], value, via_default, policy, depth + 1);
            }
        }
        _ => policy.origins_unknown = true,
    }
}

/// `mapping.get("key", default)` on a mapping of unknown contents: not a dict the code
/// writes itself and not a `configparser` parser.
pub(crate) fn is_mapping_get_with_default(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    call: &Call,
) -> bool {
    let Some((mapping, _, _)) = literal_key_get(call) else {
        return false;
    };
    !matches!(
        model.resolve_value(file, scope, mapping).expr.kind,
        ExprKind::Dict(_)
    ) && !is_config_parser(model, file, scope, mapping)
}

/// The value of the last `name = value` in `body` (also in blocks, not in nested functions or
/// classes) that ends before `position`.
fn assignment_before<'a>(body: &'a [Stmt], name: &str, position: u32) -> Option<&'a Expr> {
    let mut found = None;
    walk_stmts(body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            span,
            ..
        } = stmt
            && span.end <= position
            && targets.iter().any(|t| t.as_name() == Some(name))
        {
            found = Some(value);
        }
    });
    found
}

/// The arguments that calls of the innermost function of `scope` made at module level (also in
/// module-level blocks) pass for its parameter `name`.
fn module_call_arguments<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    name: &str,
) -> Vec<&'a Expr> {
    let Some(function) = scope.last() else {
        return Vec::new();
    };
    let Some(position) = function.params.iter().position(|p| p.name == name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Module-level statements and blocks; `walk_stmts` does not enter functions or classes, and
    // their own statements hold no expressions of the module's.
    walk_stmts(model.files[file].body(), &mut |stmt| {
        stmt.for_each_own_expr(&mut |e| {
            e.any(&mut |x| {
                if let Some(call) = x.as_call()
                    && call.func.as_name() == Some(function.name.as_str())
                    && let Some(arg) = call.argument(name, position)
                {
                    out.push(arg);
                }
                false
            });
        });
    });
    out
}

fn looks_like_regex(origin: &str) -> bool {
    origin
        .chars()
        .any(|c| matches!(c, '*' | '\\' | ']' | '?' | '$' | '^' | '[' | '(' | ')'))
        && origin != "*"
}

/// `.*`, `^.*$`, `https?://.*` and the like.
pub fn matches_everything(regex: &str) -> bool {
    let r = regex.trim_start_matches('^').trim_end_matches('$');
    matches!(
        r,
        ".*" | ".+"
            | "(.*)"
            | "https?://.*"
            | "https?://.+"
            | "http.*"
            | "https://.*"
            | "https://.+"
            | "http://.*"
            | "(https?://)?.*"
    )
}

/// Problems of an origin pattern: an unescaped dot in the host, a wildcard directly before a
/// domain label, a missing end anchor (flask-cors matches from the start only).
pub fn pattern_problems(regex: &str, library: CorsLibrary) -> Vec<String> {
    let mut problems = Vec::new();
    if matches_everything(regex) {
        return problems;
    }
    let bytes = regex.as_bytes();
    let host_start = regex.find("://").map_or(0, |i| i + 3);
    for i in host_start..bytes.len() {
        if bytes[i] != b'.' || i > 0 && bytes[i - 1] == b'\\' {
            continue;
        }
        let next = bytes.get(i + 1).copied();
        match next {
            Some(b'*' | b'+')
                // `.*` followed directly by a label: `.*example.com` admits `evilexample.com`.
                if bytes.get(i + 2).is_some_and(|c| c.is_ascii_alphanumeric()) => {
                    problems.push(format!("`{}` lets any prefix run into the domain name (e.g. attacker-registered `evil{}`)", &regex[i..(i + 2)], &regex[i + 2..].trim_end_matches('$')));
                }
            Some(c) if c.is_ascii_alphanumeric() && i > host_start => {
                problems.push(
                    "an unescaped `.` matches any character, so look-alike domains match"
                        .to_string(),
                );
            }
            _ => {}
        }
    }
    if library == CorsLibrary::FlaskCors && !regex.ends_with('$') && regex.contains("://") {
        problems.push(
            "without a `$` anchor, `https://example.com.attacker.net` matches too".to_string(),
        );
    }
    problems.dedup();
    problems
}

/// Whether `key` is the header name `Access-Control-Allow-Origin`: a literal, or a module
/// constant holding it (defined here or imported, `headers[ALLOW_ORIGIN]`). Local names are not
/// followed: a header written through a loop variable is not a policy the code fixes.
fn is_allow_origin_key(cx: &FileContext, key: &Expr) -> bool {
    const HEADER: &str = "access-control-allow-origin";
    if let Some(k) = key.as_str() {
        return k.eq_ignore_ascii_case(HEADER);
    }
    // A raw ASGI header pair names it in bytes: `(b"access-control-allow-origin", value)`.
    if let ExprKind::Bytes(k) = &key.kind {
        return k.eq_ignore_ascii_case(HEADER.as_bytes());
    }
    let root = match &key.kind {
        ExprKind::Name(n) => n.as_str(),
        ExprKind::Attribute { value, .. } => match value.as_name() {
            Some(n) => n,
            None => return false,
        },
        _ => return false,
    };
    let constant = cx.file.imports.get(root).is_some()
        || (matches!(key.kind, ExprKind::Name(_))
            && cx.file.top_level(root).is_some()
            && !cx.functions.iter().any(|f| f.assigned.may_contain(root)));
    constant
        && crate::helpers::resolve_value_in_blocks(cx.model, cx.file_index, &[], key)
            .expr
            .as_str()
            .is_some_and(|k| k.eq_ignore_ascii_case(HEADER))
}

/// The values `Access-Control-Allow-Origin` is given in the entries of a header dict literal,
/// in a raw header list (`[(b"access-control-allow-origin", b"*"), ...]`, also joined with
/// `+`), and in the header list of an ASGI `http.response.start` message literal. Asked of
/// every argument of every call: one pass over a dict.
fn allow_origin_entries<'e>(cx: &FileContext, headers: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &headers.kind {
        ExprKind::Dict(entries) => {
            let mut response_start = false;
            let mut list = None;
            for e in entries {
                let Some(key) = &e.key else { continue };
                match key.as_str() {
                    Some("type") => {
                        response_start = e.value.as_str() == Some("http.response.start")
                    }
                    Some("headers") => list = Some(&e.value),
                    _ => {}
                }
                if is_allow_origin_key(cx, key) {
                    out.push(&e.value);
                }
            }
            if response_start && let Some(list) = list {
                allow_origin_entries(cx, list, out);
            }
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            out.extend(items.iter().filter_map(allow_origin_pair));
        }
        ExprKind::BinOp { left, right, .. } => {
            allow_origin_entries(cx, left, out);
            allow_origin_entries(cx, right, out);
        }
        _ => {}
    }
}

/// The value of a raw header pair `(name, value)` whose name is the literal
/// `Access-Control-Allow-Origin` (text or bytes, any case; raw header lists spell it out).
fn allow_origin_pair(pair: &Expr) -> Option<&Expr> {
    const HEADER: &[u8] = b"access-control-allow-origin";
    let ExprKind::Tuple(kv) = &pair.kind else {
        return None;
    };
    let [name, value] = kv.as_slice() else {
        return None;
    };
    let is_header = match &name.kind {
        ExprKind::Str(s) => s.as_bytes().eq_ignore_ascii_case(HEADER),
        ExprKind::Bytes(b) => b.eq_ignore_ascii_case(HEADER),
        _ => false,
    };
    is_header.then_some(value)
}

/// The `"headers"` of an ASGI response-start message literal: `{"type":
/// "http.response.start", "status": 200, "headers": [...]}`.
fn asgi_start_headers(message: &Expr) -> Option<&Expr> {
    let ExprKind::Dict(entries) = &message.kind else {
        return None;
    };
    let entry = |key: &str| {
        entries
            .iter()
            .find(|e| e.key.as_ref().and_then(Expr::as_str) == Some(key))
            .map(|e| &e.value)
    };
    (entry("type")?.as_str() == Some("http.response.start"))
        .then(|| entry("headers"))
        .flatten()
}

/// The `Access-Control-Allow-Origin` values of the ASGI response-start messages a call is
/// given (`await send({"type": "http.response.start", "headers": [...]})`) or a statement binds
/// to a name. Such a message is a response whatever the module imports (a pure ASGI
/// application needs no framework).
pub fn allow_origin_in_asgi_start<'e>(
    cx: &FileContext,
    exprs: impl Iterator<Item = &'e Expr>,
) -> Vec<&'e Expr> {
    let mut out = Vec::new();
    for e in exprs {
        if let Some(list) = asgi_start_headers(e) {
            allow_origin_entries(cx, list, &mut out);
        }
    }
    out
}

/// The values a statement sets the `Access-Control-Allow-Origin` response header to by hand:
/// `response.headers["Access-Control-Allow-Origin"] = value`, a header dict bound to a name
/// (`headers = {"Access-Control-Allow-Origin": value}`, then passed to a response) and the
/// headers of a Flask `return body, status, {...}` tuple. Calls are read by
/// [`allow_origin_set_by_call`].
pub fn allow_origin_set_by_stmt<'s>(cx: &FileContext, stmt: &'s Stmt) -> Vec<&'s Expr> {
    let mut out = Vec::new();
    match stmt {
        Stmt::Return {
            value: Some(value), ..
        } => {
            if let ExprKind::Tuple(items) = &value.kind
                && let Some(last) = items.last()
            {
                allow_origin_entries(cx, last, &mut out);
            }
        }
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } => {
            for t in targets {
                match &t.kind {
                    ExprKind::Subscript { slice, .. } if is_allow_origin_key(cx, slice) => {
                        out.push(value)
                    }
                    // `message["headers"] = [..., (b"access-control-allow-origin", b"*")]`.
                    ExprKind::Subscript { slice, .. } if slice.as_str() == Some("headers") => {
                        allow_origin_entries(cx, value, &mut out)
                    }
                    ExprKind::Name(_) => allow_origin_entries(cx, value, &mut out),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// The values a call sets the `Access-Control-Allow-Origin` response header to by hand:
/// `headers.set/add/setdefault("Access-Control-Allow-Origin", value)`, and header dicts passed
/// as arguments (`JSONResponse(body, headers={...})`, `headers.update({...})`).
pub fn allow_origin_set_by_call<'c>(cx: &FileContext, call: &'c Call) -> Vec<&'c Expr> {
    let mut out = Vec::new();
    let method = call.func.last_name();
    // Starlette's `MutableHeaders.append(key, value)` too.
    if matches!(
        method,
        Some("set" | "add" | "setdefault" | "__setitem__" | "append")
    ) && let (Some(k), Some(v)) = (call.args.first(), call.args.get(1))
        && is_allow_origin_key(cx, k)
    {
        out.push(v);
        return out;
    }
    // One raw header pair added to a header list: `message["headers"].append((b"access-control-
    // allow-origin", b"*"))`, `headers.insert(0, (...))`.
    if matches!(method, Some("append" | "insert"))
        && let Some(value) = call.args.last().and_then(allow_origin_pair)
    {
        out.push(value);
        return out;
    }
    for arg in call.argument_values() {
        allow_origin_entries(cx, arg, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches_everything(".*"));
        assert!(matches_everything("^https?://.*$"));
        assert!(!pattern_problems(r"https://.*example.com", CorsLibrary::Starlette).is_empty());
        assert!(!pattern_problems(r"https://app.example.com", CorsLibrary::Starlette).is_empty());
        assert!(
            pattern_problems(r"https://([a-z]+\.)?example\.com", CorsLibrary::Starlette).is_empty()
        );
        assert!(!pattern_problems(r"https://example\.com", CorsLibrary::FlaskCors).is_empty());
        assert!(pattern_problems(r"https://example\.com$", CorsLibrary::FlaskCors).is_empty());
    }
}
