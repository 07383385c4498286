/**
 * CrashLoopBackOff or ImagePullBackOff soon after the overlay's image changed: roll back to the
 * previous tag (or digest), found in the git history of the `images:` entry that pins it: the
 * overlay's own, or one in a kustomization it includes (pins.ts). The change is always written in
 * the overlay's kustomization (layered.ts).
 */

import { formatDuration } from '../../model/duration.ts';
import { InputError } from '../../model/errors.ts';
import type { FileChange } from '../../model/index.ts';
import { setImage } from '../../render/index.ts';
import { reportedImages } from '../drift.ts';
import { compareImages } from '../images.ts';
import type { ActionPlugin } from '../types.ts';
import { containerPath, findWorkload, listParam, objectRef, pickContainer } from '../workload.ts';
import { entryLine, layeredRationale, overlayEntryName, overlayPin, withVersion } from './layered.ts';
import { effectivePin, splitImage } from './pins.ts';

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
    if (!repo.tree) return { action: this.id, reason: "the commit's files are not available to find the image's pin" };
    const found = await effectivePin(repo.tree, repo.resolution.overlay, container.image, container.name);
    if ('reason' in found) return { action: this.id, reason: found.reason };
    const { pin } = found;
    const history = await repo.imageHistory(pin.entry.name, pin.file);
    const [current, previous] = history;
    if (!current || !previous) {
      return { action: this.id, reason: `no earlier tag of ${pin.entry.name} in the git history of ${pin.file}` };
    }
    const overlayText = (await repo.readFile(repo.kustomizationPath)) ?? '';
    const renderedName = splitImage(container.image).name;
    const own = pin.file === repo.kustomizationPath;
    const entryName = own ? pin.entry.name : overlayEntryName(overlayText, renderedName);
    const renderedImage = withVersion(renderedName, previous);
    const releaseAgeSeconds = Math.max(0, Math.round((repo.now.getTime() - Date.parse(current.time)) / 1000));
    const ref = objectRef(workload);
    const params = {
      container: container.name,
      ...listParam(container),
      image: entryName,
      renderedImage,
      fromTag: current.tag,
      toTag: previous.tag,
      toField: previous.field,
      ...(match === 'same' && reported ? { failingImage: reported.image } : {}),
    };
    const layered = own
      ? []
      : layeredRationale({
          pin,
          current,
          previous,
          kustomizationPath: repo.kustomizationPath,
          line: entryLine(setImage(overlayText, overlayPin(params), repo.kustomizationPath), entryName),
          entryName,
        });
    return {
      action: this.id,
      params,
      summary: `roll back ${ref.kind}/${ref.name} container ${container.name} from ${renderedName}:${current.tag} to ${previous.tag}`,
      rationale: [
        failureTiming(incident.kinds, incident.firstSeen, current, releaseAgeSeconds),
        `${previous.tag} ran before it (commit ${previous.commit.slice(0, 7)}); restoring it undoes the only recent change to the image.`,
        ...layered,
        match === 'same'
          ? `The failing pods run ${reported?.image}, the image git renders (${container.image}).`
          : `No signal says which image the failing pods run${reported ? ` (${reported.image} cannot be compared with ${container.image} without the registry)` : ''}: a reviewer confirms it is ${container.image} before merging.`,
      ],
      object: ref,
      container: container.name,
      effects: this.effects({ container: container.name, ...listParam(container), renderedImage }, ref),
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
    const after = setImage(before, overlayPin(candidate.params), repo.kustomizationPath, (text) => repo.note?.(text));
    return after === before ? [] : [{ path: repo.kustomizationPath, before, after }];
  },
};
