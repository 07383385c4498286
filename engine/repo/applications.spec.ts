import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../test/security/capture-logger.ts';
import { ConfigError } from '../model/errors.ts';
import { applicationsIn, discoverApplications } from './applications.ts';

const APP = (name: string, path: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: ${name}}\nspec:\n  source: {repoURL: https://example.org/r.git, path: ${path}}\n  destination: {name: prod, namespace: web}\n`;
const ALL = { applications: ['**/*.yaml'] };

describe('repo/applications on hostile files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-apps-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function put(path: string, text: string) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }

  async function failure(): Promise<ConfigError> {
    const err = await discoverApplications(dir, ALL).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }

  it('refuses an Application whose path leaves the repository, naming file, Application and path', async () => {
    await put('argocd/ok.yaml', APP('ok', 'apps/web'));
    await put('argocd/evil.yaml', APP('evil', '../outside'));
    const err = await failure();
    expect(err.code).toBe('outside-repo');
    expect(err.message).toBe(
      'argocd/evil.yaml: Application "evil": spec.source.path "../outside" points outside the repository; salve (like Argo CD) renders only paths inside it',
    );
    await put('argocd/evil.yaml', APP('evil', '/etc'));
    expect((await failure()).code).toBe('outside-repo');
  });

  it('gives an alias bomb a clear error naming the file and document', async () => {
    const anchors = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      anchors.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    await put(
      'argocd/bomb.yaml',
      `${APP('first', 'a')}---\n${APP('bomb', 'b')}bomb:\n${anchors.map((a) => `  ${a}`).join('\n')}\n`,
    );
    const err = await failure();
    expect(err.code).toBe('yaml-aliases');
    expect(err.message).toMatch(/^argocd\/bomb\.yaml \(document 2\): YAML aliases expand more than 100 times/);
  });

  it('skips, with a warning, a file too large to be an Application and a link out of the repository', async () => {
    await put('argocd/ok.yaml', APP('ok', 'apps/web'));
    await put('argocd/huge.yaml', `${APP('huge', 'apps/huge')}# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    await mkdir(join(dir, 'host'));
    await symlink('/etc/hostname', join(dir, 'argocd/host.yaml'));
    const log = captureLogger();
    const apps = await discoverApplications(dir, ALL, { log });
    expect(apps.map((a) => a.name)).toEqual(['ok']);
    expect(log.records.map((r) => [r.obj.file, r.msg])).toEqual([
      ['argocd/host.yaml', 'file among the Applications links outside the repository; not read'],
      ['argocd/huge.yaml', 'file among the Applications is too large to be an Application manifest; not read'],
    ]);
  });
});

function app(syncPolicy: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
spec:
  source:
    repoURL: https://example.org/config.git
    path: apps/shop
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
${syncPolicy}`;
}

describe('repo/applications', () => {
  it('reads whether Argo CD syncs by itself and whether it prunes', () => {
    const sync = (policy: string) => applicationsIn(app(policy), 'shop.yaml')[0]?.sync;
    expect(sync('  syncPolicy:\n    automated: {prune: true, selfHeal: true}\n')).toEqual({
      automated: true,
      prune: true,
    });
    expect(sync('  syncPolicy:\n    automated:\n      prune: false\n')).toEqual({ automated: true, prune: false });
    // `automated: {}` syncs without pruning; Argo CD 3's `enabled: false` turns it off.
    expect(sync('  syncPolicy:\n    automated: {}\n')).toEqual({ automated: true, prune: false });
    expect(sync('  syncPolicy:\n    automated: {enabled: false, prune: true}\n')).toEqual({
      automated: false,
      prune: false,
    });
    expect(sync('  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n')).toEqual({
      automated: false,
      prune: false,
    });
    expect(sync('')).toEqual({ automated: false, prune: false });
  });
});
