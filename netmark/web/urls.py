"""Pages: sign-in and account, the dashboard, workspace settings, and each app's pages under
``/w/<slug>/`` (positioning and planning own their URL modules)."""

from django.urls import include, path

from netmark.web import auth_views, outbox_views, settings_views, two_factor_views, views, webhook_views

SETTINGS = "w/<slug:slug>/settings/"

account = [
    path("sign-in/", auth_views.sign_in, name="login"),
    path("sign-in/code/", auth_views.sign_in_code, name="login_code"),
    path("sign-out/", auth_views.sign_out, name="logout"),
    path("account/password/", auth_views.password_change, name="password_change"),
    path("account/two-factor/", two_factor_views.two_factor, name="two_factor"),
    path("password-reset/", auth_views.password_reset, name="password_reset"),
    path("password-reset/sent/", auth_views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/", auth_views.password_reset_confirm, name="password_reset_confirm"
    ),
    path("password-reset/done/", auth_views.password_reset_complete, name="password_reset_complete"),
    path("invitations/<str:token>/", settings_views.invitation_accept, name="invitation_accept"),
    path("outbox/", outbox_views.installation_outbox, name="outbox"),
    path("outbox/<str:key>/", outbox_views.installation_outbox_message, name="outbox_message"),
]

workspace_settings = [
    path(SETTINGS + "members/", settings_views.members, name="settings_members"),
    path(SETTINGS + "members/<int:member_id>/role/", settings_views.member_role, name="settings_member_role"),
    path(
        SETTINGS + "members/<int:member_id>/remove/",
        settings_views.member_remove,
        name="settings_member_remove",
    ),
    path(SETTINGS + "invitations/", settings_views.invitation_list, name="settings_invitations"),
    path(
        SETTINGS + "invitations/<int:invitation_id>/withdraw/",
        settings_views.invitation_withdraw,
        name="settings_invitation_withdraw",
    ),
    path(SETTINGS + "tokens/", settings_views.tokens, name="settings_tokens"),
    path(
        SETTINGS + "tokens/<int:token_id>/revoke/", settings_views.token_revoke, name="settings_token_revoke"
    ),
    path(SETTINGS + "webhooks/", webhook_views.webhook_list, name="settings_webhooks"),
    path(SETTINGS + "webhooks/<int:pk>/", webhook_views.webhook_detail, name="settings_webhook"),
    path(
        SETTINGS + "webhooks/<int:pk>/active/", webhook_views.webhook_toggle, name="settings_webhook_toggle"
    ),
    path(
        SETTINGS + "webhooks/<int:pk>/secret/", webhook_views.webhook_rotate, name="settings_webhook_rotate"
    ),
    path(
        SETTINGS + "webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="settings_webhook_delete"
    ),
    path(
        SETTINGS + "webhooks/deliveries/<int:delivery_id>/redeliver/",
        webhook_views.webhook_redeliver,
        name="settings_webhook_redeliver",
    ),
    path(SETTINGS + "audit/", settings_views.audit_log, name="settings_audit"),
    path(SETTINGS + "outbox/", outbox_views.workspace_outbox, name="settings_outbox"),
    path(
        SETTINGS + "outbox/<str:key>/", outbox_views.workspace_outbox_message, name="settings_outbox_message"
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    *account,
    path("w/<slug:slug>/", views.dashboard, name="dashboard"),
    *workspace_settings,
    path("w/<slug:slug>/positioning/", include("netmark.positioning.urls")),
    path("w/<slug:slug>/planning/", include("netmark.planning.urls")),
    path("w/<slug:slug>/links/", include("netmark.links.urls")),
    path("w/<slug:slug>/contacts/", include("netmark.contacts.urls")),
    path("w/<slug:slug>/capture/", include("netmark.capture.urls")),
    path("w/<slug:slug>/analytics/", include("netmark.analytics.urls")),
    path("w/<slug:slug>/roi/", include("netmark.roi.urls")),
    path("w/<slug:slug>/mailing/", include("netmark.mailing.urls")),
    path("w/<slug:slug>/reports/", include("netmark.reports.urls")),
]
