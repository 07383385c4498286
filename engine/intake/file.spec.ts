import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../model/index.ts';
import { intakeSignalFile, MAX_SIGNAL_BYTES, parseSignalFile } from './file.ts';

const SIGNALS = join(import.meta.dirname, '../../examples/signals');
const NOW = new Date('2025-06-12T10:00:00Z');
const sample = (name: string, cluster?: string) =>
  parseSignalFile(join(SIGNALS, name), {
    now: NOW,
    ...(cluster ? { cluster } : {}),
  });
const summary = (s: Awaited<ReturnType<typeof sample>>) =>
  s.map(
    (x) =>
      `${x.status} ${x.kind} ${x.target.cluster}/${x.target.namespace}/${x.target.kind}/${x.target.name} ${x.container ?? '-'}`,
  );

describe('intake/file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-intake-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('parses every sample Alertmanager payload to the expected signals', async () => {
    expect(summary(await sample('oomkilled-checkout-production.json'))).toEqual(
      Array(2).fill('firing OOMKilled production/checkout/Deployment/checkout checkout'),
    );
    expect(summary(await sample('crashloop-checkout-production.json'))).toEqual(
      Array(3).fill('firing CrashLoopBackOff production/checkout/Deployment/checkout checkout'),
    );
    expect(summary(await sample('hpa-maxed-checkout-staging.json'))).toEqual([
      'firing HPAMaxedOut staging/checkout/HorizontalPodAutoscaler/checkout -',
    ]);
    expect(summary(await sample('cpu-throttling-catalog-staging.json'))).toEqual(
      Array(2).fill('firing CPUThrottling staging/catalog/Deployment/catalog catalog'),
    );
    expect(summary(await sample('resolved-oomkilled-checkout-production.json'))).toEqual(
      Array(2).fill('resolved OOMKilled production/checkout/Deployment/checkout checkout'),
    );
  });

  it('parses every sample Pod with the cluster it is given', async () => {
    expect(summary(await sample('pod-oomkilled-orders-db.json', 'production'))).toEqual([
      'firing OOMKilled production/orders/StatefulSet/orders-db postgres',
    ]);
    expect(summary(await sample('pod-crashloop-catalog.json', 'production'))).toEqual([
      'firing CrashLoopBackOff production/catalog/Deployment/catalog catalog',
    ]);
    expect(summary(await sample('pod-imagepullbackoff-catalog.json', 'staging'))).toEqual([
      'firing ImagePullBackOff staging/catalog/Deployment/catalog catalog',
    ]);
    expect(summary(await sample('pod-probe-failure-checkout.json', 'production'))).toEqual([
      'firing ProbeFailure production/checkout/Deployment/checkout checkout',
    ]);
  });

  it('reads YAML and PodLists', async () => {
    const pod = await import(join(SIGNALS, 'pod-crashloop-catalog.json'), {
      with: { type: 'json' },
    });
    const path = await write(
      'list.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'PodList',
        items: [pod.default, pod.default],
      }),
    );
    expect(await parseSignalFile(path, { cluster: 'production', now: NOW })).toHaveLength(2);
    const yaml = await write(
      'alert.yaml',
      'version: "4"\ngroupKey: k\nstatus: firing\nreceiver: r\ngroupLabels: {}\ncommonLabels: {}\nexternalURL: x\nalerts: []\n',
    );
    expect(await intakeSignalFile(yaml)).toEqual({ signals: [], skipped: [] });
  });

  it('refuses a signal file past 32 MiB, or a device that never ends, without reading it all', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, Buffer.alloc(MAX_SIGNAL_BYTES + 1, 0x20));
    await expect(parseSignalFile(big)).rejects.toThrow(`${big}: signal file larger than 32 MiB`);
    const exact = await write('exact.json', `${' '.repeat(MAX_SIGNAL_BYTES - 2)}{}`);
    await expect(parseSignalFile(exact)).rejects.toThrow(/got an object without kind/);
    await expect(parseSignalFile('/dev/zero')).rejects.toThrow('/dev/zero: signal file larger than 32 MiB');
    await expect(parseSignalFile(dir)).rejects.toThrow(`${dir}: cannot read signal file: EISDIR`);
    await expect(parseSignalFile(join(dir, 'absent.json'))).rejects.toThrow(
      /absent\.json: cannot read signal file: ENOENT/,
    );
  });

  it('names the file and what was wrong for bad input', async () => {
    const badJson = await write('bad.json', '{"version": "4", "alerts": [');
    await expect(parseSignalFile(badJson)).rejects.toThrow(new RegExp(`${badJson}: not valid JSON`));
    const v3 = await write('v3.json', JSON.stringify({ version: '3', groupKey: 'k', alerts: [] }));
    await expect(parseSignalFile(v3)).rejects.toThrow(/v3\.json: .*version "3" is not supported/);
    const missing = await write(
      'missing.json',
      JSON.stringify({
        version: '4',
        groupKey: 'k',
        status: 'firing',
        receiver: 'r',
        groupLabels: {},
        commonLabels: {},
        externalURL: 'x',
      }),
    );
    await expect(parseSignalFile(missing)).rejects.toThrow(/missing\.json: alerts: .*expected array/);
    const types = await write(
      'types.json',
      JSON.stringify({
        version: '4',
        groupKey: 'k',
        status: 'firing',
        receiver: 'r',
        groupLabels: {},
        commonLabels: [],
        externalURL: 'x',
        alerts: [],
      }),
    );
    await expect(parseSignalFile(types)).rejects.toThrow(/types\.json: commonLabels: .*expected record/);
    const svc = await write(
      'svc.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's' },
      }),
    );
    await expect(parseSignalFile(svc)).rejects.toThrow(
      /svc\.json: expected an Alertmanager webhook payload .* got kind "Service"/,
    );
    await expect(parseSignalFile(join(SIGNALS, 'pod-crashloop-catalog.json'))).rejects.toThrow(/--cluster/);
    await expect(parseSignalFile(join(dir, 'nope.json'))).rejects.toThrow(
      /nope\.json: cannot read signal file: ENOENT/,
    );
    await expect(parseSignalFile(badJson)).rejects.toBeInstanceOf(InputError);
  });
});
