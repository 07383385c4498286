/**
 * Compiled policy wasm by the sha-256 of its bytes: each bundle is compiled by the engine once per
 * process, and every evaluator of it (the decision, the exposure plan, each incident in a server)
 * instantiates the compiled module with its own memory and data. Bounded: a server sees few bundles.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

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
