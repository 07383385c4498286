/**
 * salve.merge.matches answers trust patterns of `*` runs without compiling a glob: compiled to wasm
 * as salve evaluates it, it gives glob.match's answer (no delimiters) on every pattern and value
 * of a table built to find where they could part: prefixes and suffixes that overlap, runs of `*`,
 * a `*` in the value, multi-byte characters, line breaks, and patterns with other glob syntax.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateOpa } from '../tools/index.ts';
import { execTool } from './exec.ts';
import { readTarGz } from './tar.ts';
import { instantiatePolicy, type LoadedPolicy } from './wasm-module.ts';

const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));

const CHECK = `package glob_check

import data.salve.merge

pairs := [[p, v, glob.match(p, null, v), answer(p, v)] | some p in input.patterns; some v in input.values]

answer(p, v) := true if merge.matches(p, v) else := false
`;

function table(): { patterns: string[]; values: string[] } {
  const patterns = new Set(['**', '***', '', 'a', 'a*', '*a', 'a*b', '*a*', 'a**b', '*-*-*', 'a*a', 'a**a', 'aa*aa']);
  for (const p of ['*aa*', 'a*b*a', 'é*', '*é', 'a*é*b', 'prod*', '*prod*', 'a?', '[ab]*', '{a,b}*', 'a\\*', '*.*']) {
    patterns.add(p);
  }
  for (const a of ['a', 'b', '-', 'é'])
    for (const b of ['a', 'b', '*', '']) for (const c of ['a', '*', '-']) patterns.add(a + b + c);
  const values = new Set(['', 'aaaa', 'aa.aa', 'aabaa', 'prod-eu-1', 'eu-prod-west', 'a\nb\na', 'ééé']);
  let layer = [''];
  for (let n = 1; n <= 3; n++) {
    layer = layer.flatMap((s) => ['a', 'b', '-', 'é', '\n', '*'].map((ch) => s + ch));
    for (const s of layer) values.add(s);
  }
  return { patterns: [...patterns], values: [...values] };
}

describe('policy/merge trust patterns', () => {
  let dir: string;
  let policy: LoadedPolicy;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-glob-'));
    const src = join(dir, 'src');
    await mkdir(src);
    for (const f of ['merge.rego', 'admission.rego', 'text.rego']) await copyFile(join(POLICIES, f), join(src, f));
    await writeFile(join(src, 'check.rego'), CHECK);
    const out = join(dir, 'bundle.tar.gz');
    const run = await execTool(locateOpa(), ['build', '-t', 'wasm', '-e', 'glob_check/pairs', '-o', out, src]);
    expect(run.stderr).toBe('');
    const wasm = (await readTarGz(await readFile(out))).get('/policy.wasm');
    if (!wasm) throw new Error('no policy.wasm');
    policy = await instantiatePolicy(wasm);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('matches exactly where glob.match does', () => {
    const input = table();
    const [first] = policy.evaluate(input, 'glob_check/pairs') as { result: [string, string, boolean, boolean][] }[];
    const pairs = first?.result ?? [];
    expect(pairs.length).toBe(input.patterns.length * input.values.length);
    // Both answers occur, through every path: literal, one run, two runs, other syntax, line breaks.
    expect(pairs.filter(([, , glob]) => glob).length).toBeGreaterThan(1000);
    expect(pairs.some(([p, v, glob]) => p === 'a*b*a' && v === 'aba' && glob)).toBe(true);
    expect(pairs.some(([p, v, glob]) => p === 'a**a' && v === 'a' && !glob)).toBe(true);
    expect(pairs.filter(([, , glob, ours]) => glob !== ours).map(([p, v]) => [p, v])).toEqual([]);
  });
});
