/**
 * The release of an image written in a manifest: the container's `image:` line's history gives what
 * ran before, the rollback is an `images:` entry in the overlay (layered.ts), and the explanation
 * says where the release landed and what that entry holds back.
 */
import type { K8sObject } from '../../model/remediation.ts';
import type { RepoView } from '../types.ts';
import type { ManifestImage } from './manifest.ts';
import { type PinField, splitImage } from './pins.ts';

export interface Revision {
  tag: string;
  field: PinField;
  commit: string;
  time: string;
}

/** The version an image string carries, in the field an `images:` entry sets it by; null for none. */
export function versionOf(image: string): { tag: string; field: PinField } | null {
  const parts = splitImage(image);
  if (parts.digest !== undefined) return { tag: parts.digest, field: 'digest' };
  if (parts.tag !== undefined) return { tag: parts.tag, field: 'newTag' };
  return null;
}

const DEPTH_LIMIT = 12;

/** Every container of every rendered object (CronJobs' too) whose image is named `name`, but the one given. */
export function otherUsers(
  objects: readonly K8sObject[],
  name: string,
  except: { object: K8sObject; container: string },
): Array<{ where: string; image: string }> {
  const out: Array<{ where: string; image: string }> = [];
  const visit = (node: unknown, o: K8sObject, depth: number) => {
    if (depth > DEPTH_LIMIT || typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
        for (const c of value as Array<{ name?: unknown; image?: unknown }>) {
          if (typeof c?.image !== 'string' || splitImage(c.image).name !== name) continue;
          if (o === except.object && c.name === except.container) continue;
          out.push({ where: `${o.kind}/${o.metadata.name} container ${String(c.name)}`, image: c.image });
        }
      } else visit(value, o, depth + 1);
    }
  };
  for (const o of objects) visit(o.spec, o, 0);
  return out;
}

/** The current and previous images of a manifest's container, or why salve cannot roll it back. */
export async function manifestRevisions(
  repo: RepoView,
  m: ManifestImage,
): Promise<{ current: Revision; previous: Revision } | { reason: string }> {
  if (!repo.manifestImageHistory) return { reason: `the history of ${m.file} is not available` };
  const history = await repo.manifestImageHistory(m.file, { kind: m.kind, name: m.name, container: m.container });
  const [current, previous] = history;
  const where = `${m.kind}/${m.name} container ${m.container} in ${m.file}`;
  if (!current || current.image !== m.image || !previous) {
    return { reason: `no earlier image of ${where} in the git history of ${m.file}` };
  }
  const name = splitImage(m.image).name;
  if (splitImage(previous.image).name !== name) {
    return {
      reason: `before commit ${current.commit.slice(0, 7)}, ${where} ran ${previous.image}, another image than ${name}: an images: entry sets a version, not a whole image`,
    };
  }
  const now = versionOf(current.image);
  const before = versionOf(previous.image);
  if (!now || !before) {
    return {
      reason: `${where} ran ${previous.image} before ${current.image}: one of them names no tag or digest to pin`,
    };
  }
  return {
    current: { ...now, commit: current.commit, time: current.time },
    previous: { ...before, commit: previous.commit, time: previous.time },
  };
}

export function manifestRationale(opts: {
  manifest: ManifestImage;
  current: Revision;
  previous: Revision;
  kustomizationPath: string;
  entryName: string;
  line: number | null;
}): string[] {
  const { manifest: m, current, previous, kustomizationPath, entryName, line } = opts;
  const where = `${kustomizationPath}${line === null ? '' : ` line ${line}`}`;
  return [
    `The release landed in ${m.file} line ${m.line}: commit ${current.commit.slice(0, 7)} set the image of ${m.kind}/${m.name} container ${m.container} to ${m.image} there; no kustomization pins it.`,
    `This change pins ${previous.tag} in the overlay's own kustomization (${kustomizationPath}): an images: entry overrides the image written in ${m.file} for this overlay only. Other overlays that include ${m.file} still run ${current.tag}.`,
    `A later edit of ${m.file} line ${m.line} will not reach this overlay until that pin is removed: the images: entry ${entryName} at ${where}.`,
  ];
}
