from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from shop.schemas import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/api/auth/token")


def get_db():
    yield None


def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    return User(id=1, email="someone@example.com", is_superuser=False)


def get_current_superuser(user: Annotated[User, Depends(get_current_user)]) -> User:
    if not user.is_superuser:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)
    return user


def verify_owner(user_id: int, user: Annotated[User, Depends(get_current_user)]) -> None:
    if user.id != user_id:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)


CurrentUser = Annotated[User, Depends(get_current_user)]
DbSession = Annotated[object, Depends(get_db)]
