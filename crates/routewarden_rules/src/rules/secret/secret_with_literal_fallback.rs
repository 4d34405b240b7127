use crate::context::FileContext;
use crate::declare_rule;
use crate::findings::Findings;
use crate::flask_usage::is_test_file;
use crate::helpers::{
    Place, describe_secret, field_default, identifier_words, is_config_mapping, is_config_parser,
    is_key_setting, is_non_production_module, is_non_production_name, is_settings_class,
    is_signing_key_name, loads_itself_as_config, mapping_items_in, module_block_value, negation,
    place_of, resolve_value_in_blocks, subscript_key,
};
use crate::rule::{Confidence, Rule, RuleMeta};
use routewarden_model::apps::{SETTINGS_FILE_READERS, every_return_of_called};
use routewarden_model::config::ConfigTarget;
use routewarden_model::security::{walk_exprs, walk_stmts};
use routewarden_model::{ProjectModel, for_each_return};
use routewarden_python::ast::{
    BoolOp, Call, Class, CmpOp, Expr, ExprKind, Function, ParamKind, Span, Stmt, UnaryOp,
};

declare_rule! {
    /// ## What it finds
    /// A signing key read from the environment with a literal to fall back on. Forms:
    /// `os.environ.get("SECRET_KEY", "dev")` (also `default=`), `os.getenv("SECRET_KEY", "dev")`,
    /// `os.getenv("SECRET_KEY") or "dev"` (also `or loaded.get("secret_key", DEFAULT)`: a
    /// settings file's value, else the default), `os.environ.setdefault("SECRET_KEY", "dev")`,
    /// python-decouple's `config("SECRET_KEY", default="dev")`, Starlette's
    /// `Config(...)("SECRET_KEY", default="dev")`, environs' `env.str("SECRET_KEY", "dev")`, a
    /// configuration file's setting stored as a signing key (`app.secret_key =
    /// cfg.get("secretkey", "dev")` where `cfg` is what `yaml.safe_load`, `json.load` or a
    /// TOML reader returned, also through a project function; not in test code; also
    /// `daconfig.get("secretkey", "dev")` on a mapping loaded where the analysis does not see,
    /// another package, a module-level name or a parameter, when the setting itself is named
    /// for a signing key and the mapping is not known to be a `configparser` parser, whose
    /// `get(section, option)` has the same shape, nor a dict the code writes, a local the
    /// function binds or request data; but an instance of a project settings class, local or
    /// inline, `config = Config(); config.get("secret_key", "dev")`, counts when the class is a
    /// `dict` or `Mapping` subclass or its `get(key, default=...)` returns the default, and a
    /// project class whose `get` takes no default or never returns it does not), the
    /// project's own reader (`env("SECRET_KEY", "dev")` where `def env(variable, fallback=None)`
    /// reads `os.environ` for its first parameter and returns its second), and a pydantic
    /// `BaseSettings` field named for a signing key (or with such an alias) whose default is a
    /// literal, also through `Field(default=...)` and `SecretStr(...)`. The variable is
    /// recognised by its name, or by where the value is stored (`app.secret_key =
    /// os.getenv("APP_KEY", "dev")`); the fallback may be a constant. The fallback may also be
    /// a statement: a key read with no fallback or an empty one, then set
    /// to a literal by an `if` that finds it empty (`SECRET_KEY = os.environ.get("SECRET_KEY",
    /// "")`, then `if not SECRET_KEY: SECRET_KEY = b"dev"`; also `is None`, `== ""` and
    /// `app.config["SECRET_KEY"]`), reported at that assignment; an `if` that asks another
    /// condition as well (`if not KEY and DEBUG:`) is not judged.
    ///
    /// Not reported: names that describe a key or where keys are kept rather than hold one
    /// (`SECRET_KEY_FILE`, `SECRETS_DIR`, `SECRET_STORE_DIRECTORY`, `SECRETS_MOUNT`,
    /// `SECRET_BACKEND_TYPE`), an empty-string or `None` fallback (the framework then refuses to sign
    /// rather than sign with a known key), generated fallbacks (`secrets.token_hex()`,
    /// `os.urandom()`), classes named for development or testing, settings classes of modules
    /// named for them (`settings/local.py`), and a fallback constant the application refuses to
    /// start with (`if config["SECRET_KEY"] == CHANGE_ME_SECRET_KEY: sys.exit(1)` anywhere in the
    /// project), nor a literal fallback refused the same way by its text (`if SECRET_KEY ==
    /// "dev": raise ...`, also `in ("", "dev")`, and `app.config["SECRET_KEY"] == "dev"` when
    /// the module holding the key is what the application's configuration loads), nor a
    /// placeholder that a project function handed the key refuses on every path through it
    /// (`register_encryptor(secret_key=settings.AES_KEY)` whose helper starts with `if not
    /// secret_key or secret_key == PLACEHOLDER: raise ...`, followed up to three calls deep;
    /// the key a module-level name or a settings field). A constant, a literal or a helper's
    /// refusal that asks other conditions (`== "dev" and not DEBUG`, or a branch that first
    /// returns when `app.debug or app.testing`) leaves the key usable outside them: reported at
    /// low confidence naming them; so does a refusal under a switch: a helper's (`if not enabled:
    /// return key` before it, or `if settings.ENFORCE:` around it; a helper's parameter is named
    /// by the caller's argument), a call handing the key over only inside `if
    /// settings.ENABLE_ENCRYPTION:`, or an inline refusal nested in `if not DEBUG:`. Nor is a credential the
    /// application only presents to another service, where a placeholder fails closed: an OAuth
    /// client's secret (`oidc_client_secret`, `GITHUB_CLIENT_SECRET`, `consumer_secret`) or the
    /// secret half of a service's key pair whose public half is set beside it
    /// (`LANGFUSE_SECRET_KEY` next to `LANGFUSE_PUBLIC_KEY`), unless the project hands it to a
    /// signing or verifying call (`jwt.decode`, an itsdangerous signer, `hmac.new`). Test code
    /// is analysed like any other; silence it with `per-file-ignores`.
    ///
    /// ## Why is this dangerous
    /// The fallback is what runs whenever the variable is missing: a forgotten variable in one
    /// deployment, a renamed secret, a new container. The application then starts normally and
    /// signs sessions and tokens with a key that is published in the source.
    ///
    /// ## Example
    /// ```python
    /// SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret")
    ///
    /// class Settings(BaseSettings):
    ///     jwt_secret: str = "changeme"
    /// ```
    ///
    /// ## Fix
    /// Require the variable, so a missing key stops the application at start-up:
    /// ```python
    /// SECRET_KEY = os.environ["SECRET_KEY"]
    ///
    /// class Settings(BaseSettings):
    ///     jwt_secret: SecretStr  # no default: required
    /// ```
    pub static SECRET_WITH_LITERAL_FALLBACK = {
        code: "SECRET002",
        name: "secret-with-literal-fallback",
        severity: High,
        confidence: High,
        cwe: 1188,
        fix: "Require the signing key from the environment with no literal fallback",
    }
}

pub struct SecretWithLiteralFallback;

const ENV_GETTERS: &[&str] = &[
    "os.environ.get",
    "os.getenv",
    "os.environ.setdefault",
    "decouple.config",
];

/// Classes whose instances are called to read the environment: `config("K", default=...)`.
const CONFIG_READERS: &[&str] = &["decouple.AutoConfig", "decouple.Config", "environs.Env"];

