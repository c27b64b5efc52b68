/**
 * A fault schedule for a stress run like PCCL's: a random rank killed, then restarted 10–30 s
 * later, then another killed 10–30 s after that, one down at a time, for --minutes; seeded, so a
 * run can be repeated. Prints YAML for `longhaul launch --elastic --faults`.
 *
 *   node dist/examples/stress-faults.js --ranks 4 --minutes 10 --seed 7 > stress.yaml
 */
import { parseArgs } from "node:util";
import { parseCount } from "../world/units.js";

const { values } = parseArgs({ options: { ranks: { type: "string", default: "4" }, minutes: { type: "string", default: "10" }, seed: { type: "string", default: "7" } } });
const ranks = parseCount(values.ranks, "--ranks");
const endS = 60 * parseCount(values.minutes, "--minutes");
let seed = parseCount(values.seed, "--seed", 0);
/** The C library's linear congruential generator: the same seed gives the same schedule anywhere. */
const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

const lines = ["faults:"];
let down: number | undefined;
// The last fault starts 10 s before the end at the latest; a rank down then is restarted at the next draw.
let t = 10;
for (; t < endS - 10; t += 10 + Math.floor(random() * 21)) {
  if (down === undefined) {
    down = Math.floor(random() * ranks);
    lines.push(`  - { at: ${t}s, rank: ${down}, kill: true }`);
  } else {
    lines.push(`  - { at: ${t}s, rank: ${down}, restart: true }`);
    down = undefined;
  }
}
if (down !== undefined) lines.push(`  - { at: ${t}s, rank: ${down}, restart: true }`);
console.log(lines.join("\n"));
