/**
 * What a fault schedule did to an elastic training run, from the applied faults, the lighthouse's
 * events and each rank's membership events (all on one host's wall clock): per fault when it was
 * detected and when the group next completed an outer step; every rank's final checksum; goodput
 * against the same run without faults.
 */
import type { AppliedFault } from "../netem/faults/types.js";
import type { WorldRun } from "./run-world.js";

export interface Recovery {
  /** The fault as the timeline prints it: "kill rank 3", "partition london<->*". */
  fault: string;
  /**
   * Seconds from the ranks' start: when it was applied, when it ended (link faults), when the
   * membership noticed (absent when the transport rode it out), when the group next completed an
   * outer step after the fault ended (for a restart: the restarted rank's first).
   */
  atS: number;
  endedAtS?: number;
  detectedAtS?: number;
  nextStepAtS?: number;
}

const seconds = (ms: number, startMs: number): number => Math.round(ms - startMs) / 1000;

export function recoveries(run: WorldRun): Recovery[] {
  const elastic = run.elastic!;
  const events = run.ranks.flatMap((r) => (r.elastic?.events ?? []).map((e) => ({ ...e, rank: r.rank })));
  const first = (list: number[]): number | undefined => (list.length ? Math.min(...list) : undefined);
  return (run.faults ?? []).map((fault: AppliedFault) => {
    const at = elastic.startMs + fault.appliedAtMs;
    const end = elastic.startMs + (fault.liftedAtMs ?? fault.appliedAtMs);
    const name = `${fault.kind}${fault.link ? ` ${fault.link}` : ""}${fault.rank !== undefined ? ` rank ${fault.rank}` : ""}${fault.value ? ` ${fault.value}` : ""}`;
    const next = fault.kind === "restart"
      ? first(events.filter((e) => e.rank === fault.rank && e.kind === "outer-step" && e.atMs >= at).map((e) => e.atMs))
      : first(events.filter((e) => e.kind === "outer-step" && e.atMs >= end).map((e) => e.atMs));
    // Noticed by the membership (a rank lost, an op failed) before the group went on; a link fault
    // the transport rode out (reconnect and resend) has no detection.
    const until = next ?? Infinity;
    const detected = fault.kind === "restart"
      ? first(elastic.lighthouse.filter((e) => e.kind === "quorum" && e.atMs >= at && e.ranks.includes(fault.rank!)).map((e) => e.atMs))
      : first([...elastic.lighthouse.filter((e) => e.kind === "lost").map((e) => e.atMs), ...events.filter((e) => e.kind === "retry").map((e) => e.atMs)].filter((t) => t >= at && t <= until));
    return {
      fault: name,
      atS: seconds(at, elastic.startMs),
      ...(fault.liftedAtMs !== undefined && fault.liftedAtMs !== fault.appliedAtMs && { endedAtS: seconds(end, elastic.startMs) }),
      ...(detected !== undefined && { detectedAtS: seconds(detected, elastic.startMs) }),
      ...(next !== undefined && { nextStepAtS: seconds(next, elastic.startMs) }),
    };
  });
}

export function checksums(run: WorldRun): Array<{ rank: number; checksum: string }> {
  return run.ranks.map((r) => ({ rank: r.rank, checksum: r.elastic!.checksum }));
}

/** Inner steps the group's outer steps carried, per second of the run. */
export function usefulStepsPerSec(run: WorldRun): number {
  const contributed = Math.max(...run.ranks.map((r) => r.elastic?.contributedInnerSteps ?? 0));
  return contributed / ((run.elastic!.endMs - run.elastic!.startMs) / 1000);
}
