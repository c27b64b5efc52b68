import { createServer } from "node:net";

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/**
 * A base port in [from, to) whose next `count` ports are all free now. Test ports sit below the
 * kernel's ephemeral range (32768-60999), but another program on the machine may still hold one;
 * skipping such a block keeps the tests from failing on EADDRINUSE.
 */
export async function freeBase(from: number, to: number, count: number): Promise<number> {
  for (let base = from; base + count <= to; base += count) {
    const free = await Promise.all(Array.from({ length: count }, (_, i) => canListen(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no block of ${count} free ports in ${from}..${to - 1}`);
}
