/**
 * One peer's side of the closing handshake, as this rank sees it. A closing rank sends BYE on every
 * stream with the number of DATA frames it sent on that stream; frames on one stream arrive in
 * order, so when the BYE of every stream is in, the counts say whether anything was lost. Only then
 * does this rank answer BYE_ACK and treat the peer as gone: a peer is lost when its frames stop
 * short of its count, never merely because its connection closed.
 */
export type ByeVerdict = { state: "waiting" } | { state: "left" } | { state: "short"; missing: number };

export class PeerClosing {
  /** DATA frames accepted from the peer, per stream. */
  private readonly received: number[] = [];
  /** The counts in the peer's BYE, per stream (undefined until that stream's BYE arrived). */
  private byeCounts?: Array<number | undefined>;
  /** The peer's BYE is complete and every frame it counted arrived. */
  left = false;
  /** The peer confirmed (BYE_ACK) that every frame this rank sent it arrived. */
  ackedOurs = false;

  countData(stream: number): ByeVerdict {
    this.received[stream] = (this.received[stream] ?? 0) + 1;
    return this.byeCounts ? this.verdict() : { state: "waiting" };
  }

  onBye(stream: number, streams: number, count: number): ByeVerdict {
    if (this.left) return { state: "waiting" };
    this.byeCounts ??= new Array<number | undefined>(Math.max(1, streams)).fill(undefined);
    if (stream < this.byeCounts.length) this.byeCounts[stream] = count;
    return this.verdict();
  }

  /** Whether this rank may finish closing without hearing more from the peer. */
  get settled(): boolean {
    return this.left || this.ackedOurs;
  }

  private verdict(): ByeVerdict {
    const counts = this.byeCounts!;
    if (counts.some((c) => c === undefined)) return { state: "waiting" };
    let missing = 0;
    counts.forEach((count, stream) => (missing += Math.max(0, count! - (this.received[stream] ?? 0))));
    if (missing > 0) return { state: "short", missing };
    this.left = true;
    return { state: "left" };
  }
}
