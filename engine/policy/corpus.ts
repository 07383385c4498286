/**
 * A corpus of policy inputs for comparing decisions across rewrites of the rules: every action
 * salve plans, its bounds met and broken, in each tier, under trust rules written with every glob
 * form, in and out of hours, with workloads under each delivery controller. Test support only.
 */
import type { PolicyDecision } from '../model/index.ts';
import type { ExposurePlan, PolicyInput } from '../model/policy.ts';
import { type DeepPartial, makeInput } from './fixtures.ts';

const MI = 1024 * 1024;

type Over = DeepPartial<PolicyInput>;

const field = (path: string, over: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'podinfo',
  name: 'podinfo',
  path,
  before: '1',
  after: '2',
  ...over,
});
const c = (suffix: string, list = 'containers') => `/spec/template/spec/${list}[name=podinfo]/${suffix}`;
const memory = (from: number, to: number, extra: Record<string, unknown> = {}): Over => ({
  action: {
    params: {
      container: 'podinfo',
      from: `${from}Mi`,
      to: `${to}Mi`,
      fromBytes: from * MI,
      toBytes: to * MI,
      ...extra,
    },
  },
});
const cpu = (from: number, to: number): Over => ({
  action: {
    id: 'raise-cpu-limit',
    params: { container: 'podinfo', from: `${from}m`, to: `${to}m`, fromMillis: from, toMillis: to },
  },
  change: { fields: [field(c('resources/limits/cpu'))] },
});
const replicas = (from: unknown, to: unknown): Over => ({
  action: { id: 'raise-hpa-max-replicas', family: 'scaling', params: { from, to } },
  target: { kind: 'HorizontalPodAutoscaler' },
  change: { fields: [field('/spec/maxReplicas', { kind: 'HorizontalPodAutoscaler' })] },
});
const rollback = (params: Record<string, unknown>, release: NonNullable<Over['release']>, score = 0.85): Over => ({
  action: { id: 'rollback-image', family: 'workload', disruption: 3, params },
  release,
  incident: { risk: { score, type: 'crash-loop' } },
  change: { fields: [field(c('image'))] },
});
const tags = { container: 'podinfo', image: 'ghcr.io/stefanprodan/podinfo', fromTag: '6.5.1', toTag: '6.5.0' };
const inverse = {
  fields: [field(c('resources/limits/memory'), { before: '384Mi', after: '256Mi' })],
  objects: [{ op: 'remove' as const, apiVersion: 'v1', kind: 'ConfigMap', namespace: 'podinfo', name: 'x' }],
};
const revert = (params: Record<string, unknown>, change: NonNullable<Over['change']> = inverse): Over => ({
  action: { id: 'revert-remediation', family: 'workload', disruption: 2, params: { inverse, pull: 42, ...params } },
  change,
});
const rollout = (delivery: Record<string, unknown>, kind = 'Deployment', replicas = 3): Over => ({
  workload: { kind, name: 'podinfo', replicas, autoscaler: null, delivery: delivery as never },
});
const slo = {
  name: 'podinfo',
  prometheus: { address: 'http://prometheus:9090' },
  errorRate: { query: 'sum(rate(errors[1m]))', max: 0.01 },
  latency: { query: 'histogram_quantile(0.99, x)', maxSeconds: 0.5 },
};

