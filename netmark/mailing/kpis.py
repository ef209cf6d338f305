"""KPIs email measures for a promotion: messages sent, messages people opened, people's clicks and
unsubscribes, over the campaigns that belong to the promotion (docs/mailing.md, "Reports").

Opens and clicks count people only: machine opens (privacy proxies, scanners) and scanner clicks
are reported apart and never reach a KPI. Each counts distinct messages, so a reader who opens a
message five times is one open. Registered from ``MailingConfig.ready``.
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from netmark.core.kpis import Kpi, register_kpi


def _events(plan, start, end, kind: str):
    from netmark.mailing.campaign_models import Campaign
    from netmark.mailing.feedback_models import MailEvent

    campaigns = Campaign.unscoped.filter(workspace_id=plan.workspace_id, plan_id=plan.pk).values("pk")
    rows = MailEvent.unscoped.filter(
        workspace_id=plan.workspace_id, campaign_id__in=campaigns, kind=kind, is_machine=False
    )
    if start is not None:
        rows = rows.filter(at__gte=start)
    if end is not None:
        rows = rows.filter(at__lt=end)
    return rows


def _messages(kind: str):
    def compute(plan, start, end) -> int:
        return _events(plan, start, end, kind).aggregate(n=Count("message_tag", distinct=True))["n"]

    return compute


def clicks(plan, start, end) -> int:
    return _events(plan, start, end, "click").count()


def register() -> None:
    register_kpi(
        Kpi(
            "emails_sent",
            _("Emails sent"),
            "count",
            _messages("sent"),
            description=_("Campaign messages of the promotion the relay accepted."),
        )
    )
    register_kpi(
        Kpi(
            "email_opens",
            _("Emails opened by people"),
            "count",
            _messages("open"),
            description=_("Messages a person opened at least once; machine opens are left out."),
        )
    )
    register_kpi(
        Kpi(
            "email_clicks",
            _("Email clicks"),
            "count",
            clicks,
            description=_(
                "Clicks by people in the promotion's campaign messages; scanner clicks are left out."
            ),
        )
    )
    register_kpi(
        Kpi(
            "email_unsubscribes",
            _("Unsubscribes"),
            "count",
            _messages("unsubscribe"),
            higher_is_better=False,
            description=_("Messages of the promotion whose reader unsubscribed."),
        )
    )
