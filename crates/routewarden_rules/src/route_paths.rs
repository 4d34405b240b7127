//! What a route's path and handler say about it: public by design, credential-handling,
//! administrative, about a protected resource.

use routewarden_model::ProjectModel;
use routewarden_model::apps::RouteDecl;
use routewarden_python::ast::{Call, Expr, ExprKind, Function, Stmt};

/// The literal segments of a path, lower-case, without parameters (`{id}`, `<int:id>`) and
/// without the `+` that marks action segments (`/+login`, MoinMoin's convention).
pub fn literal_segments(path: &str) -> Vec<String> {
    path.split('/')
        .map(|s| s.trim_start_matches('+'))
        .filter(|s| {
            !s.is_empty() && !s.starts_with('{') && !s.starts_with('<') && !s.starts_with(':')
        })
        .map(|s| s.to_ascii_lowercase())
        .collect()
}

/// A path parameter (`{id}`, `<int:id>`); not the `{…}` of an f-string or `<dynamic>`, which
/// stand for parts of the path the analysis could not read.
pub fn has_parameter(path: &str) -> bool {
    path.split('/')
        .any(|s| (s.starts_with('{') || s.starts_with('<')) && !s.contains('…') && s != "<dynamic>")
}

/// A path parameter that names a stored object (`{item_id}`, `<int:id>`), not a file
/// (`{path:path}`, `<path:filename>`) or a rendering option (`/pwa_icon/{size}`).
pub fn has_object_parameter(path: &str) -> bool {
    path.split('/').any(|s| {
        let Some(inner) = s
            .strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| s.strip_prefix('<').and_then(|r| r.strip_suffix('>')))
        else {
            return false;
        };
        if inner.contains('…') || inner == "dynamic" {
            return false;
        }
        // `{name:path}` (Starlette) or `<path:name>` (Flask): a converter and a name.
        let (name, converter) = match inner.split_once(':') {
            Some((a, b)) if s.starts_with('{') => (a, b),
            Some((a, b)) => (b, a),
            None => (inner, ""),
        };
        converter != "path"
            && !matches!(
                name.to_ascii_lowercase().as_str(),
                "path"
                    | "filename"
                    | "file"
                    | "file_path"
                    | "filepath"
                    | "asset"
                    | "size"
                    | "width"
                    | "height"
            )
    })
}

/// Words of a segment: `reset-password` gives `reset`, `password`; so does `resetpass`, a
/// recovery step run together with what it recovers (MoinMoin's `/+lostpass`).
fn words(segment: &str) -> impl Iterator<Item = &str> {
    segment
        .split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .flat_map(split_joined)
}

/// Steps that some applications join to their object without a separator, and the objects.
/// Not `change`: `/changepass` needs a login.
const JOINED_STEPS: &[&str] = &["lost", "forgot", "reset", "recover", "csp"];
const JOINED_OBJECTS: &[&str] = &["pass", "password", "passwd", "pw", "report"];

fn split_joined(word: &str) -> impl Iterator<Item = &str> {
    let split = JOINED_STEPS.iter().find_map(|step| {
        let rest = word.strip_prefix(step)?;
        JOINED_OBJECTS
            .contains(&rest)
            .then(|| word.split_at(step.len()))
    });
    match split {
        Some((step, object)) => [Some(step), Some(object)],
        None => [Some(word), None],
    }
    .into_iter()
    .flatten()
}

/// Segments that are public by design on their own.
const PUBLIC_SEGMENTS: &[&str] = &[
    "token",
    "access-token",
    "access_token",
    "refresh-token",
    "refresh_token",
    "token-refresh",
    "register",
    "registration",
    "signup",
    "sign-up",
    "sign_up",
    "join",
    // A version is read, or a client's own is checked against it (`POST /version`).
    "version",
    "docs",
    "redoc",
    "openapi.json",
    "openapi.yaml",
    "openapi",
    "swagger",
    "swagger.json",
    "swagger-ui",
    "static",
    "assets",
    "favicon.ico",
    "robots.txt",
    "webhook",
    "webhooks",
    // RFC 8615 well-known URIs: discovery metadata (`/.well-known/openid-configuration`).
    ".well-known",
    // The OAuth 2.0 device authorization endpoint (RFC 8628), where a device starts a login.
    "device-authorization",
    "device_authorization",
];

/// Words that make a segment public wherever they appear in it: `login`, `sso-login`,
/// `health-check`.
const PUBLIC_WORDS: &[&str] = &[
    "login", "logout", "signin", "signout", "oauth", "oauth2", "sso", "saml", "oidc",
];

/// Probe segments and words: a health, liveness or readiness check, a ping.
/// Monitors and load balancers read them without credentials, so they are public by design
/// only for the methods that read (GET, HEAD, OPTIONS): a `POST /live` that starts a job, or
/// a `POST /health/reset`, does what its handler does, whatever the path calls it.
const PROBE_SEGMENTS: &[&str] = &["ping", "ready", "live"];
const PROBE_WORDS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "livez",
    "readyz",
    "readiness",
    "liveness",
];

/// Words of an authentication flow's step that is public only in the context of accounts,
/// e-mail or passwords: `/auth/verify`, `/verify-email`, `/password-recovery`, but not
/// `/orders/{id}/confirm`.
const FLOW_WORDS: &[&str] = &[
    "verify",
    "verification",
    "confirm",
    "confirmation",
    "activate",
    "activation",
    "callback",
    "recover",
    "recovery",
    "reset",
    "forgot",
    "lost",
    "magic",
    "validate",
    "validation",
];

const FLOW_CONTEXT: &[&str] = &[
    "auth",
    "otp",
    "totp",
    "2fa",
    "mfa",
    "factor",
    "email",
    "mail",
    "password",
    "pass",
    "passwd",
    "account",
    "accounts",
    "registration",
    "signup",
    "oauth",
    "oauth2",
    "sso",
    "login",
];

/// Words that turn a public-looking segment into a record about users (`login-history`).
const RECORD_WORDS: &[&str] = &["history", "attempts", "events", "logs", "audit", "stats"];

