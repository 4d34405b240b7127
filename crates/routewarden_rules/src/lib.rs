//! The rule table and the rules. Each rule is one file under `rules/<family>/`, declared with
//! `declare_rule!` so that its documentation is the doc comment above it.

pub mod ambient_credentials;
pub mod checker;
pub mod config_writes;
pub mod context;
pub mod cors_policy;
pub mod credentials;
pub mod data_models;
pub mod effects;
pub mod findings;
pub mod flask_usage;
pub mod helpers;
pub mod jwt_calls;
pub mod provider_callback;
pub mod registry;
pub mod route_paths;
pub mod rule;
pub mod rules;
pub mod settings;
pub mod switches;
pub mod token_origin;
pub mod untrusted;

pub use findings::{Finding, Findings};
pub use rule::{Confidence, Rule, RuleMeta, Severity};
pub use settings::RuleSettings;

/// Calls `f` with every expression node under `body`, nested functions included.
pub(crate) fn untrusted_walk(
    body: &[routewarden_python::ast::Stmt],
    f: &mut impl FnMut(&routewarden_python::ast::Expr),
) {
    routewarden_model::security::walk_exprs(body, &mut |e| {
        e.any(&mut |x| {
            f(x);
            false
        });
    });
}
