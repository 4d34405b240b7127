//! Flask-style configuration: which classes and modules `app.config.from_object(...)` (and
//! `from_pyfile`) load, and the value each configuration key takes in the configurations that
//! production may use, through inheritance.

use crate::project::ProjectModel;
use crate::values::{Scope, local_assignment, parameter_default};
use rayon::prelude::*;
use routewarden_python::ast::{Class, Expr, ExprKind, Function, Span, Stmt};
use routewarden_python::names::Imports;
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeSet;

/// A configuration class or module loaded into an application.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfigTarget {
    /// `(file, class start)`.
    Class(usize, u32),
    /// A module loaded as a whole: its top-level upper-case names.
    Module(usize),
}

/// How an application loads configuration from outside the code (`from_envvar`, ...).
#[derive(Clone, Debug)]
pub struct ConfigLoad {
    pub file: usize,
    pub span: Span,
    pub method: String,
    pub targets: Vec<ConfigTarget>,
    /// `from_object(config)` of a parameter: `targets` is what its default loads, and callers
    /// may pass something else.
    pub overridable: bool,
}

/// A configuration key's value in a class or module that production may load.
#[derive(Clone, Debug)]
pub struct ConfigValue<'a> {
    /// The file of the assignment.
    pub file: usize,
    /// The assignment statement.
    pub span: Span,
    pub value: &'a Expr,
    /// The class (or module) the assignment is written in.
    pub defined_in: String,
    /// The production class that inherits it (the same as `defined_in` when not inherited).
    pub used_by: String,
}

pub struct ConfigModel<'a> {
    model: &'a ProjectModel,
    pub loads: Vec<ConfigLoad>,
    /// Classes and modules loaded with `from_object`/`from_pyfile`.
    pub loaded: BTreeSet<ConfigTarget>,
    /// Project classes that look like configuration: named `*Config`/`*Settings`/`*Configuration`
    /// (pydantic settings excluded), loaded, or deriving from one of those.
    config_classes: Vec<(usize, &'a Class)>,
}

/// Class and module names that mark development, testing or local configuration.
pub fn is_non_production_name(name: &str) -> bool {
    any_identifier_word(name, |w| {
        matches!(
            w,
            "dev"
                | "devel"
                | "develop"
                | "development"
                | "test"
                | "tests"
                | "testing"
                | "unittest"
                | "conftest"
                | "local"
                | "debug"
                | "ci"
                | "example"
                | "examples"
                | "sample"
                | "demo"
                | "mock"
                | "fake"
        )
    })
}

/// The lower-case words of an identifier: `DevelopmentConfig` and `dev_config` both give
/// `["development", "config"]`-style lists.
pub fn identifier_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_word(name, |w| {
        words.push(w.to_string());
        false
    });
    words
}

/// A word that turns a switch's name round: `NO_DEBUG`, `disable_dev`, `skip_auth`.
pub fn is_negating_word(word: &str) -> bool {
    matches!(
        word,
        "no" | "not" | "non" | "disable" | "disabled" | "without" | "skip"
    )
}

/// Whether any word of `name` (as [`identifier_words`] splits it) satisfies `pred`, without
/// allocating: names are split millions of times on a large project.
pub fn any_identifier_word(name: &str, pred: impl FnMut(&str) -> bool) -> bool {
    for_each_word(name, pred)
}

