/**
 * The Dockerfile cannot be built here (no container engine), so what can be checked without one
 * is checked: the opa and kustomize it builds are the versions engine/tools expects, the bases are
 * pinned (no `latest`; Node 20, the version salve is tested on), it runs as a numeric non-root user,
 * and everything it copies exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../engine/demo/servers/tools.ts';
import { KUSTOMIZE_VERSION, OPA_VERSION } from '../../engine/tools/index.ts';

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const lines = dockerfile.split('\n').filter((l) => !l.startsWith('#'));

describe('Dockerfile', () => {
  it('builds the pinned opa and kustomize', () => {
    expect(dockerfile).toContain(`ARG OPA_VERSION=${OPA_VERSION}`);
    expect(dockerfile).toContain(`ARG KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION}`);
  });

  it('pins every base image and runs on Node 20', () => {
    const bases = lines.filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+/)[1] as string);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const image of bases) expect(image).toMatch(/^[a-z]+:\d+\.\d+\.\d+-[a-z-]+$/);
    expect(bases.at(-1)).toMatch(/^node:20\./);
  });

  it('runs as a numeric non-root user, salve serve by default', () => {
    const user = lines.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toMatch(/^USER [1-9]\d{3,}:[1-9]\d{3,}$/);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "--import", "tsx", "engine\/cli\/main\.ts"\]\nCMD \["serve"\]/);
  });

  it('copies only what exists in the repository', () => {
    const sources = lines
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
  });
});
