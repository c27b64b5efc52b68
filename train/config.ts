import type { CompressOptions } from "../collectives/compression/types.js";

export const METHODS = ["sync", "topk", "diloco", "streaming-diloco"] as const;
export type Method = (typeof METHODS)[number];

export const MODELS = ["mlp", "lm"] as const;
/** mlp: the 784-hidden-10 MLP on MNIST; lm: the small causal transformer on the Brown corpus (train/lm/). */
export type ModelKind = (typeof MODELS)[number];

/** The LM's shape and inner-optimizer schedule (AdamW: linear warm-up, cosine decay to 10%). */
export interface LmConfig {
  dModel: number;
  heads: number;
  layers: number;
  /** Context length in characters. */
  seqLen: number;
  warmupSteps: number;
  weightDecay: number;
  /** Validation windows of seqLen + 1 characters, spread evenly over the held-out documents. */
  valWindows: number;
}

/** The LM's steps and sequences per rank per step where the flags leave them (the MLP's are in DEFAULT_CONFIG). */
export const DEFAULT_LM_STEPS = 300;
export const DEFAULT_LM_BATCH = 8;
export const DEFAULT_LM: LmConfig = { dModel: 32, heads: 4, layers: 2, seqLen: 32, warmupSteps: 30, weightDecay: 0.01, valWindows: 128 };
/** The LM's peak inner learning rate for sync and top-k (the MLP's is DEFAULT_CONFIG.lr): of 3e-3, 1e-2, 2e-2, the one-process reference at 8 x 8 sequences and 300 steps ended lowest with 1e-2 (validation loss 2.73, 2.62, 3.06). */
export const DEFAULT_LM_LR = 1e-2;
/**
 * The LM's DiLoCo and streaming DiLoCo settings where the flags leave them. A worker's inner steps
 * see its own 8 windows, not the group's 64, and run H of them apart: at sync's 1e-2 the workers
 * drift so far from each other that their average stays on the unigram plateau (3.05 nats after
 * 300 steps), while at 2e-3 it ends at 2.67. With 6 outer steps in a run, Nesterov's momentum
 * (0.7, 0.9) overshoots after the first and ends at 2.89; plain averaging (1, 0) does not.
 * Measured in docs/trainer.md ("The LM's DiLoCo recipe"). The peak is for 8 windows per rank
 * (DEFAULT_LM_BATCH); dilocoInnerLr scales it to other batches.
 */
export const DEFAULT_LM_DILOCO = { lr: 2e-3, outerLr: 1, outerMomentum: 0 } as const;

/**
 * DiLoCo's inner peak on the LM at `batch` windows per rank: DEFAULT_LM_DILOCO.lr at 8, scaled by
 * the square root of the batch (Adam's square-root scaling rule, Malladi et al. 2022), as a less
 * noisy gradient bears a larger step. One worker alone over 1,000 steps: at 8 windows 2e-3 beat
 * 1e-2 (validation loss 2.45 against 2.57); at 64, 5e-3 beat 2e-3 (2.01 against 2.20). The rule
 * gives 5.7e-3 at 64. Measured in docs/trainer.md ("Where DiLoCo keeps up").
 */
export function dilocoInnerLr(batch: number): number {
  return DEFAULT_LM_DILOCO.lr * Math.sqrt(batch / DEFAULT_LM_BATCH);
}

/**
 * The LM's top-k settings where the flags leave them: top-k of AdamW's update, not of the gradient,
 * at twice sync's peak. Of top-k 1% runs at 300 steps on 8 ranks (docs/trainer.md), the gradient's
 * stayed on the unigram plateau at 1e-2 (across the continents) and 2e-2 (one site; perplexity 21.75 both); the update's ended at
 * 21.29, 18.85, 15.60 and 15.17 with peaks of 4e-3, 1e-2, 2e-2 and 4e-2. 2e-2 and 4e-2 are within
 * the spread of single runs; the lower is the default.
 */
export const DEFAULT_LM_TOPK = { lr: 2e-2, topkOn: "update" } as const;

/** What a method trains with at `batch` samples per rank where the flags leave it: the LM's DiLoCo and top-k recipes differ from sync's. */
export function methodDefaults(model: ModelKind, method: Method, batch: number): Pick<TrainConfig, "lr" | "outerLr" | "outerMomentum" | "topkOn"> {
  if (model === "mlp") return { lr: DEFAULT_CONFIG.lr };
  if (method === "diloco" || method === "streaming-diloco") return { ...DEFAULT_LM_DILOCO, lr: dilocoInnerLr(batch) };
  return method === "topk" ? { ...DEFAULT_LM_TOPK } : { lr: DEFAULT_LM_LR };
}
/** What one rank's training loop reports. */
export interface RankRun {
  seconds: number;
  /** Of `seconds`, the time the loop stood waiting for communication (load-independent-ish). */
  waitSeconds: number;
  /** Wall-clock time (epoch ms) training started and each step ended: compares runs that overlapped. */
  startedMs: number;
  stepEndsMs: number[];
  syncs: number;
  /** The MLP's held-out accuracy. */
  testAccuracy?: number;
  /** The LM's validation loss (nats per character). */
  valLoss?: number;
  finalLoss: number;
  /** With --elastic: what the rank's membership did. */
  elastic?: ElasticRankReport;
}

