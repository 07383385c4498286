/**
 * Fuzz: whole plans on the example config repo, from Alertmanager payloads whose labels and
 * annotations are mutated with hostile values. Properties: a plan, or an exit-2/3 error safe to
 * print (never a crash); nothing written but the repo's git directory (the file system around the
 * repo, temp files included, is listed before and after); neither signing key in any output, log
 * line or error.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW } from '../../engine/demo/setup.ts';
import { runPlan } from '../../engine/pipeline/run.ts';
import { privateKeyPem } from '../../engine/policy/index.ts';
import { alertPayload, runOptions, testKeys, writeSignal } from '../pipeline/helpers.ts';
import { captureLogger } from '../security/capture-logger.ts';
import { type HostileWorld, hostileWorld } from '../security/world.ts';
import { expectInputRejection, fuzzSeed, nameish } from './arbitraries.ts';

const cases = { plans: 0, planned: 0, refused: 0 };

const TARGETS = [
  { alertname: 'KubeContainerOOMKilled', namespace: 'checkout', pod: 'checkout-7d9f8b6c5d-x2x7k', reason: 'OOMKilled' },
  { alertname: 'KubeHpaMaxedOut', namespace: 'checkout', horizontalpodautoscaler: 'checkout' },
  { alertname: 'CPUThrottlingHigh', namespace: 'catalog', pod: 'catalog-6c8d5f7b9c-k2m4p' },
  { alertname: 'KubePodCrashLooping', namespace: 'orders', pod: 'orders-db-0' },
];

const alert = fc.record({
  base: fc.constantFrom(...TARGETS),
  cluster: fc.constantFrom('production', 'staging'),
  container: fc.constantFrom('checkout', 'catalog', 'postgres'),
  changes: fc.array(
    fc.tuple(fc.constantFrom('namespace', 'pod', 'container', 'cluster', 'deployment', 'severity', 'team'), nameish),
    { maxLength: 1 },
  ),
  description: fc.oneof(fc.constantFrom('memory limit 256Mi', '</details><!--', '@org/team'), nameish),
});

describe('fuzz: plans on the example repo', () => {
  let w: HostileWorld;
  let secrets: string[];
  let savedTmp: string | undefined;

  async function listing(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const walk = async (rel: string) => {
      for (const name of await readdir(join(w.world.root, rel)).catch(() => [] as string[])) {
        const path = rel ? `${rel}/${name}` : name;
        if (path === 'platform-config/.git' || /^tmp\/tsx-/.test(path)) continue;
        const s = await lstat(join(w.world.root, path));
        out.set(path, s.isDirectory() ? 'dir' : `${s.isSymbolicLink() ? 'link' : 'file'}:${s.size}:${s.mtimeMs}`);
        if (s.isDirectory()) await walk(path);
      }
    };
    await walk('');
    return out;
  }

  beforeAll(async () => {
    w = await hostileWorld();
    const keys = await testKeys();
    secrets = [
      privateKeyPem(keys.signingKey).split('\n')[1] as string,
      keys.pgp.armoredPrivateKey.split('\n')[4] as string,
    ];
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = w.tmp;
  });
  afterAll(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await w?.close();
    console.info(`fuzz plans: ${JSON.stringify(cases)}`);
  });

  it('plans or refuses cleanly, writes only the git directory, and never shows a key', async () => {
    await fc.assert(
      fc.asyncProperty(alert, async (a) => {
        cases.plans++;
        const { alertname, namespace, reason, ...rest } = a.base;
        const extra: Record<string, string> = { ...rest, ...Object.fromEntries(a.changes) };
        const payload = alertPayload([
          {
            alertname,
            cluster: a.cluster,
            namespace,
            container: a.container,
            ...(reason ? { reason } : {}),
            extra,
          },
        ]) as { alerts: Array<{ annotations: Record<string, string> }> };
        for (const al of payload.alerts) al.annotations.description = a.description;
        const signal = await writeSignal(payload);
        const log = captureLogger();
        const before = await listing();
        let output: string;
        try {
          output = JSON.stringify(await runPlan(await runOptions(w.repo, [signal], DEMO_NOW, { log })));
          cases.planned++;
        } catch (err) {
          expectInputRejection(err, [2, 3]);
          output = (err as Error).message;
          cases.refused++;
        }
        const after = await listing();
        const changed = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p));
        expect(changed).toEqual([]);
        const logged = JSON.stringify(log.records);
        for (const secret of secrets) {
          expect(output).not.toContain(secret);
          expect(logged).not.toContain(secret);
        }
      }),
      { numRuns: 12, seed: fuzzSeed(6) },
    );
    expect(cases.plans).toBe(12);
    expect(cases.planned).toBeGreaterThan(0);
  });
});
