import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyError } from '../model/errors.ts';
import type { PolicyDecision } from '../model/index.ts';
import type { PolicyInput } from '../model/policy.ts';
import { type ExposurePlanner, loadExposurePlanner } from '../render/rollouts/planner.ts';
import { locateOpa, runTool } from '../tools/index.ts';
import { buildBundle } from './bundle.ts';
import { loadEvaluator, type PolicyEvaluator } from './evaluator.ts';
import { makeInput } from './fixtures.ts';

const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));
const SLO = {
  name: 'http',
  prometheus: { address: 'http://prometheus:9090' },
  errorRate: { query: 'errors', max: 0.01 },
  latency: { query: 'p99', maxSeconds: 0.5 },
};
const GI = 1024 ** 3;
const MI = 1024 ** 2;

const rollback = {
  action: {
    id: 'rollback-image',
    family: 'workload',
    disruption: 2,
    params: {
      container: 'podinfo',
      image: 'ghcr.io/stefanprodan/podinfo',
      fromTag: '6.5.0',
      toTag: '6.4.1',
      failingImage: 'ghcr.io/stefanprodan/podinfo:6.5.0',
    },
  },
  change: {
    fields: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'podinfo',
        name: 'podinfo',
        path: '/spec/template/spec/containers[name=podinfo]/image',
        before: 'ghcr.io/stefanprodan/podinfo:6.5.0',
        after: 'ghcr.io/stefanprodan/podinfo:6.4.1',
      },
    ],
  },
  release: { ageSeconds: 1800 },
  incident: { risk: { score: 0.9, confidence: 0.9, type: 'crash-loop' as const } },
};

const ids = (d: PolicyDecision, effect?: string) =>
  d.rules.filter((r) => effect === undefined || r.effect === effect).map((r) => r.id);

