/** `salve serve`: configuration, logger, server, and a clean stop on SIGINT/SIGTERM. */
import { ConfigError } from '../model/index.ts';
import { ENGINE_VERSION } from '../pipeline/assets.ts';
import { loadSigningIdentity } from '../publish/pgp.ts';
import { createLogger } from '../telemetry/logger.ts';
import { startTelemetry } from '../telemetry/otel.ts';
import { type ClusterWiring, startClusterWiring } from './cluster-intake.ts';
import { loadServeConfig } from './config.ts';
import { gitCommitWriter } from './git-publish.ts';
import { createServer, type SalveServer, type ServerDeps } from './server.ts';
import type { Logger, Planner } from './types.ts';

export interface ServeOptions extends Partial<Omit<ServerDeps, 'planner'>> {
  /** The pipeline; the CLI passes it in, or a function that builds it with the server's logger and cluster feed. */
  planner?: Planner | ((logger: Logger, cluster: ClusterWiring | null) => Planner);
  /** Stop on these signals (default SIGINT, SIGTERM); [] leaves signals alone. */
  signals?: NodeJS.Signals[];
}

export async function serveCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: ServeOptions = {},
): Promise<SalveServer> {
  const config = loadServeConfig(argv, env);
  if (!options.planner)
    throw new ConfigError('salve serve: no planner was wired in (engine/app serveCommand options.planner)');
  const logger: Logger = options.logger ?? createLogger({ level: config.logLevel, name: 'salve-serve' });
  let gitWriter = options.gitWriter;
  if (config.publish === 'git' && !gitWriter) {
    // Signed commits pushed over git: SALVE_GPG_PRIVATE_KEY(_FILE), SALVE_GPG_PASSPHRASE, SALVE_GIT_AUTHOR_NAME/EMAIL.
    const signing = await loadSigningIdentity({ ...env });
    const author = {
      name: env.SALVE_GIT_AUTHOR_NAME ?? 'salve',
      email: env.SALVE_GIT_AUTHOR_EMAIL ?? 'salve@users.noreply.github.com',
    };
    gitWriter = gitCommitWriter({ author, signing, clock: options.clock ?? { now: () => new Date() } });
  }
  // Off by default; when on, the clusters are proven read-only and watched before the server listens.
  const cluster = options.cluster ?? (await startClusterWiring(config, logger));
  const planner = typeof options.planner === 'function' ? options.planner(logger, cluster) : options.planner;
  // OpenTelemetry is off unless the standard OTEL_* variables ask for an exporter.
  const otel = options.telemetry ? null : startTelemetry(env, ENGINE_VERSION);
  if (otel?.tracer) logger.info({ exporter: env.OTEL_TRACES_EXPORTER ?? 'otlp' }, 'OpenTelemetry export on');
  const created = createServer(config, {
    ...options,
    planner,
    logger,
    ...(otel ? { telemetry: otel } : {}),
    ...(gitWriter ? { gitWriter } : {}),
    ...(cluster ? { cluster } : {}),
  });
  const server: SalveServer = {
    ...created,
    close: (graceMs?: number) =>
      created.close(graceMs).finally(async () => {
        cluster?.feed.stop();
        await otel?.shutdown().catch((err: unknown) => logger.warn({ err }, 'telemetry did not flush'));
      }),
  };
  await server.listen().catch(async (err: unknown) => {
    await server.close();
    throw err;
  });
  for (const signal of options.signals ?? ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping');
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  return server;
}
