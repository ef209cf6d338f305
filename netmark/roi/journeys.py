"""Attribution of a site's conversions: paths from the event store, every model side by side, and
what the differences between models mean, in plain words.

The same function feeds the attribution page and the REST API (a CLI verb is still to come).
Touches are labelled by channel group, source, UTM campaign, or *promotion* (a visit's UTM values
mapped to a promotion plan the way the links app maps them: by the links netmark made, or a mapping
the user saved; unmapped traffic keeps its channel group, never an invented promotion).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.analytics import services as analytics
from netmark.core.errors import ValidationFailed
from netmark.core.scoping import scoped
from netmark.links import mappings
from netmark.planning.models import Plan
from netmark.roi import attribution, paths
from netmark.roi.attribution import Credit, Path

DIMENSIONS = ("channel", "source", "utm_campaign", "promotion")
TOP_PATHS = 20


@dataclass(frozen=True, slots=True)
class AttributionReport:
    paths: paths.PathReport
    credit: dict[str, dict[str, Credit]]  # channel -> model name -> credit
    notes: list[str]
    dimension: str
    site_id: int
    start: datetime.date
    end: datetime.date


def site_attribution(
    workspace,
    site_id,
    start,
    end,
    goals: list[str],
    *,
    dimension: str = "channel",
    lookback_days: int = 30,
    collapse_repeats: bool = False,
    in_words: bool = False,
) -> AttributionReport:
    """Conversions of ``goals`` on one site from ``start`` to ``end`` (days in the site's time zone,
    the last 30 days by default), credited by every model. ``in_words`` names channel groups in the
    active language (pages and reports); the API and CSV keep their keys (``search``)."""
    site = analytics.get_site(workspace, site_id)
    period = analytics.report_period(site, start, end)
    if dimension not in DIMENSIONS:
        raise ValidationFailed(
            fields={"dimension": _("Label touches by channel, source, utm_campaign or promotion.")}
        )
    store_dimension = "utm" if dimension == "promotion" else dimension
    rows = analytics.attribution_rows(
        site, period, goals, dimension=store_dimension, lookback_days=lookback_days
    )
    label = _promotion_label(workspace) if dimension == "promotion" else None
    if in_words and dimension == "channel":
        label = analytics.channel_label
    report = paths.build_paths(
        rows.touches,
        rows.conversions,
        start_ms=rows.start_ms,
        label=label,
        collapse_repeats=collapse_repeats,
    )
    credit = attribution.compare_models(report.paths) if report.paths else {}
    return AttributionReport(report, credit, explain(credit), dimension, site.pk, period.start, period.end)


def _promotion_label(workspace):
    """Raw UTM values to a promotion's name: the links and UTM mappings, else the one promotion
    whose own UTM campaign is that value (as cost imports resolve it); never a guess."""
    plans = list(scoped(Plan, workspace).values_list("pk", "name", "utm_campaign"))
    names = {pk: name for pk, name, _campaign in plans}
    by_campaign: dict[str, set[int]] = {}
    for pk, _name, campaign in plans:
        if campaign:
            by_campaign.setdefault(campaign.strip().lower(), set()).add(pk)

    @functools.cache
    def label(raw: str) -> str:
        source, medium, campaign = (raw.split(analytics.UTM_SEPARATOR) + ["", "", ""])[:3]
        plan_id, _account = mappings.resolve_promotion(workspace.pk, source, medium, campaign)
        if plan_id is None and len(owners := by_campaign.get(campaign.strip().lower(), ())) == 1:
            (plan_id,) = owners
        if plan_id in names:
            return names[plan_id]
        return _("(no promotion)")

    return label


def model_labels() -> dict[str, str]:
    return {
        "first_touch": gettext_lazy("First touch"),
        "last_touch": gettext_lazy("Last touch"),
        "last_non_direct": gettext_lazy("Last non-direct"),
        "linear": gettext_lazy("Linear"),
        "time_decay": gettext_lazy("Time decay"),
        "position_based": gettext_lazy("Position-based"),
        "markov": gettext_lazy("Markov"),
        "shapley": gettext_lazy("Shapley"),
    }


def top_paths(report: paths.PathReport, limit: int = TOP_PATHS) -> list[Path]:
    """The paths that brought the most conversions, then the most visitors."""
    return sorted(report.paths, key=lambda path: (-path.conversions, -path.nulls, path.touches))[:limit]


def shares(credit: dict[str, dict[str, Credit]]) -> dict[str, dict[str, float]]:
    """Each channel's share of the conversions under each model (0 to 1)."""
    totals = {
        model: sum(by_model[model].conversions for by_model in credit.values())
        for model in attribution.MODEL_NAMES
    }
    return {
        channel: {
            model: (by_model[model].conversions / totals[model] if totals[model] else 0.0)
            for model in attribution.MODEL_NAMES
        }
        for channel, by_model in credit.items()
    }


# Differences smaller than this share of all conversions are not worth a sentence.
NOTABLE = 0.05


def explain(credit: dict[str, dict[str, Credit]]) -> list[str]:
    """Plain-words notes on where the models disagree, the largest disagreements first."""
    notes = []
    for channel, share in sorted(shares(credit).items(), key=lambda item: -_spread(item[1])):
        first, last = share["first_touch"], share["last_touch"]
        if first - last >= NOTABLE:
            notes.append(
                _(
                    "%(channel)s opens journeys more than it closes them: %(first)s of conversions under"
                    " first touch, %(last)s under last touch. Cutting it would starve later channels."
                )
                % {"channel": channel, "first": _percent(first), "last": _percent(last)}
            )
        elif last - first >= NOTABLE:
            notes.append(
                _(
                    "%(channel)s closes journeys that other channels opened: %(last)s of conversions under"
                    " last touch, %(first)s under first touch. Last-touch reports overstate it."
                )
                % {"channel": channel, "first": _percent(first), "last": _percent(last)}
            )
        markov, linear = share["markov"], share["linear"]
        if abs(markov - linear) >= NOTABLE:
            notes.append(
                _(
                    "Removing %(channel)s would lose %(markov)s of conversions (Markov removal effect),"
                    " against %(linear)s when every touch counts the same (linear)."
                )
                % {"channel": channel, "markov": _percent(markov), "linear": _percent(linear)}
            )
    if credit and not notes:
        notes.append(_("The models agree within 5 points for every channel: the credit is robust."))
    return notes


def _spread(share: dict[str, float]) -> float:
    return max(share.values()) - min(share.values())


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"
