import { describe, expect, it } from "vitest";
import { startFaults } from "../../../netem/faults/clock.js";
import { parseFaults } from "../../../netem/faults/parse.js";
import type { LinkImpairment } from "../../../netem/emulator/impairment.js";
import { parseTopology } from "../../../world/topology.js";

const topology = parseTopology("a:1,b:1,c:2");
const TOLERANCE_MS = 100;

interface Call { ms: number; src: number; dst: number; key: string; impairment: LinkImpairment | undefined }

/** A stand-in emulator that records each impair call and when it came (ms after `t0`). */
function recorder(t0: number): { calls: Call[]; impair: (src: number, dst: number, key: string, impairment: LinkImpairment | undefined) => void } {
  const calls: Call[] = [];
  return { calls, impair: (src, dst, key, impairment) => void calls.push({ ms: performance.now() - t0, src, dst, key, impairment }) };
}

const until = async (check: () => boolean, ms: number): Promise<void> => {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe("fault clock", () => {
  it("lays each link fault on its directed links at its time and lifts it at its end (± 100 ms)", async () => {
    const schedule = parseFaults(`faults:
      - { at: 100ms, for: 200ms, link: a<->b, down: true }
      - { at: 200ms, for: 250ms, link: c->a, rate: 10mbit }
    `, topology);
    const t0 = performance.now();
    const emulator = recorder(t0);
    const lines: string[] = [];
    const clock = startFaults(schedule, { emulator, topology, log: (line) => lines.push(line), startMs: t0 });
    expect(emulator.calls).toEqual([]);
    await until(() => emulator.calls.length === 6, 2000);
    const summary = emulator.calls.map((c) => `${c.src}>${c.dst} ${c.key} ${c.impairment ? JSON.stringify(c.impairment) : "lift"}`);
    expect(summary).toEqual([
      '0>1 faults[0] {"down":true}', '1>0 faults[0] {"down":true}',
      '2>0 faults[1] {"rateMbit":10}',
      "0>1 faults[0] lift", "1>0 faults[0] lift",
      "2>0 faults[1] lift",
    ]);
    const expected = [100, 100, 200, 300, 300, 450];
    emulator.calls.forEach((call, i) => {
      expect(call.ms).toBeGreaterThanOrEqual(expected[i] - 1);
      expect(call.ms).toBeLessThan(expected[i] + TOLERANCE_MS);
    });
    const events = clock.stop();
    expect(events.map((e) => [e.index, e.kind, e.link, e.atMs, e.endsAtMs])).toEqual([[0, "down", "a<->b", 100, 300], [1, "rate", "c->a", 200, 450]]);
    for (const e of events) {
      expect(Math.abs(e.appliedAtMs - e.atMs)).toBeLessThan(TOLERANCE_MS);
      expect(Math.abs(e.liftedAtMs! - e.endsAtMs!)).toBeLessThan(TOLERANCE_MS);
    }
    expect(events[1].value).toBe("10mbit");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^faults: 0\.1\d*s faults\[0\] down a<->b \(2 directed links\) applied until 0\.3s$/);
    expect(emulator.calls).toHaveLength(6); // stop() had nothing left to lift
  });

  it("stop() lifts the faults still active, cancels the rest, and is idempotent", async () => {
    const schedule = parseFaults(`faults:
      - { at: 0s, for: 1h, link: "*", partition: true }
      - { at: 50ms, for: 1h, link: b->c, delay: +80ms }
      - { at: 1h, for: 1s, link: a->c, loss: 5% }
    `, topology);
    const t0 = performance.now();
    const emulator = recorder(t0);
    const clock = startFaults(schedule, { emulator, topology, startMs: t0 });
    await until(() => clock.events().length === 2, 2000);
    expect(emulator.calls.filter((c) => c.impairment)).toHaveLength(6 + 1);
    const stoppedAt = performance.now() - t0;
    const events = clock.stop();
    const lifts = emulator.calls.filter((c) => !c.impairment);
    expect(lifts).toHaveLength(7);
    expect(new Set(lifts.map((c) => `${c.src}>${c.dst} ${c.key}`))).toEqual(new Set(emulator.calls.filter((c) => c.impairment).map((c) => `${c.src}>${c.dst} ${c.key}`)));
    expect(events.map((e) => e.index)).toEqual([0, 1]);
    for (const e of events) expect(Math.abs(e.liftedAtMs! - stoppedAt)).toBeLessThan(TOLERANCE_MS);
    clock.stop();
    expect(emulator.calls).toHaveLength(14);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emulator.calls).toHaveLength(14);
  });

  it("calls the process target's kill and restart at their times, and records a failed one", async () => {
    const schedule = parseFaults(`faults:
      - { at: 100ms, rank: 3, kill: true }
      - { at: 250ms, rank: 3, restart: true }
      - { at: 150ms, rank: 0, kill: true }
    `, topology);
    const t0 = performance.now();
    const calls: string[] = [];
    const processes = {
      kill: (rank: number) => void calls.push(`kill ${rank} ${Math.round(performance.now() - t0)}`),
      restart: async (rank: number) => {
        calls.push(`restart ${rank} ${Math.round(performance.now() - t0)}`);
        throw new Error("the job is ending");
      },
    };
    const clock = startFaults(schedule, { processes, topology, startMs: t0 });
    await until(() => clock.events().some((e) => e.error), 2000);
    expect(calls.map((c) => c.replace(/ \d+$/, ""))).toEqual(["kill 3", "kill 0", "restart 3"]);
    const at = calls.map((c) => Number(c.split(" ")[2]));
    [100, 150, 250].forEach((expected, i) => expect(Math.abs(at[i] - expected)).toBeLessThan(TOLERANCE_MS));
    const events = clock.stop();
    expect(events.map((e) => [e.kind, e.rank, e.atMs, e.error])).toEqual([["kill", 3, 100, undefined], ["kill", 0, 150, undefined], ["restart", 3, 250, "the job is ending"]]);
  });

  it("refuses link faults without an emulator and process faults without a process target", () => {
    const links = parseFaults("faults: [{ at: 1s, for: 1s, link: a->b, down: true }]", topology);
    expect(() => startFaults(links, { topology })).toThrow(/faults\[0\] \(down a->b\) is a link fault, and this job has no emulator.*--emulate/);
    const procs = parseFaults("faults: [{ at: 1s, rank: 1, kill: true }]", topology);
    expect(() => startFaults(procs, { topology, emulator: recorder(0) })).toThrow(/is a process fault.*longhaul launch --faults/);
    expect(() => startFaults(links, { topology: parseTopology("x:1,y:1"), emulator: recorder(0) })).toThrow(/checked against topology a:1,b:1,c:2, but this job runs x:1,y:1/);
  });

  it("a target that throws is logged, and the clock goes on", async () => {
    const schedule = parseFaults("faults: [{ at: 0s, for: 50ms, link: a->b, down: true }, { at: 20ms, for: 30ms, link: b->a, down: true }]", topology);
    const lines: string[] = [];
    let n = 0;
    const emulator = { impair: () => { if (n++ === 0) throw new Error("boom"); } };
    const clock = startFaults(schedule, { emulator, topology, log: (l) => lines.push(l) });
    await until(() => n >= 4, 2000);
    clock.stop();
    expect(lines[0]).toMatch(/faults\[0\] down a->b \(1 directed link\) could not be applied: boom/);
    expect(clock.events().map((e) => [e.index, e.error, e.liftedAtMs !== undefined])).toEqual([[0, "boom", true], [1, undefined, true]]);
  });
});