/// Methods of an `environs.Env` that read a string.
const ENVIRONS_READERS: &[&str] = &["str", "bytes"];

/// An environment read of a variable `wanted` accepts: the variable and the fallback
/// argument, if any.
fn env_read<'c>(
    cx: &FileContext,
    call: &'c Call,
    wanted: &dyn Fn(&str) -> bool,
) -> Option<(&'c str, Option<&'c Expr>)> {
    let var = call.args.first()?.as_str()?;
    if !wanted(var) {
        return None;
    }
    let callee = cx.resolve(&call.func);
    if callee.as_deref().is_some_and(|c| ENV_GETTERS.contains(&c)) {
        return Some((var, call.argument("default", 1)));
    }
    let class = cx.instance_class(&call.func);
    if class.as_deref() == Some("starlette.config.Config") {
        // `config(key, cast=None, default=...)`
        return Some((var, call.argument("default", 2)));
    }
    if class.is_some_and(|c| CONFIG_READERS.contains(&c.as_str())) {
        return Some((var, call.argument("default", 1)));
    }
    if let ExprKind::Attribute { value, attr } = &call.func.kind
        && ENVIRONS_READERS.contains(&attr.as_str())
        && cx.instance_class(value).as_deref() == Some("environs.Env")
    {
        return Some((var, call.argument("default", 1)));
    }
    // The project's own reader: `env("SECRET_KEY", "")`.
    if let Some((def_file, Some(Stmt::FunctionDef(helper)), _)) =
        cx.model.resolve_definition(cx.file_index, &call.func)
        && let Some(fallback) = env_helper(cx.model, def_file, helper)
    {
        return Some((var, fallback.and_then(|name| call.argument(name, 1))));
    }
    None
}

/// A setting of a configuration file's mapping read with a literal to fall back on,
/// `cfg.get("secretkey", "dev")`: the setting and the literal. Asked only for a value stored as
/// a signing key, outside test code, and unless the application always refuses to start with
/// that fallback (the conditions of a refusal that asks more, see [`refusal_of`]).
fn settings_read_with_fallback<'e>(
    cx: &FileContext,
    value: &'e Expr,
) -> Option<(&'e str, String, Option<String>)> {
    let (mapping, key, fallback) = crate::helpers::literal_key_get(value.as_call()?)?;
    let text = literal_fallback(cx, fallback)?;
    if is_test_file(cx.file)
        || !(is_loaded_settings(cx.model, cx.file_index, &cx.functions, mapping, 0)
            || names_setting_of_unknown_mapping(cx, mapping, key))
    {
        return None;
    }
    let refused_unless = refusal_of(cx, fallback, &text, None)?;
    Some((key, text, refused_unless))
}

/// `daconfig.get("secretkey", "dev")` where the setting is named for a signing key and the
/// mapping is loaded where the analysis does not see (another package, a module-level name, a
/// parameter): its fallback is the key whenever the setting is absent. A `configparser`
/// parser (whose `get(section, option)` has the same shape), a dict the code writes itself, a
/// local the function binds and request data are not such a mapping.
fn names_setting_of_unknown_mapping(cx: &FileContext, mapping: &Expr, key: &str) -> bool {
    if !is_signing_key_name(key, &cx.settings.secret_key_names)
        || is_config_parser(cx.model, cx.file_index, &cx.functions, mapping)
    {
        return false;
    }
    // A local the function binds (`job = session.get(Job, job_id)`, then
    // `job.params.get("job_secret", "kind")`) holds a value it computed or loaded, a record
    // rather than the deployment's settings; a loaded settings file is recognised above.
    // An instance of a project class whose `get` falls back to its default (`config =
    // Config()`, or `Config().get(...)` inline) reads the deployment's settings like a
    // mapping loaded elsewhere.
    let root = mapping.dotted_parts().and_then(|p| p.first().copied());
    let bound: Vec<&Expr> = root.map_or_else(Vec::new, |r| {
        cx.functions
            .iter()
            .flat_map(|f| crate::credentials::assigned_values(&f.body, r))
            .collect()
    });
    if !bound.is_empty() {
        if mapping.as_name().is_none()
            || !bound
                .iter()
                .all(|v| settings_class_instance(cx, v) == Some(true))
        {
            return false;
        }
    } else if settings_class_instance(cx, mapping) == Some(false) {
        return false;
    }
    let origin = resolve_value_in_blocks(cx.model, cx.file_index, &cx.functions, mapping);
    if matches!(origin.expr.kind, ExprKind::Dict(_)) {
        return false;
    }
    // `request.form.get("secret_key", ...)`, `session.get(...)`, `payload.get(...)` of
    // `payload = request.get_json() or {}`: what a caller sends.
    let from_request = |file: usize, e: &Expr| {
        e.any(&mut |x| {
            cx.model.files[file].imports.resolve(x).is_some_and(|q| {
                matches!(
                    q.as_str(),
                    "flask.request" | "flask.session" | "quart.request" | "quart.session"
                )
            })
        })
    };
    !from_request(cx.file_index, mapping) && !from_request(origin.file, origin.expr)
}

/// For `Config()`, a call of a project class: whether the class is a mapping of settings, a
/// `dict` or `Mapping` subclass or a class whose `get(key, default=...)` returns its default
/// when the key is missing (`return self._config.get(key, default)`). A `get(section, option)`
/// with no default, as a `ConfigParser`'s, is not. `None` for anything else.
fn settings_class_instance(cx: &FileContext, value: &Expr) -> Option<bool> {
    const MAPPINGS: &[&str] = &[
        "dict",
        "builtins.dict",
        "collections.UserDict",
        "collections.OrderedDict",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
        "typing.Mapping",
        "typing.MutableMapping",
        "typing.Dict",
    ];
    let call = value.as_call()?;
    let (file, Some(Stmt::ClassDef(class)), _) =
        cx.model.resolve_definition(cx.file_index, &call.func)?
    else {
        return None;
    };
    let hierarchy = routewarden_model::apps::class_hierarchy(cx.model, file, class);
    if hierarchy.iter().any(|(f, c)| {
        c.bases.iter().any(|b| {
            b.as_name() == Some("dict")
                || cx.model.files[*f]
                    .imports
                    .resolve(b)
                    .is_some_and(|q| MAPPINGS.contains(&q.as_str()))
        })
    }) {
        return Some(true);
    }
    let Some((_, _, get)) = routewarden_model::apps::find_method(cx.model, file, class, "get")
    else {
        return Some(false);
    };
    // `def get(self, key, default=None)`: the default is returned, bare or handed on.
    let params: Vec<_> = get
        .params
        .iter()
        .filter(|p| !matches!(p.name.as_str(), "self" | "cls"))
        .collect();
    let [_, fallback, ..] = &params[..] else {
        return Some(false);
    };
    if fallback.default.is_none() {
        return Some(false);
    }
    let mut returned = false;
    for_each_return(&get.body, &mut |v| {
        returned |= v.any(&mut |x| x.as_name() == Some(fallback.name.as_str()));
    });
    Some(returned)
}

