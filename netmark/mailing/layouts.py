"""Ready email layouts a campaign can start from (``layouts/<key>.html`` in the package).

Each layout is table-based HTML with inline styles, at most 600 px wide, no external assets, and a
footer linking ``{{ preferences_url }}`` and ``{{ unsubscribe_url }}``. Its ``[[name]]`` slots are
filled with placeholder text in the workspace's language (the language of the emails, not of the
person editing), so the marketer replaces sample copy rather than writing the structure. The slot
texts are our own constants and may hold personalisation (``{{ contact.first_name }}``).
"""

from functools import cache
from importlib import resources

from django.utils.translation import gettext_lazy as _

from netmark.core.errors import ValidationFailed

LAYOUTS = {
    "newsletter": _("Newsletter"),
    "announcement": _("Announcement"),
    "promotion": _("Product promotion"),
}

_COMMON = {
    "zh-hans": {
        "lang": "zh-CN",
        "greeting": '{{ contact.first_name | default("朋友") }}，您好！',
        "footer": "您收到这封邮件，是因为您订阅了我们的资讯。",
        "preferences": "邮件偏好设置",
        "unsubscribe": "退订",
    },
    "en": {
        "lang": "en",
        "greeting": 'Hello {{ contact.first_name | default("there") }},',
        "footer": "You receive this email because you subscribed to our news.",
        "preferences": "Email preferences",
        "unsubscribe": "Unsubscribe",
    },
}

_TEXTS = {
    ("newsletter", "zh-hans"): {
        "title": "本月资讯", "button": "阅读全文",
        "story1_title": "第一篇文章的标题", "story1_text": "用两三句话介绍这篇文章，告诉读者为什么值得一读。",
        "story2_title": "第二篇文章的标题", "story2_text": "再介绍一条新闻、一个案例或一条实用建议。",
    },
    ("newsletter", "en"): {
        "title": "This month's news", "button": "Read more",
        "story1_title": "Title of the first story",
        "story1_text": "Two or three sentences on this story and why it is worth reading.",
        "story2_title": "Title of the second story",
        "story2_text": "Another piece of news, a customer story or a practical tip.",
    },
    ("announcement", "zh-hans"): {
        "title": "重要通知", "date_line": "发布日期：2026年1月1日", "button": "了解详情",
        "body": "在这里写下通知的内容：发生了什么、何时生效、对读者有什么影响。",
        "closing": "如有疑问，请直接回复这封邮件。",
    },
    ("announcement", "en"): {
        "title": "An important announcement", "date_line": "Published 1 January 2026", "button": "Learn more",
        "body": "Say what is happening, when it takes effect and what it means for the reader.",
        "closing": "Questions? Simply reply to this email.",
    },
    ("promotion", "zh-hans"): {
        "badge": "限时优惠", "title": "新品上市，八折尝鲜", "button": "立即选购",
        "pitch": "精选好物，本周下单享受会员价。",
        "item1_name": "产品一", "item1_text": "一句话说明它解决什么问题。", "item1_price": "¥99",
        "item2_name": "产品二", "item2_text": "一句话说明它为什么值得买。", "item2_price": "¥199",
    },
    ("promotion", "en"): {
        "badge": "LIMITED OFFER", "title": "New arrivals, 20% off", "button": "Shop now",
        "pitch": "Our picks of the season, at member prices this week.",
        "item1_name": "Product one", "item1_text": "One line on the problem it solves.", "item1_price": "$19",
        "item2_name": "Product two", "item2_text": "One line on why it is worth buying.",
        "item2_price": "$39",
    },
}  # fmt: skip


def layout_choices() -> list[tuple[str, str]]:
    return list(LAYOUTS.items())


@cache
def _source(key: str) -> str:
    return resources.files("netmark.mailing").joinpath("layouts", f"{key}.html").read_text("utf-8")


def render_layout(key: str, language: str) -> str:
    """The layout's HTML with its slots in ``language`` (``zh-hans`` or ``en``; others: English)."""
    if key not in LAYOUTS:
        raise ValidationFailed(fields={"layout": _("Choose one of the layouts offered.")})
    language = language if language in _COMMON else "en"
    html = _source(key)
    for name, text in {**_COMMON[language], **_TEXTS[(key, language)]}.items():
        html = html.replace(f"[[{name}]]", text)
    return html
