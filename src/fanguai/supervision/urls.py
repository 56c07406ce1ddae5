from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("listings/", views.listing_list, name="listing_list"),
    path("listings/export.xlsx", views.listing_export, name="listing_export"),
    path("listings/new/", views.listing_create, name="listing_create"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/edit/", views.listing_edit, name="listing_edit"),
    path("listings/<int:pk>/report/", views.listing_report, name="listing_report"),
    path("listings/<int:pk>/attach/", views.listing_attach, name="listing_attach"),
    path("listings/<int:pk>/lift/", views.listing_lift_request, name="listing_lift_request"),
    path("listings/<int:pk>/lift/decide/", views.listing_lift_decide, name="listing_lift_decide"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/export.xlsx", views.inspection_export, name="inspection_export"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/record/", views.inspection_record_past, name="inspection_record_past"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/conduct/", views.inspection_conduct, name="inspection_conduct"),
    path("inspections/<int:pk>/close/", views.inspection_close, name="inspection_close"),
    path("inspections/<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/rectify/", views.rectification_create, name="rectification_create"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/report/", views.rectification_report, name="rectification_report"),
    path("rectifications/<int:pk>/review/", views.rectification_review, name="rectification_review"),
    path("reports/<slug:kind>/<int:pk>/correct/", views.report_correct, name="report_correct"),
    path("reports/<slug:kind>/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
]
