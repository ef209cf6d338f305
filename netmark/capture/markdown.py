"""Landing-page Markdown to safe HTML: CommonMark through markdown-it-py with raw HTML off.

With ``html=False`` every ``<tag>`` a marketer (or an attacker with their password) types is shown
as text, and markdown-it's link validation refuses ``javascript:``, ``vbscript:``, ``file:`` and
``data:`` (except images) URLs, so the output holds only the elements Markdown itself makes.
"""

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

MAX_BODY = 50_000

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render(text: str) -> SafeString:
    # Built by markdown-it with raw HTML disabled: every character of the source is escaped.
    return mark_safe(_renderer.render(str(text or "")[:MAX_BODY]))  # noqa: S308