describe('policy/evaluator', () => {
  let evaluator: PolicyEvaluator;
  let planner: ExposurePlanner;
  let tmp: string;
  /**
   * Production workload actions on a Deployment under an Argo Rollout of the same overlay ship under
   * the canary policy plans (policies/exposure.rego); a plain Deployment's fix ships directly.
   */
  const withCanary = (input: PolicyInput): PolicyInput => {
    const underRollout: PolicyInput = {
      ...input,
      workload: {
        kind: 'Deployment',
        name: input.target.name,
        replicas: 3,
        autoscaler: null,
        delivery: { controller: 'argo-rollouts', kind: 'Rollout', name: input.target.name, source: 'overlay' },
      },
    };
    const plan = planner.plan(underRollout);
    if (!plan) throw new Error('expected an exposure plan');
    return { ...underRollout, exposure: { plan, change: { fields: [], objects: [] }, objects: [] } };
  };

  beforeAll(async () => {
    const bundle = await buildBundle([POLICIES]);
    evaluator = await loadEvaluator(bundle);
    planner = await loadExposurePlanner(bundle);
    tmp = await mkdtemp(join(tmpdir(), 'salve-evaluator-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('automates a bounded memory raise in staging under an automate trust rule', () => {
    const d = evaluator.evaluate(makeInput());
    expect(d).toMatchObject({ allowed: true, mode: 'automate' });
    expect(ids(d, 'deny')).toEqual([]);
    expect(d.rules).toContainEqual({
      id: 'safety.memory-within-bounds',
      effect: 'allow',
      message: 'memory 256Mi → 384Mi within 2x and 8Gi cap',
    });
    expect(ids(d)).toContain('merge.trust-rule');
  });

  it('asks for approval in production when no trust rule matches', () => {
    const d = evaluator.evaluate(
      withCanary(makeInput({ environment: { name: 'production', tier: 'production' }, settings: { slos: [SLO] } })),
    );
    expect(d).toMatchObject({ allowed: true, mode: 'approve' });
    expect(ids(d, 'require-approval')).toEqual(['merge.trust-default']);
  });

  it('ships a plain production Deployment fix directly, saying the follow-up guards it', () => {
    const plain = makeInput({ environment: { name: 'production', tier: 'production' }, settings: { slos: [SLO] } });
    expect(planner.plan(plain)).toBeNull();
    const d = evaluator.evaluate(plain);
    expect(d).toMatchObject({ allowed: true, mode: 'approve' });
    expect(d.rules.find((r) => r.id === 'exposure.direct')?.message).toMatch(/revert if the SLOs breach/);
  });

  it('asks for approval for a workload action in production even when trusted', () => {
    const d = evaluator.evaluate(
      withCanary(
        makeInput({
          ...rollback,
          environment: { name: 'production', tier: 'production' },
          settings: { trust: [{ environment: '*', action: '*', mode: 'automate' }], slos: [SLO] },
        }),
      ),
    );
    expect(d).toMatchObject({ allowed: true, mode: 'approve' });
    expect(ids(d, 'require-approval')).toEqual(['merge.production-workload']);
    expect(ids(d, 'allow')).toContain('admission.rollback-recent-release');
  });

  it('denies a memory raise beyond the factor and the cap, naming the bounds', () => {
    const d = evaluator.evaluate(
      makeInput({ action: { params: { from: '256Mi', to: '9Gi', fromBytes: 256 * MI, toBytes: 9 * GI } } }),
    );
    expect(d).toMatchObject({ allowed: false, mode: 'observe' });
    expect(ids(d, 'deny')).toEqual(['safety.memory-over-cap', 'safety.memory-over-factor']);
    expect(d.rules.find((r) => r.id === 'safety.memory-over-cap')?.message).toBe(
      'memory 256Mi → 9Gi exceeds the 8Gi cap',
    );
    expect(ids(d)).not.toContain('safety.memory-within-bounds');
  });

  it('denies a protected namespace', () => {
    const d = evaluator.evaluate(makeInput({ namespace: { name: 'kube-system' } }));
    expect(d).toMatchObject({ allowed: false, mode: 'observe' });
    expect(ids(d, 'deny')).toEqual(['admission.protected-namespace']);
  });

  it('denies during a change freeze', () => {
    const d = evaluator.evaluate(makeInput({ time: { freeze: { active: true, name: 'black-friday' } } }));
    expect(d.allowed).toBe(false);
    expect(d.rules).toContainEqual({
      id: 'admission.change-freeze',
      effect: 'deny',
      message: 'change freeze black-friday is active',
    });
  });

  it('denies a safety-locked namespace', () => {
    const d = evaluator.evaluate(makeInput({ namespace: { labels: { 'salve.dev/safety-lock': 'true' } } }));
    expect(d).toMatchObject({ allowed: false, mode: 'observe' });
    expect(ids(d, 'deny')).toEqual(['admission.safety-lock']);
  });

  it('denies workload actions in a pci namespace', () => {
    const d = evaluator.evaluate(makeInput({ ...rollback, namespace: { labels: { 'salve.dev/tier': 'pci' } } }));
    expect(ids(d, 'deny')).toEqual(['admission.pci-workload']);
  });

  it('asks for approval below the confidence threshold', () => {
    const d = evaluator.evaluate(makeInput({ incident: { risk: { confidence: 0.5 } } }));
    expect(d).toMatchObject({ allowed: true, mode: 'approve' });
    expect(d.rules).toContainEqual({
      id: 'merge.low-confidence',
      effect: 'require-approval',
      message: 'confidence 0.5 is below 0.8',
    });
  });

  it('asks for approval on a StatefulSet', () => {
    const d = evaluator.evaluate(makeInput({ target: { kind: 'StatefulSet' } }));
    expect(d).toMatchObject({ allowed: true, mode: 'approve' });
    expect(ids(d, 'require-approval')).toEqual(['merge.sensitive-kind']);
  });

  it('outside business hours in production, asks a human instead of automating (a PR, never an auto-merge)', () => {
    const d = evaluator.evaluate(
      withCanary(
        makeInput({
          environment: { name: 'production', tier: 'production' },
          time: {
            businessHours: false,
            hour: 22,
            local: 'Tue 22:10 Europe/Berlin',
            businessWindow: 'Mon–Fri 08:00–18:00 Europe/Berlin',
          },
          settings: { trust: [{ environment: '*', action: '*', mode: 'automate' }], slos: [SLO] },
        }),
      ),
    );
    expect(d).toMatchObject({ allowed: true, mode: 'approve' });
    expect(ids(d, 'advisory')).toEqual([]);
    expect(d.rules).toContainEqual({
      id: 'admission.out-of-hours',
      effect: 'require-approval',
      message:
        'out of business hours: needs a human (Tue 22:10 Europe/Berlin; business hours Mon–Fri 08:00–18:00 Europe/Berlin)',
    });
  });

  it('only observes when the risk is below the threshold', () => {
    const d = evaluator.evaluate(makeInput({ incident: { risk: { score: 0.2 } } }));
    expect(d).toMatchObject({ allowed: true, mode: 'observe' });
    expect(d.rules).toContainEqual({
      id: 'admission.risk-below-threshold',
      effect: 'advisory',
      message: 'risk 0.2 is below the threshold 0.4: observe only',
    });
  });

  it('observes when the trust ladder says observe', () => {
    const d = evaluator.evaluate(makeInput({ settings: { trust: [], defaultMode: 'observe' } }));
    expect(d).toMatchObject({ allowed: true, mode: 'observe' });
  });

  it('matches trust rule wildcards across dots, as opa does natively', () => {
    const d = evaluator.evaluate(
      makeInput({
        environment: { name: 'prod.eu-west', tier: 'staging' },
        settings: { trust: [{ environment: 'prod*', action: 'raise-*', mode: 'automate' }] },
      }),
    );
    expect(d.mode).toBe('automate');
    expect(d.rules).toContainEqual({
      id: 'merge.trust-rule',
      effect: 'allow',
      message: 'trust rule #1 (environment prod*, action raise-*) sets automate',
    });
  });

  it('returns rules sorted by id then message, the same on every run', () => {
    const input = makeInput({ incident: { risk: { confidence: 0.1, score: 0.1 } }, target: { kind: 'StatefulSet' } });
    const d = evaluator.evaluate(input);
    const sorted = [...d.rules].sort((a, b) => (a.id + a.message < b.id + b.message ? -1 : 1));
    expect(d.rules).toEqual(sorted);
    expect(evaluator.evaluate(input)).toEqual(d);
  });

  it('agrees with opa evaluating the same Rego natively', async () => {
    const opa = locateOpa();
    const inputs: PolicyInput[] = [
      makeInput(),
      makeInput({ incident: { risk: { score: 0.25, confidence: 0.55 } }, target: { kind: 'StatefulSet' } }),
      makeInput({ action: { params: { from: '6Gi', to: '9Gi', fromBytes: 6 * GI, toBytes: 9 * GI } } }),
      makeInput({ ...rollback, release: { ageSeconds: 9000 }, settings: { bounds: { memoryMaxFactor: 1.5 } } }),
    ];
    for (const [i, input] of inputs.entries()) {
      const file = join(tmp, `input-${i}.json`);
      await writeFile(file, JSON.stringify(input));
      const { stdout } = await runTool(opa, [
        'eval',
        '-f',
        'json',
        '-d',
        POLICIES,
        '-i',
        file,
        'data.salve.main.decision',
      ]);
      const native = JSON.parse(stdout).result[0].expressions[0].value as PolicyDecision;
      const wasm = evaluator.evaluate(input);
      expect(wasm.allowed).toBe(native.allowed);
      expect(wasm.mode).toBe(native.mode);
      const key = (r: { id: string; message: string }) => `${r.id}|${r.message}`;
      expect(wasm.rules.map(key)).toEqual(native.rules.map(key).sort());
    }
  });

  it("joins a config repo's own salve.custom package into the decision", async () => {
    const dir = join(tmp, 'repo-policies');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'owners.rego'),
      [
        'package salve.custom.owners',
        '',
        'rules contains {"id": "custom.payments-owned", "effect": "deny", "message": "payments owns this namespace"} if {',
        '\tinput.namespace.name == "payments"',
        '}',
        '',
      ].join('\n'),
    );
    const ev = await loadEvaluator(await buildBundle([POLICIES, dir]));
    expect(ev.evaluate(makeInput())).toMatchObject({ allowed: true, mode: 'automate' });
    const d = ev.evaluate(makeInput({ namespace: { name: 'payments' } }));
    expect(d).toMatchObject({ allowed: false, mode: 'observe' });
    expect(ids(d, 'deny')).toEqual(['custom.payments-owned']);
  });

  it('refuses an invalid input, naming the field', () => {
    const bad = { ...makeInput(), time: { ...makeInput().time, hour: 25 } };
    expect(() => evaluator.evaluate(bad)).toThrow(PolicyError);
    expect(() => evaluator.evaluate(bad)).toThrow(/time\.hour/);
  });

  it('reports an undefined decision as a PolicyError naming the entrypoint', async () => {
    const dir = join(tmp, 'undefined-policy');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'main.rego'),
      'package salve.main\n\ndecision := {"allowed": true, "mode": "observe", "rules": []} if input.never\n',
    );
    const ev = await loadEvaluator(await buildBundle([dir]));
    expect(() => ev.evaluate(makeInput())).toThrow(/salve\/main\/decision is undefined/);
  });

  it('reports a malformed decision as a PolicyError', async () => {
    const dir = join(tmp, 'malformed-policy');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'main.rego'),
      'package salve.main\n\ndecision := {"allowed": "yes", "mode": "observe", "rules": []}\n',
    );
    const ev = await loadEvaluator(await buildBundle([dir]));
    expect(() => ev.evaluate(makeInput())).toThrow(/malformed decision at allowed/);
  });
});
