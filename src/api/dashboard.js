// mlprod /dashboard: polls /dashboard/data every interval and draws it with uPlot.
// Every panel carries data-points="N" (non-null values of its data series) for tests.
"use strict";
(function () {
  const COLORS = ["#73bf69", "#5794f2", "#ff9830", "#b877d9", "#f2cc0c", "#8ab8ff", "#fade2a",
                  "#ff7383"];
  const RED = "#f2495c";
  const MAX_NAMED = 6;  // routes / features per chart; the busiest or most drifted first
  const CHART_HEIGHT = 200;  // px of plot; two rows of three panels fit a 1000 px high window

  const pct = (col) => col.map((v) => (v === null ? null : v * 100));
  const last = (col) => {
    for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null) return col[i];
    return null;
  };
  // The named columns with the largest recent values, at most `n`.
  function topNamed(named, n) {
    return Object.entries(named || {})
      .map(([name, col]) => ({ name, col, score: col.slice(-30).reduce((a, v) => a + (v || 0), 0) }))
      .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
      .slice(0, n);
  }
  function fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    const a = Math.abs(v);
    if (Number.isInteger(v)) return String(v);
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    return v.toFixed(3);
  }

  const PANELS = [
    { id: "requests", title: "Request rate", unit: "req/s",
      hint: "all API routes; the dashboard's own polling is not counted",
      series: (d) => [
        { label: "all routes", values: d.request_rate, color: COLORS[0], fill: true },
        { label: "5xx errors", values: d.error_rate, color: RED },
      ] },
    { id: "latency", title: "Latency", unit: "ms",
      hint: "api_processing_time percentiles per interval",
      series: (d) => [
        { label: "p50", values: d.latency_ms.p50, color: COLORS[0] },
        { label: "p95", values: d.latency_ms.p95, color: COLORS[2] },
        { label: "p99", values: d.latency_ms.p99, color: RED, dash: [4, 4] },
      ] },
    { id: "routes", title: "Requests by route", unit: "req/s",
      hint: "the " + MAX_NAMED + " busiest routes",
      series: (d) => topNamed(d.route_rates, MAX_NAMED).map((r, i) => (
        { label: r.name, values: r.col, color: COLORS[i % COLORS.length] })) },
    { id: "active", title: "Active inferences", unit: "inferences",
      hint: "started and not yet seen finished by the API",
      series: (d) => [
        { label: "active", values: d.active_inferences, color: COLORS[1], fill: true },
      ] },
    { id: "accuracy", title: "Live accuracy", unit: "%", range: [0, 100],
      empty: "No feedback yet: nobody has answered a result list",
      hint: "picked result lists / all answered lists (api_inference_feedback_total)",
      series: (d) => [
        { label: "last " + d.accuracy_window_s + " s", values: pct(d.accuracy.window),
          color: COLORS[0] },
        { label: "since start", values: pct(d.accuracy.total), color: COLORS[1], dash: [6, 4] },
      ] },
    { id: "picks", title: "Live pick rate by model", unit: "%", range: [0, 100],
      empty: "No feedback per model yet: no task's result list has been answered",
      hint: "first answers per task: picked lists / answered lists since start (api_model_feedback_total)",
      series: (d) => topNamed(d.model_pick_rate, MAX_NAMED).map((m, i) => (
        { label: m.name.slice(0, 8) || "(unknown)", values: pct(m.col),
          color: COLORS[i % COLORS.length] })) },
    { id: "drift", title: "Feature drift", unit: "PSI",
      empty: "No drift data yet (drift is measured where inference tasks run)",
      hint: "population stability index of recent requests vs. training data; 0.1 moderate, 0.25 significant",
      series: (d) => {
        const top = topNamed(d.drift_psi, MAX_NAMED).map((f, i) => (
          { label: f.name, values: f.col, color: COLORS[i % COLORS.length] }));
        if (top.length === 0) return top;
        const flat = (v) => d.t.map(() => v);
        return top.concat([
          { label: "moderate (0.1)", values: flat(0.1), color: "#f2cc0c88", dash: [3, 3], ref: true },
          { label: "significant (0.25)", values: flat(0.25), color: "#f2495c88", dash: [3, 3], ref: true },
        ]);
      } },
  ];

  const charts = {};
  let updates = 0;
  let timer = null;
  const windowSelect = document.getElementById("window");

  function buildPanels() {
    const root = document.getElementById("panels");
    for (const p of PANELS) {
      const el = document.createElement("div");
      el.className = "panel nodata";
      el.id = "panel-" + p.id;
      el.dataset.points = "0";
      el.innerHTML = '<h2></h2><div class="hint"></div><div class="chart"></div>' +
        '<div class="empty">No data yet</div>';
      el.querySelector("h2").innerHTML = p.title + ' <span class="unit">(' + p.unit + ")</span>";
      el.querySelector(".hint").textContent = p.hint;
      el.querySelector(".empty").textContent = p.empty || "No data yet";
      root.appendChild(el);
    }
  }

  function chartOptions(panel, series, width) {
    const axis = { stroke: "#8e959e", grid: { stroke: "#2c3235", width: 1 },
                   ticks: { stroke: "#2c3235", width: 1 } };
    return {
      width, height: CHART_HEIGHT,
      series: [{}].concat(series.map((s) => ({
        label: s.label, stroke: s.color, width: s.ref ? 1 : 2, dash: s.dash,
        fill: s.fill ? s.color + "26" : undefined, spanGaps: false,
        value: (u, v) => (v === null || v === undefined ? "–" : fmt(v) + " " + panel.unit),
      }))),
      axes: [axis, Object.assign({}, axis, { size: 56, values: (u, vals) => vals.map(fmt) })],
      scales: { x: { time: true },
                y: { range: panel.range ? panel.range
                                        : (u, min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      legend: { live: true },
      cursor: { points: { size: 6 } },
      // Away from the cursor the legend shows each series' newest value.
      hooks: { setCursor: [(u) => { if (u.cursor.idx == null) showNewest(u); }] },
    };
  }

  function showNewest(u) {
    const n = u.data[0].length;
    if (n > 0) u.setLegend({ idx: n - 1 });
  }

  function renderPanel(panel, d) {
    const el = document.getElementById("panel-" + panel.id);
    const series = panel.series(d);
    const points = series.filter((s) => !s.ref)
      .reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
    el.dataset.points = String(points);
    el.classList.toggle("nodata", points === 0);
    const data = [d.t].concat(series.map((s) => s.values));
    const key = series.map((s) => s.label).join("\u0000");
    const box = el.querySelector(".chart");
    let c = charts[panel.id];
    if (c && c.key === key) {
      // A chart made while its panel was empty (hidden) has a guessed width.
      if (box.clientWidth > 0 && c.plot.width !== box.clientWidth) {
        c.plot.setSize({ width: box.clientWidth, height: CHART_HEIGHT });
      }
      c.plot.setData(data);
      if (c.plot.cursor.idx == null) showNewest(c.plot);
      return;
    }
    if (c) c.plot.destroy();
    if (series.length === 0) {
      delete charts[panel.id];
      return;
    }
    const plot = new uPlot(chartOptions(panel, series, box.clientWidth || 600), data, box);
    showNewest(plot);
    charts[panel.id] = { key, plot };
  }

  function setStat(id, value, cls) {
    const el = document.getElementById("stat-" + id);
    el.querySelector(".v").textContent = fmt(value);
    el.className = "stat " + (value === null ? "none" : cls);
  }

  function renderStats(d) {
    setStat("requests", last(d.request_rate), last(d.error_rate) > 0 ? "warn" : "good");
    const p95 = last(d.latency_ms.p95);
    setStat("latency", p95, p95 > 1000 ? "bad" : p95 > 250 ? "warn" : "good");
    setStat("active", last(d.active_inferences), "good");
    const acc = last(d.accuracy.window);
    setStat("accuracy", acc === null ? null : acc * 100, acc < 0.3 ? "warn" : "good");
    let drift = null;
    for (const col of Object.values(d.drift_psi || {})) {
      const v = last(col);
      if (v !== null && (drift === null || v > drift)) drift = v;
    }
    setStat("drift", drift, drift > 0.25 ? "bad" : drift > 0.1 ? "warn" : "good");
  }

  function setStatus(state, text) {
    document.body.dataset.state = state;
    document.getElementById("status").textContent = text;
  }

  async function refresh() {
    try {
      const res = await fetch("/dashboard/data?window=" + windowSelect.value, { cache: "no-store" });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const d = await res.json();
      for (const p of PANELS) renderPanel(p, d);
      renderStats(d);
      updates += 1;
      document.body.dataset.updates = String(updates);
      document.getElementById("updated").textContent =
        "updated " + new Date().toLocaleTimeString();
      if (d.points === 0) setStatus("nodata", "no data yet");
      else setStatus("live", "live · every " + d.interval_s + " s");
      schedule(d.interval_s * 1000);
    } catch (e) {
      setStatus("error", "server unreachable");
      schedule(5000);
    }
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, ms);
  }

  window.addEventListener("resize", () => {
    for (const [id, c] of Object.entries(charts)) {
      const box = document.querySelector("#panel-" + id + " .chart");
      c.plot.setSize({ width: box.clientWidth, height: CHART_HEIGHT });
    }
  });
  windowSelect.addEventListener("change", refresh);
  buildPanels();
  refresh();
})();
