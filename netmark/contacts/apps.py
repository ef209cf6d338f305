from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "netmark.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from netmark.contacts import kpis, timeline
        from netmark.core.roles import Capability
        from netmark.web.navigation import register_nav

        timeline.register_builtin_types()
        kpis.register()
        register_nav(
            "contacts.contacts",
            _("Contacts"),
            "contacts:contact_list",
            Capability.READ,
            55,
            group=_("Execution"),
        )
        register_nav(
            "contacts.segments",
            _("Segments"),
            "contacts:segment_list",
            Capability.READ,
            56,
            group=_("Execution"),
        )
        register_nav(
            "contacts.scoring",
            _("Lead scoring"),
            "contacts:scoring_page",
            Capability.READ,
            57,
            group=_("Execution"),
        )
