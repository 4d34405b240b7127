use crate::modules::module_name;
use rayon::prelude::*;
use routewarden_python::ast::{Class, Expr, ExprKind, Function, NameFilter, Span, Stmt};
use routewarden_python::names::Imports;
use routewarden_python::source::{LineMap, Position};
use routewarden_python::{ParsedModule, parse};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};

/// A file handed to the model: its path on disk, the name to print, and its text.
#[derive(Debug)]
pub struct InputFile {
    pub path: PathBuf,
    pub display: String,
    pub text: String,
}

/// Reads a file's text again, decoded as it was for the analysis; `None` if it cannot be read.
pub type SourceReader = fn(&Path) -> Option<String>;

/// A comment that may suppress findings (it mentions `noqa` or `routewarden`), with its text.
#[derive(Debug)]
pub struct SuppressionComment {
    pub span: Span,
    pub text: Box<str>,
}

/// One parsed Python file.
#[derive(Debug)]
pub struct SourceModule {
    pub path: PathBuf,
    pub display: String,
    pub module_name: String,
    pub is_package: bool,
    /// The source text. With a [`SourceReader`] it is dropped once the file is parsed (it is
    /// a sixth of the analysis's memory) and read again on first use: most files never need
    /// it, since the trees and filters answer what the analysis asks.
    text: std::sync::OnceLock<String>,
    text_len: u32,
    reader: Option<SourceReader>,
    /// The comments that may be suppressions, read while the text was at hand.
    pub suppression_comments: Vec<SuppressionComment>,
    /// Line starts, found when a position is first asked for: most files have no finding.
    lines: std::sync::OnceLock<LineMap>,
    pub parsed: ParsedModule,
    pub imports: Imports,
    /// Top-level names bound by `def`, `class` and assignments: index into `parsed.module.body`
    /// of the last statement that binds each.
    top_level: HashMap<String, usize>,
    /// Made when first asked for, which most modules never are.
    rarely_asked: std::sync::OnceLock<Box<RarelyAsked>>,
    /// Names of classes defined inside functions (`class CustomFlask(Flask)` in a factory),
    /// found when first asked for.
    local_classes: std::sync::OnceLock<HashSet<String>>,
    /// Names that the file's functions bind to a framework class (`FastAPI, Request =
    /// (fastapi.FastAPI, fastapi.Request)`), with what calling them builds; found once, when
    /// first asked for, by the application model.
    pub local_class_aliases: std::sync::OnceLock<Vec<(String, crate::frameworks::ObjectKind)>>,
    /// Test code (see [`SourceModule::is_test`]); asked by several rules for every statement.
    is_test: bool,
    /// The names assigned at module level, also under `if`, `try` and loops: most names
    /// looked up there are not, and the filter says so without a walk.
    pub assigned: NameFilter,
}

/// The parts of a [`SourceModule`] that most modules never build, behind one pointer: a
/// module never asked for them holds 16 bytes instead of about 150.
#[derive(Debug, Default)]
struct RarelyAsked {
    /// Spans' texts read again, by span: the same condition is written out for each route
    /// registered under it.
    span_texts: std::sync::Mutex<HashMap<(u32, u32), Box<str>>>,
    /// Names assigned inside module-level blocks (`with`, `if`, `try`, loops), not by a
    /// top-level statement of their own: index of the last block that assigns each.
    block_level: std::sync::OnceLock<HashMap<String, usize>>,
    /// Stand-ins for the view methods a library base class gives the file's classes
    /// (Flask-Admin's `create_view`), keyed by the class's start.
    library_methods: std::sync::OnceLock<Vec<(u32, Function)>>,
    /// Stand-ins for functions the file imports from outside the analysed code and registers
    /// as route endpoints, keyed by the local name.
    imported_stand_ins: std::sync::OnceLock<Vec<(String, Function)>>,
}

