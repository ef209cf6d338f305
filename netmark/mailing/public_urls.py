"""Public mail endpoints (no sign-in), included at the site root: one-click unsubscribe, tracking
pixel, click redirects and honeypot, provider webhooks."""

from django.urls import path

from netmark.mailing import confirm_views, hook_views, preference_views, public_views, tracking_views

app_name = "mailing_public"

urlpatterns = [
    path("mail/unsubscribe/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path("mail/t/o/<str:token>.gif", tracking_views.open_pixel, name="open"),
    path("mail/t/c/<str:token>/", tracking_views.click, name="click"),
    path("mail/t/h/<str:token>/", tracking_views.honeypot, name="honeypot"),
    path("mail/hooks/<str:provider>/<str:key>/", hook_views.provider_hook, name="provider_hook"),
    path("mail/confirm/<str:token>/", confirm_views.confirm, name="confirm"),
    path("mail/preferences/<str:token>/", preference_views.preference_centre, name="preferences"),
]
