/**
 * The Argo CD Application that owns an overlay, found in the cluster by its source path, and whether
 * it reports the merge commit (or a descendant) synced with its health settled.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { ARGO_GROUP, ARGO_VERSION } from '../cluster/argo/sources.ts';
import { normalisePath } from '../repo/applications.ts';
import type { SyncView } from './types.ts';

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export interface ApplicationRef {
  name: string;
  namespace: string;
}

/** Is `revision` the merge commit or one of its descendants? (GitHub's compare API in production.) */
export type DescendantCheck = (mergeSha: string, revision: string) => Promise<boolean>;

function sourcePaths(spec: Json): string[] {
  const sources = [rec(spec.source), ...(Array.isArray(spec.sources) ? spec.sources.map(rec) : [])];
  return sources
    .map((s) => str(s.path))
    .filter((p): p is string => p !== null)
    .map(normalisePath);
}

/**
 * The Applications whose source path is the overlay; several (one per cluster) are narrowed to the
 * one whose destination names the target's cluster. Returns them all when that does not decide.
 */
export async function findApplications(
  custom: CustomObjectsApi,
  overlay: string,
  cluster: string,
  namespaces: string[] | null,
): Promise<ApplicationRef[]> {
  const base = { group: ARGO_GROUP, version: ARGO_VERSION, plural: 'applications' };
  const lists = namespaces
    ? await Promise.all(namespaces.map((namespace) => custom.listNamespacedCustomObject({ ...base, namespace })))
    : [await custom.listClusterCustomObject(base)];
  const items = lists.flatMap((l) => ((l as { items?: unknown[] }).items ?? []).map(rec));
  const owning = items.filter((a) => sourcePaths(rec(a.spec)).includes(normalisePath(overlay)));
  const here = owning.filter((a) => {
    const d = rec(rec(a.spec).destination);
    return d.name === cluster || d.server === cluster;
  });
  return (here.length > 0 ? here : owning).map((a) => ({
    name: String(rec(a.metadata).name),
    namespace: String(rec(a.metadata).namespace),
  }));
}

export async function readSync(
  custom: CustomObjectsApi,
  app: ApplicationRef,
  mergeSha: string,
  isDescendant: DescendantCheck,
): Promise<SyncView> {
  const obj = rec(
    await custom.getNamespacedCustomObject({
      group: ARGO_GROUP,
      version: ARGO_VERSION,
      plural: 'applications',
      namespace: app.namespace,
      name: app.name,
    }),
  );
  const status = rec(obj.status);
  const sync = rec(status.sync);
  const revisions = Array.isArray(sync.revisions) ? sync.revisions.map(str) : [];
  const revision = str(sync.revision) ?? revisions.find((r) => r !== null) ?? null;
  const syncStatus = str(sync.status);
  const health = str(rec(status.health).status);
  const message = str(rec(status.health).message) ?? str(rec(status.operationState).message);
  const atMerge =
    syncStatus === 'Synced' &&
    revision !== null &&
    /^[0-9a-f]{40}$/.test(revision) &&
    (revision === mergeSha || (await isDescendant(mergeSha, revision)));
  const settled = syncStatus === 'Synced' && atMerge && health !== null && health !== 'Progressing';
  return {
    application: `${app.namespace}/${app.name}`,
    settled,
    revision,
    syncStatus,
    health,
    ...(message ? { message: message.slice(0, 300) } : {}),
  };
}
