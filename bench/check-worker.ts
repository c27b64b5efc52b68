/**
 * A correctness sweep inside one world (used by the multi-process tests, runnable by hand under
 * `longhaul launch`): every length × op × dtype through allReduce, then reduceScatter, allGather,
 * broadcast, reduce, barrier and a deliberate length mismatch; one marked JSON line per case.
 */
import { init } from "../init.js";
import { CommError } from "../world/comm-error.js";
import { countWrong, fillInput } from "./expected.js";
import { blockBounds } from "../collectives/algorithms/ring-pass.js";
import type { Communicator, NumericArray, ReduceOp } from "../collectives/types.js";

export const CHECK_MARKER = "@@longhaul-check ";
const OPS: ReduceOp[] = ["sum", "avg", "min", "max", "prod"];
const DTYPES = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

interface CheckConfig {
  lengths: number[];
  /** Lengths run for every op × dtype; other large lengths rotate through the combinations. */
  fullLengths: number[];
}

const report = (fields: Record<string, unknown>): void => void process.stdout.write(CHECK_MARKER + JSON.stringify(fields) + "\n");

async function allReduceCases(comm: Communicator, config: CheckConfig): Promise<void> {
  let rotate = 0;
  for (const length of config.lengths) {
    for (const op of OPS) {
      for (const [dtype, Ctor] of Object.entries(DTYPES)) {
        const full = config.fullLengths.includes(length);
        if (!full && rotate++ % 15 !== (comm.size * 4) % 15) continue;
        const data: NumericArray = new Ctor(length);
        fillInput(data, op, comm.rank);
        await comm.allReduce(data, { op, algorithm: "ring" });
        report({ case: "allReduce", length, op, dtype, wrong: countWrong(data, op, comm.size) });
      }
    }
  }
}

async function otherCases(comm: Communicator): Promise<void> {
  const { rank, size } = comm;
  const rs = new Float64Array(1003);
  fillInput(rs, "max", rank);
  const block = await comm.reduceScatter(rs, { op: "max" });
  report({ case: "reduceScatter", wrong: countWrong(block, "max", size, blockBounds(1003, size)(rank)[0]) });
  const gathered = await comm.allGather(new Int32Array(5).fill(rank));
  report({ case: "allGather", wrong: gathered.filter((x, i) => x !== Math.floor(i / 5)).length });
  const root = size - 1;
  const b = await comm.broadcast(new Float32Array(70001).fill(rank === root ? 3 : 0), root);
  report({ case: "broadcast", wrong: b.filter((x) => x !== 3).length });
  const r = new Int32Array(999);
  fillInput(r, "sum", rank);
  await comm.reduce(r, 0);
  report({ case: "reduce", wrong: rank === 0 ? countWrong(r, "sum", size) : 0 });
  await comm.barrier();
  if (size > 1) {
    const code = await comm.allReduce(new Float32Array(rank === size - 1 ? 101 : 100), { algorithm: "ring", timeoutMs: 5000 }).then(
      () => "resolved",
      (error: unknown) => (error instanceof CommError ? error.code : String(error)),
    );
    report({ case: "mismatch", code });
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.LONGHAUL_CHECK_CONFIG ?? "{}") as Partial<CheckConfig>;
  const comm = await init();
  await allReduceCases(comm, { lengths: config.lengths ?? [0, 1, 7, 1000, 1000003], fullLengths: config.fullLengths ?? [0, 1, 7, 1000] });
  await otherCases(comm);
  await comm.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exit(1);
});
