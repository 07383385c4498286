/** The Alertmanager webhook payload, version 4, as Alertmanager sends it. */
import { z } from 'zod';

const Labels = z.record(z.string(), z.string());

export const AlertmanagerAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.iso.datetime({ offset: true }),
  /** `0001-01-01T00:00:00Z` while firing. */
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

export const AlertmanagerPayload = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: Labels,
  commonLabels: Labels,
  commonAnnotations: Labels.default({}),
  externalURL: z.string(),
  alerts: z.array(AlertmanagerAlert),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

/** True when the value has the unmistakable shape of a webhook payload (used to auto-detect files). */
export function looksLikeAlertmanager(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || 'kind' in value) return false;
  return 'alerts' in value || 'groupKey' in value || 'receiver' in value;
}
