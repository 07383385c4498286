/** `salve serve`: the GitHub App, with the real pipeline as its planner. */
import { serveCommand } from '../app/index.ts';
import { InputError } from '../model/errors.ts';
import { createPlanner } from '../pipeline/planner.ts';
import { loadSigningKey } from '../policy/index.ts';

export async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const signingKey = await loadSigningKey({ env });
  if (!signingKey)
    throw new InputError('salve serve: no proof signing key: set SALVE_SIGNING_KEY or SALVE_SIGNING_KEY_FILE');
  // The server owns the logger (its level comes from --log-level or SALVE_LOG_LEVEL); the planner shares it.
  await serveCommand(args, env, {
    planner: (log, cluster) => createPlanner({ signingKey, log, ...(cluster ? { cluster } : {}) }),
  });
  // The server runs until SIGINT/SIGTERM; serveCommand's handlers close it and exit.
  return new Promise<number>(() => {});
}
