/** Writes the standalone CRD validator modules into a directory (see scripts/generate-crd-validators). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { standaloneModules } from './crd-compile.ts';

const DECLARATION = `import type { ValidateFunction } from 'ajv';

export declare const validate: ValidateFunction;
export default validate;
`;

const out = process.argv[2];
if (!out) throw new Error('usage: crd-generate.ts <out-dir>');
for (const [file, code] of standaloneModules()) {
  writeFileSync(join(out, file), code);
  writeFileSync(join(out, file.replace(/\.js$/, '.d.ts')), DECLARATION);
  process.stdout.write(`${join(out, file)} (${Math.round(code.length / 1024)} KiB)\n`);
}
