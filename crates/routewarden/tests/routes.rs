//! `routewarden routes` on a multi-file project: a FastAPI app that mounts routers two levels
//! deep with dependencies at each level, a Flask app factory with nested blueprints, a
//! `before_request` guard and a class-based view, and a FastAPI factory whose authentication
//! middleware is installed only when a setting is given, next to one that guards `/metrics`
//! only. Every row is checked in every format.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/routes_project")
}

/// Runs the real binary in the project folder on `.`, so file names are relative to it.
fn routes(format: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_routewarden"))
        .current_dir(project())
        .args(["routes", "--no-config", "--format", format, "."])
        .output()
        .expect("the routewarden binary runs");
    assert!(
        output.status.success(),
        "routes --format {format} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// `(mechanism, level, via, checks_role)`
type GuardSpec<'a> = (&'a str, &'a str, Option<&'a str>, bool);

fn guards(specs: &[GuardSpec]) -> Value {
    specs
        .iter()
        .map(|(mechanism, level, via, checks_role)| {
            json!({"mechanism": mechanism, "level": level, "via": via, "checks_role": checks_role, "condition": null})
        })
        .collect()
}

const SHOP: &str = "shop.main.app";
const FLOWS: &str = "flows.create_app().app";
const BACKOFFICE: &str = "backoffice.create_app().app";

#[allow(clippy::too_many_arguments)]
fn row(
    app: &str,
    methods: &[&str],
    path: &str,
    (file, line, name): (&str, u32, &str),
    auth: &[GuardSpec],
    limits: &[GuardSpec],
    response_model: Option<&str>,
) -> Value {
    json!({
        "app": app,
        "path": path,
        "methods": methods,
        "handler": {"file": file, "line": line, "name": name},
        "authenticated": !auth.is_empty(),
        "auth": guards(auth),
        "rate_limited": !limits.is_empty(),
        "rate_limits": guards(limits),
        "response_model": response_model,
        "registered_if": null,
        "development_only": false,
    })
}

/// A row whose guards are given as JSON, some of them conditional.
fn row_with_guards(
    app: &str,
    methods: &[&str],
    path: &str,
    (file, line, name): (&str, u32, &str),
    auth: Value,
    authenticated: bool,
    response_model: Option<&str>,
) -> Value {
    json!({
        "app": app,
        "path": path,
        "methods": methods,
        "handler": {"file": file, "line": line, "name": name},
        "authenticated": authenticated,
        "auth": auth,
        "rate_limited": false,
        "rate_limits": [],
        "response_model": response_model,
        "registered_if": null,
        "development_only": false,
    })
}

fn expected_rows() -> Vec<Value> {
    let token_validation = json!({
        "mechanism": "http middleware token_validation",
        "level": "middleware",
        "via": FLOWS,
        "checks_role": false,
        "condition": "if auth_string is not None",
    });
    let metrics_auth = json!({
        "mechanism": "middleware MetricsAuthMiddleware",
        "level": "middleware",
        "via": FLOWS,
        "checks_role": false,
        "condition": null,
    });
    let backoffice_limit: GuardSpec = (
        "limiter default_limits=[\"100 per hour\"]",
        "app",
        Some(BACKOFFICE),
        false,
    );
    let operator: GuardSpec = (
        "before_request require_operator",
        "hook",
        Some("backoffice.ops.ops"),
        false,
    );
    let report_view: GuardSpec = ("@login_required", "view", Some("ReportAPI"), false);
    let current_user: GuardSpec = ("CurrentUser", "parameter", None, false);
    let api_include: GuardSpec = (
        "Depends(get_current_user)",
        "include",
        Some("shop.api.router.api_router"),
        false,
    );
    let owner_include: GuardSpec = (
        "Depends(verify_owner)",
        "include",
        Some("shop.api.endpoints.users.router"),
        false,
    );
    let superuser: GuardSpec = (
        "Depends(get_current_superuser)",
        "router",
        Some("shop.api.endpoints.admin.router"),
        true,
    );
    vec![
        row(
            BACKOFFICE,
            &["GET"],
            "/",
            ("backoffice/__init__.py", 16, "index"),
            &[],
            &[backoffice_limit],
            None,
        ),
        row(
            BACKOFFICE,
            &["DELETE"],
            "/ops/reports/<int:report_id>",
            ("backoffice/reports.py", 14, "ReportAPI.delete"),
            &[report_view, operator],
            &[backoffice_limit],
            None,
        ),
        row(
            BACKOFFICE,
            &["GET"],
            "/ops/reports/<int:report_id>",
            ("backoffice/reports.py", 11, "ReportAPI.get"),
            &[report_view, operator],
            &[backoffice_limit],
            None,
        ),
        row(
            BACKOFFICE,
            &["GET"],
            "/ops/reports/latest",
            ("backoffice/reports.py", 22, "latest"),
            &[operator],
            &[backoffice_limit],
            None,
        ),
        row(
            BACKOFFICE,
            &["POST"],
            "/ops/restart",
            ("backoffice/ops.py", 16, "restart"),
            &[operator],
            &[backoffice_limit],
            None,
        ),
        row_with_guards(
            FLOWS,
            &["DELETE"],
            "/flows/{flow_id}",
            ("flows/__init__.py", 33, "delete_flow"),
            json!([token_validation]),
            false,
            None,
        ),
        row_with_guards(
            FLOWS,
            &["GET"],
            "/metrics",
            ("flows/__init__.py", 37, "metrics"),
            json!([token_validation, metrics_auth]),
            true,
            Some("str"),
        ),
        row(
            SHOP,
            &["GET"],
            "/health",
            ("shop/main.py", 12, "health"),
            &[],
            &[],
            Some("dict[str, str]"),
        ),
        row(
            SHOP,
            &["GET"],
            "/v1/api/admin/users",
            ("shop/api/endpoints/admin.py", 11, "list_users"),
            &[superuser],
            &[],
            Some("list[User]"),
        ),
        row(
            SHOP,
            &["POST"],
            "/v1/api/admin/users/{user_id}/ban",
            ("shop/api/endpoints/admin.py", 16, "ban_user"),
            &[superuser],
            &[(
                "Depends(RateLimiter(times=10, minutes=1))",
                "route",
                None,
                false,
            )],
            None,
        ),
        row(
            SHOP,
            &["POST"],
            "/v1/api/auth/token",
            ("shop/api/endpoints/auth.py", 15, "login"),
            &[],
            &[("@limiter.limit(\"5/minute\")", "decorator", None, false)],
            Some("Token"),
        ),
        row(
            SHOP,
            &["POST"],
            "/v1/api/catalog/items",
            ("shop/api/endpoints/catalog.py", 12, "create_item"),
            &[],
            &[],
            None,
        ),
        row(
            SHOP,
            &["GET"],
            "/v1/api/catalog/items/{item_id}",
            ("shop/api/endpoints/catalog.py", 7, "read_item"),
            &[],
            &[],
            Some("dict"),
        ),
        row(
            SHOP,
            &["GET"],
            "/v1/api/users/me",
            ("shop/api/endpoints/users.py", 16, "read_me"),
            &[current_user, api_include],
            &[],
            Some("User"),
        ),
        row(
            SHOP,
            &["PUT", "PATCH"],
            "/v1/api/users/me",
            ("shop/api/endpoints/users.py", 21, "update_me"),
            &[current_user, api_include],
            &[],
            Some("User"),
        ),
        row(
            SHOP,
            &["GET"],
            "/v1/api/users/{user_id}/addresses/",
            ("shop/api/endpoints/addresses.py", 10, "list_addresses"),
            &[owner_include, api_include],
            &[],
            Some("list[Address]"),
        ),
        row(
            SHOP,
            &["DELETE"],
            "/v1/api/users/{user_id}/addresses/{address_id}",
            ("shop/api/endpoints/addresses.py", 15, "delete_address"),
            &[owner_include, api_include],
            &[],
            None,
        ),
    ]
}

#[test]
fn json_lists_every_route_with_what_protects_it() {
    let actual: Vec<Value> = serde_json::from_str(&routes("json")).expect("valid JSON");
    let expected = expected_rows();
    for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(
            a,
            e,
            "row {i} differs:\nactual   {}\nexpected {}",
            serde_json::to_string_pretty(a).unwrap(),
            serde_json::to_string_pretty(e).unwrap()
        );
    }
    assert_eq!(actual.len(), expected.len(), "number of routes");
}

