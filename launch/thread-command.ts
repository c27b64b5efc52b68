/**
 * What `launch --threads` can run in a worker thread: `node [node-flags] script [args]` or a bare
 * `.js`/`.mjs`/`.cjs` script. Anything else (python, a shell script, `node -e`) is refused with a
 * CommError that says what to do.
 */
import { basename, extname, resolve } from "node:path";
import { invalidArgument } from "../world/comm-error.js";

export interface ThreadCommand {
  /** Absolute path of the script each worker imports. */
  script: string;
  /** Node flags for the workers (Worker's execArgv). */
  execArgv: string[];
  /** The script's own arguments (process.argv.slice(2) in the worker). */
  args: string[];
}

const SCRIPT = /\.(c|m)?js$/;
/** Node flags whose value is the next argument. */
const FLAGS_WITH_VALUE = new Set(["-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions", "--stack-size", "--title", "--input-type"]);
/** Node flags that run something other than a script file. */
const NO_SCRIPT = new Set(["-e", "--eval", "-p", "--print", "-i", "--interactive", "-", "--test", "--run", "-c", "--check"]);

function refuse(what: string): never {
  throw invalidArgument(
    `--threads runs each rank as a worker thread of the launcher, so the command must be "node [node-flags] script.mjs [args]" or a .js/.mjs/.cjs script; ${what}. Run it without --threads to start one process per rank`,
    "launch",
  );
}

export function parseThreadCommand(command: string, args: readonly string[], cwd = process.cwd()): ThreadCommand {
  if (SCRIPT.test(command)) return { script: resolve(cwd, command), execArgv: [], args: [...args] };
  const name = basename(command);
  if (command !== process.execPath && name !== "node" && name !== "nodejs") refuse(`got "${[command, ...args].join(" ")}"`);
  const execArgv: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const flag = arg.split("=")[0];
    if (NO_SCRIPT.has(flag)) refuse(`"node ${arg}" runs no script file`);
    if (!arg.startsWith("-")) {
      if (!SCRIPT.test(arg) && extname(arg) !== "") refuse(`"${arg}" is not a JavaScript file`);
      return { script: resolve(cwd, arg), execArgv, args: args.slice(i + 1) };
    }
    execArgv.push(arg);
    if (FLAGS_WITH_VALUE.has(arg) && i + 1 < args.length) execArgv.push(args[++i]);
  }
  return refuse(`"${[command, ...args].join(" ")}" names no script`);
}
