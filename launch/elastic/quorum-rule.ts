/**
 * When the lighthouse answers the ranks waiting to join, and with what: a pure function of what it
 * knows, so the rule is tested without sockets.
 *
 * The rule: every live rank must have asked (a rank silent past the heartbeat bound is not live and
 * is not waited for). The first quorum takes the whole world. After that, the joiners form the
 * next quorum when they are at least `minMembers` and hold a strict majority of the last quorum's
 * members — so the side of a partition that holds the minority stops instead of training on as a
 * second world. The epoch stays when the members are the same and all of them are healthy;
 * otherwise it goes up by one.
 */
export interface Joiner {
  step: number;
  healthy: boolean;
}

export interface LastQuorum {
  epoch: number;
  members: readonly number[];
}

export interface QuorumInput {
  size: number;
  minMembers: number;
  live: ReadonlySet<number>;
  joiners: ReadonlyMap<number, Joiner>;
  last?: LastQuorum;
}

export type QuorumDecision =
  | { kind: "none" }
  | { kind: "wait"; reason: string }
  | { kind: "quorum"; epoch: number; members: number[]; steps: number[] };

export function decideQuorum(input: QuorumInput): QuorumDecision {
  const { joiners, live, last } = input;
  if (joiners.size === 0) return { kind: "none" };
  const missing = [...live].filter((rank) => !joiners.has(rank)).sort((a, b) => a - b);
  if (missing.length > 0) return { kind: "wait", reason: `waiting for live rank${missing.length > 1 ? "s" : ""} ${missing.join(", ")} to reach the step boundary` };
  const members = [...joiners.keys()].sort((a, b) => a - b);
  if (!last) {
    if (members.length < input.size) return { kind: "wait", reason: `the first quorum takes the whole world: ${members.length} of ${input.size} ranks have joined` };
    return quorum(1, members, joiners);
  }
  if (members.length < input.minMembers) return { kind: "wait", reason: `${members.length} ranks joined, fewer than the ${input.minMembers} the run needs (--min-nodes)` };
  const kept = members.filter((rank) => last.members.includes(rank)).length;
  if (2 * kept <= last.members.length) {
    return { kind: "wait", reason: `${kept} of the last quorum's ${last.members.length} members joined, not a majority: a minority does not train on alone` };
  }
  const same = members.length === last.members.length && members.every((rank, i) => rank === last.members[i]);
  const healthy = members.every((rank) => joiners.get(rank)!.healthy);
  return quorum(same && healthy ? last.epoch : last.epoch + 1, members, joiners);
}

function quorum(epoch: number, members: number[], joiners: ReadonlyMap<number, Joiner>): QuorumDecision {
  return { kind: "quorum", epoch, members, steps: members.map((rank) => joiners.get(rank)!.step) };
}
