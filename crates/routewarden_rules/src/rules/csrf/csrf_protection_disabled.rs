use crate::config_writes::config_writes;
use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::flask_usage::{is_test_file, reads_caller_state, uses_any, uses_cookie_sessions};
use crate::helpers::{for_each_call, is_falsy_literal};
use crate::provider_callback::authenticates_provider_callback;
use crate::route_paths::{form_can_post, is_state_changing, may_change_state, methods_unread};
use crate::rule::{Confidence, ProjectContext, Rule, RuleMeta};
use crate::switches::opt_in_switch;
use routewarden_model::ProjectModel;
use routewarden_model::apps::class_lineage;
use routewarden_model::config::any_identifier_word;
use routewarden_model::security::{Level, Protection};
use routewarden_model::security::{walk_exprs, walk_stmts};
use routewarden_python::ast::{Call, Expr, ExprKind, Function, ParamKind, Span, Stmt};
use rustc_hash::FxHashSet as HashSet;

declare_rule! {
    /// ## What it finds
    /// CSRF protection switched off: `WTF_CSRF_ENABLED = False` (or `WTF_CSRF_CHECK_DEFAULT =
    /// False`) in any configuration form outside test code and test or development
    /// configuration classes (at low confidence, naming the functions, when the project calls
    /// its `CSRFProtect`'s `protect()` or Flask-WTF's `validate_csrf()` itself, which check the
    /// token whatever either switch says, as where only the browser forms ask for the check);
    /// `@csrf.exempt` on a state-changing route, or `csrf.exempt(bp)` on a blueprint with one,
    /// of an application that keeps users in cookie
    /// sessions (Flask's `session` or Flask-Login), unless the route authenticates with a token
    /// or signature rather than the cookie (`@jwt_required()`, a `before_request` hook verifying
    /// a webhook signature, or a first statement (after other refusals) `if not api_verify():
    /// return ..., 403` whose project helper takes a key
    /// from the query, the body or a header and logs in the user it names, or never consults the
    /// session's user; a helper that reads the key only from a cookie, or checks `current_user`,
    /// is no such guard) or only
    /// serves anonymous users (Flask-Security's `@anonymous_user_required`, as on forgot-password
    /// and reset-password views: a logged-in victim is turned away, so a forged request carries
    /// no authority; also a view whose first statement, after other refusals, answers a logged-in
    /// caller: `if not current_user.is_anonymous: return redirect(...)`). Nor is an exempt view
    /// that accepts only PUT, PATCH or DELETE, which no HTML form sends: another site can send
    /// them only from a script, after a CORS preflight the application approves (as CSRF002
    /// judges them). Nor is an exempt view that reads its body only as JSON
    /// (`request.get_json(silent=True)`, `request.json`; not `force=True`, the raw
    /// `request.data` or a form), which a cross-site page cannot send without a CORS preflight,
    /// or a view that validates a Flask-WTF form, which checks its own `csrf_token` whatever the
    /// exemption (unless built with `meta={"csrf": False}`), git's smart-HTTP fetch
    /// endpoints (`/info/refs`, `/git-upload-pack`: a clone only reads; not `git-receive-pack`),
    /// and the endpoints an OAuth 2 authorization server serves to client applications: the
    /// token endpoint and the endpoints registered with it (revocation, introspection), whose
    /// view answers with authlib's `create_token_response()`/`create_endpoint_response(...)` or
    /// oauthlib's `create_token_response`/`create_revocation_response`/
    /// `create_introspect_response` on a server object. RFC 6749 and RFC 7009 have clients
    /// authenticate there with their own credentials, never the browser's session, and clients
    /// send no CSRF token. The authorization endpoint, where the logged-in user grants consent
    /// (`create_authorization_response`), is still reported.
    ///
    /// Nor are the callbacks other services make by design, which cannot carry the app's token
    /// and are protected otherwise, as seen from what the view (or a project function it calls
    /// or is decorated with) calls: a webhook that verifies the provider's signature (Twilio's
    /// `RequestValidator(...).validate(...)`, `stripe.Webhook.construct_event`), a SAML
    /// assertion consumer (python3-saml's `process_response()` on `OneLogin_Saml2_Auth`, which
    /// checks the signed response), an OAuth redirect callback that exchanges the code
    /// (authlib's `authorize_access_token()`, requests-oauthlib's `OAuth2Session.fetch_token`,
    /// or a token fetch given `state=`), which checks the `state`; and a view no guard protects
    /// that reads nothing the browser carries for its user (`session`, `current_user`, `g`,
    /// cookies, itself or through the project functions and decorators it calls), such as a
    /// provider's status callback: a forged post does only what the attacker can do directly.
    /// A method of the same name on another object (a project class's `validate`) is no such
    /// check.
    ///
    /// A route whose methods the analysis cannot read (`@app.route(path, methods=verbs)`, shown
    /// as `<dynamic>`) may take a form POST: it counts as state-changing, and its own exemption
    /// is reported at low confidence, saying the methods could not be read. So is a blueprint
    /// exempted only when the operator turns an off-by-default switch on (inside `if SWITCH:`,
    /// or after `if not conf.getboolean("api", "enable_experimental_api", fallback=False):
    /// return`), naming the switch.
    ///
    /// ## Why is this dangerous
    /// With CSRF checks off, any website a logged-in user visits can submit forms to the
    /// application with the user's cookies: change the email address, the password, make
    /// purchases.
    ///
    /// ## Example
    /// ```python
    /// @app.route("/account/email", methods=["POST"])
    /// @csrf.exempt
    /// def change_email(): ...
    /// ```
    ///
    /// ## Fix
    /// Keep `WTF_CSRF_ENABLED` on outside tests; exempt only endpoints that authenticate with a
    /// header token (not a cookie), such as webhooks that verify a signature.
    pub static CSRF_PROTECTION_DISABLED = {
        code: "CSRF001",
        name: "csrf-protection-disabled",
        severity: High,
        confidence: Medium,
        cwe: 352,
        fix: "Keep CSRF protection on; exempt only routes that do not authenticate by cookie",
    }
}