/// Whether `expr` is a mapping of settings the deployment supplies, whose `.get(key, default)`
/// falls back to the default whenever the operator leaves the key out: what a JSON/YAML/TOML
/// reader returns (also `yaml.safe_load(fp) or {}`, and through a project function returning
/// it). A dict the code writes itself, a request's data, a parameter or an object of another
/// package is none (`conf.get("api", "SECRET_KEY")` of a `ConfigParser` takes a section and
/// an option, not a fallback).
fn is_loaded_settings(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    expr: &Expr,
    depth: u32,
) -> bool {
    if depth > 4 {
        return false;
    }
    // Also into module-level blocks: `with open(path) as fp: cfg = yaml.safe_load(fp)`.
    let origin = resolve_value_in_blocks(model, file, scope, expr);
    match &origin.expr.kind {
        // `yaml.safe_load(fp) or {}`: the file's mapping, or an empty one.
        ExprKind::BoolOp {
            op: BoolOp::Or,
            values,
        } => values.first().is_some_and(|first| {
            is_loaded_settings(model, origin.file, &origin.scope, first, depth + 1)
        }),
        ExprKind::Call(call) => {
            if model.files[origin.file]
                .imports
                .resolve(&call.func)
                .is_some_and(|q| SETTINGS_FILE_READERS.contains(&q.as_str()))
            {
                return true;
            }
            every_return_of_called(model, origin.file, &call.func, &mut |file, scope, value| {
                is_loaded_settings(model, file, scope, value, depth + 1)
            })
        }
        // `from settings import cfg`, bound in a block of that module.
        ExprKind::Name(name) => {
            let Some(q) = model.files[origin.file].imports.resolve(origin.expr) else {
                return false;
            };
            let Some((module_file, _)) = q.rsplit_once('.').and_then(|(m, _)| model.module(m))
            else {
                return false;
            };
            module_block_value(model, module_file, name)
                .is_some_and(|v| is_loaded_settings(model, module_file, &[], v, depth + 1))
        }
        _ => false,
    }
}

/// The environment read of variable `name` in `e`, with its fallback argument:
/// `os.environ.get(name, default)`, `os.getenv(name)`, `os.environ[name]`.
fn reads_variable<'e>(
    model: &ProjectModel,
    file: usize,
    e: &'e Expr,
    name: &str,
) -> Option<Option<&'e Expr>> {
    let imports = &model.files[file].imports;
    match &e.kind {
        ExprKind::Call(call)
            if call.args.first().and_then(Expr::as_name) == Some(name)
                && imports
                    .resolve(&call.func)
                    .is_some_and(|q| ENV_GETTERS.contains(&q.as_str())) =>
        {
            Some(call.argument("default", 1))
        }
        ExprKind::Subscript { value, slice }
            if slice.as_name() == Some(name)
                && imports.resolve(value).as_deref() == Some("os.environ") =>
        {
            Some(None)
        }
        _ => None,
    }
}

/// A project function that reads the environment variable its first parameter names
/// (`def env(variable, fallback_value=None)` reading `os.environ.get(variable)`): the name of
/// the parameter it falls back to, when it returns that parameter (`return fallback_value`,
/// `return os.getenv(variable, fallback_value)`).
fn env_helper<'f>(
    model: &ProjectModel,
    file: usize,
    helper: &'f Function,
) -> Option<Option<&'f str>> {
    let mut params = helper
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional));
    let variable = params.next()?.name.as_str();
    let fallback = params.next().map(|p| p.name.as_str());
    let mut reads = false;
    walk_exprs(&helper.body, &mut |e| {
        reads |= e.any(&mut |x| reads_variable(model, file, x, variable).is_some());
    });
    if !reads {
        return None;
    }
    let mut returns_fallback = false;
    for_each_return(&helper.body, &mut |value| {
        returns_fallback |= fallback.is_some_and(|f| {
            value.as_name() == Some(f)
                || reads_variable(model, file, value, variable)
                    .flatten()
                    .is_some_and(|d| d.as_name() == Some(f))
        });
    });
    Some(fallback.filter(|_| returns_fallback))
}

/// A non-empty literal, after following a name to its value.
fn literal_fallback(cx: &FileContext, expr: &Expr) -> Option<String> {
    let text = cx.resolve_value(expr).expr.literal_text()?;
    (!text.is_empty()).then_some(text)
}

/// An environment read with a literal to fall back on, `os.getenv("K", "dev")` or
/// `os.getenv("K") or "dev"`: the variable and the literal. A fallback constant the
/// application refuses to start with (see [`refused_at_startup`]) is not one.
/// A read of variable `var` with a literal fallback (its text), unless the application
/// always refuses to start with that fallback; with the conditions of a refusal that asks more
/// (see [`refusal_of`]). `wanted` says which variables matter: it is asked before the project
/// is searched for such a refusal.
fn read_with_fallback<'e>(
    cx: &FileContext,
    expr: &'e Expr,
    wanted: impl Fn(&str) -> bool,
) -> Option<(&'e str, String, Option<String>)> {
    let (var, fallback, text) = match &expr.kind {
        ExprKind::Call(call) => {
            let (var, fallback) = env_read(cx, call, &wanted)?;
            let fallback = fallback?;
            (var, fallback, literal_fallback(cx, fallback)?)
        }
        ExprKind::BoolOp {
            op: BoolOp::Or,
            values,
        } => values.windows(2).find_map(|pair| {
            let (var, fallback) = env_read(cx, pair[0].as_call()?, &wanted)?;
            // A read with its own literal fallback is reported as a call.
            if fallback.is_some_and(|f| literal_fallback(cx, f).is_some()) {
                return None;
            }
            // `os.getenv("K") or loaded.get("k", DEFAULT)`: a file's value, else the default.
            let fallback = match pair[1].as_call() {
                Some(get)
                    if get.func.last_name() == Some("get")
                        && matches!(get.func.kind, ExprKind::Attribute { .. }) =>
                {
                    get.args.get(1)?
                }
                _ => &pair[1],
            };
            Some((var, fallback, literal_fallback(cx, fallback)?))
        })?,
        _ => return None,
    };
    let key = constant_holding(cx, expr);
    let refused_unless = refusal_of(cx, fallback, &text, key.as_ref())?;
    Some((var, text, refused_unless))
}

/// The qualified name of a module-level constant as `file` sees it: imported, or its own.
fn constant_in(model: &ProjectModel, file: usize, expr: &Expr) -> Option<String> {
    let module = &model.files[file];
    if let Some(q) = module.imports.resolve(expr) {
        return Some(q);
    }
    let name = expr.as_name()?;
    module.top_level(name)?;
    Some(if module.module_name.is_empty() {
        name.to_string()
    } else {
        format!("{}.{}", module.module_name, name)
    })
}

