import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../model/errors.ts';
import { canonicalJson, digestOf, sha256Hex } from './digest.ts';

describe('policy/digest', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('drops undefined members, keeps nulls and array order', () => {
    expect(canonicalJson({ a: undefined, b: null, c: [2, 1, undefined] })).toBe('{"b":null,"c":[2,1,null]}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak → ünïcode' })).toBe('{"k\\"":"line\\nbreak → ünïcode"}');
  });

  it('refuses values JSON cannot carry, naming where', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(InputError);
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(/\$\.a\[1\]/);
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/\$\.when is a Date/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });

  it('digests the canonical form, independent of key order', () => {
    const expected = createHash('sha256').update('{"a":1,"b":2}').digest('hex');
    expect(digestOf({ b: 2, a: 1 })).toBe(`sha256:${expected}`);
    expect(digestOf({ a: 1, b: 2 })).toBe(digestOf({ b: 2, a: 1 }));
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
