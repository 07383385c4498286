import { describe, expect, it } from 'vitest';
import { attachedComments, commentProblems, inlineCommentAt } from './comments.ts';

const TEXT = `# Overlay for prod.
apiVersion: kustomize.config.k8s.io/v1beta1
resources:
- ../../base # the app
# - ../../components/tracing

# Labels for every object.
labels:
- pairs: {team: core}
`;

describe('corpus/comments', () => {
  it('attaches each comment to its key: introducing, inside, commented-out entries, inline', () => {
    expect(attachedComments(TEXT)).toEqual([
      { text: '# Overlay for prod.', anchor: '>apiVersion' },
      { text: '# the app', anchor: '=- ../../base' },
      { text: '# - ../../components/tracing', anchor: 'resources' },
      { text: '# Labels for every object.', anchor: '>labels' },
    ]);
  });

  it('finds an inline comment only outside quotes and after whitespace', () => {
    expect(inlineCommentAt('a: "x # y" # z')).toBe(11);
    expect(inlineCommentAt('url: http://h/#frag')).toBe(-1);
  });

  it('reports a comment that moved under another key, one that is gone, and accepts the ones dropped on purpose', () => {
    const moved = TEXT.replace('- ../../base # the app\n', '- ../../base # the app\npatches:\n- path: p.yaml\n');
    expect(commentProblems(TEXT, moved)).toEqual([
      '"# - ../../components/tracing" moved from under resources: to under patches:',
    ]);
    const gone = TEXT.replace(' # the app', '');
    expect(commentProblems(TEXT, gone)).toEqual(['"# the app" (the line "- ../../base") is gone']);
    expect(commentProblems(TEXT, gone, (c) => c === '# the app')).toEqual([]);
    const appended = `${TEXT}patches:\n- path: p.yaml\n`;
    expect(commentProblems(TEXT, appended)).toEqual([]);
  });
});
