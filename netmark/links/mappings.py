"""UTM mappings and ``resolve_promotion``: which promotion (and channel) raw UTM values belong to.

Raw UTM values are recorded as they arrive; they are tied to promotions only explicitly, never by
guessing, and an unknown value never creates a campaign, channel or plan:

1. the workspace's own links: a link with exactly this (source, medium, campaign) names the plan,
   and the channel when all such links share one;
2. else the user's mappings, where an empty value means "any": the most specific mapping wins
   (more values set; on a tie, campaign before source before medium);
3. else ``(None, None)``.

Values are compared trimmed and lower-cased (``utm.raw_value``). Re-exported by ``services``.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from netmark.core import records
from netmark.core.errors import ValidationFailed
from netmark.core.models import Workspace
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.links import utm
from netmark.links.models import Link, UtmMapping
from netmark.planning.models import ChannelAccount, Plan

MAX_VALUE_LENGTH = 200
FIELDS = ("utm_source", "utm_medium", "utm_campaign", "plan_id", "channel_account_id")


def list_mappings(workspace, *, plan_id: int | None = None):
    mappings = scoped(UtmMapping, workspace).select_related("plan", "channel_account")
    if plan_id is not None:
        mappings = mappings.filter(plan_id=plan_id)
    return mappings


def get_mapping(workspace, mapping_id) -> UtmMapping:
    return get_for(UtmMapping, workspace, mapping_id, queryset=list_mappings(workspace))


def _clean(workspace, data: dict) -> dict:
    """Model values for the given fields; foreign or unknown plan / channel ids raise ``NotFound``."""
    cleaned = {}
    for field in utm.TRIPLE:
        if field in data:
            value = utm.raw_value(data[field])
            if len(value) > MAX_VALUE_LENGTH:
                message = _("At most %(count)d characters.") % {"count": MAX_VALUE_LENGTH}
                raise ValidationFailed(fields={field: message})
            cleaned[field] = value
    if "plan_id" in data:
        cleaned["plan"] = get_for(Plan, workspace, data["plan_id"])
    if "channel_account_id" in data:
        account_id = data["channel_account_id"]
        cleaned["channel_account"] = (
            None if account_id is None else get_for(ChannelAccount, workspace, account_id)
        )
    return cleaned


def _refuse_match_all(values: dict) -> None:
    if not any(values.get(field) for field in utm.TRIPLE):
        raise ValidationFailed(
            fields={"__all__": _("Give at least one of utm_source, utm_medium and utm_campaign.")}
        )


def create_mapping(
    member,
    *,
    plan_id: int,
    utm_source: str = "",
    utm_medium: str = "",
    utm_campaign: str = "",
    channel_account_id: int | None = None,
) -> UtmMapping:
    require(member, Capability.EXECUTE)
    data = _clean(
        member.workspace,
        {
            "utm_source": utm_source,
            "utm_medium": utm_medium,
            "utm_campaign": utm_campaign,
            "plan_id": plan_id,
            "channel_account_id": channel_account_id,
        },
    )
    _refuse_match_all(data)
    return records.create_record(member, UtmMapping, data, capability=Capability.EXECUTE)


def update_mapping(member, mapping_id, **fields) -> UtmMapping:
    require(member, Capability.EXECUTE)
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValidationFailed(fields={field: _("Unknown field.") for field in unknown})
    mapping = get_mapping(member.workspace, mapping_id)
    data = _clean(member.workspace, fields)
    _refuse_match_all({field: data.get(field, getattr(mapping, field)) for field in utm.TRIPLE})
    return records.update_record(
        member, UtmMapping, mapping.pk, data, capability=Capability.EXECUTE, instance=mapping
    )


def delete_mapping(member, mapping_id) -> None:
    records.delete_record(member, UtmMapping, mapping_id)


def _from_links(workspace, values: dict) -> tuple[int | None, int | None]:
    pairs = set(scoped(Link, workspace).filter(**values).values_list("plan_id", "channel_account_id")[:1000])
    plans = {plan_id for plan_id, _account in pairs}
    if len(plans) != 1:
        return None, None
    accounts = {account_id for _plan, account_id in pairs}
    return plans.pop(), accounts.pop() if len(accounts) == 1 else None


def _specificity(mapping: UtmMapping) -> tuple:
    set_fields = (bool(mapping.utm_campaign), bool(mapping.utm_source), bool(mapping.utm_medium))
    return (sum(set_fields), *set_fields)


def resolve_promotion(
    workspace_id: int, utm_source: str, utm_medium: str, utm_campaign: str
) -> tuple[int | None, int | None]:
    """(plan id, channel account id) for raw UTM values, or ``(None, None)``; see the module doc."""
    values = {
        "utm_source": utm.raw_value(utm_source),
        "utm_medium": utm.raw_value(utm_medium),
        "utm_campaign": utm.raw_value(utm_campaign),
    }
    if not any(values.values()):
        return None, None
    workspace = Workspace(pk=workspace_id)
    plan_id, account_id = _from_links(workspace, values)
    if plan_id is not None:
        return plan_id, account_id
    condition = Q()
    for field, value in values.items():
        condition &= Q(**{f"{field}__in": ["", value]})
    candidates = list(scoped(UtmMapping, workspace).filter(condition))
    if not candidates:
        return None, None
    best = max(candidates, key=_specificity)
    return best.plan_id, best.channel_account_id
