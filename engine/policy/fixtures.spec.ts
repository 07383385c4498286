import { describe, expect, it } from 'vitest';
import { PolicyInput } from '../model/policy.ts';
import { makeInput } from './fixtures.ts';

describe('policy/fixtures', () => {
  it('builds a valid input for a staging memory raise', () => {
    const input = makeInput();
    expect(PolicyInput.parse(input)).toEqual(input);
    expect(input.action.id).toBe('raise-memory-limit');
    expect(input.environment.tier).toBe('staging');
  });

  it('deep-merges objects and replaces arrays', () => {
    const input = makeInput({
      environment: { name: 'production' },
      settings: { trust: [], bounds: { memoryMaxFactor: 3 } },
    });
    expect(input.environment).toEqual({ name: 'production', tier: 'staging' });
    expect(input.settings.trust).toEqual([]);
    expect(input.settings.bounds.memoryMaxFactor).toBe(3);
    expect(input.settings.bounds.memoryCapBytes).toBe(8 * 1024 ** 3);
  });

  it('does not share state between calls', () => {
    const a = makeInput();
    a.namespace.labels.x = 'y';
    expect(makeInput().namespace.labels).toEqual({});
  });

  it('rejects overrides that break the schema', () => {
    expect(() => makeInput({ time: { hour: 24 } })).toThrow();
  });
});
