/**
 * The layers of docs/architecture.md, held by the sources' own imports (type-only imports count):
 * who may import whom, no import cycle, and no folder too crowded to find one's way in.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const SKIP = new Set(["node_modules", "dist", "test", ".git", "results", "docs"]);

function sources(dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith(".")) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [relative(root, path)] : [];
  });
}

const files = sources();
const known = new Set(files);

/** Each file's project imports (static, dynamic, re-exports), as paths from the root. */
const imports = new Map<string, string[]>(
  files.map((file) => {
    const text = readFileSync(join(root, file), "utf8");
    const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)["'](\.[^"']+)["']/gm)].map((m) => m[1]);
    const targets = specs.map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, ".ts")).filter((t) => known.has(t));
    return [file, [...new Set(targets)]];
  }),
);

const layer = (file: string) => (file.includes("/") ? file.split("/")[0] : "(root)");

/** What each layer must not import: the bottom imports nothing of the project, each layer nothing above it. */
const FORBIDDEN: Record<string, readonly string[]> = {
  world: ["model", "netem", "transports", "launch", "collectives", "comm-thread", "bench", "train", "plan", "cli", "docker", "(root)"],
  model: ["netem", "transports", "launch", "collectives", "comm-thread", "bench", "train", "plan", "cli", "docker", "(root)"],
  netem: ["transports", "launch", "collectives", "comm-thread", "bench", "train", "plan", "cli", "docker", "(root)"],
  transports: ["launch", "collectives", "comm-thread", "bench", "train", "plan", "cli", "docker", "(root)"],
  launch: ["collectives", "comm-thread", "bench", "train", "plan", "cli", "docker", "(root)"],
  collectives: ["launch", "comm-thread", "bench", "train", "plan", "cli", "docker", "(root)"],
  plan: ["netem", "transports", "launch", "collectives", "comm-thread", "bench", "train", "cli", "docker", "(root)"],
};

/** Tarjan's strongly connected components with more than one file: the import cycles. */
function cycles(): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of imports.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (imports.get(v) ?? []).includes(v)) found.push(component);
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

describe("the house's layers (docs/architecture.md)", () => {
  it("reads the sources it is about", () => {
    expect(files).toContain("world/topology.ts");
    expect(imports.get("model/pairs.ts")).toContain("world/topology.ts");
  });

  it("no layer imports one above it", () => {
    const wrong = [...imports].flatMap(([file, targets]) =>
      targets.filter((t) => FORBIDDEN[layer(file)]?.includes(layer(t))).map((t) => `${file} -> ${t}`),
    );
    expect(wrong).toEqual([]);
  });

  it("no import cycle among the sources", () => expect(cycles()).toEqual([]));

  it("no folder holds more than 25 files directly", () => {
    const counts = new Map<string, number>();
    for (const file of files) counts.set(dirname(file), (counts.get(dirname(file)) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 25)).toEqual([]);
  });

  it("transports/ holds no launcher, supervisor or rendezvous", () => {
    expect(files.filter((f) => f.startsWith("transports/") && /launch|supervisor|rendezvous|node-plan|host-limits/.test(f))).toEqual([]);
  });
});
