import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, ENTRYPOINT, type PolicyBundle } from './bundle.ts';
import { decisionCorpus } from './corpus.ts';
import { makeInput } from './fixtures.ts';
import { evaluator, instantiatePolicy, type LoadedPolicy } from './wasm-module.ts';

const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));

describe('policy/wasm-module evaluator', () => {
  let bundle: PolicyBundle;
  let policy: LoadedPolicy;

  beforeAll(async () => {
    bundle = await buildBundle([POLICIES]);
    policy = await instantiatePolicy(bundle.wasm);
    policy.setData(bundle.data as object);
  }, 60_000);

  it("answers as opa-wasm's own evaluate on every corpus input, one instance after the other", async () => {
    const reference = await instantiatePolicy(bundle.wasm);
    reference.setData(bundle.data as object);
    const evaluate = evaluator(policy, ENTRYPOINT);
    const corpus = decisionCorpus();
    expect(corpus.length).toBeGreaterThan(300);
    for (const { input } of corpus) expect(evaluate(input)).toEqual(reference.evaluate(input, ENTRYPOINT));
  });

  it('grows the memory for an input larger than it, multi-byte text included, and keeps answering', () => {
    const evaluate = evaluator(policy, ENTRYPOINT);
    const small = evaluate(makeInput());
    const before = (policy as unknown as { mem: WebAssembly.Memory }).mem.buffer.byteLength;
    // 4 MiB of UTF-8 in a label no rule reads: the decision is the same.
    const big = makeInput({ namespace: { labels: { note: 'é'.repeat(2 * 1024 * 1024) } } });
    expect(evaluate(big)).toEqual(small);
    expect((policy as unknown as { mem: WebAssembly.Memory }).mem.buffer.byteLength).toBeGreaterThan(
      before + 4 * 1024 * 1024,
    );
    expect(evaluate(makeInput())).toEqual(small);
  });

  it('names an entrypoint the bundle does not have', () => {
    expect(() => evaluator(policy, 'salve/none')(makeInput())).toThrow(/salve\/none/);
  });
});
