/**
 * `docker stack deploy` of docker/stack.yaml for real, on a one-node swarm: builds the image,
 * deploys the four continents, waits for new-york's report, checks it, and removes everything it
 * made (the stack, and the swarm when this test initialised it). Slow, so it runs only under
 * `npm run test:swarm` (LONGHAUL_SWARM_TEST=1) and where a Docker engine answers.
 */
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, leftovers, removeStack, stackTasks, swarmState, type TaskState } from "./swarm-helpers.js";

const requested = process.env.LONGHAUL_SWARM_TEST === "1";
const engine = requested && (await docker(["info"], { timeout: 20_000 }).then((r) => r.exitCode === 0));
const reason = !requested ? "skipped: slow, run it with npm run test:swarm" : !engine ? "skipped: no Docker engine answers (docker info failed; see ../shared/tools/docker-offline.sh)" : "";

const REGIONS = ["new-york", "chicago", "london", "asuncion"];
/** The report of `docker compose up` (bench/report/markdown.ts): the same headings and table heads. */
const REPORT_TABLES = [
  "## Efficiency against one site",
  "| algorithm | size | busbw WAN GB/s | busbw single-site GB/s | efficiency |",
  "## Emulated links",
  "| link | km | one-way delay | RTT | rate |",
  "## All-reduce across the continents",
  "| algorithm | size | time | busbw GB/s | single-site | efficiency | #wrong | model | network floor |",
  "## Time against distance (two regions)",
  "| algorithm | size | km | time | busbw GB/s | single-site | efficiency |",
];
const WAIT_MS = 240_000;

