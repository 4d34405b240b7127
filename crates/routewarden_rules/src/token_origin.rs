//! Where a token comes from: the server's own exchange with an identity provider, or anywhere
//! else (the client, most of all). OpenID Connect lets a client trust an ID token it received
//! directly from the provider's token endpoint over TLS without checking its signature; a token
//! a client hands in has to be verified.

use crate::credentials::{assigned_values, binds};
use crate::helpers::identifier_words;
use routewarden_model::ProjectModel;
use routewarden_model::security::{walk_functions, walk_stmts};
use routewarden_model::values::attribute_assignments;
use routewarden_python::ast::{Call, Expr, ExprKind, Function, Span, Stmt, UnaryOp};

/// How many assignments, wrappers and lookups are followed back from a token.
const MAX_DEPTH: u32 = 8;

/// Names of calls that exchange an authorization code or a grant for tokens at the provider:
/// `pkce_token_exchange(...)`, authlib's `fetch_token` and `authorize_access_token`.
const EXCHANGE_WORDS: &[&str] = &[
    "token_exchange",
    "exchange_token",
    "exchange_code",
    "fetch_token",
    "fetch_access_token",
    "authorize_access_token",
];

/// Whether `token`, read in `function` of `file`, was fetched by the server from an identity
/// provider: the JSON of the server's own HTTP call (`token_response.json()["id_token"]`), the
/// result of a token exchange, the `id_token` of an SSO client object the code built, an access
/// token requested with the server's own credential (`AzureCliCredential().get_token(scope)
/// .token`, or a helper given that credential), or a local or `self` attribute assigned only
/// from those (a local's bindings after the read do not count; a `for` over a list built only
/// from such tokens does). A parameter counts when every call of
/// the function in the project passes such a token (calls through an alias its class binds,
/// `self.user_info = self.get_user_info`, included; a method also from modules that reach it
/// through attributes, `self.appbuilder.sm.user_info(...)`). So does a token the provider itself
/// accepted before it is read (`user = client.userinfo(token=...)`, then `if not user: raise`),
/// and one python-social-auth kept from the provider's response at login (`extra_data` of a row
/// of `user.social_auth`).
pub fn fetched_from_provider(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    token: &Expr,
) -> bool {
    Origin {
        model,
        caller_levels: 2,
    }
    .fetched(file, function, token, 0)
        || validated_by_provider(function, token)
}

/// Calls that have the identity provider check a token: OpenID Connect's userinfo endpoint
/// (authlib's `client.userinfo(token=...)`) and OAuth token introspection.
const PROVIDER_CHECKS: &[&str] = &["userinfo", "introspect_token"];

/// Whether, before `token` is read, `function` hands it (or a local built from it,
/// `{"access_token": token}`) to the provider's check (`user = client.userinfo(token=...)`)
/// and refuses when that check gives nothing (`if not user: raise ...`): a forged token never
/// gets past the provider.
fn validated_by_provider(function: &Function, token: &Expr) -> bool {
    let Some(parts) = token.dotted_parts() else {
        return false;
    };
    let mentions = |e: &Expr, carriers: &[&str]| {
        e.any(&mut |x| {
            x.dotted_parts().as_ref() == Some(&parts)
                || x.as_name().is_some_and(|n| carriers.contains(&n))
        })
    };
    // Locals built from the token, and the names the provider's answer is bound to.
    let mut carriers: Vec<&str> = Vec::new();
    let mut answers: Vec<&str> = Vec::new();
    walk_stmts(&function.body, &mut |stmt| {
        let Stmt::Assign {
            targets,
            value: Some(value),
            span,
            ..
        } = stmt
        else {
            return;
        };
        let [target] = targets.as_slice() else {
            return;
        };
        let Some(name) = target.as_name() else {
            return;
        };
        if span.end > token.span.start {
            return;
        }
        let value = match &value.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => value,
        };
        match value.as_call() {
            Some(call)
                if call
                    .func
                    .last_name()
                    .is_some_and(|n| PROVIDER_CHECKS.contains(&n))
                    && call.argument_values().any(|a| mentions(a, &carriers)) =>
            {
                answers.push(name);
            }
            _ if mentions(value, &carriers) => carriers.push(name),
            _ => {}
        }
    });
    if answers.is_empty() {
        return false;
    }
    // `if not answer: raise/return`, before the token is read.
    let mut refused = false;
    walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::If {
            test, body, span, ..
        } = stmt
            && span.end <= token.span.start
            && matches!(body.last(), Some(Stmt::Raise { .. } | Stmt::Return { .. }))
            && let ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } = &test.kind
            && operand.as_name().is_some_and(|n| answers.contains(&n))
        {
            refused = true;
        }
    });
    refused
}

