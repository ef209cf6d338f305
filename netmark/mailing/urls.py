"""Mailing pages, included at ``w/<slug>/mailing/`` (the slug is consumed by ``workspace_page``)."""

from django.urls import path

from netmark.mailing import (
    campaign_preview_views,
    campaign_views,
    drip_views,
    feedback_views,
    inbox_views,
    views,
)

app_name = "mailing"

urlpatterns = [
    path("smtp-servers/", views.server_list, name="server_list"),
    path("smtp-servers/new/", views.server_create, name="server_create"),
    path("smtp-servers/<int:smtp_server_id>/edit/", views.server_edit, name="server_edit"),
    path("smtp-servers/<int:smtp_server_id>/test/", views.server_test, name="server_test"),
    path("smtp-servers/<int:smtp_server_id>/delete/", views.server_delete, name="server_delete"),
    path("dkim-keys/", views.key_list, name="key_list"),
    path("dkim-keys/<int:dkim_key_id>/", views.key_detail, name="key_detail"),
    path("dkim-keys/<int:dkim_key_id>/delete/", views.key_delete, name="key_delete"),
    path("suppressions/", views.suppression_list, name="suppression_list"),
    path("suppressions/export/", views.suppression_export, name="suppression_export"),
    path("suppressions/<int:suppression_id>/remove/", views.suppression_remove, name="suppression_remove"),
    path("deliverability/", feedback_views.deliverability, name="deliverability"),
    path("provider-webhooks/", feedback_views.hook_list, name="hook_list"),
    path("provider-webhooks/<int:feedback_hook_id>/delete/", feedback_views.hook_delete, name="hook_delete"),
    path("bounce-mailboxes/", inbox_views.mailbox_list, name="mailbox_list"),
    path("bounce-mailboxes/new/", inbox_views.mailbox_create, name="mailbox_create"),
    path("bounce-mailboxes/<int:bounce_mailbox_id>/edit/", inbox_views.mailbox_edit, name="mailbox_edit"),
    path("bounce-mailboxes/<int:bounce_mailbox_id>/poll/", inbox_views.mailbox_poll, name="mailbox_poll"),
    path(
        "bounce-mailboxes/<int:bounce_mailbox_id>/delete/", inbox_views.mailbox_delete, name="mailbox_delete"
    ),
    path("lists/", campaign_views.list_list, name="list_list"),
    path("lists/<int:mailing_list_id>/", campaign_views.list_detail, name="list_detail"),
    path("campaigns/", campaign_views.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", campaign_views.campaign_detail, name="campaign_detail"),
    path(
        "campaigns/<int:campaign_id>/preview/",
        campaign_preview_views.campaign_preview,
        name="campaign_preview",
    ),
    path(
        "campaigns/<int:campaign_id>/test-send/",
        campaign_preview_views.campaign_test_send,
        name="campaign_test_send",
    ),
    path("campaigns/<int:campaign_id>/export/", campaign_views.campaign_export, name="campaign_export"),
    path(
        "campaigns/<int:campaign_id>/report/export/",
        campaign_views.campaign_report_export,
        name="campaign_report_export",
    ),
    path(
        "campaigns/<int:campaign_id>/start/",
        campaign_views.campaign_action,
        {"action": "start"},
        name="campaign_start",
    ),
    path(
        "campaigns/<int:campaign_id>/pause/",
        campaign_views.campaign_action,
        {"action": "pause"},
        name="campaign_pause",
    ),
    path(
        "campaigns/<int:campaign_id>/resume/",
        campaign_views.campaign_action,
        {"action": "resume"},
        name="campaign_resume",
    ),
    path(
        "campaigns/<int:campaign_id>/cancel/",
        campaign_views.campaign_action,
        {"action": "cancel"},
        name="campaign_cancel",
    ),
    path("sequences/", drip_views.sequence_list, name="sequence_list"),
    path("sequences/<int:sequence_id>/", drip_views.sequence_detail, name="sequence_detail"),
    path("sequences/<int:sequence_id>/steps/", drip_views.step_add, name="sequence_step_add"),
    path(
        "sequences/<int:sequence_id>/steps/<int:sequence_step_id>/remove/",
        drip_views.step_remove,
        name="sequence_step_remove",
    ),
    path(
        "sequences/<int:sequence_id>/activate/",
        drip_views.sequence_status,
        {"status": "active"},
        name="sequence_activate",
    ),
    path(
        "sequences/<int:sequence_id>/pause/",
        drip_views.sequence_status,
        {"status": "paused"},
        name="sequence_pause",
    ),
]
