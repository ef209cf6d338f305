"""The PDF: Chinese text rendered with the CJK font, pages not blank, text extractable; SVG charts."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from netmark.planning.tests.factories import make_plan
from netmark.reports import pdf, rendering, services, svgcharts
from netmark.reports.models import ReportRun
from netmark.reports.sections import Chart
from netmark.reports.tests.conftest import make_report

pytestmark = pytest.mark.django_db
KEEP = Path("/tmp/netmark-report-pages")  # the last rendering, for a person to look at


def _pages_as_png(data: bytes, folder: Path) -> list[Path]:
    source = folder / "report.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def _ink(path: Path) -> float:
    """The share of pixels that are not white."""
    image = Image.open(path).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[250:]) / sum(histogram)


def _text(data: bytes, folder: Path) -> str:
    source = folder / "text.pdf"
    source.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True
    ).stdout.decode()


@pytest.fixture
def chinese_run(team_a):
    plan = make_plan(
        team_a.owner,
        name="中秋礼盒推广",
        status="running",
        starts_on=datetime.date(2026, 11, 23),
        ends_on=datetime.date(2026, 11, 29),
        targets=[{"kpi": "visits", "target": "500"}],
    )
    from netmark.planning import services as planning

    planning.record_lessons(team_a.owner, plan.pk, "小红书的笔记带来最多的访问。明年提前两周开始。")
    for index in range(14):  # enough lessons to fill a second page
        other = make_plan(
            team_a.owner, name=f"社群团购 {index}", starts_on=datetime.date(2026, 11, 1),
            ends_on=datetime.date(2026, 11, 25),
        )  # fmt: skip
        planning.record_lessons(team_a.owner, other.pk, "团长分销效果好，但要提前备货。" * 12)
    report = make_report(team_a.owner, name="十一月周报", sections=["plans", "traffic", "links", "lessons"])
    run = ReportRun.unscoped.create(
        workspace=team_a.workspace,
        report=report,
        period_start=datetime.date(2026, 11, 23),
        period_end=datetime.date(2026, 11, 29),
        deliver=False,
    )
    return services.run_report(run)


def test_a_chinese_report_renders_as_a_pdf_with_its_text_and_visible_pages(chinese_run, tmp_path):
    assert chinese_run.status == ReportRun.Status.DONE
    data = bytes(chinese_run.pdf)
    assert data.startswith(b"%PDF-")
    pages = _pages_as_png(data, tmp_path)
    assert len(pages) == chinese_run.pages >= 2
    for page in pages:
        assert _ink(page) > 0.005, f"{page.name} is blank"
    text = _text(data, tmp_path)
    for expected in (
        "十一月周报",
        "中秋礼盒推广",
        "计划与结果",
        "小红书的笔记带来最多的访问",
        "2026-11-23",
        "社群团购 13",
    ):
        assert expected in text
    KEEP.mkdir(exist_ok=True)
    for page in pages:
        shutil.copy(page, KEEP / page.name)


def test_the_pdf_font_is_a_cjk_font(chinese_run, tmp_path):
    source = tmp_path / "fonts.pdf"
    source.write_bytes(bytes(chinese_run.pdf))
    fonts = subprocess.run(["pdffonts", str(source)], check=True, capture_output=True, text=True).stdout
    assert "CJK" in fonts or "WenQuanYi" in fonts, fonts


def test_svg_charts_escape_labels_and_scale_to_the_largest_value():
    svg = svgcharts.render(Chart("访问 <b>", "bar", ["<script>", "微博"], [("Visits", [5, 10])]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "访问 &lt;b&gt;" in svg
    assert svg.count("<rect") == 3  # two bars and one legend key
    assert 'height="174.0"' in svg  # the taller bar fills the plot (260 - 30 - 56)
    line = svgcharts.render(Chart("t", "line", ["a", "b"], [("s", [0, 5])]))
    assert 'points="56.0,204.0 624.0,30.0"' in line


def test_the_pdf_renderer_fetches_nothing():
    html = '<html><body><img src="http://127.0.0.2:9/x.png"><p>离线</p></body></html>'
    assert pdf.render_pdf(html).pages == 1
    with pytest.raises(pdf.NoFetching):
        pdf.refuse_fetch("http://127.0.0.2:9/x.png")


def test_the_document_body_is_the_same_content_in_html(chinese_run):
    assert "中秋礼盒推广" in chinese_run.html and "<svg" in chinese_run.html
    assert 'data-report-chart="report-chart-0-0"' in chinese_run.html
    assert rendering.cell(None) == "—"
