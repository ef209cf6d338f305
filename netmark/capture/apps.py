from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    name = "netmark.capture"
    label = "capture"
    verbose_name = _("Forms and landing pages")

    def ready(self) -> None:
        from netmark.core.roles import Capability
        from netmark.web.navigation import register_nav

        group = _("Execution")
        register_nav("capture.forms", _("Forms"), "capture:form_list", Capability.READ, 56, group=group)
        register_nav(
            "capture.pages", _("Landing pages"), "capture:page_list", Capability.READ, 57, group=group
        )
