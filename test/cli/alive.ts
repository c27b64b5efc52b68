import { readFileSync } from "node:fs";

/** A process counts as alive unless it is gone or a zombie (PID 1 here may not reap orphans). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
