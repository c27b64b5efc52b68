import { describe, expect, it } from "vitest";
import { NetemError } from "../../netem/errors.js";
import { parseCount, parseDistance, parseDuration, parsePercent, parsePort, parseRate, parseSize, parseSizes, parseTimeout } from "../../world/units.js";

describe("unit parsing", () => {
  it.each([
    ["40ms", 40], ["1.5s", 1500], ["250us", 0.25], ["12", 12], [" 7 ms ", 7],
  ])("duration %s = %d ms", (text, ms) => expect(parseDuration(text)).toBeCloseTo(ms, 9));

  it.each([
    ["1gbit", 1000], ["100mbit", 100], ["500kbit", 0.5], ["10gbit", 10000], ["125mbps", 1000], ["50", 50],
  ])("rate %s = %d Mbit/s", (text, mbit) => expect(parseRate(text)).toBeCloseTo(mbit, 9));

  it.each([["0.01%", 0.01], ["5", 5], ["100%", 100]])("percent %s", (text, pct) => expect(parsePercent(text)).toBe(pct));
  it.each([["1000km", 1000], ["1,000 km", 1000], ["8000", 8000], ["10mi", 16.09344]])("distance %s", (text, km) => expect(parseDistance(text)).toBeCloseTo(km, 6));
  it.each([["6MiB", 6 << 20], ["64k", 65536], ["1gib", 1 << 30], ["1500", 1500]])("size %s", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it("names the bad value and the unit it expected", () => {
    expect(() => parseDuration("40 parsecs", "--delay")).toThrow(/--delay "40 parsecs" has unknown unit "parsecs"; use one of ms/);
    expect(() => parseRate("fast", "--rate")).toThrow(/--rate "fast" is not a number with a unit; write e.g. "1gbit"/);
    expect(() => parsePercent("1x")).toThrow(NetemError);
    try {
      parseDistance("far");
    } catch (error) {
      expect((error as NetemError).code).toBe("INVALID_ARGUMENT");
    }
  });

  it.each([["30", 30_000], ["30s", 30_000], ["500ms", 500], ["2m", 120_000]])("timeout %s = %d ms (a bare number is seconds in every command)", (text, ms) => expect(parseTimeout(text)).toBe(ms));

  it.each([
    [() => parseTimeout("0"), /--timeout "0" must be above zero/],
    [() => parseRate("0", "--rate"), /--rate "0" must be above zero/],
    [() => parseRate("-1gbit", "--rate"), /--rate "-1gbit" is negative/],
    [() => parseSize("0.5b", "--sizes"), /--sizes "0.5b" is not a whole number of bytes/],
    [() => parseSizes(",", "--sizes"), /--sizes "," names no size/],
    [() => parseCount("0", "--iters"), /--iters "0" is not a whole number >= 1/],
    [() => parseCount("2.5", "-n"), /-n "2.5" is not a whole number >= 1/],
    [() => parseCount("", "--steps"), /--steps "" is not a whole number/],
    [() => parsePort("70000", "--base-port"), /--base-port "70000" is not a port number/],
  ])("refuses %s with a message naming the value", (parse, message) => expect(parse).toThrow(message));
});
