import type { LinkProfile, DelayDistribution } from "../netem/profile.js";
import { validateProfile } from "../netem/profile.js";
import { NetemError, badValue } from "../netem/errors.js";
import { parseCount, parseDuration, parsePercent, parseRate } from "../world/units.js";

/** Flags shared by the netem subcommands that describe one link's shape. */
export const PROFILE_OPTIONS = {
  delay: { type: "string" },
  jitter: { type: "string" },
  distribution: { type: "string" },
  loss: { type: "string" },
  rate: { type: "string" },
  limit: { type: "string" },
} as const;

export interface ProfileFlags {
  delay?: string;
  jitter?: string;
  distribution?: string;
  loss?: string;
  rate?: string;
  limit?: string;
}

/** Extra shape given on top of a distance-based delay (jitter, loss, rate, limit). */
export function shapeFromFlags(flags: ProfileFlags): Omit<LinkProfile, "delayMs"> {
  return {
    ...(flags.jitter !== undefined && { jitterMs: parseDuration(flags.jitter, "--jitter") }),
    ...(flags.distribution !== undefined && { distribution: flags.distribution as DelayDistribution }),
    ...(flags.loss !== undefined && { lossPct: parsePercent(flags.loss, "--loss") }),
    ...(flags.rate !== undefined && { rateMbit: parseRate(flags.rate, "--rate") }),
    ...(flags.limit !== undefined && { limit: parseCount(flags.limit, "--limit") }),
  };
}

export function profileFromFlags(flags: ProfileFlags): LinkProfile {
  if (flags.delay === undefined) throw badValue("give --delay (e.g. --delay 40ms), or --self/--peer for a per-destination plan");
  return validateProfile({ delayMs: parseDuration(flags.delay, "--delay"), ...shapeFromFlags(flags) });
}

/** Runs a subcommand body, turning NetemError into a one-line message and an exit code. */
export async function reportErrors(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof NetemError) {
      console.error(`longhaul netem ${name}: ${error.message}`);
      return error.code === "INVALID_ARGUMENT" ? 2 : 1;
    }
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      console.error(`longhaul netem ${name}: ${error.message}; see --help`);
      return 2;
    }
    throw error;
  }
}
