import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../model/errors.ts';
import { ensurePatchEntry } from './patches.ts';

const COMMENTED = `# Production overlay: owned by the platform team.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: production   # keep in sync with namespace.yaml
resources:
- ../../bases/backend  # the API
- "namespace.yaml"

# Labels every object carries.
transformers:
    - 'labels.yaml'
`;

describe('render/patches', () => {
  it('adds patches: after resources, keeping comments, quoting and indentation', () => {
    const out = ensurePatchEntry(COMMENTED, 'salve/backend-memory.yaml');
    expect(out).toMatchInlineSnapshot(`
      "# Production overlay: owned by the platform team.
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      namespace: production   # keep in sync with namespace.yaml
      resources:
      - ../../bases/backend  # the API
      - "namespace.yaml"
      patches:
      - path: salve/backend-memory.yaml

      # Labels every object carries.
      transformers:
          - 'labels.yaml'
      "
    `);
  });

  it('is idempotent: a second run returns the same bytes', () => {
    const once = ensurePatchEntry(COMMENTED, 'salve/backend-memory.yaml');
    expect(ensurePatchEntry(once, 'salve/backend-memory.yaml')).toBe(once);
    expect(ensurePatchEntry(once, './salve/backend-memory.yaml')).toBe(once);
  });

  it('appends to an existing patches: list at its indentation', () => {
    const text = `resources:\n  - a.yaml\npatches:\n  - path: one.yaml # first\n    target:\n      kind: Deployment\nimages: []\n`;
    const out = ensurePatchEntry(text, 'two.yaml');
    expect(out).toBe(
      `resources:\n  - a.yaml\npatches:\n  - path: one.yaml # first\n    target:\n      kind: Deployment\n  - path: two.yaml\nimages: []\n`,
    );
  });

  it('appends after an inline block-scalar patch without changing it', () => {
    const text =
      'patches:\n  - target: {kind: HorizontalPodAutoscaler}\n    patch: |-\n      - op: replace\n        path: /spec/minReplicas\n        value: 3\n\n# end\n';
    const out = ensurePatchEntry(text, 'p.yaml');
    expect(out).toBe(text.replace('value: 3\n', 'value: 3\n  - path: p.yaml\n'));
    expect(parse(out).patches[0]).toEqual(parse(text).patches[0]);
  });

  it('fills an empty patches: value, block or flow', () => {
    expect(ensurePatchEntry('resources:\n  - a.yaml\npatches: []\n', 'p.yaml')).toBe(
      'resources:\n  - a.yaml\npatches:\n  - path: p.yaml\n',
    );
    expect(ensurePatchEntry('patches:\nresources:\n- a.yaml\n', 'p.yaml')).toBe(
      'patches:\n- path: p.yaml\nresources:\n- a.yaml\n',
    );
  });

  it('leaves patchesStrategicMerge: alone and adds to patches:', () => {
    const text = 'resources:\n- a.yaml\npatchesStrategicMerge:\n- legacy.yaml\n';
    expect(ensurePatchEntry(text, 'new.yaml')).toBe(`${text}patches:\n- path: new.yaml\n`);
    expect(ensurePatchEntry(text, 'legacy.yaml')).toBe(text);
  });

  it('handles a file without a final newline and CRLF line endings', () => {
    expect(ensurePatchEntry('resources:\n- a.yaml', 'p.yaml')).toBe('resources:\n- a.yaml\npatches:\n- path: p.yaml\n');
    expect(ensurePatchEntry('resources:\r\n- a.yaml\r\n', 'p.yaml')).toBe(
      'resources:\r\n- a.yaml\r\npatches:\r\n- path: p.yaml\r\n',
    );
  });

  it('rewrites a flow-style kustomization through the Document API', () => {
    const out = ensurePatchEntry('{resources: [a.yaml]}\n', 'p.yaml');
    expect(out).toBe('{ resources: [ a.yaml ], patches: [ { path: p.yaml } ] }\n');
    expect(ensurePatchEntry(out, 'p.yaml')).toBe(out);
  });

  it('writes a JSON6902 target under the entry, in every layout, and stays idempotent', () => {
    const target = { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', name: 'web' };
    const line = '    target: {group: argoproj.io, version: v1alpha1, kind: Rollout, name: web}';
    const added = ensurePatchEntry('resources:\n  - ../../base\n', 'salve/p.yaml', 'k.yaml', target);
    expect(added).toBe(`resources:\n  - ../../base\npatches:\n  - path: salve/p.yaml\n${line}\n`);
    expect(ensurePatchEntry(added, 'salve/p.yaml', 'k.yaml', target)).toBe(added);
    const appended = ensurePatchEntry('patches:\n  - path: mine.yaml # keep\n', 'salve/p.yaml', 'k.yaml', target);
    expect(appended).toBe(`patches:\n  - path: mine.yaml # keep\n  - path: salve/p.yaml\n${line}\n`);
    expect(ensurePatchEntry('patches: []\n', 'salve/p.yaml', 'k.yaml', target)).toBe(
      `patches:\n  - path: salve/p.yaml\n${line}\n`,
    );
  });

  it('rejects a kustomization that is not a mapping, naming the file', () => {
    expect(() => ensurePatchEntry('- a\n- b\n', 'p.yaml', 'apps/x/kustomization.yaml')).toThrow(ConfigError);
    expect(() => ensurePatchEntry('- a\n', 'p.yaml', 'apps/x/kustomization.yaml')).toThrow(
      /apps\/x\/kustomization.yaml/,
    );
    expect(() => ensurePatchEntry('a: [\n', 'p.yaml', 'k.yaml')).toThrow(/k\.yaml:\d+:\d+: invalid YAML/);
  });
});
