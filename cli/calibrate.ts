/** `longhaul calibrate`: measure this host's software costs and write them where the bench and `auto` read them. */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { calibrate } from "../bench/calibrate.js";
import { CALIBRATION_ENV, MEASURED_TERMS } from "../model/calibration.js";
import { DEFAULT_SOFTWARE } from "../model/link-model.js";

export const DEFAULT_CALIBRATION_FILE = "longhaul-calibration.json";

const USAGE = `usage: longhaul calibrate [--out FILE] [--json] [--quick]

Measures this host's reduction speed (wasm kernel), a ZeroMQ message's CPU cost and one-way
latency over loopback, and the CPU per loopback byte, and writes them as JSON (default
${DEFAULT_CALIBRATION_FILE}). The cost model uses them instead of the constants fitted on the
development machine when the JSON is in ${CALIBRATION_ENV}, which the launcher passes to every
rank alike (so the whole world builds the same model):

  ${CALIBRATION_ENV}="$(cat ${DEFAULT_CALIBRATION_FILE})" longhaul bench allreduce --emulate ...

Without it the defaults stay. Measure on an idle host: a busy one makes every figure slower.

  --out FILE   where to write (default ${DEFAULT_CALIBRATION_FILE})
  --json       print the JSON instead of the table
  --quick      shorter runs (a few hundred ms; less accurate)`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { out: { type: "string", default: DEFAULT_CALIBRATION_FILE }, json: { type: "boolean", default: false }, quick: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } }));
  } catch (error) {
    console.error(`longhaul calibrate: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const result = await calibrate({ quick: values.quick });
  await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`term          measured      default (fitted on the development machine)`);
    for (const term of MEASURED_TERMS) console.log(`${term.padEnd(13)} ${result.software[term].toExponential(3).padEnd(13)} ${DEFAULT_SOFTWARE[term].toExponential(3)}`);
    console.log(`reduction ${result.figures.reductionGBps.toFixed(2)} GB/s, loopback ${result.figures.loopbackGBps.toFixed(2)} GB/s, round trip ${result.figures.roundTripUs.toFixed(0)} µs on ${result.host} (${result.cores} cores)`);
    console.log(`wrote ${values.out}`);
  }
  return 0;
}
