use crate::context::FileContext;
use crate::credentials::binds;
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::for_each_call;
use crate::jwt_calls::{
    DECODERS, JwtLibrary, decoder, dict_entries, encode_algorithm, encoded_claims, encoder,
    is_false, jwcrypto_built_claims, jwcrypto_default_claims, options, token_argument,
};
use crate::rule::{Rule, RuleMeta, Severity};
use crate::token_origin::decodes_fetched_token;
use crate::untrusted::resolve_callee;
use routewarden_model::security::{walk_exprs, walk_functions, walk_stmts};
use routewarden_model::{ProjectModel, for_each_return};
use routewarden_python::ast::{Call, CmpOp, Expr, ExprKind, Function, ParamKind, Span, Stmt};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// JWT claim checks switched off or impossible: `options` with `verify_exp`, `verify_aud`,
    /// `verify_iss` or `verify_nbf` set to false, or `require` emptied (PyJWT, python-jose; the
    /// options inline or through a variable or constant); and tokens issued with no `exp` claim
    /// (`jwt.encode` of a payload whose keys are all known and include no `exp`, also when the
    /// payload is built in a local variable and extended before encoding with `payload["exp"] =`,
    /// `payload.update(...)` or `payload |= {...}`; payloads built elsewhere or merged from
    /// other mappings are not judged; authlib's `jwt.encode(header, payload, key)` is read in its
    /// own order, the payload second; jwcrypto's `JWT(header=..., claims=...)`, which builds
    /// the token `make_signed_token`/`make_encrypted_token` seal, likewise, unless its
    /// `default_claims` name `exp`, which jwcrypto then fills in; joserfc's
    /// `jwt.encode(header, claims, key)` likewise), and fastapi-users' `JWTStrategy` given
    /// `lifetime_seconds=None`, which then signs tokens without `exp`. An unsigned token (`algorithm="none"`, an authlib header
    /// with `"alg": "none"`) is JWT002's: an expiry nobody can trust is not reported.
    ///
    /// joserfc's `jwt.decode(value, key)` checks the signature only: the expiry is checked by
    /// a claims registry (`JWTClaimsRegistry(...).validate(token.claims)`) or not at all. Such
    /// a decode is reported when its claims reach no registry's `validate`/`validate_exp` (on a
    /// `JWTClaimsRegistry`, an instance of a project subclass, or an object the analysis
    /// cannot place, such as `self.registry`) and no comparison of their `exp`, in the
    /// function, in the project functions they are passed to, or in every caller they are
    /// returned to; and when the tokens are expected to carry an expiry: some joserfc token the
    /// project issues has `exp`, or the project issues none (its tokens come from an identity
    /// provider). Tokens the project issues without a known `exp` (a `jti` naming a
    /// server-side record, an OAuth `state`) have no expiry to check.
    ///
    /// `verify_iat` switched off is not reported: it only lets a token issued slightly in the
    /// future through (clock skew), the expiry is still checked.
    ///
    /// Switching off the library's time checks (`verify_exp`, `verify_nbf`) is
    /// not reported when the code checks time itself: `exp` is in the `require` list (the
    /// token must carry it, so the code that disabled the library's wall-clock check compares
    /// it, typically against an injected clock), or the code compares the decoded `exp`: the
    /// function itself (`claims["exp"] < now`), a project function the claims are passed to
    /// (also as a value built from them, `check_expiry(TokenPayload(**claims))`, up to two
    /// calls deep), or, when the function returns the claims or their `exp`, every caller
    /// (`payload = decode_key(key)` then `payload.exp < time.time()`) or has first handed the
    /// same token, in a statement that always runs, to a project function that decodes it with
    /// its signature and expiry checked (`org = resolve_org(key)`, then
    /// `key_type(decode_key(key))`). Audience and issuer
    /// checks switched off are still reported, except on a token the server fetched itself
    /// from its identity provider (the JSON of its own call to the token endpoint, an OAuth
    /// client's `fetch_token` or `authorize_access_token`, or a parameter every caller fills
    /// with such a token, also one taken from a list of them tried in turn; the provenance
    /// JWT001 exempts): the server asked that provider
    /// itself; nor when the code checks the claim itself, refusing on a comparison of it in
    /// the function, a project function the claims are passed to (two calls deep) or every
    /// caller they are returned to (`if not any(norm(a) == RESOURCE for a in audiences): raise
    /// HTTPException(401)`, PyJWT's exact match refusing a trailing slash); a presence test
    /// (`if not claims.get("aud"): raise`) or a mismatch only logged is no check. A PyJWT or
    /// python-jose decode whose result is thrown away (`try: jwt.decode(...); return True`,
    /// which only asks whether the server signed the token)
    /// and a `jwt.encode` whose result is thrown away (a start-up check that the key is
    /// usable) are not judged; a decode whose claims reach only log calls is reported at low
    /// severity. Test code, which forges tokens on purpose, is not checked.
    ///
    /// ## Why is this dangerous
    /// A token that never expires stays valid forever once stolen, from a log, a browser or a
    /// proxy; there is no logout. Skipping the audience or issuer check accepts tokens minted for
    /// another service that shares the key.
    ///
    /// ## Example
    /// ```python
    /// token = jwt.encode({"sub": str(user.id)}, KEY, algorithm="HS256")
    /// claims = jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_exp": False})
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// exp = datetime.now(timezone.utc) + timedelta(minutes=15)
    /// token = jwt.encode({"sub": str(user.id), "exp": exp}, KEY, algorithm="HS256")
    /// claims = jwt.decode(token, KEY, algorithms=["HS256"], audience="api")
    /// ```
    pub static JWT_CLAIMS_NOT_VERIFIED = {
        code: "JWT003",
        name: "jwt-claims-not-verified",
        severity: Medium,
        confidence: High,
        cwe: 613,
        fix: "Issue tokens with an exp claim and keep expiry, audience and issuer verification on",
    }
}

