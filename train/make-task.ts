import type { TrainConfig } from "./config.js";
import type { TrainTask } from "./task.js";

/**
 * The task `config.model` names, for rank `rank` of `size` or for the one-process reference ("all").
 * Each model's data is imported on demand, so an MLP run never reads the Brown corpus and an LM
 * run never reads MNIST.
 */
export async function makeTask(config: TrainConfig, rank: number | "all", size: number): Promise<TrainTask> {
  if ((config.model ?? "mlp") === "lm") {
    const [{ lmTask }, { loadBrown }] = await Promise.all([import("./lm/lm-task.js"), import("./lm/corpus.js")]);
    return lmTask(config, loadBrown(), rank, size);
  }
  const [{ mnistTask }, { loadMnist }] = await Promise.all([import("./mnist-task.js"), import("./mnist-data.js")]);
  return mnistTask(config, loadMnist(), rank, size);
}