/** What the change does: one scenario per rule family, firing and not. */
const scenarios: Record<string, Over> = {
  'memory raise': {},
  'memory request too': {
    change: { fields: [field(c('resources/limits/memory')), field(c('resources/requests/memory'))] },
  },
  'memory not a raise': memory(384, 256),
  'memory over factor': memory(256, 1024),
  'memory over cap': { ...memory(6000, 9000), settings: { bounds: { memoryMaxFactor: 2, memoryCapBytes: 8192 * MI } } },
  'memory cap in Mi': { ...memory(256, 384), settings: { bounds: { memoryCapBytes: 300 * MI } } },
  'memory cap in bytes': { settings: { bounds: { memoryCapBytes: 1000 } } },
  'memory bad params': { action: { params: { container: 'podinfo', from: 'x', to: 'y', fromBytes: 0, toBytes: 'y' } } },
  'memory init container': {
    ...memory(256, 384, { containerList: 'initContainers' }),
    change: { fields: [field(c('resources/limits/memory', 'initContainers'))] },
  },
  'memory field outside family': { change: { fields: [field(c('image'))] } },
  'memory five fields': { change: { fields: ['a', 'b', 'c', 'd', 'e'].map((p) => field(c(`resources/limits/${p}`))) } },
  'memory two objects': {
    change: { fields: [field(c('resources/limits/memory')), field(c('resources/limits/memory'), { name: 'other' })] },
  },
  'memory object removed': {
    change: { objects: [{ op: 'remove', apiVersion: 'v1', kind: 'ConfigMap', namespace: 'podinfo', name: 'cm' }] },
  },
  'memory wrong risk type': { incident: { risk: { type: 'crash-loop' } } },
  'memory scaling risk': { incident: { risk: { type: 'scaling' } } },
  'cpu raise': cpu(500, 800),
  'cpu not a raise': cpu(800, 500),
  'cpu over factor and cap': cpu(3000, 9000),
  'cpu bad params': { ...cpu(0, 100) },
  'replicas raise': replicas(4, 6),
  'replicas not a raise': replicas(6, 6),
  'replicas over factor and cap': replicas(30, 70),
  'replicas bad params': replicas('4', null),
  'rollback recent': rollback(
    { ...tags, failingImage: 'ghcr.io/stefanprodan/podinfo:6.5.1' },
    { ageSeconds: 600, age: '10m' },
  ),
  'rollback unconfirmed': rollback(tags, { ageSeconds: 600 }),
  'rollback old release': {
    ...rollback(tags, { ageSeconds: 90000, age: '1d 1h' }),
    settings: { rollbackMaxReleaseAge: '2h' },
  },
  'rollback unknown age, low risk': rollback(tags, { ageSeconds: null }, 0.5),
  'rollback same tag': rollback({ ...tags, toTag: '6.5.1' }, { ageSeconds: 60 }),
  'rollback missing params': rollback({ container: 'podinfo', image: '' }, { ageSeconds: 60 }),
  'adopt rollouts': {
    action: { id: 'adopt-argo-rollouts', family: 'delivery', disruption: 1, params: { deployment: 'podinfo' } },
    change: { fields: [] },
  },
  'adopt rollouts on a Rollout': {
    action: { id: 'adopt-argo-rollouts', family: 'delivery', disruption: 1, params: {} },
    target: { kind: 'Rollout' },
    change: { fields: [field(c('image'))] },
    ...rollout({ controller: 'argo-rollouts', kind: 'Rollout', name: 'podinfo', source: 'overlay' }, 'Rollout'),
  },
  'revert harmful exact': revert({ outcome: 'harmful' }),
  'revert harmful automated': { ...revert({ outcome: 'harmful' }), settings: { revertOwnHarmful: 'automate' } },
  'revert not harmful, not inverse': revert({ outcome: 'effective' }, { fields: [field(c('image'))], objects: [] }),
  'unknown action': { action: { id: 'restart-pod', family: 'workload', params: {} } },
  'protected, locked, frozen': {
    namespace: { name: 'kube-system', labels: { 'salve.dev/safety-lock': 'true' } },
    time: { freeze: { active: true, name: 'black friday' } },
  },
  'frozen, unnamed': { time: { freeze: { active: true } } },
  'low risk, low confidence, wide interval': {
    incident: { risk: { score: 0.2, confidence: 0.5, interval: [0.1, 0.9] } },
  },
  'sensitive kind, single replica': {
    target: { kind: 'StatefulSet' },
    workload: { kind: 'StatefulSet', name: 'db', replicas: null, autoscaler: null, delivery: { controller: 'none' } },
  },
  'single replica, one pod': {
    workload: { kind: 'Deployment', name: 'podinfo', replicas: 1, autoscaler: null, delivery: { controller: 'none' } },
  },
  'autoscaler floor 1': {
    workload: {
      kind: 'Deployment',
      name: 'podinfo',
      replicas: 3,
      autoscaler: { name: 'podinfo', minReplicas: 1 },
      delivery: { controller: 'none' },
    },
  },
  'autoscaler without floor': {
    workload: {
      kind: 'Deployment',
      name: 'podinfo',
      replicas: 3,
      autoscaler: { name: 'podinfo', minReplicas: null },
      delivery: { controller: 'none' },
    },
  },
  'under a Rollout, no steps, SLO': {
    ...rollout({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'podinfo',
      source: 'overlay',
      strategy: 'canary',
    }),
    settings: { slos: [slo] },
  },
  'under a Rollout, no steps, no SLO': {
    ...rollout({ controller: 'argo-rollouts', kind: 'Rollout', name: 'podinfo', source: 'overlay' }),
    action: { disruption: 3 },
  },
  'Rollout target with own steps': {
    target: { kind: 'Rollout' },
    ...rollout(
      { controller: 'argo-rollouts', kind: 'Rollout', name: 'podinfo', source: 'overlay', steps: 3 },
      'Rollout',
    ),
  },
  'Rollout with background analysis': rollout({
    controller: 'argo-rollouts',
    kind: 'Rollout',
    name: 'podinfo',
    source: 'rollouts/podinfo.yaml',
    analysis: ['success-rate', 'latency'],
  }),
  'blue/green, manual promotion': rollout(
    {
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'podinfo',
      source: 'overlay',
      strategy: 'blueGreen',
      blueGreen: {
        activeService: 'podinfo',
        previewService: 'podinfo-preview',
        autoPromotionEnabled: false,
        prePromotionAnalysis: ['smoke'],
      },
    },
    'Deployment',
    1,
  ),
  'blue/green, timed promotion': rollout({
    controller: 'argo-rollouts',
    kind: 'Rollout',
    name: 'podinfo',
    source: 'overlay',
    strategy: 'blueGreen',
    blueGreen: { autoPromotionSeconds: 30, postPromotionAnalysis: ['after'] },
  }),
  'blue/green, defaults': rollout({
    controller: 'argo-rollouts',
    kind: 'Rollout',
    name: 'podinfo',
    source: 'overlay',
    strategy: 'blueGreen',
  }),
  'Flagger canary': rollout({ controller: 'flagger', kind: 'Canary', name: 'podinfo', source: 'flagger/canary.yaml' }),
  'carries an exposure it needs none of': {
    exposure: {
      plan: {
        strategy: 'canary',
        reason: 'r',
        scaleDown: 'progressively',
        steps: [{ weight: 25, pauseSeconds: 300, analysis: true }],
        analysis: null,
      },
      change: { fields: [], objects: [] },
      objects: [
        { op: 'add', apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'podinfo', specSha256: 'a'.repeat(64) },
      ],
    },
  },
  'trust earned': {
    settings: { trustEarn: { effective: 2, windowSeconds: 1209600 } },
    outcomes: [7, 9, 12].map((pull) => ({
      pull,
      action: 'raise-memory-limit',
      cluster: 'in-cluster',
      kind: 'effective' as const,
      decidedAt: '2025-03-01T00:00:00Z',
    })),
  },
  'trust lost': {
    settings: { trustEarn: { effective: 1, windowSeconds: 604800 } },
    outcomes: [
      {
        pull: 3,
        action: 'raise-memory-limit',
        cluster: 'in-cluster',
        kind: 'effective',
        decidedAt: '2025-03-01T00:00:00Z',
      },
      {
        pull: 5,
        action: 'raise-memory-limit',
        cluster: 'in-cluster',
        kind: 'harmful',
        decidedAt: '2025-03-02T00:00:00Z',
      },
    ],
  },
};

