import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { strategicMergePatch } from './patch-file.ts';

describe('render/patch-file', () => {
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'backend',
    spec: {
      template: { spec: { containers: [{ resources: { limits: { memory: '768Mi' } }, name: 'backend' }] } },
    },
  };

  it('writes a header, the object identity and the spec fragment, merge key first', () => {
    const text = strategicMergePatch(
      object,
      'Managed by salve: raise memory limit of backend/backend\nincident 3f2a9c',
    );
    expect(text).toMatchInlineSnapshot(`
      "# Managed by salve: raise memory limit of backend/backend
      # incident 3f2a9c
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: backend
      spec:
        template:
          spec:
            containers:
              - name: backend
                resources:
                  limits:
                    memory: 768Mi
      "
    `);
    expect(parse(text)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'backend' },
      spec: object.spec,
    });
  });

  it('is deterministic and names the namespace only when given', () => {
    const a = strategicMergePatch({ ...object, namespace: 'production' }, 'Managed by salve');
    expect(strategicMergePatch({ ...object, namespace: 'production' }, 'Managed by salve')).toBe(a);
    expect(a).toContain('metadata:\n  name: backend\n  namespace: production\n');
    expect(strategicMergePatch(object, '')).toMatch(/^apiVersion: apps\/v1\n/);
  });
});
