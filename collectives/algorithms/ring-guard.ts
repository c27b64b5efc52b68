/**
 * Length/dtype agreement for ring passes, at the cost of one 24-byte header per ring step.
 *
 * Each step's header travels just ahead of that step's first data segment and carries the sender's
 * (length, dtype, poisoned). A rank whose left neighbour disagrees, or arrives poisoned, sends
 * poisoned headers for every remaining step and rejects with MISMATCH; its right neighbour meets the
 * poison at its next header, so within n-1 steps every rank rejects with MISMATCH — no rank waits
 * for data that will not come, because a clean header is only sent by a rank that will send the
 * data behind it.
 */
import { mismatchError, recvFrom, type Sends } from "../op-io.js";
import type { DTypeName, OpContext } from "../types.js";

const DTYPE_CODES: Record<DTypeName, number> = { float32: 1, float64: 2, int32: 3 };
export const HEADER_STEP = 0;
const HEADER_BYTES = 24;

export class RingGuard {
  private poisoned = false;

  constructor(
    private readonly ctx: OpContext,
    private readonly sends: Sends,
    private readonly left: number,
    private readonly right: number,
    private readonly length: number,
    private readonly dtype: DTypeName,
  ) {}

  /** Sends this rank's header for the next step to the right neighbour. */
  announce(): void {
    this.sends.send(this.right, HEADER_STEP, new Float64Array([this.length, DTYPE_CODES[this.dtype], this.poisoned ? 1 : 0]));
  }

  /** Receives the left neighbour's header for this step; on disagreement poisons the rest of the ring and throws. */
  async check(remainingSteps: number): Promise<void> {
    const bytes = await recvFrom(this.ctx, this.left, HEADER_STEP, HEADER_BYTES);
    const [length, dtype, poisoned] = new Float64Array(bytes.buffer, bytes.byteOffset, 3);
    let detail: string | undefined;
    if (poisoned) detail = "another rank found that the ranks disagree on length or dtype";
    else if (length !== this.length) detail = `rank ${this.left} has ${length} elements, this rank ${this.length}`;
    else if (dtype !== DTYPE_CODES[this.dtype]) detail = `rank ${this.left} has a different dtype than this rank's ${this.dtype}`;
    if (detail === undefined) return;
    this.poisoned = true;
    for (let i = 0; i < remainingSteps; i++) this.announce();
    throw mismatchError(this.ctx, this.left, detail);
  }
}