/// Whether the token a JWT decode `call` reads (its first argument, or `token=`/`jwt=`) was
/// fetched by the server from an identity provider ([`fetched_from_provider`]): the one
/// provenance question JWT001, JWT002 and JWT003 share. False outside a function.
pub fn decodes_fetched_token(
    model: &ProjectModel,
    file: usize,
    function: Option<&Function>,
    call: &Call,
) -> bool {
    match (function, crate::jwt_calls::token_argument(call)) {
        (Some(function), Some(token)) => fetched_from_provider(model, file, function, token),
        _ => false,
    }
}

struct Origin<'m> {
    model: &'m ProjectModel,
    /// How many more times a parameter is followed to the function's callers.
    caller_levels: u32,
}

impl Origin<'_> {
    fn fetched(&self, file: usize, function: &Function, e: &Expr, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &e.kind {
            ExprKind::Await(inner) => self.fetched(file, function, inner, depth + 1),
            ExprKind::Subscript { value, .. } => self.fetched(file, function, value, depth + 1),
            ExprKind::Call(call) => self.fetched_call(file, function, call, depth),
            ExprKind::Attribute { value, attr } => {
                if value.as_name() == Some("self") {
                    let values: Vec<&Expr> = attribute_assignments(&function.body, attr)
                        .into_iter()
                        .filter(|(receiver, _)| receiver.as_name() == Some("self"))
                        .map(|(_, value)| value)
                        .collect();
                    return !values.is_empty()
                        && values
                            .iter()
                            .all(|v| self.fetched(file, function, v, depth + 1));
                }
                // `credential.get_token(scope).token`: the string of an access token fetched;
                // `token_res.text`: the body of the provider's response.
                if matches!(attr.as_str(), "token" | "text" | "content")
                    && self.fetched(file, function, value, depth + 1)
                {
                    return true;
                }
                // python-social-auth's `extra_data` of a row of `user.social_auth`: what the
                // server kept from the provider's token response at login (`load_extra_data`).
                if attr == "extra_data" && social_auth_row(function, value, depth + 1) {
                    return true;
                }
                // `microsoft_sso.id_token` of an SSO client the code constructed.
                matches!(attr.as_str(), "id_token" | "access_token")
                    && value.as_name().is_some_and(|n| {
                        let values = assigned_values(&function.body, n);
                        !values.is_empty() && values.iter().all(|v| is_construction(v))
                    })
            }
            ExprKind::Name(name) => {
                let Some(values) = reaching_values(&function.body, name, e.span) else {
                    return false;
                };
                if !values.is_empty() {
                    return values.iter().all(|v| match v {
                        Bound::Value(v) => self.fetched(file, function, v, depth + 1),
                        Bound::Element(iter) => {
                            self.fetched_elements(file, function, iter, depth + 1)
                        }
                    });
                }
                self.caller_levels > 0
                    && function.params.iter().any(|p| p.name == name.as_str())
                    && self.callers_pass_fetched(file, function, name)
            }
            _ => false,
        }
    }

    fn fetched_call(&self, file: usize, function: &Function, call: &Call, depth: u32) -> bool {
        let last = call.func.last_name().unwrap_or("").to_ascii_lowercase();
        if EXCHANGE_WORDS.iter().any(|w| last.contains(w)) {
            return true;
        }
        let receiver = match &call.func.kind {
            ExprKind::Attribute { value, .. } => Some(value.as_ref()),
            _ => None,
        };
        // `AzureCliCredential().get_token(scope)`: an access token the server asks the identity
        // provider for with its own credential; also a helper given that credential
        // (`get_arm_token(credential=AzureCliCredential())`).
        if matches!(last.as_str(), "get_token" | "get_token_info")
            && receiver.is_some_and(|r| self.own_credential(file, function, r, depth + 1))
            || call
                .argument_values()
                .any(|a| self.own_credential(file, function, a, depth + 1))
        {
            return true;
        }
        let keyed = call.args.first().is_some_and(Expr::is_string_literal);
        match last.as_str() {
            // The body of a response the server received; not `await request.json()`, the
            // client's request.
            "json" => receiver.is_some_and(|r| !is_client_request(function, r)),
            // `token_response.get("id_token")`
            "get" | "pop" if keyed => {
                receiver.is_some_and(|r| self.fetched(file, function, r, depth + 1))
            }
            // The server's own HTTP call: `await client.post(token_url, ...)`.
            "post" | "get" | "request" | "send" => {
                receiver.is_some_and(|r| !is_client_request(function, r) && is_http_client(r))
            }
            // A conversion of one fetched value: `_JSON_OBJECT.validate_python(resp.json())`,
            // `_optional_str(content.get("id_token"))`.
            _ => {
                call.args.len() == 1
                    && call.keywords.is_empty()
                    && self.fetched(file, function, &call.args[0], depth + 1)
            }
        }
    }

    /// Whether every element of `iter` is a fetched token: a list or tuple literal of fetched
    /// values, or a local bound only to such literals and grown only by `append` of fetched
    /// values (`tokens = []`, `if t := res.get("id_token"): tokens.append(t)`), with at least
    /// one element.
    fn fetched_elements(&self, file: usize, function: &Function, iter: &Expr, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &iter.kind {
            ExprKind::List(items) | ExprKind::Tuple(items) => items
                .iter()
                .all(|i| self.fetched(file, function, i, depth + 1)),
            ExprKind::Name(name) => {
                let Some(values) = reaching_values(&function.body, name, iter.span) else {
                    return false;
                };
                let mut elements = 0usize;
                let mut all = !values.is_empty();
                for value in &values {
                    all &= match value {
                        Bound::Value(
                            v @ Expr {
                                kind: ExprKind::List(items) | ExprKind::Tuple(items),
                                ..
                            },
                        ) => {
                            elements = elements.saturating_add(items.len());
                            self.fetched_elements(file, function, v, depth + 1)
                        }
                        _ => false,
                    };
                }
                // Every method called on the list appends a fetched value.
                walk_stmts(&function.body, &mut |stmt| {
                    stmt.for_each_own_expr(&mut |e| {
                        e.any(&mut |x| {
                            if let ExprKind::Call(c) = &x.kind
                                && let ExprKind::Attribute { value, attr } = &c.func.kind
                                && value.as_name() == Some(name.as_str())
                            {
                                all &= attr == "append"
                                    && matches!(c.args.as_slice(), [item] if self.fetched(file, function, item, depth + 1));
                                elements = elements.saturating_add(1);
                            }
                            false
                        });
                    });
                });
                all && elements > 0
            }
            _ => false,
        }
    }

    /// Whether `e` is the server's own credential for an identity provider: an azure-identity
    /// credential (`AzureCliCredential()`, `DefaultAzureCredential()`), a credential from a
    /// function called with no arguments (`get_credentials_for_cli()`: nothing of the request
    /// goes in; a project function must return such a credential itself), or a local assigned
    /// only from those.
    fn own_credential(&self, file: usize, function: &Function, e: &Expr, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &e.kind {
            ExprKind::Call(call) => {
                if self.model.files[file]
                    .imports
                    .resolve(&call.func)
                    .is_some_and(|q| q.starts_with("azure.identity."))
                {
                    return true;
                }
                let factory = call.args.is_empty()
                    && call.keywords.is_empty()
                    && call.func.last_name().is_some_and(|n| {
                        identifier_words(n)
                            .iter()
                            .any(|w| w == "credential" || w == "credentials")
                    });
                if !factory {
                    return false;
                }
                match self.model.resolve_definition(file, &call.func) {
                    Some((f, Some(Stmt::FunctionDef(def)), _)) => {
                        let mut returns = 0usize;
                        let mut all = true;
                        routewarden_model::for_each_return(&def.body, &mut |v| {
                            returns += 1;
                            all &= self.own_credential(f, def, v, depth + 1);
                        });
                        all && returns > 0
                    }
                    // A library's: it cannot read this application's requests.
                    Some((_, None, Some(_))) => true,
                    _ => false,
                }
            }
            ExprKind::Name(name) => reaching_values(&function.body, name, e.span)
                .is_some_and(|values| {
                    !values.is_empty()
                        && values.iter().all(|v| {
                            matches!(v, Bound::Value(v) if self.own_credential(file, function, v, depth + 1))
                        })
                }),
            _ => false,
        }
    }

    /// Every call of `function` in the project passes a fetched token as `param`, and there is
    /// at least one.
    fn callers_pass_fetched(&self, def_file: usize, function: &Function, param: &str) -> bool {
        let defining_module = self.model.files[def_file].module_name.as_str();
        let Some(index) = function.params.iter().position(|p| p.name == param) else {
            return false;
        };
        let takes_self = function
            .params
            .first()
            .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"));
        let once = Origin {
            model: self.model,
            caller_levels: self.caller_levels - 1,
        };
        // The names the function is called by: its own, and the aliases its class binds
        // (`self.user_info = self.get_user_info` in `__init__`).
        let mut names = vec![function.name.as_str()];
        if takes_self {
            method_aliases(self.model, def_file, function, &mut names);
        }
        let mut sites = 0usize;
        let mut all = true;
        for (file, source) in self.model.files.iter().enumerate() {
            // Only the defining module and modules importing from it can call the function,
            // and only where they spell its name: the other trees are not walked. A method is
            // also called on an object reached through attributes by modules that never
            // import its class (`self.appbuilder.sm.oauth_user_info(provider, resp)`).
            let imports_it = file == def_file
                || source.imports.iter().any(|(_, q)| {
                    q.strip_prefix(defining_module)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                });
            // Elsewhere only `x.name(...)` can call it: ask the attribute filter alone.
            let spelled = |n: &&str| {
                if imports_it {
                    source.may_mention(n)
                } else {
                    source.parsed.attributes.may_contain(n)
                }
            };
            if !(imports_it || takes_self) || !names.iter().any(spelled) {
                continue;
            }
            for_each_call_in_functions(source.body(), &mut |caller, call| {
                if !all || !call.func.last_name().is_some_and(|n| names.contains(&n)) {
                    return;
                }
                let method_call = matches!(call.func.kind, ExprKind::Attribute { .. });
                // Where the class is not imported, a bare name is some other function.
                if !imports_it && !method_call {
                    return;
                }
                let position = if takes_self && method_call {
                    index.checked_sub(1)
                } else {
                    Some(index)
                };
                let argument = match position {
                    Some(i) => call.argument(param, i),
                    None => call.keyword(param),
                };
                sites += 1;
                all &= argument.is_some_and(|a| once.fetched(file, caller, a, 0));
            });
            if !all {
                return false;
            }
        }
        sites > 0
    }
}

