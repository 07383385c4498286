/** The parts of a core/v1 Event the cluster intake reads. Unknown fields are allowed and ignored. */
import { z } from 'zod';

const Time = z.string().nullish();

export const KubeEvent = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    creationTimestamp: Time,
  }),
  involvedObject: z.object({
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    fieldPath: z.string().optional(),
  }),
  type: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  count: z.number().int().optional(),
  firstTimestamp: Time,
  lastTimestamp: Time,
  eventTime: Time,
  series: z.object({ count: z.number().int().optional(), lastObservedTime: Time }).nullish(),
});
export type KubeEvent = z.infer<typeof KubeEvent>;
