use crate::credentials::is_credential_name;
use crate::data_models::{
    ModelKind, SecretKind, fields, is_sensitive_field, model_kind, named_class, secret_kind,
};
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::helpers::identifier_words;
use crate::route_paths::literal_segments;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::security::{walk_functions, walk_stmts};
use routewarden_model::values::{attribute_assignments, for_each_return};
use routewarden_model::{ProjectModel, last_assignment};
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Function, Param, Stmt};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// A route that sends a stored secret to the client. Password-like fields (a password or
    /// its hash, a salt, a private key, an OTP seed, card and social-security numbers) are
    /// reported when the route's `response_model` (or return annotation) has one and the
    /// returned value may fill it. Token-like fields (tokens, API keys, client and signing
    /// secrets, credentials), which endpoints also legitimately issue, are reported only when
    /// the value is shown to come from storage: an ORM row loaded by the handler (a query, or a
    /// dependency typed with the table class, also through an `Annotated` alias) that has the
    /// same column, or a server-held secret (a module-level value whose name says it is one, or
    /// such an attribute of a module-level settings object, `client_config.STORE_AUTH_TOKEN`,
    /// also through a local the handler assigns from it). flask-restful's `@marshal_with(fields)`
    /// and `return marshal(obj, fields)` send only the keys of the fields mapping (nested ones
    /// included): only a sensitive key there is reported. Rows wrapped in an envelope of the
    /// declared model (`Page(count=n, results=[...])` for `response_model=Page[ClientOut]`, or
    /// a dict) count as returned, as do those of a dependency typed with a tuple of them
    /// (`rows, count = paginated` for `Paginated[Client]`, `Paginated = tuple[list[M], int]`):
    /// every route that sends stored rows through a model is reported alike.
    /// Also reported: an ORM row returned with no filtering model (`response_model=None`
    /// included) whose table has a secret column; Flask `jsonify(obj.__dict__)`, `vars(obj)`,
    /// a dump of every column; a returned dict whose entry reads a secret column of a row.
    /// Models are read across modules, with fields inherited from project base classes and
    /// the columns of fastapi-users' SQLAlchemy user tables (`hashed_password`). A row
    /// bound by tuple unpacking (`for user, role in rows`, `user, team = q.one()`) is the
    /// entity at the same position of the query's `select(User, Role)`/`query(User, Role)`.
    ///
    /// Not reported: fields typed `SecretStr`, or typed with no text whatever their name says
    /// (`strict_password_checking: bool`, `inter_token_latency_mean: float`, `Column(Boolean)`,
    /// `Mapped[datetime]`), declared with `Field(exclude=True)`, rewritten by
    /// a `@field_serializer` or by a `@field_validator` that returns something other than the
    /// value (a mask); routes with `response_model_exclude`/`response_model_include`; values
    /// passed through a redaction helper (`_redact_*`, `mask_*`, `sanitize_*`) or dumped with
    /// `exclude=`; a model a project function builds from a `SELECT` that names its columns and
    /// leaves the field out (`db.fetch_page("SELECT id, username FROM accounts",
    /// model=AccountOverview)`: the field keeps its default; `*` takes every column);
    /// the caller's own input returned, or a row looked up by the very value it
    /// returns; token-like fields of routes whose path is about credentials (`/token`,
    /// `/login`, `/auth/...`, `/mfa/...`, `/csrf-token`, `/api_key`, `/webhooks/{id}/secret`),
    /// of a row the handler itself creates, or whose secret it sets anew
    /// (`row.secret = ...`, `row.regenerate_secret()`): a new secret shown once to its owner;
    /// a password drawn from a random source in the handler (`secrets.choice`,
    /// `secrets.token_urlsafe`, a project helper returning one) and handed to the caller who
    /// asked for it: nothing stored leaves;
    /// token-like columns the project only ever stores encrypted (every assignment is an
    /// `encrypt_*(...)` call, a local holding one, or an empty value): the response carries
    /// ciphertext;
    /// password-like fields of a model that routes also take as input (a settings form read
    /// back by those who write it) unless a stored row fills them; names that describe
    /// something else (`input_cost_per_token`, `TOKEN_THRESHOLD`, `api_key_masked`,
    /// `has_api_key`, `changePassword`, `authorization_servers`); rows handed to a template
    /// rendered on the server (`render_template("users.html", users=User.select())`,
    /// `templates.TemplateResponse(...)`): the client gets the HTML the template writes.
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

/// A path whose purpose is a credential: issuing one (`/token`, `/login`, `/auth/...`, `/mfa`,
/// `/csrf-token`) or showing one to the caller that manages it (`/api_key`,
/// `/webhooks/{id}/secret`). A token, key or secret in its response is what it is for.
fn about_credentials(path: &str) -> bool {
    literal_segments(path).iter().any(|s| {
        identifier_words(s).iter().any(|w| {
            matches!(
                w.as_str(),
                "token"
                    | "tokens"
                    | "secret"
                    | "secrets"
                    | "key"
                    | "keys"
                    | "apikey"
                    | "apikeys"
                    | "csrf"
                    | "login"
                    | "signin"
                    | "logon"
                    | "auth"
                    | "auths"
                    | "oauth"
                    | "oauth2"
                    | "jwt"
                    | "refresh"
                    | "mfa"
                    | "otp"
                    | "totp"
                    | "sso"
                    | "authorize"
            )
        })
    })
}

/// Words of a function that removes or masks secrets: `_redact_credentials`,
/// `get_masked_values`, `sanitize_user`.
fn is_redaction(call: &Call) -> bool {
    // `obj.model_dump(exclude={...})`, `obj.dict(exclude=...)`: the caller picks what leaves.
    if matches!(&call.func.kind, ExprKind::Attribute { attr, .. } if matches!(attr.as_str(), "model_dump" | "dict" | "model_dump_json" | "json"))
        && call.keyword("exclude").is_some()
    {
        return true;
    }
    call.func.last_name().is_some_and(|n| {
        identifier_words(n).iter().any(|w| {
            matches!(
                w.as_str(),
                "redact"
                    | "redacted"
                    | "redaction"
                    | "mask"
                    | "masked"
                    | "masking"
                    | "sanitize"
                    | "sanitized"
                    | "sanitise"
                    | "sanitised"
                    | "scrub"
                    | "scrubbed"
                    | "obfuscate"
                    | "obfuscated"
                    | "censor"
                    | "censored"
                    | "anonymize"
                    | "anonymise"
                    | "anonymized"
            )
        })
    })
}

fn is_none(expr: &Expr) -> bool {
    expr.as_name() == Some("None") || matches!(expr.kind, ExprKind::NoneLiteral)
}

/// A value that carries nothing secret: a literal, a comparison, a negation.
fn is_inert(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::Bool(_)
            | ExprKind::NoneLiteral
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Compare { .. }
            | ExprKind::UnaryOp { .. }
            | ExprKind::List(_)
    ) && !matches!(&expr.kind, ExprKind::List(items) if !items.is_empty())
}

