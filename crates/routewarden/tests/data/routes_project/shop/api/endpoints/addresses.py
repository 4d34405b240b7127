from fastapi import APIRouter

from shop.deps import DbSession
from shop.schemas import Address

router = APIRouter(tags=["addresses"])


@router.get("/", response_model=list[Address])
def list_addresses(user_id: int, db: DbSession):
    return []


@router.delete("/{address_id}", status_code=204)
def delete_address(user_id: int, address_id: int, db: DbSession) -> None:
    return None
