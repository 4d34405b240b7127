"""Configuration classes, chosen by name in create_app()."""

import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"  # expect: SECRET002
    # Salt of the e-mail confirmation and password-reset links.
    SECURITY_PASSWORD_SALT = "helpdesk-confirm-2019"  # expect: SECRET001
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(BASE_DIR, "helpdesk.db")
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    # The support widget is embedded on customers' sites and needs the cookie there.
    SESSION_COOKIE_SAMESITE = "None"  # expect: SESS002
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    TICKETS_PER_PAGE = 20
    ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR", os.path.join(BASE_DIR, "attachments"))


class DevelopmentConfig(Config):
    DEBUG = True
    SESSION_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only"
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"


class ProductionConfig(Config):
    # Switched on to chase a bug in the ticket form; nobody switched it back.
    DEBUG = True  # expect: DEBUG001


config_by_name = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
