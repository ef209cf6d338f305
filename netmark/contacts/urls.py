"""Contacts pages, included at ``w/<slug>/contacts/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path

from netmark.contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
]
