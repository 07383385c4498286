import { execFile } from 'node:child_process';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalveConfig } from '../config/schema.ts';
import { tempDir } from '../publish/__fixtures__/repo.ts';
import { argoApplication, makePodinfoRepo, type PodinfoRepo } from './__fixtures__/podinfo.ts';
import { applicationsDigest, discoverApplications } from './applications.ts';
import { createBuildCache } from './build-overlay.ts';
import { openCommitIndex } from './commit-index.ts';
import { resolveOverlay } from './resolve-overlay.ts';
import { openSnapshot } from './snapshot.ts';

const run = promisify(execFile);
const COMMIT = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const DIGEST = 'c'.repeat(64);
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
    const keys = { commit: COMMIT, applications: DIGEST };
    const first = openCommitIndex(dir, keys);
    expect(first.applications).toBeNull();
    const applications = await discoverApplications(repo.dir, config);
    const resolved = await resolveOverlay(repo.dir, target, { config, applications, commitNames: first.names });
    expect(first.names.size).toBeGreaterThan(0);
    first.save(applications);

    const second = openCommitIndex(dir, keys);
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
    // Names belong to the commit, Applications to the digest of their files.
    const other = openCommitIndex(dir, { commit: OTHER, applications: DIGEST });
    expect(other.applications).toEqual(applications);
    expect(other.names.size).toBe(0);
    expect(openCommitIndex(dir, { commit: COMMIT, applications: 'd'.repeat(64) }).applications).toBeNull();
  });

  it('reuses Applications across a commit that leaves their files alone, and not across one that changes them', async () => {
    const dir = join(tmp.path, 'commits');
    const scoped = SalveConfig.parse({ applications: ['argocd/**/*.yaml'] });
    const work = join(tmp.path, 'work');
    await run('cp', ['-R', repo.dir, work]);
    const git = (...args: string[]) => run('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args]);
    const commit = async () => {
      await git('add', '-A');
      await git('commit', '-q', '--allow-empty', '-m', 'c');
      return (await git('rev-parse', 'HEAD')).stdout.trim();
    };
    await rm(join(work, '.git'), { recursive: true, force: true });
    await git('init', '-q', '-b', 'main');
    const indexAt = async (at: string) => {
      const snapshot = await openSnapshot(work, at);
      const keys = { commit: at, applications: await applicationsDigest(snapshot, scoped) };
      const everyYaml = await applicationsDigest(snapshot, config);
      return { snapshot, keys, everyYaml, index: openCommitIndex(dir, keys) };
    };

    const first = await indexAt(await commit());
    expect(first.index.applications).toBeNull();
    const applications = await discoverApplications(first.snapshot, scoped);
    expect(applications.length).toBeGreaterThan(0);
    first.index.save(applications);

    // An overlay's replica count changes: another commit, the same Application files.
    const overlay = join(work, 'deploy/overlays/production/kustomization.yaml');
    await writeFile(overlay, `${await readFile(overlay, 'utf8')}\n# reviewed\n`);
    const unrelated = await indexAt(await commit());
    expect(unrelated.keys.commit).not.toBe(first.keys.commit);
    expect(unrelated.keys.applications).toBe(first.keys.applications);
    expect(unrelated.index.applications).toEqual(applications);
    expect(unrelated.index.names.size).toBe(0);
    // Where Applications may be in any YAML file (the default), the overlay is one of those files.
    expect(unrelated.everyYaml).not.toBe(first.everyYaml);

    // An Application file changes (its namespace): nothing kept is used.
    await writeFile(
      join(work, 'argocd/podinfo-production.yaml'),
      argoApplication('podinfo-production', 'deploy/overlays/production', 'prod-cluster', 'moved'),
    );
    const changed = await indexAt(await commit());
    expect(changed.keys.applications).not.toBe(first.keys.applications);
    expect(changed.index.applications).toBeNull();
    const rediscovered = await discoverApplications(changed.snapshot, scoped);
    expect(rediscovered).not.toEqual(applications);

    // A new file the globs match changes the digest too, as does a link's target.
    await writeFile(join(work, 'argocd/extra.yaml'), 'kind: ConfigMap\n');
    const added = await indexAt(await commit());
    expect(added.keys.applications).not.toBe(changed.keys.applications);
    await writeFile(join(work, 'linked.yaml'), 'a: 1\n');
    await symlink('../linked.yaml', join(work, 'argocd/link.yaml'));
    const linked = await indexAt(await commit());
    await writeFile(join(work, 'linked.yaml'), 'a: 2\n');
    const retargeted = await indexAt(await commit());
    expect(retargeted.keys.applications).not.toBe(linked.keys.applications);
  });

  it('ignores an entry that does not check out: another key, a changed shape, not JSON', async () => {
    const dir = join(tmp.path, 'damaged');
    const keys = { commit: COMMIT, applications: DIGEST };
    openCommitIndex(dir, keys).save(await discoverApplications(repo.dir, config));
    const [name] = await readdir(join(dir, 'applications'));
    const file = join(dir, 'applications', name as string);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...stored, digest: 'e'.repeat(64) }));
    expect(openCommitIndex(dir, keys).applications).toBeNull();
    await writeFile(file, JSON.stringify({ ...stored, applications: [{ name: 1 }] }));
    expect(openCommitIndex(dir, keys).applications).toBeNull();
    await writeFile(file, '{"version": 2, "digest"');
    expect(openCommitIndex(dir, keys).applications).toBeNull();
    const names = join(dir, 'names', `${COMMIT}.json`);
    await writeFile(
      names,
      JSON.stringify({ version: 2, commit: COMMIT, names: { a: { names: ['x'], argoOnly: false } } }),
    );
    expect(openCommitIndex(dir, keys).names.size).toBe(1);
    await writeFile(
      names,
      JSON.stringify({ version: 2, commit: COMMIT, names: { a: { names: [1], argoOnly: false } } }),
    );
    expect(openCommitIndex(dir, keys).names.size).toBe(0);
    await writeFile(names, JSON.stringify({ version: 2, commit: OTHER, names: { a: null } }));
    expect(openCommitIndex(dir, keys).names.size).toBe(0);
    await writeFile(join(dir, `${COMMIT}.json`), JSON.stringify({ version: 1, commit: COMMIT }));
    openCommitIndex(dir, keys);
    expect(await readdir(dir)).not.toContain(`${COMMIT}.json`);
    expect(() => openCommitIndex(dir, { commit: '../escape', applications: DIGEST })).toThrow(/not a commit id/);
    expect(() => openCommitIndex(dir, { commit: COMMIT, applications: '../escape' })).toThrow(/not a digest/);
  });
});
