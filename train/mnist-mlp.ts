import * as tf from "@tensorflow/tfjs";
import { PIXELS, seededRandom, type Dataset } from "./mnist-data.js";

/** A 784-hidden-10 ReLU MLP as four tfjs variables with a seeded (He-uniform) initialisation. */
let instances = 0;

export class MnistMlp {
  readonly vars: tf.Variable[];

  constructor(hidden: number, seed = 7) {
    // tfjs registers variables by name globally; several models may share a process (tests).
    const id = instances++;
    const random = seededRandom(seed);
    const init = (fanIn: number, n: number) => {
      const limit = Math.sqrt(6 / fanIn);
      return Float32Array.from({ length: n }, () => (random() * 2 - 1) * limit);
    };
    this.vars = [
      tf.variable(tf.tensor2d(init(PIXELS, PIXELS * hidden), [PIXELS, hidden]), true, `w1_${id}`),
      tf.variable(tf.zeros([hidden]), true, `b1_${id}`),
      tf.variable(tf.tensor2d(init(hidden, hidden * 10), [hidden, 10]), true, `w2_${id}`),
      tf.variable(tf.zeros([10]), true, `b2_${id}`),
    ];
  }

  get parameterCount(): number {
    return this.vars.reduce((sum, v) => sum + v.size, 0);
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    const [w1, b1, w2, b2] = this.vars;
    return x.matMul(w1 as tf.Tensor2D).add(b1).relu().matMul(w2 as tf.Tensor2D).add(b2) as tf.Tensor2D;
  }

  /** The mean cross-entropy of a batch, as a closure for variableGrads / minimize. */
  lossOf(batch: Dataset): () => tf.Scalar {
    return () => {
      const x = tf.tensor2d(batch.x, [batch.n, PIXELS]);
      const y = tf.oneHot(tf.tensor1d(batch.y, "int32"), 10);
      return tf.losses.softmaxCrossEntropy(y, this.logits(x)) as tf.Scalar;
    };
  }

  /** Fraction of `data` classified correctly. */
  accuracy(data: Dataset): number {
    return tf.tidy(() => {
      const predicted = this.logits(tf.tensor2d(data.x, [data.n, PIXELS])).argMax(1).dataSync();
      let right = 0;
      for (let i = 0; i < data.n; i++) if (predicted[i] === data.y[i]) right++;
      return right / data.n;
    });
  }

  dispose(): void {
    tf.dispose(this.vars);
  }
}