impl SourceModule {
    fn new(
        input: InputFile,
        module_name: String,
        is_package: bool,
        reader: Option<SourceReader>,
    ) -> Self {
        let mut parsed = parse(&input.text);
        let suppression_comments = std::mem::take(&mut parsed.comments)
            .into_iter()
            .filter_map(|c| {
                let text = c.text(&input.text);
                let lower = text.to_ascii_lowercase();
                (lower.contains("noqa") || lower.contains("routewarden")).then(|| {
                    SuppressionComment {
                        span: c.span,
                        text: text.into(),
                    }
                })
            })
            .collect();
        let text_len = input.text.len() as u32;
        let text = std::sync::OnceLock::new();
        if reader.is_none() {
            let _ = text.set(input.text);
        }
        let imports = Imports::collect(&parsed.module.body, &module_name, is_package);
        let mut top_level = HashMap::default();
        for (i, stmt) in parsed.module.body.iter().enumerate() {
            for name in bound_names(stmt) {
                top_level.insert(name.to_string(), i);
            }
        }
        let is_test = is_test_module(&input.path, &module_name, &input.display);
        let assigned = NameFilter::assigned_in(&parsed.module.body);
        SourceModule {
            path: input.path,
            display: input.display,
            module_name,
            is_package,
            text,
            text_len,
            reader,
            suppression_comments,
            lines: std::sync::OnceLock::new(),
            parsed,
            imports,
            top_level,
            rarely_asked: std::sync::OnceLock::new(),
            local_classes: std::sync::OnceLock::new(),
            local_class_aliases: std::sync::OnceLock::new(),
            is_test,
            assigned,
        }
    }

    /// The handler that stands for a function the module imports as `local` from a library
    /// (a route endpoint with no project code): named by its qualified name, without a body,
    /// at the import statement.
    pub fn imported_stand_in(&self, local: &str) -> Option<&Function> {
        self.rarely_asked()
            .imported_stand_ins
            .get_or_init(|| {
                // Where each name is imported, in module-level statements and blocks.
                fn visit<'s>(body: &'s [Stmt], out: &mut Vec<(&'s str, Span)>) {
                    for stmt in body {
                        match stmt {
                            Stmt::Import { names, .. } | Stmt::ImportFrom { names, .. } => {
                                out.extend(names.iter().map(|a| {
                                    let local = a.asname.as_deref().unwrap_or(&a.name);
                                    (local.split('.').next().unwrap_or(local), a.span)
                                }));
                            }
                            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                            other => {
                                for child in other.child_bodies() {
                                    visit(child, out);
                                }
                            }
                        }
                    }
                }
                let mut imported = Vec::new();
                visit(self.body(), &mut imported);
                self.imports
                    .iter()
                    .map(|(name, qualified)| {
                        let span = imported
                            .iter()
                            .rev()
                            .find(|(local, _)| *local == name)
                            .map_or_else(Span::default, |(_, span)| *span);
                        (
                            name.to_string(),
                            Function {
                                name: qualified.into(),
                                is_async: false,
                                decorators: Vec::new(),
                                params: Vec::new(),
                                returns: None,
                                body: Vec::new(),
                                span,
                                def_span: span,
                                assigned: NameFilter::default(),
                                self_attributes: NameFilter::default(),
                                defined: NameFilter::default(),
                            },
                        )
                    })
                    .collect()
            })
            .iter()
            .find(|(name, _)| name == local)
            .map(|(_, f)| f)
    }

    /// Whether `function` is the module's stand-in for an imported endpoint (see
    /// [`SourceModule::imported_stand_in`]): a handler whose code is not analysed.
    pub fn is_imported_stand_in(&self, function: &Function) -> bool {
        self.rarely_asked
            .get()
            .and_then(|rarely| rarely.imported_stand_ins.get())
            .is_some_and(|made| made.iter().any(|(_, f)| std::ptr::eq(f, function)))
    }

