//! JWT library calls: which call decodes or encodes, and how its options are spelled.

use crate::context::FileContext;
use routewarden_model::{ProjectModel, ValueOrigin};
use routewarden_python::ast::{Call, Expr, ExprKind, Function};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtLibrary {
    PyJwt,
    Jose,
    Authlib,
    /// joserfc: `jwt.encode(header, claims, key)` takes the algorithm from the header, and
    /// `jwt.decode(value, key)` checks the signature only: the claims, `exp` included, are
    /// checked only by a `JWTClaimsRegistry(...).validate(token.claims)`.
    Joserfc,
}

pub const DECODERS: &[(&str, JwtLibrary)] = &[
    ("jwt.decode", JwtLibrary::PyJwt),
    ("jwt.api_jwt.decode", JwtLibrary::PyJwt),
    ("jwt.decode_complete", JwtLibrary::PyJwt),
    ("jose.jwt.decode", JwtLibrary::Jose),
    ("authlib.jose.jwt.decode", JwtLibrary::Authlib),
    ("joserfc.jwt.decode", JwtLibrary::Joserfc),
];

pub const ENCODERS: &[(&str, JwtLibrary)] = &[
    ("jwt.encode", JwtLibrary::PyJwt),
    ("jwt.api_jwt.encode", JwtLibrary::PyJwt),
    ("jose.jwt.encode", JwtLibrary::Jose),
    ("authlib.jose.jwt.encode", JwtLibrary::Authlib),
    ("joserfc.jwt.encode", JwtLibrary::Joserfc),
];

/// The library of a decode call outside test code: tests forge and inspect tokens on purpose.
pub fn decoder(cx: &FileContext, call: &Call) -> Option<JwtLibrary> {
    library_call(cx, call, DECODERS)
}

/// The library of an encode call outside test code.
pub fn encoder(cx: &FileContext, call: &Call) -> Option<JwtLibrary> {
    library_call(cx, call, ENCODERS)
}

fn library_call(cx: &FileContext, call: &Call, calls: &[(&str, JwtLibrary)]) -> Option<JwtLibrary> {
    let q = cx.resolve(&call.func)?;
    let library = calls.iter().find(|(n, _)| *n == q).map(|(_, l)| *l)?;
    (!cx.file.is_test()).then_some(library)
}

/// jwcrypto's token class: `JWT(header=..., claims=...)` builds a token that
/// `make_signed_token`/`make_encrypted_token` then seal, `JWT(jwt=..., key=...)` reads one.
const JWCRYPTO_JWT: &[&str] = &["jwcrypto.jwt.JWT"];

/// The claims of a jwcrypto token being built outside test code: a `JWT(header, claims,
/// ...)` that reads no token (no `jwt`, its third parameter).
pub fn jwcrypto_built_claims<'e>(cx: &FileContext, call: &'e Call) -> Option<&'e Expr> {
    if !cx.resolves_to(&call.func, JWCRYPTO_JWT)
        || cx.file.is_test()
        || call.argument("jwt", 2).is_some()
    {
        return None;
    }
    call.argument("claims", 1)
}

/// The `default_claims` of a jwcrypto token (its sixth parameter): registered claims it adds
/// to the claims given, generating a `None` `exp` from its validity.
pub fn jwcrypto_default_claims(call: &Call) -> Option<&Expr> {
    call.argument("default_claims", 5)
}

/// The token a decode call reads: its first argument, or `token=`/`jwt=`.
pub fn token_argument(call: &Call) -> Option<&Expr> {
    call.args
        .first()
        .or_else(|| call.keyword("token"))
        .or_else(|| call.keyword("jwt"))
}

/// The entries of the `options` mapping of a decode call, followed through a variable or
/// constant: `(key, value)`.
pub fn options<'e>(cx: &'e FileContext, call: &'e Call) -> Vec<(String, &'e Expr)> {
    let Some(options) = call.keyword("options") else {
        return Vec::new();
    };
    let origin = cx.resolve_value(options);
    dict_entries(origin.expr)
}

