"""Contacts (CRM): people, companies, custom fields, tags, consent, one interaction timeline,
visitor identities, segments, privacy requests and CSV import / export.

Owns ``Contact``, ``Company``, ``Tag``, ``CustomField``, ``Consent``, ``ConsentState``,
``Interaction``, ``Identity``, ``ImportJob``, ``Segment`` and ``SegmentMember``. Public services
(``netmark.contacts.services``): ``list_contacts`` (the base queryset), ``get_contact``,
``create_contact`` / ``update_contact``, ``upsert_contact(workspace, data, source=...) -> (contact,
created)``, ``find_duplicate``, ``merge_contacts``, ``record`` (timeline,
``netmark.contacts.timeline.register_type`` for a new interaction type), ``add_tags`` /
``set_tags``, ``on_interaction(listener)`` / ``on_tags_added(listener)`` (told after commit of each
new timeline entry and added tag: the explicit registry in ``listeners``), ``record_consent``,
``may_contact(contact, purpose) -> bool`` (every send asks it), ``identify``, ``export_contact``,
``erase_contact``; segments (``netmark.contacts.segments``): ``segment_contacts(segment) ->
QuerySet`` (for mailing), ``count_filter``, ``filtered_contacts``. Writes no events to the
EventStore; reads contact-id sets from it (``contacts_with``) and nulls ids on erasure
(``forget_contact``). KPIs: ``leads``, ``qualified_leads``.
See docs/contacts.md.
"""
