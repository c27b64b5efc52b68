import type { AppliedFault } from "./types.js";

/**
 * The faults that were in effect at some moment of [fromMs, toMs] (ms from the schedule's start):
 * applied by toMs and not lifted before fromMs. A kill or restart is a moment: it is in the window
 * when it happened inside it. What a bench row carries as `faults`: the faults its iterations saw.
 */
export function faultsDuring(events: readonly AppliedFault[], fromMs: number, toMs: number): AppliedFault[] {
  return events.filter((e) => {
    if (e.appliedAtMs > toMs) return false;
    if (e.kind === "kill" || e.kind === "restart") return e.appliedAtMs >= fromMs;
    return e.liftedAtMs === undefined || e.liftedAtMs >= fromMs;
  });
}
