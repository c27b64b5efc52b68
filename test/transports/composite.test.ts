import { describe, expect, it } from "vitest";
import { CompositeTransport } from "../../transports/composite.js";
import { createMemoryWorld } from "../../transports/memory.js";
import { createThreadMesh, ThreadTransport } from "../../transports/threads/transport.js";

/** A world of 4: ranks 0 and 1 are threads of one process (here: one thread, two transports), 2 and 3 are elsewhere. */
function world() {
  const mesh = createThreadMesh(2);
  const threads = [new ThreadTransport(0, 2, mesh[0]), new ThreadTransport(1, 2, mesh[1])];
  const memory = createMemoryWorld(4);
  const remote = memory.map((t) => Object.assign(t, { abort: () => void t.close() }));
  const composite = [0, 1].map((rank) => new CompositeTransport(rank, 4, [0, 1], threads[rank], remote[rank]));
  return { threads, remote, composite };
}

describe("CompositeTransport", () => {
  it("routes peers that are threads of this process through the threads transport, the others through the remote one", async () => {
    const { threads, remote, composite } = world();
    const [zero, one] = composite;
    await zero.send(1, 7, new Float32Array([1, 2]));
    const viaThreads = await threads[1].recv(0, 7, 1000); // arrived on the thread link, as thread rank 0
    expect(Array.from(new Float32Array(viaThreads.buffer, viaThreads.byteOffset, 2))).toEqual([1, 2]);

    await zero.send(3, 7, new Int32Array([42]));
    const viaRemote = await remote[3].recv(0, 7, 1000);
    expect(new Int32Array(viaRemote.buffer, viaRemote.byteOffset, 1)[0]).toBe(42);

    await remote[2].send(1, 9, new Int32Array([5]));
    let got = 0;
    await one.recvWith(2, 9, 1000, (bytes) => (got = new Int32Array(bytes.buffer, bytes.byteOffset, 1)[0]));
    expect(got).toBe(5);

    await threads[0].send(1, 9, new Int32Array([6]));
    await one.recvWith(0, 9, 1000, (bytes) => (got = new Int32Array(bytes.buffer, bytes.byteOffset, 1)[0]));
    expect(got).toBe(6);
    await Promise.all([...composite.map((t) => t.close()), remote[2].close(), remote[3].close()]);
  });

  it("refuses transports that do not describe its rank", () => {
    const { threads, remote } = world();
    expect(() => new CompositeTransport(1, 4, [0, 1], threads[0], remote[1])).toThrow(/do not describe this rank/);
  });
});
