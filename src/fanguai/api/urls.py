"""The API: one router per app, OpenAPI at /api/openapi.json (a contract, tested by snapshot)."""

from ninja import NinjaAPI

from .auth import AUTH
from .docs import LocalSwagger
from .routers import assistance, clues, dna, org, people, plans, supervision
from .routers import cases as cases_router
from .routers import missing as missing_router
from .schemas import ErrorOut, ValidationErrorOut

REF = "#/components/schemas/{model}"

# The answers every operation may give besides its own, documented once for all (each with a JSON body).
ERROR_RESPONSES = {
    401: ("Not authenticated: no valid bearer token or signed-in session.", ErrorOut),
    403: ("The caller's role does not allow this.", ErrorOut),
    404: ("No such record, or not visible to the caller.", ErrorOut),
}
VALIDATION_RESPONSE = ("A parameter does not match the schema (type or range).", ValidationErrorOut)


def _json(description: str, model) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
    }


class FanguaiAPI(NinjaAPI):
    """NinjaAPI whose schema documents the error answers too (401, 403, 404 and, where an operation takes
    parameters, the 422 of a parameter out of its type or range), so that clients and the schemathesis run
    in CI can check them."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, ValidationErrorOut):
            model_schema = model.model_json_schema(ref_template=REF)
            components.update(model_schema.pop("$defs", {}))
            components[model.__name__] = model_schema
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, (description, model) in ERROR_RESPONSES.items():
                    responses.setdefault(status, _json(description, model))
                if operation.get("parameters"):
                    responses.setdefault(422, _json(*VALIDATION_RESPONSE))
        return schema


api = FanguaiAPI(
    title="fanguai API",
    version="1",
    auth=AUTH,
    urls_namespace="api",
    docs=LocalSwagger(),  # vendored Swagger UI, no inline script (api/docs.py)
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
