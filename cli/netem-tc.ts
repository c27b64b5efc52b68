import { parseArgs } from "node:util";
import { execa } from "execa";
import { onProcessEnd } from "../netem/cleanup.js";
import { badValue } from "../netem/errors.js";
import { profileBetween } from "../netem/pairs.js";
import { perDestinationCommands, singleLinkCommands, ingressCommands, type Command, type Destination } from "../netem/tc/builder.js";
import { applyCommands, clearDevice, clearDeviceSync, showDevice, type TcTarget } from "../netem/tc/runner.js";
import { PROFILE_OPTIONS, profileFromFlags, reportErrors, shapeFromFlags, type ProfileFlags } from "./netem-flags.js";

export const TC_HELP = `usage: longhaul netem plan|apply|clear|show --dev DEV [shape] [--netns NS | --container C]

shape (plan, apply):
  --delay 40ms [--jitter 2ms] [--distribution normal] [--loss 0.01%] [--rate 1gbit] [--limit N]
                         one netem qdisc at the root of DEV (every packet leaving DEV)
  --self REGION --peer REGION=IP ... [--jitter …] [--loss …] [--rate …]
                         htb tree: one class + u32 filter + netem leaf per peer address, delay
                         from the distance between the regions; other traffic is untouched
  --ingress              also shape traffic arriving on DEV (through an ifb device)

  plan    print the commands (one per line) without running them
  apply   clear DEV, apply the commands, and keep them until SIGINT/SIGTERM, then remove them;
          --keep: leave them in place and exit (remove later with clear); -- CMD ARGS: run CMD
          and remove the rules when it ends
  clear   remove longhaul's qdiscs from DEV
  show    print DEV's qdiscs, classes and filters`;

const OPTIONS = {
  ...PROFILE_OPTIONS,
  dev: { type: "string" },
  self: { type: "string" },
  peer: { type: "string", multiple: true },
  ingress: { type: "boolean", default: false },
  netns: { type: "string" },
  container: { type: "string" },
  keep: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The commands that the shape flags describe. */
export function commandsFromFlags(dev: string, flags: ProfileFlags & { self?: string; peer?: string[]; ingress?: boolean }): Command[] {
  let commands: Command[];
  if (flags.self !== undefined || flags.peer !== undefined) {
    if (flags.self === undefined || !flags.peer?.length) throw badValue("a per-destination plan needs --self REGION and at least one --peer REGION=IP");
    if (flags.delay !== undefined) throw badValue("--delay does not go with --self/--peer: the delay comes from the distance between the regions");
    const self = flags.self;
    const destinations: Destination[] = flags.peer.map((spec) => {
      const [region, ip, extra] = spec.split("=");
      if (!region || !ip || extra !== undefined) throw badValue(`--peer "${spec}" is not REGION=IP (e.g. --peer london=10.0.0.3)`);
      return { ip, profile: profileBetween(self, region, shapeFromFlags(flags)) };
    });
    commands = perDestinationCommands(dev, destinations);
  } else {
    commands = singleLinkCommands(dev, profileFromFlags(flags));
  }
  if (flags.ingress) commands.push(...ingressCommands(dev, profileFromFlags(flags)));
  return commands;
}

export function tcMain(sub: "plan" | "apply" | "clear" | "show", argv: string[]): Promise<number> {
  return reportErrors(sub, async () => {
    const split = argv.indexOf("--");
    const { values } = parseArgs({ args: split < 0 ? argv : argv.slice(0, split), options: OPTIONS, strict: true });
    if (values.help) {
      console.log(TC_HELP);
      return 0;
    }
    if (values.dev === undefined) throw badValue("give the device with --dev (e.g. --dev eth0)");
    const dev = values.dev;
    const target: TcTarget = { netns: values.netns, container: values.container };
    if (sub === "clear") {
      await clearDevice(dev, target);
      return 0;
    }
    if (sub === "show") {
      console.log(await showDevice(dev, target));
      return 0;
    }
    const commands = commandsFromFlags(dev, values);
    if (sub === "plan") {
      for (const command of commands) console.log(command.join(" "));
      return 0;
    }
    // Cleanup is armed before the first command so that a signal mid-apply still clears.
    const disarm = values.keep ? () => undefined : onProcessEnd(() => clearDeviceSync(dev, target));
    await applyCommands(dev, commands, target);
    if (values.keep) return 0;
    const [command, ...args] = split < 0 ? [] : argv.slice(split + 1);
    if (command !== undefined) {
      const result = await execa(command, args, { stdio: "inherit", reject: false });
      await clearDevice(dev, target);
      disarm();
      return result.exitCode ?? 1;
    }
    console.error(`longhaul netem apply: shaping ${dev}${values.netns ? ` in netns ${values.netns}` : ""}; SIGINT/SIGTERM removes the rules`);
    setInterval(() => undefined, 1 << 30); // keeps the process alive until a signal ends it
    return await new Promise<number>(() => undefined);
  });
}
