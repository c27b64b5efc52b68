/** Where longhaul's own package lies and its version, found the same way from the sources (vitest) and from dist/. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;
let version: string | undefined;

/** The folder holding longhaul's package.json: walked up to from this module. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return (root = dir);
}

/** longhaul's own version: ranks of different versions may speak different wires. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  return version;
}

/** A compiled module of longhaul's (`dist/<path>`), found the same way from the sources (vitest) and from dist/: for worker scripts. */
export function compiledScript(path: string): string {
  return join(packageRoot(), "dist", path);
}
