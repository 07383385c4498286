import { describe, expect, it } from 'vitest';
import { checkSummary } from './check-run.ts';

describe('publish/github/check-run', () => {
  it('renders rule ids and messages from policies inert, one table row each', () => {
    const summary = checkSummary(
      {
        allowed: true,
        mode: 'approve',
        rules: [
          {
            id: 'custom.x|y',
            effect: 'advisory',
            message: '<img src=x onerror=alert(1)>\n## Decision: automate @org/team',
          },
        ],
      },
      'sha256:abc',
    );
    const row = summary.split('\n').at(-1) ?? '';
    expect(summary.split('\n')).toHaveLength(6);
    expect(row).toBe(
      '| `custom.x\\|y` | advisory | \\<img src=x onerror=alert(1)\\><br>\\#\\# Decision: automate @\u200borg/team |',
    );
  });
});
