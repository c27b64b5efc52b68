import { describe, expect, it } from "vitest";
import { parseFaults } from "../../../netem/faults/parse.js";
import { timeline, timelineLines } from "../../../netem/faults/timeline.js";
import { parseTopology } from "../../../world/topology.js";

const schedule = parseFaults(`faults:
  - { at: 300ms, for: 200ms, link: "*", rate: 100mbit }
  - { at: 100ms, for: 400ms, link: new-york<->london, down: true }
  - { at: 500ms, for: 1s, link: london->chicago, loss: 1%, model: gemodel }
  - { at: 200ms, rank: 3, kill: true }
  - { at: 500ms, rank: 3, restart: true }
`, parseTopology("continents"));

describe("timeline", () => {
  it("lists every start and end in time order; at one instant ends first, then file order", () => {
    expect(timeline(schedule).map((s) => `${s.atMs} ${s.edge} ${s.fault.index}`)).toEqual([
      "100 start 1",
      "200 start 3",
      "300 start 0",
      "500 end 0",
      "500 end 1",
      "500 start 2",
      "500 start 4",
      "1500 end 2",
    ]);
  });

  it("prints one line per step", () => {
    expect(timelineLines(schedule)).toEqual([
      "0.1s  start   faults[1] down new-york<->london (2 directed links) for 0.4s",
      "0.2s  kill    faults[3] kill rank 3",
      "0.3s  start   faults[0] rate 100mbit * (12 directed links) for 0.2s",
      "0.5s  end     faults[0] rate 100mbit * (12 directed links)",
      "0.5s  end     faults[1] down new-york<->london (2 directed links)",
      "0.5s  start   faults[2] loss 1% gemodel (p 0.252525%, r 25%) london->chicago (1 directed link) for 1s",
      "0.5s  restart faults[4] restart rank 3",
      "1.5s  end     faults[2] loss 1% gemodel (p 0.252525%, r 25%) london->chicago (1 directed link)",
    ]);
  });

  it("is empty for an empty schedule", () => {
    expect(timeline({ topology: "continents", faults: [] })).toEqual([]);
  });
});