pub struct JwtClaimsNotVerified;

/// authlib's JWT class: `JsonWebToken(["RS256"]).decode(s, key)` is `jwt.decode` with the
/// algorithms restricted.
const AUTHLIB_JSON_WEB_TOKEN: &[&str] = &[
    "authlib.jose.JsonWebToken",
    "authlib.jose.rfc7519.JsonWebToken",
    "authlib.jose.rfc7519.jwt.JsonWebToken",
];

/// fastapi-users' token strategy, from its package and from the module defining it.
const FASTAPI_USERS_JWT_STRATEGIES: &[&str] = &[
    "fastapi_users.authentication.JWTStrategy",
    "fastapi_users.authentication.strategy.JWTStrategy",
    "fastapi_users.authentication.strategy.jwt.JWTStrategy",
];

/// Keys a payload variable gains after its creation: `payload["exp"] = ...`,
/// `payload.update(exp=...)`, `payload.update({"exp": ...})`.
fn keys_added_later(body: &[Stmt], name: &str) -> (Vec<String>, bool) {
    let mut keys = Vec::new();
    let mut unknown = false;
    walk_exprs(body, &mut |e| match &e.kind {
        ExprKind::Subscript { value, slice } if value.as_name() == Some(name) => {
            match slice.as_str() {
                Some(k) => keys.push(k.to_string()),
                None => unknown = true,
            }
        }
        ExprKind::Call(call) => {
            if let ExprKind::Attribute { value, attr } = &call.func.kind
                && value.as_name() == Some(name)
                && (attr == "update" || attr == "setdefault")
            {
                keys.extend(
                    call.keywords
                        .iter()
                        .filter_map(|k| k.arg.as_deref().map(str::to_string)),
                );
                for a in &call.args {
                    match &a.kind {
                        ExprKind::Str(s) => keys.push(s.clone()),
                        ExprKind::Dict(_) => {
                            keys.extend(dict_entries(a).into_iter().map(|(k, _)| k))
                        }
                        _ => unknown = true,
                    }
                }
            }
        }
        _ => {}
    });
    augmented_keys(body, name, &mut keys, &mut unknown);
    (keys, unknown)
}

/// `payload |= {"exp": ...}`, in any nested block.
fn augmented_keys(body: &[Stmt], name: &str, keys: &mut Vec<String>, unknown: &mut bool) {
    for stmt in body {
        if let Stmt::AugAssign { target, value, .. } = stmt
            && target.as_name() == Some(name)
        {
            match &value.kind {
                ExprKind::Dict(_) => keys.extend(dict_entries(value).into_iter().map(|(k, _)| k)),
                _ => *unknown = true,
            }
        }
        for child in stmt.child_bodies() {
            augmented_keys(child, name, keys, unknown);
        }
    }
}

/// `options={"require": [..., "exp"]}`: the token must carry an expiry.
fn requires_exp(cx: &FileContext, opts: &[(String, &Expr)]) -> bool {
    opts.iter().any(|(k, v)| {
        k == "require"
            && cx
                .resolve_value(v)
                .expr
                .elements()
                .is_some_and(|items| items.iter().any(|i| i.as_str() == Some("exp")))
    })
}

/// The enclosing function compares an `exp` claim: `claims["exp"] < now`,
/// `now < payload.get("exp")`, `claims.exp <= now`.
fn compares_exp(cx: &FileContext) -> bool {
    let Some(function) = cx.function() else {
        return false;
    };
    let is_exp = |e: &Expr| match &e.kind {
        ExprKind::Subscript { slice, .. } => slice.as_str() == Some("exp"),
        ExprKind::Attribute { attr, .. } => attr == "exp",
        ExprKind::Call(c) => {
            c.func.last_name() == Some("get")
                && c.args.first().and_then(Expr::as_str) == Some("exp")
        }
        _ => false,
    };
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found |= e.any(&mut |x| {
            let ExprKind::Compare {
                left, comparators, ..
            } = &x.kind
            else {
                return false;
            };
            std::iter::once(left.as_ref())
                .chain(comparators.iter())
                .any(|o| o.any(&mut |y| is_exp(y)))
        });
    });
    found
}

/// The claims of one decode followed through a function: the names holding them (or a value
/// built from them, `TokenPayload(**claims)`), the names holding the claim followed (`exp`, or
/// `aud`/`iss` for [`claim_checked_elsewhere`]; called `exp` below), and the expression that
/// yields them (the decode call, or a call of the function that returns them), with whether it
/// yields that claim itself.
#[derive(Clone)]
struct Claims {
    claims: HashSet<String>,
    exp: HashSet<String>,
    source: Option<(Span, bool)>,
    /// authlib's claims object, which checks itself: `claims.validate()`.
    authlib: bool,
    /// The claim followed: `"exp"` unless said.
    claim: &'static str,
}

/// How far a value of a [`Claims`] is followed into the functions it is passed to.
const MAX_CALLEE_DEPTH: u32 = 2;

/// The object an `exp` claim is read from: `claims["exp"]`, `claims.exp`, `claims.get("exp")`.
fn exp_receiver(e: &Expr) -> Option<&Expr> {
    claim_receiver(e, "exp")
}

/// The object claim `claim` is read from: `claims["aud"]`, `claims.aud`, `claims.get("aud")`.
fn claim_receiver<'e>(e: &'e Expr, claim: &str) -> Option<&'e Expr> {
    match &e.kind {
        ExprKind::Subscript { value, slice } if slice.as_str() == Some(claim) => Some(value),
        ExprKind::Attribute { value, attr } if attr == claim => Some(value),
        ExprKind::Call(c)
            if c.args.first().and_then(Expr::as_str) == Some(claim)
                && c.func.last_name() == Some("get") =>
        {
            match &c.func.kind {
                ExprKind::Attribute { value, .. } => Some(value),
                _ => None,
            }
        }
        _ => None,
    }
}

