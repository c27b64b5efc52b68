import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { transferTimeS } from "../../model/tcp.js";
import { hasNetem } from "../../netem/tc/probe.js";

// Runs the compiled CLI (npm test builds first). Ports 23200-23299.
const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const netem = (...args: string[]) => execa("node", [MAIN, "netem", ...args], { reject: false, timeout: 60_000 });

describe("longhaul netem CLI", () => {
  it("every subcommand's --help prints usage and exits 0", async () => {
    const subs = ["profiles", "plan", "apply", "clear", "show", "probe", "emulate"];
    const runs = await Promise.all(subs.map((sub) => netem(sub, "--help")));
    for (const r of runs) {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^usage: longhaul netem/);
    }
  });

  it("netem with no subcommand prints the list and exits 2", async () => {
    const r = await netem();
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/probe +measure RTT/);
  });

  it("profiles prints a row per pair of the continents preset", async () => {
    const r = await netem("profiles", "--rate", "1gbit");
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^pair +km +one-way ms +RTT ms +rate$/);
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^new-york-chicago +1144 +12\.97 +25\.94 +1gbit$/);
    const json = (await netem("profiles", "--topology", "new-york:1,london:1", "--json")).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(json).toEqual([{ pair: "new-york-london", km: 5570, oneWayMs: 47.671, rttMs: 95.342, rate: null }]);
  });

  it("plan prints one tc command per line for a single link", async () => {
    const r = await netem("plan", "--dev", "eth0", "--delay", "40ms", "--jitter", "2ms", "--loss", "0.01%", "--rate", "1gbit");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["tc qdisc replace dev eth0 root netem limit 7334 delay 40ms 2ms loss random 0.01% rate 1gbit"]);
  });

  it("plan builds the per-destination tree from regions, every line starting with tc", async () => {
    const r = await netem("plan", "--dev", "eth0", "--self", "new-york", "--peer", "london=10.0.0.3", "--peer", "asuncion=10.0.0.4", "--rate", "1gbit");
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2 + 2 * 3);
    for (const line of lines) expect(line.startsWith("tc ")).toBe(true);
    expect(lines).toContain("tc qdisc replace dev eth0 parent 1:10 handle 10: netem limit 7946 delay 47.671ms rate 1gbit");
    expect(lines).toContain("tc filter replace dev eth0 parent 1: protocol ip prio 1 handle 800::11 u32 match ip dst 10.0.0.4/32 flowid 1:11");
  });

  it.each([
    [["plan", "--dev", "eth0", "--delay=-4ms"], /--delay "-4ms" is negative/],
    [["plan", "--dev", "eth0", "--delay", "40 parsecs"], /--delay "40 parsecs" has unknown unit "parsecs"/],
    [["plan", "--dev", "eth0", "--delay", "40ms", "--loss", "150%"], /loss 150% is outside 0..100%/],
    [["plan", "--dev", "eth0", "--self", "mars", "--peer", "london=10.0.0.3"], /unknown region "mars"/],
    [["plan", "--dev", "eth0", "--self", "london", "--peer", "london"], /--peer "london" is not REGION=IP/],
    [["plan", "--delay", "40ms"], /give the device with --dev/],
    [["probe", "--distance", "far"], /--distance "far"/],
    [["plan", "--dev", "eth0", "--bogus"], /Unknown option '--bogus'/],
  ])("%j fails with exit 2 and names the bad value", async (args, message) => {
    const r = await netem(...(args as string[]));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("probe --json reports measured and expected RTT and throughput", async () => {
    const r = await netem("probe", "--distance", "1000km", "--rate", "100mbit", "--bytes", "2MiB", "--json");
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(["rttMs", "expectedRttMs", "throughputMbit", "expectedMbit"]));
    expect(out.expectedRttMs).toBeCloseTo(23.68, 2);
    // One fresh connection moving 2 MiB: slow start from 10 segments, then 100 Mbit/s, timed from the first byte's arrival.
    const rttS = 0.02368;
    const formula = (2 * 1048576 * 8) / (transferTimeS("cubic", { rttS, rateBps: 100e6 / 8, windowBytes: 3 << 20 }, 2 * 1048576) - rttS / 2) / 1e6;
    expect(out.expectedMbit).toBeCloseTo(formula, 6);
    expect(out.expectedMbit).toBeLessThan(80);
    expect(out.rttMs).toBeGreaterThan(23.5);
    expect(out.throughputMbit).toBeLessThan(out.expectedMbit * 1.1);
    expect(out.reordered).toBe(false);
  });

  it.each(["reno", "cubic"])("probe --cc %s through a 0.01 loss rate delivers every byte in order at the loss response's rate", async (cc) => {
    // Congestion avoidance grows the window by fractions of a byte; the sender must still count whole bytes or the last piece never goes.
    // 6 MiB holds about 40 loss events at 1%: 2 MiB (about 14) left the rate to where the first loss
    // fell in slow start (cubic, eight runs: 5.4-14.4 Mbit/s against 6.0; at 6 MiB four runs 4.9-6.7).
    const r = await netem("probe", "--distance", "1000km", "--rate", "100mbit", "--loss", "1%", "--cc", cc, "--bytes", "6MiB", "--json");
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.cc).toBe(cc);
    expect(out.bytes).toBe(6 * 1048576);
    expect(out.reordered).toBe(false);
    // Mathis at p = 1% over 23.68 ms: 1.22/√p segments per RTT ≈ 6 Mbit/s, far below the 100 Mbit/s link.
    expect(out.expectedMbit).toBeLessThan(10);
    expect(out.throughputMbit).toBeGreaterThan(out.expectedMbit * 0.5);
    expect(out.throughputMbit).toBeLessThan(out.expectedMbit * 2);
  });

  it("probe --pair prints measured beside expected for two built-in regions", async () => {
    const r = await netem("probe", "--pair", "new-york:chicago", "--rate", "100mbit", "--bytes", "1MiB");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^link +1144 km, one-way 12.971 ms, 100 Mbit\/s$/m);
    expect(r.stdout).toMatch(/^rtt +[\d.]+ ms median, [\d.]+ ms min +expected 25.94 ms/m);
    // 1 MiB from a fresh connection over a 25.94 ms RTT spends most of its time in slow start.
    const rttS = 0.02594;
    const formula = (1048576 * 8) / (transferTimeS("cubic", { rttS, rateBps: 100e6 / 8, windowBytes: 3 << 20 }, 1048576) - rttS / 2) / 1e6;
    expect(r.stdout).toMatch(new RegExp(`^throughput +[\\d.]+ Mbit/s +expected ${formula.toFixed(1)} Mbit/s`, "m"));
  });

  it.skipIf(hasNetem())("apply without sch_netem says so in one line, and what to do, before touching the device (skipped: this kernel has sch_netem)", async () => {
    const r = await netem("apply", "--dev", "lhnone0", "--delay", "40ms", "--keep");
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no sch_netem.*modprobe sch_netem.*--emulate/);
    expect(r.stderr).not.toMatch(/Cannot find device/);
  });
});