/** Where it runs: tiers, tier labels, hours, and trust rules in every glob form. */
const places: Record<string, Over> = {
  staging: {},
  'dev, default mode': { environment: { name: 'dev-eu', tier: 'dev' }, settings: { trust: [] } },
  production: {
    environment: { name: 'prod-eu-1', tier: 'production' },
    settings: {
      trust: [
        { environment: 'staging', action: '*', mode: 'automate' },
        { environment: 'prod*', action: 'raise-*-limit', mode: 'approve' },
        { environment: '*', action: 'rollback-image', mode: 'observe' },
      ],
    },
  },
  'production, out of hours': {
    environment: { name: 'prod', tier: 'production' },
    time: { businessHours: false, hour: 23, local: 'Tue 23:30 Europe/Berlin', businessWindow: 'Mon–Fri 08:00–18:00' },
    settings: { trust: [{ environment: '*-eu-*', action: '*', mode: 'automate' }], defaultMode: 'automate' },
  },
  'pci by label': {
    namespace: { labels: { 'salve.dev/tier': 'pci' } },
    time: { businessHours: false },
    settings: {
      trust: [
        { environment: 'st?ging', action: '*', mode: 'automate' },
        { environment: '[st]taging', action: '*', mode: 'observe' },
      ],
    },
  },
  'globs with classes, braces, escapes': {
    environment: { name: 'edge.dev-2', tier: 'dev' },
    settings: {
      trust: [
        { environment: '{prod,edge}*', action: 'raise-*', mode: 'observe' },
        { environment: 'edge\\.dev-[0-9]', action: '*', mode: 'automate' },
        { environment: '*.*', action: '*limit', mode: 'approve' },
        { environment: 'edge**2', action: '**', mode: 'approve' },
      ],
    },
  },
  'globs with stars only': {
    environment: { name: 'eu-prod-west', tier: 'staging' },
    settings: {
      trust: [
        { environment: '*prod', action: '*', mode: 'observe' },
        { environment: 'eu*prod*', action: '*-*-*', mode: 'approve' },
        { environment: '*prod*', action: 'rollback*', mode: 'automate' },
        { environment: 'eu-*-west', action: '*', mode: 'automate' },
      ],
    },
  },
};

