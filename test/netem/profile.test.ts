import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../world/topology.js";
import { DEFAULT_OVERHEAD_MS, DEFAULT_ROUTE_INFLATION, FIBER_MS_PER_KM, fromDistance } from "../../netem/distance.js";
import { linkProfilesFor, profileBetween } from "../../netem/pairs.js";
import { validateProfile } from "../../netem/profile.js";
import { distanceKm, REGIONS } from "../../netem/regions.js";

describe("LinkProfile validation", () => {
  it.each([
    [{ delayMs: -4 }, /delay -4 ms is invalid/],
    [{ delayMs: 10, jitterMs: -1 }, /jitter -1 ms is invalid/],
    [{ delayMs: 10, jitterMs: 20 }, /jitter 20 ms exceeds the delay 10 ms/],
    [{ delayMs: 10, lossPct: 101 }, /loss 101% is outside 0..100%/],
    [{ delayMs: 10, rateMbit: 0 }, /rate 0 Mbit\/s is invalid/],
    [{ delayMs: 10, limit: 1.5 }, /limit 1.5 is invalid/],
    [{ delayMs: 10, distribution: "gamma" as never }, /distribution "gamma" is unknown/],
    [{ delayMs: 10, lossPct: 1, gilbertElliott: { p: 1, r: 10 } }, /either lossPct or gilbertElliott/],
    [{ delayMs: 10, gilbertElliott: { p: 1, r: 150 } }, /gilbert-elliott r 150%/],
    [{ delayMs: Number.NaN }, /delay NaN ms is invalid/],
  ])("rejects %j", (profile, message) => expect(() => validateProfile(profile)).toThrow(message));

  it("accepts a full profile unchanged", () => {
    const p = { delayMs: 40, jitterMs: 2, distribution: "normal" as const, lossPct: 0.01, rateMbit: 1000, limit: 5000 };
    expect(validateProfile(p)).toBe(p);
  });
});

describe("distance model", () => {
  it("is 4.9 us/km times the inflation plus the overhead, one way", () => {
    expect(fromDistance(1000).delayMs).toBeCloseTo(1000 * FIBER_MS_PER_KM * DEFAULT_ROUTE_INFLATION + DEFAULT_OVERHEAD_MS, 3);
    expect(fromDistance(1000, { inflation: 1, overheadMs: 0 }).delayMs).toBeCloseTo(4.9, 6);
    expect(fromDistance(0).delayMs).toBe(DEFAULT_OVERHEAD_MS);
    expect(fromDistance(8000, { rateMbit: 100, jitterMs: 1 })).toMatchObject({ rateMbit: 100, jitterMs: 1 });
    expect(() => fromDistance(-1)).toThrow(/distance -1 km is invalid/);
    expect(() => fromDistance(10, { inflation: 0.5 })).toThrow(/route inflation 0.5/);
  });

  it("stays close to the measured inter-region RTTs it was calibrated on (netem/data/rtt-reference.csv)", () => {
    const rows = readFileSync(new URL("../../netem/data/rtt-reference.csv", import.meta.url), "utf8")
      .split("\n").filter((l) => l && !l.startsWith("#") && !l.startsWith("region_a"))
      .map((l) => l.split(",")).map((f) => ({ km: Number(f[4]), rtt: Number(f[5]) }));
    expect(rows.length).toBe(8);
    const errors = rows.map(({ km, rtt }) => Math.abs((2 * fromDistance(km).delayMs) / rtt - 1)).sort((a, b) => a - b);
    const median = (errors[3] + errors[4]) / 2;
    expect(median).toBeLessThan(0.15);
    expect(errors[errors.length - 1]).toBeLessThan(0.35);
    // Never below the physics floor (2 × km × 4.9 us).
    for (const { km } of rows) expect(2 * fromDistance(km).delayMs).toBeGreaterThan(2 * km * FIBER_MS_PER_KM);
  });
});

describe("regions", () => {
  it("has the required built-in regions with coordinates", () => {
    for (const name of ["new-york", "chicago", "london", "asuncion", "sao-paulo", "frankfurt", "tokyo", "singapore", "virginia", "oregon"]) {
      expect(REGIONS.get(name)?.lat).toBeTypeOf("number");
    }
  });

  it.each([
    ["new-york", "london", 5570], ["new-york", "chicago", 1145], ["london", "frankfurt", 636], ["tokyo", "singapore", 5320],
  ])("great circle %s-%s ≈ %d km", (a, b, km) => {
    expect(distanceKm(a, b)).toBeGreaterThan(km * 0.98);
    expect(distanceKm(a, b)).toBeLessThan(km * 1.02);
    expect(distanceKm(b, a)).toBeCloseTo(distanceKm(a, b), 9);
  });

  it("names an unknown region", () => expect(() => profileBetween("new-york", "atlantis")).toThrow(/unknown region "atlantis"; built-in regions: new-york/));
});

describe("linkProfilesFor", () => {
  it("gives a profile per (src, dst) region of the continents preset, 1,100 to 8,000+ km", () => {
    const m = linkProfilesFor(parseTopology("continents"), { rateMbit: 1000 });
    expect(m.regions).toEqual(["new-york", "chicago", "london", "asuncion"]);
    expect(m.profile(0, 0)).toEqual({ delayMs: 0 });
    expect(m.profile(0, 2)).toEqual(profileBetween("new-york", "london", { rateMbit: 1000 }));
    expect(m.profile(2, 0).delayMs).toBe(m.profile(0, 2).delayMs);
    const km = m.km.flat().filter((d) => d > 0);
    expect(Math.min(...km)).toBeGreaterThan(1100);
    expect(Math.max(...km)).toBeGreaterThan(8000);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) expect(m.profile(i, j).rateMbit).toBe(1000);
  });
});
