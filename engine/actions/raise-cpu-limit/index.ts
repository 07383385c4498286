/** CPUThrottlingHigh: raise the container's CPU limit by half, within the configured cap. */
import { containerLimitAction } from '../container-limit.ts';
import { formatCpu, parseCpuMillis, raiseCpu } from '../quantity.ts';

export const raiseCpuLimit = containerLimitAction({
  id: 'raise-cpu-limit',
  handles: ['CPUThrottling'],
  description: 'Raise a container CPU limit.',
  resource: 'cpu',
  unit: 'Millis',
  symptom: 'is throttled',
  cap: (config) => config.policy.bounds.cpuCap,
  parse: parseCpuMillis,
  format: formatCpu,
  raise: raiseCpu,
  why: 'relieves throttling without changing scheduling requests.',
});
