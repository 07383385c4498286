/** `salve serve`: the GitHub App, with the real pipeline as its planner. */
import { serveCommand } from '../app/index.ts';
import { memoryOutcomeStore } from '../followup/outcomes.ts';
import { InputError } from '../model/errors.ts';
import { createPlanner } from '../pipeline/planner.ts';
import { loadSigningKey } from '../policy/index.ts';

export async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const signingKey = await loadSigningKey({ env });
  if (!signingKey)
    throw new InputError('salve serve: no proof signing key: set SALVE_SIGNING_KEY or SALVE_SIGNING_KEY_FILE');
  // The follow-up's outcomes (rebuilt from GitHub on start) are what the planner's trust rules read.
  const outcomes = memoryOutcomeStore();
  // The server owns the logger (its level comes from --log-level or SALVE_LOG_LEVEL); the planner shares it.
  await serveCommand(args, env, {
    planner: (log, cluster) =>
      createPlanner({ signingKey, log, outcomes: (repo) => outcomes.list(repo), ...(cluster ? { cluster } : {}) }),
    outcomes,
    signingKey,
  });
  // The server runs until SIGINT/SIGTERM; serveCommand's handlers close it and exit.
  return new Promise<number>(() => {});
}
