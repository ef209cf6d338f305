// The analytics dashboard: tabs of the breakdown cards and the line chart of visitors over time.
// No inline scripts (strict CSP). Text that visitors sent (paths, referrers, UTM values, event
// names) is never turned into HTML here: the chart only shows our own labels and numbers, and its
// tooltip escapes whatever it prints.
(function () {
  "use strict";

  var FONT = '-apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var COLORS = ["#2f6fdf", "#1d9a6c"];
  var STORAGE_PREFIX = "netmark.analytics.tab.";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (character) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[character];
    });
  }

  function remember(key, value) {
    try {
      window.sessionStorage.setItem(STORAGE_PREFIX + key, value);
    } catch (error) {
      // Storage may be disabled; the first tab then shows after a reload.
    }
  }

  function remembered(key) {
    try {
      return window.sessionStorage.getItem(STORAGE_PREFIX + key);
    } catch (error) {
      return null;
    }
  }

  function selectTab(card, name) {
    var found = false;
    card.querySelectorAll("[data-tab]").forEach(function (tab) {
      var selected = tab.getAttribute("data-tab") === name;
      found = found || selected;
      tab.classList.toggle("active", selected);
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.setAttribute("tabindex", selected ? "0" : "-1");
    });
    if (!found) {
      return;
    }
    card.querySelectorAll(".tab-panel").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-dimension") !== name;
      if (!panel.hidden) {
        loadPanel(panel);
      }
    });
  }

  // A tab the page did not compute fetches its rows (server-rendered, escaped HTML) when first shown.
  function loadPanel(panel) {
    var source = panel.getAttribute("data-src");
    if (!source) {
      return;
    }
    panel.removeAttribute("data-src");
    fetch(source, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        panel.innerHTML = html;
      })
      .catch(function () {
        panel.setAttribute("data-src", source); // tried again when the tab is opened again
      });
  }

  function startTabs() {
    document.querySelectorAll("[data-tabs]").forEach(function (card) {
      var key = card.getAttribute("data-tabs");
      var tabs = Array.prototype.slice.call(card.querySelectorAll("[data-tab]"));
      if (!tabs.length) {
        return;
      }
      selectTab(card, remembered(key) || tabs[0].getAttribute("data-tab"));
      tabs.forEach(function (tab, index) {
        tab.addEventListener("click", function () {
          selectTab(card, tab.getAttribute("data-tab"));
          remember(key, tab.getAttribute("data-tab"));
        });
        tab.addEventListener("keydown", function (event) {
          var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
          if (!step) {
            return;
          }
          var next = tabs[(index + step + tabs.length) % tabs.length];
          next.click();
          next.focus();
        });
      });
    });
  }

  function tooltip(params) {
    var lines = [escapeHtml(params.length ? params[0].axisValue : "")];
    params.forEach(function (item) {
      lines.push(item.marker + escapeHtml(item.seriesName) + ": <strong>" + escapeHtml(item.value) + "</strong>");
    });
    return lines.join("<br>");
  }

  function renderLine(element) {
    var source = document.getElementById(element.getAttribute("data-line-chart"));
    if (!source) {
      return null;
    }
    var data = JSON.parse(source.textContent);
    if (!data.labels || !data.labels.length) {
      return null;
    }
    element.textContent = "";
    element.style.height = "300px";
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      color: COLORS,
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, left: 0, icon: "roundRect" },
      tooltip: { trigger: "axis", formatter: tooltip },
      xAxis: {
        type: "category",
        boundaryGap: false,
        data: data.labels,
        axisLabel: { color: "#6b7280", hideOverlap: true },
        axisLine: { lineStyle: { color: "#d1d5db" } },
      },
      yAxis: {
        type: "value",
        minInterval: 1,
        axisLabel: { color: "#6b7280" },
        splitLine: { lineStyle: { color: "#eef0f4" } },
      },
      series: data.series.map(function (series, index) {
        return {
          name: series.name,
          type: "line",
          smooth: 0.25,
          symbol: data.labels.length > 45 ? "none" : "circle",
          symbolSize: 6,
          lineStyle: { width: 2.5 },
          areaStyle: index === 0 ? { opacity: 0.08 } : undefined,
          data: series.data,
        };
      }),
    });
    element.setAttribute("data-rendered", "echarts");
    return chart;
  }

  function startCharts() {
    if (typeof window.echarts === "undefined") {
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-line-chart]").forEach(function (element) {
      var chart = renderLine(element);
      if (chart) {
        charts.push(chart);
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    });
  }

  function start() {
    startTabs();
    startCharts();
  }

  if (document.readyState !== "loading") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
