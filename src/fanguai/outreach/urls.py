from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/rectified/", views.activity_rectified, name="rectified"),
    path("<int:pk>/attach/", views.activity_attach, name="attach"),
]