/** One rank's view of an elastic run (train-rank-elastic.ts). */
export interface ElasticRankReport {
  outerSteps: number;
  /** Inner steps all members' outer steps carried, summed: the useful work of the whole group. */
  contributedInnerSteps: number;
  /** The outer step it (re)joined at: 0, or later for a restarted rank. */
  joinedAtOuterStep: number;
  /** When its process started and when it first contributed to an outer step (epoch ms). */
  processStartMs: number;
  firstContributedMs?: number;
  /** Checksum (FNV-1a) of its final global parameters: equal on every rank that finished. */
  checksum: string;
  /** Its membership's events: healed, retry, outer-step (epoch ms). */
  events: Array<{ kind: string; atMs: number; epoch: number; outerStep: number }>;
}

/** Everything that defines one training run; identical on every rank and in the baseline. */
export interface TrainConfig {
  method: Method;
  /** Which model trains (default mlp). */
  model?: ModelKind;
  /** The LM's settings (model lm; default DEFAULT_LM). */
  lm?: LmConfig;
  steps: number;
  /** Samples per rank per step (the LM: sequences of lm.seqLen characters). */
  batch: number;
  hidden: number;
  /** Inner learning rate (Adam for the MLP; AdamW's peak for the LM). */
  lr: number;
  /** DiLoCo's H. */
  innerSteps: number;
  topkRatio: number;
  /** What topk compresses: the gradient, before the optimizer (default), or the optimizer's update (compressed-update.ts). */
  topkOn?: "gradient" | "update";
  fragments: number;
  /** Inner steps an outer exchange overlaps (default: defaultDiLoCoOverlap(H) for diloco, 5 for streaming-diloco). */
  overlapSteps?: number;
  /** DiLoCo's outer Nesterov learning rate and momentum (default 0.7 and 0.9, the paper's). */
  outerLr?: number;
  outerMomentum?: number;
  /** Quantise DiLoCo's outer gradients on the wire. */
  outerCompress?: "fp16" | "int8";
  /** Each rank's transport and collectives run in a communication thread (init({ commThread: true })). */
  commThread?: boolean;
  /** DiLoCo in fault-tolerant mode: initElastic and ElasticDiLoCo under launch's lighthouse. */
  elastic?: boolean;
  /** Elastic DiLoCo: wait for each outer step instead of training on while it is in flight. */
  blockingOuter?: boolean;
  seed: number;
}

/**
 * DiLoCo's overlap when none is given: half a round. Measured (docs/trainer.md): across the emulated
 * continents the MNIST step rate goes from 71–77% of one site blocking to 87% at H/2 (91% at H).
 * On the LM, at H (a whole round late) perplexity went from 21.3 to 33.9 under sync's recipe; with
 * the LM's DiLoCo recipe H/2 ended at 15.2 against 14.4 blocking, one run each, inside the spread
 * of single runs at 300 steps.
 */
export function defaultDiLoCoOverlap(innerSteps: number): number {
  return Math.floor(innerSteps / 2);
}

export const DEFAULT_CONFIG: Omit<TrainConfig, "method"> = {
  steps: 600,
  batch: 32,
  hidden: 128,
  lr: 1e-3,
  // Measured on continents (see the issue 6 note): H = 50 with fp16 outer gradients stays within
  // 0.5 point of the one-process model; H = 100 in fp32 fell 1.2 points behind.
  innerSteps: 50,
  outerCompress: "fp16",
  topkRatio: 0.01,
  fragments: 4,
  seed: 7,
};

export function outerCompression(config: TrainConfig): CompressOptions | undefined {
  return config.outerCompress ? { kind: config.outerCompress } : undefined;
}

/** What each rank reports (one JSON file per rank). */
export interface RankResult extends RankRun {
  rank: number;
  method: Method;
  steps: number;
  wanBytes: number;
  lanBytes: number;
}

/** The LM's run as `longhaul train --model lm --method M --steps N` configures it with no other flag. */
export function lmTrainConfig(method: Method, steps = DEFAULT_LM_STEPS): TrainConfig {
  return { ...DEFAULT_CONFIG, method, model: "lm", lm: { ...DEFAULT_LM }, steps, batch: DEFAULT_LM_BATCH, ...methodDefaults("lm", method, DEFAULT_LM_BATCH) };
}
