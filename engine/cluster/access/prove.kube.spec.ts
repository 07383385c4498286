/**
 * The start-up proof against a real kube-apiserver with real RBAC: the read-only identity (bound
 * to deploy/rbac's ClusterRole) starts, one with `patch` on Deployments is refused with the rule
 * named, and so is an admin.
 */
import { describe, expect, inject, it } from 'vitest';
import { kubeCall, kubeConfigFor, kubeRequest } from '../../demo/servers/kube-client.ts';
import { silentLogger } from '../../telemetry/logger.ts';
import { WriteAccessError } from '../errors.ts';
import { proveReadOnly } from './prove.ts';

const kube = inject('kube');
const { admin, reader, powerful } = kube.identities;
const log = silentLogger();

async function refusal(id: typeof admin, namespaces: string[]): Promise<WriteAccessError> {
  const err = await proveReadOnly(kubeConfigFor(kube, id), { cluster: 'test', namespaces, log }).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof WriteAccessError)) throw new Error(`expected a WriteAccessError, got ${String(err)}`);
  return err;
}

describe('engine/cluster/access/prove (real RBAC)', () => {
  it('proves the read-only identity cannot write, in named namespaces and in every namespace', async () => {
    const named = await proveReadOnly(kubeConfigFor(kube, reader), { cluster: 'test', namespaces: ['default'], log });
    expect(named.identity).toBe(reader.user);
    expect(named.namespaces).toEqual(['default']);
    expect(named.accessReviews).toBeGreaterThan(60);
    const all = await proveReadOnly(kubeConfigFor(kube, reader), { cluster: 'test', namespaces: [], log });
    expect(all.namespaces).toEqual(expect.arrayContaining(['default', 'kube-system', 'salve']));
    expect(all.incomplete).toEqual([]);
  });

  it('refuses an identity with patch on Deployments, naming the rule and where it applies', async () => {
    const err = await refusal(powerful, ['default']);
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('cluster-write-access');
    expect(err.findings).toEqual(['patch on deployments (apiGroups apps) [in namespace default]']);
    expect(err.message).toContain(`salve refuses to run as ${powerful.user}`);
  });

  it('refuses an admin, naming wildcard rules and cluster-scoped writes', async () => {
    const err = await refusal(admin, ['default']);
    expect(err.findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\* on \* \(apiGroups \*\) \[in namespace default\]$/),
        expect.stringMatching(/^create namespaces \(SelfSubjectAccessReview\) \[cluster-wide\]$/),
        expect.stringMatching(/^impersonate users \(SelfSubjectAccessReview\) \[cluster-wide\]$/),
      ]),
    );
  });

  it('refuses write access granted by a RoleBinding in one namespace only, when watching every namespace', async () => {
    const ns = 'prove-rolebinding';
    await kubeRequest(kube, admin, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    await kubeCall(kube, admin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'configmap-writer' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['update'] }],
    });
    // Bound to a ServiceAccount that also holds deploy/rbac's read-only ClusterRole.
    await kubeRequest(kube, admin, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'salve' },
    });
    for (const [name, kind, role] of [
      ['writer', 'Role', 'configmap-writer'],
      ['reader', 'ClusterRole', 'salve-reader'],
    ] as const) {
      await kubeCall(kube, admin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
        subjects: [{ kind: 'ServiceAccount', name: 'salve', namespace: ns }],
      });
    }
    await kubeCall(kube, admin, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${ns}-salve-reader` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'salve-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'salve', namespace: ns }],
    });
    const token = await kubeCall<{ status: { token: string } }>(
      kube,
      admin,
      'POST',
      `/api/v1/namespaces/${ns}/serviceaccounts/salve/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
    );
    const sa = { user: `system:serviceaccount:${ns}:salve`, token: token.status.token };
    // Watching only `default`, the namespace with the RoleBinding is not salve's concern...
    await expect(
      proveReadOnly(kubeConfigFor(kube, sa), { cluster: 'test', namespaces: ['default'], log }),
    ).resolves.toMatchObject({
      identity: sa.user,
    });
    // ...watching everything, it is.
    const err = await refusal(sa, []);
    expect(err.findings).toEqual([`update on configmaps (apiGroups core) [in namespace ${ns}]`]);
  });

  it('starts with the ServiceAccount and ClusterRole deploy/rbac ships, as they are', async () => {
    const token = await kubeCall<{ status: { token: string } }>(
      kube,
      admin,
      'POST',
      '/api/v1/namespaces/salve/serviceaccounts/salve/token',
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      },
    );
    const report = await proveReadOnly(kubeConfigFor(kube, { user: 'salve', token: token.status.token }), {
      cluster: 'test',
      namespaces: [],
      log,
    });
    expect(report.identity).toBe('system:serviceaccount:salve:salve');
  });
});
