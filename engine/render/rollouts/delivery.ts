/**
 * Who already rolls out a workload's changes: an Argo Rollout (the target itself, or one whose
 * `workloadRef` names the Deployment) or a Flagger `Canary` (`spec.targetRef`). Looked for in the
 * rendered overlay first, then anywhere in the repo for the workload's namespace: a Canary often
 * lives in another folder than the Deployment it drives. A second controller would fight the first.
 */
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Delivery } from '../../model/policy.ts';
import type { K8sObject } from '../../model/remediation.ts';
import { MAX_ALIAS_COUNT } from '../../repo/bounded-yaml.ts';
import { type RepoSource, treeOf } from '../../repo/source.ts';
import { type RepoTree, readManyText } from '../../repo/tree.ts';
import { rolloutStrategy } from './strategy.ts';

export interface DeliveryTarget {
  kind: string;
  name: string;
  namespace?: string | undefined;
}

/** Bounds on the repo scan: a config repo is input, not trusted to be small. */
const MAX_FILES = 20_000;
const MAX_FILE_BYTES = 1_000_000;
const KUSTOMIZATIONS = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

type Ref = { apiVersion?: string; kind?: string; name?: string };

function refOf(o: K8sObject, key: 'workloadRef' | 'targetRef'): Ref | undefined {
  return (o.spec as Record<string, Ref | undefined> | undefined)?.[key];
}

/** The controller object, if `o` is one that drives `target`; namespace checked by the caller. */
function drives(o: K8sObject, target: DeliveryTarget): Delivery['controller'] | null {
  if (target.kind !== 'Deployment') return null;
  if (o.kind === 'Rollout' && o.apiVersion.startsWith('argoproj.io/')) {
    const ref = refOf(o, 'workloadRef');
    return ref?.kind === 'Deployment' && ref.name === target.name ? 'argo-rollouts' : null;
  }
  if (o.kind === 'Canary' && o.apiVersion.startsWith('flagger.app/')) {
    const ref = refOf(o, 'targetRef');
    return (ref?.kind ?? 'Deployment') === 'Deployment' && ref?.name === target.name ? 'flagger' : null;
  }
  return null;
}

function found(o: K8sObject, controller: Delivery['controller'], source: string, namespace?: string): Delivery {
  const ns = o.metadata.namespace ?? namespace;
  return {
    controller,
    kind: o.kind,
    name: o.metadata.name,
    ...(ns ? { namespace: ns } : {}),
    source,
    ...rolloutStrategy(o),
  };
}

/** In the rendered overlay: the workload and its controller share the render and the namespace. */
export function renderedDelivery(objects: readonly K8sObject[], target: DeliveryTarget): Delivery | null {
  if (target.kind === 'Rollout') {
    const self = objects.find((o) => o.kind === 'Rollout' && o.metadata.name === target.name);
    return self ? found(self, 'argo-rollouts', 'overlay', target.namespace) : null;
  }
  for (const o of objects) {
    const controller = drives(o, target);
    const sameNs = (o.metadata.namespace ?? target.namespace) === target.namespace;
    if (controller && sameNs) return found(o, controller, 'overlay', target.namespace);
  }
  return null;
}

async function nearestNamespace(tree: RepoTree, file: string, cache: Map<string, string | null>) {
  let dir = posix.dirname(file);
  for (;;) {
    const cached = cache.get(dir);
    if (cached !== undefined) return cached;
    let ns: string | null = null;
    for (const name of KUSTOMIZATIONS) {
      const path = dir === '.' ? name : `${dir}/${name}`;
      const text = (await readManyText(tree, [path], MAX_FILE_BYTES)).get(path) ?? null;
      if (text === null) continue;
      const m = /^namespace:\s*["']?([a-z0-9-]+)["']?\s*(#.*)?$/m.exec(text);
      ns = m?.[1] ?? null;
      break;
    }
    cache.set(dir, ns);
    if (ns !== null || dir === '.' || dir === '') return ns;
    dir = posix.dirname(dir);
  }
}

/**
 * Anywhere in the repo: a Rollout or Canary that names the Deployment, in its namespace (its own
 * `metadata.namespace`, or the `namespace:` of the nearest kustomization above its file).
 */
export async function repoDelivery(source: RepoSource, target: DeliveryTarget): Promise<Delivery | null> {
  if (target.kind !== 'Deployment') return null;
  // From the commit (or directory) salve plans on; files too large or linked out of the repo are skipped.
  const tree = treeOf(source);
  const yaml = (await tree.files()).filter((f) => /\.ya?ml$/.test(f.path) && f.size <= MAX_FILE_BYTES);
  const paths = yaml.slice(0, MAX_FILES).map((f) => f.path);
  // Only a file that names one of the kinds can declare one (a commit answers that in one search).
  const texts = await readManyText(
    tree,
    tree.mayContain ? await tree.mayContain(paths, ['Rollout', 'Canary']) : paths,
    MAX_FILE_BYTES,
  );
  const namespaces = new Map<string, string | null>();
  for (const [file, text] of texts) {
    if (!/kind:\s*["']?(Canary|Rollout)\b/.test(text) || !text.includes(target.name)) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) continue;
      let o: K8sObject | null;
      try {
        o = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as K8sObject | null;
      } catch {
        continue; // an alias bomb is no controller
      }
      if (!o || typeof o !== 'object' || typeof o.apiVersion !== 'string' || !o.metadata?.name) continue;
      const controller = drives(o, target);
      if (!controller) continue;
      const ns = o.metadata.namespace ?? (await nearestNamespace(tree, file, namespaces));
      if (ns === target.namespace) return found(o, controller, file, ns);
    }
  }
  return null;
}

/** Where results worked out from one commit are kept for the next run on it (the server's). */
export interface DeliveryMemo {
  once<T>(key: string, make: () => Promise<T>): Promise<T>;
}

/**
 * The overlay's render first, then the repo; `none` when no controller drives the workload. With
 * a memo of the commit `source` is, the repo's answer for a target is searched for once.
 */
export async function findDelivery(
  source: RepoSource,
  objects: readonly K8sObject[],
  target: DeliveryTarget,
  memo?: DeliveryMemo,
): Promise<Delivery> {
  const rendered = renderedDelivery(objects, target);
  if (rendered) return rendered;
  const search = () => repoDelivery(source, target);
  const key = `delivery\0${target.kind}\0${target.namespace ?? ''}\0${target.name}`;
  const found = await (memo ? memo.once(key, search) : search());
  // A kept answer is shared between runs: each gets its own copy.
  return found ? structuredClone(found) : { controller: 'none' as const };
}
