use crate::credentials::{is_class_member, is_credential_name};
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::flask_usage::is_test_file;
use crate::helpers::identifier_words;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::ProjectModel;
use routewarden_model::apps::{class_hierarchy, class_lineage};
use routewarden_model::for_each_return;
use routewarden_model::security::walk_stmts;
use routewarden_python::ast::{BinOp, Call, Expr, ExprKind, FStringPart, Function, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// Credentials or authorisation state written into Flask's `session` while the application
    /// keeps Flask's default client-side cookie session: `session["password"] = ...`,
    /// `session["role"] = "admin"`, `session.update(is_admin=True)`,
    /// `session.setdefault("api_key", ...)`, and values read from credential attributes
    /// (`session["user"] = user.password_hash`). Keys built at run time are judged by their
    /// literal parts: `session[prefix + "_admin"]`, `session[f"{PREFIX}_role"]`,
    /// `"%s_role" % prefix`, a module constant holding the key, a project helper returning its
    /// argument joined to a prefix (`session[key_for("permissions")]`). Anti-forgery tokens
    /// (`csrf_token`) belong in the session and are not reported, nor is the session's own token
    /// under a literal key (`session["user.session_token"]`) when the code reads it back and
    /// checks it (`if session.get("session_token") != token:`, or a local holding it in an `if`
    /// test): a nonce the server binds the cookie to gives its reader nothing the cookie does
    /// not. Credentials: passwords and hashes, tokens,
    /// API keys, secrets, card numbers, SSNs; authorisation state: roles, admin flags,
    /// permissions, scopes. Not reported when a server-side session is configured anywhere in
    /// the project's non-test code (Flask-Session's `SESSION_TYPE`, Flask-KVSession's
    /// `KVSessionExtension(store, app)` or its `init_app(app)`, also from docassemble's fork
    /// `docassemblekvsession`, or a custom `session_interface`), nor in test files. A custom interface that is still the cookie
    /// one (a subclass of `SecureCookieSessionInterface`, or of the class installed before,
    /// `class Scoped(type(app.session_interface))`) changing only the cookie's path, name or
    /// salt, not `open_session`/`save_session`, keeps the session client-side. Values that are
    /// members of a class named in the code (`LoginMechanism.PASSWORD`) name a kind, not a
    /// credential. A constant boolean, number or `None` stored under a literal key that names a
    /// credential but no authorisation state (`session["show_access_token"] = True`) is a flag
    /// about the credential, not the credential, and is not reported.
    ///
    /// ## Why is this dangerous
    /// Flask's session is a signed, not encrypted, cookie: anyone holding it (the user, a
    /// shared computer, a proxy log, an XSS payload) can base64-decode and read it. Authorisation
    /// state kept there is only as safe as the secret key: a leaked or weak key lets an attacker
    /// sign `{"role": "admin"}` themselves, and a revoked role lives on in old cookies.
    ///
    /// ## Example
    /// ```python
    /// session["user_id"] = user.id
    /// session["role"] = user.role
    /// session["api_token"] = token
    /// ```
    ///
    /// ## Fix
    /// Keep only an identifier in the session and load roles and secrets on the server each
    /// request; or move the session server-side with Flask-Session (`SESSION_TYPE = "redis"`).
    pub static SENSITIVE_DATA_IN_CLIENT_SESSION = {
        code: "SESS001",
        name: "sensitive-data-in-client-session",
        severity: Medium,
        confidence: Medium,
        cwe: 565,
        fix: "Store only an identifier in the cookie session, or use a server-side session",
    }
}

pub struct SensitiveDataInClientSession;

const AUTHZ_WORDS: &[&str] = &[
    "role",
    "roles",
    "admin",
    "permission",
    "permissions",
    "scope",
    "scopes",
    "superuser",
    "privilege",
    "privileges",
    "ssn",
    "card",
    "cvv",
    "iban",
];

/// A key naming a credential or authorisation state. An anti-forgery token (`csrf_token`,
/// `oauth_csrf_token`) is the user's own and is meant to live in their session: Flask-WTF keeps
/// its own there.
fn sensitive_key(key: &str) -> bool {
    let words = identifier_words(key);
    if words.iter().any(|w| w == "csrf" || w == "xsrf") {
        return false;
    }
    is_credential_name(key) || words.iter().any(|w| AUTHZ_WORDS.contains(&w.as_str()))
}

