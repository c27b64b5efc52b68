import { entryName, FaultError } from "./error.js";
import { formatSeconds } from "./timeline.js";
import { isLinkFault, type FaultSchedule } from "./types.js";

/**
 * For commands that start their ranks themselves, without the launcher's kill and restart (bench's
 * sweeps, run, the docker entrypoint): a schedule with a process fault is refused up front, naming
 * the first one and the command that can do it.
 */
export function refuseProcessFaults(schedule: FaultSchedule, command: string, why = "it runs its ranks itself and cannot restart one mid-sweep"): void {
  const fault = schedule.faults.find((f) => !isLinkFault(f));
  if (!fault || isLinkFault(fault)) return;
  throw new FaultError(`${entryName(fault.index, formatSeconds(fault.atMs))}: ${fault.kind} of rank ${fault.rank} is a process fault, which ${command} cannot do (${why}); run the job with longhaul launch [--emulate] --faults FILE -- CMD, or drop the entry`, { entry: fault.index, field: fault.kind });
}

/** For jobs with no emulator (launch without --emulate): link faults have nothing to be laid on. */
export function refuseLinkFaults(schedule: FaultSchedule, command: string): void {
  const fault = schedule.faults.find(isLinkFault);
  if (!fault || !isLinkFault(fault)) return;
  throw new FaultError(`${entryName(fault.index, formatSeconds(fault.atMs))}: ${fault.kind} ${fault.link} is a link fault, and ${command} has no emulator to lay it on; add --emulate, or keep only kill/restart entries`, { entry: fault.index, field: fault.kind });
}
