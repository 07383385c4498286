/**
 * The NAB corpus as the scorer needs it: each series' values and timestamps, and its labelled
 * windows as row ranges. Reads the data files and labels/combined_windows.json of a NAB checkout.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../../model/errors.ts';

export interface Window {
  /** First and last row inside the window, inclusive. */
  start: number;
  end: number;
}

export interface Series {
  /** `category/name.csv`, as the labels name it. */
  name: string;
  /** `YYYY-MM-DD HH:MM:SS`, wall clock, no zone. */
  timestamps: string[];
  /** Unix seconds of the timestamps read as UTC (for detectors that want time of day). */
  times: Float64Array;
  values: Float64Array;
  windows: Window[];
}

const MAX_ROWS = 100_000;

export function parseSeriesCsv(name: string, text: string): Pick<Series, 'timestamps' | 'times' | 'values'> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== 'timestamp,value') throw new InputError(`${name}: expected header timestamp,value`);
  const rows = lines.slice(1);
  if (rows.length > MAX_ROWS) throw new InputError(`${name}: more than ${MAX_ROWS} rows`);
  const timestamps: string[] = [];
  const times = new Float64Array(rows.length);
  const values = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    const [ts, v] = row.split(',');
    const value = Number(v);
    const time = Date.parse(`${ts?.replace(' ', 'T')}Z`);
    if (!ts || !Number.isFinite(value) || Number.isNaN(time))
      throw new InputError(`${name}: row ${i + 2} is not timestamp,value`);
    timestamps.push(ts.slice(0, 19));
    times[i] = time / 1000;
    values[i] = value;
  });
  return { timestamps, times, values };
}

/** Maps timestamp windows to row ranges: the rows whose timestamps fall inside [start, end]. */
export function windowRows(timestamps: readonly string[], windows: ReadonlyArray<readonly [string, string]>): Window[] {
  const out: Window[] = [];
  for (const [from, to] of windows) {
    const a = from.slice(0, 19);
    const b = to.slice(0, 19);
    let start = -1;
    let end = -1;
    timestamps.forEach((t, i) => {
      if (t >= a && t <= b) {
        if (start < 0) start = i;
        end = i;
      }
    });
    if (start >= 0) out.push({ start, end });
  }
  return out;
}

export async function loadCorpus(root: string, only?: (name: string) => boolean): Promise<Series[]> {
  const labels = JSON.parse(await readFile(join(root, 'labels', 'combined_windows.json'), 'utf8')) as Record<
    string,
    Array<[string, string]>
  >;
  const series: Series[] = [];
  for (const category of (await readdir(join(root, 'data'), { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const file of (await readdir(join(root, 'data', category.name))).filter((f) => f.endsWith('.csv')).sort()) {
      const name = `${category.name}/${file}`;
      if (only && !only(name)) continue;
      const windows = labels[name];
      if (!windows) throw new InputError(`${name}: no entry in combined_windows.json`);
      const parsed = parseSeriesCsv(name, await readFile(join(root, 'data', name), 'utf8'));
      series.push({ name, ...parsed, windows: windowRows(parsed.timestamps, windows) });
    }
  }
  return series.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
