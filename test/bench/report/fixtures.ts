import type { DistanceRow, ExperimentResults, ReportRow } from "../../../bench/report/types.js";

/** Rows shaped like the sweep runner's JSON lines (nccl-tests columns). */
export function row(algorithm: string, bytes: number, timeUs: number, ranks = 8): ReportRow {
  const algbwGBps = bytes / timeUs / 1000;
  return { op: "allreduce", algorithm, ranks, bytes, timeUs, algbwGBps, busbwGBps: (algbwGBps * 2 * (ranks - 1)) / ranks, wrong: 0 };
}

export const WAN: ReportRow[] = [
  row("ring", 4096, 900_000),
  row("ring", 4 << 20, 1_200_000),
  row("hierarchical", 4096, 400_000),
  row("hierarchical", 4 << 20, 600_000),
];

export const BASELINE: ReportRow[] = [
  row("ring", 4096, 900),
  row("ring", 4 << 20, 60_000),
  row("hierarchical", 4096, 1000),
  row("hierarchical", 4 << 20, 30_000),
];

export const DISTANCE: DistanceRow[] = [1000, 4000, 8000].flatMap((km) => [
  { ...row("ring", 1 << 20, 10_000 + km * 20, 4), distanceKm: km },
  { ...row("tree", 1 << 20, 8_000 + km * 25, 4), distanceKm: km },
]);

export const RESULTS: ExperimentResults = {
  title: "longhaul: all-reduce across emulated continents",
  startedAt: "2026-11-22T21:00:00.000Z",
  finishedAt: "2026-11-22T21:05:00.000Z",
  topology: "continents",
  backend: "userspace",
  rateMbit: 1000,
  machine: { cpus: 2, node: "v20.20.2" },
  links: [{ from: "new-york", to: "london", km: 5570, delayMs: 40.9, rateMbit: 1000 }],
  wan: WAN,
  baseline: BASELINE,
  distance: DISTANCE,
  distanceBaseline: [row("ring", 1 << 20, 5_000, 4), row("tree", 1 << 20, 4_000, 4)],
};

/** A minimal XML well-formedness check: balanced tags, quoted attributes, no stray '<' or '&'. */
export function checkWellFormed(xml: string): void {
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>/, "");
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    const text = body.slice(last, m.index);
    if (/[<>]/.test(text) || /&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) throw new Error(`bad text near ${JSON.stringify(text.slice(0, 40))}`);
    last = tag.lastIndex;
    if (m[1]) {
      const open = stack.pop();
      if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}>`);
    } else if (!m[4]) stack.push(m[2]);
  }
  if (body.slice(last).trim() !== "") throw new Error(`trailing text ${JSON.stringify(body.slice(last, last + 40))}`);
  if (stack.length) throw new Error(`unclosed <${stack.join("> <")}>`);
}