impl Claims {
    fn new(source: Option<(Span, bool)>) -> Self {
        Claims {
            claims: HashSet::default(),
            exp: HashSet::default(),
            source,
            authlib: false,
            claim: "exp",
        }
    }

    /// The same kind of claims coming from another expression (or none).
    fn like(&self, source: Option<(Span, bool)>) -> Self {
        Claims {
            authlib: self.authlib,
            claim: self.claim,
            ..Claims::new(source)
        }
    }

    /// `e` is the claims object itself: the decode call or a name bound to its result (not a
    /// value built from it).
    fn is_object(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Name(n) => self.claims.contains(n.as_str()),
            ExprKind::Call(_) => self
                .source
                .is_some_and(|(span, exp)| !exp && span == e.span),
            _ => false,
        }
    }

    /// Whether the function reads the claims: anything but binding them to a name (`claims =
    /// jwt.decode(...)`, `alias = claims`) or a bare decode whose result is thrown away.
    fn used(&self, body: &[Stmt]) -> bool {
        let mut found = false;
        walk_stmts(body, &mut |stmt| {
            if found {
                return;
            }
            match stmt {
                Stmt::Assign { targets, value, .. } => {
                    found = targets
                        .iter()
                        .filter(|t| !matches!(t.kind, ExprKind::Name(_)))
                        .any(|t| self.kind(t).is_some())
                        || value
                            .as_ref()
                            .is_some_and(|v| !self.is_object(v) && self.kind(v).is_some());
                }
                Stmt::Expr { value, .. } if self.is_object(value) => {}
                _ => stmt.for_each_own_expr(&mut |e| found = found || self.kind(e).is_some()),
            }
        });
        found
    }

    fn insert(&mut self, name: &str, exp: bool) {
        if exp {
            self.exp.insert(name.to_string());
        } else {
            self.claims.insert(name.to_string());
        }
    }

    /// `Some(true)` when `e` carries the `exp` claim, `Some(false)` when it carries the claims.
    fn kind(&self, e: &Expr) -> Option<bool> {
        let mut claims = false;
        let exp = e.any(&mut |x| {
            if let Some((span, exp)) = self.source
                && x.span == span
                && matches!(x.kind, ExprKind::Call(_))
            {
                claims = true;
                return exp;
            }
            match &x.kind {
                ExprKind::Name(n) if self.exp.contains(n.as_str()) => true,
                ExprKind::Name(n) => {
                    claims |= self.claims.contains(n.as_str());
                    false
                }
                _ => claim_receiver(x, self.claim).is_some_and(|r| self.kind(r).is_some()),
            }
        });
        if exp {
            Some(true)
        } else {
            claims.then_some(false)
        }
    }

    /// Gives the names assigned from the claims (or their `exp`) the same kind, in the
    /// function's own statements.
    fn propagate(&mut self, body: &[Stmt]) {
        // Twice, for assignments in loops that read names assigned further down.
        for _ in 0..2 {
            walk_stmts(body, &mut |stmt| {
                let Stmt::Assign {
                    targets,
                    value: Some(value),
                    ..
                } = stmt
                else {
                    return;
                };
                let Some(exp) = self.kind(value) else {
                    return;
                };
                for target in targets {
                    for_each_target_name(target, &mut |n| self.insert(n, exp));
                }
            });
        }
    }

    /// An ordering comparison of the `exp` claim in the function's own statements:
    /// `claims.exp <= time.time()`, `expires_at < now`; for `aud` or `iss`, a refusal decided
    /// by comparing the claim: an `if` whose test reads it in a comparison and whose body
    /// raises (`if not any(norm(a) == expected for a in audiences): raise HTTPException(401)`;
    /// not a mere presence test, `if not claims.get("aud"): raise`).
    fn compared(&self, body: &[Stmt]) -> bool {
        let mut found = false;
        if self.claim != "exp" {
            walk_stmts(body, &mut |stmt| {
                if let Stmt::If { test, body, .. } = stmt
                    && body.iter().any(|s| matches!(s, Stmt::Raise { .. }))
                    && self.kind(test) == Some(true)
                    && test.any(&mut |x| {
                        x.comparisons().iter().any(|(_, op, _)| {
                            matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn)
                        })
                    })
                {
                    found = true;
                }
            });
            return found;
        }
        walk_stmts(body, &mut |stmt| {
            stmt.for_each_own_expr(&mut |e| {
                found = found
                    || e.any(&mut |x| {
                        x.comparisons().iter().any(|(l, op, r)| {
                            matches!(op, CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE)
                                && (self.kind(l) == Some(true) || self.kind(r) == Some(true))
                        })
                    });
            });
        });
        found
    }
}

/// joserfc's claims registries: `validate(claims)` checks `exp`, `nbf` and the claims asked
/// for, `validate_exp(value)` the expiry alone.
const JOSERFC_CLAIMS_REGISTRIES: &[&str] = &[
    "joserfc.jwt.JWTClaimsRegistry",
    "joserfc.jwt.ClaimsRegistry",
    "joserfc.jwt.JWTClaimsRequests",
];

