import { describe, expect, it } from 'vitest';
import { setImage } from './images.ts';

const WITH_IMAGES = `resources:
  - ../../base
images:
  # the API server
  - name: ghcr.io/acme/api
    newTag: '1.4.2' # pinned by release
  - name: redis
    newName: docker.io/library/redis
    newTag: "7.2"
labels:
  - pairs: {team: core}
`;

describe('render/images', () => {
  it('updates an entry in place, keeping its quoting and the comments that stay true', () => {
    const notes: string[] = [];
    const out = setImage(WITH_IMAGES, { name: 'ghcr.io/acme/api', newTag: '1.4.1' }, 'k.yaml', (n) => notes.push(n));
    // The line comment described 1.4.2: it goes, and the note says so. The comment above the entry stays.
    expect(out).toBe(WITH_IMAGES.replace("newTag: '1.4.2' # pinned by release", "newTag: '1.4.1'"));
    expect(notes).toEqual([
      'Dropped the comment "# pinned by release" on "newTag: \'1.4.2\'" in k.yaml: it described the value this change replaces ("1.4.2").',
    ]);
    expect(setImage(out, { name: 'ghcr.io/acme/api', newTag: '1.4.1' })).toBe(out);
  });

  it('keeps a tool marker on a rewritten tag (Flux image automation, Renovate)', () => {
    const text = 'images:\n- name: nginx\n  newTag: 1.27.2 # {"$imagepolicy": "flux-system:nginx:tag"}\n';
    const notes: string[] = [];
    expect(setImage(text, { name: 'nginx', newTag: '1.27.1' }, 'k.yaml', (n) => notes.push(n))).toBe(
      text.replace('1.27.2', '1.27.1'),
    );
    expect(notes).toEqual([]);
  });

  it('adds an entry to an existing images: list', () => {
    const out = setImage(WITH_IMAGES, { name: 'nginx', newTag: '1.27' });
    expect(out).toBe(
      WITH_IMAGES.replace('    newTag: "7.2"\n', '    newTag: "7.2"\n  - name: nginx\n    newTag: "1.27"\n'),
    );
    expect(setImage(out, { name: 'nginx', newTag: '1.27' })).toBe(out);
  });

  it('adds images: when the kustomization has none, quoting tags YAML would read as numbers', () => {
    const text = '# overlay\nresources:\n- ../../base # base\n';
    const out = setImage(text, { name: 'ghcr.io/acme/api', newTag: '2.0' });
    expect(out).toBe(`${text}images:\n- name: ghcr.io/acme/api\n  newTag: "2.0"\n`);
    expect(setImage(out, { name: 'ghcr.io/acme/api', newTag: '2.0' })).toBe(out);
  });

  it('pins by exactly what is given: a digest drops the tag, a tag drops the digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const byDigest = setImage(WITH_IMAGES, { name: 'redis', digest });
    expect(byDigest).toContain(`  - name: redis\n    newName: docker.io/library/redis\n    digest: ${digest}\nlabels:`);
    const back = setImage(byDigest, { name: 'redis', newTag: '7.2' });
    expect(back).toContain('  - name: redis\n    newName: docker.io/library/redis\n    newTag: "7.2"\nlabels:');
    expect(setImage(back, { name: 'redis', newTag: '7.2' })).toBe(back);
  });

  it('falls back to the Document API for a flow-style list and stays idempotent', () => {
    const text = 'resources: [a.yaml]\nimages: [{name: redis, newTag: "7"}]\n';
    const out = setImage(text, { name: 'redis', newTag: '8' });
    expect(out).toContain('newTag: "8"');
    expect(setImage(out, { name: 'redis', newTag: '8' })).toBe(out);
  });
});
