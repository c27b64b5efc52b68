/**
 * A host's cores for the cost model, as a capacity calendar: time is cut into short slots of
 * `cores` core-seconds per second each, and a piece of CPU work fills the earliest free capacity
 * from the moment it is ready, at most one core at a time (one thread). So ranks that compute
 * together share the cores (8 busy ranks on 2 cores run 4x slower), while a process whose peers
 * sit waiting on the WAN gets a whole core. (A fixed "processes per core" slowdown charged the
 * emulator 4.5x on every WAN byte even while the ranks idled, and so over-predicted the CPU-bound,
 * WAN-overlapped hierarchical all-reduce 2x.) Work booked out of time order still finds the
 * capacity left in earlier slots, so the simulator's roughly-in-time-order booking is enough.
 */
export const CPU_SLOT_S = 50e-6;

export class CpuCalendar {
  private used = new Float64Array(1024); // core-seconds booked per slot
  private firstOpen = 0; // slots before this one are full

  constructor(private readonly cores: number) {}

  /** Books `work` core-seconds that can start at `ready` (s); returns when the work is done. */
  book(ready: number, work: number): number {
    if (work <= 0) return ready;
    if (!Number.isFinite(this.cores)) return ready + work;
    const capacity = this.cores * CPU_SLOT_S;
    let t = ready;
    let left = work;
    for (let i = Math.max(Math.floor(ready / CPU_SLOT_S), this.firstOpen); ; i++) {
      if (i >= this.used.length) this.grow(i);
      const slotStart = i * CPU_SLOT_S;
      t = Math.max(t, slotStart);
      const take = Math.min(left, slotStart + CPU_SLOT_S - t, capacity - this.used[i]);
      if (take <= 0) continue;
      // Work already booked in the slot is spread over its cores from the slot's start.
      const done = Math.max(t + take, slotStart + (this.used[i] + take) / this.cores);
      this.used[i] += take;
      left -= take;
      while (this.firstOpen <= i && this.used[this.firstOpen] >= capacity * (1 - 1e-9)) this.firstOpen++;
      if (left <= work * 1e-12) return done;
      t = done;
    }
  }

  private grow(index: number): void {
    const next = new Float64Array(Math.max(index + 1, this.used.length * 2));
    next.set(this.used);
    this.used = next;
  }
}
