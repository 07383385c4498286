/** `salve plan`: one or more signal files against a local config repo checkout. */
import { resolve } from 'node:path';
import { InputError } from '../model/errors.ts';
import { type Outcome, runPlan } from '../pipeline/run.ts';
import { loadSigningKey } from '../policy/index.ts';
import { loadSigningIdentity } from '../publish/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { parse, repoDirOf, required } from './args.ts';
import { type Env, PLAN_OPTIONS } from './commands.ts';

async function requireSigningKey(env: Env) {
  const key = await loadSigningKey({ env });
  if (!key) {
    throw new InputError('no proof signing key: set SALVE_SIGNING_KEY (ed25519 PKCS#8 PEM) or SALVE_SIGNING_KEY_FILE');
  }
  return key;
}

import { describeOutcome, NO_REMEDIATION, outcomeJson } from './output.ts';

export async function planCommand(args: string[], env: Env): Promise<number> {
  const values = parse('plan', args, PLAN_OPTIONS);
  const repoDir = repoDirOf(values.repo, process.cwd());
  const signalFiles = values.signal ?? [];
  if (signalFiles.length === 0) required('plan', 'signal', undefined);
  const log = createLogger({ level: env.SALVE_LOG_LEVEL ?? 'warn' });
  const outcomes = await runPlan({
    repoDir,
    signalFiles: signalFiles.map((f) => resolve(f)),
    ...(values.cluster ? { cluster: values.cluster } : {}),
    signingKey: await requireSigningKey(env),
    pgp: await loadSigningIdentity(env),
    now: new Date(),
    log,
  });
  printOutcomes(outcomes, values.json ?? false);
  return exitCodeFor(outcomes);
}

export function printOutcomes(outcomes: Outcome[], json: boolean): void {
  if (json) {
    const objects = outcomes.map(outcomeJson);
    const primary = objects[0] ?? { ...NO_REMEDIATION, outcome: 'none' };
    process.stdout.write(`${JSON.stringify({ ...primary, incidents: objects.length, results: objects }, null, 2)}\n`);
    return;
  }
  if (outcomes.length === 0) process.stdout.write('nothing to do: no firing signal needs an action\n');
  for (const o of outcomes) process.stdout.write(`${describeOutcome(o)}\n`);
}

export function exitCodeFor(outcomes: Outcome[]): number {
  return outcomes.some((o) => o.result.kind === 'denied') ? 3 : 0;
}
