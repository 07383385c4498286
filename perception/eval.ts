/**
 * `npm run eval:perception [-- --out <dir>] [-- --slice]`: everything measured about perception,
 * printed; the reliability diagram and a JSON of the figures written to `<dir>`
 * (default perception/report). `--slice` runs the small CI-sized subset and writes its own
 * reliability-slice.svg and figures-slice.json, never the full run's files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NAB_ROOT, NEZHA_ROOT } from '../engine/perceive/eval/data-root.ts';
import {
  evaluateCalibration,
  evaluateNab,
  evaluateNezha,
  nabVectors,
  nezhaVectors,
  synthetic,
} from '../engine/perceive/eval/run.ts';
import { timeIncident } from '../engine/perceive/eval/speed.ts';
import { nezhaMinutes } from '../engine/perceive/fit/datasets.ts';
import { DEFAULT_MODEL } from '../engine/perceive/perception/default-model.ts';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'perception/report' }, slice: { type: 'boolean', default: false } },
});
const out = values.out as string;
const slice = values.slice === true;
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

console.log(`# Perception evaluation (${slice ? 'CI slice' : 'full'}), model ${DEFAULT_MODEL.version}\n`);

const nab = await evaluateNab(NAB_ROOT, slice ? (n) => n.startsWith('realKnownCause/') : undefined);
console.log(
  `## NAB (${nab.corpus.length} files, ${nab.points} points; threshold swept per profile, one configuration)\n`,
);
console.log(
  '| detector | standard | reward_low_FP | reward_low_FN | windows detected (std) | FP rows (std) | seconds |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of nab.rows) {
  const [s, fp, fn] = r.results;
  console.log(
    `| ${r.detector} | ${s?.normalised.toFixed(2)} | ${fp?.normalised.toFixed(2)} | ${fn?.normalised.toFixed(2)} | ${s?.detected}/${(s?.detected ?? 0) + (s?.missed ?? 0)} | ${s?.falsePositives} | ${r.seconds.toFixed(2)} |`,
  );
}

const minutes = await nezhaMinutes(NEZHA_ROOT, slice ? ['2022-08-22'] : undefined);
console.log(`\n## Nezha development half (${slice ? 'OB 2022-08-22 only' : 'OB 2022-08-22 + TT 2023-01-29'})\n`);
console.log(
  'Faults and fault-free minutes outside the fit split; alarm threshold picked on the fit split (best F1).\n',
);
const nezha = evaluateNezha(minutes, DEFAULT_MODEL);
console.log(
  '| modality | fault type | faults | detected | rate | median TTD (s) | false alarms / fault-free service-hour |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of nezha)
  for (const t of [...row.heldApart.byType, row.heldApart.all])
    console.log(
      `| ${row.modality} | ${t.type} | ${t.faults} | ${t.detected} | ${pct(t.rate)} | ${t.medianTtdSeconds ?? '—'} | ${t.type === 'all' ? `${row.heldApart.falseAlarmsPerHour.toFixed(3)} (${row.heldApart.falseAlarms} in ${row.heldApart.faultFreeHours.toFixed(1)} h)` : ''} |`,
    );
console.log('\nAll faults (fit split included), for reference:');
for (const row of nezha)
  console.log(
    `- ${row.modality}: ${row.all.all.detected}/${row.all.all.faults} detected, median TTD ${row.all.all.medianTtdSeconds ?? '—'} s, ${row.all.falseAlarmsPerHour.toFixed(3)} false alarms per fault-free service-hour`,
  );

const data = [...nezhaVectors(minutes), ...(await nabVectors(NAB_ROOT)), ...synthetic(slice ? 20 : 40)];
const calibration = evaluateCalibration(data, DEFAULT_MODEL);
console.log('\n## Calibration of the shipped model on held-apart data (test split)\n');
console.log('| data | n | positives | Brier | ECE |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const c of calibration.rows)
  console.log(`| ${c.source} | ${c.n} | ${c.positives} | ${c.brier.toFixed(4)} | ${c.ece.toFixed(4)} |`);
await mkdir(out, { recursive: true });
// The slice draws its own diagram: the full run's is the one the report shows.
const diagram = join(out, slice ? 'reliability-slice.svg' : 'reliability.svg');
await writeFile(diagram, calibration.svg);
console.log(`\nReliability diagram: ${diagram}`);

const ms = timeIncident();
const stream = nab.rows.find((r) => r.detector === 'stream-ensemble');
console.log('\n## Speed\n');
console.log(
  `- NAB corpus (${nab.points} points) through stream-ensemble and scored under 3 profiles: ${stream?.seconds.toFixed(2)} s`,
);
console.log(
  `- one incident's perception (3 windows of 7 days at 5 min, 2,000 + 500 log lines): ${ms.toFixed(1)} ms (median of 21)`,
);

await writeFile(
  join(out, slice ? 'figures-slice.json' : 'figures.json'),
  `${JSON.stringify({ model: DEFAULT_MODEL.version, nab: nab.rows, nezha, calibration: calibration.rows, incidentMs: ms }, null, 2)}\n`,
);
