"""Links services: tracked links per promotion x channel, their short codes and naming conventions.

This module is the links app's public door; it re-exports the UTM mappings and
``resolve_promotion`` (``mappings.py``).

A link's UTM values default from its plan and channel (``utm.py``), are normalised to the
workspace's conventions and stay unique: the same destination with the same UTM five is a
``Conflict``, and so is a (source, medium, campaign) triple that another promotion's links already
use, so that a triple always names one promotion. Plan and channel are fixed once a link exists.

Rights: members who execute (owner, planner, implementer) create and change links and mappings;
owners delete them (``Capability.ERASE``); planners and owners set the conventions.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from netmark.core import audit, records
from netmark.core.errors import Conflict, ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.links import codes, utm
from netmark.links.mappings import (  # noqa: F401 - re-exported
    create_mapping,
    delete_mapping,
    get_mapping,
    list_mappings,
    resolve_promotion,
    update_mapping,
)
from netmark.links.models import Link, LinkConventions
from netmark.planning.models import ChannelAccount, Plan

MAX_CODE_ATTEMPTS = 10
MAX_ALLOWED_MEDIUMS = 50
MAX_NAME_LENGTH = 200
EDITABLE_FIELDS = {"name", "destination", "is_active", *utm.FIELDS}


def short_url(code: str) -> str:
    return f"{settings.PUBLIC_URL}/s/{code}"


def qr_url(code: str) -> str:
    """What a QR code encodes: the short URL marked as a scan (the destination is the same)."""
    return f"{short_url(code)}?qr=1"


# Conventions


def get_conventions(workspace) -> LinkConventions:
    """The workspace's conventions, or unsaved defaults when it has set none."""
    return scoped(LinkConventions, workspace).first() or LinkConventions(workspace=workspace)


def _clean_mediums(mediums, separator: str) -> list[str]:
    if not isinstance(mediums, list | tuple) or len(mediums) > MAX_ALLOWED_MEDIUMS:
        raise ValidationFailed(
            fields={"allowed_mediums": _("Give at most %(count)d mediums.") % {"count": MAX_ALLOWED_MEDIUMS}}
        )
    cleaned = [utm.clean_value(medium, "allowed_mediums", separator) for medium in mediums]
    return list(dict.fromkeys(medium for medium in cleaned if medium))


@transaction.atomic
def update_conventions(member, *, separator: str | None = None, allowed_mediums=None) -> LinkConventions:
    """Sets the given conventions; links that exist keep their values."""
    require(member, Capability.PLAN)
    conventions = get_conventions(member.workspace)
    data = {}
    if separator is not None:
        if separator not in LinkConventions.Separator.values:
            raise ValidationFailed(fields={"separator": _("Use '-' or '_'.")})
        data["separator"] = separator
    if allowed_mediums is not None or "separator" in data:
        # A new separator re-spells the allowed mediums too (paid-social -> paid_social).
        mediums = conventions.allowed_mediums if allowed_mediums is None else allowed_mediums
        data["allowed_mediums"] = _clean_mediums(mediums, data.get("separator", conventions.separator))
    changes = audit.diff(conventions, data)
    for field, value in data.items():
        setattr(conventions, field, value)
    records.validate_and_save(conventions)
    if changes:
        audit.record(member, "linkconventions.updated", conventions, changes)
    return conventions


# Links


def list_links(workspace, *, plan_id: int | None = None, channel_account_id: int | None = None, active=None):
    links = scoped(Link, workspace).select_related("plan", "channel_account__channel_type")
    if plan_id is not None:
        links = links.filter(plan_id=plan_id)
    if channel_account_id is not None:
        links = links.filter(channel_account_id=channel_account_id)
    if active is not None:
        links = links.filter(is_active=active)
    return links


def get_link(workspace, link_id) -> Link:
    """The link, or ``NotFound`` (also for other workspaces' ids)."""
    return get_for(Link, workspace, link_id, queryset=list_links(workspace))


def resolve_code(code: str) -> Link | None:
    """The active link with this exact code, from any workspace (codes are installation-wide), or None."""
    if not codes.looks_like_code(code):
        return None
    fields = ("id", "workspace_id", "code", "target_url", *utm.FIELDS)
    return Link.unscoped.filter(code=code, is_active=True).only(*fields).order_by().first()


def _default(link: Link, field: str) -> str:
    source, medium = utm.channel_defaults(link.channel_account.channel_type.code)
    return {"utm_source": source, "utm_medium": medium, "utm_campaign": utm.campaign_default(link.plan)}.get(
        field, ""
    )


def _utm_value(link: Link, field: str, given, separator: str) -> str:
    value = utm.clean_value(given, field, separator)
    if value or field not in utm.TRIPLE:
        return value
    default = _default(link, field)
    try:
        return utm.clean_value(default, field, separator)
    except ValidationFailed:
        if field != "utm_campaign":
            raise
        message = _(
            "The promotion's UTM campaign “%(value)s” cannot be used in a URL; enter utm_campaign "
            "here (e.g. in pinyin) or change the promotion's."
        )
        raise ValidationFailed(fields={field: message % {"value": default}}) from None


