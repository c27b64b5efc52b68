/** What the rendezvous master and the nodes say to each other (JSON, one frame). */
import type { NodeAssignment, NodeJoin, WorldPlan } from "../node-plan.js";

export type ToMaster =
  | { type: "join"; join: Omit<NodeJoin, "arrival"> }
  /** Sent every HEARTBEAT_MS while the node runs; the master gives up on a node silent for DEAD_AFTER_MS. */
  | { type: "alive" }
  /** The node's ranks have all exited; `code` 0 when every one of them succeeded. */
  | { type: "exit"; code: number; detail?: string };

export type ToNode =
  | { type: "plan"; plan: WorldPlan; you: NodeAssignment; jobId: string }
  | { type: "refused"; reason: string }
  | { type: "alive" }
  /** Another node failed or vanished: stop this node's ranks. */
  | { type: "abort"; reason: string };

export const HEARTBEAT_MS = 1000;
export const DEAD_AFTER_MS = 5000;

export function encode(message: ToMaster | ToNode): string {
  return JSON.stringify(message);
}

export function decode<T extends ToMaster | ToNode>(frame: Buffer | undefined): T | undefined {
  if (!frame || frame.length > 1 << 20) return undefined;
  try {
    const value = JSON.parse(frame.toString("utf8")) as { type?: unknown };
    return typeof value?.type === "string" ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
