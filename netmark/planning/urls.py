"""Planning pages, included at ``w/<slug>/planning/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path
from django.views.generic import RedirectView

from netmark.planning import calendar_views, channel_views, planner_views, views

app_name = "planning"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="planning:plan_list")),
    path("channels/", channel_views.channel_list, name="channel_list"),
    path("channels/new/", channel_views.channel_create, name="channel_create"),
    path("channels/<int:pk>/edit/", channel_views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/delete/", channel_views.channel_delete, name="channel_delete"),
    path("planner/", planner_views.planner, name="planner"),
    path("planner/start/", planner_views.planner_start, name="planner_start"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/rows/channel/", views.channel_row, name="plan_channel_row"),
    path("plans/rows/target/", views.target_row, name="plan_target_row"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan_status"),
    path("plans/<int:pk>/lessons/", views.plan_lessons, name="plan_lessons"),
    path("calendar/", calendar_views.calendar_month, name="calendar"),
    path("calendar/<int:year>/<int:month>/", calendar_views.calendar_month, name="calendar_month"),
    path("calendar/week/", calendar_views.calendar_week, name="calendar_week_current"),
    path("calendar/week/<int:year>/<int:week>/", calendar_views.calendar_week, name="calendar_week"),
]
