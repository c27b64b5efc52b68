/**
 * initElastic(): a rank's membership in a world whose members change (launch --elastic). It talks
 * to the lighthouse (launch/elastic/) and, for each epoch, builds a communicator over that epoch's
 * members: their own world (regions with a member, ranks renumbered by place, ports a block above
 * the full world's, a job id of its own) through connectHere, so every transport and the emulator's
 * links serve it as they serve a static world. The lighthouse's abort, or an op's failure, aborts
 * the epoch's transport; the next quorum builds a new one.
 */
import { connectHere, type InitHereOptions } from "./init.js";
import type { Membership, Quorum } from "./collectives/elastic/membership.js";
import { epochWorld } from "./launch/elastic/epoch-world.js";
import { ElasticMember } from "./launch/elastic/member.js";
import { DEAD_AFTER_ENV, LIGHTHOUSE_ENV } from "./launch/elastic/messages.js";
import type { AbortableTransport } from "./transports/composite.js";
import { WIRE_ENV } from "./transports/wire-env.js";
import { CommError } from "./world/comm-error.js";
import { ENV, readRankEnv } from "./world/env.js";
import { parseDuration } from "./world/units.js";

export interface ElasticOptions extends InitHereOptions {
  /** tcp://host:port of the lighthouse (default LONGHAUL_LIGHTHOUSE, which launch --elastic sets). */
  lighthouse?: string;
  /** How long a join waits for its quorum (default LONGHAUL_ELASTIC_QUORUM_MS, else 120 s). */
  quorumTimeoutMs?: number;
  /** Each epoch's change, a line at a time. */
  log?: (line: string) => void;
}

export interface ElasticGroup extends Membership {
  /** This rank in the full world. */
  readonly rank: number;
  readonly size: number;
  /** Payload bytes this rank sent over the WAN and the LAN, all epochs together (with countTraffic). */
  traffic(): { wanBytes: number; lanBytes: number };
}

interface Current {
  epoch: number;
  members: number[];
  index: number;
  comm: Quorum["comm"];
  transport: AbortableTransport;
}

/**
 * Building an epoch's world can fail for reasons the next epoch cures: a member died before it
 * connected, or a port of this epoch's block was taken (the next epoch uses another block). A run
 * that fails this many epochs in a row stops with the last error.
 */
const CONNECT_ATTEMPTS = 5;

export async function initElastic(options: ElasticOptions = {}): Promise<ElasticGroup> {
  const { lighthouse, quorumTimeoutMs, log = () => undefined, ...initOptions } = options;
  const env = initOptions.env ?? process.env;
  const { streams: _streams, ...overrides } = initOptions;
  const world = readRankEnv(env, overrides);
  const address = lighthouse ?? env[LIGHTHOUSE_ENV]?.trim();
  if (!address) throw new CommError(`no lighthouse: an elastic rank needs ${LIGHTHOUSE_ENV}=tcp://host:port (launch --elastic sets it) or initElastic({ lighthouse })`, { code: "INVALID_ARGUMENT", op: "init" });
  const baseJob = initOptions.jobId ?? env[WIRE_ENV.jobId] ?? `elastic:${world.plan.basePort}`;
  const deadAfter = env[DEAD_AFTER_ENV];
  const quorumEnv = env.LONGHAUL_ELASTIC_QUORUM_MS;
  let current: Current | undefined;
  let healthy = true;
  let failedConnects = 0;
  const sent = { wanBytes: 0, lanBytes: 0 };
  /** Ends the current epoch's communicator (its traffic is kept). */
  const retire = (): void => {
    if (!current) return;
    current.transport.abort();
    sent.wanBytes += current.comm.traffic?.wanBytes ?? 0;
    sent.lanBytes += current.comm.traffic?.lanBytes ?? 0;
    current = undefined;
  };
  const drop = (): void => {
    healthy = false;
    current?.transport.abort();
  };
  const member = new ElasticMember({
    address,
    rank: world.rank,
    quorumTimeoutMs: quorumTimeoutMs ?? (quorumEnv ? parseDuration(quorumEnv, "LONGHAUL_ELASTIC_QUORUM_MS") : undefined),
    onAbort: (epoch, lost) => {
      if (current?.epoch !== epoch) return;
      log(`epoch ${epoch}: rank${lost.length > 1 ? "s" : ""} ${lost.join(", ")} lost (silent${deadAfter ? ` ${deadAfter} ms` : ""}); aborting this epoch's ops`);
      drop();
    },
  });

  const connect = async (epoch: number, members: number[]): Promise<Current> => {
    const sub = epochWorld(world.topology, world.plan.basePort, world.plan.emulate ?? false, epoch, members);
    const index = members.indexOf(world.rank);
    const { comm, transport } = await connectHere({
      ...initOptions,
      rank: undefined, worldSize: undefined, localRank: undefined, topology: undefined, basePort: undefined,
      jobId: `${baseJob}.e${epoch}`,
      env: { ...env, [ENV.rank]: String(index), [ENV.worldSize]: String(members.length), [ENV.topology]: sub.spec, [ENV.basePort]: String(sub.basePort), [ENV.localRank]: String(sub.topology.localRank(index)) },
    });
    return { epoch, members, index, comm, transport };
  };

  return {
    rank: world.rank,
    size: world.topology.size,
    quorum: async (step) => {
      for (;;) {
        const q = await member.join(step, healthy);
        if (current && q.epoch === current.epoch) return { ...current, steps: q.steps, fresh: false };
        retire();
        if (!q.members.includes(world.rank)) throw new CommError(`rank ${world.rank} was left out of epoch ${q.epoch} (members ${q.members.join(", ")})`, { code: "MEMBERSHIP", op: "join" });
        try {
          current = await connect(q.epoch, q.members);
          failedConnects = 0;
          healthy = true;
          log(`epoch ${q.epoch}: rank ${current.index} of ${q.members.length} (ranks ${q.members.join(", ")})`);
          return { ...current, steps: q.steps, fresh: true };
        } catch (error) {
          if (!(error instanceof CommError && error.code !== "MISMATCH") || ++failedConnects >= CONNECT_ATTEMPTS) throw error;
          log(`epoch ${q.epoch}: could not connect (${error.message}); joining again`);
          healthy = false;
        }
      }
    },
    failed: () => drop(),
    traffic: () => ({ wanBytes: sent.wanBytes + (current?.comm.traffic?.wanBytes ?? 0), lanBytes: sent.lanBytes + (current?.comm.traffic?.lanBytes ?? 0) }),
    leave: async () => {
      if (current) await current.comm.close().catch(() => current?.transport.abort());
      retire();
      await member.leave();
    },
  };
}
