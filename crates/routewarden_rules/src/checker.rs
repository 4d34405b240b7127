//! Runs the rules: one walk of each file's tree calling every rule's hooks, then the project
//! hooks. A rule that panics on a file loses that file, and the panic becomes a finding.

use crate::context::FileContext;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule};
use crate::rules::meta::INTERNAL_ERROR;
use crate::settings::RuleSettings;
use rayon::prelude::*;
use routewarden_model::ProjectModel;
use routewarden_model::config::ConfigModel;
use routewarden_model::security::AttackSurface;
use routewarden_python::ast::{Expr, ExprKind, Span, Stmt};
use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHashSet as HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `rules` over every file of `model` in parallel, and their project hooks.
/// `skip_file` marks files that were not analysed (unreadable, undecodable).
pub fn check_project(
    model: &ProjectModel,
    rules: &[&dyn Rule],
    settings: &RuleSettings,
    skip_file: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<Finding> {
    let (surface, config) = rayon::join(
        || AttackSurface::build(model, &settings.security_names(), skip_file),
        || ConfigModel::build(model),
    );
    let handlers: HashSet<(usize, u32)> = surface
        .apps
        .routes
        .iter()
        .flat_map(|r| {
            // A project `dispatch_request` override of a class-based view wraps every
            // method's handler: what it answers reaches the client like the handler's own.
            let dispatch = r.view_class.and_then(|class| {
                routewarden_model::apps::find_method(
                    model,
                    r.view_class_file,
                    class,
                    "dispatch_request",
                )
                .filter(|(_, _, m)| !std::ptr::eq(*m, r.handler))
                .map(|(f, _, m)| (f, m.span.start))
            });
            std::iter::once((r.handler_file, r.handler.span.start)).chain(dispatch)
        })
        .collect();
    let flask_cors_config = std::sync::OnceLock::new();
    let cors_subclasses = std::sync::OnceLock::new();
    let startup_refusals = std::sync::OnceLock::new();
    let ambient_credentials = std::sync::OnceLock::new();
    let handler_answer_calls = std::sync::OnceLock::new();
    let sent_exceptions = std::sync::Mutex::new(rustc_hash::FxHashMap::default());
    let literal_exceptions = std::sync::Mutex::new(rustc_hash::FxHashMap::default());
    let shared = Shared {
        model,
        settings,
        surface: &surface,
        config: &config,
        handlers: &handlers,
        flask_cors_config: &flask_cors_config,
        cors_subclasses: &cors_subclasses,
        startup_refusals: &startup_refusals,
        ambient_credentials: &ambient_credentials,
        handler_answer_calls: &handler_answer_calls,
        sent_exceptions: &sent_exceptions,
        literal_exceptions: &literal_exceptions,
    };
    let cx = ProjectContext {
        model,
        surface: &surface,
        config: &config,
        settings,
        set_keys: std::sync::OnceLock::new(),
    };
    // The per-file walks and the project hooks read the same models and nothing else: run
    // them side by side, so a slow project hook does not leave a core idle.
    let (mut findings, project): (Vec<Finding>, Vec<Finding>) = rayon::join(
        || {
            (0..model.files.len())
                .into_par_iter()
                .filter(|&i| !skip_file(i))
                .flat_map_iter(|i| check_file(&shared, i, rules))
                .collect()
        },
        || {
            rules
                .par_iter()
                .flat_map_iter(|rule| {
                    let mut out = Vec::new();
                    let result =
                        catch_unwind(AssertUnwindSafe(|| rule.check_project(&cx, &mut out)));
                    if let Err(payload) = result {
                        out.clear();
                        let mut f = Findings::new(0);
                        f.report(
                            &INTERNAL_ERROR,
                            Span::default(),
                            format!(
                                "rule {} failed on the project: {}; its project findings are missing",
                                rule.meta().code,
                                panic_message(&payload)
                            ),
                        );
                        out.extend(f.into_vec());
                    }
                    out
                })
                .collect()
        },
    );
    findings.extend(project);
    drop_repeated_registrations(&surface, &mut findings);
    findings
}

/// A handler registered twice at the same path (an import-time `@app.route`, then
/// `add_url_rule` on the application a factory builds and serves) is one route to the user: a
/// finding at the later registration that repeats the one at the first (same rule, same
/// message) is dropped.
fn drop_repeated_registrations(surface: &AttackSurface, findings: &mut Vec<Finding>) {
    use std::collections::hash_map::Entry;
    // Decorators first, then in source order: the first registration is the one kept.
    let mut order: Vec<&routewarden_model::apps::RouteDecl> = surface.apps.routes.iter().collect();
    order.sort_by_key(|r| (r.decorator_index.is_none(), r.file, r.span.start));
    let mut first: HashMap<(usize, u32, &str), (usize, Span)> = HashMap::default();
    let mut repeats: HashMap<(usize, Span), Vec<(usize, Span)>> = HashMap::default();
    for r in order {
        let at = (r.file, r.span);
        match first.entry((r.handler_file, r.handler.span.start, r.path.as_str())) {
            Entry::Vacant(e) => {
                e.insert(at);
            }
            Entry::Occupied(e) if *e.get() != at => {
                repeats.entry(at).or_default().push(*e.get());
            }
            Entry::Occupied(_) => {}
        }
    }
    if repeats.is_empty() {
        return;
    }
    let reported: HashSet<(usize, Span, &str, &str)> = findings
        .iter()
        .map(|f| (f.file, f.span, f.rule.code, f.message.as_str()))
        .collect();
    let repeated: Vec<bool> = findings
        .iter()
        .map(|f| {
            repeats.get(&(f.file, f.span)).is_some_and(|firsts| {
                firsts.iter().any(|&(file, span)| {
                    reported.contains(&(file, span, f.rule.code, f.message.as_str()))
                })
            })
        })
        .collect();
    let mut index = 0;
    findings.retain(|_| {
        index += 1;
        !repeated[index - 1]
    });
}

/// What every file's walk shares: the project and the models built from it.
struct Shared<'a> {
    model: &'a ProjectModel,
    settings: &'a RuleSettings,
    surface: &'a AttackSurface<'a>,
    config: &'a ConfigModel<'a>,
    handlers: &'a HashSet<(usize, u32)>,
    flask_cors_config: &'a std::sync::OnceLock<crate::cors_policy::FlaskCorsConfig<'a>>,
    cors_subclasses: &'a std::sync::OnceLock<crate::cors_policy::CorsSubclasses>,
    startup_refusals: &'a std::sync::OnceLock<HashSet<String>>,
    ambient_credentials: &'a std::sync::OnceLock<bool>,
    handler_answer_calls: &'a std::sync::OnceLock<rustc_hash::FxHashMap<String, Vec<usize>>>,
    sent_exceptions: &'a crate::context::SentExceptions,
    literal_exceptions: &'a crate::context::SentExceptions,
}

