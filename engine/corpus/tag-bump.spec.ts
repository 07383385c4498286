import { describe, expect, it } from 'vitest';
import type { ManifestImage } from '../actions/rollback-image/manifest.ts';
import { bumpManifestLine, bumpTags, chooseManifestReleases, nextTag, released } from './tag-bump.ts';

const line = (file: string, n: number, image: string): ManifestImage => ({
  file,
  kind: 'Deployment',
  name: 'web',
  container: 'web',
  image,
  line: n,
});

describe('corpus/tag-bump', () => {
  it('bumps tags as a release bot would', () => {
    expect(nextTag('2.2.0')).toBe('2.2.1');
    expect(nextTag('v09')).toBe('v10');
    expect(nextTag('latest')).toBe('latest.1');
    expect(bumpTags('images:\n  - name: a\n    newTag: "1.0"\n')).toBe('images:\n  - name: a\n    newTag: "1.1"\n');
  });

  it("edits only the tag's bytes on the manifest line, and nothing without a tag", () => {
    const text = 'spec:\n  containers:\n    - image: "acme/web:1.9"  # pinned\n    - image: acme/web:1.9\n';
    expect(bumpManifestLine(text, 3, 'acme/web:1.9')).toBe(
      'spec:\n  containers:\n    - image: "acme/web:1.10"  # pinned\n    - image: acme/web:1.9\n',
    );
    expect(bumpManifestLine('image: nginx\n', 1, 'nginx')).toBeNull();
    expect(bumpManifestLine('image: a@sha256:aa\n', 1, 'a@sha256:aa')).toBeNull();
    expect(bumpManifestLine(text, 1, 'acme/web:1.9')).toBeNull();
  });

  it('releases no two lines of one image that one overlay renders', () => {
    const backend = line('bases/backend.yaml', 26, 'podinfo:6.1');
    const frontend = line('bases/frontend.yaml', 27, 'podinfo:6.1');
    const standalone = line('kustomize/deploy.yaml', 26, 'podinfo:6.1');
    const cache = line('bases/cache.yaml', 16, 'redis:8');
    const untagged = line('bases/nginx.yaml', 9, 'nginx');
    const r = chooseManifestReleases([
      { overlay: 'dev', line: frontend },
      { overlay: 'dev', line: backend },
      { overlay: 'prod', line: backend },
      { overlay: 'prod', line: frontend },
      { overlay: 'dev', line: cache },
      { overlay: 'kustomize', line: standalone },
      { overlay: 'dev', line: untagged },
    ]);
    expect([...r.lines.values()]).toEqual([backend, cache, standalone]);
    expect(released(r, 'dev', backend)).toBe(true);
    expect(released(r, 'prod', frontend)).toEqual(backend);
    expect(released(r, 'kustomize', standalone)).toBe(true);
    expect(released(r, 'dev', untagged)).toBeNull();
  });
});
