use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::identifier_words;
use crate::jwt_calls::{DECODERS, decoder, dict_entries, is_false, options, token_argument};
use crate::rule::{Rule, RuleMeta};
use crate::rules::jwt::jwt_claims_not_verified::for_each_call_of;
use crate::token_origin::fetched_from_provider;
use routewarden_model::ProjectModel;
use routewarden_model::security::{walk_exprs, walk_functions, walk_stmts};
use routewarden_python::ast::{Call, Class, Expr, ExprKind, Function, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// A JWT decoded without checking its signature whose claims the code then relies on:
    /// PyJWT and python-jose `decode(..., options={"verify_signature": False})` (the options
    /// given inline or through a variable or constant), PyJWT 1.x `decode(..., verify=False)`,
    /// python-jose's `get_unverified_claims(...)`, and python_jwt's `process_jwt(...)` in a
    /// function that never calls `verify_jwt`.
    ///
    /// Not reported, because no claim of the unverified token decides anything: a peek
    /// followed by a verifying decode of the same token in the same function (reading `iss` or
    /// `kid` to choose the key, then verifying); a pre-check whose claims can only refuse the
    /// token (read only in the test of an `if` that raises, `if claims["iss"] != ISSUER:
    /// raise ...`, or in the raised value) when the token is verified one call away: by a
    /// function of the module or a method of the class that the pre-check hands it to, or by
    /// every caller after the pre-check returns (`self._check_issuer(token)` then
    /// `self._decode(token)`, which verifies); a peek that reads only the token's time claims
    /// (`exp`, `iat`, `nbf`: `jwt.decode(t, options=...).get("exp")` to cap a session's
    /// lifetime can only shorten it); a decode whose result is thrown away (a statement of its
    /// own, as in `try: jwt.decode(t, options=...); return True / except: return False`,
    /// which only asks whether the text parses as a JWT); and helpers whose name says they return unverified
    /// claims (`get_unverified_claims`, `peek_claims`), like the libraries' own
    /// `get_unverified_header`; a helper that only returns single claims (`return
    /// claims.get("email")`) when every caller hands the result only to log calls or an analytics
    /// client (PostHog's or Mixpanel's `capture`, `identify`, `track`): it names someone in an
    /// event and decides nothing. Nor is a token the server fetched itself from the identity
    /// provider: the JSON of its own call to the token endpoint (`token_response.json()
    /// ["id_token"]`), the result of a token exchange (`fetch_token`,
    /// `authorize_access_token`), the `id_token` of an SSO client object the code built, an
    /// access token requested with the server's own credential (azure-identity's
    /// `AzureCliCredential().get_token(scope).token`, or a helper given such a credential,
    /// `get_arm_token(credential=AzureCliCredential())`), or a helper's parameter that every
    /// call in the project fills with such a token (also calls through an alias the class binds,
    /// `self.user_info = self.get_user_info`, and a method called through attributes from
    /// modules that never import its class, `self.appbuilder.sm.user_info(provider, resp)`;
    /// the response variable may be bound in several branches, or returned by a project helper
    /// that posts to the endpoint; a name reused after the decode, `token = create_token(...)`,
    /// does not change what was decoded), and a token the
    /// provider accepted before its claims are read (`user = client.userinfo(token=...)`, then
    /// `if not user: raise ...`), and one python-social-auth stored from the provider's response
    /// at login (`row.extra_data["id_token"]` for a row of `user.social_auth`). OpenID
    /// Connect lets a client trust an ID token received straight from the token endpoint over
    /// TLS. Claims that are returned, passed on, or read beyond the time claims are reported.
    /// Test code, which inspects tokens on purpose, is not checked.
    ///
    /// ## Why is this dangerous
    /// Without the signature check a token is just base64 that anyone can write: an attacker
    /// sets `"sub": "admin"` or any user id and is trusted. Code that "only reads the claims
    /// first" tends to end up making decisions on them.
    ///
    /// ## Example
    /// ```python
    /// payload = jwt.decode(token, options={"verify_signature": False})
    /// user = db.get(payload["sub"])
    /// ```
    ///
    /// ## Fix
    /// Always verify, with the key and an explicit algorithm list:
    /// ```python
    /// payload = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    /// ```
    /// To pick a key by `kid`, read only the header (`get_unverified_header`) and then verify.
    pub static JWT_SIGNATURE_NOT_VERIFIED = {
        code: "JWT001",
        name: "jwt-signature-not-verified",
        severity: Critical,
        confidence: High,
        cwe: 347,
        fix: "Decode JWTs with signature verification, the key and an explicit algorithms list",
    }
}

