"""The audit log: every service that changes a record calls ``record`` in the same transaction."""

import contextvars
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import models

from netmark.core.models import AuditEntry

# Where the change came from (ui, api, cli, job) and the client IP; set once per request or command.
_channel: contextvars.ContextVar[tuple[str, str | None]] = contextvars.ContextVar(
    "audit_channel", default=("job", None)
)


@contextmanager
def via(channel: str, ip_address: str | None = None):
    token = _channel.set((channel, ip_address))
    try:
        yield
    finally:
        _channel.reset(token)


def record(member, action: str, obj: models.Model | None = None, changes: dict | None = None) -> AuditEntry:
    entry = _entry(
        member,
        action,
        obj._meta.model_name if obj is not None else "",
        str(obj.pk) if obj is not None and obj.pk is not None else "",
        str(obj)[:200] if obj is not None else "",
        changes,
    )
    entry.save(force_insert=True)
    return entry


def record_many(member, action: str, targets: Iterable[tuple[str, str, str, dict]]) -> list[AuditEntry]:
    """One entry per ``(object_type, object_id, object_repr, changes)``, written in one bulk insert:
    for services that change many rows at once (the scoring recompute moves stages by thousands)."""
    entries = [_entry(member, action, *target) for target in targets]
    return AuditEntry.unscoped.bulk_create(entries, batch_size=1000)


def _entry(member, action: str, object_type: str, object_id: str, object_repr: str, changes) -> AuditEntry:
    channel, ip_address = _channel.get()
    return AuditEntry(
        workspace_id=member.workspace_id,
        actor_id=member.user_id,
        actor_label=member.label,
        via=channel,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        ip_address=ip_address,
    )


def diff(instance: models.Model, updates: dict) -> dict:
    """The ``{"field": [old, new]}`` pairs of ``updates`` that change ``instance``, JSON-safe."""
    changed = {}
    for field, new in updates.items():
        old = getattr(instance, field, None)
        if old != new:
            changed[field] = [_plain(old), _plain(new)]
    return changed


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)
