/** Which name and namespace a patch (or an object salve adds) in an overlay uses for a rendered object. */
import { placeObjects } from '../check/identity.ts';
import { apiGroup } from '../check/object-key.ts';
import { ConfigError } from '../model/errors.ts';
import type { K8sObject } from '../model/remediation.ts';
import { type OverlayTransforms, renamed } from './overlay.ts';

export interface PatchIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  /** The namespace the object has when the overlay's patches run; absent when it has none then. */
  namespace?: string;
}

/**
 * The identity a patch in this overlay matches `rendered` by. Why: kustomize applies an overlay's
 * own patches before its namespace, namePrefix and nameSuffix transforms, so a patch names the
 * object as the overlay's resources and components produce it, not as it renders (a patch named
 * `production-api` or missing an object's own namespace matches nothing).
 * `prePatch` is that production (render/pre-patch.ts); `rendered` is placed (check/identity.ts).
 */
export function patchIdentity(
  rendered: K8sObject,
  prePatch: readonly K8sObject[],
  transforms: OverlayTransforms,
  destination: string,
  file: string,
): PatchIdentity {
  const placed = placeObjects(prePatch, destination);
  const matches = prePatch.filter((o, i) => {
    const p = placed[i] as K8sObject;
    return (
      o.kind === rendered.kind &&
      apiGroup(o.apiVersion) === apiGroup(rendered.apiVersion) &&
      renamed(o.metadata.name, transforms) === rendered.metadata.name &&
      (transforms.namespace !== null || p.metadata.namespace === rendered.metadata.namespace)
    );
  });
  const what = `${rendered.kind} ${rendered.metadata.namespace ? `${rendered.metadata.namespace}/` : ''}${rendered.metadata.name}`;
  const [match] = matches;
  if (!match) {
    throw new ConfigError(
      `${file}: ${what} renders under a name or namespace none of the overlay's resources gives it (renamed after its patches, by a JSON6902 patch on metadata or a replacement): salve cannot name it in a patch`,
      { code: 'unsupported-late-rename' },
    );
  }
  if (matches.length > 1) {
    throw new ConfigError(
      `${file}: ${matches.length} objects of the overlay's resources become ${what} (${matches.map((m) => `${m.metadata.namespace ?? '(no namespace)'}/${m.metadata.name}`).join(', ')}): salve cannot tell which one a patch should name`,
      { code: 'unsupported-ambiguous-object' },
    );
  }
  return {
    apiVersion: match.apiVersion,
    kind: match.kind,
    name: match.metadata.name,
    ...(match.metadata.namespace ? { namespace: match.metadata.namespace } : {}),
  };
}