fn check_file<'a>(shared: &Shared<'a>, index: usize, rules: &[&'a dyn Rule]) -> Vec<Finding> {
    let file = &shared.model.files[index];
    let mut disabled = vec![false; rules.len()];
    let mut failures = Vec::new();
    loop {
        let mut walker = Walker {
            cx: FileContext {
                model: shared.model,
                settings: shared.settings,
                surface: shared.surface,
                config: shared.config,
                handlers: shared.handlers,
                file_index: index,
                file,
                functions: Vec::new(),
                classes: Vec::new(),
                callee: None,
                callee_name: String::new(),
                flask_cors_config: shared.flask_cors_config,
                cors_subclasses: shared.cors_subclasses,
                startup_refusals: shared.startup_refusals,
                ambient_credentials: shared.ambient_credentials,
                handler_answer_calls: shared.handler_answer_calls,
                sent_exceptions: shared.sent_exceptions,
                literal_exceptions: shared.literal_exceptions,
                test_module: crate::credentials::names_test_module(file),
                imports_web_framework: crate::context::imports_web_framework(file),
                may_name_cors: crate::cors_policy::may_name_cors(file),
            },
            hooks: HOOKS.map(|_| {
                (0..rules.len())
                    .filter(|&i| !disabled[i])
                    .map(|i| Hooked {
                        rule: rules[i],
                        index: i,
                        probed: false,
                    })
                    .collect()
            }),
            running: None,
            out: Findings::new(index),
        };
        // One guard per file rather than per hook: hooks run millions of times. A rule that
        // panics loses the whole file and the walk starts again without it.
        let result = catch_unwind(AssertUnwindSafe(|| walker.stmts(file.body())));
        let running = walker.running;
        match (result, running) {
            (Ok(()), _) => {
                let mut out = walker.out;
                for (code, message) in failures {
                    out.report(
                        &INTERNAL_ERROR,
                        Span::default(),
                        format!(
                            "rule {code} failed on this file: {message}; its findings for the file are missing"
                        ),
                    );
                }
                return out.into_vec();
            }
            (Err(payload), Some(i)) => {
                disabled[i] = true;
                failures.push((rules[i].meta().code, panic_message(&payload)));
            }
            // A panic outside any hook is the walker's own: nothing to retry without.
            (Err(payload), None) => std::panic::resume_unwind(payload),
        }
    }
}

/// The per-file hooks, in the order of [`Walker::hooks`].
#[derive(Clone, Copy)]
enum Hook {
    Call,
    Stmt,
    Function,
    Class,
    Compare,
    BoolOp,
}

const HOOKS: [Hook; 6] = [
    Hook::Call,
    Hook::Stmt,
    Hook::Function,
    Hook::Class,
    Hook::Compare,
    Hook::BoolOp,
];

