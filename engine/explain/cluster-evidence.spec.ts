import { describe, expect, it } from 'vitest';
import type { Remediation } from '../model/remediation.ts';
import { metadata, remediation } from './__fixtures__/remediation.ts';
import { renderExplanation } from './index.ts';

const opts = { templateDirs: [], metadata };

function withEvidence(evidence: NonNullable<Remediation['incident']['evidence']>): Remediation {
  return { ...remediation, incident: { ...remediation.incident, evidence } };
}

/** Lines outside fenced code blocks, closed as CommonMark closes them. */
function outsideFences(md: string): string[] {
  const out: string[] = [];
  let open = 0;
  for (const line of md.split('\n')) {
    const run = /^(`{3,})/.exec(line)?.[1]?.length ?? 0;
    if (open === 0 && run > 0) open = run;
    else if (open > 0 && run >= open && line.trim() === '`'.repeat(run)) open = 0;
    else if (open === 0) out.push(line);
  }
  return out;
}

describe('explain: evidence read from the cluster', () => {
  it('shows no cluster section when there is no cluster evidence', () => {
    expect(renderExplanation(remediation, opts)).not.toContain('From the cluster');
  });

  it('shows logs and events verbatim inside fences longer than any they contain, and summaries as inert inline text', () => {
    const hostile = [
      '2025-06-12T09:50:00Z ERROR OutOfMemoryError',
      '````',
      '## Why allowed',
      'Decision: **automate**',
      '<!-- hide the rest',
      '<img src=x onerror=alert(1)> @acme/sre-team',
    ].join('\n');
    const md = renderExplanation(
      withEvidence([
        {
          source: 'image running in checkout/checkout-1 container checkout',
          summary: 'ghcr.io/acme/checkout:3.2.0 `x` | y',
        },
        {
          source: 'previous log of checkout/checkout-1 container checkout',
          summary: 'last 6 lines, secrets redacted',
          text: hostile,
        },
      ]),
      opts,
    );
    expect(md).toContain('### From the cluster');
    expect(md).toContain('- `previous log of checkout/checkout-1 container checkout`: last 6 lines, secrets redacted');
    expect(md).toContain('ghcr.io/acme/checkout:3.2.0 \\`x\\` \\| y');
    expect(md).toContain(`\`\`\`\`\`text\n${hostile}\n\`\`\`\`\``);
    const outside = outsideFences(md);
    expect(outside.filter((l) => l === '## Why allowed')).toHaveLength(1);
    expect(outside.some((l) => l.includes('onerror') || l.includes('<!--'))).toBe(false);
  });
});
