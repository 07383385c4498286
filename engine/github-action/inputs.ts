/** The Action's inputs and the pull request it runs for, read from the environment Actions sets. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../model/errors.ts';

export type ActionEnv = Readonly<Record<string, string | undefined>>;

export interface ActionInputs {
  /** The checkout of the config repo (`GITHUB_WORKSPACE`), a git repository at its root. */
  workspace: string;
  /** Repo-relative directories of the repo's own policies; null means those `.salve.yaml` lists. */
  policies: string[] | null;
  coverageThreshold: number;
  /** PEM public keys given inline. */
  trustedKeyPems: string[];
  /** Repo-relative key files, read from the base commit. */
  trustedKeyFiles: string[];
  verify: boolean;
  testPolicies: boolean;
}

export interface PullRequestRef {
  number: number | null;
  baseSha: string;
  headSha: string;
}

/** `INPUT_<NAME>` as the runner sets it: spaces become underscores, letters upper case. */
export function input(env: ActionEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function booleanInput(env: ActionEnv, name: string, fallback: boolean): boolean {
  const value = input(env, name);
  if (value === '') return fallback;
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^(false|no|off)$/i.test(value)) return false;
  throw new InputError(`input ${name}: expected true or false, got "${value}"`);
}

function listInput(env: ActionEnv, name: string): string[] {
  return input(env, name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const PEM = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

export function readInputs(env: ActionEnv): ActionInputs {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace)
    throw new InputError('GITHUB_WORKSPACE is not set: run as a GitHub Action step after actions/checkout');
  const threshold = input(env, 'coverage-threshold') || '90';
  const coverageThreshold = Number(threshold);
  if (!Number.isFinite(coverageThreshold) || coverageThreshold < 0 || coverageThreshold > 100) {
    throw new InputError(`input coverage-threshold: expected a percentage from 0 to 100, got "${threshold}"`);
  }
  const keys = input(env, 'trusted-keys');
  const policies = listInput(env, 'policies');
  return {
    workspace: resolve(workspace),
    policies: policies.length > 0 ? policies : null,
    coverageThreshold,
    trustedKeyPems: keys.match(PEM) ?? [],
    trustedKeyFiles: keys
      .replace(PEM, '')
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean),
    verify: booleanInput(env, 'verify-remediations', true),
    testPolicies: booleanInput(env, 'test-policies', true),
  };
}

/** The pull request of a `pull_request` / `pull_request_target` event; null for any other event. */
export async function readPullRequest(env: ActionEnv): Promise<PullRequestRef | null> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return null;
  let event: { pull_request?: { number?: number; base?: { sha?: string }; head?: { sha?: string } } };
  try {
    event = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InputError(`GITHUB_EVENT_PATH ${path}: not a readable JSON event (${(err as Error).message})`);
  }
  const pr = event.pull_request;
  if (!pr) return null;
  const baseSha = pr.base?.sha;
  const headSha = pr.head?.sha;
  if (!baseSha || !headSha)
    throw new InputError(`${path}: pull_request.base.sha and pull_request.head.sha are required`);
  return { number: pr.number ?? null, baseSha, headSha };
}