/// A row of python-social-auth's storage: an element of `user.social_auth` (`for row in
/// user.social_auth`), a lookup in it (`user.social_auth.filter_by(provider=p).first()`,
/// `user.social_auth.get(provider=p)`), or a local bound only to those.
fn social_auth_row(function: &Function, e: &Expr, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match &e.kind {
        ExprKind::Name(name) => {
            reaching_values(&function.body, name, e.span).is_some_and(|values| {
                !values.is_empty()
                    && values.iter().all(|v| match v {
                        Bound::Value(v) => social_auth_row(function, v, depth + 1),
                        Bound::Element(iter) => in_social_auth(iter, depth + 1),
                    })
            })
        }
        ExprKind::Call(_) | ExprKind::Subscript { .. } => in_social_auth(e, depth + 1),
        _ => false,
    }
}

/// `user.social_auth`, or a query, lookup or subscript made on it.
fn in_social_auth(e: &Expr, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match &e.kind {
        ExprKind::Attribute { attr, .. } if attr == "social_auth" => true,
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { value, .. } => in_social_auth(value, depth + 1),
            _ => false,
        },
        ExprKind::Subscript { value, .. } => in_social_auth(value, depth + 1),
        _ => false,
    }
}

/// A value a local can hold where it is read.
enum Bound<'a> {
    /// `name = value`, `with value as name`, `(name := value)`.
    Value(&'a Expr),
    /// `for name in iter`: one element of `iter`.
    Element(&'a Expr),
}

/// The values that a read of `name` at `at` in `body` can see: those bound before the read and
/// those bound inside a loop around it. A name reused after the read (`token = r.json()`,
/// decoded, then `token = create_token(...)` for the session) does not reach it. `None` when a
/// binding that reaches it cannot be followed (an augmented assignment). Nested functions and
/// classes are not entered.
fn reaching_values<'a>(body: &'a [Stmt], name: &str, at: Span) -> Option<Vec<Bound<'a>>> {
    let mut loops: Vec<Span> = Vec::new();
    walk_stmts(body, &mut |stmt| {
        if let Stmt::For { span, .. } | Stmt::While { span, .. } = stmt
            && span.start <= at.start
            && at.end <= span.end
        {
            loops.push(*span);
        }
    });
    let reaches = |bound: Span| {
        bound.end <= at.start
            || loops
                .iter()
                .any(|l| l.start <= bound.start && bound.end <= l.end)
    };
    let mut values = Vec::new();
    let mut unknown = false;
    walk_stmts(body, &mut |stmt| {
        match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.iter().any(|t| binds(t, name)) && reaches(value.span) => {
                values.push(Bound::Value(value));
            }
            Stmt::With { items, .. } => {
                for item in items {
                    if item.target.as_ref().is_some_and(|t| binds(t, name))
                        && reaches(item.context.span)
                    {
                        values.push(Bound::Value(&item.context));
                    }
                }
            }
            Stmt::For { target, iter, .. } if binds(target, name) && reaches(iter.span) => {
                values.push(Bound::Element(iter));
            }
            Stmt::AugAssign { target, span, .. } if binds(target, name) && reaches(*span) => {
                unknown = true;
            }
            _ => {}
        }
        // `if token := response.get("id_token"):`
        stmt.for_each_own_expr(&mut |e| {
            e.any(&mut |x| {
                if let ExprKind::Named { target, value } = &x.kind
                    && binds(target, name)
                    && reaches(value.span)
                {
                    values.push(Bound::Value(value));
                }
                false
            });
        });
    });
    (!unknown).then_some(values)
}

