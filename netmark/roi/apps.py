from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoiConfig(AppConfig):
    name = "netmark.roi"
    label = "roi"
    verbose_name = _("Return on investment")

    def ready(self) -> None:
        from netmark.core.roles import Capability
        from netmark.roi import kpis, report_sections
        from netmark.web.navigation import register_nav

        kpis.register()
        report_sections.register()
        group = _("Evaluation")
        for order, (key, label, url_name) in enumerate(
            [
                ("roi.costs", _("Costs"), "roi:cost_list"),
                ("roi.channels", _("Channel performance"), "roi:channel_performance"),
                ("roi.attribution", _("Attribution"), "roi:attribution"),
                ("roi.evaluations", _("Evaluations"), "roi:evaluation_list"),
                ("roi.rates", _("Currency rates"), "roi:rate_list"),
            ],
            start=70,
        ):
            register_nav(key, label, url_name, Capability.READ, order, group=group)