pub struct CsrfProtectionDisabled;

/// git's smart-HTTP fetch endpoints (`.../info/refs`, `.../git-upload-pack`): a clone or fetch
/// only reads, and a cross-site page cannot read the answer. git clients send no CSRF token,
/// so these are exempt by necessity. A push (`git-receive-pack`) is not one of them.
fn git_fetch_endpoint(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path.ends_with("/git-upload-pack") || path.ends_with("/info/refs")
}

/// OAuth 2 authorization servers: authlib's and oauthlib's. Their token, revocation and
/// introspection endpoints are called by client applications.
const OAUTH_SERVERS: &[&str] = &[
    "authlib.integrations.flask_oauth2.AuthorizationServer",
    "authlib.integrations.flask_oauth2.authorization_server.AuthorizationServer",
    "authlib.oauth2.AuthorizationServer",
    "authlib.oauth2.rfc6749.AuthorizationServer",
    "authlib.oauth2.rfc6749.authorization_server.AuthorizationServer",
    "oauthlib.oauth2.Server",
    "oauthlib.oauth2.WebApplicationServer",
    "oauthlib.oauth2.LegacyApplicationServer",
    "oauthlib.oauth2.BackendApplicationServer",
    "oauthlib.oauth2.MobileApplicationServer",
    "oauthlib.oauth2.rfc6749.endpoints.Server",
    "oauthlib.oauth2.rfc6749.endpoints.pre_configured.Server",
];

/// The server methods that answer a client application: the token endpoint (RFC 6749 §3.2)
/// and registered endpoints such as revocation (RFC 7009) and introspection (RFC 7662). Not
/// `create_authorization_response`: the user's consent rides on the session.
const CLIENT_ENDPOINT_RESPONSES: &[&str] = &[
    "create_token_response",
    "create_endpoint_response",
    "create_revocation_response",
    "create_introspect_response",
];

