import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` for every spec, and `kube` for the specs that need a kube-apiserver
 * (`*.kube.spec.ts`). The kube project's globalSetup starts one apiserver for all of them, and
 * only when one of them is selected, so `vitest run engine/render` starts no server.
 */
const KUBE_SPECS = ['engine/**/*.kube.spec.ts', 'test/**/*.kube.spec.ts'];

export default defineConfig({
  test: {
    // Runs in every test file: what test helpers leave behind goes with the file.
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['engine/**/*.spec.ts', 'test/**/*.spec.ts'],
          exclude: [...configDefaults.exclude, ...KUBE_SPECS],
          // The compiled CLI (lib/), built once before any spec runs it.
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'kube',
          include: KUBE_SPECS,
          globalSetup: ['test/servers/kube-global-setup.ts'],
        },
      },
    ],
  },
});
