"""One expression index per custom field key, so a selective segment condition on a custom value
can be an index search instead of parsing every contact's JSON (docs/contacts.md, "Segments").

``ensure(key)`` creates ``contacts_cf_<key>`` on ``(workspace_id, <the value of key>)`` if it does
not exist; ``fields.create_field`` calls it and the migration that introduced it indexed the keys
already defined. Keys are ``[a-z][a-z0-9_]*`` (``fields.KEY``), so they are safe in SQL names and
paths. One index serves every workspace using the key; an index whose field was deleted is left in
place (harmless; the next field with that key reuses it).
"""

from django.db import connection, transaction

from netmark.contacts.fields import KEY


def value_sql(key: str) -> str:
    """The SQL of a custom value, written exactly as the index is (so SQLite matches them)."""
    if not KEY.match(key):
        raise ValueError(f"not a custom field key: {key!r}")
    if connection.vendor == "postgresql":
        return f"(custom -> '{key}')"
    return f"json_extract(custom, '$.{key}')"


def ensure(key: str, *, schema_editor=None) -> None:
    """On PostgreSQL the index is built CONCURRENTLY once the field's transaction has committed:
    a plain CREATE INDEX would block writes to the contacts while it runs, and it cannot run in a
    transaction that still has deferred foreign-key checks pending."""
    target = f"contacts_contact (workspace_id, {value_sql(key)})"
    if schema_editor is not None:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS contacts_cf_{key} ON {target}")
        return
    if connection.vendor == "postgresql":
        transaction.on_commit(
            lambda: _run(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS contacts_cf_{key} ON {target}")
        )
        return
    _run(f"CREATE INDEX IF NOT EXISTS contacts_cf_{key} ON {target}")


def _run(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)
