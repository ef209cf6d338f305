"""Request bodies of the public ingestion endpoints, parsed into one shape (``Hit``).

- ``POST /api/event``: the Plausible Events API body, long keys (``name``, ``url``, ``domain``,
  ``referrer``, ``props``, ``revenue``) or the short keys of its script and of netmark's own
  (``n``, ``u``, ``d``, ``r``, ``p``, ``$``, ``w``).
- ``POST /api/send``: Umami's ``{"type": "event" | "identify", "payload": {...}}``, including the
  server-side overrides ``ip``, ``userAgent``, ``timestamp`` (unix seconds) and ``id``.

Every problem raises ``BadBody`` with a reason the endpoint returns as a 400.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlsplit

MAX_TEXT = 2000  # characters kept of a URL or referrer
MAX_NAME = 120
MAX_PROPS = 30
MAX_PROP_TEXT = 300
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
MAX_REVENUE = Decimal("1000000000")


class BadBody(ValueError):
    pass


@dataclass(slots=True)
class Hit:
    site_keys: list[str]  # domains (Plausible) or one website id (Umami)
    by_public_id: bool
    name: str
    url: str
    hostname: str
    path: str
    referrer: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    props: dict[str, str] = field(default_factory=dict)
    revenue: Decimal | None = None
    currency: str = ""
    width: int | None = None
    screen: str = ""
    language: str = ""
    ip: str = ""
    user_agent: str = ""
    timestamp_s: int | None = None
    distinct_id: str = ""
    identify: bool = False


def _load(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadBody("The body is not valid JSON.") from error
    if not isinstance(data, dict):
        raise BadBody("The body must be a JSON object.")
    return data


def _text(value, limit: int, label: str, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise BadBody(f"{label} is required.")
        return ""
    if not isinstance(value, str):
        raise BadBody(f"{label} must be a string.")
    if "\x00" in value:
        raise BadBody(f"{label} contains a NUL character.")
    return value.strip()[:limit]


def _props(value) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise BadBody("props must be an object.") from error
    if not isinstance(value, dict):
        raise BadBody("props must be an object.")
    props = {}
    for key, item in list(value.items())[:MAX_PROPS]:
        if isinstance(item, (dict, list)) or item is None:
            continue  # Plausible keeps scalar properties only
        text = str(item).replace("\x00", "")
        props[str(key).replace("\x00", "")[:MAX_NAME]] = text[:MAX_PROP_TEXT]
    return props


def _revenue(value) -> tuple[Decimal | None, str]:
    if value in (None, ""):
        return None, ""
    if not isinstance(value, dict):
        raise BadBody("revenue must be an object with amount and currency.")
    currency = value.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise BadBody("revenue.currency must be a three-letter ISO code such as CNY.")
    amount = _amount(value.get("amount"), "revenue.amount")
    return amount, currency.upper()


def _amount(value, label: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadBody(f"{label} must be a number.")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise BadBody(f"{label} must be a number.") from error
    if not amount.is_finite() or abs(amount) >= MAX_REVENUE:
        raise BadBody(f"{label} is out of range.")
    return amount.quantize(Decimal("0.000001"))


def split_url(url: str) -> tuple[str, str, dict[str, str]]:
    """(hostname, path, UTM values) of a page URL or of a bare path."""
    try:
        parts = urlsplit(url)
        hostname = (parts.hostname or "").lower()
    except ValueError as error:
        raise BadBody("url is not a valid URL.") from error
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise BadBody("url must be an http or https URL.")
    path = parts.path or "/"
    utm = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        key = key.lower()
        if key in UTM_KEYS and key not in utm:
            utm[key] = value.strip().lower()[:100]
    return hostname, path[:MAX_TEXT], utm


def parse_plausible(body: bytes) -> Hit:
    data = _load(body)
    name = _text(data.get("name", data.get("n")), MAX_NAME, "name", required=True)
    url = _text(data.get("url", data.get("u")), MAX_TEXT, "url", required=True)
    domain = _text(data.get("domain", data.get("d")), 1000, "domain", required=True)
    hostname, path, utm = split_url(url)
    if not hostname:
        raise BadBody("url must be an absolute URL.")
    revenue, currency = _revenue(data.get("revenue", data.get("$")))
    width = data.get("w")
    return Hit(
        site_keys=[item.strip().lower() for item in domain.split(",") if item.strip()][:5],
        by_public_id=False,
        name=name,
        url=url,
        hostname=hostname,
        path=path,
        referrer=_text(data.get("referrer", data.get("r")), MAX_TEXT, "referrer"),
        utm=utm,
        props=_props(data.get("props", data.get("p", data.get("m")))),
        revenue=revenue,
        currency=currency,
        width=width
        if isinstance(width, int) and not isinstance(width, bool) and 0 < width < 100_000
        else None,
    )


def parse_umami(body: bytes) -> Hit:
    data = _load(body)
    kind = data.get("type")
    payload = data.get("payload")
    if kind not in ("event", "identify"):
        raise BadBody('type must be "event" or "identify".')
    if not isinstance(payload, dict):
        raise BadBody("payload must be an object.")
    website = _text(payload.get("website"), 64, "payload.website", required=True)
    url = _text(payload.get("url"), MAX_TEXT, "payload.url") or "/"
    hostname = _text(payload.get("hostname"), 253, "payload.hostname").lower()
    host_from_url, path, utm = split_url(url)
    props = _props(payload.get("data"))
    revenue, currency = None, ""
    if "revenue" in props:  # Umami's convention: revenue and currency inside the event data
        revenue = _amount(props.pop("revenue"), "payload.data.revenue")
        currency = props.pop("currency", "").upper()[:3]
        if len(currency) != 3 or not currency.isalpha():
            raise BadBody("payload.data.currency must be a three-letter ISO code such as CNY.")
    timestamp = payload.get("timestamp")
    if timestamp is not None and (isinstance(timestamp, bool) or not isinstance(timestamp, int)):
        raise BadBody("payload.timestamp must be unix seconds.")
    return Hit(
        site_keys=[website.lower()],
        by_public_id=True,
        name=_text(payload.get("name"), MAX_NAME, "payload.name") or "pageview",
        url=url,
        hostname=hostname or host_from_url,
        path=path,
        referrer=_text(payload.get("referrer"), MAX_TEXT, "payload.referrer"),
        utm=utm,
        props=props,
        revenue=revenue,
        currency=currency,
        screen=_text(payload.get("screen"), 20, "payload.screen"),
        language=_text(payload.get("language"), 35, "payload.language"),
        ip=_text(payload.get("ip"), 64, "payload.ip"),
        user_agent=_text(payload.get("userAgent"), 1000, "payload.userAgent"),
        timestamp_s=timestamp,
        distinct_id=_text(payload.get("id"), 200, "payload.id"),
        identify=kind == "identify",
    )
