/**
 * Checks a parsed scenario file field by field and stops at the first problem with one PlanError
 * that names the field, its value and what to give instead (the CLI prints it and exits 2).
 */
import { REGIONS } from "../model/regions.js";
import { CONGESTION_CONTROLS } from "../model/tcp.js";
import { badField } from "./errors.js";
import { COMPRESSION_BYTES, OUTER_ALGORITHMS, STRATEGY_NAMES, type Scenario, type SiteSpec, type StrategySpec } from "./scenario.js";

type Obj = Record<string, unknown>;

function object(value: unknown, field: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badField(field, value, "give an object");
  return value as Obj;
}

function list(value: unknown, field: string, minLength: number): unknown[] {
  if (!Array.isArray(value) || value.length < minLength) throw badField(field, value, `give a list of at least ${minLength}`);
  return value;
}

interface NumberRule {
  /** Smallest allowed value (inclusive), or `above` (exclusive). */
  min?: number;
  above?: number;
  max?: number;
  integer?: boolean;
  optional?: boolean;
  unit?: string;
}

function number(o: Obj, key: string, field: string, rule: NumberRule): number | undefined {
  const value = o[key];
  const unit = rule.unit ? ` ${rule.unit}` : "";
  if (value === undefined && rule.optional) return undefined;
  const range = [rule.above !== undefined && `> ${rule.above}${unit}`, rule.min !== undefined && `>= ${rule.min}${unit}`, rule.max !== undefined && `<= ${rule.max}${unit}`]
    .filter(Boolean)
    .join(" and ");
  const advice = `give ${rule.integer ? "a whole number" : "a number"}${range ? ` ${range}` : ""}`;
  if (typeof value !== "number" || !Number.isFinite(value)) throw badField(`${field}.${key}`, value, advice);
  const bad = (rule.min !== undefined && value < rule.min) || (rule.above !== undefined && value <= rule.above) || (rule.max !== undefined && value > rule.max) || (rule.integer && !Number.isInteger(value));
  if (bad) throw badField(`${field}.${key}`, value, advice);
  return value;
}

function text(o: Obj, key: string, field: string): string {
  const value = o[key];
  if (typeof value !== "string" || value.trim() === "") throw badField(`${field}.${key}`, value, "give a non-empty string");
  return value;
}

function texts(o: Obj, key: string): void {
  const value = list(o[key], key, 1);
  value.forEach((v, i) => {
    if (typeof v !== "string") throw badField(`${key}[${i}]`, v, "give a sentence (string)");
  });
}

function checkCompute(o: Obj): void {
  const compute = object(o.compute, "compute");
  number(compute, "overlapFraction", "compute", { min: 0, max: 1, optional: true });
  if (compute.stepSeconds !== undefined) {
    number(compute, "stepSeconds", "compute", { above: 0, unit: "s" });
    return;
  }
  if (compute.tokensPerStep === undefined) throw badField("compute.stepSeconds", undefined, "give stepSeconds, or tokensPerStep with peakTflopsPerGpu and mfu");
  number(compute, "tokensPerStep", "compute", { above: 0 });
  number(compute, "peakTflopsPerGpu", "compute", { above: 0, unit: "TFLOP/s" });
  number(compute, "mfu", "compute", { above: 0, max: 1 });
}

function checkSites(o: Obj, tensor: number, pipeline: number): SiteSpec[] {
  const sites = list(o.sites, "sites", 1).map((s, i) => object(s, `sites[${i}]`));
  const wan = object(o.wan, "wan");
  const loop = wan.shape === "loop";
  const links = (Array.isArray(wan.links) ? wan.links : []) as Obj[];
  const linked = (a: string, b: string) => links.some((l) => Array.isArray(l.between) && l.between.includes(a) && l.between.includes(b) && (l.km !== undefined || l.rttMs !== undefined));
  const names = sites.map((s, i) => text(s, "name", `sites[${i}]`));
  sites.forEach((site, i) => {
    const field = `sites[${i}]`;
    const gpus = number(site, "gpus", field, { min: 1, integer: true })!;
    if (gpus % (tensor * pipeline) !== 0) throw badField(`${field}.gpus`, gpus, `give a multiple of tensor × pipeline = ${tensor * pipeline} (a site holds whole replicas)`);
    if (names.indexOf(names[i]) !== i) throw badField(`${field}.name`, names[i], "give each site its own name");
    const hasCoordinates = site.lat !== undefined || site.lon !== undefined;
    if (hasCoordinates) {
      number(site, "lat", field, { min: -90, max: 90, unit: "degrees" });
      number(site, "lon", field, { min: -180, max: 180, unit: "degrees" });
    } else if (!loop && !REGIONS.has(names[i]) && !names.every((other) => other === names[i] || linked(names[i], other))) {
      throw badField(`${field}.name`, names[i], `unknown site without coordinates: give lat/lon, a built-in region (${[...REGIONS.keys()].join(", ")}), or wan.links with km or rttMs to every other site`);
    }
  });
  return sites as unknown as SiteSpec[];
}

