import type { LinkProfile } from "../profile.js";
import type { LinkImpairment } from "./impairment.js";

/** Bytes of one TCP segment (1500-byte MTU minus headers): the unit of loss. */
export const SEGMENT_BYTES = 1448;

/** Samples a delay offset in [-jitter, +jitter]-ish as netem's tables would (normal, pareto or uniform). */
export function sampleJitter(profile: LinkProfile, random: () => number): number {
  const jitter = profile.jitterMs ?? 0;
  if (jitter === 0) return 0;
  switch (profile.distribution) {
    case "normal":
    case "paretonormal": {
      // Box-Muller: σ = jitter, as netem's normal table.
      const u = 1 - random();
      return jitter * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    }
    case "pareto":
      // Heavy tail to the late side, mean ~ +jitter/2 like netem's pareto table offset.
      return jitter * (Math.pow(1 - random(), -1 / 3) - 1.5);
    default:
      return jitter * (2 * random() - 1);
  }
}

/**
 * One directed region-to-region link: a token bucket shared by every connection that crosses it
 * (virtual clock: a chunk departs when the previous one has been serialized at `rateMbit`), a
 * one-way delay with jitter, and loss turned into an extra round trip (a TCP fast retransmit).
 */
export class LinkShaper {
  private nextFreeMs = 0;
  private geBad = false;
  bytes = 0;
  chunks = 0;
  lostSegments = 0;

  /** Faults laid over the profile now (netem/faults/), merged. */
  impairment: LinkImpairment | undefined;

  setImpairment(impairment: LinkImpairment | undefined): void {
    this.impairment = impairment;
  }

  constructor(
    readonly profile: LinkProfile,
    /** Extra time a lost segment costs: roughly one round trip on this path. */
    readonly retransmitMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Serialization backlog (ms) a chunk arriving now would wait before departing. */
  backlogMs(now: number): number {
    return Math.max(0, this.nextFreeMs - now);
  }

  /** Time the last byte of `bytes` handed over at `now` arrives at the far end (before reordering protection). */
  transmit(bytes: number, now: number): number {
    this.bytes += bytes;
    this.chunks++;
    let departs = now;
    const rate = this.profile.rateMbit;
    if (rate !== undefined) {
      departs = Math.max(now, this.nextFreeMs) + (bytes * 8) / (rate * 1000);
      this.nextFreeMs = departs;
    }
    const lossExtra = this.lost(bytes) ? this.retransmitMs : 0;
    return departs + Math.max(0, this.profile.delayMs + sampleJitter(this.profile, this.random)) + lossExtra;
  }

  /** Whether any segment of the chunk is lost (random or Gilbert-Elliott, per segment). */
  private lost(bytes: number): boolean {
    const { lossPct, gilbertElliott: ge } = this.profile;
    if (!lossPct && !ge) return false;
    const segments = Math.max(1, Math.ceil(bytes / SEGMENT_BYTES));
    let lostAny = false;
    for (let i = 0; i < segments; i++) {
      let pct = lossPct ?? 0;
      if (ge) {
        this.geBad = this.geBad ? this.random() * 100 >= ge.r : this.random() * 100 < ge.p;
        pct = this.geBad ? ge.lossBadPct ?? 100 : ge.lossGoodPct ?? 0;
      }
      if (this.random() * 100 < pct) {
        this.lostSegments++;
        lostAny = true;
      }
    }
    return lostAny;
  }
}
