// A bar-and-line chart in plain SVG: bars for the first series, lines for
// the rest. Values are numbers for drawing only; labels show the exact text.
const NS = "http://www.w3.org/2000/svg";
const COLORS = ["#1f5f8b", "#d98c1f", "#2e8b57", "#8b3a62", "#6a5acd", "#777"];

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function barLineChart({ labels, series, title, format }) {
  const width = 720, height = 260, left = 70, right = 12, top = 14, bottom = 36;
  const values = series.flatMap((s) => s.values);
  const max = Math.max(0, ...values), min = Math.min(0, ...values);
  const span = max - min || 1;
  const y = (v) => top + ((max - v) / span) * (height - top - bottom);
  const step = (width - left - right) / Math.max(1, labels.length);
  const x = (i) => left + step * i + step / 2;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart", "aria-label": title });
  svg.append(el("title", {}, title));
  for (const t of [max, (max + min) / 2, min]) {
    svg.append(el("line", { x1: left, x2: width - right, y1: y(t), y2: y(t), class: "grid" }));
    svg.append(el("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end", class: "axis" }, format(t)));
  }
  const [bars, ...lines] = series;
  const bw = Math.max(4, step * 0.5);
  bars.values.forEach((v, i) => {
    const rect = el("rect", { x: x(i) - bw / 2, y: Math.min(y(v), y(0)), width: bw, height: Math.abs(y(v) - y(0)), fill: COLORS[0] });
    rect.append(el("title", {}, `${labels[i]} ${bars.name}: ${format(v)}`));
    svg.append(rect);
  });
  lines.forEach((s, n) => {
    const points = s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ");
    svg.append(el("polyline", { points, fill: "none", stroke: COLORS[n + 1], "stroke-width": 2.5 }));
    s.values.forEach((v, i) => {
      const dot = el("circle", { cx: x(i), cy: y(v), r: 3.5, fill: COLORS[n + 1] });
      dot.append(el("title", {}, `${labels[i]} ${s.name}: ${format(v)}`));
      svg.append(dot);
    });
  });
  labels.forEach((l, i) => svg.append(el("text", { x: x(i), y: height - 14, "text-anchor": "middle", class: "axis" }, l)));
  const legend = document.createElement("ul");
  legend.className = "legend";
  series.forEach((s, i) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = COLORS[i];
    item.append(swatch, `${s.name}${i === 0 ? " (bars)" : ""}`);
    legend.append(item);
  });
  const figure = document.createElement("figure");
  figure.className = "chart-figure";
  figure.append(svg, legend);
  return figure;
}
