from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "netmark.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from netmark.core.roles import Capability
        from netmark.reports import builtin
        from netmark.web.navigation import register_nav

        builtin.register_all()
        register_nav(
            "reports.reports", _("Reports"), "reports:report_list", Capability.READ, 70, group=_("Evaluation")
        )