function checkWan(o: Obj, names: readonly string[]): void {
  const wan = object(o.wan, "wan");
  number(wan, "gbit", "wan", { above: 0, unit: "Gbit/s" });
  if (wan.shape !== undefined && wan.shape !== "mesh" && wan.shape !== "loop") throw badField("wan.shape", wan.shape, 'give "mesh" or "loop"');
  if (wan.shape === "loop") number(wan, "loopKm", "wan", { above: 0, unit: "km" });
  number(wan, "routeInflation", "wan", { min: 1, optional: true });
  number(wan, "overheadMs", "wan", { min: 0, optional: true, unit: "ms" });
  number(wan, "windowBytes", "wan", { above: 0, optional: true, unit: "bytes" });
  number(wan, "streamsPerFlow", "wan", { min: 1, integer: true, optional: true });
  number(wan, "lossPct", "wan", { min: 0, max: 100, optional: true, unit: "%" });
  if (wan.cc !== undefined && !(CONGESTION_CONTROLS as readonly unknown[]).includes(wan.cc)) throw badField("wan.cc", wan.cc, `give one of ${CONGESTION_CONTROLS.join(", ")}`);
  if (wan.slowStartAfterIdle !== undefined && typeof wan.slowStartAfterIdle !== "boolean") throw badField("wan.slowStartAfterIdle", wan.slowStartAfterIdle, "give true (Linux's default: an op after an RTO of silence restarts slow start) or false (tuned TCP, RDMA)");
  const links = wan.links === undefined ? [] : list(wan.links, "wan.links", 0);
  links.forEach((l, i) => {
    const field = `wan.links[${i}]`;
    const link = object(l, field);
    const between = list(link.between, `${field}.between`, 2);
    between.forEach((name, k) => {
      if (typeof name !== "string" || !names.includes(name)) throw badField(`${field}.between[${k}]`, name, `give the name of a site (${names.join(", ")})`);
    });
    number(link, "km", field, { min: 0, optional: true, unit: "km" });
    number(link, "rttMs", field, { min: 0, optional: true, unit: "ms" });
    number(link, "gbit", field, { above: 0, optional: true, unit: "Gbit/s" });
    number(link, "lossPct", field, { min: 0, max: 100, optional: true, unit: "%" });
  });
}

function checkStrategy(value: unknown, field: string): void {
  const spec = (typeof value === "string" ? { name: value } : object(value, field)) as Obj;
  if (!(STRATEGY_NAMES as readonly unknown[]).includes(spec.name)) throw badField(`${field}.name`, spec.name, `unknown strategy: give one of ${STRATEGY_NAMES.join(", ")}`);
  number(spec, "innerSteps", field, { min: 1, integer: true, optional: true });
  number(spec, "fragments", field, { min: 1, integer: true, optional: true });
  number(spec, "overlapSteps", field, { min: 0, integer: true, optional: true });
  number(spec, "density", field, { above: 0, max: 1, optional: true });
  if (spec.compression !== undefined && !(spec.compression as string in COMPRESSION_BYTES)) {
    throw badField(`${field}.compression`, spec.compression, `give one of ${Object.keys(COMPRESSION_BYTES).join(", ")}`);
  }
  if (spec.outer !== undefined && !(OUTER_ALGORITHMS as readonly unknown[]).includes(spec.outer)) throw badField(`${field}.outer`, spec.outer, `give one of ${OUTER_ALGORITHMS.join(", ")}`);
}

/** The scenario, checked; throws a PlanError naming the first bad field. */
export function validateScenario(raw: unknown): Scenario {
  const o = object(raw, "scenario");
  text(o, "name", "scenario");
  texts(o, "sources");
  texts(o, "assumptions");
  const model = object(o.model, "model");
  number(model, "parameters", "model", { above: 0 });
  number(model, "bytesPerElement", "model", { above: 0, unit: "bytes" });
  number(model, "layers", "model", { min: 1, integer: true });
  checkCompute(o);
  const parallelism = object(o.parallelism, "parallelism");
  const tensor = number(parallelism, "tensor", "parallelism", { min: 1, integer: true })!;
  const pipeline = number(parallelism, "pipeline", "parallelism", { min: 1, integer: true })!;
  const intra = object(o.intraSite, "intraSite");
  number(intra, "gbitPerGpu", "intraSite", { above: 0, unit: "Gbit/s" });
  number(intra, "latencyUs", "intraSite", { min: 0, optional: true, unit: "µs" });
  number(intra, "reduceGBps", "intraSite", { above: 0, optional: true, unit: "GB/s" });
  const sites = checkSites(o, tensor, pipeline);
  checkWan(o, sites.map((s) => s.name));
  if (o.strategies !== undefined) list(o.strategies, "strategies", 1).forEach((s, i) => checkStrategy(s, `strategies[${i}]`));
  return o as unknown as Scenario;
}

/** A strategy named on the command line: known, or a PlanError on the flag. */
export function checkStrategyName(name: string): StrategySpec {
  if (!(STRATEGY_NAMES as readonly string[]).includes(name)) throw badField("--strategy", name, `unknown strategy: give one of ${STRATEGY_NAMES.join(", ")}`);
  return { name };
}