/// An ORM object the handler returns: its class, and whether the handler built it (a new row,
/// whose freshly generated secret is handed to its creator) rather than loaded it.
#[derive(Clone, Copy)]
struct Row<'a> {
    file: usize,
    class: &'a Class,
    constructed: bool,
    /// The query that loaded it, when known.
    query: Option<&'a Expr>,
}

struct Handler<'a> {
    model: &'a ProjectModel,
    file: usize,
    function: &'a Function,
    path: &'a str,
    encrypted: &'a EncryptedFields<'a>,
}

/// Attributes the project only ever stores encrypted (`user.store_api_key =
/// encrypt_api_key(key)`): what a response carries of them is ciphertext. Worked out per
/// attribute name, once, when a route would otherwise be reported for it.
struct EncryptedFields<'a> {
    model: &'a ProjectModel,
    known: std::cell::RefCell<rustc_hash::FxHashMap<String, bool>>,
}

impl EncryptedFields<'_> {
    fn contains(&self, field: &str) -> bool {
        if let Some(&known) = self.known.borrow().get(field) {
            return known;
        }
        let mut values = 0usize;
        let mut all_encrypted = true;
        for file in &self.model.files {
            let mut bodies = vec![file.body()];
            walk_functions(file.body(), &mut |function| bodies.push(&function.body));
            for body in bodies {
                for (_, value) in attribute_assignments(body, field) {
                    values += 1;
                    all_encrypted &= is_ciphertext(body, value);
                }
            }
        }
        let encrypted = values > 0 && all_encrypted;
        self.known.borrow_mut().insert(field.to_string(), encrypted);
        encrypted
    }
}

/// A value stored encrypted, or nothing: `encrypt_api_key(key)` (also through a local of
/// `body` assigned one), `""`, `None`.
fn is_ciphertext(body: &[Stmt], value: &Expr) -> bool {
    let value = match &value.kind {
        ExprKind::Await(inner) => inner.as_ref(),
        _ => value,
    };
    let encrypts = |v: &Expr| {
        let v = match &v.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => v,
        };
        v.as_call()
            .and_then(|c| c.func.last_name())
            .is_some_and(|n| n.to_ascii_lowercase().contains("encrypt"))
    };
    match &value.kind {
        ExprKind::NoneLiteral => true,
        ExprKind::Str(s) => s.is_empty(),
        ExprKind::Name(name) => {
            let assigned = crate::credentials::assigned_values(body, name);
            !assigned.is_empty() && assigned.into_iter().all(encrypts)
        }
        _ => encrypts(value),
    }
}

impl<'a> Handler<'a> {
    fn orm_class(&self, expr: &'a Expr) -> Option<(usize, &'a Class)> {
        if !matches!(expr.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
            return None;
        }
        let (f, class) = named_class(self.model, self.file, expr)?;
        (model_kind(self.model, f, class) == Some(ModelKind::Orm)).then_some((f, class))
    }