/// `session["show_personal_access_token"] = True`: a literal key naming a credential but no
/// authorisation state, holding a constant boolean, number or `None`. A constant is no
/// credential: the key names what the flag is about, not what it holds.
fn constant_flag_under_credential_key(key: &Expr, value: &Expr) -> bool {
    let constant = matches!(
        value.kind,
        ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::NoneLiteral
    );
    constant
        && key.as_str().is_some_and(|k| {
            !identifier_words(k)
                .iter()
                .any(|w| AUTHZ_WORDS.contains(&w.as_str()))
        })
}

/// `session["session_token"]`, `session["user.session_token"]`: a key naming the session's own
/// token, the nonce the server binds the cookie to. Whether the server checks it is asked
/// separately ([`checked_by_server`]).
fn names_session_token(key: &str) -> bool {
    let words = identifier_words(key);
    words
        .windows(2)
        .any(|w| w[0] == "session" && matches!(w[1].as_str(), "token" | "nonce"))
        && !words.iter().any(|w| AUTHZ_WORDS.contains(&w.as_str()))
}

/// `session[key]`, `session.get(key)`, `session.pop(key)` of a Flask or Quart session: the key.
fn session_read<'e>(
    imports: &routewarden_python::names::Imports,
    expr: &'e Expr,
) -> Option<&'e str> {
    let is_session = |e: &Expr| {
        imports
            .resolve(e)
            .is_some_and(|q| q == "flask.session" || q == "quart.session")
    };
    match &expr.kind {
        ExprKind::Subscript { value, slice } if is_session(value) => slice.as_str(),
        ExprKind::Call(call) => {
            let (receiver, method) = call.method()?;
            (matches!(method, "get" | "pop") && is_session(receiver))
                .then(|| call.args.first().and_then(Expr::as_str))
                .flatten()
        }
        _ => None,
    }
}

/// Whether the project's non-test code reads `key` back from the session and checks the value:
/// in an `if` or `while` test or as an operand of a comparison, directly or through a local
/// bound to the read (`token = session["user.session_token"]`, then `if not
/// user.validate_session(token):`). A nonce the server compares with what it keeps is the
/// session's binding, not a secret the cookie's holder lacks. Asked only for a write about to
/// be reported.
fn checked_by_server(model: &ProjectModel, key: &str) -> bool {
    model.files.iter().any(|file| {
        !is_test_file(file)
            && (file.imports_module("flask") || file.imports_module("quart"))
            && read_and_checked(&file.imports, file.body(), key)
    })
}

/// [`checked_by_server`] in `body`, a module or a function, and the functions and classes in
/// it; locals are those `body` binds itself.
fn read_and_checked(
    imports: &routewarden_python::names::Imports,
    body: &[Stmt],
    key: &str,
) -> bool {
    let is_read = |e: &Expr| session_read(imports, e) == Some(key);
    let mut locals: Vec<&str> = Vec::new();
    let mut nested: Vec<&[Stmt]> = Vec::new();
    walk_stmts(body, &mut |stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } if is_read(value) => locals.extend(targets.iter().filter_map(Expr::as_name)),
        Stmt::FunctionDef(function) => nested.push(&function.body),
        Stmt::ClassDef(class) => nested.push(&class.body),
        _ => {}
    });
    let uses = |e: &Expr| is_read(e) || e.as_name().is_some_and(|n| locals.contains(&n));
    let mut found = false;
    walk_stmts(body, &mut |stmt| {
        if found {
            return;
        }
        match stmt {
            Stmt::If { test, .. } | Stmt::While { test, .. } => found = test.any(&mut |e| uses(e)),
            _ => stmt.for_each_own_expr(&mut |e| {
                found |= e.any(&mut |x| {
                    x.comparisons()
                        .iter()
                        .any(|(left, _, right)| uses(left) || uses(right))
                });
            }),
        }
    });
    found || nested.iter().any(|b| read_and_checked(imports, b, key))
}

/// A value read from a credential attribute (`user.password_hash`); not a member of a class
/// named in the code (`LoginMechanism.PASSWORD`, an enum member naming a kind of login).
fn sensitive_value(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Attribute { attr, .. } if is_credential_name(attr) && !is_class_member(expr) => {
            Some(attr.to_string())
        }
        _ => None,
    }
}

