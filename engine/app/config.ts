/**
 * `salve serve` configuration from environment and flags (flags win), validated once at start.
 * Errors name the variable or flag, never its value.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../model/index.ts';
import { repoNameProblem } from './repo-name.ts';

const RepoName = z.string().superRefine((name, ctx) => {
  const problem = repoNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const ServeConfig = z
  .object({
    appId: z.coerce.number().int().positive(),
    privateKey: z.string().regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'expected a PEM private key'),
    webhookSecret: z.string().min(16, 'must be at least 16 characters'),
    alertmanagerToken: z.string().min(16, 'must be at least 16 characters').optional(),
    alertmanagerHmacSecret: z.string().min(16, 'must be at least 16 characters').optional(),
    repo: RepoName.optional(),
    host: z.string().default('0.0.0.0'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    apiUrl: z.url().default('https://api.github.com'),
    /** Clone URL template; `{owner}` and `{repo}` are replaced. */
    gitUrl: z.string().default('https://github.com/{owner}/{repo}.git'),
    publish: z.enum(['api', 'git']).default('api'),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /** Watch the clusters below (pods, Warning events) as a second intake. Off unless asked for. */
    clusterIntake: z.enum(['on', 'off']).default('off'),
    kubeconfig: z.string().optional(),
    /** `name=context,...`: the clusters to read, named as `.salve.yaml` environments name them. */
    kubeContexts: z.string().optional(),
    /** A cluster name for the pod's own service account (salve running in the cluster it reads). */
    kubeInCluster: z.string().optional(),
    /** Namespaces to watch, comma-separated; all when unset. */
    /** Alertmanager's API (v2), where the follow-up reads which alerts about a workload still fire. */
    alertmanagerUrl: z.url().optional(),
    clusterNamespaces: z.string().optional(),
    /** Largest accepted request body, bytes. */
    maxBodyBytes: z.coerce
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024),
    /** Request bodies buffered at once (HMAC schemes must read a body before they can check it); beyond, 503. */
    maxConcurrentBodies: z.coerce.number().int().positive().default(8),
    /** Open connections; further ones are dropped. */
    maxConnections: z.coerce.number().int().positive().default(256),
    /** A client must send its request headers within this many milliseconds. */
    headersTimeoutMs: z.coerce.number().int().positive().default(10_000),
    /** ... and its whole request within this many. */
    requestTimeoutMs: z.coerce.number().int().positive().default(30_000),
    /** The embedded store's directory (journal, snapshot, lock); one process per directory. */
    stateDir: z.string().min(1).default('.salve-state'),
    /** `redis://…`: BullMQ over Redis instead of the embedded store, for several replicas. */
    queue: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'expected a redis:// or rediss:// URL')
      .optional(),
    /** On SIGTERM: how long running jobs may take to finish before they are handed back. */
    shutdownGraceMs: z.coerce.number().int().nonnegative().default(30_000),
    /** Workloads (owners) waiting per repository; a new one past it gets 503 and Retry-After. */
    queueMaxOwners: z.coerce.number().int().positive().default(1000),
    /** Distinct alerts kept per waiting workload. */
    queueMaxAlertsPerOwner: z.coerce.number().int().positive().default(200),
    /** First back-off after a failed run (doubles, at most 5 min; GitHub's Retry-After wins). */
    retryBaseMs: z.coerce.number().int().positive().default(5_000),
    /** How often the follow-up sweep reschedules repositories with waiting or pending work. */
    sweepEveryMs: z.coerce.number().int().positive().default(300_000),
    /** Redis: how long a replica's claim on a running job lasts without renewal (a killed replica's job moves on after it). */
    jobLockMs: z.coerce.number().int().min(1000).default(30_000),
  })
  .refine((c) => c.headersTimeoutMs <= c.requestTimeoutMs, {
    message: 'must not exceed the request timeout (SALVE_REQUEST_TIMEOUT_MS)',
    path: ['headersTimeoutMs'],
  })
  .refine((c) => c.alertmanagerToken !== undefined || c.alertmanagerHmacSecret !== undefined, {
    message: 'set SALVE_ALERTMANAGER_TOKEN or SALVE_ALERTMANAGER_HMAC_SECRET: the intake is never open',
    path: ['alertmanagerToken'],
  });
export type ServeConfig = z.infer<typeof ServeConfig>;

