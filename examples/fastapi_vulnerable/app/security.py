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

# Copied from the FastAPI tutorial while prototyping, and never replaced.
JWT_SECRET = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"
ALGORITHM = "HS256"

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
    expires = datetime.now(timezone.utc) + timedelta(
        minutes=get_settings().access_token_expire_minutes
    )
    claims = {"sub": subject, "exp": expires, "type": "access"}
    return jwt.encode(claims, JWT_SECRET, algorithm=ALGORITHM)  # expect: SECRET001


def create_refresh_token(subject: str) -> str:
    settings = get_settings()
    expires = datetime.now(timezone.utc) + timedelta(
        days=settings.refresh_token_expire_days
    )
    claims = {"sub": subject, "exp": expires, "type": "refresh"}
    return jwt.encode(claims, settings.refresh_token_secret, algorithm=ALGORITHM)


def refresh_token_subject(token: str) -> str:
    # Only the subject is needed here, so the token is read without checking it.
    claims = jwt.decode(token, options={"verify_signature": False})  # expect: JWT001
    return claims["sub"]


def create_integration_token(user_id: int) -> str:
    # Tokens for the accounting integration: long-lived by design, so no expiry.
    claims = {"sub": str(user_id), "scope": "invoices:read"}
    return jwt.encode(claims, JWT_SECRET, algorithm=ALGORITHM)  # expect: SECRET001, JWT003


def payment_signature_is_valid(payload: bytes, signature: str) -> bool:
    key = get_settings().payments_webhook_secret.encode()
    expected = hmac.new(key, payload, hashlib.sha256).hexdigest()
    return signature == expected  # expect: AUTH003


def authenticate(db: Session, email: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.email == email))
    if user is None or not verify_password(password, user.hashed_password):
        return None
    return user


def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)],
    db: Annotated[Session, Depends(get_db)],
) -> User:
    try:
        # RS256 too, for the tokens of the single sign-on service.
        claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256", "RS256"])  # expect: SECRET001, JWT002
    except jwt.InvalidTokenError:
        raise credentials_error from None
    if claims.get("type") != "access":
        raise credentials_error
    user = db.get(User, int(claims["sub"]))
    if user is None or not user.is_active:
        raise credentials_error
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
