/**
 * A one-line progress bar on stderr: redrawn in place on a terminal, printed as plain lines
 * (at most one per step) when stderr is a pipe or a file, so logs stay readable.
 */
export interface Progress {
  /** Advance by `steps` and show `label` (what just finished or what runs now). */
  tick(label: string, steps?: number): void;
  /** Show `label` without advancing. */
  note(label: string): void;
  done(label?: string): void;
}

export interface ProgressOptions {
  readonly total: number;
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly width?: number;
  /** Clock for the elapsed-time figure (tests pass a fake). */
  readonly now?: () => number;
}

export function renderBar(done: number, total: number, width: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.round(frac * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${String(Math.round(frac * 100)).padStart(3)}%`;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const started = now();
  const width = options.width ?? 30;
  const tty = stream.isTTY === true;
  let done = 0;
  const line = (label: string): string => {
    const secs = Math.round((now() - started) / 1000);
    return `${renderBar(done, options.total, width)} ${String(secs).padStart(4)}s  ${label}`;
  };
  const show = (label: string): void => {
    if (tty) {
      const text = line(label).slice(0, Math.max(20, (stream.columns ?? 100) - 1));
      stream.write(`\r\x1b[2K${text}`);
    } else stream.write(`${line(label)}\n`);
  };
  return {
    tick(label, steps = 1) {
      done += steps;
      show(label);
    },
    note: show,
    done(label = "done") {
      done = options.total;
      show(label);
      if (tty) stream.write("\n");
    },
  };
}
