/**
 * CrashLoopBackOff or ImagePullBackOff soon after the overlay's image changed: roll back to the
 * previous tag (or digest), found in the git history of the `images:` entry that pins it: the
 * overlay's own, or one in a kustomization it includes (pins.ts); when none pins it, in the history
 * of the manifest line that writes it (manifest.ts). The change is always written in the overlay's
 * kustomization (layered.ts).
 */

import { formatDuration } from '../../model/duration.ts';
import { InputError } from '../../model/errors.ts';
import type { FileChange } from '../../model/index.ts';
import type { K8sObject } from '../../model/remediation.ts';
import { setImage } from '../../render/index.ts';
import { reportedImages } from '../drift.ts';
import { compareImages } from '../images.ts';
import type { ActionPlugin, RepoView } from '../types.ts';
import { containerPath, findWorkload, listParam, objectRef, pickContainer } from '../workload.ts';
import { entryLine, layeredRationale, overlayEntryName, overlayPin, withVersion } from './layered.ts';
import { type ManifestImage, manifestImage } from './manifest.ts';
import { manifestRationale, manifestRevisions, otherUsers, type Revision } from './manifest-release.ts';
import { effectivePin, type ImagePin, splitImage } from './pins.ts';

/**
 * Alertmanager's clock and the committer's may disagree by this much: a failure that began earlier
 * than that before the release was not started by it, and rolling the release back would not stop it.
 */
export const CLOCK_SKEW_SECONDS = 300;

/** Seconds from the release landing to the failure's first signal (negative: the failure came first). */
function leadSeconds(firstSeen: string, release: { time: string }): number {
  return Math.round((Date.parse(firstSeen) - Date.parse(release.time)) / 1000);
}

/**
 * When the failure showed up against when the release landed, from the evidence: the incident's
 * first signal, the commit that set the tag. Nothing here reads the plan's own clock: a rerun of the
 * same incident later writes the same words (the release's age now is the policy's, in the proof).
 */
export function failureTiming(
  kinds: readonly string[],
  firstSeen: string,
  release: { tag: string; commit: string; time: string },
): string {
  const lead = leadSeconds(firstSeen, release);
  const landed = `${release.tag} landed in commit ${release.commit.slice(0, 7)} (at ${release.time})`;
  const relation =
    lead >= 0
      ? `came ${formatDuration(lead)} after ${landed}`
      : `came ${formatDuration(-lead)} before ${landed}, within the ${formatDuration(CLOCK_SKEW_SECONDS)} allowed for the alerting and git clocks to disagree`;
  return `The first signal of the failure (${kinds.join(', ')}, at ${firstSeen}) ${relation}.`;
}

/** Where the rendered image's version comes from, with its current and previous values. */
async function releaseSource(
  repo: RepoView,
  workload: K8sObject,
  container: string,
  image: string,
): Promise<{ current: Revision; previous: Revision; pin?: ImagePin; manifest?: ManifestImage } | { reason: string }> {
  if (!repo.tree) return { reason: "the commit's files are not available to find the image's pin" };
  const found = await effectivePin(repo.tree, repo.resolution.overlay, image, container);
  if ('pin' in found) {
    const { pin } = found;
    const [current, previous] = await repo.imageHistory(pin.entry.name, pin.file);
    if (!current || !previous)
      return { reason: `no earlier tag of ${pin.entry.name} in the git history of ${pin.file}` };
    return { current, previous, pin };
  }
  if (!found.unpinned) return found;
  const written = await manifestImage(repo.tree, repo.resolution.overlay, {
    kind: workload.kind,
    name: workload.metadata.name,
    container,
    image,
  });
  if ('reason' in written) return written;
  const revisions = await manifestRevisions(repo, written.manifest);
  return 'reason' in revisions ? revisions : { ...revisions, manifest: written.manifest };
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
    const renderedName = splitImage(container.image).name;
    const source = await releaseSource(repo, workload, container.name, container.image);
    if ('reason' in source) return { action: this.id, reason: source.reason };
    const { current, previous } = source;
    const lead = leadSeconds(incident.firstSeen, current);
    if (lead < -CLOCK_SKEW_SECONDS)
      return {
        action: this.id,
        reason: `the failure began ${formatDuration(-lead)} before ${current.tag} landed in commit ${current.commit.slice(0, 7)} (at ${current.time}): the release did not start it, so rolling it back would not stop it`,
      };
    const overlayText = (await repo.readFile(repo.kustomizationPath)) ?? '';
    const own = source.pin?.file === repo.kustomizationPath;
    const entryName = own && source.pin ? source.pin.entry.name : overlayEntryName(overlayText, renderedName);
    const renderedImage = withVersion(renderedName, previous);
    if (source.manifest) {
      // An images: entry changes every container of the overlay that runs this image.
      const others = otherUsers(repo.objects, renderedName, { object: workload, container: container.name });
      const changed = others.filter((o) => o.image !== withVersion(renderedName, previous));
      if (changed.length > 0) {
        return {
          action: this.id,
          reason: `an images: entry for ${renderedName} in the overlay would also change ${changed.map((o) => `${o.where} (${o.image})`).join(', ')}: more than the one container that failed`,
        };
      }
    }
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
    const line = own ? null : entryLine(setImage(overlayText, overlayPin(params), repo.kustomizationPath), entryName);
    const where = { current, previous, kustomizationPath: repo.kustomizationPath, line, entryName };
    const layered = source.manifest
      ? manifestRationale({ manifest: source.manifest, ...where })
      : own || !source.pin
        ? []
        : layeredRationale({ pin: source.pin, ...where });
    return {
      action: this.id,
      params,
      summary: `roll back ${ref.kind}/${ref.name} container ${container.name} from ${renderedName}:${current.tag} to ${previous.tag}`,
      rationale: [
        failureTiming(incident.kinds, incident.firstSeen, current),
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
