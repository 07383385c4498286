/** The rendered diff in two parts: what the exposure declared, and the remediation's own change. */
import type { RenderedDiff } from '../../model/index.ts';
import type { DeclaredEffect, DeclaredObject } from '../../model/remediation.ts';
import { canonicalDiff } from '../../policy/proof.ts';

interface Ref {
  kind: string;
  name: string;
  namespace?: string | undefined;
}

const same = (d: Ref, a: Ref) =>
  d.kind === a.kind && d.name === a.name && (d.namespace === undefined || d.namespace === a.namespace);

export function splitDiff(
  diff: RenderedDiff,
  effects: { fields: readonly DeclaredEffect[]; objects: readonly DeclaredObject[] },
): { remediation: RenderedDiff; exposure: RenderedDiff } {
  const isExposureField = (f: RenderedDiff['fields'][number]) =>
    effects.fields.some((e) => e.path === f.path && same(e, f));
  const isExposureObject = (o: RenderedDiff['objects'][number]) =>
    effects.objects.some((e) => e.op === o.op && same(e, o));
  return {
    remediation: {
      fields: diff.fields.filter((f) => !isExposureField(f)),
      objects: diff.objects.filter((o) => !isExposureObject(o)),
    },
    exposure: { fields: diff.fields.filter(isExposureField), objects: diff.objects.filter(isExposureObject) },
  };
}

/** Both parts together, in canonical order (compare with `canonicalDiff` of a rendered diff). */
export function joinDiffs(a: RenderedDiff, b: RenderedDiff): RenderedDiff {
  return canonicalDiff({ fields: [...a.fields, ...b.fields], objects: [...a.objects, ...b.objects] });
}