    fn param(&self, name: &str) -> Option<&'a Param> {
        self.function.params.iter().find(|p| p.name == name)
    }

    /// A request parameter returned as is: the caller's own input echoed back.
    fn is_echo(&self, expr: &Expr) -> bool {
        expr.as_name()
            .and_then(|n| self.param(n))
            .is_some_and(|p| self.dependency_type(p).is_none() && !is_dependency_param(p))
    }

    /// The type a dependency parameter holds: `user: User = Depends(...)`,
    /// `Annotated[User, Depends(...)]`, or an alias `CurrentUser = Annotated[User, Depends(...)]`.
    fn dependency_type(&self, p: &'a Param) -> Option<(usize, &'a Expr)> {
        let annotation = p.annotation.as_deref()?;
        if is_dependency_param(p) {
            return Some((self.file, annotated_inner(annotation).unwrap_or(annotation)));
        }
        if matches!(
            annotation.kind,
            ExprKind::Name(_) | ExprKind::Attribute { .. }
        ) && let Some((f, Some(Stmt::Assign { value: Some(v), .. }), _)) =
            self.model.resolve_definition(self.file, annotation)
            && let ExprKind::Subscript { slice, .. } = &v.kind
            && slice
                .elements()
                .is_some_and(|items| items.iter().skip(1).any(is_dependency_call))
        {
            return Some((f, annotated_inner(v)?));
        }
        None
    }

    /// The ORM row an expression evaluates to, followed through local assignments, dependency
    /// parameters typed with a table class, `Out.model_validate(row)` and comprehensions.
    fn row(&self, expr: &'a Expr, depth: u32) -> Option<Row<'a>> {
        if depth > 8 {
            return None;
        }
        match &expr.kind {
            ExprKind::Await(inner) => self.row(inner, depth + 1),
            ExprKind::Name(name) => {
                if let Some(p) = self.param(name) {
                    // `user: User = Depends(get_current_user)`: a row a dependency loaded.
                    let (f, annotation) = self.dependency_type(p)?;
                    return named_class(self.model, f, annotation)
                        .filter(|(f, c)| model_kind(self.model, *f, c) == Some(ModelKind::Orm))
                        .map(|(file, class)| Row {
                            file,
                            class,
                            constructed: false,
                            query: None,
                        });
                }
                if let Some(value) = last_assignment(&self.function.body, name) {
                    return self.row(value, depth + 1);
                }
                // `for user, role in rows:` / `user, role = result.first()`: the entity at the
                // same position of the query's `select(User, Role)`.
                let (index, source) = tuple_binding(&self.function.body, name)?;
                self.selected_entity(source, index, depth + 1)
            }
            ExprKind::Call(call) => {
                if is_redaction(call) {
                    return None;
                }
                if let Some((file, class)) = self.orm_class(&call.func) {
                    return Some(Row {
                        file,
                        class,
                        constructed: true,
                        query: None,
                    });
                }
                if let ExprKind::Attribute { attr, .. } = &call.func.kind
                    && matches!(
                        attr.as_str(),
                        "model_validate" | "from_orm" | "parse_obj" | "validate"
                    )
                {
                    return self.row(call.args.first()?, depth + 1);
                }
                self.queried(expr, 0).map(|r| Row {
                    query: Some(expr),
                    ..r
                })
            }
            ExprKind::IfExp { body, orelse, .. } => self
                .row(body, depth + 1)
                .or_else(|| self.row(orelse, depth + 1)),
            ExprKind::BoolOp { values, .. } => values.iter().find_map(|v| self.row(v, depth + 1)),
            ExprKind::List(items) | ExprKind::Tuple(items) | ExprKind::Set(items) => {
                items.iter().find_map(|v| self.row(v, depth + 1))
            }
            ExprKind::Comprehension {
                element,
                generators,
                value: None,
            } => {
                // `[Out.model_validate(row) for row in rows]`: the rows.
                let element = validated_arg(element);
                if let Some(name) = element.as_name()
                    && let Some(g) = generators.iter().find(|g| g.target.as_name() == Some(name))
                {
                    return self.row(&g.iter, depth + 1);
                }
                None
            }
            _ => None,
        }
    }

    /// The table class at `index` of the entities a query selects: `select(User, Role)`,
    /// `db.query(User, Role)`, `.with_entities(...)`, followed through local names.
    fn selected_entity(&self, source: &'a Expr, index: usize, depth: u32) -> Option<Row<'a>> {
        if depth > 8 {
            return None;
        }
        if let Some(name) = source.as_name() {
            // `rows, count = paginated` of a dependency typed `Paginated[Client]`.
            if let Some(p) = self.param(name) {
                let (f, annotation) = self.dependency_type(p)?;
                return self.typed_entity(f, annotation, index);
            }
            let value = last_assignment(&self.function.body, name)?;
            return self.selected_entity(value, index, depth + 1);
        }
        self.select_in(source, source, index, 0)
    }

    /// The table class at `index` of a tuple type: `tuple[list[Client], int]`, or a generic
    /// alias of one given the class (`Paginated[Client]` with `Paginated = tuple[list[M],
    /// int]`, `M` a `TypeVar`).
    fn typed_entity(&self, file: usize, annotation: &'a Expr, index: usize) -> Option<Row<'a>> {
        let ExprKind::Subscript { value, slice } = &annotation.kind else {
            return None;
        };
        let row = |f: usize, e: &'a Expr| {
            named_class(self.model, f, e)
                .filter(|(f, c)| model_kind(self.model, *f, c) == Some(ModelKind::Orm))
                .map(|(file, class)| Row {
                    file,
                    class,
                    constructed: false,
                    query: None,
                })
        };
        if matches!(value.last_name(), Some("tuple" | "Tuple")) {
            return row(file, slice.elements()?.get(index)?);
        }
        let Some((def_file, Some(Stmt::Assign { value: Some(v), .. }), _)) =
            self.model.resolve_definition(file, value)
        else {
            return None;
        };
        let ExprKind::Subscript {
            value: base,
            slice: items,
        } = &v.kind
        else {
            return None;
        };
        if !matches!(base.last_name(), Some("tuple" | "Tuple")) {
            return None;
        }
        let element = items.elements()?.get(index)?;
        // The element holds the alias's type variable: the class the annotation passes.
        let holds_type_variable = element.any(&mut |x| {
            x.as_name().is_some()
                && matches!(
                    self.model.resolve_definition(def_file, x),
                    Some((_, Some(Stmt::Assign { value: Some(tv), .. }), _))
                        if tv.as_call().and_then(|c| c.func.last_name()) == Some("TypeVar")
                )
        });
        if holds_type_variable {
            let argument = match slice.elements() {
                Some(arguments) => arguments.first()?,
                None => slice,
            };
            return row(file, argument);
        }
        row(def_file, element)
    }

    fn select_in(
        &self,
        source: &'a Expr,
        expr: &'a Expr,
        index: usize,
        depth: u32,
    ) -> Option<Row<'a>> {
        if depth > 12 {
            return None;
        }
        match &expr.kind {
            ExprKind::Call(call) => {
                if matches!(
                    call.func.last_name(),
                    Some("select" | "query" | "with_entities")
                ) && call.args.len() > 1
                {
                    return call.args.get(index).and_then(|entity| {
                        self.orm_class(entity).map(|(file, class)| Row {
                            file,
                            class,
                            constructed: false,
                            query: Some(source),
                        })
                    });
                }
                self.select_in(source, &call.func, index, depth + 1)
                    .or_else(|| {
                        call.args
                            .iter()
                            .find_map(|a| self.select_in(source, a, index, depth + 1))
                    })
            }
            ExprKind::Attribute { value, .. }
            | ExprKind::Subscript { value, .. }
            | ExprKind::Await(value) => self.select_in(source, value, index, depth + 1),
            _ => None,
        }
    }

    /// The table class a query names: `db.get(User, id)`, `db.query(User).first()`,
    /// `User.query.get(id)`, `session.scalars(select(User)).all()`, `User.objects.get(...)`.
    fn queried(&self, expr: &'a Expr, depth: u32) -> Option<Row<'a>> {
        if depth > 12 {
            return None;
        }
        let found = |(file, class)| Row {
            file,
            class,
            constructed: false,
            query: None,
        };
        match &expr.kind {
            ExprKind::Call(call) => {
                if self.orm_class(&call.func).is_some() {
                    // A row built here, as an argument: not what is returned.
                    return None;
                }
                // `func.count(User.id)`: an aggregate, not a row.
                if self.model.files[self.file]
                    .imports
                    .resolve(&call.func)
                    .is_some_and(|q| {
                        q.starts_with("sqlalchemy.func.") || q.starts_with("sqlalchemy.sql.func")
                    })
                {
                    return None;
                }
                // `self.to_json(User.query.all())`: a helper of the view shapes what it is
                // given (Flask-RESTful's `marshal` with a field list); the rows are not
                // returned as they are.
                if let ExprKind::Attribute { value, .. } = &call.func.kind
                    && value.as_name() == Some("self")
                {
                    return None;
                }
                let receiver = match &call.func.kind {
                    ExprKind::Attribute { value, .. } => self.queried(value, depth + 1),
                    _ => None,
                };
                // An argument names the table itself (`db.get(User, id)`, `select(User)`), or
                // is a query (`session.scalars(select(User))`); `User.id` is a column.
                receiver.or_else(|| {
                    call.argument_values().find_map(|a| match &a.kind {
                        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
                            self.orm_class(a).map(found)
                        }
                        _ => self.queried(a, depth + 1),
                    })
                })
            }
            ExprKind::Attribute { value, .. } => self
                .orm_class(expr)
                .map(found)
                .or_else(|| self.queried(value, depth + 1)),
            ExprKind::Name(_) => self.orm_class(expr).map(found),
            ExprKind::Await(inner) => self.queried(inner, depth + 1),
            ExprKind::Subscript { value, .. } => self.queried(value, depth + 1),
            _ => None,
        }
    }

    /// Whether the row was looked up by the caller's own value of `attr`
    /// (`filter_by(token=token_header)`, `Model.token == token_header`): sending it back
    /// tells the caller nothing new.
    fn looked_up_by(&self, row: Row, attr: &str) -> bool {
        let Some(query) = row.query else {
            return false;
        };
        let from_request = |e: &Expr| {
            e.as_name()
                .and_then(|n| self.param(n))
                .is_some_and(|p| !is_dependency_param(p))
        };
        query.any(&mut |x| match &x.kind {
            ExprKind::Call(c) => c
                .keywords
                .iter()
                .any(|k| k.arg.as_deref() == Some(attr) && from_request(&k.value)),
            ExprKind::Compare {
                left, comparators, ..
            } => {
                let names_attr =
                    |e: &Expr| matches!(&e.kind, ExprKind::Attribute { attr: a, .. } if a == attr);
                (names_attr(left) && comparators.iter().any(from_request))
                    || (from_request(left) && comparators.iter().any(names_attr))
            }
            _ => false,
        })
    }

    /// A page rendered on the server from a template: `render_template("users.html",
    /// users=User.select())`, `templates.TemplateResponse("users.html", {...})`, also wrapped
    /// in `make_response(...)`. The rows feed the template; the client gets the HTML it
    /// writes, which shows only the columns the template prints.
    fn renders_template(&self, value: &Expr) -> bool {
        let value = match &value.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => value,
        };
        let Some(call) = value.as_call() else {
            return false;
        };
        let imports = &self.model.files[self.file].imports;
        let qualified = imports.resolve(&call.func);
        match qualified.as_deref() {
            Some(
                "flask.render_template"
                | "flask.render_template_string"
                | "flask.stream_template"
                | "flask.stream_template_string"
                | "flask.templating.render_template"
                | "flask.templating.render_template_string"
                | "flask.templating.stream_template"
                | "flask.templating.stream_template_string"
                | "quart.render_template"
                | "quart.render_template_string"
                | "quart.templating.render_template"
                | "quart.templating.render_template_string",
            ) => return true,
            // `make_response(render_template(...), 200)`: the page, with a status.
            Some("flask.make_response" | "quart.make_response") => {
                return call.args.first().is_some_and(|a| self.renders_template(a));
            }
            _ => {}
        }
        // `templates.TemplateResponse(...)` on a Starlette `Jinja2Templates` instance.
        if let ExprKind::Attribute {
            value: object,
            attr,
        } = &call.func.kind
            && attr == "TemplateResponse"
        {
            let class = self
                .model
                .instance_class(self.file, &[self.function], object);
            return matches!(
                class.as_deref(),
                Some("starlette.templating.Jinja2Templates" | "fastapi.templating.Jinja2Templates")
            );
        }
        false
    }

    /// The row a peewee `model_to_dict(row)` dumps whole: every column, unless the call picks
    /// them (`only=`, `exclude=`, `fields_from_query=`, `extra_attrs=` aside).
    fn column_dump<'e>(&self, value: &'e Expr) -> Option<&'e Expr> {
        let call = value.as_call()?;
        let imports = &self.model.files[self.file].imports;
        if imports.resolve(&call.func).as_deref() != Some("playhouse.shortcuts.model_to_dict") {
            return None;
        }
        if call.keywords.iter().any(|k| {
            k.arg.is_none()
                || matches!(
                    k.arg.as_deref(),
                    Some("only" | "exclude" | "fields_from_query")
                )
        }) {
            return None;
        }
        call.args.first()
    }

    /// A secret the server holds for itself, read from module state: `API_KEY`,
    /// `user_api_key_cache.cache_dict` (a global whose name says it holds credentials).
    fn server_held(&self, expr: &Expr) -> Option<String> {
        let mut root = expr;
        while let ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } = &root.kind
        {
            root = value;
        }
        let name = root.as_name()?;
        (self.param(name).is_none()
            && !binds_locally(&self.function.body, name)
            && is_sensitive_field(name))
        .then(|| name.to_string())
    }

    /// A secret read from a module-level settings object (an instance of a class named for
    /// configuration or settings): `client_config.STORE_AUTH_TOKEN`, also through `token or
    /// None` and a local assigned from it (`token = client_config.STORE_AUTH_TOKEN` under `if
    /// not client_config.EXCLUDE_SECRETS:`). Its text, `client_config.STORE_AUTH_TOKEN`.
    fn settings_secret(&self, expr: &Expr, depth: u32) -> Option<String> {
        match &expr.kind {
            ExprKind::BoolOp { values, .. } => {
                values.iter().find_map(|v| self.settings_secret(v, depth))
            }
            ExprKind::IfExp { body, orelse, .. } => self
                .settings_secret(body, depth)
                .or_else(|| self.settings_secret(orelse, depth)),
            ExprKind::Name(name) if depth == 0 && self.param(name).is_none() => {
                let mut found = None;
                walk_stmts(&self.function.body, &mut |stmt| {
                    if found.is_none()
                        && let Stmt::Assign {
                            targets,
                            value: Some(value),
                            ..
                        } = stmt
                        && matches!(targets.as_slice(), [t] if t.as_name() == Some(name.as_str()))
                    {
                        found = self.settings_secret(value, depth + 1);
                    }
                });
                found
            }
            ExprKind::Attribute { value, attr } => {
                let root = value.as_name()?;
                if !is_sensitive_field(attr)
                    || self.param(root).is_some()
                    || binds_locally(&self.function.body, root)
                {
                    return None;
                }
                let class = self
                    .model
                    .instance_class(self.file, &[self.function], value)?;
                let class_name = class.rsplit('.').next().unwrap_or(&class);
                if !identifier_words(class_name)
                    .iter()
                    .any(|w| matches!(w.as_str(), "config" | "settings" | "conf"))
                {
                    return None;
                }
                // `strict_password_checking: bool = True`: a switch, not a secret.
                if let Some((f, Stmt::ClassDef(c))) = self.model.definition(&class)
                    && fields(self.model, f, c)
                        .iter()
                        .any(|field| field.name == *attr && field.non_text)
                {
                    return None;
                }
                Some(format!("{root}.{attr}"))
            }
            _ => None,
        }
    }

    /// Whether a secret of `kind` read from storage leaves through this route.
    fn leaks(&self, kind: SecretKind, row: Option<Row>) -> bool {
        match kind {
            SecretKind::Verifier => true,
            SecretKind::Token => {
                !about_credentials(self.path) && row.is_none_or(|r| !r.constructed)
            }
        }
    }

    /// Whether the handler gives `field` a new value before responding: `row.secret = ...`,
    /// `row.regenerate_secret()`. The response then issues the new secret.
    fn reissued(&self, field: &str) -> bool {
        let field_words = identifier_words(field);
        let mut found = false;
        crate::untrusted_walk(&self.function.body, &mut |e| {
            if let Some(call) = e.as_call()
                && let ExprKind::Attribute { attr, .. } = &call.func.kind
            {
                let words = identifier_words(attr);
                found |= words.len() > field_words.len()
                    && field_words.iter().all(|w| words.contains(w));
            }
        });
        found || assigns_attribute(&self.function.body, field)
    }

    /// A secret an explicit entry (`"key": value` or `key=value`) carries from storage:
    /// `user.hashed_password` of a loaded row, or a server-held credential.
    fn entry_secret(&self, key: Option<&str>, value: &'a Expr) -> Option<String> {
        if let ExprKind::Attribute {
            value: object,
            attr,
        } = &value.kind
            && let Some(row) = self.row(object, 0)
            && let Some(kind) = secret_kind(attr)
            && fields(self.model, row.file, row.class)
                .iter()
                .any(|f| f.name == *attr && f.may_hold_secret())
            && self.leaks(kind, Some(row))
            && (kind == SecretKind::Verifier || !self.reissued(attr))
            && !self.looked_up_by(row, attr)
        {
            return Some(format!("{}.{attr}", row.class.name));
        }
        if let Some(key) = key
            && let Some(kind) = secret_kind(key)
            && let Some(root) = self
                .server_held(value)
                .or_else(|| self.settings_secret(value, 0))
            && self.leaks(kind, None)
        {
            return Some(format!("the server-side `{root}`"));
        }
        // A whole row nested in the payload: `{"user": user}`.
        if let Some(row) = self.row(value, 0)
            && let Some(field) = self.row_secret(row)
        {
            return Some(format!("{}.{field}", row.class.name));
        }
        None
    }

    /// A value drawn from a random source in this request: `secrets.token_urlsafe(24)`,
    /// `"".join(secrets.choice(ALPHABET) for _ in range(16))`, a local assigned only such
    /// values, or a project function that returns one (`new_password()`).
    fn generated(&self, value: &Expr, depth: u32) -> bool {
        self.generated_in(self.file, &self.function.body, value, depth)
    }

    fn generated_in(&self, file: usize, body: &[Stmt], value: &Expr, depth: u32) -> bool {
        if depth > 3 {
            return false;
        }
        match &value.kind {
            ExprKind::Name(name) => {
                let assigned = crate::credentials::assigned_values(body, name);
                !assigned.is_empty()
                    && assigned
                        .into_iter()
                        .all(|v| self.generated_in(file, body, v, depth + 1))
            }
            ExprKind::Call(call) => {
                let imports = &self.model.files[file].imports;
                let random = |e: &Expr| {
                    e.any(&mut |x| {
                        x.as_call().is_some_and(|c| {
                            imports.resolve(&c.func).is_some_and(|q| {
                                (q.starts_with("secrets.") && q != "secrets.compare_digest")
                                    || q.starts_with("random.")
                                    || matches!(q.as_str(), "os.urandom" | "uuid.uuid4")
                            })
                        })
                    })
                };
                if random(value) {
                    return true;
                }
                let Some((def_file, Some(Stmt::FunctionDef(helper)), _)) =
                    self.model.resolve_definition(file, &call.func)
                else {
                    return false;
                };
                let mut all = true;
                let mut any = false;
                for_each_return(&helper.body, &mut |v| {
                    any = true;
                    all &= self.generated_in(def_file, &helper.body, v, depth + 1);
                });
                any && all
            }
            _ => false,
        }
    }

    /// The first field of a row that leaks when the whole row is sent.
    fn row_secret(&self, row: Row) -> Option<String> {
        fields(self.model, row.file, row.class)
            .into_iter()
            .find(|f| {
                f.may_hold_secret()
                    && secret_kind(&f.name).is_some_and(|kind| {
                        self.leaks(kind, Some(row))
                            && (kind == SecretKind::Verifier || !self.reissued(&f.name))
                    })
                    && !self.looked_up_by(row, &f.name)
            })
            .map(|f| f.name)
    }
}

