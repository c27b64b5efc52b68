import { mismatch } from "./wire.js";

/**
 * Error feedback (Deep Gradient Compression, EF-SGD): what a lossy compressor did not send is kept
 * locally and added to the next gradient, so every bit of gradient mass is sent eventually.
 */
export class ErrorFeedback {
  private readonly residuals = new Map<string, Float32Array>();

  /** data + residual (a new buffer; `data` is left alone). */
  compensate(key: string, data: Float32Array): Float32Array {
    const acc = Float32Array.from(data);
    const residual = this.residuals.get(key);
    if (residual) {
      if (residual.length !== data.length) throw mismatch(`error-feedback residual "${key}" has ${residual.length} elements, the gradient ${data.length}; give each buffer its own compress.key`);
      for (let i = 0; i < acc.length; i++) acc[i] += residual[i];
    }
    return acc;
  }

  /** residual = acc - sent, where `sent` is what the peers decode. */
  keep(key: string, acc: Float32Array, sent: Float32Array): void {
    const residual = this.residuals.get(key) ?? new Float32Array(acc.length);
    for (let i = 0; i < acc.length; i++) residual[i] = acc[i] - sent[i];
    this.residuals.set(key, residual);
  }

  residual(key: string): Float32Array | undefined {
    return this.residuals.get(key);
  }

  reset(): void {
    this.residuals.clear();
  }
}

const byOwner = new WeakMap<object, ErrorFeedback>();

/** One error-feedback store per owner (the Communicator's transport), created on first use. */
export function errorFeedbackFor(owner: object): ErrorFeedback {
  let ef = byOwner.get(owner);
  if (!ef) byOwner.set(owner, (ef = new ErrorFeedback()));
  return ef;
}
