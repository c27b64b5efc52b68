import * as tf from "@tensorflow/tfjs";

export interface AdamWOptions {
  /** Peak learning rate, reached at the end of the warm-up. */
  lr: number;
  /** Linear warm-up from lr / warmupSteps to lr over this many steps. */
  warmupSteps: number;
  /** After the warm-up, cosine decay from lr to minLrRatio · lr at step totalSteps. */
  totalSteps: number;
  minLrRatio?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Variables decayed (Loshchilov & Hutter's decoupled decay); default: every variable with 2 or more dimensions. */
  decays?: (variable: tf.Variable) => boolean;
}

/** The learning rate at step (0-based): linear warm-up, then cosine decay to minLrRatio · lr. */
export function learningRateAt(step: number, o: Pick<AdamWOptions, "lr" | "warmupSteps" | "totalSteps" | "minLrRatio">): number {
  const min = (o.minLrRatio ?? 0.1) * o.lr;
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const span = Math.max(1, o.totalSteps - o.warmupSteps);
  const progress = Math.min(1, (step - o.warmupSteps) / span);
  return min + 0.5 * (o.lr - min) * (1 + Math.cos(Math.PI * progress));
}

/**
 * AdamW (Adam with decoupled weight decay) with the schedule of learningRateAt, as a tfjs Optimizer,
 * so that DistributedOptimizer and minimize() drive it like any other.
 */
export class AdamW extends tf.Optimizer {
  static get className(): string {
    return "LonghaulAdamW";
  }
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private step = 0;

  constructor(private readonly options: AdamWOptions) {
    super();
  }

  get learningRate(): number {
    return learningRateAt(this.step, this.options);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const named = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const { beta1 = 0.9, beta2 = 0.95, epsilon = 1e-8, weightDecay = 0.1 } = this.options;
    const lr = this.learningRate;
    const t = this.step + 1;
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    tf.tidy(() => {
      for (const { name, tensor: g } of named) {
        const variable = tf.engine().registeredVariables[name];
        if (!this.m.has(name)) {
          this.m.set(name, tf.variable(tf.zerosLike(variable), false));
          this.v.set(name, tf.variable(tf.zerosLike(variable), false));
        }
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(m.mul(beta1).add(g.mul(1 - beta1)));
        v.assign(v.mul(beta2).add(g.square().mul(1 - beta2)));
        const update = m.div(c1).div(v.div(c2).sqrt().add(epsilon));
        const decays = this.options.decays ? this.options.decays(variable) : variable.rank >= 2;
        const base = decays ? variable.mul(1 - lr * weightDecay) : variable;
        variable.assign(base.sub(update.mul(lr)));
      }
    });
    this.step++;
    this.incrementIterations();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { lr: this.options.lr, warmupSteps: this.options.warmupSteps, totalSteps: this.options.totalSteps };
  }

  override dispose(): void {
    tf.dispose([...this.m.values(), ...this.v.values()]);
    super.dispose();
  }
}
