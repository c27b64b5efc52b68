/**
 * A short latency probe between regions at init() (`init({ probe: true })`, LONGHAUL_PROBE=1): the
 * first rank of each region ping-pongs the first rank of every other region a few times (all pairs
 * at once), keeps the fastest round trip, and sends its row to every rank, so every rank builds the
 * same matrix and "auto" makes the same choice everywhere. For links the netem profiles do not
 * describe: real WANs, region names without built-in coordinates.
 */
import { CommError } from "../world/comm-error.js";
import type { Topology } from "../world/topology.js";
import { opTag, type Transport } from "../transports/transport.js";

/** Ping-pong rounds per region pair; the fastest counts (queueing only ever adds). */
export const PROBE_ROUNDS = 5;
/** Tags far above any op sequence the Communicator will reach, so probe messages never meet an op's. */
const PROBE_SEQ = 2 ** 31;
const PING = 0;
const ROWS = 1 << 19;

/** Round-trip times in ms between regions (by region index; 0 on the diagonal), identical on every rank. */
export async function measureRegionRtts(transport: Transport, topology: Topology, timeoutMs: number, rounds = PROBE_ROUNDS): Promise<number[][]> {
  const leaders = topology.regions.map((r) => r.ranks[0]);
  const n = leaders.length;
  const me = transport.rank;
  const mine = leaders.indexOf(me);
  const tag = (a: number, b: number, round: number) => opTag(PROBE_SEQ, PING + (a * n + b) * rounds + round);
  const empty = new Uint8Array(8);
  const row = new Float64Array(n);
  if (mine >= 0) {
    await Promise.all(
      leaders.map(async (peer, other) => {
        if (other === mine) return;
        let best = Infinity;
        for (let round = 0; round < rounds; round++) {
          if (mine < other) {
            const started = performance.now();
            await transport.send(peer, tag(mine, other, round), empty);
            await recvOrExplain(transport, peer, tag(other, mine, round), timeoutMs);
            best = Math.min(best, performance.now() - started);
          } else {
            await recvOrExplain(transport, peer, tag(other, mine, round), timeoutMs);
            await transport.send(peer, tag(mine, other, round), empty);
          }
        }
        if (mine < other) row[other] = best;
      }),
    );
    await Promise.all(Array.from({ length: transport.size }, (_, r) => (r === me ? undefined : transport.send(r, opTag(PROBE_SEQ, ROWS + mine), row))));
  }
  const rows = await Promise.all(
    leaders.map(async (leader, index) => {
      if (leader === me) return row;
      const bytes = await recvOrExplain(transport, leader, opTag(PROBE_SEQ, ROWS + index), timeoutMs);
      return new Float64Array(bytes.slice().buffer, 0, n);
    }),
  );
  // Only the lower-indexed leader of a pair timed it; both directions take its figure.
  return rows.map((_, a) => rows.map((__, b) => (a === b ? 0 : a < b ? rows[a][b] : rows[b][a])));
}

async function recvOrExplain(transport: Transport, peer: number, tag: number, timeoutMs: number): Promise<Uint8Array> {
  try {
    return await transport.recv(peer, tag, timeoutMs);
  } catch (error) {
    const what = error instanceof Error ? error.message : String(error);
    throw new CommError(`init probe on rank ${transport.rank}: no answer from rank ${peer} (${what}); every rank must call init() with the same probe setting`, { code: error instanceof CommError ? error.code : "TIMEOUT", rank: transport.rank, peer, op: "init", cause: error });
  }
}
