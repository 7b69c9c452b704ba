/* openaml studio: the pages' small scripts. Text goes in through textContent only. */
"use strict";

const CSRF = () => document.querySelector('meta[name="csrf-token"]').content;
const boot = () => {
  const node = document.getElementById("boot");
  return node ? JSON.parse(node.textContent) : {};
};
const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

async function api(path, options = {}) {
  const headers = Object.assign({ "X-CSRF-Token": CSRF() }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const error = new Error(typeof body === "object" ? JSON.stringify(body.detail) : body);
    error.status = response.status;
    error.detail = typeof body === "object" ? body.detail : body;
    throw error;
  }
  return body;
}
const postJSON = (path, data) =>
  api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}
function link(href, text) { return el("a", text, { href }); }
function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(digits);
  return String(value);
}
function secs(value) {
  if (typeof value !== "number") return "–";
  const s = Math.floor(value), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return (h ? `${h}h ` : "") + `${m}m ${String(s % 60).padStart(2, "0")}s`;
}
function fillTable(table, columns, rows, cell) {
  const head = table.querySelector("thead"), body = table.querySelector("tbody");
  head.replaceChildren(); body.replaceChildren();
  const tr = el("tr");
  columns.forEach((c) => tr.appendChild(el("th", c)));
  head.appendChild(tr);
  rows.forEach((row) => {
    const r = el("tr");
    columns.forEach((c, j) => { const td = el("td"); const v = cell(row, c, j); if (v instanceof Node) td.appendChild(v); else td.textContent = fmt(v); r.appendChild(td); });
    body.appendChild(r);
  });
}
function chart(id, option) {
  const node = $(id);
  if (!node || !window.echarts) return;
  const instance = echarts.getInstanceByDom(node) || echarts.init(node);
  if (option.xAxis && !option.grid) option.grid = { left: 72 };  // room for labels like 140,000
  instance.setOption(option, true);
}
function showErrors(error) {
  document.querySelectorAll(".field-error").forEach((n) => (n.textContent = ""));
  const detail = error.detail;
  const field = detail && typeof detail === "object" ? detail.field : null;
  const message = detail && typeof detail === "object" ? detail.message || JSON.stringify(detail) : String(detail || error.message);
  const target = field && document.querySelector(`.field-error[data-for="${CSS.escape(field)}"]`);
  if (target) target.textContent = message; else $("form-error").textContent = message;
}

