/** Reads a scenario file: JSON, checked by validateScenario. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { packageRoot } from "../world/package-info.js";
import { badField, PlanError } from "./errors.js";
import type { Scenario } from "./scenario.js";
import { validateScenario } from "./validate.js";

export async function loadScenario(path: string): Promise<Scenario> {
  if (/\.ya?ml$/i.test(path)) throw badField("SCENARIO", path, "scenarios are JSON here (no YAML parser is installed): convert the file to .json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new PlanError(`cannot read scenario ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; give the path of a scenario file (see scenarios/)`, "SCENARIO", path);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PlanError(`scenario ${path} is not valid JSON: ${(error as Error).message}`, "SCENARIO", path);
  }
  try {
    return validateScenario(raw);
  } catch (error) {
    if (error instanceof PlanError) throw new PlanError(`scenario ${path}: ${error.message}`, error.field, error.value);
    throw error;
  }
}

/** The shipped scenarios folder: found by walking up from this module to the package root (the same from source and from dist/). */
export function scenariosDir(): string {
  return join(packageRoot(), "scenarios");
}
