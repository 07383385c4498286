/**
 * The Alertmanager v4 webhook envelope: checked here so a malformed body is a 400 at the door;
 * the alerts themselves are the intake stage's business.
 */
import { z } from 'zod';
import { InputError } from '../model/index.ts';

export const AlertmanagerAlert = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).default({}),
    startsAt: z.string(),
    endsAt: z.string().optional(),
    generatorURL: z.string().optional(),
    fingerprint: z.string().optional(),
  })
  .loose();
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

export const AlertmanagerPayload = z
  .object({
    version: z.literal('4'),
    groupKey: z.string(),
    truncatedAlerts: z.number().int().nonnegative().optional(),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string(),
    groupLabels: z.record(z.string(), z.string()),
    commonLabels: z.record(z.string(), z.string()),
    commonAnnotations: z.record(z.string(), z.string()),
    externalURL: z.string(),
    alerts: z.array(AlertmanagerAlert),
  })
  .loose();
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

export function parseAlertmanager(body: string): AlertmanagerPayload {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new InputError(`alertmanager payload is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = AlertmanagerPayload.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new InputError(`alertmanager payload: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Several payloads queued for one repository, as one v4 payload: the first envelope with every
 * alert, so that perception coalesces them in a single pass.
 */
export function mergePayloads(payloads: AlertmanagerPayload[]): AlertmanagerPayload | null {
  const [first] = payloads;
  if (!first) return null;
  if (payloads.length === 1) return first;
  const alerts = payloads.flatMap((p) => p.alerts);
  const status = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
  return { ...first, status, groupKey: `salve-batch:${first.groupKey}`, alerts };
}
