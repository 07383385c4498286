import { describe, expect, it } from 'vitest';
import { compareImages, parseImage } from './images.ts';

describe('actions/images', () => {
  it('reads the kubelet and git spellings of one image as the same', () => {
    expect(compareImages('docker.io/library/nginx:1.27.2', 'nginx:1.27.2')).toBe('same');
    expect(compareImages('index.docker.io/bitnami/redis:7', 'bitnami/redis:7')).toBe('same');
    expect(compareImages('nginx', 'nginx:latest')).toBe('same');
    expect(compareImages('registry.local:5000/app:1.0', 'registry.local:5000/app:1.0')).toBe('same');
  });

  it('tells a different tag, name or digest apart', () => {
    expect(compareImages('nginx:1.99.0', 'nginx:1.27.2')).toBe('different');
    expect(compareImages('ghcr.io/a/app:1', 'ghcr.io/b/app:1')).toBe('different');
    expect(compareImages(`app@sha256:${'a'.repeat(64)}`, `app@sha256:${'b'.repeat(64)}`)).toBe('different');
  });

  it('does not guess between a tag and a digest', () => {
    expect(compareImages(`nginx@sha256:${'a'.repeat(64)}`, 'nginx:1.27.2')).toBe('unknown');
  });

  it('parses registry ports, tags and digests', () => {
    expect(parseImage('registry.local:5000/team/app:2.1@sha256:abc')).toEqual({
      name: 'registry.local:5000/team/app',
      tag: '2.1',
      digest: 'sha256:abc',
    });
  });
});
