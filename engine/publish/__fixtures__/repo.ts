/** Test helpers: real git repos in temp dirs, made with the git CLI. */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PublishRequest } from '../../model/remediation.ts';

export const PODINFO = new URL('../../../../shared/testbeds/podinfo/', import.meta.url).pathname;

const exec = promisify(execFile);

export async function gitCli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await exec('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
      ...env,
    },
  });
  return stdout.trim();
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `salve-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A checkout of the podinfo testbed with one commit on main; returns that commit. */
export async function podinfoRepo(dir: string): Promise<string> {
  await cp(PODINFO, dir, { recursive: true, filter: (src) => !src.split('/').includes('.git') });
  await exec('chmod', ['-R', 'u+w', dir]);
  await gitCli(dir, ['init', '--quiet', '--initial-branch=main']);
  await gitCli(dir, ['add', '-A']);
  await gitCli(dir, ['commit', '--quiet', '--no-gpg-sign', '-m', 'podinfo testbed']);
  return gitCli(dir, ['rev-parse', 'HEAD']);
}

export function request(baseCommit: string, overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    id: '3f9a1c2b7d4e-raise-memory-limit',
    branch: 'salve/3f9a1c2b7d4e-raise-memory-limit',
    baseCommit,
    baseBranch: 'main',
    files: [],
    commitMessage:
      'salve: raise memory limit of production/backend to 384Mi\n\nSalve-Remediation: 3f9a1c2b7d4e-raise-memory-limit\n',
    pr: { title: 't', body: 'b', labels: ['salve'] },
    metadata: {
      version: 1,
      id: '3f9a1c2b7d4e-raise-memory-limit',
      fingerprint: '3f9a1c2b7d4e',
      action: 'raise-memory-limit',
      mode: 'approve',
      target: { cluster: 'prod', namespace: 'production', kind: 'Deployment', name: 'backend' },
      overlay: 'deploy/overlays/production',
      baseCommit,
      proofDigest: 'sha256:00',
      occurrences: 3,
      lastSeen: '2025-03-04T10:00:00Z',
    },
    ...overrides,
  };
}
