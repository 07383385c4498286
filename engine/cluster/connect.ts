/** A KubeConfig per configured cluster: a kubeconfig context, or the pod's service account. */
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../model/index.ts';
import type { ClusterContext } from './settings.ts';

export interface ClusterConnection {
  name: string;
  kc: KubeConfig;
}

export function connect(ctx: ClusterContext, kubeconfig: string | undefined): ClusterConnection {
  const kc = new KubeConfig();
  if (ctx.inCluster) {
    try {
      kc.loadFromCluster();
    } catch (err) {
      throw new ConfigError(`cluster ${ctx.name}: in-cluster configuration is unavailable (not running in a pod?)`, {
        cause: err,
      });
    }
    return { name: ctx.name, kc };
  }
  if (!kubeconfig)
    throw new ConfigError(`cluster ${ctx.name}: no kubeconfig (--kubeconfig, SALVE_KUBECONFIG or KUBECONFIG)`);
  try {
    kc.loadFromFile(kubeconfig);
  } catch (err) {
    throw new ConfigError(
      `cluster ${ctx.name}: cannot read the kubeconfig ${kubeconfig}: ${(err as Error).message.split('\n')[0]}`,
      {
        cause: err,
      },
    );
  }
  const context = ctx.context ?? kc.getCurrentContext();
  if (!kc.getContextObject(context)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new ConfigError(
      `cluster ${ctx.name}: the kubeconfig ${kubeconfig} has no context "${context}" (it has: ${known.join(', ') || 'none'})`,
    );
  }
  kc.setCurrentContext(context);
  if (!kc.getCurrentCluster()) throw new ConfigError(`cluster ${ctx.name}: context "${context}" names no cluster`);
  return { name: ctx.name, kc };
}
