import { describe, expect, it } from 'vitest';
import { CheckError } from '../model/errors.ts';
import type { RenderedDiff } from '../model/index.ts';
import { checkDeclaredEffects } from './declared-effects.ts';

const memory = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'production',
  name: 'backend',
  path: '/spec/template/spec/containers[name=app]/resources/limits/memory',
  before: '256Mi',
  after: '384Mi',
};
const declaredMemory = {
  kind: 'Deployment',
  name: 'backend',
  namespace: 'production',
  path: memory.path,
  after: '384Mi',
};

function thrown(fn: () => void): CheckError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CheckError) return err;
    throw err;
  }
  throw new Error('expected a CheckError');
}

describe('check/declared-effects', () => {
  it('passes when the diff is exactly the declared effects', () => {
    const diff: RenderedDiff = {
      fields: [memory],
      objects: [{ op: 'add', apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'production', name: 'b' }],
    };
    expect(() =>
      checkDeclaredEffects(diff, { fields: [declaredMemory], objects: [{ op: 'add', kind: 'Rollout', name: 'b' }] }),
    ).not.toThrow();
  });

  it('fails on an undeclared change, listing object, path and values', () => {
    const extra = { ...memory, path: '/spec/replicas', before: 2, after: 3 };
    const err = thrown(() =>
      checkDeclaredEffects({ fields: [memory, extra], objects: [] }, { fields: [declaredMemory], objects: [] }),
    );
    expect(err.code).toBe('undeclared-change');
    expect(err.message).toContain('undeclared changes:\n  - Deployment production/backend /spec/replicas: 2 → 3');
    expect(err.message).not.toContain('resources/limits/memory');
  });

  it('fails when a declared effect is missing or lands with another value', () => {
    const missing = thrown(() =>
      checkDeclaredEffects({ fields: [], objects: [] }, { fields: [declaredMemory], objects: [] }),
    );
    expect(missing.code).toBe('effect-missing');
    expect(missing.message).toContain(
      `Deployment production/backend ${memory.path}: declared "384Mi", rendered no change`,
    );
    const other = thrown(() =>
      checkDeclaredEffects(
        { fields: [{ ...memory, after: '0.375Gi' }], objects: [] },
        { fields: [declaredMemory], objects: [] },
      ),
    );
    expect(other.code).toBe('effect-missing');
    expect(other.message).toContain('declared "384Mi", rendered "0.375Gi"');
  });

  it('fails on an added object nobody declared and a declared object not rendered', () => {
    const added = { op: 'add' as const, apiVersion: 'v1', kind: 'ConfigMap', namespace: 'production', name: 'x' };
    const err = thrown(() =>
      checkDeclaredEffects(
        { fields: [], objects: [added] },
        { fields: [], objects: [{ op: 'add', kind: 'Rollout', name: 'b' }] },
      ),
    );
    expect(err.code).toBe('undeclared-change');
    expect(err.message).toContain('ConfigMap production/x: object added');
    expect(err.message).toContain('Rollout b: declared add, not rendered');
  });
});
