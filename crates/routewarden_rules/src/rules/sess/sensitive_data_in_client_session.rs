use crate::credentials::is_credential_name;
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::flask_usage::is_test_file;
use crate::helpers::identifier_words;
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_python::ast::{Expr, ExprKind, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// Credentials or authorisation state written into Flask's `session` while the application
    /// keeps Flask's default client-side cookie session: `session["password"] = ...`,
    /// `session["role"] = "admin"`, `session.update(is_admin=True)`,
    /// `session.setdefault("api_key", ...)`, and values read from credential attributes
    /// (`session["user"] = user.password_hash`). Credentials: passwords and hashes, tokens,
    /// API keys, secrets, card numbers, SSNs; authorisation state: roles, admin flags,
    /// permissions, scopes. Not reported when a server-side session is configured anywhere in
    /// the project's non-test code (Flask-Session's `SESSION_TYPE`, or a custom
    /// `session_interface`), nor in test files.
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

fn sensitive_key(key: &str) -> bool {
    is_credential_name(key)
        || identifier_words(key)
            .iter()
            .any(|w| AUTHZ_WORDS.contains(&w.as_str()))
}

/// A value read from a credential attribute (`user.password_hash`).
fn sensitive_value(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Attribute { attr, .. } if is_credential_name(attr) => Some(attr.to_string()),
        _ => None,
    }
}

struct Writes<'a> {
    imports: &'a routewarden_python::names::Imports,
    out: Vec<(Span, String)>,
}

impl Writes<'_> {
    /// `session` imported from Flask or Quart, under any alias, or `flask.session`.
    fn is_session(&self, expr: &Expr) -> bool {
        self.imports
            .resolve(expr)
            .is_some_and(|q| q == "flask.session" || q == "quart.session")
    }

    fn body(&mut self, body: &[Stmt]) {
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
                            if !self.is_session(s) {
                                continue;
                            }
                            let key = slice.as_str().unwrap_or("");
                            if sensitive_key(key) {
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
                            .filter_map(|k| k.arg.as_deref().map(str::to_string))
                            .collect();
                        if attr == "setdefault" {
                            keys.extend(call.args.first().and_then(Expr::as_str).map(String::from));
                        }
                        for a in &call.args {
                            if let ExprKind::Dict(entries) = &a.kind {
                                keys.extend(
                                    entries
                                        .iter()
                                        .filter_map(|e| e.key.as_ref()?.as_str().map(String::from)),
                                );
                            }
                        }
                        if let Some(k) = keys.iter().find(|k| sensitive_key(k)) {
                            self.out.push((
                                *span,
                                format!("`{k}` is stored in the client-side session cookie"),
                            ));
                        }
                    }
                }
                _ => {}
            }
            for child in stmt.child_bodies() {
                self.body(child);
            }
        }
    }
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
            || set.sets_key("session_interface")
            || set.assigns_attribute("session_interface")
        {
            return;
        }
        for (index, file) in cx.model.files.iter().enumerate() {
            if !flask_files(&file) {
                continue;
            }
            let mut writes = Writes {
                imports: &file.imports,
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