/// Adds to `names` the attributes the class defining the method `function` (a class at the top
/// of `file`) binds to it in its own methods: `self.user_info = self.get_user_info`.
fn method_aliases<'a>(
    model: &'a ProjectModel,
    file: usize,
    function: &'a Function,
    names: &mut Vec<&'a str>,
) {
    let class = model.files[file].body().iter().find_map(|s| match s {
        Stmt::ClassDef(c)
            if c.span.start <= function.span.start && function.span.end <= c.span.end =>
        {
            Some(c.as_ref())
        }
        _ => None,
    });
    let Some(class) = class else {
        return;
    };
    let is_self_attr = |e: &Expr, name: Option<&str>| match &e.kind {
        ExprKind::Attribute { value, attr } => {
            value.as_name() == Some("self") && name.is_none_or(|n| attr == n)
        }
        _ => false,
    };
    for stmt in &class.body {
        let Stmt::FunctionDef(method) = stmt else {
            continue;
        };
        walk_stmts(&method.body, &mut |s| {
            if let Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } = s
                && is_self_attr(value, Some(function.name.as_str()))
            {
                for target in targets {
                    if let ExprKind::Attribute { attr, .. } = &target.kind
                        && is_self_attr(target, None)
                    {
                        names.push(attr.as_str());
                    }
                }
            }
        });
    }
}

