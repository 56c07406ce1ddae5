"""The API: one router per app, OpenAPI at /api/openapi.json (a contract, tested by snapshot)."""

from ninja import NinjaAPI

from .auth import AUTH
from .routers import org, people

api = NinjaAPI(
    title="fanguai API",
    version="1",
    auth=AUTH,
    urls_namespace="api",
    description="Anti-trafficking platform. Authenticate with a bearer token (`fanguai users token`) "
    "or a signed-in browser session.",
)
api.add_router("/", org.router)
api.add_router("/people", people.router)
