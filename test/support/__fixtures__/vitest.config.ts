/** salve's own vitest config, running only the hygiene fixtures. */
import { defineConfig } from 'vitest/config';
import base from '../../../vitest.config.ts';

export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/support/__fixtures__/*.fixture.ts'] },
});
