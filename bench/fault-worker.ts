/**
 * Fault-injection rank for the tests: runs all-reduces of 4M floats in a loop, printing "iter N"
 * after each; when a peer dies it prints the CommError it got (code, op, peer, and how long after
 * the op started) as one JSON line and exits 0.
 */
import { init } from "../init.js";
import { CommError } from "../world/comm-error.js";

async function main(): Promise<void> {
  const comm = await init();
  const data = new Float32Array(4 << 20);
  for (let iter = 0; ; iter++) {
    const started = Date.now();
    try {
      await comm.allReduce(data.fill(1), { algorithm: "ring" });
    } catch (error) {
      const e = error instanceof CommError ? error : undefined;
      console.log(JSON.stringify({ fault: true, isCommError: e !== undefined, code: e?.code, op: e?.op, rank: e?.rank, peer: e?.peer, afterMs: Date.now() - started, message: String(error) }));
      process.exit(0);
    }
    console.log(`iter ${iter}`);
  }
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exit(1);
});