pub struct JwtSignatureNotVerified;

/// Claims that only say when a token is valid: reading them cannot widen anyone's access.
const TIME_CLAIMS: &[&str] = &["exp", "iat", "nbf"];

/// True when a decoder call verifies the signature.
fn verifies(cx: &FileContext, call: &Call) -> bool {
    !options(cx, call)
        .iter()
        .any(|(k, v)| k == "verify_signature" && is_false(v))
        && !call.keyword("verify").is_some_and(is_false)
}

/// True when the same token is decoded again, with verification, after `at` in `function`.
fn verified_later(cx: &FileContext, function: &Function, at: Span, token: &Expr) -> bool {
    let Some(token) = token.dotted_parts() else {
        return false;
    };
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| {
            let ExprKind::Call(c) = &x.kind else {
                return false;
            };
            x.span.start > at.end
                && decoder(cx, c).is_some()
                && verifies(cx, c)
                && token_argument(c).and_then(Expr::dotted_parts).as_ref() == Some(&token)
        });
    });
    found
}

/// The claims read from the decoded value at `at`, when it is only ever read claim by claim
/// (`decode(...).get("exp")`, `claims = decode(...)` then `claims["iss"]`); `None` when the
/// value is returned, passed on or used whole.
fn claims_read(function: &Function, at: Span) -> Option<Vec<String>> {
    fn claim_of(e: &Expr, target: &dyn Fn(&Expr) -> bool) -> Option<Option<String>> {
        match &e.kind {
            ExprKind::Subscript { value, slice } if target(value) => {
                Some(slice.as_str().map(String::from))
            }
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Attribute { value, attr } if attr == "get" && target(value) => {
                    Some(c.args.first().and_then(Expr::as_str).map(String::from))
                }
                _ => None,
            },
            _ => None,
        }
    }
    let is_call = |e: &Expr| e.span == at;
    // `decode(...).get("exp")`, `decode(...)["exp"]`
    let mut direct = None;
    walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            if let Some(claim) = claim_of(x, &is_call) {
                direct = Some(claim);
                return true;
            }
            false
        });
    });
    if let Some(claim) = direct {
        return claim.map(|c| vec![c]);
    }
    // `claims = decode(...)`, then only `claims[...]` / `claims.get(...)`.
    let name = assigned_name(&function.body, at)?;
    let is_name = |e: &Expr| e.as_name() == Some(name);
    let mut claims = Vec::new();
    let mut whole_uses = 0usize;
    let mut claim_uses = 0usize;
    let mut unknown = false;
    walk_exprs(&function.body, &mut |e| {
        e.any(&mut |x| {
            if is_name(x) {
                whole_uses += 1;
            }
            match claim_of(x, &is_name) {
                Some(Some(c)) => {
                    claim_uses += 1;
                    claims.push(c);
                }
                Some(None) => unknown = true,
                None => {}
            }
            false
        });
    });
    // Every mention of the name other than its assignments is a claim read.
    let assignments = count_assignments(&function.body, name);
    (!unknown && whole_uses == claim_uses + assignments).then_some(claims)
}

