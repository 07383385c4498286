/** What a run does with a plan's result: a signed branch, a record of an observation, or nothing. */
import { ConfigError } from '../model/errors.ts';
import type { PlanResult } from '../model/remediation.ts';
import { publishLocal, recordObservation } from '../publish/index.ts';
import type { PipelineContext } from './context.ts';
import type { RunOptions } from './run.ts';

export interface PgpIdentity {
  armoredPrivateKey: string;
  passphrase?: string;
}

export interface Signer {
  pgp: PgpIdentity;
  author: { name: string; email: string };
}

export interface Outcome {
  result: PlanResult;
  branch: string | null;
  commit: string | null;
  pushed: boolean;
  unchanged: boolean;
  /** Why the branch was left alone (a commit salve did not make), or null. */
  frozen: string | null;
  observation: string | null;
}

/** `make` run on the first call only; a failure is reported to whoever awaits it, never unhandled. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    if (!made) {
      made = make();
      made.catch(() => {});
    }
    return made;
  };
}

/** Writes what `result` asks for (nothing in a dry run); the signing identity is awaited first. */
export async function deliver(
  result: PlanResult,
  ctx: PipelineContext,
  opts: RunOptions,
  signer: (() => Promise<Signer>) | undefined,
): Promise<Outcome> {
  const empty = { branch: null, commit: null, pushed: false, unchanged: false, frozen: null, observation: null };
  if (opts.dryRun) return { result, ...empty };
  // A bad signing key fails the run before it writes anything, whatever it would write.
  const { pgp, author } = signer ? await signer() : opts;
  if (result.kind === 'observe') {
    const path = await recordObservation(ctx.repoDir, {
      id: result.remediation.id,
      explanation: result.explanation,
      decision: result.remediation.decision,
    });
    return { result, ...empty, observation: path };
  }
  if (result.kind !== 'publish') return { result, ...empty };
  if (!pgp) throw new ConfigError('no commit signing key: set SALVE_GPG_PRIVATE_KEY or SALVE_GPG_PRIVATE_KEY_FILE');
  const published = await publishLocal(result.request, {
    dir: ctx.repoDir,
    author: author ?? { name: 'salve', email: 'salve@localhost' },
    signing: pgp,
    ...(opts.remote ? { remote: opts.remote } : {}),
    ...(opts.push === false ? { push: false } : {}),
    ...(opts.pushHeaders ? { headers: opts.pushHeaders } : {}),
    now: opts.now,
  });
  return { result, ...published, observation: null };
}
