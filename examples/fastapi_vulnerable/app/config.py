"""Application settings, read from the environment (prefix LEDGER_) and from .env."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_file=".env")

    app_name: str = "Ledger API"
    database_url: str = "sqlite:///./ledger.db"
    # Overridden per deployment; the default lets any front-end talk to the API.
    cors_origins: list[str] = ["*"]
    access_token_expire_minutes: int = 30
    refresh_token_expire_days: int = 14
    refresh_token_secret: str = "change-me"  # expect: SECRET002
    login_rate_limit: str = "5/minute"
    payments_webhook_secret: str
    trusted_proxy_header: str = "X-Forwarded-For"


@lru_cache
def get_settings() -> Settings:
    return Settings()
