from django.urls import include, path
from django.views.i18n import set_language

from fanguai.api.urls import api

urlpatterns = [
    path("", include("fanguai.core.urls")),
    path("accounts/", include("fanguai.accounts.urls")),
    path("audit/", include("fanguai.audit.urls")),
    path("people/", include("fanguai.people.urls")),
    path("files/", include("fanguai.files.urls")),
    path("inbox/", include("fanguai.notifications.urls")),
    path("deadlines/", include("fanguai.deadlines.urls")),
    path("plan/", include("fanguai.plans.urls")),
    path("supervision/", include("fanguai.supervision.urls")),
    path("clues/", include("fanguai.clues.urls")),
    path("report/", include("fanguai.clues.public_urls")),
    path("dna/", include("fanguai.dna.urls")),
    path("cases/", include("fanguai.cases.urls")),
    path("missing/", include("fanguai.missing.urls")),
    path("alerts/", include("fanguai.missing.public_urls")),
    path("assistance/", include("fanguai.assistance.urls")),
    path("activities/", include("fanguai.outreach.urls")),
    path("reports/", include("fanguai.reports.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
]

handler403 = "fanguai.core.errors_views.forbidden"
handler404 = "fanguai.core.errors_views.not_found"
