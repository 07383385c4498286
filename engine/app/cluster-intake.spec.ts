import { describe, expect, it } from 'vitest';
import { AlertmanagerPayload } from '../intake/alertmanager-schema.ts';
import { parseAlertmanager } from '../intake/index.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { clusterRunPayload, startClusterWiring } from './cluster-intake.ts';
import { loadServeConfig } from './config.ts';

const ENV = {
  SALVE_APP_ID: '1',
  SALVE_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----',
  SALVE_WEBHOOK_SECRET: 'webhook-secret-0123456789',
  SALVE_ALERTMANAGER_TOKEN: 'intake-token-0123456789',
};

describe('app/cluster-intake', () => {
  it('is off unless asked for, and then needs the repository and a cluster', async () => {
    expect(await startClusterWiring(loadServeConfig([], ENV), silentLogger())).toBeNull();
    await expect(startClusterWiring(loadServeConfig(['--cluster-intake', 'on'], ENV), silentLogger())).rejects.toThrow(
      /--cluster-intake on needs SALVE_REPO/,
    );
    await expect(
      startClusterWiring(loadServeConfig(['--cluster-intake', 'on', '--repo', 'acme/config'], ENV), silentLogger()),
    ).rejects.toThrow(/needs --kube-contexts/);
    expect(() => loadServeConfig(['--cluster-intake', 'yes'], ENV)).toThrow(
      /SALVE_CLUSTER_INTAKE \(--cluster-intake\)/,
    );
  });

  it('takes KUBECONFIG when SALVE_KUBECONFIG and --kubeconfig are unset', () => {
    expect(loadServeConfig([], { ...ENV, KUBECONFIG: '/home/sre/.kube/prod' }).kubeconfig).toBe('/home/sre/.kube/prod');
    expect(loadServeConfig(['--kubeconfig', '/k'], { ...ENV, KUBECONFIG: '/other' }).kubeconfig).toBe('/k');
  });

  it('queues a run whose payload is a valid v4 payload without alerts', () => {
    const payload = clusterRunPayload();
    expect(AlertmanagerPayload.parse(payload)).toEqual(payload);
    expect(parseAlertmanager(payload)).toEqual([]);
  });
});
