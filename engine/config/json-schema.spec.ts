import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../pipeline/assets.ts';
import { CONFIG_SCHEMA_URL, salveConfigJsonSchema } from './json-schema.ts';

const PUBLISHED = join(PROJECT_ROOT, 'schemas', 'salve-config.schema.json');

describe('config/json-schema', () => {
  it('is what schemas/salve-config.schema.json holds (regenerate with: npx vitest run engine/config -u)', async () => {
    await expect(`${JSON.stringify(salveConfigJsonSchema(), null, 2)}\n`).toMatchFileSnapshot(PUBLISHED);
  });

  it('accepts the example config repo and rejects what the zod schema rejects, as an editor would', async () => {
    const schema = JSON.parse(await readFile(PUBLISHED, 'utf8'));
    expect(schema.$id).toBe(CONFIG_SCHEMA_URL);
    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    const example = parse(await readFile(join(PROJECT_ROOT, 'examples/config-repo/.salve.yaml'), 'utf8'));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({})).toBe(true);

    expect(validate({ ...example, trust: { default: 'yolo' } })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/trust/default', keyword: 'enum' });
    expect(validate({ enviroments: [] })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      keyword: 'additionalProperties',
      params: { additionalProperty: 'enviroments' },
    });
    expect(validate({ environments: [{ name: 'prod', businessHours: { start: '9am' } }] })).toBe(false);
    expect(validate({ commitAuthor: { name: 'salve', email: 'not an email' } })).toBe(false);
  });

  it('describes the fields an editor shows on hover', () => {
    const schema = salveConfigJsonSchema() as any;
    expect(schema.properties.trust.description).toMatch(/trust ladder/);
    expect(schema.properties.environments.items.properties.tier.description).toMatch(/production/);
  });
});
