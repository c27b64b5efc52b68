import { describe, expect, it } from "vitest";
import { NetemError } from "../../netem/errors.js";
import { parseDistance, parseDuration, parsePercent, parseRate, parseSize } from "../../netem/units.js";

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
});
