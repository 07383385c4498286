/**
 * Fuzz: kustomization trees committed to a real git repo (resources, patches and generator files
 * that are local, missing, `..`-laden, absolute, remote, symbolic links in and out of the repo, link
 * loops, alias bombs, huge values), built from the commit with real kustomize. Properties: no crash
 * (a build, or an exit-1/2 SalveError safe to print), no write outside the build's scratch copy
 * (the file system around the repo is listed before and after), and the secret beside the repo
 * (a test signing key) never appears in any output.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEphemeralKey, privateKeyPem } from '../../engine/policy/index.ts';
import { buildOverlay, openSnapshot } from '../../engine/repo/index.ts';
import { locateKustomize } from '../../engine/tools/index.ts';
import { aliasBomb, expectInputRejection, fuzzSeed } from './arbitraries.ts';

const run = promisify(execFile);
const cases = { trees: 0, built: 0, refused: 0, slowestMs: 0 };

const CONFIGMAP = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${JSON.stringify(name)}}\ndata: {v: ${JSON.stringify(value)}}\n`;

/** Files the overlay directory may hold: [name, content] or [name, {link}]. */
const FILES: Record<string, string | { link: string }> = {
  'cm.yaml': CONFIGMAP('cm', 'ok'),
  'dots..yaml': CONFIGMAP('dots', 'ok'),
  'bomb.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n  annotations:\n${aliasBomb(5, '    ')}`,
  'huge.yaml': CONFIGMAP('huge', 'x'.repeat(2 * 1024 * 1024)),
  'patch.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n',
  'env.txt': 'A=1\n',
  'link-in.yaml': { link: '../base/service.yaml' },
  'link-dir': { link: '../base' },
  'link-abs.yaml': { link: 'HOST_SECRET' },
  'link-up.yaml': { link: '../../host/secret.pem' },
  'loop.yaml': { link: 'loop.yaml' },
};

const REFERENCES = [
  ...Object.keys(FILES),
  '../base',
  'missing.yaml',
  '../../host/secret.pem',
  '../../../../etc/passwd',
  '/etc/passwd',
  'x/../../../victim/ESCAPED.yaml',
  'https://127.0.0.1:1/never.yaml',
  'file:///etc',
  'github.com/org/repo//deploy?ref=v1',
  'git@example.org:org/repo.git',
];

/** Mostly files the overlay holds, so that many trees build; the rest is hostile. */
const reference = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('cm.yaml', 'dots..yaml', 'link-in.yaml', 'huge.yaml') },
  { weight: 2, arbitrary: fc.constantFrom(...REFERENCES) },
);

const kustomization = fc
  .record({
    resources: fc.uniqueArray(reference, { maxLength: 3 }),
    patches: fc.array(
      fc.oneof({ weight: 3, arbitrary: fc.constant('patch.yaml') }, { weight: 1, arbitrary: reference }),
      {
        maxLength: 1,
      },
    ),
    generated: fc.array(
      fc.oneof({ weight: 3, arbitrary: fc.constant('env.txt') }, { weight: 1, arbitrary: reference }),
      {
        maxLength: 1,
      },
    ),
    namePrefix: fc.constantFrom('', '', 'prod-', '../'),
    anchors: fc.boolean(),
  })
  .map((k) => {
    const lines = ['resources:', ...['../base', ...k.resources].map((r) => `  - ${JSON.stringify(r)}`)];
    if (k.patches.length > 0) lines.push('patches:', ...k.patches.map((p) => `  - path: ${JSON.stringify(p)}`));
    if (k.generated.length > 0)
      lines.push(
        'configMapGenerator:',
        '  - name: gen',
        '    files:',
        ...k.generated.map((g) => `      - ${JSON.stringify(g)}`),
      );
    if (k.namePrefix) lines.push(`namePrefix: ${JSON.stringify(k.namePrefix)}`);
    if (k.anchors) lines.push('commonLabels: &labels {team: a}', 'commonAnnotations: *labels');
    return `${lines.join('\n')}\n`;
  });