/** Every scenario in every place, named `scenario @ place`. */
export function decisionCorpus(): { name: string; input: PolicyInput }[] {
  const out: { name: string; input: PolicyInput }[] = [];
  for (const [s, scenario] of Object.entries(scenarios)) {
    for (const [p, place] of Object.entries(places)) {
      out.push({ name: `${s} @ ${p}`, input: makeInput(merge(place, scenario) as Over) });
    }
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** One corpus decision, compact: allowed, mode, [id, effect, index into `messages`] per rule, index into `plans`. */
type Row = [boolean, string, [string, string, number][], number | null];

export interface CorpusDecisions {
  messages: string[];
  plans: ExposurePlan[];
  decisions: Record<string, Row>;
}

interface Deciders {
  decide(input: PolicyInput): PolicyDecision;
  plan(input: PolicyInput): ExposurePlan | null;
}

/**
 * The decision on every corpus input, and where policy plans a canary, the decision again on the
 * change that carries that plan (a takeover Rollout for an adoption, a patched one otherwise) and
 * on one that carries another plan.
 */
export function corpusDecisions({ decide, plan }: Deciders): CorpusDecisions {
  const messages: string[] = [];
  const plans: ExposurePlan[] = [];
  const indices = new Map<string, number>();
  const indexOf = <T>(list: T[], key: string, value: T): number => {
    let i = indices.get(key);
    if (i === undefined) {
      i = list.push(value) - 1;
      indices.set(key, i);
    }
    return i;
  };
  const decisions: Record<string, Row> = {};
  const row = (d: PolicyDecision, p: ExposurePlan | null): Row => [
    d.allowed,
    d.mode,
    d.rules.map((r) => [r.id, r.effect, indexOf(messages, `m${r.message}`, r.message)]),
    p === null ? null : indexOf(plans, `p${JSON.stringify(p)}`, p),
  ];
  for (const { name, input } of decisionCorpus()) {
    const planned = plan(input);
    decisions[name] = row(decide(input), planned);
    if (planned === null || input.exposure) continue;
    const op = input.action.id === 'adopt-argo-rollouts' ? 'add' : 'patch';
    const objects = [
      { op, apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'podinfo', specSha256: 'b'.repeat(64) },
    ] as const;
    const carried = (p: ExposurePlan) => ({
      ...input,
      exposure: { plan: p, change: { fields: [], objects: [] }, objects: [...objects] },
    });
    decisions[`${name}, with its plan`] = row(decide(carried(planned)), plan(carried(planned)));
    const other = { ...planned, steps: [{ weight: 50, pauseSeconds: 60, analysis: false }] };
    decisions[`${name}, with another plan`] = row(decide(carried(other)), plan(carried(other)));
  }
  return { messages, plans, decisions };
}
