"""Contacts (CRM): people, companies, custom fields, tags, consent, one interaction timeline,
visitor identities, privacy requests and CSV import / export.

Owns ``Contact``, ``Company``, ``Tag``, ``CustomField``, ``Consent``, ``Interaction``, ``Identity``
and ``ImportJob``. Public services (``netmark.contacts.services``): ``list_contacts`` (the base
queryset), ``get_contact``, ``create_contact`` / ``update_contact``, ``upsert_contact(workspace, data,
source=...) -> (contact, created)``, ``find_duplicate``, ``merge_contacts``, ``record`` (timeline,
``netmark.contacts.timeline.register_type`` for a new interaction type), ``record_consent``,
``may_contact(contact, purpose) -> bool`` (every send asks it), ``identify``, ``export_contact``,
``erase_contact``. Writes no events to the EventStore. KPIs: ``leads``, ``qualified_leads``.
See docs/contacts.md.
"""
