import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../model/remediation.ts';
import { closeSchema, compileCrdValidators, hoistObjectSchemas, standaloneModules } from './crd-compile.ts';
import { type CrdValidators, validateArgoRollouts } from './crd-schema.ts';

const MANIFESTS = `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: checkout
  namespace: shop
spec:
  replicas: 3
  revisionHistoryLimit: 2
  workloadRef:
    apiVersion: apps/v1
    kind: Deployment
    name: checkout
    scaleDown: progressively
  strategy:
    canary:
      maxSurge: "25%"
      maxUnavailable: 0
      steps:
        - setWeight: 10
        - pause: { duration: 5m }
        - analysis:
            templates:
              - templateName: checkout-slo
            args:
              - name: service
                value: checkout
        - setWeight: 50
        - pause: {}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: checkout-slo
  namespace: shop
spec:
  args:
    - name: service
  metrics:
    - name: error-rate
      interval: 1m
      count: 5
      failureLimit: 1
      successCondition: result[0] <= 0.01
      provider:
        prometheus:
          address: http://prometheus.monitoring:9090
          query: sum(rate(http_requests_total{service="{{args.service}}",code=~"5.."}[5m]))
`;

function objects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

function rollout(mutate: (spec: Record<string, any>) => void): K8sObject {
  const [ro] = objects(MANIFESTS);
  mutate((ro as unknown as { spec: Record<string, any> }).spec);
  return ro as K8sObject;
}

describe('check/crd-schema', () => {
  // The generated modules salve loads, and the CRDs compiled in memory: the same answers.
  describe.each([
    ['generated modules', () => undefined],
    ['CRDs compiled in memory', () => compileCrdValidators()],
  ] as Array<[string, () => CrdValidators | undefined]>)('with the %s', (_source, load) => {
    let validators: CrdValidators | undefined;
    beforeAll(() => {
      validators = load();
    }, 30_000);

    it('accepts a valid canary Rollout over a Deployment and its AnalysisTemplate', async () => {
      expect(await validateArgoRollouts(objects(MANIFESTS), validators)).toEqual([]);
    });

    it('names a misspelled field in a Rollout with its path', async () => {
      const bad = rollout((spec) => {
        spec.strategy.canary.steps[1] = { pasue: { duration: '5m' } };
      });
      expect(await validateArgoRollouts([bad], validators)).toEqual([
        {
          kind: 'Rollout',
          name: 'checkout',
          path: '/spec/strategy/canary/steps/1/pasue',
          message: 'unknown field "pasue"',
        },
      ]);
    });

    it('catches a misspelled top-level spec field and a wrong type', async () => {
      const bad = rollout((spec) => {
        spec.workloadref = spec.workloadRef;
        spec.replicas = 'three';
      });
      const problems = await validateArgoRollouts([bad], validators);
      expect(problems).toContainEqual({
        kind: 'Rollout',
        name: 'checkout',
        path: '/spec/workloadref',
        message: 'unknown field "workloadref"',
      });
      expect(problems).toContainEqual({
        kind: 'Rollout',
        name: 'checkout',
        path: '/spec/replicas',
        message: 'must be integer',
      });
    });

    it('catches an unknown field in an AnalysisTemplate metric provider', async () => {
      const [, template] = objects(MANIFESTS.replace('address: http', 'adress: http'));
      const problems = await validateArgoRollouts([template as K8sObject], validators);
      expect(problems).toEqual([
        {
          kind: 'AnalysisTemplate',
          name: 'checkout-slo',
          path: '/spec/metrics/0/provider/prometheus/adress',
          message: 'unknown field "adress"',
        },
      ]);
    });

    it('leaves other kinds alone, Argo CD Applications in the same API group included', async () => {
      const others = objects(`
  apiVersion: apps/v1
  kind: Deployment
  metadata: { name: checkout }
  spec: { anything: goes }
  ---
  apiVersion: argoproj.io/v1alpha1
  kind: Application
  metadata: { name: checkout }
  spec: { source: { path: apps/checkout } }
  `);
      expect(await validateArgoRollouts(others, validators)).toEqual([]);
    });

    it('reports an API version salve has no schema for', async () => {
      const ro = rollout(() => {});
      expect(await validateArgoRollouts([{ ...ro, apiVersion: 'argoproj.io/v1beta9' }], validators)).toEqual([
        {
          kind: 'Rollout',
          name: 'checkout',
          path: '/apiVersion',
          message: 'no schema for argoproj.io/v1beta9 Rollout',
        },
      ]);
    });
  });

  it('ships generated validators that are exactly what the CRDs compile to (rerun scripts/generate-crd-validators)', () => {
    const dir = fileURLToPath(new URL('./crd-validators/', import.meta.url));
    const modules = standaloneModules();
    expect([...modules.keys()].sort()).toEqual(['analysistemplate-v1alpha1.js', 'rollout-v1alpha1.js']);
    for (const [file, code] of modules) expect(readFileSync(join(dir, file), 'utf8') === code, file).toBe(true);
  }, 30_000);

  it('moves object schemas into shared definitions, one per distinct content', () => {
    const container = { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false };
    const hoisted = hoistObjectSchemas({
      type: 'object',
      properties: {
        containers: { type: 'array', items: container },
        initContainers: { type: 'array', items: container },
        name: { type: 'string' },
      },
    });
    const defs = hoisted.definitions as Record<string, unknown>;
    expect(Object.values(defs)).toEqual([container]);
    const ref = { $ref: `#/definitions/${Object.keys(defs)[0]}` };
    expect(hoisted.properties).toEqual({
      containers: { type: 'array', items: ref },
      initContainers: { type: 'array', items: ref },
      name: { type: 'string' },
    });
  });

  it('closes object schemas unless they allow extra keys or preserve unknown fields', () => {
    const closed = closeSchema({
      type: 'object',
      description: 'dropped',
      properties: {
        a: { type: 'object', properties: { b: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        raw: { type: 'object', properties: { x: {} }, 'x-kubernetes-preserve-unknown-fields': true },
      },
    });
    expect(closed).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        a: { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: false },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        raw: { type: 'object', properties: { x: {} }, 'x-kubernetes-preserve-unknown-fields': true },
      },
    });
  });
});