/// A view that hands the request to an OAuth 2 server's token, revocation or introspection
/// endpoint (`return server.create_token_response()`): client applications call it with their
/// own credentials in the body, the specifications require it to take no CSRF token, and no
/// session authority is used.
fn serves_oauth_client_endpoint(
    cx: &ProjectContext,
    file: usize,
    scope: &[&Function],
    handler: &Function,
) -> bool {
    let mut scope = scope.to_vec();
    scope.push(handler);
    let mut found = false;
    walk_exprs(&handler.body, &mut |e| {
        found |= e.any(&mut |x| {
            x.as_call()
                .and_then(Call::method)
                .is_some_and(|(receiver, name)| {
                    CLIENT_ENDPOINT_RESPONSES.contains(&name)
                        && cx
                            .model
                            .instance_class(file, &scope, receiver)
                            .is_some_and(|c| OAUTH_SERVERS.contains(&c.as_str()))
                })
        });
    });
    found
}

/// Decorators that refuse requests from logged-in users.
const ANONYMOUS_ONLY: &[&str] = &[
    "flask_security.anonymous_user_required",
    "flask_security.decorators.anonymous_user_required",
];

const CSRF_CLASSES: &[&str] = &["flask_wtf.CSRFProtect", "flask_wtf.csrf.CSRFProtect"];

/// A protection that rests on something the caller presents with each request (a token, an
/// API key, a signature) rather than on the session cookie: a token verified in the handler, or
/// a guard whose name says so (`@jwt_required()`, `Depends(verify_api_key)`,
/// `before_request check_signature`).
fn token_authenticated(protections: &[Protection]) -> bool {
    protections.iter().any(|p| {
        if p.level == Level::Token {
            return true;
        }
        let mut after_api = false;
        any_identifier_word(&p.mechanism, |w| {
            let hit = matches!(
                w,
                "jwt" | "token" | "tokens" | "apikey" | "signature" | "signed"
            ) || (after_api && w == "key");
            after_api = w == "api";
            hit
        })
    })
}

/// Flask's request object as the handler's module names it.
fn is_flask_request(cx: &ProjectContext, file: usize, e: &Expr) -> bool {
    cx.model.files[file]
        .imports
        .resolve(e)
        .is_some_and(|q| q == "flask.request" || q == "flask.globals.request")
}

/// A view that reads its body only as JSON (`request.get_json()`, `request.json`, not forced)
/// and builds no form: Flask refuses or ignores any other content type, and a cross-site page
/// can send JSON only after a CORS preflight the browser makes first.
fn reads_only_json(cx: &ProjectContext, file: usize, handler: &Function) -> bool {
    let (mut json, mut other) = (false, false);
    walk_exprs(&handler.body, &mut |e| {
        e.any(&mut |x| {
            match &x.kind {
                ExprKind::Attribute { value, attr } if is_flask_request(cx, file, value) => {
                    match attr.as_str() {
                        "json" | "get_json" | "is_json" | "method" | "args" | "headers"
                        | "path" | "url" | "endpoint" | "view_args" | "remote_addr" => {
                            json |= attr == "json" || attr == "get_json"
                        }
                        _ => other = true,
                    }
                }
                ExprKind::Call(call) => {
                    let forced = call.keyword("force").and_then(Expr::as_bool) == Some(true);
                    // `MyForm()` fills itself from `request.form`.
                    let form = call.func.last_name().is_some_and(|n| n.ends_with("Form"));
                    other |= forced || form;
                }
                _ => {}
            }
            false
        });
    });
    json && !other
}

