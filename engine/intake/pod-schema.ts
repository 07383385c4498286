/** The parts of a Kubernetes Pod intake reads. Unknown fields are allowed and ignored. */
import { z } from 'zod';

const Terminated = z.object({
  reason: z.string().optional(),
  exitCode: z.number().int().optional(),
  finishedAt: z.string().nullish(),
  message: z.string().optional(),
});
const Waiting = z.object({
  reason: z.string().optional(),
  message: z.string().optional(),
});
const Running = z.object({ startedAt: z.string().nullish() });
const State = z.object({
  waiting: Waiting.optional(),
  running: Running.optional(),
  terminated: Terminated.optional(),
});

export const ContainerStatus = z.object({
  name: z.string(),
  ready: z.boolean().default(false),
  started: z.boolean().optional(),
  restartCount: z.number().int().nonnegative().default(0),
  image: z.string().optional(),
  state: State.default({}),
  lastState: State.default({}),
});
export type ContainerStatus = z.infer<typeof ContainerStatus>;

export const PodCondition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().nullish(),
});
export type PodCondition = z.infer<typeof PodCondition>;

export const Pod = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Pod'),
  metadata: z.object({
    name: z.string().min(1),
    namespace: z.string().min(1),
    uid: z.string().optional(),
    labels: z.record(z.string(), z.string()).default({}),
    ownerReferences: z
      .array(
        z.object({
          kind: z.string(),
          name: z.string(),
          controller: z.boolean().optional(),
        }),
      )
      .default([]),
  }),
  status: z
    .object({
      phase: z.string().optional(),
      conditions: z.array(PodCondition).default([]),
      containerStatuses: z.array(ContainerStatus).default([]),
      initContainerStatuses: z.array(ContainerStatus).default([]),
    })
    .default({
      conditions: [],
      containerStatuses: [],
      initContainerStatuses: [],
    }),
});
export type Pod = z.infer<typeof Pod>;
