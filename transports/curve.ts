/**
 * CURVE encryption and authentication for ZeroMQ links (CurveZMQ, built into libzmq). A job has two
 * key pairs: every rank's PULL socket is a CURVE server with the job's server secret key, every PUSH
 * a CURVE client with the job's client key pair. A ZAP handler in each process admits only clients
 * that prove the job's client key, so a rank without the keys can neither read nor inject frames.
 * Keys come from the launcher (generated per job) or from a file for a fixed deployment.
 */
import { readFileSync } from "node:fs";
import { curveKeyPair, Reply, type Pull, type Push, type SocketOptions } from "zeromq";
import { invalidArgument } from "../world/comm-error.js";

export interface CurveKeys {
  serverPublicKey: string;
  serverSecretKey: string;
  clientPublicKey: string;
  clientSecretKey: string;
}

const KEY_FIELDS = ["serverPublicKey", "serverSecretKey", "clientPublicKey", "clientSecretKey"] as const;
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

export function generateCurveKeys(): CurveKeys {
  const server = curveKeyPair();
  const client = curveKeyPair();
  return { serverPublicKey: server.publicKey, serverSecretKey: server.secretKey, clientPublicKey: client.publicKey, clientSecretKey: client.secretKey };
}

/** Reads a keys file (JSON with the four Z85 keys of CurveKeys), checking every field. */
export function readCurveKeys(path: string): CurveKeys {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw invalidArgument(`cannot read CURVE keys from ${path} (${(error as Error).message}); write them with "longhaul keygen --out ${path}"`, "connect");
  }
  const record = (value ?? {}) as Record<string, unknown>;
  for (const field of KEY_FIELDS) {
    if (typeof record[field] !== "string" || !Z85_KEY.test(record[field] as string)) {
      throw invalidArgument(`CURVE keys file ${path}: "${field}" is missing or not a 40-character Z85 key; write the file with "longhaul keygen --out ${path}"`, "connect");
    }
  }
  return Object.fromEntries(KEY_FIELDS.map((f) => [f, record[f]])) as unknown as CurveKeys;
}

export function pullSecurity(keys: CurveKeys): Partial<SocketOptions<Pull>> {
  return { curveServer: true, curveSecretKey: keys.serverSecretKey, zapDomain: "longhaul" };
}

export function pushSecurity(keys: CurveKeys): Partial<SocketOptions<Push>> {
  return { curveServerKey: keys.serverPublicKey, curvePublicKey: keys.clientPublicKey, curveSecretKey: keys.clientSecretKey };
}

const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** Z85 text of a binary key (ZAP hands the client's key over as 32 raw bytes). */
export function z85Encode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 4) {
    let value = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
    let chunk = "";
    for (let j = 0; j < 5; j++) {
      chunk = Z85[value % 85] + chunk;
      value = Math.floor(value / 85);
    }
    out += chunk;
  }
  return out;
}

interface ZapHandler {
  socket: Reply;
  allowed: Map<string, number>;
}

/** Where libzmq asks for authentication (ZMQ RFC 27). */
const ZAP_ENDPOINT = "inproc://zeromq.zap.01";
let zap: Promise<ZapHandler> | undefined;
let stopping: Promise<void> = Promise.resolve();

/**
 * Admits CURVE clients holding `clientPublicKey` for as long as the returned release function has not
 * been called. One ZAP handler serves the whole process (libzmq asks the handler bound at the
 * well-known inproc endpoint); it closes when the last transport using it releases it.
 */
export async function admitClients(clientPublicKey: string): Promise<() => void> {
  const starting = (zap ??= startZap());
  const handler = await starting;
  handler.allowed.set(clientPublicKey, (handler.allowed.get(clientPublicKey) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (handler.allowed.get(clientPublicKey) ?? 1) - 1;
    if (left > 0) handler.allowed.set(clientPublicKey, left);
    else handler.allowed.delete(clientPublicKey);
    if (handler.allowed.size === 0) {
      if (zap === starting) zap = undefined;
      // The endpoint is free again only once unbound: a handler started after this waits for that.
      stopping = handler.socket
        .unbind(ZAP_ENDPOINT)
        .catch(() => undefined)
        .finally(() => handler.socket.close());
    }
  };
}

async function startZap(): Promise<ZapHandler> {
  await stopping;
  const socket = new Reply({ linger: 0 });
  await socket.bind(ZAP_ENDPOINT);
  const handler = { socket, allowed: new Map<string, number>() };
  void serveZap(handler);
  return handler;
}

async function serveZap(handler: ZapHandler): Promise<void> {
  while (!handler.socket.closed) {
    let frames: Buffer[];
    try {
      frames = await handler.socket.receive();
    } catch {
      return; // closed
    }
    const [version, requestId, , , , mechanism, key] = frames;
    const ok = mechanism?.toString() === "CURVE" && key?.length === 32 && handler.allowed.has(z85Encode(key));
    await handler.socket
      .send([version ?? "1.0", requestId ?? "", ok ? "200" : "400", ok ? "OK" : "client key is not this job's", "", ""])
      .catch(() => undefined);
  }
}
