"""Contacts pages, included at ``w/<slug>/contacts/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path

from netmark.contacts import import_views, views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
    path("new/", views.contact_create, name="contact_create"),
    path("export/", views.contact_export, name="contact_export"),
    path("import/", import_views.import_start, name="import_start"),
    path("contact-imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("<int:pk>/", views.contact_detail, name="contact_detail"),
    path("<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/log/", views.contact_log, name="contact_log"),
    path("<int:pk>/erase/", views.contact_erase, name="contact_erase"),
    path("<int:pk>/export.json", views.contact_export_one, name="contact_export_one"),
]
