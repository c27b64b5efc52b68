import { createInterface } from "node:readline";

/** Calls `onLine` with each line of a stream (without its newline). */
export function splitLines(source: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  createInterface({ input: source, crlfDelay: Infinity }).on("line", onLine);
}