/// `name = <call at span>` (also `name: T = ...`): the variable the decoded claims go to.
fn assigned_name(body: &[Stmt], at: Span) -> Option<&str> {
    for stmt in body {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        {
            let value = match &value.kind {
                ExprKind::Await(inner) => inner.as_ref(),
                _ => value,
            };
            if value.span == at
                && let [target] = targets.as_slice()
            {
                return target.as_name();
            }
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        for child in stmt.child_bodies() {
            if let Some(found) = assigned_name(child, at) {
                return Some(found);
            }
        }
    }
    None
}

fn count_assignments(body: &[Stmt], name: &str) -> usize {
    let mut n = 0;
    for stmt in body {
        if let Stmt::Assign { targets, .. } = stmt {
            n += targets.iter().filter(|t| t.as_name() == Some(name)).count();
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        for child in stmt.child_bodies() {
            n += count_assignments(child, name);
        }
    }
    n
}

/// Whether the call at `at` is a statement of its own (`jwt.decode(token, options=...)` in a
/// `try` that answers whether the token parses): its value is thrown away.
fn discarded(body: &[Stmt], at: Span) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Expr { value, .. } => {
            let value = match &value.kind {
                ExprKind::Await(inner) => inner.as_ref(),
                _ => value,
            };
            value.span == at
        }
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        _ => stmt.child_bodies().any(|child| discarded(child, at)),
    })
}

/// True when the claims of the unverified decode at `expr` can decide something.
fn claims_are_trusted(cx: &FileContext, expr: &Expr, call: &Call) -> bool {
    let Some(function) = cx.function() else {
        return true;
    };
    // A format probe: no claim is read, only whether decoding raised.
    if discarded(&function.body, expr.span) {
        return false;
    }
    let words = identifier_words(&function.name);
    if words.iter().any(|w| w == "unverified" || w == "peek") {
        return false;
    }
    if token_argument(call).is_some_and(|t| verified_later(cx, function, expr.span, t)) {
        return false;
    }
    let relied_on = match claims_read(function, expr.span) {
        Some(claims) => !claims.iter().all(|c| TIME_CLAIMS.contains(&c.as_str())),
        None => true,
    };
    // A pre-check whose claims can only refuse the token (`if claims["iss"] != issuer:
    // raise ...`), verified one call away: by a helper it hands the token to, or by each of
    // its callers after it returns.
    if relied_on
        && let Some(token) = token_argument(call)
        && only_refuses(function, expr.span)
        && (verified_by_callee(cx.model, cx.file_index, function, expr.span, token)
            || verified_by_callers(cx.model, cx.file_index, function, token))
    {
        return false;
    }
    // Following the token to its callers is the dearest question: asked last.
    relied_on
        && !only_reported(cx.model, cx.file_index, function, expr.span)
        && !token_argument(call)
            .is_some_and(|t| fetched_from_provider(cx.model, cx.file_index, function, t))
}

/// Product-analytics client libraries: what they are given names someone in an event.
const ANALYTICS_PACKAGES: &[&str] = &["posthog", "mixpanel"];

/// The methods of an analytics client that record what they are given, and return nothing
/// the caller could decide on (not `feature_enabled`).
const ANALYTICS_RECORDERS: &[&str] = &[
    "capture",
    "identify",
    "alias",
    "set",
    "set_once",
    "group_identify",
    "track",
    "people_set",
];

