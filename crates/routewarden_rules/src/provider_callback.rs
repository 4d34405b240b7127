//! Views that another service calls by design, cross-site: a webhook that verifies the
//! provider's signature, a SAML assertion consumer, an OAuth redirect callback. The provider
//! cannot send the application's CSRF token; what protects these views is the provider's
//! signature, the signed assertion or the OAuth `state`, which the library call checks.

use routewarden_model::ProjectModel;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::{Call, Expr, ExprKind, Function};

/// Functions that verify a webhook's signature against the shared secret, raising for any
/// other caller.
const SIGNATURE_CHECKS: &[&str] = &[
    "stripe.Webhook.construct_event",
    "stripe.WebhookSignature.verify_header",
];

/// Methods of a provider library's object that authenticate the callback: Twilio's request
/// signature (`X-Twilio-Signature`), python3-saml's check of the signed SAML response, and
/// requests-oauthlib's exchange of the authorization code (which compares the `state` the
/// session was built with).
const PROVIDER_METHODS: &[(&str, &str)] = &[
    ("twilio.request_validator.RequestValidator", "validate"),
    (
        "onelogin.saml2.auth.OneLogin_Saml2_Auth",
        "process_response",
    ),
    ("requests_oauthlib.OAuth2Session", "fetch_token"),
    (
        "requests_oauthlib.oauth2_session.OAuth2Session",
        "fetch_token",
    ),
];

/// Whether the view `handler` (defined in `file` inside `scope`), or a project function it
/// calls or is decorated with (one call away), authenticates a provider's callback: a
/// signature check of a webhook, a SAML response check, or an OAuth code exchange
/// (authlib's `authorize_access_token()`, requests-oauthlib's `fetch_token`).
pub fn authenticates_provider_callback(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    handler: &Function,
) -> bool {
    let mut handler_scope = scope.to_vec();
    handler_scope.push(handler);
    if checks_provider(model, file, &handler_scope, handler) {
        return true;
    }
    // Project functions the handler calls or is decorated with.
    let mut callees: Vec<(usize, &Function)> = Vec::new();
    let mut note = |e: &Expr| {
        e.any(&mut |x| {
            let target = match &x.kind {
                ExprKind::Call(call) => &call.func,
                _ => return false,
            };
            if callees.len() < 16
                && let Some((f, def, _)) = crate::untrusted::resolve_callee(model, file, target)
                && !std::ptr::eq(def, handler)
                && !callees.iter().any(|(_, d)| std::ptr::eq(*d, def))
            {
                callees.push((f, def));
            }
            false
        });
    };
    handler.decorators.iter().for_each(&mut note);
    walk_exprs(&handler.body, &mut note);
    callees
        .iter()
        .any(|(f, def)| checks_provider(model, *f, &[def], def))
}

/// The check in `function`'s own body.
fn checks_provider(
    model: &ProjectModel,
    file: usize,
    scope: &[&Function],
    function: &Function,
) -> bool {
    let mut found = false;
    walk_exprs(&function.body, &mut |e| {
        found = found
            || e.any(&mut |x| {
                x.as_call()
                    .is_some_and(|call| provider_check(model, file, scope, call))
            });
    });
    found
}

fn provider_check(model: &ProjectModel, file: usize, scope: &[&Function], call: &Call) -> bool {
    // authlib's OAuth client compares the `state` it sent with the one that comes back; a
    // token fetch given `state=` does the same.
    match call.func.last_name() {
        Some("authorize_access_token") => return true,
        Some("fetch_token" | "fetch_access_token") if call.keyword("state").is_some() => {
            return true;
        }
        _ => {}
    }
    if model.files[file]
        .imports
        .resolves_to(&call.func, SIGNATURE_CHECKS)
    {
        return true;
    }
    let Some((receiver, method)) = call.method() else {
        return false;
    };
    // The receiver's class is resolved only for the method names above.
    PROVIDER_METHODS.iter().any(|(_, m)| *m == method)
        && model
            .instance_class(file, scope, receiver)
            .is_some_and(|class| {
                PROVIDER_METHODS
                    .iter()
                    .any(|(c, m)| *m == method && *c == class)
            })
}
