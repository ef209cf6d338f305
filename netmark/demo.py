"""The demo workspace: 云岭茶业 Yunling Tea, a small tea business selling online and offline.

``create_demo`` builds it through the domain services (so the audit log shows how it was made):
one member per role with a random password, three products, three audiences with where they
spend time, four messages, five channel accounts with monthly budgets and hours, and five
promotion plans in every status around today (one of them recurring weekly) with expected KPI
values and channel budgets. It is idempotent: when the workspace exists it does nothing and
returns no passwords. Passwords are returned once and never stored in clear.
"""

import secrets
import zoneinfo
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from netmark.analytics.demo import load_demo_traffic
from netmark.core import services as core
from netmark.core.models import Workspace
from netmark.core.roles import Role
from netmark.planning import services as planning
from netmark.positioning import services as positioning
from netmark.reports import services as reports
from netmark.roi import services as roi

DEMO_SLUG = "yunling-tea"
DEMO_NAME = "云岭茶业 Yunling Tea"
EMAIL_DOMAIN = "yunling-tea.example"

PRODUCTS = [
    {
        "name": "云岭普洱熟茶饼 357g Ripe Pu'er Cake",
        "description": "古树原料，三年陈化。Old-tree leaves, aged three years.",
        "price": Decimal("268.00"),
        "margin_percent": Decimal("45.00"),
    },
    {
        "name": "滇红金芽 100g Dianhong Golden Buds",
        "description": "蜜香浓郁的云南红茶。Yunnan black tea with a honey aroma.",
        "price": Decimal("128.00"),
        "margin_percent": Decimal("52.00"),
    },
    {
        "name": "白茶礼盒 White Tea Gift Box",
        "description": "适合企业与节日送礼。For corporate and festival gifts.",
        "price": Decimal("398.00"),
        "margin_percent": Decimal("38.00"),
    },
]
AUDIENCES = [
    {
        "name": "都市白领 Urban office workers",
        "characteristics": "25-40 岁，一二线城市，午后需要提神。Aged 25-40 in large cities.",
        "needs": "方便冲泡、健康、颜值高的包装。Easy to brew, healthy, good-looking.",
        "channel_presence": {"wechat_official": 80, "weibo": 60, "zhihu": 40, "email": 30},
        "size_estimate": 2_000_000,
        "languages": ["zh-hans"],
    },
    {
        "name": "茶友发烧友 Tea enthusiasts",
        "characteristics": "懂茶、爱比较产地与年份。Know tea; compare origins and vintages.",
        "needs": "可信的产地故事与品鉴机会。Trustworthy origin stories and tastings.",
        "channel_presence": {"douban": 70, "zhihu": 60, "forums": 50, "wechat_official": 40},
        "size_estimate": 300_000,
        "languages": ["zh-hans"],
    },
    {
        "name": "企业采购 Corporate gift buyers",
        "characteristics": "行政与采购负责人，节前集中采购。Office managers buying before holidays.",
        "needs": "发票、定制与准时送达。Invoices, customisation, on-time delivery.",
        "channel_presence": {"baidu_search_ads": 70, "email": 60, "offline_events": 50, "linkedin": 30},
        "size_estimate": 50_000,
        "languages": ["zh-hans", "en"],
    },
]
MESSAGES = [
    (0, 0, "下午茶提神 An afternoon lift", "一饼熟普，整个下午清醒不困。", "professional"),
    (1, 0, "三分钟冲好的红茶 Black tea in three minutes", "办公室也能喝到好红茶。", "friendly"),
    (0, 1, "古树与年份 Old trees, real vintages", "每饼可追溯到茶园与年份。", "professional"),
    (2, 2, "体面的节日礼物 A gift that shows respect", "定制礼盒，开票，准时送达。", "caring"),
]
ACCOUNTS = [
    ("wechat_official", "云岭茶业公众号 WeChat OA", "yunlingtea", "0", "20"),
    ("weibo", "云岭茶业微博 Weibo", "@云岭茶业", "3000", "15"),
    ("baidu_search_ads", "百度推广 Baidu Ads", "", "8000", "10"),
    ("email", "会员邮件 Member newsletter", "news@yunling-tea.example", "500", "8"),
    ("offline_events", "品鉴会 Tasting events", "", "5000", "30"),
]


