import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../model/index.ts';
import { connect } from './connect.ts';
import { evidenceBounds } from './feed.ts';
import { EvidenceSettings, parseClusterFlags } from './settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'salve-cluster-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: eu
    cluster: { server: 'https://eu.example.org:6443' }
users:
  - name: salve
    user: { token: not-a-real-token }
contexts:
  - name: prod-eu
    context: { cluster: eu, user: salve }
  - name: dangling
    context: { cluster: nowhere, user: salve }
current-context: prod-eu
`;

describe('engine/cluster/settings', () => {
  it('reads name=context pairs, a bare context named as its cluster, an in-cluster name and namespaces', () => {
    expect(
      parseClusterFlags({
        kubeContexts: 'production=prod-eu, staging',
        kubeInCluster: 'local',
        kubeconfig: '/k',
        namespaces: 'shop, cart',
      }),
    ).toEqual({
      kubeconfig: '/k',
      contexts: [
        { name: 'production', context: 'prod-eu', inCluster: false },
        { name: 'staging', context: 'staging', inCluster: false },
        { name: 'local', inCluster: true },
      ],
      namespaces: ['shop', 'cart'],
    });
  });

  it('says what is missing or wrong, naming the flag', () => {
    expect(() => parseClusterFlags({})).toThrow(
      /needs --kube-contexts \(name=context,...\) or --kube-in-cluster <name>/,
    );
    expect(() => parseClusterFlags({ kubeContexts: 'a=x,a=y' })).toThrow(/cluster a is configured twice/);
    expect(() => parseClusterFlags({ kubeContexts: 'a=x', namespaces: 'Bad_NS' })).toThrow(/expected a namespace name/);
    expect(() => parseClusterFlags({})).toThrow(ConfigError);
  });

  it('loads a kubeconfig context, and names the contexts there are when one is missing', () => {
    const file = join(dir, 'config');
    writeFileSync(file, KUBECONFIG);
    const conn = connect({ name: 'production', context: 'prod-eu', inCluster: false }, file);
    expect(conn.kc.getCurrentCluster()?.server).toBe('https://eu.example.org:6443');
    expect(() => connect({ name: 'production', context: 'prod-us', inCluster: false }, file)).toThrow(
      `cluster production: the kubeconfig ${file} has no context "prod-us" (it has: prod-eu, dangling)`,
    );
    expect(() => connect({ name: 'x', context: 'dangling', inCluster: false }, file)).toThrow(
      /context "dangling" names no cluster/,
    );
    expect(() => connect({ name: 'x', context: 'prod-eu', inCluster: false }, join(dir, 'nope'))).toThrow(
      /cannot read the kubeconfig/,
    );
  });

  it('bounds evidence by what the repo asks, within hard caps, or turns it off', () => {
    expect(() => EvidenceSettings.parse({ logLines: 10_000 })).toThrow();
    expect(evidenceBounds(EvidenceSettings.parse({ logLines: 20, logBytes: 4096, events: 3 }))).toMatchObject({
      log: { maxLines: 20, maxBytes: 4096 },
      events: 3,
    });
    expect(evidenceBounds(EvidenceSettings.parse({ logs: false }))?.log.maxLines).toBe(0);
    expect(evidenceBounds(EvidenceSettings.parse({ logs: false, events: 0 }))).toBeNull();
  });
});
