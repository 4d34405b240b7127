use crate::declare_rule;
use crate::findings::{Finding, Findings};
use crate::rule::{ProjectContext, Rule, RuleMeta};
use routewarden_model::frameworks::ObjectKind;
use routewarden_model::security::walk_exprs;
use routewarden_python::ast::Stmt;

declare_rule! {
    /// ## What it finds
    /// A Flask application that relies on a secret key (it uses `session`, `flash`, Flask-Login,
    /// Flask-WTF forms or `CSRFProtect`) while nothing in the project sets `SECRET_KEY` or
    /// `secret_key` and no configuration is loaded that could: `from_envvar`, `from_pyfile`,
    /// `from_prefixed_env`, `from_file`, or a `from_object` that routewarden cannot follow all
    /// count as possible sources and silence the rule. A key set only by test code (`tests/`,
    /// `conftest.py`, `test_*.py`) does not count: production still runs without one.
    ///
    /// ## Why is this dangerous
    /// Without a key Flask refuses to sign sessions, so the first login fails in production;
    /// the usual "quick fix" under pressure is a literal key in the code. The finding asks for
    /// the key to be supplied properly before that happens.
    ///
    /// ## Example
    /// ```python
    /// app = Flask(__name__)
    /// login_manager = LoginManager(app)
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// app = Flask(__name__)
    /// app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    /// ```
    /// or `app.config.from_prefixed_env()` with `FLASK_SECRET_KEY` set in the environment.
    pub static MISSING_SECRET_KEY = {
        code: "SECRET003",
        name: "missing-secret-key",
        severity: Medium,
        confidence: Medium,
        cwe: 321,
        fix: "Configure SECRET_KEY from the environment or a secret manager",
    }
}

pub struct MissingSecretKey;

const KEY_USERS: &[&str] = &[
    "flask.session",
    "flask.flash",
    "flask_login.LoginManager",
    "flask_login.login_user",
    "flask_wtf.CSRFProtect",
    "flask_wtf.csrf.CSRFProtect",
    "flask_wtf.FlaskForm",
    "flask_wtf.Form",
    "flask_wtf.form.FlaskForm",
    "flask_wtf.form.Form",
    "flask_security.Security",
];

/// What in the project needs a secret key, if anything.
fn key_user(cx: &ProjectContext) -> Option<String> {
    for file in &cx.model.files {
        for (local, qualified) in file.imports.iter() {
            if KEY_USERS.contains(&qualified) && name_is_used(file.body(), local) {
                return Some(qualified.to_string());
            }
        }
    }
    None
}

fn name_is_used(body: &[Stmt], name: &str) -> bool {
    let mut used = false;
    walk_exprs(body, &mut |e| {
        used |= e.any(&mut |x| x.as_name() == Some(name));
    });
    // Class bases (`class LoginForm(FlaskForm)`) are not visited by `walk_exprs`.
    used || body.iter().any(|s| match s {
        Stmt::ClassDef(c) => {
            c.bases.iter().any(|b| b.as_name() == Some(name)) || name_is_used(&c.body, name)
        }
        _ => false,
    })
}

/// Whether any non-test statement sets the key in any form, or configuration is loaded from
/// outside the code. A key only the test suite sets leaves production without one.
fn sets_secret_key(cx: &ProjectContext) -> bool {
    cx.config.loads_external_config()
        || cx.set_keys().sets_key("SECRET_KEY")
        || cx.set_keys().assigns_attribute("secret_key")
}

impl Rule for MissingSecretKey {
    fn meta(&self) -> &'static RuleMeta {
        &MISSING_SECRET_KEY
    }

    fn check_project(&self, cx: &ProjectContext, out: &mut Vec<Finding>) {
        let apps: Vec<_> = cx
            .surface
            .apps
            .objects
            .values()
            .filter(|o| o.kind == ObjectKind::FlaskApp)
            .collect();
        if apps.is_empty() {
            return;
        }
        let Some(user) = key_user(cx) else { return };
        if sets_secret_key(cx) {
            return;
        }
        for app in apps {
            let mut f = Findings::new(app.id.file);
            f.report(
                &MISSING_SECRET_KEY,
                app.span,
                format!("the app uses {user}, which needs a secret key, but no SECRET_KEY is configured or loaded anywhere"),
            );
            out.extend(f.into_vec());
        }
    }
}
