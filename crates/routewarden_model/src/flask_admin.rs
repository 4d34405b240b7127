//! Flask-Admin: what an `Admin` serves. Each view registered with `admin.add_view(View(...))`
//! (and the `index_view=` of `Admin(...)`) becomes a blueprint at the view's URL, with a route
//! for every `@expose(url, methods=...)` method of the class and, for model views, the
//! library's own CRUD views. Every view runs `is_accessible()` first (`_handle_view`).
//! Facts from `flask_admin/base.py` (`Admin`, `BaseView._get_view_url`) and
//! `flask_admin/model/base.py` (`BaseModelView`).

use crate::apps::{class_attribute, class_hierarchy, class_lineage};
use crate::project::ProjectModel;
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Stmt};

/// What a project view class inherits from Flask-Admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewBase {
    /// `AdminIndexView`: the admin's home page (`index`, at `/admin` by default).
    Index,
    /// `BaseModelView` and the `ModelView` of every backend: the CRUD views.
    Model,
    /// `BaseView` and other library views (`FileAdmin`): only their `@expose` methods are
    /// modelled.
    Other,
}

/// A route the library declares on a view class: the method's name, its URL rule and methods.
pub type LibraryRoute = (&'static str, &'static str, &'static [&'static str]);

/// `BaseModelView`'s exposed methods (`flask_admin/model/base.py`).
const MODEL_ROUTES: &[LibraryRoute] = &[
    ("index_view", "/", &["GET"]),
    ("create_view", "/new/", &["GET", "POST"]),
    ("edit_view", "/edit/", &["GET", "POST"]),
    ("details_view", "/details/", &["GET"]),
    ("delete_view", "/delete/", &["POST"]),
    ("action_view", "/action/", &["POST"]),
    ("export", "/export/<export_type>/", &["GET"]),
    ("ajax_lookup", "/ajax/lookup/", &["GET"]),
    ("ajax_update", "/ajax/update/", &["POST"]),
];

/// `AdminIndexView.index`.
const INDEX_ROUTES: &[LibraryRoute] = &[("index", "/", &["GET"])];

/// Every name of a library view method, for the handlers that stand for them.
pub const LIBRARY_METHOD_NAMES: &[&str] = &[
    "index_view",
    "create_view",
    "edit_view",
    "details_view",
    "delete_view",
    "action_view",
    "export",
    "ajax_lookup",
    "ajax_update",
    "index",
];

/// The library routes a view class inherits. A method the project redefines replaces the
/// library's, and serves a route only if the project exposes it again.
pub fn library_routes(base: ViewBase) -> &'static [LibraryRoute] {
    match base {
        ViewBase::Index => INDEX_ROUTES,
        ViewBase::Model => MODEL_ROUTES,
        ViewBase::Other => &[],
    }
}

/// Whether a library view does anything for the class: `create_view` only redirects unless
/// `can_create`, `export` unless `can_export` (off by default), `details_view` unless
/// `can_view_details` (off by default), `ajax_update` answers an error without
/// `column_editable_list`, `ajax_lookup` without `form_ajax_refs`. A class attribute (here or
/// in a project base) that is literally false or empty switches the view off; one that is
/// not a literal leaves it on.
pub fn library_route_enabled(model: &ProjectModel, file: usize, class: &Class, name: &str) -> bool {
    let (attribute, default) = match name {
        "create_view" => ("can_create", true),
        "edit_view" => ("can_edit", true),
        "delete_view" => ("can_delete", true),
        "details_view" => ("can_view_details", false),
        "export" => ("can_export", false),
        "ajax_update" => ("column_editable_list", false),
        "ajax_lookup" => ("form_ajax_refs", false),
        _ => return true,
    };
    match class_attribute(model, file, class, attribute) {
        None => default,
        Some((_, value)) => match &value.kind {
            ExprKind::Bool(b) => *b,
            ExprKind::NoneLiteral => false,
            ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
                !items.is_empty()
            }
            ExprKind::Dict(entries) => !entries.is_empty(),
            _ => true,
        },
    }
}

/// What a project class inherits from Flask-Admin, if it is one of its views.
pub fn view_base(model: &ProjectModel, file: usize, class: &Class) -> Option<ViewBase> {
    let lineage = class_lineage(model, file, class);
    let names: Vec<&str> = lineage
        .iter()
        .filter(|q| q.starts_with("flask_admin."))
        .filter_map(|q| q.rsplit('.').next())
        .collect();
    if names.is_empty() {
        return None;
    }
    Some(if names.contains(&"AdminIndexView") {
        ViewBase::Index
    } else if names
        .iter()
        .any(|n| matches!(*n, "BaseModelView" | "ModelView"))
    {
        ViewBase::Model
    } else {
        ViewBase::Other
    })
}

/// `@expose(...)` of Flask-Admin (`flask_admin.expose`, `flask_admin.base.expose`).
pub fn is_expose(model: &ProjectModel, file: usize, func: &Expr) -> bool {
    model.files[file]
        .imports
        .resolve(func)
        .is_some_and(|q| q.starts_with("flask_admin.") && q.ends_with(".expose"))
}