/// A rule in one hook's list.
struct Hooked<'a> {
    rule: &'a dyn Rule,
    /// The rule's position in the rule list, to disable it if it panics.
    index: usize,
    /// Whether the hook has been called once: a default hook is dropped after its first call.
    probed: bool,
}

struct Walker<'a> {
    cx: FileContext<'a>,
    /// For each hook, the rules whose hook is not the trait's default.
    hooks: [Vec<Hooked<'a>>; HOOKS.len()],
    /// The rule whose hook is running, so a panic can be put down to it.
    running: Option<usize>,
    out: Findings,
}

impl<'a> Walker<'a> {
    fn each_rule(
        &mut self,
        which: Hook,
        hook: impl Fn(&dyn Rule, &FileContext<'a>, &mut Findings),
    ) {
        let list = &mut self.hooks[which as usize];
        let mut i = 0;
        while i < list.len() {
            let entry = &mut list[i];
            self.running = Some(entry.index);
            hook(entry.rule, &self.cx, &mut self.out);
            if !entry.probed {
                entry.probed = true;
                if crate::rule::take_not_implemented() {
                    list.remove(i);
                    continue;
                }
            }
            i += 1;
        }
        self.running = None;
    }

    fn stmts(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        self.each_rule(Hook::Stmt, |rule, cx, out| rule.on_stmt(cx, stmt, out));
        match stmt {
            Stmt::FunctionDef(function) => {
                self.each_rule(Hook::Function, |rule, cx, out| {
                    rule.on_function(cx, function, out)
                });
                for d in &function.decorators {
                    self.expr(d);
                }
                for p in &function.params {
                    if let Some(default) = &p.default {
                        self.expr(default);
                    }
                }
                self.cx.functions.push(function);
                self.stmts(&function.body);
                self.cx.functions.pop();
            }
            Stmt::ClassDef(class) => {
                self.each_rule(Hook::Class, |rule, cx, out| rule.on_class(cx, class, out));
                for e in class.decorators.iter().chain(&class.bases) {
                    self.expr(e);
                }
                for k in &class.keywords {
                    self.expr(&k.value);
                }
                self.cx.classes.push(class);
                self.stmts(&class.body);
                self.cx.classes.pop();
            }
            Stmt::Return { value, .. } => self.opt_expr(value.as_ref()),
            Stmt::Assign { targets, value, .. } => {
                for t in targets {
                    self.expr(t);
                }
                self.opt_expr(value.as_ref());
            }
            Stmt::AugAssign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            Stmt::Expr { value, .. } => self.expr(value),
            Stmt::If {
                test, body, orelse, ..
            }
            | Stmt::While {
                test, body, orelse, ..
            } => {
                self.expr(test);
                self.stmts(body);
                self.stmts(orelse);
            }
            Stmt::For {
                target,
                iter,
                body,
                orelse,
                ..
            } => {
                self.expr(target);
                self.expr(iter);
                self.stmts(body);
                self.stmts(orelse);
            }
            Stmt::With { items, body, .. } => {
                for item in items {
                    self.expr(&item.context);
                    self.opt_expr(item.target.as_ref());
                }
                self.stmts(body);
            }
            Stmt::Try {
                body,
                handlers,
                orelse,
                finalbody,
                ..
            } => {
                self.stmts(body);
                for h in handlers {
                    self.opt_expr(h.type_.as_ref());
                    self.stmts(&h.body);
                }
                self.stmts(orelse);
                self.stmts(finalbody);
            }
            Stmt::Match { subject, cases, .. } => {
                self.expr(subject);
                for case in cases {
                    self.stmts(case);
                }
            }
            Stmt::Raise { exc, cause, .. } => {
                self.opt_expr(exc.as_ref());
                self.opt_expr(cause.as_deref());
            }
            Stmt::Import { .. } | Stmt::ImportFrom { .. } | Stmt::Other { .. } => {}
        }
    }

    fn opt_expr(&mut self, expr: Option<&'a Expr>) {
        if let Some(e) = expr {
            self.expr(e);
        }
    }

    fn expr(&mut self, expr: &'a Expr) {
        match &expr.kind {
            ExprKind::Call(call) => {
                let resolved = self
                    .cx
                    .file
                    .imports
                    .resolve_into(&call.func, &mut self.cx.callee_name);
                self.cx.callee = Some((call.func.span, resolved));
                self.each_rule(Hook::Call, |rule, cx, out| {
                    rule.on_call(cx, expr, call, out)
                });
                self.cx.callee = None;
            }
            ExprKind::Compare { .. } => self.each_rule(Hook::Compare, |rule, cx, out| {
                rule.on_compare(cx, expr, out)
            }),
            ExprKind::BoolOp { .. } => {
                self.each_rule(Hook::BoolOp, |rule, cx, out| rule.on_bool_op(cx, expr, out))
            }
            _ => {}
        }
        expr.for_each_child(|child| self.expr(child));
    }
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}
