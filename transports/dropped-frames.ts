/**
 * Counts the frames a rank refused (another job's, malformed, forged), by reason. Nothing refused is
 * ever delivered; the counts are for diagnosis (`transport.dropped`), and the first frame of each
 * reason is reported on stderr so a port shared with another job, or an attack, is visible.
 */
export class DroppedFrames {
  readonly counts = new Map<string, number>();

  constructor(
    private readonly rank: number,
    private readonly report: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  drop(reason: string): void {
    const count = (this.counts.get(reason) ?? 0) + 1;
    this.counts.set(reason, count);
    if (count === 1) this.report(`longhaul: rank ${this.rank}: dropped a frame (${reason}); later ones for the same reason are only counted\n`);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
