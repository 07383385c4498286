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

/** What opa-wasm's LoadedPolicy holds (ABI 1.2+), read by `evaluator` below. */
interface PolicyInternals {
  minorVersion: number;
  mem: WebAssembly.Memory;
  wasmInstance: WebAssembly.Instance;
  dataAddr: number;
  dataHeapPtr: number;
  entrypoints: Record<string, number>;
}

type OpaEval = (ctx: 0, entrypoint: number, data: number, input: number, len: number, heap: number, fmt: 0) => number;

const WASM_PAGE = 64 * 1024;

/**
 * Evaluates one entrypoint through opa_eval (ABI 1.2) as LoadedPolicy.evaluate does, with less
 * copying around it: the input's JSON is encoded straight into the wasm memory above the data (no
 * intermediate buffer), and the result is found and decoded with native calls (not a byte loop)
 * by encoders made once. Falls back to LoadedPolicy.evaluate for a module built for an older ABI.
 */
export function evaluator(policy: LoadedPolicy, entrypoint: string): (input: unknown) => unknown {
  const p = policy as unknown as PolicyInternals;
  const id = p.entrypoints[entrypoint];
  const opaEval = p.wasmInstance.exports.opa_eval as OpaEval | undefined;
  if (!(p.minorVersion >= 2) || id === undefined || !opaEval) return (input) => policy.evaluate(input, entrypoint);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return (input) => {
    const json = JSON.stringify(input);
    // Read per call: setData moves both.
    const at = p.dataHeapPtr;
    // UTF-16 to UTF-8: at most 3 bytes per code unit.
    const room = json.length * 3;
    const short = at + room - p.mem.buffer.byteLength;
    if (short > 0) p.mem.grow(Math.ceil(short / WASM_PAGE));
    const { written } = encoder.encodeInto(json, new Uint8Array(p.mem.buffer, at, room));
    const result = opaEval(0, id, p.dataAddr, at, written, at + written, 0);
    // The evaluation may have grown the memory: a fresh view.
    const bytes = new Uint8Array(p.mem.buffer);
    return JSON.parse(decoder.decode(bytes.subarray(result, bytes.indexOf(0, result))));
  };
}
