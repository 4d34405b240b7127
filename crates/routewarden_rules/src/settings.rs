/// The user's own names, from the configuration's per-family tables.
#[derive(Clone, Debug, Default)]
pub struct RuleSettings {
    /// Extra decorators that authenticate (`my_auth_required`), by name or qualified name.
    pub auth_decorators: Vec<String>,
    /// Extra dependencies that authenticate (`get_current_user`).
    pub auth_dependencies: Vec<String>,
    /// Paths that are public by design.
    pub public_paths: Vec<String>,
    /// Paths that handle credentials (for rate-limit rules).
    pub login_paths: Vec<String>,
    /// Extra configuration keys that hold signing keys.
    pub secret_key_names: Vec<String>,
}

impl RuleSettings {
    pub fn security_names(&self) -> routewarden_model::security::SecurityNames {
        routewarden_model::security::SecurityNames {
            auth_decorators: self.auth_decorators.clone(),
            auth_dependencies: self.auth_dependencies.clone(),
        }
    }
}
