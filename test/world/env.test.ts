import { describe, expect, it } from "vitest";
import { DEFAULT_BASE_PORT } from "../../world/addresses.js";
import { readLinkRate, readRankEnv } from "../../world/env.js";

describe("readRankEnv", () => {
  it("reads torchrun's names and LONGHAUL_* variables", () => {
    const world = readRankEnv({ RANK: "3", WORLD_SIZE: "4", LOCAL_RANK: "1", LONGHAUL_TOPOLOGY: "ny:2,ldn:2", LONGHAUL_BASE_PORT: "30000", LONGHAUL_EMULATE: "1", LONGHAUL_HOSTS: "ny=10.0.0.1,ldn=ldn-host", LONGHAUL_TIMEOUT_MS: "5000", LONGHAUL_STREAMS: "4", LONGHAUL_PROBE: "1" });
    expect(world.rank).toBe(3);
    expect(world.localRank).toBe(1);
    expect(world.topology.regions.map((r) => r.name)).toEqual(["ny", "ldn"]);
    expect(world.plan).toMatchObject({ basePort: 30000, emulate: true, hosts: { ny: "10.0.0.1", ldn: "ldn-host" } });
    expect(world.timeoutMs).toBe(5000);
    expect(world.streams).toBe(4);
    expect(world.probe).toBe(true);
  });

  it("defaults to one region of WORLD_SIZE on the default base port, and to a world of 1 with no env", () => {
    const world = readRankEnv({ RANK: "2", WORLD_SIZE: "3" });
    expect(world.topology.size).toBe(3);
    expect(world.plan).toMatchObject({ basePort: DEFAULT_BASE_PORT, emulate: false });
    expect(readRankEnv({}).topology.size).toBe(1);
    expect(world.probe).toBe(false);
  });

  it("lets options override the environment", () => {
    const world = readRankEnv({ RANK: "0", WORLD_SIZE: "2" }, { rank: 1, basePort: 31234 });
    expect(world.rank).toBe(1);
    expect(world.plan.basePort).toBe(31234);
  });

  it.each([
    [{ RANK: "0", WORLD_SIZE: "3", LONGHAUL_TOPOLOGY: "4" }, /WORLD_SIZE=3 but topology "4" has 4 ranks/],
    [{ WORLD_SIZE: "2" }, /RANK is not set; in a world of 2 ranks/],
    [{ RANK: "2", WORLD_SIZE: "2" }, /RANK=2 is outside the world of 2 ranks/],
    [{ RANK: "x", WORLD_SIZE: "2" }, /RANK "x" is not a whole number >= 0/],
    [{ RANK: "1", WORLD_SIZE: "2", LOCAL_RANK: "0" }, /LOCAL_RANK=0 but rank 1 is local rank 1/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_EMULATE: "maybe" }, /LONGHAUL_EMULATE="maybe" is not a flag/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_PROBE: "yes please" }, /LONGHAUL_PROBE="yes please" is not a flag/],
    [{ RANK: "0", LONGHAUL_TOPOLOGY: "ny:1,ldn:1", LONGHAUL_HOSTS: "paris=h" }, /LONGHAUL_HOSTS entry "paris=h" is not REGION=HOST/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_BASE_PORT: "65533" }, /base port 65533 leaves no room/],
    [{ RANK: "0", LONGHAUL_TOPOLOGY: "ny:two" }, /topology entry/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_LINK_RATE_MBIT: "fast" }, /LONGHAUL_LINK_RATE_MBIT "fast" is not a number with a unit/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_LINK_RATE_MBIT: "1 gigabit" }, /LONGHAUL_LINK_RATE_MBIT "1 gigabit" has unknown unit "gigabit"/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_LINK_RATE_MBIT: "0" }, /LONGHAUL_LINK_RATE_MBIT "0" must be above zero/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_TIMEOUT_MS: "soon" }, /LONGHAUL_TIMEOUT_MS "soon" is not a number with a unit/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_TIMEOUT_MS: "0" }, /LONGHAUL_TIMEOUT_MS="0" must be above zero/],
    [{ RANK: "0", WORLD_SIZE: "2", LONGHAUL_STREAMS: "0" }, /LONGHAUL_STREAMS "0" is not a whole number >= 1/],
  ])("rejects %j with a clear INVALID_ARGUMENT", (env, message) => {
    expect(() => readRankEnv(env)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(message) }));
  });

  it.each([
    ["1gbit", 1000], ["100mbit", 100], ["250", 250], ["125mbps", 1000],
  ])("reads LONGHAUL_LINK_RATE_MBIT=%s as %d Mbit/s (a bare number is Mbit/s)", (text, mbit) => {
    expect(readRankEnv({ LONGHAUL_LINK_RATE_MBIT: text }).linkRateMbit).toBe(mbit);
    expect(readLinkRate({ LONGHAUL_LINK_RATE_MBIT: text })).toBe(mbit);
  });

  it.each([["30s", 30_000], ["500ms", 500], ["5000", 5000]])("reads LONGHAUL_TIMEOUT_MS=%s as %d ms (a bare number is ms, as its name says)", (text, ms) => {
    expect(readRankEnv({ LONGHAUL_TIMEOUT_MS: text }).timeoutMs).toBe(ms);
  });
});
