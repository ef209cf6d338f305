"""Positioning pages, included at ``w/<slug>/positioning/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path
from django.views.generic import RedirectView

from netmark.positioning import views

app_name = "positioning"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="positioning:overview")),
    path("overview/", views.overview, name="overview"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/delete/", views.product_delete, name="product_delete"),
    path("audiences/", views.audience_list, name="audience_list"),
    path("audiences/new/", views.audience_create, name="audience_create"),
    path("audiences/<int:pk>/edit/", views.audience_edit, name="audience_edit"),
    path("audiences/<int:pk>/delete/", views.audience_delete, name="audience_delete"),
    path("messages/", views.message_list, name="message_list"),
    path("messages/new/", views.message_create, name="message_create"),
    path("messages/<int:pk>/edit/", views.message_edit, name="message_edit"),
    path("messages/<int:pk>/delete/", views.message_delete, name="message_delete"),
]
