/**
 * The list-watch loop against a real kube-apiserver: events in order, resume from a
 * resourceVersion without replay, bookmarks, `410 Gone` answered by a relist (from a
 * resourceVersion older than the watch cache, and after a real etcd compaction), and back-off on
 * errors.
 */
import { CoreV1Api, type V1Pod, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestKube, type TestKubeServer } from '../../../test/servers/kube.ts';
import { type KubeInfo, kubeCall, kubeConfigFor, kubeRequest } from '../../demo/servers/kube-client.ts';
import { silentLogger } from '../../telemetry/logger.ts';
import { podSource } from '../intake/sources.ts';
import { type Reflector, type ReflectorOptions, startReflector } from './reflector.ts';

const shared = inject('kube');

type Pod = V1Pod & { metadata: { name: string; resourceVersion: string } };

async function namespace(kube: KubeInfo, name: string): Promise<void> {
  await kubeRequest(kube, kube.identities.admin, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
}

async function createPod(kube: KubeInfo, ns: string, name: string): Promise<string> {
  const pod = await kubeCall<{ metadata: { resourceVersion: string } }>(
    kube,
    kube.identities.admin,
    'POST',
    `/api/v1/namespaces/${ns}/pods`,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
    },
  );
  return pod.metadata.resourceVersion;
}

async function until(check: () => boolean, what: string, attempts = 600): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

function recorder() {
  const seen: string[] = [];
  const replaced: string[][] = [];
  return {
    seen,
    replaced,
    handlers: {
      replace: (items: Pod[]) => replaced.push(items.map((p) => p.metadata.name).sort()),
      event: (type: string, pod: Pod) => seen.push(`${type} ${pod.metadata.name}`),
    },
  };
}

function reflect(
  kube: KubeInfo,
  ns: string,
  rec: ReturnType<typeof recorder>,
  opts: Partial<ReflectorOptions> = {},
): Reflector {
  const kc = kubeConfigFor(kube, kube.identities.reader);
  return startReflector<Pod>(podSource<Pod>(kc.makeApiClient(CoreV1Api), ns), rec.handlers, {
    watch: new Watch(kc),
    log: silentLogger(),
    minBackoffMs: 20,
    maxBackoffMs: 200,
    ...opts,
  });
}

