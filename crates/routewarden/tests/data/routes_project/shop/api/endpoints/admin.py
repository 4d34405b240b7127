from fastapi import APIRouter, Depends
from fastapi_limiter.depends import RateLimiter

from shop.deps import get_current_superuser
from shop.schemas import User

router = APIRouter(prefix="/admin", dependencies=[Depends(get_current_superuser)])


@router.get("/users", response_model=list[User])
def list_users():
    return []


@router.post("/users/{user_id}/ban", dependencies=[Depends(RateLimiter(times=10, minutes=1))])
def ban_user(user_id: int):
    return {"banned": user_id}