struct Writes<'a> {
    model: &'a ProjectModel,
    file: usize,
    imports: &'a routewarden_python::names::Imports,
    /// The functions enclosing the statements being read, outermost first.
    scope: Vec<&'a Function>,
    out: Vec<(Span, String)>,
}

/// A call of a project helper that builds a key from its arguments: whose parameters stand
/// for the arguments of `call`, read where the call is.
struct Frame<'a, 's> {
    function: &'a Function,
    call: &'a Call,
    file: usize,
    scope: &'s [&'a Function],
}

impl<'a> Writes<'a> {
    /// `session` imported from Flask or Quart, under any alias, or `flask.session`.
    fn is_session(&self, expr: &Expr) -> bool {
        self.imports
            .resolve(expr)
            .is_some_and(|q| q == "flask.session" || q == "quart.session")
    }

    /// Why storing under `key` is sensitive, naming the key as written: a literal, or a key
    /// built at run time whose literal parts say what it holds (`prefix + "_admin"`,
    /// `f"{PREFIX}_role"`, a module constant, a project helper `session_key("role")` that
    /// returns its argument joined to a prefix).
    fn sensitive_key_named(&self, key: &'a Expr) -> Option<String> {
        if let Some(literal) = key.as_str() {
            return sensitive_key(literal).then(|| literal.to_string());
        }
        let mut text = String::new();
        let mut literal = false;
        key_parts(
            self.model,
            self.file,
            &self.scope,
            key,
            None,
            &mut text,
            &mut literal,
            0,
        );
        (literal && sensitive_key(&text)).then(|| {
            routewarden_model::apps::one_line(&self.model.files[self.file].span_text(key.span))
        })
    }

    fn body(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Assign {
                    targets,
                    value: Some(value),
                    span,
                    ..
                } => {
                    for t in targets {
                        if let ExprKind::Subscript { value: s, slice } = &t.kind {
                            if !self.is_session(s)
                                || constant_flag_under_credential_key(slice, value)
                            {
                                continue;
                            }
                            if let Some(key) = self.sensitive_key_named(slice) {
                                if slice.as_str().is_some_and(|k| {
                                    names_session_token(k) && checked_by_server(self.model, k)
                                }) {
                                    continue;
                                }
                                self.out.push((
                                    *span,
                                    format!("`{key}` is stored in the client-side session cookie"),
                                ));
                            } else if let Some(attr) = sensitive_value(value) {
                                self.out.push((
                                    *span,
                                    format!("`{attr}` is stored in the client-side session cookie"),
                                ));
                            }
                        }
                    }
                }
                Stmt::Expr { value, span } => {
                    if let ExprKind::Call(call) = &value.kind
                        && let ExprKind::Attribute { value: s, attr } = &call.func.kind
                        && self.is_session(s)
                        && (attr == "update" || attr == "setdefault")
                    {
                        let mut keys: Vec<String> = call
                            .keywords
                            .iter()
                            .filter_map(|k| k.arg.as_deref().filter(|k| sensitive_key(k)))
                            .map(str::to_string)
                            .collect();
                        if attr == "setdefault" {
                            keys.extend(
                                call.args.first().and_then(|k| self.sensitive_key_named(k)),
                            );
                        }
                        for a in &call.args {
                            if let ExprKind::Dict(entries) = &a.kind {
                                keys.extend(
                                    entries
                                        .iter()
                                        .filter_map(|e| self.sensitive_key_named(e.key.as_ref()?)),
                                );
                            }
                        }
                        if let Some(k) = keys.first() {
                            self.out.push((
                                *span,
                                format!("`{k}` is stored in the client-side session cookie"),
                            ));
                        }
                    }
                }
                _ => {}
            }
            if let Stmt::FunctionDef(function) = stmt {
                self.scope.push(function);
                self.body(&function.body);
                self.scope.pop();
                continue;
            }
            for child in stmt.child_bodies() {
                self.body(child);
            }
        }
    }
}

