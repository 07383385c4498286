import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSnapshot, type Snapshot } from '../repo/index.ts';
import { committedText } from './assemble.ts';

const run = promisify(execFile);

describe('pipeline/assemble', () => {
  let dir: string;
  let snapshot: Snapshot;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-assemble-'));
    const record = join(dir, '.salve/remediations/abc-raise-memory-limit');
    await mkdir(record, { recursive: true });
    await writeFile(join(record, 'explanation.md'), 'merged explanation\n');
    await symlink('/etc/hostname', join(record, 'proof.json'));
    const git = (...args: string[]) => run('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args]);
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'record');
    const head = (await git('rev-parse', 'HEAD')).stdout.trim();
    // The working tree moves on: the record's "before" is the commit's.
    await writeFile(join(record, 'explanation.md'), 'edited, not committed\n');
    snapshot = await openSnapshot(dir, head);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("a record file's before is what the commit holds: a file's text, a link's target as git stores it, else null", async () => {
    const at = '.salve/remediations/abc-raise-memory-limit';
    expect(await committedText(snapshot, `${at}/explanation.md`)).toBe('merged explanation\n');
    expect(await committedText(snapshot, `${at}/proof.json`)).toBe('/etc/hostname');
    expect(await committedText(snapshot, at)).toBeNull();
    expect(await committedText(snapshot, `${at}/proof.dsse.json`)).toBeNull();
    expect(await committedText(snapshot, `${at}/proof.json/x`)).toBeNull();
  });
});
