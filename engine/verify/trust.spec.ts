import { describe, expect, it } from 'vitest';
import { SalveConfig } from '../config/schema.ts';
import { isOwnConfiguration } from './trust.ts';

describe('verify/trust', () => {
  it("counts .salve.yaml, everything under .salve/, the key globs and the policy directories as salve's own", () => {
    const base = { config: SalveConfig.parse({ keys: ['security/keys/*.pem'] }), policies: ['./rego/'] };
    for (const path of [
      '.salve.yaml',
      '.salve.yml',
      '.salve/keys/ops.pub',
      '.salve/templates/pr-body.hbs',
      '.salve/remediations/x/explanation.md',
      'security/keys/ops.pem',
      'rego/guard.rego',
      'rego/nested/data.json',
    ])
      expect(isOwnConfiguration(path, base), path).toBe(true);
    for (const path of ['apps/checkout/kustomization.yaml', 'security/keys/README.md', 'regolith.md', 'NOTES.md'])
      expect(isOwnConfiguration(path, base), path).toBe(false);
  });
});
