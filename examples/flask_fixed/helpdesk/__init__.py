"""Helpdesk: a small support-ticket application (Flask, SQLAlchemy, Flask-Login)."""

import os

from flask import Flask, redirect, url_for

from .config import config_by_name
from .extensions import csrf, db, limiter, login_manager


def create_app(config_name: str | None = None) -> Flask:
    config_name = config_name or os.environ.get("HELPDESK_CONFIG", "production")
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_by_name[config_name])
    app.config.from_pyfile("helpdesk.cfg", silent=True)
    for key in ("SECRET_KEY", "SECURITY_PASSWORD_SALT"):
        if not app.config.get(key):
            raise RuntimeError(f"{key} is not set; export it before starting Helpdesk")

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from . import auth, tickets, widget

    app.register_blueprint(auth.bp)
    app.register_blueprint(tickets.bp)
    # The widget's posts are same-origin and carry the CSRF token in the X-CSRFToken header.
    app.register_blueprint(widget.bp)

    @app.route("/")
    def index():
        return redirect(url_for("tickets.index"))

    @app.route("/healthz")
    def healthz():
        return {"status": "ok"}

    with app.app_context():
        db.create_all()

    return app
