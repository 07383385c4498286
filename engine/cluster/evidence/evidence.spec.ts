import { describe, expect, it } from 'vitest';
import { boundText } from './bound.ts';
import { logEvidence } from './logs.ts';
import { redactLog } from './redact.ts';

const BOUNDS = { maxLines: 5, maxBytes: 1024, maxLineChars: 80 };

describe('engine/cluster/evidence', () => {
  it('redacts the secrets applications print, and keeps the rest of the line', () => {
    const log = [
      'connecting to postgres://app:s3cr3t-pw@db:5432/shop',
      'config: password=hunter2 user=app',
      'DB_PASSWORD: "correct horse battery"',
      'api_key="AbC123xyz789" region=eu',
      'Authorization: Bearer abcdefghijklmnop1234',
      'sending Bearer abcdefghijklmnopqrstuvwx to upstream',
      'session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'aws AKIAIOSFODNN7EXAMPLE done',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789 pushed',
      'OOM: heap 512MiB exceeded',
    ].join('\n');
    const out = redactLog(log);
    for (const secret of [
      's3cr3t-pw',
      'hunter2',
      'correct horse',
      'AbC123xyz789',
      'abcdefghijklmnop1234',
      'abcdefghijklmnopqrstuvwx',
      'dozjgNry',
      'AKIAIOSFODNN7EXAMPLE',
      'ghp_abc',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('user=app');
    expect(out).toContain('region=eu');
    expect(out).toContain('OOM: heap 512MiB exceeded');
  });

  it('keeps the end of a log within line, byte and width bounds, and says what it cut', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    lines.push('x'.repeat(200));
    const out = boundText(lines.join('\n'), BOUNDS);
    const kept = out.text.split('\n');
    expect(kept).toHaveLength(5);
    expect(kept[0]).toBe('line 46');
    expect(kept[4]).toBe(`${'x'.repeat(80)}… (line cut)`);
    expect(out.note).toBe('46 earlier lines left out; 1 long line cut');
    const bytes = boundText(Array.from({ length: 5 }, () => 'y'.repeat(79)).join('\n'), { ...BOUNDS, maxBytes: 200 });
    expect(bytes.text.split('\n')).toHaveLength(2);
  });

  it('strips terminal escapes, control and bidi characters so the text stays inert', () => {
    const out = boundText('\u001b[31mred\u001b[0m\u0007 bell\r\nnul\u0000 \u202eevil\u202c', BOUNDS);
    expect(out.text).toBe('red bell\nnul evil');
  });

  it('makes log evidence with a summary, or says the previous container wrote nothing', () => {
    const e = logEvidence('previous log of shop/cart-1 container cart', 'a\npassword=x\nc\n', BOUNDS);
    expect(e.text).toBe('a\npassword=[redacted]\nc');
    expect(e.summary).toBe('last 3 lines, secrets redacted');
    expect(logEvidence('s', '\n', BOUNDS)).toEqual({
      source: 's',
      summary: 'empty: the previous container wrote nothing',
    });
  });
});
