"""Password hashing, token issuing and the current-user dependency."""

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from passlib.context import CryptContext
from sqlalchemy import select
from sqlalchemy.orm import Session

from .config import get_settings
from .database import get_db
from .models import User

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")

credentials_error = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Could not validate credentials",
    headers={"WWW-Authenticate": "Bearer"},
)


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    return pwd_context.verify(password, hashed)


def create_access_token(subject: str) -> str:
    settings = get_settings()
    return jwt.encode(
        {
            "sub": subject,
            "type": "access",
            "exp": datetime.now(timezone.utc)
            + timedelta(minutes=settings.access_token_expire_minutes),
        },
        settings.jwt_secret_key.get_secret_value(),
        algorithm=settings.jwt_algorithm,
    )


def create_refresh_token(subject: str) -> str:
    settings = get_settings()
    return jwt.encode(
        {
            "sub": subject,
            "type": "refresh",
            "exp": datetime.now(timezone.utc)
            + timedelta(days=settings.refresh_token_expire_days),
        },
        settings.refresh_token_secret.get_secret_value(),
        algorithm=settings.jwt_algorithm,
    )


def refresh_token_subject(token: str) -> str:
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.refresh_token_secret.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
        )
    except jwt.InvalidTokenError:
        raise credentials_error from None
    if claims.get("type") != "refresh":
        raise credentials_error
    return claims["sub"]


def create_integration_token(user_id: int) -> str:
    # Tokens for the accounting integration: long-lived, but they do expire.
    settings = get_settings()
    return jwt.encode(
        {
            "sub": str(user_id),
            "scope": "invoices:read",
            "exp": datetime.now(timezone.utc)
            + timedelta(days=settings.integration_token_expire_days),
        },
        settings.jwt_secret_key.get_secret_value(),
        algorithm=settings.jwt_algorithm,
    )


def payment_signature_is_valid(payload: bytes, signature: str) -> bool:
    key = get_settings().payments_webhook_secret.get_secret_value().encode()
    expected = hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)


def authenticate(db: Session, email: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.email == email))
    if user is None or not verify_password(password, user.hashed_password):
        return None
    return user


def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)],
    db: Annotated[Session, Depends(get_db)],
) -> User:
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret_key.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
        )
    except jwt.InvalidTokenError:
        raise credentials_error from None
    if claims.get("type") != "access":
        raise credentials_error
    user = db.get(User, int(claims["sub"]))
    if user is None or not user.is_active:
        raise credentials_error
    return user


def require_superuser(user: Annotated[User, Depends(get_current_user)]) -> User:
    if not user.is_superuser:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Administrators only")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
