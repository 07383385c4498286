/** OOMKilled: raise the container's memory limit by half, within the configured cap. */
import { containerLimitAction } from '../container-limit.ts';
import { formatMemory, parseMemory, raiseMemory } from '../quantity.ts';

export const raiseMemoryLimit = containerLimitAction({
  id: 'raise-memory-limit',
  handles: ['OOMKilled'],
  description: 'Raise a container memory limit.',
  resource: 'memory',
  unit: 'Bytes',
  symptom: 'was OOMKilled',
  cap: (config) => config.policy.bounds.memoryCap,
  parse: parseMemory,
  format: formatMemory,
  raise: raiseMemory,
  why: 'the smallest change likely to stop the kills; requests, and so scheduling, stay as they are.',
});
