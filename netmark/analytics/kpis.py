"""KPIs measured on the website (ARCHITECTURE.md, "One flow"): a promotion's visits, unique
visitors, pageviews, conversions and revenue, through its UTM campaign, over all the sites of its
workspace. Registered from ``AnalyticsConfig.ready``."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from netmark.core.kpis import Kpi, register_kpi


def plan_campaign(plan) -> str:
    """The UTM campaign a plan's links carry: its own field, else a slug of its name."""
    return (plan.utm_campaign or slugify(plan.name, allow_unicode=False)).strip().lower()


def _bounds(plan, start: datetime | None, end: datetime | None) -> tuple[int, int]:
    def at(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=UTC)

    start = start or at(plan.starts_on) - timedelta(days=1)
    end = end or at(plan.ends_on) + timedelta(days=31)  # results trail the promotion
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def campaign_totals(plan, start: datetime | None = None, end: datetime | None = None):
    from netmark.analytics.models import Site
    from netmark.analytics.stores import get_store
    from netmark.analytics.stores.base import Filter, Query, Totals

    campaign = plan_campaign(plan)
    total = Totals()
    if not campaign:
        return total
    start_ms, end_ms = _bounds(plan, start, end)
    for site in Site.unscoped.filter(workspace_id=plan.workspace_id):
        query = Query(
            plan.workspace_id, site.pk, start_ms, end_ms, site.timezone, (Filter("utm_campaign", campaign),)
        )
        found = get_store().totals(query)
        for field in (
            "visitors",
            "visits",
            "pageviews",
            "bounces",
            "duration_ms",
            "revenue_micros",
            "events",
        ):
            setattr(total, field, getattr(total, field) + getattr(found, field))
    return total


def _measure(field: str):
    def compute(plan, start, end):
        value = getattr(campaign_totals(plan, start, end), field)
        return (Decimal(value) / 1_000_000).quantize(Decimal("0.01")) if field == "revenue_micros" else value

    return compute


def register() -> None:
    for name, label, unit, field, description in [
        ("visits", _("Visits"), "count", "visits", _("Visits that arrived with the plan's UTM campaign.")),
        (
            "unique_visitors",
            _("Unique visitors"),
            "count",
            "visitors",
            _("Distinct visitors of those visits."),
        ),
        ("pageviews", _("Pageviews"), "count", "pageviews", _("Pageviews in those visits.")),
        (
            "conversions",
            _("Conversions"),
            "count",
            "events",
            _("Custom events and conversions in those visits."),
        ),
        ("revenue", _("Revenue"), "money", "revenue_micros", _("Revenue recorded in those visits.")),
    ]:
        register_kpi(Kpi(name, label, unit, _measure(field), description=description))