/// A view that validates a Flask-WTF form (`form = ProfileForm()` then `form.validate()` or
/// `form.validate_on_submit()`): the form checks its own `csrf_token`, which `csrf.exempt`
/// does not switch off, unless the form is built with `meta={"csrf": False}`.
fn validates_own_form(cx: &ProjectContext, file: usize, handler: &Function) -> bool {
    let is_flask_form = |call: &Call| {
        let csrf_off = call
            .keyword("meta")
            .and_then(|m| m.dict_value("csrf"))
            .and_then(Expr::as_bool)
            == Some(false);
        !csrf_off
            && matches!(
                cx.model.resolve_definition(file, &call.func),
                Some((def_file, Some(Stmt::ClassDef(class)), _))
                    if class_lineage(cx.model, def_file, class)
                        .iter()
                        .any(|q| FLASK_FORMS.contains(&q.as_str()))
            )
    };
    let mut forms: Vec<&str> = Vec::new();
    walk_stmts(&handler.body, &mut |stmt| {
        if let Stmt::Assign {
            targets,
            value: Some(value),
            ..
        } = stmt
            && let Some(call) = value.as_call()
            && is_flask_form(call)
        {
            forms.extend(targets.iter().filter_map(Expr::as_name));
        }
    });
    if forms.is_empty() {
        return false;
    }
    let mut validated = false;
    walk_exprs(&handler.body, &mut |e| {
        validated |= e.any(&mut |x| {
            x.as_call().is_some_and(|call| {
                matches!(&call.func.kind, ExprKind::Attribute { value, attr }
                    if matches!(attr.as_str(), "validate" | "validate_on_submit")
                        && value.as_name().is_some_and(|n| forms.contains(&n)))
            })
        });
    });
    validated
}

const FLASK_FORMS: &[&str] = &["flask_wtf.FlaskForm", "flask_wtf.form.FlaskForm"];

/// Flask-Login's proxy for the user the session names.
const CURRENT_USER: &[&str] = &["flask_login.current_user", "flask_login.utils.current_user"];

/// A view whose first statement (after earlier refusals) answers a logged-in caller at once:
/// `if not current_user.is_anonymous: return redirect(...)`, `if current_user.is_authenticated:
/// return redirect(...)`. What follows runs only for anonymous callers, as under
/// `@anonymous_user_required`.
fn turns_logged_in_away(cx: &ProjectContext, file: usize, handler: &Function) -> bool {
    use crate::rules::csrf::form_post_without_csrf::answers_request;
    let imports = &cx.model.files[file].imports;
    let refuses = |body: &[Stmt]| body.first().is_some_and(|s| answers_request(imports, s));
    for stmt in &handler.body {
        match stmt {
            // A docstring.
            Stmt::Expr { value, .. } if value.is_string_literal() => continue,
            Stmt::If {
                test, body, orelse, ..
            } if orelse.is_empty() && refuses(body) => {
                if crate::helpers::tests_logged_in(imports, test, &|q| CURRENT_USER.contains(&q)) {
                    return true;
                }
                // An earlier refusal only turns more requests away.
            }
            _ => return false,
        }
    }
    false
}

/// A view whose first statement (after earlier refusals such as `if not ENABLED: return
/// "Not found", 404`) refuses the request unless a project helper accepts a key
/// the client puts in the request itself: `if not api_verify(): return
/// jsonify_with_status("Access denied.", 403)`, where the helper (or the functions it calls)
/// reads the query, the body or a header, and either logs in the user that key names or never
/// consults the session's user. A forged cross-site post carries the cookie, not the key, so it
/// is refused: token authentication, as `@jwt_required()`. A helper that reads the key only
/// from a cookie or checks `current_user` without logging anyone in is no such guard.
fn refuses_without_request_key(cx: &ProjectContext, file: usize, handler: &Function) -> bool {
    use crate::rules::csrf::form_post_without_csrf::{
        CredentialSources, answers_request, credential_sources,
    };
    let imports = &cx.model.files[file].imports;
    let refuses = |body: &[Stmt]| body.first().is_some_and(|s| answers_request(imports, s));
    for stmt in &handler.body {
        match stmt {
            // A docstring.
            Stmt::Expr { value, .. } if value.is_string_literal() => continue,
            Stmt::If {
                test, body, orelse, ..
            } if orelse.is_empty() && refuses(body) => {
                let (negated, inner) = crate::helpers::without_not(test);
                if negated
                    && let Some(call) = inner.as_call()
                    && let Some((def_file, def, _)) =
                        crate::untrusted::resolve_callee(cx.model, file, &call.func)
                {
                    let mut sources = CredentialSources::default();
                    credential_sources(cx.model, def_file, def, 3, &mut Vec::new(), &mut sources);
                    if sources.request && (sources.logs_in || !sources.session_user) {
                        return true;
                    }
                }
                // An earlier refusal (`if not ENABLED: return "Not found", 404`) only turns
                // more requests away: the guard may follow it.
            }
            _ => return false,
        }
    }
    false
}

