/**
 * The cases of one overlay: every workload × container × action, from the overlay as rendered.
 * An action that cannot apply (no limit to raise, no autoscaler, no pinned image) is a skip with
 * its reason, never silently left out.
 */
import { type ManifestFinding, type ManifestImage, manifestImage } from '../actions/rollback-image/manifest.ts';
import { effectivePin, type PinFinding, splitImage } from '../actions/rollback-image/pins.ts';
import type { K8sObject } from '../model/remediation.ts';
import { directoryTree } from '../repo/fs-tree.ts';

export const CORPUS_ACTIONS = [
  'raise-memory-limit',
  'raise-cpu-limit',
  'raise-hpa-max-replicas',
  'rollback-image',
  'adopt-argo-rollouts',
] as const;
export type CorpusAction = (typeof CORPUS_ACTIONS)[number];

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout']);

export interface ContainerRef {
  name: string;
  image: string;
  init: boolean;
  limits: Record<string, unknown>;
}

export interface Case {
  overlay: string;
  workload: { apiVersion: string; kind: string; name: string; namespace: string };
  container: ContainerRef;
  action: CorpusAction;
  /** For `adopt-argo-rollouts`: the fix whose signal, in production, makes salve propose the adoption first. */
  trigger?: 'raise-memory-limit' | 'raise-cpu-limit';
  /** For `rollback-image`: the kustomization whose tag a release bumps (the overlay's, or one it includes). */
  pinnedIn?: string;
  /** For `rollback-image` of an image no kustomization pins: the manifest line that writes it. */
  writtenIn?: ManifestImage;
}

export interface Skip {
  overlay: string;
  workload: string;
  action: CorpusAction | '*';
  reason: string;
}

interface PodSpec {
  containers?: Array<{ name?: string; image?: string; resources?: { limits?: Record<string, unknown> } }>;
  initContainers?: PodSpec['containers'];
}

function podSpecOf(workload: K8sObject): PodSpec {
  return ((workload.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec ?? {}) as PodSpec;
}

export function containersOf(workload: K8sObject): ContainerRef[] {
  const spec = podSpecOf(workload);
  const refs = (list: PodSpec['containers'], init: boolean): ContainerRef[] =>
    (list ?? []).map((c) => ({
      name: String(c.name ?? ''),
      image: String(c.image ?? ''),
      init,
      limits: c.resources?.limits ?? {},
    }));
  return [...refs(spec.containers, false), ...refs(spec.initContainers, true)];
}

/** `registry/repo:tag@digest` → `registry/repo`. */
export function imageName(image: string): string {
  return splitImage(image).name;
}

/** Per rendered container (sourceKey): the pin salve would roll back, the manifest line, or why there is none. */
export type ImagePins = ReadonlyMap<string, PinFinding | ManifestFinding>;

export function sourceKey(workload: { kind: string; name: string }, container: ContainerRef): string {
  return `${workload.kind}/${workload.name}\0${container.name}\0${container.image}`;
}

/**
 * Where the image of every container the overlay's workloads render is set, found in the committed
 * files of `dir` the way rollback-image finds it: the overlay's own images: entry, the outermost one
 * it reaches, or (none pinning it) the manifest line that writes it.
 */
export async function pinsFor(dir: string, overlay: string, objects: readonly K8sObject[]): Promise<ImagePins> {
  const tree = directoryTree(dir);
  const byImage = new Map<string, PinFinding>();
  const out = new Map<string, PinFinding | ManifestFinding>();
  for (const w of objects.filter((o) => WORKLOAD_KINDS.has(o.kind))) {
    for (const c of containersOf(w)) {
      const pin = byImage.get(c.image) ?? (await effectivePin(tree, overlay, c.image, c.name));
      byImage.set(c.image, pin);
      const target = { kind: w.kind, name: w.metadata.name, container: c.name, image: c.image };
      const found = 'reason' in pin && pin.unpinned ? await manifestImage(tree, overlay, target) : pin;
      out.set(sourceKey(target, c), found);
    }
  }
  return out;
}

function autoscaled(objects: readonly K8sObject[], workload: K8sObject): boolean {
  return objects.some((o) => {
    if (o.kind !== 'HorizontalPodAutoscaler') return false;
    const ref = (o.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
    return (
      ref?.kind === workload.kind &&
      ref.name === workload.metadata.name &&
      (o.metadata.namespace ?? '') === (workload.metadata.namespace ?? '')
    );
  });
}

/**
 * Cases and skips for one overlay. `objects` is the overlay as rendered (namespace-less objects
 * already placed in the destination namespace); `pins` where each rendered image is pinned.
 */
export function casesFor(
  overlay: string,
  objects: readonly K8sObject[],
  pins: ImagePins,
): { cases: Case[]; skips: Skip[] } {
  const cases: Case[] = [];
  const skips: Skip[] = [];
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  if (workloads.length === 0)
    skips.push({ overlay, workload: '-', action: '*', reason: 'the overlay renders no workload' });
  for (const w of workloads) {
    const workload = {
      apiVersion: w.apiVersion,
      kind: w.kind,
      name: w.metadata.name,
      namespace: w.metadata.namespace ?? '',
    };
    const label = `${w.kind}/${w.metadata.name}`;
    const skip = (action: CorpusAction, reason: string) => skips.push({ overlay, workload: label, action, reason });
    const containers = containersOf(w);
    for (const container of containers) {
      const where = `${container.init ? 'init container' : 'container'} ${container.name}`;
      for (const action of ['raise-memory-limit', 'raise-cpu-limit'] as const) {
        const resource = action === 'raise-memory-limit' ? 'memory' : 'cpu';
        if (container.limits[resource] === undefined) skip(action, `${where} has no ${resource} limit to raise`);
        else cases.push({ overlay, workload, container, action });
      }
      const found = pins.get(sourceKey(workload, container));
      if (!found || 'reason' in found)
        skip('rollback-image', found?.reason ?? `no pin was looked for ${where} (${imageName(container.image)})`);
      else if ('manifest' in found)
        cases.push({ overlay, workload, container, action: 'rollback-image', writtenIn: found.manifest });
      else cases.push({ overlay, workload, container, action: 'rollback-image', pinnedIn: found.pin.file });
    }
    const first = containers[0];
    if (!autoscaled(objects, w)) skip('raise-hpa-max-replicas', 'no HorizontalPodAutoscaler scales it');
    else if (first) cases.push({ overlay, workload, container: first, action: 'raise-hpa-max-replicas' });
    if (w.kind === 'Deployment') {
      // A production fix that deserves a canary: with rollouts.adopt, salve proposes the adoption first.
      const limited = containers.find((c) => !c.init && (c.limits.memory !== undefined || c.limits.cpu !== undefined));
      if (!limited)
        skip('adopt-argo-rollouts', 'none of its containers has a limit to raise: no fix for the adoption to precede');
      else {
        const trigger = limited.limits.memory !== undefined ? 'raise-memory-limit' : 'raise-cpu-limit';
        cases.push({ overlay, workload, container: limited, action: 'adopt-argo-rollouts', trigger });
      }
    }
  }
  return { cases, skips };
}
