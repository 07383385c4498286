import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalveConfig } from '../config/schema.ts';
import { tempDir } from '../publish/__fixtures__/repo.ts';
import { makePodinfoRepo, type PodinfoRepo } from './__fixtures__/podinfo.ts';
import { discoverApplications } from './applications.ts';
import { createBuildCache } from './build-overlay.ts';
import { openCommitIndex } from './commit-index.ts';
import { resolveOverlay } from './resolve-overlay.ts';

const COMMIT = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const target = { cluster: 'prod-cluster', namespace: 'production', kind: 'Deployment', name: 'backend' };

describe('repo/commit-index', () => {
  let repo: PodinfoRepo;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const config = SalveConfig.parse({});
  beforeAll(async () => {
    repo = await makePodinfoRepo();
    tmp = await tempDir('commit-index');
  });
  afterAll(async () => {
    await repo.cleanup();
    await tmp.remove();
  });

  it("keeps a commit's Applications and overlay names for the next run, for that commit only", async () => {
    const dir = join(tmp.path, 'kept');
    const first = openCommitIndex(dir, COMMIT);
    expect(first.applications).toBeNull();
    const applications = await discoverApplications(repo.dir, config);
    const resolved = await resolveOverlay(repo.dir, target, { config, applications, commitNames: first.names });
    expect(first.names.size).toBeGreaterThan(0);
    first.save(applications);

    const second = openCommitIndex(dir, COMMIT);
    expect(second.applications).toEqual(applications);
    expect(second.names).toEqual(first.names);
    const cache = createBuildCache();
    const again = await resolveOverlay(repo.dir, target, {
      config,
      applications: second.applications ?? [],
      commitNames: second.names,
      cache,
    });
    expect(again).toEqual(resolved);
    expect(openCommitIndex(dir, OTHER).applications).toBeNull();
  });

  it('ignores an entry that does not check out: another commit, a changed shape, not JSON', async () => {
    const dir = join(tmp.path, 'damaged');
    openCommitIndex(dir, COMMIT).save(await discoverApplications(repo.dir, config));
    const [name] = await readdir(dir);
    const file = join(dir, name as string);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...stored, commit: OTHER }));
    expect(openCommitIndex(dir, COMMIT).applications).toBeNull();
    await writeFile(file, JSON.stringify({ ...stored, applications: [{ name: 1 }] }));
    expect(openCommitIndex(dir, COMMIT).applications).toBeNull();
    await writeFile(file, '{"version": 1, "commit"');
    expect(openCommitIndex(dir, COMMIT).applications).toBeNull();
    expect(() => openCommitIndex(dir, '../escape')).toThrow(/not a commit id/);
  });
});