/// How the application refuses to start with the fallback `text`: `None` when it always does,
/// `Some(None)` when it does not, `Some(Some(conditions))` when every refusal also asks other
/// conditions (see [`conditions_asked`]: `KEY == "dev" and not DEBUG`, or a branch that returns
/// first in debug mode): the key stays usable outside them, a finding of low confidence that
/// names them. A named constant fallback is refused by an `if` comparing any value with the same
/// constant (`if config["SECRET_KEY"] == CHANGE_ME: sys.exit(1)`, anywhere in the project); a
/// literal by an `if` comparing the key (a module-level name holding the read) with the same
/// literal (`KEY == "dev"`, `KEY in ("", "dev")`); in both the branch raises or exits. Literal
/// and constant are judged alike: a fallback that stops the application is a required variable
/// in disguise, one that stops it only sometimes is not. Asked only for a fallback about to be
/// reported; for a constant, only files that mention it are read; for a literal, files are read
/// again only when the project's refused literals (see [`startup_refusals`], gathered once)
/// hold `text`.
#[allow(clippy::option_option)]
fn refusal_of(
    cx: &FileContext,
    fallback: &Expr,
    text: &str,
    key: Option<&KeyUse>,
) -> Option<Option<String>> {
    // The refusal asking the fewest other conditions.
    let mut fewest: Option<Vec<String>> = None;
    if let Some(short) = fallback.last_name()
        && let Some(qualified) = constant_in(cx.model, cx.file_index, fallback)
    {
        for (file, module) in cx.model.files.iter().enumerate() {
            if !module.may_mention(short) {
                continue;
            }
            let is_constant =
                |o: &Expr| constant_in(cx.model, file, o).as_deref() == Some(qualified.as_str());
            for_each_refusal(
                cx.model,
                file,
                module.body(),
                &|compared| compared.iter().any(|o| is_constant(o)),
                &mut |compared, terms, spared, outer| {
                    for operand in compared.iter().filter(|o| is_constant(o)) {
                        let mut asked =
                            conditions_asked(&|e| source_text(module, e), operand, terms, spared);
                        asked.extend(held_conditions(module, outer));
                        keep_fewest(&mut fewest, asked);
                    }
                },
            );
        }
    }
    let refused_always = |fewest: &Option<Vec<String>>| fewest.as_ref().is_some_and(Vec::is_empty);
    // A constant the application refuses is refused by name; the project-wide gathering of
    // refused literals is for fallbacks written as literals or never refused by name.
    if let Some(key) = key.filter(|_| fewest.is_none() && cx.refused_at_startup(text)) {
        for (file, module) in cx.model.files.iter().enumerate() {
            for_each_refusal(
                cx.model,
                file,
                module.body(),
                &|compared| compared.iter().any(|o| o.as_str() == Some(text)),
                &mut |compared, terms, spared, outer| {
                    // A literal compared with another value (a helper's parameter) refuses nothing.
                    if !compared.iter().any(|o| key.read_by(cx.model, file, &[], o)) {
                        return;
                    }
                    for operand in compared.iter().filter(|o| o.as_str() == Some(text)) {
                        let mut asked =
                            conditions_asked(&|e| source_text(module, e), operand, terms, spared);
                        asked.extend(held_conditions(module, outer));
                        keep_fewest(&mut fewest, asked);
                    }
                },
            );
        }
    }
    if let Some(key) = key
        && !refused_always(&fewest)
        && let Some(asked) = refused_by_helper(cx, key, text)
    {
        keep_fewest(&mut fewest, asked);
    }
    match fewest {
        Some(asked) if asked.is_empty() => None,
        asked => Some(asked.map(|a| a.join(" and "))),
    }
}

fn keep_fewest(fewest: &mut Option<Vec<String>>, asked: Vec<String>) {
    if fewest.as_ref().is_none_or(|f| asked.len() < f.len()) {
        *fewest = Some(asked);
    }
}

/// The conditions, besides comparing `operand`, under which a refusal stops the application,
/// as one-line source text: the other terms of its `and` test (`not DEBUG` in `KEY == "dev" and
/// not DEBUG`), and the negation of each `if C:` in the branch that returns before the branch
/// stops (`if app.debug or is_test(): return` then `sys.exit(1)`; see [`negation`]).
fn conditions_asked(
    text: &dyn Fn(&Expr) -> String,
    operand: &Expr,
    terms: &[Expr],
    spared: &[&Expr],
) -> Vec<String> {
    terms
        .iter()
        .filter(|t| !(t.span.start <= operand.span.start && operand.span.end <= t.span.end))
        .map(text)
        .chain(spared.iter().map(|test| negation(text, test)))
        .collect()
}

/// The conditions of the `if`s holding a refusal, as text: the test of a branch, the negated
/// test of an `else`.
fn held_conditions(
    module: &routewarden_model::SourceModule,
    outer: &[(&Expr, bool)],
) -> Vec<String> {
    let text = |e: &Expr| source_text(module, e);
    outer
        .iter()
        .map(|(test, held)| {
            if *held {
                text(test)
            } else {
                negation(&text, test)
            }
        })
        .collect()
}

/// An expression's source text on one line.
fn source_text(module: &routewarden_model::SourceModule, e: &Expr) -> String {
    routewarden_model::apps::one_line(&module.span_text(e.span))
}

/// Who speaks in a helper's conditions: the helper's parameters stand for the caller's
/// arguments, so `if enabled:` in `check_key(key, enabled)` called as
/// `check_key(KEY, settings.ENABLE_ENCRYPTION)` reads `settings.ENABLE_ENCRYPTION`.
struct Speaker<'s> {
    file: usize,
    arguments: Vec<(&'s str, &'s Expr)>,
    caller: Option<&'s Speaker<'s>>,
}

impl Speaker<'_> {
    /// `e`, written in this speaker's file, as text with its parameters replaced by the
    /// arguments they were given (themselves in the caller's words).
    fn render(&self, model: &ProjectModel, e: &Expr) -> String {
        let module = &model.files[self.file];
        let mut named: Vec<(&Expr, &Expr)> = Vec::new();
        if let Some(caller) = self.caller {
            e.any(&mut |x| {
                if let Some(n) = x.as_name()
                    && let Some((_, arg)) = self.arguments.iter().find(|(p, _)| *p == n)
                {
                    named.push((x, arg));
                }
                false
            });
            if !named.is_empty() {
                named.sort_by_key(|(x, _)| x.span.start);
                let mut text = String::new();
                let mut at = e.span.start;
                for (x, arg) in named {
                    if x.span.start < at {
                        continue;
                    }
                    text.push_str(&module.span_text(Span::new(at, x.span.start)));
                    text.push_str(&caller.render(model, arg));
                    at = x.span.end;
                }
                text.push_str(&module.span_text(Span::new(at, e.span.end)));
                return routewarden_model::apps::one_line(&text);
            }
        }
        source_text(module, e)
    }
}

/// Where the configured key is read at a call site: a module-level name bound to the read (by
/// qualified name; `loaded` when its module is loaded as application configuration, so that
/// `app.config["NAME"]` reads it too), or a settings class's field read on an instance
/// (`settings.SECRET_KEY`); the class by its file and the start of its definition.
enum KeyUse<'a> {
    Constant { qualified: String, loaded: bool },
    Field { class: (usize, u32), field: &'a str },
}

impl KeyUse<'_> {
    /// The key's own name: the constant's or the field's.
    fn name(&self) -> &str {
        match self {
            KeyUse::Constant { qualified, .. } => qualified.rsplit('.').next().unwrap_or(qualified),
            KeyUse::Field { field, .. } => field,
        }
    }

    /// `arg`, written in `file` within `scope`, reads the key: the constant (also as the
    /// application's configuration entry of its name, `app.config["SECRET_KEY"]` or
    /// `current_app.config.get("SECRET_KEY")`, when its module is what the configuration loads),
    /// or the field on an instance of the class (or on one whose class the analysis cannot name).
    fn read_by<'m>(
        &self,
        model: &'m ProjectModel,
        file: usize,
        scope: &[&'m Function],
        arg: &'m Expr,
    ) -> bool {
        match self {
            KeyUse::Constant { qualified, loaded } => {
                constant_in(model, file, arg).as_deref() == Some(qualified.as_str())
                    || *loaded
                        && place_of(arg).is_some_and(|place| {
                            place.key == Some(self.name()) && place.path.last() == Some(&"config")
                        })
            }
            KeyUse::Field { class, field } => match &arg.kind {
                ExprKind::Attribute { value, attr } if attr == field => {
                    crate::helpers::project_class_of(model, file, scope, value)
                        .is_none_or(|(f, c)| (f, c.span.start) == *class)
                }
                _ => false,
            },
        }
    }
}

