"""Capture pages, included at ``w/<slug>/capture/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path

from netmark.capture import views

app_name = "capture"

urlpatterns = [
    path("forms/", views.form_list, name="form_list"),
    path("forms/new/", views.form_create, name="form_create"),
    path("forms/field-row/", views.field_row, name="field_row"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("forms/<int:pk>/delete/", views.form_delete, name="form_delete"),
    path("forms/<int:pk>/submissions.csv", views.submissions_export, name="submissions_export"),
    path("landing-pages/", views.page_list, name="page_list"),
    path("landing-pages/new/", views.page_create, name="page_create"),
    path("landing-pages/<int:pk>/edit/", views.page_edit, name="page_edit"),
    path("landing-pages/<int:pk>/delete/", views.page_delete, name="page_delete"),
    path("landing-pages/<int:pk>/image/", views.page_image, name="page_image"),
]
