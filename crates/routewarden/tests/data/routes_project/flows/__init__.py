import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware


class MetricsAuthMiddleware(BaseHTTPMiddleware):
    """Guards /metrics only."""

    async def dispatch(self, request: Request, call_next):
        if not request.url.path.startswith("/metrics"):
            return await call_next(request)
        if request.headers.get("authorization") is None:
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        return await call_next(request)


def create_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(MetricsAuthMiddleware)
    auth_string = os.environ.get("API_AUTH_STRING")

    if auth_string is not None:

        @app.middleware("http")
        async def token_validation(request: Request, call_next):
            if request.headers.get("authorization") != auth_string:
                return JSONResponse({"detail": "unauthorized"}, status_code=401)
            return await call_next(request)

    @app.delete("/flows/{flow_id}")
    async def delete_flow(flow_id: str) -> None:
        return None

    @app.get("/metrics")
    async def metrics() -> str:
        return ""

    return app
