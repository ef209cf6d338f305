"""The channel planner: three to five channels that fit the audience and the resources.

The seeds' rule: "three to five channels that you can really support are enough". A channel is a
candidate when the audience spends time there (the audience's ``channel_presence``, 0 to 100). Its
score is that presence, adjusted by what history measured (ROI of past promotions on the channel,
only when at least ``MIN_HISTORY`` promotions spent on it) and by the product (paid channels rarely
pay back a thin margin). Channels are taken best first while the monthly budget and people-hours
cover what each needs to be kept alive (``NEEDS``: rule-of-thumb minimums, documented in
docs/planner.md), five at most. Every choice carries its reasons, every channel left out says why,
and warnings say when the resources cannot support three channels.

Pure functions over plain values: ``recommend`` needs no database; ``services.channel_history`` and
``services.recommend_channels`` gather the inputs.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

MIN_CHANNELS, MAX_CHANNELS = 3, 5
MIN_HISTORY = 2  # promotions with spend before history moves a score
THIN_MARGIN_PERCENT = Decimal(20)
THIN_MARGIN_FACTOR = 0.7
HISTORY_WEIGHT = 0.5  # a channel one ROI point above the median gains up to +50 %


@dataclass(frozen=True, slots=True)
class Needs:
    """What a channel needs a month to be worth running: budget (CNY) and people-hours."""

    budget: Decimal
    hours: Decimal


# Rule-of-thumb minimums for a small team (docs/planner.md explains each). Paid channels need a
# budget large enough to learn from; content channels need regular hours more than money.
NEEDS: dict[str, Needs] = {
    "baidu_search_ads": Needs(Decimal(3000), Decimal(8)),
    "google_search_ads": Needs(Decimal(3000), Decimal(8)),
    "seo": Needs(Decimal(0), Decimal(20)),
    "email": Needs(Decimal(0), Decimal(8)),
    "weibo": Needs(Decimal(0), Decimal(20)),
    "wechat_official": Needs(Decimal(0), Decimal(16)),
    "douban": Needs(Decimal(0), Decimal(10)),
    "zhihu": Needs(Decimal(0), Decimal(15)),
    "forums": Needs(Decimal(0), Decimal(10)),
    "blog": Needs(Decimal(0), Decimal(12)),
    "x": Needs(Decimal(0), Decimal(12)),
    "linkedin": Needs(Decimal(0), Decimal(10)),
    "affiliate": Needs(Decimal(2000), Decimal(6)),
    "offline_events": Needs(Decimal(5000), Decimal(24)),
}
DEFAULT_NEEDS = Needs(Decimal(0), Decimal(8))


@dataclass(frozen=True, slots=True)
class ChannelType:
    code: str
    name: str
    paid: bool


@dataclass(frozen=True, slots=True)
class History:
    """Past promotions on one channel: each one's cost and revenue (allocated to the channel)."""

    costs: tuple[Decimal, ...]
    revenues: tuple[Decimal, ...]

    @property
    def promotions(self) -> int:
        return sum(1 for cost in self.costs if cost > 0)

    @property
    def roi(self) -> float | None:
        cost = sum(self.costs)
        return float((sum(self.revenues) - cost) / cost) if cost > 0 else None

    @property
    def roi_error(self) -> float | None:
        """Standard error of the per-promotion ROI (None below two promotions with spend)."""
        pairs = zip(self.costs, self.revenues, strict=True)
        rois = [float((revenue - cost) / cost) for cost, revenue in pairs if cost > 0]
        if len(rois) < 2:
            return None
        return statistics.stdev(rois) / math.sqrt(len(rois))


@dataclass(frozen=True, slots=True)
class Request:
    channel_types: tuple[ChannelType, ...]
    presence: dict[str, int]  # channel type code -> 0..100
    monthly_budget: Decimal
    monthly_hours: Decimal
    currency: str = "CNY"
    margin_percent: Decimal | None = None
    history: dict[str, History] = field(default_factory=dict)


@dataclass(slots=True)
class Choice:
    code: str
    name: str
    score: float
    budget: Decimal
    hours: Decimal
    reasons: list[str]
    roi: float | None = None
    roi_error: float | None = None


@dataclass(slots=True)
class Recommendation:
    chosen: list[Choice]
    left_out: list[tuple[str, str, str]]  # code, name, why
    warnings: list[str]


def recommend(request: Request) -> Recommendation:
    """Three to five channels for ``request``, best first, with budgets and hours split among them."""
    warnings: list[str] = []
    budget_minimums = request.currency == "CNY"
    if not budget_minimums:
        warnings.append(
            _("Minimum budgets are known in CNY only: check by hand that paid channels get enough.")
        )
    median_roi = _median_roi(request.history)
    candidates, left_out = [], []
    for channel in request.channel_types:
        weight = max(0, min(100, int(request.presence.get(channel.code, 0))))
        if weight == 0:
            left_out.append((channel.code, channel.name, _("The audience does not spend time there.")))
            continue
        score, reasons = _score(channel, weight, request, median_roi)
        candidates.append((score, channel, reasons))
    candidates.sort(key=lambda item: (-item[0], item[1].code))

    chosen: list[Choice] = []
    budget_left, hours_left = request.monthly_budget, request.monthly_hours
    for score, channel, reasons in candidates:
        needs = NEEDS.get(channel.code, DEFAULT_NEEDS)
        need_budget = needs.budget if budget_minimums else Decimal(0)
        why = _why_not(len(chosen), needs, need_budget, budget_left, hours_left, request.currency)
        if why:
            left_out.append((channel.code, channel.name, why))
            continue
        budget_left -= need_budget
        hours_left -= needs.hours
        history = request.history.get(channel.code)
        chosen.append(
            Choice(
                channel.code,
                channel.name,
                round(score, 3),
                need_budget,
                needs.hours,
                reasons,
                history.roi if history else None,
                history.roi_error if history else None,
            )
        )
    paid = {item[1].code: item[1].paid for item in candidates}
    _share_out(chosen, budget_left, hours_left, paid)
    warnings += _warnings(chosen, candidates, request)
    if budget_left > 0 and not any(paid.get(choice.code) for choice in chosen):
        message = _("No paid channel was chosen: %(amount)s of the monthly budget is not allocated.")
        warnings.append(message % {"amount": _money(budget_left, request.currency)})
    return Recommendation(chosen, left_out, warnings)


