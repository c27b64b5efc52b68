/**
 * One rank of the WAN-algorithm integration test (test/collectives/zmq-wan-algorithms.test.ts):
 * joins the world with init() and runs a batch of all-reduce cases per algorithm — many cases per
 * launched world keeps the test short — printing one marked JSON line per case with its #wrong
 * against the closed form.
 */
import type { DTypeName, ReduceOp } from "../collectives/types.js";
import { init } from "../init.js";
import { countWrong, fillInput } from "./expected.js";

export const WAN_CHECK_ENV = "LONGHAUL_WAN_CHECK";
export const WAN_CHECK_MARKER = "@@longhaul-wan-check ";

export interface WanCheckConfig {
  algorithms: string[];
  lengths: number[];
  ops: ReduceOp[];
  dtypes: DTypeName[];
  /** Extra (algorithm, length) cases run with sum/float32 only (large buffers). */
  large: Array<[string, number]>;
}

const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array };

async function main(config: WanCheckConfig): Promise<void> {
  const comm = await init();
  const run = async (algorithm: string, length: number, op: ReduceOp, dtype: DTypeName) => {
    const data = new CTORS[dtype](length);
    fillInput(data, op, comm.rank);
    await comm.allReduce(data, { op, algorithm: algorithm as never });
    const wrong = countWrong(data, op, comm.size);
    process.stdout.write(WAN_CHECK_MARKER + JSON.stringify({ algorithm, length, op, dtype, wrong }) + "\n");
  };
  for (const algorithm of config.algorithms) {
    for (const length of config.lengths) for (const op of config.ops) for (const dtype of config.dtypes) await run(algorithm, length, op, dtype);
  }
  for (const [algorithm, length] of config.large) await run(algorithm, length, "sum", "float32");
  await comm.barrier();
  await comm.close();
}

const text = process.env[WAN_CHECK_ENV];
if (text !== undefined) {
  main(JSON.parse(text) as WanCheckConfig).catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exit(1);
  });
}