/// Calls `f` with each lowercased word of `name` until it returns true. Words longer than the
/// buffer are passed whole, lowercased into a fresh string.
fn for_each_word(name: &str, mut f: impl FnMut(&str) -> bool) -> bool {
    let bytes = name.as_bytes();
    let mut buf = [0u8; 48];
    let mut emit = |start: usize, end: usize| -> bool {
        let word = &bytes[start..end];
        if !word.iter().any(u8::is_ascii_uppercase) {
            // Word boundaries fall on ASCII bytes, so the slice is whole characters.
            return f(&name[start..end]);
        }
        if word.len() <= buf.len() {
            let out = &mut buf[..word.len()];
            out.copy_from_slice(word);
            out.make_ascii_lowercase();
            // Only ASCII letters and digits make a word.
            f(std::str::from_utf8(out).unwrap_or_default())
        } else {
            f(&String::from_utf8_lossy(word).to_ascii_lowercase())
        }
    };
    let mut start: Option<usize> = None;
    let mut prev_lower = false;
    for (i, &b) in bytes.iter().enumerate() {
        // Bytes of non-ASCII characters are never ASCII alphanumeric: they separate words,
        // as the characters themselves do.
        if !b.is_ascii_alphanumeric() {
            if let Some(s) = start.take()
                && emit(s, i)
            {
                return true;
            }
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase()
            && prev_lower
            && let Some(s) = start.take()
            && emit(s, i)
        {
            return true;
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        start.get_or_insert(i);
    }
    start.is_some_and(|s| emit(s, bytes.len()))
}

fn is_config_name(name: &str) -> bool {
    any_identifier_word(name, |w| {
        matches!(w, "config" | "configuration" | "settings" | "conf")
    })
}

const LOADERS: &[&str] = &[
    "from_object",
    "from_pyfile",
    "from_envvar",
    "from_prefixed_env",
    "from_file",
    "from_mapping",
];

impl<'a> ConfigModel<'a> {
    pub fn build(model: &'a ProjectModel) -> Self {
        let per_file: Vec<Vec<ConfigLoad>> = model.files.par_iter().enumerate().map(|(file, module)| {
            let mut loads = Vec::new();
            // Every load is a method call: most modules call none of the loaders.
            if !LOADERS.iter().any(|l| module.parsed.attributes.may_contain(l)) {
                return loads;
            }
            let config_objects = flask_config_objects(module.body(), &module.imports);
            // Methods too: a configuration helper class often does the loading. The enclosing
            // functions are kept so a parameter can be followed to its default.
            walk_scoped(module.body(), &mut Vec::new(), &mut |e, scope| {
                e.any(&mut |x| {
                    if let ExprKind::Call(call) = &x.kind
                        && let ExprKind::Attribute { value, attr } = &call.func.kind {
                            let on_config = matches!(&value.kind, ExprKind::Attribute { attr, .. } if attr == "config")
                                || value.as_name().is_some_and(|n| config_objects.contains(&n));
                            if on_config && LOADERS.contains(&attr.as_str()) {
                                let first = call.args.first();
                                let targets = match attr.as_str() {
                                    "from_object" => first
                                        .map(|a| targets_of(model, file, scope, a))
                                        .unwrap_or_default(),
                                    "from_pyfile" => first
                                        .map(|a| pyfile_targets(model, file, scope, a))
                                        .unwrap_or_default(),
                                    _ => Vec::new(),
                                };
                                let overridable = attr == "from_object"
                                    && first
                                        .and_then(Expr::as_name)
                                        .is_some_and(|n| declaring_function(scope, n).is_some());
                                loads.push(ConfigLoad {
                                    file,
                                    span: x.span,
                                    method: attr.to_string(),
                                    targets,
                                    overridable,
                                });
                            }
                        }
                    false
                });
            });
            loads
        }).collect();
        let loads: Vec<ConfigLoad> = per_file.into_iter().flatten().collect();
        let loaded: BTreeSet<ConfigTarget> = loads
            .iter()
            .flat_map(|l| l.targets.iter().cloned())
            .collect();
        let mut config = ConfigModel {
            model,
            loads,
            loaded,
            config_classes: Vec::new(),
        };
        config.config_classes = config.find_config_classes();
        config
    }

    fn find_config_classes(&self) -> Vec<(usize, &'a Class)> {
        let mut all: Vec<(usize, &'a Class)> = Vec::new();
        for (file, module) in self.model.files.iter().enumerate() {
            for stmt in module.body() {
                if let Stmt::ClassDef(class) = stmt {
                    all.push((file, class));
                }
            }
        }
        let mut chosen: HashSet<(usize, u32)> = all
            .iter()
            .filter(|(f, c)| {
                self.loaded.contains(&ConfigTarget::Class(*f, c.span.start))
                    || is_config_name(&c.name) && !self.is_pydantic_or_framework(*f, c)
            })
            .map(|(f, c)| (*f, c.span.start))
            .collect();
        // Subclasses of configuration classes are configuration too.
        loop {
            let before = chosen.len();
            for (f, c) in &all {
                if chosen.contains(&(*f, c.span.start)) {
                    continue;
                }
                if self
                    .bases(*f, c)
                    .iter()
                    .any(|(bf, b)| chosen.contains(&(*bf, b.span.start)))
                {
                    chosen.insert((*f, c.span.start));
                }
            }
            if chosen.len() == before {
                break;
            }
        }
        all.into_iter()
            .filter(|(f, c)| chosen.contains(&(*f, c.span.start)))
            .collect()
    }

    /// Classes deriving from something outside the project that is not `object`: pydantic
    /// settings, ORM models, framework classes. Their attributes are not Flask configuration.
    fn is_pydantic_or_framework(&self, file: usize, class: &Class) -> bool {
        class
            .bases
            .iter()
            .any(|b| match self.model.resolve_definition(file, b) {
                Some((_, None, Some(q))) => q != "builtins.object" && q != "object",
                _ => false,
            })
    }

    /// The project base classes of a class, in order.
    pub fn bases(&self, file: usize, class: &Class) -> Vec<(usize, &'a Class)> {
        class
            .bases
            .iter()
            .filter_map(|b| match self.model.resolve_definition(file, b) {
                Some((f, Some(Stmt::ClassDef(c)), _)) if c.name != class.name || f != file => {
                    Some((f, c.as_ref()))
                }
                _ => None,
            })
            .collect()
    }

    /// Configuration classes production may load: loaded by `from_object` or, when the loading
    /// cannot be followed, every configuration class; never those named for development or
    /// testing or declared in test modules, nor bases other configuration classes extend
    /// (unless loaded themselves).
    pub fn production_classes(&self) -> Vec<(usize, &'a Class)> {
        let extended: HashSet<(usize, u32)> = self
            .config_classes
            .iter()
            .flat_map(|(f, c)| self.bases(*f, c))
            .map(|(f, c)| (f, c.span.start))
            .collect();
        self.config_classes
            .iter()
            .copied()
            .filter(|(f, c)| {
                let loaded = self.loaded.contains(&ConfigTarget::Class(*f, c.span.start));
                // A class in a test module configures the tests, whatever its name.
                !is_non_production_name(&c.name)
                    && !self.model.files[*f].is_test()
                    && (loaded || !extended.contains(&(*f, c.span.start)))
            })
            .collect()
    }

    pub fn is_config_class(&self, file: usize, class: &Class) -> bool {
        self.config_classes
            .iter()
            .any(|(f, c)| *f == file && c.span.start == class.span.start)
    }

    /// The value `key` takes in each production configuration (class, through its bases, or a
    /// loaded module), one entry per assignment, with the first class that uses it.
    pub fn production_values(&self, key: &str) -> Vec<ConfigValue<'a>> {
        let mut out: Vec<ConfigValue<'a>> = Vec::new();
        let mut seen = HashSet::default();
        for (file, class) in self.production_classes() {
            if let Some((def_file, def_class, span, value)) = self.lookup(file, class, key, 0)
                && seen.insert((def_file, span))
            {
                out.push(ConfigValue {
                    file: def_file,
                    span,
                    value,
                    defined_in: def_class.name.to_string(),
                    used_by: class.name.to_string(),
                });
            }
        }
        for target in &self.loaded {
            let ConfigTarget::Module(m) = target else {
                continue;
            };
            let module = &self.model.files[*m];
            if is_non_production_name(module.module_name.rsplit('.').next().unwrap_or("")) {
                continue;
            }
            if let Some(Stmt::Assign {
                value: Some(value),
                span,
                ..
            }) = module.top_level(key)
                && seen.insert((*m, *span))
            {
                out.push(ConfigValue {
                    file: *m,
                    span: *span,
                    value,
                    defined_in: module.module_name.clone(),
                    used_by: module.module_name.clone(),
                });
            }
        }
        out
    }

    /// `key` in a class body or, failing that, its bases in order.
    fn lookup(
        &self,
        file: usize,
        class: &'a Class,
        key: &str,
        depth: u32,
    ) -> Option<(usize, &'a Class, Span, &'a Expr)> {
        if depth > 12 {
            return None;
        }
        for stmt in class.body.iter().rev() {
            if let Stmt::Assign {
                targets,
                value: Some(value),
                span,
                ..
            } = stmt
                && targets.iter().any(|t| t.as_name() == Some(key))
            {
                return Some((file, class, *span, value));
            }
        }
        self.bases(file, class)
            .into_iter()
            .find_map(|(f, base)| self.lookup(f, base, key, depth + 1))
    }

    /// Whether any application loads configuration from outside the code: `from_envvar`,
    /// `from_pyfile`, `from_prefixed_env`, `from_file`, or `from_object` of something that
    /// could not be followed or of a parameter a caller may set.
    pub fn loads_external_config(&self) -> bool {
        self.loads.iter().any(|l| match l.method.as_str() {
            "from_object" => l.targets.is_empty() || l.overridable,
            "from_mapping" => false,
            _ => true,
        })
    }
}

/// Names bound to a `flask.Config(...)` anywhere in a body: a configuration built apart and
/// then copied into the app (`config = Config(root); config.from_object(...);
/// app.config.update(config)`).
fn flask_config_objects<'e>(body: &'e [Stmt], imports: &Imports) -> Vec<&'e str> {
    let mut names = Vec::new();
    for stmt in body {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && let [target] = &targets[..]
            && let Some(name) = target.as_name()
            && let ExprKind::Call(call) = &value.kind
            && imports.resolves_to(&call.func, &["flask.Config", "flask.config.Config"])
        {
            names.push(name);
        }
        for child in stmt.child_bodies() {
            names.extend(flask_config_objects(child, imports));
        }
    }
    names
}

