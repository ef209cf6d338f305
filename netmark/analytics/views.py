"""Analytics pages: the entry point, and what the site pages (``site_views.py``) and the dashboard
(``dashboard_views.py``) share.

Views parse, call ``services`` / ``reports`` and render; ``workspace_page`` and the services check
the role table. Everything the public sent (paths, referrers, UTM values, event names) is rendered
through Django's autoescaping only, and links made from it are query strings of our own pages.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netmark.analytics import channels, reports, services
from netmark.analytics.stores.base import MICROS
from netmark.core.roles import Capability, can
from netmark.web.access import workspace_page

CENT = Decimal("0.01")

# Why the ingestion endpoints refused events (``reports.filtered_counts``).
DROP_REASONS = {
    "bot_crawler": _("Crawlers and spiders"),
    "bot_headless": _("Headless browsers"),
    "bot_preview": _("Link previews"),
    "bot_tool": _("Scripts and HTTP tools"),
    "bot_empty": _("No user agent"),
    "bot_monitor": _("Uptime monitors"),
    "prefetch": _("Prefetch and prerender requests"),
    "excluded_ip": _("Excluded IP addresses"),
    "excluded_path": _("Excluded paths"),
    "rate_limited_site": _("Over the site's events per minute"),
}

# What the dashboard calls each dimension (breakdown tables, filter chips, CSV files).
DIMENSION_LABELS = {
    "path": _("Page"),
    "entry_path": _("Entry page"),
    "exit_path": _("Exit page"),
    "channel": _("Channel"),
    "source": _("Source"),
    "referrer_host": _("Referrer"),
    "utm_source": _("UTM source"),
    "utm_medium": _("UTM medium"),
    "utm_campaign": _("UTM campaign"),
    "utm_content": _("UTM content"),
    "utm_term": _("UTM term"),
    "device": _("Device"),
    "browser": _("Browser"),
    "os": _("Operating system"),
    "screen": _("Screen size"),
    "language": _("Language"),
    "country": _("Country"),
    "hostname": _("Host name"),
    "name": _("Event"),
}
FILTER_OPERATORS = {"is": _("is"), "is_not": _("is not"), "contains": _("contains")}

# Values of our own vocabulary shown in words; anything else is shown as it was sent.
VALUE_LABELS = {
    "channel": channels.CHANNEL_LABELS,
    "device": {
        "desktop": _("Desktop"),
        "mobile": _("Mobile"),
        "tablet": _("Tablet"),
        "bot": _("Bot"),
    },
    "screen": {
        "mobile": _("Mobile (< 576 px)"),
        "tablet": _("Tablet (576–991 px)"),
        "laptop": _("Laptop (992–1439 px)"),
        "desktop": _("Desktop (≥ 1440 px)"),
    },
}


def value_label(dimension: str, value: str) -> str:
    if not value:
        return str(_("(none)"))
    label = VALUE_LABELS.get(dimension, {}).get(value)
    return str(label) if label else value


def page_url(request, name: str, *args) -> str:
    return reverse(f"analytics:{name}", args=[request.member.workspace.slug, *args])


def rights(member) -> dict:
    return {"can_execute": can(member, Capability.EXECUTE), "can_erase": can(member, Capability.ERASE)}


def money(micros: int | None) -> Decimal:
    """Integer micro-units as an amount with two decimals."""
    return (Decimal(micros or 0) / MICROS).quantize(CENT, rounding=ROUND_HALF_UP)


def filtered_rows(site, period) -> list[dict]:
    """Events refused by the filters in ``period``, by reason, largest first."""
    counts = reports.filtered_counts(site, period)
    rows = [
        {"reason": reason, "label": DROP_REASONS.get(reason, reason), "count": count}
        for reason, count in counts.items()
        if count
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["reason"]))


def install_context(site) -> dict:
    """The tracker snippet and the compatible endpoints of ``site``."""
    base = settings.PUBLIC_URL.rstrip("/")
    return {
        "snippet": services.tracker_snippet(site, base),
        "plausible_url": f"{base}/api/event",
        "umami_url": f"{base}/api/send",
    }


@workspace_page()
def home(request):
    """The dashboard of the first active site (the first site otherwise), or the site list."""
    sites = services.list_sites(request.member.workspace)
    site = sites.filter(is_active=True).first() or sites.first()
    if site is None:
        return redirect(page_url(request, "site_list"))
    return redirect(page_url(request, "dashboard", site.pk))
