import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMMANDS, findCommand } from './commands.ts';
import { main } from './main.ts';

describe('cli/main', () => {
  it('runs a short command with zod parsing without compiled parsers; only serve keeps them', async () => {
    expect(z.config().jitless).not.toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'salve-main-'));
    try {
      // `salve plan` loads, then stops: no key to sign a proof with.
      await expect(
        main(['plan', '--repo', dir, '--signal', join(dir, 'none.json')], { XDG_CONFIG_HOME: dir }),
      ).rejects.toThrow(/no proof signing key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(z.config().jitless).toBe(true);
    expect(COMMANDS.filter((c) => c.longRunning).map((c) => c.name)).toEqual(['serve']);
    expect(findCommand('plan')?.longRunning).toBeUndefined();
  });
});
