//! `routewarden routes`: the attack surface, one row per route with what protects it.

use crate::analysis::{self, Settings};
use routewarden_model::apps::When;
use routewarden_model::security::{AttackSurface, Protection};
use routewarden_python::ast::ExprKind;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Serialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Handler {
    pub file: String,
    pub line: u32,
    pub name: String,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Guard {
    pub mechanism: String,
    pub level: String,
    pub via: Option<String>,
    pub checks_role: bool,
    /// When it protects only conditionally: `if auth_string is not None`.
    pub condition: Option<String>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteRow {
    pub app: Option<String>,
    pub path: String,
    pub methods: Vec<String>,
    pub handler: Handler,
    pub authenticated: bool,
    pub auth: Vec<Guard>,
    pub rate_limited: bool,
    pub rate_limits: Vec<Guard>,
    pub response_model: Option<String>,
    /// The runtime condition the route's registration depends on (`settings.enable_oidc`):
    /// the route exists only when it holds.
    pub registered_if: Option<String>,
    /// Registered only in debug, development or test mode (`if app.debug:`, the condition in
    /// `registered_if`): production does not serve it.
    pub development_only: bool,
    /// FastAPI dependencies that answer the callers they turn away with a response they
    /// return instead of raising: not authentication (FastAPI hands the response to the
    /// handler as a value and runs it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub returns_instead_of_raising: Vec<String>,
}

fn guard(p: &Protection) -> Guard {
    Guard {
        mechanism: p.mechanism.clone(),
        level: p.level.as_str().to_string(),
        via: p.via.clone(),
        checks_role: p.checks_role,
        condition: p.condition.clone(),
    }
}

fn source_text(text: &str, span: routewarden_python::ast::Span) -> String {
    routewarden_model::apps::one_line(span.text(text))
}

/// The routes to show, and how many were left out as test code.
pub struct RouteList {
    pub rows: Vec<RouteRow>,
    pub test_routes_hidden: usize,
}

/// Every route of the project, sorted by app, path and method. Unless `include_tests`, routes
/// of applications built in test code, and routes registered or handled there, are left out
/// and counted: test suites build stub applications that are not the attack surface.
pub fn route_rows(
    paths: &[PathBuf],
    settings: &Settings,
    include_tests: bool,
) -> Result<RouteList, analysis::AnalysisError> {
    analysis::with_pool(analysis::effective_threads(settings.threads), || {
        let (model, problems) = analysis::build_model(paths, settings)?;
        let skipped: HashSet<usize> = problems.iter().map(|(i, _, _)| *i).collect();
        let surface = AttackSurface::build(&model, &settings.rules.security_names(), &|i| {
            skipped.contains(&i)
        });
        let mut test_routes_hidden = 0;
        let mut rows: Vec<RouteRow> = surface
            .mounted
            .iter()
            .zip(&surface.security)
            .filter(|(mounted, _)| {
                let route = surface.route(mounted);
                let app_file = surface.apps.app_of(mounted).map(|id| id.file);
                let in_tests = [Some(route.file), Some(route.handler_file), app_file]
                    .into_iter()
                    .flatten()
                    .any(|i| model.files[i].is_test());
                test_routes_hidden += usize::from(in_tests && !include_tests);
                include_tests || !in_tests
            })
            .map(|(mounted, security)| {
                let route = surface.route(mounted);
                let file = &model.files[route.handler_file];
                // `response_model=None` turns the model off; `-> None` declares no body.
                let registering = &model.files[route.file];
                let response_model = match route.keyword("response_model") {
                    Some(e) => Some(e)
                        .filter(|e| !matches!(e.kind, ExprKind::NoneLiteral))
                        .map(|e| source_text(registering.text(), e.span)),
                    None => route
                        .handler
                        .returns
                        .as_ref()
                        .filter(|r| !matches!(r.kind, ExprKind::NoneLiteral))
                        .map(|r| source_text(file.text(), r.span)),
                };
                let registered = surface.apps.registered_when(mounted, &surface.mounted);
                let name = match route.view_class {
                    Some(class) => format!("{}.{}", class.name, route.handler.name),
                    None => route.handler.name.to_string(),
                };
                RouteRow {
                    app: surface
                        .apps
                        .app_of(mounted)
                        .map(|id| surface.apps.display_object(id)),
                    methods: route.methods.clone(),
                    path: mounted.full_path.clone(),
                    handler: Handler {
                        file: file.display.clone(),
                        line: file.lines().row(route.handler.def_span.start),
                        name,
                    },
                    authenticated: security.is_authenticated(),
                    auth: security.auth.iter().map(guard).collect(),
                    rate_limited: security.is_rate_limited(),
                    rate_limits: if security.rate_limit_exempt {
                        Vec::new()
                    } else {
                        security.rate_limits.iter().map(guard).collect()
                    },
                    response_model,
                    registered_if: match &registered {
                        When::Always => None,
                        When::If(c, _) | When::DevOnly(c) => Some(c.clone()),
                    },
                    development_only: matches!(registered, When::DevOnly(_)),
                    returns_instead_of_raising: security.returned_answers.clone(),
                }
            })
            .collect();
        rows.sort();
        rows.dedup();
        Ok(RouteList {
            rows,
            test_routes_hidden,
        })
    })?
}

fn describe(guards: &[Guard]) -> String {
    if guards.is_empty() {
        return "none".to_string();
    }
    guards
        .iter()
        .map(|g| {
            let role = if g.checks_role { ", checks role" } else { "" };
            let only = g
                .condition
                .as_deref()
                .map(|c| format!(", only {c}"))
                .unwrap_or_default();
            match &g.via {
                Some(via) => format!("{} [{} {via}{role}{only}]", g.mechanism, g.level),
                None => format!("{} [{}{role}{only}]", g.mechanism, g.level),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// When a route is served, if not always: `only if settings.enable_oidc`.
fn existence(r: &RouteRow) -> Option<String> {
    let condition = r.registered_if.as_ref()?;
    Some(if r.development_only {
        format!("only in development or tests ({condition})")
    } else {
        format!("only if {condition}")
    })
}

pub fn render_json(rows: &[RouteRow]) -> String {
    let mut s = serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}

pub fn render_markdown(rows: &[RouteRow]) -> String {
    let mut out = String::from(
        "| app | method | path | auth | rate limit | response model | handler |\n|---|---|---|---|---|---|---|\n",
    );
    let cell = |s: &str| s.replace('|', "\\|");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | `{} | {} | {} | {} | `{}:{}` {} |",
            cell(r.app.as_deref().unwrap_or("-")),
            r.methods.join(", "),
            cell(&match existence(r) {
                Some(exists) => format!("{}`, {exists}", r.path),
                None => format!("{}`", r.path),
            }),
            cell(&describe(&r.auth)),
            cell(&describe(&r.rate_limits)),
            cell(r.response_model.as_deref().unwrap_or("-")),
            r.handler.file,
            r.handler.line,
            r.handler.name
        );
    }
    out
}

pub fn render_table(rows: &[RouteRow], test_routes_hidden: usize) -> String {
    let mut out = String::new();
    let mut current_app: Option<Option<&String>> = None;
    for r in rows {
        if current_app != Some(r.app.as_ref()) {
            current_app = Some(r.app.as_ref());
            let title = r
                .app
                .as_deref()
                .unwrap_or("(not mounted in an application found in the analysed code)");
            let _ = writeln!(out, "{}{title}", if out.is_empty() { "" } else { "\n" });
        }
        let _ = writeln!(out, "  {:<7} {}", r.methods.join(","), r.path);
        if let Some(exists) = existence(r) {
            let _ = writeln!(out, "          exists   {exists}");
        }
        let _ = writeln!(
            out,
            "          handler  {}:{} {}()",
            r.handler.file, r.handler.line, r.handler.name
        );
        let auth = if r.authenticated {
            describe(&r.auth)
        } else if !r.auth.is_empty() {
            format!("CONDITIONAL: {}", describe(&r.auth))
        } else {
            "NONE: anyone can call it".to_string()
        };
        let _ = writeln!(out, "          auth     {auth}");
        for dep in &r.returns_instead_of_raising {
            let _ = writeln!(
                out,
                "          note     {dep}: FastAPI hands it to the handler, which runs; \
                 not authentication"
            );
        }
        let _ = writeln!(out, "          limit    {}", describe(&r.rate_limits));
        if let Some(model) = &r.response_model {
            let _ = writeln!(out, "          returns  {model}");
        }
    }
    let open = rows.iter().filter(|r| !r.authenticated).count();
    let development = rows.iter().filter(|r| r.development_only).count();
    let _ = writeln!(
        out,
        "\n{} routes, {} without authentication{}.",
        rows.len(),
        open,
        if development > 0 {
            format!(" ({development} served only in development or tests)")
        } else {
            String::new()
        }
    );
    if test_routes_hidden > 0 {
        let _ = writeln!(
            out,
            "{test_routes_hidden} routes in test code not shown (--include-tests lists them)."
        );
    }
    out
}
