/**
 * The lighthouse (torchft's name): the one place that knows who is alive and forms each quorum.
 * Ranks heartbeat and ask to join at their step boundaries (messages.ts); the rule is
 * quorum-rule.ts. It runs in the launcher's process: when that host dies the ranks' joins go
 * unanswered and each ends with a MEMBERSHIP error at its quorum timeout — a run survives its
 * ranks, not its lighthouse (stated in docs/fault-tolerance.md).
 */
import { Router } from "zeromq";
import { decideQuorum, type Joiner, type LastQuorum, type QuorumDecision } from "./quorum-rule.js";
import { decode, DEFAULT_DEAD_AFTER_MS, encode, type FromLighthouse, type QuorumMessage, type ToLighthouse } from "./messages.js";

/** How often the lighthouse looks for silent ranks and forms quorums (torchft's quorum tick). */
const TICK_MS = 100;

export interface LighthouseOptions {
  size: number;
  /** The fewest members a quorum after the first may have (default 1; the majority rule still holds). */
  minMembers?: number;
  deadAfterMs?: number;
  /** Where to listen (default 127.0.0.1, a free port). */
  host?: string;
  port?: number;
  /** Called before a quorum with a new epoch is announced (e.g. open the emulator's routes for its world). */
  prepare?: (quorum: QuorumMessage) => Promise<void>;
  /** What happened, a line at a time (quorums, losses). */
  log?: (line: string) => void;
}

export interface LighthouseEvent {
  atMs: number;
  kind: "quorum" | "lost";
  epoch: number;
  ranks: number[];
}

export interface Lighthouse {
  /** tcp://host:port, for LONGHAUL_LIGHTHOUSE. */
  readonly address: string;
  /** Quorums formed and ranks lost, in order, times from the lighthouse's start. */
  readonly events: readonly LighthouseEvent[];
  /**
   * The rank's process is gone (its launcher saw it exit): it is lost at the next tick, without
   * waiting out the heartbeat bound. A new process of the rank is live again when it first speaks.
   */
  gone(rank: number): void;
  close(): void;
}

interface Pending extends Joiner {
  id: Buffer;
  seq: number;
  incarnation: string;
}

