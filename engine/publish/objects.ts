/**
 * Git objects for the write path, without isomorphic-git: reading one object from a pack through
 * isomorphic-git first parses the whole pack index (close to a second on a 100,000-file repo), so
 * the objects a commit needs are read by one `git cat-file --batch`, and the few it writes (blobs,
 * the trees on the changed paths, the commit) are written here as loose objects, as git writes them.
 */
import { createHash } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PublishError } from '../model/errors.ts';
import { locateGit, runToolRaw, type Tool } from '../tools/index.ts';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface GitObject {
  oid: string;
  type: ObjectType;
  body: Buffer;
}

/** Largest answer read for one publish: the trees on a few paths and the files they change. */
const MAX_READ_BYTES = 256 * 1024 * 1024;

/**
 * The objects `specs` name (`<oid>`, `<rev>:<path>`, `<rev>^{tree}`), in order, null for each one
 * git does not find; one `git cat-file --batch` for all of them.
 */
export async function readObjects(
  gitdir: string,
  specs: readonly string[],
  git: Tool = locateGit(),
): Promise<Array<GitObject | null>> {
  if (specs.some((s) => s.includes('\n') || s === '')) throw new PublishError('object names must be one line each');
  const { stdout } = await runToolRaw(git, ['--git-dir', gitdir, 'cat-file', '--batch'], {
    env: { GIT_NO_REPLACE_OBJECTS: '1', GIT_CONFIG_NOSYSTEM: '1', GIT_OPTIONAL_LOCKS: '0' },
    label: 'git cat-file',
    input: `${specs.join('\n')}\n`,
    limits: { outputBytes: MAX_READ_BYTES },
  });
  const out: Array<GitObject | null> = [];
  let at = 0;
  for (let i = 0; i < specs.length; i++) {
    const eol = stdout.indexOf(0x0a, at);
    if (eol < 0) throw new PublishError('git cat-file answered fewer objects than asked');
    const header = stdout.subarray(at, eol).toString('latin1');
    at = eol + 1;
    const [oid = '', type = '', size = ''] = header.split(' ');
    // `<spec> missing`, `<spec> ambiguous`: nothing follows the header.
    if (!/^[0-9a-f]{40}$/.test(oid) || !/^\d+$/.test(size)) {
      out.push(null);
      continue;
    }
    const length = Number(size);
    out.push({ oid, type: type as ObjectType, body: stdout.subarray(at, at + length) });
    at += length + 1;
  }
  return out;
}

/** The id git gives `body` as an object of `type`. */
export function objectId(type: ObjectType, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/**
 * Writes `body` as a loose object (zlib-deflated `<type> <size>\0<body>`), through a temporary
 * file linked into place so a reader never sees half an object; an object already there is kept.
 */
export async function writeObject(gitdir: string, type: ObjectType, body: Buffer): Promise<string> {
  const oid = objectId(type, body);
  const dir = join(gitdir, 'objects', oid.slice(0, 2));
  const path = join(dir, oid.slice(2));
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `tmp_obj_salve_${process.pid}_${Math.random().toString(36).slice(2)}`);
  const bytes = deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]));
  try {
    await writeFile(tmp, bytes, { mode: 0o444 });
    await link(tmp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { force: true });
  }
  return oid;
}
