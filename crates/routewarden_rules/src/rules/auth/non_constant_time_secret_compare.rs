use crate::context::FileContext;
use crate::credentials::{
    compound_credential_label, credential_label, derives_from, is_built_from_request,
    is_caller_supplied, is_captured_parameter, is_class_member, is_constant_name,
    is_credential_name, is_descriptive_credential_name, is_request_supplied, is_test_module,
};
use crate::declare_rule;
use crate::findings::Findings;
use crate::helpers::{identifier_words, place_of};
use crate::rule::{Rule, RuleMeta};
use crate::untrusted::resolve_callee;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{BoolOp, CmpOp, Expr, ExprKind, Function, Span, Stmt};

declare_rule! {
    /// ## What it finds
    /// A secret (token, API key, signature, HMAC, digest, password hash) that a caller supplies
    /// compared with `==` or `!=` against the value it must match, instead of with
    /// `hmac.compare_digest` or `secrets.compare_digest`: `if signature != expected`,
    /// `if api_key == settings.api_key`, `hmac.new(...).hexdigest() == received`, also through a
    /// local holding the HMAC (`expected = hmac.new(...).hexdigest()`, then `if token !=
    /// expected`), and `token in [token_a, token_b]` (a list or tuple: `==` with each in turn).
    /// Besides names, a value is a secret by what the program makes it: a `SecretStr`'s value
    /// (`self.config.token.get_secret_value()`), a header named by a module constant
    /// (`request.headers.get(SECRET_HEADER_NAME)`), a value a module-level assignment draws
    /// from `secrets`/`os.urandom` (`csrf = os.urandom(16).hex()`, also in one branch of a
    /// module-level `if`), a module-level value the function first refuses to go on without
    /// (`if EXPORT_KEY == "": raise HTTPException(403)`, then `if EXPORT_KEY != key:` on one of
    /// its parameters). What the application holds (`request.app.state.token`) is the
    /// server's, not the caller's. A chain of comparisons of one value (`token != a and token
    /// != b`) is reported once.
    ///
    /// A timing attack needs an attacker who chooses one side and a secret on the other, so one
    /// operand must be what a caller supplied (request data, a string parameter, an entry of a
    /// mapping parameter, a WTForms field's `data`, HTTP Basic credentials decoded from the
    /// header, `base64.b64decode(data).decode().split(":", 1)`, also by a project helper that
    /// returns them, `username, password = self._parse_basic(header)`, or that only converts
    /// its argument to text, `text(base64.b64decode(header)).split(":", 1)`, or a local holding one
    /// of these) and the other must not. An attribute of a login object is the caller's when
    /// the class's `__init__` keeps a parameter in it (`self.password = password`, set by no
    /// other method) and some construction in the project passes what the request carries
    /// (`Account(*creds.split(":", 1))` after decoding the Basic header): compared with the
    /// configuration (`self.password == app.config.get("ui_password")`, not with another
    /// attribute of the object) it is reported. The constructor is followed rather than the
    /// name trusted: `self.password` as often holds the server's own credential (a client's,
    /// an object built from the configuration), and ORM models keep a form's password as a
    /// stored record. A parameter of an ordinary function (not a route
    /// handler) counts as the caller's only in a function named for a check (`check_*`,
    /// `verify_*`, `validate*`, `is_*`, `*_auth`, `login`, `__eq__`, ...) or one a route handler
    /// hands what its caller sent (`auth.password_to_token(body.password)`), not one named for
    /// what the server needs (`needs_login`, `_login_needed`, `should_*`): helpers that
    /// refresh, rotate or route with the server's own credentials take them as parameters too. Comparisons of two
    /// server-side values (cache and staleness checks, a
    /// stored row against another stored value, two configuration values, an attribute of an
    /// object parameter such as `session.token`) and of two caller values are not reported,
    /// nor is a value compared with a transformation of itself (`b64encode(b64decode(sig))
    /// != sig`), a field or mapping entry compared right before it is overwritten with the
    /// same value (change detection: `if user.totp_secret != secret: user.totp_secret =
    /// secret`, `if session.get("token") != token: session["token"] = token`), a comparison
    /// whose branch for differing values returns one of the two (`if self.access_token !=
    /// rejected_token: return self.access_token`: a client that already holds a newer token
    /// than the one its upstream rejected; a check never hands the expected secret to a wrong
    /// guess), a record read from a DNS answer (`dns.resolver.resolve(...)`, a `Resolver()`'s
    /// `query`, the strings of its records, a list built from them: an ACME client polling for
    /// the TXT record it published compares data anyone can look up), a filter or search over a collection of records (`[k for k in keys if k.token
    /// != hashed]`, also of a value computed from each record: `[e for e in elements if
    /// fingerprint(e) == sig]`), elements of a sequence taken by a computed position (`token
    /// == self.expected_sequence[self.index]`: a parser matching a stream of token ids), and
    /// lock, lease and reservation owner tokens (`rec.owner_token != owner_token`, also in
    /// functions named for them), which identify a holder inside the process. A hash of what
    /// the caller sent, made by a project helper that returns an unkeyed hash or a key
    /// derivation of it, compared with a stored hash (`compute_hash(body.password, salt) ==
    /// user.password_hash`) is not reported either: timing reveals only the hash of the guess.
    /// An unkeyed `hashlib` digest of the caller's value written inline or held by a local
    /// (`entry["password"] == password_digest` after `password_digest =
    /// hashlib.md5(password.encode()).hexdigest()`) is the caller's value and is still
    /// reported, as the analysis does not tell it from a hash of a secret. Nor is an unkeyed
    /// `hashlib` digest of content that holds no secret (`hash_func.hexdigest() == hash_value`
    /// after `hash_func.update(chunk)` with a downloaded file's chunks, `sha256(data)`,
    /// `md5(Path(p).read_bytes())`): a checksum of local data, which nobody guesses. A digest
    /// keyed (`blake2b(key=...)`, `hmac`) or fed with a credential, key or salt
    /// (`sha256(token.encode())`, `h.update(SECRET_SALT)`) or with a module-level value is
    /// still a secret.
    ///
    /// Comparisons with a literal are AUTH002's; comparisons with `None`, numbers (also `-1`),
    /// booleans and lengths are not reported, nor are comparisons with a constant holding a
    /// literal (`password == PASSWORD_MASK`, `api_key == self._DEFAULT_API_KEY`, an entry of a
    /// constant table), SQLAlchemy column expressions, classes and enum members
    /// (`where(Client.client_secret == secret)`, `table.c.id == token`, `type_ == SecretDict`),
    /// two password fields of a form (but the caller's password against one the server holds,
    /// `password != self.password`, `password != pkg.conf.auth.password`, `password !=
    /// self.app.config.get("PASSWORD")` (the configuration of the application an object keeps),
    /// `password != ENV["PASSWORD"]` or `.get(...)` of a module-level or imported mapping, a module constant
    /// read from the environment, is reported), names that only contain a credential word
    /// (`next_page_token`, `options_signature`, `token_type`, `main_token`, `token_filename`, `token_issuer`,
    /// `token_kid`, `token_owner`, `credential_parameter_key`: the key naming a parameter;
    /// `token_project`, `token_tenant`: the project a token was issued for, an id in every URL),
    /// a value compared with an id (`_id == credential`: the other side is an id too),
    /// and test modules.
    ///
    /// ## Why is this dangerous
    /// `==` on strings stops at the first differing character, so the response time leaks how
    /// much of a guess was right. Over many requests an attacker can recover a signature or API
    /// key byte by byte. Webhook signature checks and API-key middleware are the classic targets.
    ///
    /// ## Example
    /// ```python
    /// expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    /// if request.headers["X-Signature"] != expected:
    ///     abort(401)
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// if not hmac.compare_digest(request.headers["X-Signature"], expected):
    ///     abort(401)
    /// ```
    pub static NON_CONSTANT_TIME_SECRET_COMPARE = {
        code: "AUTH003",
        name: "non-constant-time-secret-compare",
        severity: Medium,
        confidence: Medium,
        cwe: 208,
        fix: "Compare secrets with hmac.compare_digest or secrets.compare_digest",
    }
}

