"""UTM values: normalisation to the workspace's conventions, defaults per channel type, tagged URLs.

Rules for the values netmark writes into links:

- NFKC first (full-width ``ＷＥＩＢＯ`` becomes ``weibo``), then trimmed and lower-cased;
- runs of spaces, ``-`` and ``_`` become the workspace's separator, none at either end;
- then only ``a-z``, ``0-9``, ``.`` and the separator remain valid. Chinese characters are refused
  with a hint to write pinyin: Chinese marketers mostly do, and percent-encoded UTF-8 (or GBK)
  campaign names are mangled by many ad platforms, spreadsheets and analytics exports.

Raw values that arrive from elsewhere (UTM mappings) keep any characters; they are only trimmed and
lower-cased (``raw_value``), so ``Weibo`` and ``weibo`` are one source.
"""

import hashlib
import re
import unicodedata
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from django.utils.translation import gettext as _

from netmark.core.errors import ValidationFailed

FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
TRIPLE = FIELDS[:3]
MAX_LENGTH = 100
MAX_DESTINATION_LENGTH = 500
WORD_BREAKS = re.compile(r"[\s_-]+")
VALID = re.compile(r"[a-z0-9._-]+")
CONTROL = re.compile(r"[\x00-\x20\x7f]")

# Channel type code -> (utm_source, utm_medium); see netmark/planning/catalogue.py.
CHANNEL_DEFAULTS = {
    "baidu_search_ads": ("baidu", "cpc"),
    "google_search_ads": ("google", "cpc"),
    "seo": ("seo", "organic"),
    "email": ("email", "email"),
    "weibo": ("weibo", "social"),
    "wechat_official": ("wechat", "social"),
    "douban": ("douban", "social"),
    "zhihu": ("zhihu", "social"),
    "forums": ("forum", "social"),
    "blog": ("blog", "referral"),
    "x": ("x", "social"),
    "linkedin": ("linkedin", "social"),
    "affiliate": ("affiliate", "affiliate"),
    "offline_events": ("offline", "offline"),
    "other": ("other", "referral"),
}


def normalise(value, separator: str = "-") -> str:
    """The value as netmark writes it (may still be invalid: check with ``clean_value``)."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower()
    return WORD_BREAKS.sub(separator, text).strip(separator)


def clean_value(value, field: str, separator: str = "-") -> str:
    """``normalise`` plus validation; ``ValidationFailed`` on ``field`` for what a URL cannot carry."""
    text = normalise(value, separator)
    if text and not VALID.fullmatch(text):
        raise ValidationFailed(
            fields={
                field: _(
                    "Use lower-case letters a-z, digits, '.' and '%(separator)s' only; "
                    "write Chinese words in pinyin (e.g. zhongqiu)."
                )
                % {"separator": separator}
            }
        )
    if len(text) > MAX_LENGTH:
        raise ValidationFailed(fields={field: _("At most %(count)d characters.") % {"count": MAX_LENGTH}})
    return text


def raw_value(value) -> str:
    """A UTM value as it arrived, made comparable: NFKC, trimmed, lower-cased."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().lower()


def channel_defaults(channel_type_code: str) -> tuple[str, str]:
    """(utm_source, utm_medium) for a channel type; unknown types: the code and ``referral``."""
    return CHANNEL_DEFAULTS.get(channel_type_code, (channel_type_code, "referral"))


def campaign_default(plan) -> str:
    """The plan's ``utm_campaign``; else a slug of its name; else ``plan-<id>`` (all-Chinese names)."""
    return plan.utm_campaign or slugify(plan.name) or f"plan-{plan.pk}"


def clean_destination(value, short_link_prefix: str) -> str:
    """An absolute http(s) URL without UTM parameters (netmark adds its own); ``ValidationFailed``."""
    url = str(value or "").strip()
    message = None
    if not url:
        message = _("Enter the address the link leads to.")
    elif len(url) > MAX_DESTINATION_LENGTH:
        message = _("At most %(count)d characters.") % {"count": MAX_DESTINATION_LENGTH}
    elif CONTROL.search(url) or urlsplit(url).scheme.lower() not in ("http", "https"):
        message = _("Enter an http:// or https:// address.")
    else:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            message = _("Enter an http:// or https:// address.")
    if message is None and url.startswith(short_link_prefix):
        message = _("A tracked link cannot lead to another short link.")
    if message:
        raise ValidationFailed(fields={"destination": message})
    return without_utm(url)


def _is_utm_pair(pair: str) -> bool:
    return pair.split("=", 1)[0].lower().startswith("utm_")


def without_utm(url: str) -> str:
    """``url`` without its ``utm_*`` query parameters; the rest of the query is kept byte for byte."""
    parts = urlsplit(url)
    kept = [pair for pair in parts.query.split("&") if pair and not _is_utm_pair(pair)]
    return urlunsplit(parts._replace(query="&".join(kept)))


def tagged_url(destination: str, utm: dict[str, str]) -> str:
    """The destination with the non-empty UTM values appended (percent-encoded by ``urlencode``)."""
    parts = urlsplit(destination)
    pairs = urlencode([(field, utm[field]) for field in FIELDS if utm.get(field)])
    query = "&".join(part for part in (parts.query, pairs) if part)
    return urlunsplit(parts._replace(query=query))


def fingerprint(destination: str, utm: dict[str, str]) -> str:
    """Identity of a link within a workspace: the destination and the UTM five."""
    text = "\n".join([destination, *(utm.get(field, "") for field in FIELDS)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
