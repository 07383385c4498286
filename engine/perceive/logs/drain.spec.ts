import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NEZHA_ROOT } from '../eval/data-root.ts';
import { DEFAULT_DRAIN, DrainMiner, mineTemplates, OVERFLOW_ID } from './drain.ts';

describe('perceive/logs/drain', () => {
  it('mines one template per log statement, with the variable parts as wildcards', () => {
    const templates = mineTemplates([
      'user 1021 logged in from 10.0.0.7',
      'user 77 logged in from 10.0.0.9',
      'session 12 opened for user bob',
      'session 13 opened for user carol',
      'payment failed for this order: card declined',
      'payment failed for this order: card expired',
    ]);
    expect(templates.map((t) => [t.tokens.join(' '), t.count])).toEqual([
      ['user <:NUM:> logged in from <:IP:>', 2],
      ['session <:NUM:> opened for user <*>', 2],
      ['payment failed for this order: card <*>', 2],
    ]);
  });

  it('matches without learning and says when nothing fits', () => {
    const miner = new DrainMiner();
    miner.add('connected to db in 12 ms');
    expect(miner.match('connected to db in 40 ms')?.id).toBe('t1');
    expect(miner.match('NullPointerException at Foo.bar')).toBeNull();
    expect(miner.templates()).toHaveLength(1);
  });

  it('bounds templates and line length', () => {
    const miner = new DrainMiner({ ...DEFAULT_DRAIN, maxTemplates: 2 });
    expect(miner.add('a b c').id).toBe('t1');
    expect(miner.add('x y').id).toBe('t2');
    expect(miner.add('p q r s').id).toBe(OVERFLOW_ID);
    expect(miner.tokens('z'.repeat(100_000)).join('').length).toBe(DEFAULT_DRAIN.maxLineChars);
  });

  it('reduces a real Train Ticket log minute to a few dozen templates', () => {
    const csv = gunzipSync(readFileSync(`${NEZHA_ROOT}construct_data/2023-01-29/log/08_50_log.csv.gz`)).toString();
    const lines = csv
      .split('\n')
      .slice(1)
      .flatMap((row) => {
        const m = /"(\{.*\})"\s*$/.exec(row);
        if (!m) return [];
        try {
          return [(JSON.parse((m[1] as string).replace(/""/g, '"')) as { log: string }).log];
        } catch {
          return [];
        }
      });
    expect(lines.length).toBeGreaterThan(2000);
    const templates = mineTemplates(lines);
    expect(templates.length).toBeGreaterThan(10);
    expect(templates.length).toBeLessThan(lines.length / 10);
    expect(templates.reduce((n, t) => n + t.count, 0)).toBe(lines.length);
    expect(templates.some((t) => t.tokens.join(' ').includes('TraceID: <:HEX:>'))).toBe(true);
  });
});