pub struct NonConstantTimeSecretCompare;

/// `x.hexdigest()`, `x.digest()`: computed MACs and hashes.
fn is_digest_call(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Call(c) if matches!(c.func.last_name(), Some("hexdigest" | "digest")))
}

/// Unkeyed hash constructors of `hashlib`: what they digest is all their output depends on.
const CONTENT_HASHES: &[&str] = &[
    "hashlib.md5",
    "hashlib.sha1",
    "hashlib.sha224",
    "hashlib.sha256",
    "hashlib.sha384",
    "hashlib.sha512",
    "hashlib.sha3_256",
    "hashlib.sha3_512",
    "hashlib.blake2b",
    "hashlib.blake2s",
    "hashlib.new",
];

/// `h.hexdigest()` of an unkeyed hash of content that holds no secret: `hashlib.sha256(data)`,
/// or a local bound to `hashlib.sha256()`/`hashlib.md5()` (also in branches) and fed by
/// `h.update(chunk)` with a file's chunks. Compared with a published checksum it checks the
/// integrity of local data: the digest is no secret, whatever the function is called. A hash
/// keyed (`blake2b(key=...)`) or fed with a credential, a key or a salt (`h.update(SECRET_SALT)`,
/// `sha256(token.encode())`), or with a module-level value, is still a secret.
fn digests_public_content(cx: &FileContext, digest: &Expr) -> bool {
    let Some(ExprKind::Attribute { value: hasher, .. }) = digest.as_call().map(|c| &c.func.kind)
    else {
        return false;
    };
    let Some(function) = cx.function() else {
        return false;
    };
    let mut inputs: Vec<&Expr> = Vec::new();
    let constructors = match &hasher.kind {
        ExprKind::Call(_) => vec![hasher.as_ref()],
        ExprKind::Name(name) => {
            let values = crate::credentials::assigned_values(&function.body, name);
            // `h.update(chunk)`: the content the local hash is fed.
            walk_exprs(&function.body, &mut |e| {
                e.any(&mut |x| {
                    if let Some(call) = x.as_call()
                        && let ExprKind::Attribute { value, attr } = &call.func.kind
                        && attr == "update"
                        && value.as_name() == Some(name)
                    {
                        inputs.extend(call.args.iter());
                        inputs.extend(call.keywords.iter().map(|k| &k.value));
                    }
                    false
                });
            });
            values
        }
        _ => return false,
    };
    let mut branches: Vec<&Expr> = Vec::new();
    for value in constructors {
        content_hash_branches(value, &mut branches);
    }
    if branches.is_empty() {
        return false;
    }
    for constructor in branches {
        let Some(call) = constructor.as_call() else {
            return false;
        };
        if !cx.resolves_to(&call.func, CONTENT_HASHES) || call.keyword("key").is_some() {
            return false;
        }
        // `hashlib.new("sha256", data)`: the first argument names the algorithm.
        inputs.extend(call.args.iter());
        inputs.extend(call.keywords.iter().map(|k| &k.value));
    }
    inputs
        .into_iter()
        .all(|input| holds_no_secret(function, input, 0))
}

/// The constructors a hash value may come from: both branches of a conditional expression.
fn content_hash_branches<'e>(value: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &value.kind {
        ExprKind::IfExp { body, orelse, .. } => {
            content_hash_branches(body, out);
            content_hash_branches(orelse, out);
        }
        _ => out.push(value),
    }
}

/// Words that say a value keys or salts a hash: with one of these among its inputs, a digest
/// is a secret.
const KEYING_WORDS: &[&str] = &["key", "keys", "salt", "pepper"];

fn names_a_secret(name: &str) -> bool {
    is_credential_name(name)
        || identifier_words(name)
            .iter()
            .any(|w| KEYING_WORDS.contains(&w.as_str()))
}

/// True when `input`, a hash's input in `function`, is made only of literals, the function's
/// parameters and locals (followed to their values: `chunk = file_obj.read(size)`, `for block
/// in iter(lambda: stream.read(n), b"")`, `with open(path, "rb") as stream`) and calls on
/// them, none of them named for a credential, key or salt. A module-level or imported value
/// may be the server's secret and is not taken for content.
fn holds_no_secret(function: &Function, input: &Expr, depth: u32) -> bool {
    if depth > 6 {
        return false;
    }
    let recurse = |e: &Expr| holds_no_secret(function, e, depth + 1);
    match &input.kind {
        _ if is_literal(input) => true,
        ExprKind::Name(name) => {
            if names_a_secret(name) {
                return false;
            }
            if function.params.iter().any(|p| p.name == *name) {
                return true;
            }
            let values = crate::credentials::assigned_values(&function.body, name);
            let iterated = loop_sources(&function.body, name);
            (!values.is_empty() || !iterated.is_empty())
                && values.into_iter().chain(iterated).all(recurse)
        }
        ExprKind::Attribute { value, attr } => !names_a_secret(attr) && recurse(value),
        ExprKind::Subscript { value, slice } => {
            !slice.as_str().is_some_and(names_a_secret) && recurse(value) && recurse(slice)
        }
        // `Path(path).read_bytes()`, `stream.read(n)`, `open(path, "rb")`: the callee is code,
        // its receiver and arguments are data.
        ExprKind::Call(call) => {
            let callee_ok = match &call.func.kind {
                ExprKind::Name(_) => true,
                ExprKind::Attribute { value, attr } => !names_a_secret(attr) && recurse(value),
                _ => false,
            };
            callee_ok && call.argument_values().all(recurse)
        }
        ExprKind::Lambda(lambda) => {
            lambda.params.is_empty()
                && matches!(lambda.body.as_slice(), [Stmt::Return { value: Some(v), .. }] if recurse(v))
        }
        ExprKind::BinOp { left, right, .. } => recurse(left) && recurse(right),
        ExprKind::Await(inner) | ExprKind::Starred(inner) => recurse(inner),
        _ => false,
    }
}

/// The iterables a function's `for` loops bind `name` from.
fn loop_sources<'a>(body: &'a [Stmt], name: &str) -> Vec<&'a Expr> {
    let mut out = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => continue,
            Stmt::For { target, iter, .. } if target.as_name() == Some(name) => {
                out.push(iter.as_ref())
            }
            _ => {}
        }
        for child in stmt.child_bodies() {
            out.extend(loop_sources(child, name));
        }
    }
    out
}

