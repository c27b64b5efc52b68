/** The ZeroMQ transport's limits and the errors that name them, with what to do. */
import { context } from "zeromq";
import { CommError } from "../../world/comm-error.js";

/**
 * Messages libzmq may queue per connection before this rank's reader takes them (its default is
 * 1000): beyond this TCP pushes back on the sender. A flood of 64 KiB junk frames otherwise parks
 * ~100 MiB in the queue (+90 MiB RSS under the fuzz test, +50 MiB with 64). The price: a 64 MiB
 * all-reduce across the emulated continents ran 0–15% slower than with 1000 in alternating runs here.
 */
export const RECEIVE_HWM = 64;

/**
 * ZeroMQ's context holds 1,023 sockets by default; a rank needs 1 + 3 · streams per peer (each
 * stream's socket and its monitor's two, which tell a reset connection and its return), so a world of a few hundred ranks would fail with EMFILE. Raised at
 * load, before any socket exists (libzmq fixes it then); open files bound it next (about 3.6 per
 * socket: `ulimit -n`).
 */
export const MAX_SOCKETS = 16_384;
if (context.maxSockets < MAX_SOCKETS) context.maxSockets = MAX_SOCKETS;

/** How long a last BYE_ACK may hold the process's exit while its peer is unreachable (ZeroMQ linger). */
export const FLUSH_MS = 5000;

export function portTaken(rank: number, endpoint: string, error: unknown): CommError {
  return new CommError(
    `rank ${rank}: cannot listen on ${endpoint} (${(error as Error).message}): the port is taken by another process — another longhaul job on the same base port, or an earlier run still alive; pick another base port (LONGHAUL_BASE_PORT / --base-port) or stop that process`,
    { code: "INVALID_ARGUMENT", rank, op: "connect", cause: error },
  );
}

export function tooManySockets(rank: number, size: number, sockets: number, error: unknown): CommError {
  return new CommError(
    `rank ${rank}: cannot open the ZeroMQ sockets for a world of ${size} ranks (${(error as Error).message}): it needs ${sockets} sockets here, ZeroMQ allows ${context.maxSockets} per process and each takes about 4 open files (ulimit -n is the usual limit); use fewer streams per peer (LONGHAUL_STREAMS=1), fewer ranks per process, or raise ulimit -n`,
    { code: "UNSUPPORTED", rank, op: "connect", cause: error },
  );
}

export function unconfirmedClose(rank: number, unconfirmed: number[], limitMs: number, pendingBytes: number): CommError {
  return new CommError(
    `rank ${rank}: close: peers ${unconfirmed.join(", ")} did not confirm receipt of everything this rank sent within ${limitMs} ms (${pendingBytes} bytes were still in flight); what they had not received is lost — check those ranks, or close only after their last receive`,
    { code: "TIMEOUT", rank, peer: unconfirmed[0], op: "close" },
  );
}

export function disagrees(rank: number, peer: number, differs: { field: string; mine: string; theirs: string }): CommError {
  return new CommError(`rank ${rank}: rank ${peer} disagrees on ${differs.field}: it has "${differs.theirs}", this rank "${differs.mine}"; start every rank of the job with the same settings`, {
    code: "MISMATCH",
    rank,
    peer,
    op: "connect",
  });
}

export function checkTag(rank: number, tag: number): void {
  if (!Number.isSafeInteger(tag) || tag < 0) {
    throw new CommError(`rank ${rank}: tag ${tag} is not a non-negative safe integer`, { code: "INVALID_ARGUMENT", rank });
  }
}
