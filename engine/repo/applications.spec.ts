import { describe, expect, it } from 'vitest';
import { applicationsIn } from './applications.ts';

function app(syncPolicy: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
spec:
  source:
    repoURL: https://example.org/config.git
    path: apps/shop
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
${syncPolicy}`;
}

describe('repo/applications', () => {
  it('reads whether Argo CD syncs by itself and whether it prunes', () => {
    const sync = (policy: string) => applicationsIn(app(policy), 'shop.yaml')[0]?.sync;
    expect(sync('  syncPolicy:\n    automated: {prune: true, selfHeal: true}\n')).toEqual({
      automated: true,
      prune: true,
    });
    expect(sync('  syncPolicy:\n    automated:\n      prune: false\n')).toEqual({ automated: true, prune: false });
    // `automated: {}` syncs without pruning; Argo CD 3's `enabled: false` turns it off.
    expect(sync('  syncPolicy:\n    automated: {}\n')).toEqual({ automated: true, prune: false });
    expect(sync('  syncPolicy:\n    automated: {enabled: false, prune: true}\n')).toEqual({
      automated: false,
      prune: false,
    });
    expect(sync('  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n')).toEqual({
      automated: false,
      prune: false,
    });
    expect(sync('')).toEqual({ automated: false, prune: false });
  });
});
