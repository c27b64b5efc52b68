import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { RankResult } from "../bench/sweep-types.js";

/** The coordinator's end of the parts handoff (docker/parts.ts): one PUT /parts/<region> per continent. */
export interface PartsInbox {
  readonly port: number;
  /** The coordinator's own part, which does not go through the network. */
  add(region: string, results: readonly RankResult[]): void;
  /** Every region's results, once all have arrived; the error names the missing regions. */
  wait(timeoutMs: number): Promise<RankResult[]>;
  close(): Promise<void>;
}

/** A part is a few KiB; anything far larger is not one. */
const MAX_BODY = 64 << 20;

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) request.destroy(new Error(`part larger than ${MAX_BODY} bytes`));
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });

/** Listens on every interface of the container (the others reach it by its overlay or bridge address). */
export async function openInbox(port: number, regions: readonly string[], host = "0.0.0.0"): Promise<PartsInbox> {
  const parts = new Map<string, RankResult[]>();
  let arrived = (): void => {};
  const server = createServer((request, response) => {
    const region = decodeURIComponent(/^\/parts\/([^/]+)$/.exec(request.url ?? "")?.[1] ?? "");
    if (request.method !== "PUT" || !regions.includes(region)) {
      response.writeHead(404).end(`expected PUT /parts/<one of ${regions.join(", ")}>`);
      return;
    }
    readBody(request).then((body) => JSON.parse(body) as RankResult[]).then(
      (results) => {
        parts.set(region, results);
        response.writeHead(204).end();
        arrived();
      },
      (error: unknown) => response.writeHead(400).end(error instanceof Error ? error.message : String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  const missing = () => regions.filter((r) => !parts.has(r));
  return {
    port: (server.address() as AddressInfo).port,
    add: (region, results) => void parts.set(region, [...results]),
    wait: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const names = missing();
          reject(new Error(`no results from ${names.join(", ")} after ${Math.round(timeoutMs / 1000)} s; check those containers' logs (docker compose logs ${names.join(" ")}, or docker service logs <stack>_<region>)`));
        }, timeoutMs);
        arrived = () => {
          if (missing().length > 0) return;
          clearTimeout(timer);
          resolve(regions.flatMap((r) => parts.get(r) ?? []));
        };
        arrived();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
