/**
 * An action's parameters as a reviewer reads them: named for what they are ("Memory limit now",
 * "Tag restored"), without the machine copies policy reads (`fromBytes`, `toMillis`, ...). The
 * proof's policy input keeps every parameter as the action produced it.
 */

/** Parameters that restate another one in units for policy: never shown. */
const MACHINE = new Set(['fromBytes', 'toBytes', 'fromMillis', 'toMillis']);

const COMMON: Record<string, string> = {
  container: 'Container',
  from: 'Now',
  to: 'After',
};

const BY_ACTION: Record<string, Record<string, string>> = {
  'raise-memory-limit': { from: 'Memory limit now', to: 'Memory limit after' },
  'raise-cpu-limit': { from: 'CPU limit now', to: 'CPU limit after' },
  'raise-hpa-max-replicas': { from: 'Maximum replicas now', to: 'Maximum replicas after' },
  'rollback-image': {
    image: 'Image (as the overlay names it)',
    fromTag: 'Tag now',
    toTag: 'Tag restored',
    toField: 'Restored as (newTag or digest)',
    renderedImage: 'Image the pods run after the rollback',
    failingImage: 'Image the failing pods run',
  },
  'adopt-argo-rollouts': {
    deployment: 'Deployment',
    application: 'Argo CD application',
    applicationFile: 'Application file changed',
  },
};

export interface ParamRow {
  name: string;
  value: unknown;
}

/** The rows of the parameter table, in the action's order; unknown names are shown as they are. */
export function paramRows(action: string, params: Record<string, unknown>): ParamRow[] {
  const labels = BY_ACTION[action] ?? {};
  return Object.entries(params)
    .filter(([name, value]) => !MACHINE.has(name) && value !== null && value !== undefined)
    .map(([name, value]) => ({ name: labels[name] ?? COMMON[name] ?? name, value }));
}
