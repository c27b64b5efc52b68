/**
 * Fault-injection rank for the tests: runs all-reduces in a loop, printing "iter N" after each; when
 * an op fails it prints the CommError it got (code, op, peer, and how long after the op started) as
 * one JSON line and exits 0.
 *
 * LONGHAUL_FAULT_OPS=K stops after K ops (exit 0; default: until an op fails) and prints, instead of
 * "iter N", one line "op {json}" per op: its index, start and end (Date.now()), and how many elements
 * differ from the closed-form sum (each rank adds rank + 1 + op, so a stale or duplicated message
 * shows). LONGHAUL_FAULT_ELEMENTS sets the float32 elements per op (default 4M = 16 MiB).
 */
import { init } from "../init.js";
import { CommError } from "../world/comm-error.js";

async function main(): Promise<void> {
  const comm = await init();
  const elements = Number(process.env.LONGHAUL_FAULT_ELEMENTS ?? 4 << 20);
  const ops = process.env.LONGHAUL_FAULT_OPS === undefined ? Infinity : Number(process.env.LONGHAUL_FAULT_OPS);
  const data = new Float32Array(elements);
  for (let op = 0; op < ops; op++) {
    const startedAt = Date.now();
    const expected = (comm.size * (comm.size + 1)) / 2 + comm.size * op;
    try {
      await comm.allReduce(data.fill(comm.rank + 1 + op), { algorithm: "ring" });
    } catch (error) {
      const e = error instanceof CommError ? error : undefined;
      console.log(JSON.stringify({ fault: true, isCommError: e !== undefined, code: e?.code, op: e?.op, rank: e?.rank, peer: e?.peer, afterMs: Date.now() - startedAt, message: String(error) }));
      process.exit(0);
    }
    if (ops === Infinity) {
      console.log(`iter ${op}`);
      continue;
    }
    let wrong = 0;
    for (const value of data) if (value !== expected) wrong++;
    console.log(`op ${JSON.stringify({ op, startedAt, endedAt: Date.now(), wrong })}`);
  }
  await comm.close();
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exit(1);
});
