"""The application: settings, middleware, routers, the public widget API and the legacy app."""

from a2wsgi import WSGIMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi import _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded

from .config import get_settings
from .database import Base, engine
from .legacy import legacy_app
from .limiter import limiter
from .routers import admin, auth, exports, internal, invoices, public, users

settings = get_settings()

# Debug comes from LEDGER_DEBUG, off unless a developer sets it.
app = FastAPI(title=settings.app_name, debug=settings.debug)

app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    # The preview deployments of the front-end, one subdomain per branch.
    allow_origin_regex=r"https://[a-z0-9-]+\.preview\.ledger\.example",
    allow_credentials=True,
    allow_methods=["GET", "POST", "PATCH", "DELETE"],
    allow_headers=["Authorization", "Content-Type"],
)

app.include_router(auth.router)
app.include_router(users.router)
app.include_router(invoices.router)
app.include_router(admin.router)
app.include_router(exports.router)
app.include_router(internal.router)

# Read-only data for the payment widget that customers embed on their own sites: any site
# may read it, without credentials, which is what the widget is for.
widget_api = FastAPI(title="Ledger widget API")
widget_api.add_middleware(  # routewarden: ignore[CORS003] public, read-only, no credentials
    CORSMiddleware, allow_origins=["*"], allow_methods=["GET"]
)
widget_api.include_router(public.router)
app.mount("/widget", widget_api)
app.mount("/legacy", WSGIMiddleware(legacy_app))


@app.on_event("startup")
def create_tables() -> None:
    Base.metadata.create_all(bind=engine)


@app.get("/health", tags=["meta"])
def health() -> dict[str, str]:
    return {"status": "ok"}
