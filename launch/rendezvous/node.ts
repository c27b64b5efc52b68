/**
 * A node's side of the rendezvous: joins the master, waits (at most the join timeout) for the world
 * plan or a refusal, then keeps the connection as a watch — heartbeats both ways, the node's exit
 * reported, and an abort from the master (another node failed or vanished) handed to the launcher.
 */
import { Dealer } from "zeromq";
import { CommError } from "../../world/comm-error.js";
import type { NodeAssignment, NodeJoin, WorldPlan } from "../node-plan.js";
import { DEAD_AFTER_MS, decode, encode, HEARTBEAT_MS, type ToMaster, type ToNode } from "./messages.js";

export interface JoinOptions {
  masterAddr: string;
  port: number;
  join: Omit<NodeJoin, "arrival">;
  joinTimeoutMs: number;
}

export interface NodeSession {
  plan: WorldPlan;
  you: NodeAssignment;
  jobId: string;
  /** Called once if the master says stop, or stops answering. */
  onAbort(listener: (reason: string) => void): void;
  /** Tells the master how this node's ranks ended, then closes the connection. */
  finish(code: number, detail?: string): Promise<void>;
}

export async function joinRendezvous(options: JoinOptions): Promise<NodeSession> {
  const dealer = new Dealer({ linger: 2000 });
  dealer.connect(`tcp://${options.masterAddr}:${options.port}`);
  let sending: Promise<void> = Promise.resolve();
  const send = (m: ToMaster): Promise<void> => (sending = sending.then(() => dealer.send(encode(m))).catch(() => undefined));
  void send({ type: "join", join: options.join });
  const first = await receiveWithin(dealer, options.joinTimeoutMs + DEAD_AFTER_MS);
  if (!first || first.type === "refused") {
    dealer.close();
    const reason = first
      ? `the rendezvous master at ${options.masterAddr}:${options.port} refused this node: ${first.reason}`
      : `no answer from the rendezvous master at ${options.masterAddr}:${options.port} within ${options.joinTimeoutMs + DEAD_AFTER_MS} ms; check --master-addr/--master-port and that the master node is up`;
    throw new CommError(reason, { code: first ? "MISMATCH" : "TIMEOUT", op: "rendezvous" });
  }
  if (first.type !== "plan") throw new CommError(`the rendezvous master sent "${first.type}" before the plan`, { code: "MISMATCH", op: "rendezvous" });
  return watch(dealer, send, first);
}

function watch(dealer: Dealer, send: (m: ToMaster) => Promise<void>, plan: Extract<ToNode, { type: "plan" }>): NodeSession {
  let abortListener: ((reason: string) => void) | undefined;
  let abortReason: string | undefined;
  let lastSeen = Date.now();
  let finished = false;
  const abort = (reason: string): void => {
    if (abortReason !== undefined || finished) return;
    abortReason = reason;
    abortListener?.(reason);
  };
  const timer = setInterval(() => {
    void send({ type: "alive" });
    if (Date.now() - lastSeen > DEAD_AFTER_MS) abort(`the rendezvous master stopped answering for ${DEAD_AFTER_MS} ms: the master node is gone`);
  }, HEARTBEAT_MS);
  void (async () => {
    for (;;) {
      const message = await receiveWithin(dealer, Infinity);
      if (!message) return; // closed
      lastSeen = Date.now();
      if (message.type === "abort") abort(message.reason);
    }
  })();
  return {
    plan: plan.plan,
    you: plan.you,
    jobId: plan.jobId,
    onAbort(listener) {
      abortListener = listener;
      if (abortReason !== undefined) listener(abortReason);
    },
    async finish(code, detail) {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      await send({ type: "exit", code, detail });
      dealer.close();
    },
  };
}

async function receiveWithin(dealer: Dealer, ms: number): Promise<ToNode | undefined> {
  if (ms !== Infinity) dealer.receiveTimeout = ms;
  for (;;) {
    try {
      const [frame] = await dealer.receive();
      const message = decode<ToNode>(frame);
      if (message) return message;
    } catch {
      return undefined; // timed out or closed
    }
  }
}
