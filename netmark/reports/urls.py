"""Reports pages, included at ``w/<slug>/reports/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path

from netmark.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("new/", views.report_create, name="report_create"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("<int:pk>/delete/", views.report_delete, name="report_delete"),
    path("<int:pk>/run/", views.report_run_now, name="report_run_now"),
    path("<int:pk>/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("<int:pk>/runs/<int:run_id>/pdf/", views.run_pdf, name="run_pdf"),
    path("<int:pk>/runs/<int:run_id>/share/", views.run_share, name="run_share"),
    path("<int:pk>/runs/<int:run_id>/shares/<int:share_id>/revoke/", views.share_revoke, name="share_revoke"),
]