const tree = fc.record({
  kustomization: fc.oneof({ weight: 9, arbitrary: kustomization }, { weight: 1, arbitrary: fc.constant(null) }),
  files: fc
    .subarray(Object.keys(FILES))
    .map((names) => [...new Set(['cm.yaml', 'link-in.yaml', 'patch.yaml', 'env.txt', 'dots..yaml', ...names])]),
});

async function listing(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for (const name of await readdir(join(root, rel)).catch(() => [] as string[])) {
      const path = rel ? `${rel}/${name}` : name;
      if (path === 'repo/.git' || /^tmp\/tsx-/.test(path)) continue;
      const s = await lstat(join(root, path));
      // A directory's mtime moves when a scratch copy is made and removed inside it: what is in it counts.
      out.set(path, s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : `file:${s.size}:${s.mtimeMs}`);
      if (s.isDirectory()) await walk(path);
    }
  };
  await walk('');
  return out;
}

describe('fuzz: kustomization trees', () => {
  let root: string;
  let repo: string;
  let secret: string;
  let savedTmp: string | undefined;
  const git = (...args: string[]) => run('git', ['-C', repo, '-c', 'user.name=f', '-c', 'user.email=f@e', ...args]);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'salve-fuzz-tree-'));
    repo = join(root, 'repo');
    secret = privateKeyPem(generateEphemeralKey());
    await mkdir(join(root, 'host'));
    await writeFile(join(root, 'host/secret.pem'), secret);
    await mkdir(join(root, 'tmp'));
    await mkdir(join(repo, 'base'), { recursive: true });
    await writeFile(join(repo, 'base/kustomization.yaml'), 'resources:\n  - deployment.yaml\n  - service.yaml\n');
    await writeFile(
      join(repo, 'base/deployment.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: web:1}]\n',
    );
    await writeFile(join(repo, 'base/service.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n');
    await git('init', '-q', '-b', 'main');
    // Every scratch copy is made in the watched tree.
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = join(root, 'tmp');
  });
  afterAll(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(root, { recursive: true, force: true });
    console.info(`fuzz kustomization trees: ${JSON.stringify(cases)}`);
  });

  it('builds from the commit or refuses cleanly; writes only its scratch copy; leaks nothing', async () => {
    const kustomize = { ...locateKustomize(), limits: { timeoutMs: 20_000, memoryBytes: 256 * 1024 * 1024 } };
    const secretLine = secret.split('\n')[1] as string;
    await fc.assert(
      fc.asyncProperty(tree, async (t) => {
        cases.trees++;
        await rm(join(repo, 'overlay'), { recursive: true, force: true });
        await mkdir(join(repo, 'overlay'));
        for (const name of t.files) {
          const file = FILES[name] as string | { link: string };
          const path = join(repo, 'overlay', name);
          if (typeof file === 'string') await writeFile(path, file);
          else await symlink(file.link === 'HOST_SECRET' ? join(root, 'host/secret.pem') : file.link, path);
        }
        if (t.kustomization) await writeFile(join(repo, 'overlay/kustomization.yaml'), t.kustomization);
        else await symlink(join(root, 'host/secret.pem'), join(repo, 'overlay/kustomization.yaml'));
        await git('add', '-A');
        await git('commit', '-q', '--allow-empty', '-m', `case ${cases.trees}`);
        const head = (await git('rev-parse', 'HEAD')).stdout.trim();
        const before = await listing(root);
        const started = performance.now();
        let output = '';
        try {
          const snapshot = await openSnapshot(repo, head);
          output = (await buildOverlay(snapshot, 'overlay', { kustomize })).yaml;
          cases.built++;
        } catch (err) {
          expectInputRejection(err, [1, 2]);
          output = (err as Error).message;
          cases.refused++;
        }
        cases.slowestMs = Math.max(cases.slowestMs, Math.round(performance.now() - started));
        expect(output).not.toContain(secretLine);
        const after = await listing(root);
        const changed = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p));
        expect(changed).toEqual([]);
      }),
      { numRuns: 40, seed: fuzzSeed(5) },
    );
    expect(cases.trees).toBe(40);
    expect(cases.built).toBeGreaterThan(0);
    expect(cases.refused).toBeGreaterThan(0);
  });
});
