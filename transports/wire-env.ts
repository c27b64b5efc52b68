/**
 * The wire settings a rank reads besides its place in the world: its job id, CURVE keys, and what it
 * must agree on with every other rank (sent in each connection's HELLO).
 */
import { createHash } from "node:crypto";
import { readCurveKeys, type CurveKeys } from "./curve.js";
import { ENV, flagVar, readLinkRate, type RankEnv } from "../world/env.js";
import { invalidArgument } from "../world/comm-error.js";
import type { Agreement } from "./job.js";
import { packageVersion } from "../world/package-info.js";

export const WIRE_ENV = {
  /** The job's id (the launcher sets a fresh one per run); frames of another job are dropped. */
  jobId: "LONGHAUL_JOB_ID",
  /** 1: encrypt and authenticate links with CURVE; keys from LONGHAUL_CURVE_KEYS. */
  curve: "LONGHAUL_CURVE",
  /** A JSON file with the job's four CURVE keys (`longhaul keygen --out FILE`; the launcher writes one per job). */
  curveKeys: "LONGHAUL_CURVE_KEYS",
} as const;

/** Settings every rank must share, as values (so "1gbit" and "1000" agree): a rank that differs is refused at connect. */
function agreedSettings(env: NodeJS.ProcessEnv, world: RankEnv): Record<string, string> {
  const plan = world.plan;
  return {
    [ENV.linkRateMbit]: String(readLinkRate(env) ?? "unshaped"),
    [ENV.streams]: String(world.streams ?? "per link"),
    [ENV.emulate]: plan.emulate ? "on" : "off",
    [ENV.hosts]: JSON.stringify(Object.entries(plan.hosts ?? {}).sort()),
    rankHosts: (plan.rankHosts ?? []).join(","),
    [ENV.probe]: world.probe ? "on" : "off",
    // Threads per node: "auto" models those links as memcpy, so every node must run the same way.
    [ENV.threads]: env[ENV.threads]?.trim() || "off",
    // A calibration changes what "auto" picks: every rank must use the same one.
    LONGHAUL_SOFTWARE_COSTS: digest(env.LONGHAUL_SOFTWARE_COSTS?.trim() ?? ""),
  };
}

export interface WireEnv {
  jobId?: string;
  curve?: CurveKeys;
  agreement: Agreement;
}

export function readWireEnv(env: NodeJS.ProcessEnv, world: RankEnv, overrides: { curve?: boolean | CurveKeys; jobId?: string } = {}): WireEnv {
  const jobId = overrides.jobId ?? (env[WIRE_ENV.jobId]?.trim() || undefined);
  const curve = resolveCurve(env, overrides.curve);
  const agreement = { version: packageVersion(), topology: world.topology.spec, ...agreedSettings(env, world) };
  return { jobId, curve, agreement };
}

function resolveCurve(env: NodeJS.ProcessEnv, override: boolean | CurveKeys | undefined): CurveKeys | undefined {
  if (typeof override === "object") return override;
  if (!(override ?? flagVar(env, WIRE_ENV.curve))) return undefined;
  const path = env[WIRE_ENV.curveKeys]?.trim();
  if (!path) {
    throw invalidArgument(`${WIRE_ENV.curve}=1 needs the job's keys: set ${WIRE_ENV.curveKeys} to a file made by "longhaul keygen --out FILE" (the launcher makes one per job with --curve)`, "init");
  }
  return readCurveKeys(path);
}

const digest = (text: string): string => (text === "" ? "defaults" : `sha256:${createHash("sha256").update(text).digest("hex").slice(0, 16)}`);
