import { describe, expect, it } from "vitest";
import { FaultError } from "../../../netem/faults/error.js";
import { gemodelForMeanLoss, gemodelMeanLoss } from "../../../netem/faults/gemodel.js";
import { linkPairs } from "../../../netem/faults/links.js";
import { parseFaults } from "../../../netem/faults/parse.js";
import { NetemError } from "../../../netem/errors.js";
import { parseTopology } from "../../../world/topology.js";

const continents = parseTopology("continents");
const ISSUE_EXAMPLE = `faults:
  - { at: 20s, for: 5s,  link: new-york<->london, down: true }
  - { at: 40s, for: 10s, link: "asuncion<->*",   partition: true }
  - { at: 60s, for: 20s, link: london->chicago,   loss: 1%, model: gemodel }
  - { at: 80s, for: 30s, link: "*",               rate: 100mbit }
  - { at: 90s, for: 5s,  link: chicago<->london,  delay: +80ms }
  - { at: 100s, rank: 3, kill: true }
  - { at: 130s, rank: 3, restart: true }
`;

/** The one-line message of the FaultError that parsing `entries` (YAML flow mappings) gives. */
function errorOf(...entries: string[]): FaultError {
  try {
    parseFaults(`faults:\n${entries.map((e) => `  - ${e}`).join("\n")}\n`, continents);
  } catch (error) {
    expect(error).toBeInstanceOf(FaultError);
    expect(error).toBeInstanceOf(NetemError);
    expect((error as FaultError).code).toBe("INVALID_ARGUMENT");
    expect((error as Error).message).not.toMatch(/\n/);
    return error as FaultError;
  }
  throw new Error("parsed without an error");
}

