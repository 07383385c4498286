/** A fresh state directory for one `salve serve` in a test, removed with `removeStateDirs`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'salve-state-'));
  made.push(dir);
  return dir;
}

export function removeStateDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
