import { describe, expect, it } from 'vitest';
import { InputError } from '../model/index.ts';
import { parsePod } from './pod.ts';

const NOW = new Date('2025-06-12T10:00:00Z');

function pod(
  containerStatuses: unknown[],
  extra: {
    phase?: string;
    conditions?: unknown[];
    ownerReferences?: unknown[];
  } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'api-5f7d8c9b6-qk2mz',
      namespace: 'shop',
      uid: 'uid-1',
      labels: { app: 'api', 'pod-template-hash': '5f7d8c9b6' },
      ownerReferences: extra.ownerReferences ?? [{ kind: 'ReplicaSet', name: 'api-5f7d8c9b6', controller: true }],
    },
    status: {
      phase: extra.phase ?? 'Running',
      conditions: extra.conditions ?? [],
      containerStatuses,
    },
  };
}

const running = (startedAt: string) => ({ running: { startedAt } });

describe('intake/pod', () => {
  it('gives one signal per problematic container, the most specific cause first', () => {
    const signals = parsePod(
      pod([
        {
          name: 'api',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: {
            terminated: {
              reason: 'OOMKilled',
              exitCode: 137,
              finishedAt: '2025-06-12T09:50:00Z',
            },
          },
        },
        {
          name: 'sidecar',
          ready: false,
          restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { reason: 'Error', exitCode: 1 } },
        },
        {
          name: 'proxy',
          ready: true,
          restartCount: 0,
          state: running('2025-06-12T08:00:00Z'),
        },
      ]),
      { cluster: 'prod', now: NOW },
    );
    expect(signals.map((s) => [s.container, s.kind])).toEqual([
      ['api', 'OOMKilled'],
      ['sidecar', 'CrashLoopBackOff'],
    ]);
    expect(signals[0]).toMatchObject({
      id: 'kubernetes:uid-1:api:OOMKilled',
      source: 'kubernetes',
      status: 'firing',
      target: {
        cluster: 'prod',
        namespace: 'shop',
        kind: 'Deployment',
        name: 'api',
      },
      pod: 'api-5f7d8c9b6-qk2mz',
      observedAt: '2025-06-12T09:50:00Z',
    });
    expect(signals[0]?.evidence[0]?.data).toMatchObject({
      restartCount: 5,
      lastExitCode: 137,
      waitingReason: 'CrashLoopBackOff',
    });
  });

  it('recognises ErrImagePull and ImagePullBackOff', () => {
    const [s] = parsePod(
      pod([
        {
          name: 'api',
          state: { waiting: { reason: 'ErrImagePull', message: 'not found' } },
        },
      ]),
      { cluster: 'c', now: NOW },
    );
    expect(s?.kind).toBe('ImagePullBackOff');
  });

  it('recognises a probe failure only after the grace period', () => {
    const unready = (startedAt: string) =>
      pod([
        {
          name: 'api',
          ready: false,
          started: true,
          restartCount: 2,
          state: running(startedAt),
        },
      ]);
    expect(parsePod(unready('2025-06-12T09:50:00Z'), { cluster: 'c', now: NOW }).map((s) => s.kind)).toEqual([
      'ProbeFailure',
    ]);
    expect(parsePod(unready('2025-06-12T09:59:30Z'), { cluster: 'c', now: NOW })).toEqual([]);
  });

  it('gives nothing for a healthy pod and FailedScheduling for an unschedulable one', () => {
    expect(
      parsePod(pod([{ name: 'api', ready: true, state: running('2025-06-12T08:00:00Z') }]), { cluster: 'c', now: NOW }),
    ).toEqual([]);
    const pending = pod([], {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient memory.',
        },
      ],
    });
    expect(parsePod(pending, { cluster: 'c', now: NOW }).map((s) => s.kind)).toEqual(['FailedScheduling']);
  });

  it('rejects objects that are not Pods, naming the source and path', () => {
    expect(() =>
      parsePod({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'x' } }, { cluster: 'c', source: 'p.json' }),
    ).toThrow(/malformed Pod in p\.json: metadata\.name/);
    expect(() => parsePod({ kind: 'Service' }, { cluster: 'c' })).toThrow(InputError);
    expect(() => parsePod(pod([{ name: 'a', restartCount: 'many' }]), { cluster: 'c' })).toThrow(
      /status\.containerStatuses\[0\]\.restartCount/,
    );
  });
});
