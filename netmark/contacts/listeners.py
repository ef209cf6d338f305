"""Who hears about what happens to contacts: an explicit registry instead of Django signals.

Another app registers a listener in its ``AppConfig.ready()``::

    from netmark.contacts import listeners
    listeners.on_interaction(drip_triggers.interaction_recorded)   # listener(interaction)
    listeners.on_tags_added(drip_triggers.tags_added)              # listener(contact, names)

``timeline.record`` calls ``interaction_recorded`` for each new entry and the tag services call
``tags_added`` with the names a contact did not have before; listeners run after the surrounding
transaction commits (``transaction.on_commit``), so a rolled-back entry or tag reaches nobody, and a
listener's failure cannot undo what the contacts app wrote. Listeners are called in registration
order; registering the same function twice keeps one.
"""

from collections.abc import Callable, Iterable

from django.db import transaction

_INTERACTION: list[Callable] = []
_TAGS_ADDED: list[Callable] = []


def _register(registry: list[Callable], listener: Callable) -> Callable:
    if not callable(listener):
        raise TypeError(f"a listener must be callable: {listener!r}")
    if listener not in registry:
        registry.append(listener)
    return listener


def on_interaction(listener: Callable) -> Callable:
    """``listener(interaction)`` for every new timeline entry, after commit."""
    return _register(_INTERACTION, listener)


def on_tags_added(listener: Callable) -> Callable:
    """``listener(contact, names)`` when tags are added to a contact, after commit."""
    return _register(_TAGS_ADDED, listener)


def interaction_recorded(interaction) -> None:
    for listener in tuple(_INTERACTION):
        transaction.on_commit(lambda listener=listener: listener(interaction))


def tags_added(contact, names: Iterable[str]) -> None:
    added = sorted(set(names))
    if not added:
        return
    for listener in tuple(_TAGS_ADDED):
        transaction.on_commit(lambda listener=listener: listener(contact, added))
