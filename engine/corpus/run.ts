/**
 * Runs salve over every deployable overlay of every test bed and checks the invariants for every
 * workload × container × action. Per test bed: a committed temp copy with one Application per
 * root; the resource actions first, then one replayed tag bump per kustomization that pins an
 * overlay's image (its own or a base's) and per manifest line that writes one no kustomization
 * pins, then the rollbacks. Cases of one workload run in order (they share a branch name per action); other
 * workloads run side by side.
 */
import pLimit from 'p-limit';
import type { ManifestImage } from '../actions/rollback-image/manifest.ts';
import { splitImage } from '../actions/rollback-image/pins.ts';
import { placeObjects } from '../check/identity.ts';
import type { K8sObject } from '../model/remediation.ts';
import { prepareContext } from '../pipeline/run.ts';
import { generateEphemeralKey } from '../policy/index.ts';
import { generateSigningIdentity } from '../publish/index.ts';
import { buildOverlay } from '../repo/build-overlay.ts';
import { unsupportedFeature } from '../repo/unsupported.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type CaseContext, type CaseResult, describeError, runCase, type SkipResult } from './case.ts';
import { type Case, casesFor, containersOf, pinsFor } from './cases.ts';
import { chooseManifestReleases, released, replayManifestReleases, replayTagBumps } from './tag-bump.ts';
import type { Testbed } from './testbeds.ts';
import { createWorkspace, DESTINATION_NAMESPACE, type Root, type Workspace } from './workspace.ts';

/** A weekday morning: inside business hours, so time rules do not decide the cases. */
export const CORPUS_NOW = new Date('2025-06-12T10:00:00Z');
export const BASE_TIME = new Date('2025-06-11T09:00:00Z');
export const BUMP_TIME = new Date('2025-06-12T09:40:00Z');

export interface CorpusResult {
  cases: CaseResult[];
  skips: SkipResult[];
}

export interface CorpusOptions {
  testbeds: readonly Testbed[];
  /** Overlays to run per test bed (default: every root). */
  overlays?: Readonly<Record<string, readonly string[]>>;
  concurrency: number;
  log: Logger;
  onResult?: (result: CaseResult | SkipResult) => void;
  /** Keep the temp repos (their paths are logged). */
  keep?: boolean;
}

/** The overlay as the cluster would hold it (namespace-less objects in the destination namespace). */
export async function renderOverlay(dir: string, overlay: string): Promise<K8sObject[]> {
  const { objects } = await buildOverlay(dir, overlay);
  return placeObjects(objects, DESTINATION_NAMESPACE);
}

/** Keys for one corpus run: the proof signing key and the OpenPGP identity commits are signed with. */
export async function corpusKeys(): Promise<CaseContext['keys']> {
  return {
    signingKey: generateEphemeralKey(),
    pgp: await generateSigningIdentity({ name: 'salve corpus', email: 'corpus@salve.invalid' }),
  };
}

/** What every case of a workspace shares, planned on its current HEAD. */
export async function caseContext(
  ws: Workspace,
  keys: CaseContext['keys'],
  log: Logger,
): Promise<Omit<CaseContext, 'cluster'>> {
  return {
    testbed: ws.testbed.name,
    repoDir: ws.dir,
    destination: DESTINATION_NAMESPACE,
    ctx: await prepareContext(ws.dir, { signingKey: keys.signingKey, now: CORPUS_NOW, log }),
    keys,
    now: CORPUS_NOW,
  };
}

function imageOf(objects: readonly K8sObject[], c: Case): string {
  const w = objects.find(
    (o) =>
      o.kind === c.workload.kind &&
      o.metadata.name === c.workload.name &&
      (o.metadata.namespace ?? '') === c.workload.namespace,
  );
  return (w ? containersOf(w) : []).find((x) => x.name === c.container.name)?.image ?? c.container.image;
}

/** Adoption happens in production; every fix is planned for the staging Application. */
export function clusterFor(root: Root, c: Case): string {
  return c.action === 'adopt-argo-rollouts' ? root.productionCluster : root.cluster;
}

