/** Human units for tables and plot labels (binary sizes, as nccl-tests and the CLI flags use). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && Number.isInteger(value / 1024)) {
    value /= 1024;
    unit += 1;
  }
  return `${value} ${units[unit]}`;
}

/** Microseconds as µs, ms or s with three significant digits. */
export function formatTime(us: number): string {
  if (!Number.isFinite(us)) return "-";
  if (us < 1000) return `${round3(us)} µs`;
  if (us < 1_000_000) return `${round3(us / 1000)} ms`;
  return `${round3(us / 1_000_000)} s`;
}

export function formatPct(pct: number | undefined): string {
  return pct === undefined ? "-" : `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

export function formatGBps(value: number): string {
  return value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

function round3(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
