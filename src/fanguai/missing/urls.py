from django.urls import path

from . import views

app_name = "missing"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/attach/", views.report_attach, name="report_attach"),
    path("reports/<int:pk>/outcome/", views.report_outcome, name="report_outcome"),
    path("reports/<int:pk>/alert/", views.alert_create, name="alert_create"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/approve/", views.alert_approve, name="alert_approve"),
    path("alerts/<int:pk>/withdraw/", views.alert_withdraw, name="alert_withdraw"),
    path("alerts/<int:pk>/release/", views.alert_release, name="alert_release"),
    path("media/", views.release_queue, name="release_queue"),
    path("steps/", views.step_list, name="step_list"),
    path("steps/new/", views.step_edit, name="step_create"),
    path("steps/<int:pk>/", views.step_edit, name="step_edit"),
    path("subscribers/", views.subscriber_list, name="subscriber_list"),
    path("subscribers/new/", views.subscriber_create, name="subscriber_create"),
    path("subscribers/<int:pk>/toggle/", views.subscriber_toggle, name="subscriber_toggle"),
    path("unidentified/", views.unidentified_list, name="unidentified_list"),
    path("unidentified/new/", views.unidentified_create, name="unidentified_create"),
    path("unidentified/<int:pk>/", views.unidentified_detail, name="unidentified_detail"),
    path("unidentified/<int:pk>/status/", views.unidentified_status, name="unidentified_status"),
    path("unidentified/<int:pk>/sample/", views.unidentified_sample, name="unidentified_sample"),
    path("screenings/", views.screening_list, name="screening_list"),
    path("screenings/new/", views.screening_create, name="screening_create"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("screenings/<int:pk>/result/", views.screening_result, name="screening_result"),
    path("screenings/<int:pk>/sample/", views.screening_sample, name="screening_sample"),
    path("samples/", views.sample_list, name="sample_list"),
    path("samples/<int:pk>/hand-over/", views.sample_hand_over, name="sample_hand_over"),
]
