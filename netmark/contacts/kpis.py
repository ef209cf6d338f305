"""KPIs contacts measure: a promotion's leads and qualified leads, by the contact's source promotion.

``leads`` counts contacts whose ``source_plan`` is the promotion and who were created in the period
(every stage: a lead that became a customer still came from it); ``qualified_leads`` counts those
of them now qualified or customer. Registered from ``ContactsConfig.ready``.
"""

from django.utils.translation import gettext_lazy as _

from netmark.core.kpis import Kpi, get_kpi, register_kpi

QUALIFIED = ("qualified", "customer")


def _contacts(plan, start, end):
    from netmark.contacts.models import Contact

    contacts = Contact.unscoped.filter(workspace_id=plan.workspace_id, source_plan_id=plan.pk)
    if start is not None:
        contacts = contacts.filter(created_at__gte=start)
    if end is not None:
        contacts = contacts.filter(created_at__lt=end)
    return contacts


def leads(plan, start, end) -> int:
    return _contacts(plan, start, end).count()


def qualified_leads(plan, start, end) -> int:
    return _contacts(plan, start, end).filter(stage__in=QUALIFIED).count()


def register() -> None:
    declared = get_kpi("leads")
    register_kpi(
        Kpi(
            "leads",
            declared.label if declared else _("Leads"),
            "count",
            leads,
            description=_("Contacts whose source is the promotion, created in the period."),
        )
    )
    register_kpi(
        Kpi(
            "qualified_leads",
            _("Qualified leads"),
            "count",
            qualified_leads,
            description=_("Of the promotion's leads, those now qualified or customers."),
        )
    )