/* ---- experiment page --------------------------------------------------------------- */
function experimentPage(data) {
  const name = data.name;
  let sortKey = null, sortDir = -1, rows = [], metrics = [], params = [], pollFailed = false;
  const selected = new Set();
  const renderBoard = () => {
    const table = $("leaderboard");
    const sorted = sortKey ? [...rows].sort((a, b) => {
      const pick = (r) => (sortKey in r.metrics ? r.metrics[sortKey] : sortKey in r.params ? r.params[sortKey] : r[sortKey]);
      const va = pick(a), vb = pick(b);
      return (va === vb ? 0 : va === null || va === undefined ? 1 : vb === null || vb === undefined ? -1 : va > vb ? 1 : -1) * sortDir;
    }) : rows;
    const columns = ["", "index", "algorithm", "status", ...metrics, ...params, "duration_seconds"];
    fillTable(table, columns, sorted, (row, c) => {
      if (c === "") {
        const box = el("input", null, { type: "checkbox" });
        box.checked = selected.has(row.run_id);
        box.addEventListener("change", () => (box.checked ? selected.add(row.run_id) : selected.delete(row.run_id)));
        return box;
      }
      if (c === "index") return link(`/runs/${enc(row.run_id)}`, `#${row.index}`);
      if (c === "duration_seconds") return secs(row.duration_seconds);
      return c in row.metrics ? row.metrics[c] : c in row.params ? row.params[c] : row[c];
    });
    table.querySelectorAll("thead th").forEach((th) => th.addEventListener("click", () => {
      const key = th.textContent; if (!key) return;
      sortDir = sortKey === key ? -sortDir : -1; sortKey = key; renderBoard();
    }));
  };
  const refresh = async () => {
    try {
      const detail = await api(`/api/experiments/${enc(name)}`);
      $("status").textContent = detail.status; $("status").className = `status s-${detail.status}`;
      $("status-reason").textContent = detail.status_reason || "";
      $("children").textContent = detail.children;
      $("duration").textContent = secs(detail.duration_seconds);
      $("time-left").textContent = secs(detail.time_left_seconds);
      $("cancel").hidden = !detail.cancelable; $("resume").hidden = !detail.resumable;
      showEnd(detail);
      if (detail.status === "preparing") return detail;  // not in the store yet: no children
      const board = await api(`/api/experiments/${enc(name)}/leaderboard`);
      rows = board.rows; metrics = board.metrics; params = board.params || []; renderBoard();
      $("board-note").textContent = board.total > rows.length ? `The best ${rows.length} of ${board.total} children (sorting reorders these).` : "";
      await searchCharts();
      if (pollFailed) { pollFailed = false; $("action-message").textContent = ""; }
      return detail;
    } catch (error) { pollFailed = true; $("action-message").textContent = error.message; return null; }
  };
  const showEnd = (detail) => {  // what the server only knows once the fit ended, live
    const best = detail.best_model, node = $("best-model");
    if (best && !node.querySelector("a")) {
      node.replaceChildren("Best model: ", link(`/models/${enc(best.name)}`, `${best.name}:${best.version}`), ` (${best.algorithm})`);
    }
    if (detail.guardrails && !$("guardrails").querySelector("table")) {
      const table = el("table", null, { class: "grid" }); table.append(el("thead"), el("tbody"));
      fillTable(table, ["Guardrail", "Status", "Description"], detail.guardrails.guardrails, (g, c) => g[{ Guardrail: "name", Status: "status", Description: "description" }[c]]);
      $("guardrails").replaceChildren(table);
    }
    if (detail.featurization_summary && !$("featurization").querySelector("table")) {
      const table = el("table", null, { class: "grid" }); table.append(el("thead"), el("tbody"));
      const keys = { "Raw feature": "RawFeatureName", "Type detected": "TypeDetected", "Dropped": "Dropped", "Engineered features": "EngineeredFeatureCount" };
      fillTable(table, [...Object.keys(keys), "Transformations"], detail.featurization_summary, (f, c) => (c in keys ? f[keys[c]] : f.Transformations.join(", ")));
      $("featurization").replaceChildren(table);
    }
  };
  const searchCharts = async () => {
    const c = await api(`/api/experiments/${enc(name)}/charts/search`);
    chart("chart-timeline", { title: { text: `Best ${c.metric} over time` }, tooltip: { trigger: "axis" },
      xAxis: { type: "value", name: "s" }, yAxis: { type: "value", scale: true },
      series: [{ name: "child", type: "scatter", data: c.timeline.map((p) => [p.seconds, p.value]) },
               { name: "best", type: "line", step: "end", data: c.timeline.map((p) => [p.seconds, p.best]) }] });
    const algos = Object.keys(c.by_algorithm);
    chart("chart-algorithms", { title: { text: `${c.metric} per child by algorithm` }, tooltip: {}, legend: { bottom: 0, type: "scroll" },
      xAxis: { type: "value", name: "child" }, yAxis: { type: "value", scale: true },
      series: algos.map((a) => ({ name: a, type: "scatter", data: c.by_algorithm[a].map((p) => [p.index, p.value]) })) });
    const axes = (c.parallel.axes || []).map((a, i) => Object.assign({ dim: i }, a.type === "category" ? { type: "category", data: a.data } : { type: "value", scale: true }, { name: a.name }));
    chart("chart-parallel", { title: { text: "Hyperparameters vs score" }, parallelAxis: axes, parallel: { top: 60 },
      series: [{ type: "parallel", lineStyle: { width: 1, opacity: 0.5 }, data: c.parallel.lines || [] }] });
  };
  const bestCharts = async () => {
    const b = await api(`/api/experiments/${enc(name)}/charts/best-model`);
    $("best-note").textContent = b.note || (b.run_id ? `From the out-of-fold predictions of run ${b.run_id}.` : "");
    if (b.confusion_matrix) {
      const cells = []; b.confusion_matrix.forEach((r, i) => r.forEach((v, j) => cells.push([j, i, v])));
      chart("chart-best-1", { title: { text: "Confusion matrix" }, tooltip: {}, xAxis: { type: "category", data: b.classes, name: "predicted" },
        yAxis: { type: "category", data: b.classes, name: "actual" }, visualMap: { min: 0, max: Math.max(...cells.map((c) => c[2])), show: false },
        series: [{ type: "heatmap", data: cells, label: { show: true } }] });
      chart("chart-best-2", { title: { text: "ROC" }, tooltip: {}, xAxis: { type: "value", max: 1 }, yAxis: { type: "value", max: 1 },
        series: b.roc.map((s) => ({ name: s.label, type: "line", showSymbol: false, data: s.points })) });
      chart("chart-best-3", { title: { text: "Precision-recall" }, tooltip: {}, xAxis: { type: "value", max: 1, name: "recall" }, yAxis: { type: "value", max: 1, name: "precision" },
        series: b.precision_recall.map((s) => ({ name: s.label, type: "line", showSymbol: false, data: s.points })) });
    } else if (b.predicted_vs_actual) {
      chart("chart-best-1", { title: { text: "Predicted vs actual" }, tooltip: {}, xAxis: { type: "value", name: "actual", scale: true }, yAxis: { type: "value", name: "predicted", scale: true },
        series: [{ type: "scatter", symbolSize: 4, data: b.predicted_vs_actual }] });
      const h = b.residual_histogram;
      chart("chart-best-2", { title: { text: "Residuals" }, tooltip: {}, xAxis: { type: "category", data: h.edges.slice(0, -1).map((e) => e.toPrecision(3)) }, yAxis: { type: "value" },
        series: [{ type: "bar", data: h.counts }] });
    } else if (b.forecast) {
      const series = [{ name: "forecast", type: "line", data: b.forecast }];
      if (b.actual) series.push({ name: "actual", type: "line", data: b.actual });
      if (b.band) {
        series.push({ name: b.band.low, type: "line", stack: "band", lineStyle: { opacity: 0 }, symbol: "none", data: b.band.lower });
        series.push({ name: b.band.high, type: "line", stack: "band", lineStyle: { opacity: 0 }, symbol: "none", areaStyle: { opacity: 0.2 },
          data: b.band.upper.map((u, i) => u - b.band.lower[i]) });
      }
      chart("chart-best-1", { title: { text: `Forecast vs actual (${b.series})` }, tooltip: { trigger: "axis" }, legend: { bottom: 0 },
        xAxis: { type: "category", data: b.dates }, yAxis: { type: "value", scale: true }, series });
    }
    const f = await api(`/api/experiments/${enc(name)}/charts/feature-importance`);
    if (f.features.length) {
      const items = [...f.features].reverse();
      chart("chart-importance", { title: { text: `Feature importance (${f.metric})` }, tooltip: {}, grid: { left: 140 },
        xAxis: { type: "value" }, yAxis: { type: "category", data: items.map((i) => i.name) }, series: [{ type: "bar", data: items.map((i) => i.importance) }] });
    }
    ["chart-best-1", "chart-best-2", "chart-best-3", "chart-importance"].forEach((id) => ($(id).hidden = !(window.echarts && echarts.getInstanceByDom($(id)))));
  };
  const curves = async () => {
    if (!selected.size) return;
    const metric = data.detail && data.detail.primary_metric;  // else each run's first metric
    const c = await api(`/api/curves?runs=${enc([...selected].join(","))}` + (metric ? `&metric=${enc(metric)}` : ""));
    chart("chart-curves", { title: { text: `Step curves of the selected children${metric ? ` (${metric})` : ""}` }, tooltip: { trigger: "axis" }, legend: { bottom: 0 },
      xAxis: { type: "value", name: "step" }, yAxis: { type: "value", scale: true },
      series: c.series.map((s) => ({ name: s.label, type: "line", data: s.points })) });
  };
  $("curves-selected").addEventListener("click", curves);
  $("compare-selected").addEventListener("click", () => { if (selected.size) location.href = `/compare?runs=${enc([...selected].join(","))}`; });
  $("cancel").addEventListener("click", async () => {
    try { await api(`/api/experiments/${enc(name)}/cancel`, { method: "POST" }); $("action-message").textContent = "Cancel requested."; }
    catch (error) { $("action-message").textContent = error.message; }
  });
  $("resume").addEventListener("click", async () => {
    try { await api(`/api/experiments/${enc(name)}/resume`, { method: "POST" }); $("action-message").textContent = "Resumed."; }
    catch (error) { $("action-message").textContent = error.message; }
  });
  let bestShown = false;
  const loop = async () => {
    const detail = await refresh();
    const live = detail && ["running", "queued", "preparing", "finishing"].includes(detail.status);
    if (detail && detail.status !== "preparing" && (!live || !bestShown)) { bestShown = true; bestCharts().catch((e) => ($("best-note").textContent = e.message)); }
    if (live) setTimeout(loop, 1500);
    else if (!detail) setTimeout(loop, 3000);  // a failed poll (server restarting, ...): try again
  };
  loop();
}

