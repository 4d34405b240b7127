from fastapi import FastAPI

from shop.api.router import api_router
from shop.limits import limiter

app = FastAPI(title="Shop")
app.state.limiter = limiter
app.include_router(api_router, prefix="/v1")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
