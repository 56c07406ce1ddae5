from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.evaluation_list, name="evaluations"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/close/", views.evaluation_close, name="evaluation_close"),
    path("evaluations/<int:pk>/report.pdf", views.evaluation_pdf, name="evaluation_pdf"),
    path("self-assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessment/", views.assessment_results, name="results"),
    path("assessment/results/<int:pk>/veto/", views.assessment_veto, name="veto"),
    path("commendations/new/", views.commendation_create, name="commendation_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
