import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { lossVsWanSvg } from "../bench/report/plots.js";
import { findPngRenderer } from "../bench/report/png.js";
import { textTable } from "../bench/report/table.js";
import type { Method, TrainConfig } from "../train/config.js";
import { runTraining, type TrainingOptions, type TrainSummary } from "../train/run-training.js";

/** One method's run in a comparison, with the figures against sync and against one site. */
export type CompareRow = TrainSummary & {
  /** sync's WAN bytes over this method's (absent without a sync row or when this method sent none). */
  wanReductionVsSync?: number;
  /** stepsPerSec / baselineStepsPerSec. */
  stepRateVsOneSite?: number;
};

/** Adds the reductions against sync and the step rates against one site. */
export function compareRows(summaries: readonly TrainSummary[]): CompareRow[] {
  const sync = summaries.find((s) => s.method === "sync");
  return summaries.map((s) => ({
    ...s,
    ...(sync && s.wanBytes > 0 && { wanReductionVsSync: sync.wanBytes / s.wanBytes }),
    ...(s.baselineStepsPerSec && { stepRateVsOneSite: s.stepsPerSec / s.baselineStepsPerSec }),
  }));
}

const fixed = (x: number | undefined, digits: number, suffix = ""): string => (x === undefined || !Number.isFinite(x) ? "-" : `${x.toFixed(digits)}${suffix}`);

/** The comparison as a text table: one row per method, then the one-process reference. */
export function compareTable(rows: readonly CompareRow[]): string {
  const lm = rows[0]?.model === "lm";
  const header = lm
    ? ["method", "val perplexity", "val loss", "WAN bytes", "vs sync", "steps/s", "one-site steps/s", "vs one site", "tokens/s"]
    : ["method", "test accuracy", "WAN bytes", "vs sync", "steps/s", "one-site steps/s", "vs one site"];
  const cells = rows.map((r) => [
    r.method,
    ...(lm ? [fixed(r.valPerplexity, 3), fixed(r.valLoss, 4)] : [fixed(r.testAccuracy === undefined ? undefined : 100 * r.testAccuracy, 1, "%")]),
    `${(r.wanBytes / 1e6).toFixed(2)} MB`,
    fixed(r.wanReductionVsSync, 1, "x fewer"),
    fixed(r.stepsPerSec, 2),
    fixed(r.baselineStepsPerSec, 2),
    fixed(r.stepRateVsOneSite === undefined ? undefined : 100 * r.stepRateVsOneSite, 1, "%"),
    ...(lm ? [fixed(r.tokensPerSec, 0)] : []),
  ]);
  const first = rows[0];
  const reference = lm
    ? first?.oneProcessValPerplexity === undefined ? [] : [`one process, same samples: val perplexity ${fixed(first.oneProcessValPerplexity, 3)}, val loss ${fixed(first.oneProcessValLoss, 4)}`]
    : first?.oneProcessAccuracy === undefined ? [] : [`one process, same samples: test accuracy ${fixed(100 * first.oneProcessAccuracy, 1, "%")}`];
  return [textTable(header, cells), ...reference].join("\n");
}

/**
 * `longhaul train --compare`: each method in turn on the same world, with its one-site reference;
 * the one-process reference once (it does not depend on the method). Prints the table (or, with
 * json, an array of one object per method) and, for the LM, writes the loss-against-WAN-bytes plot.
 */
export async function runCompare(methods: readonly Method[], options: TrainingOptions, configFor: (method: Method) => TrainConfig, output: { json: boolean; plot?: string }): Promise<number> {
  const summaries: TrainSummary[] = [];
  const failed: string[] = [];
  for (const [i, method] of methods.entries()) {
    options.log(`train --compare: ${method} (${i + 1} of ${methods.length})`);
    try {
      const summary = await runTraining({ ...options, config: configFor(method), oneProcess: summaries.length === 0 });
      summaries.push(summary);
      // Each finished method's figures at once: a later method that fails does not take them along.
      options.log(`train --compare: ${method} done: ${JSON.stringify(summary)}`);
    } catch (error) {
      failed.push(method);
      options.log(`train --compare: ${method} failed (${error instanceof Error ? error.message : String(error)}); going on with the next method`);
    }
  }
  if (!summaries.length) throw new Error(`every method of --compare failed (${failed.join(", ")}); see the rank output above`);
  const { oneProcessAccuracy, oneProcessValLoss, oneProcessValPerplexity } = summaries[0];
  const rows = compareRows(summaries.map((s) => ({ ...s, oneProcessAccuracy, oneProcessValLoss, oneProcessValPerplexity })));
  if (output.plot) {
    const title = `${rows[0].ranks} ranks on ${rows[0].topology}${rows[0].emulate ? " (emulated WAN)" : ""}, ${rows[0].steps} steps`;
    const svg = lossVsWanSvg(rows.map((r) => ({ method: r.method, wanBytes: r.wanBytes, valLoss: r.valLoss! })), `LM validation loss against WAN bytes: ${title}`, oneProcessValLoss);
    mkdirSync(dirname(output.plot), { recursive: true });
    writeFileSync(output.plot, svg);
    options.log(`train --compare: wrote ${output.plot}`);
    const png = await findPngRenderer();
    if (png && output.plot.endsWith(".svg")) {
      const pngPath = output.plot.replace(/\.svg$/, ".png");
      await png.render(output.plot, pngPath);
      options.log(`train --compare: wrote ${pngPath} (${png.name})`);
    }
  }
  console.log(output.json ? JSON.stringify(rows) : compareTable(rows));
  if (failed.length) {
    console.error(`longhaul train --compare: ${failed.join(", ")} failed (see the lines above); the table holds the others. Run the failed ones again with --compare ${failed.join(",")}`);
    return 1;
  }
  return 0;
}
