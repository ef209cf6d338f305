from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "netmark.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from netmark.core.roles import Capability
        from netmark.planning import kpis
        from netmark.web.navigation import register_nav

        kpis.register()
        group = _("Promotion")
        for order, (key, label, url_name) in enumerate(
            [
                ("planning.channels", _("Channels"), "planning:channel_list"),
                ("planning.planner", _("Channel planner"), "planning:planner"),
                ("planning.plans", _("Plans"), "planning:plan_list"),
                ("planning.calendar", _("Calendar"), "planning:calendar"),
            ],
            start=30,
        ):
            register_nav(key, label, url_name, Capability.READ, order, group=group)
