"""Back-office operations for the support team: administrators only."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import User
from ..security import require_superuser

router = APIRouter(
    prefix="/admin", tags=["admin"], dependencies=[Depends(require_superuser)]
)


@router.post("/users/{user_id}/deactivate", status_code=status.HTTP_204_NO_CONTENT)
def deactivate_user(user_id: int, db: Annotated[Session, Depends(get_db)]) -> None:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    user.is_active = False
    db.commit()
