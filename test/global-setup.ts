/**
 * Builds the compiled CLI (lib/) once before any test file runs: the CLI tests run `bin/salve` and
 * the packed package, as users do, and parallel test files must not each rebuild it.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, [resolve(import.meta.dirname, '../scripts/build-cli.mjs')], { stdio: 'inherit' });
}
