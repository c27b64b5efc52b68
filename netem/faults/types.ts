import type { LinkImpairment } from "../emulator/impairment.js";

/** What a fault file describes, parsed and checked against a topology (parse.ts). Times are ms from the start of the job. */

export type LinkFaultKind = "down" | "partition" | "loss" | "rate" | "delay";
export type ProcessFaultKind = "kill" | "restart";
export type FaultKind = LinkFaultKind | ProcessFaultKind;

export const LINK_FAULT_KINDS: readonly LinkFaultKind[] = ["down", "partition", "loss", "rate", "delay"];
export const PROCESS_FAULT_KINDS: readonly ProcessFaultKind[] = ["kill", "restart"];

/** A timed impairment of one or more directed region links (laid through Emulator.impair). */
export interface LinkFault {
  /** Place of the entry in the file's `faults` list (0-based). */
  readonly index: number;
  readonly kind: LinkFaultKind;
  readonly atMs: number;
  readonly forMs: number;
  /** The link as written, spaces removed: "new-york<->london", "asuncion<->*", "*". */
  readonly link: string;
  /** The directed region pairs it covers, [from, to] by name. */
  readonly pairs: ReadonlyArray<readonly [string, string]>;
  readonly impairment: LinkImpairment;
  /** The fault's value in words: "1% gemodel (p 0.2525%, r 25%)", "100mbit", "+80ms"; "" for down and partition. */
  readonly value: string;
}

/** A rank's process killed (SIGKILL to its process group) or started again, done by the launcher. */
export interface ProcessFault {
  readonly index: number;
  readonly kind: ProcessFaultKind;
  readonly atMs: number;
  readonly rank: number;
}

export type Fault = LinkFault | ProcessFault;

export interface FaultSchedule {
  /** The topology the file was checked against (its spec). */
  readonly topology: string;
  /** In file order. */
  readonly faults: readonly Fault[];
}

export function isLinkFault(fault: Fault): fault is LinkFault {
  return "link" in fault;
}

/** One fault as it happened: what `events()` returns and bench/train JSON carry as `faults: [...]`. */
export interface AppliedFault {
  readonly index: number;
  readonly kind: FaultKind;
  readonly link?: string;
  readonly rank?: number;
  readonly value?: string;
  /** When the schedule put it (ms from the start). */
  readonly atMs: number;
  /** When it was applied (ms from the start). */
  readonly appliedAtMs: number;
  /** When the schedule ends it (link faults). */
  readonly endsAtMs?: number;
  /** When it was lifted (at its end, or by stop()); absent while it is active. */
  readonly liftedAtMs?: number;
  /** Why a kill or restart failed (the rank had ended, the job was ending). */
  readonly error?: string;
}

/** Where link faults go: the userspace emulator (Emulator.impair), or a tc-backed stand-in. */
export interface ImpairTarget {
  impair(src: number, dst: number, key: string, impairment: LinkImpairment | undefined): void;
}

/** Where process faults go: the launcher's rank control. */
export interface ProcessTarget {
  kill(rank: number): void | Promise<void>;
  restart(rank: number): void | Promise<void>;
}
