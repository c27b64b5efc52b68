import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { init } from "../../init.js";
import { startCommThread } from "../../comm-thread/start.js";

// Port 28100 belongs to this file.
const crashing = fileURLToPath(new URL("../fixtures/comm-thread-crash-worker.mjs", import.meta.url));

describe("communication thread start and end", () => {
  it("runs a world of one in the thread and closes it (LONGHAUL_COMM_THREAD=1)", async () => {
    const comm = await init({ env: { LONGHAUL_COMM_THREAD: "1" }, basePort: 28100 });
    const work = comm.start.allReduce(new Float64Array([1.5, 2]));
    expect(await work.wait()).toEqual(new Float64Array([1.5, 2]));
    expect(work.isCompleted()).toBe(true);
    expect(work.completedAtMs).toBeLessThanOrEqual(Date.now());
    await comm.close();
    await expect(comm.barrier()).rejects.toMatchObject({ name: "CommError", code: "CLOSED", rank: 0, op: "barrier" });
  });

  it("brings the thread's init errors back typed, and refuses options that cannot cross", async () => {
    await expect(init({ commThread: true, env: { LONGHAUL_CURVE: "1" } })).rejects.toMatchObject({ name: "CommError", code: "INVALID_ARGUMENT", message: expect.stringMatching(/LONGHAUL_CURVE_KEYS/) });
    await expect(init({ commThread: true, env: {}, streams: () => 2 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/pass a number/) });
    await expect(init({ env: { LONGHAUL_COMM_THREAD: "maybe" } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/LONGHAUL_COMM_THREAD="maybe" is not a flag/) });
  });

  it("rejects every pending op with a typed error when the thread crashes, and every later one", async () => {
    const comm = await startCommThread({ env: {} }, crashing);
    const first = comm.start.allReduce(new Float32Array(4));
    const second = comm.start.barrier();
    const expected = { name: "CommError", code: "CLOSED", rank: 0, message: expect.stringMatching(/communication thread stopped \(Error: kernel fault\).*restart the rank/) };
    await expect(first.wait()).rejects.toMatchObject(expected);
    await expect(second.wait()).rejects.toMatchObject(expected);
    expect(first.isCompleted() && second.isCompleted()).toBe(true);
    await expect(comm.allReduce(new Float32Array(1))).rejects.toMatchObject(expected);
    await expect(comm.close()).rejects.toMatchObject(expected);
  });
});
