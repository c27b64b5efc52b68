/**
 * bench/reference/netem_vs_emulator.mjs: kernel TCP over tc netem beside the userspace emulator. Where
 * the kernel lacks sch_netem it must say so and exit 0; its emulator half (two namespaces, transfers
 * and a 2-node all-reduce through the emulator) runs wherever namespaces can be made.
 */
import { execa, execaSync } from "execa";
import { describe, expect, it } from "vitest";
import { probeNetem } from "../../netem/tc/probe.js";
import { canUseNetns } from "../netem/netns.js";

const SCRIPT = new URL("../../bench/reference/netem_vs_emulator.mjs", import.meta.url).pathname;
const netem = probeNetem().available;

describe("netem_vs_emulator.mjs", () => {
  it.skipIf(netem !== false)(`without sch_netem: "skipped: no sch_netem" and exit 0${netem !== false ? " (skipped: this kernel has sch_netem)" : ""}`, async () => {
    const r = await execa(process.execPath, [SCRIPT], { reject: false, timeout: 30_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^skipped: (no sch_netem|needs root and ip netns)/);
  });

  it.skipIf(!canUseNetns())(`--emulator-only: transfers and a 2x2 all-reduce through the emulator between two namespaces, which are removed after${canUseNetns() ? "" : " (skipped: needs root and ip netns)"}`, async () => {
    const r = await execa(process.execPath, [SCRIPT, "--emulator-only", "--loss", "0", "--bytes", "2MiB", "--size", "256KiB", "--base-port", "27400", "--json"], { reject: false, timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { profile: { delayMs: number }; kernel?: unknown; emulator: { one: { mbit: number }; eight: { mbit: number }; allReduceMs: number } };
    expect(out.kernel).toBeUndefined();
    // 2 MiB from 10 segments over new-york↔london cannot approach 1 Gbit/s: slow start decides it.
    expect(out.emulator.one.mbit).toBeGreaterThan(0);
    expect(out.emulator.one.mbit).toBeLessThan(500);
    expect(out.emulator.eight.mbit).toBeGreaterThan(0);
    // Every ring step that crosses the link pays at least its one-way delay.
    expect(out.emulator.allReduceMs).toBeGreaterThan(out.profile.delayMs);
    expect(String(execaSync("ip", ["netns", "list"]).stdout)).not.toMatch(/lh-nve-/);
  }, 150_000);
});
