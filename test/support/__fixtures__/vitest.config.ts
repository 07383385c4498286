/** salve's own vitest settings (setup files included), running only the hygiene fixtures. */
import { defineConfig } from 'vitest/config';
import base from '../../../vitest.config.ts';

const { projects: _projects, ...settings } = base.test ?? {};

export default defineConfig({
  ...base,
  test: { ...settings, include: ['test/support/__fixtures__/*.fixture.ts'] },
});
