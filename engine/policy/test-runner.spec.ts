import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPolicyTests } from './test-runner.ts';

const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));

describe('policy/test-runner', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'salve-opa-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('passes salve’s own policy tests with at least 90% coverage', async () => {
    const report = await runPolicyTests([POLICIES], { threshold: 90 });
    expect(report.failures).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(50);
    expect(report.coverage).toBeGreaterThanOrEqual(90);
    expect(report.ok).toBe(true);
    for (const u of report.uncovered) expect(u.file).not.toMatch(/_test\.rego$/);
  });

  it('reports failing tests by file and name, and uncovered lines', async () => {
    const dir = join(tmp, 'team');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'team.rego'),
      'package team\n\nlimit := 3\n\nbig(x) if x > limit\n\nsmall(x) if {\n\tx < limit\n\tx > 0\n}\n',
    );
    await writeFile(
      join(dir, 'team_test.rego'),
      'package team_test\n\nimport data.team\n\ntest_big if team.big(4)\n\ntest_wrong if team.big(1)\n',
    );
    const report = await runPolicyTests([dir], { threshold: 90 });
    expect(report.passed).toBe(1);
    expect(report.failed).toBe(1);
    expect(report.failures).toEqual([
      { file: expect.stringMatching(/team_test\.rego:7$/), test: 'team_test.test_wrong', message: expect.any(String) },
    ]);
    expect(report.coverage).toBeLessThan(90);
    expect(report.uncovered).toEqual([{ file: expect.stringMatching(/team\.rego$/), lines: [7, 8, 9] }]);
    expect(report.ok).toBe(false);
  });
});