/// What `from_object(x)` loads: a class, a dotted string, a module, or the values of a dict
/// of configurations indexed by name. A parameter of an enclosing function loads what its
/// default names (`def create_app(config="pkg.settings.Defaults")`): what production gets when
/// the factory is called without one.
fn targets_of<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &Scope<'m>,
    expr: &'m Expr,
) -> Vec<ConfigTarget> {
    let imports: &Imports = &model.files[file].imports;
    match &expr.kind {
        ExprKind::Str(dotted) => target_of_qualified(model, dotted).into_iter().collect(),
        ExprKind::Subscript { .. } | ExprKind::Call(_) if dict_of(model, file, expr).is_some() => {
            dict_of(model, file, expr)
                .unwrap_or_default()
                .into_iter()
                .flat_map(|(f, v)| targets_of(model, f, &[], v))
                .collect()
        }
        ExprKind::Name(name) if let Some(i) = declaring_function(scope, name) => {
            let function = scope[i];
            // A parameter the body assigns again no longer holds its default.
            if local_assignment(function, name).is_some() {
                return Vec::new();
            }
            match parameter_default(&scope[..=i], name) {
                // The default is evaluated where the function is defined.
                Some(default) => targets_of(model, file, &scope[..i], default),
                None => Vec::new(),
            }
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            if let Some(q) = imports.resolve(expr)
                && let Some(t) = target_of_qualified(model, &q)
            {
                return vec![t];
            }
            match model.resolve_definition(file, expr) {
                Some((f, Some(Stmt::ClassDef(c)), _)) => vec![ConfigTarget::Class(f, c.span.start)],
                Some((f, Some(Stmt::Assign { value: Some(v), .. }), _))
                    if !std::ptr::eq(v, expr) =>
                {
                    targets_of(model, f, &[], v)
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The innermost function of `scope` that has a parameter `name`.
fn declaring_function(scope: &Scope, name: &str) -> Option<usize> {
    scope
        .iter()
        .rposition(|f| f.params.iter().any(|p| p.name == name))
}

/// Calls `f` with every expression of `body` and the functions that enclose it, outermost
/// first.
fn walk_scoped<'e>(
    body: &'e [Stmt],
    scope: &mut Vec<&'e Function>,
    f: &mut impl FnMut(&'e Expr, &Scope<'e>),
) {
    for stmt in body {
        stmt.for_each_own_expr(&mut |e| f(e, scope));
        if let Stmt::FunctionDef(function) = stmt {
            scope.push(function);
            walk_scoped(&function.body, scope, f);
            scope.pop();
            continue;
        }
        if stmt.has_child_bodies() {
            for child in stmt.child_bodies() {
                walk_scoped(child, scope, f);
            }
        }
    }
}

/// The `(file, value)` entries of the dict that `configs[name]` or `configs.get(name)` indexes.
fn dict_of<'m>(
    model: &'m ProjectModel,
    file: usize,
    expr: &'m Expr,
) -> Option<Vec<(usize, &'m Expr)>> {
    let container = match &expr.kind {
        ExprKind::Subscript { value, .. } => value.as_ref(),
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { value, attr } if attr == "get" => value.as_ref(),
            _ => return None,
        },
        _ => return None,
    };
    let origin = model.resolve_value(file, &[], container);
    match &origin.expr.kind {
        ExprKind::Dict(entries) => Some(entries.iter().map(|e| (origin.file, &e.value)).collect()),
        _ => None,
    }
}

fn target_of_qualified(model: &ProjectModel, qualified: &str) -> Option<ConfigTarget> {
    if let Some((f, _)) = model.module(qualified) {
        return Some(ConfigTarget::Module(f));
    }
    match model.definition(qualified)? {
        (f, Stmt::ClassDef(c)) => Some(ConfigTarget::Class(f, c.span.start)),
        _ => None,
    }
}

/// The project modules a `from_pyfile(path)` may load: the file names `path` may end with
/// ([`pyfile_names`]), each looked up next to the calling file or elsewhere in the project.
fn pyfile_targets<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &Scope<'m>,
    path: &'m Expr,
) -> Vec<ConfigTarget> {
    let mut names = Vec::new();
    pyfile_names(model, file, scope, path, 0, &mut names);
    let mut targets: Vec<ConfigTarget> = names
        .into_iter()
        .filter_map(|name| pyfile_module(model, file, name))
        .map(ConfigTarget::Module)
        .collect();
    targets.sort();
    targets.dedup();
    targets
}

/// The file names a `from_pyfile` argument may end with: a literal, or a path built from one
/// (`os.path.abspath("wikiconfig.py")`, `os.path.join(config_dir, "settings.py")`,
/// `Path(root) / "settings.py"`), also through a variable, every value it is given counting
/// (`path = abspath("local.py")` then, when missing, `path = join(defaults, "wikiconfig.py")`).
fn pyfile_names<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &Scope<'m>,
    expr: &'m Expr,
    depth: u32,
    out: &mut Vec<&'m str>,
) {
    if depth > 4 {
        return;
    }
    let next = depth.saturating_add(1);
    match &expr.kind {
        ExprKind::Str(path) => out.push(path),
        ExprKind::BinOp {
            op: routewarden_python::ast::BinOp::Div,
            right,
            ..
        } => pyfile_names(model, file, scope, right, next, out),
        ExprKind::Call(call) => {
            let callee = model.files[file].imports.resolve(&call.func);
            // The path functions whose result ends with their (last) argument's file name.
            let last = matches!(
                callee.as_deref(),
                Some(
                    "os.path.abspath"
                        | "os.path.realpath"
                        | "os.path.normpath"
                        | "os.path.expanduser"
                        | "os.path.join"
                        | "os.fspath"
                        | "pathlib.Path"
                )
            );
            if last && let Some(arg) = call.args.last() {
                pyfile_names(model, file, scope, arg, next, out);
            }
        }
        ExprKind::Name(name) => {
            let declaring = scope.iter().rposition(|f| {
                f.assigned.may_contain(name) || f.params.iter().any(|p| p.name == *name)
            });
            let Some(i) = declaring else {
                let origin = model.resolve_value(file, &[], expr);
                if !std::ptr::eq(origin.expr, expr) {
                    pyfile_names(model, origin.file, &origin.scope, origin.expr, next, out);
                }
                return;
            };
            let function = scope[i];
            let outer = &scope[..=i];
            if let Some(default) = parameter_default(outer, name) {
                pyfile_names(model, file, &scope[..i], default, next, out);
            }
            crate::security::walk_stmts(&function.body, &mut |stmt| {
                if let Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } = stmt
                    && targets.iter().any(|t| t.as_name() == Some(name.as_str()))
                {
                    pyfile_names(model, file, outer, value, next, out);
                }
            });
        }
        _ => {}
    }
}

