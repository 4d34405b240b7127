from pydantic import BaseModel


class User(BaseModel):
    id: int
    email: str
    is_superuser: bool


class Address(BaseModel):
    id: int
    line: str


class Token(BaseModel):
    access_token: str
    token_type: str