impl Claims {
    /// The claims (or their `exp`) handed to a claims registry in the function's own
    /// statements: `registry.validate(token.claims)`, `registry.validate_exp(claims["exp"])`;
    /// authlib's claims validate themselves: `claims.validate()`, `claims.validate_exp(...)`.
    fn validated(&self, model: &ProjectModel, file: usize, function: &Function) -> bool {
        let mut found = false;
        walk_stmts(&function.body, &mut |stmt| {
            stmt.for_each_own_expr(&mut |e| {
                found = found
                    || e.any(&mut |x| {
                        let ExprKind::Call(call) = &x.kind else {
                            return false;
                        };
                        let Some((receiver, "validate" | "validate_exp")) = call.method() else {
                            return false;
                        };
                        if self.authlib {
                            return self.is_object(receiver);
                        }
                        call.args.iter().any(|a| self.kind(a).is_some())
                            && is_claims_registry(model, file, function, receiver)
                    });
            });
        });
        found
    }
}

/// Whether `receiver` is a joserfc claims registry (or an instance of a project subclass), or
/// an object the model cannot place (`self.registry`, a parameter); not a class called
/// directly (`TokenData.validate(claims)` builds a model) nor an object of another class.
fn is_claims_registry(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    receiver: &Expr,
) -> bool {
    match model.instance_class(file, &[function], receiver) {
        Some(class) => JOSERFC_CLAIMS_REGISTRIES.contains(&class.as_str()),
        None => model.resolve_definition(file, receiver).is_none(),
    }
}

/// The names an assignment target binds: `name`, and those of `a, *rest` (not the objects of
/// `obj.attr = ...` or `cache[key] = ...`).
fn for_each_target_name(target: &Expr, f: &mut impl FnMut(&str)) {
    match &target.kind {
        ExprKind::Name(n) => f(n),
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            for item in items {
                for_each_target_name(item, f);
            }
        }
        ExprKind::Starred(inner) => for_each_target_name(inner, f),
        _ => {}
    }
}

/// Whether the claims reach a comparison of their `exp`: in `function`, or in a project
/// function they are passed to.
fn reaches_exp_check(
    model: &ProjectModel,
    file: usize,
    function: &Function,
    mut claims: Claims,
    depth: u32,
) -> bool {
    claims.propagate(&function.body);
    if claims.compared(&function.body)
        || claims.claim == "exp" && claims.validated(model, file, function)
    {
        return true;
    }
    if depth >= MAX_CALLEE_DEPTH {
        return false;
    }
    let mut found = false;
    walk_stmts(&function.body, &mut |stmt| {
        stmt.for_each_own_expr(&mut |e| {
            e.any(&mut |x| {
                if found {
                    return true;
                }
                let ExprKind::Call(call) = &x.kind else {
                    return false;
                };
                let passed = call.args.iter().any(|a| claims.kind(a).is_some())
                    || call
                        .keywords
                        .iter()
                        .any(|k| claims.kind(&k.value).is_some());
                if !passed {
                    return false;
                }
                let Some((callee_file, callee, bound)) = resolve_callee(model, file, &call.func)
                else {
                    return false;
                };
                // The callee's parameters that receive the claims or their `exp`.
                let mut seeded = claims.like(None);
                let offset = usize::from(bound);
                for (i, a) in call.args.iter().enumerate() {
                    if let (Some(exp), Some(p)) = (claims.kind(a), callee.params.get(i + offset))
                        && matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional)
                    {
                        seeded.insert(&p.name, exp);
                    }
                }
                for k in &call.keywords {
                    if let (Some(name), Some(exp)) = (&k.arg, claims.kind(&k.value))
                        && callee.params.iter().any(|p| p.name == *name)
                    {
                        seeded.insert(name, exp);
                    }
                }
                found = !(seeded.claims.is_empty() && seeded.exp.is_empty())
                    && reaches_exp_check(model, callee_file, callee, seeded, depth + 1);
                found
            });
        });
    });
    found
}

/// Whether the claims of the decode at `decode` have their `exp` compared outside the
/// function: in a project function they are passed to, or, when the function returns them (or
/// their `exp`), at every call of the function in the project.
fn exp_checked_elsewhere(cx: &FileContext, decode: &Expr, authlib: bool) -> bool {
    claim_checked_elsewhere(cx, decode, authlib, "exp")
}

/// Like [`exp_checked_elsewhere`] for any claim: `aud` and `iss` are checked by a refusal
/// decided on them (see [`Claims::compared`]), in the function itself too.
fn claim_checked_elsewhere(
    cx: &FileContext,
    decode: &Expr,
    authlib: bool,
    claim: &'static str,
) -> bool {
    let Some(function) = cx.function() else {
        return false;
    };
    let mut claims = Claims::new(Some((decode.span, false)));
    claims.authlib = authlib;
    claims.claim = claim;
    claims.propagate(&function.body);
    if reaches_exp_check(cx.model, cx.file_index, function, claims.clone(), 0) {
        return true;
    }
    // What the function hands back: the claims, or only their `exp`.
    let mut returned: Option<bool> = None;
    for_each_return(&function.body, &mut |v| {
        if let Some(exp) = claims.kind(v) {
            returned = Some(returned.map_or(exp, |r| r && exp));
        }
    });
    let Some(exp) = returned else {
        return false;
    };
    let mut sites = 0usize;
    let all = for_each_call_of(
        cx.model,
        cx.file_index,
        function,
        &mut |file, caller, call| {
            sites += 1;
            reaches_exp_check(
                cx.model,
                file,
                caller,
                claims.like(Some((call.span, exp))),
                0,
            ) || claim == "exp"
                && authenticated_first(cx.model, function, decode, file, caller, call)
        },
    );
    all && sites > 0
}