/// Appends to `out` the text of a key as far as it is known, `_` for each unknown part, and
/// sets `literal` when some part is: string literals, names and constants holding them
/// (followed to their assignment), `+` and f-strings of those, `"%s_role" % x` and
/// `"{}_role".format(x)` templates, and one call of a project function whose one return
/// value is built so from its parameters.
#[allow(clippy::too_many_arguments)]
fn key_parts<'a>(
    model: &'a ProjectModel,
    file: usize,
    scope: &[&'a Function],
    expr: &'a Expr,
    frame: Option<&Frame<'a, '_>>,
    out: &mut String,
    literal: &mut bool,
    depth: u32,
) {
    if depth > 6 {
        out.push('_');
        return;
    }
    match &expr.kind {
        ExprKind::Str(s) => {
            out.push_str(s);
            *literal = true;
        }
        ExprKind::FString(parts) => {
            for part in parts {
                match part {
                    FStringPart::Literal(s) => {
                        out.push_str(s);
                        *literal = true;
                    }
                    FStringPart::Value(e) => {
                        key_parts(model, file, scope, e, frame, out, literal, depth + 1)
                    }
                }
            }
        }
        ExprKind::BinOp {
            left,
            op: BinOp::Add,
            right,
        } => {
            key_parts(model, file, scope, left, frame, out, literal, depth + 1);
            key_parts(model, file, scope, right, frame, out, literal, depth + 1);
        }
        ExprKind::BinOp {
            left,
            op: BinOp::Mod,
            ..
        } if left.as_str().is_some() => {
            key_parts(model, file, scope, left, frame, out, literal, depth + 1)
        }
        ExprKind::Call(call)
            if call
                .method()
                .is_some_and(|(receiver, m)| m == "format" && receiver.as_str().is_some()) =>
        {
            key_parts(
                model,
                file,
                scope,
                &call.func,
                frame,
                out,
                literal,
                depth + 1,
            )
        }
        ExprKind::Attribute { value, attr } if attr == "format" && value.as_str().is_some() => {
            key_parts(model, file, scope, value, frame, out, literal, depth + 1)
        }
        // A parameter of the helper: the caller's argument, where the call is.
        ExprKind::Name(name)
            if let Some(frame) = frame
                && let Some(position) =
                    frame.function.params.iter().position(|p| p.name == *name) =>
        {
            let skip = usize::from(
                frame
                    .function
                    .params
                    .first()
                    .is_some_and(|p| p.name == "self" || p.name == "cls"),
            );
            match frame.call.argument(name, position.saturating_sub(skip)) {
                Some(arg) => key_parts(
                    model,
                    frame.file,
                    frame.scope,
                    arg,
                    None,
                    out,
                    literal,
                    depth + 1,
                ),
                None => out.push('_'),
            }
        }
        ExprKind::Name(_) | ExprKind::Attribute { .. } => {
            let origin = model.resolve_value(file, scope, expr);
            if std::ptr::eq(origin.expr, expr)
                || matches!(
                    origin.expr.kind,
                    ExprKind::Name(_) | ExprKind::Attribute { .. }
                )
            {
                out.push('_');
            } else {
                key_parts(
                    model,
                    origin.file,
                    &origin.scope,
                    origin.expr,
                    None,
                    out,
                    literal,
                    depth + 1,
                );
            }
        }
        ExprKind::Call(call) if frame.is_none() => {
            let helper = match model.project_definition(file, &call.func) {
                Some((f, Stmt::FunctionDef(helper))) => Some((f, helper.as_ref())),
                _ => None,
            };
            let mut returned = Vec::new();
            if let Some((_, helper)) = helper {
                for_each_return(&helper.body, &mut |v| returned.push(v));
            }
            match (helper, returned.as_slice()) {
                (Some((helper_file, helper)), [value]) => {
                    let frame = Frame {
                        function: helper,
                        call,
                        file,
                        scope,
                    };
                    key_parts(
                        model,
                        helper_file,
                        &[helper],
                        value,
                        Some(&frame),
                        out,
                        literal,
                        depth + 1,
                    );
                }
                _ => out.push('_'),
            }
        }
        _ => out.push('_'),
    }
}

/// Flask's signed-cookie session interface.
const COOKIE_INTERFACES: &[&str] = &["flask.sessions.SecureCookieSessionInterface"];

