"""The KPI registry (ARCHITECTURE.md, "One flow").

Each KPI is registered once, by the app that can compute it, in its ``AppConfig.ready()``:
``register_kpi(Kpi(name=..., unit=..., compute=...))``. Plans, evaluation, reports and the channel
planner read KPI values only through ``actual_value``; a new KPI is one registration.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.utils.functional import Promise

Unit = Literal["count", "money", "ratio", "percent", "money_per_unit"]
# compute(plan, start, end) -> the actual value over [start, end), or None when unknown.
Compute = Callable[[object, datetime | None, datetime | None], Decimal | int | float | None]


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str | Promise
    unit: Unit
    compute: Compute | None = None
    higher_is_better: bool = True
    description: str | Promise = ""


_REGISTRY: dict[str, Kpi] = {}


def register_kpi(kpi: Kpi) -> Kpi:
    if not kpi.name.isidentifier() or kpi.name != kpi.name.lower():
        raise ValueError(f"KPI names are lower-case identifiers: {kpi.name!r}")
    existing = _REGISTRY.get(kpi.name)
    # A KPI declared without a computation may be completed later by the app that measures it.
    if existing is not None and existing.compute is not None and existing != kpi:
        raise ValueError(f"KPI {kpi.name!r} is already registered")
    _REGISTRY[kpi.name] = kpi
    return kpi


def get_kpi(name: str) -> Kpi | None:
    return _REGISTRY.get(name)


def all_kpis() -> list[Kpi]:
    return sorted(_REGISTRY.values(), key=lambda kpi: kpi.name)


def actual_value(name: str, plan, start: datetime | None = None, end: datetime | None = None):
    """The measured value of KPI ``name`` for ``plan``, or None when no app computes it yet."""
    kpi = _REGISTRY.get(name)
    if kpi is None or kpi.compute is None:
        return None
    return kpi.compute(plan, start, end)
