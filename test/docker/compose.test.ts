/**
 * `docker compose up` for real: builds the image, runs the four continents, checks every container
 * exits 0 and the report lands in the results folder. Slow (a minute or more), so it runs only under
 * `npm run test:docker` (which sets LONGHAUL_DOCKER_TEST=1) and where a Docker engine answers.
 */
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const requested = process.env.LONGHAUL_DOCKER_TEST === "1";
const engine = requested && (await execa("docker", ["info"], { reject: false, timeout: 20_000 }).then((r) => r.exitCode === 0, () => false));

/** `docker compose` (v2 plugin) where it exists, else `docker-compose` (v1). */
async function composeCommand(): Promise<string[]> {
  const v2 = await execa("docker", ["compose", "version"], { reject: false, timeout: 10_000 }).then((r) => r.exitCode === 0, () => false);
  return v2 ? ["docker", "compose"] : ["docker-compose"];
}

const reason = !requested ? "skipped: slow, run it with npm run test:docker" : !engine ? "skipped: no Docker engine answers (docker info failed; see ../shared/tools/docker-offline.sh)" : "";

describe.skipIf(!requested || !engine)(`docker compose up${reason ? ` (${reason})` : ""}`, () => {
  let results = "";
  let command: string[] = [];
  const project = `longhaul-test-${process.pid}`;
  const settings = {
    LONGHAUL_SIZES: "4KiB,256KiB",
    LONGHAUL_ALGORITHMS: "ring,hierarchical",
    LONGHAUL_ITERS: "1",
    LONGHAUL_DISTANCE_TO: "chicago",
    LONGHAUL_DISTANCE_SIZES: "4KiB",
    LONGHAUL_TRAIN: "diloco",
    LONGHAUL_TRAIN_STEPS: "20",
  };
  const compose = (...args: string[]) =>
    execa(command[0], [...command.slice(1), "-p", project, ...args], { env: { ...settings, LONGHAUL_RESULTS_DIR: results }, reject: false, all: true, timeout: 540_000 });
  beforeAll(async () => {
    results = await mkdtemp(join(tmpdir(), "longhaul-compose-"));
    command = await composeCommand();
  });
  afterAll(async () => {
    await compose("down", "--remove-orphans");
    await rm(results, { recursive: true, force: true });
  });

  it("runs all four continents to the end, exits 0 and leaves the report", { timeout: 600_000 }, async () => {
    const up = await compose("up", "--build");
    const log = up.all ?? "";
    const hint = /Pool overlaps/.test(log) ? "another compose project holds 172.29.77.0/24: run `docker compose down` there first\n" : "";
    expect(up.exitCode, hint + log.slice(-3000)).toBe(0);
    const ids = (await compose("ps", "-q")).stdout.split("\n").filter(Boolean);
    expect(ids).toHaveLength(4);
    const codes = await Promise.all(ids.map(async (id) => (await execa("docker", ["inspect", "-f", "{{.State.ExitCode}}", id])).stdout.trim()));
    expect(codes).toEqual(["0", "0", "0", "0"]);

    expect((await readdir(results)).sort()).toEqual(expect.arrayContaining(["report.md", "results.json", "time-vs-distance.svg", "time-vs-size.svg"]));
    const json = JSON.parse(await readFile(join(results, "results.json"), "utf8"));
    expect(json.wan.map((r: { algorithm: string; bytes: number }) => `${r.algorithm}/${r.bytes}`)).toEqual(["ring/4096", "ring/262144", "hierarchical/4096", "hierarchical/262144"]);
    expect(json.wan.every((r: { ranks: number; wrong: number }) => r.ranks === 8 && r.wrong === 0)).toBe(true);
    // The WAN is really there: across 1,100–10,000 km every all-reduce takes longer than a round trip to Chicago (26 ms).
    expect(Math.min(...json.wan.map((r: { timeUs: number }) => r.timeUs))).toBeGreaterThan(26_000);
    expect(json.baseline).toHaveLength(4);
    const md = await readFile(join(results, "report.md"), "utf8");
    expect(md).toMatch(/\| hierarchical \| 256 KiB \| [^|]+ \| [^|]+ \| [\d.]+%/);
    expect(json.training).toHaveLength(1);
    expect(json.training[0]).toMatchObject({ method: "diloco", ranks: 8, steps: 20 });
    expect(md).toMatch(/\| diloco \| 20 \| [\d.]+% \|/);

    // Each container says once how it shapes its egress: netem, or the one-line fallback.
    const shaping = log.split("\n").filter((l) => /longhaul\[[a-z-]+\]: (NO sch_netem|shaping)/.test(l));
    expect(shaping).toHaveLength(4);
    expect(json.backend === "userspace").toBe(shaping.every((l) => l.includes("NO sch_netem")));
  });
});
