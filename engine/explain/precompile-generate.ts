/** Writes salve's precompiled templates module (see scripts/generate-templates). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TEMPLATES_DIR } from '../pipeline/assets.ts';
import { precompiledModule } from './precompile.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: precompile-generate.ts <out-dir>');
writeFileSync(join(out, 'templates.js'), precompiledModule(DEFAULT_TEMPLATES_DIR));
writeFileSync(
  join(out, 'templates.d.ts'),
  "import type { TemplateSpecification } from 'handlebars';\n\nexport declare const PRECOMPILED: Record<string, TemplateSpecification>;\n",
);
process.stdout.write(`${join(out, 'templates.js')}\n`);
