"""Expected results against actual ones: each KPI target of a plan with its measured value.

Re-exported by ``netmark.planning.services``; import them from there. Actual values come only
from the KPI registry (``netmark.core.kpis.actual_value``), over the plan's days in the
workspace's time zone.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from netmark.core.kpis import actual_value, get_kpi
from netmark.core.scoping import scoped
from netmark.planning.models import KpiTarget, Plan


@dataclass(frozen=True)
class KpiRow:
    """One expected result against its measured value (``actual`` is None until an app measures it)."""

    kpi: str
    label: str
    unit: str
    expected: Decimal
    actual: Decimal | int | float | None
    higher_is_better: bool = True


def _period(plan: Plan) -> tuple[datetime.datetime, datetime.datetime]:
    """The plan's days as [start, end) instants in the workspace's time zone."""
    zone = zoneinfo.ZoneInfo(plan.workspace.time_zone or "UTC")
    start = datetime.datetime.combine(plan.starts_on, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(plan.ends_on + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def expected_vs_actual(plan: Plan) -> list[KpiRow]:
    """Each KPI target with the measured value over the plan's days (KPI registry, ``actual_value``)."""
    start, end = _period(plan)
    rows = []
    for target in scoped(KpiTarget, plan.workspace).filter(plan=plan):
        kpi = get_kpi(target.kpi)
        rows.append(
            KpiRow(
                kpi=target.kpi,
                label=str(kpi.label) if kpi else target.kpi,
                unit=kpi.unit if kpi else "count",
                expected=target.target,
                actual=actual_value(target.kpi, plan, start, end),
                higher_is_better=kpi.higher_is_better if kpi else True,
            )
        )
    return rows
