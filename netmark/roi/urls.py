"""roi pages, included at ``w/<slug>/roi/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path
from django.views.generic import RedirectView

from netmark.roi import attribution_views, evaluation_views, views

app_name = "roi"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="roi:cost_list")),
    path("costs/", views.cost_list, name="cost_list"),
    path("costs/new/", views.cost_create, name="cost_create"),
    path("costs/export/", views.cost_export, name="cost_export"),
    path("costs/<int:pk>/edit/", views.cost_edit, name="cost_edit"),
    path("costs/<int:pk>/delete/", views.cost_delete, name="cost_delete"),
    path("cost-imports/", views.import_list, name="import_list"),
    path("cost-imports/new/", views.import_upload, name="import_upload"),
    path("cost-imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("cost-imports/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("cost-imports/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("cost-mappings/", views.mapping_list, name="mapping_list"),
    path("cost-mappings/new/", views.mapping_create, name="mapping_create"),
    path("cost-mappings/export/", views.mapping_export, name="mapping_export"),
    path("cost-mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
    path("currency-rates/", views.rate_list, name="rate_list"),
    path("currency-rates/export/", views.rate_export, name="rate_export"),
    path("currency-rates/<int:pk>/delete/", views.rate_delete, name="rate_delete"),
    path("plans/<int:pk>/", evaluation_views.plan_evaluation, name="plan_evaluation"),
    path("plans/<int:pk>/export/", evaluation_views.plan_evaluation_export, name="plan_evaluation_export"),
    path(
        "plans/<int:pk>/evaluations/",
        evaluation_views.plan_evaluations_create,
        name="plan_evaluations_create",
    ),
    path("channels/", evaluation_views.channel_performance, name="channel_performance"),
    path("channels/export/", evaluation_views.channel_performance_export, name="channel_performance_export"),
    path("attribution/", attribution_views.attribution_page, name="attribution"),
    path("attribution/<slug:table>.csv", attribution_views.attribution_csv, name="attribution_csv"),
    path("similar-lessons/", evaluation_views.similar_lessons, name="similar_lessons"),
    path("evaluations/", evaluation_views.evaluation_list, name="evaluation_list"),
    path("evaluations/export/", evaluation_views.evaluation_export, name="evaluation_export"),
    path("evaluations/<int:pk>/", evaluation_views.evaluation_detail, name="evaluation_detail"),
]
