from fastapi import APIRouter

router = APIRouter(prefix="/catalog")


@router.get("/items/{item_id}")
def read_item(item_id: int) -> dict:
    return {"id": item_id}


@router.post("/items")
def create_item(body: dict):
    return body
