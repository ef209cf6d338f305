"""Contact search that works in Chinese, the same on SQLite and PostgreSQL.

Each contact keeps ``search_text``: the jieba search-mode tokens of its name, company, title,
city, email, WeChat id and tags, lower-cased, space-separated and framed by spaces
(``" 云岭 茶业 云岭茶业 zhang "``). A query is tokenised the same way and every token must appear
as a whole token (``LIKE '% token %'``), or the query appears as a substring of a short field
(name, email, phone, WeChat id): ``张`` finds 张伟 although jieba keeps 张伟 as one word. Plain
``LIKE`` keeps one portable code path; the column is small (a few dozen tokens a contact).
"""

import functools
import logging
import re

import jieba
from django.db.models import Q, QuerySet

from netmark.contacts import normalise

jieba.setLogLevel(logging.WARNING)
MAX_QUERY = 100
MAX_TOKENS = 8
ASCII_WORD = re.compile(r"[a-z0-9]+")


@functools.lru_cache(maxsize=65_536)
def tokens(text: str) -> tuple[str, ...]:
    """The distinct search tokens of ``text`` (words and their sub-words), lower-cased."""
    text = normalise.text(text).lower()
    if text.isascii():  # what jieba does to Latin text (words and digits), at a fraction of the cost
        return tuple(dict.fromkeys(ASCII_WORD.findall(text)))
    found = []
    for token in jieba.cut_for_search(text):
        token = token.strip()
        if token and (token.isalnum() or len(token) > 1) and token not in found:
            found.append(token)
    return tuple(found)


def document(*parts) -> str:
    words: dict[str, None] = {}
    for part in parts:
        for token in tokens(str(part or "")):
            words[token] = None
    return f" {' '.join(words)} " if words else ""


def contact_document(contact, tag_names=(), company_name: str | None = None) -> str:
    company = company_name
    if company is None:
        company = contact.company.name if contact.company_id and contact.company else ""
    local_part = contact.email.split("@")[0] if contact.email else ""
    return document(
        contact.name,
        company,
        contact.title,
        contact.city,
        local_part,
        contact.email,
        contact.wechat_id,
        *tag_names,
    )


def refresh(contact) -> None:
    """Rebuilds the search column of a saved contact (after a change of its fields or tags)."""
    names = list(contact.tags.values_list("name", flat=True)) if contact.pk else []
    contact.search_text = contact_document(contact, names)
    type(contact).unscoped.filter(pk=contact.pk).update(search_text=contact.search_text)


def filter_contacts(queryset: QuerySet, query: str) -> QuerySet:
    condition = matches(query)
    return queryset if condition is None else queryset.filter(condition)


def matches(query: str) -> Q | None:
    """The condition a search ``query`` puts on contacts (None for an empty query); segments use it."""
    query = normalise.text(query)[:MAX_QUERY]
    if not query:
        return None
    words = tokens(query)[:MAX_TOKENS]
    by_tokens = Q()
    for word in words:
        by_tokens &= Q(search_text__contains=f" {word} ")
    digits = "".join(ch for ch in query if ch.isdigit())
    substring = Q(name__icontains=query) | Q(email__icontains=query.lower()) | Q(wechat_id__icontains=query)
    if len(digits) >= 3 and len(digits) >= len(query.replace(" ", "").replace("-", "")) - 1:
        substring |= Q(phone__contains=digits)
    return (by_tokens if words else Q(pk__in=[])) | substring
