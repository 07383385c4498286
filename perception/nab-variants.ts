/**
 * `node --import tsx perception/nab-variants.ts [component...]`: the NAB variant study behind the
 * README's table. Each component detector runs once over the corpus with its rest period off and
 * its per-row scores are cached (in `$SALVE_NAB_CACHE`, default the OS temp dir); each variant is
 * then a combination of cached scores plus NAB-style suppression (after a score at or above the
 * alarm level, 0 for `rest` rows), scored under the three profiles with the threshold swept.
 * One configuration for every file; no label is read by any detector or combination.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS as CAD, cadOse } from '../engine/perceive/detectors/cad-ose/index.ts';
import { DEFAULTS as CN, contextNovelty } from '../engine/perceive/detectors/context-novelty/index.ts';
import { ewmaLikelihood } from '../engine/perceive/detectors/ewma-likelihood/index.ts';
import type { Detector } from '../engine/perceive/detectors/types.ts';
import { NAB_ROOT } from '../engine/perceive/eval/data-root.ts';
import { loadCorpus, type Series } from '../engine/perceive/eval/nab/corpus.ts';
import { scoreCorpus } from '../engine/perceive/eval/nab/evaluate.ts';

type Make = (s: Series) => Detector<'metric'>;

/** cad-ose given a range up front (NAB hands every detector its file's min and max). */
function cadWithRange(lo: number, hi: number, over: Record<string, number | boolean> = {}): Detector<'metric'> {
  return cadOse.restore({
    detector: 'cad-ose',
    version: 1,
    state: {
      options: { ...CAD, restartMargin: 0, rest: 0, ...over, learn: 1 },
      n: 0,
      lo,
      hi,
      left: [],
      quiet: 0,
      contexts: [],
      zero: [],
    },
  });
}

function range(values: Float64Array, n = values.length): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < Math.min(n, values.length); i++) {
    lo = Math.min(lo, values[i] as number);
    hi = Math.max(hi, values[i] as number);
  }
  return [lo, hi];
}

/** context-novelty given a range up front, past its warm-up from the first point. */
function cnWithRange([lo, hi]: [number, number], over: Record<string, number> = {}): Detector<'metric'> {
  const options = { ...CN, ...over };
  return contextNovelty.restore({
    detector: 'context-novelty',
    version: 1,
    state: { options, n: options.warmup, lo, hi, history: [], counts: [] },
  });
}

export const COMPONENTS: Record<string, Make> = {
  cn: () => contextNovelty.create(),
  /** context-novelty with the whole-file range NAB gives detectors. */
  cnNab: (s) => cnWithRange(range(s.values)),
  cnNabM1: (s) => cnWithRange(range(s.values), { margin: 0.1 }),
  cnNabM1L8: (s) => cnWithRange(range(s.values), { margin: 0.1, levels: 8 }),
  ewma: () => ewmaLikelihood.create(),
  /** cad-ose online (range of its first 450 points, restart past 1× the span), rest off. */
  cad: () => cadOse.create({ rest: 0 }),
  /** cad-ose with the whole-file range NAB gives detectors (inputMin / inputMax). */
  cadNab: (s) => cadWithRange(...range(s.values)),
};

/**
 * context-novelty that learns anew when a value leaves its warm-up range by more than `past` of
 * the range's span: a fresh detector (new range, no contexts) from that point, reporting `jump`
 * at the point that left the range and 0 while the fresh one warms up.
 */
function cnRelearn(over: Record<string, number>, past: number, jump: number): Detector<'metric'> {
  const o = { ...CN, ...over };
  let d = contextNovelty.create(o);
  let n = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  return {
    id: 'cn-relearn',
    snapshot: () => d.snapshot(),
    update(p) {
      const v = p.value;
      if (!Number.isFinite(v)) return 0;
      if (n >= o.warmup && (v > hi + past * (hi - lo) || v < lo - past * (hi - lo))) {
        d = contextNovelty.create(o);
        n = 0;
        lo = Number.POSITIVE_INFINITY;
        hi = Number.NEGATIVE_INFINITY;
        d.update(p);
        lo = hi = v;
        n = 1;
        return jump;
      }
      if (n < o.warmup) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      n++;
      return d.update(p);
    },
  };
}

/** `cn:levels=8,margin=0.1[,nab=1]`: context-novelty with those options (nab=1: the file's range). */
function parsed(key: string): Make | undefined {
  const [kind, args = ''] = key.split(':');
  const o = Object.fromEntries(
    args
      .split(',')
      .filter(Boolean)
      .map((a) => a.split('='))
      .map(([k, v]) => [k as string, Number(v)]),
  ) as Record<string, number>;
  const { nab, past, jump, ...over } = o;
  if (kind === 'cnR') return () => cnRelearn(over, past ?? 1, jump ?? 1);
  if (kind === 'cn') return (s) => (nab ? cnWithRange(range(s.values), over) : contextNovelty.create(over));
  if (kind === 'ewma') return () => ewmaLikelihood.create(over);
  return undefined;
}

