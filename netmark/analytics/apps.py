from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "netmark.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from netmark.analytics import kpis
        from netmark.core.roles import Capability
        from netmark.web.navigation import register_nav

        kpis.register()

        group = _("Measurement")
        register_nav(
            "analytics.dashboard", _("Analytics"), "analytics:home", Capability.READ, 60, group=group
        )
        register_nav("analytics.sites", _("Sites"), "analytics:site_list", Capability.READ, 61, group=group)
