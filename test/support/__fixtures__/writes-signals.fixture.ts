/** Run by hygiene.spec.ts in its own vitest process: helpers that write temp files, as specs use them. */
import { readFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import { alertPayload, writeSignal } from '../../pipeline/helpers.ts';

let early = '';
beforeAll(async () => {
  early = await writeSignal(alertPayload([{ alertname: 'KubePodCrashLooping', cluster: 'c', namespace: 'n' }]));
});

it('writes signal files, before and inside a test', async () => {
  const late = await writeSignal('{"version":"4"}', 'raw.json');
  expect(JSON.parse(await readFile(early, 'utf8')).version).toBe('4');
  expect(await readFile(late, 'utf8')).toBe('{"version":"4"}');
});