impl Rule for CsrfProtectionDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &CSRF_PROTECTION_DISABLED
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        for write in config_writes(cx, &|k| {
            k == "WTF_CSRF_ENABLED" || k == "WTF_CSRF_CHECK_DEFAULT"
        }) {
            if is_falsy_literal(write.value) && !matches!(write.value.kind, ExprKind::NoneLiteral) {
                let mut f = Findings::new(write.file);
                let message = format!("{} turns CSRF protection off", write.place);
                // Checks off by default, but the project asks for them where it takes forms:
                // the question left is whether every other cookie-authenticated form does.
                // Both `protect()` and `validate_csrf()` check the token whatever either
                // switch says (faraday turns `WTF_CSRF_ENABLED` off and validates its form
                // uploads itself).
                let protectors = functions_calling_protect(cx.model);
                let validators = functions_calling_validate_csrf(cx.model);
                let mut checkers: Vec<&String> = protectors.iter().chain(&validators).collect();
                checkers.sort();
                checkers.dedup();
                if checkers.is_empty() {
                    f.report(&CSRF_PROTECTION_DISABLED, write.span, message);
                } else {
                    let named: Vec<String> = checkers.iter().map(|n| format!("`{n}`")).collect();
                    let how = match (protectors.is_empty(), validators.is_empty()) {
                        (false, true) => "CSRFProtect's protect()",
                        (true, false) => "flask_wtf's validate_csrf()",
                        _ => "CSRFProtect's protect() or flask_wtf's validate_csrf()",
                    };
                    f.report_with(
                        &CSRF_PROTECTION_DISABLED,
                        write.span,
                        format!(
                            "{message}{}; {} call{} {how} {}: \
                             check that no other view takes a cookie-authenticated form",
                            if write.key == "WTF_CSRF_CHECK_DEFAULT" {
                                " by default"
                            } else {
                                ""
                            },
                            named.join(", "),
                            if named.len() == 1 { "s" } else { "" },
                            if named.len() == 1 {
                                "itself"
                            } else {
                                "themselves"
                            },
                        ),
                        CSRF_PROTECTION_DISABLED.severity,
                        Confidence::Low,
                    );
                }
                out.extend(f.into_vec());
            }
        }
        if !uses_cookie_sessions(cx.model) {
            return;
        }
        let surface = cx.surface;
        let is_csrf = |file: usize, scope: &[&routewarden_python::ast::Function], e: &Expr| {
            cx.model
                .instance_class(file, scope, e)
                .is_some_and(|c| CSRF_CLASSES.contains(&c.as_str()))
        };
        let mut seen = HashSet::default();
        for (i, mounted) in surface.mounted.iter().enumerate() {
            let route = surface.route(mounted);
            // Methods that cannot be read may include POST: judged as state-changing, at
            // lower confidence. A view taking only PUT, PATCH or DELETE is out of a cross-site
            // form's reach: another site can send those only from a script, after a CORS
            // preflight the application approves.
            if !(form_can_post(&route.methods) || methods_unread(&route.methods))
                || !seen.insert(mounted.route)
            {
                continue;
            }
            let exempt = route.handler.decorators.iter().any(|d| match &d.kind {
                ExprKind::Attribute { value, attr } => {
                    attr == "exempt" && is_csrf(route.handler_file, &route.handler_scope, value)
                }
                _ => false,
            });
            // A view that turns logged-in users away (`@anonymous_user_required`: forgot
            // password, reset by an emailed token) has no session for a forged request to ride.
            let anonymous_only = route.handler.decorators.iter().any(|d| {
                cx.model.files[route.handler_file]
                    .imports
                    .resolve(d)
                    .is_some_and(|q| ANONYMOUS_ONLY.contains(&q.as_str()))
            });
            if exempt
                && !anonymous_only
                && !turns_logged_in_away(cx, route.handler_file, route.handler)
                && !git_fetch_endpoint(&mounted.full_path)
                && !token_authenticated(&surface.security[i].auth)
                && !refuses_without_request_key(cx, route.handler_file, route.handler)
                && !reads_only_json(cx, route.handler_file, route.handler)
                && !validates_own_form(cx, route.handler_file, route.handler)
                && !serves_oauth_client_endpoint(
                    cx,
                    route.handler_file,
                    &route.handler_scope,
                    route.handler,
                )
                // A provider's callback: the provider's signature, the signed assertion or the
                // OAuth `state` protects it, and the provider cannot send the app's token.
                && !authenticates_provider_callback(
                    cx.model,
                    route.handler_file,
                    &route.handler_scope,
                    route.handler,
                )
                // A public view that reads nothing of the browser's user (a provider's status
                // callback) is reported only when guarded or reading the caller's state: a
                // forged post to it does only what the attacker could do directly.
                && (!surface.security[i].auth.is_empty()
                    || reads_caller_state(
                        cx.model,
                        route.handler_file,
                        route.handler,
                        &route.view_decorators,
                    ))
            {
                let mut f = Findings::new(route.file);
                let message = format!(
                    "{} {} is exempt from CSRF protection in a cookie-session app",
                    route.methods.join(","),
                    mounted.full_path
                );
                if is_state_changing(&route.methods) {
                    f.report(&CSRF_PROTECTION_DISABLED, route.span, message);
                } else {
                    f.report_with(
                        &CSRF_PROTECTION_DISABLED,
                        route.span,
                        format!("{message}: its methods could not be read and may include POST"),
                        CSRF_PROTECTION_DISABLED.severity,
                        Confidence::Low,
                    );
                }
                out.extend(f.into_vec());
            }
        }
        // State-changing routes of the blueprint that a cookie session authenticates (not a
        // token or signature check, e.g. a webhook blueprint's `before_request`).
        let changes_state = |bp: &routewarden_model::apps::ObjectId| {
            surface.mounted.iter().enumerate().any(|(i, m)| {
                m.chain.first() == Some(bp)
                    && may_change_state(&surface.route(m).methods)
                    && !token_authenticated(&surface.security[i].auth)
            })
        };
        let mut report_blueprint = |file: usize, span, bp: &routewarden_model::apps::ObjectId| {
            let mut f = Findings::new(file);
            let message = format!("blueprint `{}` is exempt from CSRF protection", bp.name);
            // An exemption made only when the operator turns an off-by-default switch on
            // (airflow's experimental API after `if not conf.getboolean(..., fallback=False):
            // return`): named, for review.
            match opt_in_switch(cx.model, file, span) {
                Some(switch) => f.report_with(
                    &CSRF_PROTECTION_DISABLED,
                    span,
                    format!(
                        "{message}, only when the operator turns on `{switch}` (off unless configured)"
                    ),
                    CSRF_PROTECTION_DISABLED.severity,
                    Confidence::Low,
                ),
                None => f.report(&CSRF_PROTECTION_DISABLED, span, message),
            }
            out.extend(f.into_vec());
        };
        // `app.extensions["csrf"].exempt(bp)`: `CSRFProtect` registers itself on the
        // application under that key, so this is `csrf.exempt(bp)`.
        if uses_any(cx.model, CSRF_CLASSES) {
            for (file, scope, call, span) in extension_exempt_calls(cx.model) {
                // The extensions of an application (`current_app` too), not of another object.
                let on_app = extension_exempt_app(call).is_some_and(|app| {
                    cx.model.files[file].imports.resolve(app).as_deref()
                        == Some("flask.current_app")
                        || surface
                            .apps
                            .resolve_object(file, &scope, app)
                            .and_then(|id| surface.apps.kind(&id))
                            .is_some_and(|k| k.is_app())
                });
                if !on_app {
                    continue;
                }
                let Some(bp) = call
                    .args
                    .first()
                    .and_then(|target| surface.apps.resolve_object(file, &scope, target))
                else {
                    continue;
                };
                if changes_state(&bp) {
                    report_blueprint(file, span, &bp);
                }
            }
        }
        // `csrf.exempt(bp)`: a whole blueprint exempted.
        for call in &surface.apps.calls {
            if call.method != "exempt" {
                continue;
            }
            let Some(target) = call.call.args.first() else {
                continue;
            };
            let Some(bp) = surface.apps.resolve_object(call.file, &call.scope, target) else {
                continue;
            };
            let is_protect = !surface.apps.objects.contains_key(&call.receiver)
                && cx.model.files[call.receiver.file]
                    .imports
                    .iter()
                    .any(|(_, q)| CSRF_CLASSES.contains(&q));
            if is_protect && changes_state(&bp) {
                report_blueprint(call.file, call.span, &bp);
            }
        }
    }
}

