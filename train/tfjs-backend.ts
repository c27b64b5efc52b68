import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";

/**
 * Selects tfjs's WebAssembly backend (about 5x the pure-JS CPU backend here) with its .wasm files
 * loaded from node_modules, never from a CDN: the machines may have no network. The wasm package is
 * imported here, on call, not at the top: importing it registers a backend of higher priority than
 * "cpu" that is not ready until awaited, so a plain `import "longhaul/tfjs"` followed by a tensor
 * op threw "backend 'wasm' has not yet been initialized". Importing longhaul/tfjs now picks nothing.
 */
export async function useWasmBackend(): Promise<string> {
  const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
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
