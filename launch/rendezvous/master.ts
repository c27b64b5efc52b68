/**
 * The rendezvous master, run by one node's launcher (torchrun's c10d store, over ZeroMQ): collects
 * every node's join, refuses a node that disagrees with the first one (naming the difference), and
 * once all have joined sends each the world plan and a job id. It then watches the run: a node
 * whose ranks failed, or that fell silent, makes the master tell every other node to stop.
 */
import { randomUUID } from "node:crypto";
import { Router } from "zeromq";
import { CommError } from "../../world/comm-error.js";
import { planWorld, refusal, type NodeJoin } from "../node-plan.js";
import { DEAD_AFTER_MS, decode, encode, HEARTBEAT_MS, type ToMaster, type ToNode } from "./messages.js";

export interface MasterOptions {
  bindAddr: string;
  port: number;
  nnodes: number;
  joinTimeoutMs: number;
  rdzvId: string;
  log: (line: string) => void;
}

interface Member {
  id: Buffer;
  join: NodeJoin;
  lastSeen: number;
  exit?: number;
}

export class RendezvousMaster {
  private readonly members = new Map<string, Member>();
  private planned = false;
  private aborted = false;
  private timer?: NodeJS.Timeout;
  private resolveDone!: (code: number) => void;
  /** Resolves with the job's exit code once every node has reported its exit (or the job was abandoned). */
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  private constructor(
    private readonly router: Router,
    private readonly options: MasterOptions,
  ) {}

  /** Binds the master's port; throws when this host cannot (not its address, or the port is taken). */
  static async start(options: MasterOptions): Promise<RendezvousMaster> {
    const router = new Router({ linger: 1000 });
    try {
      await router.bind(`tcp://${options.bindAddr}:${options.port}`);
    } catch (error) {
      router.close();
      throw error;
    }
    const master = new RendezvousMaster(router, options);
    void master.serve();
    master.timer = setInterval(() => master.tick(), HEARTBEAT_MS);
    master.joinDeadline = Date.now() + options.joinTimeoutMs;
    return master;
  }

  private joinDeadline = 0;

  close(): void {
    clearInterval(this.timer);
    this.router.close();
  }

  private async serve(): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await this.router.receive();
      } catch {
        return;
      }
      const [id, body] = frames;
      const message = decode<ToMaster>(body);
      if (id && message) this.onMessage(id, message);
    }
  }

  private onMessage(id: Buffer, message: ToMaster): void {
    const key = id.toString("hex");
    const member = this.members.get(key);
    if (member) member.lastSeen = Date.now();
    if (message.type === "join") return this.onJoin(id, key, message.join);
    if (message.type === "exit" && member && member.exit === undefined) {
      member.exit = message.code;
      if (message.code !== 0) this.abort(`node ${member.join.advertiseAddr} (group rank ${this.groupRankOf(member)}) failed: ${message.detail ?? `exit ${message.code}`}`);
      this.finishIfAllExited();
    }
  }

  private onJoin(id: Buffer, key: string, join: Omit<NodeJoin, "arrival">): void {
    const { nnodes } = this.options;
    const candidate: NodeJoin = { ...join, arrival: this.members.size };
    const first = [...this.members.values()][0]?.join ?? candidate;
    const taken = join.nodeRank !== undefined && [...this.members.values()].find((m) => m.join.nodeRank === join.nodeRank);
    const reason = this.planned
      ? `the job already has its ${nnodes} nodes`
      : taken
        ? `node rank ${join.nodeRank} is already taken by the node at ${taken.join.advertiseAddr}`
        : refusal(first, candidate, nnodes);
    if (reason) {
      this.options.log(`refused the node at ${join.advertiseAddr}: ${reason}`);
      return this.send(id, { type: "refused", reason });
    }
    this.members.set(key, { id, join: candidate, lastSeen: Date.now() });
    this.options.log(`node at ${join.advertiseAddr}${join.region ? ` (${join.region})` : ""} joined: ${this.members.size} of ${nnodes}`);
    if (this.members.size === nnodes) this.sendPlan();
  }

  private sendPlan(): void {
    const members = [...this.members.values()];
    let plan;
    try {
      plan = planWorld(members.map((m) => m.join));
    } catch (error) {
      for (const m of members) this.send(m.id, { type: "refused", reason: (error as Error).message });
      return this.resolveDone(2);
    }
    this.planned = true;
    // Nodes send heartbeats once they have the plan: the watch starts now, not at each node's join.
    const now = Date.now();
    for (const m of members) m.lastSeen = now;
    const jobId = `${this.options.rdzvId}:${randomUUID()}`;
    for (const m of members) this.send(m.id, { type: "plan", plan, you: plan.nodes.find((n) => n.arrival === m.join.arrival)!, jobId });
  }

  private tick(): void {
    const now = Date.now();
    if (!this.planned) {
      if (now < this.joinDeadline) return;
      const reason = `only ${this.members.size} of ${this.options.nnodes} nodes joined within ${this.options.joinTimeoutMs} ms${this.missingRanks()}; start the missing nodes with the same --master-addr/--master-port, or raise --join-timeout`;
      this.options.log(reason);
      for (const m of this.members.values()) this.send(m.id, { type: "refused", reason });
      this.planned = true;
      return this.resolveDone(2);
    }
    for (const m of this.members.values()) {
      if (m.exit !== undefined) continue;
      this.send(m.id, { type: "alive" });
      if (now - m.lastSeen > DEAD_AFTER_MS) {
        m.exit = 1;
        this.abort(`node ${m.join.advertiseAddr} (group rank ${this.groupRankOf(m)}) went silent for ${DEAD_AFTER_MS} ms: its launcher or host is gone`);
        this.finishIfAllExited();
      }
    }
  }

  private missingRanks(): string {
    const given = [...this.members.values()].map((m) => m.join.nodeRank);
    if (given.some((r) => r === undefined)) return "";
    const missing = Array.from({ length: this.options.nnodes }, (_, r) => r).filter((r) => !given.includes(r));
    return missing.length > 0 ? ` (missing node ranks: ${missing.join(", ")})` : "";
  }

  private groupRankOf(member: Member): number {
    return [...this.members.values()].indexOf(member);
  }

  private abort(reason: string): void {
    if (this.aborted) return;
    this.aborted = true;
    this.options.log(`stopping the job: ${reason}`);
    for (const m of this.members.values()) if (m.exit === undefined) this.send(m.id, { type: "abort", reason });
  }

  private finishIfAllExited(): void {
    const members = [...this.members.values()];
    if (members.length === this.options.nnodes && members.every((m) => m.exit !== undefined)) {
      this.resolveDone(members.some((m) => m.exit !== 0) ? 1 : 0);
    }
  }

  /** One send at a time (a second concurrent zeromq.js send throws EBUSY), in order. */
  private send(id: Buffer, message: ToNode): void {
    this.sending = this.sending.then(() => this.router.send([id, encode(message)])).catch(() => undefined);
  }

  private sending: Promise<void> = Promise.resolve();
}

export function masterBindError(addr: string, port: number, cause: unknown): CommError {
  return new CommError(`cannot run the rendezvous master on ${addr}:${port} (${(cause as Error).message}); another job may hold the port (--master-port), or ${addr} is not this host's address`, { code: "INVALID_ARGUMENT", op: "rendezvous", cause });
}
