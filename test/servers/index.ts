/** Real servers for the tests, each on 127.0.0.1 with free ports and a temp dir it removes. */

export { type Etcd, startEtcd } from '../../engine/demo/servers/etcd.ts';
export { type KubeOptions, type KubeServer, startKube } from '../../engine/demo/servers/kube.ts';
export {
  type KubeIdentity,
  type KubeInfo,
  kubeCall,
  kubeConfigFor,
  kubeconfigYaml,
  kubeRequest,
} from '../../engine/demo/servers/kube-client.ts';
export { serverBinary, toolsDir } from '../../engine/demo/servers/tools.ts';
export {
  type AlertmanagerOptions,
  type AlertmanagerServer,
  type PostableAlert,
  postAlerts,
  startAlertmanager,
} from './alertmanager.ts';
export { backfill, type PrometheusOptions, type PrometheusServer, startPrometheus } from './prometheus.ts';
export { ping, type RedisServer, startRedis } from './redis.ts';