/// The module-level name bound to `read` (`SECRET = os.getenv("SECRET", "changeme")`), as a
/// key use.
fn constant_holding(cx: &FileContext, read: &Expr) -> Option<KeyUse<'static>> {
    if !cx.functions.is_empty() || !cx.classes.is_empty() {
        return None;
    }
    let qualified = cx.file.body().iter().find_map(|stmt| match stmt {
        Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } if value.span.start <= read.span.start && read.span.end <= value.span.end => {
            let [target] = targets.as_slice() else {
                return None;
            };
            constant_in(cx.model, cx.file_index, target).filter(|_| target.as_name().is_some())
        }
        _ => None,
    })?;
    let loaded = cx
        .config
        .loaded
        .contains(&ConfigTarget::Module(cx.file_index))
        || loads_itself_as_config(cx.model, cx.file_index);
    Some(KeyUse::Constant { qualified, loaded })
}

/// The conditions under which a project function the key is handed to refuses the placeholder
/// `text`: `Some(vec![])` when it does on every path through it, `None` when no such function
/// refuses it. The function refuses with an `if` at the top of its body (before any `return`)
/// testing the parameter `== <text>` (alone, as a term of an `or`, or as a term of an `and`
/// whose other terms are the conditions), whose branch raises or exits (an `if` in that branch
/// returning first is a condition too, see [`conditions_asked`]); or with a call at that level
/// passing the parameter on to such a function, followed up to three calls deep
/// (`register_aes_encryptor(secret_key=settings.KEY)` calling
/// `create_aes_encryptor(secret_key=secret_key)`, which raises on `PLACEHOLDER_KEY`). The
/// function asking the fewest conditions counts. Only asked for a fallback about to be
/// reported; reads only the files that mention the key's name.
fn refused_by_helper(cx: &FileContext, key: &KeyUse, text: &str) -> Option<Vec<String>> {
    let model = cx.model;
    let word = key.name();
    let mut fewest: Option<Vec<String>> = None;
    for (file, module) in model.files.iter().enumerate() {
        if is_test_file(module) || !module.may_mention(word) {
            continue;
        }
        let caller = Speaker {
            file,
            arguments: Vec::new(),
            caller: None,
        };
        crate::helpers::for_each_call(module.body(), &mut Vec::new(), &mut |scope, at, call| {
            if fewest.as_ref().is_some_and(Vec::is_empty) {
                return;
            }
            if let Some(mut asked) =
                passed_to_refusing_helper(model, file, call, text, 0, &caller, &|arg| {
                    key.read_by(model, file, scope, arg)
                })
            {
                // Handed over only under a switch (`if settings.ENABLE_ENCRYPTION:
                // register_encryptor(secret_key=KEY)`): refused only when it is on.
                asked.extend(held_conditions(
                    module,
                    &crate::helpers::enclosing_if_tests(module.body(), at.span),
                ));
                keep_fewest(&mut fewest, asked);
            }
        });
        if fewest.as_ref().is_some_and(Vec::is_empty) {
            break;
        }
    }
    fewest
}

/// `call`, in `file`, calls a project function whose parameter receives an argument for which
/// `is_key` holds, and the function refuses `text` in that parameter: the conditions it asks
/// (see [`refused_by_helper`]).
fn passed_to_refusing_helper<'m>(
    model: &'m ProjectModel,
    file: usize,
    call: &'m Call,
    text: &str,
    depth: u32,
    caller: &Speaker<'m>,
    is_key: &dyn Fn(&'m Expr) -> bool,
) -> Option<Vec<String>> {
    if depth > 2
        || !call
            .args
            .iter()
            .chain(call.keywords.iter().map(|k| &k.value))
            .any(is_key)
    {
        return None;
    }
    let (helper_file, Stmt::FunctionDef(helper)) = model.project_definition(file, &call.func)?
    else {
        return None;
    };
    let skip = usize::from(
        helper
            .params
            .first()
            .is_some_and(|p| p.name == "self" || p.name == "cls"),
    );
    let argument_of = |index: usize, param: &'m routewarden_python::ast::Param| match param.kind {
        ParamKind::PositionalOnly | ParamKind::Positional => index
            .checked_sub(skip)
            .and_then(|i| call.argument(&param.name, i)),
        ParamKind::KeywordOnly => call.keyword(&param.name),
        ParamKind::VarArgs | ParamKind::VarKeywords => None,
    };
    let speaker = Speaker {
        file: helper_file,
        arguments: helper
            .params
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((p.name.as_str(), argument_of(i, p)?)))
            .collect(),
        caller: Some(caller),
    };
    let mut fewest = None;
    for (index, param) in helper.params.iter().enumerate() {
        if argument_of(index, param).is_some_and(is_key)
            && let Some(asked) = refuses_parameter(
                model,
                helper_file,
                helper,
                &param.name,
                text,
                depth,
                &speaker,
            )
        {
            keep_fewest(&mut fewest, asked);
        }
    }
    fewest
}

/// The conditions under which `helper` refuses `text` in its parameter `param`: see
/// [`refused_by_helper`]. A switch the refusal sits under counts as a condition: an `if C:`
/// holding the refusing `if`, or an `if C: return` before it (`if not enabled: return key`,
/// then `if key == PLACEHOLDER: raise`, refuses only when `enabled`).
fn refuses_parameter<'m>(
    model: &'m ProjectModel,
    file: usize,
    helper: &'m Function,
    param: &str,
    text: &str,
    depth: u32,
    speaker: &Speaker<'m>,
) -> Option<Vec<String>> {
    refuses_in(
        model,
        file,
        helper,
        &helper.body,
        param,
        text,
        depth,
        speaker,
        Vec::new(),
    )
}

