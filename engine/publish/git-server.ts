/** Starts a local smart-HTTP git server (in its own process) and prepares bare remotes for it. */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import git from 'isomorphic-git';
import { PublishError } from '../model/index.ts';
import { gitDirOf } from './git-dir.ts';

export interface GitServer {
  /** The clone URL of `<root>/<repoName>` (a path relative to root, e.g. `config.git`). */
  url(repoName: string): string;
  close(): Promise<void>;
}

/** The server's own entry: beside this module in the compiled CLI (lib/), through tsx from source. */
const COMPILED = import.meta.url.endsWith('.js');
const MAIN = fileURLToPath(new URL(COMPILED ? './git-server-main.js' : './git-server-main.ts', import.meta.url));

export async function startGitServer(root: string): Promise<GitServer> {
  const args = COMPILED ? [MAIN, root] : ['--import', 'tsx', MAIN, root];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new PublishError('git server did not start within 15 s')), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolvePort((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new PublishError(`git server exited with code ${code} before listening: ${stderr.trim()}`));
    });
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    url: (repoName) => `http://127.0.0.1:${port}/${repoName.replace(/^\/+/, '')}`,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `git init --bare <bareDir>` and sets `remote` (default origin) of the work repo to `url` (usually
 * `server.url(repoPath(root, bareDir))`). With `seed`, the work repo's branches are copied to the bare
 * repo first (git CLI over the file system), as a freshly created remote would hold them. The bare
 * repo's HEAD names the work repo's current branch.
 * Credentials never go in the URL: pass headers to the push instead.
 */
export async function createBareRemote(
  workDir: string,
  bareDir: string,
  url: string,
  opts: { remote?: string; seed?: boolean } = {},
): Promise<void> {
  const remote = opts.remote ?? 'origin';
  if (/\/\/[^/]*@/.test(url))
    throw new PublishError(`remote URL for ${remote} must not carry credentials; use headers`);
  const gitdir = await gitDirOf(workDir);
  const branch = (await git.currentBranch({ fs, gitdir, test: true })) || 'main';
  await run(['init', '--bare', '--quiet', `--initial-branch=${branch}`, bareDir]);
  if (opts.seed) await run([`--git-dir=${gitdir}`, 'push', '--quiet', bareDir, 'refs/heads/*:refs/heads/*']);
  await git.addRemote({ fs, gitdir, remote, url, force: true });
}

/** The path of a bare repo relative to the server root, for `url()`. */
export function repoPath(root: string, bareDir: string): string {
  const rel = relative(root, bareDir).split(sep).join('/');
  if (!rel || rel.startsWith('..')) throw new PublishError(`${bareDir} is not inside the git server root ${root}`);
  return rel;
}

async function run(args: string[]): Promise<void> {
  try {
    await promisify(execFile)('git', args);
  } catch (err) {
    throw new PublishError(`git ${args.join(' ')} failed: ${(err as Error).message}`);
  }
}
