import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyError } from '../model/errors.ts';
import { bundlesDir } from '../tools/index.ts';
import { buildBundle, ENTRYPOINT, forgetBuiltBundles, type PolicyBundle } from './bundle.ts';

const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));

describe('policy/bundle', () => {
  let bundle: PolicyBundle;
  let tmp: string;

  beforeAll(async () => {
    bundle = await buildBundle([POLICIES]);
    tmp = await mkdtemp(join(tmpdir(), 'salve-bundle-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('compiles the exposure plan as a second entrypoint when a source declares salve.exposure', () => {
    expect(bundle.exposureEntrypoint).toBe('salve/exposure/plan');
  });

  it('compiles the policies to wasm with the decision entrypoint', () => {
    expect(bundle.wasm.subarray(0, 4)).toEqual(Buffer.from([0x00, 0x61, 0x73, 0x6d]));
    expect(bundle.entrypoint).toBe(ENTRYPOINT);
    expect(bundle.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bundle.data).toEqual({});
  });

  it('lists the non-test sources only, sorted, with their digests', () => {
    expect(bundle.sources.map((s) => s.path)).toEqual([
      'policies/admission.rego',
      'policies/exposure.rego',
      'policies/main.rego',
      'policies/merge.rego',
      'policies/safety.rego',
      'policies/text.rego',
    ]);
    for (const s of bundle.sources) expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same digest for the same sources anywhere, and another for a changed source', async () => {
    const a = join(tmp, 'a', 'policies');
    await cp(POLICIES, a, { recursive: true });
    await writeFile(join(a, 'notes_test.rego'), 'package salve.notes_test\n\ntest_x if true\n');
    const copy = await buildBundle([a]);
    expect(copy.digest).toBe(bundle.digest);

    const b = join(tmp, 'b', 'policies');
    await cp(POLICIES, b, { recursive: true });
    await writeFile(join(b, 'extra.rego'), 'package salve.extra\n\nx := 1\n');
    const changed = await buildBundle([b]);
    expect(changed.digest).not.toBe(bundle.digest);
    expect(changed.sources.map((s) => s.path)).toContain('policies/extra.rego');
  });

  it('returns the cached build for unchanged sources', async () => {
    expect(await buildBundle([POLICIES])).toBe(bundle);
  });

  it('writes the compiled bundle to the disk cache, keyed by digest, and reads it back', async () => {
    const src = join(tmp, 'disk', 'policies');
    await cp(POLICIES, src, { recursive: true });
    await writeFile(join(src, 'disk.rego'), 'package salve.disk\n\nmarker := "disk"\n');
    const cacheDir = join(tmp, 'cache');
    const built = await buildBundle([src], { cacheDir });
    const entry = `bundle-${built.digest.slice('sha256:'.length)}.tar.gz`;
    expect(await readdir(cacheDir)).toEqual([entry]);

    // Without the memo and without a usable opa, only the disk cache can answer.
    forgetBuiltBundles();
    const noOpa = { SALVE_OPA: join(tmp, 'no-such-opa'), PATH: '' };
    const again = await buildBundle([src], { cacheDir, env: noOpa });
    expect(again.digest).toBe(built.digest);
    expect(again.wasm.equals(built.wasm)).toBe(true);

    // A damaged entry is rebuilt with opa.
    forgetBuiltBundles();
    await writeFile(join(cacheDir, entry), 'not a tarball');
    await expect(buildBundle([src], { cacheDir, env: noOpa })).rejects.toThrow(PolicyError);
    const rebuilt = await buildBundle([src], { cacheDir });
    expect(rebuilt.wasm.subarray(0, 4)).toEqual(Buffer.from([0x00, 0x61, 0x73, 0x6d]));
  });

  it('shares one disk cache between clones: a second clone of the same policies compiles nothing', async () => {
    const cacheDir = bundlesDir({ XDG_CACHE_HOME: join(tmp, 'xdg') });
    expect(cacheDir).toBe(join(tmp, 'xdg', 'salve', 'bundles'));
    const clones = [join(tmp, 'clone-a', 'policies'), join(tmp, 'clone-b', 'policies')];
    for (const dir of clones) {
      await cp(POLICIES, dir, { recursive: true });
      await writeFile(join(dir, 'shared.rego'), 'package salve.shared\n\nmarker := "shared"\n');
    }
    const first = await buildBundle([clones[0] as string], { cacheDir });
    forgetBuiltBundles();
    const noOpa = { SALVE_OPA: join(tmp, 'no-such-opa'), PATH: '' };
    const second = await buildBundle([clones[1] as string], { cacheDir, env: noOpa });
    expect(second.digest).toBe(first.digest);
    expect(second.wasm.equals(first.wasm)).toBe(true);
    expect(await readdir(cacheDir)).toEqual([`bundle-${first.digest.slice('sha256:'.length)}.tar.gz`]);
  });

  it('fills an empty disk cache from a memoised build', async () => {
    const cacheDir = join(tmp, 'late-cache');
    await buildBundle([POLICIES], { cacheDir });
    expect(await readdir(cacheDir)).toEqual([`bundle-${bundle.digest.slice('sha256:'.length)}.tar.gz`]);
  });

  it('combines several directories, e.g. salve defaults and a config repo', async () => {
    const extra = join(tmp, 'repo-policies');
    await mkdir(extra, { recursive: true });
    await writeFile(join(extra, 'team.rego'), 'package salve.team\n\nowner := "payments"\n');
    const both = await buildBundle([POLICIES, extra]);
    expect(both.sources.map((s) => s.path)).toContain('repo-policies/team.rego');
    expect(both.sources).toHaveLength(7);
  });

  it('reports a Rego error with the original file path', async () => {
    const dir = join(tmp, 'broken');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'main.rego'), 'package salve.main\n\ndecision := {\n');
    const err = await buildBundle([dir]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as Error).message).toContain(join(dir, 'main.rego'));
  });

  it('refuses a directory without policies and one that does not exist', async () => {
    const empty = join(tmp, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(buildBundle([empty])).rejects.toThrow(/no \.rego policies found/);
    await expect(buildBundle([join(tmp, 'missing')])).rejects.toThrow(/cannot be read/);
    await expect(buildBundle([])).rejects.toThrow(PolicyError);
  });
});