/// Whether the function's own statements bind `name`, in any form: an assignment (also of a
/// tuple: `auth_token, expires_at = await create_token(org_id)`), a loop or `with` target, an
/// `except ... as` name. Such a name is a local of the handler, not module state.
fn binds_locally(body: &[Stmt], name: &str) -> bool {
    let names = |e: &Expr| e.any(&mut |x| x.as_name() == Some(name));
    let mut found = false;
    walk_stmts(body, &mut |stmt| {
        found |= match stmt {
            Stmt::Assign { targets, .. } => targets.iter().any(names),
            Stmt::AugAssign { target, .. } => names(target),
            Stmt::For { target, .. } => names(target),
            Stmt::With { items, .. } => items.iter().any(|i| i.target.as_ref().is_some_and(names)),
            Stmt::Try { handlers, .. } => handlers.iter().any(|h| h.name.as_deref() == Some(name)),
            _ => false,
        };
    });
    found
}

/// The last tuple binding of `name` in `body`: `for a, b in source` or `a, b = source`,
/// with the position of `name` in the tuple.
fn tuple_binding<'a>(body: &'a [Stmt], name: &str) -> Option<(usize, &'a Expr)> {
    let position = |target: &Expr| match &target.kind {
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            items.iter().position(|i| i.as_name() == Some(name))
        }
        _ => None,
    };
    let mut found = None;
    for stmt in body {
        match stmt {
            Stmt::For { target, iter, .. } => {
                if let Some(i) = position(target) {
                    found = Some((i, &**iter));
                }
            }
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => {
                if let Some(i) = targets.iter().find_map(position) {
                    found = Some((i, value));
                }
            }
            _ => {}
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        for child in stmt.child_bodies() {
            if let Some(f) = tuple_binding(child, name) {
                found = Some(f);
            }
        }
    }
    found
}

