/**
 * One cluster, no `.salve.yaml`: the podinfo test bed with every Application deployed to Argo CD's
 * in-cluster destination (`server: https://kubernetes.default.svc`), as a first install has it.
 * Alerts from a one-cluster Prometheus carry no `cluster` label.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { planSignals } from '../../engine/pipeline/run.ts';
import { makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import { alertPayload, runOptions, writeSignal } from './helpers.ts';

const NOW = new Date('2025-06-12T10:00:00Z');

let repo: PodinfoRepo | null = null;

afterEach(async () => {
  await repo?.cleanup();
  repo = null;
});

/** An OOM alert for podinfo's backend in `namespace`, with no cluster label. */
async function oomSignal(namespace: string): Promise<string> {
  const payload = alertPayload(
    ['backend-5d8f7c9b6d-x2x7q', 'backend-5d8f7c9b6d-p9k2m'].map((pod) => ({
      alertname: 'KubePodCrashLooping',
      cluster: '',
      namespace,
      pod,
      container: 'backend',
      reason: 'OOMKilled',
      severity: 'critical',
    })),
  ) as { alerts: { labels: Record<string, string> }[] };
  for (const a of payload.alerts) delete a.labels.cluster;
  return writeSignal(payload);
}

describe('one in-cluster destination, no .salve.yaml', () => {
  it('takes the only cluster for alerts that name none, and names the environment after the overlay, not the URL', async () => {
    repo = await makePodinfoRepo({ git: true, inCluster: true });
    const run = await planSignals(await runOptions(repo.dir, [await oomSignal('production')], NOW));
    const [o] = run.outcomes;
    expect(o?.result.kind).toBe('publish');
    if (o?.result.kind !== 'publish') return;
    const rem = o.result.remediation;
    expect(rem.target.cluster).toBe('in-cluster');
    expect(rem.overlay).toBe('deploy/overlays/production');
    expect(rem.environment).toEqual({
      name: 'production',
      tier: 'production',
      guessedFrom: 'the overlay path deploy/overlays/production, on cluster in-cluster',
    });
    const { title, body } = o.result.request.pr;
    expect(title).toBe(
      'salve: raise memory limit of Deployment/backend container backend from 512Mi to 768Mi (production)',
    );
    expect(`${title}\n${body}`).not.toContain('kubernetes.default.svc');
    expect(body).toContain(
      'No environment in `.salve.yaml` lists this cluster: environment production and tier production are guessed from the overlay path deploy/overlays/production, on cluster in-cluster.',
    );
    // Policy saw a production tier: production rules fired, as they would with the environment configured.
    const proof = JSON.parse(o.result.request.files.find((f) => f.path.endsWith('/proof.json'))?.after ?? '{}');
    expect(proof.input.environment).toEqual({ name: 'production', tier: 'production' });
  });

  it('understands --cluster in-cluster, and tells the staging overlay from the production one', async () => {
    repo = await makePodinfoRepo({ git: true, inCluster: true });
    const run = await planSignals(
      await runOptions(repo.dir, [await oomSignal('staging')], NOW, { cluster: 'in-cluster' }),
    );
    const [o] = run.outcomes;
    if (o?.result.kind !== 'publish') throw new Error(`expected publish, got ${o?.result.kind}`);
    expect(o.result.remediation.overlay).toBe('deploy/overlays/staging');
    expect(o.result.remediation.environment).toMatchObject({ name: 'staging', tier: 'staging' });
    expect(o.result.request.pr.title).toMatch(/ \(staging\)$/);
  });
});
