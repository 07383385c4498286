/** Real servers for the tests, each on 127.0.0.1 with free ports and a temp dir it removes. */

export { type Etcd, startEtcd } from '../../engine/demo/servers/etcd.ts';
export {
  type KubeIdentity,
  type KubeInfo,
  kubeCall,
  kubeConfigFor,
  kubeconfigYaml,
  kubeRequest,
} from '../../engine/demo/servers/kube-client.ts';
export {
  type AlertmanagerOptions,
  type AlertmanagerServer,
  type PostableAlert,
  postAlerts,
  startAlertmanager,
} from './alertmanager.ts';
export {
  serverBinary,
  startTestKube,
  type TestKubeInfo,
  type TestKubeServer,
  type TestUser,
  TOOLS_DIR,
} from './kube.ts';
export { backfill, type PrometheusOptions, type PrometheusServer, startPrometheus } from './prometheus.ts';
export { ping, type RedisServer, startRedis } from './redis.ts';
