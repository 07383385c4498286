/** `salve plan`: one or more signal files against a local config repo checkout. */
import { resolve } from 'node:path';
import { InputError } from '../model/errors.ts';
import { type Outcome, type PlanRun, planSignals } from '../pipeline/run.ts';
import { loadSigningKey } from '../policy/index.ts';
import { loadSigningIdentity } from '../publish/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { parse, required } from './args.ts';

async function requireSigningKey(env: NodeJS.ProcessEnv) {
  const key = await loadSigningKey({ env });
  if (!key) {
    throw new InputError('no proof signing key: set SALVE_SIGNING_KEY (ed25519 PKCS#8 PEM) or SALVE_SIGNING_KEY_FILE');
  }
  return key;
}

import { describeOutcome, describeSkipped, NO_REMEDIATION, outcomeJson, skippedJson } from './output.ts';

export async function planCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = parse('plan', args, {
    repo: { type: 'string' },
    signal: { type: 'string', multiple: true },
    cluster: { type: 'string' },
    json: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
  });
  const repoDir = resolve(required('plan', 'repo', values.repo));
  const signalFiles = values.signal ?? [];
  if (signalFiles.length === 0) required('plan', 'signal', undefined);
  const log = createLogger({ level: values['log-level'] });
  const run = await planSignals({
    repoDir,
    signalFiles: signalFiles.map((f) => resolve(f)),
    ...(values.cluster ? { cluster: values.cluster } : {}),
    signingKey: await requireSigningKey(env),
    pgp: await loadSigningIdentity(env),
    now: new Date(),
    log,
  });
  printOutcomes(run, values.json ?? false);
  return exitCodeFor(run.outcomes);
}

export function printOutcomes({ outcomes, skipped }: PlanRun, json: boolean): void {
  if (json) {
    const objects = outcomes.map(outcomeJson);
    const primary = objects[0] ?? { ...NO_REMEDIATION, outcome: 'none' };
    const all = { ...primary, incidents: objects.length, results: objects, skipped: skipped.map(skippedJson) };
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return;
  }
  // What was left out comes first: an alert salve could not read is the likeliest surprise.
  for (const line of describeSkipped(skipped)) process.stdout.write(`${line}\n`);
  if (outcomes.length === 0) {
    const note = skipped.length > 0 ? ` (${skipped.length} alert(s) skipped, above)` : '';
    process.stdout.write(`nothing to do: no firing signal needs an action${note}\n`);
  }
  for (const o of outcomes) process.stdout.write(`${describeOutcome(o)}\n`);
}

export function exitCodeFor(outcomes: Outcome[]): number {
  return outcomes.some((o) => o.result.kind === 'denied') ? 3 : 0;
}