/// Whether a body assigns `<something>.field = ...`.
fn assigns_attribute(body: &[Stmt], field: &str) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Assign { targets, .. } => targets
            .iter()
            .any(|t| matches!(&t.kind, ExprKind::Attribute { attr, .. } if attr == field)),
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        other => other.child_bodies().any(|b| assigns_attribute(b, field)),
    })
}

/// `Depends(...)`/`Security(...)`: a value the application computes, not one the client sent.
fn is_dependency_param(p: &Param) -> bool {
    p.default.as_deref().is_some_and(is_dependency_call)
        || p.annotation.as_deref().is_some_and(|a| {
            matches!(&a.kind, ExprKind::Subscript { slice, .. }
                if slice.elements().is_some_and(|items| items.iter().skip(1).any(is_dependency_call)))
        })
}

fn is_dependency_call(e: &Expr) -> bool {
    e.as_call()
        .is_some_and(|c| matches!(c.func.last_name(), Some("Depends" | "Security")))
}

/// `Out.model_validate(x)` -> `x`; anything else as is.
fn validated_arg(expr: &Expr) -> &Expr {
    if let ExprKind::Call(call) = &expr.kind
        && let ExprKind::Attribute { attr, .. } = &call.func.kind
        && matches!(attr.as_str(), "model_validate" | "from_orm" | "parse_obj")
        && let Some(first) = call.args.first()
    {
        return first;
    }
    expr
}

/// `Annotated[T, ...]` -> `T`.
fn annotated_inner(annotation: &Expr) -> Option<&Expr> {
    let ExprKind::Subscript { value, slice } = &annotation.kind else {
        return None;
    };
    if value.last_name() != Some("Annotated") {
        return None;
    }
    slice.elements()?.first()
}

/// The payload of a returned value: `jsonify(x)`, `JSONResponse(content=x)`, `(x, 200)`.
fn payload(value: &Expr) -> Option<&Expr> {
    match &value.kind {
        ExprKind::Call(c)
            if matches!(
                c.func.last_name(),
                Some(
                    "jsonify"
                        | "make_response"
                        | "JSONResponse"
                        | "ORJSONResponse"
                        | "UJSONResponse"
                )
            ) =>
        {
            c.args.first().or_else(|| c.keyword("content"))
        }
        ExprKind::Tuple(items) => items.first(),
        ExprKind::Await(inner) => payload(inner),
        _ => Some(value),
    }
}

