/**
 * The two POST routes of `salve serve`. Each refuses what it can from the headers alone (no
 * credential, a declared body over the limit) before reading a body, and reads bodies through the
 * shared, bounded reader.
 */
import type { IncomingMessage } from 'node:http';
import { InputError } from '../model/index.ts';
import { type AlertmanagerPayload, readAlertmanagerBody } from './alertmanager.ts';
import type { ServeConfig } from './config.ts';
import type { BodyReader } from './http-limits.ts';
import { authenticateIntake, intakeCredential } from './intake-auth.ts';
import { repoNameProblem } from './repo-name.ts';
import type { WebhookResult } from './webhooks.ts';

export interface Reply {
  status: number;
  body: string;
  type?: string;
  headers?: Record<string, string>;
}

const INTAKE_RE = /^\/intake\/alertmanager(?:\/([^/]+)\/([^/]+))?\/?$/;

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const text = (status: number, body: string): Reply => ({ status, body: `${body}\n` });

export async function webhookRoute(
  req: IncomingMessage,
  bodies: BodyReader,
  onWebhook: (d: { id: string; name: string; signature: string; rawBody: string }) => Promise<WebhookResult>,
): Promise<Reply> {
  const signature = header(req, 'x-hub-signature-256') ?? '';
  const id = header(req, 'x-github-delivery') ?? '';
  const name = header(req, 'x-github-event') ?? '';
  // Unsigned requests are refused from their headers: their bodies are never read.
  const rawBody = signature ? await bodies.read(req, false) : '';
  const result = await onWebhook({ id, name, signature, rawBody });
  const status = { accepted: 202, duplicate: 200, unauthorized: 401, 'bad-request': 400 }[result];
  return text(status, result);
}

/** The intake path matched, or null when the path is not the intake's. */
export function matchIntake(rawUrl: string): RegExpExecArray | null {
  return INTAKE_RE.exec(rawUrl.split('?')[0] ?? '');
}

export async function intakeRoute(
  req: IncomingMessage,
  match: RegExpExecArray,
  config: ServeConfig,
  bodies: BodyReader,
  /** Stores the payload durably; the reply (202) is sent only after it resolved. */
  accept: (repo: string, payload: AlertmanagerPayload) => Promise<void>,
): Promise<Reply> {
  const secrets = { token: config.alertmanagerToken, hmacSecret: config.alertmanagerHmacSecret };
  const headers = { authorization: header(req, 'authorization'), signature: header(req, 'x-salve-signature') };
  const credential = intakeCredential(secrets, headers);
  if (!credential) return text(401, 'unauthorized');
  const repo = intakeRepo(req.url ?? '/', match, config);
  const rawBody = await bodies.read(req, credential === 'token');
  if (credential === 'signature' && !authenticateIntake(secrets, headers, rawBody)) return text(401, 'unauthorized');
  const payload = readAlertmanagerBody(rawBody);
  await accept(repo, payload);
  return {
    status: 202,
    body: JSON.stringify({ accepted: payload.alerts.length, repo }),
    type: 'application/json',
  };
}

function intakeRepo(rawUrl: string, match: RegExpExecArray, config: ServeConfig): string {
  const query = rawUrl.split('?', 2)[1] ?? '';
  const named = match[1] && match[2] ? `${match[1]}/${match[2]}` : new URLSearchParams(query).get('repo');
  const repo = named ?? config.repo;
  if (!repo) {
    throw new InputError('which repository? use /intake/alertmanager/<owner>/<repo>, ?repo=owner/name or SALVE_REPO');
  }
  const problem = repoNameProblem(repo);
  if (problem) throw new InputError(`repository ${JSON.stringify(repo.slice(0, 200))}: ${problem}`);
  return repo;
}
