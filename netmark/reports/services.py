"""Report definitions: create, change, delete and read them; the public door of the reports app.

Also re-exports the runs (``runs.py``) and the share links (``shares.py``). Writes need
Capability.EVALUATE (owners and planners: reports belong to no plan owner), reads Capability.READ.
"""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from netmark.core import audit
from netmark.core.errors import ValidationFailed
from netmark.core.roles import Capability, require
from netmark.core.scoping import get_for, scoped
from netmark.planning.models import Plan
from netmark.reports.models import Report, ReportRun
from netmark.reports.runs import (  # noqa: F401 - re-exported
    claim_run,
    execute_run,
    get_run,
    list_runs,
    ready_run,
    request_run,
    run_report,
    schedule_due_reports,
    stale_runs,
    status_text,
)
from netmark.reports.sections import all_sections, get_section
from netmark.reports.shares import (  # noqa: F401 - re-exported
    create_share,
    list_shares,
    revoke_share,
    run_for_token,
    share_url,
)

MAX_RECIPIENTS = 50
FIELDS = {"name", "kind", "sections", "language", "recipients", "weekday", "month_day", "send_time"}
FIELDS |= {"plan_id", "is_active"}


def list_reports(workspace):
    return scoped(Report, workspace).select_related("plan")


def get_report(workspace, report_id) -> Report:
    return get_for(Report, workspace, report_id, queryset=list_reports(workspace))


def _clean_sections(keys) -> list[str]:
    keys = [str(key) for key in (keys or [])]
    unknown = [key[:40] for key in keys if get_section(key) is None]
    if unknown:
        raise ValidationFailed(
            fields={"sections": _("Unknown sections: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    if not keys:
        raise ValidationFailed(fields={"sections": _("Choose at least one section.")})
    return list(dict.fromkeys(keys))


def _clean_recipients(addresses) -> list[str]:
    cleaned = []
    for address in addresses or []:
        address = str(address).strip().lower()
        try:
            validate_email(address)
        except DjangoValidationError:
            raise ValidationFailed(
                fields={"recipients": _("Not an email address: %(value)s") % {"value": address[:80]}}
            ) from None
        cleaned.append(address)
    if len(cleaned) > MAX_RECIPIENTS:
        raise ValidationFailed(fields={"recipients": _("At most 50 recipients.")})
    return list(dict.fromkeys(cleaned))


def _check_choice(value, choices, field: str) -> str:
    if value not in choices:
        raise ValidationFailed(
            fields={field: _("Choose one of: %(values)s.") % {"values": ", ".join(choices)}}
        )
    return value


def _check_range(value, low: int, high: int, field: str) -> int:
    if not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            fields={field: _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}}
        )
    return value


def _clean_name(value) -> str:
    name = str(value or "").strip()[:200]
    if not name:
        raise ValidationFailed(fields={"name": _("A report needs a name.")})
    return name


def _clean_time(value) -> datetime.time:
    if isinstance(value, str):
        try:
            value = datetime.time.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime.time):
        raise ValidationFailed(fields={"send_time": _("A time such as 08:00.")})
    return value.replace(tzinfo=None)  # always the workspace's local time


CLEANERS = {
    "name": _clean_name,
    "kind": lambda value: _check_choice(value, Report.Kind.values, "kind"),
    "language": lambda value: _check_choice(value, Report.Language.values, "language"),
    "sections": _clean_sections,
    "recipients": _clean_recipients,
    "weekday": lambda value: _check_range(value, 0, 6, "weekday"),
    "month_day": lambda value: _check_range(value, 1, 28, "month_day"),
    "send_time": _clean_time,
    "is_active": bool,
}


def _clean(workspace, data: dict) -> dict:
    unknown = set(data) - FIELDS
    if unknown:
        raise ValidationFailed(fields={key: _("Unknown field.") for key in sorted(unknown)})
    cleaned = {name: CLEANERS[name](value) for name, value in data.items() if name in CLEANERS}
    if "plan_id" in data:
        plan_id = data["plan_id"]
        cleaned["plan"] = get_for(Plan, workspace, plan_id) if plan_id is not None else None
    return cleaned


def _check_kind(report: Report) -> None:
    if report.kind == Report.Kind.PROMOTION and report.plan_id is None:
        raise ValidationFailed(fields={"plan_id": _("A per-promotion report needs a promotion.")})


@transaction.atomic
def create_report(member, **fields) -> Report:
    require(member, Capability.EVALUATE)
    fields.setdefault("sections", [section.key for section in all_sections()])
    fields.setdefault("name", "")
    report = Report(workspace=member.workspace, created_by=member, **_clean(member.workspace, fields))
    _check_kind(report)
    report.save()
    audit.record(member, "report.created", report)
    return report


@transaction.atomic
def update_report(member, report_id, **fields) -> Report:
    require(member, Capability.EVALUATE)
    report = get_report(member.workspace, report_id)
    changes = _clean(member.workspace, fields)
    for name, value in changes.items():
        setattr(report, name, value)
    _check_kind(report)
    report.save()
    audit.record(
        member, "report.updated", report, {name: str(value)[:200] for name, value in changes.items()}
    )
    return report


@transaction.atomic
def delete_report(member, report_id) -> None:
    require(member, Capability.ERASE)
    report = get_report(member.workspace, report_id)
    audit.record(member, "report.deleted", report)
    scoped(ReportRun, member.workspace).filter(report=report).delete()
    report.delete()


def section_titles(report: Report) -> list[str]:
    """The titles of the report's sections (keys of sections no longer registered as they are)."""
    return [str(get_section(key).title) if get_section(key) else key for key in report.sections]
