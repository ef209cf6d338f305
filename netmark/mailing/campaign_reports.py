"""What a campaign did: progress per state, engagement per variant, and the conversions and revenue
its clicks brought, credited through the roi attribution service (docs/mailing.md, "Reports").

Every tracked link of a campaign carries ``utm_content=campaign-<id>-<variant>`` (``campaign-<id>``
without variants, ``delivery.utm_content``), so the visits it brings to any site of the workspace
are told apart per variant; ``roi.services.content_credit`` cuts the paths at each conversion and
credits them under the chosen model (last touch, the last click, by default). Exports are CSV,
UTF-8 with BOM, formula cells escaped (``core.csvio``).
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from netmark.core import csvio
from netmark.mailing import delivery, events
from netmark.mailing.campaign_models import Campaign, Recipient
from netmark.roi import services as roi

State = Recipient.State
EXPORT_COLUMNS = ("email", "variant", "state", "attempts", "was_uncertain", "message_id", "last_code",
                  "last_detail", "sent_at")  # fmt: skip
REPORT_COLUMNS = (
    "variant", "sent", "delivered", "bounces_hard", "bounces_soft", "human_opens", "machine_opens",
    "human_clickers", "clicks", "scanner_clicks", "unsubscribes", "complaints", "conversions", "revenue",
    "link", "link_clicks",
)  # fmt: skip
PLAIN_COUNTS = ("human_opens", "machine_opens", "human_clickers", "clicks", "scanner_clicks", "unsubscribes",
                "complaints")  # fmt: skip
MODELS = tuple(roi.ATTRIBUTION_MODELS)


def progress(campaign: Campaign, *, attribution: dict | None = None) -> dict:
    """Counts per state, the uncertain ones (may have been sent twice), per variant, the engagement
    and, when given (``conversions``), the attributed conversions and revenue."""
    counts = dict.fromkeys(State.values, 0)
    by_variant: dict[str, dict[str, int]] = {}
    rows = campaign.recipients.values_list("variant", "state", "was_uncertain").order_by()
    uncertain = 0
    for variant, state, was_uncertain in rows:
        counts[state] += 1
        uncertain += was_uncertain
        if variant:
            by_variant.setdefault(variant, dict.fromkeys(State.values, 0))[state] += 1
    total = sum(counts.values())
    finished = counts[State.SENT] + counts[State.FAILED] + counts[State.SKIPPED]
    return {"status": campaign.status, "total": total, "states": counts, "uncertain": uncertain,
            "done_percent": round(100 * finished / total, 1) if total else 0.0, "variants": by_variant,
            "winner": campaign.winner, "decision": campaign.decision,
            "engagement": events.campaign_counts(campaign.workspace_id, campaign.pk),
            "attribution": attribution}  # fmt: skip


def variant_keys(campaign: Campaign) -> list[str]:
    """The campaign's variants ("" alone when it has none)."""
    return [variant.key for variant in campaign.variants.all()] or [""]


def conversions(
    campaign: Campaign, *, model: str = "", goals: list[str] | None = None, start=None, end=None
) -> dict | None:
    """Conversions (goal completions; every sale without goals) and revenue credited to the
    campaign and to each variant, from the day it started (in the workspace's time zone) to today
    unless given; None before it started. Conversions may be fractional under multi-touch models."""
    if campaign.started_at is None and start is None:
        return None
    model = model or roi.DEFAULT_ATTRIBUTION_MODEL
    if start is None:  # reports cover at most three years (analytics.report_period)
        zone = ZoneInfo(campaign.workspace.time_zone)
        oldest = timezone.localdate(timezone=zone) - timedelta(days=3 * 365)
        start = max(timezone.localdate(campaign.started_at, zone), oldest)
    keys = variant_keys(campaign)
    contents = {delivery.utm_content(campaign.pk, key): key for key in keys}
    credit = roi.content_credit(
        campaign.workspace, contents, start=start, end=end, model=model, goals=list(goals or [])
    )
    per_variant = {
        key: {"conversions": round(given.conversions, 4), "revenue": round(given.value, 2)}
        for key, given in credit.by_label.items()
    }
    return {
        "model": model, "models": list(MODELS), "goals": list(goals or []),
        "start": credit.start, "end": credit.end, "variants": per_variant,
        "conversions": round(sum(row["conversions"] for row in per_variant.values()), 4),
        "revenue": round(sum(row["revenue"] for row in per_variant.values()), 2),
        "all_conversions": credit.conversions, "all_revenue": round(credit.revenue, 2),
    }  # fmt: skip


def report_rows(campaign: Campaign, attribution: dict | None):
    """One row per variant with its counts, then one row per clicked link of that variant."""
    engagement = events.campaign_counts(campaign.workspace_id, campaign.pk)
    credited = (attribution or {}).get("variants", {})
    for key in sorted(set(variant_keys(campaign)) | set(engagement)):
        counts = engagement.get(key) or {}
        bounces = counts.get("bounces") or {}
        money = credited.get(key) or {"conversions": 0, "revenue": 0}
        yield {
            "variant": key, "sent": counts.get("sent", 0), "delivered": counts.get("delivered", 0),
            "bounces_hard": bounces.get("hard", 0), "bounces_soft": bounces.get("soft", 0),
            **{name: counts.get(name, 0) for name in PLAIN_COUNTS},
            "conversions": money["conversions"], "revenue": money["revenue"],
        }  # fmt: skip
        for url, clicks in sorted((counts.get("clicks_per_link") or {}).items(), key=lambda item: -item[1]):
            yield {"variant": key, "link": url, "link_clicks": clicks}


def export_report(campaign: Campaign, attribution: dict | None) -> bytes:
    """The engagement report as CSV (REPORT_COLUMNS), UTF-8 with BOM, formula cells escaped."""
    return csvio.write_rows(REPORT_COLUMNS, report_rows(campaign, attribution))


def export_recipients(campaign: Campaign) -> bytes:
    """CSV of the campaign's recipients, UTF-8 with BOM, formula cells escaped (core.csvio)."""
    rows = campaign.recipients.order_by("id").values(*EXPORT_COLUMNS).iterator(chunk_size=2000)
    return csvio.write_rows(EXPORT_COLUMNS, rows)
