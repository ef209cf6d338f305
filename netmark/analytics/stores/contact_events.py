"""What the SQL store answers about contacts: behaviour as contact-id sets (segments) and erasure.

A mixin of ``SqlEventStore`` (it uses the store's ``_fetch``, ``_transaction`` and ``db``). It reads
the SQL tables, not the columnar read side: that one is per site and keeps no props.
"""

from __future__ import annotations

from netmark.analytics.stores import queries
from netmark.analytics.stores.base import Behaviour, tally_contacts


class ContactEvents:
    def contacts_with(
        self, workspace_id: int, behaviour: Behaviour, since_ms: int, identities=None
    ) -> set[int]:
        statement, params = queries.contact_behaviour(
            workspace_id, behaviour, since_ms, anonymous=bool(identities)
        )
        rows = self._fetch("events", statement, params)
        return tally_contacts(rows, identities, behaviour.min_count)

    def forget_contact(self, workspace_id: int, contact_id: int) -> int:
        with self._transaction("events") as connection:
            changed = connection.execute(
                self.db.sql(
                    "UPDATE nm_events SET contact_id = NULL WHERE workspace_id = ? AND contact_id = ?"
                ),
                (workspace_id, contact_id),
            ).rowcount
            connection.execute(
                self.db.sql(
                    "UPDATE nm_visits SET contact_id = NULL WHERE workspace_id = ? AND contact_id = ?"
                ),
                (workspace_id, contact_id),
            )
        return changed