pub fn dict_entries(expr: &Expr) -> Vec<(String, &Expr)> {
    match &expr.kind {
        ExprKind::Dict(entries) => entries
            .iter()
            .filter_map(|e| Some((e.key.as_ref()?.as_str()?.to_string(), &e.value)))
            .collect(),
        ExprKind::Call(call) if call.func.as_name() == Some("dict") => call
            .keywords
            .iter()
            .filter_map(|k| Some((k.arg.as_deref()?.to_string(), &k.value)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The claims an encode call signs: PyJWT's `payload` and python-jose's `claims` come first;
/// authlib's `jwt.encode(header, payload, key)` and joserfc's `jwt.encode(header, claims, key)`
/// take the header first.
pub fn encoded_claims(library: JwtLibrary, call: &Call) -> Option<&Expr> {
    match library {
        JwtLibrary::PyJwt => call.argument("payload", 0),
        JwtLibrary::Jose => call.argument("claims", 0),
        JwtLibrary::Authlib => call.argument("payload", 1),
        JwtLibrary::Joserfc => call.argument("claims", 1),
    }
}

/// The algorithm an encode call signs with, followed through a variable or constant: the
/// `algorithm` argument of PyJWT and python-jose, the `alg` of authlib's and joserfc's header
/// (`jwt.encode({"alg": "HS256"}, payload, key)`, whose third argument is the key).
pub fn encode_algorithm<'e>(
    cx: &'e FileContext,
    library: JwtLibrary,
    call: &'e Call,
) -> Option<&'e str> {
    let alg = match library {
        JwtLibrary::Authlib | JwtLibrary::Joserfc => cx
            .resolve_value(call.argument("header", 0)?)
            .expr
            .dict_value("alg")?,
        JwtLibrary::PyJwt | JwtLibrary::Jose => call.argument("algorithm", 2)?,
    };
    cx.resolve_value(alg).expr.as_str()
}

/// joserfc's key constructors, which wrap the key material given first: `OctKey.import_key(secret)`,
/// `jwk.import_key(secret, "oct")`.
const JOSERFC_KEY_IMPORTS: &[&str] = &[
    "joserfc.jwk.OctKey.import_key",
    "joserfc.jwk.RSAKey.import_key",
    "joserfc.jwk.ECKey.import_key",
    "joserfc.jwk.OKPKey.import_key",
    "joserfc.jwk.import_key",
    "joserfc.jwk.JWKRegistry.import_key",
];

/// The key material a joserfc key object is built from, where `key` (followed through names)
/// is `OctKey.import_key(material)`: the file, enclosing functions and expression of
/// `material`, so that it can be followed in turn where it is written.
pub fn imported_key_material<'m>(
    model: &'m ProjectModel,
    file: usize,
    scope: &[&'m Function],
    key: &'m Expr,
) -> Option<ValueOrigin<'m>> {
    let origin = model.resolve_value(file, scope, key);
    let ExprKind::Call(call) = &origin.expr.kind else {
        return None;
    };
    let callee = model.files[origin.file].imports.resolve(&call.func)?;
    if !JOSERFC_KEY_IMPORTS.contains(&callee.as_str()) {
        return None;
    }
    let material = call
        .args
        .first()
        .or_else(|| call.keyword("value"))
        .or_else(|| call.keyword("data"))?;
    Some(ValueOrigin {
        file: origin.file,
        expr: material,
        scope: origin.scope,
    })
}

pub fn is_false(expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::Bool(false)) || matches!(expr.kind, ExprKind::Int(Some(0)))
}

/// `jwt.encode(payload, "", algorithm="none")`: an unsigned token, which JWT002 reports; its
/// key is not used and its claims cannot be trusted, so neither the key nor a missing `exp`
/// is worth a finding of its own.
pub fn signs_nothing(call: &Call) -> bool {
    call.keyword("algorithm")
        .and_then(Expr::as_str)
        .is_some_and(|a| a.eq_ignore_ascii_case("none"))
}
