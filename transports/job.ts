/**
 * Job identity and agreement. Every frame carries a 64-bit token derived from the job id, so frames
 * of another job (or of a stale process) on the same ports are dropped, never delivered. The HELLO
 * of each connection carries what every rank must agree on; a rank that differs is refused with
 * MISMATCH naming the field, on both ends of the connection, instead of a later TIMEOUT.
 */
import { createHash, randomUUID } from "node:crypto";

/** What the ranks of one world must agree on, field by field (values compared as strings). */
export type Agreement = Readonly<Record<string, string>>;

/** A fresh job id for a launcher to hand to all its ranks. */
export function newJobId(): string {
  return randomUUID();
}

/** The 64-bit wire token of a job id (the first 8 bytes of its SHA-256). */
export function jobToken(jobId: string): bigint {
  return createHash("sha256").update(jobId).digest().readBigUInt64LE(0);
}

/**
 * The job id a rank uses when none was given: the same for every rank on one base port, so
 * hand-started ranks still find each other and a rank with other settings is told what differs
 * (MISMATCH) rather than ignored. Two such worlds on one port cannot be told apart: the launcher
 * gives each run its own id.
 */
export function defaultJobId(basePort: number): string {
  return `static:${basePort}`;
}

export function encodeAgreement(agreement: Agreement): Buffer {
  return Buffer.from(JSON.stringify(agreement));
}

/** The largest HELLO payload (agreement) a rank reads. */
export const MAX_AGREEMENT_BYTES = 64 * 1024;

/** Parses a peer's agreement; undefined when the bytes are not one (a malformed HELLO is dropped). */
export function decodeAgreement(bytes: Uint8Array): Agreement | undefined {
  if (bytes.byteLength > MAX_AGREEMENT_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    return Object.values(value).every((v) => typeof v === "string") ? (value as Agreement) : undefined;
  } catch {
    return undefined;
  }
}

/** The first field on which two agreements differ, with both values; undefined when they agree. */
export function disagreement(mine: Agreement, theirs: Agreement): { field: string; mine: string; theirs: string } | undefined {
  const fields = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])].sort();
  for (const field of fields) {
    const [a, b] = [mine[field] ?? "(unset)", theirs[field] ?? "(unset)"];
    if (a !== b) return { field, mine: a, theirs: b };
  }
  return undefined;
}