/// dnspython's lookups and resolvers: what they answer is published in DNS for anyone to read.
const DNS_LOOKUPS: &[&str] = &[
    "dns.resolver.resolve",
    "dns.resolver.query",
    "dns.resolver.resolve_address",
    "dns.asyncresolver.resolve",
    "dns.asyncresolver.resolve_address",
];
const DNS_RESOLVERS: &[&str] = &[
    "dns.resolver.Resolver",
    "dns.resolver.get_default_resolver",
    "dns.asyncresolver.Resolver",
    "dns.asyncresolver.get_default_resolver",
];

/// What a value in a function is made of, for [`from_dns_answer`].
#[derive(Clone, Copy, PartialEq)]
enum Made {
    /// Literals and empty containers only (or a name already being followed).
    Nothing,
    /// At least one DNS answer, and nothing else but literals.
    Dns,
    /// Something else: a parameter, a module-level value, another call.
    Other,
}

impl Made {
    fn and(self, other: Made) -> Made {
        match (self, other) {
            (Made::Other, _) | (_, Made::Other) => Made::Other,
            (Made::Dns, _) | (_, Made::Dns) => Made::Dns,
            _ => Made::Nothing,
        }
    }
}

/// Whether `expr`, read in `function`, is a record of a DNS answer and nothing else: a local
/// bound to (or a `for` over) `dns.resolver.resolve(...)`, a `Resolver()`'s `query`/`resolve`,
/// their items and attributes (`rdata.strings`), text conversions of them (`.decode()`,
/// `.to_text()`, `.strip('"')`), and lists built only by appending those. An ACME client
/// polling for its TXT record compares such a record, public to anyone, with the challenge it
/// published itself: no secret is guessed.
fn from_dns_answer(cx: &FileContext, function: &Function, expr: &Expr) -> bool {
    made_from_dns(cx, function, expr, &mut Vec::new(), 0) == Made::Dns
}

fn made_from_dns<'a>(
    cx: &FileContext,
    function: &'a Function,
    expr: &'a Expr,
    seen: &mut Vec<&'a str>,
    depth: u32,
) -> Made {
    if depth > 8 {
        return Made::Other;
    }
    let follow =
        |e: &'a Expr, seen: &mut Vec<&'a str>| made_from_dns(cx, function, e, seen, depth + 1);
    match &expr.kind {
        _ if is_literal(expr) => Made::Nothing,
        ExprKind::List(items) | ExprKind::Tuple(items) => items
            .iter()
            .fold(Made::Nothing, |made, item| made.and(follow(item, seen))),
        ExprKind::Name(name) => {
            if seen.contains(&name.as_str()) {
                return Made::Nothing;
            }
            if function.params.iter().any(|p| p.name == *name) {
                return Made::Other;
            }
            seen.push(name);
            let mut sources = crate::credentials::assigned_values(&function.body, name);
            sources.extend(loop_sources(&function.body, name));
            // `records.append(txt.decode())`: what a list built in the function holds.
            walk_exprs(&function.body, &mut |e| {
                e.any(&mut |x| {
                    if let Some(call) = x.as_call()
                        && let Some((list, "append" | "extend" | "insert" | "add")) = call.method()
                        && list.as_name() == Some(name.as_str())
                        && let Some(item) = call.args.last()
                    {
                        sources.push(item);
                    }
                    false
                });
            });
            if sources.is_empty() {
                return Made::Other;
            }
            sources
                .into_iter()
                .fold(Made::Nothing, |made, source| made.and(follow(source, seen)))
        }
        ExprKind::Attribute { value, .. }
        | ExprKind::Subscript { value, .. }
        | ExprKind::Await(value) => follow(value, seen),
        ExprKind::Call(call) => {
            if cx.resolves_to(&call.func, DNS_LOOKUPS) {
                return Made::Dns;
            }
            let Some((receiver, method)) = call.method() else {
                return Made::Other;
            };
            match method {
                "resolve" | "query" | "resolve_address" => {
                    let resolver = |e: &Expr| {
                        e.as_call()
                            .is_some_and(|c| cx.resolves_to(&c.func, DNS_RESOLVERS))
                    };
                    let built = match receiver.as_name() {
                        Some(name) => {
                            let values = crate::credentials::assigned_values(&function.body, name);
                            !values.is_empty() && values.into_iter().all(resolver)
                        }
                        None => resolver(receiver),
                    };
                    if built { Made::Dns } else { Made::Other }
                }
                "decode" | "to_text" | "strip" | "lstrip" | "rstrip" | "lower" | "upper"
                    if call.argument_values().all(is_literal) =>
                {
                    follow(receiver, seen)
                }
                _ => Made::Other,
            }
        }
        _ => Made::Other,
    }
}

/// A keyed MAC held in a local (`expected = hmac.new(key, msg, sha256).hexdigest()`) or
/// returned by a project function (`new_hmac(secret, url)` whose body returns
/// `hmac.new(...).hexdigest()`), called directly or through a local: what the helper returns
/// says it is a MAC, whatever the local is called.
fn holds_mac(cx: &FileContext, expr: &Expr) -> bool {
    let origin = match &expr.kind {
        ExprKind::Name(_) => cx.resolve_value(expr),
        ExprKind::Call(_) => {
            return returns_mac(cx, cx.file_index, expr);
        }
        _ => return false,
    };
    routewarden_model::security::keyed_mac(&cx.model.files[origin.file].imports, origin.expr)
        .is_some()
        || returns_mac(cx, origin.file, origin.expr)
}

/// A call, in `file`, of a project function whose returns are a keyed MAC's digest (directly
/// or through a local of its own).
fn returns_mac(cx: &FileContext, file: usize, expr: &Expr) -> bool {
    let ExprKind::Call(call) = &expr.kind else {
        return false;
    };
    let Some((def_file, Some(Stmt::FunctionDef(helper)), _)) =
        cx.model.resolve_definition(file, &call.func)
    else {
        return false;
    };
    let imports = &cx.model.files[def_file].imports;
    let mut returns = false;
    routewarden_model::for_each_return(&helper.body, &mut |value| {
        let value = value
            .as_name()
            .and_then(|n| routewarden_model::last_assignment(&helper.body, n))
            .unwrap_or(value);
        returns |= routewarden_model::security::keyed_mac(imports, value).is_some();
    });
    returns
}

/// The application's configuration or the environment: `app.config`, `current_app.config`,
/// `self.config`, the configuration of the application an object keeps (`self.app.config`, a
/// WSGI component given the app), `settings`, `os.environ`.
fn is_configuration(cx: &FileContext, expr: &Expr) -> bool {
    if cx.resolves_to(expr, &["os.environ"]) {
        return true;
    }
    match &expr.kind {
        ExprKind::Attribute { value, attr } => {
            attr == "config"
                && (value
                    .as_name()
                    .is_some_and(|n| matches!(n, "app" | "current_app" | "self"))
                    || matches!(&value.kind, ExprKind::Attribute { value: holder, attr: a }
                        if a == "app" && holder.as_name() == Some("self")))
        }
        ExprKind::Name(n) => matches!(n.as_str(), "settings" | "config"),
        _ => false,
    }
}

