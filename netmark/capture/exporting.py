"""Submissions of a form as CSV: UTF-8 with BOM, formula cells escaped (``core.csvio``)."""

import json

from netmark.capture import formfields, services
from netmark.core import csvio

MAX_ROWS = 100_000


def export_submissions(workspace, form_id) -> bytes:
    form = services.get_form(workspace, form_id)
    custom = formfields.custom_definitions(workspace)
    keys = [field["key"] for field in form.fields]
    headers = ["submitted_at", "contact_id", *[formfields.label_of(field, custom) for field in form.fields]]
    headers += ["consent", "page_url"]
    rows = (
        [
            submission.created_at,
            submission.contact_id,
            *[_cell(submission.values.get(key)) for key in keys],
            submission.consent_given,
            submission.page_url,
        ]
        for submission in services.list_submissions(workspace, form.pk).order_by("created_at", "id")[
            :MAX_ROWS
        ]
    )
    return csvio.write_rows(headers, rows)


def cell_text(value) -> str:
    """A stored value as the text shown on the page (the template escapes it)."""
    return csvio.format_value(_cell(value))


def _cell(value):
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value