    /// The handler that stands for a view method `class` inherits from a library (a route
    /// the library declares, with no project code): named for the method, without a body,
    /// at the class's `class` line.
    pub fn library_method(&self, class: &Class, name: &str) -> Option<&Function> {
        fn visit<'s>(body: &'s [Stmt], out: &mut Vec<&'s Class>) {
            for stmt in body {
                if let Stmt::ClassDef(c) = stmt {
                    out.push(c);
                }
                for child in stmt.child_bodies() {
                    visit(child, out);
                }
            }
        }
        self.rarely_asked()
            .library_methods
            .get_or_init(|| {
                let mut classes = Vec::new();
                visit(self.body(), &mut classes);
                let mut out = Vec::new();
                for c in classes {
                    for &method in crate::flask_admin::LIBRARY_METHOD_NAMES {
                        out.push((
                            c.span.start,
                            Function {
                                name: method.into(),
                                is_async: false,
                                decorators: Vec::new(),
                                params: Vec::new(),
                                returns: None,
                                body: Vec::new(),
                                span: c.def_span,
                                def_span: c.def_span,
                                assigned: NameFilter::default(),
                                self_attributes: NameFilter::default(),
                                defined: NameFilter::default(),
                            },
                        ));
                    }
                }
                out
            })
            .iter()
            .find(|(start, f)| *start == class.span.start && f.name == name)
            .map(|(_, f)| f)
    }

    /// Test code: `test_*.py`, `*_test.py`, `conftest.py`, and modules inside a `tests`, `test`
    /// or `testing` package. Judged from the module name, which starts at the top package, so
    /// folders above the analysed project (a checkout under `~/test/`) do not count.
    pub fn is_test(&self) -> bool {
        self.is_test
    }

    fn rarely_asked(&self) -> &RarelyAsked {
        self.rarely_asked.get_or_init(Box::default)
    }

    pub fn body(&self) -> &[Stmt] {
        &self.parsed.module.body
    }

    /// The source text, read again from disk on first use when it was dropped after parsing.
    /// A file changed since it was parsed gives its new text: spans are clamped to it.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            self.reader
                .and_then(|read| read(&self.path))
                .unwrap_or_default()
        })
    }

    /// The text of `span`. When the text was dropped and the file's bytes are its text (the
    /// usual UTF-8 file), only those bytes are read again: the conditions routes are
    /// registered under are written out from a thousand files of a large project, and keeping
    /// each whole text for that would undo most of the saving.
    pub fn span_text(&self, span: Span) -> String {
        if self.text.get().is_none() && self.reader.is_some() {
            let known = &self.rarely_asked().span_texts;
            let mut known = known.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(text) = known.get(&(span.start, span.end)) {
                return text.to_string();
            }
            if let Some(text) = self.read_span(span) {
                known.insert((span.start, span.end), text.as_str().into());
                return text;
            }
        }
        span.text(self.text()).to_string()
    }

    fn read_span(&self, span: Span) -> Option<String> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = std::fs::File::open(&self.path).ok()?;
        // A decoded file (a declared encoding, a byte-order mark) has another length than its
        // text, and its offsets are not byte offsets: it is read whole instead.
        if file.metadata().ok()?.len() != u64::from(self.text_len) {
            return None;
        }
        file.seek(SeekFrom::Start(u64::from(span.start))).ok()?;
        let mut bytes = vec![0; span.end.saturating_sub(span.start) as usize];
        file.read_exact(&mut bytes).ok()?;
        String::from_utf8(bytes).ok()
    }

    /// Whether the module may spell `word` as a name, attribute, keyword argument or short
    /// string: a quick filter before walking its tree ("no" is certain).
    pub fn may_mention(&self, word: &str) -> bool {
        self.parsed.may_mention(word)
    }

    pub fn position(&self, offset: u32) -> Position {
        self.lines().position(self.text(), offset)
    }

    pub fn lines(&self) -> &LineMap {
        self.lines.get_or_init(|| LineMap::new(self.text()))
    }

    /// The top-level statement that last binds `name`.
    pub fn top_level(&self, name: &str) -> Option<&Stmt> {
        self.top_level
            .get(name)
            .map(|&i| &self.parsed.module.body[i])
    }

    /// A class of this name defined inside a function (`def create_app(): class
    /// CustomFlask(Flask): ...`): the first, in source order.
    pub fn local_class(&self, name: &str) -> Option<&Class> {
        fn visit<'s>(body: &'s [Stmt], in_function: bool, f: &mut impl FnMut(&'s Class)) {
            for stmt in body {
                match stmt {
                    Stmt::ClassDef(c) => {
                        if in_function {
                            f(c);
                        }
                        visit(&c.body, in_function, f);
                    }
                    Stmt::FunctionDef(function) => visit(&function.body, true, f),
                    other if other.has_child_bodies() => {
                        for child in other.child_bodies() {
                            visit(child, in_function, f);
                        }
                    }
                    _ => {}
                }
            }
        }
        let names = self.local_classes.get_or_init(|| {
            let mut names = HashSet::default();
            visit(self.body(), false, &mut |c| {
                names.insert(c.name.to_string());
            });
            names
        });
        if !names.contains(name) {
            return None;
        }
        let mut found = None;
        visit(self.body(), false, &mut |c| {
            if found.is_none() && c.name == name {
                found = Some(c);
            }
        });
        found
    }

    /// Whether the module assigns names through `globals()[name] = ...` anywhere, in a
    /// function too: the names it creates are not written in any statement.
    pub fn assigns_globals(&self) -> bool {
        fn visit(body: &[Stmt]) -> bool {
            body.iter().any(|stmt| match stmt {
                Stmt::Assign { targets, .. } => targets.iter().any(|t| {
                    matches!(&t.kind, ExprKind::Subscript { value, .. }
                        if value.as_call().is_some_and(|c| c.args.is_empty()
                            && c.func.as_name() == Some("globals")))
                }),
                other => other.child_bodies().any(visit),
            })
        }
        visit(self.body())
    }

    /// The module-level block (`with`, `if`, `try`, loop) that last assigns `name` inside it.
    pub fn block_binding(&self, name: &str) -> Option<&Stmt> {
        if !self.assigned.may_contain(name) {
            return None;
        }
        // Built when first asked: few modules are asked.
        let blocks = self.rarely_asked().block_level.get_or_init(|| {
            let mut blocks = HashMap::default();
            for (i, stmt) in self.body().iter().enumerate() {
                if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                    for child in stmt.child_bodies() {
                        block_assignments(child, &mut |name| {
                            blocks.insert(name.to_string(), i);
                        });
                    }
                }
            }
            blocks
        });
        blocks.get(name).map(|&i| &self.body()[i])
    }

    pub fn imports_module(&self, prefix: &str) -> bool {
        self.names_imported_from(prefix).next().is_some()
    }

    /// The local names bound to module `module` or to something in it (`import sys`,
    /// `from traceback import format_exc as trace`).
    pub fn names_imported_from<'s>(&'s self, module: &'s str) -> impl Iterator<Item = &'s str> {
        self.imports.iter().filter_map(move |(local, q)| {
            (q == module || q.starts_with(module) && q[module.len()..].starts_with('.'))
                .then_some(local)
        })
    }
}

