from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MailingConfig(AppConfig):
    name = "netmark.mailing"
    label = "mailing"
    verbose_name = _("Email")

    def ready(self) -> None:
        from netmark.core.roles import Capability
        from netmark.mailing import kpis
        from netmark.web.navigation import register_nav

        group = _("Execution")
        register_nav(
            "mailing.suppressions", _("Suppression list"), "mailing:suppression_list", Capability.READ, 70,
            group=group,
        )  # fmt: skip
        register_nav(
            "mailing.lists", _("Mailing lists"), "mailing:list_list", Capability.READ, 68, group=group
        )
        register_nav(
            "mailing.campaigns",
            pgettext_lazy("email", "Campaigns"),
            "mailing:campaign_list",
            Capability.READ,
            69,
            group=group,
        )
        register_nav(
            "mailing.smtp", _("SMTP servers"), "mailing:server_list", Capability.ADMINISTER, 71, group=group
        )
        register_nav(
            "mailing.dkim", _("DKIM keys"), "mailing:key_list", Capability.ADMINISTER, 72, group=group
        )
        register_nav(
            "mailing.deliverability", _("Deliverability check"), "mailing:deliverability", Capability.READ,
            73, group=group,
        )  # fmt: skip
        register_nav(
            "mailing.hooks",
            _("Provider webhooks"),
            "mailing:hook_list",
            Capability.ADMINISTER,
            74,
            group=group,
        )
        register_nav(
            "mailing.mailboxes", _("Bounce mailboxes"), "mailing:mailbox_list", Capability.ADMINISTER, 75,
            group=group,
        )  # fmt: skip
        register_nav(
            "mailing.sequences", _("Drip sequences"), "mailing:sequence_list", Capability.READ, 69,
            group=group,
        )  # fmt: skip
        self._register_timeline_types()
        self._connect_drip_triggers()
        kpis.register()

    @staticmethod
    def _connect_drip_triggers() -> None:
        """Form submissions and tags enrol contacts in sequences: the contacts app calls these after
        commit (its explicit listener registry; there are no Django signals)."""
        from netmark.contacts import services as contacts
        from netmark.mailing import drip_triggers

        contacts.on_interaction(drip_triggers.interaction_recorded)
        contacts.on_tags_added(drip_triggers.tags_added)

    @staticmethod
    def _register_timeline_types() -> None:
        from netmark.contacts.timeline import InteractionType, register_type

        for key, label in (
            ("email_delivered", _("Email delivered")),
            ("email_open", _("Email opened")),
            ("email_click", _("Email link clicked")),
            ("email_bounce", _("Email bounced")),
            ("email_complaint", _("Email marked as spam")),
            ("email_unsubscribe", _("Unsubscribed from email")),
            ("drip_note", _("Drip sequence note")),
        ):
            register_type(InteractionType(key, label, summary_keys=("url", "detail", "event", "text")))
        register_type(
            InteractionType(
                "email_preferences",
                _("Email preferences changed"),
                summary_keys=("detail", "joined", "left", "language"),
            )
        )
