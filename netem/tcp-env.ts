import { CONGESTION_CONTROLS, TCP_ENV, type CongestionControl } from "../model/tcp.js";
import type { TcpOptions } from "./emulator/tcp-options.js";
import { badValue } from "./errors.js";
import { parseSize } from "../world/units.js";

export { TCP_ENV };

/** What a command's flags say (--cc, --no-slow-start-after-idle, --tcp-rmem-max); undefined: not given. */
export interface TcpFlags {
  readonly cc?: string;
  readonly noSlowStartAfterIdle?: boolean;
  readonly rmemMax?: string;
}

function congestionControl(text: string, what: string): CongestionControl {
  const cc = text.trim().toLowerCase();
  if (!CONGESTION_CONTROLS.includes(cc as CongestionControl)) throw badValue(`${what} "${text}" is not a congestion control; use one of ${CONGESTION_CONTROLS.join(", ")}`);
  return cc as CongestionControl;
}

function onOff(text: string, what: string): boolean {
  const value = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw badValue(`${what}="${text}" must be 1 or 0 (0 turns slow start after idle off)`);
}

/** The emulator's TcpOptions from flags, then TCP_ENV; undefined when neither says anything (the emulator's Linux defaults). */
export function tcpOptionsFrom(flags: TcpFlags, env: NodeJS.ProcessEnv = process.env): TcpOptions | undefined {
  const text = (name: string): string | undefined => (env[name]?.trim() ? env[name] : undefined);
  const ccText = flags.cc ?? text(TCP_ENV.cc);
  const rmemText = flags.rmemMax ?? text(TCP_ENV.rmemMax);
  const idleText = text(TCP_ENV.slowStartAfterIdle);
  const options: { -readonly [K in keyof TcpOptions]: TcpOptions[K] } = {};
  if (ccText !== undefined) options.cc = congestionControl(ccText, flags.cc !== undefined ? "--cc" : TCP_ENV.cc);
  if (flags.noSlowStartAfterIdle) options.slowStartAfterIdle = false;
  else if (idleText !== undefined) options.slowStartAfterIdle = onOff(idleText, TCP_ENV.slowStartAfterIdle);
  if (rmemText !== undefined) {
    const what = flags.rmemMax !== undefined ? "--tcp-rmem-max" : TCP_ENV.rmemMax;
    const bytes = parseSize(rmemText, what);
    if (bytes < 64 * 1024) throw badValue(`${what} "${rmemText}" is below 64 KiB; Linux's tcp_rmem max is 6 MiB by default (write e.g. 6MiB or 32MiB)`);
    options.rmemMaxBytes = bytes;
  }
  return Object.keys(options).length > 0 ? options : undefined;
}

/** The same settings as variables, for processes that start their own emulator (launched nodes, containers). */
export function tcpEnv(options: TcpOptions | undefined): NodeJS.ProcessEnv {
  if (!options) return {};
  return {
    ...(options.cc !== undefined && { [TCP_ENV.cc]: options.cc }),
    ...(options.slowStartAfterIdle !== undefined && { [TCP_ENV.slowStartAfterIdle]: options.slowStartAfterIdle ? "1" : "0" }),
    ...(options.rmemMaxBytes !== undefined && { [TCP_ENV.rmemMax]: String(options.rmemMaxBytes) }),
  };
}
