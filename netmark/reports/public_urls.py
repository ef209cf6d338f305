"""The public share page ``/r/<token>/`` (no sign-in), included at the site root."""

from django.urls import path

from netmark.reports import public_views

urlpatterns = [
    path("r/<str:token>/", public_views.shared_report, name="report_share"),
]
