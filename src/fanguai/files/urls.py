from django.urls import path

from . import views

app_name = "files"
urlpatterns = [
    path("<uuid:pk>/", views.download, name="download"),
    path("<uuid:pk>/delete/", views.delete, name="delete"),
]
