from django.urls import path

from . import views

app_name = "clues"
urlpatterns = [
    path("", views.clue_list, name="list"),
    path("new/", views.clue_create, name="create"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.xlsx", views.statistics_export, name="statistics_export"),
    path("rewards/", views.reward_list, name="rewards"),
    path("rewards/<int:pk>/decide/", views.reward_decide, name="reward_decide"),
    path("rewards/<int:pk>/pay/", views.reward_pay, name="reward_pay"),
    path("<int:pk>/", views.clue_detail, name="detail"),
    path("<int:pk>/reporter/", views.clue_reporter, name="reporter"),
    path("<int:pk>/triage/", views.clue_triage, name="triage"),
    path("<int:pk>/transfer/", views.clue_transfer, name="transfer"),
    path("<int:pk>/acknowledge/", views.clue_acknowledge, name="acknowledge"),
    path("<int:pk>/outcome/", views.clue_outcome, name="outcome"),
    path("<int:pk>/message/", views.clue_message, name="message"),
    path("<int:pk>/note/", views.clue_note, name="note"),
    path("<int:pk>/attach/", views.clue_attach, name="attach"),
    path("<int:pk>/close/", views.clue_close, name="close"),
    path("<int:pk>/reopen/", views.clue_reopen, name="reopen"),
    path("<int:pk>/merge/", views.clue_merge, name="merge"),
    path("<int:pk>/reward/", views.reward_propose, name="reward_propose"),
]
