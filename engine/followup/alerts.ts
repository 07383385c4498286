/**
 * Alerts about the target as Alertmanager has them now (API v2, active and neither silenced nor
 * inhibited), read with the same intake that turned them into signals, so "about the target" means
 * the same here as when the incident was opened.
 */
import { z } from 'zod';
import { parseAlertmanager } from '../intake/alertmanager.ts';
import { SalveError } from '../model/errors.ts';
import type { Target } from '../model/index.ts';

export class AlertmanagerReadError extends SalveError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('alertmanager-read-failed', message, options);
  }
}

const MAX_BYTES = 4 * 1024 * 1024;
const GettableAlert = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  fingerprint: z.string().min(1),
  status: z.object({ state: z.string() }),
});

export interface AlertmanagerClient {
  address: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Names of the alerts firing now about the target, sorted, distinct. */
export async function firingAlerts(am: AlertmanagerClient, target: Target, now: Date): Promise<string[]> {
  const url = new URL(`${am.address.replace(/\/+$/, '')}/api/v2/alerts`);
  url.searchParams.set('active', 'true');
  url.searchParams.set('silenced', 'false');
  url.searchParams.set('inhibited', 'false');
  url.searchParams.append('filter', `namespace=${JSON.stringify(target.namespace)}`);
  let text: string;
  try {
    const res = await (am.fetch ?? fetch)(url, {
      headers: { accept: 'application/json', ...am.headers },
      signal: AbortSignal.timeout(am.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new AlertmanagerReadError(`alertmanager ${url.origin}: HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    if (err instanceof AlertmanagerReadError) throw err;
    throw new AlertmanagerReadError(`alertmanager ${url.origin}: request failed`, { cause: err });
  }
  if (text.length > MAX_BYTES)
    throw new AlertmanagerReadError(`alertmanager ${url.origin}: answer over ${MAX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AlertmanagerReadError(`alertmanager ${url.origin}: not JSON`);
  }
  const parsed = z.array(GettableAlert).safeParse(json);
  if (!parsed.success) throw new AlertmanagerReadError(`alertmanager ${url.origin}: not a v2 alert list`);
  const active = parsed.data.filter((a) => a.status.state === 'active');
  const signals = parseAlertmanager(
    {
      version: '4',
      groupKey: 'salve-followup',
      status: 'firing',
      receiver: 'salve-followup',
      groupLabels: {},
      commonLabels: {},
      externalURL: am.address,
      alerts: active.map((a) => ({ ...a, status: 'firing' as const })),
    },
    { cluster: target.cluster, source: `alertmanager ${url.origin}`, now },
  );
  const names = signals
    .filter(
      (s) =>
        s.target.cluster === target.cluster && s.target.namespace === target.namespace && s.target.name === target.name,
    )
    .map((s) => s.labels.alertname ?? s.kind);
  return [...new Set(names)].sort();
}