/// A value the server holds (`self.password`, `settings.password`, `app.config["PASSWORD"]`,
/// `os.environ.get("APP_PASSWORD")`, an entry of a module-level mapping such as `ENV =
/// dict(os.environ)` or `ENV_VALUES = dotenv_values()`), also through a module constant read
/// from one (`ADMIN_PASSWORD = os.environ["ADMIN_PASSWORD"]`) or a local holding one: not a
/// form's field.
fn held_by_server(cx: &FileContext, e: &Expr, follow: bool) -> bool {
    match &e.kind {
        ExprKind::Attribute { value, .. } => {
            value.as_name().is_some_and(|n| {
                matches!(n, "self" | "settings" | "config" | "cfg" | "conf" | "app")
            }) || reads_imported_object(cx, value)
        }
        ExprKind::Subscript { value, .. } => {
            is_configuration(cx, value) || is_module_mapping(cx, value)
        }
        ExprKind::Call(c) => match &c.func.kind {
            ExprKind::Attribute { value, attr } if attr == "get" => {
                is_configuration(cx, value) || is_module_mapping(cx, value)
            }
            // `str(app.config.get("PASSWORD", ""))`: the same value, as text.
            _ if cx.resolves_to(&c.func, &["builtins.str"]) => {
                c.args.len() == 1 && held_by_server(cx, &c.args[0], follow)
            }
            _ => cx.resolves_to(&c.func, &["os.getenv"]),
        },
        // `ADMIN_PASSWORD = os.environ["ADMIN_PASSWORD"]` in the same module, or a local
        // bound to a setting (`password = str(app.config.get("PASSWORD", ""))`).
        ExprKind::Name(_) if follow => {
            let origin = cx.resolve_value(e);
            origin.file == cx.file_index
                && !std::ptr::eq(origin.expr, e)
                && held_by_server(cx, origin.expr, false)
        }
        _ => false,
    }
}

/// A mapping bound at module level or imported (`ENV_VALUES`, `ENV = dict(os.environ)`), not
/// rebound by the enclosing functions: the server's own table, not a submitted form.
fn is_module_mapping(cx: &FileContext, expr: &Expr) -> bool {
    let Some(name) = expr.as_name() else {
        return false;
    };
    (cx.file.imports.get(name).is_some() || cx.file.top_level(name).is_some())
        && !cx.functions.iter().any(|f| {
            f.params.iter().any(|p| p.name == name)
                || !crate::credentials::assigned_values(&f.body, name).is_empty()
        })
}

/// An attribute chain rooted in an imported module or object, not rebound by the enclosing
/// functions: `mlrun.mlconf.httpdb.authentication.basic` is the server's configuration, not a
/// form's field.
fn reads_imported_object(cx: &FileContext, expr: &Expr) -> bool {
    let mut root = expr;
    while let ExprKind::Attribute { value, .. } = &root.kind {
        root = value;
    }
    let Some(name) = root.as_name() else {
        return false;
    };
    cx.file.imports.get(name).is_some()
        && !cx.functions.iter().any(|f| {
            f.params.iter().any(|p| p.name == name)
                || !crate::credentials::assigned_values(&f.body, name).is_empty()
        })
}

/// A value written in the code: a literal, an ALL_CAPS constant holding one (`PASSWORD_MASK =
/// "X" * 10`), a class constant reached through `self`/`cls` (`self._DEFAULT_API_KEY`), an
/// entry of a constant table (`SIGNATURES[task]`), or a local holding any of these. A
/// hard-coded credential behind a constant is AUTH002's and SECRET001's.
fn is_code_constant(cx: &FileContext, expr: &Expr) -> bool {
    if is_plain_value(expr) || is_class_constant(cx, expr) {
        return true;
    }
    let origin = cx.resolve_value(expr);
    let value = origin.expr;
    if !std::ptr::eq(value, expr) {
        if is_constant_name(expr) && is_plain_value(value) || is_class_constant(cx, value) {
            return true;
        }
        // A local holding a literal; an f-string may interpolate a secret.
        if is_literal(value) {
            return true;
        }
    }
    // `TABLE[key]`, `TABLE.get(key)` of a constant table.
    let table = match &value.kind {
        ExprKind::Subscript { value: table, .. } => Some(table.as_ref()),
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute { value: table, attr } if attr == "get" => Some(table.as_ref()),
            _ => None,
        },
        _ => None,
    };
    // An empty literal (`ENV_VALUES = {}`) is a table filled at run time, from the environment
    // or a `.env` file.
    table.is_some_and(|t| {
        is_constant_name(t)
            && match &cx
                .model
                .resolve_value(origin.file, &origin.scope, t)
                .expr
                .kind
            {
                ExprKind::Dict(items) => !items.is_empty(),
                ExprKind::List(items) | ExprKind::Tuple(items) => !items.is_empty(),
                _ => false,
            }
    })
}

/// `self.X`, `cls.X`, `Class.X` with an ALL_CAPS `X` the enclosing class assigns a literal.
fn is_class_constant(cx: &FileContext, expr: &Expr) -> bool {
    let ExprKind::Attribute { value, attr } = &expr.kind else {
        return false;
    };
    if !is_constant_name(expr) || !matches!(value.kind, ExprKind::Name(_)) {
        return false;
    }
    cx.classes.iter().rev().any(|class| {
        class.body.iter().any(|stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(v),
                ..
            } => targets.iter().any(|t| t.as_name() == Some(attr)) && is_plain_value(v),
            _ => false,
        })
    })
}

/// Values that cannot be secrets: literals, `None`, numbers (also `-1`), lengths, booleans,
/// and expressions of literals (`"X" * 10`).
fn is_plain_value(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Str(_)
        | ExprKind::Bytes(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLiteral
        | ExprKind::FString(_)
        | ExprKind::List(_)
        | ExprKind::Tuple(_)
        | ExprKind::Dict(_) => true,
        ExprKind::UnaryOp { operand, .. } => is_plain_value(operand),
        ExprKind::BinOp { left, right, .. } => is_plain_value(left) && is_plain_value(right),
        ExprKind::Call(c) => matches!(
            c.func.last_name(),
            Some("len" | "int" | "bool" | "type" | "isinstance")
        ),
        _ => false,
    }
}

/// An element of a sequence taken by a computed position (`self.expected[self.index]`,
/// `ids[i + 1]`): parsers compare tokens of a stream with such elements, credentials are
/// looked up by key.
fn is_positional_element(expr: &Expr) -> bool {
    let ExprKind::Subscript { value, slice } = &expr.kind else {
        return false;
    };
    if !matches!(value.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
        return false;
    }
    match &slice.kind {
        ExprKind::BinOp { .. } => true,
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => {
            matches!(n.as_str(), "i" | "j" | "k" | "n")
                || identifier_words(n)
                    .iter()
                    .any(|w| matches!(w.as_str(), "index" | "idx" | "pos" | "position" | "offset"))
        }
        _ => false,
    }
}

