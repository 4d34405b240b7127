"""User accounts: one's own profile, and colleagues' public details."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import User
from ..schemas import UserOut
from ..security import CurrentUser

router = APIRouter(prefix="/users", tags=["users"])
DB = Annotated[Session, Depends(get_db)]


class ProfileUpdate(BaseModel):
    """The only fields a user may change on their own account."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(min_length=1, max_length=255)


@router.get("/me", response_model=UserOut)
def read_me(user: CurrentUser) -> User:
    return user


@router.patch("/me", response_model=UserOut)
def update_me(changes: ProfileUpdate, user: CurrentUser, db: DB) -> User:
    user.full_name = changes.full_name
    db.commit()
    return user


@router.get("/{user_id}", response_model=UserOut)
def read_user(user_id: int, _: CurrentUser, db: DB) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return user
