/**
 * `--signal -`: the payload piped in (from amtool, curl, kubectl get pod -o json), saved to a private
 * temp file named after stdin so errors say where it came from. Bounded: a signal is small.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SIGNAL_BYTES as MAX_BYTES } from '../intake/file.ts';
import { InputError } from '../model/errors.ts';

export interface StdinFile {
  path: string;
  cleanup(): Promise<void>;
}

export async function stdinToFile(stream: NodeJS.ReadableStream): Promise<StdinFile> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buf.length;
    if (size > MAX_BYTES) throw new InputError(`--signal -: stdin holds more than ${MAX_BYTES / 1024 / 1024} MiB`);
    chunks.push(buf);
  }
  if (size === 0) throw new InputError('--signal -: nothing on stdin (pipe an Alertmanager payload or a Pod into it)');
  const dir = await mkdtemp(join(tmpdir(), 'salve-stdin-'));
  const path = join(dir, 'stdin');
  await writeFile(path, Buffer.concat(chunks), { mode: 0o600 });
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