describe.skipIf(!requested || !engine)(`docker stack deploy on a one-node swarm${reason ? ` (${reason})` : ""}`, () => {
  const stack = `longhaul-test-${process.pid}`;
  let results = "";
  let madeSwarm = false;
  /** `docker swarm init` makes docker_gwbridge and `swarm leave` keeps it; removed again if this test made it. */
  let madeGwbridge = false;
  const leaveSwarm = async () => {
    const leave = await docker(["swarm", "leave", "--force"]);
    if (madeGwbridge) await docker(["network", "rm", "docker_gwbridge"]);
    return leave;
  };
  beforeAll(async () => {
    const state = await swarmState();
    if (state !== "active") {
      madeGwbridge = (await docker(["network", "inspect", "docker_gwbridge"])).exitCode !== 0;
      const init = await docker(["swarm", "init"]);
      if (init.exitCode !== 0) throw new Error(`docker swarm init failed (state was ${state}): ${init.all}`);
      madeSwarm = true;
    }
    const build = await docker(["build", "-t", "longhaul:local", "-f", "docker/Dockerfile", "."], { timeout: 600_000 });
    if (build.exitCode !== 0) throw new Error(`docker build failed:\n${build.all?.slice(-3000)}`);
    results = await mkdtemp(join(tmpdir(), "longhaul-swarm-"));
  }, 660_000);
  afterAll(async () => {
    // A safety net for a failed run; the last test removes the stack and checks it is gone.
    await removeStack(stack);
    if (madeSwarm) await leaveSwarm();
    if (results) await rm(results, { recursive: true, force: true });
  }, 120_000);

  it("runs the four continents as services to the end and new-york writes the report", { timeout: WAIT_MS + 60_000 }, async () => {
    const env = {
      ...process.env,
      LONGHAUL_RESULTS_DIR: results,
      LONGHAUL_SIZES: "4K,256K",
      LONGHAUL_ITERS: "2",
      LONGHAUL_DISTANCE_TO: "chicago",
      LONGHAUL_DISTANCE_SIZES: "4K",
      LONGHAUL_TRAIN: "none",
      // Exercised so the variable is known to reach the spec; on one node any true constraint will do.
      LONGHAUL_NEW_YORK_CONSTRAINT: "node.role == manager",
    };
    const deploy = await docker(["stack", "deploy", "--resolve-image", "never", "-c", "docker/stack.yaml", stack], { env });
    expect(deploy.exitCode, deploy.all).toBe(0);

    // The specs carry what the stack file asks for: NET_ADMIN everywhere, new-york's placement.
    for (const region of REGIONS) {
      const spec = await docker(["service", "inspect", `${stack}_${region}`, "--format", "{{json .Spec.TaskTemplate.ContainerSpec.CapabilityAdd}} {{json .Spec.TaskTemplate.Placement.Constraints}}"]);
      expect(spec.stdout.trim()).toBe(`["CAP_NET_ADMIN"] ${region === "new-york" ? '["node.role == manager"]' : "null"}`);
    }

    const started = Date.now();
    let tasks: TaskState[] = [];
    let lastProgress = 0;
    const finished = (t: TaskState[]) => t.length === 4 && t.every((task) => /^(Complete|Failed|Rejected|Shutdown)/.test(task.state));
    while (!finished(tasks) && Date.now() - started < WAIT_MS) {
      await sleep(2000);
      tasks = await stackTasks(stack);
      if (Date.now() - lastProgress > 15_000) {
        console.error(`swarm ${Math.round((Date.now() - started) / 1000)} s: ${tasks.map((t) => `${t.service} ${t.state.split(" ")[0]}`).join(", ")}`);
        lastProgress = Date.now();
      }
    }
    const logs = Object.fromEntries(await Promise.all(REGIONS.map(async (r) => [r, (await docker(["service", "logs", "--raw", `${stack}_${r}`])).all ?? ""] as const)));
    const failed = tasks.filter((t) => !t.state.startsWith("Complete"));
    expect(failed, `not complete after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(failed)}\n${logs["new-york"].slice(-3000)}`).toEqual([]);
    expect(tasks.map((t) => t.service).sort()).toEqual([...REGIONS].sort());
    console.error(`swarm: all four tasks complete after ${Math.round((Date.now() - started) / 1000)} s`);

    // Every continent found the others by their task names and shaped its egress (or said why not).
    for (const region of REGIONS) {
      expect(logs[region]).toMatch(/continents at new-york=\d+\.\d+\.\d+\.\d+ \(tasks\.new-york\), chicago=\d+\.\d+\.\d+\.\d+ \(tasks\.chicago\)/);
      expect(logs[region]).toMatch(new RegExp(`longhaul\\[${region}\\]: (NO sch_netem|shaping)`));
    }
    expect(logs["new-york"]).toMatch(/algorithm +size +time +busbw GB\/s/);

    expect(await readdir(results)).toEqual(expect.arrayContaining(["report.md", "results.json", "time-vs-size.svg", "time-vs-distance.svg"]));
    const json = JSON.parse(await readFile(join(results, "results.json"), "utf8"));
    const algorithms = ["ring", "tree", "halving-doubling", "hierarchical", "auto"];
    expect(json.wan.map((r: { algorithm: string; bytes: number }) => `${r.algorithm}/${r.bytes}`)).toEqual(algorithms.flatMap((a) => [`${a}/4096`, `${a}/262144`]));
    expect(json.wan.every((r: { ranks: number; wrong: number }) => r.ranks === 8 && r.wrong === 0)).toBe(true);
    // The emulated WAN is there: every all-reduce across 1,100-10,000 km takes longer than a round trip to Chicago (26 ms).
    expect(Math.min(...json.wan.map((r: { timeUs: number }) => r.timeUs))).toBeGreaterThan(26_000);
    const md = await readFile(join(results, "report.md"), "utf8");
    const lines = md.split("\n");
    expect(lines.filter((l) => l.startsWith("## ") || l.startsWith("| algorithm") || l.startsWith("| link"))).toEqual(REPORT_TABLES);
    expect(md).toMatch(/\| auto \| 256 KiB \| [^|]+ \| [^|]+ \| [^|]+ \| [\d.]+% \| 0 \|/);
    expect(md).toMatch(/\| [a-z-]+ \| 4 KiB \| 1,144 \| [^|]+ ms \|/);
  });

  it("docker stack rm leaves no service, network or container of the stack behind", { timeout: 120_000 }, async () => {
    expect(await leftovers(stack)).not.toEqual([]);
    expect(await removeStack(stack)).toEqual([]);
    if (madeSwarm) {
      expect((await leaveSwarm()).exitCode).toBe(0);
      expect(await swarmState()).toBe("inactive");
      const networks = (await docker(["network", "ls", "--format", "{{.Name}}"])).stdout.split("\n");
      expect(networks).not.toContain("ingress");
      if (madeGwbridge) expect(networks).not.toContain("docker_gwbridge");
    }
  });
});
