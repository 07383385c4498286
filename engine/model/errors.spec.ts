import { describe, expect, it } from 'vitest';
import { ConfigError, quote, SalveError, sanitize } from './errors.ts';

describe('model/errors', () => {
  it('every SalveError message shows control characters instead of acting on them', () => {
    const err = new ConfigError('name "\u001b[2Jx\r\u202eevil\u200b\u0007" in file\nsecond line\tok');
    expect(err.message).toBe('name "\\u001b[2Jx\\u000d\\u202eevil\\u200b\\u0007" in file\nsecond line\tok');
    expect(new SalveError('c', '\u009b31m').message).toBe('\\u009b31m');
  });

  it('quote() escapes newlines too and bounds the length of what it echoes', () => {
    expect(quote('a\nsalve: ok')).toBe('"a\\nsalve: ok"');
    expect(quote('\u2066x\u2069')).toBe('"\\u2066x\\u2069"');
    expect(quote('x'.repeat(500), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });

  it('sanitize() leaves ordinary text, including non-Latin scripts, alone', () => {
    for (const text of ['kustomize build of overlay apps/x failed', 'déploiement — 部署', 'a\tb\nc'])
      expect(sanitize(text)).toBe(text);
  });
});
