/**
 * A host's measured software costs (`longhaul calibrate`), in place of the constants fitted to one
 * development machine (DEFAULT_SOFTWARE). Pure: the file is read and written by the CLI; a world
 * gets the calibration through LONGHAUL_SOFTWARE_COSTS (the JSON itself, not a path), which the
 * launcher hands to every rank alike — so every rank builds the same model and picks the same algorithm.
 */
import { badValue } from "../world/netem-error.js";
import type { SoftwareCosts } from "./link-model.js";

export const CALIBRATION_ENV = "LONGHAUL_SOFTWARE_COSTS";
export const CALIBRATION_VERSION = 1;

/** The terms a calibration measures; the rest of SoftwareCosts keep their defaults. */
export const MEASURED_TERMS = ["gammaS", "perMessageS", "localAlphaS", "localBetaS"] as const;
export type MeasuredTerm = (typeof MEASURED_TERMS)[number];

export interface Calibration {
  readonly version: typeof CALIBRATION_VERSION;
  /** When and where it was measured (ISO time, hostname, cores): a calibration describes one host. */
  readonly measuredAt: string;
  readonly host: string;
  readonly cores: number;
  readonly software: Readonly<Record<MeasuredTerm, number>>;
  /** Raw figures behind the terms, for people: reduction GB/s, loopback GB/s, round trip µs. */
  readonly figures: Readonly<Record<string, number>>;
}

/** A calibration from parsed JSON, checked; a bad one is a NetemError (INVALID_ARGUMENT) naming the field. */
export function parseCalibration(raw: unknown): Calibration {
  const o = raw as Partial<Calibration> | null;
  if (typeof o !== "object" || o === null) throw badValue("calibration: expected a JSON object as `longhaul calibrate` writes it; run it again");
  if (o.version !== CALIBRATION_VERSION) throw badValue(`calibration: version ${JSON.stringify(o.version)} is not ${CALIBRATION_VERSION}; run \`longhaul calibrate\` again`);
  const software = (o.software ?? {}) as Record<string, unknown>;
  for (const term of MEASURED_TERMS) {
    const value = software[term];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw badValue(`calibration: software.${term} is ${JSON.stringify(value)}; give seconds >= 0 (run \`longhaul calibrate\` again)`);
    }
  }
  return o as Calibration;
}

/** The software costs a calibration in the environment declares (none: the defaults stay). */
export function softwareFromEnv(env: NodeJS.ProcessEnv): Partial<SoftwareCosts> {
  const text = env[CALIBRATION_ENV];
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw badValue(`${CALIBRATION_ENV} is not JSON; set it to the contents of the file \`longhaul calibrate\` wrote`);
  }
  return { ...parseCalibration(raw).software };
}
