"""Public capture routes (no sign-in), included at the site root."""

from django.urls import path

from netmark.capture import public_views

urlpatterns = [
    path("f/<str:public_id>/", public_views.hosted_form, name="capture_form"),
    path("f/<str:public_id>/frame/", public_views.framed_form, name="capture_form_frame"),
    path("f/<str:public_id>/embed.js", public_views.embed_script, name="capture_form_embed"),
    path("f/<str:public_id>/submit", public_views.submit, name="capture_form_submit"),
    path("p/<slug:workspace_slug>/<slug:page_slug>/", public_views.landing_page, name="capture_landing_page"),
    path(
        "p/<slug:workspace_slug>/<slug:page_slug>/image/<str:name>",
        public_views.landing_image,
        name="capture_landing_image",
    ),
]
