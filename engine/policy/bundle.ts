/**
 * Compiles policy directories to a wasm bundle with `opa build -t wasm`, cached by source digest
 * in memory and, when asked, on disk.
 */
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PolicyError } from '../model/errors.ts';
import { locateOpa } from '../tools/index.ts';
import { execTool } from './exec.ts';
import { collectSources, type PolicySource, sourcesDigest } from './sources.ts';
import { readTarGz } from './tar.ts';

export const ENTRYPOINT = 'salve/main/decision';
/** The exposure plan (`policies/exposure.rego`), decided before the exposure objects are rendered. */
export const EXPOSURE_ENTRYPOINT = 'salve/exposure/plan';

export interface PolicyBundle {
  wasm: Buffer;
  data: unknown;
  /** `sha256:<hex>` over the entrypoint and the sorted sources (see sourcesDigest). */
  digest: string;
  entrypoint: string;
  /** EXPOSURE_ENTRYPOINT when a source declares `package salve.exposure`; the set follows from the sources. */
  exposureEntrypoint?: string;
  sources: { path: string; sha256: string }[];
}

export interface BuildOptions {
  /** Directory for compiled bundles, keyed by digest; created when missing. */
  cacheDir?: string;
  /** Read a compiled bundle from cacheDir, never write one there (a dry run). */
  readOnly?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
}

interface Built {
  archive: Buffer;
  bundle: PolicyBundle;
}

/** Memoises a pure function of the sources: same digest, same bundle. */
const built = new Map<string, Promise<Built>>();

/** Drops the in-memory builds (the disk cache stays). */
export function forgetBuiltBundles(): void {
  built.clear();
}

export async function buildBundle(policyDirs: string[], opts: BuildOptions = {}): Promise<PolicyBundle> {
  const sources = await collectSources(policyDirs);
  const digest = sourcesDigest(ENTRYPOINT, sources);
  const cached = opts.cacheDir ? join(opts.cacheDir, `bundle-${digest.slice('sha256:'.length)}.tar.gz`) : null;
  let pending = built.get(digest);
  if (!pending) {
    pending = load(policyDirs, sources, digest, cached, opts);
    built.set(digest, pending);
    pending.catch(() => built.delete(digest));
  }
  const { archive, bundle } = await pending;
  if (cached && !opts.readOnly && !(await exists(cached))) await writeAtomically(cached, archive);
  return bundle;
}

async function load(
  policyDirs: string[],
  sources: PolicySource[],
  digest: string,
  cached: string | null,
  opts: BuildOptions,
): Promise<Built> {
  const fromDisk = cached ? await readFile(cached).catch(() => null) : null;
  if (fromDisk) {
    // A damaged cache entry is rebuilt, not trusted.
    const bundle = await unpack(fromDisk, sources, digest).catch(() => null);
    if (bundle) return { archive: fromDisk, bundle };
  }
  const archive = await runOpaBuild(policyDirs, sources, opts);
  if (cached && !opts.readOnly) await writeAtomically(cached, archive);
  const bundle = await unpack(archive, sources, digest);
  return { archive, bundle };
}

async function unpack(archive: Buffer, sources: PolicySource[], digest: string): Promise<PolicyBundle> {
  const members = await readTarGz(archive);
  const wasm = members.get('/policy.wasm');
  const data = members.get('/data.json');
  if (!wasm) throw new PolicyError(`policy bundle ${digest} has no /policy.wasm`);
  return {
    wasm,
    data: data ? JSON.parse(data.toString('utf8')) : {},
    digest,
    entrypoint: ENTRYPOINT,
    ...(declaresExposure(sources) ? { exposureEntrypoint: EXPOSURE_ENTRYPOINT } : {}),
    sources: sources.map((s) => ({ path: s.path, sha256: s.sha256 })),
  };
}

function declaresExposure(sources: readonly PolicySource[]): boolean {
  return sources.some((s) => /^package salve\.exposure\s*$/m.test(s.content));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Copies the non-test sources to a temp tree (so tests and data files stay out) and builds it. */
async function runOpaBuild(policyDirs: string[], sources: PolicySource[], opts: BuildOptions): Promise<Buffer> {
  const tmp = await mkdtemp(join(tmpdir(), 'salve-opa-build-'));
  try {
    for (const s of sources) {
      const to = join(tmp, 'src', String(s.dirIndex), s.relPath);
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, s.content);
    }
    const out = join(tmp, 'bundle.tar.gz');
    const entrypoints = declaresExposure(sources) ? [ENTRYPOINT, EXPOSURE_ENTRYPOINT] : [ENTRYPOINT];
    const args = ['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '-o', out, join(tmp, 'src')];
    const run = await execTool(locateOpa(opts.env), args).catch((err: unknown) => {
      throw new PolicyError(`opa build could not run: ${(err as Error).message}`, { cause: err });
    });
    if (run.code !== 0) {
      let message = `${run.stdout}\n${run.stderr}`.trim();
      // Name the files the user wrote, not the temp copies.
      for (const [i, dir] of policyDirs.entries()) message = message.split(join(tmp, 'src', String(i))).join(dir);
      throw new PolicyError(`policy build failed: ${message}`);
    }
    return await readFile(out);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const part = `${path}.${process.pid}.${Date.now()}.part`;
  await writeFile(part, bytes);
  await rename(part, path);
}
