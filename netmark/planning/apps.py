from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "netmark.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from netmark.planning import kpis

        kpis.register()
