"""Conversions and revenue credited to tagged content (an email campaign and its A/B variants),
through the same paths and models as the attribution page (docs/attribution.md).

Each visit of every site of the workspace is a touch labelled by its channel group, except the
visits whose ``utm_content`` is one the caller names: those are labelled by the caller's label (a
campaign's variant). Paths are cut at each conversion as for a site's attribution, the chosen
model hands out each path's conversions and revenue, and the credit of the named labels is summed
over the sites. Last touch (the last click) is the default model.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from netmark.analytics import services as analytics
from netmark.core.errors import ValidationFailed
from netmark.roi import attribution, paths
from netmark.roi.attribution_markov import markov_credit
from netmark.roi.attribution_shapley import shapley_credit

DEFAULT_MODEL = "last_touch"
MODELS = {
    "first_touch": attribution.first_touch_credit,
    "last_touch": attribution.last_touch_credit,
    "last_non_direct": attribution.last_non_direct_credit,
    "linear": attribution.linear_credit,
    "time_decay": attribution.time_decay_credit,
    "position_based": attribution.position_based_credit,
    "markov": markov_credit,
    "shapley": shapley_credit,
}
_MARK = "\x1e"  # starts a named label: never a channel group's name


@dataclass(slots=True)
class ContentCredit:
    """Credit per label (conversions may be fractional under multi-touch models; revenue in the
    sites' currency units). ``conversions`` / ``revenue`` are everything converted in the range."""

    model: str
    start: datetime.date | None
    end: datetime.date | None
    by_label: dict[str, attribution.Credit] = field(default_factory=dict)
    conversions: int = 0
    revenue: float = 0.0


def content_credit(
    workspace,
    contents: Mapping[str, str],
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    model: str = DEFAULT_MODEL,
    goals: list[str] | None = None,
    lookback_days: int = 30,
) -> ContentCredit:
    """Credit of the visits tagged with ``contents`` (utm_content value -> label) for conversions
    reaching ``goals`` (every sale when none) from ``start`` to ``end`` (days in each site's time
    zone), under ``model``. Every label of ``contents`` is in the answer, with 0 when nothing came."""
    if model not in MODELS:
        raise ValidationFailed(fields={"model": _("Unknown attribution model.")})
    wanted = {str(content).lower(): label for content, label in contents.items()}
    labels = dict.fromkeys(wanted.values(), (0.0, 0.0))
    answer = ContentCredit(model, start, end)
    for site in analytics.list_sites(workspace).order_by("pk"):
        period = analytics.report_period(site, start, end)
        answer.start, answer.end = period.start, period.end
        rows = analytics.attribution_rows(
            site, period, list(goals or []), dimension="channel_content", lookback_days=lookback_days
        )
        label = _labeller(wanted)
        report = paths.build_paths(rows.touches, rows.conversions, start_ms=rows.start_ms, label=label)
        answer.conversions += report.conversions
        answer.revenue += report.value
        credit = MODELS[model](report.paths) if report.paths else {}
        for name, given in credit.items():
            if name.startswith(_MARK):
                label = name[len(_MARK) :]
                conversions, value = labels[label]
                labels[label] = (conversions + given.conversions, value + given.value)
    answer.by_label = {label: attribution.Credit(*totals) for label, totals in labels.items()}
    return answer


def _labeller(wanted: Mapping[str, str]):
    def label(raw: str) -> str:
        channel, _separator, content = raw.partition(analytics.UTM_SEPARATOR)
        if content in wanted:
            return _MARK + wanted[content]
        return channel or "direct"

    return label
