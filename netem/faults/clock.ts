import type { Topology } from "../../world/topology.js";
import { FaultError } from "./error.js";
import { describeFault, formatSeconds, timeline, type TimelineStep } from "./timeline.js";
import { isLinkFault, type AppliedFault, type FaultSchedule, type ImpairTarget, type LinkFault, type ProcessFault, type ProcessTarget } from "./types.js";

export interface FaultClockOptions {
  /** Takes the link faults (the userspace emulator); needed when the schedule has any. */
  readonly emulator?: ImpairTarget;
  readonly topology: Topology;
  /** Takes kill and restart (the launcher's rank control); needed when the schedule has any. */
  readonly processes?: ProcessTarget;
  /** Gets one line per applied or lifted fault. */
  readonly log?: (line: string) => void;
  /** The job's start on performance.now()'s clock (default: now); fault times count from it. */
  readonly startMs?: number;
}

export interface FaultClock {
  /** Every fault applied so far, in the order it was applied (copies). */
  events(): AppliedFault[];
  /** Cancels what has not happened yet, lifts every link fault still active, and returns events(). Idempotent. */
  stop(): AppliedFault[];
}

/**
 * Plays a schedule from its start: each link fault is laid on its directed region links through
 * `emulator.impair` at its `at` and lifted at `at + for`; kill and restart go to `processes`. One
 * timer for the next step of the timeline (steps due together run in timeline order). Every applied
 * fault is recorded with the time it really took effect.
 */
export function startFaults(schedule: FaultSchedule, options: FaultClockOptions): FaultClock {
  const { emulator, processes, topology } = options;
  const links = schedule.faults.filter(isLinkFault);
  if (links.length > 0 && !emulator) throw new FaultError(`faults[${links[0].index}] (${links[0].kind} ${links[0].link}) is a link fault, and this job has no emulator to lay it on; run with --emulate or drop the link faults`);
  const procs = schedule.faults.filter((f): f is ProcessFault => !isLinkFault(f));
  if (procs.length > 0 && !processes) throw new FaultError(`faults[${procs[0].index}] (${procs[0].kind} rank ${procs[0].rank}) is a process fault, and nothing here can kill or restart ranks; run the job with longhaul launch --faults`);
  const regionIndex = new Map(topology.regions.map((r) => [r.name, r.index]));
  const directed = new Map(links.map((f) => [f.index, f.pairs.map(([a, b]) => {
    const src = regionIndex.get(a);
    const dst = regionIndex.get(b);
    if (src === undefined || dst === undefined) throw new FaultError(`faults[${f.index}] was checked against topology ${schedule.topology}, but this job runs ${topology.spec}, which has no region ${src === undefined ? a : b}`);
    return [src, dst] as const;
  })]));
  const log = options.log ?? (() => undefined);
  const startMs = options.startMs ?? performance.now();
  const now = (): number => performance.now() - startMs;
  const steps = timeline(schedule);
  const records: AppliedFault[] = [];
  const active = new Map<number, number>(); // link fault index -> its record's place
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const impair = (fault: LinkFault, on: boolean): void => {
    for (const [src, dst] of directed.get(fault.index)!) emulator!.impair(src, dst, `faults[${fault.index}]`, on ? fault.impairment : undefined);
  };
  const lift = (fault: LinkFault): void => {
    const place = active.get(fault.index);
    if (place === undefined) return;
    active.delete(fault.index);
    impair(fault, false);
    records[place] = { ...records[place], liftedAtMs: round(now()) };
    log(`faults: ${formatSeconds(now())} faults[${fault.index}] ${describeFault(fault)} lifted`);
  };
  const run = (step: TimelineStep): void => {
    const { fault } = step;
    if (isLinkFault(fault)) {
      if (step.edge === "end") return lift(fault);
      // Active before it is laid: a target that fails half-way still gets the lift.
      const place = records.length;
      active.set(fault.index, place);
      records.push({ index: fault.index, kind: fault.kind, link: fault.link, ...(fault.value && { value: fault.value }), atMs: fault.atMs, appliedAtMs: round(now()), endsAtMs: fault.atMs + fault.forMs });
      try {
        impair(fault, true);
      } catch (error) {
        records[place] = { ...records[place], error: (error as Error).message };
        throw error;
      }
      log(`faults: ${formatSeconds(now())} faults[${fault.index}] ${describeFault(fault)} applied until ${formatSeconds(fault.atMs + fault.forMs)}`);
      return;
    }
    const place = records.length;
    records.push({ index: fault.index, kind: fault.kind, rank: fault.rank, atMs: fault.atMs, appliedAtMs: round(now()) });
    log(`faults: ${formatSeconds(now())} faults[${fault.index}] ${describeFault(fault)}`);
    const failed = (error: unknown): void => {
      records[place] = { ...records[place], error: error instanceof Error ? error.message : String(error) };
      log(`faults: faults[${fault.index}] ${describeFault(fault)} failed: ${records[place].error}`);
    };
    try {
      void Promise.resolve(fault.kind === "kill" ? processes!.kill(fault.rank) : processes!.restart(fault.rank)).catch(failed);
    } catch (error) {
      failed(error);
    }
  };
  const fire = (): void => {
    timer = undefined;
    // Never early: a timer that wakes a fraction of a millisecond before performance.now() says the
    // step is due is armed again for the rest.
    while (!stopped && next < steps.length && steps[next].atMs <= now()) {
      const step = steps[next++];
      try {
        run(step);
      } catch (error) {
        // A target that throws must not end the job from inside a timer; the line says what failed.
        log(`faults: faults[${step.fault.index}] ${describeFault(step.fault)} could not be ${step.edge === "end" ? "lifted" : "applied"}: ${(error as Error).message}`);
      }
    }
    arm();
  };
  const arm = (): void => {
    if (stopped || next >= steps.length) return;
    timer = setTimeout(fire, Math.max(0, Math.ceil(steps[next].atMs - now())));
    timer.unref();
  };
  arm();
  const events = (): AppliedFault[] => records.map((r) => ({ ...r }));
  return {
    events,
    stop: () => {
      if (!stopped) {
        stopped = true;
        clearTimeout(timer);
        for (const fault of links) lift(fault);
      }
      return events();
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
