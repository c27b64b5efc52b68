/**
 * What arrives at a rank's port from outside its job: random frames, another job's frames, forged
 * headers and control frames. Nothing of it is delivered, nothing crashes the rank, and the job's
 * next all-reduce is exact. Ports 27100-27199 belong to this file.
 */
import { execa } from "execa";
import { Push } from "zeromq";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { encodeHeader, FrameKind, type FrameHeader } from "../../transports/frames.js";
import { jobToken } from "../../transports/job.js";
import { allReduceExact, zmqWorld, type ZmqWorld } from "./zmq-world.js";

// RSS is compared after full collections, so garbage not yet collected is not counted as growth.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const JOB = "wire-integrity-test";
const FUZZER = new URL("../fixtures/fuzz-frames.mjs", import.meta.url).pathname;
const worlds: ZmqWorld[] = [];
const attackers: Push[] = [];
afterEach(async () => {
  for (const a of attackers.splice(0)) a.close();
  for (const w of worlds.splice(0)) await w.close();
});

async function world(port: number, streams = 1): Promise<ZmqWorld> {
  const w = await zmqWorld(2, port, { jobId: JOB, streams });
  worlds.push(w);
  return w;
}

function attacker(port: number): Push {
  const push = new Push({ linger: 0, sendHighWaterMark: 100_000 });
  push.connect(`tcp://127.0.0.1:${port}`);
  attackers.push(push);
  return push;
}

const header = (over: Partial<FrameHeader>): Buffer =>
  encodeHeader({ kind: FrameKind.DATA, flags: 0, stripe: 0, stripes: 1, src: 1, seq: 0, tag: 0, total: 0, job: jobToken(JOB), ...over });

describe("a live rank under frames from outside its job", () => {
  it("survives 100,000 random and corrupted frames from another process: all dropped and counted, next all-reduce exact, RSS grows < 64 MiB", async () => {
    const w = await world(27100);
    expect(await allReduceExact(w.comms)).toBe(true);
    const rank0 = w.transports[0];
    gc();
    const rssBefore = process.memoryUsage().rss;
    const frames = 100_000;
    const fuzz = await execa("node", [FUZZER, "27100", JOB, "12345", String(frames)], { reject: false, timeout: 90_000 });
    expect(fuzz.exitCode, fuzz.stderr).toBe(0);
    await vi.waitFor(() => expect(rank0.dropped.total).toBe(frames), { timeout: 60_000, interval: 50 });
    expect(await allReduceExact(w.comms)).toBe(true);
    gc();
    const growth = process.memoryUsage().rss - rssBefore;
    expect(growth, `RSS grew ${(growth / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(64 * 2 ** 20);
    expect(Object.keys(rank0.dropped.snapshot())).toEqual(expect.arrayContaining(["not a longhaul frame", "frame of another job (is another job using these ports?)", "unknown sender"]));
    expect(w.transports[1].dropped.total).toBe(0);
  }, 150_000);

  it("drops a crafted frame with a valid sender and a 512 MiB length without allocating it; the job goes on", async () => {
    const w = await world(27110, 2);
    const push = attacker(27110);
    for (let seq = 0; seq < 200; seq++) await push.send([header({ seq, total: 512 * 2 ** 20 }), Buffer.alloc(8)]);
    for (let seq = 0; seq < 200; seq++) await push.send([header({ seq, stripes: 2, stripe: 0, total: 512 * 2 ** 20 }), Buffer.alloc(8)]);
    await vi.waitFor(() => expect(w.transports[0].dropped.total).toBe(400), { timeout: 10_000, interval: 20 });
    expect(w.transports[0].dropped.snapshot()).toEqual({ "payload length disagrees with the header": 400 });
    expect(await allReduceExact(w.comms, 300_000)).toBe(true);
  });

  it("a forged BYE with the job's token is at worst PEER_LOST on the ops that wait for that peer, never a crash or a stall", async () => {
    const w = await world(27120);
    const push = attacker(27120);
    await push.send([header({ kind: FrameKind.BYE, stripe: 0, stripes: 1, total: 0 })]);
    // The push resolves once queued, not once delivered: start the all-reduce only after rank 0 took
    // the forged BYE, or the all-reduce can finish before it arrives and nothing is there to fail.
    await vi.waitFor(() => expect(w.transports[0].mailboxes.isLost(1)).toBe(true), { timeout: 5000, interval: 10 });
    const outcome = await Promise.allSettled(w.comms.map((c, rank) => c.allReduce(new Float32Array([rank + 1]), { timeoutMs: 5000 })));
    for (const result of outcome) {
      if (result.status === "rejected") expect(result.reason).toMatchObject({ name: "CommError", code: expect.stringMatching(/PEER_LOST|TIMEOUT/) });
    }
    expect(outcome.some((r) => r.status === "rejected")).toBe(true);
  });

  it("frames from another job on the same ports are dropped, not delivered", async () => {
    const w = await world(27130);
    const push = attacker(27130);
    await push.send([header({ job: jobToken("some-other-job"), seq: 0, total: 4, tag: 9 }), Buffer.alloc(4, 1)]);
    await vi.waitFor(() => expect(w.transports[0].dropped.total).toBe(1), { timeout: 5000, interval: 10 });
    await expect(w.transports[0].recv(1, 9, 200)).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(await allReduceExact(w.comms)).toBe(true);
  });
});
