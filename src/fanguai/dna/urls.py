from django.urls import path

from . import views

app_name = "dna"
urlpatterns = [
    # The laboratory (specimen numbers and genotypes, never identities)
    path("lab/", views.lab_home, name="lab"),
    path("lab/specimens/<str:number>/", views.lab_specimen, name="lab_specimen"),
    path("lab/specimens/<str:number>/custody/", views.lab_custody, name="lab_custody"),
    path("lab/specimens/<str:number>/delete-profile/", views.lab_delete_profile, name="lab_delete_profile"),
    path("lab/import/", views.import_profiles, name="import"),
    path("lab/candidates/", views.candidate_list, name="candidates"),
    path("lab/candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("lab/candidates/<int:pk>/review/", views.candidate_review, name="review"),
    path("lab/pedigrees/", views.pedigree_list, name="pedigrees"),
    path("lab/pedigrees/<int:pk>/", views.pedigree_detail, name="pedigree"),
    path("lab/settings/", views.analysis_settings, name="settings"),
    path("lab/runs/start/", views.run_start, name="run_start"),
    path("lab/runs/<int:pk>/", views.run_detail, name="run"),
    path("lab/export.csv", views.export_profiles, name="export"),
    # Case officers (persons and status, never genotypes)
    path("samples/", views.sample_list, name="samples"),
    path("samples/new/", views.sample_create, name="sample_create"),
    path("samples/<int:pk>/", views.sample_detail, name="sample"),
    path("samples/<int:pk>/custody/", views.sample_custody, name="sample_custody"),
    path("samples/<int:pk>/close/", views.sample_close, name="sample_close"),
    path("samples/<int:pk>/request-deletion/", views.sample_request_deletion, name="sample_request_deletion"),
    path("samples/<int:pk>/attach/", views.sample_attach, name="sample_attach"),
    path("requests/new/", views.request_create, name="request_create"),
    path("reunions/", views.reunion_list, name="reunions"),
    path("reunions/<int:pk>/", views.reunion_detail, name="reunion"),
    path("reunions/<int:pk>/record/", views.reunion_record, name="reunion_record"),
    path("statistics/", views.statistics, name="statistics"),
]
