/** Byte sizes as people write them: 4KiB, 256KiB, 4MiB, 64MiB, 1GiB, 1000, 4KB (=4000). */
import { invalidArgument } from "../transports/errors.js";

const UNITS: Record<string, number> = { "": 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) throw invalidArgument(`size "${text}" is not a byte count; write e.g. 4KiB, 256KiB, 4MiB, 64MiB or 1000`);
  return Math.round(Number(match[1]) * unit);
}

export function parseSizes(list: string): number[] {
  return list.split(",").filter((s) => s.trim() !== "").map(parseSize);
}

export function formatSize(bytes: number): string {
  for (const [unit, scale] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `${bytes}B`;
}
