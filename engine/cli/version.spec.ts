import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_VERSION, PROJECT_ROOT } from '../pipeline/assets.ts';
import { salveVersion } from './version.ts';

describe('cli/version', () => {
  it('is the package version, and the engine version proofs record is the same', () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(salveVersion()).toBe(pkg.version);
    expect(ENGINE_VERSION).toBe(pkg.version);
  });
});
