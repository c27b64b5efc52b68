import type { CompressOptions } from "../compression/types.js";

export interface DiLoCoOptions {
  /** Inner steps between outer syncs (H). */
  innerSteps: number;
  /** Outer learning rate (DiLoCo: 0.7). */
  outerLr?: number;
  /** Outer Nesterov momentum (DiLoCo: 0.9). */
  momentum?: number;
  /** Compress the outer gradient on the wire (e.g. { kind: "fp16" } or { kind: "int8" }). */
  compress?: CompressOptions;
  timeoutMs?: number;
  /**
   * DiLoCo only: inner steps the outer exchange overlaps, 0 to H (default 0 = blocking, as in the
   * paper; `longhaul train` uses H/2). With tau > 0 the all-reduce runs while tau more inner steps proceed from the pre-sync
   * parameters; then params <- new global + (local progress since the sync), so no step is lost
   * and that progress counts in the next round's pseudo-gradient (eager/overlapped DiLoCo).
   */
  overlapSteps?: number;
}

export interface StreamingDiLoCoOptions extends DiLoCoOptions {
  /** Parameter fragments, synchronised at staggered steps (default 4). */
  fragments?: number;
  /** Fragment boundaries as element offsets (e.g. layer boundaries); overrides `fragments`. */
  boundaries?: number[];
  /** Inner steps the exchange of a fragment overlaps before its result is applied (tau, default 5). */
  /** Merge weight alpha: local <- alpha * local + (1 - alpha) * global (default 0.5). */
  mixing?: number;
}

export const DILOCO_DEFAULTS = { outerLr: 0.7, momentum: 0.9 } as const;
