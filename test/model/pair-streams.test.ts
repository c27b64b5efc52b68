/** Streams per WAN pair from the bandwidth-delay product, and the link model that assumes the same. */
import { describe, expect, it } from "vitest";
import { declaredLinkModel } from "../../model/link-model.js";
import { bdpStreams } from "../../model/pair-streams.js";
import { parseTopology } from "../../world/topology.js";

const continents = parseTopology("continents"); // new-york, chicago, london, asuncion; 2 ranks each

describe("bdpStreams", () => {
  it("1 Gbit/s: a 3 MiB window (half of tcp_rmem max) per 26 ms round trip falls just short of new-york↔chicago's 3.25 MB, 2; the 168 ms london↔asuncion needs 7", () => {
    expect(bdpStreams(continents, 1000)).toEqual([
      [1, 2, 4, 6],
      [2, 1, 5, 6],
      [4, 5, 1, 7],
      [6, 6, 7, 1],
    ]);
  });
  it("100 Mbit/s needs one stream everywhere; 10 Gbit/s is capped at 8", () => {
    expect(bdpStreams(continents, 100).flat().every((s) => s === 1)).toBe(true);
    expect(Math.max(...bdpStreams(continents, 10_000).flat())).toBe(8);
  });
  it("one stream when the rate is unknown or the regions have no built-in profile", () => {
    expect(bdpStreams(continents, undefined).flat().every((s) => s === 1)).toBe(true);
    expect(bdpStreams(parseTopology("east:2,west:2"), 1000).flat().every((s) => s === 1)).toBe(true);
  });
});

describe("the link model's streams", () => {
  it("follow the bandwidth-delay products on an emulated WAN of known rate, as init() opens them", () => {
    expect(declaredLinkModel(continents, { emulated: true, rateMbit: 1000 }).streams).toEqual(bdpStreams(continents, 1000));
  });
  it("take a declared count on every WAN pair (LONGHAUL_STREAMS), 1 inside a region", () => {
    const streams = declaredLinkModel(continents, { emulated: true, rateMbit: 1000, streams: 2 }).streams;
    expect(streams[0]).toEqual([1, 2, 2, 2]);
    expect(streams[3][3]).toBe(1);
  });
  it("are 1 where the regions are only labels on one host", () => {
    expect(declaredLinkModel(continents, { wan: false, rateMbit: 1000 }).streams.flat().every((s) => s === 1)).toBe(true);
  });
});