/// Whether `caller`, before the statement making the call `site` of `function`, hands the same
/// token (what `site` passes for the parameter the decode at `decode` reads) to a project
/// function that decodes it with its signature and expiry checked: the key was authenticated
/// first, and the claims read again afterwards are those of an unexpired token (skyvern's
/// `resolve_org_from_api_key(x_api_key)`, then `_api_key_type(_decode_token_before_cache(
/// x_api_key))` reading only the key's type). The earlier call must be in a statement of the
/// caller's own body, which always runs before the site (not under an `if` or in a `try`), and
/// the token a parameter of the caller that it never binds again.
fn authenticated_first(
    model: &ProjectModel,
    function: &Function,
    decode: &Expr,
    file: usize,
    caller: &Function,
    site: &Expr,
) -> bool {
    let (Some(decode_call), Some(site_call)) = (decode.as_call(), site.as_call()) else {
        return false;
    };
    let Some(param) = token_argument(decode_call).and_then(Expr::as_name) else {
        return false;
    };
    let Some(index) = function.params.iter().position(|p| p.name == param) else {
        return false;
    };
    let bound = matches!(site_call.func.kind, ExprKind::Attribute { .. })
        && function
            .params
            .first()
            .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"));
    let position = if bound {
        index.checked_sub(1)
    } else {
        Some(index)
    };
    let Some(token) = position
        .and_then(|i| site_call.argument(param, i))
        .and_then(Expr::as_name)
    else {
        return false;
    };
    if !caller.params.iter().any(|p| p.name == token) {
        return false;
    }
    let mut rebound = false;
    walk_stmts(&caller.body, &mut |stmt| {
        rebound |= match stmt {
            Stmt::Assign { targets, .. } => targets.iter().any(|t| binds(t, token)),
            Stmt::AugAssign { target, .. } | Stmt::For { target, .. } => binds(target, token),
            Stmt::With { items, .. } => items
                .iter()
                .any(|i| i.target.as_ref().is_some_and(|t| binds(t, token))),
            _ => false,
        };
    });
    if rebound {
        return false;
    }
    caller
        .body
        .iter()
        .take_while(|s| s.span().end <= site.span.start)
        .any(|stmt| {
            let mut found = false;
            stmt.for_each_own_expr(&mut |e| {
                found = found
                    || e.any(&mut |x| {
                        let ExprKind::Call(c) = &x.kind else {
                            return false;
                        };
                        let Some(i) = c.args.iter().position(|a| a.as_name() == Some(token)) else {
                            return false;
                        };
                        let Some((f, g, bound)) = resolve_callee(model, file, &c.func) else {
                            return false;
                        };
                        g.params
                            .get(i + usize::from(bound))
                            .is_some_and(|p| checks_expiry(model, f, g, &p.name))
                    });
            });
            found
        })
}

/// Whether `function` of `file` decodes its parameter `param` with PyJWT or python-jose, the
/// signature checked, and the expiry checked by the library or by a comparison of the claims'
/// `exp` ([`reaches_exp_check`]).
fn checks_expiry(model: &ProjectModel, file: usize, function: &Function, param: &str) -> bool {
    let source = &model.files[file];
    if source.is_test() {
        return false;
    }
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found = found
            || e.any(&mut |x| {
                let ExprKind::Call(c) = &x.kind else {
                    return false;
                };
                let library = source
                    .imports
                    .resolve(&c.func)
                    .and_then(|q| DECODERS.iter().find(|(n, _)| *n == q).map(|(_, l)| *l));
                if !matches!(library, Some(JwtLibrary::PyJwt | JwtLibrary::Jose))
                    || token_argument(c).and_then(Expr::as_name) != Some(param)
                    || c.keyword("verify").is_some_and(is_false)
                {
                    return false;
                }
                let opts = c.keyword("options").map_or_else(Vec::new, |o| {
                    dict_entries(model.resolve_value(file, &[function], o).expr)
                });
                let off = |key: &str| opts.iter().any(|(k, v)| k == key && is_false(v));
                !off("verify_signature")
                    && (!off("verify_exp")
                        || reaches_exp_check(
                            model,
                            file,
                            function,
                            Claims::new(Some((x.span, false))),
                            0,
                        ))
            });
    });
    found
}

/// Calls `f` with every call of `function` in the project (by name, in the defining module
/// and the modules importing from it), with the function making it; stops at the first call
/// for which `f` is false, and returns whether none was (a call in module code is one).
pub(crate) fn for_each_call_of<'m>(
    model: &'m ProjectModel,
    def_file: usize,
    function: &Function,
    f: &mut impl FnMut(usize, &'m Function, &'m Expr) -> bool,
) -> bool {
    let defining_module = model.files[def_file].module_name.as_str();
    let name = function.name.as_str();
    for (file, source) in model.files.iter().enumerate() {
        let imports_it = file == def_file
            || source.imports.iter().any(|(_, q)| {
                q.strip_prefix(defining_module)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            });
        if !imports_it || !source.may_mention(name) {
            continue;
        }
        // A call in module code has no function to look into: it counts as unchecked.
        let mut at_module_level = false;
        walk_stmts(source.body(), &mut |stmt| {
            stmt.for_each_own_expr(&mut |e| {
                at_module_level |= e.any(&mut |x| {
                    matches!(&x.kind, ExprKind::Call(call) if call.func.last_name() == Some(name))
                });
            });
        });
        if at_module_level {
            return false;
        }
        let mut all = true;
        walk_functions(source.body(), &mut |caller| {
            walk_stmts(&caller.body, &mut |stmt| {
                stmt.for_each_own_expr(&mut |e| {
                    e.any(&mut |x| {
                        if all
                            && let ExprKind::Call(call) = &x.kind
                            && call.func.last_name() == Some(name)
                        {
                            all = f(file, caller, x);
                        }
                        !all
                    });
                });
            });
        });
        if !all {
            return false;
        }
    }
    true
}

