import { badValue } from "./netem-error.js";

/**
 * The one parser for what people type into flags and LONGHAUL_* variables: rates ("1gbit"), sizes
 * ("4MiB"), durations ("40ms", "30s"), distances ("1000km"), percentages and whole counts. Every
 * command and every variable goes through these, so "1gbit" means the same everywhere. Errors are
 * NetemError INVALID_ARGUMENT (the CLI exits 2 on them) and name the flag or variable and the value.
 */

const NUMBER = /^([-+]?[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z%]*)$/i;

function split(text: string, what: string, example: string): [number, string] {
  const m = NUMBER.exec(text.trim());
  if (!m) throw badValue(`${what} "${text}" is not a number with a unit; write e.g. "${example}"`);
  return [Number(m[1]), m[2].toLowerCase()];
}

function scaled(text: string, what: string, example: string, units: Record<string, number>, bare: string): number {
  const [value, unit] = split(text, what, example);
  const factor = units[unit === "" ? bare : unit];
  if (factor === undefined) {
    throw badValue(`${what} "${text}" has unknown unit "${unit}"; use one of ${Object.keys(units).join(", ")} (e.g. "${example}")`);
  }
  if (value < 0) throw badValue(`${what} "${text}" is negative; write e.g. "${example}"`);
  return value * factor;
}

const TIME = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, us: 0.001, usec: 0.001 };

/** Milliseconds from "40ms", "1.5s", "250us"; a bare number is in `bare` (milliseconds, as tc reads delays). */
export function parseDuration(text: string, what = "duration", bare: "ms" | "s" = "ms"): number {
  return scaled(text, what, bare === "s" ? "30s" : "40ms", TIME, bare);
}

/**
 * Every command's --timeout: milliseconds from "30s", "500ms", "2m"; a bare number is seconds (so
 * "--timeout 60" is a minute in every command). Must be above zero.
 */
export function parseTimeout(text: string, what = "--timeout"): number {
  const ms = parseDuration(text, what, "s");
  if (ms <= 0) throw badValue(`${what} "${text}" must be above zero; write e.g. "30s" or "500ms" (a bare number is seconds)`);
  return ms;
}

/** Mbit/s from "1gbit", "100mbit", "500kbit", "10gbps" (tc's units: bit-based; "bps" means bytes/s as in tc); a bare number is Mbit/s. Above zero. */
export function parseRate(text: string, what = "rate"): number {
  const mbit = scaled(text, what, "1gbit", {
    bit: 1e-6, kbit: 1e-3, mbit: 1, gbit: 1000, tbit: 1e6,
    bps: 8e-6, kbps: 8e-3, mbps: 8, gbps: 8000,
  }, "mbit");
  if (mbit <= 0) throw badValue(`${what} "${text}" must be above zero; write e.g. "1gbit" or "100mbit" (a bare number is Mbit/s)`);
  return mbit;
}

/** Percent from "0.01%" or a bare "0.01". */
export function parsePercent(text: string, what = "percentage"): number {
  return scaled(text, what, "0.01%", { "%": 1 }, "%");
}

/** Kilometres from "1000km", "1,000 km", "500mi"; a bare number is km. */
export function parseDistance(text: string, what = "distance"): number {
  return scaled(text.replace(/,/g, ""), what, "1000km", { km: 1, m: 0.001, mi: 1.609344 }, "km");
}

/** Bytes from "6MiB", "64k", "1gib", "1500b", "4KB" (= 4000); a bare number is bytes. Whole bytes only. */
export function parseSize(text: string, what = "size"): number {
  const bytes = scaled(text, what, "4MiB", {
    b: 1, k: 1024, kib: 1024, kb: 1000, m: 1 << 20, mib: 1 << 20, mb: 1e6, g: 1 << 30, gib: 1 << 30, gb: 1e9,
  }, "b");
  if (!Number.isSafeInteger(bytes)) throw badValue(`${what} "${text}" is not a whole number of bytes; write e.g. "4KiB" or "1000"`);
  return bytes;
}

/** A comma-separated list of sizes ("4KiB,64MiB"). */
export function parseSizes(list: string, what = "--sizes"): number[] {
  const sizes = list.split(",").filter((s) => s.trim() !== "").map((s) => parseSize(s, what));
  if (sizes.length === 0) throw badValue(`${what} "${list}" names no size; write e.g. "4KiB,64MiB"`);
  return sizes;
}

/** A whole number >= min (ranks, iterations, ports, steps). */
export function parseCount(text: string, what: string, min = 1): number {
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw badValue(`${what} "${text}" is not a whole number >= ${min}`);
  return value;
}

/** A finite number above zero (learning rates, ratios). */
export function parsePositive(text: string, what: string): number {
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw badValue(`${what} "${text}" is not a number above zero`);
  return value;
}

/** A number from 0 up to, not including, 1 (a momentum, a decay). */
export function parseBelowOne(text: string, what: string): number {
  const value = text.trim() === "" ? NaN : Number(text);
  if (!(Number.isFinite(value) && value >= 0 && value < 1)) throw badValue(`${what} "${text}" is not a number from 0 up to (not including) 1`);
  return value;
}

/** A TCP port from a flag or variable: whole, 1..65535. */
export function parsePort(text: string, what: string): number {
  const port = parseCount(text, what, 1);
  if (port > 65535) throw badValue(`${what} "${text}" is not a port number (1..65535)`);
  return port;
}
