// Per-client traffic from /gatehouse/apiclients/{id}/usage, drawn as SVG by hand: token
// requests by grant type and by outcome, API requests by status, and a per-minute timeline.
import { get } from "./api.js";
import { h, clear, field, select, formatTime } from "./dom.js";
import { guarded } from "./views.js";

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** Horizontal bars, one per label, with the count written beside each. */
export function barChart(title, counts, palette = "a") {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const row = 26;
  const height = Math.max(1, entries.length) * row + 8;
  const summary = entries.length ? entries.map(([k, n]) => `${k}: ${n}`).join(", ") : "none";
  const svg = s("svg", { viewBox: `0 0 400 ${height}`, role: "img", "aria-label": `${title}: ${summary}`, class: "chart" });
  if (!entries.length) svg.append(s("text", { x: 4, y: 18, class: "label" }, "No requests in this window."));
  entries.forEach(([label, n], i) => {
    const y = i * row + 4;
    const width = Math.max(2, (n / max) * 220);
    svg.append(
      s("text", { x: 0, y: y + 15, class: "label" }, label),
      s("rect", { x: 140, y, width, height: row - 8, class: `bar ${palette}${i % 4}` }),
      s("text", { x: 146 + width, y: y + 15, class: "value" }, n));
  });
  return h("figure", { class: "chart-box" }, h("figcaption", {}, title), svg);
}

/** Tokens, failed tokens and API requests per time bucket, as three polylines. */
export function timeline(perMinute, minutes) {
  const buckets = minutes > 120 ? 48 : 60;
  const span = (minutes * 60000) / buckets;
  const end = Date.now();
  const series = { Tokens: new Array(buckets).fill(0), TokenFailures: new Array(buckets).fill(0), Requests: new Array(buckets).fill(0) };
  for (const m of perMinute) {
    const i = buckets - 1 - Math.floor((end - new Date(m.Minute).getTime()) / span);
    if (i < 0 || i >= buckets) continue;
    for (const key of Object.keys(series)) series[key][i] += m[key];
  }
  const max = Math.max(1, ...Object.values(series).flat());
  const w = 400, hgt = 120;
  const svg = s("svg", { viewBox: `0 0 ${w} ${hgt + 20}`, role: "img", class: "chart",
    "aria-label": `Per-minute traffic, peak ${max} per bucket` });
  svg.append(s("line", { x1: 0, y1: hgt, x2: w, y2: hgt, class: "axis" }));
  Object.entries(series).forEach(([key, values], k) => {
    const points = values.map((v, i) => `${((i + 0.5) * w) / buckets},${hgt - (v / max) * (hgt - 10)}`).join(" ");
    svg.append(s("polyline", { points, class: `line l${k}` }));
  });
  svg.append(s("text", { x: 0, y: hgt + 16, class: "label" }, `${minutes >= 1440 ? "24 h" : "1 h"} ago`),
    s("text", { x: w - 30, y: hgt + 16, class: "label" }, "now"));
  const legend = h("ul", { class: "legend" },
    ["Tokens issued", "Token failures", "API requests"].map((t, k) => h("li", { class: `l${k}` }, t)));
  return h("figure", { class: "chart-box wide" }, h("figcaption", {}, "Over time"), svg, legend);
}

export async function renderTraffic(out, id) {
  const windowField = field("Window", select("window", [["60", "Last hour"], ["1440", "Last day"]], "60"));
  const charts = h("div", { class: "charts", id: "traffic-charts" });
  const load = () => guarded(charts, async () => {
    const minutes = Number(windowField.control.value);
    const usage = await get(`/gatehouse/apiclients/${encodeURIComponent(id)}/usage`, { minutes });
    clear(charts,
      h("p", { id: "last-used" }, `Last used: ${formatTime(usage.LastUsed)}`),
      h("div", { class: "chart-grid" },
        barChart("Token requests by grant type", usage.Tokens.ByGrantType, "a"),
        barChart("Token requests by outcome", usage.Tokens.ByOutcome, "b"),
        barChart("API requests by status", usage.Requests.ByStatus, "c"),
        timeline(usage.PerMinute, minutes)));
  });
  windowField.control.addEventListener("change", load);
  clear(out, windowField.wrap, charts);
  await load();
}
