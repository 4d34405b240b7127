"""Signed, expiring tokens for e-mail confirmation links."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=current_app.config["SECURITY_PASSWORD_SALT"],
    )


def confirmation_token(email: str) -> str:
    return _serializer().dumps(email)


def confirmed_email(token: str, max_age: int = 3600) -> str | None:
    try:
        return _serializer().loads(token, max_age=max_age)
    except BadSignature:
        return None