/* ---- run, compare ------------------------------------------------------------------- */
function runPage(data) {
  const run = data.run;
  const series = Object.entries(run.metric_history).filter(([, p]) => p.length > 1)
    .map(([k, p]) => ({ name: k, type: "line", data: p }));
  if (series.length) chart("chart-run-metrics", { title: { text: "Metrics by step" }, tooltip: { trigger: "axis" }, legend: { bottom: 0 }, xAxis: { type: "value" }, yAxis: { type: "value", scale: true }, series });
  api(`/api/runs/${enc(run.id)}/logs`).then((logs) => {
    $("run-logs").textContent = Object.entries(logs).map(([k, v]) => `--- ${k}\n${v}`).join("\n") || "no logs";
  }).catch((e) => ($("run-logs").textContent = e.message));
}
function comparePage(data) {
  const series = [];
  data.compare.runs.forEach((r) => Object.entries(r.metric_history).forEach(([k, p]) => {
    if (p.length > 1) series.push({ name: `${r.id} ${k}`, type: "line", data: p });
  }));
  if (series.length) chart("chart-compare", { title: { text: "Curves" }, tooltip: { trigger: "axis" }, legend: { bottom: 0, type: "scroll" }, xAxis: { type: "value" }, yAxis: { type: "value", scale: true }, series });
}