fn is_public_segment_words(words: &[&str], probe: &mut dyn FnMut() -> bool) -> bool {
    if words.iter().any(|w| RECORD_WORDS.contains(w)) {
        return false;
    }
    // Browsers post Content-Security-Policy violation reports without credentials:
    // `/__csp__`, `/csp-report`, `/csp/violations`.
    let csp_report = words.contains(&"csp")
        && words.iter().all(|w| {
            matches!(
                *w,
                "csp" | "report" | "reports" | "violation" | "violations"
            )
        });
    csp_report
        || words
            .iter()
            .any(|w| PUBLIC_WORDS.contains(w) || PROBE_WORDS.contains(w) && probe())
}

/// Whether the path is about accounts, e-mail or passwords (`/auth/verify`), or starts with a
/// flow step after any `api`/`v1` prefix (`/recover/reset`, `/api/v1/verify/<token>`).
fn has_flow_context(segments: &[String]) -> bool {
    let mut all = segments.iter().flat_map(|s| words(s));
    if all.any(|w| FLOW_CONTEXT.contains(&w)) {
        return true;
    }
    // The segment must be a flow step (`reset`, `verify-email`), not an action that starts
    // with one of its words (`confirm_write`, `reset_cache`).
    segments
        .iter()
        .find(|s| !is_version_prefix(s))
        .is_some_and(|first| {
            words(first).any(|w| FLOW_WORDS.contains(&w))
                && words(first).all(|w| FLOW_WORDS.contains(&w) || FLOW_CONTEXT.contains(&w))
        })
}

/// A request to be reminded of a forgotten password (`/password-reminder`, `/password/remind`,
/// `def remind_password()`): a recovery step, reached before the caller can log in. Only
/// beside a password word: `/events/{id}/reminder` is a feature of its own.
fn reminds_password(words: &[&str]) -> bool {
    words.iter().any(|w| matches!(*w, "remind" | "reminder"))
        && words.iter().any(|w| JOINED_OBJECTS.contains(w))
}

/// Segments public only as the resource a path ends with: `/api/version`, not
/// `/version/set`.
const FINAL_PUBLIC_SEGMENTS: &[&str] = &["version", "ping"];

