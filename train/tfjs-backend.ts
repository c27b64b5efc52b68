import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/**
 * Selects tfjs's WebAssembly backend (about 5x the pure-JS CPU backend here) with its .wasm files
 * loaded from node_modules, never from a CDN: the machines may have no network.
 */
export async function useWasmBackend(): Promise<string> {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
  setWasmPaths(dir);
  const ok = await tf.setBackend("wasm").catch(() => false);
  if (!ok) {
    process.stderr.write("longhaul train: the tfjs wasm backend did not load; falling back to the (slower) cpu backend\n");
    await tf.setBackend("cpu");
  }
  await tf.ready();
  return tf.getBackend();
}
