import { describe, expect, it } from "vitest";
import { checkLaunchLimits, PER_RANK, readHostLimits, type HostLimits } from "../../launch/host-limits.js";
import { lastPort } from "../../world/addresses.js";

const roomy: HostLimits = { openFiles: 1 << 20, processes: 1 << 22, pidMax: 1 << 22, memoryBytes: 2 ** 40 };
const ports = (size: number, basePort = 29500) => ({ size, regions: 1, basePort, emulate: false });

describe("checkLaunchLimits", () => {
  it("lets a world through that fits every limit", () => {
    expect(() => checkLaunchLimits(8, ports(8), roomy)).not.toThrow();
  });

  it.each([
    ["memory", { ...roomy, memoryBytes: 100 * PER_RANK.memoryBytes }, 101, /at most 100 ranks fit; start fewer ranks per host/],
    ["threads (ulimit -u)", { ...roomy, processes: 80 * PER_RANK.threads }, 81, /this host allows 640 \(ulimit -u 640/],
    ["pid_max", { ...roomy, pidMax: 32768 }, 5000, /kernel pid_max 32768/],
    ["open files", { ...roomy, openFiles: 1024 }, 400, /may open 1024 \(ulimit -n\); raise it \(ulimit -n 1264\)/],
  ])("refuses a world past the host's %s, naming the limit and what to do", (_what, limits, ranks, message) => {
    expect(() => checkLaunchLimits(ranks, ports(ranks), limits)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(message) }));
  });

  it("refuses ports past 65535, counting the emulator's proxies", () => {
    expect(lastPort(8, 4, 29500, true)).toBe(29500 + 8 * 5 - 1);
    expect(() => checkLaunchLimits(8, { size: 8, regions: 4, basePort: 65500, emulate: true }, roomy)).toThrow(/ports 65500\.\.65539, past 65535; choose a lower --base-port/);
  });

  it("reads this host's limits (Linux /proc)", () => {
    const limits = readHostLimits();
    expect(limits.memoryBytes).toBeGreaterThan(0);
    if (process.platform === "linux") expect(limits.openFiles).toBeGreaterThan(0);
  });
});