/// The project module a `from_pyfile("settings.py")` names, looked up by file name next to the
/// calling file or, failing that, among the project's files outside test, development and
/// example packages (`pkg/_tests/wikiconfig.py` configures the tests), the first found.
fn pyfile_module(model: &ProjectModel, file: usize, path: &str) -> Option<usize> {
    let name = std::path::Path::new(path).file_name()?;
    let caller_dir = model.files[file].path.parent();
    let all: Vec<(usize, &crate::project::SourceModule)> = model
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.path.file_name() == Some(name))
        .collect();
    all.iter()
        .find(|(_, f)| f.path.parent() == caller_dir)
        .or_else(|| {
            all.iter().find(|(_, f)| {
                !f.is_test() && !f.module_name.split('.').any(is_non_production_name)
            })
        })
        .or_else(|| all.first())
        .map(|(i, _)| *i)
}

#[cfg(test)]
mod word_tests {
    use super::*;

    #[test]
    fn identifiers_split_into_lowercase_words() {
        assert_eq!(identifier_words("SECRET_KEY"), ["secret", "key"]);
        assert_eq!(identifier_words("jwtSecretKey2"), ["jwt", "secret", "key2"]);
        assert_eq!(identifier_words("HTTPServer"), ["httpserver"]);
        assert_eq!(identifier_words("__init__"), ["init"]);
        assert_eq!(identifier_words("DevConfig"), ["dev", "config"]);
        assert_eq!(identifier_words("naïve_key"), ["na", "ve", "key"]);
        assert!(identifier_words("").is_empty());
        let long = "a".repeat(100) + "_b";
        assert_eq!(identifier_words(&long), ["a".repeat(100), "b".to_string()]);
    }

    #[test]
    fn any_word_stops_at_the_first_match() {
        let mut seen = Vec::new();
        assert!(any_identifier_word("test_config_values", |w| {
            seen.push(w.to_string());
            w == "config"
        }));
        assert_eq!(seen, ["test", "config"]);
        assert!(!any_identifier_word("ProductionSettings", |w| w == "dev"));
    }
}
