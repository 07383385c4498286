import { describe, expect, it } from 'vitest';
import { terminalText } from './output.ts';

describe('cli/output', () => {
  it('terminalText shows escape sequences, carriage returns and bidi overrides instead of letting them act', () => {
    expect(terminalText('ok\x1b[2J\x1b]0;owned\x07 line\r\nnext\ttab \u202Egnp.exe')).toBe(
      'ok\\u{1b}[2J\\u{1b}]0;owned\\u{7} line\\u{d}\nnext\ttab \\u{202e}gnp.exe',
    );
    expect(terminalText('plain — unicode ✓')).toBe('plain — unicode ✓');
  });
});
