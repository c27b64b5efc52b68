import { DEFAULT_LM, type TrainConfig } from "../config.js";
import type { TrainTask } from "../task.js";
import { AdamW } from "./adamw.js";
import { trainWindows, validationWindows } from "./batches.js";
import { VOCAB, type Corpus } from "./corpus.js";
import { TransformerLm } from "./transformer.js";
import * as tf from "@tensorflow/tfjs";

/** Validation loss over at most this many windows per forward pass (bounds the memory of one pass). */
const EVAL_CHUNK = 64;

/**
 * The causal transformer LM with AdamW on the Brown corpus: rank `rank` of `size` draws its own
 * windows each step; with rank "all", one process trains each step on the union of the windows
 * all `size` ranks draw at that step (the one-process reference at the same global batch).
 */
export function lmTask(config: TrainConfig, corpus: Corpus, rank: number | "all", size: number): TrainTask {
  const lm = config.lm ?? DEFAULT_LM;
  const model = new TransformerLm({ vocab: VOCAB, seqLen: lm.seqLen, dModel: lm.dModel, heads: lm.heads, layers: lm.layers }, config.seed);
  const optimizer = new AdamW({ lr: config.lr, warmupSteps: lm.warmupSteps, totalSteps: config.steps, weightDecay: lm.weightDecay, beta2: 0.99 });
  const ranks = rank === "all" ? Array.from({ length: size }, (_, r) => r) : [rank];
  const windowsAt = (step: number): Int32Array => {
    const parts = ranks.map((r) => trainWindows(corpus.train, config.seed, r, step, config.batch, lm.seqLen));
    if (parts.length === 1) return parts[0];
    const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  };
  const validation = validationWindows(corpus.validation, lm.valWindows, lm.seqLen);
  return {
    vars: model.vars,
    optimizer,
    lossAt: (step) => {
      const windows = windowsAt(step);
      return () => model.loss(windows, config.batch * ranks.length);
    },
    evaluate: () => {
      let total = 0;
      const width = lm.seqLen + 1;
      for (let at = 0; at < lm.valWindows; at += EVAL_CHUNK) {
        const count = Math.min(EVAL_CHUNK, lm.valWindows - at);
        total += count * tf.tidy(() => model.loss(validation.subarray(at * width, (at + count) * width), count).dataSync()[0]);
      }
      return { valLoss: total / lm.valWindows };
    },
    dispose: () => (model.dispose(), optimizer.dispose()),
  };
}