#[test]
fn text_is_the_table() {
    assert_eq!(routes("text"), routes("table"));
}

#[test]
fn table_groups_routes_by_application() {
    let table = routes("table");
    let expected = r#"backoffice.create_app().app
  GET     /
          handler  backoffice/__init__.py:16 index()
          auth     NONE: anyone can call it
          limit    limiter default_limits=["100 per hour"] [app backoffice.create_app().app]
  DELETE  /ops/reports/<int:report_id>
          handler  backoffice/reports.py:14 ReportAPI.delete()
          auth     @login_required [view ReportAPI]; before_request require_operator [hook backoffice.ops.ops]
          limit    limiter default_limits=["100 per hour"] [app backoffice.create_app().app]
  GET     /ops/reports/<int:report_id>
          handler  backoffice/reports.py:11 ReportAPI.get()
          auth     @login_required [view ReportAPI]; before_request require_operator [hook backoffice.ops.ops]
          limit    limiter default_limits=["100 per hour"] [app backoffice.create_app().app]
  GET     /ops/reports/latest
          handler  backoffice/reports.py:22 latest()
          auth     before_request require_operator [hook backoffice.ops.ops]
          limit    limiter default_limits=["100 per hour"] [app backoffice.create_app().app]
  POST    /ops/restart
          handler  backoffice/ops.py:16 restart()
          auth     before_request require_operator [hook backoffice.ops.ops]
          limit    limiter default_limits=["100 per hour"] [app backoffice.create_app().app]

flows.create_app().app
  DELETE  /flows/{flow_id}
          handler  flows/__init__.py:33 delete_flow()
          auth     CONDITIONAL: http middleware token_validation [middleware flows.create_app().app, only if auth_string is not None]
          limit    none
  GET     /metrics
          handler  flows/__init__.py:37 metrics()
          auth     http middleware token_validation [middleware flows.create_app().app, only if auth_string is not None]; middleware MetricsAuthMiddleware [middleware flows.create_app().app]
          limit    none
          returns  str

shop.main.app
  GET     /health
          handler  shop/main.py:12 health()
          auth     NONE: anyone can call it
          limit    none
          returns  dict[str, str]
  GET     /v1/api/admin/users
          handler  shop/api/endpoints/admin.py:11 list_users()
          auth     Depends(get_current_superuser) [router shop.api.endpoints.admin.router, checks role]
          limit    none
          returns  list[User]
  POST    /v1/api/admin/users/{user_id}/ban
          handler  shop/api/endpoints/admin.py:16 ban_user()
          auth     Depends(get_current_superuser) [router shop.api.endpoints.admin.router, checks role]
          limit    Depends(RateLimiter(times=10, minutes=1)) [route]
  POST    /v1/api/auth/token
          handler  shop/api/endpoints/auth.py:15 login()
          auth     NONE: anyone can call it
          limit    @limiter.limit("5/minute") [decorator]
          returns  Token
  POST    /v1/api/catalog/items
          handler  shop/api/endpoints/catalog.py:12 create_item()
          auth     NONE: anyone can call it
          limit    none
  GET     /v1/api/catalog/items/{item_id}
          handler  shop/api/endpoints/catalog.py:7 read_item()
          auth     NONE: anyone can call it
          limit    none
          returns  dict
  GET     /v1/api/users/me
          handler  shop/api/endpoints/users.py:16 read_me()
          auth     CurrentUser [parameter]; Depends(get_current_user) [include shop.api.router.api_router]
          limit    none
          returns  User
  PUT,PATCH /v1/api/users/me
          handler  shop/api/endpoints/users.py:21 update_me()
          auth     CurrentUser [parameter]; Depends(get_current_user) [include shop.api.router.api_router]
          limit    none
          returns  User
  GET     /v1/api/users/{user_id}/addresses/
          handler  shop/api/endpoints/addresses.py:10 list_addresses()
          auth     Depends(verify_owner) [include shop.api.endpoints.users.router]; Depends(get_current_user) [include shop.api.router.api_router]
          limit    none
          returns  list[Address]
  DELETE  /v1/api/users/{user_id}/addresses/{address_id}
          handler  shop/api/endpoints/addresses.py:15 delete_address()
          auth     Depends(verify_owner) [include shop.api.endpoints.users.router]; Depends(get_current_user) [include shop.api.router.api_router]
          limit    none

17 routes, 6 without authentication.
3 routes in test code not shown (--include-tests lists them).
"#;
    assert_eq!(table, expected);
}