fn is_test_module(path: &std::path::Path, module_name: &str, display: &str) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || module_name
            .split('.')
            .any(|part| matches!(part, "tests" | "test" | "testing"))
        || in_test_folder(display)
}

/// A `tests` folder without `__init__.py` (pytest's layout), seen in the path as printed when
/// it is relative to the working folder and stays below it.
fn in_test_folder(display: &str) -> bool {
    let path = std::path::Path::new(display);
    path.is_relative()
        && !path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
        && path
            .parent()
            .into_iter()
            .flat_map(|p| p.components())
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test" | "testing")))
}

/// Calls `f` with each name assigned (`name = ...`, also in a tuple) in `body` and its blocks,
/// not in functions or classes.
fn block_assignments<'s>(body: &'s [Stmt], f: &mut impl FnMut(&'s str)) {
    for stmt in body {
        match stmt {
            Stmt::Assign { targets, .. } => {
                for name in targets.iter().flat_map(target_names) {
                    f(name);
                }
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            other => {
                for child in other.child_bodies() {
                    block_assignments(child, f);
                }
            }
        }
    }
}

/// Names a statement binds at its own level.
pub fn bound_names(stmt: &Stmt) -> Vec<&str> {
    match stmt {
        Stmt::FunctionDef(f) => vec![f.name.as_str()],
        Stmt::ClassDef(c) => vec![c.name.as_str()],
        Stmt::Assign { targets, .. } => targets.iter().flat_map(target_names).collect(),
        _ => Vec::new(),
    }
}

/// The names an assignment or loop target binds: `k`, `(k, v)`.
pub fn target_names(target: &Expr) -> Vec<&str> {
    match &target.kind {
        ExprKind::Name(n) => vec![n.as_str()],
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            items.iter().flat_map(target_names).collect()
        }
        _ => Vec::new(),
    }
}

/// Every analysed file, and the module index that links them.
#[derive(Debug, Default)]
pub struct ProjectModel {
    pub files: Vec<SourceModule>,
    modules: HashMap<String, usize>,
    /// The file each name an import can give stands for: every module name (as in
    /// `modules`), and the dotted path suffixes of every file (`pkg.utils.auth` for
    /// `.../pkg/utils/auth.py`), for imports through folders without `__init__.py` (namespace
    /// packages, wheels that ship without them). A module name wins over a suffix; an
    /// ambiguous suffix maps to nothing. One map, so that a lookup hashes the name once: most
    /// names looked up are outside the project.
    names: HashMap<String, Option<usize>>,
    /// Names of the `@property` methods of module-level classes, collected when first asked:
    /// most attribute reads are no property of a project class.
    property_names: std::sync::OnceLock<HashSet<String>>,
    /// See [`ProjectModel::may_build_prefixed_object`].
    prefixed_builders: std::sync::OnceLock<HashSet<String>>,
    /// What [`crate::apps`] found for an object injected into a class's constructor, by
    /// class (file, start) and attribute: finding it scans every module that can name the
    /// class, and the same `self.attr` is asked about at each of its uses.
    injected: std::sync::Mutex<HashMap<InjectedKey, Option<(usize, u32)>>>,
    /// The files importing each qualified name, in file order, built when first asked for:
    /// finding who can name a definition is otherwise a pass over every file's imports.
    importers: std::sync::OnceLock<HashMap<String, Vec<usize>>>,
}

