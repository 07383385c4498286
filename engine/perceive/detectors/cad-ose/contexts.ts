/**
 * The context dictionary of cad-ose: each context pairs a left semantic (a set of facts) with a
 * right one (sensor facts that followed it) and counts how often it came true (`confirmed`). A
 * context proposed as a whole step (the full left semantic → the facts sensed next) is
 * "zero-level"; only those are crossed with later steps to propose more general contexts. At most
 * `max` contexts are kept; once full, new ones are proposed but not stored.
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
  confirmed: number;
  zero: boolean;
}

export const keyOf = (left: readonly number[], right: readonly number[]) => `${left.join(',')}|${right.join(',')}`;

export class ContextBook {
  readonly contexts: Context[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly byAnchor = new Map<number, number[]>();
  /** Ids of the zero-level contexts, grouped by their left semantic. */
  readonly zeroByLeft = new Map<string, { left: number[]; ids: number[] }>();

  constructor(readonly max: number) {}

  /**
   * Stores a context unless known or the book is full (`left` and `right` sorted ascending);
   * returns its id when it is new, −1 otherwise. Proposing a known context as zero-level marks it so.
   */
  add(left: number[], right: number[], zero: boolean, confirmed = 0): number {
    const key = keyOf(left, right);
    const known = this.byKey.get(key);
    if (known !== undefined) {
      if (zero) this.markZero(known);
      return -1;
    }
    if (this.contexts.length >= this.max || left.length === 0 || right.length === 0) return -1;
    const id = this.contexts.length;
    this.contexts.push({ left, right, confirmed, zero: false });
    this.byKey.set(key, id);
    const anchor = left[left.length - 1] as number;
    const list = this.byAnchor.get(anchor);
    if (list) list.push(id);
    else this.byAnchor.set(anchor, [id]);
    if (zero) this.markZero(id);
    return id;
  }

  markZero(id: number) {
    const c = this.contexts[id] as Context;
    if (c.zero) return;
    c.zero = true;
    const k = c.left.join(',');
    const group = this.zeroByLeft.get(k);
    if (group) group.ids.push(id);
    else this.zeroByLeft.set(k, { left: c.left, ids: [id] });
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
