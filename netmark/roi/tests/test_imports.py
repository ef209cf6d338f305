"""Every sample export imported with its expected totals; idempotent re-imports; broken and
duplicate rows; mapping to promotions by UTM campaign or a mapping saved once (CSV-IN)."""

import codecs
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from netmark.core import csvio
from netmark.core.errors import Conflict, PermissionDenied
from netmark.core.roles import Role
from netmark.links import services as link_services
from netmark.roi import formats, services
from netmark.roi.models import Cost

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"

# file, format, encoding, lines, summary rows skipped, cost, clicks, impressions
EXPECTED = [
    ("baidu_tuiguang_unit_report_daily_gbk.csv", "baidu", "gb18030", 34, 0, "9209.96", 2536, 84692),
    ("baidu_tuiguang_unit_report_daily_utf8bom.csv", "baidu", "utf-8-sig", 34, 0, "9209.96", 2536, 84692),
    ("google_ads_campaign_report_daily.csv", "google_ads", "utf-8", 35, 4, "16020.22", 5492, 358483),
    (
        "google_ads_campaign_report_daily_excel-csv_utf16le_tab.csv",
        "google_ads",
        "utf-16",
        35,
        4,
        "16020.22",
        5492,
        358483,
    ),
    ("meta_ads_manager_campaigns_daily.csv", "meta", "utf-8-sig", 38, 1, "10843.19", 4192, 272000),
    ("generic_ad_spend_template.csv", "generic", "utf-8", 30, 0, "22351.78", 6533, 138443),
    ("taobao_alimama_order_report_gbk.csv", "taobao", "gb18030", 27, 0, "857.05", 0, 0),
]


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def stored_cost(workspace) -> Decimal:
    return Cost.unscoped.filter(workspace=workspace).aggregate(total=Sum("amount"))["total"]


@pytest.mark.parametrize(
    ("name", "fmt", "encoding", "lines", "skipped", "cost", "clicks", "impressions"), EXPECTED
)
def test_every_sample_imports_with_its_totals(
    team_a, name, fmt, encoding, lines, skipped, cost, clicks, impressions
):
    cost_import = services.import_costs(team_a.owner, sample(name), filename=name)
    summary = cost_import.summary
    assert (cost_import.file_format, cost_import.encoding) == (fmt, encoding)
    assert (summary["created"], summary["skipped_summary_rows"], summary["error_rows"]) == (lines, skipped, 0)
    assert summary["cost_totals"] == {"CNY": cost}
    costs = Cost.unscoped.filter(workspace=team_a.workspace)
    totals = costs.aggregate(clicks=Sum("clicks"), impressions=Sum("impressions"))
    assert (costs.count(), stored_cost(team_a.workspace)) == (lines, Decimal(cost))
    assert ((totals["clicks"] or 0), (totals["impressions"] or 0)) == (clicks, impressions)


def test_affiliate_orders_keep_their_order_ids_and_sales(team_a):
    services.import_costs(team_a.owner, sample("taobao_alimama_order_report_gbk.csv"))
    orders = Cost.unscoped.filter(workspace=team_a.workspace, kind="affiliate")
    assert orders.aggregate(total=Sum("order_amount"))["total"] == Decimal("3805.80")
    assert orders.filter(order_id="3987836504278168040").count() == 2  # two products, one order
    assert set(orders.filter(order_status="订单失效").values_list("amount", flat=True)) == {Decimal("0.00")}
    settled = orders.get(order_id="3987932014991422221")
    assert (settled.amount, settled.account, settled.campaign) == (
        Decimal("50.92"),
        "云岭好物推荐",
        "微信群-老客",
    )


@pytest.mark.parametrize("name", [row[0] for row in EXPECTED])
def test_reimporting_a_file_never_doubles_its_costs(team_a, name):
    first = services.import_costs(team_a.owner, sample(name))
    again = services.import_costs(team_a.owner, sample(name))
    assert (again.summary["created"], again.summary["updated"]) == (0, 0)
    assert again.summary["unchanged"] == first.summary["created"]
    assert Cost.unscoped.filter(workspace=team_a.workspace).count() == first.summary["created"]


def test_the_same_report_in_another_encoding_is_the_same_costs(team_a):
    services.import_costs(team_a.owner, sample("baidu_tuiguang_unit_report_daily_gbk.csv"))
    again = services.import_costs(team_a.owner, sample("baidu_tuiguang_unit_report_daily_utf8bom.csv"))
    assert again.summary["unchanged"] == 34
    services.import_costs(team_a.owner, sample("google_ads_campaign_report_daily.csv"))
    excel = services.import_costs(
        team_a.owner, sample("google_ads_campaign_report_daily_excel-csv_utf16le_tab.csv")
    )
    assert excel.summary["unchanged"] == 35
    assert stored_cost(team_a.workspace) == Decimal("25230.18")


def test_a_revised_figure_updates_the_line(team_a):
    header = "date,account,campaign,ad_group,cost,currency\n"
    services.import_costs(team_a.owner, (header + "2026-10-12,baidu:SEM01,品牌词,核心,100.00,CNY\n").encode())
    revised = services.import_costs(
        team_a.owner, (header + "2026-10-12,baidu:SEM01,品牌词,核心,120.50,CNY\n").encode()
    )
    assert (revised.summary["updated"], revised.summary["created"]) == (1, 0)
    assert stored_cost(team_a.workspace) == Decimal("120.50")


