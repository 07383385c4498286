/**
 * `salve plan` on alerts from other rule sets, as a user runs it: an alert salve cannot read is
 * named with the reason (text and --json), and an `alerts:` entry in .salve.yaml makes
 * awesome-prometheus-alerts' rules act without code. One in-cluster destination, no cluster label.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyPem } from '../../engine/policy/index.ts';
import { makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import { commitAll, testKeys, writeSignal } from '../pipeline/helpers.ts';

const MAIN = resolve(import.meta.dirname, '../../engine/cli/main.ts');

function salve(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** An alert as awesome-prometheus-alerts' kube-state-metrics rules fire it: no reason, no cluster label. */
function oomPayload(alertname: string) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve',
    groupLabels: { alertname },
    commonLabels: { alertname },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    alerts: ['backend-5d8f7c9b6d-x2x7q', 'backend-5d8f7c9b6d-p9k2m'].map((pod, i) => ({
      status: 'firing',
      labels: {
        alertname,
        severity: 'warning',
        namespace: 'staging',
        pod,
        container: 'backend',
        job: 'kube-state-metrics',
        instance: '10.42.0.17:8080',
      },
      annotations: {
        summary: 'Kubernetes container oom killer (instance 10.42.0.17:8080)',
        description: `Container backend in pod staging/${pod} has been OOMKilled 1 times in the last 10 minutes.`,
      },
      startsAt: new Date(Date.now() - (10 - i) * 60_000).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.monitoring:9090/graph?g0.expr=x',
      fingerprint: `5e1f0a9c3b7d24e${i}`,
    })),
  };
}

const MAPPING = `# awesome-prometheus-alerts' kube-state-metrics rules
alerts:
  - alertname: KubernetesContainerOomKiller
    kind: OOMKilled
  - alertname: KubernetesPodCrashLooping
    kind: CrashLoopBackOff
`;

let repo: PodinfoRepo;
let env: Record<string, string>;

beforeAll(async () => {
  repo = await makePodinfoRepo({ git: true, inCluster: true });
  const keys = await testKeys();
  env = { SALVE_SIGNING_KEY: privateKeyPem(keys.signingKey), SALVE_GPG_PRIVATE_KEY: keys.pgp.armoredPrivateKey };
});

afterAll(async () => {
  await repo?.cleanup();
});

describe('salve plan: alerts from other rule sets', () => {
  it('names an alert it cannot read and why, on the terminal and in --json, and exits 0', async () => {
    const signal = await writeSignal(oomPayload('MyCustomOOMAlert'));
    const text = await salve(['plan', '--repo', repo.dir, '--signal', signal], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'skipped   MyCustomOOMAlert (2 alerts): unrecognised alert name: no built-in rule and no alerts: entry in .salve.yaml maps it to a signal kind; to act on it, add an alerts: entry (see the README)',
    );
    expect(text.stdout).toContain('nothing to do: no firing signal needs an action (2 alerts skipped, above)');

    const json = await salve(['plan', '--repo', repo.dir, '--signal', signal, '--json'], env);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out).toMatchObject({ outcome: 'none', incidents: 0 });
    expect(out.skipped).toEqual([
      {
        alert: 'MyCustomOOMAlert',
        reason:
          'unrecognised alert name: no built-in rule and no alerts: entry in .salve.yaml maps it to a signal kind',
      },
      {
        alert: 'MyCustomOOMAlert',
        reason:
          'unrecognised alert name: no built-in rule and no alerts: entry in .salve.yaml maps it to a signal kind',
      },
    ]);
  });

  it("acts on awesome-prometheus-alerts' KubernetesContainerOomKiller once .salve.yaml maps it", async () => {
    const signal = await writeSignal(oomPayload('KubernetesContainerOomKiller'));
    const before = await salve(['plan', '--repo', repo.dir, '--signal', signal, '--json'], env);
    expect(JSON.parse(before.stdout).skipped).toHaveLength(2);

    await writeFile(join(repo.dir, '.salve.yaml'), MAPPING);
    await commitAll(repo.dir, 'Map our alert rules for salve');
    const after = await salve(['plan', '--repo', repo.dir, '--signal', signal, '--json'], env);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    const out = JSON.parse(after.stdout);
    expect(out.skipped).toEqual([]);
    expect(out).toMatchObject({
      outcome: 'publish',
      action: 'raise-memory-limit',
      target: {
        cluster: 'in-cluster',
        namespace: 'staging',
        kind: 'Deployment',
        name: 'backend',
        container: 'backend',
      },
      overlay: 'deploy/overlays/staging',
    });
    expect(out.title).toBe(
      'salve: raise memory limit of Deployment/backend container backend from 512Mi to 768Mi (staging)',
    );
  });
});
