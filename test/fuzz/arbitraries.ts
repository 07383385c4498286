/**
 * Generators of hostile input for the fuzz suites: names that climb directories, carry terminal
 * escapes or bidi overrides, shadow prototype keys or run to megabytes; Alertmanager payloads, Pods
 * and `.salve.yaml` documents built from them; YAML with aliases.
 */
import fc from 'fast-check';
import { InputError, SalveError } from '../../engine/model/errors.ts';

/** Seeds are fixed so CI is reproducible; FUZZ_SEED explores further. */
export function fuzzSeed(offset: number): number {
  const env = Number(process.env.FUZZ_SEED);
  return Number.isFinite(env) && process.env.FUZZ_SEED ? env + offset : 20_251_129 + offset;
}

export const HOSTILE_STRINGS = [
  'x/../../../../victim/ESCAPED',
  '../outside',
  '..',
  '.',
  '',
  '/etc/passwd',
  '/proc/self/environ',
  'Checkout',
  'web\u001b[2J\u001b[31m',
  'a\u202eb',
  'line\nsalve: ok',
  'cr\rx',
  'constructor',
  '__proto__',
  'toString',
  '$(touch pwned)',
  '{{lookup . "x"}}',
  '%2e%2e%2fetc',
  'a'.repeat(300),
  `${'-'.repeat(20_000)}x`,
  'nul\u0000byte',
  'web-7d9f8b6c5d-x2x7k',
  'checkout',
  'production',
  'staging',
];

const kubeName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);

export const nameish: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: kubeName },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

const LABEL_KEYS = [
  'alertname',
  'namespace',
  'pod',
  'container',
  'deployment',
  'statefulset',
  'daemonset',
  'horizontalpodautoscaler',
  'cluster',
  'reason',
  'severity',
];
const ALERT_NAMES = [
  'KubeContainerOOMKilled',
  'KubePodCrashLooping',
  'KubeContainerWaiting',
  'KubePodNotReady',
  'CPUThrottlingHigh',
  'KubeHpaMaxedOut',
];

/** A realistic label set, then zero to two labels replaced or added with hostile values. */
const labels = fc
  .tuple(
    fc.record({
      alertname: fc.constantFrom(...ALERT_NAMES),
      reason: fc.constantFrom('OOMKilled', 'CrashLoopBackOff', 'ImagePullBackOff'),
      namespace: kubeName,
      pod: kubeName.map((n) => `${n}-7d9f8b6c5d-x2x7k`),
      container: kubeName,
      horizontalpodautoscaler: kubeName,
      cluster: fc.constantFrom('production', 'staging'),
    }),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...LABEL_KEYS), fc.string({ maxLength: 12 })), nameish), {
      maxLength: 2,
    }),
  )
  .map(([base, changes]) => ({ ...base, ...Object.fromEntries(changes) }) as Record<string, string>);

const timestamp = fc.oneof(
  fc.constantFrom('2025-06-12T09:30:00Z', '0001-01-01T00:00:00Z', '2999-01-01T00:00:00Z', 'yesterday'),
  fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
);

export const alertmanagerAlert = fc.record(
  {
    status: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('firing', 'resolved') },
      { weight: 1, arbitrary: nameish },
    ),
    labels,
    annotations: fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(nameish, fc.string({ maxLength: 2000 })), {
      maxKeys: 3,
    }),
    startsAt: timestamp,
    endsAt: timestamp,
    generatorURL: nameish,
    fingerprint: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), nameish),
  },
  { requiredKeys: ['status', 'labels', 'startsAt', 'fingerprint'] },
);

export const alertmanagerPayload: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        version: fc.oneof(
          { weight: 12, arbitrary: fc.constant('4') },
          { weight: 1, arbitrary: fc.constantFrom('3', 4) },
        ),
        groupKey: fc.string({ maxLength: 20 }),
        truncatedAlerts: fc.oneof({ weight: 12, arbitrary: fc.nat(5) }, { weight: 1, arbitrary: fc.constant(-1) }),
        status: fc.constantFrom('firing', 'resolved'),
        receiver: fc.constant('salve'),
        groupLabels: fc.constant({}),
        commonLabels: fc.constant({}),
        commonAnnotations: fc.constant({}),
        externalURL: fc.constant('http://alertmanager:9093'),
        alerts: fc.array(alertmanagerAlert, { minLength: 1, maxLength: 3 }),
      },
      {
        requiredKeys: [
          'version',
          'groupKey',
          'status',
          'receiver',
          'groupLabels',
          'commonLabels',
          'externalURL',
          'alerts',
        ],
      },
    ),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);

/** A value that is usually a valid name, sometimes hostile. */
const mostlyName = fc.oneof({ weight: 6, arbitrary: kubeName }, { weight: 1, arbitrary: nameish });

const containerStatus = fc.record({
  name: mostlyName,
  ready: fc.boolean(),
  restartCount: fc.oneof(fc.nat(50), fc.constant(-1)),
  image: nameish,
  state: fc.constantFrom(
    { waiting: { reason: 'CrashLoopBackOff' } },
    { waiting: { reason: 'ImagePullBackOff', message: 'x'.repeat(1000) } },
    { terminated: { reason: 'OOMKilled', exitCode: 137 } },
    { running: { startedAt: '2025-06-12T09:00:00Z' } },
    {},
  ),
  lastState: fc.constantFrom({}, { terminated: { reason: 'OOMKilled', exitCode: 137 } }),
});

export const pod: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      apiVersion: fc.constantFrom('v1', 'v1', 'v1', 'v2'),
      kind: fc.constant('Pod'),
      metadata: fc.record(
        {
          name: mostlyName.map((n) => `${n}-0`),
          namespace: mostlyName,
          uid: fc.uuid(),
          labels: fc.dictionary(fc.constantFrom('pod-template-hash', 'app', 'rollouts-pod-template-hash'), nameish, {
            maxKeys: 2,
          }),
          ownerReferences: fc.array(
            fc.record({
              kind: fc.oneof(
                { weight: 4, arbitrary: fc.constantFrom('ReplicaSet', 'StatefulSet', 'Job', 'DaemonSet') },
                { weight: 1, arbitrary: nameish },
              ),
              name: mostlyName,
              controller: fc.boolean(),
            }),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: ['name', 'namespace'] },
      ),
      status: fc.record({
        phase: fc.constantFrom('Running', 'Pending'),
        containerStatuses: fc.array(containerStatus, { minLength: 1, maxLength: 3 }),
        initContainerStatuses: fc.array(containerStatus, { maxLength: 1 }),
        conditions: fc.constant([]),
      }),
    }),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);

/** A YAML mapping whose values alias each other `levels` deep, 9 wide: 9^levels strings. */
export function aliasBomb(levels: number, indent = ''): string {
  const lines = [`${indent}a0: &a0 [${Array(9).fill('lol').join(', ')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `${indent}a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: what an error message must never carry
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The one acceptable failure: a SalveError for bad input (exit 2), its message safe to print. */
export function expectInputRejection(err: unknown, allowedExit: readonly number[] = [2]): void {
  if (!(err instanceof SalveError)) {
    throw new Error(`crash: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  if (!allowedExit.includes(err.exitCode)) throw new Error(`exit ${err.exitCode} (${err.code}): ${err.message}`);
  if (UNSAFE.test(err.message)) throw new Error(`unsafe characters in: ${JSON.stringify(err.message)}`);
  if (err.message.length > 20_000) throw new Error(`a ${err.message.length}-character error message`);
}

export { InputError };
