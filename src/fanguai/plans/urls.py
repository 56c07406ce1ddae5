from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_tree, name="tree_current"),
    path("p/<slug:code>/", views.plan_tree, name="tree"),
    path("work-plans/", views.workplan_list, name="workplan_list"),
    path("work-plans/new/", views.workplan_create, name="workplan_create"),
    path("work-plans/<int:pk>/", views.workplan_detail, name="workplan_detail"),
    path("work-plans/<int:pk>/edit/", views.workplan_edit, name="workplan_edit"),
    path("work-plans/<int:pk>/items/new/", views.item_create, name="item_create"),
    path("work-plans/<int:pk>/submit/", views.workplan_submit, name="workplan_submit"),
    path(
        "work-plans/<int:pk>/approve/",
        views.workplan_review,
        {"decision": "approve"},
        name="workplan_approve",
    ),
    path(
        "work-plans/<int:pk>/return/", views.workplan_review, {"decision": "return"}, name="workplan_return"
    ),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:pk>/report/", views.report_create, name="report_create"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/attach/", views.report_attach, name="report_attach"),
    path("reports/<int:pk>/correct/", views.report_correct, name="report_correct"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
    path("reports/<int:pk>/accept/", views.report_accept, name="report_accept"),
    path("overview/", views.overview, name="overview"),
]
