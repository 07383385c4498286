/**
 * Objects rendered with no namespace at all (aks-store: no `namespace:` anywhere) are the objects
 * Argo CD applies in the Application's destination namespace. Plan, check, the proof and `salve
 * verify` name them the same way, so verify passes on the branch plan just wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bed, openTestbed } from './testbed.ts';

const OVERLAY = 'kustomize/overlays/azd/store-front';
let bed: Bed;

beforeAll(async () => {
  bed = await openTestbed('aks-store', [OVERLAY]);
});
afterAll(() => bed?.cleanup());

describe('one identity rule for namespace-less objects (aks-store)', () => {
  it('plans a memory raise that salve verify passes, naming the Deployment in the destination namespace', async () => {
    const got = await bed.plan(OVERLAY, 'Deployment/store-front', 'store-front', 'raise-memory-limit');
    expect(got.violations).toEqual([]);
    const rem = got.remediation;
    expect(rem?.diff.fields).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        namespace: 'default',
        name: 'store-front',
        path: '/spec/template/spec/containers[name=store-front]/resources/limits/memory',
        before: '512Mi',
        after: '768Mi',
      }),
    ]);
    const proof = JSON.parse(got.file(`.salve/remediations/${rem?.id}/proof.json`));
    expect(proof.subject.namespace).toBe('default');
    expect(proof.input.target).toMatchObject({ namespace: 'default', kind: 'Deployment', name: 'store-front' });
  });
});