describe("fault file parsing", () => {
  it("reads the issue's example: times in ms, links expanded into directed pairs, values in words", () => {
    const { topology, faults } = parseFaults(ISSUE_EXAMPLE, continents);
    expect(topology).toBe("continents");
    expect(faults.map((f) => [f.index, f.kind, f.atMs])).toEqual([
      [0, "down", 20_000], [1, "partition", 40_000], [2, "loss", 60_000], [3, "rate", 80_000], [4, "delay", 90_000], [5, "kill", 100_000], [6, "restart", 130_000],
    ]);
    expect(faults[0]).toMatchObject({ forMs: 5000, link: "new-york<->london", pairs: [["new-york", "london"], ["london", "new-york"]], impairment: { down: true }, value: "" });
    expect(faults[1]).toMatchObject({ forMs: 10_000, impairment: { partition: true } });
    expect("pairs" in faults[1] && [...faults[1].pairs].sort()).toEqual([
      ["asuncion", "chicago"], ["asuncion", "london"], ["asuncion", "new-york"], ["chicago", "asuncion"], ["london", "asuncion"], ["new-york", "asuncion"],
    ]);
    expect(faults[2]).toMatchObject({ pairs: [["london", "chicago"]], impairment: { gilbertElliott: { p: 0.252525, r: 25, lossBadPct: 100, lossGoodPct: 0 } }, value: "1% gemodel (p 0.252525%, r 25%)" });
    expect("pairs" in faults[3] && faults[3].pairs).toHaveLength(12);
    expect(faults[3]).toMatchObject({ impairment: { rateMbit: 100 }, value: "100mbit" });
    expect(faults[4]).toMatchObject({ impairment: { extraDelayMs: 80 }, value: "+80ms" });
    expect(faults[5]).toEqual({ index: 5, kind: "kill", atMs: 100_000, rank: 3 });
  });

  it("reads JSON, bare numbers (times in seconds, loss in %, rate in Mbit/s, delay in ms) and random loss", () => {
    const json = JSON.stringify({ faults: [{ at: 1.5, for: 0.25, link: "london -> chicago", loss: 0.5 }, { at: 0, for: 1, link: "*", rate: 2.5 }, { at: 2, for: 1, link: "new-york<->chicago", delay: 40 }] });
    const { faults } = parseFaults(json, continents);
    expect(faults[0]).toMatchObject({ atMs: 1500, forMs: 250, link: "london->chicago", impairment: { lossPct: 0.5 }, value: "0.5% random" });
    expect(faults[1]).toMatchObject({ atMs: 0, impairment: { rateMbit: 2.5 }, value: "2500kbit" });
    expect(faults[2]).toMatchObject({ impairment: { extraDelayMs: 40 }, value: "+40ms" });
    expect(parseFaults("faults: []\n", continents).faults).toEqual([]);
  });

  it("the gemodel p gives the asked mean loss with bursts of 1/r = 4 segments", () => {
    for (const mean of [0.01, 1, 5, 50, 80]) expect(gemodelMeanLoss(gemodelForMeanLoss(mean))).toBeCloseTo(mean, 4);
    expect(gemodelForMeanLoss(1).r).toBe(25);
    expect(() => gemodelForMeanLoss(81)).toThrow(RangeError);
  });

  it.each([
    ["{ at: 20s, for: 5s, link: mars<->london, down: true }", "link", /^faults\[0\] \(at 20s\): link "mars<->london" names unknown region "mars"; regions of continents: new-york, chicago, london, asuncion/],
    ["{ at: 20s, for: -5s, link: new-york<->london, down: true }", "for", /^faults\[0\] \(at 20s\): for "-5s" is negative/],
    ["{ at: 20s, for: 0s, link: new-york<->london, down: true }", "for", /^faults\[0\] \(at 20s\): for "0s" must be above zero/],
    ["{ at: -1s, for: 5s, link: new-york<->london, down: true }", "at", /^faults\[0\] \(at -1s\): at "-1s" is negative/],
    ["{ at: 20s, for: 5s, link: new-york<->london, down: true, color: red }", "color", /^faults\[0\] \(at 20s\): unknown key "color"; a link fault takes at, for, link/],
    ["{ at: 20s, for: 5s, link: new-york<->london }", "kind", /^faults\[0\] \(at 20s\): link fault has no kind; add one of down: true/],
    ["{ at: 20s, for: 5s, link: new-york<->london, down: yes }", "down", /^faults\[0\] \(at 20s\): down must be true, got "yes"/],
    ["{ at: 20s, for: 5s, link: new-york<->london, loss: lots }", "loss", /^faults\[0\] \(at 20s\): loss "lots" is not a number with a unit/],
    ["{ at: 20s, for: 5s, link: new-york<->london, loss: 150% }", "loss", /loss 150% is outside \(0, 100%\]/],
    ["{ at: 20s, for: 5s, link: new-york<->london, loss: 1%, model: markov }", "model", /model must be random or gemodel, got "markov"/],
    ["{ at: 20s, for: 5s, link: new-york<->london, loss: 90%, model: gemodel }", "loss", /above 80%.*use model: random/],
    ["{ at: 20s, for: 5s, link: new-york<->london, rate: [1] }", "rate", /rate must be a string or a number, got \[1\]/],
    ["{ at: 20s, for: 5s, link: new-york<->london, rate: 0mbit }", "rate", /rate "0mbit" must be above zero/],
    ["{ at: 20s, for: 5s, link: new-york<->london, delay: 0ms }", "delay", /delay "0ms" adds nothing/],
    ["{ at: 20s, for: 5s, link: new-york<->london, down: true, delay: 5ms }", "delay", /link fault has 2 kinds \(down, delay\); give one per entry/],
    ["{ at: 20s, for: 5s, link: new-york<->london, rate: 1gbit, model: gemodel }", "model", /model goes with loss/],
    ["{ at: 20s, for: 5s, link: london<->london, down: true }", "link", /joins london to itself/],
    ["{ at: 20s, for: 5s, link: london~chicago, down: true }", "link", /is not A<->B, A->B or "\*"/],
    ["{ at: 20s, link: london<->chicago, down: true }", "for", /for is missing/],
    ["{ for: 5s, link: london<->chicago, down: true }", "at", /^faults\[0\] \(no at\): at is missing/],
    ["{ at: 20s, for: 5s, down: true }", "link", /link is missing/],
    ["{ at: 20s, rank: 8, kill: true }", "rank", /rank 8 is not a rank of continents \(0\.\.7\)/],
    ["{ at: 20s, rank: 1.5, kill: true }", "rank", /rank 1\.5 is not a rank/],
    ["{ at: 20s, kill: true }", "rank", /kill needs the rank/],
    ["{ at: 20s, rank: 2 }", "rank", /rank needs kill: true or restart: true/],
    ["{ at: 20s, rank: 2, kill: true, restart: true }", "restart", /kill and restart in one entry/],
    ["{ at: 20s, rank: 2, kill: true, for: 5s }", "for", /for does not go with kill/],
    ["{ at: 20s, rank: 2, kill: false }", "kill", /kill must be true, got false/],
    ["just text", "entry", /^faults\[0\] \(no at\): entry is not a mapping/],
  ])("%s: one line naming the entry and the field (%s)", (entry, field, message) => {
    const error = errorOf(entry);
    expect(error.message).toMatch(message);
    expect(error).toMatchObject({ entry: 0, field });
  });

  it("names the entry by its place and its at when it is not the first", () => {
    const error = errorOf("{ at: 20s, for: 5s, link: new-york<->london, down: true }", "{ at: 1m, for: 5s, link: new-york<->venus, down: true }");
    expect(error.message).toMatch(/^faults\[1\] \(at 1m\): link "new-york<->venus" names unknown region "venus"/);
    expect(error.entry).toBe(1);
  });

  it("refuses kill/restart of one rank that overlap, and a restart without a kill before it", () => {
    expect(errorOf("{ at: 100s, rank: 3, kill: true }", "{ at: 110s, rank: 3, kill: true }").message)
      .toMatch(/^faults\[1\] \(at 110s\): kill of rank 3 overlaps the kill at 100s \(faults\[0\]\), which no restart ended/);
    expect(errorOf("{ at: 100s, rank: 3, restart: true }").message).toMatch(/^faults\[0\] \(at 100s\): restart of rank 3 has no kill before it/);
    // File order does not matter, time order does: this restart comes before the kill.
    expect(errorOf("{ at: 100s, rank: 3, kill: true }", "{ at: 50s, rank: 3, restart: true }")).toMatchObject({ entry: 1, field: "restart" });
    expect(errorOf("{ at: 100s, rank: 3, kill: true }", "{ at: 100s, rank: 3, restart: true }").message).toMatch(/at the same time as its kill/);
    expect(errorOf("{ at: 10s, rank: 3, kill: true }", "{ at: 20s, rank: 3, restart: true }", "{ at: 30s, rank: 3, restart: true }").message).toMatch(/^faults\[2\] \(at 30s\): restart of rank 3 has no kill/);
    // Kill, restart, kill again is fine, and so are two ranks down at once.
    expect(parseFaults("faults:\n- {at: 1s, rank: 3, kill: true}\n- {at: 2s, rank: 3, restart: true}\n- {at: 3s, rank: 3, kill: true}\n- {at: 1s, rank: 2, kill: true}\n", continents).faults).toHaveLength(4);
  });

  it("refuses files that are not a faults list", () => {
    for (const [text, message] of [
      ["faults: [ { at: 1s", /is not YAML or JSON/],
      ["- { at: 1s }", /has no "faults:" list/],
      ["faults: {}", /"faults" must be a list/],
      ["faults: []\nextra: 1", /unknown top-level key "extra"/],
      ["", /has no "faults:" list/],
    ] as const) expect(() => parseFaults(text, continents)).toThrow(message);
  });
});

describe("link expansion", () => {
  const two = parseTopology("a:1,b:2");
  it("covers directions and wildcards, without duplicates", () => {
    expect(linkPairs("a->b", two)).toEqual([["a", "b"]]);
    expect(linkPairs("a<->b", two)).toEqual([["a", "b"], ["b", "a"]]);
    expect(linkPairs("*", two)).toEqual([["a", "b"], ["b", "a"]]);
    expect(linkPairs("*->a", two)).toEqual([["b", "a"]]);
    expect(linkPairs("*<->*", continents)).toHaveLength(12);
    expect(linkPairs("new-york->*", continents)).toEqual([["new-york", "chicago"], ["new-york", "london"], ["new-york", "asuncion"]]);
  });
  it("refuses a wildcard over one region (no WAN link to fault)", () => {
    expect(() => linkPairs("*", parseTopology("4"))).toThrow(/covers no link: topology 4 has one region/);
  });
});
