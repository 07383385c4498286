/**
 * The parts of a Kubernetes Pod intake reads. Unknown fields are allowed and ignored. Built on the
 * first pod read (z.lazy): a `salve plan` on alerts never builds them.
 */
import { z } from 'zod';

function podSchemas() {
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

  const ContainerStatus = z.object({
    name: z.string(),
    ready: z.boolean().default(false),
    started: z.boolean().optional(),
    restartCount: z.number().int().nonnegative().default(0),
    image: z.string().optional(),
    state: State.default({}),
    lastState: State.default({}),
  });
  const PodCondition = z.object({
    type: z.string(),
    status: z.string(),
    reason: z.string().optional(),
    message: z.string().optional(),
    lastTransitionTime: z.string().nullish(),
  });
  const Pod = z.object({
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
  return { ContainerStatus, PodCondition, Pod };
}

let built: ReturnType<typeof podSchemas> | undefined;
const schemas = () => {
  built ??= podSchemas();
  return built;
};

export const ContainerStatus = z.lazy(() => schemas().ContainerStatus);
export type ContainerStatus = z.infer<typeof ContainerStatus>;
export const PodCondition = z.lazy(() => schemas().PodCondition);
export type PodCondition = z.infer<typeof PodCondition>;
export const Pod = z.lazy(() => schemas().Pod);
export type Pod = z.infer<typeof Pod>;
