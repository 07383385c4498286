import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { hostile, PAYLOAD } from './__fixtures__/hostile.ts';
import { metadata } from './__fixtures__/remediation.ts';
import { parseMetadata, renderExplanation, renderPullRequest } from './index.ts';
import { Markdown, Text } from './markdown.ts';
import { buildView, FULL } from './view.ts';

const opts = { templateDirs: [], metadata };

/** What GitHub would show: GFM rendered to HTML, raw HTML passed through so that any leak is visible. */
function html(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** Spans [start, end) of HTML comments and <details> blocks in rendered HTML. */
function hiddenSpans(out: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const [open, close] of [
    ['<!--', '-->'],
    ['<details', '</details>'],
  ] as const) {
    let at = out.indexOf(open);
    while (at >= 0) {
      const end = out.indexOf(close, at + open.length);
      spans.push([at, end < 0 ? out.length : end + close.length]);
      at = out.indexOf(open, end < 0 ? out.length : end + close.length);
    }
  }
  return spans;
}

function occurrences(haystack: string, needle: string): number[] {
  const found: number[] = [];
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) found.push(i);
  return found;
}

/** Text GitHub scans for mentions and references: everything outside code, tags removed. */
function prose(out: string): string {
  return out
    .replace(/<pre>[\s\S]*?<\/pre>/g, '')
    .replace(/<code>[\s\S]*?<\/code>/g, '')
    .replace(/<[^>]+>/g, '');
}

function assertInert(markdown: string, sections: { heading: string; decision: string }) {
  const out = html(markdown);
  const hidden = hiddenSpans(out);
  const visible = (i: number) => !hidden.some(([s, e]) => i >= s && i < e);

  // The real decision, exactly once, visible; no forged one anywhere.
  const headings = occurrences(out, `<h2>${sections.heading}</h2>`);
  expect(headings).toHaveLength(1);
  expect(visible(headings[0] as number)).toBe(true);
  const decisions = occurrences(out, sections.decision);
  expect(decisions).toHaveLength(1);
  expect(visible(decisions[0] as number)).toBe(true);
  expect(out).not.toContain('<strong>automate</strong>');
  expect(out).not.toMatch(/<td><code>merge\.forged<\/code><\/td>/);

  // The rules table follows the heading and lists the real rules, the hostile message as text.
  const table = out.slice(headings[0], out.indexOf('</table>', headings[0]));
  expect([...table.matchAll(/<tr>\s*<td><code>([^<]+)<\/code><\/td>/g)].map((m) => m[1])).toEqual(
    hostile.decision.rules.map((r) => r.id),
  );

  // Nothing from the payload became markup: no HTML, images, links, headings, fences or comments.
  expect(out).not.toMatch(/<img|<a |<b>|<strong>bold|<em>em|<del>|<math|<pre><code>/);
  const comments = occurrences(out, '<!--');
  for (const c of comments) expect(out.slice(c, c + 20)).toBe('<!-- salve:metadata ');
  // Mentions, issue references and autolinks are broken; bidi overrides are gone.
  expect(prose(out)).not.toMatch(/@[A-Za-z0-9]/);
  expect(prose(out)).not.toMatch(/#\d/);
  expect(prose(out)).not.toMatch(/https?:\/\/|www\./);
  expect(markdown).not.toContain('\u202e');
  return out;
}

describe('explain: hostile text renders inert', () => {
  it('keeps the PR body decision, rules and diff unspoofable and visible', async () => {
    const { body, title } = renderPullRequest(hostile, opts);
    const out = assertInert(body, { heading: 'Why allowed', decision: 'Decision: <strong>approve</strong>.' });
    expect(out.match(/<h2>[^<]*<\/h2>/g)).toEqual([
      '<h2>Why this action</h2>',
      '<h2>Why allowed</h2>',
      '<h2>Why safe</h2>',
      '<h2>What merging does</h2>',
      '<h2>How to revert</h2>',
    ]);
    expect(occurrences(out, '<details>')).toHaveLength(1);
    expect(occurrences(out, '</details>')).toHaveLength(1);
    // The diff is one code block holding the hostile file's lines verbatim, after the rules.
    const diffs = occurrences(out, '<pre><code class="language-diff">');
    expect(diffs).toHaveLength(1);
    const diff = out.slice(diffs[0], out.indexOf('</code></pre>', diffs[0]));
    expect(diff).toContain('+```');
    expect(diff).toContain('+&lt;!--');
    expect(diff).toContain('+## Why allowed');
    expect(diffs[0]).toBeGreaterThan(out.indexOf('<h2>Why allowed</h2>'));
    expect(parseMetadata(body)).toEqual(metadata);
    expect(title).not.toMatch(/[\n\r\u202e]/);
    expect(title).not.toMatch(/@[A-Za-z0-9]/);
    await expect(body).toMatchFileSnapshot('./__snapshots__/pr-body-hostile.md');
  });

  it('keeps the committed explanation inert too', async () => {
    const explanation = renderExplanation(hostile, opts);
    const out = assertInert(explanation, { heading: 'Why allowed', decision: 'Decision: <strong>approve</strong>.' });
    expect(out.match(/<h1>/g)).toHaveLength(1);
    expect(out.match(/<h2>[^<]*<\/h2>/g)).toEqual([
      '<h2>Why this action</h2>',
      '<h2>Why allowed</h2>',
      '<h2>Why safe</h2>',
      '<h2>What merging does</h2>',
      '<h2>How to revert</h2>',
    ]);
    expect(out).not.toContain('<details');
    await expect(explanation).toMatchFileSnapshot('./__snapshots__/explanation-hostile.md');
  });

  it('gives templates no raw untrusted string: every string in the view is salve’s own or Text', () => {
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (v instanceof Text || v instanceof Markdown) {
        expect(String(v)).not.toMatch(/(?<!\\)<(?!br>)|\n|\u202e|@[a-z]/);
        return;
      }
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(buildView(hostile, FULL));
    for (const s of strings) expect(s).not.toContain(PAYLOAD.slice(0, 12));
    expect(strings.some((s) => /[<@\n]/.test(s))).toBe(false);
  });

  it('lets a template reach the raw value only through the escaping helpers', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'salve-tpl-'));
    try {
      await writeFile(
        join(dir, 'explanation.hbs'),
        '{{{action.summary}}}|{{action.summary.raw}}|{{lookup action "summary"}}|{{#each action.rationale}}{{{this}}}{{/each}}\n',
      );
      const out = html(renderExplanation(hostile, { ...opts, templateDirs: [dir] }));
      expect(out).not.toMatch(/<img|<h2>|<\/details>|<a /);
      expect(prose(out)).not.toMatch(/@[a-z]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
