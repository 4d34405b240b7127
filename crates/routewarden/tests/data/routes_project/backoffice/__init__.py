from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from .ops import ops

limiter = Limiter(get_remote_address, default_limits=["100 per hour"])


def create_app():
    app = Flask(__name__)
    limiter.init_app(app)
    app.register_blueprint(ops, url_prefix="/ops")

    @app.route("/")
    def index():
        return "backoffice"

    return app
