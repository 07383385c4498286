/** NAB's published per-row detector output (results/<detector>/<category>/<detector>_<name>.csv). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../../model/errors.ts';
import type { ProfileName } from './profiles.ts';

export async function readPublishedScores(root: string, detector: string, series: string): Promise<Float64Array> {
  const [category, file] = series.split('/');
  const path = join(root, 'results', detector, category as string, `${detector}_${file}`);
  const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',') ?? [];
  const col = header.indexOf('anomaly_score');
  if (col < 0) throw new InputError(`${path}: no anomaly_score column`);
  return Float64Array.from(lines.slice(1), (l) => Number(l.split(',')[col]));
}

/** The per-file raw scores and the Totals row of results/<detector>/<detector>_<profile>_scores.csv. */
export async function readPublishedFileScores(
  root: string,
  detector: string,
  profile: ProfileName,
): Promise<{ files: Map<string, number>; total: number; threshold: number }> {
  const path = join(root, 'results', detector, `${detector}_${profile}_scores.csv`);
  const files = new Map<string, number>();
  let total = Number.NaN;
  let threshold = Number.NaN;
  for (const line of (await readFile(path, 'utf8')).split('\n').slice(1)) {
    const cells = line.split(',');
    if (cells[0] === 'Totals') total = Number(cells[4]);
    else if (cells[2]) {
      files.set(cells[2], Number(cells[4]));
      threshold = Number(cells[3]);
    }
  }
  return { files, total, threshold };
}
