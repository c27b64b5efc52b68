import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defaultSegmentBytes, init, ONE_HOST_SEGMENT_BYTES } from "../init.js";
import { readRankEnv } from "../world/env.js";
import { launchRanks } from "../launch/launcher.js";
import { parseTopology } from "../world/topology.js";

// Ports 31200-31299 belong to this file.
const fixture = fileURLToPath(new URL("./fixtures/init-allreduce.mjs", import.meta.url));

describe("init", () => {
  it("rejects a bad environment before opening any socket", async () => {
    await expect(init({ env: { RANK: "0", WORLD_SIZE: "3", LONGHAUL_TOPOLOGY: "2" } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/WORLD_SIZE=3 but topology "2"/) });
    await expect(init({ env: { WORLD_SIZE: "2" } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/RANK is not set/) });
  });

  it("connects launched ranks into a working Communicator (two regions, tcp and ipc)", async () => {
    for (const [ipc, basePort] of [[false, 31200], [true, 31220]] as const) {
      const lines: string[] = [];
      const result = await launchRanks({ topology: parseTopology("ny:2,ldn:1"), command: process.execPath, args: [fixture], basePort, ipc, onLine: (_r, _s, line) => lines.push(line), timeoutMs: 30_000 });
      expect(result, lines.join("\n")).toEqual({ code: 0 });
      const reports = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { rank: number; region: string; sum: number[] });
      expect(reports.sort((a, b) => a.rank - b.rank).map((r) => [r.rank, r.region, r.sum])).toEqual([
        [0, "ny", [6, 30]],
        [1, "ny", [6, 30]],
        [2, "ldn", [6, 30]],
      ]);
    }
  });

  it("segments 4 MiB between processes of one host, and leaves emulated or multi-host worlds to the communicator's 1 MiB", () => {
    const world = (env: NodeJS.ProcessEnv) => readRankEnv({ RANK: "0", LONGHAUL_TOPOLOGY: "ny:2,ldn:2", ...env });
    expect(defaultSegmentBytes(world({}))).toBe(ONE_HOST_SEGMENT_BYTES);
    expect(defaultSegmentBytes(world({ LONGHAUL_IPC_DIR: "/tmp" }))).toBe(ONE_HOST_SEGMENT_BYTES);
    expect(defaultSegmentBytes(world({ LONGHAUL_EMULATE: "1" }))).toBeUndefined();
    expect(defaultSegmentBytes(world({ LONGHAUL_HOSTS: "ny=10.0.0.1,ldn=10.0.0.2" }))).toBeUndefined();
    expect(defaultSegmentBytes(world({ LONGHAUL_RANK_HOSTS: "10.0.0.1*2,10.0.0.2*2" }))).toBeUndefined();
  });
});
