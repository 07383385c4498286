/**
 * CrashLoopBackOff or ImagePullBackOff soon after the overlay's image changed: roll back to the
 * previous tag, found in the config repo's git history of the overlay's `images:` entry.
 */

import { parseDocument } from 'yaml';
import { formatDuration } from '../../model/duration.ts';
import { InputError } from '../../model/errors.ts';
import type { FileChange } from '../../model/index.ts';
import { setImage } from '../../render/index.ts';
import { reportedImages } from '../drift.ts';
import { compareImages } from '../images.ts';
import type { ActionPlugin } from '../types.ts';
import { containerPath, findWorkload, listParam, objectRef, pickContainer } from '../workload.ts';

/** `registry/repo:tag@digest` → its name (what an `images:` entry's `name` matches). */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The `images:` entries of a kustomization, by name. */
function imageEntries(text: string): Map<string, { newName?: string; newTag?: string }> {
  const value = parseDocument(text).toJS() as {
    images?: Array<{ name?: string; newName?: string; newTag?: string }>;
  } | null;
  const out = new Map<string, { newName?: string; newTag?: string }>();
  for (const e of value?.images ?? []) if (e.name) out.set(e.name, e);
  return out;
}

/**
 * When the failure showed up against when the release landed, from the evidence: the incident's
 * first signal, the commit that set the tag. The plan's own time only gives the release's age now.
 */
export function failureTiming(
  kinds: readonly string[],
  firstSeen: string,
  release: { tag: string; commit: string; time: string },
  releaseAgeSeconds: number,
): string {
  const lead = Math.round((Date.parse(firstSeen) - Date.parse(release.time)) / 1000);
  const landed = `${release.tag} landed in commit ${release.commit.slice(0, 7)} (at ${release.time})`;
  const relation =
    lead >= 0
      ? `came ${formatDuration(lead)} after ${landed}`
      : `came ${formatDuration(-lead)} before ${landed}: the release did not start it`;
  return `The first signal of the failure (${kinds.join(', ')}, at ${firstSeen}) ${relation}; the release is ${formatDuration(releaseAgeSeconds)} old now.`;
}

export const rollbackImage: ActionPlugin = {
  id: 'rollback-image',
  family: 'workload',
  disruption: 3,
  handles: ['CrashLoopBackOff', 'ImagePullBackOff'],
  description: 'Roll a container back to the image tag the overlay pinned before its last change.',

  async propose(incident, repo) {
    const workload = findWorkload(repo.objects, incident);
    if (!workload)
      return {
        action: this.id,
        reason: `${incident.target.kind}/${incident.target.name} is not rendered by ${repo.resolution.overlay}`,
      };
    const container = pickContainer(workload, incident);
    if (!container?.image) return { action: this.id, reason: 'cannot tell which container is failing' };
    // Roll back only what git renders: the failing image must be the rendered one (drift otherwise).
    const reported = reportedImages(incident).get(container.name);
    const match = reported ? compareImages(reported.image, container.image) : 'unknown';
    if (match === 'different') {
      return {
        action: this.id,
        reason: `container ${container.name} fails on ${reported?.image}, but git renders ${container.image}: the cluster drifted from git, and rolling git back would undo what git has`,
      };
    }
    const text = await repo.readFile(repo.kustomizationPath);
    const entries = text ? imageEntries(text) : new Map();
    const rendered = imageName(container.image);
    const entryName = [...entries.entries()].find(([name, e]) => name === rendered || e.newName === rendered)?.[0];
    if (!entryName) {
      return {
        action: this.id,
        reason: `the overlay pins no image for container ${container.name} (no images: entry for ${rendered})`,
      };
    }
    const history = await repo.imageHistory(entryName);
    const [current, previous] = history;
    if (!current || !previous) {
      return { action: this.id, reason: `no earlier tag of ${entryName} in the overlay's git history` };
    }
    const releaseAgeSeconds = Math.max(0, Math.round((repo.now.getTime() - Date.parse(current.time)) / 1000));
    const ref = objectRef(workload);
    const renderedName = entries.get(entryName)?.newName ?? entryName;
    return {
      action: this.id,
      params: {
        container: container.name,
        ...listParam(container),
        image: entryName,
        renderedImage: `${renderedName}:${previous.tag}`,
        fromTag: current.tag,
        toTag: previous.tag,
        ...(match === 'same' && reported ? { failingImage: reported.image } : {}),
      },
      summary: `roll back ${ref.kind}/${ref.name} container ${container.name} from ${entryName}:${current.tag} to ${previous.tag}`,
      rationale: [
        failureTiming(incident.kinds, incident.firstSeen, current, releaseAgeSeconds),
        `${previous.tag} ran before it (commit ${previous.commit.slice(0, 7)}); restoring it undoes the only recent change to the image.`,
        match === 'same'
          ? `The failing pods run ${reported?.image}, the image git renders (${container.image}).`
          : `No signal says which image the failing pods run${reported ? ` (${reported.image} cannot be compared with ${container.image} without the registry)` : ''}: a reviewer confirms it is ${container.image} before merging.`,
      ],
      object: ref,
      container: container.name,
      effects: this.effects(
        { container: container.name, ...listParam(container), renderedImage: `${renderedName}:${previous.tag}` },
        ref,
      ),
      releaseAgeSeconds,
    };
  },

  effects(params, object) {
    const ns = object.namespace ? { namespace: object.namespace } : {};
    const path = containerPath(String(params.container), '/image', params.containerList);
    return {
      fields: [{ kind: object.kind, name: object.name, ...ns, path, after: params.renderedImage }],
      objects: [],
    };
  },

  async render(candidate, repo): Promise<FileChange[]> {
    const before = await repo.readFile(repo.kustomizationPath);
    if (before === null) throw new InputError(`overlay ${repo.resolution.overlay} has no kustomization file`);
    const image = { name: String(candidate.params.image), newTag: String(candidate.params.toTag) };
    const after = setImage(before, image, repo.kustomizationPath, (text) => repo.note?.(text));
    return after === before ? [] : [{ path: repo.kustomizationPath, before, after }];
  },
};
