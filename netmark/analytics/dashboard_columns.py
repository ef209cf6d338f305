"""What the dashboard shows: its cards and breakdown tabs, the columns of each table, and how a
figure is written on the page and in a CSV file."""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from netmark.analytics.views import money

TABLE_ROWS = 10
EXPORT_ROWS = 1000

# The breakdown cards and their tabs: (card key, heading, ((dimension, tab label), ...)).
SECTIONS = (
    ("pages", pgettext_lazy("website pages", "Pages"), (
        ("path", gettext_lazy("Top pages")),
        ("entry_path", gettext_lazy("Entry")),
        ("exit_path", gettext_lazy("Exit")),
    )),
    ("sources", gettext_lazy("Sources"), (
        ("channel", gettext_lazy("Channels")),
        ("source", gettext_lazy("Sources")),
        ("referrer_host", gettext_lazy("Referrers")),
    )),
    ("campaigns", gettext_lazy("Campaigns (UTM)"), (
        ("utm_source", gettext_lazy("Source")),
        ("utm_medium", gettext_lazy("Medium")),
        ("utm_campaign", gettext_lazy("Campaign")),
        ("utm_content", gettext_lazy("Content")),
        ("utm_term", gettext_lazy("Term")),
    )),
    ("devices", gettext_lazy("Devices"), (
        ("device", gettext_lazy("Devices")),
        ("browser", gettext_lazy("Browsers")),
        ("os", gettext_lazy("OS")),
        ("screen", gettext_lazy("Screen sizes")),
    )),
    ("languages", gettext_lazy("Languages"), (("language", gettext_lazy("Languages")),)),
    ("events", gettext_lazy("Custom events"), (("name", gettext_lazy("Events")),)),
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # int, percent, money, decimal, duration


VISITORS = Column("visitors", gettext_lazy("Visitors"))
VISIT_COLUMNS = (
    VISITORS,
    Column("visits", gettext_lazy("Visits")),
    Column("bounce_rate", gettext_lazy("Bounce rate"), "percent"),
)
PAGE_COLUMNS = (VISITORS, Column("pageviews", gettext_lazy("Pageviews")))
EVENT_COLUMNS = (
    VISITORS,
    Column("events", gettext_lazy("Events")),
    Column("revenue_micros", gettext_lazy("Revenue"), "money"),
)
REVENUE = Column("revenue_micros", gettext_lazy("Revenue"), "money")
CARDS = (  # (column, a rise is good)
    (VISITORS, True),
    (Column("visits", gettext_lazy("Visits")), True),
    (Column("pageviews", gettext_lazy("Pageviews")), True),
    (Column("views_per_visit", gettext_lazy("Views per visit"), "decimal"), True),
    (Column("bounce_rate", gettext_lazy("Bounce rate"), "percent"), False),
    (Column("mean_duration_s", gettext_lazy("Visit duration"), "duration"), True),
    (REVENUE, True),
)


def show(kind: str, value) -> str:
    """A figure as the page shows it, in the active language's number format."""
    if kind == "percent":
        return number_format(round(value * 100, 1), 1) + "%"
    if kind == "money":
        return number_format(money(value), 2, force_grouping=True)
    if kind == "decimal":
        return number_format(value, 2)
    if kind == "duration":
        return duration(value)
    return number_format(value, 0, force_grouping=True)


def duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)dh %(minutes)02dm") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)dm %(seconds)02ds") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)ds") % {"seconds": seconds}


def raw(kind: str, value):
    """A figure as the CSV file holds it: plain numbers, money with two decimals."""
    return money(value) if kind == "money" else value


def columns_of(dimension: str, with_revenue: bool) -> tuple[Column, ...]:
    if dimension == "path":
        return PAGE_COLUMNS
    if dimension == "name":
        return EVENT_COLUMNS
    return VISIT_COLUMNS + ((REVENUE,) if with_revenue else ())
