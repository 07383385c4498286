/** Real servers for the tests, each on 127.0.0.1 with free ports and a temp dir it removes. */
export {
  type AlertmanagerOptions,
  type AlertmanagerServer,
  type PostableAlert,
  postAlerts,
  startAlertmanager,
} from './alertmanager.ts';
export { type Etcd, startEtcd } from './etcd.ts';
export { type KubeOptions, type KubeServer, startKube } from './kube.ts';
export {
  type KubeIdentity,
  type KubeInfo,
  kubeCall,
  kubeConfigFor,
  kubeconfigYaml,
  kubeRequest,
} from './kube-client.ts';
export { backfill, type PrometheusOptions, type PrometheusServer, startPrometheus } from './prometheus.ts';
export { ping, type RedisServer, startRedis } from './redis.ts';
export { serverBinary, toolsDir } from './tools.ts';
