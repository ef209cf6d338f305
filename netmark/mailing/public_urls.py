"""The public one-click unsubscribe endpoint (no sign-in), included at the site root."""

from django.urls import path

from netmark.mailing import confirm_views, public_views

app_name = "mailing_public"

urlpatterns = [
    path("mail/unsubscribe/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path("mail/confirm/<str:token>/", confirm_views.confirm, name="confirm"),
]