/// A class (its file and start) and an attribute of its instances.
type InjectedKey = (usize, u32, String);

impl ProjectModel {
    /// The class of an injected object, computed by `find` once per class and attribute.
    pub(crate) fn injected_class_memo(
        &self,
        key: InjectedKey,
        find: impl FnOnce() -> Option<(usize, u32)>,
    ) -> Option<(usize, u32)> {
        if let Some(found) = self.injected.lock().ok().and_then(|m| m.get(&key).copied()) {
            return found;
        }
        let found = find();
        if let Ok(mut memo) = self.injected.lock() {
            memo.insert(key, found);
        }
        found
    }

    /// The files with an import that resolves to `qualified` exactly, in file order.
    pub(crate) fn importers_of(&self, qualified: &str) -> &[usize] {
        self.importers
            .get_or_init(|| {
                let mut index: HashMap<String, Vec<usize>> = HashMap::default();
                for (i, file) in self.files.iter().enumerate() {
                    for (_, q) in file.imports.iter() {
                        let files = index.entry(q.to_string()).or_default();
                        if files.last() != Some(&i) {
                            files.push(i);
                        }
                    }
                }
                index
            })
            .get(qualified)
            .map_or(&[], Vec::as_slice)
    }

    /// The files that can name the top-level definition `name` of `file`: its own, and those
    /// importing it or its module, in file order.
    pub fn files_naming(
        &self,
        file: usize,
        name: &str,
    ) -> impl Iterator<Item = (usize, &SourceModule)> {
        let module = self.files[file].module_name.as_str();
        let mut files: Vec<usize> = std::iter::once(file)
            .chain(
                self.importers_of(&format!("{module}.{name}"))
                    .iter()
                    .copied(),
            )
            .chain(self.importers_of(module).iter().copied())
            .collect();
        files.sort_unstable();
        files.dedup();
        files.into_iter().map(move |i| (i, &self.files[i]))
    }

    /// Whether some module-level project class defines a `@property` named `name`.
    pub fn may_be_property(&self, name: &str) -> bool {
        self.property_names
            .get_or_init(|| {
                let mut names = HashSet::default();
                for file in &self.files {
                    for stmt in file.body() {
                        let Stmt::ClassDef(class) = stmt else {
                            continue;
                        };
                        for s in &class.body {
                            if let Stmt::FunctionDef(m) = s
                                && m.decorators.iter().any(|d| d.as_name() == Some("property"))
                            {
                                names.insert(m.name.to_string());
                            }
                        }
                    }
                }
                names
            })
            .contains(name)
    }

    /// Whether some module-level project function named `name` returns a call given a
    /// `url_prefix=` (`return Blueprint(name, name, url_prefix=...)`): the cheap test before a
    /// call's helper is looked up for the blueprint it builds.
    pub fn may_build_prefixed_object(&self, name: &str) -> bool {
        self.prefixed_builders
            .get_or_init(|| {
                let mut names = HashSet::default();
                for file in &self.files {
                    for stmt in file.body() {
                        let Stmt::FunctionDef(function) = stmt else {
                            continue;
                        };
                        let mut found = false;
                        crate::values::for_each_return(&function.body, &mut |v| {
                            found |= v
                                .as_call()
                                .is_some_and(|c| c.keyword("url_prefix").is_some());
                        });
                        if found {
                            names.insert(function.name.to_string());
                        }
                    }
                }
                names
            })
            .contains(name)
    }

    /// Parses every file in parallel and indexes them by module name. `inputs` keep their order.
    pub fn build(inputs: Vec<InputFile>, src_roots: &[PathBuf]) -> Self {
        Self::build_with_reader(inputs, src_roots, None)
    }

