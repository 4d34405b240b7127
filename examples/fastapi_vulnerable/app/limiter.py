"""The rate limiter shared by the routers (slowapi)."""

from fastapi import Request
from slowapi import Limiter


def client_address(request: Request) -> str:
    # We run behind a load balancer, so the socket address is always the balancer's.
    forwarded = request.headers.get("X-Forwarded-For")
    return forwarded.split(",")[0].strip() if forwarded else request.client.host


limiter = Limiter(key_func=client_address)  # expect: RATE003