/// The exceptions PyJWT, python-jose and authlib raise for an expired token.
const EXPIRED_TOKEN_ERRORS: &[&str] = &[
    "jwt.ExpiredSignatureError",
    "jwt.ExpiredSignature",
    "jwt.exceptions.ExpiredSignatureError",
    "jwt.exceptions.ExpiredSignature",
    "jose.ExpiredSignatureError",
    "jose.exceptions.ExpiredSignatureError",
    "jose.jwt.ExpiredSignatureError",
    "authlib.jose.errors.ExpiredTokenError",
    "authlib.jose.ExpiredTokenError",
];

/// The decode at `decode` sits in an `except` of the library's expired-token error (the token
/// was already decoded with the expiry checked, and refused) and its claims are only logged or
/// put in the error raised, not returned nor used otherwise: reading an expired token again
/// only to say when it expired accepts nothing. The branch must end in a `raise` or in a
/// `return` of something not made from the claims; a branch that falls through must not read
/// them anywhere else in the function either (the name may be read after the `try`).
fn expired_token_only_reported(cx: &FileContext, decode: &Expr) -> bool {
    let Some(function) = cx.function() else {
        return false;
    };
    let inside = |span: Span| span.start <= decode.span.start && decode.span.end <= span.end;
    let mut handler = None;
    walk_stmts(&function.body, &mut |stmt| {
        if let Stmt::Try { handlers, .. } = stmt {
            for h in handlers {
                if inside(h.span) {
                    // The innermost handler holding the decode.
                    handler = Some(h);
                }
            }
        }
    });
    let Some(handler) = handler else {
        return false;
    };
    let catches_expiry = handler.type_.as_ref().is_some_and(|t| {
        t.elements_or_self()
            .iter()
            .any(|t| cx.resolves_to(t, EXPIRED_TOKEN_ERRORS))
    });
    if !catches_expiry {
        return false;
    }
    let refuses = match handler.body.last() {
        Some(Stmt::Raise { .. }) => true,
        Some(Stmt::Return { value, .. }) => {
            value.is_none() || {
                let mut claims = Claims::new(Some((decode.span, false)));
                claims.propagate(&handler.body);
                value.as_ref().is_none_or(|v| claims.kind(v).is_none())
            }
        }
        _ => false,
    };
    // Where the claims may be read: the branch when it ends in a refusal, else the function.
    let scope: &[Stmt] = if refuses {
        &handler.body
    } else {
        &function.body
    };
    only_logged_in(cx, decode, scope, true)
}

/// Whether the claims decoded at `decode` reach nothing but log calls: every read of them, or
/// of a name bound from them, in the function is inside a logger's arguments, and none is
/// returned, stored or passed on. Such claims decide nothing.
fn claims_only_logged(cx: &FileContext, decode: &Expr) -> bool {
    let Some(function) = cx.function() else {
        return false;
    };
    only_logged_in(cx, decode, &function.body, false)
}

/// Whether every read in `scope` of the claims decoded at `decode`, or of a name bound from
/// them, is inside a logger's arguments (and, with `raise_allowed`, in a `raise`, whose error
/// text may carry them).
fn only_logged_in(cx: &FileContext, decode: &Expr, scope: &[Stmt], raise_allowed: bool) -> bool {
    let mut claims = Claims::new(Some((decode.span, false)));
    claims.propagate(scope);
    let module = &cx.model.files[cx.file_index];
    let mut read_elsewhere = false;
    walk_stmts(scope, &mut |stmt| {
        if read_elsewhere {
            return;
        }
        match stmt {
            Stmt::Raise { .. } if raise_allowed => {}
            // Binding the claims (or a value made from them) to a name is no use by itself:
            // the name's reads are judged where they are.
            Stmt::Assign { targets, value, .. }
                if targets.iter().all(|t| matches!(t.kind, ExprKind::Name(_))) =>
            {
                read_elsewhere = value
                    .as_ref()
                    .is_some_and(|v| reads_outside_logs(module, &claims, v, true));
            }
            _ => stmt.for_each_own_expr(&mut |e| {
                read_elsewhere = read_elsewhere || reads_outside_logs(module, &claims, e, false);
            }),
        }
    });
    !read_elsewhere
}

/// Whether `e` reads the claims anywhere but in the arguments of a logger's call; `bound` when
/// `e` is the value bound to a name, which may be the decode itself or carry the claims.
fn reads_outside_logs(
    module: &routewarden_model::SourceModule,
    claims: &Claims,
    e: &Expr,
    bound: bool,
) -> bool {
    // `stale = jwt.decode(...)`, `alias = stale`, `exp = stale["exp"]`: a binding, judged
    // where the name is read (not a call made with the claims).
    if bound
        && (claims.is_object(e)
            || matches!(e.kind, ExprKind::Name(_))
            || exp_receiver(e).is_some_and(|r| claims.is_object(r)))
    {
        return false;
    }
    let mut logged: Vec<Span> = Vec::new();
    e.any(&mut |x| {
        if let ExprKind::Call(call) = &x.kind
            && crate::helpers::is_logging_call(module, call)
        {
            logged.push(x.span);
        }
        false
    });
    let in_log = |s: Span| logged.iter().any(|l| l.start <= s.start && s.end <= l.end);
    e.any(&mut |x| {
        let read = match &x.kind {
            ExprKind::Name(n) => {
                claims.claims.contains(n.as_str()) || claims.exp.contains(n.as_str())
            }
            ExprKind::Call(_) => claims.source.is_some_and(|(span, _)| span == x.span),
            _ => false,
        };
        read && !in_log(x.span)
    })
}

