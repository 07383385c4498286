/**
 * The GitHub App manifest (deploy/github-app/manifest.json) asks for exactly what salve uses:
 * contents, pull requests and checks to write, metadata to read, and the events its webhook
 * handler acts on (installation events reach every App without a subscription).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../engine/demo/servers/tools.ts';

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/github-app/manifest.json'), 'utf8')) as {
  name: string;
  url: string;
  hook_attributes: { url: string; active: boolean };
  public: boolean;
  default_permissions: Record<string, string>;
  default_events: string[];
};
const handler = readFileSync(join(REPO_ROOT, 'engine/app/webhooks.ts'), 'utf8');

describe('deploy/github-app manifest', () => {
  it('asks for the permissions salve writes with, and nothing more', () => {
    expect(manifest.default_permissions).toEqual({
      contents: 'write',
      pull_requests: 'write',
      checks: 'write',
      metadata: 'read',
    });
    expect(manifest.public).toBe(false);
  });

  it('subscribes to every repository event the webhook handler acts on, and points at it', () => {
    const handled = [...handler.matchAll(/'([a-z_]+)\.[a-z_]+'/g)].map((m) => m[1] as string);
    const repositoryEvents = [...new Set(handled)].filter((e) => !e.startsWith('installation'));
    expect(repositoryEvents).toEqual(['pull_request']);
    expect(manifest.default_events.sort()).toEqual(repositoryEvents);
    expect(new URL(manifest.hook_attributes.url).pathname).toBe('/webhooks/github');
    expect(manifest.hook_attributes.active).toBe(true);
  });
});
