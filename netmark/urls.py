from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from netmark.api import api
from netmark.planning import feeds as planning_feeds
from netmark.web import views as web_views

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", web_views.healthz, name="healthz"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("feeds/<str:token>.ics", planning_feeds.calendar_feed, name="calendar-feed"),
    path("", include("netmark.links.public_urls")),
    path("", include("netmark.analytics.public_urls")),
    path("", include("netmark.mailing.public_urls")),
    path("", include("netmark.reports.public_urls")),
    path("", include("netmark.capture.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Operators sign in through netmark's own page (throttled, two-factor) rather than the admin's form.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("", include("netmark.web.urls")),
]
