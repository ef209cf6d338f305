"""Public short links: ``/s/<code>`` (no sign-in), included at the site root."""

from django.urls import path

from netmark.links import public_views

urlpatterns = [
    path("s/<str:code>", public_views.short_link, name="short_link"),
]
