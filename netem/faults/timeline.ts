import { isLinkFault, type AppliedFault, type Fault, type FaultSchedule } from "./types.js";

/** One moment of a schedule: a fault starts (or, for a process fault, happens) or ends. */
export interface TimelineStep {
  readonly atMs: number;
  readonly edge: "start" | "end";
  readonly fault: Fault;
}

/**
 * Every start and end of a schedule in time order (pure). At one instant ends come before starts,
 * so a fault that ends as another begins never overlaps it; otherwise file order.
 */
export function timeline(schedule: FaultSchedule): TimelineStep[] {
  const steps: TimelineStep[] = [];
  for (const fault of schedule.faults) {
    steps.push({ atMs: fault.atMs, edge: "start", fault });
    if (isLinkFault(fault)) steps.push({ atMs: fault.atMs + fault.forMs, edge: "end", fault });
  }
  const order = (s: TimelineStep): number => (s.edge === "end" ? 0 : 1);
  return steps.sort((a, b) => a.atMs - b.atMs || order(a) - order(b) || a.fault.index - b.fault.index);
}

/** Seconds as a fault file writes them: 20s, 1.5s, 0.25s. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** What a fault does, in words: "down new-york<->london (2 links)", "loss 1% random london->chicago (1 link)", "kill rank 3". */
export function describeFault(fault: Fault): string {
  if (!isLinkFault(fault)) return `${fault.kind} rank ${fault.rank}`;
  const n = fault.pairs.length;
  return `${fault.kind}${fault.value ? ` ${fault.value}` : ""} ${fault.link} (${n} directed link${n === 1 ? "" : "s"})`;
}

/** One line per step, for `longhaul netem faults --check`. */
export function timelineLines(schedule: FaultSchedule): string[] {
  const steps = timeline(schedule);
  const width = Math.max(0, ...steps.map((s) => formatSeconds(s.atMs).length));
  return steps.map((step) => {
    const { fault } = step;
    const when = formatSeconds(step.atMs).padStart(width);
    const edge = !isLinkFault(fault) ? fault.kind : step.edge === "start" ? "start" : "end";
    const until = isLinkFault(fault) && step.edge === "start" ? ` for ${formatSeconds(fault.forMs)}` : "";
    return `${when}  ${edge.padEnd(7)} faults[${fault.index}] ${describeFault(fault)}${until}`;
  });
}

/** One applied fault as a line of a command's text output: "20.003s-25.001s faults[0] down new-york<->london". */
export function appliedFaultLine(fault: AppliedFault): string {
  const when = fault.liftedAtMs !== undefined ? `${formatSeconds(fault.appliedAtMs)}-${formatSeconds(fault.liftedAtMs)}` : formatSeconds(fault.appliedAtMs);
  const what = fault.rank !== undefined ? `rank ${fault.rank}` : `${fault.value ? `${fault.value} ` : ""}${fault.link}`;
  return `${when} faults[${fault.index}] ${fault.kind} ${what}${fault.error ? ` (failed: ${fault.error})` : ""}`;
}
