#!/usr/bin/env node
/** `longhaul` entry: dispatches to one module per subcommand, loaded lazily so each starts fast. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> }> = {
  launch: { summary: "start N local ranks of a command (like torchrun)", load: () => import("./launch.js") },
  bench: { summary: "all-reduce sweeps and micro-benchmarks", load: () => import("./bench.js") },
  netem: { summary: "link profiles, tc netem plans, the userspace emulator", load: () => import("./netem.js") },
  train: { summary: "data-parallel training (MNIST MLP or a small LM) across emulated continents", load: () => import("./train.js") },
  keygen: { summary: "write CURVE keys for a job's encrypted links", load: () => import("./keygen.js") },
  calibrate: { summary: "measure this host's software costs for the cost model", load: () => import("./calibrate.js") },
  plan: { summary: "full-scale what-if planner over a scenario file (scenarios/)", load: () => import("./plan.js") },
  run: { summary: "the whole experiment: sweep over emulated continents, then a report", load: () => import("./run.js") },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: longhaul <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun "longhaul <command> --help" for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`longhaul: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).main(rest);
}

/**
 * A value the user typed wrong (CommError / NetemError INVALID_ARGUMENT, or node:util parseArgs'
 * ERR_PARSE_ARGS_*): one line naming it, exit 2 like other CLIs' usage errors, no stack trace.
 */
function isUsageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "INVALID_ARGUMENT" || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const name = COMMANDS[process.argv[2]] ? `longhaul ${process.argv[2]}` : "longhaul";
    const usage = isUsageError(error);
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}${usage ? `\n(see "${name} --help")` : ""}`);
    process.exitCode = usage ? 2 : 1;
  },
);