describe('engine/cluster/watch/reflector (real kube-apiserver)', () => {
  const running: Reflector[] = [];
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
  });

  it('lists, then watches: every change arrives once, in order', async () => {
    const ns = 'reflect-basic';
    await namespace(shared, ns);
    await createPod(shared, ns, 'a');
    const rec = recorder();
    const r = reflect(shared, ns, rec);
    running.push(r);
    await r.synced;
    expect(rec.replaced).toEqual([['a']]);
    await createPod(shared, ns, 'b');
    await kubeCall(shared, shared.identities.admin, 'DELETE', `/api/v1/namespaces/${ns}/pods/a?gracePeriodSeconds=0`);
    await until(() => rec.seen.includes('DELETED a'), 'the deletion');
    // A deletion may first show as a MODIFIED (deletionTimestamp set).
    expect(rec.seen.filter((e) => !e.startsWith('MODIFIED'))).toEqual(['ADDED b', 'DELETED a']);
    expect(r.stats()).toMatchObject({ lists: 1, gone: 0, errors: 0 });
  });

  it('resumes from a resourceVersion without a relist and without replaying what it saw', async () => {
    const ns = 'reflect-resume';
    await namespace(shared, ns);
    const rv = await createPod(shared, ns, 'seen');
    await createPod(shared, ns, 'missed-while-down');
    const rec = recorder();
    const r = reflect(shared, ns, rec, { resourceVersion: rv });
    running.push(r);
    await until(() => rec.seen.length >= 1, 'the event after the saved resourceVersion');
    await createPod(shared, ns, 'live');
    await until(() => rec.seen.length >= 2, 'a live event');
    expect(rec.seen).toEqual(['ADDED missed-while-down', 'ADDED live']);
    expect(rec.replaced).toEqual([]);
    expect(r.stats().lists).toBe(0);
  });

  it('asks for bookmarks and moves its resourceVersion with them', async () => {
    const ns = 'reflect-bookmarks';
    const elsewhere = 'reflect-bookmarks-other';
    await namespace(shared, ns);
    await namespace(shared, elsewhere);
    const rec = recorder();
    // The API server sends a bookmark shortly before a watch times out, when pods elsewhere moved
    // the resourceVersion on: the watch learns it without any event of its own.
    const r = reflect(shared, ns, rec, { timeoutSeconds: () => 4 });
    running.push(r);
    await r.synced;
    // Pods keep changing elsewhere while the watch runs, as in any busy cluster.
    let later = 0;
    let n = 0;
    const busy = setInterval(() => {
      createPod(shared, elsewhere, `elsewhere-${n++}`).then(
        (rv) => {
          later ||= Number(rv);
        },
        () => {},
      );
    }, 500);
    await until(
      () => later > 0 && r.stats().bookmarks > 0 && Number(r.stats().resourceVersion) >= later,
      'a bookmark',
      600,
    ).finally(() => clearInterval(busy));
    expect(r.stats().errors).toBe(0);
    expect(rec.seen).toEqual([]);
  });

  it('backs off and keeps trying while the API server refuses it, then recovers', async () => {
    const ns = 'reflect-forbidden';
    await namespace(shared, ns);
    const kc = kubeConfigFor(shared, shared.identities.reader);
    const seen: string[] = [];
    let replaced = 0;
    // The reader may not list secrets: every attempt is a 403.
    const r = startReflector<Pod>(
      {
        describe: 'secrets',
        path: `/api/v1/namespaces/${ns}/secrets`,
        list: async () => {
          const res = await kubeRequest(shared, shared.identities.reader, 'GET', `/api/v1/namespaces/${ns}/secrets`);
          if (res.status !== 200) throw Object.assign(new Error(`HTTP ${res.status}`), { statusCode: res.status });
          return {
            items: res.json<{ items: Pod[] }>().items,
            resourceVersion: res.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion,
          };
        },
      },
      { replace: () => replaced++, event: (t, p) => seen.push(`${t} ${p.metadata.name}`) },
      { watch: new Watch(kc), log: silentLogger(), minBackoffMs: 20, maxBackoffMs: 100 },
    );
    running.push(r);
    await until(() => r.stats().errors >= 3, 'three failed attempts');
    expect(replaced).toBe(0);
    await kubeCall(
      shared,
      shared.identities.admin,
      'POST',
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'secret-reader' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }],
      },
    );
    await kubeCall(
      shared,
      shared.identities.admin,
      'POST',
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'secret-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: shared.identities.reader.user }],
      },
    );
    await until(() => replaced > 0, 'a list once allowed');
    await r.stop();
  });
});

describe('engine/cluster/watch/reflector after an etcd compaction', () => {
  let own: TestKubeServer;
  beforeAll(async () => {
    // Without the watch cache every watch reads etcd: a compacted resourceVersion is gone at once.
    own = await startTestKube({ watchCache: false });
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('gets 410 Gone for a compacted resourceVersion (salve restarted after a long while) and relists', async () => {
    const kube = own.info;
    const ns = 'reflect-compacted';
    await namespace(kube, ns);
    const rv = await createPod(kube, ns, 'before');
    await createPod(kube, ns, 'after');
    await createPod(kube, ns, 'after-2');
    // Compaction keeps the revision it compacts at: the watch would need the one after `rv`.
    const revision = await own.etcd.compact();
    expect(revision).toBeGreaterThan(Number(rv) + 1);
    const rec = recorder();
    const r = reflect(kube, ns, rec, { resourceVersion: rv });
    await until(() => rec.replaced.length > 0, 'a relist after compaction');
    expect(rec.replaced).toEqual([['after', 'after-2', 'before']]);
    expect(r.stats()).toMatchObject({ gone: 1, lists: 1 });
    await createPod(kube, ns, 'later');
    await until(() => rec.seen.includes('ADDED later'), 'watching again');
    await r.stop();
  });
});
