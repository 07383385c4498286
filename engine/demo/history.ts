/**
 * Turns the example config repo into a git repo with a believable history, replaying
 * `.salve-demo/history.yaml` (format documented at the top of that file).
 */
import fs from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import ms from 'ms';
import { parse } from 'yaml';
import { z } from 'zod';
import { InputError } from '../model/errors.ts';

const Edit = z.object({ file: z.string(), replace: z.object({ from: z.string(), to: z.string() }) });
const History = z.object({
  version: z.literal(1),
  commits: z
    .array(
      z.object({
        message: z.string(),
        author: z.object({ name: z.string(), email: z.string() }),
        date: z.string(),
        edits: z.array(Edit),
      }),
    )
    .min(1),
});
type Edit = z.infer<typeof Edit>;

function when(date: string, now: Date): Date {
  const offset = /^-(\d+[smhd])$/.exec(date);
  if (offset) return new Date(now.getTime() - ms(offset[1] as ms.StringValue));
  const parsed = new Date(date);
  if (Number.isNaN(parsed.getTime())) throw new InputError(`history.yaml: bad date ${JSON.stringify(date)}`);
  return parsed;
}

async function applyEdit(dir: string, edit: Edit, forward: boolean): Promise<void> {
  const path = join(dir, edit.file);
  const text = await readFile(path, 'utf8');
  const [from, to] = forward ? [edit.replace.from, edit.replace.to] : [edit.replace.to, edit.replace.from];
  if (text.split(from).length !== 2) {
    throw new InputError(`history.yaml: ${JSON.stringify(from)} must occur exactly once in ${edit.file}`);
  }
  await writeFile(path, text.replace(from, to));
}

/** Copies `exampleDir` to `workDir` and commits its replayed history on `main`. Returns HEAD. */
export async function replayHistory(
  exampleDir: string,
  workDir: string,
  now: Date,
  extraFiles: Record<string, string> = {},
): Promise<string> {
  await cp(exampleDir, workDir, {
    recursive: true,
    filter: (src) => !src.includes(`${join(exampleDir, '.salve-demo')}`),
  });
  const history = History.parse(parse(await readFile(join(exampleDir, '.salve-demo', 'history.yaml'), 'utf8')));
  for (const commit of [...history.commits].reverse()) {
    for (const edit of [...commit.edits].reverse()) await applyEdit(workDir, edit, false);
  }
  for (const [path, text] of Object.entries(extraFiles)) {
    await fs.promises.mkdir(join(workDir, path, '..'), { recursive: true });
    await writeFile(join(workDir, path), text);
  }
  await rm(join(workDir, '.git'), { recursive: true, force: true });
  await git.init({ fs, dir: workDir, defaultBranch: 'main' });
  let head = '';
  for (const [i, commit] of history.commits.entries()) {
    if (i > 0) for (const edit of commit.edits) await applyEdit(workDir, edit, true);
    await git.add({ fs, dir: workDir, filepath: '.' });
    const at = when(commit.date, now);
    const author = { ...commit.author, timestamp: Math.floor(at.getTime() / 1000), timezoneOffset: 0 };
    head = await git.commit({ fs, dir: workDir, message: commit.message, author, committer: author });
  }
  return head;
}