/// [`refuses_parameter`] for the statements `body` of `helper`, reached under the conditions
/// `guards`.
#[allow(clippy::too_many_arguments)]
fn refuses_in<'m>(
    model: &'m ProjectModel,
    file: usize,
    helper: &'m Function,
    body: &'m [Stmt],
    param: &str,
    text: &str,
    depth: u32,
    speaker: &Speaker<'m>,
    mut guards: Vec<String>,
) -> Option<Vec<String>> {
    let render = |e: &Expr| speaker.render(model, e);
    let is_param = |e: &Expr| e.as_name() == Some(param);
    let is_placeholder = |e: &Expr| {
        model
            .resolve_value(file, &[helper], e)
            .expr
            .literal_text()
            .is_some_and(|t| t == text)
    };
    let equals_placeholder = |e: &Expr| {
        e.comparisons().iter().any(|(left, op, right)| {
            *op == CmpOp::Eq
                && (is_param(left) && is_placeholder(right)
                    || is_param(right) && is_placeholder(left))
        })
    };
    let with_guards = |mut asked: Vec<String>, guards: &[String]| {
        asked.extend(guards.iter().cloned());
        asked
    };
    let mut fewest = None;
    for stmt in body {
        match stmt {
            Stmt::If { test, body, .. } if stops(model, file, body) => {
                let spared = spared_by(model, file, body);
                let (terms, refusing): (&[Expr], Option<&Expr>) = match &test.kind {
                    ExprKind::BoolOp {
                        op: BoolOp::Or,
                        values,
                    } => (&[], values.iter().find(|v| equals_placeholder(v))),
                    ExprKind::BoolOp {
                        op: BoolOp::And,
                        values,
                    } => (values, values.iter().find(|v| equals_placeholder(v))),
                    _ => (&[], Some(test).filter(|t| equals_placeholder(t))),
                };
                if let Some(refusing) = refusing {
                    keep_fewest(
                        &mut fewest,
                        with_guards(conditions_asked(&render, refusing, terms, &spared), &guards),
                    );
                    if fewest.as_ref().is_some_and(Vec::is_empty) {
                        return fewest;
                    }
                } else if !test.any(&mut |e| is_param(e)) {
                    // `if enabled:` holding the refusal: it refuses only under the switch.
                    let mut under = guards.clone();
                    under.push(render(test));
                    if let Some(asked) = refuses_in(
                        model, file, helper, body, param, text, depth, speaker, under,
                    ) {
                        keep_fewest(&mut fewest, asked);
                    }
                }
            }
            Stmt::Return { .. } | Stmt::Raise { .. } => return fewest,
            _ => {}
        }
        // A `return` inside: what follows is not on every path; after `if C: return` (not
        // asking the key) it runs when `not C`.
        let mut returns = false;
        for child in stmt.child_bodies() {
            walk_stmts(child, &mut |s| returns |= matches!(s, Stmt::Return { .. }));
        }
        if returns {
            match stmt {
                Stmt::If {
                    test, body, orelse, ..
                } if orelse.is_empty()
                    && matches!(body.last(), Some(Stmt::Return { .. }))
                    && !stops(model, file, body)
                    && !test.any(&mut |e| is_param(e)) =>
                {
                    guards.extend(conditions_asked(&render, test, &[], &[test]));
                    continue;
                }
                _ => return fewest,
            }
        }
        // A call at this level passing the parameter on.
        if !matches!(stmt, Stmt::If { .. }) {
            let mut passed = None;
            stmt.for_each_own_expr(&mut |e| {
                e.any(&mut |x| {
                    if passed.is_none()
                        && let Some(c) = x.as_call()
                    {
                        passed = passed_to_refusing_helper(
                            model,
                            file,
                            c,
                            text,
                            depth + 1,
                            speaker,
                            &is_param,
                        );
                    }
                    false
                });
            });
            if let Some(asked) = passed {
                keep_fewest(&mut fewest, with_guards(asked, &guards));
                return fewest;
            }
        }
    }
    fewest
}

/// The string literals the application refuses to start with: somewhere in the project a value
/// is compared with the literal and the branch exits or raises (`if app.config["SECRET_KEY"] ==
/// "CHANGE ME": sys.exit(1)`). A placeholder key of that kind never signs. Built once per
/// project, when a rule first asks.
pub fn startup_refusals(model: &ProjectModel) -> rustc_hash::FxHashSet<String> {
    let mut out = rustc_hash::FxHashSet::default();
    for (file, module) in model.files.iter().enumerate() {
        let has_literal = |compared: &[&Expr]| compared.iter().any(|o| o.as_str().is_some());
        for_each_refusal(
            model,
            file,
            module.body(),
            &has_literal,
            &mut |compared, _, _, _| {
                out.extend(
                    compared
                        .iter()
                        .filter_map(|o| o.as_str().map(str::to_string)),
                );
            },
        );
    }
    out
}

/// Calls `f` with the operands of the equality and membership tests (`x == VALUE`, either
/// side, `x in (VALUE, ...)`, also inside `and`/`or`) of each `if` in `body`, at any depth,
/// whose branch raises or exits the process; with the terms of the test when it is an `and`
/// (`KEY == VALUE and not DEBUG`), none otherwise; and with the tests of the `if`s at the top
/// of the branch that return before it stops (`if app.debug: return`), which spare the
/// application.
fn for_each_refusal(
    model: &ProjectModel,
    file: usize,
    body: &[Stmt],
    wanted: &dyn Fn(&[&Expr]) -> bool,
    f: &mut impl FnMut(&[&Expr], &[Expr], &[&Expr], &[(&Expr, bool)]),
) {
    refusals_under(model, file, body, wanted, f, &mut Vec::new());
}

/// [`for_each_refusal`] for `body`, reached under the `if`s whose conditions are `outer`
/// (`if not DEBUG:` holding `if KEY == "dev": raise` refuses only when `not DEBUG`).
fn refusals_under<'b>(
    model: &ProjectModel,
    file: usize,
    body: &'b [Stmt],
    wanted: &dyn Fn(&[&Expr]) -> bool,
    f: &mut impl FnMut(&[&Expr], &[Expr], &[&Expr], &[(&Expr, bool)]),
    outer: &mut Vec<(&'b Expr, bool)>,
) {
    for stmt in body {
        if let Stmt::If { test, body, .. } = stmt {
            let mut compared = Vec::new();
            test.any(&mut |e| {
                if let ExprKind::Compare {
                    left,
                    ops,
                    comparators,
                } = &e.kind
                    && ops
                        .iter()
                        .all(|op| matches!(op, CmpOp::Eq | CmpOp::Is | CmpOp::In))
                {
                    compared.push(left.as_ref());
                    for (op, right) in ops.iter().zip(comparators) {
                        if *op == CmpOp::In {
                            compared.extend(right.elements_or_self());
                        } else {
                            compared.push(right);
                        }
                    }
                }
                false
            });
            // `stops` may read helpers in other modules: only for the operands the caller wants.
            if !compared.is_empty() && wanted(&compared) && stops(model, file, body) {
                let terms: &[Expr] = match &test.kind {
                    ExprKind::BoolOp {
                        op: BoolOp::And,
                        values,
                    } => values,
                    _ => &[],
                };
                f(&compared, terms, &spared_by(model, file, body), outer);
            }
        }
        if let Stmt::If {
            test, body, orelse, ..
        } = stmt
        {
            // The branch holds under the test, the `else` under its negation; rendered as text
            // only for a refusal found (see [`held_conditions`]).
            outer.push((test, true));
            refusals_under(model, file, body, wanted, f, outer);
            outer.pop();
            outer.push((test, false));
            refusals_under(model, file, orelse, wanted, f, outer);
            outer.pop();
            continue;
        }
        for child in stmt.child_bodies() {
            refusals_under(model, file, child, wanted, f, outer);
        }
    }
}

/// The tests of the `if`s of a refusing branch, before the statement that stops, whose own
/// branch returns without stopping: `if app.debug or app.testing: log(...); return`.
fn spared_by<'b>(model: &ProjectModel, file: usize, branch: &'b [Stmt]) -> Vec<&'b Expr> {
    let mut spared = Vec::new();
    for stmt in branch {
        if stops(model, file, std::slice::from_ref(stmt)) {
            break;
        }
        if let Stmt::If { test, body, .. } = stmt {
            let mut returns = false;
            walk_stmts(body, &mut |s| returns |= matches!(s, Stmt::Return { .. }));
            if returns {
                spared.push(test);
            }
        }
    }
    spared
}

/// The block raises or exits the process, at any depth, also through a project helper that
/// does (`fatal_error(msg)` printing and calling `sys.exit(1)`).
fn stops(model: &ProjectModel, file: usize, body: &[Stmt]) -> bool {
    stops_at(model, file, body, 0)
}

fn stops_at(model: &ProjectModel, file: usize, body: &[Stmt], depth: u32) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Raise { .. } => true,
        Stmt::Expr { value, .. } => value.as_call().is_some_and(|c| {
            let q = model.files[file].imports.resolve(&c.func);
            if matches!(
                q.as_deref(),
                Some("sys.exit" | "os._exit" | "builtins.exit" | "builtins.quit")
            ) || matches!(c.func.as_name(), Some("exit" | "quit"))
            {
                return true;
            }
            depth == 0
                && matches!(model.resolve_definition(file, &c.func),
                    Some((f, Some(Stmt::FunctionDef(helper)), _))
                        if stops_at(model, f, &helper.body, depth + 1))
        }),
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        other => other
            .child_bodies()
            .any(|child| stops_at(model, file, child, depth)),
    })
}

