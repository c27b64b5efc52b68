import * as tf from "@tensorflow/tfjs";
import { invalidArgument } from "../../world/comm-error.js";
import { seededRandom } from "../mnist-data.js";

/** The shape of the causal transformer LM. */
export interface LmShape {
  vocab: number;
  /** Context length in tokens. */
  seqLen: number;
  dModel: number;
  heads: number;
  layers: number;
}

let instances = 0;

/**
 * A small GPT-style causal transformer LM as plain tfjs variables: token embedding (also the output
 * layer: weight-tied), learned positions, `layers` pre-norm decoder blocks (multi-head causal
 * self-attention, a 4x GELU MLP, layer norms), a final layer norm. Initialised from `seed`
 * (normal, std 0.02; the residual projections scaled by 1/sqrt(2 layers), as GPT-2).
 *
 * Only ops with kernels in tfjs's wasm backend: the embedding lookup is a one-hot product (the wasm
 * backend has no kernel for the gather's gradient), the mask an added constant.
 */
export class TransformerLm {
  readonly vars: tf.Variable[];
  private readonly byName = new Map<string, tf.Variable>();
  private readonly mask: tf.Tensor2D;

  constructor(readonly shape: LmShape, seed = 7) {
    const { vocab, seqLen, dModel: d, layers } = shape;
    if (d % shape.heads !== 0) throw invalidArgument(`dModel ${d} is not a multiple of heads ${shape.heads}; pick a head count that divides the width (e.g. --heads 4 with --d-model 32)`, "TransformerLm");
    const id = instances++;
    const random = seededRandom(seed);
    const normal = (n: number, std: number) =>
      Float32Array.from({ length: n }, () => std * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
    const vars: tf.Variable[] = [];
    const add = (name: string, shape: number[], values: Float32Array | "ones" | "zeros") => {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = values === "ones" ? new Float32Array(size).fill(1) : values === "zeros" ? new Float32Array(size) : values;
      const v = tf.variable(tf.tensor(data, shape, "float32"), true, `lm${id}_${name}`);
      vars.push(v);
      this.byName.set(name, v);
    };
    const residual = 0.02 / Math.sqrt(2 * layers);
    add("wte", [vocab, d], normal(vocab * d, 0.02));
    add("wpe", [seqLen, d], normal(seqLen * d, 0.01));
    for (let l = 0; l < layers; l++) {
      add(`h${l}.ln1.g`, [d], "ones");
      add(`h${l}.ln1.b`, [d], "zeros");
      add(`h${l}.attn.qkv`, [d, 3 * d], normal(3 * d * d, 0.02));
      add(`h${l}.attn.proj`, [d, d], normal(d * d, residual));
      add(`h${l}.ln2.g`, [d], "ones");
      add(`h${l}.ln2.b`, [d], "zeros");
      add(`h${l}.mlp.fc`, [d, 4 * d], normal(4 * d * d, 0.02));
      add(`h${l}.mlp.fc.b`, [4 * d], "zeros");
      add(`h${l}.mlp.proj`, [4 * d, d], normal(4 * d * d, residual));
      add(`h${l}.mlp.proj.b`, [d], "zeros");
    }
    add("lnf.g", [d], "ones");
    add("lnf.b", [d], "zeros");
    this.vars = vars;
    const mask = new Float32Array(seqLen * seqLen);
    for (let i = 0; i < seqLen; i++) for (let j = i + 1; j < seqLen; j++) mask[i * seqLen + j] = -1e9;
    this.mask = tf.tensor2d(mask, [seqLen, seqLen]);
  }

  get parameterCount(): number {
    return this.vars.reduce((sum, v) => sum + v.size, 0);
  }

  private p(name: string): tf.Tensor {
    return this.byName.get(name)!;
  }

  private layerNorm(x: tf.Tensor2D, prefix: string): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(variance.add(1e-5).rsqrt()).mul(this.p(`${prefix}.g`)).add(this.p(`${prefix}.b`)) as tf.Tensor2D;
  }

  /** Rows of [batch * T, d] through one block's causal self-attention (returns the residual branch). */
  private attention(x: tf.Tensor2D, l: number, batch: number, T: number): tf.Tensor2D {
    const { dModel: d, heads } = this.shape;
    const dh = d / heads;
    const qkv = x.matMul(this.p(`h${l}.attn.qkv`) as tf.Tensor2D);
    const [q, k, v] = tf.split(qkv, 3, 1).map((t) => t.reshape([batch, T, heads, dh]).transpose([0, 2, 1, 3]).reshape([batch * heads, T, dh]) as tf.Tensor3D);
    const scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(dh)).add(T === this.shape.seqLen ? this.mask : this.mask.slice([0, 0], [T, T]));
    const out = tf.matMul(tf.softmax(scores), v).reshape([batch, heads, T, dh]).transpose([0, 2, 1, 3]).reshape([batch * T, d]) as tf.Tensor2D;
    return out.matMul(this.p(`h${l}.attn.proj`) as tf.Tensor2D) as tf.Tensor2D;
  }

  private mlp(x: tf.Tensor2D, l: number): tf.Tensor2D {
    const h = x.matMul(this.p(`h${l}.mlp.fc`) as tf.Tensor2D).add(this.p(`h${l}.mlp.fc.b`));
    // GELU, tanh form (no Erf gradient needed).
    const gelu = h.mul(h.pow(3).mul(0.044715).add(h).mul(Math.sqrt(2 / Math.PI)).tanh().add(1)).mul(0.5);
    return gelu.matMul(this.p(`h${l}.mlp.proj`) as tf.Tensor2D).add(this.p(`h${l}.mlp.proj.b`)) as tf.Tensor2D;
  }

  /** Next-token logits [batch * T, vocab] for token rows [batch, T]. */
  logits(tokens: tf.Tensor2D): tf.Tensor2D {
    const [batch, T] = tokens.shape;
    const { vocab, dModel: d } = this.shape;
    const wte = this.p("wte") as tf.Tensor2D;
    const oneHot = tf.oneHot(tokens.reshape([batch * T]) as tf.Tensor1D, vocab).toFloat() as tf.Tensor2D;
    const positions = (T === this.shape.seqLen ? this.p("wpe") : this.p("wpe").slice([0, 0], [T, d])) as tf.Tensor2D;
    let x = oneHot.matMul(wte).reshape([batch, T, d]).add(positions).reshape([batch * T, d]) as tf.Tensor2D;
    for (let l = 0; l < this.shape.layers; l++) {
      x = x.add(this.attention(this.layerNorm(x, `h${l}.ln1`), l, batch, T)) as tf.Tensor2D;
      x = x.add(this.mlp(this.layerNorm(x, `h${l}.ln2`), l)) as tf.Tensor2D;
    }
    return this.layerNorm(x, "lnf").matMul(wte, false, true) as tf.Tensor2D;
  }

  /** Mean next-token cross-entropy (nats) of `count` windows of T + 1 tokens laid end to end in `windows`. */
  loss(windows: Int32Array, count: number): tf.Scalar {
    const T = windows.length / count - 1;
    const all = tf.tensor2d(windows, [count, T + 1], "int32");
    const inputs = all.slice([0, 0], [count, T]) as tf.Tensor2D;
    const targets = all.slice([0, 1], [count, T]).reshape([count * T]) as tf.Tensor1D;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(targets, this.shape.vocab), this.logits(inputs)) as tf.Scalar;
  }

  dispose(): void {
    tf.dispose([...this.vars, this.mask]);
  }
}