/// The project functions (outside test code) that call a `CSRFProtect`'s `protect()`, which
/// checks the request's token whatever `WTF_CSRF_CHECK_DEFAULT` says: on the instance itself
/// (`csrf.protect()` with `csrf = CSRFProtect(app)`), or on a parameter that a call of the
/// function passes the instance (`view_func=lambda: create_user_ui(csrf)`, as MLflow does).
/// Sorted, without repeats.
fn functions_calling_protect(model: &ProjectModel) -> Vec<String> {
    let mut names = Vec::new();
    for (index, module) in model.files.iter().enumerate() {
        if is_test_file(module) || !module.parsed.attributes.may_contain("protect") {
            continue;
        }
        for_each_call(module.body(), &mut Vec::new(), &mut |scope, _, call| {
            let (Some((receiver, "protect")), Some(function)) = (call.method(), scope.last())
            else {
                return;
            };
            let is_csrf = |file: usize, scope: &[&Function], e: &Expr| {
                model
                    .instance_class(file, scope, e)
                    .is_some_and(|c| CSRF_CLASSES.contains(&c.as_str()))
            };
            if is_csrf(index, scope, receiver)
                || receiver
                    .as_name()
                    .is_some_and(|param| passed_by_callers(model, index, function, param, &is_csrf))
            {
                names.push(function.name.to_string());
            }
        });
    }
    names.sort();
    names.dedup();
    names
}