/// A literal string argument, also through a constant.
fn literal(model: &ProjectModel, file: usize, expr: Option<&Expr>) -> Option<String> {
    let expr = expr?;
    model
        .resolve_value(file, &[], expr)
        .expr
        .as_str()
        .map(str::to_string)
}

/// The admin's URL: `Admin(url=...)`, else the URL of its `index_view=`, else `/admin`.
pub fn admin_url(model: &ProjectModel, file: usize, admin: &Call) -> String {
    if let Some(url) = literal(model, file, admin.argument("url", 2)) {
        return url;
    }
    admin
        .argument("index_view", 4)
        .and_then(Expr::as_call)
        .and_then(|index| literal(model, file, index.keyword("url")))
        .unwrap_or_else(|| "/admin".to_string())
}

/// The `super().__init__(...)` call of the class's nearest project `__init__`, with its file
/// and the function: a view passes its own `endpoint=`, `url=` or model there.
fn super_init<'a>(
    model: &'a ProjectModel,
    file: usize,
    class: &'a Class,
) -> Option<(usize, &'a routewarden_python::ast::Function, &'a Call)> {
    let (init_file, init) =
        class_hierarchy(model, file, class)
            .into_iter()
            .find_map(|(f, c)| {
                c.body.iter().find_map(|s| match s {
                    Stmt::FunctionDef(m) if m.name == "__init__" => Some((f, m.as_ref())),
                    _ => None,
                })
            })?;
    let mut found = None;
    crate::security::walk_all_exprs(&init.body, &mut |e| {
        if found.is_some() {
            return;
        }
        if let Some(call) = e.as_call()
            && let ExprKind::Attribute { value, attr } = &call.func.kind
            && attr == "__init__"
            && value
                .as_call()
                .is_some_and(|s| s.func.as_name() == Some("super"))
        {
            found = Some(call);
        }
    });
    Some((init_file, init, found?))
}

/// The URL prefix of a view the admin at `admin_url` registers, built by `view` (the
/// `View(...)` call, in `file`): `BaseView._get_view_url` with the view's `url=` and
/// `endpoint=` (given where it is built or passed to `super().__init__` by the class), the
/// endpoint defaulting to the class name in lower case, or for a model view to the model's
/// name. `{…}` stands for an endpoint that cannot be read.
pub fn view_url(
    model: &ProjectModel,
    file: usize,
    view: Option<&Call>,
    class_file: usize,
    class: &Class,
    base: ViewBase,
    admin_url: &str,
) -> String {
    let parent = super_init(model, class_file, class);
    let keyword = |name: &str| {
        literal(model, file, view.and_then(|v| v.keyword(name)))
            .or_else(|| parent.and_then(|(f, _, call)| literal(model, f, call.keyword(name))))
    };
    let url = keyword("url");
    if base == ViewBase::Index {
        // `AdminIndexView` passes `/admin` when it is given no URL.
        return match url {
            Some(u) if u.starts_with('/') => u,
            Some(u) => format!("{}/{u}", admin_url.trim_end_matches('/')),
            None => "/admin".to_string(),
        };
    }
    if let Some(u) = url {
        return if u.starts_with('/') {
            u
        } else {
            format!("{}/{u}", admin_url.trim_end_matches('/'))
        };
    }
    let endpoint = keyword("endpoint").or_else(|| match base {
        ViewBase::Model => model_name(model, file, view, parent),
        _ => Some(class.name.as_str().to_ascii_lowercase()),
    });
    let endpoint = endpoint.unwrap_or_else(|| "{…}".to_string());
    if admin_url == "/" {
        format!("/{endpoint}")
    } else {
        format!("{}/{endpoint}", admin_url.trim_end_matches('/'))
    }
}

/// A model view's default endpoint: the model's `__name__` in lower case. The model is the
/// first argument of `super().__init__` in the class's `__init__`, or of the view's
/// construction when the class has none: a project class, or a local built with a literal
/// `__name__=` (`types.SimpleNamespace(__name__="tag")`).
fn model_name(
    model: &ProjectModel,
    file: usize,
    view: Option<&Call>,
    parent: Option<(usize, &routewarden_python::ast::Function, &Call)>,
) -> Option<String> {
    let (arg_file, scope, arg) = match parent {
        Some((f, init, call)) => (f, vec![init], call.args.first()?),
        None => (file, Vec::new(), view?.args.first()?),
    };
    if matches!(arg.kind, ExprKind::Starred(_)) {
        return None;
    }
    if let Some((_, Some(Stmt::ClassDef(c)), _)) = model.resolve_definition(arg_file, arg) {
        return Some(c.name.as_str().to_ascii_lowercase());
    }
    let origin = model.resolve_value(arg_file, &scope, arg);
    let built = origin.expr.as_call()?;
    literal(model, origin.file, built.keyword("__name__")).map(|n| n.to_ascii_lowercase())
}