def create_demo(slug: str = DEMO_SLUG) -> tuple[Workspace, dict[str, str]]:
    """The demo workspace and ``{email: password}`` of the members it created (empty if it existed)."""
    existing = Workspace.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, {}
    with transaction.atomic():
        passwords: dict[str, str] = {}
        owner_user = _user(f"owner@{EMAIL_DOMAIN}", passwords)
        workspace = core.create_workspace(owner_user, DEMO_NAME, slug=slug)
        owner = core.member_for(owner_user, workspace.slug)
        members = {Role.OWNER: owner}
        for role in (Role.PLANNER, Role.IMPLEMENTER, Role.VIEWER):
            email = f"{role}@{EMAIL_DOMAIN}"
            password = _new_password(email, passwords)
            members[role] = core.add_member(owner, email, role, password=password)
        products, audiences, messages = _positioning(members[Role.PLANNER])
        accounts = _accounts(members[Role.PLANNER])
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(workspace.time_zone))
        _plans(members, today, products, audiences, messages, accounts)
        reports.create_report(
            owner, name="每周营销周报 Weekly marketing report", kind="weekly", language="zh-hans"
        )
    # Events live in their own store, outside the transaction: written once the records are.
    domain = "yunling-tea.example" if slug == DEMO_SLUG else f"{slug}.demo.example"
    load_demo_traffic(workspace, domain)
    return workspace, passwords


def _new_password(email: str, passwords: dict[str, str]) -> str | None:
    """A random password for a user created now; ``None`` for an existing user (left untouched)."""
    if get_user_model().objects.filter(email__iexact=email).exists():
        return None
    passwords[email] = secrets.token_urlsafe(12)
    return passwords[email]


def _user(email: str, passwords: dict[str, str]):
    user, _created = core.find_or_create_user(email, password=_new_password(email, passwords))
    return user


def _positioning(planner):
    products = [positioning.create_product(planner, **data) for data in PRODUCTS]
    audiences = [positioning.create_audience(planner, **data) for data in AUDIENCES]
    messages = [
        positioning.create_message(
            planner,
            title=title,
            product_id=products[product].pk,
            audience_id=audiences[audience].pk,
            value_proposition=proposition,
            tone=tone,
            call_to_action="扫码领取试饮装 Scan for a free sample",
        )
        for product, audience, title, proposition, tone in MESSAGES
    ]
    return products, audiences, messages


def _accounts(planner) -> dict[str, object]:
    accounts = {}
    for code, name, handle, budget, hours in ACCOUNTS:
        accounts[code] = planning.create_channel_account(
            planner, channel_type=code, name=name, handle=handle, monthly_budget=budget, monthly_hours=hours
        )
    return accounts


def _plans(members, today: date, products, audiences, messages, accounts) -> None:
    planner = members[Role.PLANNER]
    for spec in _plan_specs(today):
        product, audience, message = spec.pop("refs")
        owner = members[spec.pop("owner")]
        lessons = spec.pop("lessons", "")
        plan = planning.create_plan(
            planner,
            product_id=products[product].pk,
            audience_id=audiences[audience].pk,
            message_id=messages[message].pk,
            owner_id=owner.pk,
            channels=[
                {"channel_account_id": accounts[code].pk, "budget": budget}
                for code, budget in spec.pop("channels").items()
            ],
            targets=[{"kpi": kpi, "target": value} for kpi, value in spec.pop("targets").items()],
            **spec,
        )
        if lessons:
            planning.record_lessons(owner, plan.pk, lessons)
        _costs(members[Role.IMPLEMENTER], plan, today)


# What a channel's spending is, and how much of its budget a promotion spent over its days.
COST_KINDS = {"offline_events": "offline_event", "weibo": "content", "email": "other"}
SPENT_SHARE = Decimal("0.9")


