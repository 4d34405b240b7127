use crate::data_models::{ModelKind, fields, is_sensitive_field, model_kind, named_class};
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::route_paths::literal_segments;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::last_assignment;
use routewarden_model::values::for_each_return;
use routewarden_python::ast::{Expr, ExprKind, Span};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A route that can send a password, password hash, secret, token, API key or similar field
    /// to the client: a `response_model` (or return annotation) that itself has such a field; an
    /// ORM or Pydantic object returned with no `response_model` or return annotation to filter
    /// it; Flask `jsonify(obj.__dict__)`, `vars(obj)`, a dump of every column; a returned dict
    /// literal carrying such a key. Models are read across modules, with fields inherited from
    /// project base classes (Pydantic, SQLModel, dataclasses, SQLAlchemy `Column` and
    /// `Mapped[...]`). Fields typed `SecretStr` or declared with `Field(exclude=True)`, routes
    /// with `response_model_exclude`/`response_model_include`, and token fields of login and
    /// token endpoints are not reported, nor are flags about a credential (`has_api_key`,
    /// `password_set`) and dict entries whose value is a boolean, number or `None`.
    ///
    /// ## Why is this dangerous
    /// Password hashes sent to the browser can be cracked offline; tokens and API keys in
    /// responses end up in logs, caches and browser history. Returning the ORM object directly
    /// means every column added later is published too.
    ///
    /// ## Example
    /// ```python
    /// @router.get("/users/{user_id}")
    /// def read_user(user_id: int, db: Session = Depends(get_db)):
    ///     return db.get(User, user_id)          # includes hashed_password
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// class UserOut(BaseModel):
    ///     id: int
    ///     email: str
    ///
    /// @router.get("/users/{user_id}", response_model=UserOut)
    /// ```
    pub static SENSITIVE_FIELD_IN_RESPONSE = {
        code: "RESP001",
        name: "sensitive-field-in-response",
        severity: High,
        confidence: Medium,
        cwe: 200,
        fix: "Return a response model that lists only the fields clients may see",
    }
}

pub struct SensitiveFieldInResponse;

fn issues_tokens(path: &str) -> bool {
    literal_segments(path).iter().any(|s| {
        matches!(
            s.as_str(),
            "token"
                | "login"
                | "signin"
                | "refresh"
                | "auth"
                | "jwt"
                | "access-token"
                | "oauth"
                | "oauth2"
                | "api-keys"
                | "apikeys"
                | "tokens"
                | "keys"
        )
    })
}

/// A field that may appear in this route's responses.
fn reportable(field: &str, path: &str) -> bool {
    if !is_sensitive_field(field) {
        return false;
    }
    let token_field =
        field.to_ascii_lowercase().contains("token") || field.to_ascii_lowercase().contains("key");
    !(token_field && issues_tokens(path))
}

impl Rule for SensitiveFieldInResponse {
    fn meta(&self) -> &'static RuleMeta {
        &SENSITIVE_FIELD_IN_RESPONSE
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        let mut seen = HashSet::default();
        for mounted in &surface.mounted {
            let route = surface.route(mounted);
            if !seen.insert(mounted.route) {
                continue;
            }
            let file = route.handler_file;
            let path = &mounted.full_path;
            if route.keyword("response_model_exclude").is_some()
                || route.keyword("response_model_include").is_some()
            {
                continue;
            }
            let declared = route
                .keyword("response_model")
                .or(route.handler.returns.as_ref());
            let declared_in = if route.keyword("response_model").is_some() {
                route.file
            } else {
                file
            };
            let mut report = |span: Span, message: String| {
                let mut f = Findings::new(route.file);
                f.report(&SENSITIVE_FIELD_IN_RESPONSE, span, message);
                out.extend(f.into_vec());
            };
            if let Some(declared) = declared {
                if declared.as_name() == Some("None")
                    || matches!(declared.kind, ExprKind::NoneLiteral)
                {
                    continue;
                }
                if let Some((f, class)) = named_class(cx.model, declared_in, declared) {
                    if model_kind(cx.model, f, class).is_some()
                        && let Some(field) = fields(cx.model, f, class)
                            .into_iter()
                            .find(|fl| !fl.hidden && reportable(&fl.name, path))
                    {
                        report(
                            route.span,
                            format!(
                                "{} {} responds with {}, which has the field `{}`",
                                route.methods.join(","),
                                path,
                                class.name,
                                field.name
                            ),
                        );
                    }
                    continue;
                }
            }
            // No filtering model: look at what the handler returns.
            let fastapi_filtered = declared.is_some();
            let scope = [route.handler];
            let mut found: Option<String> = None;
            for_each_return(&route.handler.body, &mut |value| {
                if found.is_some() {
                    return;
                }
                found = returned_secret(cx, file, &scope, value, path, fastapi_filtered);
            });
            if let Some(what) = found {
                report(
                    route.span,
                    format!("{} {} {what}", route.methods.join(","), path),
                );
            }
        }
    }
}

