from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    name = "netmark.links"
    label = "links"
    verbose_name = _("Tracked links")

    def ready(self) -> None:
        from netmark.core.roles import Capability
        from netmark.web.navigation import register_nav

        group = _("Execution")
        register_nav("links.links", _("Tracked links"), "links:link_list", Capability.READ, 50, group=group)
        register_nav(
            "links.mappings", _("UTM mappings"), "links:mapping_list", Capability.READ, 51, group=group
        )
