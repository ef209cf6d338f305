"""Line and bar charts as SVG, drawn on the server for the PDF (WeasyPrint runs no JavaScript).

Text uses the CJK font stack, so Chinese labels render; every label is XML-escaped. The output is
deterministic (same data, same bytes), which keeps PDFs reproducible.
"""

from html import escape

FONT = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Noto Sans', sans-serif"
COLORS = ("#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#dc2626")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 30, 56
MAX_LABEL = 18


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:g}"


def _text(
    x: float, y: float, content: str, *, anchor: str = "middle", size: int = 11, extra: str = ""
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="#374151"'
        f"{extra}>{escape(str(content))}</text>"
    )


def _frame(title: str, top: float, unit: str) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{escape(FONT)}" role="img">',
        _text(LEFT, 18, title, anchor="start", size=13, extra=' font-weight="bold"'),
    ]
    plot_height = HEIGHT - TOP - BOTTOM
    for step in range(5):
        y = TOP + plot_height * (1 - step / 4)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(_text(LEFT - 6, y + 4, _number(top * step / 4) + unit, anchor="end", size=10))
    return parts


def _legend(series) -> list[str]:
    parts, x = [], LEFT
    for index, (name, _values) in enumerate(series):
        color = COLORS[index % len(COLORS)]
        parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{color}"/>')
        parts.append(_text(x + 14, HEIGHT - 5, _short(name), anchor="start", size=10))
        x += 24 + 8 * len(_short(name))
    return parts


def _x_labels(labels, step_width: float, centred: bool) -> list[str]:
    every = max(1, len(labels) // 10)
    parts = []
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = LEFT + step_width * (index + (0.5 if centred else 0))
        parts.append(_text(x, HEIGHT - BOTTOM + 16, _short(label), size=10))
    return parts


def _scale(series) -> float:
    values = [value for _name, points in series for value in points if value is not None]
    return _nice_max(max(values, default=0))


def bar_chart(title: str, labels, series, unit: str = "") -> str:
    top = _scale(series)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(1, len(labels))
    bar = slot * 0.8 / max(1, len(series))
    parts = _frame(title, top, unit)
    for s_index, (_name, values) in enumerate(series):
        color = COLORS[s_index % len(COLORS)]
        for index, value in enumerate(values):
            height = plot_height * max(0.0, float(value or 0)) / top
            x = LEFT + slot * index + slot * 0.1 + bar * s_index
            y = TOP + plot_height - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{color}"/>'
            )
    parts += _x_labels(labels, slot, centred=True) + _legend(series) + ["</svg>"]
    return "".join(parts)


def line_chart(title: str, labels, series, unit: str = "") -> str:
    top = _scale(series)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(1, len(labels) - 1)
    parts = _frame(title, top, unit)
    for s_index, (_name, values) in enumerate(series):
        points = " ".join(
            f"{LEFT + step * index:.1f},{TOP + plot_height * (1 - float(value or 0) / top):.1f}"
            for index, value in enumerate(values)
        )
        color = COLORS[s_index % len(COLORS)]
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
    parts += _x_labels(labels, step, centred=False) + _legend(series) + ["</svg>"]
    return "".join(parts)


def render(chart) -> str:
    """The SVG markup of a ``sections.Chart``."""
    draw = bar_chart if chart.kind == "bar" else line_chart
    series = [(str(name), list(values)) for name, values in chart.series]
    return draw(str(chart.title), [str(label) for label in chart.labels], series, chart.unit)