/// What sensitive data a returned expression carries, if any.
fn returned_secret(
    cx: &ProjectContext,
    file: usize,
    scope: &[&routewarden_python::ast::Function],
    value: &Expr,
    path: &str,
    filtered: bool,
) -> Option<String> {
    let imports = &cx.model.files[file].imports;
    // `jsonify(...)`, `make_response(...)`, `JSONResponse(...)`: look at the payload.
    let payload = match &value.kind {
        ExprKind::Call(c)
            if matches!(
                c.func.last_name(),
                Some("jsonify" | "make_response" | "JSONResponse" | "ORJSONResponse")
            ) =>
        {
            c.args.first().or_else(|| c.keyword("content"))
        }
        ExprKind::Tuple(items) => items.first(),
        _ => Some(value),
    }?;
    match &payload.kind {
        ExprKind::Attribute { attr, .. } if attr == "__dict__" => {
            return Some(
                "returns an object's __dict__: every attribute, secrets included".to_string(),
            );
        }
        ExprKind::Call(c) if imports.resolve(&c.func).as_deref() == Some("builtins.vars") => {
            return Some("returns vars(obj): every attribute, secrets included".to_string());
        }
        ExprKind::Dict(entries) => {
            // A literal value (`"has_token": False`) carries no secret.
            let key = entries
                .iter()
                .filter(|e| {
                    !matches!(
                        e.value.kind,
                        ExprKind::Bool(_) | ExprKind::NoneLiteral | ExprKind::Int(_)
                    )
                })
                .filter_map(|e| e.key.as_ref()?.as_str())
                .find(|k| reportable(k, path))?;
            return Some(format!("returns a dict with the key `{key}`"));
        }
        ExprKind::Comprehension { generators, .. } => {
            let every_column = generators.iter().any(|g| {
                g.iter.any(&mut |x| matches!(&x.kind, ExprKind::Attribute { attr, .. } if attr == "__table__" || attr == "columns"))
            });
            return every_column
                .then(|| "returns a dump of every column, secrets included".to_string());
        }
        _ => {}
    }
    if filtered {
        return None;
    }
    // An ORM object returned as is: `return user` where `user` came from a query on `User`.
    let origin_expr = match payload.as_name() {
        Some(name) => last_assignment(&scope[0].body, name).unwrap_or(payload),
        None => payload,
    };
    let mut class_found = None;
    origin_expr.any(&mut |x| {
        if class_found.is_none()
            && let Some((f, class)) = named_class(cx.model, file, x)
                .filter(|_| matches!(x.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }))
            && model_kind(cx.model, f, class) == Some(ModelKind::Orm)
            && let Some(field) = fields(cx.model, f, class)
                .into_iter()
                .find(|fl| !fl.hidden && reportable(&fl.name, path))
        {
            class_found = Some(format!(
                "returns a {} object with no response model, including the field `{}`",
                class.name, field.name
            ));
        }
        class_found.is_some()
    });
    class_found
}
