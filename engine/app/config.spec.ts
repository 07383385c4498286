import { describe, expect, it } from 'vitest';
import { ConfigError } from '../model/index.ts';
import { loadServeConfig } from './config.ts';

const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretsecretsecret\n-----END RSA PRIVATE KEY-----\n';
const ENV = {
  SALVE_APP_ID: '42',
  SALVE_PRIVATE_KEY: KEY,
  SALVE_WEBHOOK_SECRET: 'w'.repeat(20),
  SALVE_ALERTMANAGER_TOKEN: 't'.repeat(20),
};

describe('app/config', () => {
  it('reads environment and lets flags win', () => {
    const c = loadServeConfig(['--port', '9000', '--repo=acme/cfg', '--publish', 'git'], {
      ...ENV,
      SALVE_PORT: '8081',
    });
    expect(c).toMatchObject({
      appId: 42,
      port: 9000,
      repo: 'acme/cfg',
      publish: 'git',
      host: '0.0.0.0',
      apiUrl: 'https://api.github.com',
    });
  });

  it('names every problem by variable and flag, without echoing secrets', () => {
    let err: unknown;
    try {
      loadServeConfig([], {
        SALVE_PRIVATE_KEY: 'not a key but a secret value',
        SALVE_WEBHOOK_SECRET: 'short',
        SALVE_REPO: 'nope',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('SALVE_APP_ID (--app-id): required');
    expect(msg).toContain('SALVE_PRIVATE_KEY (--private-key): expected a PEM private key');
    expect(msg).toContain('SALVE_WEBHOOK_SECRET (--webhook-secret): must be at least 16 characters');
    expect(msg).toContain('SALVE_REPO (--repo): expected owner/name');
    expect(msg).not.toContain('secret value');
    expect(msg).not.toContain('short');
  });

  it('refuses an open intake', () => {
    const { SALVE_ALERTMANAGER_TOKEN: _t, ...open } = ENV;
    expect(() => loadServeConfig([], open)).toThrow(/SALVE_ALERTMANAGER_TOKEN or SALVE_ALERTMANAGER_HMAC_SECRET/);
  });

  it('rejects unknown flags and flags without values', () => {
    expect(() => loadServeConfig(['--nope', 'x'], ENV)).toThrow(/unknown flag --nope/);
    expect(() => loadServeConfig(['--port'], ENV)).toThrow(/--port needs a value/);
  });
});
