/** A pod's recent events and its containers' images as running, from the API server. */
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Evidence } from '../../model/index.ts';
import { describeApiError } from '../errors.ts';
import { KubeEvent } from '../intake/event-schema.ts';
import { lastSeen } from '../intake/event-signal.ts';
import { toWire } from '../watch/wire.ts';
import { boundText, type TextBounds } from './bound.ts';
import { redactLog } from './redact.ts';

type Call = <T>(what: string, p: Promise<T>) => Promise<T>;

export async function recentEvents(
  core: CoreV1Api,
  namespace: string,
  pod: string,
  limit: number,
  bounds: TextBounds,
  call: Call,
): Promise<Evidence> {
  const source = `recent events of pod ${namespace}/${pod}`;
  try {
    const list = await call(
      source,
      core.listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}`,
        limit: 500,
      }),
    );
    const events = list.items
      .map((i) => KubeEvent.safeParse(toWire(i)))
      .flatMap((p) => (p.success ? [p.data] : []))
      .map((e) => ({ e, at: lastSeen(e) ?? '' }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .slice(-limit);
    if (events.length === 0) return { source, summary: 'none recorded (events expire after an hour)' };
    const lines = events.map(({ e, at }) => {
      const count = e.series?.count ?? e.count ?? 1;
      return `${at} ${e.type ?? ''} ${e.reason ?? ''}${count > 1 ? ` (x${count})` : ''}: ${(e.message ?? '').replace(/\s+/g, ' ')}`;
    });
    const bounded = boundText(redactLog(lines.join('\n')), bounds);
    return {
      source,
      summary: `${events.length} most recent${bounded.note ? ` (${bounded.note})` : ''}`,
      text: bounded.text,
    };
  } catch (err) {
    return { source, summary: `unavailable: ${describeApiError(err)}` };
  }
}

export async function runningImages(
  core: CoreV1Api,
  namespace: string,
  pod: string,
  containers: readonly string[],
  call: Call,
): Promise<Evidence[]> {
  try {
    const got = await call(`pod ${namespace}/${pod}`, core.readNamespacedPod({ name: pod, namespace }));
    const statuses = [...(got.status?.initContainerStatuses ?? []), ...(got.status?.containerStatuses ?? [])];
    return statuses
      .filter((cs) => containers.length === 0 || containers.includes(cs.name))
      .map((cs) => ({
        source: `image running in ${namespace}/${pod} container ${cs.name}`,
        summary: `${cs.image}${cs.imageID ? ` (${cs.imageID})` : ''}`.slice(0, 500),
        data: { container: cs.name, image: cs.image.slice(0, 300), restartCount: cs.restartCount },
      }));
  } catch (err) {
    return [{ source: `images of pod ${namespace}/${pod}`, summary: `unavailable: ${describeApiError(err)}` }];
  }
}