const cacheDir = process.env.SALVE_NAB_CACHE ?? join(tmpdir(), 'salve-nab-scores');

async function component(corpus: readonly Series[], key: string): Promise<Map<string, Float64Array>> {
  const file = join(cacheDir, `${key}.json`);
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as Record<string, number[]>;
    return new Map(Object.entries(cached).map(([k, v]) => [k, Float64Array.from(v)]));
  } catch {}
  const make = COMPONENTS[key] ?? parsed(key);
  if (!make) throw new Error(`no component ${key}`);
  const t0 = performance.now();
  const out = new Map<string, Float64Array>();
  for (const s of corpus) {
    const d = make(s);
    const a = new Float64Array(s.values.length);
    for (let i = 0; i < a.length; i++) a[i] = d.update({ t: s.times[i] as number, value: s.values[i] as number });
    out.set(s.name, a);
  }
  console.error(`${key}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await mkdir(cacheDir, { recursive: true });
  await writeFile(file, JSON.stringify(Object.fromEntries([...out].map(([k, v]) => [k, [...v]]))));
  return out;
}

/** NAB-style suppression: after a score at or above `alarm`, 0 for `rest` rows. */
export function suppress(scores: Float64Array, alarm: number, rest: number): Float64Array {
  const out = new Float64Array(scores.length);
  let quiet = 0;
  for (let i = 0; i < scores.length; i++) {
    const x = scores[i] as number;
    if (quiet > 0) {
      quiet--;
      continue;
    }
    out[i] = x;
    if (x >= alarm) quiet = rest;
  }
  return out;
}

type Row = Record<string, number>;
interface Variant {
  name: string;
  uses: string[];
  combine: (r: Row) => number;
  alarm: number;
  rest: number;
}

/** context-novelty as the shipped stream-ensemble configures it. */
const SHIPPED_CN = 'cnR:past=1,levels=10,margin=0.2,order=4';
const NABCN = 'cn:levels=10,margin=0.1,nab=1';
const se = (r: Row) => Math.max(0.95 * (r.cn as number) + 0.05 * (r.ewma as number), r.ewma as number);

export const VARIANTS: Variant[] = [
  { name: 'stream-ensemble (shipped)', uses: ['cn', 'ewma'], combine: se, alarm: 0.95, rest: 100 },
  {
    name: 'cad-ose online, alarm 0.75, rest 100',
    uses: ['cad'],
    combine: (r) => r.cad as number,
    alarm: 0.75,
    rest: 100,
  },
  {
    name: 'max(stream-ensemble, cad-ose online)',
    uses: ['cn', 'ewma', 'cad'],
    combine: (r) => Math.max(se(r), r.cad as number),
    alarm: 0.95,
    rest: 100,
  },
  {
    name: 'mean(stream-ensemble, cad-ose online)',
    uses: ['cn', 'ewma', 'cad'],
    combine: (r) => (se(r) + (r.cad as number)) / 2,
    alarm: 0.85,
    rest: 100,
  },
  {
    name: 'stream-ensemble with context-novelty → mean(cn, cad online)',
    uses: ['cn', 'ewma', 'cad'],
    combine: (r) => se({ ...r, cn: ((r.cn as number) + (r.cad as number)) / 2 }),
    alarm: 0.9,
    rest: 100,
  },
  {
    name: 'max(0.9·stream-ensemble, cad-ose online)',
    uses: ['cn', 'ewma', 'cad'],
    combine: (r) => Math.max(0.9 * se(r), r.cad as number),
    alarm: 0.85,
    rest: 100,
  },
  {
    name: 'max(stream-ensemble, 0.9·cad-ose online)',
    uses: ['cn', 'ewma', 'cad'],
    combine: (r) => Math.max(se(r), 0.9 * (r.cad as number)),
    alarm: 0.95,
    rest: 100,
  },
  {
    name: 'cad-ose, file range (NAB inputMin/Max), rest 100',
    uses: ['cadNab'],
    combine: (r) => r.cadNab as number,
    alarm: 0.75,
    rest: 100,
  },
  {
    name: 'max(stream-ensemble with cn:levels=10,margin=0.1,nab=1, cad-ose file range)',
    uses: [NABCN, 'ewma', 'cadNab'],
    combine: (r) => Math.max(se({ ...r, cn: r[NABCN] as number }), r.cadNab as number),
    alarm: 0.95,
    rest: 100,
  },
  {
    name: 'mean(stream-ensemble with cn:levels=10,margin=0.1,nab=1, cad-ose file range)',
    uses: [NABCN, 'ewma', 'cadNab'],
    combine: (r) => (se({ ...r, cn: r[NABCN] as number }) + (r.cadNab as number)) / 2,
    alarm: 0.85,
    rest: 100,
  },
  {
    name: 'max(stream-ensemble with cn:levels=10,margin=0.1,nab=1, cad-ose online)',
    uses: [NABCN, 'ewma', 'cad'],
    combine: (r) => Math.max(se({ ...r, cn: r[NABCN] as number }), r.cad as number),
    alarm: 0.95,
    rest: 100,
  },
  {
    name: 'max(0.9·stream-ensemble, cad-ose online), relearning context-novelty (shipped ensemble)',
    uses: [SHIPPED_CN, 'ewma', 'cad'],
    combine: (r) => Math.max(0.9 * se({ ...r, cn: r[SHIPPED_CN] as number }), r.cad as number),
    alarm: 0.85,
    rest: 100,
  },
  {
    name: 'mean(stream-ensemble, cad-ose file range), relearning context-novelty (shipped ensemble)',
    uses: [SHIPPED_CN, 'ewma', 'cadNab'],
    combine: (r) => (se({ ...r, cn: r[SHIPPED_CN] as number }) + (r.cadNab as number)) / 2,
    alarm: 0.85,
    rest: 100,
  },
  {
    name: 'shipped ensemble, rest 50',
    uses: [SHIPPED_CN, 'ewma'],
    combine: (r) => se({ ...r, cn: r[SHIPPED_CN] as number }),
    alarm: 0.95,
    rest: 50,
  },
  {
    name: 'shipped ensemble, rest 150',
    uses: [SHIPPED_CN, 'ewma'],
    combine: (r) => se({ ...r, cn: r[SHIPPED_CN] as number }),
    alarm: 0.95,
    rest: 150,
  },
  ...[0, 50, 200, 400].map(
    (rest): Variant => ({
      name: `stream-ensemble, rest ${rest}`,
      uses: ['cn', 'ewma'],
      combine: se,
      alarm: 0.95,
      rest,
    }),
  ),
  ...[0.9, 0.99].map(
    (alarm): Variant => ({
      name: `stream-ensemble, alarm ${alarm}`,
      uses: ['cn', 'ewma'],
      combine: se,
      alarm,
      rest: 100,
    }),
  ),
  ...['cnNab', 'cnNabM1', 'cnNabM1L8'].map(
    (k): Variant => ({
      name: `stream-ensemble, context-novelty given the file's range (${k})`,
      uses: [k, 'ewma'],
      combine: (r) => se({ ...r, cn: r[k] as number }),
      alarm: 0.95,
      rest: 100,
    }),
  ),
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpus = await loadCorpus(NAB_ROOT);
  // `ewma:<options>`: the shipped ensemble with that ewma-likelihood instead.
  for (const k of process.argv.slice(2).filter((a) => a.startsWith('ewma:')))
    VARIANTS.push({
      name: `shipped ensemble with ${k}`,
      uses: [SHIPPED_CN, k],
      combine: (r) => se({ ...r, cn: r[SHIPPED_CN] as number, ewma: r[k] as number }),
      alarm: 0.95,
      rest: 100,
    });
  const only = process.argv.slice(2).filter((a) => !/^(cnR?|ewma):/.test(a));
  for (const k of process.argv.slice(2).filter((a) => /^cnR?:/.test(a)))
    VARIANTS.push({
      name: `stream-ensemble with ${k}`,
      uses: [k, 'ewma'],
      combine: (r) => se({ ...r, cn: r[k] as number }),
      alarm: 0.95,
      rest: 100,
    });
  if (process.argv.length > 2 && only.length === 0) only.push('stream-ensemble with cn', 'shipped ensemble with ewma');
  const variants = only.length ? VARIANTS.filter((v) => only.some((o) => v.name.includes(o))) : VARIANTS;
  const cache = new Map<string, Map<string, Float64Array>>();
  for (const v of variants) for (const k of v.uses) if (!cache.has(k)) cache.set(k, await component(corpus, k));
  for (const v of variants) {
    const scores = new Map<string, Float64Array>();
    for (const s of corpus) {
      const cols = v.uses.map((k) => cache.get(k)?.get(s.name) as Float64Array);
      const a = new Float64Array(s.values.length);
      const row: Row = {};
      for (let i = 0; i < a.length; i++) {
        v.uses.forEach((k, j) => {
          row[k] = (cols[j] as Float64Array)[i] as number;
        });
        a[i] = v.combine(row);
      }
      scores.set(s.name, suppress(a, v.alarm, v.rest));
    }
    const r = scoreCorpus(corpus, scores);
    console.log(
      `| ${v.name} | ${r.map((x) => x.normalised.toFixed(2)).join(' | ')} | ${r[0]?.detected}/116 | ${r[0]?.falsePositives} |`,
    );
  }
}
