/**
 * The context dictionary of cad-ose: each context pairs a left semantic (a set of facts) with a
 * right one (the sensor facts that followed it), and counts how often its left side was present
 * (`selected`) and how often its right side then came true (`confirmed`). At most `max` contexts
 * are kept; once full, new ones are proposed but not stored.
 *
 * Facts are non-negative integers; a context's own id, offset by `NEURON`, is a fact too (an
 * active context feeds the next step's left semantic). Contexts are indexed by their largest left
 * fact, so finding those whose left side is inside the current facts visits only contexts anchored
 * on one of them (mostly on the few active contexts, since their facts are the largest).
 */
export const NEURON = 1 << 24;

export interface Context {
  left: number[];
  right: number[];
  selected: number;
  confirmed: number;
}

const keyOf = (left: readonly number[], right: readonly number[]) => `${left.join(',')}|${right.join(',')}`;

export class ContextBook {
  readonly contexts: Context[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly byAnchor = new Map<number, number[]>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.contexts.length;
  }

  /** Stores a context unless known or the book is full; `left` and `right` sorted ascending. */
  add(left: number[], right: number[], selected = 0, confirmed = 0): boolean {
    const key = keyOf(left, right);
    if (this.byKey.has(key) || this.contexts.length >= this.max || left.length === 0) return false;
    const id = this.contexts.length;
    this.contexts.push({ left, right, selected, confirmed });
    this.byKey.set(key, id);
    const anchor = left[left.length - 1] as number;
    const list = this.byAnchor.get(anchor);
    if (list) list.push(id);
    else this.byAnchor.set(anchor, [id]);
    return true;
  }

  has(left: readonly number[], right: readonly number[]): boolean {
    return this.byKey.has(keyOf(left, right));
  }

  /** Ids of the contexts whose left semantic is a subset of `facts`. */
  predicting(facts: ReadonlySet<number>): number[] {
    const out: number[] = [];
    for (const f of facts) {
      const ids = this.byAnchor.get(f);
      if (!ids) continue;
      for (const id of ids) {
        const left = (this.contexts[id] as Context).left;
        let inside = true;
        for (let i = left.length - 2; i >= 0 && inside; i--) inside = facts.has(left[i] as number);
        if (inside) out.push(id);
      }
    }
    return out;
  }
}
