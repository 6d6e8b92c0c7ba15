// A line chart of monthly rates against the target, drawn as SVG. The same numbers are
// always in a table beside it, so the chart is never the only way to read them.

import { h } from "./dom.js";
import { percent } from "./i18n.js";

const W = 560;
const H = 220;
const PAD = { left: 64, right: 28, top: 12, bottom: 28 };

/** `points`: [{label, value (0..1 or null)}]; `target` 0..1. */
export function trendChart(points, target, label) {
  const values = points.map((p) => p.value).filter((v) => v !== null);
  const low = Math.max(0, Math.floor(Math.min(target, ...values, 1) * 10) / 10 - 0.1);
  const x = (i) => PAD.left + (points.length < 2 ? 0 : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v) => PAD.top + ((1 - v) * (H - PAD.top - PAD.bottom)) / (1 - low);
  const ticks = [low, (low + 1) / 2, 1];
  const drawn = points.map((p, i) => (p.value === null ? null : [x(i), y(p.value)])).filter(Boolean);
  return h(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label, class: "chart" },
    ticks.map((v) => [
      h("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }),
      h("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, percent(v)),
    ]),
    h("line", { x1: PAD.left, x2: W - PAD.right, y1: y(target), y2: y(target), class: "target" }),
    h("polyline", { points: drawn.map((p) => p.join(",")).join(" "), class: "rate" }),
    drawn.map(([cx, cy]) => h("circle", { cx, cy, r: 3.5, class: "rate" })),
    points.map((p, i) => (i % 2 === points.length % 2 ? null : h("text", { x: x(i), y: H - 8, "text-anchor": "middle" }, p.label))),
  );
}
