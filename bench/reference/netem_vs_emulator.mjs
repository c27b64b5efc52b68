// Real kernel TCP over `tc netem` against longhaul's userspace emulator, on the same profile, in one
// run: two network namespaces joined by a veth pair stand for two sites. First the veth is shaped
// with longhaul's own tc builder (delay, loss, rate on each end) and the transfers and the
// all-reduce run over the kernel's TCP; then the tc rules are removed and the same runs go through
// the userspace emulator with the same profile. Prints both side by side with their ratio.
//   node bench/reference/netem_vs_emulator.mjs [--pair new-york:london] [--rate 1gbit] [--loss 0.01%]
//        [--bytes 32MiB] [--size 16MiB] [--emulator-only] [--json]      (after npm run build; root)
// The transfers: one stream and eight, fresh connections, time from the first write to the last
// answer. The all-reduce: 2 nodes × 2 ranks (`longhaul launch --nnodes 2`, ring, --streams 4), on the
// pair's delay and rate (launch's emulator takes no loss, so the all-reduce runs without it on both).
// Without sch_netem (this project's CI kernel) it prints "skipped: no sch_netem" and exits 0;
// --emulator-only runs the emulator half alone (what such a kernel can check); --no-tc runs the
// kernel half unshaped (its plumbing, and the floor of these two namespaces).
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "..", "dist");
const cli = join(dist, "cli", "main.js");
const peer = join(here, "netem_vs_emulator_peer.mjs");
const { values } = parseArgs({
  options: {
    pair: { type: "string", default: "new-york:london" }, rate: { type: "string", default: "1gbit" }, loss: { type: "string", default: "0.01%" },
    bytes: { type: "string", default: "32MiB" }, size: { type: "string", default: "16MiB" }, "base-port": { type: "string", default: "27300" },
    "emulator-only": { type: "boolean", default: false }, "no-tc": { type: "boolean", default: false }, json: { type: "boolean", default: false },
  },
});
const { probeNetem } = await import(join(dist, "netem", "tc", "probe.js"));
const { singleLinkCommands } = await import(join(dist, "netem", "tc", "builder.js"));
const { applyCommands, clearDevice } = await import(join(dist, "netem", "tc", "runner.js"));
const { profileBetween } = await import(join(dist, "model", "pairs.js"));
const { parsePercent, parseRate, parseSize } = await import(join(dist, "world", "units.js"));

const [regionA, regionB] = values.pair.split(":");
const HOSTS = [
  { ns: "lh-nve-a", dev: "lhn0", addr: "10.79.0.1", region: regionA },
  { ns: "lh-nve-b", dev: "lhn1", addr: "10.79.0.2", region: regionB },
];
const rateMbit = parseRate(values.rate, "--rate");
const profile = profileBetween(regionA, regionB, { rateMbit, lossPct: parsePercent(values.loss, "--loss") });
const BASE = Number(values["base-port"]);
const SINK_PORT = BASE + 1;
const PROXY_PORT = BASE + 2; // the emulator's route to the sink, in the sender's namespace

function skip(reason) {
  console.log(`skipped: ${reason}`);
  process.exit(0);
}

const ip = (...args) => {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
};

function removeHosts() {
  for (const h of HOSTS) spawnSync("ip", ["netns", "del", h.ns]);
}

function makeHosts() {
  removeHosts();
  for (const h of HOSTS) ip("netns", "add", h.ns);
  ip("link", "add", HOSTS[0].dev, "netns", HOSTS[0].ns, "type", "veth", "peer", "name", HOSTS[1].dev, "netns", HOSTS[1].ns);
  for (const h of HOSTS) {
    ip("-n", h.ns, "addr", "add", `${h.addr}/24`, "dev", h.dev);
    for (const dev of ["lo", h.dev]) ip("-n", h.ns, "link", "set", dev, "up");
  }
}

/** Starts `node peer.mjs ARGS` in `ns` and resolves once it printed a line starting with "ready". */
function startPeer(ns, ...args) {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, peer, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("ready"));
      if (line) resolve({ child });
    });
    child.once("exit", (code) => reject(new Error(`peer ${args[0]} in ${ns} exited ${code} before it was ready`)));
  });
}

