/** Byte sizes as people write them (parsed by world/units.ts, the one unit parser) and as the tables print them. */
export { parseSize, parseSizes } from "../world/units.js";

export function formatSize(bytes: number): string {
  for (const [unit, scale] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `${bytes}B`;
}
