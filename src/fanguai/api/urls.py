"""The API: one router per app, OpenAPI at /api/openapi.json (a contract, tested by snapshot)."""

from ninja import NinjaAPI

from .auth import AUTH
from .routers import assistance, clues, dna, org, people, plans, supervision
from .routers import cases as cases_router
from .routers import missing as missing_router

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
api.add_router("/plan", plans.router)
api.add_router("/supervision", supervision.router)
api.add_router("/clues", clues.router)
api.add_router("/dna", dna.router)
api.add_router("/assistance", assistance.router)
api.add_router("/cases", cases_router.router)
api.add_router("/missing", missing_router.router)
