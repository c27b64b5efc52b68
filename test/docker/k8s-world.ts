import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { envOf, jobsOf, serviceOf, type K8sObject } from "./k8s-manifests.js";

/** What one pod of an Indexed Job hands `longhaul launch` after its container's shell has run. */
export interface Pod {
  job: string;
  /** The pod's DNS name through the headless Service: <job>-<index>.<subdomain>. */
  name: string;
  env: Record<string, string>;
  nodeRank: string;
  region: string;
  argv: string[];
  capabilities: string[];
}

/**
 * Runs every pod's container command with /bin/sh as the kubelet would (Kubernetes sets
 * JOB_COMPLETION_INDEX; fieldRefs resolved by envOf), with a stand-in `node` on PATH that prints the
 * node rank, the region and the arguments the launcher would get.
 */
export async function simulatePods(objects: readonly K8sObject[]): Promise<Pod[]> {
  const bin = await mkdtemp(join(tmpdir(), "longhaul-k8s-"));
  try {
    await writeFile(join(bin, "node"), `#!/bin/sh\nprintf '%s\\n%s\\n%s\\n' "$PET_NODE_RANK" "$LONGHAUL_REGION" "$*"\n`);
    await chmod(join(bin, "node"), 0o755);
    const pods: Pod[] = [];
    for (const job of jobsOf(objects)) {
      const [container] = job.spec.template.spec.containers;
      for (let index = 0; index < (job.spec.completions ?? 1); index++) {
        const env = { JOB_COMPLETION_INDEX: String(index), ...envOf(container, index) };
        const [command, ...args] = [...(container.command ?? []), ...(container.args ?? [])];
        const run = await execa(command, args, { env: { ...env, PATH: `${bin}:/usr/bin:/bin` }, extendEnv: false, reject: false });
        if (run.exitCode !== 0) throw new Error(`${job.metadata.name}-${index}: ${command} exited ${run.exitCode}: ${run.stderr}`);
        const [nodeRank, region, argv] = run.stdout.split("\n");
        pods.push({
          job: job.metadata.name,
          name: `${job.metadata.name}-${index}.${job.spec.template.spec.subdomain}`,
          env,
          nodeRank,
          region,
          argv: argv.split(" "),
          capabilities: container.securityContext?.capabilities?.add ?? [],
        });
      }
    }
    return pods;
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
}

/** What would keep these pods from forming one world under the node-level launch; empty when nothing. */
export function worldProblems(objects: readonly K8sObject[], pods: readonly Pod[]): string[] {
  const problems: string[] = [];
  const service = serviceOf(objects);
  if (!service) return ["no Service"];
  if (service.spec.clusterIP !== "None") problems.push("the Service is not headless (clusterIP: None)");
  if (service.spec.publishNotReadyAddresses !== true) problems.push("the Service does not publish not-ready pods: the master's name would not resolve during the rendezvous");
  for (const job of jobsOf(objects)) {
    const { spec } = job;
    const where = `Job ${job.metadata.name}`;
    if (spec.completionMode !== "Indexed") problems.push(`${where}: completionMode is ${spec.completionMode}, not Indexed`);
    if (spec.parallelism !== spec.completions) problems.push(`${where}: parallelism ${spec.parallelism} != completions ${spec.completions}: every node must run at once`);
    if (spec.backoffLimit !== 0) problems.push(`${where}: backoffLimit ${spec.backoffLimit}: a retried pod cannot rejoin a running world`);
    if (spec.template.spec.restartPolicy !== "Never") problems.push(`${where}: restartPolicy ${spec.template.spec.restartPolicy}`);
    if (spec.template.spec.subdomain !== service.metadata.name) problems.push(`${where}: subdomain ${spec.template.spec.subdomain} is not the Service ${service.metadata.name}`);
    const labels = spec.template.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(service.spec.selector ?? {})) {
      if (labels[key] !== value) problems.push(`${where}: its pods lack the Service's selector ${key}=${value}`);
    }
  }
  const same = (name: string) => {
    const values = new Set(pods.map((p) => p.env[name]));
    if (values.size !== 1 || values.has(undefined as never)) problems.push(`${name} differs between pods or is missing: ${[...values].join(", ")}`);
    return pods[0]?.env[name];
  };
  const nnodes = Number(same("PET_NNODES"));
  same("PET_NPROC_PER_NODE");
  same("PET_RDZV_ID");
  const masterAddr = same("MASTER_ADDR");
  const masterPort = Number(same("MASTER_PORT"));
  const ranks = pods.map((p) => p.nodeRank).sort((a, b) => Number(a) - Number(b));
  const expected = Array.from({ length: nnodes }, (_, i) => String(i));
  if (ranks.join() !== expected.join()) problems.push(`node ranks ${ranks.join(",")} are not 0..${nnodes - 1} once each (PET_NNODES=${nnodes})`);
  const master = pods.find((p) => p.nodeRank === "0");
  if (master && master.name !== masterAddr) problems.push(`MASTER_ADDR ${masterAddr} is not node rank 0's pod ${master.name}`);
  if (!service.spec.ports?.some((p) => p.port === masterPort)) problems.push(`the Service does not carry MASTER_PORT ${masterPort}`);
  const regions = [...pods].sort((a, b) => Number(a.nodeRank) - Number(b.nodeRank)).map((p) => p.region);
  if (regions.some((r) => !r)) problems.push("a pod has no region (LONGHAUL_REGION)");
  const runs = regions.filter((r, i) => r !== regions[i - 1]);
  if (new Set(runs).size !== runs.length) problems.push(`regions by node rank (${regions.join(",")}) are not consecutive runs`);
  for (const pod of pods) {
    const netem = pod.env.LONGHAUL_BACKEND === "netem";
    if (netem !== pod.capabilities.includes("NET_ADMIN")) problems.push(`${pod.name}: NET_ADMIN ${netem ? "missing where tc netem shaping is asked for" : "given where no tc netem shaping is asked for"}`);
  }
  return problems;
}
