/**
 * One step of cad-ose: the contexts predicting from the previous left semantic are checked against
 * the facts sensed now, proposals for new contexts are added to the book, and the next left
 * semantic is built from the sensed facts and the strongest confirmed contexts.
 */
import { type Context, type ContextBook, NEURON } from './contexts.ts';

export interface StepOptions {
  maxLeft: number;
  maxActive: number;
}

const asc = (a: number, b: number) => a - b;

export function step(
  book: ContextBook,
  left: readonly number[],
  sensed: readonly number[],
  o: StepOptions,
): { score: number; left: number[] } {
  const predicting = left.length > 0 ? book.predicting(new Set(left)) : [];
  const now = new Set(sensed);
  const active: number[] = [];
  const proposals: Array<[number[], number[]]> = [];
  for (const id of predicting) {
    const c = book.contexts[id] as Context;
    c.selected++;
    const crossed = c.right.filter((f) => now.has(f));
    if (crossed.length === c.right.length) {
      c.confirmed++;
      active.push(id);
    } else if (crossed.length > 0) proposals.push([c.left, crossed]);
  }
  if (left.length > 0) proposals.push([left.slice(0, o.maxLeft).sort(asc), [...sensed]]);
  const seen = new Set<string>();
  let created = 0;
  for (const [l, r] of proposals) {
    const key = `${l.join(',')}|${r.join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (book.add(l, r)) created++;
  }
  const confirmedShare = predicting.length > 0 ? active.length / predicting.length : 0;
  const newShare = seen.size > 0 ? created / seen.size : 0;
  const strength = (id: number) => book.contexts[id] as Context;
  active.sort((a, b) => {
    const x = strength(a);
    const y = strength(b);
    return y.confirmed - x.confirmed || y.left.length - x.left.length || a - b;
  });
  return {
    score: (1 - confirmedShare + newShare) / 2,
    left: [...sensed, ...active.slice(0, o.maxActive).map((id) => NEURON + id)],
  };
}