    /// As [`ProjectModel::build`]; with a `reader`, each file's text is dropped once parsed and
    /// read again through it when a finding's position or snippet needs it.
    pub fn build_with_reader(
        inputs: Vec<InputFile>,
        src_roots: &[PathBuf],
        reader: Option<SourceReader>,
    ) -> Self {
        let package_dirs: HashSet<PathBuf> = inputs
            .iter()
            .filter(|f| f.path.file_name().is_some_and(|n| n == "__init__.py"))
            .filter_map(|f| f.path.parent().map(PathBuf::from))
            .collect();
        let files: Vec<SourceModule> = inputs
            .into_par_iter()
            .map(|input| {
                let (name, is_package) = module_name(&input.path, &package_dirs, src_roots);
                SourceModule::new(input, name, is_package, reader)
            })
            .collect();
        let mut modules: HashMap<String, usize> = HashMap::default();
        for (i, f) in files.iter().enumerate() {
            // With duplicate module names (scripts in different folders), the first file wins,
            // unless it is a loose file that Python would not import by that name while the
            // other belongs to a package.
            modules
                .entry(f.module_name.clone())
                .and_modify(|first| {
                    if shadowed_by_package(&files[*first], f, &package_dirs, src_roots) {
                        *first = i;
                    }
                })
                .or_insert(i);
        }
        let mut names: HashMap<String, Option<usize>> = HashMap::default();
        for (i, f) in files.iter().enumerate() {
            for suffix in path_suffixes(&f.path) {
                names
                    .entry(suffix)
                    .and_modify(|slot| {
                        if *slot != Some(i) {
                            *slot = None;
                        }
                    })
                    .or_insert(Some(i));
            }
        }
        for (name, &i) in &modules {
            names.insert(name.clone(), Some(i));
        }
        let mut model = ProjectModel {
            files,
            modules,
            names,
            property_names: std::sync::OnceLock::new(),
            prefixed_builders: std::sync::OnceLock::new(),
            injected: std::sync::Mutex::default(),
            importers: std::sync::OnceLock::new(),
        };
        // Imports of a library name through a project module that re-exports it stand for
        // the library's name, which is what the rules know (`flask_restx.Namespace`).
        let rebound: Vec<Vec<(String, String)>> = model
            .files
            .par_iter()
            .map(|f| {
                f.imports
                    .iter()
                    .filter(|(_, q)| {
                        q.rsplit_once('.')
                            .is_some_and(|(m, _)| model.module(m).is_some())
                    })
                    .filter_map(|(local, q)| Some((local.to_string(), model.library_name(q, 0)?)))
                    .collect()
            })
            .collect();
        for (file, names) in model.files.iter_mut().zip(rebound) {
            for (local, qualified) in names {
                file.imports.rebind(&local, qualified);
            }
        }
        // `fastapi = lazy_import("fastapi")`, where the project's helper imports and returns
        // the module its argument names: the name is that module, as if imported.
        let lazy: Vec<Vec<routewarden_python::names::ModuleCall>> = model
            .files
            .iter()
            .map(|f| {
                f.imports
                    .module_calls()
                    .iter()
                    .filter(|c| model.returns_imported_module(&c.helper))
                    .cloned()
                    .collect()
            })
            .collect();
        for (file, calls) in model.files.iter_mut().zip(lazy) {
            for call in &calls {
                file.imports.bind_module_call(call);
            }
        }
        model
    }

    /// Whether the project function `qualified` imports the module its first parameter names
    /// and returns it: `def lazy_import(name): ...; spec = importlib.util.find_spec(name);
    /// ...; module = importlib.util.module_from_spec(spec); ...; return module`.
    fn returns_imported_module(&self, qualified: &str) -> bool {
        let Ok((file, Stmt::FunctionDef(function))) = self.lookup(qualified) else {
            return false;
        };
        let Some(param) = function.params.first().map(|p| p.name.as_str()) else {
            return false;
        };
        let imports = &self.files[file].imports;
        let importing = |expr: &Expr, finders: bool| {
            expr.as_call().is_some_and(|call| {
                imports.resolves_to(
                    &call.func,
                    if finders {
                        &[
                            "importlib.import_module",
                            "builtins.__import__",
                            "importlib.util.find_spec",
                        ]
                    } else {
                        &[
                            "importlib.import_module",
                            "builtins.__import__",
                            "importlib.util.module_from_spec",
                        ]
                    },
                ) && (!finders || call.args.first().and_then(Expr::as_name) == Some(param))
            })
        };
        let mut imports_param = false;
        crate::security::walk_exprs(&function.body, &mut |expr| {
            fn visit(expr: &Expr, f: &mut impl FnMut(&Expr)) {
                f(expr);
                expr.for_each_child(|child| visit(child, f));
            }
            visit(expr, &mut |e| imports_param |= importing(e, true));
        });
        let mut returns_module = false;
        crate::values::for_each_return(&function.body, &mut |value| {
            returns_module |= importing(value, false)
                || value.as_name().is_some_and(|name| {
                    crate::values::last_assignment(&function.body, name)
                        .is_some_and(|v| importing(v, false))
                })
                || matches!(&value.kind, ExprKind::Subscript { value: modules, slice }
                    if slice.as_name() == Some(param)
                        && imports.resolves_to(modules, &["sys.modules"]));
        });
        imports_param && returns_module
    }