/// A literal number, string or bytes, or an expression of them (`"X" * 10`, `-1`).
fn is_literal(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Str(_)
        | ExprKind::Bytes(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLiteral => true,
        ExprKind::UnaryOp { operand, .. } => is_literal(operand),
        ExprKind::BinOp { left, right, .. } => is_literal(left) && is_literal(right),
        _ => false,
    }
}

/// A class, a member of one, or a SQLAlchemy column: `SecretDict`, `Client.client_secret`,
/// `SqlModel.name.key`, `table.c.id`. Comparing them builds a query or checks a kind.
fn is_class_reference(expr: &Expr) -> bool {
    if is_class_member(expr) {
        return true;
    }
    let Some(parts) = expr.dotted_parts() else {
        return false;
    };
    let is_class_name = |n: &str| {
        n.starts_with(|c: char| c.is_ascii_uppercase()) && n.chars().any(|c| c.is_ascii_lowercase())
    };
    is_class_name(parts[0])
        || parts.len() > 2
            && parts[1..parts.len() - 1]
                .iter()
                .any(|p| matches!(*p, "c" | "columns"))
}

/// Words that say a token or signature is not a secret: lock, lease and reservation owner
/// tokens identify a holder inside the process; a token's filename, issuer, key id,
/// audience or owner are public; order and sort tokens are words of a query; a digest
/// compared with a checksum (`expected_sha256`) checks the integrity of public data.
const NON_SECRET_WORDS: &[&str] = &[
    "owner",
    "owners",
    "holder",
    "reservation",
    "reservations",
    "lock",
    "locks",
    "lease",
    "leases",
    "fencing",
    "filename",
    "issuer",
    "kid",
    "audience",
    "order",
    "sort",
    "provider",
];

/// Words that name a checksum of public data: `expected_sha256`, `source.checksum`.
const CHECKSUM_WORDS: &[&str] = &[
    "checksum",
    "sha1",
    "sha256",
    "sha384",
    "sha512",
    "md5",
    "etag",
    "integrity",
];

/// The name the operand itself is known by: `expected_sha256`, `source.sha256`,
/// `manifest.get("sha256", "").lower()`.
fn operand_name(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => Some(n),
        ExprKind::Subscript { slice, .. } => slice.as_str(),
        ExprKind::Call(c) => match &c.func.kind {
            ExprKind::Attribute { attr, .. } if attr == "get" => c.args.first()?.as_str(),
            ExprKind::Attribute { value, attr }
                if matches!(
                    attr.as_str(),
                    "lower" | "upper" | "strip" | "decode" | "encode"
                ) =>
            {
                operand_name(value)
            }
            _ => None,
        },
        _ => None,
    }
}

/// A value named for a checksum and not for a credential (`expected_sha256`, not
/// `signature_sha256`): compared with a digest, it checks the integrity of public data.
fn is_checksum(expr: &Expr) -> bool {
    operand_name(expr).is_some_and(|n| {
        !is_credential_name(n)
            && identifier_words(n)
                .iter()
                .any(|w| CHECKSUM_WORDS.contains(&w.as_str()))
    })
}

/// A name for the key of a parameter (`active_credential_parameter_key`): an identifier that
/// says which parameter holds a credential, not the credential.
fn names_a_parameter_key(expr: &Expr) -> bool {
    operand_name(expr).is_some_and(|n| {
        identifier_words(n).windows(2).any(|w| {
            matches!(w[0].as_str(), "parameter" | "param")
                && matches!(w[1].as_str(), "key" | "keys")
        })
    })
}

/// A name whose last word is an identifier that URLs carry (`token_project`, `token_tenant`:
/// the project a token was issued for): compared with the one in the path, it checks that
/// the caller works in its own project, and neither value is secret. An id (`_id`,
/// `credential_id`, `request.args.get("id")`) is one too: what it is compared with is an id
/// of the same kind (`_id == credential` over the keys of a map of credentials by id).
fn names_an_identifier(expr: &Expr) -> bool {
    operand_name(expr).is_some_and(|n| {
        let words = identifier_words(n);
        words.last().is_some_and(|w| match w.as_str() {
            "id" | "ids" => true,
            "project" | "tenant" | "domain" => words.len() > 1,
            _ => false,
        })
    })
}

fn has_non_secret_word(name: &str) -> bool {
    identifier_words(name)
        .iter()
        .any(|w| NON_SECRET_WORDS.contains(&w.as_str()))
}

/// The names an operand is spelled with: variables, attributes, called functions, string keys.
fn mentions_non_secret_name(expr: &Expr) -> bool {
    expr.any(&mut |e| match &e.kind {
        ExprKind::Name(n) | ExprKind::Attribute { attr: n, .. } => has_non_secret_word(n),
        ExprKind::Subscript { slice, .. } => slice.as_str().is_some_and(has_non_secret_word),
        ExprKind::Call(c) if c.func.last_name() == Some("get") => c
            .args
            .first()
            .and_then(Expr::as_str)
            .is_some_and(has_non_secret_word),
        _ => false,
    })
}

/// The statements the comparison is in: its function's body, or the module's.
fn enclosing_body<'a>(cx: &FileContext<'a>) -> &'a [Stmt] {
    match cx.function() {
        Some(f) => &f.body,
        None => &cx.file.parsed.module.body,
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// True when `operand` is a comprehension variable of a comprehension around `compare` (a
/// field of one, or a value computed from one), and the comprehension filters or searches
/// records rather than a collection of secrets: `[k for k in keys if k.token != hashed]`,
/// `sum(c for t, c in counts.items() if t != term)`, `[i for i, e in elements.items() if
/// fingerprint(e) == signature]`. `any(k == key for k in API_KEYS)` is still a secret check.
fn searches_records(cx: &FileContext, compare: Span, operand: &Expr) -> bool {
    // `k.token`, or a value computed from a record: `fingerprint(element)`.
    let (root, computed) = match (operand.dotted_parts(), &operand.kind) {
        (Some(parts), _) => (parts[0], false),
        (None, ExprKind::Call(call)) => match call.args.first().and_then(Expr::dotted_parts) {
            Some(parts) => (parts[0], true),
            None => return false,
        },
        _ => return false,
    };
    let mut found = false;
    walk_exprs(enclosing_body(cx), &mut |e| {
        found |= e.any(&mut |x| {
            let ExprKind::Comprehension { generators, .. } = &x.kind else {
                return false;
            };
            if !contains(x.span, compare) {
                return false;
            }
            generators.iter().any(|g| {
                binds(&g.target, root)
                    && (operand.as_name().is_none() && !computed || !is_secret_collection(&g.iter))
            })
        });
    });
    found
}

fn binds(target: &Expr, name: &str) -> bool {
    match &target.kind {
        ExprKind::Name(n) => n == name,
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().any(|t| binds(t, name)),
        _ => false,
    }
}

/// `API_KEYS`, `valid_tokens`, `settings.api_keys.items()`: a collection of credentials.
fn is_secret_collection(iter: &Expr) -> bool {
    let base = match &iter.kind {
        ExprKind::Call(c) => match &c.func.kind {
            ExprKind::Attribute { value, attr }
                if matches!(attr.as_str(), "items" | "keys" | "values") =>
            {
                value.as_ref()
            }
            _ => iter,
        },
        _ => iter,
    };
    base.last_name().is_some_and(|n| {
        is_credential_name(n)
            || identifier_words(n).iter().any(|w| {
                matches!(
                    w.as_str(),
                    "tokens" | "keys" | "secrets" | "passwords" | "credentials" | "signatures"
                )
            })
    })
}

/// The `if` whose test holds the comparison at `compare`, innermost first: its test, body and
/// `else` branch.
fn enclosing_if(body: &[Stmt], compare: Span) -> Option<(&Expr, &[Stmt], &[Stmt])> {
    for stmt in body {
        if !contains(stmt.span(), compare) {
            continue;
        }
        if let Stmt::If {
            test, body, orelse, ..
        } = stmt
            && contains(test.span, compare)
        {
            return Some((test, body, orelse));
        }
        for child in stmt.child_bodies() {
            if let Some(found) = enclosing_if(child, compare) {
                return Some(found);
            }
        }
    }
    None
}

/// `if user.totp_secret != secret: user.totp_secret = secret`, `if session.get("token") !=
/// token: session["token"] = token`: a change check before an update, not an access decision.
fn is_change_detection(cx: &FileContext, compare: Span, lhs: &Expr, rhs: &Expr) -> bool {
    let (Some(l), Some(r)) = (place_of(lhs), place_of(rhs)) else {
        return false;
    };
    let Some((_, body, _)) = enclosing_if(enclosing_body(cx), compare) else {
        return false;
    };
    body.iter().any(|stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } => {
            let v = place_of(value);
            targets.iter().any(|t| {
                let t = place_of(t);
                t.as_ref() == Some(&l) && v.as_ref() == Some(&r)
                    || t.as_ref() == Some(&r) && v.as_ref() == Some(&l)
            })
        }
        _ => false,
    })
}

