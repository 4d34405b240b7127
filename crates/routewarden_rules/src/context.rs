use crate::settings::RuleSettings;
use routewarden_model::config::ConfigModel;
use routewarden_model::security::AttackSurface;
use routewarden_model::{ProjectModel, SourceModule, ValueOrigin};
use routewarden_python::ast::{Class, Expr, ExprKind, Function, Span, Stmt};
use rustc_hash::FxHashSet as HashSet;
use std::borrow::Cow;

/// A memo by `(file, start)` of a project class definition (or of the assignment that makes
/// one): whether some handler or `except` clause sends its fields to the client.
pub(crate) type SentExceptions = std::sync::Mutex<rustc_hash::FxHashMap<(usize, u32), bool>>;

/// What a per-file hook knows: the project, the file, and where in the file it is.
pub struct FileContext<'a> {
    pub model: &'a ProjectModel,
    pub settings: &'a RuleSettings,
    pub surface: &'a AttackSurface<'a>,
    pub config: &'a ConfigModel<'a>,
    /// Route handlers of the project as `(file, function start)`.
    pub handlers: &'a HashSet<(usize, u32)>,
    pub file_index: usize,
    pub file: &'a SourceModule,
    /// Enclosing functions, outermost first.
    pub functions: Vec<&'a Function>,
    /// Enclosing classes, outermost first.
    pub classes: Vec<&'a Class>,
    /// The callee of the call whose `on_call` hooks are running, resolved once for all of
    /// them: its span, and whether it resolved to [`FileContext::callee_name`].
    pub(crate) callee: Option<(Span, bool)>,
    /// The qualified name of the callee; one buffer for every call of the file.
    pub(crate) callee_name: String,
    /// The flask-cors options of the app configuration, built when a rule first asks.
    pub(crate) flask_cors_config: &'a std::sync::OnceLock<crate::cors_policy::FlaskCorsConfig<'a>>,
    /// The project's subclasses of Starlette's `CORSMiddleware`, found when a rule first asks.
    pub(crate) cors_subclasses: &'a std::sync::OnceLock<crate::cors_policy::CorsSubclasses>,
    /// Whether the project uses cookies or remembered HTTP authentication, found when a rule
    /// first asks.
    pub(crate) ambient_credentials: &'a std::sync::OnceLock<bool>,
    /// The literals the application refuses to start with, built when a rule first asks.
    pub(crate) startup_refusals: &'a std::sync::OnceLock<rustc_hash::FxHashSet<String>>,
    pub(crate) handler_answer_calls:
        &'a std::sync::OnceLock<rustc_hash::FxHashMap<String, Vec<usize>>>,
    /// Whether the project sends what a project exception class carries to the client, by
    /// class definition, filled in as ERR001 asks.
    pub(crate) sent_exceptions: &'a SentExceptions,
    /// Whether every construction of a project exception class in the project gives it
    /// literal text, by class definition, filled in as ERR001 asks.
    pub(crate) literal_exceptions: &'a SentExceptions,
    /// Whether the file is test code by its path (see [`crate::credentials::is_test_module`]),
    /// asked of every comparison.
    pub(crate) test_module: bool,
    /// Whether the file imports a web framework (FastAPI, Starlette, Flask, Quart, werkzeug):
    /// only such a file can name their exceptions or `abort` through its imports. Decided once
    /// per file; asked of every function.
    pub imports_web_framework: bool,
    /// Whether the file's imports could name Starlette's or flask-cors's CORS classes, asked
    /// by the CORS rules of every call.
    pub(crate) may_name_cors: bool,
}

impl<'a> FileContext<'a> {
    /// The qualified name of an imported name or attribute chain (`fastapi.FastAPI`).
    pub fn resolve(&self, expr: &Expr) -> Option<Cow<'_, str>> {
        // Two name or attribute chains with the same span in one file are the same text.
        if let Some((span, resolved)) = self.callee
            && span == expr.span
            && matches!(expr.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
        {
            return resolved.then_some(Cow::Borrowed(self.callee_name.as_str()));
        }
        self.file.imports.resolve(expr).map(Cow::Owned)
    }

    /// True when `expr` resolves to one of `names`.
    pub fn resolves_to(&self, expr: &Expr, names: &[&str]) -> bool {
        if let Some((span, resolved)) = self.callee
            && span == expr.span
            && matches!(expr.kind, ExprKind::Name(_) | ExprKind::Attribute { .. })
        {
            return resolved && names.contains(&self.callee_name.as_str());
        }
        self.file.imports.resolves_to(expr, names)
    }

    /// The class `expr` is an instance of, followed through assignments and factories.
    pub fn instance_class(&self, expr: &Expr) -> Option<String> {
        self.model
            .instance_class(self.file_index, &self.functions, expr)
    }

    /// The value `expr` holds after following names to their assignments.
    pub fn resolve_value<'e>(&'e self, expr: &'e Expr) -> ValueOrigin<'e> {
        self.model
            .resolve_value(self.file_index, &self.functions, expr)
    }

