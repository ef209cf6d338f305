from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositioningConfig(AppConfig):
    name = "netmark.positioning"
    label = "positioning"
    verbose_name = _("Positioning")