fn is_version_prefix(segment: &str) -> bool {
    segment == "api"
        || segment
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Public by design: authentication flows, health checks, documentation, static files, the
/// index, and the user's `public-paths` (exact, or a prefix ending in `*`). A bare `register`
/// counts as a sign-up unless the handler's name says it registers something else.
pub fn is_public(path: &str, handler: &str, extra: &[String]) -> bool {
    is_public_route(
        path,
        handler,
        &[],
        extra,
        &mut || true,
        &mut || true,
        &mut || true,
    )
}

/// A webhook segment or handler name: `/webhook`, `/hooks/webhooks`, `def webhook()`.
fn is_webhook_word(word: &str) -> bool {
    matches!(word, "webhook" | "webhooks")
}

/// A hook a service calls, as the last segment of a path: `/register/spamcheck-hook`,
/// `/github-webhook`.
fn is_hook_segment(segment: &str) -> bool {
    words(segment)
        .last()
        .is_some_and(|w| matches!(w, "hook" | "hooks") || is_webhook_word(w))
}

/// Whether a route is a webhook by its path or its handler's name.
pub fn is_webhook(path: &str, handler: &str) -> bool {
    let segments = literal_segments(path);
    segments.iter().any(|s| is_webhook_word(s))
        || segments.last().is_some_and(|s| is_hook_segment(s))
        || is_webhook_word(&handler.to_ascii_lowercase())
}

/// [`is_public`] for a route whose handler can be read: a bare `/register` (not among
/// accounts, `/users/register`) is a public sign-up only when `signs_up` says the handler
/// signs a user up (see [`signs_up`]); a service registry's `POST /register` that stores a
/// worker's address is not public by design. A webhook is public by design when
/// `verifies_sender` says the handler checks who sent it (a signature, a shared token); one
/// that verifies nothing lets anyone trigger its work. The index is the landing page a
/// browser reads with GET (its form may post back to it, `GET,POST /`): `/` registered only
/// for state-changing methods (`POST /` storing what it is sent, a router's `PATCH /`) is
/// judged like any other path. A probe's words (`/health`, `/ping`) make a route public when
/// it is read, or when `handler_reads` says its handler also serves GET (SageMaker's `GET,POST
/// /ping`): a probe that only answers.
pub fn is_public_route(
    path: &str,
    handler: &str,
    methods: &[String],
    extra: &[String],
    signs_up: &mut dyn FnMut() -> bool,
    verifies_sender: &mut dyn FnMut() -> bool,
    handler_reads: &mut dyn FnMut() -> bool,
) -> bool {
    if extra
        .iter()
        .any(|p| p == path || (p.ends_with('*') && path.starts_with(p.trim_end_matches('*'))))
    {
        return true;
    }
    let segments = literal_segments(path);
    // The index: nothing but slashes (a path the analysis could not read is not the index),
    // a page read with GET (also one whose form posts back to it, `GET,POST /`), not a `POST
    // /` or `PATCH /` alone that writes.
    if path.chars().all(|c| c == '/')
        && (!is_state_changing(methods) || methods.iter().any(|m| m == "GET" || m == "HEAD"))
    {
        return true;
    }
    let flow_context = has_flow_context(&segments);
    let path_words: Vec<&str> = segments.iter().flat_map(|s| words(s)).collect();
    if reminds_password(&path_words) {
        return true;
    }
    // A probe is read: its words make a route public only when no method may write, or when
    // the same handler also answers GET.
    let mut probe_memo: Option<bool> = None;
    let mut probe =
        || *probe_memo.get_or_insert_with(|| !may_change_state(methods) || handler_reads());
    let lower = handler.to_ascii_lowercase();
    let handler_words: Vec<&str> = lower.split('_').filter(|w| !w.is_empty()).collect();
    // A hook another service calls (`/register/spamcheck-hook`) is public by design when it
    // checks who calls it, whatever the segments before it say.
    if segments.last().is_some_and(|s| is_hook_segment(s)) {
        return verifies_sender();
    }
    for (i, segment) in segments.iter().enumerate() {
        if registers_something_else(&segments, i) {
            continue;
        }
        // `POST /register` served by `register_worker`: a registry of workers, not a sign-up
        // (unless the path puts it among accounts, `/users/register`).
        if is_register_segment(segment)
            && !account_context_before(&segments, i)
            && (registers_other_thing(&handler_words) || !signs_up())
        {
            continue;
        }
        let segment_words: Vec<&str> = words(segment).collect();
        let last = i + 1 == segments.len();
        if FINAL_PUBLIC_SEGMENTS.contains(&segment.as_str()) && !last {
            continue;
        }
        // The OAuth authorization endpoint (RFC 6749, 3.1): callers reach it before they hold
        // any credential (`/oauth/authorize` is public by its first segment). Not
        // `/payments/{id}/authorize`, nor `/auth/authorize`, where a logged-in user approves
        // a device.
        if segment == "authorize"
            && last
            && segments[..i]
                .iter()
                .all(|s| is_version_prefix(s) || s == "connect")
            && !path
                .split('/')
                .any(|s| s.starts_with('{') || s.starts_with('<'))
        {
            return true;
        }
        // The sign-in code an identity provider sends back (`/auth/provider/{name}/code`,
        // `/oauth/code`): the login step itself, reached before the caller holds any
        // credential. `code` is that only right after a provider or authentication segment,
        // not `/projects/{id}/code`.
        if segment == "code"
            && i > 0
            && matches!(
                segments[i - 1].as_str(),
                "provider" | "providers" | "oauth" | "oauth2" | "auth" | "sso"
            )
        {
            return true;
        }
        // A JSON Web Key Set (RFC 7517) publishes the public keys clients verify tokens
        // with: `/.well-known/jwks.json`, `/v1/jwks/public/<environment>`. Read, not
        // rotated (`POST /jwks/rotate` writes).
        if matches!(segment.as_str(), "jwks" | "jwks.json") && !is_state_changing(methods) {
            return true;
        }
        if is_webhook_word(segment) {
            if verifies_sender() {
                return true;
            }
            continue;
        }
        if PUBLIC_SEGMENTS.contains(&segment.as_str())
            || PROBE_SEGMENTS.contains(&segment.as_str()) && probe()
            || is_public_segment_words(&segment_words, &mut probe)
            || segment == "refresh" && refreshes_token(&segments[..i])
        {
            return true;
        }
        // `/static-files/{path}`, `/static_assets/...`: the bundled front end.
        if segment_words.first() == Some(&"static") {
            return true;
        }
        // A syndication feed (`/users/<name>/workouts.rss`) is published for anonymous readers.
        if [".rss", ".atom"].iter().any(|ext| segment.ends_with(ext)) {
            return true;
        }
        if flow_context && segment_words.iter().any(|w| FLOW_WORDS.contains(w)) {
            return true;
        }
    }
    // The handler's name read like a path segment: `forgot_password`, `us_signin`.
    if handler_words.iter().any(|w| RECORD_WORDS.contains(w)) {
        return false;
    }
    let handler_context = flow_context || handler_words.iter().any(|w| FLOW_CONTEXT.contains(w));
    // `register` signs someone up at an account path, not at `/worker/{name}`.
    let sign_up_elsewhere = handler_words
        .iter()
        .any(|w| matches!(*w, "register" | "registration"))
        && !path_is_about_accounts(&segments);
    if sign_up_elsewhere {
        return handler_context && handler_words.iter().any(|w| FLOW_WORDS.contains(w));
    }
    if is_webhook_word(&lower) {
        return verifies_sender();
    }
    let dashed = lower.replace('_', "-");
    PUBLIC_SEGMENTS.contains(&dashed.as_str())
        || PROBE_SEGMENTS.contains(&dashed.as_str()) && probe()
        || lower == "refresh" && refreshes_token(&segments)
        || is_public_segment_words(&handler_words, &mut probe)
        || handler_words.contains(&"signup")
        || reminds_password(&handler_words)
        || registers_account(&handler_words)
        || handler_context && handler_words.iter().any(|w| FLOW_WORDS.contains(w))
}

/// Segment words that put a `refresh` in the context of tokens or sessions.
const TOKEN_CONTEXT: &[&str] = &[
    "token", "tokens", "auth", "jwt", "session", "sessions", "oauth", "oauth2", "login", "sso",
    "oidc", "access", "identity", "bearer",
];

/// Whether a `refresh` step after the segments `before` refreshes a token: `/refresh`,
/// `/api/v1/refresh`, `/auth/refresh`, `/token/refresh`; not `/api/bookmarks/refresh`, which
/// re-fetches bookmarks.
fn refreshes_token(before: &[String]) -> bool {
    before
        .iter()
        .all(|s| is_version_prefix(s) || words(s).any(|w| TOKEN_CONTEXT.contains(&w)))
}

/// A `register` segment under something other than accounts: `/services/register`,
/// `/workers/register` register a service or a worker, not a user. `/register`,
/// `/api/v1/register`, `/users/register` and `/auth/register` sign a user up.
fn registers_something_else(segments: &[String], i: usize) -> bool {
    matches!(segments[i].as_str(), "register" | "registration")
        && segments[..i].last().is_some_and(|previous| {
            !is_version_prefix(previous)
                && !words(previous).all(|w| SIGN_UP_WORDS.contains(&w) || FLOW_CONTEXT.contains(&w))
        })
}

fn is_register_segment(segment: &str) -> bool {
    matches!(segment, "register" | "registration")
}

/// A segment before position `i`, other than an `api`/`v1` prefix, that names accounts or
/// sign-up: `/users/register`, `/api/auth/register`.
fn account_context_before(segments: &[String], i: usize) -> bool {
    segments[..i].iter().any(|s| {
        !is_version_prefix(s)
            && words(s).next().is_some()
            && words(s).all(|w| SIGN_UP_WORDS.contains(&w) || FLOW_CONTEXT.contains(&w))
    })
}

/// A handler named for registering something other than an account: `register_worker`,
/// `register_model`.
fn registers_other_thing(handler_words: &[&str]) -> bool {
    handler_words
        .iter()
        .any(|w| matches!(*w, "register" | "registration"))
        && !registers_account(handler_words)
}

/// A path whose literal segments all name accounts or sign-up (`/users`, `/api/v1/account`),
/// where a handler named `register` signs someone up; not `/worker/{name}`.
fn path_is_about_accounts(segments: &[String]) -> bool {
    segments.iter().all(|segment| {
        is_version_prefix(segment)
            || words(segment).all(|w| SIGN_UP_WORDS.contains(&w) || FLOW_CONTEXT.contains(&w))
    })
}

/// Words that may stand beside `register` in the name of an account sign-up handler.
const SIGN_UP_WORDS: &[&str] = &[
    "user", "users", "account", "accounts", "member", "customer", "new", "do", "view", "page",
    "form", "handler", "handle", "api", "post", "get", "submit", "email", "password", "with",
];

/// A handler named for account sign-up (`register`, `register_user`, `do_registration`), not
/// for registering something else (`register_worker`, `register_model`).
fn registers_account(handler_words: &[&str]) -> bool {
    handler_words
        .iter()
        .any(|w| matches!(*w, "register" | "registration"))
        && handler_words
            .iter()
            .all(|w| matches!(*w, "register" | "registration") || SIGN_UP_WORDS.contains(w))
}

const SENSITIVE_WORDS: &[&str] = &[
    "user",
    "users",
    "account",
    "accounts",
    "customer",
    "customers",
    "order",
    "orders",
    "invoice",
    "invoices",
    "payment",
    "payments",
    "admin",
    "profile",
    "profiles",
    "billing",
    "card",
    "cards",
    "transaction",
    "transactions",
    "me",
    "member",
    "members",
    "employee",
    "employees",
    "patient",
    "patients",
    "credential",
    "credentials",
    "secret",
    "secrets",
    "apikey",
    "api-key",
    "api-keys",
    "apikeys",
    "wallet",
    "wallets",
    "subscription",
    "subscriptions",
    "tenant",
    "tenants",
    "organization",
    "organizations",
    "role",
    "roles",
    "permission",
    "permissions",
    "settings",
    "export",
    "exports",
    "upload",
    "uploads",
    "file",
    "files",
];

/// Words that make a segment about the client's presentation: the settings a browser needs to
/// draw the application (its UI flags, theme, branding) before anyone logs in.
const PRESENTATION_WORDS: &[&str] = &["ui", "theme", "themes", "branding", "appearance", "logo"];

/// The path names a protected resource. `ui_theme_settings`, `ui-settings` name the
/// presentation of the client, not a protected resource.
///
/// In a compound the last word is the thing named and the others qualify it: `user-orders`
/// names orders of a user, but `user-agent` names an HTTP header and `user-guide` a manual, so
/// a sensitive word followed by a word naming a header or documentation names no resource.
pub fn names_protected_resource(path: &str) -> Option<String> {
    literal_segments(path).into_iter().find(|s| {
        let parts: Vec<&str> = words(s).collect();
        // Only a segment that starts with the compound: in `cost-by-user-agent` the user is
        // what the costs are grouped by.
        let sensitive = parts.iter().enumerate().any(|(i, w)| {
            SENSITIVE_WORDS.contains(w)
                && w.len() > 3
                && !(i == 0
                    && parts
                        .get(1)
                        .is_some_and(|next| NOT_A_RESOURCE.contains(next)))
        });
        (SENSITIVE_WORDS.contains(&s.as_str()) || sensitive)
            && !parts.iter().any(|w| PRESENTATION_WORDS.contains(w))
    })
}

/// Whether every protected resource the path names is a file (`/api/media_file`,
/// `/files/{name}`): the word may only say what the route answers.
pub fn names_only_files(path: &str) -> bool {
    names_only(path, |w| matches!(w, "file" | "files"))
}

/// Whether every protected resource the path names is settings (`/api/v1/settings`,
/// `/client/component/settings-content`): the configuration a client reads to draw itself,
/// often before anyone logs in.
pub fn names_only_settings(path: &str) -> bool {
    names_only(path, |w| w == "settings")
}

/// Whether every sensitive word of the path's segments, and every segment that is one,
/// satisfies `kind`.
fn names_only(path: &str, kind: impl Fn(&str) -> bool) -> bool {
    literal_segments(path).iter().all(|s| {
        (!SENSITIVE_WORDS.contains(&s.as_str()) || kind(s))
            && words(s).all(|w| !SENSITIVE_WORDS.contains(&w) || kind(w))
    })
}

/// Words that, after a sensitive word, make the compound name something other than records:
/// a header (`user-agent`) or documentation (`user-guide`, `admin-manual`).
const NOT_A_RESOURCE: &[&str] = &[
    "agent",
    "guide",
    "guides",
    "manual",
    "manuals",
    "docs",
    "doc",
    "documentation",
];

pub fn is_state_changing(methods: &[String]) -> bool {
    methods
        .iter()
        .any(|m| matches!(m.as_str(), "POST" | "PUT" | "PATCH" | "DELETE"))
}

/// A state-changing method, or methods registered through a value the analysis cannot read
/// (`add_url_rule(rule, view_func=view, methods=verbs)`, shown as
/// [`routewarden_model::apps::DYNAMIC_METHODS`]): they may include one.
pub fn may_change_state(methods: &[String]) -> bool {
    is_state_changing(methods) || methods_unread(methods)
}

/// Methods registered through a value the analysis cannot read (`methods=verbs`, shown as
/// [`routewarden_model::apps::DYNAMIC_METHODS`]): any method, POST included, may reach the
/// route.
pub fn methods_unread(methods: &[String]) -> bool {
    methods
        .iter()
        .any(|m| m == routewarden_model::apps::DYNAMIC_METHODS)
}

/// Whether a cross-site HTML form can reach the route with the user's cookies: a form sends
/// only GET and POST, and GET is not taken to change state. A PUT, PATCH or DELETE from
/// another site needs a script, which the browser lets through only after a CORS preflight the
/// server approves.
pub fn form_can_post(methods: &[String]) -> bool {
    methods.iter().any(|m| m == "POST")
}

/// A search form posted with POST (`POST /search`, `POST /+lookup`, `POST /autocomplete`, a view
/// whose form is a `UserSearchForm` or that is named for a search): it reads.
pub fn only_searches(path: &str, route: &RouteDecl, methods: &[String]) -> bool {
    let searches = |name: &str| {
        name.to_ascii_lowercase().split(['_', '-']).any(|w| {
            matches!(
                w,
                "search" | "lookup" | "autocomplete" | "suggest" | "suggestions"
            )
        })
    };
    let search_form = route.view_class.is_some_and(|class| {
        class.body.iter().any(|s| match s {
            Stmt::Assign {
                targets,
                value: Some(v),
                ..
            } => {
                targets.iter().any(|t| t.as_name() == Some("form"))
                    && v.last_name().is_some_and(|n| n.ends_with("SearchForm"))
            }
            _ => false,
        })
    });
    methods
        .iter()
        .all(|m| matches!(m.as_str(), "GET" | "HEAD" | "POST"))
        && (path
            .rsplit('/')
            .map(|s| s.trim_start_matches('+'))
            .find(|s| !s.is_empty() && !s.starts_with('{') && !s.starts_with('<'))
            .is_some_and(searches)
            || search_form
            || names_a_search(&route.handler.name))
}

/// A view named for a search and nothing that writes: `ticket_search`, `search_users`; not
/// `search_and_replace` nor `warm_search_cache`.
fn names_a_search(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split('_').filter(|w| !w.is_empty()).collect();
    let is_search = |w: &&str| matches!(*w, "search" | "lookup");
    // The name's action or its object (`search_users`, `ticket_search`), not a qualifier
    // (`warm_search_cache`).
    (words.first().is_some_and(is_search) || words.last().is_some_and(is_search))
        && !words.iter().any(|w| {
            matches!(
                *w,
                "replace"
                    | "delete"
                    | "remove"
                    | "update"
                    | "save"
                    | "create"
                    | "add"
                    | "set"
                    | "edit"
                    | "write"
                    | "import"
                    | "index"
                    | "reindex"
                    | "upload"
            )
        })
}

/// An administrative route: an `admin` segment or a handler named for administration.
pub fn is_admin(path: &str, handler: &str) -> bool {
    literal_segments(path)
        .iter()
        .any(|s| words(s).any(|w| w == "admin" || w == "admin_"))
        || handler
            .to_ascii_lowercase()
            .split('_')
            .any(|w| w == "admin")
}

/// Words of a path segment that name a credential-handling step on their own.
const CREDENTIAL_WORDS: &[&str] = &[
    "login",
    "signin",
    "logon",
    "token",
    "otp",
    "2fa",
    "mfa",
    "totp",
    "signup",
    "authenticate",
    "password",
    "passcode",
];

/// Words that, next to `token`, still name a token being issued, refreshed or verified
/// (`access_token`, `token-refresh`, `get_token`, `verify-token`, `token_obtain_pair`). Any
/// other word makes the segment about something else done with tokens: storing one obtained
/// elsewhere (`store_token`), counting or checking text tokens (`count_token`,
/// `token_check`).
const TOKEN_ISSUE_WORDS: &[&str] = &[
    "access", "refresh", "auth", "oauth", "oauth2", "jwt", "bearer", "id", "session", "get",
    "issue", "obtain", "new", "create", "generate", "request", "exchange", "grant", "pair",
    "verify", "validate", "reset",
];

/// A step of password recovery: `/forgot-password`, `/password/reset/<token>`, `/+lostpass`.
pub fn is_recovery_step(path: &str) -> bool {
    let segments = literal_segments(path);
    has_flow_context(&segments)
        && segments
            .iter()
            .any(|s| words(s).any(|w| RECOVERY_WORDS.contains(&w)))
}

/// Flow steps that take a secret a guesser could try (a reset or recovery code), unlike
/// e-mail verification or OAuth callbacks, whose tokens are long and single-use.
const RECOVERY_WORDS: &[&str] = &["reset", "forgot", "recover", "recovery", "lost"];

/// Whole segments that name a credential-handling step (`sign-in`, `access-token`). Account
/// registration only as a segment of its own: `/register`, not `/skills/bulk-register`.
const CREDENTIAL_SEGMENTS: &[&str] = &[
    "sign-in",
    "sign_in",
    "log-in",
    "sign-up",
    "sign_up",
    "register",
    "registration",
];

/// A path segment that names a credential-handling step: `login`, `sign-in`, `access-token`,
/// a recovery step after `password` or `account` (`flow_context`).
fn names_credential_step(segment: &str, flow_context: bool) -> bool {
    if CREDENTIAL_SEGMENTS.contains(&segment) {
        return true;
    }
    let segment_words: Vec<&str> = words(segment).collect();
    // A `token` beside words that are not about issuing one (`/store_token`, `/count_token`
    // of a language-model server) names something else; the handler may still show that it
    // takes credentials.
    let other_token_use = segment_words.contains(&"token")
        && segment_words
            .iter()
            .all(|w| *w == "token" || !CREDENTIAL_WORDS.contains(w))
        && segment_words
            .iter()
            .any(|w| *w != "token" && !TOKEN_ISSUE_WORDS.contains(w));
    !segment_words.iter().any(|w| RECORD_WORDS.contains(w))
        && !other_token_use
        && (segment_words.iter().any(|w| CREDENTIAL_WORDS.contains(w))
            || flow_context && segment_words.iter().any(|w| RECOVERY_WORDS.contains(w)))
}

/// A credential-handling endpoint, by path, the user's `login-paths`, or what the handler
/// receives and calls (see [`routewarden_model::security::credential_evidence`]). Returns why.
pub fn credential_endpoint(
    model: &ProjectModel,
    route: &RouteDecl,
    full_path: &str,
    login_paths: &[String],
) -> Option<String> {
    if login_paths.iter().any(|p| p == full_path) {
        return Some(format!("{full_path} is configured as a login path"));
    }
    let segments = literal_segments(full_path);
    let flow_context = has_flow_context(&segments);
    // A hook a service calls (`/register/spamcheck-hook`) is no step a user takes: only what
    // the handler takes can make it a credential endpoint.
    let hook = segments
        .last()
        .is_some_and(|s| words(s).any(|w| matches!(w, "hook" | "hooks" | "webhook" | "webhooks")));
    // `register` alone does not say what is registered: a service registry's `POST /register`
    // stores a worker's address. It signs a user up among accounts (`/users/register`) or
    // when the handler shows it (see [`signs_up`]).
    let mut sign_up: Option<bool> = None;
    let credential_segment = segments.iter().enumerate().find_map(|(i, s)| {
        (!hook
            && !registers_something_else(&segments, i)
            && names_credential_step(s, flow_context)
            && (!is_register_segment(s)
                || account_context_before(&segments, i)
                || *sign_up
                    .get_or_insert_with(|| signs_up(model, route.handler_file, route.handler))))
        .then_some(s)
    });
    if let Some(seg) = credential_segment {
        return Some(format!("its path has a `{seg}` segment"));
    }
    routewarden_model::security::credential_evidence(model, route.handler_file, route.handler)
}

/// Names of who signs up: `email`, `username`.
fn names_identity(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split(['_', '-']).filter(|w| !w.is_empty()).collect();
    matches!(
        parts.as_slice(),
        ["email" | "username" | "mail"] | [.., "email" | "username"]
    ) || parts.as_slice() == ["user", "name"]
}

/// A name for a password the caller chooses: `password`, `new_password`, `password1`.
fn names_password(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .rsplit(['_', '-'])
        .next()
        .is_some_and(|w| matches!(w, "password" | "passwd" | "passphrase"))
}

/// Whether a project class named in `annotation` (or one of its project bases) has an
/// identity or password field: a sign-up body.
fn annotation_has_identity_field(model: &ProjectModel, file: usize, annotation: &Expr) -> bool {
    annotation.any(&mut |x| {
        if !matches!(x.kind, ExprKind::Name(_) | ExprKind::Attribute { .. }) {
            return false;
        }
        let Some((cf, Some(Stmt::ClassDef(class)), _)) = model.resolve_definition(file, x) else {
            return false;
        };
        routewarden_model::apps::class_hierarchy(model, cf, class)
            .iter()
            .any(|(_, c)| {
                c.body.iter().any(|stmt| match stmt {
                    Stmt::Assign { targets, .. } => targets
                        .iter()
                        .filter_map(Expr::as_name)
                        .any(|n| names_identity(n) || names_password(n)),
                    _ => false,
                })
            })
    })
}

/// A call that makes an account (`create_user`, `add_account`), hashes a password
/// (`generate_password_hash`, `set_password`, `bcrypt.hashpw`) or issues a token
/// (`create_access_token`, `secrets.token_urlsafe`, `jwt.encode`).
fn sign_up_call(imports: &routewarden_python::names::Imports, call: &Call) -> bool {
    if imports.resolve(&call.func).is_some_and(|q| {
        matches!(
            q.as_str(),
            "secrets.token_hex" | "secrets.token_urlsafe" | "secrets.token_bytes" | "jwt.encode"
        )
    }) {
        return true;
    }
    let Some(name) = call.func.last_name() else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    let w: Vec<&str> = lower.split('_').filter(|w| !w.is_empty()).collect();
    let has = |set: &[&str]| w.iter().any(|x| set.contains(x));
    hashes_password(name)
        || has(&[
            "create", "add", "new", "register", "insert", "make", "signup",
        ]) && has(&["user", "users", "account", "accounts", "member", "customer"])
        || has(&["token", "jwt"])
            && has(&[
                "create", "issue", "generate", "make", "new", "encode", "mint",
            ])
}

/// A field that gives the new account a role (`is_admin`, `is_superuser`, `role`): an
/// account made with one is not a plain sign-up.
fn grants_role(name: &str) -> bool {
    name.to_ascii_lowercase().split('_').any(|w| {
        matches!(
            w,
            "admin" | "superuser" | "staff" | "role" | "roles" | "permissions" | "privileges"
        )
    })
}

/// A function named for hashing or setting a password: `generate_password_hash`,
/// `get_password_hash`, `set_password`, bcrypt's `hashpw`.
fn hashes_password(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let w: Vec<&str> = lower.split('_').filter(|w| !w.is_empty()).collect();
    let has = |set: &[&str]| w.iter().any(|x| set.contains(x));
    lower == "hashpw"
        || has(&["password", "passwd"]) && has(&["hash", "set", "make", "generate", "encrypt"])
}

/// What the handler of a `register` route does that shows it signs a user up: it takes
/// credentials (see [`routewarden_model::security::credential_evidence`]), an e-mail or user
/// name (a parameter, a body model's field, a key read from the request), reads a password
/// field, makes an account, hashes a password or issues a token.
pub fn signs_up(model: &ProjectModel, file: usize, handler: &Function) -> bool {
    if routewarden_model::security::credential_evidence(model, file, handler).is_some() {
        return true;
    }
    let takes_identity = handler.params.iter().any(|p| {
        names_identity(&p.name)
            || p.annotation
                .as_deref()
                .is_some_and(|a| annotation_has_identity_field(model, file, a))
    });
    if takes_identity {
        return true;
    }
    let imports = &model.files[file].imports;
    let key = |e: &Expr| {
        e.as_str()
            .is_some_and(|k| names_identity(k) || names_password(k))
    };
    let mut found = false;
    routewarden_model::security::walk_exprs(&handler.body, &mut |e| {
        found = found
            || e.any(&mut |x| match &x.kind {
                ExprKind::Call(call) => {
                    sign_up_call(imports, call)
                        || matches!(&call.func.kind, ExprKind::Attribute { attr, .. }
                            if matches!(attr.as_str(), "get" | "getlist" | "pop"))
                            && call.args.first().is_some_and(key)
                }
                ExprKind::Subscript { slice, .. } => key(slice),
                ExprKind::Attribute { attr, .. } => names_password(attr),
                _ => false,
            });
    });
    found
}

/// A POST to a fixed path whose handler creates an account: it builds a new object of a
/// project class with a password keyword holding a hashed password (`User(username=...,
/// password=get_password_hash(password))`), in its body or in a project function or a
/// method of a project object it calls (ihatemoney's `project = form.save()`, whose `save`
/// returns `Project(id=..., password=generate_password_hash(self.password.data))`: a project
/// is its login). Whatever the resource is called, making a new principal with its own
/// password is a sign-up: public by design. Not a password set on an existing object, nor
/// a path naming one (`/users/{id}/password`), nor an account made with a role
/// (`User(..., is_admin=True)`).
pub fn creates_account(model: &ProjectModel, path: &str, route: &RouteDecl) -> bool {
    if has_parameter(path) || !route.methods.iter().all(|m| m == "POST") {
        return false;
    }
    let file = route.handler_file;
    let handler = route.handler;
    if builds_with_hashed_password(model, file, &handler.body) {
        return true;
    }
    // One call away: a project function, or a method of a project object the handler holds.
    let mut found = false;
    routewarden_model::security::walk_exprs(&handler.body, &mut |e| {
        found = found
            || e.any(&mut |x| {
                let ExprKind::Call(call) = &x.kind else {
                    return false;
                };
                let callee = crate::untrusted::resolve_callee(model, file, &call.func)
                    .map(|(f, def, _)| (f, def))
                    .or_else(|| {
                        let (receiver, name) = call.method()?;
                        let (f, class) =
                            crate::helpers::project_class_of(model, file, &[handler], receiver)?;
                        routewarden_model::apps::find_method(model, f, class, name)
                            .map(|(mf, _, m)| (mf, m))
                    });
                callee.is_some_and(|(f, def)| builds_with_hashed_password(model, f, &def.body))
            });
    });
    found
}

/// A call of a project class in `body` with a password keyword whose value hashes a
/// password (`generate_password_hash(...)`, `get_password_hash(...)`, `bcrypt.hashpw(...)`).
fn builds_with_hashed_password(model: &ProjectModel, file: usize, body: &[Stmt]) -> bool {
    let mut found = false;
    routewarden_model::security::walk_exprs(body, &mut |e| {
        found = found
            || e.any(&mut |x| {
                let ExprKind::Call(call) = &x.kind else {
                    return false;
                };
                call.keywords.iter().any(|k| {
                    k.arg.as_deref().is_some_and(names_password)
                        && k.value
                            .as_call()
                            .and_then(|h| h.func.last_name())
                            .is_some_and(hashes_password)
                }) && !call
                    .keywords
                    .iter()
                    .any(|k| k.arg.as_deref().is_some_and(grants_role))
                    && matches!(
                        model.resolve_definition(file, &call.func),
                        Some((_, Some(Stmt::ClassDef(_)), _))
                    )
            });
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_handlers_only() {
        assert!(is_public("/api/v1/users", "register_user", &[]));
        assert!(is_public("/api/v1/users", "register", &[]));
        assert!(!is_public("/register_worker", "register_worker", &[]));
        assert!(!is_public("/models", "register_model", &[]));
        assert!(!is_public("/v1/worker/{worker_name}", "register", &[]));
        assert!(is_public("/__csp__", "report", &[]));
        assert!(is_public("/csp-report", "x", &[]));
        assert!(!is_public("/admin/csp-settings", "save", &[]));
        assert!(has_object_parameter("/items/{item_id}"));
        assert!(has_object_parameter("/users/<int:id>"));
        assert!(!has_object_parameter("/svelte/{path:path}"));
        assert!(!has_object_parameter("/web/<path:filename>"));
        assert!(!has_object_parameter("/pwa_icon/{size}"));
        assert!(!is_public("/api/services/register", "add_service", &[]));
        assert!(is_public("/api/v1/register", "create", &[]));
        assert!(is_public("/auth/register", "create", &[]));
        assert!(is_public("/users/register", "create", &[]));
        // A bare `/register` served by a handler registering something else.
        assert!(!is_public("/register", "register_worker", &[]));
        assert!(!is_public("/api/v1/register", "register_node", &[]));
        assert!(is_public("/register", "register", &[]));
        assert!(is_public("/register", "register_user", &[]));
        // Evidence from the handler: a bare `/register` signs up only when it shows it; a
        // webhook or hook is public only when it checks its sender.
        let public = |path: &str, signs_up: bool, verifies: bool| {
            is_public_route(
                path,
                "receive",
                &[],
                &[],
                &mut || signs_up,
                &mut || verifies,
                &mut || false,
            )
        };
        assert!(!public("/register", false, true));
        assert!(public("/register", true, true));
        assert!(public("/users/register", false, true));
        assert!(!public("/webhook", true, false));
        assert!(public("/webhook", true, true));
        assert!(!public("/register/spamcheck-hook", true, false));
        assert!(public("/register/spamcheck-hook", true, true));
        assert!(is_webhook("/api/github-webhook", "receive"));
        assert!(!is_webhook("/api/hooks/list", "list_hooks"));
        assert!(is_public("/auth/register", "register_worker", &[]));
    }

    #[test]
    fn public_and_sensitive_paths() {
        assert!(is_public("/auth/login", "do_login", &[]));
        assert!(is_public("/", "root", &[]));
        // The index is read; a state-changing method at `/` is judged like any path.
        let methods = |m: &[&str]| m.iter().map(|m| m.to_string()).collect::<Vec<_>>();
        let index = |m: &[String]| {
            is_public_route(
                "/",
                "submit",
                m,
                &[],
                &mut || true,
                &mut || true,
                &mut || false,
            )
        };
        assert!(index(&methods(&["GET", "HEAD"])));
        assert!(!index(&methods(&["POST"])));
        assert!(index(&methods(&["GET", "POST"])));
        assert!(!index(&methods(&["PATCH"])));
        assert!(!index(&methods(&["POST", "DELETE"])));
        assert!(is_public("/healthz", "x", &[]));
        // Probe words make a route public only for the methods that read.
        let probe = |path: &str, handler: &str, m: &[&str]| {
            is_public_route(
                path,
                handler,
                &methods(m),
                &[],
                &mut || true,
                &mut || true,
                &mut || false,
            )
        };
        // SageMaker's `GET,POST /ping`: a handler that also answers GET is a probe.
        assert!(is_public_route(
            "/ping",
            "ping",
            &methods(&["POST"]),
            &[],
            &mut || true,
            &mut || true,
            &mut || true,
        ));
        assert!(probe("/live", "x", &["GET"]));
        assert!(probe("/ready", "x", &["GET", "HEAD", "OPTIONS"]));
        assert!(!probe("/live", "live_start", &["POST"]));
        assert!(!probe("/health/reset", "reset", &["POST"]));
        assert!(!probe("/api/ping", "x", &["GET", "PUT"]));
        // A version is public for every method: a client's own is checked against it.
        assert!(probe("/api/version", "check_version", &["POST"]));
        assert!(!probe("/x", "healthcheck", &["DELETE"]));
        assert!(probe("/x", "healthcheck", &["GET"]));
        assert!(probe("/auth/login", "x", &["POST"]));
        assert!(names_only_files("/api/v1/media_file"));
        assert!(names_only_files("/files/<path:name>"));
        assert!(!names_only_files("/users/{id}/files"));
        assert!(!names_only_files("/account_files"));
        assert!(names_only_settings("/api/v1/settings"));
        assert!(names_only_settings("/client/component/settings-content"));
        assert!(!names_only_settings("/users/{id}/settings"));
        assert!(!names_only_settings("/admin/settings"));
        assert!(!is_public("/users/{id}", "get_user", &[]));
        assert!(is_public("/status", "s", &["/status".to_string()]));
        assert!(is_public(
            "/api/v1/password-recovery/{email}",
            "recover",
            &[]
        ));
        assert!(is_public("/auth/verify", "verify", &[]));
        assert!(is_recovery_step("/+lostpass"));
        assert!(is_recovery_step("/auth/forgot-password"));
        assert!(is_recovery_step("/password/reset/<token>"));
        assert!(!is_recovery_step("/cache/reset"));
        assert!(!is_recovery_step("/+changepass"));
        // Steps joined to what they recover, and a joined CSP report endpoint.
        assert!(is_public("/+lostpass", "lostpass", &[]));
        assert!(is_public("/+recoverpass", "recoverpass", &[]));
        assert!(is_public("/forgotpassword", "forgot", &[]));
        assert!(is_public("/+cspreport/log", "cspreport", &[]));
        assert!(!is_public("/changepass", "changepass", &[]));
        assert!(!is_public("/lostpets", "lostpets", &[]));
        // A password reminder is a recovery step; a reminder of anything else is not.
        assert!(is_public("/password-reminder", "remind_password", &[]));
        assert!(is_public("/password/remind", "x", &[]));
        assert!(is_public("/remind", "remind_password", &[]));
        assert!(!is_public("/events/{id}/reminder", "send_reminder", &[]));
        assert!(!is_public("/reminders", "create_reminder", &[]));
        assert!(is_public("/refresh", "refresh", &[]));
        assert!(is_public("/api/v1/auth/refresh", "x", &[]));
        assert!(is_public("/token/refresh", "x", &[]));
        assert!(is_public("/api/refresh", "do_refresh", &[]));
        assert!(is_public("<dynamic>", "refresh", &[]));
        assert!(!is_public("/api/bookmarks/refresh", "refresh", &[]));
        assert!(!is_public(
            "/api/items/<int:i>/refresh",
            "refresh_items",
            &[]
        ));
        assert!(is_public("/health-check/", "check", &[]));
        assert!(!is_public("/orders/{id}/confirm", "confirm_order", &[]));
        assert!(!is_public(
            "/users/{id}/login-history",
            "login_history",
            &[]
        ));
        assert!(!is_public("/me/change-password", "change_password", &[]));
        assert!(!is_public("/users/", "index", &[]));
        assert!(is_public("/recover/reset", "reset", &[]));
        assert!(is_public("/api/v1/verify/{token}", "verify", &[]));
        assert!(is_public(
            "/static-files/{path:path}",
            "serve_static_files",
            &[]
        ));
        assert!(is_public("/api/version", "get_version", &[]));
        assert!(!is_public("/version/set", "set_version", &[]));
        assert!(!is_public("/{rank}/confirm_write", "confirm_write", &[]));
        assert!(!is_public("/reset_cache", "reset_cache", &[]));
        assert!(!is_public("/verify_checksum", "verify_checksum", &[]));
        assert!(is_public("/verify-email", "verify_email", &[]));
        assert!(!is_public("/api/v1/orders/{id}/verify", "verify", &[]));
        assert!(has_parameter("/orders/<int:order_id>"));
        assert!(!has_parameter("{…}/webui/"));
        assert!(!has_parameter("<dynamic>"));
        assert!(!is_public("<dynamic>", "create_run", &[]));
        assert!(is_public("", "root", &[]));
        assert!(is_public("<dynamic>", "forgot_password", &[]));
        assert!(is_public("<dynamic>", "two_factor_token_validation", &[]));
        assert!(!is_public("<dynamic>", "change_password", &[]));
        assert!(is_public(
            "/a2a/{id}/.well-known/agent-card.json",
            "card",
            &[]
        ));
        assert!(is_public("/api/v1/device_authorization", "device", &[]));
        assert!(is_public("/users/<name>/workouts.rss", "feed", &[]));
        assert!(is_public(
            "/api/auth/provider/{provider}/code",
            "auth_code",
            &[]
        ));
        assert!(is_public("/oauth/code", "x", &[]));
        assert!(!is_public("/projects/{id}/code", "upload_code", &[]));
        assert!(!is_public("/auth/users/{id}/code", "set_code", &[]));
        assert!(!is_public("/users/<name>/workouts", "feed", &[]));
        assert_eq!(
            names_protected_resource("/api/v1/users/{id}").as_deref(),
            Some("users")
        );
        assert_eq!(names_protected_resource("/items"), None);
        assert_eq!(names_protected_resource("/get/ui_theme_settings"), None);
        // A header and a manual, not user records; the user's orders are.
        assert_eq!(names_protected_resource("/user-agent"), None);
        assert_eq!(names_protected_resource("/docs/user-guide"), None);
        assert!(names_protected_resource("/cost-by-user-agent").is_some());
        assert_eq!(
            names_protected_resource("/user-orders").as_deref(),
            Some("user-orders")
        );
        assert_eq!(
            names_protected_resource("/settings/billing").as_deref(),
            Some("settings")
        );
        assert!(is_admin("/admin/stats", "stats"));
        assert!(is_admin("/x", "admin_dashboard"));
        assert!(!is_admin("/administration-guide", "guide"));
    }

    #[test]
    fn credential_paths() {
        let words_of = |p: &str| {
            literal_segments(p)
                .iter()
                .any(|s| words(s).any(|w| CREDENTIAL_WORDS.contains(&w)))
        };
        assert!(words_of("/auth/jwt/login"));
        assert!(words_of("/api/v1/access-token"));
        assert!(!words_of("/documents/recovery/force_reset"));
        assert!(!words_of("/api/tokens"));
        assert!(!words_of("/skills/bulk-register"));
    }

    #[test]
    fn token_segments() {
        assert!(names_credential_step("token", false));
        assert!(names_credential_step("access-token", false));
        assert!(names_credential_step("token_obtain_pair", false));
        assert!(names_credential_step("login_token", false));
        assert!(!names_credential_step("store_token", false));
        assert!(!names_credential_step("count_token", false));
        assert!(!names_credential_step("token_check", false));
        assert!(names_credential_step("recover", true));
    }
}
