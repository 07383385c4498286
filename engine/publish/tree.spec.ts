import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileChange } from '../model/index.ts';
import { applyChanges } from './tree.ts';

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

const git = (cwd: string, args: string[], env: Record<string, string> = {}, input?: string) =>
  execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, input }).trim();

/** A repo whose names sort differently as files and as trees (`a`, `a-b`, `a.b`, `a0`), with a link and a script. */
function fixture(root: string): string {
  const write = (path: string, text: string, mode = 0o644) => {
    fs.mkdirSync(join(root, path, '..'), { recursive: true });
    fs.writeFileSync(join(root, path), text, { mode });
  };
  write('a/x.yaml', 'x: 1\n');
  write('a-b', 'dash\n');
  write('a.b/k.yaml', 'k: 1\n');
  write('a0', 'zero\n');
  write('run.sh', '#!/bin/sh\n', 0o755);
  write('überall/ü.yaml', 'u: 1\n');
  for (let i = 0; i < 50; i++) write(`apps/svc-${i}/kustomization.yaml`, `resources: [] # ${i}\n`);
  fs.symlinkSync('a/x.yaml', join(root, 'link.yaml'));
  git(root, ['init', '-q', '-b', 'main']);
  git(root, ['add', '-A']);
  git(root, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base']);
  return git(root, ['rev-parse', 'HEAD']);
}

/** The tree git itself writes for the same changes, through a scratch index (`git rm` for a deletion). */
function gitTree(root: string, base: string, changes: FileChange[]): string {
  const env = { GIT_INDEX_FILE: join(root, '.git', 'scratch-index') };
  git(root, ['read-tree', base], env);
  for (const c of changes) {
    if (c.after === null) {
      git(root, ['rm', '-q', '--cached', '--', c.path], env);
      continue;
    }
    const blob = git(root, ['hash-object', '-w', '--stdin'], env, c.after);
    const mode = git(root, ['ls-tree', base, '--', c.path], env).split(' ')[0] || '100644';
    git(root, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${c.path}`], env);
  }
  return git(root, ['write-tree'], env);
}

describe('publish/tree', () => {
  it('writes the tree git writes: edits, new directories in git order, modes kept, the rest untouched', async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-tree-'));
    const base = fixture(dir);
    const changes: FileChange[] = [
      { path: 'a/x.yaml', before: 'x: 1\n', after: 'x: 2\n' },
      { path: 'a/y/new.yaml', before: null, after: 'y: 1\n' },
      { path: 'a-a', before: null, after: 'before a-b\n' },
      { path: 'a.b/k.yaml', before: 'k: 1\n', after: 'k: 2\n' },
      { path: 'a1/z.yaml', before: null, after: 'z: 1\n' },
      { path: 'run.sh', before: '#!/bin/sh\n', after: '#!/bin/sh\nexit 0\n' },
      { path: 'überall/ü.yaml', before: 'u: 1\n', after: 'u: 2\n' },
      { path: 'apps/svc-7/kustomization.yaml', before: 'resources: [] # 7\n', after: 'resources: [] # seven\n' },
      { path: '.salve/remediations/x/proof.json', before: null, after: '{}\n' },
      { path: 'zz/last.yaml', before: null, after: 'last\n' },
    ];
    const ours = await applyChanges(join(dir, '.git'), base, changes, { commit: true });
    expect(ours).toBe(gitTree(dir, base, changes));
    // Every object written is well formed as git checks them.
    git(dir, ['fsck', '--strict', '--no-dangling', '--no-progress']);
    expect(git(dir, ['ls-tree', ours, 'run.sh']).split(' ')[0]).toBe('100755');
    expect(git(dir, ['ls-tree', ours, 'link.yaml']).split(' ')[0]).toBe('120000');
  });

  it('deletes as git rm does: entries removed, directories left empty removed, the rest untouched', async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-tree-'));
    const base = fixture(dir);
    const changes: FileChange[] = [
      // The directory's only file: `a.b` goes, and `a-b` / `a0` around it stay in git's order.
      { path: 'a.b/k.yaml', before: 'k: 1\n', after: null },
      { path: 'run.sh', before: '#!/bin/sh\n', after: null },
      // A nested directory emptied: `apps/svc-7` goes, `apps` stays with 49 others.
      { path: 'apps/svc-7/kustomization.yaml', before: 'resources: [] # 7\n', after: null },
      { path: 'apps/svc-8/kustomization.yaml', before: 'resources: [] # 8\n', after: 'resources: [] # eight\n' },
      // Deleted and added side by side in one directory.
      { path: 'a/x.yaml', before: 'x: 1\n', after: null },
      { path: 'a/w.yaml', before: null, after: 'w: 1\n' },
    ];
    const gitdir = join(dir, '.git');
    const ours = await applyChanges(gitdir, base, changes, { commit: true });
    expect(ours).toBe(gitTree(dir, base, changes));
    git(dir, ['fsck', '--strict', '--no-dangling', '--no-progress']);
    const names = git(dir, ['ls-tree', '--name-only', ours]).split('\n');
    expect(names).not.toContain('a.b');
    expect(names).not.toContain('run.sh');
    expect(names).toEqual(expect.arrayContaining(['a', 'a-b', 'a0', 'apps', 'link.yaml']));
    expect(git(dir, ['ls-tree', '--name-only', ours, 'apps/']).split('\n')).toHaveLength(49);
    // Every file of a directory deleted: the directory, then its parent, go.
    const all = Array.from({ length: 50 }, (_, i) => ({
      path: `apps/svc-${i}/kustomization.yaml`,
      before: `resources: [] # ${i}\n`,
      after: null,
    }));
    const emptied = await applyChanges(gitdir, base, all, { commit: true });
    expect(emptied).toBe(gitTree(dir, base, all));
    expect(git(dir, ['ls-tree', '--name-only', emptied])).not.toMatch(/^apps$/m);
  });

  it('refuses to delete a file absent or different at base, or a directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-tree-'));
    const base = fixture(dir);
    const gitdir = join(dir, '.git');
    await expect(applyChanges(gitdir, base, [{ path: 'nope.yaml', before: 'x\n', after: null }])).rejects.toThrow(
      /nope.yaml: the base commit does not match the change's "before" \(file is absent at base\)/,
    );
    await expect(applyChanges(gitdir, base, [{ path: 'a0', before: 'one\n', after: null }])).rejects.toThrow(
      /a0: the base commit does not match the change's "before" \(file is different at base\)/,
    );
    await expect(applyChanges(gitdir, base, [{ path: 'a', before: 'x\n', after: null }])).rejects.toThrow(
      /a: is a tree at the base commit, not a file/,
    );
    await expect(applyChanges(gitdir, base, [{ path: 'a0', before: null, after: null }])).rejects.toThrow(
      /a0: a change adds, edits or deletes a file/,
    );
  });

  it('refuses a stale "before", a file where a directory is asked, and a base that is no commit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-tree-'));
    const base = fixture(dir);
    const gitdir = join(dir, '.git');
    await expect(applyChanges(gitdir, base, [{ path: 'a0', before: 'one\n', after: 'two\n' }])).rejects.toThrow(
      /a0: the base commit does not match the change's "before" \(file is different at base\)/,
    );
    await expect(applyChanges(gitdir, base, [{ path: 'a0/x', before: null, after: 'x\n' }])).rejects.toThrow(
      /a0: is a file at the base commit, not a directory/,
    );
    await expect(applyChanges(gitdir, base, [{ path: 'a', before: null, after: 'x\n' }])).rejects.toThrow(
      /a: is a tree at the base commit, not a file/,
    );
    const tree = git(dir, ['rev-parse', `${base}^{tree}`]);
    await expect(applyChanges(gitdir, tree, [], { commit: true })).rejects.toThrow(/is not a commit/);
    expect(await applyChanges(gitdir, tree, [])).toBe(tree);
    await expect(applyChanges(gitdir, '0'.repeat(40), [])).rejects.toThrow(/is not a commit or tree in/);
  });
});
