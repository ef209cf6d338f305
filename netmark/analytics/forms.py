"""Forms of the analytics pages: the site form, and the dashboard's GET parameters.

The site form parses input only; ``services.create_site`` / ``update_site`` validate and save.
``DashboardState`` is what the dashboard's URL says (date range, filters, goals, funnel steps): it
is parsed leniently (a bad parameter is dropped with a message, the page still answers) and
writes the query strings of the page's links, so every link keeps the rest of the state.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netmark.analytics import reports
from netmark.analytics.models import Site
from netmark.analytics.reports import Period
from netmark.analytics.services import SITE_FIELDS
from netmark.analytics.stores.base import Filter
from netmark.core.errors import ValidationFailed

MAX_FILTERS = 20
MAX_GOALS = 20
MAX_STEPS = 8
DEFAULT_WINDOW_HOURS = 24
MAX_WINDOW_HOURS = 24 * 31


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class SiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    domain = forms.CharField(
        label=gettext_lazy("Domain"),
        max_length=253,
        help_text=gettext_lazy(
            "The host name the tracker reports, such as shop.example.com (no https://, no path)."
        ),
    )
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        initial="Asia/Shanghai",
        help_text=gettext_lazy("Days and hours of the reports are counted in this time zone."),
    )
    salt_period = forms.ChoiceField(
        label=gettext_lazy("Visitor salt rotation"),
        choices=Site.SaltPeriod.choices,
        initial=Site.SaltPeriod.DAY,
        help_text=gettext_lazy(
            "Anonymous visitors are counted with a salted hash whose salt is thrown away when it "
            "rotates. Daily is the most private: an anonymous visitor's path spans at most one day. "
            "Weekly or monthly rotation follows anonymous visitors for longer (returning visitors, "
            "longer paths) and is less private."
        ),
    )
    excluded_ips = forms.CharField(
        label=gettext_lazy("Excluded IP addresses"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One address or network (CIDR) per line, e.g. your office."),
    )
    excluded_paths = forms.CharField(
        label=gettext_lazy("Excluded paths"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One path per line; * matches any characters, e.g. /admin/*."),
    )
    events_per_minute = forms.IntegerField(
        label=gettext_lazy("Events per minute"),
        min_value=0,
        max_value=10_000_000,
        initial=6000,
        help_text=gettext_lazy("Events above this rate are refused, which protects the reports from floods."),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Active (accept events)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = time_zone_choices()

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in (*SITE_FIELDS, "is_active")}

    @staticmethod
    def initial_for(site: Site) -> dict:
        return {name: getattr(site, name) for name in (*SITE_FIELDS, "is_active")}


# The dashboard's URL


def _date_or_none(raw: str | None, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw[:20]})
        return None


def _valid_items(raw_items: list[str], limit: int, check, errors: list[str], *, strip=True) -> list[str]:
    """The distinct items ``check`` accepts, in order, at most ``limit``; the others become messages.

    Filters are not stripped: their values come from the data (a path may end with a space)."""
    items: list[str] = []
    for raw in raw_items:
        text = raw.strip() if strip else raw
        if not text.strip() or text in items:
            continue
        try:
            check(text)
        except ValidationFailed as exc:
            errors.extend(str(message) for message in exc.fields.values())
            continue
        if len(items) == limit:
            errors.append(_("At most %(count)d are shown; the others were left out.") % {"count": limit})
            break
        items.append(text)
    return items


@dataclass(frozen=True)
class DashboardState:
    site: Site
    period: Period
    start: date | None = None  # as given in the URL: without them the range follows "today"
    end: date | None = None
    filter_texts: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    window_hours: int = DEFAULT_WINDOW_HOURS
    errors: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, site: Site, params) -> DashboardState:
        errors: list[str] = []
        start = _date_or_none(params.get("start"), errors)
        end = _date_or_none(params.get("end"), errors)
        try:
            period = reports.period_or_default(start, end, site)
        except ValidationFailed as exc:
            errors.extend(str(message) for message in exc.fields.values())
            start = end = None
            period = reports.period_or_default(None, None, site)
        filters = _valid_items(params.getlist("filter"), MAX_FILTERS, _check_filter, errors, strip=False)
        goals = _valid_items(params.getlist("goal"), MAX_GOALS, reports.parse_goal, errors)
        steps = _valid_items(params.getlist("step"), MAX_STEPS, reports.parse_goal, errors)
        return cls(
            site=site,
            period=period,
            start=start,
            end=end,
            filter_texts=tuple(filters),
            goals=tuple(goals),
            steps=tuple(steps),
            window_hours=_window(params.get("window"), errors),
            errors=tuple(errors),
        )

    @property
    def filters(self) -> tuple[Filter, ...]:
        return reports.parse_filters(list(self.filter_texts))

    def today(self) -> date:
        return datetime.now(zoneinfo.ZoneInfo(self.site.timezone)).date()

    def pairs(self) -> list[tuple[str, str]]:
        """The state as GET parameters, in a stable order."""
        pairs: list[tuple[str, str]] = []
        if self.start:
            pairs.append(("start", self.start.isoformat()))
        if self.end:
            pairs.append(("end", self.end.isoformat()))
        pairs += [("filter", text) for text in self.filter_texts]
        pairs += [("goal", text) for text in self.goals]
        pairs += [("step", text) for text in self.steps]
        if self.window_hours != DEFAULT_WINDOW_HOURS:
            pairs.append(("window", str(self.window_hours)))
        return pairs

    def hidden(self, *names: str) -> list[tuple[str, str]]:
        """The parameters a GET form keeps as hidden inputs while it sets ``names`` itself."""
        return [(name, value) for name, value in self.pairs() if name not in names]

    def query(self, **changes) -> str:
        """``?…`` of this state with ``changes`` applied (the fields of this class)."""
        text = urlencode(replace(self, **changes).pairs())
        return f"?{text}" if text else "?"

    def with_filter(self, text: str) -> str:
        if text in self.filter_texts:
            return self.query()
        return self.query(filter_texts=self.filter_texts + (text,))

    def without(self, name: str, text: str) -> str:
        return self.query(**{name: tuple(item for item in getattr(self, name) if item != text)})

    def presets(self) -> list[dict]:
        """Today, 7, 30 and 90 days, each ending today; ``active`` when it is the current range."""
        today = self.today()
        rows = [(_("Today"), 1), (_("7 days"), 7), (_("30 days"), 30), (_("90 days"), 90)]
        result = []
        for label, days in rows:
            start = today - timedelta(days=days - 1)
            active = self.period.start == start and self.period.end == today
            result.append({"label": label, "url": self.query(start=start, end=today), "active": active})
        return result


def _check_filter(text: str) -> None:
    reports.parse_filters([text])


def _window(raw: str | None, errors: list[str]) -> int:
    if not raw:
        return DEFAULT_WINDOW_HOURS
    try:
        hours = int(raw)
    except ValueError:
        hours = 0
    if not 1 <= hours <= MAX_WINDOW_HOURS:
        errors.append(_("The funnel window is 1 to %(max)d hours.") % {"max": MAX_WINDOW_HOURS})
        return DEFAULT_WINDOW_HOURS
    return hours
