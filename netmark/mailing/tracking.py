"""Open and click tracking for marketing messages (TOKEN and REDIRECT in shared/RELIABILITY.md).

``decorate_html`` is called by the campaign sender once per recipient. Every http(s) link becomes
``/mail/t/c/<token>/`` where the token, signed for the purpose ``mailing.click`` only, carries the
workspace, campaign, variant, contact, the message's tag (``verp.message_tag``) and the target URL
already tagged with the promotion's UTM: the redirect goes only to a URL netmark signed, so it is
never an open redirect, and nothing in the request changes it. The open pixel (``mailing.open``)
and a hidden honeypot link (``mailing.honeypot``) are added. No token carries the address; the
recipient is found through the message's ``sent`` row.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from netmark.core import signing
from netmark.core.errors import NotFound
from netmark.links import services as links
from netmark.mailing import events, machines, verp

OPEN, CLICK, HONEYPOT = "mailing.open", "mailing.click", "mailing.honeypot"
MAX_TOKEN = 4000
_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)
_NO_TRACK = re.compile(r"\bdata-netmark-track\s*=\s*[\"']?no", re.IGNORECASE)
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@dataclass(frozen=True)
class Mark:
    """What a tracking token says (all signed)."""

    workspace_id: int
    campaign_id: int | None
    variant: str
    contact_id: int | None
    message_tag: str
    url: str = ""
    utm: dict | None = None


@lru_cache(maxsize=32)
def _url_parts(name: str, public_url: str) -> tuple[str, str]:
    """The URL around the token, reversed once (``reverse`` was most of a message's cost)."""
    head, _placeholder, tail = (public_url + reverse(f"mailing_public:{name}", args=["TOKEN"])).rpartition(
        "TOKEN"
    )
    return head, tail


def _public(name: str, token: str) -> str:
    head, tail = _url_parts(name, settings.PUBLIC_URL)
    return head + token + tail


def _own_pages(url: str) -> bool:
    """Links to netmark's own mail pages (unsubscribe, preferences) are left alone."""
    return url.startswith(settings.PUBLIC_URL + "/mail/")


def tag_url(url: str, utm: dict[str, str]) -> str:
    """The URL with the promotion's UTM for each field the author did not set on this link."""
    parts = urlsplit(url)
    present = {pair.split("=", 1)[0].lower() for pair in parts.query.split("&") if pair}
    missing = {key: value for key, value in (utm or {}).items() if value and key not in present}
    return links.utm.tagged_url(url, missing) if missing else url


def decorate_html(
    html_text: str,
    *,
    workspace_id: int,
    campaign_id: int | None,
    variant: str,
    contact_id: int | None,
    recipient: str,
    message_key: str,
    utm: dict[str, str],
    message_tag: str = "",
) -> str:
    """The message's HTML with tracked links, an open pixel and a honeypot link. ``recipient`` is
    not written into any URL (the message's ``sent`` row names it). ``message_tag``, when the caller
    has it, saves hashing ``message_key`` again."""
    base = {"w": int(workspace_id), "t": message_tag or verp.message_tag(workspace_id, message_key)}
    if campaign_id is not None:
        base["c"] = int(campaign_id)
    if variant:
        base["v"] = str(variant)[:20]
    if contact_id is not None:
        base["k"] = int(contact_id)
    clean_utm = {key: str(value) for key, value in (utm or {}).items() if key in links.utm.FIELDS and value}

    def rewrite(found: re.Match) -> str:
        prefix, raw = found.group(1), found.group(3)
        target = html.unescape(raw).strip()
        if _NO_TRACK.search(prefix) or not target.lower().startswith(("http://", "https://")):
            return found.group(0)
        if _own_pages(target):
            return found.group(0)
        token = signing.sign(CLICK, {**base, "u": tag_url(target, clean_utm)})
        return f'{prefix}"{html.escape(_public("click", token))}"'

    body = _HREF.sub(rewrite, html_text)
    pixel_token = signing.sign(OPEN, {**base, "m": clean_utm} if clean_utm else base)
    pixel = (
        f'<img src="{html.escape(_public("open", pixel_token))}" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0" />'
    )
    trap = (
        f'<a href="{html.escape(_public("honeypot", signing.sign(HONEYPOT, base)))}" '
        'style="display:none;font-size:0;line-height:0;max-height:0;overflow:hidden" '
        'aria-hidden="true" tabindex="-1"></a>'
    )
    body = _insert_after_body(body, trap)
    return _insert_before_end(body, pixel)


def _insert_after_body(text: str, fragment: str) -> str:
    found = _BODY_OPEN.search(text)
    return text[: found.end()] + fragment + text[found.end() :] if found else fragment + text


def _insert_before_end(text: str, fragment: str) -> str:
    ends = list(_BODY_CLOSE.finditer(text))
    return text[: ends[-1].start()] + fragment + text[ends[-1].start() :] if ends else text + fragment


def read_token(purpose: str, token: str) -> Mark:
    """The signed mark, or ``NotFound`` (forged, mutated, other purpose, malformed)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise NotFound()
    value = signing.unsign(purpose, token)
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("w"), int)
        or not isinstance(value.get("t"), str)
    ):
        raise NotFound()
    url = value.get("u", "")
    if purpose == CLICK and not (isinstance(url, str) and url.lower().startswith(("http://", "https://"))):
        raise NotFound()
    return Mark(
        workspace_id=value["w"],
        campaign_id=value.get("c") if isinstance(value.get("c"), int) else None,
        variant=str(value.get("v", ""))[:20],
        contact_id=value.get("k") if isinstance(value.get("k"), int) else None,
        message_tag=value["t"][:32],
        url=url if isinstance(url, str) else "",
        utm=value.get("m") if isinstance(value.get("m"), dict) else None,
    )


def _utm_of(url: str) -> dict[str, str]:
    pairs = dict(parse_qsl(urlsplit(url).query))
    return {key: pairs[key] for key in links.utm.FIELDS if pairs.get(key)}


def _occurrence(
    mark: Mark, kind: str, user_agent: str, at: datetime
) -> tuple[events.Occurrence, datetime | None]:
    occurrence = events.Occurrence(
        workspace_id=mark.workspace_id,
        kind=kind,
        recipient="",
        campaign_id=mark.campaign_id,
        variant=mark.variant,
        contact_id=mark.contact_id,
        message_tag=mark.message_tag,
        at=at,
        user_agent=str(user_agent or "")[:1000],
    )
    sent = events.fill_from_sent(occurrence)
    return occurrence, (sent.at if sent else None)


def record_open(token: str, *, user_agent: str, ip: str, at: datetime | None = None):
    """Records a pixel load (human or machine, with the reason); ``NotFound`` for a bad token."""
    mark, at = read_token(OPEN, token), at or timezone.now()
    occurrence, sent_at = _occurrence(mark, events.Kind.OPEN, user_agent, at)
    verdict = machines.classify_open(user_agent=user_agent, ip=ip, sent_at=sent_at, at=at)
    occurrence.is_machine, occurrence.machine_reason = verdict.is_machine, verdict.reason
    occurrence.utm = mark.utm or {}
    return events.record(occurrence)


def record_click(token: str, *, user_agent: str, ip: str, honeypot: bool = False, at: datetime | None = None):
    """Records a click and answers the URL to redirect to ("" for the honeypot)."""
    mark, at = read_token(HONEYPOT if honeypot else CLICK, token), at or timezone.now()
    occurrence, sent_at = _occurrence(mark, events.Kind.CLICK, user_agent, at)
    verdict = machines.classify_click(user_agent=user_agent, ip=ip, sent_at=sent_at, at=at, honeypot=honeypot)
    occurrence.is_machine, occurrence.machine_reason = verdict.is_machine, verdict.reason
    occurrence.url = mark.url
    occurrence.utm = _utm_of(mark.url)
    events.record(occurrence)
    return mark.url
