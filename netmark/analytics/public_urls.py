"""Public ingestion: the Plausible and Umami compatible endpoints (no sign-in, CORS open)."""

from django.urls import path

from netmark.analytics import public_views

urlpatterns = [
    path("api/event", public_views.plausible_event, name="analytics_event"),
    path("api/send", public_views.umami_send, name="analytics_send"),
]