BROKEN = (
    "date,account,campaign,ad_group,cost,clicks,currency\n"
    "2026-10-12,baidu:SEM01,品牌词,核心,100.00,10,CNY\n"  # row 2: fine
    "2026-13-01,baidu:SEM01,品牌词,核心,100.00,10,CNY\n"  # row 3: bad date
    "2026-10-13,baidu:SEM01,品牌词,核心,-5,10,CNY\n"  # row 4: negative cost
    "2026-10-14,baidu:SEM01,,核心,5,10,CNY\n"  # row 5: no campaign
    "2026-10-12,baidu:SEM01,品牌词,核心,100.00,10,CNY\n"  # row 6: the same as row 2: a duplicate
    "2026-10-12,baidu:SEM01,品牌词,核心,999.00,10,CNY\n"  # row 7: same key as row 2, other figures
    "2026-10-15,baidu:SEM01,品牌词,核心,7.5,1.5,XYZ\n"  # row 8: fractional clicks, unknown currency
    '2026-10-16,baidu:SEM01,品牌词,核心,"1,234.50",12,CNY\n'  # row 9: fine, thousands separator
)


def test_preview_reports_every_broken_row_and_writes_nothing(team_a):
    preview = services.preview_import(team_a.owner, BROKEN.encode())
    assert {(error["row"], error["column"]) for error in preview.errors} == {
        (3, "date"), (4, "cost"), (5, "campaign"), (7, ""), (8, "clicks"), (8, "currency"),
    }  # fmt: skip
    assert (preview.summary["created"], preview.summary["duplicates"], preview.summary["error_rows"]) == (
        2,
        1,
        5,
    )
    assert Cost.unscoped.filter(workspace=team_a.workspace).count() == 0
    with pytest.raises(csvio.ImportFailed):
        services.apply_import(team_a.owner, preview.pk)
    assert Cost.unscoped.filter(workspace=team_a.workspace).count() == 0


def test_apply_row_by_row_keeps_the_valid_rows(team_a):
    preview = services.preview_import(team_a.owner, BROKEN.encode())
    applied = services.apply_import(team_a.owner, preview.pk, partial=True)
    assert applied.summary["created"] == 2
    assert stored_cost(team_a.workspace) == Decimal("1334.50")
    with pytest.raises(Conflict) as error:
        services.apply_import(team_a.owner, preview.pk)
    assert error.value.code == "already_applied"


def test_gbk_and_utf16_without_a_byte_order_mark(team_a):
    text = "日期,账户,推广计划,推广单元,展现,点击,消费\n2026-10-12,云岭,品牌词,核心,100,10,88.80\n"
    assert formats.parse(text.encode("gbk")).lines[0].amount == Decimal("88.80")
    parsed = formats.parse(text.replace(",", "\t").encode("utf-16-le"))
    assert (parsed.encoding, parsed.lines[0].campaign) == ("utf-16-le", "品牌词")
    assert formats.parse(codecs.BOM_UTF8 + text.encode()).file_format == "baidu"


def test_an_unknown_file_is_refused_as_a_whole(team_a):
    with pytest.raises(csvio.CsvError):
        services.preview_import(team_a.owner, b"name,email\nA,a@example.com\n")


def test_rows_map_by_utm_campaign_through_links_mappings(team_a, presale):
    link_services.create_mapping(team_a.owner, plan_id=presale.pk, utm_campaign="d11_presale")
    result = services.import_costs(team_a.owner, sample("generic_ad_spend_template.csv"))
    mapped = Cost.unscoped.filter(workspace=team_a.workspace, plan=presale)
    assert mapped.count() == 10 and set(mapped.values_list("platform", flat=True)) == {"meta"}
    assert result.summary["unmapped_rows"] == 20
    assert {entry["campaign"] for entry in result.summary["unmapped_campaigns"]} == {
        "Search - Brand - Yunling Tea", "普洱茶-通用词",
    }  # fmt: skip


def test_a_mapping_saved_once_maps_unmapped_costs_and_later_imports(team_a, presale, baidu):
    first = services.import_costs(team_a.owner, sample("baidu_tuiguang_unit_report_daily_gbk.csv"))
    assert first.summary["unmapped_rows"] == 34
    services.create_mapping(team_a.owner, platform="baidu", campaign="双11-礼盒", plan_id=presale.pk)
    mapped = Cost.unscoped.filter(workspace=team_a.workspace, plan=presale)
    assert mapped.count() == 6
    assert set(mapped.values_list("channel_account_id", flat=True)) == {
        baidu.pk
    }  # the plan's one Baidu channel
    again = services.import_costs(team_a.owner, sample("baidu_tuiguang_unit_report_daily_utf8bom.csv"))
    assert (again.summary["unchanged"], again.summary["unmapped_rows"]) == (34, 28)


def test_a_campaign_named_like_a_plans_utm_campaign_maps_to_it(team_a, presale):
    data = b"date,account,campaign,cost\n2026-10-12,meta:act_1,D11-Presale,50\n"
    services.import_costs(team_a.owner, data)
    assert Cost.unscoped.get(workspace=team_a.workspace).plan == presale


def test_a_viewer_cannot_import(team_a):
    with pytest.raises(PermissionDenied):
        services.preview_import(team_a.member(Role.VIEWER), sample("generic_ad_spend_template.csv"))


def test_another_workspaces_costs_are_untouched(team_a, team_b):
    services.import_costs(team_b.owner, sample("generic_ad_spend_template.csv"))
    result = services.import_costs(team_a.owner, sample("generic_ad_spend_template.csv"))
    assert result.summary["created"] == 30
    assert Cost.unscoped.filter(workspace=team_b.workspace).count() == 30
