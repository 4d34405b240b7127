from fastapi import FastAPI

from svc.factory import create_app


def make_parent():
    parent = FastAPI()
    parent.mount("/svc", create_app())
    return parent