    /// `pkg.Api` where `pkg` binds `Api` only by `from flask_restx import Api`, directly or
    /// through other project modules: `flask_restx.Api`. `None` for what the project defines.
    fn library_name(&self, qualified: &str, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        let (module, name) = qualified.rsplit_once('.')?;
        let (_, file) = self.module(module)?;
        if file.top_level(name).is_some() || file.block_binding(name).is_some() {
            return None;
        }
        let target = file.imports.get(name)?;
        if target == qualified || self.module(target).is_some() {
            return None;
        }
        let in_project = target
            .rsplit_once('.')
            .is_some_and(|(m, _)| self.module(m).is_some());
        if in_project {
            self.library_name(target, depth + 1)
        } else {
            Some(target.to_string())
        }
    }

    pub fn module(&self, name: &str) -> Option<(usize, &SourceModule)> {
        let index = (*self.names.get(name)?)?;
        Some((index, &self.files[index]))
    }

    /// The modules directly inside `package` (at any depth with `recursive`), by name; with
    /// `include_packages`, also its subpackages. What `werkzeug.utils.find_modules` yields.
    pub fn submodules(&self, package: &str, include_packages: bool, recursive: bool) -> Vec<&str> {
        let mut found: Vec<&str> = self
            .modules
            .iter()
            .filter(|&(name, &i)| {
                name.strip_prefix(package)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|rest| recursive || !rest.contains('.'))
                    && (include_packages || !self.files[i].is_package)
            })
            .map(|(name, _)| name.as_str())
            .collect();
        found.sort_unstable();
        found
    }

    /// The project statement defining `qualified` (`pkg.mod.NAME`), following re-exports
    /// through `__init__.py` and other modules' imports.
    pub fn definition(&self, qualified: &str) -> Option<(usize, &Stmt)> {
        self.definition_at_depth(qualified, 0)
    }

    fn definition_at_depth(&self, qualified: &str, depth: u32) -> Option<(usize, &Stmt)> {
        self.lookup_at_depth(qualified, depth).ok()
    }

    /// The project definition `qualified` names, following re-exports; otherwise the name it
    /// stands for outside the project when that differs (`flask.Blueprint` for
    /// `proj.Blueprint`, where `proj/__init__.py` has `from flask import Blueprint`).
    pub fn lookup(&self, qualified: &str) -> Result<(usize, &Stmt), Option<String>> {
        self.lookup_at_depth(qualified, 0)
    }

    fn lookup_at_depth(
        &self,
        qualified: &str,
        depth: u32,
    ) -> Result<(usize, &Stmt), Option<String>> {
        let outside = || Err((depth > 0).then(|| qualified.to_string()));
        if depth > 8 {
            return outside();
        }
        let Some((module, name)) = qualified.rsplit_once('.') else {
            return outside();
        };
        let Some((index, file)) = self.module(module) else {
            return outside();
        };
        if let Some(stmt) = file.top_level(name) {
            return Ok((index, stmt));
        }
        let Some(reexported) = file.imports.get(name) else {
            return self.star_definition(file, name, depth).ok_or(None);
        };
        if reexported == qualified {
            return Err(None);
        }
        self.lookup_at_depth(reexported, depth + 1)
    }

    /// Whether `qualified` (`pkg.errors.StaleRequest`) names something a project module creates
    /// at run time through `globals()`, since no statement of the module binds it.
    pub fn created_through_globals(&self, qualified: &str) -> bool {
        let Some((module, name)) = qualified.rsplit_once('.') else {
            return false;
        };
        let Some((_, file)) = self.module(module) else {
            return false;
        };
        file.top_level(name).is_none()
            && file.imports.get(name).is_none()
            && file.block_binding(name).is_none()
            && file.imports.star_modules().is_empty()
            && file.assigns_globals()
    }

    /// A public name a module takes from `from other import *`: the project definition in
    /// the first such module that has one.
    pub fn star_definition(
        &self,
        file: &SourceModule,
        name: &str,
        depth: u32,
    ) -> Option<(usize, &Stmt)> {
        if name.starts_with('_') {
            return None;
        }
        file.imports
            .star_modules()
            .iter()
            .find_map(|star| self.definition_at_depth(&format!("{star}.{name}"), depth + 1))
    }
}

