import { describe, expect, it } from 'vitest';
import { textLine } from './logger.ts';

describe('telemetry/logger: text lines for a person at a terminal', () => {
  it('says the level in words, the message, then the fields', () => {
    const json = JSON.stringify({
      level: 'warn',
      time: 1,
      pid: 2,
      hostname: 'h',
      name: 'salve',
      commit: 'abc',
      files: ['a.yaml', 'b.yaml'],
      msg: 'planned from the committed files; uncommitted changes to these files were ignored',
    });
    expect(textLine(json)).toBe(
      'salve: warning: planned from the committed files; uncommitted changes to these files were ignored (commit: abc; files: a.yaml, b.yaml)\n',
    );
    expect(textLine(JSON.stringify({ level: 'error', name: 'salve', msg: 'failed', err: { code: 'x' } }))).toBe(
      'salve: error: failed (err: {"code":"x"})\n',
    );
  });

  it('keeps a hostile field inert and on one line: escapes for ESC, CR, newlines and bidi overrides', () => {
    const line = textLine(
      JSON.stringify({ level: 'info', name: 'salve', msg: 'm', file: 'a\u001b[31mred\r\nb\u202e' }),
    );
    expect(line).toBe('salve: info: m (file: a\\u001b[31mred\\u000d\\nb\\u202e)\n');
    expect(line.split('\n')).toHaveLength(2);
  });
});
