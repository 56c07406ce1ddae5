"""The API documentation page: Swagger UI from the platform's own static files (vendored in
static/vendor/swagger-ui, as every other asset: intranets have no internet) and its start-up code in a static
script, because the Content-Security-Policy allows no inline script. ninja's own Swagger page loads a CDN
unless ninja is an installed app, and its local variant still needs ninja's static files."""

from django.shortcuts import render
from ninja.openapi.docs import Swagger


class LocalSwagger(Swagger):
    template = "api/swagger.html"
    # validatorUrl None: Swagger UI would otherwise send the schema to validator.swagger.io for a badge.
    default_settings = {**Swagger.default_settings, "validatorUrl": None}

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"api": api, "swagger_settings": settings})