/// The explicit entries of a payload built in place: a dict literal without `**`, or keyword
/// arguments of a model constructor. `None` for anything else.
fn explicit_entries<'e>(
    model: &ProjectModel,
    file: usize,
    payload: &'e Expr,
) -> Option<Vec<(Option<&'e str>, &'e Expr)>> {
    match &payload.kind {
        ExprKind::Dict(entries) if entries.iter().all(|e| e.key.is_some()) => Some(
            entries
                .iter()
                .map(|e| (e.key.as_ref().and_then(|k| k.as_str()), &e.value))
                .collect(),
        ),
        ExprKind::Call(call)
            if call.keywords.iter().all(|k| k.arg.is_some())
                && call.args.is_empty()
                && named_class(model, file, &call.func)
                    .is_some_and(|(f, c)| model_kind(model, f, c).is_some()) =>
        {
            Some(
                call.keywords
                    .iter()
                    .map(|k| (k.arg.as_deref(), &k.value))
                    .collect(),
            )
        }
        _ => None,
    }
}

impl Rule for SensitiveFieldInResponse {
    fn meta(&self) -> &'static RuleMeta {
        &SENSITIVE_FIELD_IN_RESPONSE
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let surface = cx.surface;
        // Models that routes take as input: settings forms that callers write and read back.
        let mut inputs: HashSet<(usize, u32)> = HashSet::default();
        for route in &surface.apps.routes {
            for p in &route.handler.params {
                if is_dependency_param(p) {
                    continue;
                }
                if let Some(a) = &p.annotation
                    && let Some((f, class)) = named_class(
                        cx.model,
                        route.handler_file,
                        annotated_inner(a).unwrap_or(a),
                    )
                {
                    inputs.insert((f, class.span.start));
                }
            }
        }
        let encrypted = EncryptedFields {
            model: cx.model,
            known: Default::default(),
        };
        let mut seen = HashSet::default();
        for mounted in &surface.mounted {
            let route = surface.route(mounted);
            if !seen.insert(mounted.route) {
                continue;
            }
            if route.keyword("response_model_exclude").is_some()
                || route.keyword("response_model_include").is_some()
            {
                continue;
            }
            // `response_model=None` turns filtering off; the return annotation is then unused.
            let declared = match route.keyword("response_model") {
                Some(e) if is_none(e) => None,
                Some(e) => Some((e, route.file)),
                None => match route.handler.returns.as_ref() {
                    Some(r) if is_none(r) => continue,
                    Some(r) => Some((r, route.handler_file)),
                    None => None,
                },
            };
            let handler = Handler {
                model: cx.model,
                file: route.handler_file,
                function: route.handler,
                path: &mounted.full_path,
                encrypted: &encrypted,
            };
            if let Some(what) = check_route(&handler, declared, &inputs) {
                let mut f = Findings::new(route.file);
                f.report(
                    &SENSITIVE_FIELD_IN_RESPONSE,
                    route.span,
                    format!("{} {} {what}", route.methods.join(","), mounted.full_path),
                );
                out.extend(f.into_vec());
            }
        }
    }
}

/// What a route sends that it should not, if anything.
fn check_route<'a>(
    h: &Handler<'a>,
    declared: Option<(&'a Expr, usize)>,
    inputs: &HashSet<(usize, u32)>,
) -> Option<String> {
    let mut returns: Vec<&'a Expr> = Vec::new();
    for_each_return(&h.function.body, &mut |v| {
        if let Some(p) = payload(v) {
            returns.push(p);
        }
    });
    // Values that say nothing of storage: the caller's own body, a redacted copy, or a page
    // rendered on the server.
    returns.retain(|v| {
        !h.is_echo(v)
            && !v.as_call().is_some_and(is_redaction)
            && !is_none(v)
            && !h.renders_template(v)
    });
    // flask-restful's response filter, `@marshal_with(fields)` on the handler or `return
    // marshal(obj, fields)`: only the keys of the fields mapping leave.
    if let Some(keys) = marshal_with_keys(h) {
        return marshalled_leak(h, keys.as_deref(), &returns);
    }
    let mut marshalled = None;
    returns.retain(|v| match marshal_call(h, v) {
        Some((object, keys)) => {
            if marshalled.is_none() {
                marshalled = marshalled_leak(h, keys.as_deref(), &[object]);
            }
            false
        }
        None => true,
    });
    if marshalled.is_some() {
        return marshalled;
    }
    let declared_class = declared.and_then(|(e, f)| {
        named_class(h.model, f, e).filter(|(df, c)| model_kind(h.model, *df, c).is_some())
    });
    if let Some((df, class)) = declared_class {
        let input = inputs.contains(&(df, class.span.start));
        return declared_leak(h, df, class, input, &returns);
    }
    // Without a model, or with one the analysis cannot read (then trusted to filter, unless it
    // is a plain mapping).
    let filtered = declared.is_some_and(|(e, f)| {
        let q = h.model.files[f].imports.resolve(e);
        let base = match &e.kind {
            ExprKind::Subscript { value, .. } => h.model.files[f].imports.resolve(value),
            _ => q.clone(),
        };
        !matches!(
            base.as_deref(),
            Some(
                "builtins.dict"
                    | "typing.Dict"
                    | "typing.Any"
                    | "typing.Mapping"
                    | "builtins.object"
            )
        ) && !matches!(e.as_name(), Some("dict" | "object"))
    });
    for value in returns {
        if let Some(what) = returned_secret(h, value, filtered) {
            return Some(what);
        }
    }
    None
}

/// flask-restful's (and flask-restx's) marshalling functions.
const MARSHAL_WITH: &[&str] = &[
    "flask_restful.marshal_with",
    "flask_restx.marshal_with",
    "flask_restx.marshal_list_with",
    "flask_restplus.marshal_with",
    "flask_restplus.marshal_list_with",
];
const MARSHAL: &[&str] = &[
    "flask_restful.marshal",
    "flask_restx.marshal",
    "flask_restplus.marshal",
];

/// The keys of the fields mapping a handler's `@marshal_with(fields)` decorator sends (also
/// flask-restx's `@ns.marshal_with(model)`): `Some(None)` when the mapping cannot be read (a
/// filter all the same), `None` without such a decorator.
fn marshal_with_keys(h: &Handler) -> Option<Option<Vec<String>>> {
    let source = &h.model.files[h.file];
    h.function.decorators.iter().find_map(|d| {
        let call = d.as_call()?;
        let by_name = source
            .imports
            .resolve(&call.func)
            .is_some_and(|q| MARSHAL_WITH.contains(&q.as_str()));
        // `@ns.marshal_with(model)`: a method of flask-restx's `Namespace`/`Api`.
        let by_method = matches!(&call.func.kind, ExprKind::Attribute { attr, .. }
                if matches!(attr.as_str(), "marshal_with" | "marshal_list_with"))
            && (source.imports_module("flask_restx") || source.imports_module("flask_restplus"));
        (by_name || by_method)
            .then(|| marshal_keys(h.model, h.file, &[h.function], call.args.first()?, 0))
    })
}

/// `marshal(obj, fields)` returned: the object and the keys of the fields mapping (`None` when
/// the mapping cannot be read).
fn marshal_call<'a>(h: &Handler<'a>, value: &'a Expr) -> Option<(&'a Expr, Option<Vec<String>>)> {
    let call = value.as_call()?;
    let q = h.model.files[h.file].imports.resolve(&call.func)?;
    if !MARSHAL.contains(&q.as_str()) {
        return None;
    }
    let object = call.args.first()?;
    let fields = call.args.get(1).or_else(|| call.keyword("fields"));
    Some((
        object,
        fields.and_then(|f| marshal_keys(h.model, h.file, &[h.function], f, 0)),
    ))
}