/// Whether the claims decoded at `at` only name someone to analytics or a log: `function`
/// returns single claims of them and nothing else reads them (`return claims.get("email")`),
/// and every call of `function` in the project, at least one, hands the result only to log
/// calls or a product-analytics client (keephq's `self.posthog_client.capture(identity,
/// "request-started", ...)`): no claim decides anything.
fn only_reported(model: &ProjectModel, file: usize, function: &Function, at: Span) -> bool {
    let holder = assigned_name(&function.body, at);
    let is_holder = |e: &Expr| e.span == at || holder.is_some_and(|h| e.as_name() == Some(h));
    let claim_of_holder = |e: &Expr| match &e.kind {
        ExprKind::Subscript { value, .. } => is_holder(value),
        ExprKind::Call(c) => {
            matches!(&c.func.kind, ExprKind::Attribute { value, attr } if attr == "get" && is_holder(value))
        }
        _ => false,
    };
    let mut returned = false;
    let mut other = false;
    walk_stmts(&function.body, &mut |stmt| {
        let mut used = false;
        stmt.for_each_own_expr(&mut |e| used |= e.any(&mut |x| is_holder(x)));
        if !used {
            return;
        }
        match stmt {
            Stmt::Return { value: Some(v), .. } if claim_of_holder(v) => returned = true,
            // The decode itself, bound to the holder.
            Stmt::Assign {
                targets,
                value: Some(v),
                ..
            } if v.span == at && matches!(targets.as_slice(), [t] if t.as_name() == holder) => {}
            _ => other = true,
        }
    });
    if other || !returned {
        return false;
    }
    let mut sites = 0usize;
    let all = for_each_call_of(model, file, function, &mut |f, caller, call| {
        sites += 1;
        result_only_reported(model, f, caller, call)
    });
    all && sites > 0
}

/// Whether the value of `call`, in `caller`, only goes to log calls or an analytics client: it
/// is an argument of one, or bound to a local that is only ever such an argument.
fn result_only_reported(model: &ProjectModel, file: usize, caller: &Function, call: &Expr) -> bool {
    let module = &model.files[file];
    let is_sink = |c: &Call| {
        crate::helpers::is_logging_call(module, c)
            || c.method().is_some_and(|(receiver, method)| {
                ANALYTICS_RECORDERS.contains(&method)
                    && module
                        .imports
                        .resolve(&c.func)
                        .into_iter()
                        .chain(model.instance_class(file, &[caller], receiver))
                        .any(|q| {
                            ANALYTICS_PACKAGES.iter().any(|p| {
                                q.strip_prefix(p)
                                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                            })
                        })
            })
    };
    let holder = assigned_name(&caller.body, call.span);
    let is_value = |e: &Expr| match holder {
        Some(h) => e.as_name() == Some(h),
        None => e.span == call.span,
    };
    let mut mentions = 0usize;
    let mut reported = 0usize;
    walk_exprs(&caller.body, &mut |e| {
        e.any(&mut |x| {
            if holder.is_some() && is_value(x) {
                mentions = mentions.saturating_add(1);
            }
            if let ExprKind::Call(c) = &x.kind
                && is_sink(c)
            {
                let given = c.args.iter().chain(c.keywords.iter().map(|k| &k.value));
                reported = reported.saturating_add(given.filter(|a| is_value(a)).count());
            }
            false
        });
    });
    match holder {
        Some(h) => {
            reported > 0 && mentions == reported.saturating_add(count_assignments(&caller.body, h))
        }
        None => reported > 0,
    }
}

