from fastapi import APIRouter, Depends

from shop.api.endpoints import addresses
from shop.deps import CurrentUser, verify_owner
from shop.schemas import User

router = APIRouter(tags=["users"])
router.include_router(
    addresses.router,
    prefix="/{user_id}/addresses",
    dependencies=[Depends(verify_owner)],
)


@router.get("/me")
def read_me(user: CurrentUser) -> User:
    return user


@router.api_route("/me", methods=["PUT", "PATCH"], response_model=User)
def update_me(user: CurrentUser, body: dict):
    return user
