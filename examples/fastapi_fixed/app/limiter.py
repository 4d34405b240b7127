"""The rate limiter shared by the routers (slowapi).

Keyed on the connection's address. Behind the load balancer, uvicorn runs with
`--proxy-headers --forwarded-allow-ips=<the balancer's address>`, so that address is the
client's as the balancer saw it, and a client cannot choose it by sending X-Forwarded-For."""

from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
