import { seededRandom } from "../mnist-data.js";

/**
 * Rank `rank`'s batch at `step`: `batch` windows of seqLen + 1 tokens at offsets drawn from a PRNG
 * seeded by (seed, rank, step), so any process can rebuild any rank's batch (the one-process
 * reference takes the union of all ranks' batches at each step). Laid end to end, as int32.
 */
export function trainWindows(text: Uint8Array, seed: number, rank: number, step: number, batch: number, seqLen: number): Int32Array {
  const random = seededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(rank + 1, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0);
  const span = text.length - seqLen - 1;
  const out = new Int32Array(batch * (seqLen + 1));
  for (let j = 0; j < batch; j++) {
    const at = Math.floor(random() * span);
    for (let t = 0; t <= seqLen; t++) out[j * (seqLen + 1) + t] = text[at + t];
  }
  return out;
}

/** `count` windows of seqLen + 1 tokens spread evenly over the validation text (the same on every rank). */
export function validationWindows(text: Uint8Array, count: number, seqLen: number): Int32Array {
  const stride = Math.floor((text.length - seqLen - 1) / count);
  const out = new Int32Array(count * (seqLen + 1));
  for (let j = 0; j < count; j++) for (let t = 0; t <= seqLen; t++) out[j * (seqLen + 1) + t] = text[j * stride + t];
  return out;
}
