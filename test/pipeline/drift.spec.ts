/**
 * Drift, on the example config repo with real git history and kustomize: pods failing on an image
 * git does not render get a drift finding with the evidence and no rollback of what git has; a
 * failing image that is the rendered one keeps its rollback, recorded as confirmed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOutcome, outcomeJson } from '../../engine/cli/output.ts';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { type Outcome, runPlan } from '../../engine/pipeline/run.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { branches, writeSignal } from './helpers.ts';

let world: DemoWorld;

async function plan(file: string, cluster?: string): Promise<Outcome> {
  const outcomes = await runPlan({
    repoDir: world.work,
    signalFiles: [file],
    ...(cluster ? { cluster } : {}),
    signingKey: world.signingKey,
    pgp: world.pgp,
    now: DEMO_NOW,
    log: silentLogger(),
  });
  expect(outcomes).toHaveLength(1);
  return outcomes[0] as Outcome;
}

/** An example signal of checkout in production, each alert naming the image its pods run. */
async function withImage(image: string, file = 'crashloop-checkout-production.json'): Promise<string> {
  const payload = JSON.parse(await readFile(join(EXAMPLE_SIGNALS, file), 'utf8'));
  for (const alert of payload.alerts) alert.labels.image = image;
  return writeSignal(payload, `with-image-${file}`);
}
const crashLoopOn = (image: string) => withImage(image);

beforeAll(async () => {
  world = await createDemoWorld({ remote: false });
});

afterAll(async () => {
  await world?.close();
});

describe('drift: the failing image is not the one git renders', () => {
  it('reports a pod pulling an image git does not render, with where git sets it, and writes nothing', async () => {
    const before = await branches(world.work);
    // The pod's status says catalog:2.4.2; the production overlay pins 2.4.1.
    const o = await plan(join(EXAMPLE_SIGNALS, 'pod-imagepullbackoff-catalog.json'), 'production');
    expect(o.result.kind).toBe('drift');
    if (o.result.kind !== 'drift') return;
    expect(o.result.drift).toMatchObject({
      target: { namespace: 'catalog', kind: 'Deployment', name: 'catalog', container: 'catalog' },
      failingImage: 'ghcr.io/example-org/catalog:2.4.2',
      renderedImage: 'ghcr.io/example-org/catalog:2.4.1',
      gitSetsItIn: expect.stringMatching(
        /^apps\/catalog\/overlays\/production\/kustomization\.yaml:\d+ \(images: entry ghcr\.io\/example-org\/catalog, newTag: 2\.4\.1\)$/,
      ),
    });
    expect(o.result.drift.summary).toContain('salve proposes no change');
    expect(o.branch).toBeNull();
    expect(await branches(world.work)).toEqual(before);
    // What the CLI prints and puts in --json.
    expect(describeOutcome(o)).toMatch(/^drift +container catalog runs ghcr\.io\/example-org\/catalog:2\.4\.2/m);
    expect(outcomeJson(o)).toMatchObject({
      outcome: 'drift',
      action: null,
      branch: null,
      drift: { failingImage: 'ghcr.io/example-org/catalog:2.4.2', renderedImage: 'ghcr.io/example-org/catalog:2.4.1' },
    });
  });

  it('never rolls git back when the crash-looping pods run another image than git renders', async () => {
    const o = await plan(await crashLoopOn('ghcr.io/example-org/checkout:1.99.0'));
    expect(o.result.kind).toBe('drift');
    if (o.result.kind !== 'drift') return;
    expect(o.result.drift.renderedImage).toBe('ghcr.io/example-org/checkout:1.8.2');
    expect(o.result.drift.evidenceSource).toMatch(/^alertmanager /);
  });

  it('still raises memory for an OOM on pods of another image (a rollout in progress), and says what runs', async () => {
    const o = await plan(await withImage('ghcr.io/example-org/checkout:1.8.1', 'oomkilled-checkout-production.json'));
    if (o.result.kind !== 'publish') throw new Error(`expected publish, got ${o.result.kind}`);
    expect(o.result.remediation.action.id).toBe('raise-memory-limit');
    expect(o.result.remediation.action.rationale).toContainEqual(
      expect.stringMatching(
        /^Note: container checkout runs ghcr\.io\/example-org\/checkout:1\.8\.1 .*git renders ghcr\.io\/example-org\/checkout:1\.8\.2/,
      ),
    );
  });

  it('rolls back, recorded as confirmed, when the failing pods run the image git renders', async () => {
    // The kubelet spells the same image with its registry; salve reads them as one.
    const o = await plan(await crashLoopOn('ghcr.io/example-org/checkout:1.8.2'));
    if (o.result.kind !== 'publish') throw new Error(`expected publish, got ${o.result.kind}`);
    const rem = o.result.remediation;
    expect(rem.action.params).toMatchObject({
      fromTag: '1.8.2',
      toTag: '1.8.1',
      failingImage: 'ghcr.io/example-org/checkout:1.8.2',
    });
    const ids = rem.decision.rules.map((r) => r.id);
    expect(ids).toContain('admission.rollback-image-confirmed');
    expect(ids).not.toContain('admission.rollback-image-unconfirmed');
  });
});
