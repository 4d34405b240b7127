"""User accounts: one's own profile, and colleagues' public details."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import User
from ..schemas import UserOut
from ..security import CurrentUser

router = APIRouter(prefix="/users", tags=["users"])
DB = Annotated[Session, Depends(get_db)]


@router.get("/me", response_model=UserOut)
def read_me(user: CurrentUser) -> User:
    return user


@router.patch("/me", response_model=UserOut)
def update_me(changes: dict[str, Any], user: CurrentUser, db: DB) -> User:  # expect: VAL001
    for field, value in changes.items():  # expect: VAL002
        setattr(user, field, value)
    db.commit()
    return user


@router.get("/{user_id}")  # expect: RESP001
def read_user(user_id: int, _: CurrentUser, db: DB):
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return user
