"""Application settings, read from the environment (prefix LEDGER_) and from .env."""

from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Keys and secrets have no default: when one is missing from the environment the
    application stops at start-up instead of running with a value published in the source."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_file=".env")

    app_name: str = "Ledger API"
    debug: bool = False
    database_url: str = "sqlite:///./ledger.db"
    cors_origins: list[str] = ["https://app.ledger.example"]
    access_token_expire_minutes: int = 30
    refresh_token_expire_days: int = 14
    integration_token_expire_days: int = 90
    jwt_algorithm: str = "HS256"
    jwt_secret_key: SecretStr
    refresh_token_secret: SecretStr
    legacy_session_secret: SecretStr
    payments_webhook_secret: SecretStr
    ops_dashboard_api_key: SecretStr
    login_rate_limit: str = "5/minute"


@lru_cache
def get_settings() -> Settings:
    return Settings()