def _check_medium(medium: str, conventions: LinkConventions) -> None:
    allowed = conventions.allowed_mediums or []
    if allowed and medium not in allowed:
        message = _("The workspace's conventions allow these mediums: %(mediums)s.")
        raise ValidationFailed(fields={"utm_medium": message % {"mediums": ", ".join(allowed)}})


def _check_unique(link: Link) -> None:
    others = scoped(Link, link.workspace).exclude(pk=link.pk)
    same = others.filter(fingerprint=link.fingerprint).first()
    if same is not None:
        raise Conflict(
            _("Link %(code)s already leads to this destination with the same UTM values.")
            % {"code": same.code}
        )
    triple = {field: getattr(link, field) for field in utm.TRIPLE}
    taken = others.filter(**triple).exclude(plan_id=link.plan_id).select_related("plan").first()
    if taken is not None:
        message = _(
            "Links of the promotion “%(plan)s” already use this utm_source, utm_medium and "
            "utm_campaign; give this promotion its own utm_campaign."
        )
        raise Conflict(fields={"utm_campaign": message % {"plan": taken.plan.name}})


def _apply(link: Link, data: dict) -> None:
    """Cleans ``data`` (destination, name, active, UTM five) onto ``link`` and derives its URL."""
    conventions = get_conventions(link.workspace)
    if "destination" in data:
        link.destination = utm.clean_destination(data["destination"], short_url(""))
    if "name" in data:
        link.name = str(data["name"] or "").strip()
        if len(link.name) > MAX_NAME_LENGTH:
            raise ValidationFailed(
                fields={"name": _("At most %(count)d characters.") % {"count": MAX_NAME_LENGTH}}
            )
    if "is_active" in data:
        link.is_active = bool(data["is_active"])
    for field in utm.FIELDS:
        if field in data or link.pk is None:  # values of an existing link stay as they were made
            setattr(link, field, _utm_value(link, field, data.get(field, ""), conventions.separator))
    if "utm_medium" in data or link.pk is None:
        _check_medium(link.utm_medium, conventions)
    values = {field: getattr(link, field) for field in utm.FIELDS}
    link.target_url = utm.tagged_url(link.destination, values)
    link.fingerprint = utm.fingerprint(link.destination, values)
    _check_unique(link)


def _save_with_new_code(link: Link) -> None:
    """Saves a new link under a fresh code; a code that turns out to be taken is drawn again."""
    for _attempt in range(MAX_CODE_ATTEMPTS):
        link.code = codes.new_code()
        if Link.unscoped.filter(code=link.code).exists():
            continue
        try:
            with transaction.atomic():
                link.save()
            return
        except IntegrityError:
            if not Link.unscoped.filter(code=link.code).exists():
                raise Conflict(_("A link with these values already exists.")) from None
    raise RuntimeError(f"no free short code after {MAX_CODE_ATTEMPTS} attempts")


def _summary(link: Link) -> dict:
    return {
        "code": link.code,
        "plan_id": link.plan_id,
        "channel_account_id": link.channel_account_id,
        "destination": link.destination,
        "name": link.name,
        "is_active": link.is_active,
        **{field: getattr(link, field) for field in utm.FIELDS},
    }


@transaction.atomic
def create_link(
    member,
    *,
    plan_id: int,
    channel_account_id: int,
    destination: str,
    name: str = "",
    is_active: bool = True,
    **utm_values,
) -> Link:
    """A new link; empty utm_source / utm_medium / utm_campaign take the channel's and plan's defaults."""
    require(member, Capability.EXECUTE)
    unknown = sorted(set(utm_values) - set(utm.FIELDS))
    if unknown:
        raise ValidationFailed(fields={field: _("Unknown field.") for field in unknown})
    workspace = member.workspace
    plan = get_for(Plan, workspace, plan_id)
    account = get_for(
        ChannelAccount,
        workspace,
        channel_account_id,
        queryset=scoped(ChannelAccount, workspace).select_related("channel_type"),
    )
    link = Link(workspace=workspace, plan=plan, channel_account=account)
    _apply(link, {"destination": destination, "name": name, "is_active": is_active, **utm_values})
    _save_with_new_code(link)
    audit.record(member, "link.created", link, _summary(link))
    return link


@transaction.atomic
def update_link(member, link_id, **fields) -> Link:
    """Changes the given fields (destination, label, active, UTM five); the code never changes."""
    require(member, Capability.EXECUTE)
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={field: _("This field cannot be changed.") for field in unknown})
    queryset = list_links(member.workspace).select_for_update(of=("self",))
    link = get_for(Link, member.workspace, link_id, queryset=queryset)
    before = _summary(link)
    _apply(link, fields)
    records.validate_and_save(link)
    after = _summary(link)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        audit.record(member, "link.updated", link, changes)
    return link


def delete_link(member, link_id) -> None:
    """Owners only: the short code stops working (a printed QR code leads nowhere)."""
    records.delete_record(member, Link, link_id)


def plans_for_links(workspace):
    """The promotions a link can belong to, for pickers."""
    return scoped(Plan, workspace).order_by("-starts_on", "-id")


def channels_for_links(workspace):
    return scoped(ChannelAccount, workspace).select_related("channel_type").order_by("name", "id")
