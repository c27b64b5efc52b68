/** The time a training loop stands waiting for communication: each awaited exchange goes through wait(). */
export class WaitClock {
  seconds = 0;

  async wait<T>(pending: Promise<T>): Promise<T> {
    const t = performance.now();
    const value = await pending;
    this.seconds += (performance.now() - t) / 1000;
    return value;
  }
}