/// Whether every `X.session_interface = ...` of the project installs an interface that still
/// keeps the session in Flask's signed cookie: `SecureCookieSessionInterface()` or a subclass,
/// also one of the class already installed (`class Scoped(type(app.session_interface))`), that
/// only changes the cookie's path, name or salt, not `open_session`/`save_session`.
fn only_cookie_interfaces(model: &ProjectModel) -> bool {
    let mut values = Vec::new();
    for (index, file) in model.files.iter().enumerate() {
        // Only a quick filter: the statements are judged below.
        if is_test_file(file) || !file.may_mention("session_interface") {
            continue;
        }
        if !interface_assignments(
            &file.imports,
            index,
            file.body(),
            &mut Vec::new(),
            &mut values,
        ) {
            return false;
        }
    }
    !values.is_empty()
        && values
            .iter()
            .all(|(file, scope, value)| is_cookie_interface(model, *file, scope, value))
}

/// The values of `X.session_interface = value` and `setattr(X, "session_interface", value)` in
/// `body`, with the functions enclosing each; false when `session_interface` is set some other
/// way (a configuration key, a keyword argument). Reading it (`getattr(app,
/// "session_interface", None)`) sets nothing.
fn interface_assignments<'a>(
    imports: &routewarden_python::names::Imports,
    file: usize,
    body: &'a [Stmt],
    scope: &mut Vec<&'a Function>,
    out: &mut Vec<(usize, Vec<&'a Function>, &'a Expr)>,
) -> bool {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(function) => {
                scope.push(function);
                let known = interface_assignments(imports, file, &function.body, scope, out);
                scope.pop();
                if !known {
                    return false;
                }
                continue;
            }
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.iter().any(|t| {
                matches!(&t.kind, ExprKind::Attribute { attr, .. } if attr == "session_interface")
            }) =>
            {
                out.push((file, scope.clone(), value));
            }
            _ => {}
        }
        let mut known = true;
        stmt.for_each_own_expr(&mut |e| {
            e.any(&mut |x| {
                match &x.kind {
                    ExprKind::Call(c) => {
                        let named = c
                            .args
                            .iter()
                            .any(|a| a.as_str() == Some("session_interface"))
                            || c.keywords
                                .iter()
                                .any(|k| k.arg.as_deref() == Some("session_interface"));
                        if named {
                            match imports.resolve(&c.func).as_deref() {
                                Some("builtins.getattr" | "builtins.hasattr") => {}
                                Some("builtins.setattr") if c.args.len() == 3 => {
                                    out.push((file, scope.clone(), &c.args[2]));
                                }
                                _ => known = false,
                            }
                        }
                    }
                    ExprKind::Subscript { slice, .. }
                        if slice.as_str() == Some("session_interface") =>
                    {
                        known = false;
                    }
                    _ => {}
                }
                false
            });
        });
        if !known {
            return false;
        }
        for child in stmt.child_bodies() {
            if !interface_assignments(imports, file, child, scope, out) {
                return false;
            }
        }
    }
    true
}

/// Whether `value`, assigned to `session_interface`, builds a cookie session interface.
fn is_cookie_interface(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    value: &Expr,
) -> bool {
    let Some(call) = value.as_call() else {
        return false;
    };
    let imports = &model.files[file].imports;
    if imports
        .resolve(&call.func)
        .is_some_and(|q| COOKIE_INTERFACES.contains(&q.as_str()))
    {
        return true;
    }
    // A class defined in the enclosing function, or a project class.
    let local = call.func.as_name().and_then(|name| {
        scope.iter().rev().find_map(|f| {
            let mut found = None;
            walk_stmts(&f.body, &mut |s| {
                if let Stmt::ClassDef(c) = s
                    && c.name == name
                {
                    found = Some(c.as_ref());
                }
            });
            found
        })
    });
    let (class_file, class) = match local {
        Some(c) => (file, c),
        None => match model.resolve_definition(file, &call.func) {
            Some((f, Some(Stmt::ClassDef(c)), _)) => (f, c.as_ref()),
            _ => return false,
        },
    };
    // `type(installed)` with `installed = app.session_interface`: the class installed before,
    // Flask's cookie interface unless the project replaced it elsewhere (judged there).
    let installed_type = class.bases.iter().any(|base| {
        let Some(c) = base.as_call() else {
            return false;
        };
        let [arg] = c.args.as_slice() else {
            return false;
        };
        let arg = arg
            .as_name()
            .and_then(|n| {
                scope
                    .iter()
                    .rev()
                    .find_map(|f| routewarden_model::values::local_assignment(f, n))
            })
            .unwrap_or(arg);
        imports.resolve(&c.func).as_deref() == Some("builtins.type")
            && reads_session_interface(imports, arg)
    });
    // A project class that overrides how the session is loaded or saved may keep it anywhere:
    // judged not to be the cookie, whatever it delegates to.
    let stores_its_own = class_hierarchy(model, class_file, class)
        .iter()
        .any(|(_, c)| {
            c.body.iter().any(|s| {
                matches!(s, Stmt::FunctionDef(m) if m.name == "open_session" || m.name == "save_session")
            })
        });
    !stores_its_own
        && (installed_type
            || class_lineage(model, class_file, class)
                .iter()
                .any(|q| COOKIE_INTERFACES.contains(&q.as_str())))
}