/// The branch taken when the values differ hands one of them back (`if self.access_token !=
/// rejected_token: return self.access_token`: a client that already holds a newer token than
/// the one its upstream rejected uses it). The comparison chooses a value; a check of a guess
/// never gives the expected secret to a caller who got it wrong.
fn returns_operand_on_mismatch(
    cx: &FileContext,
    compare: &Expr,
    op: CmpOp,
    lhs: &Expr,
    rhs: &Expr,
) -> bool {
    let Some((test, body, orelse)) = enclosing_if(enclosing_body(cx), compare.span) else {
        return false;
    };
    // `a != b` alone or among the conditions of an `and` runs the body only when the values
    // differ; `a == b` alone runs the `else` branch then.
    let alone = test.span == compare.span;
    let among_and = matches!(&test.kind, ExprKind::BoolOp { op: BoolOp::And, values }
        if values.iter().any(|v| v.span == compare.span));
    let mismatch = match op {
        CmpOp::NotEq if alone || among_and => body,
        CmpOp::Eq if alone => orelse,
        _ => return false,
    };
    let Some(Stmt::Return {
        value: Some(returned),
        ..
    }) = mismatch.last()
    else {
        return false;
    };
    let returned = place_of(returned);
    returned.is_some() && (returned == place_of(lhs) || returned == place_of(rhs))
}

/// Verbs and predicates of functions that check a value: `check_client_secret`,
/// `validateSignature`, `is_previous_otp`, `user_api_key_auth`, `__eq__`.
const CHECK_WORDS: &[&str] = &[
    "check",
    "checks",
    "verify",
    "verifies",
    "verification",
    "validate",
    "validates",
    "validation",
    "valid",
    "is",
    "has",
    "auth",
    "authenticate",
    "authentication",
    "authorize",
    "authorise",
    "authorization",
    "login",
    "logon",
    "signin",
    "confirm",
    "match",
    "matches",
    "compare",
    "equal",
    "equals",
    "eq",
    "ne",
    "accept",
    "allow",
    "allowed",
    "permit",
    "permitted",
];

/// Unkeyed hashes and key-derivation functions: a MAC (`hmac.new`) is keyed and stays a
/// secret comparison.
const PASSWORD_HASHES: &[&str] = &[
    "hashlib.pbkdf2_hmac",
    "hashlib.scrypt",
    "hashlib.sha256",
    "hashlib.sha512",
    "hashlib.sha1",
    "hashlib.md5",
    "hashlib.blake2b",
    "hashlib.new",
    "bcrypt.hashpw",
    "bcrypt.kdf",
    "crypt.crypt",
];

/// A call of a project function, given a caller-supplied argument, that returns an unkeyed
/// hash or a key derivation of its input (`compute_password_hash(password=password, salt=s)`
/// whose body returns `pbkdf2_hmac(...)`).
fn hashes_caller_value(cx: &FileContext, expr: &Expr) -> bool {
    let ExprKind::Call(call) = &expr.kind else {
        return false;
    };
    let passes_caller_value = call.argument_values().any(|a| is_caller_supplied(cx, a));
    if !passes_caller_value {
        return false;
    }
    let Some((def_file, Some(Stmt::FunctionDef(helper)), _)) =
        cx.model.resolve_definition(cx.file_index, &call.func)
    else {
        return false;
    };
    let imports = &cx.model.files[def_file].imports;
    let mut hashes = false;
    routewarden_model::for_each_return(&helper.body, &mut |value| {
        // `digest = pbkdf2_hmac(...); return digest`
        let value = value
            .as_name()
            .and_then(|n| routewarden_model::last_assignment(&helper.body, n))
            .unwrap_or(value);
        hashes |= value.any(&mut |x| {
            matches!(&x.kind, ExprKind::Call(c)
                if imports.resolve(&c.func).is_some_and(|q| PASSWORD_HASHES.contains(&q.as_str())))
        });
    });
    hashes
}

/// An unkeyed `hashlib` digest of what the caller supplied, written inline or held by a local
/// (`password_digest = hashlib.md5(password.encode()).hexdigest()`): the caller chooses it by
/// choosing the input, and compared with a stored digest it leaks how much of that digest a
/// guess matched.
fn hashes_caller_inline(cx: &FileContext, expr: &Expr, depth: u32) -> bool {
    match &expr.kind {
        ExprKind::Call(call) => {
            let Some((hash, "hexdigest" | "digest")) = call.method() else {
                return false;
            };
            hash.as_call().is_some_and(|h| {
                cx.resolve(&h.func)
                    .is_some_and(|q| CONTENT_HASHES.contains(&q.as_ref()))
                    && h.args.first().is_some_and(|a| is_caller_supplied(cx, a))
            })
        }
        ExprKind::Name(name) if depth == 0 => cx.function().is_some_and(|f| {
            crate::credentials::assigned_values(&f.body, name)
                .into_iter()
                .any(|v| hashes_caller_inline(cx, v, depth + 1))
        }),
        _ => false,
    }
}

