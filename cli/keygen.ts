import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateCurveKeys } from "../transports/curve.js";

const HELP = `usage: longhaul keygen --out FILE

Writes a fresh set of CURVE keys for one job (JSON, mode 0600). Give the same file to every rank
of the job: LONGHAUL_CURVE=1 LONGHAUL_CURVE_KEYS=FILE (or "longhaul launch --curve" with
LONGHAUL_CURVE_KEYS set). A rank without these keys cannot join the job or read its traffic.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: "string" }, help: { type: "boolean", short: "h", default: false } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.out) {
    console.error(`longhaul keygen: --out FILE is required\n\n${HELP}`);
    return 2;
  }
  writeFileSync(values.out, JSON.stringify(generateCurveKeys(), null, 2) + "\n", { mode: 0o600, flag: "wx" });
  console.log(`wrote CURVE keys for one job to ${values.out}`);
  return 0;
}
