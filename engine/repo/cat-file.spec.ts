import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateGit, type Tool, ToolError } from '../tools/index.ts';
import { answers, openBlobReader } from './cat-file.ts';

const run = promisify(execFile);

/** git run by a shell script first: `script` sees the script's own path as $0 and git's arguments as "$@". */
function shell(script: string, scratch: string, limits?: Tool['limits']): Tool {
  return {
    name: 'git',
    command: '/bin/sh',
    prefix: ['-c', script, join(scratch, 'starts')],
    ...(limits ? { limits } : {}),
  };
}

describe('repo/cat-file', () => {
  let dir: string;
  let oids: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-cat-file-'));
    await run('git', ['-C', dir, 'init', '-q']);
    oids = {};
    for (const [name, text] of Object.entries({ a: 'alpha\n', b: 'two\nlines\n', empty: '' })) {
      await writeFile(join(dir, name), text);
      oids[name] = (await run('git', ['-C', dir, 'hash-object', '-w', name])).stdout.trim();
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const args = () => ['-C', dir, 'cat-file', '--batch'];
  const missing = 'f'.repeat(40);

  it('answers every read from one git process, missing objects left out, until closed', async () => {
    const tool = shell('echo start >> "$0"; exec git "$@"', dir);
    const reader = openBlobReader(tool, args(), {}, 'commit abc');
    const [first, second] = await Promise.all([
      reader.read([oids.a as string, missing, oids.empty as string], 4096),
      reader.read([oids.b as string], 4096),
    ]);
    expect([...(first ?? [])].map(([o, b]) => [o, b.toString()])).toEqual([
      [oids.a, 'alpha\n'],
      [oids.empty, ''],
    ]);
    expect(second?.get(oids.b as string)?.toString()).toBe('two\nlines\n');
    expect((await readFile(join(dir, 'starts'), 'utf8')).trim().split('\n')).toHaveLength(1);
    reader.close();
    expect((await reader.read([oids.a as string], 4096)).get(oids.a as string)?.toString()).toBe('alpha\n');
    expect((await readFile(join(dir, 'starts'), 'utf8')).trim().split('\n')).toHaveLength(2);
    reader.close();
  });

  it('a process that dies, answers out of turn, stalls or says too much fails the read, naming the commit', async () => {
    const read = (tool: Tool, max = 4096) =>
      openBlobReader(tool, args(), {}, 'commit abc of /repo').read([oids.a as string], max);
    const dead = read(shell('echo broken >&2; exit 3', dir));
    await expect(dead).rejects.toThrow(ToolError);
    await expect(dead).rejects.toThrow(/^git cat-file for commit abc of \/repo exited with code 3: broken$/);
    await expect(read(shell(`read l; echo "${missing} blob 1"; echo x`, dir))).rejects.toThrow(
      `git cat-file for commit abc of /repo: answered "${missing}" for ${oids.a}`,
    );
    await expect(read(shell('sleep 5', dir, { timeoutMs: 100 }))).rejects.toMatchObject({ code: 'tool-timeout' });
    await expect(read(locateGit(), 10)).rejects.toMatchObject({
      code: 'tool-output',
      message: 'git cat-file for commit abc of /repo printed more than 10 bytes',
    });
  });

  it('takes answers split anywhere, and refuses more than was asked for', () => {
    const text = Buffer.from(`${oids.a} blob 6\nalpha\n\n${missing} missing\n${oids.b} blob 10\ntwo\nlines\n\n`);
    const want = [oids.a as string, missing, oids.b as string];
    const whole = answers(want)(text);
    for (let size = 1; size < 9; size++) {
      const take = answers(want);
      let out: ReturnType<typeof take> = null;
      for (let at = 0; at < text.length; at += size) out = take(text.subarray(at, at + size));
      expect(out).toEqual(whole);
    }
    expect(whole).toEqual(
      new Map([
        [oids.a, Buffer.from('alpha\n')],
        [oids.b, Buffer.from('two\nlines\n')],
      ]),
    );
    expect(answers([oids.a as string])(Buffer.from(`${oids.a} blob 6\nalpha\n\nmore`))).toBeInstanceOf(Error);
    expect(answers([oids.a as string])(Buffer.from(`${oids.a} blob x\n`))).toBeInstanceOf(Error);
  });
});
