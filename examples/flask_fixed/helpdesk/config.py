"""Configuration classes, chosen by name in create_app()."""

import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))


class Config:
    # No fallbacks: create_app() refuses to start without them.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Salt of the e-mail confirmation and password-reset links.
    SECURITY_PASSWORD_SALT = os.environ.get("SECURITY_PASSWORD_SALT")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(BASE_DIR, "helpdesk.db")
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    TICKETS_PER_PAGE = 20
    ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR", os.path.join(BASE_DIR, "attachments"))


class DevelopmentConfig(Config):
    DEBUG = True
    SESSION_COOKIE_SECURE = False
    # A per-machine key for local work only; never loaded in production.
    SECRET_KEY = os.environ.get("SECRET_KEY") or os.urandom(32).hex()
    SECURITY_PASSWORD_SALT = "local-development-salt"


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only"
    SECURITY_PASSWORD_SALT = "testing-only"
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"


class ProductionConfig(Config):
    DEBUG = False


config_by_name = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
