/**
 * Fuzz: `.salve.yaml` documents (well-formed with hostile values, alias bombs, garbage), read as
 * plan reads them and then used: policy settings, time facts, environments, Application discovery.
 * Either it works, or it is an exit-2 error naming .salve.yaml that is safe to print.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { policySettings } from '../../engine/pipeline/policy-input.ts';
import { timeFacts } from '../../engine/pipeline/time-facts.ts';
import { discoverApplications, environmentFor, loadConfig } from '../../engine/repo/index.ts';
import { aliasBomb, expectInputRejection, fuzzSeed, nameish } from './arbitraries.ts';

const NOW = new Date('2025-06-12T10:00:00Z');
const cases = { documents: 0, loaded: 0 };

/** Mostly a valid value, sometimes a hostile one: a document then often gets past validation. */
function mostly<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

const name = mostly(fc.constantFrom('production', 'staging', 'eu-1', 'dev'), nameish);
const glob = mostly(
  fc.constantFrom('argocd/**/*.yaml', '**/*.yml', 'apps/*/app.yaml', './x/*.yaml', '*.yaml'),
  fc.oneof(fc.constantFrom('[z-a]', '{a,b', '../**/*.yaml', '/etc/*', `${'*a'.repeat(12)}`), nameish),
);
const quantity = mostly(fc.constantFrom('4Gi', '512Mi', '2', '500m', '1e3'), nameish);
const duration = mostly(fc.constantFrom('2h', '30m', '1d', '90s'), nameish);
const number = mostly(fc.double({ min: 0, max: 1, noNaN: true }), fc.oneof(fc.constantFrom(-1, 3), nameish));

const config = fc.record(
  {
    apiVersion: mostly(fc.constant('salve.dev/v1'), nameish),
    applications: fc.array(glob, { maxLength: 3 }),
    environments: fc.array(
      fc.record(
        {
          name,
          tier: name,
          clusters: fc.array(name, { maxLength: 2 }),
          timezone: mostly(fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'), nameish),
          businessHours: fc.record({
            days: fc.array(mostly(fc.integer({ min: 0, max: 6 }), fc.constantFrom(-1, 7)), { maxLength: 7 }),
            start: mostly(fc.constantFrom('08:00', '09:30'), nameish),
            end: mostly(fc.constantFrom('18:00', '17:00'), nameish),
          }),
        },
        { requiredKeys: ['name'] },
      ),
      { maxLength: 2 },
    ),
    trust: fc.record({ default: mostly(fc.constantFrom('observe', 'approve', 'automate'), nameish) }),
    policy: fc.record(
      {
        confidenceThreshold: number,
        riskThreshold: number,
        protectedNamespaces: fc.array(name, { maxLength: 2 }),
        bounds: fc.record(
          {
            memoryCap: quantity,
            cpuCap: quantity,
            memoryMaxFactor: mostly(fc.constantFrom(1.5, 2), nameish),
            replicasCap: mostly(fc.constantFrom(10, 50), fc.constantFrom(-1, 0.5, 'x')),
          },
          { requiredKeys: [] },
        ),
        rollbackMaxReleaseAge: duration,
      },
      { requiredKeys: [] },
    ),
    freezes: fc.array(
      fc.record({
        name,
        from: mostly(fc.constant('2025-06-12T00:00:00Z'), fc.constant('now')),
        to: fc.constantFrom('2025-06-13T00:00:00Z', '2025-06-01T00:00:00Z'),
      }),
      { maxLength: 1 },
    ),
    holdPeriod: duration,
    keys: fc.array(glob, { maxLength: 2 }),
    policies: fc.array(mostly(fc.constantFrom('policies', 'rego/custom'), fc.constantFrom('../evil', '/etc')), {
      maxLength: 2,
    }),
    kustomize: fc.record({ remoteHosts: fc.array(mostly(fc.constantFrom('github.com', 'h:8443'), nameish)) }),
  },
  { requiredKeys: [] },
);

const document = fc.oneof(
  { weight: 6, arbitrary: config.map((c) => stringify(c)) },
  { weight: 1, arbitrary: config.map((c) => `${stringify(c)}bomb:\n${aliasBomb(8, '  ')}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(`${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'a: &a [*a]\n', '"\\ud800": x\n'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
);

describe('fuzz: .salve.yaml', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-fuzz-config-'));
    await writeFile(
      join(dir, 'app.yaml'),
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  source: {path: apps/a}\n  destination: {name: production, namespace: a}\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    console.info(`fuzz .salve.yaml cases: ${cases.documents}, loaded and used: ${cases.loaded}`);
  });

  it('loads and is used, or is refused with an exit-2 error', async () => {
    await fc.assert(
      fc.asyncProperty(document, async (text) => {
        cases.documents++;
        await writeFile(join(dir, '.salve.yaml'), text);
        try {
          const { config } = await loadConfig(dir);
          policySettings(config);
          for (const env of config.environments) timeFacts(NOW, env, env.name, config);
          environmentFor(config, 'production');
          await discoverApplications(dir, config);
          cases.loaded++;
        } catch (err) {
          expectInputRejection(err);
        }
      }),
      { numRuns: 300, seed: fuzzSeed(4) },
    );
    expect(cases.documents).toBe(300);
    expect(cases.loaded).toBeGreaterThan(10);
  });
});
