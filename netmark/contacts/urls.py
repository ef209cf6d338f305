"""Contacts pages, included at ``w/<slug>/contacts/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path

from netmark.contacts import import_views, scoring_views, segment_views, views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
    path("new/", views.contact_create, name="contact_create"),
    path("export/", views.contact_export, name="contact_export"),
    path("import/", import_views.import_start, name="import_start"),
    path("contact-imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("segments/", segment_views.segment_list, name="segment_list"),
    path("segments/new/", segment_views.segment_create, name="segment_create"),
    path("segments/count/", segment_views.segment_count, name="segment_count"),
    path("segments/row/", segment_views.segment_row, name="segment_row"),
    path("segments/<int:pk>/", segment_views.segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", segment_views.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/export/", segment_views.segment_export, name="segment_export"),
    path("segments/<int:pk>/delete/", segment_views.segment_delete, name="segment_delete"),
    path("scoring/", scoring_views.scoring_page, name="scoring_page"),
    path("scoring-rules/<int:pk>/toggle/", scoring_views.scoring_rule_toggle, name="scoring_rule_toggle"),
    path("scoring-rules/<int:pk>/edit/", scoring_views.scoring_rule_edit, name="scoring_rule_edit"),
    path("scoring-rules/<int:pk>/delete/", scoring_views.scoring_rule_delete, name="scoring_rule_delete"),
    path("<int:pk>/", views.contact_detail, name="contact_detail"),
    path("<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/log/", views.contact_log, name="contact_log"),
    path("<int:pk>/erase/", views.contact_erase, name="contact_erase"),
    path("<int:pk>/export.json", views.contact_export_one, name="contact_export_one"),
]
