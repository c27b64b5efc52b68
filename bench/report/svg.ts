/** A dependency-free SVG line chart: enough for time-vs-size and time-vs-distance plots. */
export interface Series {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Log scales: x in powers of 2 (sizes), y in powers of 10 (times). */
  readonly xLog?: boolean;
  readonly yLog?: boolean;
  readonly xTick?: (value: number) => string;
  readonly yTick?: (value: number) => string;
}

const W = 720;
const H = 440;
const M = { left: 80, right: 170, top: 40, bottom: 56 };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface Axis {
  map(value: number): number;
  ticks: number[];
}

function axis(values: number[], log: boolean, base: number, from: number, to: number): Axis {
  const usable = log ? values.filter((v) => v > 0) : values;
  let lo = usable.length ? Math.min(...usable) : 1;
  let hi = usable.length ? Math.max(...usable) : 10;
  if (!log) lo = Math.min(0, lo);
  if (hi === lo) hi = log ? lo * base : lo + 1;
  const t = (v: number): number => (log ? Math.log(v) / Math.log(base) : v);
  const inv = (u: number): number => (log ? base ** u : u);
  // A margin so that points never sit on the frame (a linear axis keeps its zero).
  const pad = (t(hi) - t(lo)) * 0.06;
  const a = log ? t(lo) - pad : t(lo);
  const b = t(hi) + pad;
  const map = (v: number): number => from + ((t(Math.max(v, log ? inv(a) : -Infinity)) - a) / (b - a)) * (to - from);
  return { map, ticks: log ? logTicks(inv(a), inv(b), base) : linearTicks(lo, inv(b)) };
}

/** Powers of the base; where the range spans fewer than three, 1-2-5 steps (base 10) or linear steps. */
function logTicks(lo: number, hi: number, base: number): number[] {
  const first = Math.ceil(Math.log(lo) / Math.log(base) - 1e-9);
  const last = Math.floor(Math.log(hi) / Math.log(base) + 1e-9);
  const powers: number[] = [];
  for (let e = first; e <= last; e++) powers.push(base ** e);
  if (powers.length >= 3) return thin(powers);
  if (base === 10) {
    const steps: number[] = [];
    for (let e = first - 1; e <= last; e++) for (const m of [1, 2, 5]) steps.push(m * 10 ** e);
    const inside = steps.filter((v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9));
    if (inside.length >= 3) return thin(inside);
  }
  const linear = linearTicks(lo, hi).filter((v) => v >= lo && v > 0);
  return linear.length >= 2 ? linear : powers;
}

function thin(ticks: number[]): number[] {
  const step = Math.ceil(ticks.length / 8);
  return ticks.filter((_, i) => i % step === 0);
}

function linearTicks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 6;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const num = (v: number): string => v.toFixed(1);

/** Renders the chart as a standalone SVG document (well-formed XML, one <g class="series"> per series). */
export function lineChart(spec: ChartSpec): string {
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  const x = axis(xs, spec.xLog ?? false, 2, M.left, W - M.right);
  const y = axis(ys, spec.yLog ?? false, 10, H - M.bottom, M.top);
  const xTick = spec.xTick ?? String;
  const yTick = spec.yTick ?? String;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(spec.title)}</text>`,
    `<g class="grid" stroke="#ddd">`,
    ...x.ticks.map((t) => `<line x1="${num(x.map(t))}" y1="${M.top}" x2="${num(x.map(t))}" y2="${H - M.bottom}"/>`),
    ...y.ticks.map((t) => `<line x1="${M.left}" y1="${num(y.map(t))}" x2="${W - M.right}" y2="${num(y.map(t))}"/>`),
    `</g>`,
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`,
    ...x.ticks.map((t) => `<text x="${num(x.map(t))}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeXml(xTick(t))}</text>`),
    ...y.ticks.map((t) => `<text x="${M.left - 6}" y="${num(y.map(t) + 4)}" text-anchor="end">${escapeXml(yTick(t))}</text>`),
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  ];
  spec.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = [...s.points].sort((a, b) => a[0] - b[0]).map(([px, py]) => `${num(x.map(px))},${num(y.map(py))}`);
    const ly = M.top + 10 + i * 20;
    out.push(
      `<g class="series" data-series="${escapeXml(s.name)}" stroke="${color}" fill="${color}">`,
      `<polyline fill="none" stroke-width="2" points="${pts.join(" ")}"/>`,
      ...pts.map((p) => `<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3"/>`),
      `<line x1="${W - M.right + 12}" y1="${ly}" x2="${W - M.right + 32}" y2="${ly}" stroke-width="2"/>`,
      `<text x="${W - M.right + 38}" y="${ly + 4}" stroke="none" fill="#222">${escapeXml(s.name)}</text>`,
      `</g>`,
    );
  });
  out.push(`</svg>`, "");
  return out.join("\n");
}
