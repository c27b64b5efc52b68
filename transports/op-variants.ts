/**
 * Which algorithm runs an op travels in every message's tag: an op's sequence number has
 * OP_VARIANTS slots, one per algorithm. A rank that receives, for an op it runs with one algorithm,
 * a message sent by another (or that already holds one when it starts) knows at once that the ranks
 * disagree — from the first message, instead of waiting for messages that never come.
 */
import { TAG_STEPS_PER_OP } from "./transport.js";

export const OP_VARIANTS = 8;
/** The slot a rank uses to tell every peer that the ranks disagree about an op (its payload says how). */
export const POISON_VARIANT = 7;

/** Names of the slots, for error messages (0: every op that is not an all-reduce). */
export const VARIANT_NAMES = ["(no algorithm)", "ring", "tree", "halving-doubling", "hierarchical", "one-shot", "compressed", "(disagreement)"] as const;

/** Marks a CommError raised because ranks run different algorithms for one op (its `cause`). */
export const VARIANT_CONFLICT = Symbol("longhaul: ranks run different algorithms for one op");

/** The first sequence number of op `seq`'s slots; add a variant to it. */
export function variantBase(seq: number): number {
  return seq * OP_VARIANTS;
}

export function variantOf(name: string): number {
  const index = (VARIANT_NAMES as readonly string[]).indexOf(name);
  return index > 0 && index < POISON_VARIANT ? index : 0;
}

export function splitTag(tag: number): { seq: number; variant: number } {
  const slot = Math.floor(tag / TAG_STEPS_PER_OP);
  return { seq: Math.floor(slot / OP_VARIANTS), variant: slot % OP_VARIANTS };
}
