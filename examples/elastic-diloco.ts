/**
 * DiLoCo that survives its ranks: run under `longhaul launch --elastic`. Each rank pulls its
 * parameters toward its own target (a stand-in for its data shard) for H inner steps of --step-ms
 * each, then joins the quorum for the outer step (ElasticDiLoCo over initElastic). Kill a rank, or
 * restart it (--faults with kill/restart, or --max-restarts), and the others go on; a restarted
 * rank heals from the most advanced one. Each rank prints one JSON line at the end: its outer
 * steps, the checksum of its global parameters (equal on every rank that finished), the epochs.
 *
 *   longhaul launch -n 3 --elastic --faults examples/elastic-faults.yaml -- node dist/examples/elastic-diloco.js
 *
 * --background runs the outer step in the background (ranks step on while a round waits); the run
 * is then an amount of work, --outer-steps × --inner × world size inner steps, as train --elastic's.
 */
import { parseArgs } from "node:util";
import { ElasticDiLoCo, initElastic, stateHash } from "../index.js";
import { parseCount, parseDuration } from "../world/units.js";

const { values } = parseArgs({
  options: {
    "outer-steps": { type: "string", default: "10" },
    inner: { type: "string", default: "5" },
    "step-ms": { type: "string", default: "100" },
    length: { type: "string", default: "65536" },
    background: { type: "boolean", default: false },
  },
});
const outerSteps = parseCount(values["outer-steps"], "--outer-steps");
const stepMs = parseDuration(values["step-ms"], "--step-ms");
const length = parseCount(values.length, "--length");

const startMs = performance.now();
const startEpochMs = Date.now();
const at = (): number => Math.round(performance.now() - startMs);
console.error(`rank ${process.env.RANK} pid ${process.pid}`);
const group = await initElastic({ log: (line) => console.error(line) });
const params = new Float32Array(length).map((_, i) => Math.sin(i + group.rank));
const target = new Float32Array(length).map((_, i) => Math.cos(i * (group.rank + 1)));
const innerSteps = parseCount(values.inner, "--inner");
const work = values.background ? { background: true, totalInnerSteps: outerSteps * innerSteps * group.size } : {};
const diloco = new ElasticDiLoCo(group, params, { innerSteps, ...work }, (event) => {
  console.error(`${at()} ms ${event.kind} epoch ${event.epoch} members ${event.members.join(",")} outer step ${event.outerStep}${event.detail ? ` ${event.detail}` : ""}`);
});
await diloco.start();
const startedAt = diloco.outerSteps;
while (values.background ? !diloco.done : diloco.outerSteps < outerSteps) {
  await new Promise((resolve) => setTimeout(resolve, stepMs)); // the inner step's compute
  for (let i = 0; i < length; i++) params[i] += 0.1 * (target[i] - params[i]);
  await diloco.step();
}
// The first outer step this rank contributed to (in the background it completes between steps).
const first = diloco.events.find((e) => e.kind === "outer-step" && e.outerStep > startedAt);
const firstContributed = first && Math.round(first.atMs - startEpochMs);
await diloco.finish();
await diloco.leave();
console.log(JSON.stringify({
  rank: group.rank,
  outerSteps: diloco.outerSteps,
  joinedAtOuterStep: startedAt,
  firstContributedMs: firstContributed,
  checksum: stateHash(diloco.global).toString(16),
  epochs: [...new Set(diloco.events.map((e) => e.epoch))],
  retries: diloco.events.filter((e) => e.kind === "retry").length,
}));
