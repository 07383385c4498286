import { describe, expect, it } from 'vitest';
import { writeFindings } from './write-rules.ts';

describe('engine/cluster/access/write-rules', () => {
  it('finds nothing in the rules deploy/rbac grants plus what every authenticated user gets', () => {
    const findings = writeFindings(
      [
        { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'events'] },
        { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
        {
          verbs: ['get', 'list', 'watch'],
          apiGroups: ['argoproj.io'],
          resources: ['applications', 'rollouts', 'analysisruns'],
        },
        // system:basic-user
        {
          verbs: ['create'],
          apiGroups: ['authorization.k8s.io'],
          resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
        },
        { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
      ],
      [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }],
    );
    expect(findings).toEqual([]);
  });

  it('names each write verb with its resources and groups', () => {
    expect(writeFindings([{ verbs: ['get', 'patch'], apiGroups: ['apps'], resources: ['deployments'] }])).toEqual([
      'patch on deployments (apiGroups apps)',
    ]);
    for (const verb of [
      'create',
      'update',
      'delete',
      'deletecollection',
      'escalate',
      'bind',
      'impersonate',
      'approve',
      '*',
    ]) {
      expect(writeFindings([{ verbs: [verb], apiGroups: [''], resources: ['configmaps'] }])).toHaveLength(1);
    }
  });

  it('does not let a self-review rule hide a write in the same rule', () => {
    expect(
      writeFindings([
        { verbs: ['create'], apiGroups: ['authorization.k8s.io', ''], resources: ['selfsubjectaccessreviews', 'pods'] },
      ]),
    ).toEqual(['create on selfsubjectaccessreviews,pods (apiGroups authorization.k8s.io,core)']);
    expect(writeFindings([{ verbs: ['create'], apiGroups: ['*'], resources: ['*'] }])).toEqual([
      'create on * (apiGroups *)',
    ]);
    expect(
      writeFindings([
        { verbs: ['delete'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'] },
      ]),
    ).toHaveLength(1);
  });

  it('counts reads that reach into workloads (exec, attach, port-forward, proxies) as writes, wildcards included', () => {
    expect(writeFindings([{ verbs: ['get'], apiGroups: [''], resources: ['nodes/proxy'] }])[0]).toContain(
      'nodes/proxy',
    );
    expect(writeFindings([{ verbs: ['get', 'list'], apiGroups: ['*'], resources: ['*'] }])[0]).toContain(
      'pods/exec, pods/attach, pods/portforward, pods/proxy, nodes/proxy, services/proxy',
    );
    expect(writeFindings([{ verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }])[0]).toContain('pods/exec');
    expect(writeFindings([{ verbs: ['get'], apiGroups: [''], resources: ['*/proxy'] }])[0]).toContain('nodes/proxy');
    expect(writeFindings([{ verbs: ['get'], apiGroups: ['apps'], resources: ['*'] }])).toEqual([]);
  });

  it('names resourceNames and non-resource URL writes', () => {
    expect(
      writeFindings([
        { verbs: ['update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['salve-state'] },
      ]),
    ).toEqual(['update on configmaps (apiGroups core) named salve-state']);
    expect(writeFindings([], [{ verbs: ['*'], nonResourceURLs: ['*'] }])).toEqual(['* on non-resource URLs *']);
  });
});
