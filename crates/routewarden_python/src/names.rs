//! The name binder: which qualified name each imported local name stands for.

use crate::ast::{Expr, ExprKind, Stmt};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Local names bound by `import` statements anywhere in a module, mapped to qualified names.
/// Relative imports are resolved against the module's own name.
#[derive(Clone, Debug, Default)]
pub struct Imports {
    bindings: HashMap<String, String>,
    /// Modules whose public names are imported with `from module import *` at module level.
    stars: Vec<String>,
    /// `local = helper("module")` with `helper` imported: bound to the module by
    /// [`Imports::bind_module_call`] once the project model has seen the helper import its
    /// argument (`lazy_import("fastapi")`). Local name, helper's qualified name, module name,
    /// and whether the assignment is in a function.
    module_calls: Vec<ModuleCall>,
}

/// An assignment of a call with one literal module name: see [`Imports::module_calls`].
#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub local: String,
    pub helper: String,
    pub module: String,
    pub in_function: bool,
}

/// Flask before 1.0 redirected `flask.ext.<name>` to the extension's own package,
/// `flask_<name>` (`from flask.ext import login` imports `flask_login`; old code keeps it as
/// the `except ImportError:` fallback of `import flask_login as login`): the qualified name
/// of what such an import binds.
fn flask_ext_redirect(qualified: &str) -> Option<String> {
    let rest = qualified.strip_prefix("flask.ext.")?;
    (!rest.is_empty()).then(|| format!("flask_{rest}"))
}

/// Builtins the rules recognise when they are not shadowed by an import.
fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "getattr"
            | "setattr"
            | "vars"
            | "dict"
            | "repr"
            | "str"
            | "type"
            | "isinstance"
            | "print"
            | "open"
            | "eval"
            | "exec"
            | "hasattr"
            | "list"
            | "tuple"
            | "set"
            | "len"
            | "id"
            | "format"
            | "__import__"
    )
}

impl Imports {
    /// `module` is the dotted module name of the file, `is_package` true for `__init__.py`.
    pub fn collect(body: &[Stmt], module: &str, is_package: bool) -> Self {
        let mut imports = Imports::default();
        let mut module_level = HashSet::default();
        imports.visit(body, module, is_package, false, &mut module_level);
        imports
    }

    /// A function's own import does not replace a module-level one of the same name: the
    /// rest of the module still means the module-level binding. Otherwise the last wins.
    fn bind(
        &mut self,
        local: String,
        qualified: String,
        in_function: bool,
        module_level: &mut HashSet<String>,
    ) {
        let qualified = flask_ext_redirect(&qualified).unwrap_or(qualified);
        if in_function {
            if !module_level.contains(&local) {
                self.bindings.insert(local, qualified);
            }
        } else {
            module_level.insert(local.clone());
            self.bindings.insert(local, qualified);
        }
    }

