"""Links pages, included at ``w/<slug>/links/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path

from netmark.links import mapping_views, views

app_name = "links"

urlpatterns = [
    path("", views.link_list, name="link_list"),
    path("new/", views.link_create, name="link_create"),
    path("sheet/", views.qr_sheet, name="qr_sheet"),
    path("export/", views.link_export, name="link_export"),
    path("import/", views.link_import, name="link_import"),
    path("conventions/", mapping_views.conventions_edit, name="conventions"),
    path("<int:pk>/edit/", views.link_edit, name="link_edit"),
    path("<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("<int:pk>/qr.png", views.link_qr_png, name="link_qr_png"),
    path("<int:pk>/qr.svg", views.link_qr_svg, name="link_qr_svg"),
    path("utm-mappings/", mapping_views.mapping_list, name="mapping_list"),
    path("utm-mappings/new/", mapping_views.mapping_create, name="mapping_create"),
    path("utm-mappings/<int:pk>/edit/", mapping_views.mapping_edit, name="mapping_edit"),
    path("utm-mappings/<int:pk>/delete/", mapping_views.mapping_delete, name="mapping_delete"),
]
