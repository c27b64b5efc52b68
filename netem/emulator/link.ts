import { MSS_BYTES } from "../../model/tcp.js";
import type { LinkProfile } from "../profile.js";
import type { LinkImpairment } from "./impairment.js";

/** Bytes of one TCP segment (1500-byte MTU minus headers): the unit of loss. */
export const SEGMENT_BYTES = MSS_BYTES;

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

/** What one chunk handed to the link meets. */
export interface Transmission {
  /** When its last byte reaches the far end, counting a fast retransmit's round trip for a lost segment. */
  readonly at: number;
  /** Its segments lost on the way (each costs the sender a loss event's reduction). */
  readonly lostSegments: number;
  /** The link was down or partitioned when it left: it never arrives; the sender's retransmission timer must get it through. */
  readonly blackholed: boolean;
}

/**
 * One directed region-to-region link: a token bucket shared by every connection that crosses it
 * (virtual clock: a chunk departs when the previous one has been serialized at `rateMbit`), a
 * one-way delay with jitter, and loss turned into an extra round trip (a TCP fast retransmit).
 * A fault schedule's impairment (netem/faults/) replaces the profile's rate and loss and adds to
 * its delay while it lasts; a down or partitioned link delivers nothing.
 */
export class LinkShaper {
  private nextFreeMs = 0;
  private geBad = false;
  bytes = 0;
  chunks = 0;
  lostSegments = 0;
  /** Faults laid over the profile now (netem/faults/), merged. */
  impairment: LinkImpairment | undefined;
  private readonly partitionListeners = new Set<() => void>();

  constructor(
    readonly profile: LinkProfile,
    /** Extra time a lost segment costs: roughly one round trip on this path. */
    readonly retransmitMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  setImpairment(impairment: LinkImpairment | undefined): void {
    const partitionStarts = Boolean(impairment?.partition) && !this.impairment?.partition;
    this.impairment = impairment;
    if (partitionStarts) for (const listener of [...this.partitionListeners]) listener();
  }

  /** `listener` runs when a partition starts on this link (the routes reset their connections); returns the unsubscribe. */
  onPartition(listener: () => void): () => void {
    this.partitionListeners.add(listener);
    return () => void this.partitionListeners.delete(listener);
  }

  /** Down or partitioned: nothing crosses. */
  get blocked(): boolean {
    return Boolean(this.impairment?.down || this.impairment?.partition);
  }

  get partitioned(): boolean {
    return Boolean(this.impairment?.partition);
  }

  /** The rate in effect (Mbit/s; undefined: unshaped). */
  get rateMbit(): number | undefined {
    return this.impairment?.rateMbit ?? this.profile.rateMbit;
  }

  /** The one-way delay in effect, without jitter (ms). */
  get delayMs(): number {
    return this.profile.delayMs + (this.impairment?.extraDelayMs ?? 0);
  }

  /** Serialization backlog (ms) a chunk arriving now would wait before departing. */
  backlogMs(now: number): number {
    return Math.max(0, this.nextFreeMs - now);
  }

  /** Hands `bytes` to the link at `now`. */
  transmit(bytes: number, now: number): Transmission {
    this.bytes += bytes;
    this.chunks++;
    let departs = now;
    const rate = this.rateMbit;
    if (rate !== undefined) {
      departs = Math.max(now, this.nextFreeMs) + (bytes * 8) / (rate * 1000);
      this.nextFreeMs = departs;
    }
    const blackholed = this.blocked;
    const lostSegments = blackholed ? 0 : this.lost(bytes);
    const at = departs + Math.max(0, this.delayMs + sampleJitter(this.profile, this.random)) + (lostSegments > 0 ? this.retransmitMs : 0);
    return { at, lostSegments, blackholed };
  }

  /** Segments of the chunk lost (random or Gilbert-Elliott, per segment; an impairment's loss replaces the profile's). */
  private lost(bytes: number): number {
    const source = this.impairment?.lossPct !== undefined || this.impairment?.gilbertElliott !== undefined ? this.impairment : this.profile;
    const { lossPct, gilbertElliott: ge } = source;
    if (!lossPct && !ge) return 0;
    const segments = Math.max(1, Math.ceil(bytes / SEGMENT_BYTES));
    let lost = 0;
    for (let i = 0; i < segments; i++) {
      let pct = lossPct ?? 0;
      if (ge) {
        this.geBad = this.geBad ? this.random() * 100 >= ge.r : this.random() * 100 < ge.p;
        pct = this.geBad ? ge.lossBadPct ?? 100 : ge.lossGoodPct ?? 0;
      }
      if (this.random() * 100 < pct) lost++;
    }
    this.lostSegments += lost;
    return lost;
  }
}
