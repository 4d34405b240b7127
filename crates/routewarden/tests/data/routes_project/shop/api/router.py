from fastapi import APIRouter, Depends

from shop.api.endpoints import admin, auth, catalog, users
from shop.deps import get_current_user

api_router = APIRouter(prefix="/api")
api_router.include_router(auth.router)
api_router.include_router(users.router, prefix="/users", dependencies=[Depends(get_current_user)])
api_router.include_router(admin.router)
api_router.include_router(catalog.router)