/// A credential the application presents to another service rather than one it signs or
/// verifies with: an OAuth client's secret (`oidc_client_secret`, `GITHUB_CLIENT_SECRET`,
/// `consumer_secret`), or the secret half of a service's key pair whose public half is set
/// beside it (`LANGFUSE_SECRET_KEY` next to `LANGFUSE_PUBLIC_KEY`; `siblings` are the other
/// names bound in the same module or class), unless the project hands the name to a signing or
/// verifying call (`jwt.decode(token, settings.CLIENT_SECRET, ...)`, an itsdangerous signer,
/// `hmac.new`). A placeholder there fails closed at the other end: the service refuses it.
/// Asked only for a fallback about to be reported.
pub(crate) fn sent_to_another_service(cx: &FileContext, name: &str, siblings: &[&str]) -> bool {
    names_outgoing_credential(name, siblings) && !signs_locally(cx.model, name)
}

/// The name of [`sent_to_another_service`]: a client secret, or a key pair's secret half.
fn names_outgoing_credential(name: &str, siblings: &[&str]) -> bool {
    let words = identifier_words(name);
    let client_secret = words
        .windows(2)
        .any(|w| matches!(w[0].as_str(), "client" | "consumer") && w[1] == "secret");
    let key_pair = || {
        let Some(prefix) = words
            .strip_suffix(&["secret".to_string(), "key".to_string()])
            .filter(|p| !p.is_empty())
        else {
            return false;
        };
        // A key pair of the application's own tokens or sessions is a signing key.
        !prefix.iter().any(|w| {
            matches!(
                w.as_str(),
                "jwt"
                    | "token"
                    | "tokens"
                    | "signing"
                    | "session"
                    | "cookie"
                    | "csrf"
                    | "app"
                    | "secret"
                    | "encryption"
                    | "crypto"
            )
        }) && siblings.iter().any(|sibling| {
            let other = identifier_words(sibling);
            other.len() == words.len()
                && other[..prefix.len()] == *prefix
                && matches!(other[prefix.len()].as_str(), "public" | "publishable")
                && other.last().map(String::as_str) == Some("key")
        })
    };
    client_secret || key_pair()
}

/// Whether some call of the project hands `name` (a constant, a settings field or attribute of
/// that name, a configuration key read as `config["NAME"]` or `config.get("NAME")`) to a
/// function that signs or verifies with it.
fn signs_locally(model: &ProjectModel, name: &str) -> bool {
    use crate::rules::secret::hardcoded_secret_key::{KEY_FUNCTIONS, SIGNERS};
    model.files.iter().any(|module| {
        if !module.may_mention(name) {
            return false;
        }
        let mut found = false;
        crate::helpers::for_each_call(module.body(), &mut Vec::new(), &mut |_, _, call| {
            let names_it = |a: &Expr| {
                a.last_name() == Some(name)
                    || crate::helpers::subscript_key(a).is_some_and(|(_, key)| key == name)
                    || a.as_call()
                        .and_then(|c| c.args.first())
                        .is_some_and(|k| k.as_str() == Some(name))
                        && a.last_name() == Some("get")
            };
            if found || !call.argument_values().any(names_it) {
                return;
            }
            found |= module.imports.resolve(&call.func).is_some_and(|q| {
                KEY_FUNCTIONS.iter().any(|(f, _)| *f == q)
                    || SIGNERS.contains(&q.as_str())
                    || matches!(q.as_str(), "hmac.new" | "hmac.digest")
            });
        });
        found
    })
}

/// The names bound by assignment in `body` (a module's or a class's), to find a key's siblings.
fn bound_names(body: &[Stmt]) -> Vec<&str> {
    body.iter()
        .filter_map(|stmt| match stmt {
            Stmt::Assign { targets, .. } => targets.first().and_then(Expr::as_name),
            _ => None,
        })
        .collect()
}

/// The names bound beside the statement being checked: in its class's body, or at module level.
pub(crate) fn siblings<'a>(cx: &FileContext<'a>) -> Vec<&'a str> {
    match cx.in_class_body() {
        Some(class) => bound_names(&class.body),
        None => bound_names(cx.file.body()),
    }
}

fn message(var: &str, text: &str) -> String {
    format!(
        "{var} falls back to a hard-coded key when it is unset: {}",
        describe_secret(text)
    )
}

/// Reports a fallback; one the application refuses to start with only under other conditions
/// at low confidence, naming them.
fn report(out: &mut Findings, span: Span, message: String, refused_unless: Option<String>) {
    match refused_unless {
        None => out.report(&SECRET_WITH_LITERAL_FALLBACK, span, message),
        Some(conditions) => out.report_with(
            &SECRET_WITH_LITERAL_FALLBACK,
            span,
            format!("{message}; the application refuses to start with it only when `{conditions}`"),
            SECRET_WITH_LITERAL_FALLBACK.severity,
            Confidence::Low,
        ),
    }
}

impl SecretWithLiteralFallback {
    /// Reads of a signing-key variable, reported where they are.
    fn check_read(&self, cx: &FileContext, expr: &Expr, out: &mut Findings) {
        let names = &cx.settings.secret_key_names;
        if let Some((var, text, refused_unless)) =
            read_with_fallback(cx, expr, |v| is_signing_key_name(v, names))
            && !exempt(cx)
            && !sent_to_another_service(cx, var, &siblings(cx))
        {
            report(out, expr.span, message(var, &text), refused_unless);
        }
    }

    /// A read of a variable not named for a key, stored under a signing-key name
    /// (`app.secret_key = os.getenv("APP_KEY", "dev")`).
    fn check_stored(&self, cx: &FileContext, key: &str, value: &Expr, out: &mut Findings) {
        let names = &cx.settings.secret_key_names;
        let siblings = siblings(cx);
        // A client secret stored as the signing key (`app.secret_key =
        // os.getenv("GITHUB_CLIENT_SECRET", "dev")`) signs here: judged by where it is stored.
        let stored_outgoing = names_outgoing_credential(key, &siblings);
        let Some((var, text, refused_unless)) = read_with_fallback(cx, value, |v| {
            !is_signing_key_name(v, names)
                || !stored_outgoing && names_outgoing_credential(v, &siblings)
        })
        .or_else(|| settings_read_with_fallback(cx, value)) else {
            return;
        };
        if !exempt(cx) && (!stored_outgoing || signs_locally(cx.model, key)) {
            report(
                out,
                value.span,
                format!(
                    "{key} is read from {var}, which falls back to a hard-coded key when it is unset: {}",
                    describe_secret(&text)
                ),
                refused_unless,
            );
        }
    }
    /// `KEY = os.environ.get("KEY", "")` then `if not KEY: KEY = "dev"`: the fallback of `or
    /// "dev"` written as a statement, reported at the assignment in the `if`.
    fn check_if_fallback(
        &self,
        cx: &FileContext,
        span: Span,
        test: &Expr,
        body: &[Stmt],
        out: &mut Findings,
    ) {
        let Some(place) = tested_empty(test) else {
            return;
        };
        let block = match (cx.function(), cx.in_class_body()) {
            (_, Some(class)) => &class.body[..],
            (Some(function), None) => &function.body[..],
            (None, None) => cx.file.body(),
        };
        let Some(before) = statements_before(block, span) else {
            return;
        };
        // The value the place was last given before the test: an environment read with no
        // literal of its own to fall back on (one with a literal is reported as a read).
        let read = before.iter().rev().find_map(|stmt| match stmt {
            Stmt::Assign {
                targets,
                value: Some(value),
                ..
            } if targets.iter().any(|t| place_of(t).as_ref() == Some(&place)) => Some(value),
            _ => None,
        });
        let names = &cx.settings.secret_key_names;
        let key = place.key.or(place.path.last().copied()).unwrap_or_default();
        let key_named = is_signing_key_name(key, names);
        let wanted = |v: &str| key_named || is_signing_key_name(v, names);
        let Some((var, fallback)) = read
            .and_then(Expr::as_call)
            .and_then(|c| env_read(cx, c, &wanted))
        else {
            return;
        };
        if fallback.is_some_and(|f| literal_fallback(cx, f).is_some())
            || exempt(cx)
            || sent_to_another_service(cx, var, &siblings(cx))
        {
            return;
        }
        for stmt in body {
            if let Stmt::Assign {
                targets,
                value: Some(value),
                span,
                ..
            } = stmt
                && targets.iter().any(|t| place_of(t).as_ref() == Some(&place))
                && let Some(text) = literal_fallback(cx, value)
                && let Some(refused_unless) = refusal_of(cx, value, &text, None)
            {
                report(out, *span, message(var, &text), refused_unless);
            }
        }
    }
}