    /// The flask-cors options the app configuration sets (`CORS_ORIGINS`, ...).
    pub fn flask_cors_config(&self) -> &crate::cors_policy::FlaskCorsConfig<'a> {
        self.flask_cors_config.get_or_init(|| {
            crate::cors_policy::FlaskCorsConfig::build(self.model, self.config, &self.surface.apps)
        })
    }

    /// The project's subclasses of Starlette's `CORSMiddleware`.
    pub fn cors_subclasses(&self) -> &'a crate::cors_policy::CorsSubclasses {
        self.cors_subclasses
            .get_or_init(|| crate::cors_policy::CorsSubclasses::build(self.model))
    }

    /// Whether the project sets or reads cookies, keeps sessions or asks for remembered HTTP
    /// authentication (see [`crate::ambient_credentials`]).
    pub fn uses_ambient_credentials(&self) -> bool {
        *self
            .ambient_credentials
            .get_or_init(|| crate::ambient_credentials::uses_ambient_credentials(self))
    }

    /// Whether the application refuses to start with this literal (`if app.config["SECRET_KEY"]
    /// == "CHANGE ME": sys.exit(1)` anywhere in the project).
    pub fn refused_at_startup(&self, text: &str) -> bool {
        self.startup_refusals
            .get_or_init(|| crate::rules::secret::startup_refusals(self.model))
            .contains(text)
    }

    /// The routes (indices into `surface.apps.routes`) whose handler assigns or returns the
    /// result of a call named `name`: `return name(...)`, `x = await obj.name(...)`, also as
    /// the one argument of `jsonable_encoder`, `dict` or `dumps`. Built once, so that asking
    /// which handlers answer with what a helper returns does not walk every handler for every
    /// helper. By name only: the caller resolves the call.
    pub fn routes_answering_with(&self, name: &str) -> &'a [usize] {
        let surface = self.surface;
        self.handler_answer_calls
            .get_or_init(|| {
                let mut index: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
                for (i, route) in surface.apps.routes.iter().enumerate() {
                    let mut seen: rustc_hash::FxHashSet<&str> = Default::default();
                    routewarden_model::security::walk_stmts(&route.handler.body, &mut |stmt| {
                        let (Stmt::Assign {
                            value: Some(value), ..
                        }
                        | Stmt::Return {
                            value: Some(value), ..
                        }) = stmt
                        else {
                            return;
                        };
                        let mut value = value;
                        while let Some(call) = value.as_call() {
                            let last = call.func.last_name();
                            if let Some(n) = last {
                                seen.insert(n);
                            }
                            match call.args.as_slice() {
                                [arg]
                                    if call.keywords.is_empty()
                                        && matches!(
                                            last,
                                            Some("jsonable_encoder" | "dict" | "dumps")
                                        ) =>
                                {
                                    value = arg;
                                }
                                _ => break,
                            }
                        }
                        if let ExprKind::Await(inner) = &value.kind
                            && let Some(n) = inner.as_call().and_then(|c| c.func.last_name())
                        {
                            seen.insert(n);
                        }
                    });
                    for n in seen {
                        index.entry(n.to_string()).or_default().push(i);
                    }
                }
                index
            })
            .get(name)
            .map_or(&[], Vec::as_slice)
    }

    /// The innermost enclosing function that is a route handler.
    pub fn route_handler(&self) -> Option<&'a Function> {
        self.functions
            .iter()
            .rev()
            .find(|f| self.handlers.contains(&(self.file_index, f.span.start)))
            .copied()
    }

    /// The context of another place of the project: in `functions` (outermost first) of the
    /// classes `classes` of `file`, for asking what a value there holds.
    pub fn elsewhere(
        &self,
        file: usize,
        functions: Vec<&'a Function>,
        classes: Vec<&'a Class>,
    ) -> FileContext<'a> {
        let source = &self.model.files[file];
        FileContext {
            model: self.model,
            settings: self.settings,
            surface: self.surface,
            config: self.config,
            handlers: self.handlers,
            file_index: file,
            file: source,
            functions,
            classes,
            callee: None,
            callee_name: String::new(),
            flask_cors_config: self.flask_cors_config,
            cors_subclasses: self.cors_subclasses,
            ambient_credentials: self.ambient_credentials,
            startup_refusals: self.startup_refusals,
            handler_answer_calls: self.handler_answer_calls,
            sent_exceptions: self.sent_exceptions,
            literal_exceptions: self.literal_exceptions,
            test_module: crate::credentials::names_test_module(source),
            imports_web_framework: imports_web_framework(source),
            may_name_cors: crate::cors_policy::may_name_cors(source),
        }
    }

    /// The innermost enclosing function.
    pub fn function(&self) -> Option<&'a Function> {
        self.functions.last().copied()
    }

    /// True when the hook runs directly in a class body (not in one of its methods).
    pub fn in_class_body(&self) -> Option<&'a Class> {
        let class = *self.classes.last()?;
        let inside_method = self
            .functions
            .last()
            .is_some_and(|f| f.span.start >= class.span.start && f.span.end <= class.span.end);
        (!inside_method).then_some(class)
    }
}

/// Whether the file imports a web framework (FastAPI, Starlette, Flask, Quart, werkzeug).
pub(crate) fn imports_web_framework(file: &SourceModule) -> bool {
    ["fastapi", "starlette", "flask", "quart", "werkzeug"]
        .iter()
        .any(|m| file.imports_module(m))
}
