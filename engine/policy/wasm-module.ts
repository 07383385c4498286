/**
 * Compiled policy wasm by the sha-256 of its bytes: each bundle is compiled by the engine once per
 * process, and every evaluator of it (the decision, the exposure plan, each incident in a server)
 * instantiates the compiled module with its own memory and data. Bounded: a server sees few bundles.
 */
import { createHash } from 'node:crypto';
import * as opaWasm from '@open-policy-agent/opa-wasm';
import { LRUCache } from 'lru-cache';

// opa-wasm's ES entry exports loadPolicy and, as default, its CommonJS module, which also has
// loadPolicySync (its types declare both as named exports).
const { loadPolicySync } = (opaWasm as unknown as { default: typeof opaWasm }).default;

export type LoadedPolicy = ReturnType<typeof loadPolicySync>;

const compiled = new LRUCache<string, Promise<WebAssembly.Module>>({ max: 16 });

export function compiledPolicy(wasm: Uint8Array): Promise<WebAssembly.Module> {
  const key = createHash('sha256').update(wasm).digest('hex');
  let module = compiled.get(key);
  if (!module) {
    // A Buffer from a file never views a SharedArrayBuffer.
    module = WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
    compiled.set(key, module);
    module.catch(() => compiled.delete(key));
  }
  return module;
}

/**
 * A fresh instance of the compiled policy with its own memory. Synchronous on purpose: opa-wasm's
 * async loadPolicy tests its argument with `instanceof Response`, and that first touch of the
 * global loads Node's whole fetch stack (undici) into a process that never fetches.
 */
export async function instantiatePolicy(wasm: Uint8Array): Promise<LoadedPolicy> {
  return loadPolicySync(await compiledPolicy(wasm));
}
