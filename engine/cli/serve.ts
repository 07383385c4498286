/** `salve serve`: the GitHub App, with the real pipeline as its planner. */
import { serveCommand } from '../app/index.ts';
import { InputError } from '../model/errors.ts';
import { createPlanner } from '../pipeline/planner.ts';
import { loadSigningKey } from '../policy/index.ts';
import { createLogger } from '../telemetry/logger.ts';

export async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const signingKey = await loadSigningKey({ env });
  if (!signingKey)
    throw new InputError('salve serve: no proof signing key: set SALVE_SIGNING_KEY or SALVE_SIGNING_KEY_FILE');
  const log = createLogger({ level: env.SALVE_LOG_LEVEL ?? 'info', name: 'salve-serve' });
  const server = await serveCommand(args, env, { planner: createPlanner({ signingKey, log }), logger: log });
  log.info({ metrics: Boolean(server.metrics) }, 'serving');
  // The server runs until SIGINT/SIGTERM; serveCommand's handlers close it and exit.
  return new Promise<number>(() => {});
}
