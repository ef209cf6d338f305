"""The section registry: a report is a list of section keys; a section is one registration.

A section is a key, a translatable title, a ``build(workspace, period, language) -> SectionData``
function and a template (``reports/sections/_generic.html`` shows tables, charts and notes; a
section may name its own). Apps register their sections in ``AppConfig.ready()``::

    from netmark.reports.sections import Chart, Section, SectionData, Table, register_section

    def build_roi_by_channel(workspace, period, language) -> SectionData:
        rows = ...  # the roi app's own services, over [period.start, period.end]
        return SectionData(
            tables=[Table([_("Channel"), _("Cost"), _("Revenue"), "ROI"], rows, numeric=(1, 2, 3))],
            charts=[Chart(title=_("ROI by channel"), kind="bar", labels=[...], series=[(_("ROI"), [...])])],
        )

    register_section(Section("roi_by_channel", _("ROI by channel"), build_roi_by_channel, order=40))

``build`` runs with the report's language active; it reads other apps only through their services.
Cell values are plain data (str, int, Decimal, float, None); templates escape them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.functional import Promise

GENERIC_TEMPLATE = "reports/sections/_generic.html"


@dataclass(frozen=True)
class ReportPeriod:
    """The days a run covers, inclusive, in the workspace's time zone; ``plan_id`` for per-promotion
    reports (sections then narrow to that promotion)."""

    start: datetime.date
    end: datetime.date
    plan_id: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Table:
    headers: Sequence[str | Promise]
    rows: list[list]
    title: str | Promise = ""
    numeric: tuple[int, ...] = ()  # column indexes shown right-aligned


@dataclass
class Chart:
    title: str | Promise
    kind: Literal["line", "bar"]
    labels: list[str]
    series: list[tuple[str | Promise, list[float | int | None]]]
    unit: str = ""  # appended to axis values, e.g. "%"


@dataclass
class SectionData:
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str | Promise] = field(default_factory=list)
    empty: str | Promise = ""  # shown instead when there is nothing to report

    @property
    def is_empty(self) -> bool:
        return not (self.tables or self.charts or self.notes)


Build = Callable[[object, ReportPeriod, str], SectionData]


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    build: Build
    template: str = GENERIC_TEMPLATE
    order: int = 100
    description: str | Promise = ""


_REGISTRY: dict[str, Section] = {}


def register_section(section: Section) -> Section:
    if not section.key.isidentifier() or section.key != section.key.lower():
        raise ValueError(f"section keys are lower-case identifiers: {section.key!r}")
    existing = _REGISTRY.get(section.key)
    if existing is not None and existing != section:
        raise ValueError(f"report section {section.key!r} is already registered")
    _REGISTRY[section.key] = section
    return section


def get_section(key: str) -> Section | None:
    return _REGISTRY.get(key)


def all_sections() -> list[Section]:
    return sorted(_REGISTRY.values(), key=lambda section: (section.order, section.key))


def section_keys() -> list[str]:
    return [section.key for section in all_sections()]
