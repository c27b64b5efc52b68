import { badValue } from "./errors.js";

/** Unit parsers for CLI flags and specs: "40ms", "1gbit", "0.01%", "1000km". Errors name the bad value. */

const NUMBER = /^([-+]?[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z%]*)$/i;

function split(text: string, what: string, example: string): [number, string] {
  const m = NUMBER.exec(text.trim());
  if (!m) throw badValue(`${what} "${text}" is not a number with a unit; write e.g. "${example}"`);
  return [Number(m[1]), m[2].toLowerCase()];
}

function scaled(text: string, what: string, example: string, units: Record<string, number>, bare?: string): number {
  const [value, unit] = split(text, what, example);
  const factor = units[unit === "" && bare !== undefined ? bare : unit];
  if (factor === undefined) {
    throw badValue(`${what} "${text}" has unknown unit "${unit}"; use one of ${Object.keys(units).filter(Boolean).join(", ")} (e.g. "${example}")`);
  }
  return value * factor;
}

/** Milliseconds from "40ms", "1.5s", "250us"; a bare number is milliseconds. */
export function parseDuration(text: string, what = "duration"): number {
  return scaled(text, what, "40ms", { ms: 1, s: 1000, sec: 1000, us: 0.001, usec: 0.001 }, "ms");
}

/** Mbit/s from "1gbit", "100mbit", "500kbit", "10gbps" (tc's units: bit-based; "bps" means bytes/s as in tc). */
export function parseRate(text: string, what = "rate"): number {
  return scaled(text, what, "1gbit", {
    bit: 1e-6, kbit: 1e-3, mbit: 1, gbit: 1000, tbit: 1e6,
    bps: 8e-6, kbps: 8e-3, mbps: 8, gbps: 8000,
  }, "mbit");
}

/** Percent from "0.01%" or a bare "0.01". */
export function parsePercent(text: string, what = "percentage"): number {
  return scaled(text, what, "0.01%", { "%": 1 }, "%");
}

/** Kilometres from "1000km", "1,000 km", "500mi"; a bare number is km. */
export function parseDistance(text: string, what = "distance"): number {
  return scaled(text.replace(/,/g, ""), what, "1000km", { km: 1, m: 0.001, mi: 1.609344 }, "km");
}

/** Bytes from "6MiB", "64k", "1gib", "1500b"; a bare number is bytes. */
export function parseSize(text: string, what = "size"): number {
  return scaled(text, what, "4MiB", {
    b: 1, k: 1024, kib: 1024, kb: 1000, m: 1 << 20, mib: 1 << 20, mb: 1e6, g: 1 << 30, gib: 1 << 30, gb: 1e9,
  }, "b");
}
