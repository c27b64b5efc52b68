/** close()'s bound on waiting for peers to confirm: a fixed part plus the bytes still in flight at the slowest assumed rate. */
export function drainLimitMs(baseMs: number, pendingBytes: number, rateMbit: number): number {
  return Math.ceil(baseMs + (pendingBytes * 8) / (rateMbit * 1000));
}

/**
 * Resolves true once `done()` holds, rechecked whenever the caller's event source calls the wake
 * function it was handed; false when `limitMs` passed first.
 */
export function waitUntil(done: () => boolean, onWake: (wake: () => void) => void, limitMs: number): Promise<boolean> {
  if (done()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(done()), limitMs);
    onWake(() => {
      if (!done()) return;
      clearTimeout(timer);
      resolve(true);
    });
  });
}