def _why_not(count: int, needs: Needs, need_budget, budget_left, hours_left, currency: str) -> str:
    if count >= MAX_CHANNELS:
        return _("Five channels are already chosen: more would spread the team thin.")
    if need_budget > budget_left:
        return _("Needs about %(amount)s a month; the budget left is %(left)s.") % {
            "amount": _money(need_budget, currency),
            "left": _money(budget_left, currency),
        }
    if needs.hours > hours_left:
        return _("Needs about %(hours)s people-hours a month; %(left)s are left.") % {
            "hours": needs.hours,
            "left": hours_left,
        }
    return ""


def _median_roi(history: dict[str, History]) -> float | None:
    rois = [item.roi for item in history.values() if item.promotions >= MIN_HISTORY and item.roi is not None]
    return statistics.median(rois) if rois else None


def _score(channel: ChannelType, weight: int, request: Request, median_roi: float | None):
    score = weight / 100
    reasons = [_("The audience's presence there: %(weight)d of 100.") % {"weight": weight}]
    history = request.history.get(channel.code)
    if history and history.roi is not None:
        roi_text = _percent(history.roi)
        if history.promotions >= MIN_HISTORY and median_roi is not None:
            factor = 1 + HISTORY_WEIGHT * math.tanh(history.roi - median_roi)
            score *= factor
            error = history.roi_error
            message = _("Measured ROI %(roi)s over %(count)d promotions (± %(error)s), median %(median)s.")
            reasons.append(
                message
                % {
                    "roi": roi_text,
                    "count": history.promotions,
                    "median": _percent(median_roi),
                    "error": _percent(error) if error is not None else "?",
                }
            )
        else:
            reasons.append(
                _("ROI %(roi)s from a single promotion: too thin to move the ranking.") % {"roi": roi_text}
            )
    if channel.paid and request.margin_percent is not None and request.margin_percent < THIN_MARGIN_PERCENT:
        score *= THIN_MARGIN_FACTOR
        reasons.append(
            _("Paid channel and a %(margin)s%% margin: paid clicks rarely pay back a thin margin.")
            % {"margin": request.margin_percent}
        )
    return score, reasons


def _share_out(chosen: list[Choice], budget_left: Decimal, hours_left: Decimal, paid: dict) -> None:
    """Spread what is left over the minimums: the budget over paid channels, hours over all, by score."""
    paid_choices = [choice for choice in chosen if paid.get(choice.code)]
    for group, left, attribute in ((paid_choices, budget_left, "budget"), (chosen, hours_left, "hours")):
        total = sum(choice.score for choice in group)
        if not group or total <= 0 or left <= 0:
            continue
        for choice in group:
            extra = (left * Decimal(choice.score / total)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            setattr(choice, attribute, getattr(choice, attribute) + extra)
    for choice in chosen:
        choice.hours = choice.hours.quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _warnings(chosen: list[Choice], candidates, request: Request) -> list[str]:
    warnings = []
    present = len(candidates)
    if present < MIN_CHANNELS:
        message = _("The audience profile names %(count)d channel(s) where they spend time: add the others.")
        warnings.append(message % {"count": present})
    elif len(chosen) < MIN_CHANNELS:
        message = _(
            "The budget and hours support only %(count)d channel(s); three need about %(hours)s hours."
        )
        warnings.append(message % {"count": len(chosen), "hours": _hours_for_three(candidates)})
    return warnings


def _hours_for_three(candidates) -> Decimal:
    hours = sorted(NEEDS.get(channel.code, DEFAULT_NEEDS).hours for _score, channel, _reasons in candidates)
    return sum(hours[:MIN_CHANNELS], Decimal(0))


def spread_warnings(channels: list[tuple[str, str, Decimal, Decimal]], currency: str = "CNY") -> list[str]:
    """Warnings for a plan's channels ``(code, name, monthly budget, monthly hours)``: more channels
    than five, or channels given less than they need to be kept alive."""
    warnings = []
    if len(channels) > MAX_CHANNELS:
        warnings.append(
            _("This plan spreads over %(count)d channels; a small team can really support three to five.")
            % {"count": len(channels)}
        )
    for code, name, budget, hours in channels:
        needs = NEEDS.get(code, DEFAULT_NEEDS)
        if hours < needs.hours:
            warnings.append(
                _("%(name)s gets %(hours)s people-hours a month; it needs about %(need)s to be kept alive.")
                % {"name": name, "hours": hours, "need": needs.hours}
            )
        if currency == "CNY" and budget < needs.budget:
            warnings.append(
                _("%(name)s gets %(budget)s a month; it needs about %(need)s to learn anything.")
                % {"name": name, "budget": _money(budget, currency), "need": _money(needs.budget, currency)}
            )
    return warnings


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.0f}"


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"