/// The place an `if` test finds empty: `not KEY`, `KEY is None`, `KEY == ""`,
/// `not app.config.get("SECRET_KEY")`.
fn tested_empty(test: &Expr) -> Option<Place<'_>> {
    match &test.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } => place_of(operand),
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if matches!(ops[..], [CmpOp::Is | CmpOp::Eq]) => {
            let empty = match &comparators[0].kind {
                ExprKind::NoneLiteral => true,
                ExprKind::Str(s) => s.is_empty(),
                ExprKind::Bytes(b) => b.is_empty(),
                _ => false,
            };
            if empty { place_of(left) } else { None }
        }
        _ => None,
    }
}

/// The statements of the block holding the statement at `span` that come before it.
fn statements_before(body: &[Stmt], span: Span) -> Option<&[Stmt]> {
    for (i, stmt) in body.iter().enumerate() {
        if stmt.span() == span {
            return Some(&body[..i]);
        }
        if stmt.span().start <= span.start && span.end <= stmt.span().end {
            return stmt
                .child_bodies()
                .find_map(|child| statements_before(child, span));
        }
    }
    None
}

/// Inside a class named for development or testing (`class TestingConfig:`).
fn exempt(cx: &FileContext) -> bool {
    cx.classes.iter().any(|c| is_non_production_name(&c.name))
}

impl Rule for SecretWithLiteralFallback {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_WITH_LITERAL_FALLBACK
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        self.check_read(cx, expr, out);
        let Some((receiver, attr)) = call.method() else {
            return;
        };
        if matches!(attr, "update" | "from_mapping") && is_config_mapping(cx, receiver) {
            for (key, value, _) in mapping_items_in(cx, call) {
                if is_signing_key_name(key, &cx.settings.secret_key_names) {
                    self.check_stored(cx, key, value, out);
                }
            }
        }
    }

    fn on_bool_op(&self, cx: &FileContext, expr: &Expr, out: &mut Findings) {
        self.check_read(cx, expr, out);
    }

    fn on_stmt(&self, cx: &FileContext, stmt: &Stmt, out: &mut Findings) {
        if let Stmt::If { test, body, .. } = stmt {
            self.check_if_fallback(cx, stmt.span(), test, body, out);
            return;
        }
        let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
        else {
            return;
        };
        let names = &cx.settings.secret_key_names;
        for target in targets {
            let key = match &target.kind {
                ExprKind::Name(name) => name.as_str(),
                ExprKind::Attribute { attr, .. } => attr.as_str(),
                ExprKind::Subscript { .. } => match subscript_key(target) {
                    Some((mapping, key)) if is_config_mapping(cx, mapping) => key,
                    _ => continue,
                },
                _ => continue,
            };
            if is_signing_key_name(key, names) {
                self.check_stored(cx, key, value, out);
            }
        }
    }

    fn on_class(&self, cx: &FileContext, class: &Class, out: &mut Findings) {
        if !is_settings_class(cx, class)
            || is_non_production_name(&class.name)
            || is_non_production_module(cx.model, cx.file_index)
        {
            return;
        }
        let names = &cx.settings.secret_key_names;
        for stmt in &class.body {
            let Stmt::Assign {
                targets,
                value: Some(value),
                span,
                ..
            } = stmt
            else {
                continue;
            };
            let Some(name) = targets.first().and_then(Expr::as_name) else {
                continue;
            };
            if !is_key_setting(name, value, names) {
                continue;
            }
            let Some(default) = field_default(cx.model, cx.file_index, value) else {
                continue;
            };
            let key = KeyUse::Field {
                class: (cx.file_index, class.span.start),
                field: name,
            };
            if let Some(text) = literal_fallback(cx, default)
                && let Some(refused_unless) = refusal_of(cx, default, &text, Some(&key))
                && !sent_to_another_service(cx, name, &bound_names(&class.body))
            {
                report(
                    out,
                    *span,
                    format!(
                        "settings field {}.{name} has a hard-coded default, used whenever its variable is unset: {}",
                        class.name,
                        describe_secret(&text)
                    ),
                    refused_unless,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::helpers::test_support::findings_of;
    use crate::rule::Confidence;

    #[test]
    fn a_helper_refusing_under_a_switch_names_it() {
        let found = findings_of(
            &super::SecretWithLiteralFallback,
            &[(
                "app.py",
                r#"import os

SESSION_SECRET_KEY = os.getenv("SESSION_SECRET_KEY", "session-placeholder")
CSRF_SECRET_KEY = os.getenv("CSRF_SECRET_KEY", "csrf-placeholder")
SIGNING_SECRET_KEY = os.getenv("SIGNING_SECRET_KEY", "signing-placeholder")


def check_session_key(key, enabled):
    if not enabled:
        return key
    if key == "session-placeholder":
        raise RuntimeError("SESSION_SECRET_KEY is not set")
    return key


def check_csrf_key(key, settings):
    if settings.ENFORCE_KEYS:
        if key == "csrf-placeholder":
            raise RuntimeError("CSRF_SECRET_KEY is not set")
    return key


def check_signing_key(key):
    if key == "signing-placeholder":
        raise RuntimeError("SIGNING_SECRET_KEY is not set")
    return key


check_session_key(SESSION_SECRET_KEY, os.getenv("ENCRYPT") == "1")
check_csrf_key(CSRF_SECRET_KEY, object())
check_signing_key(SIGNING_SECRET_KEY)
"#,
            )],
        );
        let seen: Vec<(u32, Confidence, bool)> = found
            .iter()
            .map(|f| {
                (
                    f.line,
                    f.confidence,
                    // The helper's parameters named by the caller's arguments.
                    f.message
                        .ends_with(r#"only when `os.getenv("ENCRYPT") == "1"`"#)
                        || f.message.ends_with("only when `object().ENFORCE_KEYS`"),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![(3, Confidence::Low, true), (4, Confidence::Low, true)]
        );
    }
}
