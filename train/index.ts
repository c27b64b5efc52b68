/**
 * longhaul's trainer surface (imports @tensorflow/tfjs; kept out of the root barrel so that
 * `import { init } from "longhaul"` does not load tfjs). Framework-agnostic pieces live in
 * collectives/compression and collectives/diloco and work on Float32Array.
 */
export { DistributedOptimizer, broadcastVariables, readVariables, writeVariables, type DistributedOptimizerOptions } from "./tfjs-adapter.js";
export { flatten, split } from "./flat.js";
export { GradientBuckets, assignBuckets, DEFAULT_BUCKET_BYTES, type BucketOptions } from "./grad-buckets.js";
export { useWasmBackend } from "./tfjs-backend.js";
export { loadMnist, shardOf, batchRows, takeRows, type Dataset } from "./mnist-data.js";
export { MnistMlp } from "./mnist-mlp.js";
export { mnistTask } from "./mnist-task.js";
export { makeTask } from "./make-task.js";
export type { TrainTask, Evaluation } from "./task.js";
export { TransformerLm, type LmShape } from "./lm/transformer.js";
export { AdamW, learningRateAt, type AdamWOptions } from "./lm/adamw.js";
export { loadBrown, encode, decodeToken, VOCAB, type Corpus } from "./lm/corpus.js";
export { lmTask } from "./lm/lm-task.js";
export { trainRank } from "./train-rank.js";
export type { RankRun } from "./config.js";
export { trainOneProcess } from "./train-one-process.js";
export { runTraining, type TrainSummary, type TrainingOptions } from "./run-training.js";
export { DEFAULT_CONFIG, DEFAULT_LM, DEFAULT_LM_LR, METHODS, MODELS, type Method, type ModelKind, type LmConfig, type TrainConfig, type RankResult } from "./config.js";
