import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTIONS, actionsFor, getAction } from './registry.ts';

const here = dirname(fileURLToPath(import.meta.url));
const folders = readdirSync(here).filter((f) => statSync(join(here, f)).isDirectory() && !f.startsWith('__'));

describe('actions/registry', () => {
  it('registers exactly one action per folder, with the folder name as id', () => {
    expect(ACTIONS.map((a) => a.id).sort()).toEqual(folders.sort());
  });

  it('gives every action a kebab-case id, a family, a disruption rank and the kinds it handles', () => {
    for (const a of ACTIONS) {
      expect(a.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['resources', 'traffic', 'workload', 'node', 'network']).toContain(a.family);
      expect(a.disruption).toBeGreaterThan(0);
      // Only an action whose change is its exposure (adopting a controller), or one the follow-up
      // proposes (the revert of a harmful change), is never proposed from a signal.
      expect(a.handles.length > 0 || a.changesOnlyExposure === true || a.fromFollowUp === true).toBe(true);
    }
  });

  it('orders candidates least disruptive first', () => {
    const ids = actionsFor(['OOMKilled', 'CrashLoopBackOff']).map((a) => a.id);
    expect(ids).toEqual(['raise-memory-limit', 'rollback-image']);
    expect(actionsFor(['HPAMaxedOut']).map((a) => a.id)).toEqual(['raise-hpa-max-replicas']);
    expect(actionsFor(['NodePressure'])).toEqual([]);
  });

  it('declares effects from params alone', () => {
    const memory = getAction('raise-memory-limit');
    expect(
      memory?.effects({ container: 'app', to: '384Mi' }, { kind: 'Deployment', name: 'web', namespace: 'prod' }),
    ).toEqual({
      fields: [
        {
          kind: 'Deployment',
          name: 'web',
          namespace: 'prod',
          path: '/spec/template/spec/containers[name=app]/resources/limits/memory',
          after: '384Mi',
        },
      ],
      objects: [],
    });
  });
});