/// Test code's stub applications and the routes tests add to the real application are left
/// out unless asked for.
#[test]
fn routes_in_test_code_are_listed_only_on_request() {
    let output = Command::new(env!("CARGO_BIN_EXE_routewarden"))
        .current_dir(project())
        .args([
            "routes",
            "--no-config",
            "--format",
            "json",
            "--include-tests",
            ".",
        ])
        .output()
        .expect("the routewarden binary runs");
    assert!(output.status.success());
    let all: Vec<Value> = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let shown: Vec<Value> = serde_json::from_str(&routes("json")).expect("valid JSON");
    let mut extra: Vec<(String, String)> = all
        .iter()
        .filter(|r| !shown.contains(r))
        .map(|r| {
            (
                r["app"].as_str().unwrap_or("-").to_string(),
                r["path"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    extra.sort();
    assert_eq!(
        extra,
        [
            ("shop.main.app", "/test-only/ping"),
            ("test_stub_api.stub", "/echo"),
            ("test_stub_api.stub", "/reset"),
        ]
        .map(|(a, p)| (a.to_string(), p.to_string()))
    );
    assert_eq!(all.len(), shown.len() + 3);
}

#[test]
fn markdown_has_one_row_per_route() {
    let expected = r#"| app | method | path | auth | rate limit | response model | handler |
|---|---|---|---|---|---|---|
| backoffice.create_app().app | GET | `/` | none | limiter default_limits=["100 per hour"] [app backoffice.create_app().app] | - | `backoffice/__init__.py:16` index |
| backoffice.create_app().app | DELETE | `/ops/reports/<int:report_id>` | @login_required [view ReportAPI]; before_request require_operator [hook backoffice.ops.ops] | limiter default_limits=["100 per hour"] [app backoffice.create_app().app] | - | `backoffice/reports.py:14` ReportAPI.delete |
| backoffice.create_app().app | GET | `/ops/reports/<int:report_id>` | @login_required [view ReportAPI]; before_request require_operator [hook backoffice.ops.ops] | limiter default_limits=["100 per hour"] [app backoffice.create_app().app] | - | `backoffice/reports.py:11` ReportAPI.get |
| backoffice.create_app().app | GET | `/ops/reports/latest` | before_request require_operator [hook backoffice.ops.ops] | limiter default_limits=["100 per hour"] [app backoffice.create_app().app] | - | `backoffice/reports.py:22` latest |
| backoffice.create_app().app | POST | `/ops/restart` | before_request require_operator [hook backoffice.ops.ops] | limiter default_limits=["100 per hour"] [app backoffice.create_app().app] | - | `backoffice/ops.py:16` restart |
| flows.create_app().app | DELETE | `/flows/{flow_id}` | http middleware token_validation [middleware flows.create_app().app, only if auth_string is not None] | none | - | `flows/__init__.py:33` delete_flow |
| flows.create_app().app | GET | `/metrics` | http middleware token_validation [middleware flows.create_app().app, only if auth_string is not None]; middleware MetricsAuthMiddleware [middleware flows.create_app().app] | none | str | `flows/__init__.py:37` metrics |
| shop.main.app | GET | `/health` | none | none | dict[str, str] | `shop/main.py:12` health |
| shop.main.app | GET | `/v1/api/admin/users` | Depends(get_current_superuser) [router shop.api.endpoints.admin.router, checks role] | none | list[User] | `shop/api/endpoints/admin.py:11` list_users |
| shop.main.app | POST | `/v1/api/admin/users/{user_id}/ban` | Depends(get_current_superuser) [router shop.api.endpoints.admin.router, checks role] | Depends(RateLimiter(times=10, minutes=1)) [route] | - | `shop/api/endpoints/admin.py:16` ban_user |
| shop.main.app | POST | `/v1/api/auth/token` | none | @limiter.limit("5/minute") [decorator] | Token | `shop/api/endpoints/auth.py:15` login |
| shop.main.app | POST | `/v1/api/catalog/items` | none | none | - | `shop/api/endpoints/catalog.py:12` create_item |
| shop.main.app | GET | `/v1/api/catalog/items/{item_id}` | none | none | dict | `shop/api/endpoints/catalog.py:7` read_item |
| shop.main.app | GET | `/v1/api/users/me` | CurrentUser [parameter]; Depends(get_current_user) [include shop.api.router.api_router] | none | User | `shop/api/endpoints/users.py:16` read_me |
| shop.main.app | PUT, PATCH | `/v1/api/users/me` | CurrentUser [parameter]; Depends(get_current_user) [include shop.api.router.api_router] | none | User | `shop/api/endpoints/users.py:21` update_me |
| shop.main.app | GET | `/v1/api/users/{user_id}/addresses/` | Depends(verify_owner) [include shop.api.endpoints.users.router]; Depends(get_current_user) [include shop.api.router.api_router] | none | list[Address] | `shop/api/endpoints/addresses.py:10` list_addresses |
| shop.main.app | DELETE | `/v1/api/users/{user_id}/addresses/{address_id}` | Depends(verify_owner) [include shop.api.endpoints.users.router]; Depends(get_current_user) [include shop.api.router.api_router] | none | - | `shop/api/endpoints/addresses.py:15` delete_address |
"#;
    assert_eq!(routes("markdown"), expected);
}

/// A factory's application that a module serves as built (`app = create_app()`) stays an
/// application of its own when test code also mounts it in another: both are listed.
#[test]
fn factory_app_mounted_by_tests_is_still_served_as_built() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/routes_test_mount");
    let listed = |extra: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_routewarden"))
            .current_dir(&dir)
            .args(["routes", "--no-config", "--format", "json", "."])
            .args(extra)
            .output()
            .expect("the routewarden binary runs");
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).expect("valid JSON");
        let mut listed: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r["app"].to_string(), r["path"].to_string()))
            .collect();
        listed.sort();
        listed
    };
    let served = (
        "\"svc.factory.create_app().app\"".to_string(),
        "\"/health\"".to_string(),
    );
    let in_tests = (
        "\"test_mounts.make_parent().parent\"".to_string(),
        "\"/svc/health\"".to_string(),
    );
    assert_eq!(listed(&["--include-tests"]), vec![served.clone(), in_tests]);
    // The test's parent application is test code, left out by default.
    assert_eq!(listed(&[]), vec![served]);
}