export async function startLighthouse(options: LighthouseOptions): Promise<Lighthouse> {
  const deadAfterMs = options.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS;
  const router = new Router({ handover: true, linger: 0 });
  await router.bind(`tcp://${options.host ?? "127.0.0.1"}:${options.port ?? 0}`);
  const startMs = performance.now();
  const now = (): number => performance.now() - startMs;
  const seen = new Map<number, { atMs: number; id: Buffer }>();
  const joiners = new Map<number, Pending>();
  /** The last join sequence number answered per rank: a join resent before its answer arrived is not a new join. */
  const answered = new Map<number, { incarnation: string; seq: number }>();
  const left = new Set<number>();
  const events: LighthouseEvent[] = [];
  let last: (LastQuorum & { lostReported: Set<number>; incarnations: Map<number, string> }) | undefined;
  let lastWait = "";
  let forming = false;
  const log = options.log ?? (() => undefined);

  const send = (id: Buffer, message: FromLighthouse): void => {
    router.send([id, encode(message)]).catch(() => undefined); // a peer that is gone: its heartbeat stops
  };
  const live = (): Set<number> => new Set([...seen].filter(([rank, s]) => !left.has(rank) && now() - s.atMs < deadAfterMs).map(([rank]) => rank));

  const onMessage = (id: Buffer, message: ToLighthouse): void => {
    seen.set(message.rank, { atMs: now(), id });
    if (message.t === "leave") {
      left.add(message.rank);
      joiners.delete(message.rank);
      send(id, { t: "bye" });
    } else if (message.t === "join") {
      left.delete(message.rank);
      const done = answered.get(message.rank);
      if (done && done.incarnation === message.incarnation && done.seq >= message.seq) return;
      // A rank that came back is a new process: the last epoch's links to it are gone, so the epoch must change.
      const member = last?.incarnations.get(message.rank);
      const healthy = message.healthy && (member === undefined || member === message.incarnation);
      joiners.set(message.rank, { step: message.step, healthy, id, seq: message.seq, incarnation: message.incarnation });
      // The last joiner completes a quorum now, not at the next tick (a synchronous step waits for it).
      void decide().catch(reportPrepareFailure);
    }
  };

  const abortLost = (alive: Set<number>): void => {
    if (!last) return;
    const lost = last.members.filter((rank) => !alive.has(rank) && !left.has(rank) && !last!.lostReported.has(rank));
    if (lost.length === 0) return;
    for (const rank of lost) last.lostReported.add(rank);
    events.push({ atMs: now(), kind: "lost", epoch: last.epoch, ranks: lost });
    log(`lost rank${lost.length > 1 ? "s" : ""} ${lost.join(", ")}: members of epoch ${last.epoch} abort`);
    for (const rank of last.members) {
      const peer = seen.get(rank);
      if (peer && alive.has(rank)) send(peer.id, { t: "abort", epoch: last.epoch, lost });
    }
  };

  /** Epochs below this are spent: one whose preparation failed (a port of its block taken) is not used again. */
  let nextFreeEpoch = 0;
  const announce = async (decision: Extract<QuorumDecision, { kind: "quorum" }>): Promise<void> => {
    const fresh = !last || decision.epoch !== last.epoch;
    const epoch = fresh ? Math.max(decision.epoch, nextFreeEpoch) : decision.epoch;
    const message: QuorumMessage = { t: "quorum", epoch, members: decision.members, steps: decision.steps };
    const asked = decision.members.map((rank) => joiners.get(rank)!);
    if (fresh) {
      try {
        await options.prepare?.(message);
      } catch (error) {
        nextFreeEpoch = epoch + 1;
        throw error;
      }
      events.push({ atMs: now(), kind: "quorum", epoch, ranks: decision.members });
      log(`epoch ${epoch}: ranks ${decision.members.join(", ")} (outer steps ${decision.steps.join(", ")})`);
      last = { epoch, members: decision.members, lostReported: new Set(), incarnations: new Map(asked.map((j, i) => [decision.members[i], j.incarnation])) };
    }
    for (const rank of decision.members) joiners.delete(rank);
    asked.forEach((joiner, i) => {
      send(joiner.id, message);
      answered.set(decision.members[i], { incarnation: joiner.incarnation, seq: joiner.seq });
    });
  };


  const reportPrepareFailure = (error: unknown): void => log(`cannot prepare epoch ${nextFreeEpoch - 1}: ${(error as Error).message}; the next one takes other ports`);
  let lastTickMs = now();
  const tick = async (): Promise<void> => {
    // A lighthouse that was itself stalled (its process busy, e.g. with the emulator it shares it with)
    // has heartbeats still unread: it credits every rank with the stall instead of finding them silent.
    const stalled = now() - lastTickMs - TICK_MS;
    lastTickMs = now();
    if (stalled > TICK_MS) {
      for (const entry of seen.values()) entry.atMs += stalled;
      return;
    }
    await decide(true);
  };
  /** Aborts the epoch of a lost rank and answers the joiners once the rule allows: on every tick and on every join (a tick also tells waiting joiners why). */
  const decide = async (tellWaiters = false): Promise<void> => {
    if (forming) return;
    const alive = live();
    abortLost(alive);
    for (const rank of joiners.keys()) if (!alive.has(rank)) joiners.delete(rank);
    const decision = decideQuorum({ size: options.size, minMembers: options.minMembers ?? 1, live: alive, joiners, last });
    if (decision.kind === "wait" && tellWaiters && decision.reason !== lastWait) {
      lastWait = decision.reason;
      for (const joiner of joiners.values()) send(joiner.id, { t: "wait", reason: decision.reason });
    }
    if (decision.kind !== "quorum") return;
    lastWait = "";
    forming = true;
    try {
      await announce(decision);
    } finally {
      forming = false;
    }
  };
  const timer = setInterval(() => void tick().catch(reportPrepareFailure), TICK_MS);

  void (async () => {
    for await (const [id, frame] of router) {
      const message = decode<ToLighthouse>(frame);
      if (!message || typeof message.rank !== "number") continue;
      onMessage(id, message);
    }
  })().catch(() => undefined); // ends when the router closes

  return {
    address: router.lastEndpoint!,
    events,
    gone: (rank) => {
      const entry = seen.get(rank);
      if (entry) entry.atMs = -Infinity;
    },
    close: () => {
      clearInterval(timer);
      router.close();
    },
  };
}