/// A parameter annotated `Request`, or `request`, `req`, `http_request` with no annotation
/// saying otherwise: the client's request. An annotation decides over the name
/// (`http_request: httpx.Response` is what the server received).
fn is_client_request(function: &Function, e: &Expr) -> bool {
    let Some(name) = e.as_name() else {
        return false;
    };
    match function
        .params
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.annotation.as_deref())
    {
        // `Request`, `starlette.requests.Request`, `Optional[Request]`, `"Request"`.
        Some(annotation) => annotation.any(&mut |x| match &x.kind {
            ExprKind::Name(_) | ExprKind::Attribute { .. } => x.last_name() == Some("Request"),
            ExprKind::Str(_) => x.as_str().is_some_and(|t| t.ends_with("Request")),
            _ => false,
        }),
        None => matches!(name, "request" | "req" | "http_request"),
    }
}

/// An HTTP client the server calls out with: `client`, `http_client`, `session`, `httpx`,
/// `requests`, `self._client`.
fn is_http_client(e: &Expr) -> bool {
    e.last_name().is_some_and(|n| {
        let lower = n.to_ascii_lowercase();
        ["client", "session", "http", "requests"]
            .iter()
            .any(|w| lower.contains(w))
    })
}

/// `SomeClient(...)`: a class called to build an object.
fn is_construction(e: &Expr) -> bool {
    e.as_call()
        .and_then(|c| c.func.last_name())
        .and_then(|n| n.chars().next())
        .is_some_and(char::is_uppercase)
}

/// Calls `f` with every call made inside a function of `body` (methods and nested functions
/// included), with the innermost function that makes it.
fn for_each_call_in_functions<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Function, &'a Call)) {
    walk_functions(body, &mut |function| {
        walk_stmts(&function.body, &mut |s| {
            s.for_each_own_expr(&mut |e| {
                e.any(&mut |x| {
                    if let ExprKind::Call(c) = &x.kind {
                        f(function, c);
                    }
                    false
                });
            });
        });
    });
}