/// Flask-WTF's token check, which no configuration switch turns off.
const VALIDATE_CSRF: &[&str] = &["flask_wtf.csrf.validate_csrf"];

/// The project functions (outside test code) that call Flask-WTF's `validate_csrf(...)`
/// themselves. Sorted, without repeats.
fn functions_calling_validate_csrf(model: &ProjectModel) -> Vec<String> {
    let mut names = Vec::new();
    for module in &model.files {
        if is_test_file(module)
            || !module
                .imports
                .iter()
                .any(|(_, q)| q.starts_with("flask_wtf"))
        {
            continue;
        }
        for_each_call(module.body(), &mut Vec::new(), &mut |scope, _, call| {
            if let Some(function) = scope.last()
                && module.imports.resolves_to(&call.func, VALIDATE_CSRF)
            {
                names.push(function.name.to_string());
            }
        });
    }
    names.sort();
    names.dedup();
    names
}

/// A call of the project function `function` (defined in `def_file`), resolved to it by name,
/// passes a value accepted by `accepts` as its parameter `param`.
fn passed_by_callers(
    model: &ProjectModel,
    def_file: usize,
    function: &Function,
    param: &str,
    accepts: &impl Fn(usize, &[&Function], &Expr) -> bool,
) -> bool {
    let Some(position) = function.params.iter().position(|p| {
        p.name == param && matches!(p.kind, ParamKind::Positional | ParamKind::PositionalOnly)
    }) else {
        return false;
    };
    let mut passed = false;
    for (file, module) in model.files.iter().enumerate() {
        if passed || !module.may_mention(&function.name) {
            continue;
        }
        for_each_call(module.body(), &mut Vec::new(), &mut |scope, _, call| {
            passed = passed
                || (call.func.last_name() == Some(function.name.as_str())
                    && matches!(
                        model.resolve_definition(file, &call.func),
                        Some((f, Some(Stmt::FunctionDef(def)), _))
                            if f == def_file && std::ptr::eq(&**def, function)
                    )
                    && call
                        .argument(param, position)
                        .is_some_and(|argument| accepts(file, scope, argument)));
        });
    }
    passed
}

