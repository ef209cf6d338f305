from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "netmark.web"
    label = "web"
    verbose_name = _("Web interface")

    def ready(self) -> None:
        from netmark.core.roles import Capability
        from netmark.web.navigation import register_nav

        register_nav("web.dashboard", _("Dashboard"), "dashboard", Capability.READ, 0)
        # core's pages live here: core imports no other app, so web registers them.
        settings_group = _("Settings")
        for order, (key, label, url_name, capability) in enumerate(
            [
                ("core.members", _("Members"), "settings_members", Capability.ADMINISTER),
                ("core.invitations", _("Invitations"), "settings_invitations", Capability.ADMINISTER),
                ("core.tokens", _("API tokens"), "settings_tokens", Capability.READ),
                ("core.webhooks", _("Webhooks"), "settings_webhooks", Capability.ADMINISTER),
                ("core.audit", _("Audit log"), "settings_audit", Capability.ADMINISTER),
                ("core.outbox", _("Outbox"), "settings_outbox", Capability.ADMINISTER),
            ],
            start=900,
        ):
            register_nav(key, label, url_name, capability, order, group=settings_group)