/// A WebSocket that, when the caller sent no credentials in the handshake and a setting does
/// not let anonymous callers in, accepts and refuses a bad first message (close and return):
/// protected, on the condition that the setting is off.
#[test]
fn websocket_first_message_auth_is_conditional_on_the_setting() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../routewarden_rules/fixtures/AUTH001/websocket_first_message_auth");
    let output = Command::new(env!("CARGO_BIN_EXE_routewarden"))
        .current_dir(dir)
        .args(["routes", "--no-config", "--format", "json", "."])
        .output()
        .expect("the routewarden binary runs");
    assert!(output.status.success());
    let all: Vec<Value> = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let live = all
        .iter()
        .find(|r| r["path"] == "/boards/{board_id}/live")
        .expect("the WebSocket route is listed");
    assert_eq!(
        live["auth"][0]["condition"],
        "if not settings.anonymous_readers"
    );
}

/// A route registered only under a setting says so (`exists only if ...` and `registered_if`),
/// and one registered only in debug or a development mode is marked development-only.
#[test]
fn routes_registered_under_a_condition_say_when_they_exist() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../routewarden_rules/fixtures/AUTH001/routes_registered_only_in_development");
    let run = |format: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_routewarden"))
            .current_dir(&dir)
            .args(["routes", "--no-config", "--format", format, "."])
            .output()
            .expect("the routewarden binary runs");
        assert!(output.status.success());
        String::from_utf8(output.stdout).expect("UTF-8 output")
    };
    let all: Vec<Value> = serde_json::from_str(&run("json")).expect("valid JSON");
    let when: Vec<(String, Value, Value)> = all
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap_or_default().to_string(),
                r["registered_if"].clone(),
                r["development_only"].clone(),
            )
        })
        .collect();
    assert_eq!(
        when,
        [
            ("/debug/flush".to_string(), json!("app.debug"), json!(true)),
            (
                "/dev/sleep".to_string(),
                json!("SERVER_DEV_MODE"),
                json!(true)
            ),
            ("/jobs/cancel".to_string(), json!(null), json!(false)),
            (
                "/reports/purge".to_string(),
                json!("os.environ.get(\"ENABLE_REPORTS\") == \"1\""),
                json!(false)
            ),
        ]
    );
    let table = run("table");
    assert!(table.contains(
        "  POST    /reports/purge\n          exists   only if os.environ.get(\"ENABLE_REPORTS\") == \"1\"\n"
    ));
    assert!(table.contains(
        "  POST    /debug/flush\n          exists   only in development or tests (app.debug)\n"
    ));
    let markdown = run("markdown");
    assert!(markdown.contains("`/dev/sleep`, only in development or tests (SERVER_DEV_MODE)"));
}
