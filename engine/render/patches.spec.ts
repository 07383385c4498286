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

  it('puts a new key after the commented-out entries that end a list, never between an entry and them', () => {
    const text = 'resources:\n- ../../base\n# - ../../components/tracing\n#- ../../components/debug\n';
    expect(ensurePatchEntry(text, 'p.yaml')).toBe(`${text}\npatches:\n- path: p.yaml\n`);
    const followed = 'resources:\n- a.yaml\n# - b.yaml\nimages:\n- name: x\n  newTag: "1"\n';
    expect(ensurePatchEntry(followed, 'p.yaml')).toBe(
      'resources:\n- a.yaml\n# - b.yaml\n\npatches:\n- path: p.yaml\nimages:\n- name: x\n  newTag: "1"\n',
    );
  });

  it('leaves a comment that introduces the next key with that key, and keeps prose that trails a list', () => {
    const introduces = 'resources:\n- a.yaml\n# Labels for every object.\nlabels:\n- pairs: {a: b}\n';
    expect(ensurePatchEntry(introduces, 'p.yaml')).toBe(
      'resources:\n- a.yaml\npatches:\n- path: p.yaml\n# Labels for every object.\nlabels:\n- pairs: {a: b}\n',
    );
    const trailing = 'resources:\n- a.yaml\n# more to come\n\nlabels:\n- pairs: {a: b}\n';
    expect(ensurePatchEntry(trailing, 'p.yaml')).toBe(
      'resources:\n- a.yaml\n# more to come\n\npatches:\n- path: p.yaml\n\nlabels:\n- pairs: {a: b}\n',
    );
  });

  it('keeps a kubebuilder scaffold block (prose and commented entries) with its list', () => {
    const text = [
      'bases:',
      '- ../crd',
      '# [WEBHOOK] To enable webhook, uncomment all the sections with [WEBHOOK] prefix',
      '#- ../webhook',
      '',
      '# the following config is for teaching kustomize how to do var substitution',
      'vars:',
      '',
    ].join('\n');
    const out = ensurePatchEntry(text, 'p.yaml');
    expect(out).toBe(text.replace('#- ../webhook\n', '#- ../webhook\n\npatches:\n- path: p.yaml\n'));
  });

  it('rejects a kustomization that is not a mapping, naming the file', () => {
    expect(() => ensurePatchEntry('- a\n- b\n', 'p.yaml', 'apps/x/kustomization.yaml')).toThrow(ConfigError);
    expect(() => ensurePatchEntry('- a\n', 'p.yaml', 'apps/x/kustomization.yaml')).toThrow(
      /apps\/x\/kustomization.yaml/,
    );
    expect(() => ensurePatchEntry('a: [\n', 'p.yaml', 'k.yaml')).toThrow(/k\.yaml:\d+:\d+: invalid YAML/);
  });
});