/// The keys a flask-restful fields mapping sends, those of nested mappings included
/// (`fields.List(fields.Nested(ACCOUNT_FIELDS))`), followed through constants.
fn marshal_keys(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    fields: &Expr,
    depth: u32,
) -> Option<Vec<String>> {
    if depth > 6 {
        return None;
    }
    match &fields.kind {
        ExprKind::Dict(entries) => {
            let mut keys = Vec::new();
            for entry in entries {
                let nested = match &entry.key {
                    Some(key) => {
                        keys.push(key.as_str()?.to_string());
                        // `fields.Nested(OTHER)`, `fields.List(fields.Nested(OTHER))`.
                        let mut value = &entry.value;
                        while let Some(call) = value.as_call()
                            && matches!(call.func.last_name(), Some("List" | "Nested"))
                            && let Some(inner) = call.args.first()
                        {
                            value = inner;
                        }
                        (!std::ptr::eq(value, &entry.value)
                            && !matches!(value.kind, ExprKind::Call(_)))
                        .then_some(value)
                    }
                    // `**BASE_FIELDS`.
                    None => Some(&entry.value),
                };
                if let Some(nested) = nested {
                    keys.extend(marshal_keys(model, file, scope, nested, depth + 1)?);
                }
            }
            Some(keys)
        }
        // flask-restx's `ns.model("Account", {...})`.
        ExprKind::Call(call) if call.func.last_name() == Some("model") => {
            marshal_keys(model, file, scope, call.args.get(1)?, depth + 1)
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            let origin = model.follow(file, scope, fields)?;
            if std::ptr::eq(origin.expr, fields) {
                return None;
            }
            marshal_keys(model, origin.file, &origin.scope, origin.expr, depth + 1)
        }
        _ => None,
    }
}

/// The first key of a fields mapping that sends a secret of what the handler returns: a
/// password-like key whatever the value, a token-like one when a returned row of the table
/// fills it. Unreadable keys (`None`) send nothing known.
fn marshalled_leak<'a>(
    h: &Handler<'a>,
    keys: Option<&[String]>,
    returns: &[&'a Expr],
) -> Option<String> {
    let keys = keys?;
    for key in keys {
        let Some(kind) = secret_kind(key) else {
            continue;
        };
        let leaks = match kind {
            SecretKind::Verifier => !returns.is_empty(),
            SecretKind::Token => returns.iter().any(|value| {
                h.row(value, 0).is_some_and(|r| {
                    fields(h.model, r.file, r.class)
                        .iter()
                        .any(|f| f.name == *key && f.may_hold_secret())
                        && !h.looked_up_by(r, key)
                        && h.leaks(kind, Some(r))
                        && !h.reissued(key)
                        && !h.encrypted.contains(key)
                })
            }),
        };
        if leaks {
            return Some(format!("marshals its answer with the field `{key}`"));
        }
    }
    None
}

/// The columns a value read by SQL the project writes out can hold: a call of a project
/// function whose every return is a row model built from a literal `SELECT` naming its
/// columns (`db.fetch_page("SELECT id, username FROM accounts", model=AccountOverview)`, also
/// awaited) or a constructor of literals and empty collections (`Page(data=[], total=0)`).
/// The model's other fields keep their defaults. `None` when a return is anything else, or a
/// column list cannot be read or takes every column (`*`, `accounts.*`).
fn selected_columns(model: &ProjectModel, file: usize, value: &Expr) -> Option<Vec<String>> {
    let call = value.as_call()?;
    let (_, Some(Stmt::FunctionDef(helper)), _) = model.resolve_definition(file, &call.func)?
    else {
        return None;
    };
    let mut columns = Some(Vec::new());
    let mut selects = false;
    for_each_return(&helper.body, &mut |v| {
        let Some(known) = columns.as_mut() else {
            return;
        };
        let v = match &v.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => v,
        };
        let Some(c) = v.as_call() else {
            columns = None;
            return;
        };
        if c.keyword("model").is_some() {
            match c.args.first().and_then(Expr::as_str).and_then(select_list) {
                Some(names) => {
                    selects = true;
                    known.extend(names);
                }
                None => columns = None,
            }
        } else if !c.argument_values().all(is_inert) {
            columns = None;
        }
    });
    columns.filter(|_| selects)
}

/// The names of the columns a `SELECT` statement's text returns, read up to its top-level
/// `FROM`: an alias (`... AS wallet_count`), the last part of a column (`accounts.email`), or
/// for another unaliased expression every name in it. `None` for other statements, a list
/// without `FROM`, or one taking every column (`*`, `accounts.*`).
fn select_list(sql: &str) -> Option<Vec<String>> {
    let text = sql.trim_start();
    let rest = text
        .get(..6)
        .filter(|w| w.eq_ignore_ascii_case("select"))
        .and_then(|_| text.get(6..))?;
    let mut items: Vec<&str> = Vec::new();
    let mut depth = 0u32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut end = None;
    let mut previous = ' ';
    for (i, ch) in rest.char_indices() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
        } else {
            match ch {
                '\'' | '"' | '`' => quote = Some(ch),
                '(' => depth = depth.saturating_add(1),
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    items.push(rest.get(start..i)?);
                    start = i.saturating_add(1);
                }
                'f' | 'F'
                    if depth == 0
                        && (previous.is_whitespace() || previous == ')')
                        && rest.get(i..).is_some_and(|r| {
                            r.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("from"))
                                && r.get(4..).is_some_and(|after| {
                                    after.chars().next().is_none_or(char::is_whitespace)
                                })
                        }) =>
                {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        previous = ch;
    }
    items.push(rest.get(start..end?)?);
    let mut names = Vec::new();
    for item in items {
        let item = item.trim();
        let item = item
            .get(..9)
            .filter(|w| w.eq_ignore_ascii_case("distinct "))
            .and_then(|_| item.get(9..))
            .unwrap_or(item)
            .trim();
        if item.is_empty() || item.ends_with('*') {
            return None;
        }
        let unquote = |w: &str| {
            w.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'))
                .to_string()
        };
        let words: Vec<&str> = item.split_whitespace().collect();
        let simple = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '`');
        match words.as_slice() {
            [.., as_, alias] if as_.eq_ignore_ascii_case("as") => names.push(unquote(alias)),
            [column] if column.chars().all(simple) => {
                names.push(unquote(column.rsplit('.').next().unwrap_or(column)))
            }
            _ => names.extend(
                item.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
            ),
        }
    }
    Some(names)
}

