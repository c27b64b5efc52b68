import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator } from "../../../netem/emulator/emulator.js";
import { startWorldEmulator } from "../../../launch/world-emulator.js";
import type { LinkImpairment } from "../../../netem/emulator/impairment.js";
import { startFaults } from "../../../netem/faults/clock.js";
import { parseFaults } from "../../../netem/faults/parse.js";
import { parseTopology } from "../../../world/topology.js";

// The fault clock against a real emulator: only that impair is called at the right times (the
// emulator's behaviour under an impairment is its own tests'). Ports 23800-23849 belong to this file.
const topology = parseTopology("continents:1");

describe("fault clock on a real startEmulator", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startWorldEmulator({ topology, plan: { basePort: 23800, emulate: true } });
  });
  afterAll(() => emulator.close());

  it("calls the emulator's impair for every directed link at the fault's start and end (± 100 ms)", async () => {
    const schedule = parseFaults(`faults:
      - { at: 100ms, for: 200ms, link: "asuncion<->*", partition: true }
      - { at: 150ms, for: 100ms, link: london->chicago, loss: 1%, model: gemodel }
      - { at: 200ms, for: 200ms, link: "*", rate: 100mbit }
    `, topology);
    const t0 = performance.now();
    const calls: Array<{ ms: number; link: string; key: string; on: boolean }> = [];
    const wrapped = {
      impair: (src: number, dst: number, key: string, impairment: LinkImpairment | undefined) => {
        calls.push({ ms: performance.now() - t0, link: `${topology.regions[src].name}->${topology.regions[dst].name}`, key, on: impairment !== undefined });
        emulator.impair(src, dst, key, impairment);
      },
    };
    const clock = startFaults(schedule, { emulator: wrapped, topology, startMs: t0 });
    await new Promise((resolve) => setTimeout(resolve, 550));
    const events = clock.stop();
    const of = (key: string, on: boolean) => calls.filter((c) => c.key === key && c.on === on);
    expect(of("faults[0]", true).map((c) => c.link).sort()).toEqual([
      "asuncion->chicago", "asuncion->london", "asuncion->new-york", "chicago->asuncion", "london->asuncion", "new-york->asuncion",
    ]);
    expect(of("faults[1]", true).map((c) => c.link)).toEqual(["london->chicago"]);
    expect(of("faults[2]", true)).toHaveLength(12);
    const expected: Array<[string, boolean, number, number]> = [["faults[0]", true, 100, 6], ["faults[0]", false, 300, 6], ["faults[1]", true, 150, 1], ["faults[1]", false, 250, 1], ["faults[2]", true, 200, 12], ["faults[2]", false, 400, 12]];
    for (const [key, on, ms, n] of expected) {
      const list = of(key, on);
      expect(list).toHaveLength(n);
      for (const call of list) {
        expect(call.ms).toBeGreaterThanOrEqual(ms - 1);
        expect(call.ms).toBeLessThan(ms + 100);
      }
    }
    expect(events.map((e) => [e.index, e.kind, e.liftedAtMs !== undefined])).toEqual([[0, "partition", true], [1, "loss", true], [2, "rate", true]]);
    expect(emulator.stats().connections).toBe(0);
  });
});
