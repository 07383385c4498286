/**
 * Writes a cache file of salve's own (the commit index, kept blob sizes, kept search hits) as JSON,
 * atomically: a temp file in the same directory (made 0700 if missing), mode 0600, renamed over the
 * old one. Caches are optional, so a failure is reported as false and leaves no temp file behind.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function keepJson(dir: string, file: string, body: unknown): boolean {
  const tmp = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}
