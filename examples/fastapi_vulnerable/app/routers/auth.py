"""Registration, login and token refresh."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import get_settings
from ..database import get_db
from ..limiter import limiter
from ..models import User
from ..schemas import RefreshRequest, Token, UserCreate, UserOut
from ..security import (
    authenticate,
    create_access_token,
    create_refresh_token,
    hash_password,
    refresh_token_subject,
)

router = APIRouter(prefix="/auth", tags=["auth"])


@limiter.limit("10/hour")
@router.post("/register", response_model=UserOut, status_code=201)  # expect: RATE002
def register(
    request: Request, payload: UserCreate, db: Annotated[Session, Depends(get_db)]
) -> User:
    if db.scalar(select(User).where(User.email == payload.email)) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered")
    user = User(
        email=payload.email,
        full_name=payload.full_name,
        hashed_password=hash_password(payload.password),
    )
    db.add(user)
    db.commit()
    return user


@router.post("/token", response_model=Token)
@limiter.limit(get_settings().login_rate_limit)
def login(
    request: Request,
    response: Response,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    db: Annotated[Session, Depends(get_db)],
) -> Token:
    user = authenticate(db, form.username, form.password)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect email or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = Token(
        access_token=create_access_token(str(user.id)),
        refresh_token=create_refresh_token(str(user.id)),
    )
    # The single-page front-end reads the session from a cookie.
    response.set_cookie("ledger_session", token.access_token)  # expect: SESS003
    return token


@router.post("/refresh", response_model=Token)
@limiter.limit(get_settings().login_rate_limit)
def refresh(request: Request, body: RefreshRequest) -> Token:
    subject = refresh_token_subject(body.refresh_token)
    return Token(
        access_token=create_access_token(subject),
        refresh_token=create_refresh_token(subject),
    )
