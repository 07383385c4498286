/**
 * A hostile config repo for end-to-end tests: the example repo as a git repo with history, edits and
 * symbolic links committed with the real git CLI, `salve` run as a user runs it, and the file system
 * around the repo listed before and after to prove nothing was written outside it.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createDemoWorld, type DemoWorld } from '../../engine/demo/setup.ts';
import { privateKeyPem } from '../../engine/policy/index.ts';

const run = promisify(execFile);
const MAIN = resolve(import.meta.dirname, '../../engine/cli/main.ts');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HostileWorld {
  world: DemoWorld;
  /** The repo's working tree. */
  repo: string;
  /** TMPDIR of every salve process: inside the watched tree, so scratch copies are watched too. */
  tmp: string;
  /** Environment with both signing keys. */
  keys: Record<string, string>;
  /** Writes files and symbolic links in the working tree and commits them with git. */
  commit(message: string, files?: Record<string, string>, links?: Record<string, string>): Promise<string>;
  git(...args: string[]): Promise<string>;
  salve(args: string[], env?: Record<string, string>): Promise<Run>;
  /** Every path under the world's root (the repo's .git and tsx's cache aside), with type and size. */
  listing(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

async function walk(root: string, rel: string, skip: (rel: string) => boolean, out: Map<string, string>) {
  let entries: string[];
  try {
    entries = await readdir(join(root, rel));
  } catch {
    return;
  }
  for (const name of entries) {
    const path = rel ? `${rel}/${name}` : name;
    if (skip(path)) continue;
    const s = await lstat(join(root, path));
    const type = s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
    out.set(path, type === 'file' ? `file:${s.size}:${s.mtimeMs}` : type);
    if (type === 'dir') await walk(root, path, skip, out);
  }
}

export async function hostileWorld(): Promise<HostileWorld> {
  const world = await createDemoWorld({ remote: false });
  const repo = world.work;
  const tmp = join(world.root, 'tmp');
  await mkdir(tmp);
  const git = async (...args: string[]) =>
    (await run('git', ['-C', repo, '-c', 'user.name=Mallory', '-c', 'user.email=m@example.org', ...args])).stdout;
  const keys = {
    SALVE_SIGNING_KEY: privateKeyPem(world.signingKey),
    SALVE_GPG_PRIVATE_KEY: world.pgp.armoredPrivateKey,
  };
  return {
    world,
    repo,
    tmp,
    keys,
    git,
    async commit(message, files = {}, links = {}) {
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(repo, path)), { recursive: true });
        await writeFile(join(repo, path), text);
      }
      for (const [path, target] of Object.entries(links)) {
        await mkdir(dirname(join(repo, path)), { recursive: true });
        await rm(join(repo, path), { force: true });
        await symlink(target, join(repo, path));
      }
      await git('add', '-A');
      await git('commit', '-q', '-m', message);
      return (await git('rev-parse', 'HEAD')).trim();
    },
    salve(args, env = {}) {
      return new Promise((done) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', MAIN, ...args],
          {
            env: { ...env, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: tmp },
            maxBuffer: 64 * 1024 * 1024,
            // A hang fails the test instead of outliving it.
            timeout: 55_000,
            killSignal: 'SIGKILL',
          },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : 124) : 0;
            done({ code, stdout, stderr });
          },
        );
      });
    },
    async listing() {
      const out = new Map<string, string>();
      const skip = (rel: string) =>
        rel === 'platform-config/.git' || rel.startsWith('platform-config/.git/') || /^tmp\/tsx-/.test(rel);
      await walk(world.root, '', skip, out);
      return out;
    },
    close: () => world.close(),
  };
}

/** Paths added, removed or changed between two listings. */
export function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}

/** Every file under `dir` whose bytes contain `needle` (for leak checks). */
export async function filesContaining(dir: string, needle: string, skip: string[] = []): Promise<string[]> {
  const out = new Map<string, string>();
  await walk(dir, '', () => false, out);
  const hits: string[] = [];
  for (const [rel, type] of out) {
    if (!type.startsWith('file:') || skip.includes(join(dir, rel))) continue;
    const bytes = await readFile(join(dir, rel)).catch(() => Buffer.alloc(0));
    if (bytes.includes(needle)) hits.push(rel);
  }
  return hits;
}

/** A ConfigMap whose annotations expand to 9^levels strings through YAML aliases. */
export function laughs(levels: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: lol', '  annotations:'];
  lines.push(`    a0: &a0 [${Array(9).fill('"lol"').join(',')}]`);
  for (let i = 1; i < levels; i++)
    lines.push(
      `    a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  return `${lines.join('\n')}\ndata: {x: y}\n`;
}