/// `app.session_interface`, `getattr(app, "session_interface", None)`.
fn reads_session_interface(imports: &routewarden_python::names::Imports, expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Attribute { attr, .. } => attr == "session_interface",
        ExprKind::Call(c) => {
            imports.resolve(&c.func).as_deref() == Some("builtins.getattr")
                && c.args.get(1).and_then(Expr::as_str) == Some("session_interface")
        }
        _ => false,
    }
}

/// Flask-KVSession's extension, and that of docassemble's fork of it: they replace the cookie
/// session with one kept in a key-value store, the cookie holding only an id.
const KVSESSION_MODULES: &[&str] = &["flask_kvsession", "docassemblekvsession"];

/// Whether the project's non-test code installs Flask-KVSession on an application:
/// `KVSessionExtension(store, app)`, or `init_app(app, ...)` of an extension object created
/// without one (`kv_session = KVSessionExtension()` in extensions.py, `kv_session.init_app(app,
/// session_kvstore=store)` in the factory). Only asked when some module imports the extension.
fn kvsession_installed(model: &ProjectModel) -> bool {
    let is_extension = |q: &str| {
        q.rsplit_once('.').is_some_and(|(module, name)| {
            name == "KVSessionExtension" && KVSESSION_MODULES.contains(&module)
        })
    };
    let imported = model
        .files
        .iter()
        .any(|f| !is_test_file(f) && KVSESSION_MODULES.iter().any(|m| f.imports_module(m)));
    if !imported {
        return false;
    }
    model.files.iter().enumerate().any(|(index, file)| {
        if is_test_file(file) {
            return false;
        }
        let mut found = false;
        crate::helpers::for_each_call(file.body(), &mut Vec::new(), &mut |scope, _, call| {
            if found {
                return;
            }
            found = match &call.func.kind {
                // `KVSessionExtension(store, app)`
                _ if file
                    .imports
                    .resolve(&call.func)
                    .is_some_and(|q| is_extension(&q)) =>
                {
                    call.argument("app", 1).is_some()
                }
                // `kv_session.init_app(app, session_kvstore=store)`
                ExprKind::Attribute { value, attr } if attr == "init_app" => model
                    .instance_class(index, scope, value)
                    .is_some_and(|q| is_extension(&q)),
                _ => false,
            };
        });
        found
    })
}

impl Rule for SensitiveDataInClientSession {
    fn meta(&self) -> &'static RuleMeta {
        &SENSITIVE_DATA_IN_CLIENT_SESSION
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let flask_files = |file: &&routewarden_model::SourceModule| {
            (file.imports_module("flask") || file.imports_module("quart")) && !is_test_file(file)
        };
        if !cx.model.files.iter().any(|f| flask_files(&f)) {
            return;
        }
        let set = cx.set_keys();
        if set.sets_key("SESSION_TYPE")
            || kvsession_installed(cx.model)
            || (set.sets_key("session_interface") || set.assigns_attribute("session_interface"))
                && !only_cookie_interfaces(cx.model)
        {
            return;
        }
        for (index, file) in cx.model.files.iter().enumerate() {
            if !flask_files(&file) {
                continue;
            }
            let mut writes = Writes {
                model: cx.model,
                file: index,
                imports: &file.imports,
                scope: Vec::new(),
                out: Vec::new(),
            };
            writes.body(file.body());
            for (span, message) in writes.out {
                let mut f = Findings::new(index);
                f.report(&SENSITIVE_DATA_IN_CLIENT_SESSION, span, message);
                out.extend(f.into_vec());
            }
        }
    }
}
