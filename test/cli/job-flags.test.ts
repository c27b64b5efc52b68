import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jobFaults, jobFlagsHelp, jobTcp } from "../../cli/job-flags.js";
import { faultsDuring } from "../../netem/faults/window.js";
import type { AppliedFault } from "../../netem/faults/types.js";
import { tcpEnv, tcpOptionsFrom } from "../../netem/tcp-env.js";
import { parseTopology } from "../../world/topology.js";

// The flags every job command shares: --faults FILE (or LONGHAUL_FAULTS) and the emulated TCP.
const topology = parseTopology("continents");
const dir = mkdtempSync(join(tmpdir(), "longhaul-job-flags-"));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const mixed = file("mixed.yaml", "faults:\n  - { at: 1s, for: 1s, link: new-york<->london, down: true }\n  - { at: 2s, rank: 3, kill: true }\n");
const links = file("links.yaml", "faults:\n  - { at: 1s, for: 1s, link: '*', rate: 100mbit }\n");

describe("jobFaults", () => {
  it("reads --faults, else LONGHAUL_FAULTS; neither: no schedule", () => {
    const rules = { emulate: true, command: "longhaul train", processFaults: true };
    expect(jobFaults({ faults: mixed }, topology, rules, {})!.faults).toHaveLength(2);
    expect(jobFaults({}, topology, rules, { LONGHAUL_FAULTS: links })!.faults).toHaveLength(1);
    expect(jobFaults({}, topology, rules, { LONGHAUL_FAULTS: " " })).toBeUndefined();
  });
  it("refuses link faults without an emulator and process faults where the command cannot restart a rank, naming the entry and what to do", () => {
    expect(() => jobFaults({ faults: mixed }, topology, { emulate: false, command: "longhaul launch", processFaults: true }, {})).toThrow(/faults\[0\].*link fault.*add --emulate/);
    expect(() => jobFaults({ faults: mixed }, topology, { emulate: true, command: "longhaul run", processFaults: false }, {})).toThrow(/faults\[1\].*kill of rank 3.*longhaul run cannot do.*longhaul launch/);
    expect(jobFaults({ faults: links }, topology, { emulate: true, command: "longhaul run", processFaults: false }, {})!.faults).toHaveLength(1);
  });
  it("a file that names a region the topology lacks is refused", () => {
    const bad = file("bad.yaml", "faults:\n  - { at: 1s, for: 1s, link: tokyo<->london, down: true }\n");
    expect(() => jobFaults({ faults: bad }, topology, { emulate: true, command: "longhaul train", processFaults: true }, {})).toThrow(/tokyo/);
  });
});

describe("jobTcp and the TCP variables", () => {
  it("the flags need --emulate", () => {
    expect(() => jobTcp({ cc: "reno" }, false, {})).toThrow(/--cc .*needs --emulate/);
    expect(() => jobTcp({ "no-slow-start-after-idle": true }, false, {})).toThrow(/--no-slow-start-after-idle .*needs --emulate/);
    expect(jobTcp({}, false, {})).toBeUndefined();
  });
  it("flags win over variables; nothing given is Linux's defaults (undefined)", () => {
    expect(jobTcp({ cc: "BBR", "tcp-rmem-max": "12MiB" }, true, { LONGHAUL_CC: "reno" })).toEqual({ cc: "bbr", rmemMaxBytes: 12 << 20 });
    expect(tcpOptionsFrom({}, { LONGHAUL_CC: "reno", LONGHAUL_SLOW_START_AFTER_IDLE: "0" })).toEqual({ cc: "reno", slowStartAfterIdle: false });
    expect(tcpOptionsFrom({}, {})).toBeUndefined();
  });
  it("bad values name the flag or variable and the choices", () => {
    expect(() => tcpOptionsFrom({ cc: "vegas" }, {})).toThrow(/--cc "vegas" is not a congestion control; use one of cubic, reno, bbr/);
    expect(() => tcpOptionsFrom({}, { LONGHAUL_SLOW_START_AFTER_IDLE: "maybe" })).toThrow(/LONGHAUL_SLOW_START_AFTER_IDLE="maybe" must be 1 or 0/);
    expect(() => tcpOptionsFrom({ rmemMax: "4KiB" }, {})).toThrow(/below 64 KiB/);
  });
  it("tcpEnv writes what tcpOptionsFrom reads back (a launched node or container gets the same TCP)", () => {
    const options = { cc: "reno" as const, slowStartAfterIdle: false, rmemMaxBytes: 32 << 20 };
    expect(tcpOptionsFrom({}, tcpEnv(options))).toEqual(options);
  });
  it("the help lists every flag, wrapped at 100 columns", () => {
    const help = jobFlagsHelp(24);
    for (const flag of ["--faults FILE", "--cc C", "--no-slow-start-after-idle", "--tcp-rmem-max SIZE"]) expect(help).toContain(flag);
    expect(Math.max(...help.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
  });
});

describe("faultsDuring", () => {
  const fault = (kind: AppliedFault["kind"], appliedAtMs: number, liftedAtMs?: number) => ({ kind, appliedAtMs, liftedAtMs }) as AppliedFault;
  it("a link fault is in a window it overlaps; a kill only in the window it happened in", () => {
    const events = [fault("down", 1000, 2000), fault("rate", 500), fault("kill", 1500), fault("delay", 3000, 4000)];
    expect(faultsDuring(events, 1800, 2500).map((e) => e.kind)).toEqual(["down", "rate"]);
    expect(faultsDuring(events, 1200, 1600).map((e) => e.kind)).toEqual(["down", "rate", "kill"]);
    expect(faultsDuring(events, 2100, 2900).map((e) => e.kind)).toEqual(["rate"]);
  });
});
