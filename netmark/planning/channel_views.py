"""Channel pages: the catalogue (paid / owned / earned) and the workspace's channel accounts."""

from decimal import Decimal

from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from netmark.core.roles import Capability, can
from netmark.core.scoping import get_for
from netmark.planning import services
from netmark.planning.forms import ChannelAccountForm
from netmark.planning.models import ChannelAccount, ChannelType
from netmark.web.access import workspace_page
from netmark.web.record_pages import delete_page, form_page


def _list_url(request) -> str:
    return reverse("planning:channel_list", args=[request.member.workspace.slug])


def _catalogue(language: str) -> list[dict]:
    channel_types = list(services.list_channel_types())
    return [
        {
            "kind": kind,
            "label": label,
            "types": [
                {
                    "code": row.code,
                    "name": row.display_name(language),
                    "description": row.description_zh if language.startswith("zh") else row.description_en,
                }
                for row in channel_types
                if row.kind == kind
            ],
        }
        for kind, label in ChannelType.Kind.choices
    ]


@workspace_page()
def channel_list(request):
    """The accounts the workspace runs (with what they get each month) and the catalogue."""
    workspace = request.member.workspace
    language = get_language() or "en"
    accounts = list(services.list_channel_accounts(workspace))
    for account in accounts:
        account.type_name = account.channel_type.display_name(language)
    active = services.list_channel_accounts(workspace, active=True)
    totals = active.values("currency").annotate(budget=Sum("monthly_budget")).order_by("currency")
    context = {
        "accounts": accounts,
        "budget_totals": [(row["currency"], row["budget"]) for row in totals],
        "hours_total": active.aggregate(hours=Sum("monthly_hours"))["hours"] or Decimal(0),
        "active_count": sum(1 for account in accounts if account.is_active),
        "catalogue": _catalogue(language),
        "can_plan": can(request.member, Capability.PLAN),
        "can_erase": can(request.member, Capability.ERASE),
    }
    return render(request, "planning/channel_list.html", context)


def _account_page(request, form, save, account=None):
    return form_page(
        request, form, save, "planning/channel_form.html", _list_url(request), {"object": account}
    )


@workspace_page(Capability.PLAN)
def channel_create(request):
    initial = {"currency": request.member.workspace.currency, "channel_type": request.GET.get("type", "")}
    form = ChannelAccountForm(
        request.POST or None, initial=initial, channel_types=services.list_channel_types()
    )
    return _account_page(request, form, lambda data: services.create_channel_account(request.member, **data))


@workspace_page(Capability.PLAN)
def channel_edit(request, pk: int):
    account = get_for(ChannelAccount, request.member.workspace, pk)
    form = ChannelAccountForm(
        request.POST or None,
        initial=ChannelAccountForm.initial_for(account),
        channel_types=services.list_channel_types(),
    )
    return _account_page(
        request,
        form,
        lambda data: services.update_channel_account(request.member, account.pk, **data),
        account,
    )


@workspace_page(Capability.ERASE)
def channel_delete(request, pk: int):
    account = get_for(ChannelAccount, request.member.workspace, pk)
    return delete_page(
        request,
        account,
        lambda: services.delete_channel_account(request.member, account.pk),
        _list_url(request),
        "planning/confirm_delete.html",
    )