/// Whether the claims decoded at `at` can only lead to a refusal: every read of them, directly
/// or through locals given one claim (`issuer = claims["iss"]`), is in the test of an `if`
/// whose branch ends in `raise` (with no `else`), or in the raised value; nothing else reads
/// them, so nothing of the token is returned, stored or used to choose a user.
fn only_refuses(function: &Function, at: Span) -> bool {
    let decoded = assigned_name(&function.body, at);
    let mut holders: Vec<&str> = decoded.into_iter().collect();
    let claim_of_holder = |e: &Expr, holders: &[&str]| -> bool {
        let e = match &e.kind {
            ExprKind::Await(inner) => inner.as_ref(),
            _ => e,
        };
        let receiver = match &e.kind {
            ExprKind::Subscript { value, .. } => value.as_ref(),
            ExprKind::Call(c) => match &c.func.kind {
                ExprKind::Attribute { value, attr } if attr == "get" => value.as_ref(),
                _ => return false,
            },
            _ => return false,
        };
        receiver.span == at || receiver.as_name().is_some_and(|n| holders.contains(&n))
    };
    // The locals given one claim, in source order.
    walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && let [target] = targets.as_slice()
            && let Some(n) = target.as_name()
            && claim_of_holder(value, &holders)
        {
            holders.push(n);
        }
    });
    let uses = |e: &Expr, holders: &[&str]| {
        e.any(&mut |x| x.span == at || x.as_name().is_some_and(|n| holders.contains(&n)))
    };
    let mut refuses_only = true;
    let mut tested = false;
    walk_stmts(&function.body, &mut |stmt| {
        if !refuses_only {
            return;
        }
        let mut used = false;
        stmt.for_each_own_expr(&mut |e| used |= uses(e, &holders));
        if !used {
            return;
        }
        refuses_only = match stmt {
            Stmt::If { body, orelse, .. } => {
                tested = true;
                orelse.is_empty() && matches!(body.last(), Some(Stmt::Raise { .. }))
            }
            Stmt::Raise { .. } => true,
            // The decode itself, or a claim put in a local.
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } => {
                let value = match &value.kind {
                    ExprKind::Await(inner) => inner.as_ref(),
                    _ => value,
                };
                matches!(targets.as_slice(), [t] if t.as_name().is_some_and(|n| holders.contains(&n)))
                    && (value.span == at || claim_of_holder(value, &holders))
            }
            _ => false,
        };
    });
    refuses_only && tested
}

/// Whether `call` decodes a JWT, outside test code, checking its signature; `scope` is where
/// its options are read.
fn verifying_decode(model: &ProjectModel, file: usize, scope: &[&Function], call: &Call) -> bool {
    let source = &model.files[file];
    if source.is_test()
        || !source
            .imports
            .resolve(&call.func)
            .is_some_and(|q| DECODERS.iter().any(|(n, _)| *n == q))
    {
        return false;
    }
    let unverified = call.keyword("options").is_some_and(|o| {
        dict_entries(model.resolve_value(file, scope, o).expr)
            .iter()
            .any(|(k, v)| k == "verify_signature" && is_false(v))
    });
    !unverified && !call.keyword("verify").is_some_and(is_false)
}

/// The class of `file` whose method `function` is.
fn class_of<'m>(model: &'m ProjectModel, file: usize, function: &Function) -> Option<&'m Class> {
    model.files[file].body().iter().find_map(|s| match s {
        Stmt::ClassDef(c)
            if c.span.start <= function.span.start && function.span.end <= c.span.end =>
        {
            Some(c.as_ref())
        }
        _ => None,
    })
}

/// A function of the same module, or a method of the same class (`self._decode(token)`), that
/// `call` in `caller` reaches; with whether the first parameter is the bound `self`.
fn local_callee<'m>(
    model: &'m ProjectModel,
    file: usize,
    caller: &Function,
    call: &Call,
) -> Option<(&'m Function, bool)> {
    match &call.func.kind {
        ExprKind::Name(name) => match model.files[file].top_level(name)? {
            Stmt::FunctionDef(f) => Some((f.as_ref(), false)),
            _ => None,
        },
        ExprKind::Attribute { value, attr } if value.as_name() == Some("self") => {
            class_of(model, file, caller)?
                .body
                .iter()
                .find_map(|s| match s {
                    Stmt::FunctionDef(m) if m.name == *attr => Some((m.as_ref(), true)),
                    _ => None,
                })
        }
        _ => None,
    }
}

/// Whether `function` of `file`, after `after`, verifies `token` (dotted parts): decodes it
/// with its signature checked, or passes it to a function of its module or a method of its
/// class that does so with the parameter it binds.
fn verifies_after(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    after: u32,
    token: &[&str],
    calls_followed: bool,
) -> bool {
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| {
            let ExprKind::Call(c) = &x.kind else {
                return false;
            };
            if x.span.start <= after {
                return false;
            }
            let passes = |a: &Expr| a.dotted_parts().is_some_and(|p| p == token);
            if verifying_decode(model, file, &[function], c)
                && token_argument(c).is_some_and(passes)
            {
                return true;
            }
            if !calls_followed {
                return false;
            }
            let Some(position) = c.args.iter().position(passes) else {
                return false;
            };
            let Some((callee, bound)) = local_callee(model, file, function, c) else {
                return false;
            };
            let Some(param) = callee.params.get(position + usize::from(bound)) else {
                return false;
            };
            verifies_after(model, file, callee, 0, &[param.name.as_str()], false)
        });
    });
    found
}

