import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, describe, expect, it } from 'vitest';
import { PublishError } from '../model/errors.ts';
import { newObjects, parseReport } from './push.ts';
import { applyChanges } from './tree.ts';

function pkt(text: string | Buffer): Buffer {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

function band(n: number, payload: Buffer): Buffer {
  return pkt(Buffer.concat([Buffer.from([n]), payload]));
}

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('publish/push', () => {
  it('reads the report-status out of side band 1 and ignores progress', () => {
    const report = Buffer.concat([pkt('unpack ok\n'), pkt('ok refs/heads/salve/x\n'), Buffer.from('0000')]);
    const body = Buffer.concat([band(2, Buffer.from('Resolving deltas\n')), band(1, report), Buffer.from('0000')]);
    expect(parseReport(body)).toEqual(['unpack ok', 'ok refs/heads/salve/x']);
    const refused = Buffer.concat([
      band(
        1,
        Buffer.concat([
          pkt('unpack ok\n'),
          pkt('ng refs/heads/salve/x pre-receive hook declined\n'),
          Buffer.from('0000'),
        ]),
      ),
      Buffer.from('0000'),
    ]);
    expect(parseReport(refused)[1]).toBe('ng refs/heads/salve/x pre-receive hook declined');
    expect(() => parseReport(band(3, Buffer.from('disk full\n')))).toThrow(PublishError);
  });

  it('lists only the commit-local objects: changed trees and new blobs, not the untouched rest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-push-'));
    for (let i = 0; i < 30; i++) {
      fs.mkdirSync(join(dir, 'apps', `a${i}`, 'base'), { recursive: true });
      fs.writeFileSync(join(dir, 'apps', `a${i}`, 'base', 'kustomization.yaml'), `resources: [] # ${i}\n`);
    }
    execFileSync('git', ['-C', dir, 'init', '-q', '-b', 'main']);
    execFileSync('git', ['-C', dir, 'add', '-A']);
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base']);
    const gitdir = join(dir, '.git');
    const head = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const { commit } = await git.readCommit({ fs, gitdir, oid: head });
    const tree = await applyChanges(gitdir, commit.tree, [
      { path: 'apps/a7/base/kustomization.yaml', before: 'resources: [] # 7\n', after: 'resources: [] # seven\n' },
      { path: '.salve/remediations/x/proof.json', before: null, after: '{}\n' },
    ]);
    const oids = await newObjects(gitdir, tree, commit.tree);
    // root, apps, apps/a7, apps/a7/base, the changed blob; .salve, .salve/remediations, .../x, the new blob
    expect(oids).toHaveLength(9);
    expect(new Set(oids).size).toBe(9);
    expect(await newObjects(gitdir, commit.tree, commit.tree)).toEqual([]);
    // A deletion sends nothing for the file: only the trees on its path that remain.
    const deleting = await applyChanges(gitdir, commit.tree, [
      { path: 'apps/a3/base/kustomization.yaml', before: 'resources: [] # 3\n', after: null },
      { path: 'apps/a7/base/kustomization.yaml', before: 'resources: [] # 7\n', after: 'resources: [] # seven\n' },
    ]);
    const sent = await newObjects(gitdir, deleting, commit.tree);
    // root, apps, apps/a7, apps/a7/base, the changed blob; apps/a3 is gone, not sent
    expect(sent).toHaveLength(5);
    expect(
      execFileSync('git', ['-C', dir, 'ls-tree', '--name-only', deleting, 'apps/'], { encoding: 'utf8' }),
    ).not.toMatch(/^apps\/a3$/m);
  });
});
