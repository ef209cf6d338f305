"""Channel services: the installation-wide channel catalogue and a workspace's channel accounts.

Re-exported by ``netmark.planning.services``; import them from there. Planners and owners write
channel accounts, owners delete them, everyone reads. An account a plan still uses cannot be
deleted (``Conflict``).
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from netmark.core import records
from netmark.core.errors import ValidationFailed
from netmark.core.money import parse_amount, validate_currency
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.planning.models import ChannelAccount, ChannelType

MAX_MONTHLY_HOURS = Decimal("99999.9")
EDITABLE_FIELDS = {
    "channel_type",
    "name",
    "handle",
    "monthly_budget",
    "currency",
    "monthly_hours",
    "is_active",
    "notes",
}


def channel_type_codes() -> set[str]:
    return set(ChannelType.objects.values_list("code", flat=True))


def list_channel_types():
    return ChannelType.objects.all()


def list_channel_accounts(workspace, *, active: bool | None = None):
    accounts = scoped(ChannelAccount, workspace).select_related("channel_type")
    if active is not None:
        accounts = accounts.filter(is_active=active)
    return accounts


def _channel_type(code) -> ChannelType:
    channel_type = ChannelType.objects.filter(code=str(code or "")).first()
    if channel_type is None:
        raise ValidationFailed(fields={"channel_type": _("Unknown channel type: %s.") % code})
    return channel_type


def _hours(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= MAX_MONTHLY_HOURS:
        raise ValidationFailed(fields={"monthly_hours": _("Enter hours from 0 to 99999.9.")})
    return value.quantize(Decimal("0.1"))


def _clean_account(data: dict) -> dict:
    """Converts the given fields (a full set or a partial update) to model values."""
    if "channel_type" in data:
        data["channel_type"] = _channel_type(data["channel_type"])
    if "monthly_budget" in data:
        data["monthly_budget"] = parse_amount(data["monthly_budget"], "monthly_budget")
    if "currency" in data:
        data["currency"] = validate_currency(data["currency"])
    if "monthly_hours" in data:
        data["monthly_hours"] = _hours(data["monthly_hours"])
    for text in ("name", "handle", "notes"):
        if isinstance(data.get(text), str):
            data[text] = data[text].strip()
    return data


def create_channel_account(
    member,
    *,
    channel_type: str,
    name: str,
    handle: str = "",
    monthly_budget=0,
    currency: str = "CNY",
    monthly_hours=0,
    is_active: bool = True,
    notes: str = "",
) -> ChannelAccount:
    require(member, Capability.PLAN)
    data = _clean_account(
        {
            "channel_type": channel_type,
            "name": name,
            "handle": handle,
            "monthly_budget": monthly_budget,
            "currency": currency,
            "monthly_hours": monthly_hours,
            "is_active": is_active,
            "notes": notes,
        }
    )
    return records.create_record(member, ChannelAccount, data)


def update_channel_account(member, account_id, **fields) -> ChannelAccount:
    """Changes the given fields only."""
    require(member, Capability.PLAN)
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: _("This field cannot be changed.") for name in unknown})
    account = get_for(ChannelAccount, member.workspace, account_id)
    return records.update_record(member, ChannelAccount, account.pk, _clean_account(fields), instance=account)


def delete_channel_account(member, account_id) -> None:
    records.delete_record(member, ChannelAccount, account_id)
