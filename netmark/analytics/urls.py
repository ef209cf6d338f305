"""Analytics pages, included at ``w/<slug>/analytics/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path

from netmark.analytics import dashboard_views, site_views, views

app_name = "analytics"

urlpatterns = [
    # The navigation's "Analytics" entry; not the folder itself, so it is not highlighted with "Sites".
    path("", views.home, name="index"),
    path("dashboard/", views.home, name="home"),
    path("sites/", site_views.site_list, name="site_list"),
    path("sites/new/", site_views.site_create, name="site_create"),
    path("sites/<int:pk>/", site_views.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", site_views.site_edit, name="site_edit"),
    path("sites/<int:pk>/delete/", site_views.site_delete, name="site_delete"),
    path("sites/<int:pk>/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("sites/<int:pk>/dashboard/realtime/", dashboard_views.realtime, name="realtime"),
    path("sites/<int:pk>/dashboard/funnel/", dashboard_views.funnel_rows, name="funnel"),
    path("sites/<int:pk>/dashboard/<slug:table>.csv", dashboard_views.export, name="export"),
    path("sites/<int:pk>/dashboard/panel/<slug:table>/", dashboard_views.panel, name="panel"),
]
