/**
 * Init containers (aks-store: order-service waits for RabbitMQ in an init container with its own
 * limits). An OOM kill of the init container raises the init container's limit, under
 * initContainers, and nothing else: not the app container beside it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Bed, openTestbed } from './testbed.ts';

const OVERLAY = 'kustomize/overlays/dev';
let bed: Bed;

beforeAll(async () => {
  bed = await openTestbed('aks-store', [OVERLAY]);
});
afterAll(() => bed?.cleanup());

describe('init containers (aks-store order-service)', () => {
  it('raises the init container that was OOM-killed, and verify passes', async () => {
    const got = await bed.plan(OVERLAY, 'Deployment/order-service', 'wait-for-rabbitmq', 'raise-memory-limit');
    expect(got.violations).toEqual([]);
    expect(got.remediation?.action.params).toMatchObject({
      container: 'wait-for-rabbitmq',
      containerList: 'initContainers',
      from: '128Mi',
      to: '192Mi',
    });
    expect(got.remediation?.diff.fields.map((f) => `${f.path} ${f.before} → ${f.after}`)).toEqual([
      '/spec/template/spec/initContainers[name=wait-for-rabbitmq]/resources/limits/memory 128Mi → 192Mi',
    ]);
    const patch = parse(got.file(`${OVERLAY}/salve/raise-memory-limit-deployment-order-service.yaml`));
    expect(patch.spec.template.spec).toEqual({
      initContainers: [{ name: 'wait-for-rabbitmq', resources: { limits: { memory: '192Mi' } } }],
    });
  });
});
