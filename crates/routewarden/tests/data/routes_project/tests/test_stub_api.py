from fastapi import FastAPI

from shop.main import app

# A stub application the tests build: not part of the attack surface.
stub = FastAPI()


@stub.get("/echo")
def echo(value: str):
    return {"value": value}


@stub.post("/reset")
def reset():
    return {}


# A route the tests add to the real application: not served in production either.
@app.get("/test-only/ping")
def ping():
    return "pong"