/// The dotted suffixes of a file's path with at least two parts: `a/b/c.py` gives `b.c` and
/// `a.b.c`; `pkg/__init__.py` stands for `pkg`'s parent-qualified names.
/// Whether `package_file`, a package or a module of one, is what an import of the name it
/// shares with `loose` finds. `loose` sits outside packages (its module name is its file stem)
/// in a folder that is either the package's own parent folder, where Python prefers the
/// package, or a folder whose name is not an identifier (`fedmsg.d/`, a config folder): such
/// a folder is not a package and not where the project's own imports are resolved from.
fn shadowed_by_package(
    loose: &SourceModule,
    package_file: &SourceModule,
    package_dirs: &HashSet<PathBuf>,
    src_roots: &[PathBuf],
) -> bool {
    let Some(loose_dir) = loose.path.parent() else {
        return false;
    };
    let Some(package_dir) = package_file.path.parent() else {
        return false;
    };
    if loose.is_package
        || package_dirs.contains(loose_dir)
        || src_roots.iter().any(|r| loose.path.starts_with(r))
        || !package_dirs.contains(package_dir)
    {
        return false;
    }
    // The folder the package's top-level folder lies in.
    let top = package_file.module_name.split('.').count() - usize::from(!package_file.is_package);
    let package_parent = package_dir.ancestors().nth(top);
    package_parent == Some(loose_dir)
        || !loose_dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_identifier)
}

/// Whether `name` can be a Python module or package name.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn path_suffixes(path: &std::path::Path) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != "__init__" {
        parts.push(stem.to_string());
    }
    let mut dir = path.parent();
    let mut out = Vec::new();
    while let Some(d) = dir {
        let Some(name) = d.file_name().and_then(|n| n.to_str()) else {
            break;
        };
        if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            break;
        }
        parts.push(name.to_string());
        if parts.len() >= 2 {
            out.push(parts.iter().rev().cloned().collect::<Vec<_>>().join("."));
        }
        if out.len() >= 8 {
            break;
        }
        dir = d.parent();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file rewritten between parsing and reading back: shorter, and with a two-byte
    /// character where the parsed text had a character boundary.
    fn rewritten(_: &Path) -> Option<String> {
        Some("é".to_string())
    }

    fn gone(_: &Path) -> Option<String> {
        None
    }

    fn model(reader: SourceReader) -> ProjectModel {
        let input = InputFile {
            path: PathBuf::from("no/such/folder/app.py"),
            display: "app.py".into(),
            text: "x = 1\nkey = 'abc'  # noqa: SECRET001\n".into(),
        };
        ProjectModel::build_with_reader(vec![input], &[], Some(reader))
    }

    #[test]
    fn a_file_changed_after_parsing_gives_clamped_positions() {
        let model = model(rewritten);
        let file = &model.files[0];
        assert_eq!(file.position(1), Position { row: 1, column: 1 });
        assert_eq!(file.position(12), Position { row: 1, column: 2 });
        assert_eq!(file.span_text(Span::new(6, 9)), "");
        assert_eq!(file.body().len(), 2);
    }

    #[test]
    fn an_unreadable_file_reads_back_as_empty_and_keeps_its_suppressions() {
        let model = model(gone);
        let file = &model.files[0];
        assert_eq!(file.text(), "");
        assert_eq!(file.position(20), Position { row: 1, column: 1 });
        let texts: Vec<&str> = file.suppression_comments.iter().map(|c| &*c.text).collect();
        assert_eq!(texts, vec!["# noqa: SECRET001"]);
        assert!(file.may_mention("key") && file.may_mention("x"));
        assert!(!file.may_mention("session_interface"));
    }
}
