"""The timeline: one chronological feed of every interaction of a contact (docs/contacts.md).

An interaction type is one registration, ``register_type(InteractionType("call", _("Call")))``,
made by the app that owns it in its ``AppConfig.ready()``; ``record`` refuses unregistered types
and validates the payload with the type's ``clean``. The feed pages by keyset (``before`` cursor
``"<occurred_at ISO>|<id>"``), newest first, so a page costs the same at any depth.
"""

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.contacts import listeners
from netmark.contacts.models import Contact, Interaction
from netmark.core.errors import ValidationFailed

MAX_PAGE = 200
MAX_PAYLOAD_KEYS = 50
MAX_TEXT = 10_000


def _any_payload(payload: dict) -> dict:
    return payload


@dataclass(frozen=True)
class InteractionType:
    key: str
    label: str | Promise
    clean: Callable[[dict], dict] = _any_payload  # returns the payload to store, or raises ValidationFailed
    manual: bool = False  # may members log it by hand (API, UI)?
    summary_keys: tuple[str, ...] = field(default=("text", "title", "url", "subject"))

    def summary(self, payload: dict) -> str:
        for key in self.summary_keys:
            if payload.get(key):
                return str(payload[key])[:200]
        return ""


_TYPES: dict[str, InteractionType] = {}


def register_type(kind: InteractionType) -> InteractionType:
    if not kind.key.replace("_", "").replace(".", "").isalnum() or kind.key != kind.key.lower():
        raise ValueError(f"interaction types are lower-case identifiers: {kind.key!r}")
    existing = _TYPES.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"interaction type {kind.key!r} is already registered")
    _TYPES[kind.key] = kind
    return kind


def get_type(key: str) -> InteractionType | None:
    return _TYPES.get(key)


def all_types() -> list[InteractionType]:
    return sorted(_TYPES.values(), key=lambda kind: kind.key)


def _check_payload(payload) -> dict:
    if not isinstance(payload, dict) or len(payload) > MAX_PAYLOAD_KEYS:
        raise ValidationFailed(fields={"payload": _("Give an object with at most 50 keys.")})
    return payload


def record(
    contact: Contact,
    kind: str,
    at: datetime | None = None,
    payload: dict | None = None,
    *,
    source_ref: str = "",
    author=None,
) -> Interaction:
    """Appends one interaction; with ``source_ref`` a second call for the same event returns the first.
    Listeners registered with ``listeners.on_interaction`` hear of a new entry after commit.

    ``at`` must be time-zone aware (stored in UTC); the default is now.
    """
    interaction_type = _TYPES.get(kind)
    if interaction_type is None:
        raise ValidationFailed(fields={"kind": _("Unknown interaction type.")})
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValidationFailed(fields={"occurred_at": _("Give a time with its time zone.")})
    payload = interaction_type.clean(_check_payload(dict(payload or {})))
    source_ref = str(source_ref or "")[:200]
    if source_ref:
        existing = Interaction.unscoped.filter(
            workspace_id=contact.workspace_id, kind=kind, source_ref=source_ref
        ).first()
        if existing is not None:
            return existing
    interaction = Interaction(
        workspace_id=contact.workspace_id,
        contact=contact,
        kind=kind,
        occurred_at=at,
        payload=payload,
        source_ref=source_ref,
        author=author,
    )
    try:
        with transaction.atomic():
            interaction.save()
    except IntegrityError:  # a concurrent record of the same source_ref won
        return Interaction.unscoped.get(workspace_id=contact.workspace_id, kind=kind, source_ref=source_ref)
    listeners.interaction_recorded(interaction)
    Contact.unscoped.filter(pk=contact.pk).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at)
    ).update(last_activity_at=at)
    return interaction


def encode_cursor(interaction: Interaction) -> str:
    raw = f"{interaction.occurred_at.isoformat()}|{interaction.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        at = datetime.fromisoformat(moment)
        if timezone.is_naive(at):
            raise ValueError("naive")
        return at, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValidationFailed(fields={"before": _("This cursor is not valid.")}) from None


def page(
    contact: Contact, *, kinds: Iterable[str] = (), before: str = "", limit: int = 50
) -> tuple[list[Interaction], str]:
    """(up to ``limit`` interactions, newest first; the cursor of the next page or ``""``)."""
    limit = max(1, min(int(limit), MAX_PAGE))
    entries = Interaction.unscoped.filter(workspace_id=contact.workspace_id, contact_id=contact.pk)
    kinds = [kind for kind in kinds if kind]
    if kinds:
        entries = entries.filter(kind__in=kinds)
    if before:
        at, pk = decode_cursor(before)
        entries = entries.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    found = list(entries.select_related("author__user").order_by("-occurred_at", "-id")[: limit + 1])
    next_cursor = encode_cursor(found[limit - 1]) if len(found) > limit else ""
    return found[:limit], next_cursor


# Types contacts owns. Other apps register theirs (email events, mentions, ...) the same way.


def _clean_text(payload: dict) -> dict:
    text = str(payload.get("text") or "").strip()
    if not text:
        raise ValidationFailed(fields={"payload.text": _("Write something.")})
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            fields={"payload.text": _("At most %(count)d characters.") % {"count": MAX_TEXT}}
        )
    cleaned = {"text": text}
    if payload.get("minutes") not in (None, ""):
        try:
            cleaned["minutes"] = max(0, min(int(payload["minutes"]), 24 * 60))
        except (TypeError, ValueError):
            raise ValidationFailed(fields={"payload.minutes": _("Enter a whole number.")}) from None
    return cleaned


def _clean_deal(payload: dict) -> dict:
    from decimal import Decimal, InvalidOperation

    title = str(payload.get("title") or "").strip()[:200]
    try:
        amount = Decimal(str(payload.get("amount", "0")))
    except InvalidOperation:
        raise ValidationFailed(fields={"payload.amount": _("Enter a number, e.g. 1200.50.")}) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise ValidationFailed(fields={"payload.amount": _("Enter a number, e.g. 1200.50.")})
    currency = str(payload.get("currency") or "CNY").upper()[:3]
    return {"title": title, "amount": format(amount.quantize(Decimal("0.01")), "f"), "currency": currency}


def register_builtin_types() -> None:
    register_type(InteractionType("note", gettext_lazy("Note"), _clean_text, manual=True))
    register_type(InteractionType("call", gettext_lazy("Call"), _clean_text, manual=True))
    register_type(InteractionType("meeting", gettext_lazy("Meeting"), _clean_text, manual=True))
    register_type(InteractionType("deal", gettext_lazy("Deal"), _clean_deal, manual=True))
    register_type(InteractionType("purchase", gettext_lazy("Purchase"), _clean_deal, manual=True))
    register_type(InteractionType("form_submission", gettext_lazy("Form submission")))
    register_type(InteractionType("link_click", gettext_lazy("Link click")))
    register_type(InteractionType("website_event", gettext_lazy("Website event")))
    register_type(InteractionType("identified", gettext_lazy("Visitor identified")))
    register_type(InteractionType("imported", gettext_lazy("Imported")))
    register_type(InteractionType("consent", gettext_lazy("Consent")))
    register_type(InteractionType("merged", gettext_lazy("Merged")))
    register_type(InteractionType("offline_event", gettext_lazy("Offline event attendance")))
    register_type(
        InteractionType("score_stage", gettext_lazy("Stage changed by scoring"), summary_keys=("to",))
    )
