/**
 * A Drain log-template miner (He, Zhu, Zheng, Lyu, "Drain: An Online Log Parsing Approach with
 * Fixed Depth Tree", ICWS 2017), written here.
 *
 * A line is masked (ids, numbers, addresses become `<:NAME:>`), split into tokens, and routed
 * down a tree of fixed depth: first by token count, then by its first `depth − 2` tokens (a token
 * with a digit, or a node that already has `maxChildren` children, goes to the `<*>` child). The
 * leaf holds templates; the line joins the most similar one (share of positions whose tokens are
 * equal) when that share reaches `similarity`, turning the positions that differ into `<*>`, and
 * starts a new template otherwise. At most `maxTemplates` templates are kept: a line that would need
 * another is counted under the overflow id.
 *
 * Ids are stable and deterministic: `t` + the order in which the template was first created.
 * Everything is bounded: a line is cut to `maxLineChars`, at most `maxTokens` tokens.
 */
export interface DrainOptions {
  similarity: number;
  depth: number;
  maxChildren: number;
  maxTemplates: number;
  extraDelimiters: string[];
  masks: ReadonlyArray<{ name: string; pattern: RegExp }>;
  maxLineChars: number;
  maxTokens: number;
}

/**
 * Masks for the variable parts every log has, tried in order on each token's core (the token
 * without surrounding brackets, quotes and trailing punctuation); the first that matches the whole
 * core replaces it. Per-token and anchored: linear in the line, no backtracking across it.
 */
export const DEFAULT_MASKS: DrainOptions['masks'] = [
  { name: 'UUID', pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/ },
  { name: 'IP', pattern: /^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$/ },
  { name: 'NUM', pattern: /^[-+]?\d+(?:\.\d+)?$/ },
  { name: 'HEX', pattern: /^(?:0x)?(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}$/ },
];

const CORE = /^([(["'{<]*)(.*?)([)\]"'}>,;:.!?]*)$/;

/** Nezha's drain3 settings for Train Ticket (log_template/drain3_ts.ini), with the masks above. */
export const DEFAULT_DRAIN: DrainOptions = {
  similarity: 0.8,
  depth: 4,
  maxChildren: 100,
  maxTemplates: 1024,
  extraDelimiters: ['_'],
  masks: DEFAULT_MASKS,
  maxLineChars: 4096,
  maxTokens: 256,
};

export const WILDCARD = '<*>';
export const OVERFLOW_ID = 'overflow';

export interface Template {
  id: string;
  tokens: string[];
  count: number;
}

export interface Match {
  id: string;
  template: string;
  /** True when this line created the template. */
  created: boolean;
}

interface Node {
  children: Map<string, Node>;
  templates: Template[];
}

const newNode = (): Node => ({ children: new Map(), templates: [] });
const hasDigit = (s: string) => /\d/.test(s);

export class DrainMiner {
  private readonly root = newNode();
  private readonly byId = new Map<string, Template>();
  private readonly splitter: RegExp;

  constructor(readonly options: DrainOptions = DEFAULT_DRAIN) {
    const extra = options.extraDelimiters.map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('');
    this.splitter = new RegExp(`[\\s${extra}]+`);
  }

  tokens(line: string): string[] {
    return line
      .slice(0, this.options.maxLineChars)
      .trim()
      .split(this.splitter)
      .filter((t) => t !== '')
      .slice(0, this.options.maxTokens)
      .map((token) => this.mask(token));
  }

  private mask(token: string): string {
    if (!/\d/.test(token)) return token;
    const [, pre, core, post] = CORE.exec(token) as RegExpExecArray;
    for (const m of this.options.masks) if (m.pattern.test(core as string)) return `${pre}<:${m.name}:>${post}`;
    return token;
  }

  private leaf(tokens: string[], create: boolean): Node | null {
    let node = this.root;
    const path = [String(tokens.length), ...tokens.slice(0, Math.max(0, this.options.depth - 2))];
    for (let i = 0; i < path.length; i++) {
      const raw = path[i] as string;
      const key = i > 0 && hasDigit(raw) ? WILDCARD : raw;
      let next = node.children.get(key);
      if (!next && i > 0 && key !== WILDCARD && !create) next = node.children.get(WILDCARD);
      if (!next) {
        if (!create) return null;
        const full = i > 0 && node.children.size >= this.options.maxChildren;
        const k = full ? WILDCARD : key;
        next = node.children.get(k) ?? newNode();
        node.children.set(k, next);
      }
      node = next;
    }
    return node;
  }

  private best(node: Node, tokens: string[]): { template: Template; sim: number } | null {
    let best: { template: Template; sim: number } | null = null;
    for (const t of node.templates) {
      let same = 0;
      let params = 0;
      t.tokens.forEach((tok, i) => {
        if (tok === WILDCARD) params++;
        else if (tok === tokens[i]) same++;
      });
      const sim = same / t.tokens.length;
      if (!best || sim > best.sim || (sim === best.sim && params < countWild(best.template)))
        best = { template: t, sim };
    }
    return best;
  }

  /** Learns from one line: joins it to a template or creates one. */
  add(line: string): Match {
    const tokens = this.tokens(line);
    const node = this.leaf(tokens, true) as Node;
    const hit = this.best(node, tokens);
    if (hit && hit.sim >= this.options.similarity) {
      hit.template.tokens = hit.template.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
      hit.template.count++;
      return { id: hit.template.id, template: hit.template.tokens.join(' '), created: false };
    }
    if (this.byId.size >= this.options.maxTemplates)
      return { id: OVERFLOW_ID, template: tokens.join(' '), created: false };
    const template: Template = { id: `t${this.byId.size + 1}`, tokens, count: 1 };
    node.templates.push(template);
    this.byId.set(template.id, template);
    return { id: template.id, template: tokens.join(' '), created: true };
  }

  /** Matches a line against the templates learnt so far without learning; null when none fits. */
  match(line: string): Match | null {
    const tokens = this.tokens(line);
    const node = this.leaf(tokens, false);
    const hit = node ? this.best(node, tokens) : null;
    if (!hit || hit.sim < this.options.similarity) return null;
    return { id: hit.template.id, template: hit.template.tokens.join(' '), created: false };
  }

  templates(): Template[] {
    return [...this.byId.values()].map((t) => ({ ...t, tokens: [...t.tokens] }));
  }

  template(id: string): string | null {
    return this.byId.get(id)?.tokens.join(' ') ?? null;
  }
}

function countWild(t: Template): number {
  return t.tokens.filter((x) => x === WILDCARD).length;
}

/** The small interface the cluster's log reader feeds: lines in, templates with counts out. */
export function mineTemplates(lines: readonly string[], options: DrainOptions = DEFAULT_DRAIN): Template[] {
  const miner = new DrainMiner(options);
  for (const line of lines) miner.add(line);
  return miner.templates();
}
