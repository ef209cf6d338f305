import pytest


@pytest.fixture
def emitted(monkeypatch) -> list[tuple[int, str, dict]]:
    """Webhook events the planning services hand to core, as (workspace id, event, payload)."""
    from netmark.core import webhooks

    events: list[tuple[int, str, dict]] = []
    monkeypatch.setattr(
        webhooks, "emit", lambda workspace, event, payload: events.append((workspace.pk, event, payload))
    )
    return events
