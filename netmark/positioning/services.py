"""Positioning services: products, audiences and messages of a workspace.

Planners and owners write; everyone reads. Audience channel presence is a mapping of channel
type code to a weight from 0 to 100.
"""

from django.utils.translation import gettext as _

from netmark.core import records
from netmark.core.errors import ValidationFailed
from netmark.core.scoping import get_for, scoped
from netmark.positioning.models import Audience, Message, Product


def list_products(workspace, *, status: str | None = None, search: str | None = None):
    products = scoped(Product, workspace)
    if status:
        products = products.filter(status=status)
    if search:
        products = products.filter(name__icontains=search)
    return products


def create_product(member, **data) -> Product:
    return records.create_record(member, Product, data)


def update_product(member, product_id, **data) -> Product:
    return records.update_record(member, Product, product_id, data)


def delete_product(member, product_id) -> None:
    records.delete_record(member, Product, product_id)


def _clean_presence(presence: dict | None) -> dict:
    from netmark.planning.services import channel_type_codes

    presence = presence or {}
    known = channel_type_codes()
    unknown = sorted(set(presence) - known)
    if unknown:
        raise ValidationFailed(
            fields={"channel_presence": _("Unknown channel types: %s.") % ", ".join(unknown)}
        )
    cleaned = {}
    for code, weight in presence.items():
        try:
            weight = int(weight)
        except (TypeError, ValueError):
            weight = -1
        if not 0 <= weight <= 100:
            raise ValidationFailed(fields={"channel_presence": _("Weights go from 0 to 100.")})
        cleaned[code] = weight
    return cleaned


def list_audiences(workspace, *, search: str | None = None):
    audiences = scoped(Audience, workspace)
    if search:
        audiences = audiences.filter(name__icontains=search)
    return audiences


def create_audience(member, **data) -> Audience:
    data["channel_presence"] = _clean_presence(data.get("channel_presence"))
    return records.create_record(member, Audience, data)


def update_audience(member, audience_id, **data) -> Audience:
    if "channel_presence" in data:
        data["channel_presence"] = _clean_presence(data["channel_presence"])
    return records.update_record(member, Audience, audience_id, data)


def delete_audience(member, audience_id) -> None:
    records.delete_record(member, Audience, audience_id)


def list_messages(workspace, *, audience_id: int | None = None, product_id: int | None = None):
    messages = scoped(Message, workspace).select_related("audience", "product")
    if audience_id:
        messages = messages.filter(audience_id=audience_id)
    if product_id:
        messages = messages.filter(product_id=product_id)
    return messages


def _resolve_message_refs(workspace, data: dict) -> dict:
    """Swaps ``audience_id`` / ``product_id`` for rows of this workspace (404 for foreign ids)."""
    if "audience_id" in data:
        data["audience"] = get_for(Audience, workspace, data.pop("audience_id"))
    if "product_id" in data:
        data["product"] = get_for(Product, workspace, data.pop("product_id"))
    return data


def create_message(member, **data) -> Message:
    return records.create_record(member, Message, _resolve_message_refs(member.workspace, data))


def update_message(member, message_id, **data) -> Message:
    return records.update_record(member, Message, message_id, _resolve_message_refs(member.workspace, data))


def delete_message(member, message_id) -> None:
    records.delete_record(member, Message, message_id)
