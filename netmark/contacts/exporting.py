"""CSV export of contacts: UTF-8 with BOM, formula cells escaped (``core.csvio.write_rows``).

Headers are the import's canonical names (or their Chinese forms), so an export imports again.
"""

from netmark.contacts import fields as custom_fields
from netmark.contacts import importing
from netmark.core import csvio

COLUMNS = [
    ("id", "编号", []),
    *[column for column in importing.COLUMNS if column[0] not in ("note",)],
    ("owner", "负责人", []),
    ("do_not_contact", "勿联系", []),
    ("created_at", "创建时间", []),
]


def _row(contact, keys: list[str]) -> list:
    tags = "; ".join(sorted(tag.name for tag in contact.tags.all()))
    row = [
        contact.pk,
        contact.name,
        contact.email,
        contact.phone,
        contact.wechat_id,
        contact.company.name if contact.company else "",
        contact.title,
        contact.city,
        contact.language,
        contact.source,
        contact.stage,
        tags,
        contact.owner.label if contact.owner else "",
        contact.do_not_contact,
        contact.created_at,
    ]
    for key in keys:
        value = contact.custom.get(key)
        row.append("; ".join(value) if isinstance(value, list) else value)
    return row


def export_contacts(workspace, contacts, *, chinese_headers: bool = False) -> bytes:
    """``contacts`` (a queryset from ``services.list_contacts``) as CSV bytes."""
    definitions = list(custom_fields.list_fields(workspace))
    headers = csvio.header_row(COLUMNS, chinese=chinese_headers)
    headers += [(d.label if chinese_headers else f"custom:{d.key}") for d in definitions]
    keys = [d.key for d in definitions]
    queryset = contacts.select_related("company", "owner__user").prefetch_related("tags").order_by("id")
    return csvio.write_rows(headers, (_row(contact, keys) for contact in queryset.iterator(chunk_size=2000)))