/// Whether `function`, after the peek at `at`, hands the token to a helper of its module or
/// class that verifies it.
fn verified_by_callee(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    at: Span,
    token: &Expr,
) -> bool {
    token
        .dotted_parts()
        .is_some_and(|t| verifies_after(model, file, function, at.end, &t, true))
}

/// Whether every call of `function` in the project, at least one, passes a token that the
/// caller then verifies (itself, or through a helper of its module or class).
fn verified_by_callers(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    token: &Expr,
) -> bool {
    let Some(param) = token.as_name() else {
        return false;
    };
    let Some(index) = function.params.iter().position(|p| p.name == param) else {
        return false;
    };
    let takes_self = function
        .params
        .first()
        .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"));
    // The modules that can name the function: through itself, or through its class.
    let named = class_of(model, file, function).map_or(function.name.as_str(), |c| c.name.as_str());
    let mut sites = 0usize;
    let mut all = true;
    for (at, source) in model.files_naming(file, named) {
        if !source.may_mention(function.name.as_str()) {
            continue;
        }
        walk_functions(source.body(), &mut |caller| {
            walk_exprs(&caller.body, &mut |e| {
                e.any(&mut |x| {
                    let ExprKind::Call(call) = &x.kind else {
                        return false;
                    };
                    if !all || call.func.last_name() != Some(function.name.as_str()) {
                        return false;
                    }
                    let method_call = matches!(call.func.kind, ExprKind::Attribute { .. });
                    let argument = match (takes_self && method_call, index) {
                        (true, 0) => None,
                        (true, i) => call.argument(param, i - 1),
                        (false, i) => call.argument(param, i),
                    };
                    sites += 1;
                    all &= argument
                        .and_then(Expr::dotted_parts)
                        .is_some_and(|t| verifies_after(model, at, caller, x.span.end, &t, true));
                    false
                });
            });
        });
        if !all {
            return false;
        }
    }
    sites > 0
}

impl Rule for JwtSignatureNotVerified {
    fn meta(&self) -> &'static RuleMeta {
        &JWT_SIGNATURE_NOT_VERIFIED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &JWT_SIGNATURE_NOT_VERIFIED;
        if decoder(cx, call).is_some() {
            if verifies(cx, call) || !claims_are_trusted(cx, expr, call) {
                return;
            }
            let message = if call.keyword("verify").is_some_and(is_false) {
                "JWT decoded with verify=False: any forged token is accepted"
            } else {
                "JWT decoded with verify_signature=False: any forged token is accepted"
            };
            out.report(meta, expr.span, message);
            return;
        }
        let Some(callee) = cx.resolve(&call.func) else {
            return;
        };
        match &*callee {
            "jose.jwt.get_unverified_claims" if claims_are_trusted(cx, expr, call) => {
                out.report(
                    meta,
                    expr.span,
                    "get_unverified_claims returns claims whose signature was never checked",
                );
            }
            "python_jwt.process_jwt" => {
                let verified_nearby = cx.function().is_some_and(|f| {
                    let mut found = false;
                    walk_exprs(&f.body, &mut |e| {
                        found |= e.any(&mut |x| {
                            matches!(&x.kind, ExprKind::Call(c) if cx.resolve(&c.func).as_deref() == Some("python_jwt.verify_jwt"))
                        });
                    });
                    found
                });
                if !verified_nearby {
                    out.report(meta, expr.span, "process_jwt parses a token without verifying it, and verify_jwt is never called here");
                }
            }
            _ => {}
        }
    }
}
