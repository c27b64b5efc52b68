import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));

/** The pages a reader is sent through: the README first, then every docs/*.md in name order. */
async function pages(): Promise<string[]> {
  const docs = existsSync(join(root, "docs")) ? (await readdir(join(root, "docs"))).filter((f) => f.endsWith(".md")).sort() : [];
  return ["README.md", ...docs.map((f) => `docs/${f}`)];
}

/** A block marked `<!-- readme-test: NAME -->`: NAME "run" is shell commands, any other NAME a file to write. */
interface Snippet {
  page: string;
  name: string;
  body: string;
}

function markedSnippets(page: string, markdown: string): Snippet[] {
  return [...markdown.matchAll(/<!-- readme-test: (\S+) -->\s*\n```\w*\n([\s\S]*?)\n```/g)].map((m) => ({ page, name: m[1], body: m[2] }));
}

/** The README installs "longhaul" from the registry; here the same command installs the package as packed from this checkout. */
function fromThisCheckout(line: string, tarball: string): string {
  return line.replace(/^npm install longhaul\b/, `npm install ${tarball}`);
}

/** The markdown with fenced blocks and inline code blanked out (same length, lines kept), so neither links nor headings are read from code. */
function withoutCode(markdown: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, blank)
    .replace(/<!--[\s\S]*?-->/g, blank)
    .replace(/(`+)[^`\n][\s\S]*?\1/g, blank);
}

/** GitHub's anchor for a heading (github-slugger): the rendered text, lower-cased, without punctuation, spaces as hyphens; repeats get -1, -2, … */
function headingSlugs(markdown: string): Set<string> {
  const fenced = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (s) => s.replace(/[^\n]/g, " "));
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  for (const m of fenced.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = m[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
      .replace(/<[^>]+>/g, "") // inline HTML
      .replace(/[`*]/g, ""); // code and emphasis marks
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

interface Link {
  page: string;
  line: number;
  target: string;
}

/** Inline links and images `[text](target)` and reference definitions `[label]: target`, outside code. */
function markdownLinks(page: string, markdown: string): Link[] {
  const text = withoutCode(markdown);
  const lineOf = (index: number) => text.slice(0, index).split("\n").length;
  const links: Link[] = [];
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ page, line: lineOf(m.index!), target: m[1] });
  for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) links.push({ page, line: lineOf(m.index!), target: m[1] });
  return links;
}

/** What is wrong with a relative link (a missing file, or an anchor no heading of the .md file it points into has), or null. */
async function brokenLink(link: Link, slugsOf: (file: string) => Promise<Set<string>>): Promise<string | null> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target) || link.target.startsWith("//")) return null; // https:, mailto:, …
  const [rawPath, anchor] = link.target.split("#", 2) as [string, string | undefined];
  const path = decodeURIComponent(rawPath);
  const file = path === "" ? join(root, link.page) : path.startsWith("/") ? join(root, path) : resolve(root, dirname(link.page), path);
  const inRepo = relative(root, file);
  if (inRepo.startsWith("..") || inRepo.split(sep).includes("node_modules")) return `${link.target} leaves the repository`;
  if (!existsSync(file)) return `${link.target}: no file ${inRepo}`;
  if (anchor !== undefined && file.endsWith(".md")) {
    const slugs = await slugsOf(file);
    if (!slugs.has(decodeURIComponent(anchor).toLowerCase())) return `${link.target}: ${inRepo} has no heading #${anchor} (it has ${[...slugs].map((s) => `#${s}`).join(", ")})`;
  }
  return null;
}

describe("the README's and docs' snippets run as written in a fresh ESM project", async () => {
  const dir = await mkdtemp(join(tmpdir(), "longhaul-readme-"));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const env = { ...process.env, npm_config_yes: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_prefer_offline: "true", npm_config_update_notifier: "false" };

  it("packs the package, installs it with the README's commands, writes the pages' programs and runs them with their launch commands", async () => {
    const snippets: Snippet[] = [];
    for (const page of await pages()) snippets.push(...markedSnippets(page, await readFile(join(root, page), "utf8")));
    expect(snippets.map((s) => `${s.page}: ${s.name}`)).toEqual([
      "README.md: run",
      "README.md: train.js",
      "README.md: run",
      "docs/trainer.md: train-tfjs.js",
      "docs/trainer.md: run",
    ]);
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

describe("the README's and docs' relative links", () => {
  it("point to files that exist, and #anchors into .md files to headings they have", async () => {
    const cache = new Map<string, Promise<Set<string>>>();
    const slugsOf = (file: string) => {
      if (!cache.has(file)) cache.set(file, readFile(file, "utf8").then(headingSlugs));
      return cache.get(file)!;
    };
    const broken: string[] = [];
    let checked = 0;
    for (const page of await pages()) {
      for (const link of markdownLinks(page, await readFile(join(root, page), "utf8"))) {
        checked++;
        const why = await brokenLink(link, slugsOf);
        if (why) broken.push(`${link.page}:${link.line}: ${why}`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it("reads headings as GitHub anchors them", () => {
    const slugs = headingSlugs(
      "# Environment variables read by `init()`\n## The WAN as it is: TCP's own behaviour\n## Overlap\n## Overlap\n```sh\n# not a heading\n```\n### The whole experiment: `longhaul run`\n",
    );
    expect([...slugs]).toEqual(["environment-variables-read-by-init", "the-wan-as-it-is-tcps-own-behaviour", "overlap", "overlap-1", "the-whole-experiment-longhaul-run"]);
  });
});
