/** The collections the cluster intake lists and watches: pods, and Warning events, per namespace or cluster-wide. */
import type { CoreV1Api } from '@kubernetes/client-node';
import type { ListPage, ReflectorSource } from '../watch/reflector.ts';
import { toWire } from '../watch/wire.ts';

type Listed = { items: unknown[]; metadata?: { resourceVersion?: string; _continue?: string } };

function page<T>(list: Listed): ListPage<T> {
  return {
    items: list.items.map((i) => toWire<T>(i)),
    resourceVersion: list.metadata?.resourceVersion ?? '',
    continue: list.metadata?._continue,
  };
}

const WARNINGS = 'type=Warning';

export function podSource<T>(core: CoreV1Api, namespace: string | null): ReflectorSource<T> {
  return namespace
    ? {
        describe: `pods in ${namespace}`,
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        list: async ({ limit, continue: next }) =>
          page<T>(await core.listNamespacedPod({ namespace, limit, ...(next ? { _continue: next } : {}) })),
      }
    : {
        describe: 'pods in all namespaces',
        path: '/api/v1/pods',
        list: async ({ limit, continue: next }) =>
          page<T>(await core.listPodForAllNamespaces({ limit, ...(next ? { _continue: next } : {}) })),
      };
}

export function warningEventSource<T>(core: CoreV1Api, namespace: string | null): ReflectorSource<T> {
  return namespace
    ? {
        describe: `Warning events in ${namespace}`,
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
        fieldSelector: WARNINGS,
        list: async ({ limit, continue: next }) =>
          page<T>(
            await core.listNamespacedEvent({
              namespace,
              fieldSelector: WARNINGS,
              limit,
              ...(next ? { _continue: next } : {}),
            }),
          ),
      }
    : {
        describe: 'Warning events in all namespaces',
        path: '/api/v1/events',
        fieldSelector: WARNINGS,
        list: async ({ limit, continue: next }) =>
          page<T>(
            await core.listEventForAllNamespaces({
              fieldSelector: WARNINGS,
              limit,
              ...(next ? { _continue: next } : {}),
            }),
          ),
      };
}