/// Whether the value of the call at `call` is thrown away: a bare expression statement
/// (`jwt.encode(...)` run only to see whether the key is accepted).
fn result_discarded(cx: &FileContext, call: &Expr) -> bool {
    let body = match cx.function() {
        Some(f) => &f.body,
        None => cx.file.body(),
    };
    let mut found = false;
    walk_stmts(body, &mut |stmt| {
        if let Stmt::Expr { value, .. } = stmt {
            let value = match &value.kind {
                ExprKind::Await(inner) => inner.as_ref(),
                _ => value,
            };
            found |= value.span == call.span;
        }
    });
    found
}

impl Rule for JwtClaimsNotVerified {
    fn meta(&self) -> &'static RuleMeta {
        &JWT_CLAIMS_NOT_VERIFIED
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &JWT_CLAIMS_NOT_VERIFIED;
        if let Some(library) = decoder(cx, call) {
            if library == JwtLibrary::Joserfc {
                check_joserfc_decode(cx, expr, call, out);
                return;
            }
            if library == JwtLibrary::Authlib {
                check_authlib_decode(cx, expr, out);
                return;
            }
            let opts = options(cx, call);
            if opts
                .iter()
                .any(|(k, v)| k == "verify_signature" && is_false(v))
            {
                return;
            }
            // The claims are thrown away (`try: jwt.decode(...); return True`): the call only
            // asks whether the server signed the token, and no claim decides anything.
            if result_discarded(cx, expr) {
                return;
            }
            let time_off = opts.iter().any(|(k, v)| {
                matches!(k.as_str(), "verify_exp" | "verify_nbf" | "verify_iat") && is_false(v)
            });
            // Following the claims to other functions is the dearest question: asked last.
            let own_time_checks = requires_exp(cx, &opts)
                || compares_exp(cx)
                || time_off && expired_token_only_reported(cx, expr)
                || time_off && exp_checked_elsewhere(cx, expr, false);
            let off: Vec<&str> = opts
                .iter()
                .filter(|(k, v)| {
                    // Not `verify_iat`: it only refuses an `iat` in the future (clock skew
                    // between the issuer and this server); expiry is still checked.
                    let time = matches!(k.as_str(), "verify_exp" | "verify_nbf");
                    (time && !own_time_checks || matches!(k.as_str(), "verify_aud" | "verify_iss"))
                        && is_false(v)
                })
                .map(|(k, _)| k.as_str())
                .collect();
            // A token the server fetched itself from its identity provider: it asked that
            // provider, so the audience and issuer are the ones it dealt with. Asked only when
            // one of them is off, since following the token to its callers is dear.
            let mut off = off;
            if off
                .iter()
                .any(|k| matches!(*k, "verify_aud" | "verify_iss"))
                && decodes_fetched_token(cx.model, cx.file_index, cx.function(), call)
            {
                off.retain(|k| !matches!(*k, "verify_aud" | "verify_iss"));
                if off.is_empty() {
                    return;
                }
            }
            // The code checks the audience or issuer itself (comparing normalised URLs, which
            // the library's exact match would refuse): a refusal decided on the claim, here or
            // where the claims go.
            let before = off.len();
            off.retain(|k| match *k {
                "verify_aud" => !claim_checked_elsewhere(cx, expr, false, "aud"),
                "verify_iss" => !claim_checked_elsewhere(cx, expr, false, "iss"),
                _ => true,
            });
            if off.is_empty() && before > 0 {
                return;
            }
            if !off.is_empty() {
                let message = format!("JWT decoded with {} switched off", off.join(", "));
                if claims_only_logged(cx, expr) {
                    out.report_with_severity(
                        meta,
                        expr.span,
                        format!("{message}; the claims only reach log calls"),
                        Severity::Low,
                    );
                } else {
                    out.report(meta, expr.span, message);
                }
            } else if opts
                .iter()
                .any(|(k, v)| k == "require" && v.elements().is_some_and(<[Expr]>::is_empty))
            {
                out.report(meta, expr.span, "JWT decoded with an empty `require` list");
            }
            return;
        }
        // authlib's `JsonWebToken([...])` instances decode like its module-level `jwt`.
        if let ExprKind::Attribute {
            value: receiver,
            attr,
        } = &call.func.kind
            && attr == "decode"
            && cx.file.imports_module("authlib.jose")
            && !cx.file.is_test()
            && cx
                .model
                .instance_class(cx.file_index, &cx.functions, receiver)
                .is_some_and(|c| AUTHLIB_JSON_WEB_TOKEN.contains(&c.as_str()))
        {
            check_authlib_decode(cx, expr, out);
            return;
        }
        // fastapi-users signs its tokens itself: `lifetime_seconds=None` leaves out `exp`.
        if cx.resolves_to(&call.func, FASTAPI_USERS_JWT_STRATEGIES) {
            if call
                .argument("lifetime_seconds", 1)
                .is_some_and(|v| matches!(cx.resolve_value(v).expr.kind, ExprKind::NoneLiteral))
            {
                out.report(
                    meta,
                    expr.span,
                    "fastapi-users JWTStrategy with lifetime_seconds=None issues tokens that never expire",
                );
            }
            return;
        }
        // jwcrypto: `JWT(header=..., claims=...)` builds the token that is then signed.
        if let Some(claims) = jwcrypto_built_claims(cx, call) {
            if result_discarded(cx, expr) {
                return;
            }
            // `default_claims={"exp": None}`: jwcrypto adds the expiry itself; a mapping that
            // cannot be read may too.
            if let Some(defaults) = jwcrypto_default_claims(call) {
                let defaults = cx.resolve_value(defaults).expr;
                let readable = matches!(defaults.kind, ExprKind::Dict(_))
                    || matches!(&defaults.kind, ExprKind::Call(c) if c.func.as_name() == Some("dict"));
                if !readable || dict_entries(defaults).iter().any(|(k, _)| k == "exp") {
                    return;
                }
            }
            judge_claims(cx, expr, claims, out);
            return;
        }
        let Some(library) = encoder(cx, call) else {
            return;
        };
        let unsigned =
            encode_algorithm(cx, library, call).is_some_and(|a| a.eq_ignore_ascii_case("none"));
        if unsigned || result_discarded(cx, expr) {
            return;
        }
        if let Some(payload) = encoded_claims(library, call) {
            judge_claims(cx, expr, payload, out);
        }
    }
}

