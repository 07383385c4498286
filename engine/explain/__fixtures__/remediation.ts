/** A realistic remediation: checkout OOMKilled in production, memory limit 256Mi → 384Mi, approve mode. */
import type { Signal } from '../../model/index.ts';
import type { PrMetadata, Remediation } from '../../model/remediation.ts';

const target = { cluster: 'production', namespace: 'checkout', kind: 'Deployment', name: 'checkout' };
const fingerprint = '3f9a1c2b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8';
const id = '3f9a1c2b7d4e-raise-memory-limit';

function oom(pod: string, at: string, restarts: number): Signal {
  return {
    id: `alertmanager:KubeContainerOOMKilled:${pod}:${at}`,
    source: 'alertmanager',
    kind: 'OOMKilled',
    status: 'firing',
    target,
    container: 'checkout',
    pod,
    observedAt: at,
    labels: {
      alertname: 'KubeContainerOOMKilled',
      cluster: 'production',
      namespace: 'checkout',
      pod,
      container: 'checkout',
      severity: 'warning',
    },
    evidence: [
      {
        source: 'alertmanager/KubeContainerOOMKilled',
        summary: `Container checkout in pod checkout/${pod} was OOMKilled on cluster production (memory limit 256Mi).`,
        at,
        data: { reason: 'OOMKilled', restarts, limit: '256Mi' },
      },
    ],
  };
}

export const PATCH_BEFORE = `# checkout in the production cluster. Synced by argocd/production/apps/checkout.yaml.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: checkout

resources:
  - ../../base
  - namespace.yaml

patches:
  - path: pod-disruption.yaml # keep a spread across zones
`;

export const PATCH_AFTER = PATCH_BEFORE.replace(
  '  - path: pod-disruption.yaml # keep a spread across zones\n',
  '  - path: pod-disruption.yaml # keep a spread across zones\n  - path: salve-raise-memory-limit-checkout.yaml\n',
);

export const remediation: Remediation = {
  id,
  branch: `salve/${id}`,
  incident: {
    fingerprint,
    target,
    kinds: ['OOMKilled'],
    containers: ['checkout'],
    signals: [
      oom('checkout-7d9f8b6c5d-x2x7k', '2025-03-04T09:41:12Z', 3),
      oom('checkout-7d9f8b6c5d-q8m4z', '2025-03-04T09:52:40Z', 2),
      oom('checkout-7d9f8b6c5d-x2x7k', '2025-03-04T09:58:03Z', 4),
    ],
    occurrences: 5,
    firstSeen: '2025-03-04T09:41:12Z',
    lastSeen: '2025-03-04T09:58:03Z',
    risk: {
      score: 0.82,
      confidence: 0.9,
      type: 'resource-pressure',
      attributions: [
        { factor: 'oom-kills', weight: 0.55, detail: '5 OOMKilled terminations of container checkout in 17 minutes' },
        { factor: 'spread', weight: 0.2, detail: '2 of 3 pods affected' },
        { factor: 'tier', weight: 0.07, detail: 'environment production (tier production)' },
      ],
    },
  },
  action: {
    id: 'raise-memory-limit',
    family: 'resources',
    disruption: 1,
    params: { container: 'checkout', from: '256Mi', to: '384Mi', fromBytes: 268435456, toBytes: 402653184 },
    summary: 'raise memory limit of checkout/checkout to 384Mi',
    rationale: [
      'Every signal is an OOMKilled termination of container checkout at its 256Mi limit.',
      'Raising the limit by 1.5x is the least disruptive action that answers resource pressure: a rolling restart, no traffic shift.',
    ],
  },
  target: { ...target, container: 'checkout' },
  overlay: 'apps/checkout/overlays/production',
  application: 'checkout-production',
  environment: { name: 'production', tier: 'production' },
  baseCommit: '9c1e5a7b3d2f4e6a8b0c1d2e3f4a5b6c7d8e9f01',
  files: [
    { path: 'apps/checkout/overlays/production/kustomization.yaml', before: PATCH_BEFORE, after: PATCH_AFTER },
    {
      path: 'apps/checkout/overlays/production/salve-raise-memory-limit-checkout.yaml',
      before: null,
      after: `# salve: raise-memory-limit (${id})\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\nspec:\n  template:\n    spec:\n      containers:\n        - name: checkout\n          resources:\n            limits:\n              memory: 384Mi\n`,
    },
  ],
  diff: {
    fields: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'checkout',
        name: 'checkout',
        path: '/spec/template/spec/containers[name=checkout]/resources/limits/memory',
        before: '256Mi',
        after: '384Mi',
      },
    ],
    objects: [],
  },
  decision: {
    allowed: true,
    mode: 'approve',
    rules: [
      {
        id: 'admission.namespace-open',
        effect: 'allow',
        message: 'namespace checkout is neither protected nor safety-locked, and no freeze is active',
      },
      {
        id: 'admission.resource-pressure-tune',
        effect: 'allow',
        message: 'resource action raise-memory-limit answers risk type resource-pressure',
      },
      {
        id: 'merge.trust-rule',
        effect: 'require-approval',
        message: 'trust rule #2 (environment production, action raise-memory-limit) sets approve',
      },
      { id: 'safety.memory-within-bounds', effect: 'allow', message: 'memory 256Mi → 384Mi within 2x and 4Gi cap' },
    ],
  },
  proofDigest: 'sha256:5d41402abc4b2a76b9719d911017c592ae3f0b7c9e2a1d4f6b8c0e2a4c6e8f01',
  bundleDigest: 'sha256:8f14e45fceea167a5a36dedd4bea2543a1b2c3d4e5f60718293a4b5c6d7e8f90',
};

export const metadata: PrMetadata = {
  version: 1,
  id,
  fingerprint,
  action: 'raise-memory-limit',
  mode: 'approve',
  target,
  overlay: remediation.overlay,
  baseCommit: remediation.baseCommit,
  proofDigest: remediation.proofDigest,
  occurrences: 5,
  lastSeen: '2025-03-04T09:58:03Z',
};
