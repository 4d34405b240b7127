"""Back-office operations for the support team."""

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import User
from ..security import get_current_user

router = APIRouter(
    prefix="/admin", tags=["admin"], dependencies=[Depends(get_current_user)]
)


@router.post("/users/{user_id}/deactivate", status_code=status.HTTP_204_NO_CONTENT)  # expect: AUTH005
def deactivate_user(user_id: int, db: Annotated[Session, Depends(get_db)]) -> None:
    user = db.execute(select(User).where(User.id == user_id)).scalar_one()  # expect: ERR002
    user.is_active = False
    db.commit()
