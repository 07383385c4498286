import { describe, expect, it } from 'vitest';
import { alertPayload } from '../../test/pipeline/helpers.ts';
import { InputError } from '../model/errors.ts';
import { intakeAlertmanager } from './alertmanager.ts';
import { checkName, isKubernetesName } from './names.ts';
import { parsePod } from './pod.ts';

const NOW = new Date('2025-06-12T10:00:00Z');

function oom(labels: Record<string, string>) {
  return alertPayload([
    {
      alertname: 'KubeContainerOOMKilled',
      cluster: 'production',
      namespace: 'checkout',
      container: 'checkout',
      reason: 'OOMKilled',
      extra: labels,
    },
  ]);
}

function refused(run: () => unknown): InputError {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as InputError).code).toBe('invalid-name');
  return caught as InputError;
}

describe('intake/names', () => {
  it('follows the Kubernetes rules: labels, subdomains, kinds', () => {
    expect(isKubernetesName('checkout', 'label')).toBe(true);
    expect(isKubernetesName('a'.repeat(63), 'label')).toBe(true);
    expect(isKubernetesName('a'.repeat(64), 'label')).toBe(false);
    expect(isKubernetesName('web.v2', 'label')).toBe(false);
    expect(isKubernetesName('web.v2', 'subdomain')).toBe(true);
    expect(isKubernetesName(`${'a'.repeat(63)}.${'b'.repeat(63)}`, 'subdomain')).toBe(true);
    for (const bad of ['', '-a', 'a-', 'A', 'a_b', 'a/b', '..', 'a..b', '.a', 'x/../../victim/ESCAPED'])
      expect(isKubernetesName(bad, 'subdomain'), bad).toBe(false);
    expect(isKubernetesName('HorizontalPodAutoscaler', 'kind')).toBe(true);
    expect(isKubernetesName('../Deployment', 'kind')).toBe(false);
  });

  it('refuses an alert whose workload label climbs out of directories, naming the label and file', () => {
    const err = refused(() =>
      intakeAlertmanager(oom({ deployment: 'x/../../../../victim/ESCAPED' }), { source: 'a.json', now: NOW }),
    );
    expect(err.message).toMatch(
      /^alerts\[0\]\.labels\.deployment in a\.json: "x\/\.\.\/\.\.\/\.\.\/\.\.\/victim\/ESCAPED" is not a valid Kubernetes name \(DNS-1123 subdomain/,
    );
  });

  it('refuses namespaces, pods and containers that are not names, escaping what it echoes', () => {
    const ns = refused(() =>
      intakeAlertmanager(
        alertPayload([
          { alertname: 'KubePodCrashLooping', cluster: 'c', namespace: 'prod\u001b[31m\u202e', pod: 'web-0' },
        ]),
        { now: NOW },
      ),
    );
    expect(ns.message).toContain('alerts[0].labels.namespace');
    expect(ns.message).toContain('\\u001b');
    expect(ns.message).toContain('\\u202e');
    expect(ns.message).not.toContain('\u001b');
    expect(ns.message).not.toContain('\u202e');
    refused(() => intakeAlertmanager(oom({ pod: 'Web-7d9f8b6c5d-x2x7k' }), { now: NOW }));
    refused(() => intakeAlertmanager(oom({ deployment: 'web', container: 'c/../x' }), { now: NOW }));
    refused(() => intakeAlertmanager(oom({ deployment: 'web', cluster: 'prod\nsalve: ok' }), { now: NOW }));
  });

  it('refuses a megabyte pod name before any regex reads it', () => {
    const err = refused(() => intakeAlertmanager(oom({ pod: `${'-'.repeat(1_000_000)}x` }), { now: NOW }));
    expect(err.message.length).toBeLessThan(600);
  });

  it('refuses a Pod whose owner reference or container status is not a name', () => {
    const pod = (ownerKind: string, ownerName: string, container: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-0',
        namespace: 'shop',
        ownerReferences: [{ kind: ownerKind, name: ownerName, controller: true }],
      },
      status: { containerStatuses: [{ name: container, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
    });
    expect(parsePod(pod('StatefulSet', 'web', 'web'), { cluster: 'c', now: NOW })).toHaveLength(1);
    expect(refused(() => parsePod(pod('../x', 'web', 'web'), { cluster: 'c' })).message).toContain('owner kind');
    expect(refused(() => parsePod(pod('StatefulSet', 'a/../b', 'web'), { cluster: 'c' })).message).toContain(
      'owner name',
    );
    expect(refused(() => parsePod(pod('StatefulSet', 'web', 'Web'), { cluster: 'c' })).message).toContain(
      'status.containerStatuses[0].name',
    );
  });

  it('reads waiting reasons as data, not as keys of an object prototype', () => {
    const payload = alertPayload([
      { alertname: 'KubeContainerWaiting', cluster: 'c', namespace: 'n', pod: 'web-0', reason: 'constructor' },
    ]);
    expect(intakeAlertmanager(payload, { now: NOW })).toMatchObject({
      signals: [],
      skipped: [{ reason: 'waiting reason constructor is not actionable' }],
    });
  });

  it('checkName returns the name itself when it is one', () => {
    expect(checkName('web', 'label', 'here')).toBe('web');
  });
});