/** Runs cases grouped by workload: in order within a group, groups side by side. */
async function runGroups(
  cases: readonly Case[],
  limit: ReturnType<typeof pLimit>,
  run: (c: Case) => Promise<void>,
): Promise<void> {
  const groups = new Map<string, Case[]>();
  for (const c of cases) {
    const key = `${c.overlay}\0${c.workload.kind}\0${c.workload.namespace}\0${c.workload.name}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  await Promise.all(
    [...groups.values()].map((group) =>
      limit(async () => {
        for (const c of group) await run(c);
      }),
    ),
  );
}

/** A manifest case whose line the replayed release left alone: another line of the same image was released. */
function notReleased(testbed: string, c: Case, m: ManifestImage, other: ManifestImage | null): SkipResult {
  const why = other
    ? `the replayed release of ${splitImage(m.image).name} edits ${other.file} line ${other.line}, which this overlay renders too: an images: entry rolling ${m.file} line ${m.line} back would also change it`
    : `${m.image} in ${m.file} line ${m.line} has no tag for a replayed release to bump`;
  return {
    testbed,
    overlay: c.overlay,
    workload: `${c.workload.kind}/${c.workload.name}`,
    action: 'rollback-image',
    reason: why,
  };
}

async function runTestbed(testbed: Testbed, opts: CorpusOptions, keys: CaseContext['keys'], out: CorpusResult) {
  const emit = (r: CaseResult | SkipResult) => {
    if ('checks' in r) out.cases.push(r);
    else out.skips.push(r);
    opts.onResult?.(r);
  };
  const ws = await createWorkspace(testbed, BASE_TIME, opts.overlays?.[testbed.name]);
  const log = opts.log.child({ testbed: testbed.name });
  if (opts.keep) log.info({ dir: ws.dir }, 'corpus workspace kept');
  const limit = pLimit(Math.max(1, opts.concurrency));
  try {
    const prepared: Array<{ root: Root; cases: Case[] }> = [];
    for (const root of ws.roots) {
      let objects: K8sObject[];
      try {
        objects = await renderOverlay(ws.dir, root.overlay);
      } catch (err) {
        const args = testbed.buildArgs.length > 0 ? ` (SOURCE.md: it needs ${testbed.buildArgs.join(' ')})` : '';
        const feature = unsupportedFeature(describeError(err));
        emit({
          testbed: testbed.name,
          overlay: root.overlay,
          workload: '-',
          action: '*',
          reason: feature
            ? `unsupported: ${feature.why}${args}`
            : `the overlay does not build${args}: ${describeError(err)}`,
        });
        continue;
      }
      const { cases, skips } = casesFor(root.overlay, objects, await pinsFor(ws.dir, root.overlay, objects));
      for (const s of skips) emit({ testbed: testbed.name, ...s });
      prepared.push({ root, cases });
    }
    const first = await caseContext(ws, keys, opts.log);
    const resources = prepared.flatMap(({ root, cases }) =>
      cases.filter((c) => c.action !== 'rollback-image').map((c) => ({ root, c })),
    );
    const byCase = new Map(resources.map(({ root, c }) => [c, root]));
    await runGroups([...byCase.keys()], limit, async (c) => {
      const root = byCase.get(c) as Root;
      emit(await runCase({ ...first, cluster: clusterFor(root, c) }, c, c.container.image));
    });
    const rollbacks = prepared.filter(({ cases }) => cases.some((c) => c.action === 'rollback-image'));
    if (rollbacks.length === 0) return;
    await replayTagBumps(
      ws.dir,
      rollbacks.flatMap(({ cases }) => cases.flatMap((c) => (c.pinnedIn ? [c.pinnedIn] : []))),
      BUMP_TIME,
    );
    const written = rollbacks.flatMap(({ cases }) =>
      cases.flatMap((c) => (c.writtenIn ? [{ overlay: c.overlay, line: c.writtenIn }] : [])),
    );
    const releases = chooseManifestReleases(written);
    await replayManifestReleases(ws.dir, releases, BUMP_TIME);
    const second = await caseContext(ws, keys, opts.log);
    const after = new Map<string, K8sObject[]>();
    for (const { root } of rollbacks) after.set(root.overlay, await renderOverlay(ws.dir, root.overlay));
    const pending = new Map<Case, Root>();
    for (const { root, cases } of rollbacks) {
      for (const c of cases.filter((x) => x.action === 'rollback-image')) {
        const m = c.writtenIn;
        const out = m ? released(releases, c.overlay, m) : true;
        if (out === true) pending.set(c, root);
        else if (m) emit(notReleased(testbed.name, c, m, out));
      }
    }
    await runGroups([...pending.keys()], limit, async (c) => {
      const root = pending.get(c) as Root;
      const image = imageOf(after.get(c.overlay) ?? [], c);
      emit(await runCase({ ...second, cluster: clusterFor(root, c) }, c, image));
    });
  } finally {
    if (!opts.keep) await ws.cleanup();
  }
}

export async function runCorpus(opts: CorpusOptions): Promise<CorpusResult> {
  const keys = await corpusKeys();
  const out: CorpusResult = { cases: [], skips: [] };
  for (const testbed of opts.testbeds) await runTestbed(testbed, opts, keys, out);
  return out;
}
