/**
 * The Kubernetes manifests, checked offline (no cluster can run here): every document parses and
 * passes the Kubernetes schemas (kubernetes-models), and the pods they describe form one world
 * under `longhaul launch`'s torchrun contract: each pod's shell is run with a stand-in `node` to see
 * the node rank and region it hands the launcher.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { Job } from "kubernetes-models/batch/v1/Job";
import { describe, expect, it } from "vitest";
import { jobsOf, loadManifest, type ConfigMapObject, type JobObject } from "./k8s-manifests.js";
import { simulatePods, worldProblems } from "./k8s-world.js";

const DIR = "docker/k8s";
const LAUNCH = ["dist/cli/main.js", "launch", "--", "node", "job/train.js"];

describe("Kubernetes manifests (docker/k8s; no cluster here: schemas and the pods' start-up checked offline)", () => {
  it.each(["job.yaml", "job-per-region.yaml"])("%s passes the schemas and its pods form one world", async (file) => {
    const objects = await loadManifest(join(DIR, file));
    const pods = await simulatePods(objects);
    expect(worldProblems(objects, pods)).toEqual([]);
    for (const pod of pods) expect(pod.argv).toEqual(LAUNCH);
  });

  it("job.yaml: four nodes, one per continent in node-rank order, emulated, master longhaul-train-0.longhaul", async () => {
    const pods = await simulatePods(await loadManifest(join(DIR, "job.yaml")));
    expect(pods.map((p) => [p.name, p.nodeRank, p.region])).toEqual([
      ["longhaul-train-0.longhaul", "0", "new-york"],
      ["longhaul-train-1.longhaul", "1", "chicago"],
      ["longhaul-train-2.longhaul", "2", "london"],
      ["longhaul-train-3.longhaul", "3", "asuncion"],
    ]);
    expect(pods[0].env).toMatchObject({ PET_NNODES: "4", PET_NPROC_PER_NODE: "2", MASTER_ADDR: "longhaul-train-0.longhaul", MASTER_PORT: "29400", PET_RDZV_ID: "longhaul-train", LONGHAUL_EMULATE: "1" });
    expect(pods[3].env.LONGHAUL_ADVERTISE_ADDR).toBe("10.244.0.13");
  });

  it("job-per-region.yaml: each region's Job on its own nodes, node ranks region by region", async () => {
    const objects = await loadManifest(join(DIR, "job-per-region.yaml"));
    const pods = await simulatePods(objects);
    expect(pods.map((p) => [p.name, p.nodeRank, p.region])).toEqual([
      ["longhaul-new-york-0.longhaul-regions", "0", "new-york"],
      ["longhaul-new-york-1.longhaul-regions", "1", "new-york"],
      ["longhaul-london-0.longhaul-regions", "2", "london"],
      ["longhaul-london-1.longhaul-regions", "3", "london"],
    ]);
    expect(jobsOf(objects).map((j) => j.spec.template.spec.nodeSelector)).toEqual([
      { "topology.kubernetes.io/region": "us-east-1" },
      { "topology.kubernetes.io/region": "eu-west-2" },
    ]);
    expect(pods.every((p) => p.env.LONGHAUL_EMULATE === undefined)).toBe(true);
  });

  it("the pods' trainer (the ConfigMap) is mounted where the image's launcher looks for it", async () => {
    const workdir = /^WORKDIR\s+(\S+)/m.exec(await readFile("docker/Dockerfile", "utf8"))?.[1];
    expect(workdir).toBe("/app");
    for (const file of ["job.yaml", "job-per-region.yaml"]) {
      for (const job of jobsOf(await loadManifest(join(DIR, file)))) {
        const volume = job.spec.template.spec.volumes?.find((v) => v.configMap?.name === "longhaul-train");
        expect(job.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: volume?.name, mountPath: `${workdir}/job` });
      }
    }
  });

  const built = existsSync(LAUNCH[0]);
  it.skipIf(!built)(`the ConfigMap's train.js runs under longhaul launch${built ? "" : " (skipped: no dist/; run npm run build first)"}`, { timeout: 120_000 }, async () => {
    const objects = await loadManifest(join(DIR, "job.yaml"));
    const trainer = (objects.find((o) => o.kind === "ConfigMap") as ConfigMapObject).data?.["train.js"];
    expect(trainer).toContain('from "longhaul"');
    // In the image the script sits under /app, inside the longhaul package, so `import "longhaul"` resolves to it; same here.
    const dir = await mkdtemp(join(process.cwd(), ".k8s-job-"));
    try {
      await writeFile(join(dir, "train.js"), trainer ?? "");
      const run = await execa("node", [LAUNCH[0], "launch", "-n", "2", "--", "node", join(dir, "train.js")], { reject: false, all: true, timeout: 90_000 });
      expect(run.exitCode, run.all).toBe(0);
      expect(run.stdout).toMatch(/rank 1 of 2: average 0\.5/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the checks catch what they are for: a schema violation and a world that would not form", async () => {
    const objects = await loadManifest(join(DIR, "job-per-region.yaml"));
    const job = jobsOf(objects)[0];
    expect(() => new Job({ ...job, spec: { ...job.spec, completions: "two" } } as never).validate()).toThrow(/completions must be integer/);
    expect(() => new Job({ ...job, spec: { ...job.spec, completionMode: "Index" } } as never).validate()).toThrow(/completionMode must be equal to one of the allowed values/);

    const broken = structuredClone(objects);
    const [newYork, london] = jobsOf(broken) as JobObject[];
    london.spec.template.spec.containers[0].env!.find((v) => v.name === "LONGHAUL_NODE_RANK_OFFSET")!.value = "1";
    newYork.spec.template.spec.containers[0].securityContext = { capabilities: { add: ["NET_ADMIN"] } };
    newYork.spec.template.spec.subdomain = "elsewhere";
    const problems = worldProblems(broken, await simulatePods(broken));
    expect(problems).toContain("node ranks 0,1,1,2 are not 0..3 once each (PET_NNODES=4)");
    expect(problems).toContain("Job longhaul-new-york: subdomain elsewhere is not the Service longhaul-regions");
    expect(problems).toContain("longhaul-new-york-0.elsewhere: NET_ADMIN given where no tc netem shaping is asked for");
    expect(problems.some((p) => p.startsWith("MASTER_ADDR longhaul-new-york-0.longhaul-regions is not node rank 0's pod"))).toBe(true);
  });
});
