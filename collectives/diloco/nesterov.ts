/**
 * DiLoCo's outer optimizer: SGD with Nesterov momentum (torch.optim.SGD(nesterov=True), no
 * dampening) applied to the averaged pseudo-gradient g:
 *   b <- mu * b + g;   p <- p - lr * (g + mu * b)
 */
export class OuterNesterov {
  readonly buffer: Float32Array;

  constructor(
    length: number,
    readonly lr = 0.7,
    readonly momentum = 0.9,
  ) {
    this.buffer = new Float32Array(length);
  }

  /** Updates `params[offset..]` with `grad`, using the matching slice of the momentum buffer. */
  step(params: Float32Array, grad: Float32Array, offset = 0): void {
    const { lr, momentum: mu } = this;
    const b = this.buffer;
    for (let i = 0; i < grad.length; i++) {
      const bi = mu * b[offset + i] + grad[i];
      b[offset + i] = bi;
      params[offset + i] -= lr * (grad[i] + mu * bi);
    }
  }
}
