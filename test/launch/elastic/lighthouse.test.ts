import { afterEach, describe, expect, it } from "vitest";
import { startLighthouse, type Lighthouse } from "../../../launch/elastic/lighthouse.js";
import { ElasticMember } from "../../../launch/elastic/member.js";
import { CommError } from "../../../world/comm-error.js";

// The lighthouse and its members over real ZeroMQ sockets on loopback, with short bounds.
const DEAD_AFTER_MS = 600;
const HEARTBEAT_MS = 100;

let lighthouse: Lighthouse | undefined;
const members: ElasticMember[] = [];
afterEach(() => {
  for (const m of members.splice(0)) m.close();
  lighthouse?.close();
});

function member(rank: number, onAbort?: (epoch: number, lost: number[]) => void, quorumTimeoutMs = 10_000): ElasticMember {
  const m = new ElasticMember({ address: lighthouse!.address, rank, heartbeatMs: HEARTBEAT_MS, quorumTimeoutMs, onAbort });
  members.push(m);
  return m;
}

describe("lighthouse and members", () => {
  it("forms the first quorum of all; a silent member is reported to the others within the bound; the survivors form the next epoch; a minority stops with MEMBERSHIP", async () => {
    lighthouse = await startLighthouse({ size: 3, deadAfterMs: DEAD_AFTER_MS });
    const aborts: Array<{ rank: number; epoch: number; lost: number[]; atMs: number }> = [];
    const [a, b, c] = [0, 1, 2].map((rank) => member(rank, (epoch, lost) => aborts.push({ rank, epoch, lost, atMs: performance.now() })));
    const first = await Promise.all([a.join(0, true), b.join(0, true), c.join(0, true)]);
    for (const q of first) expect(q).toEqual({ t: "quorum", epoch: 1, members: [0, 1, 2], steps: [0, 0, 0] });

    // Same members, all healthy: the same epoch.
    expect((await Promise.all([a.join(1, true), b.join(1, true), c.join(1, true)]))[0].epoch).toBe(1);

    const silentAt = performance.now();
    c.close();
    const next = await Promise.all([a.join(2, true), b.join(2, true)]);
    expect(next[0]).toEqual({ t: "quorum", epoch: 2, members: [0, 1], steps: [2, 2] });
    expect(aborts.map(({ rank, epoch, lost }) => ({ rank, epoch, lost })).sort((x, y) => x.rank - y.rank)).toEqual([
      { rank: 0, epoch: 1, lost: [2] },
      { rank: 1, epoch: 1, lost: [2] },
    ]);
    for (const abort of aborts) expect(abort.atMs - silentAt).toBeLessThan(DEAD_AFTER_MS + 1000);
    expect(lighthouse.events.map((e) => [e.kind, e.epoch, e.ranks])).toEqual([["quorum", 1, [0, 1, 2]], ["lost", 1, [2]], ["quorum", 2, [0, 1]]]);

    // Rank 1 goes silent too: rank 0 alone is half of the last quorum, not a majority.
    b.close();
    const alone = member(0, undefined, 2000);
    const error = await alone.join(3, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommError);
    expect((error as CommError).code).toBe("MEMBERSHIP");
    expect((error as CommError).message).toContain("not a majority");
  });

  it("a rank that comes back as a new process makes a new epoch, and a resent join is not taken for the next one", async () => {
    lighthouse = await startLighthouse({ size: 2, deadAfterMs: DEAD_AFTER_MS });
    const a = member(0);
    const b = member(1);
    expect((await Promise.all([a.join(0, true), b.join(0, true)]))[0].epoch).toBe(1);
    b.close();
    const back = member(1); // same rank, new incarnation, says it is healthy
    const [q] = await Promise.all([a.join(1, true), back.join(0, true)]);
    expect(q).toEqual({ t: "quorum", epoch: 2, members: [0, 1], steps: [1, 0] });
    // Joins are resent every heartbeat until answered: after several beats, one more round still needs both.
    await new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_MS));
    let settled = false;
    const alone = a.join(2, true).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_MS));
    expect(settled).toBe(false);
    await Promise.all([alone, back.join(1, true)]);
    expect(settled).toBe(true);
  });

  it("a rank that leaves is confirmed at once and never reported lost", async () => {
    lighthouse = await startLighthouse({ size: 2, deadAfterMs: DEAD_AFTER_MS });
    const [a, b] = [member(0), member(1)];
    await Promise.all([a.join(0, true), b.join(0, true)]);
    const t = performance.now();
    await b.leave();
    expect(performance.now() - t).toBeLessThan(2 * HEARTBEAT_MS); // the lighthouse's bye, not the bound
    // Past the heartbeat bound (an absence takes the time it bounds): still no loss on record.
    await new Promise((resolve) => setTimeout(resolve, DEAD_AFTER_MS + 2 * HEARTBEAT_MS));
    expect(lighthouse.events.filter((e) => e.kind === "lost")).toEqual([]);
  });
});
