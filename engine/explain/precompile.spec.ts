import { readFileSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES_DIR } from '../pipeline/assets.ts';
import { tempDir } from '../publish/__fixtures__/repo.ts';
import { metadata, remediation } from './__fixtures__/remediation.ts';
import { renderExplanation, renderPullRequest } from './index.ts';
import { precompiledModule, templateDigest } from './precompile.ts';
import { PRECOMPILED } from './precompiled/templates.js';

const MODULE = join(import.meta.dirname, 'precompiled', 'templates.js');
const NAMES = ['explanation.hbs', 'pr-body.hbs', 'pr-title.hbs'];

describe('explain/precompile', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('precompile');
  });
  afterAll(() => tmp.remove());

  it('ships a module that is exactly what the templates precompile to (rerun scripts/generate-templates)', () => {
    expect(readFileSync(MODULE, 'utf8')).toBe(precompiledModule(DEFAULT_TEMPLATES_DIR));
    for (const name of NAMES) {
      expect(Object.hasOwn(PRECOMPILED, templateDigest(readFileSync(join(DEFAULT_TEMPLATES_DIR, name), 'utf8')))).toBe(
        true,
      );
    }
  });

  it('renders the same from the precompiled templates as from the same templates compiled at run time', async () => {
    // A trailing comment changes each source's digest and nothing it renders: these are compiled.
    const edited = join(tmp.path, 'edited');
    await cp(DEFAULT_TEMPLATES_DIR, edited, { recursive: true });
    for (const name of NAMES) {
      const source = readFileSync(join(DEFAULT_TEMPLATES_DIR, name), 'utf8');
      await writeFile(join(edited, name), `${source}{{!-- edited --}}`);
      expect(Object.hasOwn(PRECOMPILED, templateDigest(`${source}{{!-- edited --}}`))).toBe(false);
    }
    const builtIn = { templateDirs: [], metadata };
    const compiled = { templateDirs: [edited], metadata };
    expect(renderPullRequest(remediation, compiled)).toEqual(renderPullRequest(remediation, builtIn));
    expect(renderExplanation(remediation, compiled)).toBe(renderExplanation(remediation, builtIn));
    expect(renderExplanation(remediation, builtIn)).toContain('## ');
  });
});
