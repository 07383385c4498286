import { describe, expect, it } from 'vitest';
import { ConfigError } from '../model/errors.ts';
import type { K8sObject } from '../model/remediation.ts';
import type { FieldEdit, FieldLocation } from './field-edit.ts';
import { editInPlace } from './in-place.ts';
import type { OverlayRepo } from './overlay.ts';
import { selects } from './selector.ts';

const object: K8sObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', labels: { tier: 'web', team: 'core' } },
  spec: { template: { spec: { containers: [{ name: 'app' }, { name: 'proxy' }] } } },
};
const edit: FieldEdit = {
  action: 'raise-memory-limit',
  object,
  container: 'proxy',
  field: ['resources', 'limits', 'memory'],
  value: '384Mi',
  header: 'h',
};
const at: FieldLocation = {
  identity: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
  prePatch: object,
  siblings: [object],
  slot: { list: 'containers', name: 'proxy', index: 1, count: 2 },
  pointer: ['spec', 'template', 'spec', 'containers', '1', 'resources', 'limits', 'memory'],
};

function repo(files: Record<string, string>, notes: string[] = []): OverlayRepo {
  return {
    dir: '/nowhere',
    resolution: { overlay: 'env/prod', application: { namespace: 'default' } },
    objects: [object],
    kustomizationPath: 'env/prod/kustomization.yaml',
    readFile: async (path) => files[path] ?? null,
    note: (text) => notes.push(text),
  };
}

const SMP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: proxy
          resources:
            limits:
              memory: 256Mi # sized for 2024 traffic
`;

describe('render/in-place', () => {
  it("rewrites the value in the overlay's strategic-merge patch file, dropping the comment about the old value", async () => {
    const k = 'patches:\n  - path: proxy.yaml\n';
    const notes: string[] = [];
    const changes = await editInPlace(
      repo({ 'env/prod/kustomization.yaml': k, 'env/prod/proxy.yaml': SMP }, notes),
      k,
      edit,
      at,
    );
    expect(changes).toEqual([
      { path: 'env/prod/proxy.yaml', before: SMP, after: SMP.replace('256Mi # sized for 2024 traffic', '384Mi') },
    ]);
    expect(notes).toHaveLength(1);
  });

  it('leaves a patch shared with other overlays alone (null: a new overlay patch goes after it)', async () => {
    const k = 'patchesStrategicMerge:\n  - ../common/proxy.yaml\n';
    expect(await editInPlace(repo({ 'env/common/proxy.yaml': SMP }), k, edit, at)).toBeNull();
  });

  it('refuses a shared patchesJson6902 that would override a new patch, naming the file', async () => {
    const k =
      'patchesJson6902:\n  - path: ../common/ops.yaml\n    target: {group: apps, version: v1, kind: Deployment, name: api}\n';
    const ops = '- op: replace\n  path: /spec/template/spec/containers/1/resources/limits/memory\n  value: 256Mi\n';
    const err = await editInPlace(repo({ 'env/common/ops.yaml': ops }), k, edit, at).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('unsupported-shared-json6902');
    expect((err as Error).message).toContain('env/common/ops.yaml');
  });

  it('finds the value inside an inline JSON6902 op that adds a whole resources block, and edits the last setter', async () => {
    const k = [
      'patches:',
      '  - path: proxy.yaml',
      '  - target:',
      '      kind: Deployment',
      '      labelSelector: "tier in (web,api),!legacy"',
      '    patch: |-',
      '      - op: add',
      '        path: /spec/template/spec/containers/1/resources',
      '        value: {limits: {memory: 320Mi}}',
      '',
    ].join('\n');
    const changes = await editInPlace(
      repo({ 'env/prod/kustomization.yaml': k, 'env/prod/proxy.yaml': SMP }),
      k,
      edit,
      at,
    );
    expect(changes).toEqual([{ path: 'env/prod/kustomization.yaml', before: k, after: k.replace('320Mi', '384Mi') }]);
  });

  it('leaves a patch whose target selects other objects too (their value would change with ours)', async () => {
    const k =
      'patches:\n  - target: {kind: Deployment, labelSelector: tier=web}\n    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/1/resources/limits/memory\n        value: 256Mi\n';
    const web = { ...object, metadata: { name: 'web', labels: { tier: 'web' } } };
    expect(await editInPlace(repo({}), k, edit, { ...at, siblings: [object, web] })).toBeNull();
    expect(await editInPlace(repo({}), k, edit, at)).not.toBeNull();
  });

  it('does not touch a patch whose target selects another object', async () => {
    const k =
      'patches:\n  - target: {kind: Deployment, name: "web-.*"}\n    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/1/resources/limits/memory\n        value: 1Gi\n';
    expect(await editInPlace(repo({}), k, edit, at)).toBeNull();
  });
});

describe('render/selector', () => {
  it('reads kustomize targets: anchored name regex, label and annotation selectors', () => {
    expect(selects({ kind: 'Deployment', name: 'a.i' }, object)).toBe(true);
    expect(selects({ name: 'ap' }, object)).toBe(false);
    expect(selects({ labelSelector: 'tier=web,team!=ops' }, object)).toBe(true);
    expect(selects({ labelSelector: 'tier notin (web)' }, object)).toBe(false);
    expect(selects({ labelSelector: 'team,!canary' }, object)).toBe(true);
    expect(selects({ group: 'apps', version: 'v2' }, object)).toBe(false);
    expect(selects({ labelSelector: 'tier ~ web' }, object)).toBeNull();
  });
});