/// The calls `X.extensions["csrf"].exempt(...)` of the project, with the functions enclosing
/// each and the span of its statement.
fn extension_exempt_calls(model: &ProjectModel) -> Vec<(usize, Vec<&Function>, &Call, Span)> {
    fn visit<'a>(
        body: &'a [Stmt],
        scope: &mut Vec<&'a Function>,
        out: &mut Vec<(Vec<&'a Function>, &'a Call, Span)>,
    ) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(function) => {
                    scope.push(function);
                    visit(&function.body, scope, out);
                    scope.pop();
                    continue;
                }
                Stmt::Expr { value, .. } => {
                    if let Some(call) = value.as_call()
                        && extension_exempt_app(call).is_some()
                    {
                        out.push((scope.clone(), call, stmt.span()));
                    }
                }
                _ => {}
            }
            for child in stmt.child_bodies() {
                visit(child, scope, out);
            }
        }
    }
    let mut out = Vec::new();
    for (index, file) in model.files.iter().enumerate() {
        let attributes = &file.parsed.attributes;
        if !attributes.may_contain("extensions") || !attributes.may_contain("exempt") {
            continue;
        }
        let mut found = Vec::new();
        visit(file.body(), &mut Vec::new(), &mut found);
        out.extend(
            found
                .into_iter()
                .map(|(scope, call, span)| (index, scope, call, span)),
        );
    }
    out
}

/// `<application>.extensions["csrf"].exempt(...)`: the application.
fn extension_exempt_app(call: &Call) -> Option<&Expr> {
    let (receiver, "exempt") = call.method()? else {
        return None;
    };
    let ExprKind::Subscript { value, slice } = &receiver.kind else {
        return None;
    };
    match &value.kind {
        ExprKind::Attribute { value, attr }
            if attr == "extensions" && slice.as_str() == Some("csrf") =>
        {
            Some(value)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::helpers::test_support::findings_of;
    use crate::rule::Confidence;

    const APP: &str = "from flask import Flask, request\nfrom flask_wtf.csrf import CSRFProtect\napp = Flask(__name__)\ndef create_user_ui(csrf):\n    csrf.protect()\n    return request.form['name']\ndef create_app():\n    app.config['WTF_CSRF_CHECK_DEFAULT'] = False\n    csrf = CSRFProtect()\n    csrf.init_app(app)\n    app.add_url_rule('/ui', view_func=lambda: create_user_ui(csrf), methods=['POST'])\n    return app\n";

    #[test]
    fn check_default_off_names_the_views_that_check() {
        let found = findings_of(&super::CsrfProtectionDisabled, &[("auth.py", APP)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Low);
        assert!(found[0].message.contains("`create_user_ui` calls"));
        // Without the instance passed, the parameter is some other object.
        let other = APP.replace("create_user_ui(csrf),", "create_user_ui(None),");
        let found = findings_of(&super::CsrfProtectionDisabled, &[("auth.py", &other)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Medium);
    }
}
