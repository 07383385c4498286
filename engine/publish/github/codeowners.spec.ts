import { describe, expect, it } from 'vitest';
import { globToRegex, parseCodeowners, reviewersFor } from './codeowners.ts';

describe('publish/github/codeowners', () => {
  const text = [
    '# default owners',
    '*       @acme/platform',
    '*.yaml  @yaml-people',
    '/overlays/production/   @acme/sre @carol',
    'overlays/staging/**     @alice   # staging',
    '.salve/ @bob salve@example.com',
    'docs/*  @writer',
  ].join('\n');
  const rules = parseCodeowners(text);

  it('parses rules, skipping comments and trailing comments', () => {
    expect(rules.map((r) => r.pattern)).toEqual([
      '*',
      '*.yaml',
      '/overlays/production/',
      'overlays/staging/**',
      '.salve/',
      'docs/*',
    ]);
    expect(rules[3]?.owners).toEqual(['@alice']);
  });

  it('matches like gitignore: anchored directories, unanchored names, single-level stars', () => {
    expect(globToRegex('/overlays/production/').test('overlays/production/app/patch.yaml')).toBe(true);
    expect(globToRegex('/overlays/production/').test('x/overlays/production/a')).toBe(false);
    expect(globToRegex('*.yaml').test('deep/dir/file.yaml')).toBe(true);
    expect(globToRegex('docs/*').test('docs/a.md')).toBe(true);
    expect(globToRegex('docs/*').test('docs/a/b.md')).toBe(false);
    expect(globToRegex('a/**/b').test('a/x/y/b')).toBe(true);
    expect(globToRegex('a/**/b').test('a/b')).toBe(true);
  });

  it('takes the last matching rule per path; users become reviewers, teams team reviewers; e-mails and the bot are skipped', () => {
    expect(
      reviewersFor(rules, ['overlays/staging/checkout/patch.yaml', '.salve/remediations/x/proof.dsse.json'], ['bob']),
    ).toEqual({
      reviewers: ['alice'],
      teamReviewers: [],
    });
    expect(reviewersFor(rules, ['overlays/production/kustomization.yaml', 'README.md'])).toEqual({
      reviewers: ['carol'],
      teamReviewers: ['platform', 'sre'],
    });
    expect(reviewersFor([], ['a'])).toEqual({ reviewers: [], teamReviewers: [] });
  });
});
