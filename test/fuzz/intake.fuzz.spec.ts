/**
 * Fuzz: Alertmanager payloads and Pod objects, in memory and as signal files. Every input either
 * becomes signals whose names are Kubernetes names, or is refused with an exit-2 error that names
 * the input and is safe to print. Nothing else: no crash, no stack trace.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeAlertmanager, intakeSignalFile, parsePod } from '../../engine/intake/index.ts';
import { isKubernetesName } from '../../engine/intake/names.ts';
import type { Signal } from '../../engine/model/index.ts';
import { alertmanagerPayload, aliasBomb, expectInputRejection, fuzzSeed, pod } from './arbitraries.ts';

const NOW = new Date('2025-06-12T10:00:00Z');
const cases = { alertmanager: 0, pods: 0, files: 0 };
/** Inputs that became signals: the generators reach past validation too. */
const accepted = { alertmanager: 0, pods: 0, files: 0 };

function expectNamesValid(signals: Signal[]): void {
  for (const s of signals) {
    expect(isKubernetesName(s.target.namespace, 'label'), s.target.namespace).toBe(true);
    expect(isKubernetesName(s.target.name, 'subdomain'), s.target.name).toBe(true);
    expect(isKubernetesName(s.target.kind, 'kind'), s.target.kind).toBe(true);
    if (s.container !== undefined) expect(isKubernetesName(s.container, 'label'), s.container).toBe(true);
  }
}

function outcome(kind: keyof typeof accepted, run: () => Signal[]): void {
  let signals: Signal[];
  try {
    signals = run();
  } catch (err) {
    expectInputRejection(err);
    return;
  }
  expectNamesValid(signals);
  if (signals.length > 0) accepted[kind]++;
}

describe('fuzz: intake', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-fuzz-intake-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    console.info(`fuzz intake cases: ${JSON.stringify(cases)}, became signals: ${JSON.stringify(accepted)}`);
  });

  it('Alertmanager payloads: signals with valid names, or a clean exit-2 refusal', () => {
    fc.assert(
      fc.property(alertmanagerPayload, fc.option(fc.constantFrom('production', 'bad\nname')), (payload, cluster) => {
        cases.alertmanager++;
        outcome(
          'alertmanager',
          () => intakeAlertmanager(payload, { source: 'fuzz.json', now: NOW, ...(cluster ? { cluster } : {}) }).signals,
        );
      }),
      { numRuns: 500, seed: fuzzSeed(1) },
    );
    expect(cases.alertmanager).toBe(500);
    expect(accepted.alertmanager).toBeGreaterThan(10);
  });

  it('Pod objects: signals with valid names, or a clean exit-2 refusal', () => {
    fc.assert(
      fc.property(pod, (p) => {
        cases.pods++;
        outcome('pods', () => parsePod(p, { cluster: 'production', source: 'pod.json', now: NOW }));
      }),
      { numRuns: 400, seed: fuzzSeed(2) },
    );
    expect(cases.pods).toBe(400);
    expect(accepted.pods).toBeGreaterThan(10);
  });

  it('signal files (JSON, YAML with aliases, garbage): the same, naming the file', async () => {
    const text = fc.oneof(
      alertmanagerPayload.map((p) => JSON.stringify(p)),
      pod.map((p) => JSON.stringify(p)),
      fc.constantFrom(`kind: Pod\nmetadata:\n${aliasBomb(8, '  ')}`, `version: "4"\nalerts:\n${aliasBomb(6, '  ')}`),
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(text, async (body) => {
        const n = ++cases.files;
        const file = join(dir, `signal-${n}.yaml`);
        await writeFile(file, body);
        try {
          const { signals } = await intakeSignalFile(file, { cluster: 'production', now: NOW });
          expectNamesValid(signals);
          if (signals.length > 0) accepted.files++;
        } catch (err) {
          expectInputRejection(err);
          expect((err as Error).message).toContain(file);
        }
      }),
      { numRuns: 150, seed: fuzzSeed(3) },
    );
    expect(cases.files).toBe(150);
  });
});
