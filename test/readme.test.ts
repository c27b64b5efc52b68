import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));

/** A README block marked `<!-- readme-test: NAME -->`: NAME "run" is shell commands, any other NAME a file to write. */
interface Snippet {
  name: string;
  body: string;
}

function readmeSnippets(markdown: string): Snippet[] {
  return [...markdown.matchAll(/<!-- readme-test: (\S+) -->\s*\n```\w*\n([\s\S]*?)\n```/g)].map((m) => ({ name: m[1], body: m[2] }));
}

/** The README installs "longhaul" from the registry; here the same command installs the package as packed from this checkout. */
function fromThisCheckout(line: string, tarball: string): string {
  return line.replace(/^npm install longhaul\b/, `npm install ${tarball}`);
}

describe("the README's snippets run as written in a fresh ESM project", async () => {
  const dir = await mkdtemp(join(tmpdir(), "longhaul-readme-"));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const env = { ...process.env, npm_config_yes: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_prefer_offline: "true", npm_config_update_notifier: "false" };

  it("packs the package, installs it with the README's commands, writes its programs and runs them with its launch commands", async () => {
    const snippets = readmeSnippets(await readFile(join(root, "README.md"), "utf8"));
    expect(snippets.map((s) => s.name)).toEqual(["run", "train.js", "run", "train-tfjs.js", "run"]);
    const packed = await run("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: root, env });
    const tarball = join(dir, packed.stdout.trim().split("\n").pop()!);
    let output = "";
    for (const { name, body } of snippets) {
      if (name !== "run") {
        await writeFile(join(dir, name), body + "\n");
        continue;
      }
      for (const line of body.split("\n").filter((l) => l.trim() !== "")) {
        const result = await run("sh", ["-c", fromThisCheckout(line, tarball)], { cwd: dir, env, timeout: 50_000 });
        output += result.stdout;
      }
    }
    expect(JSON.parse(await readFile(join(dir, "package.json"), "utf8")).type).toBe("module");
    for (const rank of [0, 1, 2, 3]) expect(output).toContain(`[rank ${rank}] rank ${rank} of 4: average 1.5`);
    for (const rank of [0, 1]) {
      const match = new RegExp(`\\[rank ${rank}\\] rank ${rank}: loss ([\\d.]+), w ([\\d. -]+)`).exec(output);
      expect(match, output).not.toBeNull();
      expect(Number(match![1])).toBeLessThan(0.05);
      match![2].trim().split(" ").map(Number).forEach((w, i) => expect(w).toBeCloseTo(i + 1, 0));
    }
  }, 90_000);
});
