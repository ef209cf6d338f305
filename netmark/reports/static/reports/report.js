// Draws each report chart with ECharts over its server-rendered SVG.
// <div data-report-chart="ID"> holds the SVG; <script type="application/json" id="ID"> holds
// {"kind": "line"|"bar", "unit": "", "labels": [...], "series": [{"name", "data"}]}.
// Without ECharts (or JavaScript) the SVG stays, so the page shows the same as the PDF.
(function () {
  "use strict";

  var FONT = '-apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var COLORS = ["#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#dc2626"];

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-report-chart"));
    if (!source || !window.echarts) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    if (!spec.labels || !spec.labels.length) {
      return;
    }
    element.textContent = "";
    element.style.height = "280px";
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      color: COLORS,
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, left: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: spec.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", axisLabel: { formatter: "{value}" + (spec.unit || "") } },
      series: spec.series.map(function (series) {
        return { name: series.name, type: spec.kind === "bar" ? "bar" : "line", data: series.data, smooth: 0.2 };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    document.querySelectorAll("[data-report-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