/// The claims a token is issued with, when they are all known: the keys of a dict literal,
/// also through a local variable extended before the token is made.
fn known_claims(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    payload: &Expr,
) -> Option<Vec<String>> {
    let origin = model.resolve_value(file, scope, payload);
    let ExprKind::Dict(entries) = &origin.expr.kind else {
        return None;
    };
    if entries
        .iter()
        .any(|e| e.key.as_ref().is_none_or(|k| k.as_str().is_none()))
    {
        return None;
    }
    let mut keys: Vec<String> = entries
        .iter()
        .filter_map(|e| e.key.as_ref()?.as_str().map(String::from))
        .collect();
    if let (Some(name), Some(function)) = (payload.as_name(), scope.last()) {
        let (later, unknown) = keys_added_later(&function.body, name);
        if unknown {
            return None;
        }
        keys.extend(later);
    }
    Some(keys)
}

/// Reports a token issued with claims that are all known and include no `exp`.
fn judge_claims(cx: &FileContext, expr: &Expr, payload: &Expr, out: &mut Findings) {
    let Some(keys) = known_claims(cx.model, cx.file_index, &cx.functions, payload) else {
        return;
    };
    if !keys.iter().any(|k| k == "exp") {
        out.report(
            &JWT_CLAIMS_NOT_VERIFIED,
            expr.span,
            "token issued without an `exp` claim: it never expires",
        );
    }
}

/// What the project's own joserfc tokens carry.
enum Issued {
    /// No joserfc token is issued: the tokens come from elsewhere (an identity provider),
    /// which sets `exp`.
    Nowhere,
    /// A token whose known claims include `exp`, issued in this function.
    WithExp(String),
    /// Tokens whose claims include no known `exp` (a reference to server-side state, an OAuth
    /// `state`): there is no expiry to check.
    WithoutExp,
}

/// Finds the joserfc `jwt.encode` calls outside test code and what they sign.
fn joserfc_issued(model: &ProjectModel) -> Issued {
    let mut issued = Issued::Nowhere;
    for (file, source) in model.files.iter().enumerate() {
        if source.is_test() || !source.imports_module("joserfc") {
            continue;
        }
        for_each_call(source.body(), &mut Vec::new(), &mut |scope, _, call| {
            if matches!(issued, Issued::WithExp(_))
                || source.imports.resolve(&call.func).as_deref() != Some("joserfc.jwt.encode")
            {
                return;
            }
            let keys = encoded_claims(JwtLibrary::Joserfc, call)
                .and_then(|claims| known_claims(model, file, scope, claims));
            issued = match (keys, scope.last()) {
                (Some(keys), Some(function)) if keys.iter().any(|k| k == "exp") => {
                    Issued::WithExp(function.name.to_string())
                }
                _ => Issued::WithoutExp,
            };
        });
        if matches!(issued, Issued::WithExp(_)) {
            break;
        }
    }
    issued
}

/// joserfc's `jwt.decode` checks the signature only: reported when the claims never reach a
/// claims registry's `validate` (nor a comparison of their `exp`) in the function, the
/// functions they are passed to, or the callers they are returned to, and the tokens are
/// expected to carry an expiry.
fn check_joserfc_decode(cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
    if call.has_kwargs_spread() || compares_exp(cx) {
        return;
    }
    if let Some(function) = cx.function() {
        let mut claims = Claims::new(Some((expr.span, false)));
        claims.propagate(&function.body);
        if claims.validated(cx.model, cx.file_index, function) {
            return;
        }
    }
    // Following the claims to other functions, and the project's tokens, cost most: last.
    if exp_checked_elsewhere(cx, expr, false) {
        return;
    }
    let message = match joserfc_issued(cx.model) {
        Issued::WithoutExp => return,
        Issued::WithExp(issuer) => format!(
            "joserfc's jwt.decode checks only the signature and no JWTClaimsRegistry validates the claims: the `exp` {issuer}() puts in its tokens is never checked, so they never expire"
        ),
        Issued::Nowhere => "joserfc's jwt.decode checks only the signature and no JWTClaimsRegistry validates the claims: expired tokens are accepted".to_string(),
    };
    out.report(&JWT_CLAIMS_NOT_VERIFIED, expr.span, message);
}

/// authlib's `jwt.decode(s, key)` checks the signature only: the claims it returns are checked
/// (`exp`, `nbf`, `iat`, and what `claims_options` asks for) when `claims.validate()` is
/// called. Reported when the function reads the claims and neither it, the project functions
/// it hands them to, nor every caller it returns them to validates them or compares their
/// `exp`.
fn check_authlib_decode(cx: &FileContext, expr: &Expr, out: &mut Findings) {
    let Some(function) = cx.function() else {
        return;
    };
    let mut claims = Claims::new(Some((expr.span, false)));
    claims.authlib = true;
    claims.propagate(&function.body);
    if !claims.used(&function.body)
        || claims.validated(cx.model, cx.file_index, function)
        || compares_exp(cx)
    {
        return;
    }
    // Following the claims to other functions costs most: last.
    if exp_checked_elsewhere(cx, expr, true) {
        return;
    }
    out.report(
        &JWT_CLAIMS_NOT_VERIFIED,
        expr.span,
        "authlib's jwt.decode checks only the signature and the claims are used without `claims.validate()`: expired tokens are accepted",
    );
}
