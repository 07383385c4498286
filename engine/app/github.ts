/**
 * Octokit clients for the App: as the App (JWT) and per installation (tokens from
 * @octokit/auth-app, cached and renewed before they expire), with retry and throttling.
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { redact } from '../model/index.ts';
import type { Logger, RepoRef } from './types.ts';

export const SalveOctokit = Octokit.plugin(retry, throttling);
export type SalveOctokit = InstanceType<typeof SalveOctokit>;

export interface AppCredentials {
  appId: number;
  privateKey: string;
}

export interface ClientOptions {
  baseUrl: string;
  log: Logger;
  /** Retries of 5xx and network errors (default 3). */
  retries?: number;
  /** Milliseconds per second of back-off and Retry-After (default 1000; tests shrink it). */
  retryAfterBaseValue?: number;
  /** Retries after a primary or secondary rate limit (default 2). */
  rateLimitRetries?: number;
  /** false turns the write throttle off (tests that do not test it). */
  throttle?: boolean;
}

function octokitOptions(opts: ClientOptions) {
  const base = opts.retryAfterBaseValue ?? 1000;
  const rateLimitRetries = opts.rateLimitRetries ?? 2;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
      opts.log.warn({ kind, retryAfter, method: options.method, url: options.url, retryCount }, 'GitHub rate limit');
      return retryCount < rateLimitRetries;
    };
  const say = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string) =>
    opts.log[level]({ source: 'octokit' }, redact(String(msg)));
  return {
    baseUrl: opts.baseUrl,
    userAgent: 'salve',
    log: { debug: say('debug'), info: say('debug'), warn: say('warn'), error: say('error') },
    retry: { retries: opts.retries ?? 3, retryAfterBaseValue: base },
    throttle: {
      enabled: opts.throttle ?? true,
      retryAfterBaseValue: base,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
  };
}

export function appClient(creds: AppCredentials, opts: ClientOptions): SalveOctokit {
  return new SalveOctokit({ ...octokitOptions(opts), authStrategy: createAppAuth, auth: { ...creds } });
}

export function installationClient(creds: AppCredentials, installationId: number, opts: ClientOptions): SalveOctokit {
  return new SalveOctokit({
    ...octokitOptions(opts),
    authStrategy: createAppAuth,
    auth: { ...creds, installationId },
  });
}

/** An installation token (cached by auth-app until shortly before it expires). */
export async function installationToken(client: SalveOctokit): Promise<string> {
  const auth = (await client.auth({ type: 'installation' })) as { token: string };
  return auth.token;
}

/**
 * Installation lookup per repository, cached; `forget` on installation webhooks.
 */
export class Installations {
  private readonly ids = new Map<string, number>();
  private readonly clients = new Map<number, SalveOctokit>();

  constructor(
    private readonly app: SalveOctokit,
    private readonly creds: AppCredentials,
    private readonly opts: ClientOptions,
  ) {}

  async clientFor(repo: RepoRef): Promise<SalveOctokit> {
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    let id = this.ids.get(key);
    if (id === undefined) {
      const { data } = await this.app.rest.apps.getRepoInstallation({ owner: repo.owner, repo: repo.repo });
      id = data.id;
      this.ids.set(key, id);
    }
    let client = this.clients.get(id);
    if (!client) {
      client = installationClient(this.creds, id, this.opts);
      this.clients.set(id, client);
    }
    return client;
  }

  forget(installationId: number): void {
    this.clients.delete(installationId);
    for (const [k, v] of this.ids) if (v === installationId) this.ids.delete(k);
  }
}
