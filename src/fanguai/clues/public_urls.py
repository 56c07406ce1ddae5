from django.urls import path

from . import public_views

app_name = "public_report"
urlpatterns = [
    path("", public_views.report, name="form"),
    path("follow-up/", public_views.follow_up, name="follow_up"),
    path("follow-up/report/", public_views.follow_up_detail, name="follow_up_detail"),
    path("follow-up/report/message/", public_views.follow_up_message, name="follow_up_message"),
    path("follow-up/report/claim/", public_views.follow_up_claim, name="follow_up_claim"),
    path("follow-up/leave/", public_views.follow_up_leave, name="follow_up_leave"),
]
