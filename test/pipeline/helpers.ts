/** Test helpers for end-to-end pipeline runs on real git repos. */
import fs from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import type { RunOptions } from '../../engine/pipeline/run.ts';
import { generateEphemeralKey, type SigningKey } from '../../engine/policy/index.ts';
import { generateSigningIdentity } from '../../engine/publish/pgp.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { testTempDir } from '../support/temp-dirs.ts';

export interface Keys {
  signingKey: SigningKey;
  pgp: { armoredPrivateKey: string; armoredPublicKey: string };
}

let shared: Promise<Keys> | null = null;

/** One throw-away key pair per test file. */
export function testKeys(): Promise<Keys> {
  shared ??= (async () => ({
    signingKey: generateEphemeralKey(),
    pgp: await generateSigningIdentity({ name: 'salve test', email: 'salve-test@example.org' }),
  }))();
  return shared;
}

export async function runOptions(
  repoDir: string,
  signalFiles: string[],
  now: Date,
  extra: Partial<RunOptions> = {},
): Promise<RunOptions> {
  const keys = await testKeys();
  return { repoDir, signalFiles, signingKey: keys.signingKey, pgp: keys.pgp, now, log: silentLogger(), ...extra };
}

/** Commits everything in `dir` (a fresh repo unless one exists) and returns HEAD. */
export async function commitAll(
  dir: string,
  message: string,
  when = new Date('2025-06-01T10:00:00Z'),
): Promise<string> {
  if (!fs.existsSync(join(dir, '.git'))) await git.init({ fs, dir, defaultBranch: 'main' });
  await git.add({ fs, dir, filepath: '.' });
  const author = {
    name: 'Test Engineer',
    email: 'test@example.org',
    timestamp: Math.floor(when.getTime() / 1000),
    timezoneOffset: 0,
  };
  return git.commit({ fs, dir, message, author, committer: author });
}

export async function branches(dir: string): Promise<string[]> {
  return (await git.listBranches({ fs, dir })).sort();
}

export interface AlertSpec {
  alertname: string;
  cluster: string;
  namespace: string;
  pod?: string;
  container?: string;
  reason?: string;
  severity?: string;
  extra?: Record<string, string>;
  status?: 'firing' | 'resolved';
  startsAt?: string;
}

/** An Alertmanager v4 webhook payload shaped as Alertmanager sends it. */
export function alertPayload(specs: AlertSpec[]): Record<string, unknown> {
  const alerts = specs.map((s, i) => {
    const labels: Record<string, string> = {
      alertname: s.alertname,
      cluster: s.cluster,
      namespace: s.namespace,
      severity: s.severity ?? 'warning',
      job: 'kube-state-metrics',
      ...(s.pod ? { pod: s.pod } : {}),
      ...(s.container ? { container: s.container } : {}),
      ...(s.reason ? { reason: s.reason } : {}),
      ...s.extra,
    };
    return {
      status: s.status ?? 'firing',
      labels,
      annotations: { summary: `${s.alertname} on ${s.namespace}/${s.pod ?? ''}`, description: 'test alert' },
      startsAt: s.startsAt ?? '2025-06-12T09:20:00Z',
      endsAt: s.status === 'resolved' ? '2025-06-12T09:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.monitoring:9090/graph?g0.expr=up',
      fingerprint: `${(i + 1).toString(16).padStart(16, '0')}`,
    };
  });
  const first = alerts[0]?.labels ?? {};
  return {
    version: '4',
    groupKey: `{}:{alertname="${first.alertname}"}`,
    truncatedAlerts: 0,
    status: alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing',
    receiver: 'salve',
    groupLabels: { alertname: first.alertname },
    commonLabels: { alertname: first.alertname, namespace: first.namespace },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    alerts,
  };
}

/** Writes a signal file into a temp dir that is removed when the test file ends. */
export async function writeSignal(payload: unknown, name = 'signal.json'): Promise<string> {
  const dir = await testTempDir('salve-signal-');
  const path = join(dir, name);
  await writeFile(path, typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2));
  return path;
}
