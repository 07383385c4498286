/**
 * Drift: the image a failing container runs is not the one git renders for it. The cluster then
 * runs something git does not say (a manual `kubectl set image`, another tool, a sync that failed):
 * salve reports it with the evidence and proposes no change, since any edit of git would be
 * reviewed against a baseline that is not what runs, and a rollback would undo what git has.
 */
import { parseDocument } from 'yaml';
import type { Incident } from '../model/index.ts';
import type { DriftFinding, K8sObject } from '../model/remediation.ts';
import { MAX_ALIAS_COUNT } from '../repo/bounded-yaml.ts';
import { treeOf } from '../repo/source.ts';
import { readFileText, readManyText } from '../repo/tree.ts';
import { compareImages, parseImage } from './images.ts';
import { entryLine } from './rollback-image/layered.ts';
import { findPins } from './rollback-image/pins.ts';
import type { RepoView } from './types.ts';
import { containersOf } from './workload.ts';

const MAX_SCAN_FILES = 20_000;
const MAX_FILE_BYTES = 1_000_000;

/** container → the image the signals say it runs (pod status `image`, alert label `image`). */
export function reportedImages(incident: Incident): Map<string, { image: string; source: string }> {
  const out = new Map<string, { image: string; source: string }>();
  for (const s of incident.signals) {
    const label = s.labels.image;
    const container = s.container ?? s.labels.container;
    if (label && container && !out.has(container)) out.set(container, { image: label, source: `${s.source} ${s.id}` });
    for (const e of s.evidence) {
      const image = e.data?.image;
      const c = e.data?.container ?? container;
      if (typeof image === 'string' && typeof c === 'string' && !out.has(c)) out.set(c, { image, source: e.source });
    }
  }
  return out;
}

/**
 * Where git sets the image: the overlay's `images:` entry, else the outermost entry that pins it in
 * a kustomization the overlay includes, else the first manifest line naming it.
 */
async function whereGitSets(repo: RepoView, rendered: string): Promise<string> {
  const name = parseImage(rendered).name;
  const text = await repo.readFile(repo.kustomizationPath);
  if (text !== null) {
    type Images = { images?: Array<Record<string, string>> } | null;
    const doc = ((): Images => {
      try {
        return parseDocument(text).toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Images;
      } catch {
        return null; // an alias bomb sets no image
      }
    })();
    const entry = (doc?.images ?? []).find(
      (e) => (e.newName && parseImage(e.newName).name === name) || (e.name && parseImage(e.name).name === name),
    );
    if (entry?.name) {
      const line = text.split('\n').findIndex((l) => l.includes(entry.name as string)) + 1;
      const pin = entry.newTag ? `newTag: ${entry.newTag}` : entry.digest ? `digest: ${entry.digest}` : 'no tag';
      return `${repo.kustomizationPath}:${line} (images: entry ${entry.name}, ${pin})`;
    }
  }
  // The commit salve plans on (the view's tree), never a working tree.
  const tree = treeOf(repo.tree ?? repo.dir);
  // A pin in a kustomization the overlay includes (a base's images: entry).
  const [pin] = await findPins(tree, repo.resolution.overlay, name);
  if (pin) {
    const line = entryLine((await readFileText(tree, pin.file)) ?? '', pin.entry.name);
    return `${pin.file}${line === null ? '' : `:${line}`} (images: entry ${pin.entry.name}, ${pin.field}: ${pin.value})`;
  }
  const files = (await tree.files())
    .filter((f) => /\.ya?ml$/.test(f.path) && f.size <= MAX_FILE_BYTES)
    .slice(0, MAX_SCAN_FILES)
    .map((f) => f.path);
  const bare = rendered.replace(/^docker\.io\//, '');
  for (const [file, body] of await readManyText(tree, files, MAX_FILE_BYTES)) {
    if (!body.includes(bare)) continue;
    const line = body.split('\n').findIndex((l) => /^\s*-?\s*image:/.test(l) && l.includes(bare)) + 1;
    if (line > 0) return `${file}:${line}`;
  }
  return `the rendered overlay ${repo.resolution.overlay} (no file in the repo names ${rendered} literally)`;
}

/** The first container whose reported image differs from the rendered one, as a finding; else null. */
export async function findImageDrift(
  incident: Incident,
  workload: K8sObject,
  repo: RepoView,
): Promise<DriftFinding | null> {
  const reported = reportedImages(incident);
  for (const container of containersOf(workload)) {
    const seen = reported.get(container.name);
    if (!seen || !container.image || compareImages(seen.image, container.image) !== 'different') continue;
    const where = await whereGitSets(repo, container.image);
    return {
      target: { ...incident.target, container: container.name },
      overlay: repo.resolution.overlay,
      application: repo.resolution.application.name,
      failingImage: seen.image,
      renderedImage: container.image,
      gitSetsItIn: where,
      evidenceSource: seen.source,
      summary: `${incident.target.kind}/${incident.target.name} container ${container.name} runs ${seen.image}, but git renders ${container.image} (${where}): the cluster has drifted from git, or another tool set the image. salve proposes no change; bring the cluster back to git (an Argo CD sync) or put the intended image in git.`,
    };
  }
  return null;
}
