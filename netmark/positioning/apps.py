from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositioningConfig(AppConfig):
    name = "netmark.positioning"
    label = "positioning"
    verbose_name = _("Positioning")

    def ready(self) -> None:
        from netmark.core.roles import Capability
        from netmark.web.navigation import register_nav

        group = _("Positioning")
        for order, (key, label, url_name) in enumerate(
            [
                ("positioning.overview", _("Overview"), "positioning:overview"),
                ("positioning.products", _("Products"), "positioning:product_list"),
                ("positioning.audiences", _("Audiences"), "positioning:audience_list"),
                ("positioning.messages", _("Messages"), "positioning:message_list"),
            ],
            start=20,
        ):
            register_nav(key, label, url_name, Capability.READ, order, group=group)
