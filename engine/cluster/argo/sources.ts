/**
 * Argo CD Applications, Argo Rollouts and AnalysisRuns as reflector sources: what the follow-up
 * watches to see a merge synced, a canary promoted or aborted, an analysis pass or fail. Custom
 * resources come back from client-node as the API server sent them (no typed model).
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { ListPage, ReflectorSource } from '../watch/reflector.ts';

export const ARGO_GROUP = 'argoproj.io';
export const ARGO_VERSION = 'v1alpha1';
export type ArgoPlural = 'applications' | 'rollouts' | 'analysisruns';

type Listed = { items?: unknown[]; metadata?: { resourceVersion?: string; continue?: string } };

function page<T>(list: unknown): ListPage<T> {
  const l = list as Listed;
  return {
    items: (l.items ?? []) as T[],
    resourceVersion: l.metadata?.resourceVersion ?? '',
    continue: l.metadata?.continue,
  };
}

export function argoSource<T>(
  custom: CustomObjectsApi,
  plural: ArgoPlural,
  namespace: string | null,
): ReflectorSource<T> {
  const base = { group: ARGO_GROUP, version: ARGO_VERSION, plural };
  return namespace
    ? {
        describe: `${plural} in ${namespace}`,
        path: `/apis/${ARGO_GROUP}/${ARGO_VERSION}/namespaces/${encodeURIComponent(namespace)}/${plural}`,
        list: async ({ limit, continue: next }) =>
          page<T>(
            await custom.listNamespacedCustomObject({
              ...base,
              namespace,
              limit,
              ...(next ? { _continue: next } : {}),
            }),
          ),
      }
    : {
        describe: `${plural} in all namespaces`,
        path: `/apis/${ARGO_GROUP}/${ARGO_VERSION}/${plural}`,
        list: async ({ limit, continue: next }) =>
          page<T>(await custom.listClusterCustomObject({ ...base, limit, ...(next ? { _continue: next } : {}) })),
      };
}