/// A parameter of the enclosing function that a route handler fills with what its caller
/// sent (`return auth.password_to_token(body.password)`): the caller's value one call away,
/// whatever the function is named.
fn fed_by_route(cx: &FileContext, caller: &Expr) -> bool {
    let (Some(f), Some(name)) = (cx.function(), caller.as_name()) else {
        return false;
    };
    let Some(position) = f.params.iter().position(|p| p.name == name) else {
        return false;
    };
    cx.surface.apps.routes.iter().any(|route| {
        let handler = route.handler;
        let submitted = |a: &Expr| {
            a.dotted_parts()
                .and_then(|parts| parts.first().copied())
                .is_some_and(|root| root != "self" && handler.params.iter().any(|p| p.name == root))
        };
        let mut fed = false;
        walk_exprs(&handler.body, &mut |e| {
            fed |= e.any(&mut |x| {
                let ExprKind::Call(call) = &x.kind else {
                    return false;
                };
                let Some((file, def, bound)) =
                    resolve_callee(cx.model, route.handler_file, &call.func)
                else {
                    return false;
                };
                if file != cx.file_index || def.span.start != f.span.start {
                    return false;
                }
                let argument = call.keyword(name).or_else(|| {
                    position
                        .checked_sub(usize::from(bound))
                        .and_then(|i| call.args.get(i))
                });
                argument.is_some_and(&submitted)
            });
        });
        fed
    })
}

fn names_a_check(name: &str) -> bool {
    let words = identifier_words(name);
    // `needs_login(home, api_key)`, `_codex_login_needed(...)`, `should_refresh(...)`:
    // whether the server must do something, not a check of what a caller presents.
    if words
        .iter()
        .any(|w| matches!(w.as_str(), "needs" | "need" | "needed" | "should"))
    {
        return false;
    }
    words.iter().any(|w| CHECK_WORDS.contains(&w.as_str()))
}

impl NonConstantTimeSecretCompare {
    /// True when comparing `lhs` with `rhs` checks a caller's value against a secret.
    fn is_secret_check(
        cx: &FileContext,
        compare: &Expr,
        op: CmpOp,
        lhs: &Expr,
        rhs: &Expr,
    ) -> bool {
        if mentions_non_secret_name(lhs)
            || mentions_non_secret_name(rhs)
            || names_a_parameter_key(lhs)
            || names_a_parameter_key(rhs)
            || names_an_identifier(lhs)
            || names_an_identifier(rhs)
            || is_checksum(lhs)
            || is_checksum(rhs)
            || cx.function().is_some_and(|f| has_non_secret_word(&f.name))
        {
            return false;
        }
        // The key a factory configured its nested guard with (`def make_check(api_key)`) is
        // the server's, against what the request carries.
        let configured =
            |e: &Expr, other: &Expr| is_captured_parameter(cx, e) && is_request_supplied(cx, other);
        // A digest of the caller's value is the caller's when the other side is not, and
        // does not come from the same parameter (`claims["token_hash"]` of a proof sent in
        // the same `data` as the token: two values of the caller).
        // `self.password` of a login object built from the request's credentials, against
        // the configured password (`app.config.get(...)`, not another attribute of the
        // object): asked last, as it looks for the class's constructions in the project.
        let mut built = false;
        let supplied = match (is_caller_supplied(cx, lhs), is_caller_supplied(cx, rhs)) {
            (false, false) => {
                let built_from_request = |e: &Expr, other: &Expr| {
                    !matches!(&other.kind, ExprKind::Attribute { value, .. } if value.as_name() == Some("self"))
                        && held_by_server(cx, other, true)
                        && is_built_from_request(cx, e)
                };
                let hashed = |e: &Expr, other: &Expr| {
                    hashes_caller_inline(cx, e, 0)
                        && !cx.function().is_some_and(|f| {
                            f.params.iter().any(|p| {
                                derives_from(cx, e, &p.name, compare.span.start)
                                    && derives_from(cx, other, &p.name, compare.span.start)
                            })
                        })
                };
                let (l, r) = (hashed(lhs, rhs), hashed(rhs, lhs));
                if l || r {
                    (l, r)
                } else {
                    let l = built_from_request(lhs, rhs);
                    let r = !l && built_from_request(rhs, lhs);
                    built = l || r;
                    (l, r)
                }
            }
            both => both,
        };
        let (caller, reference) = match supplied {
            (true, false) => (lhs, rhs),
            (false, true) => (rhs, lhs),
            (true, true) if configured(rhs, lhs) => (lhs, rhs),
            (true, true) if configured(lhs, rhs) => (rhs, lhs),
            _ => return false,
        };
        if let Some(name) = caller.as_name()
            && derives_from(cx, reference, name, compare.span.start)
        {
            return false;
        }
        // `stored_hash == compute_password_hash(password=password)`: the caller's value is the
        // input of a key-derivation or hash helper; timing reveals only the hash of the guess.
        if hashes_caller_value(cx, reference) || hashes_caller_value(cx, caller) {
            return false;
        }
        // A parameter of an ordinary function is a caller's guess only where the function
        // checks it; helpers that refresh, rotate or route with the server's own credentials
        // take them as parameters too.
        if !built
            && !is_request_supplied(cx, caller)
            && !cx.function().is_some_and(|f| names_a_check(&f.name))
            && !fed_by_route(cx, caller)
        {
            return false;
        }
        !searches_records(cx, compare.span, lhs)
            && !searches_records(cx, compare.span, rhs)
            && !is_change_detection(cx, compare.span, lhs, rhs)
            && !returns_operand_on_mismatch(cx, compare, op, lhs, rhs)
    }
}

/// A secret a value is known as through the program rather than its name: the caller's
/// header named by a module constant (`request.headers.get(SECRET_HEADER_NAME)` with
/// `SECRET_HEADER_NAME = "service-secret"`), a `SecretStr`'s value
/// (`self.config.token.get_secret_value()`), or a value drawn at module level from a random
/// source (`csrf = os.urandom(16).hex()`, `secrets.token_urlsafe()`): one the server made to
/// check callers against, whatever it is called.
fn secret_value_label(cx: &FileContext, expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Call(call) => {
            let ExprKind::Attribute { value, attr } = &call.func.kind else {
                return None;
            };
            match attr.as_str() {
                "get_secret_value" => {
                    Some(credential_label(value).unwrap_or_else(|| "a SecretStr value".to_string()))
                }
                "get" => constant_key_label(cx, call.args.first()?),
                _ => None,
            }
        }
        ExprKind::Subscript { slice, .. } => constant_key_label(cx, slice),
        ExprKind::Name(name) => random_module_value(cx, name).then(|| name.to_string()),
        _ => None,
    }
}

/// A name of this module that one of its module-level assignments (also in `if`/`try`
/// blocks: `if csrf_file.exists(): csrf = read() else: csrf = candidate`) draws from a random
/// source, directly or through another module-level name; not bound by the enclosing
/// functions.
fn random_module_value(cx: &FileContext, name: &str) -> bool {
    if cx.functions.iter().any(|f| {
        f.params.iter().any(|p| p.name == name)
            || !crate::credentials::assigned_values(&f.body, name).is_empty()
    }) {
        return false;
    }
    let module = &cx.file.parsed.module.body;
    let imports = &cx.file.imports;
    crate::credentials::assigned_values(module, name)
        .into_iter()
        .any(|value| {
            draws_random(imports, value)
                || value.as_name().is_some_and(|other| {
                    crate::credentials::assigned_values(module, other)
                        .into_iter()
                        .any(|v| draws_random(imports, v))
                })
        })
}

