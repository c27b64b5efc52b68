/**
 * The main thread's end of the communication thread: posts op requests, matches each "done" to its
 * op by id, keeps the worker referenced only while something is pending (an idle comm thread never
 * keeps the process alive), runs the close handshake, and turns a worker that stopped on its own into
 * a typed error for every pending op — never a hang.
 */
import type { Worker } from "node:worker_threads";
import { CommError } from "../world/comm-error.js";
import { fromWire, type FromWorker, type OpRequest, type SlotRef } from "./messages.js";
import { SlotTable, slotTime } from "./slots.js";

export interface JoinedWorld {
  rank: number;
  size: number;
  topology: string;
}

/** Longest wait in process.exit() for the thread to close its sockets (it only has to finish the task at hand). */
const ABORT_WAIT_MS = 2000;

type OnDone = (error: Error | undefined, atMs: number) => void;
export type OpParts = Omit<OpRequest, "kind" | "id" | "slot">;

export class CommThreadLink {
  /** Resolves once the thread joined the world; rejects with init's error. */
  readonly ready: Promise<JoinedWorld>;
  private readyCallbacks!: { resolve: (world: JoinedWorld) => void; reject: (error: Error) => void };
  private readonly pending = new Map<number, { slot: SlotRef; onDone: OnDone }>();
  private readonly slots = new SlotTable();
  private nextId = 1;
  private crashCause?: Error;
  private lostError?: CommError;
  /** undefined until the thread answered close; null when its close succeeded. */
  private closeError?: Error | null;
  private closing?: Promise<void>;
  private closeCallbacks?: { resolve: () => void; reject: (error: Error) => void };
  private readonly onBeforeExit = (): void => this.closeAbandoned();
  private readonly onProcessExit = (): void => this.abortOnExit();

  constructor(
    private readonly worker: Worker,
    private readonly rank: number,
    /** Set by the thread once its sockets are closed (see worker.ts). */
    private readonly socketsClosed: Int32Array,
  ) {
    this.ready = new Promise((resolve, reject) => (this.readyCallbacks = { resolve, reject }));
    this.ready.catch(() => undefined);
    worker.on("message", (message: FromWorker) => this.onMessage(message));
    worker.on("error", (error: Error) => (this.crashCause = error));
    worker.on("exit", (code: number) => this.onExit(code));
    process.on("beforeExit", this.onBeforeExit);
    process.on("exit", this.onProcessExit);
  }

  /** Why no op may be posted now, if so: the communicator is closing or its thread is gone. */
  refusal(op: string): Error | undefined {
    if (this.lostError) return this.lostError;
    if (this.closing) return new CommError(`${op} on rank ${this.rank}: the communicator is closed; create a new one`, { code: "CLOSED", rank: this.rank, op });
    return undefined;
  }

  /** Posts one op; `onDone` runs when the thread reports it (or with the thread's crash). */
  post(parts: OpParts, onDone: OnDone): SlotRef {
    const slot = this.slots.take();
    const id = this.nextId++;
    try {
      this.worker.postMessage({ kind: "op", id, slot, ...parts } satisfies OpRequest);
    } catch (error) {
      this.slots.give(slot);
      throw new CommError(`${parts.op} on rank ${this.rank}: its options cannot cross to the communication thread (${(error as Error).message}); pass plain data (numbers, strings, plain objects)`, { code: "INVALID_ARGUMENT", rank: this.rank, op: parts.op });
    }
    this.pending.set(id, { slot, onDone });
    if (this.pending.size === 1) this.worker.ref();
    return slot;
  }

  /** Runs the transport's closing handshake in the thread (after the ops posted before it), then ends the thread. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      process.off("beforeExit", this.onBeforeExit);
      if (this.lostError) return reject(this.lostError);
      this.closeCallbacks = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage({ kind: "close" });
    });
    return this.closing;
  }

  private onMessage(message: FromWorker): void {
    switch (message.kind) {
      case "ready":
        if (this.pending.size === 0) this.worker.unref();
        return this.readyCallbacks.resolve(message);
      case "failed":
        return this.readyCallbacks.reject(fromWire(message.error));
      case "closed":
        this.closeError = message.error ? fromWire(message.error) : null;
        return;
      case "crashed":
        this.crashCause = fromWire(message.error);
        return;
      case "done": {
        const entry = this.pending.get(message.id);
        if (!entry) return;
        this.finish(message.id, message.error ? fromWire(message.error) : undefined, slotTime(entry.slot));
      }
    }
  }

  private finish(id: number, error: Error | undefined, atMs: number): void {
    const entry = this.pending.get(id)!;
    this.pending.delete(id);
    this.slots.give(entry.slot);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    entry.onDone(error, atMs);
  }

  private onExit(code: number): void {
    process.off("beforeExit", this.onBeforeExit);
    process.off("exit", this.onProcessExit);
    if (this.closeError === undefined) {
      const why = this.crashCause ? `${this.crashCause.name}: ${this.crashCause.message}` : `exit code ${code}`;
      this.lostError = new CommError(
        `rank ${this.rank}: the communication thread stopped (${why}); its transport went with it, so its peers see this rank as lost — restart the rank`,
        { code: "CLOSED", rank: this.rank, cause: this.crashCause },
      );
      this.readyCallbacks.reject(this.lostError);
    }
    const error = this.lostError ?? this.closeError ?? undefined;
    for (const id of [...this.pending.keys()]) this.finish(id, error ?? new CommError(`rank ${this.rank}: the communication thread ended before this op finished`, { code: "CLOSED", rank: this.rank }), Date.now());
    if (error) this.closeCallbacks?.reject(error);
    else this.closeCallbacks?.resolve();
  }

  /** process.exit() with the thread still running: its sockets must close before the thread is torn down (bounded wait). */
  private abortOnExit(): void {
    if (Atomics.load(this.socketsClosed, 0) !== 0) return;
    this.worker.postMessage({ kind: "abort" });
    if (Atomics.wait(this.socketsClosed, 0, 0, ABORT_WAIT_MS) === "timed-out") {
      process.stderr.write(`longhaul: rank ${this.rank}: the communication thread did not close its sockets within ${ABORT_WAIT_MS} ms of process.exit(); its peers may see this rank as lost\n`);
    }
  }

  /** The program ran out of work without calling close(): close for it, as the transport's own abandonment watch does. */
  private closeAbandoned(): void {
    if (this.closing || this.lostError) return;
    process.stderr.write(`longhaul: rank ${this.rank}: the program looks finished but never called close(); closing the communication thread so the process can exit\n`);
    this.close().catch((error: unknown) => process.stderr.write(`longhaul: ${(error as Error).message}\n`));
  }
}
