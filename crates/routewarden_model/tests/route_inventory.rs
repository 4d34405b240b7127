//! The route inventory for shapes of registration found in session 22's applications:
//! applications built inline as an argument, route lists rebound under an `if`, endpoints
//! imported from outside the analysed code, Starlette `WebSocketEndpoint` classes and
//! flask-sock WebSocket routes.

use routewarden_model::security::AttackSurface;
use routewarden_model::{InputFile, ProjectModel};

/// The model of a project made of one module, `app.py`.
fn one_file_model(source: &str) -> ProjectModel {
    ProjectModel::build(
        vec![InputFile {
            path: std::path::PathBuf::from("/project/app.py"),
            display: "app.py".to_string(),
            text: source.to_string(),
        }],
        &[],
    )
}

/// Every route: `app METHODS path handler auth`, the app `-` when the route is attached to
/// none, the auth the mechanisms that protect it (`-` for none); sorted.
fn routes(model: &ProjectModel) -> Vec<String> {
    let surface = AttackSurface::build(model, &Default::default(), &|_| false);
    let mut out: Vec<String> = surface
        .mounted
        .iter()
        .zip(&surface.security)
        .map(|(m, sec)| {
            let app = surface
                .apps
                .app_of(m)
                .map_or("-".to_string(), |a| surface.apps.display_object(a));
            let route = surface.route(m);
            let mut auth: Vec<&str> = sec.auth.iter().map(|p| p.mechanism.as_str()).collect();
            auth.sort();
            let auth = if auth.is_empty() {
                "-".to_string()
            } else {
                auth.join("+")
            };
            format!(
                "{app} {} {} {} {auth}",
                route.methods.join(","),
                m.full_path,
                route.handler.name
            )
        })
        .collect();
    out.sort();
    out
}

/// `uvicorn.run(Starlette(routes=routes))` in a function, and applications mounted inline
/// (`app.mount(path, Starlette(...))`, `Mount(path, app=Starlette(...))`): each is an
/// application, named for its constructor and line, with its routes.
#[test]
fn applications_built_as_arguments_have_their_routes() {
    let source = r#"
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount, Route


async def halt(request):
    return None


async def banner(request):
    return None


def start(prefix, port):
    routes = [Route(prefix + "halt", halt, methods=["POST"]), Route("/", banner)]
    uvicorn.run(Starlette(routes=routes), host="127.0.0.1", port=port)


site = Starlette(routes=[Mount("/sub", app=Starlette(routes=[Route("/a", halt)]))])
site.mount("/tools", Starlette(routes=[Route("/b", banner, methods=["PUT"])]))
"#;
    let model = one_file_model(source);
    assert_eq!(
        routes(&model),
        [
            "app.site GET /sub/a halt -",
            "app.site PUT /tools/b banner -",
            "app.start().<Starlette at line 17> GET / banner -",
            "app.start().<Starlette at line 17> POST <dynamic>halt halt -",
        ]
    );
}

/// `admin_routes = []`, rebound to a list of routes under an `if`, then spread into the
/// application's routes: the routes of every binding.
#[test]
fn a_route_list_rebound_under_an_if_keeps_its_routes() {
    let source = r#"
import os
from starlette.applications import Starlette
from starlette.routing import Route


async def home(request):
    return None


async def purge(request):
    return None


admin_routes = []
if os.environ.get("ADMIN") == "1":
    admin_routes = [Route("/tools/purge", purge, methods=["POST"])]
else:
    admin_routes = [Route("/tools/off", home)]

app = Starlette(routes=[*admin_routes, Route("/", home)])
"#;
    let model = one_file_model(source);
    assert_eq!(
        routes(&model),
        [
            "app.app GET / home -",
            "app.app GET /tools/off home -",
            "app.app POST /tools/purge purge -",
        ]
    );
}

/// Endpoints imported from a library outside the analysed code, in Starlette's `Route` and
/// Flask's `bp.route(path)(view)`: listed with a stand-in handler named by the import, judged
/// by what protects the route around it. A local function of the same name is the project's.
#[test]
fn endpoints_imported_from_libraries_are_listed_by_their_names() {
    let source = r#"
from flask import Blueprint, Flask
from starlette.applications import Starlette
from starlette.routing import Route

from sso_addon.flask import flask_purge
from sso_addon.starlette import sso_login, sso_purge


app = Starlette(
    routes=[
        Route("/sso/login", endpoint=sso_login),
        Route("/sso/purge", endpoint=sso_purge, methods=["POST"]),
    ]
)

bp = Blueprint("sso", __name__)
bp.route("/fsso/purge", methods=["POST"])(flask_purge)
flask_app = Flask(__name__)
flask_app.register_blueprint(bp)
"#;
    let model = one_file_model(source);
    assert_eq!(
        routes(&model),
        [
            "app.app GET /sso/login sso_addon.starlette.sso_login -",
            "app.app POST /sso/purge sso_addon.starlette.sso_purge -",
            "app.flask_app POST /fsso/purge sso_addon.flask.flask_purge -",
        ]
    );
}

