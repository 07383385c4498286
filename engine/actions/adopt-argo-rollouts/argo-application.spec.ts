import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ignoreDeploymentReplicas } from './argo-application.ts';

const ref = { application: 'shop', deployment: 'checkout', namespace: 'shop' };

const APP = `# The shop, synced from main.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop # production
  namespace: argocd
spec:
  project: default
  source: {repoURL: https://example.org/config.git, path: apps/shop}
  destination:
    name: production
    namespace: shop
  syncPolicy:
    automated: {prune: true, selfHeal: true} # self-heal on
`;

describe('actions/adopt-argo-rollouts/argo-application', () => {
  it('adds ignoreDifferences and the sync option in place, every other byte kept', () => {
    const after = ignoreDeploymentReplicas(APP, ref) ?? '';
    for (const line of APP.split('\n')) expect(after).toContain(line);
    const spec = parse(after).spec;
    expect(spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'checkout', namespace: 'shop', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
    expect(ignoreDeploymentReplicas(after, ref)).toBe(after);
  });

  it('appends to existing lists, edits only its own document of a multi-document file, keeps CRLF', () => {
    const text =
      `${APP}  ignoreDifferences:\n    - group: ""\n      kind: Service\n      jsonPointers: [/spec/clusterIP]\n---\n# another app\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: other}\nspec: {project: default}\n`.replace(
        '    automated: {prune: true, selfHeal: true} # self-heal on\n',
        '    automated: {prune: true, selfHeal: true} # self-heal on\n    syncOptions:\n      - CreateNamespace=true\n',
      );
    const crlf = text.replaceAll('\n', '\r\n');
    const after = ignoreDeploymentReplicas(crlf, ref) ?? '';
    expect(after.replaceAll('\r\n', '')).not.toContain('\n');
    const [first, second] = after.split('---');
    expect(second).toBe(crlf.split('---')[1]);
    const spec = parse(first ?? '').spec;
    expect(spec.ignoreDifferences.map((e: { kind: string }) => e.kind)).toEqual(['Service', 'Deployment']);
    expect(spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'RespectIgnoreDifferences=true']);
  });

  it('gives up (null) on a flow-style spec or a missing Application, so the PR says what to add', () => {
    expect(
      ignoreDeploymentReplicas(
        'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop}\nspec: {project: default}\n',
        ref,
      ),
    ).toBeNull();
    expect(ignoreDeploymentReplicas(APP, { ...ref, application: 'nope' })).toBeNull();
  });
});