/* ---- models, datasets --------------------------------------------------------------- */
function modelPage(data) {
  $("predict-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    $("predict-message").textContent = "predicting…";
    try {
      const result = await api(`/api/models/${enc(data.model)}/${enc(form.get("version"))}/predict`, { method: "POST", body: form });
      $("predict-message").textContent = "";
      $("predict-download").replaceChildren(link(result.download, `Download all ${result.rows} predictions (CSV)`));
      fillTable($("predictions"), result.columns, result.data, (row, c, j) => row[j]);
    } catch (error) { $("predict-message").textContent = error.detail || error.message; }
  });
}
function datasetsPage() {
  $("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("upload-message").textContent = "uploading…";
    try {
      const result = await api("/api/datasets", { method: "POST", body: new FormData(event.target) });
      location.href = `/datasets/${enc(result.name)}`;
    } catch (error) { $("upload-message").textContent = error.detail || error.message; }
  });
}

/* ---- new experiment wizard ----------------------------------------------------------- */
function wizardPage(data) {
  const meta = data.meta;
  let preview = null;
  const select = $("dataset-select");
  data.datasets.forEach((d) => select.appendChild(el("option", `${d.name}:${d.version} (${d.rows} rows)`, { value: d.ref })));
  const field = (name) => document.querySelector(`[name="${name}"]`);
  const options = (node, values, chosen) => { node.replaceChildren(); values.forEach((v) => { const o = el("option", v, { value: v }); if (v === chosen) o.selected = true; node.appendChild(o); }); };
  const onTask = () => {
    const task = field("task").value, choice = meta.tasks[task];
    options(field("primary_metric"), choice.metrics, choice.metrics[0]);
    options(field("allowed_models"), choice.models); options(field("blocked_models"), choice.models);
    $("forecasting-settings").hidden = task !== "forecasting";
  };
  const load = async (ref) => {
    if (!ref) return;
    const [name, version] = ref.split(":");
    try { preview = await api(`/api/datasets/${enc(name)}/${enc(version)}/preview`); }
    catch (error) { showErrors(error); return; }
    preview.ref = ref;
    $("preview-info").textContent = `${preview.ref}: ${preview.rows} rows, ${preview.columns.length} columns`;
    fillTable($("preview-table"), preview.columns, preview.data, (row, c, j) => row[j]);
    const body = $("purposes").querySelector("tbody"); body.replaceChildren();
    preview.purposes.forEach((p) => {
      const tr = el("tr"); tr.appendChild(el("td", p.name));
      const td = el("td"), s = el("select", null, { "data-column": p.name }); options(s, meta.purposes, p.purpose); td.appendChild(s); tr.appendChild(td);
      [p.dtype, p.distinct, p.missing, p.reason].forEach((v) => tr.appendChild(el("td", fmt(v))));
      body.appendChild(tr);
    });
    options(field("label_column_name"), preview.columns, preview.columns[preview.columns.length - 1]);
    options(field("fc_time_column_name"), preview.columns);
    $("step-preview").hidden = false; $("step-settings").hidden = false;
  };
  select.addEventListener("change", () => load(select.value));
  $("upload-button").addEventListener("click", async () => {
    const file = $("upload-file").files[0];
    if (!file) { showErrors({ detail: { field: "dataset", message: "choose a CSV or Parquet file first" } }); return; }
    const form = new FormData(); form.append("file", file); form.append("name", $("upload-name").value);
    try {
      const d = await api("/api/datasets", { method: "POST", body: form });
      select.appendChild(el("option", `${d.name}:${d.version} (${d.rows} rows)`, { value: d.ref })); select.value = d.ref; load(d.ref);
    } catch (error) { showErrors({ detail: { field: "dataset", message: error.detail || error.message } }); }
  });
  field("task").addEventListener("change", onTask); onTask();
  const number = (node) => {
    const text = node.value.trim(); if (!text) return null;
    const value = Number(text); return Number.isNaN(value) ? text : node.dataset.type === "int" && Number.isInteger(value) ? value : value;
  };
  const collect = () => {
    const form = { dataset: preview ? preview.ref : select.value, featurization: field("featurization").value, validation: field("validation").value };
    ["experiment_name", "task", "label_column_name", "primary_metric"].forEach((n) => (form[n] = field(n).value || null));
    ["validation_size", "n_cross_validations", "experiment_timeout_minutes", "max_trials", "max_concurrent_iterations", "experiment_exit_score", "seed"].forEach((n) => (form[n] = number(field(n))));
    form.enable_early_stopping = field("enable_early_stopping").checked;
    const picked = (n) => [...field(n).selectedOptions].map((o) => o.value);
    form.allowed_models = picked("allowed_models").length ? picked("allowed_models") : null;
    form.blocked_models = picked("blocked_models").length ? picked("blocked_models") : null;
    form.column_purposes = {};
    document.querySelectorAll("#purposes select").forEach((s) => (form.column_purposes[s.dataset.column] = s.value));
    if (form.task === "forecasting") {
      const list = (t) => t.split(",").map((x) => x.trim()).filter(Boolean);
      const fc = { time_column_name: field("fc_time_column_name").value, forecast_horizon: number(field("fc_forecast_horizon")) };
      const ids = list(field("fc_time_series_id_column_names").value); if (ids.length) fc.time_series_id_column_names = ids;
      if (field("fc_freq").value.trim()) fc.freq = field("fc_freq").value.trim();
      const qs = list(field("fc_quantiles").value).map(Number); if (qs.length) fc.quantiles = qs;
      form.forecasting_parameters = fc;
    }
    return form;
  };
  $("review-button").addEventListener("click", async () => {
    showErrors({ detail: "" }); $("form-error").textContent = "";
    try {
      const result = await postJSON("/api/experiments/validate", collect());
      $("review").textContent = JSON.stringify(result.spec, null, 2); $("step-review").hidden = false;
    } catch (error) { showErrors(error); $("step-review").hidden = true; }
  });
  $("start-button").addEventListener("click", async (event) => {
    event.target.disabled = true;  // one click, one experiment
    try { const result = await postJSON("/api/experiments", collect()); location.href = result.url; }
    catch (error) { showErrors(error); event.target.disabled = false; }
  });
  if (data.dataset) { select.value = data.dataset; load(data.dataset); }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("td.time").forEach((td) => { const d = new Date(td.textContent); if (!Number.isNaN(d.getTime())) td.textContent = d.toLocaleString(); });
  const data = boot();
  if ($("leaderboard")) experimentPage(data);
  else if (data.run) runPage(data);
  else if (data.compare) comparePage(data);
  else if (data.model) modelPage(data);
  else if ($("upload-form")) datasetsPage();
  else if (data.meta) wizardPage(data);
});
