"""Conversion paths from touches and conversions: a pure function, no database, no HTTP.

A *journey* is what one person did: an anonymous visitor's visits (their id is a salted hash, so a
journey spans at most one salt period, ARCHITECTURE.md), or an identified contact's visits across
any window (a visitor with one identified visit joins that contact's journey with all its visits).
Each visit is a *touch*, labelled by its channel (or source, campaign, promotion).

A journey is cut at each conversion: the conversion's path is the touches since the previous
conversion, up to and including the visit it happened in. A conversion whose touches an earlier
conversion already took (two purchases in one visit) gets the touch it happened in. A conversion
with no touch at all (a back-office sale of someone never seen on the site) is *unattributed*,
counted apart. What is left after a journey's last conversion is a *null* path (no conversion),
when at least one of its touches falls in the reported range.

Touches and conversions before the range (the lookback) only shape the paths of conversions in the
range: they are never reported themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from netmark.roi.attribution import Path

MICROS = 1_000_000
# A journey longer than this keeps its latest touches: a crawler that slipped through the bot
# filter, or a kiosk shared by a shop, would otherwise make one path of thousands of states.
MAX_TOUCHES = 50

Touch = tuple[int, int | None, int, str]  # visitor, contact id, start ms, label
Conversion = tuple[int, int | None, int, int]  # visitor, contact id, ms, revenue micro-units


@dataclass(slots=True)
class PathReport:
    paths: list[Path] = field(default_factory=list)
    journeys: int = 0
    conversions: int = 0
    value: float = 0.0
    unattributed_conversions: int = 0
    unattributed_value: float = 0.0


def build_paths(
    touches: Iterable[Touch],
    conversions: Iterable[Conversion],
    *,
    start_ms: int,
    identified: Mapping[int, int] | None = None,
    label: Callable[[str], str] | None = None,
    collapse_repeats: bool = False,
) -> PathReport:
    """Aggregate journeys into paths. ``touches`` and ``conversions`` are each in time order.

    ``identified`` maps visitor ids to contact ids learnt elsewhere (a form, a personal link);
    ``label`` renames a touch's raw label (a campaign to its promotion, ``""`` to a readable name)."""
    identified = dict(identified or {})
    touches = touches if isinstance(touches, list) else list(touches)
    for visitor, contact, _ts, _label in touches:
        if contact and visitor not in identified:
            identified[visitor] = contact
    journey_touches = _group_touches(touches, identified, label or _default_label)
    journey_conversions: dict[object, list] = {}
    for visitor, contact, ts, revenue in conversions:
        contact = contact or identified.get(visitor)
        journey_conversions.setdefault(("contact", contact) if contact else visitor, []).append(
            (ts, revenue or 0)
        )

    aggregated: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    report = PathReport()
    for key, path_touches in journey_touches.items():
        converted = journey_conversions.pop(key, None)
        if converted is None:  # most journeys: one null path, or nothing in the range
            if path_touches[-1][0] >= start_ms:
                aggregated[_labels(path_touches, collapse_repeats)][2] += 1
                report.journeys += 1
        elif _cut(path_touches, converted, start_ms, aggregated, report, collapse_repeats):
            report.journeys += 1
    for converted in journey_conversions.values():  # people with conversions and no touch at all
        if _cut([], converted, start_ms, aggregated, report, collapse_repeats):
            report.journeys += 1
    report.paths = [
        Path(touches, conversions=conv, value=value / MICROS, nulls=nulls)
        for touches, (conv, value, nulls) in sorted(aggregated.items())
    ]
    report.value = report.value / MICROS
    report.unattributed_value = report.unattributed_value / MICROS
    return report


def _group_touches(touches: list, identified: Mapping[int, int], rename) -> dict[object, list]:
    """Each person's touches as ``(ts, name)``, in order. One pass and no per-row function call:
    this loop runs once per visit (a million and more)."""
    names: dict[str, str] = {}
    journeys: dict[object, list] = {}
    for visitor, contact, ts, raw in touches:
        name = names.get(raw)
        if name is None:
            name = names[raw] = rename(raw or "")
        if contact:
            key = ("contact", contact)
        elif visitor in identified:
            key = ("contact", identified[visitor])
        else:
            key = visitor
        entry = journeys.get(key)
        if entry is None:
            journeys[key] = [(ts, name)]
        else:
            entry.append((ts, name))
    return journeys


def _default_label(raw: str) -> str:
    return raw or "(none)"


def _cut(touches, conversions, start_ms, aggregated, report, collapse) -> bool:
    """Add one journey's paths to ``aggregated``; True when the journey shows in the range."""
    shown = False
    taken = 0  # touches[:taken] belong to earlier conversions
    count = len(touches)
    for ts, revenue in conversions:
        end = taken
        while end < count and touches[end][0] <= ts:
            end += 1
        if end > taken:
            path = touches[taken:end]
        elif end > 0:
            path = touches[end - 1 : end]  # the visit it happened in, already credited once
        else:
            path = []
        taken = end
        if ts < start_ms:
            continue  # a lookback conversion: it only closes the touches before it
        shown = True
        report.conversions += 1
        report.value += revenue
        if not path:
            report.unattributed_conversions += 1
            report.unattributed_value += revenue
            continue
        cell = aggregated[_labels(path, collapse)]
        cell[0] += 1
        cell[1] += revenue
    rest = touches[taken:]
    if rest and rest[-1][0] >= start_ms:
        shown = True
        aggregated[_labels(rest, collapse)][2] += 1
    return shown


def _labels(path: list[tuple[int, str]], collapse: bool) -> tuple[str, ...]:
    names = [name for _ts, name in path[-MAX_TOUCHES:]]
    if collapse:
        names = [name for index, name in enumerate(names) if index == 0 or names[index - 1] != name]
    return tuple(names)
