from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("from-clue/<int:clue_pk>/", views.case_from_clue, name="from_clue"),
    path("link-clue/<int:clue_pk>/", views.clue_to_case, name="clue_to_case"),
    path("clearance/", views.clearance, name="clearance"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/status/", views.case_status, name="status"),
    path("<int:pk>/responsibility/", views.case_responsibility, name="responsibility"),
    path("<int:pk>/parties/", views.party_add, name="party_add"),
    path("<int:pk>/events/", views.event_add, name="event_add"),
    path("<int:pk>/clues/", views.clue_link, name="clue_link"),
    path("<int:pk>/attach/", views.case_attach, name="attach"),
    path("packages/<int:pk>/", views.package_update, name="package"),
]