function runIn(ns, command, args, env = {}) {
  const r = spawnSync("ip", ["netns", "exec", ns, command, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} in ${ns} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

async function transfers(emulated) {
  const sink = await startPeer(HOSTS[1].ns, "sink", String(SINK_PORT));
  const emulator = emulated ? await startPeer(HOSTS[0].ns, "emulate", String(PROXY_PORT), HOSTS[1].addr, String(SINK_PORT), JSON.stringify(profile)) : undefined;
  const [host, port] = emulator ? ["127.0.0.1", String(PROXY_PORT)] : [HOSTS[1].addr, String(SINK_PORT)];
  try {
    return [1, 8].map((streams) => JSON.parse(runIn(HOSTS[0].ns, process.execPath, [peer, "send", host, port, String(streams), String(parseSize(values.bytes, "--bytes"))])));
  } finally {
    sink.child.kill("SIGTERM");
    emulator?.child.kill("SIGTERM");
  }
}

/** 2 nodes × 2 ranks, the ring at --size; the median time of rank 0's line. */
async function allReduce(emulated) {
  const node = (h) => new Promise((resolve, reject) => {
    const args = [cli, "launch", "--nnodes", "2", "--nproc-per-node", "2", "--master-addr", HOSTS[0].addr, "--region", h.region, "--streams", "4", "--base-port", String(BASE + 10),
      ...(emulated ? ["--emulate", "--rate", values.rate] : []), "--", process.execPath, join(dist, "examples", "allreduce-perf.js"), "--sizes", values.size, "--algorithm", "ring", "--min-time", "5s", "--json"];
    const child = spawn("ip", ["netns", "exec", h.ns, process.execPath, ...args], { env: { ...process.env, LONGHAUL_LINK_RATE_MBIT: String(rateMbit) }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`launch in ${h.ns} exited ${code}: ${err.slice(-2000)}`))));
  });
  const outs = await Promise.all(HOSTS.map(node));
  const line = outs.join("\n").split("\n").find((l) => l.includes("{"));
  if (!line) throw new Error("the all-reduce printed no result line");
  const row = JSON.parse(line.slice(line.indexOf("{")));
  if (row.wrong !== 0) throw new Error(`the all-reduce had ${row.wrong} wrong elements`);
  return row;
}

async function measure(emulated) {
  const [one, eight] = await transfers(emulated);
  const ar = await allReduce(emulated);
  return { one, eight, allReduceMs: ar.timeUs / 1000 };
}

if (process.getuid?.() !== 0 || spawnSync("ip", ["netns", "list"]).status !== 0) skip("needs root and ip netns");
const netem = probeNetem();
if (!values["emulator-only"] && !values["no-tc"] && netem.available === false) skip(`no sch_netem (${netem.reason}); --emulator-only runs the emulator half`);
makeHosts();
process.on("SIGINT", () => {
  removeHosts();
  process.exit(130);
});
try {
  let kernel;
  if (!values["emulator-only"]) {
    const shaped = !values["no-tc"];
    if (shaped) for (const h of HOSTS) await applyCommands(h.dev, singleLinkCommands(h.dev, profile), { netns: h.ns });
    try {
      kernel = await measure(false);
    } finally {
      if (shaped) for (const h of HOSTS) await clearDevice(h.dev, { netns: h.ns }, { ifb: false });
    }
  }
  const emulator = await measure(true);
  const rows = [
    ["1 stream, Mbit/s", kernel?.one.mbit, emulator.one.mbit],
    ["8 streams, Mbit/s", kernel?.eight.mbit, emulator.eight.mbit],
    [`all-reduce ${values.size}, 2x2 ranks, ms`, kernel?.allReduceMs, emulator.allReduceMs],
  ];
  if (values.json) console.log(JSON.stringify({ pair: values.pair, profile, bytes: values.bytes, kernel, emulator }));
  else {
    console.log(`${values.pair}: one-way ${profile.delayMs} ms, ${values.rate}, loss ${values.loss}; transfers of ${values.bytes}`);
    console.log(`${"".padEnd(30)} ${(values["no-tc"] ? "kernel, no tc" : "kernel+netem").padStart(13)} ${"emulator".padStart(10)} ${"ratio".padStart(7)}`);
    const f = (x) => (x === undefined ? "-" : x.toFixed(1));
    for (const [name, k, e] of rows) console.log(`${name.padEnd(30)} ${f(k).padStart(13)} ${f(e).padStart(10)} ${(k === undefined ? "-" : (e / k).toFixed(2)).padStart(7)}`);
  }
} finally {
  removeHosts();
}