/// `WebSocketRoute(path, EndpointClass)` with a `WebSocketEndpoint` subclass, and with an
/// instance whose `__call__` builds one: WebSocket routes handled by the class's callbacks
/// (`on_connect` first, where a guard closes the socket).
#[test]
fn websocket_endpoint_classes_are_websocket_routes() {
    let source = r#"
from starlette.applications import Starlette
from starlette.endpoints import WebSocketEndpoint
from starlette.routing import Route, WebSocketRoute


class ChatSocket(WebSocketEndpoint):
    async def on_connect(self, websocket):
        await websocket.accept()

    async def on_receive(self, websocket, data):
        await websocket.send_text(data)


class RpcSocket(WebSocketEndpoint):
    async def on_receive(self, websocket, data):
        await websocket.send_text(data)


class RpcFactory:
    def __call__(self, *args, **kwargs):
        sock = RpcSocket(*args, **kwargs)
        sock.factory = self
        return sock


async def index(request):
    return None


rpc = RpcFactory()
app = Starlette(
    routes=[
        Route("/", index),
        WebSocketRoute("/chat", ChatSocket),
        WebSocketRoute("/rpc", rpc),
    ]
)
"#;
    let model = one_file_model(source);
    assert_eq!(
        routes(&model),
        [
            "app.app GET / index -",
            "app.app WS /chat on_connect -",
            "app.app WS /rpc on_receive -",
        ]
    );
}

/// flask-sock: `@sock.route(path)` of `Sock()` bound with `sock.init_app(bp)`, and of
/// `Sock(app)`: WebSocket routes of that blueprint's application and of that application.
#[test]
fn flask_sock_routes_are_websocket_routes_of_the_bound_application() {
    let source = r#"
from flask import Blueprint, Flask
from flask_sock import Sock

bp = Blueprint("live", __name__)
bp_sock = Sock()


@bp_sock.route("/live/feed")
def feed(ws):
    ws.send(ws.receive())


@bp.route("/live")
def live_page():
    return "live"


bp_sock.init_app(bp)
app = Flask(__name__)
app.register_blueprint(bp)

other = Flask("other")
other_sock = Sock(other)


@other_sock.route("/echo")
def echo(ws):
    ws.send(ws.receive())
"#;
    let model = one_file_model(source);
    assert_eq!(
        routes(&model),
        [
            "app.app GET /live live_page -",
            "app.app WS /live/feed feed -",
            "app.other WS /echo echo -",
        ]
    );
}

/// A path from a variable read from the environment without a default, chosen by a
/// conditional expression on the variable (`"socket" if not env else env.strip("/")`): the
/// branch that applies when the variable is unset, as with `os.getenv("X", "socket")`.
#[test]
fn an_environment_path_with_a_conditional_default_is_the_default() {
    let source = r#"
import os

from fastapi import FastAPI, Request, WebSocket


def build_app():
    env_socket = os.getenv("GAME_SOCKET_PATH")
    socket_path = "socket" if not env_socket else env_socket.strip("/")
    env_upload = os.getenv("GAME_UPLOAD_PATH")
    upload_path = env_upload.strip("/") if env_upload else "upload"
    env_other = os.getenv("GAME_OTHER_PATH", "x")
    other_path = "other" if not env_other else env_other

    api = FastAPI()

    @api.websocket(f"/{socket_path}")
    async def play(websocket: WebSocket):
        await websocket.accept()

    @api.put(f"/{upload_path}")
    async def upload(request: Request):
        return {}

    @api.get(f"/{other_path}")
    async def other(request: Request):
        return {}

    return api


app = build_app()
"#;
    let model = one_file_model(source);
    assert_eq!(
        routes(&model),
        [
            "app.build_app().api GET /{…} other -",
            "app.build_app().api PUT /upload upload -",
            "app.build_app().api WS /socket play -",
        ]
    );
}
