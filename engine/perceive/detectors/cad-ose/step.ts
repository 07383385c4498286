/**
 * One step of cad-ose. The whole previous left semantic → the facts sensed now is the step's
 * zero-level context. The contexts whose left side lay inside the previous left semantic predicted
 * their right side: those it came true for are active. When the zero-level context is new, the
 * step also proposes generalisations: every earlier zero-level context crossed with this step (the
 * part of its left side that was present, at most `maxLeft` facts → the part of its right side
 * that happened). Score: (1 − active/predicting + new/proposed) / 2, the second term only when the
 * zero-level context is new. The next left semantic is the sensed facts and the `maxActive` active
 * contexts confirmed most often.
 */
import { type Context, type ContextBook, keyOf, NEURON } from './contexts.ts';

export interface StepOptions {
  maxLeft: number;
  maxActive: number;
}

const cross = (xs: readonly number[], set: ReadonlySet<number>) => xs.filter((f) => set.has(f));

/** The generalisations of earlier zero-level contexts whose left side was only partly present. */
function partial(book: ContextBook, before: ReadonlySet<number>, now: ReadonlySet<number>, maxLeft: number) {
  const out: Array<[number[], number[]]> = [];
  for (const { left, ids } of book.zeroByLeft.values()) {
    const l = cross(left, before);
    if (l.length === 0 || l.length === left.length || l.length > maxLeft) continue;
    for (const id of ids) {
      const r = cross((book.contexts[id] as Context).right, now);
      if (r.length > 0) out.push([l, r]);
    }
  }
  return out;
}

export function step(
  book: ContextBook,
  left: readonly number[],
  sensed: readonly number[],
  o: StepOptions,
): { score: number; left: number[] } {
  const before = new Set(left);
  const now = new Set(sensed);
  const zeroLeft = [...left].sort((a, b) => a - b);
  const zeroId = left.length > 0 ? book.add(zeroLeft, [...sensed], true) : -1;
  const zeroNew = zeroId >= 0;
  const active: number[] = [];
  const proposals: Array<[number[], number[]]> = [];
  let predicting = 0;
  for (const id of left.length > 0 ? book.predicting(before) : []) {
    if (id === zeroId) continue;
    predicting++;
    const c = book.contexts[id] as Context;
    const r = cross(c.right, now);
    if (r.length === c.right.length) {
      c.confirmed++;
      active.push(id);
    } else if (zeroNew && c.zero && r.length > 0 && c.left.length <= o.maxLeft) proposals.push([c.left, r]);
  }
  let newShare = 0;
  if (zeroNew) {
    proposals.push(...partial(book, before, now, o.maxLeft));
    const seen = new Set<string>([keyOf(zeroLeft, sensed)]);
    let created = 1;
    for (const [l, r] of proposals) {
      const key = keyOf(l, r);
      if (seen.has(key)) continue;
      seen.add(key);
      if (book.add(l, r, false) >= 0) created++;
    }
    newShare = created / seen.size;
  }
  const confirmedShare = predicting > 0 ? active.length / predicting : 0;
  const strength = (id: number) => (book.contexts[id] as Context).confirmed;
  active.sort((a, b) => strength(b) - strength(a) || a - b);
  return {
    score: (1 - confirmedShare + newShare) / 2,
    left: [...sensed, ...active.slice(0, o.maxActive).map((id) => NEURON + id)],
  };
}