    fn visit(
        &mut self,
        body: &[Stmt],
        module: &str,
        is_package: bool,
        in_function: bool,
        module_level: &mut HashSet<String>,
    ) {
        for stmt in body {
            match stmt {
                Stmt::Import { names, .. } => {
                    for alias in names {
                        match &alias.asname {
                            Some(asname) => {
                                self.bind(
                                    asname.clone(),
                                    alias.name.clone(),
                                    in_function,
                                    module_level,
                                );
                            }
                            None => {
                                let head = alias.name.split('.').next().unwrap_or(&alias.name);
                                self.bind(
                                    head.to_string(),
                                    head.to_string(),
                                    in_function,
                                    module_level,
                                );
                            }
                        }
                    }
                }
                Stmt::ImportFrom {
                    module: from,
                    level,
                    names,
                    ..
                } => {
                    let Some(base) = absolute_module(module, is_package, from.as_deref(), *level)
                    else {
                        continue;
                    };
                    for alias in names {
                        if alias.name == "*" {
                            if !in_function && !base.is_empty() && !self.stars.contains(&base) {
                                self.stars.push(base.clone());
                            }
                            continue;
                        }
                        let local = alias.asname.as_ref().unwrap_or(&alias.name);
                        let qualified = if base.is_empty() {
                            alias.name.clone()
                        } else {
                            dotted(&base, &alias.name)
                        };
                        self.bind(local.clone(), qualified, in_function, module_level);
                    }
                }
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } => {
                    // `fastapi = importlib.import_module("fastapi")` imports the module as
                    // `import fastapi` would; a project helper given the name may too.
                    let ([target], ExprKind::Call(call)) = (targets.as_slice(), &value.kind) else {
                        continue;
                    };
                    let (Some(local), [argument]) = (target.as_name(), call.args.as_slice()) else {
                        continue;
                    };
                    let Some(name) = argument.as_str().filter(|n| is_module_name(n)) else {
                        continue;
                    };
                    // A helper defined in this module is named by its qualified name.
                    let Some(helper) = self.resolve(&call.func).or_else(|| {
                        let own = call.func.as_name()?;
                        Some(if module.is_empty() {
                            own.to_string()
                        } else {
                            dotted(module, own)
                        })
                    }) else {
                        continue;
                    };
                    if helper == "importlib.import_module" {
                        if call.keywords.is_empty() {
                            self.bind(
                                local.to_string(),
                                name.to_string(),
                                in_function,
                                module_level,
                            );
                        }
                    } else if !helper.starts_with("builtins.") {
                        self.module_calls.push(ModuleCall {
                            local: local.to_string(),
                            helper,
                            module: name.to_string(),
                            in_function,
                        });
                    }
                }
                _ if stmt.has_child_bodies() => {
                    let in_function = in_function || matches!(stmt, Stmt::FunctionDef(_));
                    for child in stmt.child_bodies() {
                        self.visit(child, module, is_package, in_function, module_level);
                    }
                }
                _ => {}
            }
        }
    }

    /// The modules this one imports everything public from (`from .errors import *`), in
    /// source order: names the module neither defines nor imports may come from them.
    pub fn star_modules(&self) -> &[String] {
        &self.stars
    }

    /// Assignments of an imported helper's call on a literal module name, in source order.
    pub fn module_calls(&self) -> &[ModuleCall] {
        &self.module_calls
    }

    /// Binds `local` to `module`, which the helper of a [`ModuleCall`] imports and returns. A
    /// function's binding does not replace another binding of the name.
    pub fn bind_module_call(&mut self, call: &ModuleCall) {
        if call.in_function && self.bindings.contains_key(&call.local) {
            return;
        }
        self.bindings
            .insert(call.local.clone(), call.module.clone());
    }

    /// Binds `local` to another qualified name for the same object: a library name the
    /// project re-exports (`from pkg import Api` where `pkg` has `from flask_restx import Api`).
    pub fn rebind(&mut self, local: &str, qualified: String) {
        if let Some(target) = self.bindings.get_mut(local) {
            *target = qualified;
        }
    }

    pub fn get(&self, local: &str) -> Option<&str> {
        self.bindings.get(local).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.bindings.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether [`Imports::resolve`] would give one of `names`, without building the name.
    pub fn resolves_to(&self, expr: &Expr, names: &[&str]) -> bool {
        let Some((prefix, base, _)) = self.chain_head(expr) else {
            return false;
        };
        // Each candidate is matched from its end, attribute by attribute, down to the head.
        names.iter().any(|candidate| {
            let mut rest = *candidate;
            let mut link = expr;
            while let ExprKind::Attribute { value, attr } = &link.kind {
                match rest
                    .strip_suffix(attr.as_str())
                    .and_then(|r| r.strip_suffix('.'))
                {
                    Some(r) => rest = r,
                    None => return false,
                }
                link = value;
            }
            rest.strip_prefix(prefix) == Some(base)
        })
    }

    /// The head binding of a name or attribute chain of at most [`MAX_CHAIN`] attributes: the
    /// prefix and qualified name its head name stands for (`"builtins."` and the name for a
    /// builtin), and the length of the attributes with their dots.
    fn chain_head<'s>(&'s self, expr: &'s Expr) -> Option<(&'static str, &'s str, usize)> {
        let mut depth = 0;
        let mut attrs_len = 0usize;
        let mut head = expr;
        while let ExprKind::Attribute { value, attr } = &head.kind {
            if depth == MAX_CHAIN {
                return None;
            }
            depth += 1;
            attrs_len = attrs_len.saturating_add(attr.len().saturating_add(1));
            head = value;
        }
        let ExprKind::Name(name) = &head.kind else {
            return None;
        };
        match self.get(name) {
            Some(q) => Some(("", q, attrs_len)),
            None if is_builtin(name) => Some(("builtins.", name.as_str(), attrs_len)),
            None => None,
        }
    }

    /// Whether some name or attribute chain of the module could resolve to one of `names`:
    /// some import binds a name to one of them or to a module they are in. "No" is certain,
    /// and lets a hook asked of every call skip its resolution.
    pub fn may_resolve_to_any(&self, names: &[&str]) -> bool {
        self.bindings.values().any(|bound| {
            names.iter().any(|name| {
                name.strip_prefix(bound.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
        })
    }

    /// The qualified name of a name or attribute chain whose head is imported, or a builtin.
    /// `None` for local variables: those are followed by the model, not here.
    pub fn resolve(&self, expr: &Expr) -> Option<String> {
        let mut out = String::new();
        self.resolve_into(expr, &mut out).then_some(out)
    }

    /// [`Imports::resolve`] into a buffer the caller reuses; false (and `out` unspecified)
    /// when the expression does not resolve.
    pub fn resolve_into(&self, expr: &Expr, out: &mut String) -> bool {
        // Called for most calls and attribute reads of every file: find the head first and
        // build the result once, so that chains on local variables cost no allocation.
        let Some((prefix, base, attrs_len)) = self.chain_head(expr) else {
            return false;
        };
        out.clear();
        out.reserve(
            prefix
                .len()
                .saturating_add(base.len())
                .saturating_add(attrs_len),
        );
        out.push_str(prefix);
        out.push_str(base);
        push_attributes(expr, out);
        true
    }
}

/// The longest attribute chain [`Imports::resolve`] follows.
const MAX_CHAIN: usize = 16;

/// `.a.b` of `x.a.b`, head first.
fn push_attributes(expr: &Expr, out: &mut String) {
    if let ExprKind::Attribute { value, attr } = &expr.kind {
        push_attributes(value, out);
        out.push('.');
        out.push_str(attr);
    }
}

/// An absolute dotted module name: `fastapi`, `matplotlib.pyplot`.
fn is_module_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// `prefix.name`, built without the formatting machinery: qualified names are built for
/// most names of every file.
pub fn dotted(prefix: &str, name: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1 + name.len());
    out.push_str(prefix);
    out.push('.');
    out.push_str(name);
    out
}

/// The absolute module an `ImportFrom` refers to; `None` when a relative import climbs above
/// the top-level package.
pub fn absolute_module(
    module: &str,
    is_package: bool,
    from: Option<&str>,
    level: u32,
) -> Option<String> {
    if level == 0 {
        return Some(from.unwrap_or_default().to_string());
    }
    let mut parts: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split('.').collect()
    };
    // For a plain module, level 1 is its package; for a package's `__init__`, itself.
    let drop = if is_package { level - 1 } else { level };
    for _ in 0..drop {
        parts.pop()?;
    }
    if let Some(from) = from {
        parts.extend(from.split('.'));
    }
    Some(parts.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_modules() {
        assert_eq!(
            absolute_module("a.b.c", false, Some("d"), 1).unwrap(),
            "a.b.d"
        );
        assert_eq!(absolute_module("a.b", true, Some("d"), 1).unwrap(), "a.b.d");
        assert_eq!(absolute_module("a.b.c", false, None, 2).unwrap(), "a");
        assert_eq!(absolute_module("a", false, Some("x"), 3), None);
        assert_eq!(absolute_module("m", false, Some("x.y"), 0).unwrap(), "x.y");
    }

    #[test]
    fn flask_ext_imports_bind_the_extension_package() {
        let source = "try:\n    import flask_login as login\nexcept ImportError:\n    from flask.ext import login\n\
            from flask.ext.sqlalchemy import SQLAlchemy\nimport flask.ext.wtf as wtf\nfrom flask import ext\n";
        let parsed = crate::parse(source);
        let imports = Imports::collect(&parsed.module.body, "m", false);
        assert_eq!(imports.get("login"), Some("flask_login"));
        assert_eq!(
            imports.get("SQLAlchemy"),
            Some("flask_sqlalchemy.SQLAlchemy")
        );
        assert_eq!(imports.get("wtf"), Some("flask_wtf"));
        assert_eq!(imports.get("ext"), Some("flask.ext"));
    }

    #[test]
    fn resolves_to_agrees_with_resolve() {
        let source = "import flask\nfrom fastapi import FastAPI as F, params\nimport os.path as p\n\
            F\nparams.Depends\nflask.Flask\np.join\ngetattr\nlocal.attr\nflask\nflask.Flaskx\n";
        let parsed = crate::parse(source);
        let imports = Imports::collect(&parsed.module.body, "m", false);
        let candidates = [
            "fastapi.FastAPI",
            "fastapi.params.Depends",
            "flask.Flask",
            "os.path.join",
            "builtins.getattr",
            "flask",
            "flask.Flas",
            "fastapi.FastAPI.x",
            "os.path",
        ];
        for stmt in &parsed.module.body[3..] {
            let Stmt::Expr { value, .. } = stmt else {
                panic!("an expression statement");
            };
            let resolved = imports.resolve(value);
            for c in candidates {
                assert_eq!(
                    imports.resolves_to(value, &[c]),
                    resolved.as_deref() == Some(c),
                    "{resolved:?} against {c}"
                );
            }
        }
    }
}
