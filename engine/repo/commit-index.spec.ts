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
    // Applications belong to the digest of their files; names to the commit, and on another commit
    // they are only candidates, each used once what it read is checked.
    const other = openCommitIndex(dir, { commit: OTHER, applications: DIGEST });
    expect(other.applications).toEqual(applications);
    expect(other.names.size).toBe(first.names.size);
    expect([...other.names.values()].every((n) => !n.current)).toBe(true);
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

  it("reuses an overlay's names on a commit that leaves what it read alone, and reads them again when that changes", async () => {
    const dir = join(tmp.path, 'names-across');
    const work = join(tmp.path, 'work-names');
    await run('cp', ['-R', repo.dir, work]);
    await rm(join(work, '.git'), { recursive: true, force: true });
    const git = (...args: string[]) => run('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args]);
    await git('init', '-q', '-b', 'main');
    const append = async (path: string, text: string) =>
      writeFile(join(work, path), `${await readFile(join(work, path), 'utf8')}${text}`);
    const prod = 'deploy/overlays/production';
    const resolveAt = async () => {
      await git('add', '-A');
      await git('commit', '-q', '--allow-empty', '-m', 'c');
      const at = (await git('rev-parse', 'HEAD')).stdout.trim();
      const snapshot = await openSnapshot(work, at);
      const index = openCommitIndex(dir, { commit: at, applications: DIGEST });
      const kept = index.names.get(prod);
      const keptForThisCommit = kept?.current;
      const applications = await discoverApplications(snapshot, config);
      const resolved = await resolveOverlay(snapshot, target, { config, applications, commitNames: index.names });
      index.save(null);
      return { kept, keptForThisCommit, now: index.names.get(prod), resolved };
    };

    const first = await resolveAt();
    expect(first.kept).toBeUndefined();
    expect(first.now?.reads[`${prod}/kustomization.yaml`]).toMatch(/^file:[0-9a-f]{40}$/);

    // Unrelated: a new file at the root and another environment's overlay changed.
    await writeFile(join(work, 'NOTES.md'), 'notes\n');
    await append('deploy/overlays/dev/kustomization.yaml', '\n# reviewed\n');
    const unrelated = await resolveAt();
    expect(unrelated.resolved).toEqual(first.resolved);
    expect(unrelated.keptForThisCommit).toBe(false);
    // The very names kept, checked and not read again.
    expect(unrelated.now?.names).toBe(unrelated.kept?.names);
    expect(unrelated.now?.current).toBe(true);

    // A file the overlay reads changes (its base's Deployment): read again, under new reads.
    const base = Object.keys(first.now?.reads ?? {}).find((p) => /^deploy\/bases\/backend\/deployment/.test(p));
    expect(base).toBeDefined();
    await append(base as string, '\n# resized\n');
    const changed = await resolveAt();
    expect(changed.resolved.overlay).toBe(prod);
    expect(changed.kept).toBeDefined();
    expect(changed.now?.names).not.toBe(changed.kept?.names);
    expect(changed.now?.names).toEqual(changed.kept?.names);
    expect(changed.now?.reads[base as string]).not.toBe(changed.kept?.reads[base as string]);
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
    const entry = (n: unknown, reads: unknown = { 'a/kustomization.yaml': 'file:1' }) => ({ names: n, reads });
    const kept = { version: 3, commit: COMMIT, names: { a: entry({ names: ['x'], argoOnly: false }) } };
    await writeFile(names, JSON.stringify(kept));
    expect(openCommitIndex(dir, keys).names.get('a')).toMatchObject({ current: true });
    await writeFile(names, JSON.stringify({ ...kept, names: { a: entry({ names: [1], argoOnly: false }) } }));
    expect(openCommitIndex(dir, keys).names.size).toBe(0);
    await writeFile(names, JSON.stringify({ ...kept, names: { a: entry(null, { 'a/k.yaml': 1 }) } }));
    expect(openCommitIndex(dir, keys).names.size).toBe(0);
    await writeFile(names, JSON.stringify({ ...kept, version: 2 }));
    expect(openCommitIndex(dir, keys).names.size).toBe(0);
    // Written for another commit: a candidate at most, never taken as this commit's.
    await writeFile(names, JSON.stringify({ ...kept, commit: OTHER }));
    expect([...openCommitIndex(dir, keys).names.values()].some((n) => n.current)).toBe(false);
    await writeFile(join(dir, `${COMMIT}.json`), JSON.stringify({ version: 1, commit: COMMIT }));
    openCommitIndex(dir, keys);
    expect(await readdir(dir)).not.toContain(`${COMMIT}.json`);
    expect(() => openCommitIndex(dir, { commit: '../escape', applications: DIGEST })).toThrow(/not a commit id/);
    expect(() => openCommitIndex(dir, { commit: COMMIT, applications: '../escape' })).toThrow(/not a digest/);
  });
});
