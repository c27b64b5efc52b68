import { describe, expect, it } from "vitest";
import { CommError } from "../../world/comm-error.js";
import { Mailboxes } from "../../transports/mailboxes.js";

const lost = () => new CommError("gone", { code: "PEER_LOST", peer: 1 });

describe("Mailboxes", () => {
  it("matches messages to recvs per (peer, tag) in arrival order, whichever comes first", async () => {
    const m = new Mailboxes(0, 3);
    m.deliver(1, 7, Uint8Array.of(1));
    m.deliver(1, 7, Uint8Array.of(2));
    m.deliver(2, 7, Uint8Array.of(3));
    const waiting = m.take(1, 8, 1000);
    m.deliver(1, 8, Uint8Array.of(4));
    expect(Array.from(await m.take(1, 7, 10))).toEqual([1]);
    expect(Array.from(await m.take(1, 7, 10))).toEqual([2]);
    expect(Array.from(await m.take(2, 7, 10))).toEqual([3]);
    expect(Array.from(await waiting)).toEqual([4]);
  });

  it("times out a recv with a TIMEOUT that names the peer and tag", async () => {
    const m = new Mailboxes(0, 2);
    await expect(m.take(1, 3, 20)).rejects.toMatchObject({ code: "TIMEOUT", peer: 1, message: expect.stringMatching(/peer 1 \(tag 3\) within 20 ms/) });
  });

  it("keeps each recv's own deadline under the shared timer: a shorter one issued later fails first, a longer one later, a served one never", async () => {
    const m = new Mailboxes(0, 3);
    const started = Date.now();
    const long = m.take(1, 1, 120);
    const served = m.take(2, 1, 30);
    const short = m.take(1, 2, 30);
    long.catch(() => undefined);
    m.deliver(2, 1, Uint8Array.of(9));
    expect(Array.from(await served)).toEqual([9]);
    await expect(short).rejects.toMatchObject({ code: "TIMEOUT", peer: 1, message: expect.stringMatching(/tag 2\) within 30 ms/) });
    expect(Date.now() - started).toBeLessThan(110);
    await expect(long).rejects.toMatchObject({ code: "TIMEOUT", message: expect.stringMatching(/tag 1\) within 120 ms/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(119);
    m.deliver(1, 1, Uint8Array.of(7)); // a late message waits for the next recv of its tag
    expect(Array.from(await m.take(1, 1, 10))).toEqual([7]);
  });

  it("fails pending and later recvs of a lost peer but still hands out what arrived before", async () => {
    const m = new Mailboxes(0, 3);
    const pending = m.take(1, 1, 10_000);
    m.deliver(1, 2, Uint8Array.of(5));
    m.failPeer(1, lost);
    await expect(pending).rejects.toMatchObject({ code: "PEER_LOST" });
    expect(Array.from(await m.take(1, 2, 10))).toEqual([5]);
    await expect(m.take(1, 2, 10_000)).rejects.toMatchObject({ code: "PEER_LOST" });
    m.deliver(2, 1, Uint8Array.of(6)); // other peers are unaffected
    expect(Array.from(await m.take(2, 1, 10))).toEqual([6]);
  });
});