def _costs(implementer, plan, today: date) -> None:
    """Costs booked against the days a promotion has run so far, so evaluation and ROI have both
    sides: a share of each paid channel's budget, in proportion to the days elapsed."""
    if plan.status == plan.Status.DRAFT or plan.starts_on > today:
        return
    days = (plan.ends_on - plan.starts_on).days + 1
    elapsed = min((today - plan.starts_on).days + 1, days)
    for line in plan.channels.select_related("channel_account__channel_type"):
        kind = COST_KINDS.get(line.channel_account.channel_type.code)
        if kind is None or not line.budget:
            continue
        amount = (line.budget * SPENT_SHARE * elapsed / days).quantize(Decimal("0.01"))
        roi.create_cost(
            implementer, kind=kind, spent_on=plan.starts_on, amount=amount, plan_id=plan.pk,
            channel_account_id=line.channel_account_id, description=line.channel_account.name,
        )  # fmt: skip


def _plan_specs(today: date) -> list[dict]:
    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    return [
        {
            "name": "春茶品鉴会 Spring tasting",
            "objective": "线下品鉴收集 120 条线索。Collect 120 leads at tastings.",
            "status": "done",
            "starts_on": day(-90),
            "ends_on": day(-60),
            "utm_campaign": "spring-tasting",
            "refs": (0, 1, 2),
            "owner": Role.IMPLEMENTER,
            "channels": {"offline_events": "4000", "wechat_official": "0"},
            "targets": {"leads": "120", "orders": "40", "revenue": "12000"},
            "lessons": (
                "周末场次到场率更高；扫码领券比纸质登记多 30% 线索。"
                "Weekend sessions drew more people; QR coupons beat paper forms by 30%."
            ),
        },
        {
            "name": "夏季冷泡茶 Summer cold brew",
            "objective": "让白领夏天也喝热销红茶。Sell black tea to office workers in summer.",
            "status": "evaluating",
            "starts_on": day(-40),
            "ends_on": day(-5),
            "utm_campaign": "summer-cold-brew",
            "refs": (1, 0, 1),
            "owner": Role.PLANNER,
            "channels": {"weibo": "3000", "wechat_official": "0", "email": "300"},
            "targets": {"visits": "8000", "orders": "150", "revenue": "19200"},
        },
        {
            "name": "每周茶话直播 Weekly tea talk",
            "objective": "每周四直播讲茶，稳定带来新粉丝。A live talk every Thursday.",
            "status": "running",
            "starts_on": day(-21),
            "ends_on": day(63),
            "recurrence": "FREQ=WEEKLY;BYDAY=TH",
            "utm_campaign": "weekly-tea-talk",
            "refs": (0, 1, 2),
            "owner": Role.PLANNER,
            "channels": {"wechat_official": "0", "weibo": "500"},
            "targets": {"visits": "1200", "leads": "40"},
        },
        {
            "name": "双十一预热 Singles' Day warm-up",
            "objective": "双十一前积累加购与预订。Build pre-orders before Singles' Day.",
            "status": "planned",
            "starts_on": day(14),
            "ends_on": day(35),
            "utm_campaign": "double11-warmup",
            "refs": (0, 0, 0),
            "owner": Role.PLANNER,
            "channels": {"baidu_search_ads": "8000", "email": "500", "weibo": "2000"},
            "targets": {"visits": "20000", "orders": "300", "revenue": "80000"},
        },
        {
            "name": "企业礼盒季 Corporate gift season",
            "objective": "节前拿下 30 家企业礼盒订单。Win 30 corporate gift orders.",
            "status": "draft",
            "starts_on": day(45),
            "ends_on": day(90),
            "utm_campaign": "corporate-gifts",
            "refs": (2, 2, 3),
            "owner": Role.PLANNER,
            "channels": {"baidu_search_ads": "6000", "email": "300", "offline_events": "5000"},
            "targets": {"leads": "60", "orders": "30", "revenue": "120000"},
        },
    ]
