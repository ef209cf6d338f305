// Bar charts for elements with data-bar-chart="<id of a json_script element>".
// The data is {"categories": [...], "series": [{"name": "CNY", "data": ["1200.00", ...]}, ...]}.
// The element's server-rendered fallback (a table) stays when ECharts is not available.
(function () {
  "use strict";

  var FONT = '-apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var COLORS = ["#2f6fdf", "#1d9a6c", "#e49b2f", "#8b5cf6", "#d9485f", "#0ea5b7"];

  function render(element) {
    var source = document.getElementById(element.getAttribute("data-bar-chart"));
    if (!source) {
      return null;
    }
    var data = JSON.parse(source.textContent);
    if (!data.categories || !data.categories.length) {
      return null;
    }
    element.textContent = "";
    element.style.height = Math.max(220, data.categories.length * 34 + 80) + "px";
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      color: COLORS,
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 64, top: data.series.length > 1 ? 36 : 12, bottom: 8, containLabel: true },
      legend: { top: 0, show: data.series.length > 1 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", axisLabel: { color: "#6b7280" }, splitLine: { lineStyle: { color: "#eef0f4" } } },
      yAxis: { type: "category", data: data.categories, inverse: true, axisLabel: { color: "#374151" } },
      series: data.series.map(function (series) {
        return {
          name: series.name,
          type: "bar",
          barMaxWidth: 22,
          itemStyle: { borderRadius: [0, 4, 4, 0] },
          label: { show: true, position: "right", color: "#374151" },
          data: series.data.map(Number),
        };
      }),
    });
    element.setAttribute("data-rendered", "echarts");
    return chart;
  }

  function start() {
    if (typeof window.echarts === "undefined") {
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-bar-chart]").forEach(function (element) {
      var chart = render(element);
      if (chart) {
        charts.push(chart);
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState !== "loading") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