/// A key held in a module constant that names a credential: `SECRET_HEADER_NAME =
/// "service-secret"`.
fn constant_key_label(cx: &FileContext, key: &Expr) -> Option<String> {
    if !matches!(key.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
        return None;
    }
    let origin = cx.resolve_value(key);
    if !origin.scope.is_empty() {
        return None;
    }
    let text = origin.expr.as_str()?;
    is_credential_name(text).then(|| text.to_string())
}

/// An expression that calls a source of secrets: `secrets.token_hex()`, `os.urandom(16)`.
fn draws_random(imports: &routewarden_python::names::Imports, expr: &Expr) -> bool {
    expr.any(&mut |x| {
        x.as_call().is_some_and(|c| {
            imports.resolve(&c.func).is_some_and(|q| {
                q == "os.urandom" || q.starts_with("secrets.") && q != "secrets.compare_digest"
            })
        })
    })
}

impl NonConstantTimeSecretCompare {
    /// The secret `lhs op rhs` (`op` is `==` or `!=`) compares in variable time, if it does.
    fn secret_compared(
        cx: &FileContext,
        expr: &Expr,
        lhs: &Expr,
        op: CmpOp,
        rhs: &Expr,
    ) -> Option<String> {
        if is_plain_value(lhs)
            || is_plain_value(rhs)
            || is_class_reference(lhs)
            || is_class_reference(rhs)
            || is_descriptive_credential_name(lhs)
            || is_descriptive_credential_name(rhs)
            || is_positional_element(lhs)
            || is_positional_element(rhs)
        {
            return None;
        }
        let secret = compound_credential_label(lhs)
            .or_else(|| compound_credential_label(rhs))
            // A digest is a secret unless it is a checksum of content that holds none.
            .or_else(|| {
                let secret_digest = |e: &Expr| is_digest_call(e) && !digests_public_content(cx, e);
                (secret_digest(lhs) || secret_digest(rhs)).then(|| "a digest".to_string())
            })
            .or_else(|| (holds_mac(cx, lhs) || holds_mac(cx, rhs)).then(|| "an HMAC".to_string()))
            .or_else(|| secret_value_label(cx, lhs))
            .or_else(|| secret_value_label(cx, rhs));
        // `if EXPORT_KEY != key:` after refusing to serve while `EXPORT_KEY` is empty: a
        // secret the server is configured with, whatever it is called, though the module
        // gives it an empty default.
        let configured = if secret.is_none() {
            cx.function().and_then(|f| {
                routewarden_model::security::configured_secret_operand(
                    cx.model,
                    cx.file_index,
                    f,
                    expr,
                )
            })
        } else {
            None
        };
        let secret = secret.or_else(|| configured.and_then(Expr::as_name).map(str::to_string));
        let code_constant =
            |e: &Expr| !configured.is_some_and(|c| std::ptr::eq(c, e)) && is_code_constant(cx, e);
        let both_constants = is_constant_name(lhs) && is_constant_name(rhs);
        // `password == confirm_password`: a form's two fields, not a secret check. A
        // stored hash or digest (`user.password_hash == password_hash`, `entry["password"]
        // == password_digest`) is a secret.
        let is_password = |e: &Expr| {
            compound_credential_label(e).is_some_and(|l| {
                let l = l.to_ascii_lowercase();
                (l.contains("password") || l.contains("passwd") || l.contains("pwd"))
                    && !l.contains("hash")
                    && !l.contains("digest")
            })
        };
        // A password the server holds (`self.password`, `settings.password`,
        // `app.config["PASSWORD"]`, `os.environ.get("APP_PASSWORD")`) against the
        // caller's is a secret check.
        let stored = |e: &Expr| held_by_server(cx, e, true);
        if is_password(lhs) && is_password(rhs) && !stored(lhs) && !stored(rhs) {
            return None;
        }
        let secret = secret.filter(|_| !both_constants)?;
        if code_constant(lhs)
            || code_constant(rhs)
            || !Self::is_secret_check(cx, expr, op, lhs, rhs)
        {
            return None;
        }
        // A record read from a DNS answer is public: asked last, as it follows locals.
        if cx
            .function()
            .is_some_and(|f| from_dns_answer(cx, f, lhs) || from_dns_answer(cx, f, rhs))
        {
            return None;
        }
        Some(secret)
    }

    /// What `expr` compares in variable time: the secret and how (`==`, `!=`, or `in` a list
    /// of values, which compares with each in turn).
    fn finding(cx: &FileContext, expr: &Expr) -> Option<(String, &'static str)> {
        for (lhs, op, rhs) in expr.comparisons() {
            let found = match op {
                CmpOp::Eq | CmpOp::NotEq => {
                    Self::secret_compared(cx, expr, lhs, op, rhs).map(|s| (s, op))
                }
                // `token in [token_a, token_b]`: `token == token_a or token == token_b`.
                CmpOp::In | CmpOp::NotIn => match &rhs.kind {
                    ExprKind::List(items) | ExprKind::Tuple(items) => {
                        let each = if op == CmpOp::In {
                            CmpOp::Eq
                        } else {
                            CmpOp::NotEq
                        };
                        items.iter().find_map(|item| {
                            Self::secret_compared(cx, expr, lhs, each, item).map(|s| (s, op))
                        })
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some((secret, op)) = found {
                let how = match op {
                    CmpOp::Eq => "==",
                    CmpOp::NotEq => "!=",
                    CmpOp::In => "`in` a list",
                    _ => "`not in` a list",
                };
                return Some((secret, how));
            }
        }
        None
    }

    /// An earlier comparison of the same `and`/`or` already reports the same secret
    /// (`token != token_a and token != token_b`): one finding for the check.
    fn reported_by_sibling(cx: &FileContext, expr: &Expr, secret: &str) -> bool {
        let mut earlier: Vec<&Expr> = Vec::new();
        walk_exprs(enclosing_body(cx), &mut |e| {
            e.any(&mut |x| {
                if let ExprKind::BoolOp { values, .. } = &x.kind
                    && values.iter().any(|v| v.span == expr.span)
                {
                    earlier.extend(
                        values
                            .iter()
                            .take_while(|v| v.span != expr.span)
                            .filter(|v| matches!(v.kind, ExprKind::Compare { .. })),
                    );
                }
                false
            });
        });
        earlier
            .into_iter()
            .any(|sibling| Self::finding(cx, sibling).is_some_and(|(s, _)| s == secret))
    }
}

impl Rule for NonConstantTimeSecretCompare {
    fn meta(&self) -> &'static RuleMeta {
        &NON_CONSTANT_TIME_SECRET_COMPARE
    }

    fn on_compare(&self, cx: &FileContext, expr: &Expr, out: &mut Findings) {
        if is_test_module(cx) {
            return;
        }
        let Some((secret, how)) = Self::finding(cx, expr) else {
            return;
        };
        if Self::reported_by_sibling(cx, expr, &secret) {
            return;
        }
        out.report(
            &NON_CONSTANT_TIME_SECRET_COMPARE,
            expr.span,
            format!("`{secret}` is compared with {how}, which leaks timing"),
        );
    }
}
