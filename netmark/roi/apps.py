from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoiConfig(AppConfig):
    name = "netmark.roi"
    label = "roi"
    verbose_name = _("Return on investment")

    def ready(self) -> None:
        from netmark.roi import kpis

        kpis.register()
