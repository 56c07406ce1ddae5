from django.urls import path, re_path

from . import public_views

app_name = "public_alerts"
urlpatterns = [
    path("", public_views.alert_list, name="list"),
    path("feed.atom", public_views.atom_feed, name="feed"),
    path("subscribe/", public_views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", public_views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    re_path(r"^(?P<identifier>[A-Za-z0-9-]+)\.cap$", public_views.cap_document, name="cap"),
    path("<slug:code>/", public_views.alert_detail, name="detail"),
    path("<slug:code>/photo.jpg", public_views.alert_photo, name="photo"),
]