/** Field → [environment variable, flag]. */
const SOURCES: Record<string, [string, string]> = {
  appId: ['SALVE_APP_ID', '--app-id'],
  privateKey: ['SALVE_PRIVATE_KEY', '--private-key'],
  webhookSecret: ['SALVE_WEBHOOK_SECRET', '--webhook-secret'],
  alertmanagerToken: ['SALVE_ALERTMANAGER_TOKEN', '--alertmanager-token'],
  alertmanagerHmacSecret: ['SALVE_ALERTMANAGER_HMAC_SECRET', '--alertmanager-hmac-secret'],
  repo: ['SALVE_REPO', '--repo'],
  host: ['SALVE_HOST', '--host'],
  port: ['SALVE_PORT', '--port'],
  apiUrl: ['SALVE_GITHUB_API_URL', '--github-api-url'],
  gitUrl: ['SALVE_GIT_URL', '--git-url'],
  publish: ['SALVE_PUBLISH', '--publish'],
  logLevel: ['SALVE_LOG_LEVEL', '--log-level'],
  maxBodyBytes: ['SALVE_MAX_BODY_BYTES', '--max-body-bytes'],
  clusterIntake: ['SALVE_CLUSTER_INTAKE', '--cluster-intake'],
  kubeconfig: ['SALVE_KUBECONFIG', '--kubeconfig'],
  kubeContexts: ['SALVE_KUBE_CONTEXTS', '--kube-contexts'],
  kubeInCluster: ['SALVE_KUBE_IN_CLUSTER', '--kube-in-cluster'],
  clusterNamespaces: ['SALVE_CLUSTER_NAMESPACES', '--cluster-namespaces'],
  alertmanagerUrl: ['SALVE_ALERTMANAGER_URL', '--alertmanager-url'],
  maxConcurrentBodies: ['SALVE_MAX_CONCURRENT_BODIES', '--max-concurrent-bodies'],
  maxConnections: ['SALVE_MAX_CONNECTIONS', '--max-connections'],
  headersTimeoutMs: ['SALVE_HEADERS_TIMEOUT_MS', '--headers-timeout-ms'],
  requestTimeoutMs: ['SALVE_REQUEST_TIMEOUT_MS', '--request-timeout-ms'],
  stateDir: ['SALVE_STATE_DIR', '--state-dir'],
  queue: ['SALVE_REDIS_URL', '--queue'],
  shutdownGraceMs: ['SALVE_SHUTDOWN_GRACE_MS', '--shutdown-grace-ms'],
  queueMaxOwners: ['SALVE_QUEUE_MAX_OWNERS', '--queue-max-owners'],
  queueMaxAlertsPerOwner: ['SALVE_QUEUE_MAX_ALERTS_PER_OWNER', '--queue-max-alerts-per-owner'],
  retryBaseMs: ['SALVE_RETRY_BASE_MS', '--retry-base-ms'],
  sweepEveryMs: ['SALVE_SWEEP_EVERY_MS', '--sweep-every-ms'],
  jobLockMs: ['SALVE_JOB_LOCK_MS', '--job-lock-ms'],
};

export function loadServeConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServeConfig {
  const flags = parseFlags(argv);
  const raw: Record<string, string | undefined> = {};
  for (const [field, [name, flag]] of Object.entries(SOURCES)) raw[field] = flags.get(flag) ?? env[name];
  // kubectl's own variable, when salve's is not set.
  raw.kubeconfig ??= env.KUBECONFIG;
  const keyFile = flags.get('--private-key-file') ?? env.SALVE_PRIVATE_KEY_FILE;
  if (raw.privateKey === undefined && keyFile !== undefined) {
    try {
      raw.privateKey = readFileSync(keyFile, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `cannot read the private key file named by SALVE_PRIVATE_KEY_FILE/--private-key-file: ${keyFile}`,
        { cause: err },
      );
    }
  }
  const parsed = ServeConfig.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const field = String(i.path[0] ?? '');
      const [name, flag] = SOURCES[field] ?? [field, ''];
      // zod messages for strings never echo the input; keep it that way for secrets.
      return `${name}${flag ? ` (${flag})` : ''}: ${i.code === 'invalid_type' ? 'required' : i.message}`;
    });
    throw new ConfigError(`salve serve: invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new ConfigError(`salve serve: unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(0, eq), arg.slice(eq + 1));
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new ConfigError(`salve serve: flag ${arg} needs a value`);
      flags.set(arg, value);
      i++;
    }
  }
  const known = new Set([...Object.values(SOURCES).map(([, f]) => f), '--private-key-file']);
  for (const flag of flags.keys()) if (!known.has(flag)) throw new ConfigError(`salve serve: unknown flag ${flag}`);
  return flags;
}