/// A declared response model's sensitive field that the returned values fill from storage.
/// Password-like fields leak whenever a returned value may fill them (unless the model is also
/// a request model: a settings form read back by those who write it); token-like fields only
/// when the value is shown to come from a stored row or a server-held secret.
fn declared_leak<'a>(
    h: &Handler<'a>,
    df: usize,
    class: &'a Class,
    input: bool,
    returns: &[&'a Expr],
) -> Option<String> {
    let sensitive: Vec<(String, SecretKind)> = fields(h.model, df, class)
        .into_iter()
        .filter(|f| f.may_hold_secret())
        .filter_map(|f| secret_kind(&f.name).map(|k| (f.name, k)))
        .collect();
    if sensitive.is_empty() {
        return None;
    }
    let mut pending: Vec<&'a Expr> = returns.to_vec();
    let mut next = 0;
    while let Some(&value) = pending.get(next) {
        next += 1;
        if let Some(entries) = explicit_entries(h.model, h.file, value) {
            // An envelope around the declared model (`Page(count=n, results=[...])` for
            // `response_model=Page[ClientOut]`, a dict of the same): none of its keys is a
            // field of the model, whose rows are among its values.
            let declared_fields = fields(h.model, df, class);
            if !entries.is_empty()
                && entries.iter().all(|(key, _)| {
                    key.is_none_or(|k| !declared_fields.iter().any(|f| f.name == k))
                })
            {
                pending.extend(entries.iter().map(|(_, v)| *v));
                continue;
            }
            for (name, kind) in &sensitive {
                let Some((_, v)) = entries.iter().find(|(k, _)| *k == Some(name.as_str())) else {
                    continue;
                };
                if is_inert(v) || v.as_call().is_some_and(is_redaction) {
                    continue;
                }
                let source = h.entry_secret(Some(name), v);
                // A password generated here and handed to the caller who asked for one is a
                // new secret shown once: nothing stored leaves.
                let fresh = source.is_none() && h.generated(v, 0);
                if (*kind == SecretKind::Verifier && !input && !fresh) || source.is_some() {
                    let from = source.map(|s| format!(" (from {s})")).unwrap_or_default();
                    return Some(format!(
                        "responds with {}, which has the field `{name}`{from}",
                        class.name
                    ));
                }
            }
            continue;
        }
        let row = h.row(value, 0);
        for (name, kind) in &sensitive {
            let stored = row.filter(|r| {
                fields(h.model, r.file, r.class)
                    .iter()
                    .any(|f| f.name == *name && f.may_hold_secret())
            });
            let leaks = match kind {
                // A model built from a `SELECT` that leaves the field out never holds it.
                SecretKind::Verifier => {
                    (!input || stored.is_some())
                        && !selected_columns(h.model, h.file, value).is_some_and(|columns| {
                            !columns.iter().any(|c| c.eq_ignore_ascii_case(name))
                        })
                }
                SecretKind::Token => {
                    stored.is_some_and(|r| !h.looked_up_by(r, name))
                        && h.leaks(*kind, stored)
                        && !h.reissued(name)
                        && !h.encrypted.contains(name)
                }
            };
            if leaks {
                let from = stored
                    .map(|r| format!(" (from a {} row)", r.class.name))
                    .unwrap_or_default();
                return Some(format!(
                    "responds with {}, which has the field `{name}`{from}",
                    class.name
                ));
            }
        }
    }
    None
}

/// What sensitive data a returned expression carries, if any.
/// `dataclasses.asdict(server_args)`, returned or spread into a dict: every field of a project
/// dataclass, reported when one of them is named for a credential.
fn dataclass_dump(h: &Handler, payload: &Expr) -> Option<String> {
    let imports = &h.model.files[h.file].imports;
    let spread = match &payload.kind {
        ExprKind::Dict(entries) => entries
            .iter()
            .filter(|e| e.key.is_none())
            .map(|e| &e.value)
            .collect(),
        _ => vec![payload],
    };
    spread.into_iter().find_map(|value| {
        let call = value.as_call()?;
        if imports.resolve(&call.func).as_deref() != Some("dataclasses.asdict") {
            return None;
        }
        let object = call.args.first()?;
        let class_name = h.model.instance_class(h.file, &[h.function], object)?;
        let (_, Stmt::ClassDef(class)) = h.model.definition(&class_name)? else {
            return None;
        };
        let field = class.body.iter().find_map(|stmt| match stmt {
            Stmt::Assign {
                targets,
                annotation: Some(_),
                ..
            } => targets
                .first()
                .and_then(Expr::as_name)
                .filter(|n| is_credential_name(n)),
            _ => None,
        })?;
        Some(format!(
            "returns dataclasses.asdict() of a {}: every field, `{field}` included",
            class.name
        ))
    })
}

fn returned_secret<'a>(h: &Handler<'a>, payload: &'a Expr, filtered: bool) -> Option<String> {
    let imports = &h.model.files[h.file].imports;
    match &payload.kind {
        ExprKind::Attribute { attr, .. } if attr == "__dict__" => {
            return Some(
                "returns an object's __dict__: every attribute, secrets included".to_string(),
            );
        }
        ExprKind::Call(c) if imports.resolve(&c.func).as_deref() == Some("builtins.vars") => {
            return Some("returns vars(obj): every attribute, secrets included".to_string());
        }
        ExprKind::Comprehension {
            element,
            generators,
            value: None,
        } if h.column_dump(element).is_some() => {
            // `[model_to_dict(a) for a in Account.select()]`: every column of each row.
            let object = h.column_dump(element)?;
            let g = generators
                .iter()
                .find(|g| object.as_name().is_some() && g.target.as_name() == object.as_name())?;
            let row = h.row(&g.iter, 0)?;
            let field = h.row_secret(row)?;
            return Some(format!(
                "returns model_to_dict() of {} rows: every column, `{field}` included",
                row.class.name
            ));
        }
        ExprKind::Comprehension { generators, .. } => {
            let every_column = generators.iter().any(|g| {
                g.iter.any(&mut |x| matches!(&x.kind, ExprKind::Attribute { attr, .. } if attr == "__table__" || attr == "columns"))
            });
            return every_column
                .then(|| "returns a dump of every column, secrets included".to_string());
        }
        ExprKind::Call(c)
            if imports.resolve(&c.func).as_deref() == Some("playhouse.shortcuts.model_to_dict") =>
        {
            // With `only=`/`exclude=` the call picks the columns.
            let row = h.row(h.column_dump(payload)?, 0)?;
            let field = h.row_secret(row)?;
            return Some(format!(
                "returns model_to_dict() of a {} row: every column, `{field}` included",
                row.class.name
            ));
        }
        _ => {}
    }
    if let Some(found) = dataclass_dump(h, payload) {
        return Some(found);
    }
    if let Some(entries) = explicit_entries(h.model, h.file, payload) {
        return entries.iter().find_map(|(key, value)| {
            if is_inert(value) || value.as_call().is_some_and(is_redaction) {
                return None;
            }
            let from = h.entry_secret(*key, value)?;
            Some(match key {
                Some(k) => format!("returns a dict with the key `{k}` (from {from})"),
                None => format!("returns {from}"),
            })
        });
    }
    if filtered {
        return None;
    }
    // An ORM object returned as is: `return user` where `user` came from a query on `User`.
    let row = h.row(payload, 0)?;
    let field = h.row_secret(row)?;
    Some(format!(
        "returns a {} object with no response model, including the field `{field}`",
        row.class.name
    ))
}
